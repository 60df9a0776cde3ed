//! Training end to end: the library's trainer reaches the accuracies the issue sets, the same seed gives the same run,
//! the scalar backend follows the tensor backend step for step, and the command line's `train`, `predict` and
//! `init-stats` keep their contract (JSON shapes, exit 2 with the option named on bad input).

use std::process::{Command, Output};

use chainrule::data::{self, Fitted, Preprocess};
use chainrule::nn::{Backend, Init, Mlp, MlpSpec, TrainConfig, Trainer};
use chainrule::scalar::Unary;
use chainrule::tensor::Loss;
use serde_json::Value;

#[allow(clippy::too_many_arguments)] // a test helper whose call sites read as a table
fn trainer(
    dataset: &str,
    points: usize,
    hidden: &[usize],
    act: Unary,
    loss: Loss,
    opt: &str,
    epochs: usize,
    batch: usize,
    backend: Backend,
) -> Trainer<f64> {
    let d = data::generate(dataset, points, 0.0, 1).expect("generates");
    let (train, test) = data::split(&d, 0.5, 1).expect("splits");
    let fitted = Fitted::fit(&train, Preprocess::None);
    let (train, test) = (fitted.apply(&train), fitted.apply(&test));
    let mut spec = MlpSpec::classifier(train.d, hidden, d.classes(), act, loss).expect("valid");
    spec.init = Init::He;
    let cfg = TrainConfig { opt: opt.parse().expect("spec"), schedule: None, epochs, batch, seed: 1, backend };
    let mlp = Mlp::new(&spec, 1).expect("builds");
    Trainer::new(mlp, cfg, (&train.x, &train.y), (&test.x, &test.y)).expect("trainer")
}

#[test]
fn circle_reaches_097_test_accuracy() {
    let mut t = trainer("circle", 500, &[8, 8], Unary::Tanh, Loss::BceLogits, "adam:lr=0.01", 50, 10, Backend::Tensor);
    t.run(|_| true).expect("trains");
    let last = t.history.last().expect("50 epochs");
    assert!(last.test_acc >= 0.97, "{last:?}");
    assert!(t.history[0].train_loss > last.train_loss);
}

#[test]
fn k_class_spiral_reaches_095_test_accuracy() {
    let mut t = trainer(
        "kspiral:classes=3",
        600,
        &[64, 64],
        Unary::Relu,
        Loss::SoftmaxCe,
        "adam:lr=0.01",
        200,
        32,
        Backend::Tensor,
    );
    t.run(|_| true).expect("trains");
    let last = t.history.last().expect("epochs");
    assert!(last.test_acc >= 0.95, "{last:?}");
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let run = || {
        let mut t =
            trainer("xor", 200, &[8], Unary::Tanh, Loss::SoftmaxCe, "sgd:lr=0.1,momentum=0.9", 3, 7, Backend::Tensor);
        t.run(|_| true).expect("trains");
        (t.history.clone(), t.snapshot().params)
    };
    assert_eq!(run(), run());
}

#[test]
fn the_scalar_backend_trains_like_the_tensor_backend() {
    // micrograd's way and the tape take the same steps: after 2 epochs of minibatches the weights agree to 1e-9
    let mut a = trainer("moons", 60, &[6, 5], Unary::Tanh, Loss::MarginHinge, "sgd:lr=0.05", 2, 8, Backend::Tensor);
    let mut b = trainer("moons", 60, &[6, 5], Unary::Tanh, Loss::MarginHinge, "sgd:lr=0.05", 2, 8, Backend::Scalar);
    a.run(|_| true).expect("tensor trains");
    b.run(|_| true).expect("scalar trains");
    let (pa, pb) = (a.snapshot().params, b.snapshot().params);
    assert!(pa.iter().zip(&pb).all(|(x, y)| (x - y).abs() < 1e-9), "{pa:?}\n{pb:?}");
    assert_ne!(
        pa,
        trainer("moons", 60, &[6, 5], Unary::Tanh, Loss::MarginHinge, "sgd:lr=0.05", 2, 8, Backend::Tensor)
            .snapshot()
            .params
    );
}

#[test]
fn a_snapshot_from_a_worker_thread() {
    let t = trainer("gauss", 100, &[4], Unary::Tanh, Loss::BceLogits, "adam:lr=0.01", 5, 10, Backend::Tensor);
    let session = t.spawn();
    let back = session.join().expect("trains on the worker");
    assert_eq!(back.history.len(), 5);
    assert_eq!(back.snapshot().epoch, 5);
}

