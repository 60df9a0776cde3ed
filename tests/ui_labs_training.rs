//! The Labs view's training labs (preprocessing, batch norm, dropout), driven headless through egui_kittest by the
//! labels a learner sees: each lab's controls, the numbers on screen against the lab's core, the workers' results
//! arriving, and a lesson's question hiding the asked number until it is answered.

mod common;

use chainrule::app::App;
use chainrule::app::labs::batchnorm::BatchNormLab;
use chainrule::app::labs::dropout::DropoutLab;
use chainrule::app::labs::preprocessing::PreprocessingLab;
use chainrule::labs::{LabStep, batchnorm, dropout, preprocessing};
use common::window::{lab_tab as tab, labs};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The window at a laptop's size, opened (as a stored session would) on the Labs view's tab `id`, titled `title`.
fn harness(title: &str) -> Harness<'static, App> {
    let id = match title {
        "Preprocessing" => "preprocessing",
        "Batch norm" => "batchnorm",
        _ => "dropout",
    };
    let session = format!(
        r#"{{"version":1,"dark":false,"view":"labs","views":{{"labs":{{"current":"{id}","tabs":{{}}}}}},"zoom":1.0}}"#
    );
    let app = App::new(serde_json::from_str(&session).expect("a valid session"));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(|ui, app: &mut App| app.ui_body(ui), app);
    h.step();
    h.step();
    h.get_by_label(title);
    h
}

#[test]
fn preprocessing_shows_the_cores_covariances_and_new_points_change_them() {
    let mut h = harness("Preprocessing");
    let settings = tab::<PreprocessingLab>(&mut h).settings.clone();
    let stages = preprocessing::stages(&settings.generate().expect("valid"));
    // the standardized Σ₁₂ is the raw cloud's correlation; the whitened diagonal is 1 to four decimals
    h.get_by_label(&format!("{:.4}", stages[2].cov[1]));
    // raw and zero-centred share their covariance: Σ₁₁ shows twice
    assert_eq!(h.query_all_by_label(&format!("{:.4}", stages[0].cov[0])).count(), 2);
    h.get_by_label("New points").click();
    h.step();
    h.step();
    let moved = tab::<PreprocessingLab>(&mut h).settings.clone();
    assert_eq!(moved.seed, settings.seed + 1);
    let again = preprocessing::stages(&moved.generate().expect("valid"));
    assert_ne!(again[0].cov[0], stages[0].cov[0]);
    assert_eq!(h.query_all_by_label(&format!("{:.4}", again[0].cov[0])).count(), 2);
}

#[test]
fn preprocessing_trains_both_on_a_worker_and_shows_the_cores_losses() {
    let mut h = harness("Preprocessing");
    tab::<PreprocessingLab>(&mut h).settings.epochs = 10;
    h.step();
    common::window::step_until(&mut h, 60, "the two training runs", |h| tab::<PreprocessingLab>(h).curves.done);
    h.step();
    let settings = tab::<PreprocessingLab>(&mut h).settings.clone();
    let c = preprocessing::train_both(&settings.generate().expect("valid"), &settings, |_| true);
    let (r, s) = (c.raw[9], c.standardized[9]);
    h.get_by_label(&format!(
        "after epoch 10: raw loss {:.4} (accuracy {:.0} %), standardized loss {:.4} (accuracy {:.0} %)",
        r.train_loss,
        100.0 * r.train_acc,
        s.train_loss,
        100.0 * s.train_acc
    ));
}

#[test]
fn preprocessing_hides_the_asked_covariance_until_revealed() {
    let mut h = harness("Preprocessing");
    let step: LabStep = toml::from_str("name = \"preprocessing\"").expect("parses");
    labs(&mut h).show_lesson(&step, Some("cov:standardized:12".into())).expect("shown");
    h.step();
    h.step();
    let s = tab::<PreprocessingLab>(&mut h).settings.clone();
    let shown = format!("{:.4}", preprocessing::stages(&s.generate().expect("valid"))[2].cov[1]);
    assert_eq!(h.query_all_by_label("?").count(), 3, "the standardized row is hidden");
    assert!(h.query_by_label(&shown).is_none());
    labs(&mut h).reveal();
    h.step();
    h.step();
    h.get_by_label(&shown);
}

/// Frames until the batch-norm run is done.
fn until_trained(h: &mut Harness<'static, App>) {
    common::window::step_until(h, 120, "the batch-norm run", |h| tab::<BatchNormLab>(h).run.done);
    h.step();
    h.step();
}

