//! The graph canvas, drawn as cs231n draws its circuits: inputs on the left, the output on the right, each node a
//! card with its name and gate, its value in green once the forward pass reaches it and its gradient in red once the
//! backward pass does; each wire carries the value flowing forward and the gradient flowing back. The current step's
//! node and wires are highlighted. Pan by dragging, zoom with the wheel or a pinch; the layout is computed once per
//! program and folding (in `crate::layout`) and only transformed here.
//!
//! At network scale: a folded group (a neuron, a layer) is one box showing its output's value and gradient, and a
//! click unfolds it; an unfolded group is a frame whose header folds it again. While the timeline moves the camera
//! follows the current node and its neighbours at a readable zoom, and a minimap ([`super::minimap`]) shows the whole
//! graph. Off-screen items are culled; below a readable zoom, cards and wires are drawn as two plain meshes.

use eframe::egui::{self, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, Vec2, pos2, vec2};

use super::minimap::Minimap;
use super::model::{FOLD_ABOVE, Known, Model, Step};
use super::{Action, Settings};
use crate::app::theme::Palette;
use crate::layout::{self, FRAME_HEADER, Frame};
use crate::scalar::explain::fmt_sig;
use crate::scalar::groups::Item;
use crate::scalar::{NodeId, Op, explain, fmt_num};

/// A node card's size in layout units (the layout keeps the sizes: it makes room for them).
const NODE: Vec2 = vec2(layout::NODE_SIZE[0], layout::NODE_SIZE[1]);
/// A constant's (smaller) card.
const CONST: Vec2 = vec2(layout::CONST_SIZE[0], layout::CONST_SIZE[1]);
/// A folded group's box.
const GROUP: Vec2 = vec2(layout::BOX_SIZE[0], layout::BOX_SIZE[1]);
/// Below this zoom the wires' numbers are hidden; below [`TEXT_ZOOM`] all text is.
const EDGE_LABEL_ZOOM: f32 = 0.42;
/// Below this zoom only the cards are drawn.
const TEXT_ZOOM: f32 = 0.28;
/// The zooms the follow camera keeps to: the numbers on cards and wires stay readable.
const FOLLOW_ZOOM: (f32, f32) = (0.75, 1.0);
/// How long the follow camera takes to reach the next step, in seconds.
const FOLLOW_SECONDS: f64 = 0.3;
/// How a program names its groups, for the toolbar's hints.
const GROUPS_RULE: &str = "A node's group is the dotted prefix of the name of the statement that made it: every node of \
`l1.n0.s = l1.n0.w0*x0 + l1.n0.b` is in l1.n0, inside l1, and `l1.n0 = tanh(l1.n0.s)` gives the group its value.";
/// The closest Fit comes: a five-node graph fills a 1920×1080 canvas with text a projector's back row reads (cards
/// are 88 layout units wide, so 2.0 draws them 176 points wide).
pub const FIT_ZOOM: f32 = 2.0;
/// Below this room (width, height in points) the toolbar folds into a menu beside Fit.
const TOOLBAR_FOLD: Vec2 = vec2(300.0, 150.0);
/// The output's stub wire, in layout units.
const STUB: f32 = 62.0;
/// The ring around the node a lesson's question asks about: violet, apart from the current step's amber.
const QUESTION_RING: Color32 = Color32::from_rgb(0x8a, 0x4f, 0xd8);

/// A camera move in progress: from a centre (layout units) and zoom to another.
#[derive(Clone, Copy, Debug)]
struct Glide {
    from: (Vec2, f32),
    to: (Vec2, f32),
    start: f64,
}

/// The frames of unfolded groups, in layout units, computed once per layout.
#[derive(Default)]
struct Frames {
    generation: u64,
    /// Outer groups first ([`layout::frames`]).
    frames: Vec<Frame>,
}

/// The camera over the layout.
pub struct Canvas {
    zoom: f32,
    /// Screen offset of the layout origin from the canvas centre.
    pan: Vec2,
    fit_pending: bool,
    last_size: Vec2,
    /// Whether the user has panned or zoomed since the last fit (then a resize no longer refits).
    moved: bool,
    /// The node a lesson's question asks about, ringed; centred at the next frame when it is set.
    highlight: Option<NodeId>,
    centre_pending: bool,
    /// The follow camera: on, off, or (None) on for large graphs only.
    follow: Option<bool>,
    /// The (layout, cursor) the camera last followed.
    followed: (u64, usize),
    glide: Option<Glide>,
    /// A group just unfolded or folded: centre on it at the next frame.
    focus: Option<u32>,
    frames: Frames,
    minimap: Minimap,
}

impl Default for Canvas {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            pan: Vec2::ZERO,
            fit_pending: true,
            last_size: Vec2::ZERO,
            moved: false,
            highlight: None,
            centre_pending: false,
            follow: None,
            followed: (0, 0),
            glide: None,
            focus: None,
            frames: Frames::default(),
            minimap: Minimap::default(),
        }
    }
}

impl Canvas {
    /// Fits the graph to the canvas at the next frame.
    pub fn request_fit(&mut self) {
        self.fit_pending = true;
        self.moved = false;
        self.glide = None;
    }

    /// Centres the camera on a group's items at the next frame (after it was folded or unfolded).
    pub fn focus_group(&mut self, group: u32) {
        self.focus = Some(group);
        self.glide = None;
    }

    /// Rings `node` (a lesson's question waits on it) and centres it at the next frame, as far as the graph allows
    /// without cutting any of it off; a graph too large to show whole with its numbers is zoomed in around the node
    /// instead. `None` removes the ring.
    pub fn set_highlight(&mut self, node: Option<NodeId>) {
        self.centre_pending = node.is_some();
        self.highlight = node;
    }

    /// The ringed node, if any.
    pub fn highlight(&self) -> Option<NodeId> {
        self.highlight
    }

    /// The zoom (screen points per layout unit).
    pub fn zoom(&self) -> f32 {
        self.zoom
    }

    /// The layout point at the canvas centre.
    pub fn centre(&self) -> [f32; 2] {
        let c = -self.pan / self.zoom;
        [c.x, c.y]
    }

    /// Puts a layout point at the canvas centre, at the current zoom.
    pub fn look_at(&mut self, p: [f32; 2]) {
        self.pan = -vec2(p[0], p[1]) * self.zoom;
        self.fit_pending = false;
        self.moved = true;
        self.glide = None;
    }

    /// Zooms about the canvas centre, as the wheel would there (the camera then stays put on resize).
    pub fn zoom_to(&mut self, zoom: f32) {
        let zoom = zoom.clamp(0.03, 4.0);
        self.pan *= zoom / self.zoom;
        self.zoom = zoom;
        self.fit_pending = false;
        self.moved = true;
        self.glide = None;
    }

    /// Whether the camera follows the timeline: as set in the toolbar, else on for graphs above [`FOLD_ABOVE`] nodes.
    pub fn follows(&self, model: &Model) -> bool {
        self.follow.unwrap_or(model.graph.len() > FOLD_ABOVE)
    }

