//! Files the window reads and writes through the system's dialogs: program files (`.cr`, the same text the command
//! line reads with `@file`) and the graph's exports. The dialogs sit behind [`FileDialogs`] so that tests answer them
//! ([`ScriptedDialogs`]); the window uses the desktop's own ([`SystemDialogs`], through `rfd` and the XDG desktop
//! portal). The open program file, its unsaved state and the recent-files list live in [`Document`] and [`Recent`].

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// What a dialog offers to pick: a name and the extensions (without the dot).
#[derive(Clone, Copy, Debug)]
pub struct FileFilter {
    /// The filter's name in the dialog.
    pub name: &'static str,
    /// Extensions without the dot.
    pub extensions: &'static [&'static str],
}

/// chainrule programs.
pub const PROGRAMS: FileFilter = FileFilter { name: "chainrule program", extensions: &["cr"] };
/// Graphviz DOT text.
pub const DOT: FileFilter = FileFilter { name: "Graphviz DOT", extensions: &["dot", "gv"] };
/// PNG images.
pub const PNG: FileFilter = FileFilter { name: "PNG image", extensions: &["png"] };

/// Asks the user for a file; `None` when they cancel.
pub trait FileDialogs {
    /// A file to open, starting in `folder`.
    fn pick_open(&mut self, title: &str, filter: FileFilter, folder: Option<&Path>) -> Option<PathBuf>;
    /// A file to write, starting in `folder` with `name` proposed.
    fn pick_save(&mut self, title: &str, filter: FileFilter, folder: Option<&Path>, name: &str) -> Option<PathBuf>;
    /// Why no dialog can open here, if that is known (said in the status line when a dialog gave nothing).
    fn unavailable(&self) -> Option<String> {
        None
    }
}

/// What the status line says when a dialog gave no file: nothing for a cancel, the reason when none could open.
pub fn no_file_message(dialogs: &dyn FileDialogs) -> Option<String> {
    dialogs.unavailable()
}

/// The desktop's dialogs (through the XDG desktop portal on Linux: no GTK needed). Each call blocks until the
/// dialog closes; where no portal runs, the dialog cannot open and the call returns `None`.
#[derive(Default)]
pub struct SystemDialogs;

impl FileDialogs for SystemDialogs {
    fn pick_open(&mut self, title: &str, filter: FileFilter, folder: Option<&Path>) -> Option<PathBuf> {
        let mut d = rfd::FileDialog::new().set_title(title).add_filter(filter.name, filter.extensions);
        if let Some(f) = folder {
            d = d.set_directory(f);
        }
        d.pick_file()
    }

    fn pick_save(&mut self, title: &str, filter: FileFilter, folder: Option<&Path>, name: &str) -> Option<PathBuf> {
        let mut d =
            rfd::FileDialog::new().set_title(title).add_filter(filter.name, filter.extensions).set_file_name(name);
        if let Some(f) = folder {
            d = d.set_directory(f);
        }
        d.save_file()
    }

    fn unavailable(&self) -> Option<String> {
        // the portal is reached over the D-Bus session bus: its address, or the default socket under XDG_RUNTIME_DIR
        let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
            || std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| Path::new(&d).join("bus").exists());
        (cfg!(target_os = "linux") && !bus).then(|| {
            "No file dialog could open: the desktop's file dialogs need a D-Bus session and the XDG desktop portal \
             (xdg-desktop-portal), and neither is running here. Drop a .cr file on the window to open it."
                .to_owned()
        })
    }
}

/// Dialogs answered from a queue, for tests: each call takes the next answer (`None` = cancel, also when the queue is
/// empty) and records what was asked.
#[derive(Clone, Debug, Default)]
pub struct ScriptedDialogs {
    /// The answers, in order.
    pub answers: VecDeque<Option<PathBuf>>,
    /// Each call's title and starting folder.
    pub asked: Vec<(String, Option<PathBuf>)>,
    /// Plays dialogs that cannot open, with this reason.
    pub unavailable: Option<String>,
}

