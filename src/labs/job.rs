//! A lab's heavy computation on a worker thread, as `nn::train::TrainRun` does it for training: the worker publishes
//! its progress (a whole value, replaced each time) and the window takes the newest one each frame without waiting.
//! Stopping is a flag the worker reads between steps; dropping the [`Job`] raises it, so a lab whose settings
//! changed abandons its old run at the next step instead of finishing it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// What the worker and the window share: the newest progress and how many times it was published.
struct Shared<P> {
    latest: Arc<P>,
    version: u64,
}

/// A computation running on its own thread, publishing values of type `P`.
pub struct Job<P> {
    shared: Arc<Mutex<Shared<P>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
    seen: u64,
}

/// The worker's side: publish progress, and ask whether to stop.
pub struct Publisher<P> {
    shared: Arc<Mutex<Shared<P>>>,
    stop: Arc<AtomicBool>,
}

impl<P> Publisher<P> {
    /// Replaces the published progress (the window sees it at its next frame).
    pub fn publish(&self, progress: P) {
        let mut s = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        s.latest = Arc::new(progress);
        s.version += 1;
    }

    /// Whether the window asked the run to stop (or dropped it).
    pub fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

impl<P: Send + Sync + 'static> Job<P> {
    /// Starts `work` on a new thread; `initial` is what [`Job::latest`] gives until the first publication.
    pub fn spawn(initial: P, work: impl FnOnce(&Publisher<P>) + Send + 'static) -> Self {
        let shared = Arc::new(Mutex::new(Shared { latest: Arc::new(initial), version: 0 }));
        let stop = Arc::new(AtomicBool::new(false));
        let publisher = Publisher { shared: shared.clone(), stop: stop.clone() };
        let handle = std::thread::spawn(move || {
            // beside the window: the UI thread keeps a core
            crate::parallel::cap_this_thread(1);
            crate::parallel::yield_to_ui();
            work(&publisher)
        });
        Self { shared, stop, handle: Some(handle), seen: 0 }
    }
}

impl<P> Job<P> {
    /// The newest progress if it changed since the last call (a pointer copy), else None.
    pub fn take(&mut self) -> Option<Arc<P>> {
        let s = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        if s.version == self.seen {
            return None;
        }
        self.seen = s.version;
        Some(s.latest.clone())
    }

    /// The newest progress, changed or not.
    pub fn latest(&self) -> Arc<P> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner()).latest.clone()
    }

    /// Asks the worker to stop at its next check.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Whether the worker's thread has ended.
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Waits for the worker to end (tests, the command line) and returns its last publication.
    pub fn wait(mut self) -> Arc<P> {
        if let Some(h) = self.handle.take() {
            // a panicking worker published what it had; the window shows that
            let _ = h.join();
        }
        self.latest()
    }
}

impl<P> Drop for Job<P> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishes_the_newest_and_stops_when_asked() {
        let mut job = Job::spawn(0u32, |p| {
            for i in 1..=5 {
                p.publish(i);
            }
        });
        while !job.is_finished() {
            std::thread::yield_now();
        }
        assert_eq!(job.take().map(|p| *p), Some(5)); // the newest, once
        assert_eq!(job.take(), None);
        // a worker that runs until stopped: wait() returns only because stop() was seen
        let job = Job::spawn(0u32, |p| {
            let mut i = 0;
            while !p.should_stop() {
                i += 1;
                p.publish(i);
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        });
        job.stop();
        assert!(*job.wait() < 1_000_000);
    }
}
