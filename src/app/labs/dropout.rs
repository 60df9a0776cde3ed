//! The dropout tab (slide 104): a small network at one input point with its dropout masks drawn live (dropped units
//! crossed out), PyTorch's p and the lecture's keep probability side by side, and the average of many training passes
//! against evaluation mode, unit by unit. Computed by [`crate::labs::dropout`] (the network's own dropout); a pass
//! is one small forward pass, so it runs on the frame; "Live" draws one every 400 ms without spinning.

use std::time::Duration;

use eframe::egui;

use super::{LabContext, LabPanel};
use crate::labs::dropout::{self, DropoutLab as Core, Settings};

/// Passes averaged by the "Average" button.
pub const BATCH_PASSES: usize = 1000;

/// The dropout lab.
#[derive(Default)]
pub struct DropoutLab {
    /// PyTorch's p, the network and its point.
    pub settings: Settings,
    core: Option<(Settings, Result<Core, String>)>,
    /// Draws a pass every 400 ms.
    pub live: bool,
    last_live: Option<f64>,
}

impl DropoutLab {
    /// The lab for the current settings (rebuilt, with no passes, when they change).
    pub fn core(&mut self) -> Result<&mut Core, String> {
        if self.core.as_ref().is_none_or(|(s, _)| *s != self.settings) {
            let c = Core::new(self.settings.clone()).map_err(|e| e.to_string());
            self.core = Some((self.settings.clone(), c));
        }
        self.core.as_mut().expect("just filled").1.as_mut().map_err(|e| e.clone())
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui, hide_scale: bool, status: &mut crate::app::Status) {
        let s = &mut self.settings;
        ui.add(egui::Slider::new(&mut s.p_drop, 0.0..=0.95).text("PyTorch's p (drop)"));
        let keep = dropout::keep_probability(s.p_drop);
        ui.label(format!("the lecture's p (keep) = 1 − p = {keep:.2}"));
        if hide_scale {
            ui.label("kept units are multiplied by 1/(1 − p) = ?");
        } else {
            ui.label(format!("kept units are multiplied by 1/(1 − p) = {:.4}", 1.0 / keep));
        }
        ui.horizontal(|ui| {
            let mut act = |lab: &mut Self, k: usize| {
                if let Err(e) = lab.core().and_then(|c| c.draw_many(k).map_err(|e| e.to_string())) {
                    status.error(e);
                }
            };
            if ui.button("Draw a mask").clicked() {
                act(self, 1);
            }
            if ui.button(format!("Average {BATCH_PASSES} passes")).clicked() {
                act(self, BATCH_PASSES);
            }
            if ui.button("Reset").clicked()
                && let Ok(c) = self.core()
            {
                c.reset();
            }
        });
        ui.checkbox(&mut self.live, "Live (a pass every 400 ms)");
    }

