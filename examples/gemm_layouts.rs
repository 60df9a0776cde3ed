//! The products of one training step of 784-1024-1024-10 at batch 512, timed one by one through `Element::gemm`:
//! where the step's time goes, and which operand layouts faer runs fast.
//! `cargo run --release --features probes --example gemm_layouts -- [threads]`.

use chainrule::tensor::Element;
use chainrule::tensor::gemm::Operand;
use std::time::Instant;
fn t(name: &str, m: usize, k: usize, n: usize, ta: bool, tb: bool) -> f64 {
    let a = vec![0.5f32; m * k];
    let b = vec![0.25f32; k * n];
    let mut c = vec![0.0f32; m * n];
    let oa = if ta {
        Operand { data: &a, rows: k, cols: m, transposed: true }
    } else {
        Operand { data: &a, rows: m, cols: k, transposed: false }
    };
    let ob = if tb {
        Operand { data: &b, rows: n, cols: k, transposed: true }
    } else {
        Operand { data: &b, rows: k, cols: n, transposed: false }
    };
    for _ in 0..3 {
        f32::gemm(&mut c, oa, ob, 1.0, false);
    }
    let s = Instant::now();
    let reps = 10;
    for _ in 0..reps {
        f32::gemm(&mut c, oa, ob, 1.0, false);
    }
    let dt = s.elapsed().as_secs_f64() / reps as f64;
    println!(
        "{name:>28} {m}x{k}x{n} ta={ta} tb={tb}: {:.2} ms  {:.0} GFLOP/s",
        dt * 1e3,
        2.0 * (m * n * k) as f64 / dt / 1e9
    );
    dt
}
fn main() {
    chainrule::tensor::gemm::set_threads(std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(1));
    let mut tot = 0.0;
    tot += t("fwd1 X·W1ᵀ", 512, 784, 1024, false, true);
    tot += t("fwd2 H·W2ᵀ", 512, 1024, 1024, false, true);
    tot += t("fwd3 H·W3ᵀ", 512, 1024, 10, false, true);
    tot += t("dW3 dCᵀ·H", 10, 512, 1024, true, false);
    tot += t("dH2 dC·W3", 512, 10, 1024, false, false);
    tot += t("dW2 dCᵀ·H", 1024, 512, 1024, true, false);
    tot += t("dH1 dC·W2", 512, 1024, 1024, false, false);
    tot += t("dW1 dCᵀ·X", 1024, 512, 784, true, false);
    println!("total {:.2} ms", tot * 1e3);
    // the copy that turns dCᵀ·X into a plain product: 512 × 1024 f32
    let src = vec![1.5f32; 512 * 1024];
    let mut dst = vec![0.0f32; 512 * 1024];
    let s = Instant::now();
    for _ in 0..20 {
        chainrule::tensor::gemm::transpose_into(std::hint::black_box(&src), 512, 1024, &mut dst);
        std::hint::black_box(&mut dst);
    }
    println!("transpose 512×1024: {:.3} ms", s.elapsed().as_secs_f64() / 20.0 * 1e3);
}
