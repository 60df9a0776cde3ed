//! The optimizer race: several rules descend one loss surface from one start, step by step, drawn as trails over a
//! heat map with contour lines; the loss and the learning rate of each plotted against the step; a leaderboard; and an
//! inspector that opens one racer's state (gradient, velocity, m, v, m̂, v̂, the bias corrections, RAdam's ρₜ) as
//! numbers and as arrows on the surface.
//!
//! Every number comes from the core: the racers are a [`crate::surface::Race`], each stepping through the one
//! optimizer library; the picture is [`crate::surface::Surface::grid`] and [`crate::surface::contour`]. The race is
//! a pure function of the [`Settings`] (surface, start, racers, noise, steps taken): any change rebuilds it and
//! replays the steps, which also restores a saved session exactly.
//!
//! Panels, one per file: the surface picker ([`picker`]), the racers and line-ups ([`racers`]), the play controls
//! ([`controls`]), the surface plot ([`plot`], over the cached [`heatmap`]), the loss curves ([`loss`]), the
//! learning-rate curves ([`lr`]), the [`leaderboard`] and the [`inspector`]. Panels report what the user asked for as
//! [`Action`]s, applied after drawing.

pub mod caption;
pub mod controls;
pub mod heatmap;
pub mod inspector;
pub mod leaderboard;
pub mod lineups;
pub mod loss;
pub mod lr;
pub mod picker;
pub mod plot;
pub mod racers;

use eframe::egui;
use serde::{Deserialize, Serialize};

use super::view::{Shell, View};
use super::{Status, room};
use crate::optim::{OptimSpec, Schedule};
use crate::surface::{Domain, PRESETS, Race, RacerSetup, Surface};

/// The most steps the window takes (and replays after a change): a few seconds of replay at worst.
pub const MAX_STEPS: usize = 5000;

/// The leaderboard's least width in the charts row, in points: its four columns with an 18-character name.
/// Below this height (in points) the view's controls keep to one row that scrolls sideways.
const COMPACT_HEIGHT: f32 = 200.0;
/// The plot's least height in points (what egui_plot takes whatever it is given).
const PLOT_LEAST: f32 = 84.0;
/// The charts' least useful height in points: below it they are not drawn.
const CHARTS_LEAST: f32 = 60.0;
const LEADERBOARD_WIDTH: f32 = 400.0;

/// The race view's keyboard shortcuts (for the help overlay; [`RaceView::keys`] handles them).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "play or pause the race"),
    ("→", "one step"),
    ("Home", "back to the start"),
    ("click on the plot", "move the start there"),
];

/// The most racers at once.
pub const MAX_RACERS: usize = 8;

/// What the user asked for during a frame; applied once drawing is done.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Show a preset surface (its domain, start and a fitting threshold with it).
    PickPreset(usize),
    /// Compile the expression field and show it (the last good surface stays on an error).
    ApplyExpression,
    /// Change the plotted region (a racer leaving it has diverged).
    SetDomain(Domain),
    /// Move the common start.
    SetStart([f64; 2]),
    /// Replace the racers with a line-up.
    LoadLineup(usize),
    /// Add a racer.
    AddRacer,
    /// Remove a racer.
    RemoveRacer(usize),
    /// Change a racer's rule or hyper-parameters.
    SetSpec(usize, OptimSpec),
    /// Change a racer's learning-rate schedule.
    SetSchedule(usize, Schedule),
    /// Turn gradient noise on or off, or change it.
    SetNoise(Noise),
    /// Take this many steps (and pause).
    Step(usize),
    /// Start or stop playback.
    TogglePlay,
    /// Back to the start.
    Reset,
    /// Show the playground's network as a surface: the landscape view, with these racers.
    ThisNetwork,
}

/// One racer as the window keeps it: its rule, schedule and colour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RacerConfig {
    /// The rule and hyper-parameters (stored as the canonical spec string).
    pub spec: OptimSpec,
    /// The learning-rate schedule (stored as its spec string).
    #[serde(default)]
    pub schedule: Schedule,
    /// The trail's colour, sRGB.
    pub color: [u8; 3],
}

/// Gaussian noise added to every gradient component (the same draws for every racer).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Noise {
    /// Whether the noise is on.
    pub enabled: bool,
    /// Its standard deviation.
    pub sigma: f64,
    /// The seed of its draws.
    pub seed: u64,
}

impl Default for Noise {
    fn default() -> Self {
        Self { enabled: false, sigma: 1.0, seed: 0 }
    }
}

