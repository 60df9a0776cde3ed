//! Reductions to 1 × 1: `sum`, `mean`, `sum_squares` and `sum_abs` (the L2 and L1 penalties), and `loss`, each
//! forward beside its backward rule.
//!
//! ```text
//! sum          Σ a           G
//! mean         Σ a / len     G / len
//! sum_squares  Σ a²          2a·G
//! sum_abs      Σ |a|         sign(a)·G (0 at 0)
//! loss         see Loss      see Loss (the stable forms, in tensor/loss.rs)
//! ```

use crate::scalar::Unary;
use crate::tensor::TensorError;
use crate::tensor::gemm::Element;
use crate::tensor::grads::{Grads, put};
use crate::tensor::loss::{self, Loss};
use crate::tensor::tape::{Fresh, Node, NodeId, Op, Tape, Values};

impl<T: Element> Tape<T> {
    fn reduce(&mut self, op: Op, a: NodeId, f: impl Fn(&[T]) -> f64) -> Result<NodeId, TensorError> {
        self.check_node("reduce", a)?;
        let id = self.push(op, 1, 1, 0);
        let Fresh { values: v, out, nodes, .. } = self.fresh();
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
}

/// The four reductions' backward rules: G, G/len, 2a·G, sign(a)·G.
pub(in crate::tensor) fn reduce_backward<T: Element>(
    n: &Node,
    v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    a: NodeId,
) {
    let node = |id: NodeId| g.nodes[id.index()];
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

impl<T: Element> Tape<T> {
    /// A loss of `scores` (n × k) against `targets` (see [`Loss`] for the shapes), averaged over the batch.
    pub fn loss(&mut self, kind: Loss, scores: NodeId, targets: NodeId) -> Result<NodeId, TensorError> {
        let ns = *self.check_node("loss", scores)?;
        let nt = *self.check_node("loss", targets)?;
        // validate before pushing, so a bad target leaves the tape as it was
        let t = Values { arena: &self.values, params: self.params.values() }.of(&nt);
        loss::check(kind, (ns.rows, ns.cols), (nt.rows, nt.cols), t)?;
        let id = self.push(Op::Loss(kind, scores, targets), 1, 1, 0);
        let Fresh { values: v, out, nodes, .. } = self.fresh();
        let (s, t) = (v.of(&nodes[scores.index()]), v.of(&nodes[targets.index()]));
        out[0] = T::from_f64(loss::forward(kind, s, t, ns.rows, ns.cols));
        Ok(id)
    }
}

/// `loss`'s backward rule: the loss's own, into the scores (the targets take no gradient).
pub(in crate::tensor) fn loss_backward<T: Element>(
    _n: &Node,
    v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (kind, scores, targets): (Loss, NodeId, NodeId),
) {
    let node = |id: NodeId| g.nodes[id.index()];
    let ns = node(scores);
    let (s, t) = (v.of(&ns), v.of(&node(targets)));
    if let Some((gs, acc)) = g.slot(scores) {
        loss::backward(kind, s, t, ns.rows, ns.cols, gout[0], gs, acc);
    }
}
