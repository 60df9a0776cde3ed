//! Every tensor op's backward rule against central differences (f64), and by hand where the numbers are small.

mod common;

use chainrule::scalar::{Unary, central_difference, relative_error};
use chainrule::tensor::{Loss, NodeId, ParamId, ParamStore, Tape, TensorError};

/// Deterministic values in (-1.5, 1.5), kept away from 0 (the kinks) by at least 0.05.
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
            let v = 3.0 * u - 1.5;
            if v.abs() < 0.05 { v.signum() * 0.05 + v } else { v }
        })
        .collect()
}

/// Builds `f` on a fresh tape over `store`, reduces its output to a scalar with fixed weights, and checks every
/// parameter's analytic gradient against the central difference.
fn check(name: &str, store: ParamStore<f64>, f: impl Fn(&mut Tape<f64>) -> Result<NodeId, TensorError>) {
    let eval = |store: &ParamStore<f64>, backward: bool| -> (f64, Vec<f64>) {
        let mut tape = Tape::new(store.clone());
        let out = f(&mut tape).expect("builds");
        let (r, c) = tape.shape(out);
        let out = if r * c == 1 {
            out
        } else {
            let w = tape.input(&values(r * c, 99), r, c).expect("weights");
            let p = tape.mul(out, w).expect("mul");
            tape.sum(p).expect("sum")
        };
        let v = tape.value(out)[0];
        if backward {
            tape.backward(out).expect("backward");
        }
        (v, tape.params.grads.clone())
    };
    let (_, analytic) = eval(&store, true);
    let mut worst: f64 = 0.0;
    for (i, &a) in analytic.iter().enumerate() {
        let numeric = central_difference(
            |x| {
                let mut s = store.clone();
                s.values_mut()[i] = x;
                eval(&s, false).0
            },
            store.values()[i],
            1e-6,
        );
        let e = relative_error(a, numeric);
        if a.abs() > 1e-9 || numeric.abs() > 1e-7 {
            worst = worst.max(e);
        }
        assert!(e < 1e-6 || (a - numeric).abs() < 1e-8, "{name}: param {i}: analytic {a} numeric {numeric}");
    }
    assert!(worst < 1e-6, "{name}: worst relative error {worst}");
}

fn store(shapes: &[(usize, usize)]) -> (ParamStore<f64>, Vec<ParamId>) {
    let mut s = ParamStore::new();
    let ids = shapes
        .iter()
        .enumerate()
        .map(|(i, &(r, c))| s.add(format!("p{i}"), r, c, &values(r * c, i as u64 + 1), true))
        .collect();
    (s, ids)
}

#[test]
fn matmul_with_every_transpose() {
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let a = if ta { (4, 3) } else { (3, 4) };
        let b = if tb { (2, 4) } else { (4, 2) };
        let (s, p) = store(&[a, b]);
        check(&format!("matmul ta={ta} tb={tb}"), s, |t| {
            let (x, y) = (t.param(p[0]), t.param(p[1]));
            t.matmul(x, y, ta, tb)
        });
    }
    // the same matrix on both sides: x·xᵀ, its gradient has two shares
    let (s, p) = store(&[(3, 2)]);
    check("x·xᵀ", s, |t| {
        let x = t.param(p[0]);
        t.matmul(x, x, false, true)
    });
}

#[test]
fn elementwise_ops_and_reductions() {
    let (s, p) = store(&[(3, 4), (1, 4), (3, 4)]);
    check("add_bias", s.clone(), |t| {
        let (a, b) = (t.param(p[0]), t.param(p[1]));
        t.add_bias(a, b)
    });
    check("add", s.clone(), |t| {
        let (a, b) = (t.param(p[0]), t.param(p[2]));
        t.add(a, b)
    });
    check("mul", s.clone(), |t| {
        let (a, b) = (t.param(p[0]), t.param(p[2]));
        t.mul(a, b)
    });
    check("scale", s.clone(), |t| {
        let a = t.param(p[0]);
        t.scale(a, -2.5)
    });
    for (name, op) in [("sum", 0), ("mean", 1), ("sum_squares", 2), ("sum_abs", 3)] {
        check(name, s.clone(), |t| {
            let a = t.param(p[0]);
            match op {
                0 => t.sum(a),
                1 => t.mean(a),
                2 => t.sum_squares(a),
                _ => t.sum_abs(a),
            }
        });
    }
}

