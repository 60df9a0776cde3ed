//! RAdam, as PyTorch's `torch.optim.RAdam` (Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond",
//! ICLR 2020 — the lecture's slide 120). Early on, v̂ rests on a handful of squared gradients and its variance is
//! huge; RAdam takes plain momentum steps until the approximated SMA length ρₜ exceeds 5, then Adam steps scaled by
//! the rectification rₜ — a warmup built into the rule.
//!
//! For each parameter θ with gradient g, step t:
//!
//! ```text
//! g ← −g;  θ ← θ·(1 − lr·λ) or g ← g + λ·θ        (maximize, weight decay: as in Adam)
//! m ← m + (1 − β₁)·(g − m);   v ← β₂·v + (1 − β₂)·g²
//! m̂ ← m / (1 − β₁ᵗ)
//! ρ∞ ← 2/(1 − β₂) − 1;   ρₜ ← ρ∞ − 2t·β₂ᵗ / (1 − β₂ᵗ)
//! if ρₜ > 5:  rₜ ← √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
//!             θ ← θ − lr·m̂ · √(1 − β₂ᵗ)/(√v + ε) · rₜ
//! else:       θ ← θ − lr·m̂
//! ```
//!
//! With the default β₂ = 0.999, ρₜ ≤ 5 for t ≤ 5: the first five steps are unrectified. O(n) per step.

use super::adaptor::Rule;
use super::spec::Kind::{NonNeg, Unit};
use super::spec::{Key, Keys};
use super::torch_ops::{add_alpha, addcmul, lerp};
use crate::real::Real;

/// `torch.optim.RAdam`'s arguments.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RAdamConfig {
    /// Learning rate (default 1e-3).
    pub lr: f64,
    /// β₁ (default 0.9).
    pub beta1: f64,
    /// β₂ (default 0.999).
    pub beta2: f64,
    /// ε added to √v (default 1e-8).
    pub eps: f64,
    /// Weight decay λ (default 0).
    pub weight_decay: f64,
    /// Decay θ directly, as AdamW does (default false).
    pub decoupled_weight_decay: bool,
    /// Ascend instead of descend (default false).
    pub maximize: bool,
}

impl Default for RAdamConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled_weight_decay: false,
            maximize: false,
        }
    }
}

/// `radam`'s keys.
impl Keys for RAdamConfig {
    type Config = Self;
    const NAME: &'static str = "radam";
    const KEYS: &'static [Key<Self>] = &[
        Key::number("lr", NonNeg, |c| &mut c.lr),
        Key::number("beta1", Unit, |c| &mut c.beta1),
        Key::number("beta2", Unit, |c| &mut c.beta2),
        Key::number("eps", NonNeg, |c| &mut c.eps),
        Key::number("weight_decay", NonNeg, |c| &mut c.weight_decay),
        Key::flag("decoupled_weight_decay", |c| &mut c.decoupled_weight_decay),
        Key::flag("maximize", |c| &mut c.maximize),
    ];

    fn rule<T: Real>(c: &Self) -> impl Rule<T> {
        RAdam::<T>::new(*c)
    }
}

/// RAdam with its moment estimates, on f64 (the default) or f32 parameters.
#[derive(Clone, Debug)]
pub struct RAdam<T: Real = f64> {
    cfg: RAdamConfig,
    m: Vec<T>,
    v: Vec<T>,
}

/// The step-wide quantities of RAdam at step t.
struct Rectification {
    bias_correction1: f64,
    bias_correction2: f64,
    rho_inf: f64,
    rho_t: f64,
    /// rₜ when ρₜ > 5.
    rect: Option<f64>,
}

impl<T: Real> RAdam<T> {
    /// A fresh rule; its state is sized by the first step.
    pub fn new(cfg: RAdamConfig) -> Self {
        Self { cfg, m: Vec::new(), v: Vec::new() }
    }

    /// The configuration (its `lr` is the rate the optimizer starts at; `Optimizer::lr` is the current one).
    pub fn config(&self) -> &RAdamConfig {
        &self.cfg
    }

