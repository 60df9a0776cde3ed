//! The preprocessing lab (slides 88-90): one 2-D cloud shown at each stage of cs231n's preprocessing, with its
//! covariance matrix, and the same small network trained on the raw and on the standardized inputs.
//!
//! ```text
//! raw            x                                   Cov = Σ
//! zero-centred   x − μ                               Cov = Σ (only the mean moves)
//! standardized   (x_j − μ_j) / σ_j                   Cov_jk = Σ_jk / (σ_j σ_k): unit diagonal, the correlations off it
//! PCA-rotated    U^T(x − μ)                           Cov = Λ, diagonal (the eigenvalues)
//! whitened       Λ^(−1/2) U^T(x − μ)  (ε = 1e-5)       Cov = Λ/(Λ + ε) ≈ I
//! ```
//!
//! Every stage but the centring is `data::preprocess` (one implementation; centring subtracts its fitted μ), and the
//! covariances are `data::covariance_matrix`. The cloud: z₁ ~ N(0, 1); z₂ = ±0.8 + 0.6·N(0, 1) by the class (so
//! Var z₂ = 1 and the classes sit on either side of the line z₂ = 0); x₁ = o₁ + s₁·z₁,
//! x₂ = o₂ + s₂·(ρ·z₁ + √(1 − ρ²)·z₂). Its covariance is about [[s₁², ρs₁s₂], [ρs₁s₂, s₂²]].
//!
//! The training comparison runs both networks (same description, same initial weights, same minibatches) on a
//! worker ([`train_job`]), an epoch of each in turn; O(epochs · rows · parameters).

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::job::Job;
use super::{Lab, LabError, in_range};
use crate::data::{Dataset, Fitted, Preprocess, covariance_matrix, split};
use crate::nn::{EpochStats, Init, Mlp, MlpSpec, TrainConfig, Trainer, parse_activation};
use crate::tensor::Loss;

/// The most points a cloud may have (a typed number is checked before anything is allocated).
pub const MAX_POINTS: usize = 20_000;

/// The lab's settings: a correlated, offset 2-D cloud of two classes, and the network both runs train.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Points (half of each class).
    pub points: usize,
    /// The cloud's centre (o₁, o₂).
    pub offset: [f64; 2],
    /// The spread of each feature (s₁, s₂).
    pub spread: [f64; 2],
    /// ρ, the correlation of the two features, in (−1, 1).
    pub correlation: f64,
    /// Hidden layer sizes of the network both runs train.
    pub hidden: Vec<usize>,
    /// Their activation's name.
    pub activation: String,
    /// Plain SGD's learning rate.
    pub lr: f64,
    /// Epochs of each run.
    pub epochs: usize,
    /// Rows per minibatch.
    pub batch: usize,
    /// Seeds the points, the weights, the split and the shuffling (the same for both runs).
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            points: 400,
            offset: [10.0, -6.0],
            spread: [4.0, 1.0],
            correlation: 0.8,
            hidden: vec![8],
            activation: "tanh".into(),
            lr: 0.05,
            epochs: 40,
            batch: 16,
            seed: 7,
        }
    }
}

const LAB: &str = "preprocessing";

fn setting(setting: &'static str, got: impl ToString, expected: impl ToString) -> LabError {
    LabError::Setting { lab: LAB, setting, got: got.to_string(), expected: expected.to_string() }
}

impl Settings {
    /// The points, labelled 0 and 1 (alternating). Checks the settings first.
    pub fn generate(&self) -> Result<Dataset, LabError> {
        self.check()?;
        let mut rng = StdRng::seed_from_u64(self.seed);
        let rho = self.correlation;
        let mut x = Vec::with_capacity(2 * self.points);
        let mut y = Vec::with_capacity(self.points);
        for i in 0..self.points {
            let label = i % 2;
            let z1: f64 = StandardNormal.sample(&mut rng);
            let noise: f64 = StandardNormal.sample(&mut rng);
            let z2 = if label == 1 { 0.8 } else { -0.8 } + 0.6 * noise;
            x.push(self.offset[0] + self.spread[0] * z1);
            x.push(self.offset[1] + self.spread[1] * (rho * z1 + (1.0 - rho * rho).sqrt() * z2));
            y.push(label);
        }
        Ok(Dataset {
            x,
            y,
            d: 2,
            feature_names: vec!["x₁".into(), "x₂".into()],
            class_names: vec!["0".into(), "1".into()],
            targets: Vec::new(),
        })
    }
}

