//! The graph canvas, drawn as cs231n draws its circuits: inputs on the left, the output on the right, each node a
//! card with its name and gate, its value in green once the forward pass reaches it and its gradient in red once the
//! backward pass does; each wire carries the value flowing forward and the gradient flowing back. The current step's
//! node and wires are highlighted. Pan by dragging, zoom with the wheel or a pinch; the layout is computed once per
//! program (in `crate::layout`) and only transformed here.

use eframe::egui::{self, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, Vec2, pos2, vec2};

use super::model::{Model, Step};
use super::{Action, Settings};
use crate::app::theme::Palette;
use crate::scalar::explain::fmt_sig;
use crate::scalar::{NodeId, Op, explain, fmt_num};

/// A node card's size in layout units.
const NODE: Vec2 = vec2(88.0, 62.0);
/// A constant's (smaller) card.
const CONST: Vec2 = vec2(48.0, 28.0);
/// Below this zoom the wires' numbers are hidden; below [`TEXT_ZOOM`] all text is.
const EDGE_LABEL_ZOOM: f32 = 0.42;
/// Below this zoom only the cards are drawn.
const TEXT_ZOOM: f32 = 0.28;
/// The output's stub wire, in layout units.
const STUB: f32 = 62.0;
/// The ring around the node a lesson's question asks about: violet, apart from the current step's amber.
const QUESTION_RING: Color32 = Color32::from_rgb(0x8a, 0x4f, 0xd8);

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
        }
    }
}

impl Canvas {
    /// Fits the graph to the canvas at the next frame.
    pub fn request_fit(&mut self) {
        self.fit_pending = true;
        self.moved = false;
    }

    /// Rings `node` (a lesson's question waits on it) and centres it at the next frame, as far as the graph allows
    /// without cutting any of it off; `None` removes the ring.
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

    /// Zooms about the canvas centre, as the wheel would there (the camera then stays put on resize).
    pub fn zoom_to(&mut self, zoom: f32) {
        let zoom = zoom.clamp(0.03, 4.0);
        self.pan *= zoom / self.zoom;
        self.zoom = zoom;
        self.fit_pending = false;
        self.moved = true;
    }

    /// Where layout point `p` is drawn in a canvas at `rect`.
    pub fn screen_from_layout(&self, rect: Rect, p: [f32; 2]) -> Pos2 {
        rect.center() + self.pan + vec2(p[0], p[1]) * self.zoom
    }