#[test]
fn every_scalar_op_mapped_over_a_matrix() {
    for u in Unary::ALL {
        let (mut s, p) = store(&[(3, 3)]);
        if matches!(u, Unary::Log | Unary::Sqrt) {
            s.values_mut().iter_mut().for_each(|v| *v = v.abs() + 0.1); // their domain
        }
        check(u.name(), s, |t| {
            let a = t.param(p[0]);
            t.map(u, a)
        });
    }
}

#[test]
fn batch_norm_in_both_modes() {
    let (s, p) = store(&[(5, 3), (1, 3), (1, 3)]);
    check("batch_norm train", s.clone(), |t| {
        let (x, g, b) = (t.param(p[0]), t.param(p[1]), t.param(p[2]));
        t.batch_norm(x, g, b, 1e-5)
    });
    check("batch_norm eval", s, |t| {
        let (x, g, b) = (t.param(p[0]), t.param(p[1]), t.param(p[2]));
        let stats = t.input(&[0.1, -0.2, 0.3, 0.5, 1.5, 2.0], 2, 3)?;
        t.batch_norm_eval(x, g, b, stats, 1e-5)
    });
}

#[test]
fn batch_norm_by_hand() {
    // one column [1, 2, 3]: μ = 2, σ² = 2/3 (biased), x̂ = (x − 2)/√(2/3 + ε); γ = 2, β = 1
    let mut s = ParamStore::<f64>::new();
    let g = s.add("g", 1, 1, &[2.0], false);
    let b = s.add("b", 1, 1, &[1.0], false);
    let mut t = Tape::new(s);
    let x = t.input(&[1.0, 2.0, 3.0], 3, 1).expect("input");
    let (gn, bn) = (t.param(g), t.param(b));
    let y = t.batch_norm(x, gn, bn, 1e-5).expect("bn");
    let sd = (2.0f64 / 3.0 + 1e-5).sqrt();
    let want = [1.0 - 2.0 / sd, 1.0, 1.0 + 2.0 / sd];
    for (got, w) in t.value(y).iter().zip(want) {
        assert!((got - w).abs() < 1e-12, "{:?}", t.value(y));
    }
    let (mean, var) = t.batch_stats(y).expect("training mode records its statistics");
    assert_eq!((mean[0], var[0]), (2.0, 2.0 / 3.0));
    // evaluation with running mean 0.5 and variance 4: (x − 0.5)/√(4 + ε)·2 + 1
    let stats = t.input(&[0.5, 4.0], 2, 1).expect("stats");
    let ye = t.batch_norm_eval(x, gn, bn, stats, 1e-5).expect("bn eval");
    let sd = (4.0f64 + 1e-5).sqrt();
    assert!((t.value(ye)[2] - (2.5 / sd * 2.0 + 1.0)).abs() < 1e-12);
}

#[test]
fn every_loss_against_central_differences() {
    let (s, p) = store(&[(4, 3)]);
    let class_targets = [2.0, 0.0, 1.0, 2.0];
    check("ce", s.clone(), |t| {
        let sc = t.param(p[0]);
        let y = t.input(&class_targets, 4, 1)?;
        t.loss(Loss::SoftmaxCe, sc, y)
    });
    check("svm", s.clone(), |t| {
        let sc = t.param(p[0]);
        let y = t.input(&class_targets, 4, 1)?;
        t.loss(Loss::MulticlassHinge, sc, y)
    });
    check("mse", s.clone(), |t| {
        let sc = t.param(p[0]);
        let y = t.input(&values(12, 7), 4, 3)?;
        t.loss(Loss::Mse, sc, y)
    });
    let (s1, p1) = store(&[(5, 1)]);
    check("bce", s1.clone(), |t| {
        let sc = t.param(p1[0]);
        let y = t.input(&[1.0, 0.0, 0.0, 1.0, 1.0], 5, 1)?;
        t.loss(Loss::BceLogits, sc, y)
    });
    check("hinge", s1, |t| {
        let sc = t.param(p1[0]);
        let sc = t.scale(sc, 0.3)?; // keep 1 − y·s away from its kink at 0
        let y = t.input(&[1.0, -1.0, -1.0, 1.0, 1.0], 5, 1)?;
        t.loss(Loss::MarginHinge, sc, y)
    });
}

