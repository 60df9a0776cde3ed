//! The batch-norm lab (slides 100-103): two copies of one network, the same initial weights and the same minibatches,
//! one with a `BatchNorm1d` after each hidden Linear (PyTorch's, `nn`'s one implementation), one without, trained
//! side by side with plain SGD. Along the way it records, for a watched hidden layer:
//!
//! ```text
//! pre-activations   the activation's input over a fixed probe batch, training mode: a histogram and percentiles
//!                   (with batch norm, γ·x̂ + β with x̂ = (x − μ_B)/√(σ²_B + ε); without, the Linear's x·Wᵀ + b)
//! γ, β, running     the first units' scale and shift, and running = 0.9·running + 0.1·batch (unbiased variance)
//! train vs eval     one probe row's batch-norm output in training mode (the probe batch's μ_B, σ²_B) and in
//!                   evaluation mode (the running statistics): equal only once the running ones have caught up
//! smoothness        Santurkar et al.'s gradient predictiveness at every step: ‖∇L(θ) − ∇L(θ − η·∇L(θ))‖ on the
//!                   step's own minibatch, i.e. how much the gradient changes along the update just taken
//! ```
//!
//! Each step costs one extra forward and backward pass per network (the gradient at the new weights, on a copy so
//! that the running statistics are not updated twice): O(steps · batch · parameters). Runs on a worker
//! ([`run_job`]); the same seed gives the same run.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::job::Job;
use super::{Lab, LabError, in_range};
use crate::data::{Dataset, generate};
use crate::nn::{Init, Mlp, MlpLayer, MlpSpec, Mode, TrainConfig, Trainer, parse_activation};
use crate::tensor::Loss;

/// Bins of a pre-activation histogram.
pub const BINS: usize = 30;
/// How many of the watched layer's units have their γ, β, running statistics and train/eval outputs recorded.
pub const UNITS: usize = 4;
/// The percentiles recorded of the pre-activations at each probe.
pub const PERCENTILES: [f64; 5] = [5.0, 25.0, 50.0, 75.0, 95.0];

/// The lab's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// A data set name of `data::generate` (`kspiral`, `moons`, `circle`, ...).
    pub data: String,
    /// Its number of points.
    pub points: usize,
    /// Hidden layer sizes.
    pub hidden: Vec<usize>,
    /// Their activation's name (`relu`, `tanh`, ...).
    pub activation: String,
    /// How the weights start (the same for both networks), as `--init` takes it.
    pub init: String,
    /// Plain SGD's learning rate.
    pub lr: f64,
    /// Steps of each network.
    pub steps: usize,
    /// Rows per minibatch (at least 2: one row has no batch variance).
    pub batch: usize,
    /// A probe (histogram, γ, β, ...) every this many steps.
    pub probe_every: usize,
    /// The watched hidden layer, 1-based.
    pub watch: usize,
    /// Seeds the data, the weights and the minibatches.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data: "kspiral".into(),
            points: 300,
            hidden: vec![32, 32, 32, 32],
            activation: "relu".into(),
            init: "xavier".into(),
            lr: 0.5,
            steps: 400,
            batch: 32,
            probe_every: 10,
            watch: 2,
            seed: 3,
        }
    }
}

/// A histogram over `[lo, hi]` in [`BINS`] equal bins.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Counts per bin.
    pub counts: Vec<u32>,
}

impl Histogram {
    /// The histogram of `values` over their own range (a constant set gets a range of ±0.5 around it).
    pub fn of(values: &[f64]) -> Self {
        let (mut lo, mut hi) =
            values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
        if !(lo.is_finite() && hi.is_finite()) {
            return Self { lo: -1.0, hi: 1.0, counts: vec![0; BINS] };
        }
        if hi - lo < 1e-12 {
            (lo, hi) = (lo - 0.5, hi + 0.5);
        }
        let mut counts = vec![0u32; BINS];
        for &v in values {
            let k = (((v - lo) / (hi - lo)) * BINS as f64) as usize;
            counts[k.min(BINS - 1)] += 1;
        }
        Self { lo, hi, counts }
    }
}

