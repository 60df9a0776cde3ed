//! The Lessons view, driven headless through egui_kittest by the labels a learner sees: the first lesson walked with a
//! wrong answer, its hint, a right answer and the reveal on the timeline; progress kept across a session round trip
//! and reset; a malformed lesson shown with its error while the others open; a race step set up in the race view.

use chainrule::app::App;
use chainrule::app::lessons::{Action, LessonsView, Progress, SHIPPED};
use chainrule::lesson::Answer;
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

fn lessons<'h>(h: &'h mut Harness<'static, App>) -> &'h mut LessonsView {
    h.state_mut().view_mut::<LessonsView>().expect("the lessons view is registered")
}

/// Opens the Lessons view and the lesson whose button starts with `title`.
fn open_lesson(h: &mut Harness<'static, App>, title: &str) {
    h.get_by_label("Lessons").click();
    h.run();
    h.get_by_label_contains(title).click();
    h.run();
}

/// Replaces the answer field's text with `text` and presses Check.
fn answer(h: &mut Harness<'static, App>, text: &str) {
    h.get_by_role_and_label(Role::TextInput, "Your answer:").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Your answer:").type_text(text);
    h.run();
    h.get_by_label("Check").click();
    h.run();
}

#[test]
fn the_first_lesson_hints_after_a_wrong_answer_and_reveals_after_a_right_one() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "1. The computational graph");
    h.get_by_label("Step 1 of 5");
    h.get_by_label_contains("A program is a graph of gates.");
    h.get_by_label("Predict the value of q, then check.");
    // at forward:3 only x, y and z are computed
    assert_eq!(lessons(&mut h).backprop.cursor(), 3);

    answer(&mut h, "7");
    h.get_by_label("Not quite. Hint: compute it from its inputs: q = -2 + 5");
    h.get_by_label("Try again (1 of 2 tries left).");
    assert_eq!(lessons(&mut h).backprop.cursor(), 3, "nothing is revealed after a first wrong answer");

    answer(&mut h, "3"); // q = -2 + 5 = 3
    h.get_by_label("Right: q = 3.");
    // revealed: the timeline has taken q's forward step (the 4th)
    assert_eq!(lessons(&mut h).backprop.cursor(), 4);
    h.get_by_label_contains("Forward step 4: q");

    // step 3: the mul gate's gradient, at f's backward step (5 forward steps done)
    h.get_by_label("Next >").click();
    h.run();
    h.get_by_label("Next >").click();
    h.run();
    h.get_by_label("Step 3 of 5");
    assert_eq!(lessons(&mut h).backprop.cursor(), 5);
    answer(&mut h, "3"); // q's own value: the swap missed
    h.get_by_label("Not quite. Hint: mul swaps its inputs: ∂(q·z)/∂q is the other input's value, z; then multiply by the upstream gradient ∂f/∂f = 1");
    answer(&mut h, "-4");
    h.get_by_label("Right: ∂f/∂q = -4.");
    // revealed: f's backward step is taken and q's gradient is shown final
    assert_eq!(lessons(&mut h).backprop.cursor(), 6);
    h.get_by_label("Answers right: 2 of 2");
}

#[test]
fn two_wrong_answers_reveal_the_answer() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "1. The computational graph");
    answer(&mut h, "7");
    answer(&mut h, "8");
    h.get_by_label("The answer: q = 3");
    assert_eq!(lessons(&mut h).backprop.cursor(), 4);
    h.get_by_label("Answers right: 0 of 1");
    // a field that is not a number says so and counts nothing
    h.get_by_label("Next >").click();
    h.run();
    answer(&mut h, "minus twelve");
    h.get_by_label("'minus twelve' is not a number: type e.g. -4, 0.5 or -1/3");
    h.get_by_label("Answers right: 0 of 1");
}

