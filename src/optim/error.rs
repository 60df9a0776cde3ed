//! The optimizer area's one error type: what was wrong in an optimizer or schedule spec string, with the valid
//! names, keys or range in the message, so a learner who typed it can fix it without reading the docs.

/// A spec string (`adam:lr=0.01`, `warmup:steps=10+cos:t_max=100`) that cannot be turned into a rule or a schedule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptimError {
    /// The spec string is empty.
    #[error("empty {what} spec; valid names: {valid}")]
    Empty {
        /// "optimizer" or "schedule".
        what: &'static str,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// The name before the `:` is not one we know.
    #[error("unknown {what} `{name}`; valid names: {valid}")]
    UnknownName {
        /// "optimizer" or "schedule".
        what: &'static str,
        /// The name as typed.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// A key that this rule or schedule does not take.
    #[error("`{name}` has no key `{key}`; valid keys: {valid}")]
    UnknownKey {
        /// The rule or schedule name.
        name: String,
        /// The key as typed.
        key: String,
        /// The valid keys, comma-separated.
        valid: String,
    },
    /// A `key=value` item without `=`, or with an empty key.
    #[error("`{item}` in `{name}` is not key=value; valid keys: {valid}")]
    NotKeyValue {
        /// The rule or schedule name.
        name: String,
        /// The item as typed.
        item: String,
        /// The valid keys, comma-separated.
        valid: String,
    },
    /// The same key twice.
    #[error("`{name}` sets `{key}` twice")]
    DuplicateKey {
        /// The rule or schedule name.
        name: String,
        /// The repeated key.
        key: String,
    },
    /// A value that does not parse or is out of range.
    #[error("`{key}={value}` in `{name}`: expected {expected}")]
    BadValue {
        /// The rule or schedule name.
        name: String,
        /// The key.
        key: String,
        /// The value as typed.
        value: String,
        /// What the key takes, e.g. "a finite number >= 0" or "a number in [0, 1)".
        expected: &'static str,
    },
    /// A key with no default that was not given.
    #[error("`{name}` needs `{key}` ({expected}); e.g. `{example}`")]
    MissingKey {
        /// The schedule name.
        name: String,
        /// The missing key.
        key: String,
        /// What the key takes.
        expected: &'static str,
        /// A complete spec that works.
        example: &'static str,
    },
    /// Values that are valid one by one but not together (PyTorch refuses them too).
    #[error("`{name}`: {message}")]
    Conflict {
        /// The rule or schedule name.
        name: String,
        /// What does not go together, and how to fix it.
        message: String,
    },
}
