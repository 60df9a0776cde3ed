//! Two-way fork-join on a second thread that waits for work by spinning: what the tensor backend's two threads
//! run on ([`join`]).
//!
//! Why not rayon's `join`: rayon's idle worker goes to sleep within microseconds, and waking it again cost 37–104 µs
//! a join on these 2-core VMs whenever one thread had worked alone for 20 µs or more in between
//! (`examples/join_probe.rs`). A training step joins a few times with a few hundred microseconds of one-thread work
//! between (the optimizer, the batch's copy), so that wake-up ate most of what two threads gained on the
//! 784-256-256-10 network. The partner here spins for [`SPIN`] after each job before it parks, yielding the core
//! every few microseconds in case another thread (the window's) wants it, so back-to-back steps find it awake (a join
//! then costs 2–8 µs); an idle program parks it after that and pays nothing.
//!
//! One partner thread per process, started at the first join. A join that finds it busy (a join inside a join, or
//! two threads joining at once) runs both halves on the calling thread, so joins nest and never wait on each other.
//! A panic in either half is carried to the caller after both halves have finished.

use std::cell::UnsafeCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// How long the partner keeps spinning for the next job before it parks.
pub const SPIN: Duration = Duration::from_millis(5);

const IDLE: u8 = 0;
const CLAIMED: u8 = 1;
const POSTED: u8 = 2;
const RUNNING: u8 = 3;

/// A job on the caller's stack, type-erased: `run(data)` runs it once.
#[derive(Clone, Copy)]
struct JobRef {
    data: *const (),
    run: unsafe fn(*const ()),
}

/// The partner's mailbox: one job at a time.
struct Slot {
    state: AtomicU8,
    /// Written only by the caller that moved `state` from IDLE to CLAIMED, read only by the partner after it saw
    /// POSTED (Acquire); the job it points to outlives the partner's use of it (the caller waits for `done`).
    job: UnsafeCell<Option<JobRef>>,
    sleeping: AtomicBool,
    thread: Thread,
}

// SAFETY: `job` is accessed only under the protocol documented on it; `JobRef` points to a `StackJob` whose
// closure and result are `Send`.
unsafe impl Sync for Slot {}
unsafe impl Send for Slot {}

/// The partner, started at the first call; None if the thread could not be started (then joins run inline).
fn partner() -> Option<&'static Slot> {
    static PARTNER: OnceLock<Option<&'static Slot>> = OnceLock::new();
    *PARTNER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<&'static Slot>();
        let spawned = thread::Builder::new().name("chainrule-partner".into()).spawn(move || {
            let slot: &'static Slot = Box::leak(Box::new(Slot {
                state: AtomicU8::new(IDLE),
                job: UnsafeCell::new(None),
                sleeping: AtomicBool::new(false),
                thread: thread::current(),
            }));
            if tx.send(slot).is_ok() {
                serve(slot);
            }
        });
        spawned.ok().and_then(|_| rx.recv().ok())
    })
}

/// The partner's loop: run each posted job; spin [`SPIN`] for the next, then park until one is posted.
fn serve(slot: &'static Slot) {
    let mut idle_since = Instant::now();
    let mut spins = 0u32;
    loop {
        if slot.state.load(Ordering::Acquire) == POSTED {
            // SAFETY: POSTED (seen with Acquire) means the caller wrote the job and waits for it to finish.
            let job = unsafe { (*slot.job.get()).take() };
            slot.state.store(RUNNING, Ordering::Relaxed);
            if let Some(job) = job {
                // SAFETY: the job's data lives until its `done` flag is set, which `run` does last.
                unsafe { (job.run)(job.data) };
            }
            slot.state.store(IDLE, Ordering::Release);
            idle_since = Instant::now();
            spins = 0;
            continue;
        }
        spins = spins.wrapping_add(1);
        if !spins.is_multiple_of(256) {
            std::hint::spin_loop();
            continue;
        }
        if idle_since.elapsed() < SPIN {
            // every few microseconds, let another thread that wants this core (the window's) have it, without
            // sleeping: with nothing else to run, the call returns at once
            thread::yield_now();
            continue;
        }
        slot.sleeping.store(true, Ordering::SeqCst);
        if slot.state.load(Ordering::SeqCst) != POSTED {
            thread::park(); // a post after the check unparks (park's token covers an unpark that came first)
        }
        slot.sleeping.store(false, Ordering::SeqCst);
        idle_since = Instant::now();
    }
}

/// A closure and its result, on the caller's stack while the partner runs it.
struct StackJob<F, R> {
    f: UnsafeCell<Option<F>>,
    result: UnsafeCell<Option<thread::Result<R>>>,
    done: AtomicBool,
}

