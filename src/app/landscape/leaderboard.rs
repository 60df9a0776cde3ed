//! The landscape's leaderboard: each racer's true loss at its last step, where its path ends on the plane, how far
//! off the plane it is there and at most, and whether it diverged.

use eframe::egui;

use super::Settings;
use crate::app::race::loss::fmt_short;
use crate::app::race::plot::racer_color;
use crate::nn::landscape::Landscape;

/// Draws the leaderboard, lowest true loss first.
pub fn ui(ui: &mut egui::Ui, settings: &Settings, result: Option<&Landscape>) {
    ui.strong("Leaderboard");
    let Some(l) = result else { return };
    let mut order: Vec<usize> = (0..l.trajectories.len()).collect();
    let last = |k: usize| l.trajectories[k].losses.last().copied().unwrap_or(f64::INFINITY);
    order.sort_by(|&a, &b| last(a).total_cmp(&last(b)));
    egui::Grid::new("landscape_board").striped(true).spacing([12.0, 4.0]).show(ui, |ui| {
        for h in ["racer", "true loss", "off plane", "max off", "status"] {
            ui.strong(h);
        }
        ui.end_row();
        for k in order {
            let t = &l.trajectories[k];
            let c = settings.racers.get(k).map_or(egui::Color32::GRAY, |r| racer_color(r.color));
            let name = t.setup.spec.to_string();
            ui.colored_label(c, crate::app::race::shorten(&name, 18)).on_hover_text(name);
            ui.label(fmt_short(last(k)));
            let path = &l.paths[k];
            ui.label(path.last().map_or("-".into(), |p| fmt_short(p.off_plane)));
            ui.label(fmt_short(path.iter().map(|p| p.off_plane).fold(0.0, f64::max)));
            ui.label(t.diverged_at.map_or("ran".to_string(), |s| format!("diverged at {s}")));
            ui.end_row();
        }
    });
}
