//! A lesson's `playground` step and the questions checked by training it, with no UI.
//!
//! The step is a playground [`Setup`] (the data, the network and the training settings, as `chainrule train`'s
//! options) plus how many epochs the lesson trains it. Its questions are answered by training, the same run as
//! `chainrule train` with those options and that seed (the same [`Setup::trainer`]):
//!
//! ```text
//! playground      a number of the trained network: test_accuracy, train_accuracy, test_loss, train_loss (the last
//!                 epoch's, evaluation mode), or a health monitor of hidden layer L (crate::nn::health, on the first
//!                 MONITOR_ROWS training rows): dead:L, saturated:L, ratio:L (‖ΔW‖/‖W‖ of the last step), act_std:L,
//!                 grad_std:L
//! fewest_units    the smallest width w in 1..=8 of hidden layer L (default 1) whose test accuracy reaches the
//!                 threshold at some epoch of the run: 8 runs at most, O(8 · epochs · rows · parameters)
//! deadest_layer   the hidden layer with the largest share of dead ReLUs after training (clearly the largest: by
//!                 DEAD_MARGIN or more)
//! ```
//!
//! A run costs O(epochs · rows · parameters); [`MAX_WORK`] bounds epochs × training rows so that `lessons check`
//! stays fast (a shipped question checks in well under a second in release).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::hint::{ANSWER_TOLERANCE, DEFAULT_FLOOR};
use super::{Answer, Question, Verdict};
use crate::nn::EpochStats;
use crate::nn::health::{LayerHealth, layer_health_on, update_ratios};
use crate::nn::playground::{MAX_UNITS, Setup};
use crate::scalar::fmt_num;

/// The most epochs a lesson's step trains.
pub const MAX_EPOCHS: usize = 500;

/// The most epochs × training rows of one run (a `fewest_units` question makes up to [`MAX_UNITS`] runs).
pub const MAX_WORK: usize = 100_000;

/// How much larger than every other layer's the deadest layer's dead share must be for a `deadest_layer` question.
pub const DEAD_MARGIN: f64 = 0.1;

/// The quantities a `playground` question may ask, in words.
pub const QUANTITIES: &str = "test_accuracy, train_accuracy, test_loss, train_loss, dead:L, saturated:L, ratio:L, \
                              act_std:L, grad_std:L (L a hidden layer, from 1)";

/// A `playground` step: the setup's fields and the epochs to train, in one table:
/// `playground = { dataset = "circle", hidden = [3], activation = "Tanh", opt = "sgd:lr=0.1", epochs = 60 }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaygroundStep {
    /// Epochs the lesson trains (1 to [`MAX_EPOCHS`]).
    pub epochs: usize,
    /// The data, network and training settings; keys left out keep the playground's defaults.
    #[serde(flatten)]
    pub setup: Setup,
    /// Keys that are neither a setting nor `epochs` (a typo): [`PlaygroundStep::check`] reports them.
    #[serde(flatten, skip_serializing)]
    pub unknown: BTreeMap<String, toml::Value>,
}

/// What a run of a step gives: every epoch's figures, the monitors after the last, and where it diverged.
#[derive(Clone, Debug, PartialEq)]
pub struct Trained {
    /// Every epoch's figures, in order.
    pub history: Vec<EpochStats>,
    /// The health monitors of each hidden layer after training.
    pub health: Vec<LayerHealth>,
}

impl PlaygroundStep {
    /// The setup's problems (each naming its field), an unknown key, epochs out of range, or a run too long for a
    /// lesson.
    pub fn check(&self) -> Result<(), String> {
        if let Some(key) = self.unknown.keys().next() {
            return Err(format!("the playground has no setting '{key}' ({})", known_keys()));
        }
        if !(1..=MAX_EPOCHS).contains(&self.epochs) {
            return Err(format!("epochs = {}: between 1 and {MAX_EPOCHS}", self.epochs));
        }
        self.setup.validate().map_err(|e| format!("the playground's {e}"))?;
        let rows = (self.setup.points as f64 * self.setup.train_ratio).ceil() as usize;
        if self.epochs * rows > MAX_WORK {
            return Err(format!(
                "{} epochs of about {rows} training rows: a lesson's run is at most {MAX_WORK} epochs × rows (fewer \
                 points or epochs), so that checking it stays fast",
                self.epochs
            ));
        }
        Ok(())
    }

