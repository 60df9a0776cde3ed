//! `chainrule landscape`: the network's own loss landscape on a plane through its weights (Li et al. 2018), with
//! optimizers racing on the real network and their paths projected onto the plane ([`crate::nn::landscape`]).

mod png;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{Value, json};

use super::train::{NetworkArgs, load_dataset, prepare, spec_from, usage, with_model_features};
use super::{Failure, Output, num};
use crate::data::{self, Fitted};
use crate::nn::landscape::{
    self, Directions, Job, Landscape, LandscapeError, LandscapeField, PathPoint, Problem, RaceConfig, Request,
    torch_shape,
};
use crate::nn::{Mlp, NnError};
use crate::optim::{OptimSpec, Schedule};
use crate::surface::RacerSetup;
use crate::tensor::{Element, gemm};

/// `landscape`'s arguments: `train`'s data and network options (or a saved model), the plane, the grid, the race.
#[derive(Debug, Args)]
pub struct LandscapeArgs {
    /// A model saved by `train --save`: its weights are θ, its features and preprocessing read the data (the network
    /// options below are then ignored).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// The data (the loss is taken over its training part) and the network, as `train` takes them.
    #[command(flatten)]
    pub net: NetworkArgs,
    /// The plane's directions: random (filter-normalized), pca (of the first racer's path), or weights:A,B (two
    /// weights by PyTorch's names, e.g. weights:0.weight[0,0],0.weight[0,1]).
    #[arg(long, default_value = "random")]
    pub directions: String,
    /// Grid points along each axis (2 to 201; odd puts θ at the centre).
    #[arg(long, default_value_t = 41)]
    pub grid: usize,
    /// α and β run over [-SPAN, SPAN] (default 1; for pca, 1.25 times the farthest point of the paths).
    #[arg(long, allow_hyphen_values = true)]
    pub span: Option<f64>,
    /// A racer on the network: name[:key=value,...] as in `race`. Repeat for more.
    #[arg(long = "opt", value_name = "SPEC")]
    pub opts: Vec<String>,
    /// A learning-rate schedule for every racer, stepped once per minibatch step, as in `race`.
    #[arg(long)]
    pub schedule: Option<String>,
    /// Minibatch steps per racer.
    #[arg(long, default_value_t = 100)]
    pub steps: usize,
    /// Rows per minibatch of the race.
    #[arg(long, default_value_t = 10)]
    pub batch: usize,
    /// Seeds the data, the weights, the random directions and the minibatch order.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Threads for the products: 1 or 2.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Write the directions (and the plane's origin) to this safetensors file: d1.NAME, d2.NAME, origin.NAME for each
    /// of the model's tensor names, in PyTorch's shapes.
    #[arg(long = "save-directions", value_name = "D.safetensors")]
    pub save_directions: Option<PathBuf>,
    /// Write the picture to this PNG file: the heat map with contours and the paths, α and β axes with tick labels
    /// and names, a colour bar of the losses, and a key of the racers.
    #[arg(long)]
    pub png: Option<PathBuf>,
    /// Print one JSON object on standard output and nothing else.
    #[arg(long)]
    pub json: bool,
}

/// The flag that sets a field of a landscape's request.
fn landscape_flag(field: LandscapeField) -> &'static str {
    match field {
        LandscapeField::Directions => "--directions",
        LandscapeField::Grid => "--grid",
        LandscapeField::Span => "--span",
        LandscapeField::Steps => "--steps",
    }
}

/// A landscape's error as a usage error; every setting, the landscape's and the network's, named by its flag.
fn fail(e: LandscapeError) -> Failure {
    match e {
        LandscapeError::Nn(e) => Failure::from(e),
        // the flags that give a trajectory, not only the one that asked for it
        LandscapeError::PcaNeedsPath => {
            usage("--directions pca: needs a trajectory: give at least one --opt and --steps of at least 2")
        }
        other => usage(match other.field() {
            Some(field) => other.named(landscape_flag(field)),
            None => other.to_string(),
        }),
    }
}

