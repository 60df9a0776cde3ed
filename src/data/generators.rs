//! The toy generators, ported from their sources with a seeded [`StdRng`] in place of `Math.random` / NumPy's global
//! generator. Each draws its random numbers in the source's order, so the structure (not the exact numbers) matches.
//!
//! TensorFlow Playground, `src/dataset.ts` (github.com/tensorflow/playground), with `U(a, b)` = `randUniform(a, b)`
//! = `a + (b − a)·Math.random()` and labels +1 → class 1 (blue), −1 → class 0 (orange):
//!
//! ```text
//! circle   +1: r ~ U(0, 2.5),  −1: r ~ U(3.5, 5);   angle a ~ U(0, 2π);   p = (r sin a, r cos a)
//!          label = +1 if |p + e| < 2.5 else −1,  e = (U(−5, 5), U(−5, 5))·noise     (noise moves the label, not p)
//! xor      x, y ~ U(−5, 5), then each pushed 0.3 away from 0 (x += x > 0 ? 0.3 : −0.3)
//!          label = +1 if (x + ex)(y + ey) ≥ 0 else −1,  e = (U(−5, 5), U(−5, 5))·noise
//! gauss    +1 around (2, 2), −1 around (−2, −2): x, y ~ Normal(c, variance),  variance = 0.5 + (4 − 0.5)·noise/0.5
//!          (d3's linear scale from [0, 0.5] to [0.5, 4], not clamped; normalRandom is Marsaglia's polar method)
//! spiral   arm +1: δ = 0, arm −1: δ = π; for i in 0..m:  r = 5i/m,  t = 1.75·2π·i/m + δ
//!          p = (r sin t + U(−1, 1)·noise,  r cos t + U(−1, 1)·noise)                  (noise moves p)
//! ```
//!
//! The Playground's `noise` is its slider's percentage over 100 (0 to 0.5). Circle, gauss and spiral make half the
//! points per class: for an odd n the source's `i < numSamples / 2` loops would make n + 1 points, so here the +1 class
//! (generated first, as in the source) gets ⌈n/2⌉ and the −1 class ⌊n/2⌋, and a spiral arm of m points uses its own m.
//!
//! scikit-learn, `sklearn/datasets/_samples_generator.py`, `make_moons`: n_out = ⌊n/2⌋ outer and n_in = n − n_out
//! inner points, for t = linspace(0, π) over each:
//!
//! ```text
//! outer (class 0)  (cos t, sin t)            inner (class 1)  (1 − cos t, 1 − sin t − 0.5)
//! then every coordinate += Normal(0, noise)  (scikit-learn shuffles first; we leave that to `split`)
//! ```
//!
//! cs231n (Stanford, "Neural Networks Case Study"), the K-class spiral with N points per class:
//!
//! ```text
//! class j:  r = linspace(0, 1, N),  t = linspace(4j, 4(j + 1), N) + 0.2·randn(N),  p = (r sin t, r cos t)
//! ```
//!
//! The angle's noise is always cs231n's 0.2 (the `noise` argument is not used). For n not divisible by K the
//! remainder is spread one point each over the first n mod K classes, so there are always n points.
//!
//! Every generator is O(n).

use std::f64::consts::PI;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal, StandardNormal};

use super::Dataset;

/// A 2-D dataset with the Playground's class names.
fn playground(x: Vec<f64>, y: Vec<usize>) -> Dataset {
    Dataset { x, y, d: 2, feature_names: xy_names(), class_names: vec!["-1".into(), "+1".into()], targets: Vec::new() }
}

fn xy_names() -> Vec<String> {
    vec!["x".into(), "y".into()]
}

/// The Playground's `randUniform(a, b)`: `a + (b − a)·U[0, 1)`.
fn rand_uniform(rng: &mut StdRng, a: f64, b: f64) -> f64 {
    rng.random::<f64>() * (b - a) + a
}