    /// Turns the follow camera on or off.
    pub fn set_follow(&mut self, on: bool) {
        self.follow = Some(on);
        // follow from the current step at once
        self.followed = (0, usize::MAX);
    }

    /// Whether the camera is still gliding to the current step.
    pub fn is_gliding(&self) -> bool {
        self.glide.is_some()
    }

    /// Where layout point `p` is drawn in a canvas at `rect`.
    pub fn screen_from_layout(&self, rect: Rect, p: [f32; 2]) -> Pos2 {
        rect.center() + self.pan + vec2(p[0], p[1]) * self.zoom
    }

    fn layout_from_screen(&self, rect: Rect, p: Pos2) -> [f32; 2] {
        let v = (p - rect.center() - self.pan) / self.zoom;
        [v.x, v.y]
    }

    /// The graph's box in layout units: every card or box, the names and frame headers above them and the output's
    /// stub.
    fn graph_box(model: &Model) -> Option<(Vec2, Vec2)> {
        let [min, max] = model.layout.bounds;
        min[0].is_finite().then(|| {
            (
                vec2(min[0], min[1]) - GROUP * 0.5 - vec2(10.0, 28.0 + FRAME_HEADER),
                vec2(max[0], max[1]) + GROUP * 0.5 + vec2(STUB + 10.0, 10.0),
            )
        })
    }

    /// Pulls the camera back along each axis where the whole graph fits, until none of it is cut off: a centred node
    /// goes as near the centre as the graph allows.
    fn keep_graph_in_view(&mut self, rect: Rect, model: &Model) {
        let Some((lo, hi)) = Self::graph_box(model) else { return };
        let (lo, hi, half) = (lo * self.zoom, hi * self.zoom, rect.size() * 0.5);
        for k in 0..2 {
            // relative to the canvas centre, the graph spans pan + lo to pan + hi
            if hi[k] - lo[k] <= 2.0 * half[k] {
                self.pan[k] = self.pan[k].clamp(-half[k] - lo[k], half[k] - hi[k]);
            }
        }
    }

    fn fit(&mut self, rect: Rect, model: &Model) {
        let Some((lo, hi)) = Self::graph_box(model) else { return };
        let size = hi - lo;
        let margin = 24.0;
        let zx = (rect.width() - 2.0 * margin) / size.x;
        let zy = (rect.height() - 2.0 * margin) / size.y;
        self.zoom = zx.min(zy).clamp(0.03, FIT_ZOOM);
        self.pan = -((lo + hi) * 0.5) * self.zoom;
    }

    /// Starts a glide to a centre and zoom.
    fn glide_to(&mut self, now: f64, centre: Vec2, zoom: f32) {
        let from = (-self.pan / self.zoom, self.zoom);
        if (from.0 - centre).length() * self.zoom < 2.0 && (from.1 - zoom).abs() < 1e-3 {
            return;
        }
        self.glide = Some(Glide { from, to: (centre, zoom), start: now });
    }

    /// Advances the glide; true while it runs.
    fn advance_glide(&mut self, now: f64) -> bool {
        let Some(g) = self.glide else { return false };
        let t = (((now - g.start) / FOLLOW_SECONDS) as f32).clamp(0.0, 1.0);
        let ease = t * t * (3.0 - 2.0 * t);
        // zoom geometrically, so the motion feels even
        let zoom = g.from.1 * (g.to.1 / g.from.1).powf(ease);
        let centre = g.from.0 + (g.to.0 - g.from.0) * ease;
        self.zoom = zoom;
        self.pan = -centre * zoom;
        if t >= 1.0 {
            self.glide = None;
        }
        self.glide.is_some()
    }

    /// Where the follow camera goes for the step at `cursor`: the current item and its neighbours, at a zoom between
    /// [`FOLLOW_ZOOM`]'s bounds; centred on the current item when they do not all fit.
    fn follow_target(&self, rect: Rect, model: &Model, cursor: usize) -> Option<(Vec2, f32)> {
        let node = model.step_at(cursor).map(|s| model.step_node(s))?;
        let item = model.item_of(node);
        let at = |i: usize| model.layout.positions.get(i).map(|&p| vec2(p[0], p[1]));
        let here = at(item)?;
        let half = item_size(model, item) * 0.5;
        let (mut lo, mut hi) = (here - half, here + half);
        for e in &model.folding.edges {
            let other = if e.to == item {
                e.from
            } else if e.from == item {
                e.to
            } else {
                continue;
            };
            if let Some(p) = at(other) {
                let h = item_size(model, other) * 0.5;
                lo = lo.min(p - h);
                hi = hi.max(p + h);
            }
        }
        let size = hi - lo + vec2(60.0, 80.0);
        let fit = ((rect.width() - 40.0) / size.x).min((rect.height() - 40.0) / size.y);
        let zoom = fit.clamp(FOLLOW_ZOOM.0, FOLLOW_ZOOM.1);
        let centre =
            if size.x * zoom <= rect.width() && size.y * zoom <= rect.height() { (lo + hi) * 0.5 } else { here };
        Some((centre, zoom))
    }

    /// Centres on a group: its box when folded, the frame of its items when not.
    fn focus_target(&self, rect: Rect, model: &Model, group: u32) -> Option<(Vec2, f32)> {
        let (mut lo, mut hi) = (Vec2::splat(f32::INFINITY), Vec2::splat(f32::NEG_INFINITY));
        for (i, item) in model.folding.items.iter().enumerate() {
            let inside = match *item {
                Item::Node(id) => model.groups.contains(group, id),
                Item::Group(g) => g == group || model.groups.ancestors(g).any(|a| a == group),
            };
            if inside {
                let p = model.layout.positions[i];
                let h = item_size(model, i) * 0.5;
                lo = lo.min(vec2(p[0], p[1]) - h);
                hi = hi.max(vec2(p[0], p[1]) + h);
            }
        }
        if !lo.x.is_finite() {
            return None;
        }
        let size = hi - lo + vec2(80.0, 100.0);
        let fit = ((rect.width() - 40.0) / size.x).min((rect.height() - 40.0) / size.y);
        // zoom in no further than readable, and out only as far as needed to see the group
        let zoom = fit.min(self.zoom.max(FOLLOW_ZOOM.0)).clamp(0.03, FOLLOW_ZOOM.1);
        Some(((lo + hi) * 0.5, zoom))
    }

