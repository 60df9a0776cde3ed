//! Setups that teach, each with the one thing it shows (TensorFlow Playground's lessons and the lecture's).

use crate::nn::Init;
use crate::nn::playground::Setup;
use crate::scalar::Unary;

/// A preset: its name in the menu, what it teaches, and its setup.
pub struct Preset {
    /// The menu's entry.
    pub name: &'static str,
    /// The lesson, shown when it is chosen.
    pub lesson: &'static str,
    /// The setup.
    pub setup: fn() -> Setup,
}

fn spec(text: &str) -> crate::optim::OptimSpec {
    text.parse().expect("the presets' specs are valid (tested)")
}

/// Every preset, in the menu's order.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "circle needs a hidden layer",
        lesson: "a linear model draws one straight line and cannot enclose the circle; press + layer and train again",
        setup: || Setup { dataset: "circle".into(), hidden: vec![], ..Setup::default() },
    },
    Preset {
        name: "xor wants the xy feature",
        lesson: "with the feature xy one unit separates the four quadrants; without it, it takes hidden units",
        setup: || Setup {
            dataset: "xor".into(),
            hidden: vec![],
            features: vec!["x".into(), "y".into(), "xy".into()],
            ..Setup::default()
        },
    },
    Preset {
        name: "spiral needs depth",
        lesson: "two interleaved arms: several layers of tanh units bend the boundary around them (a few hundred epochs)",
        setup: || Setup {
            dataset: "spiral".into(),
            hidden: vec![8, 8, 8, 8],
            opt: spec("adam:lr=0.01"),
            init: Init::Xavier,
            ..Setup::default()
        },
    },
    Preset {
        name: "digits",
        lesson: "8×8 images of handwritten digits, 64 inputs and 10 classes: no plane to draw, watch the curves",
        setup: || Setup {
            dataset: "digits".into(),
            hidden: vec![8, 8],
            opt: spec("adam:lr=0.01"),
            init: Init::Xavier,
            batch: 32,
            ..Setup::default()
        },
    },
    Preset {
        name: "too large a learning rate diverges",
        lesson: "ReLU units, the squared error and SGD at lr = 5: each step overshoots more, the loss blows up within \
                 the first epoch and the run stops",
        setup: || Setup {
            dataset: "circle".into(),
            hidden: vec![8, 8],
            activation: Unary::Relu,
            loss: Some(crate::tensor::Loss::Mse),
            opt: spec("sgd:lr=5"),
            ..Setup::default()
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_builds() {
        for p in PRESETS {
            (p.setup)().trainer().unwrap_or_else(|e| panic!("{}: {e}", p.name));
        }
    }
}
