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

mod init;
pub mod init_stats;
mod scalar_net;
mod spec;
pub mod store;
pub mod train;

pub use init::Init;
pub use scalar_net::ScalarNet;
pub use spec::{ACTIVATIONS, Layer, MlpSpec, NnError, parse_activation, parse_hidden};
pub use train::{Backend, EpochStats, Snapshot, TrainConfig, Trainer};

use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};

use crate::scalar::Unary;
use crate::tensor::{Element, Loss, NodeId, ParamId, ParamStore, Tape, TensorError};

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
pub enum Built<T> {
    /// `Linear`: weight (out × in), bias (1 × out).
    Linear { weight: ParamId, bias: ParamId },
    /// `BatchNorm1d`: γ, β and the running statistics (mean then variance, 2 × width).
    BatchNorm { gamma: ParamId, beta: ParamId, running: Vec<T>, batches: u64 },
    /// An activation.
    Act(Unary),
    /// `Dropout(p)`.
    Dropout(f64),
}

/// A multi-layer perceptron: its description, its built layers, and the tape that holds its parameters.
#[derive(Clone, Debug)]
pub struct Mlp<T> {
    /// What it is.
    pub spec: MlpSpec,
    /// The layers in `nn.Sequential` order, with their parameters.
    pub layers: Vec<Built<T>>,
    /// The tape; its parameter store holds every weight.
    pub tape: Tape<T>,
    mask: Vec<T>,
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
                    Built::Linear { weight, bias }
                }
                Layer::BatchNorm { width } => {
                    let gamma = store.add(format!("{index}.weight"), 1, width, &vec![T::one(); width], false);
                    let beta = store.add(format!("{index}.bias"), 1, width, &vec![T::zero(); width], false);
                    let mut running = vec![T::zero(); 2 * width];
                    running[width..].iter_mut().for_each(|v| *v = T::one());
                    Built::BatchNorm { gamma, beta, running, batches: 0 }
                }
                Layer::Act(u) => Built::Act(u),
                Layer::Dropout(p) => Built::Dropout(p),
            });
        }
        Ok(Self { spec: spec.clone(), layers, tape: Tape::new(store), mask: Vec::new() })
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
        self.tape.reset();
        let mut h = self.tape.input(x, n, self.spec.inputs)?;
        for layer in &self.layers {
            h = match layer {
                Built::Linear { weight, bias } => {
                    let w = self.tape.param(*weight);
                    let b = self.tape.param(*bias);
                    self.tape.linear(h, w, b)?
                }
                Built::BatchNorm { gamma, beta, running, .. } => {
                    let g = self.tape.param(*gamma);
                    let b = self.tape.param(*beta);
                    match mode {
                        Mode::Train => self.tape.batch_norm(h, g, b, BN_EPS)?,
                        Mode::Eval => {
                            let stats = self.tape.input(running, 2, running.len() / 2)?;
                            self.tape.batch_norm_eval(h, g, b, stats, BN_EPS)?
                        }
                    }
                }
                Built::Act(u) => self.tape.map(*u, h)?,
                Built::Dropout(p) => match mode {
                    Mode::Train if *p > 0.0 => {
                        let (rows, cols) = self.tape.shape(h);
                        self.mask.resize(rows * cols, T::zero());
                        fill_dropout_mask(rng, *p, &mut self.mask);
                        let m = self.tape.input(&self.mask, rows, cols)?;
                        self.tape.mul(h, m)?
                    }
                    _ => h,
                },
            };
        }
        Ok(h)
    }

    /// The data loss of `scores` against `targets` (see [`Mlp::targets`]) plus the L1/L2 penalties; returns the
    /// total node.
    pub fn loss(&mut self, scores: NodeId, targets: &[T]) -> Result<NodeId, TensorError> {
        let mut total = self.data_loss(scores, targets)?;
        for (lambda, l1) in [(self.spec.l2, false), (self.spec.l1, true)] {
            if lambda == 0.0 {
                continue;
            }
            for layer in &self.layers {
                if let Built::Linear { weight, .. } = layer {
                    let w = self.tape.param(*weight);
                    let s = if l1 { self.tape.sum_abs(w)? } else { self.tape.sum_squares(w)? };
                    let s = self.tape.scale(s, lambda)?;
                    total = self.tape.add(total, s)?;
                }
            }
        }
        Ok(total)
    }

    /// The data loss alone (no penalty) of `scores` against `targets` (see [`Mlp::targets`]): what evaluation reports.
    pub fn data_loss(&mut self, scores: NodeId, targets: &[T]) -> Result<NodeId, TensorError> {
        let (n, _) = self.tape.shape(scores);
        let cols = if self.spec.loss == Loss::Mse { self.spec.outputs } else { 1 };
        let t = self.tape.input(targets, n, cols)?;
        self.tape.loss(self.spec.loss, scores, t)
    }

    /// After a training-mode forward pass: running = (1 − 0.1)·running + 0.1·batch statistic for every batch-norm
    /// layer, with the unbiased batch variance, as PyTorch does. No allocation.
    pub fn update_running_stats(&mut self) {
        let mut next = 0;
        for layer in &mut self.layers {
            if let Built::BatchNorm { running, batches, .. } = layer {
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
