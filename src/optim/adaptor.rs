//! The plumbing every rule shares, written once: a [`Rule`] holds only its math and its state (burn's
//! `SimpleOptimizer`), and [`Adaptor`] (burn's `OptimizerAdaptor`) wraps any rule with what a step needs around that
//! math — the learning rate, the step count t, the length check, starting afresh on a new length, reset, and the
//! [`Trace`] that [`Stepping::inspect`] reads.
//!
//! One step of `Adaptor<R>` over n parameters, O(n):
//!
//! ```text
//! n ≠ the length the state was started for:  t ← 0, rule.start(n)
//! t ← t + 1
//! rule.update(θ, g, t, lr)                   (θ kept before, the change θ_new − θ_old taken after, if inspectable)
//! ```

use std::fmt;

use crate::real::Real;

/// One optimization rule: its math and its state, nothing else (what burn calls a `SimpleOptimizer`). Each rule file
/// implements it, and the one adaptor every rule is wrapped in (`adaptor.rs`) supplies the learning rate, the step
/// count and the trace, so that the file reads like the paper it follows. Hyper-parameters and what [`Rule::inspect`] reports stay f64 whatever `T` is.
pub trait Rule<T: Real = f64>: Clone + fmt::Debug + Send + Sync + 'static {
    /// Sizes the state for a fresh run over `n` parameters (0 after a reset): what the rule holds before step 1.
    fn start(&mut self, n: usize);

    /// Step `t` (1 for the first after [`Rule::start`]) at learning rate `lr`: updates `params` in place from `grads`,
    /// both as long as the state was started for. O(n). Implementations are `#[inline(always)]`, so that the
    /// adaptor's step compiles the loop with hardware FMA where the CPU has it.
    fn update(&mut self, params: &mut [T], grads: &[T], t: u64, lr: f64);

    /// The rule's own quantities for parameter `i` (below the started length) after step `t` at rate `lr`, by name:
    /// `velocity`, `m`, `v`, `m_hat`, `v_hat`, `v_max`, `bias_correction1` (1−β₁ᵗ), `rho_t`, `rectified` (1 or 0), ...
    /// [`Optimizer::inspect`](super::Optimizer::inspect) shows them between the gradient and the rate.
    fn inspect(&self, i: usize, t: u64, lr: f64) -> Vec<(&'static str, f64)>;
}

/// What [`super::Optimizer`] holds of a rule, whichever it is: a rule in its [`Adaptor`].
pub(crate) trait Stepping<T: Real>: fmt::Debug + Send + Sync {
    /// One update of `params` in place from `grads` (same length), O(n). The state is sized by the first call; a
    /// slice of another length starts the rule afresh, as a new optimizer would.
    ///
    /// # Panics
    /// If `params` and `grads` differ in length (a bug in the caller, not something a user can type).
    fn step(&mut self, params: &mut [T], grads: &[T]);
    /// The learning rate the next step uses.
    fn lr(&self) -> f64;
    /// Sets the learning rate for the next steps (what a schedule drives), like `param_groups[0]["lr"] = lr`.
    fn set_lr(&mut self, lr: f64);
    /// How many steps since creation or the last reset: t of the last step.
    fn steps(&self) -> u64;
    /// Forgets the state (buffers, step count) but keeps the configuration and the learning rate.
    fn reset(&mut self);
    /// The rule's internal quantities for parameter `i` after the latest step, by name, for the tutor to show;
    /// empty before the first step, when `i` is out of range, or when the rule is not inspectable: `grad` (as fed
    /// in), the rule's own ([`Rule::inspect`]), then `lr` and `step` (the change the step made to θ).
    fn inspect(&self, i: usize) -> Vec<(&'static str, f64)>;
    /// Whether steps record what [`Stepping::inspect`] shows (the gradient and the change of every parameter; on
    /// by default). Off, a step skips the recording's three passes over the slice (θ kept, g kept, the change taken)
    /// and changes no value; `inspect` is then empty. Turned back on, `inspect` shows from the next step on.
    fn set_inspectable(&mut self, on: bool);
    /// Whether steps record what [`Stepping::inspect`] shows.
    fn is_inspectable(&self) -> bool;
    /// A copy, state included (what `Clone` is for a boxed rule).
    fn boxed_clone(&self) -> Box<dyn Stepping<T>>;
}

/// A rule with the plumbing around it: the learning rate, the step count and the trace (burn's `OptimizerAdaptor`).
#[derive(Clone, Debug)]
pub(crate) struct Adaptor<R, T: Real> {
    rule: R,
    lr: f64,
    /// t of the latest step: 0 before the first and after a reset.
    t: u64,
    trace: Trace<T>,
}

impl<T: Real, R: Rule<T>> Adaptor<R, T> {
    /// A fresh rule starting at learning rate `lr`; its state is sized by the first step.
    pub(crate) fn new(rule: R, lr: f64) -> Self {
        Self { rule, lr, t: 0, trace: Trace::default() }
    }

