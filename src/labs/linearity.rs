//! Without non-linearities (slide 67): a stack of linear layers y = W_L(⋯(W₁x + b₁)⋯) + b_L is one linear layer,
//!
//! ```text
//! W′ = W_L ⋯ W₂ W₁,    b′ = W_L ⋯ W₂ b₁ + ⋯ + W_L b_{L−1} + b_L
//! ```
//!
//! so its decision boundary y = 0 is the line W′x + b′ = 0 however deep the stack. The same weights with an
//! activation between the layers bend it. Inputs are 2-D, the output one number; weights are small integers drawn
//! from the seed so that W′ can be worked out by hand. O(L · width²) for the collapse, O(points · L · width²) for a
//! grid.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{Lab, LabError, in_range, index_after};
use crate::scalar::Unary;

/// The most layers and units of the stack.
pub const MAX_DEPTH: usize = 8;
/// See [`MAX_DEPTH`].
pub const MAX_WIDTH: usize = 8;

/// One layer: `rows` outputs from `cols` inputs, W row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// W, `rows × cols`.
    pub w: Vec<f64>,
    /// b, `rows`.
    pub b: Vec<f64>,
    /// Outputs.
    pub rows: usize,
    /// Inputs.
    pub cols: usize,
}

impl Layer {
    /// W·x + b.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        (0..self.rows)
            .map(|r| self.b[r] + (0..self.cols).map(|c| self.w[r * self.cols + c] * x[c]).sum::<f64>())
            .collect()
    }
}

/// The lab's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Linear layers.
    pub depth: usize,
    /// Units of each hidden layer.
    pub width: usize,
    /// Seeds the integer weights.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { depth: 2, width: 2, seed: 0 }
    }
}

/// The stack's layers: integer weights in [−2, 2], integer biases in [−1, 1].
pub fn layers(s: &Settings) -> Vec<Layer> {
    let mut rng = StdRng::seed_from_u64(s.seed);
    let sizes: Vec<usize> = std::iter::once(2).chain((1..s.depth).map(|_| s.width)).chain(std::iter::once(1)).collect();
    sizes
        .windows(2)
        .map(|p| {
            let (cols, rows) = (p[0], p[1]);
            let w = (0..rows * cols).map(|_| rng.random_range(-2..=2) as f64).collect();
            let b = (0..rows).map(|_| rng.random_range(-1..=1) as f64).collect();
            Layer { w, b, rows, cols }
        })
        .collect()
}

/// W′ and b′: the one layer the stack equals.
pub fn collapse(layers: &[Layer]) -> Layer {
    let first = &layers[0];
    let mut acc = first.clone();
    for l in &layers[1..] {
        // W ← Wₗ·W (rows_l × cols), b ← Wₗ·b + bₗ
        let w = (0..l.rows)
            .flat_map(|r| {
                let acc = &acc;
                (0..acc.cols).map(move |c| (0..l.cols).map(|k| l.w[r * l.cols + k] * acc.w[k * acc.cols + c]).sum())
            })
            .collect();
        let b = l.apply(&acc.b);
        acc = Layer { w, b, rows: l.rows, cols: acc.cols };
    }
    acc
}

/// The stack's output at `x`, with `act` after every layer but the last (`None`: purely linear).
pub fn forward(layers: &[Layer], act: Option<Unary>, x: [f64; 2]) -> f64 {
    let mut h = x.to_vec();
    for (i, l) in layers.iter().enumerate() {
        h = l.apply(&h);
        if let (Some(a), true) = (act, i + 1 < layers.len()) {
            h.iter_mut().for_each(|v| *v = a.forward(*v));
        }
    }
    h[0]
}

