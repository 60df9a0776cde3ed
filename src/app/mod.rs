//! The window: a left navigation between views, light and dark themes, a status line (each view its own message),
//! program files (Open, Save, recent files, the title, the unsaved-changes prompt, drag and drop), model files dropped
//! on the window (their network shown in the backprop view; a file that does not fit is refused in the status line),
//! zoom for the classroom (Ctrl+plus, Ctrl+minus, Ctrl+0, kept across restarts), presentation mode, the keyboard help,
//! and the session kept across restarts (a damaged store kept aside and reported: [`session::check_store`]). The views live one per module behind [`view::View`], listed once in [`registry`];
//! the frame only routes, persists and reports.
//!
//! Nothing here computes: the views call the engine (`crate::scalar`, `crate::expr`) and the layout
//! (`crate::layout`) and draw what they return.

pub mod backprop;
pub mod files;
pub mod help;
pub mod labs;
pub mod landscape;
pub mod lessons;
pub mod open_save;
pub mod playground;
pub mod race;
pub mod room;
pub mod screenshot;
pub mod session;
pub mod theme;
pub mod view;

use std::path::{Path, PathBuf};

use eframe::egui;

use files::{Document, FileDialogs, Recent, SystemDialogs};
use session::{STORAGE_KEY, StoreCheck, StoredSession, load_session};
use view::{Shell, View};

pub use open_save::Pending;
use screenshot::ScreenshotPlan;
pub use screenshot::{ScreenshotSlot, save_png};

/// Every view, in navigation order. Register a new view here with one line.
pub fn registry() -> Vec<Box<dyn View>> {
    vec![
        Box::new(backprop::BackpropView::default()),
        Box::new(race::RaceView::default()),
        Box::new(lessons::LessonsView::default()),
        Box::new(playground::PlaygroundView::default()),
        Box::new(labs::LabsView::default()),
        Box::new(landscape::LandscapeView::default()),
    ]
}

/// One message in the status line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// The text (empty for none).
    pub text: String,
    /// Whether it reports an error (shown in the error colour).
    pub is_error: bool,
}

impl Status {
    /// Shows an informational message.
    pub fn info(&mut self, text: impl Into<String>) {
        *self = Self { text: text.into(), is_error: false };
    }

    /// Shows an error.
    pub fn error(&mut self, text: impl Into<String>) {
        *self = Self { text: text.into(), is_error: true };
    }
}

/// How the window was started.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Save a screenshot of the window here once it has settled, then quit (and persist nothing).
    pub screenshot: Option<PathBuf>,
    /// A session (JSON, as stored) to open instead of the stored one: used to make documentation images.
    pub session_file: Option<PathBuf>,
}

/// The frame's big actions, applied after drawing.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Ask for a program file and open it (after the unsaved-changes prompt).
    Open,
    /// Open this program file (after the unsaved-changes prompt).
    OpenPath(PathBuf),
    /// Open this model file (`chainrule train --save`'s safetensors): its network's graph in the backprop view.
    OpenModel(PathBuf),
    /// Make this CSV file the playground's data (and show the playground).
    OpenCsv(PathBuf),
    /// Save the program to its file (asking for one if it has none).
    Save,
    /// Ask for a file and save the program there.
    SaveAs,
    /// Scale the interface up one step.
    ZoomIn,
    /// Scale the interface down one step.
    ZoomOut,
    /// Back to 100 %.
    ZoomReset,
    /// Presentation mode on or off.
    TogglePresenting,
    /// The keyboard help on or off.
    ToggleHelp,
    /// The window's close button was pressed.
    RequestClose,
}

/// The most parameters a model opened in the window may have: each becomes a node of the backprop view's graph.
pub const MAX_DRAWN_PARAMETERS: usize = 2_000;

/// The interface scale's bounds and step.
pub const ZOOM_RANGE: (f32, f32, f32) = (0.5, 3.0, 0.1);

