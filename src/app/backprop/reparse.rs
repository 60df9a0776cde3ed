//! Work taken off the UI thread, each kind on a worker thread of its own that runs only the latest job it has been
//! given (older ones queued behind it are skipped) and asks for a repaint when it hands back a result:
//!
//! - [`Reparse`] checks the editor's text as the learner types: a keystroke hands the text over and the frame goes
//!   on. A 10 000-statement program takes about 8 ms to compile and a 100 000-statement one about 80 ms: on the UI
//!   thread either would stall the keystroke's frame. A result for a text the editor no longer holds is dropped by
//!   the view.
//! - [`Builder`] builds the view's [`Model`] (compile, groups, folding, layout, traces) for Apply: about 2 s for a
//!   10 000-statement program (66 951 nodes), during which the old graph stays in use. Only the latest build asked
//!   for is handed back; one a newer request overtook, or one cancelled, is dropped.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use eframe::egui;

use super::model::Model;
use crate::expr::{Program, ProgramError, compile};

/// A compiled text: the text, and its program or its error.
pub struct Checked {
    /// The text compiled.
    pub text: String,
    /// Its program, or the error with its line and column.
    pub result: Result<Program, ProgramError>,
}

/// The worker's gate, closed by `hold`.
#[derive(Default)]
struct Gate {
    held: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    fn wait(&self) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        while *held {
            held = self.opened.wait(held).unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn set(&self, held: bool) {
        *self.held.lock().unwrap_or_else(PoisonError::into_inner) = held;
        self.opened.notify_all();
    }
}

struct Worker<J, R> {
    jobs: Sender<(u64, J)>,
    done: Receiver<(u64, R)>,
}

/// A worker thread, started on the first job, that runs `run` on the newest job waiting; and what has been asked of
/// it, by id.
struct Latest<J, R> {
    name: &'static str,
    run: fn(J) -> R,
    worker: Option<Worker<J, R>>,
    gate: Arc<Gate>,
    /// Results computed on the UI thread, when there was no worker.
    inline: Vec<(u64, R)>,
    /// The id of the latest job sent, and of the latest answered.
    sent: u64,
    answered: u64,
}

impl<J: Send + 'static, R: Send + 'static> Latest<J, R> {
    fn new(name: &'static str, run: fn(J) -> R) -> Self {
        Self { name, run, worker: None, gate: Arc::default(), inline: Vec::new(), sent: 0, answered: 0 }
    }

    /// Hands `job` to the worker and returns its id at once. Should the thread fail to start, the job runs here and
    /// its result comes back from the next [`Latest::poll`] just the same.
    fn send(&mut self, ctx: &egui::Context, job: J) -> u64 {
        self.sent += 1;
        let id = self.sent;
        if self.worker.is_none() {
            self.worker = self.spawn(ctx);
        }
        let job = match &self.worker {
            Some(w) => match w.jobs.send((id, job)) {
                Ok(()) => return id,
                Err(unsent) => unsent.0.1,
            },
            None => job,
        };
        // no worker (the thread could not start, or it stopped): run it here; the next job tries a thread again
        self.worker = None;
        self.inline.push((id, (self.run)(job)));
        id
    }

    fn spawn(&self, ctx: &egui::Context) -> Option<Worker<J, R>> {
        let (jobs, inbox) = channel::<(u64, J)>();
        let (outbox, done) = channel();
        let (ctx, gate, run) = (ctx.clone(), Arc::clone(&self.gate), self.run);
        std::thread::Builder::new()
            .name(self.name.into())
            .spawn(move || work(&inbox, &outbox, &ctx, &gate, run))
            .ok()?;
        Some(Worker { jobs, done })
    }

    /// The results that have come back since the last call, oldest first, with their ids (at most one per job sent,
    /// and none for a job that a newer one overtook in the queue).
    fn poll(&mut self) -> Vec<(u64, R)> {
        let mut answers = std::mem::take(&mut self.inline);
        while let Some(w) = &self.worker {
            match w.done.try_recv() {
                Ok(answer) => answers.push(answer),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    // the worker is gone (it panicked): the next job starts another
                    self.worker = None;
                    self.answered = self.sent;
                }
            }
        }
        for (id, _) in &answers {
            self.answered = self.answered.max(*id);
        }
        answers
    }

    fn is_pending(&self) -> bool {
        self.answered < self.sent
    }
}

impl<J, R> Drop for Latest<J, R> {
    fn drop(&mut self) {
        // a held worker would wait forever; let go, and it ends when it finds its inbox closed
        self.gate.set(false);
    }
}

/// The worker's loop: take the newest job waiting, run it, send the result back, wake the UI; until the view is gone.
fn work<J, R>(
    inbox: &Receiver<(u64, J)>,
    outbox: &Sender<(u64, R)>,
    ctx: &egui::Context,
    gate: &Gate,
    run: fn(J) -> R,
) {
    while let Ok(mut job) = inbox.recv() {
        gate.wait();
        while let Ok(newer) = inbox.try_recv() {
            job = newer;
        }
        let (id, job) = job;
        if outbox.send((id, run(job))).is_err() {
            return;
        }
        ctx.request_repaint();
    }
}

