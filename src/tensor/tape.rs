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
use super::gemm::Element;
use super::grads::Grads;
use super::loss::Loss;
use super::ops::{batch_norm, elementwise, product, reduce};
use super::params::{ParamId, ParamStore};
use crate::scalar::Unary;

/// A node's index on its tape (creation order, which is topological).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    pub(super) fn index(self) -> usize {
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
pub(super) struct Node {
    pub(super) op: Op,
    pub(super) rows: usize,
    pub(super) cols: usize,
    /// Offset of the value (and the gradient) in the arenas, or in the parameter store for `Param`.
    pub(super) off: usize,
    /// Offset of saved statistics in the value arena (batch norm), else 0.
    pub(super) aux: usize,
    pub(super) needs_grad: bool,
}

impl Node {
    pub(super) fn len(&self) -> usize {
        self.rows * self.cols
    }
}

/// Read access to node values while an output is being written.
pub(super) struct Values<'a, T> {
    pub(super) arena: &'a [T],
    pub(super) params: &'a [T],
}

impl<'a, T> Values<'a, T> {
    pub(super) fn of(&self, n: &Node) -> &'a [T] {
        match n.op {
            Op::Param(_) => &self.params[n.off..n.off + n.len()],
            _ => &self.arena[n.off..n.off + n.len()],
        }
    }
}

/// What an op's forward works with, right after its node was pushed ([`Tape::fresh`]).
pub(super) struct Fresh<'a, T> {
    /// The operands' values (read).
    pub(super) values: Values<'a, T>,
    /// The new node's value (written).
    pub(super) out: &'a mut [T],
    /// The statistics saved beside it (batch norm's mean and variance, 2 × cols), else empty.
    pub(super) aux: &'a mut [T],
    /// Every node, to look the operands up.
    pub(super) nodes: &'a [Node],
}

/// A tape of tensor ops over a parameter store. Generic over f32 and f64.
#[derive(Clone, Debug, Default)]
pub struct Tape<T> {
    /// The model's parameters, which `Param` nodes read and whose gradients backward fills.
    pub params: ParamStore<T>,
    pub(super) nodes: Vec<Node>,
    pub(super) values: Vec<T>,
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

    pub(super) fn push(&mut self, op: Op, rows: usize, cols: usize, aux_len: usize) -> NodeId {
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

    /// What the newest node's forward reads and writes: the newest node sits last in the arena, so its value (and
    /// its saved statistics) never overlap the operands'.
    pub(super) fn fresh(&mut self) -> Fresh<'_, T> {
        let n = *self.nodes.last().expect("called right after push");
        let (lo, hi) = self.values.split_at_mut(n.off);
        let (out, rest) = hi.split_at_mut(n.len());
        let aux_len = if n.aux > 0 { n.aux - n.off - n.len() } else { 0 };
        let aux = if n.aux > 0 { &mut rest[aux_len..aux_len + 2 * n.cols] } else { &mut rest[..0] };
        Fresh { values: Values { arena: lo, params: self.params.values() }, out, aux, nodes: &self.nodes }
    }

    pub(super) fn check_node(&self, op: &'static str, id: NodeId) -> Result<&Node, TensorError> {
        self.nodes.get(id.index()).ok_or(TensorError::UnknownNode { op, node: id.0 })
    }

    /// Copies data onto the tape: `rows × cols`, row-major.
    pub fn input(&mut self, data: &[T], rows: usize, cols: usize) -> Result<NodeId, TensorError> {
        if data.len() != rows * cols {
            return Err(TensorError::DataLength { rows, cols, len: data.len() });
        }
        let id = self.push(Op::Input, rows, cols, 0);
        let Fresh { out, .. } = self.fresh();
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

/// One node's backward rule: its upstream gradient `gout` times each operand's local derivative, into the
/// operands' gradients. One match arm per op; each rule sits beside its forward in [`super::ops`].
fn backward_node<T: Element>(n: &Node, v: &Values<'_, T>, gout: &[T], g: &mut Grads<'_, T>) {
    match n.op {
        Op::Input | Op::Param(_) => {}
        Op::MatMul { a, b, ta, tb } => product::matmul_backward(n, v, gout, g, (a, b, ta, tb)),
        Op::Linear { x, w, bias } => product::linear_backward(n, v, gout, g, (x, w, bias)),
        Op::AddBias { a, bias } => product::add_bias_backward(n, v, gout, g, (a, bias)),
        Op::Add(a, b) => elementwise::add_backward(n, v, gout, g, (a, b)),
        Op::Mul(a, b) => elementwise::mul_backward(n, v, gout, g, (a, b)),
        Op::Scale(a, c) => elementwise::scale_backward(n, v, gout, g, (a, c)),
        Op::Map(u, a) => elementwise::map_backward(n, v, gout, g, (u, a)),
        Op::Sum(a) | Op::Mean(a) | Op::SumSquares(a) | Op::SumAbs(a) => reduce::reduce_backward(n, v, gout, g, a),
        Op::BatchNorm { x, gamma, beta, eps } => batch_norm::batch_norm_backward(n, v, gout, g, (x, gamma, beta, eps)),
        Op::BatchNormEval { x, gamma, beta, stats, eps } => {
            batch_norm::batch_norm_eval_backward(n, v, gout, g, (x, gamma, beta, stats, eps))
        }
        Op::Loss(kind, scores, targets) => reduce::loss_backward(n, v, gout, g, (kind, scores, targets)),
    }
}