/// The frame's keyboard shortcuts, for the help overlay.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl+O", "open a program file (.cr)"),
    ("Ctrl+S / Ctrl+Shift+S", "save the program / save it as"),
    ("Ctrl+plus / Ctrl+minus", "scale the whole interface up / down"),
    ("Ctrl+0", "back to 100 %"),
    ("F5", "presentation mode (Esc leaves it)"),
    ("F1 or ?", "this help"),
];

/// The application: the views, the navigation, the status line, the open program file and the window's settings.
pub struct App {
    views: Vec<Box<dyn View>>,
    current: usize,
    dark: bool,
    /// The frame's own message (the session, files, zoom); each view has its own in `view_status`.
    status: Status,
    view_status: Vec<Status>,
    zoom: f32,
    presenting: bool,
    help_open: bool,
    document: Document,
    recent: Recent,
    folder: Option<PathBuf>,
    dialogs: Box<dyn FileDialogs>,
    prompt: Option<Pending>,
    close_allowed: bool,
    title: String,
    commands: Vec<Command>,
    panels: Vec<(&'static str, egui::Rect)>,
    screenshot: Option<ScreenshotPlan>,
    /// A damaged session store could not be kept aside: saving would destroy it, so nothing is saved.
    saving_blocked: bool,
}

impl Default for App {
    fn default() -> Self {
        Self::new(StoredSession::default())
    }
}

impl App {
    /// The app with a session's theme, view, view states, zoom, recent files and program file (a view whose state
    /// cannot be read keeps its defaults, and the status line says so), using the system's file dialogs.
    pub fn new(session: StoredSession) -> Self {
        Self::with_dialogs(session, Box::new(SystemDialogs))
    }

    /// [`App::new`] with other file dialogs (tests answer them with [`files::ScriptedDialogs`]).
    pub fn with_dialogs(session: StoredSession, dialogs: Box<dyn FileDialogs>) -> Self {
        let views = registry();
        let mut app = Self {
            view_status: vec![Status::default(); views.len()],
            views,
            current: 0,
            dark: session.dark,
            status: Status::default(),
            zoom: clamp_zoom(session.zoom),
            presenting: false,
            help_open: false,
            document: Document::default(),
            recent: Recent(session.recent.clone()),
            folder: session.folder.clone(),
            dialogs,
            prompt: None,
            close_allowed: false,
            title: String::new(),
            commands: Vec::new(),
            panels: Vec::new(),
            screenshot: None,
            saving_blocked: false,
        };
        app.current = app.views.iter().position(|v| v.id() == session.view).unwrap_or(0);
        for v in &mut app.views {
            if let Some(state) = session.views.get(v.id())
                && let Err(e) = v.load_state(state.clone())
            {
                app.status
                    .error(format!("The saved state of '{}' could not be read ({e}); using defaults.", v.title()));
            }
        }
        if let Some(path) = session.file {
            // the editor's text came back with the view's state; the file gives what counts as saved
            match files::read_program(&path) {
                Ok(saved) => app.document = Document { path: Some(path), saved },
                Err(e) => app.status.error(format!("{e}; the program is kept, tied to no file.")),
            }
        }
        app
    }

    /// Replaces the file dialogs (tests queue their answers this way).
    pub fn set_dialogs(&mut self, dialogs: Box<dyn FileDialogs>) {
        self.dialogs = dialogs;
    }

    /// The app after [`session::check_store`] found the store damaged: what could be read of the session (each
    /// view's state merged over its defaults, or failing that its text fields alone, such as its program), and the
    /// status line saying what was wrong, where the damaged store is kept and what was recovered.
    pub fn from_damaged(check: &StoreCheck) -> Self {
        let mut recovered = check.recovered.clone().unwrap_or_default();
        let views = std::mem::take(&mut recovered.views);
        let mut app = Self::new(recovered);
        let mut restored = Vec::new();
        for v in &mut app.views {
            let Some(serde_json::Value::Object(state)) = views.get(v.id()) else { continue };
            let over_defaults = |keep: &dyn Fn(&serde_json::Value) -> bool| {
                let mut merged = v.save_state();
                if let Some(m) = merged.as_object_mut() {
                    m.extend(state.iter().filter(|(_, x)| keep(x)).map(|(k, x)| (k.clone(), x.clone())));
                }
                merged
            };
            let (whole, texts) = (over_defaults(&|_| true), over_defaults(&|x| x.is_string()));
            if v.load_state(whole).is_ok() {
                restored.push(v.title().to_owned());
            } else if v.load_state(texts).is_ok() {
                restored.push(format!("the text of {}", v.title()));
            }
        }
        app.saving_blocked = check.saving_blocked;
        if let Some(report) = check.report(Some(&restored)) {
            app.status.error(report);
        }
        app
    }

