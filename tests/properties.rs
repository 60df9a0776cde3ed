//! Property tests over random programs: analytical gradients agree with numerical ones, replaying the backward trace
//! gives the backward result, `expand` keeps leaf gradients, and the parser never panics.

use chainrule::expr::compile;
use chainrule::scalar::{Binary, DEFAULT_H, Graph, NodeId, Op, Unary, relative_error};
use proptest::prelude::*;

/// One statement: an op over two earlier names (by index into the names so far) or a constant.
#[derive(Clone, Debug)]
struct Stmt {
    kind: u8,
    a: usize,
    b: usize,
    c: f64,
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (0u8..20, any::<usize>(), any::<usize>(), -2.0f64..2.0).prop_map(|(kind, a, b, c)| Stmt { kind, a, b, c })
}

/// Renders a random program over inputs x0..x{n-1}; every op keeps its inputs in a range where it is defined.
fn render(values: &[f64], stmts: &[Stmt]) -> String {
    let mut lines: Vec<String> = values.iter().enumerate().map(|(i, v)| format!("x{i} = {v}")).collect();
    let mut names: Vec<String> = (0..values.len()).map(|i| format!("x{i}")).collect();
    for (k, s) in stmts.iter().enumerate() {
        let a = &names[s.a % names.len()];
        let b = &names[s.b % names.len()];
        let c = s.c;
        let e = match s.kind {
            0 => format!("{a} + {b}"),
            1 => format!("{a} - {b}"),
            2 => format!("{a} * {b}"),
            3 => format!("{a} / (1.5 + {b}^2)"),
            4 => format!("tanh({a})"),
            5 => format!("sigmoid({a} * {c})"),
            6 => format!("exp(-({a})^2)"),
            7 => format!("log(1 + {a}^2)"),
            8 => format!("sqrt(2 + sin({a}))"),
            9 => format!("cos({a}) * {c}"),
            10 => format!("softplus({a})"),
            11 => format!("relu({a})"),
            12 => format!("max({a}, {b})"),
            13 => format!("min({a}, {b} + {c})"),
            14 => format!("abs({a})"),
            15 => format!("leaky_relu({a})"),
            16 => format!("elu({a})"),
            17 => format!("selu({a})"),
            18 => format!("(1.2 + {a}^2)^({c} / 2)"),
            _ => format!("{a} * {c} + {b}"),
        };
        let name = format!("s{k}");
        lines.push(format!("{name} = {e}"));
        names.push(name);
    }
    lines.push(format!("out = {}", names[names.len() - 1]));
    lines.join("\n")
}

/// Whether any kinked op sits within `margin` of its kink (numerical gradients are meaningless there).
fn near_kink(g: &Graph, margin: f64) -> bool {
    g.ids().any(|id| match g.op(id) {
        Op::Unary(u, a) => u.kink().is_some_and(|k| (g.value(NodeId(a)) - k).abs() < margin),
        Op::Binary(Binary::Max | Binary::Min, a, b) => (g.value(NodeId(a)) - g.value(NodeId(b))).abs() < margin,
        _ => false,
    })
}

/// Whether every value stays within `limit` (so saturation and overflow don't swamp the comparison).
fn bounded(g: &Graph, limit: f64) -> bool {
    g.nodes().iter().all(|n| n.value.abs() < limit)
}

fn inputs() -> impl Strategy<Value = (Vec<f64>, Vec<Stmt>)> {
    (prop::collection::vec(-2.0f64..2.0, 1..4), prop::collection::vec(stmt(), 1..14))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn gradients_agree_with_numerical((values, stmts) in inputs()) {
        let src = render(&values, &stmts);
        let mut p = compile(&src, &[]).unwrap();
        prop_assume!(!near_kink(&p.graph, 1e-3) && bounded(&p.graph, 1e3));
        for check in p.graph.gradcheck(p.output, DEFAULT_H) {
            // Tiny gradients are compared absolutely: round-off of f(x±h) is ~1e-16/h there.
            let ok = check.rel_error < 1e-5 || (check.analytic - check.numeric).abs() < 1e-8;
            prop_assert!(ok, "node {:?}: analytic {} numeric {} in\n{}", check.node, check.analytic, check.numeric, src);
        }
    }

    #[test]
    fn replaying_the_trace_gives_the_gradients((values, stmts) in inputs()) {
        let src = render(&values, &stmts);
        let mut p = compile(&src, &[]).unwrap();
        let trace = p.graph.backward_trace(p.output);
        let replayed = trace.grads_after(p.graph.len(), trace.steps.len());
        for id in p.graph.ids() {
            let (a, b) = (replayed[id.index()], p.graph.grad(id));
            prop_assert!(a == b || (a.is_nan() && b.is_nan()), "node {id:?}: {a} vs {b}");
        }
        // and backward twice is the same
        let first: Vec<f64> = p.graph.ids().map(|id| p.graph.grad(id)).collect();
        p.graph.backward(p.output);
        let second: Vec<f64> = p.graph.ids().map(|id| p.graph.grad(id)).collect();
        prop_assert_eq!(format!("{first:?}"), format!("{second:?}"));
    }

    #[test]
    fn expand_keeps_leaf_gradients((values, stmts) in inputs()) {
        let src = render(&values, &stmts);
        let p = compile(&src, &[]).unwrap();
        prop_assume!(!near_kink(&p.graph, 1e-6) && bounded(&p.graph, 15.0));
        let (mut e, map) = p.graph.expand();
        let out = map[p.output.index()];
        e.backward(out);
        prop_assert!(relative_error(e.value(out), p.value()) < 1e-12 || (e.value(out) - p.value()).abs() < 1e-14);
        for i in &p.inputs {
            let (a, b) = (e.grad(map[i.node.index()]), p.graph.grad(i.node));
            prop_assert!(relative_error(a, b) < 1e-9 || (a - b).abs() < 1e-12, "{}: {a} vs {b}\n{src}", i.name);
        }
        prop_assert!(!e.has_fused());
    }

    #[test]
    fn the_parser_never_panics_on_any_text(s in ".{0,80}") {
        if let Err(e) = compile(&s, &[]) {
            let _ = e.render(&s);
        }
    }

    #[test]
    fn the_parser_never_panics_on_token_soup(s in "[a-z0-9_ .eE+*/^(),;=\\-\n]{0,60}") {
        match compile(&s, &[("x".into(), 0.5)]) {
            Ok(mut p) => {
                let _ = p.graph.gradcheck(p.output, DEFAULT_H);
                let _ = p.graph.backward_trace(p.output);
                let _ = p.graph.to_dot();
            }
            Err(e) => {
                let r = e.render(&s);
                prop_assert!(r.starts_with("error: "));
            }
        }
    }
}

#[test]
fn every_function_is_reachable_from_the_language() {
    for u in Unary::ALL.into_iter().filter(|u| *u != Unary::Neg) {
        let p = compile(&format!("x = 0.3; {}(x)", u.name()), &[]).unwrap();
        assert_eq!(p.value(), u.forward(0.3), "{}", u.name());
    }
}
