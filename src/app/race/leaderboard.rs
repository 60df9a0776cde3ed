//! The leaderboard: who reached the loss threshold (editable) first, who is still on the way, who diverged and when.

use eframe::egui;

use super::Settings;
use super::loss::fmt_short;
use super::plot::racer_color;
use crate::app::theme::Palette;
use crate::scalar::fmt_num;
use crate::surface::{Race, Racer, Status};

/// Where a racer ranks: first those that reached the threshold (fewest steps first), then the others by their loss,
/// then the diverged (the later the better).
fn rank_key(r: &Racer, threshold: f64) -> (u8, f64) {
    let loss = r.loss.last().copied().unwrap_or(f64::INFINITY);
    match (r.steps_to(threshold), r.status) {
        (Some(k), _) => (0, k as f64),
        (None, Status::Diverged) => (2, -(r.stopped_at.unwrap_or(0) as f64)),
        (None, _) => (1, loss),
    }
}

/// What the leaderboard says of a racer's progress, in a few words (the hover text tells the whole story).
pub fn progress(r: &Racer, threshold: f64) -> String {
    match (r.steps_to(threshold), r.status) {
        (Some(k), Status::Diverged) => format!("{k} steps, diverged"),
        (Some(k), _) => format!("{k} steps"),
        (None, Status::Diverged) => format!("diverged at step {}", r.stopped_at.unwrap_or(0)),
        (None, Status::Converged) => format!("stuck at step {}", r.converged_at.unwrap_or(0)),
        (None, Status::Running) => "not yet".into(),
    }
}

/// The whole story of a racer's progress, for the hover text.
pub fn progress_long(r: &Racer, threshold: f64) -> String {
    let at = r.stopped_at.unwrap_or(0);
    match (r.steps_to(threshold), r.status) {
        (Some(k), Status::Diverged) => format!("reached the threshold in {k} steps, then diverged at step {at}"),
        (Some(k), _) => format!("reached the threshold in {k} steps"),
        (None, Status::Diverged) => format!("diverged at step {at} without reaching the threshold"),
        (None, Status::Converged) => {
            format!("stuck: converged at step {}, above the threshold", r.converged_at.unwrap_or(0))
        }
        (None, Status::Running) => "still on the way to the threshold".into(),
    }
}

/// The columns' spacing.
const SPACING: [f32; 2] = [12.0, 4.0];

/// The width the board needs to show every racer's name and progress whole, in points.
pub fn width_needed(ui: &egui::Ui, settings: &Settings, race: &Race) -> f32 {
    let (mono, body) = (egui::TextStyle::Monospace.resolve(ui.style()), egui::TextStyle::Body.resolve(ui.style()));
    let width = |text: String, font: &egui::FontId| {
        ui.ctx().fonts_mut(|f| f.layout_no_wrap(text, font.clone(), egui::Color32::WHITE).size().x)
    };
    let widest = |texts: &mut dyn Iterator<Item = String>, font: &egui::FontId| {
        texts.map(|t| width(t, font)).fold(0.0, f32::max)
    };
    let names = widest(&mut race.racers.iter().map(|r| format!("● {}", super::racer_name(&r.setup))), &mono);
    let progress = widest(&mut race.racers.iter().map(|r| progress(r, settings.threshold)), &body);
    let rank = width(race.racers.len().to_string(), &body);
    let loss = width("loss now".into(), &body).max(width("-1.234e-10".into(), &mono));
    let margins = 2.0 * ui.spacing().item_spacing.x + ui.spacing().scroll.bar_width;
    rank + names + loss + progress.max(width("reached".into(), &body)) + 3.0 * SPACING[0] + margins
}

/// Draws the leaderboard.
pub fn ui(ui: &mut egui::Ui, settings: &mut Settings, race: &Race) {
    let p = Palette::of(ui);
    ui.horizontal(|ui| {
        ui.strong("Leaderboard");
        let l = ui.label("steps to loss ≤");
        let speed = (settings.threshold.abs() * 0.02).max(1e-6);
        ui.add(
            egui::DragValue::new(&mut settings.threshold)
                .speed(speed)
                .custom_formatter(|v, _| fmt_num(v))
                .custom_parser(|t| t.trim().parse().ok().filter(|v: &f64| v.is_finite())),
        )
        .labelled_by(l.id)
        .on_hover_text("The loss a racer must reach; a preset sets it 1e-3 above its minimum");
    });
    let mut order: Vec<usize> = (0..race.racers.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (rank_key(&race.racers[a], settings.threshold), rank_key(&race.racers[b], settings.threshold));
        ka.partial_cmp(&kb).unwrap_or(std::cmp::Ordering::Equal)
    });
    // a long "reached" text scrolls sideways rather than running out of the window
    egui::ScrollArea::both().id_salt("leaderboard_scroll").show(ui, |ui| {
        egui::Grid::new("leaderboard").num_columns(4).min_col_width(0.0).striped(true).spacing(SPACING).show(
            ui,
            |ui| {
                ui.weak("#");
                ui.weak("racer");
                ui.weak("loss now");
                ui.weak("reached");
                ui.end_row();
                for (rank, &i) in order.iter().enumerate() {
                    let (r, cfg) = (&race.racers[i], &settings.racers[i]);
                    ui.label(format!("{}", rank + 1));
                    let name = super::racer_name(&r.setup);
                    // whole: the column takes the room the name needs, and a board wider than its panel scrolls
                    let text = egui::RichText::new(format!("● {name}")).color(racer_color(cfg.color)).monospace();
                    ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Extend));
                    ui.label(egui::RichText::new(fmt_short(r.loss.last().copied().unwrap_or(f64::NAN))).monospace());
                    let text = progress(r, settings.threshold);
                    let color = if r.status == Status::Diverged {
                        p.error
                    } else if r.steps_to(settings.threshold).is_some() {
                        p.forward
                    } else {
                        ui.visuals().text_color()
                    };
                    let text = egui::RichText::new(text).color(color);
                    ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Extend))
                        .on_hover_text(progress_long(r, settings.threshold));
                    ui.end_row();
                }
            },
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Schedule;
    use crate::surface::{RacerSetup, Surface};

    #[test]
    fn a_racer_stuck_above_the_threshold_says_where_it_stopped_moving() {
        // x² + y² + 1 never goes below 1; sgd with lr 0.5 lands on the minimum in one step (p - 0.5·2p = 0), and the
        // second step is the first that does not move it
        let s = Surface::from_expr("x^2 + y^2 + 1").expect("a surface");
        let setup = RacerSetup { spec: "sgd:lr=0.5".parse().expect("a spec"), schedule: Schedule::default() };
        let mut race = Race::new(s, [1.0, -2.0], vec![setup], None);
        race.run(5);
        let r = &race.racers[0];
        assert_eq!((r.status, r.converged_at, r.path.len()), (Status::Converged, Some(2), 6));
        assert_eq!(progress(r, 1e-3), "stuck at step 2");
        assert_eq!(progress_long(r, 1e-3), "stuck: converged at step 2, above the threshold");
        assert_eq!(rank_key(r, 1e-3), (1, 1.0));
    }
}
