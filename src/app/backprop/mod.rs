//! The backprop view: type a program, watch the forward pass fill the graph with values (green) and the backward pass
//! fill it with gradients (red), one node at a time, with the chain rule spelled out for the current step.
//!
//! Panels, one per file: the program editor and presets ([`editor`]), the graph canvas ([`canvas`]), the timeline
//! ([`timeline`]), the explanation ([`explanation`]), the inputs and the nudge experiment ([`inputs`]), the gradient
//! check ([`gradcheck`]) and the exports ([`export`]). Panels report what the user asked for as [`Action`]s, which
//! the view applies after drawing.

pub mod canvas;
pub mod editor;
pub mod explanation;
pub mod export;
pub mod gradcheck;
pub mod inputs;
pub mod minimap;
pub mod model;
pub mod presets;
pub mod reparse;
pub mod timeline;

use std::collections::BTreeMap;

use eframe::egui;
use serde::{Deserialize, Serialize};

use super::view::{Shell, View};
use model::Model;

/// What the user asked for during a frame; applied once drawing is done.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Compile the editor's text and show it.
    Apply,
    /// Replace the editor's text with a preset and apply it.
    LoadPreset(usize),
    /// Move the cursor by this many steps.
    Step(isize),
    /// Put the cursor here.
    Seek(usize),
    /// Start or stop playback.
    TogglePlay,
    /// Give an input a value.
    SetInput(String, f64),
    /// Forget the edited input values and use the program's.
    ResetInputs,
    /// Show the fused or the expanded graph.
    SetExpanded(bool),
    /// Select a node (for the gradient check).
    Select(Option<u32>),
    /// Fold (true) or unfold a group of nodes, by group id.
    Fold(u32, bool),
    /// Fold or unfold every group.
    FoldAll(bool),
    /// Ask where to write the DOT export (a save dialog), then write it.
    ChooseDot,
    /// Ask where to save the PNG export (a save dialog), then save it.
    ChoosePng,
    /// Write the graph as DOT to the settings' `dot_path`.
    ExportDot,
    /// Save the graph area as a PNG at the settings' `png_path`.
    ExportPng,
}

/// The backprop view's keyboard shortcuts (for the help overlay; [`BackpropView::keys`] handles them).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl+Enter", "apply the program in the editor"),
    ("Space", "play or pause the steps"),
    ("→ / ←", "one step forward / back"),
    ("Home / End", "to the first / the last step"),
    ("scroll, drag", "zoom and move the graph"),
];

/// Shown under the timeline while a text field has the keyboard.
pub const KEYS_IN_EDITOR: &str =
    "Typing: the text field has the keys. Esc or Ctrl+Enter gives them back to the timeline.";

/// The side panel's widest (it can be dragged between 260 points and this, and takes at most
/// [`crate::app::room::SIDE_SHARE`] of the window).
pub const SIDE_MAX: f32 = 440.0;

/// The least height of the explanation under the timeline, in points: at a projector's zoom the bottom panel
/// scrolls to it rather than squeezing it away.
const EXPLANATION_MIN: f32 = 48.0;

/// The part of the view kept across restarts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The editor's text.
    pub source: String,
    /// The last program that compiled and is shown.
    pub applied: String,
    /// Input values edited in the window, by name.
    pub overrides: BTreeMap<String, f64>,
    /// Whether fused gates are shown expanded.
    pub expanded: bool,
    /// The timeline's cursor: the number of steps done.
    pub cursor: usize,
    /// Playback speed in steps per second.
    pub speed: f32,
    /// The nudge experiment's input and step.
    pub nudge_input: String,
    /// The nudge's h.
    pub nudge_h: f64,
    /// log10 of the gradient check's h.
    pub check_log_h: f64,
    /// The node selected for the gradient check.
    pub selected: Option<u32>,
    /// Whether the gradient check panel is open.
    pub check_open: bool,
    /// Where the last DOT export went (the save dialog proposes its name).
    pub dot_path: String,
    /// Where the last PNG export went.
    pub png_path: String,
    /// The shown program's groups folded or unfolded by hand (those that differ from how it opens), by path.
    pub folds: BTreeMap<String, bool>,
}

