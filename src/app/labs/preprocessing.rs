//! The preprocessing tab (slides 88-90): the cloud raw, zero-centred, standardized, PCA-rotated and whitened, each
//! with its covariance matrix, and the loss curves of one network trained on the raw and on the standardized
//! inputs. Everything comes from [`crate::labs::preprocessing`]; the stages are recomputed when a setting changes
//! (O(n), cached), the training runs on a [`Job`] and the frame draws what it last published.

use std::sync::Arc;

use eframe::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints, Points};

use super::{LabContext, LabPanel};
use crate::labs::job::Job;
use crate::labs::preprocessing::{self, Curves, Settings, Stage};

/// The preprocessing lab.
#[derive(Default)]
pub struct PreprocessingLab {
    /// The cloud and the network.
    pub settings: Settings,
    /// The stages of the current settings (or why they cannot be computed).
    stages: Option<(Settings, Result<Vec<Stage>, String>)>,
    /// The training comparison under way or finished, with the settings it is for.
    job: Option<(Settings, Job<Curves>)>,
    /// The curves last published.
    pub curves: Arc<Curves>,
}

impl PreprocessingLab {
    /// Recomputes the stages if the settings changed and restarts the training comparison for them.
    pub fn update(&mut self) {
        if self.stages.as_ref().is_none_or(|(s, _)| *s != self.settings) {
            let computed = self.settings.generate().map(|d| preprocessing::stages(&d)).map_err(|e| e.to_string());
            self.stages = Some((self.settings.clone(), computed));
            self.restart();
        }
        if let Some((_, job)) = &mut self.job
            && let Some(c) = job.take()
        {
            self.curves = c;
        }
    }

    /// Starts the training comparison again for the current settings (the old run is dropped and stops).
    pub fn restart(&mut self) {
        self.job = None;
        self.curves = Arc::new(Curves::default());
        if let Ok(data) = self.settings.generate() {
            self.job = Some((self.settings.clone(), preprocessing::train_job(data, self.settings.clone())));
        }
    }

    /// Whether the training comparison is still running.
    pub fn is_training(&self) -> bool {
        self.job.is_some() && !self.curves.done
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui) {
        let s = &mut self.settings;
        ui.strong("The cloud");
        ui.add(egui::Slider::new(&mut s.correlation, -0.95..=0.95).text("correlation ρ"));
        ui.add(egui::Slider::new(&mut s.offset[0], -50.0..=50.0).text("offset x1"));
        ui.add(egui::Slider::new(&mut s.offset[1], -50.0..=50.0).text("offset x2"));
        ui.add(egui::Slider::new(&mut s.spread[0], 0.1..=20.0).text("spread x1"));
        ui.add(egui::Slider::new(&mut s.spread[1], 0.1..=20.0).text("spread x2"));
        if ui.button("New points").clicked() {
            s.seed = s.seed.wrapping_add(1);
        }
        ui.separator();
        ui.strong("Training: the same network on both");
        ui.add(egui::Slider::new(&mut s.lr, 0.001..=2.0).logarithmic(true).text("SGD learning rate"));
        ui.add(egui::Slider::new(&mut s.epochs, 5..=200).text("epochs"));
        ui.label(format!(
            "inputs 2, hidden {:?} {}, output 1, Xavier weights, batch {}, the same seed for both",
            s.hidden, s.activation, s.batch
        ));
    }

    fn covariances_ui(ui: &mut egui::Ui, stages: &[Stage], hidden: Option<&str>) {
        ui.strong("Covariance at each stage");
        egui::Grid::new("pre_cov").striped(true).show(ui, |ui| {
            for h in ["stage", "cov 11", "cov 12", "cov 22"] {
                ui.strong(h);
            }
            ui.end_row();
            for st in stages {
                ui.label(st.kind.title());
                let asked = hidden.is_some_and(|q| q.starts_with(&format!("cov:{}:", st.kind.key())));
                for v in [st.cov[0], st.cov[1], st.cov[3]] {
                    if asked {
                        ui.monospace("?");
                    } else {
                        ui.monospace(format!("{v:.4}"));
                    }
                }
                ui.end_row();
            }
        });
    }

