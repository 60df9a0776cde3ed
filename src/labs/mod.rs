//! The lecture's labs: each lab's computation, no UI (the window's `app::labs` draws them).

pub mod job;
pub mod preprocessing;
pub mod lab_error;
pub mod batchnorm;
pub mod dropout;
