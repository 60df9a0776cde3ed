//! `chainrule train`, `chainrule predict` and `chainrule init-stats`: real multi-layer perceptrons from the command
//! line, on the tensor backend (or the scalar engine with `--backend scalar`).
//!
//! Defaults are TensorFlow Playground's where it has one: circle, 500 points, half for training, inputs x and y,
//! hidden layers 4,2, tanh, its initializer, SGD with lr 0.03, batch 10, no noise. The loss defaults to `bce` for
//! two classes and `ce` for more.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use serde_json::{Value, json};

use super::{Failure, Output, num};
use crate::data::{self, Dataset, Feature, Fitted, Preprocess};
use crate::nn::store::ModelMeta;
use crate::nn::{Backend, EpochStats, Init, Mlp, MlpSpec, Mode, NnError, TrainConfig, Trainer, init_stats};
use crate::optim::{OptimSpec, Schedule};
use crate::scalar::Unary;
use crate::tensor::{Element, Loss, gemm};

/// The most epochs one run may ask for.
pub const MAX_EPOCHS: usize = 1_000_000;

/// The data and the network, as `train` and `landscape` take them.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// A generated set (circle, xor, gauss, spiral, moons, kspiral[:classes=K], digits) or a CSV file (numeric
    /// features, the label in the last column, header optional).
    #[arg(long, default_value = "circle")]
    pub dataset: String,
    /// Noise of a generated set (Playground's 0 to 0.5; moons: the Gaussian's standard deviation).
    #[arg(long, default_value_t = 0.0)]
    pub noise: f64,
    /// Points of a generated set.
    #[arg(long, default_value_t = 500)]
    pub points: usize,
    /// The share of the rows used for training (after a seeded shuffle); the rest is the test part.
    #[arg(long = "train-ratio", default_value_t = 0.5)]
    pub train_ratio: f64,
    /// Playground's input features for 2-D data: x,y,x2,y2,xy,sinx,siny (default: the data's own columns).
    #[arg(long)]
    pub features: Option<String>,
    /// Preprocessing fitted on the training part: none, standardize, pca, whiten.
    #[arg(long, default_value = "none")]
    pub preprocess: String,
    /// Units per hidden layer, e.g. 8,8 (none for a linear model).
    #[arg(long, default_value = "4,2")]
    pub hidden: String,
    /// The hidden layers' activation: tanh, sigmoid, relu, leaky_relu, elu, selu, softplus, sin, abs.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// Weight initialization: std=S, xavier, he, glorot-uniform, playground, pytorch.
    #[arg(long, default_value = "playground")]
    pub init: String,
    /// A BatchNorm1d after each hidden Linear.
    #[arg(long)]
    pub batchnorm: bool,
    /// Dropout after each hidden activation: the probability of DROPPING a unit (PyTorch's p), in [0, 1).
    #[arg(long, default_value_t = 0.0)]
    pub dropout: f64,
    /// L1 penalty λ₁·Σ|w| on the weights.
    #[arg(long, default_value_t = 0.0)]
    pub l1: f64,
    /// L2 penalty λ₂·Σw² on the weights.
    #[arg(long, default_value_t = 0.0)]
    pub l2: f64,
    /// The loss: mse, bce, ce, hinge (micrograd's max(0, 1 − y·s)), svm (cs231n's multiclass hinge).
    #[arg(long)]
    pub loss: Option<String>,
}

/// `train`'s arguments.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The data and the network.
    #[command(flatten)]
    pub net: NetworkArgs,
    /// The optimizer: name[:key=value,...] as in `race`, e.g. adam:lr=0.01.
    #[arg(long, default_value = "sgd:lr=0.03")]
    pub opt: String,
    /// A learning-rate schedule stepped once per epoch, e.g. step:step_size=10,gamma=0.9.
    #[arg(long)]
    pub schedule: Option<String>,
    /// Passes over the training part.
    #[arg(long, default_value_t = 100)]
    pub epochs: usize,
    /// Rows per minibatch.
    #[arg(long, default_value_t = 10)]
    pub batch: usize,
    /// Seeds the data, the split, the weights, the shuffling and dropout.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// tensor (fast) or scalar (the scalar engine, one node per multiply-add, as micrograd).
    #[arg(long, default_value = "tensor")]
    pub backend: String,
    /// Element type of the tensor backend: f32 or f64 (the scalar backend is f64).
    #[arg(long, default_value = "f32")]
    pub dtype: String,
    /// Threads: 1 or 2. Two split a step (halves of the batch, large products, the update) only while splitting pays:
    /// with the other core busy they fall back to one.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Write the trained network to this safetensors file (PyTorch's state-dict names).
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Print one JSON object on standard output and nothing else.
    #[arg(long)]
    pub json: bool,
}