    fn scatter_ui(ui: &mut egui::Ui, stages: &[Stage]) {
        let n = stages.len() as f32;
        let w = ((ui.available_width() - 8.0 * n) / n).max(90.0);
        ui.horizontal_top(|ui| {
            for st in stages {
                ui.vertical(|ui| {
                    ui.strong(st.kind.title());
                    ui.small(st.kind.formula());
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    for (i, &y) in st.data.y.iter().enumerate() {
                        let r = st.data.row(i);
                        if y == 0 { a.push([r[0], r[1]]) } else { b.push([r[0], r[1]]) }
                    }
                    Plot::new(("pre_scatter", st.kind.key()))
                        .width(w)
                        .height(w)
                        .data_aspect(1.0)
                        .include_x(0.0)
                        .include_y(0.0)
                        .allow_drag(false)
                        .allow_scroll(false)
                        .allow_zoom(false)
                        .show(ui, |p| {
                            p.points(
                                Points::new("class 0", a).radius(1.5).color(egui::Color32::from_rgb(230, 130, 40)),
                            );
                            p.points(
                                Points::new("class 1", b).radius(1.5).color(egui::Color32::from_rgb(60, 120, 220)),
                            );
                        });
                });
            }
        });
    }

    fn curves_ui(&self, ui: &mut egui::Ui, hidden: bool) {
        ui.horizontal(|ui| {
            ui.strong("Training loss per epoch: raw against standardized inputs");
            if self.is_training() {
                ui.spinner();
                ui.label(format!("epoch {} of {}", self.curves.raw.len(), self.settings.epochs));
            }
        });
        if let Some(e) = &self.curves.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if hidden {
            ui.weak("The loss curves are hidden until you have answered.");
            return;
        }
        let line = |v: &[crate::nn::EpochStats]| -> PlotPoints<'static> {
            v.iter().map(|s| [s.epoch as f64, s.train_loss]).collect()
        };
        Plot::new("pre_curves")
            .height(ui.available_height().clamp(120.0, 220.0))
            .legend(Legend::default())
            .allow_drag(false)
            .allow_scroll(false)
            .allow_zoom(false)
            .include_y(0.0)
            .x_axis_label("epoch")
            .show(ui, |p| {
                p.line(Line::new("raw inputs", line(&self.curves.raw)));
                p.line(Line::new("standardized inputs", line(&self.curves.standardized)));
            });
        if let (Some(r), Some(s)) = (self.curves.raw.last(), self.curves.standardized.last()) {
            ui.label(format!(
                "after epoch {}: raw loss {:.4} (accuracy {:.0} %), standardized loss {:.4} (accuracy {:.0} %)",
                r.epoch,
                r.train_loss,
                100.0 * r.train_acc,
                s.train_loss,
                100.0 * s.train_acc
            ));
        }
    }
}

impl LabPanel for PreprocessingLab {
    fn id(&self) -> &'static str {
        "preprocessing"
    }

    fn title(&self) -> &'static str {
        "Preprocessing"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut LabContext<'_>) {
        self.update();
        if self.is_training() {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
        }
        let hidden = cx.hidden;
        let stages = self.stages.as_ref().map(|(_, r)| r.clone());
        super::controls_panel(ui, "pre_controls").show(ui, |ui| {
            egui::ScrollArea::both().show(ui, |ui| {
                self.controls_ui(ui);
                ui.separator();
                match &stages {
                    Some(Ok(st)) => Self::covariances_ui(ui, st, hidden),
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    None => {}
                }
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                if let Some(Ok(st)) = &stages {
                    Self::scatter_ui(ui, st);
                }
                ui.add_space(6.0);
                self.curves_ui(ui, hidden.is_some_and(|q| q.starts_with("final_loss")));
            });
        });
    }

    lab_settings!(Preprocessing);

    fn is_busy(&self) -> bool {
        self.stages.is_none() || self.is_training()
    }
}
