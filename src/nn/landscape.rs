//! The network's own loss landscape (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"): the loss on
//! a plane through the weights, L(θ₀ + α·d₁ + β·d₂) over a G×G grid of (α, β) ∈ [−span, span]², and optimizers racing
//! on the real network with their paths projected onto that plane.
//!
//! **Directions** ([`Directions`]):
//! - `random`: Gaussian d₁, d₂, *filter-normalized*: each neuron's incoming weights (a row of a Linear weight, out × in)
//!   rescaled to the norm of the same row of θ, d_row ← d_row·‖θ_row‖/‖d_row‖; biases and batch-norm parameters get
//!   zero direction (the paper's section 4).
//! - `pca`: the top two principal directions of a trajectory's θₜ − θ_final (section 7), unit vectors; the plane goes
//!   through θ_final, and [`Plane::explained`] is each one's share of the path's variance. The rows are centred
//!   before the decomposition, as scikit-learn's PCA (which the paper used) does; the eigenvectors come from the
//!   T × T Gram matrix, so the cost is O(T²·P) for T points of P parameters (T is capped at [`PCA_MAX_POINTS`],
//!   evenly spaced along the path, last point kept).
//! - `weights:A,B`: two real weights as the axes (`0.weight[3,1]`, `2.bias[0]`, PyTorch's names and indices):
//!   d₁ = e_A, d₂ = e_B, so α and β are the two weights' offsets, the plane a learner can read.
//!
//! **Loss** ([`Problem::loss_at`]): the mean data loss over the whole training part in evaluation mode (batch norm's
//! running statistics, no dropout), plus the L1/L2 penalties of the network's description, on the tensor backend,
//! in chunks of [`Mlp::eval_rows`] rows. A grid point writes θ₀ + α·d₁ + β·d₂ into the network's one parameter
//! buffer and evaluates: once warm, no allocation per point. O(G²·n·P) for n rows.
//!
//! **The race** ([`race`]): K optimizers (the race's specs and schedules, one implementation in [`crate::optim`];
//! the schedule steps once per minibatch step, as in the race view) each train a copy of θ₀ on the same minibatch
//! sequence (seeded shuffles, epoch after epoch) for N steps; every θₜ is kept with its true loss. Each θₜ is then
//! projected onto the plane by least squares ([`Plane::project`]: d₁ and d₂ need not be orthogonal, so the 2 × 2
//! normal equations [d₁·d₁ d₁·d₂; d₁·d₂ d₂·d₂]·(α, β) = (d₁·r, d₂·r) with r = θₜ − θ₀), and the distance off the
//! plane ‖r − α·d₁ − β·d₂‖ is reported beside the true loss, so that a picture never pretends a path lies on the
//! slice when it does not.
//!
//! The long computations take a [`Progress`] (a counter and a stop flag, shared with the thread that watches) and
//! return `Ok(None)` when stopped; [`Job`] runs one on a worker thread, whose result the window polls.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};

use super::{Field, Mlp, MlpLayer, Mode, NnError, Pass, forward_on};
use crate::surface::{Domain, Grid, RacerSetup};
use crate::tensor::Element;

/// The largest grid side (G); 201² points at most.
pub const MAX_GRID: usize = 201;

/// The most steps a race on the network takes.
pub const MAX_STEPS: usize = 20_000;

/// The most parameter values a race keeps (every θₜ of every racer, to project it onto any plane): 2²⁶ of them.
pub const MAX_PATH_VALUES: usize = 1 << 26;

/// The most points of a trajectory the PCA decomposes (evenly spaced along it, the last one kept).
pub const PCA_MAX_POINTS: usize = 600;

/// A setting of a landscape's request: the core's messages name it by [`LandscapeField::name`]; the command line
/// puts its flag in that place and the window its control's label ([`LandscapeError::named`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LandscapeField {
    /// The plane's two directions.
    Directions,
    /// The grid's side.
    Grid,
    /// How far the grid reaches along each direction.
    Span,
    /// The race's steps.
    Steps,
}

impl LandscapeField {
    /// The field's name in the core's messages.
    pub fn name(self) -> &'static str {
        match self {
            LandscapeField::Directions => "directions",
            LandscapeField::Grid => "grid",
            LandscapeField::Span => "span",
            LandscapeField::Steps => "steps",
        }
    }
}

/// What a PCA plane needs and lacks, said without naming a flag or a control.
const PCA_NEEDS_PATH: &str = "needs a trajectory: race at least one optimizer for at least 2 steps";

/// What can be wrong with a landscape's request; every message names the setting and the value
/// (`grid = 1: use a grid side between 2 and 201 ...`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LandscapeError {
    /// Directions that cannot be built.
    #[error("directions = {text}: {reason}")]
    Directions {
        /// What was asked.
        text: String,
        /// Why it does not work.
        reason: String,
    },
    /// PCA directions without a trajectory of at least 2 steps to decompose.
    #[error("directions = pca: {PCA_NEEDS_PATH}")]
    PcaNeedsPath,
    /// A grid size out of range.
    #[error("grid = {0}: use a grid side between 2 and {MAX_GRID} (an odd one puts θ at the centre)")]
    Grid(usize),
    /// A span that is not a positive finite number.
    #[error("span = {0}: use a positive finite number")]
    Span(f64),
    /// Too many steps, or too many values to keep.
    #[error("steps = {steps}: {reason}")]
    Steps {
        /// The steps asked for.
        steps: usize,
        /// Why not.
        reason: String,
    },
    /// The network or its data refused.
    #[error(transparent)]
    Nn(#[from] NnError),
}

impl LandscapeError {
    /// The landscape's setting the error is about, if it is about one (the network's own settings are in
    /// [`LandscapeError::Nn`]'s [`NnError::field`]).
    pub fn field(&self) -> Option<LandscapeField> {
        match self {
            LandscapeError::Directions { .. } | LandscapeError::PcaNeedsPath => Some(LandscapeField::Directions),
            LandscapeError::Grid(_) => Some(LandscapeField::Grid),
            LandscapeError::Span(_) => Some(LandscapeField::Span),
            LandscapeError::Steps { .. } => Some(LandscapeField::Steps),
            LandscapeError::Nn(_) => None,
        }
    }

    /// The message with the setting called `name` (a flag such as `--grid`, a control's label) in place of the
    /// field's name: `--grid 1: use a grid side ...`. Other errors read as they are.
    pub fn named(&self, name: &str) -> String {
        let text = self.to_string();
        // every setting's message above starts with `field = `
        let rest = self.field().and_then(|f| text.strip_prefix(f.name())).and_then(|t| t.strip_prefix(" = "));
        match rest {
            Some(rest) => format!("{name} {rest}"),
            None => text,
        }
    }
}

impl From<crate::tensor::TensorError> for LandscapeError {
    fn from(e: crate::tensor::TensorError) -> Self {
        LandscapeError::Nn(NnError::Tensor(e))
    }
}

/// One scalar of the network by PyTorch's name: `0.weight[3,1]` (a Linear weight, out × in), `0.bias[2]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightRef {
    /// The tensor's name (`0.weight`).
    pub tensor: String,
    /// Its index, one number per dimension of the tensor as PyTorch shapes it.
    pub index: Vec<usize>,
}

impl std::fmt::Display for WeightRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let idx: Vec<String> = self.index.iter().map(|i| i.to_string()).collect();
        write!(f, "{}[{}]", self.tensor, idx.join(","))
    }
}