    /// Starts from eframe's storage (or a session file), reporting a store that cannot be read; `check` is what
    /// [`session::check_store`] found in eframe's file before eframe read it.
    fn from_storage(cc: &eframe::CreationContext<'_>, options: &Options, check: &StoreCheck) -> Self {
        let (session, message) = match &options.session_file {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => load_session(Some(&text)),
                Err(e) => {
                    (StoredSession::default(), Some(format!("Could not read the session file {}: {e}", path.display())))
                }
            },
            None if check.problem.is_some() => (StoredSession::default(), None),
            None => {
                let stored = cc.storage.and_then(|s| s.get_string(STORAGE_KEY));
                load_session(stored.as_deref())
            }
        };
        let mut app = if options.session_file.is_none() && check.problem.is_some() {
            Self::from_damaged(check)
        } else {
            let mut app = Self::new(session);
            app.saving_blocked = check.saving_blocked;
            if let Some(m) = message.or_else(|| check.report(None)) {
                app.status.error(m);
            }
            app
        };
        if let Some(path) = &options.screenshot {
            app.screenshot = Some(ScreenshotPlan::new(path.clone()));
        }
        app
    }

    /// The session as it would be saved now.
    pub fn session(&self) -> StoredSession {
        StoredSession {
            dark: self.dark,
            view: self.views[self.current].id().to_owned(),
            views: self.views.iter().map(|v| (v.id().to_owned(), v.save_state())).collect(),
            zoom: self.zoom,
            recent: self.recent.0.clone(),
            folder: self.folder.clone(),
            file: self.document.path.clone(),
            ..StoredSession::default()
        }
    }

    /// The status line's message as shown now: the open view's own, or else the frame's.
    pub fn status(&self) -> &Status {
        let own = &self.view_status[self.current];
        if own.text.is_empty() { &self.status } else { own }
    }

    /// Whether the open view has what it will show (no graph still being built on a worker): what a `--screenshot`
    /// run waits for before it counts the frames that let the layout settle.
    pub fn is_settled(&self) -> bool {
        !self.views[self.current].is_busy()
    }

    /// The message a view (by id) left in the status line, shown whenever that view is open.
    pub fn status_of(&self, id: &str) -> Option<&Status> {
        self.views.iter().position(|v| v.id() == id).map(|i| &self.view_status[i])
    }

    /// The interface's scale (1 = 100 %).
    pub fn zoom(&self) -> f32 {
        self.zoom
    }

    /// Whether presentation mode is on.
    pub fn is_presenting(&self) -> bool {
        self.presenting
    }

    /// Whether the keyboard help is open.
    pub fn is_help_open(&self) -> bool {
        self.help_open
    }

    /// The program file and its saved text.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The recent program files, newest first.
    pub fn recent(&self) -> &[PathBuf] {
        &self.recent.0
    }

    /// The folder where the next file dialog starts.
    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    /// The question waiting in the unsaved-changes prompt.
    pub fn prompt(&self) -> Option<&Pending> {
        self.prompt.as_ref()
    }

    /// Whether the window may close now (set once the unsaved-changes prompt is answered).
    pub fn may_close(&self) -> bool {
        self.close_allowed || !self.is_dirty()
    }

    /// The window title: the program file's name, marked while it has unsaved changes.
    pub fn title(&self) -> String {
        self.document.title(self.program_text().unwrap_or_default())
    }

