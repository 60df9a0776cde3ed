//! RMSprop, as PyTorch's `torch.optim.RMSprop` (Tieleman & Hinton, "Lecture 6.5 — rmsprop: Divide the gradient by
//! a running average of its recent magnitude", COURSERA: Neural Networks for Machine Learning, 2012 — the lecture's
//! slides 112-113; the centered form: Graves, "Generating Sequences With Recurrent Neural Networks", 2013).
//!
//! For each parameter θ with gradient g, step t:
//!
//! ```text
//! g ← −g;  g ← g + λ·θ                 (maximize; weight_decay λ ≠ 0)
//! s ← α·s + (1 − α)·g²
//! ḡ ← ḡ + (1 − α)·(g − ḡ)              if centered: a running mean of g
//! avg ← √(s − ḡ²) + ε   if centered,   else √s + ε
//! b ← μ·b + g/avg;  θ ← θ − lr·b      if momentum μ > 0   (b₀ = 0)
//! θ ← θ − lr·g/avg                    otherwise
//! ```
//!
//! Unlike the lecture's RMSprop (slide 112), PyTorch's has no bias correction and adds ε after the square root.
//! O(n) per step.

use super::torch_ops::{add_alpha, addcdiv, addcmul, lerp};
use super::{Rule, Trace};
use crate::real::Real;

/// `torch.optim.RMSprop`'s arguments.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RmsPropConfig {
    /// Learning rate (default 0.01).
    pub lr: f64,
    /// Smoothing constant α of the squared-gradient average (default 0.99).
    pub alpha: f64,
    /// ε added to the root (default 1e-8).
    pub eps: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// Momentum μ (default 0).
    pub momentum: f64,
    /// Divide by the estimated standard deviation instead of the root mean square (default false).
    pub centered: bool,
    /// Ascend instead of descend (default false).
    pub maximize: bool,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        Self { lr: 0.01, alpha: 0.99, eps: 1e-8, weight_decay: 0.0, momentum: 0.0, centered: false, maximize: false }
    }
}

/// RMSprop with its running averages and momentum buffers, on f64 (the default) or f32 parameters.
#[derive(Clone, Debug)]
pub struct RmsProp<T: Real = f64> {
    cfg: RmsPropConfig,
    t: u64,
    square_avg: Vec<T>,
    grad_avg: Vec<T>,
    buf: Vec<T>,
    trace: Trace<T>,
}

impl<T: Real> RmsProp<T> {
    /// A fresh rule; its state is sized by the first `step`.
    pub fn new(cfg: RmsPropConfig) -> Self {
        Self { cfg, t: 0, square_avg: Vec::new(), grad_avg: Vec::new(), buf: Vec::new(), trace: Trace::default() }
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> &RmsPropConfig {
        &self.cfg
    }

    /// The denominator √s + ε (centered: √(s − ḡ²) + ε) from a parameter's s and ḡ.
    #[inline(always)]
    fn avg(square_avg: T, grad_avg: T, centered: bool, eps: T) -> T {
        let root = if centered { addcmul(square_avg, grad_avg, grad_avg, -T::one()).sqrt() } else { square_avg.sqrt() };
        root + eps
    }

    /// The loop of one step, centered or not, with or without momentum: branches hoisted out of the loop by hand, as
    /// the conditional stores into `grad_avg` and `buf` would keep the loop from vectorizing.
    #[inline(always)]
    fn update<const CENTERED: bool, const MOMENTUM: bool>(&mut self, params: &mut [T], grads: &[T]) {
        let n = params.len();
        let (grads, square_avg) = (&grads[..n], &mut self.square_avg[..n]);
        let grad_avg: &mut [T] = if CENTERED { &mut self.grad_avg[..n] } else { &mut [] };
        let buf: &mut [T] = if MOMENTUM { &mut self.buf[..n] } else { &mut [] };
        let RmsPropConfig { lr, alpha, eps, weight_decay, momentum, maximize, .. } = self.cfg;
        let (neg_lr, alpha, one_minus_alpha) = (T::from_f64(-lr), T::from_f64(alpha), T::from_f64(1.0 - alpha));
        let (eps, weight_decay, momentum) = (T::from_f64(eps), T::from_f64(weight_decay), T::from_f64(momentum));
        for i in 0..n {
            let p = params[i];
            let mut g = if maximize { -grads[i] } else { grads[i] };
            if weight_decay != T::zero() {
                g = add_alpha(g, p, weight_decay);
            }
            square_avg[i] = addcmul(square_avg[i] * alpha, g, g, one_minus_alpha);
            let g_avg = if CENTERED {
                grad_avg[i] = lerp(grad_avg[i], g, one_minus_alpha);
                grad_avg[i]
            } else {
                T::zero()
            };
            let avg = Self::avg(square_avg[i], g_avg, CENTERED, eps);
            params[i] = if MOMENTUM {
                buf[i] = addcdiv(buf[i] * momentum, g, avg, T::one());
                add_alpha(p, buf[i], neg_lr)
            } else {
                addcdiv(p, g, avg, neg_lr)
            };
        }
    }
}

impl<T: Real> Rule<T> for RmsProp<T> {
    #[inline(always)] // so that `Optimizer::step_fma` compiles it with hardware FMA
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        let n = Trace::check_lengths(params, grads);
        if self.trace.len() != n {
            self.t = 0;
            self.square_avg = vec![T::zero(); n];
            self.grad_avg = if self.cfg.centered { vec![T::zero(); n] } else { Vec::new() };
            self.buf = if self.cfg.momentum > 0.0 { vec![T::zero(); n] } else { Vec::new() };
            self.trace.resize(n);
        }
        self.t += 1;
        self.trace.before(params);
        match (self.cfg.centered, self.cfg.momentum > 0.0) {
            (false, false) => self.update::<false, false>(params, grads),
            (false, true) => self.update::<false, true>(params, grads),
            (true, false) => self.update::<true, false>(params, grads),
            (true, true) => self.update::<true, true>(params, grads),
        }
        self.trace.after(params, grads);
    }

