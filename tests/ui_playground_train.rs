//! The playground's network and training side, driven headless through egui_kittest: the panels fit at 100 % and
//! 200 % zoom; a training change (learning rate, batch, L1/L2, schedule) applies at the next step on the same
//! weights, while a network change makes a fresh network and says so; batch norm, dropout and a schedule train as the
//! copied command does; the speed cap; a setup saved with its weights and reopened, a damaged one refused; a PyTorch
//! state dict dropped on the playground, a misfit one refused; a long status message elided inside the window.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chainrule::app::App;
use chainrule::app::backprop::BackpropView;
use chainrule::app::files::ScriptedDialogs;
use chainrule::app::playground::{Action, PlaygroundView};
use chainrule::app::session::StoredSession;
use chainrule::cli::{Cli, run};
use chainrule::nn::playground::{Setup, Target};
use chainrule::nn::{EpochStats, Mlp, Trainer};
use chainrule::scalar::Unary;
use clap::Parser;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use safetensors::{Dtype, tensor::TensorView};

/// The window at a laptop's size, 1280×720 pixels, zoomed, with the playground open. The harness has no display
/// to turn pixels into points: at 200 % its screen is 640×360 points, as eframe's would be.
fn harness_at(zoom: f32) -> Harness<'static, App> {
    let session = StoredSession { zoom, ..StoredSession::default() };
    let app = App::with_dialogs(session, Box::new(ScriptedDialogs::default()));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0 / zoom, 720.0 / zoom))
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut App| app.ui_body(ui), app);
    h.run();
    h.get_by_label("Playground").click();
    h.run();
    h
}

fn view<'h>(h: &'h mut Harness<'static, App>) -> &'h mut PlaygroundView {
    h.state_mut().view_mut::<PlaygroundView>().expect("the playground is registered")
}

fn until_paused(h: &mut Harness<'static, App>) {
    common::window::step_until(h, 60, "the end of the run", |h| !view(h).is_running());
    h.run();
}

fn said(h: &Harness<'static, App>) -> String {
    h.state().status_of("playground").expect("registered").text.clone()
}

/// Runs the copied `line` (with `--json`) and checks that its epochs' losses are the window's `shown` ones, bit for bit.
fn assert_the_command_gives(line: &str, shown: &[EpochStats]) {
    let mut args: Vec<&str> = line.split_whitespace().collect();
    args.push("--json");
    let command = Cli::try_parse_from(args).expect("the copied line parses").command.expect("a subcommand");
    let mut out = Vec::new();
    assert_eq!(run(command, &mut out), 0);
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    for (s, e) in shown.iter().zip(json["epochs"].as_array().expect("epochs")) {
        assert_eq!(s.train_loss, e["train_loss"].as_f64().expect("a number"), "epoch {}", s.epoch);
        assert_eq!(s.test_loss, e["test_loss"].as_f64().expect("a number"), "epoch {}", s.epoch);
    }
}

fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chainrule-pgtrain-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

fn answer(h: &mut Harness<'static, App>, paths: &[&Path]) {
    let dialogs =
        ScriptedDialogs { answers: paths.iter().map(|p| Some(p.to_path_buf())).collect(), ..Default::default() };
    h.state_mut().set_dialogs(Box::new(dialogs));
}

/// The core trainer after `n` steps of `setup`.
fn stepped(mut t: Trainer<f32>, n: u64) -> Trainer<f32> {
    let mut left = n;
    while left > 0 {
        t.run_epoch_with(|_| {
            left -= 1;
            left > 0
        })
        .expect("trains");
    }
    t
}

