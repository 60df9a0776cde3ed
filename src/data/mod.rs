//! Datasets for classification: the TensorFlow Playground's four toy sets, scikit-learn's moons, cs231n's K-class
//! spiral, the UCI 8×8 digits, and any CSV of numbers with a label column; the Playground's input feature maps; a
//! seeded train/test split; and the lecture's preprocessing (slides 88-89), fitted on the training part only:
//!
//! ```text
//! standardize   x'_j = (x_j − μ_j) / σ_j                       μ, σ: per-feature mean and population std
//! pca           x'   = Uᵀ (x − μ)                               U: eigenvectors of Σ = (1/n) Σ_i (x_i − μ)(x_i − μ)ᵀ
//! whiten        x'_k = [Uᵀ (x − μ)]_k / √(λ_k + 1e-5)           λ_k: the eigenvalues, in decreasing order
//! ```
//!
//! A [`Dataset`] is a plain row-major table: `x` holds n rows of d features, `y` a class index per row.
//!
//! ```
//! use chainrule::data::{Fitted, Preprocess, generate, split};
//!
//! let data = generate("circle", 200, 0.0, 7).unwrap();
//! let (train, test) = split(&data, 0.5, 1).unwrap();
//! let pre = Fitted::fit(&train, Preprocess::Standardize);
//! let (train, test) = (pre.apply(&train), pre.apply(&test));
//! assert_eq!((train.n(), test.n(), train.d, train.classes()), (100, 100, 2, 2));
//! ```

mod csv;
mod digits;
mod edits;
mod error;
mod features;
mod generators;
mod preprocess;
mod split;

pub use self::csv::{MAX_CSV_BYTES, load_csv, load_csv_limited, parse_csv};
pub use edits::{History, MAX_EDITS, Part, PointEdit, apply_edits};
pub use error::DataError;
pub use features::{Feature, parse_features, with_features};
pub use preprocess::{Fitted, Preprocess, WHITEN_EPS, covariance_matrix};
pub use split::split;

/// The names [`generate`] knows.
pub const DATASET_NAMES: &[&str] =
    &["circle", "xor", "gauss", "spiral", "moons", "kspiral", "digits", "reg-plane", "reg-gauss"];

/// A classification dataset: n rows of d numeric features and a class index per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// The features, row-major n × d.
    pub x: Vec<f64>,
    /// The class index of each row, in `0..classes()`.
    pub y: Vec<usize>,
    /// Features per row.
    pub d: usize,
    /// A name per feature: `x`, `y`, `x²`..., a CSV header's names, or `f0`, `f1`... for a CSV without a header.
    pub feature_names: Vec<String>,
    /// The text of each class index: `-1`/`+1` for the Playground's sets, `0`..`9` for the digits, a CSV's labels;
    /// `value` (one class) for a regression set.
    pub class_names: Vec<String>,
    /// A regression set's real-valued target per row (the Playground's `reg-plane` and `reg-gauss`, a CSV whose
    /// last column holds fractions); empty for a classification set, whose `y` is the answer.
    pub targets: Vec<f64>,
}

impl Dataset {
    /// The number of rows.
    pub fn n(&self) -> usize {
        self.y.len()
    }

    /// The number of classes: every named class counts, even one with no rows in this (sub)set, so a training part and
    /// its test part agree.
    pub fn classes(&self) -> usize {
        self.class_names.len()
    }

    /// Row `i`'s features.
    ///
    /// # Panics
    /// If `i >= n()`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// The rows at `idx`, in that order (an index may repeat), with the same names. O(len(idx) · d).
    ///
    /// # Panics
    /// If an index is `>= n()`.
    pub fn subset(&self, idx: &[usize]) -> Dataset {
        let mut x = Vec::with_capacity(idx.len() * self.d);
        for &i in idx {
            x.extend_from_slice(self.row(i));
        }
        Dataset {
            x,
            y: idx.iter().map(|&i| self.y[i]).collect(),
            d: self.d,
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
            targets: if self.targets.is_empty() { Vec::new() } else { idx.iter().map(|&i| self.targets[i]).collect() },
        }
    }

    /// Whether the rows carry real-valued [`targets`](Dataset::targets) (trained with mse and one output) rather than
    /// classes.
    pub fn is_regression(&self) -> bool {
        !self.targets.is_empty()
    }

