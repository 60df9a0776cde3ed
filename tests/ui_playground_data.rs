//! The playground's data side, driven headless through egui_kittest: points added by a click, moved by a drag and
//! deleted by a right-click on the output, undone and redone with the keyboard and the buttons.

mod common;

use chainrule::app::App;
use chainrule::app::files::ScriptedDialogs;
use chainrule::app::playground::PlaygroundView;
use chainrule::data::{Part, PointEdit};
use chainrule::nn::playground::Setup;
use eframe::egui::{self, Key, Modifiers, PointerButton};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The window with the playground open.
fn harness() -> Harness<'static, App> {
    common::window::harness_on("Playground")
}

fn view<'h>(h: &'h mut Harness<'static, App>) -> &'h mut PlaygroundView {
    common::window::view_of(h)
}

fn click(h: &mut Harness<'static, App>, pos: egui::Pos2) {
    h.hover_at(pos);
    h.run();
    h.drag_at(pos);
    h.run();
    h.drop_at(pos);
    h.run();
}

fn said(h: &Harness<'static, App>) -> String {
    h.state().status_of("playground").expect("registered").text.clone()
}

#[test]
fn a_click_adds_a_point_and_ctrl_z_takes_it_back() {
    let mut h = harness();
    let before = view(&mut h).data.clone();
    // circle's points lie within r = 5; (5.2, 5.2) is empty and on the plot (which reaches 5.5)
    let pos = view(&mut h).plane_on_screen(5.2, 5.2).expect("the output was drawn");
    h.get_by_label("class -1").click();
    h.run();
    click(&mut h, pos);
    h.run();
    let v = view(&mut h);
    let train = v.data.train_plane.clone().expect("2-D");
    assert_eq!(train.n(), before.train.n() + 1);
    let p = train.row(train.n() - 1);
    assert!((p[0] - 5.2).abs() < 0.05 && (p[1] - 5.2).abs() < 0.05, "{p:?}");
    assert_eq!(train.y.last(), Some(&0), "the class chosen: -1");
    assert!(matches!(v.settings.setup.edits[..], [PointEdit::Add { class: 0, .. }]));
    assert!(said(&h).starts_with("Added a training point of class -1"), "{}", said(&h));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(view(&mut h).data, before, "undone: the data as generated");
    assert!(view(&mut h).settings.setup.edits.is_empty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run();
    assert_eq!(view(&mut h).data.train.n(), before.train.n() + 1, "redone");
    h.get_by_label("Undo").click();
    h.run();
    assert_eq!(view(&mut h).data, before);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(view(&mut h).data.train.n(), before.train.n() + 1, "redone by Ctrl+Shift+Z");
}

#[test]
fn an_edit_keeps_the_weights_and_other_data_drops_the_edits() {
    let mut h = harness();
    for _ in 0..3 {
        h.get_by_label("Step").click();
        h.step();
        common::window::step_until(&mut h, 60, "the end of the step", |h| !view(h).is_running());
        h.run();
    }
    let weights = view(&mut h).network().params().values().to_vec();
    let pos = view(&mut h).plane_on_screen(-5.2, 5.2).expect("drawn");
    click(&mut h, pos);
    h.run();
    assert_eq!(view(&mut h).settings.setup.edits.len(), 1);
    assert_eq!(view(&mut h).network().params().values(), &weights[..], "the same network goes on");
    h.get_by_label("xor").click();
    h.run();
    let v = view(&mut h);
    assert!(v.settings.setup.edits.is_empty(), "the edits belonged to the circle");
    assert_eq!(v.data, Setup { dataset: "xor".into(), ..Setup::default() }.data().expect("valid"));
}

#[test]
fn a_drag_moves_a_point_and_a_right_click_deletes_one() {
    let mut h = harness();
    let before = view(&mut h).data.clone();
    let from = view(&mut h).point_on_screen(3).expect("drawn");
    let to = view(&mut h).plane_on_screen(5.2, -5.2).expect("drawn");
    h.hover_at(from);
    h.run();
    h.drag_at(from);
    h.run();
    for k in 1..=4 {
        h.hover_at(from + (to - from) * (k as f32 / 4.0));
        h.run();
    }
    h.drop_at(to);
    h.run();
    h.run();
    let v = view(&mut h);
    assert!(
        matches!(v.settings.setup.edits[..], [PointEdit::Move { part: Part::Train, .. }]),
        "{:?}",
        v.settings.setup.edits
    );
    let PointEdit::Move { index, .. } = v.settings.setup.edits[0] else { unreachable!() };
    let p = v.data.train_plane.as_ref().expect("2-D").row(index).to_vec();
    assert!((p[0] - 5.2).abs() < 0.05 && (p[1] + 5.2).abs() < 0.05, "{p:?}");
    assert_eq!(v.data.train.n(), before.train.n());
    // a right-click on the moved point deletes it
    let at = v.point_on_screen(index).expect("drawn");
    h.hover_at(at);
    h.run();
    for pressed in [true, false] {
        h.input_mut().events.push(egui::Event::PointerButton {
            pos: at,
            button: PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.run();
    }
    h.run();
    let v = view(&mut h);
    assert_eq!(v.data.train.n(), before.train.n() - 1);
    assert!(matches!(v.settings.setup.edits[1], PointEdit::Delete { part: Part::Train, .. }));
    assert!(said(&h).starts_with("Deleted training point"), "{}", said(&h));
}

/// A fresh folder for a test's files.
fn folder(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("chainrule-pgdata-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn drop_file(h: &mut Harness<'static, App>, path: &std::path::Path) {
    h.input_mut().dropped_files.push(std::sync::Arc::new(common::window::Dropped(path.to_path_buf())));
    h.run();
    h.run();
}

#[test]
fn a_bad_csv_shows_its_line_and_column_and_keeps_the_data() {
    let dir = folder("bad");
    let mut h = harness();
    let before = view(&mut h).data.clone();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "a,b,label\n1,2,x\n3,4,y\n5,oops,x\n").expect("written");
    // through the Open CSV… button and the dialog
    let dialogs = ScriptedDialogs { answers: [Some(bad.clone())].into(), ..ScriptedDialogs::default() };
    h.state_mut().set_dialogs(Box::new(dialogs));
    h.get_by_label("Open CSV…").click();
    h.run();
    h.run();
    h.get_by_label_contains("line 4, column 2: 'oops' is not a number");
    assert!(h.state().status_of("playground").expect("registered").is_error);
    assert_eq!(view(&mut h).data, before, "the data that was there");
    // dropped on the window, from another view: the playground opens and says the same
    h.get_by_label("Race").click();
    h.run();
    drop_file(&mut h, &bad);
    h.get_by_label_contains("line 4, column 2");
    assert_eq!(view(&mut h).data, before);
    // a file too large is refused before it is read
    let big = dir.join("big.csv");
    std::fs::write(&big, vec![b'1'; chainrule::data::MAX_CSV_BYTES as usize + 1]).expect("written");
    drop_file(&mut h, &big);
    h.get_by_label_contains("more than the 1048576 read here");
    assert_eq!(view(&mut h).data, before);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_dropped_csv_becomes_the_data_and_the_setup_carries_it() {
    let dir = folder("good");
    let path = dir.join("four.csv");
    let text = "u,v,label\n0,0,no\n0,1,yes\n1,0,yes\n1,1,no\n0.1,0.9,yes\n0.9,0.1,yes\n";
    std::fs::write(&path, text).expect("written");
    let mut h = harness();
    drop_file(&mut h, &path);
    let name = path.display().to_string();
    let v = view(&mut h);
    assert_eq!(v.settings.setup.dataset, name);
    assert_eq!(v.data.train.n() + v.data.test.n(), 6);
    assert_eq!(v.data.classes, vec!["no".to_string(), "yes".to_string()]);
    assert!(v.data.is_plane(), "two features: the regions are drawn");
    assert_eq!(v.settings.setup.csv.as_ref().expect("carried").text, text);
    h.get_by_label_contains("Opened");
    let state = view(&mut h).settings.setup.to_file_text();
    std::fs::remove_file(&path).expect("removed");
    // the setup holds the text: it reads without the file
    assert_eq!(Setup::from_file_text(&state).expect("reads").data().expect("valid"), view(&mut h).data);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn digits_show_a_confusion_matrix_misclassified_samples_and_weight_pictures() {
    let mut h = harness();
    h.get_by_label("digits").click();
    h.run();
    h.run();
    h.get_by_label("Confusion matrix (test part)");
    h.get_by_label("First layer's weights");
    h.get_all_by_label("unit 3").next().expect("unit 3's picture");
    let v = view(&mut h);
    let c = v.mistakes.confusion.clone().expect("made");
    assert_eq!(c.counts.iter().sum::<usize>(), v.data.test.n());
    // the matrix is the network's: recount the test part's mistakes with the shown network
    let mut net = v.network().clone();
    let again = chainrule::nn::confusion::confusion(&mut net, &v.data.test).expect("evaluates");
    assert_eq!(again, c);
    let wrong = c.wrong.len();
    h.get_by_label_contains(&format!("{wrong} wrong"));
    // a misclassified sample's caption: its true and predicted digit
    if let Some(&(_, t, p)) = c.wrong.first() {
        h.get_all_by_label(&format!("{t} as {p}")).next().expect("a caption");
    }
}

#[test]
fn the_digits_output_panel_fits_the_window_at_1280_by_720() {
    let app = App::default();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(|ui, app: &mut App| app.ui_body(ui), app);
    h.run();
    h.get_by_label("Playground").click();
    h.run();
    h.get_by_label("digits").click();
    for _ in 0..4 {
        h.run();
    }
    let panels = h.state().panels();
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0));
    let output = panels.iter().find(|(n, _)| *n == "output").expect("an output panel").1;
    assert!(output.width() >= 200.0 && window.expand(1.0).contains_rect(output), "{output:?}");
    let network = panels.iter().find(|(n, _)| *n == "network").expect("a network panel").1;
    assert!(network.right() <= output.left() + 1.0, "{network:?} {output:?}");
}
