//! The views of the window behind one small trait, registered once (as `egui_demo_lib` does): adding a view is one
//! file implementing [`View`] and one line in [`registry`].

use std::any::Any;

use eframe::egui;

use super::Status;

/// What a view may ask of the frame around it while it draws.
pub struct Shell<'a> {
    /// The status line at the bottom of the window (one message at a time).
    pub status: &'a mut Status,
}

/// Lets tests and the frame reach a view's concrete type; implemented for every `'static` type.
pub trait AsAny {
    /// The view as `Any`, for downcasting.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any_mut(&mut self) -> &mut dyn Any {
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
}

/// Every view, in navigation order. Register a new view here with one line.
pub fn registry() -> Vec<Box<dyn View>> {
    vec![
        Box::new(super::backprop::BackpropView::default()),
        Box::new(super::race::RaceView::default()),
        // The optimizer race, the playground, the labs and the lessons register here as they arrive.
    ]
}
