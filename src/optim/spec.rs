//! Optimizer specs: `name[:key=value,...]` strings with PyTorch's argument names, parsed into [`OptimSpec`] and
//! printed back in a canonical form (the name, `lr`, then every key that differs from its default, in a fixed order).
//!
//! ```text
//! sgd:lr=0.001,momentum=0.9,nesterov=true
//! adam:lr=0.01,beta1=0.9,beta2=0.999        (also betas=0.9/0.999)
//! adamw:lr=0.001,weight_decay=0.05
//! momentum-ewma:lr=0.01,beta=0.9,bias_correction=false
//! ```
//!
//! The keys, with their defaults (ranges: lr, eps, weight_decay, lr_decay, initial_accumulator_value and
//! momentum_decay ≥ 0; betas, beta, alpha in [0, 1); momentum and dampening in [0, 1]; all finite):
//!
//! ```text
//! sgd            lr=0.001 momentum=0 dampening=0 weight_decay=0 nesterov=false maximize=false
//! momentum-ewma  lr=0.01 beta=0.9 bias_correction=true
//! adagrad        lr=0.01 lr_decay=0 weight_decay=0 initial_accumulator_value=0 eps=1e-10 maximize=false
//! rmsprop        lr=0.01 alpha=0.99 eps=1e-8 weight_decay=0 momentum=0 centered=false maximize=false
//! adam           lr=0.001 beta1=0.9 beta2=0.999 eps=1e-8 weight_decay=0 amsgrad=false maximize=false
//!                decoupled_weight_decay=false
//! adam-nobias    lr=0.001 beta1=0.9 beta2=0.999 eps=1e-8
//! adamw          lr=0.001 beta1=0.9 beta2=0.999 eps=1e-8 weight_decay=0.01 amsgrad=false maximize=false
//! radam          lr=0.001 beta1=0.9 beta2=0.999 eps=1e-8 weight_decay=0 decoupled_weight_decay=false maximize=false
//! nadam          lr=0.002 beta1=0.9 beta2=0.999 eps=1e-8 weight_decay=0 momentum_decay=0.004
//!                decoupled_weight_decay=false maximize=false
//! ```
//!
//! A key left out takes PyTorch 2.15's default (sgd's lr included: 1e-3). Numbers
//! are Rust/Python float literals (`1e-8`), booleans `true`/`false`. Names and keys are case-insensitive and spaces
//! around them are ignored. Every failure is an [`OptimError`] naming the valid names, keys or range. The key-value
//! machinery here is shared with the schedules.

use std::fmt;
use std::str::FromStr;

use super::{
    AdagradConfig, AdamConfig, MomentumEwmaConfig, NAdamConfig, OptimError, Optimizer, RAdamConfig, RmsPropConfig,
    SgdConfig,
};
use crate::real::Real;

/// Every optimizer spec name, in the order the window lists them.
pub const OPTIMIZER_NAMES: &[&str] =
    &["sgd", "momentum-ewma", "adagrad", "rmsprop", "adam", "adam-nobias", "adamw", "radam", "nadam"];

/// An optimizer and its hyper-parameters: what a spec string says, and what the window persists (as the canonical
/// spec string, through serde).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum OptimSpec {
    /// `sgd`: `torch.optim.SGD`.
    Sgd(SgdConfig),
    /// `adagrad`: `torch.optim.Adagrad`.
    Adagrad(AdagradConfig),
    /// `rmsprop`: `torch.optim.RMSprop`.
    RmsProp(RmsPropConfig),
    /// `adam`: `torch.optim.Adam`.
    Adam(AdamConfig),
    /// `adamw`: `torch.optim.AdamW` (weight decay always decoupled).
    AdamW(AdamConfig),
    /// `adam-nobias`: the lecture's Adam without bias correction (only lr, betas and eps apply).
    AdamNoBias(AdamConfig),
    /// `radam`: `torch.optim.RAdam`.
    RAdam(RAdamConfig),
    /// `nadam`: `torch.optim.NAdam`.
    NAdam(NAdamConfig),
    /// `momentum-ewma`: the lecture's momentum (exponentially weighted average with bias correction).
    MomentumEwma(MomentumEwmaConfig),
}

impl Default for OptimSpec {
    /// Adam with PyTorch's defaults ("a good default choice in most cases", slide 119).
    fn default() -> Self {
        Self::Adam(AdamConfig::default())
    }
}

