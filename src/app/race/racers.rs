//! The racers: one-click line-ups, and each racer's rule (picked from the library's names), hyper-parameters (one
//! editor per key, or the whole spec typed, its error shown under it), learning-rate schedule and colour; add and
//! remove; and the optional gradient noise.

use eframe::egui;

use super::lineups::{LINEUPS, Lrs};
use super::plot::racer_color;
use super::{Action, MAX_RACERS, Noise, RacerConfig, Settings};
use crate::app::theme::Palette;
use crate::optim::{HyperValue, OPTIMIZER_NAMES, OptimSpec, SCHEDULE_NAMES, Schedule};
use crate::scalar::fmt_num;
use crate::surface::{Race, Status};

/// What a racer's text fields hold while being edited, and their errors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RacerEdit {
    /// The spec field's text.
    pub spec_text: String,
    /// Why the spec field's text is refused.
    pub spec_error: Option<String>,
    /// The schedule field's text.
    pub schedule_text: String,
    /// Why the schedule field's text is refused.
    pub schedule_error: Option<String>,
    /// Why the last hyper-parameter edit was refused.
    pub value_error: Option<String>,
}

impl RacerEdit {
    /// The fields as a racer's settings print.
    pub fn of(r: &RacerConfig) -> Self {
        Self { spec_text: r.spec.to_string(), schedule_text: r.schedule.to_string(), ..Self::default() }
    }
}

/// Example schedules, one per name, for the schedule picker.
pub(crate) fn schedule_example(name: &str) -> &'static str {
    match name {
        "step" => "step:step_size=50,gamma=0.5",
        "exp" => "exp:gamma=0.99",
        "inv" => "inv:k=0.05",
        "cos" => "cos:t_max=200",
        "warmup" => "warmup:steps=20+cos:t_max=200",
        _ => "const",
    }
}

/// Draws the line-ups, the racers and the noise.
pub fn ui(ui: &mut egui::Ui, settings: &mut Settings, race: &Race, edits: &mut [RacerEdit], actions: &mut Vec<Action>) {
    ui.strong("Line-ups");
    for (i, l) in LINEUPS.iter().enumerate() {
        if ui.button(l.name).on_hover_text(l.about).clicked() {
            actions.push(Action::LoadLineup(i));
        }
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.strong("Racers");
        let room = settings.racers.len() < MAX_RACERS;
        if ui.add_enabled(room, egui::Button::new("Add racer")).on_hover_text("Add an Adam racer").clicked() {
            actions.push(Action::AddRacer);
        }
    });
    if settings.racers.is_empty() {
        ui.weak("No racers: load a line-up or add one.");
    }
    let lrs = Lrs::for_surface(&settings.surface);
    for i in 0..settings.racers.len() {
        let Some(edit) = edits.get_mut(i) else { continue };
        racer_ui(ui, i, settings, race, edit, &lrs, actions);
    }

    ui.add_space(6.0);
    noise_ui(ui, settings.noise, actions);
}

fn racer_ui(
    ui: &mut egui::Ui,
    i: usize,
    settings: &mut Settings,
    race: &Race,
    edit: &mut RacerEdit,
    lrs: &Lrs,
    actions: &mut Vec<Action>,
) {
    let p = Palette::of(ui);
    let spec = settings.racers[i].spec;
    let color = racer_color(settings.racers[i].color);
    let name = super::racer_name(&race_setup(settings, i));
    let title = egui::RichText::new(format!("● {}  {}", i + 1, super::shorten(&name, 30))).monospace().color(color);
    // the inspected racer starts open, to show what can be edited
    let open = i == settings.inspected;
    let header = egui::CollapsingHeader::new(title).id_salt(("racer", i)).default_open(open).show(ui, |ui| {
        ui.horizontal(|ui| {
            let mut name = spec.name();
            egui::ComboBox::from_id_salt(("rule", i))
                .selected_text(name)
                .show_ui(ui, |ui| {
                    for n in OPTIMIZER_NAMES {
                        ui.selectable_value(&mut name, n, *n);
                    }
                })
                .response
                .on_hover_text("The rule");
            if name != spec.name()
                && let Some(mut s) = OptimSpec::defaults(name)
            {
                // a new rule starts from PyTorch's defaults, with a learning rate that suits this surface
                s.set_lr(lrs.for_rule(name));
                actions.push(Action::SetSpec(i, s));
            }
            ui.color_edit_button_srgb(&mut settings.racers[i].color).on_hover_text("The trail's colour");
            if ui.button("Remove").on_hover_text("Remove this racer").clicked() {
                actions.push(Action::RemoveRacer(i));
            }
        });

        let l = ui.label("spec");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut edit.spec_text)
                    .font(egui::TextStyle::Monospace)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        if field.lost_focus() && edit.spec_text != spec.to_string() {
            match edit.spec_text.parse::<OptimSpec>() {
                Ok(s) => actions.push(Action::SetSpec(i, s)),
                Err(e) => edit.spec_error = Some(e.to_string()),
            }
        }
        if field.changed() {
            edit.spec_error = None;
        }
        if let Some(e) = &edit.spec_error {
            ui.colored_label(p.error, e);
        }

        hypers_ui(ui, i, spec, edit, actions);

        ui.horizontal(|ui| {
            let l = ui.label("schedule");
            let mut chosen = None;
            egui::ComboBox::from_id_salt(("schedule", i))
                .selected_text("examples")
                .show_ui(ui, |ui| {
                    for n in SCHEDULE_NAMES {
                        if ui.selectable_label(false, schedule_example(n)).clicked() {
                            chosen = Some(schedule_example(n));
                        }
                    }
                })
                .response
                .labelled_by(l.id);
            if let Some(text) = chosen {
                edit.schedule_text = text.to_owned();
                match text.parse::<Schedule>() {
                    Ok(s) => actions.push(Action::SetSchedule(i, s)),
                    Err(e) => edit.schedule_error = Some(e.to_string()),
                }
            }
        });
        let field = ui.add(
            egui::TextEdit::singleline(&mut edit.schedule_text)
                .font(egui::TextStyle::Monospace)
                .desired_width(f32::INFINITY)
                .hint_text("const, exp:gamma=0.99, warmup:steps=10+cos:t_max=100"),
        );
        let field = field.on_hover_text("The learning-rate schedule (slide 119): applied when the field loses focus");
        if field.lost_focus() && edit.schedule_text != settings.racers[i].schedule.to_string() {
            match edit.schedule_text.parse::<Schedule>() {
                Ok(s) => actions.push(Action::SetSchedule(i, s)),
                Err(e) => edit.schedule_error = Some(e.to_string()),
            }
        }
        if field.changed() {
            edit.schedule_error = None;
        }
        if let Some(e) = &edit.schedule_error {
            ui.colored_label(p.error, e);
        }

        if let Some(r) = race.racers.get(i)
            && r.status == Status::Diverged
        {
            let lr = r.lrs.last().copied().unwrap_or(spec.lr());
            ui.colored_label(
                p.error,
                format!(
                    "Diverged at step {}: its next point overflowed or left the plotted region (lr = {}). \
                     Try a smaller learning rate.",
                    r.stopped_at.unwrap_or(0),
                    fmt_num(lr)
                ),
            );
        }
    });
    header.header_response.on_hover_text(name);
}