#[test]
fn batch_norm_trains_on_a_worker_and_shows_the_cores_numbers() {
    let mut h = harness("Batch norm");
    tab::<BatchNormLab>(&mut h).settings.steps = 60;
    h.step();
    until_trained(&mut h);
    let settings = tab::<BatchNormLab>(&mut h).settings.clone();
    let core = batchnorm::run(&settings, |_| true);
    assert_eq!(*tab::<BatchNormLab>(&mut h).run, core, "the worker's run is the core's, bit for bit");
    let [a, b] = core.mean_grad_change();
    h.get_by_label(&format!("mean over the second half: {a:.3} without, {b:.3} with batch norm"));
    let last = core.probes.last().expect("probes");
    h.get_by_label(&format!("{:.3}", last.norm.gamma[0]));
    // the histogram's caption under "with batch norm"
    let n = &last.nets[1];
    h.get_by_label(&format!("{:.2} … {:.2}   mean {:.3}   std {:.3}", n.hist.lo, n.hist.hi, n.mean, n.std));
}

#[test]
fn batch_norm_controls_restart_the_run() {
    let mut h = harness("Batch norm");
    tab::<BatchNormLab>(&mut h).settings.steps = 50;
    h.step();
    until_trained(&mut h);
    h.get_by_label("tanh").click();
    h.step();
    assert_eq!(tab::<BatchNormLab>(&mut h).settings.activation, "tanh");
    until_trained(&mut h);
    let settings = tab::<BatchNormLab>(&mut h).settings.clone();
    assert_eq!(*tab::<BatchNormLab>(&mut h).run, batchnorm::run(&settings, |_| true));
    h.get_by_label("Run again").click();
    h.step();
    until_trained(&mut h);
    assert_eq!(tab::<BatchNormLab>(&mut h).run.steps.len(), 50);
    // a lesson's question hides every number until it is answered
    let step: LabStep = toml::from_str("name = \"batchnorm\"\nsteps = 50").expect("parses");
    labs(&mut h).show_lesson(&step, Some("std:0".into())).expect("shown");
    h.step();
    h.get_by_label("The results are hidden until you have answered.");
    assert!(h.query_by_label("Histograms at step").is_none());
}

#[test]
fn dropout_draws_masks_and_averages_to_the_evaluation_activation() {
    let mut h = harness("Dropout");
    h.get_by_label("Draw a mask").click();
    h.step();
    h.step();
    let lab = tab::<DropoutLab>(&mut h);
    let core = lab.core().expect("valid");
    assert_eq!(core.draws(), 1);
    let mask = core.last().expect("a pass").masks[0].clone();
    assert!(mask.iter().all(|&m| m == 0.0 || m == 2.0), "p = 0.5: {mask:?}");
    h.get_by_label("Average 1000 passes").click();
    h.step();
    h.step();
    let core = tab::<DropoutLab>(&mut h).core().expect("valid");
    assert_eq!(core.draws(), 1001);
    let (avg, eval) = (core.averages()[0][0], core.eval_outputs()[0][0]);
    let se = core.std_errors()[0][0];
    assert!((avg - eval).abs() <= 5.0 * se, "unit 1: {avg} vs {eval} ± {se}");
    h.get_by_label(&format!("{avg:+.4}"));
    h.get_by_label("Each unit averaged over 1001 training passes, against evaluation mode");
    h.get_by_label("Reset").click();
    h.step();
    assert_eq!(tab::<DropoutLab>(&mut h).core().expect("valid").draws(), 0);
}

#[test]
fn dropout_names_p_both_ways_and_hides_the_scale_when_asked() {
    let mut h = harness("Dropout");
    tab::<DropoutLab>(&mut h).settings.p_drop = 0.2;
    h.step();
    h.step();
    h.get_by_label("the lecture's p (keep) = 1 − p = 0.80");
    let scale = dropout::kept_scale(0.2).expect("valid");
    h.get_by_label(&format!("kept units are multiplied by 1/(1 − p) = {scale:.4}"));
    let step: LabStep = toml::from_str("name = \"dropout\"\np_drop = 0.2").expect("parses");
    labs(&mut h).show_lesson(&step, Some("kept_scale".into())).expect("shown");
    h.step();
    h.get_by_label("kept units are multiplied by 1/(1 − p) = ?");
    labs(&mut h).reveal();
    h.step();
    h.get_by_label("kept units are multiplied by 1/(1 − p) = 1.2500");
}