#[test]
fn the_panels_do_not_overlap_at_100_and_200_percent() {
    for zoom in [1.0, 2.0] {
        let mut h = harness_at(zoom);
        // a few epochs, so that the curves and the health table hold numbers
        h.get_by_label("Epoch").click();
        h.step();
        until_paused(&mut h);
        let window = h.ctx.content_rect();
        assert!((window.width() - 1280.0 / zoom).abs() < 1.0, "{window:?} at {zoom}");
        let panels = h.state().panels();
        for (i, (name, r)) in panels.iter().enumerate() {
            assert!(window.expand(0.5).contains_rect(*r), "at {zoom}: '{name}' {r:?} leaves the window {window:?}");
            assert!(r.width() > 20.0 && r.height() > 20.0, "at {zoom}: '{name}' {r:?} has no room");
            for (other, o) in &panels[i + 1..] {
                assert!(
                    !r.shrink(1.0).intersects(o.shrink(1.0)),
                    "at {zoom}: the panels '{name}' {r:?} and '{other}' {o:?} overlap"
                );
            }
        }
        let panel = |name: &str| panels.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no '{name}'")).1;
        for (label, name) in [
            ("Train", "controls"),
            ("Copy as command", "controls"),
            ("Open model…", "controls"),
            ("Preset", "setup"),
            ("+ layer", "network"),
            ("Show test data", "output"),
            ("Health monitors", "charts"),
        ] {
            let r = h.get_by_label(label).rect();
            assert!(panel(name).expand(0.5).contains_rect(r), "at {zoom}: '{label}' {r:?} is cut off by '{name}'");
        }
        // the network keeps a useful share of the width beside the setup and the output
        assert!(panel("network").width() > 0.25 * window.width(), "at {zoom}: {:?}", panel("network"));
    }
}

#[test]
fn a_learning_rate_change_keeps_the_weights_and_a_layer_change_resets() {
    let mut h = harness_at(1.0);
    for _ in 0..3 {
        h.get_by_label("Step").click();
        h.step();
        until_paused(&mut h);
    }
    let before = view(&mut h).network().params().values().to_vec();
    // as the learning-rate slider and the L2 slider do
    let new = Setup { opt: "sgd:lr=0.3".parse().expect("valid"), l2: 0.001, ..Setup::default() };
    view(&mut h).settings.setup = new.clone();
    h.run();
    assert!(said(&h).starts_with("Training settings applied from the next step, on the same weights"), "{}", said(&h));
    assert_eq!(view(&mut h).network().params().values(), &before[..], "the weights stay");
    h.get_by_label("step 3");
    h.get_by_label("Step").click();
    h.step();
    until_paused(&mut h);
    // the core: three steps, retuned, one more
    let (t, _) = Setup::default().trainer().expect("valid");
    let mut t = stepped(t, 3);
    Setup::retune(&new, &mut t).expect("retunes");
    let t = stepped(t, 1);
    assert_eq!(view(&mut h).network().params().values(), t.mlp.params().values());
    h.get_by_label("step 4");
    // another rule: a fresh state, the same weights
    let kept = view(&mut h).network().params().values().to_vec();
    view(&mut h).settings.setup.opt = "adam:lr=0.01".parse().expect("valid");
    h.run();
    assert!(said(&h).contains("a fresh adam state from the next step, on the same weights"), "{}", said(&h));
    assert_eq!(view(&mut h).network().params().values(), &kept[..]);
    // the network's shape: a fresh network, said so
    h.get_by_label("+ layer").click();
    h.run();
    assert!(said(&h).starts_with("A fresh network (the layers changed)"), "{}", said(&h));
    assert_eq!(view(&mut h).steps, 0);
    h.get_by_label("Batch norm").click();
    h.run();
    assert!(said(&h).starts_with("A fresh network (batch norm changed)"), "{}", said(&h));
    assert!(view(&mut h).network().spec.batchnorm);
}

#[test]
fn a_training_change_while_training_goes_on_training() {
    let mut h = harness_at(1.0);
    h.get_by_label("Train").click();
    common::window::step_until(&mut h, 30, "some steps", |h| view(h).steps > 20);
    let steps = view(&mut h).steps;
    view(&mut h).settings.setup.batch = 25;
    h.step();
    assert!(view(&mut h).is_running(), "still training");
    common::window::step_until(&mut h, 30, "more steps", |h| view(h).steps > steps + 5);
    assert!(said(&h).starts_with("Training settings applied"), "{}", said(&h));
    h.get_by_label("Pause").click();
    h.step();
    until_paused(&mut h);
}

