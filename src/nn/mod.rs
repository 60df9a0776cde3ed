//! Networks: ONE description of a multi-layer perceptron ([`MlpSpec`]) that runs on both backends — the tensor tape
//! for speed ([`Mlp::forward`]) and the scalar engine, one node per multiply-add as in micrograd, so that a learner
//! can open any neuron and see its graph ([`Mlp::scalar_graph`]). Both read the same parameters and give the same
//! loss and gradients (to 1e-10 in f64; `tests/nn.rs` checks it for every activation and loss).
//!
//! Each hidden layer is, in PyTorch's `nn.Sequential` order and naming: `Linear` (weight out × in, bias) →
//! `BatchNorm1d` (optional) → activation → `Dropout` (optional); the output layer is a `Linear`. So the safetensors
//! names are `0.weight`, `0.bias`, `1.weight` (γ), ... exactly as `model.state_dict()` gives them.
//!
//! - **Linear**: y = x·Wᵀ + b.
//! - **BatchNorm1d** (as PyTorch): training normalizes with the batch mean and biased variance, ε = 1e-5, then γ·x̂ + β,
//!   and updates running = 0.9·running + 0.1·batch (the running variance takes the unbiased variance, ÷ (n − 1));
//!   evaluation uses the running statistics.
//! - **Dropout** (inverted, slide 104): `p` is PyTorch's probability of dropping; a kept unit is scaled by 1/(1 − p)
//!   in training, so evaluation is the identity. (The lecture writes p for the probability of keeping.)
//! - **Regularization**: λ₂·Σw² and λ₁·Σ|w| over the Linear weights (not the biases or batch-norm parameters, as
//!   cs231n does), added to the data loss.
//! - **Initializers** ([`Init`]): `std=S` (randn·S), `xavier` (randn/√fan_in, as the lecture), `he`
//!   (randn/√(fan_in/2)), `glorot-uniform` (U(±√(6/(fan_in+fan_out)))), `playground` (U(−0.5, 0.5), biases 0.1, as
//!   TensorFlow Playground), `pytorch` (nn.Linear's default U(±1/√fan_in) for weights and biases). Biases are 0 for
//!   the others. Weights are drawn in f64 from the seed, so an f32 and an f64 network from one seed agree.

pub mod confusion;
pub mod data_parallel;
pub mod health;
mod init;
pub mod init_stats;
pub mod landscape;
pub mod playground;
mod scalar_net;
mod spec;
pub mod store;
pub mod train;

pub use data_parallel::{DATA_PARALLEL_MIN_MACS, set_data_parallel_min_macs};
pub use init::Init;
pub use scalar_net::ScalarNet;
pub use spec::{ACTIVATIONS, Field, Layer, MlpSpec, NnError, parse_activation, parse_hidden};
pub use train::{Backend, EpochStats, Retuned, Snapshot, TrainConfig, Trainer};

use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};

use crate::scalar::Unary;
use crate::tensor::{Element, Loss, NodeId, ParamId, ParamStore, Tape, TensorError};

/// The most values (a few MB) an evaluation pass puts on the tape at once beyond a training batch's worth of rows
/// ([`Mlp::eval_rows`]): small networks still evaluate thousands of rows per pass.
pub const EVAL_VALUES: usize = 1 << 18;

/// Batch norm's ε (PyTorch's default).
pub const BN_EPS: f64 = 1e-5;
/// Batch norm's running-average momentum (PyTorch's default).
pub const BN_MOMENTUM: f64 = 0.1;

/// Training (batch statistics, dropout on) or evaluation (running statistics, dropout off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// As `model.train()`.
    Train,
    /// As `model.eval()`.
    Eval,
}

/// A layer with its parameters in the store.
#[derive(Clone, Debug, PartialEq)]
pub enum MlpLayer<T> {
    /// `Linear`: weight (out × in), bias (1 × out).
    Linear { weight: ParamId, bias: ParamId },
    /// `BatchNorm1d`: γ, β and the running statistics (mean then variance, 2 × width).
    BatchNorm { gamma: ParamId, beta: ParamId, running: Vec<T>, batches: u64 },
    /// An activation.
    Activation(Unary),
    /// `Dropout(p)`.
    Dropout(f64),
}

