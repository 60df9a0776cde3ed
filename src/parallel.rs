//! Two-way fork-join for the numeric core: [`join`] runs one closure on the calling thread and one on a partner
//! thread. The tensor backend splits large products, a training step's two halves of the batch and the gradients'
//! sum with it, and the optimizer its update; it sits here, below both, so that neither imports the other.
//!
//! # The policy: two threads that never lose
//!
//! The machines this runs on have two cores, often shared: with a build, a browser, or the window's own UI thread.
//! A second thread pays only when a free core runs it at once, so [`join`] is built to cost next to nothing when
//! none does, and to stop trying when trying does not pay:
//!
//! 1. **The caller takes back what the partner has not started.** The second half is posted to the partner, the
//!    caller runs the first, and if by then the partner has not picked the second up (asleep, or waiting for a
//!    core), the caller runs it too. A join therefore never waits for a partner that is not running: at worst it
//!    costs the two halves one after the other plus the post (a few atomic operations, and a wake-up call when the
//!    partner was parked).
//! 2. **The partner spins only briefly, then parks.** After each job it spins for [`SPIN`] (yielding its core every
//!    few microseconds, so another runnable thread gets it at once), so the joins of a training loop, a few
//!    microseconds to a millisecond apart, find it awake (a join then costs 2–8 µs, where waking a parked thread
//!    cost 37–104 µs on these VMs: `examples/join_probe.rs`); an idle program parks it and pays nothing.
//! 3. **Joins that do not pay switch the second thread off for a while.** Every join compares its duration with
//!    its first half's alone: split halves of equal work take about as long as one half when the partner runs the
//!    other at once, and twice as long when it does not. A running average of that ratio above
//!    [`LOSING_RATIO`] (a partner that keeps starting late, or is preempted mid-job, with another process on the
//!    other core) pauses the partner ([`active`] is false: every join runs both halves on the calling thread, and
//!    the partner parks), first for 20 ms, doubling while the next tries keep losing, up to one second; then a few
//!    joins try two threads again. The cost of trying is a handful of joins each second.
//!
//! Callers decide what to split from sizes and [`threads`] alone, never from [`active`]: a half computes the same
//! bits on either thread, so a run with a given seed and thread count is the same, bit for bit, whatever the load.
//!
//! Callers split only work big enough to amortize a join (a product from 2²⁴ multiply-adds, a batch from 2¹⁴; see
//! `tensor::gemm` and `nn`), so the post itself is never the larger part.
//!
//! The window's workers (a playground run, a lab's experiment, a landscape grid) call [`cap_this_thread`]`(1)`:
//! with the window open the UI thread needs a core, so the work started beside it stays on one.
//!
//! One partner thread per process, started at the first join. A join that finds it busy (a join inside a join, or
//! two threads joining at once) runs both halves on the calling thread, so joins nest and never wait on each other.
//! A panic in either half is carried to the caller after both halves have finished (or the second, not yet started,
//! has been dropped).

