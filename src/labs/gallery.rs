//! The activation gallery (slides 66-87): every activation the engine has, f and f′ from the engine's own rules
//! ([`crate::scalar::Unary::forward`] and [`crate::scalar::Unary::local`]), plus PReLU and ELU with their α:
//!
//! ```text
//! PReLU_α(x) = x if x > 0 else α·x            f′ = 1 if x > 0 else α      (α = 0.01: the engine's leaky_relu)
//! ELU_α(x)   = x if x > 0 else α·elu(x)       f′ = 1 if x > 0 else α·elu′(x)   (α = 1: the engine's elu)
//! ```
//!
//! The lecture's talking points are computed from f′ on a grid of [−10, 10] ([`talking_points`]), not typed:
//! "saturates" where |f′| < [`SATURATED`] over a stretch of at least [`STRETCH`], "can die" where f′ = 0 on the whole
//! negative half-line, "zero-centred" where the mean output over standard-normal inputs is within 0.1 of zero (by
//! quadrature). Whether f costs an exponential is read off its formula (which engine ops compute it).
//!
//! The zero-centring argument of slides 71-75 ([`zigzag`]): a neuron w·x fits a target w* one example at a time
//! (w ← w − lr·(w·x − y)·x). With all-positive inputs every step's two components share one sign, so the path to a
//! w* of mixed signs zigzags; with the same inputs centred it goes straight. O(steps).

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Uniform};
use serde::{Deserialize, Serialize};

use super::{Lab, LabError, in_range, number_after};
use crate::scalar::Unary;

/// Below this |f′| a stretch counts as saturated.
pub const SATURATED: f64 = 0.01;
/// The shortest stretch that counts as saturated (or dead).
pub const STRETCH: f64 = 1.0;
/// The grid the talking points are computed on.
pub const RANGE: (f64, f64) = (-10.0, 10.0);
/// Grid points over [`RANGE`].
const GRID: usize = 4001;

/// An activation of the gallery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// σ(x).
    Sigmoid,
    /// tanh x.
    Tanh,
    /// max(0, x).
    Relu,
    /// slope 0.01 below zero.
    LeakyRelu,
    /// slope α below zero (the α setting).
    Prelu,
    /// α(eˣ − 1) below zero (the α setting).
    Elu,
    /// λ and α fixed (self-normalizing).
    Selu,
    /// ln(1 + eˣ).
    Softplus,
}

impl Activation {
    /// Every activation, in the gallery's order.
    pub const ALL: [Activation; 8] = [
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Prelu,
        Activation::Elu,
        Activation::Selu,
        Activation::Softplus,
    ];

    /// The name shown and written in lesson files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Prelu => "prelu",
            Activation::Elu => "elu",
            Activation::Selu => "selu",
            Activation::Softplus => "softplus",
        }
    }

    /// Whether the α setting changes it.
    pub fn has_alpha(self) -> bool {
        matches!(self, Activation::Prelu | Activation::Elu)
    }

    /// The engine's op behind it.
    fn unary(self) -> Unary {
        match self {
            Activation::Sigmoid => Unary::Sigmoid,
            Activation::Tanh => Unary::Tanh,
            Activation::Relu => Unary::Relu,
            Activation::LeakyRelu | Activation::Prelu => Unary::LeakyRelu,
            Activation::Elu => Unary::Elu,
            Activation::Selu => Unary::Selu,
            Activation::Softplus => Unary::Softplus,
        }
    }

    /// Whether computing f takes an exponential: the engine computes these with `exp` (tanh through it as well).
    pub fn costs_exp(self) -> bool {
        matches!(self.unary(), Unary::Sigmoid | Unary::Tanh | Unary::Elu | Unary::Selu | Unary::Softplus)
    }

    /// f(x), with `alpha` for PReLU and ELU.
    pub fn f(self, alpha: f64, x: f64) -> f64 {
        let u = self.unary();
        match self {
            Activation::Prelu if x <= 0.0 => alpha * x,
            Activation::Elu if x <= 0.0 => alpha * u.forward(x),
            _ => u.forward(x),
        }
    }

    /// f′(x), with PyTorch's conventions at 0 as the engine has them.
    pub fn df(self, alpha: f64, x: f64) -> f64 {
        let u = self.unary();
        match self {
            Activation::Prelu if x <= 0.0 => alpha,
            Activation::Elu if x <= 0.0 => alpha * u.local(x, u.forward(x)),
            _ => u.local(x, u.forward(x)),
        }
    }
}

