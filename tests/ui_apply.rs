//! Applying a 10 000-statement program in the backprop view: the Apply click's frame returns while the builder's
//! worker is held (so it cannot have waited for the build), the old graph stays shown with "applying…" beside the
//! editor, and the new graph arrives once the worker is let go; an Apply superseded by a newer one is dropped; an
//! Apply of a text with an error shows the error at its line and keeps the old graph and the text. A restored session
//! with a large program opens at once and builds it the same way.

use chainrule::app::App;
use chainrule::app::backprop::BackpropView;
use chainrule::expr::ProgramError;
use chainrule::expr::sample::mixed_program;
use eframe::egui::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common;
use common::window::{harness, harness_of, step_until, view};

/// Puts `text` in the editor and clicks Apply; returns after the click's frame and the one after it.
fn apply(h: &mut Harness<'static, App>, text: &str) {
    view(h).settings.source = text.to_owned();
    h.step();
    h.get_by_label("Apply").click();
    h.step();
    h.step();
}

fn nodes(text: &str) -> usize {
    chainrule::expr::compile(text, &[]).expect("compiles").graph.len()
}

#[test]
fn applying_a_large_program_builds_it_off_the_ui_thread() {
    let mut h = harness();
    h.run();
    let first = view(&mut h).model.graph.len();
    let old_applied = view(&mut h).settings.applied.clone();
    let program = mixed_program(10_000);
    // one more statement, which becomes the output (the program's text ends with a newline)
    let newer = format!("{program}q = loss * 2");
    let statements = |text: &str| text.lines().filter(|l| !l.trim().is_empty()).count();

    // held: the worker cannot build, yet the click's frame returns, and the old graph is still the one shown
    view(&mut h).builder.hold(true);
    apply(&mut h, &program);
    let v = view(&mut h);
    assert!(v.is_applying(), "the build is under way");
    assert_eq!(v.model.graph.len(), first, "the old graph is still shown");
    assert_eq!(v.settings.applied, old_applied);
    h.get_by_label_contains(&format!("applying… ({} statements)", statements(&program)));

    // a newer Apply supersedes it: only the newer program's graph arrives
    apply(&mut h, &newer);
    h.get_by_label_contains(&format!("applying… ({} statements)", statements(&newer)));
    assert_eq!(view(&mut h).model.graph.len(), first);
    view(&mut h).builder.hold(false);
    step_until(&mut h, 60, "the builder's result", |h| !view(h).is_applying());
    let v = view(&mut h);
    assert_eq!(v.model.graph.len(), nodes(&newer));
    assert_eq!(v.settings.applied, newer);
    assert_eq!(v.cursor(), 0, "the timeline starts again");
    assert!(v.error.is_none());
    h.step();
    h.get_by_label(&format!("{} nodes", nodes(&newer)));
    assert!(h.query_by_label_contains("applying…").is_none());

    // an Apply overtaken by a small program's (applied in its frame) is dropped when its build comes back
    view(&mut h).builder.hold(true);
    apply(&mut h, &program);
    assert!(view(&mut h).is_applying());
    let small = "x = 2; f = x * x";
    apply(&mut h, small);
    let v = view(&mut h);
    assert!(!v.is_applying(), "a small program is applied at once");
    assert_eq!(v.settings.applied, small);
    assert_eq!(v.model.graph.len(), nodes(small));
    v.builder.hold(false);
    step_until(&mut h, 60, "the builder's result", |h| !view(h).builder.is_busy());
    for _ in 0..3 {
        h.step();
    }
    let v = view(&mut h);
    assert_eq!(v.model.graph.len(), nodes(small), "the large program's late build was dropped");
    assert_eq!(v.settings.applied, small);

    // an Apply with an error: the old graph stays, the error shows at its line, the text is kept
    let broken = format!("{program}z");
    view(&mut h).builder.hold(true);
    apply(&mut h, &broken);
    assert!(view(&mut h).is_applying());
    assert!(view(&mut h).error.is_none(), "no error before the worker runs");
    view(&mut h).builder.hold(false);
    step_until(&mut h, 60, "the builder's result", |h| !view(h).is_applying());
    h.step();
    let v = view(&mut h);
    let Some((text, ProgramError::Syntax(e))) = &v.error else { panic!("a syntax error") };
    assert_eq!(text, &broken);
    assert_eq!((e.line, e.column), (10_001, 1));
    assert_eq!(e.message, "'z' has no value");
    assert_eq!(v.settings.source, broken, "nothing typed is lost");
    assert_eq!(v.settings.applied, small);
    assert_eq!(v.model.graph.len(), nodes(small), "the old graph stays");
    h.get_by_label_contains("Line 10001, column 1:");
}

