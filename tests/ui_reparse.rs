//! Typing into a 10 000-statement program in the backprop view: the keystroke's frame returns while the worker that
//! compiles the text is held (so it cannot have waited for the compilation), the error appears with its line after
//! the worker is let go, a result for a text since changed is dropped, and a fixed text shows its new graph's size.

use chainrule::expr::sample::mixed_program;
use eframe::egui::{Key, Role};
use egui_kittest::kittest::Queryable;

mod common;
use common::window::{harness, step_until, view};

#[test]
fn typing_in_a_large_program_never_waits_for_its_compilation() {
    let mut h = harness();
    h.run();
    let program = mixed_program(10_000);
    let nodes = chainrule::expr::compile(&program, &[]).expect("compiles").graph.len();
    view(&mut h).settings.source = program.clone();
    h.run();
    h.get_by_role(Role::MultilineTextInput).focus();
    h.run();

    // held: the worker cannot compile, yet the keystroke's frame returns
    view(&mut h).reparse.hold(true);
    h.get_by_role(Role::MultilineTextInput).type_text("z");
    h.step();
    let v = view(&mut h);
    assert_eq!(v.settings.source, format!("{program}z"), "the keystroke went into the text, at its end");
    assert!(v.reparse.is_pending(), "the compilation is still to come");
    assert!(v.error.is_none(), "no result before the worker runs");
    h.get_by_label_contains("checking…");

    // let go: the trailing `z` is a statement of its own, a name without a value, and the error shows with its line
    // and column
    view(&mut h).reparse.hold(false);
    step_until(&mut h, 10, "the worker's result", |h| view(h).error.is_some());
    let typed = view(&mut h).settings.source.clone();
    let (line, column) = (10_001, 1);
    h.get_by_label_contains(&format!("Line {line}, column {column}:"));
    let Some((_, chainrule::expr::ProgramError::Syntax(e))) = &view(&mut h).error else { panic!("a syntax error") };
    assert_eq!((e.line, e.column), (line, column));
    assert_eq!(e.message, "'z' has no value");
    assert!(!view(&mut h).reparse.is_pending());

    // a result that comes back for a text the editor no longer holds is dropped
    view(&mut h).reparse.hold(true);
    h.key_press(Key::Backspace);
    h.step();
    assert_eq!(view(&mut h).settings.source, program, "the 'z' is gone again");
    view(&mut h).settings.source.push_str("\nq = 1");
    view(&mut h).reparse.hold(false);
    // the worker answers the held text; the frame takes the answer and drops it
    step_until(&mut h, 10, "the stale result", |h| !view(h).reparse.is_pending());
    h.step();
    // had the compiled (error-free) text been taken, the old error would be gone
    let v = view(&mut h);
    assert!(!v.reparse.is_pending());
    assert_eq!(v.error.as_ref().map(|(text, _)| text.as_str()), Some(typed.as_str()), "the stale result was dropped");

    // the fixed text: no error, and the editor says how large its graph is (applied with Ctrl+Enter)
    view(&mut h).settings.source = program.clone();
    h.get_by_role(Role::MultilineTextInput).type_text(" ");
    step_until(&mut h, 10, "the worker's result", |h| !view(h).reparse.is_pending());
    h.step();
    let v = view(&mut h);
    assert!(v.error.is_none(), "{:?}", v.error.as_ref().map(|e| e.1.to_string()));
    h.get_by_label(&format!("edited: {nodes} nodes — Ctrl+Enter to apply"));
}