    /// Trains a fresh network of the setup for the step's epochs, stopping at an epoch whose loss is not finite.
    pub fn train(&self) -> Result<Trained, String> {
        train(&self.setup, self.epochs)
    }
}

/// The keys a playground step takes, in words.
fn known_keys() -> String {
    let value = serde_json::to_value(Setup::default()).expect("a setup is plain data");
    let mut keys: Vec<String> = value.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    keys.push("epochs".into());
    keys.sort();
    format!("it takes {}", keys.join(", "))
}

/// Trains a fresh network of `setup` for `epochs` epochs (stopping after an epoch whose training loss is not
/// finite) and measures the monitors on the first [`crate::nn::health::MONITOR_ROWS`] training rows, with the update ratio of the last
/// step. Deterministic: the same setup gives the same numbers, as `chainrule train` with the same options.
pub fn train(setup: &Setup, epochs: usize) -> Result<Trained, String> {
    let (mut t, data) = setup.trainer()?;
    let mut ratios = Vec::new();
    for e in 0..epochs {
        // the update ratios of the last step: the weights before each step of the last epoch, against after it
        let mut before: Option<Vec<f32>> = (e + 1 == epochs).then(|| t.mlp.params().values().to_vec());
        let stats = t
            .run_epoch_with(|t| {
                if let Some(before) = before.as_mut() {
                    ratios = update_ratios(&t.mlp, before);
                    before.copy_from_slice(t.mlp.params().values());
                }
                true
            })
            .map_err(|e| e.to_string())?
            .ok_or("an epoch stopped with nothing asking")?;
        if !stats.train_loss.is_finite() {
            break;
        }
    }
    let health = layer_health_on(&mut t.mlp, &data.train, &ratios).map_err(|e| e.to_string())?;
    Ok(Trained { history: t.history, health })
}

impl Trained {
    /// The quantity `name` ([`QUANTITIES`]) of this run.
    pub fn quantity(&self, name: &str) -> Result<f64, String> {
        let name = name.trim();
        let last = self.history.last().ok_or("the run trained no epoch")?;
        let layer = |prefix: &str| -> Result<Option<&LayerHealth>, String> {
            let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix(':')) else { return Ok(None) };
            let l: usize = rest.trim().parse().map_err(|_| format!("'{name}': a hidden layer's number after ':'"))?;
            self.health.get(l.wrapping_sub(1)).map(Some).ok_or_else(|| {
                format!("'{name}': the network has {} hidden layer(s), numbered from 1", self.health.len())
            })
        };
        let monitor = |prefix: &str, f: fn(&LayerHealth) -> Option<f64>| -> Result<Option<f64>, String> {
            match layer(prefix)? {
                None => Ok(None),
                Some(h) => f(h).map(Some).ok_or_else(|| {
                    format!("'{name}': layer {}'s activation {} has no such monitor", h.layer, h.activation.name())
                }),
            }
        };
        let v = match name {
            "test_accuracy" => last.test_acc,
            "train_accuracy" => last.train_acc,
            "test_loss" => last.test_loss,
            "train_loss" => last.train_loss,
            _ => {
                let found = [
                    monitor("dead", |h| h.dead)?,
                    monitor("saturated", |h| h.saturated)?,
                    monitor("ratio", |h| Some(h.update_ratio))?,
                    monitor("act_std", |h| Some(h.act_std))?,
                    monitor("grad_std", |h| Some(h.grad_std))?,
                ];
                match found.into_iter().flatten().next() {
                    Some(v) => v,
                    None => return Err(format!("the playground has no quantity '{name}' (it has {QUANTITIES})")),
                }
            }
        };
        if v.is_finite() { Ok(v) } else { Err(format!("{name} is not a finite number after training ({v})")) }
    }

    /// The best test accuracy of any epoch.
    pub fn best_test_accuracy(&self) -> f64 {
        self.history.iter().map(|s| s.test_acc).filter(|a| a.is_finite()).fold(f64::NAN, f64::max)
    }

    /// The hidden layer (1-based) with the largest dead share, when it is clearly the largest ([`DEAD_MARGIN`]).
    pub fn deadest_layer(&self) -> Option<usize> {
        let mut dead: Vec<(f64, usize)> = self.health.iter().filter_map(|h| h.dead.map(|d| (d, h.layer))).collect();
        dead.sort_by(|a, b| b.0.total_cmp(&a.0));
        match dead.as_slice() {
            [(d0, l), (d1, _), ..] if d0 - d1 >= DEAD_MARGIN => Some(*l),
            _ => None,
        }
    }
}

