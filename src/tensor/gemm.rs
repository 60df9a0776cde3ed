//! Matrix multiplication for the tape: `C = op(A)·op(B)` (op = identity or transpose) on row-major buffers, through
//! `faer`'s `matmul`, which picks its kernel at run time (AVX-512 or AVX2 with FMA, `nano-gemm` for tiny products).
//!
//! Why faer: measured on these machines against `matrixmultiply` and `gemm` on the MLP shapes (see the README's
//! table and `bench/gemm-compare/`), faer reached OpenBLAS's speed on one and two threads and was the fastest on tiny
//! products, where the other two pay for packing. Transposed operands cost nothing: faer takes strided views.
//!
//! Three things measured here shape the dispatch (`examples/gemm_layouts.rs`, `bench/gemm-compare/`):
//! - faer runs a transposed left operand (Aᵀ·B: every Linear layer's weight gradient dCᵀ·X) at about half the speed
//!   of A·B, so such an operand is first copied into its transpose (one pass over A) when the product is not tiny;
//! - after faer's AVX-512 kernels the upper halves of the vector registers are cleared (`vzeroupper`), or the rest of
//!   the step, compiled for baseline x86-64, pays a state-transition penalty on every float instruction;
//! - two threads pay only on large products: below [`PARALLEL_MIN_MACS`] multiply-adds (m·n·k) a product runs on
//!   the calling thread; above it the output is split along its longer side into two halves computed on two threads
//!   ([`crate::parallel::join`]), which scaled better than faer's own split, and a matmul's two gradient products run
//!   one per thread. [`set_threads`]`(1)` keeps everything on one thread. O(m·n·k).

use std::sync::atomic::{AtomicUsize, Ordering};

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

use crate::real::Real;

/// Below this many multiply-adds a product runs single-threaded. Measured on a Xeon VM (2 cores): back to back, a 128×256×256 product (2²³ multiply-adds) ran 1.3–1.5× faster
/// split in two, but inside a 784-256-256-10 training step no threshold from 2²⁰ to 2²⁶ beat one thread by more than
/// the run-to-run noise (±15 %; `examples/gemm_split_probe.rs`, `PARALLEL_MIN_MACS=… examples/mlp_throughput`);
/// 2²⁴ was the steadiest.
pub const PARALLEL_MIN_MACS: usize = 1 << 24;

pub use crate::parallel::{set_threads, threads};

static PARALLEL_MIN: AtomicUsize = AtomicUsize::new(PARALLEL_MIN_MACS);

/// Overrides [`PARALLEL_MIN_MACS`] for this process (to measure the threshold on another machine). Process-wide.
pub fn set_parallel_min_macs(macs: usize) {
    PARALLEL_MIN.store(macs, Ordering::Relaxed);
}