impl OptimSpec {
    /// The spec with every default, for a name of [`OPTIMIZER_NAMES`].
    pub fn defaults(name: &str) -> Option<Self> {
        Some(match name {
            "sgd" => Self::Sgd(SgdConfig::default()),
            "adagrad" => Self::Adagrad(AdagradConfig::default()),
            "rmsprop" => Self::RmsProp(RmsPropConfig::default()),
            "adam" => Self::Adam(AdamConfig::default()),
            "adamw" => Self::AdamW(AdamConfig::adamw()),
            "adam-nobias" => Self::AdamNoBias(AdamConfig::no_bias_correction()),
            "radam" => Self::RAdam(RAdamConfig::default()),
            "nadam" => Self::NAdam(NAdamConfig::default()),
            "momentum-ewma" => Self::MomentumEwma(MomentumEwmaConfig::default()),
            _ => return None,
        })
    }

    /// The spec name (`sgd`, `adam`, `momentum-ewma`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sgd(_) => "sgd",
            Self::Adagrad(_) => "adagrad",
            Self::RmsProp(_) => "rmsprop",
            Self::Adam(_) => "adam",
            Self::AdamW(_) => "adamw",
            Self::AdamNoBias(_) => "adam-nobias",
            Self::RAdam(_) => "radam",
            Self::NAdam(_) => "nadam",
            Self::MomentumEwma(_) => "momentum-ewma",
        }
    }

    /// The (base) learning rate.
    pub fn lr(&self) -> f64 {
        match self {
            Self::Sgd(c) => c.lr,
            Self::Adagrad(c) => c.lr,
            Self::RmsProp(c) => c.lr,
            Self::Adam(c) | Self::AdamW(c) | Self::AdamNoBias(c) => c.lr,
            Self::RAdam(c) => c.lr,
            Self::NAdam(c) => c.lr,
            Self::MomentumEwma(c) => c.lr,
        }
    }

    /// Sets the (base) learning rate.
    pub fn set_lr(&mut self, lr: f64) {
        match self {
            Self::Sgd(c) => c.lr = lr,
            Self::Adagrad(c) => c.lr = lr,
            Self::RmsProp(c) => c.lr = lr,
            Self::Adam(c) | Self::AdamW(c) | Self::AdamNoBias(c) => c.lr = lr,
            Self::RAdam(c) => c.lr = lr,
            Self::NAdam(c) => c.lr = lr,
            Self::MomentumEwma(c) => c.lr = lr,
        }
    }

    /// The keys this spec takes, in canonical order (plus `betas` where there are `beta1` and `beta2`).
    pub fn keys(&self) -> Vec<&'static str> {
        self.fields().iter().map(|f| f.key).collect()
    }

    /// Every hyper-parameter of this spec with its value and range, in canonical order: what a window needs to offer
    /// one editor per key.
    pub fn hypers(&self) -> Vec<Hyper> {
        self.fields().iter().map(Hyper::of).collect()
    }

    /// This spec with `key` set to `value`, checked as parsing checks it (the key exists, the value is in range, the
    /// values go together), so a value typed in a window fails with the same message as on the command line.
    pub fn with_value(&self, key: &str, value: HyperValue) -> Result<Self, OptimError> {
        let fields = self.fields();
        let field = fields.iter().find(|f| f.key == key).ok_or_else(|| OptimError::UnknownKey {
            name: self.name().into(),
            key: key.into(),
            valid: self.valid_keys(),
        })?;
        let val = match value {
            HyperValue::Number(x) => Val::F(x),
            HyperValue::Count(n) => Val::N(n),
            HyperValue::Flag(b) => Val::B(b),
        };
        if !field.kind.accepts(val) {
            return Err(field.kind.bad_value(self.name(), field.key, &val.to_string()));
        }
        let mut args = Args::default();
        args.insert(self.name(), field.key, val)?;
        let spec = self.with(&args);
        spec.check_conflicts()?;
        Ok(spec)
    }

    /// A fresh optimizer for this spec, on f64 parameters (the race, the scalar MLP).
    pub fn build(&self) -> Optimizer {
        Optimizer::new(self)
    }

    /// A fresh optimizer for this spec on parameters of type `T`, f32 or f64: `spec.build_for::<f32>()` for the
    /// tensor backend. The hyper-parameters stay f64 here and are rounded to `T` once per step.
    pub fn build_for<T: Real>(&self) -> Optimizer<T> {
        Optimizer::new(self)
    }

    /// Checks every value is in range and the values go together — what parsing checks, for specs built in code.
    pub fn validate(&self) -> Result<(), OptimError> {
        for f in self.fields() {
            if !f.kind.accepts(f.val) {
                return Err(f.kind.bad_value(self.name(), f.key, &f.val.to_string()));
            }
        }
        self.check_conflicts()
    }

    /// The fields of this spec, its key table: each key with its range and current value.
    fn fields(&self) -> Vec<Field> {
        use Kind::{NonNeg, Unit, UnitClosed};
        match self {
            Self::Sgd(c) => vec![
                Field::f("lr", NonNeg, c.lr),
                Field::f("momentum", UnitClosed, c.momentum),
                Field::f("dampening", UnitClosed, c.dampening),
                Field::f("weight_decay", NonNeg, c.weight_decay),
                Field::b("nesterov", c.nesterov),
                Field::b("maximize", c.maximize),
            ],
            Self::Adagrad(c) => vec![
                Field::f("lr", NonNeg, c.lr),
                Field::f("lr_decay", NonNeg, c.lr_decay),
                Field::f("weight_decay", NonNeg, c.weight_decay),
                Field::f("initial_accumulator_value", NonNeg, c.initial_accumulator_value),
                Field::f("eps", NonNeg, c.eps),
                Field::b("maximize", c.maximize),
            ],
            Self::RmsProp(c) => vec![
                Field::f("lr", NonNeg, c.lr),
                Field::f("alpha", Unit, c.alpha),
                Field::f("eps", NonNeg, c.eps),
                Field::f("weight_decay", NonNeg, c.weight_decay),
                Field::f("momentum", UnitClosed, c.momentum),
                Field::b("centered", c.centered),
                Field::b("maximize", c.maximize),
            ],
            Self::Adam(c) | Self::AdamW(c) | Self::AdamNoBias(c) => {
                let mut v = vec![
                    Field::f("lr", NonNeg, c.lr),
                    Field::f("beta1", Unit, c.beta1),
                    Field::f("beta2", Unit, c.beta2),
                    Field::f("eps", NonNeg, c.eps),
                ];
                if !matches!(self, Self::AdamNoBias(_)) {
                    v.extend([
                        Field::f("weight_decay", NonNeg, c.weight_decay),
                        Field::b("amsgrad", c.amsgrad),
                        Field::b("maximize", c.maximize),
                    ]);
                }
                if matches!(self, Self::Adam(_)) {
                    v.push(Field::b("decoupled_weight_decay", c.decoupled_weight_decay));
                }
                v
            }
            Self::RAdam(c) => vec![
                Field::f("lr", NonNeg, c.lr),
                Field::f("beta1", Unit, c.beta1),
                Field::f("beta2", Unit, c.beta2),
                Field::f("eps", NonNeg, c.eps),
                Field::f("weight_decay", NonNeg, c.weight_decay),
                Field::b("decoupled_weight_decay", c.decoupled_weight_decay),
                Field::b("maximize", c.maximize),
            ],
            Self::NAdam(c) => vec![
                Field::f("lr", NonNeg, c.lr),
                Field::f("beta1", Unit, c.beta1),
                Field::f("beta2", Unit, c.beta2),
                Field::f("eps", NonNeg, c.eps),
                Field::f("weight_decay", NonNeg, c.weight_decay),
                Field::f("momentum_decay", NonNeg, c.momentum_decay),
                Field::b("decoupled_weight_decay", c.decoupled_weight_decay),
                Field::b("maximize", c.maximize),
            ],
            Self::MomentumEwma(c) => vec![
                Field::f("lr", NonNeg, c.lr),
                Field::f("beta", Unit, c.beta),
                Field::b("bias_correction", c.bias_correction),
            ],
        }
    }

    /// This spec with the given (already range-checked) values in place of its own.
    fn with(&self, args: &Args) -> Self {
        match self {
            Self::Sgd(d) => Self::Sgd(SgdConfig {
                lr: args.f("lr", d.lr),
                momentum: args.f("momentum", d.momentum),
                dampening: args.f("dampening", d.dampening),
                weight_decay: args.f("weight_decay", d.weight_decay),
                nesterov: args.b("nesterov", d.nesterov),
                maximize: args.b("maximize", d.maximize),
            }),
            Self::Adagrad(d) => Self::Adagrad(AdagradConfig {
                lr: args.f("lr", d.lr),
                lr_decay: args.f("lr_decay", d.lr_decay),
                weight_decay: args.f("weight_decay", d.weight_decay),
                initial_accumulator_value: args.f("initial_accumulator_value", d.initial_accumulator_value),
                eps: args.f("eps", d.eps),
                maximize: args.b("maximize", d.maximize),
            }),
            Self::RmsProp(d) => Self::RmsProp(RmsPropConfig {
                lr: args.f("lr", d.lr),
                alpha: args.f("alpha", d.alpha),
                eps: args.f("eps", d.eps),
                weight_decay: args.f("weight_decay", d.weight_decay),
                momentum: args.f("momentum", d.momentum),
                centered: args.b("centered", d.centered),
                maximize: args.b("maximize", d.maximize),
            }),
            Self::Adam(d) | Self::AdamW(d) | Self::AdamNoBias(d) => {
                let c = AdamConfig {
                    lr: args.f("lr", d.lr),
                    beta1: args.f("beta1", d.beta1),
                    beta2: args.f("beta2", d.beta2),
                    eps: args.f("eps", d.eps),
                    weight_decay: args.f("weight_decay", d.weight_decay),
                    amsgrad: args.b("amsgrad", d.amsgrad),
                    maximize: args.b("maximize", d.maximize),
                    decoupled_weight_decay: args.b("decoupled_weight_decay", d.decoupled_weight_decay),
                    bias_correction: d.bias_correction,
                };
                match self {
                    Self::AdamW(_) => Self::AdamW(c),
                    Self::AdamNoBias(_) => Self::AdamNoBias(c),
                    _ => Self::Adam(c),
                }
            }
            Self::RAdam(d) => Self::RAdam(RAdamConfig {
                lr: args.f("lr", d.lr),
                beta1: args.f("beta1", d.beta1),
                beta2: args.f("beta2", d.beta2),
                eps: args.f("eps", d.eps),
                weight_decay: args.f("weight_decay", d.weight_decay),
                decoupled_weight_decay: args.b("decoupled_weight_decay", d.decoupled_weight_decay),
                maximize: args.b("maximize", d.maximize),
            }),
            Self::NAdam(d) => Self::NAdam(NAdamConfig {
                lr: args.f("lr", d.lr),
                beta1: args.f("beta1", d.beta1),
                beta2: args.f("beta2", d.beta2),
                eps: args.f("eps", d.eps),
                weight_decay: args.f("weight_decay", d.weight_decay),
                momentum_decay: args.f("momentum_decay", d.momentum_decay),
                decoupled_weight_decay: args.b("decoupled_weight_decay", d.decoupled_weight_decay),
                maximize: args.b("maximize", d.maximize),
            }),
            Self::MomentumEwma(d) => Self::MomentumEwma(MomentumEwmaConfig {
                lr: args.f("lr", d.lr),
                beta: args.f("beta", d.beta),
                bias_correction: args.b("bias_correction", d.bias_correction),
            }),
        }
    }

    /// Values PyTorch refuses together.
    fn check_conflicts(&self) -> Result<(), OptimError> {
        if let Self::Sgd(c) = self
            && c.nesterov
            && (c.momentum <= 0.0 || c.dampening != 0.0)
        {
            return Err(OptimError::Conflict {
                name: self.name().into(),
                message:
                    "nesterov=true needs momentum > 0 and dampening=0, e.g. `sgd:lr=0.01,momentum=0.9,nesterov=true`"
                        .into(),
            });
        }
        Ok(())
    }

    /// The valid keys for messages, with the `betas` shorthand where it applies.
    fn valid_keys(&self) -> String {
        let mut keys = self.keys();
        if keys.contains(&"beta1") {
            keys.push("betas (as beta1/beta2)");
        }
        keys.join(", ")
    }
}

