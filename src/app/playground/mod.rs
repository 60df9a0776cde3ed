//! The playground: TensorFlow Playground's experience, native. Choose data and a network, train it off the UI
//! thread and watch it learn: the decision regions with the train and test points, every unit's map over the input
//! plane, links by weight, loss and accuracy curves, per-layer health monitors; open any unit (or the loss) on a point
//! as its computational graph in the backprop view; copy the run as a `chainrule train` command.
//!
//! Everything computed comes from the core: the setup, the data, the trainer and its worker, the maps and the graphs
//! from [`crate::nn::playground`], the monitors from [`crate::nn::health`]. The view keeps the trainer while paused
//! and a [`Run`] while training; the frame reads what the run published and never waits for a step. New weights
//! remake the pictures at most [`PICTURES_EVERY`] apart, never per frame.
//!
//! Panels, one per file: the setup ([`setup`]), the play controls ([`controls`]), the network ([`network`]), the
//! output ([`output`]), the curves ([`curves`]) and the monitors ([`monitors`]); the textures in [`maps`].

pub mod controls;
pub mod csv;
pub mod curves;
pub mod digits;
pub mod lesson;
pub mod maps;
pub mod monitors;
pub mod network;
pub mod output;
pub mod points;
pub mod presets;
pub mod setup;

use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui;
use serde::{Deserialize, Serialize};

use super::Status;
use super::view::{Shell, View};
use crate::nn::health::{LayerHealth, layer_health_on};
use crate::nn::playground::{
    Budget, Change, Data, Drawing, Drawn, Ended, MAX_LAYERS, MAX_UNITS, Plane, Run, Setup, Target, Truth, Weights,
    unit_graph,
};
use crate::nn::{EpochStats, Mlp, Retuned, Trainer};

/// The least time between two remakes of the pictures while training runs.
pub const PICTURES_EVERY: Duration = Duration::from_millis(50);

/// How often a run publishes its weights.
const PUBLISH_EVERY: Duration = Duration::from_millis(15);

/// The playground's keyboard shortcuts (for the help overlay).
pub const SHORTCUTS: &[(&str, &str)] =
    &[("Space", "train or pause"), ("→", "one minibatch step"), ("Home", "reset the network")];

/// What the user asked for during a frame; applied once drawing is done.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Train until paused.
    Play,
    /// Stop training (the weights stay).
    Pause,
    /// One minibatch step.
    StepBatch,
    /// One epoch.
    StepEpoch,
    /// A fresh network from the setup (the same seed: the same start).
    Reset,
    /// The data again with the next seed.
    Regenerate,
    /// One more hidden layer (as wide as the last).
    AddLayer,
    /// The last hidden layer away.
    RemoveLayer,
    /// One more unit in hidden layer i (0-based).
    AddUnit(usize),
    /// One unit fewer in hidden layer i.
    RemoveUnit(usize),
    /// A preset's setup.
    Preset(usize),
    /// Choose what "Open as graph" opens.
    Select(Target),
    /// Choose the point (a training row) "Open as graph" opens it on.
    SelectPoint(usize),
    /// Open the chosen unit on the chosen point in the backprop view.
    OpenGraph,
    /// Put the `chainrule train` line on the clipboard.
    CopyCommand,
    /// Ask for a file and write the setup to it.
    SaveSetup,
    /// Ask for a setup file and open it.
    OpenSetup,
    /// Ask for a CSV file and make it the data.
    OpenCsv,
    /// Ask for a model file (`.safetensors`: chainrule's, or a PyTorch state dict read with the playground's
    /// activation) and train on from its weights.
    OpenModel,
    /// Open this model file (dropped on the window).
    OpenModelPath(std::path::PathBuf),
    /// Cap training at this many steps a second (None: as fast as it can).
    SetSpeed(Option<u32>),
}

/// Models in the file dialogs.
pub const MODELS: crate::app::files::FileFilter =
    crate::app::files::FileFilter { name: "safetensors model", extensions: &["safetensors"] };

/// The speeds offered, in steps a second (None: as fast as it can).
pub const SPEEDS: &[Option<u32>] = &[None, Some(1000), Some(100), Some(10), Some(1)];

/// Playground setups in the file dialogs.
pub const SETUPS: crate::app::files::FileFilter =
    crate::app::files::FileFilter { name: "chainrule playground setup", extensions: &["json"] };

