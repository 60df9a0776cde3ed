//! The Labs view: the lecture's experiments, one tab per lab, each computed by [`crate::labs`] and drawn by its own
//! file here (`gallery.rs`, `linearity.rs`, `init.rs`, `ewma.rs`, ...). A row of tabs at the top (wrapping at 200 %
//! zoom) leaves the whole width to the lab, which reads better at 1280×720 than seven more entries in the navigation.
//!
//! Adding a lab's tab is one line in [`tabs`]: a type implementing [`LabPanel`]. A lesson's `lab` step opens a tab
//! with the step's settings ([`LabsView::show_lesson`]) and names the quantity its question asks; the tab hides that
//! number (its [`LabContext::hidden`]) until [`LabsView::reveal`] — predict, then reveal. Heavy work runs on a
//! worker ([`Worker`]); the frame only reads what it published.

/// The three [`LabPanel`] methods every lab writes alike, for a lab whose `settings` field holds its
/// [`crate::labs::Lab`] settings: a lesson step of its kind sets them, a restart keeps them, and saved ones the lab
/// refuses are not loaded. Inside `impl LabPanel`, `lab_settings!(Gallery)` names the lab's [`LabStep`] variant.
/// (A trait would need an associated settings type, which `Box<dyn LabPanel>` cannot carry, or per-lab accessors
/// repeating the same shape seven times.)
macro_rules! lab_settings {
    ($step:ident) => {
        fn show_step(&mut self, step: &crate::labs::LabStep) {
            if let crate::labs::LabStep::$step(s) = step {
                self.settings = s.clone();
            }
        }

        fn save_state(&self) -> serde_json::Value {
            serde_json::to_value(&self.settings).expect("plain data")
        }

        fn load_state(&mut self, state: serde_json::Value) -> Result<(), String> {
            self.settings = super::load_settings(state)?;
            Ok(())
        }
    };
}

pub mod batchnorm;
pub mod dropout;
pub mod ewma;
pub mod gallery;
pub mod init;
pub mod linearity;
pub mod preprocessing;

use std::sync::mpsc::{Receiver, TryRecvError, channel};

use eframe::egui;
use serde::{Deserialize, Serialize};

use super::Status;
use super::view::{AsAny, Shell, View};
use crate::labs::LabStep;

/// Every lab's tab, in the order shown. Register a new lab here with one line.
pub fn tabs() -> Vec<Box<dyn LabPanel>> {
    vec![
        Box::new(gallery::GalleryLab::default()),
        Box::new(linearity::LinearityLab::default()),
        Box::new(init::InitLab::default()),
        Box::new(ewma::EwmaLab::default()),
        Box::new(preprocessing::PreprocessingLab::default()),
        Box::new(batchnorm::BatchNormLab::default()),
        Box::new(dropout::DropoutLab::default()),
    ]
}

/// What a lab's tab may use while it draws.
pub struct LabContext<'a> {
    /// The view's status line.
    pub status: &'a mut Status,
    /// The quantity a lesson's question asks (as [`crate::labs`] names it), hidden until the learner has answered.
    pub hidden: Option<&'a str>,
}

/// One lab's tab.
pub trait LabPanel: AsAny {
    /// The lab's id in [`crate::labs`] (`init`), also the key of its saved state.
    fn id(&self) -> &'static str;
    /// The tab's title.
    fn title(&self) -> &'static str;
    /// Draws the lab into the space under the tabs.
    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut LabContext<'_>);
    /// Takes a lesson step's settings (the step is for this lab: its id is [`LabPanel::id`]).
    fn show_step(&mut self, step: &LabStep);
    /// The settings worth keeping across restarts.
    fn save_state(&self) -> serde_json::Value;
    /// Restores [`LabPanel::save_state`]'s output; on an error the tab keeps what it had.
    fn load_state(&mut self, state: serde_json::Value) -> Result<(), String>;
    /// Whether a worker is still computing what the tab will show.
    fn is_busy(&self) -> bool {
        false
    }
}

/// A computation on its own thread: [`Worker::start`] replaces (and so drops) any unfinished one, [`Worker::poll`]
/// returns its result once, without waiting. The worker wakes the window when it is done.
pub struct Worker<T> {
    rx: Option<Receiver<T>>,
}

impl<T> Default for Worker<T> {
    fn default() -> Self {
        Self { rx: None }
    }
}

