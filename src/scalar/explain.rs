//! The chain rule in words and numbers, for each forward and backward step: the text the explanation panel and
//! `chainrule trace` show. Forward: `q = x + y = -2 + 5 = 3`. Backward: `∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4`,
//! with `+=` where a node used twice accumulates.

use super::backward::{BackwardStep, Contribution};
use super::graph::{Graph, NodeId};
use super::op::{Op, Unary};

/// A number as the tutor shows it: at most 6 significant digits, no trailing zeros, `-0` as `0`.
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞".into() } else { "-∞".into() };
    }
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs();
    if !(1e-4..1e7).contains(&mag) {
        let s = format!("{v:.5e}");
        let (m, e) = s.split_once('e').expect("{:e} formatting always has an exponent");
        let m = m.trim_end_matches('0').trim_end_matches('.');
        return format!("{m}e{e}");
    }
    let decimals = (5 - mag.log10().floor() as i32).clamp(0, 10) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s };
    if s == "-0" { "0".into() } else { s }
}

/// A number with at most `sig` significant digits (at least 1), trailing zeros dropped: `fmt_sig(-0.5344, 3)` is
/// `-0.534`. For the graph canvas, where wires have room for a few characters; the panels use [`fmt_num`].
pub fn fmt_sig(v: f64, sig: usize) -> String {
    if !v.is_finite() || v == 0.0 {
        return fmt_num(v);
    }
    let sig = sig.max(1);
    let mag = v.abs();
    if !(1e-3..1e6).contains(&mag) {
        let s = format!("{v:.prec$e}", prec = sig - 1);
        let (m, e) = s.split_once('e').expect("{:e} formatting always has an exponent");
        let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
        return format!("{m}e{e}");
    }
    let decimals = (sig as i32 - 1 - mag.log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s };
    if s == "-0" { "0".into() } else { s }
}

/// A node's name in formulas: its label, or `n` with its index.
pub fn name(g: &Graph, id: NodeId) -> String {
    match g.label(id) {
        Some(l) => l.to_owned(),
        None => match g.op(id) {
            Op::Const => fmt_num(g.value(id)),
            _ => format!("n{}", id.0),
        },
    }
}

fn wrap(s: String) -> String {
    if s.starts_with('-') { format!("({s})") } else { s }
}

/// The expression computing a node, over the given operand texts: `x + y`, `tanh(a)`, `max(z, w)`.
fn expression(op: Op, operands: &[String]) -> String {
    match op {
        Op::Leaf | Op::Const => String::new(),
        Op::Unary(Unary::Neg, _) => format!("-{}", operands[0]),
        Op::Unary(u, _) => format!("{}({})", u.name(), operands[0]),
        Op::Binary(b, _, _) if b.is_call() => format!("{}({}, {})", b.symbol(), operands[0], operands[1]),
        Op::Binary(b, _, _) => format!("{} {} {}", operands[0], b.symbol(), operands[1]),
    }
}

/// The forward step for one node: `q = x + y = -2 + 5 = 3`, or `x = -2 (input)`.
pub fn forward_text(g: &Graph, id: NodeId) -> String {
    let op = g.op(id);
    let me = name(g, id);
    match op {
        Op::Leaf => format!("{me} = {} (input)", fmt_num(g.value(id))),
        Op::Const => format!("{me} (constant)"),
        _ => {
            let ops = g.operands(id);
            let names: Vec<String> = ops.iter().map(|&a| name(g, a)).collect();
            let values: Vec<String> = ops
                .iter()
                .map(|&a| {
                    let v = fmt_num(g.value(a));
                    if matches!(op, Op::Unary(Unary::Neg, _)) { wrap(v) } else { v }
                })
                .collect();
            format!("{me} = {} = {} = {}", expression(op, &names), expression(op, &values), fmt_num(g.value(id)))
        }
    }
}

/// The chain-rule line for one contribution: `∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4`, with `+=` and the new total
/// when the operand accumulates.
pub fn contribution_text(g: &Graph, output: NodeId, step: &BackwardStep, c: &Contribution) -> String {
    let f = name(g, output);
    let n = name(g, step.node);
    let a = name(g, c.operand);
    let assign = if c.accumulates { "+=" } else { "=" };
    let mut s = format!(
        "∂{f}/∂{a} {assign} ∂{f}/∂{n} · ∂{n}/∂{a} = {} · {} = {}",
        fmt_num(step.upstream),
        fmt_num(c.local),
        fmt_num(c.contribution)
    );
    if c.accumulates {
        s.push_str(&format!(
            "  (total {} + {} = {})",
            fmt_num(c.before),
            wrap(fmt_num(c.contribution)),
            fmt_num(c.before + c.contribution)
        ));
    }
    s
}