/// What the view keeps across restarts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The data, network and training settings.
    pub setup: Setup,
    /// Whether the test points are drawn.
    pub show_test: bool,
    /// Whether the output is drawn in solid class colours (Playground's "discretize output").
    pub discrete: bool,
    /// What "Open as graph" opens.
    pub target: Target,
    /// Epochs trained: a restored session trains them again (the same seed gives the same weights), up to
    /// [`MAX_REPLAY_EPOCHS`].
    pub epochs: usize,
    /// The training row it opens it on.
    pub point: usize,
    /// The most training steps a second (None: as fast as it can).
    pub speed: Option<u32>,
    /// Whether "Save setup…" writes the trained weights too.
    pub save_weights: bool,
}

/// The most epochs a restored session trains again before the window shows it.
pub const MAX_REPLAY_EPOCHS: usize = 3000;

impl Default for Settings {
    fn default() -> Self {
        Self {
            setup: Setup::default(),
            show_test: false,
            discrete: false,
            target: Target::Loss,
            epochs: 0,
            point: 0,
            speed: None,
            save_weights: false,
        }
    }
}

/// The trainer while paused, or its run while training.
enum Training {
    Idle(Box<Trainer<f32>>),
    Running(Run<f32>),
    /// No trainer (only between taking one out and putting it back).
    None,
}

/// The playground view.
pub struct PlaygroundView {
    /// The persisted settings; `settings.setup` may be edited ahead of `applied`.
    pub settings: Settings,
    /// The setup the trainer was built from.
    applied: Setup,
    training: Training,
    /// The data of the applied setup.
    pub data: Data,
    /// The window's copy of the network, following the run.
    net: Mlp<f32>,
    /// Every finished epoch's figures.
    pub history: Vec<EpochStats>,
    /// Steps taken.
    pub steps: u64,
    /// The latest minibatch's loss.
    pub last_loss: f64,
    /// The step at which the run diverged (training stays stopped until a reset).
    pub diverged: Option<u64>,
    ratios: Vec<f64>,
    /// The health monitors of the shown weights.
    pub health: Vec<LayerHealth>,
    /// The maps and their textures.
    pub pictures: maps::Pictures,
    dirty: bool,
    /// The run's latest drawing (maps and monitors made on its worker), not yet shown.
    drawn: Option<Arc<Drawn>>,
    /// The last "Copy as command" line.
    pub command: Option<String>,
    /// When the speed was last measured, the steps then, and the steps per second since the one before.
    speed: (Instant, u64, Option<f64>),
    /// Whether the run under way trains a restored session's epochs again.
    replaying: bool,
    /// Where the output square was drawn in the last frame.
    output_rect: Option<egui::Rect>,
    /// A graph "Open as graph" made, until the frame hands it to the backprop view.
    opened: Option<crate::nn::playground::OpenedGraph>,
    /// Whether "Landscape" was pressed (the frame opens the landscape view with this network).
    pub wants_landscape: bool,
    actions: Vec<Action>,
    panels: Vec<(&'static str, egui::Rect)>,
    /// Points by hand: the class a click adds, undo and redo.
    pub points: points::PointEditor,
    /// The confusion matrix and the pictures for data with more than two features.
    pub mistakes: digits::Mistakes,
    /// The budget of the run under way (a training change restarts an endless one).
    budget: Budget,
    /// The schedule field's text and its error, while edited.
    pub schedule_edit: setup::ScheduleEdit,
    /// What a lesson's step asks of this playground (the Lessons view's own).
    pub lesson: lesson::LessonState,
}

impl Default for PlaygroundView {
    fn default() -> Self {
        let settings = Settings::default();
        let (trainer, data) = settings.setup.trainer().expect("the default setup builds (tested)");
        Self {
            applied: settings.setup.clone(),
            net: trainer.mlp.clone(),
            training: Training::Idle(Box::new(trainer)),
            data,
            settings,
            history: Vec::new(),
            steps: 0,
            last_loss: f64::NAN,
            diverged: None,
            ratios: Vec::new(),
            health: Vec::new(),
            pictures: maps::Pictures::default(),
            dirty: true,
            drawn: None,
            command: None,
            speed: (Instant::now(), 0, None),
            replaying: false,
            output_rect: None,
            opened: None,
            wants_landscape: false,
            actions: Vec::new(),
            panels: Vec::new(),
            points: points::PointEditor::default(),
            mistakes: digits::Mistakes::default(),
            budget: Budget::Forever,
            schedule_edit: setup::ScheduleEdit::default(),
            lesson: lesson::LessonState::default(),
        }
    }
}

impl PlaygroundView {
    /// Queues an action, as a panel does (applied at the end of the frame, or by [`PlaygroundView::apply_actions`]).
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Training steps per second over the last second or so, while training.
    pub fn steps_per_second(&self) -> Option<f64> {
        if self.is_running() { self.speed.2 } else { None }
    }

