//! A training step split over two threads (each half of the batch on its own tape, the gradients summed) gives the
//! whole batch's loss and gradients: the one-thread figures up to rounding, with dropout dropping the same units and
//! the penalties counted once. Its own test binary: it lowers the process-wide threshold so that small networks
//! split.

mod common;

use chainrule::nn::{Mlp, MlpSpec, set_data_parallel_min_macs};
use chainrule::optim::{OptimSpec, Optimizer};
use chainrule::scalar::Unary;
use chainrule::tensor::{Loss, NodeId, gemm};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn batch(n: usize, d: usize, classes: usize) -> (Vec<f64>, Vec<usize>) {
    let x = (0..n * d).map(|i| ((i * 7919 % 113) as f64 / 113.0 - 0.5) * 3.0).collect();
    let y = (0..n).map(|i| (i * 5 + 1) % classes).collect();
    (x, y)
}

/// `steps` training steps (SGD with momentum) on `threads` threads; the losses, the final weights and gradients, and
/// the rows the last step's first tape held.
fn run(spec: &MlpSpec, threads: usize, steps: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, usize) {
    gemm::set_threads(threads);
    let (x, y) = batch(9, spec.inputs, 3);
    let mut mlp = Mlp::<f64>::new(spec, 11).expect("builds");
    let mut t = Vec::new();
    mlp.targets(&y, &mut t);
    let mut opt = Optimizer::<f64>::new(&"sgd:lr=0.1,momentum=0.9".parse::<OptimSpec>().expect("valid"));
    let mut rng = StdRng::seed_from_u64(3);
    let mut losses = Vec::new();
    for _ in 0..steps {
        losses.push(mlp.train_step_grads(&x, y.len(), &t, &mut rng).expect("a step"));
        let (values, grads) = mlp.tape.params.values_and_grads();
        opt.step(values, grads);
    }
    let rows = mlp.tape.shape(NodeId(0)).0;
    (losses, mlp.params().values().to_vec(), mlp.params().grads.clone(), rows)
}

fn assert_close(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol * x.abs().max(1.0), "{what} {i}: one thread {x}, two {y}");
    }
}

#[test]
fn two_halves_give_the_whole_batch_loss_and_gradients() {
    let _turn = common::thread_settings_turn();
    set_data_parallel_min_macs(0);
    let mut spec = MlpSpec::classifier(4, &[16, 8], 3, Unary::Tanh, Loss::SoftmaxCe).expect("valid");
    spec.dropout = 0.3;
    spec.l2 = 1e-2;
    spec.l1 = 1e-3;
    let (l1, w1, g1, rows1) = run(&spec, 1, 12);
    let (l2, w2, g2, rows2) = run(&spec, 2, 12);
    assert_eq!(rows1, 9, "one thread: one tape holds the whole batch");
    assert_eq!(rows2, 4, "two threads: the first tape held the first half (the split was taken)");
    assert_close("loss", &l1, &l2, 1e-12);
    assert_close("gradient", &g1, &g2, 1e-11);
    assert_close("weight", &w1, &w2, 1e-11);
    assert!(g1.iter().filter(|g| g.abs() > 1e-9).count() > g1.len() / 2, "most gradients are non-zero");

    // every loss splits the same way, mse with several outputs (one-hot rows as targets) included
    for loss in [Loss::Mse, Loss::MulticlassHinge] {
        let spec = MlpSpec::classifier(4, &[8], 3, Unary::Relu, loss).expect("valid");
        let (l1, _, g1, _) = run(&spec, 1, 3);
        let (l2, _, g2, rows) = run(&spec, 2, 3);
        assert_eq!(rows, 4);
        assert_close(loss.name(), &l1, &l2, 1e-12);
        assert_close(loss.name(), &g1, &g2, 1e-11);
    }

    // batch norm needs the whole batch's statistics: one tape, the same figures bit for bit
    let mut spec = MlpSpec::classifier(4, &[8], 3, Unary::Relu, Loss::SoftmaxCe).expect("valid");
    spec.batchnorm = true;
    let (l1, w1, _, _) = run(&spec, 1, 5);
    let (l2, w2, _, rows) = run(&spec, 2, 5);
    assert_eq!(rows, 9, "no split with batch norm");
    assert_eq!((l1, w1), (l2, w2));
    gemm::set_threads(2);
}

#[test]
fn data_of_the_wrong_length_is_refused_on_two_threads_too() {
    let _turn = common::thread_settings_turn();
    set_data_parallel_min_macs(0);
    gemm::set_threads(2);
    let spec = MlpSpec::classifier(4, &[8], 3, Unary::Tanh, Loss::SoftmaxCe).expect("valid");
    let mut mlp = Mlp::<f64>::new(&spec, 1).expect("builds");
    let (x, y) = batch(8, 4, 3);
    let mut t = Vec::new();
    mlp.targets(&y, &mut t);
    let mut rng = StdRng::seed_from_u64(0);
    assert!(mlp.train_step_grads(&x[..30], 8, &t, &mut rng).is_err(), "30 values for 8 rows of 4");
    assert!(mlp.train_step_grads(&x, 8, &t[..7], &mut rng).is_err(), "7 targets for 8 rows");
    assert!(mlp.train_step_grads(&x, 8, &t, &mut rng).is_ok());
    assert_eq!(mlp.tape.shape(NodeId(0)).0, 4, "and right data is split");
}
