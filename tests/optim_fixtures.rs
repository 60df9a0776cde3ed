//! chainrule's optimizers and schedules against PyTorch: trajectories recorded from `torch.optim` (float64,
//! `foreach=False`) by `bench/optim_fixtures.py` into `tests/fixtures/optim/`. Each case feeds the recorded
//! gradients (and learning rates, where a scheduler moved them) to the Rust rule built from the case's spec, and
//! every parameter after every step must agree to 1e-12 relative to max(1, |x|).
//!
//! Regenerate the fixtures with `python3 bench/optim_fixtures.py` (installs torch into a venv outside the repo).
//! Floats are stored as strings and parsed with `str::parse::<f64>`, which is correctly rounded (serde_json's
//! default float parser is not), so the Rust rule sees the very bits PyTorch saw.
//!
//! `tests/fixtures/optim/float32/` holds the same cases replayed by PyTorch in float32 (the float64 gradients rounded
//! to float32); `Optimizer<f32>` must follow them to 1e-6, and does to the bit but where PyTorch's float32 `sqrt` is
//! not correctly rounded.

use std::path::PathBuf;

use chainrule::optim::{OPTIMIZER_NAMES, OptimSpec, Schedule};
use chainrule::real::Real;

const TOL: f64 = 1e-12;
/// For the float32 cases: about 8 ulps of f32 at 1.
const TOL_F32: f64 = 1e-6;

#[derive(serde::Deserialize)]
struct Case {
    case: String,
    spec: String,
    torch: String,
    #[serde(deserialize_with = "exact_vec")]
    params0: Vec<f64>,
    steps: Vec<Step>,
}

#[derive(serde::Deserialize)]
struct Step {
    #[serde(deserialize_with = "exact")]
    lr: f64,
    #[serde(deserialize_with = "exact_vec")]
    grad: Vec<f64>,
    #[serde(deserialize_with = "exact_vec")]
    params: Vec<f64>,
}

#[derive(serde::Deserialize)]
struct Schedules {
    schedules: Vec<ScheduleCase>,
}

#[derive(serde::Deserialize)]
struct ScheduleCase {
    spec: String,
    torch: String,
    #[serde(deserialize_with = "exact")]
    base_lr: f64,
    #[serde(deserialize_with = "exact_vec")]
    lrs: Vec<f64>,
}

/// A float written as a string (Python's repr), parsed exactly.
fn exact<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let text: String = serde::Deserialize::deserialize(d)?;
    text.parse().map_err(|e| serde::de::Error::custom(format!("`{text}`: {e}")))
}

/// A list of floats written as strings, parsed exactly.
fn exact_vec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let texts: Vec<String> = serde::Deserialize::deserialize(d)?;
    texts.iter().map(|t| t.parse().map_err(|e| serde::de::Error::custom(format!("`{t}`: {e}")))).collect()
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/optim")
}

/// Every optimizer case, sorted by file name.
fn cases() -> Vec<Case> {
    cases_in(fixture_dir())
}

