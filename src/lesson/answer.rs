//! Checking a learner's answer to a step's question by running the core: the engine's gradient or value at the node,
//! the option named correct, the race's winner, a race run at the learner's learning rate ([`super::tuning`]), every
//! input's gradient. A wrong answer gets a hint ([`super::hint`] for gradients).

use serde::{Deserialize, Serialize};

use super::{Question, Step, agrees_within, find_node, hint, largest_gradient, race_winner, tuning};
use crate::expr::compile;
use crate::scalar::explain::name;
use crate::scalar::{Graph, NodeId, Op, Unary, fmt_num};

/// What a learner answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// A number, for `gradient` and `value` questions.
    Number(f64),
    /// An option's text, for `choice`.
    Choice(String),
    /// A racer's position in the race's line-up, for `race_winner`.
    Racer(usize),
    /// An input's name, for `largest_gradient`.
    Input(String),
}

/// The verdict on an answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// Whether the answer is right.
    pub right: bool,
    /// The right answer, in words (to reveal after the second try).
    pub expected: String,
    /// What to say: the rule missed, or a confirmation.
    pub hint: String,
}

/// How a node's value is computed from its operands' values, e.g. `q = -2 + 5` or `m = max(2, -1)`, named as the
/// trace names it; an operand whose value equals the answer (`q = x + 0`, asked q = 3 with x = 3) is written by its
/// name, so the hint never states the result.
fn forward_formula(g: &Graph, id: NodeId, floor: f64) -> String {
    let e = g.value(id);
    let v = |i: u32| {
        let x = g.value(NodeId(i));
        if agrees_within(x, e, floor) { name(g, NodeId(i)) } else { fmt_num(x) }
    };
    let me = name(g, id);
    match g.op(id) {
        Op::Binary(b, x, y) if b.is_call() => format!("{me} = {}({}, {})", b.symbol(), v(x), v(y)),
        Op::Binary(b, x, y) => format!("{me} = {} {} {}", v(x), b.symbol(), v(y)),
        Op::Unary(Unary::Neg, a) => format!("{me} = -{}", v(a)),
        Op::Unary(u, a) => format!("{me} = {}({})", u.name(), v(a)),
        Op::Leaf | Op::Const => format!("{me} is given in the program"),
    }
}

/// A number as a learner may type it: `-4`, `0.25`, `1e-5`, or a fraction `-1/3` (`1 / 3`, `-2/-6`).
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim().replace('−', "-");
    if let Some((a, b)) = t.split_once('/') {
        let (a, b): (f64, f64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        return (b != 0.0).then_some(a / b).filter(|v| v.is_finite());
    }
    t.parse().ok()
}

/// The name of the output of a step's program, as the trace names it (`f`, `loss`); `f` without a program.
pub fn output_name(step: &Step) -> String {
    step.backprop
        .as_ref()
        .and_then(|b| compile(&b.program, &[]).ok())
        .map_or_else(|| "f".to_owned(), |p| name(&p.graph, p.output))
}

