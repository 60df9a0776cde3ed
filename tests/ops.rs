//! Every op's analytical derivative against the numerical gradient away from kinks, and PyTorch's conventions at kinks.

use chainrule::scalar::{Binary, DEFAULT_H, Graph, SELU_ALPHA_LAMBDA, Unary, central_difference, relative_error};

fn unary_grad(u: Unary, a: f64) -> (f64, f64) {
    let mut g = Graph::new();
    let x = g.leaf(a);
    let y = g.unary(u, x);
    g.backward(y);
    let numeric = central_difference(|v| u.forward(v), a, DEFAULT_H);
    (g.grad(x), numeric)
}

#[test]
fn unary_ops_match_numerical_gradients() {
    let points = [-2.3, -0.7, -0.05, 0.05, 0.4, 1.3, 2.9];
    for u in Unary::ALL {
        for &a in &points {
            if matches!(u, Unary::Log | Unary::Sqrt) && a <= 0.0 {
                continue;
            }
            let (analytic, numeric) = unary_grad(u, a);
            let err = relative_error(analytic, numeric);
            assert!(err < 1e-7, "{}'({a}): analytic {analytic}, numeric {numeric}, rel. error {err:e}", u.name());
        }
    }
}

#[test]
fn binary_ops_match_numerical_gradients() {
    let pairs = [(1.3, 0.4), (-0.6, 2.2), (2.5, -1.7), (0.3, 0.9)];
    for b in Binary::ALL {
        for &(x, y) in &pairs {
            if b == Binary::Pow && x <= 0.0 {
                continue; // a negative base has no real derivative in the exponent
            }
            let mut g = Graph::new();
            let (a, c) = (g.leaf(x), g.leaf(y));
            let out = g.binary(b, a, c);
            g.backward(out);
            let na = central_difference(|v| b.forward(v, y), x, DEFAULT_H);
            let nc = central_difference(|v| b.forward(x, v), y, DEFAULT_H);
            for (what, an, nu) in [("a", g.grad(a), na), ("b", g.grad(c), nc)] {
                let err = relative_error(an, nu);
                assert!(err < 1e-7, "{} ∂/∂{what} at ({x}, {y}): {an} vs {nu}, {err:e}", b.symbol());
            }
        }
    }
}

#[test]
fn kinks_follow_pytorch() {
    // torch.relu(0).backward() → 0; abs → 0; leaky_relu(0) → 0.01 (the `x > 0` test fails at 0);
    // elu(0) → alpha·exp(0) = 1; selu(0) → λα
    for (u, want) in [
        (Unary::Relu, 0.0),
        (Unary::Abs, 0.0),
        (Unary::LeakyRelu, 0.01),
        (Unary::Elu, 1.0),
        (Unary::Selu, SELU_ALPHA_LAMBDA),
    ] {
        assert_eq!(unary_grad(u, 0.0).0, want, "{}'(0)", u.name());
    }
    // max/min split a tie 0.5/0.5 (torch.maximum's backward)
    let mut g = Graph::new();
    let (a, b) = (g.leaf(2.0), g.leaf(2.0));
    let m = g.binary(Binary::Max, a, b);
    g.backward(m);
    assert_eq!((g.grad(a), g.grad(b)), (0.5, 0.5));
    // sqrt'(0) = ∞ and 0 · ∞ = NaN propagates, as in PyTorch
    let mut g = Graph::new();
    let x = g.leaf(0.0);
    let s = g.unary(Unary::Sqrt, x);
    let zero = g.constant(0.0);
    let f = g.mul(zero, s);
    g.backward(f);
    assert!(g.grad(x).is_nan());
}
