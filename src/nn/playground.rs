//! What the window's playground computes, without a window: a training setup as plain data ([`Setup`]: the data,
//! the network, the optimizer, the seed) that builds the same data, network and trainer as `chainrule train` with the
//! same options, and writes that command ([`Setup::command`]); a training run on a worker ([`Run`]) that publishes
//! its weights for the frame to read without waiting, stops when asked or when the loss diverges (keeping the last
//! finite weights); the pictures of every unit over the input plane ([`unit_maps`]); and any unit's computation on
//! one point as a scalar graph for the backprop view ([`unit_graph`]).
//!
//! The pictures: the plane's points p = (x, y) on a `size × size` grid, row 0 at the top, mapped through the input
//! features (x, y, x², ..., [`Feature::eval`]), run through the network in evaluation mode once
//! ([`Mlp::activations`]); each hidden unit's column of its layer's output is its map. The output's map is each
//! class's probability: σ(s) for one logit (bce), (s + 1)/2 clipped to [0, 1] for one ±1-scored output (mse, hinge),
//! softmax(s) for K scores. Cost: one forward pass of size² rows, O(size² · parameters).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{EpochStats, Init, Mlp, MlpLayer, MlpSpec, Mode, NnError, Snapshot, TrainConfig, Trainer};
use crate::data::{self, Dataset, Feature, PointEdit};
use crate::optim::{OptimSpec, Schedule};
use crate::scalar::{Graph, Groups, GroupsBuilder, NodeId, Op, Unary};
use crate::tensor::{Element, Loss};

/// The most points the window generates.
pub const MAX_POINTS: usize = 5000;
/// The most hidden layers (TensorFlow Playground's limit).
pub const MAX_LAYERS: usize = 6;
/// The most units in a hidden layer (TensorFlow Playground's limit).
pub const MAX_UNITS: usize = 8;
/// The data sets the playground offers, in its menu's order.
/// (`reg-plane` and `reg-gauss` are regressions: a value per point, learned with mse.)
pub const DATASETS: &[&str] =
    &["circle", "xor", "gauss", "spiral", "moons", "kspiral", "digits", "reg-plane", "reg-gauss"];
/// Epochs a [`Setup`]'s trainer may run (the window stops long before).
pub const MAX_EPOCHS: usize = 1_000_000;

/// A playground: the data, the network and how it trains. The same fields as `chainrule train`'s options, with
/// the same defaults (TensorFlow Playground's), so [`Setup::command`] reproduces the run on the terminal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Setup {
    /// A generated set: circle, xor, gauss, spiral, moons, kspiral (or kspiral:classes=K), digits.
    pub dataset: String,
    /// Points generated (digits ignores it: the set has its own rows).
    pub points: usize,
    /// The generator's noise (Playground's 0 to 0.5).
    pub noise: f64,
    /// The share of the rows used for training.
    pub train_ratio: f64,
    /// The input features of a 2-D set (empty: x and y themselves).
    pub features: Vec<String>,
    /// Units per hidden layer.
    pub hidden: Vec<usize>,
    /// Every hidden layer's activation.
    pub activation: Unary,
    /// How the weights start.
    pub init: Init,
    /// The loss (None: bce for two classes, ce for more, as the command line).
    pub loss: Option<Loss>,
    /// The optimizer and its hyper-parameters.
    pub opt: OptimSpec,
    /// λ₁ of the L1 penalty.
    pub l1: f64,
    /// λ₂ of the L2 penalty.
    pub l2: f64,
    /// Rows per minibatch.
    pub batch: usize,
    /// Seeds the data, the split, the weights and the shuffling.
    pub seed: u64,
    /// A BatchNorm1d after each hidden Linear (`--batchnorm`).
    pub batchnorm: bool,
    /// Dropout after each hidden activation: PyTorch's p, the probability of dropping a unit, in [0, 1).
    pub dropout: f64,
    /// The learning-rate schedule, stepped once per epoch (None: a constant rate), as the race's schedules.
    pub schedule: Option<Schedule>,
    /// Points added, moved and deleted by hand on a 2-D set, replayed after the split ([`data::apply_edits`]).
    /// `chainrule train` has no option for them: [`Setup::command`] leaves them out (a setup file keeps them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<PointEdit>,
    /// A CSV file's text, used while `dataset` is its name (so a setup file or a session carries the data with it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvData>,
}

/// A CSV file opened in the window: its name (the path it came from) and its whole text, at most
/// [`data::MAX_CSV_BYTES`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CsvData {
    /// Where it came from; `chainrule train --dataset NAME` reads the same file.
    pub name: String,
    /// The text, as read.
    pub text: String,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            dataset: "circle".into(),
            points: 500,
            noise: 0.0,
            train_ratio: 0.5,
            features: Vec::new(),
            hidden: vec![4, 2],
            activation: Unary::Tanh,
            init: Init::Playground,
            loss: None,
            opt: "sgd:lr=0.03".parse().expect("a valid spec"),
            l1: 0.0,
            l2: 0.0,
            batch: 10,
            seed: 0,
            edits: Vec::new(),
            csv: None,
            batchnorm: false,
            dropout: 0.0,
            schedule: None,
        }
    }
}

/// The data of a setup: both parts as the network reads them, and (for a 2-D set) the points on the plane.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// The training part, features applied.
    pub train: Dataset,
    /// The test part, features applied.
    pub test: Dataset,
    /// The training part's points (x, y) before the features, for a 2-D set.
    pub train_plane: Option<Dataset>,
    /// The test part's points (x, y) before the features, for a 2-D set.
    pub test_plane: Option<Dataset>,
    /// The features in use (empty: the data's own columns).
    pub features: Vec<Feature>,
    /// The class names.
    pub classes: Vec<String>,
}

impl Data {
    /// Whether the data are points of a plane (so regions and unit maps can be drawn).
    pub fn is_plane(&self) -> bool {
        self.train_plane.is_some()
    }
}

