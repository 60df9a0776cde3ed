//! The setup panel: a preset, the data (set, points, noise, train share, regenerate, features), the network
//! (activation, initializer, batch norm, dropout, loss), the training (optimizer and learning rate, schedule, L1, L2,
//! batch, seed), and what "Open as graph" opens. Edits change the settings' setup; after drawing, the view retunes
//! the trainer for a training change (the weights kept) or builds a fresh network ([`Setup::change_to`]).

use eframe::egui;

use super::{Action, Settings, target_name};
use crate::data::Feature;
use crate::nn::playground::{Data, MAX_POINTS, Setup, Target};
use crate::nn::{ACTIVATIONS, Init, Mlp};
use crate::optim::{OPTIMIZER_NAMES, OptimSpec, SCHEDULE_NAMES, Schedule};
use crate::tensor::Loss;

/// The schedule field while it is edited: its text (applied when it loses focus) and why it was refused.
#[derive(Clone, Debug, Default)]
pub struct ScheduleEdit {
    /// The text (None: the setup's schedule, as it prints).
    pub text: Option<String>,
    /// Why the text was refused.
    pub error: Option<String>,
}

/// Draws the panel.
pub fn ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    edit: &mut ScheduleEdit,
    data: &Data,
    net: &Mlp<f32>,
    actions: &mut Vec<Action>,
) {
    // sliders as wide as the panel allows, their names beside them
    ui.spacing_mut().slider_width = (ui.available_width() - 95.0).clamp(50.0, 140.0);
    ui.spacing_mut().combo_width = (ui.available_width() - 90.0).clamp(50.0, 150.0);
    ui.add_space(4.0);
    preset_ui(ui, actions);
    ui.separator();
    data_ui(ui, &mut settings.setup, actions);
    if data.is_plane() {
        features_ui(ui, &mut settings.setup.features);
    }
    ui.separator();
    network_ui(ui, &mut settings.setup, net);
    ui.separator();
    training_ui(ui, &mut settings.setup, edit);
    ui.separator();
    target_ui(ui, settings, data, net, actions);
}

/// The presets, each a lesson's starting point.
fn preset_ui(ui: &mut egui::Ui, actions: &mut Vec<Action>) {
    egui::ComboBox::from_label("Preset").selected_text("choose…").show_ui(ui, |ui| {
        for (i, p) in super::presets::PRESETS.iter().enumerate() {
            if ui.selectable_label(false, p.name).on_hover_text(p.lesson).clicked() {
                actions.push(Action::Preset(i));
            }
        }
    });
}

/// The data set, its size and noise, the train share, and Regenerate.
fn data_ui(ui: &mut egui::Ui, s: &mut Setup, actions: &mut Vec<Action>) {
    ui.strong("Data");
    let name = s.dataset.split(':').next().unwrap_or("").trim().to_string();
    ui.horizontal_wrapped(|ui| {
        for d in crate::nn::playground::DATASETS {
            if ui.selectable_label(name == *d, *d).clicked() && name != *d {
                s.dataset = (*d).to_string();
                if *d == "digits" {
                    s.features.clear();
                }
            }
        }
    });
    if name == "kspiral" {
        let mut k: usize = s.dataset.split_once("classes=").and_then(|(_, k)| k.trim().parse().ok()).unwrap_or(3);
        ui.horizontal(|ui| {
            let l = ui.label("classes");
            if ui.add(egui::DragValue::new(&mut k).range(2..=8)).labelled_by(l.id).changed() {
                s.dataset = format!("kspiral:classes={k}");
            }
        });
    }
    if name != "digits" {
        ui.add(egui::Slider::new(&mut s.points, 20..=MAX_POINTS).logarithmic(true).text("points"));
        ui.add(egui::Slider::new(&mut s.noise, 0.0..=0.5).text("noise"));
    }
    ui.add(egui::Slider::new(&mut s.train_ratio, 0.1..=0.9).text("train share"));
    if ui.button("Regenerate").on_hover_text("New data (and weights) from the next seed").clicked() {
        actions.push(Action::Regenerate);
    }
}

