//! The playground, driven headless through egui_kittest by the labels a learner sees: choosing a data set, adding a
//! layer, training step by step (the weights equal the core trainer's) and epoch by epoch (the losses equal the
//! `chainrule train` run that "Copy as command" gives), a diverging run, a click on a point, opening a unit as its
//! graph in the backprop view and stepping it, the pictures cached per snapshot, and the setup kept across restarts.

mod common;

use chainrule::app::App;
use chainrule::app::backprop::BackpropView;
use chainrule::app::playground::{Action, PlaygroundView};
use chainrule::cli::{Cli, run};
use chainrule::nn::playground::{Setup, Target};
use clap::Parser;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The window with the playground open.
fn harness() -> Harness<'static, App> {
    common::window::harness_on("Playground")
}

fn view<'h>(h: &'h mut Harness<'static, App>) -> &'h mut PlaygroundView {
    common::window::view_of(h)
}

/// Frames until the training run has ended.
fn until_paused(h: &mut Harness<'static, App>) {
    common::window::step_until(h, 60, "the end of the run", |h| !view(h).is_running());
    h.run();
}

#[test]
fn choosing_a_data_set_builds_it_and_a_fresh_network() {
    let mut h = harness();
    h.get_by_label("spiral").click();
    h.run();
    let v = view(&mut h);
    assert_eq!(v.settings.setup.dataset, "spiral");
    let want = Setup { dataset: "spiral".into(), ..Setup::default() }.data().expect("valid");
    assert_eq!(v.data, want);
    assert_eq!(v.steps, 0);
    assert!(v.pictures.output.is_some(), "the regions are drawn");
    h.get_by_label("digits").click();
    h.run();
    assert_eq!(view(&mut h).data.train.d, 64);
    h.get_by_label_contains("64 inputs: no plane to draw");
}

#[test]
fn adding_a_layer_and_a_unit_changes_the_network() {
    let mut h = harness();
    h.get_by_label("+ layer").click();
    h.run();
    assert_eq!(view(&mut h).network().spec.hidden, vec![4, 2, 2]);
    h.get_all_by_label("+").next().expect("a + per layer").click();
    h.run();
    assert_eq!(view(&mut h).network().spec.hidden, vec![5, 2, 2]);
    h.get_by_label("− layer").click();
    h.run();
    assert_eq!(view(&mut h).network().spec.hidden, vec![5, 2]);
    h.get_by_label("2-5-2-1, tanh (30 parameters)");
}

#[test]
fn steps_in_the_window_are_the_core_trainers_steps() {
    let mut h = harness();
    const N: u64 = 5;
    for _ in 0..N {
        h.get_by_label("Step").click();
        h.step();
        until_paused(&mut h);
    }
    h.get_by_label(&format!("step {N}"));
    let (mut t, _) = Setup::default().trainer().expect("valid");
    let mut left = N;
    t.run_epoch_with(|_| {
        left -= 1;
        left > 0
    })
    .expect("trains");
    assert_eq!(t.steps(), N);
    assert_eq!(view(&mut h).network().params().values(), t.mlp.params().values());
}

#[test]
fn epochs_in_the_window_give_the_losses_of_the_copied_command() {
    let mut h = harness();
    h.get_by_label("xor").click();
    h.run();
    for _ in 0..3 {
        h.get_by_label("Epoch").click();
        h.step();
        until_paused(&mut h);
    }
    // a pause mid-epoch does not change the run: a step, then the rest of the fourth epoch
    h.get_by_label("Step").click();
    h.step();
    until_paused(&mut h);
    h.get_by_label("Epoch").click();
    h.step();
    until_paused(&mut h);
    h.get_by_label("Copy as command").click();
    h.run();
    h.get_by_label_contains("Copied: chainrule train --dataset xor");
    let line = view(&mut h).settings.setup.command(4);
    assert_eq!(line, "chainrule train --dataset xor --epochs 4");
    let mut args: Vec<&str> = line.split_whitespace().collect();
    args.push("--json");
    let command = Cli::try_parse_from(args).expect("the copied line parses").command.expect("a subcommand");
    let mut out = Vec::new();
    assert_eq!(run(command, &mut out), 0);
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    let shown = &view(&mut h).history;
    assert_eq!(shown.len(), 4);
    for (s, e) in shown.iter().zip(json["epochs"].as_array().expect("epochs")) {
        assert_eq!(s.train_loss, e["train_loss"].as_f64().expect("a number"), "epoch {}", s.epoch);
        assert_eq!(s.test_loss, e["test_loss"].as_f64().expect("a number"), "epoch {}", s.epoch);
        assert_eq!(s.test_acc, e["test_acc"].as_f64().expect("a number"), "epoch {}", s.epoch);
    }
}

#[test]
fn a_diverging_run_stops_says_where_and_keeps_finite_weights() {
    let mut h = harness();
    view(&mut h).push(Action::Preset(4));
    h.run();
    assert_eq!(view(&mut h).settings.setup.opt.to_string(), "sgd:lr=5");
    h.get_by_label("Train").click();
    h.step();
    until_paused(&mut h);
    let step = view(&mut h).diverged.expect("the run diverged");
    h.get_by_label(&format!("diverged at step {step}"));
    h.get_by_label_contains(&format!("The loss diverged at step {step}"));
    assert!(view(&mut h).network().params().values().iter().all(|v| v.is_finite()));
    // Train again refuses until a reset
    h.get_by_label("Train").click();
    h.run();
    assert!(!view(&mut h).is_running());
    h.get_by_label("Reset").click();
    h.run();
    assert_eq!(view(&mut h).diverged, None);
}