impl<F: FnOnce() -> R, R> StackJob<F, R> {
    /// Runs the closure once and records its result (or its panic), then sets `done`, after which the job is not
    /// touched again. SAFETY: `data` points to a live `StackJob<F, R>` that no one else runs.
    unsafe fn run(data: *const ()) {
        // SAFETY: as the function's contract says.
        let job = unsafe { &*(data as *const Self) };
        // SAFETY: only the partner touches `f` and `result` until `done` is set.
        let f = unsafe { (*job.f.get()).take() };
        if let Some(f) = f {
            let r = panic::catch_unwind(AssertUnwindSafe(f));
            // SAFETY: as above.
            unsafe { *job.result.get() = Some(r) };
        }
        job.done.store(true, Ordering::Release);
    }
}

/// Waits, on drop too (a panic in the caller's half), until the partner has finished the posted job, so that the
/// job's borrows outlive its use.
struct WaitDone<'a>(&'a AtomicBool);

impl Drop for WaitDone<'_> {
    fn drop(&mut self) {
        let mut spins = 0u32;
        while !self.0.load(Ordering::Acquire) {
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(4096) {
                thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// Runs `a` on the calling thread and `b` on the partner thread, and returns both results; with one thread allowed
/// ([`super::gemm::threads`]), or when the partner is busy, runs `a` then `b` here. A panic in either is resumed
/// here once both have finished.
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if super::gemm::threads() < 2 {
        return (a(), b());
    }
    let Some(slot) = partner() else {
        return (a(), b());
    };
    if slot.state.compare_exchange(IDLE, CLAIMED, Ordering::Acquire, Ordering::Relaxed).is_err() {
        return (a(), b()); // busy: a join inside a join (the partner's own included), or another caller's
    }
    let job = StackJob { f: UnsafeCell::new(Some(b)), result: UnsafeCell::new(None), done: AtomicBool::new(false) };
    // SAFETY: CLAIMED gives this thread the slot until it stores POSTED; `job` outlives its use by the partner
    // (`WaitDone` below waits for `done` before `job` goes out of scope, on return and on unwind alike).
    unsafe {
        *slot.job.get() =
            Some(JobRef { data: &job as *const StackJob<B, RB> as *const (), run: StackJob::<B, RB>::run })
    };
    slot.state.store(POSTED, Ordering::SeqCst);
    if slot.sleeping.load(Ordering::SeqCst) {
        slot.thread.unpark();
    }
    let ra = {
        let _wait = WaitDone(&job.done);
        a()
    };
    // SAFETY: `done` was seen with Acquire: the partner has written the result and no longer touches the job.
    let rb = unsafe { (*job.result.get()).take() };
    match rb {
        Some(Ok(rb)) => (ra, rb),
        Some(Err(payload)) => panic::resume_unwind(payload),
        None => unreachable!("the partner runs every job it takes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_halves_run_and_return_their_results() {
        let mut v = vec![0u64; 1000];
        let (lo, hi) = v.split_at_mut(500);
        let (a, b) = join(
            || {
                lo.iter_mut().enumerate().for_each(|(i, x)| *x = i as u64);
                lo.iter().sum::<u64>()
            },
            || {
                hi.iter_mut().enumerate().for_each(|(i, x)| *x = 500 + i as u64);
                hi.iter().sum::<u64>()
            },
        );
        assert_eq!(a + b, (0..1000).sum::<u64>());
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64));
    }

    #[test]
    fn joins_nest_and_many_threads_may_join_at_once() {
        fn sum(xs: &[u64]) -> u64 {
            if xs.len() <= 64 {
                return xs.iter().sum();
            }
            let (l, r) = xs.split_at(xs.len() / 2);
            let (a, b) = join(|| sum(l), || sum(r));
            a + b
        }
        let xs: Vec<u64> = (0..100_000).collect();
        let want: u64 = xs.iter().sum();
        thread::scope(|s| {
            let handles: Vec<_> = (0..4).map(|_| s.spawn(|| (0..50).all(|_| sum(&xs) == want))).collect();
            for h in handles {
                assert!(h.join().expect("no panic"));
            }
        });
    }

    #[test]
    fn a_panic_in_either_half_reaches_the_caller_after_both_finished() {
        let (started, finished) = (AtomicBool::new(false), AtomicBool::new(false));
        let r = panic::catch_unwind(AssertUnwindSafe(|| {
            join(
                || panic!("left"),
                || {
                    started.store(true, Ordering::SeqCst);
                    thread::sleep(Duration::from_millis(20));
                    finished.store(true, Ordering::SeqCst);
                },
            )
        }));
        assert!(r.is_err());
        // on the partner, the right half runs to its end before the panic goes on; inline (the partner busy with
        // another test's join) it never starts
        assert_eq!(started.load(Ordering::SeqCst), finished.load(Ordering::SeqCst));
        let r = panic::catch_unwind(|| join(|| 1, || -> i32 { panic!("right") }));
        assert!(r.is_err());
        assert_eq!(join(|| 2, || 3), (2, 3), "the partner still serves after a panic");
    }

    #[test]
    fn a_parked_partner_wakes_for_the_next_join() {
        assert_eq!(join(|| 1, || 2), (1, 2));
        thread::sleep(SPIN * 3);
        let t = Instant::now();
        assert_eq!(join(|| 3, || 4), (3, 4));
        assert!(t.elapsed() < Duration::from_secs(5), "no lost wake-up");
    }
}
