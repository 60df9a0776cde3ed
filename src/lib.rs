//! chainrule: a tutor that makes backpropagation visible.
//!
//! The core library (everything but `app`) never imports egui: the engine, the expression language, the optimizers
//! and the surfaces are all computed and tested without a window.

pub mod app;
pub mod cli;
pub mod data;
pub mod expr;
pub mod labs;
pub mod layout;
pub mod lesson;
pub mod nn;
pub mod optim;
pub mod parallel;
pub mod real;
pub mod scalar;
pub mod surface;
pub mod tensor;
