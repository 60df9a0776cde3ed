//! One-click line-ups of racers and the learning rates that suit each preset surface.
//!
//! A learning rate is only good for a surface: SGD's must stay below 2/L for the steepest curvature L it meets
//! (0.4 works on the elongated bowl, whose curvature is 4 across; Rosenbrock's walls need 0.001), while the adaptive
//! rules move about lr per step whatever the gradient's size. So a line-up names rules and gets its learning rates
//! from [`Lrs::for_surface`], a table found by racing every preset (`chainrule race`) and tested below.

use super::RacerConfig;
use crate::optim::OptimSpec;

/// Suggested learning rates for one surface, one per family of rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lrs {
    /// Plain SGD and the lecture's momentum (an average of gradients, so on SGD's scale).
    pub sgd: f64,
    /// PyTorch's SGD with momentum 0.9 (its velocity sums gradients: up to 10× a plain step).
    pub momentum: f64,
    /// RMSProp and Adagrad (steps of about lr).
    pub rmsprop: f64,
    /// The Adam family.
    pub adam: f64,
}

impl Lrs {
    /// The table for a preset's name; for a typed surface, rates that are moderate on a surface of unit scale.
    pub fn for_surface(name: &str) -> Lrs {
        let (sgd, momentum, rmsprop, adam) = match name {
            "rosenbrock" => (0.001, 0.001, 0.01, 0.05),
            "elongated" => (0.4, 0.05, 0.1, 0.2),
            "beale" => (0.01, 0.002, 0.05, 0.1),
            "himmelblau" => (0.01, 0.002, 0.02, 0.1),
            "booth" => (0.02, 0.005, 0.2, 0.5),
            "saddle" => (0.01, 0.002, 0.002, 0.01),
            "rastrigin" => (0.002, 0.001, 0.01, 0.05),
            "camel" => (0.02, 0.01, 0.01, 0.05),
            "plateau" => (1.0, 0.5, 0.02, 0.1),
            _ => (0.01, 0.005, 0.01, 0.05),
        };
        Lrs { sgd, momentum, rmsprop, adam }
    }

    /// The suggested learning rate for a rule (by spec name) on this surface.
    pub fn for_rule(&self, name: &str) -> f64 {
        match name {
            "sgd" | "momentum-ewma" => self.sgd,
            "adagrad" | "rmsprop" => self.rmsprop,
            _ => self.adam,
        }
    }
}

/// A line-up: a few racers that tell one story.
#[derive(Clone, Copy, Debug)]
pub struct Lineup {
    /// The button's text.
    pub name: &'static str,
    /// What to watch for (the button's tooltip).
    pub about: &'static str,
}

/// The line-ups, in the order of their buttons.
pub const LINEUPS: &[Lineup] = &[
    Lineup {
        name: "SGD vs momentum vs RMSProp vs Adam",
        about: "Slides 106-114: on a ravine SGD zigzags across the steep direction and crawls along the shallow one; \
                momentum averages the zigzag away; RMSProp evens out the step sizes; Adam does both.",
    },
    Lineup {
        name: "Adam vs Adam without bias correction",
        about: "Slide 114: V and S (PyTorch's m and v) start at 0, so without dividing by 1-β₁^t and 1-β₂^t the step \
                V/√S is (1-β₁^t)/√(1-β₂^t) times Adam's: about 3.2× at t = 1 (0.1 g / √(0.001 g²)), peaking near \
                6.6× around t = 12, and still about 2.3× at t = 200.",
    },
    Lineup {
        name: "momentum-ewma vs PyTorch momentum",
        about: "Slides 108-110 average gradients (V = βV + (1-β)g, divided by 1-β^t); PyTorch sums them \
                (b = μb + g). With the lecture's lr 10× PyTorch's their rules agree once 1-β^t ≈ 1, but their paths \
                stay apart: the corrected early steps (10× PyTorch's first one) put the racer elsewhere. Without bias \
                correction they coincide from the first step (its thin trail runs inside PyTorch's).",
    },
];

/// Racer colours, in order: distinct on the light and the dark heat map.
pub const COLORS: &[[u8; 3]] = &[
    [0xe0, 0x3c, 0x31], // vermilion
    [0xf0, 0x8c, 0x00], // orange
    [0x1f, 0x9e, 0x5a], // green
    [0x2b, 0x6c, 0xd8], // blue
    [0x9b, 0x4d, 0xca], // purple
    [0xd0, 0x3f, 0x8e], // magenta
    [0x15, 0x9c, 0xa8], // teal
    [0x8d, 0x6e, 0x4a], // brown
];

/// The colour for the racer at `index` of a line-up.
pub fn color(index: usize) -> [u8; 3] {
    COLORS[index % COLORS.len()]
}

fn spec(text: &str) -> OptimSpec {
    text.parse().expect("line-up specs are well-formed (tested below)")
}

