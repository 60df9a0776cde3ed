//! The scalar ops: each op's forward rule and its local derivatives side by side, as in micrograd's `engine.py`.
//!
//! For a node `n = op(a, b)` the backward pass multiplies the upstream gradient `∂f/∂n` by the local derivative
//! `∂n/∂a` (and `∂n/∂b`) and adds the product to the operand's gradient. The local derivatives, with PyTorch's
//! conventions at kinks:
//!
//! | op | forward | ∂n/∂a | ∂n/∂b |
//! |---|---|---|---|
//! | `a + b` | a + b | 1 | 1 |
//! | `a - b` | a − b | 1 | −1 |
//! | `a * b` | a·b | b | a |
//! | `a / b` | a / b | 1/b | −a/b² |
//! | `a ^ b` | aᵇ | b·aᵇ⁻¹ (0 when b = 0) | aᵇ·ln a (0 when a = 0 and b ≥ 0) |
//! | `max(a, b)` | larger | 1 if a > b, ½ on a tie | 1 if b > a, ½ on a tie |
//! | `min(a, b)` | smaller | 1 if a < b, ½ on a tie | 1 if b < a, ½ on a tie |
//! | `-a` | −a | −1 | |
//! | `exp a` | eᵃ | eᵃ | |
//! | `log a` | ln a | 1/a | |
//! | `sqrt a` | √a | 1/(2√a) | |
//! | `tanh a` | tanh a | 1 − tanh²a | |
//! | `sigmoid a` | 1/(1+e⁻ᵃ) | σ(a)(1 − σ(a)) | |
//! | `relu a` | max(0, a) | 1 if a > 0 else 0 (0 at 0) | |
//! | `leaky_relu a` | a if a > 0 else 0.01a | 1 if a > 0 else 0.01 | |
//! | `elu a` | a if a > 0 else eᵃ − 1 | 1 if a > 0 else eᵃ | |
//! | `selu a` | λa if a > 0 else λα(eᵃ − 1) | λ if a > 0 else λαeᵃ | |
//! | `softplus a` | ln(1 + eᵃ) (a above 20) | σ(a) (1 above 20) | |
//! | `sin a`, `cos a` | | cos a, −sin a | |
//! | `abs a` | \|a\| | sign a (0 at 0) | |

use serde::{Deserialize, Serialize};

use crate::real::Real;

/// Slope of `leaky_relu` for negative inputs (PyTorch's default `negative_slope`).
pub const LEAKY_SLOPE: f64 = 0.01;
/// `elu`'s alpha (PyTorch's default).
pub const ELU_ALPHA: f64 = 1.0;
/// `selu`'s lambda (scale), as PyTorch.
pub const SELU_LAMBDA: f64 = 1.050_700_987_355_480_5;
/// `selu`'s alpha, as PyTorch.
pub const SELU_ALPHA: f64 = 1.673_263_242_354_377_2;
/// Above this input `softplus` returns its input unchanged (PyTorch's default `threshold`).
pub const SOFTPLUS_THRESHOLD: f64 = 20.0;

/// A one-operand op.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unary {
    /// `-a`
    Neg,
    /// `exp(a)`
    Exp,
    /// `log(a)`, the natural logarithm
    Log,
    /// `sqrt(a)`
    Sqrt,
    /// `tanh(a)`
    Tanh,
    /// `sigmoid(a) = 1 / (1 + exp(-a))`
    Sigmoid,
    /// `relu(a) = max(0, a)`
    Relu,
    /// `leaky_relu(a)`, slope 0.01 below zero
    LeakyRelu,
    /// `elu(a)`, alpha 1
    Elu,
    /// `selu(a)`
    Selu,
    /// `softplus(a) = log(1 + exp(a))`
    Softplus,
    /// `sin(a)`
    Sin,
    /// `cos(a)`
    Cos,
    /// `abs(a)`
    Abs,
}

/// A two-operand op; operand order matters and is kept here, never inferred from the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Binary {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
    /// `a ^ b`
    Pow,
    /// `max(a, b)`
    Max,
    /// `min(a, b)`
    Min,
}

