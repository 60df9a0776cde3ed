//! What the window benchmarks (`ui`, `playground`) share: a headless window that runs the whole app one frame at a
//! time as eframe would (`run_ui` + tessellate, egui's clock 1/60 s a frame), the UI thread's CPU clock, and
//! percentiles of frame times.
// each bench uses some of these
#![allow(dead_code)]

use std::time::{Duration, Instant};

use chainrule::app::App;
use eframe::egui;

/// A window without a display: egui's context, the screen, and egui's clock.
pub struct Window {
    /// egui's context (to ask what it holds, e.g. the focused text field).
    pub ctx: egui::Context,
    screen: egui::Rect,
    t: f64,
}

/// One frame's times.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// `run_ui` alone (the app's drawing).
    pub ui: Duration,
    /// `run_ui` and tessellation, wall time.
    pub wall: Duration,
    /// The UI thread's own CPU time in the frame ([`thread_cpu`]).
    pub cpu: Duration,
}

impl Window {
    /// A window of `width` × `height` points.
    pub fn new(width: f32, height: f32) -> Self {
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(width, height));
        Window { ctx: egui::Context::default(), screen, t: 0.0 }
    }

    /// One frame of `app` with these input `events`, egui's clock 1/60 s on: `run_ui`, then tessellation.
    pub fn frame(&mut self, app: &mut App, events: Vec<egui::Event>) -> Frame {
        self.t += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(self.screen),
            time: Some(self.t),
            predicted_dt: 1.0 / 60.0,
            events,
            ..Default::default()
        };
        let (start, cpu) = (Instant::now(), thread_cpu());
        let mut out = self.ctx.run_ui(input, |ui| app.ui_body(ui));
        let ui = start.elapsed();
        let prims = self.ctx.tessellate(std::mem::take(&mut out.shapes), out.pixels_per_point);
        // no renderer here to upload font textures to
        out.textures_delta.clear();
        std::hint::black_box(prims.len());
        Frame { ui, wall: start.elapsed(), cpu: thread_cpu().saturating_sub(cpu) }
    }
}

/// Sleeps what is left of a 1/60 s frame that took `took`: eframe waits for the next vsync, the UI thread idle.
pub fn pace(took: Duration) {
    std::thread::sleep(Duration::from_secs_f64(1.0 / 60.0).saturating_sub(took));
}

/// The calling thread's CPU time (Linux's `CLOCK_THREAD_CPUTIME_ID`): what a frame cost the UI thread itself, apart
/// from the time it waited for a core that other threads held (a worker, other processes). Zero elsewhere.
pub fn thread_cpu() -> Duration {
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct Timespec {
            tv_sec: i64,
            tv_nsec: i64,
        }
        unsafe extern "C" {
            fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
        }
        const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
        let mut t = Timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime writes one timespec through the pointer; std links the C library on Linux
        if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            return Duration::new(t.tv_sec as u64, t.tv_nsec as u32);
        }
    }
    Duration::ZERO
}

/// Milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The `p`th percentile of `times` (sorting them): the element at `len · p / 100`, the largest for `p` = 100.
pub fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    times[(times.len() * p / 100).min(times.len() - 1)]
}
