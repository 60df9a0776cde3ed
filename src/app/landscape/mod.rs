//! The network's own loss landscape: the playground's network and weights on a plane through its weights (random
//! filter-normalized directions, the PCA of a racer's path, or two weights as the axes), drawn the way the race draws
//! a surface — heat map, contours, trails, leaderboard, loss curves — with optimizers racing on the real network and
//! each path's distance off the plane shown beside it, so that the slice never passes for the whole landscape.
//!
//! Everything computed comes from [`crate::nn::landscape`]: the race, the plane and the grid run on a worker
//! ([`Job`]) whose progress the frame shows and whose result it takes when ready, never waiting (a change of the
//! directions or the grid reuses the race; a change of the racers runs it again). Opened from the playground's
//! "Landscape" button with its current network, or from the race view's "this network".
//!
//! Panels, one per file: the controls ([`controls`]), the plot ([`plot`]), the curves ([`curves`]) and the
//! [`leaderboard`].

pub mod controls;
pub mod curves;
pub mod leaderboard;
pub mod plot;

use eframe::egui;
use serde::{Deserialize, Serialize};

use super::Status;
use super::race::RacerConfig;
use super::race::lineups;
use super::view::{Shell, View};
use crate::nn::Mlp;
use crate::nn::landscape::{
    self, Directions, Job, Landscape, LandscapeError, LandscapeField, Problem, RaceConfig, Request, Trajectory,
    WeightRef,
};
use crate::optim::{OptimSpec, Schedule};
use crate::surface::RacerSetup;

/// The most racers at once.
pub const MAX_RACERS: usize = 6;

/// The most steps per racer the window races.
pub const MAX_WINDOW_STEPS: usize = 2000;

/// Which kind of directions the view uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Filter-normalized random directions.
    Random,
    /// The PCA of the first racer's path.
    Pca,
    /// Two weights as the axes.
    Weights,
}

/// What the user asked for during a frame; applied once drawing is done.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Use these directions (recomputes the plane and the grid; the race is kept).
    SetKind(Kind),
    /// Recompute with the settings as they are.
    Recompute,
    /// Stop the computation under way.
    Stop,
    /// Add a racer.
    AddRacer,
    /// Remove a racer.
    RemoveRacer(usize),
    /// Set a racer's rule from its text field.
    SetSpec(usize, String),
}

/// The view's settings, kept across restarts (the network itself comes from the playground each time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Which directions.
    pub kind: Kind,
    /// The two weights for `Weights`, by PyTorch's names.
    pub weights: [String; 2],
    /// G.
    pub grid: usize,
    /// The span (0: fit it, see [`landscape::Request::span`]).
    pub span: f64,
    /// The racers.
    pub racers: Vec<RacerConfig>,
    /// Minibatch steps per racer.
    pub steps: usize,
    /// Seeds the directions and the minibatch order.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        let racer = |i: usize, s: &str| RacerConfig {
            spec: s.parse().expect("a valid spec"),
            schedule: Schedule::default(),
            color: lineups::color(i),
        };
        Self {
            kind: Kind::Random,
            weights: ["0.weight[0,0]".into(), "0.weight[0,1]".into()],
            grid: 41,
            span: 0.0,
            racers: vec![racer(0, "sgd:lr=0.1,momentum=0.9"), racer(1, "adam:lr=0.01")],
            steps: 200,
            seed: 0,
        }
    }
}

impl Settings {
    /// The directions these settings ask for, or what is wrong with them.
    pub fn directions(&self) -> Result<Directions, String> {
        match self.kind {
            Kind::Random => Ok(Directions::Random),
            Kind::Pca => Ok(Directions::Pca),
            Kind::Weights => {
                let a: WeightRef = self.weights[0].parse()?;
                let b: WeightRef = self.weights[1].parse()?;
                if a == b {
                    return Err(format!("both axes are {a}: name two different weights"));
                }
                Ok(Directions::Weights(a, b))
            }
        }
    }

    fn race(&self, batch: usize) -> RaceConfig {
        RaceConfig {
            racers: self.racers.iter().map(|r| RacerSetup { spec: r.spec, schedule: r.schedule }).collect(),
            steps: self.steps.min(MAX_WINDOW_STEPS),
            batch,
            seed: self.seed,
        }
    }
}

