//! The trainable parameters of a model: every matrix in ONE flat buffer, with its gradient in a second buffer of the
//! same layout, so that an optimizer steps the whole model with one `step(values, grads)` call and a snapshot of the
//! weights is one `memcpy`.
//!
//! The values sit behind an [`Arc`] so that a second tape can read them while a step runs on two threads (each
//! thread one half of the batch, [`ParamStore::share_values`]); whoever changes them (the optimizer) gets them through
//! [`ParamStore::values_mut`], which copies only if a share is still alive, and the trainer drops its share first.

use std::sync::Arc;

use crate::real::Real;

/// A parameter's index in its [`ParamStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamId(pub u32);

/// One named parameter matrix: where it sits in the flat buffers.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamEntry {
    /// Its name, as PyTorch's `state_dict` would give it (`0.weight`, `0.bias`, `1.weight`, ...).
    pub name: String,
    /// Rows (a Linear weight is out × in, as PyTorch stores it; a bias is 1 × out).
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Offset of its first element in [`ParamStore::values`] and [`ParamStore::grads`].
    pub offset: usize,
    /// Whether L1/L2 regularization applies to it (weights yes, biases and batch-norm parameters no).
    pub decays: bool,
}

impl ParamEntry {
    /// rows · cols.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// Whether it holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its range in the flat buffers.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len()
    }
}

/// All the parameters of a model, flat.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParamStore<T> {
    /// Every parameter's values, one after another ([`ParamStore::values`], [`ParamStore::values_mut`]).
    values: Arc<Vec<T>>,
    /// An empty buffer, made once, that a store which gives back a share holds instead (so that giving it back
    /// allocates nothing).
    spare: Arc<Vec<T>>,
    /// ∂loss/∂value for each value, after a backward pass.
    pub grads: Vec<T>,
    /// The parameters, in creation order.
    pub entries: Vec<ParamEntry>,
}

impl<T: Real> ParamStore<T> {
    /// An empty store.
    pub fn new() -> Self {
        Self { values: Arc::new(Vec::new()), spare: Arc::new(Vec::new()), grads: Vec::new(), entries: Vec::new() }
    }

    /// Every parameter's values, flat.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Every parameter's values, to change them (an optimizer step). Copies them first only if another store still
    /// shares them ([`ParamStore::share_values`]).
    pub fn values_mut(&mut self) -> &mut [T] {
        Arc::make_mut(&mut self.values).as_mut_slice()
    }

    /// The values to step and the gradients to step them with, at once (the optimizer's `step(values, grads)`).
    pub fn values_and_grads(&mut self) -> (&mut [T], &[T]) {
        (Arc::make_mut(&mut self.values).as_mut_slice(), &self.grads)
    }

    /// The values (read) and the gradients (written) at once, for a backward pass.
    pub(crate) fn values_and_grads_for_backward(&mut self) -> (&[T], &mut [T], &[ParamEntry]) {
        (&self.values, &mut self.grads, &self.entries)
    }

    /// Makes this store read `other`'s values without copying them, with `other`'s layout and a gradient buffer of
    /// its own: a second tape over the same model. O(number of parameters) the first time (the entries and the
    /// gradient buffer), then O(1). Call [`ParamStore::unshare_values`] before `other` changes its values.
    pub fn share_values(&mut self, other: &ParamStore<T>) {
        self.values = Arc::clone(&other.values);
        if self.entries != other.entries {
            self.entries.clone_from(&other.entries);
        }
        self.grads.resize(other.grads.len(), T::zero());
    }

    /// Drops a share taken by [`ParamStore::share_values`] (the store then has no values), so that the owner can
    /// change its values without a copy. Allocates nothing.
    pub fn unshare_values(&mut self) {
        self.values = Arc::clone(&self.spare);
    }

    /// Adds a `rows × cols` parameter with the given values (row-major, `rows·cols` of them).
    ///
    /// # Panics
    /// If `values` has the wrong length (a bug in the model code, not user input).
    pub fn add(&mut self, name: impl Into<String>, rows: usize, cols: usize, values: &[T], decays: bool) -> ParamId {
        assert_eq!(values.len(), rows * cols, "parameter values must fill rows × cols");
        let offset = self.values.len();
        Arc::make_mut(&mut self.values).extend_from_slice(values);
        self.grads.resize(self.values.len(), T::zero());
        self.entries.push(ParamEntry { name: name.into(), rows, cols, offset, decays });
        ParamId(self.entries.len() as u32 - 1)
    }

    /// The entry of a parameter.
    pub fn entry(&self, id: ParamId) -> &ParamEntry {
        &self.entries[id.0 as usize]
    }

    /// A parameter's values.
    pub fn value(&self, id: ParamId) -> &[T] {
        &self.values[self.entry(id).range()]
    }

    /// A parameter's values, to set them.
    pub fn value_mut(&mut self, id: ParamId) -> &mut [T] {
        let r = self.entry(id).range();
        &mut Arc::make_mut(&mut self.values)[r]
    }

    /// A parameter's gradient.
    pub fn grad(&self, id: ParamId) -> &[T] {
        &self.grads[self.entry(id).range()]
    }

    /// The parameter named `name`, if any.
    pub fn find(&self, name: &str) -> Option<ParamId> {
        self.entries.iter().position(|e| e.name == name).map(|i| ParamId(i as u32))
    }

    /// How many scalars in all.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the store holds nothing.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