/// A stretch [from, to] of the grid.
pub type Stretch = (f64, f64);

/// The lecture's talking points about one activation, computed from f and f′.
#[derive(Clone, Debug, PartialEq)]
pub struct TalkingPoints {
    /// The activation.
    pub activation: Activation,
    /// Stretches of [`RANGE`] at least [`STRETCH`] long where |f′| < [`SATURATED`] (the dead half-line included).
    pub saturated: Vec<Stretch>,
    /// Whether f′ = 0 on the whole negative part of the grid: a unit pushed there passes no gradient again.
    pub can_die: bool,
    /// The mean of f(z) for z ~ N(0, 1) (trapezoidal quadrature over [−10, 10]).
    pub mean_output: f64,
    /// Whether |mean output| < 0.1.
    pub zero_centred: bool,
    /// The largest f′ on the grid.
    pub max_slope: f64,
    /// Whether f costs an exponential.
    pub costs_exp: bool,
}

fn grid() -> impl Iterator<Item = f64> {
    let (lo, hi) = RANGE;
    (0..GRID).map(move |i| lo + (hi - lo) * i as f64 / (GRID - 1) as f64)
}

/// The talking points of `a` (α for PReLU and ELU). O(grid).
pub fn talking_points(a: Activation, alpha: f64) -> TalkingPoints {
    let xs: Vec<f64> = grid().collect();
    let slopes: Vec<f64> = xs.iter().map(|&x| a.df(alpha, x)).collect();
    let mut saturated = Vec::new();
    let mut start: Option<f64> = None;
    for (i, (&x, &d)) in xs.iter().zip(&slopes).enumerate() {
        let flat = d.abs() < SATURATED;
        match (flat, start) {
            (true, None) => start = Some(x),
            (false, Some(s)) => {
                if xs[i - 1] - s >= STRETCH {
                    saturated.push((s, xs[i - 1]));
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start
        && RANGE.1 - s >= STRETCH
    {
        saturated.push((s, RANGE.1));
    }
    let can_die = xs.iter().zip(&slopes).filter(|(x, _)| **x < 0.0).all(|(_, d)| *d == 0.0);
    let h = (RANGE.1 - RANGE.0) / (GRID - 1) as f64;
    let density = |x: f64| (-0.5 * x * x).exp() / (std::f64::consts::TAU).sqrt();
    let mean_output = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let w = if i == 0 || i == GRID - 1 { 0.5 } else { 1.0 };
            w * h * a.f(alpha, x) * density(x)
        })
        .sum::<f64>();
    TalkingPoints {
        activation: a,
        saturated,
        can_die,
        mean_output,
        zero_centred: mean_output.abs() < 0.1,
        max_slope: slopes.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        costs_exp: a.costs_exp(),
    }
}

/// Where the inputs of the zigzag neuron come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inputs {
    /// Uniform on (0, 2)², all positive (as the outputs of a sigmoid or ReLU layer).
    Positive,
    /// The same draws minus their mean 1: zero-centred.
    Centred,
}

/// The target w* of the zigzag: mixed signs, so all-positive inputs cannot head for it directly.
pub const TARGET: [f64; 2] = [1.0, -1.0];
/// Where the weights start.
pub const START: [f64; 2] = [-1.0, 1.0];
/// How close to w* counts as arrived.
pub const ARRIVED: f64 = 0.05;

/// The path of (w₁, w₂) from [`START`] under per-example SGD on y = w*·x, `steps` steps or until within [`ARRIVED`]
/// of [`TARGET`] (the last point then is the first inside). O(steps).
pub fn zigzag(inputs: Inputs, lr: f64, steps: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = StdRng::seed_from_u64(seed);
    let u = Uniform::new(0.0, 2.0).expect("a valid range");
    let mut w = START;
    let mut path = vec![w];
    for _ in 0..steps {
        let mut x = [u.sample(&mut rng), u.sample(&mut rng)];
        if inputs == Inputs::Centred {
            x = [x[0] - 1.0, x[1] - 1.0];
        }
        let y = TARGET[0] * x[0] + TARGET[1] * x[1];
        let err = w[0] * x[0] + w[1] * x[1] - y;
        w = [w[0] - lr * err * x[0], w[1] - lr * err * x[1]];
        path.push(w);
        if ((w[0] - TARGET[0]).powi(2) + (w[1] - TARGET[1]).powi(2)).sqrt() < ARRIVED {
            break;
        }
    }
    path
}

/// The distance a path travels, step by step (the straight line from [`START`] to [`TARGET`] is 2√2 ≈ 2.83).
pub fn path_length(path: &[[f64; 2]]) -> f64 {
    path.windows(2).map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1])).sum()
}