    /// Draws the toolbar and the canvas; returns the canvas's rectangle (for the PNG export).
    pub fn ui(&mut self, ui: &mut egui::Ui, model: &mut Model, settings: &Settings, actions: &mut Vec<Action>) -> Rect {
        self.toolbar_ui(ui, model, settings, actions);
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Graph canvas"));
        let now = ui.input(|i| i.time);
        let resized = self.last_size != Vec2::ZERO && (self.last_size - rect.size()).length() > 1.0;
        let fitted = self.fit_pending || (resized && !self.moved);
        if fitted {
            self.fit(rect, model);
            self.fit_pending = false;
        }
        self.last_size = rect.size();
        if self.centre_pending
            && let Some(p) = self.highlight.and_then(|n| model.layout.positions.get(model.item_of(n)))
        {
            // the asked node's numbers must be readable: a graph fitted whole at a zoom that hides the wires'
            // numbers (batch norm's, at 31 % in a 1280 × 720 window) is zoomed in around it to the follow camera's
            // lower bound; the minimap and Fit show the whole again
            if self.zoom < EDGE_LABEL_ZOOM {
                self.zoom = FOLLOW_ZOOM.0;
            }
            self.pan = -vec2(p[0], p[1]) * self.zoom;
            self.keep_graph_in_view(rect, model);
            self.centre_pending = false;
        }
        if let Some(group) = self.focus.take()
            && let Some((centre, zoom)) = self.focus_target(rect, model, group)
        {
            self.glide_to(now, centre, zoom);
            self.moved = true;
        }
        let cursor = settings.cursor;
        let key = (model.layout_generation, cursor);
        if self.follows(model)
            && self.followed != key
            && let Some((centre, zoom)) = self.follow_target(rect, model, cursor)
        {
            self.glide_to(now, centre, zoom);
            self.moved = true;
        }
        self.followed = key;

        // pan and zoom (the user's hand stops a glide)
        if response.dragged() {
            self.pan += response.drag_delta();
            self.moved = true;
            self.glide = None;
        }
        if response.hovered() {
            let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            let factor = pinch * (scroll * 0.002).exp();
            if (factor - 1.0).abs() > 1e-4 {
                let new_zoom = (self.zoom * factor).clamp(0.03, 4.0);
                if let Some(pointer) = response.hover_pos() {
                    let at = (pointer - rect.center() - self.pan) / self.zoom;
                    self.pan = pointer - rect.center() - at * new_zoom;
                }
                self.zoom = new_zoom;
                self.moved = true;
                self.glide = None;
            }
        }
        if self.advance_glide(now) {
            ui.ctx().request_repaint();
        }
        let hovered_item = response.hover_pos().and_then(|p| self.item_at(rect, model, p));
        if response.clicked() {
            match hovered_item.map(|i| model.folding.items[i]) {
                Some(Item::Group(g)) => actions.push(Action::Fold(g, false)),
                Some(Item::Node(n)) => actions.push(Action::Select(Some(n.0))),
                None => actions.push(Action::Select(None)),
            }
        }
        if let Some(i) = hovered_item {
            // only what the timeline has reached, as the card shows it
            model.known(settings.cursor);
            let known = model.known_cached().expect("filled just above");
            let text = match model.folding.items[i] {
                Item::Node(n) => node_tooltip(model, known, n),
                Item::Group(gid) => group_tooltip(model, known, gid),
            };
            response.on_hover_text_at_pointer(text);
        }

        if self.frames.generation != model.layout_generation {
            let frames = layout::frames(&model.graph, &model.groups, &model.folding, &model.layout.positions);
            self.frames = Frames { generation: model.layout_generation, frames };
        }
        let painter = ui.painter_at(rect);
        let p = Palette::of(ui);
        model.known(cursor);
        let model: &Model = model;
        let known = model.known_cached().expect("filled just above");
        self.paint(&painter, rect, model, known, settings, p);
        if let Some(i) = self.highlight.map(|n| model.item_of(n)).filter(|&i| i < model.layout.positions.len()) {
            let size = item_size(model, i) * self.zoom;
            let mut r = Rect::from_center_size(self.screen_from_layout(rect, model.layout.positions[i]), size);
            r.min.y -= 20.0 * self.zoom; // around the name above the card too
            painter.rect_stroke(
                r.expand(5.0),
                14.0 * self.zoom.min(1.0),
                Stroke::new(3.0, QUESTION_RING),
                egui::StrokeKind::Outside,
            );
        }
        self.group_widgets_ui(ui, rect, model, actions);
        self.leaf_editor_ui(ui, rect, model, settings, actions);
        let view = [self.layout_from_screen(rect, rect.min), self.layout_from_screen(rect, rect.max)];
        let [lo, hi] = model.layout.bounds;
        let all_in_view = view[0][0] <= lo[0] && view[0][1] <= lo[1] && view[1][0] >= hi[0] && view[1][1] >= hi[1];
        // the minimap, when the graph is large and does not all fit in the view
        if model.folding.items.len() > 30 && !all_in_view {
            let current = model.step_at(cursor).map(|s| model.item_of(model.step_node(s)));
            if let Some(to) = self.minimap.ui(ui, rect, model, view, current, p) {
                self.look_at(to);
            }
        }
        rect
    }