impl Unary {
    /// Every unary op, in the order the documentation lists them.
    pub const ALL: [Unary; 14] = [
        Unary::Neg,
        Unary::Exp,
        Unary::Log,
        Unary::Sqrt,
        Unary::Tanh,
        Unary::Sigmoid,
        Unary::Relu,
        Unary::LeakyRelu,
        Unary::Elu,
        Unary::Selu,
        Unary::Softplus,
        Unary::Sin,
        Unary::Cos,
        Unary::Abs,
    ];

    /// The forward rule, for f64 (the scalar engine) and f32 (the tensor backend): one implementation for both.
    #[inline]
    pub fn forward<T: Real>(self, a: T) -> T {
        let zero = T::zero();
        let one = T::one();
        let c = T::from_f64;
        match self {
            Unary::Neg => -a,
            Unary::Exp => a.exp(),
            Unary::Log => a.ln(),
            Unary::Sqrt => a.sqrt(),
            Unary::Tanh => a.tanh(),
            Unary::Sigmoid => one / (one + (-a).exp()),
            Unary::Relu => {
                if a > zero {
                    a
                } else {
                    zero
                }
            }
            Unary::LeakyRelu => {
                if a > zero {
                    a
                } else {
                    c(LEAKY_SLOPE) * a
                }
            }
            Unary::Elu => {
                if a > zero {
                    a
                } else {
                    c(ELU_ALPHA) * a.exp_m1()
                }
            }
            Unary::Selu => {
                if a > zero {
                    c(SELU_LAMBDA) * a
                } else {
                    c(SELU_LAMBDA) * c(SELU_ALPHA) * a.exp_m1()
                }
            }
            Unary::Softplus => {
                if a > c(SOFTPLUS_THRESHOLD) {
                    a
                } else {
                    a.exp().ln_1p()
                }
            }
            Unary::Sin => a.sin(),
            Unary::Cos => a.cos(),
            Unary::Abs => a.abs(),
        }
    }

    /// The local derivative `∂out/∂a`, given the operand `a` and the op's own output `out` (f64 or f32).
    #[inline]
    pub fn local<T: Real>(self, a: T, out: T) -> T {
        let zero = T::zero();
        let one = T::one();
        let c = T::from_f64;
        match self {
            Unary::Neg => -one,
            Unary::Exp => out,
            Unary::Log => one / a,
            Unary::Sqrt => c(0.5) / out,
            Unary::Tanh => one - out * out,
            Unary::Sigmoid => out * (one - out),
            Unary::Relu => {
                if a > zero {
                    one
                } else {
                    zero
                }
            }
            Unary::LeakyRelu => {
                if a > zero {
                    one
                } else {
                    c(LEAKY_SLOPE)
                }
            }
            Unary::Elu => {
                if a > zero {
                    one
                } else {
                    c(ELU_ALPHA) * a.exp()
                }
            }
            Unary::Selu => {
                if a > zero {
                    c(SELU_LAMBDA)
                } else {
                    c(SELU_LAMBDA) * c(SELU_ALPHA) * a.exp()
                }
            }
            Unary::Softplus => {
                if a > c(SOFTPLUS_THRESHOLD) {
                    one
                } else {
                    let z = a.exp();
                    z / (z + one)
                }
            }
            Unary::Sin => a.cos(),
            Unary::Cos => -a.sin(),
            Unary::Abs => {
                if a > zero {
                    one
                } else if a < zero {
                    -one
                } else {
                    zero
                }
            }
        }
    }

