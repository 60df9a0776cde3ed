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
pub mod lessons;
pub mod playground;
pub mod race;
pub mod session;
pub mod theme;
pub mod view;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use eframe::egui;

use files::{Document, FileDialogs, Recent, SystemDialogs};
use session::{STORAGE_KEY, Session, StoreCheck, load_session};
use view::{Shell, View};

/// Every view, in navigation order. Register a new view here with one line.
pub fn registry() -> Vec<Box<dyn View>> {
    vec![
        Box::new(backprop::BackpropView::default()),
        Box::new(race::RaceView::default()),
        Box::new(lessons::LessonsView::default()),
        Box::new(playground::PlaygroundView::default()),
        // The labs register here as they arrive.
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

/// What waits for an answer to the unsaved-changes prompt.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    /// Closing the window.
    Close,
    /// Opening a file (`None`: ask for it with the open dialog).
    Open(Option<PathBuf>),
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

/// The `--screenshot` run: wait for the layout to settle, take one screenshot, save it, close.
struct ScreenshotPlan {
    path: PathBuf,
    frames: u32,
    requested: bool,
    image: ScreenshotSlot,
}

/// Where a requested screenshot of the window lands when it arrives (a frame or two later).
#[derive(Clone, Default)]
pub struct ScreenshotSlot(Arc<Mutex<Option<Arc<egui::ColorImage>>>>);

impl ScreenshotSlot {
    /// Asks for a screenshot of the window; it arrives in this slot and wakes the next frame.
    pub fn request(&self, ctx: &egui::Context) {
        let slot = self.0.clone();
        let waker = ctx.clone();
        ctx.request_screenshot(move |image| {
            if let Ok(mut s) = slot.lock() {
                *s = Some(image);
            }
            waker.request_repaint();
        });
    }

    /// The screenshot, once it has arrived.
    pub fn take(&self) -> Option<Arc<egui::ColorImage>> {
        self.0.lock().map(|mut s| s.take()).unwrap_or(None)
    }
}

/// Frames to wait before the `--screenshot` picture: enough for fonts, the layout and the fit to settle.
const SETTLE_FRAMES: u32 = 20;

impl Default for App {
    fn default() -> Self {
        Self::new(Session::default())
    }
}

impl App {
    /// The app with a session's theme, view, view states, zoom, recent files and program file (a view whose state
    /// cannot be read keeps its defaults, and the status line says so), using the system's file dialogs.
    pub fn new(session: Session) -> Self {
        Self::with_dialogs(session, Box::new(SystemDialogs))
    }

    /// [`App::new`] with other file dialogs (tests answer them with [`files::ScriptedDialogs`]).
    pub fn with_dialogs(session: Session, dialogs: Box<dyn FileDialogs>) -> Self {
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
                    (Session::default(), Some(format!("Could not read the session file {}: {e}", path.display())))
                }
            },
            None if check.problem.is_some() => (Session::default(), None),
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
            app.screenshot = Some(ScreenshotPlan {
                path: path.clone(),
                frames: 0,
                requested: false,
                image: ScreenshotSlot::default(),
            });
        }
        app
    }

    /// The session as it would be saved now.
    pub fn session(&self) -> Session {
        Session {
            dark: self.dark,
            view: self.views[self.current].id().to_owned(),
            views: self.views.iter().map(|v| (v.id().to_owned(), v.save_state())).collect(),
            zoom: self.zoom,
            recent: self.recent.0.clone(),
            folder: self.folder.clone(),
            file: self.document.path.clone(),
            ..Session::default()
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

    fn program_view(&self) -> Option<usize> {
        self.views.iter().position(|v| v.program().is_some())
    }

    fn program_text(&self) -> Option<&str> {
        self.program_view().and_then(|i| self.views[i].program())
    }

    fn is_dirty(&self) -> bool {
        self.program_text().is_some_and(|t| self.document.is_dirty(t))
    }

    /// The whole window's contents: navigation, the open view, the status line and the overlays. Tests drive this.
    pub fn ui_body(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        ctx.set_theme(if self.dark { egui::Theme::Dark } else { egui::Theme::Light });
        // the frame handles the zoom keys itself, so the factor is known, bounded and saved with the session
        ctx.options_mut(|o| o.zoom_with_keyboard = false);
        if (ctx.zoom_factor() - self.zoom).abs() > 1e-4 {
            ctx.set_zoom_factor(self.zoom);
        }
        self.keys(ui);
        self.dropped_files(ui);
        if ui.input(|i| i.viewport().close_requested()) {
            self.commands.push(Command::RequestClose);
        }

        self.panels.clear();
        if !self.presenting {
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
        if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
            drop_hint_ui(&ctx);
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

    /// A `.cr` file dropped on the window opens (after the unsaved-changes prompt), a `.safetensors` model shows
    /// its network; anything else is refused in words.
    fn dropped_files(&mut self, ui: &egui::Ui) {
        let dropped = ui.input(|i| i.raw.dropped_files.clone());
        for file in dropped {
            let path = file.path().to_path_buf();
            let is = |ext: &str| path.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext));
            if is("cr") {
                self.commands.push(Command::OpenPath(path));
            } else if is("safetensors") && self.views[self.current].id() == "playground" {
                // on the playground, a model is trained on from its weights
                if let Some(v) = self.view_mut::<playground::PlaygroundView>() {
                    v.push(playground::Action::OpenModelPath(path));
                }
            } else if is("safetensors") {
                self.commands.push(Command::OpenModel(path));
            } else {
                self.status.error(format!(
                    "{} is not a program file or a model: chainrule opens .cr files (the text `chainrule eval @file` \
                     reads) and .safetensors models (`chainrule train --save`).",
                    path.display()
                ));
            }
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

    /// Goes on with `pending` at once if nothing is unsaved, or asks first.
    fn ask_then(&mut self, pending: Pending, ctx: &egui::Context) {
        if self.is_dirty() {
            self.prompt = Some(pending);
        } else {
            self.proceed(pending, ctx);
        }
    }

    fn proceed(&mut self, pending: Pending, ctx: &egui::Context) {
        match pending {
            Pending::Close => {
                self.close_allowed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Pending::Open(Some(path)) => self.open(&path),
            Pending::Open(None) => {
                match self.dialogs.pick_open("Open a program", files::PROGRAMS, self.folder.as_deref()) {
                    Some(path) => self.open(&path),
                    None => {
                        if let Some(why) = files::no_file_message(&*self.dialogs) {
                            self.status.error(why);
                        }
                    }
                }
            }
        }
    }

    /// Opens a program file in the view that edits programs, and switches to it.
    fn open(&mut self, path: &Path) {
        let Some(i) = self.program_view() else { return };
        match files::read_program(path) {
            Ok(text) => {
                self.current = i;
                self.views[i].open_program(&text, &mut self.view_status[i]);
                self.document = Document { path: Some(path.to_path_buf()), saved: text };
                self.recent.touch(path);
                self.folder = path.parent().map(Path::to_path_buf);
                self.status.info(format!("Opened {}.", path.display()));
            }
            Err(e) => {
                self.recent.forget(path);
                self.status.error(e);
            }
        }
    }

    /// Shows a model file's network in the backprop view, unrolled into scalars at the input 0 (class 0). The file
    /// is checked before anything is built from it; a refused one is named in the status line with its reason.
    fn open_model(&mut self, path: &Path) {
        let refused = |e: &dyn std::fmt::Display| format!("The model was not opened: {e}");
        let meta = match crate::nn::store::inspect(path, None) {
            Ok(meta) => meta,
            Err(e) => return self.status.error(refused(&e)),
        };
        let parameters = meta.spec.parameter_count();
        if parameters > MAX_DRAWN_PARAMETERS {
            return self.status.error(format!(
                "The model {} has {parameters} parameters; the window draws networks of up to \
                 {MAX_DRAWN_PARAMETERS} as scalar graphs (`chainrule predict --model` reads it).",
                path.display()
            ));
        }
        let (mlp, _) = match crate::nn::Mlp::<f64>::open(path, None) {
            Ok(opened) => opened,
            Err(e) => return self.status.error(refused(&e)),
        };
        let x = vec![0.0; mlp.spec.inputs];
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
        let net = mlp.scalar_graph(&x, &[0], crate::nn::Mode::Eval, &mut rng);
        let backprop = self
            .views
            .iter_mut()
            .enumerate()
            .find_map(|(i, v)| (**v).as_any_mut().downcast_mut::<backprop::BackpropView>().map(|view| (i, view)));
        if let Some((i, view)) = backprop {
            view.open_graph(net.graph, net.loss, net.groups);
            self.current = i;
            self.status.info(format!(
                "Opened the model {} ({}, {parameters} parameters): its graph at the input 0, class 0.",
                path.display(),
                meta.spec.describe()
            ));
        }
    }

    /// Saves the program to its file, or to one asked for (always with `ask`). Returns whether it was saved.
    fn save(&mut self, ask: bool) -> bool {
        let Some(text) = self.program_text().map(str::to_owned) else { return false };
        let path = match (&self.document.path, ask) {
            (Some(p), false) => p.clone(),
            _ => {
                let name = self.document.name().unwrap_or_else(|| "program.cr".into());
                match self.dialogs.pick_save("Save the program", files::PROGRAMS, self.folder.as_deref(), &name) {
                    Some(p) => files::with_extension(p, "cr"),
                    None => {
                        if let Some(why) = files::no_file_message(&*self.dialogs) {
                            self.status.error(why);
                        }
                        return false;
                    }
                }
            }
        };
        match files::write_program(&path, &text) {
            Ok(()) => {
                self.status.info(format!("Saved {}.", path.display()));
                self.recent.touch(&path);
                self.folder = path.parent().map(Path::to_path_buf);
                self.document = Document { path: Some(path), saved: text };
                true
            }
            Err(e) => {
                self.status.error(e);
                false
            }
        }
    }

    /// The unsaved-changes prompt: Save changes, Don't save or Cancel.
    fn prompt_ui(&mut self, ctx: &egui::Context) {
        let name = self.document.name().unwrap_or_default();
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("unsaved_changes")).show(ctx, |ui| {
            ui.set_max_width(380.0);
            ui.heading(format!("Save the changes to {name}?"));
            ui.label(
                "The program in the editor differs from the file. Without saving, the changes stay in the editor \
                      but not in the file.",
            );
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Save changes").clicked() {
                    answer = Some(0);
                }
                if ui.button("Don't save").clicked() {
                    answer = Some(1);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(2);
                }
            });
        });
        if modal.should_close() && answer.is_none() {
            answer = Some(2);
        }
        let Some(answer) = answer else { return };
        let pending = self.prompt.take().expect("the prompt is shown only with a question");
        match answer {
            0 if !self.save(false) => {} // the save failed or was cancelled: stay
            0 | 1 => self.proceed(pending, ctx),
            _ => {}
        }
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
            let messages = [&self.status, &self.view_status[self.current]].iter().filter(|s| !s.text.is_empty()).count();
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

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let settled = self.is_settled();
        let Some(plan) = &mut self.screenshot else { return };
        if let Some(image) = plan.image.take() {
            match save_png(&image, None, &plan.path) {
                Ok(()) => eprintln!("screenshot saved to {}", plan.path.display()),
                Err(e) => eprintln!("error: {e}"),
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        // a graph still being built (a restored session's large program) is waited for, then left to settle
        plan.frames = if settled { plan.frames + 1 } else { 0 };
        if plan.frames >= SETTLE_FRAMES && !plan.requested {
            plan.requested = true;
            plan.image.request(ctx);
        }
        ctx.request_repaint();
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

/// Saves a screenshot (or the part of it inside `crop`, in physical pixels `[x, y, w, h]`) as a PNG.
pub fn save_png(image: &egui::ColorImage, crop: Option<[usize; 4]>, path: &std::path::Path) -> Result<(), String> {
    let [w, h] = image.size;
    let [x0, y0, cw, ch] = crop.unwrap_or([0, 0, w, h]);
    let (x0, y0) = (x0.min(w), y0.min(h));
    let (cw, ch) = (cw.min(w - x0), ch.min(h - y0));
    if cw == 0 || ch == 0 {
        return Err("nothing to save: the area is empty".into());
    }
    let mut out = image::RgbaImage::new(cw as u32, ch as u32);
    for y in 0..ch {
        for x in 0..cw {
            let c = image.pixels[(y0 + y) * w + x0 + x];
            out.put_pixel(x as u32, y as u32, image::Rgba(c.to_srgba_unmultiplied()));
        }
    }
    out.save(path).map_err(|e| format!("could not write {}: {e}", path.display()))
}

/// While a file is dragged over the window: what dropping it does.
fn drop_hint_ui(ctx: &egui::Context) {
    let layer = egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop_hint"));
    let painter = ctx.layer_painter(layer);
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(150));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop a .cr program file to open it, or a .safetensors model to see its network",
        egui::FontId::proportional(24.0),
        egui::Color32::WHITE,
    );
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