    /// Whether a run is training.
    pub fn is_running(&self) -> bool {
        matches!(self.training, Training::Running(_))
    }

    /// The network as the window shows it (the latest weights published).
    pub fn network(&self) -> &Mlp<f32> {
        &self.net
    }

    /// Where training point `i` was drawn on the output in the last frame (for tests that click it).
    pub fn point_on_screen(&self, i: usize) -> Option<egui::Pos2> {
        let (plane, r, train) = (self.pictures.plane?, self.output_rect?, self.data.train_plane.as_ref()?);
        let p = train.x.get(2 * i..2 * i + 2)?;
        Some(output::screen_from_plane(&plane, r, p[0], p[1]))
    }

    /// The graph "Open as graph" made this frame, for the backprop view (taken once).
    pub fn take_graph(&mut self) -> Option<crate::nn::playground::OpenedGraph> {
        self.opened.take()
    }

    /// Applies the queued actions now.
    pub fn apply_actions(&mut self, status: &mut Status) -> Option<crate::nn::playground::OpenedGraph> {
        let mut opened = None;
        for action in std::mem::take(&mut self.actions) {
            if let Some(g) = self.apply(action, status) {
                opened = Some(g);
            }
        }
        opened
    }

    fn apply(&mut self, action: Action, status: &mut Status) -> Option<crate::nn::playground::OpenedGraph> {
        if self.lesson.refuses(&action, status) {
            return None;
        }
        let hidden = &mut self.settings.setup.hidden;
        match action {
            Action::Play => self.start(Budget::Forever, status),
            Action::Pause => self.pause(status),
            Action::StepBatch => self.start(Budget::Steps(1), status),
            Action::StepEpoch => self.start(Budget::Epochs(1), status),
            Action::Reset => {
                self.rebuild(status);
                status.info("A fresh network: the same seed gives the same start.");
            }
            Action::Regenerate => self.settings.setup.seed = self.settings.setup.seed.wrapping_add(1),
            Action::AddLayer if hidden.len() < MAX_LAYERS => hidden.push(hidden.last().copied().unwrap_or(4)),
            Action::RemoveLayer => {
                hidden.pop();
            }
            Action::AddUnit(i) => {
                if let Some(h) = hidden.get_mut(i) {
                    *h = (*h + 1).min(MAX_UNITS);
                }
            }
            Action::RemoveUnit(i) => {
                if let Some(h) = hidden.get_mut(i) {
                    *h = (*h).saturating_sub(1).max(1);
                }
            }
            Action::AddLayer => status.error(format!("At most {MAX_LAYERS} hidden layers.")),
            Action::Preset(i) => {
                if let Some(p) = presets::PRESETS.get(i) {
                    self.settings.setup = (p.setup)();
                    self.rebuild(status);
                    status.info(format!("{}: {}", p.name, p.lesson));
                }
            }
            Action::Select(t) => self.settings.target = t,
            Action::SelectPoint(i) => self.settings.point = i.min(self.data.train.n().saturating_sub(1)),
            Action::OpenGraph => return self.open_graph(status),
            // handled with the file dialogs, in `files` and `csv::files`
            Action::SaveSetup | Action::OpenSetup | Action::OpenCsv | Action::OpenModel | Action::OpenModelPath(_) => {}
            Action::SetSpeed(speed) => {
                self.settings.speed = speed;
                if let Training::Running(run) = &self.training {
                    run.set_speed(speed);
                }
            }
            Action::CopyCommand => {
                let line = self.applied.command_for(self.history.len(), &self.net.spec);
                status.info(format!("Copied: {line}"));
                self.command = Some(line);
            }
        }
        None
    }

    /// The chosen unit (or the loss) on the chosen training point, as a graph for the backprop view.
    fn open_graph(&mut self, status: &mut Status) -> Option<crate::nn::playground::OpenedGraph> {
        let i = self.settings.point.min(self.data.train.n().saturating_sub(1));
        let x = self.data.train.row(i).to_vec();
        let truth = if self.data.train.is_regression() {
            Truth::Value(self.data.train.targets[i])
        } else {
            Truth::Class(self.data.train.y[i])
        };
        match unit_graph(&self.net, &x, truth, self.settings.target) {
            Ok(g) => {
                status.info(format!(
                    "Opened {} on training point {i} in the backprop view.",
                    target_name(self.settings.target, self.net.spec.hidden.len())
                ));
                Some(g)
            }
            Err(e) => {
                status.error(format!("Cannot open the graph: {e}."));
                None
            }
        }
    }