    /// How many rows each class has, indexed by class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes()];
        for &c in &self.y {
            if let Some(k) = counts.get_mut(c) {
                *k += 1;
            }
        }
        counts
    }
}

/// A dataset by name, with `n` points, a noise level and a seed (the same seed gives the same data).
///
/// | spec | classes | what | noise |
/// |---|---|---|---|
/// | `circle` | 2 | Playground: a disc r ≤ 2.5 (+1) inside a ring 3.5 ≤ r ≤ 5 (−1) | flips labels; 0 to 0.5 as the Playground's 0 to 50% |
/// | `xor` | 2 | Playground: U(−5, 5)² pushed 0.3 off the axes, label sign(x·y) | flips labels; 0 to 0.5 |
/// | `gauss` | 2 | Playground: two Gaussians at (2, 2) (+1) and (−2, −2) (−1) | variance 0.5 + 7·noise; 0 to 0.5 |
/// | `spiral` | 2 | Playground: two arms r = 5i/m, t = 1.75·2π·i/m (+ π) | uniform ±noise added to x and y; 0 to 0.5 |
/// | `moons` | 2 | scikit-learn's make_moons: two interleaved half circles | Gaussian std added to x and y |
/// | `kspiral`, `kspiral:classes=K` | K in 2..=64 (3) | cs231n's spiral, r ≤ 1; n mod K extra points go one each to the first classes | ignored: the angle's noise is 0.2·randn |
/// | `digits` | 10 | UCI optical digits, 1797 8×8 images, 64 features 0..16 | ignored, as is `n` |
/// | `reg-plane` | regression | Playground: U(−6, 6)², value (x + y)/10 in [−1.2, 1.2] | moves the point the value is read at; 0 to 0.5 |
/// | `reg-gauss` | regression | Playground: six signed bumps, value in [−1, 1] | moves the point the value is read at; 0 to 0.5 |
///
/// The Playground's sets have class 0 = its −1 (orange) and class 1 = its +1 (blue); see `generators.rs` for each
/// formula and where it comes from. Names are matched ignoring case and surrounding spaces.
///
/// Errors: an unknown name (with the nearest valid one), an option a set does not take, noise that is negative or not
/// finite, or fewer points than classes.
pub fn generate(spec: &str, n: usize, noise: f64, seed: u64) -> Result<Dataset, DataError> {
    let spec_trimmed = spec.trim().to_lowercase();
    let (name, options) = match spec_trimmed.split_once(':') {
        Some((name, options)) => (name.trim(), Some(options.trim())),
        None => (spec_trimmed.as_str(), None),
    };
    if !DATASET_NAMES.contains(&name) {
        return Err(DataError::UnknownDataset {
            name: name.to_owned(),
            suggestion: error::did_you_mean(name, DATASET_NAMES.iter().copied()),
            names: DATASET_NAMES.join(", "),
        });
    }
    if name == "digits" {
        if let Some(o) = options {
            return Err(no_options(spec, "digits", o));
        }
        return Ok(digits::digits());
    }
    let classes = match (name, options) {
        ("kspiral", Some(o)) => kspiral_classes(spec, o)?,
        ("kspiral", None) => 3,
        (_, Some(o)) => return Err(no_options(spec, name, o)),
        ("reg-plane" | "reg-gauss", None) => 1,
        (_, None) => 2,
    };
    if !(noise.is_finite() && noise >= 0.0) {
        return Err(DataError::BadNoise { noise });
    }
    if n < classes {
        return Err(DataError::TooFewPoints { dataset: name.to_owned(), n, min: classes });
    }
    Ok(match name {
        "circle" => generators::circle(n, noise, seed),
        "xor" => generators::xor(n, noise, seed),
        "gauss" => generators::gauss(n, noise, seed),
        "spiral" => generators::spiral(n, noise, seed),
        "moons" => generators::moons(n, noise, seed),
        "kspiral" => generators::kspiral(n, classes, seed),
        "reg-plane" => generators::reg_plane(n, noise, seed),
        "reg-gauss" => generators::reg_gauss(n, noise, seed),
        _ => unreachable!("every name in DATASET_NAMES has an arm above"),
    })
}