/// A multi-layer perceptron: its description, its built layers, and the tape that holds its parameters.
#[derive(Clone, Debug)]
pub struct Mlp<T> {
    /// What it is.
    pub spec: MlpSpec,
    /// The layers in `nn.Sequential` order, with their parameters.
    pub layers: Vec<MlpLayer<T>>,
    /// The tape; its parameter store holds every weight.
    pub tape: Tape<T>,
    /// The dropout masks of the current training pass, one per dropout layer, for the whole batch.
    masks: Vec<Vec<T>>,
    /// The second half's tape when a step runs on two threads ([`data_parallel`]).
    replica: Option<Box<Tape<T>>>,
}

impl<T: Element> Mlp<T> {
    /// A network with freshly initialized parameters (weights drawn from `seed`).
    pub fn new(spec: &MlpSpec, seed: u64) -> Result<Self, NnError> {
        spec.validate()?;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut store = ParamStore::new();
        let mut layers = Vec::new();
        for (index, layer) in spec.layers().into_iter().enumerate() {
            layers.push(match layer {
                Layer::Linear { inputs, outputs } => {
                    let (w, b) = spec.init.draw(&mut rng, inputs, outputs);
                    let w: Vec<T> = w.into_iter().map(T::from_f64).collect();
                    let b: Vec<T> = b.into_iter().map(T::from_f64).collect();
                    let weight = store.add(format!("{index}.weight"), outputs, inputs, &w, true);
                    let bias = store.add(format!("{index}.bias"), 1, outputs, &b, false);
                    MlpLayer::Linear { weight, bias }
                }
                Layer::BatchNorm { width } => {
                    let gamma = store.add(format!("{index}.weight"), 1, width, &vec![T::one(); width], false);
                    let beta = store.add(format!("{index}.bias"), 1, width, &vec![T::zero(); width], false);
                    let mut running = vec![T::zero(); 2 * width];
                    running[width..].iter_mut().for_each(|v| *v = T::one());
                    MlpLayer::BatchNorm { gamma, beta, running, batches: 0 }
                }
                Layer::Activation(u) => MlpLayer::Activation(u),
                Layer::Dropout(p) => MlpLayer::Dropout(p),
            });
        }
        Ok(Self { spec: spec.clone(), layers, tape: Tape::new(store), masks: Vec::new(), replica: None })
    }

    /// The parameter store (every weight, flat).
    pub fn params(&self) -> &ParamStore<T> {
        &self.tape.params
    }

    /// The parameter store, to set weights.
    pub fn params_mut(&mut self) -> &mut ParamStore<T> {
        &mut self.tape.params
    }

    /// The forward pass of a batch `x` (n × inputs, row-major) on a fresh tape; returns the output scores node
    /// (n × outputs). In training mode dropout draws its masks from `rng` and batch norm uses (and records) the
    /// batch statistics; the running statistics are updated by [`Mlp::update_running_stats`].
    pub fn forward(&mut self, x: &[T], n: usize, mode: Mode, rng: &mut impl Rng) -> Result<NodeId, TensorError> {
        self.draw_masks(n, mode, rng);
        let pass = Pass { layers: &self.layers, inputs: self.spec.inputs, x, rows: (0, n), mode, masks: &self.masks };
        forward_on(&mut self.tape, &pass, None)
    }

    /// The evaluation-mode forward pass of `x` (n × inputs, row-major) keeping every layer's output: element k is
    /// the node of `layers[k]`'s output (n × its width; read it with `tape.value`). What a window draws a network's
    /// units from: evaluate the points of a grid, and each column of a hidden layer's output is one unit's picture.
    pub fn activations(&mut self, x: &[T], n: usize) -> Result<Vec<NodeId>, TensorError> {
        let mut trace = Vec::with_capacity(self.layers.len());
        let pass =
            Pass { layers: &self.layers, inputs: self.spec.inputs, x, rows: (0, n), mode: Mode::Eval, masks: &[] };
        forward_on(&mut self.tape, &pass, Some(&mut trace))?;
        Ok(trace)
    }

    /// [`Mlp::activations`] in either mode: every layer's output node, in order. In training mode batch norm uses
    /// the batch's statistics (the running ones are left alone: [`Mlp::update_running_stats`] is not called) and
    /// dropout draws fresh masks from `rng`, which [`Mlp::masks`] then holds. What the labs look inside a training
    /// pass with.
    pub fn activations_in(
        &mut self,
        x: &[T],
        n: usize,
        mode: Mode,
        rng: &mut impl Rng,
    ) -> Result<Vec<NodeId>, TensorError> {
        self.draw_masks(n, mode, rng);
        let mut trace = Vec::with_capacity(self.layers.len());
        let pass = Pass { layers: &self.layers, inputs: self.spec.inputs, x, rows: (0, n), mode, masks: &self.masks };
        forward_on(&mut self.tape, &pass, Some(&mut trace))?;
        Ok(trace)
    }