/// A width's run for a `fewest_units` question.
#[derive(Clone, Debug, PartialEq)]
pub struct WidthRun {
    /// The width of the layer.
    pub width: usize,
    /// Its best test accuracy over the epochs.
    pub best: f64,
}

/// Runs widths 1, 2, ... of hidden layer `layer` (1-based) until one reaches `threshold` test accuracy at some epoch;
/// returns every run made, the last being the first to reach it (when one does). At most [`MAX_UNITS`] runs.
pub fn fewest_units(step: &PlaygroundStep, layer: usize, threshold: f64) -> Result<Vec<WidthRun>, String> {
    if layer == 0 || layer > step.setup.hidden.len() {
        return Err(format!(
            "layer = {layer}: the setup has {} hidden layer(s), numbered from 1",
            step.setup.hidden.len()
        ));
    }
    let mut runs = Vec::new();
    for width in 1..=MAX_UNITS {
        let mut setup = step.setup.clone();
        setup.hidden[layer - 1] = width;
        let best = train(&setup, step.epochs)?.best_test_accuracy();
        runs.push(WidthRun { width, best });
        if best >= threshold {
            break;
        }
    }
    Ok(runs)
}

/// The smallest width that reaches the threshold, from [`fewest_units`]'s runs.
pub fn smallest(runs: &[WidthRun], threshold: f64) -> Option<usize> {
    runs.iter().find(|r| r.best >= threshold).map(|r| r.width)
}

/// Whether `answer` agrees with `expected` for a `playground` question: `|a − e| ≤ tolerance · max(|e|, floor)`,
/// with the question's `tolerance` (default [`ANSWER_TOLERANCE`], 2%) and `floor` (default [`DEFAULT_FLOOR`]); or,
/// when the question sets a `factor`, within that factor either way.
pub fn agrees(question: &Question, answer: f64, expected: f64) -> bool {
    if let Question::Playground { factor: Some(f), .. } = question {
        let r = answer / expected;
        return answer.is_finite() && r > 0.0 && r <= *f && 1.0 / r <= *f;
    }
    let (tolerance, floor) = match question {
        Question::Playground { tolerance, floor, .. } => {
            (tolerance.unwrap_or(ANSWER_TOLERANCE), floor.unwrap_or(DEFAULT_FLOOR))
        }
        _ => (ANSWER_TOLERANCE, DEFAULT_FLOOR),
    };
    answer.is_finite() && (answer - expected).abs() <= tolerance * expected.abs().max(floor)
}

/// The option text of hidden layer `l` in a `deadest_layer` question.
pub fn layer_option(l: usize) -> String {
    format!("layer {l}")
}

/// The answer training gives to a question on a playground step.
#[derive(Clone, Debug, PartialEq)]
pub enum Solution {
    /// A `playground` question's number.
    Number(f64),
    /// A `fewest_units` question's width, with the runs that found it (the last reaches the threshold).
    Width {
        /// The smallest width that reaches the threshold.
        width: usize,
        /// Every width tried, in order.
        runs: Vec<WidthRun>,
    },
    /// A `deadest_layer` question's layer, with every layer's dead share.
    Layer {
        /// The deadest hidden layer, from 1.
        layer: usize,
        /// Each hidden layer's dead share, in order.
        dead: Vec<f64>,
    },
}