/// One network's figures at a probe.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetProbe {
    /// The watched layer's pre-activations over the probe batch.
    pub hist: Histogram,
    /// Their mean.
    pub mean: f64,
    /// Their standard deviation (population).
    pub std: f64,
    /// Their [`PERCENTILES`].
    pub percentiles: [f64; 5],
}

/// The batch-norm network's watched layer at a probe: its first [`UNITS`] units.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NormProbe {
    /// γ of each unit.
    pub gamma: Vec<f64>,
    /// β of each unit.
    pub beta: Vec<f64>,
    /// The running mean of each unit.
    pub running_mean: Vec<f64>,
    /// The running variance of each unit.
    pub running_var: Vec<f64>,
    /// The probe batch's mean of each unit's input (what training mode normalizes with).
    pub batch_mean: Vec<f64>,
    /// The probe batch's biased variance of each unit's input.
    pub batch_var: Vec<f64>,
    /// The first probe row's output of each unit in training mode (normalized with the probe batch's statistics).
    pub train_out: Vec<f64>,
    /// The same row's output in evaluation mode (normalized with the running statistics).
    pub eval_out: Vec<f64>,
}

/// Everything recorded at one probe.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Probe {
    /// Steps taken before it.
    pub step: usize,
    /// Without batch norm, then with.
    pub nets: [NetProbe; 2],
    /// The batch-norm network's watched layer.
    pub norm: NormProbe,
}

/// One training step's figures, without batch norm then with.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepStats {
    /// The minibatch loss before the step.
    pub loss: [f64; 2],
    /// ‖∇L(θ)‖ on the minibatch.
    pub grad_norm: [f64; 2],
    /// ‖∇L(θ) − ∇L(θ − η·∇L(θ))‖ on the same minibatch: the gradient's change along the step.
    pub grad_change: [f64; 2],
}

/// The run so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BnRun {
    /// One entry per step taken.
    pub steps: Vec<StepStats>,
    /// One entry per probe (the first before any step).
    pub probes: Vec<Probe>,
    /// The run finished or stopped.
    pub done: bool,
    /// What ended it early, in words.
    pub error: Option<String>,
}

/// Which network a comparison favours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    /// The network without batch norm.
    Plain,
    /// The network with batch norm.
    Norm,
}

impl BnRun {
    /// The mean gradient change per step over the second half of the run, without then with batch norm (NaN
    /// before any step).
    pub fn mean_grad_change(&self) -> [f64; 2] {
        let late = &self.steps[self.steps.len() / 2..];
        let n = late.len() as f64;
        [0, 1].map(|k| late.iter().map(|s| s.grad_change[k]).sum::<f64>() / n)
    }

    /// The network whose gradient changes less along its steps (the smoother landscape), over the run's second half.
    pub fn smoother(&self) -> Net {
        let [plain, norm] = self.mean_grad_change();
        if norm < plain { Net::Norm } else { Net::Plain }
    }
}

const LAB: &str = "batchnorm";

fn setting(setting: &'static str, got: impl ToString, expected: impl ToString) -> LabError {
    LabError::Setting { lab: LAB, setting, got: got.to_string(), expected: expected.to_string() }
}

