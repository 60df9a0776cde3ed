//! The tensor tape: nodes in creation order, each a row-major matrix in one arena, so backward is one reverse pass
//! with no sort and no hash map, like the scalar engine's [`crate::scalar::Graph`].
//!
//! Forward runs eagerly: an op's constructor checks the shapes, appends the node and computes its value. Values live
//! in one arena and gradients in a second arena of the same layout (grown by the first backward pass that needs
//! it, so a forward-only evaluation holds one arena); [`Tape::reset`] rewinds both without freeing, so
//! once a training step has run, the next one allocates nothing. Parameters are not copied onto the tape: a
//! [`Tape::param`] node reads the [`ParamStore`] and its gradient lands in the store's flat gradient buffer.
//!
//! Backward writes each node's gradient the first time a share reaches it and adds the later shares, so no buffer
//! is zeroed beforehand; a parameter no share reached gets a zero gradient. Costs: forward and backward are each
//! O(Σ op cost); a step's memory is the sum of its nodes' sizes, reused.

use super::TensorError;
use super::gemm::{self, Element, Operand};
use super::loss::{self, Loss};
use super::params::{ParamId, ParamStore};
use crate::scalar::Unary;

/// A node's index on its tape (creation order, which is topological).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a node computes. See the table in [`crate::tensor`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// Data copied onto the tape (a batch, targets, a dropout mask, running statistics); no gradient.
    Input,
    /// A trainable matrix of the [`ParamStore`].
    Param(ParamId),
    /// op(a)·op(b), op = transpose where the flag says so.
    MatMul { a: NodeId, b: NodeId, ta: bool, tb: bool },
    /// a + bias, the 1 × c bias added to every row.
    AddBias { a: NodeId, bias: NodeId },
    /// x·wᵀ + bias, a Linear layer in one op (PyTorch's `addmm`): the bias is written first and the product added
    /// onto it, and backward hands the upstream gradient straight to both products and the column sums.
    Linear { x: NodeId, w: NodeId, bias: NodeId },
    /// a + b, same shapes.
    Add(NodeId, NodeId),
    /// a ⊙ b elementwise, same shapes.
    Mul(NodeId, NodeId),
    /// c·a.
    Scale(NodeId, f64),
    /// The scalar op applied to every element (the activations).
    Map(Unary, NodeId),
    /// Σ a, 1 × 1.
    Sum(NodeId),
    /// mean a, 1 × 1.
    Mean(NodeId),
    /// Σ a², 1 × 1 (L2 penalty).
    SumSquares(NodeId),
    /// Σ |a|, 1 × 1 (L1 penalty).
    SumAbs(NodeId),
    /// Batch normalization with the batch's statistics (training); the batch mean and biased variance are kept
    /// beside the output for backward and for the running averages.
    BatchNorm { x: NodeId, gamma: NodeId, beta: NodeId, eps: f64 },
    /// Batch normalization with given statistics (evaluation): `stats` is 2 × c, running mean over running variance.
    BatchNormEval { x: NodeId, gamma: NodeId, beta: NodeId, stats: NodeId, eps: f64 },
    /// A loss of `scores` against `targets`, averaged over the batch, 1 × 1.
    Loss(Loss, NodeId, NodeId),
}

impl Op {
    /// The operands, in order (no allocation: the tape asks for them at every push).
    pub fn operands(&self) -> impl Iterator<Item = NodeId> + use<> {
        let (list, n): ([NodeId; 4], usize) = match *self {
            Op::Input | Op::Param(_) => ([NodeId(0); 4], 0),
            Op::MatMul { a, b, .. }
            | Op::AddBias { a, bias: b }
            | Op::Add(a, b)
            | Op::Mul(a, b)
            | Op::Loss(_, a, b) => ([a, b, a, a], 2),
            Op::Scale(a, _) | Op::Map(_, a) | Op::Sum(a) | Op::Mean(a) | Op::SumSquares(a) | Op::SumAbs(a) => {
                ([a; 4], 1)
            }
            Op::BatchNorm { x, gamma, beta, .. } => ([x, gamma, beta, x], 3),
            Op::Linear { x, w, bias } => ([x, w, bias, x], 3),
            Op::BatchNormEval { x, gamma, beta, stats, .. } => ([x, gamma, beta, stats], 4),
        };
        list.into_iter().take(n)
    }
}