#[test]
fn training_runs_until_paused_and_the_pictures_follow_the_snapshots() {
    let mut h = harness();
    h.run();
    let idle = view(&mut h).pictures.builds;
    h.run_steps(10);
    assert_eq!(view(&mut h).pictures.builds, idle, "no new weights, no new pictures");
    h.get_by_label("Train").click();
    common::window::step_until(&mut h, 30, "two epochs", |h| view(h).history.len() >= 2);
    h.get_by_label("Pause").click();
    h.run();
    assert!(!view(&mut h).is_running());
    let v = view(&mut h);
    assert!(v.pictures.builds > idle, "the pictures followed the run");
    assert!(!v.health.is_empty(), "the monitors are computed");
    let steps = v.steps;
    h.run_steps(5);
    assert_eq!(view(&mut h).steps, steps, "paused");
}

#[test]
fn a_click_on_a_point_then_open_as_graph_shows_the_unit_in_the_backprop_view() {
    let mut h = harness();
    h.run();
    let pos = view(&mut h).point_on_screen(7).expect("the output was drawn");
    h.hover_at(pos);
    h.run();
    h.drag_at(pos);
    h.run();
    h.drop_at(pos);
    h.run();
    // another point may lie under the same pixel; the chosen one lies there
    let chosen = view(&mut h).settings.point;
    let at = view(&mut h).point_on_screen(chosen).expect("drawn");
    assert!((at - pos).length() < 2.0, "{chosen}");
    view(&mut h).push(Action::Select(Target::Unit { layer: 1, unit: 2 }));
    h.run();
    h.get_by_label("Open as graph").click();
    h.run();
    h.run();
    // the unit's value on that point, as the network computes it
    let v = view(&mut h);
    let x: Vec<f32> = v.data.train.row(chosen).iter().map(|&a| a as f32).collect();
    let mut net = v.network().clone();
    let trace = net.activations(&x, 1).expect("forward");
    let want = f64::from(net.tape.value(trace[1])[2]);
    let bp = h.state_mut().view_mut::<BackpropView>().expect("registered");
    let got = bp.model.program.graph.value(bp.model.program.output);
    assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    let said = &h.state().status_of("playground").expect("registered").text;
    assert!(said.starts_with("Opened unit 2 of layer 1 on training point"), "{said}");
    let before = h.state_mut().view_mut::<BackpropView>().expect("registered").cursor();
    h.get_by_label("Step >").click();
    h.run();
    assert_eq!(h.state_mut().view_mut::<BackpropView>().expect("registered").cursor(), before + 1);
}

#[test]
fn the_setup_is_kept_across_restarts() {
    let mut h = harness();
    h.get_by_label("moons").click();
    h.run();
    h.get_by_label("+ layer").click();
    h.run();
    for _ in 0..2 {
        h.get_by_label("Epoch").click();
        h.step();
        until_paused(&mut h);
    }
    let weights = view(&mut h).network().params().values().to_vec();
    let session = h.state().session();
    let json = session.to_json();
    let (session, message) = chainrule::app::session::load_session(Some(&json));
    assert_eq!(message, None);
    let restored = App::new(session);
    let mut h2 = common::window::harness_of(restored);
    h2.run();
    // the two epochs are trained again on the worker: the same seed, the same weights
    common::window::step_until(&mut h2, 60, "the replayed epochs", |h| h.state().is_settled());
    h2.run();
    let v = view(&mut h2);
    assert_eq!(v.settings.setup.dataset, "moons");
    assert_eq!(v.network().spec.hidden, vec![4, 2, 2]);
    assert_eq!(v.history.len(), 2);
    assert_eq!(v.network().params().values(), &weights[..]);
}

#[test]
fn a_setup_saved_and_reopened_comes_back_and_a_damaged_file_is_refused() {
    let dir = std::env::temp_dir().join(format!("chainrule-playground-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let file = dir.join("spiral.json");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"format\": \"chainrule-playground\", \"version\": 1, \"setup\": {\"points\": 0}}")
        .expect("write");
    let mut h = harness();
    h.get_by_label("spiral").click();
    h.run();
    h.get_by_label("+ layer").click();
    h.run();
    let answers = [Some(file.clone()), Some(file.clone()), Some(bad.clone())];
    h.state_mut().set_dialogs(Box::new(chainrule::app::files::ScriptedDialogs {
        answers: answers.into_iter().collect(),
        ..Default::default()
    }));
    h.get_by_label("Save setup…").click();
    h.run();
    h.get_by_label_contains("Saved the setup to");
    let saved = view(&mut h).settings.setup.clone();
    h.get_by_label("circle").click();
    h.run();
    assert_eq!(view(&mut h).settings.setup.dataset, "circle");
    h.get_by_label("Open setup…").click();
    h.run();
    assert_eq!(view(&mut h).settings.setup, saved);
    assert_eq!(view(&mut h).network().spec.hidden, vec![4, 2, 2]);
    h.get_by_label("Open setup…").click();
    h.run();
    h.get_by_label_contains("points 0: use 1 to 5000. The playground keeps its setup.");
    assert_eq!(view(&mut h).settings.setup, saved);
    std::fs::remove_dir_all(&dir).ok();
}
