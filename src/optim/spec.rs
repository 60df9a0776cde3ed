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

use super::adaptor::{Adaptor, Rule, Stepping};
use super::{AdamConfig, OPTIMIZER_NAMES, OptimError, OptimSpec, Optimizer};
use crate::real::Real;

/// A spec name's key table, in its rule's file: the name, the defaults, every key in canonical order, the values that
/// do not go together, and the rule the spec builds. The registry dispatches [`OptimSpec`]'s methods to it.
pub(crate) trait Keys {
    /// The rule's config, which the keys set.
    type Config: Copy + Default + 'static;
    /// The spec name: `sgd`, `adam-nobias`, ...
    const NAME: &'static str;
    /// Every key, `lr` first, then in the order the canonical spec prints them.
    const KEYS: &'static [Key<Self::Config>];
    /// The config with every default: the config's own (PyTorch's, for PyTorch's rules) unless a table says.
    fn defaults() -> Self::Config {
        Self::Config::default()
    }
    /// What PyTorch refuses about these values together, in words with an example; `None` if nothing.
    fn conflict(_config: &Self::Config) -> Option<&'static str> {
        None
    }
    /// The rule this config builds, on parameters of type `T`.
    fn rule<T: Real>(config: &Self::Config) -> impl Rule<T>;
}

/// One key of a rule's table: its name, what it takes, and where its value sits in the config.
pub(crate) struct Key<C> {
    key: &'static str,
    kind: Kind,
    slot: Slot<C>,
}

/// Where a key's value sits in a config (one accessor reads and writes it).
#[derive(Clone, Copy)]
enum Slot<C> {
    Number(fn(&mut C) -> &mut f64),
    Flag(fn(&mut C) -> &mut bool),
}

impl<C: Copy> Key<C> {
    /// A number key of this kind: `Key::number("lr", NonNeg, |c| &mut c.lr)`.
    pub(crate) const fn number(key: &'static str, kind: Kind, slot: fn(&mut C) -> &mut f64) -> Self {
        Self { key, kind, slot: Slot::Number(slot) }
    }

    /// A boolean key: `Key::flag("nesterov", |c| &mut c.nesterov)`.
    pub(crate) const fn flag(key: &'static str, slot: fn(&mut C) -> &mut bool) -> Self {
        Self { key, kind: Kind::Bool, slot: Slot::Flag(slot) }
    }

    /// The key's value in `config`.
    fn val(&self, config: &C) -> Val {
        let mut c = *config;
        match self.slot {
            Slot::Number(at) => Val::F(*at(&mut c)),
            Slot::Flag(at) => Val::B(*at(&mut c)),
        }
    }

    /// Sets the key's value in `config` to `val`, of the key's kind (checked before, as every value is).
    fn set(&self, config: &mut C, val: Val) {
        match (self.slot, val) {
            (Slot::Number(at), Val::F(x)) => *at(config) = x,
            (Slot::Flag(at), Val::B(b)) => *at(config) = b,
            _ => unreachable!("a value is checked against its key's kind before it is set"),
        }
    }
}

/// The `lr` key of a table.
fn lr_key<K: Keys>() -> &'static Key<K::Config> {
    K::KEYS.iter().find(|k| k.key == "lr").expect("every rule has a learning rate")
}

pub(super) fn lr_of<K: Keys>(config: &K::Config) -> f64 {
    match lr_key::<K>().val(config) {
        Val::F(lr) => lr,
        _ => unreachable!("lr is a number"),
    }
}

pub(super) fn set_lr_of<K: Keys>(config: &mut K::Config, lr: f64) {
    lr_key::<K>().set(config, Val::F(lr));
}

pub(super) fn fields_of<K: Keys>(config: &K::Config) -> Vec<Field> {
    K::KEYS.iter().map(|k| Field { key: k.key, kind: k.kind, val: k.val(config) }).collect()
}

pub(super) fn with_of<K: Keys>(config: &K::Config, args: &Args) -> K::Config {
    let mut c = *config;
    for k in K::KEYS {
        if let Some(val) = args.get(k.key) {
            k.set(&mut c, val);
        }
    }
    c
}

pub(super) fn adaptor_of<K: Keys, T: Real>(config: &K::Config) -> Box<dyn Stepping<T>> {
    Box::new(Adaptor::new(K::rule::<T>(config), lr_of::<K>(config)))
}

impl Default for OptimSpec {
    /// Adam with PyTorch's defaults ("a good default choice in most cases", slide 119).
    fn default() -> Self {
        Self::Adam(AdamConfig::default())
    }
}

impl OptimSpec {
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

    /// Values PyTorch refuses together.
    fn check_conflicts(&self) -> Result<(), OptimError> {
        match self.conflict() {
            Some(message) => Err(OptimError::Conflict { name: self.name().into(), message: message.into() }),
            None => Ok(()),
        }
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
    use crate::optim::{AdagradConfig, MomentumEwmaConfig, NAdamConfig, RmsPropConfig, SgdConfig};

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
        // Adam without bias correction keeps it off through an edit
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
