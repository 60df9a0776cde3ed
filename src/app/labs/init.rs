//! The initialization lab's tab (slides 91-99): the experiment's settings, then per layer the activations' mean and
//! standard deviation (a table and a plot), the gradient's spread on the way back, and each layer's histogram. The
//! numbers come from [`crate::labs::init::run`], the code behind `chainrule init-stats`, computed on a [`Worker`];
//! the frame draws the last result and says when a new one is on its way.

use std::sync::Arc;

use eframe::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints};

use super::{LabContext, LabPanel, Worker};
use crate::labs::init::{self, Settings};
use crate::labs::{Lab, LabError};
use crate::nn::init_stats::LayerStats;

/// The initializers offered as buttons (a typed scale is the last choice).
const PRESETS: &[(&str, &str)] = &[("std 0.01", "std=0.01"), ("std 1.0", "std=1"), ("Xavier", "xavier"), ("He", "he")];

/// The initialization lab.
/// A run's settings and its per-layer statistics (or why it failed).
type Outcome = (Settings, Result<Arc<Vec<LayerStats>>, LabError>);

pub struct InitLab {
    /// The settings the results are (or will be) for.
    pub settings: Settings,
    /// The typed scale's text.
    pub scale_text: String,
    /// Why the typed scale was refused.
    pub scale_error: Option<String>,
    /// The results shown, with the settings they are for.
    pub shown: Option<(Settings, Arc<Vec<LayerStats>>)>,
    /// Why the last run failed.
    pub error: Option<String>,
    worker: Worker<Outcome>,
    running: Option<Settings>,
}

impl Default for InitLab {
    fn default() -> Self {
        Self {
            settings: Settings::default(),
            scale_text: "0.05".into(),
            scale_error: None,
            shown: None,
            error: None,
            worker: Worker::default(),
            running: None,
        }
    }
}