    /// ρₜ and friends, in PyTorch's Python-float operation order.
    fn rectification(&self, t: u64) -> Rectification {
        let (beta1, beta2) = (self.cfg.beta1, self.cfg.beta2);
        let step = t as f64;
        let bias_correction1 = 1.0 - beta1.powf(step);
        let bias_correction2 = 1.0 - beta2.powf(step);
        let rho_inf = 2.0 / (1.0 - beta2) - 1.0;
        let rho_t = rho_inf - 2.0 * step * beta2.powf(step) / bias_correction2;
        let rect = (rho_t > 5.0)
            .then(|| ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)).powf(0.5));
        Rectification { bias_correction1, bias_correction2, rho_inf, rho_t, rect }
    }

    /// The loop of one step, rectified (ρₜ > 5) or not: a branch hoisted out of the loop by hand, as both arms would
    /// otherwise be computed for every parameter.
    #[inline(always)]
    fn update_loop<const RECTIFIED: bool>(&mut self, params: &mut [T], grads: &[T], lr: f64, r: &Rectification) {
        let n = params.len();
        let (grads, m, v) = (&grads[..n], &mut self.m[..n], &mut self.v[..n]);
        let RAdamConfig { beta1, beta2, eps, weight_decay, decoupled_weight_decay, maximize, .. } = self.cfg;
        // PyTorch's Python-float scalars, computed in f64 and rounded to T once.
        let bias_correction2_sqrt = T::from_f64(r.bias_correction2.powf(0.5));
        let (bias_correction1, rect) = (T::from_f64(r.bias_correction1), T::from_f64(r.rect.unwrap_or(1.0)));
        let decay = T::from_f64(1.0 - lr * weight_decay);
        let (lr, eps, weight_decay) = (T::from_f64(lr), T::from_f64(eps), T::from_f64(weight_decay));
        let (one_minus_beta1, beta2, one_minus_beta2) =
            (T::from_f64(1.0 - beta1), T::from_f64(beta2), T::from_f64(1.0 - beta2));
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
            let m_hat = m_i / bias_correction1;
            let update = if RECTIFIED {
                // PyTorch: bias_corrected_exp_avg * lr * (bc2_sqrt / (v.sqrt() + eps)) * rect, where a float divided
                // by a tensor is the tensor's reciprocal times the float.
                m_hat * lr * ((T::one() / (v_i.sqrt() + eps)) * bias_correction2_sqrt) * rect
            } else {
                m_hat * lr
            };
            params[i] = p - update;
        }
    }
}

impl<T: Real> Rule<T> for RAdam<T> {
    fn start(&mut self, n: usize) {
        self.m = vec![T::zero(); n];
        self.v = vec![T::zero(); n];
    }

    #[inline(always)]
    fn update(&mut self, params: &mut [T], grads: &[T], t: u64, lr: f64) {
        let r = self.rectification(t);
        if r.rect.is_some() {
            self.update_loop::<true>(params, grads, lr, &r);
        } else {
            self.update_loop::<false>(params, grads, lr, &r);
        }
    }

    fn inspect(&self, i: usize, t: u64, _lr: f64) -> Vec<(&'static str, f64)> {
        let r = self.rectification(t);
        let (m, v) = (self.m[i].as_f64(), self.v[i].as_f64());
        let mut out = vec![
            ("m", m),
            ("v", v),
            ("bias_correction1", r.bias_correction1),
            ("bias_correction2", r.bias_correction2),
            ("m_hat", m / r.bias_correction1),
            ("v_hat", v / r.bias_correction2),
            ("rho_inf", r.rho_inf),
            ("rho_t", r.rho_t),
            ("rectified", if r.rect.is_some() { 1.0 } else { 0.0 }),
        ];
        if let Some(rect) = r.rect {
            out.push(("rect", rect));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{OptimSpec, Optimizer};

    fn seen(r: &Optimizer, name: &str) -> Option<f64> {
        r.inspect(0).into_iter().find(|&(n, _)| n == name).map(|(_, x)| x)
    }

    #[test]
    fn rectifies_from_step_six_with_the_default_beta2() {
        // ρ∞ = 2/0.001 - 1 = 1999.  t=5: ρ₅ = 1999 - 10·0.999⁵/(1 - 0.999⁵) ≈ 4.994 ≤ 5;  t=6: ≈ 5.992 > 5
        let mut r = OptimSpec::RAdam(RAdamConfig { lr: 0.1, ..RAdamConfig::default() }).build();
        let mut p = [1.0];
        for t in 1..=6 {
            r.step(&mut p, &[1.0]);
            let rectified = seen(&r, "rectified");
            assert_eq!(rectified, Some(if t < 6 { 0.0 } else { 1.0 }), "t={t}, rho_t={:?}", seen(&r, "rho_t"));
        }
        assert!((seen(&r, "rho_inf").expect("shown") - 1999.0).abs() < 1e-9);
    }

    #[test]
    fn unrectified_step_is_momentum_with_bias_correction() {
        // t=1: m = 0.1·g, m̂ = g, θ = θ - lr·g = 1 - 0.1·3 = 0.7
        let mut r = OptimSpec::RAdam(RAdamConfig { lr: 0.1, ..RAdamConfig::default() }).build();
        let mut p = [1.0];
        r.step(&mut p, &[3.0]);
        assert!((p[0] - 0.7).abs() < 1e-15, "{p:?}");
        assert_eq!(seen(&r, "rect"), None);
    }
}