    /// The graph's box in layout units: every card, the names above them and the output's stub.
    fn graph_box(model: &Model) -> Option<(Vec2, Vec2)> {
        let [min, max] = model.layout.bounds;
        min[0].is_finite().then(|| {
            (
                vec2(min[0], min[1]) - NODE * 0.5 - vec2(10.0, 28.0),
                vec2(max[0], max[1]) + NODE * 0.5 + vec2(STUB + 10.0, 10.0),
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
        self.zoom = zx.min(zy).clamp(0.05, 1.25);
        self.pan = -((lo + hi) * 0.5) * self.zoom;
    }

    /// Draws the toolbar and the canvas; returns the canvas's rectangle (for the PNG export).
    pub fn ui(&mut self, ui: &mut egui::Ui, model: &mut Model, settings: &Settings, actions: &mut Vec<Action>) -> Rect {
        self.toolbar_ui(ui, model, settings, actions);
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Graph canvas"));
        let resized = self.last_size != Vec2::ZERO && (self.last_size - rect.size()).length() > 1.0;
        if self.fit_pending || (resized && !self.moved) {
            self.fit(rect, model);
            self.fit_pending = false;
        }
        self.last_size = rect.size();
        if self.centre_pending
            && let Some(p) = self.highlight.and_then(|n| model.layout.positions.get(n.index()))
        {
            self.pan = -vec2(p[0], p[1]) * self.zoom;
            self.keep_graph_in_view(rect, model);
            self.centre_pending = false;
        }

        // pan and zoom
        if response.dragged() {
            self.pan += response.drag_delta();
            self.moved = true;
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
            }
        }
        let hovered_node = response.hover_pos().and_then(|p| self.node_at(rect, model, p));
        if response.clicked() {
            actions.push(Action::Select(hovered_node.map(|n| n.0)));
        }
        if let Some(n) = hovered_node {
            let g = &model.graph;
            let text = format!(
                "{}\nvalue {}   gradient {}",
                explain::forward_text(g, n),
                fmt_num(g.value(n)),
                fmt_num(g.grad(n))
            );
            response.on_hover_text_at_pointer(text);
        }

        let painter = ui.painter_at(rect);
        self.paint(&painter, rect, model, settings, Palette::of(ui));
        if let Some(n) = self.highlight.filter(|n| n.index() < model.layout.positions.len()) {
            let size = Self::node_size(model, n.index()) * self.zoom;
            let mut r = Rect::from_center_size(self.screen_from_layout(rect, model.layout.positions[n.index()]), size);
            r.min.y -= 20.0 * self.zoom; // around the name above the card too
            painter.rect_stroke(
                r.expand(5.0),
                14.0 * self.zoom.min(1.0),
                Stroke::new(3.0, QUESTION_RING),
                egui::StrokeKind::Outside,
            );
        }
        self.leaf_editor_ui(ui, rect, model, settings, actions);
        rect
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
        let Some((name, _)) = model.inputs.iter().find(|(_, n)| *n == sel) else { return };
        let Some(mut v) = model.input_value(name) else { return };
        if self.zoom < TEXT_ZOOM {
            return;
        }
        // over the card's value line: the number itself becomes editable
        let centre = self.screen_from_layout(rect, model.layout.positions[sel.index()]);
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
        ui.horizontal(|ui| {
            if ui.button("Fit").on_hover_text("Fit the graph to the window").clicked() {
                self.request_fit();
            }
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
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let p = Palette::of(ui);
                ui.colored_label(p.backward, "gradient ∂f/∂node");
                ui.colored_label(p.forward, "value");
                ui.weak(format!("{} nodes · zoom {:.0}%", model.graph.len(), self.zoom * 100.0));
            });
        });
    }

    fn node_size(model: &Model, n: usize) -> Vec2 {
        if model.graph.nodes()[n].op == Op::Const { CONST } else { NODE }
    }

    fn node_at(&self, rect: Rect, model: &Model, p: Pos2) -> Option<NodeId> {
        model.layout.positions.iter().enumerate().find_map(|(i, &c)| {
            let r = Rect::from_center_size(self.screen_from_layout(rect, c), Self::node_size(model, i) * self.zoom);
            r.contains(p).then_some(NodeId(i as u32))
        })
    }