#[test]
fn losses_by_hand_and_stable_at_large_logits() {
    let mut t = Tape::<f64>::new(ParamStore::new());
    // softmax CE of [1000, 0] with class 0: log(1 + e^-1000) ≈ 0, no overflow; with class 1: ≈ 1000
    let s = t.input(&[1000.0, 0.0, 1000.0, 0.0], 2, 2).expect("scores");
    let y = t.input(&[0.0, 1.0], 2, 1).expect("labels");
    let l = t.loss(Loss::SoftmaxCe, s, y).expect("ce");
    assert!((t.value(l)[0] - 500.0).abs() < 1e-9, "{}", t.value(l)[0]);
    // BCE on logit 800 with target 0 is 800 (the naive form overflows e^800)
    let z = t.input(&[800.0], 1, 1).expect("logit");
    let y0 = t.input(&[0.0], 1, 1).expect("target");
    let l = t.loss(Loss::BceLogits, z, y0).expect("bce");
    assert_eq!(t.value(l)[0], 800.0);
    // cs231n's SVM example: scores [3.2, 5.1, -1.7] for class 0: max(0, 5.1−3.2+1) + max(0, −1.7−3.2+1) = 2.9
    let s = t.input(&[3.2, 5.1, -1.7], 1, 3).expect("scores");
    let y = t.input(&[0.0], 1, 1).expect("label");
    let l = t.loss(Loss::MulticlassHinge, s, y).expect("svm");
    assert!((t.value(l)[0] - 2.9).abs() < 1e-12);
    // micrograd's hinge: max(0, 1 − (−1)(0.25)) = 1.25
    let s = t.input(&[0.25], 1, 1).expect("score");
    let y = t.input(&[-1.0], 1, 1).expect("label");
    let l = t.loss(Loss::MarginHinge, s, y).expect("hinge");
    assert_eq!(t.value(l)[0], 1.25);
}

#[test]
fn bad_shapes_and_targets_are_errors_not_panics() {
    let mut t = Tape::<f32>::new(ParamStore::new());
    let a = t.input(&[1.0; 6], 2, 3).expect("a");
    let b = t.input(&[1.0; 6], 2, 3).expect("b");
    assert_eq!(
        t.matmul(a, b, false, false),
        Err(TensorError::ShapeMismatch { op: "matmul", lhs: (2, 3), rhs: (2, 3) })
    );
    assert!(t.matmul(a, b, false, true).is_ok());
    let y = t.input(&[0.0, 3.0], 2, 1).expect("labels");
    let err = t.loss(Loss::SoftmaxCe, a, y).unwrap_err();
    assert_eq!(err.to_string(), "ce loss: target 3 in row 1 should be a class index in 0..3");
    let y = t.input(&[0.5, 1.0], 2, 1).expect("labels");
    assert!(t.loss(Loss::MarginHinge, a, y).is_err()); // one output required
    assert!(t.input(&[1.0; 5], 2, 3).is_err());
    assert!(matches!(t.backward(a), Err(TensorError::NotScalar { .. })));
    // an input gets no gradient, and a node off the path to the output none either
    let s = t.sum(a).expect("sum");
    let off_path = t.scale(b, 2.0).expect("scale");
    t.backward(s).expect("backward");
    assert_eq!((t.grad(a), t.grad(off_path)), (None, None));
}

#[test]
fn a_warm_step_reuses_its_buffers() {
    // the buffers a step keeps depend on whether its products split: not while another test changes the threads
    let _turn = common::thread_settings_turn();
    let (s, p) = store(&[(8, 4), (1, 8)]);
    let mut t = Tape::new(s);
    let x = values(16 * 4, 3);
    let step = |t: &mut Tape<f64>| {
        t.reset();
        let xi = t.input(&x, 16, 4).expect("x");
        let (w, b) = (t.param(p[0]), t.param(p[1]));
        let z = t.matmul(xi, w, false, true).expect("mm");
        let z = t.add_bias(z, b).expect("bias");
        let h = t.map(Unary::Tanh, z).expect("tanh");
        let l = t.mean(h).expect("mean");
        t.backward(l).expect("backward");
        t.value(l)[0]
    };
    let first = step(&mut t);
    let bytes = t.arena_bytes();
    let grads = t.params.grads.clone();
    assert_eq!(step(&mut t), first);
    assert_eq!(t.arena_bytes(), bytes);
    assert_eq!(t.params.grads, grads, "a second backward overwrites rather than adds");
}

