//! Checking the editor's text as the learner types, off the UI thread: a keystroke hands the text to a worker thread
//! and the frame goes on; the worker compiles only the latest text it has been given (older ones queued behind it are
//! skipped), hands back the result and asks for a repaint. A result for a text the editor no longer holds is dropped
//! by the view. A 10 000-statement program takes about 8 ms to compile and a 100 000-statement one about 80 ms: on
//! the UI thread either would stall the keystroke's frame.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use eframe::egui;

use crate::expr::{Program, ProgramError, compile};

/// A compiled text: the text, and its program or its error.
pub struct Checked {
    /// The text compiled.
    pub text: String,
    /// Its program, or the error with its line and column.
    pub result: Result<Program, ProgramError>,
}

struct Job {
    id: u64,
    text: String,
}

struct Worker {
    jobs: Sender<Job>,
    done: Receiver<(u64, Checked)>,
}

/// The worker's gate, closed by [`Reparse::hold`].
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
}

/// The checker: a worker thread, started on the first text, and what has been asked of it.
#[derive(Default)]
pub struct Reparse {
    worker: Option<Worker>,
    gate: Arc<Gate>,
    /// Results compiled on the UI thread, when there was no worker.
    inline: Vec<(u64, Checked)>,
    /// The id of the latest text sent, and of the latest answered.
    sent: u64,
    answered: u64,
}

impl Reparse {
    /// Asks for `text` to be compiled; returns at once. Should the thread fail to start, the text is compiled here
    /// and its result comes back from the next [`Reparse::poll`] just the same.
    pub fn check(&mut self, ctx: &egui::Context, text: &str) {
        self.sent += 1;
        let job = Job { id: self.sent, text: text.to_owned() };
        if self.worker.is_none() {
            self.worker = self.spawn(ctx);
        }
        let job = match &self.worker {
            Some(w) => match w.jobs.send(job) {
                Ok(()) => return,
                Err(unsent) => unsent.0,
            },
            None => job,
        };
        // no worker (the thread could not start, or it stopped): compile here; the next check tries a thread again
        self.worker = None;
        let result = compile(&job.text, &[]);
        self.inline.push((job.id, Checked { text: job.text, result }));
    }

    fn spawn(&self, ctx: &egui::Context) -> Option<Worker> {
        let (jobs, inbox) = channel::<Job>();
        let (outbox, done) = channel();
        let (ctx, gate) = (ctx.clone(), Arc::clone(&self.gate));
        std::thread::Builder::new()
            .name("chainrule-reparse".into())
            .spawn(move || work(&inbox, &outbox, &ctx, &gate))
            .ok()?;
        Some(Worker { jobs, done })
    }

    /// The results that have come back since the last call, oldest first (at most one per text sent, and none for a
    /// text that a newer one overtook in the queue).
    pub fn poll(&mut self) -> Vec<Checked> {
        let mut answers = std::mem::take(&mut self.inline);
        while let Some(w) = &self.worker {
            match w.done.try_recv() {
                Ok(answer) => answers.push(answer),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    // the worker is gone (it panicked): the next check starts another
                    self.worker = None;
                    self.answered = self.sent;
                }
            }
        }
        answers
            .into_iter()
            .map(|(id, checked)| {
                self.answered = self.answered.max(id);
                checked
            })
            .collect()
    }

    /// Whether the latest text sent is still being compiled.
    pub fn is_pending(&self) -> bool {
        self.answered < self.sent
    }

    /// Holds the worker before its next compilation (`true`) or lets it go on (`false`): tests and benchmarks use it
    /// to show that a frame does not wait for a compilation.
    pub fn hold(&self, held: bool) {
        *self.gate.held.lock().unwrap_or_else(PoisonError::into_inner) = held;
        self.gate.opened.notify_all();
    }
}

impl Drop for Reparse {
    fn drop(&mut self) {
        // a held worker would wait forever; let go, and it ends when it finds its inbox closed
        self.hold(false);
    }
}

/// The worker's loop: take the newest text waiting, compile it, send it back, wake the UI; until the view is gone.
fn work(inbox: &Receiver<Job>, outbox: &Sender<(u64, Checked)>, ctx: &egui::Context, gate: &Gate) {
    while let Ok(mut job) = inbox.recv() {
        gate.wait();
        while let Ok(newer) = inbox.try_recv() {
            job = newer;
        }
        let result = compile(&job.text, &[]);
        if outbox.send((job.id, Checked { text: job.text, result })).is_err() {
            return;
        }
        ctx.request_repaint();
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
}
