//! The play controls: play/pause, step, ten steps, reset, the speed, and where the race stands.

use eframe::egui;

use super::{Action, MAX_STEPS, Settings};
use crate::surface::{Race, Status};

/// Draws the controls.
pub fn ui(ui: &mut egui::Ui, settings: &mut Settings, race: &Race, playing: bool, actions: &mut Vec<Action>) {
    ui.add_space(2.0);
    // wraps at a projector's zoom instead of running under the side panel
    ui.horizontal_wrapped(|ui| {
        let can_step = !race.finished() && settings.steps < MAX_STEPS;
        let play = if playing { "Pause" } else { "Play" };
        if ui.add_enabled(can_step || playing, egui::Button::new(play)).on_hover_text("Play or pause (Space)").clicked()
        {
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
        let hover =
            "The surface of the playground's network: its own loss on a plane through its weights, these racers";
        if ui.button("this network").on_hover_text(hover).clicked() {
            actions.push(Action::ThisNetwork);
        }
        ui.separator();
        crate::app::room::keep_together(ui, crate::app::room::slider_width(ui, 14));
        let l = ui.label("speed");
        ui.add(egui::Slider::new(&mut settings.speed, 1.0..=200.0).logarithmic(true).suffix(" steps/s"))
            .labelled_by(l.id);
        ui.separator();
        ui.label(egui::RichText::new(format!("step {}", settings.steps)).strong().monospace());
        let count = |s: Status| race.racers.iter().filter(|r| r.status == s).count();
        let (running, converged, diverged) =
            (count(Status::Running), count(Status::Converged), count(Status::Diverged));
        let mut parts = vec![format!("{running} running")];
        if converged > 0 {
            parts.push(format!("{converged} converged"));
        }
        if diverged > 0 {
            parts.push(format!("{diverged} diverged"));
        }
        ui.weak(parts.join(", "));
    });
    ui.add_space(2.0);
}