    /// Starts a run for `budget` from the paused trainer.
    fn start(&mut self, budget: Budget, status: &mut Status) {
        if let Some(step) = self.diverged {
            status.error(format!("The run diverged at step {step}; press Reset (or lower the learning rate) first."));
            return;
        }
        if let Training::Running(_) = self.training {
            if budget != Budget::Forever {
                self.pause(status);
            } else {
                return;
            }
        }
        if let Training::Idle(t) = std::mem::replace(&mut self.training, Training::None) {
            self.speed = (Instant::now(), t.steps(), None);
            let run = Run::start_drawing(*t, budget, PUBLISH_EVERY, self.settings.speed, Some(self.drawing()));
            self.budget = budget;
            self.training = Training::Running(run);
        }
    }

    /// What the run draws while it trains: the maps over the plane of the pictures, the monitors on the training
    /// rows.
    fn drawing(&self) -> Drawing {
        let plane = match (&self.data.train_plane, &self.data.test_plane) {
            (Some(train), Some(test)) => Some(Plane::around(&[train, test])),
            _ => None,
        };
        Drawing {
            features: self.data.features.clone(),
            plane,
            size: maps::GRID,
            monitored: self.data.train.clone(),
            every: PICTURES_EVERY,
        }
    }

    /// The loss and accuracy curves beside the health monitors.
    fn charts_ui(&mut self, ui: &mut egui::Ui) {
        let w = ui.available_width();
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(w * 0.52);
                curves::ui(ui, &self.history);
            });
            ui.separator();
            ui.vertical(|ui| {
                egui::ScrollArea::both()
                    .id_salt("playground_health_scroll")
                    .show(ui, |ui| monitors::ui(ui, &self.health))
            });
        });
    }

    /// Stops the run and keeps its trainer (waits for at most the step under way).
    fn pause(&mut self, status: &mut Status) {
        if let Training::Running(run) = std::mem::replace(&mut self.training, Training::None) {
            run.stop();
            self.finish(run, status);
        }
    }

    /// Takes what the run published; when it has ended, takes the trainer back.
    fn poll(&mut self, status: &mut Status) {
        let Training::Running(run) = &mut self.training else { return };
        // finished first: what it published before finishing is all there is once it has
        let finished = run.is_finished();
        if let Some(p) = run.take() {
            self.absorb(p, status);
        }
        if finished && let Training::Running(run) = std::mem::replace(&mut self.training, Training::None) {
            self.finish(run, status);
        }
    }

    fn absorb(&mut self, p: crate::nn::playground::Progress<f32>, status: &mut Status) {
        // a snapshot of this network's shape always fits: the run trains this network
        let _ = self.net.load_snapshot(&p.snapshot);
        self.history.extend(p.epochs);
        self.steps = p.snapshot.steps;
        self.last_loss = p.snapshot.loss;
        let (at, then, _) = self.speed;
        let dt = at.elapsed().as_secs_f64();
        if dt >= 1.0 {
            self.speed = (Instant::now(), self.steps, Some(self.steps.saturating_sub(then) as f64 / dt));
        }
        if !p.update_ratios.is_empty() {
            self.ratios = p.update_ratios;
        }
        if p.drawn.is_some() {
            self.drawn = p.drawn;
        }
        match p.ended {
            Some(Ended::Diverged(step)) => {
                self.diverged = Some(step);
                status.error(format!(
                    "The loss diverged at step {step} (it is no longer a finite number): training stopped with the \
                     weights of step {}. Lower the learning rate and press Reset.",
                    step.saturating_sub(1)
                ));
            }
            Some(Ended::Failed(e)) => status.error(format!("Training stopped: {e}")),
            _ => {}
        }
        self.dirty = true;
    }

    fn finish(&mut self, mut run: Run<f32>, status: &mut Status) {
        self.replaying = false;
        let last = run.take();
        match run.join() {
            Ok(t) => {
                if let Some(p) = last {
                    self.absorb(p, status);
                }
                self.steps = t.steps();
                self.training = Training::Idle(Box::new(t));
            }
            Err(e) => {
                status.error(format!("{e}; the network starts again."));
                self.rebuild(status);
            }
        }
    }

    /// A fresh trainer from the edited setup; on an error the setup goes back to the one that worked.
    /// After edits by hand only, the network keeps its weights (and a run under way goes on); edits made on other
    /// data are dropped.
    fn rebuild(&mut self, status: &mut Status) {
        let was_running = self.is_running();
        let previous = match std::mem::replace(&mut self.training, Training::None) {
            Training::Running(run) => {
                run.stop();
                run.join().ok().map(|t| t.mlp)
            }
            Training::Idle(t) => Some(t.mlp),
            Training::None => None,
        };
        let s = &mut self.settings.setup;
        if !s.same_source(&self.applied) && !s.edits.is_empty() && s.edits == self.applied.edits {
            s.edits.clear();
            self.points.history.clear();
            status.info("Other data: the points edited by hand are dropped.");
        }
        if s.csv.is_some() && s.csv_in_use().is_none() {
            s.csv = None; // another data set was chosen: the file's text is not kept
        }
        let edits_only = self.settings.setup.differs_in_edits_only(&self.applied);
        let keep = if edits_only { previous.as_ref() } else { None };
        match self.settings.setup.trainer_keeping(keep) {
            Ok((t, data)) => {
                self.applied = self.settings.setup.clone();
                self.install(t, data);
                if edits_only && was_running {
                    self.start(Budget::Forever, status);
                }
            }
            Err(e) => {
                status.error(format!("{e}; the playground keeps its last setup."));
                self.settings.setup = self.applied.clone();
                match self.applied.trainer() {
                    Ok((t, data)) => self.install(t, data),
                    Err(_) => {
                        let (t, data) = Setup::default().trainer().expect("the default setup builds (tested)");
                        self.settings.setup = Setup::default();
                        self.applied = Setup::default();
                        self.install(t, data);
                    }
                }
            }
        }
    }

    /// Brings the trainer to the edited setup: a training change (learning rate, L1/L2, batch, schedule, optimizer)
    /// applies from the next step on the same weights, an endless run going on; any other change builds a fresh
    /// network and says why.
    fn apply_setup(&mut self, status: &mut Status) {
        match self.applied.change_to(&self.settings.setup) {
            Change::Nothing => {}
            Change::Training => self.retune(status),
            Change::Fresh(what) => {
                // points edited by hand keep the weights (`rebuild`): no fresh network to announce
                let edits_only = self.settings.setup.differs_in_edits_only(&self.applied);
                self.rebuild(status);
                if self.settings.setup == self.applied && !edits_only {
                    status.info(format!(
                        "A fresh network ({} changed): {}.",
                        what.join(", "),
                        self.net.spec.describe()
                    ));
                }
            }
        }
    }

    fn retune(&mut self, status: &mut Status) {
        let resume = self.is_running() && self.budget == Budget::Forever;
        if self.is_running() {
            self.pause(status);
        }
        let Training::Idle(t) = &mut self.training else { return };
        match Setup::retune(&self.settings.setup, t) {
            Ok(kept) => {
                self.applied = self.settings.setup.clone();
                self.net.spec.l1 = self.applied.l1;
                self.net.spec.l2 = self.applied.l2;
                let what = match kept {
                    Retuned::FreshOptimizer => {
                        format!("a fresh {} state from the next step, on the same weights", self.applied.opt.name())
                    }
                    _ => "from the next step, on the same weights".to_string(),
                };
                status.info(format!("Training settings applied {what} ({}).", self.applied.opt));
            }
            Err(e) => {
                status.error(format!("{e}; the playground keeps its training settings."));
                self.settings.setup = self.applied.clone();
            }
        }
        if resume {
            self.start(Budget::Forever, status);
        }
    }

    fn install(&mut self, t: Trainer<f32>, data: Data) {
        self.net = t.mlp.clone();
        self.training = Training::Idle(Box::new(t));
        self.data = data;
        self.history.clear();
        self.steps = 0;
        self.last_loss = f64::NAN;
        self.diverged = None;
        self.ratios.clear();
        self.settings.point = self.settings.point.min(self.data.train.n().saturating_sub(1));
        if let Target::Unit { layer, unit } = self.settings.target {
            let widths: Vec<usize> = self.net.spec.hidden.iter().copied().chain([self.net.spec.outputs]).collect();
            if widths.get(layer.wrapping_sub(1)).is_none_or(|&w| unit >= w) {
                self.settings.target = Target::Loss;
            }
        }
        self.dirty = true;
    }

    /// Remakes the pictures and the monitors when new weights came: while training, from the drawings the run makes
    /// on its worker (the frame only colours them); otherwise here, once.
    fn refresh(&mut self, ctx: &egui::Context) {
        if self.is_running() {
            if let Some(drawn) = self.drawn.take() {
                let drawn = Arc::try_unwrap(drawn).unwrap_or_else(|d| (*d).clone());
                if let Some(m) = drawn.maps {
                    self.pictures.show(ctx, m, &self.data, self.settings.discrete);
                }
                self.health = drawn.health;
                self.mistakes.rebuild(&mut self.net, &self.data.train, &self.data.test, self.data.is_plane());
            }
            return;
        }
        self.drawn = None;
        if !self.dirty {
            return;
        }
        self.dirty = false;
        self.pictures.rebuild(ctx, &mut self.net, &self.data, self.settings.discrete);
        self.mistakes.rebuild(&mut self.net, &self.data.train, &self.data.test, self.data.is_plane());
        self.health = layer_health_on(&mut self.net, &self.data.train, &self.ratios).unwrap_or_default();
    }

    /// Saves or opens a setup file, or opens a model, through the dialogs. A file that cannot be read is refused in
    /// words and the playground keeps what it had.
    fn files(&mut self, shell: &mut Shell<'_>) {
        let asked: Vec<Action> = self
            .actions
            .extract_if(.., |a| {
                matches!(a, Action::SaveSetup | Action::OpenSetup | Action::OpenModel | Action::OpenModelPath(_))
            })
            .collect();
        for action in asked {
            let folder = shell.folder.as_deref();
            let path = match &action {
                Action::SaveSetup => {
                    shell.dialogs.pick_save("Save the playground setup", SETUPS, folder, "playground.json")
                }
                Action::OpenSetup => shell.dialogs.pick_open("Open a playground setup", SETUPS, folder),
                Action::OpenModelPath(p) => Some(p.clone()),
                _ => shell.dialogs.pick_open("Open a model to train on", MODELS, folder),
            };
            let Some(path) = path else {
                if let Some(why) = crate::app::files::no_file_message(&*shell.dialogs) {
                    shell.status.error(why);
                }
                continue;
            };
            if matches!(action, Action::OpenModel | Action::OpenModelPath(_)) {
                *shell.folder = path.parent().map(std::path::Path::to_path_buf);
                self.open_model(&path, shell.status);
                continue;
            }
            let path = crate::app::files::with_extension(path, "json");
            *shell.folder = path.parent().map(std::path::Path::to_path_buf);
            if action == Action::SaveSetup {
                let weights = self.settings.save_weights.then(|| Weights::of(&self.net));
                let text = self.applied.to_file_text_with(weights.as_ref());
                match std::fs::write(&path, text) {
                    Ok(()) => shell.status.info(format!(
                        "Saved the setup{} to {}.",
                        if weights.is_some() { " and the trained weights" } else { "" },
                        path.display()
                    )),
                    Err(e) => shell.status.error(format!("Could not write {}: {e}", path.display())),
                }
                continue;
            }
            let read = std::fs::metadata(&path)
                .map_err(|e| e.to_string())
                .and_then(|m| {
                    if m.len() > crate::nn::playground::MAX_SETUP_BYTES {
                        Err(format!(
                            "{} bytes, more than a setup file's {}",
                            m.len(),
                            crate::nn::playground::MAX_SETUP_BYTES
                        ))
                    } else {
                        std::fs::read_to_string(&path).map_err(|e| e.to_string())
                    }
                })
                .and_then(|text| Setup::read_file_text(&text));
            match read {
                Ok((setup, weights)) => {
                    self.settings.setup = setup;
                    self.rebuild(shell.status);
                    let with = match weights.map(|w| self.load_weights(&w)) {
                        Some(Ok(())) => " with its trained weights",
                        Some(Err(e)) => {
                            shell.status.error(format!("{}: its weights: {e}", path.display()));
                            continue;
                        }
                        None => "",
                    };
                    shell.status.info(format!("Opened {}{with}: {}.", path.display(), self.net.spec.describe()));
                }
                Err(e) => shell.status.error(format!("{}: {e}. The playground keeps its setup.", path.display())),
            }
        }
    }

    /// Puts `w` into the paused trainer and the shown network (checked first: nothing changes if it does not fit).
    fn load_weights(&mut self, w: &Weights) -> Result<(), String> {
        let Training::Idle(t) = &mut self.training else { return Err("training is under way".into()) };
        w.load_into(&mut t.mlp)?;
        w.load_into(&mut self.net)?;
        self.dirty = true;
        Ok(())
    }

    /// Opens a model file and trains on from its weights: one saved by `chainrule train --save`, or a PyTorch state
    /// dict (no chainrule metadata) read with the playground's chosen activation. It must read this data (the same
    /// inputs and classes) and fit the playground's limits; otherwise the playground keeps what it had.
    fn open_model(&mut self, path: &std::path::Path, status: &mut Status) {
        let activation = self.settings.setup.activation;
        let opened = Mlp::<f32>::open(path, None).or_else(|e| {
            if e.to_string().contains("no chainrule metadata") {
                Mlp::<f32>::open(path, Some(activation))
            } else {
                Err(e)
            }
        });
        let model = match opened {
            Ok((m, _)) => m,
            Err(e) => {
                status.error(format!("{e}. The playground keeps its network."));
                return;
            }
        };
        let setup = match self.applied.holding(&model.spec, &self.data) {
            Ok(s) => s,
            Err(e) => {
                status.error(format!("{}: {e}. The playground keeps its network.", path.display()));
                return;
            }
        };
        // built and filled first: a model that does not fit changes nothing
        let built = setup.trainer().and_then(|(mut t, data)| {
            Weights::of(&model).load_into(&mut t.mlp)?;
            Ok((t, data))
        });
        match built {
            Ok((t, data)) => {
                if let Training::Running(run) = std::mem::replace(&mut self.training, Training::None) {
                    run.stop();
                    let _ = run.join();
                }
                self.settings.setup = setup;
                self.applied = self.settings.setup.clone();
                self.install(t, data);
                status.info(format!(
                    "Opened {}: {} with its weights; Train goes on from them.",
                    path.display(),
                    self.net.spec.describe()
                ));
            }
            Err(e) => status.error(format!("{}: {e}. The playground keeps its network.", path.display())),
        }
    }

    fn keys(&mut self, ui: &egui::Ui) {
        if ui.ctx().text_edit_focused() {
            return;
        }
        let running = self.is_running();
        ui.input_mut(|i| {
            let none = egui::Modifiers::NONE;
            if i.consume_key(none, egui::Key::Space) {
                self.actions.push(if running { Action::Pause } else { Action::Play });
            }
            if i.consume_key(none, egui::Key::ArrowRight) {
                self.actions.push(Action::StepBatch);
            }
            if i.consume_key(none, egui::Key::Home) {
                self.actions.push(Action::Reset);
            }
        });
    }
}