impl Default for Settings {
    fn default() -> Self {
        let first = presets::PRESETS[0].source().into_owned();
        Self {
            source: first.clone(),
            applied: first,
            overrides: BTreeMap::new(),
            expanded: false,
            cursor: 0,
            speed: 2.0,
            nudge_input: "x".into(),
            nudge_h: 1.0,
            check_log_h: -5.0,
            selected: None,
            check_open: false,
            dot_path: "chainrule-graph.dot".into(),
            png_path: "chainrule-graph.png".into(),
            folds: BTreeMap::new(),
        }
    }
}

/// The backprop view.
pub struct BackpropView {
    /// The persisted settings.
    pub settings: Settings,
    /// The shown program (the last good one).
    pub model: Model,
    /// The editor's text's error, if it does not compile, with the text it belongs to.
    pub error: Option<(String, crate::expr::ProgramError)>,
    /// Compiles the editor's text off the UI thread as the learner types.
    pub reparse: reparse::Reparse,
    /// The latest result of `reparse` that matched the editor's text when it came back.
    checked: Option<reparse::Checked>,
    /// Builds the model of a large program off the UI thread on Apply; the shown model stays until it is ready.
    pub builder: reparse::Builder,
    /// The context of the last frame drawn, for the workers' repaints (none before the first frame: work is done
    /// in place).
    ctx: Option<egui::Context>,
    /// Whether playback is running.
    pub playing: bool,
    play_accum: f32,
    canvas: canvas::Canvas,
    check: gradcheck::CheckCache,
    export: export::Exporter,
    actions: Vec<Action>,
    /// Input values the learner set on the shown graph while a new one was being built off the UI thread: they are
    /// set again on the new graph when it arrives (where it has that input), not lost.
    edited_while_building: BTreeMap<String, f64>,
    /// A restored session's program too large to build before the window opens: its build, sent to the worker at
    /// the first frame (the default graph and "applying…" show until the graph arrives).
    restoring: Option<reparse::BuildJob>,
    /// The settings the session saved, while its program is being built: where to show the graph when it arrives
    /// (timeline, selection), and what a save in the meantime writes, so that quitting early loses nothing.
    restored: Option<Settings>,
    /// Whether the shown graph was opened from elsewhere ([`BackpropView::open_graph`]), not built from the
    /// program: its folds are not the program's to keep.
    opened_graph: bool,
    panels: Vec<(&'static str, egui::Rect)>,
    was_presenting: bool,
    /// The furthest the timeline may go while a lesson's question waits: the last step before the one that would
    /// show the answer ([`crate::lesson::leak::hold`]). None: anywhere.
    hold: Option<usize>,
}

impl Default for BackpropView {
    fn default() -> Self {
        let settings = Settings::default();
        let model = Model::build(&settings.applied, &settings.overrides, settings.expanded)
            .expect("the first preset compiles (tested in presets.rs)");
        Self {
            settings,
            model,
            error: None,
            reparse: reparse::Reparse::default(),
            checked: None,
            builder: reparse::Builder::default(),
            ctx: None,
            playing: false,
            play_accum: 0.0,
            canvas: canvas::Canvas::default(),
            check: gradcheck::CheckCache::default(),
            export: export::Exporter::default(),
            actions: Vec::new(),
            edited_while_building: BTreeMap::new(),
            restoring: None,
            restored: None,
            opened_graph: false,
            panels: Vec::new(),
            was_presenting: false,
            hold: None,
        }
    }
}

impl BackpropView {
    /// The program in the editor, saved as a `.cr` file (the only view with one: the frame's Open and Save reach it
    /// here, not through [`View`]).
    pub fn program(&self) -> &str {
        &self.settings.source
    }

    /// Replaces the program with a file's text and shows it (errors go to `status`).
    pub fn open_program(&mut self, text: &str, status: &mut super::Status) {
        self.settings.source = text.to_owned();
        self.settings.overrides.clear();
        self.apply_source(status, true);
    }

