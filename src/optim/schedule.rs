//! Learning-rate schedules, usable with any rule: the lecture's decay (slide 119: "decay every epoch, 0.95 or 0.9
//! are common choices"; exponential; 1/t) and warmup (slide 120: Liu et al., "On the Variance of the Adaptive
//! Learning Rate and Beyond", 2020; Goyal et al., "Accurate, Large Minibatch SGD", 2017), in the closed forms of
//! PyTorch's `torch.optim.lr_scheduler`. With t = 0, 1, 2, ... the number of steps already taken and lr₀ the base
//! learning rate:
//!
//! ```text
//! const                          lr₀
//! step:step_size=s,gamma=γ       lr₀·γ^⌊t/s⌋                           (StepLR)
//! exp:gamma=γ                    lr₀·γᵗ                                (ExponentialLR)
//! inv:k=k                        lr₀ / (1 + k·t)                       (1/t decay; LambdaLR in PyTorch)
//! cos:t_max=T,eta_min=η          η + (lr₀ − η)·(1 + cos(π·t/T))/2      (CosineAnnealingLR; rises again after T)
//! warmup:steps=w,start_factor=f  lr₀·(f + (1 − f)·t/w) for t < w, then lr₀              (LinearLR)
//! warmup:...+<decay>             the warmup, then <decay> at t − w                       (SequentialLR)
//! ```
//!
//! Spec strings: `name[:key=value,...]`, and `warmup:...+name:...` to put a warmup in front of a decay. Keys
//! without a PyTorch default are required: `step_size` (step), `gamma` (exp), `t_max` (cos), `k` (inv), `steps`
//! (warmup). Defaults: step's gamma 0.1, cos's eta_min 0, warmup's start_factor 1/3 (PyTorch's). The schedule
//! drives the rule: `opt.set_lr(schedule.lr_at(base_lr, t))` before step t + 1. Each `lr_at` is O(1).

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use super::OptimError;
use super::spec::{Args, Field, Kind, key_value, split_spec};

/// Every schedule spec name.
pub const SCHEDULE_NAMES: &[&str] = &["const", "step", "exp", "inv", "cos", "warmup"];

/// How the learning rate decays (after the warmup, if any).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Decay {
    /// `const`: lr₀ for ever.
    #[default]
    Constant,
    /// `step`: multiply by `gamma` every `step_size` steps.
    Step {
        /// Steps between decays (≥ 1).
        step_size: u64,
        /// The factor (> 0; PyTorch's default 0.1).
        gamma: f64,
    },
    /// `exp`: multiply by `gamma` every step.
    Exp {
        /// The factor per step (> 0).
        gamma: f64,
    },
    /// `inv`: lr₀/(1 + k·t).
    Inv {
        /// The decay rate (≥ 0).
        k: f64,
    },
    /// `cos`: half a cosine from lr₀ down to `eta_min` over `t_max` steps (and back up over the next `t_max`).
    Cos {
        /// Steps from lr₀ to `eta_min` (≥ 1).
        t_max: u64,
        /// The floor (≥ 0, default 0).
        eta_min: f64,
    },
}

/// A linear warmup from `start_factor`·lr₀ to lr₀ over `steps` steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmup {
    /// Steps of warmup (≥ 1).
    pub steps: u64,
    /// The first step's fraction of lr₀, in [0, 1] (PyTorch's default 1/3; PyTorch refuses 0, we allow it).
    pub start_factor: f64,
}

/// A learning-rate schedule: an optional warmup, then a decay. Serialized as its canonical spec string.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Schedule {
    /// The warmup in front, if any.
    pub warmup: Option<Warmup>,
    /// The decay after it.
    pub decay: Decay,
}

impl Decay {
    /// The learning rate after `t` steps of this decay.
    pub fn lr_at(&self, base_lr: f64, t: u64) -> f64 {
        match *self {
            Self::Constant => base_lr,
            Self::Step { step_size, gamma } => base_lr * gamma.powf((t / step_size.max(1)) as f64),
            Self::Exp { gamma } => base_lr * gamma.powf(t as f64),
            Self::Inv { k } => base_lr / (1.0 + k * t as f64),
            Self::Cos { t_max, eta_min } => {
                eta_min + (base_lr - eta_min) * (1.0 + (PI * t as f64 / t_max.max(1) as f64).cos()) / 2.0
            }
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Constant => "const",
            Self::Step { .. } => "step",
            Self::Exp { .. } => "exp",
            Self::Inv { .. } => "inv",
            Self::Cos { .. } => "cos",
        }
    }

