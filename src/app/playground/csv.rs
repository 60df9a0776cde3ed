//! A CSV file as the playground's data: the Open CSV… button (the system's open dialog, as the other files) or a
//! `.csv` dropped on the window. The file is untrusted: its size is checked before its text is read
//! ([`crate::data::load_csv_limited`]), and a file with an error is refused with its line and column while the
//! playground keeps the data it had. A file that reads becomes the setup's data set, its text carried in the setup
//! (so a saved setup or a restored session has it) under its path (so "Copy as command" names the same file).

use std::path::Path;

use eframe::egui;

use super::{Action, PlaygroundView};
use crate::app::Status;
use crate::app::view::Shell;
use crate::data::{MAX_CSV_BYTES, load_csv_limited};
use crate::nn::playground::CsvData;

/// CSV files in the dialogs.
pub const CSV_FILES: crate::app::files::FileFilter =
    crate::app::files::FileFilter { name: "CSV table (features, then the label)", extensions: &["csv"] };

/// The button that asks for a CSV file.
pub fn button_ui(ui: &mut egui::Ui, view: &mut PlaygroundView) {
    let tip = "A table of numbers, one example per line, the label in the last column (a header is optional); or \
               drop a .csv file on the window";
    if ui.button("Open CSV…").on_hover_text(tip).clicked() {
        view.push(Action::OpenCsv);
    }
}

/// Answers the Open CSV… actions of this frame through the dialogs.
pub fn files(view: &mut PlaygroundView, shell: &mut Shell<'_>) {
    let asked = view.actions.extract_if(.., |a| *a == Action::OpenCsv).count();
    if asked == 0 {
        return;
    }
    let Some(path) = shell.dialogs.pick_open("Open a CSV table", CSV_FILES, shell.folder.as_deref()) else {
        if let Some(why) = crate::app::files::no_file_message(&*shell.dialogs) {
            shell.status.error(why);
        }
        return;
    };
    *shell.folder = path.parent().map(Path::to_path_buf);
    view.open_csv(&path, shell.status);
}

impl PlaygroundView {
    /// Makes the CSV file at `path` the data; a file that cannot be read, or one with an error, is refused in words
    /// (with its line and column) and the data stay as they were.
    pub fn open_csv(&mut self, path: &Path, status: &mut Status) {
        let (text, data) = match load_csv_limited(path, MAX_CSV_BYTES) {
            Ok(read) => read,
            Err(e) => {
                status.error(format!("The CSV file was not opened: {e}. The playground keeps its data."));
                return;
            }
        };
        let name = path.display().to_string();
        let s = &mut self.settings.setup;
        s.dataset = name.clone();
        s.csv = Some(CsvData { name: name.clone(), text });
        s.edits.clear();
        if data.d != 2 {
            s.features.clear();
        }
        self.points.history.clear();
        self.rebuild(status);
        if self.applied.dataset != name || self.applied.csv_in_use().is_none() {
            // rebuild said why and went back to the setup that worked
            return;
        }
        status.info(format!(
            "Opened {name}: {} rows of {} features, {} classes; {}.",
            data.n(),
            data.d,
            data.classes(),
            self.network().spec.describe()
        ));
    }
}