    /// The timeline cursor (steps done).
    pub fn cursor(&self) -> usize {
        self.settings.cursor
    }

    /// Where the graph was drawn in the last frame, in points.
    pub fn graph_rect(&self) -> Option<egui::Rect> {
        self.export.area()
    }

    /// Turns the export requests into paths by asking the save dialog (starting in the last folder); a cancelled
    /// dialog drops its request.
    fn choose_export_paths(&mut self, shell: &mut Shell<'_>) {
        use crate::app::files::{DOT, PNG, with_extension};
        for action in std::mem::take(&mut self.actions) {
            let (title, filter, current, ext, export) = match action {
                Action::ChooseDot => {
                    ("Export the graph as DOT", DOT, &mut self.settings.dot_path, "dot", Action::ExportDot)
                }
                Action::ChoosePng => {
                    ("Save the graph as PNG", PNG, &mut self.settings.png_path, "png", Action::ExportPng)
                }
                other => {
                    self.actions.push(other);
                    continue;
                }
            };
            let name = std::path::Path::new(current.as_str())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match shell.dialogs.pick_save(title, filter, shell.folder.as_deref(), &name) {
                Some(path) => {
                    let path = with_extension(path, ext);
                    *shell.folder = path.parent().map(std::path::Path::to_path_buf);
                    *current = path.display().to_string();
                    self.actions.push(export);
                }
                None => {
                    if let Some(why) = crate::app::files::no_file_message(&*shell.dialogs) {
                        shell.status.error(why);
                    }
                }
            }
        }
    }

    /// Shows a graph built elsewhere, with its groups: a network from [`crate::nn::Mlp::scalar_graph`] (its
    /// `graph`, `loss` and `groups`). The editor keeps its text; Apply (or Reset inputs) shows the program again.
    pub fn open_graph(
        &mut self,
        graph: crate::scalar::Graph,
        output: crate::scalar::NodeId,
        groups: crate::scalar::Groups,
    ) {
        self.builder.cancel();
        (self.restoring, self.restored) = (None, None);
        self.model = Model::from_graph(graph, output, groups, self.settings.expanded);
        self.opened_graph = true;
        self.settings.cursor = 0;
        self.settings.selected = None;
        self.playing = false;
        self.canvas.request_fit();
    }

    /// Whether the graph's camera follows the timeline.
    pub fn follows(&self) -> bool {
        self.canvas.follows(&self.model)
    }

    /// Where node `name` (as a lesson names it) was drawn in the last frame, in points: for pointing at it.
    pub fn node_screen_pos(&self, name: &str) -> Option<egui::Pos2> {
        let id = crate::lesson::find_node(&self.model.program, name)?;
        let p = *self.model.layout.positions.get(self.model.item_of(id))?;
        Some(self.canvas.screen_from_layout(self.graph_rect()?, p))
    }

    /// The graph canvas's camera.
    pub fn canvas_mut(&mut self) -> &mut canvas::Canvas {
        &mut self.canvas
    }

    /// Queues an action, as a panel does (applied at the end of the frame, or by [`BackpropView::apply_actions`]).
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Shows a lesson step's program, fused, at its timeline position: `forward:K` or `backward:K` (K steps of that
    /// pass done), or a node's name (just before that node's backward step). Errors say what does not fit.
    pub fn show_lesson(
        &mut self,
        view: &crate::lesson::BackpropView,
        status: &mut super::Status,
    ) -> Result<(), String> {
        self.settings.expanded = false;
        // the lesson's step is placed on this model: built here, whatever its size
        self.settings.source = view.program.clone();
        self.settings.overrides.clear();
        self.apply_source(status, false);
        if let Some((_, e)) = &self.error {
            return Err(format!("the lesson's program does not compile: {e}"));
        }
        self.hold = None;
        let cursor = crate::lesson::leak::cursor_of(&self.model.program, view.at.as_deref())?;
        self.push(Action::Seek(cursor));
        self.apply_actions(status);
        Ok(())
    }

