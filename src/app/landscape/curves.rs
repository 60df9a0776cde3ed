//! The racers' curves against the step: the true loss of each θₜ (log scale when every loss is positive), and its
//! distance off the plane, which says how far the path drawn on the slice can be trusted.

use eframe::egui;
use egui_plot::{Line, Plot};

use super::Settings;
use crate::app::race::loss::{decade_label, decade_marks, step_axis};
use crate::app::race::plot::racer_color;
use crate::nn::landscape::Landscape;

/// The true loss of each racer against the step.
pub fn loss_ui(ui: &mut egui::Ui, settings: &Settings, result: Option<&Landscape>) {
    let Some(l) = result else { return };
    let log = l.trajectories.iter().all(|t| t.losses.iter().all(|&v| v > 0.0));
    ui.horizontal(|ui| {
        ui.strong("True loss");
        ui.weak(if log { "log scale" } else { "linear scale" });
    });
    let mut plot = Plot::new("landscape_loss").custom_x_axes(step_axis()).allow_scroll(false).include_x(0.0);
    if log {
        plot = plot.y_grid_spacer(decade_marks).y_axis_formatter(|m, _| decade_label(m));
    }
    plot.show(ui, |plot_ui| {
        for (t, cfg) in l.trajectories.iter().zip(&settings.racers) {
            let pts: Vec<[f64; 2]> =
                t.losses.iter().enumerate().map(|(k, &v)| [k as f64, if log { v.log10() } else { v }]).collect();
            plot_ui.line(Line::new(t.setup.spec.to_string(), pts).color(racer_color(cfg.color)).width(1.5));
        }
    });
}

/// Each racer's distance off the plane against the step.
pub fn off_plane_ui(ui: &mut egui::Ui, settings: &Settings, result: Option<&Landscape>) {
    let Some(l) = result else { return };
    ui.strong("Distance off the plane");
    Plot::new("landscape_off_plane").custom_x_axes(step_axis()).allow_scroll(false).include_x(0.0).include_y(0.0).show(
        ui,
        |plot_ui| {
            for (path, cfg) in l.paths.iter().zip(&settings.racers) {
                let pts: Vec<[f64; 2]> = path.iter().enumerate().map(|(k, p)| [k as f64, p.off_plane]).collect();
                plot_ui.line(Line::new("", pts).color(racer_color(cfg.color)).width(1.5));
            }
        },
    );
}
