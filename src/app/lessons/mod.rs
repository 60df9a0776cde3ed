//! The Lessons view: the shipped lessons (`assets/lessons/`, embedded at compile time), one step at a time. A step's
//! narration and question sit in the side panel; the rest of the view is a Backprop or Race view of the lesson's
//! own, driven into the step's prepared state through that view's own API (`show_lesson`, its actions), so a lesson
//! never overwrites the program the learner is editing in the Backprop view. Answers are checked by
//! [`crate::lesson::Step::check_answer`]; progress (lessons done, answers right, the practice score) is saved with
//! the session, and so is the try in progress: the open step or practice exercise (its seed and difficulty), what was
//! typed and the tries used. While a gradient or value question waits, the graph rings its node and centres it; a
//! learning rate the learner tries is raced at once in the race view.

pub mod list;
pub mod question;

use std::collections::BTreeSet;
use std::path::Path;

use eframe::egui;
use serde::{Deserialize, Serialize};

use super::Status;
use super::backprop::BackpropView;
use super::labs::LabsView;
use super::playground::PlaygroundView;
use super::race::{self, RaceView};
use super::view::{Shell, View};
use crate::lesson::{self, Answer, Exercise, Lesson, LessonReport, Question, Score, Step, Topic, Verdict};

/// The shipped lessons, in course order: (file name, text), built into the binary.
pub use crate::lesson::SHIPPED;

/// The side panel's width.
pub const SIDE_WIDTH: f32 = 340.0;

/// What the learner asked for during a frame; applied once drawing is done.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Open lesson `i` at its first step.
    Open(usize),
    /// Go to step `k` of the open lesson.
    Go(usize),
    /// Check this answer to the step's question.
    Check(Answer),
    /// Forget the progress.
    ResetProgress,
    /// Back to the list of lessons.
    Close,
    /// A fresh practice exercise at this difficulty (1-5).
    Practice(u32),
}

/// What is kept across restarts: which lessons are done and how the answers went.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    /// The ids of the lessons finished (their last step reached and answered).
    pub done: BTreeSet<String>,
    /// Questions answered right (on the first or the second try).
    pub right: u32,
    /// Questions answered (right, or revealed after two tries).
    pub answered: u32,
    /// The practice exercises' score per topic.
    pub score: Score,
    /// The next practice exercise's seed (counts up, so every exercise is fresh).
    pub seed: u64,
}

/// The view's saved state: the progress, and where the learner was (the open step and the try at its question), so
/// a restart neither loses a typed answer nor gives back a used try.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Saved {
    /// Lessons done and answers right.
    pub progress: Progress,
    /// The open lesson's id and step.
    pub at: Option<(String, usize)>,
    /// The answer field's text.
    pub text: String,
    /// The chosen option.
    pub choice: Option<usize>,
    /// Wrong answers so far at the open step.
    pub wrong: u32,
    /// Whether the open step was revealed.
    pub revealed: bool,
    /// The open practice exercise, as (seed, difficulty): the generator makes it again.
    pub practice: Option<(u64, u32)>,
}

/// The learner's try at the open step's question.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attempt {
    /// The number field's text.
    pub text: String,
    /// The chosen option (a choice's or a racer's index).
    pub choice: Option<usize>,
    /// Wrong answers so far.
    pub wrong: u32,
    /// The last verdict.
    pub verdict: Option<Verdict>,
    /// Whether the step has been revealed (after a right answer or the second wrong one).
    pub revealed: bool,
    /// Why the last answer could not be checked (not a number, ...), shown under the field.
    pub error: Option<String>,
    /// The last answer checked: submitting it again unchanged uses no try.
    pub last: Option<Answer>,
}

/// Wrong answers before the step is revealed anyway.
pub const TRIES: u32 = 2;