impl Setup {
    /// Checks every field against the window's limits; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        let name = self.dataset.split(':').next().unwrap_or("").trim();
        if let Some(csv) = self.csv_in_use() {
            if csv.text.len() as u64 > data::MAX_CSV_BYTES {
                return Err(format!("CSV {}: {} bytes, more than {}", csv.name, csv.text.len(), data::MAX_CSV_BYTES));
            }
        } else if !DATASETS.contains(&name) {
            return Err(format!("data set '{}': use one of {}", self.dataset, DATASETS.join(", ")));
        }
        if !(1..=MAX_POINTS).contains(&self.points) {
            return Err(format!("points {}: use 1 to {MAX_POINTS}", self.points));
        }
        if !(self.noise.is_finite() && (0.0..=1.0).contains(&self.noise)) {
            return Err(format!("noise {}: use a number from 0 to 1", self.noise));
        }
        if !(self.train_ratio > 0.0 && self.train_ratio <= 1.0) {
            return Err(format!("train ratio {}: use a share in (0, 1]", self.train_ratio));
        }
        if self.hidden.len() > MAX_LAYERS || self.hidden.iter().any(|&h| !(1..=MAX_UNITS).contains(&h)) {
            return Err(format!(
                "hidden layers {:?}: at most {MAX_LAYERS} layers of 1 to {MAX_UNITS} units",
                self.hidden
            ));
        }
        if !(1..=MAX_POINTS).contains(&self.batch) {
            return Err(format!("batch {}: use 1 to {MAX_POINTS}", self.batch));
        }
        if !crate::nn::ACTIVATIONS.contains(&self.activation) {
            return Err(format!("activation {}: not one a hidden layer can use", self.activation.name()));
        }
        for (what, v) in [("l1", self.l1), ("l2", self.l2)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("{what} {v}: use a finite number ≥ 0"));
            }
        }
        if self.edits.len() > data::MAX_EDITS {
            return Err(format!("{} points edited by hand: at most {}", self.edits.len(), data::MAX_EDITS));
        }
        if !(self.dropout.is_finite() && (0.0..1.0).contains(&self.dropout)) {
            return Err(format!("dropout {}: use a probability of dropping in [0, 1)", self.dropout));
        }
        self.opt.validate().map_err(|e| format!("optimizer: {e}"))?;
        if let Some(s) = &self.schedule {
            s.validate().map_err(|e| format!("schedule: {e}"))?;
        }
        self.parsed_features()?;
        self.init.validate().map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The CSV data the setup reads, if its data set is the CSV file it carries.
    pub fn csv_in_use(&self) -> Option<&CsvData> {
        self.csv.as_ref().filter(|c| c.name == self.dataset)
    }

    fn parsed_features(&self) -> Result<Vec<Feature>, String> {
        self.features.iter().map(|f| f.parse::<Feature>().map_err(|e| format!("features: {e}"))).collect()
    }

    /// The data, made as `chainrule train` makes it: generated from the seed, the features applied, split with the
    /// seed (the split draws only on the row count, so the plane's points split the same way).
    pub fn data(&self) -> Result<Data, String> {
        self.validate()?;
        let raw = match self.csv_in_use() {
            Some(csv) => data::parse_csv(&csv.text, &csv.name),
            None => data::generate(&self.dataset, self.points, self.noise, self.seed),
        }
        .map_err(|e| e.to_string())?;
        let features = self.parsed_features()?;
        let (mut train_raw, mut test_raw) =
            data::split(&raw, self.train_ratio, self.seed).map_err(|e| e.to_string())?;
        data::apply_edits(&mut train_raw, &mut test_raw, &self.edits).map_err(|e| e.to_string())?;
        let plane = raw.d == 2;
        let (train, test) = if features.is_empty() {
            (train_raw.clone(), test_raw.clone())
        } else {
            let apply = |d: &Dataset| data::with_features(d, &features).map_err(|e| e.to_string());
            (apply(&train_raw)?, apply(&test_raw)?)
        };
        Ok(Data {
            train,
            test,
            train_plane: plane.then_some(train_raw),
            test_plane: plane.then_some(test_raw),
            features,
            classes: raw.class_names,
        })
    }

    /// The network for `data`, as `chainrule train` builds it.
    pub fn spec(&self, data: &Data) -> Result<MlpSpec, String> {
        let classes = data.classes.len();
        let regression = data.train.is_regression();
        let loss = self.loss.unwrap_or(if regression {
            Loss::Mse
        } else if classes == 2 {
            Loss::BceLogits
        } else {
            Loss::SoftmaxCe
        });
        if regression && loss != Loss::Mse {
            return Err(format!(
                "loss {}: {} holds a value per point, which trains with mse (choose mse or auto)",
                loss.name(),
                self.dataset.trim()
            ));
        }
        let mut spec = MlpSpec::classifier(data.train.d, &self.hidden, classes, self.activation, loss)
            .map_err(|e| e.to_string())?;
        spec.init = self.init;
        spec.batchnorm = self.batchnorm;
        spec.dropout = self.dropout;
        spec.l1 = self.l1;
        spec.l2 = self.l2;
        spec.validate().map_err(|e| e.to_string())?;
        Ok(spec)
    }

    /// A fresh trainer (f32, as the command line's default) and its data.
    pub fn trainer(&self) -> Result<(Trainer<f32>, Data), String> {
        self.trainer_keeping(None)
    }

    /// A fresh trainer and its data, starting from `net`'s weights when its network is the one this setup builds
    /// (after an edit by hand, say), else from the seed. The optimizer's state starts afresh either way.
    pub fn trainer_keeping(&self, net: Option<&Mlp<f32>>) -> Result<(Trainer<f32>, Data), String> {
        let data = self.data()?;
        let spec = self.spec(&data)?;
        let mlp = match net {
            Some(net) if net.spec == spec => net.clone(),
            _ => Mlp::<f32>::new(&spec, self.seed).map_err(|e| e.to_string())?,
        };
        let cfg = TrainConfig {
            opt: self.opt,
            schedule: self.schedule,
            epochs: MAX_EPOCHS,
            batch: self.batch,
            seed: self.seed,
            backend: super::Backend::Tensor,
        };
        let mut trainer = Trainer::new(mlp, cfg, (&data.train.x, &data.train.y), (&data.test.x, &data.test.y))
            .map_err(|e| e.to_string())?;
        if data.train.is_regression() {
            trainer = trainer.with_targets(&data.train.targets, &data.test.targets).map_err(|e| e.to_string())?;
        }
        Ok((trainer, data))
    }

    /// Whether `other` draws its data from the same source (set, points, noise, split, seed), so that edits by hand
    /// made on one apply to the other.
    pub fn same_source(&self, other: &Setup) -> bool {
        (self.dataset.trim(), self.points, self.noise, self.train_ratio, self.seed)
            == (other.dataset.trim(), other.points, other.noise, other.train_ratio, other.seed)
    }

    /// Whether `other` differs from this setup in its edits by hand only.
    pub fn differs_in_edits_only(&self, other: &Setup) -> bool {
        self.edits != other.edits
            && Setup { edits: Vec::new(), ..self.clone() } == Setup { edits: Vec::new(), ..other.clone() }
    }

    /// [`Setup::command`] for the window's run of `spec`: the window trains on one thread (the UI keeps the other
    /// core), so where two threads would split the steps ([`super::data_parallel::splits`]) the line says
    /// `--threads 1`, and gives the window's losses to the bit.
    pub fn command_for(&self, epochs: usize, spec: &MlpSpec) -> String {
        let line = self.command(epochs);
        if super::data_parallel::splits(spec, self.batch) { line + " --threads 1" } else { line }
    }

    /// The `chainrule train` line that makes the same run for `epochs` epochs (options at their defaults left out;
    /// points edited by hand cannot be said on the command line and are left out too).
    pub fn command(&self, epochs: usize) -> String {
        let d = Self::default();
        let mut out = format!("chainrule train --dataset {}", self.dataset.trim());
        let mut opt = |flag: &str, value: String, default: String| {
            if value != default {
                out += &format!(" --{flag} {value}");
            }
        };
        opt("points", self.points.to_string(), d.points.to_string());
        opt("noise", self.noise.to_string(), d.noise.to_string());
        opt("train-ratio", self.train_ratio.to_string(), d.train_ratio.to_string());
        opt("features", self.features.join(","), String::new());
        let hidden = if self.hidden.is_empty() {
            "none".to_string()
        } else {
            self.hidden.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(",")
        };
        opt("hidden", hidden, "4,2".into());
        opt("activation", self.activation.name().into(), "tanh".into());
        opt("init", self.init.to_string(), d.init.to_string());
        if self.batchnorm {
            out += " --batchnorm";
        }
        let mut opt = |flag: &str, value: String, default: String| {
            if value != default {
                out += &format!(" --{flag} {value}");
            }
        };
        opt("dropout", self.dropout.to_string(), "0".into());
        opt("loss", self.loss.map(|l| l.name().to_string()).unwrap_or_default(), String::new());
        opt("opt", self.opt.to_string(), d.opt.to_string());
        opt("schedule", self.schedule.map(|s| s.to_string()).unwrap_or_default(), String::new());
        opt("l1", self.l1.to_string(), "0".into());
        opt("l2", self.l2.to_string(), "0".into());
        opt("batch", self.batch.to_string(), d.batch.to_string());
        opt("seed", self.seed.to_string(), d.seed.to_string());
        out += &format!(" --epochs {}", epochs.max(1));
        out
    }
}

/// What an edit of a setup asks of the network ([`Setup::change_to`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing changed.
    Nothing,
    /// Only how it trains (optimizer, schedule, batch size, L1, L2): the trainer is retuned and keeps its weights.
    Training,
    /// The data or the network changed: a fresh network; the fields that changed, named as the learner sees them.
    Fresh(Vec<&'static str>),
}

impl Setup {
    /// What going from this setup to `new` asks: nothing, a retuned trainer on the same weights
    /// ([`Trainer::retune`]), or a fresh network (the data, the layers, the activation, the initializer, batch norm,
    /// dropout, the loss or the seed changed).
    pub fn change_to(&self, new: &Setup) -> Change {
        if self == new {
            return Change::Nothing;
        }
        let training_only = Setup {
            opt: self.opt,
            schedule: self.schedule,
            batch: self.batch,
            l1: self.l1,
            l2: self.l2,
            ..new.clone()
        };
        if training_only == *self {
            return Change::Training;
        }
        let mut named = Vec::new();
        let mut differs = |what: &'static str, changed: bool| {
            if changed {
                named.push(what);
            }
        };
        differs("the layers", self.hidden != new.hidden);
        differs("the activation", self.activation != new.activation);
        differs("the initializer", self.init != new.init);
        differs("batch norm", self.batchnorm != new.batchnorm);
        differs("dropout", self.dropout != new.dropout);
        differs("the loss", self.loss != new.loss);
        differs("the seed", self.seed != new.seed);
        differs("the features", self.features != new.features);
        if named.is_empty() {
            named.push("the data");
        }
        Change::Fresh(named)
    }

    /// Retunes `trainer` (built from this setup, or retuned to it) to `new`'s training settings; see
    /// [`Trainer::retune`].
    pub fn retune<T: Element>(new: &Setup, trainer: &mut Trainer<T>) -> Result<super::Retuned, String> {
        trainer.retune(new.opt, new.schedule, new.batch, new.l1, new.l2).map_err(|e| e.to_string())
    }
}

/// Trained weights, as a setup file may carry them: every parameter, flat, in the network's order, and each
/// batch-norm layer's running statistics (mean then variance).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    /// Every parameter, in the store's order.
    pub params: Vec<f32>,
    /// Each batch-norm layer's running statistics.
    #[serde(default)]
    pub running: Vec<Vec<f32>>,
}

impl Weights {
    /// The weights of `mlp`.
    pub fn of(mlp: &Mlp<f32>) -> Self {
        let running = (mlp.layers.iter())
            .filter_map(|l| match l {
                MlpLayer::BatchNorm { running, .. } => Some(running.clone()),
                _ => None,
            })
            .collect();
        Self { params: mlp.params().values().to_vec(), running }
    }