#[test]
fn batch_norm_dropout_and_a_schedule_train_as_the_copied_command() {
    let mut h = harness_at(1.0);
    h.get_by_label("xor").click();
    h.run();
    h.get_by_label("Batch norm").click();
    h.run();
    view(&mut h).settings.setup.dropout = 0.1;
    view(&mut h).settings.setup.schedule = Some("exp:gamma=0.5".parse().expect("valid"));
    h.run();
    for _ in 0..2 {
        h.get_by_label("Epoch").click();
        h.step();
        until_paused(&mut h);
    }
    let shown = view(&mut h).history.clone();
    assert_eq!(shown.len(), 2);
    // the schedule ran: epoch 2's rate is half of epoch 1's
    assert_eq!((shown[0].lr, shown[1].lr), (0.03, 0.015));
    h.get_by_label("Copy as command").click();
    h.run();
    let line = view(&mut h).settings.setup.command(2);
    assert_eq!(
        line, "chainrule train --dataset xor --batchnorm --dropout 0.1 --schedule exp:gamma=0.5 --epochs 2",
        "the copied line"
    );
    assert_the_command_gives(&line, &shown);
}

#[test]
fn a_speed_cap_holds_the_run_to_its_rate() {
    let mut h = harness_at(1.0);
    view(&mut h).push(Action::SetSpeed(Some(10)));
    h.run();
    assert_eq!(view(&mut h).settings.speed, Some(10));
    let start = Instant::now();
    h.get_by_label("Train").click();
    common::window::step_until(&mut h, 30, "two steps", |h| view(h).steps >= 2);
    h.run_steps(20);
    h.get_by_label("Pause").click();
    h.run();
    let elapsed = start.elapsed().as_secs_f64();
    let steps = view(&mut h).steps as f64;
    // the throttle's contract: no more than one step per tenth of a second since the start (and the first one)
    assert!(steps <= elapsed * 10.0 + 1.0, "{steps} steps in {elapsed} s");
}

#[test]
fn a_setup_saved_with_its_weights_reopens_with_them_and_bad_weights_are_refused() {
    let dir = folder("weights");
    let file = dir.join("trained.json");
    let bad = dir.join("bad.json");
    let mut h = harness_at(1.0);
    h.get_by_label("Epoch").click();
    h.step();
    until_paused(&mut h);
    let trained = view(&mut h).network().params().values().to_vec();
    h.get_by_label("with weights").click();
    answer(&mut h, &[&file, &file, &bad]);
    h.get_by_label("Save setup…").click();
    h.run();
    assert!(said(&h).starts_with("Saved the setup and the trained weights to"), "{}", said(&h));
    h.get_by_label("Reset").click();
    h.run();
    assert_ne!(view(&mut h).network().params().values(), &trained[..]);
    h.get_by_label("Open setup…").click();
    h.run();
    assert!(said(&h).contains("with its trained weights"), "{}", said(&h));
    assert_eq!(view(&mut h).network().params().values(), &trained[..]);
    // training goes on from them
    h.get_by_label("Step").click();
    h.step();
    until_paused(&mut h);
    assert_ne!(view(&mut h).network().params().values(), &trained[..]);
    // a file whose weights do not fit its network: refused, the playground as it was
    let text = std::fs::read_to_string(&file).expect("saved");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut broken = json.clone();
    broken["weights"]["params"] = serde_json::json!([1.0, 2.0]);
    std::fs::write(&bad, serde_json::to_string(&broken).expect("JSON")).expect("write");
    let kept = view(&mut h).network().params().values().to_vec();
    h.get_by_label("Open setup…").click();
    h.run();
    assert!(said(&h).contains("its weights: the weights hold 2 parameters"), "{}", said(&h));
    assert!(said(&h).ends_with("The playground keeps its setup."), "{}", said(&h));
    assert_eq!(view(&mut h).network().params().values(), &kept[..]);
    std::fs::remove_dir_all(&dir).ok();
}

