//! Forward and backward passes recorded as traces, so the window can animate them step by step and the command line
//! can print them.
//!
//! The forward trace lists the nodes in evaluation order with their values. The backward trace lists one step per node
//! the output depends on, in reverse topological order: the node, its upstream gradient `∂f/∂n` (complete by then), and
//! for each operand `a` the local derivative `∂n/∂a` and the contribution `∂f/∂n · ∂n/∂a` added to `∂f/∂a` — a node
//! used twice visibly accumulates (`+=`). Replaying all steps gives exactly [`Graph::backward`]'s gradients: both
//! multiply the same numbers in the same order.

use serde::Serialize;

use super::graph::{Graph, NodeId};
use super::op::Op;

/// One forward step: a node and the value it takes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForwardStep {
    /// The node computed.
    pub node: NodeId,
    /// Its value.
    pub value: f64,
}

/// The forward pass in evaluation order (leaves and computed nodes; constants are known from the start).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ForwardTrace {
    /// The steps.
    pub steps: Vec<ForwardStep>,
}

/// What one backward step adds to one operand's gradient.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contribution {
    /// The operand receiving gradient.
    pub operand: NodeId,
    /// Its position among the node's operands (0 for `a`, 1 for `b`).
    pub position: usize,
    /// The local derivative `∂n/∂a`.
    pub local: f64,
    /// `upstream · local`, added to the operand's gradient.
    pub contribution: f64,
    /// The operand's gradient before the addition.
    pub before: f64,
    /// Whether the operand had already received gradient from an earlier step or operand.
    pub accumulates: bool,
    /// Whether the operand is used more than once (it receives several contributions), so that every share, the
    /// first included, is written `+=` with its running total.
    pub shared: bool,
}

/// One backward step: a node whose gradient is complete, passing it on to its operands.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackwardStep {
    /// The node.
    pub node: NodeId,
    /// `∂f/∂n`, the gradient arriving from downstream.
    pub upstream: f64,
    /// One entry per operand that takes gradient (constants take none).
    pub contributions: Vec<Contribution>,
}

/// The backward pass, step by step, and the gradients it ends with.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackwardTrace {
    /// The node differentiated.
    pub output: NodeId,
    /// The steps in reverse topological order; the first is the output itself (`∂f/∂f = 1`).
    pub steps: Vec<BackwardStep>,
}

impl Graph {
    /// The forward pass as a trace (values from the latest [`Graph::forward`]). O(nodes).
    pub fn forward_trace(&self) -> ForwardTrace {
        let steps = self
            .ids()
            .filter(|&id| self.op(id) != Op::Const)
            .map(|id| ForwardStep { node: id, value: self.value(id) })
            .collect();
        ForwardTrace { steps }
    }

    /// Backpropagates from `output` like [`Graph::backward`] (which it calls, so the graph's gradients are set too)
    /// and records every step. O(nodes).
    pub fn backward_trace(&mut self, output: NodeId) -> BackwardTrace {
        let reach = self.ancestors(output);
        let mut grads = vec![0.0; output.index() + 1];
        let mut touched = vec![false; output.index() + 1];
        grads[output.index()] = 1.0;
        touched[output.index()] = true;
        let mut steps = Vec::new();
        for i in (0..=output.index()).rev() {
            if !reach[i] || self.nodes()[i].op == Op::Const {
                continue;
            }
            let n = self.nodes()[i];
            let upstream = grads[i];
            let locals: Vec<(u32, f64)> = match n.op {
                Op::Leaf | Op::Const => vec![],
                Op::Unary(u, a) => vec![(a, u.local(self.nodes()[a as usize].value, n.value))],
                Op::Binary(b, x, y) => {
                    let (dx, dy) = b.local(self.nodes()[x as usize].value, self.nodes()[y as usize].value, n.value);
                    vec![(x, dx), (y, dy)]
                }
            };
            let mut contributions = Vec::with_capacity(locals.len());
            for (position, (a, local)) in locals.into_iter().enumerate() {
                if self.nodes()[a as usize].op == Op::Const {
                    continue;
                }
                let contribution = upstream * local;
                let before = grads[a as usize];
                contributions.push(Contribution {
                    operand: NodeId(a),
                    position,
                    local,
                    contribution,
                    before,
                    accumulates: touched[a as usize],
                    shared: false,
                });
                grads[a as usize] = before + contribution;
                touched[a as usize] = true;
            }
            steps.push(BackwardStep { node: NodeId(i as u32), upstream, contributions });
        }
        let mut uses = vec![0u32; output.index() + 1];
        for c in steps.iter().flat_map(|s| &s.contributions) {
            uses[c.operand.index()] += 1;
        }
        for c in steps.iter_mut().flat_map(|s| &mut s.contributions) {
            c.shared = uses[c.operand.index()] > 1;
        }
        self.backward(output);
        BackwardTrace { output, steps }
    }
}

