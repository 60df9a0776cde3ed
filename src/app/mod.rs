//! The window: a left navigation between views, light and dark themes, a status line, and the session kept across
//! restarts. The views live one per module behind [`view::View`]; the frame only routes, persists and reports.
//!
//! Nothing here computes: the views call the engine (`crate::scalar`, `crate::expr`) and the layout
//! (`crate::layout`) and draw what they return.

pub mod backprop;
pub mod race;
pub mod session;
pub mod theme;
pub mod view;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use eframe::egui;

use session::{STORAGE_KEY, Session, load_session};
use view::{Shell, View};

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

/// The application: the views, the navigation and the status line.
pub struct App {
    views: Vec<Box<dyn View>>,
    current: usize,
    dark: bool,
    status: Status,
    screenshot: Option<ScreenshotPlan>,
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
    /// The app with a session's theme, view and view states (a view whose state cannot be read keeps its defaults,
    /// and the status line says so).
    pub fn new(session: Session) -> Self {
        let mut app = Self {
            views: view::registry(),
            current: 0,
            dark: session.dark,
            status: Status::default(),
            screenshot: None,
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
        app
    }

    /// Starts from eframe's storage (or a session file), reporting a store that cannot be read.
    fn from_storage(cc: &eframe::CreationContext<'_>, options: &Options) -> Self {
        let (session, message) = match &options.session_file {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => load_session(Some(&text)),
                Err(e) => {
                    (Session::default(), Some(format!("Could not read the session file {}: {e}", path.display())))
                }
            },
            None => {
                let stored = cc.storage.and_then(|s| s.get_string(STORAGE_KEY));
                load_session(stored.as_deref())
            }
        };
        let mut app = Self::new(session);
        if let Some(m) = message {
            app.status.error(m);
        }
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
            ..Session::default()
        }
    }

    /// The status line's current message.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The first registered view of type `T` (for tests and for views that talk to each other).
    pub fn view_mut<T: View + 'static>(&mut self) -> Option<&mut T> {
        self.views.iter_mut().find_map(|v| (**v).as_any_mut().downcast_mut::<T>())
    }

    /// The whole window's contents: navigation, the open view and the status line. Tests drive this directly.
    pub fn ui_body(&mut self, ui: &mut egui::Ui) {
        ui.ctx().set_theme(if self.dark { egui::Theme::Dark } else { egui::Theme::Light });
        egui::Panel::left("navigation").resizable(false).exact_size(112.0).show(ui, |ui| self.navigation_ui(ui));
        egui::Panel::bottom("status").resizable(false).show(ui, |ui| self.status_ui(ui));
        egui::CentralPanel::default_margins().show(ui, |ui| {
            let mut shell = Shell { status: &mut self.status };
            self.views[self.current].ui(ui, &mut shell);
        });
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
        ui.with_layout(egui::Layout::bottom_up(egui::Align::LEFT), |ui| {
            ui.add_space(6.0);
            let label = if self.dark { "Light theme" } else { "Dark theme" };
            if ui.button(label).on_hover_text("Switch between the light and dark themes").clicked() {
                self.dark = !self.dark;
            }
        });
    }

    fn status_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if self.status.text.is_empty() {
                ui.weak("Ready.");
            } else {
                let color = if self.status.is_error { theme::Palette::of(ui).error } else { ui.visuals().text_color() };
                ui.colored_label(color, &self.status.text);
                if ui.small_button("x").on_hover_text("Dismiss the message").clicked() {
                    self.status = Status::default();
                }
            }
        });
    }

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let Some(plan) = &mut self.screenshot else { return };
        if let Some(image) = plan.image.take() {
            match save_png(&image, None, &plan.path) {
                Ok(()) => eprintln!("screenshot saved to {}", plan.path.display()),
                Err(e) => eprintln!("error: {e}"),
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        plan.frames += 1;
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
        self.screenshot.is_none()
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.screenshot.is_none() {
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

/// Opens the window and runs until it is closed.
pub fn run(options: Options) -> eframe::Result {
    // A screenshot run neither restores nor remembers the window's geometry, so pictures come out the same size.
    let persist_window = options.screenshot.is_none();
    let native = eframe::NativeOptions {
        persist_window,
        viewport: egui::ViewportBuilder::default()
            .with_title("chainrule")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([720.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native("chainrule", native, Box::new(move |cc| Ok(Box::new(App::from_storage(cc, &options)))))
}
