//! Lessons on the playground, without a window: a `playground` step's questions are checked by training its setup
//! (the same run as `chainrule train` with the options `Setup::command` writes), a wrong stated answer is reported
//! with the one training gives, a typo among the setup's keys is reported at its line, `Depth::Quick` trains
//! nothing, and the shipped playground lessons are valid at `Depth::Full`.

use std::path::Path;
use std::process::Command;

use chainrule::lesson::playground::{PlaygroundStep, Solution, solve};
use chainrule::lesson::{Answer, Depth, Question, SHIPPED, check_text, check_text_at};

/// A lesson of one step: the playground table's lines, then the question.
fn lesson(setup: &str, question: &str) -> String {
    format!(
        "id = \"p\"\ntitle = \"P\"\n\n[[step]]\nnarration = \"Watch it train.\"\nquestion = {question}\n[step.playground]\n{setup}\n"
    )
}

const CIRCLE_NO_HIDDEN: &str = "dataset = \"circle\"\npoints = 300\nhidden = []\nopt = \"sgd:lr=0.1\"\nepochs = 60";
const CIRCLE_WIDE: &str = "dataset = \"circle\"\npoints = 300\nhidden = [8]\nopt = \"sgd:lr=0.1\"\nepochs = 60";
const DEAD: &str = "dataset = \"circle\"\npoints = 300\nhidden = [8, 8, 8]\nactivation = \"Relu\"\ninit = \"he\"\n\
                    opt = \"sgd:lr=1\"\nepochs = 30";

/// The test accuracy of the last epoch of `chainrule train` with `line`'s options (`chainrule train ...`).
fn cli_test_accuracy(line: &str) -> f64 {
    let args: Vec<&str> = line.split_whitespace().skip(1).chain(["--json"]).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_chainrule")).args(&args).output().expect("the binary runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["epochs"].as_array().and_then(|e| e.last()).and_then(|e| e["test_acc"].as_f64()).expect("a last epoch")
}

fn step(setup: &str) -> PlaygroundStep {
    toml::from_str(setup).expect("a playground table")
}

#[test]
fn a_number_is_the_one_chainrule_train_gives_and_a_wrong_one_is_reported() {
    let s = step(CIRCLE_NO_HIDDEN);
    let q = |answer: &str| {
        format!("{{ kind = \"playground\", prompt = \"Accuracy?\", quantity = \"test_accuracy\"{answer} }}")
    };
    // the reference: the command line's own run of the same setup
    let cli = cli_test_accuracy(&s.setup.command(s.epochs));
    let asked = Question::Playground {
        prompt: "Accuracy?".into(),
        quantity: "test_accuracy".into(),
        answer: None,
        floor: None,
        tolerance: None,
        factor: None,
    };
    let Ok(Solution::Number(v)) = solve(&s, &asked) else { panic!("a number") };
    assert_eq!(v, cli, "the lesson trains the run `chainrule train` makes");
    assert!(check_text(Path::new("p.toml"), &lesson(CIRCLE_NO_HIDDEN, &q(&format!(", answer = {cli}")))).is_valid());
    // one straight line cannot hold a ring: 0.95 is far from it
    let r = check_text(Path::new("p.toml"), &lesson(CIRCLE_NO_HIDDEN, &q(", answer = 0.95")));
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert_eq!(r.problems[0].line, 4); // the step's [[step]] line
    assert_eq!(
        r.problems[0].message,
        format!(
            "step 1: the expected answer disagrees with training: test_accuracy = {}",
            chainrule::scalar::fmt_num(cli)
        )
    );
    // the window's quick check at start trains nothing, so it cannot see the disagreement
    assert!(
        check_text_at(Path::new("p.toml"), &lesson(CIRCLE_NO_HIDDEN, &q(", answer = 0.95")), Depth::Quick).is_valid()
    );
    // a tolerance widens what counts: within a quarter of the answer
    let wide = q(&format!(", answer = {}, tolerance = 0.25", cli * 1.2));
    assert!(check_text(Path::new("p.toml"), &lesson(CIRCLE_NO_HIDDEN, &wide)).is_valid());
}

#[test]
fn fewest_units_trains_each_width_and_the_learner_gets_a_hint_then_the_answer() {
    let text = lesson(CIRCLE_WIDE, "{ kind = \"fewest_units\", threshold = 0.95 }");
    let r = check_text(Path::new("p.toml"), &text);
    assert!(r.is_valid(), "{:?}", r.problems);
    let st = &r.lesson.unwrap().steps[0];
    let s = st.playground.as_ref().unwrap();
    // the reference: each width run by `chainrule train` (2 units stay below 0.95 at every epoch, 3 reach it)
    let mut narrow = s.setup.clone();
    narrow.hidden = vec![3];
    let best = |setup: &chainrule::nn::playground::Setup| {
        chainrule::lesson::playground::train(setup, s.epochs).unwrap().best_test_accuracy()
    };
    assert!(best(&narrow) >= 0.95);
    assert_eq!(cli_test_accuracy(&narrow.command(s.epochs)), 1.0); // 3 units make a triangle around the disc
    narrow.hidden = vec![2];
    assert!(best(&narrow) < 0.95);
    let v = st.check_answer(&Answer::Number(2.0)).unwrap();
    assert!(!v.right);
    assert!(v.hint.starts_with("with 2 unit(s) the test accuracy stays at 0."), "{}", v.hint);
    assert!(!v.hint.contains('3'), "the hint never states the width: {}", v.hint);
    let v = st.check_answer(&Answer::Number(5.0)).unwrap();
    assert!(!v.right && v.hint.contains("fewer do too"), "{}", v.hint);
    assert!(st.check_answer(&Answer::Number(3.0)).unwrap().right);
    assert!(st.check_answer(&Answer::Number(2.5)).unwrap_err().contains("whole number from 1 to 8"));
    // a stated wrong width is reported with the right one
    let wrong = check_text(Path::new("p.toml"), &text.replace("0.95 }", "0.95, answer = 2 }"));
    assert!(wrong.problems[0].message.contains("disagrees with training: 3 unit(s)"), "{:?}", wrong.problems);
    // a threshold no width reaches has no answer
    let none = check_text(
        Path::new("p.toml"),
        &lesson(
            CIRCLE_NO_HIDDEN.replace("hidden = []", "hidden = [1]").as_str(),
            "{ kind = \"fewest_units\", threshold = 1.0 }",
        )
        .replace("epochs = 60", "epochs = 1"),
    );
    assert!(none.problems[0].message.contains("no width from 1 to 8 reaches"), "{:?}", none.problems);
}

