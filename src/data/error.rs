//! The data module's error: which dataset, feature, ratio, file, line or column went wrong, in words a learner can act
//! on. Every variant carries the context it names; nothing in `data` panics on what a user typed or loaded.

use std::path::PathBuf;

/// Something a dataset could not be made from.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A dataset name that is not one of [`DATASET_NAMES`](super::DATASET_NAMES).
    #[error("unknown dataset '{name}'{suggestion}; the datasets are {names}")]
    UnknownDataset {
        /// The name as typed.
        name: String,
        /// ` (did you mean 'circle'?)` or empty.
        suggestion: String,
        /// The valid names, comma-separated.
        names: String,
    },
    /// A known dataset with an option it does not take or a bad value for one (`kspiral:classes=1`).
    #[error("dataset spec '{spec}': {message}")]
    BadSpec {
        /// The spec as typed.
        spec: String,
        /// What is wrong and what would be accepted.
        message: String,
    },
    /// Noise that is negative or not a number.
    #[error("noise must be a finite number ≥ 0, got {noise}")]
    BadNoise {
        /// The noise given.
        noise: f64,
    },
    /// Fewer points than classes: some class would have no examples.
    #[error("dataset '{dataset}' needs at least {min} points (one per class), got {n}")]
    TooFewPoints {
        /// The dataset's name.
        dataset: String,
        /// The number of points asked for.
        n: usize,
        /// The least number that gives every class a point.
        min: usize,
    },
    /// An input feature that is not one of the Playground's seven, or listed twice, or an empty list.
    #[error("input feature '{text}': {reason}")]
    BadFeature {
        /// The feature as typed.
        text: String,
        /// What is wrong, with the valid names.
        reason: String,
    },
    /// Feature maps (x², sin x, ...) are defined on the plane only.
    #[error(
        "input features (x, y, x², y², xy, sin x, sin y) apply to 2-D data, but this dataset has {d} columns of features"
    )]
    FeaturesNeed2D {
        /// The dataset's number of features.
        d: usize,
    },
    /// A training ratio outside (0, 1].
    #[error("the training ratio must be in (0, 1] (e.g. 0.5 for half the points), got {ratio}")]
    BadRatio {
        /// The ratio given.
        ratio: f64,
    },
    /// A ratio so small that round(ratio · n) is zero: there would be nothing to train on.
    #[error("a training ratio of {ratio} of {n} points leaves no training points; raise the ratio or add points")]
    EmptyTraining {
        /// The ratio given.
        ratio: f64,
        /// The number of points.
        n: usize,
    },
    /// A preprocessing name that is not none, standardize, pca or whiten.
    #[error("unknown preprocessing '{name}'{suggestion}; choose none, standardize, pca or whiten")]
    UnknownPreprocess {
        /// The name as typed.
        name: String,
        /// ` (did you mean 'pca'?)` or empty.
        suggestion: String,
    },
    /// Data whose number of features differs from the data the preprocessing was fitted on.
    #[error("the preprocessing was fitted on data with {expected} features, but this data has {found}")]
    DimensionMismatch {
        /// Features at fitting time.
        expected: usize,
        /// Features now.
        found: usize,
    },
    /// A CSV text that is not a table of numbers with a label column, at a 1-based line (the header counts) and column
    /// (the field's number, counting from 1).
    #[error("{origin}, line {line}, column {column}: {message}")]
    Csv {
        /// The file name, or a word for where the text came from.
        origin: String,
        /// 1-based line, counting the header line.
        line: usize,
        /// 1-based field number.
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// A point edited by hand that does not fit the data as it stood (a row that is not there, a class the set
    /// has not, a point far off).
    #[error("point edited by hand (edit {edit}): {message}")]
    BadEdit {
        /// 1-based place of the edit in its list.
        edit: usize,
        /// What does not fit.
        message: String,
    },
    /// A file larger than what may be read of it.
    #[error("'{}' has {bytes} bytes, more than the {max} read here", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size (or what was read of it).
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// A file that could not be read.
    #[error("cannot read '{}': {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo, formatted as
/// ` (did you mean 'x'?)`; empty otherwise.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) && *d < c.len().max(word.len()))
        .min()
        .map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_for_a_typo_and_none_for_nonsense() {
        // "cirle" is one deletion from "circle".
        assert_eq!(did_you_mean("cirle", ["circle", "xor"]), " (did you mean 'circle'?)");
        // "qqqqqq" is 6 edits from "circle" and 5 from "spiral": too far for a typo.
        assert_eq!(did_you_mean("qqqqqq", ["circle", "spiral"]), "");
    }

    #[test]
    fn csv_message_says_where() {
        let e = DataError::Csv { origin: "a.csv".into(), line: 3, column: 2, message: "'x' is not a number".into() };
        assert_eq!(e.to_string(), "a.csv, line 3, column 2: 'x' is not a number");
    }
}
