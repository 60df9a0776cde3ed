//! The scalar autograd engine: a tape of f64 nodes (micrograd's `Value`, as an arena), forward and backward passes
//! recorded as traces, numerical gradient checks, the expand transform and DOT export.

mod backward;
mod dot;
mod expand;
pub mod explain;
mod gradcheck;
mod graph;
pub mod groups;
pub mod op;
pub mod workloads;

pub use backward::{BackwardStep, BackwardTrace, Contribution, ForwardStep, ForwardTrace};
pub use expand::expandable;
pub use explain::{NonFinite, Pass, fmt_num};
pub use gradcheck::{Band, DEFAULT_H, NodeCheck, Status, central_difference, kink_between, relative_error};
pub use graph::{Graph, Node, NodeId};
pub use groups::{Groups, GroupsBuilder};
pub use op::{Binary, Op, SELU_ALPHA, SELU_LAMBDA, Unary};

/// `selu`'s slope just below zero, λ·α.
pub const SELU_ALPHA_LAMBDA: f64 = SELU_LAMBDA * SELU_ALPHA;
