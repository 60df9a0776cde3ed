//! chainrule: a tutor that makes backpropagation visible.