/// A hyper-parameter's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HyperValue {
    /// A real number.
    Number(f64),
    /// A whole number.
    Count(u64),
    /// On or off.
    Flag(bool),
}

/// One hyper-parameter of a spec: its key, value and range, for an editor in the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hyper {
    /// PyTorch's argument name.
    pub key: &'static str,
    /// The current value.
    pub value: HyperValue,
    /// The smallest and largest value accepted (for numbers; a bound the range leaves open is approached as closely as
    /// an f64 allows).
    pub range: (f64, f64),
    /// What the key takes, in words: `a number in [0, 1)`.
    pub expected: &'static str,
}

impl Hyper {
    fn of(f: &Field) -> Self {
        let value = match f.val {
            Val::F(x) => HyperValue::Number(x),
            Val::N(n) => HyperValue::Count(n),
            Val::B(b) => HyperValue::Flag(b),
        };
        let range = match f.kind {
            Kind::NonNeg => (0.0, f64::MAX),
            Kind::Positive => (f64::MIN_POSITIVE, f64::MAX),
            Kind::Unit => (0.0, 1.0 - f64::EPSILON / 2.0),
            Kind::UnitClosed | Kind::Bool => (0.0, 1.0),
            Kind::Count => (1.0, u64::MAX as f64),
        };
        Self { key: f.key, value, range, expected: f.kind.expected() }
    }
}