#[derive(Clone, Copy, Debug)]
struct Node {
    op: Op,
    rows: usize,
    cols: usize,
    /// Offset of the value (and the gradient) in the arenas, or in the parameter store for `Param`.
    off: usize,
    /// Offset of saved statistics in the value arena (batch norm), else 0.
    aux: usize,
    needs_grad: bool,
}

impl Node {
    fn len(&self) -> usize {
        self.rows * self.cols
    }
}

/// Read access to node values while an output is being written.
struct Values<'a, T> {
    arena: &'a [T],
    params: &'a [T],
}

impl<'a, T> Values<'a, T> {
    fn of(&self, n: &Node) -> &'a [T] {
        match n.op {
            Op::Param(_) => &self.params[n.off..n.off + n.len()],
            _ => &self.arena[n.off..n.off + n.len()],
        }
    }
}

/// A tape of tensor ops over a parameter store. Generic over f32 and f64.
#[derive(Clone, Debug, Default)]
pub struct Tape<T> {
    /// The model's parameters, which `Param` nodes read and whose gradients backward fills.
    pub params: ParamStore<T>,
    nodes: Vec<Node>,
    values: Vec<T>,
    grads: Vec<T>,
    cursor: usize,
    written: Vec<bool>,
    param_written: Vec<bool>,
}

impl<T: Element> Tape<T> {
    /// An empty tape over a parameter store.
    pub fn new(params: ParamStore<T>) -> Self {
        Self { params, ..Self::default() }
    }

    /// Forgets every node but keeps the buffers (and the parameters), ready for the next step. O(1).
    pub fn reset(&mut self) {
        self.nodes.clear();
        self.cursor = 0;
    }

    /// How many nodes are on the tape.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tape has no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Bytes held by the arenas (values and gradients), for the memory figures.
    pub fn arena_bytes(&self) -> usize {
        (self.values.capacity() + self.grads.capacity()) * std::mem::size_of::<T>()
    }

    /// (rows, cols) of a node.
    pub fn shape(&self, id: NodeId) -> (usize, usize) {
        let n = &self.nodes[id.index()];
        (n.rows, n.cols)
    }

    /// The op of a node.
    pub fn op(&self, id: NodeId) -> Op {
        self.nodes[id.index()].op
    }

    /// A node's value, row-major.
    pub fn value(&self, id: NodeId) -> &[T] {
        let n = &self.nodes[id.index()];
        Values { arena: &self.values, params: self.params.values() }.of(n)
    }

    /// A node's gradient after [`Tape::backward`]: a parameter's is in the store (zeros if no share reached it); any
    /// other node's is `None` when the last backward pass gave it none (an input, a node off the path to the output,
    /// or a node added since).
    pub fn grad(&self, id: NodeId) -> Option<&[T]> {
        let n = &self.nodes[id.index()];
        match n.op {
            Op::Param(p) => Some(self.params.grad(p)),
            _ if self.written.get(id.index()).copied().unwrap_or(false) => self.grads.get(n.off..n.off + n.len()),
            _ => None,
        }
    }

    /// The batch mean and biased variance a training-mode batch-norm node computed (each `cols` long).
    pub fn batch_stats(&self, id: NodeId) -> Option<(&[T], &[T])> {
        let n = &self.nodes[id.index()];
        match n.op {
            Op::BatchNorm { .. } => {
                Some((&self.values[n.aux..n.aux + n.cols], &self.values[n.aux + n.cols..n.aux + 2 * n.cols]))
            }
            _ => None,
        }
    }

    fn alloc(&mut self, len: usize) -> usize {
        let off = self.cursor;
        self.cursor += len;
        // the gradient arena grows at the first backward pass that needs it, so that evaluation (forward only)
        // holds one arena, not two
        if self.values.len() < self.cursor {
            self.values.resize(self.cursor, T::zero());
        }
        off
    }