/// Whether a product of `macs` multiply-adds is split in two halves ([`PARALLEL_MIN_MACS`], [`threads`]). The
/// halves run on two threads while that pays, else one after the other ([`crate::parallel::join`]): the same
/// result either way, bit for bit.
pub fn parallel(macs: usize) -> bool {
    threads() > 1 && macs >= PARALLEL_MIN.load(Ordering::Relaxed)
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

/// The element types the tensor backend runs on: f32 and f64, each with its faer product and its activations over
/// whole slices ([`super::vmath::Activations`]: vectorized kernels for f32, the scalar engine's rules for f64).
pub trait Element: Real + Send + Sync + super::vmath::Activations {
    /// `dst (m×n, row-major) = [dst +] alpha·op(A)·op(B)`; `accumulate` adds to dst instead of overwriting it. Runs
    /// on two threads when the product has at least [`PARALLEL_MIN_MACS`] multiply-adds and [`threads`] allows.
    fn gemm(dst: &mut [Self], a: Operand<'_, Self>, b: Operand<'_, Self>, alpha: Self, accumulate: bool) {
        let (m, k) = a.shape();
        Self::gemm_with(dst, a, b, alpha, accumulate, parallel(m * b.shape().1 * k));
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

/// Copies a row-major `rows × cols` matrix into `dst` as its transpose (`cols × rows`, row-major), in 32 × 32 tiles
/// so that both sides stay in cache. O(rows · cols).
pub fn transpose_into<T: Copy>(src: &[T], rows: usize, cols: usize, dst: &mut [T]) {
    const TILE: usize = 16;
    for i0 in (0..rows).step_by(TILE) {
        let i1 = (i0 + TILE).min(rows);
        for j0 in (0..cols).step_by(TILE) {
            for j in j0..(j0 + TILE).min(cols) {
                // contiguous writes along a row of dst; the strided reads stay within one tile of src
                let out = &mut dst[j * rows + i0..j * rows + i1];
                for (o, i) in out.iter_mut().zip(i0..i1) {
                    *o = src[i * cols + j];
                }
            }
        }
    }
}

/// Whether a transposed left operand (Aᵀ·B, the weight gradient dCᵀ·X of a Linear layer) is worth copying into its
/// transpose first: faer runs that layout at about half the speed of A·B (95 against 200 GFLOP/s on 1024×512×1024,
/// `examples/gemm_layouts.rs`), and the copy costs one pass over A, small against the product when n is not tiny.
fn materialize_lhs(m: usize, k: usize, n: usize) -> bool {
    n >= 32 && m * k >= 1 << 14
}

/// The pool's largest buffer (or an empty one when all are in use). A poisoned lock is still a valid pool: its
/// buffers are plain scratch.
fn take_largest<T>(pool: &std::sync::Mutex<Vec<Vec<T>>>) -> Vec<T> {
    let mut pool = pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let largest = (0..pool.len()).max_by_key(|&i| pool[i].capacity());
    largest.map(|i| pool.swap_remove(i)).unwrap_or_default()
}

fn put_back<T>(pool: &std::sync::Mutex<Vec<Vec<T>>>, buf: Vec<T>) {
    pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(buf);
}

macro_rules! element {
    ($t:ty, $scratch:ident) => {
        /// Buffers for the transposed left operand, reused from call to call and shared by the threads: a buffer
        /// belongs to whichever call holds it, not to a thread, so a product that runs on the caller in one step
        /// and on the partner in the next (a half taken back) finds a buffer already grown. There are as many
        /// buffers as products ever ran at once (one or two), each grown once.
        static $scratch: std::sync::Mutex<Vec<Vec<$t>>> = std::sync::Mutex::new(Vec::new());

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
                let accum = if accumulate { Accum::Add } else { Accum::Replace };
                if k == 0 {
                    // faer's Replace with an empty inner dimension leaves dst alone; the product is zero.
                    if !accumulate {
                        dst_fill(out);
                    }
                    return;
                }
                if a.transposed && materialize_lhs(m, k, n) {
                    // the largest free buffer is taken out of the pool for the product and put back after it
                    let mut buf = take_largest(&$scratch);
                    buf.resize(m * k, 0.0);
                    transpose_into(a.data, a.rows, a.cols, &mut buf);
                    let at = Operand { data: buf.as_slice(), rows: m, cols: k, transposed: false };
                    Self::gemm_with(dst, at, b, alpha, accumulate, parallel);
                    put_back(&$scratch, buf);
                    return;
                }
                if parallel && m.max(n) >= 64 {
                    // two independent halves of the output, one per thread, split along its longer side so that
                    // each thread packs half of the larger operand and both pack the smaller: faer's own parallel
                    // split scales worse on these shapes (1.5× against 1.9× for two sequential halves)
                    let (av, bv) = (view(a), view(b));
                    let halves = if m >= n {
                        let (o1, o2) = out.split_at_row_mut(m / 2);
                        let (a1, a2) = av.split_at_row(m / 2);
                        ((o1, a1, bv), (o2, a2, bv))
                    } else {
                        let (o1, o2) = out.split_at_col_mut(n / 2);
                        let (b1, b2) = bv.split_at_col(n / 2);
                        ((o1, av, b1), (o2, av, b2))
                    };
                    let ((o1, a1, b1), (o2, a2, b2)) = halves;
                    crate::parallel::join(
                        || {
                            matmul(o1, accum, a1, b1, alpha, Par::Seq);
                            clear_upper_state();
                        },
                        || {
                            matmul(o2, accum, a2, b2, alpha, Par::Seq);
                            clear_upper_state();
                        },
                    );
                    return;
                }
                matmul(out, accum, view(a), view(b), alpha, Par::Seq);
                clear_upper_state();
            }
        }
    };
}

/// Clears the upper halves of the vector registers after faer's AVX-512/AVX2 kernels. Without it the rest of the
/// step — compiled for baseline x86-64, so in legacy SSE encoding — runs with dirty upper state and every scalar
/// float instruction pays a transition penalty: measured on a Xeon, the softmax loss of a 128×10 batch took 200 µs
/// instead of about 10, and a 784-256-256-10 training step 1.58 ms instead of ~1.1.
#[inline]
fn clear_upper_state() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU was just found to support AVX, the only target feature `zeroupper` is compiled with.
        unsafe { zeroupper() };
    }
}

