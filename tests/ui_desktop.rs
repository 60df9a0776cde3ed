//! The window's desktop conventions, driven headless through egui_kittest: every view fits 1280×720, panels keep their
//! width under a long line, status messages stay with their view, zoom persists, presentation mode, the keyboard help,
//! program files (open, edit, save, reopen, the title, the unsaved-changes prompt, drag and drop) and the exports,
//! with the file dialogs answered by the test.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chainrule::app::backprop::{BackpropView, SIDE_MAX};
use chainrule::app::files::ScriptedDialogs;
use chainrule::app::race::RaceView;
use chainrule::app::session::StoredSession;
use chainrule::app::{App, Pending};
use eframe::egui::{self, Key, Modifiers, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The window at a laptop's size.
const SIZE: egui::Vec2 = egui::vec2(1280.0, 720.0);

fn harness_with(app: App) -> Harness<'static, App> {
    let mut h =
        Harness::builder().with_size(SIZE).with_max_steps(12).build_ui_state(|ui, app: &mut App| app.ui_body(ui), app);
    h.run();
    h
}

fn harness() -> Harness<'static, App> {
    harness_with(App::with_dialogs(StoredSession::default(), Box::new(ScriptedDialogs::default())))
}

/// The next file dialogs will answer these paths, in order.
fn answer(h: &mut Harness<'static, App>, paths: &[&Path]) {
    let dialogs = ScriptedDialogs {
        answers: paths.iter().map(|p| Some(p.to_path_buf())).collect(),
        ..ScriptedDialogs::default()
    };
    h.state_mut().set_dialogs(Box::new(dialogs));
}

/// A fresh folder for one test's files.
fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chainrule-desktop-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

fn backprop<'h>(h: &'h mut Harness<'static, App>) -> &'h mut BackpropView {
    h.state_mut().view_mut::<BackpropView>().expect("registered")
}

fn window() -> egui::Rect {
    // the harness draws at SIZE with one pixel per point
    egui::Rect::from_min_size(egui::Pos2::ZERO, SIZE)
}

/// The window's panels (the frame's and the open view's) lie inside the window and do not overlap, and every copy
/// of each label lies wholly inside the panel named beside it: nothing is cut off by the window or by a panel.
fn assert_fits(h: &Harness<'static, App>, labels: &[(&str, &str)]) {
    let panels = h.state().panels();
    for (i, (name, r)) in panels.iter().enumerate() {
        assert!(window().contains_rect(*r), "the panel '{name}' at {r:?} leaves the 1280×720 window");
        for (other, o) in &panels[i + 1..] {
            assert!(!r.shrink(1.0).intersects(o.shrink(1.0)), "the panels '{name}' {r:?} and '{other}' {o:?} overlap");
        }
    }
    for (label, panel) in labels {
        let rect = panels.iter().find(|(n, _)| n == panel).unwrap_or_else(|| panic!("no panel '{panel}'")).1;
        let nodes: Vec<_> = h.get_all_by_label(label).collect();
        assert!(!nodes.is_empty(), "'{label}' is not shown");
        for n in nodes {
            let r = n.rect();
            assert!(rect.expand(0.5).contains_rect(r), "'{label}' at {r:?} is cut off by its panel '{panel}' {rect:?}");
        }
    }
}

/// The backprop view's key widgets and their panels.
const BACKPROP_KEYS: &[(&str, &str)] = &[
    ("Backprop", "navigation"),
    ("Race", "navigation"),
    ("Open…", "navigation"),
    ("Save", "navigation"),
    ("Dark theme", "navigation"),
    ("Fit", "graph"),
    ("Export", "graph"),
    ("Presets", "side"),
    ("Apply", "side"),
    ("Gradient check", "side"),
    ("|< Start", "bottom"),
    ("Step >", "bottom"),
    ("End >|", "bottom"),
    ("steps/s", "bottom"),
];

const LONG_LINE: &str = "a = 2; b = -3; c = 10; e = a*b; d = e + c; f = -2; L = d * f; L = L + tanh(a) * exp(b) + \
                         max(a, b) + sigmoid(c) / relu(a)";