impl std::str::FromStr for WeightRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (tensor, rest) =
            s.split_once('[').ok_or_else(|| format!("'{s}' needs an index, e.g. 0.weight[3,1] or 0.bias[2]"))?;
        let inner = rest.strip_suffix(']').ok_or_else(|| format!("'{s}': the index ends with ]"))?;
        let index = inner
            .split(',')
            .map(|p| p.trim().parse::<usize>().map_err(|_| format!("'{s}': '{}' is not an index", p.trim())))
            .collect::<Result<Vec<_>, _>>()?;
        if tensor.trim().is_empty() {
            return Err(format!("'{s}' names no tensor"));
        }
        Ok(WeightRef { tensor: tensor.trim().to_string(), index })
    }
}

impl WeightRef {
    /// The scalar's place in the network's flat parameter buffer, or why it has none.
    pub fn offset<T: Element>(&self, mlp: &Mlp<T>) -> Result<usize, String> {
        let store = mlp.params();
        let names = || {
            let all: Vec<String> = store.entries.iter().map(|e| format!("{} {:?}", e.name, torch_shape(e))).collect();
            all.join(", ")
        };
        let id = store
            .find(&self.tensor)
            .ok_or_else(|| format!("no tensor '{}' (the network has {})", self.tensor, names()))?;
        let e = store.entry(id);
        let shape = torch_shape(e);
        let fits = self.index.len() == shape.len() && self.index.iter().zip(&shape).all(|(i, n)| i < n);
        if !fits {
            return Err(format!("{self} is outside {} of shape {shape:?} (indices start at 0)", self.tensor));
        }
        let local = if shape.len() == 2 { self.index[0] * e.cols + self.index[1] } else { self.index[0] };
        Ok(e.offset + local)
    }
}

/// A parameter's shape as PyTorch's state dict has it: [out, in] for a Linear weight, [n] for the others.
pub fn torch_shape(e: &crate::tensor::ParamEntry) -> Vec<usize> {
    if e.rows == 1 && !e.decays { vec![e.cols] } else { vec![e.rows, e.cols] }
}

/// How the plane's directions are chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directions {
    /// Filter-normalized Gaussian directions (drawn from the seed).
    Random,
    /// The top two principal directions of the first racer's trajectory.
    Pca,
    /// Two weights as the axes.
    Weights(WeightRef, WeightRef),
}

impl std::fmt::Display for Directions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Directions::Random => write!(f, "random"),
            Directions::Pca => write!(f, "pca"),
            Directions::Weights(a, b) => write!(f, "weights:{a},{b}"),
        }
    }
}

impl std::str::FromStr for Directions {
    type Err = LandscapeError;
    fn from_str(s: &str) -> Result<Self, LandscapeError> {
        let bad = |reason: String| LandscapeError::Directions { text: s.to_string(), reason };
        match s.trim() {
            "random" => return Ok(Directions::Random),
            "pca" => return Ok(Directions::Pca),
            _ => {}
        }
        let Some(list) = s.trim().strip_prefix("weights:") else {
            return Err(
                bad("use random, pca or weights:NAME1,NAME2 (e.g. weights:0.weight[0,0],0.weight[0,1])".into()),
            );
        };
        // split at the comma between the two names, not the ones inside brackets
        let mut depth = 0;
        let cut = list.char_indices().find(|&(_, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
            c == ',' && depth == 0
        });
        let Some((at, _)) = cut else { return Err(bad("name two weights, separated by a comma".into())) };
        let a: WeightRef = list[..at].parse().map_err(bad)?;
        let b: WeightRef = list[at + 1..].parse().map_err(bad)?;
        if a == b {
            return Err(bad(format!("both axes are {a}: name two different weights")));
        }
        Ok(Directions::Weights(a, b))
    }
}

/// Where a point lies against a plane: its least-squares coordinates and its distance off the plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    /// The coordinate along d₁.
    pub alpha: f64,
    /// The coordinate along d₂.
    pub beta: f64,
    /// ‖θ − (θ₀ + α·d₁ + β·d₂)‖.
    pub off_plane: f64,
}