/// The part of the view kept across restarts; the race itself is rebuilt from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The shown surface: a preset's name or an expression in x and y.
    pub surface: String,
    /// The expression field's text (may differ from `surface` while being edited, or when it does not compile).
    pub source: String,
    /// The plotted region.
    pub domain: Domain,
    /// Whether the heat map and the contours use the log scale.
    pub log_scale: bool,
    /// Whether x and y share one scale on screen (so the gradient is drawn perpendicular to the contours).
    pub equal_axes: bool,
    /// The common start.
    pub start: [f64; 2],
    /// The racers.
    pub racers: Vec<RacerConfig>,
    /// Gradient noise.
    pub noise: Noise,
    /// The loss the leaderboard counts steps to.
    pub threshold: f64,
    /// Playback speed, steps per second.
    pub speed: f32,
    /// Steps taken (replayed when the race is rebuilt).
    pub steps: usize,
    /// The racer the inspector shows.
    pub inspected: usize,
}

/// The preset the window opens with: the lecture's ravine (slide 106).
const FIRST_PRESET: &str = "elongated";

impl Default for Settings {
    fn default() -> Self {
        let p = PRESETS.iter().find(|p| p.name == FIRST_PRESET).expect("the first preset exists");
        Self {
            surface: p.name.to_owned(),
            source: p.expr.to_owned(),
            domain: p.domain,
            log_scale: p.log_scale,
            equal_axes: true,
            start: p.start,
            racers: lineups::racers(0, p.name).expect("line-up 0 exists"),
            noise: Noise::default(),
            threshold: 1e-3,
            speed: 20.0,
            steps: 0,
            inspected: 3,
        }
    }
}

impl Settings {
    /// The surface these settings show, or what is wrong with them, in words.
    fn check(&self) -> Result<Surface, String> {
        let mut surface = Surface::parse(&self.surface).map_err(|e| e.to_string())?;
        let d = self.domain;
        if !(d.x.iter().chain(&d.y).all(|v| v.is_finite()) && d.x[0] < d.x[1] && d.y[0] < d.y[1]) {
            return Err(format!("the region x {:?}, y {:?} is not a finite box with min < max", d.x, d.y));
        }
        if !(self.start[0].is_finite() && self.start[1].is_finite()) {
            return Err(format!("the start {:?} is not a finite point", self.start));
        }
        if self.racers.len() > MAX_RACERS {
            return Err(format!("{} racers, more than the {MAX_RACERS} the window shows", self.racers.len()));
        }
        if !(self.noise.sigma.is_finite() && self.noise.sigma >= 0.0) {
            return Err(format!("the noise's sigma {} is not a finite number >= 0", self.noise.sigma));
        }
        if !self.threshold.is_finite() {
            return Err(format!("the threshold {} is not a finite number", self.threshold));
        }
        surface.domain = d;
        Ok(surface)
    }
}

