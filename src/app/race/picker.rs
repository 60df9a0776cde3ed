//! The surface picker: the presets with what each teaches, a field for any expression in x and y (its error shown
//! under it while the last good surface stays), the plotted region, the scale and the start.

use eframe::egui;

use super::{Action, Settings};
use crate::app::theme::Palette;
use crate::surface::{Domain, PRESETS};

/// Draws the picker.
pub fn ui(ui: &mut egui::Ui, settings: &mut Settings, error: &Option<(String, String)>, actions: &mut Vec<Action>) {
    let p = Palette::of(ui);
    ui.strong("Surface");
    ui.horizontal_wrapped(|ui| {
        for (i, preset) in PRESETS.iter().enumerate() {
            let selected = settings.surface == preset.name;
            if ui.selectable_label(selected, preset.name).on_hover_text(preset.note).clicked() && !selected {
                actions.push(Action::PickPreset(i));
            }
        }
    });
    if let Some(preset) = PRESETS.iter().find(|pr| pr.name == settings.surface) {
        ui.label(egui::RichText::new(preset.note).italics());
    }

    ui.add_space(4.0);
    let label = ui.label("f(x, y) =");
    let field = ui.add(
        egui::TextEdit::singleline(&mut settings.source)
            .font(egui::TextStyle::Monospace)
            .desired_width(f32::INFINITY)
            .hint_text("x^2 + 10*y^2"),
    );
    let field = field.labelled_by(label.id);
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.horizontal(|ui| {
        if ui.button("Apply").on_hover_text("Show this surface (or press Enter in the field)").clicked() || entered {
            actions.push(Action::ApplyExpression);
        }
        ui.weak("+ - * / ^, exp, log, sin, cos, tanh, ...");
    });
    if let Some((text, message)) = error
        && *text == settings.source
    {
        ui.label(egui::RichText::new(message).monospace().color(p.error));
        ui.colored_label(p.error, "The plot still shows the last surface that worked.");
    }

    ui.add_space(4.0);
    let mut d = settings.domain;
    let mut changed = false;
    egui::Grid::new("race_domain").num_columns(3).spacing([8.0, 4.0]).show(ui, |ui| {
        for (axis, range) in [("x", &mut d.x), ("y", &mut d.y)] {
            let l = ui.label(format!("{axis} from"));
            let span = (range[1] - range[0]).abs().max(1e-6);
            changed |= ui.add(egui::DragValue::new(&mut range[0]).speed(span * 0.005)).labelled_by(l.id).changed();
            let to = ui.add(egui::DragValue::new(&mut range[1]).speed(span * 0.005).prefix("to "));
            changed |= to.labelled_by(l.id).changed();
            ui.end_row();
        }
    });
    if changed {
        if d.x[0] < d.x[1] && d.y[0] < d.y[1] {
            actions.push(Action::SetDomain(d));
        } else {
            ui.colored_label(p.error, "Each range needs from < to.");
        }
    }
    if ui
        .checkbox(&mut settings.log_scale, "log colour scale")
        .on_hover_text("Colours and contour levels evenly spaced in log(f − min): for steep walls around a flat valley")
        .changed()
    {
        ui.ctx().request_repaint();
    }

    ui.checkbox(&mut settings.equal_axes, "same scale on x and y").on_hover_text(
        "Draw one unit of x as long as one unit of y, so the gradient meets the contours at right angles. \
         Off: the region fills the plot, stretched.",
    );

    ui.horizontal(|ui| {
        let l = ui.label("start");
        let mut s = settings.start;
        let span = |r: [f64; 2]| (r[1] - r[0]).abs() * 0.005;
        let a = ui.add(egui::DragValue::new(&mut s[0]).speed(span(d.x)).prefix("x ").max_decimals(3)).labelled_by(l.id);
        let b = ui.add(egui::DragValue::new(&mut s[1]).speed(span(d.y)).prefix("y ").max_decimals(3)).labelled_by(l.id);
        if a.changed() || b.changed() {
            actions.push(Action::SetStart(s));
        }
    });
    ui.weak("Click the plot to start there.");
    if !Domain::contains(&settings.domain, settings.start) {
        ui.colored_label(p.error, "The start is outside the plotted region.");
    }
}
