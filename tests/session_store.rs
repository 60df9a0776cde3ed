//! A damaged session store is kept, reported and read as far as it goes: eframe's `app.ron` truncated mid-session,
//! or sound around a damaged session, is kept beside the new one as `app.ron.damaged-<time>`, the window's status
//! line says where, each view's program text is recovered, and the next save cannot overwrite the damaged copy.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chainrule::app::App;
use chainrule::app::session::{STORAGE_KEY, StoreCheck, check_store, damaged_path};
use egui_kittest::kittest::Queryable;

/// 2026-12-07 18:05:12 UTC.
fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_666_712)
}

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chainrule-store-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// eframe's file as eframe writes it (a pretty RON map of strings), holding `session` and egui's own entry.
fn store_text(session: &str) -> String {
    let kv = BTreeMap::from([
        (STORAGE_KEY.to_string(), session.to_string()),
        ("egui".to_string(), "(memory: \"panel sizes and scroll offsets\")".to_string()),
    ]);
    ron::Options::default().to_string_pretty(&kv, ron::ser::PrettyConfig::default()).expect("RON")
}

const PROGRAM: &str = "a = 2\nb = a * 3\nc = b + a  # \"quoted\" and \\ kept";

/// The window's session with `PROGRAM` in the backprop view's editor and the dark theme.
fn session_json() -> String {
    let mut session = App::default().session();
    session.dark = true;
    let state = session.views.get_mut("backprop").expect("the backprop view saves its state");
    state["source"] = PROGRAM.into();
    state["applied"] = PROGRAM.into();
    session.to_json()
}

fn source_of(app: &App) -> String {
    app.session().views["backprop"]["source"].as_str().expect("a source").to_owned()
}

#[track_caller]
fn assert_kept(check: &StoreCheck, want: &[u8]) -> PathBuf {
    let kept = check.kept.clone().expect("the damaged store is kept");
    assert!(kept.file_name().expect("a name").to_string_lossy().starts_with("app.ron.damaged-20261207T180512Z"));
    assert_eq!(std::fs::read(&kept).expect("the kept copy"), want, "the copy is the damaged file, byte for byte");
    kept
}

#[test]
fn a_truncated_store_is_kept_reported_and_its_programs_recovered() {
    let dir = folder("truncated");
    let path = dir.join("app.ron");
    let text = store_text(&session_json());
    // cut off inside the session, after the editor's text (the view's keys are in alphabetical order: `applied`,
    // ..., `source`, `speed`): what follows it (and egui's entry) is lost
    let program_end = text.rfind("kept").expect("the program in the store") + 40;
    let truncated = &text.as_bytes()[..program_end];
    std::fs::write(&path, truncated).expect("write");

    let check = check_store(&path, at());
    let problem = check.problem.clone().expect("reported");
    assert!(problem.contains("damaged"), "{problem}");
    let kept = assert_kept(&check, truncated);
    assert!(!path.exists(), "moved aside, so eframe starts clean and its next save writes a new file");
    assert!(!check.saving_blocked);

    let app = App::from_damaged(&check);
    assert_eq!(source_of(&app), PROGRAM, "the program text is recovered");
    assert!(app.session().dark, "the theme is recovered");
    let status = app.status().clone();
    assert!(status.is_error, "{status:?}");
    assert!(status.text.contains(&kept.display().to_string()), "{status:?}");
    assert!(status.text.contains("Recovered from it: Backprop"), "{status:?}");

    // the window shows it
    let mut h = common::window::harness_of(app);
    h.run();
    assert!(h.query_by_label_contains(&kept.display().to_string()).is_some(), "the status line names the copy");

    // the next save writes a new store; the kept copy stays, and the new store is sound
    std::fs::write(&path, store_text(&h.state().session().to_json())).expect("the next save");
    assert_eq!(check_store(&path, at()), StoreCheck::default());
    assert_eq!(std::fs::read(&kept).expect("still kept"), truncated);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_damaged_session_inside_a_sound_store_is_copied_before_the_next_save() {
    let dir = folder("session");
    let path = dir.join("app.ron");
    let json = session_json();
    // the RON is whole; the session's JSON inside it stops after the editor's text
    let cut = json.rfind("kept").expect("the program") + 20;
    let text = store_text(&json[..cut]);
    std::fs::write(&path, &text).expect("write");

    let check = check_store(&path, at());
    assert!(check.problem.as_ref().is_some_and(|p| p.contains("could not be read")), "{check:?}");
    assert_kept(&check, text.as_bytes());
    assert!(path.exists(), "eframe's own entries are sound and stay for it to read");
    let app = App::from_damaged(&check);
    assert_eq!(source_of(&app), PROGRAM);
    assert!(app.status().text.contains("app.ron.damaged-"), "{:?}", app.status());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_store_from_another_version_is_kept_too() {
    let dir = folder("version");
    let path = dir.join("app.ron");
    let text = store_text("{\"version\": 0, \"theme\": \"dark\"}");
    std::fs::write(&path, &text).expect("write");
    let check = check_store(&path, at());
    assert!(check.problem.as_ref().is_some_and(|p| p.contains("another version")), "{check:?}");
    assert_kept(&check, text.as_bytes());
    let app = App::from_damaged(&check);
    assert!(app.status().text.contains("Nothing of the session could be recovered"), "{:?}", app.status());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_sound_or_missing_store_is_left_alone() {
    let dir = folder("sound");
    let path = dir.join("app.ron");
    assert_eq!(check_store(&path, at()), StoreCheck::default());
    std::fs::write(&path, store_text(&session_json())).expect("write");
    assert_eq!(check_store(&path, at()), StoreCheck::default());
    assert_eq!(std::fs::read_dir(&dir).expect("listed").count(), 1, "no copy of a sound store");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_store_that_cannot_be_read_or_copied_blocks_saving() {
    let dir = folder("unreadable");
    let path = dir.join("app.ron");
    std::fs::create_dir_all(&path).expect("a folder where the file should be");
    let check = check_store(&path, at());
    assert!(check.saving_blocked && check.kept.is_none(), "{check:?}");
    let app = App::from_damaged(&check);
    assert!(app.status().text.contains("saves nothing over it"), "{:?}", app.status());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn copies_are_named_by_the_time_and_never_overwrite_each_other() {
    let dir = folder("names");
    let path: &Path = &dir.join("app.ron");
    let first = damaged_path(path, at());
    assert_eq!(first, dir.join("app.ron.damaged-20261207T180512Z"));
    std::fs::write(&first, "x").expect("write");
    assert_eq!(damaged_path(path, at()), dir.join("app.ron.damaged-20261207T180512Z-2"));
    std::fs::remove_dir_all(&dir).ok();
}