/// The Lessons view.
pub struct LessonsView {
    /// Every shipped lesson's check: the lesson when it parsed, and its problems.
    pub reports: Vec<LessonReport>,
    /// The open lesson and step.
    pub open: Option<(usize, usize)>,
    /// The open practice exercise, with the step that shows it.
    pub practice: Option<(Exercise, Step)>,
    /// The open practice exercise's seed.
    pub practice_seed: u64,
    /// The difficulty of the next practice exercise (1-5).
    pub difficulty: u32,
    /// The try at the open step.
    pub attempt: Attempt,
    /// The persisted progress.
    pub progress: Progress,
    /// The lesson's own backprop view.
    pub backprop: BackpropView,
    /// The lesson's own race view.
    pub race: RaceView,
    /// The lesson's own labs (a `lab` step's).
    pub labs: LabsView,
    /// The lesson's own playground (a `playground` step's).
    pub playground: PlaygroundView,
    /// The training's answer to the open playground step's question, worked out on a worker from the moment the
    /// step opens (a `fewest_units` question trains up to 8 networks), taken when the learner answers.
    solution: Option<Solving>,
    actions: Vec<Action>,
    panels: Vec<(&'static str, egui::Rect)>,
}

impl Default for LessonsView {
    fn default() -> Self {
        Self::with_lessons(SHIPPED)
    }
}

impl LessonsView {
    /// The view over these lessons, (file name, text): a malformed one keeps its problems and the others load.
    pub fn with_lessons(files: &[(&str, &str)]) -> Self {
        Self {
            // lab questions' numbers are computed when answered (`lessons check` computes them all)
            reports: files.iter().map(|(name, text)| lesson::check_text_quick(Path::new(name), text)).collect(),
            open: None,
            practice: None,
            practice_seed: 0,
            difficulty: 1,
            attempt: Attempt::default(),
            progress: Progress::default(),
            backprop: BackpropView::default(),
            race: RaceView::default(),
            labs: LabsView::default(),
            playground: PlaygroundView::default(),
            solution: None,
            actions: Vec::new(),
            panels: Vec::new(),
        }
    }

    /// The lesson at `i`, if it is valid.
    pub fn lesson(&self, i: usize) -> Option<&Lesson> {
        self.reports.get(i).filter(|r| r.is_valid()).and_then(|r| r.lesson.as_ref())
    }

    /// The open step.
    pub fn step(&self) -> Option<&Step> {
        if let Some((_, step)) = &self.practice {
            return Some(step);
        }
        let (l, k) = self.open?;
        self.lesson(l)?.steps.get(k)
    }

    /// Which view the central area shows, (race, backprop): the open step's own, or for a step without a view (a
    /// multiple-choice question) the one the lesson's latest earlier step set up, still in the state it left.
    fn shown_view(&self) -> (bool, bool) {
        let kind = |s: &Step| (s.race.is_some(), s.backprop.is_some());
        self.view_step().map_or((false, false), kind)
    }

    /// Whether the central area shows the lesson's playground (the step's, or the latest earlier step's).
    fn shows_playground(&self) -> bool {
        self.view_step().is_some_and(|s| s.playground.is_some())
    }

    /// Whether the central area shows the lesson's lab (the step's, or the latest earlier step's, as
    /// [`LessonsView::shown_view`]).
    fn shows_lab(&self) -> bool {
        self.view_step().is_some_and(|s| s.lab.is_some())
    }

    /// The step whose view the central area shows: the open one if it has a view (or is practice), else the latest
    /// earlier step of the lesson with one.
    fn view_step(&self) -> Option<&Step> {
        let has_view = |s: &Step| s.race.is_some() || s.backprop.is_some() || s.lab.is_some() || s.playground.is_some();
        let step = self.step()?;
        if has_view(step) || self.practice.is_some() {
            return Some(step);
        }
        let (l, k) = self.open?;
        self.lesson(l).and_then(|lesson| lesson.steps[..k].iter().rev().find(|s| has_view(s)))
    }

    /// Queues an action, as a panel does (applied at the end of the frame, or by [`LessonsView::apply_actions`]).
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Applies the queued actions now.
    pub fn apply_actions(&mut self, status: &mut Status) {
        for action in std::mem::take(&mut self.actions) {
            self.apply(action, status);
        }
    }

    fn apply(&mut self, action: Action, status: &mut Status) {
        match action {
            Action::Open(i) => {
                if self.lesson(i).is_some() {
                    self.practice = None;
                    self.open = Some((i, 0));
                    self.prepare(status);
                }
            }
            Action::Go(k) => {
                if let Some((l, _)) = self.open
                    && self.lesson(l).is_some_and(|lesson| k < lesson.steps.len())
                {
                    self.open = Some((l, k));
                    self.prepare(status);
                }
            }
            Action::Check(answer) => self.check(&answer, status),
            Action::ResetProgress => {
                // the seed counts on, so the exercises after a reset are fresh ones too
                self.progress = Progress { seed: self.progress.seed, ..Progress::default() };
                status.info("Progress reset: no lesson done, no answers counted.");
            }
            Action::Close => {
                self.open = None;
                self.practice = None;
                self.attempt = Attempt::default();
            }
            Action::Practice(difficulty) => {
                let seed = self.progress.seed;
                self.progress.seed = seed.wrapping_add(1);
                self.open_practice(seed, difficulty, status);
            }
        }
    }

