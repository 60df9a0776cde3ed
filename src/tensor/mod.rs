//! The vectorized backend: row-major matrices on a tape, each op with its backward rule beside it, generic over
//! f32 (for speed) and f64 (for agreement with the scalar engine to 1e-10).
//!
//! | op | forward (shapes) | backward: gradient to each operand, given the upstream G |
//! |---|---|---|
//! | `matmul(a, b, ta, tb)` | C = op(A)·op(B), (m×k)·(k×n) | op(A): G·op(B)ᵀ;  op(B): op(A)ᵀ·G (a transposed operand receives the transpose) |
//! | `linear(x, w, b)` | x·wᵀ + b, (n×k)·(m×k)ᵀ + (1×m): a Linear layer in one op | x: G·w;  w: Gᵀ·x;  b: column sums of G |
//! | `add_bias(a, b)` | a + b, b is 1×c broadcast over rows | a: G;  b: column sums of G |
//! | `add(a, b)` | a + b | G, G |
//! | `mul(a, b)` | a ⊙ b | G ⊙ b, G ⊙ a |
//! | `scale(a, c)` | c·a | c·G |
//! | `map(u, a)` | u(a) elementwise, any scalar op (relu, leaky_relu, elu, selu, tanh, sigmoid, softplus, sin, abs, exp, ...) | G ⊙ u′(a), u′ being the scalar engine's local derivative (PyTorch's kinks); f32's exp, log, tanh, sigmoid, softplus, elu and selu run as vectorized kernels ([`vmath`]) |
//! | `sum(a)`, `mean(a)` | Σ a, Σ a / len (1×1) | G, G/len |
//! | `sum_squares(a)`, `sum_abs(a)` | Σ a², Σ \|a\| (1×1) | 2a·G, sign(a)·G (0 at 0) |
//! | `batch_norm(x, γ, β)` | γ·x̂ + β, x̂ = (x − μ)/√(σ² + ε), batch μ and biased σ² per column | γ: Σ G⊙x̂;  β: Σ G;  x: (1/√(σ²+ε))·(Gγ − mean(Gγ) − x̂·mean(Gγ⊙x̂)) |
//! | `batch_norm_eval(x, γ, β, stats)` | the same with running μ, σ² | γ: Σ G⊙x̂;  β: Σ G;  x: G·γ/√(σ²+ε) |
//! | `loss(kind, s, t)` | see [`Loss`]: MSE, BCE on logits, softmax CE, multiclass SVM, micrograd's hinge | see [`Loss`] |
//!
//! Products go through faer ([`gemm`]), single-threaded below [`gemm::PARALLEL_MIN_MACS`] multiply-adds.
//!
//! ```
//! use chainrule::tensor::{Loss, ParamStore, Tape};
//! use chainrule::scalar::Unary;
//!
//! let mut params = ParamStore::<f64>::new();
//! let w = params.add("0.weight", 1, 2, &[0.5, -1.0], true);
//! let mut tape = Tape::new(params);
//! let x = tape.input(&[1.0, 2.0, 3.0, 4.0], 2, 2)?;
//! let wn = tape.param(w);
//! let s = tape.matmul(x, wn, false, true)?; // x·wᵀ = [-1.5, -2.5]
//! let h = tape.map(Unary::Tanh, s)?;
//! let y = tape.input(&[1.0, -1.0], 2, 1)?;
//! let loss = tape.loss(Loss::Mse, h, y)?;
//! tape.backward(loss)?;
//! assert_eq!(tape.params.grad(w).len(), 2);
//! # Ok::<(), chainrule::tensor::TensorError>(())
//! ```

pub mod gemm;
mod grads;
mod loss;
mod ops;
mod params;
mod tape;
pub mod vmath;

pub use gemm::Element;
pub use loss::Loss;
pub use params::{ParamEntry, ParamId, ParamStore};
pub use tape::{NodeId, Op, Tape};

/// What can go wrong building a tensor op: shapes that do not fit, or targets a loss cannot take.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TensorError {
    /// Operand shapes that do not fit the op.
    #[error("{op}: shapes {lhs:?} and {rhs:?} do not fit")]
    ShapeMismatch {
        /// The op.
        op: &'static str,
        /// (rows, cols) of the first operand (for matmul: of op(a)).
        lhs: (usize, usize),
        /// (rows, cols) of the second.
        rhs: (usize, usize),
    },
    /// Data whose length is not rows × cols.
    #[error("input of {rows}×{cols} needs {} values, got {len}", rows * cols)]
    DataLength {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
        /// Values given.
        len: usize,
    },
    /// A node id that is not on this tape.
    #[error("{op}: node {node} is not on the tape")]
    UnknownNode {
        /// The op.
        op: &'static str,
        /// The id.
        node: u32,
    },
    /// An op that needs at least one row and one column.
    #[error("{op} needs at least one row and one column")]
    Empty {
        /// The op.
        op: &'static str,
    },
    /// Backward from something that is not a 1×1 computed value.
    #[error("backward starts from a 1×1 computed value (a loss), not a {rows}×{cols} input or parameter")]
    NotScalar {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
    },
    /// A target value the loss cannot take.
    #[error("{loss} loss: target {value} in row {row} should be {expected}")]
    BadTarget {
        /// The loss's name.
        loss: &'static str,
        /// The row (0-based).
        row: usize,
        /// The value found.
        value: f64,
        /// What it should be.
        expected: String,
    },
}
