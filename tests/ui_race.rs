//! The race view, driven headless through egui_kittest by the labels a learner sees: presets, line-ups, stepping
//! (checked against the race run without a window), a malformed expression, a diverging racer, a click on the plot,
//! the hyper-parameter editors, playback, the grid cache and the saved state.

use chainrule::app::App;
use chainrule::app::race::{Action, RaceView, Settings};
use chainrule::app::session::StoredSession;
use chainrule::optim::OptimSpec;
use chainrule::surface::{PRESETS, Race, RacerSetup, Status, Surface};
use eframe::egui::{self, Key, Modifiers, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The window with the race view open.
fn harness_with(app: App) -> Harness<'static, App> {
    // the plot settles its bounds over a few frames after a change (they follow the frame of the frame before, and
    // the y axis keeps its widest width): up to six
    let mut h = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .with_max_steps(8)
        .build_ui_state(|ui, app: &mut App| app.ui_body(ui), app);
    h.run();
    h.get_by_label("Race").click();
    h.run();
    h
}

fn harness() -> Harness<'static, App> {
    harness_with(App::default())
}

fn view<'h>(h: &'h mut Harness<'static, App>) -> &'h mut RaceView {
    h.state_mut().view_mut::<RaceView>().expect("the race view is registered")
}

/// Replaces a single-line field's text as a learner would: focus, select all, type, Enter.
fn type_into(h: &mut Harness<'static, App>, label: &str, nth: usize, text: &str) {
    h.get_all_by_role_and_label(Role::TextInput, label).nth(nth).expect("the field is shown").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_all_by_role_and_label(Role::TextInput, label).nth(nth).expect("the field is shown").type_text(text);
    h.run();
    h.key_press(Key::Enter);
    h.run();
}

#[test]
fn picking_a_preset_shows_its_note_and_its_start() {
    let mut h = harness();
    h.get_by_label("rosenbrock").click();
    h.run();
    let rosenbrock = PRESETS.iter().find(|p| p.name == "rosenbrock").expect("a preset");
    h.get_by_label(rosenbrock.note);
    let v = view(&mut h);
    assert_eq!(v.settings.surface, "rosenbrock");
    assert_eq!(v.settings.start, rosenbrock.start);
    assert_eq!(v.race.surface.expr, rosenbrock.expr);
    assert!(v.settings.log_scale, "Rosenbrock's walls read better on a log scale");
    assert!(v.race.racers.iter().all(|r| r.path == [rosenbrock.start]));
}

#[test]
fn stepping_n_times_matches_the_race_run_headless() {
    let mut h = harness();
    h.get_by_label("rosenbrock").click();
    h.run();
    h.get_by_label("SGD vs momentum vs RMSProp vs Adam").click();
    h.run();
    const N: usize = 7;
    for _ in 0..N {
        h.get_by_label("Step").click();
        h.run();
    }
    h.get_by_label(&format!("step {N}"));
    let v = view(&mut h);
    let specs: Vec<String> = v.race.racers.iter().map(|r| r.setup.spec.to_string()).collect();
    assert_eq!(specs, ["sgd:lr=0.001", "sgd:lr=0.001,momentum=0.9", "rmsprop:lr=0.01", "adam:lr=0.05"]);
    let setups = specs.iter().map(|s| RacerSetup { spec: s.parse().expect("valid"), schedule: Default::default() });
    let mut headless = Race::new(Surface::preset("rosenbrock").expect("a preset"), [-1.5, 2.0], setups.collect(), None);
    headless.run(N);
    for (shown, alone) in v.race.racers.iter().zip(&headless.racers) {
        assert_eq!(shown.path.len(), N + 1);
        // the same code on the same numbers: equal to the last bit
        assert_eq!(shown.path, alone.path, "{}", alone.setup.spec);
    }
}

