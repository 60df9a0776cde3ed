//! Health monitors of a network in training, cs231n's "babysitting the learning process", per hidden layer:
//!
//! ```text
//! dead        the share of ReLU-like units (relu, and leaky ReLU's flat side) that are ≤ 0 on every sample row
//! saturated   the share of tanh / sigmoid outputs in their flat tails: |tanh| > 0.97, σ < 0.03 or σ > 0.97
//!             (there the local derivative 1 − tanh² or σ(1 − σ) is below 0.06: gradients barely pass)
//! act std     the standard deviation of the layer's outputs over the rows and units
//! grad std    the standard deviation of ∂loss/∂output of the layer (the mean data loss of the rows)
//! update      ‖ΔW‖ / ‖W‖ of the layer's weights over the latest step; about 1e-3 is healthy
//! ```
//!
//! Everything comes from one evaluation-mode forward and backward pass of the sample rows on the tensor tape,
//! O(rows · parameters); the update ratio from the weights before and after a step, O(parameters).

use super::{Mlp, MlpLayer, NnError};
use crate::data::Dataset;
use crate::scalar::Unary;
use crate::tensor::Element;

/// One hidden layer's monitors.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerHealth {
    /// 1-based hidden layer.
    pub layer: usize,
    /// Its activation.
    pub activation: Unary,
    /// The share of units never active on the rows (ReLU-like activations only).
    pub dead: Option<f64>,
    /// The share of outputs in the flat tails (tanh and sigmoid only).
    pub saturated: Option<f64>,
    /// Standard deviation of the outputs.
    pub act_std: f64,
    /// Standard deviation of the loss's gradient with respect to the outputs.
    pub grad_std: f64,
    /// ‖ΔW‖/‖W‖ of the linear layer feeding it, over the latest step (NaN when unknown).
    pub update_ratio: f64,
}

/// What a bad value of each monitor means, one line each, in the order of [`LayerHealth`]'s fields.
pub const MEANINGS: &[(&str, &str)] = &[
    (
        "dead",
        "units that output 0 for every input learn nothing (their gradient is 0): lower the learning rate, or use leaky ReLU",
    ),
    (
        "saturated",
        "units stuck at ±1 (tanh) or 0/1 (sigmoid) pass almost no gradient: smaller initial weights or a lower learning rate",
    ),
    (
        "act std",
        "near 0: the signal dies out layer by layer; large: units saturate. Xavier/He initialization keeps it about constant",
    ),
    (
        "grad std",
        "near 0 in the first layers: vanishing gradients (too deep, saturated); huge: exploding, lower the learning rate",
    ),
    (
        "update",
        "|ΔW|/|W| per step: about 1e-3 is healthy; 1e-5 learns too slowly (raise the learning rate), 1e-1 is too fast",
    ),
];

/// Rows of a training set the monitors look at (its first ones): enough for a fraction of dead units to read in
/// percent, few enough for a frame.
pub const MONITOR_ROWS: usize = 256;

/// [`layer_health`] on the first [`MONITOR_ROWS`] rows of `set` (its labels, or its values for a regression).
pub fn layer_health_on<T: Element>(
    mlp: &mut Mlp<T>,
    set: &Dataset,
    ratios: &[f64],
) -> Result<Vec<LayerHealth>, NnError> {
    let n = set.n().min(MONITOR_ROWS);
    let x: Vec<T> = set.x[..n * set.d].iter().map(|&v| T::from_f64(v)).collect();
    let values = &set.targets[..if set.is_regression() { n } else { 0 }];
    layer_health(mlp, &x, &set.y[..n], values, ratios)
}

/// The monitors of every hidden layer on rows `x` (n × inputs) with class `labels` (or, for a regression set, the
/// real-valued `values`, one per row; empty for classes), and the update ratios of the latest step (one per linear
/// layer, from [`update_ratios`]; may be empty). The parameters' gradients are overwritten.
pub fn layer_health<T: Element>(
    mlp: &mut Mlp<T>,
    x: &[T],
    labels: &[usize],
    values: &[f64],
    ratios: &[f64],
) -> Result<Vec<LayerHealth>, NnError> {
    let n = labels.len();
    let trace = mlp.activations(x, n)?;
    let scores = *trace.last().expect("a network has an output layer");
    let mut targets = Vec::new();
    if values.is_empty() {
        mlp.targets(labels, &mut targets);
    } else {
        targets.extend(values.iter().map(|&v| T::from_f64(v)));
    }
    let loss = mlp.data_loss(scores, &targets)?;
    mlp.tape.backward(loss)?;
    let mut out = Vec::new();
    for (k, layer) in mlp.layers.iter().enumerate() {
        let MlpLayer::Activation(u) = *layer else { continue };
        let h = trace[k];
        let (rows, cols) = mlp.tape.shape(h);
        let v: Vec<f64> = mlp.tape.value(h).iter().map(|a| a.as_f64()).collect();
        let g: Vec<f64> = mlp.tape.grad(h).map(|g| g.iter().map(|a| a.as_f64()).collect()).unwrap_or_default();
        let dead = matches!(u, Unary::Relu | Unary::LeakyRelu).then(|| {
            let never = (0..cols).filter(|&c| (0..rows).all(|r| v[r * cols + c] <= 0.0)).count();
            never as f64 / cols.max(1) as f64
        });
        let saturated = match u {
            Unary::Tanh => Some(share(&v, |a| a.abs() > 0.97)),
            Unary::Sigmoid => Some(share(&v, |a| !(0.03..=0.97).contains(&a))),
            _ => None,
        };
        let layer = out.len() + 1;
        out.push(LayerHealth {
            layer,
            activation: u,
            dead,
            saturated,
            act_std: std(&v),
            grad_std: std(&g),
            update_ratio: ratios.get(layer - 1).copied().unwrap_or(f64::NAN),
        });
    }
    Ok(out)
}