/// The outputs on an `n × n` grid over [−extent, extent]², row by row from the top (y = +extent) down.
pub fn grid(layers: &[Layer], act: Option<Unary>, n: usize, extent: f64) -> Vec<f64> {
    let at = |i: usize| -extent + 2.0 * extent * (i as f64 + 0.5) / n as f64;
    (0..n)
        .flat_map(|r| (0..n).map(move |c| (at(c), at(n - 1 - r))))
        .map(|(x, y)| forward(layers, act, [x, y]))
        .collect()
}

const LAB: &str = "linearity";

impl Lab for Settings {
    fn id(&self) -> &'static str {
        LAB
    }

    fn quantities(&self) -> &'static str {
        "w_prime:1, w_prime:2 (W′'s entries) and b_prime"
    }

    fn check(&self) -> Result<(), LabError> {
        in_range(LAB, "depth", self.depth, 1, MAX_DEPTH)?;
        in_range(LAB, "width", self.width, 1, MAX_WIDTH)
    }

    fn hint(&self, _name: &str) -> String {
        "multiply the matrices from the last layer down, W′ = W_L⋯W₁ (row times column), and carry each bias through the layers after it".into()
    }

    fn quantity(&self, name: &str) -> Result<f64, LabError> {
        let c = collapse(&layers(self));
        if name == "b_prime" {
            return Ok(c.b[0]);
        }
        index_after(name, "w_prime", 2).map(|i| c.w[i - 1]).ok_or_else(|| LabError::UnknownQuantity {
            lab: LAB,
            name: name.to_owned(),
            known: self.quantities(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_layers_by_hand() {
        // W₁ = [[1, 2], [0, −1]], b₁ = [1, 0]; W₂ = [[3, 1]], b₂ = [−1]
        // W′ = W₂W₁ = [3·1 + 1·0, 3·2 + 1·(−1)] = [3, 5];  b′ = W₂b₁ + b₂ = 3 − 1 = 2
        let l = vec![
            Layer { w: vec![1.0, 2.0, 0.0, -1.0], b: vec![1.0, 0.0], rows: 2, cols: 2 },
            Layer { w: vec![3.0, 1.0], b: vec![-1.0], rows: 1, cols: 2 },
        ];
        let c = collapse(&l);
        assert_eq!((c.w.clone(), c.b.clone()), (vec![3.0, 5.0], vec![2.0]));
        // at x = (1, 1): layer 1 gives (4, −1), layer 2 gives 12 − 1 − 1 = 10 = 3 + 5 + 2
        assert_eq!(forward(&l, None, [1.0, 1.0]), 10.0);
        assert_eq!(c.apply(&[1.0, 1.0]), vec![10.0]);
    }

    #[test]
    fn any_stack_equals_its_collapse_and_its_boundary_is_a_line() {
        for (depth, width, seed) in [(1, 3, 0), (3, 4, 1), (6, 5, 2), (8, 8, 3)] {
            let s = Settings { depth, width, seed };
            let l = layers(&s);
            assert_eq!(l.len(), depth);
            let c = collapse(&l);
            for p in [[0.3, -1.7], [2.0, 2.5], [-3.0, 0.1]] {
                let (a, b) = (forward(&l, None, p), c.apply(&p)[0]);
                assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{a} vs {b}");
            }
            // on the line W′x + b′ = 0 the deep stack outputs 0
            if c.w[1] != 0.0 {
                for x in [-2.0, 0.0, 3.0] {
                    let y = -(c.b[0] + c.w[0] * x) / c.w[1];
                    assert!(forward(&l, None, [x, y]).abs() <= 1e-9 * (c.w[0].abs() + c.w[1].abs() + 1.0));
                }
            }
        }
    }

    #[test]
    fn quantities_and_limits() {
        let s = Settings::default();
        let c = collapse(&layers(&s));
        assert_eq!(s.quantity("w_prime:2").unwrap(), c.w[1]);
        assert_eq!(s.quantity("b_prime").unwrap(), c.b[0]);
        assert!(s.quantity("w_prime:3").is_err());
        assert!(Settings { depth: 9, ..s }.check().is_err());
    }
}
