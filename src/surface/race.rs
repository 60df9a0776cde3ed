//! The optimizer race: several rules descending the same surface from the same start, one step at a time, each
//! through the one optimizer library (`crate::optim`) on a 2-element parameter slice.
//!
//! A racer whose next point overflows, is not a number, or leaves the plotted region stops with status `diverged` at
//! that step; the bad point is never recorded. Every other racer steps on to the last step, one point per step, so its
//! path has `steps + 1` points. A racer has `converged` (at the step recorded in `converged_at`) once its point has
//! stopped moving: the step moved it by less than [`CONVERGED_MOVE`] (relative to its size) where the gradient has
//! vanished (‖∇f‖ < [`CONVERGED_GRAD`]); a gradient that vanishes alone is not enough, since a rule with momentum
//! still moves there. If it moves again, it is running again.

use serde::Serialize;

use super::{GradNoise, Surface};
use crate::optim::{OptimSpec, Optimizer, Schedule};

/// Below this gradient norm a racer that has stopped moving has converged.
pub const CONVERGED_GRAD: f64 = 1e-10;

/// A step shorter than this, relative to `max(1, ‖p‖)` (about 45 units in the last place at ‖p‖ = 3), leaves the point
/// where it was.
pub const CONVERGED_MOVE: f64 = 1e-14;

/// The most steps a race takes (the command line refuses more): each step keeps a point, a loss, a gradient and a
/// rate per racer, so 100 000 steps hold about 5 MB per racer, and four times that as JSON text.
pub const MAX_RACE_STEPS: usize = 100_000;

/// Where a racer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Still moving.
    Running,
    /// Its point stopped moving where the gradient vanished; it still steps, in place.
    Converged,
    /// It overflowed or left the plotted region.
    Diverged,
}

impl Status {
    /// The status in words.
    pub fn name(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Converged => "converged",
            Status::Diverged => "diverged",
        }
    }
}

/// What a racer is: its rule and its schedule.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct RacerSetup {
    /// The rule and its hyperparameters.
    pub spec: OptimSpec,
    /// The learning-rate schedule.
    #[serde(default)]
    pub schedule: Schedule,
}

/// One racer and its history.
#[derive(Debug)]
pub struct Racer {
    /// Its rule and schedule.
    pub setup: RacerSetup,
    /// The optimizer with its state.
    pub optimizer: Optimizer,
    /// Every point so far, starting with the start point.
    pub path: Vec<[f64; 2]>,
    /// The loss at every point of `path`.
    pub loss: Vec<f64>,
    /// The gradient used at every step (noise included): `grads[t]` moved `path[t]` to `path[t + 1]`.
    pub grads: Vec<[f64; 2]>,
    /// The learning rate of every step.
    pub lrs: Vec<f64>,
    /// Running, converged or diverged.
    pub status: Status,
    /// The step at which it diverged, if it has.
    pub stopped_at: Option<usize>,
    /// The step after which its point stopped moving, while it stays put.
    pub converged_at: Option<usize>,
    noise: Option<GradNoise>,
}

impl Racer {
    /// The current point.
    pub fn position(&self) -> [f64; 2] {
        *self.path.last().expect("a path starts with the start point")
    }

    /// The first step at which the loss is at or below `threshold`, if any.
    pub fn steps_to(&self, threshold: f64) -> Option<usize> {
        self.loss.iter().position(|&l| l <= threshold)
    }
}

/// A race on one surface from one start.
#[derive(Debug)]
pub struct Race {
    /// The surface.
    pub surface: Surface,
    /// The common start point.
    pub start: [f64; 2],
    /// The racers.
    pub racers: Vec<Racer>,
    /// Steps taken so far.
    pub step: usize,
    noise: Option<(f64, u64)>,
}

impl Race {
    /// A race of `setups` from `start`; `noise` is (sigma, seed) of Gaussian gradient noise, the same sequence for
    /// every racer.
    pub fn new(surface: Surface, start: [f64; 2], setups: Vec<RacerSetup>, noise: Option<(f64, u64)>) -> Race {
        let mut race = Race { surface, start, racers: Vec::new(), step: 0, noise };
        for s in setups {
            race.add(s);
        }
        race
    }

    fn fresh(&mut self, setup: RacerSetup) -> Racer {
        let loss = self.surface.value(self.start);
        let status = if self.surface.domain.contains(self.start) && loss.is_finite() {
            Status::Running
        } else {
            Status::Diverged
        };
        Racer {
            optimizer: setup.spec.build(),
            setup,
            path: vec![self.start],
            loss: vec![loss],
            grads: Vec::new(),
            lrs: Vec::new(),
            status,
            stopped_at: (status == Status::Diverged).then_some(0),
            converged_at: None,
            noise: self.noise.map(|(s, seed)| GradNoise::new(s, seed)),
        }
    }

    /// Adds a racer at the start (it catches up on the next steps only if the race is reset).
    pub fn add(&mut self, setup: RacerSetup) {
        let r = self.fresh(setup);
        self.racers.push(r);
    }

    /// Back to the start, every racer's state forgotten.
    pub fn reset(&mut self) {
        let setups: Vec<RacerSetup> = self.racers.iter().map(|r| r.setup.clone()).collect();
        self.racers = setups.into_iter().map(|s| self.fresh(s)).collect();
        self.step = 0;
    }

