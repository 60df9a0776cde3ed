//! Contour lines and colour scales of a [`Grid`]: what a window needs to draw a loss surface as a heat map with
//! level lines, computed once per grid, with no drawing types.
//!
//! **Scale.** A [`ValueScale`] maps a value to `u ∈ [0, 1]`, linearly, `u = (v − min)/(max − min)`, or on a
//! shifted log scale for surfaces with steep walls around a flat valley,
//! `u = ln(1 + (v − min)/s) / ln(1 + (max − min)/s)` with `s = 10⁻⁶·(max − min)`: six decades of detail above the
//! minimum, linear within `s` of it, so a minimum of 0 or below needs no special case. Level values are evenly
//! spaced in `u`, so the heat map's colours and the lines agree.
//!
//! **Lines.** Marching squares: each grid cell whose corners straddle the level holds one or two segments between
//! linearly interpolated crossings of its edges (the ambiguous saddle cells are split by the cell's mean). A crossing
//! is named by the grid edge it lies on, and every edge is shared by at most two cells, so segments join into
//! polylines exactly, without comparing floats. O(nx·ny) per level. Cells with a non-finite corner are skipped.

use std::collections::HashMap;

use super::Grid;

/// How values map to `[0, 1]` for colours and levels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValueScale {
    /// The value at 0.
    pub min: f64,
    /// The value at 1.
    pub max: f64,
    /// Whether the map is the shifted log (else linear).
    pub log: bool,
}

/// The log scale's linear zone above the minimum, as a fraction of the range.
const LOG_FLOOR: f64 = 1e-6;

impl ValueScale {
    /// The scale over a grid's finite values.
    pub fn of(grid: &Grid, log: bool) -> Self {
        Self { min: grid.min, max: grid.max, log }
    }

    /// The scale of a grid of losses (a network's landscape): linear, unless they span a decade or more (max ≥
    /// 10·min > 0), where the log scale keeps the valley readable. A landscape near a minimum often varies by a few
    /// percent (0.696 to 0.721 on the default circle network), where the log scale spent its colours and levels on
    /// the lowest thousandth and drew the rest in one colour.
    pub fn of_losses(grid: &Grid) -> Self {
        Self::of(grid, grid.min > 0.0 && grid.max >= 10.0 * grid.min)
    }

    fn range(&self) -> f64 {
        (self.max - self.min).max(f64::MIN_POSITIVE)
    }

    /// `v` on the scale, clamped to `[0, 1]`; NaN for a non-finite `v`.
    pub fn unit(&self, v: f64) -> f64 {
        if !v.is_finite() {
            return f64::NAN;
        }
        let r = self.range();
        let d = (v - self.min).clamp(0.0, r);
        let u = if self.log {
            let s = LOG_FLOOR * r;
            (d / s).ln_1p() / (r / s).ln_1p()
        } else {
            d / r
        };
        u.clamp(0.0, 1.0)
    }

    /// The value at `u` (the inverse of [`ValueScale::unit`] on `[0, 1]`).
    pub fn value(&self, u: f64) -> f64 {
        let r = self.range();
        if self.log {
            let s = LOG_FLOOR * r;
            self.min + s * (u * (r / s).ln_1p()).exp_m1()
        } else {
            self.min + u * r
        }
    }

    /// `n` level values evenly spaced on the scale, strictly between min and max: `value(k/(n+1))`, k = 1..=n.
    pub fn levels(&self, n: usize) -> Vec<f64> {
        (1..=n).map(|k| self.value(k as f64 / (n + 1) as f64)).collect()
    }
}

/// The lines of one level.
#[derive(Clone, Debug, PartialEq)]
pub struct Contour {
    /// The level value.
    pub level: f64,
    /// Its polylines, in domain coordinates; a closed one ends where it starts.
    pub lines: Vec<Vec<[f64; 2]>>,
}

/// The contours of a grid at each of `levels`. O(levels · nx · ny).
pub fn contours(grid: &Grid, levels: &[f64]) -> Vec<Contour> {
    levels.iter().map(|&level| Contour { level, lines: contour_lines(grid, level) }).collect()
}