/// The local derivative as a formula with the operand's name: `∂q/∂x = 1`, `∂s/∂a = σ(a)·(1 - σ(a))`.
pub fn local_formula(g: &Graph, node: NodeId, position: usize) -> String {
    let op = g.op(node);
    let formula = match op {
        Op::Leaf | Op::Const => return String::new(),
        Op::Unary(u, _) => u.local_formula().to_owned(),
        Op::Binary(b, _, _) => {
            let (fa, fb) = b.local_formulas();
            (if position == 0 { fa } else { fb }).to_owned()
        }
    };
    let ops = g.operands(node);
    let mut named = formula;
    // Substitute the operands' names for `a` and `b` (single letters only, so `abs` or `ln` stay intact).
    let names: Vec<String> = ops.iter().map(|&o| name(g, o)).collect();
    named = substitute(&named, &names);
    format!("∂{}/∂{} = {}", name(g, node), name(g, ops[position]), named)
}

fn substitute(formula: &str, names: &[String]) -> String {
    let chars: Vec<char> = formula.chars().collect();
    let mut out = String::new();
    for (i, &ch) in chars.iter().enumerate() {
        let alone = |j: Option<&char>| j.is_none_or(|c| !c.is_alphanumeric() && *c != '_');
        let prev = if i == 0 { None } else { chars.get(i - 1) };
        let slot = match ch {
            'a' => Some(0),
            'b' => Some(1),
            _ => None,
        };
        match slot {
            Some(k) if k < names.len() && alone(prev) && alone(chars.get(i + 1)) => out.push_str(&names[k]),
            _ => out.push(ch),
        }
    }
    out
}

/// The whole backward step as lines: the upstream gradient, then one chain-rule line per operand.
pub fn backward_lines(g: &Graph, output: NodeId, step: &BackwardStep) -> Vec<String> {
    let f = name(g, output);
    let n = name(g, step.node);
    let mut lines = vec![if step.node == output {
        format!("∂{f}/∂{f} = 1 (the output)")
    } else {
        format!("∂{f}/∂{n} = {} (complete)", fmt_num(step.upstream))
    }];
    for c in &step.contributions {
        lines.push(contribution_text(g, output, step, c));
    }
    lines
}

/// The nudge experiment of slides 39-42: move one input by `h` and compare the linear prediction
/// `f + ∂f/∂x · h` with the true new output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Nudge {
    /// The output before the nudge.
    pub before: f64,
    /// `∂f/∂x` from the latest backward pass.
    pub grad: f64,
    /// The step added to the input.
    pub h: f64,
    /// `f + ∂f/∂x · h`.
    pub predicted: f64,
    /// The output recomputed with `x + h`.
    pub actual: f64,
    /// `actual - predicted`: zero where `f` is linear in `x`, O(h²) elsewhere.
    pub difference: f64,
}

/// Nudges `input` by `h` (the graph is left as it was; its gradients must be those of a backward pass from
/// `output`). O(nodes).
pub fn nudge(g: &mut Graph, output: NodeId, input: NodeId, h: f64) -> Nudge {
    let before = g.value(output);
    let grad = g.grad(input);
    let predicted = before + grad * h;
    let actual = g.output_with(input, g.value(input) + h, output);
    Nudge { before, grad, h, predicted, actual, difference: actual - predicted }
}

/// The nudge as the slides write it: the prediction, the true value and the difference.
pub fn nudge_lines(g: &Graph, output: NodeId, input: NodeId, n: &Nudge) -> Vec<String> {
    let f = name(g, output);
    let x = name(g, input);
    vec![
        format!(
            "predicted  {f} + ∂{f}/∂{x} · h = {} + {} · {} = {}",
            fmt_num(n.before),
            wrap(fmt_num(n.grad)),
            wrap(fmt_num(n.h)),
            fmt_num(n.predicted)
        ),
        format!("true       {f}({x} + h) = {}", fmt_num(n.actual)),
        format!("difference {}", fmt_num(n.difference)),
    ]
}