    /// The dropout masks of the latest training-mode pass, one per dropout layer with p > 0, each n × width
    /// row-major: 0 for a dropped unit, 1/(1 − p) for a kept one (inverted dropout).
    pub fn masks(&self) -> &[Vec<T>] {
        &self.masks
    }

    /// Sets the weights and batch-norm running statistics from a training run's snapshot (of a network of the
    /// same description): a window's own copy of the network follows the run on the worker this way.
    pub fn load_snapshot(&mut self, snapshot: &train::Snapshot<T>) -> Result<(), NnError> {
        let values = self.tape.params.values_mut();
        let running: Vec<&mut Vec<T>> = self
            .layers
            .iter_mut()
            .filter_map(|l| match l {
                MlpLayer::BatchNorm { running, .. } => Some(running),
                _ => None,
            })
            .collect();
        let fits = snapshot.params.len() == values.len()
            && snapshot.running.len() == running.len()
            && snapshot.running.iter().zip(&running).all(|(s, r)| s.len() == r.len());
        if !fits {
            return Err(NnError::Snapshot {
                got_params: snapshot.params.len(),
                got_norms: snapshot.running.len(),
                want_params: values.len(),
                want_norms: running.len(),
            });
        }
        values.copy_from_slice(&snapshot.params);
        for (r, s) in running.into_iter().zip(&snapshot.running) {
            r.copy_from_slice(s);
        }
        Ok(())
    }

    /// How many rows to evaluate per forward pass when many rows are evaluated (the per-epoch passes, `predict`):
    /// a training batch's worth (`batch`), or more while one pass holds at most [`EVAL_VALUES`] values on the tape,
    /// and never more than 4 096. So an evaluation's memory is bounded by the batch, whatever the number of rows:
    /// the tape holds one chunk's values (no gradients), at most max(batch, [`EVAL_VALUES`]/width) rows of them.
    pub fn eval_rows(&self, batch: usize) -> usize {
        // values one row puts on an evaluation tape: the input, then every layer's output
        let mut width = self.spec.inputs;
        let mut per_row = width;
        for layer in &self.layers {
            match layer {
                MlpLayer::Linear { weight, .. } => width = self.tape.params.entry(*weight).rows,
                MlpLayer::Dropout(_) => continue, // the identity in evaluation: no node
                _ => {}
            }
            per_row += width;
        }
        (EVAL_VALUES / per_row.max(1)).max(batch).clamp(1, 4096)
    }

    /// Draws the dropout masks of a training-mode pass over `n` rows, layer by layer (the order a sequential pass
    /// draws them in, so a batch split in two halves drops the same units).
    fn draw_masks(&mut self, n: usize, mode: Mode, rng: &mut impl Rng) {
        let mut width = self.spec.inputs;
        let mut k = 0;
        for layer in &self.layers {
            match layer {
                MlpLayer::Linear { weight, .. } => width = self.tape.params.entry(*weight).rows,
                MlpLayer::Dropout(p) if mode == Mode::Train && *p > 0.0 => {
                    if self.masks.len() <= k {
                        self.masks.push(Vec::new());
                    }
                    self.masks[k].resize(n * width, T::zero());
                    fill_dropout_mask(rng, *p, &mut self.masks[k]);
                    k += 1;
                }
                _ => {}
            }
        }
    }

    /// The data loss of `scores` against `targets` (see [`Mlp::targets`]) plus the L1/L2 penalties; returns the
    /// total node.
    pub fn loss(&mut self, scores: NodeId, targets: &[T]) -> Result<NodeId, TensorError> {
        loss_on(&mut self.tape, &self.spec, &self.layers, scores, targets, None, true)
    }

    /// The data loss alone (no penalty) of `scores` against `targets` (see [`Mlp::targets`]): what evaluation reports.
    pub fn data_loss(&mut self, scores: NodeId, targets: &[T]) -> Result<NodeId, TensorError> {
        loss_on(&mut self.tape, &self.spec, &self.layers, scores, targets, None, false)
    }

