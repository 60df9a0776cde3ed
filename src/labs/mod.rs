//! The lecture's labs as computations, with no UI: each lab is one file whose functions the window's Labs view
//! (`src/app/labs/`) draws and whose numbers a lesson's `lab` step asks about.
//!
//! | lab | file | slides | quantities a lesson may ask ([`LabStep::quantity`]) |
//! |---|---|---|---|
//! | activation gallery | [`gallery`] | 66-87 | `value:X`, `slope:X` (f and f′ at X), `max_slope`, `zigzag_steps`, `zigzag_distance` |
//! | without non-linearities | [`linearity`] | 67 | `w_prime:C` (W′ = W_L⋯W₁, column C), `b_prime` |
//! | initialization | [`init`] | 91-99 | `mean:L`, `std:L`, `grad_std:L` (layer L, 1-based) |
//! | moving averages | [`ewma`] | 108-109 | `average:T`, `corrected:T` (step T, 1-based), `window` |
//! | preprocessing | [`preprocessing`] | 88-90 | `cov:STAGE:IJ`, `final_loss:raw`, `final_loss:standardized` |
//! | batch norm | [`batchnorm`] | 100-103 | `std:STEP`, `mean:STEP` (with), `plain_std:STEP`, `plain_mean:STEP`, `grad_change:plain`/`norm` |
//! | dropout | [`dropout`] | 104 | `keep`, `kept_scale` |
//!
//! A lesson names a lab and its settings in one table (`lab = { name = "init", init = "std=0.01" }`), parsed into
//! [`LabStep`]; every setting has a default, and [`LabStep::check`] refuses a setting out of range with its name.
//!
//! Adding a lab: its file here with a `Settings` struct implementing [`Lab`], one variant of [`LabStep`] and one arm
//! in [`LabStep::lab`]; its panel in `src/app/labs/` (one line in `app::labs::tabs`).

pub mod batchnorm;
pub mod dropout;
pub mod ewma;
pub mod gallery;
pub mod init;
pub mod job;
pub mod linearity;
pub mod preprocessing;

use serde::{Deserialize, Serialize};

/// What can go wrong with a lab's settings or a quantity asked of it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LabError {
    /// A quantity the lab does not compute.
    #[error("the {lab} lab has no quantity '{name}' (it has {known})")]
    UnknownQuantity {
        /// The lab's id.
        lab: &'static str,
        /// The name asked for.
        name: String,
        /// The quantities it has, in words.
        known: &'static str,
    },
    /// A setting out of range or unreadable.
    #[error("the {lab} lab's {setting} = {got}: {expected}")]
    Setting {
        /// The lab's id.
        lab: &'static str,
        /// The setting's name, as the lesson file writes it.
        setting: &'static str,
        /// What was given.
        got: String,
        /// What is allowed.
        expected: String,
    },
}

/// What every lab's settings can do: check themselves and compute the quantities a lesson asks.
pub trait Lab {
    /// The lab's id, as a lesson's `lab = { name = ... }` writes it.
    fn id(&self) -> &'static str;
    /// The quantities this lab computes, in words (for error messages and `lessons check`).
    fn quantities(&self) -> &'static str;
    /// Refuses a setting out of range, naming it.
    fn check(&self) -> Result<(), LabError>;
    /// The quantity `name` under these settings, computed by the lab's own code.
    fn quantity(&self, name: &str) -> Result<f64, LabError>;
    /// What to think about after a wrong answer about `name`: the rule, never the result (`lessons check` makes
    /// sure).
    fn hint(&self, name: &str) -> String;
}

/// A lab and its settings, as a lesson's `lab` step gives them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum LabStep {
    /// The activation gallery.
    Gallery(gallery::Settings),
    /// A stack of linear layers.
    Linearity(linearity::Settings),
    /// The initialization experiment.
    Init(init::Settings),
    /// Moving averages.
    Ewma(ewma::Settings),
    /// Preprocessing: standardization, PCA, whitening.
    Preprocessing(preprocessing::Settings),
    /// Batch norm, with and without.
    Batchnorm(batchnorm::Settings),
    /// Dropout's masks.
    Dropout(dropout::Settings),
}

impl LabStep {
    /// The lab's settings behind the common interface.
    pub fn lab(&self) -> &dyn Lab {
        match self {
            LabStep::Gallery(s) => s,
            LabStep::Linearity(s) => s,
            LabStep::Init(s) => s,
            LabStep::Ewma(s) => s,
            LabStep::Preprocessing(s) => s,
            LabStep::Batchnorm(s) => s,
            LabStep::Dropout(s) => s,
        }
    }

    /// The lab's id.
    pub fn id(&self) -> &'static str {
        self.lab().id()
    }

    /// Checks the settings.
    pub fn check(&self) -> Result<(), LabError> {
        self.lab().check()
    }

    /// The quantity `name`, after checking the settings.
    pub fn quantity(&self, name: &str) -> Result<f64, LabError> {
        self.check()?;
        self.lab().quantity(name.trim())
    }
}

/// Splits `prefix:N` into N (1-based, at most `max`), for quantities such as `std:10`.
pub(crate) fn index_after(name: &str, prefix: &str, max: usize) -> Option<usize> {
    let n: usize = name.strip_prefix(prefix)?.strip_prefix(':')?.trim().parse().ok()?;
    (1..=max).contains(&n).then_some(n)
}

/// Splits `prefix:X` into the number X, for quantities such as `slope:2`.
pub(crate) fn number_after(name: &str, prefix: &str) -> Option<f64> {
    let x: f64 = name.strip_prefix(prefix)?.strip_prefix(':')?.trim().parse().ok()?;
    x.is_finite().then_some(x)
}

/// Checks that `got` lies in `[lo, hi]`, naming the setting otherwise.
pub(crate) fn in_range<T: PartialOrd + std::fmt::Display>(
    lab: &'static str,
    setting: &'static str,
    got: T,
    lo: T,
    hi: T,
) -> Result<(), LabError> {
    if got >= lo && got <= hi {
        Ok(())
    } else {
        Err(LabError::Setting { lab, setting, got: got.to_string(), expected: format!("from {lo} to {hi}") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lab_step_reads_from_a_table_with_defaults_and_refuses_unknown_settings() {
        let step: LabStep = toml::from_str("name = \"init\"\ninit = \"std=0.01\"").expect("parses");
        let LabStep::Init(s) = &step else { panic!("{step:?}") };
        assert_eq!(s.init, "std=0.01");
        assert_eq!(s.depth, 10); // the default, the lecture's 10 layers
        assert!(toml::from_str::<LabStep>("name = \"init\"\ndepht = 3").is_err());
        assert!(toml::from_str::<LabStep>("name = \"nope\"").is_err());
    }

    #[test]
    fn indices_and_numbers_after_a_prefix() {
        assert_eq!(index_after("std:10", "std", 10), Some(10));
        assert_eq!(index_after("std:11", "std", 10), None);
        assert_eq!(index_after("std:0", "std", 10), None);
        assert_eq!(number_after("slope:-2.5", "slope"), Some(-2.5));
        assert_eq!(number_after("slope:nan", "slope"), None);
    }
}
