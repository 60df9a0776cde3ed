//! The open step: its narration, its question (a number field — an answer or a learning rate — or option buttons:
//! a choice's options, the racers, the program's inputs) with Check, the verdict and the hint, and Back / Next.

use eframe::egui;

use super::{Action, Attempt, TRIES};
use crate::app::theme;
use crate::lesson::{Answer, Exercise, Lesson, Question, Step};

/// The label of the answer field (tests type into it by this name).
pub const ANSWER_LABEL: &str = "Your answer";

/// The label of the learning-rate field of a `learning_rate` question.
pub const LR_LABEL: &str = "Learning rate";

/// The label of the width field of a `fewest_units` question.
pub const UNITS_LABEL: &str = "Units";

/// Step `k` of `lesson`.
pub fn ui(ui: &mut egui::Ui, lesson: &Lesson, k: usize, attempt: &mut Attempt, actions: &mut Vec<Action>) {
    let Some(step) = lesson.steps.get(k) else { return };
    ui.horizontal(|ui| {
        if ui.button("All lessons").on_hover_text("Back to the list of lessons").clicked() {
            actions.push(Action::Close);
        }
    });
    ui.heading(&lesson.title);
    ui.weak(format!("Step {} of {}", k + 1, lesson.steps.len()));
    ui.add_space(4.0);
    ui.label(step.narration.trim());
    ui.add_space(6.0);
    if step.question.is_some() {
        question_ui(ui, step, attempt, actions);
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        if ui.add_enabled(k > 0, egui::Button::new("< Previous")).clicked() {
            actions.push(Action::Go(k - 1));
        }
        let last = k + 1 == lesson.steps.len();
        if !last && ui.button("Next >").clicked() {
            actions.push(Action::Go(k + 1));
        }
        if last && attempt.revealed && ui.button("Finish").on_hover_text("Back to the list of lessons").clicked() {
            actions.push(Action::Close);
        }
    });
}

/// A practice exercise: its narration and question, a fresh one, and back to the list.
pub fn practice_ui(
    ui: &mut egui::Ui,
    exercise: &Exercise,
    step: &Step,
    difficulty: u32,
    attempt: &mut Attempt,
    actions: &mut Vec<Action>,
) {
    if ui.button("All lessons").on_hover_text("Back to the list of lessons").clicked() {
        actions.push(Action::Close);
    }
    ui.heading(format!("Practice: {}", super::topic_name(exercise.topic)));
    ui.weak(format!("Difficulty {difficulty}"));
    ui.add_space(4.0);
    ui.label(&step.narration);
    ui.add_space(6.0);
    if step.question.is_some() {
        question_ui(ui, step, attempt, actions);
    }
    ui.add_space(6.0);
    if ui.button("New exercise").on_hover_text("Another exercise at this difficulty").clicked() {
        actions.push(Action::Practice(difficulty));
    }
}

fn question_ui(ui: &mut egui::Ui, step: &Step, attempt: &mut Attempt, actions: &mut Vec<Action>) {
    let Some(q) = &step.question else { return };
    let palette = theme::Palette::of(ui);
    let mut field = ANSWER_LABEL;
    match q {
        Question::Gradient { node, .. } => {
            ui.strong(format!("Predict ∂{}/∂{node}, then check.", crate::lesson::answer::output_name(step)))
        }
        Question::Value { node, .. } => ui.strong(format!("Predict the value of {node}, then check.")),
        Question::Choice { prompt, .. } => ui.strong(prompt),
        Question::RaceWinner { threshold, .. } => ui.strong(format!("Which racer reaches loss {threshold} first?")),
        Question::LearningRate { threshold, within, racer, .. } => {
            field = LR_LABEL;
            let who = Question::lr_template(racer);
            // a racer with a schedule: the learner sets the rate it starts from
            let base = if who.contains('@') { "base " } else { "" };
            ui.strong(format!(
                "Set the {base}learning rate of {who} so that it reaches loss {threshold} in at most {within} steps."
            ))
        }
        Question::LargestGradient { .. } => ui.strong("Which input has the largest gradient |∂f/∂input|?"),
        Question::Lab { prompt, .. } | Question::Playground { prompt, .. } => ui.strong(prompt),
        Question::FewestUnits { threshold, layer, .. } => {
            field = UNITS_LABEL;
            let epochs = step.playground.as_ref().map_or(0, |p| p.epochs);
            ui.strong(format!(
                "How few units does hidden layer {} need for the test accuracy to reach {threshold} within {epochs} \
                 epochs?",
                layer.unwrap_or(1)
            ))
        }
        Question::DeadestLayer { .. } => ui.strong("After training, which hidden layer has the most dead units?"),
    };
    let options = step.options();
    ui.add_enabled_ui(!attempt.revealed, |ui| {
        let answer = if options.is_empty() {
            let mut submit = false;
            ui.horizontal(|ui| {
                let label = ui.label(format!("{field}:"));
                let edit =
                    ui.add(egui::TextEdit::singleline(&mut attempt.text).desired_width(100.0)).labelled_by(label.id);
                submit = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                submit |= ui.button("Check").clicked();
            });
            if submit {
                match crate::lesson::answer::parse_number(&attempt.text) {
                    Some(v) => Some(Answer::Number(v)),
                    None => {
                        attempt.error =
                            Some(format!("'{}' is not a number: type e.g. -4, 0.5 or -1/3", attempt.text.trim()));
                        None
                    }
                }
            } else {
                None
            }
        } else {
            for (i, o) in options.iter().enumerate() {
                if ui.selectable_label(attempt.choice == Some(i), o).clicked() {
                    attempt.choice = Some(i);
                }
            }
            let checked = ui.add_enabled(attempt.choice.is_some(), egui::Button::new("Check")).clicked();
            if checked { step.answer_from("", attempt.choice) } else { None }
        };
        if let Some(a) = answer {
            actions.push(Action::Check(a));
        }
    });
    if let Some(e) = &attempt.error {
        ui.colored_label(palette.error, e);
    }
    if let Some(v) = &attempt.verdict {
        if v.right {
            match q {
                // the rate is the learner's own: say what it did, then what else works
                Question::LearningRate { .. } => {
                    ui.strong(format!("Right: {}.", v.hint.trim_start_matches("right: ")));
                    ui.label(format!("In fact {}.", v.expected));
                }
                _ => {
                    ui.strong(format!("Right: {}.", v.expected));
                }
            }
        } else {
            ui.colored_label(palette.error, format!("Not quite. Hint: {}", v.hint));
            if attempt.revealed {
                ui.label(format!("The answer: {}", v.expected));
            } else {
                ui.label(format!("Try again ({} of {TRIES} tries left).", TRIES - attempt.wrong));
            }
        }
    }
}
