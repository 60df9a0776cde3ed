//! The dropout lab (slide 104): a small network's dropout masks drawn live, one training-mode pass at a time, and
//! the average over many passes set beside evaluation mode.
//!
//! ```text
//! PyTorch  nn.Dropout(p)     p = the probability of DROPPING a unit
//! lecture  inverted dropout  p = the probability of KEEPING one: mask = (rand < p) / p
//! here     p_drop (PyTorch's), keep = 1 − p_drop (the lecture's p)
//!
//! training     h' = h · m,  m = 0 with probability p_drop, else 1/keep = 1/(1 − p_drop)
//! evaluation   h' = h
//! E[h'] = keep · h/keep + p_drop · 0 = h          the expected activation is the same in both modes
//! without the 1/keep (plain dropout)  E[h'] = keep · h, which is why it must scale by keep at test time instead
//! ```
//!
//! The masks are `nn`'s (`fill_dropout_mask`, drawn by the network's own training-mode pass); the lab only counts.
//! The equality is exact for the first dropout layer, whose input (the first hidden activation of a fixed point) is
//! the same in every pass; a deeper layer's input already went through a dropped layer and a non-linearity, so
//! its average is only close to evaluation mode's. A draw costs one forward pass: O(parameters).

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use super::{Lab, LabError};
use crate::nn::{Init, Mlp, MlpLayer, MlpSpec, Mode, fill_dropout_mask};
use crate::scalar::Unary;
use crate::tensor::Loss;

/// The most passes one request may average (a typed number is checked before anything runs).
pub const MAX_DRAWS: usize = 1_000_000;

/// The lab's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// PyTorch's p: the probability of dropping a unit, in [0, 0.95].
    pub p_drop: f64,
    /// Hidden layer sizes (at most 16 units each, so that every unit can be drawn).
    pub hidden: Vec<usize>,
    /// The fixed input point.
    pub input: [f64; 2],
    /// Seeds the weights and the masks.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { p_drop: 0.5, hidden: vec![8, 8], input: [0.8, -0.5], seed: 5 }
    }
}

/// One training-mode pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draw {
    /// Each dropout layer's mask for the point: 0 or 1/(1 − p_drop) per unit.
    pub masks: Vec<Vec<f64>>,
    /// Each hidden layer's output after dropout.
    pub outputs: Vec<Vec<f64>>,
    /// The network's output score.
    pub score: f64,
}

/// The network, its point, and the running sums over the passes drawn so far.
#[derive(Debug)]
pub struct DropoutLab {
    setup: Settings,
    mlp: Mlp<f64>,
    rng: StdRng,
    eval: Vec<Vec<f64>>,
    eval_score: f64,
    sums: Vec<Vec<f64>>,
    squares: Vec<Vec<f64>>,
    score_sum: f64,
    draws: usize,
    last: Option<Draw>,
}

/// The lecture's keep probability for PyTorch's `p_drop`.
pub fn keep_probability(p_drop: f64) -> f64 {
    1.0 - p_drop
}

/// What a kept unit is multiplied by in training: the non-zero entry of `nn`'s inverted-dropout mask, read from a
/// mask it draws (so it is the network's own rule, not a second copy of it). 1/(1 − p_drop).
pub fn kept_scale(p_drop: f64) -> Result<f64, LabError> {
    check_p(p_drop)?;
    let mut rng = StdRng::seed_from_u64(0);
    let mut mask = vec![0.0f64; 64];
    loop {
        fill_dropout_mask(&mut rng, p_drop, &mut mask);
        if let Some(&kept) = mask.iter().find(|&&m| m != 0.0) {
            return Ok(kept);
        }
    }
}

const LAB: &str = "dropout";

fn setting(setting: &'static str, got: impl ToString, expected: impl ToString) -> LabError {
    LabError::Setting { lab: LAB, setting, got: got.to_string(), expected: expected.to_string() }
}

fn check_p(p_drop: f64) -> Result<(), LabError> {
    if !(0.0..=0.95).contains(&p_drop) {
        return Err(setting("p_drop", p_drop, "PyTorch's p, the probability of dropping: from 0 to 0.95"));
    }
    Ok(())
}

impl Lab for Settings {
    fn id(&self) -> &'static str {
        LAB
    }

    fn quantities(&self) -> &'static str {
        "keep (the lecture's p), kept_scale (what a kept unit is multiplied by in training)"
    }

    fn check(&self) -> Result<(), LabError> {
        check_p(self.p_drop)?;
        if self.hidden.is_empty() || self.hidden.len() > 4 || self.hidden.iter().any(|&h| !(1..=16).contains(&h)) {
            return Err(setting("hidden", format!("{:?}", self.hidden), "1 to 4 layers of 1 to 16 units"));
        }
        if self.input.iter().any(|v| !v.is_finite()) {
            return Err(setting("input", format!("{:?}", self.input), "two finite numbers"));
        }
        Ok(())
    }

    fn quantity(&self, name: &str) -> Result<f64, LabError> {
        match name {
            "keep" => Ok(keep_probability(self.p_drop)),
            "kept_scale" => kept_scale(self.p_drop),
            _ => Err(LabError::UnknownQuantity { lab: LAB, name: name.to_owned(), known: self.quantities() }),
        }
    }

    fn hint(&self, _name: &str) -> String {
        "PyTorch's p is the share dropped; inverted dropout scales what is kept so that the expected activation \
         (keep probability × scaled value) equals the activation itself"
            .into()
    }
}