/// A plane through the weights: θ₀ + α·d₁ + β·d₂.
#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    /// What chose the directions.
    pub directions: Directions,
    /// θ₀, where α = β = 0.
    pub origin: Vec<f64>,
    /// The first direction.
    pub d1: Vec<f64>,
    /// The second direction.
    pub d2: Vec<f64>,
    /// For `pca`: each direction's share of the trajectory's variance.
    pub explained: Option<[f64; 2]>,
    /// The axes' names for labels (`d1`, `0.weight[3,1]`, `PC1`).
    pub names: [String; 2],
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Plane {
    /// Filter-normalized random directions through the network's weights (Li et al., section 4), drawn from `seed`.
    pub fn random<T: Element>(mlp: &Mlp<T>, seed: u64) -> Plane {
        let origin = params_f64(mlp);
        let mut rng = StdRng::seed_from_u64(seed ^ 0x1a2b_3c4d_5e6f_7081);
        let mut draw = || {
            let mut d = vec![0.0; origin.len()];
            for e in &mlp.params().entries {
                if !e.decays {
                    continue; // biases and batch-norm parameters: zero direction
                }
                for r in 0..e.rows {
                    let row = e.offset + r * e.cols..e.offset + (r + 1) * e.cols;
                    for v in &mut d[row.clone()] {
                        *v = StandardNormal.sample(&mut rng);
                    }
                    let theta = dot(&origin[row.clone()], &origin[row.clone()]).sqrt();
                    let norm = dot(&d[row.clone()], &d[row.clone()]).sqrt();
                    let k = if norm > 0.0 { theta / norm } else { 0.0 };
                    d[row].iter_mut().for_each(|v| *v *= k);
                }
            }
            d
        };
        let d1 = draw();
        let d2 = draw();
        Plane { directions: Directions::Random, origin, d1, d2, explained: None, names: ["d1".into(), "d2".into()] }
    }

    /// Two weights as the axes, through the network's weights.
    pub fn weights<T: Element>(mlp: &Mlp<T>, a: &WeightRef, b: &WeightRef) -> Result<Plane, LandscapeError> {
        let directions = Directions::Weights(a.clone(), b.clone());
        let bad = |reason: String| LandscapeError::Directions { text: directions.to_string(), reason };
        let (ia, ib) = (a.offset(mlp).map_err(bad)?, b.offset(mlp).map_err(bad)?);
        if ia == ib {
            return Err(bad(format!("{a} and {b} are the same weight")));
        }
        let origin = params_f64(mlp);
        let mut d1 = vec![0.0; origin.len()];
        let mut d2 = vec![0.0; origin.len()];
        d1[ia] = 1.0;
        d2[ib] = 1.0;
        Ok(Plane { names: [a.to_string(), b.to_string()], directions, origin, d1, d2, explained: None })
    }

    /// The top two principal directions of `path` (θ₀ … θ_final, each a full parameter vector) around its last
    /// point (Li et al., section 7). A path that moves along one line has a second share of 0; its second direction
    /// is then any unit vector orthogonal to the first.
    pub fn pca(path: &[Vec<f64>]) -> Result<Plane, LandscapeError> {
        let bad = |reason: &str| LandscapeError::Directions { text: "pca".into(), reason: reason.into() };
        let last = path.last().ok_or(LandscapeError::PcaNeedsPath)?;
        let p = last.len();
        // evenly spaced points, the last one kept
        let t_all = path.len() - 1;
        let t = t_all.min(PCA_MAX_POINTS);
        if t < 2 {
            return Err(LandscapeError::PcaNeedsPath);
        }
        let picks: Vec<usize> = (0..t).map(|k| k * t_all / t).collect();
        let mut mean = vec![0.0; p];
        for &i in &picks {
            for ((m, x), f) in mean.iter_mut().zip(&path[i]).zip(last) {
                *m += (x - f) / t as f64;
            }
        }
        let rows = faer::Mat::<f64>::from_fn(t, p, |r, c| path[picks[r]][c] - last[c] - mean[c]);
        let gram = &rows * rows.transpose();
        let evd = gram
            .self_adjoint_eigen(faer::Side::Lower)
            .map_err(|_| bad("the trajectory holds values that are not finite numbers"))?;
        let (u, s) = (evd.U(), evd.S().column_vector());
        let total: f64 = (0..t).map(|k| s[k].max(0.0)).sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(bad("the trajectory does not move: there is no direction to find"));
        }
        let direction = |k: usize| -> Option<Vec<f64>> {
            let lambda = s[k].max(0.0);
            if lambda <= total * 1e-12 {
                return None;
            }
            let mut v = vec![0.0; p];
            for r in 0..t {
                let ur = u[(r, k)];
                for (vc, c) in v.iter_mut().zip(0..p) {
                    *vc += ur * rows[(r, c)];
                }
            }
            let n = dot(&v, &v).sqrt();
            // a sign that does not flip between runs: the largest component positive
            let big = v.iter().fold(0.0f64, |b, &x| if x.abs() > b.abs() { x } else { b });
            let k = if big < 0.0 { -1.0 / n } else { 1.0 / n };
            v.iter_mut().for_each(|x| *x *= k);
            Some(v)
        };
        let d1 = direction(t - 1).ok_or_else(|| bad("the trajectory does not move"))?;
        let second = if t >= 2 { direction(t - 2) } else { None };
        let d2 = match second {
            Some(v) => v,
            None => orthogonal_unit(&d1),
        };
        let share = |k: usize| s[k].max(0.0) / total;
        let explained = [share(t - 1), if second_share_nonzero(&s, t, total) { share(t - 2) } else { 0.0 }];
        Ok(Plane {
            directions: Directions::Pca,
            origin: last.clone(),
            d1,
            d2,
            explained: Some(explained),
            names: ["PC1".into(), "PC2".into()],
        })
    }

    /// Writes θ₀ + α·d₁ + β·d₂ into `out` (rounded to T once).
    pub fn point_into<T: Element>(&self, alpha: f64, beta: f64, out: &mut [T]) {
        for (((o, &t), &a), &b) in out.iter_mut().zip(&self.origin).zip(&self.d1).zip(&self.d2) {
            *o = T::from_f64(t + alpha * a + beta * b);
        }
    }

    /// θ's least-squares coordinates on the plane and its distance off it. O(P).
    pub fn project(&self, theta: &[f64]) -> Projection {
        let (mut aa, mut ab, mut bb, mut ar, mut br, mut rr) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for (((&x, &o), &a), &b) in theta.iter().zip(&self.origin).zip(&self.d1).zip(&self.d2) {
            let r = x - o;
            aa += a * a;
            ab += a * b;
            bb += b * b;
            ar += a * r;
            br += b * r;
            rr += r * r;
        }
        let det = aa * bb - ab * ab;
        let (alpha, beta) = if det.abs() > 1e-300 {
            ((ar * bb - br * ab) / det, (aa * br - ab * ar) / det)
        } else if aa > 0.0 {
            (ar / aa, 0.0)
        } else {
            (0.0, 0.0)
        };
        // ‖r − αa − βb‖² expanded, then checked against the direct sum when it cancels badly
        let mut off2 =
            rr - 2.0 * (alpha * ar + beta * br) + alpha * alpha * aa + 2.0 * alpha * beta * ab + beta * beta * bb;
        if off2 < 1e-9 * rr.max(1e-300) {
            off2 = theta
                .iter()
                .zip(&self.origin)
                .zip(self.d1.iter().zip(&self.d2))
                .map(|((&x, &o), (&a, &b))| {
                    let e = x - o - alpha * a - beta * b;
                    e * e
                })
                .sum();
        }
        Projection { alpha, beta, off_plane: off2.max(0.0).sqrt() }
    }
}

fn second_share_nonzero(s: &faer::ColRef<'_, f64>, t: usize, total: f64) -> bool {
    t >= 2 && s[t - 2].max(0.0) > total * 1e-12
}

/// A unit vector orthogonal to the unit vector `d`: the axis along which `d` is smallest, with `d`'s part removed.
fn orthogonal_unit(d: &[f64]) -> Vec<f64> {
    let j = (0..d.len()).min_by(|&a, &b| d[a].abs().total_cmp(&d[b].abs())).unwrap_or(0);
    let mut v: Vec<f64> = d.iter().map(|&x| -d[j] * x).collect();
    if let Some(x) = v.get_mut(j) {
        *x += 1.0;
    }
    let n = dot(&v, &v).sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
    v
}

/// The network's parameters as f64.
pub fn params_f64<T: Element>(mlp: &Mlp<T>) -> Vec<f64> {
    mlp.params().values().iter().map(|v| v.as_f64()).collect()
}

/// A computation's progress, shared with whoever watches it: points done out of a total, and a request to stop.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
    stop: AtomicBool,
}

impl Progress {
    /// (done, total).
    pub fn get(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }

    /// Asks the computation to stop at its next point.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Whether a stop was asked.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Adds `n` to the total of work announced.
    pub fn add_total(&self, n: usize) {
        self.total.fetch_add(n, Ordering::Relaxed);
    }

    /// One more unit done; false if a stop was asked.
    pub fn tick(&self) -> bool {
        self.done.fetch_add(1, Ordering::Relaxed);
        !self.stopped()
    }
}

/// The loss over a G × G grid of the plane.
#[derive(Clone, Debug, PartialEq)]
pub struct LossGrid {
    /// G, points along each axis.
    pub size: usize,
    /// α and β run over [−span, span].
    pub span: f64,
    /// `losses[j * size + i]` = L(α_i, β_j) (β outer, α inner); a non-finite loss is kept as it is.
    pub losses: Vec<f64>,
}

impl LossGrid {
    /// The i-th coordinate along either axis: span·(2i − (G − 1))/(G − 1), exactly 0 at the centre of an odd grid.
    pub fn coord(&self, i: usize) -> f64 {
        coord(self.size, self.span, i)
    }

    /// L(α_i, β_j).
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.losses[j * self.size + i]
    }

    /// The grid as the surface module's [`Grid`] (x = α, y = β), for its contours and colour scale.
    pub fn to_surface_grid(&self) -> Grid {
        let finite = self.losses.iter().copied().filter(|v| v.is_finite());
        let (min, max) = finite.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (min, max) = if min > max { (0.0, 0.0) } else { (min, max) };
        let s = self.span;
        Grid {
            nx: self.size,
            ny: self.size,
            domain: Domain { x: [-s, s], y: [-s, s] },
            values: self.losses.clone(),
            min,
            max,
        }
    }
}

fn coord(size: usize, span: f64, i: usize) -> f64 {
    let g = (size.max(2) - 1) as f64;
    span * (2.0 * i as f64 - g) / g
}

/// A network and its training data, ready to be evaluated anywhere on a plane.
#[derive(Clone, Debug)]
pub struct Problem<T: Element> {
    /// The network at θ₀ (its weights are overwritten while a grid is computed, and put back after).
    pub mlp: Mlp<T>,
    x: Vec<T>,
    targets: Vec<T>,
    n: usize,
}