    /// The folded boxes and the frames' headers as widgets (on screen only): a learner, or a screen reader, finds
    /// `unfold l1.n0` and `fold l1` by name and clicks them.
    fn group_widgets_ui(&self, ui: &mut egui::Ui, rect: Rect, model: &Model, actions: &mut Vec<Action>) {
        if model.groups.is_empty() {
            return;
        }
        let z = self.zoom;
        for (i, item) in model.folding.items.iter().enumerate() {
            let Item::Group(gid) = *item else { continue };
            let r = Rect::from_center_size(self.screen_from_layout(rect, model.layout.positions[i]), GROUP * z);
            if !rect.contains_rect(r) || r.width() < 16.0 {
                continue;
            }
            let path = model.groups.group(gid).path.clone();
            let resp = ui.interact(r, ui.scope_id().with(("backprop_group_box", gid)), Sense::click());
            resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, format!("unfold {path}")));
            if resp.clicked() {
                actions.push(Action::Fold(gid, false));
            }
            resp.on_hover_cursor(egui::CursorIcon::PointingHand);
        }
        for &Frame { group: gid, min, max } in &self.frames.frames {
            let min = self.screen_from_layout(rect, min);
            let max = self.screen_from_layout(rect, max);
            let header = Rect::from_min_size(min, vec2((max.x - min.x).min(140.0 * z.max(0.5)), FRAME_HEADER * z));
            if !rect.contains_rect(header) || header.height() < 6.0 {
                continue;
            }
            let path = model.groups.group(gid).path.clone();
            let resp = ui.interact(header, ui.scope_id().with(("backprop_group_frame", gid)), Sense::click());
            resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, format!("fold {path}")));
            if resp.clicked() {
                actions.push(Action::Fold(gid, true));
            }
            resp.on_hover_cursor(egui::CursorIcon::PointingHand).on_hover_text("Fold this group into one box");
        }
    }

    /// A selected input's value becomes a field on its card: edit it in place, watch the graph follow.
    fn leaf_editor_ui(
        &self,
        ui: &mut egui::Ui,
        rect: Rect,
        model: &Model,
        settings: &Settings,
        actions: &mut Vec<Action>,
    ) {
        let Some(sel) = settings.selected.map(NodeId).filter(|s| s.index() < model.graph.len()) else { return };
        if !model.is_drawn(sel) {
            return;
        }
        let Some((name, _)) = model.inputs.iter().find(|(_, n)| *n == sel) else { return };
        let Some(mut v) = model.input_value(name) else { return };
        if self.zoom < TEXT_ZOOM {
            return;
        }
        // over the card's value line: the number itself becomes editable
        let centre = self.screen_from_layout(rect, model.layout.positions[model.item_of(sel)]);
        let field = Rect::from_center_size(centre + vec2(0.0, 3.0 * self.zoom), vec2(NODE.x * self.zoom - 10.0, 20.0));
        if !rect.contains_rect(field) || field.width() < 40.0 {
            return;
        }
        let r = ui.put(field, egui::DragValue::new(&mut v).speed(0.05).max_decimals(6));
        let label = format!("{name} on the graph");
        ui.ctx().accesskit_node_builder(r.id, |node| node.set_label(label));
        if r.changed() {
            actions.push(Action::SetInput(name.clone(), v));
        }
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, model: &Model, settings: &Settings, actions: &mut Vec<Action>) {
        // at 300 % the wrapped rows would take the canvas's whole height: the controls fold into one menu
        let folded = ui.available_height() < TOOLBAR_FOLD.y || ui.available_width() < TOOLBAR_FOLD.x;
        // wraps at a projector's zoom (or beside a wide program panel) instead of printing one label over another
        ui.horizontal_wrapped(|ui| {
            if ui.button("Fit").on_hover_text("Fit the graph to the window").clicked() {
                self.request_fit();
            }
            if folded {
                ui.menu_button("Graph", |ui| self.toolbar_items_ui(ui, model, settings, actions))
                    .response
                    .on_hover_text("Expand, export, fold and follow");
                let zoom = format!("zoom {:.0}%", self.zoom * 100.0);
                ui.add(egui::Label::new(egui::RichText::new(zoom).weak()).extend());
                return;
            }
            self.toolbar_items_ui(ui, model, settings, actions);
            ui.separator();
            // each moves to the next row whole rather than breaking across two
            let p = Palette::of(ui);
            let size = format!("{} nodes · zoom {:.0}%", model.graph.len(), self.zoom * 100.0);
            ui.add(egui::Label::new(egui::RichText::new(size).weak()).extend());
            ui.add(egui::Label::new(egui::RichText::new("value").color(p.forward)).extend());
            ui.add(egui::Label::new(egui::RichText::new("gradient ∂f/∂node").color(p.backward)).extend());
            // the key to a number ending in `…` on a card or a box
            ui.add(egui::Label::new(egui::RichText::new("0.25… so far").color(p.partial)).extend()).on_hover_text(
                "A gradient ending in … is the sum so far: more uses of that value still send their shares (+=)",
            );
        });
    }

    /// The toolbar's controls after Fit: in the row, or in the Graph menu when the canvas is small.
    fn toolbar_items_ui(&mut self, ui: &mut egui::Ui, model: &Model, settings: &Settings, actions: &mut Vec<Action>) {
        let mut expanded = settings.expanded;
        let can_expand = model.program.graph.has_fused();
        if ui
            .add_enabled(can_expand || expanded, egui::Checkbox::new(&mut expanded, "Expand fused gates"))
            .on_hover_text("Show sigmoid, tanh, softplus and selu as the primitive gates they are made of")
            .changed()
        {
            actions.push(Action::SetExpanded(expanded));
        }
        ui.menu_button("Export", |ui| {
            if ui.button("DOT file…").on_hover_text("Write the graph as Graphviz DOT text").clicked() {
                actions.push(Action::ChooseDot);
                ui.close();
            }
            if ui.button("PNG image…").on_hover_text("Save the graph area as a picture").clicked() {
                actions.push(Action::ChoosePng);
                ui.close();
            }
        });
        if !model.groups.is_empty() {
            ui.separator();
            if ui
                .add_enabled(model.folded.iter().any(|&f| !f), egui::Button::new("Fold all"))
                .on_hover_text(format!(
                    "Fold every group (a layer, a neuron) into one box; click a box to open it.\n{GROUPS_RULE}"
                ))
                .clicked()
            {
                actions.push(Action::FoldAll(true));
            }
            if ui
                .add_enabled(model.folded.iter().any(|&f| f), egui::Button::new("Unfold all"))
                .on_hover_text("Show every node")
                .clicked()
            {
                actions.push(Action::FoldAll(false));
            }
        }
        if model.groups.is_empty() && model.graph.len() > FOLD_ABOVE {
            ui.weak("tip: dotted names fold").on_hover_text(GROUPS_RULE);
        }
        let mut follow = self.follows(model);
        if ui
            .checkbox(&mut follow, "Follow")
            .on_hover_text("While stepping, the camera follows the current node and its neighbours")
            .changed()
        {
            self.set_follow(follow);
        }
    }

    fn item_at(&self, rect: Rect, model: &Model, p: Pos2) -> Option<usize> {
        let at = self.layout_from_screen(rect, p);
        model.layout.positions.iter().enumerate().find_map(|(i, &c)| {
            let h = item_size(model, i) * 0.5;
            ((at[0] - c[0]).abs() <= h.x && (at[1] - c[1]).abs() <= h.y).then_some(i)
        })
    }

    fn paint(
        &self,
        painter: &egui::Painter,
        rect: Rect,
        model: &Model,
        known: &Known,
        settings: &Settings,
        p: Palette,
    ) {
        painter.rect_filled(rect, 0.0, p.canvas);
        self.paint_grid(painter, rect, p);
        let z = self.zoom;
        let step = model.step_at(settings.cursor);
        let current = step.map(|s| model.step_node(s));
        let current_item = current.map(|c| model.item_of(c));
        let clip = rect.expand(40.0);
        let text = z >= TEXT_ZOOM;
        let edge_labels = z >= EDGE_LABEL_ZOOM;
        let g = &model.graph;
        let items = &model.folding.items;
        // the node whose value and gradient an item shows
        let shown = |i: usize| -> Option<NodeId> {
            match items[i] {
                Item::Node(n) => Some(n),
                Item::Group(gid) => model.group_outputs.get(gid as usize).and_then(|o| (o.1 == 1).then_some(o.0)?),
            }
        };

        self.paint_frames(painter, rect, model, current, p);

        if !text {
            self.paint_far(painter, rect, model, known, current_item, p);
        } else {
            self.paint_wires(painter, rect, model, known, step, current, p, edge_labels);
        }

        // the frames' titles over the wires, on the canvas's colour: no wire strikes one through
        self.paint_frame_titles(painter, rect, model, p);

        // the output's stub wire, carrying f and ∂f/∂f = 1
        let out = model.output.index();
        let out_item = model.item_of(model.output);
        if let Some(&pos) = model.layout.positions.get(out_item) {
            let s = self.screen_from_layout(rect, pos) + vec2(item_size(model, out_item).x * 0.5 * z, 0.0);
            let t = s + vec2(STUB * z, 0.0);
            let color = if known.touched[out] { p.backward.gamma_multiply(0.55) } else { p.edge };
            painter.line_segment([s, t], Stroke::new(1.6 * z.clamp(0.5, 1.3), color));
            arrow(painter, t, 7.0 * z.clamp(0.5, 1.3), color);
            if edge_labels && text {
                let mid = pos2((s.x + t.x) * 0.5, s.y);
                if known.value[out] {
                    label_on_wire(
                        painter,
                        mid - vec2(0.0, 9.0 * z),
                        &short(g.value(model.output)),
                        13.0 * z,
                        p.forward,
                        p.canvas,
                    );
                }
                if known.touched[out] {
                    label_on_wire(painter, mid + vec2(0.0, 9.0 * z), "1", 13.0 * z, p.backward, p.canvas);
                }
            }
        }

        // cards and boxes
        if text {
            for (i, &c) in model.layout.positions.iter().enumerate() {
                let centre = self.screen_from_layout(rect, c);
                let r = Rect::from_center_size(centre, item_size(model, i) * z);
                if !r.intersects(clip) {
                    continue;
                }
                match items[i] {
                    Item::Node(id) => self.paint_card(painter, r, model, known, id, current == Some(id), settings, p),
                    Item::Group(gid) => {
                        self.paint_box(painter, r, model, known, gid, shown(i), current_item == Some(i), p)
                    }
                }
            }
        }

        // Zoomed too far out to read the cards: the current node still gets a readable callout.
        if let (false, Some(id), Some(ci)) = (text, current, current_item) {
            let i = id.index();
            let at = self.screen_from_layout(rect, model.layout.positions[ci]) - vec2(0.0, NODE.y * 0.5 * z + 6.0);
            let mut job = egui::text::LayoutJob::default();
            let font = FontId::monospace(13.0);
            let mut add =
                |t: String, color: Color32| job.append(&t, 0.0, egui::TextFormat::simple(font.clone(), color));
            if let Item::Group(gid) = items[ci] {
                add(format!("{}: ", model.groups.group(gid).path), p.muted);
            }
            add(format!("{} ", explain::name(g, id)), p.text);
            if known.value[i] {
                add(short(g.value(id)), p.forward);
            }
            if known.touched[i] {
                add(format!("  {}", short(known.grad[i])), p.backward);
            }
            let galley = painter.layout_job(job);
            let r = Rect::from_min_size(
                at - vec2(galley.size().x * 0.5 + 6.0, galley.size().y + 6.0),
                galley.size() + vec2(12.0, 6.0),
            );
            painter.rect(r, 4.0, p.node_fill, Stroke::new(1.5, p.highlight), egui::StrokeKind::Inside);
            painter.galley(r.min + vec2(6.0, 3.0), galley, p.text);
        }
    }

    /// The frames of unfolded groups, outer first: outlined, the outer ones filled.
    fn paint_frames(&self, painter: &egui::Painter, rect: Rect, model: &Model, current: Option<NodeId>, p: Palette) {
        let z = self.zoom;
        let clip = rect.expand(40.0);
        for f in &self.frames.frames {
            let r = Rect::from_min_max(self.screen_from_layout(rect, f.min), self.screen_from_layout(rect, f.max));
            if !r.intersects(clip) {
                continue;
            }
            let nested = model.groups.group(f.group).depth > 0;
            let holds_current = current.is_some_and(|c| model.groups.contains(f.group, c));
            let stroke = if holds_current {
                p.highlight.gamma_multiply(0.7)
            } else {
                p.node_stroke.gamma_multiply(if nested { 0.35 } else { 0.6 })
            };
            // only the outer frames are filled: unfolded neurons of one layer overlap (their chains run diagonally),
            // and stacked fills would grey the whole layer
            let fill = if nested { Color32::TRANSPARENT } else { p.grid.gamma_multiply(0.18) };
            painter.rect(r, (8.0 * z).clamp(1.0, 10.0), fill, Stroke::new(1.0, stroke), egui::StrokeKind::Inside);
        }
    }

    /// Each frame's title (`− l1.n0`) in its header, on a patch of the canvas's colour, readable even far out while
    /// the frame is wide enough for it.
    fn paint_frame_titles(&self, painter: &egui::Painter, rect: Rect, model: &Model, p: Palette) {
        let z = self.zoom;
        let size = (13.0 * z).max(10.0);
        for f in &self.frames.frames {
            let r = Rect::from_min_max(self.screen_from_layout(rect, f.min), self.screen_from_layout(rect, f.max));
            if !r.intersects(rect) || r.width() <= size * 3.0 {
                continue;
            }
            let galley = painter.layout_no_wrap(
                format!("− {}", model.groups.group(f.group).path),
                FontId::proportional(px(size)),
                p.muted,
            );
            let at = r.min + vec2(6.0 * z, 3.0 * z);
            let patch = Rect::from_min_size(at, galley.size()).expand2(vec2(3.0, 1.0));
            painter.rect_filled(patch.intersect(r), 3.0, p.canvas);
            painter.galley(at, galley, p.muted);
        }
    }

    /// Wires at a readable zoom: curves with arrows, and the numbers they carry when there is one edge behind them.
    #[allow(clippy::too_many_arguments)]
    fn paint_wires(
        &self,
        painter: &egui::Painter,
        rect: Rect,
        model: &Model,
        known: &Known,
        step: Option<Step>,
        current: Option<NodeId>,
        p: Palette,
        edge_labels: bool,
    ) {
        let z = self.zoom;
        let clip = rect.expand(40.0);
        let g = &model.graph;
        let mut pts: Vec<Pos2> = Vec::with_capacity(8);
        for route in &model.layout.edges {
            let fe = &model.folding.edges[route.index];
            let (ia, ib) = (fe.from, fe.to);
            let start =
                self.screen_from_layout(rect, model.layout.positions[ia]) + vec2(item_size(model, ia).x * 0.5 * z, 0.0);
            let head = model.layout.positions[ib];
            let single = (fe.edges.len() == 1).then(|| &model.edges[fe.edges[0] as usize]);
            let dy = match (single, model.folding.items[ib]) {
                (Some(e), Item::Node(to)) if g.op(to).operands().count() == 2 => {
                    (e.position as f32 - 0.5) * 0.44 * NODE.y
                }
                _ => 0.0,
            };
            let end = self.screen_from_layout(rect, head) + vec2(-item_size(model, ib).x * 0.5 * z, dy * z);
            pts.clear();
            pts.push(start);
            pts.extend(route.via.iter().map(|&v| self.screen_from_layout(rect, v)));
            pts.push(end);
            if !Rect::from_points(&pts).intersects(clip) {
                continue;
            }
            let infos = fe.edges.iter().map(|&k| &model.edges[k as usize]);
            let highlighted = match step {
                Some(Step::Forward(_)) => infos.clone().any(|e| current == Some(e.to)),
                Some(Step::Backward(_)) => infos.clone().any(|e| current == Some(e.to) && e.backward.is_some()),
                None => false,
            };
            let sent = infos.clone().any(|e| e.backward.is_some_and(|(s, _)| s < known.backward_done));
            let valued = infos.clone().any(|e| known.value[e.from.index()]);
            let color = if highlighted {
                p.highlight
            } else if sent {
                p.backward.gamma_multiply(0.55)
            } else if valued {
                p.forward.gamma_multiply(0.55)
            } else {
                p.edge
            };
            // between two folded boxes (a layer's neurons to the next layer's) a wire is one of many: drawn faint
            let between_boxes =
                matches!(model.folding.items[ia], Item::Group(_)) && matches!(model.folding.items[ib], Item::Group(_));
            let (color, width) = if between_boxes && !highlighted {
                (color.gamma_multiply(0.35), 1.0)
            } else {
                (color, if highlighted { 3.0 } else { 1.6 })
            };
            let width = width * z.clamp(0.5, 1.3);
            // only the stretches near the view: a long wire through it is a few of its many segments
            let mut start_seg = 0;
            for k in 0..pts.len() {
                let near = k + 1 < pts.len() && Rect::from_two_pos(pts[k], pts[k + 1]).intersects(clip);
                if !near {
                    if k > start_seg {
                        painter.add(Shape::line(smooth_route(&pts[start_seg..=k]), Stroke::new(width, color)));
                    }
                    start_seg = k + 1;
                }
            }
            if clip.contains(end) {
                arrow(painter, end, 7.0 * z.clamp(0.5, 1.3), color);
            }
            let Some(e) = single else { continue };
            // a box shows its own numbers: a wire to or from one is labelled only while it is the current step's
            let boxed =
                matches!(model.folding.items[ia], Item::Group(_)) || matches!(model.folding.items[ib], Item::Group(_));
            if edge_labels && g.op(e.from) != Op::Const && (!boxed || highlighted) {
                let s = pts[pts.len() - 2];
                let mid = pos2((s.x + end.x) * 0.5, (s.y + end.y) * 0.5);
                let size = 14.0 * z;
                if known.value[e.from.index()] {
                    label_on_wire(
                        painter,
                        mid - vec2(0.0, 9.0 * z),
                        &short(g.value(e.from)),
                        size,
                        p.forward,
                        p.canvas,
                    );
                }
                if let Some((s, c)) = e.backward
                    && s < known.backward_done
                {
                    label_on_wire(painter, mid + vec2(0.0, 9.0 * z), &short(c), size, p.backward, p.canvas);
                }
            }
        }
    }

    /// Far out (no text): every wire as straight segments and every card as a plain rectangle, in two meshes, which
    /// cost almost nothing to tessellate even for 10 000 nodes.
    fn paint_far(
        &self,
        painter: &egui::Painter,
        rect: Rect,
        model: &Model,
        known: &Known,
        current_item: Option<usize>,
        p: Palette,
    ) {
        let z = self.zoom;
        let clip = rect.expand(20.0);
        let mut wires = egui::Mesh::default();
        let width = (1.2 * z).clamp(0.6, 1.2);
        for route in &model.layout.edges {
            let fe = &model.folding.edges[route.index];
            let e = &model.edges[fe.edges[0] as usize];
            let sent = e.backward.is_some_and(|(s, _)| s < known.backward_done);
            let color = if sent {
                p.backward.gamma_multiply(0.45)
            } else if known.value[e.from.index()] {
                p.forward.gamma_multiply(0.45)
            } else {
                p.edge
            };
            let mut prev = self.screen_from_layout(rect, model.layout.positions[fe.from]);
            let last = self.screen_from_layout(rect, model.layout.positions[fe.to]);
            for q in route.via.iter().map(|&v| self.screen_from_layout(rect, v)).chain(std::iter::once(last)) {
                if clip.contains(prev) || clip.contains(q) {
                    segment(&mut wires, prev, q, width, color);
                }
                prev = q;
            }
        }
        painter.add(Shape::mesh(wires));
        let mut cards = egui::Mesh::default();
        for (i, &c) in model.layout.positions.iter().enumerate() {
            let r = Rect::from_center_size(self.screen_from_layout(rect, c), item_size(model, i) * z);
            if !r.intersects(clip) {
                continue;
            }
            if let Item::Group(gid) = model.folding.items[i] {
                // few boxes: each drawn with an outline, and its short name while there is room for it
                let stroke = Stroke::new(1.0, p.node_stroke);
                painter.rect(r, 2.0, p.node_fill, stroke, egui::StrokeKind::Inside);
                if r.height() >= 13.0 {
                    let name = model.groups.group(gid).short_name();
                    let size = (r.height() * 0.55).min(12.0);
                    painter.text(r.center(), egui::Align2::CENTER_CENTER, name, FontId::proportional(px(size)), p.text);
                }
                continue;
            }
            if let Item::Node(id) = model.folding.items[i]
                && r.height() >= 13.0
                && model.graph.op(id) != Op::Const
            {
                // still room for a word: outlined, with its name (or its gate)
                let fill = if model.graph.op(id) == Op::Leaf { p.input_fill } else { p.node_fill };
                painter.rect(r, 2.0, fill, Stroke::new(1.0, p.node_stroke), egui::StrokeKind::Inside);
                let word = match model.graph.label(id) {
                    Some(l) => fit_name(l, 8),
                    None => gate_symbol(model.graph.op(id)),
                };
                let size = (r.height() * 0.5).min(11.0);
                painter.text(r.center(), egui::Align2::CENTER_CENTER, word, FontId::proportional(px(size)), p.text);
                continue;
            }
            let fill = match model.folding.items[i] {
                Item::Group(_) => p.node_stroke,
                Item::Node(id) => match model.graph.op(id) {
                    Op::Leaf => p.input_fill,
                    Op::Const => p.grid,
                    _ if known.touched[id.index()] => p.backward.gamma_multiply(0.6),
                    _ if known.value[id.index()] => p.forward.gamma_multiply(0.5),
                    _ => p.node_fill,
                },
            };
            cards.add_colored_rect(r, fill);
        }
        painter.add(Shape::mesh(cards));
        if let Some(ci) = current_item {
            let r = Rect::from_center_size(
                self.screen_from_layout(rect, model.layout.positions[ci]),
                item_size(model, ci) * z,
            );
            painter.rect_stroke(r.expand(3.0), 2.0, Stroke::new(2.0, p.highlight), egui::StrokeKind::Outside);
        }
    }

    /// One node's card.
    #[allow(clippy::too_many_arguments)]
    fn paint_card(
        &self,
        painter: &egui::Painter,
        r: Rect,
        model: &Model,
        known: &Known,
        id: NodeId,
        is_current: bool,
        settings: &Settings,
        p: Palette,
    ) {
        let z = self.zoom;
        let g = &model.graph;
        let i = id.index();
        let centre = r.center();
        let op = g.op(id);
        let selected = settings.selected == Some(id.0);
        let fill = match op {
            Op::Leaf => p.input_fill,
            Op::Const => p.canvas,
            _ => p.node_fill,
        };
        let rounding = (10.0 * z).clamp(1.0, 12.0);
        if is_current {
            painter.rect_filled(r.expand(5.0 * z.min(1.0)), rounding + 4.0, p.highlight.gamma_multiply(0.25));
        }
        let stroke = if is_current {
            Stroke::new(2.5, p.highlight)
        } else if model.non_finite.as_ref().is_some_and(|t| t.node == id) {
            Stroke::new(2.5, p.error)
        } else if selected {
            Stroke::new(2.0, p.text)
        } else {
            Stroke::new(1.0, p.node_stroke)
        };
        if op != Op::Const {
            let shadow = egui::epaint::Shadow { offset: [0, 2], blur: 8, spread: 0, color: p.shadow };
            painter.add(shadow.as_shape(r, rounding));
        }
        painter.rect(r, rounding, fill, stroke, egui::StrokeKind::Inside);
        let f = |s: f32| FontId::proportional(px(s * z));
        let m = |s: f32| FontId::monospace(px(s * z));
        match op {
            Op::Const => {
                painter.text(centre, egui::Align2::CENTER_CENTER, short(g.value(id)), m(13.0), p.muted);
                return;
            }
            Op::Leaf => {
                painter.text(
                    centre - vec2(0.0, 17.0 * z),
                    egui::Align2::CENTER_CENTER,
                    fit_name(&explain::name(g, id), 11),
                    f(if explain::name(g, id).chars().count() > 8 { 13.0 } else { 17.0 }),
                    p.text,
                );
            }
            _ => {
                painter.text(
                    centre - vec2(0.0, 17.0 * z),
                    egui::Align2::CENTER_CENTER,
                    gate_symbol(op),
                    f(17.0),
                    p.muted,
                );
                // the name the explanation uses: the program's, or op#index
                let (name, color) = match g.label(id) {
                    Some(l) => (l.to_owned(), p.text),
                    None => (explain::name(g, id), p.muted),
                };
                painter.text(r.center_top() - vec2(0.0, 3.0 * z), egui::Align2::CENTER_BOTTOM, name, f(14.0), color);
            }
        }
        let out = model.output.index();
        if known.value[i] {
            painter.text(
                centre + vec2(0.0, 3.0 * z),
                egui::Align2::CENTER_CENTER,
                short(g.value(id)),
                m(15.0),
                p.forward,
            );
        }
        if known.touched[i] {
            let color = if known.complete[i] || i == out { p.backward } else { p.partial };
            let mut s = short(known.grad[i]);
            if !(known.complete[i] || i == out) {
                s.push('…');
            }
            painter.text(centre + vec2(0.0, 20.0 * z), egui::Align2::CENTER_CENTER, s, m(15.0), color);
        }
    }

    /// A folded group's box: a stack of cards, its name above, its size, and its output's value and gradient (a
    /// group with several outputs, a layer, says how many).
    #[allow(clippy::too_many_arguments)]
    fn paint_box(
        &self,
        painter: &egui::Painter,
        r: Rect,
        model: &Model,
        known: &Known,
        gid: u32,
        shown: Option<NodeId>,
        is_current: bool,
        p: Palette,
    ) {
        let z = self.zoom;
        let group = model.groups.group(gid);
        let rounding = (10.0 * z).clamp(1.0, 12.0);
        if is_current {
            painter.rect_filled(r.expand(6.0 * z.min(1.0)), rounding + 4.0, p.highlight.gamma_multiply(0.25));
        }
        // the cards folded behind it
        for k in [2.0, 1.0] {
            let back = r.translate(vec2(3.0, -3.0) * k * z);
            painter.rect(back, rounding, p.node_fill, Stroke::new(1.0, p.node_stroke), egui::StrokeKind::Inside);
        }
        let shadow = egui::epaint::Shadow { offset: [0, 2], blur: 8, spread: 0, color: p.shadow };
        painter.add(shadow.as_shape(r, rounding));
        let stroke = if is_current { Stroke::new(2.5, p.highlight) } else { Stroke::new(1.5, p.node_stroke) };
        painter.rect(r, rounding, p.node_fill, stroke, egui::StrokeKind::Inside);
        let f = |s: f32| FontId::proportional(px(s * z));
        let m = |s: f32| FontId::monospace(px(s * z));
        let centre = r.center();
        // its name inside (the stack says it is folded); a group of several outputs (a layer, over a batch) says
        // what it holds where a neuron shows its numbers
        painter.text(centre - vec2(0.0, 17.0 * z), egui::Align2::CENTER_CENTER, &group.path, f(14.0), p.text);
        if shown.is_none() {
            let (first, second) = box_caption(model, gid);
            painter.text(centre + vec2(0.0, 3.0 * z), egui::Align2::CENTER_CENTER, first, f(12.0), p.muted);
            painter.text(centre + vec2(0.0, 20.0 * z), egui::Align2::CENTER_CENTER, second, f(12.0), p.muted);
        }
        if let Some(id) = shown {
            let i = id.index();
            if known.value[i] {
                painter.text(
                    centre + vec2(0.0, 3.0 * z),
                    egui::Align2::CENTER_CENTER,
                    short(model.graph.value(id)),
                    m(15.0),
                    p.forward,
                );
            }
            if known.touched[i] {
                let done = known.complete[i] || id == model.output;
                let mut s = short(known.grad[i]);
                if !done {
                    s.push('…');
                }
                let color = if done { p.backward } else { p.partial };
                painter.text(centre + vec2(0.0, 20.0 * z), egui::Align2::CENTER_CENTER, s, m(15.0), color);
            }
        }
    }

    fn paint_grid(&self, painter: &egui::Painter, rect: Rect, p: Palette) {
        let mut step = 40.0 * self.zoom;
        while step < 24.0 {
            step *= 2.0;
        }
        let origin = rect.center() + self.pan;
        let x0 = origin.x - ((origin.x - rect.left()) / step).floor() * step;
        let y0 = origin.y - ((origin.y - rect.top()) / step).floor() * step;
        // one mesh of tiny squares: nothing to tessellate
        let mut mesh = egui::Mesh::default();
        let mut y = y0;
        while y < rect.bottom() {
            let mut x = x0;
            while x < rect.right() {
                mesh.add_colored_rect(Rect::from_center_size(pos2(x, y), vec2(2.0, 2.0)), p.grid);
                x += step;
            }
            y += step;
        }
        painter.add(Shape::mesh(mesh));
    }
}