    /// Opens the practice exercise of this seed and difficulty (the generator makes the same one for the same pair).
    fn open_practice(&mut self, seed: u64, difficulty: u32, status: &mut Status) {
        let e = lesson::exercise(seed, difficulty);
        self.practice_seed = seed;
        self.difficulty = difficulty;
        self.open = None;
        self.practice = Some((e.clone(), practice_step(&e)));
        self.prepare(status);
    }

    /// Drives the step's view into its prepared state and starts a fresh try; the node a gradient or value question
    /// asks about is ringed and centred on the graph.
    fn prepare(&mut self, status: &mut Status) {
        self.attempt = Attempt::default();
        self.solution = None;
        let Some(step) = self.step().cloned() else { return };
        let shown = match (&step.backprop, &step.race, &step.lab) {
            (Some(b), _, _) => self.backprop.show_lesson(b, status),
            (None, Some(r), _) => self.race.show_lesson(r, status),
            (None, None, None) if step.playground.is_some() => self.show_playground(&step, status),
            (None, None, Some(l)) => {
                // predict, then reveal: the lab hides the quantity the question asks
                let hidden = match &step.question {
                    Some(Question::Lab { quantity, .. }) => Some(quantity.clone()),
                    _ => None,
                };
                self.labs.show_lesson(l, hidden)
            }
            (None, None, None) => Ok(()),
        };
        if let Err(e) = shown {
            status.error(format!("This step cannot be shown: {e}"));
        }
        self.race_threshold(&step);
        let asked = match &step.question {
            Some(Question::Gradient { node, .. } | Question::Value { node, .. }) if step.backprop.is_some() => {
                lesson::find_node(&self.backprop.model.program, node)
            }
            _ => None,
        };
        self.backprop.canvas_mut().set_highlight(asked);
        // predict, then reveal: the timeline stops short of the step that would show the answer
        let hold = match (&step.backprop, &step.question) {
            (
                Some(_),
                Some(q @ (Question::Gradient { .. } | Question::Value { .. } | Question::LargestGradient { .. })),
            ) => Some(lesson::leak::hold(&self.backprop.model.program, q, self.backprop.cursor())),
            _ => None,
        };
        if step.backprop.is_some() || hold.is_some() {
            self.backprop.set_hold(hold);
        }
        if step.question.is_none() {
            self.reveal(&step, status);
        }
    }

    /// Opens a playground step on a fresh network; a question checked by training starts its training on a worker,
    /// and the playground keeps its readouts hidden and trains nothing until the answer is in.
    fn show_playground(&mut self, step: &Step, status: &mut Status) -> Result<(), String> {
        let Some(view) = &step.playground else { return Ok(()) };
        // any question waits: the curves would answer a choice about the run too
        self.playground.show_lesson(&view.setup, view.epochs, step.question.is_some(), status)?;
        let asks = step.question.as_ref().filter(|q| trains(q)).cloned();
        if let Some(q) = asks {
            let view = view.clone();
            self.solution = Some(Solving::Running(std::thread::spawn(move || {
                crate::parallel::cap_this_thread(1); // the UI thread keeps a core
                lesson::playground::solve(&view, &q)
            })));
        }
        Ok(())
    }

    /// The training's answer to the open step's question (waits for the worker if it is still training).
    fn playground_solution(&mut self) -> Option<Result<lesson::playground::Solution, String>> {
        let solved = match self.solution.take()? {
            Solving::Running(h) => {
                h.join().unwrap_or_else(|_| Err("the training that checks the answer stopped with a panic".into()))
            }
            Solving::Done(r) => r,
        };
        self.solution = Some(Solving::Done(solved.clone()));
        Some(solved)
    }

    /// The race's leaderboard counts steps to the loss the question names.
    fn race_threshold(&mut self, step: &Step) {
        if let Some(Question::RaceWinner { threshold, .. } | Question::LearningRate { threshold, .. }) = &step.question
        {
            self.race.settings.threshold = *threshold;
        }
    }

