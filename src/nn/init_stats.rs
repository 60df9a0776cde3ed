//! The lecture's weight-initialization experiment (slides 93-98): a 1000 × 500 standard-normal input through `depth`
//! layers of `width` units, no bias, H = act(H·W) with W drawn by the initializer, and the mean and standard
//! deviation of every layer's activations. On the way back, a standard-normal upstream gradient at the last layer
//! is propagated down and each layer's gradient spread reported too, which shows vanishing and exploding gradients.
//!
//! Runs on the tensor tape in f64. O(depth · samples · width²).

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::{Field, Init, NnError};
use crate::scalar::Unary;
use crate::tensor::{NodeId, ParamStore, Tape};

/// Bins of each layer's histogram.
pub const BINS: usize = 40;

/// One layer's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    /// 1-based layer number.
    pub layer: usize,
    /// Mean of the layer's activations.
    pub mean: f64,
    /// Standard deviation of the layer's activations (population).
    pub std: f64,
    /// Standard deviation of ∂L/∂activation on the way back.
    pub grad_std: f64,
    /// Counts of the activations in [`BINS`] equal bins over `[hist_min, hist_max]`.
    pub hist: Vec<u32>,
    /// Lower end of the histogram.
    pub hist_min: f64,
    /// Upper end of the histogram.
    pub hist_max: f64,
}

/// Runs the experiment.
pub fn run(
    activation: Unary,
    init: Init,
    depth: usize,
    width: usize,
    samples: usize,
    seed: u64,
) -> Result<Vec<LayerStats>, NnError> {
    for (field, v) in [(Field::Depth, depth), (Field::Width, width), (Field::Samples, samples)] {
        if v == 0 {
            return Err(NnError::setting(field, 0, "must be at least 1"));
        }
    }
    if depth * width * width > 500_000_000 || samples * width > 50_000_000 {
        return Err(NnError::Size {
            what: "a size this tool can run in memory (depth·width² ≤ 5·10⁸, samples·width ≤ 5·10⁷); got",
            got: depth * width * width,
        });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut randn = |n: usize| -> Vec<f64> { (0..n).map(|_| StandardNormal.sample(&mut rng)).collect() };
    let x = randn(samples * width);
    let mut params = ParamStore::<f64>::new();
    let mut ws = Vec::new();
    let mut wrng = StdRng::seed_from_u64(seed.wrapping_add(1));
    for l in 0..depth {
        let (w, _) = init.draw(&mut wrng, width, width);
        ws.push(params.add(format!("{l}.weight"), width, width, &w, true));
    }
    let upstream = randn(samples * width);
    let mut tape = Tape::new(params);
    let mut h = tape.input(&x, samples, width)?;
    let mut acts: Vec<NodeId> = Vec::new();
    for &w in &ws {
        let wn = tape.param(w);
        let z = tape.matmul(h, wn, false, true)?;
        h = tape.map(activation, z)?;
        acts.push(h);
    }
    let g = tape.input(&upstream, samples, width)?;
    let prod = tape.mul(h, g)?;
    let loss = tape.sum(prod)?;
    tape.backward(loss)?;
    Ok(acts
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            let v = tape.value(a);
            let (mean, std) = moments(v);
            let (_, grad_std) = moments(tape.grad(a).expect("every layer is on the path to the loss"));
            let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, lo + 0.5) };
            let mut hist = vec![0u32; BINS];
            for &x in v {
                let b = (((x - lo) / (hi - lo)) * BINS as f64) as usize;
                hist[b.min(BINS - 1)] += 1;
            }
            LayerStats { layer: i + 1, mean, std, grad_std, hist, hist_min: lo, hist_max: hi }
        })
        .collect())
}

fn moments(x: &[f64]) -> (f64, f64) {
    let n = x.len().max(1) as f64;
    let mean = x.iter().sum::<f64>() / n;
    (mean, (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_weights_vanish_and_xavier_keeps_tanh_alive() {
        // slide 94: std 0.01 collapses toward zero layer after layer; slide 96: Xavier keeps a spread
        let tiny = run(Unary::Tanh, Init::Std(0.01), 4, 100, 200, 1).expect("runs");
        assert!(tiny[3].std < tiny[0].std * 0.01, "{:?}", tiny.iter().map(|l| l.std).collect::<Vec<_>>());
        let xavier = run(Unary::Tanh, Init::Xavier, 4, 100, 200, 1).expect("runs");
        assert!(xavier[3].std > 0.3, "{:?}", xavier.iter().map(|l| l.std).collect::<Vec<_>>());
        assert_eq!(xavier[0].hist.iter().sum::<u32>(), 200 * 100);
        assert!(run(Unary::Tanh, Init::Xavier, 0, 10, 10, 1).is_err());
    }
}