/// Runs `landscape`.
pub(super) fn landscape(a: &LandscapeArgs) -> Result<Output, Failure> {
    let directions: Directions = a.directions.parse().map_err(fail)?;
    landscape::check_grid(a.grid, a.span.unwrap_or(1.0)).map_err(fail)?;
    if !(1..=2).contains(&a.threads) {
        return Err(usage(format!("--threads {}: use 1 or 2", a.threads)));
    }
    if a.batch == 0 {
        return Err(usage("--batch 0: a minibatch needs at least one row"));
    }
    let schedule: Schedule = match &a.schedule {
        Some(s) => s.parse().map_err(|e| usage(format!("--schedule {s}: {e}")))?,
        None => Schedule::default(),
    };
    let mut racers = Vec::new();
    for o in &a.opts {
        let spec: OptimSpec = o.parse().map_err(|e| usage(format!("--opt {o}: {e}")))?;
        racers.push(RacerSetup { spec, schedule });
    }
    if directions == Directions::Pca && (racers.is_empty() || a.steps < 2) {
        return Err(fail(LandscapeError::PcaNeedsPath));
    }
    let race = RaceConfig { racers, steps: a.steps, batch: a.batch, seed: a.seed };
    let request = Request { directions, size: a.grid, span: a.span, race, seed: a.seed };
    gemm::set_threads(a.threads);
    match &a.model {
        Some(path) => {
            let header = crate::nn::store::inspect(path, None).map_err(|e| usage(format!("--model {e}")))?;
            if header.dtype == "f64" {
                from_model::<f64>(a, path, request)
            } else {
                from_model::<f32>(a, path, request)
            }
        }
        None => {
            let p = prepare(&a.net, a.seed)?;
            if p.train.is_regression() {
                return Err(usage(format!(
                    "--dataset {}: a regression set has no landscape here yet (the plane's loss reads class labels)",
                    a.net.dataset
                )));
            }
            let spec = spec_from(&a.net, p.train.d, p.classes.len(), false)?;
            let mlp = Mlp::<f32>::new(&spec, a.seed).map_err(Failure::from)?;
            let problem = Problem::new(mlp, &p.train.x, &p.train.y).map_err(fail)?;
            run(a, problem, &p.source, request)
        }
    }
}

/// The training part of `--dataset` as the saved model reads it: its features, split as `train` splits, its
/// preprocessing, its class labels.
fn from_model<T: Element>(a: &LandscapeArgs, path: &Path, request: Request) -> Result<Output, Failure> {
    let (mlp, meta) = Mlp::<T>::open(path, None).map_err(|e| usage(format!("--model {e}")))?;
    let (raw, source) = load_dataset(&a.net.dataset, a.net.points, a.net.noise, a.seed)?;
    let raw = with_model_features(raw, &meta.features)?;
    let (train, _) = data::split(&raw, a.net.train_ratio, a.seed).map_err(|e| usage(format!("--train-ratio {e}")))?;
    let train = match serde_json::from_value::<Fitted>(meta.preprocess.clone()) {
        Ok(f) => f.try_apply(&train).map_err(|e| usage(format!("--dataset {e}")))?,
        Err(_) => train,
    };
    if train.d != mlp.spec.inputs {
        return Err(usage(format!(
            "--dataset {}: {} feature columns, but the model reads {}",
            a.net.dataset, train.d, mlp.spec.inputs
        )));
    }
    // the data's labels as the model's class indices, by their text
    let y: Option<Vec<usize>> =
        train.y.iter().map(|&y| meta.classes.iter().position(|c| *c == train.class_names[y])).collect();
    let y = y.ok_or_else(|| {
        usage(format!(
            "--dataset {}: its labels {:?} are not the model's classes {:?}",
            a.net.dataset, train.class_names, meta.classes
        ))
    })?;
    let problem = Problem::new(mlp, &train.x, &y).map_err(fail)?;
    run(a, problem, &source, request)
}

