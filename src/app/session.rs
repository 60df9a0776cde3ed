//! What the window remembers across restarts: the theme, the open view and each view's own state, stored as one JSON
//! string in eframe's storage. A store that is corrupted or from another format version is reported and replaced,
//! never trusted and never a crash.
//!
//! Nothing the learner made is dropped silently: before eframe reads its file (`app.ron`), [`check_store`] reads it
//! too. A file eframe could not parse (truncated, overwritten with garbage) is moved aside to
//! `app.ron.damaged-<UTC time>`, so that eframe starts clean and its next save cannot overwrite it; a file whose
//! chainrule session alone is damaged (or from another format version) is copied there before the next save
//! replaces the session. Either way the status line says where the copy is, and what can still be read of the
//! session (each view's program text, the theme, the recent files) is recovered from the damaged text
//! ([`recover_session`]). If no copy can be made, the window saves nothing over the file.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// The key under which the session lives in eframe's storage.
pub const STORAGE_KEY: &str = "chainrule.session";

/// The format version written now; a store with another one is replaced.
pub const SESSION_VERSION: u32 = 1;

/// The persisted session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredSession {
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

impl Default for StoredSession {
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

impl StoredSession {
    /// The session as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a session is plain data and always serializes")
    }
}

/// Reads a stored session. Nothing stored gives the default silently; a store that cannot be read, or was written
/// in another format version, gives the default and a message for the status line.
pub fn load_session(stored: Option<&str>) -> (StoredSession, Option<String>) {
    let Some(text) = stored else { return (StoredSession::default(), None) };
    // Look at the version first, so an old format is named as such rather than as a parse error.
    let version = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("version").and_then(serde_json::Value::as_u64));
    match version {
        Some(v) if v != u64::from(SESSION_VERSION) => (
            StoredSession::default(),
            Some(format!(
                "The saved session is from another version of chainrule (format {v}, this one reads {SESSION_VERSION}); \
                 starting fresh."
            )),
        ),
        _ => match serde_json::from_str::<StoredSession>(text) {
            Ok(s) => (s, None),
            Err(e) => {
                (StoredSession::default(), Some(format!("The saved session could not be read ({e}); starting fresh.")))
            }
        },
    }
}

/// What [`check_store`] found in eframe's file before eframe read it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoreCheck {
    /// What is wrong with the store, for the status line (`None`: sound, or nothing stored yet).
    pub problem: Option<String>,
    /// Where the damaged store is kept (`None` when nothing was damaged or no copy could be made).
    pub kept: Option<PathBuf>,
    /// What could be read of the damaged session (views' states may be partial: see [`recover_session`]).
    pub recovered: Option<StoredSession>,
    /// Whether the window must not save: the damaged store could not be kept aside, so a save would destroy it.
    pub saving_blocked: bool,
}

impl StoreCheck {
    /// The status line's report: what was wrong, where the damaged store is kept, and (when given) what was
    /// recovered.
    pub fn report(&self, recovered: Option<&[String]>) -> Option<String> {
        let problem = self.problem.as_ref()?;
        let mut text = problem.clone();
        match (&self.kept, self.saving_blocked) {
            (Some(kept), _) => text += &format!(" The damaged store is kept at {}.", kept.display()),
            (None, true) => text += " It could not be copied aside, so this window saves nothing over it.",
            (None, false) => {}
        }
        match recovered {
            Some([]) => text += " Nothing of the session could be recovered; starting fresh.",
            Some(views) => text += &format!(" Recovered from it: {}.", views.join(", ")),
            None => {}
        }
        Some(text)
    }
}