#[test]
fn the_backprop_view_fits_1280_by_720() {
    let mut h = harness();
    // with the gradient check open too, the side panel's longest content
    h.get_by_label("Gradient check").click();
    h.run();
    h.get_by_label("End >|").click();
    h.run();
    assert_fits(&h, BACKPROP_KEYS);
    let graph = backprop(&mut h).graph_rect().expect("the graph was drawn");
    assert!(window().contains_rect(graph), "{graph:?}");
    assert!(graph.width() > 600.0 && graph.height() > 300.0, "{graph:?}");
}

#[test]
fn the_lessons_view_fits_1280_by_720_mid_question() {
    use chainrule::app::lessons::{Action, LessonsView};
    let mut h = harness();
    h.get_by_label("Lessons").click();
    h.run();
    h.get_by_label_contains("1. The computational graph").click();
    h.run();
    // step 3: a gradient question answered wrong once, so the hint is shown too
    let v = h.state_mut().view_mut::<LessonsView>().expect("registered");
    v.push(Action::Go(2));
    v.push(Action::Check(chainrule::lesson::Answer::Number(3.0)));
    h.run();
    let keys = [
        ("Lessons", "navigation"),
        ("Step 3 of 5", "lesson"),
        ("Check", "lesson"),
        ("< Previous", "lesson"),
        ("Next >", "lesson"),
        ("Reset progress", "lesson"),
        (
            "Not quite. Hint: mul swaps its inputs: ∂(q·z)/∂q is the other input's value, z; then multiply by the upstream gradient ∂f/∂f = 1",
            "lesson",
        ),
        ("Step >", "bottom"),
        ("Fit", "graph"),
    ];
    assert_fits(&h, &keys);
    let graph = h.state_mut().view_mut::<LessonsView>().expect("registered").backprop.graph_rect().expect("drawn");
    assert!(window().contains_rect(graph) && graph.width() > 500.0, "{graph:?}");
    // a race step: the plot, the controls and the charts beside the lesson
    h.get_by_label("All lessons").click();
    h.run();
    h.get_by_label_contains("8. SGD vs momentum").click();
    h.run();
    assert_fits(&h, &[("Next >", "lesson"), ("Play", "controls"), ("Leaderboard", "charts")]);
}

#[test]
fn the_race_view_fits_1280_by_720_with_its_whole_leaderboard() {
    let mut h = harness();
    h.get_by_label("Race").click();
    h.run();
    h.get_by_label("Step ×10").click();
    h.run();
    let keys = [
        ("Leaderboard", "charts"),
        ("#", "charts"),
        ("loss now", "charts"),
        ("reached", "charts"),
        ("Play", "controls"),
        ("Step", "controls"),
        ("Step ×10", "controls"),
        ("Reset", "controls"),
        ("Line-ups", "setup"),
        ("Racers", "setup"),
        ("Backprop", "navigation"),
    ];
    assert_fits(&h, &keys);
    // every racer's row: its progress text ends inside the charts' panel
    let v = h.state_mut().view_mut::<RaceView>().expect("registered");
    let threshold = v.settings.threshold;
    let texts: Vec<String> =
        v.race.racers.iter().map(|r| chainrule::app::race::leaderboard::progress(r, threshold)).collect();
    assert!(!texts.is_empty());
    for t in &texts {
        assert_fits(&h, &[(t.as_str(), "charts")]);
    }
    let plot = h.state_mut().view_mut::<RaceView>().expect("registered").screen_pos([0.0, 0.0]);
    assert!(plot.is_some_and(|p| window().contains(p)), "{plot:?}");
    // a long expression (and then its error) stays inside the setup panel's bounded width
    let long = "x^2 + y^2 + 0.1*sin(3*x)*cos(3*y) + 0.05*(x - y)^2 + 0.01*exp(-(x^2 + y^2)) + 0.2*tanh(x*y)";
    for text in [long.to_owned(), format!("{long} +* 1")] {
        h.get_by_role_and_label(Role::TextInput, "f(x, y) =").focus();
        h.run();
        h.key_press_modifiers(Modifiers::COMMAND, Key::A);
        h.run();
        h.get_by_role_and_label(Role::TextInput, "f(x, y) =").type_text(&text);
        h.run();
        h.key_press(Key::Enter);
        h.run();
        assert_fits(&h, &keys);
        let setup = h.state().panels().into_iter().find(|(n, _)| *n == "setup").expect("shown").1;
        assert!(setup.width() <= 461.0, "{setup:?}");
    }
    assert!(h.state_mut().view_mut::<RaceView>().expect("registered").surface_error.is_some());
}