    fn push(&mut self, op: Op, rows: usize, cols: usize, aux_len: usize) -> NodeId {
        let needs_grad = match op {
            Op::Input => false,
            Op::Param(_) => true,
            _ => op.operands().any(|a| self.nodes[a.index()].needs_grad),
        };
        let off = self.alloc(rows * cols);
        let aux = if aux_len > 0 { self.alloc(aux_len) } else { 0 };
        self.nodes.push(Node { op, rows, cols, off, aux, needs_grad });
        NodeId(self.nodes.len() as u32 - 1)
    }

    /// The values of the operands (read) and the newest node's value (written): the newest node sits last in the
    /// arena, so the two never overlap.
    fn split_last(&mut self) -> (Values<'_, T>, &mut [T], &mut [T], &[Node]) {
        let n = *self.nodes.last().expect("called right after push");
        let (lo, hi) = self.values.split_at_mut(n.off);
        let (out, rest) = hi.split_at_mut(n.len());
        let aux_len = if n.aux > 0 { n.aux - n.off - n.len() } else { 0 };
        let aux = if n.aux > 0 { &mut rest[aux_len..aux_len + 2 * n.cols] } else { &mut rest[..0] };
        (Values { arena: lo, params: self.params.values() }, out, aux, &self.nodes)
    }

    fn check_node(&self, op: &'static str, id: NodeId) -> Result<&Node, TensorError> {
        self.nodes.get(id.index()).ok_or(TensorError::UnknownNode { op, node: id.0 })
    }

    /// Copies data onto the tape: `rows × cols`, row-major.
    pub fn input(&mut self, data: &[T], rows: usize, cols: usize) -> Result<NodeId, TensorError> {
        if data.len() != rows * cols {
            return Err(TensorError::DataLength { rows, cols, len: data.len() });
        }
        let id = self.push(Op::Input, rows, cols, 0);
        let (_, out, _, _) = self.split_last();
        out.copy_from_slice(data);
        Ok(id)
    }