#[test]
fn the_deadest_layer_is_decided_by_training() {
    let text = lesson(DEAD, "{ kind = \"deadest_layer\" }");
    let r = check_text(Path::new("p.toml"), &text);
    assert!(r.is_valid(), "{:?}", r.problems);
    let st = &r.lesson.unwrap().steps[0];
    // the reference: the health monitors of the trained network, layer by layer
    let trained = st.playground.as_ref().unwrap().train().unwrap();
    let dead: Vec<f64> = trained.health.iter().map(|h| h.dead.unwrap()).collect();
    let deadest = (0..3).max_by(|&a, &b| dead[a].total_cmp(&dead[b])).unwrap() + 1;
    assert_eq!(st.options(), vec!["layer 1", "layer 2", "layer 3"]);
    assert!(st.check_answer(&Answer::Choice(format!("layer {deadest}"))).unwrap().right);
    let other = if deadest == 1 { 2 } else { 1 };
    let v = st.check_answer(&Answer::Choice(format!("layer {other}"))).unwrap();
    assert!(!v.right);
    assert!(!v.hint.contains(&format!("layer {deadest}")), "the hint never names the deadest layer: {}", v.hint);
    let wrong = check_text(
        Path::new("p.toml"),
        &text.replace("deadest_layer\" }", &format!("deadest_layer\", answer = {other} }}")),
    );
    assert!(
        wrong.problems[0].message.contains(&format!("disagrees with training: layer {deadest}")),
        "{:?}",
        wrong.problems
    );
    // tanh units never die: the question does not fit
    let tanh = check_text_at(Path::new("p.toml"), &text.replace("\"Relu\"", "\"Tanh\""), Depth::Quick);
    assert!(tanh.problems[0].message.contains("needs ReLU units"), "{:?}", tanh.problems);
}

#[test]
fn a_typo_among_the_setup_keys_is_reported_at_its_line() {
    let text =
        lesson(&CIRCLE_WIDE.replace("hidden = [8]", "hiden = [8]"), "{ kind = \"fewest_units\", threshold = 0.95 }");
    let r = check_text_at(Path::new("p.toml"), &text, Depth::Quick);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    // line 10: id, title, blank, [[step]], narration, question, [step.playground], dataset, points, hiden
    assert_eq!((r.problems[0].line, r.problems[0].column), (10, 1));
    assert!(r.problems[0].message.starts_with("step 1: the playground has no setting 'hiden'"), "{:?}", r.problems);
    // a setting out of range names its field, epochs out of bounds say so
    let bad = check_text_at(Path::new("p.toml"), &text.replace("hiden = [8]", "hidden = [9]"), Depth::Quick);
    assert!(bad.problems[0].message.contains("hidden layers [9]"), "{:?}", bad.problems);
    let long = check_text_at(
        Path::new("p.toml"),
        &text.replace("hiden = [8]", "hidden = [8]").replace("epochs = 60", "epochs = 5000"),
        Depth::Quick,
    );
    assert!(long.problems[0].message.contains("epochs = 5000: between 1 and 500"), "{:?}", long.problems);
    // a question checked by training needs a playground
    let none = "id = \"p\"\ntitle = \"P\"\n\n[[step]]\nnarration = \"n\"\nquestion = { kind = \"deadest_layer\" }\n";
    assert!(
        check_text_at(Path::new("p.toml"), none, Depth::Quick).problems[0].message.contains("needs a playground view")
    );
}

#[test]
fn the_playground_lessons_are_valid_when_trained() {
    let mut found = 0;
    for (name, text) in SHIPPED.iter().filter(|(_, t)| t.contains("[step.playground]")) {
        let r = check_text_at(Path::new(name), text, Depth::Full);
        assert!(r.is_valid(), "{name}: {:?}", r.problems);
        let lesson = r.lesson.unwrap();
        let kinds: Vec<&Question> = lesson.steps.iter().filter_map(|s| s.question.as_ref()).collect();
        found += 1;
        if lesson.id == "decision-boundary" {
            assert!(kinds.iter().any(|q| matches!(q, Question::FewestUnits { .. })));
        }
        if lesson.id == "babysitting" {
            assert!(kinds.iter().any(|q| matches!(q, Question::DeadestLayer { .. })));
        }
    }
    assert_eq!(found, 2, "the decision boundary and babysitting lessons");
}
