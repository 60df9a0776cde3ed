//! Sustained optimizer throughput on a large slice: STEPS steps of every rule on a PARAMS-parameter slice, timed as one
//! plain run (criterion samples single steps; this checks that many steps in a row cost what one step predicts).
//!
//! `cargo run --release --example optim_throughput -- 1000000 10000`

use std::time::Instant;

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

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|s| s.parse().ok()).collect();
    let (n, steps) = (args.first().copied().unwrap_or(1_000_000), args.get(1).copied().unwrap_or(10_000));
    println!("{n} parameters, {steps} steps per rule");
    println!("{:<45} {:>10} {:>12} {:>16}", "rule", "total s", "ms/step", "M params/s");
    for s in SPECS {
        let spec: chainrule::optim::OptimSpec = s.parse().expect("the specs above are valid");
        let mut opt = spec.build();
        let mut params: Vec<f64> = (0..n).map(|i| (i % 97) as f64 / 97.0 - 0.5).collect();
        let mut grads = vec![0.0; n];
        let t = Instant::now();
        for _ in 0..steps {
            // ∇ of Σ θ²/2 is θ: a gradient that changes with every step, computed in place.
            grads.copy_from_slice(&params);
            opt.step(&mut params, &grads);
        }
        let dt = t.elapsed().as_secs_f64();
        std::hint::black_box(&params);
        println!("{s:<45} {dt:>10.1} {:>12.3} {:>16.0}", dt / steps as f64 * 1e3, (n * steps) as f64 / dt / 1e6);
    }
}