/// Every optimizer case in `dir`, sorted by file name.
fn cases_in(dir: PathBuf) -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("schedules.json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("readable fixture");
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

/// |got − want| / max(1, |want|).
fn error(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs().max(1.0)
}

/// How close a run came: the largest error and how many values matched PyTorch's to the bit.
struct Agreement {
    worst: f64,
    bit_exact: usize,
    values: usize,
}

/// Runs one case in f64; returns how close it came, or the first place it went beyond `TOL`.
fn run(case: &Case) -> Result<Agreement, String> {
    run_as::<f64>(case, TOL)
}

/// Runs one case on parameters of type `T` (the fixture's values are exact in `T`); returns how close it came, or
/// the first place it went beyond `tol`.
fn run_as<T: Real>(case: &Case, tol: f64) -> Result<Agreement, String> {
    let spec: OptimSpec = case.spec.parse().map_err(|e| format!("{}: spec `{}`: {e}", case.case, case.spec))?;
    let mut opt = spec.build_for::<T>();
    let mut p: Vec<T> = case.params0.iter().map(|&x| T::from_f64(x)).collect();
    let mut agreement = Agreement { worst: 0.0, bit_exact: 0, values: 0 };
    for (t, step) in case.steps.iter().enumerate() {
        opt.set_lr(step.lr);
        let grad: Vec<T> = step.grad.iter().map(|&x| T::from_f64(x)).collect();
        opt.step(&mut p, &grad);
        for (i, (&got, &want)) in p.iter().zip(&step.params).enumerate() {
            let got = got.as_f64();
            let e = error(got, want);
            agreement.worst = agreement.worst.max(e);
            agreement.values += 1;
            agreement.bit_exact += usize::from(got.to_bits() == want.to_bits());
            if e.is_nan() || e > tol {
                return Err(format!(
                    "{} (`{}` vs {}): step {}, param {i}: got {got:e}, torch {want:e}, error {e:.2e}",
                    case.case,
                    case.spec,
                    case.torch,
                    t + 1
                ));
            }
        }
    }
    Ok(agreement)
}

#[test]
fn every_rule_follows_torch_step_by_step() {
    let cases = cases();
    assert!(cases.len() >= 20, "only {} fixtures in {}", cases.len(), fixture_dir().display());
    let mut failures = Vec::new();
    let (mut bit_exact, mut values) = (0, 0);
    for case in &cases {
        assert!(case.steps.len() >= 30, "{}: only {} steps", case.case, case.steps.len());
        match run(case) {
            Ok(a) => {
                eprintln!(
                    "{:28} {:72} max error {:.1e}, bit-exact {}/{}",
                    case.case, case.spec, a.worst, a.bit_exact, a.values
                );
                bit_exact += a.bit_exact;
                values += a.values;
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases left PyTorch's path:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // `src/optim/torch_ops.rs`: 3997 of the 4000 values are PyTorch's to the bit, the other three one ulp away (in
    // radam_weight_decay, where PyTorch's own sqrt is not correctly rounded). A change that keeps 1e-12 but loses
    // PyTorch's rounding (an unfused multiply-add, a reordered product) shows here.
    eprintln!("bit-exact {bit_exact}/{values}");
    assert_eq!(values, 4000, "the fixtures hold 4000 values; the count below is out of them");
    assert!(
        values - bit_exact <= 3,
        "only {bit_exact} of {values} values are PyTorch's to the bit (3997 of 4000 were)"
    );
}

#[test]
fn float32_rules_follow_torch_float32() {
    let cases = cases_in(fixture_dir().join("float32"));
    assert_eq!(cases.len(), self::cases().len(), "a float32 replay of every case");
    let (mut bit_exact, mut values) = (0, 0);
    for case in &cases {
        let a = run_as::<f32>(case, TOL_F32).unwrap_or_else(|e| panic!("float32: {e}"));
        eprintln!(
            "{:28} {:72} max error {:.1e}, bit-exact {}/{}",
            case.case, case.spec, a.worst, a.bit_exact, a.values
        );
        bit_exact += a.bit_exact;
        values += a.values;
    }
    // The 36 others are in adam_cosine, from step 5 on: PyTorch's float32 sqrt of one v is one ulp below the correctly
    // rounded one, and the ulp stays in the trajectory.
    eprintln!("float32 bit-exact {bit_exact}/{values}");
    assert_eq!(values, 4000, "the float32 replays hold 4000 values");
    assert!(values - bit_exact <= 36, "only {bit_exact} of {values} float32 values are PyTorch's to the bit");
}

#[test]
fn every_pytorch_rule_has_a_fixture() {
    let covered: Vec<String> =
        cases().iter().map(|c| c.spec.parse::<OptimSpec>().expect("valid spec").name().to_owned()).collect();
    for name in OPTIMIZER_NAMES.iter().filter(|n| !["momentum-ewma", "adam-nobias"].contains(n)) {
        assert!(covered.iter().any(|c| c == name), "no PyTorch fixture for `{name}`");
    }
}

#[test]
fn the_comparison_can_fail() {
    // A rule that is off by one part in 1e9 on one step must be caught: nudge one recorded gradient.
    let mut case = cases().into_iter().find(|c| c.case == "adam_lr").expect("the adam_lr fixture");
    case.steps[10].grad[2] *= 1.0 + 1e-9;
    assert!(run(&case).is_err());
}

#[test]
fn schedules_follow_torch_lr_scheduler() {
    let text = std::fs::read_to_string(fixture_dir().join("schedules.json")).expect("schedules.json");
    let data: Schedules = serde_json::from_str(&text).expect("valid schedules.json");
    assert!(data.schedules.len() >= 8);
    for case in &data.schedules {
        let schedule: Schedule = case.spec.parse().unwrap_or_else(|e| panic!("`{}`: {e}", case.spec));
        for (t, &want) in case.lrs.iter().enumerate() {
            let got = schedule.lr_at(case.base_lr, t as u64);
            // PyTorch steps its schedulers recursively (lr ← lr·factor); we use the closed forms.
            assert!(error(got, want) <= TOL, "`{}` ({}), t={t}: got {got:e}, torch {want:e}", case.spec, case.torch);
        }
    }
}