    /// Holds the timeline at or before `at` (None: lets it go anywhere); the cursor moves back to it if past it.
    pub fn set_hold(&mut self, at: Option<usize>) {
        self.hold = at;
        if let Some(h) = at {
            self.settings.cursor = self.settings.cursor.min(h);
            self.playing &= self.settings.cursor < h;
        }
    }

    /// Where the timeline is held, if it is.
    pub fn hold(&self) -> Option<usize> {
        self.hold
    }

    /// The furthest the cursor may go now.
    fn reach(&self) -> usize {
        self.model.total_steps().min(self.hold.unwrap_or(usize::MAX))
    }

    /// Moves the timeline on (never back) until node `name`'s value (`gradient` false) or its final gradient is
    /// shown: the reveal after a learner's answer.
    pub fn reveal(&mut self, name: &str, gradient: bool, status: &mut super::Status) {
        let Some(id) = crate::lesson::find_node(&self.model.program, name) else { return };
        let forward = self.model.forward.steps.len();
        let target = if gradient {
            forward + self.model.final_after[id.index()].min(self.model.backward.steps.len())
        } else {
            self.model.forward_step[id.index()].saturating_add(1).min(forward)
        };
        if target > self.settings.cursor {
            self.push(Action::Seek(target));
            self.apply_actions(status);
        }
    }

    /// Applies the queued actions now.
    pub fn apply_actions(&mut self, status: &mut super::Status) {
        for action in std::mem::take(&mut self.actions) {
            self.apply(action, status);
        }
    }

    fn apply(&mut self, action: Action, status: &mut super::Status) {
        let total = self.reach();
        match action {
            Action::Apply => {
                // a message about the program shown before (a preset loaded, an error since fixed) is not this one's
                *status = super::Status::default();
                self.apply_source(status, true);
            }
            Action::LoadPreset(i) => {
                if let Some(p) = presets::PRESETS.get(i) {
                    *status = super::Status::default();
                    self.settings.source = p.source().into_owned();
                    self.settings.overrides.clear();
                    self.apply_source(status, true);
                    status.info(format!("Loaded the preset '{}'.", p.name));
                }
            }
            Action::Step(d) => {
                self.settings.cursor = self.settings.cursor.saturating_add_signed(d).min(total);
                self.playing = false;
            }
            Action::Seek(c) => {
                self.settings.cursor = c.min(total);
                self.playing = false;
            }
            Action::TogglePlay => {
                self.playing = !self.playing;
                if self.playing && self.settings.cursor >= total {
                    // at the end it plays again from the start; held short of an answer it stays
                    if total < self.model.total_steps() {
                        self.playing = false;
                    } else {
                        self.settings.cursor = 0;
                    }
                }
                self.play_accum = 0.0;
            }
            Action::SetInput(name, v) => {
                if self.model.set_input(&name, v) {
                    if self.is_applying() {
                        self.edited_while_building.insert(name.clone(), v);
                    }
                    self.settings.overrides.insert(name, v);
                }
            }
            Action::ResetInputs => {
                self.settings.overrides.clear();
                let job = self.job(self.settings.applied.clone(), None);
                self.start(job, status, true);
            }
            // the held position counts the fused graph's steps: while a question waits the graph stays as asked
            Action::SetExpanded(_) if self.hold.is_some() => {
                status.info("The graph stays as the question shows it until you answer.");
            }
            Action::SetExpanded(e) => {
                self.settings.expanded = e;
                self.model.set_expanded(e);
                self.settings.cursor = self.settings.cursor.min(self.model.total_steps());
                self.settings.selected = None;
                self.canvas.request_fit();
            }
            Action::Select(n) => self.settings.selected = n,
            Action::Fold(group, folded) => {
                if self.model.set_folded(group, folded) {
                    self.canvas.focus_group(group);
                    self.keep_folds();
                }
            }
            Action::FoldAll(folded) => {
                self.model.fold_all(folded);
                self.canvas.request_fit();
                self.keep_folds();
            }
            Action::ExportDot => self.export.write_dot(&self.model, &self.settings.dot_path, status),
            Action::ExportPng => self.export.request_png(&self.settings.png_path),
            // the dialogs are answered in `ui`, which has the shell; applied without one, there is nothing to ask
            Action::ChooseDot | Action::ChoosePng => {}
        }
    }

