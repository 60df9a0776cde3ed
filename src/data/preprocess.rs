//! Preprocessing as the lecture gives it (slides 88-89, after cs231n's "Data Preprocessing"), fitted on the training
//! part and applied unchanged to the test part and to any later point:
//!
//! ```text
//! μ_j = (1/n) Σ_i x_ij                                 per-feature mean
//! σ_j = √((1/n) Σ_i (x_ij − μ_j)²)                     population std; a constant feature gets σ = 1 and stays 0
//! Σ   = (1/n) Σ_i (x_i − μ)(x_i − μ)ᵀ = U Λ Uᵀ          covariance, λ_1 ≥ λ_2 ≥ … ≥ λ_d ≥ 0
//!
//! none          x' = x
//! standardize   x'_j = (x_j − μ_j) / σ_j               zero mean, unit variance per feature
//! pca           x'_k = u_kᵀ (x − μ)                    decorrelated: Cov(x') = Λ, diagonal
//! whiten        x'_k = u_kᵀ (x − μ) / √(λ_k + ε)        Cov(x') = Λ / (Λ + ε) ≈ I, ε = 1e-5 (cs231n's)
//! ```
//!
//! ε keeps a direction with (almost) no variance from being blown up to unit variance: its whitened coordinate is
//! u_kᵀ(x − μ)/√ε, so noise at 1e-3 in it becomes a feature of size 0.3, not a division by zero.
//!
//! `components` holds u_1 … u_d as rows (so pca is `X_centered · componentsᵀ`). An eigenvector's sign is arbitrary;
//! each is flipped so that its largest-magnitude entry is positive (scikit-learn's `svd_flip` convention), which makes
//! the output reproducible. Fitting costs O(n·d² + d³) (faer's self-adjoint eigensolver for the d³); applying, O(d²) a
//! row for pca/whiten and O(d) for standardize.

use std::fmt;
use std::str::FromStr;

use faer::{Mat, Side};
use serde::{Deserialize, Serialize};

use super::{DataError, Dataset};

/// cs231n's ε in whitening: x'_k = u_kᵀ(x − μ) / √(λ_k + ε).
pub const WHITEN_EPS: f64 = 1e-5;

/// Which preprocessing to fit.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Preprocess {
    /// The features as they are.
    #[default]
    None,
    /// (x − μ)/σ per feature.
    Standardize,
    /// Centred and rotated onto the covariance's eigenvectors.
    Pca,
    /// PCA, then each coordinate divided by √(λ + ε).
    Whiten,
}

impl Preprocess {
    /// The names [`FromStr`] takes, in order.
    pub const NAMES: [&'static str; 4] = ["none", "standardize", "pca", "whiten"];

    fn name(self) -> &'static str {
        match self {
            Preprocess::None => "none",
            Preprocess::Standardize => "standardize",
            Preprocess::Pca => "pca",
            Preprocess::Whiten => "whiten",
        }
    }
}

/// `none`, `standardize`, `pca` or `whiten`.
impl fmt::Display for Preprocess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `none`, `standardize`, `pca`, `whiten`, ignoring case and surrounding spaces.
impl FromStr for Preprocess {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_lowercase();
        [Preprocess::None, Preprocess::Standardize, Preprocess::Pca, Preprocess::Whiten]
            .into_iter()
            .find(|p| p.name() == key)
            .ok_or_else(|| DataError::UnknownPreprocess {
                suggestion: super::error::did_you_mean(&key, Preprocess::NAMES),
                name: s.trim().to_owned(),
            })
    }
}

/// A preprocessing fitted on a training set: its statistics, to apply to any data of the same width.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Fitted {
    /// Which transform [`apply`](Fitted::apply) performs.
    pub kind: Preprocess,
    /// μ, the training mean of each feature (computed for every kind; `none` does not use it).
    pub mean: Vec<f64>,
    /// σ, the training population std of each feature, 1 for a constant one (used by `standardize` only).
    pub std: Vec<f64>,
    /// d × d row-major, row k = the eigenvector u_k of the k-th largest eigenvalue; empty unless pca or whiten.
    pub components: Vec<f64>,
    /// λ_1 ≥ … ≥ λ_d, the covariance's eigenvalues (the variance along each component); empty unless pca or whiten.
    pub eigenvalues: Vec<f64>,
}

