//! Hints for a wrong gradient: which rule of backward flow the learner's number missed, without the result.
//!
//! The gradient at a node `n` is `∂f/∂n = Σ_c ∂f/∂c · ∂c/∂n` over the nodes `c` that use it. The hint compares the
//! learner's number with the pieces of that sum: the same number with the other sign ("check the sign"), the local
//! derivative alone without the upstream factor ("multiply by the upstream gradient"), a value used more than once
//! ("the shares add"), and otherwise names the rule of the gate that uses `n` (add passes the gradient unchanged, mul
//! swaps its inputs, max routes it to the larger input) and the quantities it takes. A hint is the first wrong try's
//! help: it never states the answer, nor a quantity that equals it (`∂(q·z)/∂q is z` without `= -4` when the upstream
//! gradient is 1); the second wrong try reveals the answer. Nodes are named as the trace and the explanation name them
//! (`q`, `mul#2`).

use crate::scalar::explain::name;
use crate::scalar::{Binary, Graph, NodeId, Op, fmt_num};

/// Relative tolerance of a learner's answer: `|a − e| ≤ ANSWER_TOLERANCE · max(|e|, floor)`, so two to three
/// significant digits are enough (0.197 for 0.1966, 0.0134 for 0.01335, but not 0.0156).
pub const ANSWER_TOLERANCE: f64 = 0.02;

/// The scale below which the tolerance stops shrinking, unless a question sets its own (`floor = ...` in the lesson
/// file): an answer of 0 must be within `0.02 · 0.001 = 2e-5`.
pub const DEFAULT_FLOOR: f64 = 1e-3;

/// Whether a learner's `answer` agrees with the engine's `expected` within [`ANSWER_TOLERANCE`], with the default floor.
pub fn agrees(answer: f64, expected: f64) -> bool {
    agrees_within(answer, expected, DEFAULT_FLOOR)
}

/// Whether `answer` agrees with `expected`: `|a − e| ≤ ANSWER_TOLERANCE · max(|e|, floor)`.
pub fn agrees_within(answer: f64, expected: f64, floor: f64) -> bool {
    answer.is_finite() && (answer - expected).abs() <= ANSWER_TOLERANCE * expected.abs().max(floor)
}

/// The nodes that use `node` as an operand, with its position among their operands, in creation order. O(nodes).
pub fn consumers(graph: &Graph, node: NodeId) -> Vec<(NodeId, usize)> {
    let mut out = Vec::new();
    for id in graph.ids() {
        for (pos, op) in graph.operands(id).into_iter().enumerate() {
            if op == node {
                out.push((id, pos));
            }
        }
    }
    out
}

/// The local derivative `∂c/∂n` of consumer `c` with respect to its operand at `position`.
fn local(graph: &Graph, c: NodeId, position: usize) -> f64 {
    match graph.op(c) {
        Op::Unary(u, a) => u.local(graph.value(NodeId(a)), graph.value(c)),
        Op::Binary(b, x, y) => {
            let (da, db) = b.local(graph.value(NodeId(x)), graph.value(NodeId(y)), graph.value(c));
            if position == 0 { da } else { db }
        }
        Op::Leaf | Op::Const => 0.0,
    }
}

/// A hint for `answer` as `∂out/∂node` with the default tolerance ([`hint_within`]).
pub fn hint(graph: &Graph, output: NodeId, node: NodeId, answer: f64) -> String {
    hint_within(graph, output, node, answer, DEFAULT_FLOOR)
}

/// A hint for `answer` as `∂out/∂node`, worked out from the ops that use the node and the learner's number; the
/// graph's gradients must be those of a backward pass from `output`. For a right answer, says so (with the answer);
/// for a wrong one, names the rule and the quantities to use, never the result nor a number equal to it.
pub fn hint_within(graph: &Graph, output: NodeId, node: NodeId, answer: f64, floor: f64) -> String {
    let n = name(graph, node);
    let f = name(graph, output);
    let expected = graph.grad(node);
    let agrees = |a: f64, e: f64| agrees_within(a, e, floor);
    if agrees(answer, expected) {
        return format!("right: ∂{f}/∂{n} = {}", fmt_num(expected));
    }
    if !answer.is_finite() {
        return "type a number, e.g. -4 or 0.2".into();
    }
    if expected != 0.0 && agrees(-answer, expected) {
        return format!(
            "check the sign: the size is right, the sign is not (∂{f}/∂{n} = upstream × local: which is negative?)"
        );
    }
    if node == output {
        return format!("{n} is the output: how does {n} change when {n} itself moves by 1?");
    }
    let reach = graph.ancestors(output);
    let uses: Vec<(NodeId, usize)> = consumers(graph, node).into_iter().filter(|(c, _)| reach[c.index()]).collect();
    let Some(&(c, pos)) = uses.first() else {
        return format!("{f} does not depend on {n}: nothing flows back to it");
    };
    if uses.len() > 1 {
        return shares_hint(graph, &n, &uses, answer, floor);
    }
    let upstream = graph.grad(c);
    let l = local(graph, c, pos);
    let cn = name(graph, c);
    let hinted = Hinted { graph, expected, floor, f: &f, n: &n };
    let up = hinted.quantity(format!("the upstream gradient ∂{f}/∂{cn}"), upstream);
    if !agrees(upstream, 1.0) && agrees(answer, l) {
        return format!(
            "multiply by the upstream gradient: ∂{f}/∂{n} = ∂{f}/∂{cn} · ∂{cn}/∂{n}, and you gave ∂{cn}/∂{n} alone; {up}"
        );
    }
    hinted.gate_rule(c, pos, &up)
}