/// ‖W − W_before‖ / ‖W‖ of each linear layer's weight matrix (biases left out, as cs231n), `before` being every
/// parameter, flat, as the store holds them. NaN for a layer of zero weights.
pub fn update_ratios<T: Element>(mlp: &Mlp<T>, before: &[T]) -> Vec<f64> {
    let store = mlp.params();
    let now = store.values();
    (mlp.layers.iter())
        .filter_map(|l| match l {
            MlpLayer::Linear { weight, .. } => Some(store.entry(*weight).range()),
            _ => None,
        })
        .map(|r| {
            let (mut dw, mut w) = (0.0, 0.0);
            for (a, b) in now[r.clone()].iter().zip(&before[r]) {
                let (a, b) = (a.as_f64(), b.as_f64());
                dw += (a - b) * (a - b);
                w += a * a;
            }
            if w > 0.0 { (dw / w).sqrt() } else { f64::NAN }
        })
        .collect()
}

fn share(v: &[f64], f: impl Fn(f64) -> bool) -> f64 {
    v.iter().filter(|&&a| f(a)).count() as f64 / v.len().max(1) as f64
}

/// Population standard deviation (0 for no values).
fn std(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|a| (a - mean) * (a - mean)).sum::<f64>() / n).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::MlpSpec;
    use crate::tensor::Loss;

    /// A 1-2-1 network with chosen weights: w1 = (a, b) into two units, bias c.
    fn net(u: Unary, w1: [f64; 2], b1: [f64; 2]) -> Mlp<f64> {
        let spec = MlpSpec::classifier(1, &[2], 2, u, Loss::BceLogits).expect("valid");
        let mut mlp = Mlp::<f64>::new(&spec, 0).expect("valid");
        // store order: 0.weight (2×1), 0.bias (1×2), 2.weight (1×2), 2.bias (1)
        mlp.params_mut().values_mut().copy_from_slice(&[w1[0], w1[1], b1[0], b1[1], 1.0, -1.0, 0.0]);
        mlp
    }

    #[test]
    fn dead_relus_and_saturated_tanh() {
        // unit 0: relu(x − 10) is 0 on x ∈ {−1, 0, 1, 2}: dead; unit 1: relu(x) is 1 and 2 on two rows: alive
        let mut m = net(Unary::Relu, [1.0, 1.0], [-10.0, 0.0]);
        let h = layer_health(&mut m, &[-1.0, 0.0, 1.0, 2.0], &[0, 0, 1, 1], &[], &[]).expect("runs");
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].dead, Some(0.5));
        assert_eq!(h[0].saturated, None);
        // outputs: unit 0 all 0, unit 1 0, 0, 1, 2: mean 3/8, Σ(a−μ)² = 6·(9/64) + (25/64) + (169/64) = 248/64
        let want = (248.0f64 / 64.0 / 8.0).sqrt();
        assert!((h[0].act_std - want).abs() < 1e-12);
        assert!(h[0].update_ratio.is_nan());
        // tanh(10x): saturated wherever |10x| > atanh(0.97) ≈ 2.09, i.e. on x = ±1 and 2; tanh(0.01x) never
        let mut m = net(Unary::Tanh, [10.0, 0.01], [0.0, 0.0]);
        let h = layer_health(&mut m, &[-1.0, 0.0, 1.0, 2.0], &[0, 0, 1, 1], &[], &[]).expect("runs");
        // 3 of the 8 outputs
        assert_eq!(h[0].saturated, Some(3.0 / 8.0));
        assert_eq!(h[0].dead, None);
        assert!(h[0].grad_std > 0.0);
    }

    #[test]
    fn the_update_ratio_is_the_weights_relative_change() {
        let m = net(Unary::Tanh, [3.0, 4.0], [0.0, 0.0]);
        let mut before = m.params().values().to_vec();
        // layer 1's weights were (3, 4.05): ‖ΔW‖ = 0.05, ‖W‖ = 5; layer 2's unchanged
        before[1] = 4.05;
        let r = update_ratios(&m, &before);
        assert_eq!(r.len(), 2);
        assert!((r[0] - 0.01).abs() < 1e-12, "{r:?}");
        assert_eq!(r[1], 0.0);
    }
}
