//! Training: minibatches, epochs, shuffling with the seed, any optimizer rule of [`crate::optim`] and any schedule;
//! the same seed gives the same run, bit for bit. After each epoch both parts of the data are evaluated in
//! evaluation mode (running batch-norm statistics, no dropout), as TensorFlow Playground shows its losses.
//!
//! A [`Trainer`] is `Send`: a window trains it on a worker thread ([`Trainer::spawn`], or [`Trainer::spawn_every`]
//! to hear from it every few steps) and reads [`Snapshot`]s — the flat weights, the running statistics, the history,
//! the latest minibatch loss — which cost one copy of the parameters each. To draw what the network computes, the
//! window loads a snapshot into its own copy of the network ([`Mlp::load_snapshot`]) and evaluates it on the points
//! it shows, keeping every layer's output ([`Mlp::activations`]).
//!
//! The schedule's step is the epoch (the lecture decays the learning rate per epoch, slide 119). With batch norm, a
//! last minibatch of a single row is skipped, since one row has no batch variance (PyTorch refuses it).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::{Built, Mlp, Mode, NnError};
use crate::optim::{OptimSpec, Optimizer, Schedule};
use crate::tensor::Element;

/// Which engine computes the gradients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    /// The tensor tape (fast).
    Tensor,
    /// The scalar engine, one node per multiply-add (micrograd's way; slow, for looking inside).
    Scalar,
}

/// How to train.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// The optimizer rule and its hyper-parameters.
    pub opt: OptimSpec,
    /// The learning-rate schedule, stepped once per epoch (None: constant).
    pub schedule: Option<Schedule>,
    /// Passes over the training part.
    pub epochs: usize,
    /// Rows per minibatch (the last one of an epoch may be smaller).
    pub batch: usize,
    /// Seeds the shuffling and the dropout masks (the weights are seeded when the network is made).
    pub seed: u64,
    /// Which engine computes the gradients.
    pub backend: Backend,
}

/// What one epoch gave, evaluated after it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean data loss on the training part (no penalty), evaluation mode.
    pub train_loss: f64,
    /// Mean data loss on the test part (NaN when it is empty).
    pub test_loss: f64,
    /// Fraction of training rows classified right.
    pub train_acc: f64,
    /// Fraction of test rows classified right (NaN when empty).
    pub test_acc: f64,
    /// The learning rate used in this epoch.
    pub lr: f64,
    /// Minibatch steps taken so far in the run.
    pub steps: u64,
}

/// A copy of a training run's state, cheap to hand to another thread.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot<T> {
    /// Epochs finished.
    pub epoch: usize,
    /// Steps taken.
    pub steps: u64,
    /// Every parameter, flat, in the store's order.
    pub params: Vec<T>,
    /// Each batch-norm layer's running statistics (mean then variance).
    pub running: Vec<Vec<T>>,
    /// Per-epoch figures so far.
    pub history: Vec<EpochStats>,
    /// The total loss (data loss and penalties) of the latest minibatch, before its step; NaN before the first.
    pub loss: f64,
}

/// What [`Trainer::retune`] kept of the optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retuned {
    /// The optimizer is as it was.
    Unchanged,
    /// Only the learning rate changed: the rule's state (velocities, moments, step count) is kept.
    LearningRate,
    /// Another rule or other hyper-parameters: a fresh optimizer state on the same weights.
    FreshOptimizer,
}

/// A network, its optimizer and its data, ready to train.
#[derive(Debug)]
pub struct Trainer<T: Element> {
    /// The network being trained.
    pub mlp: Mlp<T>,
    opt: Optimizer<T>,
    cfg: TrainConfig,
    rng: StdRng,
    train_x: Vec<T>,
    train_y: Vec<usize>,
    test_x: Vec<T>,
    test_y: Vec<usize>,
    order: Vec<usize>,
    xb: Vec<T>,
    yb: Vec<usize>,
    tb: Vec<T>,
    pred: Vec<usize>,
    /// Per-epoch figures.
    pub history: Vec<EpochStats>,
    steps: u64,
    /// The latest minibatch's loss (NaN before the first step).
    last_loss: f64,
    /// Rows already stepped through of an epoch that was stopped part-way (its order is kept in `order`); counted
    /// in rows, not minibatches, so that a new batch size ([`Trainer::retune`]) goes on from the same row.
    resume_at: Option<usize>,
}