    fn network_ui(ui: &mut egui::Ui, core: &Core, hide_values: bool) {
        let widths: Vec<usize> =
            std::iter::once(2).chain(core.eval_outputs().iter().map(Vec::len)).chain(std::iter::once(1)).collect();
        let size = egui::vec2(ui.available_width(), 220.0);
        let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
        let p = ui.painter_at(rect);
        let pos = |layer: usize, unit: usize| {
            let x = rect.left() + 40.0 + (rect.width() - 80.0) * layer as f32 / (widths.len() - 1) as f32;
            let n = widths[layer] as f32;
            let y = rect.center().y + (unit as f32 - (n - 1.0) / 2.0) * (rect.height() - 20.0) / 16.0_f32.max(n);
            egui::pos2(x, y)
        };
        let masks = core.last().map(|d| d.masks.clone());
        let kept = |layer: usize, unit: usize| -> bool {
            // layer 1..=hidden has a mask; inputs and the output are always there
            match (&masks, layer) {
                (Some(m), l) if l >= 1 && l <= m.len() => m[l - 1][unit] != 0.0,
                _ => true,
            }
        };
        let ink = ui.visuals().text_color();
        let faint = ui.visuals().weak_text_color().gamma_multiply(0.3);
        for l in 0..widths.len() - 1 {
            for a in 0..widths[l] {
                for b in 0..widths[l + 1] {
                    let c = if kept(l, a) { ui.visuals().weak_text_color() } else { faint };
                    p.line_segment([pos(l, a), pos(l + 1, b)], (0.6, c));
                }
            }
        }
        for (l, &w) in widths.iter().enumerate() {
            for u in 0..w {
                let c = pos(l, u);
                if kept(l, u) {
                    p.circle_filled(c, 7.0, egui::Color32::from_rgb(60, 120, 220));
                } else {
                    p.circle_stroke(c, 7.0, (1.0, ink));
                    p.line_segment([c + egui::vec2(-5.0, -5.0), c + egui::vec2(5.0, 5.0)], (1.5, ink));
                    p.line_segment([c + egui::vec2(-5.0, 5.0), c + egui::vec2(5.0, -5.0)], (1.5, ink));
                }
            }
        }
        let caption = match core.last() {
            Some(d) if !hide_values => {
                format!("pass {}: output score {:.4} (evaluation {:.4})", core.draws(), d.score, core.eval_score())
            }
            Some(_) => format!("pass {}", core.draws()),
            None => "no pass drawn yet: evaluation mode keeps every unit".into(),
        };
        p.text(
            rect.left_top() + egui::vec2(4.0, 2.0),
            egui::Align2::LEFT_TOP,
            caption,
            egui::FontId::proportional(13.0),
            ink,
        );
    }

    fn averages_ui(ui: &mut egui::Ui, core: &Core) {
        ui.strong(format!("Each unit averaged over {} training passes, against evaluation mode", core.draws()));
        let (avg, plain, se) = (core.averages(), core.unscaled_averages(), core.std_errors());
        for (l, eval) in core.eval_outputs().iter().enumerate() {
            ui.label(if l == 0 {
                "hidden layer 1 (its input is the same every pass: the averages must match)".to_string()
            } else {
                format!("hidden layer {} (its input was itself dropped: close, not equal)", l + 1)
            });
            egui::Grid::new(("do_avg", l)).striped(true).show(ui, |ui| {
                for h in ["unit", "evaluation", "training average", "± s.e.", "without 1/(1 − p)"] {
                    ui.strong(h);
                }
                ui.end_row();
                for j in 0..eval.len() {
                    ui.label(format!("{}", j + 1));
                    ui.monospace(format!("{:+.4}", eval[j]));
                    if core.draws() == 0 {
                        ui.monospace("–");
                        ui.monospace("–");
                        ui.monospace("–");
                    } else {
                        ui.monospace(format!("{:+.4}", avg[l][j]));
                        ui.monospace(if se[l][j].is_finite() { format!("{:.4}", se[l][j]) } else { "–".into() });
                        ui.monospace(format!("{:+.4}", plain[l][j]));
                    }
                    ui.end_row();
                }
            });
        }
    }
}

impl LabPanel for DropoutLab {
    fn id(&self) -> &'static str {
        "dropout"
    }

    fn title(&self) -> &'static str {
        "Dropout"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut LabContext<'_>) {
        let hidden = cx.hidden.is_some();
        if self.live {
            let now = ui.input(|i| i.time);
            if self.last_live.is_none_or(|t| now - t >= 0.4) {
                self.last_live = Some(now);
                if let Ok(c) = self.core() {
                    let _ = c.draw();
                }
            }
            ui.ctx().request_repaint_after(Duration::from_millis(400));
        }
        super::controls_panel(ui, "do_controls").show(ui, |ui| {
            egui::ScrollArea::both().show(ui, |ui| self.controls_ui(ui, hidden, cx.status));
        });
        egui::CentralPanel::default().show(ui, |ui| {
            let core = match self.core() {
                Ok(c) => c,
                Err(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                    return;
                }
            };
            egui::ScrollArea::vertical().show(ui, |ui| {
                Self::network_ui(ui, core, hidden);
                if hidden {
                    ui.weak("The values are hidden until you have answered.");
                } else {
                    Self::averages_ui(ui, core);
                }
            });
        });
    }

    lab_settings!(Dropout);
}
