//! The play controls: train or pause, one step, one epoch, reset; the epoch and step counters and the latest losses.

use eframe::egui;

use super::{Action, PlaygroundView};
use crate::app::Status;
use crate::app::race::loss::fmt_short;

/// Draws the controls row.
pub fn ui(ui: &mut egui::Ui, view: &mut PlaygroundView, _status: &mut Status) {
    ui.horizontal(|ui| {
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
        ui.separator();
        ui.label(format!("epoch {}", view.history.len()));
        ui.label(format!("step {}", view.steps));
        if let Some(s) = view.history.last() {
            ui.separator();
            ui.label(format!("train loss {}", fmt_short(s.train_loss)));
            ui.label(format!("test loss {}", fmt_short(s.test_loss)));
            ui.label(format!("test accuracy {:.1} %", 100.0 * s.test_acc));
        }
        if let Some(step) = view.diverged {
            ui.separator();
            ui.colored_label(crate::app::theme::Palette::of(ui).error, format!("diverged at step {step}"));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Landscape").on_hover_text("This network's own loss on a plane through its weights").clicked()
            {
                view.wants_landscape = true;
            }
            if ui.button("Copy as command").on_hover_text("The chainrule train line that reruns this").clicked() {
                view.push(Action::CopyCommand);
            }
            if ui.button("Open setup…").on_hover_text("Open a playground setup file").clicked() {
                view.push(Action::OpenSetup);
            }
            if ui.button("Save setup…").on_hover_text("Save the data, network and training settings").clicked() {
                view.push(Action::SaveSetup);
            }
            if let Some(rate) = view.steps_per_second() {
                ui.weak(format!("{rate:.0} steps/s")).on_hover_text("Training speed over the last second");
            }
        });
    });
}