impl FromStr for OptimSpec {
    type Err = OptimError;

    fn from_str(s: &str) -> Result<Self, OptimError> {
        let valid_names = || OPTIMIZER_NAMES.join(", ");
        let (name, items) =
            split_spec(s).ok_or_else(|| OptimError::Empty { what: "optimizer", valid: valid_names() })?;
        let defaults = Self::defaults(&name).ok_or_else(|| OptimError::UnknownName {
            what: "optimizer",
            name: name.clone(),
            valid: valid_names(),
        })?;
        let fields = defaults.fields();
        let mut args = Args::default();
        for item in items {
            let (key, value) = key_value(&name, item, || defaults.valid_keys())?;
            if key == "betas" && fields.iter().any(|f| f.key == "beta1") {
                let (b1, b2) = value.split_once('/').ok_or_else(|| OptimError::BadValue {
                    name: name.clone(),
                    key: key.clone(),
                    value: value.into(),
                    expected: "beta1/beta2, e.g. betas=0.9/0.999",
                })?;
                for (k, v) in [("beta1", b1), ("beta2", b2)] {
                    let val = Kind::Unit.parse(v.trim()).ok_or_else(|| Kind::Unit.bad_value(&name, &key, value))?;
                    args.insert(&name, k, val)?;
                }
                continue;
            }
            let field = fields.iter().find(|f| f.key == key).ok_or_else(|| OptimError::UnknownKey {
                name: name.clone(),
                key: key.clone(),
                valid: defaults.valid_keys(),
            })?;
            let val = field.kind.parse(value).ok_or_else(|| field.kind.bad_value(&name, field.key, value))?;
            args.insert(&name, field.key, val)?;
        }
        let spec = defaults.with(&args);
        spec.check_conflicts()?;
        Ok(spec)
    }
}