impl DropoutLab {
    /// The network (2 inputs, tanh hidden layers with dropout, 1 output; Xavier weights from the seed) at its point.
    pub fn new(setup: Settings) -> Result<Self, LabError> {
        setup.check()?;
        let nn = |e: crate::nn::NnError| setting("hidden", format!("{:?}", setup.hidden), e);
        let mut spec = MlpSpec::classifier(2, &setup.hidden, 2, Unary::Tanh, Loss::BceLogits).map_err(nn)?;
        spec.init = Init::Xavier;
        spec.dropout = setup.p_drop;
        let mut mlp = Mlp::new(&spec, setup.seed).map_err(nn)?;
        let trace = (mlp.activations_in(&setup.input, 1, Mode::Eval, &mut StdRng::seed_from_u64(0)))
            .map_err(|e| setting("input", format!("{:?}", setup.input), e))?;
        let eval: Vec<Vec<f64>> = hidden_outputs(&mlp, &trace);
        let eval_score = mlp.tape.value(*trace.last().expect("an output layer"))[0];
        let widths: Vec<usize> = eval.iter().map(Vec::len).collect();
        Ok(Self {
            rng: StdRng::seed_from_u64(setup.seed ^ 0xD0),
            sums: widths.iter().map(|&w| vec![0.0; w]).collect(),
            squares: widths.iter().map(|&w| vec![0.0; w]).collect(),
            setup,
            mlp,
            eval,
            eval_score,
            score_sum: 0.0,
            draws: 0,
            last: None,
        })
    }

    /// The settings.
    pub fn setup(&self) -> &Settings {
        &self.setup
    }

    /// PyTorch's p, of dropping.
    pub fn p_drop(&self) -> f64 {
        self.setup.p_drop
    }

    /// The lecture's p, of keeping: 1 − p_drop.
    pub fn keep(&self) -> f64 {
        keep_probability(self.setup.p_drop)
    }

    /// One training-mode pass: fresh masks from the network's own dropout, added to the sums. O(parameters).
    pub fn draw(&mut self) -> Result<&Draw, LabError> {
        let trace = (self.mlp.activations_in(&self.setup.input, 1, Mode::Train, &mut self.rng))
            .map_err(|e| setting("input", format!("{:?}", self.setup.input), e))?;
        let outputs = hidden_outputs(&self.mlp, &trace);
        let score = self.mlp.tape.value(*trace.last().expect("an output layer"))[0];
        let masks: Vec<Vec<f64>> = if self.setup.p_drop > 0.0 {
            self.mlp.masks().iter().take(outputs.len()).cloned().collect()
        } else {
            outputs.iter().map(|o| vec![1.0; o.len()]).collect()
        };
        for ((s, q), o) in self.sums.iter_mut().zip(&mut self.squares).zip(&outputs) {
            for ((s, q), v) in s.iter_mut().zip(q.iter_mut()).zip(o) {
                *s += v;
                *q += v * v;
            }
        }
        self.score_sum += score;
        self.draws += 1;
        Ok(self.last.insert(Draw { masks, outputs, score }))
    }

    /// `k` passes (at most [`MAX_DRAWS`]); the last one is kept as [`DropoutLab::last`].
    pub fn draw_many(&mut self, k: usize) -> Result<(), LabError> {
        if k > MAX_DRAWS {
            return Err(setting("passes", k, "at most 1 000 000"));
        }
        for _ in 0..k {
            self.draw()?;
        }
        Ok(())
    }

    /// The latest pass.
    pub fn last(&self) -> Option<&Draw> {
        self.last.as_ref()
    }

    /// Passes averaged so far.
    pub fn draws(&self) -> usize {
        self.draws
    }

    /// Forgets the passes (the network and its point stay).
    pub fn reset(&mut self) {
        self.sums.iter_mut().chain(&mut self.squares).for_each(|s| s.fill(0.0));
        self.score_sum = 0.0;
        self.draws = 0;
        self.last = None;
    }

    /// Each hidden layer's output in evaluation mode (dropout is the identity): what training's average should match.
    pub fn eval_outputs(&self) -> &[Vec<f64>] {
        &self.eval
    }

    /// The output score in evaluation mode.
    pub fn eval_score(&self) -> f64 {
        self.eval_score
    }

    /// Each hidden layer's output after dropout, averaged over the passes (NaN before any).
    pub fn averages(&self) -> Vec<Vec<f64>> {
        let n = self.draws as f64;
        self.sums.iter().map(|s| s.iter().map(|v| v / n).collect()).collect()
    }

    /// The averages as plain dropout (no 1/(1 − p_drop) in training) would give them: keep · average.
    pub fn unscaled_averages(&self) -> Vec<Vec<f64>> {
        let keep = self.keep();
        self.averages().into_iter().map(|l| l.into_iter().map(|v| v * keep).collect()).collect()
    }

