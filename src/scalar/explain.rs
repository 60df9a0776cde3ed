//! The chain rule in words and numbers, for each forward and backward step: the text the explanation panel and
//! `chainrule trace` show. Forward: `q = x + y = (-2) + 5 = 3`, negative operands bracketed (`(-1) ^ 2 = 1`).
//! Backward, upstream × local = downstream: `∂f/∂x = upstream (-4) × local 1 = -4`, with `+=` and the running total
//! for every share of an operand used more than once. Each step's notes name the pattern it shows (slides on the add,
//! max and mul gates), and each gradient's sign is read as a nudge (slides 39-41).
//!
//! Where a NaN or an infinity first appears, the step says why in words ([`first_non_finite`], [`forward_trouble`],
//! [`backward_trouble`]): `log of a negative number (-1) is undefined`, `division by zero`, `exp(800) overflows f64`.
//! Every node after it inherits the NaN or the infinity; only the first is marked.

use serde::Serialize;

use super::backward::{BackwardStep, BackwardTrace, Contribution};
use super::graph::{Graph, NodeId};
use super::op::{Binary, Op, Unary};

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

/// A node's name in formulas: its label, a constant's value, or its op and index (`mul#2`, `exp#4`): see
/// [`Graph::display_name`]. Unnamed gates never read as neurons (`l1.n2`) or as the program's variables.
pub fn name(g: &Graph, id: NodeId) -> String {
    g.display_name(id)
}

/// A negative operand in brackets, so that the printed arithmetic reads as the language parses it: `(-1) ^ 2 = 1`
/// (while `-1 ^ 2` is `-(1 ^ 2) = -1`).
fn wrap(s: String) -> String {
    if s.starts_with('-') { format!("({s})") } else { s }
}

/// A number as an operand of a printed formula: [`fmt_num`], bracketed when negative.
pub fn operand(v: f64) -> String {
    wrap(fmt_num(v))
}

/// The expression computing a node, over the given operand texts: `x + y`, `tanh(a)`, `max(z, w)`. Negative operands
/// of an infix operator or of a negation are bracketed (`2 - (-4)`, `-(-2)`); a call's own brackets suffice.
fn expression(op: Op, operands: &[String]) -> String {
    match op {
        Op::Leaf | Op::Const => String::new(),
        Op::Unary(Unary::Neg, _) => format!("-{}", wrap(operands[0].clone())),
        Op::Unary(u, _) => format!("{}({})", u.name(), operands[0]),
        Op::Binary(b, _, _) if b.is_call() => format!("{}({}, {})", b.symbol(), operands[0], operands[1]),
        Op::Binary(b, _, _) => {
            format!("{} {} {}", wrap(operands[0].clone()), b.symbol(), wrap(operands[1].clone()))
        }
    }
}

/// How a node is computed, over its operands' names only (`q = x + y`, `tanh#1 = tanh(a)`, `x (input)`): what a node
/// shows before the forward pass reaches it.
pub fn formula_text(g: &Graph, id: NodeId) -> String {
    let me = name(g, id);
    match g.op(id) {
        Op::Leaf => format!("{me} (input)"),
        Op::Const => format!("{me} (constant)"),
        op => {
            let names: Vec<String> = g.operands(id).iter().map(|&a| name(g, a)).collect();
            format!("{me} = {}", expression(op, &names))
        }
    }
}

/// The forward step for one node: `q = x + y = (-2) + 5 = 3`, `n = a ^ 2 = (-1) ^ 2 = 1`, or `x = -2 (input)`.
pub fn forward_text(g: &Graph, id: NodeId) -> String {
    let op = g.op(id);
    let me = name(g, id);
    match op {
        Op::Leaf => format!("{me} = {} (input)", fmt_num(g.value(id))),
        Op::Const => format!("{me} (constant)"),
        _ => {
            let ops = g.operands(id);
            let names: Vec<String> = ops.iter().map(|&a| name(g, a)).collect();
            let values: Vec<String> = ops.iter().map(|&a| fmt_num(g.value(a))).collect();
            format!("{me} = {} = {} = {}", expression(op, &names), expression(op, &values), fmt_num(g.value(id)))
        }
    }
}

/// The local derivative `∂node/∂operand` for the operand at `position`, from the node's current operand values.
pub fn local_value(g: &Graph, node: NodeId, position: usize) -> f64 {
    let value = |i: u32| g.value(NodeId(i));
    match g.op(node) {
        Op::Leaf | Op::Const => 0.0,
        Op::Unary(u, a) => u.local(value(a), g.value(node)),
        Op::Binary(b, x, y) => {
            let (dx, dy) = b.local(value(x), value(y), g.value(node));
            if position == 0 { dx } else { dy }
        }
    }
}

/// The local rule's formula for the operand at `position` (`b`, `-a/b²`, `σ(a)·(1 - σ(a))`) with `a` and `b`
/// replaced by the given texts.
fn local_rule(g: &Graph, node: NodeId, position: usize, operands: &[String]) -> String {
    let formula = match g.op(node) {
        Op::Leaf | Op::Const => return String::new(),
        Op::Unary(u, _) => u.local_formula(),
        Op::Binary(b, _, _) => {
            let (fa, fb) = b.local_formulas();
            if position == 0 { fa } else { fb }
        }
    };
    substitute(formula, operands)
}

/// The local rule over the operands' names: `z` for `∂(q·z)/∂q`, `-num/den²` for `∂(num/den)/∂den`.
fn local_named(g: &Graph, node: NodeId, position: usize) -> String {
    let names: Vec<String> = g.operands(node).iter().map(|&o| name(g, o)).collect();
    local_rule(g, node, position, &names)
}

