//! The tensor ops, one module per family; in each, an op's forward (a [`Tape`](super::Tape) method that checks the
//! shapes, pushes the node and computes its value) sits beside its backward rule, as the scalar engine's op table
//! has them (the whole table is in [`crate::tensor`]). The tape's backward pass calls the rules, one `match` arm per op.

pub(super) mod batch_norm;
pub(super) mod elementwise;
pub(super) mod product;
pub(super) mod reduce;
