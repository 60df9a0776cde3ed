//! Self-study exercises: a seeded generator of fresh backprop exercises at graded difficulty, checked by the engine.
//!
//! | difficulty | topic      | program                                   |
//! |------------|------------|-------------------------------------------|
//! | 1          | two gates  | `d = a + b; f = d * c`                    |
//! | 2          | a neuron   | `f = sigmoid(w0*x0 + w1*x1 + b)`          |
//! | 3          | fan-out    | `f = x * y; f += x * x` (x used twice)    |
//! | 4          | a kink     | `f = max(x, y) * z` or `f = relu(x) * z`  |
//! | 5          | a division | `f = (x + y) / y`                         |
//!
//! Inputs are small non-zero integers (a neuron's pre-activation within ±3, so the sigmoid is not saturated), at least 1 apart where a max compares them, so a central difference never
//! crosses a kink — except in the kink exercises that sit on the kink on purpose (a tie in max, relu at 0); there the
//! answer is PyTorch's convention (max splits the gradient 0.5/0.5 on a tie, relu'(0) = 0) and the note says so.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{find_node, hint};
use crate::expr::compile;

/// What an exercise practises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Two gates: add then mul.
    TwoGates,
    /// A sigmoid neuron.
    Neuron,
    /// A node used twice: its gradients add up.
    FanOut,
    /// A kink at max or relu.
    Kink,
    /// A division.
    Division,
}

impl Topic {
    /// The topic of a difficulty (1-5; below 1 is 1, above 5 is 5).
    pub fn of(difficulty: u32) -> Topic {
        match difficulty {
            0 | 1 => Topic::TwoGates,
            2 => Topic::Neuron,
            3 => Topic::FanOut,
            4 => Topic::Kink,
            _ => Topic::Division,
        }
    }
}

/// One exercise: a program, the node to ask about and the engine's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exercise {
    /// What it practises.
    pub topic: Topic,
    /// The program.
    pub program: String,
    /// The input whose gradient `∂f/∂node` the learner gives.
    pub node: String,
    /// The engine's answer.
    pub answer: f64,
    /// Whether the input sits on a kink on purpose (the answer is PyTorch's convention).
    pub at_kink: bool,
}

impl Exercise {
    /// Checks a learner's answer: whether it agrees with the engine, and a hint in words (worked out by
    /// [`hint::hint`]; at a kink it also names PyTorch's convention).
    pub fn check(&self, answer: f64) -> (bool, String) {
        let p = compile(&self.program, &[]).expect("a generated program compiles");
        let node = find_node(&p, &self.node).expect("a generated exercise names an input of its program");
        let right = super::agrees(answer, self.answer);
        let mut h = hint(&p.graph, p.output, node, answer);
        if self.at_kink && !right {
            h.push_str(
                "; this input sits on a kink, where the derivative is not defined: chainrule follows PyTorch \
                 (max splits the gradient 0.5/0.5 on a tie, relu'(0) = 0)",
            );
        }
        (right, h)
    }
}

/// A small deterministic generator (SplitMix64), so that a seed gives the same exercise everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A non-zero integer in -5..=5.
    fn small(&mut self) -> i64 {
        let k = (self.next() % 10) as i64; // 0..=9
        if k < 5 { k - 5 } else { k - 4 }
    }

    fn pick<'a>(&mut self, names: &[&'a str]) -> &'a str {
        names[(self.next() % names.len() as u64) as usize]
    }
}