    /// A node that reads a parameter of the store (no copy).
    pub fn param(&mut self, p: ParamId) -> NodeId {
        let e = self.params.entry(p);
        let (rows, cols, off) = (e.rows, e.cols, e.offset);
        self.nodes.push(Node { op: Op::Param(p), rows, cols, off, aux: 0, needs_grad: true });
        NodeId(self.nodes.len() as u32 - 1)
    }

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
        let (v, out, _, nodes) = self.split_last();
        let (na, nb) = (&nodes[a.index()], &nodes[b.index()]);
        let oa = Operand { data: v.of(na), rows: na.rows, cols: na.cols, transposed: ta };
        let ob = Operand { data: v.of(nb), rows: nb.rows, cols: nb.cols, transposed: tb };
        T::gemm(out, oa, ob, T::one(), false);
        Ok(NodeId(self.nodes.len() as u32 - 1))
    }

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
        let (v, out, _, nodes) = self.split_last();
        let (xa, xb) = (v.of(&nodes[a.index()]), v.of(&nodes[bias.index()]));
        for (orow, arow) in out.chunks_exact_mut(na.cols.max(1)).zip(xa.chunks_exact(na.cols.max(1))) {
            for ((o, &x), &b) in orow.iter_mut().zip(arow).zip(xb) {
                *o = x + b;
            }
        }
        Ok(id)
    }

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
        let (v, out, _, nodes) = self.split_last();
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

    fn same_shape(&self, op: &'static str, a: NodeId, b: NodeId) -> Result<(usize, usize), TensorError> {
        let na = *self.check_node(op, a)?;
        let nb = *self.check_node(op, b)?;
        if (na.rows, na.cols) != (nb.rows, nb.cols) {
            return Err(TensorError::ShapeMismatch { op, lhs: (na.rows, na.cols), rhs: (nb.rows, nb.cols) });
        }
        Ok((na.rows, na.cols))
    }

    /// a + b elementwise.
    pub fn add(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, TensorError> {
        let (r, c) = self.same_shape("add", a, b)?;
        let id = self.push(Op::Add(a, b), r, c, 0);
        let (v, out, _, nodes) = self.split_last();
        for ((o, &x), &y) in out.iter_mut().zip(v.of(&nodes[a.index()])).zip(v.of(&nodes[b.index()])) {
            *o = x + y;
        }
        Ok(id)
    }

    /// a ⊙ b elementwise (a dropout mask is `mul(h, mask)`).
    pub fn mul(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, TensorError> {
        let (r, c) = self.same_shape("mul", a, b)?;
        let id = self.push(Op::Mul(a, b), r, c, 0);
        let (v, out, _, nodes) = self.split_last();
        for ((o, &x), &y) in out.iter_mut().zip(v.of(&nodes[a.index()])).zip(v.of(&nodes[b.index()])) {
            *o = x * y;
        }
        Ok(id)
    }

    /// c·a.
    pub fn scale(&mut self, a: NodeId, c: f64) -> Result<NodeId, TensorError> {
        let na = *self.check_node("scale", a)?;
        let id = self.push(Op::Scale(a, c), na.rows, na.cols, 0);
        let (v, out, _, nodes) = self.split_last();
        let c = T::from_f64(c);
        for (o, &x) in out.iter_mut().zip(v.of(&nodes[a.index()])) {
            *o = c * x;
        }
        Ok(id)
    }

    /// The scalar engine's op `u` on every element: the same forward rule as a scalar node's.
    pub fn map(&mut self, u: Unary, a: NodeId) -> Result<NodeId, TensorError> {
        let na = *self.check_node("map", a)?;
        let id = self.push(Op::Map(u, a), na.rows, na.cols, 0);
        let (v, out, _, nodes) = self.split_last();
        let xa = v.of(&nodes[a.index()]);
        T::map_forward(u, xa, out);
        Ok(id)
    }

    fn reduce(&mut self, op: Op, a: NodeId, f: impl Fn(&[T]) -> f64) -> Result<NodeId, TensorError> {
        self.check_node("reduce", a)?;
        let id = self.push(op, 1, 1, 0);
        let (v, out, _, nodes) = self.split_last();
        out[0] = T::from_f64(f(v.of(&nodes[a.index()])));
        Ok(id)
    }

    /// Σ a (summed in f64).
    pub fn sum(&mut self, a: NodeId) -> Result<NodeId, TensorError> {
        self.reduce(Op::Sum(a), a, |x| x.iter().map(|v| v.as_f64()).sum())
    }

    /// The mean of a's elements (0 for an empty a).
    pub fn mean(&mut self, a: NodeId) -> Result<NodeId, TensorError> {
        self.reduce(Op::Mean(a), a, |x| x.iter().map(|v| v.as_f64()).sum::<f64>() / x.len().max(1) as f64)
    }

    /// Σ a², the L2 penalty's sum.
    pub fn sum_squares(&mut self, a: NodeId) -> Result<NodeId, TensorError> {
        self.reduce(Op::SumSquares(a), a, |x| x.iter().map(|v| v.as_f64() * v.as_f64()).sum())
    }

    /// Σ |a|, the L1 penalty's sum.
    pub fn sum_abs(&mut self, a: NodeId) -> Result<NodeId, TensorError> {
        self.reduce(Op::SumAbs(a), a, |x| x.iter().map(|v| v.as_f64().abs()).sum())
    }

    /// Batch normalization in training mode: per column, x̂ = (x − μ)/√(σ² + ε) with the batch mean μ and the
    /// biased batch variance σ², then γ·x̂ + β (`gamma`, `beta`: 1 × c).
    pub fn batch_norm(&mut self, x: NodeId, gamma: NodeId, beta: NodeId, eps: f64) -> Result<NodeId, TensorError> {
        let (r, c) = self.bn_shapes(x, gamma, beta)?;
        let id = self.push(Op::BatchNorm { x, gamma, beta, eps }, r, c, 2 * c);
        let (v, out, aux, nodes) = self.split_last();
        let (xs, g, b) = (v.of(&nodes[x.index()]), v.of(&nodes[gamma.index()]), v.of(&nodes[beta.index()]));
        let (mean, var) = aux.split_at_mut(c);
        column_stats(xs, r, c, mean, var);
        let eps = T::from_f64(eps);
        for (orow, xrow) in out.chunks_exact_mut(c).zip(xs.chunks_exact(c)) {
            for j in 0..c {
                let inv = T::one() / (var[j] + eps).sqrt();
                orow[j] = g[j] * ((xrow[j] - mean[j]) * inv) + b[j];
            }
        }
        Ok(id)
    }

    /// Batch normalization in evaluation mode, with `stats` (2 × c: running mean, then running variance).
    pub fn batch_norm_eval(
        &mut self,
        x: NodeId,
        gamma: NodeId,
        beta: NodeId,
        stats: NodeId,
        eps: f64,
    ) -> Result<NodeId, TensorError> {
        let (r, c) = self.bn_shapes(x, gamma, beta)?;
        let ns = *self.check_node("batch_norm", stats)?;
        if (ns.rows, ns.cols) != (2, c) {
            return Err(TensorError::ShapeMismatch { op: "batch_norm", lhs: (r, c), rhs: (ns.rows, ns.cols) });
        }
        let id = self.push(Op::BatchNormEval { x, gamma, beta, stats, eps }, r, c, 0);
        let (v, out, _, nodes) = self.split_last();
        let (xs, g, b, s) = (
            v.of(&nodes[x.index()]),
            v.of(&nodes[gamma.index()]),
            v.of(&nodes[beta.index()]),
            v.of(&nodes[stats.index()]),
        );
        let eps = T::from_f64(eps);
        for (orow, xrow) in out.chunks_exact_mut(c).zip(xs.chunks_exact(c)) {
            for j in 0..c {
                let inv = T::one() / (s[c + j] + eps).sqrt();
                orow[j] = g[j] * ((xrow[j] - s[j]) * inv) + b[j];
            }
        }
        Ok(id)
    }

    fn bn_shapes(&self, x: NodeId, gamma: NodeId, beta: NodeId) -> Result<(usize, usize), TensorError> {
        let nx = *self.check_node("batch_norm", x)?;
        for p in [gamma, beta] {
            let np = *self.check_node("batch_norm", p)?;
            if (np.rows, np.cols) != (1, nx.cols) {
                return Err(TensorError::ShapeMismatch {
                    op: "batch_norm",
                    lhs: (nx.rows, nx.cols),
                    rhs: (np.rows, np.cols),
                });
            }
        }
        if nx.rows == 0 || nx.cols == 0 {
            return Err(TensorError::Empty { op: "batch_norm" });
        }
        Ok((nx.rows, nx.cols))
    }

    /// A loss of `scores` (n × k) against `targets` (see [`Loss`] for the shapes), averaged over the batch.
    pub fn loss(&mut self, kind: Loss, scores: NodeId, targets: NodeId) -> Result<NodeId, TensorError> {
        let ns = *self.check_node("loss", scores)?;
        let nt = *self.check_node("loss", targets)?;
        // validate before pushing, so a bad target leaves the tape as it was
        let t = Values { arena: &self.values, params: self.params.values() }.of(&nt);
        loss::check(kind, (ns.rows, ns.cols), (nt.rows, nt.cols), t)?;
        let id = self.push(Op::Loss(kind, scores, targets), 1, 1, 0);
        let (v, out, _, nodes) = self.split_last();
        let (s, t) = (v.of(&nodes[scores.index()]), v.of(&nodes[targets.index()]));
        out[0] = T::from_f64(loss::forward(kind, s, t, ns.rows, ns.cols));
        Ok(id)
    }

    /// Backward from a 1 × 1 `output`: fills every node's gradient ∂output/∂node (reachable nodes; others read as
    /// zero) and the parameter store's gradients. One reverse pass over the tape, no allocation once warm.
    pub fn backward(&mut self, output: NodeId) -> Result<(), TensorError> {
        let no = *self.check_node("backward", output)?;
        if no.len() != 1 || matches!(no.op, Op::Param(_) | Op::Input) {
            return Err(TensorError::NotScalar { rows: no.rows, cols: no.cols });
        }
        self.written.clear();
        self.written.resize(self.nodes.len(), false);
        self.param_written.clear();
        self.param_written.resize(self.params.entries.len(), false);
        if self.grads.len() < self.cursor {
            self.grads.resize(self.cursor, T::zero());
        }
        if !no.needs_grad {
            self.params.grads.iter_mut().for_each(|g| *g = T::zero());
            return Ok(());
        }
        self.grads[no.off] = T::one();
        self.written[output.index()] = true;
        let Tape { params, nodes, values, grads, written, param_written, .. } = self;
        let (param_values, param_grads, entries) = params.values_and_grads_for_backward();
        for i in (0..=output.index()).rev() {
            let n = nodes[i];
            if !n.needs_grad || !written[i] || matches!(n.op, Op::Param(_) | Op::Input) {
                continue;
            }
            let (glo, ghi) = grads.split_at_mut(n.off);
            let gout = &ghi[..n.len()];
            let mut g = Grads { lo: glo, params: &mut *param_grads, nodes, written, param_written };
            let v = Values { arena: values, params: param_values };
            backward_node(&n, &v, gout, &mut g);
        }
        // a parameter no gradient reached has gradient zero
        for (e, w) in entries.iter().zip(param_written.iter()) {
            if !w {
                param_grads[e.range()].iter_mut().for_each(|g| *g = T::zero());
            }
        }
        Ok(())
    }
}

/// Where the shares of a backward step go: the arena below the current node, or the parameter store.
struct Grads<'a, T> {
    lo: &'a mut [T],
    params: &'a mut [T],
    nodes: &'a [Node],
    written: &'a mut [bool],
    param_written: &'a mut [bool],
}