    /// The standard error of each average (the sample std over the passes / √passes; NaN before two passes).
    pub fn std_errors(&self) -> Vec<Vec<f64>> {
        let n = self.draws as f64;
        (self.sums.iter().zip(&self.squares))
            .map(|(s, q)| {
                s.iter()
                    .zip(q)
                    .map(|(s, q)| {
                        let var = ((q - s * s / n) / (n - 1.0)).max(0.0);
                        (var / n).sqrt()
                    })
                    .collect()
            })
            .collect()
    }

    /// The output score averaged over the passes (NaN before any).
    pub fn average_score(&self) -> f64 {
        self.score_sum / self.draws as f64
    }
}

/// Each hidden layer's output (after its dropout, which in evaluation mode is the identity) for row 0 of `trace`.
fn hidden_outputs(mlp: &Mlp<f64>, trace: &[crate::tensor::NodeId]) -> Vec<Vec<f64>> {
    (mlp.layers.iter().enumerate())
        .filter(|(_, l)| matches!(l, MlpLayer::Dropout(_)))
        .map(|(k, _)| mlp.tape.value(trace[k]).to_vec())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_named_both_ways() {
        // PyTorch's p = 0.2 drops 20 %: the lecture's keep probability is 0.8 and a kept unit is scaled by 1/0.8
        assert!((keep_probability(0.2) - 0.8).abs() < 1e-15);
        assert!((kept_scale(0.2).expect("valid") - 1.25).abs() < 1e-15);
        assert!((kept_scale(0.5).expect("valid") - 2.0).abs() < 1e-15);
        assert_eq!(kept_scale(0.0).expect("valid"), 1.0);
        assert!(kept_scale(1.0).unwrap_err().to_string().contains("PyTorch"));
        let s = Settings { p_drop: 0.2, ..Settings::default() };
        assert!((s.quantity("kept_scale").expect("computes") - 1.25).abs() < 1e-15);
        assert!((s.quantity("keep").expect("computes") - 0.8).abs() < 1e-15);
    }

    #[test]
    fn a_pass_drops_units_and_scales_the_rest() {
        let mut lab = DropoutLab::new(Settings::default()).expect("valid");
        let eval = lab.eval_outputs()[0].clone();
        let d = lab.draw().expect("runs").clone();
        assert_eq!(d.masks.len(), 2);
        for (j, (&m, &o)) in d.masks[0].iter().zip(&d.outputs[0]).enumerate() {
            // the first layer's input is the same point in both modes: its output is the eval activation × mask
            assert!(m == 0.0 || m == 2.0, "p = 0.5: a mask entry is 0 or 1/(1 − 0.5) = 2, got {m}");
            assert!((o - eval[j] * m).abs() < 1e-15, "unit {j}");
        }
        // over 50 passes of 16 units at p = 0.5, both kinds of entry occur
        lab.draw_many(49).expect("runs");
        assert_eq!(lab.draws(), 50);
    }

    #[test]
    fn the_average_of_many_masks_is_the_evaluation_activation() {
        let mut lab = DropoutLab::new(Settings { p_drop: 0.3, ..Settings::default() }).expect("valid");
        lab.draw_many(40_000).expect("runs");
        let (avg, eval, se) = (lab.averages(), lab.eval_outputs().to_vec(), lab.std_errors());
        for j in 0..eval[0].len() {
            // E[h·m] = h exactly for the first layer; 40 000 passes put the average within 5 standard errors
            assert!((avg[0][j] - eval[0][j]).abs() <= 5.0 * se[0][j] + 1e-12, "unit {j}");
            // the standard error is |h|·√(p/(1 − p))/√n: h·√(0.3/0.7)/200
            let expected = eval[0][j].abs() * (0.3f64 / 0.7).sqrt() / 200.0;
            assert!((se[0][j] - expected).abs() <= 0.05 * expected + 1e-12, "unit {j}");
            // without the scaling the average would be 0.7·h
            assert!((lab.unscaled_averages()[0][j] - 0.7 * avg[0][j]).abs() < 1e-12);
        }
        lab.reset();
        assert_eq!(lab.draws(), 0);
        assert!(lab.averages()[0][0].is_nan());
    }

    #[test]
    fn no_dropout_is_the_identity_and_bad_settings_are_named() {
        let mut lab = DropoutLab::new(Settings { p_drop: 0.0, ..Settings::default() }).expect("valid");
        let d = lab.draw().expect("runs").clone();
        assert_eq!(d.outputs, lab.eval_outputs().to_vec());
        assert_eq!(d.score, lab.eval_score());
        for (setup, what) in [
            (Settings { p_drop: 0.99, ..Settings::default() }, "p_drop = 0.99"),
            (Settings { hidden: vec![40], ..Settings::default() }, "hidden"),
            (Settings { input: [f64::NAN, 0.0], ..Settings::default() }, "input"),
        ] {
            let e = DropoutLab::new(setup).unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
        }
        assert!(lab.draw_many(MAX_DRAWS + 1).unwrap_err().to_string().contains("passes"));
    }
}