    /// Puts these weights into `mlp`, an untrusted input: every count must equal the network's, every value be
    /// finite, and every running variance non-negative; otherwise `mlp` is left as it was and the message says what
    /// does not fit.
    pub fn load_into(&self, mlp: &mut Mlp<f32>) -> Result<(), String> {
        let want = mlp.params().values().len();
        if self.params.len() != want {
            return Err(format!(
                "the weights hold {} parameters and the network {} has {want}",
                self.params.len(),
                mlp.spec.describe()
            ));
        }
        if let Some(i) = self.params.iter().position(|v| !v.is_finite()) {
            return Err(format!("parameter {i} is {}, not a finite number", self.params[i]));
        }
        for (k, r) in self.running.iter().enumerate() {
            if r.iter().any(|v| !v.is_finite()) || r[r.len() / 2..].iter().any(|&v| v < 0.0) {
                return Err(format!(
                    "batch-norm layer {}: running statistics that are not finite or a variance < 0",
                    k + 1
                ));
            }
        }
        let snapshot = Snapshot {
            epoch: 0,
            steps: 0,
            params: self.params.clone(),
            running: self.running.clone(),
            history: Vec::new(),
            loss: f64::NAN,
        };
        mlp.load_snapshot(&snapshot).map_err(|e| e.to_string())
    }
}

impl Setup {
    /// The setup that holds `model` (a network opened from a file, [`Mlp::open`]) on this setup's data: its layers,
    /// activation, batch norm, dropout, loss and penalties. Refused, in words, when the playground cannot hold it
    /// (more than [`MAX_LAYERS`] layers or [`MAX_UNITS`] units, mixed activations) or when it does not read this
    /// data (another number of inputs or classes).
    pub fn holding(&self, model: &MlpSpec, data: &Data) -> Result<Setup, String> {
        if model.inputs != data.train.d {
            return Err(format!(
                "the model reads {} inputs and the playground's data have {} (choose its data set or features first)",
                model.inputs, data.train.d
            ));
        }
        let activation = *model.activations.first().unwrap_or(&self.activation);
        if model.activations.iter().any(|&a| a != activation) {
            return Err("its hidden layers use different activations; the playground uses one for all".into());
        }
        let s = Setup {
            hidden: model.hidden.clone(),
            activation,
            batchnorm: model.batchnorm,
            dropout: model.dropout,
            loss: Some(model.loss),
            l1: model.l1,
            l2: model.l2,
            ..self.clone()
        };
        s.validate().map_err(|e| format!("the playground cannot hold it: {e}"))?;
        let spec = s.spec(data)?;
        if spec.outputs != model.outputs {
            return Err(format!(
                "the model has {} outputs and the playground's data have {} classes",
                model.outputs,
                data.classes.len()
            ));
        }
        Ok(s)
    }
}

/// The largest setup file read: a setup is well under a kilobyte, and one carrying a CSV file holds its text, which
/// JSON's escapes may at most double.
pub const MAX_SETUP_BYTES: u64 = 64 * 1024 + 2 * data::MAX_CSV_BYTES;

/// The tag a setup file starts with, so that another JSON file is refused in words.
pub const SETUP_FORMAT: &str = "chainrule-playground";

/// A setup file: its format tag and version, and the setup.
#[derive(Serialize, Deserialize)]
struct SetupFile {
    format: String,
    version: u32,
    setup: Setup,
    /// The trained weights, when saved with them (readers that do not know the field ignore it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weights: Option<Weights>,
}

impl Setup {
    /// The setup as a file's text (JSON, tagged with [`SETUP_FORMAT`] and version 1).
    pub fn to_file_text(&self) -> String {
        self.to_file_text_with(None)
    }

    /// The setup as a file's text, with the trained weights if given.
    pub fn to_file_text_with(&self, weights: Option<&Weights>) -> String {
        let file =
            SetupFile { format: SETUP_FORMAT.into(), version: 1, setup: self.clone(), weights: weights.cloned() };
        serde_json::to_string_pretty(&file).expect("a setup is plain data")
    }

    /// Reads a setup file's text, an untrusted input: refuses text over [`MAX_SETUP_BYTES`], another format or
    /// version, and a setup [`Setup::validate`] refuses, saying which.
    pub fn from_file_text(text: &str) -> Result<Self, String> {
        Self::read_file_text(text).map(|(setup, _)| setup)
    }

    /// [`Setup::from_file_text`], with the weights the file carries, if any: their counts are checked against the
    /// setup's network (built, not trained) before they are handed back. The file's size bound ([`MAX_SETUP_BYTES`])
    /// bounds what is read before any count is known.
    pub fn read_file_text(text: &str) -> Result<(Self, Option<Weights>), String> {
        if text.len() as u64 > MAX_SETUP_BYTES {
            return Err(format!("{} bytes, more than a setup file's {MAX_SETUP_BYTES}", text.len()));
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(SETUP_FORMAT) {
            return Err(format!("not a playground setup (it has no \"format\": \"{SETUP_FORMAT}\")"));
        }
        let file: SetupFile = serde_json::from_value(value).map_err(|e| format!("a setup that cannot be read: {e}"))?;
        if file.version != 1 {
            return Err(format!("format version {}, and this chainrule reads version 1", file.version));
        }
        file.setup.validate()?;
        if let Some(w) = &file.weights {
            let data = file.setup.data()?;
            let spec = file.setup.spec(&data)?;
            let mut mlp = Mlp::<f32>::new(&spec, file.setup.seed).map_err(|e| e.to_string())?;
            w.load_into(&mut mlp).map_err(|e| format!("its weights: {e}"))?;
        }
        Ok((file.setup, file.weights))
    }
}

/// How much a [`Run`] trains before it stops by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// This many minibatch steps.
    Steps(u64),
    /// Until this many more epochs have finished.
    Epochs(usize),
    /// Until asked to stop.
    Forever,
}

/// Why a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ended {
    /// Its budget was spent.
    Budget,
    /// It was asked to stop.
    Asked,
    /// The loss or a weight stopped being a finite number at this step (1-based); the weights are those of the
    /// step before.
    Diverged(u64),
    /// The trainer failed.
    Failed(String),
}

/// What a run published last: the weights (a [`Snapshot`] without history), the epochs finished since the last
/// read, and each linear layer's update-to-weight ratio of the latest step.
#[derive(Clone, Debug)]
pub struct Progress<T> {
    /// The weights and counters (its `history` is empty: see `epochs`).
    pub snapshot: Snapshot<T>,
    /// Epochs finished since the frame last read.
    pub epochs: Vec<EpochStats>,
    /// ‖ΔW‖/‖W‖ of the latest step, per linear layer (cs231n: about 1e-3 is healthy).
    pub update_ratios: Vec<f64>,
    /// How the run ended, once it has.
    pub ended: Option<Ended>,
    /// Counts publications, so a reader knows what is new.
    pub version: u64,
    /// The latest drawing of a run started with a [`Drawing`], handed over once.
    pub drawn: Option<Arc<Drawn>>,
}

/// What a run draws beside its training, for the window ([`Run::start_drawing`]): the unit maps over the plane and
/// the health monitors, made on the worker from its latest weights at most every `every`, so that the frame only
/// colours them (on the UI thread they took 3 ms of a frame every 50 ms: `cargo bench --bench playground`). The
/// worker draws on a copy of the network, so the run's numbers are those of a run that does not draw.
#[derive(Clone, Debug)]
pub struct Drawing {
    /// The input features of the maps' grid points.
    pub features: Vec<Feature>,
    /// The plane the maps cover (None: the data are not 2-D, no maps).
    pub plane: Option<Plane>,
    /// Grid points per side of a map.
    pub size: usize,
    /// The set whose first rows the health monitors look at ([`super::health::layer_health_on`]).
    pub monitored: Dataset,
    /// The least time between two drawings.
    pub every: Duration,
}

/// One drawing of a run: its maps and its health monitors, and the step whose weights they show.
#[derive(Clone, Debug, Default)]
pub struct Drawn {
    /// The maps (None when the data are not 2-D, or the network could not be run).
    pub maps: Option<UnitMaps>,
    /// The health monitors.
    pub health: Vec<super::health::LayerHealth>,
    /// The steps done when drawn.
    pub steps: u64,
}

impl Drawing {
    /// Draws `net` (whose latest update-to-weight ratios are `ratios`).
    fn draw<T: Element>(&self, net: &mut Mlp<T>, ratios: &[f64], steps: u64) -> Drawn {
        let maps = self.plane.and_then(|plane| unit_maps(net, &self.features, &plane, self.size).ok());
        let health = super::health::layer_health_on(net, &self.monitored, ratios).unwrap_or_default();
        Drawn { maps, health, steps }
    }
}

/// A training run on its own thread: it publishes its [`Progress`] at most every `every` (and when it ends); the
/// frame reads it with [`Run::take`], never waiting for a step. A run stopped part-way through an epoch goes on with
/// it when restarted ([`Trainer::run_epoch_with`]), so pausing does not change the run.
pub struct Run<T: Element> {
    shared: Arc<Mutex<Progress<T>>>,
    stop: Arc<AtomicBool>,
    /// The most steps a second (0: as fast as it can), read by the worker after every step.
    speed: Arc<AtomicU64>,
    handle: Option<JoinHandle<Trainer<T>>>,
    seen: u64,
}

