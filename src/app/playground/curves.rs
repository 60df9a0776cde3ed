//! The training and test loss and accuracy against the epoch.

use eframe::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints};

use crate::nn::EpochStats;

/// The most points drawn per line.
const MAX_POINTS: usize = 1000;

/// Draws the two plots side by side.
pub fn ui(ui: &mut egui::Ui, history: &[EpochStats]) {
    let w = ui.available_width();
    let h = ui.available_height().max(100.0);
    // at most about MAX_POINTS points a line (every k-th epoch, and the last): a long run stays cheap to draw
    let stride = history.len().div_ceil(MAX_POINTS).max(1);
    let series = |f: fn(&EpochStats) -> f64| -> PlotPoints<'static> {
        let last = history.len().saturating_sub(1);
        (history.iter().enumerate())
            .filter(|(i, s)| (i % stride == 0 || *i == last) && f(s).is_finite())
            .map(|(_, s)| [s.epoch as f64, f(s)])
            .collect()
    };
    let test = crate::app::playground::maps::ORANGE;
    let train = crate::app::playground::maps::BLUE;
    ui.horizontal_top(|ui| {
        for (id, title, f_train, f_test) in [
            (
                "playground_loss",
                "loss",
                (|s: &EpochStats| s.train_loss) as fn(&EpochStats) -> f64,
                (|s: &EpochStats| s.test_loss) as fn(&EpochStats) -> f64,
            ),
            ("playground_accuracy", "accuracy", |s: &EpochStats| s.train_acc, |s: &EpochStats| s.test_acc),
        ] {
            // a regression's accuracy is NaN throughout: its loss is the measure, and the second plot says so
            let regression = !history.is_empty() && history.iter().all(|s| s.train_acc.is_nan());
            if regression && title == "accuracy" {
                ui.vertical(|ui| {
                    ui.strong(title);
                    ui.weak("none: a regression is measured by its loss (mse)");
                });
                continue;
            }
            ui.vertical(|ui| {
                ui.strong(title);
                Plot::new(id)
                    .width(w / 2.0 - 8.0)
                    .height(h - 24.0)
                    .legend(Legend::default())
                    .allow_drag(false)
                    .allow_scroll(false)
                    .allow_zoom(false)
                    .x_axis_label("epoch")
                    .show(ui, |p| {
                        p.line(Line::new(format!("train {title}"), series(f_train)).color(train));
                        p.line(Line::new(format!("test {title}"), series(f_test)).color(test));
                    });
            });
        }
    });
}