/// What the network reads of each point of a plane's data set (none chosen: x and y).
fn features_ui(ui: &mut egui::Ui, features: &mut Vec<String>) {
    ui.label("Features").on_hover_text("What the network reads of each point (x, y): Playground's inputs");
    ui.horizontal_wrapped(|ui| {
        for f in Feature::ALL {
            let key = f.key().to_string();
            let mut on =
                if features.is_empty() { matches!(f, Feature::X | Feature::Y) } else { features.contains(&key) };
            if ui.checkbox(&mut on, f.to_string()).changed() {
                let mut now: Vec<String> =
                    if features.is_empty() { vec!["x".into(), "y".into()] } else { features.clone() };
                if on {
                    now.push(key);
                } else {
                    now.retain(|k| *k != key);
                }
                // Playground's order, and the plain x, y as no list at all (the command line's default)
                now = Feature::ALL.iter().map(|f| f.key().to_string()).filter(|k| now.contains(k)).collect();
                if !now.is_empty() {
                    *features = if now == ["x", "y"] { Vec::new() } else { now };
                }
            }
        }
    });
}

/// The network: activation, initializer, batch norm, dropout and loss.
fn network_ui(ui: &mut egui::Ui, s: &mut Setup, net: &Mlp<f32>) {
    ui.strong("Network");
    ui.label(format!("{} ({} parameters)", net.spec.describe(), net.spec.parameter_count()));
    egui::ComboBox::from_label("Activation").selected_text(s.activation.name()).show_ui(ui, |ui| {
        for u in ACTIVATIONS {
            ui.selectable_value(&mut s.activation, u, u.name());
        }
    });
    egui::ComboBox::from_label("Initializer").selected_text(s.init.to_string()).show_ui(ui, |ui| {
        for i in [Init::Playground, Init::Xavier, Init::He, Init::GlorotUniform, Init::PyTorch] {
            let label = i.to_string();
            ui.selectable_value(&mut s.init, i, label);
        }
    });
    ui.checkbox(&mut s.batchnorm, "Batch norm").on_hover_text("A BatchNorm1d after each hidden layer (slide 98)");
    ui.add(egui::Slider::new(&mut s.dropout, 0.0..=0.9).text("dropout"))
        .on_hover_text("The probability of dropping a hidden unit in training (PyTorch's p; slide 104)");
    let loss_name = s.loss.map_or("auto".to_string(), |l| l.name().to_string());
    egui::ComboBox::from_label("Loss").selected_text(loss_name).show_ui(ui, |ui| {
        ui.selectable_value(&mut s.loss, None, "auto").on_hover_text("bce for two classes, ce for more");
        for name in ["bce", "ce", "mse", "hinge", "svm"] {
            if let Some(l) = Loss::from_name(name) {
                ui.selectable_value(&mut s.loss, Some(l), name);
            }
        }
    });
}

/// The training: optimizer, learning rate, schedule, penalties, batch and seed.
fn training_ui(ui: &mut egui::Ui, s: &mut Setup, edit: &mut ScheduleEdit) {
    ui.strong("Training");
    egui::ComboBox::from_label("Optimizer").selected_text(s.opt.name()).show_ui(ui, |ui| {
        for name in OPTIMIZER_NAMES {
            if ui.selectable_label(s.opt.name() == *name, *name).clicked() && s.opt.name() != *name {
                let lr = s.opt.lr();
                if let Some(mut o) = OptimSpec::defaults(name) {
                    o.set_lr(lr);
                    s.opt = o;
                }
            }
        }
    });
    let mut lr = s.opt.lr();
    if ui.add(egui::Slider::new(&mut lr, 1e-4..=100.0).logarithmic(true).text("learning rate")).changed() {
        s.opt.set_lr(lr);
    }
    ui.weak(s.opt.to_string());
    schedule_ui(ui, &mut s.schedule, edit);
    ui.add(egui::Slider::new(&mut s.l1, 0.0..=0.1).logarithmic(true).text("L1"));
    ui.add(egui::Slider::new(&mut s.l2, 0.0..=0.1).logarithmic(true).text("L2"));
    ui.weak("Learning rate, schedule, L1, L2 and batch apply at the next step; the rest makes a fresh network.");
    ui.add(egui::Slider::new(&mut s.batch, 1..=256).logarithmic(true).text("batch"));
    ui.horizontal(|ui| {
        let l = ui.label("seed");
        ui.add(egui::DragValue::new(&mut s.seed)).labelled_by(l.id);
    });
}

