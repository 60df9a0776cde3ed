//! Matrix multiplication for the tape: `C = op(A)·op(B)` (op = identity or transpose) on row-major buffers, through
//! `faer`'s `matmul`, which picks its kernel at run time (AVX-512 or AVX2 with FMA, `nano-gemm` for tiny products).
//!
//! Why faer: measured on these machines against `matrixmultiply` and `gemm` on the MLP shapes (see the README's
//! table and `bench/gemm-compare/`), faer reached OpenBLAS's speed on one and two threads and was the fastest on tiny
//! products, where the other two pay for packing. Transposed operands cost nothing: faer takes strided views.
//!
//! Threads: a product of fewer than [`PARALLEL_MIN_MACS`] multiply-adds (m·n·k) runs on the calling thread, since
//! waking a second thread costs more than it saves there; larger products run on two threads (rayon's pool),
//! or one when [`set_threads`] says so. O(m·n·k).

use std::sync::atomic::{AtomicUsize, Ordering};

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

use crate::real::Real;

/// Below this many multiply-adds a product runs single-threaded (measured with `cargo bench --bench tensor`: two
/// threads start paying off between 2¹⁸ and 2²⁰ multiply-adds on both machine kinds).
pub const PARALLEL_MIN_MACS: usize = 1 << 19;

static THREADS: AtomicUsize = AtomicUsize::new(2);

/// How many threads a large product may use (1 or 2; the machines this runs on have two cores). Process-wide.
pub fn set_threads(n: usize) {
    THREADS.store(n.clamp(1, 2), Ordering::Relaxed);
}

/// The thread count [`set_threads`] set (2 by default).
pub fn threads() -> usize {
    THREADS.load(Ordering::Relaxed)
}

/// One operand of a product: a row-major `rows × cols` buffer, used as is or transposed.
#[derive(Clone, Copy, Debug)]
pub struct Operand<'a, T> {
    /// The buffer, `rows·cols` long, row-major.
    pub data: &'a [T],
    /// Rows as stored.
    pub rows: usize,
    /// Columns as stored.
    pub cols: usize,
    /// Use the transpose.
    pub transposed: bool,
}

impl<T> Operand<'_, T> {
    /// (rows, cols) of op(X).
    pub fn shape(&self) -> (usize, usize) {
        if self.transposed { (self.cols, self.rows) } else { (self.rows, self.cols) }
    }
}

/// The element types the tensor backend runs on: f32 and f64, each with its faer product.
pub trait Element: Real {
    /// `dst (m×n, row-major) = [dst +] alpha·op(A)·op(B)`; `accumulate` adds to dst instead of overwriting it. Runs
    /// on two threads when the product has at least [`PARALLEL_MIN_MACS`] multiply-adds and [`threads`] allows.
    fn gemm(dst: &mut [Self], a: Operand<'_, Self>, b: Operand<'_, Self>, alpha: Self, accumulate: bool) {
        let (m, k) = a.shape();
        let parallel = m * b.shape().1 * k >= PARALLEL_MIN_MACS && threads() > 1;
        Self::gemm_with(dst, a, b, alpha, accumulate, parallel);
    }

    /// The same product, single-threaded or on [`threads`] threads as `parallel` says (for measuring the threshold).
    fn gemm_with(
        dst: &mut [Self],
        a: Operand<'_, Self>,
        b: Operand<'_, Self>,
        alpha: Self,
        accumulate: bool,
        parallel: bool,
    );
}