/// How a gate is drawn in its card: `+`, `×`, `exp`, `σ`.
fn gate_symbol(op: Op) -> String {
    use crate::scalar::{Binary, Unary};
    match op {
        Op::Binary(Binary::Mul, _, _) => "×".into(),
        Op::Binary(Binary::Div, _, _) => "÷".into(),
        Op::Binary(Binary::Sub, _, _) => "−".into(),
        Op::Unary(Unary::Neg, _) => "−x".into(),
        Op::Unary(Unary::Sigmoid, _) => "σ".into(),
        other => other.short().to_owned(),
    }
}

/// A wire through its points as one polyline: between consecutive points, a cubic curve leaving and arriving
/// horizontally (sampled at a few points: cheaper to tessellate than Bézier shapes, and the same to the eye).
fn smooth_route(points: &[Pos2]) -> Vec<Pos2> {
    const SAMPLES: usize = 10;
    let mut out = Vec::with_capacity(points.len() * SAMPLES);
    out.push(points[0]);
    for w in points.windows(2) {
        let (s, t) = (w[0], w[1]);
        for k in 1..=SAMPLES {
            let u = k as f32 / SAMPLES as f32;
            // x moves linearly (the control points are at the horizontal midpoint); y eases in and out
            let ease = u * u * (3.0 - 2.0 * u);
            out.push(pos2(s.x + (t.x - s.x) * u, s.y + (t.y - s.y) * ease));
        }
    }
    out
}

