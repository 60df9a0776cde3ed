//! The list of lessons (a malformed one shows its problems, the others open) and the progress line with its reset.

use eframe::egui;

use super::{Action, Progress};
use crate::app::theme;
use crate::lesson::LessonReport;

/// The lessons, in course order, each marked when done.
pub fn ui(
    ui: &mut egui::Ui,
    reports: &[LessonReport],
    progress: &Progress,
    difficulty: &mut u32,
    actions: &mut Vec<Action>,
) {
    ui.heading("Lessons");
    ui.label("Each lesson walks through a view step by step: predict, then see.");
    ui.add_space(6.0);
    let error = theme::Palette::of(ui).error;
    for (i, r) in reports.iter().enumerate() {
        match (&r.lesson, r.is_valid()) {
            (Some(lesson), true) => {
                let mark = if progress.done.contains(&lesson.id) { " (done)" } else { "" };
                let text = format!("{}. {}{mark}", i + 1, lesson.title);
                let slides = if lesson.slides.is_empty() { String::new() } else { format!("slides {}", lesson.slides) };
                if ui.button(text).on_hover_text(format!("{} steps; {slides}", lesson.steps.len())).clicked() {
                    actions.push(Action::Open(i));
                }
            }
            _ => {
                let name = r.file.display();
                ui.colored_label(error, format!("{name} cannot be opened:"));
                for p in &r.problems {
                    ui.colored_label(error, format!("  {name}:{p}"));
                }
            }
        }
    }
    ui.add_space(8.0);
    ui.separator();
    ui.strong("Self-study exercises");
    ui.label("Fresh backprop exercises, endless, with the same hints.");
    ui.horizontal(|ui| {
        let label = ui.label("Difficulty");
        ui.add(egui::Slider::new(difficulty, 1..=5))
            .labelled_by(label.id)
            .on_hover_text("1 two gates, 2 a neuron, 3 fan-out, 4 a kink at max or relu, 5 a division");
    });
    if ui.button("Practice").on_hover_text("A fresh exercise at this difficulty").clicked() {
        actions.push(Action::Practice(*difficulty));
    }
}

/// Lessons done and answers right, and the reset button.
pub fn progress_ui(ui: &mut egui::Ui, reports: &[LessonReport], progress: &Progress, actions: &mut Vec<Action>) {
    let total = reports.iter().filter(|r| r.is_valid()).count();
    let done = reports
        .iter()
        .filter_map(|r| r.lesson.as_ref().filter(|_| r.is_valid()))
        .filter(|l| progress.done.contains(&l.id))
        .count();
    ui.label(format!("Lessons done: {done} of {total}"));
    ui.label(format!("Answers right: {} of {}", progress.right, progress.answered));
    for (topic, (right, tries)) in &progress.score.topics {
        ui.label(format!("Practice, {}: {right} of {tries} right", super::topic_name(*topic)));
    }
    if ui.button("Reset progress").on_hover_text("Forget the lessons done and the answers counted").clicked() {
        actions.push(Action::ResetProgress);
    }
}