impl fmt::Display for OptimSpec {
    /// The canonical spec: name, lr, then the keys that differ from the defaults, e.g. `sgd:lr=0.1,momentum=0.9`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let defaults = Self::defaults(self.name()).expect("name() is always a known name").fields();
        write!(f, "{}", self.name())?;
        let mut sep = ':';
        for (field, default) in self.fields().iter().zip(&defaults) {
            if field.key == "lr" || field.val != default.val {
                write!(f, "{sep}{}={}", field.key, field.val)?;
                sep = ',';
            }
        }
        Ok(())
    }
}

impl TryFrom<String> for OptimSpec {
    type Error = OptimError;

    fn try_from(s: String) -> Result<Self, OptimError> {
        s.parse()
    }
}

impl From<OptimSpec> for String {
    fn from(spec: OptimSpec) -> Self {
        spec.to_string()
    }
}

// ---- the key-value machinery, shared with the schedules ----

/// What a key takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A finite number ≥ 0.
    NonNeg,
    /// A finite number > 0.
    Positive,
    /// A number in [0, 1).
    Unit,
    /// A number in [0, 1].
    UnitClosed,
    /// A whole number ≥ 1.
    Count,
    /// `true` or `false`.
    Bool,
}

impl Kind {
    /// What the key takes, in words, for messages.
    pub(crate) fn expected(self) -> &'static str {
        match self {
            Self::NonNeg => "a finite number >= 0",
            Self::Positive => "a finite number > 0",
            Self::Unit => "a number in [0, 1)",
            Self::UnitClosed => "a number in [0, 1]",
            Self::Count => "a whole number >= 1",
            Self::Bool => "true or false",
        }
    }

    /// The value, if the text parses and is in range.
    pub(crate) fn parse(self, text: &str) -> Option<Val> {
        let val = match self {
            Self::Bool => match text.to_ascii_lowercase().as_str() {
                "true" => Val::B(true),
                "false" => Val::B(false),
                _ => return None,
            },
            Self::Count => Val::N(text.parse().ok()?),
            _ => Val::F(text.parse().ok()?),
        };
        self.accepts(val).then_some(val)
    }

    /// Whether a value is of this kind and in range.
    pub(crate) fn accepts(self, val: Val) -> bool {
        match (self, val) {
            (Self::NonNeg, Val::F(x)) => x.is_finite() && x >= 0.0,
            (Self::Positive, Val::F(x)) => x.is_finite() && x > 0.0,
            (Self::Unit, Val::F(x)) => (0.0..1.0).contains(&x),
            (Self::UnitClosed, Val::F(x)) => (0.0..=1.0).contains(&x),
            (Self::Count, Val::N(n)) => n >= 1,
            (Self::Bool, Val::B(_)) => true,
            _ => false,
        }
    }

    /// The error for a value this kind refuses.
    pub(crate) fn bad_value(self, name: &str, key: &str, value: &str) -> OptimError {
        OptimError::BadValue { name: name.into(), key: key.into(), value: value.into(), expected: self.expected() }
    }
}