/// `predict`'s arguments.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A model written by `train --save`, or (with --activation) a state dict PyTorch saved itself.
    #[arg(long)]
    pub model: PathBuf,
    /// The hidden layers' activation of a model without chainrule metadata (PyTorch's `safetensors.torch.save_file`
    /// of an nn.Sequential): relu, tanh, sigmoid, leaky_relu, elu, selu, softplus.
    #[arg(long)]
    pub activation: Option<String>,
    /// A CSV file in the training format, or a generated set's name.
    #[arg(long)]
    pub dataset: String,
    /// Noise of a generated set.
    #[arg(long, default_value_t = 0.0)]
    pub noise: f64,
    /// Points of a generated set.
    #[arg(long, default_value_t = 500)]
    pub points: usize,
    /// Seed of a generated set.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object on standard output and nothing else.
    #[arg(long)]
    pub json: bool,
}

/// `init-stats`' arguments.
#[derive(Debug, Args)]
pub struct InitStatsArgs {
    /// The activation of every layer.
    #[arg(long, default_value = "tanh")]
    pub activation: String,
    /// The initializer: std=S, xavier, he, glorot-uniform, playground, pytorch.
    #[arg(long, default_value = "xavier")]
    pub init: String,
    /// Layers.
    #[arg(long, default_value_t = 10)]
    pub depth: usize,
    /// Units per layer (and input features).
    #[arg(long, default_value_t = 500)]
    pub width: usize,
    /// Input rows.
    #[arg(long, default_value_t = 1000)]
    pub samples: usize,
    /// Seeds the input and the weights.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object on standard output and nothing else.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn usage(message: impl Into<String>) -> Failure {
    Failure::usage(message.into())
}

/// A generated set by name, or a CSV file when the argument names one (ends in .csv or is an existing file).
pub(super) fn load_dataset(name: &str, points: usize, noise: f64, seed: u64) -> Result<(Dataset, String), Failure> {
    let path = Path::new(name);
    if name.to_ascii_lowercase().ends_with(".csv") || path.is_file() {
        let d = data::load_csv(path).map_err(|e| usage(format!("--dataset {e}")))?;
        return Ok((d, name.to_string()));
    }
    let d = data::generate(name, points, noise, seed).map_err(|e| usage(format!("--dataset {e}")))?;
    Ok((d, name.trim().to_string()))
}

pub(super) struct Prepared {
    pub(super) train: Dataset,
    pub(super) test: Dataset,
    pub(super) features: Vec<Feature>,
    pub(super) fitted: Fitted,
    pub(super) source: String,
    pub(super) classes: Vec<String>,
}

/// The data of `n`: generated or read, its features, split with `seed`, preprocessed.
pub(super) fn prepare(a: &NetworkArgs, seed: u64) -> Result<Prepared, Failure> {
    if !(a.noise.is_finite() && a.noise >= 0.0) {
        return Err(usage(format!("--noise {}: must be a finite number ≥ 0", a.noise)));
    }
    if a.points == 0 || a.points > 10_000_000 {
        return Err(usage(format!("--points {}: must be between 1 and 10 000 000", a.points)));
    }
    let (data, source) = load_dataset(&a.dataset, a.points, a.noise, seed)?;
    let features = match &a.features {
        Some(list) => data::parse_features(list).map_err(|e| usage(format!("--features {e}")))?,
        None => Vec::new(),
    };
    let data = if features.is_empty() {
        data
    } else {
        data::with_features(&data, &features).map_err(|e| usage(format!("--features {e}")))?
    };
    let (train, test) = data::split(&data, a.train_ratio, seed).map_err(|e| usage(format!("--train-ratio {e}")))?;
    let kind: Preprocess = a.preprocess.parse().map_err(|e| usage(format!("--preprocess {e}")))?;
    let fitted = Fitted::fit(&train, kind);
    let train = fitted.apply(&train);
    let test = fitted.apply(&test);
    let classes = data.class_names.clone();
    Ok(Prepared { train, test, features, fitted, source, classes })
}