impl Step {
    /// What a learner picks from, in order: a choice's options, the race's racers for `race_winner`, the program's
    /// inputs for `largest_gradient`; empty for the kinds answered with a number.
    pub fn options(&self) -> Vec<String> {
        match &self.question {
            Some(Question::Choice { options, .. }) => options.clone(),
            Some(Question::RaceWinner { .. }) => self.race.as_ref().map(|r| r.racers.clone()).unwrap_or_default(),
            Some(Question::LargestGradient { .. }) => self
                .backprop
                .as_ref()
                .and_then(|b| compile(&b.program, &[]).ok())
                .map(|p| p.inputs.iter().map(|i| i.name.clone()).collect())
                .unwrap_or_default(),
            Some(Question::DeadestLayer { .. }) => self
                .playground
                .as_ref()
                .map(|p| (1..=p.setup.hidden.len()).map(super::playground::layer_option).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// The answer a learner gave as text (a number typed) or as option `choice` (an index into [`Step::options`]),
    /// for the step's kind of question; `None` when nothing fitting was given.
    pub fn answer_from(&self, text: &str, choice: Option<usize>) -> Option<Answer> {
        match (&self.question, choice) {
            (Some(Question::RaceWinner { .. }), Some(i)) => Some(Answer::Racer(i)),
            (Some(Question::Choice { .. }), Some(i)) => self.options().get(i).cloned().map(Answer::Choice),
            (Some(Question::LargestGradient { .. }), Some(i)) => self.options().get(i).cloned().map(Answer::Input),
            (Some(Question::DeadestLayer { .. }), Some(i)) => self.options().get(i).cloned().map(Answer::Choice),
            (
                Some(
                    Question::Gradient { .. }
                    | Question::Value { .. }
                    | Question::LearningRate { .. }
                    | Question::Lab { .. }
                    | Question::Playground { .. }
                    | Question::FewestUnits { .. },
                ),
                _,
            ) => parse_number(text).map(Answer::Number),
            _ => None,
        }
    }

    /// Checks `answer` to the step's question. Errors when the step asks nothing, the answer's kind does not fit the
    /// question, or the lesson itself is invalid (which `lessons check` reports first).
    pub fn check_answer(&self, answer: &Answer) -> Result<Verdict, String> {
        let question = self.question.as_ref().ok_or("this step asks no question")?;
        match (question, answer) {
            (Question::Gradient { node, floor, .. } | Question::Value { node, floor, .. }, Answer::Number(a)) => {
                let view = self.backprop.as_ref().ok_or("the question needs a backprop view")?;
                let p = compile(&view.program, &[]).map_err(|e| e.to_string())?;
                let id = find_node(&p, node).ok_or_else(|| format!("the program has no node named '{node}'"))?;
                let floor = floor.unwrap_or(hint::DEFAULT_FLOOR);
                let f = name(&p.graph, p.output);
                if matches!(question, Question::Gradient { .. }) {
                    let e = p.graph.grad(id);
                    Ok(Verdict {
                        right: agrees_within(*a, e, floor),
                        expected: format!("∂{f}/∂{node} = {}", fmt_num(e)),
                        hint: hint::hint_within(&p.graph, p.output, id, *a, floor),
                    })
                } else {
                    let e = p.graph.value(id);
                    let right = agrees_within(*a, e, floor);
                    let h = if right {
                        format!("right: {node} = {}", fmt_num(e))
                    } else {
                        format!("compute it from its inputs: {}", forward_formula(&p.graph, id, floor))
                    };
                    Ok(Verdict { right, expected: format!("{node} = {}", fmt_num(e)), hint: h })
                }
            }
            (Question::Choice { correct, .. }, Answer::Choice(c)) => {
                let right = c.trim() == correct.trim();
                let h = if right { "right".into() } else { "not this one: read the narration again".into() };
                Ok(Verdict { right, expected: correct.clone(), hint: h })
            }
            (Question::RaceWinner { threshold, .. }, Answer::Racer(k)) => {
                let view = self.race.as_ref().ok_or("the question needs a race view")?;
                let (w, s) = race_winner(view, *threshold)?.ok_or("no single racer wins this race")?;
                let right = *k == w;
                let h = if right {
                    format!("right: it reaches loss {threshold} at step {s}")
                } else {
                    format!("{} reaches loss {threshold} first, at step {s}: watch the race", view.racers[w])
                };
                Ok(Verdict { right, expected: view.racers[w].clone(), hint: h })
            }
            (Question::LearningRate { threshold, within, racer, .. }, Answer::Number(lr)) => {
                let view = self.race.as_ref().ok_or("the question needs a race view")?;
                let template = Question::lr_template(racer);
                let run = tuning::run_lr(view, template, *lr, *threshold, *within)?;
                let range = tuning::working_range(view, template, *threshold, *within)?;
                Ok(Verdict {
                    right: run.reached.is_some(),
                    expected: tuning::lr_expected(range.as_ref(), *threshold),
                    hint: tuning::lr_hint(&run, *lr, *threshold, *within, range.as_ref()),
                })
            }
            (Question::LargestGradient { .. }, Answer::Input(name)) => {
                let view = self.backprop.as_ref().ok_or("the question needs a backprop view")?;
                let p = compile(&view.program, &[]).map_err(|e| e.to_string())?;
                let grads = p.grads();
                let name = name.trim();
                let Some((_, picked)) = grads.iter().find(|(n, _)| n == name) else {
                    let names: Vec<&str> = grads.iter().map(|(n, _)| n.as_str()).collect();
                    return Err(format!("the program has no input named '{name}': pick one of {}", names.join(", ")));
                };
                let (best, g) = largest_gradient(&p).ok_or("no single input has the largest gradient")?;
                let right = name == best;
                let h = if right {
                    format!("right: |∂f/∂{name}| = {} is the largest", fmt_num(picked.abs()))
                } else {
                    format!(
                        "you picked {name}: |∂f/∂{name}| = {}, but the largest |∂f/∂input| is {}: which input has it?",
                        fmt_num(picked.abs()),
                        fmt_num(g.abs())
                    )
                };
                Ok(Verdict { right, expected: format!("{best}: ∂f/∂{best} = {}", fmt_num(g)), hint: h })
            }
            (Question::Lab { quantity, floor, .. }, Answer::Number(a)) => {
                let lab = self.lab.as_ref().ok_or("the question needs a lab view")?;
                let e = lab.quantity(quantity).map_err(|e| e.to_string())?;
                let right = agrees_within(*a, e, floor.unwrap_or(hint::DEFAULT_FLOOR));
                let h = if right { format!("right: {quantity} = {}", fmt_num(e)) } else { lab.lab().hint(quantity) };
                Ok(Verdict { right, expected: format!("{quantity} = {}", fmt_num(e)), hint: h })
            }
            (Question::Playground { .. } | Question::FewestUnits { .. } | Question::DeadestLayer { .. }, _) => {
                let view = self.playground.as_ref().ok_or("the question needs a playground view")?;
                super::playground::verdict(question, &super::playground::solve(view, question)?, answer)
            }
            _ => Err("this kind of answer does not fit the question".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::{BackpropView, RaceView};

    fn step(backprop: Option<BackpropView>, race: Option<RaceView>, question: Question) -> Step {
        Step { narration: "n".into(), backprop, race, lab: None, playground: None, question: Some(question) }
    }

    fn lecture() -> Option<BackpropView> {
        Some(BackpropView { program: "x = -2; y = 5; z = -4; q = x + y; f = q * z".into(), at: None })
    }

    #[test]
    fn gradient_wrong_then_right() {
        let s = step(lecture(), None, Question::Gradient { node: "q".into(), answer: None, floor: None });
        let v = s.check_answer(&Answer::Number(3.0)).unwrap(); // q's own value, not z
        assert!(!v.right);
        assert!(v.hint.starts_with("mul swaps its inputs"), "{}", v.hint);
        assert!(s.check_answer(&Answer::Number(-4.0)).unwrap().right); // ∂f/∂q = z = -4
        assert!(s.check_answer(&Answer::Choice("-4".into())).is_err());
    }

    #[test]
    fn a_fraction_is_a_number() {
        let s = step(lecture(), None, Question::Gradient { node: "q".into(), answer: None, floor: None });
        assert_eq!(s.answer_from("-1/3", None), Some(Answer::Number(-1.0 / 3.0)));
        assert_eq!(s.answer_from(" 2 / -4 ", None), Some(Answer::Number(-0.5)));
        assert_eq!(s.answer_from("−4", None), Some(Answer::Number(-4.0))); // a typographic minus
        assert_eq!(s.answer_from("1/0", None), None);
        assert_eq!(s.answer_from("1/x", None), None);
    }

    #[test]
    fn value_hint_shows_the_inputs() {
        let s = step(lecture(), None, Question::Value { node: "q".into(), answer: None, floor: None });
        let v = s.check_answer(&Answer::Number(7.0)).unwrap();
        assert!(!v.right);
        assert_eq!(v.hint, "compute it from its inputs: q = -2 + 5");
        assert!(s.check_answer(&Answer::Number(3.0)).unwrap().right); // -2 + 5 = 3
    }

    #[test]
    fn race_winner_and_choice() {
        let race = RaceView {
            surface: "x^2/20 + 2*y^2".into(),
            start: Some([1.0, 1.0]),
            racers: vec!["sgd:lr=0.1".into(), "sgd:lr=0.1,momentum=0.9".into()],
            steps: 300,
        };
        let s = step(None, Some(race), Question::RaceWinner { threshold: 1e-3, answer: None });
        // SGD needs about 195 steps (0.99^k ≤ 0.141), momentum fewer.
        assert!(!s.check_answer(&Answer::Racer(0)).unwrap().right);
        assert!(s.check_answer(&Answer::Racer(1)).unwrap().right);
        let c = Question::Choice { prompt: "p".into(), options: vec!["a".into(), "b".into()], correct: "b".into() };
        let s = step(None, None, c);
        assert!(!s.check_answer(&Answer::Choice("a".into())).unwrap().right);
        assert!(s.check_answer(&Answer::Choice("b".into())).unwrap().right);
    }

    fn bowl_race() -> Option<RaceView> {
        // the elongated preset x²/20 + 2y² from its start (-9, 2)
        Some(RaceView { surface: "elongated".into(), start: None, racers: vec!["sgd:lr=0.1".into()], steps: 80 })
    }

    #[test]
    fn learning_rate_right_wrong_and_refused() {
        let q = Question::LearningRate { threshold: 0.01, within: 80, racer: None, answer: None };
        let s = step(None, bowl_race(), q);
        // lr 0.45: x shrinks by 1 − 0.045 a step and reaches |x| ≤ 0.447 (loss 0.01) after about 65 steps
        let v = s.check_answer(&Answer::Number(0.45)).unwrap();
        assert!(v.right, "{v:?}");
        assert!(v.hint.starts_with("right: at lr = 0.45 it reaches loss 0.01 at step"), "{}", v.hint);
        // lr 0.6: y ↦ (1 − 2.4)·y grows by 1.4 a step and leaves the region |y| ≤ 3
        let v = s.check_answer(&Answer::Number(0.6)).unwrap();
        assert!(!v.right);
        assert!(v.hint.contains("diverged at step") && v.hint.contains("too large"), "{}", v.hint);
        // lr 0.05: x keeps 0.995 a step, |x| ≈ 9·0.995^80 = 6.0, loss ≈ 1.8
        let v = s.check_answer(&Answer::Number(0.05)).unwrap();
        assert!(!v.right);
        assert!(v.hint.contains("too small"), "{}", v.hint);
        assert!(v.expected.starts_with("any lr from about 0.3"), "{}", v.expected);
        assert!(s.check_answer(&Answer::Number(1e9)).unwrap_err().contains("far too large"));
        assert!(s.check_answer(&Answer::Number(-0.1)).unwrap_err().contains("positive"));
        assert_eq!(s.answer_from(" 0.45 ", None), Some(Answer::Number(0.45)));
        assert_eq!(s.answer_from("fast", None), None);
    }

    #[test]
    fn largest_gradient_right_wrong_and_unknown() {
        // f = x²/20 + 2y² at (-9, 2): ∂f/∂x = x/10 = -0.9, ∂f/∂y = 4y = 8
        let b = BackpropView { program: "x = -9; y = 2; f = x^2/20 + 2*y^2".into(), at: None };
        let s = step(Some(b), None, Question::LargestGradient { answer: None });
        assert_eq!(s.options(), vec!["x".to_owned(), "y".to_owned()]);
        assert_eq!(s.answer_from("", Some(1)), Some(Answer::Input("y".into())));
        let v = s.check_answer(&Answer::Input("x".into())).unwrap();
        assert!(!v.right);
        assert_eq!(v.hint, "you picked x: |∂f/∂x| = 0.9, but the largest |∂f/∂input| is 8: which input has it?");
        assert_eq!(v.expected, "y: ∂f/∂y = 8");
        assert!(s.check_answer(&Answer::Input(" y".into())).unwrap().right);
        let e = s.check_answer(&Answer::Input("z".into())).unwrap_err();
        assert_eq!(e, "the program has no input named 'z': pick one of x, y");
    }
}
