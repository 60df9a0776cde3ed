//! What a classifier gets wrong, for data with more than two features (digits, a wide CSV), where no plane can be
//! drawn: the confusion matrix (row = the true class, column = the predicted one, as scikit-learn's
//! `confusion_matrix`), the rows it misclassifies, and the first layer's weights as pictures when the input is an
//! image (d = side², as the 8×8 digits): unit u's picture is row u of the first Linear's weight (out × in), pixel
//! (r, c) = W[u][r·side + c]. cs231n shows the same pictures for a linear classifier's templates.
//!
//! Cost: one forward pass over the rows in evaluation mode, in chunks of [`Mlp::eval_rows`]: O(n · parameters).

use super::{Mlp, MlpLayer, Mode, NnError};
use crate::data::Dataset;
use crate::tensor::Element;

/// A confusion matrix and the rows behind its off-diagonal cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Confusion {
    /// Classes (the matrix is classes × classes).
    pub classes: usize,
    /// `counts[t * classes + p]`: rows of true class t predicted as p.
    pub counts: Vec<usize>,
    /// The misclassified rows, in the data's order: (row, true class, predicted class).
    pub wrong: Vec<(usize, usize, usize)>,
}

impl Confusion {
    /// Rows of true class `t` predicted as `p`.
    pub fn count(&self, t: usize, p: usize) -> usize {
        self.counts[t * self.classes + p]
    }

    /// The share of rows on the diagonal (NaN for no rows).
    pub fn accuracy(&self) -> f64 {
        let total: usize = self.counts.iter().sum();
        let right: usize = (0..self.classes).map(|k| self.count(k, k)).sum();
        right as f64 / total as f64
    }
}

/// The network's confusion matrix on `data` (its rows as the network reads them), in evaluation mode.
pub fn confusion<T: Element>(mlp: &mut Mlp<T>, data: &Dataset) -> Result<Confusion, NnError> {
    let d = mlp.spec.inputs;
    if data.d != d {
        return Err(NnError::Size { what: "the data's column count (features)", got: data.d });
    }
    let classes = data.classes().max(mlp.spec.outputs).max(2);
    let mut counts = vec![0; classes * classes];
    let mut wrong = Vec::new();
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
    let rows = mlp.eval_rows(256);
    let mut pred = Vec::new();
    for (chunk, (xc, yc)) in data.x.chunks(rows * d).zip(data.y.chunks(rows)).enumerate() {
        let x: Vec<T> = xc.iter().map(|&v| T::from_f64(v)).collect();
        let scores = mlp.forward(&x, yc.len(), Mode::Eval, &mut rng)?;
        mlp.classify(mlp.tape.value(scores), &mut pred);
        for (i, (&t, &p)) in yc.iter().zip(&pred).enumerate() {
            if t < classes && p < classes {
                counts[t * classes + p] += 1;
            }
            if t != p {
                wrong.push((chunk * rows + i, t, p));
            }
        }
    }
    Ok(Confusion { classes, counts, wrong })
}

/// The side of the square picture `inputs` values make (8 for 64), if they make one (at least 2 × 2).
pub fn image_side(inputs: usize) -> Option<usize> {
    let side = (inputs as f64).sqrt().round() as usize;
    (side >= 2 && side * side == inputs).then_some(side)
}

/// Each first-layer unit's weights as a side × side picture (row-major), when the input is one ([`image_side`]);
/// None otherwise, or for a network whose first layer is not a Linear.
pub fn first_layer_images<T: Element>(mlp: &Mlp<T>) -> Option<(usize, Vec<Vec<f32>>)> {
    let side = image_side(mlp.spec.inputs)?;
    let Some(MlpLayer::Linear { weight, .. }) = mlp.layers.first() else { return None };
    let store = mlp.params();
    let e = store.entry(*weight);
    let w = &store.values()[e.range()];
    Some((side, w.chunks_exact(e.cols).map(|row| row.iter().map(|v| v.as_f64() as f32).collect()).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::MlpSpec;
    use crate::scalar::Unary;
    use crate::tensor::Loss;

    #[test]
    fn the_matrix_counts_what_the_network_predicts() {
        // a linear model with one output, weights (1, 0), bias 0: class 1 where x > 0
        let spec = MlpSpec::classifier(2, &[], 2, Unary::Tanh, Loss::BceLogits).expect("valid");
        let mut mlp = Mlp::<f64>::new(&spec, 0).expect("valid");
        mlp.params_mut().values_mut().copy_from_slice(&[1.0, 0.0, 0.0]);
        let data = Dataset {
            // x: 2, −1, 3, −4, 5 → predicted 1, 0, 1, 0, 1
            x: vec![2.0, 0.0, -1.0, 0.0, 3.0, 9.0, -4.0, 1.0, 5.0, -2.0],
            y: vec![1, 1, 0, 0, 1],
            d: 2,
            feature_names: vec!["x".into(), "y".into()],
            class_names: vec!["-1".into(), "+1".into()],
            targets: Vec::new(),
        };
        let c = confusion(&mut mlp, &data).expect("evaluates");
        // true 0: rows 2 (→1), 3 (→0); true 1: rows 0 (→1), 1 (→0), 4 (→1)
        assert_eq!(c.counts, vec![1, 1, 1, 2]);
        assert_eq!(c.wrong, vec![(1, 1, 0), (2, 0, 1)]);
        assert!((c.accuracy() - 0.6).abs() < 1e-12);
        let wide = Dataset { d: 1, x: vec![0.0; 5], ..data };
        assert!(confusion(&mut mlp, &wide).is_err());
    }

    #[test]
    fn digits_weights_are_8_by_8_pictures_and_the_matrix_sums_to_the_rows() {
        assert_eq!((image_side(64), image_side(63), image_side(1), image_side(784)), (Some(8), None, None, Some(28)));
        let data = crate::data::generate("digits", 0, 0.0, 0).expect("bundled");
        let spec = MlpSpec::classifier(64, &[5], 10, Unary::Relu, Loss::SoftmaxCe).expect("valid");
        let mut mlp = Mlp::<f32>::new(&spec, 1).expect("valid");
        let (side, pics) = first_layer_images(&mlp).expect("an image input");
        assert_eq!((side, pics.len(), pics[0].len()), (8, 5, 64));
        // unit 3's pixel (2, 5) is W[3][2·8 + 5] of the flat out × in weight
        assert_eq!(pics[3][21], mlp.params().values()[3 * 64 + 21]);
        let c = confusion(&mut mlp, &data).expect("evaluates");
        assert_eq!(c.counts.iter().sum::<usize>(), data.n());
        assert_eq!(c.wrong.len(), data.n() - (0..10).map(|k| c.count(k, k)).sum::<usize>());
        // each misclassified row's cell counts it
        for &(row, t, p) in &c.wrong {
            assert_eq!(data.y[row], t);
            assert!(c.count(t, p) > 0 && t != p);
        }
        let two = MlpSpec::classifier(2, &[3], 2, Unary::Tanh, Loss::BceLogits).expect("valid");
        assert!(first_layer_images(&Mlp::<f32>::new(&two, 0).expect("valid")).is_none());
    }
}