/// Numbers on the canvas: 3 significant digits (the panels show 6).
/// A number for a card or a wire: 3 significant digits, more where 3 would round a number that is not whole to a
/// whole one (σ(10) = 0.999955 is "0.99995", not "1": a saturated sigmoid must not read as exactly 1).
fn short(v: f64) -> String {
    let mut sig = 3;
    let mut s = fmt_sig(v, sig);
    while sig < 8 && v.is_finite() && v.fract() != 0.0 && s.parse::<f64>().is_ok_and(|r| r.fract() == 0.0) {
        sig += 1;
        s = fmt_sig(v, sig);
    }
    s
}

fn arrow(painter: &egui::Painter, tip: Pos2, size: f32, color: Color32) {
    painter.add(Shape::convex_polygon(
        vec![tip, tip + vec2(-size, -size * 0.5), tip + vec2(-size, size * 0.5)],
        color,
        Stroke::NONE,
    ));
}

/// A number on a wire, on a small patch of the background so the wire does not cross it.
fn label_on_wire(painter: &egui::Painter, at: Pos2, text: &str, size: f32, color: Color32, bg: Color32) {
    let galley = painter.layout_no_wrap(text.to_owned(), FontId::monospace(px(size)), color);
    let r = Rect::from_center_size(at, galley.size() + vec2(4.0, 0.0));
    painter.rect_filled(r, 2.0, bg);
    painter.galley(r.min + vec2(2.0, 0.0), galley, color);
}