    /// The function's name in the expression language (`neg` for unary minus).
    pub fn name(self) -> &'static str {
        match self {
            Unary::Neg => "neg",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Sqrt => "sqrt",
            Unary::Tanh => "tanh",
            Unary::Sigmoid => "sigmoid",
            Unary::Relu => "relu",
            Unary::LeakyRelu => "leaky_relu",
            Unary::Elu => "elu",
            Unary::Selu => "selu",
            Unary::Softplus => "softplus",
            Unary::Sin => "sin",
            Unary::Cos => "cos",
            Unary::Abs => "abs",
        }
    }

    /// The op a function name calls, if any (`neg` is written `-a`, not called).
    pub fn from_name(name: &str) -> Option<Unary> {
        Unary::ALL.into_iter().find(|u| *u != Unary::Neg && u.name() == name)
    }

    /// The local derivative as a formula in `a` (the operand) and `n` (the output), for the explanation panel.
    pub fn local_formula(self) -> &'static str {
        match self {
            Unary::Neg => "-1",
            Unary::Exp => "exp(a)",
            Unary::Log => "1/a",
            Unary::Sqrt => "1/(2·sqrt(a))",
            Unary::Tanh => "1 - tanh(a)²",
            Unary::Sigmoid => "σ(a)·(1 - σ(a))",
            Unary::Relu => "1 if a > 0 else 0",
            Unary::LeakyRelu => "1 if a > 0 else 0.01",
            Unary::Elu => "1 if a > 0 else exp(a)",
            Unary::Selu => "λ if a > 0 else λ·α·exp(a)",
            Unary::Softplus => "σ(a)",
            Unary::Sin => "cos(a)",
            Unary::Cos => "-sin(a)",
            Unary::Abs => "sign(a)",
        }
    }

    /// The rule in words, the way a learner should remember it.
    pub fn rule(self) -> &'static str {
        match self {
            Unary::Neg => "negation flips the gradient's sign",
            Unary::Exp => "exp multiplies the gradient by its own output",
            Unary::Log => "log divides the gradient by its input",
            Unary::Sqrt => "sqrt divides the gradient by twice its output",
            Unary::Tanh => "tanh scales the gradient by 1 - output²: it vanishes where tanh saturates",
            Unary::Sigmoid => {
                "sigmoid scales the gradient by σ(1-σ), at most 0.25: it vanishes where sigmoid saturates"
            }
            Unary::Relu => "relu passes the gradient where the input was positive and kills it elsewhere",
            Unary::LeakyRelu => "leaky relu passes the gradient above zero and lets 1% of it through below",
            Unary::Elu => "elu passes the gradient above zero and scales it by exp(input) below",
            Unary::Selu => "selu scales the gradient by λ above zero and by λα·exp(input) below",
            Unary::Softplus => "softplus scales the gradient by σ(input), a smooth relu gate",
            Unary::Sin => "sin scales the gradient by cos(input)",
            Unary::Cos => "cos scales the gradient by -sin(input)",
            Unary::Abs => "abs passes the gradient with the input's sign",
        }
    }

    /// Where the op has a kink, a point at which its slope jumps (and numerical gradients are unreliable): relu
    /// (0 | 1), leaky relu (0.01 | 1), abs (-1 | 1) and selu (λα ≈ 1.758 | λ ≈ 1.051) at 0. ELU with α = 1 has slope
    /// e⁰ = 1 on both sides of 0: smooth there, no kink.
    pub fn kink(self) -> Option<f64> {
        match self {
            Unary::Relu | Unary::LeakyRelu | Unary::Abs | Unary::Selu => Some(0.0),
            _ => None,
        }
    }
}

impl Binary {
    /// Every binary op.
    pub const ALL: [Binary; 7] =
        [Binary::Add, Binary::Sub, Binary::Mul, Binary::Div, Binary::Pow, Binary::Max, Binary::Min];

    /// The forward rule.
    #[inline]
    pub fn forward(self, a: f64, b: f64) -> f64 {
        match self {
            Binary::Add => a + b,
            Binary::Sub => a - b,
            Binary::Mul => a * b,
            Binary::Div => a / b,
            Binary::Pow => a.powf(b),
            Binary::Max => {
                if b > a {
                    b
                } else {
                    a
                }
            }
            Binary::Min => {
                if b < a {
                    b
                } else {
                    a
                }
            }
        }
    }

