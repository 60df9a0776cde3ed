//! The explanation of the current step, with its numbers: the forward computation (`q = x + y = (-2) + 5 = 3`), or the
//! backward chain rule for each operand (`∂f/∂x = upstream (-4) × local 1 = -4`), the gate's rule in words, its
//! local derivative with the numbers plugged in, the backward-flow pattern the step shows and the gradient's sign read
//! as a nudge. The text comes from `crate::scalar::explain`.

use eframe::egui;

use super::model::{Model, Step};
use crate::app::theme::Palette;
use crate::scalar::{Op, explain, fmt_num};

/// Draws the explanation of the step the cursor has just taken.
pub fn ui(ui: &mut egui::Ui, model: &mut Model, cursor: usize) {
    let p = Palette::of(ui);
    let g = &model.graph;
    let out = explain::name(g, model.output);
    let Some(step) = model.step_at(cursor) else {
        ui.label(format!(
            "The graph computes {out} from {} inputs. The forward pass computes every node from its operands, left to \
             right; the backward pass then sends ∂{out}/∂node back, right to left, by the chain rule.",
            model.inputs.len()
        ));
        return;
    };
    let node = model.step_node(step);
    let mono = |s: String, color: egui::Color32| egui::RichText::new(s).monospace().size(15.0).color(color);
    match step {
        Step::Forward(k) => {
            ui.label(egui::RichText::new(format!("Forward step {}: {}", k + 1, title(model, node))).strong());
            ui.label(mono(explain::forward_text(&model.graph, node), p.forward));
            if let Some(why) = explain::forward_trouble(&model.graph, node) {
                ui.colored_label(p.error, format!("A NaN or an infinity starts here: {why}."));
            }
            if model.graph.op(node) != Op::Leaf {
                ui.weak(format!(
                    "{} is computed as soon as its operands are known.",
                    explain::name(&model.graph, node)
                ));
            }
        }
        Step::Backward(k) => {
            let s = &model.backward.steps[k];
            let g = &model.graph;
            ui.label(egui::RichText::new(format!("Backward step {}: {}", k + 1, title(model, node))).strong());
            let lines = explain::backward_lines(g, model.output, s);
            ui.label(mono(lines[0].clone(), p.backward));
            let rule = g.op(node).rule();
            if !rule.is_empty() {
                ui.label(egui::RichText::new(format!("Rule: {rule}.")).italics());
            }
            for (c, line) in s.contributions.iter().zip(&lines[1..]) {
                ui.horizontal_wrapped(|ui| {
                    ui.label(mono(line.clone(), p.backward));
                    ui.weak(explain::local_formula(g, node, c.position));
                });
            }
            for note in explain::step_notes(g, model.output, s) {
                ui.label(egui::RichText::new(note).italics());
            }
            if let Some(reading) = explain::sign_reading(g, model.output, node, s.upstream) {
                ui.label(reading);
            }
            if g.op(node) == Op::Leaf {
                ui.weak(format!(
                    "{} is an input: its gradient ∂{out}/∂{} = {} is complete and says how {out} moves when it is nudged.",
                    explain::name(g, node),
                    explain::name(g, node),
                    fmt_num(s.upstream)
                ));
            } else if s.contributions.iter().any(|c| c.shared) {
                ui.weak(
                    "+= : that operand is used more than once, so its gradient is the sum of what each use sends back.",
                );
            }
        }
    }
}

/// `q, the + gate`, `x, input`, or `n366, the + gate, in l2.n10` for an unnamed node inside a group.
fn title(model: &Model, node: crate::scalar::NodeId) -> String {
    let g = &model.graph;
    let kind = match g.op(node) {
        Op::Leaf => "input".to_owned(),
        op => format!("the {} gate", op.short()),
    };
    let name = explain::name(g, node);
    // a node inside a group whose name does not say so (`n366`) is placed by the group's path
    match model.groups.of(node).map(|gid| model.groups.group(gid).path.as_str()) {
        Some(path) if !name.starts_with(path) => format!("{name}, {kind}, in {path}"),
        _ => format!("{name}, {kind}"),
    }
}
