//! Writes the session of `assets/backprop-mlp.png` (the MLP preset, folded, mid-backward) to the path given as the
//! first argument, driving the window headless through egui_kittest as a learner would (Presets, then the MLP).
//!
//! Run: `cargo run --release --features probes --example mlp_session -- assets/backprop-mlp-session.json`, then
//! the screenshot command in docs/window.md with `CHAINRULE_SESSION` set to that file.

use chainrule::app::App;
use chainrule::app::backprop::presets::MLP_PRESET;
use chainrule::app::backprop::{Action, BackpropView};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn main() {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: mlp_session OUT.json");
        std::process::exit(2);
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut App| app.ui_body(ui), App::default());
    h.run();
    h.get_by_label("Presets").click();
    h.run();
    h.get_by_label(MLP_PRESET).click();
    h.run();
    let v = h.state_mut().view_mut::<BackpropView>().expect("the backprop view is registered");
    let target = v.model.forward.steps.len() + v.model.backward.steps.len() / 3;
    v.push(Action::Seek(target));
    h.run();
    if let Err(e) = std::fs::write(&path, h.state().session().to_json()) {
        eprintln!("cannot write {}: {e}", path.to_string_lossy());
        std::process::exit(1);
    }
}
