//! What a lab's settings can get wrong: each message names the control as the lab shows it.

use crate::nn::NnError;

/// What a lab's settings can get wrong.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// A setting outside its range, named as the lab's control names it.
    #[error("{what} must be {range} (got {got})")]
    Setting {
        /// The control.
        what: &'static str,
        /// The allowed range, in words.
        range: &'static str,
        /// The value given.
        got: f64,
    },
    /// The network or its training refused the setup.
    #[error(transparent)]
    Nn(#[from] NnError),
    /// A tensor op refused its operands.
    #[error(transparent)]
    Tensor(#[from] crate::tensor::TensorError),
    /// The data could not be made or split.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
}

