//! The program editor: a multi-line text field, the presets, Apply (Ctrl+Enter), and the error under the text at its
//! line and column while the graph keeps showing the last program that compiled. The text is checked as the learner
//! types by a worker thread ([`super::reparse`]): a keystroke never waits for a compilation. Apply of a large program
//! builds its model on another worker; the editor says "applying…" with a spinner until the new graph is shown.
//!
//! A positioned error is marked in the text itself (its token underlined, as a code editor does) and told under it:
//! the message and the hint wrap to the panel's width, and the line is shown around the caret, cut to as many
//! characters as the panel holds, so the caret is in view however long the line (a 313-character line included).

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
    // the error's place, while the error belongs to the text in the editor
    let marked = error.as_ref().filter(|(text, _)| *text == settings.source).and_then(|(text, e)| match e {
        ProgramError::Syntax(s) => error_span(text, s.line, s.column),
        _ => None,
    });
    let red = Palette::of(ui).error;
    let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, wrap_width: f32| {
        let font = egui::TextStyle::Monospace.resolve(ui.style());
        let mut job = marked_job(text.as_str(), marked.clone(), font, ui.visuals().text_color(), red);
        job.wrap.max_width = wrap_width;
        ui.ctx().fonts_mut(|f| f.layout_job(job))
    };
    // a long program scrolls inside the editor rather than pushing the other panels away
    let response = egui::ScrollArea::vertical()
        .id_salt("program_scroll")
        .max_height(220.0)
        .show(ui, |ui| {
            let edit = egui::TextEdit::multiline(&mut settings.source)
                .id_salt("program_editor")
                .font(egui::TextStyle::Monospace)
                .code_editor()
                .desired_rows(6)
                .desired_width(f32::INFINITY)
                .lock_focus(true);
            if marked.is_some() { ui.add(edit.layouter(&mut layouter)) } else { ui.add(edit) }
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
        match e {
            ProgramError::Syntax(s) => {
                ui.add(egui::Label::new(
                    egui::RichText::new(format!("Line {}, column {}: {}", s.line, s.column, s.message)).color(red),
                ));
                // the caret must stay under its column, so this does not wrap: it is cut to the panel's width
                let font = egui::FontId::monospace(12.0);
                let char_width = ui.ctx().fonts_mut(|f| f.glyph_width(&font, '0')).max(1.0);
                let fit = ((ui.available_width() / char_width) as usize).max(MIN_EXCERPT);
                let line = text.lines().nth(s.line.saturating_sub(1)).unwrap_or("");
                let (shown, caret) = excerpt(line, s.column.saturating_sub(1), fit);
                let excerpt = format!("{shown}\n{}^", " ".repeat(caret));
                ui.add(
                    egui::Label::new(egui::RichText::new(excerpt).font(font).color(red))
                        .wrap_mode(egui::TextWrapMode::Extend),
                )
                .on_hover_text(e.render(text));
                if !s.hint.is_empty() {
                    ui.add(egui::Label::new(egui::RichText::new(format!("= {}", s.hint)).color(red)));
                }
            }
            other => {
                ui.colored_label(red, other.to_string());
            }
        }
        ui.weak("The graph still shows the last program that worked.");
    }
}

/// The fewest characters of the error's line shown, however narrow the panel.
const MIN_EXCERPT: usize = 12;

/// The part of `line` shown under an error at the 0-based character `at` when `fit` characters fit: the whole line if
/// it fits, else a window of `fit` characters holding the caret (a third of it before the caret), its cut ends marked
/// `…`; and the caret's character position in it. Tabs become spaces, so the caret stays under its character.
pub fn excerpt(line: &str, at: usize, fit: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
    let n = chars.len();
    // the caret may sit one past the end (an error at the end of the line)
    if n < fit {
        return (chars.into_iter().collect(), at.min(n));
    }
    let room = fit.saturating_sub(2).max(1);
    let start = at.saturating_sub(room / 3).min((n + 1).saturating_sub(room));
    let end = (start + room).min(n);
    let mut shown: String = chars[start..end].iter().collect();
    let mut caret = at.min(n) - start;
    if start > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if end < n {
        shown.push('…');
    }
    (shown, caret)
}

