//! How long the backprop view's model (compile, groups, folding, layout, traces) takes to build for a generated
//! N-statement program: `cargo run --release --features probes --example model_build_probe -- 10000`.
use std::time::Instant;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let src = chainrule::expr::sample::mixed_program(n);
    let t = Instant::now();
    let m = chainrule::app::backprop::model::Model::build(&src, &Default::default(), false).expect("compiles");
    println!("{n} statements, {} nodes: model built in {:.2} s", m.graph.len(), t.elapsed().as_secs_f64());
}