#[test]
fn progress_survives_a_session_round_trip_and_resets() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "1. The computational graph");
    answer(&mut h, "3");
    // the last step, answered: the lesson is done
    for _ in 0..4 {
        h.get_by_label("Next >").click();
        h.run();
    }
    h.get_by_label("Step 5 of 5");
    answer(&mut h, "-4"); // ∂f/∂x = z · 1 = -4
    h.get_by_label("Finish").click();
    h.run();
    h.get_by_label(&format!("Lessons done: 1 of {}", SHIPPED.len()));
    h.get_by_label("1. The computational graph and the chain rule (done)");

    let stored = h.state().session().to_json();
    let (session, message) = chainrule::app::session::load_session(Some(&stored));
    assert_eq!(message, None);
    let mut h = harness_with(App::new(session));
    assert_eq!(h.state().session().view, "lessons", "the open view comes back too");
    h.get_by_label(&format!("Lessons done: 1 of {}", SHIPPED.len()));
    h.get_by_label("Answers right: 2 of 2");
    let p = &lessons(&mut h).progress;
    assert!(p.done.contains("chain-rule"));
    h.get_by_label("1. The computational graph and the chain rule (done)");

    h.get_by_label("Reset progress").click();
    h.run();
    h.get_by_label(&format!("Lessons done: 0 of {}", SHIPPED.len()));
    h.get_by_label("Answers right: 0 of 0");
    let p = &lessons(&mut h).progress;
    assert_eq!(Progress { seed: 0, ..p.clone() }, Progress::default());
}

#[test]
fn a_malformed_lesson_shows_its_error_and_the_others_open() {
    let files = [SHIPPED[0], ("bad.toml", "id = \"bad\"\ntitle = \"Bad\"\nslides = 30-42\n")];
    let view = LessonsView::with_lessons(&files);
    assert!(view.lesson(0).is_some());
    assert!(view.lesson(1).is_none());
    let mut h = Harness::builder().with_size(SIZE).build_ui_state(
        |ui, v: &mut LessonsView| {
            let mut status = chainrule::app::Status::default();
            let mut dialogs = chainrule::app::files::ScriptedDialogs::default();
            let mut folder = None;
            let mut shell = chainrule::app::view::Shell {
                status: &mut status,
                presenting: false,
                dialogs: &mut dialogs,
                folder: &mut folder,
            };
            chainrule::app::view::View::ui(v, ui, &mut shell);
        },
        view,
    );
    h.run();
    h.get_by_label("bad.toml cannot be opened:");
    h.get_by_label_contains("bad.toml:3:");
    h.get_by_label_contains("1. The computational graph").click();
    h.run();
    h.get_by_label("Step 1 of 5");
}

#[test]
fn a_race_step_sets_up_the_race_and_reveals_it_run() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "8. SGD vs momentum");
    // the first step shows plain SGD's crawl: the race is set up and run its 100 steps
    let v = lessons(&mut h);
    assert_eq!(v.race.settings.surface, "x^2/20 + 2*y^2");
    assert_eq!(v.race.settings.start, [1.0, 1.0]);
    assert_eq!(v.race.settings.racers.len(), 1);
    assert_eq!(v.race.race.step, 100);
    h.get_by_label("Next >").click();
    h.run();
    // the question: the race waits at its start until the learner has answered
    h.get_by_label("Which racer reaches loss 0.001 first?");
    let v = lessons(&mut h);
    assert_eq!(v.race.settings.racers.len(), 2);
    assert_eq!(v.race.race.step, 0);
    v.push(Action::Check(Answer::Racer(0)));
    h.run();
    h.get_by_label_contains("Not quite. Hint: sgd:lr=0.1,momentum=0.9 reaches loss 0.001 first");
    assert_eq!(lessons(&mut h).race.race.step, 0);
    lessons(&mut h).push(Action::Check(Answer::Racer(1)));
    h.run();
    h.get_by_label_contains("Right: sgd:lr=0.1,momentum=0.9");
    assert_eq!(lessons(&mut h).race.race.step, 300);
}

#[test]
fn every_step_of_every_shipped_lesson_opens_and_draws() {
    let mut h = harness_with(App::default());
    h.get_by_label("Lessons").click();
    h.run();
    let n = lessons(&mut h).reports.len();
    for i in 0..n {
        let steps = lessons(&mut h).lesson(i).unwrap_or_else(|| panic!("shipped lesson {i} is valid")).steps.len();
        // a lab that trains on a worker (preprocessing, batch norm) repaints until its run ends: frames until it
        // settles, within a bound
        let settle = |h: &mut egui_kittest::Harness<'_, App>| {
            let _ = (0..200).any(|_| h.try_run().is_ok());
        };
        lessons(&mut h).push(Action::Open(i));
        settle(&mut h);
        for k in 0..steps {
            lessons(&mut h).push(Action::Go(k));
            settle(&mut h);
            h.get_by_label(&format!("Step {} of {steps}", k + 1));
            // every character drawn has a glyph (kittest panics otherwise), and the step shows without an error
            assert!(!h.state().status().is_error, "lesson {i} step {k}: {:?}", h.state().status());
        }
    }
}