    fn lr(&self) -> f64 {
        self.cfg.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.cfg.lr = lr;
    }

    fn steps(&self) -> u64 {
        self.t
    }

    fn reset(&mut self) {
        self.t = 0;
        self.square_avg.clear();
        self.grad_avg.clear();
        self.buf.clear();
        self.trace.clear();
    }

    fn set_inspectable(&mut self, on: bool) {
        self.trace.set_inspectable(on);
    }

    fn is_inspectable(&self) -> bool {
        self.trace.inspectable
    }

    fn inspect(&self, i: usize) -> Vec<(&'static str, f64)> {
        let Some((grad, delta)) = self.trace.get(i) else { return Vec::new() };
        let centered = self.cfg.centered;
        let mut out = vec![("grad", grad), ("square_avg", self.square_avg[i].as_f64())];
        let grad_avg = if centered { self.grad_avg[i] } else { T::zero() };
        if centered {
            out.push(("grad_avg", grad_avg.as_f64()));
        }
        let denom = Self::avg(self.square_avg[i], grad_avg, centered, T::from_f64(self.cfg.eps));
        out.push(("denom", denom.as_f64()));
        if self.cfg.momentum > 0.0 {
            out.push(("velocity", self.buf[i].as_f64()));
        }
        out.extend([("lr", self.cfg.lr), ("step", delta)]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_by_hand() {
        // α = 0.75, ε = 0, g = 2: s = 0.25·4 = 1, θ = -lr·2/1 = -0.2
        let mut r = RmsProp::<f64>::new(RmsPropConfig { lr: 0.1, alpha: 0.75, eps: 0.0, ..RmsPropConfig::default() });
        let mut p = [0.0];
        r.step(&mut p, &[2.0]);
        assert_eq!(p[0], -0.2);
    }

    #[test]
    fn centered_divides_by_the_standard_deviation() {
        // α = 0.5, ε = 0, g = 2: s = 2, ḡ = 1, √(s - ḡ²) = 1, θ = -lr·2
        let cfg = RmsPropConfig { lr: 0.1, alpha: 0.5, eps: 0.0, centered: true, ..RmsPropConfig::default() };
        let mut r = RmsProp::<f64>::new(cfg);
        let mut p = [0.0];
        r.step(&mut p, &[2.0]);
        assert_eq!(p[0], -0.2);
        let names: Vec<&str> = r.inspect(0).iter().map(|&(n, _)| n).collect();
        assert_eq!(names, ["grad", "square_avg", "grad_avg", "denom", "lr", "step"]);
    }
}
