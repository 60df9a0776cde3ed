//! The program editor: a multi-line text field, the presets, Apply (Ctrl+Enter), and the error under the text at its
//! line and column while the graph keeps showing the last program that compiled. The text is checked as the learner
//! types by a worker thread ([`super::reparse`]): a keystroke never waits for a compilation. Apply of a large program
//! builds its model on another worker; the editor says "applying…" with a spinner until the new graph is shown.

use eframe::egui;

use super::model::Model;
use super::presets::PRESETS;
use super::reparse::{Checked, Reparse};
use super::{Action, Settings};
use crate::app::theme::Palette;
use crate::expr::ProgramError;

/// Draws the editor; `applying` is the number of statements of a program being applied off the UI thread.
#[allow(clippy::too_many_arguments)] // the editor's state lives in the view, borrowed apart from the model
pub fn ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    model: &Model,
    error: &Option<(String, ProgramError)>,
    checked: Option<&Checked>,
    applying: Option<usize>,
    reparse: &mut Reparse,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        ui.strong("Program");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.menu_button("Presets", |ui| {
                for (i, p) in PRESETS.iter().enumerate() {
                    if ui.button(p.name).clicked() {
                        actions.push(Action::LoadPreset(i));
                        ui.close();
                    }
                }
            })
            .response
            .on_hover_text("Load a program from the lecture, cs231n or micrograd");
        });
    });
    let label = ui.label("Statements, one per line; the last one is the output.").on_hover_text(
        "name = expression; += -= *= /= rebind a name; # starts a comment. Dotted names group nodes: everything a \
         statement named l1.n0.… makes folds into the box l1.n0, inside l1.",
    );
    // a long program scrolls inside the editor rather than pushing the other panels away
    let response = egui::ScrollArea::vertical()
        .id_salt("program_scroll")
        .max_height(220.0)
        .show(ui, |ui| {
            ui.add(
                egui::TextEdit::multiline(&mut settings.source)
                    .id_salt("program_editor")
                    .font(egui::TextStyle::Monospace)
                    .code_editor()
                    .desired_rows(6)
                    .desired_width(f32::INFINITY)
                    .lock_focus(true),
            )
        })
        .inner;
    let response = response.labelled_by(label.id);
    if response.changed() {
        // Check as the learner types, on the worker; the graph changes only on Apply.
        reparse.check(ui.ctx(), &settings.source);
    }
    ui.horizontal(|ui| {
        let edited = settings.source != settings.applied;
        if ui.add_enabled(edited, egui::Button::new("Apply")).on_hover_text("Show this program (Ctrl+Enter)").clicked()
        {
            actions.push(Action::Apply);
        }
        if let Some(statements) = applying {
            ui.spinner();
            ui.weak(format!("applying… ({statements} statements)"));
        } else if edited {
            let compiled = checked.filter(|c| c.text == settings.source).and_then(|c| c.result.as_ref().ok());
            match compiled {
                _ if reparse.is_pending() => ui.weak("edited — checking… Ctrl+Enter to apply"),
                Some(p) => ui.weak(format!("edited: {} nodes — Ctrl+Enter to apply", p.graph.len())),
                None => ui.weak("edited — Ctrl+Enter to apply"),
            };
        } else {
            ui.weak(format!("{} nodes", model.graph.len()));
        }
    });
    if let Some((text, e)) = error.as_ref().filter(|(text, _)| *text == settings.source) {
        let red = Palette::of(ui).error;
        let place = match e {
            ProgramError::Syntax(s) => format!("Line {}, column {}: {}", s.line, s.column, s.message),
            other => other.to_string(),
        };
        ui.colored_label(red, place);
        // the caret must stay under its column, so the message does not wrap: it scrolls sideways in the panel
        egui::ScrollArea::horizontal().id_salt("program_error_scroll").show(ui, |ui| {
            ui.add(
                egui::Label::new(egui::RichText::new(e.render(text)).monospace().color(red).size(12.0))
                    .wrap_mode(egui::TextWrapMode::Extend),
            );
        });
        ui.weak("The graph still shows the last program that worked.");
    }
}