    /// The local derivatives `(∂out/∂a, ∂out/∂b)`, given the operands and the op's own output.
    #[inline]
    pub fn local(self, a: f64, b: f64, out: f64) -> (f64, f64) {
        match self {
            Binary::Add => (1.0, 1.0),
            Binary::Sub => (1.0, -1.0),
            Binary::Mul => (b, a),
            Binary::Div => (1.0 / b, -a / (b * b)),
            Binary::Pow => {
                // PyTorch's pow_backward: 0 where the exponent is 0; pow_backward_exponent: 0 where a = 0 and b >= 0.
                let da = if b == 0.0 { 0.0 } else { b * a.powf(b - 1.0) };
                let db = if a == 0.0 && b >= 0.0 { 0.0 } else { out * a.ln() };
                (da, db)
            }
            Binary::Max => {
                if a > b {
                    (1.0, 0.0)
                } else if b > a {
                    (0.0, 1.0)
                } else {
                    (0.5, 0.5)
                }
            }
            Binary::Min => {
                if a < b {
                    (1.0, 0.0)
                } else if b < a {
                    (0.0, 1.0)
                } else {
                    (0.5, 0.5)
                }
            }
        }
    }

    /// The infix symbol, or the function name for `max` and `min`.
    pub fn symbol(self) -> &'static str {
        match self {
            Binary::Add => "+",
            Binary::Sub => "-",
            Binary::Mul => "*",
            Binary::Div => "/",
            Binary::Pow => "^",
            Binary::Max => "max",
            Binary::Min => "min",
        }
    }

    /// The op as a word, for naming unnamed gates (`add#4`): `add`, `sub`, `mul`, `div`, `pow`, `max`, `min`.
    pub fn word(self) -> &'static str {
        match self {
            Binary::Add => "add",
            Binary::Sub => "sub",
            Binary::Mul => "mul",
            Binary::Div => "div",
            Binary::Pow => "pow",
            Binary::Max => "max",
            Binary::Min => "min",
        }
    }

    /// Whether the op is written as a call `max(a, b)` rather than infix.
    pub fn is_call(self) -> bool {
        matches!(self, Binary::Max | Binary::Min)
    }

    /// The op a two-argument function name calls, if any.
    pub fn from_name(name: &str) -> Option<Binary> {
        match name {
            "max" => Some(Binary::Max),
            "min" => Some(Binary::Min),
            "pow" => Some(Binary::Pow),
            _ => None,
        }
    }

    /// The local derivatives as formulas in `a`, `b` and `n` (the output), for the explanation panel.
    pub fn local_formulas(self) -> (&'static str, &'static str) {
        match self {
            Binary::Add => ("1", "1"),
            Binary::Sub => ("1", "-1"),
            Binary::Mul => ("b", "a"),
            Binary::Div => ("1/b", "-a/b²"),
            Binary::Pow => ("b·a^(b-1)", "a^b·ln(a)"),
            Binary::Max => ("1 if a > b, ½ on a tie, else 0", "1 if b > a, ½ on a tie, else 0"),
            Binary::Min => ("1 if a < b, ½ on a tie, else 0", "1 if b < a, ½ on a tie, else 0"),
        }
    }

    /// The rule in words, the way a learner should remember it.
    pub fn rule(self) -> &'static str {
        match self {
            Binary::Add => "add distributes the gradient: each input gets the upstream gradient unchanged",
            Binary::Sub => "subtract passes the gradient to the left input and its negative to the right one",
            Binary::Mul => "mul swaps the inputs: each input's gradient is the upstream times the other input",
            Binary::Div => "divide scales the numerator's gradient by 1/b and the denominator's by -a/b²",
            Binary::Pow => "power brings the exponent down: b·a^(b-1) for the base, a^b·ln(a) for the exponent",
            Binary::Max => "max routes the gradient to the larger input (half each on a tie)",
            Binary::Min => "min routes the gradient to the smaller input (half each on a tie)",
        }
    }
}