/// A typed value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Val {
    F(f64),
    N(u64),
    B(bool),
}

impl fmt::Display for Val {
    /// The shortest text that parses back to the same value: `0.001`, `1e-8`, `2` (not `2.0`), `true`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::F(x) => {
                let s = format!("{x:?}");
                f.write_str(s.strip_suffix(".0").unwrap_or(&s))
            }
            Self::N(n) => write!(f, "{n}"),
            Self::B(b) => write!(f, "{b}"),
        }
    }
}

/// One key of a spec with its kind and value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    pub(crate) key: &'static str,
    pub(crate) kind: Kind,
    pub(crate) val: Val,
}

impl Field {
    /// A number field.
    pub(crate) fn f(key: &'static str, kind: Kind, x: f64) -> Self {
        Self { key, kind, val: Val::F(x) }
    }

    /// A boolean field.
    pub(crate) fn b(key: &'static str, x: bool) -> Self {
        Self { key, kind: Kind::Bool, val: Val::B(x) }
    }

    /// A count field.
    pub(crate) fn n(key: &'static str, x: u64) -> Self {
        Self { key, kind: Kind::Count, val: Val::N(x) }
    }
}

/// The values a spec string gave, by key.
#[derive(Debug, Default)]
pub(crate) struct Args(Vec<(&'static str, Val)>);

impl Args {
    /// Adds a value; a key given twice is an error.
    pub(crate) fn insert(&mut self, name: &str, key: &'static str, val: Val) -> Result<(), OptimError> {
        if self.0.iter().any(|&(k, _)| k == key) {
            return Err(OptimError::DuplicateKey { name: name.into(), key: key.into() });
        }
        self.0.push((key, val));
        Ok(())
    }

    fn get(&self, key: &str) -> Option<Val> {
        self.0.iter().find(|&&(k, _)| k == key).map(|&(_, v)| v)
    }

    /// The number given for `key`, or `default`.
    pub(crate) fn f(&self, key: &str, default: f64) -> f64 {
        match self.get(key) {
            Some(Val::F(x)) => x,
            _ => default,
        }
    }

    /// The number given for `key`, if any.
    pub(crate) fn given_f(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(Val::F(x)) => Some(x),
            _ => None,
        }
    }

    /// The count given for `key`, if any.
    pub(crate) fn n(&self, key: &str) -> Option<u64> {
        match self.get(key) {
            Some(Val::N(n)) => Some(n),
            _ => None,
        }
    }

    /// The boolean given for `key`, or `default`.
    pub(crate) fn b(&self, key: &str, default: bool) -> bool {
        match self.get(key) {
            Some(Val::B(b)) => b,
            _ => default,
        }
    }
}

/// Splits `name[:items]` into the lower-cased, trimmed name and the non-empty comma-separated items; `None` if the
/// name is empty.
pub(crate) fn split_spec(s: &str) -> Option<(String, Vec<&str>)> {
    let (name, rest) = s.split_once(':').unwrap_or((s, ""));
    let name = name.trim().to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let items = rest.split(',').map(str::trim).filter(|item| !item.is_empty()).collect();
    Some((name, items))
}

/// Splits `key=value` into the lower-cased key and the trimmed value.
pub(crate) fn key_value<'a>(
    name: &str,
    item: &'a str,
    valid: impl Fn() -> String,
) -> Result<(String, &'a str), OptimError> {
    match item.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.trim().to_ascii_lowercase(), value.trim())),
        _ => Err(OptimError::NotKeyValue { name: name.into(), item: item.into(), valid: valid() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<OptimSpec, OptimError> {
        s.parse()
    }

    #[test]
    fn pytorch_defaults_fill_missing_keys() {
        assert_eq!(parse("adam").expect("valid"), OptimSpec::Adam(AdamConfig::default()));
        let OptimSpec::AdamW(c) = parse("adamw:lr=0.01").expect("valid") else { panic!("adamw") };
        assert_eq!((c.lr, c.weight_decay, c.decoupled_weight_decay), (0.01, 0.01, true));
        let OptimSpec::Sgd(c) = parse("sgd").expect("valid") else { panic!("sgd") };
        assert_eq!(c.lr, 1e-3); // PyTorch 2.15's default
        let OptimSpec::RmsProp(c) = parse("rmsprop").expect("valid") else { panic!("rmsprop") };
        assert_eq!((c.lr, c.alpha, c.eps), (0.01, 0.99, 1e-8));
        let OptimSpec::Adagrad(c) = parse("adagrad").expect("valid") else { panic!("adagrad") };
        assert_eq!((c.lr, c.eps), (0.01, 1e-10));
        let OptimSpec::NAdam(c) = parse("nadam").expect("valid") else { panic!("nadam") };
        assert_eq!((c.lr, c.momentum_decay), (2e-3, 4e-3));
        let OptimSpec::MomentumEwma(c) = parse("momentum-ewma").expect("valid") else { panic!("ewma") };
        assert_eq!((c.lr, c.beta, c.bias_correction), (0.01, 0.9, true));
    }

    #[test]
    fn keys_values_and_betas() {
        let OptimSpec::Sgd(c) = parse("sgd:lr=0.001,momentum=0.9,nesterov=true").expect("valid") else { panic!() };
        assert_eq!((c.lr, c.momentum, c.nesterov), (0.001, 0.9, true));
        let a = parse("adam:lr=0.01,beta1=0.8,beta2=0.99").expect("valid");
        assert_eq!(a, parse(" Adam : lr = 1e-2 , betas = 0.8/0.99 ,").expect("valid"));
        let OptimSpec::Adam(c) = a else { panic!("adam") };
        assert_eq!((c.beta1, c.beta2), (0.8, 0.99));
    }

    #[test]
    fn display_is_canonical_and_round_trips() {
        for (input, canonical) in [
            ("adam", "adam:lr=0.001"),
            ("sgd:momentum=0.9,lr=0.1", "sgd:lr=0.1,momentum=0.9"),
            ("adam:betas=0.9/0.99,eps=1e-10", "adam:lr=0.001,beta2=0.99,eps=1e-10"),
            ("adamw:weight_decay=0.01", "adamw:lr=0.001"),
            ("momentum-ewma:bias_correction=false", "momentum-ewma:lr=0.01,bias_correction=false"),
            ("rmsprop:lr=1,centered=true", "rmsprop:lr=1,centered=true"),
            ("adam-nobias:lr=0.5", "adam-nobias:lr=0.5"),
        ] {
            let spec = parse(input).expect("valid");
            assert_eq!(spec.to_string(), canonical);
            assert_eq!(parse(canonical).expect("canonical parses"), spec);
        }
    }

    #[test]
    fn serde_goes_through_the_canonical_string() {
        let spec = parse("nadam:lr=0.01,momentum_decay=0.01").expect("valid");
        let json = serde_json::to_string(&spec).expect("serializes");
        assert_eq!(json, "\"nadam:lr=0.01,momentum_decay=0.01\"");
        assert_eq!(serde_json::from_str::<OptimSpec>(&json).expect("deserializes"), spec);
        let err = serde_json::from_str::<OptimSpec>("\"adam:lr=-1\"").expect_err("negative lr");
        assert!(err.to_string().contains("lr=-1"), "{err}");
    }

    #[test]
    fn errors_name_what_is_valid() {
        let msg = |s: &str| parse(s).expect_err(s).to_string();
        assert!(msg("adma").contains("valid names: sgd, momentum-ewma, adagrad"), "{}", msg("adma"));
        assert!(msg("").contains("valid names"));
        assert!(msg("sgd:lr=0.1,mom=0.9").contains("valid keys: lr, momentum, dampening"), "{}", msg("sgd:mom=1"));
        assert!(msg("adam:beta=0.9").contains("betas (as beta1/beta2)"));
        assert!(msg("adam:lr=-0.1").contains("expected a finite number >= 0"));
        assert!(msg("adam:lr=abc").contains("`lr=abc`"));
        assert!(msg("adam:lr=inf").contains("finite"));
        assert!(msg("adam:lr=NaN").contains("finite"));
        assert!(msg("adam:beta1=1").contains("[0, 1)"));
        assert!(msg("adam:beta2=-0.1").contains("[0, 1)"));
        assert!(msg("adam:betas=0.9").contains("beta1/beta2"));
        assert!(msg("adam:betas=0.9/1.5").contains("[0, 1)"));
        assert!(msg("momentum-ewma:beta=1").contains("[0, 1)"));
        assert!(msg("adam:amsgrad=yes").contains("true or false"));
        assert!(msg("adam:lr").contains("not key=value"));
        assert!(msg("adam:lr=0.1,lr=0.2").contains("twice"));
        assert!(msg("adam:beta1=0.9,betas=0.9/0.99").contains("twice"));
        assert!(msg("sgd:nesterov=true").contains("momentum > 0"));
        assert!(msg("adamw:decoupled_weight_decay=false").contains("valid keys"));
        assert!(msg("adam-nobias:weight_decay=0.1").contains("valid keys: lr, beta1, beta2, eps"));
    }

    #[test]
    fn validate_catches_specs_built_in_code() {
        let bad = OptimSpec::Sgd(SgdConfig { lr: f64::NAN, ..SgdConfig::default() });
        assert!(bad.validate().expect_err("NaN lr").to_string().contains("lr=NaN"));
        assert!(OptimSpec::default().validate().is_ok());
        for name in OPTIMIZER_NAMES {
            assert!(OptimSpec::defaults(name).expect("known").validate().is_ok(), "{name}");
        }
    }

    #[test]
    fn the_key_table_in_the_module_doc_is_the_code() {
        // Each name's line (and its indented continuation) lists key=default in the canonical order.
        let doc: Vec<&str> = include_str!("spec.rs").lines().take_while(|l| l.starts_with("//!")).collect();
        for name in OPTIMIZER_NAMES {
            let start = doc.iter().position(|l| l.starts_with(&format!("//! {name:14} "))).expect("a line per name");
            let mut listed: Vec<&str> = doc[start][4..].split_whitespace().skip(1).collect();
            for line in doc[start + 1..].iter().take_while(|l| l.starts_with("//!                ")) {
                listed.extend(line[4..].split_whitespace());
            }
            let spec = OptimSpec::defaults(name).expect("known");
            let want: Vec<String> = spec.fields().iter().map(|f| format!("{}={}", f.key, f.val)).collect();
            assert_eq!(listed, want, "{name}");
        }
    }

    #[test]
    fn hypers_list_values_and_with_value_checks_like_parsing() {
        let spec = parse("sgd:lr=0.1,momentum=0.9").expect("valid");
        let hypers = spec.hypers();
        assert_eq!(hypers.iter().map(|h| h.key).collect::<Vec<_>>(), spec.keys());
        assert_eq!(hypers[1].value, HyperValue::Number(0.9));
        assert_eq!(hypers[4].value, HyperValue::Flag(false)); // nesterov
        assert_eq!(hypers[1].range, (0.0, 1.0)); // momentum in [0, 1]
        let nesterov = spec.with_value("nesterov", HyperValue::Flag(true)).expect("momentum > 0 allows nesterov");
        assert_eq!(nesterov, parse("sgd:lr=0.1,momentum=0.9,nesterov=true").expect("valid"));
        let msg = |r: Result<OptimSpec, OptimError>| r.expect_err("refused").to_string();
        assert!(msg(nesterov.with_value("momentum", HyperValue::Number(0.0))).contains("momentum > 0"));
        let adam = OptimSpec::default();
        assert!(msg(adam.with_value("beta1", HyperValue::Number(1.0))).contains("[0, 1)"));
        assert!(msg(adam.with_value("lr", HyperValue::Number(f64::INFINITY))).contains("finite"));
        assert!(msg(adam.with_value("momentum", HyperValue::Number(0.9))).contains("valid keys: lr, beta1"));
        // the lecture's Adam keeps its missing bias correction through an edit
        let nobias = parse("adam-nobias").expect("valid").with_value("lr", HyperValue::Number(0.5)).expect("valid");
        assert_eq!(nobias, parse("adam-nobias:lr=0.5").expect("valid"));
        let (lo, hi) = adam.hypers()[1].range;
        assert!(lo == 0.0 && hi < 1.0 && adam.with_value("beta1", HyperValue::Number(hi)).is_ok());
    }

    #[test]
    fn number_formatting_round_trips() {
        for x in [0.001, 1e-8, 0.9, 1.0, 2.5, 1e-10, 0.3333333333333333, 123456.0, 1e20] {
            let s = Val::F(x).to_string();
            assert_eq!(s.parse::<f64>().expect("parses"), x, "{s}");
        }
        assert_eq!(Val::F(1.0).to_string(), "1");
        assert_eq!(Val::F(1e-8).to_string(), "1e-8");
    }
}
