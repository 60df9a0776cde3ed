//! The batch-norm tab (slides 100-103): one network trained with and without batch norm, side by side; the watched
//! layer's pre-activation histograms at a chosen step, their spread over training, γ, β and the running statistics
//! as they move, one row in training mode against evaluation mode, and Santurkar et al.'s gradient change along each
//! step. Everything comes from [`crate::labs::batchnorm`], run on a [`Job`] that publishes after every probe.

use std::sync::Arc;

use eframe::egui;
use egui_plot::{Line, Plot, PlotPoints};

use super::{LabContext, LabPanel};
use crate::labs::batchnorm::{self, BnRun, Histogram, Probe, Settings};
use crate::labs::job::Job;

/// The batch-norm lab.
#[derive(Default)]
pub struct BatchNormLab {
    /// The networks and their training.
    pub settings: Settings,
    job: Option<(Settings, Job<BnRun>)>,
    /// The run as last published.
    pub run: Arc<BnRun>,
    /// The probe shown (an index into the run's probes); None follows the newest.
    pub probe: Option<usize>,
}

const COLORS: [egui::Color32; 2] = [egui::Color32::from_rgb(230, 130, 40), egui::Color32::from_rgb(60, 120, 220)];
const NAMES: [&str; 2] = ["without batch norm", "with batch norm"];
/// The lines of unit 1's parameter plot: γ, β, running mean, running variance.
const PARAMS: [(&str, egui::Color32); 4] = [
    ("γ", egui::Color32::from_rgb(214, 39, 40)),
    ("β", egui::Color32::from_rgb(44, 160, 44)),
    ("running mean", egui::Color32::from_rgb(148, 103, 189)),
    ("running var", egui::Color32::from_rgb(140, 86, 75)),
];

/// A plot's heading, wrapped to the column's width.
fn heading_ui(ui: &mut egui::Ui, text: &str) {
    ui.add(egui::Label::new(egui::RichText::new(text).strong()).wrap());
}

/// A plot's legend as a row above it: egui_plot's own legend sits inside the plot, over the lines it names.
fn legend_ui(ui: &mut egui::Ui, entries: &[(&str, egui::Color32)]) {
    ui.horizontal_wrapped(|ui| {
        for &(name, color) in entries {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0, 10.0), egui::Sense::hover());
            ui.painter().line_segment([rect.left_center(), rect.right_center()], (2.0, color));
            ui.label(name);
            ui.add_space(6.0);
        }
    });
}

impl BatchNormLab {
    /// Starts a run for the current settings if none is running or shown for them, and takes what it published.
    pub fn update(&mut self) {
        if self.job.as_ref().is_none_or(|(s, _)| *s != self.settings) {
            self.restart();
        }
        if let Some((_, job)) = &mut self.job
            && let Some(r) = job.take()
        {
            self.run = r;
        }
    }

    /// Runs again from the start (the old run is dropped and stops at its next step).
    pub fn restart(&mut self) {
        self.run = Arc::new(BnRun::default());
        self.probe = None;
        self.job = Some((self.settings.clone(), batchnorm::run_job(self.settings.clone())));
    }

    /// Whether the run is still under way.
    pub fn is_training(&self) -> bool {
        self.job.is_some() && !self.run.done
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui) {
        let s = &mut self.settings;
        ui.horizontal_wrapped(|ui| {
            ui.label("Activation:");
            for a in ["relu", "tanh"] {
                if ui.selectable_label(s.activation == a, a).clicked() {
                    s.activation = a.into();
                }
            }
        });
        ui.add(egui::Slider::new(&mut s.lr, 0.01..=2.0).logarithmic(true).text("SGD learning rate"));
        ui.add(egui::Slider::new(&mut s.steps, 50..=2000).text("steps"));
        let layers = s.hidden.len();
        ui.add(egui::Slider::new(&mut s.watch, 1..=layers).text("watched layer"));
        ui.label(format!(
            "{} points of {}, hidden {:?}, {} weights, batch {}",
            s.points, s.data, s.hidden, s.init, s.batch
        ));
        ui.horizontal(|ui| {
            if ui.button("Run again").clicked() {
                self.restart();
            }
            if !self.run.done
                && let Some((_, j)) = &self.job
                && ui.button("Stop").clicked()
            {
                j.stop();
            }
        });
    }