/// The race view.
pub struct RaceView {
    /// The persisted settings.
    pub settings: Settings,
    /// The race, rebuilt from the settings on every change.
    pub race: Race,
    /// The expression field's error, if it does not compile, with the text it belongs to.
    pub surface_error: Option<(String, String)>,
    /// Whether playback is running.
    pub playing: bool,
    /// Whether "this network" was picked (the frame opens the landscape view with these racers).
    pub wants_network: bool,
    play_accum: f32,
    heat: heatmap::HeatMap,
    plot: plot::PlotState,
    edits: Vec<racers::RacerEdit>,
    actions: Vec<Action>,
    panels: Vec<(&'static str, egui::Rect)>,
}

impl Default for RaceView {
    fn default() -> Self {
        let settings = Settings::default();
        let surface = settings.check().expect("the default settings are valid (tested)");
        let mut view = Self {
            race: Race::new(surface, settings.start, Vec::new(), None),
            edits: Vec::new(),
            settings,
            surface_error: None,
            playing: false,
            wants_network: false,
            play_accum: 0.0,
            heat: heatmap::HeatMap::default(),
            plot: plot::PlotState::default(),
            actions: Vec::new(),
            panels: Vec::new(),
        };
        view.rebuild();
        view
    }
}

impl RaceView {
    /// The loss chart, the learning-rate chart and the leaderboard side by side. The leaderboard keeps the room its
    /// columns need (its texts are never cut); the two charts share the rest, at least 300 points (narrower, the
    /// row scrolls).
    fn charts_ui(&mut self, ui: &mut egui::Ui) {
        let w = ui.available_width().max(LEADERBOARD_WIDTH + 300.0);
        // the board takes the room its names and progress need, whole, while the charts keep 300 points
        let needed = leaderboard::width_needed(ui, &self.settings, &self.race);
        let board = (w * 0.47).max(LEADERBOARD_WIDTH).max(needed).min(w - 300.0);
        let charts = w - board - 2.0 * ui.spacing().item_spacing.x - 12.0;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(charts * 0.62);
                loss::ui(ui, &self.settings, &self.race);
            });
            ui.separator();
            ui.vertical(|ui| {
                ui.set_width(charts * 0.38);
                lr::ui(ui, &self.settings, &self.race);
            });
            ui.separator();
            ui.vertical(|ui| leaderboard::ui(ui, &mut self.settings, &self.race));
        });
    }

    /// Queues an action, as a panel does (applied at the end of the frame, or by [`RaceView::apply_actions`]).
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Sets up a lesson step's race: its surface (a preset with its region, or an expression plotted around the
    /// start), its start and its racers, at step 0. Errors say what does not fit.
    pub fn show_lesson(&mut self, view: &crate::lesson::RaceView, _status: &mut Status) -> Result<(), String> {
        // the lesson module builds the race as `chainrule race` does: its surface, region and start are the ones shown
        let race = crate::lesson::build_race(view)?;
        self.settings.source = view.surface.trim().to_owned();
        // the surface's "Surface f(x, y) = …" is the race view's message, not the lesson's: an error comes back as Err
        self.apply(Action::ApplyExpression, &mut Status::default());
        if let Some((_, e)) = &self.surface_error {
            return Err(format!("the lesson's surface: {e}"));
        }
        self.settings.domain = race.surface.domain;
        self.settings.start = race.start;
        self.settings.racers = race
            .racers
            .iter()
            .enumerate()
            .map(|(i, r)| RacerConfig { spec: r.setup.spec, schedule: r.setup.schedule, color: lineups::color(i) })
            .collect();
        self.settings.inspected = self.settings.racers.len().saturating_sub(1);
        self.settings.steps = 0;
        self.playing = false;
        self.rebuild();
        Ok(())
    }

    /// Applies the queued actions now.
    pub fn apply_actions(&mut self, status: &mut Status) {
        for action in std::mem::take(&mut self.actions) {
            self.apply(action, status);
        }
    }

    /// How many times the surface grid has been computed (it must not be per frame).
    pub fn grid_builds(&self) -> usize {
        self.heat.builds
    }

    /// How long the last grid, texture and contours took.
    pub fn last_grid_time(&self) -> std::time::Duration {
        self.heat.last_build
    }

    /// Where a point of the surface was drawn in the last frame (for tests that click the plot).
    pub fn screen_pos(&self, p: [f64; 2]) -> Option<egui::Pos2> {
        self.plot.screen_pos(p)
    }

    fn apply(&mut self, action: Action, status: &mut Status) {
        match action {
            Action::PickPreset(i) => {
                let Some(p) = PRESETS.get(i) else { return };
                let surface = Surface::preset(p.name).expect("a preset always builds");
                self.settings.surface = p.name.to_owned();
                self.settings.source = p.expr.to_owned();
                self.settings.domain = p.domain;
                self.settings.log_scale = p.log_scale;
                self.settings.start = p.start;
                self.settings.threshold = threshold_for(surface, p.minima);
                self.settings.steps = 0;
                self.surface_error = None;
                self.playing = false;
                self.rebuild();
                status.info(format!("Surface '{}': {}.", p.name, p.note));
            }
            Action::ApplyExpression => self.apply_expression(status),
            Action::SetDomain(d) => {
                self.settings.domain = d;
                self.rebuild();
            }
            Action::SetStart(p) => {
                self.settings.start = p;
                self.settings.steps = 0;
                self.playing = false;
                self.rebuild();
                if !self.settings.domain.contains(p) {
                    status.error("The start lies outside the plotted region: every racer stops at once. Move it in.");
                }
            }
            Action::LoadLineup(i) => {
                let Some(racers) = lineups::racers(i, &self.settings.surface) else { return };
                self.settings.inspected = racers.len() - 1;
                self.settings.racers = racers;
                self.settings.steps = 0;
                self.playing = false;
                self.rebuild();
                status.info(format!("Line-up '{}'. {}", lineups::LINEUPS[i].name, lineups::LINEUPS[i].about));
            }
            Action::AddRacer => {
                if self.settings.racers.len() >= MAX_RACERS {
                    status.error(format!("At most {MAX_RACERS} racers: remove one first."));
                    return;
                }
                let lr = lineups::Lrs::for_surface(&self.settings.surface).adam;
                let mut spec = OptimSpec::default();
                spec.set_lr(lr);
                let used: Vec<[u8; 3]> = self.settings.racers.iter().map(|r| r.color).collect();
                let color =
                    lineups::COLORS.iter().copied().find(|c| !used.contains(c)).unwrap_or(lineups::color(used.len()));
                self.settings.racers.push(RacerConfig { spec, schedule: Schedule::default(), color });
                self.settings.inspected = self.settings.racers.len() - 1;
                self.rebuild();
            }
            Action::RemoveRacer(i) => {
                if i < self.settings.racers.len() {
                    self.settings.racers.remove(i);
                    if self.settings.inspected >= i && self.settings.inspected > 0 {
                        self.settings.inspected -= 1;
                    }
                    self.rebuild();
                }
            }
            Action::SetSpec(i, spec) => {
                if let Some(r) = self.settings.racers.get_mut(i) {
                    r.spec = spec;
                    self.rebuild();
                }
            }
            Action::SetSchedule(i, schedule) => {
                if let Some(r) = self.settings.racers.get_mut(i) {
                    r.schedule = schedule;
                    self.rebuild();
                }
            }
            Action::SetNoise(n) => {
                self.settings.noise = n;
                self.rebuild();
            }
            Action::Step(n) => {
                self.playing = false;
                self.step(n, status);
            }
            Action::TogglePlay => {
                self.playing = !self.playing && !self.race.finished();
                self.play_accum = 0.0;
                if self.race.finished() {
                    status.info("Every racer has stopped: press Reset to race again.");
                }
            }
            Action::ThisNetwork => self.wants_network = true,
            Action::Reset => {
                self.settings.steps = 0;
                self.playing = false;
                self.race.reset();
            }
        }
    }

    /// Takes `n` steps (fewer at the step limit).
    fn step(&mut self, n: usize, status: &mut Status) {
        let n = n.min(MAX_STEPS - self.settings.steps);
        if n == 0 {
            self.playing = false;
            status.info(format!("The race stops at {MAX_STEPS} steps: press Reset to race again."));
            return;
        }
        self.race.run(n);
        self.settings.steps += n;
    }

    /// Compiles the expression field; on success it becomes the shown surface (a preset's name picks the preset),
    /// on failure the error is kept and the last good surface stays.
    fn apply_expression(&mut self, status: &mut Status) {
        let source = self.settings.source.trim().to_owned();
        if let Some(i) = PRESETS.iter().position(|p| p.name == source) {
            self.apply(Action::PickPreset(i), status);
            return;
        }
        match Surface::from_expr(&source) {
            Ok(_) => {
                self.settings.surface = source.clone();
                self.settings.steps = 0;
                self.surface_error = None;
                self.playing = false;
                self.rebuild();
                status.info(format!("Surface f(x, y) = {source}."));
            }
            Err(e) => {
                status.error(
                    "The expression has an error (see under the field); the plot shows the last surface that worked.",
                );
                self.surface_error = Some((self.settings.source.clone(), e.to_string()));
            }
        }
    }

    /// Builds the race from the settings and replays the steps taken.
    fn rebuild(&mut self) {
        let surface = match self.settings.check() {
            Ok(s) => s,
            // the settings are checked on the way in, so only a bug gets here: keep the race as it is
            Err(_) => return,
        };
        let setups = self.settings.racers.iter().map(|r| RacerSetup { spec: r.spec, schedule: r.schedule }).collect();
        let noise = self.settings.noise.enabled.then_some((self.settings.noise.sigma, self.settings.noise.seed));
        self.race = Race::new(surface, self.settings.start, setups, noise);
        self.settings.steps = self.settings.steps.min(MAX_STEPS);
        self.race.run(self.settings.steps);
        self.settings.inspected = self.settings.inspected.min(self.settings.racers.len().saturating_sub(1));
        self.edits = self.settings.racers.iter().map(racers::RacerEdit::of).collect();
    }

    /// Keyboard shortcuts, unless a text field has the keyboard: Space plays or pauses, the right arrow steps,
    /// Home resets.
    fn keys(&mut self, ui: &egui::Ui) {
        if ui.ctx().text_edit_focused() {
            return;
        }
        ui.input_mut(|i| {
            let none = egui::Modifiers::NONE;
            if i.consume_key(none, egui::Key::Space) {
                self.actions.push(Action::TogglePlay);
            }
            // every press counts, auto-repeat included: several can arrive in one frame
            let steps = i.count_and_consume_key(none, egui::Key::ArrowRight);
            if steps > 0 {
                self.actions.push(Action::Step(steps as _));
            }
            if i.consume_key(none, egui::Key::Home) {
                self.actions.push(Action::Reset);
            }
        });
    }

    fn playback(&mut self, ui: &egui::Ui, status: &mut Status) {
        if !self.playing {
            return;
        }
        if self.race.finished() {
            self.playing = false;
            status.info(format!("Every racer has stopped, at step {}.", self.settings.steps));
            return;
        }
        let dt = ui.input(|i| i.stable_dt).min(0.1);
        self.play_accum += dt * self.settings.speed;
        let n = self.play_accum.floor();
        if n >= 1.0 {
            self.play_accum -= n;
            self.step(n as usize, status);
        }
        ui.ctx().request_repaint();
    }
}