impl<T: Element> Run<T> {
    /// Starts training `trainer` on a new thread for `budget`, publishing at most every `every`.
    pub fn start(trainer: Trainer<T>, budget: Budget, every: Duration) -> Self {
        Self::start_capped(trainer, budget, every, None)
    }

    /// [`Run::start`] capped at `steps_per_second` from its first step (see [`Run::set_speed`]).
    pub fn start_capped(trainer: Trainer<T>, budget: Budget, every: Duration, steps_per_second: Option<u32>) -> Self {
        Self::start_drawing(trainer, budget, every, steps_per_second, None)
    }

    /// [`Run::start_capped`], drawing the network as `drawing` asks while it trains (see [`Drawing`]).
    pub fn start_drawing(
        mut trainer: Trainer<T>,
        budget: Budget,
        every: Duration,
        steps_per_second: Option<u32>,
        drawing: Option<Drawing>,
    ) -> Self {
        let shared = Arc::new(Mutex::new(Progress {
            snapshot: light_snapshot(&trainer),
            epochs: Vec::new(),
            update_ratios: Vec::new(),
            ended: None,
            version: 0,
            drawn: None,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let speed = Arc::new(AtomicU64::new(steps_per_second.map_or(0, |s| u64::from(s.max(1)))));
        let (out, asked, cap) = (shared.clone(), stop.clone(), speed.clone());
        let handle = std::thread::spawn(move || {
            // beside the window: the UI thread keeps a core (see `Setup::command_for`)
            crate::parallel::cap_this_thread(1);
            crate::parallel::yield_to_ui();
            let mut artist = drawing.map(|d| Artist::new(d, &trainer.mlp));
            let ended = train_for(&mut trainer, budget, every, &out, &asked, &cap, artist.as_mut());
            let mut p = out.lock().unwrap_or_else(|e| e.into_inner());
            p.snapshot = light_snapshot(&trainer);
            p.ended = Some(ended);
            p.version += 1;
            drop(p);
            trainer
        });
        Self { shared, stop, speed, handle: Some(handle), seen: 0 }
    }

    /// Caps the run at `steps_per_second` (None: as fast as it can), from the next step on. A capped worker sleeps
    /// between steps (in slices of at most [`THROTTLE_SLICE`], so a stop is heard at once); it never spins.
    pub fn set_speed(&self, steps_per_second: Option<u32>) {
        self.speed.store(steps_per_second.map_or(0, |s| u64::from(s.max(1))), Ordering::Relaxed);
    }

    /// What was published since the last call (its epochs are handed over once), or None if nothing new.
    pub fn take(&mut self) -> Option<Progress<T>> {
        let mut p = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        if p.version == self.seen {
            return None;
        }
        self.seen = p.version;
        let epochs = std::mem::take(&mut p.epochs);
        Some(Progress {
            snapshot: p.snapshot.clone(),
            epochs,
            update_ratios: p.update_ratios.clone(),
            ended: p.ended.clone(),
            version: p.version,
            drawn: p.drawn.take(),
        })
    }

    /// Asks the run to stop after the step under way.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Whether the thread has ended (then [`Run::join`] returns at once).
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Waits for the thread (at most one step once [`Run::stop`] was called) and returns the trainer.
    pub fn join(mut self) -> Result<Trainer<T>, String> {
        let h = self.handle.take().expect("joined once");
        h.join().map_err(|_| "the training thread stopped with a panic".to_string())
    }
}

/// The longest sleep of a throttled run before it looks at the stop flag again.
pub const THROTTLE_SLICE: Duration = Duration::from_millis(10);

/// Sleeps until `done` steps since `since` are no more than `cap` a second allows (in slices, stopping early when a
/// stop is asked). Returns at once when uncapped.
fn throttle(cap: u64, since: Instant, done: u64, asked: &AtomicBool) {
    if cap == 0 {
        return;
    }
    let due = Duration::from_secs_f64(done as f64 / cap as f64);
    loop {
        let elapsed = since.elapsed();
        if elapsed >= due || asked.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep((due - elapsed).min(THROTTLE_SLICE));
    }
}

/// The trainer's weights and counters, without the history (which the run hands over epoch by epoch).
fn light_snapshot<T: Element>(t: &Trainer<T>) -> Snapshot<T> {
    Snapshot {
        epoch: t.history.len(),
        steps: t.steps(),
        params: t.mlp.params().values().to_vec(),
        running: (t.mlp.layers.iter())
            .filter_map(|l| match l {
                MlpLayer::BatchNorm { running, .. } => Some(running.clone()),
                _ => None,
            })
            .collect(),
        history: Vec::new(),
        loss: t.last_loss(),
    }
}

/// A [`Drawing`] on the worker, with its copy of the network.
struct Artist<T: Element> {
    drawing: Drawing,
    net: Mlp<T>,
    last: Option<Instant>,
}

impl<T: Element> Artist<T> {
    fn new(drawing: Drawing, mlp: &Mlp<T>) -> Self {
        Self { drawing, net: mlp.clone(), last: None }
    }

    /// A drawing of `snapshot`'s weights, if the last one is at least `every` old.
    fn draw(&mut self, snapshot: &Snapshot<T>, ratios: &[f64]) -> Option<Arc<Drawn>> {
        if self.last.is_some_and(|t| t.elapsed() < self.drawing.every) {
            return None;
        }
        self.last = Some(Instant::now());
        self.net.load_snapshot(snapshot).ok()?;
        Some(Arc::new(self.drawing.draw(&mut self.net, ratios, snapshot.steps)))
    }
}

/// The run's loop: steps until the budget is spent, a stop is asked, or the loss diverges; publishes on the way
/// (and draws, when asked, right after publishing, outside the lock).
fn train_for<T: Element>(
    t: &mut Trainer<T>,
    budget: Budget,
    every: Duration,
    out: &Mutex<Progress<T>>,
    asked: &AtomicBool,
    speed: &AtomicU64,
    mut artist: Option<&mut Artist<T>>,
) -> Ended {
    let start_steps = t.steps();
    // the throttle counts from the latest change of the cap
    let mut paced = (speed.load(Ordering::Relaxed), Instant::now(), t.steps());
    let start_epochs = t.history.len();
    // the weights before the latest step: kept while finite, for the ratios and to fall back on
    let mut before: Vec<T> = t.mlp.params().values().to_vec();
    let mut last_publish = Instant::now();
    let mut ended = None;
    loop {
        let epoch_done = t.run_epoch_with(|t| {
            let now = t.mlp.params().values();
            let finite = t.last_loss().is_finite() && now.iter().all(|v| v.as_f64().is_finite());
            if !finite {
                ended = Some(Ended::Diverged(t.steps()));
                return false;
            }
            if last_publish.elapsed() >= every {
                last_publish = Instant::now();
                let ratios = super::health::update_ratios(&t.mlp, &before);
                let snapshot = light_snapshot(t);
                let drawn = artist.as_mut().and_then(|a| a.draw(&snapshot, &ratios));
                let mut p = out.lock().unwrap_or_else(|e| e.into_inner());
                p.snapshot = snapshot;
                p.update_ratios = ratios;
                if drawn.is_some() {
                    p.drawn = drawn;
                }
                p.version += 1;
            }
            before.copy_from_slice(now);
            let cap = speed.load(Ordering::Relaxed);
            if cap != paced.0 {
                paced = (cap, Instant::now(), t.steps() - 1);
            }
            throttle(cap, paced.1, t.steps() - paced.2, asked);
            if asked.load(Ordering::Relaxed) {
                ended = Some(Ended::Asked);
                return false;
            }
            if let Budget::Steps(n) = budget
                && t.steps() - start_steps >= n
            {
                ended = Some(Ended::Budget);
                return false;
            }
            true
        });
        match epoch_done {
            Err(e) => return Ended::Failed(e.to_string()),
            Ok(Some(stats)) => {
                let mut p = out.lock().unwrap_or_else(|e| e.into_inner());
                p.epochs.push(stats);
                if !stats.train_loss.is_finite() && ended.is_none() {
                    ended = Some(Ended::Diverged(t.steps()));
                }
            }
            Ok(None) => {}
        }
        if let Some(Ended::Diverged(_)) = ended {
            // back to the last finite weights; the optimizer's state is left as it was (a reset starts again)
            t.mlp.params_mut().values_mut().copy_from_slice(&before);
        }
        if let Some(e) = ended {
            return e;
        }
        if let Budget::Epochs(n) = budget
            && t.history.len() - start_epochs >= n
        {
            return Ended::Budget;
        }
        if asked.load(Ordering::Relaxed) {
            return Ended::Asked;
        }
    }
}

/// A rectangle of the input plane.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plane {
    /// x from, to.
    pub x: [f64; 2],
    /// y from, to.
    pub y: [f64; 2],
}

impl Plane {
    /// A square around every point of the sets (x, y in their first two columns), with a 10 % margin; TensorFlow
    /// Playground's [−6, 6]² when there are none.
    pub fn around(sets: &[&Dataset]) -> Self {
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for d in sets.iter().filter(|d| d.d >= 2) {
            for row in d.x.chunks_exact(d.d) {
                for k in 0..2 {
                    lo[k] = lo[k].min(row[k]);
                    hi[k] = hi[k].max(row[k]);
                }
            }
        }
        if !(lo[0].is_finite() && hi[0].is_finite() && lo[1].is_finite() && hi[1].is_finite()) {
            return Self { x: [-6.0, 6.0], y: [-6.0, 6.0] };
        }
        let half = ((hi[0] - lo[0]).max(hi[1] - lo[1]) * 0.55).max(1e-3);
        let (cx, cy) = ((lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0);
        Self { x: [cx - half, cx + half], y: [cy - half, cy + half] }
    }

    /// The centre of grid cell (row, column) of a `size × size` grid, row 0 at the top (largest y).
    pub fn cell(&self, row: usize, col: usize, size: usize) -> [f64; 2] {
        let s = size as f64;
        [
            self.x[0] + (col as f64 + 0.5) / s * (self.x[1] - self.x[0]),
            self.y[1] - (row as f64 + 0.5) / s * (self.y[1] - self.y[0]),
        ]
    }
}

/// Every unit's picture over the plane, and the output's class probabilities.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnitMaps {
    /// Grid points per side.
    pub size: usize,
    /// Each input feature's value, size² per feature, row-major (row 0 at the top).
    pub inputs: Vec<Vec<f32>>,
    /// `hidden[l][u]`: hidden layer l's unit u's output (after its activation), size² values.
    pub hidden: Vec<Vec<Vec<f32>>>,
    /// Classes (2 for a one-output network).
    pub classes: usize,
    /// Each grid point's class probabilities, size² × classes, row-major.
    pub probs: Vec<f32>,
}

impl UnitMaps {
    /// The most likely class at grid point `i` and its probability.
    pub fn class_at(&self, i: usize) -> (usize, f32) {
        let row = &self.probs[i * self.classes..(i + 1) * self.classes];
        let mut best = 0;
        for (j, &p) in row.iter().enumerate() {
            if p > row[best] {
                best = j;
            }
        }
        (best, row[best])
    }
}

/// The grid's points mapped through the features (the network's input rows), size² rows.
pub fn grid_inputs(plane: &Plane, size: usize, features: &[Feature]) -> Vec<f64> {
    let mut x = Vec::with_capacity(size * size * features.len().max(2));
    for r in 0..size {
        for c in 0..size {
            let [px, py] = plane.cell(r, c, size);
            if features.is_empty() {
                x.extend([px, py]);
            } else {
                x.extend(features.iter().map(|f| f.eval(px, py)));
            }
        }
    }
    x
}

/// Every unit's map and the output's probabilities over a `size × size` grid of `plane` ([module docs](self)).
pub fn unit_maps<T: Element>(
    mlp: &mut Mlp<T>,
    features: &[Feature],
    plane: &Plane,
    size: usize,
) -> Result<UnitMaps, NnError> {
    let n = size * size;
    let x: Vec<T> = grid_inputs(plane, size, features).into_iter().map(T::from_f64).collect();
    let d = mlp.spec.inputs;
    if x.len() != n * d {
        return Err(NnError::Size { what: "the network's inputs (the plane has 2 or the features' count)", got: d });
    }
    let inputs: Vec<Vec<f32>> = (0..d).map(|j| (0..n).map(|i| x[i * d + j].as_f64() as f32).collect()).collect();
    let trace = mlp.activations(&x, n)?;
    let mut hidden = Vec::new();
    for (k, layer) in mlp.layers.iter().enumerate() {
        if let MlpLayer::Activation(_) = layer {
            let (rows, cols) = mlp.tape.shape(trace[k]);
            let v = mlp.tape.value(trace[k]);
            hidden.push((0..cols).map(|u| (0..rows).map(|i| v[i * cols + u].as_f64() as f32).collect()).collect());
        }
    }
    let scores = mlp.tape.value(*trace.last().expect("a network has an output layer"));
    let k = mlp.spec.outputs;
    let mut probs = Vec::with_capacity(n * k.max(2));
    if k == 1 {
        for s in scores {
            let s = s.as_f64();
            let p = match mlp.spec.loss {
                Loss::BceLogits => 1.0 / (1.0 + (-s).exp()),
                _ => ((s + 1.0) / 2.0).clamp(0.0, 1.0),
            };
            probs.extend([(1.0 - p) as f32, p as f32]);
        }
    } else {
        for row in scores.chunks_exact(k) {
            let m = row.iter().map(|v| v.as_f64()).fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = row.iter().map(|v| (v.as_f64() - m).exp()).collect();
            let sum: f64 = e.iter().sum();
            probs.extend(e.iter().map(|v| (v / sum) as f32));
        }
    }
    Ok(UnitMaps { size, inputs, hidden, classes: k.max(2), probs })
}

/// Which value of the network a graph is opened for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// The loss of the point (data loss and penalties).
    Loss,
    /// Unit `unit` (0-based) of linear layer `layer` (1-based; the last is the output): its value after the
    /// activation (for a hidden unit without batch norm), as the network's groups `l{layer}.n{unit}` end.
    Unit {
        /// The linear layer, 1-based.
        layer: usize,
        /// The unit, 0-based.
        unit: usize,
    },
}

/// A network's computation on one point as a scalar graph for the backprop view: the graph, its output node and its
/// groups (by layer and neuron), forward values computed.
#[derive(Clone, Debug)]
pub struct OpenedGraph {
    /// The graph (only what the output needs).
    pub graph: Graph,
    /// The chosen value.
    pub output: NodeId,
    /// `l1`, `l1.n0`, ... as [`Mlp::scalar_graph`] names them.
    pub groups: Groups,
}

/// What a point's loss compares the network's output with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Truth {
    /// A class (a classification).
    Class(usize),
    /// A real value (a regression: mse on one output).
    Value(f64),
}