/// A fresh exercise for `seed` at `difficulty` (1-5, see the module's table). O(1).
pub fn exercise(seed: u64, difficulty: u32) -> Exercise {
    let mut r = Rng(seed ^ u64::from(difficulty).wrapping_mul(0xA24B_AED4_963E_E407));
    let topic = Topic::of(difficulty);
    let mut at_kink = false;
    let (program, node) = match topic {
        Topic::TwoGates => {
            let (a, b, c) = (r.small(), r.small(), r.small());
            (format!("a = {a}; b = {b}; c = {c}; d = a + b; f = d * c"), r.pick(&["a", "b", "c"]))
        }
        Topic::Neuron => {
            // Redraw until the pre-activation is within ±3, where the sigmoid is not saturated (σ' ≥ 0.045) and
            // the gradients are worth computing; the loop ends with probability 1, as
            // small draws (e.g. b alone) qualify.
            let mut v: Vec<i64> = (0..5).map(|_| r.small()).collect();
            while (v[0] * v[1] + v[2] * v[3] + v[4]).abs() > 3 {
                v = (0..5).map(|_| r.small()).collect();
            }
            (
                format!(
                    "w0 = {}; x0 = {}; w1 = {}; x1 = {}; b = {}; f = sigmoid(w0*x0 + w1*x1 + b)",
                    v[0], v[1], v[2], v[3], v[4]
                ),
                r.pick(&["w0", "x0", "w1", "x1", "b"]),
            )
        }
        Topic::FanOut => {
            let (x, y) = (r.small(), r.small());
            (format!("x = {x}; y = {y}; f = x * y; f += x * x"), "x")
        }
        Topic::Kink => {
            let z = r.small();
            at_kink = r.next().is_multiple_of(4);
            if r.next().is_multiple_of(2) {
                let x = r.small();
                // Away from the kink, y differs from x by at least 1.
                let y = if at_kink {
                    x
                } else {
                    x + if r.next().is_multiple_of(2) { 1 } else { -1 } * (1 + (r.next() % 3) as i64)
                };
                (format!("x = {x}; y = {y}; z = {z}; f = max(x, y) * z"), r.pick(&["x", "y"]))
            } else {
                let x = if at_kink { 0 } else { r.small() };
                (format!("x = {x}; z = {z}; f = relu(x) * z"), "x")
            }
        }
        Topic::Division => {
            let (x, y) = (r.small(), r.small());
            (format!("x = {x}; y = {y}; f = (x + y) / y"), r.pick(&["x", "y"]))
        }
    };
    let p = compile(&program, &[]).expect("a generated program compiles");
    let answer = p.grad_of(node).expect("the asked node is an input");
    Exercise { topic, program, node: node.to_owned(), answer, at_kink }
}

/// A learner's score per topic: attempts and right answers (persisting it is the window's job).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Per topic, `(right, attempts)`.
    pub topics: BTreeMap<Topic, (u32, u32)>,
}

impl Score {
    /// Records one answer.
    pub fn record(&mut self, topic: Topic, right: bool) {
        let e = self.topics.entry(topic).or_default();
        e.0 += u32::from(right);
        e.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::{central_difference, relative_error};

    /// The numerical gradient of the exercise's output with respect to its node, h = 1e-5.
    fn numerical(e: &Exercise) -> f64 {
        let mut p = compile(&e.program, &[]).unwrap();
        let x0 = p.input(&e.node).map(|i| p.graph.value(i.node)).unwrap();
        central_difference(
            |v| {
                p.set_input(&e.node, v);
                p.value()
            },
            x0,
            1e-5,
        )
    }

    #[test]
    fn answers_match_numerical_gradients_over_many_seeds() {
        for difficulty in 1..=5 {
            for seed in 0..300 {
                let e = exercise(seed, difficulty);
                if e.at_kink {
                    continue;
                }
                let n = numerical(&e);
                let err = relative_error(e.answer, n);
                assert!(err < 1e-6, "{e:?}: numerical {n}, relative error {err}");
                assert!(e.check(e.answer).0);
            }
        }
    }

    #[test]
    fn kink_exercises_use_pytorch_convention_and_say_so() {
        let mut seen = 0;
        for seed in 0..400 {
            let e = exercise(seed, 4);
            if !e.at_kink {
                continue;
            }
            seen += 1;
            let p = compile(&e.program, &[]).unwrap();
            let z = p.input("z").map(|i| p.graph.value(i.node)).unwrap();
            // max(x, x)·z: each gets 0.5·z on a tie; relu(0)·z: relu'(0) = 0.
            let expected = if e.program.contains("max") { 0.5 * z } else { 0.0 };
            assert_eq!(e.answer, expected, "{e:?}");
            let (right, h) = e.check(e.answer + 1.0);
            assert!(!right);
            assert!(h.contains("PyTorch"), "{h}");
        }
        assert!(seen > 20, "only {seen} kink exercises in 400 seeds");
    }

    #[test]
    fn seeded_and_scored() {
        assert_eq!(exercise(7, 2), exercise(7, 2));
        assert_ne!(exercise(7, 2), exercise(8, 2));
        let mut s = Score::default();
        s.record(Topic::Neuron, true);
        s.record(Topic::Neuron, false);
        assert_eq!(s.topics[&Topic::Neuron], (1, 2));
    }
}
