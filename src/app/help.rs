//! The keyboard help overlay (F1 or ?): the frame's shortcuts and the open view's, as a table.

use eframe::egui;

/// Draws the overlay over the window; returns whether the user closed it (Close, Esc, F1 or a click outside).
pub fn ui(ctx: &egui::Context, view: &str, view_keys: &[(&str, &str)]) -> bool {
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("keyboard_help")).show(ctx, |ui| {
        ui.set_max_width(520.0);
        ui.heading("Keyboard shortcuts");
        ui.add_space(6.0);
        egui::Grid::new("keyboard_help_table").num_columns(2).striped(true).spacing([16.0, 4.0]).show(ui, |ui| {
            rows_ui(ui, "Everywhere", super::SHORTCUTS);
            rows_ui(ui, view, view_keys);
        });
        ui.weak("Keys that move through steps wait while a text field has the keyboard.");
        ui.add_space(6.0);
        if ui.button("Close").clicked() {
            close = true;
        }
    });
    close || modal.should_close() || ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F1))
}

/// A heading row, then one row per shortcut.
fn rows_ui(ui: &mut egui::Ui, title: &str, keys: &[(&str, &str)]) {
    ui.strong(title);
    ui.end_row();
    for (k, what) in keys {
        ui.monospace(*k);
        ui.label(*what);
        ui.end_row();
    }
}
