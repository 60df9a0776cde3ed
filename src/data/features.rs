//! The TensorFlow Playground's input features: maps of a 2-D point (x, y) that a network can take instead of, or
//! beside, x and y themselves.
//!
//! ```text
//! x   y   x²   y²   xy   sin(x)   sin(y)
//! ```
//!
//! With x² and y² a single linear unit separates the circle (x² + y² < r² is linear in them); with xy, the xor set.

use std::fmt;
use std::str::FromStr;

use super::{DataError, Dataset};

/// One of the Playground's seven input features of a point (x, y).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// x
    X,
    /// y
    Y,
    /// x²
    X2,
    /// y²
    Y2,
    /// x·y
    XY,
    /// sin x
    SinX,
    /// sin y
    SinY,
}

impl Feature {
    /// All seven, in the Playground's order.
    pub const ALL: [Feature; 7] =
        [Feature::X, Feature::Y, Feature::X2, Feature::Y2, Feature::XY, Feature::SinX, Feature::SinY];

    /// The feature's value at (x, y).
    pub fn eval(self, x: f64, y: f64) -> f64 {
        match self {
            Feature::X => x,
            Feature::Y => y,
            Feature::X2 => x * x,
            Feature::Y2 => y * y,
            Feature::XY => x * y,
            Feature::SinX => x.sin(),
            Feature::SinY => y.sin(),
        }
    }

    /// The short name the command line takes: `x`, `y`, `x2`, `y2`, `xy`, `sinx`, `siny`.
    pub fn key(self) -> &'static str {
        match self {
            Feature::X => "x",
            Feature::Y => "y",
            Feature::X2 => "x2",
            Feature::Y2 => "y2",
            Feature::XY => "xy",
            Feature::SinX => "sinx",
            Feature::SinY => "siny",
        }
    }
}

/// As a learner reads it: `x`, `y`, `x²`, `y²`, `xy`, `sin(x)`, `sin(y)` (each parses back).
impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Feature::X => "x",
            Feature::Y => "y",
            Feature::X2 => "x²",
            Feature::Y2 => "y²",
            Feature::XY => "xy",
            Feature::SinX => "sin(x)",
            Feature::SinY => "sin(y)",
        })
    }
}

/// Accepts the keys (`x2`, `sinx`), and ignoring case, spaces, `^`, `*` and parentheses, also `x^2`, `x²`, `x*y`,
/// `sin(x)`, `sin x`.
impl FromStr for Feature {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| !(c.is_whitespace() || matches!(c, '^' | '*' | '(' | ')')))
            .map(|c| if c == '²' { '2' } else { c.to_ascii_lowercase() })
            .collect();
        Feature::ALL.into_iter().find(|f| f.key() == key).ok_or_else(|| DataError::BadFeature {
            text: s.trim().to_owned(),
            reason: format!(
                "not an input feature{}; choose from x, y, x2, y2, xy, sinx, siny",
                super::error::did_you_mean(&key, Feature::ALL.iter().map(|f| f.key()))
            ),
        })
    }
}

/// A comma-separated list of features, `"x,y,x2"`. Refuses an empty list or item and a feature listed twice.
pub fn parse_features(list: &str) -> Result<Vec<Feature>, DataError> {
    let mut out: Vec<Feature> = Vec::new();
    for item in list.split(',') {
        if item.trim().is_empty() {
            return Err(DataError::BadFeature {
                text: list.trim().to_owned(),
                reason: "the list has an empty entry; write the features separated by commas, e.g. x,y,x2".into(),
            });
        }
        let f: Feature = item.parse()?;
        if out.contains(&f) {
            return Err(DataError::BadFeature { text: item.trim().to_owned(), reason: "listed twice".into() });
        }
        out.push(f);
    }
    Ok(out)
}