    fn fields(&self) -> Vec<Field> {
        match *self {
            Self::Constant => vec![],
            Self::Step { step_size, gamma } => {
                vec![Field::n("step_size", step_size), Field::f("gamma", Kind::Positive, gamma)]
            }
            Self::Exp { gamma } => vec![Field::f("gamma", Kind::Positive, gamma)],
            Self::Inv { k } => vec![Field::f("k", Kind::NonNeg, k)],
            Self::Cos { t_max, eta_min } => vec![Field::n("t_max", t_max), Field::f("eta_min", Kind::NonNeg, eta_min)],
        }
    }

    /// The decay named `name` with placeholder values, to list its keys; `None` for an unknown name.
    fn template(name: &str) -> Option<Self> {
        Some(match name {
            "const" => Self::Constant,
            "step" => Self::Step { step_size: 1, gamma: 0.1 },
            "exp" => Self::Exp { gamma: 1.0 },
            "inv" => Self::Inv { k: 0.0 },
            "cos" => Self::Cos { t_max: 1, eta_min: 0.0 },
            _ => return None,
        })
    }

    /// The decay from its parsed values; a required key missing is an error.
    fn from_args(name: &str, args: &Args) -> Result<Self, OptimError> {
        let missing = |key: &str, expected: &'static str, example: &'static str| OptimError::MissingKey {
            name: name.into(),
            key: key.into(),
            expected,
            example,
        };
        Ok(match name {
            "step" => Self::Step {
                step_size: args
                    .n("step_size")
                    .ok_or_else(|| missing("step_size", Kind::Count.expected(), "step:step_size=10,gamma=0.9"))?,
                gamma: args.f("gamma", 0.1),
            },
            "exp" => Self::Exp {
                gamma: args
                    .given_f("gamma")
                    .ok_or_else(|| missing("gamma", Kind::Positive.expected(), "exp:gamma=0.99"))?,
            },
            "inv" => {
                Self::Inv { k: args.given_f("k").ok_or_else(|| missing("k", Kind::NonNeg.expected(), "inv:k=0.01"))? }
            }
            "cos" => Self::Cos {
                t_max: args.n("t_max").ok_or_else(|| missing("t_max", Kind::Count.expected(), "cos:t_max=100"))?,
                eta_min: args.f("eta_min", 0.0),
            },
            _ => Self::Constant,
        })
    }
}

impl Warmup {
    /// PyTorch's LinearLR default start factor.
    pub const DEFAULT_START_FACTOR: f64 = 1.0 / 3.0;

    /// The warmup's factor of lr₀ at step `t` (1 from `steps` on).
    pub fn factor(&self, t: u64) -> f64 {
        let steps = self.steps.max(1);
        self.start_factor + (1.0 - self.start_factor) * t.min(steps) as f64 / steps as f64
    }

    fn fields(&self) -> Vec<Field> {
        vec![Field::n("steps", self.steps), Field::f("start_factor", Kind::UnitClosed, self.start_factor)]
    }
}

impl Schedule {
    /// No warmup, no decay.
    pub const CONSTANT: Self = Self { warmup: None, decay: Decay::Constant };

    /// The learning rate for the step after `t` steps have been taken (t = 0 for the first step).
    pub fn lr_at(&self, base_lr: f64, t: u64) -> f64 {
        match self.warmup {
            Some(w) if t < w.steps => base_lr * w.factor(t),
            Some(w) => self.decay.lr_at(base_lr, t - w.steps),
            None => self.decay.lr_at(base_lr, t),
        }
    }

    /// Checks every value is in range (what parsing checks, for schedules built in code).
    pub fn validate(&self) -> Result<(), OptimError> {
        let parts =
            self.warmup.map(|w| ("warmup", w.fields())).into_iter().chain([(self.decay.name(), self.decay.fields())]);
        for (name, fields) in parts {
            for f in fields {
                if !f.kind.accepts(f.val) {
                    return Err(f.kind.bad_value(name, f.key, &f.val.to_string()));
                }
            }
        }
        Ok(())
    }
}

/// Parses one `name:key=value,...` part into its name and range-checked values.
fn parse_part(part: &str) -> Result<(String, Args), OptimError> {
    let valid_names = || SCHEDULE_NAMES.join(", ");
    let (name, items) = split_spec(part).ok_or_else(|| OptimError::Empty { what: "schedule", valid: valid_names() })?;
    let fields = match name.as_str() {
        "warmup" => Warmup { steps: 1, start_factor: Warmup::DEFAULT_START_FACTOR }.fields(),
        other => Decay::template(other)
            .ok_or_else(|| OptimError::UnknownName { what: "schedule", name: name.clone(), valid: valid_names() })?
            .fields(),
    };
    let valid_keys = || {
        let keys: Vec<&str> = fields.iter().map(|f| f.key).collect();
        if keys.is_empty() { "none".to_owned() } else { keys.join(", ") }
    };
    let mut args = Args::default();
    for item in items {
        let (key, value) = key_value(&name, item, valid_keys)?;
        let field = fields.iter().find(|f| f.key == key).ok_or_else(|| OptimError::UnknownKey {
            name: name.clone(),
            key: key.clone(),
            valid: valid_keys(),
        })?;
        let val = field.kind.parse(value).ok_or_else(|| field.kind.bad_value(&name, field.key, value))?;
        args.insert(&name, field.key, val)?;
    }
    Ok((name, args))
}