#[test]
fn an_input_set_while_a_program_builds_is_set_on_the_new_graph_too() {
    let mut h = harness();
    h.run();
    apply(&mut h, "x = 3\ny = 2\nf = x * y");
    assert_eq!(view(&mut h).model.input_value("x"), Some(3.0));
    // a large program that also has the inputs x and y: built off the UI thread
    let mut big = String::from("x = 3\ny = 2\na0 = x * y\n");
    for i in 1..600 {
        big.push_str(&format!("a{i} = a{} + x * y\n", i - 1));
    }
    view(&mut h).builder.hold(true);
    apply(&mut h, &big);
    assert!(view(&mut h).is_applying());
    // the learner sets x on the graph still shown
    h.get_by_role_and_label(Role::SpinButton, "x").set_value_accesskit(5.0);
    h.step();
    h.step();
    assert_eq!(view(&mut h).model.input_value("x"), Some(5.0), "set on the shown graph");
    view(&mut h).builder.hold(false);
    step_until(&mut h, 60, "the builder's result", |h| !view(h).is_applying());
    let v = view(&mut h);
    assert_eq!(v.settings.applied, big);
    assert_eq!(v.model.input_value("x"), Some(5.0), "the value set during the build was kept");
    assert_eq!(v.model.input_value("y"), Some(2.0));
    assert_eq!(v.settings.overrides.get("x"), Some(&5.0));
    let out = v.model.graph.value(v.model.program.output);
    assert_eq!(out, 600.0 * 5.0 * 2.0, "the new graph computed with x = 5");
}

/// The window opened on a session whose backprop view holds `program` (applied, and in the editor), with an input
/// override, the timeline at 37 and node 5 selected; the builder's worker held from the start. Also returns the
/// default graph's node count and program.
fn restored(program: &str) -> (Harness<'static, App>, usize, String) {
    let mut saved = App::default();
    let v = saved.view_mut::<BackpropView>().expect("registered");
    let (first, first_applied) = (v.model.graph.len(), v.settings.applied.clone());
    v.settings.source = program.to_owned();
    v.settings.applied = program.to_owned();
    v.settings.overrides.insert("w1".into(), 0.25);
    v.settings.cursor = 37;
    v.settings.selected = Some(5);
    let mut app = App::new(saved.session());
    let v = app.view_mut::<BackpropView>().expect("registered");
    // nothing was built before the window opened: it shows the default graph, and the build waits for a frame
    assert!(v.is_applying());
    assert_eq!(v.model.graph.len(), first);
    assert_eq!(v.settings.applied, first_applied);
    assert_eq!(v.settings.source, program, "the editor has the saved text");
    assert_eq!(v.cursor(), 0, "the saved cursor waits for its graph");
    v.builder.hold(true);
    let h = harness_of(app);
    (h, first, first_applied)
}

#[test]
fn a_restored_large_program_is_built_off_the_ui_thread_and_shown_where_the_session_left_it() {
    let program = mixed_program(2_000);
    let (mut h, first, _) = restored(&program);
    h.step();
    h.step();
    let statements = program.lines().filter(|l| !l.trim().is_empty()).count();
    h.get_by_label_contains(&format!("applying… ({statements} statements)"));
    assert_eq!(view(&mut h).model.graph.len(), first, "the frames went on while the worker was held");
    assert!(!h.state().is_settled(), "a --screenshot run would wait");
    // quitting now would save the session as it was, not the default graph shown meanwhile
    let saved = &h.state().session().views["backprop"];
    assert_eq!(saved["applied"], program.as_str());
    assert_eq!((saved["cursor"].as_u64(), saved["selected"].as_u64()), (Some(37), Some(5)));
    assert_eq!(saved["overrides"]["w1"], 0.25);
    view(&mut h).builder.hold(false);
    step_until(&mut h, 60, "the restored program's graph", |h| !view(h).is_applying());
    let v = view(&mut h);
    assert_eq!(v.model.graph.len(), nodes(&program));
    assert_eq!(v.settings.applied, program);
    assert_eq!(v.cursor(), 37, "the timeline where the session left it");
    assert_eq!(v.settings.selected, Some(5));
    assert_eq!(v.model.input_value("w1"), Some(0.25), "the saved input value");
    assert!(v.error.is_none());
    assert!(h.state().is_settled());
    h.step();
    assert!(h.query_by_label_contains("applying…").is_none());
}

#[test]
fn a_restored_large_program_that_no_longer_compiles_keeps_its_text_and_says_where() {
    let broken = format!("{}z", mixed_program(600));
    let (mut h, first, first_applied) = restored(&broken);
    h.step();
    view(&mut h).builder.hold(false);
    step_until(&mut h, 60, "the restored program's build", |h| !view(h).is_applying());
    h.step();
    let v = view(&mut h);
    let Some((text, ProgramError::Syntax(e))) = &v.error else { panic!("a syntax error") };
    assert_eq!(text, &broken);
    assert_eq!((e.line, e.column), (601, 1));
    assert_eq!(v.settings.source, broken, "nothing saved is lost");
    assert_eq!(v.settings.applied, first_applied);
    assert_eq!(v.model.graph.len(), first, "the default graph stays");
    assert!(h.state().status().is_error);
    assert!(h.state().status().text.contains("no longer compiles"), "{}", h.state().status().text);
    h.get_by_label_contains("Line 601, column 1:");
    // the session is saved as it was: nothing the learner saved is lost
    let saved = &h.state().session().views["backprop"];
    assert_eq!(saved["applied"], broken.as_str());
    assert_eq!(saved["overrides"]["w1"], 0.25);
}