impl<T: Element> Problem<T> {
    /// The network and the training part (row-major `x` of `mlp.spec.inputs` columns, labels `y`).
    pub fn new(mlp: Mlp<T>, x: &[f64], y: &[usize]) -> Result<Self, LandscapeError> {
        let d = mlp.spec.inputs;
        if y.is_empty() || x.len() != y.len() * d {
            return Err(NnError::Size { what: "the training rows (features × rows)", got: y.len() }.into());
        }
        let k = mlp.spec.outputs.max(2);
        if let Some(&bad) = y.iter().find(|&&v| v >= k) {
            return Err(NnError::setting(
                Field::Loss,
                mlp.spec.loss.name(),
                format!("label {bad} but only {k} classes"),
            )
            .into());
        }
        let mut targets = Vec::new();
        mlp.targets(y, &mut targets);
        Ok(Self { x: x.iter().map(|&v| T::from_f64(v)).collect(), targets, n: y.len(), mlp })
    }

    /// Training rows.
    pub fn rows(&self) -> usize {
        self.n
    }

    /// The loss with the network's current weights.
    pub fn loss(&mut self) -> Result<f64, LandscapeError> {
        eval_loss(&mut self.mlp, &self.x, &self.targets, self.n)
    }

    /// The loss at the given weights (the network's weights are left at them).
    pub fn loss_at(&mut self, params: &[f64]) -> Result<f64, LandscapeError> {
        for (v, &p) in self.mlp.params_mut().values_mut().iter_mut().zip(params) {
            *v = T::from_f64(p);
        }
        self.loss()
    }

    /// The loss over the G × G grid of `plane` with α, β ∈ [−span, span]; one tick of `progress` per point, `None`
    /// if it was stopped. The network's weights are put back afterwards. No allocation per point once warm.
    /// The first layer's product is made three times per grid, not once per point ([`GridMethod::SplitFirstLayer`]).
    pub fn grid(
        &mut self,
        plane: &Plane,
        size: usize,
        span: f64,
        progress: &Progress,
    ) -> Result<Option<LossGrid>, LandscapeError> {
        self.grid_with(plane, size, span, progress, GridMethod::SplitFirstLayer)
    }

    /// [`Problem::grid`] by the given method: both give the same losses up to rounding in `T`.
    pub fn grid_with(
        &mut self,
        plane: &Plane,
        size: usize,
        span: f64,
        progress: &Progress,
        method: GridMethod,
    ) -> Result<Option<LossGrid>, LandscapeError> {
        check_grid(size, span)?;
        progress.add_total(size * size);
        let saved = self.mlp.params().values().to_vec();
        let split = match method {
            GridMethod::SplitFirstLayer => self.split_first_layer(plane),
            GridMethod::Direct => Ok(None),
        };
        let mut losses = Vec::with_capacity(size * size);
        let mut stopped = false;
        let mut z = Vec::new();
        let result = split.and_then(|split| {
            for j in 0..size {
                for i in 0..size {
                    let (alpha, beta) = (coord(size, span, i), coord(size, span, j));
                    plane.point_into(alpha, beta, self.mlp.params_mut().values_mut());
                    losses.push(match &split {
                        Some(split) => self.split_loss(split, alpha, beta, &mut z)?,
                        None => self.loss()?,
                    });
                    if !progress.tick() {
                        stopped = true;
                        return Ok(());
                    }
                }
            }
            Ok(())
        });
        self.mlp.params_mut().values_mut().copy_from_slice(&saved);
        result?;
        Ok((!stopped).then_some(LossGrid { size, span, losses }))
    }

    /// The first Linear layer's output over every training row at θ₀, at d₁ and at d₂ (weights and biases set to
    /// each in turn, through the tape's own `linear`, chunk by chunk as [`Problem::loss`] evaluates), or `None` when
    /// the network does not start with a Linear layer or the three would hold more than [`SPLIT_MAX_VALUES`]
    /// values. Leaves the network's weights at the plane's direction d₂ (the caller puts them back).
    fn split_first_layer(&mut self, plane: &Plane) -> Result<Option<FirstLayerSplit<T>>, LandscapeError> {
        let Some(MlpLayer::Linear { weight, .. }) = self.mlp.layers.first() else { return Ok(None) };
        let width = self.mlp.params().entry(*weight).rows;
        if self.n.saturating_mul(width).saturating_mul(3) > SPLIT_MAX_VALUES {
            return Ok(None);
        }
        let d = self.mlp.spec.inputs;
        let chunk = self.mlp.eval_rows(1);
        let mut z: [Vec<T>; 3] = Default::default();
        for (out, values) in z.iter_mut().zip([&plane.origin, &plane.d1, &plane.d2]) {
            for (v, &p) in self.mlp.params_mut().values_mut().iter_mut().zip(values) {
                *v = T::from_f64(p);
            }
            out.reserve_exact(self.n * width);
            let mut start = 0;
            while start < self.n {
                let rows = chunk.min(self.n - start);
                let x = &self.x[start * d..(start + rows) * d];
                let h = forward_on(
                    &mut self.mlp.tape,
                    &Pass {
                        layers: &self.mlp.layers[..1],
                        inputs: d,
                        x,
                        rows: (0, rows),
                        mode: Mode::Eval,
                        masks: &[],
                    },
                    None,
                )?;
                out.extend_from_slice(self.mlp.tape.value(h));
                start += rows;
            }
        }
        Ok(Some(FirstLayerSplit { z, width, chunk }))
    }

    /// The loss at θ₀ + α·d₁ + β·d₂ with the network's weights already there, the first layer's output taken as
    /// Z₀ + α·Z₁ + β·Z₂ (two scaled additions a row instead of a product) and the rest of the network on the tape,
    /// chunk by chunk as [`Problem::loss`] does, the same sum in the same order. `z` is scratch (one chunk).
    fn split_loss(
        &mut self,
        split: &FirstLayerSplit<T>,
        alpha: f64,
        beta: f64,
        z: &mut Vec<T>,
    ) -> Result<f64, LandscapeError> {
        let (a, b, w) = (T::from_f64(alpha), T::from_f64(beta), split.width);
        let per_row = self.targets.len() / self.n.max(1);
        let mut sum = 0.0;
        let mut start = 0;
        while start < self.n {
            let rows = split.chunk.min(self.n - start);
            let range = start * w..(start + rows) * w;
            z.clear();
            z.extend(
                split.z[0][range.clone()]
                    .iter()
                    .zip(&split.z[1][range.clone()])
                    .zip(&split.z[2][range])
                    .map(|((&z0, &z1), &z2)| z0 + a * z1 + b * z2),
            );
            let mlp = &mut self.mlp;
            let scores = forward_on(
                &mut mlp.tape,
                &Pass { layers: &mlp.layers[1..], inputs: w, x: z, rows: (0, rows), mode: Mode::Eval, masks: &[] },
                None,
            )?;
            let l = mlp.data_loss(scores, &self.targets[start * per_row..(start + rows) * per_row])?;
            sum += mlp.tape.value(l)[0].as_f64() * rows as f64;
            start += rows;
        }
        Ok(sum / self.n as f64 + penalty(&self.mlp))
    }
}

