//! The moving-averages tab (slides 108-109): a noisy signal and its exponentially weighted average for the chosen β,
//! with and without bias correction, the effective window 1/(1 − β), and the same average read from momentum's
//! buffer (the optimizer the race uses). Computed by [`crate::labs::ewma`].

use eframe::egui;
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints, Points};

use super::{LabContext, LabPanel};
use crate::labs::ewma::{self, MAX_STEPS, Settings, Signal};

/// What the tab draws, for the settings it was computed with.
#[derive(Clone, Debug, PartialEq)]
pub struct Curves {
    /// The samples.
    pub samples: Vec<f64>,
    /// V_t.
    pub average: Vec<f64>,
    /// V_t / (1 − βᵗ).
    pub corrected: Vec<f64>,
    /// Momentum's velocity after each step.
    pub momentum: Vec<f64>,
}

/// The lab.
#[derive(Default)]
pub struct EwmaLab {
    /// β and the signal.
    pub settings: Settings,
    cache: Option<(Settings, Curves)>,
}

impl EwmaLab {
    /// The curves for the current settings (cached).
    pub fn curves(&mut self) -> &Curves {
        if self.cache.as_ref().is_none_or(|(s, _)| *s != self.settings) {
            let s = &self.settings;
            let x = ewma::samples(s);
            let curves = Curves {
                average: ewma::average(&x, s.beta, false),
                corrected: ewma::average(&x, s.beta, true),
                momentum: ewma::momentum_buffer(&x, s.beta),
                samples: x,
            };
            self.cache = Some((s.clone(), curves));
        }
        &self.cache.as_ref().expect("just filled").1
    }
}

fn points(v: &[f64]) -> PlotPoints<'static> {
    v.iter().enumerate().map(|(i, &y)| [(i + 1) as f64, y]).collect()
}

impl LabPanel for EwmaLab {
    fn id(&self) -> &'static str {
        "ewma"
    }

    fn title(&self) -> &'static str {
        "Moving averages"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut LabContext<'_>) {
        let hidden = cx.hidden.unwrap_or("");
        let hide_avg = hidden.starts_with("average");
        let hide_cor = hidden.starts_with("corrected");
        let hide_window = hidden == "window";
        egui::ScrollArea::vertical().show(ui, |ui| self.contents_ui(ui, hide_avg, hide_cor, hide_window));
    }

    lab_settings!(Ewma);
}

impl EwmaLab {
    fn contents_ui(&mut self, ui: &mut egui::Ui, hide_avg: bool, hide_cor: bool, hide_window: bool) {
        ui.horizontal_wrapped(|ui| {
            ui.add(egui::Slider::new(&mut self.settings.beta, 0.0..=0.99).text("β"));
            ui.add(egui::Slider::new(&mut self.settings.steps, 10..=MAX_STEPS).text("steps"));
        });
        // two rows, not one wrapped row: a slider with its value does not wrap, and at 200 % one row overflowed
        ui.horizontal_wrapped(|ui| {
            ui.add(egui::Slider::new(&mut self.settings.noise, 0.0..=10.0).text("noise"));
            for (label, s) in [("sine", Signal::Sine), ("constant", Signal::Constant)] {
                if ui.selectable_label(self.settings.signal == s, label).clicked() {
                    self.settings.signal = s;
                }
            }
            if ui.button("New noise").clicked() {
                self.settings.seed = self.settings.seed.wrapping_add(1);
            }
        });
        let beta = self.settings.beta;
        let c = self.curves().clone();
        let gap = c.average.iter().zip(&c.momentum).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        ui.label(format!(
            "V_t = β·V_(t−1) + (1 − β)·θ_t from V₀ = 0 · effective window 1/(1 − β) = {} samples · momentum's buffer \
             (momentum-ewma, fed θ as its gradient) differs from V by at most {gap:.1e}",
            if hide_window { "?".into() } else { format!("{:.1}", ewma::window(beta)) }
        ));
        if !hide_avg && !hide_cor {
            ui.label(format!(
                "at step 1: V₁ = {:.4}, corrected V₁/(1 − β) = {:.4}, the sample θ₁ = {:.4}",
                c.average[0], c.corrected[0], c.samples[0]
            ));
        }
        Plot::new("ewma_plot")
            .height((ui.available_height() - 8.0).max(220.0))
            .legend(Legend::default())
            .allow_drag(false)
            .allow_scroll(false)
            .allow_zoom(false)
            .x_axis_label("step t")
            .show(ui, |p| {
                p.points(Points::new("samples θ", points(&c.samples)).radius(1.5));
                if !hide_avg {
                    p.line(Line::new("V (no correction)", points(&c.average)).width(2.0));
                    p.line(
                        Line::new("momentum's buffer", points(&c.momentum)).style(LineStyle::dashed_loose()).width(1.0),
                    );
                }
                if !hide_cor {
                    p.line(Line::new("V / (1 − β^t)", points(&c.corrected)).width(2.0));
                }
            });
    }
}