impl Lab for Settings {
    fn id(&self) -> &'static str {
        LAB
    }

    fn quantities(&self) -> &'static str {
        "cov:STAGE:IJ (STAGE raw, centred, standardized, pca or whitened; IJ 11, 12 or 22), \
         final_loss:raw, final_loss:standardized"
    }

    fn check(&self) -> Result<(), LabError> {
        in_range(LAB, "points", self.points, 4, MAX_POINTS)?;
        let rho = self.correlation;
        if !(rho.is_finite() && rho.abs() < 1.0) {
            return Err(setting("correlation", rho, "strictly between −1 and 1"));
        }
        for v in self.offset.into_iter().chain(self.spread) {
            if !v.is_finite() || v.abs() > 1e6 {
                return Err(setting("offset and spread", v, "finite, at most 10⁶"));
            }
        }
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr <= 10.0) {
            return Err(setting("lr", self.lr, "above 0 and at most 10"));
        }
        in_range(LAB, "epochs", self.epochs, 1, 2000)?;
        in_range(LAB, "batch", self.batch, 1, 4096)?;
        if self.hidden.len() > 4 || self.hidden.iter().any(|&h| !(1..=64).contains(&h)) {
            return Err(setting("hidden", format!("{:?}", self.hidden), "0 to 4 layers of 1 to 64 units"));
        }
        parse_activation(&self.activation).map_err(|e| setting("activation", &self.activation, e))?;
        Ok(())
    }

    fn quantity(&self, name: &str) -> Result<f64, LabError> {
        let unknown = || LabError::UnknownQuantity { lab: LAB, name: name.to_owned(), known: self.quantities() };
        let parts: Vec<&str> = name.split(':').map(str::trim).collect();
        match parts.as_slice() {
            ["cov", stage, ij] => {
                let kind = StageKind::ALL.into_iter().find(|k| k.key() == *stage).ok_or_else(unknown)?;
                let at = match *ij {
                    "11" => 0,
                    "12" | "21" => 1,
                    "22" => 3,
                    _ => return Err(unknown()),
                };
                let data = self.generate()?;
                let stage = stages(&data).into_iter().find(|s| s.kind == kind).expect("every stage is computed");
                Ok(stage.cov[at])
            }
            ["final_loss", which @ ("raw" | "standardized")] => {
                let curves = train_both(&self.generate()?, self, |_| true);
                if let Some(e) = curves.error {
                    return Err(setting("hidden", format!("{:?}", self.hidden), e));
                }
                let runs = if *which == "raw" { &curves.raw } else { &curves.standardized };
                Ok(runs.last().map_or(f64::NAN, |s| s.train_loss))
            }
            _ => Err(unknown()),
        }
    }

    fn hint(&self, name: &str) -> String {
        if name.starts_with("cov") {
            "standardizing divides feature j by σ_j = √Σ_jj: entry (j, k) becomes Σ_jk / (σ_j·σ_k); PCA leaves the \
             eigenvalues on the diagonal and whitening divides them out"
                .into()
        } else {
            "with inputs far from 0 and of very different scales, tanh units start saturated and one learning rate \
             fits no direction: compare the curves' first epochs"
                .into()
        }
    }
}

/// The stages of the pipeline, in the order the lab shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageKind {
    /// The data as it is.
    Raw,
    /// x − μ.
    Centred,
    /// (x − μ)/σ per feature.
    Standardized,
    /// Rotated onto the covariance's eigenvectors.
    Pca,
    /// PCA, then each coordinate divided by √(λ + ε).
    Whitened,
}

impl StageKind {
    /// Every stage, in order.
    pub const ALL: [StageKind; 5] =
        [StageKind::Raw, StageKind::Centred, StageKind::Standardized, StageKind::Pca, StageKind::Whitened];

    /// The stage's name on screen.
    pub fn title(self) -> &'static str {
        match self {
            StageKind::Raw => "raw",
            StageKind::Centred => "zero-centred",
            StageKind::Standardized => "standardized",
            StageKind::Pca => "PCA-rotated",
            StageKind::Whitened => "whitened",
        }
    }

    /// Its name in a lab quantity (`cov:standardized:12`).
    pub fn key(self) -> &'static str {
        match self {
            StageKind::Raw => "raw",
            StageKind::Centred => "centred",
            StageKind::Standardized => "standardized",
            StageKind::Pca => "pca",
            StageKind::Whitened => "whitened",
        }
    }

    /// Its formula, as the lecture writes it.
    pub fn formula(self) -> &'static str {
        match self {
            StageKind::Raw => "x",
            StageKind::Centred => "x − μ",
            StageKind::Standardized => "(x − μ) / σ",
            StageKind::Pca => "U^T (x − μ)",
            StageKind::Whitened => "Λ^(−1/2) U^T (x − μ)",
        }
    }
}

/// One stage's points and statistics.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// Which stage.
    pub kind: StageKind,
    /// The transformed points (labels kept).
    pub data: Dataset,
    /// The mean of each feature.
    pub mean: Vec<f64>,
    /// The population covariance, d × d row-major.
    pub cov: Vec<f64>,
}

