//! By-hand GEMM benchmark for chainrule: faer vs matrixmultiply vs gemm (f32, row-major) on the products of the
//! MLP benchmark, and faer's one-thread/two-thread threshold. Run by hand, never in CI:
//!
//! ```text
//! cd bench/gemm-compare && cargo run --release            # everything (about a minute of measuring)
//! cargo run --release -- --no-gemm-v4                     # skip the second build of gemm with `x86-v4`
//! cargo run --release -- --quick                          # fewer samples, for a smoke test
//! ```
//!
//! How it measures. faer and gemm run in this process. matrixmultiply reads its thread count once per process
//! (`MATMUL_NUM_THREADS`), so it runs in two worker processes (this same executable, `--worker mm`), one with 1 and
//! one with 2 threads. gemm's AVX-512 kernels sit behind its `x86-v4` cargo feature, which cargo unifies across one
//! build, so the program builds itself a second time with `--features gemm-x86-v4` into its own target folder
//! (`<target>/gemm-x86-v4`) and runs that executable as the worker for the "gemm v4" columns; if that build fails the
//! columns say so. Workers talk over stdin/stdout and time their own calls, so the pipe costs nothing.
//!
//! For each shape, every configuration (crate × threads) is warmed up (≥ 30 ms), then sampled N times, the samples of
//! all configurations interleaved round-robin so a burst of load from another process hits them alike. A sample is
//! back-to-back calls lasting about `budget / N`; a call's time is the sample's time over its calls. Reported:
//! GFLOP/s = 2·m·n·k / time per call, for the best sample and the median one.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

// ---------------------------------------------------------------------------------------------------------------
// Shapes and buffers

/// How the two operands are stored. All buffers are row-major; a transposed operand is a strided view.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Layout {
    /// C = A·B, A stored m×k, B stored k×n.
    NN,
    /// C = A·Bᵀ, B stored n×k (the backward pass's G·W for a Linear layer y = x·Wᵀ).
    NT,
    /// C = Aᵀ·B, A stored k×m (the weight gradient Gᵀ·X).
    TN,
}

impl Layout {
    fn code(self) -> &'static str {
        match self {
            Layout::NN => "NN",
            Layout::NT => "NT",
            Layout::TN => "TN",
        }
    }
    fn parse(s: &str) -> Layout {
        match s {
            "NN" => Layout::NN,
            "NT" => Layout::NT,
            "TN" => Layout::TN,
            _ => panic!("bad layout {s}"),
        }
    }
    fn op(self) -> &'static str {
        match self {
            Layout::NN => "A·B",
            Layout::NT => "A·Bᵀ",
            Layout::TN => "Aᵀ·B",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    m: usize,
    k: usize,
    n: usize,
    layout: Layout,
}

impl Shape {
    const fn nn(m: usize, k: usize, n: usize) -> Shape {
        Shape { m, k, n, layout: Layout::NN }
    }
    fn macs(&self) -> usize {
        self.m * self.k * self.n
    }
    fn flops(&self) -> f64 {
        2.0 * self.macs() as f64
    }
    fn label(&self) -> String {
        format!("{}×{}×{}", self.m, self.k, self.n)
    }
}

/// (shape, what it is in the MLP benchmark)
const SHAPES: &[(Shape, &str)] = &[
    (Shape::nn(100, 2, 16), "2-16-16-1, batch 100"),
    (Shape::nn(100, 16, 16), "2-16-16-1, batch 100"),
    (Shape::nn(16, 100, 16), "2-16-16-1, batch 100"),
    (Shape::nn(256, 64, 64), "2-64-64-1, batch 256"),
    (Shape::nn(64, 256, 64), "2-64-64-1, batch 256"),
    (Shape::nn(128, 784, 256), "784-256-256-10, batch 128"),
    (Shape::nn(128, 256, 256), "784-256-256-10, batch 128"),
    (Shape::nn(256, 128, 784), "784-256-256-10, batch 128 (weight grad)"),
    (Shape::nn(512, 784, 1024), "784-1024-1024-10, batch 512"),
    (Shape::nn(512, 1024, 1024), "784-1024-1024-10, batch 512"),
    (Shape::nn(1024, 512, 1024), "784-1024-1024-10, batch 512"),
    (Shape::nn(512, 1024, 10), "784-1024-1024-10, batch 512"),
    (Shape { m: 512, k: 1024, n: 1024, layout: Layout::NT }, "backward, transposed B"),
    (Shape { m: 512, k: 1024, n: 1024, layout: Layout::TN }, "backward, transposed A"),
];

