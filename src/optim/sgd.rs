//! Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD` (Robbins & Monro, "A Stochastic
//! Approximation Method", 1951; momentum: Polyak, "Some methods of speeding up the convergence of iteration methods",
//! 1964; the Nesterov form: Sutskever et al., "On the importance of initialization and momentum in deep learning",
//! 2013).
//!
//! For each parameter θ with gradient g, step t:
//!
//! ```text
//! g ← −g                          if maximize
//! g ← g + λ·θ                     if weight_decay λ ≠ 0
//! b ← g                           if momentum μ ≠ 0 and t = 1
//! b ← μ·b + (1 − τ)·g             if μ ≠ 0 and t > 1        (τ = dampening)
//! g ← g + μ·b  (nesterov)   or   g ← b                      if μ ≠ 0
//! θ ← θ − lr·g
//! ```
//!
//! The momentum buffer `b` starts as the first gradient (not zero): PyTorch's form, not the lecture's exponentially
//! weighted average (see `MomentumEwma`). One pass over the parameters per step: O(n).

use super::adaptor::Rule;
use super::spec::Kind::{NonNeg, UnitClosed};
use super::spec::{Key, Keys};
use super::torch_ops::add_alpha;
use crate::real::Real;

/// `torch.optim.SGD`'s arguments, with PyTorch 2.15's defaults (`lr` 1e-3; older versions required it).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SgdConfig {
    /// Learning rate (PyTorch's default 1e-3).
    pub lr: f64,
    /// Momentum factor μ (default 0: no buffer).
    pub momentum: f64,
    /// Dampening τ of the gradient added to the buffer (default 0).
    pub dampening: f64,
    /// L2 penalty λ added to the gradient (default 0).
    pub weight_decay: f64,
    /// Nesterov momentum (default false; needs momentum > 0 and dampening 0).
    pub nesterov: bool,
    /// Ascend instead of descend (default false).
    pub maximize: bool,
}

impl Default for SgdConfig {
    fn default() -> Self {
        Self { lr: 1e-3, momentum: 0.0, dampening: 0.0, weight_decay: 0.0, nesterov: false, maximize: false }
    }
}

/// `sgd`'s keys.
impl Keys for SgdConfig {
    type Config = Self;
    const NAME: &'static str = "sgd";
    const KEYS: &'static [Key<Self>] = &[
        Key::number("lr", NonNeg, |c| &mut c.lr),
        Key::number("momentum", UnitClosed, |c| &mut c.momentum),
        Key::number("dampening", UnitClosed, |c| &mut c.dampening),
        Key::number("weight_decay", NonNeg, |c| &mut c.weight_decay),
        Key::flag("nesterov", |c| &mut c.nesterov),
        Key::flag("maximize", |c| &mut c.maximize),
    ];

    fn conflict(c: &Self) -> Option<&'static str> {
        (c.nesterov && (c.momentum <= 0.0 || c.dampening != 0.0)).then_some(
            "nesterov=true needs momentum > 0 and dampening=0, e.g. `sgd:lr=0.01,momentum=0.9,nesterov=true`",
        )
    }

    fn rule<T: Real>(c: &Self) -> impl Rule<T> {
        Sgd::<T>::new(*c)
    }
}

/// SGD with its momentum buffers, on f64 (the default) or f32 parameters.
#[derive(Clone, Debug)]
pub struct Sgd<T: Real = f64> {
    cfg: SgdConfig,
    buf: Vec<T>,
}

impl<T: Real> Sgd<T> {
    /// A fresh rule; its state is sized by the first step.
    pub fn new(cfg: SgdConfig) -> Self {
        Self { cfg, buf: Vec::new() }
    }

    /// The configuration (its `lr` is the rate the optimizer starts at; `Optimizer::lr` is the current one).
    pub fn config(&self) -> &SgdConfig {
        &self.cfg
    }