#[test]
fn a_restart_mid_question_keeps_the_step_the_typed_answer_and_the_used_try() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "1. The computational graph");
    lessons(&mut h).push(Action::Go(2));
    h.run();
    answer(&mut h, "3");
    let stored = h.state().session().to_json();
    let (session, _) = chainrule::app::session::load_session(Some(&stored));
    let mut h = harness_with(App::new(session));
    h.get_by_label("Step 3 of 5");
    h.get_by_label("Not quite. Hint: mul swaps its inputs: ∂(q·z)/∂q is the other input's value, z; then multiply by the upstream gradient ∂f/∂f = 1");
    h.get_by_label("Try again (1 of 2 tries left).");
    assert_eq!(lessons(&mut h).backprop.cursor(), 5);
    answer(&mut h, "0");
    h.get_by_label("The answer: ∂f/∂q = -4");
    assert_eq!(lessons(&mut h).backprop.cursor(), 6);
}

#[test]
fn practice_exercises_use_the_same_answer_flow_and_score_per_topic() {
    let mut h = harness_with(App::default());
    h.get_by_label("Lessons").click();
    h.run();
    h.get_by_label("Practice").click();
    h.run();
    h.get_by_label("Practice: two gates");
    let (e, _) = lessons(&mut h).practice.clone().expect("an exercise is open");
    let forward = lessons(&mut h).backprop.model.forward.steps.len();
    assert_eq!(lessons(&mut h).backprop.cursor(), forward, "the values are shown, no gradient yet");
    h.get_by_label(&format!("Practice (two gates): every value is computed. What is ∂f/∂{}?", e.node));
    answer(&mut h, &format!("{}", e.answer + 1.0));
    h.get_by_label_contains("Not quite. Hint:");
    assert_eq!(lessons(&mut h).backprop.cursor(), forward);
    answer(&mut h, &format!("{}", e.answer));
    h.get_by_label_contains("Right: ∂f/∂");
    assert!(lessons(&mut h).backprop.cursor() > forward, "the gradient is revealed");
    h.get_by_label("Practice, two gates: 1 of 1 right");
    // lessons' answers are counted apart
    h.get_by_label("Answers right: 0 of 0");
    h.get_by_label("New exercise").click();
    h.run();
    let (next, _) = lessons(&mut h).practice.clone().expect("an exercise is open");
    assert_ne!(next, e, "a fresh exercise");
    // the score is kept with the session
    let stored = h.state().session().to_json();
    let (session, _) = chainrule::app::session::load_session(Some(&stored));
    let mut h = harness_with(App::new(session));
    h.get_by_label("Practice, two gates: 1 of 1 right");
    // every difficulty opens and draws (every character has a glyph), each with its topic
    for (d, topic) in [(1, "two gates"), (2, "a neuron"), (3, "fan-out"), (4, "a kink"), (5, "a division")] {
        lessons(&mut h).push(Action::Practice(d));
        h.run();
        h.get_by_label(&format!("Practice: {topic}"));
        assert!(!h.state().status().is_error, "{:?}", h.state().status());
    }
}

/// Replaces the learning-rate field's text with `text` and presses Check.
fn try_rate(h: &mut Harness<'static, App>, text: &str) {
    h.get_by_role_and_label(Role::TextInput, "Learning rate:").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Learning rate:").type_text(text);
    h.run();
    h.get_by_label("Check").click();
    h.run();
}

