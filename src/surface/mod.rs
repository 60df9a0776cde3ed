//! 2-D loss surfaces: presets with their known minima, and any expression in `x` and `y` a learner types, evaluated
//! and differentiated by the scalar engine (presets are expressions too, so there is one code path).
//!
//! Grid evaluation for contours sets the two leaves and runs one forward pass per point: O(grid · nodes), a 200×200
//! grid of a typical surface in a few milliseconds.

pub mod contour;
mod race;

pub use contour::{Contour, ValueScale};
pub use race::{CONVERGED_GRAD, CONVERGED_MOVE, MAX_RACE_STEPS, Race, Racer, RacerSetup, Status};

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::expr::{Program, ProgramError, compile};
use crate::scalar::NodeId;

/// The plotted region: x and y ranges.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Domain {
    /// `[min, max]` of x.
    pub x: [f64; 2],
    /// `[min, max]` of y.
    pub y: [f64; 2],
}

impl Domain {
    /// Whether a point lies inside (edges included).
    pub fn contains(&self, p: [f64; 2]) -> bool {
        p[0] >= self.x[0] && p[0] <= self.x[1] && p[1] >= self.y[0] && p[1] <= self.y[1]
    }

    /// The smallest square-ish box around the origin, at least ±5, holding `p` with a 20% margin.
    pub fn around(p: [f64; 2]) -> Domain {
        let r = 5f64.max(1.2 * p[0].abs()).max(1.2 * p[1].abs());
        Domain { x: [-r, r], y: [-r, r] }
    }
}

/// A built-in surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    /// Its name on the command line and in the window.
    pub name: &'static str,
    /// Its expression in x and y.
    pub expr: &'static str,
    /// The plotted region.
    pub domain: Domain,
    /// Its known global minima (none for the saddle).
    pub minima: &'static [[f64; 2]],
    /// A start point that shows the surface's character.
    pub start: [f64; 2],
    /// Whether contours read better on a log scale (steep walls around a flat valley).
    pub log_scale: bool,
    /// What it teaches.
    pub note: &'static str,
}

/// The presets.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "rosenbrock",
        expr: "(1 - x)^2 + 100*(y - x^2)^2",
        domain: Domain { x: [-2.0, 2.0], y: [-1.0, 3.0] },
        minima: &[[1.0, 1.0]],
        start: [-1.5, 2.0],
        log_scale: true,
        note: "a curved, flat-bottomed valley: easy to find, slow to follow",
    },
    Preset {
        name: "elongated",
        expr: "x^2/20 + 2*y^2",
        domain: Domain { x: [-10.0, 10.0], y: [-3.0, 3.0] },
        minima: &[[0.0, 0.0]],
        start: [-9.0, 2.0],
        log_scale: false,
        note: "steep vertically, shallow horizontally (slide 106): SGD zigzags, momentum glides",
    },
    Preset {
        name: "beale",
        expr: "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        domain: Domain { x: [-4.5, 4.5], y: [-4.5, 4.5] },
        minima: &[[3.0, 0.5]],
        start: [1.0, 1.5],
        log_scale: true,
        note: "sharp ridges and a flat basin",
    },
    Preset {
        name: "himmelblau",
        expr: "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        domain: Domain { x: [-5.0, 5.0], y: [-5.0, 5.0] },
        minima: &[
            [3.0, 2.0],
            [-2.805_118_086_952_745, 3.131_312_518_250_573],
            [-3.779_310_253_377_747, -3.283_185_991_286_17],
            [3.584_428_340_330_492, -1.848_126_526_964_404],
        ],
        start: [-0.5, -0.5],
        log_scale: true,
        note: "four equal minima: where a racer lands depends on its path",
    },
    Preset {
        name: "booth",
        expr: "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
        domain: Domain { x: [-10.0, 10.0], y: [-10.0, 10.0] },
        minima: &[[1.0, 3.0]],
        start: [-8.0, -6.0],
        log_scale: false,
        note: "a tilted bowl: every rule gets there",
    },
    Preset {
        name: "saddle",
        expr: "x^2 - y^2",
        domain: Domain { x: [-2.0, 2.0], y: [-2.0, 2.0] },
        minima: &[],
        start: [-1.8, 0.001],
        log_scale: false,
        note: "a saddle point at the origin: the gradient vanishes but it is no minimum (slide 107)",
    },
    Preset {
        name: "rastrigin",
        expr: "20 + x^2 - 10*cos(6.283185307179586*x) + y^2 - 10*cos(6.283185307179586*y)",
        domain: Domain { x: [-5.12, 5.12], y: [-5.12, 5.12] },
        minima: &[[0.0, 0.0]],
        start: [3.2, 2.7],
        log_scale: false,
        note: "many local minima: a racer settles in the nearest one",
    },
    Preset {
        name: "camel",
        expr: "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
        domain: Domain { x: [-2.0, 2.0], y: [-1.2, 1.2] },
        minima: &[
            [0.089_842_013_683_013_31, -0.712_656_403_270_413_5],
            [-0.089_842_013_683_013_31, 0.712_656_403_270_413_5],
        ],
        start: [-1.7, 0.9],
        log_scale: false,
        note: "six-hump camel: two global minima among six",
    },
    Preset {
        name: "plateau",
        expr: "1 - exp(-(x^2 + y^2)/2)",
        domain: Domain { x: [-4.0, 4.0], y: [-4.0, 4.0] },
        minima: &[[0.0, 0.0]],
        start: [3.5, 3.0],
        log_scale: false,
        note: "a flat plateau around a well: tiny gradients, where adaptive rules shine",
    },
];

