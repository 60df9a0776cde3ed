//! The moving-averages lab (slides 108-109): a noisy signal θ₁…θ_T and its exponentially weighted average
//!
//! ```text
//! V₀ = 0,  V_t = β·V_{t−1} + (1 − β)·θ_t,  corrected: V_t / (1 − βᵗ)
//! ```
//!
//! which averages over roughly the last 1/(1 − β) samples (β = 0.9: 10). Starting from V₀ = 0 it reads low at first
//! (V₁ = (1 − β)·θ₁); dividing by 1 − βᵗ removes that bias. The same average is momentum's buffer: feeding the signal
//! as the gradient of the lecture's momentum rule ([`crate::optim::ewma`], the optimizer the race and the networks
//! use) leaves V_t in its velocity, which [`momentum_buffer`] reads back. O(T).

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::{Lab, LabError, in_range, index_after};
use crate::optim::{MomentumEwmaConfig, OptimSpec, Optimizer};

/// The most samples the lab draws.
pub const MAX_STEPS: usize = 1000;

/// The signal under the noise.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// `level` at every step (with noise 0, the bias is plain to see).
    Constant,
    /// `level · sin(2π t / 100)`, a slow seasonal swing as slide 108's temperatures.
    Sine,
}

/// The lab's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// β, the weight of the past.
    pub beta: f64,
    /// Samples.
    pub steps: usize,
    /// The signal's shape.
    pub signal: Signal,
    /// The signal's level (amplitude for the sine).
    pub level: f64,
    /// The standard deviation of the Gaussian noise added to every sample.
    pub noise: f64,
    /// Seeds the noise.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { beta: 0.9, steps: 200, signal: Signal::Sine, level: 10.0, noise: 3.0, seed: 0 }
    }
}

const LAB: &str = "ewma";

/// The samples θ₁…θ_T.
pub fn samples(s: &Settings) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(s.seed);
    let noise = Normal::new(0.0, s.noise.max(0.0)).expect("a non-negative standard deviation");
    (1..=s.steps)
        .map(|t| {
            let clean = match s.signal {
                Signal::Constant => s.level,
                Signal::Sine => s.level * (std::f64::consts::TAU * t as f64 / 100.0).sin(),
            };
            clean + noise.sample(&mut rng)
        })
        .collect()
}

/// V₁…V_T for `beta`, divided by 1 − βᵗ when `corrected`.
pub fn average(samples: &[f64], beta: f64, corrected: bool) -> Vec<f64> {
    let mut v = 0.0;
    let mut power = 1.0;
    samples
        .iter()
        .map(|&x| {
            v = beta * v + (1.0 - beta) * x;
            power *= beta;
            if corrected { v / (1.0 - power) } else { v }
        })
        .collect()
}

/// The effective window 1/(1 − β): about how many recent samples the average remembers.
pub fn window(beta: f64) -> f64 {
    1.0 / (1.0 - beta)
}

/// The lecture's momentum rule (`momentum-ewma`, without bias correction) fed the samples as its gradients, one
/// parameter: its velocity after each step, read through the optimizer's inspector.
pub fn momentum_buffer(samples: &[f64], beta: f64) -> Vec<f64> {
    let spec = OptimSpec::MomentumEwma(MomentumEwmaConfig { lr: 0.0, beta, bias_correction: false });
    let mut opt = Optimizer::<f64>::new(&spec).inspectable(true);
    let mut w = [0.0];
    samples
        .iter()
        .map(|&g| {
            opt.step(&mut w, &[g]);
            opt.inspect(0).into_iter().find(|(k, _)| *k == "velocity").map_or(f64::NAN, |(_, v)| v)
        })
        .collect()
}

impl Lab for Settings {
    fn id(&self) -> &'static str {
        LAB
    }

    fn quantities(&self) -> &'static str {
        "average:T, corrected:T for a step T, and window"
    }

    fn check(&self) -> Result<(), LabError> {
        in_range(LAB, "beta", self.beta, 0.0, 0.999)?;
        in_range(LAB, "steps", self.steps, 1, MAX_STEPS)?;
        in_range(LAB, "level", self.level, -1e6, 1e6)?;
        in_range(LAB, "noise", self.noise, 0.0, 1e6)
    }

    fn hint(&self, name: &str) -> String {
        if name == "window" {
            "the weight of a sample k steps back is (1 − β)·β^k: the average forgets after about 1/(1 − β) steps".into()
        } else {
            "V starts at 0; each step V = β·V + (1 − β)·θ; the corrected average divides by 1 − β^t".into()
        }
    }

    fn quantity(&self, name: &str) -> Result<f64, LabError> {
        if name == "window" {
            return Ok(window(self.beta));
        }
        let unknown = || LabError::UnknownQuantity { lab: LAB, name: name.to_owned(), known: self.quantities() };
        let (corrected, t) = [("average", false), ("corrected", true)]
            .into_iter()
            .find_map(|(p, c)| index_after(name, p, self.steps).map(|t| (c, t)))
            .ok_or_else(unknown)?;
        Ok(average(&samples(self), self.beta, corrected)[t - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_average_by_hand_with_and_without_correction() {
        // β = 0.9, θ = 10, 10, 10:  V₁ = 0.1·10 = 1;  V₂ = 0.9 + 1 = 1.9;  V₃ = 1.71 + 1 = 2.71
        // corrected: 1/0.1 = 10;  1.9/0.19 = 10;  2.71/0.271 = 10
        let v = average(&[10.0, 10.0, 10.0], 0.9, false);
        for (got, want) in v.iter().zip([1.0, 1.9, 2.71]) {
            assert!((got - want).abs() < 1e-12, "{v:?}");
        }
        for got in average(&[10.0, 10.0, 10.0], 0.9, true) {
            assert!((got - 10.0).abs() < 1e-12);
        }
        assert!((window(0.9) - 10.0).abs() < 1e-12);
        assert!((window(0.98) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn momentums_buffer_is_the_same_average() {
        let s = Settings::default();
        let x = samples(&s);
        let v = average(&x, s.beta, false);
        let m = momentum_buffer(&x, s.beta);
        assert_eq!(v.len(), m.len());
        for (a, b) in v.iter().zip(&m) {
            assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn quantities_from_the_settings() {
        // constant 10 without noise: the plain average at step 1 is (1 − 0.9)·10 = 1, corrected 10
        let s = Settings { signal: Signal::Constant, noise: 0.0, ..Settings::default() };
        assert!((s.quantity("average:1").unwrap() - 1.0).abs() < 1e-12);
        assert!((s.quantity("corrected:1").unwrap() - 10.0).abs() < 1e-12);
        assert!((s.quantity("window").unwrap() - 10.0).abs() < 1e-12);
        assert!(s.quantity("average:0").is_err());
        assert!(Settings { beta: 1.0, ..s }.check().unwrap_err().to_string().contains("beta = 1"));
    }
}
