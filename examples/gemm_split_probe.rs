//! Whether splitting a product over two threads pays, shape by shape: each (m, k, n) of the 784-256-256-10 and
//! 784-1024-1024-10 steps timed single-threaded and split (`Element::gemm_with`), twice each, in one run.
//! `cargo run --release --features probes --example gemm_split_probe`.

use chainrule::tensor::Element;
use chainrule::tensor::gemm::Operand;
use std::time::Instant;
fn main() {
    {
        for &(m, k, n) in &[(128usize, 784usize, 256usize), (128, 256, 256), (256, 128, 784), (512, 784, 1024)] {
            let a = vec![0.5f32; m * k];
            let b = vec![0.25f32; n * k];
            let mut c = vec![0.0f32; m * n];
            let oa = Operand { data: &a, rows: m, cols: k, transposed: false };
            let ob = Operand { data: &b, rows: n, cols: k, transposed: true };
            for par in [false, true, false, true] {
                for _ in 0..5 {
                    f32::gemm_with(&mut c, oa, ob, 1.0, false, par);
                }
                let reps = (2e9 / (m * n * k) as f64).max(5.0) as usize;
                let s = Instant::now();
                for _ in 0..reps {
                    f32::gemm_with(&mut c, oa, ob, 1.0, false, par);
                }
                let dt = s.elapsed().as_secs_f64() / reps as f64;
                println!(
                    "{m}x{k}x{n} par={par}: {:.1} us, {:.1} GFLOP/s",
                    dt * 1e6,
                    2.0 * (m * n * k) as f64 / dt / 1e9
                );
            }
        }
    }
}
