//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chainrule::expr::{Program, compile};

/// Compiles a program that must be well formed.
pub fn program(src: &str) -> Program {
    compile(src, &[]).unwrap_or_else(|e| panic!("{}", e.render(src)))
}

/// Asserts `|got - want| <= tol · max(1, |want|)`.
#[track_caller]
pub fn close(got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol * want.abs().max(1.0), "got {got}, want {want} (tol {tol})");
}

/// The tensor backend's thread count and split threshold (`gemm::set_threads`, `set_parallel_min_macs`) are
/// process-wide: every test that changes them, or whose result depends on them, holds this turn while it runs.
pub fn thread_settings_turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

pub mod window;
