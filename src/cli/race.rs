//! `chainrule race`: optimizers racing on a 2-D loss surface, as a table or as JSON.

use clap::Args;
use serde_json::{Value, json};

use super::{Failure, Output, num};
use crate::optim::{OptimSpec, Schedule};
use crate::surface::{Domain, MAX_RACE_STEPS, PRESETS, Race, Racer, RacerSetup, Status, Surface};

/// The race's arguments.
#[derive(Debug, Args)]
pub struct RaceArgs {
    /// A preset (rosenbrock, elongated, beale, himmelblau, booth, saddle, rastrigin, camel, plateau) or an expression
    /// in x and y.
    #[arg(long, allow_hyphen_values = true)]
    pub surface: String,
    /// The start point X,Y (a preset has its own default).
    #[arg(long, allow_hyphen_values = true, value_name = "X,Y")]
    pub start: Option<String>,
    /// A racer: name[:key=value,...] with PyTorch's argument names, e.g. sgd:lr=0.01,momentum=0.9. Repeat for more.
    #[arg(long = "opt", value_name = "SPEC", required = true)]
    pub opts: Vec<String>,
    /// How many steps (at most 100 000): every racer that does not diverge takes them all, one point per step.
    #[arg(long, default_value_t = 100)]
    pub steps: usize,
    /// A learning-rate schedule for every racer, e.g. step:step_size=10,gamma=0.9 or warmup:steps=10+cos:t_max=100.
    #[arg(long)]
    pub schedule: Option<String>,
    /// Standard deviation of Gaussian noise added to every gradient component.
    #[arg(long, default_value_t = 0.0)]
    pub noise: f64,
    /// Seed of the gradient noise.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The plotted region XMIN,XMAX,YMIN,YMAX; a racer leaving it has diverged.
    #[arg(long, allow_hyphen_values = true)]
    pub domain: Option<String>,
    /// The loss a racer must reach for the "steps to" column.
    #[arg(long, default_value_t = 1e-3)]
    pub threshold: f64,
    /// Print one JSON object on standard output and nothing else.
    #[arg(long)]
    pub json: bool,
}

fn numbers(what: &str, text: &str, n: usize) -> Result<Vec<f64>, Failure> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let values: Option<Vec<f64>> = parts.iter().map(|p| p.parse::<f64>().ok().filter(|v| v.is_finite())).collect();
    match values {
        Some(v) if v.len() == n => Ok(v),
        _ => Err(Failure::usage(format!("{what} {text}: expected {n} comma-separated finite numbers"))),
    }
}

/// Runs the race.
pub(super) fn race(a: &RaceArgs) -> Result<Output, Failure> {
    if a.steps > MAX_RACE_STEPS {
        return Err(Failure::usage(format!(
            "--steps {}: at most {MAX_RACE_STEPS} steps (every step keeps a point per racer)",
            a.steps
        )));
    }
    let (surface, start) = surface_and_start(a)?;
    let setups = racer_setups(a)?;
    if !(a.noise.is_finite() && a.noise >= 0.0) {
        return Err(Failure::usage(format!("--noise {}: expected a standard deviation >= 0", a.noise)));
    }
    let noise = (a.noise > 0.0).then_some((a.noise, a.seed));
    let mut race = Race::new(surface, start, setups, noise);
    race.run(a.steps);

    let mut text = format!(
        "{} ({}) from ({}, {}), {} steps\n{:<40} {:>24} {:>12} {:>10} {:>10}\n",
        race.surface.name,
        race.surface.expr,
        start[0],
        start[1],
        a.steps,
        "racer",
        "final point",
        "final loss",
        format!("to {:e}", a.threshold),
        "status"
    );
    let mut racers = Vec::new();
    for r in &race.racers {
        text.push_str(&racer_row(r, a.threshold));
        racers.push(racer_json(r, a.threshold));
    }
    let s = &race.surface;
    let json = json!({
        "surface": { "name": s.name, "expr": s.expr, "domain": { "x": s.domain.x, "y": s.domain.y }, "minima": s.minima },
        "start": start,
        "steps": a.steps,
        "threshold": a.threshold,
        "racers": racers,
    });
    Ok(Output { text, json, code: 0 })
}