/// The racers of line-up `index` with learning rates for `surface` (a preset name or `custom`); `None` for an
/// unknown index.
pub fn racers(index: usize, surface: &str) -> Option<Vec<RacerConfig>> {
    let lr = Lrs::for_surface(surface);
    let specs: Vec<String> = match index {
        0 => vec![
            format!("sgd:lr={}", lr.sgd),
            format!("sgd:lr={},momentum=0.9", lr.momentum),
            format!("rmsprop:lr={}", lr.rmsprop),
            format!("adam:lr={}", lr.adam),
        ],
        1 => vec![format!("adam:lr={}", lr.adam), format!("adam-nobias:lr={}", lr.adam)],
        2 => vec![
            format!("sgd:lr={},momentum=0.9", lr.momentum),
            format!("momentum-ewma:lr={},beta=0.9", lr.momentum * 10.0),
            format!("momentum-ewma:lr={},beta=0.9,bias_correction=false", lr.momentum * 10.0),
        ],
        _ => return None,
    };
    Some(
        specs
            .iter()
            .enumerate()
            .map(|(i, s)| RacerConfig { spec: spec(s), schedule: Default::default(), color: color(i) })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::{PRESETS, Race, RacerSetup, Status, Surface};

    fn race(lineup: usize, preset: &str, steps: usize) -> Race {
        let p = PRESETS.iter().find(|p| p.name == preset).expect("a preset");
        let setups = racers(lineup, preset)
            .expect("a line-up")
            .into_iter()
            .map(|r| RacerSetup { spec: r.spec, schedule: r.schedule })
            .collect();
        let mut race = Race::new(Surface::preset(preset).expect("a preset"), p.start, setups, None);
        race.run(steps);
        race
    }

    #[test]
    fn every_line_up_stays_on_every_preset_but_the_saddle() {
        // the saddle is unbounded below: leaving it is the right answer there
        for p in PRESETS.iter().filter(|p| p.name != "saddle") {
            for (lineup, l) in LINEUPS.iter().enumerate() {
                let r = race(lineup, p.name, 300);
                for racer in &r.racers {
                    assert_ne!(racer.status, Status::Diverged, "{} on {}: {}", l.name, p.name, racer.setup.spec);
                }
            }
        }
    }

    #[test]
    fn the_first_line_up_tells_the_ravine_story() {
        // on the elongated bowl, SGD's steps across the ravine change sign (the zigzag of slide 107) ...
        let r = race(0, "elongated", 20);
        let ys: Vec<f64> = r.racers[0].path.iter().map(|p| p[1]).collect();
        assert!(ys.len() >= 7, "six steps to compare: {ys:?}");
        assert!(ys.windows(2).take(6).all(|w| w[0] * w[1] < 0.0), "SGD zigzags: {ys:?}");
        // ... and all four reach 1e-3 within 300 steps
        let r = race(0, "elongated", 300);
        assert!(r.racers.iter().all(|racer| racer.steps_to(1e-3).is_some()));
    }

    #[test]
    fn without_bias_correction_the_ewma_is_pytorch_momentum() {
        // V = (1-β)·Σβᵏg, so lr·V with lr = 10·lr_torch is lr_torch·Σβᵏg: the same path to rounding
        let r = race(2, "elongated", 50);
        for (a, b) in r.racers[0].path.iter().zip(&r.racers[2].path) {
            assert!((a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9, "{a:?} vs {b:?}");
        }
        // with bias correction the first step is 10× PyTorch's: V/(1-β) = g
        let d = |k: usize| {
            let p = &r.racers[k].path;
            (p[1][0] - p[0][0]).hypot(p[1][1] - p[0][1])
        };
        assert!((d(1) / d(0) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn the_captions_numbers_are_the_formulas() {
        // (1-β₁^t)/√(1-β₂^t) at t = 1, its peak at t = 12 and at t = 200, as the Adam line-up says
        use super::super::caption::uncorrected_ratio;
        let about = LINEUPS[1].about;
        for (t, shown) in [(1, "3.2×"), (12, "6.6×"), (200, "2.3×")] {
            assert_eq!(format!("{:.1}×", uncorrected_ratio(0.9, 0.999, t)), shown);
            assert!(about.contains(shown), "{about}");
        }
        assert!(!about.contains("about 3× too large"));
    }

    #[test]
    fn with_bias_correction_the_rule_agrees_later_but_the_paths_stay_apart() {
        // at t = 100, 1 - 0.9^100 ≈ 1 - 3e-5: the two rules are the same, yet the racers stand apart
        let r = race(2, "elongated", 100);
        let (a, b) = (r.racers[0].position(), r.racers[1].position());
        let start = r.racers[0].path[0];
        let apart = (a[0] - b[0]).hypot(a[1] - b[1]);
        let travelled = (a[0] - start[0]).hypot(a[1] - start[1]);
        assert!(apart > 1e-3 * travelled, "{a:?} vs {b:?}");
        assert!(LINEUPS[2].about.contains("paths stay apart"));
    }

    #[test]
    fn rates_by_rule_and_unknown_indices() {
        let lr = Lrs::for_surface("rosenbrock");
        assert_eq!((lr.for_rule("momentum-ewma"), lr.for_rule("adagrad"), lr.for_rule("radam")), (0.001, 0.01, 0.05));
        assert!(racers(LINEUPS.len(), "rosenbrock").is_none());
        assert_eq!(racers(1, "custom").expect("a line-up").len(), 2);
    }
}
