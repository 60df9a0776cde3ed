//! Activations over whole f32 slices, vectorized: the fast path behind the tape's `map` op for exp, log, tanh,
//! sigmoid, softplus, elu and selu (forward), and for the backward rules of elu, selu and softplus, which need eᵃ
//! again. The scalar engine's op table ([`crate::scalar::Unary`]) stays the definition of every function; these
//! kernels compute the same functions, and the tests below hold them to it.
//!
//! Each function is written once, for one element, branch-free (both sides of a case are computed and one is
//! selected), with no call that the compiler cannot inline; the loop over a slice is then compiled twice: once
//! with AVX2 and FMA enabled (8 lanes, fused multiply-adds), chosen at run time when the processor has them
//! ([`Level::detect`]), and once for the baseline target (SSE2 on x86-64: 4 lanes, separate multiply and add), the
//! portable fallback. `CHAINRULE_SIMD=portable` in the environment forces the fallback (to measure it).
//! No AVX-512 path: the machines measured here (AMD Zen 3) have none to test it on. f64 keeps the standard library's
//! functions (libm): the f64 tape is the one that must agree with the scalar engine to 1e-10, and it is not the fast
//! path.
//!
//! | function | method | worst error in the sweep (AVX2 and portable alike) / bound the tests hold it to, in ulp of the correctly rounded f32 |
//! |---|---|---|
//! | eˣ | x = n·ln 2 + r, \|r\| ≤ ½ln 2 (Cody–Waite, two constants); eʳ = 1 + r + r²·P₅(r) (Cephes' `expf`); 2ⁿ applied as two powers of two, so results down to the subnormals round once | 1 / 2; 0 below −103.9, ∞ above 88.72 |
//! | eˣ − 1, x ≤ 0 (elu, selu) | the same r; 2ⁿ·(1 + q) − 1 = (2ⁿ − 1) + 2ⁿ·q, q = r + r²·P₅(r), so no cancellation near 0 | (in elu, selu) |
//! | ln x | x = m·2ᵉ, m ∈ [√½, √2); ln m = f − f²/2 + f³·P₈(f), f = m − 1 (Cephes' `logf`); subnormal x scaled by 2²³ first | 1 / 2; ln 0 = −∞, ln of a negative = NaN |
//! | tanh x | \|x\| < 0.625: x + x³·P₄(x²) (Cephes' `tanhf`); else ±(1 − 2/(e^{2\|x\|} + 1)) | 1 / 2; ±1 beyond ±9.01 |
//! | σ(x) | 1/(1 + e^{−x}) for x ≥ 0, e^{x}/(1 + e^{x}) below, so tiny results keep their precision | 2 / 3 |
//! | softplus x | x above 20 (PyTorch's threshold); else max(x, 0) + ln1p(e^{−\|x\|}), ln1p(u) = ln w − ((w − 1) − u)/w with w = 1 + u | 2 / 3 |
//! | elu x, selu x | x (λx) above 0; (λα)·(eˣ − 1) below | 1 / 2 (elu), 2 / 3 (selu: λ and λα rounded to f32 once each) |
//! | backward of elu, selu, softplus | αeˣ, λαeˣ, σ(x) with the kernels above | bound 4 |
//!
//! The sweep: every 509th f32 bit pattern (both signs, zeros, subnormals, the saturated tails, ±∞, NaN), every
//! 10⁻⁴ on [−30, 30], and the edges of each function (`tests` below). All within the 4 ulp (SLEEF's "u35"
//! class; PyTorch's own kernels are 1 ulp).
//!
//! NaN gives NaN, ±0 and ±∞ give the limits (tanh ±0 = ±0, σ(−∞) = 0, ...), and subnormal inputs and results are
//! handled, not flushed. Measured on this project's Zen 3 machine (`examples/vmath_probe.rs`): tanh costs about
//! 1 ns an element with AVX2 against about 20 ns for glibc's `tanhf`; see the README's speed section.

use crate::real::Real;
use crate::scalar::Unary;
use crate::scalar::op::{ELU_ALPHA as ELU_ALPHA_F64, SELU_ALPHA, SELU_LAMBDA, SOFTPLUS_THRESHOLD};

use std::sync::atomic::{AtomicU8, Ordering};

/// Which compiled copy of the kernels runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The baseline target's instructions (SSE2 on x86-64), without fused multiply-adds: runs everywhere.
    Portable,
    /// AVX2 and FMA, 8 lanes (x86-64 processors since 2013-2015).
    Avx2Fma,
}

