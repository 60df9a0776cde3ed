//! A training step on two threads, by halves of the batch ([`crate::parallel::join`]): each half runs forward, loss
//! and backward on its own tape over the same weights (the parameter store's values are shared, not copied), and
//! the two gradients are summed. Every op of the step is shared between the cores, not only the large products.
//!
//! Each half's mean loss is weighted by its share of the rows, so the loss and the gradients are the whole batch's,
//! equal to the one-tape figures up to rounding (the sums over the batch are added in another order;
//! `tests/data_parallel.rs`). Dropout's masks are drawn for the whole batch first, in the same order as one tape
//! draws them, so the same units drop. Batch norm needs the whole batch's statistics, so a network with it runs on
//! one tape (its large products still split, in `tensor::gemm`).

use std::sync::atomic::{AtomicUsize, Ordering};

use rand::Rng;

use super::{Mlp, MlpLayer, MlpSpec, Mode, Pass, forward_on, loss_on};
use crate::tensor::{Element, Loss, Tape, TensorError};

/// Below this many multiply-adds in a batch's forward pass (rows × Σ inputs·outputs over the Linear layers), a
/// training step runs on one tape even on two threads. Measured on a Xeon VM with `examples/mlp_throughput.rs`
/// (`DATA_PARALLEL_MIN_MACS=0` against the split turned off, interleaved runs, steps/s): 2-8-8-1 on 32 rows (2.8 K
/// multiply-adds) lost with the split (272 K against 330 K), 2-16-16-1 on 32 rows (9.7 K) was even, 2-16-16-1 on 100
/// rows (30 K) won 1.25× and 2-64-64-1 on 256 rows (1.1 M) 2.0×. That was with a partner that spun without end;
/// with the partner that parks and hands halves back (`crate::parallel`), on an AMD EPYC Zen 3 VM (2026-12-07,
/// interleaved 3-second runs, quiet and with `yes > /dev/null` on the other core), 2-16-16-1 lost with the split on
/// 100 rows (30 K: 45-53 K steps/s against 53-64 K unsplit on two threads, 57 K on one) and was even at best on 250
/// (76 K), so the split starts at 128 K, where 2-64-64-1 on 256 rows still splits.
pub const DATA_PARALLEL_MIN_MACS: usize = 1 << 17;

static DATA_PARALLEL_MIN: AtomicUsize = AtomicUsize::new(DATA_PARALLEL_MIN_MACS);

/// Overrides [`DATA_PARALLEL_MIN_MACS`] for this process (to measure it; `usize::MAX` turns the split off).
pub fn set_data_parallel_min_macs(macs: usize) {
    DATA_PARALLEL_MIN.store(macs, Ordering::Relaxed);
}

/// Whether this step should run as two halves: two threads allowed ([`crate::parallel::threads`]), no batch norm,
/// at least two rows of well-formed data (data of the wrong length goes the one-tape way, whose checks say what is
/// wrong), and at least [`DATA_PARALLEL_MIN_MACS`] multiply-adds in the forward pass. Not whether splitting pays
/// at the moment: while it does not, [`crate::parallel::join`] runs both halves on this thread, so that the run
/// stays the same, bit for bit, whatever the other processes on the machine do.
pub(super) fn worth_splitting<T: Element>(mlp: &Mlp<T>, x: &[T], n: usize, targets: &[T]) -> bool {
    if mlp.spec.batchnorm || n < 2 {
        return false;
    }
    let store = &mlp.tape.params;
    let macs_per_row: usize = (mlp.layers.iter())
        .map(|l| if let MlpLayer::Linear { weight, .. } = l { store.entry(*weight).len() } else { 0 })
        .sum();
    let fits = x.len() == n * mlp.spec.inputs && targets.len() == n * target_cols(mlp);
    fits && macs_per_row * n >= DATA_PARALLEL_MIN.load(Ordering::Relaxed) && crate::parallel::threads() >= 2
}

