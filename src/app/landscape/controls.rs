//! The landscape's controls: the directions (random, PCA, two weights), the grid and its span, recompute and stop
//! with the worker's progress; and the racers' panel (their rules, the steps, the seed).

use eframe::egui;

use super::{Action, Kind, LandscapeView, MAX_WINDOW_STEPS};
use crate::app::race::plot::racer_color;

/// Draws the top row.
pub fn ui(ui: &mut egui::Ui, view: &mut LandscapeView) {
    ui.horizontal_wrapped(|ui| {
        match &view.source {
            Some(s) => ui.strong(&s.title),
            None => ui.weak("no network yet"),
        };
        ui.separator();
        ui.label("Directions:");
        for (kind, label, hover) in [
            (Kind::Random, "random", "Gaussian directions, each neuron's rescaled to its weights' norm (Li et al.)"),
            (Kind::Pca, "pca", "The two directions along which the first racer's path varies most"),
            (Kind::Weights, "weights", "Two weights of the network as the axes"),
        ] {
            if ui.selectable_label(view.settings.kind == kind, label).on_hover_text(hover).clicked() {
                view.push(Action::SetKind(kind));
            }
        }
        if view.settings.kind == Kind::Weights {
            for (k, name) in ["α", "β"].into_iter().enumerate() {
                let label = ui.label(name);
                let field = egui::TextEdit::singleline(&mut view.settings.weights[k]).desired_width(110.0);
                let r = ui.add(field).labelled_by(label.id);
                let r = r.on_hover_text(format!("The {name} axis: a weight by PyTorch's name, e.g. 0.weight[3,1]"));
                if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    view.push(Action::Recompute);
                }
            }
        }
        ui.separator();
        let label = ui.label("grid");
        let r = ui.add(egui::DragValue::new(&mut view.settings.grid).range(3..=121)).labelled_by(label.id);
        r.on_hover_text("Points along each axis (Recompute to apply)");
        let label = ui.label("span ±");
        let r =
            ui.add(egui::DragValue::new(&mut view.settings.span).range(0.0..=100.0).speed(0.01)).labelled_by(label.id);
        r.on_hover_text("How far α and β reach (0: fit the paths for pca, 1 otherwise; Recompute to apply)");
        match view.progress() {
            Some((done, total)) => {
                let f = if total > 0 { done as f32 / total as f32 } else { 0.0 };
                ui.add(egui::ProgressBar::new(f).desired_width(140.0).text(format!("{done}/{total}")));
                if ui.button("Stop").on_hover_text("Stop computing; the picture keeps the last landscape").clicked() {
                    view.push(Action::Stop);
                }
            }
            None => {
                if ui.button("Recompute").on_hover_text("Compute the plane and the grid again").clicked() {
                    view.push(Action::Recompute);
                }
            }
        }
    });
}

/// Draws the racers' panel.
pub fn racers_ui(ui: &mut egui::Ui, view: &mut LandscapeView) {
    ui.strong("Racers on the network");
    ui.weak("Each trains its own copy of θ on the same minibatches.");
    let mut remove = None;
    for i in 0..view.settings.racers.len() {
        ui.horizontal(|ui| {
            let c = racer_color(view.settings.racers[i].color);
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, c);
            let label = ui.label(format!("{}", i + 1));
            let field = egui::TextEdit::singleline(&mut view.edits[i]).desired_width(170.0);
            let r = ui.add(field).labelled_by(label.id);
            let r = r.on_hover_text("The rule as in `chainrule race --opt`; Enter applies it");
            if r.lost_focus() && ui.input(|inp| inp.key_pressed(egui::Key::Enter)) {
                view.push(Action::SetSpec(i, view.edits[i].clone()));
            }
            if ui.button("−").on_hover_text("Remove this racer").clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        view.push(Action::RemoveRacer(i));
    }
    if ui.button("+ racer").clicked() {
        view.push(Action::AddRacer);
    }
    ui.separator();
    ui.horizontal(|ui| {
        let label = ui.label("steps");
        ui.add(egui::DragValue::new(&mut view.settings.steps).range(2..=MAX_WINDOW_STEPS)).labelled_by(label.id);
        let label = ui.label("seed");
        ui.add(egui::DragValue::new(&mut view.settings.seed)).labelled_by(label.id);
    });
    if ui.button("Race again").on_hover_text("Race with these steps and seed, and redraw").clicked() {
        view.push(Action::Recompute);
    }
    ui.separator();
    ui.weak(
        "A path is each step's weights projected onto the plane; the number at its end is how far they lie off the \
         plane. A path far off the plane crosses hills and valleys this slice does not show: its loss curve is the \
         true loss.",
    );
}