    /// One training step's gradients: the forward pass of the batch `x` (n rows) in training mode, the loss against
    /// `targets` (see [`Mlp::targets`]) with the penalties, backward into the parameter store's gradients, and the
    /// batch-norm running statistics. Returns the loss before the step.
    ///
    /// On two threads ([`data_parallel`]: no batch norm, a batch of at least [`DATA_PARALLEL_MIN_MACS`]
    /// multiply-adds) the batch runs as two halves, one per thread, each on its own tape over the same weights; the
    /// loss and gradients are the whole batch's either way, up to rounding.
    pub fn train_step_grads(
        &mut self,
        x: &[T],
        n: usize,
        targets: &[T],
        rng: &mut impl Rng,
    ) -> Result<f64, TensorError> {
        if data_parallel::worth_splitting(self, x, n, targets) {
            return data_parallel::step(self, x, n, targets, rng);
        }
        let scores = self.forward(x, n, Mode::Train, rng)?;
        let total = self.loss(scores, targets)?;
        self.tape.backward(total)?;
        self.update_running_stats();
        Ok(self.tape.value(total)[0].as_f64())
    }

    /// After a training-mode forward pass: running = (1 − 0.1)·running + 0.1·batch statistic for every batch-norm
    /// layer, with the unbiased batch variance, as PyTorch does. No allocation.
    pub fn update_running_stats(&mut self) {
        let mut next = 0;
        for layer in &mut self.layers {
            if let MlpLayer::BatchNorm { running, batches, .. } = layer {
                while next < self.tape.len() && self.tape.batch_stats(NodeId(next as u32)).is_none() {
                    next += 1;
                }
                if next == self.tape.len() {
                    return; // the tape was not a training-mode forward pass
                }
                let id = NodeId(next as u32);
                next += 1;
                let n = self.tape.shape(id).0;
                let (mean, var) = self.tape.batch_stats(id).expect("a batch-norm node");
                blend_running(running, mean.iter().copied(), var.iter().copied(), n);
                *batches += 1;
            }
        }
    }
    /// The targets a batch's labels become for this network's loss: class indices (ce, svm), 0/1 (bce), ±1 (hinge,
    /// and mse with one output), or one-hot rows (mse with K outputs). Written into `out` (resized).
    pub fn targets(&self, labels: &[usize], out: &mut Vec<T>) {
        out.clear();
        let k = self.spec.outputs;
        match self.spec.loss {
            Loss::SoftmaxCe | Loss::MulticlassHinge => out.extend(labels.iter().map(|&y| T::from_usize(y))),
            Loss::BceLogits => out.extend(labels.iter().map(|&y| T::from_usize(y.min(1)))),
            Loss::MarginHinge => out.extend(labels.iter().map(|&y| if y == 0 { -T::one() } else { T::one() })),
            Loss::Mse if k == 1 => out.extend(labels.iter().map(|&y| if y == 0 { -T::one() } else { T::one() })),
            Loss::Mse => {
                for &y in labels {
                    out.extend((0..k).map(|j| if j == y { T::one() } else { T::zero() }));
                }
            }
        }
    }

    /// The predicted class of each row of `scores` (n × outputs): with one output, class 1 when the score is above
    /// the midpoint (0 for logits and ±1 targets), else the largest score.
    pub fn classify(&self, scores: &[T], out: &mut Vec<usize>) {
        out.clear();
        let k = self.spec.outputs;
        if k == 1 {
            out.extend(scores.iter().map(|&s| usize::from(s > T::zero())));
        } else {
            out.extend(scores.chunks_exact(k).map(|row| {
                let mut best = 0;
                for (j, &v) in row.iter().enumerate() {
                    if v > row[best] {
                        best = j;
                    }
                }
                best
            }));
        }
    }
}

/// What one forward pass runs: the layers, the rows, the mode and the dropout masks.
pub(super) struct Pass<'a, T> {
    /// The network's layers, in order.
    pub(super) layers: &'a [MlpLayer<T>],
    /// The input width (the columns of `x`).
    pub(super) inputs: usize,
    /// The rows, row-major.
    pub(super) x: &'a [T],
    /// The first row's index in the batch (where its rows of `masks` start) and the number of rows.
    pub(super) rows: (usize, usize),
    /// Training (dropout on, batch statistics) or evaluation.
    pub(super) mode: Mode,
    /// The dropout masks, drawn for the whole batch: one per dropout layer with p > 0.
    pub(super) masks: &'a [Vec<T>],
}

