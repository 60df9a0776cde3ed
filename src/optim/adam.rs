//! Adam and AdamW, as PyTorch's `torch.optim.Adam` / `torch.optim.AdamW` (Kingma & Ba, "Adam: A Method for
//! Stochastic Optimization", 2015; AMSGrad: Reddi et al., "On the Convergence of Adam and Beyond", 2018; AdamW:
//! Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019) — the Adam of the lecture's slide 114, bias
//! correction included — and `adam-nobias`, the same rule with the bias correction turned off.
//!
//! For each parameter θ with gradient g, step t:
//!
//! ```text
//! g ← −g                                  if maximize
//! θ ← θ·(1 − lr·λ)                        if λ ≠ 0 and decoupled (AdamW)
//! g ← g + λ·θ                             if λ ≠ 0 and not decoupled (Adam's L2 penalty)
//! m ← m + (1 − β₁)·(g − m)                (= β₁·m + (1 − β₁)·g, PyTorch's lerp)
//! v ← β₂·v + (1 − β₂)·g²
//! v_max ← max(v_max, v)                   if amsgrad, and v stands for v_max below
//! denom ← √v / √(1 − β₂ᵗ) + ε             (= √v̂ + ε)
//! θ ← θ − (lr / (1 − β₁ᵗ))·m / denom      (= θ − lr·m̂ / (√v̂ + ε))
//! ```
//!
//! Without bias correction (`adam-nobias`: neither PyTorch's form nor the lecture's, which divides both averages by
//! 1 − βᵗ, but the way to see what that division does), 1 − β₁ᵗ and 1 − β₂ᵗ are replaced by 1:
//! θ ← θ − lr·m / (√v + ε). The bias correction matters in the first steps, when m and v, started at zero, are
//! too small: m̂ = m/(1 − β₁ᵗ) undoes that. O(n) per step.

use super::adaptor::Rule;
use super::spec::Kind::{NonNeg, Unit};
use super::spec::{Key, Keys};
use super::torch_ops::{add_alpha, addcdiv, addcmul, lerp, maximum};
use crate::real::Real;

/// `torch.optim.Adam`'s arguments (AdamW: [`AdamConfig::adamw`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AdamConfig {
    /// Learning rate (default 1e-3).
    pub lr: f64,
    /// β₁, decay of the first moment m (default 0.9).
    pub beta1: f64,
    /// β₂, decay of the second moment v (default 0.999).
    pub beta2: f64,
    /// ε added to √v̂ (default 1e-8).
    pub eps: f64,
    /// Weight decay λ (Adam default 0; AdamW default 0.01).
    pub weight_decay: f64,
    /// Divide by the running maximum of v (AMSGrad; default false).
    pub amsgrad: bool,
    /// Ascend instead of descend (default false).
    pub maximize: bool,
    /// Decay θ directly instead of adding λθ to g (AdamW; default false for Adam).
    pub decoupled_weight_decay: bool,
    /// Divide m and v by 1 − βᵗ (default true, as PyTorch and the lecture's slide 114 do; false is `adam-nobias`,
    /// which shows what the correction does).
    pub bias_correction: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            maximize: false,
            decoupled_weight_decay: false,
            bias_correction: true,
        }
    }
}

impl AdamConfig {
    /// `torch.optim.AdamW`'s defaults: Adam's, with weight decay 0.01, decoupled.
    pub fn adamw() -> Self {
        Self { weight_decay: 0.01, decoupled_weight_decay: true, ..Self::default() }
    }

    /// `adam-nobias`: Adam with its bias correction turned off (the lecture's Adam, slide 114, has it), Adam's
    /// defaults otherwise.
    pub fn no_bias_correction() -> Self {
        Self { bias_correction: false, ..Self::default() }
    }
}

/// `adam`'s keys, in canonical order; `adamw` and `adam-nobias` take the first seven and four of them.
const ADAM_KEYS: &[Key<AdamConfig>] = &[
    Key::number("lr", NonNeg, |c| &mut c.lr),
    Key::number("beta1", Unit, |c| &mut c.beta1),
    Key::number("beta2", Unit, |c| &mut c.beta2),
    Key::number("eps", NonNeg, |c| &mut c.eps),
    Key::number("weight_decay", NonNeg, |c| &mut c.weight_decay),
    Key::flag("amsgrad", |c| &mut c.amsgrad),
    Key::flag("maximize", |c| &mut c.maximize),
    Key::flag("decoupled_weight_decay", |c| &mut c.decoupled_weight_decay),
];