/// One editor per hyper-parameter: a drag value for a number (range-checked like the spec parser), a checkbox for a
/// flag.
fn hypers_ui(ui: &mut egui::Ui, i: usize, spec: OptimSpec, edit: &mut RacerEdit, actions: &mut Vec<Action>) {
    let p = Palette::of(ui);
    egui::Grid::new(("hypers", i)).num_columns(2).spacing([10.0, 3.0]).show(ui, |ui| {
        for h in spec.hypers() {
            let l = ui.label(h.key);
            let new = match h.value {
                HyperValue::Number(mut x) => {
                    // drag in steps of 1% of the value, so 0.001 and 0.9 are both easy to adjust
                    let speed = (x.abs() * 0.01).max(1e-4);
                    let r = ui
                        .add(
                            egui::DragValue::new(&mut x)
                                .speed(speed)
                                .range(h.range.0..=h.range.1)
                                .custom_formatter(|v, _| fmt_num(v))
                                .custom_parser(|t| t.trim().parse().ok().filter(|v: &f64| v.is_finite())),
                        )
                        .labelled_by(l.id)
                        .on_hover_text(h.expected);
                    r.changed().then_some(HyperValue::Number(x))
                }
                HyperValue::Count(n) => {
                    let mut x = n;
                    let r = ui.add(egui::DragValue::new(&mut x).range(1..=u64::MAX)).labelled_by(l.id);
                    r.changed().then_some(HyperValue::Count(x))
                }
                HyperValue::Flag(mut b) => {
                    let r = ui.checkbox(&mut b, "").labelled_by(l.id);
                    r.changed().then_some(HyperValue::Flag(b))
                }
            };
            if let Some(v) = new {
                match spec.with_value(h.key, v) {
                    Ok(s) => {
                        edit.value_error = None;
                        actions.push(Action::SetSpec(i, s));
                    }
                    Err(e) => edit.value_error = Some(e.to_string()),
                }
            }
            ui.end_row();
        }
    });
    if let Some(e) = &edit.value_error {
        ui.colored_label(p.error, e);
    }
}

fn noise_ui(ui: &mut egui::Ui, noise: Noise, actions: &mut Vec<Action>) {
    let mut n = noise;
    ui.checkbox(&mut n.enabled, egui::RichText::new("Gradient noise").strong()).on_hover_text(
        "Add Gaussian noise to every gradient component, as a mini-batch would: the same draws for every racer",
    );
    ui.add_enabled_ui(n.enabled, |ui| {
        ui.horizontal(|ui| {
            let l = ui.label("sigma");
            ui.add(egui::Slider::new(&mut n.sigma, 0.001..=100.0).logarithmic(true)).labelled_by(l.id);
        });
        ui.horizontal(|ui| {
            let l = ui.label("seed");
            ui.add(egui::DragValue::new(&mut n.seed)).labelled_by(l.id);
        });
    });
    if n != noise {
        actions.push(Action::SetNoise(n));
    }
}

fn race_setup(settings: &Settings, i: usize) -> crate::surface::RacerSetup {
    let r = &settings.racers[i];
    crate::surface::RacerSetup { spec: r.spec, schedule: r.schedule }
}