#[test]
fn a_malformed_expression_shows_its_error_and_keeps_the_surface() {
    let mut h = harness();
    let before = view(&mut h).race.surface.expr.clone();
    type_into(&mut h, "f(x, y) =", 0, "x^2 +* y");
    h.get_by_label_contains("malformed");
    h.get_by_label("The plot still shows the last surface that worked.");
    assert!(h.state().status().is_error);
    assert_eq!(view(&mut h).race.surface.expr, before);
    assert_eq!(view(&mut h).settings.source, "x^2 +* y", "what the learner typed stays in the field");
    // a fixed expression replaces the surface and clears the error
    type_into(&mut h, "f(x, y) =", 0, "x^2 + 10*y^2");
    let v = view(&mut h);
    assert_eq!(v.race.surface.expr, "x^2 + 10*y^2");
    assert!(v.surface_error.is_none());
    assert!(h.query_by_label("The plot still shows the last surface that worked.").is_none());
}

#[test]
fn a_diverging_racer_shows_as_diverged_in_the_leaderboard() {
    let mut h = harness();
    // the first racer's card; its spec field is the first "spec" shown once it is open
    h.get_by_label("● 1  sgd:lr=0.4").click();
    h.run();
    type_into(&mut h, "spec", 0, "sgd:lr=1e9");
    assert_eq!(view(&mut h).settings.racers[0].spec, "sgd:lr=1e9".parse::<OptimSpec>().expect("valid"));
    h.get_by_label("Step").click();
    h.run();
    h.get_by_label("diverged at step 1");
    h.get_by_label_contains("Diverged at step 1: its next point overflowed or left the plotted region");
    let v = view(&mut h);
    assert_eq!(v.race.racers[0].status, Status::Diverged);
    assert!(v.race.racers[0].path.iter().all(|p| p[0].is_finite() && p[1].is_finite()));
    // the others race on
    for _ in 0..3 {
        h.get_by_label("Step").click();
        h.run();
    }
    let v = view(&mut h);
    assert_eq!(v.race.racers[0].path.len(), 1);
    assert!(v.race.racers[1..].iter().all(|r| r.path.len() == 5));
}

#[test]
fn a_malformed_spec_shows_its_error_and_keeps_the_racer() {
    let mut h = harness();
    h.get_by_label("● 1  sgd:lr=0.4").click();
    h.run();
    type_into(&mut h, "spec", 0, "sgd:lr=0.1,mom=0.9");
    h.get_by_label_contains("valid keys: lr, momentum");
    assert_eq!(view(&mut h).settings.racers[0].spec.to_string(), "sgd:lr=0.4");
}

#[test]
fn a_hyperparameter_editor_rebuilds_the_race() {
    let mut h = harness();
    for _ in 0..3 {
        h.get_by_label("Step").click();
        h.run();
    }
    // the inspected racer (Adam, the last) starts open: its lr has the only drag value named "lr"
    h.get_by_role_and_label(Role::SpinButton, "lr").set_value_accesskit(0.05);
    h.run();
    let v = view(&mut h);
    assert_eq!(v.settings.racers[3].spec.to_string(), "adam:lr=0.05");
    // the race was replayed to the same step with the new rate
    assert_eq!(v.race.step, 3);
    assert_eq!(v.race.racers[3].lrs, [0.05; 3]);
}

#[test]
fn line_ups_load_with_one_click() {
    let mut h = harness();
    h.get_by_label("Adam vs Adam without bias correction").click();
    h.run();
    let names: Vec<&str> = view(&mut h).race.racers.iter().map(|r| r.setup.spec.name()).collect();
    assert_eq!(names, ["adam", "adam-nobias"]);
    h.get_by_label("momentum-ewma vs PyTorch momentum").click();
    h.run();
    let names: Vec<&str> = view(&mut h).race.racers.iter().map(|r| r.setup.spec.name()).collect();
    assert_eq!(names, ["sgd", "momentum-ewma", "momentum-ewma"]);
    h.get_by_label("Add racer").click();
    h.run();
    assert_eq!(view(&mut h).race.racers.len(), 4);
    h.get_all_by_label("Remove").next().expect("an open racer card").click();
    h.run();
    assert_eq!(view(&mut h).race.racers.len(), 3);
}

