//! The gradient check per node (lecture slides 44-45): the analytical gradient beside the central difference, their
//! relative error coloured by cs231n's band, an h slider on a log scale, and for the selected node a plot of the
//! relative error against h showing where round-off beats truncation.

use eframe::egui;
use egui_plot::{Line, Plot, PlotPoints, VLine};

use super::model::Model;
use super::{Action, Settings};
use crate::app::theme::Palette;
use crate::scalar::{Band, NodeCheck, Status, explain, fmt_num};

/// The largest graph checked automatically (the check is O(nodes²)).
const AUTO_CHECK_NODES: usize = 1500;

/// Checks and error curves, recomputed only when the program, the values or h change.
#[derive(Default)]
pub struct CheckCache {
    key: Option<(u64, u64)>,
    checks: Vec<NodeCheck>,
    curve_key: Option<(u64, u32)>,
    curve: Vec<(f64, f64)>,
}

/// The colour of a band.
pub fn band_color(p: &Palette, band: Band) -> egui::Color32 {
    match band {
        Band::Good => p.forward,
        Band::Okay => egui::Color32::from_rgb(0x3f, 0x8f, 0xbf),
        Band::Uncomfortable => p.highlight,
        Band::Wrong => p.backward,
    }
}

/// Draws the check.
pub fn ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    model: &mut Model,
    cache: &mut CheckCache,
    actions: &mut Vec<Action>,
) {
    let header = egui::CollapsingHeader::new(egui::RichText::new("Gradient check").strong())
        .id_salt("gradient_check")
        .default_open(settings.check_open);
    let response = header.show(ui, |ui| {
        let p = Palette::of(ui);
        ui.horizontal(|ui| {
            ui.add(egui::Slider::new(&mut settings.check_log_h, -12.0..=-1.0).step_by(0.25).text("log₁₀ h"));
        });
        let h = 10f64.powf(settings.check_log_h);
        ui.weak(format!("h = {}: central difference (f(x+h) − f(x−h)) / 2h", fmt_num(h)));
        if model.graph.len() > AUTO_CHECK_NODES {
            ui.weak("The graph is too large to check every node here; use `chainrule check`.");
            return;
        }
        let key = (model.generation, h.to_bits());
        if cache.key != Some(key) {
            let output = model.output;
            cache.checks = model.graph.clone().gradcheck(output, h);
            cache.key = Some(key);
        }
        egui::Grid::new("check_grid").striped(true).num_columns(4).spacing([10.0, 2.0]).show(ui, |ui| {
            ui.weak("node");
            ui.weak("analytic");
            ui.weak("numeric");
            ui.weak("rel. error");
            ui.end_row();
            for c in &cache.checks {
                let name = explain::name(&model.graph, c.node);
                let selected = settings.selected == Some(c.node.0);
                if ui.selectable_label(selected, egui::RichText::new(name).monospace()).clicked() {
                    actions.push(Action::Select(if selected { None } else { Some(c.node.0) }));
                }
                ui.monospace(fmt_num(c.analytic));
                ui.monospace(fmt_num(c.numeric));
                let mut text = format!("{:.1e} {}", c.rel_error, c.band.name());
                if matches!(c.status, Status::Kink | Status::Undefined) {
                    text.push_str(&format!(" ({})", c.status.name()));
                }
                ui.colored_label(band_color(&p, c.band), text).on_hover_text(c.band.describe());
                ui.end_row();
            }
        });
        // A kink or a non-finite value is a known limit of the check, not a wrong gradient: say which, and that the
        // analytic side follows PyTorch's conventions.
        for c in &cache.checks {
            if let Some(reason) = &c.reason {
                ui.label(
                    egui::RichText::new(format!(
                        "{}, {}: {reason}",
                        explain::name(&model.graph, c.node),
                        c.status.name()
                    ))
                    .italics(),
                );
            }
        }
        let Some(sel) = settings.selected.filter(|&s| (s as usize) < model.graph.len()) else {
            ui.weak("Select a node (here or on the graph) to see its error against h.");
            return;
        };
        let curve_key = (model.generation, sel);
        if cache.curve_key != Some(curve_key) {
            let hs: Vec<f64> = (0..=44).map(|i| 10f64.powf(-12.0 + 0.25 * f64::from(i))).collect();
            let output = model.output;
            cache.curve = explain::error_vs_h(&mut model.graph.clone(), crate::scalar::NodeId(sel), output, &hs);
            cache.curve_key = Some(curve_key);
        }
        ui.label(format!("Relative error against h for {}", explain::name(&model.graph, crate::scalar::NodeId(sel))));
        // log10 of both; an exact zero error is drawn at the floor 1e-17
        let points: Vec<[f64; 2]> = cache.curve.iter().map(|&(h, e)| [h.log10(), e.max(1e-17).log10()]).collect();
        Plot::new("error_vs_h")
            .height(150.0)
            .allow_scroll(false)
            .allow_drag(false)
            .allow_zoom(false)
            .x_axis_label("log₁₀ h")
            .y_axis_label("log₁₀ rel. error")
            .show(ui, |plot| {
                plot.line(Line::new("relative error", PlotPoints::from(points)).color(p.backward));
                plot.vline(VLine::new("h", settings.check_log_h).color(p.highlight));
            });
        ui.weak("Left: round-off grows as h shrinks (ε/h). Right: truncation grows as h² .");
    });
    settings.check_open = response.openness > 0.5;
}
