//! Elementwise ops: `add`, `mul`, `scale` and `map` (any scalar op: the activations), each forward beside its
//! backward rule.
//!
//! ```text
//! add    a + b     G, G
//! mul    a ⊙ b     G ⊙ b, G ⊙ a
//! scale  c·a       c·G
//! map    u(a)      G ⊙ u′(a), u′ the scalar engine's local derivative (PyTorch's values at kinks)
//! ```

use crate::scalar::Unary;
use crate::tensor::TensorError;
use crate::tensor::gemm::Element;
use crate::tensor::grads::{Grads, put};
use crate::tensor::tape::{Fresh, Node, NodeId, Op, Tape, Values};

impl<T: Element> Tape<T> {
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
        let Fresh { values: v, out, nodes, .. } = self.fresh();
        for ((o, &x), &y) in out.iter_mut().zip(v.of(&nodes[a.index()])).zip(v.of(&nodes[b.index()])) {
            *o = x + y;
        }
        Ok(id)
    }
}

/// `add`'s backward rule: G to both.
pub(in crate::tensor) fn add_backward<T: Element>(
    _n: &Node,
    _v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (a, b): (NodeId, NodeId),
) {
    for x in [a, b] {
        if let Some((gx, acc)) = g.slot(x) {
            put(gx, acc, |i| gout[i]);
        }
    }
}

impl<T: Element> Tape<T> {
    /// a ⊙ b elementwise (a dropout mask is `mul(h, mask)`).
    pub fn mul(&mut self, a: NodeId, b: NodeId) -> Result<NodeId, TensorError> {
        let (r, c) = self.same_shape("mul", a, b)?;
        let id = self.push(Op::Mul(a, b), r, c, 0);
        let Fresh { values: v, out, nodes, .. } = self.fresh();
        for ((o, &x), &y) in out.iter_mut().zip(v.of(&nodes[a.index()])).zip(v.of(&nodes[b.index()])) {
            *o = x * y;
        }
        Ok(id)
    }
}

/// `mul`'s backward rule: G ⊙ b to a, G ⊙ a to b.
pub(in crate::tensor) fn mul_backward<T: Element>(
    _n: &Node,
    v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (a, b): (NodeId, NodeId),
) {
    let node = |id: NodeId| g.nodes[id.index()];
    let (xa, xb) = (v.of(&node(a)), v.of(&node(b)));
    if let Some((ga, acc)) = g.slot(a) {
        put(ga, acc, |i| gout[i] * xb[i]);
    }
    if let Some((gb, acc)) = g.slot(b) {
        put(gb, acc, |i| gout[i] * xa[i]);
    }
}

impl<T: Element> Tape<T> {
    /// c·a.
    pub fn scale(&mut self, a: NodeId, c: f64) -> Result<NodeId, TensorError> {
        let na = *self.check_node("scale", a)?;
        let id = self.push(Op::Scale(a, c), na.rows, na.cols, 0);
        let Fresh { values: v, out, nodes, .. } = self.fresh();
        let c = T::from_f64(c);
        for (o, &x) in out.iter_mut().zip(v.of(&nodes[a.index()])) {
            *o = c * x;
        }
        Ok(id)
    }
}

/// `scale`'s backward rule: c·G.
pub(in crate::tensor) fn scale_backward<T: Element>(
    _n: &Node,
    _v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (a, c): (NodeId, f64),
) {
    let c = T::from_f64(c);
    if let Some((ga, acc)) = g.slot(a) {
        put(ga, acc, |i| c * gout[i]);
    }
}

impl<T: Element> Tape<T> {
    /// The scalar engine's op `u` on every element: the same forward rule as a scalar node's.
    pub fn map(&mut self, u: Unary, a: NodeId) -> Result<NodeId, TensorError> {
        let na = *self.check_node("map", a)?;
        let id = self.push(Op::Map(u, a), na.rows, na.cols, 0);
        let Fresh { values: v, out, nodes, .. } = self.fresh();
        let xa = v.of(&nodes[a.index()]);
        T::map_forward(u, xa, out);
        Ok(id)
    }
}

/// `map`'s backward rule: G ⊙ u′(a), through the element type's kernel (vectorized for f32 where it can be).
pub(in crate::tensor) fn map_backward<T: Element>(
    n: &Node,
    v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (u, a): (Unary, NodeId),
) {
    let node = |id: NodeId| g.nodes[id.index()];
    let xa = v.of(&node(a));
    let out = v.of(n);
    if let Some((ga, acc)) = g.slot(a) {
        T::map_backward(u, xa, out, gout, ga, acc);
    }
}