/// The byte range of `text` an error at 1-based `line` and `column` marks: the name or number starting there, else the
/// one character there; at the end of a line (where something was expected), the line's last character. None if the
/// place is not in the text.
pub fn error_span(text: &str, line: usize, column: usize) -> Option<std::ops::Range<usize>> {
    let start_of_line = if line <= 1 { 0 } else { text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)? };
    let rest = &text[start_of_line..];
    let this_line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let mut chars = this_line.char_indices().skip(column.saturating_sub(1)).peekable();
    let Some(&(from, first)) = chars.peek() else {
        // past the end: the last character of the line, if it has one
        let (i, c) = this_line.char_indices().last()?;
        return Some(start_of_line + i..start_of_line + i + c.len_utf8());
    };
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let to = if word(first) {
        chars.find(|&(_, c)| !word(c)).map_or(this_line.len(), |(i, _)| i)
    } else {
        from + first.len_utf8()
    };
    Some(start_of_line + from..start_of_line + to)
}

/// The editor's text laid out with `span` (bytes) underlined and tinted in `red`.
fn marked_job(
    text: &str,
    span: Option<std::ops::Range<usize>>,
    font: egui::FontId,
    color: egui::Color32,
    red: egui::Color32,
) -> egui::text::LayoutJob {
    let plain = egui::TextFormat::simple(font.clone(), color);
    let mut job = egui::text::LayoutJob::default();
    match span.filter(|s| s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)) {
        Some(s) => {
            job.append(&text[..s.start], 0.0, plain.clone());
            let mark = egui::TextFormat {
                underline: egui::Stroke::new(2.0, red),
                background: red.gamma_multiply(0.18),
                ..egui::TextFormat::simple(font, red)
            };
            job.append(&text[s.clone()], 0.0, mark);
            job.append(&text[s.end..], 0.0, plain);
        }
        None => job.append(text, 0.0, plain),
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_excerpt_keeps_the_caret_in_view_on_a_long_line() {
        // a short line is shown whole
        assert_eq!(excerpt("x = 1 +", 7, 40), ("x = 1 +".to_owned(), 7));
        // a 313-character line with the error at its end, 30 characters wide: 28 of the line and the leading …
        let line = format!("f = {}+", "x + ".repeat(77));
        assert_eq!(line.chars().count(), 313);
        let (shown, caret) = excerpt(&line, 313, 30);
        assert!(shown.starts_with('…') && !shown.ends_with('…'), "{shown}");
        assert_eq!(shown.chars().count(), 28);
        assert!(caret < 30, "the caret at {caret} is in the 30 characters shown");
        // the character under the caret is the line's: one past the end here (the line ends in '+')
        assert_eq!(shown.chars().nth(caret - 1), Some('+'));
        // in the middle: a third of the room before the caret, cut at both ends
        let (shown, caret) = excerpt(&line, 150, 30);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(caret, 1 + 28 / 3);
        assert_eq!(shown.chars().nth(caret), line.chars().nth(150));
    }

    #[test]
    fn the_marked_span_is_the_token_at_the_error() {
        let text = "x = 2\ny = x +* 3\nz = foo.bar(1)";
        // line 2, column 8: the '*' after '+'
        assert_eq!(&text[error_span(text, 2, 8).unwrap()], "*");
        // line 3, column 5: a whole dotted name
        assert_eq!(&text[error_span(text, 3, 5).unwrap()], "foo.bar");
        // past the end of line 1: its last character
        assert_eq!(&text[error_span(text, 1, 9).unwrap()], "2");
        assert_eq!(error_span(text, 7, 1), None);
        // the layout job underlines exactly that span
        let job = marked_job(
            text,
            error_span(text, 2, 8),
            egui::FontId::monospace(12.0),
            egui::Color32::GRAY,
            egui::Color32::RED,
        );
        let marked: Vec<&str> = job
            .sections
            .iter()
            .filter(|s| s.format.underline.width > 0.0)
            .map(|s| &job.text[s.byte_range.start.0..s.byte_range.end.0])
            .collect();
        assert_eq!(marked, ["*"]);
    }
}