#[test]
fn a_learning_rate_too_large_is_raced_and_hinted_then_a_right_one_is_taken() {
    use chainrule::surface::Status as RacerStatus;
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "9. RMSProp and Adam");
    h.get_by_label("Set the learning rate of sgd so that it reaches loss 0.01 in at most 80 steps.");
    // absurd input is refused in words and costs no try
    try_rate(&mut h, "1e9");
    h.get_by_label_contains("is far too large: every step would jump off the surface");
    assert_eq!(lessons(&mut h).attempt.wrong, 0);
    try_rate(&mut h, "-0.1");
    h.get_by_label_contains("a learning rate is positive");
    // too large: y ↦ (1 − 4·0.6)·y grows by 1.4 a step and leaves the region
    try_rate(&mut h, "0.6");
    h.get_by_label_contains("Not quite. Hint: at lr = 0.6 it diverged at step");
    let hint = lessons(&mut h).attempt.verdict.clone().unwrap().hint;
    assert!(hint.contains("too large, the steps overshoot") && hint.contains("try a smaller"), "{hint}");
    h.get_by_label("Try again (1 of 2 tries left).");
    let v = lessons(&mut h);
    assert_eq!(v.race.settings.racers.len(), 1, "the learner's rate is raced alone");
    assert_eq!(v.race.settings.racers[0].spec.lr(), 0.6);
    assert_eq!(v.race.race.racers[0].status, RacerStatus::Diverged);
    // right: x keeps 1 − 0.045 a step and the loss is 0.01 after about 65 steps
    try_rate(&mut h, "0.45");
    h.get_by_label_contains("Right: at lr = 0.45 it reaches loss 0.01 at step");
    h.get_by_label_contains("In fact any lr from about");
    let v = lessons(&mut h);
    assert_eq!(v.race.settings.racers[0].spec.lr(), 0.45);
    assert_eq!(v.race.race.step, 80);
    assert!(v.race.race.racers[0].steps_to(0.01).is_some_and(|s| s <= 80));
    assert!(v.attempt.revealed);
    h.get_by_label("Answers right: 1 of 1");
}

/// The option button `label` in the lesson's side panel (the graph's toolbar has buttons of the same name).
fn option<'h>(h: &'h Harness<'static, App>, label: &'h str) -> egui_kittest::Node<'h> {
    h.get_all_by_role_and_label(Role::Button, label)
        .find(|n| n.rect().left() < chainrule::app::lessons::SIDE_WIDTH + 120.0)
        .unwrap_or_else(|| panic!("no option '{label}' in the side panel"))
}

#[test]
fn the_largest_gradient_is_picked_from_the_inputs() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "9. RMSProp and Adam");
    lessons(&mut h).push(Action::Go(1));
    h.run();
    h.get_by_label("Which input has the largest gradient |∂f/∂input|?");
    option(&h, "x").click();
    h.run();
    h.get_by_label("Check").click();
    h.run();
    // ∂f/∂x = x/10 = -0.9 at x = -9, ∂f/∂y = 4y = 8 at y = 2
    h.get_by_label(
        "Not quite. Hint: you picked x: |∂f/∂x| = 0.9, but the largest |∂f/∂input| is 8: which input has it?",
    );
    option(&h, "y").click();
    h.run();
    h.get_by_label("Check").click();
    h.run();
    h.get_by_label("Right: y: ∂f/∂y = 8.");
    let v = lessons(&mut h);
    let cursor = v.backprop.cursor();
    let inputs: Vec<_> = v.backprop.model.inputs.iter().map(|(_, id)| id.index()).collect();
    let known = v.backprop.model.known(cursor);
    assert!(inputs.iter().all(|&i| known.complete[i]), "every input's gradient is revealed at step {cursor}");
}

#[test]
fn the_question_node_is_ringed_and_centred_until_revealed() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "1. The computational graph");
    lessons(&mut h).push(Action::Go(2)); // ∂f/∂q at the mul gate
    h.run();
    let v = lessons(&mut h);
    let q = chainrule::lesson::find_node(&v.backprop.model.program, "q").unwrap();
    let at = v.backprop.model.layout.positions[q.index()];
    let rect = v.backprop.graph_rect().expect("the graph was drawn");
    let canvas = v.backprop.canvas_mut();
    assert_eq!(canvas.highlight(), Some(q));
    let centre = canvas.screen_from_layout(rect, at);
    assert!((centre - rect.center()).length() < 1.0, "q at {centre:?}, the canvas centred at {:?}", rect.center());
    // the output f is elsewhere: centring moved the camera off the fitted view
    let v = lessons(&mut h);
    let f = v.backprop.model.layout.positions[v.backprop.model.output.index()];
    assert!((v.backprop.canvas_mut().screen_from_layout(rect, f) - rect.center()).length() > 20.0);
    answer(&mut h, "-4");
    h.get_by_label("Right: ∂f/∂q = -4.");
    assert_eq!(lessons(&mut h).backprop.canvas_mut().highlight(), None, "the ring goes with the reveal");
    // the next step asks a choice about z's card: no ring; the one after asks about x: the ring moves there
    h.get_by_label("Next >").click();
    h.run();
    assert_eq!(lessons(&mut h).backprop.canvas_mut().highlight(), None);
    h.get_by_label("Next >").click();
    h.run();
    let v = lessons(&mut h);
    let x = chainrule::lesson::find_node(&v.backprop.model.program, "x").unwrap();
    assert_eq!(v.backprop.canvas_mut().highlight(), Some(x));
    // a race step or a question about no node rings nothing
    lessons(&mut h).push(Action::Open(8));
    h.run();
    assert_eq!(lessons(&mut h).backprop.canvas_mut().highlight(), None);
    // Adam's first step: the node asked about is the output, at the right edge of a graph that fits the canvas; it is
    // moved towards the centre only as far as keeps every node in view
    lessons(&mut h).push(Action::Go(3));
    h.run();
    h.run();
    let v = lessons(&mut h);
    let step = chainrule::lesson::find_node(&v.backprop.model.program, "step").unwrap();
    let rect = v.backprop.graph_rect().expect("the graph was drawn");
    let positions = v.backprop.model.layout.positions.clone();
    let canvas = v.backprop.canvas_mut();
    assert_eq!(canvas.highlight(), Some(step));
    for (i, &p) in positions.iter().enumerate() {
        assert!(rect.contains(canvas.screen_from_layout(rect, p)), "node {i} is cut off");
    }
    let x = canvas.screen_from_layout(rect, positions[step.index()]).x;
    assert!(x > rect.center().x, "the output stays right of the centre: {x} in {rect:?}");
}

