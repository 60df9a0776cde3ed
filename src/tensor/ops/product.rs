//! Products: `matmul`, `linear` (x·wᵀ + b in one op, PyTorch's `addmm`) and `add_bias`, each forward beside its
//! backward rule (rows of the table in [`crate::tensor`]).
//!
//! ```text
//! matmul     C = op(A)·op(B)       op(A): G·op(B)ᵀ;  op(B): op(A)ᵀ·G   (a transposed operand receives the transpose)
//! linear     Z = X·Wᵀ + b          X: G·W;  W: Gᵀ·X;  b: column sums of G
//! add_bias   Y = A + b (b: 1 × c)  A: G;  b: column sums of G
//! ```

use crate::tensor::TensorError;
use crate::tensor::gemm::{Element, Operand};
use crate::tensor::grads::{Grads, column_sums, put};
use crate::tensor::tape::{Fresh, Node, NodeId, Op, Tape, Values};

impl<T: Element> Tape<T> {
    /// op(a)·op(b), with `ta`/`tb` choosing the transposes. A Linear layer is `matmul(x, w, false, true)`.
    pub fn matmul(&mut self, a: NodeId, b: NodeId, ta: bool, tb: bool) -> Result<NodeId, TensorError> {
        let na = *self.check_node("matmul", a)?;
        let nb = *self.check_node("matmul", b)?;
        let (m, k) = if ta { (na.cols, na.rows) } else { (na.rows, na.cols) };
        let (k2, n) = if tb { (nb.cols, nb.rows) } else { (nb.rows, nb.cols) };
        if k != k2 {
            return Err(TensorError::ShapeMismatch { op: "matmul", lhs: (m, k), rhs: (k2, n) });
        }
        self.push(Op::MatMul { a, b, ta, tb }, m, n, 0);
        let Fresh { values: v, out, nodes, .. } = self.fresh();
        let (na, nb) = (&nodes[a.index()], &nodes[b.index()]);
        let oa = Operand { data: v.of(na), rows: na.rows, cols: na.cols, transposed: ta };
        let ob = Operand { data: v.of(nb), rows: nb.rows, cols: nb.cols, transposed: tb };
        T::gemm(out, oa, ob, T::one(), false);
        Ok(NodeId(self.nodes.len() as u32 - 1))
    }
}

/// `matmul`'s backward rule: C = op(A)·op(B), so ∂/∂op(A) = G·op(B)ᵀ and ∂/∂op(B) = op(A)ᵀ·G; the two
/// products run one per thread when both are large.
pub(in crate::tensor) fn matmul_backward<T: Element>(
    n: &Node,
    v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (a, b, ta, tb): (NodeId, NodeId, bool, bool),
) {
    let node = |id: NodeId| g.nodes[id.index()];
    // C = op(A)·op(B):  ∂/∂op(A) = dC·op(B)ᵀ,  ∂/∂op(B) = op(A)ᵀ·dC; a transposed operand takes the transpose.
    let (na, nb) = (node(a), node(b));
    let (xa, xb) = (v.of(&na), v.of(&nb));
    let dc = Operand { data: gout, rows: n.rows, cols: n.cols, transposed: false };
    let dct = Operand { transposed: true, ..dc };
    let opa = |t| Operand { data: xa, rows: na.rows, cols: na.cols, transposed: t };
    let opb = |t| Operand { data: xb, rows: nb.rows, cols: nb.cols, transposed: t };
    // dA (k×m) = op(B)·dCᵀ, or dA (m×k) = dC·op(B)ᵀ
    let grad_a = |ga: &mut [T], acc, parallel| {
        let (x, y) = if ta { (opb(tb), dct) } else { (dc, opb(!tb)) };
        T::gemm_with(ga, x, y, T::one(), acc, parallel);
    };
    // dB (n×k) = dCᵀ·op(A), or dB (k×n) = op(A)ᵀ·dC
    let grad_b = |gb: &mut [T], acc, parallel| {
        let (x, y) = if tb { (dct, opa(ta)) } else { (opa(!ta), dc) };
        T::gemm_with(gb, x, y, T::one(), acc, parallel);
    };
    let macs = n.rows * n.cols * if ta { na.rows } else { na.cols };
    g.two_products((a, grad_a), (b, grad_b), macs);
}

