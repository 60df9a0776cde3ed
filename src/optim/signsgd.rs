//! Sign SGD (Bernstein et al., "signSGD", 2018): θ ← θ − lr·sign(g). A throwaway rule to count the places a rule touches.

use super::adaptor::Rule;
use super::spec::Kind::NonNeg;
use super::spec::{Key, Keys};
use crate::real::Real;

/// signSGD's one argument.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SignSgdConfig {
    /// Learning rate.
    pub lr: f64,
}

impl Default for SignSgdConfig {
    fn default() -> Self {
        Self { lr: 1e-3 }
    }
}

impl Keys for SignSgdConfig {
    type Config = Self;
    const NAME: &'static str = "signsgd";
    const KEYS: &'static [Key<Self>] = &[Key::number("lr", NonNeg, |c| &mut c.lr)];

    fn rule<T: Real>(_: &Self) -> impl Rule<T> {
        SignSgd
    }
}

/// The rule: no state.
#[derive(Clone, Debug)]
pub struct SignSgd;

impl<T: Real> Rule<T> for SignSgd {
    fn start(&mut self, _n: usize) {}

    fn update(&mut self, params: &mut [T], grads: &[T], _t: u64, lr: f64) {
        let lr = T::from_f64(lr);
        for (p, &g) in params.iter_mut().zip(grads) {
            *p -= lr * g.signum();
        }
    }

    fn inspect(&self, _i: usize, _t: u64, _lr: f64) -> Vec<(&'static str, f64)> {
        Vec::new()
    }
}
