//! Checking a learner's answer to a step's question by running the core: the engine's gradient or value at the node,
//! the option named correct, the race's winner. A wrong answer gets a hint ([`super::hint`] for gradients).

use serde::{Deserialize, Serialize};

use super::{Question, Step, agrees, find_node, hint, race_winner};
use crate::expr::compile;
use crate::scalar::{Graph, NodeId, Op, fmt_num};

/// What a learner answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// A number, for `gradient` and `value` questions.
    Number(f64),
    /// An option's text, for `choice`.
    Choice(String),
    /// A racer's position in the race's line-up, for `race_winner`.
    Racer(usize),
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

/// How a node's value is computed from its operands' values, e.g. `q = -2 + 5` or `m = max(2, -1)`.
fn forward_formula(g: &Graph, id: NodeId) -> String {
    let v = |i: u32| fmt_num(g.value(NodeId(i)));
    let name = g.display_name(id);
    match g.op(id) {
        Op::Binary(b, x, y) if b.is_call() => format!("{name} = {}({}, {})", b.symbol(), v(x), v(y)),
        Op::Binary(b, x, y) => format!("{name} = {} {} {}", v(x), b.symbol(), v(y)),
        Op::Unary(u, a) => format!("{name} = {}({})", u.name(), v(a)),
        Op::Leaf | Op::Const => format!("{name} is given: {}", fmt_num(g.value(id))),
    }
}

impl Step {
    /// Checks `answer` to the step's question. Errors when the step asks nothing, the answer's kind does not fit the
    /// question, or the lesson itself is invalid (which `lessons check` reports first).
    pub fn check_answer(&self, answer: &Answer) -> Result<Verdict, String> {
        let question = self.question.as_ref().ok_or("this step asks no question")?;
        match (question, answer) {
            (Question::Gradient { node, .. } | Question::Value { node, .. }, Answer::Number(a)) => {
                let view = self.backprop.as_ref().ok_or("the question needs a backprop view")?;
                let p = compile(&view.program, &[]).map_err(|e| e.to_string())?;
                let id = find_node(&p, node).ok_or_else(|| format!("the program has no node named '{node}'"))?;
                if matches!(question, Question::Gradient { .. }) {
                    let e = p.graph.grad(id);
                    Ok(Verdict {
                        right: agrees(*a, e),
                        expected: format!("∂f/∂{node} = {}", fmt_num(e)),
                        hint: hint(&p.graph, id, *a),
                    })
                } else {
                    let e = p.graph.value(id);
                    let right = agrees(*a, e);
                    let h = if right {
                        format!("right: {node} = {}", fmt_num(e))
                    } else {
                        format!("compute it from its inputs: {}", forward_formula(&p.graph, id))
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
            _ => Err("this kind of answer does not fit the question".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::{BackpropView, RaceView};

    fn step(backprop: Option<BackpropView>, race: Option<RaceView>, question: Question) -> Step {
        Step { narration: "n".into(), backprop, race, question: Some(question) }
    }

    fn lecture() -> Option<BackpropView> {
        Some(BackpropView { program: "x = -2; y = 5; z = -4; q = x + y; f = q * z".into(), at: None })
    }

    #[test]
    fn gradient_wrong_then_right() {
        let s = step(lecture(), None, Question::Gradient { node: "q".into(), answer: None });
        let v = s.check_answer(&Answer::Number(3.0)).unwrap(); // q's own value, not z
        assert!(!v.right);
        assert!(v.hint.starts_with("mul swaps its inputs"), "{}", v.hint);
        assert!(s.check_answer(&Answer::Number(-4.0)).unwrap().right); // ∂f/∂q = z = -4
        assert!(s.check_answer(&Answer::Choice("-4".into())).is_err());
    }

    #[test]
    fn value_hint_shows_the_inputs() {
        let s = step(lecture(), None, Question::Value { node: "q".into(), answer: None });
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
}