/// How a target reads: `the loss`, `unit 3 of layer 1`, `output 0`.
pub fn target_name(t: Target, hidden_layers: usize) -> String {
    match t {
        Target::Loss => "the loss".into(),
        Target::Unit { layer, unit } if layer > hidden_layers => format!("output {unit}"),
        Target::Unit { layer, unit } => format!("unit {unit} of layer {layer}"),
    }
}

impl View for PlaygroundView {
    fn id(&self) -> &'static str {
        "playground"
    }

    fn title(&self) -> &'static str {
        "Playground"
    }

    fn ui(&mut self, ui: &mut egui::Ui, shell: &mut Shell<'_>) {
        self.keys(ui);
        self.poll(shell.status);
        self.refresh(ui.ctx());
        self.panels.clear();

        // every panel's size is a share of the room there is, so that nothing overlaps at any zoom: at 1280×720 and
        // 200 % a view has about 530 × 330 points
        let room = ui.available_rect_before_wrap().size();
        let controls = egui::Panel::top("playground_controls").show(ui, |ui| {
            controls::ui(ui, self, shell.status);
        });
        self.panels.push(("controls", controls.response.rect));
        if !shell.presenting {
            let (lo, hi) = ((room.x * 0.2).min(230.0), (room.x * 0.3).min(340.0));
            let side = egui::Panel::left("playground_setup")
                .resizable(true)
                .default_size((room.x * 0.25).clamp(lo, 250.0))
                .size_range(lo..=hi);
            let side = side.show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    setup::ui(ui, &mut self.settings, &mut self.schedule_edit, &self.data, &self.net, &mut self.actions)
                });
            });
            self.panels.push(("setup", side.response.rect));
        }
        let lo = (room.y * 0.22).min(150.0);
        let hi = (room.y * 0.4).max(lo);
        // while a lesson's question waits the charts are hidden: one line says so, and the network gets the room
        let bottom = if !self.lesson.shows_readouts() {
            egui::Panel::bottom("playground_hidden").resizable(false).show(ui, lesson::hidden_ui)
        } else {
            let charts = egui::Panel::bottom("playground_charts")
                .resizable(true)
                .default_size((room.y * 0.3).clamp(lo, 210.0))
                .size_range(lo..=hi);
            charts.show(ui, |ui| self.charts_ui(ui))
        };
        self.panels.push(("charts", bottom.response.rect));
        let (lo, hi) = ((room.x * 0.2).min(260.0), (room.x * 0.34).min(560.0));
        let right = egui::Panel::right("playground_output")
            .resizable(true)
            .default_size((room.x * 0.3).clamp(lo, 360.0))
            .size_range(lo..=hi);
        // the output scrolls when its toolbars wrap (a narrow panel at a projector's zoom) rather than grow over the
        // charts; a drag moves a point, never the scroll
        let right = right.show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("playground_output_scroll")
                .scroll_source(
                    egui::containers::scroll_area::ScrollSource::SCROLL_BAR
                        | egui::containers::scroll_area::ScrollSource::MOUSE_WHEEL,
                )
                .show(ui, |ui| output::ui(ui, self));
        });
        self.panels.push(("output", right.response.rect));
        let center = egui::CentralPanel::default().show(ui, |ui| network::ui(ui, self));
        self.panels.push(("network", center.response.rect));

        if let Some(line) = &self.command {
            let line = line.clone();
            ui.ctx().copy_text(line);
            self.command = None;
        }
        if !self.actions.is_empty() {
            ui.ctx().request_repaint();
        }
        self.files(shell);
        csv::files(self, shell);
        if let Some(g) = self.apply_actions(shell.status) {
            self.opened = Some(g);
        }
        match self.points.take_message() {
            Some((true, m)) => shell.status.error(m),
            Some((false, m)) => shell.status.info(m),
            None => {}
        }
        self.apply_setup(shell.status);
        if self.is_running() || self.dirty {
            ui.ctx().request_repaint();
        }
    }

    fn shortcuts(&self) -> &'static [(&'static str, &'static str)] {
        SHORTCUTS
    }

    fn panels(&self) -> &[(&'static str, egui::Rect)] {
        &self.panels
    }

    fn save_state(&self) -> serde_json::Value {
        let settings = Settings { epochs: self.history.len(), ..self.settings.clone() };
        serde_json::to_value(&settings).expect("settings are plain data")
    }

    fn is_busy(&self) -> bool {
        self.replaying && self.is_running()
    }

    fn load_state(&mut self, state: serde_json::Value) -> Result<(), String> {
        let settings: Settings = serde_json::from_value(state).map_err(|e| e.to_string())?;
        settings.setup.validate()?;
        let (t, data) = settings.setup.trainer()?;
        self.settings = settings;
        self.applied = self.settings.setup.clone();
        self.install(t, data);
        let epochs = self.settings.epochs.min(MAX_REPLAY_EPOCHS);
        if epochs > 0 {
            // the weights come back by training again, on the worker: the window opens at once
            self.replaying = true;
            self.start(Budget::Epochs(epochs), &mut Status::default());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_round_trip_and_a_bad_state_is_refused() {
        let mut v = PlaygroundView::default();
        let saved = v.save_state();
        v.load_state(saved.clone()).expect("loads");
        assert_eq!(v.save_state(), saved);
        let before = v.settings.clone();
        let bad = serde_json::json!({ "setup": { "hidden": [4, 99] } });
        assert!(v.load_state(bad).expect_err("refused").contains("at most 6 layers"));
        assert_eq!(v.settings, before);
    }

    #[test]
    fn layers_and_units_stay_within_the_limits() {
        let mut v = PlaygroundView::default();
        let mut status = Status::default();
        for _ in 0..10 {
            v.push(Action::AddLayer);
        }
        v.push(Action::AddUnit(0));
        v.apply_actions(&mut status);
        assert_eq!(v.settings.setup.hidden, vec![5, 2, 2, 2, 2, 2]);
        assert!(status.is_error);
        for _ in 0..10 {
            v.push(Action::RemoveUnit(1));
        }
        v.apply_actions(&mut status);
        assert_eq!(v.settings.setup.hidden[1], 1);
    }
}