/// Deterministic values in [-1, 1).
fn fill(len: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

struct Bufs {
    shape: Shape,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

impl Bufs {
    fn new(shape: Shape) -> Bufs {
        Bufs {
            shape,
            a: fill(shape.m * shape.k, 1 + shape.macs() as u64),
            b: fill(shape.k * shape.n, 2 + shape.macs() as u64),
            c: vec![0.0; shape.m * shape.n],
        }
    }

    /// (ptr offsets not needed) strides of op(A) (m×k) and op(B) (k×n) as (row stride, col stride).
    fn strides(&self) -> ((isize, isize), (isize, isize)) {
        let Shape { m, k, n, layout } = self.shape;
        let (m, k, n) = (m as isize, k as isize, n as isize);
        match layout {
            Layout::NN => ((k, 1), (n, 1)),
            Layout::NT => ((k, 1), (1, k)),
            Layout::TN => ((1, m), (n, 1)),
        }
    }

    /// The product in f64, straight from the definition.
    fn naive(&self) -> Vec<f64> {
        let Shape { m, k, n, .. } = self.shape;
        let ((ars, acs), (brs, bcs)) = self.strides();
        let mut out = vec![0.0f64; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f64;
                for p in 0..k {
                    let a = self.a[(i as isize * ars + p as isize * acs) as usize] as f64;
                    let b = self.b[(p as isize * brs + j as isize * bcs) as usize] as f64;
                    s += a * b;
                }
                out[i * n + j] = s;
            }
        }
        out
    }

    fn max_err(&self) -> f64 {
        self.naive().iter().zip(&self.c).map(|(r, c)| (r - *c as f64).abs()).fold(0.0, f64::max)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The three crates

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lib {
    Faer,
    Mm,
    Gemm,
    GemmV4,
}

impl Lib {
    fn short(self) -> &'static str {
        match self {
            Lib::Faer => "faer",
            Lib::Mm => "mm",
            Lib::Gemm => "gemm",
            Lib::GemmV4 => "gemm-v4",
        }
    }
}

/// One product C = op(A)·op(B) into `bufs.c`, on `threads` threads (for matrixmultiply the process decides).
fn run_once(lib: Lib, threads: usize, bufs: &mut Bufs) {
    let Shape { m, k, n, layout } = bufs.shape;
    let ((ars, acs), (brs, bcs)) = bufs.strides();
    match lib {
        Lib::Faer => {
            let a = match layout {
                Layout::TN => MatRef::from_row_major_slice(&bufs.a, k, m).transpose(),
                _ => MatRef::from_row_major_slice(&bufs.a, m, k),
            };
            let b = match layout {
                Layout::NT => MatRef::from_row_major_slice(&bufs.b, n, k).transpose(),
                _ => MatRef::from_row_major_slice(&bufs.b, k, n),
            };
            let c = MatMut::from_row_major_slice_mut(&mut bufs.c, m, n);
            let par = if threads > 1 { Par::rayon(threads) } else { Par::Seq };
            matmul(c, Accum::Replace, a, b, 1.0f32, par);
        }
        Lib::Mm => unsafe {
            matrixmultiply::sgemm(
                m,
                k,
                n,
                1.0,
                bufs.a.as_ptr(),
                ars,
                acs,
                bufs.b.as_ptr(),
                brs,
                bcs,
                0.0,
                bufs.c.as_mut_ptr(),
                n as isize,
                1,
            )
        },
        Lib::Gemm | Lib::GemmV4 => unsafe {
            // gemm computes dst = alpha·dst + beta·lhs·rhs (alpha/beta swapped against BLAS); with read_dst = false
            // alpha is ignored. Candle calls it the same way (alpha 0, beta 1). Strides are given column first.
            let par = if threads > 1 { gemm::Parallelism::Rayon(threads) } else { gemm::Parallelism::None };
            gemm::gemm(
                m,
                n,
                k,
                bufs.c.as_mut_ptr(),
                1,
                n as isize,
                false,
                bufs.a.as_ptr(),
                acs,
                ars,
                bufs.b.as_ptr(),
                bcs,
                brs,
                0.0f32,
                1.0f32,
                false,
                false,
                false,
                par,
            )
        },
    }
}

fn time_reps(lib: Lib, threads: usize, bufs: &mut Bufs, reps: u64) -> Duration {
    let t = Instant::now();
    for _ in 0..reps {
        run_once(lib, threads, bufs);
        std::hint::black_box(&mut bufs.c);
    }
    t.elapsed()
}

// ---------------------------------------------------------------------------------------------------------------
// Workers: a process that runs one crate (matrixmultiply, whose thread count is per process; gemm built with
// x86-v4). Protocol, one line each way: "bench m k n layout threads reps" -> total ns; "check m k n layout threads"
// -> max abs error; EOF ends it.

fn worker_main(lib: Lib) {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    let mut bufs: Option<Bufs> = None;
    for line in stdin.lock().lines() {
        let line = line.expect("worker stdin");
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        let num = |i: usize| f[i].parse::<usize>().expect("number");
        let shape = Shape { m: num(1), k: num(2), n: num(3), layout: Layout::parse(f[4]) };
        let threads = num(5);
        if bufs.as_ref().map(|b| b.shape) != Some(shape) {
            bufs = Some(Bufs::new(shape));
        }
        let b = bufs.as_mut().unwrap();
        match f[0] {
            "bench" => {
                let d = time_reps(lib, threads, b, num(6) as u64);
                writeln!(out, "{}", d.as_nanos()).unwrap();
            }
            "check" => {
                b.c.fill(f32::NAN);
                run_once(lib, threads, b);
                writeln!(out, "{:e}", b.max_err()).unwrap();
            }
            other => panic!("worker: unknown command {other}"),
        }
        out.flush().unwrap();
    }
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn spawn(cmd: &mut Command) -> std::io::Result<Worker> {
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Ok(Worker { child, stdin, stdout })
    }
    fn ask(&mut self, line: &str) -> String {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        let mut s = String::new();
        self.stdout.read_line(&mut s).unwrap();
        assert!(!s.is_empty(), "worker died on {line:?}");
        s.trim().to_string()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing stdin ends the worker's loop.
        let _ = self.stdin.flush();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where a configuration runs.
enum Runner {
    Local,
    Remote(Worker),
}

struct Config {
    lib: Lib,
    threads: usize,
    runner: Runner,
}

impl Config {
    fn label(&self) -> String {
        format!("{} {}t", self.lib.short(), self.threads)
    }
    fn time(&mut self, bufs: &mut Bufs, reps: u64) -> Duration {
        match &mut self.runner {
            Runner::Local => time_reps(self.lib, self.threads, bufs, reps),
            Runner::Remote(w) => {
                let s = bufs.shape;
                let ns: u64 = w
                    .ask(&format!("bench {} {} {} {} {} {reps}", s.m, s.k, s.n, s.layout.code(), self.threads))
                    .parse()
                    .unwrap();
                Duration::from_nanos(ns)
            }
        }
    }
    fn check(&mut self, shape: Shape) -> f64 {
        match &mut self.runner {
            Runner::Local => {
                let mut b = Bufs::new(shape);
                b.c.fill(f32::NAN);
                run_once(self.lib, self.threads, &mut b);
                b.max_err()
            }
            Runner::Remote(w) => w
                .ask(&format!("check {} {} {} {} {}", shape.m, shape.k, shape.n, shape.layout.code(), self.threads))
                .parse()
                .unwrap(),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

struct Opts {
    samples: usize,
    budget: Duration,
    warmup: Duration,
}

/// Per-call seconds of each configuration's samples, all configurations interleaved.
fn measure(configs: &mut [&mut Config], shape: Shape, o: &Opts) -> (Vec<Vec<f64>>, f64) {
    let pids: Vec<u32> = configs
        .iter()
        .filter_map(|c| match &c.runner {
            Runner::Remote(w) => Some(w.child.id()),
            Runner::Local => None,
        })
        .collect();
    let meter = CpuMeter::start(&pids);
    let mut bufs = Bufs::new(shape);
    let per_sample = o.budget.as_secs_f64() / o.samples as f64;
    // Warm-up (also wakes thread pools and faults pages in) and calibration.
    let reps: Vec<u64> = configs
        .iter_mut()
        .map(|c| {
            let start = Instant::now();
            let (mut calls, mut spent) = (0u64, Duration::ZERO);
            let mut batch = 1u64;
            while start.elapsed() < o.warmup || calls < 3 {
                spent += c.time(&mut bufs, batch);
                calls += batch;
                batch = (batch * 2).min(1 << 16);
            }
            let per_call = spent.as_secs_f64() / calls as f64;
            ((per_sample / per_call).round() as u64).max(1)
        })
        .collect();
    let mut times = vec![Vec::with_capacity(o.samples); configs.len()];
    for _ in 0..o.samples {
        for (i, c) in configs.iter_mut().enumerate() {
            let d = c.time(&mut bufs, reps[i]);
            times[i].push(d.as_secs_f64() / reps[i] as f64);
            // Let the thread pools that just ran (spindle, rayon, thread-tree spin a few ms before they park)
            // go to sleep, so they do not take a core from the next configuration's sample.
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    (times, meter.others_percent())
}

#[derive(Clone, Copy)]
struct Stat {
    best: f64,
    median: f64,
}

fn stat(mut v: Vec<f64>) -> Stat {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = if v.len() % 2 == 1 { v[v.len() / 2] } else { 0.5 * (v[v.len() / 2 - 1] + v[v.len() / 2]) };
    Stat { best: v[0], median }
}

// ---------------------------------------------------------------------------------------------------------------
// Machine facts

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn avx512_flags() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let flags = info.lines().find(|l| l.starts_with("flags")).unwrap_or("");
    let v: Vec<&str> = flags.split_whitespace().filter(|f| f.starts_with("avx512")).collect();
    if v.is_empty() { "none".into() } else { v.join(" ") }
}

/// CPU time (clock ticks) of the whole machine: (busy, total), from /proc/stat.
fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<u64> =
        stat.lines().next().unwrap_or("").split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    if v.len() < 8 {
        return (0, 0);
    }
    // user nice system idle iowait irq softirq steal (guest is already in user)
    let total: u64 = v[..8].iter().sum();
    (total - v[3] - v[4], total)
}

/// utime + stime (clock ticks) of a process, all its threads.
fn process_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rfind(')').map(|i| &stat[i + 1..]).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // after the comm: state(0) ppid(1) … utime(11) stime(12)
    if f.len() > 12 { f[11].parse::<u64>().unwrap_or(0) + f[12].parse::<u64>().unwrap_or(0) } else { 0 }
}

/// How busy the machine is with other people's work while we measure: the share of all CPUs' time that went to
/// processes other than this one and its workers.
struct CpuMeter {
    pids: Vec<String>,
    busy: u64,
    total: u64,
    own: u64,
}

impl CpuMeter {
    fn start(worker_pids: &[u32]) -> CpuMeter {
        let mut pids = vec!["self".to_string()];
        pids.extend(worker_pids.iter().map(|p| p.to_string()));
        let (busy, total) = machine_ticks();
        let own = pids.iter().map(|p| process_ticks(p)).sum();
        CpuMeter { pids, busy, total, own }
    }
    /// Others' share of the machine since `start`, in percent of all CPUs (100 % = every core busy).
    fn others_percent(&self) -> f64 {
        let (busy, total) = machine_ticks();
        let own: u64 = self.pids.iter().map(|p| process_ticks(p)).sum();
        let (db, dt, down) = (busy - self.busy, total - self.total, own.saturating_sub(self.own));
        if dt == 0 { 0.0 } else { 100.0 * db.saturating_sub(down) as f64 / dt as f64 }
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn utc_now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if mo <= 2 { 1 } else { 0 };
    format!("{y:04}-{mo:02}-{d:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

fn locked_version(name: &str) -> String {
    let lock = include_str!("../Cargo.lock");
    let needle = format!("name = \"{name}\"\nversion = \"");
    lock.find(&needle)
        .map(|i| {
            let rest = &lock[i + needle.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .unwrap_or_else(|| "?".into())
}

// ---------------------------------------------------------------------------------------------------------------
// The second build: gemm with x86-v4

/// Builds this package with `--features gemm-x86-v4` into `<target>/gemm-x86-v4` and returns the executable,
/// or why not.
fn build_gemm_v4() -> Result<std::path::PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // <target>/release/gemm-compare -> <target>
    let target = exe.parent().and_then(|p| p.parent()).ok_or("no target dir")?.join("gemm-x86-v4");
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    eprintln!("building gemm with x86-v4 into {} (cached after the first time) …", target.display());
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "--features", "gemm-x86-v4", "--manifest-path", manifest])
        .env("CARGO_TARGET_DIR", &target)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().find(|l| l.contains("error")).unwrap_or("build failed");
        return Err(first.to_string());
    }
    Ok(target.join("release").join(exe.file_name().unwrap()))
}

// ---------------------------------------------------------------------------------------------------------------

fn gflops(shape: Shape, secs: f64) -> f64 {
    shape.flops() / secs / 1e9
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--worker") {
        let lib = match args[i + 1].as_str() {
            "mm" => Lib::Mm,
            "gemm" if cfg!(feature = "gemm-x86-v4") => Lib::GemmV4,
            "gemm" => Lib::Gemm,
            other => panic!("unknown worker {other}"),
        };
        worker_main(lib);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let want_v4 = !args.iter().any(|a| a == "--no-gemm-v4");
    let opts = if quick {
        Opts { samples: 3, budget: Duration::from_millis(60), warmup: Duration::from_millis(10) }
    } else {
        Opts { samples: 9, budget: Duration::from_millis(200), warmup: Duration::from_millis(30) }
    };
    let sweep_opts = if quick {
        Opts { samples: 3, budget: Duration::from_millis(60), warmup: Duration::from_millis(10) }
    } else {
        Opts { samples: 15, budget: Duration::from_millis(300), warmup: Duration::from_millis(30) }
    };

    // Build first, so no compiler runs while we measure.
    let v4 = if want_v4 { Some(build_gemm_v4()) } else { None };

    let exe = std::env::current_exe().unwrap();
    let mm_worker = |threads: usize| {
        Worker::spawn(Command::new(&exe).args(["--worker", "mm"]).env("MATMUL_NUM_THREADS", threads.to_string()))
            .expect("spawn matrixmultiply worker")
    };
    let mut configs: Vec<Config> = vec![
        Config { lib: Lib::Faer, threads: 1, runner: Runner::Local },
        Config { lib: Lib::Faer, threads: 2, runner: Runner::Local },
        Config { lib: Lib::Mm, threads: 1, runner: Runner::Remote(mm_worker(1)) },
        Config { lib: Lib::Mm, threads: 2, runner: Runner::Remote(mm_worker(2)) },
        Config { lib: Lib::Gemm, threads: 1, runner: Runner::Local },
        Config { lib: Lib::Gemm, threads: 2, runner: Runner::Local },
    ];
    let v4_status = match &v4 {
        None => "not measured (--no-gemm-v4)".to_string(),
        Some(Err(e)) => format!("did not build: {e}"),
        Some(Ok(path)) => {
            for t in [1, 2] {
                let w = Worker::spawn(Command::new(path).args(["--worker", "gemm"])).expect("spawn gemm-v4 worker");
                configs.push(Config { lib: Lib::GemmV4, threads: t, runner: Runner::Remote(w) });
            }
            "built on stable and measured (AVX-512 kernels)".to_string()
        }
    };

    let load_start = loadavg();
    let date = utc_now();
    let mut md = String::new();
    let mut p = |s: String| {
        println!("{s}");
        md.push_str(&s);
        md.push('\n');
    };

    p("# GEMM comparison: faer vs matrixmultiply vs gemm (f32, row-major)".into());
    p(String::new());
    p(format!("- Date: {date}"));
    p(format!(
        "- CPU: {} ({} logical CPUs); AVX-512 flags: {}",
        cpu_model(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        avx512_flags()
    ));
    p(format!("- Load average (1/5/15 min) at start: {load_start}"));
    p("- \"others' CPU\": share of both cores' time taken by other processes while that row was measured (0 % = a \
       quiet machine; at 50 % one whole core was someone else's, and two-thread numbers mean little)."
        .into());
    p(format!(
        "- Crates: faer {} (`std`, `rayon`; kernels picked at run time, AVX-512 here), matrixmultiply {} (default \
         features incl. `avx512`, plus `threading`; threads per process via `MATMUL_NUM_THREADS`), gemm {} (default \
         kernels: AVX2/FMA); gemm `x86-v4`: {v4_status}",
        locked_version("faer"),
        locked_version("matrixmultiply"),
        locked_version("gemm")
    ));
    p(format!(
        "- Method: per shape and configuration a ≥ {} ms warm-up, then {} samples of back-to-back calls (~{} ms each), \
         configurations interleaved round-robin (5 ms pause between samples, so the pool that just ran parks); a cell is GFLOP/s = 2·m·n·k / time per call, **best** (median) of \
         the samples. `1t` = one thread (faer `Par::Seq`, gemm `Parallelism::None`), `2t` = two threads (faer \
         `Par::rayon(2)`, gemm `Parallelism::Rayon(2)`, matrixmultiply `MATMUL_NUM_THREADS=2`).",
        opts.warmup.as_millis(),
        opts.samples,
        opts.budget.as_millis() / opts.samples as u128
    ));
    p(String::new());

    // Correctness first.
    p("## Correctness: max |C − C_naive| (naive product in f64)".into());
    p(String::new());
    let checks = [
        Shape { m: 37, k: 53, n: 29, layout: Layout::NN },
        Shape { m: 37, k: 53, n: 29, layout: Layout::NT },
        Shape { m: 37, k: 53, n: 29, layout: Layout::TN },
        Shape { m: 128, k: 256, n: 256, layout: Layout::NN },
        Shape { m: 128, k: 256, n: 256, layout: Layout::NT },
        Shape { m: 128, k: 256, n: 256, layout: Layout::TN },
    ];
    let mut header = "| shape | op |".to_string();
    let mut rule = "|---|---|".to_string();
    for c in &configs {
        header += &format!(" {} |", c.label());
        rule += "---:|";
    }
    p(header);
    p(rule);
    let mut worst: f64 = 0.0;
    for s in checks {
        let mut row = format!("| {} | {} |", s.label(), s.layout.op());
        for c in configs.iter_mut() {
            let e = c.check(s);
            worst = worst.max(if e.is_nan() { f64::INFINITY } else { e });
            row += &format!(" {e:.1e} |");
        }
        p(row);
    }
    p(String::new());
    p(format!(
        "All within f32 rounding (worst {worst:.1e}; values in [-1, 1), k ≤ 256): {}.",
        if worst < 1e-3 { "yes" } else { "**NO**" }
    ));
    p(String::new());

    // The comparison.
    p("## GFLOP/s on the MLP products".into());
    p(String::new());
    let mut header = "| m×k×n | op | MACs |".to_string();
    let mut rule = "|---|---|---:|".to_string();
    for c in &configs {
        header += &format!(" {} |", c.label());
        rule += "---:|";
    }
    header += " fastest | others' CPU |";
    rule += "---|---:|";
    p(header);
    p(rule);
    let mut busy_rows = 0;
    for (shape, _what) in SHAPES {
        eprintln!("measuring {} {} …", shape.label(), shape.layout.op());
        let mut refs: Vec<&mut Config> = configs.iter_mut().collect();
        let (times, others) = measure(&mut refs, *shape, &opts);
        let stats: Vec<Stat> = times.into_iter().map(stat).collect();
        let best_i = (0..stats.len()).min_by(|&a, &b| stats[a].best.partial_cmp(&stats[b].best).unwrap()).unwrap();
        let mut row = format!("| {} | {} | {} |", shape.label(), shape.layout.op(), shape.macs());
        for (i, s) in stats.iter().enumerate() {
            let (b, m) = (gflops(*shape, s.best), gflops(*shape, s.median));
            if i == best_i {
                row += &format!(" **{b:.1}** ({m:.1}) |");
            } else {
                row += &format!(" {b:.1} ({m:.1}) |");
            }
        }
        // Fastest one-thread configuration too, since a shared machine may not give two threads.
        let best1 = (0..stats.len())
            .filter(|&i| configs[i].threads == 1)
            .min_by(|&a, &b| stats[a].best.partial_cmp(&stats[b].best).unwrap())
            .unwrap();
        let who = format!("{} (1t: {})", configs[best_i].label(), configs[best1].lib.short());
        row += &format!(" {who} | {others:.0} % |");
        p(row);
        if others > 10.0 {
            busy_rows += 1;
        }
    }
    p(String::new());
    if busy_rows > 0 {
        p(format!(
            "**Warning: other processes took more than 10 % of the machine on {busy_rows} of these rows (see \
             \"others' CPU\"): their two-thread numbers are not reliable.**"
        ));
        p(String::new());
    }

    // The threshold, faer only.
    drop(configs); // ends the workers
    p("## faer: one thread vs two (`Par::Seq` vs `Par::rayon(2)`)".into());
    p(String::new());
    p(format!(
        "{} samples of ~{} ms per size, interleaved; speed-up = time(Seq) / time(rayon(2)), from the best samples \
         and from the medians. Note: faer itself runs a product of fewer than 4096·4 = 2¹⁴ multiply-adds (f32) on one \
         thread whatever `Par` says, and products of ≤ 16³ = 2¹² through nano-gemm.",
        sweep_opts.samples,
        sweep_opts.budget.as_millis() / sweep_opts.samples as u128
    ));
    p(String::new());
    p("| log₂ MACs | m×k×n | MACs | Seq GFLOP/s | rayon(2) GFLOP/s | speed-up (best) | speed-up (median) | others' CPU |".into());
    p("|---:|---|---:|---:|---:|---:|---:|---:|".into());
    let mut seq = Config { lib: Lib::Faer, threads: 1, runner: Runner::Local };
    let mut par = Config { lib: Lib::Faer, threads: 2, runner: Runner::Local };
    struct Pt {
        family: &'static str,
        log2: f64,
        macs: usize,
        sp_best: f64,
        sp_med: f64,
        others: f64,
    }
    let mut pts: Vec<Pt> = Vec::new();
    for family in ["cube", "64×k×64"] {
        for h in 0..=24 {
            let lg = 12.0 + 0.5 * h as f64;
            let target = 2f64.powf(lg);
            let shape = if family == "cube" {
                let s = target.cbrt().round() as usize;
                Shape::nn(s, s, s)
            } else {
                Shape::nn(64, (target / 4096.0).round().max(1.0) as usize, 64)
            };
            if pts.last().is_some_and(|q| q.family == family && q.macs == shape.macs()) {
                continue; // 64×k×64 rounds k to the same integer twice at the small end
            }
            eprintln!("sweep {family} {}", shape.label());
            let (times, others) = measure(&mut [&mut seq, &mut par], shape, &sweep_opts);
            let mut it = times.into_iter().map(stat);
            let (s1, s2) = (it.next().unwrap(), it.next().unwrap());
            let (sp_best, sp_med) = (s1.best / s2.best, s1.median / s2.median);
            let macs = shape.macs();
            let lg_real = (macs as f64).log2();
            p(format!(
                "| {lg_real:.1} | {} | {macs} | {:.1} | {:.1} | {sp_best:.2} | {sp_med:.2} | {others:.0} % |",
                shape.label(),
                gflops(shape, s1.best),
                gflops(shape, s2.best)
            ));
            pts.push(Pt { family, log2: lg_real, macs, sp_best, sp_med, others });
        }
    }
    p(String::new());
    for family in ["cube", "64×k×64"] {
        let f: Vec<&Pt> = pts.iter().filter(|p| p.family == family).collect();
        // Below 4096·4 multiply-adds faer ignores `Par` (except the k = 1 rank-one path), so a "win" there is noise.
        let first =
            |key: &dyn Fn(&Pt) -> f64| f.iter().find(|p| p.macs >= 4 * 4096 && key(p) > 1.10).map(|p| (p.macs, p.log2));
        // From which size on every larger size also wins by > 10 %.
        let from_on = |key: &dyn Fn(&Pt) -> f64| {
            let mut res = None;
            for p in f.iter().rev() {
                if key(p) > 1.10 {
                    res = Some((p.macs, p.log2));
                } else {
                    break;
                }
            }
            res
        };
        let fmt = |r: Option<(usize, f64)>| match r {
            Some((m, l)) => format!("{m} (2^{l:.1})"),
            None => "none".into(),
        };
        p(format!(
            "- {family}: two threads first win by > 10 % at {} MACs (best) / {} (median); and at every size from {} \
             (best) / {} (median) on.",
            fmt(first(&|p| p.sp_best)),
            fmt(first(&|p| p.sp_med)),
            fmt(from_on(&|p| p.sp_best)),
            fmt(from_on(&|p| p.sp_med)),
        ));
    }
    p("- Compare with chainrule's `PARALLEL_MIN_MACS` in `src/tensor/gemm.rs` (1 << 19 = 524288 when this benchmark \
       was written)."
        .into());
    let busy = pts.iter().filter(|p| p.others > 10.0).count();
    if busy > 0 {
        p(format!(
            "- **Warning: other processes took more than 10 % of the machine on {busy} of {} sizes (see \"others' \
             CPU\"): the two-thread numbers there are not reliable; rerun on a quiet machine.**",
            pts.len()
        ));
    }
    p(String::new());
    p(format!("Load average (1/5/15 min) at end: {}", loadavg()));

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/results.md");
    std::fs::write(path, md).expect("write results.md");
    eprintln!("wrote {path}");
}