#[test]
fn a_long_line_scrolls_in_the_editor_instead_of_widening_the_panel() {
    let mut h = harness();
    let before = backprop(&mut h).graph_rect().expect("drawn").width();
    h.get_by_role_and_label(Role::MultilineTextInput, "Statements, one per line; the last one is the output.").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_role_and_label(Role::MultilineTextInput, "Statements, one per line; the last one is the output.")
        .type_text(LONG_LINE);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    h.run();
    assert_eq!(backprop(&mut h).settings.applied, LONG_LINE);
    assert!(backprop(&mut h).error.is_none());
    let after = backprop(&mut h).graph_rect().expect("drawn");
    // the side panel may not pass SIDE_MAX: the graph keeps at least the rest
    let least = SIZE.x - 112.0 - SIDE_MAX - 40.0;
    assert!(after.width() >= least, "the graph shrank to {} (before {before}, least {least})", after.width());
    assert_fits(&h, BACKPROP_KEYS);
    // with the gradient check open and every step taken, the longest texts of the panels are out
    h.get_by_label("Gradient check").click();
    h.run();
    h.get_by_label("End >|").click();
    h.run();
    assert_fits(&h, BACKPROP_KEYS);
    assert!(backprop(&mut h).graph_rect().expect("drawn").width() >= least);
    // a long line with an error: the caret's line scrolls sideways under the editor
    type_in_editor(&mut h, " +* 1");
    assert!(backprop(&mut h).error.is_some());
    assert_fits(&h, BACKPROP_KEYS);
    assert!(backprop(&mut h).graph_rect().expect("drawn").width() >= least);
}

#[test]
fn status_messages_stay_with_the_view_that_raised_them() {
    let mut h = harness();
    h.get_by_label("Race").click();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "f(x, y) =").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_role_and_label(Role::TextInput, "f(x, y) =").type_text("x +* y");
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert!(h.state().status().is_error, "{:?}", h.state().status());
    let message = h.state().status().text.clone();
    h.get_by_label(&message);
    // the backprop view does not show the race's error
    h.get_by_label("Backprop").click();
    h.run();
    assert!(h.query_by_label(&message).is_none());
    assert!(!h.state().status().is_error);
    h.get_by_label("Ready.");
    // a preset's message in the backprop view stays there
    h.get_by_label("Presets").click();
    h.run();
    h.get_by_label("Max gate").click();
    h.run();
    h.get_by_label_contains("Loaded the preset 'Max gate'");
    h.get_by_label("Race").click();
    h.run();
    h.get_by_label(&message);
    assert!(h.query_by_label_contains("Loaded the preset").is_none());
    assert!(h.state().status_of("backprop").expect("a view").text.contains("Max gate"));
}

#[test]
fn zoom_keys_scale_the_interface_and_the_factor_persists() {
    let mut h = harness();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Plus);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Equals);
    h.run();
    assert!((h.state().zoom() - 1.2).abs() < 1e-6, "{}", h.state().zoom());
    assert!((h.ctx.zoom_factor() - 1.2).abs() < 1e-6);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Minus);
    h.run();
    assert!((h.state().zoom() - 1.1).abs() < 1e-6, "{}", h.state().zoom());
    let session = h.state().session();
    assert!((session.zoom - 1.1).abs() < 1e-6);
    // through the stored JSON, as across a restart
    let (restored, message) = chainrule::app::session::load_session(Some(&session.to_json()));
    assert!(message.is_none());
    let mut again = harness_with(App::with_dialogs(restored, Box::new(ScriptedDialogs::default())));
    assert!((again.state().zoom() - 1.1).abs() < 1e-6);
    assert!((again.ctx.zoom_factor() - 1.1).abs() < 1e-6);
    again.key_press_modifiers(Modifiers::COMMAND, Key::Num0);
    again.run();
    assert_eq!(again.state().zoom(), 1.0);
    assert_eq!(again.ctx.zoom_factor(), 1.0);
    // a session from before zoom was saved reads as 100 %
    let old = r#"{"version": 1, "dark": false, "view": "backprop", "views": {}}"#;
    let (s, message) = chainrule::app::session::load_session(Some(old));
    assert!(message.is_none(), "{message:?}");
    assert_eq!(s.zoom, 1.0);
}

