//! The playground's speed (issue 18), measured headless (no window, no GPU), with the trainer really running beside
//! the frame loop:
//! - the frame time (run_ui + tessellate of the whole window at 1440×900), one frame each 1/60 s as eframe paces
//!   them, while a 6-layer, 8-unit network trains on the spiral as fast as it can (target: p95 < 8 ms);
//! - the window's training steps a second against the same trainer run on its own, as `chainrule train` runs it
//!   (target: at least 80 %);
//! - the pictures of one snapshot: the decision grid and every unit's map, with and without making the textures
//!   (target: < 4 ms).
//!
//! Run: `cargo bench --bench playground` (with another process busy: `yes > /dev/null & cargo bench --bench
//! playground; kill %1`).

use std::time::{Duration, Instant};

use chainrule::app::App;
use chainrule::app::playground::{Action, PlaygroundView, maps};
use chainrule::app::session::StoredSession;
use chainrule::nn::playground::{Plane, Setup, unit_maps};
use eframe::egui;

mod common;
use common::{Window, ms, pace, percentile};

/// The network of the targets: 6 hidden layers of 8 units, on the spiral.
fn setup() -> Setup {
    Setup { dataset: "spiral".into(), hidden: vec![8; 6], ..Setup::default() }
}

/// Frames of the window with the playground training, paced at 60 a second: each frame's wall time, the UI
/// thread's CPU time in it, and whether it showed a new drawing of the run (maps and monitors, at most every
/// `PICTURES_EVERY`), and the steps a second.
fn frames_while_training(seconds: f64) -> (Vec<(Duration, Duration, bool)>, f64) {
    let session = StoredSession { view: "playground".into(), ..StoredSession::default() };
    let mut app = App::new(session);
    app.view_mut::<PlaygroundView>().expect("registered").settings.setup = setup();
    let mut window = Window::new(1440.0, 900.0);
    let mut frame = |app: &mut App| {
        let f = window.frame(app, Vec::new());
        (f.wall, f.cpu)
    };
    for _ in 0..5 {
        frame(&mut app);
    }
    assert_eq!(app.view_mut::<PlaygroundView>().expect("registered").network().spec.hidden, vec![8; 6]);
    app.view_mut::<PlaygroundView>().expect("registered").push(Action::Play);
    for _ in 0..30 {
        frame(&mut app);
        std::thread::sleep(Duration::from_millis(16));
    }
    let steps0 = app.view_mut::<PlaygroundView>().expect("registered").steps;
    let start = Instant::now();
    let mut times = Vec::new();
    while start.elapsed().as_secs_f64() < seconds {
        let builds = app.view_mut::<PlaygroundView>().expect("registered").pictures.builds;
        let (took, cpu) = frame(&mut app);
        let remade = app.view_mut::<PlaygroundView>().expect("registered").pictures.builds != builds;
        times.push((took, cpu, remade));
        pace(took);
    }
    let v = app.view_mut::<PlaygroundView>().expect("registered");
    let rate = (v.steps - steps0) as f64 / start.elapsed().as_secs_f64();
    v.push(Action::Pause);
    frame(&mut app);
    (times, rate)
}

/// The same trainer on this thread alone, as `chainrule train` runs it: steps a second over `seconds`.
fn trainer_alone(seconds: f64) -> f64 {
    let (mut t, _) = setup().trainer().expect("valid");
    for _ in 0..3 {
        t.run_epoch().expect("trains");
    }
    let (steps0, start) = (t.steps(), Instant::now());
    while start.elapsed().as_secs_f64() < seconds {
        t.run_epoch().expect("trains");
    }
    (t.steps() - steps0) as f64 / start.elapsed().as_secs_f64()
}

/// The pictures of one snapshot: the maps alone (the core), and the maps with their textures (the view's rebuild).
fn pictures(runs: u32) -> (Duration, Duration) {
    let s = setup();
    let (mut t, data) = s.trainer().expect("valid");
    t.run_epoch().expect("trains");
    let plane = Plane::around(&[data.train_plane.as_ref().expect("2-D")]);
    let mut mlp = t.mlp.clone();
    let mut core = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(unit_maps(&mut mlp, &data.features, &plane, maps::GRID).expect("maps"));
        core.push(start.elapsed());
    }
    let ctx = egui::Context::default();
    let mut pictures = maps::Pictures::default();
    let mut whole = Vec::new();
    let _ = ctx.run_ui(egui::RawInput::default(), |_| {
        for _ in 0..runs {
            let start = Instant::now();
            pictures.rebuild(&ctx, &mut mlp, &data, false);
            whole.push(start.elapsed());
        }
    });
    (percentile(&mut core, 50), percentile(&mut whole, 50))
}

fn main() {
    let (frames, window_rate) = frames_while_training(10.0);
    let alone = trainer_alone(5.0);
    let mut times: Vec<Duration> = frames.iter().map(|f| f.0).collect();
    let n = times.len();
    let mean = times.iter().sum::<Duration>() / n as u32;
    let p50 = percentile(&mut times, 50);
    let p95 = percentile(&mut times, 95);
    println!(
        "playground 2-8-8-8-8-8-8-1 tanh on the spiral, 1440×900, training beside the frames: frame mean {:.2} ms, \
         median {:.2} ms, p95 {:.2} ms ({n} frames at 60 a second)",
        ms(mean),
        ms(p50),
        ms(p95)
    );
    let mut cpu: Vec<Duration> = frames.iter().map(|f| f.1).collect();
    println!(
        "  the UI thread's CPU time in a frame: median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(percentile(&mut cpu, 50)),
        ms(percentile(&mut cpu, 95)),
        ms(*cpu.iter().max().expect("frames"))
    );
    for (remade, what) in [(true, "showed a new drawing"), (false, "drew only")] {
        let mut part: Vec<Duration> = frames.iter().filter(|f| f.2 == remade).map(|f| f.0).collect();
        if !part.is_empty() {
            let (k, p50, p95) = (part.len(), percentile(&mut part, 50), percentile(&mut part, 95));
            println!("  {k} frames {what}: wall median {:.2} ms, p95 {:.2} ms", ms(p50), ms(p95));
        }
    }
    println!(
        "training steps/s: {window_rate:.0} in the window, {alone:.0} alone as chainrule train runs it ({:.0} %)",
        100.0 * window_rate / alone
    );
    let (core, whole) = pictures(50);
    println!(
        "one snapshot's pictures ({0}×{0} grid, 48 unit maps and the regions): maps {1:.2} ms, with the textures \
         {2:.2} ms (median of 50)",
        maps::GRID,
        ms(core),
        ms(whole)
    );
}