/// The computation of `target` on the point `x` (one row of the network's inputs) whose answer is `truth`, from
/// [`Mlp::scalar_graph_on`] in evaluation mode, cut down to what the target depends on. Its values (and, after a
/// backward pass, its gradients) are the network's own in f64. O(parameters).
pub fn unit_graph<T: Element>(mlp: &Mlp<T>, x: &[f64], truth: Truth, target: Target) -> Result<OpenedGraph, String> {
    if x.len() != mlp.spec.inputs {
        return Err(format!("the point has {} values and the network reads {}", x.len(), mlp.spec.inputs));
    }
    let targets: Vec<f64> = match truth {
        Truth::Class(label) => {
            let mut t = Vec::new();
            mlp.targets(&[label], &mut t);
            t.into_iter().map(|v| v.as_f64()).collect()
        }
        Truth::Value(v) if mlp.spec.loss == Loss::Mse && mlp.spec.outputs == 1 => vec![v],
        Truth::Value(_) => return Err("a real-valued answer needs a network with one output trained with mse".into()),
    };
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
    let net = mlp.scalar_graph_on(x, 1, &targets, Mode::Eval, &mut rng);
    let output = match target {
        Target::Loss => net.loss,
        Target::Unit { layer, unit } => {
            let path = format!("l{layer}.n{unit}");
            let gid = net.groups.find(&path).ok_or_else(|| format!("the network has no unit {path}"))?;
            net.groups.outputs(&net.graph, net.loss)[gid as usize]
                .0
                .ok_or_else(|| format!("the unit {path} has no value node"))?
        }
    };
    let (graph, output, groups) = prune(&net.graph, &net.groups, output);
    Ok(OpenedGraph { graph, output, groups })
}

