//! The play controls: train or pause, one step, one epoch, reset, the speed; the epoch and step counters and the
//! latest losses; the files (a setup, with or without its weights; a model to train on) and "Copy as command". The
//! row wraps: at any zoom every control stays on screen.

use eframe::egui;

use super::{Action, PlaygroundView, SPEEDS};
use crate::app::Status;
use crate::app::race::loss::fmt_short;

/// How a speed reads in the menu.
pub fn speed_name(speed: Option<u32>) -> String {
    speed.map_or("fastest".to_string(), |s| format!("{s} steps/s"))
}

/// Draws the controls row.
pub fn ui(ui: &mut egui::Ui, view: &mut PlaygroundView, _status: &mut Status) {
    ui.horizontal_wrapped(|ui| {
        let running = view.is_running();
        let play = if running { "Pause" } else { "Train" };
        if ui.button(play).on_hover_text("Train until paused (Space)").clicked() {
            view.push(if running { Action::Pause } else { Action::Play });
        }
        if ui.button("Step").on_hover_text("One minibatch step (→)").clicked() {
            view.push(Action::StepBatch);
        }
        if ui.button("Epoch").on_hover_text("One pass over the training data").clicked() {
            view.push(Action::StepEpoch);
        }
        if ui.button("Reset").on_hover_text("A fresh network from the same seed (Home)").clicked() {
            view.push(Action::Reset);
        }
        let speed = view.settings.speed;
        let l = ui.label("speed");
        egui::ComboBox::from_id_salt("playground_speed")
            .selected_text(speed_name(speed))
            .width(100.0)
            .show_ui(ui, |ui| {
                for &s in SPEEDS {
                    if ui.selectable_label(s == speed, speed_name(s)).clicked() && s != speed {
                        view.push(Action::SetSpeed(s));
                    }
                }
            })
            .response
            .labelled_by(l.id)
            .on_hover_text("At most this many minibatch steps a second: slow enough to watch each step");
        ui.separator();
        ui.label(format!("epoch {}", view.history.len()));
        ui.label(format!("step {}", view.steps));
        if let Some(s) = view.history.last().filter(|_| view.lesson.shows_readouts()) {
            ui.label(format!("train loss {}", fmt_short(s.train_loss)));
            ui.label(format!("test loss {}", fmt_short(s.test_loss)));
            // a regression has no accuracy (NaN): its loss is the measure
            if s.test_acc.is_finite() {
                ui.label(format!("test accuracy {:.1} %", 100.0 * s.test_acc));
            }
        }
        if let Some(step) = view.diverged {
            ui.colored_label(crate::app::theme::Palette::of(ui).error, format!("diverged at step {step}"));
        }
        if let Some(rate) = view.steps_per_second() {
            ui.weak(format!("{rate:.0} steps/s")).on_hover_text("Training speed over the last second");
        }
        ui.separator();
        if ui.button("Save setup…").on_hover_text("Save the data, network and training settings").clicked() {
            view.push(Action::SaveSetup);
        }
        ui.checkbox(&mut view.settings.save_weights, "with weights")
            .on_hover_text("Save the trained weights in the setup file too");
        if ui.button("Open setup…").on_hover_text("Open a playground setup file").clicked() {
            view.push(Action::OpenSetup);
        }
        if ui
            .button("Open model…")
            .on_hover_text(
                "Train on from a model's weights: one saved by chainrule train --save, or a PyTorch state dict \
                 (read with the activation chosen here)",
            )
            .clicked()
        {
            view.push(Action::OpenModel);
        }
        if ui.button("Copy as command").on_hover_text("The chainrule train line that reruns this").clicked() {
            view.push(Action::CopyCommand);
        }
        if ui.button("Landscape").on_hover_text("This network's own loss on a plane through its weights").clicked() {
            view.wants_landscape = true;
        }
    });
}
