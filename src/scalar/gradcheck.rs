//! Numerical gradients and the gradient check (lecture slides 44-45, cs231n).
//!
//! The numerical gradient is the central difference `(f(x+h) - f(x-h)) / 2h`, with error O(h²) from truncation and
//! O(ε/h) from round-off; h = 1e-5 balances the two in f64. The analytical gradient is compared by the relative error
//! `|a - n| / max(|a|, |n|)` (0 when both are 0), read in cs231n's bands.
//!
//! Two disagreements are known limits of the check rather than wrong gradients (cs231n's "kinks in the objective"),
//! and each row says which applies: a **kink**, where the difference steps across a point at which a gate's slope
//! jumps (relu, leaky relu, abs, selu at 0; max and min at a tie; softplus at its threshold of 20) and so averages the
//! slopes of the two sides while the analytic gradient takes PyTorch's one-sided choice; and a gradient that is
//! **undefined** (a NaN or an infinity in the program, its gradient or its difference), said in words: `(-2)^0.5`,
//! `sqrt(0)`, `0^0`. A row whose analytic and numeric gradients are both not finite is undefined, never wrong: there is
//! nothing to compare. A row with one side not finite that no gate explains stays `wrong`.

use serde::Serialize;

use super::explain::{fmt_num, name};
use super::graph::{Graph, NodeId};
use super::op::{Binary, Op, SOFTPLUS_THRESHOLD, Unary};

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

/// What a row's disagreement means, beyond its band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The band is not `wrong`.
    Ok,
    /// The central difference steps across a kink: a known limit of the check, not a wrong gradient.
    Kink,
    /// A NaN or an infinity in the value, the gradient or the difference: the gradient is undefined there and the
    /// check cannot judge.
    Undefined,
    /// The gradients disagree and nothing explains it.
    Wrong,
}

impl Status {
    /// The status's short name, as `check` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Kink => "kink",
            Status::Undefined => "undefined",
            Status::Wrong => "wrong",
        }
    }
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
    /// What the disagreement means: a kink and a non-finite value are explained, not failed.
    pub status: Status,
    /// Why, in words, for a kink or a non-finite value (the gate and the numbers).
    pub reason: Option<String>,
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
                let band = Band::of(rel_error);
                let (status, reason) = self.diagnose(id, output, h, analytic, numeric, band);
                NodeCheck {
                    node: id,
                    leaf: self.op(id) == Op::Leaf,
                    analytic,
                    numeric,
                    rel_error,
                    band,
                    status,
                    reason,
                }
            })
            .collect()
    }

    /// Why `node`'s row disagrees, if it does (band uncomfortable or wrong): a kink within ±h, or a value that is not
    /// finite. O(nodes).
    fn diagnose(
        &mut self,
        node: NodeId,
        output: NodeId,
        h: f64,
        analytic: f64,
        numeric: f64,
        band: Band,
    ) -> (Status, Option<String>) {
        let finite = analytic.is_finite() && numeric.is_finite() && self.value(output).is_finite();
        if finite && band < Band::Uncomfortable {
            return (Status::Ok, None);
        }
        let v = self.value(node);
        let lo = self.values_with(node, v - h, output);
        let hi = self.values_with(node, v + h, output);
        let reach = self.ancestors(output);
        if finite && let Some(reason) = kink_between(self, &lo, &hi, &reach) {
            return (Status::Kink, Some(reason));
        }
        if !finite {
            let base: Vec<f64> = self.nodes()[..=output.index()].iter().map(|n| n.value).collect();
            // a NaN that no gate's domain explains is a wrong gradient, not a limit of the check
            let both = !analytic.is_finite() && !numeric.is_finite();
            // the gates on the node's own way to the output first (y's row in `a = log(-1); b = 1 / y` is about b)
            let mut downstream = vec![false; reach.len()];
            downstream[node.index()] = true;
            for id in self.ids().skip(node.index() + 1).take(output.index().saturating_sub(node.index())) {
                downstream[id.index()] = reach[id.index()] && self.operands(id).iter().any(|a| downstream[a.index()]);
            }
            let reason = not_finite_reason(self, &downstream, [&base, &lo, &hi])
                .or_else(|| not_finite_reason(self, &reach, [&base, &lo, &hi]));
            return match reason {
                Some(reason) => (Status::Undefined, Some(reason)),
                None if both => (
                    Status::Undefined,
                    Some(format!(
                        "the analytic gradient ({}) and the numeric one ({}) are both not finite: there is nothing to \
                         compare",
                        fmt_num(analytic),
                        fmt_num(numeric)
                    )),
                ),
                None => (Status::Wrong, None),
            };
        }
        (if band == Band::Wrong { Status::Wrong } else { Status::Ok }, None)
    }
}