    /// One step for every racer that has not diverged (a converged one steps in place).
    pub fn step(&mut self) {
        let t = self.step;
        for r in &mut self.racers {
            if r.status == Status::Diverged {
                continue;
            }
            let before = r.position();
            let mut p = before;
            let (_, mut g) = self.surface.value_grad(p);
            if let Some(n) = &mut r.noise {
                n.apply(&mut g);
            }
            let lr = r.setup.schedule.lr_at(r.setup.spec.lr(), t as u64);
            r.optimizer.set_lr(lr);
            r.optimizer.step(&mut p, &g);
            let loss = self.surface.value(p);
            r.grads.push(g);
            r.lrs.push(lr);
            if !(p[0].is_finite() && p[1].is_finite() && loss.is_finite() && self.surface.domain.contains(p)) {
                r.status = Status::Diverged;
                r.stopped_at = Some(t + 1);
                continue;
            }
            r.path.push(p);
            r.loss.push(loss);
            let (_, g_new) = self.surface.value_grad(p);
            let moved = (p[0] - before[0]).hypot(p[1] - before[1]);
            let still = moved < CONVERGED_MOVE * p[0].hypot(p[1]).max(1.0)
                && g_new[0].hypot(g_new[1]) < CONVERGED_GRAD
                && r.noise.as_ref().is_none_or(|n| n.sigma == 0.0);
            if !still {
                r.status = Status::Running;
                r.converged_at = None;
            } else if r.status == Status::Running {
                r.status = Status::Converged;
                r.converged_at = Some(t + 1);
            }
        }
        self.step += 1;
    }

    /// `n` steps.
    pub fn run(&mut self, n: usize) {
        for _ in 0..n {
            self.step();
        }
    }

    /// Whether every racer has stopped moving (converged or diverged).
    pub fn finished(&self) -> bool {
        self.racers.iter().all(|r| r.status != Status::Running)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(spec: &str) -> RacerSetup {
        RacerSetup { spec: spec.parse().unwrap(), schedule: Schedule::default() }
    }

    #[test]
    fn momentum_on_the_elongated_bowl_matches_torch() {
        // torch.optim.SGD(lr=0.1, momentum=0.9) on x²/20 + 2y² from (1, 1): (0.99, 0.6), (0.9711, 0.0), ...
        let s = Surface::from_expr("x^2/20 + 2*y^2").unwrap();
        let mut race = Race::new(s, [1.0, 1.0], vec![setup("sgd:lr=0.1,momentum=0.9")], None);
        race.run(3);
        let want = [[1.0, 1.0], [0.99, 0.6], [0.9711, 0.0], [0.944379, -0.54]];
        assert_eq!(race.racers[0].path.len(), want.len());
        for (p, w) in race.racers[0].path.iter().zip(want) {
            assert!((p[0] - w[0]).abs() < 1e-12 && (p[1] - w[1]).abs() < 1e-12, "{p:?} vs {w:?}");
        }
    }

    #[test]
    fn a_huge_learning_rate_diverges_without_nan_positions() {
        let s = Surface::preset("rosenbrock").unwrap();
        let mut race = Race::new(s, [-1.5, 2.0], vec![setup("sgd:lr=1e9"), setup("adam:lr=0.01")], None);
        race.run(50);
        let bad = &race.racers[0];
        assert_eq!(bad.status, Status::Diverged);
        assert_eq!(bad.stopped_at, Some(1));
        assert_eq!(bad.path.len(), 1);
        assert!(bad.path.iter().all(|p| p[0].is_finite() && p[1].is_finite()));
        assert_eq!(race.racers[1].status, Status::Running);
        assert_eq!(race.racers[1].path.len(), 51);
        assert_eq!(race.racers[1].stopped_at, None);
        race.reset();
        assert_eq!(race.racers[0].status, Status::Running);
        assert_eq!(race.racers[1].path.len(), 1);
    }

    #[test]
    fn sgd_converges_on_a_bowl() {
        let s = Surface::preset("booth").unwrap();
        let mut race = Race::new(s, [-8.0, -6.0], vec![setup("sgd:lr=0.05")], None);
        race.run(2000);
        let r = &race.racers[0];
        assert_eq!(r.status, Status::Converged);
        let p = r.position();
        assert!((p[0] - 1.0).abs() < 1e-9 && (p[1] - 3.0).abs() < 1e-9, "{p:?}");
        assert!(r.steps_to(1e-6).is_some());
        // one point per step, to the last one, and the converged point stays put after its step
        assert_eq!(r.path.len(), 2001);
        let k = r.converged_at.expect("a converged racer has its step");
        assert!(k < 2000 && r.stopped_at.is_none(), "{k}");
        assert!(r.path[k..].iter().all(|q| (q[0] - p[0]).hypot(q[1] - p[1]) < 1e-9));
    }

    #[test]
    fn momentum_still_moving_where_the_gradient_is_tiny_has_not_converged() {
        // sgd with momentum 0.9 on the bowl x² + y²: at (1e-11, 0) the gradient is 2e-11 < 1e-10, yet the
        // velocity it brings moves it; the race steps to the end and it converges only once the point stays put
        let s = Surface::from_expr("x^2 + y^2").unwrap();
        let mut race = Race::new(s, [1.0, 1.0], vec![setup("sgd:lr=0.01,momentum=0.9")], None);
        let mut first_tiny = None;
        for t in 0..3000 {
            race.step();
            let r = &race.racers[0];
            let p = r.position();
            if first_tiny.is_none() && 2.0 * p[0].hypot(p[1]) < CONVERGED_GRAD {
                first_tiny = Some(t + 1);
            }
        }
        let r = &race.racers[0];
        assert_eq!(r.path.len(), 3001);
        let tiny = first_tiny.expect("the gradient becomes tiny");
        let k = r.converged_at.expect("it stops moving in the end");
        // the velocity carried it on after the gradient vanished
        assert!(k > tiny, "converged at {k}, gradient tiny from {tiny}");
        let q = r.path[k - 1];
        let p = r.path[k];
        assert!((p[0] - q[0]).hypot(p[1] - q[1]) < CONVERGED_MOVE);
    }
}
