//! `chainrule lessons check [--dir DIR]` and `chainrule lessons list [DIR]`: the lessons built into the binary, or a
//! directory's, validated against the engine (see `crate::lesson`). `check` exits 0 when every lesson is valid and 2 otherwise.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::{Failure, Output};
use crate::lesson::{LessonReport, check_dir, check_shipped};

/// The lessons' arguments.
#[derive(Debug, Args)]
pub struct LessonsArgs {
    /// What to do with the lessons.
    #[command(subcommand)]
    pub action: LessonsAction,
    /// Print one JSON object on standard output and nothing else.
    #[arg(long, global = true)]
    pub json: bool,
}

/// What to do with the lessons.
#[derive(Debug, Subcommand)]
pub enum LessonsAction {
    /// Validate every lesson: it parses, its programs compile, its nodes, positions and racers exist, and every
    /// expected answer agrees with the engine. Exit 0 when all are valid, 2 otherwise.
    Check {
        /// A directory of lesson files (*.toml), a teacher's own; without it, the lessons built into chainrule.
        #[arg(value_name = "DIR")]
        path: Option<PathBuf>,
        /// The same as DIR.
        #[arg(long = "dir", value_name = "DIR", conflicts_with = "path")]
        dir: Option<PathBuf>,
    },
    /// List the lessons: id, title, slides and number of steps.
    List {
        /// The directory of lesson files (*.toml).
        #[arg(default_value = "assets/lessons")]
        dir: PathBuf,
    },
}

fn reports(dir: &Path) -> Result<Vec<LessonReport>, Failure> {
    check_dir(dir).map_err(|e| Failure::usage(format!("lessons directory {}: {e}", dir.display())))
}

/// Runs `lessons check` or `lessons list`.
pub(super) fn lessons(a: &LessonsArgs) -> Result<Output, Failure> {
    match &a.action {
        LessonsAction::Check { path, dir } => {
            let dir = path.as_ref().or(dir.as_ref());
            let reports = match dir {
                Some(dir) => reports(dir)?,
                None => check_shipped(),
            };
            let mut text = String::new();
            let mut all = Vec::new();
            for r in &reports {
                let file = r.file.display();
                if r.is_valid() {
                    let id = r.lesson.as_ref().map_or("", |l| l.id.as_str());
                    text.push_str(&format!("ok    {file} ({id})\n"));
                }
                for p in &r.problems {
                    text.push_str(&format!("error {file}:{}:{}: {}\n", p.line, p.column, p.message));
                }
                let problems: Vec<Value> = r
                    .problems
                    .iter()
                    .map(|p| json!({ "line": p.line, "column": p.column, "message": p.message }))
                    .collect();
                all.push(json!({
                    "file": file.to_string(),
                    "id": r.lesson.as_ref().map(|l| l.id.clone()),
                    "valid": r.is_valid(),
                    "problems": problems,
                }));
            }
            let invalid = reports.iter().filter(|r| !r.is_valid()).count();
            text.push_str(&format!("{} lessons, {invalid} with problems\n", reports.len()));
            let code = if invalid == 0 && !reports.is_empty() { 0 } else { 2 };
            if reports.is_empty() {
                let place = dir.map_or_else(|| "the built-in lessons".to_owned(), |d| d.display().to_string());
                text.push_str(&format!("no lesson files (*.toml) in {place}\n"));
            }
            Ok(Output { text, json: json!({ "lessons": all, "valid": code == 0 }), code })
        }
        LessonsAction::List { dir } => {
            let reports = reports(dir)?;
            let mut text = String::new();
            let mut all = Vec::new();
            for r in &reports {
                match &r.lesson {
                    Some(l) => {
                        text.push_str(&format!(
                            "{:<24} {:<48} slides {:<8} {} steps\n",
                            l.id,
                            l.title,
                            l.slides,
                            l.steps.len()
                        ));
                        all.push(json!({ "file": r.file.display().to_string(), "id": l.id, "title": l.title,
                                         "slides": l.slides, "steps": l.steps.len(), "valid": r.is_valid() }));
                    }
                    None => text.push_str(&format!("{:<24} (does not parse: run `lessons check`)\n", r.file.display())),
                }
            }
            Ok(Output { text, json: json!({ "lessons": all }), code: 0 })
        }
    }
}