    /// Where the frame's panels and the open view's were drawn in the last frame, by name.
    pub fn panels(&self) -> Vec<(&'static str, egui::Rect)> {
        self.panels.iter().chain(self.views[self.current].panels()).copied().collect()
    }

    /// Queues a command, as a button does (applied at the end of the frame).
    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// The first registered view of type `T` (for tests and for views that talk to each other).
    pub fn view_mut<T: View + 'static>(&mut self) -> Option<&mut T> {
        self.views.iter_mut().find_map(|v| (**v).as_any_mut().downcast_mut::<T>())
    }

    /// The whole window's contents: navigation, the open view, the status line and the overlays. Tests drive this.
    pub fn ui_body(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        ctx.set_theme(if self.dark { egui::Theme::Dark } else { egui::Theme::Light });
        // the frame handles the zoom keys itself, so the factor is known, bounded and saved with the session
        ctx.options_mut(|o| o.zoom_with_keyboard = false);
        if (ctx.zoom_factor() - self.zoom).abs() > 1e-4 {
            ctx.set_zoom_factor(self.zoom);
            // the next frame lays out at the new scale (the panels' caps read the window's size in points)
            ctx.request_repaint();
        }
        self.keys(ui);
        self.dropped_files(ui);
        if ui.input(|i| i.viewport().close_requested()) {
            self.commands.push(Command::RequestClose);
        }

        self.panels.clear();
        if !self.presenting && room::is_narrow(&ctx) {
            // a projector's zoom: the column would take a quarter of the width; a wrapping bar with menus takes a row
            let nav = egui::Panel::top("navigation_bar").show(ui, |ui| self.navigation_bar_ui(ui));
            self.panels.push(("navigation", nav.response.rect));
        } else if !self.presenting {
            let nav = egui::Panel::left("navigation")
                .resizable(false)
                .exact_size(112.0)
                .show(ui, |ui| self.navigation_ui(ui));
            self.panels.push(("navigation", nav.response.rect));
        }
        let status = egui::Panel::bottom("status").resizable(false).show(ui, |ui| self.status_ui(ui));
        self.panels.push(("status", status.response.rect));
        egui::CentralPanel::default_margins().show(ui, |ui| {
            let mut shell = Shell {
                status: &mut self.view_status[self.current],
                presenting: self.presenting,
                dialogs: &mut *self.dialogs,
                folder: &mut self.folder,
            };
            self.views[self.current].ui(ui, &mut shell);
        });
        // the playground's "Open as graph" shows a network's unit in the backprop view
        if let Some(g) = self.view_mut::<playground::PlaygroundView>().and_then(|v| v.take_graph())
            && let Some(i) = self.views.iter().position(|v| v.id() == "backprop")
            && let Some(view) = self.views[i].as_any_mut().downcast_mut::<backprop::BackpropView>()
        {
            view.open_graph(g.graph, g.output, g.groups);
            self.current = i;
            ctx.request_repaint();
        }
        self.route_landscape(&ctx);
        if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
            open_save::drop_hint_ui(&ctx);
        }
        if self.help_open {
            let view = &self.views[self.current];
            if help::ui(&ctx, view.title(), view.shortcuts()) {
                self.help_open = false;
            }
        }
        if self.prompt.is_some() {
            self.prompt_ui(&ctx);
        }

        if !self.commands.is_empty() {
            ctx.request_repaint();
        }
        for command in std::mem::take(&mut self.commands) {
            self.apply(command, &ctx);
        }
        let title = self.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// The playground's "Landscape" and the race view's "this network" open the landscape view with the playground's
    /// network (the race's racers with it); an empty landscape view shown takes the playground's network too.
    fn route_landscape(&mut self, ctx: &egui::Context) {
        let Some(li) = self.views.iter().position(|v| v.id() == "landscape") else { return };
        let from_playground =
            self.view_mut::<playground::PlaygroundView>().is_some_and(|p| std::mem::take(&mut p.wants_landscape));
        let race = self.view_mut::<race::RaceView>().filter(|r| r.wants_network).map(|r| {
            r.wants_network = false;
            r.settings.racers.clone()
        });
        let empty = self.current == li
            && self.view_mut::<landscape::LandscapeView>().is_some_and(|l| l.source.is_none() && l.wants_source);
        if !(from_playground || race.is_some() || empty) {
            return;
        }
        let Some(p) = self.view_mut::<playground::PlaygroundView>() else { return };
        let net = p.network().clone();
        let (x, y) = (p.data.train.x.clone(), p.data.train.y.clone());
        let batch = p.settings.setup.batch;
        let title = format!("{} on {}", net.spec.describe(), p.settings.setup.dataset);
        let Some(view) = self.views[li].as_any_mut().downcast_mut::<landscape::LandscapeView>() else { return };
        if let Some(racers) = race {
            view.set_racers(racers);
        }
        view.open(net, &x, &y, batch, title, &mut self.view_status[li]);
        self.current = li;
        ctx.request_repaint();
    }

    /// The frame's keys: zoom, files, presentation and help (the views handle their own).
    fn keys(&mut self, ui: &egui::Ui) {
        let typing = ui.ctx().text_edit_focused();
        let modal = self.prompt.is_some();
        ui.input_mut(|i| {
            let (cmd, none) = (egui::Modifiers::COMMAND, egui::Modifiers::NONE);
            let mut push = |c| self.commands.push(c);
            if i.consume_key(cmd, egui::Key::Plus) || i.consume_key(cmd, egui::Key::Equals) {
                push(Command::ZoomIn);
            }
            if i.consume_key(cmd, egui::Key::Minus) {
                push(Command::ZoomOut);
            }
            if i.consume_key(cmd, egui::Key::Num0) {
                push(Command::ZoomReset);
            }
            if modal {
                return;
            }
            if i.consume_key(cmd | egui::Modifiers::SHIFT, egui::Key::S) {
                push(Command::SaveAs);
            }
            if i.consume_key(cmd, egui::Key::S) {
                push(Command::Save);
            }
            if i.consume_key(cmd, egui::Key::O) {
                push(Command::Open);
            }
            if i.consume_key(none, egui::Key::F1) {
                push(Command::ToggleHelp);
            }
            if i.consume_key(none, egui::Key::F5) {
                push(Command::TogglePresenting);
            }
            if !typing {
                let asked = i.events.iter().any(|e| matches!(e, egui::Event::Text(t) if t == "?"));
                if asked {
                    i.events.retain(|e| !matches!(e, egui::Event::Text(t) if t == "?"));
                    push(Command::ToggleHelp);
                }
            }
        });
        if self.presenting
            && !self.help_open
            && !modal
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
        {
            self.commands.push(Command::TogglePresenting);
        }
    }

    fn apply(&mut self, command: Command, ctx: &egui::Context) {
        let (lo, hi, step) = ZOOM_RANGE;
        match command {
            Command::ZoomIn | Command::ZoomOut | Command::ZoomReset => {
                self.zoom = match command {
                    Command::ZoomIn => clamp_zoom(((self.zoom + step) * 10.0).round() / 10.0),
                    Command::ZoomOut => clamp_zoom(((self.zoom - step) * 10.0).round() / 10.0),
                    _ => 1.0,
                };
                ctx.set_zoom_factor(self.zoom);
                let bound = if self.zoom <= lo {
                    " (the smallest)"
                } else if self.zoom >= hi {
                    " (the largest)"
                } else {
                    ""
                };
                self.status.info(format!("Zoom {:.0} %{bound}: Ctrl+plus, Ctrl+minus, Ctrl+0.", self.zoom * 100.0));
            }
            Command::TogglePresenting => {
                self.presenting = !self.presenting;
                if self.presenting {
                    self.status.info("Presentation mode: F5 or Esc leaves it.");
                } else {
                    self.status = Status::default();
                }
            }
            Command::ToggleHelp => self.help_open = !self.help_open,
            Command::Open => self.ask_then(Pending::Open(None), ctx),
            Command::OpenPath(path) => self.ask_then(Pending::Open(Some(path)), ctx),
            Command::OpenModel(path) => self.open_model(&path),
            Command::OpenCsv(path) => {
                let at = self.views.iter_mut().enumerate().find_map(|(i, v)| {
                    (**v).as_any_mut().downcast_mut::<playground::PlaygroundView>().map(|view| (i, view))
                });
                if let Some((i, view)) = at {
                    view.open_csv(&path, &mut self.view_status[i]);
                    self.current = i;
                }
            }
            Command::Save => {
                self.save(false);
            }
            Command::SaveAs => {
                self.save(true);
            }
            Command::RequestClose => {
                if !self.may_close() {
                    ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                    self.prompt = Some(Pending::Close);
                }
            }
        }
    }

    /// The navigation folded into one wrapping row: the views, then File and Window menus.
    fn navigation_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            for (i, v) in self.views.iter().enumerate() {
                if ui.selectable_label(self.current == i, v.title()).clicked() {
                    self.current = i;
                }
            }
            ui.separator();
            ui.menu_button("File", |ui| self.file_menu_ui(ui)).response.on_hover_text("Open and save programs");
            ui.menu_button("Window", |ui| self.window_menu_ui(ui))
                .response
                .on_hover_text("Theme, presentation mode, the keys");
            if let Some(name) = self.document.name() {
                let mark = if self.is_dirty() { "*" } else { "" };
                ui.weak(format!("{mark}{name}"));
            }
        });
    }

    /// The file commands, as a menu's entries.
    fn file_menu_ui(&mut self, ui: &mut egui::Ui) {
        for (label, command) in [("Open…", Command::Open), ("Save", Command::Save), ("Save as…", Command::SaveAs)] {
            if ui.button(label).clicked() {
                self.commands.push(command);
                ui.close();
            }
        }
        ui.add_enabled_ui(!self.recent.0.is_empty(), |ui| {
            ui.menu_button("Recent", |ui| {
                for path in &self.recent.0 {
                    if ui.button(path.display().to_string()).clicked() {
                        self.commands.push(Command::OpenPath(path.clone()));
                        ui.close();
                    }
                }
            });
        });
    }

    /// The window's settings, as a menu's entries.
    fn window_menu_ui(&mut self, ui: &mut egui::Ui) {
        let label = if self.dark { "Light theme" } else { "Dark theme" };
        if ui.button(label).clicked() {
            self.dark = !self.dark;
            ui.close();
        }
        if ui.button("Present").on_hover_text("F5").clicked() {
            self.commands.push(Command::TogglePresenting);
            ui.close();
        }
        if ui.button("Keys").on_hover_text("F1 or ?").clicked() {
            self.commands.push(Command::ToggleHelp);
            ui.close();
        }
        ui.weak(format!("zoom {:.0} %: Ctrl+plus, Ctrl+minus, Ctrl+0", self.zoom * 100.0));
    }

    fn navigation_ui(&mut self, ui: &mut egui::Ui) {
        ui.add_space(6.0);
        ui.heading("chainrule");
        ui.add_space(10.0);
        for (i, v) in self.views.iter().enumerate() {
            if ui.selectable_label(self.current == i, v.title()).clicked() {
                self.current = i;
            }
        }
        ui.add_space(10.0);
        ui.separator();
        if let Some(name) = self.document.name() {
            let mark = if self.is_dirty() { "*" } else { "" };
            ui.add(egui::Label::new(egui::RichText::new(format!("{mark}{name}")).small()).truncate())
                .on_hover_text(self.document.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
        }
        if ui.button("Open…").on_hover_text("Open a program file (Ctrl+O)").clicked() {
            self.commands.push(Command::Open);
        }
        if ui.button("Save").on_hover_text("Save the program (Ctrl+S)").clicked() {
            self.commands.push(Command::Save);
        }
        if ui.button("Save as…").on_hover_text("Save the program to another file (Ctrl+Shift+S)").clicked() {
            self.commands.push(Command::SaveAs);
        }
        ui.add_enabled_ui(!self.recent.0.is_empty(), |ui| {
            ui.menu_button("Recent", |ui| {
                for path in &self.recent.0 {
                    if ui.button(path.display().to_string()).clicked() {
                        self.commands.push(Command::OpenPath(path.clone()));
                        ui.close();
                    }
                }
            })
            .response
            .on_hover_text("Programs opened or saved lately");
        });
        ui.with_layout(egui::Layout::bottom_up(egui::Align::LEFT), |ui| {
            ui.add_space(6.0);
            let label = if self.dark { "Light theme" } else { "Dark theme" };
            if ui.button(label).on_hover_text("Switch between the light and dark themes").clicked() {
                self.dark = !self.dark;
            }
            if ui.button("Present").on_hover_text("Hide the side panels for the projector (F5)").clicked() {
                self.commands.push(Command::TogglePresenting);
            }
            if ui.button("Keys").on_hover_text("The keyboard shortcuts (F1 or ?)").clicked() {
                self.commands.push(Command::ToggleHelp);
            }
            ui.weak(format!("zoom {:.0} %", self.zoom * 100.0)).on_hover_text("Ctrl+plus, Ctrl+minus, Ctrl+0");
        });
    }

    fn status_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if self.presenting && ui.small_button("Leave presentation").on_hover_text("F5 or Esc").clicked() {
                self.commands.push(Command::TogglePresenting);
            }
            let error = theme::Palette::of(ui).error;
            let mut shown = false;
            let messages =
                [&self.status, &self.view_status[self.current]].iter().filter(|s| !s.text.is_empty()).count();
            // each message gets its share of the line, less its dismiss button; a longer one is elided, and the
            // whole text shows on hover
            let share = (ui.available_width() / messages.max(1) as f32 - 30.0).max(40.0);
            for (status, what) in [(&mut self.status, "frame"), (&mut self.view_status[self.current], "view")] {
                if status.text.is_empty() {
                    continue;
                }
                shown = true;
                let color = if status.is_error { error } else { ui.visuals().text_color() };
                ui.scope(|ui| {
                    ui.set_max_width(share);
                    ui.add(egui::Label::new(egui::RichText::new(&status.text).color(color)).truncate())
                        .on_hover_text(&status.text);
                });
                if ui.small_button("x").on_hover_text(format!("Dismiss the {what}'s message")).clicked() {
                    *status = Status::default();
                }
            }
            if !shown {
                ui.weak("Ready.");
            }
        });
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_body(ui);
        let ctx = ui.ctx().clone();
        self.screenshot_step(&ctx);
    }

    fn persist_egui_memory(&self) -> bool {
        // a screenshot run must look the same every time: no panel sizes or scroll offsets from earlier sessions
        self.screenshot.is_none() && !self.saving_blocked
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.screenshot.is_none() && !self.saving_blocked {
            storage.set_string(STORAGE_KEY, self.session().to_json());
        }
    }
}