    /// The verdict on an answer to the open step's question (or practice exercise).
    fn verdict(&mut self, step: &Step, answer: &Answer) -> Result<Verdict, String> {
        if let Some(q) = step.question.as_ref().filter(|q| trains(q))
            && let Some(solved) = self.playground_solution()
        {
            return lesson::playground::verdict(q, &solved?, answer);
        }
        match (&self.practice, answer) {
            // an exercise's own check adds PyTorch's convention at a kink to the hint
            (Some((e, _)), Answer::Number(a)) => {
                let (right, hint) = e.check(*a);
                let expected = format!("∂f/∂{} = {}", e.node, crate::scalar::fmt_num(e.answer));
                Ok(Verdict { right, expected, hint })
            }
            _ => step.check_answer(answer),
        }
    }

    /// Races the learner's learning rate (and `also`, a rate that works, when revealing) on the step's surface, for
    /// the question's steps: the race view shows what the rate does.
    fn race_rates(&mut self, step: &Step, lr: f64, also: Option<f64>, status: &mut Status) {
        let (Some(view), Some(Question::LearningRate { within, racer, .. })) = (&step.race, &step.question) else {
            return;
        };
        let template = Question::lr_template(racer);
        let racers: Result<Vec<String>, String> =
            std::iter::once(lr).chain(also).map(|r| lesson::tuning::racer_with_lr(template, r)).collect();
        let shown = racers.and_then(|racers| {
            let mut race = lesson::RaceView { racers, steps: *within, ..view.clone() };
            race.racers.dedup();
            self.race.show_lesson(&race, status)
        });
        self.race_threshold(step);
        match shown {
            Ok(()) => {
                self.race.push(race::Action::Step(*within));
                self.race.apply_actions(status);
            }
            Err(e) => status.error(format!("This learning rate cannot be raced: {e}")),
        }
    }

    fn check(&mut self, answer: &Answer, status: &mut Status) {
        let Some(step) = self.step().cloned() else { return };
        if self.attempt.revealed {
            return;
        }
        // the same answer again (Enter, then Check) is the same try: it costs nothing
        if self.attempt.last.as_ref() == Some(answer) && self.attempt.verdict.is_some() {
            return;
        }
        match self.verdict(&step, answer) {
            Err(e) => self.attempt.error = Some(e),
            Ok(v) => {
                self.attempt.error = None;
                self.attempt.last = Some(answer.clone());
                let right = v.right;
                self.attempt.verdict = Some(v);
                if let Answer::Number(lr) = answer {
                    self.race_rates(&step, *lr, None, status);
                }
                if !right {
                    self.attempt.wrong += 1;
                }
                if right || self.attempt.wrong >= TRIES {
                    match &self.practice {
                        Some((e, _)) => self.progress.score.record(e.topic, right),
                        None => {
                            self.progress.answered += 1;
                            self.progress.right += u32::from(right);
                        }
                    }
                    self.reveal(&step, status);
                }
            }
        }
    }