/// The gallery's settings in a lesson: the activation shown, its α, and the zigzag's inputs and rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The activation in focus.
    pub activation: Activation,
    /// α for PReLU and ELU.
    pub alpha: f64,
    /// The zigzag's inputs.
    pub inputs: Inputs,
    /// The zigzag's learning rate.
    pub lr: f64,
    /// The most zigzag steps.
    pub steps: usize,
    /// Seeds the zigzag's inputs.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { activation: Activation::Sigmoid, alpha: 0.1, inputs: Inputs::Positive, lr: 0.2, steps: 200, seed: 0 }
    }
}

const LAB: &str = "gallery";

impl Lab for Settings {
    fn id(&self) -> &'static str {
        LAB
    }

    fn quantities(&self) -> &'static str {
        "value:X, slope:X (f and f′ at X), max_slope, zigzag_steps, zigzag_distance"
    }

    fn check(&self) -> Result<(), LabError> {
        in_range(LAB, "alpha", self.alpha, 0.0, 3.0)?;
        in_range(LAB, "lr", self.lr, 1e-4, 2.0)?;
        in_range(LAB, "steps", self.steps, 1, 10_000)
    }

    fn hint(&self, name: &str) -> String {
        if name.starts_with("zigzag") {
            "with all-positive inputs every step moves both weights the same way: count the turns of the path".into()
        } else {
            format!("use the derivative's formula for {}: the table and the f′ curve follow it", self.activation.name())
        }
    }

    fn quantity(&self, name: &str) -> Result<f64, LabError> {
        let a = self.activation;
        if let Some(x) = number_after(name, "value") {
            return Ok(a.f(self.alpha, x));
        }
        if let Some(x) = number_after(name, "slope") {
            return Ok(a.df(self.alpha, x));
        }
        match name {
            "max_slope" => Ok(talking_points(a, self.alpha).max_slope),
            "zigzag_steps" => Ok((zigzag(self.inputs, self.lr, self.steps, self.seed).len() - 1) as f64),
            "zigzag_distance" => Ok(path_length(&zigzag(self.inputs, self.lr, self.steps, self.seed))),
            _ => Err(LabError::UnknownQuantity { lab: LAB, name: name.to_owned(), known: self.quantities() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::op::{ELU_ALPHA, LEAKY_SLOPE};

    #[test]
    fn prelu_and_elu_at_the_engines_alpha_are_the_engines_ops() {
        for x in [-3.0, -0.5, 0.0, 0.7, 2.0] {
            assert_eq!(Activation::Prelu.f(LEAKY_SLOPE, x), Unary::LeakyRelu.forward(x));
            assert_eq!(Activation::Prelu.df(LEAKY_SLOPE, x), Activation::LeakyRelu.df(0.0, x));
            assert_eq!(Activation::Elu.f(ELU_ALPHA, x), Unary::Elu.forward(x));
        }
        // ELU with α = 2 at x = −1: 2·(e⁻¹ − 1) = −1.2642411, slope 2e⁻¹ = 0.7357589
        assert!((Activation::Elu.f(2.0, -1.0) + 1.264_241_117_657_115_4).abs() < 1e-12);
        assert!((Activation::Elu.df(2.0, -1.0) - 0.735_758_882_342_884_6).abs() < 1e-12);
    }

    #[test]
    fn the_talking_points_as_the_lecture_states_them() {
        let tp = |a| talking_points(a, 0.1);
        // sigmoid: σ′ = σ(1 − σ) < 0.01 where |x| > ln((1 + √0.96)/(1 − √0.96)) ≈ 4.595: both tails saturate
        let s = tp(Activation::Sigmoid);
        assert_eq!(s.saturated.len(), 2, "{:?}", s.saturated);
        assert!((s.saturated[0].1 + 4.595).abs() < 0.01 && (s.saturated[1].0 - 4.595).abs() < 0.01);
        assert!(!s.zero_centred && (s.mean_output - 0.5).abs() < 1e-9); // σ(z) − ½ is odd
        assert!((s.max_slope - 0.25).abs() < 1e-12 && s.costs_exp && !s.can_die);
        // tanh: zero-centred (odd), still saturates; 1 − tanh² < 0.01 where |x| > atanh(√0.99) ≈ 2.993
        let t = tp(Activation::Tanh);
        assert!(t.zero_centred && t.mean_output.abs() < 1e-12);
        assert!((t.saturated[1].0 - 2.993).abs() < 0.01, "{:?}", t.saturated);
        // ReLU: dead on the negative half-line, nothing saturates above 0, no exp, not zero-centred (mean 1/√2π)
        let r = tp(Activation::Relu);
        assert!(r.can_die && !r.costs_exp && !r.zero_centred);
        assert_eq!(r.saturated, vec![(-10.0, 0.0)]);
        assert!((r.mean_output - 1.0 / std::f64::consts::TAU.sqrt()).abs() < 1e-6);
        // leaky ReLU's slope 0.01 is not below 0.01: it never saturates and never dies
        let l = tp(Activation::LeakyRelu);
        assert!(l.saturated.is_empty() && !l.can_die);
        // ELU saturates on the left only (eˣ < 0.01 for x < ln 0.01 ≈ −4.605) and cannot die
        let e = talking_points(Activation::Elu, 1.0);
        assert_eq!(e.saturated.len(), 1);
        assert!((e.saturated[0].1 + 4.605).abs() < 0.01 && !e.can_die);
        // SELU is built to give mean 0 and variance 1 for standard-normal inputs
        assert!(tp(Activation::Selu).mean_output.abs() < 1e-6);
    }

    #[test]
    fn all_positive_inputs_move_both_weights_the_same_way_and_take_longer() {
        let pos = zigzag(Inputs::Positive, 0.2, 2000, 1);
        for w in pos.windows(2) {
            let d = [w[1][0] - w[0][0], w[1][1] - w[0][1]];
            assert!(d[0] * d[1] >= 0.0, "a step with mixed signs: {d:?}");
        }
        let centred = zigzag(Inputs::Centred, 0.2, 2000, 1);
        assert!(centred.windows(2).any(|w| (w[1][0] - w[0][0]) * (w[1][1] - w[0][1]) < 0.0));
        // about as many steps, but the zigzag travels about twice as far (straight: 2√2 ≈ 2.83)
        let (zig, straight) = (path_length(&pos), path_length(&centred));
        assert!(zig > 1.5 * straight && straight < 5.0, "{zig} vs {straight}");
        let end = pos.last().unwrap();
        assert!(((end[0] - 1.0).powi(2) + (end[1] + 1.0).powi(2)).sqrt() < ARRIVED);
    }

    #[test]
    fn quantities() {
        let s = Settings { activation: Activation::Tanh, ..Settings::default() };
        // tanh′(2) = 1 − tanh²(2) = 0.0706508249
        assert!((s.quantity("slope:2").unwrap() - 0.070_650_824_853_164_4).abs() < 1e-12);
        assert!(s.quantity("slope:x").is_err());
        assert_eq!(Settings::default().quantity("max_slope").unwrap(), 0.25);
    }
}
