//! Criterion benchmarks of the optimizers: 10⁶ steps of every rule on a 2-D quadratic (the race's workload), and
//! one step of every rule on a 10⁶-parameter slice (the tensor MLP's), f64 with inspection (as before) and f32 and
//! f64 without (the tensor backend's setting), all reported per element (step, parameter).
//! Run: `cargo bench --bench optim`.

use std::hint::black_box;

use chainrule::optim::OptimSpec;
use chainrule::real::Real;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

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

fn spec(s: &str) -> OptimSpec {
    s.parse().expect("the bench specs are valid")
}

/// 10⁶ steps on f = x²/20 + 2y², ∇f = (x/10, 4y), from (1, 1).
fn quadratic_2d(c: &mut Criterion) {
    let mut group = c.benchmark_group("optim 2-D quadratic, 1e6 steps");
    group.sample_size(10);
    let steps = 1_000_000u64;
    group.throughput(Throughput::Elements(steps));
    for s in SPECS {
        group.bench_with_input(BenchmarkId::from_parameter(s), &spec(s), |b, spec| {
            b.iter(|| {
                let mut opt = spec.build();
                let mut p = [1.0, 1.0];
                for _ in 0..steps {
                    let g = [p[0] / 10.0, 4.0 * p[1]];
                    opt.step(&mut p, &g);
                }
                black_box(p)
            })
        });
    }
    group.finish();
}

/// One step on a 10⁶-parameter slice of `T` with a fixed gradient (the state persists from one iteration to the next).
fn wide_slice<T: Real>(c: &mut Criterion, inspectable: bool) {
    let inspect = if inspectable { ", inspectable" } else { "" };
    let mut group = c.benchmark_group(format!("optim 1e6-parameter {} slice{inspect}, 1 step", T::NAME));
    group.sample_size(10);
    let n = 1_000_000usize;
    group.throughput(Throughput::Elements(n as u64));
    let grads: Vec<T> = (0..n).map(|i| T::from_f64((i as f64 * 1e-3).sin())).collect();
    for s in SPECS {
        group.bench_with_input(BenchmarkId::from_parameter(s), &spec(s), |b, spec| {
            let mut opt = spec.build_for::<T>().inspectable(inspectable);
            let mut p = vec![T::one(); n];
            b.iter(|| {
                opt.step(&mut p, black_box(&grads));
                black_box(p[n / 2])
            })
        });
    }
    group.finish();
}

/// The race's setting (f64, inspectable), then the tensor backend's (no inspection), in f64 and f32.
fn wide_slices(c: &mut Criterion) {
    wide_slice::<f64>(c, true);
    wide_slice::<f64>(c, false);
    wide_slice::<f32>(c, false);
}

criterion_group!(benches, quadratic_2d, wide_slices);
criterion_main!(benches);