/// A node's op: its kind and its operands (indices into the graph), in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    /// An input: its value is set from outside and it gets a gradient.
    Leaf,
    /// A number in the program: no gradient is computed for it.
    Const,
    /// A one-operand op.
    Unary(Unary, u32),
    /// A two-operand op.
    Binary(Binary, u32, u32),
}

impl Op {
    /// The operands, in order.
    #[inline]
    pub fn operands(&self) -> impl Iterator<Item = u32> + '_ {
        let (a, b) = match *self {
            Op::Leaf | Op::Const => (None, None),
            Op::Unary(_, a) => (Some(a), None),
            Op::Binary(_, a, b) => (Some(a), Some(b)),
        };
        a.into_iter().chain(b)
    }

    /// A short name for the op as the graph shows it: `+`, `*`, `tanh`, `leaf`, `const`.
    pub fn short(&self) -> &'static str {
        match self {
            Op::Leaf => "leaf",
            Op::Const => "const",
            Op::Unary(Unary::Neg, _) => "neg",
            Op::Unary(u, _) => u.name(),
            Op::Binary(b, _, _) => b.symbol(),
        }
    }

    /// The op as a word, the first half of an unnamed node's name (`add#4`, `tanh#7`, `input#0`): a binary op's
    /// [`Binary::word`], a function's name.
    pub fn word(&self) -> &'static str {
        match self {
            Op::Leaf => "input",
            Op::Const => "const",
            Op::Unary(u, _) => u.name(),
            Op::Binary(b, _, _) => b.word(),
        }
    }

    /// The rule in words, or an empty string for leaves and constants.
    pub fn rule(&self) -> &'static str {
        match self {
            Op::Leaf | Op::Const => "",
            Op::Unary(u, _) => u.rule(),
            Op::Binary(b, _, _) => b.rule(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinks_follow_pytorch() {
        // relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = 0.01 (PyTorch tests `x > 0`), elu'(0) = alpha·e⁰ = 1
        assert_eq!(Unary::Relu.local(0.0, 0.0), 0.0);
        assert_eq!(Unary::Abs.local(0.0, 0.0), 0.0);
        assert_eq!(Unary::LeakyRelu.local(0.0, 0.0), 0.01);
        assert_eq!(Unary::Elu.local(0.0, 0.0), 1.0);
        // selu'(0) = λα (the negative branch at 0)
        assert_eq!(Unary::Selu.local(0.0, 0.0), SELU_LAMBDA * SELU_ALPHA);
        // max/min split a tie
        assert_eq!(Binary::Max.local(2.0, 2.0, 2.0), (0.5, 0.5));
        assert_eq!(Binary::Min.local(-1.0, -1.0, -1.0), (0.5, 0.5));
        assert_eq!(Binary::Max.local(2.0, -1.0, 2.0), (1.0, 0.0));
        // d/db 0^b = 0 for b >= 0 (PyTorch masks the NaN of 0·ln 0)
        assert_eq!(Binary::Pow.local(0.0, 2.0, 0.0), (0.0, 0.0));
        // d/da a^0 = 0 even at a = 0
        assert_eq!(Binary::Pow.local(0.0, 0.0, 1.0).0, 0.0);
    }

    #[test]
    fn softplus_threshold_as_pytorch() {
        // above 20 softplus returns its input and passes the gradient unchanged
        assert_eq!(Unary::Softplus.forward(25.0), 25.0);
        assert_eq!(Unary::Softplus.local(25.0, 25.0), 1.0);
        assert!((Unary::Softplus.forward(0.0) - 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn max_and_min_formulas_give_the_half_of_a_tie() {
        // the number shown at a tie is ½, so the formula must say so
        assert_eq!(Binary::Max.local_formulas().0, "1 if a > b, ½ on a tie, else 0");
        assert_eq!(Binary::Min.local_formulas().1, "1 if b < a, ½ on a tie, else 0");
    }

    #[test]
    fn names_round_trip() {
        for u in Unary::ALL.into_iter().filter(|u| *u != Unary::Neg) {
            assert_eq!(Unary::from_name(u.name()), Some(u));
        }
        assert_eq!(Unary::from_name("neg"), None);
    }
}