/// A text size rounded to a whole point: while the camera glides the zoom changes every frame, and each new size
/// would have its glyphs rasterized anew.
fn px(size: f32) -> f32 {
    size.round().max(1.0)
}

/// An item's size in layout units.
fn item_size(model: &Model, item: usize) -> Vec2 {
    match model.folding.items.get(item) {
        Some(Item::Group(_)) => GROUP,
        Some(Item::Node(id)) if model.graph.op(*id) == Op::Const => CONST,
        _ => NODE,
    }
}

/// The number of nodes a group holds (nested groups' included). O(nodes).
fn group_size(model: &Model, gid: u32) -> usize {
    model.graph.ids().filter(|&id| model.groups.contains(gid, id)).count()
}

/// A node's numbers as far as the timeline has reached: its value once its forward step is done, its gradient once
/// a share has reached it (`so far` until every use has sent one), `?` before.
fn numbers_known(model: &Model, known: &Known, id: NodeId) -> String {
    let i = id.index();
    let value = if known.value[i] { fmt_num(model.graph.value(id)) } else { "?".to_owned() };
    let gradient = if known.complete[i] || (known.touched[i] && id == model.output) {
        fmt_num(known.grad[i])
    } else if known.touched[i] {
        format!("{} so far", fmt_num(known.grad[i]))
    } else {
        "?".to_owned()
    };
    format!("value {value}   gradient {gradient}")
}