    fn paint(&self, painter: &egui::Painter, rect: Rect, model: &mut Model, settings: &Settings, p: Palette) {
        painter.rect_filled(rect, 0.0, p.canvas);
        self.paint_grid(painter, rect, p);
        let z = self.zoom;
        let cursor = settings.cursor;
        let step = model.step_at(cursor);
        let current = step.map(|s| model.step_node(s));
        let known = model.known(cursor).clone();
        let g = &model.graph;
        let clip = rect.expand(40.0);
        let edge_labels = z >= EDGE_LABEL_ZOOM;
        let text = z >= TEXT_ZOOM;

        // wires
        for (route, e) in model.layout.edges.iter().zip(&model.edges) {
            let (a, b) = (e.from.index(), e.to.index());
            let highlighted = match step {
                Some(Step::Forward(_)) => current == Some(e.to),
                Some(Step::Backward(_)) => current == Some(e.to) && e.backward.is_some(),
                None => false,
            };
            let start = self.screen_from_layout(rect, model.layout.positions[a])
                + vec2(Self::node_size(model, a).x * 0.5 * z, 0.0);
            let arity = g.op(e.to).operands().count();
            let dy = if arity == 2 { (e.position as f32 - 0.5) * 0.44 * NODE.y } else { 0.0 };
            let end = self.screen_from_layout(rect, model.layout.positions[b]) + vec2(-NODE.x * 0.5 * z, dy * z);
            let mut pts = vec![start];
            pts.extend(route.via.iter().map(|&v| self.screen_from_layout(rect, v)));
            pts.push(end);
            let bbox = Rect::from_points(&pts);
            if !bbox.intersects(clip) {
                continue;
            }
            let gradient_sent = e.backward.filter(|&(s, _)| s < known.backward_done);
            let color = if highlighted {
                p.highlight
            } else if gradient_sent.is_some() {
                p.backward.gamma_multiply(0.55)
            } else if known.value[a] {
                p.forward.gamma_multiply(0.55)
            } else {
                p.edge
            };
            let width = if highlighted { 3.0 } else { 1.6 } * z.clamp(0.5, 1.3);
            painter.add(Shape::line(smooth_route(&pts), Stroke::new(width, color)));
            arrow(painter, end, 7.0 * z.clamp(0.5, 1.3), color);
            if edge_labels && text && g.op(e.from) != Op::Const {
                let s = pts[pts.len() - 2];
                let mid = pos2((s.x + end.x) * 0.5, (s.y + end.y) * 0.5);
                let size = 14.0 * z;
                if known.value[a] {
                    label_on_wire(
                        painter,
                        mid - vec2(0.0, 9.0 * z),
                        &short(g.value(e.from)),
                        size,
                        p.forward,
                        p.canvas,
                    );
                }
                if let Some((_, c)) = gradient_sent {
                    label_on_wire(painter, mid + vec2(0.0, 9.0 * z), &short(c), size, p.backward, p.canvas);
                }
            }
        }

        // the output's stub wire, carrying f and ∂f/∂f = 1
        let out = model.output.index();
        if let Some(&pos) = model.layout.positions.get(out) {
            let s = self.screen_from_layout(rect, pos) + vec2(NODE.x * 0.5 * z, 0.0);
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

        // cards
        for (i, &c) in model.layout.positions.iter().enumerate() {
            let centre = self.screen_from_layout(rect, c);
            let size = Self::node_size(model, i) * z;
            let r = Rect::from_center_size(centre, size);
            if !r.intersects(clip) {
                continue;
            }
            let id = NodeId(i as u32);
            let op = g.op(id);
            let is_current = current == Some(id);
            let selected = settings.selected == Some(i as u32);
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
            if text && op != Op::Const {
                let shadow = egui::epaint::Shadow { offset: [0, 2], blur: 8, spread: 0, color: p.shadow };
                painter.add(shadow.as_shape(r, rounding));
            }
            painter.rect(r, rounding, fill, stroke, egui::StrokeKind::Inside);
            if !text {
                continue;
            }
            let f = |s: f32| FontId::proportional(s * z);
            let m = |s: f32| FontId::monospace(s * z);
            match op {
                Op::Const => {
                    painter.text(centre, egui::Align2::CENTER_CENTER, short(g.value(id)), m(13.0), p.muted);
                    continue;
                }
                Op::Leaf => {
                    painter.text(
                        centre - vec2(0.0, 17.0 * z),
                        egui::Align2::CENTER_CENTER,
                        explain::name(g, id),
                        f(17.0),
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
                    // the name the explanation uses: the program's, or n<index>
                    let (name, color) = match g.label(id) {
                        Some(l) => (l.to_owned(), p.text),
                        None => (explain::name(g, id), p.muted),
                    };
                    painter.text(
                        r.center_top() - vec2(0.0, 3.0 * z),
                        egui::Align2::CENTER_BOTTOM,
                        name,
                        f(14.0),
                        color,
                    );
                }
            }
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

        // Zoomed too far out to read the cards: the current node still gets a readable callout.
        if let (false, Some(id)) = (text, current) {
            let i = id.index();
            let at = self.screen_from_layout(rect, model.layout.positions[i]) - vec2(0.0, NODE.y * 0.5 * z + 6.0);
            let mut job = egui::text::LayoutJob::default();
            let font = FontId::monospace(13.0);
            let mut add =
                |t: String, color: Color32| job.append(&t, 0.0, egui::TextFormat::simple(font.clone(), color));
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
fn short(v: f64) -> String {
    fmt_sig(v, 3)
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
    let galley = painter.layout_no_wrap(text.to_owned(), FontId::monospace(size), color);
    let r = Rect::from_center_size(at, galley.size() + vec2(4.0, 0.0));
    painter.rect_filled(r, 2.0, bg);
    painter.galley(r.min + vec2(2.0, 0.0), galley, color);
}