/// How [`Problem::grid_with`] evaluates a grid's points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GridMethod {
    /// Each point runs the whole forward pass at θ₀ + α·d₁ + β·d₂: O(G²·n·P).
    Direct,
    /// Only the first layer's input is the same at every point, so its product splits along the plane:
    /// X·(W₀ + αD₁ + βD₂)ᵀ + (b₀ + αd₁ + βd₂) = Z₀ + α·Z₁ + β·Z₂, three products made once per grid; each point
    /// then adds two scaled copies (2·n·h operations for h units) and runs the later layers on the tape. For the
    /// digits network 64-64-10 the first layer is 86 % of a point's multiply-adds. Batch norm in evaluation mode
    /// comes after the first layer and reads its parameters at the point, as the direct pass does. Falls back to
    /// [`GridMethod::Direct`] when the network does not start with a Linear layer or the three outputs would hold
    /// more than [`SPLIT_MAX_VALUES`] values.
    #[default]
    SplitFirstLayer,
}

/// The most values the three first-layer outputs of [`GridMethod::SplitFirstLayer`] may hold together (64 MB in f32).
pub const SPLIT_MAX_VALUES: usize = 1 << 24;

/// Z₀, Z₁, Z₂ (n × width each, row-major) and the rows per evaluation chunk they were made in.
struct FirstLayerSplit<T> {
    z: [Vec<T>; 3],
    width: usize,
    chunk: usize,
}

/// Checks a grid's side and span.
pub fn check_grid(size: usize, span: f64) -> Result<(), LandscapeError> {
    if !(2..=MAX_GRID).contains(&size) {
        return Err(LandscapeError::Grid(size));
    }
    if !(span.is_finite() && span > 0.0) {
        return Err(LandscapeError::Span(span));
    }
    Ok(())
}

/// The mean data loss over all rows in evaluation mode, plus the penalties. No allocation once warm.
fn eval_loss<T: Element>(mlp: &mut Mlp<T>, x: &[T], targets: &[T], n: usize) -> Result<f64, LandscapeError> {
    let d = mlp.spec.inputs;
    let per_row = targets.len() / n.max(1);
    let chunk = mlp.eval_rows(1);
    // evaluation draws nothing: the generator is never read
    let mut rng = StdRng::seed_from_u64(0);
    let mut sum = 0.0;
    let mut start = 0;
    while start < n {
        let rows = chunk.min(n - start);
        let scores = mlp.forward(&x[start * d..(start + rows) * d], rows, Mode::Eval, &mut rng)?;
        let l = mlp.data_loss(scores, &targets[start * per_row..(start + rows) * per_row])?;
        sum += mlp.tape.value(l)[0].as_f64() * rows as f64;
        start += rows;
    }
    Ok(sum / n as f64 + penalty(mlp))
}

/// λ₂·Σw² + λ₁·Σ|w| over the Linear weights, as training adds it.
fn penalty<T: Element>(mlp: &Mlp<T>) -> f64 {
    let (l1, l2) = (mlp.spec.l1, mlp.spec.l2);
    if l1 == 0.0 && l2 == 0.0 {
        return 0.0;
    }
    let store = mlp.params();
    let mut total = 0.0;
    for layer in &mlp.layers {
        if let MlpLayer::Linear { weight, .. } = layer {
            let w = store.value(*weight);
            total += l2 * w.iter().map(|v| v.as_f64() * v.as_f64()).sum::<f64>();
            total += l1 * w.iter().map(|v| v.as_f64().abs()).sum::<f64>();
        }
    }
    total
}

/// How the race on the network runs.
#[derive(Clone, Debug, PartialEq)]
pub struct RaceConfig {
    /// The racers: rule and schedule each (the schedule steps once per minibatch step).
    pub racers: Vec<RacerSetup>,
    /// Minibatch steps per racer.
    pub steps: usize,
    /// Rows per minibatch.
    pub batch: usize,
    /// Seeds the minibatch order and dropout, the same for every racer.
    pub seed: u64,
}

/// One racer's run on the network: every θₜ it passed through and its true loss there.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    /// Its rule and schedule.
    pub setup: RacerSetup,
    /// θ₀, θ₁, … (each a full parameter vector).
    pub thetas: Vec<Vec<f64>>,
    /// The loss (as [`Problem::loss`]) at each θₜ.
    pub losses: Vec<f64>,
    /// The step at which the loss or a weight stopped being finite (that θ is not kept).
    pub diverged_at: Option<usize>,
}

impl Trajectory {
    /// Every θₜ projected onto `plane`, with its true loss beside it.
    pub fn project(&self, plane: &Plane) -> Vec<PathPoint> {
        self.thetas
            .iter()
            .zip(&self.losses)
            .map(|(t, &loss)| {
                let p = plane.project(t);
                PathPoint { alpha: p.alpha, beta: p.beta, off_plane: p.off_plane, loss }
            })
            .collect()
    }
}

/// A point of a racer's path on the plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathPoint {
    /// The coordinate along d₁.
    pub alpha: f64,
    /// The coordinate along d₂.
    pub beta: f64,
    /// How far θₜ lies off the plane.
    pub off_plane: f64,
    /// The true loss at θₜ (not the plane's loss at (α, β)).
    pub loss: f64,
}

/// Checks a race's size before anything is allocated.
pub fn check_race(config: &RaceConfig, params: usize) -> Result<(), LandscapeError> {
    let steps = config.steps;
    if steps > MAX_STEPS {
        return Err(LandscapeError::Steps { steps, reason: format!("at most {MAX_STEPS} steps") });
    }
    let values = config.racers.len().saturating_mul(steps + 1).saturating_mul(params);
    if values > MAX_PATH_VALUES {
        return Err(LandscapeError::Steps {
            steps,
            reason: format!(
                "{} racers × {} points × {params} parameters is more than the {MAX_PATH_VALUES} values a race keeps",
                config.racers.len(),
                steps + 1
            ),
        });
    }
    if config.batch == 0 {
        return Err(NnError::setting(Field::Batch, 0, "a minibatch needs at least one row").into());
    }
    Ok(())
}

/// Races `config.racers` on the network from its current weights θ₀, each on the same minibatch sequence; one tick
/// of `progress` per step of each racer, `None` if stopped. The problem's network is left as it was.
pub fn race<T: Element>(
    problem: &Problem<T>,
    config: &RaceConfig,
    progress: &Progress,
) -> Result<Option<Vec<Trajectory>>, LandscapeError> {
    check_race(config, problem.mlp.params().len())?;
    progress.add_total(config.racers.len() * config.steps);
    let d = problem.mlp.spec.inputs;
    let per_row = problem.targets.len() / problem.n;
    let mut out = Vec::with_capacity(config.racers.len());
    let (mut batch_x, mut batch_targets) = (Vec::new(), Vec::new());
    for setup in &config.racers {
        let mut mlp = problem.mlp.clone();
        let mut opt = setup.spec.build_for::<T>().inspectable(false);
        let mut order_rng = StdRng::seed_from_u64(config.seed);
        let mut drop_rng = StdRng::seed_from_u64(config.seed ^ 0x9E37_79B9_7F4A_7C15);
        let mut order: Vec<usize> = (0..problem.n).collect();
        let mut at = order.len();
        let first = eval_loss(&mut mlp, &problem.x, &problem.targets, problem.n)?;
        let mut tr =
            Trajectory { setup: setup.clone(), thetas: vec![params_f64(&mlp)], losses: vec![first], diverged_at: None };
        for t in 0..config.steps {
            if at >= order.len() {
                order.shuffle(&mut order_rng);
                at = 0;
            }
            let mut rows = &order[at..(at + config.batch).min(order.len())];
            at += rows.len();
            if rows.len() == 1 && mlp.spec.batchnorm && order.len() > 1 {
                // one row has no batch variance: take the next epoch's first batch instead
                order.shuffle(&mut order_rng);
                at = config.batch.min(order.len());
                rows = &order[..at];
            }
            batch_x.clear();
            batch_targets.clear();
            for &r in rows {
                batch_x.extend_from_slice(&problem.x[r * d..(r + 1) * d]);
                batch_targets.extend_from_slice(&problem.targets[r * per_row..(r + 1) * per_row]);
            }
            opt.set_lr(setup.schedule.lr_at(setup.spec.lr(), t as u64));
            let batch_loss = mlp.train_step_grads(&batch_x, rows.len(), &batch_targets, &mut drop_rng)?;
            let (values, grads) = mlp.tape.params.values_and_grads();
            opt.step(values, grads);
            let loss = eval_loss(&mut mlp, &problem.x, &problem.targets, problem.n)?;
            let theta = params_f64(&mlp);
            if !(batch_loss.is_finite() && loss.is_finite() && theta.iter().all(|v| v.is_finite())) {
                tr.diverged_at = Some(t + 1);
                // the rest of this racer's ticks: its work is done
                for _ in t..config.steps {
                    if !progress.tick() {
                        return Ok(None);
                    }
                }
                break;
            }
            tr.thetas.push(theta);
            tr.losses.push(loss);
            if !progress.tick() {
                return Ok(None);
            }
        }
        out.push(tr);
    }
    Ok(Some(out))
}

