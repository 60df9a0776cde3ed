//! Criterion benchmarks of the network's loss landscape on one thread: a 41×41 grid on 2-8-8-1 with 250 training rows
//! (target under 100 ms) and the digits network 64-64-10 on 1 437 rows at G = 21, 41, 81 (target under 2 s at 41,
//! and linear in G²), by the default method (the first layer's product split along the plane) and, at 41, by the
//! direct one (the whole forward pass at every point) for comparison. Run: `cargo bench --bench landscape`.

use chainrule::data;
use chainrule::nn::landscape::{GridMethod, Plane, Problem, Progress};
use chainrule::nn::{Mlp, MlpSpec};
use chainrule::scalar::Unary;
use chainrule::tensor::{Loss, gemm};
use criterion::{Criterion, criterion_group, criterion_main};

fn problem(dataset: &str, points: usize, rows: usize, hidden: &[usize], act: Unary, loss: Loss) -> Problem<f32> {
    let d = data::generate(dataset, points, 0.1, 0).expect("a data set");
    let classes = d.class_names.len();
    let spec = MlpSpec::classifier(d.d, hidden, classes, act, loss).expect("a network");
    let mlp = Mlp::<f32>::new(&spec, 0).expect("built");
    Problem::new(mlp, &d.x[..rows * d.d], &d.y[..rows]).expect("a problem")
}

fn landscape(c: &mut Criterion) {
    gemm::set_threads(1);
    chainrule::parallel::set_threads(1);
    let mut group = c.benchmark_group("landscape");
    group.sample_size(10);
    let mut small = problem("circle", 500, 250, &[8, 8], Unary::Tanh, Loss::BceLogits);
    let plane = Plane::random(&small.mlp, 0);
    group.bench_function("41x41, 2-8-8-1, 250 rows", |b| {
        b.iter(|| small.grid(&plane, 41, 1.0, &Progress::default()).expect("computes").expect("not stopped").losses[0])
    });
    let mut digits = problem("digits", 0, 1437, &[64], Unary::Relu, Loss::SoftmaxCe);
    let plane = Plane::random(&digits.mlp, 0);
    for g in [21, 41, 81] {
        group.bench_function(format!("{g}x{g}, digits 64-64-10, 1437 rows"), |b| {
            b.iter(|| {
                digits.grid(&plane, g, 1.0, &Progress::default()).expect("computes").expect("not stopped").losses[0]
            })
        });
    }
    group.bench_function("41x41, digits 64-64-10, 1437 rows, direct", |b| {
        b.iter(|| {
            let grid = digits.grid_with(&plane, 41, 1.0, &Progress::default(), GridMethod::Direct);
            grid.expect("computes").expect("not stopped").losses[0]
        })
    });
    group.finish();
}

criterion_group!(benches, landscape);
criterion_main!(benches);