impl<T: Element> Grads<'_, T> {
    /// The gradient buffer of operand `a` and whether to add to it (a share has already been written), or None
    /// when `a` needs no gradient.
    fn slot(&mut self, a: NodeId) -> Option<(&mut [T], bool)> {
        let n = &self.nodes[a.index()];
        if !n.needs_grad {
            return None;
        }
        let (buf, seen) = match n.op {
            Op::Param(p) => (&mut self.params[n.off..n.off + n.len()], &mut self.param_written[p.0 as usize]),
            _ => (&mut self.lo[n.off..n.off + n.len()], &mut self.written[a.index()]),
        };
        let acc = *seen;
        *seen = true;
        // a parameter used twice on one tape shares its store gradient: mark the node too
        self.written[a.index()] = true;
        Some((buf, acc))
    }

    /// The gradient buffers of two operands at once, when both need one and they do not overlap (so that two
    /// threads may fill them); None otherwise, and then nothing is marked.
    #[allow(clippy::type_complexity)]
    fn slot_pair(&mut self, a: NodeId, b: NodeId) -> Option<((&mut [T], bool), (&mut [T], bool))> {
        let (na, nb) = (self.nodes[a.index()], self.nodes[b.index()]);
        if a == b || !na.needs_grad || !nb.needs_grad {
            return None;
        }
        let (ra, rb) = (na.off..na.off + na.len(), nb.off..nb.off + nb.len());
        let (pa, pb) = (matches!(na.op, Op::Param(_)), matches!(nb.op, Op::Param(_)));
        if pa == pb && ra.start < rb.end && rb.start < ra.end {
            return None; // the same parameter twice, or overlapping buffers
        }
        let mut mark = |id: NodeId, n: &Node| {
            let seen = match n.op {
                Op::Param(p) => &mut self.param_written[p.0 as usize],
                _ => &mut self.written[id.index()],
            };
            let acc = *seen;
            *seen = true;
            self.written[id.index()] = true;
            acc
        };
        let (acc_a, acc_b) = (mark(a, &na), mark(b, &nb));
        let (sa, sb) = match (pa, pb) {
            (true, false) => (&mut self.params[ra], &mut self.lo[rb]),
            (false, true) => (&mut self.lo[ra], &mut self.params[rb]),
            _ => {
                let buf: &mut [T] = if pa { &mut *self.params } else { &mut *self.lo };
                if ra.start < rb.start {
                    let (x, y) = buf.split_at_mut(rb.start);
                    (&mut x[ra], &mut y[..rb.len()])
                } else {
                    let (y, x) = buf.split_at_mut(ra.start);
                    (&mut x[..ra.len()], &mut y[rb])
                }
            }
        };
        Some(((sa, acc_a), (sb, acc_b)))
    }

    /// A product's two gradient products, each of `macs` multiply-adds: `grad_a(buffer, accumulate, split)` into a's
    /// gradient and `grad_b` into b's. They are independent, so when both are needed and large they run one per
    /// thread (no split, no packing twice); otherwise one after the other, each split over two threads if large.
    fn two_products<FA, FB>(&mut self, (a, grad_a): (NodeId, FA), (b, grad_b): (NodeId, FB), macs: usize)
    where
        FA: Fn(&mut [T], bool, bool) + Sync,
        FB: Fn(&mut [T], bool, bool) + Sync,
    {
        if gemm::parallel(2 * macs)
            && let Some(((ga, acc_a), (gb, acc_b))) = self.slot_pair(a, b)
        {
            crate::parallel::join(|| grad_a(ga, acc_a, false), || grad_b(gb, acc_b, false));
            return;
        }
        if let Some((ga, acc)) = self.slot(a) {
            grad_a(ga, acc, gemm::parallel(macs));
        }
        if let Some((gb, acc)) = self.slot(b) {
            grad_b(gb, acc, gemm::parallel(macs));
        }
    }
}