impl InitLab {
    /// Collects a finished run and starts one for the current settings if none is shown or running for them.
    pub fn update(&mut self, ctx: Option<&egui::Context>) {
        if let Some((s, r)) = self.worker.poll() {
            self.running = None;
            match r {
                Ok(layers) if s == self.settings => {
                    self.shown = Some((s, layers));
                    self.error = None;
                }
                Ok(_) => {} // stale: the settings changed meanwhile
                Err(e) => self.error = Some(e.to_string()),
            }
        }
        let current = self.shown.as_ref().is_some_and(|(s, _)| *s == self.settings);
        if !current && self.running.as_ref() != Some(&self.settings) && self.settings.check().is_ok() {
            let s = self.settings.clone();
            self.running = Some(s.clone());
            self.worker.start(ctx.cloned(), move || {
                let r = init::run(&s);
                (s, r)
            });
        }
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Activation:");
            for a in ["tanh", "relu"] {
                if ui.selectable_label(self.settings.activation == a, a).clicked() {
                    self.settings.activation = a.into();
                }
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("Weights:");
            for (label, init) in PRESETS {
                if ui.selectable_label(self.settings.init == *init, *label).clicked() {
                    self.settings.init = (*init).into();
                }
            }
        });
        ui.horizontal(|ui| {
            let typed = !PRESETS.iter().any(|(_, i)| *i == self.settings.init);
            let chosen = ui.selectable_label(typed, "randn ×");
            // the field is named by its button, for screen readers and tests
            let edit = ui.text_edit_singleline(&mut self.scale_text).labelled_by(chosen.id);
            if chosen.clicked() || edit.changed() {
                match self.scale_text.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() && v > 0.0 && v <= 100.0 => {
                        self.settings.init = format!("std={v}");
                        self.scale_error = None;
                    }
                    _ => self.scale_error = Some(format!("'{}': a scale from 0 to 100", self.scale_text.trim())),
                }
            }
        });
        if let Some(e) = &self.scale_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        ui.label(format!(
            "{} layers × {} units, input {} × {} standard normal",
            self.settings.depth, self.settings.width, self.settings.samples, self.settings.width
        ));
        ui.weak(self.settings.command());
    }

    fn table_ui(ui: &mut egui::Ui, layers: &[LayerStats]) {
        egui::Grid::new("init_table").striped(true).show(ui, |ui| {
            for h in ["layer", "mean", "std", "grad std"] {
                ui.strong(h);
            }
            ui.end_row();
            for l in layers {
                ui.label(l.layer.to_string());
                ui.monospace(format!("{:.6}", l.mean));
                ui.monospace(format!("{:.6}", l.std));
                ui.monospace(format!("{:.2e}", l.grad_std));
                ui.end_row();
            }
        });
    }

    fn plots_ui(ui: &mut egui::Ui, layers: &[LayerStats]) {
        let w = ui.available_width();
        let series = |f: fn(&LayerStats) -> f64| -> PlotPoints<'static> {
            layers.iter().map(|l| [l.layer as f64, f(l)]).collect()
        };
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.strong("activations by layer");
                Plot::new("init_moments")
                    .width(w / 2.0 - 8.0)
                    .height(180.0)
                    .legend(Legend::default())
                    .allow_drag(false)
                    .allow_scroll(false)
                    .allow_zoom(false)
                    .x_axis_label("layer")
                    .show(ui, |p| {
                        p.line(Line::new("mean", series(|l| l.mean)));
                        p.line(Line::new("std", series(|l| l.std)));
                    });
            });
            ui.vertical(|ui| {
                ui.strong("gradient std by layer (log₁₀)");
                Plot::new("init_grads")
                    .width(w / 2.0 - 8.0)
                    .height(180.0)
                    .allow_drag(false)
                    .allow_scroll(false)
                    .allow_zoom(false)
                    .x_axis_label("layer")
                    .show(ui, |p| p.line(Line::new("log₁₀ grad std", series(|l| l.grad_std.max(1e-300).log10()))));
            });
        });
    }

    fn histograms_ui(ui: &mut egui::Ui, layers: &[LayerStats]) {
        ui.strong("histograms (each layer's own range)");
        let cols = 5;
        let cell = egui::vec2((ui.available_width() / cols as f32 - 8.0).max(60.0), 64.0);
        let bar = ui.visuals().selection.bg_fill;
        egui::Grid::new("init_hists").spacing([8.0, 4.0]).show(ui, |ui| {
            for (i, l) in layers.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.small(format!("layer {}: {:.2e} … {:.2e}", l.layer, l.hist_min, l.hist_max));
                    let (rect, _) = ui.allocate_exact_size(cell, egui::Sense::hover());
                    let p = ui.painter_at(rect);
                    p.rect_stroke(rect, 0.0, ui.visuals().widgets.noninteractive.bg_stroke, egui::StrokeKind::Inside);
                    let max = l.hist.iter().copied().max().unwrap_or(1).max(1) as f32;
                    let bw = rect.width() / l.hist.len().max(1) as f32;
                    for (k, &c) in l.hist.iter().enumerate() {
                        let h = rect.height() * c as f32 / max;
                        let x = rect.left() + k as f32 * bw;
                        p.rect_filled(
                            egui::Rect::from_min_max(
                                egui::pos2(x, rect.bottom() - h),
                                egui::pos2(x + bw, rect.bottom()),
                            ),
                            0.0,
                            bar,
                        );
                    }
                });
                if (i + 1) % cols == 0 {
                    ui.end_row();
                }
            }
        });
    }
}

impl InitLab {
    /// Whether the results for the current settings are still to come (polling the worker first).
    pub fn is_busy_now(&mut self) -> bool {
        self.update(None);
        self.is_busy()
    }
}

impl LabPanel for InitLab {
    fn id(&self) -> &'static str {
        "init"
    }

    fn title(&self) -> &'static str {
        "Initialization"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut LabContext<'_>) {
        self.update(Some(ui.ctx()));
        let hidden = cx.hidden.is_some();
        super::controls_panel(ui, "init_controls").show(ui, |ui| {
            egui::ScrollArea::both().show(ui, |ui| {
                self.controls_ui(ui);
                ui.separator();
                if let Some(e) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                if self.worker.is_running() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("computing on a worker…");
                    });
                }
                match (&self.shown, hidden) {
                    (_, true) => {
                        ui.label("Predict first: answer the lesson's question, then the numbers appear.");
                    }
                    (Some((_, layers)), false) => Self::table_ui(ui, layers),
                    (None, false) => {}
                }
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            if hidden {
                ui.centered_and_justified(|ui| ui.weak("The results are hidden until you have answered."));
                return;
            }
            let Some((_, layers)) = self.shown.clone() else { return };
            egui::ScrollArea::vertical().show(ui, |ui| {
                Self::plots_ui(ui, &layers);
                ui.add_space(6.0);
                Self::histograms_ui(ui, &layers);
            });
        });
    }

    lab_settings!(Init);

    fn is_busy(&self) -> bool {
        self.worker.is_running() || self.shown.as_ref().is_none_or(|(s, _)| *s != self.settings)
    }
}