/// What hovering a node says: how it is computed (with its numbers once the forward pass has reached it) and its
/// value and gradient as far as the timeline has reached, never ahead of the cards.
pub fn node_tooltip(model: &Model, known: &Known, id: NodeId) -> String {
    let g = &model.graph;
    let formula = if known.value[id.index()] { explain::forward_text(g, id) } else { explain::formula_text(g, id) };
    format!("{formula}\n{}", numbers_known(model, known, id))
}

/// What a folded box's tooltip says: its name, its size and its output's numbers as far as the timeline has reached.
fn group_tooltip(model: &Model, known: &Known, gid: u32) -> String {
    let g = &model.graph;
    let mut s = format!("{}: {} nodes, folded (click to unfold)", model.groups.group(gid).path, group_size(model, gid));
    match model.group_outputs.get(gid as usize) {
        Some(&(Some(out), 1)) => {
            s.push_str(&format!("\noutput {}: {}", explain::name(g, out), numbers_known(model, known, out)));
        }
        Some(&(_, k)) if k > 1 => {
            let (first, second) = box_caption(model, gid);
            s.push_str(&format!("\n{first}, {second}"));
        }
        _ => {}
    }
    s
}

/// What a folded box with several outputs says in place of the numbers, in two lines: how many groups it holds
/// (`16 groups`, a layer's neurons; `12 nodes` without) and how many values leave it (`256 outputs`: 16 neurons
/// over a batch of 16 rows).
fn box_caption(model: &Model, gid: u32) -> (String, String) {
    let children = model.groups.groups().iter().filter(|k| k.parent == Some(gid)).count();
    let first = match children {
        0 => format!("{} nodes", group_size(model, gid)),
        1 => "1 group".to_owned(),
        k => format!("{k} groups"),
    };
    let outputs = model.group_outputs.get(gid as usize).map_or(0, |o| o.1);
    (first, if outputs == 1 { "1 output".to_owned() } else { format!("{outputs} outputs") })
}

/// A long name shortened to its last characters (`…n12.w3`).
fn fit_name(name: &str, max: usize) -> String {
    let count = name.chars().count();
    if count <= max {
        return name.to_owned();
    }
    let tail: String = name.chars().skip(count - (max - 1)).collect();
    format!("…{tail}")
}

/// A straight segment as a quad in a mesh.
fn segment(mesh: &mut egui::Mesh, a: Pos2, b: Pos2, width: f32, color: Color32) {
    let d = b - a;
    let len = d.length();
    if len < 0.5 {
        return;
    }
    let n = vec2(-d.y, d.x) / len * (width * 0.5);
    let i = mesh.vertices.len() as u32;
    for p in [a + n, a - n, b - n, b + n] {
        mesh.colored_vertex(p, color);
    }
    mesh.add_triangle(i, i + 1, i + 2);
    mesh.add_triangle(i, i + 2, i + 3);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_card_never_rounds_a_number_to_a_whole_one_it_is_not() {
        // σ(10) = 0.9999546: a saturated sigmoid must not read as exactly 1
        assert_eq!(short(1.0 / (1.0 + (-10.0f64).exp())), "0.99995");
        assert_eq!(short(0.1966119332), "0.197");
        assert_eq!(short(-12.0), "-12");
        assert_eq!(short(2.0004), "2.0004");
    }

    #[test]
    fn a_tooltip_shows_what_the_timeline_has_reached() {
        let mut m = Model::build("x = -2\ny = 5\nz = -4\nq = x + y\nf = q * z", &BTreeMap::new(), false).unwrap();
        let q = NodeId(3);
        // q = 3 and ∂f/∂q = -4 are known only after q's forward step (the 4th) and f's backward step (the 6th)
        let at = |m: &mut Model, c: usize| {
            m.known(c);
            node_tooltip(m, m.known_cached().unwrap(), q)
        };
        assert_eq!(at(&mut m, 0), "q = x + y\nvalue ?   gradient ?");
        assert_eq!(at(&mut m, 5), "q = x + y = (-2) + 5 = 3\nvalue 3   gradient ?");
        assert_eq!(at(&mut m, 6), "q = x + y = (-2) + 5 = 3\nvalue 3   gradient -4");
    }
}