/// The network `a` asks for, on `inputs` features and `classes` classes; a regression set (`regression`: real-valued
/// targets) trains with mse on one output.
pub(super) fn spec_from(a: &NetworkArgs, inputs: usize, classes: usize, regression: bool) -> Result<MlpSpec, Failure> {
    let hidden = crate::nn::parse_hidden(&a.hidden).map_err(Failure::from)?;
    let activation = crate::nn::parse_activation(&a.activation).map_err(Failure::from)?;
    let loss = match &a.loss {
        Some(name) => Loss::from_name(name)
            .ok_or_else(|| usage(format!("--loss {name}: unknown; use one of mse, bce, ce, hinge, svm")))?,
        None if regression => Loss::Mse,
        None if classes == 2 => Loss::BceLogits,
        None => Loss::SoftmaxCe,
    };
    if regression && loss != Loss::Mse {
        return Err(usage(format!(
            "--loss {}: {} holds real-valued targets, which train with mse (leave --loss out, or --loss mse)",
            loss.name(),
            a.dataset
        )));
    }
    let mut spec = MlpSpec::classifier(inputs, &hidden, classes, activation, loss).map_err(Failure::from)?;
    spec.init = a.init.parse::<Init>().map_err(Failure::from)?;
    spec.batchnorm = a.batchnorm;
    spec.dropout = a.dropout;
    spec.l1 = a.l1;
    spec.l2 = a.l2;
    spec.validate().map_err(Failure::from)?;
    Ok(spec)
}

/// Runs `train`.
pub(super) fn train(a: &TrainArgs) -> Result<Output, Failure> {
    if a.epochs == 0 || a.epochs > MAX_EPOCHS {
        return Err(usage(format!("--epochs {}: must be between 1 and {MAX_EPOCHS}", a.epochs)));
    }
    if a.batch == 0 {
        return Err(usage("--batch 0: a minibatch needs at least one row"));
    }
    if !(1..=2).contains(&a.threads) {
        return Err(usage(format!("--threads {}: use 1 or 2", a.threads)));
    }
    let opt: OptimSpec = a.opt.parse().map_err(|e| usage(format!("--opt {e}")))?;
    let schedule = match &a.schedule {
        Some(s) => Some(s.parse::<Schedule>().map_err(|e| usage(format!("--schedule {e}")))?),
        None => None,
    };
    let backend = match a.backend.trim() {
        "tensor" => Backend::Tensor,
        "scalar" => Backend::Scalar,
        other => return Err(usage(format!("--backend {other}: use tensor or scalar"))),
    };
    let p = prepare(&a.net, a.seed)?;
    let spec = spec_from(&a.net, p.train.d, p.classes.len(), p.train.is_regression())?;
    if p.train.is_regression() && backend == Backend::Scalar {
        return Err(usage(format!(
            "--backend scalar: {} holds real-valued targets; train it with --backend tensor",
            a.net.dataset
        )));
    }
    gemm::set_threads(a.threads);
    let cfg = TrainConfig { opt, schedule, epochs: a.epochs, batch: a.batch, seed: a.seed, backend };
    match a.dtype.trim() {
        // the scalar engine computes in f64 whatever --dtype says
        "f32" if backend == Backend::Tensor => run_training::<f32>(a, &p, &spec, cfg),
        "f32" | "f64" => run_training::<f64>(a, &p, &spec, cfg),
        other => Err(usage(format!("--dtype {other}: use f32 or f64"))),
    }
}

