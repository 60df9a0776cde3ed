//! A playground lesson walked in the window through egui_kittest, by the labels a learner sees: the step opens the
//! lesson's playground on the step's setup with the losses, the accuracy, the curves and the monitors hidden and
//! training held; a wrong width gets the hint; the right one is accepted, and then the lesson trains the network with
//! that width for the step's epochs and the readouts show.

mod common;

use chainrule::app::App;
use chainrule::app::lessons::LessonsView;
use chainrule::app::playground::lesson::HIDDEN_TEXT;
use eframe::egui::{Key, Modifiers, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn harness() -> Harness<'static, App> {
    common::window::harness_720()
}

fn lessons<'h>(h: &'h mut Harness<'static, App>) -> &'h mut LessonsView {
    h.state_mut().view_mut::<LessonsView>().expect("the lessons view is registered")
}

/// Types `text` into the field labelled `field` and presses Check.
fn answer(h: &mut Harness<'static, App>, field: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, field).focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_role_and_label(Role::TextInput, field).type_text(text);
    h.run();
    h.get_by_label("Check").click();
    h.run();
}

/// Whether anything on screen shows a loss or an accuracy of the run: the controls' figures (`train loss 0.23`,
/// `test loss ...`, `test accuracy 100.0 %`), the curves' titles, the monitors' table.
fn shows_readouts(h: &Harness<'static, App>) -> bool {
    ["train loss ", "test loss ", "Health monitors"].iter().any(|l| h.query_by_label_contains(l).is_some())
        || ["loss", "accuracy"].iter().any(|l| h.query_by_label(l).is_some())
}

#[test]
fn a_playground_step_hides_its_quantity_hints_a_wrong_width_and_trains_the_right_one() {
    let mut h = harness();
    h.get_by_label("Lessons").click();
    h.run();
    h.get_by_label_contains("13. The decision boundary").click();
    h.run();
    h.get_by_label("Step 1 of 6");
    h.get_by_label("After 60 epochs, what share of the test points does it classify right (0 to 1)?");
    // the step's setup on a fresh network: no hidden layer
    assert!(lessons(&mut h).playground.network().spec.hidden.is_empty());

    // step 2: how few units
    h.get_by_label("Next >").click();
    h.run();
    h.get_by_label("Step 2 of 6");
    h.get_by_label("How few units does hidden layer 1 need for the test accuracy to reach 0.95 within 60 epochs?");
    assert_eq!(lessons(&mut h).playground.network().spec.hidden, vec![8]);
    // predict, then reveal: the readouts are hidden and nothing trains before the answer
    h.get_by_label(HIDDEN_TEXT);
    assert!(!shows_readouts(&h), "a loss, an accuracy or the monitors are on screen before the answer");
    h.get_by_label("Train").click();
    h.run();
    h.get_by_label_contains("Predict first: answer the lesson's question");
    assert!(!lessons(&mut h).playground.is_running());
    assert!(lessons(&mut h).playground.history.is_empty(), "nothing trained before the answer");

    // 2 units: two lines cannot close a region around the disc
    answer(&mut h, "Units:", "2");
    h.get_by_label_contains("Not quite. Hint: with 2 unit(s) the test accuracy stays at 0.");
    h.get_by_label("Try again (1 of 2 tries left).");
    assert!(!shows_readouts(&h), "a wrong answer reveals nothing");
    assert!(lessons(&mut h).playground.history.is_empty());

    // 3 units, a triangle: right
    answer(&mut h, "Units:", "3");
    h.get_by_label("Right: 3 unit(s): the test accuracy reaches 1.000 ≥ 0.95.");
    // revealed: the lesson trains a fresh network of 3 units for the step's 60 epochs, and the readouts show
    common::window::step_until(&mut h, 60, "the lesson's run", |h| {
        !h.state_mut().view_mut::<LessonsView>().expect("registered").playground.is_settling()
    });
    h.run();
    let view = &lessons(&mut h).playground;
    assert_eq!(view.network().spec.hidden, vec![3]);
    assert_eq!(view.history.len(), 60);
    assert!(view.history.iter().any(|e| e.test_acc >= 0.95));
    assert!(h.query_by_label(HIDDEN_TEXT).is_none());
    assert!(shows_readouts(&h));
    h.get_by_label("Health monitors");
    h.get_by_label("test accuracy 100.0 %");
}