#[test]
fn the_inspector_shows_adams_state_after_a_step() {
    let mut h = harness();
    h.get_by_label("Step").click();
    h.run();
    // Adam at t = 1: 1 - β₁ = 0.1 and 1 - β₂ = 0.001, so m_hat = g and v_hat = g², shown with the slides' names
    h.get_by_label("1 − β₁^t");
    h.get_by_label("0.1");
    h.get_by_label("0.001");
    h.get_by_label("V_hat");
    h.get_by_label("S_hat");
    // the caption is built from the racer's spec, and the momentum arrow is said to be unnormalized
    h.get_by_label("Δθ = −lr·V_hat / (√S_hat + ε)   (slide 114)");
    h.get_by_label_contains("the first moment unnormalized");
    h.get_by_label("Δθ: the step the rule took");
    let v = view(&mut h);
    let adam = &v.race.racers[3];
    let q = adam.optimizer.inspect(1);
    let get = |n: &str| q.iter().find(|(k, _)| *k == n).map(|&(_, x)| x).expect("inspected");
    assert_eq!(get("m_hat"), get("grad"));
    assert!((get("v_hat") - get("grad").powi(2)).abs() < 1e-9 * get("grad").powi(2));
}

#[test]
fn clicking_the_plot_sets_the_start() {
    let mut h = harness();
    h.run();
    let target = [-5.0, -1.5];
    let pos = view(&mut h).screen_pos(target).expect("the plot was drawn");
    h.hover_at(pos);
    h.run();
    h.drag_at(pos);
    h.run();
    h.drop_at(pos);
    h.run();
    let start = view(&mut h).settings.start;
    // one screen point is a few hundredths of a unit here
    assert!((start[0] - target[0]).abs() < 0.1 && (start[1] - target[1]).abs() < 0.1, "{start:?}");
    assert!(view(&mut h).race.racers.iter().all(|r| r.path == [start]));
}

#[test]
fn play_runs_until_paused() {
    let mut h = harness();
    h.get_by_label("Play").click();
    // playback asks for frames continuously: run a fixed number
    h.run_steps(30);
    assert!(view(&mut h).playing);
    let steps = view(&mut h).settings.steps;
    assert!(steps > 0, "{steps}");
    h.get_by_label("Pause").click();
    h.run_steps(3);
    let v = view(&mut h);
    assert!(!v.playing);
    let paused_at = v.settings.steps;
    h.run_steps(10);
    assert_eq!(view(&mut h).settings.steps, paused_at);
}

#[test]
fn the_keyboard_steps_plays_and_resets_unless_typing() {
    let mut h = harness();
    h.key_press(Key::ArrowRight);
    h.run();
    h.key_press(Key::ArrowRight);
    h.run();
    assert_eq!(view(&mut h).settings.steps, 2);
    h.key_press(Key::Space);
    h.run_steps(5);
    assert!(view(&mut h).playing);
    h.key_press(Key::Space);
    h.run_steps(2);
    assert!(!view(&mut h).playing);
    h.key_press(Key::Home);
    h.run();
    assert_eq!(view(&mut h).race.step, 0);
    // typing in the expression field is typing
    h.get_by_role_and_label(Role::TextInput, "f(x, y) =").focus();
    h.run();
    h.key_press(Key::ArrowRight);
    h.run();
    assert_eq!(view(&mut h).settings.steps, 0);
}