/// Trains the step as `question` asks (one run, or up to [`MAX_UNITS`] for `fewest_units`) and finds its answer;
/// errors when the question has none (no width reaches the threshold, no layer clearly deadest, a quantity that is
/// not a finite number) or does not fit the step.
pub fn solve(step: &PlaygroundStep, question: &Question) -> Result<Solution, String> {
    step.check()?;
    match question {
        Question::Playground { quantity, .. } => Ok(Solution::Number(step.train()?.quantity(quantity)?)),
        Question::FewestUnits { threshold, layer, .. } => {
            let runs = fewest_units(step, layer.unwrap_or(1), *threshold)?;
            match smallest(&runs, *threshold) {
                Some(width) => Ok(Solution::Width { width, runs }),
                None => Err(format!(
                    "no width from 1 to {MAX_UNITS} reaches test accuracy {threshold} in {} epochs (the best reaches \
                     {:.3}): the question has no answer",
                    step.epochs,
                    runs.iter().map(|r| r.best).fold(f64::NAN, f64::max)
                )),
            }
        }
        Question::DeadestLayer { .. } => {
            let trained = step.train()?;
            let dead: Vec<f64> = trained.health.iter().map(|h| h.dead.unwrap_or(0.0)).collect();
            match trained.deadest_layer() {
                Some(layer) => Ok(Solution::Layer { layer, dead }),
                None => Err(format!(
                    "no hidden layer is clearly the deadest after training (dead shares {}; the deadest must lead by \
                     {DEAD_MARGIN})",
                    dead.iter().map(|d| format!("{d:.2}")).collect::<Vec<_>>().join(", ")
                )),
            }
        }
        _ => Err("this question is not checked by training a playground".into()),
    }
}

