//! The tape: a graph of scalar nodes stored in creation order, which is always a topological order because a node can
//! only be made from nodes that already exist.
//!
//! Each node holds its op (with its operands in order), its value and its gradient: 32 bytes. Labels (the program's
//! names) are kept apart so that large graphs built from code pay nothing for them, and packed so that a program's
//! graph pays little: all their text in one string, and a 12-byte entry (node, start, length) per label, sorted by
//! node. A parser labels nodes in creation order, so each label is an append; a label is found by binary search.
//!
//! Forward is one pass in index order; backward is one pass in reverse index order over the nodes the output depends
//! on, `grad[a] += grad[n] · ∂n/∂a` (the chain rule), both O(nodes).

use super::op::{Binary, Op, Unary};

/// The index of a node in its graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index as a `usize`.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One node of the tape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    /// What computes it, with its operands.
    pub op: Op,
    /// Its value after the latest forward pass.
    pub value: f64,
    /// `∂output/∂node` after the latest backward pass (0 before one, and for nodes the output does not use).
    pub grad: f64,
    /// Set during backward when some node the output depends on uses this one; it sits in the padding after `op`, so
    /// a node stays 32 bytes.
    reached: bool,
}

/// The labels of a graph: their text end to end, and per label its node and its place in the text, sorted by node.
#[derive(Clone, Debug, Default)]
struct Labels {
    text: String,
    spans: Vec<Span>,
}

#[derive(Clone, Copy, Debug)]
struct Span {
    node: u32,
    start: u32,
    len: u32,
}

impl Labels {
    /// Where `node`'s entry is (`Ok`) or would go (`Err`). O(1) for the last node, O(log labels) otherwise.
    fn find(&self, node: u32) -> Result<usize, usize> {
        match self.spans.last() {
            None => Err(0),
            Some(last) if last.node < node => Err(self.spans.len()),
            Some(last) if last.node == node => Ok(self.spans.len() - 1),
            Some(_) => self.spans.binary_search_by_key(&node, |s| s.node),
        }
    }

    fn get(&self, node: u32) -> Option<&str> {
        let s = self.spans[self.find(node).ok()?];
        Some(&self.text[s.start as usize..(s.start + s.len) as usize])
    }

    /// Labels `node` with `name` followed by `suffix`; a replaced label's text stays in the string unused (labels
    /// are rarely replaced).
    fn set(&mut self, node: u32, name: &str, suffix: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        self.text.push_str(suffix);
        // a parser refuses programs large enough to overflow this (see `expr::MAX_SOURCE`)
        let offset = |n: usize| u32::try_from(n).expect("labels hold fewer than 4 GiB of text");
        let (start, end) = (offset(start), offset(self.text.len()));
        let span = Span { node, start, len: end - start };
        match self.find(node) {
            Ok(i) => self.spans[i] = span,
            Err(i) => self.spans.insert(i, span),
        }
    }
}