#[test]
fn snapshots_every_few_steps_leave_the_run_as_it_was() {
    let make = || trainer("gauss", 100, &[4], Unary::Tanh, Loss::BceLogits, "adam:lr=0.01", 4, 5, Backend::Tensor);
    let mut plain = make();
    assert!(plain.snapshot().loss.is_nan(), "no step yet");
    plain.run(|_| true).expect("trains");
    let session = make().spawn_every(3);
    let back = session.join().expect("trains on the worker");
    assert_eq!(back.history, plain.history, "the same epochs");
    assert_eq!(back.snapshot().params, plain.snapshot().params, "the same weights, bit for bit");
    assert_eq!(back.steps(), 40, "50 training rows in batches of 5, 4 epochs");
    assert!(back.snapshot().loss.is_finite());
}

#[test]
fn an_epoch_stops_between_steps_when_asked() {
    let mut t = trainer("gauss", 100, &[4], Unary::Tanh, Loss::BceLogits, "sgd:lr=0.1", 3, 5, Backend::Tensor);
    let mut seen = Vec::new();
    let stats = t
        .run_epoch_with(|t| {
            seen.push((t.steps(), t.snapshot().loss));
            t.steps() < 4
        })
        .expect("steps");
    assert!(stats.is_none(), "stopped mid-epoch: nothing evaluated");
    assert!(t.history.is_empty());
    assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(seen.iter().all(|s| s.1.is_finite()), "each step's loss is in the snapshot");
    // a whole epoch with the hook saying go on is the plain epoch
    let mut u = trainer("gauss", 100, &[4], Unary::Tanh, Loss::BceLogits, "sgd:lr=0.1", 3, 5, Backend::Tensor);
    let mut v = trainer("gauss", 100, &[4], Unary::Tanh, Loss::BceLogits, "sgd:lr=0.1", 3, 5, Backend::Tensor);
    assert_eq!(u.run_epoch_with(|_| true).expect("an epoch"), Some(v.run_epoch().expect("an epoch")));

    // on the worker, a stop takes effect at the next step, not after an epoch of 50 000 steps
    let big = trainer("gauss", 100_000, &[4], Unary::Tanh, Loss::BceLogits, "sgd:lr=0.1", 1, 1, Backend::Tensor);
    let session = big.spawn_every(1000);
    session.stop();
    while !session.is_finished() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let last = session.latest();
    let back = session.join().expect("stops cleanly");
    assert!(back.history.is_empty(), "the epoch was cut short");
    assert!(back.steps() < 50_000, "{} steps", back.steps());
    assert_eq!(last.steps, back.steps(), "the last snapshot is where it stopped");
}

#[test]
fn a_windows_copy_of_the_network_follows_a_snapshot_and_shows_every_layer() {
    let d = data::generate("gauss", 200, 0.0, 1).expect("generates");
    let (train, test) = data::split(&d, 0.5, 1).expect("splits");
    let mut spec = MlpSpec::classifier(2, &[5], 2, Unary::Tanh, Loss::BceLogits).expect("valid");
    spec.batchnorm = true;
    let cfg = TrainConfig {
        opt: "adam:lr=0.01".parse().expect("spec"),
        schedule: None,
        epochs: 3,
        batch: 10,
        seed: 1,
        backend: Backend::Tensor,
    };
    let mut t = Trainer::new(Mlp::new(&spec, 1).expect("builds"), cfg, (&train.x, &train.y), (&test.x, &test.y))
        .expect("trainer");
    t.run(|_| true).expect("trains");
    let snap = t.snapshot();
    // the window's copy, built from another seed, then given the run's weights and running statistics
    let mut window = Mlp::<f64>::new(&spec, 99).expect("builds");
    assert_ne!(window.params().values(), &snap.params[..]);
    window.load_snapshot(&snap).expect("fits");
    let grid: Vec<f64> = (0..7).flat_map(|i| [i as f64 - 3.0, 0.5 * i as f64]).collect();
    let layers = window.activations(&grid, 7).expect("evaluates");
    assert_eq!(layers.len(), window.layers.len(), "one output per layer: Linear, BatchNorm1d, Tanh, Linear");
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
    let scores = t.mlp.forward(&grid, 7, chainrule::nn::Mode::Eval, &mut rng).expect("evaluates");
    assert_eq!(window.tape.value(*layers.last().expect("layers")), t.mlp.tape.value(scores), "bit for bit");
    // the first layer is x·Wᵀ + b, by hand; the tanh layer is tanh of the batch-norm layer
    let (w, b) = (&snap.params[..10], &snap.params[10..15]);
    let first = window.tape.value(layers[0]);
    for (r, x) in grid.chunks(2).enumerate() {
        for j in 0..5 {
            let want = x[0] * w[j * 2] + x[1] * w[j * 2 + 1] + b[j];
            assert!((first[r * 5 + j] - want).abs() < 1e-12, "row {r} unit {j}");
        }
    }
    let (bn, act) = (window.tape.value(layers[1]), window.tape.value(layers[2]));
    assert!(bn.iter().zip(act).all(|(z, a)| (z.tanh() - a).abs() < 1e-15));
    assert_eq!(window.tape.shape(layers[2]), (7, 5));
    // a snapshot of another network is refused with the sizes, and leaves the weights alone
    let mut other =
        Mlp::<f64>::new(&MlpSpec::classifier(2, &[3], 2, Unary::Tanh, Loss::BceLogits).unwrap(), 1).unwrap();
    let before = other.params().values().to_vec();
    let e = other.load_snapshot(&snap).expect_err("does not fit").to_string();
    assert!(e.contains("does not fit"), "{e}");
    assert_eq!(other.params().values(), &before[..]);
}