/// The hint for a node used more than once: its gradient is the sum of every use's share; a learner who found one
/// share is shown the shares to add.
fn shares_hint(graph: &Graph, n: &str, uses: &[(NodeId, usize)], answer: f64, floor: f64) -> String {
    let share = |&(c, p): &(NodeId, usize)| graph.grad(c) * local(graph, c, p);
    let users: Vec<String> = uses.iter().map(|&(c, _)| name(graph, c)).collect();
    let head = format!(
        "{n} is used {} times (by {}): its gradient is the sum of the shares every use sends back (+=)",
        uses.len(),
        users.join(", ")
    );
    // a learner who found one share knows how to compute them: the shares are the quantities to add
    if uses.iter().any(|u| agrees_within(answer, share(u), floor)) {
        let shares: Vec<String> = uses.iter().map(|u| fmt_num(share(u))).collect();
        return format!("{head}: {}", shares.join(" + "));
    }
    format!("{head}; each share is that use's upstream gradient × its local derivative")
}

/// What a hint about `∂f/∂n` knows: the graph, the expected gradient (which no quantity it names may show) and the
/// tolerance's floor.
struct Hinted<'a> {
    graph: &'a Graph,
    expected: f64,
    floor: f64,
    f: &'a str,
    n: &'a str,
}

