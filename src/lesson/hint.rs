//! Hints for a wrong gradient: which rule of backward flow the learner's number missed.
//!
//! The gradient at a node `n` is `∂f/∂n = Σ_c ∂f/∂c · ∂c/∂n` over the nodes `c` that use it. The hint compares the
//! learner's number with the pieces of that sum: the same number with the other sign ("check the sign"), the local
//! derivative alone without the upstream factor ("multiply by the upstream gradient"), one share of several uses
//! ("add the gradients from every use"), and otherwise names the rule of the gate that uses `n` (add passes the
//! gradient unchanged, mul swaps its inputs, max routes it to the larger input).

use crate::scalar::{Binary, Graph, NodeId, Op, fmt_num};

/// Relative tolerance of a learner's answer: `|a − e| ≤ ANSWER_TOLERANCE · max(|e|, 0.25)`, so two significant digits
/// are enough (0.20 for 0.1966) and an answer of 0 must be within 0.005.
pub const ANSWER_TOLERANCE: f64 = 0.02;

/// Whether a learner's `answer` agrees with the engine's `expected` within [`ANSWER_TOLERANCE`].
pub fn agrees(answer: f64, expected: f64) -> bool {
    answer.is_finite() && (answer - expected).abs() <= ANSWER_TOLERANCE * expected.abs().max(0.25)
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

/// A hint for `answer` as `∂f/∂node`, worked out from the op that uses the node and the learner's number; the
/// graph's gradients must be those of the output asked about (after [`Graph::backward`]). For a right answer, says so.
pub fn hint(graph: &Graph, node: NodeId, answer: f64) -> String {
    let name = graph.display_name(node);
    let expected = graph.grad(node);
    if agrees(answer, expected) {
        return format!("right: ∂f/∂{name} = {}", fmt_num(expected));
    }
    if !answer.is_finite() {
        return "type a number, e.g. -4 or 0.2".into();
    }
    if expected != 0.0 && agrees(-answer, expected) {
        return format!("check the sign: the size is right, but ∂f/∂{name} is {}", fmt_num(expected));
    }
    let uses = consumers(graph, node);
    let Some(&(c, pos)) = uses.first() else {
        return format!("{name} is the output: ∂f/∂f = 1");
    };
    if uses.len() > 1 {
        let shares: Vec<String> = uses.iter().map(|&(c, p)| fmt_num(graph.grad(c) * local(graph, c, p))).collect();
        if uses.iter().any(|&(c, p)| agrees(answer, graph.grad(c) * local(graph, c, p))) {
            return format!(
                "{name} is used {} times: add the gradients from every use (+=): {}",
                uses.len(),
                shares.join(" + ")
            );
        }
    }
    let upstream = graph.grad(c);
    let l = local(graph, c, pos);
    let cname = graph.display_name(c);
    if uses.len() == 1 && !agrees(upstream, 1.0) && agrees(answer, l) {
        return format!(
            "multiply by the upstream gradient: ∂f/∂{name} = ∂f/∂{cname} · ∂{cname}/∂{name} = {} · {}",
            fmt_num(upstream),
            fmt_num(l)
        );
    }
    match graph.op(c) {
        Op::Binary(Binary::Add, ..) => {
            format!("add passes the gradient unchanged: ∂f/∂{name} = ∂f/∂{cname} = {}", fmt_num(upstream))
        }
        Op::Binary(Binary::Mul, x, y) => {
            let other = NodeId(if pos == 0 { y } else { x });
            let oname = graph.display_name(other);
            let mut s = format!(
                "mul swaps its inputs: ∂({}·{})/∂{name} is {oname} = {}",
                graph.display_name(NodeId(x)),
                graph.display_name(NodeId(y)),
                fmt_num(graph.value(other))
            );
            if !agrees(upstream, 1.0) {
                s.push_str(&format!(", times the upstream gradient {}", fmt_num(upstream)));
            }
            s
        }
        Op::Binary(b @ (Binary::Max | Binary::Min), ..) => {
            let which = if b == Binary::Max { "larger" } else { "smaller" };
            let got = if l == 0.0 {
                "none of it"
            } else if l == 1.0 {
                "all of it"
            } else {
                "half of it (a tie)"
            };
            format!(
                "{} routes the gradient to the {which} input: {name} gets {got}, ∂f/∂{name} = {}",
                b.symbol(),
                fmt_num(expected)
            )
        }
        Op::Binary(b, ..) => format!(
            "the local derivative of {} here is {}; times the upstream gradient {} gives {}",
            b.symbol(),
            fmt_num(l),
            fmt_num(upstream),
            fmt_num(upstream * l)
        ),
        Op::Unary(u, _) => format!(
            "the local derivative of {} is {} = {}; times the upstream gradient {} gives {}",
            u.name(),
            u.local_formula(),
            fmt_num(l),
            fmt_num(upstream),
            fmt_num(upstream * l)
        ),
        Op::Leaf | Op::Const => format!("∂f/∂{name} is {}", fmt_num(expected)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::compile;

    fn node(g: &Graph, name: &str) -> NodeId {
        g.ids().rev().find(|&i| g.label(i) == Some(name)).expect("the test names an existing node")
    }

    #[test]
    fn mul_swaps_names_the_other_input() {
        let p = compile("x = -2; y = 5; z = -4; q = x + y; f = q * z", &[]).unwrap();
        let q = node(&p.graph, "q");
        // ∂f/∂q = z = -4; a learner who answers q's own value 3 forgot the swap.
        let h = hint(&p.graph, q, 3.0);
        assert!(h.starts_with("mul swaps its inputs"), "{h}");
        assert!(h.contains("z = -4"), "{h}");
        assert!(hint(&p.graph, q, -4.0).starts_with("right"));
    }

    #[test]
    fn add_passes_and_sign_and_upstream() {
        let p = compile("x = -2; y = 5; z = -4; q = x + y; f = q * z", &[]).unwrap();
        let x = node(&p.graph, "x");
        // ∂f/∂x = ∂f/∂q · 1 = -4; answering 2 is neither the sign flip nor the local derivative 1.
        assert!(hint(&p.graph, x, 2.0).starts_with("add passes the gradient unchanged"));
        // 4 is -(-4): a sign error.
        assert!(hint(&p.graph, x, 4.0).starts_with("check the sign"));
        // 1 is add's local derivative alone, without the upstream -4.
        assert!(hint(&p.graph, x, 1.0).starts_with("multiply by the upstream gradient"));
    }

    #[test]
    fn fan_out_and_max() {
        // f = x*x + x at x = 3: ∂f/∂x = 2x + 1 = 7; 3 is the share of one use of the mul.
        let p = compile("x = 3; f = x*x + x", &[]).unwrap();
        let h = hint(&p.graph, node(&p.graph, "x"), 3.0);
        assert!(h.contains("add the gradients from every use"), "{h}");
        // max(z, w) with z = 2 > w = -1: w gets none of the gradient (0), a learner saying 2 is told max routes.
        let p = compile("x = 3; y = -4; z = 2; w = -1; f = 2*(x*y + max(z, w))", &[]).unwrap();
        let h = hint(&p.graph, node(&p.graph, "w"), 2.0);
        assert!(h.starts_with("max routes the gradient to the larger input"), "{h}");
    }

    #[test]
    fn tolerance() {
        assert!(agrees(0.20, 0.1966119332)); // |0.20 - 0.1966| = 0.0034 ≤ 0.02 · 0.25
        assert!(!agrees(0.25, 0.1966119332));
        assert!(agrees(0.0, 0.0));
        assert!(!agrees(f64::NAN, 0.0));
    }
}