/// A racer's name in legends and tables: its spec, and its schedule unless constant.
pub fn racer_name(setup: &RacerSetup) -> String {
    if setup.schedule == Schedule::default() {
        setup.spec.to_string()
    } else {
        format!("{} · {}", setup.spec, setup.schedule)
    }
}

/// `text` cut to `max` characters, with an ellipsis when cut: for names in narrow columns (the whole name is in the
/// racer's card and the hover text).
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A leaderboard threshold that means "at the minimum" on this surface: 1e-3 above its lowest known minimum.
fn threshold_for(mut surface: Surface, minima: &[[f64; 2]]) -> f64 {
    let lowest = minima.iter().map(|&m| surface.value(m)).fold(f64::INFINITY, f64::min);
    if lowest.is_finite() { lowest + 1e-3 } else { -1.0 }
}

impl View for RaceView {
    fn id(&self) -> &'static str {
        "race"
    }

    fn title(&self) -> &'static str {
        "Race"
    }

    fn ui(&mut self, ui: &mut egui::Ui, shell: &mut Shell<'_>) {
        self.keys(ui);
        self.playback(ui, shell.status);
        let dark = ui.visuals().dark_mode;
        self.heat.update(ui.ctx(), &mut self.race.surface, self.settings.log_scale, dark);

        self.panels.clear();
        if !shell.presenting {
            // bounded widths, resizable by drag: at 1280×720 the plot and the leaderboard keep their room
            let range = room::across(ui, 320.0..=460.0);
            let setup = egui::Panel::right("race_setup").resizable(true).default_size(350.0).size_range(range);
            let setup = setup.show(ui, |ui| {
                egui::ScrollArea::both().show(ui, |ui| {
                    picker::ui(ui, &mut self.settings, &self.surface_error, &mut self.actions);
                    ui.separator();
                    racers::ui(ui, &mut self.settings, &self.race, &mut self.edits, &mut self.actions);
                });
            });
            self.panels.push(("setup", setup.response.rect));
        }
        // the controls before the charts: at a projector's zoom their wrapped rows come out of the charts' share, not
        // out of the plot's or over the status line
        // where the view is too low for wrapped rows (300 % on 1280×720: 135 points for the controls, the plot and the
        // charts), the controls keep one row that scrolls sideways, and the charts stay off the status line
        let one_row = ui.available_height() < COMPACT_HEIGHT;
        let controls = egui::Panel::top("race_controls").show(ui, |ui| {
            let (settings, race, playing, actions) = (&mut self.settings, &self.race, self.playing, &mut self.actions);
            if one_row {
                egui::ScrollArea::horizontal()
                    .id_salt("race_controls_scroll")
                    .min_scrolled_height(0.0)
                    .auto_shrink([false, true])
                    .show(ui, |ui| controls::ui(ui, settings, race, playing, true, actions));
            } else {
                controls::ui(ui, settings, race, playing, false, actions);
            }
        });
        self.panels.push(("controls", controls.response.rect));
        // the plot keeps its least height (egui_plot's, about 80 points): on a window too low for both (300 % on
        // 1280×720) the charts give way rather than run over the status line, and come back with the room
        if ui.available_height() - PLOT_LEAST >= CHARTS_LEAST {
            let range = room::down(ui, 160.0..=f32::INFINITY);
            let charts_panel = egui::Panel::bottom("race_charts")
                .resizable(true)
                .default_size(250.0)
                .size_range(range)
                .show(ui, |ui| {
                    ui.add_space(4.0);
                    // at a projector's zoom the row is wider and taller than the panel: it scrolls instead of
                    // covering the setup or the status line
                    egui::ScrollArea::both().show(ui, |ui| self.charts_ui(ui));
                });
            self.panels.push(("charts", charts_panel.response.rect));
        }
        // the inspector is the first to go when the window is narrow (a projector's zoom): the plot keeps its room
        if !shell.presenting && !room::is_narrow(ui.ctx()) {
            let range = room::across(ui, 260.0..=420.0);
            let inspector = egui::Panel::right("race_inspector").resizable(true).default_size(300.0).size_range(range);
            let inspector = inspector.show(ui, |ui| {
                egui::ScrollArea::both().show(ui, |ui| inspector::ui(ui, &mut self.settings, &self.race));
            });
            self.panels.push(("inspector", inspector.response.rect));
        }
        let plot = egui::CentralPanel::default().show(ui, |ui| {
            plot::ui(ui, &mut self.plot, &self.heat, &self.settings, &self.race, &mut self.actions);
        });
        self.panels.push(("plot", plot.response.rect));

        if !self.actions.is_empty() {
            // what was asked changes what is drawn: draw again
            ui.ctx().request_repaint();
        }
        self.apply_actions(shell.status);
    }

    fn shortcuts(&self) -> &'static [(&'static str, &'static str)] {
        SHORTCUTS
    }

    fn panels(&self) -> &[(&'static str, egui::Rect)] {
        &self.panels
    }

    fn save_state(&self) -> serde_json::Value {
        serde_json::to_value(&self.settings).expect("settings are plain data")
    }

    fn load_state(&mut self, state: serde_json::Value) -> Result<(), String> {
        let settings: Settings = serde_json::from_value(state).map_err(|e| e.to_string())?;
        settings.check()?;
        self.settings = settings;
        self.surface_error = None;
        if self.settings.source.trim() != self.settings.surface
            && let Err(e) = Surface::parse(&self.settings.source)
        {
            self.surface_error = Some((self.settings.source.clone(), e.to_string()));
        }
        self.rebuild();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_round_trip() {
        let s = Settings::default();
        assert!(s.check().is_ok());
        let json = serde_json::to_value(&s).expect("serializes");
        let mut v = RaceView::default();
        v.load_state(json).expect("loads");
        assert_eq!(v.settings, s);
    }

    #[test]
    fn a_malformed_state_is_refused_and_the_view_keeps_its_settings() {
        let mut v = RaceView::default();
        let before = v.settings.clone();
        let bad_spec = serde_json::json!({ "racers": [{ "spec": "adam:lr=-1", "color": [1, 2, 3] }] });
        assert!(v.load_state(bad_spec).expect_err("a negative lr").contains("lr=-1"));
        let bad_surface = serde_json::json!({ "surface": "x +* y" });
        assert!(v.load_state(bad_surface).expect_err("malformed").contains("malformed"));
        let bad_domain = serde_json::json!({ "domain": { "x": [1.0, -1.0], "y": [0.0, 1.0] } });
        assert!(v.load_state(bad_domain).expect_err("empty box").contains("min < max"));
        assert!(v.load_state(serde_json::json!([1, 2])).is_err());
        assert_eq!(v.settings, before);
    }

    #[test]
    fn a_saved_race_replays_to_the_same_positions() {
        let mut v = RaceView::default();
        let mut status = Status::default();
        v.push(Action::Step(25));
        v.apply_actions(&mut status);
        let positions: Vec<[f64; 2]> = v.race.racers.iter().map(|r| r.position()).collect();
        let mut w = RaceView::default();
        w.load_state(v.save_state()).expect("loads");
        assert_eq!(w.race.step, 25);
        assert_eq!(w.race.racers.iter().map(|r| r.position()).collect::<Vec<_>>(), positions);
    }

    #[test]
    fn shorten_cuts_with_an_ellipsis() {
        assert_eq!(shorten("adam:lr=0.2", 20), "adam:lr=0.2");
        assert_eq!(shorten("momentum-ewma:lr=0.5", 10), "momentum-…");
    }

    #[test]
    fn a_preset_brings_a_threshold_above_its_minimum() {
        let mut v = RaceView::default();
        let camel = PRESETS.iter().position(|p| p.name == "camel").expect("a preset");
        v.push(Action::PickPreset(camel));
        v.apply_actions(&mut Status::default());
        // the six-hump camel's minima are at f ≈ -1.0316
        assert!((v.settings.threshold - (-1.0316 + 1e-3)).abs() < 1e-4, "{}", v.settings.threshold);
    }
}