/// `adam`'s keys.
impl Keys for AdamConfig {
    type Config = Self;
    const NAME: &'static str = "adam";
    const KEYS: &'static [Key<Self>] = ADAM_KEYS;

    fn rule<T: Real>(c: &Self) -> impl Rule<T> {
        Adam::<T>::new(*c)
    }
}

/// `adamw`'s keys: Adam's but `decoupled_weight_decay`, which is always on.
pub(crate) struct AdamWKeys;

impl Keys for AdamWKeys {
    type Config = AdamConfig;
    const NAME: &'static str = "adamw";
    const KEYS: &'static [Key<AdamConfig>] = ADAM_KEYS.split_at(7).0;

    fn defaults() -> AdamConfig {
        AdamConfig::adamw()
    }

    fn rule<T: Real>(c: &AdamConfig) -> impl Rule<T> {
        Adam::<T>::new(AdamConfig { decoupled_weight_decay: true, bias_correction: true, ..*c })
    }
}

/// `adam-nobias`'s keys: lr, the betas and eps.
pub(crate) struct AdamNoBiasKeys;

impl Keys for AdamNoBiasKeys {
    type Config = AdamConfig;
    const NAME: &'static str = "adam-nobias";
    const KEYS: &'static [Key<AdamConfig>] = ADAM_KEYS.split_at(4).0;

    fn defaults() -> AdamConfig {
        AdamConfig::no_bias_correction()
    }

    fn rule<T: Real>(c: &AdamConfig) -> impl Rule<T> {
        Adam::<T>::new(AdamConfig { bias_correction: false, ..*c })
    }
}

/// Adam / AdamW / AMSGrad with its moment estimates, on f64 (the default) or f32 parameters.
#[derive(Clone, Debug)]
pub struct Adam<T: Real = f64> {
    cfg: AdamConfig,
    m: Vec<T>,
    v: Vec<T>,
    v_max: Vec<T>,
}

impl<T: Real> Adam<T> {
    /// A fresh rule; its state is sized by the first step.
    pub fn new(cfg: AdamConfig) -> Self {
        Self { cfg, m: Vec::new(), v: Vec::new(), v_max: Vec::new() }
    }

    /// The configuration (its `lr` is the rate the optimizer starts at; `Optimizer::lr` is the current one).
    pub fn config(&self) -> &AdamConfig {
        &self.cfg
    }

    /// (1 − β₁ᵗ, 1 − β₂ᵗ) at step t, or (1, 1) without bias correction. Python's `beta ** step` with a float step
    /// is C's `pow`, as is `powf`.
    fn bias_corrections(&self, t: u64) -> (f64, f64) {
        if self.cfg.bias_correction {
            let step = t as f64;
            (1.0 - self.cfg.beta1.powf(step), 1.0 - self.cfg.beta2.powf(step))
        } else {
            (1.0, 1.0)
        }
    }

    /// The loop of one step, with or without AMSGrad's running maximum: a branch hoisted out of the loop by hand, as
    /// the conditional store into `v_max` would keep the loop from vectorizing.
    #[inline(always)]
    fn update_loop<const AMSGRAD: bool>(&mut self, params: &mut [T], grads: &[T], t: u64, lr: f64) {
        let AdamConfig { beta1, beta2, eps, weight_decay, maximize, decoupled_weight_decay, .. } = self.cfg;
        let (bias_correction1, bias_correction2) = self.bias_corrections(t);
        // PyTorch's Python-float scalars, computed in f64 and rounded to T once.
        let step_size = lr / bias_correction1;
        let neg_step_size = T::from_f64(-step_size);
        let bias_correction2_sqrt = T::from_f64(bias_correction2.powf(0.5));
        let decay = T::from_f64(1.0 - lr * weight_decay);
        let (one_minus_beta1, beta2, one_minus_beta2) =
            (T::from_f64(1.0 - beta1), T::from_f64(beta2), T::from_f64(1.0 - beta2));
        let (eps, weight_decay) = (T::from_f64(eps), T::from_f64(weight_decay));
        let n = params.len();
        let (grads, m, v) = (&grads[..n], &mut self.m[..n], &mut self.v[..n]);
        let v_max: &mut [T] = if AMSGRAD { &mut self.v_max[..n] } else { &mut [] };
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
            let v_used = if AMSGRAD {
                v_max[i] = maximum(v_max[i], v_i);
                v_max[i]
            } else {
                v_i
            };
            let denom = v_used.sqrt() / bias_correction2_sqrt + eps;
            params[i] = addcdiv(p, m_i, denom, neg_step_size);
        }
    }
}