/// The relative error of the central difference against the analytical gradient of `node`, for each step in `hs`:
/// large h shows truncation error (O(h²)), tiny h shows round-off (O(ε/h)). O(nodes · hs).
pub fn error_vs_h(g: &mut Graph, node: NodeId, output: NodeId, hs: &[f64]) -> Vec<(f64, f64)> {
    let analytic = g.grad(node);
    hs.iter().map(|&h| (h, super::gradcheck::relative_error(analytic, g.numerical_grad(node, output, h)))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(-12.0), "-12");
        assert_eq!(fmt_num(0.7310585786300049), "0.731059");
        assert_eq!(fmt_num(-0.19661193324148185), "-0.196612");
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(1e-9), "1e-9");
        assert_eq!(fmt_num(24.70408163265306), "24.7041");
    }

    #[test]
    fn lecture_step_texts() {
        let mut g = Graph::new();
        let x = g.named_leaf("x", -2.0);
        let y = g.named_leaf("y", 5.0);
        let z = g.named_leaf("z", -4.0);
        let q = g.add(x, y);
        g.set_label(q, "q");
        let f = g.mul(q, z);
        g.set_label(f, "f");
        assert_eq!(forward_text(&g, q), "q = x + y = -2 + 5 = 3");
        let t = g.backward_trace(f);
        let add_step = &t.steps[t.step_of(q).unwrap()];
        assert_eq!(
            contribution_text(&g, f, add_step, &add_step.contributions[0]),
            "∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4"
        );
        assert_eq!(local_formula(&g, f, 0), "∂f/∂q = z");
    }

    #[test]
    fn nudge_as_slides_39_to_41() {
        // f = (x + y)z at x=-2, y=5, z=-4: nudging x by 1 predicts -12 + (-4)·1 = -16, exactly the true value
        let mut g = Graph::new();
        let x = g.named_leaf("x", -2.0);
        let y = g.named_leaf("y", 5.0);
        let z = g.named_leaf("z", -4.0);
        let q = g.add(x, y);
        let f = g.mul(q, z);
        g.set_label(f, "f");
        g.backward(f);
        let n = nudge(&mut g, f, x, 1.0);
        assert_eq!((n.predicted, n.actual, n.difference), (-16.0, -16.0, 0.0));
        // z: -12 + 3·1 = -9 (slide 41)
        let n = nudge(&mut g, f, z, 1.0);
        assert_eq!((n.predicted, n.actual), (-9.0, -9.0));
        assert_eq!(g.value(f), -12.0); // the graph is left as it was
        assert_eq!(nudge_lines(&g, f, z, &n)[0], "predicted  f + ∂f/∂z · h = -12 + 3 · 1 = -9");
    }

    #[test]
    fn nudge_of_a_curved_output_misses_by_order_h_squared() {
        // f = x·x at 3: prediction 9 + 6·0.1 = 9.6, truth 9.61, difference h² = 0.01
        let mut g = Graph::new();
        let x = g.named_leaf("x", 3.0);
        let f = g.mul(x, x);
        g.backward(f);
        let n = nudge(&mut g, f, x, 0.1);
        assert!((n.difference - 0.01).abs() < 1e-12);
    }

    #[test]
    fn error_vs_h_shows_truncation_and_round_off() {
        // f = exp(x) at 1: the error is smallest near h ~ 1e-5 and grows both ways
        let mut g = Graph::new();
        let x = g.leaf(1.0);
        let f = g.unary(Unary::Exp, x);
        g.backward(f);
        let e = error_vs_h(&mut g, x, f, &[1e-1, 1e-5, 1e-12]);
        assert!(e[1].1 < e[0].1 && e[1].1 < e[2].1, "{e:?}");
        assert!(e[0].1 > 1e-4); // truncation: h²/6 ≈ 1.7e-3
    }

    #[test]
    fn short_numbers_for_the_canvas() {
        assert_eq!(fmt_sig(-0.5344466, 3), "-0.534"); // cs231n's exp node gradient
        assert_eq!(fmt_sig(0.36787944, 3), "0.368");
        assert_eq!(fmt_sig(-12.0, 3), "-12");
        assert_eq!(fmt_sig(24.70408, 3), "24.7");
        assert_eq!(fmt_sig(645.577, 3), "646");
        assert_eq!(fmt_sig(1234567.0, 3), "1.23e6");
        assert_eq!(fmt_sig(-0.0004, 3), "-4e-4");
        assert_eq!(fmt_sig(0.0, 3), "0");
    }
}