/// A surface that cannot be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SurfaceError {
    /// The expression does not compile; `rendered` has the caret under the place.
    #[error("the surface expression is malformed:\n{rendered}")]
    Program {
        /// The message with the source line and a caret.
        rendered: String,
    },
    /// A bare name that is not a preset.
    #[error("unknown surface '{name}'{suggestion}; the presets are {presets}, or type an expression in x and y")]
    UnknownPreset {
        /// The name as typed.
        name: String,
        /// ` (did you mean 'rosenbrock'?)` or empty.
        suggestion: String,
        /// The preset names, comma-separated.
        presets: String,
    },
    /// The expression uses neither x nor y.
    #[error("the surface expression '{expr}' uses neither x nor y; write a loss in x and y, e.g. x^2 + 10*y^2")]
    Constant {
        /// The expression.
        expr: String,
    },
}

/// A loss surface f(x, y), ready to evaluate.
#[derive(Clone, Debug)]
pub struct Surface {
    /// The preset's name, or `custom`.
    pub name: String,
    /// The expression.
    pub expr: String,
    /// The plotted region.
    pub domain: Domain,
    /// The known minima.
    pub minima: Vec<[f64; 2]>,
    /// Whether contours read better on a log scale.
    pub log_scale: bool,
    program: Program,
    x: Option<NodeId>,
    y: Option<NodeId>,
}

/// Values of a surface on a regular grid, row by row (y outer, x inner).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Points along x.
    pub nx: usize,
    /// Points along y.
    pub ny: usize,
    /// The region covered, corners included.
    pub domain: Domain,
    /// `values[j * nx + i]` = f(x_i, y_j); non-finite values are kept as they are.
    pub values: Vec<f64>,
    /// The smallest finite value.
    pub min: f64,
    /// The largest finite value.
    pub max: f64,
}

impl Grid {
    /// The coordinates of grid point (i, j).
    pub fn point(&self, i: usize, j: usize) -> [f64; 2] {
        let fx = if self.nx > 1 { i as f64 / (self.nx - 1) as f64 } else { 0.5 };
        let fy = if self.ny > 1 { j as f64 / (self.ny - 1) as f64 } else { 0.5 };
        [
            self.domain.x[0] + fx * (self.domain.x[1] - self.domain.x[0]),
            self.domain.y[0] + fy * (self.domain.y[1] - self.domain.y[0]),
        ]
    }
}

impl Surface {
    /// A preset by name.
    pub fn preset(name: &str) -> Option<Surface> {
        let p = PRESETS.iter().find(|p| p.name == name)?;
        let mut s = Surface::from_expr(p.expr).expect("presets are well-formed expressions");
        s.name = p.name.to_owned();
        s.domain = p.domain;
        s.minima = p.minima.to_vec();
        s.log_scale = p.log_scale;
        Some(s)
    }

