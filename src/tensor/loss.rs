//! The losses, each averaged over the batch of n rows and each in its numerically stable form. Scores s are n × k;
//! the gradient written is ∂L/∂s times the upstream gradient.
//!
//! | loss | targets | per-row loss | ∂L/∂s (before the 1/n) |
//! |---|---|---|---|
//! | `Mse` (`nn.MSELoss`) | n × k reals | Σⱼ (sⱼ − tⱼ)², and the mean is over all n·k elements | 2(s − t)/k |
//! | `BceLogits` (`nn.BCEWithLogitsLoss`) | n × 1 in [0, 1] | max(s, 0) − s·t + log(1 + e^(−\|s\|)) | σ(s) − t |
//! | `SoftmaxCe` (`nn.CrossEntropyLoss`) | n × 1 class indices | log Σⱼ e^(sⱼ − m) + m − s_y, m = maxⱼ sⱼ | softmax(s) − onehot(y) |
//! | `MulticlassHinge` (cs231n's SVM) | n × 1 class indices | Σ_{j≠y} max(0, sⱼ − s_y + 1) | 1 for each j ≠ y with a positive margin; minus their count at y |
//! | `MarginHinge` (micrograd's demo) | n × 1 in {−1, +1} | max(0, 1 − t·s) | −t where 1 − t·s > 0 |
//!
//! Kinks follow PyTorch's relu: a margin of exactly 0 passes no gradient. The loss value is accumulated in f64; the
//! gradient is computed in the tape's type.

use super::TensorError;
use crate::real::Real;

/// Which loss. See the module table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Loss {
    /// Mean squared error against real targets of the scores' shape.
    Mse,
    /// Binary cross-entropy on logits, one output, targets 0/1.
    BceLogits,
    /// Softmax cross-entropy over K outputs, targets class indices.
    SoftmaxCe,
    /// cs231n's multiclass SVM loss (margin 1), targets class indices.
    MulticlassHinge,
    /// micrograd's max(0, 1 − y·s), one output, targets ±1.
    MarginHinge,
}

impl Loss {
    /// The name used on the command line: `mse`, `bce`, `ce`, `svm`, `hinge`.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::BceLogits => "bce",
            Loss::SoftmaxCe => "ce",
            Loss::MulticlassHinge => "svm",
            Loss::MarginHinge => "hinge",
        }
    }

    /// Every loss, in the order the help lists them.
    pub const ALL: [Loss; 5] = [Loss::Mse, Loss::BceLogits, Loss::SoftmaxCe, Loss::MarginHinge, Loss::MulticlassHinge];

    /// The loss a command-line name stands for.
    pub fn from_name(name: &str) -> Option<Loss> {
        Loss::ALL.into_iter().find(|l| l.name() == name.trim().to_ascii_lowercase())
    }

    /// Whether the targets are class indices (one column) rather than values per output.
    pub fn takes_class_indices(self) -> bool {
        matches!(self, Loss::SoftmaxCe | Loss::MulticlassHinge)
    }
}

/// Checks shapes and target values before a loss node is made.
pub(crate) fn check<T: Real>(
    kind: Loss,
    scores: (usize, usize),
    targets: (usize, usize),
    t: &[T],
) -> Result<(), TensorError> {
    let (n, k) = scores;
    let want = match kind {
        Loss::Mse => (n, k),
        _ => (n, 1),
    };
    let one_output = matches!(kind, Loss::BceLogits | Loss::MarginHinge);
    if targets != want || (one_output && k != 1) || k == 0 {
        return Err(TensorError::ShapeMismatch { op: kind.name(), lhs: scores, rhs: targets });
    }
    for (row, &v) in t.iter().enumerate() {
        let v = v.as_f64();
        let ok = match kind {
            Loss::Mse => v.is_finite(),
            Loss::BceLogits => (0.0..=1.0).contains(&v),
            Loss::MarginHinge => v == 1.0 || v == -1.0,
            Loss::SoftmaxCe | Loss::MulticlassHinge => v >= 0.0 && v.fract() == 0.0 && (v as usize) < k,
        };
        if !ok {
            let expected = match kind {
                Loss::Mse => "a finite number".to_string(),
                Loss::BceLogits => "a number in [0, 1]".to_string(),
                Loss::MarginHinge => "-1 or +1".to_string(),
                _ => format!("a class index in 0..{k}"),
            };
            return Err(TensorError::BadTarget { loss: kind.name(), row, value: v, expected });
        }
    }
    Ok(())
}