impl Fitted {
    /// Fits `kind` on the training rows. A training set with no rows gives μ = 0, σ = 1 and the identity rotation.
    pub fn fit(train: &Dataset, kind: Preprocess) -> Fitted {
        let (n, d) = (train.n(), train.d);
        let rows = || (0..n).map(|i| train.row(i));
        let mut mean = vec![0.0; d];
        let mut std = vec![1.0; d];
        if n > 0 {
            for row in rows() {
                mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
            }
            mean.iter_mut().for_each(|m| *m /= n as f64);
            for j in 0..d {
                let first = train.row(0)[j];
                if rows().all(|r| r[j] == first) {
                    // Exactly constant: μ is that value (a computed mean might miss it by an ulp and turn the
                    // feature into ±1e-17/1e-18 noise), σ = 1, so the feature stays 0.
                    mean[j] = first;
                } else {
                    let var = rows().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n as f64;
                    std[j] = var.sqrt();
                }
            }
        }
        let (components, eigenvalues) = match kind {
            Preprocess::Pca | Preprocess::Whiten => eigen(&covariance(train, &mean)),
            Preprocess::None | Preprocess::Standardize => (Vec::new(), Vec::new()),
        };
        Fitted { kind, mean, std, components, eigenvalues }
    }

    /// The number of features it was fitted on (and applies to).
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// `data` transformed, same shape and labels. Feature names are kept for none and standardize and become
    /// `pc1`, `pc2`, … for pca and whiten.
    ///
    /// # Panics
    /// If `data.d` differs from [`dim`](Fitted::dim); [`try_apply`](Fitted::try_apply) returns an error instead.
    pub fn apply(&self, data: &Dataset) -> Dataset {
        self.try_apply(data).unwrap_or_else(|e| panic!("Fitted::apply: {e}"))
    }

    /// [`apply`](Fitted::apply), refusing data of another width (a CSV with other columns than the training one).
    pub fn try_apply(&self, data: &Dataset) -> Result<Dataset, DataError> {
        let d = self.dim();
        if data.d != d {
            return Err(DataError::DimensionMismatch { expected: d, found: data.d });
        }
        let mut x = vec![0.0; data.n() * d];
        for i in 0..data.n() {
            self.apply_row(data.row(i), &mut x[i * d..(i + 1) * d]);
        }
        let feature_names = match self.kind {
            Preprocess::None | Preprocess::Standardize => data.feature_names.clone(),
            Preprocess::Pca | Preprocess::Whiten => (1..=d).map(|k| format!("pc{k}")).collect(),
        };
        Ok(Dataset {
            x,
            y: data.y.clone(),
            d,
            feature_names,
            class_names: data.class_names.clone(),
            targets: data.targets.clone(),
        })
    }

    /// One row transformed into `out`, without allocating (for a heat-map grid).
    ///
    /// # Panics
    /// If `x` or `out` is not [`dim`](Fitted::dim) long.
    pub fn apply_row(&self, x: &[f64], out: &mut [f64]) {
        let d = self.dim();
        assert!(
            x.len() == d && out.len() == d,
            "Fitted::apply_row: fitted on {d} features, given {} → {}",
            x.len(),
            out.len()
        );
        match self.kind {
            Preprocess::None => out.copy_from_slice(x),
            Preprocess::Standardize => {
                for j in 0..d {
                    out[j] = (x[j] - self.mean[j]) / self.std[j];
                }
            }
            Preprocess::Pca | Preprocess::Whiten => {
                for (k, o) in out.iter_mut().enumerate() {
                    let u = &self.components[k * d..(k + 1) * d];
                    *o = u.iter().zip(x).zip(&self.mean).map(|((u, x), m)| u * (x - m)).sum();
                    if self.kind == Preprocess::Whiten {
                        *o /= (self.eigenvalues[k] + WHITEN_EPS).sqrt();
                    }
                }
            }
        }
    }
}

/// The population covariance Σ = (1/n) Σ_i (x_i − μ)(x_i − μ)ᵀ of `data`'s features, d × d row-major (zero for no
/// rows): what the preprocessing lab shows at each stage. O(n·d²).
pub fn covariance_matrix(data: &Dataset) -> Vec<f64> {
    let mean = Fitted::fit(data, Preprocess::None).mean;
    let cov = covariance(data, &mean);
    let d = data.d;
    (0..d * d).map(|i| cov[(i / d, i % d)]).collect()
}