/// A state dict as `safetensors.torch.save_file` writes an `nn.Sequential(Linear(inputs, hidden), ReLU(),
/// Linear(hidden, 1))`: no chainrule metadata, PyTorch's names and [out, in] shapes.
fn state_dict(path: &Path, inputs: usize, hidden: usize) -> Vec<(String, Vec<f32>)> {
    let tensors: Vec<(String, Vec<usize>, Vec<f32>)> = vec![
        ("0.weight".into(), vec![hidden, inputs], (0..hidden * inputs).map(|i| 0.1 * i as f32 - 0.3).collect()),
        ("0.bias".into(), vec![hidden], (0..hidden).map(|i| 0.05 * i as f32).collect()),
        ("2.weight".into(), vec![1, hidden], (0..hidden).map(|i| 0.2 - 0.1 * i as f32).collect()),
        ("2.bias".into(), vec![1], vec![0.25]),
    ];
    let bytes: Vec<Vec<u8>> =
        tensors.iter().map(|(_, _, v)| v.iter().flat_map(|x| x.to_le_bytes()).collect()).collect();
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .zip(&bytes)
        .map(|((n, shape, _), b)| (n.clone(), TensorView::new(Dtype::F32, shape.clone(), b).expect("a view")))
        .collect();
    safetensors::serialize_to_file(views, None, path).expect("write");
    tensors.into_iter().map(|(n, _, v)| (n, v)).collect()
}