#[test]
fn the_grid_is_computed_once_per_surface_not_per_frame() {
    let mut h = harness();
    h.run_steps(30);
    assert_eq!(view(&mut h).grid_builds(), 1);
    // the scale and the theme recolour the cached grid
    h.get_by_label("log colour scale").click();
    h.run();
    h.get_by_label("Dark theme").click();
    h.run();
    assert_eq!(view(&mut h).grid_builds(), 1);
    // stepping moves the racers, not the surface
    h.get_by_label("Step ×10").click();
    h.run();
    assert_eq!(view(&mut h).grid_builds(), 1);
    h.get_by_label("beale").click();
    h.run();
    assert_eq!(view(&mut h).grid_builds(), 2);
    eprintln!("200×200 grid + texture + contours of beale: {:?}", view(&mut h).last_grid_time());
}

#[test]
fn the_state_round_trips_and_a_malformed_one_is_reported() {
    let mut h = harness();
    h.get_by_label("rosenbrock").click();
    h.run();
    h.get_by_label("Step ×10").click();
    h.run();
    let session = h.state().session();
    let saved: Settings = serde_json::from_value(session.views["race"].clone()).expect("plain data");
    assert_eq!(saved.steps, 10);
    let positions: Vec<[f64; 2]> = view(&mut h).race.racers.iter().map(|r| r.position()).collect();
    let mut again = harness_with(App::new(session));
    assert_eq!(view(&mut again).race.racers.iter().map(|r| r.position()).collect::<Vec<_>>(), positions);

    let mut bad = StoredSession::default();
    bad.views.insert("race".into(), serde_json::json!({ "racers": [{ "spec": "adam:lr=oops", "color": [0, 0, 0] }] }));
    let app = App::new(bad);
    assert!(app.status().is_error);
    assert!(app.status().text.contains("Race"), "{}", app.status().text);
    let mut h = harness_with(app);
    assert_eq!(view(&mut h).settings, Settings::default());
}

#[test]
fn gradient_noise_is_seeded() {
    let mut h = harness();
    h.get_by_label("Gradient noise").click();
    h.run();
    h.get_by_label("Step ×10").click();
    h.run();
    let noisy: Vec<[f64; 2]> = view(&mut h).race.racers.iter().map(|r| r.position()).collect();
    let v = view(&mut h);
    assert!(v.settings.noise.enabled);
    v.push(Action::Reset);
    h.run();
    h.get_by_label("Step ×10").click();
    h.run();
    assert_eq!(view(&mut h).race.racers.iter().map(|r| r.position()).collect::<Vec<_>>(), noisy);
    // ... and applied: without it every racer ends elsewhere
    let mut h = harness();
    h.get_by_label("Step ×10").click();
    h.run();
    let clean: Vec<[f64; 2]> = view(&mut h).race.racers.iter().map(|r| r.position()).collect();
    assert!(!view(&mut h).settings.noise.enabled);
    assert_eq!(clean.len(), noisy.len());
    assert!(!clean.is_empty());
    assert!(clean.iter().zip(&noisy).all(|(c, n)| c != n), "{clean:?} vs {noisy:?}");
}

#[test]
fn every_character_the_race_writes_has_a_glyph() {
    // proportional text avoids what the default fonts lack (ᵗ, ₜ, combining hats, ●); monospace text has ●
    let proportional = "−·Δθβ₁₂ρμΠΣ√ε∞×≤≈²λτ";
    let monospace = "●−·Δθβ₁₂ρμΣ√ε²";
    let ctx = egui::Context::default();
    let mut out = ctx.run_ui(Default::default(), |_| {});
    out.textures_delta.clear();
    for (family, used) in [(egui::FontFamily::Proportional, proportional), (egui::FontFamily::Monospace, monospace)] {
        let font = egui::FontId::new(14.0, family);
        let missing: String = used.chars().filter(|&c| !ctx.fonts_mut(|f| f.has_glyph(&font, c))).collect();
        assert!(missing.is_empty(), "{:?} lacks {missing}", font.family);
    }
    let mut out = ctx.run_ui(Default::default(), |_| {});
    out.textures_delta.clear();
}
