//! The inspector: one racer's state after its latest step, from the optimizer itself (`Optimizer::inspect` for x
//! and for y): the gradient, the velocity or the moments m and v, their bias-corrected m̂ and v̂, the corrections
//! 1 − βᵗ, RAdam's ρₜ, the learning rate and the step; and the key to the arrows drawn on the surface. The words come
//! from [`super::caption`], built from the racer's spec.

use eframe::egui;

use super::caption;
use super::plot::{arrow_colors, racer_color, step_arrows};
use super::{Settings, racer_name};
use crate::scalar::fmt_num;
use crate::surface::Race;

/// The same for both coordinates: shown once.
fn is_shared(name: &str) -> bool {
    matches!(
        name,
        "lr" | "lr_t"
            | "bias_correction"
            | "bias_correction1"
            | "bias_correction2"
            | "rho_t"
            | "rho_inf"
            | "rectified"
            | "rect"
            | "mu_t"
            | "mu_next"
            | "mu_product"
    )
}

/// Draws the inspector.
pub fn ui(ui: &mut egui::Ui, settings: &mut Settings, race: &Race) {
    ui.strong("Inspector");
    if race.racers.is_empty() {
        ui.weak("No racers.");
        return;
    }
    let i = settings.inspected.min(race.racers.len() - 1);
    let l = ui.label("racer");
    egui::ComboBox::from_id_salt("inspected")
        .selected_text(
            egui::RichText::new(format!("● {}  {}", i + 1, settings.racers[i].spec))
                .monospace()
                .color(racer_color(settings.racers[i].color)),
        )
        .width(250.0)
        .show_ui(ui, |ui| {
            for (k, (r, cfg)) in race.racers.iter().zip(&settings.racers).enumerate() {
                let text = egui::RichText::new(format!("● {}  {}", k + 1, racer_name(&r.setup)))
                    .monospace()
                    .color(racer_color(cfg.color));
                ui.selectable_value(&mut settings.inspected, k, text);
            }
        })
        .response
        .labelled_by(l.id);
    let r = &race.racers[i];
    for line in caption::formula(&r.setup.spec) {
        ui.label(egui::RichText::new(line).color(ui.visuals().weak_text_color()));
    }
    let t = r.grads.len();
    if t == 0 {
        ui.weak("Take a step to see its state.");
        return;
    }
    let [x0, y0] = r.path[t - 1];
    let [x1, y1] = r.position();
    ui.label(format!("step {t}: from ({}, {}) to ({}, {})", fmt_num(x0), fmt_num(y0), fmt_num(x1), fmt_num(y1)));
    if r.path.len() <= t {
        ui.weak("(its last step was refused: it diverged)");
    }

    let (qx, qy) = (r.optimizer.inspect(0), r.optimizer.inspect(1));
    ui.add_space(4.0);
    egui::Grid::new("inspector_grid").num_columns(3).striped(true).spacing([14.0, 3.0]).show(ui, |ui| {
        ui.weak("");
        ui.weak("x");
        ui.weak("y");
        ui.end_row();
        for (&(name, vx), &(_, vy)) in qx.iter().zip(&qy).filter(|((n, _), _)| !is_shared(n)) {
            let (symbol, about) = caption::describe(&r.setup.spec, name).unwrap_or((name, ""));
            ui.label(egui::RichText::new(symbol).monospace()).on_hover_text(about);
            ui.label(egui::RichText::new(fmt_num(vx)).monospace());
            ui.label(egui::RichText::new(fmt_num(vy)).monospace());
            ui.end_row();
        }
    });
    ui.add_space(4.0);
    egui::Grid::new("inspector_shared").num_columns(2).spacing([14.0, 3.0]).show(ui, |ui| {
        for &(name, v) in qx.iter().filter(|(n, _)| is_shared(n)) {
            let (symbol, about) = caption::describe(&r.setup.spec, name).unwrap_or((name, ""));
            ui.label(egui::RichText::new(symbol).monospace()).on_hover_text(about);
            ui.label(egui::RichText::new(fmt_num(v)).monospace());
            ui.end_row();
        }
    });

    if let Some(arrows) = step_arrows(r) {
        ui.add_space(6.0);
        ui.strong("Arrows");
        let [c_grad, c_step, c_mom] = arrow_colors(ui.visuals().dark_mode);
        arrow_key(ui, c_grad, "−lr·g: the plain gradient step");
        arrow_key(ui, c_step, "Δθ: the step the rule took");
        if let Some(name) = arrows.momentum {
            arrow_key(ui, c_mom, &caption::momentum_arrow(&r.setup.spec, name));
        }
        ui.weak("From where the step began, on one scale: the longest is drawn 70 points long.");
    }
}

/// One line of the arrows' key: a short arrow in the colour, then the text.
fn arrow_key(ui: &mut egui::Ui, color: egui::Color32, text: &str) {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(26.0, 14.0), egui::Sense::hover());
        let (a, b) = (rect.left_center() + egui::vec2(2.0, 0.0), rect.right_center() - egui::vec2(2.0, 0.0));
        ui.painter().line_segment([a, b - egui::vec2(5.0, 0.0)], egui::Stroke::new(2.5, color));
        ui.painter().add(egui::Shape::convex_polygon(
            vec![b, b - egui::vec2(8.0, 4.5), b - egui::vec2(8.0, -4.5)],
            color,
            egui::Stroke::NONE,
        ));
        // wrapped: a long key must not widen the fixed-width panel (the plot's frame would not settle)
        ui.add(egui::Label::new(egui::RichText::new(text).color(color)).wrap());
    });
}