impl<T: Element> Tape<T> {
    /// x·wᵀ + bias: x is n × k, w is m × k (PyTorch's layout of a Linear weight), bias is 1 × m; n × m.
    pub fn linear(&mut self, x: NodeId, w: NodeId, bias: NodeId) -> Result<NodeId, TensorError> {
        let nx = *self.check_node("linear", x)?;
        let nw = *self.check_node("linear", w)?;
        let nb = *self.check_node("linear", bias)?;
        if nx.cols != nw.cols {
            return Err(TensorError::ShapeMismatch { op: "linear", lhs: (nx.rows, nx.cols), rhs: (nw.cols, nw.rows) });
        }
        if nb.rows != 1 || nb.cols != nw.rows {
            return Err(TensorError::ShapeMismatch { op: "linear", lhs: (nx.rows, nw.rows), rhs: (nb.rows, nb.cols) });
        }
        let id = self.push(Op::Linear { x, w, bias }, nx.rows, nw.rows, 0);
        let Fresh { values: v, out, nodes, .. } = self.fresh();
        let (nx, nw, nb) = (&nodes[x.index()], &nodes[w.index()], &nodes[bias.index()]);
        let b = v.of(nb);
        for row in out.chunks_exact_mut(b.len().max(1)) {
            row.copy_from_slice(b);
        }
        let ox = Operand { data: v.of(nx), rows: nx.rows, cols: nx.cols, transposed: false };
        let ow = Operand { data: v.of(nw), rows: nw.rows, cols: nw.cols, transposed: true };
        T::gemm(out, ox, ow, T::one(), true);
        Ok(id)
    }
}

/// `linear`'s backward rule: dX = G·W, dW = Gᵀ·X, db = the column sums of G.
pub(in crate::tensor) fn linear_backward<T: Element>(
    n: &Node,
    v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (x, w, bias): (NodeId, NodeId, NodeId),
) {
    let node = |id: NodeId| g.nodes[id.index()];
    let (nx, nw) = (node(x), node(w));
    let (xs, ws) = (v.of(&nx), v.of(&nw));
    let dz = Operand { data: gout, rows: n.rows, cols: n.cols, transposed: false };
    // dX (n×k) = dZ·W;  dW (m×k) = dZᵀ·X;  db = column sums of dZ
    let grad_x = |gx: &mut [T], acc, parallel| {
        let ow = Operand { data: ws, rows: nw.rows, cols: nw.cols, transposed: false };
        T::gemm_with(gx, dz, ow, T::one(), acc, parallel);
    };
    let grad_w = |gw: &mut [T], acc, parallel| {
        let ox = Operand { data: xs, rows: nx.rows, cols: nx.cols, transposed: false };
        T::gemm_with(gw, Operand { transposed: true, ..dz }, ox, T::one(), acc, parallel);
    };
    let macs = n.rows * n.cols * nx.cols;
    if let Some((gb, acc)) = g.slot(bias) {
        column_sums(gout, n.cols, gb, acc);
    }
    g.two_products((x, grad_x), (w, grad_w), macs);
}

impl<T: Element> Tape<T> {
    /// a + bias, with the 1 × c bias broadcast over a's rows.
    pub fn add_bias(&mut self, a: NodeId, bias: NodeId) -> Result<NodeId, TensorError> {
        let na = *self.check_node("add_bias", a)?;
        let nb = *self.check_node("add_bias", bias)?;
        if nb.rows != 1 || nb.cols != na.cols {
            return Err(TensorError::ShapeMismatch {
                op: "add_bias",
                lhs: (na.rows, na.cols),
                rhs: (nb.rows, nb.cols),
            });
        }
        let id = self.push(Op::AddBias { a, bias }, na.rows, na.cols, 0);
        let Fresh { values: v, out, nodes, .. } = self.fresh();
        let (xa, xb) = (v.of(&nodes[a.index()]), v.of(&nodes[bias.index()]));
        for (orow, arow) in out.chunks_exact_mut(na.cols.max(1)).zip(xa.chunks_exact(na.cols.max(1))) {
            for ((o, &x), &b) in orow.iter_mut().zip(arow).zip(xb) {
                *o = x + b;
            }
        }
        Ok(id)
    }
}

/// `add_bias`'s backward rule: G to a, the column sums of G to the bias.
pub(in crate::tensor) fn add_bias_backward<T: Element>(
    n: &Node,
    _v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (a, bias): (NodeId, NodeId),
) {
    if let Some((ga, acc)) = g.slot(a) {
        put(ga, acc, |i| gout[i]);
    }
    if let Some((gb, acc)) = g.slot(bias) {
        column_sums(gout, n.cols, gb, acc);
    }
}