/// Checks eframe's session store at `path` (its `app.ron`) before eframe reads it, keeping a damaged one beside it
/// as `app.ron.damaged-<now, UTC>` (see the module's doc). A missing file is no problem.
pub fn check_store(path: &Path, now: SystemTime) -> StoreCheck {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return StoreCheck::default(),
        Err(e) => {
            return StoreCheck {
                problem: Some(format!("The saved session store {} could not be read ({e}).", path.display())),
                saving_blocked: true,
                ..StoreCheck::default()
            };
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let kept = damaged_path(path, now);
    match ron::from_str::<HashMap<String, String>>(&text) {
        Ok(store) => {
            let Some(stored) = store.get(STORAGE_KEY) else { return StoreCheck::default() };
            let (_, Some(problem)) = load_session(Some(stored)) else { return StoreCheck::default() };
            // eframe's own entries are sound and stay; the session is copied before the next save replaces it
            let copied = std::fs::copy(path, &kept).is_ok();
            StoreCheck {
                problem: Some(format!("{}.", problem.trim_end_matches("; starting fresh."))),
                kept: copied.then_some(kept),
                recovered: recover_session(stored),
                saving_blocked: !copied,
            }
        }
        Err(e) => {
            // moved aside, so that eframe starts from nothing and its next save writes a new file
            let moved = std::fs::rename(path, &kept).is_ok()
                || (std::fs::copy(path, &kept).is_ok() && std::fs::remove_file(path).is_ok());
            StoreCheck {
                problem: Some(format!(
                    "The saved session store {} is damaged ({}).",
                    path.display(),
                    if bytes.is_empty() {
                        "empty".to_string()
                    } else {
                        format!("cut off or unreadable at line {}, column {}", e.span.start.line, e.span.start.col)
                    }
                )),
                kept: moved.then_some(kept),
                recovered: session_text(&text).and_then(|s| recover_session(&s)),
                saving_blocked: !moved,
            }
        }
    }
}

/// `app.ron.damaged-20261207T180512Z` beside `path` (with `-2`, `-3`, ... if that name is taken).
pub fn damaged_path(path: &Path, now: SystemTime) -> PathBuf {
    let secs = now.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // days since 1970-01-01 to a civil date (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let stamp = format!("{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z", rest / 3_600, rest / 60 % 60, rest % 60);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "app.ron".into());
    let base = path.with_file_name(format!("{name}.damaged-{stamp}"));
    let mut candidate = base.clone();
    let mut k = 2;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{}-{k}", base.display()));
        k += 1;
    }
    candidate
}

/// The session's JSON text inside a damaged RON store: the string after the `"chainrule.session"` key, as far as
/// it goes (a truncated file ends inside it).
fn session_text(ron_text: &str) -> Option<String> {
    let key = format!("\"{STORAGE_KEY}\"");
    let after = &ron_text[ron_text.find(&key)? + key.len()..];
    let literal = after.trim_start().strip_prefix(':')?.trim_start();
    if !literal.starts_with('"') {
        return None;
    }
    // the literal up to its closing quote, or up to the end of a truncated file, cut back past a partial escape
    let mut end = literal.len();
    let mut escaped = false;
    for (i, c) in literal.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => {
                end = i;
                break;
            }
            _ => escaped = false,
        }
    }
    let body = &literal[..end];
    let mut cut = body.len();
    for _ in 0..16 {
        if let Ok(s) = ron::from_str::<String>(&format!("{}\"", &body[..cut])) {
            return Some(s);
        }
        cut = body[..cut].char_indices().next_back().map(|(i, _)| i)?;
    }
    None
}

/// What can still be read of a damaged session's JSON: the whole session if it parses, else the top-level fields
/// that are complete and each view's state as far as it goes (a truncated text is cut back to its last complete
/// member and closed). `None` for nothing readable or another format version.
pub fn recover_session(text: &str) -> Option<StoredSession> {
    if let (s, None) = load_session(Some(text)) {
        return Some(s);
    }
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => serde_json::from_str(&close_truncated(text)?).ok()?,
    };
    let obj = value.as_object()?;
    if obj.get("version").and_then(serde_json::Value::as_u64).is_some_and(|v| v != u64::from(SESSION_VERSION)) {
        return None;
    }
    let mut s = StoredSession::default();
    let string = |key: &str| obj.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
    let path = |key: &str| string(key).map(PathBuf::from);
    if let Some(dark) = obj.get("dark").and_then(serde_json::Value::as_bool) {
        s.dark = dark;
    }
    s.view = string("view").unwrap_or_default();
    if let Some(zoom) = obj.get("zoom").and_then(serde_json::Value::as_f64) {
        s.zoom = zoom as f32;
    }
    if let Some(recent) = obj.get("recent").and_then(serde_json::Value::as_array) {
        s.recent = recent.iter().filter_map(|p| p.as_str().map(PathBuf::from)).collect();
    }
    (s.folder, s.file) = (path("folder"), path("file"));
    if let Some(views) = obj.get("views").and_then(serde_json::Value::as_object) {
        s.views = views.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    Some(s)
}

