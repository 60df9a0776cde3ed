//! Momentum as the lecture teaches it (slides 108-111): gradient descent on an exponentially weighted moving average
//! of the gradients, with bias correction (the "momentum" of Andrew Ng's deep-learning course; the average itself is
//! the low-pass filter of slide 108).
//!
//! For each parameter W with gradient g, step t:
//!
//! ```text
//! V ← β·V + (1 − β)·g                 (V₀ = 0)
//! V̂ ← V / (1 − βᵗ)                    (bias correction; V̂ = V when bias_correction=false)
//! W ← W − lr·V̂
//! ```
//!
//! Compared with PyTorch's SGD momentum (`sgd:momentum=0.9`: b ← μb + g, W ← W − lr·b), the average is scaled by
//! (1 − β): with the same lr, the lecture's steps are 1 − β times as long once the average has settled, and
//! 1/(1 − β) is the effective window of remembered gradients. O(n) per step.

use super::adaptor::Rule;
use super::spec::Kind::{NonNeg, Unit};
use super::spec::{Key, Keys};
use crate::real::Real;

/// The lecture's momentum parameters.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MomentumEwmaConfig {
    /// Learning rate α (default 0.01).
    pub lr: f64,
    /// β, weight of the past in the average (default 0.9, "usually works well in practice").
    pub beta: f64,
    /// Divide V by 1 − βᵗ (default true).
    pub bias_correction: bool,
}

impl Default for MomentumEwmaConfig {
    fn default() -> Self {
        Self { lr: 0.01, beta: 0.9, bias_correction: true }
    }
}

/// `momentum-ewma`'s keys.
impl Keys for MomentumEwmaConfig {
    type Config = Self;
    const NAME: &'static str = "momentum-ewma";
    const KEYS: &'static [Key<Self>] = &[
        Key::number("lr", NonNeg, |c| &mut c.lr),
        Key::number("beta", Unit, |c| &mut c.beta),
        Key::flag("bias_correction", |c| &mut c.bias_correction),
    ];

    fn rule<T: Real>(c: &Self) -> impl Rule<T> {
        MomentumEwma::<T>::new(*c)
    }
}

/// The lecture's momentum with its moving averages, on f64 (the default) or f32 parameters.
#[derive(Clone, Debug)]
pub struct MomentumEwma<T: Real = f64> {
    cfg: MomentumEwmaConfig,
    velocity: Vec<T>,
}

impl<T: Real> MomentumEwma<T> {
    /// A fresh rule; its state is sized by the first step.
    pub fn new(cfg: MomentumEwmaConfig) -> Self {
        Self { cfg, velocity: Vec::new() }
    }

    /// The configuration (its `lr` is the rate the optimizer starts at; `Optimizer::lr` is the current one).
    pub fn config(&self) -> &MomentumEwmaConfig {
        &self.cfg
    }

    /// 1 − βᵗ, or 1 without bias correction.
    fn bias_correction(&self, t: u64) -> f64 {
        if self.cfg.bias_correction { 1.0 - self.cfg.beta.powf(t as f64) } else { 1.0 }
    }
}

impl<T: Real> Rule<T> for MomentumEwma<T> {
    fn start(&mut self, n: usize) {
        self.velocity = vec![T::zero(); n];
    }

    #[inline(always)]
    fn update(&mut self, params: &mut [T], grads: &[T], t: u64, lr: f64) {
        let correction = T::from_f64(self.bias_correction(t));
        let beta = self.cfg.beta;
        let (lr, beta, one_minus_beta) = (T::from_f64(lr), T::from_f64(beta), T::from_f64(1.0 - beta));
        let n = params.len();
        let (grads, velocity) = (&grads[..n], &mut self.velocity[..n]);
        for i in 0..n {
            let v = beta * velocity[i] + one_minus_beta * grads[i];
            velocity[i] = v;
            params[i] -= lr * (v / correction);
        }
    }

    fn inspect(&self, i: usize, t: u64, _lr: f64) -> Vec<(&'static str, f64)> {
        let correction = self.bias_correction(t);
        let velocity = self.velocity[i].as_f64();
        let mut out = vec![("velocity", velocity)];
        if self.cfg.bias_correction {
            out.push(("bias_correction", correction));
        }
        out.push(("v_hat", velocity / correction));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimSpec;

    #[test]
    fn bias_corrected_average_of_a_constant_gradient_is_the_gradient() {
        // β = 0.5, g = 4 each step: V₁ = 2, V̂₁ = 2/(1 - 0.5) = 4;  V₂ = 1 + 2 = 3, V̂₂ = 3/(1 - 0.25) = 4
        // W₁ = 0 - 0.5·4 = -2;  W₂ = -2 - 0.5·4 = -4
        let mut m = OptimSpec::MomentumEwma(MomentumEwmaConfig { lr: 0.5, beta: 0.5, bias_correction: true }).build();
        let mut p = [0.0];
        m.step(&mut p, &[4.0]);
        assert_eq!(p[0], -2.0);
        m.step(&mut p, &[4.0]);
        assert_eq!(p[0], -4.0);
        assert_eq!(
            m.inspect(0),
            vec![
                ("grad", 4.0),
                ("velocity", 3.0),
                ("bias_correction", 0.75),
                ("v_hat", 4.0),
                ("lr", 0.5),
                ("step", -2.0)
            ]
        );
    }

    #[test]
    fn without_bias_correction_the_first_steps_are_short() {
        // β = 0.5, g = 4: V₁ = 2, W₁ = -0.5·2 = -1;  V₂ = 3, W₂ = -1 - 1.5 = -2.5
        let mut m = OptimSpec::MomentumEwma(MomentumEwmaConfig { lr: 0.5, beta: 0.5, bias_correction: false }).build();
        let mut p = [0.0];
        m.step(&mut p, &[4.0]);
        assert_eq!(p[0], -1.0);
        m.step(&mut p, &[4.0]);
        assert_eq!(p[0], -2.5);
    }

    #[test]
    fn defaults_with_beta_point_nine_by_hand() {
        // lr 0.01, β 0.9, g = 1 then 0:
        // t=1: V = 0.1, V̂ = 0.1/0.1 = 1, W = -0.01
        // t=2: V = 0.09, V̂ = 0.09/0.19 = 0.47368..., W = -0.01 - 0.0047368... = -0.0147368...
        let mut m = OptimSpec::MomentumEwma(MomentumEwmaConfig::default()).build();
        let mut p = [0.0];
        m.step(&mut p, &[1.0]);
        assert!((p[0] + 0.01).abs() < 1e-15);
        m.step(&mut p, &[0.0]);
        assert!((p[0] + 0.01 + 0.01 * 0.09 / 0.19).abs() < 1e-15, "{p:?}");
    }
}
