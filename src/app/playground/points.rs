//! Points by hand on the output plot, as ConvNetJS's classifier demo: a click on an empty place adds a training
//! point of the chosen class, a drag moves a point, a right-click deletes one; Ctrl+Z undoes, Ctrl+Shift+Z or Ctrl+Y
//! redoes. The edits and their history are the core's ([`crate::data::PointEdit`], [`crate::data::History`]): this
//! panel turns pointer events into edits of the setup, and the view rebuilds the data from it, keeping the weights.

use eframe::egui::{self, Color32, Pos2, Rect, Stroke};

use super::PlaygroundView;
use super::maps::class_color;
use crate::data::{History, Part, PointEdit};
use crate::nn::playground::Plane;

/// How close (in points of the screen) a press must be to a data point to take it rather than add one.
pub const PICK_RADIUS: f32 = 6.0;

/// The editor's state: the class new points get, the redo stack, a point being dragged, what the last edit did.
#[derive(Debug, Default)]
pub struct PointEditor {
    /// The class a click adds.
    pub class: usize,
    /// Undo and redo.
    pub history: History,
    /// The point under the pointer's drag and where it is now.
    dragging: Option<(Part, usize, Pos2)>,
    /// A sentence for the status line (and whether it is an error), taken once by the view.
    said: Option<(bool, String)>,
}

impl PointEditor {
    /// The sentence the last edit left for the status line, and whether it is an error (taken once).
    pub fn take_message(&mut self) -> Option<(bool, String)> {
        self.said.take()
    }
}

impl PlaygroundView {
    /// Where the plane's point (x, y) was drawn on the output in the last frame (for tests that click there).
    pub fn plane_on_screen(&self, x: f64, y: f64) -> Option<Pos2> {
        Some(super::output::screen_from_plane(&self.pictures.plane?, self.output_rect?, x, y))
    }
}

/// The row above the plot: the class a click adds, Undo and Redo.
pub fn toolbar_ui(ui: &mut egui::Ui, view: &mut PlaygroundView) {
    if !view.data.is_plane() {
        return;
    }
    let classes = view.data.classes.len();
    ui.horizontal_wrapped(|ui| {
        if view.data.train.is_regression() {
            ui.label("Drag moves a point").on_hover_text(
                "A regression set's values come from its formula: drag a point to move it, right-click it to \
                 delete it",
            );
        } else {
            ui.label("Click adds").on_hover_text(
                "A click on an empty place adds a training point of this class; drag a point to move it, right-click \
             it to delete it",
            );
        }
        view.points.class = view.points.class.min(classes.saturating_sub(1));
        let picks = if view.data.train.is_regression() { &[][..] } else { &view.data.classes[..] };
        for (k, name) in picks.iter().enumerate() {
            let text = egui::RichText::new(format!("class {name}")).color(class_color(k, classes));
            if ui.selectable_label(view.points.class == k, text).clicked() {
                view.points.class = k;
            }
        }
        let done = view.settings.setup.edits.len();
        let undo =
            ui.add_enabled(done > 0, egui::Button::new("Undo")).on_hover_text("Take back the last edit (Ctrl+Z)");
        if undo.clicked() {
            undo_edit(view);
        }
        let redo = ui
            .add_enabled(view.points.history.redoable() > 0, egui::Button::new("Redo"))
            .on_hover_text("Do again what was taken back (Ctrl+Shift+Z or Ctrl+Y)");
        if redo.clicked() {
            redo_edit(view);
        }
    });
}