fn run_training<T: Element>(a: &TrainArgs, p: &Prepared, spec: &MlpSpec, cfg: TrainConfig) -> Result<Output, Failure> {
    let mlp = Mlp::<T>::new(spec, a.seed).map_err(Failure::from)?;
    let mut trainer =
        Trainer::new(mlp, cfg.clone(), (&p.train.x, &p.train.y), (&p.test.x, &p.test.y)).map_err(Failure::from)?;
    if p.train.is_regression() {
        trainer = trainer.with_targets(&p.train.targets, &p.test.targets).map_err(Failure::from)?;
    }
    let show = !a.json;
    if show {
        announce(p, spec, &cfg);
    }
    let start = Instant::now();
    let diverged = train_epochs(&mut trainer, a, show, p.train.n())?;
    let seconds = start.elapsed().as_secs_f64();
    let saved = match &a.save {
        Some(path) => save_model(&trainer.mlp, path, p, spec)?,
        None => Value::Null,
    };
    let json = training_json::<T>(&trainer, p, spec, &cfg, diverged, seconds, saved);
    let text = training_summary(&trainer, a, seconds);
    let mut code = 0;
    if let Some(e) = diverged {
        let msg = format!(
            "training diverged in epoch {e}: the loss is no longer a finite number; lower the learning rate (--opt {})\n",
            a.opt
        );
        eprint!("warning: {msg}");
        code = 1;
    }
    Ok(Output { text, json, code })
}

/// The run's first lines: the network, the data, the optimizer, and the epoch table's header.
fn announce(p: &Prepared, spec: &MlpSpec, cfg: &TrainConfig) {
    say(format!(
        "{} on {} ({} training rows, {} test rows, {}), {} parameters, {}{}",
        spec.describe(),
        p.source,
        p.train.n(),
        p.test.n(),
        if p.train.is_regression() { "real-valued targets".to_owned() } else { format!("{} classes", p.classes.len()) },
        spec.parameter_count(),
        cfg.opt,
        if cfg.backend == Backend::Scalar { ", scalar engine" } else { "" },
    ));
    // a regression has no accuracy: its loss (mse) is the measure
    say(if p.train.is_regression() {
        "epoch  train loss  test loss"
    } else {
        "epoch  train loss  test loss  train acc  test acc"
    }
    .into());
}

/// Trains `a.epochs` epochs (printing a line each when `show`), stopping after the first whose training loss is not
/// a finite number: that epoch's number, if any.
fn train_epochs<T: Element>(
    trainer: &mut Trainer<T>,
    a: &TrainArgs,
    show: bool,
    train_rows: usize,
) -> Result<Option<usize>, Failure> {
    // On a terminal, a bar of minibatch steps under the epoch lines, drawn once the header is out: each epoch's line is printed above it (indicatif's
    // `println`), so every line stays on screen as Keras keeps them, and the bar moves within a long epoch.
    let steps_per_epoch = train_rows.div_ceil(a.batch.max(1)) as u64;
    let regression = trainer.is_regression();
    let bar = if show && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(a.epochs as u64 * steps_per_epoch);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} epoch {msg}, step {pos}/{len}") {
            bar.set_style(style);
        }
        bar.set_message(format!("1/{}", a.epochs));
        Some(bar)
    } else {
        None
    };
    let mut diverged = None;
    while trainer.history.len() < a.epochs {
        let epoch = trainer.history.len() as u64;
        let mut step = 0;
        let s = trainer
            .run_epoch_with(|_| {
                step += 1;
                if let Some(b) = &bar {
                    b.set_position(epoch * steps_per_epoch + step.min(steps_per_epoch));
                }
                true
            })
            .map_err(Failure::from)?
            .ok_or_else(|| Failure::from(NnError::Worker("an epoch stopped with nothing asking".into())))?;
        if show {
            let mut line = format!("{:>5}  {:>10.6}  {:>9.6}", s.epoch, s.train_loss, s.test_loss);
            if !regression {
                line += &format!("  {:>9.4}  {:>8.4}", s.train_acc, s.test_acc);
            }
            match &bar {
                Some(b) => {
                    b.println(&line);
                    b.set_position((epoch + 1) * steps_per_epoch);
                    b.set_message(format!("{}/{}", (epoch + 2).min(a.epochs as u64), a.epochs));
                }
                None => say(line),
            }
        }
        if !s.train_loss.is_finite() {
            diverged = Some(s.epoch);
            break;
        }
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    Ok(diverged)
}

