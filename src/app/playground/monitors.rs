//! The health monitors per hidden layer ([`crate::nn::health`]), each column with what a bad value means, and a
//! warning line for each value out of its healthy range.

use eframe::egui;

use crate::app::race::loss::fmt_short;
use crate::nn::health::{LayerHealth, MEANINGS};

/// Draws the table and the warnings.
pub fn ui(ui: &mut egui::Ui, health: &[LayerHealth]) {
    ui.strong("Health monitors").on_hover_text("cs231n's babysitting the learning process, on 256 training rows");
    if health.is_empty() {
        ui.weak("No hidden layer: nothing to watch.");
        return;
    }
    egui::Grid::new("playground_health").striped(true).spacing([10.0, 2.0]).show(ui, |ui| {
        ui.strong("layer");
        for (name, meaning) in MEANINGS {
            ui.strong(*name).on_hover_text(*meaning);
        }
        ui.end_row();
        for h in health {
            ui.label(format!("{} {}", h.layer, h.activation.name()));
            let pct = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.0} %", 100.0 * v));
            ui.label(pct(h.dead));
            ui.label(pct(h.saturated));
            ui.label(fmt_short(h.act_std));
            ui.label(fmt_short(h.grad_std));
            ui.label(if h.update_ratio.is_nan() { "–".into() } else { format!("{:.1e}", h.update_ratio) });
            ui.end_row();
        }
    });
    let error = crate::app::theme::Palette::of(ui).error;
    for w in warnings(health).into_iter().take(3) {
        ui.colored_label(error, w);
    }
}

/// One line for each value out of its healthy range: dead or saturated above half, update ratio outside
/// [1e-5, 1e-1].
pub fn warnings(health: &[LayerHealth]) -> Vec<String> {
    let mut out = Vec::new();
    for h in health {
        if h.dead.is_some_and(|d| d >= 0.5) {
            out.push(format!("layer {}: {}", h.layer, MEANINGS[0].1));
        }
        if h.saturated.is_some_and(|s| s >= 0.5) {
            out.push(format!("layer {}: {}", h.layer, MEANINGS[1].1));
        }
        if h.update_ratio.is_finite() && !(1e-5..=1e-1).contains(&h.update_ratio) {
            out.push(format!("layer {}: update {:.0e}: {}", h.layer, h.update_ratio, MEANINGS[4].1));
        }
    }
    out
}