/// The polylines where the grid's surface crosses `level`. O(nx · ny).
pub fn contour_lines(grid: &Grid, level: f64) -> Vec<Vec<[f64; 2]>> {
    let (nx, ny) = (grid.nx, grid.ny);
    if nx < 2 || ny < 2 || grid.values.len() != nx * ny || !level.is_finite() {
        return Vec::new();
    }
    let v = |i: usize, j: usize| grid.values[j * nx + i];
    // Edge ids: the horizontal edge from (i, j) to (i+1, j) is j·(nx−1) + i; the vertical edge from (i, j) to
    // (i, j+1) is horizontal_count + j·nx + i.
    let horizontal_count = (nx - 1) * ny;
    let h_edge = |i: usize, j: usize| j * (nx - 1) + i;
    let v_edge = |i: usize, j: usize| horizontal_count + j * nx + i;
    let crossing = |id: usize| -> [f64; 2] {
        let (a, b) = if id < horizontal_count {
            let (i, j) = (id % (nx - 1), id / (nx - 1));
            ((i, j), (i + 1, j))
        } else {
            let k = id - horizontal_count;
            let (i, j) = (k % nx, k / nx);
            ((i, j), (i, j + 1))
        };
        let (va, vb) = (v(a.0, a.1), v(b.0, b.1));
        let t = ((level - va) / (vb - va)).clamp(0.0, 1.0);
        let (pa, pb) = (grid.point(a.0, a.1), grid.point(b.0, b.1));
        [pa[0] + t * (pb[0] - pa[0]), pa[1] + t * (pb[1] - pa[1])]
    };

    let mut segments: Vec<[usize; 2]> = Vec::new();
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            // corners counter-clockwise from bottom-left: (i, j), (i+1, j), (i+1, j+1), (i, j+1)
            let c = [v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1)];
            if c.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let above = |k: usize| c[k] > level;
            let case = (above(0) as u8) | (above(1) as u8) << 1 | (above(2) as u8) << 2 | (above(3) as u8) << 3;
            // the cell's edges: bottom, right, top, left
            let (b, r, t, l) = (h_edge(i, j), v_edge(i + 1, j), h_edge(i, j + 1), v_edge(i, j));
            let centre_above = c.iter().sum::<f64>() / 4.0 > level;
            match case {
                0 | 15 => {}
                1 | 14 => segments.push([l, b]),
                2 | 13 => segments.push([b, r]),
                3 | 12 => segments.push([l, r]),
                4 | 11 => segments.push([r, t]),
                6 | 9 => segments.push([b, t]),
                7 | 8 => segments.push([l, t]),
                // saddles: corners 0 and 2 above (5), or 1 and 3 above (10)
                5 | 10 => {
                    if (case == 5) == centre_above {
                        // the above corners connect through the centre: cut off the two below corners
                        segments.push([b, r]);
                        segments.push([t, l]);
                    } else {
                        segments.push([l, b]);
                        segments.push([r, t]);
                    }
                }
                _ => unreachable!("a 4-bit case"),
            }
        }
    }
    join(&segments).into_iter().map(|ids| ids.into_iter().map(crossing).collect()).collect()
}

