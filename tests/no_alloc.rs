//! Once warm, a training step on the tensor backend allocates nothing, on one thread and on two: the tape rewinds its
//! arenas, the batch and target buffers are reused, the optimizer's state is sized once, and a split step's second
//! tape and the transposed operands' scratch are kept. Counted with a global allocator that tallies every
//! allocation made on the threads it watches: this test's thread and the partner thread that runs the second half
//! of every split (`chainrule::parallel`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use chainrule::data;
use chainrule::nn::{Backend, Init, Mlp, MlpSpec, TrainConfig, Trainer, set_data_parallel_min_macs};
use chainrule::parallel;
use chainrule::scalar::Unary;
use chainrule::tensor::{Loss, NodeId};

thread_local! {
    static WATCHED: Cell<bool> = const { Cell::new(false) };
}
static COUNTING: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicUsize = AtomicUsize::new(0);

struct Counting;

fn tally() {
    if COUNTING.load(Ordering::Relaxed) && WATCHED.with(Cell::get) {
        COUNT.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; the tally has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        tally();
        // SAFETY: the caller upholds `alloc`'s contract, which we pass on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr was allocated by System with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        tally();
        // SAFETY: as for alloc; ptr came from System with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn allocations(f: impl FnOnce()) -> usize {
    COUNT.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f();
    COUNTING.store(false, Ordering::SeqCst);
    COUNT.load(Ordering::SeqCst)
}

/// Marks this thread and the partner thread as watched: joins until one's second half ran on the partner.
fn watch_this_thread_and_the_partner() {
    WATCHED.with(|w| w.set(true));
    // the first half waits (a bounded while) for the second to start, so the partner has the time to take it; tried
    // again while another join holds the partner, and counted in tries, not timed
    for _ in 0..1000 {
        let (started, starts) = std::sync::mpsc::channel::<()>();
        let (_, on_partner) = parallel::join(
            move || {
                let _ = starts.recv_timeout(Duration::from_millis(100));
            },
            move || {
                let _ = started.send(());
                WATCHED.with(|w| w.set(true));
                std::thread::current().name() == Some("chainrule-partner")
            },
        );
        if on_partner {
            return;
        }
    }
    panic!("the partner thread never ran a job in 1000 joins");
}

/// How many warm steps a two-thread case may take before the partner must have run part of one (counted, not
/// timed: a busy machine takes more of them, each a few hundred microseconds).
const STEPS_FOR_THE_PARTNER: usize = 20_000;

#[test]
fn a_warm_training_step_allocates_nothing_on_one_thread_and_on_two() {
    // two threads split at every chance here (not paused when a split loses, as on a busy test machine)
    parallel::set_adaptive(false);
    parallel::set_threads(2);
    watch_this_thread_and_the_partner();
    // (threads, batch norm, dropout, optimizer, hidden width, rows, split the batch)
    let cases = [
        (1, false, 0.0, "sgd:lr=0.1,momentum=0.9", 16, 30, false),
        (1, true, 0.2, "adam:lr=0.01", 16, 30, false),
        // a tape per half of the batch (the threshold lowered to 0)
        (2, false, 0.2, "adam:lr=0.01", 16, 30, true),
        // one tape (batch norm), but 256×256×256 products split in halves, a matmul's two gradient products one
        // per thread, and the optimizer's update of 67 000 parameters in two halves
        (2, true, 0.0, "adam:lr=0.01", 256, 256, false),
    ];
    for (threads, batchnorm, dropout, opt, width, rows, split) in cases {
        parallel::set_threads(threads);
        set_data_parallel_min_macs(if split { 0 } else { usize::MAX });
        let d = data::generate("kspiral", 300, 0.0, 1).expect("data");
        let mut spec = MlpSpec::classifier(2, &[width, width], 3, Unary::Tanh, Loss::SoftmaxCe).expect("valid");
        spec.init = Init::He;
        spec.batchnorm = batchnorm;
        spec.dropout = dropout;
        spec.l2 = 1e-3;
        let cfg = TrainConfig {
            opt: opt.parse().expect("spec"),
            schedule: None,
            epochs: 1,
            batch: rows,
            seed: 1,
            backend: Backend::Tensor,
        };
        let case = format!("{threads} threads, batchnorm {batchnorm}, dropout {dropout}, width {width}");
        let mut t =
            Trainer::new(Mlp::<f32>::new(&spec, 1).expect("builds"), cfg, (&d.x, &d.y), (&d.x, &d.y)).expect("trainer");
        let rows: Vec<usize> = (0..rows).collect();
        // a few cold steps: the scratch of a transposed operand grows on whichever thread first runs that product
        for _ in 0..3 {
            t.train_step(&rows).expect("cold step");
        }
        // on two threads, step until the partner has run part of a counted step (a half it had not started by the
        // time the caller finished its own was taken back: on a busy machine that can take a while)
        let jobs = parallel::partner_jobs();
        for k in 0..STEPS_FOR_THE_PARTNER {
            let n = allocations(|| {
                t.train_step(&rows).expect("warm step");
            });
            assert_eq!(n, 0, "{case}: {n} allocations in warm step {k}");
            if k >= 5 && (threads == 1 || parallel::partner_jobs() > jobs) {
                break;
            }
            assert!(k + 1 < STEPS_FOR_THE_PARTNER, "{case}: the partner ran no part of {k} steps");
        }
        let first_tape_rows = t.mlp.tape.shape(NodeId(0)).0;
        assert_eq!(first_tape_rows, if split { rows.len() / 2 } else { rows.len() }, "{case}");
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
