//! What a two-way join costs when the second thread has been idle for a while, as between the joins of a training
//! step: rayon's `join` (on its own pool) against chainrule's spinning partner (`parallel::join`). Each round
//! runs two `work` µs halves on two threads, then `gap` µs on one; the overhead is the round's time beyond
//! work + gap. `cargo run --release --features probes --example join_probe`.

use std::time::{Duration, Instant};

use chainrule::parallel as partner;

fn spin(us: u64) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_micros(us) {
        std::hint::spin_loop();
    }
}

fn rounds(join: &dyn Fn(&(dyn Fn() + Sync)), work: u64, gap: u64) -> f64 {
    let reps = 1000;
    let t = Instant::now();
    for _ in 0..reps {
        join(&|| spin(work));
        spin(gap);
    }
    t.elapsed().as_secs_f64() / reps as f64 * 1e6 - (work + gap) as f64
}

fn main() {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a pool of two");
    println!("| work µs | gap µs | rayon::join overhead µs | partner::join overhead µs |");
    println!("|---|---|---|---|");
    for &(work, gap) in &[(200u64, 0u64), (200, 20), (200, 100), (200, 300), (50, 50), (500, 1000)] {
        let r = pool.install(|| {
            rounds(
                &|f| {
                    rayon::join(f, f);
                },
                work,
                gap,
            )
        });
        let p = rounds(
            &|f| {
                partner::join(f, f);
            },
            work,
            gap,
        );
        println!("| {work} | {gap} | {r:.1} | {p:.1} |");
    }
}
