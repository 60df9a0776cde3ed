//! Criterion benchmarks of the scalar engine: build + forward + backward of a 10⁶-node chain and of a wide/deep random
//! DAG, the recorded backward trace, and parse + build of a 10⁵-statement program.
//! Run: `cargo bench --bench scalar`.

use chainrule::scalar::workloads::{chain, dag, program_text};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("scalar");
    group.sample_size(10);
    let n = 1_000_000;
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("chain 1e6: build+forward+backward", |b| {
        b.iter(|| {
            let (mut g, out) = chain(n);
            g.forward();
            g.backward(out);
            g.grad(out)
        })
    });
    group.bench_function("chain 1e6: backward only", |b| {
        let (mut g, out) = chain(n);
        b.iter(|| {
            g.backward(out);
            g.grad(out)
        })
    });
    group.bench_function("chain 1e6: backward trace", |b| {
        b.iter_batched(|| chain(n), |(mut g, out)| g.backward_trace(out).steps.len(), BatchSize::LargeInput)
    });
    let (w, d) = (1000, 998); // 1000 · 1000 - 1 nodes
    group.throughput(Throughput::Elements((w * (d + 2) - 1) as u64));
    group.bench_function("dag 1000x1000: build+forward+backward", |b| {
        b.iter(|| {
            let (mut g, out) = dag(w, d);
            g.forward();
            g.backward(out);
            g.grad(out)
        })
    });
    let text = program_text(100_000);
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("parse+build 1e5 statements", |b| {
        b.iter(|| chainrule::expr::compile(&text, &[]).map(|p| p.graph.len()).unwrap_or(0))
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
