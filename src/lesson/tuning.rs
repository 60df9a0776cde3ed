//! The learning-rate question: "set the learning rate so that SGD reaches a loss of T in at most N steps on this
//! surface", checked by running the race with the learner's rate ([`run_lr`]), never by comparing numbers.
//!
//! A rate is judged by what the race does with it: it reaches T at step s ≤ N (right), it diverges (too large), or it
//! is still above T after N steps. Whether a slow rate is too small or too large comes from [`working_range`], a scan
//! of [`SCAN_POINTS`] log-spaced rates over [`SCAN_RANGE`]: below the smallest rate that works it is too small, above
//! the largest too large. On a quadratic bowl the rates that work form one interval: SGD multiplies the distance along
//! a direction of curvature λ by (1 − lr·λ) each step, so a small lr crawls along the shallow direction and an lr
//! above 2/λ_max makes the steep direction grow. The scan costs SCAN_POINTS races of N steps: O(SCAN_POINTS · N ·
//! surface nodes), a few milliseconds for the shipped lessons.

use serde::Serialize;

use super::{RaceView, build_race, parse_racer};
use crate::scalar::explain::fmt_sig;
use crate::surface::{MAX_RACE_STEPS, RacerSetup, Status};

/// The learning rates a learner may type: smaller is refused as meaningless, larger as absurd.
pub const LR_LIMITS: [f64; 2] = [1e-6, 100.0];

/// The rates [`working_range`] tries: from 1e-4 to 100.
pub const SCAN_RANGE: [f64; 2] = [1e-4, 100.0];

/// How many log-spaced rates [`working_range`] tries (40 a decade).
pub const SCAN_POINTS: usize = 241;

/// The most steps a learning-rate question may allow (the scan runs [`SCAN_POINTS`] races of that length).
pub const MAX_WITHIN: usize = 10_000;

/// What a race with one learning rate did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LrRun {
    /// The racer's spec with the rate, as a lesson's `racers` entry (`sgd:lr=0.4`, `sgd:lr=2 @ exp:gamma=0.9`).
    pub racer: String,
    /// The first step at which the loss is at or below the threshold, if within the run.
    pub reached: Option<usize>,
    /// The step at which it diverged (overflowed or left the plotted region), if it did.
    pub diverged: Option<usize>,
    /// The loss at its last point.
    pub final_loss: f64,
    /// Whether it bounced back and forth: in the second half of the run, most steps reverse the previous step's
    /// direction along some coordinate.
    pub bounced: bool,
}

/// The learning rates that reach the threshold in time, found by a scan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkingRange {
    /// The smallest rate of the scan that works.
    pub low: f64,
    /// The largest rate of the scan that works.
    pub high: f64,
    /// The rate of the scan that gets there in the fewest steps.
    pub best: f64,
    /// Its steps.
    pub best_steps: usize,
}

/// Checks a typed learning rate: finite, positive and within [`LR_LIMITS`]; the error says why not, in words.
pub fn check_lr(lr: f64) -> Result<(), String> {
    let [lo, hi] = LR_LIMITS;
    if !lr.is_finite() {
        return Err("a learning rate is a finite number, e.g. 0.1".into());
    }
    if lr <= 0.0 {
        return Err(format!(
            "a learning rate is positive: at {} every step would go uphill (or nowhere)",
            fmt_sig(lr, 3)
        ));
    }
    if lr < lo {
        return Err(format!("{} is too small to move at all: a learning rate here is at least {lo:e}", fmt_sig(lr, 3)));
    }
    if lr > hi {
        return Err(format!(
            "{} is far too large: every step would jump off the surface (a learning rate here is at most {})",
            fmt_sig(lr, 3),
            fmt_sig(hi, 3)
        ));
    }
    Ok(())
}

/// The racer `template` (a spec with an optional `@ schedule`, e.g. `sgd` or `sgd:momentum=0.9 @ exp:gamma=0.9`) with
/// its base learning rate set to `lr`, written back as a lesson's racer text.
pub fn racer_with_lr(template: &str, lr: f64) -> Result<String, String> {
    let mut setup = parse_racer(template)?;
    setup.spec.set_lr(lr);
    setup.spec.validate().map_err(|e| format!("racer '{template}' at lr = {lr}: {e}"))?;
    Ok(racer_text(&setup))
}

