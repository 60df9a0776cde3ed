//! The "without non-linearities" tab (slide 67): the stack's matrices, the one matrix W' = W_L⋯W₁ (and b') they
//! equal, the two outputs side by side at a few points, and the decision regions of the linear stack (a line
//! however deep) beside the same weights with tanh between the layers. Computed by [`crate::labs::linearity`].

use eframe::egui;

use super::{LabContext, LabPanel};
use crate::labs::linearity::{self, Layer, MAX_DEPTH, MAX_WIDTH, Settings};
use crate::scalar::Unary;

/// Cells per side of each region picture.
const CELLS: usize = 48;
/// The plane shown, [−EXTENT, EXTENT]².
const EXTENT: f64 = 3.0;
/// Where the outputs are compared.
pub const POINTS: [[f64; 2]; 3] = [[1.0, 0.0], [0.0, 1.0], [-1.5, 2.0]];

/// The lab.
/// The settings, the layers, their one-matrix collapse and the two outputs compared.
type Cached = (Settings, Vec<Layer>, Layer, Vec<f64>, Vec<f64>);

#[derive(Default)]
pub struct LinearityLab {
    /// Depth, width and the weights' seed.
    pub settings: Settings,
    cache: Option<Cached>,
}

impl LinearityLab {
    /// The layers, their collapse and the two region grids (linear, tanh), cached by settings.
    fn computed(&mut self) -> &(Settings, Vec<Layer>, Layer, Vec<f64>, Vec<f64>) {
        if self.cache.as_ref().is_none_or(|c| c.0 != self.settings) {
            let l = linearity::layers(&self.settings);
            let c = linearity::collapse(&l);
            let lin = linearity::grid(&l, None, CELLS, EXTENT);
            let bent = linearity::grid(&l, Some(Unary::Tanh), CELLS, EXTENT);
            self.cache = Some((self.settings.clone(), l, c, lin, bent));
        }
        self.cache.as_ref().expect("just filled")
    }
}

fn matrix_ui(ui: &mut egui::Ui, id: &str, name: &str, l: &Layer) {
    ui.vertical(|ui| {
        ui.strong(name);
        egui::Grid::new(id).spacing([6.0, 2.0]).show(ui, |ui| {
            for r in 0..l.rows {
                for c in 0..l.cols {
                    ui.monospace(format!("{:>4}", l.w[r * l.cols + c]));
                }
                ui.monospace(format!("| {:>4}", l.b[r]));
                ui.end_row();
            }
        });
    });
}

fn regions_ui(ui: &mut egui::Ui, title: &str, values: &[f64], side: f32) {
    ui.vertical(|ui| {
        ui.strong(title);
        let (rect, _) = ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
        let p = ui.painter_at(rect);
        let cell = side / CELLS as f32;
        let (pos, neg) = (egui::Color32::from_rgb(70, 130, 200), egui::Color32::from_rgb(240, 150, 60));
        for (i, v) in values.iter().enumerate() {
            let (r, c) = (i / CELLS, i % CELLS);
            let min = rect.min + egui::vec2(c as f32 * cell, r as f32 * cell);
            p.rect_filled(
                egui::Rect::from_min_size(min, egui::vec2(cell + 0.5, cell + 0.5)),
                0.0,
                if *v > 0.0 { pos } else { neg },
            );
        }
    });
}

impl LabPanel for LinearityLab {
    fn id(&self) -> &'static str {
        "linearity"
    }

    fn title(&self) -> &'static str {
        "Without non-linearities"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut LabContext<'_>) {
        let hide = cx.hidden.is_some_and(|h| h.starts_with("w_prime") || h == "b_prime");
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.add(egui::Slider::new(&mut self.settings.depth, 1..=MAX_DEPTH).text("linear layers"));
                ui.add(egui::Slider::new(&mut self.settings.width, 1..=MAX_WIDTH).text("units per hidden layer"));
                if ui.button("New weights").clicked() {
                    self.settings.seed = self.settings.seed.wrapping_add(1);
                }
            });
            ui.label("Every layer is W·x + b (weights | bias), input (x, y), one output. Without an activation between them, the stack is one layer:");
            let (_, layers, c, lin, bent) = self.computed().clone();
            ui.horizontal_wrapped(|ui| {
                for (i, l) in layers.iter().enumerate() {
                    matrix_ui(ui, &format!("lin_w{i}"), &format!("W{} | b{}", sub(i + 1), sub(i + 1)), l);
                    ui.separator();
                }
                if hide {
                    ui.strong("W' | b' = ?  (answer first)");
                } else {
                    matrix_ui(ui, "lin_wprime", "W' = W_L...W₁ | b'", &c);
                }
            });
            ui.add_space(4.0);
            egui::Grid::new("lin_outputs").striped(true).show(ui, |ui| {
                for h in ["input", "the stack, layer by layer", "W'x + b'"] {
                    ui.strong(h);
                }
                ui.end_row();
                for p in POINTS {
                    ui.monospace(format!("({}, {})", p[0], p[1]));
                    ui.monospace(format!("{}", linearity::forward(&layers, None, p)));
                    ui.monospace(if hide { "?".into() } else { format!("{}", c.apply(&p)[0]) });
                    ui.end_row();
                }
            });
            ui.add_space(4.0);
            let side = ((ui.available_width() - 24.0) / 2.0).clamp(140.0, 300.0);
            ui.horizontal_top(|ui| {
                regions_ui(ui, "linear stack: the boundary is a line", &lin, side);
                regions_ui(ui, "the same weights with tanh between layers", &bent, side);
            });
        });
    }

    lab_settings!(Linearity);
}

/// A subscript number (W₁).
fn sub(n: usize) -> String {
    n.to_string().chars().map(|c| char::from_u32(0x2080 + c.to_digit(10).unwrap_or(0)).unwrap_or(c)).collect()
}