use std::cell::{Cell, UnsafeCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// How long the partner keeps spinning for the next job before it parks.
pub const SPIN: Duration = Duration::from_millis(1);

/// Above this running average of (a join's time) / (its first half's time), two threads are losing and the split
/// is switched off for a while. 1 is a perfect split of two equal halves, 2 is no gain at all.
pub const LOSING_RATIO: f32 = 1.6;

/// The first pause of the splitting after a losing spell; it doubles while tries keep losing.
const PAUSE_FIRST: Duration = Duration::from_millis(20);
/// The longest pause.
const PAUSE_MAX: Duration = Duration::from_secs(1);
/// The running average's weight for the newest join.
const WEIGHT: f32 = 0.25;
/// Where the average restarts when two threads are tried again: two or three losing joins switch them off again.
const RETRY_SCORE: f32 = 1.4;

static THREADS: AtomicUsize = AtomicUsize::new(0);
static ADAPTIVE: AtomicBool = AtomicBool::new(true);

/// How many threads the numeric core may use: 1, or 2 (the machines this runs on have two cores; more would need
/// a pool). Process-wide; the default is 2 when the processor has two cores or more, else 1.
pub fn set_threads(n: usize) {
    THREADS.store(n.clamp(1, 2), Ordering::Relaxed);
}

thread_local! {
    /// This thread's cap on [`threads`] (0: none), set by [`cap_this_thread`].
    static CAP: Cell<usize> = const { Cell::new(0) };
}

/// Caps the threads the numeric core uses for work started on the calling thread at `n` (1 or 2; 0 lifts the cap),
/// below the process-wide [`set_threads`]. A worker beside the window calls it with 1 first thing, so that the UI
/// thread keeps a core. Its run then splits nothing, as `chainrule train --threads 1` does.
pub fn cap_this_thread(n: usize) {
    CAP.with(|c| c.set(n.min(2)));
}

/// Lowers the calling thread's scheduling priority a little (Linux: nice +5 for this thread alone; elsewhere
/// nothing), for a worker beside the window: when the UI thread wakes for a frame while another process keeps a
/// core busy, the scheduler gives it the core the worker holds at once instead of after the worker's slice.
pub fn yield_to_ui() {
    #[cfg(target_os = "linux")]
    {
        unsafe extern "C" {
            fn setpriority(which: i32, who: u32, prio: i32) -> i32;
            fn gettid() -> i32;
        }
        const PRIO_PROCESS: i32 = 0;
        // SAFETY: both are plain system calls on the calling thread's id (Linux's nice applies per thread)
        unsafe {
            let tid = gettid();
            let _ = setpriority(PRIO_PROCESS, tid as u32, 5);
        }
    }
}

/// The thread count [`set_threads`] set, or the default; at most the calling thread's [`cap_this_thread`].
pub fn threads() -> usize {
    let n = match THREADS.load(Ordering::Relaxed) {
        0 => {
            let n = thread::available_parallelism().map_or(1, |n| n.get()).min(2);
            THREADS.store(n, Ordering::Relaxed);
            n
        }
        n => n,
    };
    match CAP.with(Cell::get) {
        0 => n,
        cap => n.min(cap),
    }
}

/// Whether joins that do not pay switch two threads off for a while (point 3 of the module doc; on by default).
/// Off, every join on two threads splits: for measuring, and for tests that need the partner to run.
pub fn set_adaptive(on: bool) {
    ADAPTIVE.store(on, Ordering::Relaxed);
    if !on {
        PAUSED_UNTIL.store(0, Ordering::Relaxed);
    }
}

/// Whether a join would now try the partner thread: two threads allowed, and not paused because splitting was
/// losing. O(1).
pub fn active() -> bool {
    if threads() < 2 {
        return false;
    }
    active_at(PAUSED_UNTIL.load(Ordering::Relaxed), now_ns())
}

/// Whether a pause lasting until `until` (0: none) is over at `now` (nanoseconds since the process started).
fn active_at(until: u64, now: u64) -> bool {
    until == 0 || now >= until
}

/// How many jobs the partner thread has run since the process started (tests use it to see that it did).
pub fn partner_jobs() -> u64 {
    PARTNER_JOBS.load(Ordering::Relaxed)
}

/// How many times splitting has been paused since the process started.
pub fn pauses() -> u64 {
    PAUSES.load(Ordering::Relaxed)
}

/// How many second halves the callers took back unstarted and ran themselves (point 1 of the module doc).
pub fn taken_back() -> u64 {
    TAKEN_BACK.load(Ordering::Relaxed)
}

static PARTNER_JOBS: AtomicU64 = AtomicU64::new(0);
/// Jobs a caller found that the partner would never run, and ran itself ([`Posted::wait`]).
static LOST_JOBS: AtomicU64 = AtomicU64::new(0);
static TAKEN_BACK: AtomicU64 = AtomicU64::new(0);
static PAUSES: AtomicU64 = AtomicU64::new(0);
/// The running average of the joins' ratio, as f32 bits (updated by whichever thread finished a join; a lost
/// update between two concurrent joins only delays the decision by one join).
static SCORE: AtomicU32 = AtomicU32::new(0x3f80_0000); // 1.0
/// Nanoseconds since [`START`] until which splitting is paused (0: not paused).
static PAUSED_UNTIL: AtomicU64 = AtomicU64::new(0);
/// The current pause's length in nanoseconds, and when the last one ended.
static PAUSE_NS: AtomicU64 = AtomicU64::new(0);
static LAST_PAUSE_END: AtomicU64 = AtomicU64::new(0);

fn now_ns() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// Folds one join's ratio into the running average, and pauses the splitting when it says two threads lose.
fn record(first_half_ns: u64, total_ns: u64) {
    if !ADAPTIVE.load(Ordering::Relaxed) {
        return;
    }
    let ratio = (total_ns as f32 / first_half_ns.max(1) as f32).clamp(1.0, 4.0);
    let score = f32::from_bits(SCORE.load(Ordering::Relaxed));
    let score = score + WEIGHT * (ratio - score);
    if score <= LOSING_RATIO {
        SCORE.store(score.to_bits(), Ordering::Relaxed);
        return;
    }
    // losing: pause, longer if the last pause ended only a moment ago (the try right after it lost too)
    let now = now_ns();
    let last = PAUSE_NS.load(Ordering::Relaxed);
    let recent = last > 0 && now.saturating_sub(LAST_PAUSE_END.load(Ordering::Relaxed)) < 2 * last;
    let pause = if recent { (2 * last).min(PAUSE_MAX.as_nanos() as u64) } else { PAUSE_FIRST.as_nanos() as u64 };
    PAUSE_NS.store(pause, Ordering::Relaxed);
    LAST_PAUSE_END.store(now + pause, Ordering::Relaxed);
    PAUSED_UNTIL.store(now + pause, Ordering::Relaxed);
    SCORE.store(RETRY_SCORE.to_bits(), Ordering::Relaxed);
    PAUSES.fetch_add(1, Ordering::Relaxed);
}

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
    /// Written only by a thread that moved `state` to CLAIMED (the caller posting, or taking its job back), read
    /// only by the partner after it moved POSTED to RUNNING (Acquire); the job it points to outlives the partner's
    /// use of it (the caller waits for `done`).
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
        if slot.state.load(Ordering::Relaxed) == POSTED
            && slot.state.compare_exchange(POSTED, RUNNING, Ordering::Acquire, Ordering::Relaxed).is_ok()
        {
            // SAFETY: RUNNING, won from POSTED with Acquire: the caller wrote the job and waits for it to finish.
            let job = unsafe { (*slot.job.get()).take() };
            if let Some(job) = job {
                // SAFETY: the job's data lives until its `done` flag is set, which `run` does last.
                unsafe { (job.run)(job.data) };
                PARTNER_JOBS.fetch_add(1, Ordering::Relaxed);
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
            // every few microseconds, let another thread that wants this core have it, without sleeping: with
            // nothing else to run, the call returns at once
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
        // SAFETY: only the thread running the job touches `f` and `result` until `done` is set.
        let f = unsafe { (*job.f.get()).take() };
        if let Some(f) = f {
            let r = panic::catch_unwind(AssertUnwindSafe(f));
            // SAFETY: as above.
            unsafe { *job.result.get() = Some(r) };
        }
        job.done.store(true, Ordering::Release);
    }
}

/// A job posted to the partner. [`Posted::finish`] takes it back if the partner has not started it (and runs it
/// here) or waits until the partner has finished it; dropped without `finish` (a panic in the caller's half), it
/// takes it back unrun or waits, so that the job's borrows outlive every use.
struct Posted<'a> {
    slot: &'static Slot,
    job: JobRef,
    done: &'a AtomicBool,
    finished: bool,
}