fn run<T: Element>(a: &LandscapeArgs, problem: Problem<T>, source: &str, request: Request) -> Result<Output, Failure> {
    let spec = problem.mlp.spec.clone();
    let rows = problem.rows();
    let show = !a.json;
    if show {
        say(format!(
            "{} on {source} ({rows} training rows), {} parameters; {} directions, {}×{} grid",
            spec.describe(),
            spec.parameter_count(),
            request.directions,
            request.size,
            request.size
        ));
    }
    let start = Instant::now();
    let bar = show && std::io::stderr().is_terminal();
    let result = if bar {
        // the work on a worker, the bar here: the main thread wakes every 100 ms to draw it
        let req = request.clone();
        let mut job = Job::spawn(move |progress| {
            let mut p = problem;
            let out = landscape::compute(&mut p, &req, None, progress);
            (p, out)
        });
        let b = indicatif::ProgressBar::new(1);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
            b.set_style(style);
        }
        b.set_message("race steps and grid points");
        let out = loop {
            if let Some((_, out)) = job.take() {
                break out;
            }
            if job.is_finished() && job.take().is_none() {
                break Err(NnError::Worker("the landscape's thread stopped with a panic".into()).into());
            }
            let (done, total) = job.progress();
            b.set_length(total.max(1) as u64);
            b.set_position(done as u64);
            std::thread::sleep(Duration::from_millis(100));
        };
        b.finish_and_clear();
        out
    } else {
        let mut p = problem;
        landscape::compute(&mut p, &request, None, &landscape::Progress::default())
    };
    let l = result.map_err(fail)?.ok_or_else(|| usage("the landscape was stopped"))?;
    let seconds = start.elapsed().as_secs_f64();
    let mut saved = Value::Null;
    if let Some(path) = &a.save_directions {
        save_directions::<T>(path, &l, &spec, a)
            .map_err(|e| usage(format!("--save-directions {}: {e}", path.display())))?;
        saved = json!(path.display().to_string());
    }
    let mut png = Value::Null;
    if let Some(path) = &a.png {
        let names: Vec<String> = l.trajectories.iter().map(|t| racer_name(&t.setup)).collect();
        png::write(&l, &names, path).map_err(|e| usage(format!("--png {}: {e}", path.display())))?;
        png = json!(path.display().to_string());
    }
    Ok(report(&l, &request, seconds, saved, png, source, rows))
}

fn point_json(p: &PathPoint) -> Value {
    json!({ "alpha": num(p.alpha), "beta": num(p.beta), "off_plane": num(p.off_plane), "loss": num(p.loss) })
}

