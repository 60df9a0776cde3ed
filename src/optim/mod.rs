//! ONE implementation of every optimizer and learning-rate schedule, on flat parameter slices: the 2-D loss-surface
//! race, the scalar MLP and the tensor MLP all call the same `step(params, grads)`, on f64 or f32 parameters.
//!
//! | spec name       | rule, a `Rule<T>` for T = f32 and T = f64  | update, per parameter θ with gradient g, step t |
//! |-----------------|--------------------------------------------|-------------------------------------------------|
//! | `sgd`           | [`Sgd`] (`torch.optim.SGD`)                | b ← μb + (1−τ)g;  θ ← θ − lr·b                  |
//! | `adagrad`       | [`Adagrad`] (`torch.optim.Adagrad`)        | s ← s + g²;  θ ← θ − lr·g/(√s + ε)              |
//! | `rmsprop`       | [`RmsProp`] (`torch.optim.RMSprop`)        | s ← αs + (1−α)g²;  θ ← θ − lr·g/(√s + ε)        |
//! | `adam`          | [`Adam`] (`torch.optim.Adam`)              | m, v averages;  θ ← θ − lr·m̂/(√v̂ + ε)           |
//! | `adamw`         | [`Adam`] (`torch.optim.AdamW`)             | θ ← θ(1 − lr·λ), then Adam                      |
//! | `radam`         | [`RAdam`] (`torch.optim.RAdam`)            | Adam rectified by r_t when ρ_t > 5              |
//! | `nadam`         | [`NAdam`] (`torch.optim.NAdam`)            | Adam with a Nesterov look-ahead on m            |
//! | `momentum-ewma` | [`MomentumEwma`] (lecture, slides 108-110) | V ← βV + (1−β)g;  θ ← θ − lr·V/(1−βᵗ)           |
//! | `adam-nobias`   | [`Adam`] without slide 114's correction    | θ ← θ − lr·m/(√v + ε)                           |
//!
//! Each rule file holds one rule and nothing else: its config (PyTorch's arguments and defaults), its key table
//! (`impl Keys`: the spec name, the defaults, each key with its range and its field), and the rule itself, a
//! [`Rule`] — its state and its math (`start`, `update`, `inspect`), like burn's `SimpleOptimizer`. What every rule
//! needs around its math (the learning rate, the step count, the length check, reset, the trace that `inspect`
//! reads) is written once, in `adaptor.rs` (burn's `OptimizerAdaptor`), and the registry below lists each rule file
//! with its spec names. A new rule is its file and one entry in the registry, `lion { Lion(LionConfig) }`, from which
//! the `mod`, the re-exports, the spec variant, its name, defaults, parsing, printing and dispatch all follow (plus
//! its rows in the tables of this doc and of `spec.rs`'s, which a test checks against the code).
//!
//! Every rule is generic over [`Real`]: `Adam<T = f64>` keeps its state (m, v) in `T` and steps `&mut [T]`, and
//! [`Optimizer<T = f64>`](Optimizer) holds one in its adaptor, so that `OptimSpec::build` is the f64 optimizer of the
//! race and `OptimSpec::build_for::<f32>()` the tensor backend's. Hyper-parameters stay f64 (the configs, the specs,
//! what `inspect` reports); each step computes its scalars (1 − β₁, lr/(1 − β₁ᵗ), ...) in f64 as PyTorch's Python
//! floats are, and rounds them to `T` once, as PyTorch's float32 kernels do. In f64 that is the arithmetic the
//! fixtures check bit for bit; f32 runs the same operations in f32, within 1e-5 of f64 over the tests' ten steps.
//!
//! What [`Optimizer::inspect`] shows (each parameter's gradient and change) is recorded by passes of its own around
//! the rule's loop; [`Optimizer::set_inspectable`]`(false)` drops them for big slices (no value changes), and the
//! loops, free of bounds checks and of branches on the config (hoisted into const-generic copies where the compiler
//! would not), vectorize: with FMA (which implies AVX), 8 f32 or 4 f64 per instruction.
//!
//! ```
//! use chainrule::optim::OptimSpec;
//!
//! let spec: OptimSpec = "adam:lr=0.01".parse()?;
//! let mut opt = spec.build_for::<f32>().inspectable(false);
//! let mut p = vec![0.5f32; 1000];
//! let g = vec![1.0f32; 1000];
//! opt.step(&mut p, &g);
//! assert!((p[0] - 0.49).abs() < 1e-6); // Adam's first step is lr·sign(g)
//! assert!(opt.inspect(0).is_empty());
//! # Ok::<(), chainrule::optim::OptimError>(())
//! ```
//!
//! The PyTorch rules follow PyTorch 2.15's single-tensor (`foreach=False`) code operation by operation, defaults
//! included (`torch_ops.rs` says how each tensor op rounds), and `tests/optim_fixtures.rs` checks every
//! rule against trajectories recorded from PyTorch by `bench/optim_fixtures.py`.
//!
//! A rule is chosen by a spec string, `name[:key=value,...]`, with PyTorch's argument names; a key left out takes
//! PyTorch 2.15's default (sgd's lr included: 1e-3; older versions required it). See [`OptimSpec`] for the keys. A
//! [`Schedule`] (`step:step_size=10,gamma=0.9`, `exp:gamma=0.99`, `inv:k=0.01`, `cos:t_max=100,eta_min=0`,
//! `warmup:steps=10,start_factor=0.1+cos:t_max=100`) drives any rule's learning rate through `set_lr`:
//!
//! ```
//! use chainrule::optim::{OptimSpec, Schedule};
//!
//! let spec: OptimSpec = "sgd:lr=0.1,momentum=0.9".parse()?;
//! let mut opt = spec.build();
//! let schedule: Schedule = "warmup:steps=2+cos:t_max=10".parse()?;
//! let mut p = [1.0, 1.0];
//! for t in 0..3 {
//!     opt.set_lr(schedule.lr_at(spec.lr(), t));
//!     let g = [p[0] / 10.0, 4.0 * p[1]]; // ∇(x²/20 + 2y²)
//!     opt.step(&mut p, &g);
//! }
//! assert_eq!(opt.steps(), 3);
//! assert!(opt.inspect(0).iter().any(|&(name, _)| name == "velocity"));
//! # Ok::<(), chainrule::optim::OptimError>(())
//! ```