/// Writes or adds `f(i)` into every element of `dst`.
#[inline(always)]
fn put<T: Element>(dst: &mut [T], acc: bool, f: impl Fn(usize) -> T) {
    if acc {
        for (i, d) in dst.iter_mut().enumerate() {
            *d += f(i);
        }
    } else {
        for (i, d) in dst.iter_mut().enumerate() {
            *d = f(i);
        }
    }
}

/// One node's backward rule: its upstream gradient `gout` times each operand's local derivative, into the
/// operands' gradients. One match arm per op, beside the table in the module doc.
fn backward_node<T: Element>(n: &Node, v: &Values<'_, T>, gout: &[T], g: &mut Grads<'_, T>) {
    let node = |id: NodeId| g.nodes[id.index()];
    match n.op {
        Op::Input | Op::Param(_) => {}
        Op::MatMul { a, b, ta, tb } => {
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
        Op::Linear { x, w, bias } => {
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
        Op::AddBias { a, bias } => {
            if let Some((ga, acc)) = g.slot(a) {
                put(ga, acc, |i| gout[i]);
            }
            if let Some((gb, acc)) = g.slot(bias) {
                column_sums(gout, n.cols, gb, acc);
            }
        }
        Op::Add(a, b) => {
            for x in [a, b] {
                if let Some((gx, acc)) = g.slot(x) {
                    put(gx, acc, |i| gout[i]);
                }
            }
        }
        Op::Mul(a, b) => {
            let (xa, xb) = (v.of(&node(a)), v.of(&node(b)));
            if let Some((ga, acc)) = g.slot(a) {
                put(ga, acc, |i| gout[i] * xb[i]);
            }
            if let Some((gb, acc)) = g.slot(b) {
                put(gb, acc, |i| gout[i] * xa[i]);
            }
        }
        Op::Scale(a, c) => {
            let c = T::from_f64(c);
            if let Some((ga, acc)) = g.slot(a) {
                put(ga, acc, |i| c * gout[i]);
            }
        }
        Op::Map(u, a) => {
            let xa = v.of(&node(a));
            let out = v.of(n);
            if let Some((ga, acc)) = g.slot(a) {
                T::map_backward(u, xa, out, gout, ga, acc);
            }
        }
        Op::Sum(a) | Op::Mean(a) | Op::SumSquares(a) | Op::SumAbs(a) => {
            let xa = v.of(&node(a));
            let up = gout[0];
            let len = T::from_usize(xa.len().max(1));
            let two = T::from_f64(2.0);
            if let Some((ga, acc)) = g.slot(a) {
                match n.op {
                    Op::Sum(_) => put(ga, acc, |_| up),
                    Op::Mean(_) => put(ga, acc, |_| up / len),
                    Op::SumSquares(_) => put(ga, acc, |i| up * two * xa[i]),
                    _ => put(ga, acc, |i| up * Unary::Abs.local(xa[i], xa[i].abs())),
                }
            }
        }
        Op::BatchNorm { x, gamma, beta, eps } => {
            let (r, c) = (n.rows, n.cols);
            let xs = v.of(&node(x));
            let gm = v.of(&node(gamma));
            let mean = &v.arena[n.aux..n.aux + c];
            let var = &v.arena[n.aux + c..n.aux + 2 * c];
            let eps = T::from_f64(eps);
            let xhat = |i: usize| {
                let j = i % c;
                (xs[i] - mean[j]) / (var[j] + eps).sqrt()
            };
            if let Some((gg, acc)) = g.slot(gamma) {
                column_reduce(r, c, gg, acc, |i| gout[i] * xhat(i));
            }
            if let Some((gb, acc)) = g.slot(beta) {
                column_sums(gout, c, gb, acc);
            }
            if let Some((gx, acc)) = g.slot(x) {
                // dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·γ  (column means over the batch)
                let rn = T::from_usize(r);
                for j in 0..c {
                    let inv = T::one() / (var[j] + eps).sqrt();
                    let (mut s1, mut s2) = (T::zero(), T::zero());
                    for i in 0..r {
                        let d = gout[i * c + j] * gm[j];
                        s1 += d;
                        s2 += d * xhat(i * c + j);
                    }
                    let (m1, m2) = (s1 / rn, s2 / rn);
                    for i in 0..r {
                        let k = i * c + j;
                        let val = inv * (gout[k] * gm[j] - m1 - xhat(k) * m2);
                        if acc { gx[k] += val } else { gx[k] = val }
                    }
                }
            }
        }
        Op::BatchNormEval { x, gamma, beta, stats, eps } => {
            let c = n.cols;
            let xs = v.of(&node(x));
            let gm = v.of(&node(gamma));
            let s = v.of(&node(stats));
            let eps = T::from_f64(eps);
            let inv = |j: usize| T::one() / (s[c + j] + eps).sqrt();
            if let Some((gg, acc)) = g.slot(gamma) {
                column_reduce(n.rows, c, gg, acc, |i| gout[i] * (xs[i] - s[i % c]) * inv(i % c));
            }
            if let Some((gb, acc)) = g.slot(beta) {
                column_sums(gout, c, gb, acc);
            }
            if let Some((gx, acc)) = g.slot(x) {
                put(gx, acc, |i| gout[i] * gm[i % c] * inv(i % c));
            }
        }
        Op::Loss(kind, scores, targets) => {
            let ns = node(scores);
            let (s, t) = (v.of(&ns), v.of(&node(targets)));
            if let Some((gs, acc)) = g.slot(scores) {
                loss::backward(kind, s, t, ns.rows, ns.cols, gout[0], gs, acc);
            }
        }
    }
}

/// dst[j] (+)= Σ_i src[i·c + j].
fn column_sums<T: Element>(src: &[T], c: usize, dst: &mut [T], acc: bool) {
    if !acc {
        dst.iter_mut().for_each(|d| *d = T::zero());
    }
    for row in src.chunks_exact(c.max(1)) {
        for (d, &s) in dst.iter_mut().zip(row) {
            *d += s;
        }
    }
}

/// dst[j] (+)= Σ_i f(i·c + j).
fn column_reduce<T: Element>(r: usize, c: usize, dst: &mut [T], acc: bool, f: impl Fn(usize) -> T) {
    if !acc {
        dst.iter_mut().for_each(|d| *d = T::zero());
    }
    for i in 0..r {
        for (j, d) in dst.iter_mut().enumerate() {
            *d += f(i * c + j);
        }
    }
}

/// Column means and biased variances of an r × c matrix (two passes, for accuracy).
pub(crate) fn column_stats<T: Element>(x: &[T], r: usize, c: usize, mean: &mut [T], var: &mut [T]) {
    let rn = T::from_usize(r);
    mean.iter_mut().for_each(|m| *m = T::zero());
    var.iter_mut().for_each(|m| *m = T::zero());
    for row in x.chunks_exact(c) {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= rn);
    for row in x.chunks_exact(c) {
        for ((s, &v), &m) in var.iter_mut().zip(row).zip(mean.iter()) {
            *s += (v - m) * (v - m);
        }
    }
    var.iter_mut().for_each(|s| *s /= rn);
}