impl BackwardTrace {
    /// The gradients after replaying the first `k` steps (indexed by node; constants 0). `grads_after(steps.len())`
    /// equals [`Graph::backward`]'s result.
    pub fn grads_after(&self, graph_len: usize, k: usize) -> Vec<f64> {
        let mut g = vec![0.0; graph_len];
        if let Some(o) = g.get_mut(self.output.index()) {
            *o = 1.0;
        }
        for step in self.steps.iter().take(k) {
            for c in &step.contributions {
                g[c.operand.index()] += c.contribution;
            }
        }
        g
    }

    /// The index of the step at which `node` has its final gradient (its own step), if it has one.
    pub fn step_of(&self, node: NodeId) -> Option<usize> {
        self.steps.iter().position(|s| s.node == node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::op::Unary;

    #[test]
    fn trace_of_a_reused_node_shows_accumulation() {
        // f = a*b + a: a receives b from the mul and 1 from the add
        let mut g = Graph::new();
        let a = g.leaf(3.0);
        let b = g.leaf(4.0);
        let m = g.mul(a, b);
        let f = g.add(m, a);
        let t = g.backward_trace(f);
        assert_eq!(t.steps[0].node, f);
        assert_eq!(t.steps[0].upstream, 1.0);
        // the add step gives a its first share, the mul step adds to it
        let add_to_a = &t.steps[0].contributions[1];
        assert!(!add_to_a.accumulates);
        assert!(add_to_a.shared); // a's first share is still a share of its total
        let mul_step = &t.steps[1];
        assert_eq!(mul_step.node, m);
        let mul_to_a = &mul_step.contributions[0];
        assert!(mul_to_a.accumulates);
        assert_eq!(mul_to_a.before, 1.0);
        assert_eq!(mul_to_a.contribution, 4.0); // ∂f/∂m · b = 1 · 4
        assert_eq!(g.grad(a), 5.0); // b + 1
    }

    #[test]
    fn replay_equals_backward() {
        let mut g = Graph::new();
        let x = g.leaf(0.3);
        let t = g.unary(Unary::Tanh, x);
        let s = g.mul(t, x);
        let f = g.binary(crate::scalar::op::Binary::Max, s, x);
        let trace = g.backward_trace(f);
        let replay = trace.grads_after(g.len(), trace.steps.len());
        for id in g.ids() {
            assert_eq!(replay[id.index()], g.grad(id));
        }
    }

    #[test]
    fn constants_take_no_gradient_and_have_no_step() {
        let mut g = Graph::new();
        let x = g.leaf(2.0);
        let two = g.constant(2.0);
        let f = g.mul(two, x);
        let t = g.backward_trace(f);
        assert!(t.steps.iter().all(|s| s.node != two));
        assert_eq!(t.steps[0].contributions.len(), 1);
        assert_eq!(g.grad(two), 0.0);
    }
}