impl Hinted<'_> {
    /// A quantity the hint names, with its number only when that number is not itself the answer (of either sign).
    fn quantity(&self, label: String, v: f64) -> String {
        let agrees = |a: f64| agrees_within(a, self.expected, self.floor);
        if agrees(v) || agrees(-v) { label } else { format!("{label} = {}", fmt_num(v)) }
    }

    /// The rule of the gate `c` that uses `n` as its operand at `pos`, with the quantities it takes; `up` names the
    /// upstream gradient.
    fn gate_rule(&self, c: NodeId, pos: usize, up: &str) -> String {
        let (graph, f, n) = (self.graph, self.f, self.n);
        let cn = name(graph, c);
        match graph.op(c) {
            Op::Binary(Binary::Add, ..) => {
                format!("add passes the gradient unchanged: ∂{f}/∂{n} is the upstream gradient ∂{f}/∂{cn}")
            }
            Op::Binary(Binary::Sub, ..) => format!(
                "subtract passes the upstream gradient ∂{f}/∂{cn} to its left input and its negative to its right \
                 input; {n} is its {} input",
                if pos == 0 { "left" } else { "right" }
            ),
            Op::Binary(Binary::Mul, x, y) if graph.op(NodeId(if pos == 0 { y } else { x })) == Op::Const => {
                format!("mul by a constant scales the gradient: ∂{f}/∂{n} is the constant on the gate {cn} times {up}")
            }
            Op::Binary(Binary::Mul, x, y) => {
                let other = NodeId(if pos == 0 { y } else { x });
                let on = name(graph, other);
                format!(
                    "mul swaps its inputs: ∂({}·{})/∂{n} is the other input's value, {}; then multiply by {up}",
                    name(graph, NodeId(x)),
                    name(graph, NodeId(y)),
                    self.quantity(on, graph.value(other)),
                )
            }
            Op::Binary(b @ (Binary::Max | Binary::Min), x, y) => {
                let which = if b == Binary::Max { "larger" } else { "smaller" };
                let (xn, yn) = (NodeId(x), NodeId(y));
                format!(
                    "{} routes the gradient to the {which} input (half to each on a tie, as PyTorch): compare {} and {}, \
                     then take the share of {up} that reaches {n}",
                    b.symbol(),
                    self.quantity(name(graph, xn), graph.value(xn)),
                    self.quantity(name(graph, yn), graph.value(yn)),
                )
            }
            Op::Binary(b, x, _) => {
                let (da, db) = b.local_formulas();
                format!(
                    "the local derivative of {} for its {} operand {n} is {} (a = {}, b = {}); multiply it by {up}",
                    b.symbol(),
                    if pos == 0 { "first" } else { "second" },
                    if pos == 0 { da } else { db },
                    name(graph, NodeId(x)),
                    name(graph, graph.operands(c)[1]),
                )
            }
            Op::Unary(u, _) => format!(
                "the local derivative of {} is {}, with a = {n}; evaluate it there and multiply it by {up}",
                u.name(),
                u.local_formula(),
            ),
            Op::Leaf | Op::Const => format!("∂{f}/∂{n} flows back through {cn}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::compile;

    fn node(g: &Graph, name: &str) -> NodeId {
        g.ids().rev().find(|&i| g.label(i) == Some(name)).expect("the test names an existing node")
    }

    /// Whether `text` holds a number that agrees with `v` (the leak a first hint must not have).
    fn states(text: &str, v: f64) -> bool {
        crate::lesson::leak::numbers(text).into_iter().any(|n| agrees(n, v))
    }

    #[test]
    fn mul_swaps_names_the_other_input_but_not_its_value_when_that_is_the_answer() {
        let p = compile("x = -2; y = 5; z = -4; q = x + y; f = q * z", &[]).unwrap();
        let q = node(&p.graph, "q");
        // ∂f/∂q = z = -4 (upstream 1): a learner who answers q's own value 3 forgot the swap; "z = -4" would be the
        // answer itself
        let h = hint(&p.graph, p.output, q, 3.0);
        assert!(h.starts_with("mul swaps its inputs: ∂(q·z)/∂q is the other input's value, z;"), "{h}");
        assert!(!states(&h, -4.0), "{h}");
        assert!(hint(&p.graph, p.output, q, -4.0).starts_with("right"));
    }

    #[test]
    fn add_passes_and_sign_and_upstream_without_the_result() {
        let p = compile("x = -2; y = 5; z = -4; q = x + y; f = q * z", &[]).unwrap();
        let x = node(&p.graph, "x");
        // ∂f/∂x = ∂f/∂q · 1 = -4; answering 2 is neither the sign flip nor the local derivative 1.
        let h = hint(&p.graph, p.output, x, 2.0);
        assert_eq!(h, "add passes the gradient unchanged: ∂f/∂x is the upstream gradient ∂f/∂q");
        // 4 is -(-4): a sign error, said without the number
        let h = hint(&p.graph, p.output, x, 4.0);
        assert!(h.starts_with("check the sign") && !states(&h, -4.0) && !states(&h, 4.0), "{h}");
        // 1 is add's local derivative alone, without the upstream -4 (which is the answer: not stated)
        let h = hint(&p.graph, p.output, x, 1.0);
        assert!(h.starts_with("multiply by the upstream gradient"), "{h}");
        assert!(!states(&h, -4.0), "{h}");
    }

    #[test]
    fn a_sigmoid_hint_names_the_formula_not_its_value() {
        // σ'(0) = 0.25 with upstream 1: the old hint said "= 0.25; ... gives 0.25"
        let p = compile("x = 0; f = sigmoid(x)", &[]).unwrap();
        let h = hint(&p.graph, p.output, node(&p.graph, "x"), 0.5);
        assert!(h.contains("σ(a)·(1 - σ(a))") && !states(&h, 0.25), "{h}");
    }

    #[test]
    fn fan_out_says_the_shares_add_whatever_the_wrong_answer() {
        // f = x*x + x at x = 3: ∂f/∂x = 2x + 1 = 7; 3 is the share of one use of the mul.
        let p = compile("x = 3; f = x*x + x", &[]).unwrap();
        let x = node(&p.graph, "x");
        let h = hint(&p.graph, p.output, x, 3.0);
        assert!(h.starts_with("x is used 3 times (by mul#1, mul#1, f): its gradient is the sum of the shares"), "{h}");
        assert!(h.ends_with(": 3 + 3 + 1"), "{h}");
        // a wrong answer that is no share still hears that the shares add, not one share as the gradient
        let h = hint(&p.graph, p.output, x, 0.0);
        assert!(h.contains("is the sum of the shares") && !states(&h, 7.0), "{h}");
        // max(z, w) with z = 2 > w = -1: w gets none of the gradient (0), a learner saying 2 is told max routes.
        let p = compile("x = 3; y = -4; z = 2; w = -1; f = 2*(x*y + max(z, w))", &[]).unwrap();
        let h = hint(&p.graph, p.output, node(&p.graph, "w"), 2.0);
        assert!(h.starts_with("max routes the gradient to the larger input"), "{h}");
    }

    #[test]
    fn hints_name_nodes_as_the_trace_does_and_the_output_by_its_name() {
        // the unnamed mul is mul#2 in the trace and the explanation, not "*#2" nor "n1"; the output is loss, not f
        let p = compile("a = 3; b = -2; loss = (a * b) + b", &[]).unwrap();
        let h = hint(&p.graph, p.output, node(&p.graph, "a"), 5.0);
        assert!(h.contains("∂(a·b)/∂a") && h.contains("∂loss/∂mul#2") && !h.contains("*#"), "{h}");
    }

    #[test]
    fn tolerance_is_relative_with_a_floor() {
        assert!(agrees(0.197, 0.1966119332)); // |0.197 - 0.1966| = 0.0004 ≤ 0.02 · 0.1966
        assert!(!agrees(0.25, 0.1966119332));
        // 0.25³ = 0.0156 is the naive product, not three sigmoids' 0.01335
        assert!(!agrees(0.015625, 0.01335));
        assert!(agrees(0.0134, 0.01335));
        assert!(agrees(0.0, 0.0));
        assert!(!agrees(f64::NAN, 0.0));
        // a question's own floor: 0 counts for 4.54e-5 only when the file says so
        assert!(!agrees(0.0, 4.54e-5));
        assert!(agrees_within(0.0, 4.54e-5, 0.0025));
    }
}