impl<T: Real> Rule<T> for Adam<T> {
    fn start(&mut self, n: usize) {
        self.m = vec![T::zero(); n];
        self.v = vec![T::zero(); n];
        self.v_max = if self.cfg.amsgrad { vec![T::zero(); n] } else { Vec::new() };
    }

    #[inline(always)]
    fn update(&mut self, params: &mut [T], grads: &[T], t: u64, lr: f64) {
        if self.cfg.amsgrad {
            self.update_loop::<true>(params, grads, t, lr);
        } else {
            self.update_loop::<false>(params, grads, t, lr);
        }
    }

    fn inspect(&self, i: usize, t: u64, _lr: f64) -> Vec<(&'static str, f64)> {
        let (bc1, bc2) = self.bias_corrections(t);
        let (m, v) = (self.m[i].as_f64(), self.v[i].as_f64());
        let mut out = vec![("m", m), ("v", v)];
        let v_used = if self.cfg.amsgrad {
            let v_max = self.v_max[i].as_f64();
            out.push(("v_max", v_max));
            v_max
        } else {
            v
        };
        if self.cfg.bias_correction {
            out.extend([("bias_correction1", bc1), ("bias_correction2", bc2)]);
        }
        out.extend([("m_hat", m / bc1), ("v_hat", v_used / bc2)]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimSpec;

    #[test]
    fn first_step_moves_every_parameter_by_about_lr() {
        // t = 1: m̂ = g and v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g), whatever |g|.
        let mut adam = OptimSpec::Adam(AdamConfig { lr: 0.1, ..AdamConfig::default() }).build();
        let mut p = [0.0, 0.0];
        adam.step(&mut p, &[1000.0, -0.001]);
        assert!((p[0] + 0.1).abs() < 1e-9 && (p[1] - 0.1).abs() < 1e-5, "{p:?}");
        let names: Vec<&str> = adam.inspect(0).iter().map(|&(n, _)| n).collect();
        assert_eq!(names, ["grad", "m", "v", "bias_correction1", "bias_correction2", "m_hat", "v_hat", "lr", "step"]);
    }

    #[test]
    fn adam_without_bias_correction_by_hand() {
        // β₁ = 0.5, β₂ = 0.75, ε = 0, lr = 1, g = 2 twice:
        // t=1: m = 0.5·2 = 1;          v = 0.25·4 = 1;              θ = 0 - 1·1/√1 = -1
        // t=2: m = 0.5 + 0.5·2 = 1.5;  v = 0.75 + 0.25·4 = 1.75;   θ = -1 - 1.5/√1.75
        let cfg = AdamConfig { lr: 1.0, beta1: 0.5, beta2: 0.75, eps: 0.0, ..AdamConfig::no_bias_correction() };
        let mut adam = OptimSpec::AdamNoBias(cfg).build();
        let mut p = [0.0];
        adam.step(&mut p, &[2.0]);
        assert_eq!(p[0], -1.0);
        adam.step(&mut p, &[2.0]);
        assert!((p[0] - (-1.0 - 1.5 / 1.75f64.sqrt())).abs() < 1e-15, "{p:?}");
        let names: Vec<&str> = adam.inspect(0).iter().map(|&(n, _)| n).collect();
        assert!(!names.contains(&"bias_correction1"));
    }

    #[test]
    fn amsgrad_keeps_the_largest_v() {
        let cfg = AdamConfig { lr: 0.1, beta2: 0.5, amsgrad: true, ..AdamConfig::default() };
        let mut adam = OptimSpec::Adam(cfg).build();
        let mut p = [0.0];
        adam.step(&mut p, &[4.0]); // v = 8
        adam.step(&mut p, &[0.0]); // v = 4, v_max = 8
        let seen: std::collections::HashMap<_, _> = adam.inspect(0).into_iter().collect();
        assert_eq!((seen["v"], seen["v_max"]), (4.0, 8.0));
    }

    #[test]
    fn adamw_shrinks_theta_before_the_adam_step() {
        // With g = 0, m = v = 0: the step is only θ·(1 - lr·λ) = 2·(1 - 0.1·0.5) = 1.9.
        let mut adam = OptimSpec::AdamW(AdamConfig { lr: 0.1, weight_decay: 0.5, ..AdamConfig::adamw() }).build();
        let mut p = [2.0];
        adam.step(&mut p, &[0.0]);
        assert_eq!(p[0], 1.9);
    }
}
