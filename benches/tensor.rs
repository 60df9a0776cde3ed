//! Criterion benchmarks of the tensor backend: one training step (forward, loss, backward, SGD) of the MLP shapes the
//! issue names, and faer's product at sizes around the single/two-thread threshold, on one thread and on two.
//! Run: `cargo bench --bench tensor` (the side-by-side comparison with PyTorch is `bench/compare_mlp.py`).

use std::hint::black_box;

use chainrule::nn::{Init, Mlp, MlpSpec};
use chainrule::optim::{OptimSpec, Optimizer};
use chainrule::scalar::Unary;
use chainrule::tensor::gemm::{self, Operand};
use chainrule::tensor::{Element, Loss};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn training_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("mlp training step, f32, 1 thread");
    group.sample_size(20);
    gemm::set_threads(1);
    for (sizes, batch) in [(&[2usize, 16, 16, 1][..], 100usize), (&[2, 64, 64, 1], 256), (&[784, 256, 256, 10], 128)] {
        let (inputs, outputs) = (sizes[0], sizes[sizes.len() - 1]);
        let (loss, classes) = if outputs == 1 { (Loss::BceLogits, 2) } else { (Loss::SoftmaxCe, outputs) };
        let mut spec =
            MlpSpec::classifier(inputs, &sizes[1..sizes.len() - 1], classes, Unary::Relu, loss).expect("valid");
        spec.init = Init::PyTorch;
        let mut mlp = Mlp::<f32>::new(&spec, 0).expect("builds");
        let x: Vec<f32> = (0..batch * inputs).map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0).collect();
        let labels: Vec<usize> = (0..batch).map(|i| i % classes).collect();
        let mut t = Vec::new();
        mlp.targets(&labels, &mut t);
        let mut opt = Optimizer::<f32>::new(&"sgd:lr=0.01".parse::<OptimSpec>().expect("valid"));
        opt.set_inspectable(false);
        let mut rng = StdRng::seed_from_u64(0);
        let name = sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("-");
        group.bench_function(BenchmarkId::new(name, batch), |b| {
            b.iter(|| {
                mlp.train_step_grads(black_box(&x), batch, &t, &mut rng).expect("a step");
                let (values, grads) = mlp.tape.params.values_and_grads();
                opt.step(values, grads);
            })
        });
    }
    group.finish();
}

fn products(c: &mut Criterion) {
    let mut group = c.benchmark_group("faer f32 product, threads");
    group.sample_size(20);
    for n in [32usize, 64, 96, 128, 192, 256, 512] {
        let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32).collect();
        let mut out = vec![0.0f32; n * n];
        group.throughput(Throughput::Elements((2 * n * n * n) as u64)); // flops
        for threads in [1, 2] {
            group.bench_with_input(BenchmarkId::new(format!("{threads} thread(s)"), n), &n, |bch, &n| {
                gemm::set_threads(threads);
                let op = Operand { data: &a, rows: n, cols: n, transposed: false };
                // force the threaded path for the 2-thread series whatever the size, to find the crossover
                bch.iter(|| f32::gemm_with(&mut out, op, op, 1.0, false, threads > 1))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, training_step, products);
criterion_main!(benches);