/// `vzeroupper`: only clears bits 128 and up of the vector registers, which no live value holds between two calls.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn zeroupper() {
    std::arch::x86_64::_mm256_zeroupper();
}

fn dst_fill<T: Real>(mut out: MatMut<'_, T>) {
    for j in 0..out.ncols() {
        for i in 0..out.nrows() {
            out[(i, j)] = T::zero();
        }
    }
}

element!(f32, SCRATCH_F32);
element!(f64, SCRATCH_F64);

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
    fn two_threads_give_the_same_product_as_one() {
        // split by rows (m ≥ n) and by columns (m < n)
        for (m, n) in [(96, 80), (40, 100)] {
            two_threads_match_one(m, 128, n);
        }
    }

    fn two_threads_match_one(m: usize, k: usize, n: usize) {
        // entries are multiples of 1/48 summed over 128 terms: exact in f32 whatever the order or the split
        let a: Vec<f32> = (0..m * k).map(|i| ((i % 17) as f32 - 8.0) / 8.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i % 13) as f32 - 6.0) / 6.0).collect();
        let at: Vec<f32> = (0..k).flat_map(|p| (0..m).map(move |i| (i, p))).map(|(i, p)| a[i * k + p]).collect();
        let a64: Vec<f64> = a.iter().map(|&x| x as f64).collect();
        let b64: Vec<f64> = b.iter().map(|&x| x as f64).collect();
        let want = naive(&a64, &b64, m, k, n);
        let ob = Operand { data: &b, rows: k, cols: n, transposed: false };
        // the row split (a as stored) and the copied transpose followed by the split
        for oa in [
            Operand { data: &a, rows: m, cols: k, transposed: false },
            Operand { data: &at, rows: k, cols: m, transposed: true },
        ] {
            let mut one = vec![0.0f32; m * n];
            let mut two = vec![0.0f32; m * n];
            f32::gemm_with(&mut one, oa, ob, 1.0, false, false);
            f32::gemm_with(&mut two, oa, ob, 1.0, false, true);
            assert_eq!(one, two, "transposed: {}", oa.transposed);
            assert!(one.iter().zip(&want).all(|(x, y)| (*x as f64 - y).abs() < 1e-4));
            f32::gemm_with(&mut two, oa, ob, 1.0, true, true); // accumulate: twice the product
            assert!(two.iter().zip(&one).all(|(x, y)| *x == 2.0 * y));
        }
    }

    #[test]
    fn a_materialized_transposed_lhs_gives_the_same_product() {
        // 40×600 · 600×40: above the size where the transposed left operand is copied first
        let (m, k, n) = (40, 600, 40);
        assert!(materialize_lhs(m, k, n));
        let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.013).sin()).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.029).cos()).collect();
        let at = transpose(&a, m, k);
        let want = naive(&a, &b, m, k, n);
        let mut c = vec![0.0; m * n];
        f64::gemm(
            &mut c,
            Operand { data: &at, rows: k, cols: m, transposed: true },
            Operand { data: &b, rows: k, cols: n, transposed: false },
            1.0,
            false,
        );
        assert!(c.iter().zip(&want).all(|(x, y)| (x - y).abs() < 1e-10));
        let mut back = vec![0.0; m * k];
        transpose_into(&at, k, m, &mut back);
        assert_eq!(back, a);
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
