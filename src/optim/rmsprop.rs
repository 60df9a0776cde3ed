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

use super::adaptor::Rule;
use super::spec::Kind::{NonNeg, Unit, UnitClosed};
use super::spec::{Key, Keys};
use super::torch_ops::{add_alpha, addcdiv, addcmul, lerp};
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

/// `rmsprop`'s keys.
impl Keys for RmsPropConfig {
    type Config = Self;
    const NAME: &'static str = "rmsprop";
    const KEYS: &'static [Key<Self>] = &[
        Key::number("lr", NonNeg, |c| &mut c.lr),
        Key::number("alpha", Unit, |c| &mut c.alpha),
        Key::number("eps", NonNeg, |c| &mut c.eps),
        Key::number("weight_decay", NonNeg, |c| &mut c.weight_decay),
        Key::number("momentum", UnitClosed, |c| &mut c.momentum),
        Key::flag("centered", |c| &mut c.centered),
        Key::flag("maximize", |c| &mut c.maximize),
    ];

    fn rule<T: Real>(c: &Self) -> impl Rule<T> {
        RmsProp::<T>::new(*c)
    }
}

/// RMSprop with its running averages and momentum buffers, on f64 (the default) or f32 parameters.
#[derive(Clone, Debug)]
pub struct RmsProp<T: Real = f64> {
    cfg: RmsPropConfig,
    square_avg: Vec<T>,
    grad_avg: Vec<T>,
    buf: Vec<T>,
}

impl<T: Real> RmsProp<T> {
    /// A fresh rule; its state is sized by the first step.
    pub fn new(cfg: RmsPropConfig) -> Self {
        Self { cfg, square_avg: Vec::new(), grad_avg: Vec::new(), buf: Vec::new() }
    }

    /// The configuration (its `lr` is the rate the optimizer starts at; `Optimizer::lr` is the current one).
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
    fn update_loop<const CENTERED: bool, const MOMENTUM: bool>(&mut self, params: &mut [T], grads: &[T], lr: f64) {
        let n = params.len();
        let (grads, square_avg) = (&grads[..n], &mut self.square_avg[..n]);
        let grad_avg: &mut [T] = if CENTERED { &mut self.grad_avg[..n] } else { &mut [] };
        let buf: &mut [T] = if MOMENTUM { &mut self.buf[..n] } else { &mut [] };
        let RmsPropConfig { alpha, eps, weight_decay, momentum, maximize, .. } = self.cfg;
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
    fn start(&mut self, n: usize) {
        self.square_avg = vec![T::zero(); n];
        self.grad_avg = if self.cfg.centered { vec![T::zero(); n] } else { Vec::new() };
        self.buf = if self.cfg.momentum > 0.0 { vec![T::zero(); n] } else { Vec::new() };
    }

    #[inline(always)]
    fn update(&mut self, params: &mut [T], grads: &[T], _t: u64, lr: f64) {
        match (self.cfg.centered, self.cfg.momentum > 0.0) {
            (false, false) => self.update_loop::<false, false>(params, grads, lr),
            (false, true) => self.update_loop::<false, true>(params, grads, lr),
            (true, false) => self.update_loop::<true, false>(params, grads, lr),
            (true, true) => self.update_loop::<true, true>(params, grads, lr),
        }
    }

    fn inspect(&self, i: usize, _t: u64, _lr: f64) -> Vec<(&'static str, f64)> {
        let centered = self.cfg.centered;
        let mut out = vec![("square_avg", self.square_avg[i].as_f64())];
        let grad_avg = if centered { self.grad_avg[i] } else { T::zero() };
        if centered {
            out.push(("grad_avg", grad_avg.as_f64()));
        }
        let denom = Self::avg(self.square_avg[i], grad_avg, centered, T::from_f64(self.cfg.eps));
        out.push(("denom", denom.as_f64()));
        if self.cfg.momentum > 0.0 {
            out.push(("velocity", self.buf[i].as_f64()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimSpec;

    #[test]
    fn first_step_by_hand() {
        // α = 0.75, ε = 0, g = 2: s = 0.25·4 = 1, θ = -lr·2/1 = -0.2
        let mut r =
            OptimSpec::RmsProp(RmsPropConfig { lr: 0.1, alpha: 0.75, eps: 0.0, ..RmsPropConfig::default() }).build();
        let mut p = [0.0];
        r.step(&mut p, &[2.0]);
        assert_eq!(p[0], -0.2);
    }

    #[test]
    fn centered_divides_by_the_standard_deviation() {
        // α = 0.5, ε = 0, g = 2: s = 2, ḡ = 1, √(s - ḡ²) = 1, θ = -lr·2
        let cfg = RmsPropConfig { lr: 0.1, alpha: 0.5, eps: 0.0, centered: true, ..RmsPropConfig::default() };
        let mut r = OptimSpec::RmsProp(cfg).build();
        let mut p = [0.0];
        r.step(&mut p, &[2.0]);
        assert_eq!(p[0], -0.2);
        let names: Vec<&str> = r.inspect(0).iter().map(|&(n, _)| n).collect();
        assert_eq!(names, ["grad", "square_avg", "grad_avg", "denom", "lr", "step"]);
    }
}