    /// The step around the rule's update; always inlined, so that [`Adaptor::step_fma`] compiles all of it (the
    /// rule's loop and the trace's passes) with its target features.
    #[inline(always)]
    fn step_any(&mut self, params: &mut [T], grads: &[T]) {
        let n = check_lengths(params, grads);
        if self.trace.len() != n {
            self.t = 0;
            self.rule.start(n);
            self.trace.resize(n);
        }
        self.t += 1;
        self.trace.before(params);
        self.rule.update(params, grads, self.t, self.lr);
        self.trace.after(params, grads);
    }

    /// The same step compiled with hardware fused multiply-add: the rules' `mul_add` (PyTorch's rounding) becomes one
    /// instruction instead of a call into libm. The results are identical, bit for bit: both are correctly rounded.
    /// FMA implies AVX, so the loops are vectorized 256 bits wide here (4 f64 or 8 f32), which changes no value
    /// either: every operation is elementwise and keeps its order.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "fma")]
    unsafe fn step_fma(&mut self, params: &mut [T], grads: &[T]) {
        self.step_any(params, grads);
    }
}

impl<T: Real, R: Rule<T>> Stepping<T> for Adaptor<R, T> {
    /// One step of the rule, with hardware FMA where the CPU has it.
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU was just found to have FMA, the one feature `step_fma` is compiled for.
            unsafe { self.step_fma(params, grads) };
            return;
        }
        self.step_any(params, grads);
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    fn steps(&self) -> u64 {
        self.t
    }

    fn reset(&mut self) {
        self.t = 0;
        self.rule.start(0);
        self.trace.resize(0);
    }

    fn inspect(&self, i: usize) -> Vec<(&'static str, f64)> {
        let Some((grad, delta)) = self.trace.get(i) else { return Vec::new() };
        let mut out = vec![("grad", grad)];
        out.extend(self.rule.inspect(i, self.t, self.lr));
        out.extend([("lr", self.lr), ("step", delta)]);
        out
    }

    fn set_inspectable(&mut self, on: bool) {
        self.trace.set_inspectable(on);
    }

    fn is_inspectable(&self) -> bool {
        self.trace.inspectable
    }

    fn boxed_clone(&self) -> Box<dyn Stepping<T>> {
        Box::new(self.clone())
    }
}

/// The common length of params and grads.
///
/// # Panics
/// If they differ (a bug in the caller).
#[inline(always)]
pub(crate) fn check_lengths<T>(params: &[T], grads: &[T]) -> usize {
    assert_eq!(params.len(), grads.len(), "optimizer step: {} params but {} grads", params.len(), grads.len());
    params.len()
}

/// What an [`Adaptor`] remembers of its latest step for [`Stepping::inspect`], when it is inspectable: the gradient
/// fed in and the change made to each parameter, taken in passes of their own around the rule's loop, so that the
/// loop is the same (and vectorizes the same) with inspection on or off. It also holds the length the rule's state is
/// sized for.
#[derive(Clone, Debug)]
struct Trace<T> {
    /// The length the rule's state is sized for: 0 before the first step and after a reset.
    len: usize,
    inspectable: bool,
    /// Empty unless inspectable and a step was taken since inspection was turned on.
    grad: Vec<T>,
    /// θ before the step during [`Trace::before`]..[`Trace::after`], then the change.
    delta: Vec<T>,
}

impl<T: Real> Default for Trace<T> {
    fn default() -> Self {
        Self { len: 0, inspectable: true, grad: Vec::new(), delta: Vec::new() }
    }
}

impl<T: Real> Trace<T> {
    /// The length the rule's state is sized for.
    fn len(&self) -> usize {
        self.len
    }

    /// The rule's state was sized anew for `n` parameters (0: reset).
    fn resize(&mut self, n: usize) {
        self.len = n;
        self.grad.clear();
        self.delta.clear();
    }

    fn set_inspectable(&mut self, on: bool) {
        self.inspectable = on;
        if !on {
            self.grad = Vec::new();
            self.delta = Vec::new();
        }
    }

    /// Before the rule's loop: keeps θ to take the change from.
    #[inline(always)]
    fn before(&mut self, params: &[T]) {
        if self.inspectable {
            self.delta.clear();
            self.delta.extend_from_slice(params);
        }
    }

    /// After the rule's loop: keeps the gradient and the change θ_new − θ_old.
    #[inline(always)]
    fn after(&mut self, params: &[T], grads: &[T]) {
        if self.inspectable {
            self.grad.clear();
            self.grad.extend_from_slice(grads);
            for (d, &p) in self.delta.iter_mut().zip(params) {
                *d = p - *d;
            }
        }
    }

    /// (gradient, change) of parameter `i`, if a step has been recorded and `i` is in range.
    fn get(&self, i: usize) -> Option<(f64, f64)> {
        let (grad, delta) = (*self.grad.get(i)?, *self.delta.get(i)?);
        Some((grad.as_f64(), delta.as_f64()))
    }
}