/// The surface with its plotted region, and the start point inside it: `--start` or the preset's, `--domain` or the
/// preset's (a typed surface: a region around the start).
fn surface_and_start(a: &RaceArgs) -> Result<(Surface, [f64; 2]), Failure> {
    let mut surface = Surface::parse(&a.surface).map_err(|e| Failure::usage(e.to_string()))?;
    let preset = PRESETS.iter().find(|p| p.name == a.surface.trim());
    let start = match (&a.start, preset) {
        (Some(s), _) => {
            let v = numbers("--start", s, 2)?;
            [v[0], v[1]]
        }
        (None, Some(p)) => p.start,
        (None, None) => {
            return Err(Failure::usage("--start X,Y is needed for a typed surface, e.g. --start -1.5,2".into()));
        }
    };
    if let Some(d) = &a.domain {
        let v = numbers("--domain", d, 4)?;
        if !(v[0] < v[1] && v[2] < v[3]) {
            return Err(Failure::usage(format!("--domain {d}: expected XMIN < XMAX and YMIN < YMAX")));
        }
        surface.domain = Domain { x: [v[0], v[1]], y: [v[2], v[3]] };
    } else if preset.is_none() {
        surface.domain = Domain::around(start);
    }
    if !surface.domain.contains(start) {
        return Err(Failure::usage(format!(
            "--start {},{} lies outside the plotted region x {:?}, y {:?}; move it or widen --domain",
            start[0], start[1], surface.domain.x, surface.domain.y
        )));
    }
    Ok((surface, start))
}

/// One racer per `--opt`, each with the `--schedule`.
fn racer_setups(a: &RaceArgs) -> Result<Vec<RacerSetup>, Failure> {
    let schedule: Schedule = match &a.schedule {
        Some(s) => s.parse().map_err(|e| Failure::usage(format!("--schedule {s}: {e}")))?,
        None => Schedule::default(),
    };
    let mut setups = Vec::new();
    for o in &a.opts {
        let spec: OptimSpec = o.parse().map_err(|e| Failure::usage(format!("--opt {o}: {e}")))?;
        setups.push(RacerSetup { spec, schedule });
    }
    Ok(setups)
}

/// A racer's line of the table: its optimizer, final point and loss, steps to the threshold and status.
fn racer_row(r: &Racer, threshold: f64) -> String {
    let p = r.position();
    let last = *r.loss.last().expect("a path starts with the start point");
    let to = r.steps_to(threshold);
    format!(
        "{:<40} {:>24} {:>12.4e} {:>10} {:>10}\n",
        r.setup.spec.to_string(),
        format!("({:.5}, {:.5})", p[0], p[1]),
        last,
        to.map_or("-".to_owned(), |s| s.to_string()),
        match (r.status, r.stopped_at, r.converged_at) {
            (Status::Diverged, Some(s), _) | (Status::Converged, _, Some(s)) => format!("{} @{s}", r.status.name()),
            _ => r.status.name().to_owned(),
        }
    )
}

/// A racer as JSON: its whole path, losses and learning rates, its status and final figures.
fn racer_json(r: &Racer, threshold: f64) -> Value {
    let p = r.position();
    let last = *r.loss.last().expect("a path starts with the start point");
    let path: Vec<Value> = r.path.iter().map(|p| json!([num(p[0]), num(p[1])])).collect();
    let loss: Vec<Value> = r.loss.iter().map(|&l| num(l)).collect();
    let lrs: Vec<Value> = r.lrs.iter().map(|&l| num(l)).collect();
    json!({
        "opt": r.setup.spec.to_string(),
        "schedule": r.setup.schedule.to_string(),
        "path": path,
        "loss": loss,
        "lr": lrs,
        "status": r.status.name(),
        "stopped_at": r.stopped_at,
        "converged": r.converged_at.is_some(),
        "converged_at": r.converged_at,
        "final": [num(p[0]), num(p[1])],
        "final_loss": num(last),
        "steps_to_threshold": r.steps_to(threshold),
    })
}