/// A racer as a lesson writes it: its spec, and ` @ schedule` unless the schedule is constant.
pub fn racer_text(setup: &RacerSetup) -> String {
    if setup.schedule == Default::default() {
        setup.spec.to_string()
    } else {
        format!("{} @ {}", setup.spec, setup.schedule)
    }
}

/// Races `template` at learning rate `lr` on the view's surface from its start for `within` steps, and reports
/// whether (and when) it reaches `threshold`. The view's own racers and steps are not used.
pub fn run_lr(view: &RaceView, template: &str, lr: f64, threshold: f64, within: usize) -> Result<LrRun, String> {
    check_lr(lr)?;
    let racer = racer_with_lr(template, lr)?;
    let within = within.min(MAX_RACE_STEPS);
    let one = RaceView { racers: vec![racer.clone()], steps: within.max(1), ..view.clone() };
    let mut race = build_race(&one)?;
    race.run(within);
    let r = &race.racers[0];
    Ok(LrRun {
        racer,
        reached: r.steps_to(threshold),
        diverged: (r.status == Status::Diverged).then_some(r.stopped_at.unwrap_or(0)),
        final_loss: *r.loss.last().expect("a racer's losses start with the start's"),
        bounced: bounced(&r.path),
    })
}

/// Whether most moves of the path's second half reverse the move before along x or y.
fn bounced(path: &[[f64; 2]]) -> bool {
    let moves: Vec<[f64; 2]> = path.windows(2).map(|w| [w[1][0] - w[0][0], w[1][1] - w[0][1]]).collect();
    let half = &moves[moves.len() / 2..];
    if half.len() < 4 {
        return false;
    }
    let reversals = half.windows(2).filter(|w| (0..2).any(|k| w[0][k] * w[1][k] < 0.0)).count();
    2 * reversals > half.len()
}

/// The rates of the scan over [`SCAN_RANGE`] that reach `threshold` within `within` steps; `None` when none does.
pub fn working_range(
    view: &RaceView,
    template: &str,
    threshold: f64,
    within: usize,
) -> Result<Option<WorkingRange>, String> {
    let [lo, hi] = SCAN_RANGE;
    let mut found: Option<WorkingRange> = None;
    for i in 0..SCAN_POINTS {
        let lr = lo * (hi / lo).powf(i as f64 / (SCAN_POINTS - 1) as f64);
        let run = run_lr(view, template, lr, threshold, within)?;
        let Some(s) = run.reached else { continue };
        found = Some(match found {
            None => WorkingRange { low: lr, high: lr, best: lr, best_steps: s },
            Some(w) => {
                let (best, best_steps) = if s < w.best_steps { (lr, s) } else { (w.best, w.best_steps) };
                WorkingRange { high: lr, best, best_steps, ..w }
            }
        });
    }
    Ok(found)
}

/// The verdict's words on one run: right with its step, or why not (diverged, too small, too large, bounced) and
/// which way to move the rate.
pub fn lr_hint(run: &LrRun, lr: f64, threshold: f64, within: usize, range: Option<&WorkingRange>) -> String {
    let t = fmt_sig(threshold, 3);
    let rate = fmt_sig(lr, 3);
    if let Some(s) = run.reached {
        return format!("right: at lr = {rate} it reaches loss {t} at step {s} (at most {within} allowed)");
    }
    let loss = fmt_sig(run.final_loss, 3);
    if let Some(s) = run.diverged {
        return format!(
            "at lr = {rate} it diverged at step {s}: too large, the steps overshoot the steep direction and grow; \
             try a smaller learning rate"
        );
    }
    match range {
        Some(w) if lr > w.high => {
            let how = if run.bounced { "bounces back and forth across the valley" } else { "overshoots" };
            format!(
                "at lr = {rate} it {how} and its loss is still {loss} after {within} steps: too large, try a smaller \
                 learning rate"
            )
        }
        Some(w) if lr < w.low => format!(
            "at lr = {rate} its loss is still {loss} after {within} steps: too small, too slow; try a larger \
             learning rate"
        ),
        _ => format!("at lr = {rate} its loss is still {loss} after {within} steps, above {t}: try another rate"),
    }
}

