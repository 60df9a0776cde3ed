//! What the window remembers across restarts: the theme, the open view and each view's own state, stored as one JSON
//! string in eframe's storage. A store that is corrupted or from another format version is reported and replaced,
//! never trusted and never a crash.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The key under which the session lives in eframe's storage.
pub const STORAGE_KEY: &str = "chainrule.session";

/// The format version written now; a store with another one is replaced.
pub const SESSION_VERSION: u32 = 1;

/// The persisted session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The format version ([`SESSION_VERSION`] when written by this build).
    pub version: u32,
    /// Whether the dark theme is on.
    pub dark: bool,
    /// The id of the open view.
    pub view: String,
    /// Each view's state by view id.
    pub views: BTreeMap<String, serde_json::Value>,
    /// The interface's scale (Ctrl+plus, Ctrl+minus, Ctrl+0).
    #[serde(default = "one")]
    pub zoom: f32,
    /// Recent program files, newest first.
    #[serde(default)]
    pub recent: Vec<PathBuf>,
    /// The folder where the next file dialog starts.
    #[serde(default)]
    pub folder: Option<PathBuf>,
    /// The program file the editor is tied to.
    #[serde(default)]
    pub file: Option<PathBuf>,
}

fn one() -> f32 {
    1.0
}

impl Default for Session {
    fn default() -> Self {
        Self {
            version: SESSION_VERSION,
            dark: false,
            view: String::new(),
            views: BTreeMap::new(),
            zoom: 1.0,
            recent: Vec::new(),
            folder: None,
            file: None,
        }
    }
}

impl Session {
    /// The session as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a session is plain data and always serializes")
    }
}

/// Reads a stored session. Nothing stored gives the default silently; a store that cannot be read, or was written
/// in another format version, gives the default and a message for the status line.
pub fn load_session(stored: Option<&str>) -> (Session, Option<String>) {
    let Some(text) = stored else { return (Session::default(), None) };
    // Look at the version first, so an old format is named as such rather than as a parse error.
    let version = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("version").and_then(serde_json::Value::as_u64));
    match version {
        Some(v) if v != u64::from(SESSION_VERSION) => (
            Session::default(),
            Some(format!(
                "The saved session is from another version of chainrule (format {v}, this one reads {SESSION_VERSION}); \
                 starting fresh."
            )),
        ),
        _ => match serde_json::from_str::<Session>(text) {
            Ok(s) => (s, None),
            Err(e) => (Session::default(), Some(format!("The saved session could not be read ({e}); starting fresh."))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_stored_is_a_quiet_default() {
        assert_eq!(load_session(None), (Session::default(), None));
    }

    #[test]
    fn a_session_round_trips() {
        let mut s = Session { dark: true, view: "backprop".into(), ..Session::default() };
        s.views.insert("backprop".into(), serde_json::json!({ "cursor": 3 }));
        assert_eq!(load_session(Some(&s.to_json())), (s, None));
    }

    #[test]
    fn a_corrupted_store_is_reported_and_replaced() {
        let (s, msg) = load_session(Some("{\"version\": 1, \"dark\": tru"));
        assert_eq!(s, Session::default());
        assert!(msg.expect("a message").contains("could not be read"));
        let (s, msg) = load_session(Some("\u{0}\u{1}garbage"));
        assert_eq!(s, Session::default());
        assert!(msg.is_some());
    }

    #[test]
    fn an_old_format_is_reported_and_replaced() {
        let (s, msg) = load_session(Some("{\"version\": 0, \"theme\": \"dark\"}"));
        assert_eq!(s, Session::default());
        assert!(msg.expect("a message").contains("another version"));
    }

    #[test]
    fn a_wrongly_typed_field_is_reported() {
        let (s, msg) = load_session(Some("{\"version\": 1, \"dark\": \"yes\", \"view\": \"x\", \"views\": {}}"));
        assert_eq!(s, Session::default());
        assert!(msg.is_some());
    }
}
