//! The learning rate each racer's schedule gives at every step (`Schedule::lr_at`), past and ahead, with the
//! current step marked: warmup ramps, step decay stairs, cosine arcs.

use eframe::egui;
use egui_plot::{Line, LineStyle, Plot, PlotPoints, VLine};

use super::Settings;
use super::loss::{decade_label, decade_marks, same_series, step_axis, ui_muted};
use super::plot::racer_color;
use crate::surface::Race;

/// Steps shown ahead of the current one.
const AHEAD: usize = 100;

/// Draws the plot.
pub fn ui(ui: &mut egui::Ui, settings: &Settings, race: &Race) {
    let horizon = (race.step + AHEAD).max(200);
    let curves: Vec<Vec<f64>> = race
        .racers
        .iter()
        .map(|r| (0..horizon).map(|t| r.setup.schedule.lr_at(r.setup.spec.lr(), t as u64)).collect())
        .collect();
    let log = curves.iter().flatten().all(|&lr| lr > 0.0);
    ui.horizontal(|ui| {
        ui.strong("Learning rate lr(t)");
        ui.weak(if log { "log scale" } else { "linear" });
    });
    let y = |v: f64| if log { v.log10() } else { v };
    let mut plot = Plot::new("race_lr").custom_x_axes(step_axis()).allow_scroll(false).include_x(0.0).label_formatter(
        move |pos| {
            let p = match pos {
                egui_plot::HoverPosition::NearDataPoint { position, .. } => position,
                egui_plot::HoverPosition::Elsewhere { position } => position,
            };
            let lr = if log { 10f64.powf(p.y) } else { p.y };
            Some(format!("step {:.0}\nlr {}", p.x, crate::scalar::fmt_num(lr)))
        },
    );
    if log {
        plot = plot.y_grid_spacer(decade_marks).y_axis_formatter(|m, _| decade_label(m));
    }
    // at least half a decade (or ±10 %) around the rates: a constant rate alone would give a degenerate range,
    // which egui_plot widens to dozens of decades
    let (lo, hi) =
        curves.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if lo.is_finite() && hi.is_finite() {
        let pad = if log { 0.5 } else { 0.1 * hi.abs().max(lo.abs()).max(1e-12) };
        plot = plot.include_y(y(lo) - pad).include_y(y(hi) + pad);
    }
    plot.show(ui, |plot_ui| {
        for (i, ((r, cfg), curve)) in race.racers.iter().zip(&settings.racers).zip(&curves).enumerate() {
            let points: PlotPoints = curve.iter().enumerate().map(|(t, &lr)| [t as f64, y(lr)]).collect();
            let mut line = Line::new(super::racer_name(&r.setup), points).color(racer_color(cfg.color)).width(2.0);
            if curves[..i].iter().any(|c| same_series(c, curve)) {
                line = line.style(LineStyle::dashed_dense());
            }
            plot_ui.line(line);
        }
        plot_ui.vline(VLine::new("", race.step as f64).color(ui_muted(plot_ui.ctx())).width(1.0).allow_hover(false));
    });
}