/// Chains segments (pairs of edge ids) into polylines of edge ids; each id is on at most two segments.
fn join(segments: &[[usize; 2]]) -> Vec<Vec<usize>> {
    let mut at: HashMap<usize, Vec<usize>> = HashMap::with_capacity(segments.len() * 2);
    for (s, ends) in segments.iter().enumerate() {
        for &e in ends {
            at.entry(e).or_default().push(s);
        }
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    // Walks from `edge` along unused segments, appending the edges reached.
    let walk = |mut edge: usize, line: &mut Vec<usize>, used: &mut Vec<bool>| {
        while let Some(&s) = at.get(&edge).and_then(|ss| ss.iter().find(|&&s| !used[s])) {
            used[s] = true;
            let [a, b] = segments[s];
            edge = if a == edge { b } else { a };
            line.push(edge);
        }
    };
    // Open lines start at an edge on one segment only (the grid's border); what is left are closed loops.
    let mut starts: Vec<usize> = at.iter().filter(|(_, ss)| ss.len() == 1).map(|(&e, _)| e).collect();
    starts.sort_unstable();
    let loops: Vec<usize> = (0..segments.len()).map(|s| segments[s][0]).collect();
    for start in starts.into_iter().chain(loops) {
        if at[&start].iter().all(|&s| used[s]) {
            continue;
        }
        let mut line = vec![start];
        walk(start, &mut line, &mut used);
        lines.push(line);
    }
    lines
}

/// Colour stops from the lowest value (0) to the highest (1): a pale valley rising through teal to slate walls on
/// the light theme; a deep valley rising to muted blue on the dark one. Quiet enough for coloured trails on top.
const LIGHT: [[u8; 3]; 6] = [
    [0xfd, 0xfa, 0xf0],
    [0xee, 0xf3, 0xe8],
    [0xd9, 0xe8, 0xe2],
    [0xbf, 0xd7, 0xdc],
    [0xa3, 0xc1, 0xd2],
    [0x8a, 0xa8, 0xc4],
];
const DARK: [[u8; 3]; 6] = [
    [0x12, 0x1a, 0x24],
    [0x18, 0x2a, 0x38],
    [0x1f, 0x3c, 0x4c],
    [0x2a, 0x50, 0x62],
    [0x3b, 0x66, 0x7a],
    [0x52, 0x7d, 0x93],
];

/// The heat map's colour at `u` in [0, 1], as RGB bytes (NaN, where the surface is undefined, is grey): one palette
/// for the race's and the landscape's windows and the landscape's PNG.
pub fn heat_rgb(u: f64, dark: bool) -> [u8; 3] {
    if u.is_nan() {
        return if dark { [0x30; 3] } else { [0xd0; 3] };
    }
    let stops = if dark { &DARK } else { &LIGHT };
    let x = u.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
    let k = (x.floor() as usize).min(stops.len() - 2);
    let t = x - k as f64;
    let mix = |c: usize| (stops[k][c] as f64 + t * (stops[k + 1][c] as f64 - stops[k][c] as f64)).round() as u8;
    [mix(0), mix(1), mix(2)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::{Domain, Surface};

    fn bowl(n: usize) -> Grid {
        let mut s = Surface::from_expr("x^2 + y^2").expect("a valid surface");
        s.domain = Domain { x: [-2.0, 2.0], y: [-2.0, 2.0] };
        s.grid(n, n)
    }

    #[test]
    fn a_circle_is_one_closed_line_on_the_circle() {
        // x² + y² = 1 is the unit circle: every crossing is within the interpolation error of radius 1
        let lines = contour_lines(&bowl(81), 1.0);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.first(), line.last(), "closed");
        assert!(line.len() > 40);
        for p in line {
            let r = p[0].hypot(p[1]);
            assert!((r - 1.0).abs() < 2e-3, "{p:?} at radius {r}");
        }
    }

    #[test]
    fn a_line_through_the_border_is_open_and_ends_on_it() {
        // x = 0.25 on the plane f = x: a straight line across the grid from bottom to top
        let mut s = Surface::from_expr("x").expect("valid");
        s.domain = Domain { x: [-1.0, 1.0], y: [-1.0, 1.0] };
        let lines = contour_lines(&s.grid(9, 5), 0.25);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.len(), 5, "one crossing per row of horizontal edges");
        assert!(line.iter().all(|p| (p[0] - 0.25).abs() < 1e-12));
        let ys: Vec<f64> = line.iter().map(|p| p[1]).collect();
        assert!(ys == [-1.0, -0.5, 0.0, 0.5, 1.0] || ys == [1.0, 0.5, 0.0, -0.5, -1.0], "{ys:?}");
    }

    #[test]
    fn four_minima_give_four_loops_and_nothing_outside_the_range() {
        let mut s = Surface::preset("himmelblau").expect("a preset");
        let g = s.grid(120, 120);
        // just above 0, each of the four minima is ringed by a small closed loop
        let lines = contour_lines(&g, 0.5);
        assert_eq!(lines.len(), 4);
        assert!(lines.iter().all(|l| l.first() == l.last()));
        assert!(contour_lines(&g, g.max + 1.0).is_empty());
        assert!(contour_lines(&g, f64::NAN).is_empty());
    }

    #[test]
    fn non_finite_cells_are_skipped() {
        // log(x) is NaN for x < 0: the level log(x) = 0 (x = 1) is still found, the left half draws nothing
        let mut s = Surface::from_expr("log(x) + 0*y").expect("valid");
        s.domain = Domain { x: [-2.0, 2.0], y: [-1.0, 1.0] };
        let lines = contour_lines(&s.grid(41, 11), 0.0);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].iter().all(|p| (p[0] - 1.0).abs() < 1e-9), "{:?}", lines[0]);
    }

    #[test]
    fn losses_within_a_decade_get_linear_colours() {
        let grid = |min: f64, max: f64| Grid {
            nx: 2,
            ny: 1,
            domain: Domain { x: [0.0, 1.0], y: [0.0, 1.0] },
            values: vec![min, max],
            min,
            max,
        };
        assert!(!ValueScale::of_losses(&grid(0.69607, 0.72104)).log, "a few percent: linear");
        assert!(ValueScale::of_losses(&grid(0.05, 5.0)).log, "two decades: log");
        assert!(!ValueScale::of_losses(&grid(0.0, 5.0)).log, "a zero loss: linear");
    }

    #[test]
    fn the_scales_invert_and_space_levels() {
        let lin = ValueScale { min: 2.0, max: 12.0, log: false };
        assert_eq!(lin.unit(7.0), 0.5);
        assert_eq!(lin.levels(4), [4.0, 6.0, 8.0, 10.0]);
        assert_eq!((lin.unit(-5.0), lin.unit(99.0)), (0.0, 1.0));
        assert!(lin.unit(f64::INFINITY).is_nan());
        let log = ValueScale { min: -1.0, max: 2499.0, log: true };
        for u in [0.0, 0.1, 0.5, 0.9, 1.0] {
            assert!((log.unit(log.value(u)) - u).abs() < 1e-12, "{u}");
        }
        // six decades: u = 1/2 sits near 1e-3 of the range (√(1e-6)), where a linear scale would put 1250
        let mid = log.value(0.5) - log.min;
        assert!((mid / 2500.0 - 1e-3).abs() < 1e-5, "{mid}");
        let levels = log.levels(12);
        assert!(levels.windows(2).all(|w| w[0] < w[1]) && levels[0] > -1.0 && levels[11] < 2499.0);
        // a flat grid does not divide by zero
        let flat = ValueScale { min: 3.0, max: 3.0, log: true };
        assert_eq!(flat.unit(3.0), 0.0);
    }
}