/// Saves the trained network with what `predict` needs to read data as training did: its path, as JSON.
fn save_model<T: Element>(mlp: &Mlp<T>, path: &Path, p: &Prepared, spec: &MlpSpec) -> Result<Value, Failure> {
    let meta = ModelMeta {
        spec: spec.clone(),
        torch: vec![],
        dtype: String::new(),
        features: p.features.iter().map(|f| f.key().to_string()).collect(),
        preprocess: serde_json::to_value(&p.fitted).unwrap_or(Value::Null),
        classes: p.classes.clone(),
        dataset: p.source.clone(),
    };
    mlp.save(path, meta).map_err(|e| usage(format!("--save {e}")))?;
    Ok(json!(path.display().to_string()))
}

/// `train --json`'s report: every epoch's figures, the last ones, the model, the data and the speed.
fn training_json<T: Element>(
    trainer: &Trainer<T>,
    p: &Prepared,
    spec: &MlpSpec,
    cfg: &TrainConfig,
    diverged: Option<usize>,
    seconds: f64,
    saved: Value,
) -> Value {
    let last = trainer.history.last().copied();
    let epochs: Vec<Value> = trainer
        .history
        .iter()
        .map(|s| {
            json!({
                "epoch": s.epoch, "train_loss": num(s.train_loss), "test_loss": num(s.test_loss),
                "train_acc": num(s.train_acc), "test_acc": num(s.test_acc), "lr": num(s.lr), "steps": s.steps,
            })
        })
        .collect();
    let steps = trainer.steps();
    let get = |f: fn(&EpochStats) -> f64| num(last.map(|s| f(&s)).unwrap_or(f64::NAN));
    json!({
        "epochs": epochs,
        "train_loss": get(|s| s.train_loss),
        "test_loss": get(|s| s.test_loss),
        "train_acc": get(|s| s.train_acc),
        "test_acc": get(|s| s.test_acc),
        "diverged_at_epoch": diverged,
        "model": { "describe": spec.describe(), "parameters": spec.parameter_count(),
                   "torch": crate::nn::store::torch_modules(spec), "spec": serde_json::to_value(spec).unwrap_or(Value::Null) },
        "data": { "source": p.source, "train_rows": p.train.n(), "test_rows": p.test.n(),
                  "features": p.train.feature_names, "classes": p.classes },
        "optimizer": cfg.opt.to_string(),
        "backend": match cfg.backend { Backend::Tensor => "tensor", Backend::Scalar => "scalar" },
        "dtype": T::NAME,
        "steps": steps,
        "seconds": num(seconds),
        "steps_per_second": num(steps as f64 / seconds.max(1e-9)),
        "saved": saved,
    })
}

/// The run's last lines: the final test figures and the speed, and where the model went.
fn training_summary<T: Element>(trainer: &Trainer<T>, a: &TrainArgs, seconds: f64) -> String {
    let steps = trainer.steps();
    let mut text = String::new();
    if let Some(s) = trainer.history.last() {
        let measure =
            if trainer.is_regression() { String::new() } else { format!("test accuracy {:.4}, ", s.test_acc) };
        text += &format!(
            "after {} epochs ({} steps, {:.2} s, {:.0} steps/s): {measure}test loss {:.6}\n",
            s.epoch,
            steps,
            seconds,
            steps as f64 / seconds.max(1e-9),
            s.test_loss
        );
    }
    if let Some(path) = &a.save {
        text += &format!("saved to {}\n", path.display());
    }
    text
}

