//! The playground as a lesson's `playground` step shows it (the Lessons view keeps a playground of its own): the
//! step's setup on a fresh network; while the step's question waits, nothing trains and the readouts that would give
//! the answer away (the losses and the accuracy, the curves, the health monitors) are hidden; once the learner has
//! answered, the lesson trains the network for the step's epochs on the worker and everything shows.

use eframe::egui;

use super::{Action, PlaygroundView};
use crate::app::Status;
use crate::nn::playground::{Budget, Setup};

/// What a lesson asks of its playground.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LessonState {
    /// The step's epochs, while a lesson shows the playground.
    pub epochs: Option<usize>,
    /// Whether a question waits for its answer (then nothing trains and the readouts are hidden).
    pub waits: bool,
}

/// The text shown where the curves and the monitors are, while a question waits.
pub const HIDDEN_TEXT: &str =
    "The curves and the health monitors are hidden until you have answered the lesson's question.";

impl LessonState {
    /// Whether the losses, the accuracy, the curves and the monitors may be shown.
    pub fn shows_readouts(&self) -> bool {
        !self.waits
    }

    /// Refuses an action that would train while a question waits, saying why; true when refused.
    pub fn refuses(&self, action: &Action, status: &mut Status) -> bool {
        let trains = matches!(action, Action::Play | Action::StepBatch | Action::StepEpoch);
        if trains && self.waits {
            status.error(
                "Predict first: answer the lesson's question, then the lesson trains the network for you (and Train \
                 works again).",
            );
        }
        trains && self.waits
    }
}

impl PlaygroundView {
    /// Shows a lesson step's `setup` on a fresh network, to be trained for `epochs` by [`PlaygroundView::reveal_lesson`];
    /// with `waits`, training and the readouts wait for the answer. Errors when the setup does not build (the
    /// playground then keeps what it had).
    pub fn show_lesson(
        &mut self,
        setup: &Setup,
        epochs: usize,
        waits: bool,
        status: &mut Status,
    ) -> Result<(), String> {
        setup.trainer()?;
        self.settings.setup = setup.clone();
        self.rebuild(status);
        self.lesson = LessonState { epochs: Some(epochs), waits };
        Ok(())
    }

    /// The answer is in: shows the readouts and trains a fresh network for the step's epochs (with hidden layer
    /// widths `hidden` in place of the step's, when given: a `fewest_units` question's answer).
    pub fn reveal_lesson(&mut self, hidden: Option<Vec<usize>>, status: &mut Status) {
        self.lesson.waits = false;
        if let Some(hidden) = hidden {
            self.settings.setup.hidden = hidden;
        }
        self.rebuild(status);
        if let Some(epochs) = self.lesson.epochs {
            self.start(Budget::Epochs(epochs), status);
        }
    }

    /// Whether a run is under way or the pictures wait to be remade (a test runs frames until neither).
    pub fn is_settling(&self) -> bool {
        self.is_running() || self.dirty
    }
}

/// Where the curves and the monitors are drawn while a question waits.
pub fn hidden_ui(ui: &mut egui::Ui) {
    ui.add_space(6.0);
    ui.vertical_centered(|ui| ui.weak(HIDDEN_TEXT));
    ui.add_space(6.0);
}