/// Σ = (1/n) Σ_i (x_i − μ)(x_i − μ)ᵀ, d × d; zero for n = 0.
fn covariance(data: &Dataset, mean: &[f64]) -> Mat<f64> {
    let (n, d) = (data.n(), data.d);
    let mut cov = Mat::<f64>::zeros(d, d);
    let mut centred = vec![0.0; d];
    for i in 0..n {
        centred.iter_mut().zip(data.row(i)).zip(mean).for_each(|((c, x), m)| *c = x - m);
        for a in 0..d {
            for b in 0..=a {
                cov[(a, b)] += centred[a] * centred[b];
            }
        }
    }
    for a in 0..d {
        for b in 0..=a {
            let v = if n > 0 { cov[(a, b)] / n as f64 } else { 0.0 };
            cov[(a, b)] = v;
            cov[(b, a)] = v;
        }
    }
    cov
}

/// (components as rows by decreasing eigenvalue, eigenvalues) of a symmetric matrix. Eigenvalues a rounding error
/// below zero are clamped to 0 (a variance cannot be negative). If the solver does not converge (only on non-finite
/// input, which the CSV loader and the generators never produce) the identity rotation and the diagonal are returned.
fn eigen(cov: &Mat<f64>) -> (Vec<f64>, Vec<f64>) {
    let d = cov.nrows();
    if d == 0 {
        return (Vec::new(), Vec::new());
    }
    let Ok(evd) = cov.self_adjoint_eigen(Side::Lower) else {
        let identity = (0..d * d).map(|i| f64::from(u8::from(i / d == i % d))).collect();
        return (identity, (0..d).map(|k| cov[(k, k)]).collect());
    };
    let (u, s) = (evd.U(), evd.S().column_vector());
    let mut components = Vec::with_capacity(d * d);
    let mut eigenvalues = Vec::with_capacity(d);
    // faer sorts the eigenvalues in nondecreasing order: walk them backwards.
    for k in (0..d).rev() {
        eigenvalues.push(s[k].max(0.0));
        let col: Vec<f64> = (0..d).map(|j| u[(j, k)]).collect();
        let largest = col.iter().fold(0.0f64, |best, &v| if v.abs() > best.abs() { v } else { best });
        let sign = if largest < 0.0 { -1.0 } else { 1.0 };
        components.extend(col.iter().map(|v| sign * v));
    }
    (components, eigenvalues)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use rand_distr::{Distribution, StandardNormal};

    fn table(x: Vec<f64>, d: usize) -> Dataset {
        let n = x.len() / d;
        Dataset {
            x,
            y: vec![0; n],
            d,
            feature_names: (0..d).map(|j| format!("f{j}")).collect(),
            class_names: vec!["0".into()],
            targets: Vec::new(),
        }
    }

    /// n points of a correlated 3-D Gaussian: a = z1, b = 2·z1 + 0.5·z2 + 3, c = −z1 + z2 + 0.5·z3 − 1.
    fn correlated(n: usize, seed: u64) -> Dataset {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut x = Vec::with_capacity(3 * n);
        for _ in 0..n {
            let z: [f64; 3] = std::array::from_fn(|_| StandardNormal.sample(&mut rng));
            x.extend([z[0], 2.0 * z[0] + 0.5 * z[1] + 3.0, -z[0] + z[1] + 0.5 * z[2] - 1.0]);
        }
        table(x, 3)
    }

    /// Population mean and covariance of a dataset's columns.
    fn stats(data: &Dataset) -> (Vec<f64>, Vec<Vec<f64>>) {
        let (n, d) = (data.n() as f64, data.d);
        let mean: Vec<f64> = (0..d).map(|j| (0..data.n()).map(|i| data.row(i)[j]).sum::<f64>() / n).collect();
        let cov = (0..d)
            .map(|a| {
                (0..d)
                    .map(|b| {
                        (0..data.n()).map(|i| (data.row(i)[a] - mean[a]) * (data.row(i)[b] - mean[b])).sum::<f64>() / n
                    })
                    .collect()
            })
            .collect();
        (mean, cov)
    }

    #[test]
    fn standardize_by_hand() {
        // Column 0: 1, 2, 3 → μ = 2, σ = √(2/3). Column 1: 10, 10, 10 → constant, σ = 1, stays 0.
        let data = table(vec![1.0, 10.0, 2.0, 10.0, 3.0, 10.0], 2);
        let fit = Fitted::fit(&data, Preprocess::Standardize);
        assert_eq!(fit.mean, vec![2.0, 10.0]);
        assert!((fit.std[0] - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(fit.std[1], 1.0);
        let out = fit.apply(&data);
        // (1 − 2)/√(2/3) = −√(3/2) ≈ −1.2247.
        assert!((out.row(0)[0] + 1.5f64.sqrt()).abs() < 1e-15);
        assert_eq!(out.row(0)[1], 0.0);
        assert_eq!(out.feature_names, data.feature_names);
        assert!(fit.components.is_empty() && fit.eigenvalues.is_empty());
    }

    #[test]
    fn constant_feature_with_an_inexact_mean_stays_zero() {
        // 0.1 · 3 / 3 is not exactly 0.1 in floating point; the column must still map to exact zeros.
        let data = table(vec![0.1; 3], 1);
        let out = Fitted::fit(&data, Preprocess::Standardize).apply(&data);
        assert_eq!(out.x, vec![0.0; 3]);
    }

    #[test]
    fn standardized_training_columns_have_mean_0_std_1() {
        let train = correlated(500, 1);
        let out = Fitted::fit(&train, Preprocess::Standardize).apply(&train);
        let (mean, cov) = stats(&out);
        for j in 0..3 {
            assert!(mean[j].abs() < 1e-12, "{mean:?}");
            assert!((cov[j][j] - 1.0).abs() < 1e-12, "{cov:?}");
        }
    }

    #[test]
    fn pca_decorrelates() {
        let train = correlated(1000, 2);
        let fit = Fitted::fit(&train, Preprocess::Pca);
        let out = fit.apply(&train);
        let (mean, cov) = stats(&out);
        // The input is strongly correlated (b ≈ 2a), the output not at all.
        assert!(stats(&train).1[0][1] > 1.5);
        assert!(mean.iter().all(|m| m.abs() < 1e-12), "{mean:?}");
        for (a, row) in cov.iter().enumerate() {
            for (b, &v) in row.iter().enumerate() {
                if a == b {
                    // The variance along component k is its eigenvalue.
                    assert!((v - fit.eigenvalues[a]).abs() < 1e-10);
                } else {
                    assert!(v.abs() < 1e-10, "cov[{a}][{b}] = {v}");
                }
            }
        }
        assert!(fit.eigenvalues.windows(2).all(|w| w[0] >= w[1]), "{:?}", fit.eigenvalues);
        assert_eq!(out.feature_names, ["pc1", "pc2", "pc3"]);
        // Components are orthonormal rows, each with its largest-magnitude entry positive.
        for a in 0..3 {
            let ua = &fit.components[3 * a..3 * a + 3];
            let big = ua.iter().fold(0.0f64, |m, &v| if v.abs() > m.abs() { v } else { m });
            assert!(big > 0.0);
            for b in 0..3 {
                let dot: f64 = ua.iter().zip(&fit.components[3 * b..3 * b + 3]).map(|(p, q)| p * q).sum();
                assert!((dot - f64::from(u8::from(a == b))).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn pca_of_a_known_covariance() {
        // Points (±1, ±1)·… on the line y = x: (1, 1), (−1, −1), (2, 2), (−2, −2). μ = 0, Σ = [[2.5, 2.5], [2.5, 2.5]],
        // eigenvalues 5 (along (1, 1)/√2) and 0. pc1 of (2, 2) = (2 + 2)/√2 = 2√2; pc2 = 0.
        let data = table(vec![1.0, 1.0, -1.0, -1.0, 2.0, 2.0, -2.0, -2.0], 2);
        let fit = Fitted::fit(&data, Preprocess::Pca);
        assert!((fit.eigenvalues[0] - 5.0).abs() < 1e-12 && fit.eigenvalues[1].abs() < 1e-12);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((fit.components[0] - h).abs() < 1e-12 && (fit.components[1] - h).abs() < 1e-12);
        let mut out = [0.0; 2];
        fit.apply_row(&[2.0, 2.0], &mut out);
        assert!((out[0] - 2.0 * 2f64.sqrt()).abs() < 1e-12 && out[1].abs() < 1e-12);
        // Whitened: 2√2 / √(5 + 1e-5).
        let white = Fitted { kind: Preprocess::Whiten, ..fit };
        white.apply_row(&[2.0, 2.0], &mut out);
        assert!((out[0] - 2.0 * 2f64.sqrt() / (5.0 + WHITEN_EPS).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn whitened_covariance_is_about_identity() {
        let train = correlated(1000, 3);
        let fit = Fitted::fit(&train, Preprocess::Whiten);
        let (_, cov) = stats(&fit.apply(&train));
        // Cov = λ/(λ + ε) on the diagonal. The least-variance direction cancels z1 and z2: w ∝ (−2.5, 1, −0.5)
        // (w1 + 2w2 − w3 = 0, 0.5w2 + w3 = 0), |w|² = 7.5, variance (0.5·0.5)²/7.5 ≈ 8.3e-3, so the diagonal is within
        // ε/λ ≈ 1.2e-3 of 1.
        let smallest = *fit.eigenvalues.last().unwrap();
        assert!((smallest / 8.3e-3 - 1.0).abs() < 0.2, "{smallest}");
        for (a, row) in cov.iter().enumerate() {
            for (b, &v) in row.iter().enumerate() {
                let want = if a == b { fit.eigenvalues[a] / (fit.eigenvalues[a] + WHITEN_EPS) } else { 0.0 };
                assert!((v - want).abs() < 1e-10, "cov[{a}][{b}] = {v}");
                assert!((v - f64::from(u8::from(a == b))).abs() < 1e-2);
            }
        }
    }

    #[test]
    fn test_data_uses_the_training_statistics() {
        // Train: column 0,1,2 → μ = 1, σ = √(2/3). Test: 10, 20 → (10 − 1)/√(2/3), not refitted to its own mean 15.
        let train = table(vec![0.0, 1.0, 2.0], 1);
        let test = table(vec![10.0, 20.0], 1);
        let fit = Fitted::fit(&train, Preprocess::Standardize);
        let out = fit.apply(&test);
        let s = (2.0f64 / 3.0).sqrt();
        assert!((out.x[0] - 9.0 / s).abs() < 1e-12 && (out.x[1] - 19.0 / s).abs() < 1e-12);
        // The same for pca: the test set's centring uses the training mean.
        let big_train = correlated(300, 4);
        let big_test = correlated(50, 5);
        let pca = Fitted::fit(&big_train, Preprocess::Pca);
        let refit = Fitted::fit(&big_test, Preprocess::Pca);
        assert_ne!(pca.apply(&big_test), refit.apply(&big_test));
        let mut row = [0.0; 3];
        pca.apply_row(big_test.row(7), &mut row);
        assert_eq!(&row, pca.apply(&big_test).row(7));
    }

    #[test]
    fn none_is_identity_and_widths_are_checked() {
        let data = correlated(20, 6);
        assert_eq!(Fitted::fit(&data, Preprocess::None).apply(&data), data);
        let narrow = table(vec![1.0, 2.0], 1);
        let e = Fitted::fit(&data, Preprocess::Pca).try_apply(&narrow).unwrap_err();
        assert_eq!(e.to_string(), "the preprocessing was fitted on data with 3 features, but this data has 1");
    }

    #[test]
    fn empty_training_set_gives_identity() {
        let empty = table(Vec::new(), 2);
        let fit = Fitted::fit(&empty, Preprocess::Whiten);
        assert_eq!((fit.mean.clone(), fit.std.clone()), (vec![0.0; 2], vec![1.0; 2]));
        let mut out = [0.0; 2];
        fit.apply_row(&[3.0, 4.0], &mut out);
        // Zero covariance: λ = 0, identity rotation up to order, each coordinate divided by √ε.
        let mut sorted = out.map(|v| v * WHITEN_EPS.sqrt());
        sorted.sort_by(f64::total_cmp);
        assert!((sorted[0] - 3.0).abs() < 1e-9 && (sorted[1] - 4.0).abs() < 1e-9, "{out:?}");
    }

    #[test]
    fn names_parse_and_serialize() {
        for (s, p) in [("none", Preprocess::None), (" PCA ", Preprocess::Pca), ("whiten", Preprocess::Whiten)] {
            assert_eq!(s.parse::<Preprocess>().unwrap(), p);
        }
        let e = "standardise".parse::<Preprocess>().unwrap_err().to_string();
        // One substitution from "standardize".
        assert!(e.contains("did you mean 'standardize'"), "{e}");
        let fit = Fitted::fit(&correlated(10, 7), Preprocess::Whiten);
        let json = serde_json::to_string(&fit).unwrap();
        assert!(json.contains("\"kind\":\"whiten\""), "{json}");
        // serde_json's default float parsing may land one ulp off (its `float_roundtrip` feature is not enabled).
        let back: Fitted = serde_json::from_str(&json).unwrap();
        assert_eq!((back.kind, back.components.len(), back.eigenvalues.len()), (fit.kind, 9, 3));
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(p, q)| (p - q).abs() <= 1e-15 * p.abs().max(1.0));
        assert!(close(&back.mean, &fit.mean) && close(&back.std, &fit.std));
        assert!(close(&back.components, &fit.components) && close(&back.eigenvalues, &fit.eigenvalues));
    }
}
