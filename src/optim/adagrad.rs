//! Adagrad, as PyTorch's `torch.optim.Adagrad` (Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online
//! Learning and Stochastic Optimization", JMLR 2011): every parameter gets its own step size, shrinking with the
//! sum of its squared gradients — big steps for rarely-moved parameters, small for busy ones.
//!
//! For each parameter θ with gradient g, step t:
//!
//! ```text
//! g ← −g                              if maximize
//! g ← g + λ·θ                         if weight_decay λ ≠ 0
//! lrₜ ← lr / (1 + (t − 1)·lr_decay)
//! s ← s + g²                          (s₀ = initial_accumulator_value)
//! θ ← θ − lrₜ·g / (√s + ε)
//! ```
//!
//! Since s only grows, the steps only shrink: on a long run Adagrad stalls (the motivation for RMSprop). O(n).

use super::adaptor::Rule;
use super::spec::Kind::NonNeg;
use super::spec::{Key, Keys};
use super::torch_ops::{add_alpha, addcdiv, addcmul};
use crate::real::Real;

/// `torch.optim.Adagrad`'s arguments.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AdagradConfig {
    /// Learning rate (default 0.01).
    pub lr: f64,
    /// Decay of the learning rate, lr/(1 + (t−1)·lr_decay) (default 0).
    pub lr_decay: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// The sum of squares starts here (default 0).
    pub initial_accumulator_value: f64,
    /// ε added to √s (default 1e-10).
    pub eps: f64,
    /// Ascend instead of descend (default false).
    pub maximize: bool,
}

impl Default for AdagradConfig {
    fn default() -> Self {
        Self { lr: 0.01, lr_decay: 0.0, weight_decay: 0.0, initial_accumulator_value: 0.0, eps: 1e-10, maximize: false }
    }
}

/// `adagrad`'s keys.
impl Keys for AdagradConfig {
    type Config = Self;
    const NAME: &'static str = "adagrad";
    const KEYS: &'static [Key<Self>] = &[
        Key::number("lr", NonNeg, |c| &mut c.lr),
        Key::number("lr_decay", NonNeg, |c| &mut c.lr_decay),
        Key::number("weight_decay", NonNeg, |c| &mut c.weight_decay),
        Key::number("initial_accumulator_value", NonNeg, |c| &mut c.initial_accumulator_value),
        Key::number("eps", NonNeg, |c| &mut c.eps),
        Key::flag("maximize", |c| &mut c.maximize),
    ];

    fn rule<T: Real>(c: &Self) -> impl Rule<T> {
        Adagrad::<T>::new(*c)
    }
}

/// Adagrad with its sums of squared gradients, on f64 (the default) or f32 parameters.
#[derive(Clone, Debug)]
pub struct Adagrad<T: Real = f64> {
    cfg: AdagradConfig,
    sum: Vec<T>,
}

impl<T: Real> Adagrad<T> {
    /// A fresh rule; its state is sized by the first step.
    pub fn new(cfg: AdagradConfig) -> Self {
        Self { cfg, sum: Vec::new() }
    }

    /// The configuration (its `lr` is the rate the optimizer starts at; `Optimizer::lr` is the current one).
    pub fn config(&self) -> &AdagradConfig {
        &self.cfg
    }

    /// lrₜ, the learning rate `lr` decayed to step t.
    fn clr(&self, t: u64, lr: f64) -> f64 {
        lr / (1.0 + (t as f64 - 1.0) * self.cfg.lr_decay)
    }
}

impl<T: Real> Rule<T> for Adagrad<T> {
    fn start(&mut self, n: usize) {
        self.sum = vec![T::from_f64(self.cfg.initial_accumulator_value); n];
    }

    #[inline(always)]
    fn update(&mut self, params: &mut [T], grads: &[T], t: u64, lr: f64) {
        let AdagradConfig { weight_decay, eps, maximize, .. } = self.cfg;
        let neg_clr = T::from_f64(-self.clr(t, lr));
        let (weight_decay, eps) = (T::from_f64(weight_decay), T::from_f64(eps));
        let n = params.len();
        let (grads, sum) = (&grads[..n], &mut self.sum[..n]);
        for i in 0..n {
            let p = params[i];
            let mut g = if maximize { -grads[i] } else { grads[i] };
            if weight_decay != T::zero() {
                g = add_alpha(g, p, weight_decay);
            }
            let s = addcmul(sum[i], g, g, T::one());
            sum[i] = s;
            let std = s.sqrt() + eps;
            params[i] = addcdiv(p, g, std, neg_clr);
        }
    }

    fn inspect(&self, i: usize, t: u64, lr: f64) -> Vec<(&'static str, f64)> {
        let mut out = vec![("sum_sq", self.sum[i].as_f64())];
        if self.cfg.lr_decay != 0.0 {
            out.push(("lr_t", self.clr(t, lr)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimSpec;

    #[test]
    fn steps_shrink_as_squares_pile_up() {
        // ε = 0, lr = 1, g = 3 every step: s = 9t, step = 3/√(9t) = 1/√t
        let mut a = OptimSpec::Adagrad(AdagradConfig { lr: 1.0, eps: 0.0, ..AdagradConfig::default() }).build();
        let mut p = [0.0];
        a.step(&mut p, &[3.0]);
        assert_eq!(p[0], -1.0);
        a.step(&mut p, &[3.0]);
        assert!((p[0] - (-1.0 - 1.0 / 2f64.sqrt())).abs() < 1e-15);
    }

    #[test]
    fn lr_decay_and_initial_accumulator() {
        // s₀ = 7, g = 3: s = 16, √s = 4; t = 2 with lr_decay 1: lr₂ = 1/(1 + 1) = 0.5
        let cfg =
            AdagradConfig { lr: 1.0, eps: 0.0, lr_decay: 1.0, initial_accumulator_value: 7.0, ..Default::default() };
        let mut a = OptimSpec::Adagrad(cfg).build();
        let mut p = [0.0];
        a.step(&mut p, &[3.0]); // θ = -3/4
        assert_eq!(p[0], -0.75);
        a.step(&mut p, &[0.0]); // g = 0: no move, but lr₂ shows the decay
        assert_eq!(a.inspect(0)[2], ("lr_t", 0.5));
    }
}