/// The local rule in words and numbers: the formula over the names, with the operands' values plugged in, and its
/// value, each shown once: `z = -4`, `σ(dot)·(1 - σ(dot)) = σ(1)·(1 - σ(1)) = 0.196612`, `1`.
pub fn local_text(g: &Graph, node: NodeId, position: usize) -> String {
    let named = local_named(g, node, position);
    let value = fmt_num(local_value(g, node, position));
    let mut parts = vec![named.clone()];
    // A rule with cases (`1 if a > 0 else 0`) reads worse with numbers in it: its value says which case applies.
    if !named.contains(" if ") {
        let values: Vec<String> = g.operands(node).iter().map(|&o| operand(g.value(o))).collect();
        let plugged = local_rule(g, node, position, &values);
        if plugged != named && plugged != value && plugged != wrap(value.clone()) {
            parts.push(plugged);
        }
    }
    if value != named {
        parts.push(value);
    }
    parts.join(" = ")
}

/// The local derivative for the operand at `position`, named by the operand and the rule with its numbers rather
/// than by a `∂` symbol (which would collide with the total gradient where the node is the output, or where it uses
/// one operand twice): `local for x: 1`, `local for q: z = -4`, `local for x (2nd use): x = 3`.
pub fn local_formula(g: &Graph, node: NodeId, position: usize) -> String {
    let ops = g.operands(node);
    if ops.is_empty() {
        return String::new();
    }
    let who = match ops.as_slice() {
        [a, b] if a == b => format!("{} ({} use)", name(g, *a), ["1st", "2nd"][position.min(1)]),
        _ => name(g, ops[position]),
    };
    format!("local for {who}: {}", local_text(g, node, position))
}

