//! The "expand" transform: fused gates rewritten into primitive ones, with the same leaf gradients, so the window can
//! show both views of a neuron (cs231n draws the sigmoid neuron both ways).
//!
//! - `sigmoid(a)` → `1 / (1 + exp(-a))`
//! - `tanh(a)` → `(exp(2a) - 1) / (exp(2a) + 1)`
//! - `softplus(a)` → `log(1 + exp(a))`
//! - `selu(a)` → `λ · (max(0, a) + min(0, α · (exp(a) - 1)))`
//!
//! Away from kinks and overflow the values and gradients agree to rounding; at `selu`'s kink the expanded form splits
//! the tie of `max`/`min` and so differs, as PyTorch's would.

use super::graph::{Graph, NodeId};
use super::op::{Binary, Op, SELU_ALPHA, SELU_LAMBDA, Unary};

/// Whether a unary op is one `expand` rewrites.
pub fn expandable(u: Unary) -> bool {
    matches!(u, Unary::Sigmoid | Unary::Tanh | Unary::Softplus | Unary::Selu)
}

impl Graph {
    /// Whether any node would be rewritten by [`Graph::expand`].
    pub fn has_fused(&self) -> bool {
        self.nodes().iter().any(|n| matches!(n.op, Op::Unary(u, _) if expandable(u)))
    }

    /// A new graph with every fused gate replaced by primitive ones, and the map from each old node to its new one
    /// (a fused node maps to the last node of its expansion, which carries its label). O(nodes).
    pub fn expand(&self) -> (Graph, Vec<NodeId>) {
        let mut g = Graph::with_capacity(self.len());
        let mut map: Vec<NodeId> = Vec::with_capacity(self.len());
        for id in self.ids() {
            let new = match self.op(id) {
                Op::Leaf => g.leaf(self.value(id)),
                Op::Const => g.constant(self.value(id)),
                Op::Unary(u, a) => {
                    let a = map[a as usize];
                    match u {
                        Unary::Sigmoid => {
                            let na = g.unary(Unary::Neg, a);
                            let e = g.unary(Unary::Exp, na);
                            let one = g.constant(1.0);
                            let d = g.add(one, e);
                            let one = g.constant(1.0);
                            g.binary(Binary::Div, one, d)
                        }
                        Unary::Tanh => {
                            let two = g.constant(2.0);
                            let a2 = g.mul(two, a);
                            let e = g.unary(Unary::Exp, a2);
                            let one = g.constant(1.0);
                            let num = g.binary(Binary::Sub, e, one);
                            let one = g.constant(1.0);
                            let den = g.add(e, one);
                            g.binary(Binary::Div, num, den)
                        }
                        Unary::Softplus => {
                            let e = g.unary(Unary::Exp, a);
                            let one = g.constant(1.0);
                            let s = g.add(one, e);
                            g.unary(Unary::Log, s)
                        }
                        Unary::Selu => {
                            let zero = g.constant(0.0);
                            let pos = g.binary(Binary::Max, zero, a);
                            let e = g.unary(Unary::Exp, a);
                            let one = g.constant(1.0);
                            let em1 = g.binary(Binary::Sub, e, one);
                            let alpha = g.constant(SELU_ALPHA);
                            let scaled = g.mul(alpha, em1);
                            let zero = g.constant(0.0);
                            let neg = g.binary(Binary::Min, zero, scaled);
                            let sum = g.add(pos, neg);
                            let lambda = g.constant(SELU_LAMBDA);
                            g.mul(lambda, sum)
                        }
                        other => g.unary(other, a),
                    }
                }
                Op::Binary(b, x, y) => g.binary(b, map[x as usize], map[y as usize]),
            };
            if let Some(l) = self.label(id) {
                g.set_label(new, l);
            }
            map.push(new);
        }
        (g, map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expanded_sigmoid_keeps_value_and_gradient() {
        let mut g = Graph::new();
        let x = g.leaf(0.4);
        let s = g.unary(Unary::Sigmoid, x);
        g.backward(s);
        let (mut e, map) = g.expand();
        assert!(!e.has_fused());
        assert!(e.len() > g.len());
        let out = map[s.index()];
        e.backward(out);
        assert!((e.value(out) - g.value(s)).abs() < 1e-15);
        assert!((e.grad(map[x.index()]) - g.grad(x)).abs() < 1e-15);
    }
}