/// The checker: compiles the editor's text on a worker thread.
pub struct Reparse(Latest<String, Checked>);

impl Default for Reparse {
    fn default() -> Self {
        Self(Latest::new("chainrule-reparse", |text| {
            let result = compile(&text, &[]);
            Checked { text, result }
        }))
    }
}

impl Reparse {
    /// Asks for `text` to be compiled; returns at once.
    pub fn check(&mut self, ctx: &egui::Context, text: &str) {
        self.0.send(ctx, text.to_owned());
    }

    /// The results that have come back since the last call, oldest first (at most one per text sent, and none for a
    /// text that a newer one overtook in the queue).
    pub fn poll(&mut self) -> Vec<Checked> {
        self.0.poll().into_iter().map(|(_, checked)| checked).collect()
    }

    /// Whether the latest text sent is still being compiled.
    pub fn is_pending(&self) -> bool {
        self.0.is_pending()
    }

    /// Holds the worker before its next compilation (`true`) or lets it go on (`false`): tests and benchmarks use it
    /// to show that a frame does not wait for a compilation.
    pub fn hold(&self, held: bool) {
        self.0.gate.set(held);
    }
}

/// A model to build: a program's text, its input overrides and how to show it.
#[derive(Clone, Debug)]
pub struct BuildJob {
    /// The program's text.
    pub source: String,
    /// Input values edited in the window, by name.
    pub overrides: BTreeMap<String, f64>,
    /// With the literal values the shown program's text gives its inputs (Apply of a new text): an override is kept
    /// only where the new text gives that input the same literal. Without (a rebuild of the same text), all are kept.
    pub old_text_values: Option<BTreeMap<String, f64>>,
    /// Whether fused gates are shown expanded.
    pub expanded: bool,
    /// Groups folded or unfolded by hand, by path, set again on the new model where it has them.
    pub folds: BTreeMap<String, bool>,
}

/// A built model, or why its text does not compile, with what it was built from.
pub struct Built {
    /// The job, its overrides reduced to those kept.
    pub job: BuildJob,
    /// The model, or the program's error with its line and column.
    pub result: Result<Model, ProgramError>,
}

impl BuildJob {
    /// Builds the model here, on the calling thread: compile, keep the overrides that still fit, lay out, trace.
    pub fn run(mut self) -> Built {
        let result = compile(&self.source, &[]).and_then(|p| {
            if let Some(old) = &self.old_text_values {
                // keep an override only where the program text still gives that input the same literal
                self.overrides
                    .retain(|name, _| p.input(name).is_some_and(|i| old.get(name) == Some(&p.graph.value(i.node))));
            }
            drop(p);
            let mut model = Model::build(&self.source, &self.overrides, self.expanded)?;
            model.apply_fold_changes(&self.folds);
            Ok(model)
        });
        Built { job: self, result }
    }
}

/// Programs of fewer statements than this are applied on the UI thread (a 300-statement program in a learner's mix
/// makes about 2 000 nodes and builds in about 50 ms; the lecture's examples and the presets are far below): their
/// Apply shows the new graph in the same frame, as it always did.
pub const BACKGROUND_FROM: usize = 500;

/// The number of statements in a program's text, as Apply reports it: the pieces between newlines and `;` that hold
/// more than blanks and a comment. O(text).
pub fn statements(text: &str) -> usize {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .map(|code| code.split(';').filter(|s| !s.trim().is_empty()).count())
        .sum()
}

/// The builder: builds models on a worker thread, handing back only the latest one asked for.
pub struct Builder {
    jobs: Latest<BuildJob, Built>,
    /// The id of the build whose result is wanted, and its program's number of statements.
    wanted: Option<(u64, usize)>,
}

impl Default for Builder {
    fn default() -> Self {
        Self { jobs: Latest::new("chainrule-build", BuildJob::run), wanted: None }
    }
}

impl Builder {
    /// Asks for `job` to be built; returns at once. It supersedes any build still under way.
    pub fn build(&mut self, ctx: &egui::Context, job: BuildJob) {
        let statements = statements(&job.source);
        let id = self.jobs.send(ctx, job);
        self.wanted = Some((id, statements));
    }

    /// Drops the build under way, if any (its result will not be handed back).
    pub fn cancel(&mut self) {
        self.wanted = None;
    }

    /// The latest build asked for, if it has come back since the last call; older ones are dropped.
    pub fn poll(&mut self) -> Option<Built> {
        let mut latest = None;
        for (id, built) in self.jobs.poll() {
            if self.wanted.is_some_and(|(w, _)| w == id) {
                self.wanted = None;
                latest = Some(built);
            }
        }
        if !self.jobs.is_pending() {
            // the worker is gone without an answer (it panicked): nothing is coming
            self.wanted = None;
        }
        latest
    }