impl Level {
    /// The best level this processor runs, found once per process; `CHAINRULE_SIMD=portable` forces
    /// [`Level::Portable`].
    pub fn detect() -> Level {
        static LEVEL: AtomicU8 = AtomicU8::new(0);
        match LEVEL.load(Ordering::Relaxed) {
            1 => Level::Portable,
            2 => Level::Avx2Fma,
            _ => {
                let forced = std::env::var("CHAINRULE_SIMD").is_ok_and(|v| v == "portable");
                let level = if !forced && avx2_fma() { Level::Avx2Fma } else { Level::Portable };
                LEVEL.store(if level == Level::Portable { 1 } else { 2 }, Ordering::Relaxed);
                level
            }
        }
    }

    /// Every level this processor can run (for the tests: each one is checked).
    pub fn available() -> Vec<Level> {
        let mut v = vec![Level::Portable];
        if avx2_fma() {
            v.push(Level::Avx2Fma);
        }
        v
    }
}

fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether `u` has a vectorized forward kernel here.
pub fn has_forward(u: Unary) -> bool {
    matches!(u, Unary::Exp | Unary::Log | Unary::Tanh | Unary::Sigmoid | Unary::Softplus | Unary::Elu | Unary::Selu)
}

/// Whether `u` has a vectorized backward kernel here (the others' derivatives are products and quotients of the
/// operand and the output, which the plain loop already vectorizes).
pub fn has_backward(u: Unary) -> bool {
    matches!(u, Unary::Softplus | Unary::Elu | Unary::Selu)
}

/// The activations a tensor element type applies over whole slices: the tape's `map` op calls these. f32 takes the
/// vectorized kernels where there is one; f64, and every op without a kernel, the plain rule of the scalar engine.
pub trait Activations: Real {
    /// out[i] = u(x[i]).
    fn map_forward(u: Unary, x: &[Self], out: &mut [Self]) {
        plain_forward(u, x, out);
    }

    /// ga[i] (+)= gout[i] · u′(x[i]) (`out` holds u(x)); adds when `acc`, else writes.
    fn map_backward(u: Unary, x: &[Self], out: &[Self], gout: &[Self], ga: &mut [Self], acc: bool) {
        plain_backward(u, x, out, gout, ga, acc);
    }
}

impl Activations for f64 {}

impl Activations for f32 {
    fn map_forward(u: Unary, x: &[f32], out: &mut [f32]) {
        if !forward(Level::detect(), u, x, out) {
            plain_forward(u, x, out);
        }
    }

    fn map_backward(u: Unary, x: &[f32], out: &[f32], gout: &[f32], ga: &mut [f32], acc: bool) {
        if !backward(Level::detect(), u, x, gout, ga, acc) {
            plain_backward(u, x, out, gout, ga, acc);
        }
    }
}

/// out[i] = u(x[i]) by the scalar engine's rule ([`Unary::forward`]), one loop per op.
pub fn plain_forward<T: Real>(u: Unary, x: &[T], out: &mut [T]) {
    macro_rules! each {
        ($($op:ident),*) => {
            match u {
                $(Unary::$op => for (o, &a) in out.iter_mut().zip(x) { *o = Unary::$op.forward(a) },)*
            }
        };
    }
    each!(Neg, Exp, Log, Sqrt, Tanh, Sigmoid, Relu, LeakyRelu, Elu, Selu, Softplus, Sin, Cos, Abs);
}

/// ga[i] (+)= gout[i] · u′(x[i]) by the scalar engine's local derivative ([`Unary::local`]), one loop per op.
pub fn plain_backward<T: Real>(u: Unary, x: &[T], out: &[T], gout: &[T], ga: &mut [T], acc: bool) {
    macro_rules! each {
        ($($op:ident),*) => {
            match u {
                $(Unary::$op => put(ga, acc, |i| gout[i] * Unary::$op.local(x[i], out[i])),)*
            }
        };
    }
    each!(Neg, Exp, Log, Sqrt, Tanh, Sigmoid, Relu, LeakyRelu, Elu, Selu, Softplus, Sin, Cos, Abs);
}

