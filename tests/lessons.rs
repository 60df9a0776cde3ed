//! The shipped lessons are valid, the checker reports a malformed or wrong lesson at its place while the others still
//! load, and `chainrule lessons check` exits 0 or 2 accordingly.

use std::path::Path;
use std::process::Command;

use chainrule::lesson::tuning::working_range;
use chainrule::lesson::{Question, check_dir};

#[test]
fn shipped_lessons_are_valid() {
    let reports = check_dir(Path::new("assets/lessons")).unwrap();
    assert!(reports.len() >= 8, "{} lessons", reports.len());
    for r in &reports {
        assert!(r.is_valid(), "{}: {:?}", r.file.display(), r.problems);
        let lesson = r.lesson.as_ref().unwrap();
        assert!(lesson.steps.iter().any(|s| s.question.is_some()), "{} asks nothing", lesson.id);
    }
    // The lecture's numbers: the first lesson asks ∂f/∂q = z = -4 at x = -2, y = 5, z = -4.
    let first = reports[0].lesson.as_ref().unwrap();
    assert!(matches!(first.steps[2].question, Some(Question::Gradient { answer: Some(a), .. }) if a == -4.0));
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("chainrule-lessons-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("assets/lessons/01-chain-rule.toml", dir.join("01-good.toml")).unwrap();
    dir
}

#[test]
fn malformed_lesson_is_reported_and_the_others_load() {
    let dir = scratch("malformed");
    // Line 3 has an unquoted string: the toml parser stops at the value.
    std::fs::write(dir.join("02-bad.toml"), "id = \"bad\"\ntitle = \"Bad\"\nslides = 30-42\n").unwrap();
    // A gradient answer that disagrees with the engine (∂(q·z)/∂q = z = -4, not 4) on the [[step]] at line 4.
    let wrong = "id = \"wrong\"\ntitle = \"W\"\n\n[[step]]\nnarration = \"n\"\n\
                 backprop = { program = \"x = -2; y = 5; z = -4; q = x + y; f = q * z\" }\n\
                 question = { kind = \"gradient\", node = \"q\", answer = 4 }\n";
    std::fs::write(dir.join("03-wrong.toml"), wrong).unwrap();
    let reports = check_dir(&dir).unwrap();
    assert_eq!(reports.len(), 3);
    assert!(reports[0].is_valid());
    assert_eq!((reports[1].problems[0].line, reports[1].lesson.is_none()), (3, true));
    assert_eq!(reports[2].problems[0].line, 4);
    assert!(reports[2].problems[0].message.contains("disagrees with the engine"));

    let bin = env!("CARGO_BIN_EXE_chainrule");
    let out = Command::new(bin).args(["lessons", "check"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("02-bad.toml:3:"), "{text}");
    assert!(text.contains("ok    "), "{text}");
    let out = Command::new(bin).args(["lessons", "check", "assets/lessons", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    // a teacher's folder with --dir: the same reports as the positional directory
    let out = Command::new(bin).args(["lessons", "check", "--dir"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("02-bad.toml:3:"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lessons_check_outside_the_repository_checks_the_built_in_lessons() {
    let bin = env!("CARGO_BIN_EXE_chainrule");
    // run where no assets/lessons folder exists
    let out = Command::new(bin).args(["lessons", "check"]).current_dir(std::env::temp_dir()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(text.matches("ok    built-in/").count(), chainrule::lesson::SHIPPED.len(), "{text}");
    assert!(text.contains("01-chain-rule.toml"), "{text}");
}

#[test]
fn every_shipped_question_takes_its_answer_and_refuses_another() {
    use chainrule::lesson::Answer;
    for r in check_dir(Path::new("assets/lessons")).unwrap() {
        let lesson = r.lesson.unwrap();
        for (i, step) in lesson.steps.iter().enumerate() {
            let (right, wrong) = match &step.question {
                None => continue,
                Some(
                    Question::Gradient { answer: Some(a), .. }
                    | Question::Value { answer: Some(a), .. }
                    | Question::Lab { answer: Some(a), .. },
                ) => {
                    // a + 1 + |a| is at least 1 away from a: outside the 2% tolerance for these small answers.
                    (Answer::Number(*a), Answer::Number(a + 1.0 + a.abs()))
                }
                Some(Question::Lab { answer: None, quantity, .. }) => {
                    // the lab's own number; a + 1 + |a| is at least 1 away from it
                    let a = step.lab.as_ref().unwrap().quantity(quantity).unwrap();
                    (Answer::Number(a), Answer::Number(a + 1.0 + a.abs()))
                }
                Some(Question::Choice { options, correct, .. }) => {
                    let other = options.iter().find(|o| *o != correct).unwrap().clone();
                    (Answer::Choice(correct.clone()), Answer::Choice(other))
                }
                Some(Question::RaceWinner { answer: Some(a), .. }) => {
                    let racers = &step.race.as_ref().unwrap().racers;
                    let k = racers.iter().position(|r| r == a).unwrap();
                    (Answer::Racer(k), Answer::Racer((k + 1) % racers.len()))
                }
                Some(Question::LearningRate { answer: Some(a), threshold, within, racer }) => {
                    // a quarter of the smallest rate the scan found working is too small
                    let view = step.race.as_ref().unwrap();
                    let template = Question::lr_template(racer);
                    let range = working_range(view, template, *threshold, *within).unwrap().unwrap();
                    (Answer::Number(*a), Answer::Number(range.low / 4.0))
                }
                Some(Question::LargestGradient { answer: Some(a) }) => {
                    let other = step.options().into_iter().find(|o| o != a).unwrap();
                    (Answer::Input(a.clone()), Answer::Input(other))
                }
                Some(Question::Playground { answer: Some(a), .. }) => {
                    // a + 1 + |a| is more than a quarter (and a factor of 4) away from these answers
                    (Answer::Number(*a), Answer::Number(a + 1.0 + a.abs()))
                }
                Some(Question::FewestUnits { answer: Some(w), .. }) => {
                    (Answer::Number(*w as f64), Answer::Number((w % 8 + 1) as f64))
                }
                Some(Question::DeadestLayer { answer: Some(l) }) => {
                    let other = step.options().into_iter().find(|o| *o != format!("layer {l}")).unwrap();
                    (Answer::Choice(format!("layer {l}")), Answer::Choice(other))
                }
                Some(q) => panic!("{} step {}: shipped questions state their answers: {q:?}", lesson.id, i + 1),
            };
            let where_ = format!("{} step {}", lesson.id, i + 1);
            let v = step.check_answer(&right).unwrap();
            assert!(v.right, "{where_}: {v:?}");
            let v = step.check_answer(&wrong).unwrap();
            assert!(!v.right && !v.hint.is_empty(), "{where_}: {v:?}");
            if matches!(step.question, Some(Question::LearningRate { .. })) {
                assert!(v.hint.contains("too small"), "{where_}: {v:?}");
            }
            println!("{where_}: {v:?}");
        }
    }
}

#[test]
fn the_race_lessons_use_both_new_question_kinds_and_schedules() {
    let reports = check_dir(Path::new("assets/lessons")).unwrap();
    let steps: Vec<_> = reports.iter().flat_map(|r| r.lesson.as_ref().unwrap().steps.iter()).collect();
    assert!(steps.iter().any(|s| matches!(s.question, Some(Question::LearningRate { .. }))));
    assert!(steps.iter().any(|s| matches!(s.question, Some(Question::LargestGradient { .. }))));
    // a racer with a schedule after '@' runs with it: the warmup's first rate is α/3
    let warm = steps.iter().flat_map(|s| s.race.iter()).flat_map(|r| r.racers.iter()).find(|r| r.contains("warmup"));
    let setup = chainrule::lesson::parse_racer(warm.expect("a warmup racer")).unwrap();
    assert!((setup.schedule.lr_at(setup.spec.lr(), 0) - setup.spec.lr() / 3.0).abs() < 1e-15);
}

#[test]
fn the_activation_lesson_checks_saturation_dead_units_and_its_picks_by_the_engine() {
    use chainrule::lesson::{Answer, find_node};
    let reports = check_dir(Path::new("assets/lessons")).unwrap();
    let lesson = reports.iter().filter_map(|r| r.lesson.as_ref()).find(|l| l.id == "activations").unwrap();
    let step = |k: usize| &lesson.steps[k - 1];
    // ∂f/∂x of a step's program, from the engine
    let grad = |k: usize, node: &str| {
        let p = chainrule::expr::compile(&step(k).backprop.as_ref().unwrap().program, &[]).unwrap();
        p.graph.grad(find_node(&p, node).unwrap())
    };
    // sigmoid's local gradient is at most 0.25 (at 0), vanishes at x = 10, and three in a row give less than 0.25³
    assert_eq!(grad(1, "x"), 0.25);
    assert!(grad(2, "x") < 1e-4 && grad(2, "x") > 0.0, "{}", grad(2, "x"));
    assert!(grad(3, "x") < 0.25f64.powi(3), "{}", grad(3, "x"));
    // relu kills the dead unit's gradient, leaky relu keeps 1% of it, elu e^z of it
    let (dead, leaky, elu) = (grad(6, "w1"), grad(7, "w1"), grad(8, "w1"));
    assert_eq!(dead, 0.0);
    assert!((leaky - 0.01 * 4.0).abs() < 1e-12 && (elu - (-1f64).exp() * 4.0).abs() < 1e-12, "{leaky} {elu}");

    // At x = 10 the tiny gradient counts as 0; sigmoid's best 0.25 is wrong, and the hint names sigmoid's rule.
    let v = step(2).check_answer(&Answer::Number(0.0)).unwrap();
    assert!(v.right, "{v:?}");
    let v = step(2).check_answer(&Answer::Number(0.25)).unwrap();
    assert!(!v.right && v.hint.contains("sigmoid") && v.hint.contains("σ(a)·(1 - σ(a))"), "{v:?}");
    // Through three sigmoids, one local gradient alone misses the chain rule's product.
    let v = step(3).check_answer(&Answer::Number(0.25)).unwrap();
    assert!(!v.right && v.hint.contains("multiply by the upstream gradient"), "{v:?}");
    // The dead unit: forgetting the relu (w1 gets x1 = 4) is wrong, and the hint names the upstream factor, whose value
    // 0 is the answer itself and is not stated.
    let v = step(6).check_answer(&Answer::Number(4.0)).unwrap();
    assert!(
        !v.right && v.hint.contains("multiply by the upstream gradient") && v.hint.contains("∂f/∂p1 · ∂p1/∂w1"),
        "{v:?}"
    );
    assert!(!v.hint.contains('0'), "{v:?}");
    assert!(step(6).check_answer(&Answer::Number(0.0)).unwrap().right);
    // Leaky relu: 0 (a dead unit) is wrong now, 0.01 · 4 is right.
    let v = step(7).check_answer(&Answer::Number(0.0)).unwrap();
    assert!(!v.right && v.hint.contains("0.01"), "{v:?}");
    assert!(step(7).check_answer(&Answer::Number(0.04)).unwrap().right);

    // The largest gradient goes to w1 (its partner x1 = 4 is the largest value), not to x1 itself.
    assert!(step(5).check_answer(&Answer::Input("w1".into())).unwrap().right);
    let v = step(5).check_answer(&Answer::Input("x1".into())).unwrap();
    assert!(!v.right && !v.hint.is_empty(), "{v:?}");
    // For hidden layers: ReLU, not sigmoid. The recap's graph at z = 3: the relu family passes 1, sigmoid and tanh
    // have saturated.
    let slopes = ["a", "b", "c", "d", "e"].map(|n| grad(9, n));
    assert!(slopes[0] < 0.05 && slopes[1] < 0.01 && slopes[2..] == [1.0; 3], "{slopes:?}");
    let Some(Question::Choice { correct, .. }) = &step(9).question else { panic!("step 9 asks a choice") };
    assert!(correct.starts_with("ReLU"));
    let v = step(9).check_answer(&Answer::Choice("sigmoid: its outputs are between 0 and 1".into())).unwrap();
    assert!(!v.right, "{v:?}");
}

/// A lesson written to fail: one step for each way a step can give its answer away.
const LEAKY: &str = r#"id = "leaky"
title = "Leaky"

[[step]]
narration = "The answer is already on the card: forward:5 has computed f."
backprop = { program = "x = -2; y = 5; z = -4; q = x + y; f = q * z", at = "forward:5" }
question = { kind = "value", node = "f", answer = -12 }

[[step]]
narration = "The last gate multiplies by 2, so the sum s receives 2."
backprop = { program = "x = 3; y = -4; z = 2; w = -1; a = x*y; m = max(z, w); s = a + m; f = 2*s", at = "f" }
question = { kind = "gradient", node = "s", answer = 2 }

[[step]]
narration = "At the mul gate, what is ∂f/∂q?"
backprop = { program = "x = -2; y = 5; z = -4; q = x + y; f = q * z", at = "f" }
question = { kind = "gradient", node = "q", answer = -4 }

[[step]]
narration = "And the other input of the mul gate, z?"
backprop = { program = "x = -2; y = 5; z = -4; q = x + y; f = q * z", at = "f" }
question = { kind = "gradient", node = "z", answer = 3 }

[[step]]
narration = "Every value is shown at backward:0. What is xc?"
backprop = { program = "a = 2; b = 4; c = 9\nmu = (a + b + c) / 3\nxc = c - mu", at = "backward:0" }
question = { kind = "value", node = "xc", answer = 4 }
"#;

#[test]
fn lessons_check_reports_every_way_an_answer_leaks_and_the_shipped_lessons_have_none() {
    let dir = scratch("leaky");
    std::fs::write(dir.join("02-leaky.toml"), LEAKY).unwrap();
    let reports = check_dir(&dir).unwrap();
    assert!(reports[0].is_valid(), "{:?}", reports[0].problems); // the shipped first lesson
    let problems: Vec<String> = reports[1].problems.iter().map(|p| format!("{}:{}", p.line, p.message)).collect();
    let has =
        |line: usize, words: &str| problems.iter().any(|p| p.starts_with(&format!("{line}:")) && p.contains(words));
    // step 1 (line 4): f's value is on its card at forward:5
    assert!(has(4, "step 1: the answer is visible at the step's position (at = \"forward:5\")"), "{problems:#?}");
    // step 2 (line 9): the narration says "receives 2"
    assert!(has(9, "step 2: the narration states the answer: it writes 2"), "{problems:#?}");
    // step 4 (line 19): step 3's reveal takes f's backward step, which gives z its gradient too
    assert!(has(19, "step 4: the previous step's view, after its reveal, shows this step's answer"), "{problems:#?}");
    // step 5 (line 24): backward:0 shows every value
    assert!(has(24, "step 5: the answer is visible at the step's position (at = \"backward:0\")"), "{problems:#?}");
    // step 3 is sound
    assert!(!problems.iter().any(|p| p.contains("step 3:")), "{problems:#?}");
    assert_eq!(problems.len(), 4, "{problems:#?}");

    // the command line reports them with the file and the step, and fails
    let bin = env!("CARGO_BIN_EXE_chainrule");
    let out = Command::new(bin).args(["lessons", "check"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("02-leaky.toml:9:1: step 2: the narration states the answer"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);

    // every shipped lesson passes, leaks included
    for r in check_dir(Path::new("assets/lessons")).unwrap() {
        assert!(r.is_valid(), "{}: {:#?}", r.file.display(), r.problems);
    }
}

#[test]
fn a_first_hint_that_states_the_answer_is_reported() {
    use chainrule::lesson::leak::check_lesson;
    use chainrule::lesson::parse;
    // every first hint of every shipped gradient question, for a few likely wrong answers, keeps the answer back
    for r in check_dir(Path::new("assets/lessons")).unwrap() {
        let lesson = r.lesson.unwrap();
        assert!(check_lesson(&lesson).is_empty(), "{}", lesson.id);
    }
    // a lesson whose only leak is in the narration of a number equal to the answer, written as a fraction's value
    let text = "id = \"h\"\ntitle = \"H\"\n\n[[step]]\nnarration = \"It is 0.25 here.\"\n\
                backprop = { program = \"x = 0; f = sigmoid(x)\", at = \"f\" }\n\
                question = { kind = \"gradient\", node = \"x\", answer = 0.25 }\n";
    let leaks = check_lesson(&parse(text).unwrap());
    assert_eq!(leaks.len(), 1, "{leaks:?}");
    assert!(leaks[0].1.contains("the narration states the answer: it writes 0.25"), "{leaks:?}");
}

#[test]
fn lesson_texts_say_what_the_lecture_and_pytorch_say() {
    use chainrule::lesson::Answer;
    let lessons: Vec<_> =
        check_dir(Path::new("assets/lessons")).unwrap().into_iter().map(|r| r.lesson.unwrap()).collect();
    let narration = |id: &str, k: usize| lessons.iter().find(|l| l.id == id).unwrap().steps[k].narration.clone();
    // cs231n's four bands, not three
    let bands = narration("numerical-gradient", 2);
    assert!(bands.contains("from 1e-2 down to 1e-4, be uncomfortable") && bands.contains("from 1e-4 down to 1e-7"));
    // the exact slope at 1e-6, not a convention at the kink
    assert!(narration("numerical-gradient", 3).contains("the exact slope at x = 1e-6"));
    // standardization: unit variance; Xavier: the weights' standard deviation, the variance kept for linear layers only
    assert!(!narration("preprocessing-init", 4).contains("pushed around"));
    let xavier = narration("preprocessing-init", 7);
    assert!(xavier.contains("standard deviation 1/sqrt(fan_in)") && xavier.contains("linear"), "{xavier}");
    // dropout's p is PyTorch's drop probability; the lecture's code keeps with probability p
    assert!(narration("batchnorm-dropout", 6).contains("code calls the keep probability p"));
    // PyTorch's RMSprop, 10·lr first step; Adam without bias correction: 3.16× at t = 1, about 6.6× near t = 12
    assert!(
        narration("rmsprop-adam", 2).contains("PyTorch's RMSprop") && narration("rmsprop-adam", 2).contains("10·lr")
    );
    let nobias = narration("rmsprop-adam", 5);
    assert!(nobias.contains("3.16 times at t = 1") && nobias.contains("6.6 times near t = 12"), "{nobias}");
    // CosineAnnealingLR follows the cosine back up; a restart is CosineAnnealingWarmRestarts
    assert!(narration("lr-schedules", 1).contains("CosineAnnealingWarmRestarts"));
    // three sigmoids: the naive 0.25³ = 0.0156 is not 0.01335
    let step = &lessons.iter().find(|l| l.id == "activations").unwrap().steps[2];
    assert!(!step.check_answer(&Answer::Number(0.015625)).unwrap().right);
    assert!(step.check_answer(&Answer::Number(0.0134)).unwrap().right);
    // σ(10)'s gradient: 0 counts there, as the file's floor says
    let step = &lessons.iter().find(|l| l.id == "activations").unwrap().steps[1];
    assert!(step.check_answer(&Answer::Number(0.0)).unwrap().right);
}