impl Solution {
    /// The right answer to `question`, in words (revealed after the second try).
    pub fn expected(&self, question: &Question) -> String {
        match (self, question) {
            (Solution::Number(v), Question::Playground { quantity, .. }) => format!("{quantity} = {}", fmt_num(*v)),
            (Solution::Width { width, runs }, Question::FewestUnits { threshold, .. }) => {
                let best = runs.last().map_or(f64::NAN, |r| r.best);
                format!("{width} unit(s): the test accuracy reaches {:.3} ≥ {threshold}", best)
            }
            (Solution::Layer { layer, dead }, _) => format!(
                "{}: dead shares {}",
                layer_option(*layer),
                dead.iter()
                    .enumerate()
                    .map(|(i, d)| format!("layer {}: {:.0} %", i + 1, 100.0 * d))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => String::new(),
        }
    }
}

/// The verdict on a learner's `answer` to `question`, given the training's `solution` ([`solve`]). A width that is
/// not a whole number from 1 to 8, or a layer the network does not have, is refused (no try is used).
pub fn verdict(question: &Question, solution: &Solution, answer: &Answer) -> Result<Verdict, String> {
    let expected = solution.expected(question);
    match (question, solution, answer) {
        (Question::Playground { quantity, .. }, Solution::Number(e), Answer::Number(a)) => {
            let right = agrees(question, *a, *e);
            let hint = if right {
                format!("right: {quantity} = {}", fmt_num(*e))
            } else {
                let side = if a > e { "lower" } else { "higher" };
                format!("{}; it is {side} than that", quantity_hint(quantity))
            };
            Ok(Verdict { right, expected, hint })
        }
        (Question::FewestUnits { threshold, .. }, Solution::Width { width, runs }, Answer::Number(a)) => {
            if a.fract() != 0.0 || !(1.0..=MAX_UNITS as f64).contains(a) {
                return Err(format!("{a}: a number of units, a whole number from 1 to {MAX_UNITS}"));
            }
            let a = *a as usize;
            let right = a == *width;
            let hint = if right {
                format!("right: {a} unit(s) reach test accuracy {threshold}, and fewer do not")
            } else if a < *width {
                let best = runs.get(a - 1).map_or(f64::NAN, |r| r.best);
                format!(
                    "with {a} unit(s) the test accuracy stays at {best:.3} at best, below {threshold}: each unit adds one \
                     line (one bend) to the boundary, and this boundary needs more of them"
                )
            } else {
                format!(
                    "{a} units reach test accuracy {threshold}, but fewer do too: count the bends the boundary \
                     needs, one unit for each"
                )
            };
            Ok(Verdict { right, expected, hint })
        }
        (Question::DeadestLayer { .. }, Solution::Layer { layer, dead }, Answer::Choice(c)) => {
            let Some(picked) = (1..=dead.len()).find(|&l| layer_option(l) == c.trim()) else {
                return Err(format!("'{c}': pick one of the network's {} hidden layers", dead.len()));
            };
            let right = picked == *layer;
            let hint = if right {
                format!("right: {:.0} % of its units are dead", 100.0 * dead[picked - 1])
            } else {
                format!(
                    "{:.0} % of layer {picked}'s units are dead, and another layer has more: {}",
                    100.0 * dead[picked - 1],
                    quantity_hint("dead")
                )
            };
            Ok(Verdict { right, expected, hint })
        }
        _ => Err("this kind of answer does not fit the question".into()),
    }
}

/// What to think about after a wrong answer about `quantity`: the idea, never the result.
pub fn quantity_hint(quantity: &str) -> String {
    let q = quantity.trim();
    let idea = if q.ends_with("accuracy") {
        "think of the shape the boundary must take and whether this network can draw it: without a hidden layer it \
         is one straight line, each hidden unit adds a bend"
    } else if q.ends_with("loss") {
        "the loss falls while the steps are the right size: a rate too large makes it jump or blow up, one too small \
         leaves it near where it started"
    } else if q.starts_with("dead") {
        "a ReLU is dead when its input is negative for every point: a large step can push its bias or weights there, \
         and then its gradient is 0 and it never comes back"
    } else if q.starts_with("saturated") {
        "tanh and sigmoid saturate when their inputs are large: big weights or big steps push them to the flat tails"
    } else if q.starts_with("ratio") {
        "the update ratio is the step's size against the weights' size: it grows with the learning rate; compare \
         this rate with the one of a healthy run"
    } else {
        "think of how the learning rate and the initialization set the scale of the signals"
    };
    idea.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(text: &str) -> PlaygroundStep {
        toml::from_str(text).expect("parses")
    }

    #[test]
    fn a_step_reads_the_setup_and_keeps_unknown_keys() {
        let s = step("epochs = 5\ndataset = \"xor\"\nhidden = [3]\nactivation = \"Relu\"\nopt = \"sgd:lr=0.1\"\n");
        assert_eq!((s.epochs, s.setup.dataset.as_str(), s.setup.hidden.clone()), (5, "xor", vec![3]));
        assert_eq!(s.setup.points, Setup::default().points);
        assert!(s.check().is_ok());
        let typo = step("epochs = 5\nhiden = [3]\n");
        assert!(typo.check().unwrap_err().starts_with("the playground has no setting 'hiden'"));
        let long = step("epochs = 500\npoints = 5000\n");
        assert!(long.check().unwrap_err().contains("at most 100000 epochs × rows"));
        assert!(step("epochs = 0\n").check().unwrap_err().contains("epochs = 0"));
        assert!(step("epochs = 1\nhidden = [9]\n").check().unwrap_err().contains("hidden layers"));
    }

    #[test]
    fn training_is_deterministic_and_gives_the_quantities() {
        let s = step("epochs = 3\npoints = 200\nhidden = [4, 3]\nactivation = \"Relu\"\nopt = \"sgd:lr=0.1\"\n");
        let a = s.train().unwrap();
        let b = s.train().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.history.len(), 3);
        assert_eq!(a.quantity("test_accuracy").unwrap(), a.history[2].test_acc);
        assert_eq!(a.quantity("dead:2").unwrap(), a.health[1].dead.unwrap());
        assert!(a.quantity("ratio:1").unwrap() > 0.0);
        assert!(a.quantity("saturated:1").unwrap_err().contains("no such monitor"));
        assert!(a.quantity("dead:3").unwrap_err().contains("2 hidden layer(s)"));
        assert!(a.quantity("accuracy").unwrap_err().contains("no quantity 'accuracy'"));
    }
}