/// Writes or adds `f(i)` into every element of `dst`.
#[inline(always)]
fn put<T: Real>(dst: &mut [T], acc: bool, f: impl Fn(usize) -> T) {
    if acc {
        for (i, d) in dst.iter_mut().enumerate() {
            *d += f(i);
        }
    } else {
        for (i, d) in dst.iter_mut().enumerate() {
            *d = f(i);
        }
    }
}

/// out[i] = u(x[i]) with the kernels of `level`; false (and nothing written) when `u` has no kernel.
pub fn forward(level: Level, u: Unary, x: &[f32], out: &mut [f32]) -> bool {
    if !has_forward(u) {
        return false;
    }
    assert_eq!(x.len(), out.len(), "map: input and output lengths");
    match level {
        #[cfg(target_arch = "x86_64")]
        Level::Avx2Fma if avx2_fma() => {
            // SAFETY: the processor was just found to have AVX2 and FMA, the features the function is compiled with.
            unsafe { forward_avx2(u, x, out) }
        }
        _ => forward_loops::<false>(u, x, out),
    }
    true
}

/// ga[i] (+)= gout[i] · u′(x[i]) with the kernels of `level`; false (and nothing written) when `u` has no kernel.
pub fn backward(level: Level, u: Unary, x: &[f32], gout: &[f32], ga: &mut [f32], acc: bool) -> bool {
    if !has_backward(u) {
        return false;
    }
    assert!(x.len() == ga.len() && gout.len() == ga.len(), "map backward: lengths");
    match level {
        #[cfg(target_arch = "x86_64")]
        Level::Avx2Fma if avx2_fma() => {
            // SAFETY: as in `forward`.
            unsafe { backward_avx2(u, x, gout, ga, acc) }
        }
        _ => backward_loops::<false>(u, x, gout, ga, acc),
    }
    true
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn forward_avx2(u: Unary, x: &[f32], out: &mut [f32]) {
    forward_loops::<true>(u, x, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn backward_avx2(u: Unary, x: &[f32], gout: &[f32], ga: &mut [f32], acc: bool) {
    backward_loops::<true>(u, x, gout, ga, acc);
}

/// One loop per function, inlined into the caller so that it is compiled with the caller's target features.
#[inline(always)]
fn forward_loops<const FMA: bool>(u: Unary, x: &[f32], out: &mut [f32]) {
    #[inline(always)]
    fn each(x: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32) {
        for (o, &a) in out.iter_mut().zip(x) {
            *o = f(a);
        }
    }
    match u {
        Unary::Exp => each(x, out, exp::<FMA>),
        Unary::Log => each(x, out, ln::<FMA>),
        Unary::Tanh => each(x, out, tanh::<FMA>),
        Unary::Sigmoid => each(x, out, sigmoid::<FMA>),
        Unary::Softplus => each(x, out, softplus::<FMA>),
        Unary::Elu => each(x, out, elu::<FMA>),
        Unary::Selu => each(x, out, selu::<FMA>),
        _ => unreachable!("has_forward checked"),
    }
}

#[inline(always)]
fn backward_loops<const FMA: bool>(u: Unary, x: &[f32], gout: &[f32], ga: &mut [f32], acc: bool) {
    #[inline(always)]
    fn each(x: &[f32], gout: &[f32], ga: &mut [f32], acc: bool, d: impl Fn(f32) -> f32) {
        if acc {
            for ((g, &a), &up) in ga.iter_mut().zip(x).zip(gout) {
                *g += up * d(a);
            }
        } else {
            for ((g, &a), &up) in ga.iter_mut().zip(x).zip(gout) {
                *g = up * d(a);
            }
        }
    }
    match u {
        Unary::Elu => each(x, gout, ga, acc, elu_local::<FMA>),
        Unary::Selu => each(x, gout, ga, acc, selu_local::<FMA>),
        Unary::Softplus => each(x, gout, ga, acc, softplus_local::<FMA>),
        _ => unreachable!("has_backward checked"),
    }
}

// ---- the functions, one element each, branch-free ----

/// a·b + c, fused when the kernels are compiled with FMA (a separate multiply and add otherwise: without the
/// instruction, `mul_add` would be a library call).
#[inline(always)]
fn fma<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// 1.5·2²³: adding it rounds a float below 2²² to an integer, which then sits in the low bits of the sum.
const ROUND: f32 = 12_582_912.0;
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// ln 2 in two parts: the first (0.693359375 exactly) has 9 significant bits, so n·LN2_HI is exact for |n| < 2¹⁵
/// (Cody and Waite).
const LN2_HI: f32 = 0.6933594;
const LN2_LO: f32 = -2.121_944_4e-4;

/// 2ᵏ for -126 ≤ k ≤ 127.
#[inline(always)]
fn pow2i(k: i32) -> f32 {
    f32::from_bits(((k + 127) as u32) << 23)
}

/// x = n·ln 2 + r with n an integer and |r| ≤ ½ ln 2 (a little more after rounding); returns (n, r).
#[inline(always)]
fn reduce<const FMA: bool>(x: f32) -> (i32, f32) {
    let t = fma::<FMA>(x, LOG2_E, ROUND);
    let n = t - ROUND;
    let k = t.to_bits() as i32 - ROUND.to_bits() as i32;
    let r = fma::<FMA>(n, -LN2_HI, x);
    (k, fma::<FMA>(n, -LN2_LO, r))
}

/// eʳ − 1 for |r| ≤ ½ ln 2 + ε: r + r²·P₅(r), Cephes' `expf` polynomial.
#[inline(always)]
fn expm1_reduced<const FMA: bool>(r: f32) -> f32 {
    let mut p = 1.987_569_1e-4;
    p = fma::<FMA>(p, r, 1.398_199_9e-3);
    p = fma::<FMA>(p, r, 8.333_452e-3);
    p = fma::<FMA>(p, r, 4.166_579_6e-2);
    p = fma::<FMA>(p, r, 0.16666666);
    p = fma::<FMA>(p, r, 0.5);
    fma::<FMA>(p, r * r, r)
}

/// eˣ.
#[inline(always)]
fn exp<const FMA: bool>(x: f32) -> f32 {
    // beyond these e^x is 0 or ∞ in f32; NaN is put back at the end
    let xc = x.clamp(-104.0, 89.0);
    let (k, r) = reduce::<FMA>(xc);
    let y = expm1_reduced::<FMA>(r) + 1.0;
    // 2ᵏ as two factors, each a normal float for -151 ≤ k ≤ 129: the result rounds once, subnormal or not
    let k1 = k >> 1;
    let v = y * pow2i(k1) * pow2i(k - k1);
    if x.is_nan() { x } else { v }
}

/// eˣ − 1 for x ≤ 0 (larger x is treated as 0; NaN gives NaN).
#[inline(always)]
fn expm1_neg<const FMA: bool>(x: f32) -> f32 {
    // below -30, e^x - 1 rounds to -1
    let xc = x.clamp(-30.0, 0.0);
    let (k, r) = reduce::<FMA>(xc);
    let q = expm1_reduced::<FMA>(r);
    let s = pow2i(k);
    // 2ᵏ(1 + q) − 1 = (2ᵏ − 1) + 2ᵏq; 2ᵏ − 1 is exact for k ≥ −24, and k = 0 gives q itself
    let v = fma::<FMA>(s, q, s - 1.0);
    // NaN stays NaN, and ±0 keeps its sign (the reduction above would give +0)
    if x.is_nan() || x == 0.0 { x } else { v }
}

const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// ln x.
#[inline(always)]
fn ln<const FMA: bool>(x: f32) -> f32 {
    // subnormal x: scale by 2²³ into the normal range, and take 23 off the exponent
    let tiny = x < f32::MIN_POSITIVE;
    let xs = if tiny { x * 8_388_608.0 } else { x };
    let bits = xs.to_bits() as i32;
    // x = m·2ᵉ with m ∈ [½, 1)
    let e = ((bits >> 23) & 0xff) - 126 - if tiny { 23 } else { 0 };
    let m = f32::from_bits(((bits & 0x007f_ffff) | 0x3f00_0000) as u32);
    // m ∈ [√½, 1) → f = m − 1; m ∈ [½, √½) → f = 2m − 1 and e − 1: f ∈ [√½ − 1, √2 − 1)
    let low = m < SQRT_HALF;
    let f = if low { m + m - 1.0 } else { m - 1.0 };
    let fe = (if low { e - 1 } else { e }) as f32;
    let z = f * f;
    let mut p = 7.037_683_6e-2;
    p = fma::<FMA>(p, f, -0.1151461);
    p = fma::<FMA>(p, f, 0.11676999);
    p = fma::<FMA>(p, f, -0.12420141);
    p = fma::<FMA>(p, f, 0.14249323);
    p = fma::<FMA>(p, f, -0.16668057);
    p = fma::<FMA>(p, f, 0.20000716);
    p = fma::<FMA>(p, f, -0.24999994);
    p = fma::<FMA>(p, f, 0.3333333);
    let mut y = p * f * z;
    y = fma::<FMA>(fe, LN2_LO, y);
    y = fma::<FMA>(z, -0.5, y);
    let v = fma::<FMA>(fe, LN2_HI, f + y);
    let v = if x == f32::INFINITY { x } else { v };
    let v = if x == 0.0 { f32::NEG_INFINITY } else { v };
    // negative or NaN
    if x >= 0.0 { v } else { f32::NAN }
}

/// ln(1 + u) for 0 ≤ u ≤ 1 (or NaN): w = 1 + u rounds, and ((w − 1) − u)/w corrects for it (w − 1 is exact).
#[inline(always)]
fn ln1p_unit<const FMA: bool>(u: f32) -> f32 {
    let w = 1.0 + u;
    ln::<FMA>(w) - ((w - 1.0) - u) / w
}

/// tanh x.
#[inline(always)]
fn tanh<const FMA: bool>(x: f32) -> f32 {
    let ax = x.abs();
    let z = x * x;
    let mut p = -5.704_988_7e-3;
    p = fma::<FMA>(p, z, 0.02063909);
    p = fma::<FMA>(p, z, -5.373_971_6e-2);
    p = fma::<FMA>(p, z, 0.13331442);
    p = fma::<FMA>(p, z, -0.3333328);
    let small = fma::<FMA>(p * z, x, x);
    // e^{2|x|} is ∞ from |x| = 44.4 on, and then the result is exactly 1
    let e = exp::<FMA>(ax + ax);
    let large = 1.0 - 2.0 / (e + 1.0);
    // tanh is odd: the sign of x, ±0 included
    (if ax < 0.625 { small } else { large }).copysign(x)
}

/// σ(x) = 1/(1 + e⁻ˣ).
#[inline(always)]
fn sigmoid<const FMA: bool>(x: f32) -> f32 {
    let e = exp::<FMA>(-x.abs());
    let d = 1.0 + e;
    if x >= 0.0 { 1.0 / d } else { e / d }
}

/// softplus x = ln(1 + eˣ), x itself above the threshold.
#[inline(always)]
fn softplus<const FMA: bool>(x: f32) -> f32 {
    let v = x.max(0.0) + ln1p_unit::<FMA>(exp::<FMA>(-x.abs()));
    if x > SOFTPLUS_THRESHOLD as f32 { x } else { v }
}

/// elu x (α = 1).
#[inline(always)]
fn elu<const FMA: bool>(x: f32) -> f32 {
    let neg = ELU_ALPHA * expm1_neg::<FMA>(x);
    if x > 0.0 { x } else { neg }
}

const ELU_ALPHA: f32 = ELU_ALPHA_F64 as f32;
const SELU_SCALE: f32 = SELU_LAMBDA as f32;
/// λα rounded once (the scalar rule multiplies the two rounded constants).
const SELU_SCALE_ALPHA: f32 = (SELU_LAMBDA * SELU_ALPHA) as f32;

/// selu x.
#[inline(always)]
fn selu<const FMA: bool>(x: f32) -> f32 {
    let neg = SELU_SCALE_ALPHA * expm1_neg::<FMA>(x);
    if x > 0.0 { SELU_SCALE * x } else { neg }
}

/// d elu / dx: 1 above 0, αeˣ below.
#[inline(always)]
fn elu_local<const FMA: bool>(x: f32) -> f32 {
    let neg = ELU_ALPHA * exp::<FMA>(x);
    if x > 0.0 { 1.0 } else { neg }
}

/// d selu / dx: λ above 0, λαeˣ below.
#[inline(always)]
fn selu_local<const FMA: bool>(x: f32) -> f32 {
    let neg = SELU_SCALE_ALPHA * exp::<FMA>(x);
    if x > 0.0 { SELU_SCALE } else { neg }
}

/// d softplus / dx: σ(x), 1 above the threshold.
#[inline(always)]
fn softplus_local<const FMA: bool>(x: f32) -> f32 {
    let s = sigmoid::<FMA>(x);
    if x > SOFTPLUS_THRESHOLD as f32 { 1.0 } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The distance in representable f32 values between a and b (0 when equal, both NaN, or ±0).
    fn ulps(a: f32, b: f32) -> u64 {
        if a.is_nan() && b.is_nan() {
            return 0;
        }
        if a.is_nan() || b.is_nan() {
            return u64::MAX;
        }
        // map the floats onto a line of integers in order (−0 and +0 both to 0)
        let key = |x: f32| {
            let b = x.to_bits() as i64;
            if b < 0 { -(b & 0x7fff_ffff) } else { b }
        };
        key(a).abs_diff(key(b))
    }

    /// The function in f64, rounded once to f32: the reference each kernel is measured against.
    fn reference(u: Unary, x: f32) -> f32 {
        let a = f64::from(x);
        let v = match u {
            // the f64 rules with their f64 constants, which round to the nearest f32 once
            Unary::Sigmoid if a < 0.0 => a.exp() / (1.0 + a.exp()),
            Unary::Softplus if a <= SOFTPLUS_THRESHOLD => a.max(0.0) + (-a.abs()).exp().ln_1p(),
            _ => u.forward(a),
        };
        v as f32
    }

    /// The derivative in f64, rounded once.
    fn reference_local(u: Unary, x: f32) -> f32 {
        let a = f64::from(x);
        let v = match u {
            Unary::Softplus if a <= SOFTPLUS_THRESHOLD => {
                if a >= 0.0 {
                    1.0 / (1.0 + (-a).exp())
                } else {
                    a.exp() / (1.0 + a.exp())
                }
            }
            _ => u.local(a, u.forward(a)),
        };
        v as f32
    }

    /// Inputs: every 509th f32 bit pattern (both signs, zeros, subnormals, the tails, ±∞ and the NaNs), a dense
    /// grid on [−30, 30], and the special values.
    fn sweep() -> Vec<f32> {
        let mut xs: Vec<f32> = (0..=u32::MAX).step_by(509).map(f32::from_bits).collect();
        xs.extend((-300_000..=300_000).map(|i| i as f32 * 1e-4));
        xs.extend([
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            0.625,
            -0.625,
            20.0,
            20.000002,
            88.72283,
            88.72284,
            -87.33654,
            -103.97208,
            -104.0,
            9.010913,
        ]);
        xs
    }

    fn worst(level: Level, u: Unary, xs: &[f32]) -> (u64, f32, f32, f32) {
        let mut out = vec![0.0f32; xs.len()];
        assert!(forward(level, u, xs, &mut out));
        let mut w = (0, 0.0, 0.0, 0.0);
        for (&x, &y) in xs.iter().zip(&out) {
            let want = reference(u, x);
            let d = ulps(y, want);
            if d > w.0 {
                w = (d, x, y, want);
            }
        }
        w
    }

    /// (function, bound in ulp): one above the worst measured, so that a change that costs accuracy shows.
    const BOUNDS: [(Unary, u64); 7] = [
        (Unary::Exp, 2),
        (Unary::Log, 2),
        (Unary::Tanh, 2),
        (Unary::Sigmoid, 3),
        (Unary::Softplus, 3),
        (Unary::Elu, 2),
        (Unary::Selu, 3),
    ];

    #[test]
    fn every_kernel_is_within_its_bound_at_every_level() {
        let xs = sweep();
        for level in Level::available() {
            for (u, bound) in BOUNDS {
                let (d, x, got, want) = worst(level, u, &xs);
                println!("{level:?} {}: worst {d} ulp, at x = {x:e}", u.name());
                assert!(d <= bound, "{level:?} {}: {d} ulp at x = {x:e}: {got:e}, want {want:e}", u.name());
            }
        }
    }

    #[test]
    fn special_values_give_the_limits() {
        for level in Level::available() {
            let run = |u: Unary, x: f32| {
                let mut o = [0.0f32];
                assert!(forward(level, u, &[x], &mut o));
                o[0]
            };
            // bit for bit: the signs of zero, and the exact limits
            let same = |a: f32, b: f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
            let cases: [(Unary, f32, f32); 22] = [
                (Unary::Exp, f32::NEG_INFINITY, 0.0),
                (Unary::Exp, f32::INFINITY, f32::INFINITY),
                (Unary::Exp, 0.0, 1.0),
                (Unary::Exp, -0.0, 1.0),
                (Unary::Exp, 100.0, f32::INFINITY),
                (Unary::Log, 0.0, f32::NEG_INFINITY),
                (Unary::Log, -0.0, f32::NEG_INFINITY),
                (Unary::Log, -1.0, f32::NAN),
                (Unary::Log, 1.0, 0.0),
                (Unary::Log, f32::INFINITY, f32::INFINITY),
                (Unary::Tanh, 0.0, 0.0),
                (Unary::Tanh, -0.0, -0.0),
                (Unary::Tanh, f32::INFINITY, 1.0),
                (Unary::Tanh, f32::NEG_INFINITY, -1.0),
                (Unary::Sigmoid, f32::NEG_INFINITY, 0.0),
                (Unary::Sigmoid, f32::INFINITY, 1.0),
                (Unary::Sigmoid, 0.0, 0.5),
                (Unary::Softplus, f32::NEG_INFINITY, 0.0),
                (Unary::Softplus, f32::INFINITY, f32::INFINITY),
                (Unary::Elu, f32::NEG_INFINITY, -1.0),
                (Unary::Elu, -0.0, -0.0),
                (Unary::Selu, 0.0, 0.0),
            ];
            for (u, x, want) in cases {
                let got = run(u, x);
                assert!(same(got, want), "{level:?} {}({x}) = {got}, want {want}", u.name());
            }
            for u in Unary::ALL.into_iter().filter(|&u| has_forward(u)) {
                assert!(run(u, f32::NAN).is_nan(), "{level:?} {}(NaN)", u.name());
            }
        }
    }

    #[test]
    fn backward_kernels_are_within_their_bounds() {
        let xs = sweep();
        let gout = vec![1.0f32; xs.len()];
        for level in Level::available() {
            for u in Unary::ALL.into_iter().filter(|&u| has_backward(u)) {
                let mut ga = vec![0.0f32; xs.len()];
                assert!(backward(level, u, &xs, &gout, &mut ga, false));
                for (&x, &g) in xs.iter().zip(&ga) {
                    let want = reference_local(u, x);
                    let d = ulps(g, want);
                    assert!(d <= 4, "{level:?} {}′({x:e}) = {g:e}, want {want:e}: {d} ulp", u.name());
                }
                // accumulating adds onto what is there
                let mut acc = vec![1.0f32; 3];
                assert!(backward(level, u, &[-1.0, 0.5, 30.0], &[2.0, 2.0, 2.0], &mut acc, true));
                for (a, x) in acc.iter().zip([-1.0f32, 0.5, 30.0]) {
                    let want = 1.0 + 2.0 * reference_local(u, x);
                    assert!((a - want).abs() <= 4.0 * f32::EPSILON * want.abs(), "{}′ acc at {x}", u.name());
                }
            }
        }
    }

    #[test]
    fn the_kernels_agree_with_the_scalar_rule_they_speed_up() {
        // the plain rule in f32 (the scalar engine's formula, libm's functions) against the kernel: the same
        // function, so within a few ulp wherever the plain rule is itself accurate (away from its own underflow
        // and cancellation: σ and softplus above -80, elu/selu away from 0 where eˣ − 1 is computed by expm1)
        let xs: Vec<f32> = (-800_000..=800_000).map(|i| i as f32 * 1e-4).collect();
        for level in Level::available() {
            for u in Unary::ALL.into_iter().filter(|&u| has_forward(u)) {
                let xs: Vec<f32> = if u == Unary::Log { xs.iter().map(|x| x.abs()).collect() } else { xs.clone() };
                let mut fast = vec![0.0f32; xs.len()];
                let mut plain = vec![0.0f32; xs.len()];
                assert!(forward(level, u, &xs, &mut fast));
                plain_forward(u, &xs, &mut plain);
                for ((&x, &f), &p) in xs.iter().zip(&fast).zip(&plain) {
                    assert!(ulps(f, p) <= 6, "{level:?} {}({x}): kernel {f:e}, plain rule {p:e}", u.name());
                }
            }
        }
    }

    #[test]
    fn the_activations_trait_gives_the_plain_rule_for_ops_without_a_kernel() {
        let x = [-2.0f32, -0.5, 0.0, 0.5, 2.0];
        for u in Unary::ALL {
            let (mut a, mut b) = ([0.0f32; 5], [0.0f32; 5]);
            <f32 as Activations>::map_forward(u, &x, &mut a);
            plain_forward(u, &x, &mut b);
            for (p, q) in a.iter().zip(&b) {
                assert!(ulps(*p, *q) <= 6 || (p.is_nan() && q.is_nan()), "{}", u.name());
            }
        }
    }
}