impl Posted<'_> {
    /// Takes the job back if the partner has not started it.
    fn take_back(&self) -> bool {
        if self.slot.state.compare_exchange(POSTED, CLAIMED, Ordering::Acquire, Ordering::Relaxed).is_err() {
            return false;
        }
        // SAFETY: CLAIMED gives this thread the slot again.
        unsafe { *self.slot.job.get() = None };
        self.slot.state.store(IDLE, Ordering::Release);
        true
    }

    fn wait(&self) {
        let mut spins = 0u32;
        while !self.done.load(Ordering::Acquire) {
            // The partner runs a job only from RUNNING and sets `done` before it leaves RUNNING, and this job is
            // posted no more (the take-back failed). So a state other than RUNNING with `done` still unset means the
            // partner will never run it: seen in the lessons tests (a lost job, the caller waiting for ever; the
            // cause is not found yet). Then it runs here, once.
            if spins.is_multiple_of(4096)
                && self.slot.state.load(Ordering::Acquire) != RUNNING
                && !self.done.load(Ordering::Acquire)
            {
                LOST_JOBS.fetch_add(1, Ordering::Relaxed);
                // SAFETY: no thread runs the job (above); its data lives in the caller's frame, which waits here.
                unsafe { (self.job.run)(self.job.data) };
                return;
            }
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(1024) {
                thread::yield_now(); // the partner may be waiting for this core
            } else {
                std::hint::spin_loop();
            }
        }
    }

    /// Runs the job here if the partner has not started it, else waits for it; returns whether it ran here.
    fn finish(&mut self) -> bool {
        self.finished = true;
        if self.take_back() {
            // SAFETY: taken back, the job is this thread's alone, and its data is alive (the caller's frame).
            unsafe { (self.job.run)(self.job.data) };
            TAKEN_BACK.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        self.wait();
        false
    }
}