/// The dataset with each point (x, y) replaced by the chosen features of it, in the given order, named by their
/// Display. O(n · features). Needs 2-D data and at least one feature.
pub fn with_features(data: &Dataset, features: &[Feature]) -> Result<Dataset, DataError> {
    if data.d != 2 {
        return Err(DataError::FeaturesNeed2D { d: data.d });
    }
    if features.is_empty() {
        return Err(DataError::BadFeature {
            text: String::new(),
            reason: "no features chosen; a network needs at least one input, e.g. x".into(),
        });
    }
    let mut x = Vec::with_capacity(data.n() * features.len());
    for i in 0..data.n() {
        let p = data.row(i);
        x.extend(features.iter().map(|f| f.eval(p[0], p[1])));
    }
    Ok(Dataset {
        x,
        y: data.y.clone(),
        d: features.len(),
        feature_names: features.iter().map(|f| f.to_string()).collect(),
        class_names: data.class_names.clone(),
        targets: data.targets.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_points() -> Dataset {
        Dataset {
            x: vec![2.0, -3.0, 0.5, std::f64::consts::FRAC_PI_2],
            y: vec![0, 1],
            d: 2,
            feature_names: vec!["x".into(), "y".into()],
            class_names: vec!["-1".into(), "+1".into()],
            targets: Vec::new(),
        }
    }

    #[test]
    fn values_by_hand() {
        let out = with_features(&two_points(), &Feature::ALL).unwrap();
        assert_eq!(out.d, 7);
        // (2, −3): x = 2, y = −3, x² = 4, y² = 9, xy = −6, sin 2, sin(−3).
        assert_eq!(out.row(0), &[2.0, -3.0, 4.0, 9.0, -6.0, 2f64.sin(), (-3f64).sin()]);
        // (0.5, π/2): x² = 0.25, y² = π²/4, xy = π/4, sin 0.5, sin(π/2) = 1.
        let r = out.row(1);
        assert_eq!(&r[..3], &[0.5, std::f64::consts::FRAC_PI_2, 0.25]);
        assert!((r[3] - std::f64::consts::PI.powi(2) / 4.0).abs() < 1e-15);
        assert!((r[4] - std::f64::consts::FRAC_PI_4).abs() < 1e-15);
        assert_eq!(r[5], 0.5f64.sin());
        assert_eq!(r[6], 1.0);
        assert_eq!(out.feature_names, ["x", "y", "x²", "y²", "xy", "sin(x)", "sin(y)"]);
        assert_eq!(out.y, vec![0, 1]);
    }

    #[test]
    fn order_follows_the_list() {
        let out = with_features(&two_points(), &[Feature::XY, Feature::X]).unwrap();
        // (2, −3) → [xy, x] = [−6, 2].
        assert_eq!(out.row(0), &[-6.0, 2.0]);
    }

    #[test]
    fn parsing() {
        use Feature::*;
        assert_eq!(parse_features("x,y,x2").unwrap(), vec![X, Y, X2]);
        assert_eq!(parse_features(" x^2 , Y², x*y, sin(x), sin y ").unwrap(), vec![X2, Y2, XY, SinX, SinY]);
        for f in Feature::ALL {
            assert_eq!(f.to_string().parse::<Feature>().unwrap(), f);
            assert_eq!(f.key().parse::<Feature>().unwrap(), f);
        }
        let e = parse_features("x,sinz").unwrap_err().to_string();
        // "sinz" is one substitution from "sinx".
        assert!(e.contains("'sinz'") && e.contains("did you mean 'sinx'"), "{e}");
        assert!(parse_features("x,,y").unwrap_err().to_string().contains("empty entry"));
        assert!(parse_features("").is_err());
        assert!(parse_features("x,X").unwrap_err().to_string().contains("listed twice"));
    }

    #[test]
    fn needs_2d_data() {
        let mut data = two_points();
        data.d = 1;
        data.x.truncate(2);
        data.feature_names.truncate(1);
        let e = with_features(&data, &[Feature::X]).unwrap_err();
        assert!(e.to_string().contains("apply to 2-D data"), "{e}");
        assert!(with_features(&two_points(), &[]).is_err());
    }
}