/// The loss value, averaged over the batch (0 for an empty batch).
pub(crate) fn forward<T: Real>(kind: Loss, s: &[T], t: &[T], n: usize, k: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let f = |x: T| x.as_f64();
    let total: f64 = match kind {
        Loss::Mse => s.iter().zip(t).map(|(&a, &b)| (f(a) - f(b)).powi(2)).sum::<f64>() / k as f64,
        Loss::BceLogits => s.iter().zip(t).map(|(&z, &y)| bce(f(z), f(y))).sum(),
        Loss::MarginHinge => s.iter().zip(t).map(|(&z, &y)| (1.0 - f(y) * f(z)).max(0.0)).sum(),
        Loss::SoftmaxCe => s
            .chunks_exact(k)
            .zip(t)
            .map(|(row, &y)| {
                let m = row.iter().map(|&v| f(v)).fold(f64::NEG_INFINITY, f64::max);
                let lse = row.iter().map(|&v| (f(v) - m).exp()).sum::<f64>().ln() + m;
                lse - f(row[f(y) as usize])
            })
            .sum(),
        Loss::MulticlassHinge => s
            .chunks_exact(k)
            .zip(t)
            .map(|(row, &y)| {
                let y = f(y) as usize;
                let sy = f(row[y]);
                row.iter().enumerate().filter(|&(j, _)| j != y).map(|(_, &v)| (f(v) - sy + 1.0).max(0.0)).sum::<f64>()
            })
            .sum(),
    };
    total / n as f64
}

/// max(z, 0) − z·y + log(1 + e^(−|z|)), BCEWithLogits' stable form.
fn bce(z: f64, y: f64) -> f64 {
    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
}

/// gs (+)= up · ∂L/∂s.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward<T: Real>(kind: Loss, s: &[T], t: &[T], n: usize, k: usize, up: T, gs: &mut [T], acc: bool) {
    if n == 0 {
        return;
    }
    let scale = up / T::from_usize(n);
    if !acc {
        gs.iter_mut().for_each(|g| *g = T::zero());
    }
    let (zero, one) = (T::zero(), T::one());
    match kind {
        Loss::Mse => {
            let c = scale * T::from_f64(2.0) / T::from_usize(k);
            for ((g, &a), &b) in gs.iter_mut().zip(s).zip(t) {
                *g += c * (a - b);
            }
        }
        Loss::BceLogits => {
            for ((g, &z), &y) in gs.iter_mut().zip(s).zip(t) {
                *g += scale * (crate::scalar::Unary::Sigmoid.forward(z) - y);
            }
        }
        Loss::MarginHinge => {
            for ((g, &z), &y) in gs.iter_mut().zip(s).zip(t) {
                if one - y * z > zero {
                    *g -= scale * y;
                }
            }
        }
        Loss::SoftmaxCe => {
            for ((grow, row), &y) in gs.chunks_exact_mut(k).zip(s.chunks_exact(k)).zip(t) {
                let m = row.iter().copied().fold(T::neg_infinity(), T::max);
                let sum: T = row.iter().map(|&v| (v - m).exp()).sum();
                for (j, (g, &v)) in grow.iter_mut().zip(row).enumerate() {
                    let p = (v - m).exp() / sum;
                    let onehot = if j == y.as_f64() as usize { one } else { zero };
                    *g += scale * (p - onehot);
                }
            }
        }
        Loss::MulticlassHinge => {
            for ((grow, row), &y) in gs.chunks_exact_mut(k).zip(s.chunks_exact(k)).zip(t) {
                let y = y.as_f64() as usize;
                let sy = row[y];
                let mut count = zero;
                for ((j, g), &v) in grow.iter_mut().enumerate().zip(row) {
                    if j != y && v - sy + one > zero {
                        *g += scale;
                        count += one;
                    }
                }
                grow[y] -= scale * count;
            }
        }
    }
}
