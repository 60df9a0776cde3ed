//! The batch-norm and dropout lesson: valid against the engine, its gradients show batch norm coupling the examples
//! and inverted dropout scaling by 1/(1 - p), and wrong answers get the engine's hints.

use std::path::Path;

use chainrule::lesson::{Answer, Lesson, Question, Step, check_dir, find_node};

fn lesson() -> Lesson {
    let reports = check_dir(Path::new("assets/lessons")).unwrap();
    let report =
        reports.into_iter().find(|r| r.file.ends_with("07-batchnorm-dropout.toml")).expect("the lesson file is there");
    assert!(report.is_valid(), "{:?}", report.problems);
    report.lesson.expect("a valid lesson loads")
}

/// ∂out/∂node of a step's program, from the engine.
fn grad(step: &Step, node: &str) -> f64 {
    let p = chainrule::expr::compile(&step.backprop.as_ref().unwrap().program, &[]).unwrap();
    p.graph.grad(find_node(&p, node).unwrap())
}

#[test]
fn batch_norm_couples_the_examples_and_inverted_dropout_scales_the_kept_units() {
    let lesson = lesson();
    assert_eq!(lesson.id, "batchnorm-dropout");
    assert!((5..=8).contains(&lesson.steps.len()), "{} steps", lesson.steps.len());
    let step = |k: usize| &lesson.steps[k - 1];

    // The loss uses y1 only, yet every example of the batch gets a gradient, x2's even larger than x1's; the three
    // add up to 0 (shifting the whole batch leaves xhat1 unchanged).
    let (g1, g2, g3) = (grad(step(6), "x1"), grad(step(6), "x2"), grad(step(6), "x3"));
    assert!(g2.abs() > g1.abs() && g3 != 0.0, "{g1} {g2} {g3}");
    assert!((g1 + g2 + g3).abs() < 1e-9, "{g1} {g2} {g3}");
    // Inverted dropout with p = 0.5: the kept unit's gradient is 1/(1 - p) = 2, the dropped one's 0.
    assert_eq!(grad(step(7), "h1"), 2.0);
    assert_eq!(grad(step(7), "h2"), 0.0);

    // mu's value is right to two significant digits; var = 14/3 is a value the learner computes from its inputs.
    assert!(step(1).check_answer(&Answer::Number(3.0)).unwrap().right);
    let v = step(2).check_answer(&Answer::Number(2.0)).unwrap();
    assert!(!v.right && v.hint.contains("var = 14 / 3"), "{v:?}");
    // Forgetting xhat1's sign is wrong.
    assert!(step(3).check_answer(&Answer::Number(-0.93)).unwrap().right);
    assert!(!step(3).check_answer(&Answer::Number(0.93)).unwrap().right);
    // beta takes ∂loss/∂y1 unchanged; giving gamma the same number forgets the mul gate's swap.
    assert!(step(4).check_answer(&Answer::Number(-4.7)).unwrap().right);
    let v = step(5).check_answer(&Answer::Number(-4.7)).unwrap();
    assert!(!v.right && v.hint.contains("mul swaps its inputs"), "{v:?}");
    assert!(step(5).check_answer(&Answer::Number(4.35)).unwrap().right);
    // ∂loss/∂x2 is not 0, and either share alone is not enough: the hint asks to add both uses.
    let v = step(6).check_answer(&Answer::Number(0.0)).unwrap();
    // whatever the wrong answer, the hint says the value is used twice and the shares add, never one share alone
    assert!(!v.right && v.hint.starts_with("x2 is used 2 times") && v.hint.contains("sum of the shares"), "{v:?}");
    assert!(!v.hint.contains("0.622") && !v.hint.contains("2.07"), "{v:?}");
    let v = step(6).check_answer(&Answer::Number(0.622)).unwrap();
    assert!(!v.right && v.hint.contains("x2 is used 2 times") && v.hint.contains("1.45146 + 0.622053"), "{v:?}");
    assert!(step(6).check_answer(&Answer::Number(2.07)).unwrap().right);
    // Dropout: forgetting the 1/(1 - p) is wrong, and the hint names the upstream factor without its number, which
    // is the answer 2 itself (the first hint never states the result).
    let v = step(7).check_answer(&Answer::Number(1.0)).unwrap();
    assert!(
        !v.right && v.hint.starts_with("multiply by the upstream gradient") && v.hint.contains("∂f/∂mul#"),
        "{v:?}"
    );
    assert!(!v.hint.contains('2'), "{v:?}");
    assert!(step(7).check_answer(&Answer::Number(2.0)).unwrap().right);
    // Why scale at training time: so that nothing changes at test time.
    let Some(Question::Choice { correct, options, .. }) = &step(8).question else { panic!("step 8 asks a choice") };
    assert!(correct.contains("nothing changes at test time") && options.len() >= 2);
    assert!(step(8).check_answer(&Answer::Choice(correct.clone())).unwrap().right);
    let v = step(8).check_answer(&Answer::Choice("so that p can be changed at test time".into())).unwrap();
    assert!(!v.right, "{v:?}");
}