    /// Compiles the editor's text; on success it becomes the shown program (inputs whose literal did not change keep
    /// their edited values), on failure the error is kept and the last good program stays. With `background`, a
    /// program of [`reparse::BACKGROUND_FROM`] statements or more is built on the builder's worker while the old
    /// graph stays in use ([`BackpropView::is_applying`]); it is shown when ready.
    fn apply_source(&mut self, status: &mut super::Status, background: bool) {
        let job = self.job(self.settings.source.clone(), Some(self.model.text_values.clone()));
        self.start(job, status, background);
    }

    /// A build of `source` with the view's overrides, expansion and folds: a new text (`old_text_values` given)
    /// opens as its size says, a rebuild of the shown one keeps its folds.
    fn job(&self, source: String, old_text_values: Option<BTreeMap<String, f64>>) -> reparse::BuildJob {
        let (overrides, expanded) = (self.settings.overrides.clone(), self.settings.expanded);
        let folds = if old_text_values.is_some() { BTreeMap::new() } else { self.settings.folds.clone() };
        reparse::BuildJob { source, overrides, old_text_values, expanded, folds }
    }

    /// Remembers the shown program's folds for the session (not those of a graph opened from elsewhere).
    fn keep_folds(&mut self) {
        if !self.opened_graph {
            self.settings.folds = self.model.fold_changes();
        }
    }

    /// Builds `job` here, or (with `background`, for a large program, once a frame has been drawn) on the worker.
    /// Either way it supersedes a build still under way.
    fn start(&mut self, job: reparse::BuildJob, status: &mut super::Status, background: bool) {
        let ctx =
            self.ctx.as_ref().filter(|_| background && reparse::statements(&job.source) >= reparse::BACKGROUND_FROM);
        self.edited_while_building.clear();
        (self.restoring, self.restored) = (None, None);
        match ctx {
            Some(ctx) => self.builder.build(ctx, job),
            None => {
                self.builder.cancel();
                self.finish(job.run(), status);
            }
        }
    }

    /// Whether a model is being built off the UI thread (the shown one is the previous program's), or a restored
    /// session's large program waits for the first frame to start its build.
    pub fn is_applying(&self) -> bool {
        self.builder.building().is_some() || self.restoring.is_some()
    }

    /// Starts the build of a restored session's large program on the worker.
    fn start_restore(&mut self, ctx: &egui::Context) {
        if let Some(job) = self.restoring.take() {
            self.edited_while_building.clear();
            self.builder.build(ctx, job);
        }
    }

    /// Shows a built model: a new text (Apply) starts its timeline at 0 and is fitted; a rebuild of the shown text
    /// (new input values) keeps the cursor. An error is kept for the editor, and the last good program stays.
    fn finish(&mut self, built: reparse::Built, status: &mut super::Status) {
        let reparse::Built { job, result } = built;
        let fresh = job.old_text_values.is_some();
        match result {
            Ok(mut model) => {
                if model.expanded != self.settings.expanded {
                    // the learner switched while the model was being built
                    model.set_expanded(self.settings.expanded);
                }
                self.model = model;
                self.opened_graph = false;
                self.keep_folds();
                self.settings.overrides = job.overrides;
                // values set on the old graph during the build are the learner's latest: set them on the new one
                for (name, v) in std::mem::take(&mut self.edited_while_building) {
                    if self.model.set_input(&name, v) {
                        self.settings.overrides.insert(name, v);
                    }
                }
                // an error the checker found in a text typed after this Apply stays for the editor
                if !self.error.as_ref().is_some_and(|(text, _)| *text == self.settings.source && *text != job.source) {
                    self.error = None;
                }
                self.settings.applied = job.source;
                if fresh {
                    self.settings.cursor = 0;
                    self.settings.selected = None;
                    self.playing = false;
                    self.canvas.request_fit();
                    if !self.model.inputs.iter().any(|(n, _)| *n == self.settings.nudge_input) {
                        self.settings.nudge_input =
                            self.model.inputs.first().map(|(n, _)| n.clone()).unwrap_or_default();
                    }
                } else if let Some(saved) = self.restored.take() {
                    // a restored session's program: where the session left it
                    self.settings.cursor = saved.cursor.min(self.model.total_steps());
                    self.settings.selected = saved.selected;
                    self.canvas.request_fit();
                } else {
                    self.settings.cursor = self.settings.cursor.min(self.model.total_steps());
                }
            }
            Err(e) if fresh => {
                status.error(format!("The program has an error ({e}); the graph shows the last program that worked."));
                self.error = Some((job.source, e));
            }
            Err(e) => {
                status.error(format!("The saved program no longer compiles: {e}"));
                if self.restored.is_some() {
                    // the editor keeps the saved text and shows where it fails; the default graph stays, and the
                    // session is saved as it was until another program is applied
                    self.error = Some((job.source, e));
                }
            }
        }
    }

