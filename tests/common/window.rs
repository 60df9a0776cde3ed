//! Helpers for the window tests: the app headless at 1440×900, its backprop view, and waiting for a worker thread.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chainrule::app::App;
use chainrule::app::backprop::BackpropView;
use eframe::egui;
use egui_kittest::Harness;

/// The whole window with its default session, headless at 1440×900.
pub fn harness() -> Harness<'static, App> {
    harness_of(App::default())
}

/// The whole window of `app` (one restored from a session, say), headless at 1440×900.
pub fn harness_of(app: App) -> Harness<'static, App> {
    Harness::builder().with_size(egui::vec2(1440.0, 900.0)).build_ui_state(|ui, app: &mut App| app.ui_body(ui), app)
}

/// The backprop view of the window.
pub fn view<'h>(h: &'h mut Harness<'static, App>) -> &'h mut BackpropView {
    h.state_mut().view_mut::<BackpropView>().expect("the backprop view is registered")
}

/// Steps frames, 10 ms apart, until `done` holds or `seconds` have passed (then panics naming `what`): a bound on
/// waiting for a worker thread, not a timing.
pub fn step_until(
    h: &mut Harness<'static, App>,
    seconds: u64,
    what: &str,
    done: impl Fn(&mut Harness<'static, App>) -> bool,
) {
    for _ in 0..seconds * 100 {
        h.step();
        if done(h) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{what} did not arrive in {seconds} s");
}

/// A file dropped on the window, as the platform reports it (tests push it into `dropped_files`).
#[derive(Debug)]
pub struct Dropped(pub PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}