/// Whether a network of `spec` trained on minibatches of `batch` rows splits its steps on two threads (then a run on
/// one thread, `--threads 1` or a worker beside the window, adds its gradients in another order: the same run to
/// rounding, not to the bit). The same rule as [`worth_splitting`], on the largest batch.
pub fn splits(spec: &MlpSpec, batch: usize) -> bool {
    let widths: Vec<usize> =
        std::iter::once(spec.inputs).chain(spec.hidden.iter().copied()).chain([spec.outputs]).collect();
    let macs_per_row: usize = widths.windows(2).map(|w| w[0] * w[1]).sum();
    !spec.batchnorm && batch >= 2 && macs_per_row.saturating_mul(batch) >= DATA_PARALLEL_MIN.load(Ordering::Relaxed)
}

fn target_cols<T>(mlp: &Mlp<T>) -> usize {
    if mlp.spec.loss == Loss::Mse { mlp.spec.outputs } else { 1 }
}

/// The step as two halves of the batch (see the module doc); returns the whole batch's loss. No allocation once
/// warm: the second tape is kept in the network.
pub(super) fn step<T: Element>(
    mlp: &mut Mlp<T>,
    x: &[T],
    n: usize,
    targets: &[T],
    rng: &mut impl Rng,
) -> Result<f64, TensorError> {
    let target_cols = target_cols(mlp);
    mlp.draw_masks(n, Mode::Train, rng);
    let half = n / 2;
    let replica = mlp.replica.get_or_insert_with(Box::default);
    replica.params.share_values(&mlp.tape.params);
    let (inputs, spec, layers, masks) = (mlp.spec.inputs, &mlp.spec, &mlp.layers, &mlp.masks);
    let half_step = |tape: &mut Tape<T>, (start, end): (usize, usize), penalties: bool| {
        let rows = &x[start * inputs..end * inputs];
        let pass = Pass { layers, inputs, x: rows, rows: (start, end - start), mode: Mode::Train, masks };
        let scores = forward_on(tape, &pass, None)?;
        let t = &targets[start * target_cols..end * target_cols];
        let weight = (end - start) as f64 / n as f64;
        let total = loss_on(tape, spec, layers, scores, t, Some(weight), penalties)?;
        tape.backward(total)?;
        Ok::<f64, TensorError>(tape.value(total)[0].as_f64())
    };
    let (first, second) =
        crate::parallel::join(|| half_step(&mut mlp.tape, (0, half), true), || half_step(replica, (half, n), false));
    replica.params.unshare_values();
    let loss = first? + second?;
    add_halves(&mut mlp.tape.params.grads, &replica.params.grads);
    Ok(loss)
}

/// dst += src, the two halves of the buffers on two threads when they are large.
fn add_halves<T: Element>(dst: &mut [T], src: &[T]) {
    fn add<T: Element>(d: &mut [T], s: &[T]) {
        for (d, &s) in d.iter_mut().zip(s) {
            *d += s;
        }
    }
    if dst.len() < 1 << 16 {
        return add(dst, src);
    }
    let mid = dst.len() / 2;
    let (d1, d2) = dst.split_at_mut(mid);
    let (s1, s2) = src.split_at(mid);
    crate::parallel::join(|| add(d1, s1), || add(d2, s2));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Unary;

    #[test]
    fn splits_counts_the_multiply_adds_of_the_networks_weights() {
        for (inputs, hidden, classes, batch) in
            [(64, vec![64], 10, 32), (64, vec![64], 10, 10), (2, vec![8; 6], 2, 10), (2, vec![], 3, 4096)]
        {
            let spec = MlpSpec::classifier(inputs, &hidden, classes, Unary::Tanh, Loss::SoftmaxCe).expect("spec");
            let mlp = Mlp::<f32>::new(&spec, 0).expect("builds");
            let store = &mlp.tape.params;
            let macs: usize = (mlp.layers.iter())
                .map(|l| if let MlpLayer::Linear { weight, .. } = l { store.entry(*weight).len() } else { 0 })
                .sum();
            assert_eq!(
                splits(&spec, batch),
                macs * batch >= DATA_PARALLEL_MIN_MACS,
                "{inputs}-{hidden:?}-{classes} at {batch}"
            );
            let bn = MlpSpec { batchnorm: true, ..spec.clone() };
            assert!(!splits(&bn, batch), "batch norm never splits");
        }
        let digits = MlpSpec::classifier(64, &[64], 10, Unary::Relu, Loss::SoftmaxCe).expect("spec");
        assert!(splits(&digits, 32) && !splits(&digits, 10), "4 736 multiply-adds a row: 32 rows split, 10 do not");
    }
}