/// The Playground's `normalRandom(mean, variance)`, Marsaglia's polar method. The source rejects only s > 1; s = 0
/// (probability 2⁻¹⁰⁶) would give NaN there, so it is rejected too.
fn normal_random(rng: &mut StdRng, mean: f64, variance: f64) -> f64 {
    let (v1, s) = loop {
        let v1 = 2.0 * rng.random::<f64>() - 1.0;
        let v2 = 2.0 * rng.random::<f64>() - 1.0;
        let s = v1 * v1 + v2 * v2;
        if s <= 1.0 && s > 0.0 {
            break (v1, s);
        }
    };
    let result = (-2.0 * s.ln() / s).sqrt() * v1;
    mean + variance.sqrt() * result
}

/// Class 1 (+1) gets ⌈n/2⌉ points, class 0 (−1) ⌊n/2⌋.
fn halves(n: usize) -> (usize, usize) {
    (n - n / 2, n / 2)
}

/// +1 → class 1, −1 → class 0.
fn class_of(positive: bool) -> usize {
    usize::from(positive)
}

/// NumPy's `linspace(a, b, m)`: `a + i·(b − a)/(m − 1)`, the last point exactly `b`; `[a]` for m = 1.
fn linspace(a: f64, b: f64, m: usize) -> impl Iterator<Item = f64> {
    let step = if m > 1 { (b - a) / (m - 1) as f64 } else { 0.0 };
    (0..m).map(move |i| if m > 1 && i == m - 1 { b } else { a + i as f64 * step })
}

/// Playground `classifyCircleData`: ⌈n/2⌉ points at r ~ U(0, 2.5), then ⌊n/2⌋ at r ~ U(3.5, 5), angle ~ U(0, 2π);
/// label +1 if the point moved by U(−5, 5)·noise per axis lies within 2.5 of the origin.
pub(super) fn circle(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let radius = 5.0;
    let (inside, outside) = halves(n);
    let (mut x, mut y) = (Vec::with_capacity(2 * n), Vec::with_capacity(n));
    for (count, r_min, r_max) in [(inside, 0.0, radius * 0.5), (outside, radius * 0.7, radius)] {
        for _ in 0..count {
            let r = rand_uniform(&mut rng, r_min, r_max);
            let angle = rand_uniform(&mut rng, 0.0, 2.0 * PI);
            let (px, py) = (r * angle.sin(), r * angle.cos());
            let noise_x = rand_uniform(&mut rng, -radius, radius) * noise;
            let noise_y = rand_uniform(&mut rng, -radius, radius) * noise;
            let dist = (px + noise_x).hypot(py + noise_y);
            x.extend([px, py]);
            y.push(class_of(dist < radius * 0.5));
        }
    }
    playground(x, y)
}

/// Playground `classifyXORData`: x, y ~ U(−5, 5) pushed 0.3 off the axes; label +1 if (x + ex)(y + ey) ≥ 0 with
/// e ~ U(−5, 5)·noise per axis.
pub(super) fn xor(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let padding = 0.3;
    let (mut x, mut y) = (Vec::with_capacity(2 * n), Vec::with_capacity(n));
    for _ in 0..n {
        let mut px = rand_uniform(&mut rng, -5.0, 5.0);
        px += if px > 0.0 { padding } else { -padding };
        let mut py = rand_uniform(&mut rng, -5.0, 5.0);
        py += if py > 0.0 { padding } else { -padding };
        let noise_x = rand_uniform(&mut rng, -5.0, 5.0) * noise;
        let noise_y = rand_uniform(&mut rng, -5.0, 5.0) * noise;
        x.extend([px, py]);
        y.push(class_of((px + noise_x) * (py + noise_y) >= 0.0));
    }
    playground(x, y)
}

/// Playground `classifyTwoGaussData`: ⌈n/2⌉ points around (2, 2) labelled +1, ⌊n/2⌋ around (−2, −2) labelled −1,
/// each coordinate Normal(centre, variance = 0.5 + 7·noise).
pub(super) fn gauss(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    // d3.scale.linear().domain([0, .5]).range([0.5, 4]), unclamped.
    let variance = 0.5 + (4.0 - 0.5) * noise / 0.5;
    let (positive, negative) = halves(n);
    let (mut x, mut y) = (Vec::with_capacity(2 * n), Vec::with_capacity(n));
    for (count, c, label) in [(positive, 2.0, true), (negative, -2.0, false)] {
        for _ in 0..count {
            let px = normal_random(&mut rng, c, variance);
            let py = normal_random(&mut rng, c, variance);
            x.extend([px, py]);
            y.push(class_of(label));
        }
    }
    playground(x, y)
}

