//! The inputs, editable in place (the whole graph recomputes live), the output, and the nudge experiment of slides
//! 39-42: add h to one input and compare the prediction `f + ∂f/∂x · h` with the true new value.

use eframe::egui;

use super::model::Model;
use super::{Action, Settings};
use crate::app::theme::Palette;
use crate::scalar::{explain, fmt_num};

/// Up to this many inputs are listed in place; more scroll in a list of their own.
const LISTED: usize = 16;

/// The rows `range` of the inputs: name, value field, gradient so far.
fn rows_ui(
    ui: &mut egui::Ui,
    model: &Model,
    range: std::ops::Range<usize>,
    out: &str,
    p: Palette,
    actions: &mut Vec<Action>,
) {
    let known = model.known_cached().expect("computed before the rows");
    let spacing = if range.len() < model.inputs.len() { ui.spacing().item_spacing.y } else { 4.0 };
    egui::Grid::new("inputs_grid").num_columns(3).spacing([10.0, spacing]).show(ui, |ui| {
        for (name, node) in &model.inputs[range] {
            let Some(mut v) = model.input_value(name) else { continue };
            let label = ui.label(egui::RichText::new(name).monospace());
            let r = ui.add(egui::DragValue::new(&mut v).speed(0.05).max_decimals(6)).labelled_by(label.id);
            if r.changed() {
                actions.push(Action::SetInput(name.clone(), v));
            }
            let i = node.index();
            if known.complete[i] {
                ui.colored_label(p.backward, format!("∂{out}/∂{name} = {}", fmt_num(known.grad[i])));
            } else if known.touched[i] {
                // still accumulating: more consumers will add to it
                ui.colored_label(p.partial, format!("∂{out}/∂{name} = {} so far", fmt_num(known.grad[i])));
            } else {
                ui.weak(format!("∂{out}/∂{name} = ?"));
            }
            ui.end_row();
        }
    });
}

/// Draws the inputs and the nudge.
pub fn ui(ui: &mut egui::Ui, settings: &mut Settings, model: &mut Model, actions: &mut Vec<Action>) {
    let p = Palette::of(ui);
    let out = explain::name(&model.graph, model.output);
    ui.horizontal(|ui| {
        ui.strong("Inputs");
        if !settings.overrides.is_empty()
            && ui.small_button("Reset").on_hover_text("Use the program's values").clicked()
        {
            actions.push(Action::ResetInputs);
        }
    });
    model.known(settings.cursor);
    let model_ref: &Model = model;
    let rows = model_ref.inputs.len();
    if rows <= LISTED {
        rows_ui(ui, model_ref, 0..rows, &out, p, actions);
    } else {
        // a network has hundreds of inputs: they scroll in their own list, and only the rows in view are built
        let row_height = ui.spacing().interact_size.y;
        egui::ScrollArea::vertical().id_salt("inputs_scroll").max_height(320.0).show_rows(
            ui,
            row_height,
            rows,
            |ui, range| rows_ui(ui, model_ref, range, &out, p, actions),
        );
    }
    // the output's value once the forward pass has computed it, as its card shows it
    let out_known = model_ref.known_cached().is_some_and(|k| k.value[model_ref.output.index()]);
    ui.horizontal(|ui| {
        ui.label("Output");
        if out_known {
            ui.colored_label(
                p.forward,
                egui::RichText::new(format!("{out} = {}", fmt_num(model.graph.value(model.output))))
                    .monospace()
                    .strong(),
            );
        } else {
            ui.weak(egui::RichText::new(format!("{out} = ?")).monospace());
        }
    });

    ui.add_space(6.0);
    ui.strong("Nudge an input (slides 39-42)");
    if model.inputs.is_empty() {
        ui.weak("The program has no inputs.");
        return;
    }
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("nudged input").selected_text(&settings.nudge_input).show_ui(ui, |ui| {
            for (name, _) in &model.inputs {
                ui.selectable_value(&mut settings.nudge_input, name.clone(), name);
            }
        });
        let l = ui.label("h");
        ui.add(egui::DragValue::new(&mut settings.nudge_h).speed(0.01).max_decimals(6)).labelled_by(l.id);
    });
    let Some(&(_, node)) = model.inputs.iter().find(|(n, _)| *n == settings.nudge_input) else {
        ui.weak("Pick an input to nudge.");
        return;
    };
    // the prediction needs ∂f/∂x: only once the backward pass has made it final, as the inputs list shows it
    let known = model.known(settings.cursor);
    if !known.complete[node.index()] {
        ui.weak(format!(
            "The prediction {out} + ∂{out}/∂{x} · h needs ∂{out}/∂{x}: step the backward pass until {x}'s gradient is \
             final.",
            x = settings.nudge_input
        ));
        return;
    }
    let output = model.output;
    let n = explain::nudge(&mut model.graph, output, node, settings.nudge_h);
    // no numbers read off a NaN: the note says why
    let lines = if n.before.is_finite() && n.grad.is_finite() {
        explain::nudge_lines(&model.graph, output, node, &n)
    } else {
        Vec::new()
    };
    for (i, line) in lines.into_iter().enumerate() {
        let color = [p.backward, p.forward, p.muted][i.min(2)];
        ui.label(egui::RichText::new(line).monospace().color(color));
    }
    ui.weak(explain::nudge_note(&mut model.graph, output, node, &n));
}
