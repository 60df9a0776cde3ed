//! The timeline: one cursor over the forward steps then the backward steps, with step, step back, play/pause,
//! a speed, a scrubber and jumps to either end. While a lesson's question waits, the timeline holds short of the step
//! that would show the answer, and says so.

use eframe::egui;

use super::model::{Model, Step};
use super::{Action, Settings};
use crate::app::theme::Palette;

/// Draws the controls; `hold` is the furthest the cursor may go (a lesson's question waits), if any.
pub fn ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    model: &Model,
    playing: bool,
    hold: Option<usize>,
    actions: &mut Vec<Action>,
) {
    let total = model.total_steps();
    let reach = hold.unwrap_or(total).min(total);
    let cursor = settings.cursor;
    // wraps at a projector's zoom instead of cutting the speed slider off
    ui.horizontal_wrapped(|ui| {
        if ui.button("|< Start").on_hover_text("Jump to the start (Home)").clicked() {
            actions.push(Action::Seek(0));
        }
        if ui.add_enabled(cursor > 0, egui::Button::new("< Back")).on_hover_text("Step back (left arrow)").clicked() {
            actions.push(Action::Step(-1));
        }
        let play = if playing { "Pause" } else { "Play" };
        if ui.button(play).on_hover_text("Play or pause (Space)").clicked() {
            actions.push(Action::TogglePlay);
        }
        if ui
            .add_enabled(cursor < reach, egui::Button::new("Step >"))
            .on_hover_text("Step forward (right arrow)")
            .clicked()
        {
            actions.push(Action::Step(1));
        }
        if ui.button("End >|").on_hover_text("Jump to the end (End)").clicked() {
            actions.push(Action::Seek(total));
        }
        ui.separator();
        crate::app::room::keep_together(ui, crate::app::room::slider_width(ui, 4));
        let mut c = cursor;
        let scrub = ui.add(egui::Slider::new(&mut c, 0..=reach).text("step").integer());
        if scrub.changed() {
            actions.push(Action::Seek(c));
        }
        ui.separator();
        crate::app::room::keep_together(ui, crate::app::room::slider_width(ui, 7));
        ui.add(egui::Slider::new(&mut settings.speed, 0.25..=12.0).logarithmic(true).text("steps/s"));
    });
    let p = Palette::of(ui);
    let f = model.forward.steps.len();
    let b = model.backward.steps.len();
    ui.horizontal_wrapped(|ui| match model.step_at(cursor) {
        None => {
            ui.label("Nothing computed yet: press Step or the right arrow key to let the numbers flow.");
        }
        Some(Step::Forward(k)) => {
            ui.colored_label(p.forward, egui::RichText::new(format!("Forward pass  {}/{f}", k + 1)).strong());
            ui.weak(format!("then {b} backward steps"));
        }
        Some(Step::Backward(k)) => {
            ui.colored_label(p.forward, format!("Forward pass  {f}/{f} done"));
            ui.colored_label(p.backward, egui::RichText::new(format!("Backward pass  {}/{b}", k + 1)).strong());
        }
    });
    if hold.is_some_and(|h| cursor >= h && h < total) {
        ui.weak("The next step would show the answer: answer the question first, then the timeline goes on.");
    }
}