/// A JSON text cut off part-way, cut back to its last complete member or element and closed; `None` if it is not
/// a cut-off object or array (or is already complete).
fn close_truncated(text: &str) -> Option<String> {
    let mut stack: Vec<char> = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    // (byte position, the closers needed there): places where the text so far is whole members
    let mut last_cut: Option<(usize, String)> = None;
    let closers = |stack: &[char]| stack.iter().rev().map(|&c| if c == '{' { '}' } else { ']' }).collect::<String>();
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_string = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => {
                stack.push(c);
                // an empty container is whole
                last_cut = Some((i + 1, closers(&stack)));
            }
            '}' | ']' => {
                stack.pop()?;
                if stack.is_empty() {
                    return None; // complete: not a truncation
                }
                last_cut = Some((i + 1, closers(&stack)));
            }
            ',' => last_cut = Some((i, closers(&stack))),
            _ => {}
        }
    }
    let (at, close) = last_cut?;
    Some(format!("{}{close}", &text[..at]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_stored_is_a_quiet_default() {
        assert_eq!(load_session(None), (StoredSession::default(), None));
    }

    #[test]
    fn a_session_round_trips() {
        let mut s = StoredSession { dark: true, view: "backprop".into(), ..StoredSession::default() };
        s.views.insert("backprop".into(), serde_json::json!({ "cursor": 3 }));
        assert_eq!(load_session(Some(&s.to_json())), (s, None));
    }

    #[test]
    fn a_corrupted_store_is_reported_and_replaced() {
        let (s, msg) = load_session(Some("{\"version\": 1, \"dark\": tru"));
        assert_eq!(s, StoredSession::default());
        assert!(msg.expect("a message").contains("could not be read"));
        let (s, msg) = load_session(Some("\u{0}\u{1}garbage"));
        assert_eq!(s, StoredSession::default());
        assert!(msg.is_some());
    }

    #[test]
    fn an_old_format_is_reported_and_replaced() {
        let (s, msg) = load_session(Some("{\"version\": 0, \"theme\": \"dark\"}"));
        assert_eq!(s, StoredSession::default());
        assert!(msg.expect("a message").contains("another version"));
    }

    #[test]
    fn a_cut_off_json_text_is_closed_after_its_last_whole_member() {
        let cases = [
            (r#"{"a":1,"b":{"c":"x","d":"y"#, r#"{"a":1,"b":{"c":"x"}}"#),
            (r#"{"a":[1,2"#, r#"{"a":[1]}"#),
            (r#"{"a":{"#, r#"{"a":{}}"#),
            (r#"{"a":"}, not a brace"#, r#"{}"#),
            (r#"{"a":"q\"","b"#, r#"{"a":"q\""}"#),
        ];
        for (cut, want) in cases {
            assert_eq!(close_truncated(cut).as_deref(), Some(want), "{cut}");
        }
        assert_eq!(close_truncated(r#"{"a":1}"#), None, "a whole text is no truncation");
        assert_eq!(close_truncated("garbage"), None);
    }

    #[test]
    fn the_session_string_is_read_out_of_a_cut_off_store() {
        // RON escapes the JSON's quotes and backslashes; the file ends inside the string, even inside an escape
        let ron = r#"{
    "chainrule.session": "{\"view\":\"backprop\",\"x\":\"a\\n"#;
        assert_eq!(session_text(ron).as_deref(), Some(r#"{"view":"backprop","x":"a\n"#));
        let ron = r#"{
    "chainrule.session": "{\"view\":\"backprop\",\"x\":\"a\"#;
        assert_eq!(session_text(ron).as_deref(), Some(r#"{"view":"backprop","x":"a"#));
        assert_eq!(session_text(r#"{"egui": "..."}"#), None);
    }

    #[test]
    fn a_cut_off_session_gives_its_whole_fields_and_partial_views() {
        let text = r#"{"version":1,"dark":true,"view":"race","views":{"backprop":{"source":"x = 1","applied":"x"#;
        let s = recover_session(text).expect("recovered");
        assert!(s.dark);
        assert_eq!(s.view, "race");
        assert_eq!(s.views["backprop"], serde_json::json!({ "source": "x = 1" }));
        assert_eq!(recover_session(r#"{"version":7,"dark":true"#), None, "another version is not guessed at");
    }

    #[test]
    fn a_wrongly_typed_field_is_reported() {
        let (s, msg) = load_session(Some("{\"version\": 1, \"dark\": \"yes\", \"view\": \"x\", \"views\": {}}"));
        assert_eq!(s, StoredSession::default());
        assert!(msg.is_some());
    }
}