    /// The loop of one step, with or without a momentum buffer: a branch hoisted out of the loop by hand, as the
    /// conditional store into `buf` would keep the loop from vectorizing.
    #[inline(always)]
    fn update_loop<const MOMENTUM: bool>(&mut self, params: &mut [T], grads: &[T], t: u64, lr: f64) {
        let n = params.len();
        let grads = &grads[..n];
        let buf: &mut [T] = if MOMENTUM { &mut self.buf[..n] } else { &mut [] };
        let SgdConfig { momentum, dampening, weight_decay, nesterov, maximize, .. } = self.cfg;
        let (neg_lr, momentum, one_minus_dampening, weight_decay) =
            (T::from_f64(-lr), T::from_f64(momentum), T::from_f64(1.0 - dampening), T::from_f64(weight_decay));
        let first = t == 1;
        for i in 0..n {
            let p = params[i];
            let mut g = if maximize { -grads[i] } else { grads[i] };
            if weight_decay != T::zero() {
                g = add_alpha(g, p, weight_decay);
            }
            if MOMENTUM {
                let b = if first { g } else { add_alpha(buf[i] * momentum, g, one_minus_dampening) };
                buf[i] = b;
                g = if nesterov { add_alpha(g, b, momentum) } else { b };
            }
            params[i] = add_alpha(p, g, neg_lr);
        }
    }
}

impl<T: Real> Rule<T> for Sgd<T> {
    fn start(&mut self, n: usize) {
        self.buf = if self.cfg.momentum != 0.0 { vec![T::zero(); n] } else { Vec::new() };
    }

    #[inline(always)]
    fn update(&mut self, params: &mut [T], grads: &[T], t: u64, lr: f64) {
        if self.cfg.momentum != 0.0 {
            self.update_loop::<true>(params, grads, t, lr);
        } else {
            self.update_loop::<false>(params, grads, t, lr);
        }
    }

    fn inspect(&self, i: usize, _t: u64, _lr: f64) -> Vec<(&'static str, f64)> {
        if self.cfg.momentum != 0.0 { vec![("velocity", self.buf[i].as_f64())] } else { Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimSpec;

    #[test]
    fn plain_sgd_is_theta_minus_lr_g() {
        let mut sgd = OptimSpec::Sgd(SgdConfig { lr: 0.5, ..SgdConfig::default() }).build();
        let mut p = [1.0, -2.0];
        sgd.step(&mut p, &[2.0, -4.0]);
        // 1 - 0.5·2 = 0;  -2 - 0.5·(-4) = 0
        assert_eq!(p, [0.0, 0.0]);
        assert_eq!(sgd.inspect(1), vec![("grad", -4.0), ("lr", 0.5), ("step", 2.0)]);
        assert!(sgd.inspect(2).is_empty());
    }

    #[test]
    fn first_buffer_is_the_gradient_then_mu_b_plus_g() {
        let mut sgd = OptimSpec::Sgd(SgdConfig { lr: 0.1, momentum: 0.9, ..SgdConfig::default() }).build();
        let mut p = [0.0];
        sgd.step(&mut p, &[1.0]); // b = 1; θ = -0.1
        assert_eq!(p[0], -0.1);
        sgd.step(&mut p, &[1.0]); // b = 0.9·1 + 1 = 1.9; θ = -0.1 - 0.19 = -0.29
        assert!((p[0] + 0.29).abs() < 1e-15);
        assert_eq!(sgd.inspect(0)[1], ("velocity", 1.9));
    }

    #[test]
    fn nesterov_looks_ahead() {
        let mut sgd =
            OptimSpec::Sgd(SgdConfig { lr: 0.1, momentum: 0.5, nesterov: true, ..SgdConfig::default() }).build();
        let mut p = [0.0];
        sgd.step(&mut p, &[2.0]); // b = 2; g + μ·b = 2 + 1 = 3; θ = -0.3
        assert!((p[0] + 0.3).abs() < 1e-15);
    }

    #[test]
    fn a_new_length_starts_afresh() {
        let mut sgd = OptimSpec::Sgd(SgdConfig { lr: 0.1, momentum: 0.9, ..SgdConfig::default() }).build();
        sgd.step(&mut [0.0], &[1.0]);
        sgd.step(&mut [0.0], &[1.0]);
        let mut p = [0.0, 0.0];
        sgd.step(&mut p, &[1.0, 1.0]); // a first step again: b = g
        assert_eq!(sgd.steps(), 1);
        assert_eq!(p, [-0.1, -0.1]);
    }
}