/// The network the view shows: a copy of the playground's, with its training part.
pub struct Source {
    /// The network at θ and its data.
    pub problem: Problem<f32>,
    /// `2-8-8-1, tanh on circle` and the like.
    pub title: String,
    /// The minibatch size of the race (the playground's).
    pub batch: usize,
}

type Outcome = (Result<Option<Landscape>, LandscapeError>, RaceConfig);

/// The landscape view.
pub struct LandscapeView {
    /// The persisted settings.
    pub settings: Settings,
    /// The network shown, once one was handed over.
    pub source: Option<Source>,
    /// The latest finished computation.
    pub result: Option<Landscape>,
    /// The race the result's trajectories come from.
    raced: Option<RaceConfig>,
    /// The computation under way.
    job: Option<Job<Outcome>>,
    /// How many computations finished (the picture is remade once per result).
    pub version: u64,
    /// The racers' text fields.
    pub edits: Vec<String>,
    /// Asks the frame for the playground's network (the race view's "this network", or an empty view shown).
    pub wants_source: bool,
    picture: plot::Picture,
    actions: Vec<Action>,
    panels: Vec<(&'static str, egui::Rect)>,
}

impl Default for LandscapeView {
    fn default() -> Self {
        let settings = Settings::default();
        let edits = settings.racers.iter().map(|r| r.spec.to_string()).collect();
        Self {
            settings,
            source: None,
            result: None,
            raced: None,
            job: None,
            version: 0,
            edits,
            wants_source: true,
            picture: plot::Picture::default(),
            actions: Vec::new(),
            panels: Vec::new(),
        }
    }
}

impl LandscapeView {
    /// Queues an action, as a panel does.
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Shows `mlp` (its current weights are θ) on the training rows `x`, `y`, racing with minibatches of `batch`
    /// rows; starts computing at once. An error (data that do not fit) goes to `status`.
    pub fn open(&mut self, mlp: Mlp<f32>, x: &[f64], y: &[usize], batch: usize, title: String, status: &mut Status) {
        match Problem::new(mlp, x, y) {
            Ok(problem) => {
                self.source = Some(Source { problem, title, batch: batch.max(1) });
                self.result = None;
                self.raced = None;
                self.wants_source = false;
                self.start(status);
            }
            Err(e) => status.error(format!("The landscape cannot show this network: {}", in_words(&e))),
        }
    }

    /// Races these racers (at most [`MAX_RACERS`] of them) from now on.
    pub fn set_racers(&mut self, racers: Vec<RacerConfig>) {
        self.settings.racers = racers.into_iter().take(MAX_RACERS).collect();
        self.edits = self.settings.racers.iter().map(|r| r.spec.to_string()).collect();
    }

    /// Whether a computation is under way.
    pub fn is_computing(&self) -> bool {
        self.job.is_some()
    }

    /// (done, total) of the computation under way.
    pub fn progress(&self) -> Option<(usize, usize)> {
        self.job.as_ref().map(|j| j.progress())
    }

    /// Applies the queued actions now.
    pub fn apply_actions(&mut self, status: &mut Status) {
        for action in std::mem::take(&mut self.actions) {
            self.apply(action, status);
        }
    }

    fn apply(&mut self, action: Action, status: &mut Status) {
        match action {
            Action::SetKind(k) => {
                self.settings.kind = k;
                self.start(status);
            }
            Action::Recompute => self.start(status),
            Action::Stop => {
                if let Some(j) = self.job.take() {
                    j.stop();
                    status.info("Stopped: the picture keeps the last landscape computed.");
                }
            }
            Action::AddRacer => {
                if self.settings.racers.len() >= MAX_RACERS {
                    status.error(format!("At most {MAX_RACERS} racers: remove one first."));
                    return;
                }
                let i = self.settings.racers.len();
                let spec: OptimSpec = "rmsprop:lr=0.01".parse().expect("a valid spec");
                self.settings.racers.push(RacerConfig {
                    spec,
                    schedule: Schedule::default(),
                    color: lineups::color(i),
                });
                self.edits.push(spec.to_string());
                self.start(status);
            }
            Action::RemoveRacer(i) => {
                if i < self.settings.racers.len() {
                    self.settings.racers.remove(i);
                    self.edits.remove(i);
                    self.start(status);
                }
            }
            Action::SetSpec(i, text) => match text.parse::<OptimSpec>() {
                Ok(spec) => {
                    if let Some(r) = self.settings.racers.get_mut(i) {
                        r.spec = spec;
                        self.edits[i] = spec.to_string();
                        self.start(status);
                    }
                }
                Err(e) => status.error(format!("Racer {}: {e}. It keeps {}.", i + 1, self.settings.racers[i].spec)),
            },
        }
    }