impl<T: Send + 'static> Worker<T> {
    /// Runs `job` on a new thread; `ctx`, if given, is asked to repaint when the result is ready.
    pub fn start(&mut self, ctx: Option<egui::Context>, job: impl FnOnce() -> T + Send + 'static) {
        let (tx, rx) = channel();
        self.rx = Some(rx);
        std::thread::spawn(move || {
            crate::parallel::cap_this_thread(1); // the UI thread keeps a core
            crate::parallel::yield_to_ui();
            // a send to a dropped receiver (the job was replaced) is a stale result: nobody wants it
            let _ = tx.send(job());
            if let Some(ctx) = ctx {
                ctx.request_repaint();
            }
        });
    }

    /// The result, if it has arrived (once).
    pub fn poll(&mut self) -> Option<T> {
        let rx = self.rx.as_ref()?;
        match rx.try_recv() {
            Ok(v) => {
                self.rx = None;
                Some(v)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.rx = None;
                None
            }
        }
    }

    /// Whether a job is under way.
    pub fn is_running(&self) -> bool {
        self.rx.is_some()
    }
}

/// What the view keeps across restarts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Saved {
    current: String,
    tabs: serde_json::Map<String, serde_json::Value>,
}

/// The Labs view.
pub struct LabsView {
    /// The tabs, as [`tabs`] lists them.
    pub tabs: Vec<Box<dyn LabPanel>>,
    /// The open tab.
    pub current: usize,
    /// The quantity a lesson hides until it is answered.
    pub hidden: Option<String>,
    panels: Vec<(&'static str, egui::Rect)>,
}

impl Default for LabsView {
    fn default() -> Self {
        Self { tabs: tabs(), current: 0, hidden: None, panels: Vec::new() }
    }
}

impl LabsView {
    /// The tab of type `T`, if registered.
    pub fn tab_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.tabs.iter_mut().find_map(|t| t.as_mut().as_any_mut().downcast_mut::<T>())
    }

    /// Opens the step's lab with its settings, hiding `hidden` (the quantity its question asks) until
    /// [`LabsView::reveal`].
    pub fn show_lesson(&mut self, step: &LabStep, hidden: Option<String>) -> Result<(), String> {
        step.check().map_err(|e| e.to_string())?;
        let i = self.tabs.iter().position(|t| t.id() == step.id()).ok_or_else(|| format!("no lab '{}'", step.id()))?;
        self.tabs[i].show_step(step);
        self.current = i;
        self.hidden = hidden;
        Ok(())
    }

    /// Shows what a lesson hid.
    pub fn reveal(&mut self) {
        self.hidden = None;
    }

    fn tabs_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            for (i, t) in self.tabs.iter().enumerate() {
                if ui.selectable_label(i == self.current, t.title()).clicked() {
                    self.current = i;
                }
            }
        });
    }
}

impl View for LabsView {
    fn id(&self) -> &'static str {
        "labs"
    }

    fn title(&self) -> &'static str {
        "Labs"
    }

    fn ui(&mut self, ui: &mut egui::Ui, shell: &mut Shell<'_>) {
        self.panels.clear();
        let top = egui::Panel::top("labs_tabs").show(ui, |ui| self.tabs_ui(ui));
        self.panels.push(("lab tabs", top.response.rect));
        let mut cx = LabContext { status: shell.status, hidden: self.hidden.as_deref() };
        let center = egui::CentralPanel::default().show(ui, |ui| self.tabs[self.current].ui(ui, &mut cx));
        self.panels.push(("lab", center.response.rect));
    }

    fn save_state(&self) -> serde_json::Value {
        let saved = Saved {
            current: self.tabs[self.current].id().to_owned(),
            tabs: self.tabs.iter().map(|t| (t.id().to_owned(), t.save_state())).collect(),
        };
        serde_json::to_value(saved).expect("plain data")
    }

    fn load_state(&mut self, state: serde_json::Value) -> Result<(), String> {
        let saved: Saved = serde_json::from_value(state).map_err(|e| e.to_string())?;
        self.current = self.tabs.iter().position(|t| t.id() == saved.current).unwrap_or(0);
        let mut errors = Vec::new();
        for t in &mut self.tabs {
            if let Some(s) = saved.tabs.get(t.id())
                && let Err(e) = t.load_state(s.clone())
            {
                errors.push(format!("{}: {e}", t.title()));
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
    }

    fn panels(&self) -> &[(&'static str, egui::Rect)] {
        &self.panels
    }

    fn is_busy(&self) -> bool {
        self.tabs[self.current].is_busy()
    }
}

/// A lab's column of controls on the left: 330 points at 100 %, at most [`crate::app::room::SIDE_SHARE`] of the
/// window at a projector's zoom (its contents scroll), so the lab's pictures keep the rest.
pub fn controls_panel(ui: &egui::Ui, id: &'static str) -> egui::Panel {
    let width = crate::app::room::across(ui, 330.0..=330.0).max;
    egui::Panel::left(id).resizable(false).exact_size(width)
}

/// Reads a tab's saved settings, refusing settings the core refuses (so nothing out of range is ever run).
pub fn load_settings<S: serde::de::DeserializeOwned + crate::labs::Lab>(state: serde_json::Value) -> Result<S, String> {
    let s: S = serde_json::from_value(state).map_err(|e| e.to_string())?;
    s.check().map_err(|e| e.to_string())?;
    Ok(s)
}