impl Lab for Settings {
    fn id(&self) -> &'static str {
        LAB
    }

    fn quantities(&self) -> &'static str {
        "std:STEP, mean:STEP (the watched layer's pre-activations with batch norm at a probe's step), \
         plain_std:STEP, plain_mean:STEP (without), grad_change:plain, grad_change:norm"
    }

    fn check(&self) -> Result<(), LabError> {
        if !(self.lr.is_finite() && self.lr > 0.0 && self.lr <= 10.0) {
            return Err(setting("lr", self.lr, "above 0 and at most 10"));
        }
        in_range(LAB, "steps", self.steps, 1, 20_000)?;
        in_range(LAB, "batch", self.batch, 2, 4096)?;
        in_range(LAB, "points", self.points, 16, 20_000)?;
        if self.hidden.is_empty() || self.hidden.len() > 8 || self.hidden.iter().any(|&h| !(1..=512).contains(&h)) {
            return Err(setting("hidden", format!("{:?}", self.hidden), "1 to 8 layers of 1 to 512 units"));
        }
        in_range(LAB, "watch", self.watch, 1, self.hidden.len())?;
        in_range(LAB, "probe_every", self.probe_every, 1, 20_000)?;
        parse_activation(&self.activation).map_err(|e| setting("activation", &self.activation, e))?;
        self.init.parse::<Init>().map_err(|e| setting("init", &self.init, e))?;
        generate(&self.data, 16, 0.0, 0).map_err(|e| setting("data", &self.data, e))?;
        Ok(())
    }

    fn quantity(&self, name: &str) -> Result<f64, LabError> {
        let unknown = || LabError::UnknownQuantity { lab: LAB, name: name.to_owned(), known: self.quantities() };
        let parts: Vec<&str> = name.split(':').map(str::trim).collect();
        if let ["grad_change", which @ ("plain" | "norm")] = parts.as_slice() {
            let r = finished(run(self, |_| true))?;
            return Ok(r.mean_grad_change()[usize::from(*which == "norm")]);
        }
        let [what, step] = parts.as_slice() else { return Err(unknown()) };
        let step: usize = step.parse().map_err(|_| unknown())?;
        let (net, stat) = match *what {
            "std" => (1, true),
            "mean" => (1, false),
            "plain_std" => (0, true),
            "plain_mean" => (0, false),
            _ => return Err(unknown()),
        };
        if step > self.steps || (!step.is_multiple_of(self.probe_every) && step != self.steps) {
            return Err(unknown());
        }
        let r = finished(run(&Settings { steps: step.max(1), ..self.clone() }, |_| true))?;
        let p = r.probes.iter().find(|p| p.step == step).ok_or_else(unknown)?;
        Ok(if stat { p.nets[net].std } else { p.nets[net].mean })
    }

    fn hint(&self, name: &str) -> String {
        if name.starts_with("grad_change") {
            "the change is |g(θ) − g(θ − η·g(θ))| with g = grad L, on the step's own batch: a smoother landscape changes less".into()
        } else {
            "in training mode each unit is normalized with the batch's own mean and variance, then scaled by γ and \
             shifted by β: think of where γ and β start"
                .into()
        }
    }
}

/// A run's result, or its error as the lab's.
fn finished(r: BnRun) -> Result<BnRun, LabError> {
    match r.error {
        Some(e) => Err(setting("hidden", "", e)),
        None => Ok(r),
    }
}

impl Settings {
    /// The data and the two networks (without, with batch norm), same initial weights.
    fn build(&self) -> Result<(Dataset, [Trainer<f64>; 2]), LabError> {
        self.check()?;
        let data = generate(&self.data, self.points, 0.0, self.seed).map_err(|e| setting("data", &self.data, e))?;
        let activation = parse_activation(&self.activation).map_err(|e| setting("activation", &self.activation, e))?;
        let nn = |e: crate::nn::NnError| setting("hidden", format!("{:?}", self.hidden), e);
        let mut spec =
            MlpSpec::classifier(data.d, &self.hidden, data.classes(), activation, Loss::SoftmaxCe).map_err(nn)?;
        spec.init = self.init.parse().map_err(|e| setting("init", &self.init, e))?;
        let cfg = TrainConfig {
            opt: format!("sgd:lr={}", self.lr).parse().expect("a positive rate is a valid SGD spec"),
            schedule: None,
            epochs: 1,
            batch: self.batch,
            seed: self.seed,
            backend: crate::nn::Backend::Tensor,
        };
        let make = |batchnorm: bool| -> Result<Trainer<f64>, LabError> {
            let spec = MlpSpec { batchnorm, ..spec.clone() };
            let mlp = Mlp::new(&spec, self.seed).map_err(nn)?;
            Trainer::new(mlp, cfg.clone(), (&data.x, &data.y), (&[], &[])).map_err(nn)
        };
        let nets = [make(false)?, make(true)?];
        // the Linear layers draw their weights first from the same seed: both start from the same weights
        Ok((data, nets))
    }
}

