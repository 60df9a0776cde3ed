//! Once warm, a training step on the tensor backend allocates nothing: the tape rewinds its arenas, the batch and
//! target buffers are reused, and the optimizer's state is sized once. Counted with a global allocator that tallies
//! every allocation made on this test's thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use chainrule::data;
use chainrule::nn::{Backend, Init, Mlp, MlpSpec, TrainConfig, Trainer, set_data_parallel_min_macs};
use chainrule::scalar::Unary;
use chainrule::tensor::{Loss, NodeId};

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: every call is forwarded to the system allocator unchanged; the thread-local tally has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: the caller upholds `alloc`'s contract, which we pass on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr was allocated by System with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: as for alloc; ptr came from System with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn allocations(f: impl FnOnce()) -> usize {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    COUNT.with(Cell::get)
}

#[test]
fn a_warm_training_step_allocates_nothing() {
    // the last case splits each step over two threads (the threshold lowered to 0): a tape per half of the batch
    for (batchnorm, dropout, opt, split) in [
        (false, 0.0, "sgd:lr=0.1,momentum=0.9", false),
        (true, 0.2, "adam:lr=0.01", false),
        (false, 0.2, "adam:lr=0.01", true),
    ] {
        set_data_parallel_min_macs(if split { 0 } else { usize::MAX });
        let d = data::generate("kspiral", 90, 0.0, 1).expect("data");
        let mut spec = MlpSpec::classifier(2, &[16, 16], 3, Unary::Tanh, Loss::SoftmaxCe).expect("valid");
        spec.init = Init::He;
        spec.batchnorm = batchnorm;
        spec.dropout = dropout;
        spec.l2 = 1e-3;
        let cfg = TrainConfig {
            opt: opt.parse().expect("spec"),
            schedule: None,
            epochs: 1,
            batch: 30,
            seed: 1,
            backend: Backend::Tensor,
        };
        let mut t =
            Trainer::new(Mlp::<f32>::new(&spec, 1).expect("builds"), cfg, (&d.x, &d.y), (&d.x, &d.y)).expect("trainer");
        let rows: Vec<usize> = (0..30).collect();
        t.train_step(&rows).expect("cold step");
        let n = allocations(|| {
            t.train_step(&rows).expect("warm step");
        });
        assert_eq!(n, 0, "batchnorm {batchnorm}, dropout {dropout}, split {split}: {n} allocations in a warm step");
        let first_tape_rows = t.mlp.tape.shape(NodeId(0)).0;
        assert_eq!(first_tape_rows, if split { 15 } else { 30 }, "split {split}");
        // and the counter does count: a cold trainer's first step allocates
        let mut cold =
            Trainer::new(Mlp::<f32>::new(&spec, 2).expect("builds"), t.config().clone(), (&d.x, &d.y), (&d.x, &d.y))
                .expect("trainer");
        assert!(
            allocations(|| {
                cold.train_step(&rows).expect("step");
            }) > 0
        );
    }
}
