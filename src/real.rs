//! The floating-point types the numeric core runs on: f64 (the scalar engine, the race, the reference tests) and f32
//! (the tensor backend's fast path). One generic implementation of each optimizer rule, tensor op and layer is
//! written against [`Real`] and compiled for both.
//!
//! `Real` is `num_traits::Float` (the maintained trait for `sqrt`, `exp`, `mul_add`, ...) plus lossless-enough
//! conversions to and from f64, where hyper-parameters and reported numbers live.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

/// f32 or f64.
pub trait Real:
    num_traits::Float
    + num_traits::FloatConst
    + Default
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + Sum
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
{
    /// `"f32"` or `"f64"`, as safetensors and the command line name it.
    const NAME: &'static str;
    /// The nearest value of this type (f64 → f32 rounds to nearest).
    fn from_f64(x: f64) -> Self;
    /// The exact f64 value (named `as_f64` so it never resolves to `num_traits::ToPrimitive::to_f64`, which returns an Option).
    fn as_f64(self) -> f64;
    /// `n` as this type (exact below 2²⁴ for f32).
    #[inline]
    fn from_usize(n: usize) -> Self {
        Self::from_f64(n as f64)
    }
}

impl Real for f64 {
    const NAME: &'static str = "f64";
    #[inline]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self
    }
}

impl Real for f32 {
    const NAME: &'static str = "f32";
    #[inline]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn half<T: Real>(x: T) -> T {
        x / T::from_f64(2.0)
    }

    #[test]
    fn both_types_round_trip_through_f64() {
        assert_eq!(half(3.0f64), 1.5);
        assert_eq!(half(3.0f32), 1.5);
        assert_eq!(f32::from_f64(0.1).as_f64(), 0.1f32 as f64); // rounded once, then exact
        assert_eq!((f32::NAME, f64::NAME), ("f32", "f64"));
    }
}