    /// Shows what the question asked: the node's value or final gradient on the timeline, or the race run out.
    fn reveal(&mut self, step: &Step, status: &mut Status) {
        self.attempt.revealed = true;
        self.backprop.set_hold(None);
        self.backprop.canvas_mut().set_highlight(None);
        match &step.question {
            Some(Question::Gradient { node, .. }) => self.backprop.reveal(node, true, status),
            Some(Question::Value { node, .. }) => self.backprop.reveal(node, false, status),
            Some(Question::Choice { .. } | Question::Playground { .. } | Question::DeadestLayer { .. }) => {
                if step.playground.is_some() {
                    self.playground.reveal_lesson(None, status);
                }
            }
            Some(Question::Lab { .. }) => self.labs.reveal(),
            Some(Question::FewestUnits { layer, .. }) => {
                // the network trained is the smallest that reaches the threshold
                let width = match self.playground_solution() {
                    Some(Ok(lesson::playground::Solution::Width { width, .. })) => Some(width),
                    _ => None,
                };
                let hidden = step.playground.as_ref().zip(width).map(|(p, w)| {
                    let mut hidden = p.setup.hidden.clone();
                    if let Some(h) = hidden.get_mut(layer.unwrap_or(1).saturating_sub(1)) {
                        *h = w;
                    }
                    hidden
                });
                self.playground.reveal_lesson(hidden, status)
            }
            Some(Question::LargestGradient { .. }) => {
                for input in step.options() {
                    self.backprop.reveal(&input, true, status);
                }
            }
            Some(Question::LearningRate { threshold, within, racer, .. }) => {
                // after two wrong rates, the last one races a rate that works
                let right = self.attempt.verdict.as_ref().is_some_and(|v| v.right);
                let typed = self.attempt.text.trim().parse::<f64>().ok();
                if let (false, Some(lr), Some(view)) = (right, typed, &step.race) {
                    let template = Question::lr_template(racer);
                    match lesson::tuning::working_range(view, template, *threshold, *within) {
                        Ok(w) => self.race_rates(step, lr, w.map(|w| w.best), status),
                        Err(e) => status.error(format!("This step cannot be revealed: {e}")),
                    }
                }
            }
            Some(Question::RaceWinner { .. }) | None => {
                if step.playground.is_some() {
                    self.playground.reveal_lesson(None, status);
                }
                // the race runs its steps: at once without a question, after the answer with one
                if let Some(r) = &step.race {
                    self.race.push(race::Action::Step(r.steps));
                    self.race.apply_actions(status);
                }
            }
        }
        self.mark_done_if_last();
    }

    fn mark_done_if_last(&mut self) {
        if let Some((l, k)) = self.open
            && let Some(lesson) = self.lesson(l)
            && k + 1 == lesson.steps.len()
        {
            let id = lesson.id.clone();
            self.progress.done.insert(id);
        }
    }

    fn side_ui(&mut self, ui: &mut egui::Ui) {
        if let Some((e, step)) = &self.practice {
            question::practice_ui(ui, e, step, self.difficulty, &mut self.attempt, &mut self.actions);
            ui.add_space(8.0);
            ui.separator();
            list::progress_ui(ui, &self.reports, &self.progress, &mut self.actions);
            return;
        }
        match self.open {
            None => list::ui(ui, &self.reports, &self.progress, &mut self.difficulty, &mut self.actions),
            Some((l, k)) => {
                let Some(lesson) = self.lesson(l) else { return };
                let lesson = lesson.clone();
                question::ui(ui, &lesson, k, &mut self.attempt, &mut self.actions);
            }
        }
        ui.add_space(8.0);
        ui.separator();
        list::progress_ui(ui, &self.reports, &self.progress, &mut self.actions);
    }
}

/// The lessons' keys, for the help overlay: the answer field's, and those of the graph or race a step shows.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Enter", "check the answer (in the answer field)"),
    ("right arrow", "one step of the step's graph or race (the timeline holds short of the answer)"),
    ("left arrow", "one step back on the graph's timeline"),
    ("Space", "play or pause the timeline or the race"),
    ("Home / End", "the timeline's start / as far as the question allows"),
    ("Esc or Ctrl+Enter", "a text field gives the keys back to the timeline"),
];

