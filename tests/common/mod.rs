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

pub mod window;