/// The answer in words: the scan's range, and its fastest rate.
pub fn lr_expected(range: Option<&WorkingRange>, threshold: f64) -> String {
    match range {
        Some(w) => format!(
            "any lr from about {} to {} reaches loss {}; the fastest, lr ≈ {}, in {} steps",
            fmt_sig(w.low, 2),
            fmt_sig(w.high, 2),
            fmt_sig(threshold, 3),
            fmt_sig(w.best, 2),
            w.best_steps
        ),
        None => format!("no learning rate from {} to {} reaches loss {}", SCAN_RANGE[0], SCAN_RANGE[1], threshold),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The elongated preset x²/20 + 2y² from (-9, 2): curvatures 0.1 along x and 4 along y, so lr ≥ 0.5 never settles
    /// y (1 − 4·lr ≤ −1) and a small lr crawls along x (1 − 0.1·lr per step).
    fn bowl() -> RaceView {
        RaceView { surface: "elongated".into(), start: None, racers: vec!["sgd".into()], steps: 80 }
    }

    #[test]
    fn a_rate_that_works_reaches_the_threshold() {
        // x shrinks by 0.955 a step at lr 0.45: x²/20 ≤ 0.01 needs |x| ≤ 0.447, (0.955)^k ≤ 0.0497, k ≥ 65.
        let run = run_lr(&bowl(), "sgd", 0.45, 0.01, 80).unwrap();
        assert_eq!(run.racer, "sgd:lr=0.45");
        let s = run.reached.expect("lr 0.45 gets there");
        assert!((60..=70).contains(&s), "{s}");
        assert_eq!(run.diverged, None);
    }

    #[test]
    fn too_large_diverges_bounces_or_is_refused() {
        // lr 0.51: y ↦ (1 − 2.04)·y grows by 1.04 a step and leaves |y| ≤ 3.
        let run = run_lr(&bowl(), "sgd", 0.51, 0.01, 80).unwrap();
        assert!(run.diverged.is_some() && run.reached.is_none(), "{run:?}");
        let range = working_range(&bowl(), "sgd", 0.01, 80).unwrap().expect("some rate works");
        assert!(range.low > 0.3 && range.high < 0.5, "{range:?}");
        let hint = lr_hint(&run, 0.51, 0.01, 80, Some(&range));
        assert!(hint.contains("diverged") && hint.contains("smaller"), "{hint}");
        // lr 0.5: y ↦ −y for ever, in the region: it bounces.
        let run = run_lr(&bowl(), "sgd", 0.5, 0.01, 80).unwrap();
        assert!(run.bounced && run.diverged.is_none(), "{run:?}");
        let hint = lr_hint(&run, 0.5, 0.01, 80, Some(&range));
        assert!(hint.contains("bounces") && hint.contains("too large"), "{hint}");
        assert!(run_lr(&bowl(), "sgd", 1e9, 0.01, 80).unwrap_err().contains("far too large"));
        assert!(run_lr(&bowl(), "sgd", -0.1, 0.01, 80).unwrap_err().contains("positive"));
        assert!(run_lr(&bowl(), "sgd", f64::NAN, 0.01, 80).is_err());
    }

    #[test]
    fn too_small_is_too_slow() {
        let range = working_range(&bowl(), "sgd", 0.01, 80).unwrap();
        let run = run_lr(&bowl(), "sgd", 0.05, 0.01, 80).unwrap();
        assert!(run.reached.is_none() && !run.bounced);
        let hint = lr_hint(&run, 0.05, 0.01, 80, range.as_ref());
        assert!(hint.contains("too small") && hint.contains("larger"), "{hint}");
    }

    #[test]
    fn a_schedule_comes_with_the_racer() {
        let text = racer_with_lr("sgd @ exp:gamma=0.9", 2.0).unwrap();
        assert_eq!(text, "sgd:lr=2 @ exp:gamma=0.9");
        assert_eq!(racer_text(&parse_racer(&text).unwrap()), text);
        assert!(racer_with_lr("sgd:lx=1", 0.1).is_err());
    }
}