/// Every stage of `data` (any width), fitted on all of it. O(n·d² + d³).
pub fn stages(data: &Dataset) -> Vec<Stage> {
    StageKind::ALL
        .into_iter()
        .map(|kind| {
            let points = match kind {
                StageKind::Raw => data.clone(),
                StageKind::Centred => {
                    let mean = Fitted::fit(data, Preprocess::None).mean;
                    let mut out = data.clone();
                    for row in out.x.chunks_exact_mut(data.d.max(1)) {
                        row.iter_mut().zip(&mean).for_each(|(v, m)| *v -= m);
                    }
                    out
                }
                StageKind::Standardized => Fitted::fit(data, Preprocess::Standardize).apply(data),
                StageKind::Pca => Fitted::fit(data, Preprocess::Pca).apply(data),
                StageKind::Whitened => Fitted::fit(data, Preprocess::Whiten).apply(data),
            };
            let mean = Fitted::fit(&points, Preprocess::None).mean;
            let cov = covariance_matrix(&points);
            Stage { kind, data: points, mean, cov }
        })
        .collect()
}

/// The two runs' per-epoch figures so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curves {
    /// Trained on the raw inputs.
    pub raw: Vec<EpochStats>,
    /// Trained on the standardized inputs (μ and σ fitted on the training part).
    pub standardized: Vec<EpochStats>,
    /// Both runs finished (or stopped).
    pub done: bool,
    /// What ended a run early, in words.
    pub error: Option<String>,
}

/// The two trainers, ready: same weights from the seed, same split; the second's inputs standardized with the
/// training part's statistics.
pub fn trainers(data: &Dataset, setup: &Settings) -> Result<[Trainer<f64>; 2], LabError> {
    setup.check()?;
    let (train, test) = split(data, 0.8, setup.seed).map_err(|e| setting("points", data.n(), e))?;
    let fitted = Fitted::fit(&train, Preprocess::Standardize);
    let (train_s, test_s) = (fitted.apply(&train), fitted.apply(&test));
    let activation = parse_activation(&setup.activation).map_err(|e| setting("activation", &setup.activation, e))?;
    let nn = |e: crate::nn::NnError| setting("hidden", format!("{:?}", setup.hidden), e);
    let mut spec =
        MlpSpec::classifier(data.d, &setup.hidden, data.classes(), activation, Loss::BceLogits).map_err(nn)?;
    spec.init = Init::Xavier;
    let cfg = TrainConfig {
        opt: format!("sgd:lr={}", setup.lr).parse().expect("a positive rate is a valid SGD spec"),
        schedule: None,
        epochs: setup.epochs,
        batch: setup.batch,
        seed: setup.seed,
        backend: crate::nn::Backend::Tensor,
    };
    let make = |tr: &Dataset, te: &Dataset| -> Result<Trainer<f64>, LabError> {
        let mlp = Mlp::new(&spec, setup.seed).map_err(nn)?;
        Trainer::new(mlp, cfg.clone(), (&tr.x, &tr.y), (&te.x, &te.y)).map_err(nn)
    };
    Ok([make(&train, &test)?, make(&train_s, &test_s)?])
}

/// Trains both, an epoch of each in turn, calling `each` with the curves after every pair; stops when it returns
/// false. The same seed gives the same curves.
pub fn train_both(data: &Dataset, setup: &Settings, mut each: impl FnMut(&Curves) -> bool) -> Curves {
    let mut curves = Curves::default();
    let [mut raw, mut std] = match trainers(data, setup) {
        Ok(t) => t,
        Err(e) => {
            curves.error = Some(e.to_string());
            curves.done = true;
            return curves;
        }
    };
    for _ in 0..setup.epochs {
        match (raw.run_epoch(), std.run_epoch()) {
            (Ok(a), Ok(b)) => {
                curves.raw.push(a);
                curves.standardized.push(b);
            }
            (Err(e), _) | (_, Err(e)) => {
                curves.error = Some(e.to_string());
                break;
            }
        }
        if !each(&curves) {
            break;
        }
    }
    curves.done = true;
    curves
}

