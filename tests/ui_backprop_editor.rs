//! The backprop view's editor with a positioned error, driven headless through egui_kittest at 1280×720: the message
//! and its hint wrap inside the program panel, the caret's line is shown around the caret (a 313-character line
//! included) and the error's place is marked in the editor's text.

mod common;

use chainrule::app::App;
use chainrule::app::backprop::{Action, BackpropView};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness() -> Harness<'static, App> {
    common::window::harness_720()
}

fn view<'h>(h: &'h mut Harness<'static, App>) -> &'h mut BackpropView {
    h.state_mut().view_mut::<BackpropView>().expect("registered")
}

fn side(h: &Harness<'static, App>) -> egui::Rect {
    h.state().panels().into_iter().find(|(n, _)| *n == "side").expect("the program panel").1
}

/// Applies `source` as the learner would (the editor's text, then Apply).
fn apply(h: &mut Harness<'static, App>, source: &str) {
    let v = view(h);
    v.settings.source = source.to_owned();
    v.push(Action::Apply);
    h.run();
}

#[test]
fn an_error_at_the_end_of_a_313_character_line_stays_in_the_panel_with_its_caret() {
    let mut h = harness();
    let line = format!("f = {}+", "x + ".repeat(77));
    assert_eq!(line.chars().count(), 313);
    apply(&mut h, &format!("x = 1\n{line}"));
    let (line_no, column) = match &view(&mut h).error.as_ref().expect("the program has an error").1 {
        chainrule::expr::ProgramError::Syntax(s) => (s.line, s.column),
        other => panic!("{other}"),
    };
    assert_eq!(line_no, 2);
    let panel = side(&h);
    // the message wraps inside the panel
    let said = format!("Line 2, column {column}:");
    let message = h.get_by_label_contains(&said);
    assert!(panel.contains_rect(message.rect()), "{:?} leaves the panel {panel:?}", message.rect());
    // the line around the caret, cut to the panel: its last characters and the caret under the column
    let excerpt = h.get_by_label_contains("^");
    assert!(panel.contains_rect(excerpt.rect()), "{:?} leaves the panel {panel:?}", excerpt.rect());
    let text = excerpt.value().expect("a label's text");
    let mut rows = text.lines();
    let (shown, caret) = (rows.next().expect("the line"), rows.next().expect("the caret"));
    assert!(shown.starts_with('…') && shown.ends_with("x + +"), "{shown}");
    assert_eq!(caret.trim_start(), "^");
    // the caret sits under the character the error names (or just past the line's end)
    let at = caret.chars().count() - 1;
    assert_eq!(shown.chars().nth(at), line.chars().nth(column - 1), "{shown:?} / {caret:?} at column {column}");
    assert!(column > 300, "the error is at the line's end, column {column}");
    // a hint, when the error has one, wraps inside the panel too
    if let Some(hint) = h.query_by_label_contains("= expected") {
        assert!(panel.contains_rect(hint.rect()), "{:?} leaves the panel {panel:?}", hint.rect());
    }
    // the graph still shows the last program that worked
    h.get_by_label("The graph still shows the last program that worked.");
}

#[test]
fn the_error_is_marked_in_the_editor_and_the_mark_goes_with_the_error() {
    let mut h = harness();
    apply(&mut h, "x = 2\ny = x +* 3");
    let (text, e) = view(&mut h).error.clone().expect("an error");
    let chainrule::expr::ProgramError::Syntax(s) = &e else { panic!("{e}") };
    let span = chainrule::app::backprop::editor::error_span(&text, s.line, s.column).expect("a place");
    assert_eq!(&text[span], "*");
    // fixed: no error, so nothing is marked
    apply(&mut h, "x = 2\ny = x + 3");
    assert!(view(&mut h).error.is_none());
    assert!(h.query_by_label_contains("Line 2, column").is_none());
}
