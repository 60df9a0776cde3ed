//! The Rust side of `bench/compare_scalar.py`: times one workload in a fresh process and prints one JSON line with the
//! build, forward and backward times, ns per node, peak memory per node, and the memory bandwidth of this machine.
//!
//! `cargo run --release --features probes --example scalar_throughput -- chain 1000000`

use std::time::Instant;

use chainrule::scalar::workloads::{chain, dag};

fn status_kib(key: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Read bandwidth in bytes/s: summing a 512 MiB array, best of 3.
fn bandwidth() -> f64 {
    let v: Vec<u64> = (0..64 << 20).collect();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let s: u64 = v.iter().copied().fold(0, u64::wrapping_add);
        std::hint::black_box(s);
        best = best.min(t.elapsed().as_secs_f64());
    }
    (v.len() * 8) as f64 / best
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let workload = args.get(1).map(String::as_str).unwrap_or("chain");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    if workload == "bandwidth" {
        println!("{{\"bandwidth_bytes_per_s\": {}}}", bandwidth());
        return;
    }
    let rss0 = status_kib("VmRSS:").unwrap_or(0.0);
    let t = Instant::now();
    let (mut g, out) = match workload {
        "dag" => {
            let w = 1000;
            dag(w, (n / w).saturating_sub(2))
        }
        _ => chain(n),
    };
    let build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    g.forward();
    let forward = t.elapsed().as_secs_f64();
    let t = Instant::now();
    g.backward(out);
    let backward = t.elapsed().as_secs_f64();
    std::hint::black_box(g.grad(out));
    let peak = status_kib("VmHWM:").unwrap_or(0.0);
    let nodes = g.len() as f64;
    let total = build + forward + backward;
    println!(
        "{{\"engine\": \"chainrule\", \"workload\": \"{workload}\", \"nodes\": {}, \"build_s\": {build}, \"forward_s\": {forward}, \
         \"backward_s\": {backward}, \"total_s\": {total}, \"ns_per_node\": {}, \"peak_bytes_per_node\": {}}}",
        g.len(),
        total / nodes * 1e9,
        (peak - rss0) * 1024.0 / nodes
    );
}
