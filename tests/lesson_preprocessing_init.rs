//! The preprocessing and initialization lesson (lecture slides 71-73 and 88-96): it is valid, and its claims hold in
//! the engine — positive inputs give w1 and w2 gradients of one sign, centring and standardizing compute the stated
//! values, and a tanh chain's input gradient vanishes for w = 0.01 and w = 5 but not for Xavier's w = 1/sqrt(fan_in).

use std::path::Path;

use chainrule::lesson::{Answer, Lesson, Question, check_text, find_node};

fn lesson() -> Lesson {
    let file = Path::new("assets/lessons/06-preprocessing-init.toml");
    let text = std::fs::read_to_string(file).unwrap();
    let report = check_text(file, &text);
    assert!(report.is_valid(), "{:?}", report.problems);
    report.lesson.unwrap()
}

/// The engine's ∂out/∂node or value of node in step k's program (1-based).
fn engine(lesson: &Lesson, k: usize, node: &str) -> (f64, f64) {
    let p = chainrule::expr::compile(&lesson.steps[k - 1].backprop.as_ref().unwrap().program, &[]).unwrap();
    let id = find_node(&p, node).unwrap_or_else(|| panic!("step {k} has no node {node}"));
    (p.graph.value(id), p.graph.grad(id))
}

#[test]
fn the_lesson_is_valid_and_follows_the_brief() {
    let l = lesson();
    assert_eq!((l.id.as_str(), l.steps.len()), ("preprocessing-init", 8));
    assert!(l.steps.iter().all(|s| s.backprop.is_some() && s.question.is_some()));
    let kinds = |f: fn(&Question) -> bool| l.steps.iter().filter(|s| s.question.as_ref().is_some_and(f)).count();
    assert_eq!(kinds(|q| matches!(q, Question::Choice { .. })), 1);
    assert_eq!(kinds(|q| matches!(q, Question::LargestGradient { .. })), 1);
    assert_eq!(kinds(|q| matches!(q, Question::Value { .. })), 2);
}

#[test]
fn positive_inputs_give_both_weights_gradients_of_one_sign() {
    let l = lesson();
    // target = 1 (step 1) and target = -1 (step 2): ∂loss/∂z flips, and w1, w2 flip together.
    for k in [1, 2] {
        let (_, gz) = engine(&l, k, "z");
        let (_, g1) = engine(&l, k, "w1");
        let (_, g2) = engine(&l, k, "w2");
        assert!(g1.signum() == g2.signum() && g1.signum() == gz.signum(), "step {k}: {gz} {g1} {g2}");
    }
    assert!(engine(&l, 1, "z").1 < 0.0 && engine(&l, 2, "z").1 > 0.0);
    let Some(Question::Choice { correct, options, .. }) = &l.steps[1].question else { panic!("step 2 asks a choice") };
    assert!(correct.starts_with("always the same sign"));
    let wrong = options.iter().find(|o| o.starts_with("any combination")).unwrap();
    let v = l.steps[1].check_answer(&Answer::Choice(wrong.clone())).unwrap();
    assert!(!v.right && v.hint.contains("narration"), "{v:?}");
    assert!(l.steps[1].check_answer(&Answer::Choice(correct.clone())).unwrap().right);

    // ∂loss/∂w1 = ∂loss/∂z · x1: right as -1.69; the sign error is wrong, and the hint says so.
    let v = l.steps[0].check_answer(&Answer::Number(-1.69)).unwrap();
    assert!(v.right, "{v:?}");
    let v = l.steps[0].check_answer(&Answer::Number(1.69)).unwrap();
    assert!(!v.right && v.hint.contains("sign"), "{v:?}");

    // The larger input x2 = 3 gives its weight the largest gradient; x2 itself is not it.
    assert!(l.steps[2].check_answer(&Answer::Input("w2".into())).unwrap().right);
    let v = l.steps[2].check_answer(&Answer::Input("x2".into())).unwrap();
    assert!(!v.right && v.hint.contains("you picked x2"), "{v:?}");
}

#[test]
fn centring_and_standardizing_give_zero_mean_and_unit_variance() {
    let l = lesson();
    let xs = ["xa", "xb", "xc"].map(|n| engine(&l, 5, n).0);
    assert!(xs.iter().sum::<f64>().abs() < 1e-12, "{xs:?}");
    assert_eq!(engine(&l, 4, "xc").0, 4.0);
    let sd = engine(&l, 5, "sd").0;
    let hs = xs.map(|x| x / sd);
    assert!((hs.iter().map(|h| h * h).sum::<f64>() / 3.0 - 1.0).abs() < 1e-12, "{hs:?}");
    assert!(l.steps[4].check_answer(&Answer::Number(1.36)).unwrap().right);
    // Forgetting the scaling (answering xc = 4) is wrong, and the hint shows hc = xc / sd with its numbers.
    let v = l.steps[4].check_answer(&Answer::Number(4.0)).unwrap();
    assert!(!v.right && v.hint.contains("compute it from its inputs: hc = 4 / 2.94"), "{v:?}");
}

#[test]
fn tiny_and_large_weights_kill_the_input_gradient_and_xavier_keeps_it() {
    let l = lesson();
    let (small, large, xavier) = (engine(&l, 6, "x").1, engine(&l, 7, "x").1, engine(&l, 8, "x").1);
    assert!(small > 0.0 && small < 1.1e-6, "{small}");
    assert!(large > 0.0 && large < 1e-8, "{large}");
    assert!(xavier > 0.1, "{xavier}");
    // w = 0.01: the activations vanish too, and w = 5 saturates them at 1.
    assert!(engine(&l, 6, "h3").0 < 1.1e-6 && engine(&l, 7, "h3").0 > 0.999);
    // Xavier's w = 1/sqrt(fan_in) = 1 here.
    assert_eq!(engine(&l, 8, "w").0, 1.0);

    // The vanished gradient counts as 0; the mul gates' product 5³ alone (forgetting tanh') is wrong.
    assert!(l.steps[6].check_answer(&Answer::Number(0.0)).unwrap().right);
    let v = l.steps[6].check_answer(&Answer::Number(125.0)).unwrap();
    assert!(!v.right && v.hint.contains("upstream"), "{v:?}");
    assert!(l.steps[7].check_answer(&Answer::Number(0.168)).unwrap().right);
    // Xavier's w = 1 is not the gradient: the tanh gates' slopes below 1 multiply in.
    let v = l.steps[7].check_answer(&Answer::Number(1.0)).unwrap();
    assert!(!v.right && v.hint.contains("multiply by the upstream gradient"), "{v:?}");
}