#[test]
fn presentation_mode_hides_the_side_panels_and_enlarges_the_graph() {
    let mut h = harness();
    let before = backprop(&mut h).graph_rect().expect("drawn");
    // a program wider than tall, so the fit is bound by the graph's width
    backprop(&mut h).settings.source = "a = 1\nb = a * 2\nc = b + a\nd = c * b\ne = tanh(d)\nf = e * c".into();
    backprop(&mut h).push(chainrule::app::backprop::Action::Apply);
    h.run();
    // the learner had zoomed out, which stops refitting on resize: presenting fits all the same
    let zoom_before = backprop(&mut h).canvas_mut().zoom() * 0.5;
    backprop(&mut h).canvas_mut().zoom_to(zoom_before);
    h.run();
    h.key_press(Key::F5);
    h.run();
    h.run();
    assert!(h.state().is_presenting());
    assert!(h.query_by_label("Presets").is_none());
    assert!(h.query_by_label("Open…").is_none());
    let after = backprop(&mut h).graph_rect().expect("drawn");
    assert!(after.width() > before.width() + 300.0, "{before:?} -> {after:?}");
    // the graph is refitted to its new room: drawn larger
    assert!(backprop(&mut h).canvas_mut().zoom() > zoom_before, "{zoom_before}");
    h.get_by_label("Step >");
    // the race: the plot without its setup and inspector panels
    h.key_press(Key::Escape);
    h.run();
    assert!(!h.state().is_presenting());
    h.get_by_label("Race").click();
    h.run();
    h.get_by_label("Present").click();
    h.run();
    h.run();
    assert!(h.state().is_presenting());
    assert!(h.query_by_label("Line-ups").is_none());
    h.get_by_label("Leaderboard");
    h.get_by_label("Leave presentation").click();
    h.run();
    assert!(!h.state().is_presenting());
}

#[test]
fn f1_and_question_mark_open_the_keyboard_help_of_the_view() {
    let mut h = harness();
    h.key_press(Key::F1);
    h.run();
    assert!(h.state().is_help_open());
    h.get_by_label("Keyboard shortcuts");
    h.get_by_label("Ctrl+0");
    h.get_by_label("Ctrl+Enter");
    h.get_by_label("Close").click();
    h.run();
    assert!(!h.state().is_help_open());
    assert!(h.query_by_label("Keyboard shortcuts").is_none());
    // ? in the race view lists the race's keys
    h.get_by_label("Race").click();
    h.run();
    h.event(egui::Event::Text("?".into()));
    h.run();
    assert!(h.state().is_help_open());
    h.get_by_label("click on the plot");
    h.key_press(Key::F1);
    h.run();
    assert!(!h.state().is_help_open());
    // F1 in the lessons view lists the lessons' keys
    h.get_by_label("Lessons").click();
    h.run();
    h.key_press(Key::F1);
    h.run();
    h.get_by_label("check the answer (in the answer field)");
    h.get_by_label("Esc or Ctrl+Enter");
}

#[test]
fn question_mark_types_in_the_editor_instead_of_opening_the_help() {
    let mut h = harness();
    h.get_by_role_and_label(Role::MultilineTextInput, "Statements, one per line; the last one is the output.").focus();
    h.run();
    h.event(egui::Event::Text("?".into()));
    h.run();
    assert!(!h.state().is_help_open());
    assert!(backprop(&mut h).settings.source.contains('?'));
}

/// Types `text` at the end of the program editor.
fn type_in_editor(h: &mut Harness<'static, App>, text: &str) {
    h.get_by_role_and_label(Role::MultilineTextInput, "Statements, one per line; the last one is the output.").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::End);
    h.run();
    h.get_by_role_and_label(Role::MultilineTextInput, "Statements, one per line; the last one is the output.")
        .type_text(text);
    h.run();
}