    /// Starts computing with the current settings (stopping the computation under way); the race is reused when it
    /// has not changed.
    fn start(&mut self, status: &mut Status) {
        let Some(source) = &self.source else {
            self.wants_source = true;
            return;
        };
        let directions = match self.settings.directions() {
            Ok(d) => d,
            Err(e) => {
                status.error(format!("The axes: {e}. The picture keeps the last landscape."));
                return;
            }
        };
        if directions == Directions::Pca && (self.settings.racers.is_empty() || self.settings.steps < 2) {
            status.error(format!("{}.", in_words(&LandscapeError::PcaNeedsPath)));
            return;
        }
        if let Some(j) = self.job.take() {
            j.stop();
        }
        let race = self.settings.race(source.batch);
        let span = (self.settings.span > 0.0).then_some(self.settings.span);
        let request = Request {
            directions,
            size: self.settings.grid.clamp(3, 121),
            span,
            race: race.clone(),
            seed: self.settings.seed,
        };
        let previous: Option<Vec<Trajectory>> = match (&self.result, &self.raced) {
            (Some(r), Some(k)) if *k == race => Some(r.trajectories.clone()),
            _ => None,
        };
        let mut problem = source.problem.clone();
        self.job = Some(Job::spawn(move |progress| {
            crate::parallel::cap_this_thread(1); // the UI thread keeps a core
            crate::parallel::yield_to_ui();
            let out = landscape::compute(&mut problem, &request, previous.as_deref(), progress);
            (out, race)
        }));
        status.info("Computing the landscape on a worker thread…");
    }

    /// Takes a finished computation's result.
    fn poll(&mut self, ctx: &egui::Context, status: &mut Status) {
        let Some(job) = &mut self.job else { return };
        let taken = job.take();
        let finished = job.is_finished();
        match taken {
            Some((Ok(Some(l)), race)) => {
                self.job = None;
                status.info(summary(&l));
                self.result = Some(l);
                self.raced = Some(race);
                self.version += 1;
            }
            Some((Ok(None), _)) => self.job = None,
            Some((Err(e), _)) => {
                self.job = None;
                status.error(format!("The landscape was not computed: {}", in_words(&e)));
            }
            None if finished => {
                self.job = None;
                status.error("The landscape's worker stopped with a panic; the picture keeps the last landscape.");
            }
            // the worker has not finished: look again in a tenth of a second, without spinning
            None => ctx.request_repaint_after(std::time::Duration::from_millis(100)),
        }
    }
}

/// The label of the control that sets a landscape's field (controls.rs).
fn control_for(field: LandscapeField) -> &'static str {
    match field {
        LandscapeField::Directions => "Directions",
        LandscapeField::Grid => "grid",
        LandscapeField::Span => "span ±",
        LandscapeField::Steps => "steps",
    }
}

/// A landscape's error in the window's words: a setting named by its control, PCA's need for a path by the racers.
fn in_words(e: &LandscapeError) -> String {
    match e {
        LandscapeError::PcaNeedsPath => "PCA needs a path: add a racer (and at least 2 steps) first".into(),
        e => match e.field() {
            Some(field) => e.named(control_for(field)),
            None => e.to_string(),
        },
    }
}