/// The gradients of a product computed with both products on two threads (and every product split in two halves)
/// equal the one-thread gradients (which `matmul_with_every_transpose` checks against central differences): a parameter times a parameter (each transpose), an
/// intermediate times a parameter, two intermediates, one intermediate twice, and one parameter twice.
#[test]
fn two_threads_give_the_gradients_of_one() {
    let _turn = common::thread_settings_turn();
    use chainrule::tensor::gemm;
    type Build = fn(&mut Tape<f64>, &[ParamId]) -> Result<NodeId, TensorError>;
    let cases: [(&str, Build); 5] = [
        ("param · paramᵀ", |t, p| {
            let (x, y) = (t.param(p[0]), t.param(p[1]));
            t.matmul(x, y, false, true)
        }),
        ("tanh(param)ᵀ · param", |t, p| {
            let x = t.param(p[1]);
            let h = t.map(Unary::Tanh, x)?;
            let y = t.param(p[0]);
            t.matmul(h, y, true, false)
        }),
        ("tanh(a) · sigmoid(b)ᵀ", |t, p| {
            let (x, y) = (t.param(p[0]), t.param(p[1]));
            let (h, k) = (t.map(Unary::Tanh, x)?, t.map(Unary::Sigmoid, y)?);
            t.matmul(h, k, false, true)
        }),
        ("h · hᵀ", |t, p| {
            let x = t.param(p[0]);
            let h = t.map(Unary::Tanh, x)?;
            t.matmul(h, h, false, true)
        }),
        ("p · pᵀ", |t, p| {
            let (x, y) = (t.param(p[0]), t.param(p[0]));
            t.matmul(x, y, false, true)
        }),
    ];
    for (name, build) in cases {
        let (s, p) = store(&[(70, 9), (70, 9)]);
        let grads = |threads: usize| {
            gemm::set_threads(threads);
            gemm::set_parallel_min_macs(0);
            let mut tape = Tape::new(s.clone());
            let out = build(&mut tape, &p).expect("builds");
            let (r, c) = tape.shape(out);
            let w = tape.input(&values(r * c, 7), r, c).expect("weights");
            let m = tape.mul(out, w).expect("mul");
            let l = tape.sum(m).expect("sum");
            // twice: the second pass must overwrite what the first wrote, not add to it
            tape.backward(l).expect("backward");
            tape.backward(l).expect("backward");
            gemm::set_threads(2);
            gemm::set_parallel_min_macs(gemm::PARALLEL_MIN_MACS);
            tape.params.grads.clone()
        };
        let (one, two) = (grads(1), grads(2));
        assert!(one.iter().any(|g| *g != 0.0), "{name}: some gradient");
        for (i, (a, b)) in one.iter().zip(&two).enumerate() {
            assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "{name}: param {i}: one thread {a}, two {b}");
        }
    }
}

#[test]
fn linear_is_matmul_plus_bias() {
    let (s, p) = store(&[(5, 4), (3, 4), (1, 3)]);
    check("linear", s.clone(), |t| {
        let x = t.param(p[0]);
        let h = t.map(Unary::Tanh, x)?; // an intermediate input, so that x's gradient flows on
        let (w, b) = (t.param(p[1]), t.param(p[2]));
        t.linear(h, w, b)
    });
    let mut t = Tape::new(s);
    let (x, w, b) = (t.param(p[0]), t.param(p[1]), t.param(p[2]));
    let fused = t.linear(x, w, b).expect("linear");
    let z = t.matmul(x, w, false, true).expect("matmul");
    let two = t.add_bias(z, b).expect("bias");
    assert_eq!(t.value(fused), t.value(two));
    assert!(matches!(t.linear(x, x, b), Err(TensorError::ShapeMismatch { op: "linear", .. })));
    assert!(matches!(t.linear(x, w, w), Err(TensorError::ShapeMismatch { op: "linear", .. })));
}