    /// Keyboard shortcuts: Ctrl+Enter applies the program (even while typing); Space, ← → and Home/End step, unless a
    /// text field has the keyboard (then they type).
    fn keys(&mut self, ui: &egui::Ui) {
        let apply = ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
        if apply {
            self.push(Action::Apply);
        }
        if ui.ctx().text_edit_focused() {
            // Ctrl+Enter and Esc hand the keys back to the timeline (egui's text field lets go on Esc by itself)
            let leave = apply || ui.input(|i| i.key_pressed(egui::Key::Escape));
            if leave {
                ui.memory_mut(|m| m.focused().map(|id| m.surrender_focus(id)));
            }
            return;
        }
        let total = self.model.total_steps();
        ui.input_mut(|i| {
            let none = egui::Modifiers::NONE;
            if i.consume_key(none, egui::Key::Space) {
                self.actions.push(Action::TogglePlay);
            }
            // every press counts, auto-repeat included: several can arrive in one frame
            let (right, left) = (
                i.count_and_consume_key(none, egui::Key::ArrowRight),
                i.count_and_consume_key(none, egui::Key::ArrowLeft),
            );
            if right > 0 {
                self.actions.push(Action::Step(right as isize));
            }
            if left > 0 {
                self.actions.push(Action::Step(-(left as isize)));
            }
            if i.consume_key(none, egui::Key::Home) {
                self.actions.push(Action::Seek(0));
            }
            if i.consume_key(none, egui::Key::End) {
                self.actions.push(Action::Seek(total));
            }
        });
    }

    /// Takes what the checker compiled: a result for the editor's current text sets or clears its error; a result
    /// for a text since changed is dropped.
    fn take_checks(&mut self) {
        for c in self.reparse.poll() {
            if c.text == self.settings.source {
                self.error = c.result.as_ref().err().map(|e| (c.text.clone(), e.clone()));
                self.checked = Some(c);
            }
        }
    }

    fn playback(&mut self, ui: &egui::Ui) {
        if !self.playing {
            return;
        }
        let total = self.reach();
        let dt = ui.input(|i| i.stable_dt).min(0.1);
        self.play_accum += dt * self.settings.speed;
        while self.play_accum >= 1.0 {
            self.play_accum -= 1.0;
            self.settings.cursor = (self.settings.cursor + 1).min(total);
        }
        if self.settings.cursor >= total {
            self.playing = false;
        } else {
            ui.ctx().request_repaint();
        }
    }
}

impl View for BackpropView {
    fn id(&self) -> &'static str {
        "backprop"
    }