    /// The number of statements of the program being built, while a build is under way.
    pub fn building(&self) -> Option<usize> {
        self.wanted.map(|(_, statements)| statements)
    }

    /// Whether the worker still has a build it has not handed back, wanted or not.
    pub fn is_busy(&self) -> bool {
        self.jobs.is_pending()
    }

    /// Holds the worker before its next build (`true`) or lets it go on (`false`): tests and benchmarks use it to
    /// show that a frame does not wait for a build.
    pub fn hold(&self, held: bool) {
        self.jobs.gate.set(held);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_for(r: &mut Reparse) -> Vec<Checked> {
        // a bound on waiting, not a timing: the compilations here take microseconds
        for _ in 0..2000 {
            let got = r.poll();
            if !got.is_empty() {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("no result in 10 s");
    }

    #[test]
    fn only_the_latest_text_is_compiled_and_errors_keep_their_place() {
        let ctx = egui::Context::default();
        let mut r = Reparse::default();
        r.hold(true);
        r.check(&ctx, "x = 1");
        r.check(&ctx, "x = 1\ny = x +* 2");
        r.check(&ctx, "x = 1\ny = x *");
        assert!(r.is_pending());
        assert!(r.poll().is_empty(), "held: nothing is compiled");
        r.hold(false);
        let got = wait_for(&mut r);
        assert_eq!(got.len(), 1, "the two older texts were overtaken");
        assert_eq!(got[0].text, "x = 1\ny = x *");
        let Err(ProgramError::Syntax(e)) = &got[0].result else { panic!("an error") };
        assert_eq!((e.line, e.column), (2, 8));
        assert!(!r.is_pending());
        r.check(&ctx, "x = 2; f = x * x");
        let got = wait_for(&mut r);
        assert_eq!(got[0].result.as_ref().map(Program::value).ok(), Some(4.0));
    }

    fn wait_for_build(b: &mut Builder) -> Built {
        // a bound on waiting, not a timing: these builds take microseconds
        for _ in 0..2000 {
            if let Some(built) = b.poll() {
                return built;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("no build in 10 s");
    }

    fn job(source: &str) -> BuildJob {
        BuildJob {
            source: source.into(),
            overrides: BTreeMap::new(),
            old_text_values: None,
            expanded: false,
            folds: BTreeMap::new(),
        }
    }

    #[test]
    fn only_the_latest_build_comes_back_and_a_cancelled_one_never() {
        let ctx = egui::Context::default();
        let mut b = Builder::default();
        b.hold(true);
        b.build(&ctx, job("x = 1; f = x * 2"));
        b.build(&ctx, job("x = 3\nf = x * x"));
        assert_eq!(b.building(), Some(2));
        assert!(b.poll().is_none(), "held: nothing is built");
        b.hold(false);
        let built = wait_for_build(&mut b);
        assert_eq!(built.job.source, "x = 3\nf = x * x");
        // f = x * x at x = 3
        assert_eq!(built.result.as_ref().map(|m| m.program.value()).ok(), Some(9.0));
        assert_eq!(b.building(), None);

        b.hold(true);
        b.build(&ctx, job("x = 1\ny = x *"));
        b.cancel();
        b.build(&ctx, job("x = 1\ny = x +* 2"));
        b.hold(false);
        let built = wait_for_build(&mut b);
        let Err(ProgramError::Syntax(e)) = &built.result else { panic!("an error") };
        // "y = x +* 2": the '*' after '+' is column 8 of line 2
        assert_eq!((e.line, e.column), (2, 8));
        b.hold(true);
        b.build(&ctx, job("x = 5; f = x"));
        b.cancel();
        b.hold(false);
        // until the worker has answered the cancelled job (a bound on waiting, not a timing), nothing comes back
        for _ in 0..2000 {
            assert!(b.poll().is_none(), "a cancelled build is dropped");
            if !b.is_busy() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(!b.is_busy(), "the worker answered the cancelled build, and it was dropped");
    }

    #[test]
    fn an_override_survives_a_new_text_only_where_its_literal_did_not_change() {
        let overrides = BTreeMap::from([("x".to_owned(), 4.0), ("y".to_owned(), 5.0)]);
        let old = BTreeMap::from([("x".to_owned(), 1.0), ("y".to_owned(), 2.0)]);
        let job = BuildJob {
            source: "x = 1; y = 3; f = x * y".into(),
            overrides,
            old_text_values: Some(old),
            expanded: false,
            folds: BTreeMap::new(),
        };
        let built = job.run();
        assert_eq!(built.job.overrides, BTreeMap::from([("x".to_owned(), 4.0)]));
        // f = x * y with x overridden to 4 and y = 3 from the new text
        assert_eq!(built.result.as_ref().map(|m| m.program.value()).ok(), Some(12.0));
    }

    #[test]
    fn statements_are_counted_between_newlines_and_semicolons_outside_comments() {
        assert_eq!(statements("x = 1; y = 2\n\n# a; comment\nf = x * y # the output; really\n;"), 3);
        assert_eq!(statements(""), 0);
    }
}
