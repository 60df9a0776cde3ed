//! The trait every view of the window implements (as `egui_demo_lib` does): adding a view is one file implementing
//! [`View`] and one line in the registry, [`super::registry`]. This file knows no view: the arrows run from the views
//! and the registry to here, never back.

use std::any::Any;
use std::path::PathBuf;

use eframe::egui;

use super::Status;
use super::files::FileDialogs;

/// What a view may ask of the frame around it while it draws.
pub struct Shell<'a> {
    /// This view's message in the status line (one at a time; each view keeps its own).
    pub status: &'a mut Status,
    /// Whether presentation mode is on: hide the side panels, give the graph or the plot the room.
    pub presenting: bool,
    /// The file dialogs (the system's in the window, scripted in tests).
    pub dialogs: &'a mut dyn FileDialogs,
    /// The folder of the last file opened or saved, where the next dialog starts.
    pub folder: &'a mut Option<PathBuf>,
}

/// Lets tests and the frame reach a view's concrete type; implemented for every `'static` type.
pub trait AsAny {
    /// The view as `Any`, for downcasting.
    fn as_any_mut(&mut self) -> &mut dyn Any;
    /// The view as `Any`, for downcasting to read.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One page of the window, chosen in the left navigation.
pub trait View: AsAny {
    /// A stable key for persistence and navigation (never shown, never changed once released).
    fn id(&self) -> &'static str;
    /// The name in the navigation.
    fn title(&self) -> &'static str;
    /// Draws the view into the space right of the navigation, handling its own keyboard shortcuts.
    fn ui(&mut self, ui: &mut egui::Ui, shell: &mut Shell<'_>);
    /// The view's state worth keeping across restarts.
    fn save_state(&self) -> serde_json::Value;
    /// Restores what [`View::save_state`] wrote; on an error the view keeps its defaults and the message is shown.
    fn load_state(&mut self, state: serde_json::Value) -> Result<(), String>;
    /// The view's keyboard shortcuts, as (keys, what they do), for the help overlay.
    fn shortcuts(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    /// Where the view's panels were drawn in the last frame, by name (tests check that nothing is cut off).
    fn panels(&self) -> &[(&'static str, egui::Rect)] {
        &[]
    }
    /// Whether the view is still preparing what it will show (a graph built on a worker): a `--screenshot` run
    /// waits for it.
    fn is_busy(&self) -> bool {
        false
    }
}