/// The forward pass on `tape` (reset first). With `trace`, each layer's output node is pushed onto it, in order.
pub(super) fn forward_on<T: Element>(
    tape: &mut Tape<T>,
    pass: &Pass<'_, T>,
    mut trace: Option<&mut Vec<NodeId>>,
) -> Result<NodeId, TensorError> {
    let Pass { layers, inputs, x, rows: (first, n), mode, masks } = *pass;
    tape.reset();
    let mut h = tape.input(x, n, inputs)?;
    let mut masks = masks.iter();
    for layer in layers {
        h = match layer {
            MlpLayer::Linear { weight, bias } => {
                let w = tape.param(*weight);
                let b = tape.param(*bias);
                tape.linear(h, w, b)?
            }
            MlpLayer::BatchNorm { gamma, beta, running, .. } => {
                let g = tape.param(*gamma);
                let b = tape.param(*beta);
                match mode {
                    Mode::Train => tape.batch_norm(h, g, b, BN_EPS)?,
                    Mode::Eval => {
                        let stats = tape.input(running, 2, running.len() / 2)?;
                        tape.batch_norm_eval(h, g, b, stats, BN_EPS)?
                    }
                }
            }
            MlpLayer::Activation(u) => tape.map(*u, h)?,
            MlpLayer::Dropout(p) => match mode {
                Mode::Train if *p > 0.0 => {
                    let (rows, cols) = tape.shape(h);
                    let mask = masks.next().expect("a mask drawn for every dropout layer");
                    let m = tape.input(&mask[first * cols..(first + rows) * cols], rows, cols)?;
                    tape.mul(h, m)?
                }
                _ => h,
            },
        };
        if let Some(trace) = trace.as_deref_mut() {
            trace.push(h);
        }
    }
    Ok(h)
}

/// The data loss of `scores` against `targets` on `tape`, times `weight` when given (a half batch's share), plus the
/// L1/L2 penalties when `penalties` says so; returns the total node.
fn loss_on<T: Element>(
    tape: &mut Tape<T>,
    spec: &MlpSpec,
    layers: &[MlpLayer<T>],
    scores: NodeId,
    targets: &[T],
    weight: Option<f64>,
    penalties: bool,
) -> Result<NodeId, TensorError> {
    let (n, _) = tape.shape(scores);
    let cols = if spec.loss == Loss::Mse { spec.outputs } else { 1 };
    let t = tape.input(targets, n, cols)?;
    let mut total = tape.loss(spec.loss, scores, t)?;
    if let Some(w) = weight {
        total = tape.scale(total, w)?;
    }
    if !penalties {
        return Ok(total);
    }
    for (lambda, l1) in [(spec.l2, false), (spec.l1, true)] {
        if lambda == 0.0 {
            continue;
        }
        for layer in layers {
            if let MlpLayer::Linear { weight, .. } = layer {
                let w = tape.param(*weight);
                let s = if l1 { tape.sum_abs(w)? } else { tape.sum_squares(w)? };
                let s = tape.scale(s, lambda)?;
                total = tape.add(total, s)?;
            }
        }
    }
    Ok(total)
}

/// running = 0.9·running + 0.1·(batch mean; unbiased batch variance), PyTorch's momentum 0.1.
fn blend_running<T: Element>(running: &mut [T], mean: impl Iterator<Item = T>, var: impl Iterator<Item = T>, n: usize) {
    let m = T::from_f64(BN_MOMENTUM);
    let keep = T::one() - m;
    let unbias = if n > 1 { T::from_usize(n) / T::from_usize(n - 1) } else { T::one() };
    let w = running.len() / 2;
    let (rm, rv) = running.split_at_mut(w);
    for (r, x) in rm.iter_mut().zip(mean) {
        *r = keep * *r + m * x;
    }
    for (r, x) in rv.iter_mut().zip(var) {
        *r = keep * *r + m * x * unbias;
    }
}

/// Fills an inverted-dropout mask: each entry 0 with probability p, else 1/(1 − p). One f64 draw per entry, so an
/// f32 and an f64 network drop the same units from the same seed.
pub fn fill_dropout_mask<T: Element>(rng: &mut impl Rng, p: f64, mask: &mut [T]) {
    let keep = T::from_f64(1.0 / (1.0 - p));
    for m in mask.iter_mut() {
        *m = if rng.random::<f64>() < p { T::zero() } else { keep };
    }
}
