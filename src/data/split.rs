//! A seeded train/test split: shuffle the row indices (Fisher–Yates), take the first round(R·n) for training and the
//! rest for testing. Both parts come out in shuffled order, so neither keeps the generators' class-by-class order.
//! O(n · d).

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::{DataError, Dataset};

/// Splits `data` into (training, test) with `train_ratio` R ∈ (0, 1] of the rows for training: round(R·n) rows,
/// the same ones for the same seed. R = 1 gives an empty test set. Refuses an R outside (0, 1] and one that leaves
/// no training rows.
pub fn split(data: &Dataset, train_ratio: f64, seed: u64) -> Result<(Dataset, Dataset), DataError> {
    if !(train_ratio > 0.0 && train_ratio <= 1.0) {
        return Err(DataError::BadRatio { ratio: train_ratio });
    }
    let n = data.n();
    let n_train = (train_ratio * n as f64).round() as usize;
    if n_train == 0 {
        return Err(DataError::EmptyTraining { ratio: train_ratio, n });
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut StdRng::seed_from_u64(seed));
    let (train, test) = idx.split_at(n_train.min(n));
    Ok((data.subset(train), data.subset(test)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// n rows whose single feature is the row's own index, so the rows can be told apart.
    fn numbered(n: usize) -> Dataset {
        Dataset {
            x: (0..n).map(|i| i as f64).collect(),
            y: (0..n).map(|i| i % 2).collect(),
            d: 1,
            feature_names: vec!["i".into()],
            class_names: vec!["even".into(), "odd".into()],
            targets: Vec::new(),
        }
    }

    fn ids(data: &Dataset) -> Vec<usize> {
        data.x.iter().map(|&v| v as usize).collect()
    }

    #[test]
    fn sizes() {
        // round(0.5·101) = round(50.5) = 51 (half away from zero); round(0.8·10) = 8; round(0.33·10) = round(3.3) = 3.
        for (r, n, n_train) in [(0.5, 101, 51), (0.8, 10, 8), (0.33, 10, 3), (1.0, 7, 7)] {
            let (train, test) = split(&numbered(n), r, 0).unwrap();
            assert_eq!((train.n(), test.n()), (n_train, n - n_train), "R = {r}, n = {n}");
        }
    }

    #[test]
    fn disjoint_covering_and_labels_follow_rows() {
        let data = numbered(200);
        let (train, test) = split(&data, 0.7, 42).unwrap();
        let mut all = ids(&train);
        all.extend(ids(&test));
        all.sort_unstable();
        assert_eq!(all, (0..200).collect::<Vec<_>>());
        for part in [&train, &test] {
            assert!(part.x.iter().zip(&part.y).all(|(&v, &c)| v as usize % 2 == c));
            assert_eq!(part.class_names, data.class_names);
        }
    }

    #[test]
    fn reproducible_and_shuffled() {
        let data = numbered(100);
        assert_eq!(split(&data, 0.5, 9).unwrap(), split(&data, 0.5, 9).unwrap());
        assert_ne!(split(&data, 0.5, 9).unwrap().0, split(&data, 0.5, 10).unwrap().0);
        // Not the first half in order.
        assert_ne!(ids(&split(&data, 0.5, 9).unwrap().0), (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn bad_ratios() {
        let data = numbered(10);
        for r in [0.0, -0.5, 1.01, f64::NAN, f64::INFINITY] {
            assert!(matches!(split(&data, r, 0), Err(DataError::BadRatio { .. })), "{r}");
        }
        // round(0.04·10) = round(0.4) = 0 training rows.
        assert!(matches!(split(&data, 0.04, 0), Err(DataError::EmptyTraining { n: 10, .. })));
        assert!(matches!(split(&numbered(0), 1.0, 0), Err(DataError::EmptyTraining { n: 0, .. })));
    }
}