    fn title(&self) -> &'static str {
        "Backprop"
    }

    fn ui(&mut self, ui: &mut egui::Ui, shell: &mut Shell<'_>) {
        if self.ctx.is_none() {
            self.ctx = Some(ui.ctx().clone());
        }
        if self.restoring.is_some() {
            self.start_restore(&ui.ctx().clone());
        }
        self.take_checks();
        let was_applying = self.is_applying();
        match self.builder.poll() {
            Some(built) => self.finish(built, shell.status),
            None if was_applying && !self.is_applying() => {
                // the worker stopped without an answer (a bug in the build): say so; the next Apply starts another
                shell.status.error("The new graph could not be built; the graph shows the last program that worked.");
            }
            None => {}
        }
        self.keys(ui);
        self.playback(ui);
        self.export.poll(ui.ctx(), shell.status);

        self.panels.clear();
        if shell.presenting != self.was_presenting {
            // entering or leaving presentation mode: the graph fills its new room
            self.was_presenting = shell.presenting;
            self.canvas.request_fit();
        }
        if !shell.presenting {
            // a bounded width (drag to resize): a long line scrolls inside the editor instead of widening the panel
            let side = egui::Panel::right("backprop_side")
                .resizable(true)
                .default_size(320.0)
                .size_range(side_range(ui))
                .show(ui, |ui| {
                    // both ways: at a projector's zoom a table wider than the panel scrolls inside it instead of
                    // widening the panel past the window's edge (text still wraps to the panel's width)
                    egui::ScrollArea::both().id_salt("backprop_side_scroll").show(ui, |ui| {
                        let checked = self.checked.as_ref();
                        let (reparse, actions) = (&mut self.reparse, &mut self.actions);
                        let applying = self.builder.building();
                        editor::ui(
                            ui,
                            &mut self.settings,
                            &self.model,
                            &self.error,
                            checked,
                            applying,
                            reparse,
                            actions,
                        );
                        ui.separator();
                        inputs::ui(ui, &mut self.settings, &mut self.model, &mut self.actions);
                        ui.separator();
                        gradcheck::ui(ui, &mut self.settings, &mut self.model, &mut self.check, &mut self.actions);
                    });
                });
            self.panels.push(("side", side.response.rect));
        }
        let bottom_range = bottom_range(ui);
        let bottom = egui::Panel::bottom("backprop_bottom")
            .resizable(true)
            .default_size(225.0)
            .size_range(bottom_range)
            .show(ui, |ui| {
                // at a projector's zoom the wrapped controls can be taller than the panel: the panel scrolls, and
                // nothing runs past it (at 100 % the explanation takes the room left and nothing else scrolls)
                let outer = egui::ScrollArea::vertical()
                    .id_salt("backprop_bottom_scroll")
                    .auto_shrink([false, false])
                    .min_scrolled_height(0.0);
                outer.show(ui, |ui| {
                    ui.add_space(4.0);
                    // the controls wrap; what still does not fit scrolls sideways, never past the panel
                    egui::ScrollArea::horizontal().id_salt("timeline_scroll").show(ui, |ui| {
                        timeline::ui(ui, &mut self.settings, &self.model, self.playing, self.hold, &mut self.actions);
                    });
                    if ui.ctx().text_edit_focused() {
                        // where the keys go is never a guess: Space and the arrows type while a text field has them
                        ui.weak(KEYS_IN_EDITOR);
                    }
                    ui.separator();
                    let explanation =
                        egui::ScrollArea::both().id_salt("explanation_scroll").min_scrolled_height(EXPLANATION_MIN);
                    explanation.auto_shrink([false, false]).show(ui, |ui| {
                        explanation::ui(ui, &mut self.model, self.settings.cursor);
                    });
                });
            });
        self.panels.push(("bottom", bottom.response.rect));
        let graph = egui::CentralPanel::default().show(ui, |ui| {
            let rect = self.canvas.ui(ui, &mut self.model, &self.settings, &mut self.actions);
            self.export.set_area(rect, ui.ctx().pixels_per_point());
        });
        self.panels.push(("graph", graph.response.rect));

        if !self.actions.is_empty() {
            // what was asked changes what is drawn: draw again
            ui.ctx().request_repaint();
        }
        self.choose_export_paths(shell);
        self.apply_actions(shell.status);
    }

    fn shortcuts(&self) -> &'static [(&'static str, &'static str)] {
        SHORTCUTS
    }

    fn panels(&self) -> &[(&'static str, egui::Rect)] {
        &self.panels
    }

    fn is_busy(&self) -> bool {
        self.is_applying()
    }

    fn save_state(&self) -> serde_json::Value {
        match &self.restored {
            // the restored program is still being built: the session as it was, with the editor's text of now
            Some(saved) => {
                let mut settings = saved.clone();
                settings.source.clone_from(&self.settings.source);
                serde_json::to_value(&settings).expect("settings are plain data")
            }
            None => serde_json::to_value(&self.settings).expect("settings are plain data"),
        }
    }

    fn load_state(&mut self, state: serde_json::Value) -> Result<(), String> {
        let mut settings: Settings = serde_json::from_value(state).map_err(|e| e.to_string())?;
        let edited_since = settings.source != settings.applied;
        if reparse::statements(&settings.applied) >= reparse::BACKGROUND_FROM {
            // too large to build before the window opens (a 10 000-statement program takes about 2 s): the shown
            // graph stays until the worker has built it; the session's settings wait for it
            let saved = settings.clone();
            let job = reparse::BuildJob {
                source: std::mem::replace(&mut settings.applied, self.settings.applied.clone()),
                overrides: std::mem::replace(&mut settings.overrides, self.settings.overrides.clone()),
                old_text_values: None,
                expanded: settings.expanded,
                folds: settings.folds.clone(),
            };
            self.builder.cancel();
            (self.restoring, self.restored) = (Some(job), Some(saved));
            (settings.cursor, settings.selected) = (0, None);
            self.settings = settings;
            if let Some(ctx) = self.ctx.clone() {
                self.start_restore(&ctx);
            }
        } else {
            let mut model = Model::build(&settings.applied, &settings.overrides, settings.expanded)
                .map_err(|e| format!("the saved program does not compile: {e}"))?;
            model.apply_fold_changes(&settings.folds);
            self.builder.cancel();
            (self.restoring, self.restored) = (None, None);
            self.settings = settings;
            self.model = model;
            self.opened_graph = false;
            self.keep_folds();
            self.settings.cursor = self.settings.cursor.min(self.model.total_steps());
        }
        if edited_since && let Err(e) = crate::expr::compile(&self.settings.source, &[]) {
            self.error = Some((self.settings.source.clone(), e));
        }
        self.canvas.request_fit();
        Ok(())
    }
}

