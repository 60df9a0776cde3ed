//! The output for data with more than two features (digits, a wide CSV), where no plane can be drawn: the confusion
//! matrix on the test part, the misclassified test samples (drawn as pictures when a row is one, as the 8×8
//! digits), and the first layer's weights as pictures when the input is an image. The numbers come from
//! [`crate::nn::confusion`]; they are remade with the other pictures, once per snapshot, never per frame.

use eframe::egui::{self, Color32, Rect, Sense, Stroke, Vec2};

use super::maps::diverging;
use crate::data::Dataset;
use crate::nn::Mlp;
use crate::nn::confusion::{Confusion, confusion, first_layer_images, image_side};

/// The most misclassified samples drawn.
pub const MAX_SHOWN: usize = 40;

/// What the panel draws, made from the network and the data.
#[derive(Debug, Default)]
pub struct Mistakes {
    /// The confusion matrix on the test part (the training part when there is no test part).
    pub confusion: Option<Confusion>,
    /// Whether it is the test part's.
    pub on_test: bool,
    /// The first layer's weights as pictures: their side and one per unit.
    pub weights: Option<(usize, Vec<Vec<f32>>)>,
}

impl Mistakes {
    /// Remakes the matrix and the pictures for `net` on `train` and `test` (nothing for 2-D data).
    pub fn rebuild(&mut self, net: &mut Mlp<f32>, train: &Dataset, test: &Dataset, plane: bool) {
        if plane {
            *self = Self::default();
            return;
        }
        self.on_test = test.n() > 0;
        let part = if self.on_test { test } else { train };
        self.confusion = confusion(net, part).ok();
        self.weights = first_layer_images(net);
    }
}

/// Draws the panel.
pub fn ui(ui: &mut egui::Ui, m: &Mistakes, test: &Dataset, train: &Dataset, classes: &[String]) {
    let Some(c) = &m.confusion else {
        ui.label("No confusion matrix: the network could not be evaluated on these data.");
        return;
    };
    let part = if m.on_test { test } else { train };
    let which = if m.on_test { "test" } else { "training" };
    ui.strong(format!("Confusion matrix ({which} part)"))
        .on_hover_text("Row: the true class; column: the predicted one. The diagonal is what the network gets right.");
    ui.label(format!("accuracy {:.1} % of {} rows; {} wrong", 100.0 * c.accuracy(), part.n(), c.wrong.len()));
    matrix_ui(ui, c, classes);
    ui.add_space(6.0);
    ui.strong(format!("Misclassified ({which} part)"));
    if c.wrong.is_empty() {
        ui.label("none");
    }
    let side = image_side(part.d);
    ui.horizontal_wrapped(|ui| {
        for &(row, t, p) in c.wrong.iter().take(MAX_SHOWN) {
            let name = |k: usize| classes.get(k).cloned().unwrap_or_else(|| k.to_string());
            let text = format!("{} as {}", name(t), name(p));
            match side {
                Some(s) => {
                    captioned(ui, s, |ui| {
                        picture(ui, &grey(part.row(row)), s, 4.0);
                        ui.small(text).on_hover_text(format!("row {row}: true {}, predicted {}", name(t), name(p)));
                    });
                }
                None => {
                    ui.small(format!("row {row}: {text}"));
                }
            }
        }
    });
    if c.wrong.len() > MAX_SHOWN {
        ui.weak(format!("and {} more", c.wrong.len() - MAX_SHOWN));
    }
    if let Some((s, pics)) = &m.weights {
        ui.add_space(6.0);
        ui.strong("First layer's weights").on_hover_text(
            "Each unit of the first hidden layer weighs the input's pixels: blue positive, orange negative. Trained, \
             they become the strokes the unit looks for.",
        );
        ui.horizontal_wrapped(|ui| {
            for (u, w) in pics.iter().enumerate() {
                let top = w.iter().fold(0.0f32, |a, v| a.max(v.abs())).max(1e-12);
                let colors: Vec<Color32> = w.iter().map(|v| diverging(v / top)).collect();
                captioned(ui, *s, |ui| {
                    picture(ui, &colors, *s, 4.0);
                    ui.small(format!("unit {u}"));
                });
            }
        });
    }
}

/// The matrix as a grid of cells: the count in each, shaded by its share of its row.
fn matrix_ui(ui: &mut egui::Ui, c: &Confusion, classes: &[String]) {
    let k = c.classes;
    let cell = ((ui.available_width() - 24.0) / (k as f32 + 1.0)).clamp(12.0, 30.0);
    let (response, painter) = ui.allocate_painter(Vec2::splat(cell * (k as f32 + 1.0)), Sense::hover());
    let o = response.rect.min;
    let text = ui.visuals().text_color();
    let font = egui::FontId::proportional((cell * 0.42).clamp(8.0, 13.0));
    let name = |j: usize| classes.get(j).cloned().unwrap_or_else(|| j.to_string());
    for j in 0..k {
        let at = |col: f32, row: f32| o + Vec2::new((col + 0.5) * cell, (row + 0.5) * cell);
        painter.text(at(j as f32 + 1.0, 0.0), egui::Align2::CENTER_CENTER, name(j), font.clone(), text);
        painter.text(at(0.0, j as f32 + 1.0), egui::Align2::CENTER_CENTER, name(j), font.clone(), text);
    }
    for t in 0..k {
        let row_total: usize = (0..k).map(|p| c.count(t, p)).sum();
        for p in 0..k {
            let n = c.count(t, p);
            let share = if row_total > 0 { n as f32 / row_total as f32 } else { 0.0 };
            let r = Rect::from_min_size(o + Vec2::new((p + 1) as f32 * cell, (t + 1) as f32 * cell), Vec2::splat(cell));
            let fill = if t == p { diverging(share) } else { diverging(-share) };
            painter.rect_filled(r.shrink(0.5), 1.0, fill);
            if n > 0 {
                painter.text(r.center(), egui::Align2::CENTER_CENTER, n.to_string(), font.clone(), Color32::BLACK);
            }
        }
    }
    response.on_hover_text("Row: the true class; column: the predicted one.");
}

/// A picture and its caption in a box of their own size, so a row of them wraps within the panel.
fn captioned(ui: &mut egui::Ui, side: usize, add: impl FnOnce(&mut egui::Ui)) {
    let size = Vec2::new((4.0 * side as f32).max(44.0), 4.0 * side as f32 + 16.0);
    ui.allocate_ui_with_layout(size, egui::Layout::top_down(egui::Align::Min), |ui| {
        ui.set_max_width(size.x);
        add(ui);
    });
}

/// A row of values as grey levels, dark for the row's largest (ink on paper, as the digits were scanned).
fn grey(row: &[f64]) -> Vec<Color32> {
    let (lo, hi) = row.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let span = (hi - lo).max(1e-12);
    row.iter().map(|&v| Color32::from_gray((255.0 * (1.0 - (v - lo) / span)) as u8)).collect()
}

/// A side × side picture of `colors` (row-major), `px` points a pixel.
fn picture(ui: &mut egui::Ui, colors: &[Color32], side: usize, px: f32) {
    let (response, painter) = ui.allocate_painter(Vec2::splat(px * side as f32), Sense::hover());
    let o = response.rect.min;
    for (i, &c) in colors.iter().enumerate() {
        let (r, col) = (i / side, i % side);
        let at = o + Vec2::new(col as f32 * px, r as f32 * px);
        painter.rect_filled(Rect::from_min_size(at, Vec2::splat(px)), 0.0, c);
    }
    painter.rect_stroke(response.rect, 0.0, Stroke::new(0.5, Color32::GRAY), egui::StrokeKind::Outside);
}
