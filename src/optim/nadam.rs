//! NAdam, as PyTorch's `torch.optim.NAdam` (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR workshop
//! 2016): Adam whose step looks ahead with the next momentum coefficient, which itself warms up by
//! `momentum_decay`.
//!
//! For each parameter θ with gradient g, step t:
//!
//! ```text
//! g ← −g;  θ ← θ·(1 − lr·λ) or g ← g + λ·θ          (maximize, weight decay: as in Adam)
//! μₜ ← β₁·(1 − ½·0.96^(t·ψ));   μₜ₊₁ ← β₁·(1 − ½·0.96^((t+1)·ψ))      (ψ = momentum_decay)
//! Πₜ ← Πₜ₋₁·μₜ                                         (Π₀ = 1)
//! m ← m + (1 − β₁)·(g − m);   v ← β₂·v + (1 − β₂)·g²
//! denom ← √(v / (1 − β₂ᵗ)) + ε
//! θ ← θ − lr·(1 − μₜ)/(1 − Πₜ) · g/denom − lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/denom
//! ```
//!
//! O(n) per step; μₜ, μₜ₊₁ and Πₜ are shared by all parameters.

use super::torch_ops::{add_alpha, addcdiv, addcmul, lerp};
use super::{Rule, Trace};

/// `torch.optim.NAdam`'s arguments.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct NAdamConfig {
    /// Learning rate (default 2e-3).
    pub lr: f64,
    /// β₁ (default 0.9).
    pub beta1: f64,
    /// β₂ (default 0.999).
    pub beta2: f64,
    /// ε added to √v̂ (default 1e-8).
    pub eps: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// ψ, how fast μₜ warms up to β₁ (default 4e-3).
    pub momentum_decay: f64,
    /// Decay θ directly, as AdamW does (default false).
    pub decoupled_weight_decay: bool,
    /// Ascend instead of descend (default false).
    pub maximize: bool,
}

impl Default for NAdamConfig {
    fn default() -> Self {
        Self {
            lr: 2e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum_decay: 4e-3,
            decoupled_weight_decay: false,
            maximize: false,
        }
    }
}

/// NAdam with its moment estimates and the product of momentum coefficients.
#[derive(Clone, Debug)]
pub struct NAdam {
    cfg: NAdamConfig,
    t: u64,
    /// Πₜ = μ₁·…·μₜ.
    mu_product: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    trace: Trace,
}

impl NAdam {
    /// A fresh rule; its state is sized by the first `step`.
    pub fn new(cfg: NAdamConfig) -> Self {
        Self { cfg, t: 0, mu_product: 1.0, m: Vec::new(), v: Vec::new(), trace: Trace::default() }
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> &NAdamConfig {
        &self.cfg
    }

    /// μ at (float) step `step`.
    fn mu(&self, step: f64) -> f64 {
        self.cfg.beta1 * (1.0 - 0.5 * 0.96f64.powf(step * self.cfg.momentum_decay))
    }
}

impl Rule for NAdam {
    #[inline(always)] // so that `Optimizer::step_fma` compiles it with hardware FMA
    fn step(&mut self, params: &mut [f64], grads: &[f64]) {
        let n = Trace::check_lengths(params, grads);
        if self.trace.len() != n {
            self.t = 0;
            self.mu_product = 1.0;
            self.m = vec![0.0; n];
            self.v = vec![0.0; n];
            self.trace.resize(n);
        }
        self.t += 1;
        let NAdamConfig { lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, maximize, .. } = self.cfg;
        let step = self.t as f64;
        let bias_correction2 = 1.0 - beta2.powf(step);
        let mu = self.mu(step);
        let mu_next = self.mu(step + 1.0);
        self.mu_product *= mu;
        let mu_product_next = self.mu_product * mu_next;
        let grad_coef = -lr * (1.0 - mu) / (1.0 - self.mu_product);
        let m_coef = -lr * mu_next / (1.0 - mu_product_next);
        let decay = 1.0 - lr * weight_decay;
        for i in 0..n {
            let p0 = params[i];
            let mut p = p0;
            let mut g = if maximize { -grads[i] } else { grads[i] };
            if weight_decay != 0.0 {
                if decoupled_weight_decay {
                    p *= decay;
                } else {
                    g = add_alpha(g, p, weight_decay);
                }
            }
            let m = lerp(self.m[i], g, 1.0 - beta1);
            let v = addcmul(self.v[i] * beta2, g, g, 1.0 - beta2);
            self.m[i] = m;
            self.v[i] = v;
            let denom = (v / bias_correction2).sqrt() + eps;
            p = addcdiv(p, g, denom, grad_coef);
            params[i] = addcdiv(p, m, denom, m_coef);
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
        self.mu_product = 1.0;
        self.m.clear();
        self.v.clear();
        self.trace.clear();
    }

    fn inspect(&self, i: usize) -> Vec<(&'static str, f64)> {
        let Some((grad, delta)) = self.trace.get(i) else { return Vec::new() };
        let step = self.t as f64;
        vec![
            ("grad", grad),
            ("m", self.m[i]),
            ("v", self.v[i]),
            ("mu_t", self.mu(step)),
            ("mu_next", self.mu(step + 1.0)),
            ("mu_product", self.mu_product),
            ("bias_correction2", 1.0 - self.cfg.beta2.powf(step)),
            ("v_hat", self.v[i] / (1.0 - self.cfg.beta2.powf(step))),
            ("lr", self.cfg.lr),
            ("step", delta),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn momentum_warms_up_towards_beta1() {
        let nadam = NAdam::new(NAdamConfig::default());
        // μ₁ = 0.9·(1 - ½·0.96^0.004) ≈ 0.9·0.50008 ≈ 0.45007; μ grows to β₁ = 0.9 as t → ∞
        assert!((nadam.mu(1.0) - 0.9 * (1.0 - 0.5 * 0.96f64.powf(0.004))).abs() < 1e-16);
        assert!(nadam.mu(1.0) < nadam.mu(100.0) && nadam.mu(1e6) < 0.9 + 1e-12 && nadam.mu(1e6) > 0.9 - 1e-9);
    }

    #[test]
    fn first_step_by_hand() {
        // t=1, g=2, ε=0: m = 0.2, v = 0.004, v̂ = 4, denom = 2; Π₁ = μ₁
        // θ = -lr(1-μ₁)/(1-μ₁)·2/2 - lr·μ₂/(1-μ₁μ₂)·0.2/2 = -lr - 0.1·lr·μ₂/(1-μ₁μ₂)
        let mut nadam = NAdam::new(NAdamConfig { lr: 1.0, eps: 0.0, ..NAdamConfig::default() });
        let (mu1, mu2) = (nadam.mu(1.0), nadam.mu(2.0));
        let mut p = [0.0];
        nadam.step(&mut p, &[2.0]);
        let want = -1.0 - 0.1 * mu2 / (1.0 - mu1 * mu2);
        assert!((p[0] - want).abs() < 1e-14, "{} vs {want}", p[0]);
    }
}
