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

/// RMSprop with its running averages and momentum buffers.
#[derive(Clone, Debug)]
pub struct RmsProp {
    cfg: RmsPropConfig,
    t: u64,
    square_avg: Vec<f64>,
    grad_avg: Vec<f64>,
    buf: Vec<f64>,
    trace: Trace,
}

impl RmsProp {
    /// A fresh rule; its state is sized by the first `step`.
    pub fn new(cfg: RmsPropConfig) -> Self {
        Self { cfg, t: 0, square_avg: Vec::new(), grad_avg: Vec::new(), buf: Vec::new(), trace: Trace::default() }
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> &RmsPropConfig {
        &self.cfg
    }

    /// The denominator of parameter `i` from the current state.
    fn avg(&self, i: usize) -> f64 {
        let root = if self.cfg.centered {
            addcmul(self.square_avg[i], self.grad_avg[i], self.grad_avg[i], -1.0).sqrt()
        } else {
            self.square_avg[i].sqrt()
        };
        root + self.cfg.eps
    }
}

impl Rule for RmsProp {
    #[inline(always)] // so that `Optimizer::step_fma` compiles it with hardware FMA
    fn step(&mut self, params: &mut [f64], grads: &[f64]) {
        let n = Trace::check_lengths(params, grads);
        if self.trace.len() != n {
            self.t = 0;
            self.square_avg = vec![0.0; n];
            self.grad_avg = if self.cfg.centered { vec![0.0; n] } else { Vec::new() };
            self.buf = if self.cfg.momentum > 0.0 { vec![0.0; n] } else { Vec::new() };
            self.trace.resize(n);
        }
        self.t += 1;
        let RmsPropConfig { lr, alpha, weight_decay, momentum, centered, maximize, .. } = self.cfg;
        for i in 0..n {
            let p0 = params[i];
            let mut g = if maximize { -grads[i] } else { grads[i] };
            if weight_decay != 0.0 {
                g = add_alpha(g, p0, weight_decay);
            }
            self.square_avg[i] = addcmul(self.square_avg[i] * alpha, g, g, 1.0 - alpha);
            if centered {
                self.grad_avg[i] = lerp(self.grad_avg[i], g, 1.0 - alpha);
            }
            let avg = self.avg(i);
            params[i] = if momentum > 0.0 {
                self.buf[i] = addcdiv(self.buf[i] * momentum, g, avg, 1.0);
                add_alpha(p0, self.buf[i], -lr)
            } else {
                addcdiv(p0, g, avg, -lr)
            };
            self.trace.record(i, grads[i], params[i] - p0);
        }
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

    fn inspect(&self, i: usize) -> Vec<(&'static str, f64)> {
        let Some((grad, delta)) = self.trace.get(i) else { return Vec::new() };
        let mut out = vec![("grad", grad), ("square_avg", self.square_avg[i])];
        if self.cfg.centered {
            out.push(("grad_avg", self.grad_avg[i]));
        }
        out.push(("denom", self.avg(i)));
        if self.cfg.momentum > 0.0 {
            out.push(("velocity", self.buf[i]));
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
        let mut r = RmsProp::new(RmsPropConfig { lr: 0.1, alpha: 0.75, eps: 0.0, ..RmsPropConfig::default() });
        let mut p = [0.0];
        r.step(&mut p, &[2.0]);
        assert_eq!(p[0], -0.2);
    }

    #[test]
    fn centered_divides_by_the_standard_deviation() {
        // α = 0.5, ε = 0, g = 2: s = 2, ḡ = 1, √(s - ḡ²) = 1, θ = -lr·2
        let cfg = RmsPropConfig { lr: 0.1, alpha: 0.5, eps: 0.0, centered: true, ..RmsPropConfig::default() };
        let mut r = RmsProp::new(cfg);
        let mut p = [0.0];
        r.step(&mut p, &[2.0]);
        assert_eq!(p[0], -0.2);
        let names: Vec<&str> = r.inspect(0).iter().map(|&(n, _)| n).collect();
        assert_eq!(names, ["grad", "square_avg", "grad_avg", "denom", "lr", "step"]);
    }
}