/// The slope of a unary gate just below and just above `at`.
fn slopes_around(u: Unary, at: f64) -> (f64, f64) {
    let below = at - 1e-9 * at.abs().max(1.0);
    let above = at + 1e-9 * at.abs().max(1.0);
    (u.local(below, u.forward(below)), u.local(above, u.forward(above)))
}

/// What the analytic gradient takes at `x` near a kink at `at`: on the kink, PyTorch's convention; off it, the exact
/// slope of the side `x` is on.
fn analytic_at(u: Unary, x: f64, at: f64, value: f64) -> String {
    let slope = fmt_num(u.local(x, value));
    if x == at {
        format!("the analytic one takes PyTorch's slope at the kink ({slope})")
    } else {
        format!("while the analytic one is the exact slope at {} ({slope})", fmt_num(x))
    }
}

/// The first gate, among the nodes the output depends on, whose kink lies between the two evaluations `lo` and `hi`
/// of the central difference, in words; None if the difference crosses none.
pub fn kink_between(g: &Graph, lo: &[f64], hi: &[f64], reach: &[bool]) -> Option<String> {
    let straddles = |p: f64, q: f64, at: f64| p != q && (p - at) * (q - at) <= 0.0;
    for id in g.ids().take(lo.len().min(hi.len())) {
        if !reach.get(id.index()).copied().unwrap_or(false) {
            continue;
        }
        let me = name(g, id);
        match g.op(id) {
            Op::Unary(Unary::Softplus, a) if straddles(lo[a as usize], hi[a as usize], SOFTPLUS_THRESHOLD) => {
                return Some(format!(
                    "{me} = softplus({}) returns its input above its threshold of 20 (as PyTorch), so it jumps by \
                     ln(1 + e^-20) ≈ 2e-9 there, and the central difference steps across the jump",
                    name(g, NodeId(a))
                ));
            }
            Op::Unary(u, a) => {
                let Some(at) = u.kink() else { continue };
                if straddles(lo[a as usize], hi[a as usize], at) {
                    let (left, right) = slopes_around(u, at);
                    let operand = NodeId(a);
                    return Some(format!(
                        "{me} = {}({}) has a kink at {} and {} = {} is within h of it: the numeric gradient averages \
                         the slopes on the two sides ({} and {}), {}",
                        u.name(),
                        name(g, operand),
                        fmt_num(at),
                        name(g, operand),
                        fmt_num(g.value(operand)),
                        fmt_num(left),
                        fmt_num(right),
                        analytic_at(u, g.value(operand), at, g.value(id)),
                    ));
                }
            }
            Op::Binary(b @ (Binary::Max | Binary::Min), x, y) => {
                let (p, q) = (lo[x as usize] - lo[y as usize], hi[x as usize] - hi[y as usize]);
                if straddles(p, q, 0.0) {
                    return Some(format!(
                        "{me} = {}({}, {}) switches between its inputs within h of a tie: the numeric gradient \
                         averages the two routes, the analytic one routes to one input (half each at an exact tie)",
                        b.symbol(),
                        name(g, NodeId(x)),
                        name(g, NodeId(y))
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// Why a check's numbers are not finite, in words: the first gate that is at a singular point (at the input's
/// value), or else the first node whose value is not finite at the input's value or at ±h; None if neither.
fn not_finite_reason(g: &Graph, reach: &[bool], values: [&[f64]; 3]) -> Option<String> {
    let base = values[0];
    let at = |i: u32| base[i as usize];
    for id in g.ids().take(base.len()).filter(|id| reach[id.index()]) {
        let me = name(g, id);
        let said = match g.op(id) {
            Op::Binary(Binary::Pow, a, b) if at(a) < 0.0 && at(b).fract() != 0.0 && at(b).is_finite() => Some(format!(
                "{me} = ({})^{}: a negative base to a fractional power is not a real number (NaN)",
                fmt_num(at(a)),
                fmt_num(at(b))
            )),
            Op::Binary(Binary::Pow, a, b) if at(a) == 0.0 && at(b) == 0.0 => Some(format!(
                "{me} = 0^0 = 1 by convention, and PyTorch's convention sets ∂(0^b)/∂b = 0 and ∂(a^0)/∂a = 0 there; \
                 but 0^b is infinite for any b < 0, so a difference in {} steps onto an infinity",
                name(g, NodeId(b))
            )),
            Op::Binary(Binary::Pow, a, b) if at(a) == 0.0 && at(b) < 0.0 => {
                Some(format!("{me} = 0^{}: zero to a negative power is infinite", fmt_num(at(b))))
            }
            Op::Unary(Unary::Sqrt, a) if at(a) == 0.0 => Some(format!(
                "{me} = sqrt(0): the slope 1/(2·sqrt(a)) is infinite at 0, and sqrt(0 - h) is not a real number (NaN)"
            )),
            Op::Unary(Unary::Sqrt, a) if at(a) < 0.0 => {
                Some(format!("{me} = sqrt({}): the square root of a negative number is NaN", fmt_num(at(a))))
            }
            Op::Unary(Unary::Log, a) if at(a) == 0.0 => {
                Some(format!("{me} = log(0) = -∞, and its slope 1/a is infinite there"))
            }
            Op::Unary(Unary::Log, a) if at(a) < 0.0 => {
                Some(format!("{me} = log({}): the logarithm of a negative number is NaN", fmt_num(at(a))))
            }
            Op::Binary(Binary::Div, _, b) if at(b) == 0.0 => {
                Some(format!("{me} divides by {} = 0: the quotient and its slope are infinite", name(g, NodeId(b))))
            }
            _ => None,
        };
        if said.is_some() {
            return said;
        }
    }
    for (k, vals) in values.iter().enumerate() {
        let Some(id) = g.ids().take(vals.len()).find(|id| reach[id.index()] && !vals[id.index()].is_finite()) else {
            continue;
        };
        let where_ = ["at the input's value", "at the input's value - h", "at the input's value + h"][k];
        let me = name(g, id);
        let v = fmt_num(vals[id.index()]);
        return Some(match g.op(id) {
            Op::Unary(Unary::Exp, a) => {
                // log(1 + exp(a)) is softplus expanded: the fused gate would have stayed finite
                let in_softplus = g.ids().any(|l| match g.op(l) {
                    Op::Unary(Unary::Log, s) => {
                        matches!(g.op(NodeId(s)), Op::Binary(Binary::Add, p, q) if p == id.0 || q == id.0)
                    }
                    _ => false,
                });
                let fused = if in_softplus {
                    "; the fused softplus returns its input above its threshold of 20 (as PyTorch) and stays finite"
                } else {
                    ""
                };
                format!(
                    "{me} = exp({}) = {v} {where_}: exp overflows the largest f64 above e^709.78{fused}",
                    fmt_num(vals[a as usize])
                )
            }
            _ => format!("{me} = {v} {where_}"),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::op::Unary;

    #[test]
    fn kinks_are_where_the_slopes_on_the_two_sides_differ() {
        // relu 0|1, leaky relu 0.01|1, abs -1|1, selu λα|λ jump at 0; elu with α = 1 has e⁰ = 1 on both sides
        // (log and sqrt are not defined left of 0: a singular point, not a kink)
        for u in Unary::ALL.into_iter().filter(|u| !matches!(u, Unary::Log | Unary::Sqrt)) {
            let (left, right) = slopes_around(u, 0.0);
            let jumps = (left - right).abs() > 1e-6;
            assert_eq!(u.kink() == Some(0.0), jumps, "{}: slopes {left} and {right}", u.name());
        }
        assert_eq!(Unary::Elu.kink(), None);
    }

    #[test]
    fn near_a_kink_the_analytic_gradient_is_the_exact_slope_not_a_convention() {
        // x = 1e-6 > 0: relu'(x) = 1 exactly; the central difference with h = 1e-5 straddles 0 and gives 0.55
        let p = crate::expr::compile("x = 0.000001; f = relu(x)", &[]).unwrap();
        let mut g = p.graph.clone();
        let checks = g.gradcheck(p.output, DEFAULT_H);
        let c = checks.iter().find(|c| c.leaf).unwrap();
        assert_eq!(c.status, Status::Kink);
        let reason = c.reason.clone().unwrap();
        assert!(reason.contains("the analytic one is the exact slope at 1e-6 (1)"), "{reason}");
        assert!(!reason.contains("PyTorch"), "{reason}");
    }

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

    fn check_of(build: impl FnOnce(&mut Graph) -> (NodeId, NodeId)) -> NodeCheck {
        let mut g = Graph::new();
        let (input, output) = build(&mut g);
        g.gradcheck(output, DEFAULT_H).into_iter().find(|c| c.node == input).expect("the input is checked")
    }

    #[test]
    fn an_input_on_a_kink_is_a_kink_not_wrong() {
        // relu at 0: the difference gives (h - 0)/2h = ½, the analytic gradient PyTorch's 0
        let c = check_of(|g| {
            let x = g.named_leaf("x", 0.0);
            (x, g.unary(Unary::Relu, x))
        });
        assert_eq!((c.band, c.status), (Band::Wrong, Status::Kink));
        let reason = c.reason.unwrap();
        assert!(reason.contains("averages the slopes on the two sides (0 and 1)"), "{reason}");
        // fused selu at 0: slopes λα = 1.7581 below and λ = 1.0507 above
        let c = check_of(|g| {
            let x = g.named_leaf("x", 0.0);
            (x, g.unary(Unary::Selu, x))
        });
        assert_eq!(c.status, Status::Kink, "{c:?}");
        assert!(c.reason.unwrap().contains("(1.7581 and 1.0507)"));
        // max(x, 1) a hair above the tie: analytic 1, the difference (1 + 1e-6 + h - 1)/2h = 0.55
        let c = check_of(|g| {
            let x = g.named_leaf("x", 1.000001);
            let one = g.constant(1.0);
            (x, g.binary(Binary::Max, x, one))
        });
        assert_eq!(c.status, Status::Kink, "{c:?}");
        // away from the kink, a wrong band stays wrong: exp(10x) with a huge step
        let mut g = Graph::new();
        let x = g.named_leaf("x", 0.5);
        let ten = g.constant(10.0);
        let tx = g.mul(ten, x);
        let f = g.unary(Unary::Exp, tx);
        let c = g.gradcheck(f, 0.5).into_iter().find(|c| c.node == x).unwrap();
        assert_eq!((c.band, c.status, c.reason), (Band::Wrong, Status::Wrong, None));
    }

    #[test]
    fn non_finite_rows_say_why() {
        let pow = |a: f64, b: f64| {
            move |g: &mut Graph| {
                let x = g.named_leaf("x", a);
                let y = g.named_leaf("y", b);
                (y, g.binary(Binary::Pow, x, y))
            }
        };
        // (-2)^0.5 is NaN
        let c = check_of(pow(-2.0, 0.5));
        assert_eq!(c.status, Status::Undefined);
        assert!(c.reason.unwrap().contains("negative base to a fractional power"));
        // 0^0 = 1 by convention, ∂/∂y = 0 there, but 0^(-h) = ∞
        let c = check_of(pow(0.0, 0.0));
        assert_eq!((c.analytic, c.status), (0.0, Status::Undefined), "{c:?}");
        assert!(c.reason.unwrap().contains("0^0 = 1 by convention"));
        // sqrt(0): an infinite slope
        let c = check_of(|g| {
            let x = g.named_leaf("x", 0.0);
            (x, g.unary(Unary::Sqrt, x))
        });
        assert_eq!(c.status, Status::Undefined);
        assert!(c.reason.unwrap().contains("infinite at 0"));
    }

    #[test]
    fn an_expanded_softplus_overflows_where_the_fused_one_returns_its_input() {
        // softplus(800) = 800 fused; log(1 + exp(800)) = ∞ expanded
        let mut g = Graph::new();
        let x = g.named_leaf("x", 800.0);
        let s = g.unary(Unary::Softplus, x);
        assert_eq!(g.gradcheck(s, DEFAULT_H)[0].status, Status::Ok);
        let (mut e, map) = g.expand();
        let c = e.gradcheck(map[s.index()], DEFAULT_H).into_iter().find(|c| c.node == map[x.index()]).unwrap();
        assert_eq!(c.status, Status::Undefined);
        let reason = c.reason.unwrap();
        assert!(reason.contains("exp overflows") && reason.contains("threshold of 20"), "{reason}");
    }

    #[test]
    fn softplus_at_its_threshold_is_a_kink() {
        // softplus returns x above 20 (as PyTorch): at 20 the difference steps across a jump of ln(1 + e^-20)
        let mut g = Graph::new();
        let x = g.named_leaf("x", 20.0);
        let f = g.unary(Unary::Softplus, x);
        let c = g.gradcheck(f, 1e-9).into_iter().find(|c| c.node == x).unwrap();
        assert_eq!(c.status, Status::Kink, "{c:?}");
        assert!(c.reason.unwrap().contains("threshold of 20"));
    }

    #[test]
    fn rows_whose_both_sides_are_not_finite_are_undefined_not_wrong() {
        // log(-1) = NaN and 1/0 = ∞: f = NaN, so every difference is NaN; ∂f/∂y = -1/y² = -∞ on the analytic side
        let mut p = crate::expr::compile("x = -1; y = 0; a = log(x); b = 1 / y; f = a + b", &[]).unwrap();
        let checks = p.graph.gradcheck(p.output, DEFAULT_H);
        assert_eq!(checks.len(), 5);
        assert!(checks.iter().all(|c| c.status == Status::Undefined), "{checks:?}");
        let y = p.input("y").unwrap().node;
        let cy = checks.iter().find(|c| c.node == y).unwrap();
        assert!(!cy.analytic.is_finite() && !cy.numeric.is_finite(), "{cy:?}");
        // each row names the gate on its own way to f: x's is the log, y's the division
        assert!(cy.reason.as_deref().unwrap().contains("b divides by y = 0"), "{cy:?}");
        let x = p.input("x").unwrap().node;
        let cx = checks.iter().find(|c| c.node == x).unwrap();
        assert!(cx.reason.as_deref().unwrap().contains("logarithm of a negative number"), "{cx:?}");
        assert_eq!(cy.band, Band::Wrong); // the band as measured stays
        assert_eq!(Status::Undefined.name(), "undefined");
        assert_eq!(serde_json::to_value(Status::Undefined).unwrap(), "undefined");
    }
}
