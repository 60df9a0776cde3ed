//! Helpers for the window tests: the app headless at 1440×900, its backprop view, and waiting for a worker thread.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chainrule::app::App;
use chainrule::app::backprop::BackpropView;
use chainrule::app::labs::LabsView;
use chainrule::app::view::View;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The whole window with its default session, headless at 1440×900.
pub fn harness() -> Harness<'static, App> {
    harness_of(App::default())
}

/// The whole window of `app` (one restored from a session, say), headless at 1440×900.
pub fn harness_of(app: App) -> Harness<'static, App> {
    Harness::builder().with_size(egui::vec2(1440.0, 900.0)).build_ui_state(|ui, app: &mut App| app.ui_body(ui), app)
}

/// The whole window with its default session at a laptop's 1280×720, run until it settles (at most 12 steps).
pub fn harness_720() -> Harness<'static, App> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut App| app.ui_body(ui), App::default());
    h.run();
    h
}

/// The default window with the view named `label` in the navigation opened by a click.
pub fn harness_on(label: &str) -> Harness<'static, App> {
    let mut h = harness();
    h.run();
    h.get_by_label(label).click();
    h.run();
    h
}

/// The window's view of type `V`.
pub fn view_of<'h, V: View + 'static>(h: &'h mut Harness<'static, App>) -> &'h mut V {
    h.state_mut().view_mut::<V>().expect("the view is registered")
}

/// The Labs view.
pub fn labs<'h>(h: &'h mut Harness<'static, App>) -> &'h mut LabsView {
    view_of::<LabsView>(h)
}

/// The Labs view's tab of type `T`.
pub fn lab_tab<'h, T: 'static>(h: &'h mut Harness<'static, App>) -> &'h mut T {
    labs(h).tab_mut::<T>().expect("the tab is registered")
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

/// The window at `size` pixels with the interface scaled by `zoom` (1 = 100 %) and `view` (an id: "backprop",
/// "race", "lessons", ...) open, settled. The harness is given the window's size in points (`size / zoom`), as
/// eframe gives a zoomed window: the harness keeps the size it was built with whatever the zoom.
pub fn harness_zoomed(size: egui::Vec2, zoom: f32, view: &str) -> Harness<'static, App> {
    let size = size / zoom;
    let session = chainrule::app::session::StoredSession { zoom, view: view.to_owned(), ..Default::default() };
    let app = App::with_dialogs(session, Box::new(chainrule::app::files::ScriptedDialogs::default()));
    let mut h =
        Harness::builder().with_size(size).with_max_steps(12).build_ui_state(|ui, app: &mut App| app.ui_body(ui), app);
    // the first frame sets the zoom (egui rescales the screen for one frame as it changes); then the window's size
    // in points is given again and the layout settles at it
    h.run_steps(2);
    h.set_size(size);
    h.run_steps(2);
    h.run();
    let settled = h.ctx.content_rect().size();
    assert!((settled - size).length() < 0.5, "the harness settled at {settled:?}, not the zoomed window's {size:?}");
    h
}

/// At whatever zoom the window is drawn: every panel (the frame's and the open view's) lies inside the window, no
/// two overlap, and the panel named `main` (the graph, the plot) covers at least `min_share` of the window's area.
/// Returns the main panel's share. For any view: the playground and the labs call it with their own main panel.
#[track_caller]
pub fn assert_layout_holds(h: &Harness<'static, App>, main: &str, min_share: f32) -> f32 {
    let window = h.ctx.content_rect();
    let zoom = h.state().zoom();
    let panels = h.state().panels();
    for (i, (name, r)) in panels.iter().enumerate() {
        let inside = window.expand(0.5).contains_rect(*r);
        assert!(inside, "at {zoom}: the panel '{name}' {r:?} leaves the window {window:?}; all: {panels:?}");
        for (other, o) in &panels[i + 1..] {
            let overlap = r.shrink(1.0).intersects(o.shrink(1.0));
            assert!(!overlap, "at {zoom}: the panels '{name}' {r:?} and '{other}' {o:?} overlap");
        }
    }
    let main_rect = panels
        .iter()
        .find(|(n, _)| *n == main)
        .unwrap_or_else(|| panic!("at {zoom}: no panel '{main}' among {panels:?}"))
        .1;
    let share = main_rect.area() / window.area();
    assert!(share >= min_share, "at {zoom}: '{main}' {main_rect:?} covers {share:.2} of the window {window:?}");
    share
}

/// No two of these widgets (found by label, every copy) overlap: a row that does not fit wraps or folds instead of
/// printing one label over another.
#[track_caller]
pub fn assert_apart(h: &Harness<'static, App>, labels: &[&str]) {
    let mut rects = Vec::new();
    for label in labels {
        for node in h.get_all_by_label(label) {
            rects.push((*label, node.rect()));
        }
    }
    for (i, (a, ra)) in rects.iter().enumerate() {
        for (b, rb) in &rects[i + 1..] {
            assert!(!ra.shrink(1.0).intersects(rb.shrink(1.0)), "'{a}' {ra:?} and '{b}' {rb:?} overlap");
        }
    }
}