/// Playground `classifySpiralData`: arm +1 (⌈n/2⌉ points) and arm −1 (⌊n/2⌋, turned by π), point i of m at
/// r = 5i/m, t = 1.75·2π·i/m, (r sin t, r cos t) + U(−1, 1)·noise per axis.
pub(super) fn spiral(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let (positive, negative) = halves(n);
    let (mut x, mut y) = (Vec::with_capacity(2 * n), Vec::with_capacity(n));
    for (m, delta_t, label) in [(positive, 0.0, true), (negative, PI, false)] {
        let m_f = m as f64;
        for i in 0..m {
            let r = i as f64 / m_f * 5.0;
            let t = 1.75 * i as f64 / m_f * 2.0 * PI + delta_t;
            let px = r * t.sin() + rand_uniform(&mut rng, -1.0, 1.0) * noise;
            let py = r * t.cos() + rand_uniform(&mut rng, -1.0, 1.0) * noise;
            x.extend([px, py]);
            y.push(class_of(label));
        }
    }
    playground(x, y)
}

/// scikit-learn `make_moons(n, noise=noise, shuffle=False)`: ⌊n/2⌋ points (cos t, sin t) (class 0), then
/// n − ⌊n/2⌋ points (1 − cos t, 0.5 − sin t) (class 1), t = linspace(0, π), plus Normal(0, noise) per coordinate.
pub(super) fn moons(n: usize, noise: f64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let n_out = n / 2;
    let n_in = n - n_out;
    let mut x = Vec::with_capacity(2 * n);
    x.extend(linspace(0.0, PI, n_out).flat_map(|t| [t.cos(), t.sin()]));
    x.extend(linspace(0.0, PI, n_in).flat_map(|t| [1.0 - t.cos(), 1.0 - t.sin() - 0.5]));
    let normal = Normal::new(0.0, noise).expect("generate checked that noise is finite and ≥ 0");
    // generator.normal(scale=noise, size=X.shape): row-major, x then y of each point.
    for v in &mut x {
        *v += normal.sample(&mut rng);
    }
    let mut y = vec![0; n_out];
    y.resize(n, 1);
    Dataset { x, y, d: 2, feature_names: xy_names(), class_names: vec!["0".into(), "1".into()], targets: Vec::new() }
}

/// cs231n's K-class spiral: class j's N_j points at r = linspace(0, 1, N_j), t = linspace(4j, 4j + 4, N_j) +
/// 0.2·randn, (r sin t, r cos t); N_j = ⌊n/K⌋, plus one for j < n mod K.
pub(super) fn kspiral(n: usize, classes: usize, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut x, mut y) = (Vec::with_capacity(2 * n), Vec::with_capacity(n));
    for j in 0..classes {
        let count = n / classes + usize::from(j < n % classes);
        let start = 4.0 * j as f64;
        for (r, t) in linspace(0.0, 1.0, count).zip(linspace(start, start + 4.0, count)) {
            let noise: f64 = StandardNormal.sample(&mut rng);
            let t = t + 0.2 * noise;
            x.extend([r * t.sin(), r * t.cos()]);
            y.push(j);
        }
    }
    Dataset {
        x,
        y,
        d: 2,
        feature_names: xy_names(),
        class_names: (0..classes).map(|j| j.to_string()).collect(),
        targets: Vec::new(),
    }
}

/// A regression set of the Playground's: n points drawn as `regressPlane` and `regressGaussian` draw them
/// (x, y ~ U(−6, 6), then the noise offsets U(−6, 6)·noise), the value read at the offset point.
fn regression(n: usize, noise: f64, seed: u64, value: impl Fn(f64, f64) -> f64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let radius = 6.0;
    let (mut x, mut targets) = (Vec::with_capacity(2 * n), Vec::with_capacity(n));
    for _ in 0..n {
        let px = rand_uniform(&mut rng, -radius, radius);
        let py = rand_uniform(&mut rng, -radius, radius);
        let noise_x = rand_uniform(&mut rng, -radius, radius) * noise;
        let noise_y = rand_uniform(&mut rng, -radius, radius) * noise;
        x.extend([px, py]);
        targets.push(value(px + noise_x, py + noise_y));
    }
    Dataset { x, y: vec![0; n], d: 2, feature_names: xy_names(), class_names: vec!["value".into()], targets }
}

