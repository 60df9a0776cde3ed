//! The landscape's leaderboard: each racer's true loss at its last step, where its path ends on the plane, how far
//! off the plane it is there and at most, and whether it diverged. The racer's name takes the room the other
//! columns leave: whole when it fits, cut with an ellipsis only when the board is narrower than the name (the whole
//! name is then its hover text).

use eframe::egui;

use super::Settings;
use crate::app::race::loss::fmt_short;
use crate::app::race::plot::racer_color;
use crate::app::race::{racer_name, shorten};
use crate::nn::landscape::Landscape;

/// The gap between columns, in points.
const SPACING: f32 = 12.0;

/// The fewest characters a cut name keeps (with its ellipsis), however narrow the board.
const MIN_NAME_CHARS: usize = 6;

/// Draws the leaderboard, lowest true loss first.
pub fn ui(ui: &mut egui::Ui, settings: &Settings, result: Option<&Landscape>) {
    ui.strong("Leaderboard");
    let Some(l) = result else { return };
    let mut order: Vec<usize> = (0..l.trajectories.len()).collect();
    let last = |k: usize| l.trajectories[k].losses.last().copied().unwrap_or(f64::INFINITY);
    order.sort_by(|&a, &b| last(a).total_cmp(&last(b)));
    let heads = ["racer", "true loss", "off plane", "max off", "status"];
    let rows: Vec<[String; 4]> = order
        .iter()
        .map(|&k| {
            let (t, path) = (&l.trajectories[k], &l.paths[k]);
            [
                fmt_short(last(k)),
                path.last().map_or("-".into(), |p| fmt_short(p.off_plane)),
                fmt_short(path.iter().map(|p| p.off_plane).fold(0.0, f64::max)),
                t.diverged_at.map_or("ran".to_string(), |s| format!("diverged at {s}")),
            ]
        })
        .collect();
    // the other columns are laid out first; the names get what is left of the board's width
    let font = egui::TextStyle::Body.resolve(ui.style());
    let painter = ui.painter().clone();
    let width = |text: &str| painter.layout_no_wrap(text.to_owned(), font.clone(), egui::Color32::WHITE).size().x;
    let others: f32 =
        (0..4).map(|c| rows.iter().map(|r| width(&r[c])).fold(width(heads[c + 1]), f32::max) + SPACING).sum();
    let room = ui.available_width() - others;
    egui::Grid::new("landscape_board").striped(true).spacing([SPACING, 4.0]).show(ui, |ui| {
        for h in heads {
            ui.strong(h);
        }
        ui.end_row();
        for (&k, row) in order.iter().zip(&rows) {
            let c = settings.racers.get(k).map_or(egui::Color32::GRAY, |r| racer_color(r.color));
            let name = racer_name(&l.trajectories[k].setup);
            let shown = fit(&name, room, &width);
            let label = ui.colored_label(c, &shown);
            if shown != name {
                label.on_hover_text(name);
            }
            for cell in row {
                ui.label(cell);
            }
            ui.end_row();
        }
    });
}

/// `text` whole when `width(text)` fits in `room`, else cut (with an ellipsis) to the most characters that fit,
/// and never to fewer than [`MIN_NAME_CHARS`]. O(log len) layouts.
fn fit(text: &str, room: f32, width: &impl Fn(&str) -> f32) -> String {
    let n = text.chars().count();
    if n <= MIN_NAME_CHARS || width(text) <= room {
        return text.to_owned();
    }
    // the widest cut that fits: the width grows with the characters kept
    let (mut lo, mut hi) = (MIN_NAME_CHARS, n - 1);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if width(&shorten(text, mid)) <= room {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    shorten(text, lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_cut_only_when_it_does_not_fit() {
        // one point a character, as a monospace font at size 1 would be
        let width = |t: &str| t.chars().count() as f32;
        let name = "sgd:lr=0.05,momentum=0.9"; // 24 characters
        assert_eq!(fit(name, 24.0, &width), name);
        assert_eq!(fit(name, 100.0, &width), name);
        // 23 points: 22 characters and the ellipsis
        assert_eq!(fit(name, 23.0, &width), "sgd:lr=0.05,momentum=0…");
        assert_eq!(fit(name, 10.0, &width), "sgd:lr=0.…");
        // never below the floor, however narrow
        assert_eq!(fit(name, 0.0, &width), "sgd:l…");
    }
}
