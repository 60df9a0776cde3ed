//! Nanoseconds an element of each f32 activation kernel (`chainrule::tensor::vmath`): the scalar engine's plain rule
//! (the standard library's `expf`, `tanhf`, ... one element at a time), the portable kernels and the AVX2+FMA ones,
//! over 4 096 elements (a 256 × 16 layer's worth) spread over [−5, 5], best of 50 rounds.
//! `cargo run --release --features probes --example vmath_probe`.

use std::hint::black_box;
use std::time::Instant;

use chainrule::scalar::Unary;
use chainrule::tensor::vmath::{self, Level};

fn best_ns(mut f: impl FnMut(), elements: usize) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..50 {
        let t = Instant::now();
        for _ in 0..20 {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e9 / (20 * elements) as f64);
    }
    best
}

fn main() {
    let n = 4096;
    let x: Vec<f32> = (0..n).map(|i| -5.0 + 10.0 * i as f32 / n as f32).collect();
    let mut out = vec![0.0f32; n];
    let levels = Level::available();
    print!("| function | plain rule ns | ");
    println!("{} |", levels.iter().map(|l| format!("{l:?} ns")).collect::<Vec<_>>().join(" | "));
    println!("|---|---:|{}", "---:|".repeat(levels.len()));
    for u in Unary::ALL.into_iter().filter(|&u| vmath::has_forward(u)) {
        let xs: Vec<f32> = if u == Unary::Log { x.iter().map(|v| v.abs() + 1e-3).collect() } else { x.clone() };
        let plain = best_ns(|| vmath::plain_forward(u, black_box(&xs), black_box(&mut out)), n);
        let fast: Vec<String> = levels
            .iter()
            .map(|&l| {
                format!(
                    "{:.2}",
                    best_ns(
                        || {
                            black_box(vmath::forward(l, u, black_box(&xs), black_box(&mut out)));
                        },
                        n,
                    )
                )
            })
            .collect();
        println!("| {} | {plain:.2} | {} |", u.name(), fast.join(" | "));
    }
    let relu = best_ns(|| vmath::plain_forward(Unary::Relu, black_box(&x), black_box(&mut out)), n);
    println!("| relu (no kernel needed) | {relu:.2} | |");
}