impl<T: Element> Trainer<T> {
    /// A trainer over row-major training and test data (`inputs` columns) with class labels.
    pub fn new(
        mlp: Mlp<T>,
        cfg: TrainConfig,
        train: (&[f64], &[usize]),
        test: (&[f64], &[usize]),
    ) -> Result<Self, NnError> {
        let d = mlp.spec.inputs;
        if cfg.batch == 0 {
            return Err(NnError::Size { what: "--batch", got: 0 });
        }
        for (x, y) in [train, test] {
            if x.len() != y.len() * d {
                return Err(NnError::Size {
                    what: "the data's column count (features)",
                    got: x.len() / y.len().max(1),
                });
            }
        }
        if train.1.is_empty() {
            return Err(NnError::Size { what: "the number of training rows", got: 0 });
        }
        let k = mlp.spec.outputs.max(2);
        if let Some(&bad) = train.1.iter().chain(test.1).find(|&&y| y >= k) {
            return Err(NnError::Loss {
                loss: mlp.spec.loss.name().into(),
                reason: format!("label {bad} but only {k} classes"),
            });
        }
        let to_t = |x: &[f64]| x.iter().map(|&v| T::from_f64(v)).collect::<Vec<T>>();
        // a network's slice is large and no single weight is inspected: skip the per-parameter recording
        let mut opt = Optimizer::<T>::new(&cfg.opt);
        opt.set_inspectable(false);
        let n = train.1.len();
        Ok(Self {
            rng: StdRng::seed_from_u64(cfg.seed ^ 0x9E37_79B9_7F4A_7C15),
            opt,
            train_x: to_t(train.0),
            train_y: train.1.to_vec(),
            test_x: to_t(test.0),
            test_y: test.1.to_vec(),
            order: (0..n).collect(),
            xb: Vec::new(),
            yb: Vec::new(),
            tb: Vec::new(),
            pred: Vec::new(),
            history: Vec::new(),
            steps: 0,
            last_loss: f64::NAN,
            resume_at: None,
            mlp,
            cfg,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &TrainConfig {
        &self.cfg
    }

    /// Minibatch steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The total loss (data loss and penalties) of the latest minibatch, before its step; NaN before the first.
    pub fn last_loss(&self) -> f64 {
        self.last_loss
    }

    /// The optimizer (to inspect its state).
    pub fn optimizer(&self) -> &Optimizer<T> {
        &self.opt
    }

    /// Changes how the network trains from the next step on, keeping the weights ([`Retuned`] says what else was
    /// kept): the learning rate of the same rule keeps the rule's state (a change like
    /// `param_groups[0]["lr"] = lr`); another rule, or other hyper-parameters, start a fresh optimizer state on the
    /// same weights. The schedule and the batch size apply from the next step (an epoch stopped part-way goes on
    /// from the same row); `l1` and `l2` are the network's penalties. The seed and the data do not change.
    pub fn retune(
        &mut self,
        opt: OptimSpec,
        schedule: Option<Schedule>,
        batch: usize,
        l1: f64,
        l2: f64,
    ) -> Result<Retuned, NnError> {
        if batch == 0 {
            return Err(NnError::Size { what: "--batch", got: 0 });
        }
        opt.validate().map_err(|e| NnError::Setting(format!("--opt {e}")))?;
        if let Some(s) = &schedule {
            s.validate().map_err(|e| NnError::Setting(format!("--schedule {e}")))?;
        }
        for (name, value) in [("l1", l1), ("l2", l2)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(NnError::Penalty { name, value });
            }
        }
        let mut same_rule = opt;
        same_rule.set_lr(self.cfg.opt.lr());
        let kept = if opt == self.cfg.opt {
            Retuned::Unchanged
        } else if same_rule == self.cfg.opt {
            Retuned::LearningRate
        } else {
            let inspectable = self.opt.is_inspectable();
            self.opt = Optimizer::<T>::new(&opt).inspectable(inspectable);
            Retuned::FreshOptimizer
        };
        self.cfg.opt = opt;
        self.cfg.schedule = schedule;
        self.cfg.batch = batch;
        self.mlp.spec.l1 = l1;
        self.mlp.spec.l2 = l2;
        let epoch = self.history.len() as u64;
        self.opt.set_lr(match &self.cfg.schedule {
            Some(s) => s.lr_at(self.cfg.opt.lr(), epoch),
            None => self.cfg.opt.lr(),
        });
        Ok(kept)
    }

    /// One minibatch step on the given training rows: forward, loss, backward, optimizer step. Returns the batch's
    /// total loss (data loss + penalties) before the step. Allocates nothing once warm (tensor backend).
    pub fn train_step(&mut self, rows: &[usize]) -> Result<f64, NnError> {
        let d = self.mlp.spec.inputs;
        self.xb.clear();
        self.yb.clear();
        for &r in rows {
            self.xb.extend_from_slice(&self.train_x[r * d..(r + 1) * d]);
            self.yb.push(self.train_y[r]);
        }
        let loss = match self.cfg.backend {
            Backend::Tensor => {
                self.mlp.targets(&self.yb, &mut self.tb);
                self.mlp.train_step_grads(&self.xb, rows.len(), &self.tb, &mut self.rng)?
            }
            Backend::Scalar => {
                let x: Vec<f64> = self.xb.iter().map(|v| v.as_f64()).collect();
                let mut net = self.mlp.scalar_graph(&x, &self.yb, Mode::Train, &mut self.rng);
                let grads = net.param_grads();
                for (g, v) in self.mlp.tape.params.grads.iter_mut().zip(grads) {
                    *g = T::from_f64(v);
                }
                let mut stats = net.batch_stats.into_iter();
                for layer in &mut self.mlp.layers {
                    if let Built::BatchNorm { running, batches, .. } = layer {
                        let Some((mean, var)) = stats.next() else { break };
                        super::blend_running(
                            running,
                            mean.into_iter().map(T::from_f64),
                            var.into_iter().map(T::from_f64),
                            rows.len(),
                        );
                        *batches += 1;
                    }
                }
                net.graph.value(net.loss)
            }
        };
        let (values, grads) = self.mlp.tape.params.values_and_grads();
        self.opt.step(values, grads);
        self.steps += 1;
        self.last_loss = loss;
        Ok(loss)
    }

    /// One epoch: shuffle the training rows with the run's generator, step through them in minibatches, then
    /// evaluate both parts. Returns (and records) the epoch's figures.
    pub fn run_epoch(&mut self) -> Result<EpochStats, NnError> {
        self.run_epoch_with(|_| true)?.ok_or_else(|| NnError::Worker("an epoch stopped with nothing asking".into()))
    }

    /// [`Trainer::run_epoch`], calling `after_step` after every minibatch step; the epoch stops there when it
    /// returns false (then nothing is evaluated or recorded, and `None` is returned: the weights are mid-epoch). The
    /// next call goes on with the same epoch where it stopped (its shuffled order kept), so a run paused and
    /// resumed any number of times is the same, bit for bit, as one run straight through.
    pub fn run_epoch_with(&mut self, mut after_step: impl FnMut(&Self) -> bool) -> Result<Option<EpochStats>, NnError> {
        let epoch = self.history.len();
        let lr = match &self.cfg.schedule {
            Some(s) => s.lr_at(self.cfg.opt.lr(), epoch as u64),
            None => self.cfg.opt.lr(),
        };
        self.opt.set_lr(lr);
        let first = match self.resume_at.take() {
            Some(done) => done.min(self.order.len()),
            None => {
                self.order.shuffle(&mut self.rng);
                0
            }
        };
        let order = std::mem::take(&mut self.order);
        let mut stopped_after = None;
        let batch = self.cfg.batch;
        let result = (|| {
            // from a multiple of the batch (always, unless it was changed mid-epoch) these are the epoch's own
            // minibatches
            for (i, rows) in order[first..].chunks(batch).enumerate() {
                if rows.len() == 1 && self.mlp.spec.batchnorm && order.len() > 1 {
                    continue;
                }
                self.train_step(rows)?;
                if !after_step(self) {
                    stopped_after = Some(first + i * batch + rows.len());
                    return Ok(false);
                }
            }
            Ok::<bool, NnError>(true)
        })();
        self.order = order;
        self.resume_at = stopped_after;
        if !result? {
            return Ok(None);
        }
        let (train_loss, train_acc) = self.evaluate_part(false)?;
        let (test_loss, test_acc) = self.evaluate_part(true)?;
        let stats = EpochStats { epoch: epoch + 1, train_loss, test_loss, train_acc, test_acc, lr, steps: self.steps };
        self.history.push(stats);
        Ok(Some(stats))
    }

    fn evaluate_part(&mut self, test: bool) -> Result<(f64, f64), NnError> {
        let (x, y) = if test {
            (std::mem::take(&mut self.test_x), std::mem::take(&mut self.test_y))
        } else {
            (std::mem::take(&mut self.train_x), std::mem::take(&mut self.train_y))
        };
        let out = self.evaluate(&x, &y);
        if test {
            (self.test_x, self.test_y) = (x, y);
        } else {
            (self.train_x, self.train_y) = (x, y);
        }
        out
    }

    /// Mean data loss and accuracy of the network on rows `x` with labels `y`, in evaluation mode ((NaN, NaN) for
    /// no rows). Runs in chunks of [`Mlp::eval_rows`] rows, so its memory is bounded by the batch, not by `y.len()`.
    pub fn evaluate(&mut self, x: &[T], y: &[usize]) -> Result<(f64, f64), NnError> {
        if y.is_empty() {
            return Ok((f64::NAN, f64::NAN));
        }
        let d = self.mlp.spec.inputs;
        let (mut loss_sum, mut right) = (0.0, 0usize);
        let rows = self.mlp.eval_rows(self.cfg.batch);
        for (xc, yc) in x.chunks(rows * d).zip(y.chunks(rows)) {
            let scores = self.mlp.forward(xc, yc.len(), Mode::Eval, &mut self.rng)?;
            self.mlp.targets(yc, &mut self.tb);
            let l = self.mlp.data_loss(scores, &self.tb)?;
            loss_sum += self.mlp.tape.value(l)[0].as_f64() * yc.len() as f64;
            let mut pred = std::mem::take(&mut self.pred);
            self.mlp.classify(self.mlp.tape.value(scores), &mut pred);
            right += pred.iter().zip(yc).filter(|(p, t)| p == t).count();
            self.pred = pred;
        }
        Ok((loss_sum / y.len() as f64, right as f64 / y.len() as f64))
    }

    /// Runs the remaining epochs of the configuration, calling `each` after every epoch (a progress bar, a
    /// printer); stops early when `each` returns false.
    pub fn run(&mut self, mut each: impl FnMut(&EpochStats) -> bool) -> Result<(), NnError> {
        while self.history.len() < self.cfg.epochs {
            let stats = self.run_epoch()?;
            if !each(&stats) {
                break;
            }
        }
        Ok(())
    }

    /// A copy of the weights, running statistics and history.
    pub fn snapshot(&self) -> Snapshot<T> {
        Snapshot {
            epoch: self.history.len(),
            steps: self.steps,
            params: self.mlp.params().values().to_vec(),
            running: self
                .mlp
                .layers
                .iter()
                .filter_map(|l| match l {
                    Built::BatchNorm { running, .. } => Some(running.clone()),
                    _ => None,
                })
                .collect(),
            history: self.history.clone(),
            loss: self.last_loss,
        }
    }
}

/// A training run on a worker thread: the window polls [`Session::latest`] each frame and may stop it.
pub struct Session<T: Element> {
    latest: Arc<Mutex<Arc<Snapshot<T>>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Result<Trainer<T>, NnError>>>,
}

impl<T: Element> Trainer<T> {
    /// Trains the remaining epochs on a new thread, publishing a snapshot after every epoch; [`Session::stop`]
    /// takes effect at the end of the epoch under way.
    pub fn spawn(self) -> Session<T> {
        self.spawn_every(0)
    }

    /// [`Trainer::spawn`], also publishing a snapshot after every `steps` minibatch steps (0: only after epochs),
    /// and stopping at the next step when asked: a window's live view of a large data set, whose epochs are long. A
    /// run stopped mid-epoch returns with that epoch unrecorded (a later run goes on with it). The run is the same,
    /// bit for bit, as without the snapshots.
    pub fn spawn_every(mut self, steps: u64) -> Session<T> {
        let latest = Arc::new(Mutex::new(Arc::new(self.snapshot())));
        let stop = Arc::new(AtomicBool::new(false));
        let (l, s) = (latest.clone(), stop.clone());
        let publish = move |t: &Trainer<T>| *l.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(t.snapshot());
        let handle = std::thread::spawn(move || {
            while self.history.len() < self.cfg.epochs && !s.load(Ordering::Relaxed) {
                let stats = self.run_epoch_with(|t| {
                    if steps > 0 && t.steps % steps == 0 {
                        publish(t);
                    }
                    steps == 0 || !s.load(Ordering::Relaxed)
                })?;
                publish(&self);
                if stats.is_none() {
                    break;
                }
            }
            Ok(self)
        });
        Session { latest, stop, handle: Some(handle) }
    }
}

impl<T: Element> Session<T> {
    /// The newest snapshot (a pointer copy).
    pub fn latest(&self) -> Arc<Snapshot<T>> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Asks the worker to stop after the current epoch.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Whether the worker has finished.
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Waits for the worker and returns the trainer (or the error that ended it).
    pub fn join(mut self) -> Result<Trainer<T>, NnError> {
        let h = self.handle.take().expect("joined once");
        h.join().unwrap_or_else(|_| Err(NnError::Worker("the training thread stopped with a panic".into())))
    }
}