/// A scalar computational graph.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    labels: Labels,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty graph with room for `n` nodes (no reallocation while building that many).
    pub fn with_capacity(n: usize) -> Self {
        Self { nodes: Vec::with_capacity(n), labels: Labels::default() }
    }

    /// Makes room for `nodes` more nodes and `labels` more labels, if the memory is there: a parser that knows upper
    /// bounds from its text avoids every reallocation (and the copy each one makes). Returns false, and reserves
    /// nothing, when the allocator refuses; the graph then grows as it goes.
    pub fn try_reserve(&mut self, nodes: usize, labels: usize) -> bool {
        let ok = self.nodes.try_reserve_exact(nodes).is_ok() && self.labels.spans.try_reserve_exact(labels).is_ok();
        if !ok {
            self.nodes.shrink_to_fit();
            self.labels.spans.shrink_to_fit();
        }
        ok
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// All nodes in creation (topological) order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// One node.
    #[inline]
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// Node ids in creation order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = NodeId> + ExactSizeIterator + use<> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// A node's value.
    #[inline]
    pub fn value(&self, id: NodeId) -> f64 {
        self.nodes[id.index()].value
    }

    /// A node's gradient from the latest backward pass.
    #[inline]
    pub fn grad(&self, id: NodeId) -> f64 {
        self.nodes[id.index()].grad
    }

    /// A node's op.
    #[inline]
    pub fn op(&self, id: NodeId) -> Op {
        self.nodes[id.index()].op
    }

    /// The operands of a node, in order.
    pub fn operands(&self, id: NodeId) -> Vec<NodeId> {
        self.nodes[id.index()].op.operands().map(NodeId).collect()
    }

    /// The program's name for a node, if it has one.
    pub fn label(&self, id: NodeId) -> Option<&str> {
        self.labels.get(id.0)
    }

    /// Names a node (or renames it). O(1) when the node is the highest labelled so far, as when a parser labels
    /// nodes as it makes them; O(labels) otherwise.
    pub fn set_label(&mut self, id: NodeId, label: impl AsRef<str>) {
        self.labels.set(id.0, label.as_ref(), "");
    }

    /// Names a node `name` followed by `suffix` (a version subscript, say), without building the string first.
    pub fn set_label_parts(&mut self, id: NodeId, name: &str, suffix: &str) {
        self.labels.set(id.0, name, suffix);
    }

    /// The name the tutor shows everywhere (explanations, the canvas, lessons, the command line's JSON): the label if
    /// there is one, a constant's value (`2`), else the op's word and the node's index (`add#4`, `tanh#7`). The `#`
    /// cannot appear in a program's names, so an unnamed gate is never read as a neuron (`l1.n2`) or a variable.
    pub fn display_name(&self, id: NodeId) -> String {
        match self.label(id) {
            Some(l) => l.to_owned(),
            None => match self.op(id) {
                Op::Const => crate::scalar::fmt_num(self.value(id)),
                op => format!("{}#{}", op.word(), id.0),
            },
        }
    }

    fn push(&mut self, op: Op, value: f64) -> NodeId {
        let id = u32::try_from(self.nodes.len()).expect("a graph holds fewer than 2³² nodes");
        self.nodes.push(Node { op, value, grad: 0.0, reached: false });
        NodeId(id)
    }

    /// A new input with a value; it gets a gradient.
    pub fn leaf(&mut self, value: f64) -> NodeId {
        self.push(Op::Leaf, value)
    }

    /// A new named input.
    pub fn named_leaf(&mut self, name: &str, value: f64) -> NodeId {
        let id = self.leaf(value);
        self.set_label(id, name);
        id
    }

    /// A new constant (no gradient is propagated into it).
    pub fn constant(&mut self, value: f64) -> NodeId {
        self.push(Op::Const, value)
    }

    /// A new node `u(a)`, its value computed now.
    #[inline]
    pub fn unary(&mut self, u: Unary, a: NodeId) -> NodeId {
        let v = u.forward(self.value(a));
        self.push(Op::Unary(u, a.0), v)
    }

    /// A new node `b(x, y)`, its value computed now.
    #[inline]
    pub fn binary(&mut self, b: Binary, x: NodeId, y: NodeId) -> NodeId {
        let v = b.forward(self.value(x), self.value(y));
        self.push(Op::Binary(b, x.0, y.0), v)
    }

    /// `a + b`
    pub fn add(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(Binary::Add, a, b)
    }

    /// `a * b`
    pub fn mul(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(Binary::Mul, a, b)
    }

    /// Sets a leaf's (or constant's) value; call [`Graph::forward`] to recompute the rest.
    pub fn set_value(&mut self, id: NodeId, value: f64) {
        self.nodes[id.index()].value = value;
    }

    /// Recomputes every node's value from the leaves and constants, in index order. O(nodes).
    pub fn forward(&mut self) {
        for i in 0..self.nodes.len() {
            self.nodes[i].value = self.eval_node(i);
        }
    }

    #[inline]
    fn eval_node(&self, i: usize) -> f64 {
        let n = &self.nodes[i];
        match n.op {
            Op::Leaf | Op::Const => n.value,
            Op::Unary(u, a) => u.forward(self.nodes[a as usize].value),
            Op::Binary(b, x, y) => b.forward(self.nodes[x as usize].value, self.nodes[y as usize].value),
        }
    }

    /// Recomputes the nodes after `from` with `from`'s value replaced by `value`, and returns `output`'s value; the
    /// graph is left as it was. This is how a numerical gradient of an intermediate node is taken.
    pub fn output_with(&mut self, from: NodeId, value: f64, output: NodeId) -> f64 {
        let saved: Vec<f64> = self.nodes[from.index()..].iter().map(|n| n.value).collect();
        self.nodes[from.index()].value = value;
        for i in from.index() + 1..=output.index().max(from.index()) {
            self.nodes[i].value = self.eval_node(i);
        }
        let out = self.nodes[output.index()].value;
        for (n, v) in self.nodes[from.index()..].iter_mut().zip(saved) {
            n.value = v;
        }
        out
    }

    /// Every node's value up to `output` with `from`'s value replaced by `value` and the nodes after it recomputed;
    /// the graph is left as it was. O(nodes).
    pub fn values_with(&mut self, from: NodeId, value: f64, output: NodeId) -> Vec<f64> {
        let saved: Vec<f64> = self.nodes[from.index()..].iter().map(|n| n.value).collect();
        self.nodes[from.index()].value = value;
        for i in from.index() + 1..=output.index().max(from.index()) {
            self.nodes[i].value = self.eval_node(i);
        }
        let values = self.nodes[..=output.index()].iter().map(|n| n.value).collect();
        for (n, v) in self.nodes[from.index()..].iter_mut().zip(saved) {
            n.value = v;
        }
        values
    }

    /// Which nodes the output depends on (including itself). O(nodes).
    pub fn ancestors(&self, output: NodeId) -> Vec<bool> {
        let mut reach = vec![false; output.index() + 1];
        reach[output.index()] = true;
        for i in (0..=output.index()).rev() {
            if reach[i] {
                for a in self.nodes[i].op.operands() {
                    reach[a as usize] = true;
                }
            }
        }
        reach
    }

    /// Backpropagates from `output`: sets every node's gradient to `∂output/∂node` (0 for nodes the output does not
    /// use and for constants). As PyTorch, a zero upstream gradient still multiplies its local derivative, so
    /// `0 · ∞` gives NaN rather than hiding a singularity. Calling it twice gives the same gradients. Two passes over
    /// the nodes, no allocation.
    pub fn backward(&mut self, output: NodeId) {
        for n in &mut self.nodes {
            n.grad = 0.0;
            n.reached = false;
        }
        let nodes = &mut self.nodes[..=output.index()];
        nodes[output.index()].grad = 1.0;
        nodes[output.index()].reached = true;
        // Reverse creation order is a reverse topological order: when node i is visited, every node using it has
        // been, so its gradient is complete, and it is reachable from the output exactly when one of them reached it.
        for i in (0..nodes.len()).rev() {
            let n = nodes[i];
            if !n.reached {
                continue;
            }
            match n.op {
                Op::Leaf => {}
                // Constants take no gradient (PyTorch's numbers don't require grad); contributions that arrived are
                // dropped here, once all of them have.
                Op::Const => nodes[i].grad = 0.0,
                Op::Unary(u, a) => {
                    let a = &mut nodes[a as usize];
                    a.grad += n.grad * u.local(a.value, n.value);
                    a.reached = true;
                }
                Op::Binary(b, x, y) => {
                    let (x, y) = (x as usize, y as usize);
                    let (dx, dy) = b.local(nodes[x].value, nodes[y].value, n.value);
                    nodes[x].grad += n.grad * dx;
                    nodes[x].reached = true;
                    nodes[y].grad += n.grad * dy;
                    nodes[y].reached = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lecture_circuit_by_hand() {
        // slides 30-42: q = x + y, f = q * z at x=-2, y=5, z=-4
        let mut g = Graph::new();
        let x = g.named_leaf("x", -2.0);
        let y = g.named_leaf("y", 5.0);
        let z = g.named_leaf("z", -4.0);
        let q = g.add(x, y);
        let f = g.mul(q, z);
        assert_eq!(g.value(q), 3.0); // -2 + 5
        assert_eq!(g.value(f), -12.0); // 3 * -4
        g.backward(f);
        assert_eq!(g.grad(z), 3.0); // ∂f/∂z = q
        assert_eq!(g.grad(q), -4.0); // ∂f/∂q = z
        assert_eq!(g.grad(x), -4.0); // ∂f/∂x = ∂f/∂q · 1
        assert_eq!(g.grad(y), -4.0);
        // twice gives the same
        g.backward(f);
        assert_eq!(g.grad(x), -4.0);
    }

    #[test]
    fn node_used_twice_accumulates() {
        // f = a * a: ∂f/∂a = 2a = 6 at a = 3
        let mut g = Graph::new();
        let a = g.leaf(3.0);
        let f = g.mul(a, a);
        g.backward(f);
        assert_eq!(g.grad(a), 6.0);
    }

    #[test]
    fn output_with_restores_the_graph() {
        let mut g = Graph::new();
        let x = g.leaf(2.0);
        let s = g.unary(Unary::Exp, x);
        let f = g.mul(s, x);
        let before = g.value(f);
        let moved = g.output_with(s, 1.0, f);
        assert_eq!(moved, 2.0); // 1 * x
        assert_eq!(g.value(f), before);
    }

    #[test]
    fn labels_in_any_order_and_a_refused_reservation() {
        let mut g = Graph::new();
        assert!(!g.try_reserve(usize::MAX / 64, 0), "no allocator gives 2⁶³ bytes");
        assert!(g.try_reserve(4, 4));
        let ids: Vec<NodeId> = (0..4).map(|i| g.leaf(f64::from(i))).collect();
        // the parser's order (ascending) is an append; any other order still lands sorted
        g.set_label(ids[2], "c");
        g.set_label(ids[0], "a");
        g.set_label_parts(ids[3], "d", "₁");
        g.set_label(ids[2], "c2");
        let labels: Vec<Option<&str>> = ids.iter().map(|&id| g.label(id)).collect();
        assert_eq!(labels, vec![Some("a"), None, Some("c2"), Some("d₁")]);
        // the unnamed leaf is named by its op and index
        assert_eq!(g.display_name(ids[1]), "input#1");
    }

    #[test]
    fn a_node_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Node>(), 32);
    }
}