    /// A preset name, or else an expression in x and y.
    pub fn parse(name_or_expr: &str) -> Result<Surface, SurfaceError> {
        let name = name_or_expr.trim();
        if let Some(s) = Surface::preset(name) {
            return Ok(s);
        }
        let bare = name.len() > 1 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if bare {
            let nearest = PRESETS
                .iter()
                .map(|p| (strsim::damerau_levenshtein(name, p.name), p.name))
                .filter(|(d, _)| *d <= 3)
                .min();
            return Err(SurfaceError::UnknownPreset {
                name: name.to_owned(),
                suggestion: nearest.map(|(_, n)| format!(" (did you mean '{n}'?)")).unwrap_or_default(),
                presets: PRESETS.iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
            });
        }
        Surface::from_expr(name_or_expr)
    }

    /// An expression in x and y (other inputs must be given in the expression, like `a = 2; a*x^2 + y^2`). The
    /// domain defaults to ±5 around the origin.
    pub fn from_expr(expr: &str) -> Result<Surface, SurfaceError> {
        let xy = [("x".to_owned(), 0.0), ("y".to_owned(), 0.0)];
        let program = match compile(expr, &xy) {
            Ok(p) => p,
            // An expression in x alone (or y alone) is a surface too: retry with the one it uses.
            Err(ProgramError::UnknownInput { name, .. }) => {
                let only: Vec<(String, f64)> = xy.iter().filter(|(n, _)| *n != name).cloned().collect();
                compile(expr, &only).map_err(|e| match e {
                    ProgramError::UnknownInput { .. } => SurfaceError::Constant { expr: expr.to_owned() },
                    e => SurfaceError::Program { rendered: e.render(expr) },
                })?
            }
            Err(e) => return Err(SurfaceError::Program { rendered: e.render(expr) }),
        };
        let find = |n: &str| program.input(n).map(|i| i.node);
        let (x, y) = (find("x"), find("y"));
        Ok(Surface {
            name: "custom".into(),
            expr: expr.to_owned(),
            domain: Domain { x: [-5.0, 5.0], y: [-5.0, 5.0] },
            minima: Vec::new(),
            log_scale: false,
            program,
            x,
            y,
        })
    }

    fn set(&mut self, p: [f64; 2]) {
        if let Some(x) = self.x {
            self.program.graph.set_value(x, p[0]);
        }
        if let Some(y) = self.y {
            self.program.graph.set_value(y, p[1]);
        }
        self.program.graph.forward();
    }

    /// f(p).
    pub fn value(&mut self, p: [f64; 2]) -> f64 {
        self.set(p);
        self.program.value()
    }

    /// f(p) and ∇f(p), by the engine's backward pass.
    pub fn value_grad(&mut self, p: [f64; 2]) -> (f64, [f64; 2]) {
        self.set(p);
        let output = self.program.output;
        let g = &mut self.program.graph;
        g.backward(output);
        let d = |n: Option<NodeId>| n.map_or(0.0, |n| g.grad(n));
        (g.value(output), [d(self.x), d(self.y)])
    }

    /// The surface on an `nx` × `ny` grid over its domain. O(nx · ny · nodes).
    pub fn grid(&mut self, nx: usize, ny: usize) -> Grid {
        let mut grid =
            Grid { nx, ny, domain: self.domain, values: Vec::with_capacity(nx * ny), min: f64::MAX, max: f64::MIN };
        for j in 0..ny {
            for i in 0..nx {
                let v = self.value(grid.point(i, j));
                if v.is_finite() {
                    grid.min = grid.min.min(v);
                    grid.max = grid.max.max(v);
                }
                grid.values.push(v);
            }
        }
        if grid.min > grid.max {
            (grid.min, grid.max) = (0.0, 0.0);
        }
        grid
    }
}

/// Seeded Gaussian noise added to each gradient component, to show how each rule copes with stochastic gradients.
#[derive(Debug)]
pub struct GradNoise {
    /// The standard deviation.
    pub sigma: f64,
    rng: StdRng,
    normal: Normal<f64>,
}