/// [`train_both`] on a worker thread, publishing the curves after every epoch.
pub fn train_job(data: Dataset, setup: Settings) -> Job<Curves> {
    Job::spawn(Curves::default(), move |p| {
        let last = train_both(&data, &setup, |c| {
            p.publish(c.clone());
            !p.should_stop()
        });
        p.publish(last);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn stages_by_hand() {
        // four points (0,0), (2,0), (0,4), (2,4): μ = (1, 2); σ = (1, 2); Cov = [[1, 0], [0, 4]] (population).
        let data = Dataset {
            x: vec![0.0, 0.0, 2.0, 0.0, 0.0, 4.0, 2.0, 4.0],
            y: vec![0, 1, 0, 1],
            d: 2,
            feature_names: vec!["a".into(), "b".into()],
            class_names: vec!["0".into(), "1".into()],
            targets: Vec::new(),
        };
        let s = stages(&data);
        assert_eq!(s[0].mean, vec![1.0, 2.0]);
        assert_eq!(s[0].cov, vec![1.0, 0.0, 0.0, 4.0]);
        // centred: the first point becomes (−1, −2); the covariance does not change
        assert_eq!(&s[1].data.x[..2], &[-1.0, -2.0]);
        assert_eq!(s[1].cov, s[0].cov);
        // standardized: (0 − 1)/1 = −1, (0 − 2)/2 = −1; covariance the identity
        assert_eq!(&s[2].data.x[..2], &[-1.0, -1.0]);
        assert_eq!(s[2].cov, vec![1.0, 0.0, 0.0, 1.0]);
        // PCA: the largest variance (4, along b) first: (x − μ) = (−1, −2) → (−2, −1); Cov = diag(4, 1)
        assert!(close(s[3].data.x[0].abs(), 2.0, 1e-12) && close(s[3].data.x[1].abs(), 1.0, 1e-12));
        assert!(close(s[3].cov[0], 4.0, 1e-12) && close(s[3].cov[3], 1.0, 1e-12) && close(s[3].cov[1], 0.0, 1e-12));
        // whitened: Cov = λ/(λ + ε) on the diagonal: 4/(4 + 1e-5), 1/(1 + 1e-5)
        assert!(close(s[4].cov[0], 4.0 / (4.0 + 1e-5), 1e-12));
        assert!(close(s[4].cov[3], 1.0 / (1.0 + 1e-5), 1e-12));
    }

    #[test]
    fn the_cloud_has_its_covariance_and_standardizing_leaves_the_correlation() {
        let cloud = Settings { points: 20_000, ..Settings::default() };
        let s = stages(&cloud.generate().expect("valid"));
        // Cov ≈ [[16, 0.8·4·1], [3.2, 1]] and μ ≈ (10, −6), to sampling error (n = 20 000)
        assert!(close(s[0].mean[0], 10.0, 0.1) && close(s[0].mean[1], -6.0, 0.05));
        assert!(close(s[0].cov[0], 16.0, 0.6) && close(s[0].cov[1], 3.2, 0.15) && close(s[0].cov[3], 1.0, 0.05));
        // standardized: the off-diagonal is the correlation Σ₁₂/(σ₁σ₂) of the raw cloud, exactly
        let rho = s[0].cov[1] / (s[0].cov[0] * s[0].cov[3]).sqrt();
        assert!(close(s[2].cov[1], rho, 1e-12) && close(rho, 0.8, 0.02));
        assert_eq!(cloud.quantity("cov:standardized:12").expect("computes"), s[2].cov[1]);
        // whitened: the identity up to ε
        assert!(close(s[4].cov[0], 1.0, 1e-4) && close(s[4].cov[1], 0.0, 1e-9) && close(s[4].cov[3], 1.0, 1e-4));
        assert!(s[2].mean.iter().chain(&s[1].mean).all(|m| m.abs() < 1e-9));
    }

    #[test]
    fn bad_settings_are_refused_with_their_name() {
        let e = Settings { correlation: 1.0, ..Settings::default() }.generate().unwrap_err();
        assert!(e.to_string().contains("correlation"), "{e}");
        let e = Settings { points: 1 << 40, ..Settings::default() }.generate().unwrap_err();
        assert!(e.to_string().contains("points"), "{e}");
        let data = Settings::default().generate().expect("valid");
        let c = train_both(&data, &Settings { lr: -1.0, ..Settings::default() }, |_| true);
        assert!(c.done && c.error.as_deref().is_some_and(|e| e.contains("lr")));
        let s = Settings::default();
        assert!(matches!(s.quantity("cov:standardised:12"), Err(LabError::UnknownQuantity { .. })));
        assert!(matches!(s.quantity("cov:raw:13"), Err(LabError::UnknownQuantity { .. })));
    }

    #[test]
    fn standardized_inputs_train_faster_on_the_offset_cloud() {
        let setup = Settings { epochs: 20, ..Settings::default() };
        let data = setup.generate().expect("valid");
        let c = train_both(&data, &setup, |_| true);
        assert!(c.error.is_none(), "{:?}", c.error);
        assert_eq!((c.raw.len(), c.standardized.len()), (20, 20));
        let (raw, std) = (c.raw[19].train_loss, c.standardized[19].train_loss);
        assert!(std < 0.5 * raw, "standardized {std} vs raw {raw}");
        // the same seed gives the same curves, and the lab's quantity is the last epoch's loss
        let again = train_both(&data, &setup, |_| true);
        assert_eq!(again, c);
        assert_eq!(setup.quantity("final_loss:raw").expect("computes"), raw);
    }
}
