//! The output: the decision regions over the plane with the training points (filled) and the test points (hollow),
//! Playground's "show test data" and "discretize output" toggles. A click on a training point chooses it for "Open as
//! graph". For data that is not a plane (digits), the accuracy per class instead.

use eframe::egui::{self, Color32, Pos2, Rect, Stroke, Vec2};

use super::maps::class_color;
use super::{Action, PlaygroundView};
use crate::nn::playground::Plane;

/// Draws the panel.
pub fn ui(ui: &mut egui::Ui, view: &mut PlaygroundView) {
    ui.horizontal_wrapped(|ui| {
        ui.strong("Output");
        ui.checkbox(&mut view.settings.show_test, "Show test data");
        if ui.checkbox(&mut view.settings.discrete, "Discretize output").changed() {
            view.dirty = true;
        }
        super::csv::button_ui(ui, view);
    });
    super::points::toolbar_ui(ui, view);
    let (Some(plane), Some(texture), Some(train)) =
        (view.pictures.plane, &view.pictures.output, &view.data.train_plane)
    else {
        ui.label(format!(
            "{} inputs: no plane to draw. The curves below show the training; {} classes.",
            view.data.train.d,
            view.data.classes.len()
        ));
        let w = ui.available_width();
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            ui.set_max_width(w);
            let d = &view.data;
            super::digits::ui(ui, &view.mistakes, &d.test, &d.train, &d.classes);
        });
        return;
    };
    // room for the caption's two lines below the square, whatever the zoom
    let caption = 2.0 * ui.text_style_height(&egui::TextStyle::Body) + 2.0 * ui.spacing().item_spacing.y;
    let side = ui.available_width().min(ui.available_height() - caption).max(40.0);
    let (response, painter) = ui.allocate_painter(Vec2::splat(side), egui::Sense::click_and_drag());
    let r = response.rect;
    view.output_rect = Some(r);
    painter.image(texture.id(), r, Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)), Color32::WHITE);
    let screen = |p: &[f64]| screen_from_plane(&plane, r, p[0], p[1]);
    let classes = view.data.classes.len();
    let edge = Color32::from_gray(40);
    if view.settings.show_test
        && let Some(test) = &view.data.test_plane
    {
        for (row, &y) in test.x.chunks_exact(2).zip(&test.y) {
            painter.circle(screen(row), 3.2, Color32::WHITE, Stroke::new(1.6, class_color(y, classes)));
        }
    }
    for (row, &y) in train.x.chunks_exact(2).zip(&train.y) {
        painter.circle(screen(row), 3.2, class_color(y, classes), Stroke::new(0.8, edge));
    }
    let i = view.settings.point.min(train.n().saturating_sub(1));
    if train.n() > 0 {
        painter.circle_stroke(screen(train.row(i)), 7.0, Stroke::new(2.0, Color32::from_rgb(0xe0, 0x9b, 0x12)));
    }
    painter.rect_stroke(r, 0.0, Stroke::new(1.0, ui.visuals().weak_text_color()), egui::StrokeKind::Outside);
    if let Some(k) = super::points::interact(ui, view, &response, &plane, r) {
        view.push(Action::SelectPoint(k));
    }
    ui.add(egui::Label::new(egui::RichText::new("filled: training, hollow: test").weak()).truncate())
        .on_hover_text(format!("x and y from {:.1} to {:.1}", plane.x[0], plane.x[1]));
}

/// Where a point of the plane lies in the square `r`.
pub fn screen_from_plane(plane: &Plane, r: Rect, x: f64, y: f64) -> Pos2 {
    let fx = ((x - plane.x[0]) / (plane.x[1] - plane.x[0])) as f32;
    let fy = ((plane.y[1] - y) / (plane.y[1] - plane.y[0])) as f32;
    Pos2::new(r.left() + fx * r.width(), r.top() + fy * r.height())
}