/// Playground `regressPlane`: the value (x + y)/10 (d3's scale from [−10, 10] to [−1, 1], not clamped).
pub(super) fn reg_plane(n: usize, noise: f64, seed: u64) -> Dataset {
    regression(n, noise, seed, |x, y| (x + y) / 10.0)
}

/// Playground `regressGaussian`: six bumps of sign ±1 at (±4, ±2.5) and (0, ±2.5), each s·max(0, 1 − r/2) at
/// distance r (d3's clamped scale from [0, 2] to [1, 0]); the value is the bump largest in absolute value (the first
/// of equals, as the source's strict `>`).
pub(super) fn reg_gauss(n: usize, noise: f64, seed: u64) -> Dataset {
    const BUMPS: [(f64, f64, f64); 6] =
        [(-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0), (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0)];
    regression(n, noise, seed, |x, y| {
        let mut value = 0.0_f64;
        for (cx, cy, sign) in BUMPS {
            let v = sign * (1.0 - (x - cx).hypot(y - cy) / 2.0).clamp(0.0, 1.0);
            if v.abs() > value.abs() {
                value = v;
            }
        }
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(data: &Dataset) -> impl Iterator<Item = ([f64; 2], usize)> + '_ {
        (0..data.n()).map(|i| ([data.row(i)[0], data.row(i)[1]], data.y[i]))
    }

    #[test]
    fn linspace_matches_numpy() {
        // np.linspace(0, 1, 5) = [0, .25, .5, .75, 1]; np.linspace(0, pi, 1) = [0]; np.linspace(0, 1, 0) = [].
        assert_eq!(linspace(0.0, 1.0, 5).collect::<Vec<_>>(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(linspace(0.0, PI, 1).collect::<Vec<_>>(), vec![0.0]);
        assert_eq!(linspace(0.0, 1.0, 0).count(), 0);
    }

    #[test]
    fn sizes_and_balance() {
        for (f, name) in [(circle as fn(usize, f64, u64) -> Dataset, "circle"), (gauss, "gauss"), (spiral, "spiral")] {
            // 101 points: ⌈101/2⌉ = 51 for +1 (class 1), 50 for −1 (class 0).
            let data = f(101, 0.0, 3);
            assert_eq!(data.n(), 101, "{name}");
            assert_eq!(data.class_counts(), vec![50, 51], "{name}");
        }
        // moons: n_out = ⌊7/2⌋ = 3 outer (class 0), n_in = 4 inner (class 1).
        assert_eq!(moons(7, 0.0, 0).class_counts(), vec![3, 4]);
        // kspiral: 10 = 3·3 + 1, the remainder goes to class 0.
        assert_eq!(kspiral(10, 3, 0).class_counts(), vec![4, 3, 3]);
        assert_eq!(xor(57, 0.3, 1).n(), 57);
    }

    #[test]
    fn circle_radii_at_zero_noise() {
        let data = circle(400, 0.0, 11);
        for (p, c) in points(&data) {
            let r = p[0].hypot(p[1]);
            if c == 1 {
                assert!(r <= 2.5, "inner point at r = {r}");
            } else {
                assert!((3.5..=5.0).contains(&r), "outer point at r = {r}");
            }
        }
    }

    #[test]
    fn circle_noise_flips_labels_not_points() {
        // At noise 0.5 the label is taken at p + e with |e_x|, |e_y| up to 2.5: some inner-disc points turn −1, but every
        // point stays where it was drawn (r ≤ 2.5 or 3.5 ≤ r ≤ 5).
        let data = circle(400, 0.5, 11);
        let mut flipped = 0;
        for (i, (p, c)) in points(&data).enumerate() {
            let r = p[0].hypot(p[1]);
            assert!(r <= 2.5 || (3.5..=5.0).contains(&r));
            let drawn_inside = i < 200;
            flipped += usize::from((c == 1) != drawn_inside);
        }
        assert!(flipped > 0);
    }

    #[test]
    fn xor_labels_are_the_sign_of_xy() {
        let data = xor(500, 0.0, 5);
        for (p, c) in points(&data) {
            assert_eq!(c, usize::from(p[0] * p[1] >= 0.0));
            // Padding: |x|, |y| ≥ 0.3 and ≤ 5.3.
            assert!(p.iter().all(|v| (0.3..=5.3).contains(&v.abs())), "{p:?}");
        }
        // With noise, some labels disagree with the point's own quadrant.
        let noisy = xor(500, 0.5, 5);
        assert!(points(&noisy).any(|(p, c)| c != usize::from(p[0] * p[1] >= 0.0)));
    }

    #[test]
    fn gauss_centres_and_variance() {
        // noise 0 → variance 0.5; noise 0.5 → variance 4 (std 2).
        for (noise, variance) in [(0.0, 0.5), (0.5, 4.0)] {
            let data = gauss(20_000, noise, 9);
            for (class, centre) in [(1, 2.0), (0, -2.0)] {
                let xs: Vec<f64> = points(&data).filter(|&(_, c)| c == class).map(|(p, _)| p[0]).collect();
                let mean = xs.iter().sum::<f64>() / xs.len() as f64;
                let var = xs.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / xs.len() as f64;
                // 10 000 samples: the mean's std is √(var/10⁴) ≤ 0.02, the variance's relative std ≈ √(2/10⁴) ≈ 1.4%.
                assert!((mean - centre).abs() < 0.1, "mean {mean}");
                assert!((var / variance - 1.0).abs() < 0.06, "variance {var} vs {variance}");
            }
        }
    }

    #[test]
    fn spiral_radius_and_angle_at_zero_noise() {
        // n = 20: each arm m = 10; point i of an arm at r = 5i/10, t = 1.75·2π·i/10 (+ π for the −1 arm).
        let data = spiral(20, 0.0, 0);
        for (k, (p, c)) in points(&data).enumerate() {
            let i = (k % 10) as f64;
            let r = 5.0 * i / 10.0;
            let t = 1.75 * 2.0 * PI * i / 10.0 + if c == 1 { 0.0 } else { PI };
            assert!((p[0].hypot(p[1]) - r).abs() < 1e-12);
            assert!((p[0] - r * t.sin()).abs() < 1e-12 && (p[1] - r * t.cos()).abs() < 1e-12);
            assert_eq!(c, usize::from(k < 10));
        }
    }

    #[test]
    fn spiral_noise_is_uniform_within_noise() {
        // Each coordinate moves by U(−1, 1)·noise: at most 0.3 from the noiseless point, which `spiral(.., 0.0, ..)` gives.
        let clean = spiral(200, 0.0, 4);
        let noisy = spiral(200, 0.3, 4);
        let moved: Vec<f64> = clean.x.iter().zip(&noisy.x).map(|(a, b)| (a - b).abs()).collect();
        assert!(moved.iter().all(|&m| m <= 0.3));
        assert!(moved.iter().any(|&m| m > 0.1));
    }

    #[test]
    fn moons_lie_on_their_arcs_at_zero_noise() {
        let data = moons(101, 0.0, 0);
        for (p, c) in points(&data) {
            if c == 0 {
                // Outer: the upper half of the unit circle.
                assert!((p[0].hypot(p[1]) - 1.0).abs() < 1e-12 && p[1] >= -1e-12);
            } else {
                // Inner: centre (1, 0.5), radius 1, lower half.
                assert!(((p[0] - 1.0).hypot(p[1] - 0.5) - 1.0).abs() < 1e-12 && p[1] <= 0.5 + 1e-12);
            }
        }
        // The ends: outer t = 0 → (1, 0), t = π → (−1, 0); inner t = 0 → (0, 0.5).
        assert_eq!(data.row(0), &[1.0, 0.0]);
        assert!((data.row(49)[0] + 1.0).abs() < 1e-15);
        assert_eq!(data.row(50), &[0.0, 0.5]);
    }

    #[test]
    fn moons_noise_is_gaussian_with_that_std() {
        let clean = moons(20_000, 0.0, 2);
        let noisy = moons(20_000, 0.1, 2);
        let diffs: Vec<f64> = clean.x.iter().zip(&noisy.x).map(|(a, b)| b - a).collect();
        let var = diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len() as f64;
        // 40 000 draws of N(0, 0.01): the sample variance is within a few percent of 0.01.
        assert!((var / 0.01 - 1.0).abs() < 0.05, "{var}");
    }

    #[test]
    fn kspiral_radius_at_most_one_and_radii_evenly_spaced() {
        let data = kspiral(300, 3, 8);
        for (k, (p, c)) in points(&data).enumerate() {
            let r = p[0].hypot(p[1]);
            assert!(r <= 1.0 + 1e-12);
            // cs231n: N = 100 per class, r = linspace(0, 1, 100) → point k of its class at (k mod 100)/99.
            assert!((r - (k % 100) as f64 / 99.0).abs() < 1e-12);
            assert_eq!(c, k / 100);
        }
    }

    #[test]
    fn kspiral_angles_are_cs231n_with_noise_0_2() {
        // Point i of class j (N = 100) sits at angle atan2(x, y) = t = 4j + 4i/99 + 0.2·z: the difference from the
        // noiseless angle, wrapped to (−π, π], is a 0.2-std Gaussian.
        let data = kspiral(300, 3, 12);
        let mut diffs = Vec::new();
        for (k, (p, j)) in points(&data).enumerate() {
            let i = k % 100;
            if i == 0 {
                continue; // r = 0: no angle.
            }
            let nominal = 4.0 * j as f64 + 4.0 * i as f64 / 99.0;
            let d = (p[0].atan2(p[1]) - nominal).rem_euclid(2.0 * PI);
            diffs.push(if d > PI { d - 2.0 * PI } else { d });
        }
        let std = (diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len() as f64).sqrt();
        // 297 draws: the sample std is within ±0.2·√(1/(2·297)) ≈ ±0.008 (1σ) of 0.2; no draw beyond 6σ = 1.2.
        assert!((std - 0.2).abs() < 0.03, "{std}");
        assert!(diffs.iter().all(|d| d.abs() < 1.2));
    }

    #[test]
    fn seeds() {
        type Generator = fn(usize, f64, u64) -> Dataset;
        let all: [(Generator, &str); 6] = [
            (circle, "circle"),
            (xor, "xor"),
            (gauss, "gauss"),
            (spiral, "spiral"),
            (moons, "moons"),
            (|n, _, s| kspiral(n, 3, s), "kspiral"),
        ];
        for (f, name) in all {
            // Spiral and moons at noise 0 are deterministic, so use some noise.
            assert_eq!(f(50, 0.2, 1), f(50, 0.2, 1), "{name}");
            assert_ne!(f(50, 0.2, 1), f(50, 0.2, 2), "{name}");
        }
    }

    #[test]
    fn the_regression_sets_read_their_formulas() {
        // noise 0: the value is read at the point itself
        let plane = reg_plane(200, 0.0, 3);
        assert_eq!((plane.n(), plane.targets.len(), plane.classes()), (200, 200, 1));
        for i in 0..plane.n() {
            let p = plane.row(i);
            assert!(p.iter().all(|v| (-6.0..6.0).contains(v)), "{p:?}");
            assert_eq!(plane.targets[i], (p[0] + p[1]) / 10.0);
        }
        let bumps = reg_gauss(400, 0.0, 3);
        for i in 0..bumps.n() {
            let (p, v) = (bumps.row(i), bumps.targets[i]);
            assert!((-1.0..=1.0).contains(&v));
            // near (0, 2.5) the −1 bump rules; far from every centre the value is 0
            if (p[0]).hypot(p[1] - 2.5) < 1.0 {
                assert!(v < -0.5, "{p:?} {v}");
            }
            if p[1].abs() < 0.4 {
                assert_eq!(v, 0.0, "{p:?}");
            }
        }
        // noise moves where the value is read, not the point: the same points, other values
        let noisy = reg_plane(200, 0.5, 3);
        assert_ne!(noisy.targets, plane.targets);
        assert_eq!(reg_plane(200, 0.5, 3), noisy, "seeded");
    }
}