/// The node index, in `Mlp::activations_in`'s trace, of the input to hidden layer `watch`'s activation.
fn pre_activation_index(mlp: &Mlp<f64>, watch: usize) -> usize {
    let act = (mlp.layers.iter().enumerate())
        .filter(|(_, l)| matches!(l, MlpLayer::Activation(_)))
        .nth(watch - 1)
        .map(|(i, _)| i)
        .expect("the watched layer was checked against the hidden layers");
    act - 1
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

/// The watched layer's pre-activations over `x` (n rows) in training mode.
fn net_probe(mlp: &mut Mlp<f64>, x: &[f64], n: usize, watch: usize, rng: &mut StdRng) -> Result<NetProbe, LabError> {
    let trace = mlp.activations_in(x, n, Mode::Train, rng).map_err(internal)?;
    let v = mlp.tape.value(trace[pre_activation_index(mlp, watch)]).to_vec();
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let std = (v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
    let mut sorted = v.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(NetProbe { hist: Histogram::of(&v), mean, std, percentiles: PERCENTILES.map(|p| percentile(&sorted, p)) })
}

/// The batch-norm network's watched layer over `x` (n rows): parameters, statistics, and row 0 in both modes.
fn norm_probe(mlp: &mut Mlp<f64>, x: &[f64], n: usize, watch: usize, rng: &mut StdRng) -> Result<NormProbe, LabError> {
    let at = pre_activation_index(mlp, watch);
    let MlpLayer::BatchNorm { gamma, beta, running, .. } = &mlp.layers[at] else {
        unreachable!("with batch norm, an activation's input is a batch-norm layer")
    };
    let width = running.len() / 2;
    let u = UNITS.min(width);
    let mut p = NormProbe {
        gamma: mlp.params().value(*gamma)[..u].to_vec(),
        beta: mlp.params().value(*beta)[..u].to_vec(),
        running_mean: running[..u].to_vec(),
        running_var: running[width..width + u].to_vec(),
        ..NormProbe::default()
    };
    let trace = mlp.activations_in(x, n, Mode::Train, rng).map_err(internal)?;
    let (mean, var) = mlp.tape.batch_stats(trace[at]).expect("a training-mode batch-norm node");
    p.batch_mean = mean[..u].to_vec();
    p.batch_var = var[..u].to_vec();
    p.train_out = mlp.tape.value(trace[at])[..u].to_vec();
    let trace = mlp.activations_in(x, n, Mode::Eval, rng).map_err(internal)?;
    p.eval_out = mlp.tape.value(trace[at])[..u].to_vec();
    Ok(p)
}

/// A failure inside a run whose settings were checked (a bug, reported rather than a panic).
fn internal(e: impl ToString) -> LabError {
    setting("hidden", "", e.to_string())
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// Runs the lab, calling `each` after every probe with the run so far; stops when it returns false.
pub fn run(setup: &Settings, mut each: impl FnMut(&BnRun) -> bool) -> BnRun {
    let mut out = BnRun::default();
    if let Err(e) = run_into(setup, &mut out, &mut each) {
        out.error = Some(e.to_string());
    }
    out.done = true;
    out
}

fn run_into(setup: &Settings, out: &mut BnRun, each: &mut impl FnMut(&BnRun) -> bool) -> Result<(), LabError> {
    let (data, mut nets) = setup.build()?;
    let d = data.d;
    let mut rng = StdRng::seed_from_u64(setup.seed ^ 0x5EED);
    let probe_n = data.n().min(128);
    let probe_x = data.x[..probe_n * d].to_vec();
    let probe = |nets: &mut [Trainer<f64>; 2], step: usize, rng: &mut StdRng| -> Result<Probe, LabError> {
        let mut plain = nets[0].mlp.clone();
        let mut normed = nets[1].mlp.clone();
        Ok(Probe {
            step,
            nets: [
                net_probe(&mut plain, &probe_x, probe_n, setup.watch, rng)?,
                net_probe(&mut normed, &probe_x, probe_n, setup.watch, rng)?,
            ],
            norm: norm_probe(&mut normed, &probe_x, probe_n, setup.watch, rng)?,
        })
    };
    out.probes.push(probe(&mut nets, 0, &mut rng)?);
    if !each(out) {
        return Ok(());
    }
    let mut order: Vec<usize> = (0..data.n()).collect();
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let (mut batch_x, mut batch_targets) = (Vec::new(), Vec::new());
    for step in 1..=setup.steps {
        if batches.is_empty() {
            order.shuffle(&mut rng);
            batches = order.chunks(setup.batch).filter(|c| c.len() > 1).rev().map(<[usize]>::to_vec).collect();
        }
        let rows = batches.pop().expect("refilled when empty");
        batch_x.clear();
        rows.iter().for_each(|&r| batch_x.extend_from_slice(data.row(r)));
        let labels: Vec<usize> = rows.iter().map(|&r| data.y[r]).collect();
        let mut stats = StepStats::default();
        for (k, t) in nets.iter_mut().enumerate() {
            stats.loss[k] = t.train_step(&rows).map_err(internal)?;
            // the store's gradients are ∇L(θ) and its values θ − η·∇L(θ) (plain SGD): the gradient there, on a copy
            let g = t.mlp.params().grads.clone();
            let mut after = t.mlp.clone();
            after.targets(&labels, &mut batch_targets);
            after.train_step_grads(&batch_x, rows.len(), &batch_targets, &mut rng).map_err(internal)?;
            let change: Vec<f64> = g.iter().zip(&after.params().grads).map(|(a, b)| a - b).collect();
            stats.grad_norm[k] = norm(&g);
            stats.grad_change[k] = norm(&change);
        }
        out.steps.push(stats);
        if step % setup.probe_every == 0 || step == setup.steps {
            out.probes.push(probe(&mut nets, step, &mut rng)?);
            if !each(out) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// [`run`] on a worker thread, publishing after every probe.
pub fn run_job(setup: Settings) -> Job<BnRun> {
    Job::spawn(BnRun::default(), move |p| {
        let last = run(&setup, |r| {
            p.publish(r.clone());
            !p.should_stop()
        });
        p.publish(last);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_by_hand() {
        // 0, 1, 2, 3 over [0, 3] in 30 bins: bin width 0.1; 1 → bin 10, 2 → bin 20, 3 → the last bin
        let h = Histogram::of(&[0.0, 1.0, 2.0, 3.0]);
        assert_eq!((h.lo, h.hi), (0.0, 3.0));
        assert_eq!((h.counts[0], h.counts[10], h.counts[20], h.counts[29]), (1, 1, 1, 1));
        assert_eq!(h.counts.iter().sum::<u32>(), 4);
        let c = Histogram::of(&[2.0, 2.0]);
        assert_eq!((c.lo, c.hi, c.counts[15]), (1.5, 2.5, 2));
    }

    #[test]
    fn the_first_probe_is_batch_norm_by_hand() {
        // layer 1: its input is the data itself in both modes (a deeper layer's input differs between the modes)
        let setup = Settings { steps: 1, watch: 1, ..Settings::default() };
        let r = run(&setup, |_| true);
        assert!(r.error.is_none(), "{:?}", r.error);
        let p = &r.probes[0];
        // with batch norm and γ = 1, β = 0 the pre-activations have mean 0 and std √(σ²/(σ² + ε)) ≈ 1 over the batch
        assert!(p.nets[1].mean.abs() < 1e-9 && (p.nets[1].std - 1.0).abs() < 1e-3, "{:?}", p.nets[1]);
        // γ starts at 1, β at 0, the running mean at 0 and the running variance at 1 (PyTorch's)
        assert_eq!(p.norm.gamma, vec![1.0; UNITS]);
        assert_eq!(p.norm.beta, vec![0.0; UNITS]);
        assert_eq!((p.norm.running_mean.clone(), p.norm.running_var.clone()), (vec![0.0; UNITS], vec![1.0; UNITS]));
        for j in 0..UNITS {
            // training mode: (x − μ_B)/√(σ²_B + ε); evaluation mode with the initial running stats: x/√(1 + ε). So
            // x = eval·√(1 + ε), and train = (x − μ_B)/√(σ²_B + ε), from the recorded batch statistics.
            let x = p.norm.eval_out[j] * (1.0 + 1e-5f64).sqrt();
            let train = (x - p.norm.batch_mean[j]) / (p.norm.batch_var[j] + 1e-5).sqrt();
            assert!((train - p.norm.train_out[j]).abs() < 1e-9, "unit {j}: {train} vs {}", p.norm.train_out[j]);
        }
        // without batch norm the Linear output is not centred; normalized, each unit's mean over the batch is 0
        let (plain, normed) = (&p.nets[0], &p.nets[1]);
        assert!(plain.mean.abs() > 1e-6 && normed.mean.abs() < 1e-9);
        assert_eq!(setup.quantity("mean:0").expect("computes"), p.nets[1].mean);
        assert_eq!(setup.quantity("plain_std:0").expect("computes"), p.nets[0].std);
        // and deeper, the same: γ = 1, β = 0 give mean 0, std ≈ 1 whatever the layer below did
        let deep = &run(&Settings { steps: 1, watch: 3, ..Settings::default() }, |_| true).probes[0].nets[1];
        assert!(deep.mean.abs() < 1e-9 && (deep.std - 1.0).abs() < 1e-3, "{deep:?}");
    }

    #[test]
    fn running_statistics_follow_pytorch_after_one_step() {
        // 16 points in batches of 16: the one minibatch is the whole set, and so is the probe batch. Layer 1's
        // batch statistics at probe 0 are the ones step 1 normalizes with, so after it (PyTorch's momentum 0.1,
        // unbiased variance): running mean = 0.9·0 + 0.1·μ_B, running variance = 0.9·1 + 0.1·σ²_B·16/15.
        let setup = Settings { points: 16, batch: 16, steps: 1, probe_every: 1, watch: 1, ..Settings::default() };
        let r = run(&setup, |_| true);
        assert!(r.error.is_none(), "{:?}", r.error);
        let (before, after) = (&r.probes[0].norm, &r.probes[1].norm);
        for j in 0..UNITS {
            let mean = 0.1 * before.batch_mean[j];
            let var = 0.9 + 0.1 * before.batch_var[j] * 16.0 / 15.0;
            assert!((after.running_mean[j] - mean).abs() < 1e-12, "unit {j}");
            assert!((after.running_var[j] - var).abs() < 1e-12, "unit {j}");
        }
        assert_eq!(r.steps.len(), 1);
        assert!(r.steps[0].grad_change.iter().all(|c| c.is_finite() && *c > 0.0));
    }

    #[test]
    fn the_gradient_changes_less_with_batch_norm() {
        let r = run(&Settings::default(), |_| true);
        assert!(r.error.is_none(), "{:?}", r.error);
        assert_eq!(r.steps.len(), 400);
        assert_eq!(r.probes.len(), 41);
        let [plain, norm] = r.mean_grad_change();
        assert_eq!(r.smoother(), Net::Norm, "plain {plain}, norm {norm}");
        // the same seed, the same run
        assert_eq!(run(&Settings::default(), |_| true), r);
    }

    #[test]
    fn bad_settings_name_their_control() {
        for (setup, what) in [
            (Settings { batch: 1, ..Settings::default() }, "batch"),
            (Settings { watch: 5, ..Settings::default() }, "watch"),
            (Settings { lr: f64::NAN, ..Settings::default() }, "lr"),
            (Settings { data: "spirals".into(), ..Settings::default() }, "spiral"),
            (Settings { activation: "relux".into(), ..Settings::default() }, "relux"),
        ] {
            let r = run(&setup, |_| true);
            assert!(r.done && r.error.as_deref().is_some_and(|e| e.contains(what)), "{what}: {:?}", r.error);
        }
    }
}