/// Splits at each `+` that starts a new part (followed by a letter), so `1e+5` stays one number.
fn split_parts(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '+' && s[i + 1..].trim_start().starts_with(|c: char| c.is_ascii_alphabetic()) {
            parts.push(&s[start..i]);
            start = i + 1;
        }
    }
    parts.push(&s[start..]);
    parts
}

impl FromStr for Schedule {
    type Err = OptimError;

    fn from_str(s: &str) -> Result<Self, OptimError> {
        let parts = split_parts(s);
        let mut schedule = Self::CONSTANT;
        match parts.as_slice() {
            [one] => {
                let (name, args) = parse_part(one)?;
                if name == "warmup" {
                    schedule.warmup = Some(warmup_from(&args)?);
                } else {
                    schedule.decay = Decay::from_args(&name, &args)?;
                }
            }
            [first, second] => {
                let (name, args) = parse_part(first)?;
                let (decay_name, decay_args) = parse_part(second)?;
                if name != "warmup" || decay_name == "warmup" {
                    return Err(OptimError::Conflict {
                        name: s.trim().into(),
                        message: "only a warmup can go in front of a decay: `warmup:steps=10+cos:t_max=100`".into(),
                    });
                }
                schedule.warmup = Some(warmup_from(&args)?);
                schedule.decay = Decay::from_args(&decay_name, &decay_args)?;
            }
            _ => {
                return Err(OptimError::Conflict {
                    name: s.trim().into(),
                    message: "at most two parts, a warmup and a decay: `warmup:steps=10+cos:t_max=100`".into(),
                });
            }
        }
        Ok(schedule)
    }
}

fn warmup_from(args: &Args) -> Result<Warmup, OptimError> {
    Ok(Warmup {
        steps: args.n("steps").ok_or_else(|| OptimError::MissingKey {
            name: "warmup".into(),
            key: "steps".into(),
            expected: Kind::Count.expected(),
            example: "warmup:steps=10,start_factor=0.1+cos:t_max=100",
        })?,
        start_factor: args.f("start_factor", Warmup::DEFAULT_START_FACTOR),
    })
}

impl fmt::Display for Schedule {
    /// The canonical spec, every key written out: `warmup:steps=10,start_factor=0.1+cos:t_max=100,eta_min=0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let write_part = |f: &mut fmt::Formatter<'_>, name: &str, fields: Vec<Field>| -> fmt::Result {
            write!(f, "{name}")?;
            for (i, field) in fields.iter().enumerate() {
                write!(f, "{}{}={}", if i == 0 { ':' } else { ',' }, field.key, field.val)?;
            }
            Ok(())
        };
        if let Some(w) = self.warmup {
            write_part(f, "warmup", w.fields())?;
            if self.decay == Decay::Constant {
                return Ok(());
            }
            write!(f, "+")?;
        }
        write_part(f, self.decay.name(), self.decay.fields())
    }
}

impl TryFrom<String> for Schedule {
    type Error = OptimError;

    fn try_from(s: String) -> Result<Self, OptimError> {
        s.parse()
    }
}

