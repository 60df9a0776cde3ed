//! Numerical gradients and the gradient check (lecture slides 44-45, cs231n).
//!
//! The numerical gradient is the central difference `(f(x+h) - f(x-h)) / 2h`, with error O(h²) from truncation and
//! O(ε/h) from round-off; h = 1e-5 balances the two in f64. The analytical gradient is compared by the relative error
//! `|a - n| / max(|a|, |n|)` (0 when both are 0), read in cs231n's bands.

use serde::Serialize;

use super::graph::{Graph, NodeId};
use super::op::Op;

/// The default step of the central difference.
pub const DEFAULT_H: f64 = 1e-5;

/// How far apart an analytical and a numerical gradient are, in cs231n's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// Relative error below 1e-7.
    Good,
    /// 1e-7 to 1e-4: fine where kinks are near, suspicious elsewhere.
    Okay,
    /// 1e-4 to 1e-2: usually a bug.
    Uncomfortable,
    /// Above 1e-2 (or not a number): the gradient is wrong.
    Wrong,
}

impl Band {
    /// The band a relative error falls in.
    pub fn of(rel_error: f64) -> Band {
        if rel_error.is_nan() || rel_error > 1e-2 {
            Band::Wrong
        } else if rel_error > 1e-4 {
            Band::Uncomfortable
        } else if rel_error > 1e-7 {
            Band::Okay
        } else {
            Band::Good
        }
    }

    /// The band in words.
    pub fn describe(self) -> &'static str {
        match self {
            Band::Good => "good (< 1e-7)",
            Band::Okay => "okay near kinks (1e-7 .. 1e-4)",
            Band::Uncomfortable => "uncomfortable (1e-4 .. 1e-2)",
            Band::Wrong => "wrong (> 1e-2)",
        }
    }

    /// The band's short name.
    pub fn name(self) -> &'static str {
        match self {
            Band::Good => "good",
            Band::Okay => "okay",
            Band::Uncomfortable => "uncomfortable",
            Band::Wrong => "wrong",
        }
    }
}

/// `|a - n| / max(|a|, |n|)`, 0 when both are 0; NaN if either is NaN.
pub fn relative_error(analytic: f64, numeric: f64) -> f64 {
    if analytic.is_nan() || numeric.is_nan() {
        return f64::NAN;
    }
    let denom = analytic.abs().max(numeric.abs());
    if denom == 0.0 { 0.0 } else { (analytic - numeric).abs() / denom }
}

/// The central difference of `f` at `x` with step `h`: the one numerical-gradient helper of the project.
pub fn central_difference(mut f: impl FnMut(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// One node's check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeCheck {
    /// The node.
    pub node: NodeId,
    /// Whether it is an input (a leaf) rather than an intermediate node.
    pub leaf: bool,
    /// The backward pass's `∂f/∂node`.
    pub analytic: f64,
    /// The central difference, holding the node's own operands fixed.
    pub numeric: f64,
    /// The relative error between them.
    pub rel_error: f64,
    /// Its band.
    pub band: Band,
}

impl Graph {
    /// `∂output/∂node` by central difference: the node's value is moved by ±h and everything after it recomputed.
    pub fn numerical_grad(&mut self, node: NodeId, output: NodeId, h: f64) -> f64 {
        let v = self.value(node);
        central_difference(|x| self.output_with(node, x, output), v, h)
    }

    /// Checks every leaf and every intermediate node the output depends on (constants excluded), after a backward
    /// pass from `output`. O(nodes²): meant for programs a learner types; see [`Graph::gradcheck_leaves`].
    pub fn gradcheck(&mut self, output: NodeId, h: f64) -> Vec<NodeCheck> {
        let reach = self.ancestors(output);
        let ids: Vec<NodeId> = self
            .ids()
            .filter(|id| id.index() < reach.len() && reach[id.index()] && self.op(*id) != Op::Const)
            .collect();
        self.gradcheck_nodes(output, h, &ids)
    }

    /// Checks only the leaves the output depends on: O(leaves · nodes), for programs too large to check every node.
    pub fn gradcheck_leaves(&mut self, output: NodeId, h: f64) -> Vec<NodeCheck> {
        let reach = self.ancestors(output);
        let ids: Vec<NodeId> =
            self.ids().filter(|id| id.index() < reach.len() && reach[id.index()] && self.op(*id) == Op::Leaf).collect();
        self.gradcheck_nodes(output, h, &ids)
    }

    /// Checks the given nodes, after a backward pass from `output`.
    pub fn gradcheck_nodes(&mut self, output: NodeId, h: f64, nodes: &[NodeId]) -> Vec<NodeCheck> {
        self.backward(output);
        nodes
            .iter()
            .map(|&id| {
                let analytic = self.grad(id);
                let numeric = self.numerical_grad(id, output, h);
                let rel_error = relative_error(analytic, numeric);
                NodeCheck {
                    node: id,
                    leaf: self.op(id) == Op::Leaf,
                    analytic,
                    numeric,
                    rel_error,
                    band: Band::of(rel_error),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::op::Unary;

    #[test]
    fn bands_as_cs231n() {
        assert_eq!(Band::of(0.0), Band::Good);
        assert_eq!(Band::of(5e-8), Band::Good);
        assert_eq!(Band::of(5e-6), Band::Okay);
        assert_eq!(Band::of(5e-3), Band::Uncomfortable);
        assert_eq!(Band::of(0.5), Band::Wrong);
        assert_eq!(Band::of(f64::NAN), Band::Wrong);
        assert_eq!(relative_error(0.0, 0.0), 0.0);
        assert_eq!(relative_error(1.0, 0.5), 0.5); // |1 - 0.5| / 1
    }

    #[test]
    fn intermediate_nodes_are_checked() {
        // f = tanh(x) * x; check x and t = tanh(x)
        let mut g = Graph::new();
        let x = g.leaf(0.7);
        let t = g.unary(Unary::Tanh, x);
        let f = g.mul(t, x);
        let checks = g.gradcheck(f, DEFAULT_H);
        assert_eq!(checks.len(), 3);
        let ct = checks.iter().find(|c| c.node == t).unwrap();
        assert!((ct.analytic - 0.7).abs() < 1e-15); // ∂f/∂t = x
        assert_eq!(ct.band, Band::Good);
        assert!(checks.iter().all(|c| c.band == Band::Good));
    }
}