/// `z` within [`ZOOM_RANGE`] (1 for a value that is not a number).
fn clamp_zoom(z: f32) -> f32 {
    if z.is_finite() { z.clamp(ZOOM_RANGE.0, ZOOM_RANGE.1) } else { 1.0 }
}

/// Where eframe keeps the window's store (`$XDG_DATA_HOME/chainrule/app.ron` on Linux, else
/// `~/.local/share/chainrule/app.ron`).
pub fn store_path() -> Option<PathBuf> {
    eframe::storage_dir("chainrule").map(|d| d.join("app.ron"))
}

/// Opens the window and runs until it is closed.
pub fn run(options: Options) -> eframe::Result {
    // before eframe reads its file: a damaged one is kept aside and reported, never silently overwritten
    let check = store_path().map(|p| session::check_store(&p, std::time::SystemTime::now())).unwrap_or_default();
    // A screenshot run neither restores nor remembers the window's geometry, so pictures come out the same size.
    let persist_window = options.screenshot.is_none() && !check.saving_blocked;
    let native = eframe::NativeOptions {
        persist_window,
        viewport: egui::ViewportBuilder::default()
            .with_title("chainrule")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([720.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native("chainrule", native, Box::new(move |cc| Ok(Box::new(App::from_storage(cc, &options, &check)))))
}