/// Prints a progress line on standard output; a closed pipe (`| head`) silences it rather than failing the run.
fn say(line: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Runs `predict`.
pub(super) fn predict(a: &PredictArgs) -> Result<Output, Failure> {
    let activation = a.activation.as_deref().map(crate::nn::parse_activation).transpose().map_err(Failure::from)?;
    let header = crate::nn::store::inspect(&a.model, activation).map_err(Failure::from)?;
    if header.dtype == "f32" { predict_as::<f32>(a, activation) } else { predict_as::<f64>(a, activation) }
}

/// `data` with the input features a saved model was trained on (its metadata's `features`), as `predict` and
/// `landscape --model` read it.
pub(super) fn with_model_features(data: Dataset, features: &[String]) -> Result<Dataset, Failure> {
    if features.is_empty() {
        return Ok(data);
    }
    let features: Vec<Feature> =
        features.iter().map(|f| f.parse()).collect::<Result<_, _>>().map_err(|e| usage(format!("--model {e}")))?;
    data::with_features(&data, &features).map_err(|e| usage(format!("--dataset {e}")))
}

fn predict_as<T: Element>(a: &PredictArgs, activation: Option<Unary>) -> Result<Output, Failure> {
    let (mut mlp, meta) = Mlp::<T>::open(&a.model, activation).map_err(Failure::from)?;
    let (data, _) = load_dataset(&a.dataset, a.points, a.noise, a.seed)?;
    let data = with_model_features(data, &meta.features)?;
    let data = match serde_json::from_value::<Fitted>(meta.preprocess.clone()) {
        Ok(f) => f.try_apply(&data).map_err(|e| usage(format!("--dataset {e}")))?,
        Err(_) => data,
    };
    if data.d != mlp.spec.inputs {
        return Err(usage(format!(
            "--dataset {}: {} feature columns, but the model reads {} ({})",
            a.dataset,
            data.d,
            mlp.spec.inputs,
            meta.features.join(",")
        )));
    }
    let x: Vec<T> = data.x.iter().map(|&v| T::from_f64(v)).collect();
    let mut predictions = Vec::with_capacity(data.n());
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
    let mut chunk_pred = Vec::new();
    // in chunks, so that memory is bounded by a chunk's rows and not the data set's (`Mlp::eval_rows`)
    for xc in x.chunks(mlp.eval_rows(1) * data.d) {
        let n = xc.len() / data.d;
        let scores = mlp.forward(xc, n, Mode::Eval, &mut rng).map_err(|e| usage(e.to_string()))?;
        mlp.classify(mlp.tape.value(scores), &mut chunk_pred);
        predictions.extend_from_slice(&chunk_pred);
    }
    // the data's labels, as the model's class indices (by their text)
    let truth: Option<Vec<usize>> =
        data.y.iter().map(|&y| meta.classes.iter().position(|c| *c == data.class_names[y])).collect();
    let accuracy =
        truth.map(|t| t.iter().zip(&predictions).filter(|(a, b)| a == b).count() as f64 / t.len().max(1) as f64);
    let labels: Vec<&str> =
        predictions.iter().map(|&p| meta.classes.get(p).map(String::as_str).unwrap_or("?")).collect();
    let json = json!({
        "predictions": predictions,
        "labels": labels,
        "accuracy": accuracy.map(num),
        "rows": data.n(),
        "classes": meta.classes,
    });
    let mut text = String::new();
    for (i, l) in labels.iter().enumerate() {
        text += &format!("{i}\t{l}\n");
    }
    match accuracy {
        Some(acc) => text += &format!("accuracy {acc:.4} on {} rows\n", data.n()),
        None => text += "the data's labels are not among the model's classes: no accuracy\n",
    }
    Ok(Output { text, json, code: 0 })
}

/// Runs `init-stats`.
pub(super) fn init_stats(a: &InitStatsArgs) -> Result<Output, Failure> {
    let activation = crate::nn::parse_activation(&a.activation).map_err(Failure::from)?;
    let init: Init = a.init.parse().map_err(Failure::from)?;
    let layers = init_stats::run(activation, init, a.depth, a.width, a.samples, a.seed).map_err(Failure::from)?;
    let json = json!({
        "activation": activation.name(),
        "init": init.to_string(),
        "layers": layers.iter().map(|l| json!({
            "layer": l.layer, "mean": num(l.mean), "std": num(l.std), "grad_std": num(l.grad_std),
            "hist": l.hist, "hist_min": num(l.hist_min), "hist_max": num(l.hist_max),
        })).collect::<Vec<_>>(),
    });
    let mut text = format!(
        "{} layers of {} {} units, {} init, input {}×{} standard normal\nlayer      mean       std  grad std  histogram\n",
        a.depth,
        a.width,
        activation.name(),
        init,
        a.samples,
        a.width
    );
    for l in &layers {
        text +=
            &format!("{:>5}  {:>8.5}  {:>8.6}  {:>8.2e}  {}\n", l.layer, l.mean, l.std, l.grad_std, sparkline(&l.hist));
    }
    Ok(Output { text, json, code: 0 })
}

/// A histogram as a row of block characters.
fn sparkline(hist: &[u32]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = hist.iter().copied().max().unwrap_or(0).max(1) as f64;
    hist.iter().map(|&c| if c == 0 { ' ' } else { BARS[((c as f64 / max) * 7.0).round() as usize] }).collect()
}