/// Turns the plot's pointer events into edits and draws the point being dragged; `response` senses clicks and drags
/// over the square `r` showing `plane`. Returns the training point a click chose (for "Open as graph"), if any.
pub fn interact(
    ui: &egui::Ui,
    view: &mut PlaygroundView,
    response: &egui::Response,
    plane: &Plane,
    r: Rect,
) -> Option<usize> {
    keys(ui, view);
    let nearest = |view: &PlaygroundView, pos: Pos2| -> Option<(Part, usize)> {
        let mut parts = vec![(Part::Train, view.data.train_plane.as_ref()?)];
        if view.settings.show_test
            && let Some(t) = &view.data.test_plane
        {
            parts.push((Part::Test, t));
        }
        let mut best: Option<(Part, usize, f32)> = None;
        for (part, d) in parts {
            for (i, p) in d.x.chunks_exact(2).enumerate() {
                let dist = (super::output::screen_from_plane(plane, r, p[0], p[1]) - pos).length();
                if dist <= PICK_RADIUS && best.is_none_or(|b| dist < b.2) {
                    best = Some((part, i, dist));
                }
            }
        }
        best.map(|(p, i, _)| (p, i))
    };
    let mut chosen = None;
    // where the press began: egui calls it a drag only once the pointer has moved away from there
    if response.drag_started()
        && let Some(pos) = ui.input(|i| i.pointer.press_origin())
        && let Some((part, i)) = nearest(view, pos)
    {
        view.points.dragging = Some((part, i, pos));
    }
    if let Some((part, i, _)) = view.points.dragging
        && let Some(pos) = response.interact_pointer_pos()
    {
        view.points.dragging = Some((part, i, pos.clamp(r.min, r.max)));
    }
    if response.drag_stopped()
        && let Some((part, index, pos)) = view.points.dragging.take()
    {
        let [x, y] = plane_from_screen(plane, r, pos);
        edit(view, PointEdit::Move { part, index, x, y }, format!("Moved the point to ({x:.2}, {y:.2})."));
    }
    if let Some((part, i, pos)) = view.points.dragging {
        let set = if part == Part::Train { &view.data.train_plane } else { &view.data.test_plane };
        let k = set.as_ref().and_then(|d| d.y.get(i).copied()).unwrap_or(0);
        let value = set.as_ref().and_then(|d| d.targets.get(i).copied());
        let color = value.map_or_else(|| class_color(k, view.data.classes.len()), |v| super::maps::diverging(v as f32));
        ui.painter().circle(pos, 4.5, color, Stroke::new(1.5, Color32::WHITE));
    }
    if response.clicked()
        && let Some(pos) = response.interact_pointer_pos()
    {
        match nearest(view, pos) {
            Some((Part::Train, i)) => chosen = Some(i),
            Some((Part::Test, _)) => {}
            None if view.data.train.is_regression() => {
                view.points.said = Some((
                    true,
                    "A regression set's points carry the values of its formula: none is added by hand (drag one to \
                     move it, right-click to delete it)."
                        .into(),
                ));
            }
            None => {
                let [x, y] = plane_from_screen(plane, r, pos);
                let class = view.points.class;
                let name = view.data.classes.get(class).cloned().unwrap_or_default();
                let said = format!("Added a training point of class {name} at ({x:.2}, {y:.2}); Ctrl+Z takes it back.");
                edit(view, PointEdit::Add { x, y, class }, said);
            }
        }
    }
    if response.secondary_clicked()
        && let Some(pos) = response.interact_pointer_pos()
        && let Some((part, index)) = nearest(view, pos)
    {
        let which = if part == Part::Train { "training" } else { "test" };
        edit(view, PointEdit::Delete { part, index }, format!("Deleted {which} point {index}; Ctrl+Z brings it back."));
    }
    chosen
}

/// The place of the plane under the screen position `pos` of the square `r` (the inverse of
/// [`super::output::screen_from_plane`]).
pub fn plane_from_screen(plane: &Plane, r: Rect, pos: Pos2) -> [f64; 2] {
    let fx = f64::from((pos.x - r.left()) / r.width());
    let fy = f64::from((pos.y - r.top()) / r.height());
    [plane.x[0] + fx * (plane.x[1] - plane.x[0]), plane.y[1] - fy * (plane.y[1] - plane.y[0])]
}

fn keys(ui: &egui::Ui, view: &mut PlaygroundView) {
    if ui.ctx().text_edit_focused() {
        return;
    }
    let (mut undo, mut redo) = (false, false);
    ui.input_mut(|i| {
        let cmd = egui::Modifiers::COMMAND;
        // Ctrl+Shift+Z first: Ctrl+Z's pattern would take it too (shift is not checked when not asked for)
        redo = i.consume_key(cmd | egui::Modifiers::SHIFT, egui::Key::Z) || i.consume_key(cmd, egui::Key::Y);
        undo = !redo && i.consume_key(cmd, egui::Key::Z);
    });
    if undo {
        undo_edit(view);
    }
    if redo {
        redo_edit(view);
    }
}

fn edit(view: &mut PlaygroundView, e: PointEdit, said: String) {
    view.points.said = Some(match view.points.history.edit(&mut view.settings.setup.edits, e) {
        Ok(()) => (false, said),
        Err(e) => (true, format!("{e}")),
    });
}

fn undo_edit(view: &mut PlaygroundView) {
    let done = view.points.history.undo(&mut view.settings.setup.edits);
    view.points.said =
        Some((false, if done { "Took back the last edit (Ctrl+Y does it again)." } else { "Nothing to undo." }.into()));
}

fn redo_edit(view: &mut PlaygroundView) {
    let done = view.points.history.redo(&mut view.settings.setup.edits);
    view.points.said = Some((false, if done { "Did the edit again." } else { "Nothing to redo." }.into()));
}
