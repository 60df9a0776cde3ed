//! The loss of each racer against the step, on a log axis when every loss is positive (a linear one otherwise: the
//! saddle and the six-hump camel go below zero), with the leaderboard's threshold as a dashed line.

use eframe::egui;
use egui_plot::{AxisHints, GridInput, GridMark, HLine, Line, LineStyle, Plot, PlotPoints, VLine};

use super::Settings;
use super::plot::racer_color;
use crate::surface::Race;

/// Grid marks at whole powers of ten for an axis that shows log10 of the values (at most about eight of them).
pub fn decade_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let step = ((hi - lo) / 8.0).ceil().max(1.0);
    // only marks inside the range: egui_plot would label the ones outside it above and below the frame
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| GridMark { value: k as f64 * step, step_size: step }).collect()
}

/// The label of a decade mark: `1e-3`, `1`, `1e2`.
pub fn decade_label(mark: GridMark) -> String {
    match mark.value.round() as i64 {
        0 => "1".into(),
        k => format!("1e{k}"),
    }
}

/// The step axis: labels allowed closer than egui_plot's default (short numbers in a narrow plot).
pub fn step_axis() -> Vec<AxisHints<'static>> {
    vec![AxisHints::new_x().label("step").label_spacing(28.0..=44.0)]
}

/// A number in at most four significant digits, for narrow columns: `0.1206`, `7.367e-4`, `1458`.
pub fn fmt_short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return crate::scalar::fmt_num(v);
    }
    let mag = v.abs().log10().floor() as i32;
    if (-3..5).contains(&mag) {
        let s = format!("{v:.*}", (3 - mag).max(0) as usize);
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
    } else {
        let s = format!("{v:.3e}");
        let (m, e) = s.split_once('e').expect("{:e} always has an exponent");
        format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// Draws the plot.
pub fn ui(ui: &mut egui::Ui, settings: &Settings, race: &Race) {
    let log = race.racers.iter().all(|r| r.loss.iter().all(|&l| l > 0.0));
    ui.horizontal(|ui| {
        ui.strong("Loss");
        ui.weak(if log { "log scale" } else { "linear scale (some losses ≤ 0)" });
    });
    let y = |l: f64| if log { l.log10() } else { l };
    let mut plot = Plot::new("race_loss")
        .custom_x_axes(step_axis())
        .allow_scroll(false)
        .include_x(0.0)
        .include_x(10.0)
        .label_formatter(move |pos| {
            let (name, p) = match pos {
                egui_plot::HoverPosition::NearDataPoint { plot_name, position, .. } => (*plot_name, position),
                egui_plot::HoverPosition::Elsewhere { position } => ("", position),
            };
            let loss = if log { 10f64.powf(p.y) } else { p.y };
            Some(format!("{name}\nstep {:.0}\nloss {}", p.x, crate::scalar::fmt_num(loss)))
        });
    if log {
        plot = plot.y_grid_spacer(decade_marks).y_axis_formatter(|m, _| decade_label(m));
    }
    plot.show(ui, |plot_ui| {
        for (i, (r, cfg)) in race.racers.iter().zip(&settings.racers).enumerate() {
            let points: PlotPoints = r.loss.iter().enumerate().map(|(t, &l)| [t as f64, y(l)]).collect();
            let mut line = Line::new(super::racer_name(&r.setup), points).color(racer_color(cfg.color)).width(2.0);
            if race.racers[..i].iter().any(|e| same_series(&e.loss, &r.loss)) {
                // on an earlier racer's curve: dashed, so both show
                line = line.style(LineStyle::dashed_dense());
            }
            plot_ui.line(line);
        }
        if !log || settings.threshold > 0.0 {
            plot_ui.hline(
                HLine::new("threshold", y(settings.threshold))
                    .style(LineStyle::dashed_loose())
                    .color(ui_muted(plot_ui.ctx()))
                    .allow_hover(false),
            );
        }
        plot_ui.vline(VLine::new("", race.step as f64).color(ui_muted(plot_ui.ctx())).width(0.5).allow_hover(false));
    });
}

/// Whether two curves are the same to drawing precision (relative 1e-6 at every point).
pub fn same_series(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(p, q)| (p - q).abs() <= 1e-6 * p.abs().max(q.abs()).max(1e-300))
}

/// A quiet line colour for the theme.
pub fn ui_muted(ctx: &egui::Context) -> egui::Color32 {
    if ctx.global_style().visuals.dark_mode { egui::Color32::from_gray(140) } else { egui::Color32::from_gray(110) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers_keep_four_digits() {
        assert_eq!(fmt_short(0.000736717), "7.367e-4");
        assert_eq!(fmt_short(0.120587), "0.1206");
        assert_eq!(fmt_short(3.84427), "3.844");
        assert_eq!(fmt_short(1458.0), "1458");
        assert_eq!(fmt_short(-1.0316), "-1.032");
        assert_eq!(fmt_short(2.5e-20), "2.5e-20");
        assert_eq!(fmt_short(123456.0), "1.235e5");
        assert_eq!(fmt_short(0.0), "0");
    }
}