#[test]
fn a_graph_too_wide_to_read_whole_is_zoomed_in_around_the_question_node() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "7. Batch normalization");
    h.get_by_label("Predict the value of mu, then check.");
    h.run();
    let v = lessons(&mut h);
    let mu = chainrule::lesson::find_node(&v.backprop.model.program, "mu").unwrap();
    let rect = v.backprop.graph_rect().expect("the graph was drawn");
    let positions = v.backprop.model.layout.positions.clone();
    let item = v.backprop.model.item_of(mu);
    let canvas = v.backprop.canvas_mut();
    assert_eq!(canvas.highlight(), Some(mu));
    // fitted whole, the 33-node graph would be at about 31 %, where the wires' numbers are hidden
    assert!(canvas.zoom() >= 0.75, "zoom {} keeps the numbers readable", canvas.zoom());
    assert!(rect.contains(canvas.screen_from_layout(rect, positions[item])), "mu is in view");
    let hidden = positions.iter().filter(|&&p| !rect.contains(canvas.screen_from_layout(rect, p))).count();
    assert!(hidden > 0, "zoomed in: part of the graph is off the canvas (the minimap shows it)");
}

#[test]
fn a_practice_exercise_in_progress_survives_a_restart() {
    let mut h = harness_with(App::default());
    h.get_by_label("Lessons").click();
    h.run();
    lessons(&mut h).push(Action::Practice(3));
    h.run();
    lessons(&mut h).push(Action::Practice(3)); // the second fan-out exercise, so the seed is not 0
    h.run();
    let (e, _) = lessons(&mut h).practice.clone().expect("an exercise is open");
    h.get_by_label("Practice: fan-out");
    let wrong = format!("{}", e.answer + 1.0 + e.answer.abs());
    answer(&mut h, &wrong);
    h.get_by_label("Try again (1 of 2 tries left).");
    let hint = lessons(&mut h).attempt.verdict.clone().unwrap().hint;
    // the exercise's node is ringed
    let node = chainrule::lesson::find_node(&lessons(&mut h).backprop.model.program, &e.node);
    assert_eq!(lessons(&mut h).backprop.canvas_mut().highlight(), node);

    let stored = h.state().session().to_json();
    let (session, message) = chainrule::app::session::load_session(Some(&stored));
    assert_eq!(message, None);
    let mut h = harness_with(App::new(session));
    let v = lessons(&mut h);
    let (back, _) = v.practice.clone().expect("the exercise is back");
    assert_eq!(back, e, "the same exercise");
    assert_eq!(v.difficulty, 3);
    assert_eq!(v.attempt.text, wrong, "what was typed");
    assert_eq!(v.attempt.wrong, 1, "the used try");
    h.get_by_label("Practice: fan-out");
    h.get_by_label(&format!("Not quite. Hint: {hint}"));
    h.get_by_label("Try again (1 of 2 tries left).");
    answer(&mut h, &format!("{}", e.answer));
    h.get_by_label_contains("Right: ∂f/∂");
    h.get_by_label("Practice, fan-out: 1 of 1 right");
    // the next exercise is a fresh one: the seed counted on across the restart
    h.get_by_label("New exercise").click();
    h.run();
    let (next, _) = lessons(&mut h).practice.clone().unwrap();
    assert_ne!(next, e);
}