/// The program panel's width range: [`crate::app::room::across`]'s share of the window, in points that shrink with a
/// zoom above 100 % (never below [`SIDE_ZOOMED_MIN`]): on a projector the program scrolls in its panel and the
/// graph, the picture the class looks at, is drawn no smaller than at 100 %.
fn side_range(ui: &egui::Ui) -> egui::Rangef {
    let zoom = ui.ctx().zoom_factor().max(1.0);
    let r = crate::app::room::across(ui, 260.0..=SIDE_MAX);
    let narrow = |w: f32| (w / zoom).max(SIDE_ZOOMED_MIN).min(r.max);
    egui::Rangef::new(narrow(r.min), narrow(r.max))
}

/// The timeline and explanation panel's height range: [`crate::app::room::down`]'s share of the window, in points
/// that shrink with a zoom above 100 % (never below [`BOTTOM_ZOOMED_MIN`]; the panel scrolls), for the same reason as
/// [`side_range`].
fn bottom_range(ui: &egui::Ui) -> egui::Rangef {
    let zoom = ui.ctx().zoom_factor().max(1.0);
    let r = crate::app::room::down(ui, 120.0..=f32::INFINITY);
    let low = |h: f32| (h / zoom).max(BOTTOM_ZOOMED_MIN).min(r.max);
    egui::Rangef::new(low(r.min), low(r.max))
}

/// The lowest the bottom panel gets at a projector's zoom, in points: the timeline's row and a line of explanation.
const BOTTOM_ZOOMED_MIN: f32 = 70.0;

/// The narrowest the program panel gets at a projector's zoom, in points.
const SIDE_ZOOMED_MIN: f32 = 160.0;