/// The part of `g` that `output` depends on, in the same order, with its labels and groups. O(nodes · depth).
fn prune(g: &Graph, groups: &Groups, output: NodeId) -> (Graph, NodeId, Groups) {
    let reach = g.ancestors(output);
    let mut out = Graph::with_capacity(reach.iter().filter(|&&r| r).count());
    let mut map = vec![NodeId(0); reach.len()];
    let mut builder = GroupsBuilder::new(0);
    for (i, _) in reach.iter().enumerate().filter(|(_, r)| **r) {
        let id = NodeId(i as u32);
        let new = match g.op(id) {
            Op::Leaf => match g.label(id) {
                Some(l) => out.named_leaf(l, g.value(id)),
                None => out.leaf(g.value(id)),
            },
            Op::Const => {
                let c = out.constant(g.value(id));
                if let Some(l) = g.label(id) {
                    out.set_label(c, l);
                }
                c
            }
            Op::Unary(u, a) => out.unary(u, map[a as usize]),
            Op::Binary(b, x, y) => out.binary(b, map[x as usize], map[y as usize]),
        };
        if !matches!(g.op(id), Op::Leaf | Op::Const)
            && let Some(l) = g.label(id)
        {
            out.set_label(new, l);
        }
        if let Some(gid) = groups.of(id) {
            let path = groups.group(gid).path.clone();
            let ng = builder.group(&path);
            builder.assign(new, ng);
        }
        map[i] = new;
    }
    let n = out.len();
    (out, map[output.index()], builder.finish_for(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_setup_builds_what_the_command_line_builds() {
        let s = Setup::default();
        let (t, data) = s.trainer().expect("valid");
        assert_eq!((data.train.n(), data.test.n(), data.train.d), (250, 250, 2));
        assert_eq!(t.mlp.spec.describe(), "2-4-2-1, tanh");
        assert_eq!(s.command(3), "chainrule train --dataset circle --epochs 3");
        let mut s = s;
        s.dataset = "spiral".into();
        s.hidden = vec![8, 8];
        s.features = vec!["x".into(), "y".into(), "x2".into()];
        s.opt = "adam:lr=0.01".parse().expect("valid");
        assert_eq!(
            s.command(0),
            "chainrule train --dataset spiral --features x,y,x2 --hidden 8,8 --opt adam:lr=0.01 --epochs 1"
        );
        let (_, data) = s.trainer().expect("valid");
        assert_eq!(data.train.d, 3);
        // the plane's points are the rows the features were computed from: x² of row 0 is x of row 0, squared
        let p = data.train_plane.expect("2-D");
        assert_eq!(data.train.x[2], p.x[0] * p.x[0]);
    }

    #[test]
    fn points_edited_by_hand_are_in_the_data_and_keep_the_weights() {
        let s = Setup { dataset: "xor".into(), points: 100, ..Setup::default() };
        let (mut t, before) = s.trainer().expect("valid");
        t.run_epoch().expect("trains");
        let mut e = s.clone();
        e.edits =
            vec![PointEdit::Add { x: 4.0, y: -4.0, class: 1 }, PointEdit::Delete { part: data::Part::Test, index: 0 }];
        assert!(e.differs_in_edits_only(&s) && e.same_source(&s));
        assert!(!Setup { seed: 1, ..e.clone() }.same_source(&s));
        let (kept, after) = e.trainer_keeping(Some(&t.mlp)).expect("valid");
        assert_eq!((after.train.n(), after.test.n()), (before.train.n() + 1, before.test.n() - 1));
        assert_eq!(after.train.row(after.train.n() - 1), &[4.0, -4.0]);
        assert_eq!(after.train_plane.as_ref().expect("2-D").y.last(), Some(&1));
        assert_eq!(kept.mlp.params().values(), t.mlp.params().values());
        // a network of another shape is not kept: the seed's weights
        let other = Setup { hidden: vec![3], ..e.clone() };
        let (fresh, _) = other.trainer_keeping(Some(&t.mlp)).expect("valid");
        assert_eq!(fresh.mlp.params().values(), other.trainer().expect("valid").0.mlp.params().values());
        // an edit that does not fit the data is refused with its place
        let bad = Setup { edits: vec![PointEdit::Delete { part: data::Part::Test, index: 999 }], ..s.clone() };
        assert!(bad.data().expect_err("refused").contains("(edit 1): no test point 999"));
        // the edits are saved, and a setup without any writes none
        assert_eq!(Setup::from_file_text(&e.to_file_text()).expect("reads"), e);
        assert!(!s.to_file_text().contains("edits"));
    }

    #[test]
    fn a_csv_setup_reads_its_text_while_its_name_is_the_data_set() {
        let text = "a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n0,1,0,y\n";
        let csv = CsvData { name: "/tmp/four.csv".into(), text: text.into() };
        let s = Setup { dataset: csv.name.clone(), csv: Some(csv.clone()), train_ratio: 0.75, ..Setup::default() };
        let data = s.data().expect("valid");
        assert_eq!((data.train.n(), data.test.n(), data.train.d), (3, 1, 3));
        assert_eq!(data.classes, vec!["x".to_string(), "y".to_string()]);
        assert!(!data.is_plane());
        assert_eq!(Setup::from_file_text(&s.to_file_text()).expect("reads"), s);
        assert!(s.command(2).starts_with("chainrule train --dataset /tmp/four.csv --train-ratio 0.75"));
        // another data set chosen: the CSV is not read
        let other = Setup { dataset: "xor".into(), ..s.clone() };
        assert!(other.csv_in_use().is_none() && other.data().expect("valid").is_plane());
        let big = CsvData { text: "1,2\n".repeat(300_000), ..csv.clone() };
        let e = Setup { csv: Some(big), ..s.clone() }.validate().expect_err("refused");
        assert!(e.contains("more than 1048576"), "{e}");
        let bad = CsvData { text: "a,b\n1,x\n2,y\n3,q\n1,\n".into(), ..csv };
        let e = Setup { csv: Some(bad), ..s }.data().expect_err("refused");
        assert!(e.contains("line 5, column 2"), "{e}");
    }

    #[test]
    fn a_setup_file_round_trips_and_a_bad_one_says_why() {
        let s = Setup { dataset: "moons".into(), hidden: vec![8, 3], noise: 0.2, ..Setup::default() };
        assert_eq!(Setup::from_file_text(&s.to_file_text()).expect("reads"), s);
        let e = |t: &str| Setup::from_file_text(t).expect_err("refused");
        assert!(e("{").starts_with("not JSON"));
        assert!(e("{\"setup\": {}}").starts_with("not a playground setup"));
        let other = s.to_file_text().replace("\"version\": 1", "\"version\": 7");
        assert!(e(&other).starts_with("format version 7"));
        let wide = s.to_file_text().replace("8,\n      3", "8,\n      300");
        assert!(e(&wide).contains("at most 6 layers of 1 to 8 units"), "{}", e(&wide));
        assert!(e(&" ".repeat(MAX_SETUP_BYTES as usize + 1)).contains("more than a setup file's"));
    }

    #[test]
    fn bad_setups_name_their_field() {
        let bad = |f: fn(&mut Setup)| {
            let mut s = Setup::default();
            f(&mut s);
            s.validate().expect_err("refused")
        };
        assert!(bad(|s| s.points = 0).starts_with("points 0"));
        assert!(bad(|s| s.hidden = vec![9]).contains("at most 6 layers of 1 to 8 units"));
        assert!(bad(|s| s.noise = f64::NAN).starts_with("noise"));
        assert!(bad(|s| s.dataset = "nope".into()).contains("use one of circle"));
        assert!(bad(|s| s.features = vec!["z".into()]).starts_with("features"));
        assert!(bad(|s| s.batch = 0).starts_with("batch 0"));
    }

    #[test]
    fn a_run_paused_and_resumed_is_the_run_straight_through() {
        let s = Setup { dataset: "xor".into(), points: 200, ..Setup::default() };
        let (mut straight, _) = s.trainer().expect("valid");
        for _ in 0..3 {
            straight.run_epoch().expect("trains");
        }
        let (t, _) = s.trainer().expect("valid");
        // 100 training rows in batches of 10: 30 steps in three runs of 7, 11 and 12 steps
        let mut t = t;
        for n in [7, 11, 12] {
            let mut run = Run::start(t, Budget::Steps(n), Duration::from_secs(1));
            while !run.is_finished() {
                std::thread::sleep(Duration::from_millis(1));
            }
            let p = run.take().expect("published at the end");
            assert_eq!(p.ended, Some(Ended::Budget));
            t = run.join().expect("joins");
        }
        assert_eq!(t.steps(), 30);
        assert_eq!(t.history.len(), 2, "the third epoch's evaluation comes with the next step");
        let run = Run::start(t, Budget::Epochs(1), Duration::from_secs(1));
        while !run.is_finished() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let t = run.join().expect("joins");
        assert_eq!(t.steps(), 30);
        assert_eq!(t.history, straight.history);
        assert_eq!(t.mlp.params().values(), straight.mlp.params().values());
    }

    #[test]
    fn a_drawing_run_draws_its_weights_as_the_frame_would_and_trains_as_one_that_does_not() {
        let s = Setup { dataset: "xor".into(), points: 200, hidden: vec![3, 2], ..Setup::default() };
        let (plain, data) = s.trainer().expect("valid");
        let (drawing_trainer, _) = s.trainer().expect("valid");
        let (train, test) = (data.train_plane.as_ref().expect("2-D"), data.test_plane.as_ref().expect("2-D"));
        let drawing = Drawing {
            features: data.features.clone(),
            plane: Some(Plane::around(&[train, test])),
            size: 16,
            monitored: data.train.clone(),
            every: Duration::ZERO,
        };
        let finish = |mut run: Run<f32>| {
            while !run.is_finished() {
                std::thread::sleep(Duration::from_millis(1));
            }
            let p = run.take().expect("published");
            (p, run.join().expect("joins"))
        };
        let (_, plain) = finish(Run::start(plain, Budget::Steps(25), Duration::ZERO));
        let run = Run::start_drawing(drawing_trainer, Budget::Steps(25), Duration::ZERO, None, Some(drawing.clone()));
        let (p, mut drawn_run) = finish(run);
        assert_eq!(drawn_run.mlp.params().values(), plain.mlp.params().values(), "drawing changes nothing");
        let drawn = p.drawn.expect("a drawing came with the progress");
        assert_eq!(drawn.steps, 25);
        let want = unit_maps(&mut drawn_run.mlp, &drawing.features, &drawing.plane.expect("2-D"), 16).expect("maps");
        assert_eq!(drawn.maps.as_ref(), Some(&want), "the maps of the last step's weights");
        let health = super::super::health::layer_health_on(&mut drawn_run.mlp, &data.train, &p.update_ratios);
        assert_eq!(drawn.health, health.expect("monitors"));
        assert_eq!(drawn.health.len(), 2, "a monitor a hidden layer");
    }

    #[test]
    fn a_diverging_run_stops_with_its_step_and_keeps_the_last_finite_weights() {
        // ReLU units pass the blown-up weights on unbounded: the scores overflow f32 within a few steps (tanh would
        // keep them bounded, and the run finite)
        let s = Setup { activation: Unary::Relu, opt: "sgd:lr=1e30".parse().expect("valid"), ..Setup::default() };
        let (t, _) = s.trainer().expect("valid");
        let mut run = Run::start(t, Budget::Steps(10_000), Duration::from_millis(1));
        while !run.is_finished() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let p = run.take().expect("published");
        let Some(Ended::Diverged(step)) = p.ended else { panic!("{:?}", p.ended) };
        assert!((1..100).contains(&step), "{step}");
        let t = run.join().expect("joins");
        assert!(t.mlp.params().values().iter().all(|v| v.is_finite()));
        assert!(p.snapshot.params.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn the_plane_and_its_grid() {
        let d = Dataset {
            x: vec![-1.0, 0.0, 3.0, 2.0],
            y: vec![0, 1],
            d: 2,
            feature_names: vec!["x".into(), "y".into()],
            class_names: vec!["a".into(), "b".into()],
            targets: Vec::new(),
        };
        let p = Plane::around(&[&d]);
        // the wider side is x: 4 · 0.55 = 2.2 on each side of the centre (1, 1)
        assert!((p.x[0] + 1.2).abs() < 1e-12 && (p.x[1] - 3.2).abs() < 1e-12, "{p:?}");
        assert!((p.y[0] + 1.2).abs() < 1e-12 && (p.y[1] - 3.2).abs() < 1e-12, "{p:?}");
        let q = Plane { x: [0.0, 4.0], y: [0.0, 2.0] };
        // 2 × 2 grid: cell (0, 0) is top left: x = 0 + 0.5/2 · 4 = 1, y = 2 − 0.5/2 · 2 = 1.5
        assert_eq!(q.cell(0, 0, 2), [1.0, 1.5]);
        assert_eq!(q.cell(1, 1, 2), [3.0, 0.5]);
        let x = grid_inputs(&q, 2, &[Feature::X2, Feature::XY]);
        // (1, 1.5): x² = 1, xy = 1.5
        assert_eq!(&x[..2], &[1.0, 1.5]);
    }

    #[test]
    fn unit_maps_are_the_network_evaluated_on_the_grid() {
        let s = Setup { hidden: vec![3, 2], ..Setup::default() };
        let (mut t, data) = s.trainer().expect("valid");
        let plane = Plane::around(&[data.train_plane.as_ref().expect("2-D")]);
        let maps = unit_maps(&mut t.mlp, &data.features, &plane, 5).expect("maps");
        assert_eq!(maps.hidden.len(), 2);
        assert_eq!((maps.hidden[0].len(), maps.hidden[1].len()), (3, 2));
        assert_eq!(maps.inputs.len(), 2);
        // grid point 7 = (row 1, column 2), one row through the network
        let [px, py] = plane.cell(1, 2, 5);
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
        let out = t.mlp.forward(&[px as f32, py as f32], 1, Mode::Eval, &mut rng).expect("forward");
        let s = t.mlp.tape.value(out)[0] as f64;
        let p = 1.0 / (1.0 + (-s).exp());
        assert!((maps.probs[7 * 2 + 1] as f64 - p).abs() < 1e-6);
        assert!(maps.probs.chunks(2).all(|r| (r[0] + r[1] - 1.0).abs() < 1e-6));
        let tr = t.mlp.activations(&[px as f32, py as f32], 1).expect("forward");
        // layer 1's tanh is layers[1]
        assert_eq!(maps.hidden[0][2][7], t.mlp.tape.value(tr[1])[2]);
    }

    /// A name → flat parameter index table, named as `scalar_graph` names its leaves.
    fn leaf_index<T: Element>(mlp: &Mlp<T>) -> std::collections::HashMap<String, usize> {
        let store = mlp.params();
        let mut out = std::collections::HashMap::new();
        for e in &store.entries {
            for i in 0..e.len() {
                let name = if e.rows == 1 {
                    format!("{}[{i}]", e.name)
                } else {
                    format!("{}[{}][{}]", e.name, i / e.cols, i % e.cols)
                };
                out.insert(name, e.range().start + i);
            }
        }
        out
    }

    #[test]
    fn a_unit_graph_has_the_networks_value_and_gradients() {
        let s = Setup { hidden: vec![3, 4], ..Setup::default() };
        let data = s.data().expect("valid");
        let spec = s.spec(&data).expect("valid");
        let mut mlp = Mlp::<f64>::new(&spec, 3).expect("valid");
        let x = data.train.row(5).to_vec();
        let index = leaf_index(&mlp);
        for (layer, unit, trace_at) in [(1, 2, 1), (2, 3, 3), (3, 0, 4)] {
            let mut opened =
                unit_graph(&mlp, &x, Truth::Class(data.train.y[5]), Target::Unit { layer, unit }).expect("opens");
            let tr = mlp.activations(&x, 1).expect("forward");
            let h = tr[trace_at];
            let want = mlp.tape.value(h)[unit];
            assert!((opened.graph.value(opened.output) - want).abs() < 1e-12, "l{layer}.n{unit}");
            // the tensor tape's gradient of the same unit: Σ h ⊙ onehot, backward
            let (_, cols) = mlp.tape.shape(h);
            let mut onehot = vec![0.0; cols];
            onehot[unit] = 1.0;
            let m = mlp.tape.input(&onehot, 1, cols).expect("input");
            let picked = mlp.tape.mul(h, m).expect("mul");
            let total = mlp.tape.sum(picked).expect("sum");
            mlp.params_mut().grads.iter_mut().for_each(|g| *g = 0.0);
            mlp.tape.backward(total).expect("backward");
            opened.graph.backward(opened.output);
            let mut compared = 0;
            for id in opened.graph.ids().filter(|&id| opened.graph.op(id) == Op::Leaf) {
                let name = opened.graph.label(id).expect("parameters are named");
                let k = index[name];
                let (a, b) = (opened.graph.grad(id), mlp.params().grads[k]);
                assert!((a - b).abs() < 1e-12, "{name}: {a} vs {b}");
                compared += 1;
            }
            // layer 1 unit 2: 2 weights and a bias; layer 2 unit 3: 3 + 1 more and layer 1's 9; the output: all
            // 9 + 16 + 5 = 30
            assert_eq!(compared, [3, 13, 30][layer - 1], "l{layer}");
            // the groups are the network's: the unit's own group is there
            assert!(opened.groups.find(&format!("l{layer}.n{unit}")).is_some());
        }
        let mut opened = unit_graph(&mlp, &x, Truth::Class(data.train.y[5]), Target::Loss).expect("opens");
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
        let scores = mlp.forward(&x, 1, Mode::Eval, &mut rng).expect("forward");
        let mut t = Vec::new();
        mlp.targets(&[data.train.y[5]], &mut t);
        let loss = mlp.loss(scores, &t).expect("loss");
        assert!((opened.graph.value(opened.output) - mlp.tape.value(loss)[0]).abs() < 1e-12);
        opened.graph.backward(opened.output);
        mlp.params_mut().grads.iter_mut().for_each(|g| *g = 0.0);
        mlp.tape.backward(loss).expect("backward");
        for id in opened.graph.ids().filter(|&id| opened.graph.op(id) == Op::Leaf) {
            let k = index[opened.graph.label(id).expect("named")];
            assert!((opened.graph.grad(id) - mlp.params().grads[k]).abs() < 1e-12);
        }
    }

    #[test]
    fn a_regression_points_loss_graph_has_the_networks_mse_and_gradients() {
        let s = Setup { dataset: "reg-plane".into(), hidden: vec![3], ..Setup::default() };
        let data = s.data().expect("valid");
        let mut mlp = Mlp::<f64>::new(&s.spec(&data).expect("valid"), 3).expect("valid");
        let (x, value) = (data.train.row(7).to_vec(), data.train.targets[7]);
        assert!(value != 0.0, "a real target");
        let index = leaf_index(&mlp);
        let mut opened = unit_graph(&mlp, &x, Truth::Value(value), Target::Loss).expect("opens");
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
        let scores = mlp.forward(&x, 1, Mode::Eval, &mut rng).expect("forward");
        let out = mlp.tape.value(scores)[0];
        let loss = mlp.loss(scores, &[value]).expect("loss");
        let want = mlp.tape.value(loss)[0];
        assert!((want - (out - value).powi(2)).abs() < 1e-12, "mse of one point: {want}");
        assert!((opened.graph.value(opened.output) - want).abs() < 1e-12);
        opened.graph.backward(opened.output);
        mlp.params_mut().grads.iter_mut().for_each(|g| *g = 0.0);
        mlp.tape.backward(loss).expect("backward");
        let mut compared = 0;
        for id in opened.graph.ids().filter(|&id| opened.graph.op(id) == Op::Leaf) {
            let k = index[opened.graph.label(id).expect("named")];
            assert!((opened.graph.grad(id) - mlp.params().grads[k]).abs() < 1e-12);
            compared += 1;
        }
        assert_eq!(compared, 3 * 2 + 3 + 3 + 1, "every parameter of 2-3-1");
        let classifier = Setup { dataset: "kspiral".into(), ..Setup::default() };
        let k = classifier.data().expect("valid");
        let many = Mlp::<f64>::new(&classifier.spec(&k).expect("valid"), 0).expect("valid");
        let refused = unit_graph(&many, k.train.row(0), Truth::Value(0.5), Target::Loss);
        assert!(refused.is_err_and(|e| e.contains("one output trained with mse")));
    }

    #[test]
    fn a_training_change_keeps_the_weights_and_applies_at_the_next_step() {
        let s = Setup::default();
        let (mut t, _) = s.trainer().expect("valid");
        let mut left = 5;
        t.run_epoch_with(|_| {
            left -= 1;
            left > 0
        })
        .expect("trains");
        let before = t.mlp.params().values().to_vec();
        // a new learning rate (and L2) for the same rule: the rule's state is kept
        let new = Setup { opt: "sgd:lr=0.1".parse().expect("valid"), l2: 0.001, ..s.clone() };
        assert_eq!(s.change_to(&new), Change::Training);
        assert_eq!(Setup::retune(&new, &mut t), Ok(crate::nn::Retuned::LearningRate));
        assert_eq!(t.mlp.params().values(), &before[..], "the weights stay");
        assert_eq!((t.steps(), t.mlp.spec.l2), (5, 0.001));
        let mut left = 1;
        t.run_epoch_with(|_| {
            left -= 1;
            left > 0
        })
        .expect("trains");
        // plain SGD: θ' = θ − 0.1·g, with g the step's gradient (L2's 2λθ included in it)
        let (after, grads) = (t.mlp.params().values(), &t.mlp.params().grads);
        for ((a, b), g) in after.iter().zip(&before).zip(grads) {
            assert!((a - (b - 0.1 * g)).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b} − 0.1·{g}");
        }
        // another rule: a fresh state on the same weights
        let adam = Setup { opt: "adam:lr=0.01".parse().expect("valid"), ..new.clone() };
        let kept = t.mlp.params().values().to_vec();
        assert_eq!(Setup::retune(&adam, &mut t), Ok(crate::nn::Retuned::FreshOptimizer));
        assert_eq!(t.mlp.params().values(), &kept[..]);
        assert_eq!(t.optimizer().steps(), 0);
    }

    #[test]
    fn a_new_batch_size_mid_epoch_goes_on_from_the_same_row() {
        let s = Setup::default();
        let (mut t, _) = s.trainer().expect("valid");
        // 250 training rows: 7 steps of 10 rows, then 180 rows in steps of 20: 9 more, and the epoch ends
        let mut left = 7;
        assert_eq!(
            t.run_epoch_with(|_| {
                left -= 1;
                left > 0
            })
            .expect("trains"),
            None
        );
        let new = Setup { batch: 20, ..s.clone() };
        assert_eq!(s.change_to(&new), Change::Training);
        assert_eq!(Setup::retune(&new, &mut t), Ok(crate::nn::Retuned::Unchanged));
        let stats = t.run_epoch_with(|_| true).expect("trains").expect("the epoch ends");
        assert_eq!((stats.steps, t.history.len()), (16, 1));
        assert!(Setup::retune(&Setup { batch: 0, ..s }, &mut t).is_err());
    }

    #[test]
    fn a_change_of_the_network_asks_for_a_fresh_one_and_names_it() {
        let s = Setup::default();
        assert_eq!(s.change_to(&s.clone()), Change::Nothing);
        let fresh = |f: fn(&mut Setup)| {
            let mut n = s.clone();
            f(&mut n);
            s.change_to(&n)
        };
        assert_eq!(fresh(|n| n.hidden = vec![4]), Change::Fresh(vec!["the layers"]));
        assert_eq!(fresh(|n| n.batchnorm = true), Change::Fresh(vec!["batch norm"]));
        assert_eq!(fresh(|n| n.activation = Unary::Relu), Change::Fresh(vec!["the activation"]));
        assert_eq!(fresh(|n| n.init = Init::He), Change::Fresh(vec!["the initializer"]));
        assert_eq!(fresh(|n| n.dataset = "xor".into()), Change::Fresh(vec!["the data"]));
        assert_eq!(fresh(|n| n.schedule = "exp:gamma=0.9".parse().ok()), Change::Training);
        // a training change with a network change is a fresh network
        assert_eq!(
            fresh(|n| {
                n.dropout = 0.2;
                n.batch = 3;
            }),
            Change::Fresh(vec!["dropout"])
        );
    }

    #[test]
    fn batch_norm_dropout_and_a_schedule_reach_the_network_and_the_command() {
        let s = Setup {
            batchnorm: true,
            dropout: 0.25,
            schedule: Some("step:step_size=2,gamma=0.5".parse().expect("valid")),
            ..Setup::default()
        };
        let (t, _) = s.trainer().expect("valid");
        assert!(t.mlp.spec.batchnorm && t.mlp.spec.dropout == 0.25);
        assert_eq!(t.config().schedule, s.schedule);
        assert_eq!(
            s.command(2),
            "chainrule train --dataset circle --batchnorm --dropout 0.25 --schedule step:step_size=2,gamma=0.5 --epochs 2"
        );
        assert!(Setup { dropout: 1.0, ..Setup::default() }.validate().expect_err("refused").starts_with("dropout 1"));
        // an older setup file (no such fields) reads with their defaults
        let old = Setup::default().to_file_text().replace(",\n    \"batchnorm\": false", "");
        assert!(!old.contains("batchnorm"));
        assert_eq!(Setup::from_file_text(&old).expect("reads"), Setup::default());
    }

    #[test]
    fn weights_saved_with_a_setup_come_back_and_bad_ones_are_refused() {
        let s = Setup { batchnorm: true, ..Setup::default() };
        let (mut t, _) = s.trainer().expect("valid");
        t.run_epoch().expect("trains");
        let w = Weights::of(&t.mlp);
        assert_eq!(w.running.len(), 2);
        let text = s.to_file_text_with(Some(&w));
        let (back, got) = Setup::read_file_text(&text).expect("reads");
        assert_eq!((back, got.as_ref()), (s.clone(), Some(&w)));
        let (mut fresh, _) = s.trainer().expect("valid");
        got.expect("weights").load_into(&mut fresh.mlp).expect("fits");
        assert_eq!(fresh.mlp.params().values(), t.mlp.params().values());
        // one parameter short, a NaN, a negative running variance: refused, the network untouched
        let e = |w: Weights| Setup::read_file_text(&s.to_file_text_with(Some(&w))).expect_err("refused");
        let mut short = w.clone();
        short.params.pop();
        assert!(e(short).contains("parameters and the network 2-4-2-1"), "short");
        let mut nan = w.clone();
        nan.params[3] = f32::NAN;
        let (mut other, _) = s.trainer().expect("valid");
        let kept = other.mlp.params().values().to_vec();
        assert!(nan.load_into(&mut other.mlp).expect_err("refused").starts_with("parameter 3 is NaN"));
        assert_eq!(other.mlp.params().values(), &kept[..]);
        let mut neg = w.clone();
        let last = neg.running[0].len() - 1;
        neg.running[0][last] = -1.0;
        assert!(e(neg).contains("batch-norm layer 1"));
    }

    #[test]
    fn a_model_is_held_by_a_setup_of_its_shape_or_refused() {
        let s = Setup::default();
        let data = s.data().expect("valid");
        let mut spec = MlpSpec::classifier(2, &[6, 3], 2, Unary::Relu, Loss::BceLogits).expect("valid");
        spec.batchnorm = true;
        let held = s.holding(&spec, &data).expect("fits");
        assert_eq!((held.hidden.clone(), held.activation, held.batchnorm), (vec![6, 3], Unary::Relu, true));
        assert_eq!(held.spec(&data).expect("valid").parameter_count(), spec.parameter_count());
        let wide = MlpSpec::classifier(2, &[16], 2, Unary::Relu, Loss::BceLogits).expect("valid");
        assert!(s.holding(&wide, &data).expect_err("refused").contains("cannot hold it"));
        let five = MlpSpec::classifier(5, &[4], 2, Unary::Relu, Loss::BceLogits).expect("valid");
        assert!(s.holding(&five, &data).expect_err("refused").starts_with("the model reads 5 inputs"));
        let three = MlpSpec::classifier(2, &[4], 3, Unary::Relu, Loss::SoftmaxCe).expect("valid");
        assert!(s.holding(&three, &data).expect_err("refused").contains("3 outputs"));
    }
}