#[test]
fn the_activation_lesson_hints_sigmoids_rule_at_saturation_and_takes_a_vanishing_gradient() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "5. Activation functions");
    lessons(&mut h).push(Action::Go(1)); // ∂f/∂x of sigmoid at x = 10
    h.run();
    h.get_by_label("Step 2 of 9");
    answer(&mut h, "0.25"); // sigmoid's slope at 0, not at 10
    // the rule and the quantities, not the result 4.54e-5
    h.get_by_label(
        "Not quite. Hint: the local derivative of sigmoid is σ(a)·(1 - σ(a)), with a = x; evaluate it there and \
         multiply it by the upstream gradient ∂f/∂f = 1",
    );
    answer(&mut h, "0"); // within the tolerance of 4.5e-5
    h.get_by_label("Right: ∂f/∂x = 4.53958e-5.");
}

#[test]
fn a_multiple_choice_step_keeps_the_graph_of_the_step_before() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "3. Numerical vs analytical");
    h.get_by_label("Next >").click();
    h.run();
    h.get_by_label("Which formula does the gradient check use?");
    assert!(
        h.query_by_label_contains("Open a lesson on the left").is_none(),
        "the placeholder hides the lesson's graph"
    );
    h.get_by_label("Graph canvas");
}

/// Points at the node `name` of the lesson's graph and lets the tooltip open.
fn hover_node(h: &mut Harness<'static, App>, name: &str) {
    let pos = lessons(h).backprop.node_screen_pos(name).expect("the node was drawn");
    h.hover_at(pos);
    h.run();
    // a tooltip opens after the pointer rests
    for _ in 0..30 {
        h.step();
    }
}

#[test]
fn hovering_the_asked_node_shows_nothing_the_learner_must_predict() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "2. Patterns in backward flow");
    h.get_by_label("Predict ∂f/∂s, then check.");
    // the ringed node s: its value is known, its gradient (2, the answer) is not
    hover_node(&mut h, "s");
    h.get_by_label_contains("s = a + m = (-12) + 2 = -10");
    h.get_by_label_contains("value -10   gradient ?");
    assert!(h.query_by_label_contains("gradient 2").is_none(), "the tooltip gives the answer");
    // the timeline holds short of f's backward step, which would show it: Step and the arrow key do nothing
    let held = lessons(&mut h).backprop.cursor();
    assert_eq!(lessons(&mut h).backprop.hold(), Some(held));
    h.key_press(Key::ArrowRight);
    h.run();
    h.key_press(Key::End);
    h.run();
    h.key_press(Key::Space); // play: there is nothing to play up to the held step
    h.run();
    assert_eq!(lessons(&mut h).backprop.cursor(), held);
    assert!(!lessons(&mut h).backprop.playing);
    h.get_by_label_contains("The next step would show the answer");
    hover_node(&mut h, "s");
    h.get_by_label_contains("value -10   gradient ?");
    // after the answer the reveal takes the step, and the tooltip says what the card says
    answer(&mut h, "2"); // ∂(2s)/∂s = 2
    h.get_by_label("Right: ∂f/∂s = 2.");
    assert_eq!(lessons(&mut h).backprop.hold(), None);
    hover_node(&mut h, "s");
    h.get_by_label_contains("value -10   gradient 2");
}

#[test]
fn the_same_answer_twice_costs_one_try() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "1. The computational graph");
    // Enter in the field, then Check, on the same unchanged answer
    h.get_by_role_and_label(Role::TextInput, "Your answer:").focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "Your answer:").type_text("7");
    h.run();
    h.key_press(Key::Enter);
    h.run();
    h.get_by_label("Try again (1 of 2 tries left).");
    h.get_by_label("Check").click();
    h.run();
    h.get_by_label("Try again (1 of 2 tries left).");
    assert_eq!(lessons(&mut h).attempt.wrong, 1);
    // a fraction is a number: 3/1 is q = 3
    answer(&mut h, "6/2");
    h.get_by_label("Right: q = 3.");
}

#[test]
fn a_question_about_loss_names_loss() {
    let mut h = harness_with(App::default());
    open_lesson(&mut h, "6. Preprocessing");
    h.get_by_label("Predict ∂loss/∂w1, then check.");
}