impl From<Schedule> for String {
    fn from(schedule: Schedule) -> Self {
        schedule.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(s: &str) -> Schedule {
        s.parse().expect("a valid test schedule")
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-15 * b.abs().max(1.0)
    }

    #[test]
    fn step_decay_by_its_formula() {
        let s = sched("step:step_size=10,gamma=0.9");
        // lr₀·0.9^⌊t/10⌋
        for (t, want) in [(0, 1.0), (9, 1.0), (10, 0.9), (19, 0.9), (20, 0.81), (35, 0.729)] {
            assert!(close(s.lr_at(1.0, t), want), "t={t}: {}", s.lr_at(1.0, t));
        }
        assert_eq!(sched("step:step_size=3").decay, Decay::Step { step_size: 3, gamma: 0.1 });
    }

    #[test]
    fn exponential_and_inverse_time() {
        let e = sched("exp:gamma=0.99");
        assert!(close(e.lr_at(0.1, 0), 0.1) && close(e.lr_at(0.1, 2), 0.1 * 0.9801));
        let i = sched("inv:k=0.01");
        // lr₀/(1 + 0.01·t): t = 100 halves it
        assert!(close(i.lr_at(0.1, 0), 0.1) && close(i.lr_at(0.1, 100), 0.05) && close(i.lr_at(0.1, 300), 0.025));
    }

    #[test]
    fn cosine_from_lr0_to_eta_min_and_back() {
        let c = sched("cos:t_max=100,eta_min=0.001");
        assert!(close(c.lr_at(0.1, 0), 0.1));
        // t = T/2: cos(π/2) = 0, halfway: 0.001 + 0.099/2
        assert!(close(c.lr_at(0.1, 50), 0.0505));
        assert!(close(c.lr_at(0.1, 100), 0.001));
        assert!(close(c.lr_at(0.1, 200), 0.1)); // PyTorch's closed form is periodic
        assert_eq!(sched("cos:t_max=5").decay, Decay::Cos { t_max: 5, eta_min: 0.0 });
    }

    #[test]
    fn warmup_then_decay() {
        let w = sched("warmup:steps=10,start_factor=0.1+cos:t_max=100");
        // t < 10: lr₀·(0.1 + 0.9·t/10); then cos at t - 10
        assert!(close(w.lr_at(1.0, 0), 0.1));
        assert!(close(w.lr_at(1.0, 5), 0.55));
        assert!(close(w.lr_at(1.0, 10), 1.0));
        assert!(close(w.lr_at(1.0, 60), 0.5));
        let alone = sched("warmup:steps=4");
        assert!(close(alone.lr_at(0.3, 0), 0.1) && close(alone.lr_at(0.3, 4), 0.3) && close(alone.lr_at(0.3, 99), 0.3));
        assert_eq!(sched("const").lr_at(0.3, 1000), 0.3);
    }

    #[test]
    fn display_round_trips() {
        for (input, canonical) in [
            ("const", "const"),
            ("step:gamma=0.5,step_size=2", "step:step_size=2,gamma=0.5"),
            ("exp:gamma=0.99", "exp:gamma=0.99"),
            ("inv:k=0.01", "inv:k=0.01"),
            ("cos:t_max=100", "cos:t_max=100,eta_min=0"),
            (
                "warmup:steps=10+cos:t_max=100",
                "warmup:steps=10,start_factor=0.3333333333333333+cos:t_max=100,eta_min=0",
            ),
            ("warmup:steps=3,start_factor=0", "warmup:steps=3,start_factor=0"),
            (" Warmup : steps = 3 + exp : gamma = 1e+0 ", "warmup:steps=3,start_factor=0.3333333333333333+exp:gamma=1"),
        ] {
            let s = sched(input);
            assert_eq!(s.to_string(), canonical);
            assert_eq!(sched(canonical), s);
            assert!(s.validate().is_ok());
        }
        let json = serde_json::to_string(&sched("exp:gamma=0.9")).expect("serializes");
        assert_eq!(json, "\"exp:gamma=0.9\"");
        assert_eq!(serde_json::from_str::<Schedule>(&json).expect("deserializes"), sched("exp:gamma=0.9"));
    }

    #[test]
    fn errors_name_what_is_valid() {
        let msg = |s: &str| s.parse::<Schedule>().expect_err(s).to_string();
        assert!(msg("cosine:t_max=3").contains("valid names: const, step, exp, inv, cos, warmup"));
        assert!(msg("").contains("valid names"));
        assert!(msg("cos:tmax=3").contains("valid keys: t_max, eta_min"));
        assert!(msg("cos").contains("needs `t_max`"));
        assert!(msg("step:gamma=0.5").contains("needs `step_size`"));
        assert!(msg("exp").contains("needs `gamma`"));
        assert!(msg("inv").contains("needs `k`"));
        assert!(msg("warmup:start_factor=0.5").contains("needs `steps`"));
        assert!(msg("step:step_size=0").contains("whole number >= 1"));
        assert!(msg("step:step_size=2.5").contains("whole number >= 1"));
        assert!(msg("exp:gamma=-1").contains("> 0"));
        assert!(msg("warmup:steps=2,start_factor=2").contains("[0, 1]"));
        assert!(msg("const:k=1").contains("valid keys: none"));
        assert!(msg("cos:t_max=3+warmup:steps=2").contains("only a warmup"));
        assert!(msg("warmup:steps=1+warmup:steps=2").contains("only a warmup"));
        assert!(msg("warmup:steps=1+exp:gamma=0.9+cos:t_max=3").contains("at most two"));
        assert!(msg("exp:gamma=0.9,gamma=0.8").contains("twice"));
        let bad = Schedule { warmup: None, decay: Decay::Exp { gamma: f64::INFINITY } };
        assert!(bad.validate().is_err());
    }
}
