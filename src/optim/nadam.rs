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

use super::adaptor::Rule;
use super::spec::Kind::{NonNeg, Unit};
use super::spec::{Key, Keys};
use super::torch_ops::{add_alpha, addcdiv, addcmul, lerp};
use crate::real::Real;

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

/// `nadam`'s keys.
impl Keys for NAdamConfig {
    type Config = Self;
    const NAME: &'static str = "nadam";
    const KEYS: &'static [Key<Self>] = &[
        Key::number("lr", NonNeg, |c| &mut c.lr),
        Key::number("beta1", Unit, |c| &mut c.beta1),
        Key::number("beta2", Unit, |c| &mut c.beta2),
        Key::number("eps", NonNeg, |c| &mut c.eps),
        Key::number("weight_decay", NonNeg, |c| &mut c.weight_decay),
        Key::number("momentum_decay", NonNeg, |c| &mut c.momentum_decay),
        Key::flag("decoupled_weight_decay", |c| &mut c.decoupled_weight_decay),
        Key::flag("maximize", |c| &mut c.maximize),
    ];

    fn rule<T: Real>(c: &Self) -> impl Rule<T> {
        NAdam::<T>::new(*c)
    }
}

/// NAdam with its moment estimates and the product of momentum coefficients, on f64 (the default) or f32 parameters.
#[derive(Clone, Debug)]
pub struct NAdam<T: Real = f64> {
    cfg: NAdamConfig,
    /// Πₜ = μ₁·…·μₜ: in PyTorch a 0-dim tensor of the default dtype, which is f32 when a model trains in f32.
    mu_product: T,
    m: Vec<T>,
    v: Vec<T>,
}

impl<T: Real> NAdam<T> {
    /// A fresh rule; its state is sized by the first step.
    pub fn new(cfg: NAdamConfig) -> Self {
        Self { cfg, mu_product: T::one(), m: Vec::new(), v: Vec::new() }
    }

    /// The configuration (its `lr` is the rate the optimizer starts at; `Optimizer::lr` is the current one).
    pub fn config(&self) -> &NAdamConfig {
        &self.cfg
    }

    /// μ at (float) step `step`.
    fn mu(&self, step: f64) -> f64 {
        self.cfg.beta1 * (1.0 - 0.5 * 0.96f64.powf(step * self.cfg.momentum_decay))
    }
}

impl<T: Real> Rule<T> for NAdam<T> {
    fn start(&mut self, n: usize) {
        self.mu_product = T::one();
        self.m = vec![T::zero(); n];
        self.v = vec![T::zero(); n];
    }

    #[inline(always)]
    fn update(&mut self, params: &mut [T], grads: &[T], t: u64, lr: f64) {
        let NAdamConfig { beta1, beta2, eps, weight_decay, decoupled_weight_decay, maximize, .. } = self.cfg;
        let step = t as f64;
        let bias_correction2 = 1.0 - beta2.powf(step);
        let mu = self.mu(step);
        let mu_next = self.mu(step + 1.0);
        self.mu_product *= T::from_f64(mu);
        let mu_product = self.mu_product.as_f64();
        let mu_product_next = mu_product * mu_next;
        // PyTorch's Python-float scalars, computed in f64 and rounded to T once.
        let grad_coef = T::from_f64(-lr * (1.0 - mu) / (1.0 - mu_product));
        let m_coef = T::from_f64(-lr * mu_next / (1.0 - mu_product_next));
        let decay = T::from_f64(1.0 - lr * weight_decay);
        let (bias_correction2, eps, weight_decay) =
            (T::from_f64(bias_correction2), T::from_f64(eps), T::from_f64(weight_decay));
        let (one_minus_beta1, beta2, one_minus_beta2) =
            (T::from_f64(1.0 - beta1), T::from_f64(beta2), T::from_f64(1.0 - beta2));
        let n = params.len();
        let (grads, m, v) = (&grads[..n], &mut self.m[..n], &mut self.v[..n]);
        for i in 0..n {
            let mut p = params[i];
            let mut g = if maximize { -grads[i] } else { grads[i] };
            if weight_decay != T::zero() {
                if decoupled_weight_decay {
                    p *= decay;
                } else {
                    g = add_alpha(g, p, weight_decay);
                }
            }
            let m_i = lerp(m[i], g, one_minus_beta1);
            let v_i = addcmul(v[i] * beta2, g, g, one_minus_beta2);
            m[i] = m_i;
            v[i] = v_i;
            let denom = (v_i / bias_correction2).sqrt() + eps;
            p = addcdiv(p, g, denom, grad_coef);
            params[i] = addcdiv(p, m_i, denom, m_coef);
        }
    }

    fn inspect(&self, i: usize, t: u64, _lr: f64) -> Vec<(&'static str, f64)> {
        let step = t as f64;
        let (m, v) = (self.m[i].as_f64(), self.v[i].as_f64());
        vec![
            ("m", m),
            ("v", v),
            ("mu_t", self.mu(step)),
            ("mu_next", self.mu(step + 1.0)),
            ("mu_product", self.mu_product.as_f64()),
            ("bias_correction2", 1.0 - self.cfg.beta2.powf(step)),
            ("v_hat", v / (1.0 - self.cfg.beta2.powf(step))),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimSpec;

    #[test]
    fn momentum_warms_up_towards_beta1() {
        let nadam = NAdam::<f64>::new(NAdamConfig::default());
        // μ₁ = 0.9·(1 - ½·0.96^0.004) ≈ 0.9·0.50008 ≈ 0.45007; μ grows to β₁ = 0.9 as t → ∞
        assert!((nadam.mu(1.0) - 0.9 * (1.0 - 0.5 * 0.96f64.powf(0.004))).abs() < 1e-16);
        assert!(nadam.mu(1.0) < nadam.mu(100.0) && nadam.mu(1e6) < 0.9 + 1e-12 && nadam.mu(1e6) > 0.9 - 1e-9);
    }

    #[test]
    fn first_step_by_hand() {
        // t=1, g=2, ε=0: m = 0.2, v = 0.004, v̂ = 4, denom = 2; Π₁ = μ₁
        // θ = -lr(1-μ₁)/(1-μ₁)·2/2 - lr·μ₂/(1-μ₁μ₂)·0.2/2 = -lr - 0.1·lr·μ₂/(1-μ₁μ₂)
        let cfg = NAdamConfig { lr: 1.0, eps: 0.0, ..NAdamConfig::default() };
        let mut nadam = OptimSpec::NAdam(cfg).build();
        let (mu1, mu2) = (NAdam::<f64>::new(cfg).mu(1.0), NAdam::<f64>::new(cfg).mu(2.0));
        let mut p = [0.0];
        nadam.step(&mut p, &[2.0]);
        let want = -1.0 - 0.1 * mu2 / (1.0 - mu1 * mu2);
        assert!((p[0] - want).abs() < 1e-14, "{} vs {want}", p[0]);
    }
}