/// The plane `directions` asks for through the problem's network (for `pca`: through the first racer's last point,
/// from its trajectory).
pub fn plane_for<T: Element>(
    problem: &Problem<T>,
    directions: &Directions,
    seed: u64,
    trajectories: &[Trajectory],
) -> Result<Plane, LandscapeError> {
    match directions {
        Directions::Random => Ok(Plane::random(&problem.mlp, seed)),
        Directions::Weights(a, b) => Plane::weights(&problem.mlp, a, b),
        Directions::Pca => match trajectories.first() {
            Some(t) => Plane::pca(&t.thetas),
            None => Err(LandscapeError::PcaNeedsPath),
        },
    }
}

/// What a whole landscape computation asks for: the race (optional), the directions, the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The directions.
    pub directions: Directions,
    /// G.
    pub size: usize,
    /// The span; `None` fits it: 1 for `random` and `weights`, and for `pca` 1.25 × the farthest projected point.
    pub span: Option<f64>,
    /// The race (no racers: none).
    pub race: RaceConfig,
    /// Seeds the random directions.
    pub seed: u64,
}

/// What a landscape computation gives: the plane, the grid over it, the race and its paths on the plane.
#[derive(Clone, Debug, PartialEq)]
pub struct Landscape {
    /// The plane.
    pub plane: Plane,
    /// The loss over it.
    pub grid: LossGrid,
    /// The loss at the plane's origin.
    pub origin_loss: f64,
    /// Each racer's run.
    pub trajectories: Vec<Trajectory>,
    /// Each racer's path on the plane.
    pub paths: Vec<Vec<PathPoint>>,
}

/// The whole computation: the race (reused from `previous` when the same race was run already), the plane, the grid.
/// `None` if stopped.
pub fn compute<T: Element>(
    problem: &mut Problem<T>,
    request: &Request,
    previous: Option<&[Trajectory]>,
    progress: &Progress,
) -> Result<Option<Landscape>, LandscapeError> {
    if let Some(s) = request.span {
        check_grid(request.size, s)?;
    } else {
        check_grid(request.size, 1.0)?;
    }
    let trajectories = match previous {
        Some(t) => t.to_vec(),
        None => match race(problem, &request.race, progress)? {
            Some(t) => t,
            None => return Ok(None),
        },
    };
    let plane = plane_for(problem, &request.directions, request.seed, &trajectories)?;
    let paths: Vec<Vec<PathPoint>> = trajectories.iter().map(|t| t.project(&plane)).collect();
    let span = request.span.unwrap_or_else(|| match request.directions {
        Directions::Pca => {
            let far = paths.iter().flatten().map(|p| p.alpha.abs().max(p.beta.abs())).fold(0.0, f64::max);
            if far > 0.0 { 1.25 * far } else { 1.0 }
        }
        _ => 1.0,
    });
    check_grid(request.size, span)?;
    let origin_loss = problem.loss_at(&plane.origin)?;
    let saved = params_f64(&problem.mlp);
    // the grid is laid around the plane's origin: the network's own weights are put back after
    let grid = problem.grid(&plane, request.size, span, progress);
    problem.loss_at(&saved)?;
    let Some(grid) = grid? else { return Ok(None) };
    Ok(Some(Landscape { plane, grid, origin_loss, trajectories, paths }))
}

/// A computation on a worker thread: the frame reads its [`Progress`] and takes the result once, never waiting.
pub struct Job<R: Send + 'static> {
    progress: Arc<Progress>,
    result: Arc<Mutex<Option<R>>>,
    handle: Option<JoinHandle<()>>,
}

impl<R: Send + 'static> Job<R> {
    /// Runs `work` on a new thread with a fresh [`Progress`].
    pub fn spawn(work: impl FnOnce(&Progress) -> R + Send + 'static) -> Self {
        let progress = Arc::new(Progress::default());
        let result = Arc::new(Mutex::new(None));
        let (p, r) = (progress.clone(), result.clone());
        let handle = std::thread::spawn(move || {
            let out = work(&p);
            *r.lock().unwrap_or_else(|e| e.into_inner()) = Some(out);
        });
        Self { progress, result, handle: Some(handle) }
    }

    /// (done, total) so far.
    pub fn progress(&self) -> (usize, usize) {
        self.progress.get()
    }

    /// Asks the work to stop at its next point.
    pub fn stop(&self) {
        self.progress.stop();
    }

    /// The result, once the work has finished (taken once).
    pub fn take(&mut self) -> Option<R> {
        let out = self.result.lock().unwrap_or_else(|e| e.into_inner()).take();
        if out.is_some()
            && let Some(h) = self.handle.take()
        {
            let _ = h.join();
        }
        out
    }

    /// Whether the thread has ended (its result may still wait in [`Job::take`]).
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }
}