    fn shown_probe(&self) -> Option<&Probe> {
        let probes = &self.run.probes;
        self.probe.and_then(|i| probes.get(i)).or(probes.last())
    }

    fn norm_table_ui(ui: &mut egui::Ui, p: &Probe) {
        ui.strong(format!("Batch norm's first units at step {}", p.step));
        let n = &p.norm;
        egui::Grid::new("bn_units").striped(true).show(ui, |ui| {
            ui.strong("unit");
            for j in 0..n.gamma.len() {
                ui.strong(format!("{}", j + 1));
            }
            ui.end_row();
            let rows: [(&str, &Vec<f64>); 8] = [
                ("γ", &n.gamma),
                ("β", &n.beta),
                ("running mean", &n.running_mean),
                ("running var", &n.running_var),
                ("batch mean", &n.batch_mean),
                ("batch var", &n.batch_var),
                ("row 1, training", &n.train_out),
                ("row 1, evaluation", &n.eval_out),
            ];
            for (name, v) in rows {
                ui.label(name);
                for x in v {
                    ui.monospace(format!("{x:.3}"));
                }
                ui.end_row();
            }
        });
        ui.small(
            "Training mode normalizes with the batch's mean and variance; evaluation mode with the running ones \
             (0.9·running + 0.1·batch after each step), so one row's two outputs differ until those have caught up.",
        );
    }

    fn histogram_ui(ui: &mut egui::Ui, h: &Histogram, color: egui::Color32, size: egui::Vec2) {
        let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
        let p = ui.painter_at(rect);
        p.rect_stroke(rect, 0.0, ui.visuals().widgets.noninteractive.bg_stroke, egui::StrokeKind::Inside);
        let max = h.counts.iter().copied().max().unwrap_or(1).max(1) as f32;
        let bw = rect.width() / h.counts.len().max(1) as f32;
        for (k, &c) in h.counts.iter().enumerate() {
            let height = (rect.height() - 2.0) * c as f32 / max;
            let x = rect.left() + k as f32 * bw;
            let bar =
                egui::Rect::from_min_max(egui::pos2(x, rect.bottom() - height), egui::pos2(x + bw, rect.bottom()));
            p.rect_filled(bar, 0.0, color);
        }
        if h.lo < 0.0 && h.hi > 0.0 {
            let x0 = rect.left() + rect.width() * (-h.lo / (h.hi - h.lo)) as f32;
            p.line_segment(
                [egui::pos2(x0, rect.top()), egui::pos2(x0, rect.bottom())],
                (1.0, ui.visuals().weak_text_color()),
            );
        }
    }