impl Drop for Posted<'_> {
    fn drop(&mut self) {
        if !self.finished && !self.take_back() {
            self.wait();
        }
    }
}

/// Runs `a` on the calling thread and `b` on the partner thread, and returns both results. Runs `a` then `b` here
/// when splitting is off ([`active`]), when the partner is busy, or when it has not started `b` by the time `a`
/// is done (see the module doc). A panic in either is resumed here once both have finished.
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if !active() {
        return (a(), b());
    }
    let Some(slot) = partner() else {
        return (a(), b());
    };
    if slot.state.compare_exchange(IDLE, CLAIMED, Ordering::Acquire, Ordering::Relaxed).is_err() {
        return (a(), b()); // busy: a join inside a join (the partner's own included), or another caller's
    }
    let job = StackJob { f: UnsafeCell::new(Some(b)), result: UnsafeCell::new(None), done: AtomicBool::new(false) };
    let job_ref = JobRef { data: &job as *const StackJob<B, RB> as *const (), run: StackJob::<B, RB>::run };
    // SAFETY: CLAIMED gives this thread the slot until it stores POSTED; `job` outlives its use by the partner
    // (`Posted` takes it back or waits for `done` before `job` goes out of scope, on return and on unwind alike).
    unsafe { *slot.job.get() = Some(job_ref) };
    let t0 = now_ns();
    slot.state.store(POSTED, Ordering::SeqCst);
    if slot.sleeping.load(Ordering::SeqCst) {
        slot.thread.unpark();
    }
    let mut posted = Posted { slot, job: job_ref, done: &job.done, finished: false };
    let ra = a();
    let t1 = now_ns();
    posted.finish();
    record(t1 - t0, now_ns() - t0);
    // SAFETY: `done` was seen with Acquire (or the job ran here): nothing else touches the result.
    let rb = unsafe { (*job.result.get()).take() };
    match rb {
        Some(Ok(rb)) => (ra, rb),
        Some(Err(payload)) => panic::resume_unwind(payload),
        None => unreachable!("every posted job is run, here or by the partner, before it is finished"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capped_thread_uses_one_thread_and_the_others_keep_theirs() {
        // (other tests may set the process-wide count meanwhile: only the cap's own effect is asserted)
        let capped = thread::spawn(|| {
            cap_this_thread(1);
            let (here, there) = join(threads, threads);
            let capped = (threads(), here, there);
            cap_this_thread(0);
            (capped, CAP.with(Cell::get))
        });
        assert_eq!(capped.join().expect("joins"), ((1, 1, 1), 0), "one thread while capped; the cap lifts");
        assert_eq!(CAP.with(Cell::get), 0, "the cap is the worker's alone");
    }

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
        // on the partner, the right half runs to its end before the panic goes on; not started by then (or inline,
        // the partner busy with another test's join) it never starts
        assert_eq!(started.load(Ordering::SeqCst), finished.load(Ordering::SeqCst));
        let r = panic::catch_unwind(|| join(|| 1, || -> i32 { panic!("right") }));
        assert!(r.is_err());
        assert_eq!(join(|| 2, || 3), (2, 3), "the partner still serves after a panic");
    }

    #[test]
    fn a_parked_partner_wakes_for_the_next_join() {
        use std::sync::mpsc::channel;
        let _turn = POLICY.lock().unwrap_or_else(|e| e.into_inner());
        set_threads(2);
        set_adaptive(false);
        // the partner parks after SPIN idle; a join then wakes it and it runs the second half (the first waits a
        // bounded while for it to start). Other tests may hold the partner at that moment: tried again, counted in
        // tries, not timed
        for _ in 0..100 {
            assert_eq!(join(|| 1, || 2), (1, 2));
            thread::sleep(SPIN * 3);
            let (started, starts) = channel::<()>();
            let (_, on_partner) = join(
                move || {
                    let _ = starts.recv_timeout(Duration::from_secs(1));
                },
                move || {
                    let _ = started.send(());
                    thread::current().name() == Some("chainrule-partner")
                },
            );
            if on_partner {
                return;
            }
        }
        panic!("a parked partner never woke for a join in 100 tries");
    }

    /// The tests that depend on the process-wide policy (a pause, the thread count) take turns.
    static POLICY: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn a_busy_partner_makes_the_join_run_here_without_waiting() {
        use std::sync::mpsc::channel;
        let _turn = POLICY.lock().unwrap_or_else(|e| e.into_inner());
        set_threads(2);
        set_adaptive(false);
        // another thread's join gives the partner a second half that holds it until released; other tests may hold
        // the partner at that moment (then the half runs on its own caller), so the set-up is tried again
        for _ in 0..100 {
            let (release, held) = channel::<()>();
            let (tell, told) = channel::<bool>();
            let (started, starts) = channel::<()>();
            let shown = thread::scope(|s| {
                s.spawn(move || {
                    let caller = thread::current().id();
                    join(
                        // the first half waits (a bounded while) for the second to start, so that the partner has
                        // the time to take it instead of its caller taking it back at once (a loaded machine)
                        move || {
                            let _ = starts.recv_timeout(Duration::from_secs(1));
                        },
                        move || {
                            let _ = started.send(());
                            let _ = tell.send(thread::current().id() != caller);
                            // a bound, so that a join that wrongly waited for the partner fails instead of hanging
                            let _ = held.recv_timeout(Duration::from_secs(10));
                        },
                    )
                });
                if !told.recv().expect("the second half runs somewhere") {
                    let _ = release.send(());
                    return false;
                }
                let here = thread::current().id();
                let (_, b_thread) = join(|| (), || thread::current().id());
                let _ = release.send(());
                assert_eq!(b_thread, here, "the partner is busy: both halves run here, without waiting for it");
                true
            });
            if shown {
                return;
            }
            thread::sleep(Duration::from_millis(1));
        }
        panic!("the partner never took the other thread's half in 100 tries");
    }

    /// One test for the two policies that change process-wide state, so that they do not run at once.
    #[test]
    fn halves_are_taken_back_and_losing_joins_pause_the_splitting() {
        let _turn = POLICY.lock().unwrap_or_else(|e| e.into_inner());
        // a first half that returns at once leaves the partner no time to start the second: it runs here, and the
        // count of halves taken back says so. A spinning partner may win many races in a row, and other tests may
        // hold it; a pause now and then lets it park, and a parked partner is slow to wake: the caller takes it back
        set_threads(2);
        set_adaptive(false);
        let before = taken_back();
        for i in 0..100_000 {
            assert_eq!(join(|| 1, || 2), (1, 2));
            if taken_back() > before {
                break;
            }
            if i % 1000 == 999 {
                thread::sleep(Duration::from_millis(5));
            }
        }
        assert!(taken_back() > before, "no second half was taken back");

        // a second half that always runs much longer than the first looks like a partner that starts late
        set_adaptive(true);
        let before = pauses();
        for _ in 0..20 {
            if !active() {
                break;
            }
            join(|| (), || thread::sleep(Duration::from_millis(1)));
        }
        assert!(pauses() > before, "twenty losing joins pause the split");
        assert!(!active());
        // the pause ends: it lasts until a moment at most PAUSE_MAX ahead, and splitting is back from that moment
        let (until, now) = (PAUSED_UNTIL.load(Ordering::Relaxed), now_ns());
        assert!(until > now && until - now <= PAUSE_MAX.as_nanos() as u64, "a bounded pause: {until} at {now}");
        assert!(!active_at(until, until - 1) && active_at(until, until), "the split comes back after a pause");
        set_adaptive(false);
        assert!(active(), "turning the policy off ends the pause");
    }
}
