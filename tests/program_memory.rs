//! Memory at scale, in bytes: compiling a generated 100 000-statement program (about 670 000 nodes), and the whole
//! `chainrule eval @FILE` run on it, hold under 64 bytes a node of heap at their peak, the program's text included;
//! and a network's evaluation holds a batch's worth of rows at a time, so 20 000 rows peak no higher than 2 000.
//! Counted with a global allocator that tracks the live bytes of this test's thread and their peak: a byte budget is
//! deterministic, where a timing would not be.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use chainrule::cli::{Cli, run};
use chainrule::data;
use chainrule::expr::{compile, sample::mixed_program};
use chainrule::nn::{Backend, Mlp, MlpSpec, TrainConfig, Trainer};
use chainrule::scalar::Unary;
use chainrule::tensor::Loss;
use clap::Parser;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

struct Counting;

fn grew(bytes: isize) {
    if COUNTING.with(Cell::get) {
        let live = LIVE.with(|l| {
            l.set(l.get() + bytes);
            l.get()
        });
        PEAK.with(|p| p.set(p.get().max(live)));
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; the thread-local tally has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size() as isize);
        // SAFETY: the caller upholds `alloc`'s contract, which we pass on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size() as isize);
        // SAFETY: as for alloc.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        grew(-(layout.size() as isize));
        // SAFETY: ptr was allocated by System with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // counted as the new block arriving before the old one leaves, as when realloc has to copy
        grew(new_size as isize);
        grew(-(layout.size() as isize));
        // SAFETY: as for alloc; ptr came from System with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result and the most heap it held at once, in bytes (memory freed during `f` that was
/// allocated before it lowers the count; the peak is measured from the start).
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LIVE.with(|l| l.set(0));
    PEAK.with(|p| p.set(0));
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (out, PEAK.with(Cell::get).max(0) as usize)
}

const STATEMENTS: usize = 100_000;
const BUDGET: f64 = 64.0;

#[test]
fn compiling_a_large_program_holds_under_64_bytes_a_node() {
    let src = mixed_program(STATEMENTS);
    let (program, peak) = peak_heap(|| compile(&src, &[]).expect("the generated program compiles"));
    let nodes = program.graph.len();
    assert!(nodes > 600_000, "{nodes} nodes");
    // the counter does count: the graph alone is 32 bytes a node
    assert!(peak >= nodes * 32, "peak {peak} bytes for {nodes} nodes");
    let per_node = (peak + src.len()) as f64 / nodes as f64;
    assert!(
        per_node < BUDGET,
        "compiling {STATEMENTS} statements ({} bytes of text) into {nodes} nodes peaked at {peak} bytes of heap plus \
         the text: {per_node:.1} bytes a node",
        src.len()
    );
    println!("compile: {per_node:.1} bytes a node at peak (text included), {nodes} nodes");
}

#[test]
fn a_whole_eval_run_holds_under_64_bytes_a_node() {
    let path = std::env::temp_dir().join(format!("chainrule-program-memory-{}.txt", std::process::id()));
    let src = mixed_program(STATEMENTS);
    std::fs::write(&path, &src).expect("write the program");
    let nodes = compile(&src, &[]).expect("compiles").graph.len();
    drop(src);
    let arg = format!("@{}", path.display());
    let cli = Cli::try_parse_from(["chainrule", "eval", arg.as_str()]).expect("valid arguments");
    let command = cli.command.expect("a subcommand");
    let mut out = Vec::new();
    let (code, peak) = peak_heap(|| run(command, &mut out));
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out));
    // the output's value and one line per input
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(text.starts_with("loss = ") && text.lines().count() > 9000, "{}", &text[..text.len().min(200)]);
    assert!(peak >= nodes * 32, "peak {peak} bytes for {nodes} nodes");
    let per_node = peak as f64 / nodes as f64;
    assert!(per_node < BUDGET, "eval of {nodes} nodes peaked at {peak} bytes of heap: {per_node:.1} bytes a node");
    println!("eval: {per_node:.1} bytes a node at peak, {nodes} nodes");
}

#[test]
fn evaluating_20_000_rows_peaks_no_higher_than_2_000() {
    // a network whose rows are wide (2-256-256-2: about 1 000 values a row on the tape), trained with batch 32
    let spec = MlpSpec::classifier(2, &[256, 256], 2, Unary::Tanh, Loss::SoftmaxCe).expect("valid");
    let d = data::generate("circle", 20_000, 0.1, 1).expect("data");
    let x: Vec<f32> = d.x.iter().map(|&v| v as f32).collect();
    let cfg = TrainConfig {
        opt: "adam:lr=0.01".parse().expect("spec"),
        schedule: None,
        epochs: 1,
        batch: 32,
        seed: 1,
        backend: Backend::Tensor,
    };
    let peak_of = |rows: usize| {
        // a fresh trainer each time, so both start from empty buffers; the data is allocated before counting
        let small = (&d.x[..20], &d.y[..10]);
        let mut t = Trainer::new(Mlp::<f32>::new(&spec, 1).expect("builds"), cfg.clone(), small, small).expect("ok");
        let ((loss, acc), peak) = peak_heap(|| t.evaluate(&x[..2 * rows], &d.y[..rows]).expect("evaluates"));
        assert!(loss.is_finite() && (0.0..=1.0).contains(&acc));
        peak
    };
    let (few, many) = (peak_of(2_000), peak_of(20_000));
    // the counter does count: a chunk's values are on the tape (at least 32 rows × 512 values × 4 bytes)
    assert!(few > 32 * 512 * 4, "2 000 rows peaked at {few} bytes");
    assert!(many <= few + 1024, "20 000 rows peaked at {many} bytes, 2 000 rows at {few}");
    // and far below all rows at once (20 000 × 1 000 values × 4 bytes = 80 MB)
    assert!(many < 20_000 * 1_000 * 4 / 10, "{many} bytes");
    println!("evaluation: {few} bytes at peak for 2 000 rows, {many} for 20 000");
}