mod adaptor;
mod error;
mod schedule;
mod spec;
mod torch_ops;

pub use adaptor::Rule;
pub use error::OptimError;
pub use schedule::{Decay, SCHEDULE_NAMES, Schedule, Warmup};
pub use spec::{Hyper, HyperValue};

/// The registry of rules: an entry `file { Variant(Config), ... }` declares the rule file `file.rs` (and makes its
/// public items this module's) and its spec names, each a variant of [`OptimSpec`] in the order the window lists
/// them, with its config and, after it, the key table ([`spec::Keys`]) that says its name, defaults and keys and
/// builds its rule (the config's own table, unless one is named; both live in the rule's file). From the entries it
/// writes the `mod`s and their re-exports, the enum, [`OPTIMIZER_NAMES`], and the dispatch of each spec method
/// (defaults, name, lr, fields, `with`, conflicts, the rule in its adaptor) to the table, so that a new rule is its
/// file and one entry here.
macro_rules! registry {
    ($($file:ident { $($(#[doc = $doc:literal])* $variant:ident($config:ty $(, $keys:ty)?)),+ $(,)? })*) => {
        $(mod $file; pub use $file::*;)*

        /// An optimizer and its hyper-parameters: what a spec string says, and what the window persists (as the
        /// canonical spec string, through serde).
        #[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum OptimSpec {
            $($($(#[doc = $doc])* $variant($config),)+)*
        }

        /// Every optimizer spec name, in the order the window lists them.
        pub const OPTIMIZER_NAMES: &[&str] = &[$($(<keys_of!($config $(, $keys)?) as spec::Keys>::NAME,)+)*];

        impl OptimSpec {
            /// The spec with every default, for a name of [`OPTIMIZER_NAMES`].
            pub fn defaults(name: &str) -> Option<Self> {
                $($(if name == <keys_of!($config $(, $keys)?) as spec::Keys>::NAME {
                    return Some(Self::$variant(<keys_of!($config $(, $keys)?) as spec::Keys>::defaults()));
                })+)*
                None
            }

            /// The spec name (`sgd`, `adam`, `momentum-ewma`, ...).
            pub fn name(&self) -> &'static str {
                match self { $($(Self::$variant(_) => <keys_of!($config $(, $keys)?) as spec::Keys>::NAME,)+)* }
            }

            /// The (base) learning rate.
            pub fn lr(&self) -> f64 {
                match self { $($(Self::$variant(c) => spec::lr_of::<keys_of!($config $(, $keys)?)>(c),)+)* }
            }

            /// Sets the (base) learning rate.
            pub fn set_lr(&mut self, lr: f64) {
                match self { $($(Self::$variant(c) => spec::set_lr_of::<keys_of!($config $(, $keys)?)>(c, lr),)+)* }
            }

            /// The fields of this spec, its key table: each key with its range and current value.
            fn fields(&self) -> Vec<spec::Field> {
                match self { $($(Self::$variant(c) => spec::fields_of::<keys_of!($config $(, $keys)?)>(c),)+)* }
            }

            /// This spec with the given (already range-checked) values in place of its own.
            fn with(&self, args: &spec::Args) -> Self {
                match self {
                    $($(Self::$variant(c) => {
                        Self::$variant(spec::with_of::<keys_of!($config $(, $keys)?)>(c, args))
                    })+)*
                }
            }

            /// Values PyTorch refuses together, in words.
            fn conflict(&self) -> Option<&'static str> {
                match self { $($(Self::$variant(c) => <keys_of!($config $(, $keys)?) as spec::Keys>::conflict(c),)+)* }
            }

            /// The spec's rule in its adaptor, on parameters of type `T`, at the spec's learning rate.
            pub(crate) fn adaptor<T: Real>(&self) -> Box<dyn Stepping<T>> {
                match self { $($(Self::$variant(c) => spec::adaptor_of::<keys_of!($config $(, $keys)?), T>(c),)+)* }
            }
        }
    };
}

/// The key table of a registry line: the one it names, or else its config's.
macro_rules! keys_of {
    ($config:ty) => {
        $config
    };
    ($config:ty, $keys:ty) => {
        $keys
    };
}

// The registry: an entry per rule file, a line per spec name (the file holds its config, key table and math).
registry! {
    sgd {
        /// `sgd`: `torch.optim.SGD`.
        Sgd(SgdConfig),
    }
    ewma {
        /// `momentum-ewma`: the lecture's momentum (exponentially weighted average with bias correction).
        MomentumEwma(MomentumEwmaConfig),
    }
    adagrad {
        /// `adagrad`: `torch.optim.Adagrad`.
        Adagrad(AdagradConfig),
    }
    rmsprop {
        /// `rmsprop`: `torch.optim.RMSprop`.
        RmsProp(RmsPropConfig),
    }
    adam {
        /// `adam`: `torch.optim.Adam`.
        Adam(AdamConfig),
        /// `adam-nobias`: Adam with its bias correction turned off (only lr, betas and eps apply), to show what the
        /// correction of the lecture's slide 114 does in the first steps.
        AdamNoBias(AdamConfig, AdamNoBiasKeys),
        /// `adamw`: `torch.optim.AdamW` (weight decay always decoupled).
        AdamW(AdamConfig, AdamWKeys),
    }
    radam {
        /// `radam`: `torch.optim.RAdam`.
        RAdam(RAdamConfig),
    }
    nadam {
        /// `nadam`: `torch.optim.NAdam`.
        NAdam(NAdamConfig),
    }
}

use crate::real::Real;
use adaptor::{Stepping, check_lengths};

/// Any rule, built from an [`OptimSpec`]: what the race, the MLPs and the window hold. `Optimizer` is the f64 one
/// (the race, the scalar MLP, the PyTorch fixtures); `Optimizer<f32>` steps the tensor backend's f32 parameters with
/// the same code.
///
/// A slice of at least [`SPLIT_MIN`] parameters is stepped as two halves on two threads
/// ([`crate::parallel::join`]), each half by its own copy of the rule: every rule is elementwise (its state
/// is one entry per parameter, plus the step count and the rate, which both copies share), so the two give the
/// values one rule would, bit for bit.
#[derive(Debug)]
pub struct Optimizer<T: Real = f64> {
    spec: OptimSpec,
    /// The rule in its adaptor: the whole slice's, or the lower half's once a slice has been split.
    rule: Box<dyn Stepping<T>>,
    /// The upper half's rule, once a slice of at least [`SPLIT_MIN`] parameters has been stepped.
    upper: Option<Box<dyn Stepping<T>>>,
    /// The length of the slice the latest step split in two (halves at `split_len / 2`); 0: it did not split.
    split_len: usize,
}

impl<T: Real> Clone for Optimizer<T> {
    fn clone(&self) -> Self {
        Self {
            spec: self.spec,
            rule: self.rule.boxed_clone(),
            upper: self.upper.as_ref().map(|u| u.boxed_clone()),
            split_len: self.split_len,
        }
    }
}

/// From this many parameters on, [`Optimizer::step`] steps the two halves of the slice on two threads. Measured
/// with `examples/mlp_throughput.rs`: an SGD step over the 1.86 M parameters of 784-1024-1024-10 took about 1 ms on
/// one thread, an Adam step over 65 536 about 60 µs, against about 2 µs for a join.
pub const SPLIT_MIN: usize = 1 << 16;

impl<T: Real> Optimizer<T> {
    /// A fresh optimizer for a spec (which [`OptimSpec::validate`] should accept; parsed specs always are), with
    /// inspection on. `Optimizer::<f32>::new(&spec)` is [`OptimSpec::build_for`].
    pub fn new(spec: &OptimSpec) -> Self {
        Self { spec: *spec, rule: spec.adaptor(), upper: None, split_len: 0 }
    }

    /// The spec this optimizer was built from (its `lr` is the base learning rate, not the scheduled one).
    pub fn spec(&self) -> &OptimSpec {
        &self.spec
    }

    /// The spec name: `sgd`, `adam`, `momentum-ewma`, ...
    pub fn name(&self) -> &'static str {
        self.spec.name()
    }

    /// Both halves' rules (the upper one only if it exists), for the settings they share.
    fn each_rule(&mut self, mut f: impl FnMut(&mut dyn Stepping<T>)) {
        f(self.rule.as_mut());
        if let Some(u) = &mut self.upper {
            f(u.as_mut());
        }
    }

    /// One update of `params` in place from `grads` (same length), O(n): the rule's state is sized by the first
    /// call, and a slice of another length starts the rule afresh, as a new optimizer would. From [`SPLIT_MIN`]
    /// parameters on, the two halves are stepped on two threads (the same values as one rule, see [`Optimizer`]).
    ///
    /// # Panics
    /// If `params` and `grads` differ in length (a bug in the caller, not something a user can type).
    pub fn step(&mut self, params: &mut [T], grads: &[T]) {
        check_lengths(params, grads);
        if params.len() < SPLIT_MIN {
            if self.split_len != 0 {
                // another length than the split steps': afresh, as one rule would start
                self.rule.reset();
                self.split_len = 0;
            }
            self.rule.step(params, grads);
            return;
        }
        let mid = params.len() / 2;
        if self.split_len != params.len() {
            // a new length: both halves start afresh, as one rule would
            self.rule.reset();
            self.upper = Some(self.rule.boxed_clone());
            self.split_len = params.len();
        }
        let Self { rule, upper, .. } = self;
        let upper = upper.as_mut().expect("made above");
        let (p1, p2) = params.split_at_mut(mid);
        let (g1, g2) = grads.split_at(mid);
        crate::parallel::join(|| rule.step(p1, g1), || upper.step(p2, g2));
    }

    /// The learning rate the next step uses.
    pub fn lr(&self) -> f64 {
        self.rule.lr()
    }

    /// Sets the learning rate for the next steps (a schedule calls this before each step), like
    /// `param_groups[0]["lr"] = lr`.
    pub fn set_lr(&mut self, lr: f64) {
        self.each_rule(|r| r.set_lr(lr));
    }

    /// How many steps since creation or the last reset: t of the last step.
    pub fn steps(&self) -> u64 {
        self.rule.steps()
    }

    /// Forgets the state and the step count, and goes back to the spec's learning rate (inspection stays as set).
    pub fn reset(&mut self) {
        let lr = self.spec.lr();
        self.each_rule(|r| {
            r.reset();
            r.set_lr(lr);
        });
    }

    /// The rule's internal quantities for parameter `i` after the latest step, by name, for the tutor to show;
    /// empty before the first step, when `i` is out of range, or when the optimizer is not inspectable. Always
    /// `grad` (as fed in), then the rule's own ([`Rule::inspect`]: `velocity`, `m`, `v`, `m_hat`, `v_hat`,
    /// `bias_correction1` (1−β₁ᵗ), `rho_t`, ...), then `lr` and `step` (the change the step made to θ).
    pub fn inspect(&self, i: usize) -> Vec<(&'static str, f64)> {
        match &self.upper {
            Some(u) if self.split_len > 0 && i >= self.split_len / 2 => u.inspect(i - self.split_len / 2),
            _ => self.rule.inspect(i),
        }
    }

    /// Turns the recording for [`Optimizer::inspect`] on (the default: the race shows it) or off (big parameter
    /// slices, where nobody inspects one parameter and the recording's passes cost as much as a cheap rule). Off, a
    /// step skips the recording's three passes over the slice (θ kept, g kept, the change taken) and changes no
    /// value; `inspect` is then empty. Turned back on, `inspect` shows from the next step on.
    pub fn set_inspectable(&mut self, on: bool) {
        self.each_rule(|r| r.set_inspectable(on));
    }

    /// [`Optimizer::set_inspectable`] as a builder: `spec.build_for::<f32>().inspectable(false)`.
    #[must_use]
    pub fn inspectable(mut self, on: bool) -> Self {
        self.set_inspectable(on);
        self
    }

    /// Whether steps record what [`Optimizer::inspect`] shows.
    pub fn is_inspectable(&self) -> bool {
        self.rule.is_inspectable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `steps` steps of `spec` from `x0` with `grad` and returns the path, x0 included.
    fn path(spec: &str, x0: [f64; 2], steps: usize, grad: impl Fn([f64; 2]) -> [f64; 2]) -> Vec<[f64; 2]> {
        let mut opt = spec.parse::<OptimSpec>().expect("a valid test spec").build();
        let mut p = x0;
        let mut out = vec![p];
        for _ in 0..steps {
            let g = grad(p);
            opt.step(&mut p, &g);
            out.push(p);
        }
        out
    }

    #[test]
    fn a_split_step_gives_one_rules_values_bit_for_bit() {
        let specs = [
            "sgd:lr=0.1,momentum=0.9,nesterov=true,weight_decay=0.01",
            "adagrad:lr=0.1",
            "rmsprop:lr=0.01,momentum=0.5,centered=true",
            "adam:lr=0.01,amsgrad=true",
            "adamw:lr=0.01,weight_decay=0.1",
            "radam:lr=0.01",
            "nadam:lr=0.01",
            "momentum-ewma:lr=0.1",
        ];
        let n = SPLIT_MIN + 3;
        for spec in specs {
            let spec: OptimSpec = spec.parse().expect("a valid test spec");
            let mut split = Optimizer::<f32>::new(&spec);
            let mut whole = spec.adaptor::<f32>();
            let mut a: Vec<f32> = (0..n).map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0).collect();
            let mut b = a.clone();
            for step in 0..5 {
                let g: Vec<f32> = (0..n).map(|i| ((i * 13 + step * 7) % 29) as f32 / 7.0 - 2.0).collect();
                if step == 3 {
                    split.set_lr(0.003);
                    whole.set_lr(0.003);
                }
                split.step(&mut a, &g);
                whole.step(&mut b, &g);
            }
            assert_eq!(split.split_len, n, "{spec:?}: the slice was split");
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()), "{spec:?}: values differ");
            for i in [0, n / 2 - 1, n / 2, n - 1] {
                assert_eq!(split.inspect(i), whole.inspect(i), "{spec:?}: inspect({i})");
            }
            assert_eq!(split.steps(), 5);
        }
    }

    #[test]
    fn adam_on_rosenbrock_matches_torch() {
        // f = (1-x)² + 100(y-x²)²;  ∂f/∂x = -2(1-x) - 400x(y-x²);  ∂f/∂y = 200(y-x²)
        let rosenbrock = |[x, y]: [f64; 2]| [-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)];
        let got = path("adam:lr=0.1", [-1.5, 2.0], 3, rosenbrock);
        // torch.optim.Adam([p], lr=0.1) in float64, from the contract check
        let want = [
            [-1.5, 2.0],
            [-1.4000000000064516, 2.09999999998],
            [-1.37140881743199, 2.122083378335596],
            [-1.3918311743776175, 2.093962645994611],
        ];
        for (g, w) in got.iter().zip(want) {
            assert!((g[0] - w[0]).abs() < 1e-12 && (g[1] - w[1]).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn sgd_momentum_on_the_ravine_matches_torch() {
        // f = x²/20 + 2y²;  ∇f = (x/10, 4y)
        let got = path("sgd:lr=0.1,momentum=0.9", [1.0, 1.0], 3, |[x, y]| [x / 10.0, 4.0 * y]);
        // step 1: b = g = (0.1, 4); θ = (1 - 0.01, 1 - 0.4) = (0.99, 0.6)
        // step 2: g = (0.099, 2.4); b = (0.09 + 0.099, 3.6 + 2.4) = (0.189, 6); θ = (0.9711, 0)
        // step 3: g = (0.09711, 0); b = (0.1701 + 0.09711, 5.4) = (0.26721, 5.4); θ = (0.944379, -0.54)
        let want = [[1.0, 1.0], [0.99, 0.6], [0.9711, 0.0], [0.944379, -0.54]];
        for (g, w) in got.iter().zip(want) {
            assert!((g[0] - w[0]).abs() < 1e-12 && (g[1] - w[1]).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn set_lr_changes_the_next_step_and_reset_restores_the_spec() {
        let mut opt = "sgd:lr=0.5".parse::<OptimSpec>().expect("valid").build();
        opt.set_lr(0.25);
        let mut p = [1.0];
        opt.step(&mut p, &[1.0]);
        assert_eq!((p[0], opt.lr()), (0.75, 0.25));
        opt.reset();
        assert_eq!((opt.lr(), opt.steps()), (0.5, 0));
        assert!(opt.inspect(0).is_empty());
    }

    #[test]
    fn every_name_builds_steps_and_inspects() {
        for name in OPTIMIZER_NAMES {
            let mut opt = name.parse::<OptimSpec>().expect("every name parses alone").build();
            assert_eq!(opt.name(), *name);
            let mut p = [1.0, -2.0, 0.5];
            opt.step(&mut p, &[0.3, -0.1, 2.0]);
            opt.step(&mut p, &[0.2, -0.2, 1.0]);
            assert!(p.iter().all(|x| x.is_finite()), "{name}: {p:?}");
            assert!(p[0] < 1.0 && p[1] > -2.0, "{name} should descend: {p:?}");
            let names: Vec<&str> = opt.inspect(2).iter().map(|&(n, _)| n).collect();
            assert!(names.contains(&"grad") && names.contains(&"step") && names.contains(&"lr"), "{name}: {names:?}");
            assert!(opt.inspect(3).is_empty());
        }
    }

    /// Every rule, and every branch of each rule's loop: the const-generic variants, weight decay both ways,
    /// maximize, RAdam before and after its rectification starts (step 6 with β₂ = 0.999).
    const VARIANTS: &[&str] = &[
        "sgd:lr=0.05",
        "sgd:lr=0.05,momentum=0.9,dampening=0.1,weight_decay=0.01",
        "sgd:lr=0.05,momentum=0.9,nesterov=true,maximize=true",
        "momentum-ewma:lr=0.05",
        "momentum-ewma:lr=0.05,bias_correction=false",
        "adagrad:lr=0.05,lr_decay=0.01,weight_decay=0.01,initial_accumulator_value=0.1",
        "rmsprop:lr=0.01",
        "rmsprop:lr=0.01,centered=true",
        "rmsprop:lr=0.01,momentum=0.5",
        "rmsprop:lr=0.01,momentum=0.5,centered=true,weight_decay=0.01",
        "adam:lr=0.05",
        "adam:lr=0.05,amsgrad=true,weight_decay=0.01,maximize=true",
        "adamw:lr=0.05,weight_decay=0.1",
        "adam-nobias:lr=0.05",
        "radam:lr=0.05",
        "radam:lr=0.05,weight_decay=0.1,decoupled_weight_decay=true",
        "nadam:lr=0.05,weight_decay=0.01",
        "nadam:lr=0.05,weight_decay=0.01,decoupled_weight_decay=true",
    ];

    /// 10 steps of `spec` in `T` on f = Σ cᵢθᵢ²/2 (∇f = cᵢθᵢ, computed in `T`) from fixed θ, inspectable or not.
    fn run<T: Real>(spec: &str, inspectable: bool) -> (Vec<T>, Optimizer<T>) {
        let spec: OptimSpec = spec.parse().expect("a valid test spec");
        let mut opt = spec.build_for::<T>().inspectable(inspectable);
        let c = [1.0, 0.5, 2.0, 0.1, 4.0].map(T::from_f64);
        let mut p = [1.5, -2.0, 0.75, 3.0, -0.4].map(T::from_f64).to_vec();
        for _ in 0..10 {
            let g: Vec<T> = p.iter().zip(&c).map(|(&p, &c)| c * p).collect();
            opt.step(&mut p, &g);
        }
        (p, opt)
    }

    #[test]
    fn f32_follows_f64_for_every_rule() {
        for spec in VARIANTS {
            let (p64, _) = run::<f64>(spec, true);
            let (p32, opt) = run::<f32>(spec, true);
            assert_eq!(opt.steps(), 10);
            for (i, (&a, &b)) in p32.iter().zip(&p64).enumerate() {
                // f32 rounds each operation to 6e-8 relative; ten steps of these rules stay well inside 1e-5.
                let e = (f64::from(a) - b).abs() / b.abs().max(1.0);
                assert!(e < 1e-5, "{spec}, param {i}: f32 {a:e} vs f64 {b:e} ({e:.1e})");
            }
            assert!(p32.iter().zip(&p64).any(|(&a, &b)| f64::from(a) != b), "{spec}: f32 ran in f64?");
            // inspect reports the f32 state as f64
            let seen: Vec<(&str, f64)> = opt.inspect(1);
            let step = seen.iter().find(|&&(n, _)| n == "step").expect("every rule reports its step").1;
            assert!(step != 0.0 && step.is_finite(), "{spec}: {seen:?}");
        }
    }

    #[test]
    fn inspection_off_changes_no_value() {
        fn same<T: Real>(spec: &str) {
            let (on, opt_on) = run::<T>(spec, true);
            let (off, opt_off) = run::<T>(spec, false);
            let bits = |p: &[T]| p.iter().map(|&x| x.as_f64().to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&on), bits(&off), "{spec} in {}", T::NAME);
            assert!(opt_on.is_inspectable() && !opt_off.is_inspectable());
            assert!(!opt_on.inspect(0).is_empty() && opt_off.inspect(0).is_empty(), "{spec} in {}", T::NAME);
        }
        for spec in VARIANTS {
            same::<f64>(spec);
            same::<f32>(spec);
        }
    }

    #[test]
    fn inspection_turned_on_mid_run_shows_the_next_step() {
        let mut opt = Optimizer::<f32>::new(&"adam:lr=0.1".parse().expect("valid")).inspectable(false);
        let mut p = [1.0f32, 2.0];
        opt.step(&mut p, &[0.5, -1.0]);
        opt.set_inspectable(true);
        assert!(opt.inspect(0).is_empty(), "nothing recorded yet");
        let before = p;
        opt.step(&mut p, &[0.5, -1.0]);
        let seen: std::collections::HashMap<_, _> = opt.inspect(1).into_iter().collect();
        assert_eq!((seen["grad"], seen["step"]), (-1.0, f64::from(p[1] - before[1])));
        opt.reset();
        assert!(opt.is_inspectable() && opt.inspect(1).is_empty());
    }

    #[test]
    #[should_panic(expected = "2 params but 1 grads")]
    fn mismatched_lengths_are_a_caller_bug() {
        let mut opt = OptimSpec::default().build();
        opt.step(&mut [0.0, 0.0], &[1.0]);
    }
}
