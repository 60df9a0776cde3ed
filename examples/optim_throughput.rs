//! Sustained optimizer throughput on a large slice: STEPS steps of every rule on a PARAMS-parameter slice, timed as one
//! plain run (criterion samples single steps; this checks that many steps in a row cost what one step predicts), in
//! f64 and f32, with the recording for `inspect` on (the default) and off (what the tensor backend uses).
//!
//! `cargo run --release --features probes --example optim_throughput -- 1000000 10000`

use std::time::Instant;

use chainrule::optim::OptimSpec;
use chainrule::real::Real;

const SPECS: &[&str] = &[
    "sgd:lr=0.01",
    "sgd:lr=0.01,momentum=0.9,nesterov=true",
    "momentum-ewma:lr=0.01",
    "adagrad:lr=0.01",
    "rmsprop:lr=0.01,momentum=0.9,centered=true",
    "adam:lr=0.01",
    "adam:lr=0.01,amsgrad=true",
    "adamw:lr=0.01",
    "adam-nobias:lr=0.01",
    "radam:lr=0.01",
    "nadam:lr=0.01",
];

/// Seconds per step of `steps` steps of `spec` on `n` parameters of type `T`.
fn seconds_per_step<T: Real>(spec: &OptimSpec, n: usize, steps: usize, inspectable: bool) -> f64 {
    let mut opt = spec.build_for::<T>().inspectable(inspectable);
    let mut params: Vec<T> = (0..n).map(|i| T::from_f64((i % 97) as f64 / 97.0 - 0.5)).collect();
    let mut grads = vec![T::zero(); n];
    let t = Instant::now();
    for _ in 0..steps {
        // ∇ of Σ θ²/2 is θ: a gradient that changes with every step, computed in place.
        grads.copy_from_slice(&params);
        opt.step(&mut params, &grads);
    }
    let dt = t.elapsed().as_secs_f64();
    std::hint::black_box(&params);
    dt / steps as f64
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|s| s.parse().ok()).collect();
    let (n, steps) = (args.first().copied().unwrap_or(1_000_000), args.get(1).copied().unwrap_or(10_000));
    println!("{n} parameters, {steps} steps per rule; ms/step (M params/s)");
    println!("{:<45} {:>16} {:>16} {:>16} {:>16}", "rule", "f64 inspect", "f64", "f32 inspect", "f32");
    for s in SPECS {
        let spec: OptimSpec = s.parse().expect("the specs above are valid");
        let cells = [
            seconds_per_step::<f64>(&spec, n, steps, true),
            seconds_per_step::<f64>(&spec, n, steps, false),
            seconds_per_step::<f32>(&spec, n, steps, true),
            seconds_per_step::<f32>(&spec, n, steps, false),
        ]
        .map(|dt| format!("{:.3} ({:.0})", dt * 1e3, n as f64 / dt / 1e6));
        println!("{s:<45} {:>16} {:>16} {:>16} {:>16}", cells[0], cells[1], cells[2], cells[3]);
    }
}