#[test]
fn a_pytorch_state_dict_dropped_on_the_playground_opens_with_the_chosen_activation() {
    let dir = folder("statedict");
    let good = dir.join("relu.safetensors");
    let wide = dir.join("three_inputs.safetensors");
    let values = state_dict(&good, 2, 5);
    state_dict(&wide, 3, 5);
    let mut h = harness_at(1.0);
    view(&mut h).settings.setup.activation = Unary::Relu;
    h.run();
    h.input_mut().dropped_files.push(Arc::new(common::window::Dropped(good.clone())));
    h.run();
    assert!(said(&h).contains("2-5-1, relu with its weights"), "{}", said(&h));
    let v = view(&mut h);
    assert_eq!(v.network().spec.hidden, vec![5]);
    let store = v.network().params();
    for (name, want) in &values {
        let e = store.entries.iter().position(|e| &e.name == name).unwrap_or_else(|| panic!("no {name}"));
        assert_eq!(store.value(chainrule::tensor::ParamId(e as u32)), &want[..], "{name}");
    }
    // it trains on from them
    h.get_by_label("Step").click();
    h.step();
    until_paused(&mut h);
    h.get_by_label("step 1");
    // three inputs on a plane of two: refused, the network kept
    let kept = view(&mut h).network().params().values().to_vec();
    h.input_mut().dropped_files.push(Arc::new(common::window::Dropped(wide)));
    h.run();
    assert!(said(&h).contains("the model reads 3 inputs and the playground's data have 2"), "{}", said(&h));
    assert_eq!(view(&mut h).network().params().values(), &kept[..]);
    // the same file through the chainrule loader agrees (no metadata: the activation is needed)
    assert!(Mlp::<f32>::open(&good, None).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_long_status_message_is_elided_inside_the_window_with_the_whole_text_kept() {
    let dir = folder(&"deep".repeat(40));
    let bad = dir.join("a-setup-file-with-a-long-name-that-is-not-one.json");
    std::fs::write(&bad, "{ not json").expect("write");
    let mut h = harness_at(1.0);
    answer(&mut h, &[&bad]);
    h.get_by_label("Open setup…").click();
    h.run();
    let text = said(&h);
    assert!(text.contains("not JSON") && text.ends_with("The playground keeps its setup."), "{text}");
    let node = h.get_by_label_contains("a-setup-file-with-a-long-name");
    let window = h.ctx.content_rect();
    assert!(window.contains_rect(node.rect()), "{:?} leaves {window:?}", node.rect());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_regression_set_trains_with_mse_as_the_copied_command_and_shows_no_accuracy() {
    let mut h = harness_at(1.0);
    h.get_by_label("reg-gauss").click();
    h.run();
    assert!(view(&mut h).data.train.is_regression());
    assert_eq!(view(&mut h).network().spec.outputs, 1, "one output, the value");
    for _ in 0..2 {
        h.get_by_label("Epoch").click();
        h.step();
        until_paused(&mut h);
    }
    let shown = view(&mut h).history.clone();
    assert_eq!(shown.len(), 2);
    assert!(shown.iter().all(|s| s.test_loss.is_finite() && s.test_acc.is_nan()), "{shown:?}");
    // the accuracy plot says why it is empty, and the toolbar shows no accuracy
    h.get_by_label("none: a regression is measured by its loss (mse)");
    assert!(h.query_by_label_contains("test accuracy").is_none());
    // a click on an empty place adds no point to a set whose values come from a formula
    let pos = view(&mut h).plane_on_screen(5.9, 5.9).expect("the output was drawn");
    h.hover_at(pos);
    h.run();
    h.drag_at(pos);
    h.run();
    h.drop_at(pos);
    h.run();
    assert!(view(&mut h).settings.setup.edits.is_empty());
    let line = view(&mut h).settings.setup.command(2);
    assert_eq!(line, "chainrule train --dataset reg-gauss --epochs 2", "the copied line");
    assert_the_command_gives(&line, &shown);
    // a point's loss opens as its graph: (s − y)² against the point's value, as the network computes it
    view(&mut h).push(Action::Select(Target::Loss));
    h.run();
    view(&mut h).push(Action::OpenGraph); // (the button lies below the setup panel's fold at 1280×720)
    h.run();
    h.run();
    let v = view(&mut h);
    let i = v.settings.point;
    let (x, y) = (v.data.train.row(i).iter().map(|&a| a as f32).collect::<Vec<_>>(), v.data.train.targets[i]);
    let mut net = v.network().clone();
    let trace = net.activations(&x, 1).expect("forward");
    let s = f64::from(net.tape.value(*trace.last().expect("an output"))[0]);
    let said_now = said(&h);
    assert!(said_now.starts_with("Opened the loss on training point"), "{said_now}");
    let bp = h.state_mut().view_mut::<BackpropView>().expect("registered");
    let got = bp.model.program.graph.value(bp.model.program.output);
    assert!((got - (s - y).powi(2)).abs() < 1e-5, "{got} vs ({s} − {y})²");
}

#[test]
fn a_network_that_would_split_on_two_threads_is_copied_with_threads_1_and_gives_the_windows_losses() {
    // the window trains on one thread (the UI keeps the other core); 64-8-8-10 at 256 rows a batch splits on two
    let mut h = harness_at(1.0);
    view(&mut h).settings.setup =
        Setup { dataset: "digits".into(), hidden: vec![8, 8], batch: 256, ..Setup::default() };
    h.run();
    let said_then = said(&h);
    assert_eq!(view(&mut h).network().spec.hidden, vec![8, 8], "{said_then}");
    h.get_by_label("Epoch").click();
    h.step();
    until_paused(&mut h);
    let shown = view(&mut h).history.clone();
    assert_eq!(shown.len(), 1);
    h.get_by_label("Copy as command").click();
    h.run();
    let text = said(&h);
    let line = text.strip_prefix("Copied: ").expect("the copied line is said");
    assert!(line.ends_with("--batch 256 --epochs 1 --threads 1"), "{line}");
    assert_the_command_gives(line, &shown);
}
