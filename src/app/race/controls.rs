//! The play controls: play/pause, step, ten steps, reset, the speed, and where the race stands.

use eframe::egui;

use super::{Action, MAX_STEPS, Settings};
use crate::surface::{Race, Status};

/// Draws the controls: in rows that wrap at a projector's zoom instead of running under the side panel, or in one
/// row (`one_row`) for a caller that scrolls it sideways.
pub fn ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    race: &Race,
    playing: bool,
    one_row: bool,
    actions: &mut Vec<Action>,
) {
    ui.add_space(2.0);
    if one_row {
        ui.horizontal(|ui| row(ui, settings, race, playing, one_row, actions));
    } else {
        ui.horizontal_wrapped(|ui| row(ui, settings, race, playing, one_row, actions));
    }
    ui.add_space(2.0);
}

/// The controls, left to right.
fn row(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    race: &Race,
    playing: bool,
    one_row: bool,
    actions: &mut Vec<Action>,
) {
    let can_step = !race.finished() && settings.steps < MAX_STEPS;
    let play = if playing { "Pause" } else { "Play" };
    if ui.add_enabled(can_step || playing, egui::Button::new(play)).on_hover_text("Play or pause (Space)").clicked() {
        actions.push(Action::TogglePlay);
    }
    if ui.add_enabled(can_step, egui::Button::new("Step")).on_hover_text("One step (right arrow)").clicked() {
        actions.push(Action::Step(1));
    }
    if ui.add_enabled(can_step, egui::Button::new("Step ×10")).on_hover_text("Ten steps").clicked() {
        actions.push(Action::Step(10));
    }
    if ui.button("Reset").on_hover_text("Back to the start (Home)").clicked() {
        actions.push(Action::Reset);
    }
    let hover = "The surface of the playground's network: its own loss on a plane through its weights, these racers";
    if ui.button("this network").on_hover_text(hover).clicked() {
        actions.push(Action::ThisNetwork);
    }
    ui.separator();
    if !one_row {
        crate::app::room::keep_together(ui, crate::app::room::slider_width(ui, 14));
    }
    let l = ui.label("speed");
    ui.add(egui::Slider::new(&mut settings.speed, 1.0..=200.0).logarithmic(true).suffix(" steps/s")).labelled_by(l.id);
    ui.separator();
    ui.label(egui::RichText::new(format!("step {}", settings.steps)).strong().monospace());
    let count = |s: Status| race.racers.iter().filter(|r| r.status == s).count();
    let (running, converged, diverged) = (count(Status::Running), count(Status::Converged), count(Status::Diverged));
    let mut parts = vec![format!("{running} running")];
    if converged > 0 {
        parts.push(format!("{converged} converged"));
    }
    if diverged > 0 {
        parts.push(format!("{diverged} diverged"));
    }
    ui.weak(parts.join(", "));
}