impl GradNoise {
    /// Noise of standard deviation `sigma` (a negative or non-finite sigma counts as 0) from seed `seed`.
    pub fn new(sigma: f64, seed: u64) -> Self {
        let sigma = if sigma.is_finite() && sigma > 0.0 { sigma } else { 0.0 };
        let normal = Normal::new(0.0, sigma).expect("sigma is finite and >= 0");
        Self { sigma, rng: StdRng::seed_from_u64(seed), normal }
    }

    /// Adds one draw to each component.
    pub fn apply(&mut self, g: &mut [f64]) {
        if self.sigma > 0.0 {
            for v in g {
                *v += self.normal.sample(&mut self.rng);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_zero_gradient_at_their_minima() {
        for p in PRESETS {
            let mut s = Surface::preset(p.name).unwrap();
            // the saddle has no minimum: its stationary point, the origin, is checked instead
            let points: &[[f64; 2]] = if p.name == "saddle" { &[[0.0, 0.0]] } else { p.minima };
            assert!(!points.is_empty(), "{} names no minimum", p.name);
            for &m in points {
                let (_, g) = s.value_grad(m);
                assert!(g[0].abs() < 1e-8 && g[1].abs() < 1e-8, "{}: ∇f{m:?} = {g:?}", p.name);
                assert!(p.domain.contains(m) && p.domain.contains(p.start), "{}", p.name);
            }
        }
    }

    #[test]
    fn rosenbrock_gradient_by_hand() {
        // ∂f/∂x = -2(1-x) - 400x(y-x²), ∂f/∂y = 200(y-x²); at (-1.5, 2): x² = 2.25, y-x² = -0.25
        let mut s = Surface::preset("rosenbrock").unwrap();
        let (v, g) = s.value_grad([-1.5, 2.0]);
        assert_eq!(v, 6.25 + 100.0 * 0.0625); // (2.5)² + 100·(-0.25)²
        assert_eq!(g, [-5.0 - 150.0, -50.0]); // -2·2.5 - 400·(-1.5)·(-0.25) = -5 - 150
    }

    #[test]
    fn expressions_in_one_variable_and_errors() {
        let mut s = Surface::from_expr("x^2").unwrap();
        assert_eq!(s.value_grad([3.0, 7.0]), (9.0, [6.0, 0.0]));
        assert!(matches!(Surface::from_expr("3 + 4"), Err(SurfaceError::Constant { .. })));
        let e = Surface::from_expr("x^2 + z").unwrap_err();
        assert!(e.to_string().contains("'z' has no value"), "{e}");
        assert!(matches!(Surface::from_expr("x +* y"), Err(SurfaceError::Program { .. })));
        let e = Surface::parse("rosenbrok").unwrap_err();
        assert!(e.to_string().contains("did you mean 'rosenbrock'"), "{e}");
        // a bare x or y is still an expression
        assert!(Surface::parse("x").is_ok());
    }

    #[test]
    fn grid_covers_the_domain() {
        let mut s = Surface::preset("booth").unwrap();
        let g = s.grid(11, 21);
        assert_eq!(g.values.len(), 11 * 21);
        assert_eq!(g.point(0, 0), [-10.0, -10.0]);
        assert_eq!(g.point(10, 20), [10.0, 10.0]);
        assert_eq!(g.values[0], s.value([-10.0, -10.0]));
        assert!(g.min >= 0.0 && g.max > g.min);
    }

    #[test]
    fn noise_is_seeded() {
        let (mut a, mut b) = (GradNoise::new(0.1, 7), GradNoise::new(0.1, 7));
        let (mut ga, mut gb) = ([0.0; 2], [0.0; 2]);
        a.apply(&mut ga);
        b.apply(&mut gb);
        assert_eq!(ga, gb);
        assert_ne!(ga, [0.0; 2]);
        let mut z = GradNoise::new(f64::NAN, 1);
        let mut g = [1.0, 2.0];
        z.apply(&mut g);
        assert_eq!(g, [1.0, 2.0]);
    }
}
