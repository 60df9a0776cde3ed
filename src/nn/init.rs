//! Weight initializers (lecture slides 93-98; PyTorch's `nn.Linear` default; TensorFlow Playground's).
//!
//! | name | weights W (out × in) | biases |
//! |---|---|---|
//! | `std=S` | randn · S | 0 |
//! | `xavier` | randn / √fan_in (the lecture's "Xavier") | 0 |
//! | `he` | randn / √(fan_in / 2) | 0 |
//! | `glorot-uniform` | U(−a, a), a = √(6 / (fan_in + fan_out)) | 0 |
//! | `playground` | U(−0.5, 0.5) | 0.1 |
//! | `pytorch` | U(−1/√fan_in, 1/√fan_in) | U(−1/√fan_in, 1/√fan_in) |

use std::fmt;
use std::str::FromStr;

use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::NnError;
use super::spec::Field;

/// How a Linear layer's parameters start.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Init {
    /// randn · S.
    Std(f64),
    /// randn / √fan_in.
    Xavier,
    /// randn / √(fan_in / 2).
    He,
    /// U(±√(6 / (fan_in + fan_out))).
    GlorotUniform,
    /// U(−0.5, 0.5), biases 0.1.
    Playground,
    /// nn.Linear's default, U(±1/√fan_in) for weights and biases.
    PyTorch,
}

/// The names `--init` takes.
pub const INIT_NAMES: &str = "std=S, xavier, he, glorot-uniform, playground, pytorch";

impl Init {
    /// Draws a layer's weights (out × in, row-major) and biases from `rng`, in f64.
    pub fn draw(self, rng: &mut impl Rng, fan_in: usize, fan_out: usize) -> (Vec<f64>, Vec<f64>) {
        let n = fan_in * fan_out;
        let fi = fan_in as f64;
        let mut randn =
            |scale: f64| -> Vec<f64> { (0..n).map(|_| StandardNormal.sample(rng)).map(|z: f64| z * scale).collect() };
        match self {
            Init::Std(s) => (randn(s), vec![0.0; fan_out]),
            Init::Xavier => (randn(1.0 / fi.sqrt()), vec![0.0; fan_out]),
            Init::He => (randn(1.0 / (fi / 2.0).sqrt()), vec![0.0; fan_out]),
            Init::GlorotUniform => {
                let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
                ((0..n).map(|_| rng.random_range(-a..a)).collect(), vec![0.0; fan_out])
            }
            Init::Playground => ((0..n).map(|_| rng.random_range(-0.5..0.5)).collect(), vec![0.1; fan_out]),
            Init::PyTorch => {
                let a = 1.0 / fi.sqrt();
                let w = (0..n).map(|_| rng.random_range(-a..a)).collect();
                (w, (0..fan_out).map(|_| rng.random_range(-a..a)).collect())
            }
        }
    }

    /// Checks `std=S` has a finite S ≥ 0.
    pub fn validate(self) -> Result<(), NnError> {
        match self {
            Init::Std(s) if !(s.is_finite() && s >= 0.0) => {
                Err(NnError::setting(Field::Init, self, "the standard deviation must be a finite number ≥ 0"))
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Init {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Init::Std(s) => write!(f, "std={s}"),
            Init::Xavier => f.write_str("xavier"),
            Init::He => f.write_str("he"),
            Init::GlorotUniform => f.write_str("glorot-uniform"),
            Init::Playground => f.write_str("playground"),
            Init::PyTorch => f.write_str("pytorch"),
        }
    }
}

impl FromStr for Init {
    type Err = NnError;

    fn from_str(text: &str) -> Result<Self, NnError> {
        let t = text.trim().to_ascii_lowercase();
        let init = match t.as_str() {
            "xavier" => Init::Xavier,
            "he" | "kaiming" => Init::He,
            "glorot-uniform" | "glorot_uniform" | "glorot" => Init::GlorotUniform,
            "playground" => Init::Playground,
            "pytorch" | "torch" => Init::PyTorch,
            _ => match t.strip_prefix("std=").or_else(|| t.strip_prefix("std:")) {
                Some(s) => Init::Std(s.trim().parse().map_err(|_| {
                    NnError::setting(Field::Init, text, format!("'{s}' is not a number (write e.g. std=0.01)"))
                })?),
                None => return Err(NnError::setting(Field::Init, text, format!("unknown; use one of {INIT_NAMES}"))),
            },
        };
        init.validate()?;
        Ok(init)
    }
}

impl TryFrom<String> for Init {
    type Error = NnError;
    fn try_from(s: String) -> Result<Self, NnError> {
        s.parse()
    }
}

impl From<Init> for String {
    fn from(i: Init) -> String {
        i.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn moments(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        (mean, (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt())
    }

    #[test]
    fn scales_match_their_formulas() {
        let mut rng = StdRng::seed_from_u64(7);
        // 200 × 400 = 80 000 draws: the sample std is within 1% of the target with overwhelming probability
        let (_, s) = moments(&Init::Xavier.draw(&mut rng, 400, 200).0);
        assert!((s - 1.0 / 20.0).abs() < 0.0005, "xavier std {s}, want 1/√400 = 0.05");
        let (_, s) = moments(&Init::He.draw(&mut rng, 400, 200).0);
        assert!((s - 1.0 / 200f64.sqrt()).abs() < 0.0008, "he std {s}, want 1/√200");
        let (w, b) = Init::GlorotUniform.draw(&mut rng, 400, 200);
        let a = (6.0f64 / 600.0).sqrt(); // 0.1
        assert!(w.iter().all(|v| v.abs() <= a) && w.iter().any(|v| v.abs() > 0.95 * a) && b.iter().all(|&v| v == 0.0));
        let (w, b) = Init::Playground.draw(&mut rng, 2, 4);
        assert!(w.iter().all(|v| v.abs() <= 0.5) && b == [0.1; 4]);
        let (_, s) = moments(&Init::Std(0.01).draw(&mut rng, 400, 200).0);
        assert!((s - 0.01).abs() < 0.0001);
    }

    #[test]
    fn names_round_trip_and_errors_say_what() {
        for name in ["std=0.01", "xavier", "he", "glorot-uniform", "playground", "pytorch"] {
            assert_eq!(name.parse::<Init>().expect("valid").to_string(), name);
        }
        assert!("std=abc".parse::<Init>().unwrap_err().to_string().contains("'abc' is not a number"));
        assert!("lecun".parse::<Init>().unwrap_err().to_string().contains("unknown; use one of std=S"));
        assert!("std=-1".parse::<Init>().is_err());
    }
}