impl FileDialogs for ScriptedDialogs {
    fn pick_open(&mut self, title: &str, _filter: FileFilter, folder: Option<&Path>) -> Option<PathBuf> {
        self.asked.push((title.to_owned(), folder.map(Path::to_path_buf)));
        self.answers.pop_front().flatten()
    }

    fn pick_save(&mut self, title: &str, _filter: FileFilter, folder: Option<&Path>, _name: &str) -> Option<PathBuf> {
        self.asked.push((title.to_owned(), folder.map(Path::to_path_buf)));
        self.answers.pop_front().flatten()
    }

    fn unavailable(&self) -> Option<String> {
        self.unavailable.clone()
    }
}

/// `path` with `ext` added when it has no extension (a save dialog may return a bare name).
pub fn with_extension(path: PathBuf, ext: &str) -> PathBuf {
    if path.extension().is_some() { path } else { path.with_extension(ext) }
}

/// The program file the editor is tied to, and its text as last read or written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The file, or `None` for a program that lives only in the session.
    pub path: Option<PathBuf>,
    /// The file's text as last read or written.
    pub saved: String,
}

impl Document {
    /// Whether `text` (the editor's) differs from the file. A program tied to no file is kept by the session across
    /// restarts, so it has nothing to lose.
    pub fn is_dirty(&self, text: &str) -> bool {
        self.path.is_some() && text != self.saved
    }

    /// The file's name, for the title.
    pub fn name(&self) -> Option<String> {
        self.path
            .as_ref()
            .map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into()))
    }

    /// The window title: the file's name, `*` before it with unsaved changes.
    pub fn title(&self, text: &str) -> String {
        match self.name() {
            Some(name) if self.is_dirty(text) => format!("*{name} — chainrule"),
            Some(name) => format!("{name} — chainrule"),
            None => "chainrule".into(),
        }
    }
}

/// Reads a program file (`.cr`): plain UTF-8 text.
pub fn read_program(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("Could not open {}: {e}", path.display()))
}

/// Writes a program file.
pub fn write_program(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("Could not save {}: {e}", path.display()))
}

/// The most recent files listed.
pub const RECENT_MAX: usize = 8;

/// Recently opened or saved program files, newest first, without duplicates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recent(pub Vec<PathBuf>);

impl Recent {
    /// Puts `path` first.
    pub fn touch(&mut self, path: &Path) {
        self.0.retain(|p| p != path);
        self.0.insert(0, path.to_path_buf());
        self.0.truncate(RECENT_MAX);
    }

    /// Forgets `path` (it could not be opened).
    pub fn forget(&mut self, path: &Path) {
        self.0.retain(|p| p != path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_files_are_newest_first_without_duplicates_and_bounded() {
        let mut r = Recent::default();
        for i in 0..10 {
            r.touch(Path::new(&format!("{i}.cr")));
        }
        r.touch(Path::new("5.cr"));
        assert_eq!(r.0.len(), RECENT_MAX);
        assert_eq!(r.0[0], Path::new("5.cr"));
        assert_eq!(r.0[1], Path::new("9.cr"));
        assert_eq!(r.0.iter().filter(|p| *p == Path::new("5.cr")).count(), 1);
        r.forget(Path::new("5.cr"));
        assert_eq!(r.0[0], Path::new("9.cr"));
    }

    #[test]
    fn the_title_names_the_file_and_marks_unsaved_changes() {
        let mut d = Document::default();
        assert_eq!(d.title("x = 1"), "chainrule");
        assert!(!d.is_dirty("x = 1"));
        d.path = Some(PathBuf::from("/tmp/neuron.cr"));
        d.saved = "x = 1".into();
        assert_eq!(d.title("x = 1"), "neuron.cr — chainrule");
        assert_eq!(d.title("x = 2"), "*neuron.cr — chainrule");
    }

    #[test]
    fn a_bare_name_gets_the_extension() {
        assert_eq!(with_extension(PathBuf::from("a"), "cr"), PathBuf::from("a.cr"));
        assert_eq!(with_extension(PathBuf::from("a.txt"), "cr"), PathBuf::from("a.txt"));
    }
}