fn report(
    l: &Landscape,
    request: &Request,
    seconds: f64,
    saved: Value,
    png: Value,
    source: &str,
    rows: usize,
) -> Output {
    let g = &l.grid;
    let n = g.size;
    let coords: Vec<Value> = (0..n).map(|i| num(g.coord(i))).collect();
    let grid: Vec<Value> = (0..n).map(|j| Value::Array((0..n).map(|i| num(g.at(i, j))).collect())).collect();
    let mid = n / 2;
    let checks: Vec<Value> = [(mid, mid), (0, 0), (n - 1, 0), (0, n - 1), (n - 1, n - 1)]
        .iter()
        .map(|&(i, j)| json!({ "i": i, "j": j, "alpha": num(g.coord(i)), "beta": num(g.coord(j)), "loss": num(g.at(i, j)) }))
        .collect();
    let racers: Vec<Value> = l
        .trajectories
        .iter()
        .zip(&l.paths)
        .map(|(t, path)| {
            json!({
                "opt": t.setup.spec.to_string(),
                "schedule": t.setup.schedule.to_string(),
                "diverged_at": t.diverged_at,
                "path": path.iter().map(point_json).collect::<Vec<_>>(),
                "final_loss": num(*t.losses.last().unwrap_or(&f64::NAN)),
                "max_off_plane": num(path.iter().map(|p| p.off_plane).fold(0.0, f64::max)),
            })
        })
        .collect();
    let (lo, hi) =
        g.losses.iter().copied().filter(|v| v.is_finite()).fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let json = json!({
        "directions": request.directions.to_string(),
        "axes": { "names": l.plane.names, "span": num(g.span), "grid": n, "coords": coords },
        "grid": grid,
        "origin_loss": num(l.origin_loss),
        "min_loss": num(lo),
        "max_loss": num(hi),
        "explained_variance": l.plane.explained.map(|e| json!([num(e[0]), num(e[1])])),
        "racers": racers,
        "check_points": checks,
        "data": { "source": source, "train_rows": rows },
        "seconds": num(seconds),
        "saved_directions": saved,
        "png": png,
    });
    let mut text = format!(
        "plane: α along {}, β along {}, each over ±{:.4}; loss at the centre {:.6}, lowest {:.6}, highest {:.6}\n",
        l.plane.names[0], l.plane.names[1], g.span, l.origin_loss, lo, hi
    );
    if let Some([e1, e2]) = l.plane.explained {
        text += &format!("PCA of the first racer's path: PC1 explains {:.1} %, PC2 {:.1} %\n", 100.0 * e1, 100.0 * e2);
    }
    if !l.trajectories.is_empty() {
        text +=
            &format!("{:<32} {:>12} {:>22} {:>14}  status\n", "racer", "final loss", "final (α, β)", "max off-plane");
    }
    for (t, path) in l.trajectories.iter().zip(&l.paths) {
        let last = path.last().copied().unwrap_or(PathPoint { alpha: 0.0, beta: 0.0, off_plane: 0.0, loss: f64::NAN });
        let off = path.iter().map(|p| p.off_plane).fold(0.0, f64::max);
        text += &format!(
            "{:<32} {:>12.6} {:>22} {:>14.4e}  {}\n",
            racer_name(&t.setup),
            last.loss,
            format!("({:.4}, {:.4})", last.alpha, last.beta),
            off,
            t.diverged_at.map_or("ran".to_string(), |s| format!("diverged at step {s}"))
        );
    }
    if !l.trajectories.is_empty() {
        text += "the paths' losses are the true losses at θₜ; off-plane is how far θₜ lies from the slice drawn\n";
    }
    text += &format!("{:.2} s\n", seconds);
    if let Value::String(p) = &saved {
        text += &format!("directions saved to {p}\n");
    }
    if let Value::String(p) = &png {
        text += &format!("picture saved to {p}\n");
    }
    Output { text, json, code: 0 }
}

/// Writes d1.NAME, d2.NAME and origin.NAME for each of the network's parameter tensors, in its element type and
/// PyTorch's shapes.
fn save_directions<T: Element>(
    path: &Path,
    l: &Landscape,
    spec: &crate::nn::MlpSpec,
    a: &LandscapeArgs,
) -> Result<(), String> {
    use safetensors::tensor::{Dtype, TensorView};
    let mlp = Mlp::<T>::new(spec, 0).map_err(|e| e.to_string())?;
    let dtype = if std::mem::size_of::<T>() == 4 { Dtype::F32 } else { Dtype::F64 };
    let bytes = |v: &[f64]| -> Vec<u8> {
        v.iter()
            .flat_map(
                |&x| if dtype == Dtype::F32 { (x as f32).to_le_bytes().to_vec() } else { x.to_le_bytes().to_vec() },
            )
            .collect()
    };
    let mut tensors = Vec::new();
    for e in &mlp.params().entries {
        for (prefix, v) in [("d1", &l.plane.d1), ("d2", &l.plane.d2), ("origin", &l.plane.origin)] {
            tensors.push((format!("{prefix}.{}", e.name), torch_shape(e), bytes(&v[e.range()])));
        }
    }
    let views = tensors
        .iter()
        .map(|(name, shape, b)| TensorView::new(dtype, shape.clone(), b).map(|v| (name.clone(), v)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let meta = std::collections::HashMap::from([
        ("directions".to_string(), a.directions.clone()),
        ("span".to_string(), l.grid.span.to_string()),
        ("grid".to_string(), l.grid.size.to_string()),
    ]);
    safetensors::serialize_to_file(views, Some(meta), path).map_err(|e| e.to_string())
}

/// A racer's name: its spec, and its schedule unless constant.
fn racer_name(setup: &RacerSetup) -> String {
    if setup.schedule == Schedule::default() {
        setup.spec.to_string()
    } else {
        format!("{} · {}", setup.spec, setup.schedule)
    }
}

/// Prints a progress line on standard output; a closed pipe silences it.
fn say(line: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