/// Replaces the whole tokens `a` and `b` of a formula by `operands[0]` and `operands[1]` (bracketed when negative). A
/// token is a run of ASCII letters, digits and `_`, so `abs`, `exp` and `ln` stay intact while the `b` of `b²` (a
/// superscript is no part of a name) is replaced; the `a` of `½ on a tie` is a word and stays.
fn substitute(formula: &str, operands: &[String]) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut rest = formula;
    while let Some(c) = rest.chars().next() {
        if is_word(c) {
            let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
            let token = &rest[..end];
            // The article of `½ on a tie` is a word, not an operand.
            let slot = match token {
                "a" if !rest[end..].starts_with(" tie") => Some(0),
                "b" => Some(1),
                _ => None,
            };
            match slot.and_then(|k| operands.get(k)) {
                Some(text) => {
                    // a call's own brackets suffice: `σ(-1)`, not `σ((-1))`
                    let bare = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')).unwrap_or(text);
                    let in_call = out.ends_with('(') && rest[end..].starts_with(')');
                    out.push_str(&if in_call { bare.to_owned() } else { wrap(bare.to_owned()) });
                }
                None => out.push_str(token),
            }
            rest = &rest[end..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The chain-rule line for one contribution, its two factors named: `∂f/∂x = upstream (-4) × local 1 = -4`,
/// `∂f/∂q = upstream 1 × local z = 1 × (-4) = -4`. An operand used more than once receives each of its shares with
/// `+=` and the running total, the first included: `∂f/∂x += upstream 1 × local x = 1 × 3 = 3  (total 0 + 3 = 3)`.
pub fn contribution_text(g: &Graph, output: NodeId, step: &BackwardStep, c: &Contribution) -> String {
    let f = name(g, output);
    let a = name(g, c.operand);
    let assign = if c.shared { "+=" } else { "=" };
    let up = operand(step.upstream);
    let local = operand(c.local);
    let named = local_named(g, step.node, c.position);
    // a rule with cases is one factor: `local (1 if z > w, ½ on a tie, else 0) = 2 × 1`
    let named = if named.contains(" if ") { format!("({named})") } else { named };
    let mut s = format!("∂{f}/∂{a} {assign} upstream {up} × local ");
    if named == fmt_num(c.local) {
        s.push_str(&local);
    } else {
        s.push_str(&format!("{named} = {up} × {local}"));
    }
    s.push_str(&format!(" = {}", fmt_num(c.contribution)));
    if c.shared {
        s.push_str(&format!(
            "  (total {} + {} = {})",
            operand(c.before),
            operand(c.contribution),
            fmt_num(c.before + c.contribution)
        ));
    }
    s
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

/// The sign of a gradient read as a nudge (slides 39-41): `∂f/∂q = -4: raising q a little lowers f about four times
/// as much`. Where `node` sits on a kink or a tie on its way to the output (`relu(x)` at x = 0, `max(z, w)` at z = w)
/// there is no one slope: the reading gives both one-sided slopes and names the gradient as PyTorch's convention.
/// None for the output itself, for a gradient that is not a number, and where the node's or the output's value is
/// not (a slope read off a NaN means nothing). O(nodes), and a copy of the graph at a kink.
pub fn sign_reading(g: &Graph, output: NodeId, node: NodeId, grad: f64) -> Option<String> {
    if node == output || !grad.is_finite() || !g.value(node).is_finite() || !g.value(output).is_finite() {
        return None;
    }
    let (f, q) = (name(g, output), name(g, node));
    let head = format!("∂{f}/∂{q} = {}", fmt_num(grad));
    if let Some((left, right)) = one_sided_slopes(g, output, node) {
        return Some(format!(
            "{head} is PyTorch's convention at a kink: {q} sits where a gate's slope jumps (a kink or a tie), so              raising {q} a little changes {f} by about {} times as much, lowering it by about {} times as much",
            fmt_sig(right, 4),
            fmt_sig(left, 4)
        ));
    }
    if grad == 0.0 {
        return Some(format!("{head}: nudging {q} a little leaves {f} unchanged, to first order"));
    }
    let direction = if grad > 0.0 { "raises" } else { "lowers" };
    let m = grad.abs();
    const WORDS: [&str; 11] = ["", "", "twice", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    let how = if m == 1.0 {
        "about as much".to_owned()
    } else if m == 2.0 {
        "about twice as much".to_owned()
    } else if m.fract() == 0.0 && m <= 10.0 {
        format!("about {} times as much", WORDS[m as usize])
    } else {
        format!("about {} times as much", fmt_num(m))
    };
    Some(format!("{head}: raising {q} a little {direction} {f} {how}"))
}

/// Whether a gate that `node` reaches on its way to `output` sits exactly on its kink (relu, leaky relu, abs, selu at
/// 0) or on a tie (max, min). O(nodes).
fn on_kink(g: &Graph, output: NodeId, node: NodeId) -> bool {
    let reach = g.ancestors(output);
    let mut downstream = vec![false; g.len()];
    downstream[node.index()] = true;
    for id in g.ids().skip(node.index() + 1).take(output.index().saturating_sub(node.index())) {
        let ops = g.operands(id);
        downstream[id.index()] = reach[id.index()] && ops.iter().any(|a| downstream[a.index()]);
        if !downstream[id.index()] {
            continue;
        }
        let at_kink = match g.op(id) {
            Op::Unary(u, a) => u.kink().is_some_and(|k| g.value(NodeId(a)) == k && downstream[a as usize]),
            Op::Binary(Binary::Max | Binary::Min, x, y) => {
                g.value(NodeId(x)) == g.value(NodeId(y)) && (downstream[x as usize] || downstream[y as usize])
            }
            _ => false,
        };
        if at_kink {
            return true;
        }
    }
    false
}

/// The slopes of the output just left and just right of `node`'s value, (left, right), where `node` sits on a kink
/// or a tie on its way to the output; None elsewhere. One-sided differences with a step of 1e-7 (relative).
pub fn one_sided_slopes(g: &Graph, output: NodeId, node: NodeId) -> Option<(f64, f64)> {
    if !on_kink(g, output, node) {
        return None;
    }
    let mut g = g.clone();
    let v = g.value(node);
    let h = 1e-7 * v.abs().max(1.0);
    let f0 = g.value(output);
    let hi = g.output_with(node, v + h, output);
    let lo = g.output_with(node, v - h, output);
    let round = |s: f64| (s * 1e6).round() / 1e6;
    Some((round((f0 - lo) / h), round((hi - f0) / h)))
}

/// Below this a sigmoid's or tanh's local gradient has nearly killed the gradient (slide 68).
pub const NEARLY_KILLED: f64 = 0.01;

/// What the step teaches beyond its arithmetic, shown where it happens: the backward-flow pattern of the gate with
/// its numbers (add distributes, subtract distributes with a sign, mul swaps and scales, max and min route), where a
/// value forks that its gradients add, a saturated sigmoid or tanh, and a fused sigmoid's local derivative multiplied
/// out through its expanded gates.
pub fn step_notes(g: &Graph, output: NodeId, step: &BackwardStep) -> Vec<String> {
    let mut notes = Vec::new();
    notes.extend(backward_trouble(g, output, step));
    notes.extend(gate_pattern(g, step));
    notes.extend(kink_note(g, step));
    notes.extend(fork_notes(g, output, step));
    notes.extend(saturation_note(g, step));
    notes.extend(expanded_sigmoid_note(g, step));
    notes
}

/// The gate's backward-flow pattern with its numbers: add distributes, subtract distributes with a sign, mul swaps
/// and scales, max and min route.
fn gate_pattern(g: &Graph, step: &BackwardStep) -> Option<String> {
    let up = operand(step.upstream);
    let receivers: Vec<String> = step.contributions.iter().map(|c| name(g, c.operand)).collect();
    match g.op(step.node) {
        Op::Binary(Binary::Add, ..) if !receivers.is_empty() => {
            let who = if receivers.len() == 2 && receivers[0] == receivers[1] {
                format!("{} gets it once for each use", receivers[0])
            } else if receivers.len() == 2 {
                format!("{} and {} each get it", receivers[0], receivers[1])
            } else {
                format!("{} gets it (a constant takes none)", receivers[0])
            };
            Some(format!("add distributes: the upstream {up} passes unchanged, {who}"))
        }
        Op::Binary(Binary::Sub, ..) if !receivers.is_empty() => {
            let shares: Vec<String> = step
                .contributions
                .iter()
                .map(|c| format!("{} gets {}", name(g, c.operand), operand(c.contribution)))
                .collect();
            Some(format!("subtract distributes with a sign: {}", shares.join(", ")))
        }
        Op::Binary(Binary::Mul, x, y) if !receivers.is_empty() => {
            let shares: Vec<String> = step
                .contributions
                .iter()
                .map(|c| {
                    let other = NodeId(if c.position == 0 { y } else { x });
                    format!(
                        "{} gets upstream × {} = {up} × {} = {}",
                        name(g, c.operand),
                        name(g, other),
                        operand(g.value(other)),
                        fmt_num(c.contribution)
                    )
                })
                .collect();
            Some(format!("mul swaps and scales: {}", shares.join("; ")))
        }
        Op::Binary(b @ (Binary::Max | Binary::Min), x, y) => Some(routing(g, b, NodeId(x), NodeId(y), &up)),
        _ => None,
    }
}

/// How max or min routes the upstream `up`: all of it to the winner, or half each on a tie (as PyTorch does).
fn routing(g: &Graph, b: Binary, xa: NodeId, ya: NodeId, up: &str) -> String {
    let (na, nb) = (name(g, xa), name(g, ya));
    let (va, vb) = (g.value(xa), g.value(ya));
    let (op, larger) = if b == Binary::Max { ("max", "larger") } else { ("min", "smaller") };
    let a_wins = if b == Binary::Max { va > vb } else { va < vb };
    let b_wins = if b == Binary::Max { vb > va } else { vb < va };
    if a_wins || b_wins {
        let (w, wv, l, lv) = if a_wins { (&na, va, &nb, vb) } else { (&nb, vb, &na, va) };
        format!(
            "{op} routes: {w} = {} is {larger} than {l} = {}, so {w} gets all of the upstream {up} and {l} gets 0",
            fmt_num(wv),
            fmt_num(lv)
        )
    } else {
        format!(
            "{op} routes: {na} and {nb} tie at {}, so each gets half of the upstream {up} (as PyTorch does)",
            fmt_num(va)
        )
    }
}

/// A unary op whose operand sits exactly on its kink: the slope taken there (PyTorch's).
fn kink_note(g: &Graph, step: &BackwardStep) -> Option<String> {
    let (Op::Unary(u, a), Some(c)) = (g.op(step.node), step.contributions.first()) else {
        return None;
    };
    u.kink().is_some_and(|k| g.value(NodeId(a)) == k).then(|| {
        format!(
            "{} = {} sits on {}'s kink, where the slope jumps: the lecture leaves the slope there open, this tool takes \
             PyTorch's, {}",
            name(g, NodeId(a)),
            fmt_num(g.value(NodeId(a))),
            u.name(),
            fmt_num(c.local)
        )
    })
}

/// One note per operand used more than once: its gradients add.
fn fork_notes(g: &Graph, output: NodeId, step: &BackwardStep) -> Vec<String> {
    let f = name(g, output);
    let mut notes = Vec::new();
    let mut forked: Vec<NodeId> = Vec::new();
    for c in step.contributions.iter().filter(|c| c.shared) {
        if forked.contains(&c.operand) {
            continue;
        }
        forked.push(c.operand);
        let a = name(g, c.operand);
        notes.push(format!(
            "gradients add where a value forks: {a} is used more than once, so ∂{f}/∂{a} is the sum of its shares"
        ));
    }
    notes
}

/// A sigmoid or tanh whose local gradient is below [`NEARLY_KILLED`]: saturated.
fn saturation_note(g: &Graph, step: &BackwardStep) -> Option<String> {
    let (Op::Unary(u @ (Unary::Sigmoid | Unary::Tanh), a), Some(c)) = (g.op(step.node), step.contributions.first())
    else {
        return None;
    };
    (c.local.abs() < NEARLY_KILLED).then(|| {
        format!(
            "nearly killed: {}'s local gradient {} is below {NEARLY_KILLED}, so almost none of the upstream reaches \
             {}: the {} is saturated (slide 68)",
            u.name(),
            fmt_num(c.local),
            name(g, NodeId(a)),
            u.name()
        )
    })
}

/// A fused sigmoid's local derivative as the product of its four expanded gates' locals.
fn expanded_sigmoid_note(g: &Graph, step: &BackwardStep) -> Option<String> {
    let Op::Unary(Unary::Sigmoid, a) = g.op(step.node) else {
        return None;
    };
    let x = g.value(NodeId(a));
    let e = (-x).exp();
    let d = 1.0 + e;
    let factors = [-1.0, e, 1.0, -1.0 / (d * d)];
    let product: f64 = factors.iter().product();
    let numbers: Vec<String> = factors.iter().map(|&v| operand(v)).collect();
    let a = name(g, NodeId(a));
    Some(format!(
        "expanded, sigmoid({a}) = 1/(1 + exp(-{a})) is four gates, -{a}, exp, 1 + and 1/x, whose locals multiply \
         out to the same number: (-1) × exp(-{a}) × 1 × (-1/(1 + exp(-{a}))²) = {} = {}",
        numbers.join(" × "),
        fmt_num(product)
    ))
}

/// Why a node's value is not finite although its operands are, in words; None if its value is finite or an operand's
/// is not (it only inherits the trouble). The largest f64 is about 1.8e308 = e^709.78.
pub fn forward_trouble(g: &Graph, id: NodeId) -> Option<String> {
    let v = g.value(id);
    if v.is_finite() || g.operands(id).iter().any(|&a| !g.value(a).is_finite()) {
        return None;
    }
    let me = name(g, id);
    let at = |i: u32| g.value(NodeId(i));
    let overflow = |text: String| format!("{me} = {text} overflows f64 (its largest number is about 1.8e308)");
    let why = match g.op(id) {
        Op::Leaf | Op::Const => format!("{me} = {} is not a finite number", fmt_num(v)),
        Op::Unary(Unary::Log, a) if at(a) < 0.0 => {
            format!("{me} = log({}): log of a negative number ({}) is undefined", name(g, NodeId(a)), fmt_num(at(a)))
        }
        Op::Unary(Unary::Log, a) => format!("{me} = log({}): log of 0 is -∞", name(g, NodeId(a))),
        Op::Unary(Unary::Sqrt, a) => format!(
            "{me} = sqrt({}): the square root of a negative number ({}) is undefined",
            name(g, NodeId(a)),
            fmt_num(at(a))
        ),
        Op::Unary(Unary::Exp, a) => format!("{me}: exp({}) overflows f64 (above e^709.78)", fmt_num(at(a))),
        Op::Binary(Binary::Div, x, y) if at(y) == 0.0 && at(x) == 0.0 => {
            format!("{me} = {} / {}: division by zero, and 0 / 0 is undefined", name(g, NodeId(x)), name(g, NodeId(y)))
        }
        Op::Binary(Binary::Div, x, y) if at(y) == 0.0 => format!(
            "{me} = {} / {}: division by zero ({} / 0 is {})",
            name(g, NodeId(x)),
            name(g, NodeId(y)),
            fmt_num(at(x)),
            fmt_num(v)
        ),
        Op::Binary(Binary::Pow, x, y) if at(x) < 0.0 => format!(
            "{me} = ({})^{}: a negative number to a fractional power is undefined",
            fmt_num(at(x)),
            fmt_num(at(y))
        ),
        Op::Binary(Binary::Pow, x, y) if at(x) == 0.0 && at(y) < 0.0 => {
            format!("{me} = 0^{}: zero to a negative power is a division by zero", fmt_num(at(y)))
        }
        op @ (Op::Unary(..) | Op::Binary(..)) => {
            let values: Vec<String> = g.operands(id).iter().map(|&a| fmt_num(g.value(a))).collect();
            let text = expression(op, &values);
            if v.is_nan() { format!("{me} = {text} is undefined (NaN)") } else { overflow(text) }
        }
    };
    Some(why)
}

/// Why a backward step sends a NaN or an infinity although its upstream gradient is finite, in words; None if every
/// contribution is finite or the upstream is not (the step only passes the trouble on).
pub fn backward_trouble(g: &Graph, output: NodeId, step: &BackwardStep) -> Option<String> {
    if !step.upstream.is_finite() {
        return None;
    }
    let c = step.contributions.iter().find(|c| !c.contribution.is_finite())?;
    let (me, to, f) = (name(g, step.node), name(g, c.operand), name(g, output));
    Some(if c.local.is_nan() {
        format!(
            "the local derivative of {me} for {to}, {}, is undefined (NaN) at {to} = {}, so ∂{f}/∂{to} is undefined",
            local_text(g, step.node, c.position),
            fmt_num(g.value(c.operand)),
        )
    } else if !c.local.is_finite() {
        format!(
            "the local derivative of {me} for {to}, {}, is infinite at {to} = {}: the slope is vertical there, so \
             ∂{f}/∂{to} is infinite",
            local_text(g, step.node, c.position),
            fmt_num(g.value(c.operand)),
        )
    } else {
        format!(
            "upstream {} × local {} = {} overflows f64 (its largest number is about 1.8e308), so ∂{f}/∂{to} is not \
             finite",
            operand(step.upstream),
            operand(c.local),
            fmt_num(c.contribution)
        )
    })
}

/// Which pass first made a value that is not finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pass {
    /// A node's value.
    Forward,
    /// A gradient sent by a backward step.
    Backward,
}

/// The first node that makes a NaN or an infinity, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NonFinite {
    /// The node: the gate whose value (forward) or whose step (backward) is not finite.
    pub node: NodeId,
    /// Its name, as the explanations print it.
    pub label: String,
    /// Forward or backward.
    pub pass: Pass,
    /// The number it made: its value, or the gradient it sent.
    pub value: f64,
    /// Why, in words.
    pub reason: String,
}

/// The first node, among those `output` depends on, that makes a NaN or an infinity: in the forward pass (in tape
/// order), else in the backward pass (in the trace's order; pass the trace of a backward pass from `output`, or None
/// to skip the backward pass). None when every value and gradient is finite. O(nodes).
pub fn first_non_finite(g: &Graph, output: NodeId, trace: Option<&BackwardTrace>) -> Option<NonFinite> {
    let reach = g.ancestors(output);
    let forward = g.ids().take(output.index() + 1).filter(|id| reach[id.index()]).find_map(|id| {
        forward_trouble(g, id).map(|reason| NonFinite {
            node: id,
            label: name(g, id),
            pass: Pass::Forward,
            value: g.value(id),
            reason,
        })
    });
    forward.or_else(|| {
        trace?.steps.iter().find_map(|s| {
            let reason = backward_trouble(g, output, s)?;
            let value = s.contributions.iter().map(|c| c.contribution).find(|v| !v.is_finite())?;
            Some(NonFinite { node: s.node, label: name(g, s.node), pass: Pass::Backward, value, reason })
        })
    })
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
    /// `actual - predicted`: zero where `f` is linear in `x`, about ½·f''·h² where it curves, about h times the jump
    /// of the slope where the nudge crosses a kink.
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
            operand(n.before),
            wrap(fmt_num(n.grad)),
            wrap(fmt_num(n.h)),
            fmt_num(n.predicted)
        ),
        format!("true       {f}({x} + h) = {}", fmt_num(n.actual)),
        format!("difference {}", fmt_num(n.difference)),
    ]
}

/// What the nudge's difference means: nothing missed where `f` is linear in the input; about ½·f''·h² where it curves
/// (the first term the straight-line prediction leaves out); about h times the slope's jump where the nudge crosses a
/// kink. O(nodes).
pub fn nudge_note(g: &mut Graph, output: NodeId, input: NodeId, n: &Nudge) -> String {
    let (f, x) = (name(g, output), name(g, input));
    if !n.before.is_finite() || !n.grad.is_finite() {
        let what = if n.before.is_nan() || n.grad.is_nan() { "undefined (NaN)" } else { "infinite" };
        return format!("{f} or ∂{f}/∂{x} is {what} here: there is no slope to read, and no prediction.");
    }
    if let Some((left, right)) = one_sided_slopes(g, output, input) {
        return format!(
            "{x} sits on a kink or a tie on its way to {f}: there the slope is {} to the right and {} to the left, and \
             ∂{f}/∂{x} = {} is PyTorch's convention, neither of them; a nudge by h > 0 follows the right one.",
            fmt_sig(right, 4),
            fmt_sig(left, 4),
            fmt_num(n.grad)
        );
    }
    if n.difference == 0.0 {
        return format!("{f} is linear in {x} here: the gradient predicts the change exactly.");
    }
    let v = g.value(input);
    let before = g.values_with(input, v, output);
    let after = g.values_with(input, v + n.h, output);
    let reach = g.ancestors(output);
    match super::gradcheck::kink_between(g, &before, &after, &reach) {
        Some(_) => format!(
            "The nudge crosses a kink on the way from {x} to {x} + h: the slope jumps there, so the prediction misses \
             by about h times the jump, not by h²."
        ),
        None => "The gradient is a slope: the prediction misses by about ½·f''·h², the curvature's share (halve h and \
                 see the difference quarter)."
            .to_owned(),
    }
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
        // every negative operand is bracketed, the first one too
        assert_eq!(forward_text(&g, q), "q = x + y = (-2) + 5 = 3");
        let t = g.backward_trace(f);
        let add_step = &t.steps[t.step_of(q).unwrap()];
        // upstream ∂f/∂q = z = -4, local ∂q/∂x = 1
        assert_eq!(
            contribution_text(&g, f, add_step, &add_step.contributions[0]),
            "∂f/∂x = upstream (-4) × local 1 = -4"
        );
        // f's own step: upstream 1, local ∂f/∂q = z = -4; the local factor is named by its rule, not by ∂f/∂q again
        let f_step = &t.steps[0];
        assert_eq!(
            contribution_text(&g, f, f_step, &f_step.contributions[0]),
            "∂f/∂q = upstream 1 × local z = 1 × (-4) = -4"
        );
        assert_eq!(local_formula(&g, f, 0), "local for q: z = -4");
        // slides 39-41: the sign read as a nudge
        assert_eq!(
            sign_reading(&g, f, q, -4.0).unwrap(),
            "∂f/∂q = -4: raising q a little lowers f about four times as much"
        );
        assert_eq!(
            sign_reading(&g, f, z, 3.0).unwrap(),
            "∂f/∂z = 3: raising z a little raises f about three times as much"
        );
        assert_eq!(sign_reading(&g, f, f, 1.0), None);
        // the patterns at the step where they happen: add distributes, mul swaps and scales
        assert_eq!(
            step_notes(&g, f, add_step),
            ["add distributes: the upstream (-4) passes unchanged, x and y each get it"]
        );
        assert_eq!(
            step_notes(&g, f, f_step),
            ["mul swaps and scales: q gets upstream × z = 1 × (-4) = -4; z gets upstream × q = 1 × 3 = 3"]
        );
    }

    #[test]
    fn negative_operands_are_bracketed_as_the_grammar_reads() {
        // `-1 ^ 2` is -(1 ^ 2) = -1 in the language, so a = -1 squared must print as (-1) ^ 2 = 1
        let mut g = Graph::new();
        let a = g.named_leaf("a", -1.0);
        let two = g.constant(2.0);
        let n = g.binary(Binary::Pow, a, two);
        g.set_label(n, "n");
        assert_eq!(forward_text(&g, n), "n = a ^ 2 = (-1) ^ 2 = 1");
        // 2 - b with b = -4: 2 - (-4) = 6
        let b = g.named_leaf("b", -4.0);
        let c2 = g.constant(2.0);
        let d = g.binary(Binary::Sub, c2, b);
        g.set_label(d, "d");
        assert_eq!(forward_text(&g, d), "d = 2 - b = 2 - (-4) = 6");
        // 3 * -4 with a negative constant: the constant's name is bracketed too
        let three = g.named_leaf("t", 3.0);
        let m4 = g.constant(-4.0);
        let p = g.mul(three, m4);
        g.set_label(p, "p");
        assert_eq!(forward_text(&g, p), "p = t * (-4) = 3 * (-4) = -12");
        // -(-1): a negation of a negative value
        let neg = g.unary(Unary::Neg, a);
        g.set_label(neg, "m");
        assert_eq!(forward_text(&g, neg), "m = -a = -(-1) = 1");
        // a call's own brackets suffice
        let mx = g.binary(Binary::Max, a, b);
        g.set_label(mx, "k");
        assert_eq!(forward_text(&g, mx), "k = max(a, b) = max(-1, -4) = -1");
    }

    #[test]
    fn the_first_share_of_an_operand_used_twice_is_a_share() {
        // f = x·x at 3: each use sends 1 · 3 = 3; the first is printed as a share of the total 6
        let mut g = Graph::new();
        let x = g.named_leaf("x", 3.0);
        let f = g.mul(x, x);
        g.set_label(f, "f");
        let t = g.backward_trace(f);
        let step = &t.steps[0];
        assert_eq!(
            contribution_text(&g, f, step, &step.contributions[0]),
            "∂f/∂x += upstream 1 × local x = 1 × 3 = 3  (total 0 + 3 = 3)"
        );
        assert_eq!(
            contribution_text(&g, f, step, &step.contributions[1]),
            "∂f/∂x += upstream 1 × local x = 1 × 3 = 3  (total 3 + 3 = 6)"
        );
        // the local is not written ∂f/∂x, which is the total 6
        assert_eq!(local_formula(&g, f, 1), "local for x (2nd use): x = 3");
        assert!(
            step_notes(&g, f, step).iter().any(|n| n
                == "gradients add where a value forks: x is used more than once, so ∂f/∂x is the sum of its shares")
        );
        // x + x + x: three shares of 1
        let mut g = Graph::new();
        let x = g.named_leaf("x", 3.0);
        let s = g.add(x, x);
        let f = g.add(s, x);
        let t = g.backward_trace(f);
        let firsts: Vec<bool> =
            t.steps.iter().flat_map(|s| &s.contributions).filter(|c| c.operand == x).map(|c| c.shared).collect();
        assert_eq!(firsts, [true, true, true]);
    }

    #[test]
    fn division_substitutes_whole_names_before_the_square() {
        // cs231n's staged example: invden = 1 / den, ∂invden/∂den = -1/den²; den = σ(3) + (3 - 4)² = 1.952574
        let mut g = Graph::new();
        let x = g.named_leaf("x", 3.0);
        let y = g.named_leaf("y", -4.0);
        let sigx = g.unary(Unary::Sigmoid, x);
        let xpy = g.add(x, y);
        let two = g.constant(2.0);
        let xpysqr = g.binary(Binary::Pow, xpy, two);
        let den = g.add(sigx, xpysqr);
        g.set_label(den, "den");
        let one = g.constant(1.0);
        let invden = g.binary(Binary::Div, one, den);
        g.set_label(invden, "invden");
        // -1/1.952574² = -0.262292
        assert_eq!(local_formula(&g, invden, 1), "local for den: -1/den² = -1/1.95257² = -0.262292");
        // the numerator's: 1/b
        let num = g.named_leaf("num", 2.0);
        let q = g.binary(Binary::Div, num, den);
        assert!(
            local_formula(&g, q, 1).starts_with("local for den: -num/den² = -2/1.95257² = "),
            "{}",
            local_formula(&g, q, 1)
        );
        // the expanded sigmoid's 1/x gate: f = 1 / (1 + exp(-x)), the denominator unnamed
        let mut g = Graph::new();
        let x = g.named_leaf("x", 1.0);
        let s = g.unary(Unary::Sigmoid, x);
        g.set_label(s, "f");
        let (e, map) = g.expand();
        let f = map[s.index()];
        // 1 + e⁻¹ = 1.367879, -1/1.367879² = -0.534447 (cs231n's -0.53)
        assert_eq!(local_formula(&e, f, 1), "local for add#4: -1/add#4² = -1/1.36788² = -0.534447");
    }

    #[test]
    fn unnamed_nodes_are_named_by_op_and_index() {
        // f = 2·x + 3·x: x is node 0, the constants 1 and 3, the gates 2, 4 and 5
        let mut g = Graph::new();
        let x = g.named_leaf("x", 1.0);
        let two = g.constant(2.0);
        let a = g.mul(two, x);
        let three = g.constant(3.0);
        let b = g.mul(three, x);
        let f = g.add(a, b);
        assert_eq!([name(&g, a), name(&g, b), name(&g, f)], ["mul#2", "mul#4", "add#5"]);
        assert_eq!(name(&g, two), "2");
        // a label replaces the name; the others keep theirs (an index never shifts)
        g.set_label(a, "a");
        assert_eq!([name(&g, a), name(&g, b), name(&g, f)], ["a", "mul#4", "add#5"]);
        // never a neuron's name (`l1.n2`) nor a variable's: `#` is not allowed in a program's names
        assert!(crate::expr::compile("mul#4 = 1", &[]).map_or(true, |p| p.graph.label(p.output) != Some("mul#4")));
    }

    #[test]
    fn max_routes_and_a_tie_reads_half() {
        // max(z, w) with z = 2 > w = -1: all of the upstream to z; at a tie ½ each
        let mut g = Graph::new();
        let z = g.named_leaf("z", 2.0);
        let w = g.named_leaf("w", -1.0);
        let m = g.binary(Binary::Max, z, w);
        g.set_label(m, "m");
        let t = g.backward_trace(m);
        assert_eq!(
            step_notes(&g, m, &t.steps[0]),
            ["max routes: z = 2 is larger than w = -1, so z gets all of the upstream 1 and w gets 0"]
        );
        assert_eq!(local_formula(&g, m, 0), "local for z: 1 if z > w, ½ on a tie, else 0 = 1");
        let step = &t.steps[0];
        assert_eq!(
            contribution_text(&g, m, step, &step.contributions[1]),
            "∂m/∂w = upstream 1 × local (1 if w > z, ½ on a tie, else 0) = 1 × 0 = 0"
        );
        g.set_value(w, 2.0);
        g.forward();
        let t = g.backward_trace(m);
        assert_eq!(local_formula(&g, m, 1), "local for w: 1 if w > z, ½ on a tie, else 0 = 0.5");
        assert_eq!(
            step_notes(&g, m, &t.steps[0]),
            ["max routes: z and w tie at 2, so each gets half of the upstream 1 (as PyTorch does)"]
        );
        // on relu's kink the tool says whose convention it follows
        let mut g = Graph::new();
        let x = g.named_leaf("x", 0.0);
        let r = g.unary(Unary::Relu, x);
        let t = g.backward_trace(r);
        assert_eq!(
            step_notes(&g, r, &t.steps[0]),
            [
                "x = 0 sits on relu's kink, where the slope jumps: the lecture leaves the slope there open, this tool takes \
              PyTorch's, 0"
            ]
        );
    }

    /// A compiled program's graph (backward done), its output and the named node.
    fn compiled(src: &str, node: &str) -> (Graph, NodeId, NodeId) {
        let p = crate::expr::compile(src, &[]).unwrap();
        let id = p.graph.ids().rev().find(|&i| p.graph.label(i) == Some(node)).unwrap();
        (p.graph, p.output, id)
    }

    #[test]
    fn the_nudge_reading_at_a_kink_a_tie_and_a_nan() {
        // relu'(0) = 0 is PyTorch's convention: raising x by a little raises f = 3·relu(x) three times as much
        let (g, f, x) = compiled("x = 0; f = relu(x) * 3", "x");
        let r = sign_reading(&g, f, x, g.grad(x)).unwrap();
        assert!(!r.contains("unchanged"), "{r}");
        assert!(
            r.contains("PyTorch's convention") && r.contains("about 3 times") && r.contains("about 0 times"),
            "{r}"
        );
        let mut g2 = g.clone();
        let n = nudge(&mut g2, f, x, 0.1);
        let note = nudge_note(&mut g2, f, x, &n);
        assert!(note.contains("the slope is 3 to the right and 0 to the left") && note.contains("PyTorch"), "{note}");
        // a tie: ∂f/∂z = 3 · ½ = 1.5, but the slopes are 3 (z above w) and 0 (below)
        let (g, f, z) = compiled("z = 2; w = 2; f = 3 * max(z, w)", "z");
        let r = sign_reading(&g, f, z, g.grad(z)).unwrap();
        assert!(r.starts_with("∂f/∂z = 1.5 is PyTorch's convention") && !r.contains("raises f about 1.5"), "{r}");
        // away from the kink the plain reading stays
        let (g, f, x) = compiled("x = 2; f = relu(x) * 3", "x");
        assert_eq!(
            sign_reading(&g, f, x, g.grad(x)).unwrap(),
            "∂f/∂x = 3: raising x a little raises f about three times as much"
        );
        // log(-0.5) is NaN: no slope is read off it
        let (g, f, x) = compiled("x = -0.5; f = log(x)", "x");
        assert!(g.grad(x).is_finite() && sign_reading(&g, f, x, g.grad(x)).is_none());
        let mut g2 = g.clone();
        let n = nudge(&mut g2, f, x, 0.1);
        assert!(nudge_note(&mut g2, f, x, &n).contains("undefined (NaN) here: there is no slope to read"));
    }

    #[test]
    fn a_nan_gradient_is_undefined_and_an_infinite_one_infinite() {
        // d/db a^b = a^b · ln(a) with a = -2: NaN, not a vertical slope
        let mut p = crate::expr::compile("a = -2; b = 3; f = a ^ b", &[]).unwrap();
        let t = p.graph.backward_trace(p.output);
        let why = backward_trouble(&p.graph, p.output, &t.steps[0]).unwrap();
        assert!(why.contains("is undefined (NaN) at b = 3, so ∂f/∂b is undefined"), "{why}");
        assert!(!why.contains("vertical"), "{why}");
    }

    #[test]
    fn a_call_holds_a_negative_number_in_its_own_brackets() {
        // σ(-1), not σ((-1)); exp(-2), not exp((-2))
        let p = crate::expr::compile("a = -1; f = sigmoid(a)", &[]).unwrap();
        let l = local_text(&p.graph, p.output, 0);
        assert!(l.contains("σ(-1)·(1 - σ(-1))") && !l.contains("(("), "{l}");
        let p = crate::expr::compile("a = -2; f = exp(a)", &[]).unwrap();
        let l = local_text(&p.graph, p.output, 0);
        assert!(l.contains("exp(-2)") && !l.contains("(("), "{l}");
    }

    #[test]
    fn a_saturated_sigmoid_is_nearly_killed_and_a_fused_one_multiplies_out() {
        // σ(6) = 0.997527, local σ(1 - σ) = 0.00246651 < 0.01 (slide 68)
        let mut g = Graph::new();
        let a = g.named_leaf("a", 6.0);
        let s = g.unary(Unary::Sigmoid, a);
        g.set_label(s, "s");
        let t = g.backward_trace(s);
        let notes = step_notes(&g, s, &t.steps[0]);
        assert!(notes[0].starts_with("nearly killed: sigmoid's local gradient 0.00246651 is below 0.01"), "{notes:?}");
        // slide 17's neuron: σ'(1) = 0.196612 = (-1) × e⁻¹ × 1 × (-1/(1 + e⁻¹)²)
        g.set_value(a, 1.0);
        g.forward();
        let t = g.backward_trace(s);
        let notes = step_notes(&g, s, &t.steps[0]);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].ends_with("= (-1) × 0.367879 × 1 × (-0.534447) = 0.196612"), "{notes:?}");
        assert!(local_formula(&g, s, 0).ends_with("= σ(1)·(1 - σ(1)) = 0.196612"), "{}", local_formula(&g, s, 0));
        // tanh(3): 1 - tanh² = 0.00986604 < 0.01
        let mut g = Graph::new();
        let a = g.named_leaf("a", 3.0);
        let th = g.unary(Unary::Tanh, a);
        let t = g.backward_trace(th);
        assert!(step_notes(&g, th, &t.steps[0])[0].starts_with("nearly killed: tanh's local gradient 0.00986604"));
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
        assert_eq!(nudge_lines(&g, f, z, &n)[0], "predicted  f + ∂f/∂z · h = (-12) + 3 · 1 = -9");
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
        // ½·f''·h² = ½·2·0.01 = 0.01: the note names the curvature, not a bare h²
        assert!(nudge_note(&mut g, f, x, &n).contains("by about ½·f''·h²"), "{}", nudge_note(&mut g, f, x, &n));
    }

    #[test]
    fn a_nudge_across_a_kink_misses_by_about_h() {
        // relu(x) at -0.05 nudged by 0.1: predicted 0 + 0·0.1 = 0, true relu(0.05) = 0.05, half of h
        let mut g = Graph::new();
        let x = g.named_leaf("x", -0.05);
        let f = g.unary(Unary::Relu, x);
        g.backward(f);
        let n = nudge(&mut g, f, x, 0.1);
        assert!((n.difference - 0.05).abs() < 1e-12);
        assert!(nudge_note(&mut g, f, x, &n).contains("crosses a kink"), "{}", nudge_note(&mut g, f, x, &n));
        // a straight line: nothing missed
        let n = nudge(&mut g, f, x, -0.01);
        assert!(nudge_note(&mut g, f, x, &n).contains("linear"));
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

    fn first_trouble(src: &str) -> Option<NonFinite> {
        let mut p = crate::expr::compile(src, &[]).expect("the program compiles");
        let trace = p.graph.backward_trace(p.output);
        first_non_finite(&p.graph, p.output, Some(&trace))
    }

    #[test]
    fn the_first_nan_or_infinity_is_named_with_its_reason() {
        // the program: log(-1) = NaN comes before 1/0 = ∞, and everything after inherits
        let t = first_trouble("x = -1; y = 0; a = log(x); b = 1 / y; f = a + b").expect("a NaN");
        assert_eq!((t.label.as_str(), t.pass), ("a", Pass::Forward));
        assert!(t.value.is_nan());
        assert_eq!(t.reason, "a = log(x): log of a negative number (-1) is undefined");
        let t = first_trouble("y = 0; b = 1 / y; f = b * 2").expect("an infinity");
        assert_eq!((t.label.as_str(), t.value), ("b", f64::INFINITY));
        assert!(t.reason.contains("division by zero (1 / 0 is ∞)"), "{}", t.reason);
        let t = first_trouble("x = 800; e = exp(x); f = e - 1").expect("an overflow");
        assert_eq!(t.reason, "e: exp(800) overflows f64 (above e^709.78)");
        let t = first_trouble("x = 1e200; f = x * x").expect("an overflow");
        assert!(t.reason.contains("f = 1e200 * 1e200 overflows f64"), "{}", t.reason);
        let t = first_trouble("x = 0; f = x / x").expect("a NaN");
        assert!(t.reason.contains("0 / 0 is undefined"), "{}", t.reason);
        // a node that only inherits the trouble says nothing of its own
        let p = crate::expr::compile("x = -1; a = log(x); f = a + 1", &[]).unwrap();
        assert!(p.graph.value(p.output).is_nan() && forward_trouble(&p.graph, p.output).is_none());
        assert!(first_trouble("x = 2; f = log(x) * sqrt(x)").is_none());
    }

    #[test]
    fn a_vertical_slope_is_the_first_trouble_of_the_backward_pass() {
        // sqrt(0) = 0 is finite, but its slope 1/(2·sqrt(a)) is ∞ at 0: ∂f/∂x = 3 · ∞
        let src = "x = 0; s = sqrt(x); f = 3 * s";
        let t = first_trouble(src).expect("an infinite gradient");
        assert_eq!((t.label.as_str(), t.pass, t.value), ("s", Pass::Backward, f64::INFINITY));
        assert!(t.reason.contains("is infinite at x = 0: the slope is vertical there"), "{}", t.reason);
        // the window's explanation of that step carries the same words
        let mut p = crate::expr::compile(src, &[]).unwrap();
        let trace = p.graph.backward_trace(p.output);
        let step = trace.steps.iter().find(|st| st.node == t.node).unwrap();
        assert!(step_notes(&p.graph, p.output, step).contains(&t.reason));
        // without a backward trace only the forward pass is searched
        assert!(first_non_finite(&p.graph, p.output, None).is_none());
        // a gradient too large for f64 under a finite value: ∂f/∂x = 1e300 · 1e300
        let t = first_trouble("x = 1e-300; s = x * 1e300; f = s * 1e300").expect("an overflowing gradient");
        assert_eq!(t.pass, Pass::Backward);
        assert!(t.reason.contains("overflows f64"), "{}", t.reason);
    }
}