macro_rules! element {
    ($t:ty) => {
        impl Element for $t {
            fn gemm_with(
                dst: &mut [$t],
                a: Operand<'_, $t>,
                b: Operand<'_, $t>,
                alpha: $t,
                accumulate: bool,
                parallel: bool,
            ) {
                let (m, k) = a.shape();
                let (k2, n) = b.shape();
                assert!(k == k2 && dst.len() == m * n, "gemm: {m}×{k} · {k2}×{n} into {}", dst.len());
                fn view(x: Operand<'_, $t>) -> MatRef<'_, $t> {
                    let v = MatRef::from_row_major_slice(x.data, x.rows, x.cols);
                    if x.transposed { v.transpose() } else { v }
                }
                let out = MatMut::from_row_major_slice_mut(dst, m, n);
                let par = if parallel { Par::rayon(threads().max(2)) } else { Par::Seq };
                let accum = if accumulate { Accum::Add } else { Accum::Replace };
                if k == 0 {
                    // faer's Replace with an empty inner dimension leaves dst alone; the product is zero.
                    if !accumulate {
                        dst_fill(out);
                    }
                    return;
                }
                matmul(out, accum, view(a), view(b), alpha, par);
            }
        }
    };
}

fn dst_fill<T: Real>(mut out: MatMut<'_, T>) {
    for j in 0..out.ncols() {
        for i in 0..out.nrows() {
            out[(i, j)] = T::zero();
        }
    }
}

element!(f32);
element!(f64);

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn transpose(x: &[f64], rows: usize, cols: usize) -> Vec<f64> {
        (0..cols).flat_map(|j| (0..rows).map(move |i| x[i * cols + j])).collect()
    }

    #[test]
    fn every_transpose_combination_matches_the_naive_product() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.71).cos()).collect();
        let want = naive(&a, &b, m, k, n);
        let at = transpose(&a, m, k);
        let bt = transpose(&b, k, n);
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let oa = if ta {
                Operand { data: &at, rows: k, cols: m, transposed: true }
            } else {
                Operand { data: &a, rows: m, cols: k, transposed: false }
            };
            let ob = if tb {
                Operand { data: &bt, rows: n, cols: k, transposed: true }
            } else {
                Operand { data: &b, rows: k, cols: n, transposed: false }
            };
            let mut c = vec![1.0; m * n];
            f64::gemm(&mut c, oa, ob, 1.0, false);
            for (x, y) in c.iter().zip(&want) {
                assert!((x - y).abs() < 1e-12, "ta={ta} tb={tb}: {c:?}");
            }
            f64::gemm(&mut c, oa, ob, 2.0, true); // c = want + 2·want
            for (x, y) in c.iter().zip(&want) {
                assert!((x - 3.0 * y).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn a_large_product_on_two_threads_equals_one_thread() {
        let (m, k, n) = (96, 128, 80); // 983 040 multiply-adds: above the threshold
        assert!(m * n * k >= PARALLEL_MIN_MACS);
        let a: Vec<f32> = (0..m * k).map(|i| ((i % 17) as f32 - 8.0) / 8.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i % 13) as f32 - 6.0) / 6.0).collect();
        let oa = Operand { data: &a, rows: m, cols: k, transposed: false };
        let ob = Operand { data: &b, rows: k, cols: n, transposed: false };
        let mut one = vec![0.0f32; m * n];
        let mut two = vec![0.0f32; m * n];
        set_threads(1);
        f32::gemm(&mut one, oa, ob, 1.0, false);
        set_threads(2);
        f32::gemm(&mut two, oa, ob, 1.0, false);
        // entries are multiples of 1/48 summed over 128 terms: exact in f32 whatever the order
        assert_eq!(one, two);
        let a64: Vec<f64> = a.iter().map(|&x| x as f64).collect();
        let b64: Vec<f64> = b.iter().map(|&x| x as f64).collect();
        let want = naive(&a64, &b64, m, k, n);
        assert!(one.iter().zip(&want).all(|(x, y)| (*x as f64 - y).abs() < 1e-4));
    }

    #[test]
    fn an_empty_inner_dimension_gives_zeros() {
        let mut c = vec![5.0f64; 4];
        let a: [f64; 0] = [];
        f64::gemm(
            &mut c,
            Operand { data: &a, rows: 2, cols: 0, transposed: false },
            Operand { data: &a, rows: 0, cols: 2, transposed: false },
            1.0,
            false,
        );
        assert_eq!(c, [0.0; 4]);
    }
}
