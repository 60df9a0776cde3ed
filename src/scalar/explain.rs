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
}