impl View for LessonsView {
    fn id(&self) -> &'static str {
        "lessons"
    }

    fn shortcuts(&self) -> &'static [(&'static str, &'static str)] {
        SHORTCUTS
    }

    fn title(&self) -> &'static str {
        "Lessons"
    }

    fn ui(&mut self, ui: &mut egui::Ui, shell: &mut Shell<'_>) {
        self.panels.clear();
        // the lesson's text is this view's first content: it may take a little more than a side panel's share
        let width = SIDE_WIDTH.min(ui.available_width() * 0.38);
        let side = egui::Panel::left("lessons_side").resizable(false).exact_size(width).show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| self.side_ui(ui));
        });
        self.panels.push(("lesson", side.response.rect));
        // the step's view, without its own side panels: the lesson's panel takes their place
        let mut inner = Shell {
            status: &mut *shell.status,
            presenting: true,
            dialogs: &mut *shell.dialogs,
            folder: &mut *shell.folder,
        };
        let (on_race, on_backprop) = self.shown_view();
        if self.shows_playground() {
            self.playground.ui(ui, &mut inner);
            self.panels.extend_from_slice(self.playground.panels());
        } else if self.shows_lab() {
            self.labs.ui(ui, &mut inner);
            self.panels.extend_from_slice(self.labs.panels());
        } else if on_race {
            self.race.ui(ui, &mut inner);
            self.panels.extend_from_slice(self.race.panels());
        } else if on_backprop {
            self.backprop.ui(ui, &mut inner);
            self.panels.extend_from_slice(self.backprop.panels());
        } else {
            let text = if self.step().is_some() {
                "This step asks a question: answer it on the left."
            } else {
                "Open a lesson on the left: its graph or race appears here."
            };
            egui::CentralPanel::default().show(ui, |ui| {
                ui.centered_and_justified(|ui| ui.weak(text));
            });
        }
        if !self.actions.is_empty() {
            ui.ctx().request_repaint();
        }
        self.apply_actions(shell.status);
    }

    fn save_state(&self) -> serde_json::Value {
        let at = self.open.and_then(|(l, k)| self.lesson(l).map(|lesson| (lesson.id.clone(), k)));
        let a = &self.attempt;
        let saved = Saved {
            progress: self.progress.clone(),
            at,
            text: a.text.clone(),
            choice: a.choice,
            wrong: a.wrong,
            revealed: a.revealed,
            practice: self.practice.as_ref().map(|_| (self.practice_seed, self.difficulty)),
        };
        serde_json::to_value(saved).expect("the saved state is plain data")
    }

    fn load_state(&mut self, state: serde_json::Value) -> Result<(), String> {
        let saved: Saved = serde_json::from_value(state).map_err(|e| e.to_string())?;
        self.progress = saved.progress;
        let mut status = Status::default();
        if let Some((seed, difficulty)) = saved.practice {
            self.open_practice(seed, difficulty, &mut status);
        } else {
            let Some((id, k)) = saved.at else { return Ok(()) };
            // a lesson renamed or shortened since: the list opens instead
            let Some(l) = (0..self.reports.len()).find(|&i| self.lesson(i).is_some_and(|x| x.id == id)) else {
                return Ok(());
            };
            if self.lesson(l).is_some_and(|x| k >= x.steps.len()) {
                return Ok(());
            }
            self.open = Some((l, k));
            self.prepare(&mut status);
        }
        let step = self.step().cloned().expect("the step or exercise was just opened");
        self.attempt.text = saved.text;
        self.attempt.choice = saved.choice;
        self.attempt.wrong = saved.wrong.min(TRIES);
        // the last verdict, worked out again from what was typed, so the hint is back too (and a learning rate
        // tried is raced again)
        let answer = step.answer_from(&self.attempt.text, self.attempt.choice);
        if self.attempt.wrong > 0 || saved.revealed {
            self.attempt.verdict = answer.as_ref().and_then(|a| self.verdict(&step, a).ok());
            if let Some(Answer::Number(lr)) = answer {
                self.race_rates(&step, lr, None, &mut status);
            }
        }
        if saved.revealed && !self.attempt.revealed {
            self.reveal(&step, &mut status);
        }
        if status.is_error { Err(status.text) } else { Ok(()) }
    }

    fn panels(&self) -> &[(&'static str, egui::Rect)] {
        &self.panels
    }
}

/// The training behind a playground question's answer: under way on a worker, or done.
enum Solving {
    Running(std::thread::JoinHandle<Result<lesson::playground::Solution, String>>),
    Done(Result<lesson::playground::Solution, String>),
}

/// Whether a question is answered by training the step's playground.
fn trains(q: &Question) -> bool {
    matches!(q, Question::Playground { .. } | Question::FewestUnits { .. } | Question::DeadestLayer { .. })
}

/// A topic's name for the learner.
pub fn topic_name(topic: Topic) -> &'static str {
    match topic {
        Topic::TwoGates => "two gates",
        Topic::Neuron => "a neuron",
        Topic::FanOut => "fan-out",
        Topic::Kink => "a kink",
        Topic::Division => "a division",
    }
}

/// The step that shows an exercise: its program, forward pass done, and its question.
fn practice_step(e: &Exercise) -> Step {
    Step {
        narration: format!("Practice ({}): every value is computed. What is ∂f/∂{}?", topic_name(e.topic), e.node),
        backprop: Some(lesson::BackpropView { program: e.program.clone(), at: Some("backward:0".into()) }),
        race: None,
        lab: None,
        playground: None,
        question: Some(Question::Gradient { node: e.node.clone(), answer: Some(e.answer), floor: None }),
    }
}
