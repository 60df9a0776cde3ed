//! Criterion benchmarks of the loss surfaces: a 200×200 grid of a typed expression (the target is under 20 ms, fast
//! enough to redraw contours on every edit) and race steps through the engine's gradient.
//! Run: `cargo bench --bench surface`.

use chainrule::surface::{Race, RacerSetup, Surface};
use criterion::{Criterion, criterion_group, criterion_main};

fn surfaces(c: &mut Criterion) {
    let mut group = c.benchmark_group("surface");
    for expr in ["rosenbrock", "sin(x)*cos(y) + 0.1*(x^2 + y^2) + tanh(x*y)", "camel"] {
        let mut s = Surface::parse(expr).expect("a valid surface");
        group.bench_function(format!("grid 200x200: {expr}"), |b| b.iter(|| s.grid(200, 200).max));
    }
    group.bench_function("race: 4 racers x 1000 steps on rosenbrock", |b| {
        let setups: Vec<RacerSetup> = ["sgd:lr=0.001", "sgd:lr=0.001,momentum=0.9", "rmsprop:lr=0.01", "adam:lr=0.05"]
            .iter()
            .map(|s| RacerSetup { spec: s.parse().expect("a valid spec"), schedule: Default::default() })
            .collect();
        b.iter(|| {
            let s = Surface::preset("rosenbrock").expect("a preset");
            let mut race = Race::new(s, [-1.5, 2.0], setups.clone(), None);
            race.run(1000);
            race.racers[0].position()
        })
    });
    group.finish();
}

criterion_group!(benches, surfaces);
criterion_main!(benches);