/// The status line after a computation: the loss at the centre and how far the paths leave the plane.
fn summary(l: &Landscape) -> String {
    let off = l.paths.iter().flatten().map(|p| p.off_plane).fold(0.0, f64::max);
    let mut s = format!("Landscape ready: loss {:.4} at the centre", l.origin_loss);
    if let Some([a, b]) = l.plane.explained {
        s += &format!("; PC1 explains {:.0} % of the path, PC2 {:.0} %", 100.0 * a, 100.0 * b);
    }
    if !l.paths.is_empty() {
        s += &format!("; the paths leave the plane by up to {off:.3}");
    }
    s + "."
}

impl View for LandscapeView {
    fn id(&self) -> &'static str {
        "landscape"
    }

    fn title(&self) -> &'static str {
        "Landscape"
    }

    fn ui(&mut self, ui: &mut egui::Ui, shell: &mut Shell<'_>) {
        self.poll(ui.ctx(), shell.status);
        let dark = ui.visuals().dark_mode;
        self.picture.update(ui.ctx(), self.result.as_ref(), self.version, dark);
        self.panels.clear();
        let top = egui::Panel::top("landscape_controls").show(ui, |ui| controls::ui(ui, self));
        self.panels.push(("controls", top.response.rect));
        if self.source.is_none() {
            egui::CentralPanel::default().show(ui, |ui| {
                ui.label("Open a network here with the Playground's \"Landscape\" button.");
            });
            self.apply_actions(shell.status);
            return;
        }
        // the charts and the racers take their capped shares (crate::app::room), so that the plot keeps its room at
        // a projector's zoom
        let range = crate::app::room::down(ui, 110.0..=240.0);
        let h = ui.available_height();
        let charts =
            egui::Panel::bottom("landscape_charts").resizable(true).default_size((h * 0.33).clamp(120.0, 240.0));
        let charts = charts.size_range(range);
        let charts = charts.show(ui, |ui| {
            ui.add_space(4.0);
            let w = ui.available_width();
            let board = (w * 0.45).max(380.0).min(w - 300.0);
            let each = (w - board - 2.0 * ui.spacing().item_spacing.x - 12.0) / 2.0;
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(each);
                    curves::loss_ui(ui, &self.settings, self.result.as_ref());
                });
                ui.separator();
                ui.vertical(|ui| {
                    ui.set_width(each);
                    curves::off_plane_ui(ui, &self.settings, self.result.as_ref());
                });
                ui.separator();
                ui.vertical(|ui| {
                    egui::ScrollArea::both().id_salt("landscape_board_scroll").show(ui, |ui| {
                        leaderboard::ui(ui, &self.settings, self.result.as_ref());
                    });
                });
            });
        });
        self.panels.push(("charts", charts.response.rect));
        if !shell.presenting {
            let side = egui::Panel::right("landscape_racers")
                .resizable(true)
                .default_size(300.0)
                .size_range(crate::app::room::across(ui, 260.0..=420.0));
            let side = side.show(ui, |ui| {
                egui::ScrollArea::both().show(ui, |ui| controls::racers_ui(ui, self));
            });
            self.panels.push(("racers", side.response.rect));
        }
        let plot = egui::CentralPanel::default()
            .show(ui, |ui| plot::ui(ui, &self.picture, &self.settings, self.result.as_ref()));
        self.panels.push(("plot", plot.response.rect));
        if !self.actions.is_empty() {
            ui.ctx().request_repaint();
        }
        self.apply_actions(shell.status);
    }

    fn panels(&self) -> &[(&'static str, egui::Rect)] {
        &self.panels
    }

    fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    fn save_state(&self) -> serde_json::Value {
        serde_json::to_value(&self.settings).expect("settings are plain data")
    }

    fn load_state(&mut self, state: serde_json::Value) -> Result<(), String> {
        let s: Settings = serde_json::from_value(state).map_err(|e| e.to_string())?;
        if s.racers.len() > MAX_RACERS
            || !(2..=landscape::MAX_GRID).contains(&s.grid)
            || !(s.span >= 0.0 && s.span.is_finite())
        {
            return Err("the landscape's saved settings are out of range".into());
        }
        self.edits = s.racers.iter().map(|r| r.spec.to_string()).collect();
        self.settings = s;
        Ok(())
    }
}