/// The largest K `kspiral:classes=K` accepts (a colour per class stays tellable apart well before this).
const MAX_SPIRAL_CLASSES: usize = 64;

/// K from `classes=K`, in 2..=MAX_SPIRAL_CLASSES.
fn kspiral_classes(spec: &str, options: &str) -> Result<usize, DataError> {
    let bad = |message: String| DataError::BadSpec { spec: spec.trim().to_owned(), message };
    let value = match options.split_once('=') {
        Some((key, value)) if key.trim() == "classes" => value.trim(),
        _ => return Err(bad(format!("kspiral takes one option, classes=K (e.g. kspiral:classes=5), not '{options}'"))),
    };
    match value.parse::<usize>() {
        Ok(k) if (2..=MAX_SPIRAL_CLASSES).contains(&k) => Ok(k),
        _ => Err(bad(format!(
            "the number of classes must be a whole number from 2 to {MAX_SPIRAL_CLASSES}, got '{value}'"
        ))),
    }
}

fn no_options(spec: &str, name: &str, options: &str) -> DataError {
    DataError::BadSpec {
        spec: spec.trim().to_owned(),
        message: format!("{name} takes no options (only kspiral does, as kspiral:classes=K); remove ':{options}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_generates() {
        for name in DATASET_NAMES {
            let data = generate(name, 30, 0.1, 1).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(data.x.len(), data.n() * data.d, "{name}");
            assert_eq!(data.feature_names.len(), data.d, "{name}");
            assert!(data.y.iter().all(|&c| c < data.classes()), "{name}");
            assert!(data.x.iter().all(|v| v.is_finite()), "{name}");
            if *name != "digits" {
                assert_eq!(data.n(), 30, "{name}");
            }
        }
    }

    #[test]
    fn unknown_name_suggests_the_nearest() {
        let e = generate("spiarl", 10, 0.0, 0).unwrap_err();
        let msg = e.to_string();
        // "spiarl" is one transposition from "spiral".
        assert!(msg.contains("did you mean 'spiral'"), "{msg}");
        assert!(msg.contains("circle, xor, gauss, spiral, moons, kspiral, digits, reg-plane, reg-gauss"), "{msg}");
    }

    #[test]
    fn spec_options() {
        assert_eq!(generate("kspiral:classes=5", 50, 0.0, 0).unwrap().classes(), 5);
        assert_eq!(generate(" KSpiral ", 30, 0.0, 0).unwrap().classes(), 3);
        for bad in ["kspiral:classes=1", "kspiral:classes=x", "kspiral:k=3", "circle:classes=3", "digits:x"] {
            assert!(matches!(generate(bad, 30, 0.0, 0), Err(DataError::BadSpec { .. })), "{bad}");
        }
    }

    #[test]
    fn bad_noise_and_too_few_points() {
        assert!(matches!(generate("circle", 10, -0.1, 0), Err(DataError::BadNoise { .. })));
        assert!(matches!(generate("moons", 10, f64::NAN, 0), Err(DataError::BadNoise { .. })));
        // kspiral's default K = 3 needs 3 points.
        assert!(matches!(generate("kspiral", 2, 0.0, 0), Err(DataError::TooFewPoints { min: 3, .. })));
        assert!(generate("kspiral", 3, 0.0, 0).is_ok());
        assert!(matches!(generate("xor", 0, 0.0, 0), Err(DataError::TooFewPoints { min: 2, .. })));
    }

    #[test]
    fn subset_row_and_counts() {
        let data = Dataset {
            x: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            y: vec![0, 1, 1],
            d: 2,
            feature_names: vec!["a".into(), "b".into()],
            class_names: vec!["no".into(), "yes".into(), "maybe".into()],
            targets: Vec::new(),
        };
        assert_eq!(data.row(1), &[3.0, 4.0]);
        let s = data.subset(&[2, 0]);
        assert_eq!(s.x, vec![5.0, 6.0, 1.0, 2.0]);
        assert_eq!(s.y, vec![1, 0]);
        // Three named classes, one without rows.
        assert_eq!(s.classes(), 3);
        assert_eq!(data.class_counts(), vec![1, 2, 0]);
    }
}