impl<R: Send + 'static> Drop for Job<R> {
    fn drop(&mut self) {
        // a dropped job is abandoned: it stops at its next point, and nobody waits for it
        self.progress.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::MlpSpec;
    use crate::scalar::Unary;
    use crate::tensor::Loss;

    /// A 2-8-8-1 tanh network on 120 rows of Playground's circle.
    fn problem() -> Problem<f64> {
        let data = crate::data::generate("circle", 120, 0.1, 3).expect("circle");
        let spec = MlpSpec::classifier(2, &[8, 8], 2, Unary::Tanh, Loss::BceLogits).expect("spec");
        let mlp = Mlp::<f64>::new(&spec, 7).expect("mlp");
        Problem::new(mlp, &data.x, &data.y).expect("problem")
    }

    #[test]
    fn the_grids_centre_is_the_loss_at_theta() {
        let mut p = problem();
        let at_theta = p.loss().expect("loss");
        let plane = Plane::random(&p.mlp, 1);
        let g = p.grid(&plane, 5, 1.0, &Progress::default()).expect("grid").expect("not stopped");
        // an odd grid's centre is α = β = 0 exactly: θ itself
        assert_eq!(g.coord(2), 0.0);
        assert_eq!(g.at(2, 2), at_theta);
        // and a corner is not (the plane is not flat)
        assert_ne!(g.at(0, 0), at_theta);
        // the network's weights are put back
        assert_eq!(p.loss().expect("loss"), at_theta);
    }

    /// A network of `hidden` tanh layers (with batch norm and dropout when asked, the running statistics moved off
    /// their start by a few training steps, so that evaluation mode matters) on 150 rows of the spiral.
    fn network<T: Element>(hidden: &[usize], batchnorm: bool) -> Problem<T> {
        let data = crate::data::generate("spiral", 150, 0.1, 5).expect("spiral");
        let classes = data.class_names.len();
        let mut spec = MlpSpec::classifier(2, hidden, classes, Unary::Tanh, Loss::SoftmaxCe).expect("spec");
        spec.batchnorm = batchnorm;
        spec.dropout = if batchnorm { 0.2 } else { 0.0 };
        spec.l2 = 1e-3;
        spec.validate().expect("a valid spec");
        let mut mlp = Mlp::<T>::new(&spec, 3).expect("mlp");
        let mut targets = Vec::new();
        mlp.targets(&data.y[..30], &mut targets);
        let x: Vec<T> = data.x[..60].iter().map(|&v| T::from_f64(v)).collect();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..3 {
            mlp.train_step_grads(&x, 30, &targets, &mut rng).expect("a step");
        }
        Problem::new(mlp, &data.x, &data.y).expect("problem")
    }

    #[test]
    fn the_split_first_layer_gives_the_direct_losses() {
        fn check<T: Element>(batchnorm: bool, directions: &str, tolerance: f64) {
            let mut p = network::<T>(&[16, 8], batchnorm);
            if batchnorm {
                let MlpLayer::BatchNorm { running, .. } = &p.mlp.layers[1] else { panic!("batch norm after 0.") };
                assert!(running.iter().any(|v| v.as_f64() != 0.0 && v.as_f64() != 1.0), "trained statistics");
            }
            let plane = match directions {
                "random" => Plane::random(&p.mlp, 9),
                // a plane whose first direction also moves the first layer's bias and a batch-norm γ
                _ => {
                    let mut plane = Plane::random(&p.mlp, 9);
                    for e in &p.mlp.params().entries {
                        if e.name == "0.bias" || (batchnorm && e.name == "1.weight") {
                            plane.d1[e.range()].iter_mut().enumerate().for_each(|(k, v)| *v = 0.3 - 0.05 * k as f64);
                        }
                    }
                    plane
                }
            };
            let before = p.mlp.params().values().to_vec();
            let at = |p: &mut Problem<T>, m| {
                p.grid_with(&plane, 7, 1.5, &Progress::default(), m).expect("grid").expect("ran")
            };
            let direct = at(&mut p, GridMethod::Direct);
            let split = at(&mut p, GridMethod::SplitFirstLayer);
            assert_eq!(p.mlp.params().values(), &before[..], "the weights are put back");
            // at the centre both run the same ops on the same values: equal to the bit
            assert_eq!(split.at(3, 3), direct.at(3, 3));
            let (lo, hi) = direct.losses.iter().fold((f64::MAX, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
            assert!(hi > 1.2 * lo, "the plane is not flat: {lo} .. {hi}");
            for (k, (s, d)) in split.losses.iter().zip(&direct.losses).enumerate() {
                assert!(
                    (s - d).abs() <= tolerance * d.abs(),
                    "point {k}: split {s} direct {d} ({directions}, bn {batchnorm})"
                );
            }
        }
        // f64: the two differ by reassociation only; f32: by rounding W(α, β) to f32 against rounding Z₁, Z₂
        for directions in ["random", "bias and γ"] {
            for bn in [false, true] {
                check::<f64>(bn, directions, 1e-12);
                check::<f32>(bn, directions, 1e-5);
            }
        }
    }

    #[test]
    fn filter_normalization_gives_each_neuron_the_norm_of_its_weights() {
        let p = problem();
        let plane = Plane::random(&p.mlp, 5);
        let theta = params_f64(&p.mlp);
        for d in [&plane.d1, &plane.d2] {
            for e in &p.mlp.params().entries {
                if !e.decays {
                    // biases: zero direction
                    assert!(d[e.range()].iter().all(|&v| v == 0.0), "{}", e.name);
                    continue;
                }
                for r in 0..e.rows {
                    let row = e.offset + r * e.cols..e.offset + (r + 1) * e.cols;
                    let (dn, tn) =
                        (dot(&d[row.clone()], &d[row.clone()]).sqrt(), dot(&theta[row.clone()], &theta[row]).sqrt());
                    assert!((dn - tn).abs() <= 1e-12 * tn, "{} row {r}: {dn} vs {tn}", e.name);
                }
            }
        }
        assert_ne!(plane.d1, plane.d2);
    }

    #[test]
    fn a_point_in_the_plane_projects_to_its_coordinates_with_zero_distance() {
        let p = problem();
        let plane = Plane::random(&p.mlp, 2);
        // the random directions are not orthogonal: least squares must still give back the coordinates
        assert!(dot(&plane.d1, &plane.d2).abs() > 1e-6);
        let mut theta: Vec<f64> =
            plane.origin.iter().zip(&plane.d1).zip(&plane.d2).map(|((o, a), b)| o + 0.3 * a - 0.7 * b).collect();
        let q = plane.project(&theta);
        assert!((q.alpha - 0.3).abs() < 1e-12 && (q.beta + 0.7).abs() < 1e-12, "{q:?}");
        assert!(q.off_plane < 1e-12, "{q:?}");
        // a bias moved by 0.5 is orthogonal to both (their biases are zero): 0.5 off the plane, same coordinates
        let bias = p.mlp.params().entries.iter().find(|e| !e.decays).expect("a bias").offset;
        theta[bias] += 0.5;
        let q = plane.project(&theta);
        assert!((q.alpha - 0.3).abs() < 1e-12 && (q.beta + 0.7).abs() < 1e-12, "{q:?}");
        assert!((q.off_plane - 0.5).abs() < 1e-12, "{q:?}");
    }

    #[test]
    fn pca_of_a_straight_path_explains_everything_with_one_component() {
        // θₜ = a + t·v (uneven steps, as a decaying rate makes them)
        let a = [1.0, -2.0, 0.5, 3.0, 0.0];
        let v = [0.2, 0.1, -0.4, 0.0, 0.3];
        let path: Vec<Vec<f64>> =
            (0..30).map(|t| (t as f64).sqrt()).map(|s| a.iter().zip(&v).map(|(x, y)| x + s * y).collect()).collect();
        let plane = Plane::pca(&path).expect("pca");
        let [e1, e2] = plane.explained.expect("pca explains");
        assert!((e1 - 1.0).abs() < 1e-12 && e2.abs() < 1e-12, "{e1} {e2}");
        // d₁ is v's direction (sign: its largest component positive), d₂ a unit vector orthogonal to it
        let vn = dot(&v, &v).sqrt();
        let sign = -1.0; // v's largest component (−0.4) is negative
        for (d, w) in plane.d1.iter().zip(&v) {
            assert!((d - sign * w / vn).abs() < 1e-12);
        }
        assert!(dot(&plane.d1, &plane.d2).abs() < 1e-12 && (dot(&plane.d2, &plane.d2) - 1.0).abs() < 1e-12);
        // the path lies on the plane through its last point
        for t in &path {
            assert!(plane.project(t).off_plane < 1e-12);
        }
        assert_eq!(plane.origin, path[29]);
    }

    #[test]
    fn pca_of_a_bent_path_splits_the_variance_between_two() {
        // an L: 10 steps along x, then 10 along y; both components matter and together explain it all
        let mut path = Vec::new();
        for t in 0..=10 {
            path.push(vec![t as f64, 0.0, 0.0]);
        }
        for t in 1..=10 {
            path.push(vec![10.0, t as f64, 0.0]);
        }
        let plane = Plane::pca(&path).expect("pca");
        let [e1, e2] = plane.explained.expect("pca explains");
        assert!(e1 > 0.5 && e2 > 0.05 && (e1 + e2 - 1.0).abs() < 1e-12, "{e1} {e2}");
        assert!(Plane::pca(&path[..2]).is_err(), "one step is no trajectory");
    }

    #[test]
    fn weights_axes_move_exactly_those_two_weights() {
        let p = problem();
        let dirs: Directions = "weights:0.weight[3,1],2.bias[5]".parse().expect("parses");
        let Directions::Weights(a, b) = &dirs else { panic!("weights") };
        let plane = Plane::weights(&p.mlp, a, b).expect("fits");
        let w = p.mlp.params().find("0.weight").expect("0.weight");
        let bias = p.mlp.params().find("2.bias").expect("2.bias");
        // 0.weight is 8 × 2: [3,1] is element 3·2 + 1
        let ia = p.mlp.params().entry(w).offset + 7;
        let ib = p.mlp.params().entry(bias).offset + 5;
        let mut moved = vec![0.0f64; plane.origin.len()];
        plane.point_into(0.5, -0.25, &mut moved);
        for (k, (m, o)) in moved.iter().zip(&plane.origin).enumerate() {
            let want = if k == ia {
                o + 0.5
            } else if k == ib {
                o - 0.25
            } else {
                *o
            };
            assert_eq!(*m, want, "parameter {k}");
        }
        assert_eq!(plane.names, ["0.weight[3,1]".to_string(), "2.bias[5]".to_string()]);
        // names that do not fit are refused with the reason
        let bad = |s: &str| match s.parse::<Directions>() {
            Ok(Directions::Weights(a, b)) => Plane::weights(&p.mlp, &a, &b).unwrap_err().to_string(),
            Ok(_) => panic!("not weights"),
            Err(e) => e.to_string(),
        };
        assert!(bad("weights:0.weight[8,0],0.bias[0]").contains("outside 0.weight of shape [8, 2]"));
        assert!(bad("weights:9.weight[0,0],0.bias[0]").contains("no tensor '9.weight'"));
        assert!(bad("weights:0.bias[1],0.bias[1]").contains("two different weights"));
        assert!(bad("weights:0.bias").contains("name two weights"));
        assert!(bad("sideways").starts_with("directions = sideways: use random, pca"));
    }

    #[test]
    fn a_bad_setting_names_its_field_and_the_edge_names_it_its_own_way() {
        let e = "sideways".parse::<Directions>().unwrap_err();
        assert_eq!(e.field(), Some(LandscapeField::Directions));
        assert!(e.named("--directions").starts_with("--directions sideways: use random, pca"), "{e}");
        let e = check_grid(1, 1.0).unwrap_err();
        assert_eq!(e.to_string(), "grid = 1: use a grid side between 2 and 201 (an odd one puts θ at the centre)");
        assert_eq!(e.named("--grid"), "--grid 1: use a grid side between 2 and 201 (an odd one puts θ at the centre)");
        let e = check_grid(5, -1.0).unwrap_err();
        assert_eq!(
            (e.field(), e.named("span ±")),
            (Some(LandscapeField::Span), "span ± -1: use a positive finite number".into())
        );
        let e = plane_for(&problem(), &Directions::Pca, 0, &[]).unwrap_err();
        assert_eq!(e, LandscapeError::PcaNeedsPath);
        assert_eq!(
            e.to_string(),
            "directions = pca: needs a trajectory: race at least one optimizer for at least 2 steps"
        );
        assert!(Plane::pca(&[vec![0.0; 3]]).unwrap_err() == LandscapeError::PcaNeedsPath);
        // the network's own errors keep their words
        let e = LandscapeError::Nn(NnError::setting(Field::Batch, 0, "a minibatch needs at least one row"));
        assert_eq!((e.field(), e.named("--grid")), (None, "batch = 0: a minibatch needs at least one row".into()));
    }

    #[test]
    fn racers_on_the_same_batches_agree_and_descend_and_stop_when_asked() {
        let p = problem();
        let setup = |s: &str| RacerSetup { spec: s.parse().expect("spec"), schedule: Default::default() };
        let config = RaceConfig {
            racers: vec![setup("sgd:lr=0.3"), setup("adam:lr=0.02"), setup("sgd:lr=0.3")],
            steps: 40,
            batch: 10,
            seed: 4,
        };
        let progress = Progress::default();
        let t = race(&p, &config, &progress).expect("race").expect("not stopped");
        assert_eq!(progress.get(), (120, 120));
        assert_eq!(t[0].thetas.len(), 41);
        assert_eq!(t[0], t[2], "the same rule on the same minibatches takes the same path");
        for r in &t {
            assert!(r.losses[40] < r.losses[0], "{:?}: {} → {}", r.setup.spec, r.losses[0], r.losses[40]);
            assert_eq!(r.thetas[0], params_f64(&p.mlp));
        }
        // projected onto a plane, the starting point sits at the origin
        let plane = Plane::random(&p.mlp, 0);
        let path = t[1].project(&plane);
        assert_eq!((path[0].alpha, path[0].beta, path[0].off_plane), (0.0, 0.0, 0.0));
        assert!(path[40].off_plane > 0.0, "training leaves a random plane");
        let stopped = Progress::default();
        stopped.stop();
        assert_eq!(race(&p, &config, &stopped).expect("no error"), None);
        let huge = RaceConfig { steps: MAX_STEPS + 1, ..config };
        assert!(race(&p, &huge, &Progress::default()).unwrap_err().to_string().starts_with("steps = 20001"));
    }

    #[test]
    fn a_pca_landscape_goes_through_the_racers_end_and_a_job_brings_it_back() {
        let p = problem();
        let setup = RacerSetup { spec: "sgd:lr=0.5,momentum=0.9".parse().expect("spec"), schedule: Default::default() };
        let request = Request {
            directions: Directions::Pca,
            size: 7,
            span: None,
            race: RaceConfig { racers: vec![setup], steps: 30, batch: 20, seed: 1 },
            seed: 0,
        };
        let mut job = Job::spawn(move |progress| {
            let mut p = p;
            compute(&mut p, &request, None, progress)
        });
        let l = loop {
            if let Some(r) = job.take() {
                break r.expect("computes").expect("not stopped");
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        assert_eq!(job.progress(), (30 + 49, 30 + 49));
        // the plane goes through the end of the path: its last point projects to the origin, on the plane
        let last = *l.paths[0].last().expect("a path");
        assert!(last.alpha.abs() < 1e-9 && last.beta.abs() < 1e-9 && last.off_plane < 1e-9, "{last:?}");
        assert_eq!(l.grid.at(3, 3), l.origin_loss);
        let far = l.paths[0].iter().map(|q| q.alpha.abs().max(q.beta.abs())).fold(0.0, f64::max);
        assert!((l.grid.span - 1.25 * far).abs() < 1e-12);
        let [e1, e2] = l.plane.explained.expect("pca");
        assert!(e1 >= e2 && e1 + e2 <= 1.0 + 1e-12);
    }
}
