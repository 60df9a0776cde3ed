//! The bundled UCI optical digits (`assets/data/digits.csv`, see `assets/data/LICENSE-digits.txt`): 1797 images of
//! handwritten digits, 8×8 pixels `p0`..`p63` in row-major order, each a count 0..16 of inked pixels in a 4×4 block of
//! the original 32×32 bitmap; label 0..9. It is the copy scikit-learn's `load_digits` reads, with a header added. The
//! text is compiled into the binary and parsed by the CSV loader on first use, then cloned.

use std::sync::OnceLock;

use super::{Dataset, parse_csv};

/// The CSV, compiled in so `generate("digits", ..)` works from any directory.
const DIGITS_CSV: &str = include_str!("../../assets/data/digits.csv");

/// The digits dataset: 1797 rows, 64 features, 10 classes.
pub(super) fn digits() -> Dataset {
    static DIGITS: OnceLock<Dataset> = OnceLock::new();
    DIGITS
        .get_or_init(|| {
            parse_csv(DIGITS_CSV, "digits.csv (bundled)").expect("the bundled digits.csv parses; a test checks it")
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_classes_and_range() {
        let data = digits();
        assert_eq!((data.n(), data.d, data.classes()), (1797, 64, 10));
        assert!(data.x.iter().all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0));
        assert_eq!(data.class_names, (0..10).map(|i| i.to_string()).collect::<Vec<_>>());
        assert_eq!(data.feature_names[0], "p0");
        assert_eq!(data.feature_names[63], "p63");
        // scikit-learn's counts per digit: 178 182 177 183 181 182 181 179 174 180.
        assert_eq!(data.class_counts(), vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        // The first image is a 0; its top row is 0 0 5 13 9 1 0 0.
        assert_eq!(data.y[0], 0);
        assert_eq!(&data.row(0)[..8], &[0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
    }
}