    fn results_ui(&mut self, ui: &mut egui::Ui) {
        let Some(p) = self.shown_probe().cloned() else { return };
        let w = ui.available_width();
        self.histograms_ui(ui, &p, w);
        self.grad_change_ui(ui);
        let probes = &self.run.probes;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_max_width(w / 2.0 - 12.0);
                heading_ui(ui, "5th and 95th percentiles of the pre-activations");
                legend_ui(ui, &[(NAMES[0], COLORS[0]), (NAMES[1], COLORS[1])]);
                half_plot("bn_spread", w).show(ui, |pl| {
                    for k in 0..2 {
                        for (q, name) in [(0, "5 %"), (4, "95 %")] {
                            let pts: PlotPoints =
                                probes.iter().map(|p| [p.step as f64, p.nets[k].percentiles[q]]).collect();
                            pl.line(Line::new(format!("{} {name}", NAMES[k]), pts).color(COLORS[k]));
                        }
                    }
                });
            });
            ui.vertical(|ui| {
                ui.set_max_width(w / 2.0 - 12.0);
                heading_ui(ui, "unit 1: γ, β, running mean and variance");
                legend_ui(ui, &PARAMS);
                half_plot("bn_params", w).show(ui, |pl| {
                    let series = |f: fn(&Probe) -> f64| -> PlotPoints<'static> {
                        probes.iter().map(|p| [p.step as f64, f(p)]).collect()
                    };
                    let values: [fn(&Probe) -> f64; 4] = [
                        |p| p.norm.gamma[0],
                        |p| p.norm.beta[0],
                        |p| p.norm.running_mean[0],
                        |p| p.norm.running_var[0],
                    ];
                    for ((name, color), f) in PARAMS.into_iter().zip(values) {
                        pl.line(Line::new(name, series(f)).color(color));
                    }
                });
            });
        });
    }

    /// The step slider and both networks' histograms of the watched layer's pre-activations at that step.
    fn histograms_ui(&mut self, ui: &mut egui::Ui, p: &Probe, w: f32) {
        let last = self.run.probes.len().saturating_sub(1);
        let mut at = self.probe.unwrap_or(last);
        // rows and headings wrap: at 200 % zoom the column is narrower than their text
        ui.horizontal_wrapped(|ui| {
            ui.label("Histograms at step");
            if ui
                .add(egui::Slider::new(&mut at, 0..=last).custom_formatter(|v, _| {
                    self.run.probes.get(v as usize).map_or(String::new(), |p| p.step.to_string())
                }))
                .changed()
            {
                self.probe = (at < last).then_some(at);
            }
            ui.weak(format!(
                "of {} (layer {}'s pre-activations, training mode)",
                self.settings.steps, self.settings.watch
            ));
        });
        ui.horizontal_top(|ui| {
            for k in 0..2 {
                ui.vertical(|ui| {
                    let n = &p.nets[k];
                    ui.colored_label(COLORS[k], NAMES[k]);
                    Self::histogram_ui(ui, &n.hist, COLORS[k], egui::vec2(w / 2.0 - 12.0, 90.0));
                    ui.small(format!("{:.2} … {:.2}   mean {:.3}   std {:.3}", n.hist.lo, n.hist.hi, n.mean, n.std));
                });
            }
        });
    }

    /// How much the gradient changes along each step, with and without batch norm.
    fn grad_change_ui(&self, ui: &mut egui::Ui) {
        let steps = &self.run.steps;
        let change = |k: usize| -> PlotPoints<'static> {
            steps.iter().enumerate().map(|(i, s)| [(i + 1) as f64, s.grad_change[k]]).collect()
        };
        heading_ui(ui, "Gradient change along each step, |g(θ) − g(θ − η·g(θ))| with g = grad L (Santurkar et al.)");
        legend_ui(ui, &[(NAMES[0], COLORS[0]), (NAMES[1], COLORS[1])]);
        Plot::new("bn_grad_change")
            .height(130.0)
            .allow_drag(false)
            .allow_scroll(false)
            .allow_zoom(false)
            .include_y(0.0)
            .x_axis_label("step")
            .show(ui, |pl| {
                for k in 0..2 {
                    pl.line(Line::new(NAMES[k], change(k)).color(COLORS[k]));
                }
            });
        if steps.len() >= 2 {
            let [a, b] = self.run.mean_grad_change();
            ui.small(format!("mean over the second half: {a:.3} without, {b:.3} with batch norm"));
        }
    }
}

/// A plot half the column `w` wide, fixed in place (no drag, scroll or zoom), steps along x.
fn half_plot(id: &str, w: f32) -> Plot<'_> {
    Plot::new(id)
        .width(w / 2.0 - 12.0)
        .height(120.0)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_zoom(false)
        .x_axis_label("step")
}

impl LabPanel for BatchNormLab {
    fn id(&self) -> &'static str {
        "batchnorm"
    }

    fn title(&self) -> &'static str {
        "Batch norm"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut LabContext<'_>) {
        self.update();
        if self.is_training() {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
        }
        let hidden = cx.hidden.is_some();
        super::controls_panel(ui, "bn_controls").show(ui, |ui| {
            egui::ScrollArea::both().show(ui, |ui| {
                self.controls_ui(ui);
                if let Some(e) = &self.run.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                if self.is_training() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(format!(
                            "training on a worker: step {} of {}",
                            self.run.steps.len(),
                            self.settings.steps
                        ));
                    });
                }
                ui.separator();
                if hidden {
                    ui.label("Predict first: answer the lesson's question, then the numbers appear.");
                } else if let Some(p) = self.shown_probe().cloned() {
                    Self::norm_table_ui(ui, &p);
                }
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            if hidden {
                ui.centered_and_justified(|ui| ui.weak("The results are hidden until you have answered."));
                return;
            }
            egui::ScrollArea::vertical().show(ui, |ui| self.results_ui(ui));
        });
    }

    lab_settings!(Batchnorm);

    fn is_busy(&self) -> bool {
        self.job.is_none() || self.is_training()
    }
}