#[test]
fn open_edit_save_and_reopen_a_program_file() {
    let dir = folder("roundtrip");
    let path = dir.join("neuron.cr");
    std::fs::write(&path, "w = 3\nx = -2\nf = tanh(w * x)\n").expect("written");
    let mut h = harness();
    answer(&mut h, &[&path]);
    h.get_by_label("Open…").click();
    h.run();
    h.run();
    assert_eq!(backprop(&mut h).settings.applied, "w = 3\nx = -2\nf = tanh(w * x)\n");
    assert_eq!(h.state().title(), "neuron.cr — chainrule");
    assert_eq!(h.state().recent(), std::slice::from_ref(&path));
    assert_eq!(h.state().folder(), Some(dir.as_path()));
    h.get_by_label_contains("Opened");

    type_in_editor(&mut h, "g = f * 2");
    assert!(backprop(&mut h).settings.source.ends_with("g = f * 2"), "{:?}", backprop(&mut h).settings.source);
    assert_eq!(h.state().title(), "*neuron.cr — chainrule");
    h.get_by_label("*neuron.cr");
    // Ctrl+S saves while the editor has the keyboard
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    let saved = std::fs::read_to_string(&path).expect("saved");
    assert!(saved.ends_with("g = f * 2"), "{saved:?}");
    assert_eq!(h.state().title(), "neuron.cr — chainrule");

    // a restart reopens the file, clean
    let session = h.state().session();
    assert_eq!(session.file.as_deref(), Some(path.as_path()));
    let mut again = harness_with(App::with_dialogs(session, Box::new(ScriptedDialogs::default())));
    assert_eq!(again.state().title(), "neuron.cr — chainrule");
    assert_eq!(backprop(&mut again).settings.source, saved);

    // Save as… writes another file and ties the editor to it
    let copy = dir.join("copy");
    answer(&mut again, &[&copy]);
    again.get_by_label("Save as…").click();
    again.run();
    let copy = dir.join("copy.cr");
    assert_eq!(std::fs::read_to_string(&copy).expect("saved as"), saved);
    assert_eq!(again.state().title(), "copy.cr — chainrule");
    assert_eq!(again.state().recent(), [copy, path]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_file_that_does_not_compile_opens_with_its_error_and_keeps_the_graph() {
    let dir = folder("broken");
    let path = dir.join("broken.cr");
    std::fs::write(&path, "x = 2\nf = x +* 3\n").expect("written");
    let mut h = harness();
    let shown = backprop(&mut h).settings.applied.clone();
    answer(&mut h, &[&path]);
    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    h.run();
    h.run();
    let v = backprop(&mut h);
    assert_eq!(v.settings.source, "x = 2\nf = x +* 3\n");
    assert_eq!(v.settings.applied, shown);
    assert!(v.error.is_some());
    assert!(h.state().status().is_error);
    let _ = std::fs::remove_dir_all(dir);
}

/// Presses the window's close button.
fn request_close(h: &mut Harness<'static, App>) {
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.run();
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let dir = folder("prompt");
    let path = dir.join("lecture.cr");
    std::fs::write(&path, "x = 1\nf = x * x\n").expect("written");
    let mut h = harness();
    // nothing unsaved: the window closes without a question
    request_close(&mut h);
    assert!(h.state().prompt().is_none());
    assert!(h.state().may_close());

    answer(&mut h, &[&path]);
    h.get_by_label("Open…").click();
    h.run();
    type_in_editor(&mut h, "\ng = f + 1");
    assert!(!h.state().may_close());
    request_close(&mut h);
    assert_eq!(h.state().prompt(), Some(&Pending::Close));
    h.get_by_label("Save the changes to lecture.cr?");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.state().prompt().is_none());
    assert!(!h.state().may_close());
    assert_eq!(std::fs::read_to_string(&path).expect("file"), "x = 1\nf = x * x\n");

    request_close(&mut h);
    h.get_by_label("Don't save").click();
    h.run();
    assert!(h.state().may_close());
    assert_eq!(std::fs::read_to_string(&path).expect("file"), "x = 1\nf = x * x\n");

    // Save in the prompt writes the file, then closes
    let mut h = harness();
    answer(&mut h, &[&path]);
    h.get_by_label("Open…").click();
    h.run();
    type_in_editor(&mut h, "\ng = f + 2");
    request_close(&mut h);
    h.get_by_label("Save changes").click();
    h.run();
    assert!(h.state().may_close());
    assert!(std::fs::read_to_string(&path).expect("file").ends_with("g = f + 2"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn opening_another_file_with_unsaved_changes_asks_first() {
    let dir = folder("switch");
    let (a, b) = (dir.join("a.cr"), dir.join("b.cr"));
    std::fs::write(&a, "x = 1\nf = x + 1\n").expect("written");
    std::fs::write(&b, "y = 4\ng = y * y\n").expect("written");
    let mut h = harness();
    answer(&mut h, &[&a, &b]);
    h.get_by_label("Open…").click();
    h.run();
    type_in_editor(&mut h, "\nh = f * 3");
    h.get_by_label("Open…").click();
    h.run();
    assert_eq!(h.state().prompt(), Some(&Pending::Open(None)));
    h.get_by_label("Don't save").click();
    h.run();
    h.run();
    assert_eq!(backprop(&mut h).settings.applied, "y = 4\ng = y * y\n");
    assert_eq!(h.state().title(), "b.cr — chainrule");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dropping_a_program_file_opens_it_and_another_file_is_refused() {
    let dir = folder("drop");
    let path = dir.join("dropped.cr");
    std::fs::write(&path, "p = 5\nq = p - 1\n").expect("written");
    let mut h = harness();
    h.get_by_label("Race").click();
    h.run();
    h.input_mut().dropped_files.push(Arc::new(common::window::Dropped(path.clone())));
    h.run();
    h.run();
    assert_eq!(backprop(&mut h).settings.applied, "p = 5\nq = p - 1\n");
    assert_eq!(h.state().title(), "dropped.cr — chainrule");
    // the program's view opened
    h.get_by_label("Statements, one per line; the last one is the output.");

    let png = dir.join("picture.png");
    h.input_mut().dropped_files.push(Arc::new(common::window::Dropped(png)));
    h.run();
    assert!(h.state().status().is_error);
    h.get_by_label_contains("is not a program file");
    assert_eq!(h.state().title(), "dropped.cr — chainrule");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn exports_ask_where_through_the_dialog_and_remember_the_folder() {
    let dir = folder("export");
    let dot = dir.join("graph");
    let mut h = harness();
    answer(&mut h, &[&dot]);
    h.get_by_label("Export").click();
    h.run();
    h.get_by_label("DOT file…").click();
    h.run();
    h.run();
    let written = dir.join("graph.dot");
    let text = std::fs::read_to_string(&written).expect("the DOT file was written");
    assert!(text.contains("digraph"));
    h.get_by_label_contains(&written.display().to_string());
    assert_eq!(h.state().folder(), Some(dir.as_path()));
    // a cancelled dialog asks for no picture and says nothing new
    let before = h.state().status_of("backprop").expect("a view").text.clone();
    answer(&mut h, &[]);
    h.get_by_label("Export").click();
    h.run();
    h.get_by_label("PNG image…").click();
    let mut requests = 0;
    for _ in 0..6 {
        h.step();
        requests += screenshot_requests(&h);
    }
    assert_eq!(requests, 0, "a cancelled export requests no screenshot");
    assert_eq!(h.state().status_of("backprop").expect("a view").text, before);
    let _ = std::fs::remove_dir_all(dir);
}

/// How many screenshots the last frame asked the window for.
fn screenshot_requests(h: &Harness<'static, App>) -> usize {
    h.output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map_or(0, |root| root.commands.iter().filter(|c| matches!(c, egui::ViewportCommand::Screenshot(_))).count())
}

#[test]
fn a_dialog_that_cannot_open_says_why_and_a_cancel_says_nothing() {
    let mut h = harness();
    answer(&mut h, &[]);
    h.get_by_label("Open…").click();
    h.run();
    assert_eq!(h.state().status().text, "");
    let why = "no portal here";
    h.state_mut()
        .set_dialogs(Box::new(ScriptedDialogs { unavailable: Some(why.into()), ..ScriptedDialogs::default() }));
    h.get_by_label("Open…").click();
    h.run();
    assert!(h.state().status().is_error);
    assert_eq!(h.state().status().text, why);
    h.get_by_label("Export").click();
    h.run();
    h.get_by_label("DOT file…").click();
    h.run();
    assert_eq!(h.state().status_of("backprop").expect("a view").text, why);
}

#[test]
fn a_message_belongs_to_its_view_and_its_moment() {
    let mut h = harness();
    // a preset's "Loaded …" goes once another program is applied
    h.get_by_label("Presets").click();
    h.run();
    h.get_by_label("Max gate").click();
    h.run();
    h.get_by_label_contains("Loaded the preset 'Max gate'");
    type_in_editor(&mut h, "\ng = f * 2");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    assert!(backprop(&mut h).settings.applied.ends_with("g = f * 2"));
    assert!(h.query_by_label_contains("Loaded the preset").is_none());
    assert_eq!(h.state().status_of("backprop").expect("a view").text, "");
    // a long error of the frame's (a file that cannot be read), then a newer message of the view's: the newer is
    // shown first and whole, inside the window; the older stays, cut to the room left
    let dir = folder("moment");
    let missing = dir.join(format!("{}.cr", "a-long-name-".repeat(12)));
    answer(&mut h, &[&missing]);
    h.get_by_label("Open…").click();
    h.run();
    assert!(h.state().status().is_error, "{:?}", h.state().status());
    let old = h.state().status().text.clone();
    assert!(old.len() > 150, "{old}");
    h.get_by_label("Presets").click();
    h.run();
    h.get_by_label("Max gate").click();
    h.run();
    assert!(h.state().status().text.contains("Loaded the preset 'Max gate'"), "{:?}", h.state().status());
    let status = h.state().panels().into_iter().find(|(n, _)| *n == "status").expect("the status line").1;
    let newest = h.get_by_label_contains("Loaded the preset 'Max gate'").rect();
    assert!(status.contains_rect(newest) && window().contains_rect(newest), "{newest:?} in {status:?}");
    let older = h.get_by_label(&old).rect();
    assert!(older.min.x >= newest.max.x, "the older message comes after the newer one");
    // the race's surface message belongs to the race view: a lesson that races shows none of it
    let mut race = RaceView::default();
    let mut lesson_status = chainrule::app::Status::default();
    let lesson = chainrule::lesson::RaceView {
        surface: "x^2 + 10*y^2".into(),
        start: Some([1.0, 1.0]),
        racers: vec!["sgd:lr=0.01".into()],
        steps: 5,
    };
    race.show_lesson(&lesson, &mut lesson_status).expect("the lesson's race");
    assert_eq!(lesson_status.text, "", "{lesson_status:?}");
}

#[test]
fn every_views_key_help_renders_with_the_windows_fonts() {
    use chainrule::app;
    let mut h = common::window::harness();
    h.run();
    // the help overlay draws a key in the monospace font (Hack has →, ←) and what it does in the body font
    // (Ubuntu Light has neither): a glyph missing from its font would print as a box
    let lists = [
        ("Everywhere", app::SHORTCUTS),
        ("Backprop", app::backprop::SHORTCUTS),
        ("Race", app::race::SHORTCUTS),
        ("Lessons", app::lessons::SHORTCUTS),
        ("Playground", app::playground::SHORTCUTS),
    ];
    let (mono, body) = (egui::FontId::monospace(14.0), egui::FontId::proportional(14.0));
    let missing = |font: &egui::FontId, text: &str| -> Vec<char> {
        h.ctx.fonts_mut(|f| text.chars().filter(|&c| !c.is_whitespace() && !f.has_glyph(font, c)).collect())
    };
    // the check can fail: the body font has no arrow
    assert_eq!(missing(&body, "→"), ['→']);
    for (view, keys) in lists {
        assert!(!keys.is_empty(), "{view} lists its keys");
        for (key, what) in keys {
            assert!(missing(&mono, key).is_empty(), "{view}: key '{key}' misses {:?}", missing(&mono, key));
            assert!(missing(&body, what).is_empty(), "{view}: '{what}' misses {:?}", missing(&body, what));
        }
    }
    // the Lessons view's keys include the timeline's, which its graph steps through
    assert!(app::lessons::SHORTCUTS.iter().any(|(k, _)| k.contains("arrow")));
}