/// What "Open as graph" opens: the loss or a unit, on a training point.
fn target_ui(ui: &mut egui::Ui, settings: &Settings, data: &Data, net: &Mlp<f32>, actions: &mut Vec<Action>) {
    ui.strong("A unit as its graph")
        .on_hover_text("A unit's whole computation on one point, stepped in the backprop view");
    let layers = net.spec.hidden.len();
    let widths: Vec<usize> = net.spec.hidden.iter().copied().chain([net.spec.outputs]).collect();
    egui::ComboBox::from_label("Value").selected_text(target_name(settings.target, layers)).show_ui(ui, |ui| {
        if ui.selectable_label(settings.target == Target::Loss, "the loss").clicked() {
            actions.push(Action::Select(Target::Loss));
        }
        for (l, &w) in widths.iter().enumerate() {
            for u in 0..w {
                let t = Target::Unit { layer: l + 1, unit: u };
                if ui.selectable_label(settings.target == t, target_name(t, layers)).clicked() {
                    actions.push(Action::Select(t));
                }
            }
        }
    });
    let mut point = settings.point;
    let last = data.train.n().saturating_sub(1);
    ui.horizontal(|ui| {
        let l = ui.label("training point");
        if ui.add(egui::DragValue::new(&mut point).range(0..=last)).labelled_by(l.id).changed() {
            actions.push(Action::SelectPoint(point));
        }
    });
    ui.weak("(or click a point on the output)");
    if ui.button("Open as graph").on_hover_text("Show it in the Backprop view, folded by layer and neuron").clicked() {
        actions.push(Action::OpenGraph);
    }
}

/// The learning-rate schedule: an example per kind (the race's), or any schedule typed in its spec language
/// ([`Schedule`]), stepped once per epoch.
fn schedule_ui(ui: &mut egui::Ui, schedule: &mut Option<Schedule>, edit: &mut ScheduleEdit) {
    let shown = schedule.map_or("const".to_string(), |s| s.to_string());
    ui.horizontal(|ui| {
        let l = ui.label("schedule");
        let mut chosen = None;
        egui::ComboBox::from_id_salt("playground_schedule")
            .selected_text("examples")
            .show_ui(ui, |ui| {
                for n in SCHEDULE_NAMES {
                    let example = crate::app::race::racers::schedule_example(n);
                    if ui.selectable_label(false, example).clicked() {
                        chosen = Some(example);
                    }
                }
            })
            .response
            .labelled_by(l.id);
        if let Some(text) = chosen {
            edit.text = None;
            edit.error = None;
            *schedule = text.parse::<Schedule>().ok().filter(|s| *s != Schedule::CONSTANT);
        }
    });
    let mut text = edit.text.clone().unwrap_or_else(|| shown.clone());
    let field = ui.add(
        egui::TextEdit::singleline(&mut text)
            .font(egui::TextStyle::Monospace)
            .desired_width(f32::INFINITY)
            .hint_text("exp:gamma=0.95"),
    );
    let field = field.on_hover_text("The learning rate per epoch (slide 119); applied when the field loses focus");
    if field.changed() {
        edit.text = Some(text.clone());
        edit.error = None;
    }
    if field.lost_focus() && text != shown {
        match text.parse::<Schedule>() {
            Ok(s) => {
                *schedule = (s != Schedule::CONSTANT).then_some(s);
                edit.text = None;
            }
            Err(e) => edit.error = Some(e.to_string()),
        }
    }
    if let Some(e) = &edit.error {
        ui.colored_label(crate::app::theme::Palette::of(ui).error, e);
    }
}