fn chainrule(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainrule")).args(args).output().expect("the binary runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn train_json_has_a_line_per_epoch() {
    let out = chainrule(&["train", "--dataset", "xor", "--hidden", "8", "--epochs", "3", "--seed", "2", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let epochs = v["epochs"].as_array().expect("epochs");
    assert_eq!(epochs.len(), 3);
    for key in ["train_loss", "test_loss", "train_acc", "test_acc"] {
        assert!(epochs[2][key].is_number(), "{key}: {v}");
    }
    assert_eq!(v["test_acc"], epochs[2]["test_acc"]);
    assert_eq!(v["model"]["torch"][0], "Linear(2, 8)");
    assert_eq!(v["data"]["train_rows"], 250); // Playground's 500 points, half for training
}

#[test]
fn bad_options_exit_2_naming_the_option() {
    for (args, option) in [
        (vec!["--loss", "nope"], "--loss nope"),
        (vec!["--dataset", "kspiral", "--loss", "bce"], "--loss bce: needs exactly two classes and the data has 3"),
        (vec!["--hidden", "8,0"], "--hidden 8,0"),
        (vec!["--dropout", "1.5"], "--dropout 1.5"),
        (vec!["--opt", "adam:lr=-1"], "--opt"),
        (vec!["--dataset", "circel"], "--dataset"),
        (vec!["--epochs", "0"], "--epochs 0"),
        (vec!["--preprocess", "zca"], "--preprocess"),
        (vec!["--features", "x,z"], "--features"),
        (vec!["--init", "lecun"], "--init lecun"),
        (vec!["--dataset", "/nonexistent/data.csv"], "--dataset"),
    ] {
        let mut all = vec!["train"];
        if !args.contains(&"--epochs") {
            all.extend(["--epochs", "1"]);
        }
        all.extend(args);
        let out = chainrule(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
        assert!(err.contains(option), "{all:?}: {err}");
    }
}

#[test]
fn a_huge_learning_rate_is_reported_as_divergence() {
    let out = chainrule(&["train", "--opt", "sgd:lr=1e9", "--loss", "mse", "--epochs", "20", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    let v = json(&out);
    // sgd with lr 1e9 on a tanh net with a squared loss overflows in the first epoch
    assert_eq!(v["diverged_at_epoch"], 1, "{v}");
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("lower the learning rate"), "{err}");
}

#[test]
fn save_then_predict_with_a_csv_of_our_own() {
    let dir = std::env::temp_dir().join(format!("chainrule-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // two blobs with string labels, header present
    let mut csv = String::from("a,b,kind\n");
    for i in 0..80 {
        let t = i as f64 * 0.1;
        let (x, y, label) =
            if i % 2 == 0 { (2.0 + t.sin(), 2.0 + t.cos(), "cat") } else { (-2.0 + t.cos(), -2.0 - t.sin(), "dog") };
        csv += &format!("{x},{y},{label}\n");
    }
    let data = dir.join("pets.csv");
    std::fs::write(&data, csv).expect("write csv");
    let model = dir.join("pets.safetensors");
    let (d, m) = (data.to_str().expect("utf-8"), model.to_str().expect("utf-8"));
    let out =
        chainrule(&["train", "--dataset", d, "--preprocess", "standardize", "--epochs", "20", "--save", m, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = chainrule(&["predict", "--model", m, "--dataset", d, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["predictions"].as_array().expect("predictions").len(), 80);
    assert_eq!(v["classes"], serde_json::json!(["cat", "dog"]));
    assert_eq!(v["accuracy"], 1.0);
    // a ragged CSV is refused with its line
    std::fs::write(dir.join("bad.csv"), "1,2,0\n3,4\n").expect("write");
    let out = chainrule(&["predict", "--model", m, "--dataset", dir.join("bad.csv").to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn init_stats_reproduces_the_slides_shape() {
    let out = chainrule(&[
        "init-stats",
        "--activation",
        "tanh",
        "--init",
        "std=0.01",
        "--depth",
        "5",
        "--width",
        "200",
        "--samples",
        "300",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let stds: Vec<f64> =
        v["layers"].as_array().expect("layers").iter().map(|l| l["std"].as_f64().expect("std")).collect();
    // slide 94: with std 0.01 each tanh layer shrinks the spread by about 0.01·√width ≈ 0.14
    assert!(stds.windows(2).all(|w| w[1] < 0.2 * w[0]), "{stds:?}");
    assert_eq!(v["layers"][0]["hist"].as_array().expect("hist").len(), 40);
    let out = chainrule(&["init-stats", "--depth", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_closed_pipe_does_not_panic() {
    // `chainrule train ... | head -3`: the progress lines meet a closed pipe; the run ends normally
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainrule"))
        .args(["train", "--epochs", "200", "--dataset", "xor"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// A regression trainer on one of the Playground's value sets (mse, one output).
fn regression_trainer(dataset: &str, hidden: &[usize], epochs: usize) -> (Trainer<f64>, data::Dataset) {
    let d = data::generate(dataset, 400, 0.0, 1).expect("generates");
    assert!(d.is_regression() && d.classes() == 1, "{dataset}");
    let (train, test) = data::split(&d, 0.5, 1).expect("splits");
    let spec = MlpSpec::classifier(2, hidden, d.classes(), Unary::Tanh, Loss::Mse).expect("valid");
    assert_eq!(spec.outputs, 1);
    let cfg = TrainConfig {
        opt: "adam:lr=0.03".parse().expect("spec"),
        schedule: None,
        epochs,
        batch: 10,
        seed: 1,
        backend: Backend::Tensor,
    };
    let mlp = Mlp::new(&spec, 1).expect("builds");
    let t = Trainer::new(mlp, cfg, (&train.x, &train.y), (&test.x, &test.y))
        .expect("trainer")
        .with_targets(&train.targets, &test.targets)
        .expect("mse on one output takes real targets");
    (t, test)
}

#[test]
fn a_regression_learns_the_playgrounds_plane_and_reports_its_loss_not_an_accuracy() {
    let (mut t, test) = regression_trainer("reg-plane", &[4], 30);
    // the test loss before any step is the mean squared error of the untrained network, computed here by hand
    let x: Vec<f64> = test.x.clone();
    let trace = t.mlp.activations(&x, test.n()).expect("forward");
    let scores = t.mlp.tape.value(*trace.last().expect("an output")).to_vec();
    let by_hand = scores.iter().zip(&test.targets).map(|(s, v)| (s - v).powi(2)).sum::<f64>() / test.n() as f64;
    let (loss, acc) = t.evaluate_targets(&x, &test.targets).expect("evaluates");
    assert!((loss - by_hand).abs() < 1e-12 * by_hand.max(1.0), "{loss} vs {by_hand}");
    assert!(acc.is_nan());
    t.run(|_| true).expect("trains");
    let last = t.history.last().expect("30 epochs");
    // the plane (x + y)/10 is one tanh unit's near-linear stretch: learned to a small error
    assert!(last.test_loss < 0.01 * by_hand.max(0.01) + 1e-3, "{last:?} from {by_hand}");
    assert!(last.test_acc.is_nan() && last.train_acc.is_nan(), "{last:?}");
}

#[test]
fn real_targets_need_mse_on_one_output() {
    let d = data::generate("reg-gauss", 100, 0.0, 1).expect("generates");
    let spec = MlpSpec::classifier(2, &[4], 2, Unary::Tanh, Loss::BceLogits).expect("valid");
    let cfg = TrainConfig {
        opt: "sgd".parse().expect("spec"),
        schedule: None,
        epochs: 1,
        batch: 10,
        seed: 1,
        backend: Backend::Tensor,
    };
    let t = Trainer::new(Mlp::<f64>::new(&spec, 1).expect("builds"), cfg, (&d.x, &d.y), (&[], &[])).expect("trainer");
    let e = t.with_targets(&d.targets, &[]).expect_err("bce takes classes").to_string();
    assert!(e.contains("mse"), "{e}");
}

#[test]
fn train_on_a_regression_set_reports_loss_without_accuracy() {
    let out = chainrule(&["train", "--dataset", "reg-plane", "--hidden", "4", "--epochs", "3", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert!(v["test_loss"].is_number() && v["test_acc"].is_null(), "{v}");
    assert_eq!(v["model"]["torch"][2], "Linear(4, 1)", "{v}");
    let text = chainrule(&["train", "--dataset", "reg-gauss", "--hidden", "4", "--epochs", "2"]);
    let said = String::from_utf8_lossy(&text.stdout);
    assert!(said.contains("real-valued targets") && !said.contains("accuracy") && said.contains("test loss"), "{said}");
    let bad = chainrule(&["train", "--dataset", "reg-plane", "--loss", "ce", "--epochs", "1"]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert!(err.contains("--loss ce") && err.contains("mse"), "{err}");
}
