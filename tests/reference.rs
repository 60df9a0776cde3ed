//! REFERENCE.md's scalar examples, as literals with their derivations.

mod common;
use common::{close, program};

#[test]
fn lecture_add_mul_circuit() {
    // slides 30-42: q = x + y = 3, f = q·z = -12
    let mut p = program("x = -2; y = 5; z = -4; q = x + y; f = q * z");
    assert_eq!(p.value(), -12.0);
    assert_eq!(p.grad_of("x"), Some(-4.0)); // ∂f/∂x = ∂f/∂q · ∂q/∂x = z · 1 = -4
    assert_eq!(p.grad_of("y"), Some(-4.0)); // likewise
    assert_eq!(p.grad_of("z"), Some(3.0)); // ∂f/∂z = q = 3
    // the nudge: f is linear in x, so x + 1 gives f + ∂f/∂x · 1 = -16 exactly
    p.set_input("x", -1.0);
    assert_eq!(p.value(), -16.0);
}

#[test]
fn sigmoid_neuron_expanded_and_fused() {
    // slide 17: dot = w0 + w1·x1 + w2·x2 = -3 + 2 + 6... = -3 + (2)(-1) + (-3)(-2) = 1; f = σ(1)
    let expanded = program("w0 = -3; x1 = -1; w1 = 2; x2 = -2; w2 = -3\nf = 1 / (1 + exp(-(w0 + w1*x1 + w2*x2)))");
    let fused = program("w0 = -3; x1 = -1; w1 = 2; x2 = -2; w2 = -3\nf = sigmoid(w0 + w1*x1 + w2*x2)");
    for p in [&expanded, &fused] {
        close(p.value(), 0.7310585786, 1e-10);
        // ∂f/∂dot = σ(1 - σ) = 0.19661193; ∂f/∂w0 = that · 1
        close(p.grad_of("w0").unwrap(), 0.1966119332, 1e-10);
        close(p.grad_of("x1").unwrap(), 0.3932238665, 1e-10); // · w1 = 2
        close(p.grad_of("w1").unwrap(), -0.1966119332, 1e-10); // · x1 = -1
        close(p.grad_of("x2").unwrap(), -0.5898357997, 1e-10); // · w2 = -3
        close(p.grad_of("w2").unwrap(), -0.3932238665, 1e-10); // · x2 = -2
    }
    // The exp node carries 0.37 forward and -0.53 backward (cs231n's figure, 2 decimals).
    let g = &expanded.graph;
    let exp = g.ids().find(|&id| g.op(id).short() == "exp").unwrap();
    assert_eq!(format!("{:.2}", g.value(exp)), "0.37");
    assert_eq!(format!("{:.2}", g.grad(exp)), "-0.53");
}

#[test]
fn max_gate() {
    // f = 2(xy + max(z, w)) = 2(-12 + 2) = -20; ∂f/∂x = 2y = -8, ∂f/∂y = 2x = 6, max routes 2 to z, 0 to w
    let p = program("x = 3; y = -4; z = 2; w = -1; f = 2*(x*y + max(z, w))");
    assert_eq!(p.value(), -20.0);
    assert_eq!(p.grads(), vec![("x".into(), -8.0), ("y".into(), 6.0), ("z".into(), 2.0), ("w".into(), 0.0)]);
}

#[test]
fn staged_example() {
    // cs231n: f = (x + σ(y)) / (σ(x) + (x + y)²) at x = 3, y = -4
    let p = program("x = 3; y = -4; f = (x + sigmoid(y)) / (sigmoid(x) + (x + y)^2)");
    close(p.value(), 1.545645, 1e-6);
    close(p.grad_of("x").unwrap(), 2.059570, 1e-6);
    close(p.grad_of("y").unwrap(), 1.592233, 1e-6);
}

#[test]
fn micrograd_sanity_check() {
    // micrograd test_sanity_check: y = -20, dy/dx = 46
    let p = program("x = -4\nz = 2*x + 2 + x\nq = relu(z) + z*x\nh = relu(z*z)\ny = h + q + q*x");
    assert_eq!(p.value(), -20.0);
    assert_eq!(p.grad_of("x"), Some(46.0));
}

#[test]
fn micrograd_more_ops() {
    // micrograd test_more_ops, checked against PyTorch there to 1e-6; here to the printed digits
    let src = "a = -4\nb = 2\nc = a + b\nd = a*b + b**3\nc += c + 1\nc += 1 + c + (-a)\nd += d*2 + relu(b + a)\n\
               d += 3*d + relu(b - a)\ne = c - d\nf = e^2\ng = f / 2\ng += 10 / f";
    let p = program(src);
    close(p.value(), 24.70408163265306, 1e-14);
    close(p.grad_of("a").unwrap(), 138.83381924198252, 1e-13);
    close(p.grad_of("b").unwrap(), 645.5772594752186, 1e-13);
    // the versions a learner sees
    let labels: Vec<&str> = p.graph.ids().filter_map(|id| p.graph.label(id)).collect();
    assert!(labels.contains(&"c₂") && labels.contains(&"d₂") && labels.contains(&"g₁"), "{labels:?}");
}

#[test]
fn karpathy_tanh_neuron() {
    // o = tanh(x1·w1 + x2·w2 + b) = tanh(0.8813735870195432) = 1/√2
    let src = "x1 = 2; x2 = 0; w1 = -3; w2 = 1; b = 6.8813735870195432\nn = x1*w1 + x2*w2 + b\no = tanh(n)";
    let p = program(src);
    close(p.value(), std::f64::consts::FRAC_1_SQRT_2, 1e-10); // REFERENCE.md: 0.7071067812
    // ∂o/∂n = 1 - o² = 0.5; ∂o/∂x1 = 0.5·w1 = -1.5; ∂o/∂w1 = 0.5·x1 = 1; ∂o/∂x2 = 0.5·w2; ∂o/∂w2 = 0.5·x2 = 0
    for (name, want) in [("x1", -1.5), ("w1", 1.0), ("x2", 0.5), ("w2", 0.0), ("b", 0.5)] {
        close(p.grad_of(name).unwrap(), want, 1e-10);
    }
    // the same neuron with tanh expanded into exp gives the same gradients
    let (mut g, map) = p.graph.expand();
    let o = map[p.output.index()];
    g.backward(o);
    for i in &p.inputs {
        close(g.grad(map[i.node.index()]), p.graph.grad(i.node), 1e-12);
    }
}
