//! The network description both backends build from, checked before anything is allocated.

use serde::{Deserialize, Serialize};

use super::Init;
use crate::scalar::Unary;
use crate::tensor::{Loss, TensorError};

/// A setting of a network or of its training, as the core names it (the fields of [`MlpSpec`] and
/// [`super::TrainConfig`], and `init-stats`' sizes). The core's messages use [`Field::name`]; the command line puts
/// the field's flag in its place and the window its control's label ([`NnError::named`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The hidden layers' sizes.
    Hidden,
    /// The hidden layers' activation.
    Activation,
    /// The weight initializer.
    Init,
    /// The loss.
    Loss,
    /// The probability p of dropping a unit.
    Dropout,
    /// The L1 penalty's weight.
    L1,
    /// The L2 penalty's weight.
    L2,
    /// The minibatch size.
    Batch,
    /// The optimizer and its hyper-parameters.
    Opt,
    /// The learning-rate schedule.
    Schedule,
    /// The number of layers of an initialization experiment.
    Depth,
    /// The width of an initialization experiment's layers.
    Width,
    /// The number of inputs an initialization experiment samples.
    Samples,
}

impl Field {
    /// The field's name in the core's messages.
    pub fn name(self) -> &'static str {
        match self {
            Field::Hidden => "hidden layers",
            Field::Activation => "activation",
            Field::Init => "init",
            Field::Loss => "loss",
            Field::Dropout => "dropout p",
            Field::L1 => "l1",
            Field::L2 => "l2",
            Field::Batch => "batch",
            Field::Opt => "optimizer",
            Field::Schedule => "schedule",
            Field::Depth => "depth",
            Field::Width => "width",
            Field::Samples => "samples",
        }
    }
}

/// What can be wrong with a network description or its use; a setting's message names its field and the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NnError {
    /// A layer of no units, no inputs, or no outputs.
    #[error("{what} must be at least 1 (got {got})")]
    Size {
        /// Which size.
        what: &'static str,
        /// The value.
        got: usize,
    },
    /// A setting out of its range, or one that does not parse: `dropout p = 1.5: not a probability of dropping in
    /// [0, 1)`.
    #[error("{} = {value}: {reason}", .field.name())]
    Setting {
        /// Which setting.
        field: Field,
        /// The value as given.
        value: String,
        /// What is wrong with it, and what would do.
        reason: String,
    },
    /// A tensor op refused its operands (shapes or targets).
    #[error(transparent)]
    Tensor(#[from] TensorError),
    /// A training thread that ended abnormally.
    #[error("{0}")]
    Worker(String),
    /// A training run's snapshot loaded into a network of another shape.
    #[error(
        "a snapshot of {got_params} parameters and {got_norms} batch-norm layers does not fit this network \
         ({want_params} and {want_norms})"
    )]
    Snapshot {
        /// The snapshot's parameter count.
        got_params: usize,
        /// The snapshot's number of batch-norm layers.
        got_norms: usize,
        /// The network's parameter count.
        want_params: usize,
        /// The network's number of batch-norm layers.
        want_norms: usize,
    },
    /// A model file read with a setting its contents contradict: `m.safetensors: activation = relu: the file's
    /// metadata says its hidden layers use tanh`.
    #[error("{path}: {} = {value}: {reason}", .field.name())]
    ModelSetting {
        /// The file.
        path: String,
        /// Which setting.
        field: Field,
        /// The value as given.
        value: String,
        /// What the file says instead.
        reason: String,
    },
    /// A model file that cannot be read without a setting the caller left out (a PyTorch state dict's activation):
    /// `m.safetensors: no chainrule metadata: ... name its activation: activation = relu (or tanh, ...)`.
    #[error("{path}: {reason}: {} = {example}", .field.name())]
    ModelNeeds {
        /// The file.
        path: String,
        /// Which setting.
        field: Field,
        /// Why it is needed.
        reason: String,
        /// A value to give, as an example.
        example: String,
    },
    /// A saved model that cannot be read.
    #[error("{path}: {reason}")]
    Model {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl NnError {
    /// A setting's error: `field` = `value`, and why not.
    pub fn setting(field: Field, value: impl std::fmt::Display, reason: impl Into<String>) -> Self {
        NnError::Setting { field, value: value.to_string(), reason: reason.into() }
    }

    /// The setting the error is about, if it is about one.
    pub fn field(&self) -> Option<Field> {
        match self {
            NnError::Setting { field, .. }
            | NnError::ModelSetting { field, .. }
            | NnError::ModelNeeds { field, .. } => Some(*field),
            _ => None,
        }
    }

    /// The message with the setting called `name` (a flag such as `--dropout`, a control's label) in place of the
    /// field's name: `--dropout 1.5: not a probability of dropping in [0, 1)`. Other errors read as they are.
    pub fn named(&self, name: &str) -> String {
        match self {
            NnError::Setting { value, reason, .. } => format!("{name} {value}: {reason}"),
            NnError::ModelSetting { path, value, reason, .. } => format!("{path}: {name} {value}: {reason}"),
            NnError::ModelNeeds { path, reason, example, .. } => format!("{path}: {reason}: {name} {example}"),
            other => other.to_string(),
        }
    }
}

/// One layer of [`MlpSpec::layers`], in `nn.Sequential` order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layer {
    /// `nn.Linear(inputs, outputs)`.
    Linear {
        /// in_features.
        inputs: usize,
        /// out_features.
        outputs: usize,
    },
    /// `nn.BatchNorm1d(width)`.
    BatchNorm {
        /// num_features.
        width: usize,
    },
    /// An activation module (`nn.Tanh()`, `nn.ReLU()`, ...).
    Activation(Unary),
    /// `nn.Dropout(p)`.
    Dropout(f64),
}

/// The activations a hidden layer may use (every elementwise op of the scalar engine that makes sense as one).
pub const ACTIVATIONS: [Unary; 9] = [
    Unary::Tanh,
    Unary::Sigmoid,
    Unary::Relu,
    Unary::LeakyRelu,
    Unary::Elu,
    Unary::Selu,
    Unary::Softplus,
    Unary::Sin,
    Unary::Abs,
];

/// Parses an activation name (`tanh`, `relu`, `leaky_relu` or `leaky-relu`, ...; `linear` is not one: use a
/// network without hidden layers instead).
pub fn parse_activation(name: &str) -> Result<Unary, NnError> {
    let key = name.trim().to_ascii_lowercase().replace('-', "_");
    ACTIVATIONS.into_iter().find(|u| u.name() == key).ok_or_else(|| {
        NnError::setting(
            Field::Activation,
            name,
            format!("unknown; use one of {}", ACTIVATIONS.map(|u| u.name()).join(", ")),
        )
    })
}

/// The PyTorch module an activation is, for the model's metadata (`nn.Tanh`, ...).
pub fn torch_module(u: Unary) -> &'static str {
    match u {
        Unary::Tanh => "Tanh",
        Unary::Sigmoid => "Sigmoid",
        Unary::Relu => "ReLU",
        Unary::LeakyRelu => "LeakyReLU",
        Unary::Elu => "ELU",
        Unary::Selu => "SELU",
        Unary::Softplus => "Softplus",
        _ => "",
    }
}

/// A multi-layer perceptron: sizes, activations, batch norm, dropout, initialization, loss and penalties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpSpec {
    /// Input features.
    pub inputs: usize,
    /// Units per hidden layer (may be empty: a linear model).
    pub hidden: Vec<usize>,
    /// Output units (1 for bce and hinge, K for ce and svm; mse: 1 for two classes, else K).
    pub outputs: usize,
    /// The activation of each hidden layer (one per entry of `hidden`).
    pub activations: Vec<Unary>,
    /// A `BatchNorm1d` after each hidden Linear, before its activation.
    pub batchnorm: bool,
    /// PyTorch's dropout probability (of dropping) after each hidden activation; 0 for none.
    pub dropout: f64,
    /// How the weights start.
    pub init: Init,
    /// The data loss.
    pub loss: Loss,
    /// λ₁ of the L1 penalty on the weights.
    pub l1: f64,
    /// λ₂ of the L2 penalty on the weights.
    pub l2: f64,
}

impl MlpSpec {
    /// A network for `inputs` features and `classes` classes: the output width follows the loss (see `outputs`),
    /// and every hidden layer gets `activation`.
    pub fn classifier(
        inputs: usize,
        hidden: &[usize],
        classes: usize,
        activation: Unary,
        loss: Loss,
    ) -> Result<Self, NnError> {
        let outputs = match loss {
            Loss::BceLogits | Loss::MarginHinge => {
                if classes != 2 {
                    return Err(NnError::setting(
                        Field::Loss,
                        loss.name(),
                        format!("needs exactly two classes and the data has {classes}; use ce or svm for K classes"),
                    ));
                }
                1
            }
            // two classes (±1 targets) or a regression set's one value
            Loss::Mse if classes <= 2 => 1,
            _ => {
                if classes < 2 {
                    return Err(NnError::setting(
                        Field::Loss,
                        loss.name(),
                        format!("needs at least two classes and the data has {classes}"),
                    ));
                }
                classes
            }
        };
        let spec = Self {
            inputs,
            hidden: hidden.to_vec(),
            outputs,
            activations: vec![activation; hidden.len()],
            batchnorm: false,
            dropout: 0.0,
            init: Init::Xavier,
            loss,
            l1: 0.0,
            l2: 0.0,
        };
        spec.validate()?;
        Ok(spec)
    }

    /// Checks every size and setting.
    pub fn validate(&self) -> Result<(), NnError> {
        if self.inputs == 0 {
            return Err(NnError::Size { what: "the number of input features", got: 0 });
        }
        if self.outputs == 0 {
            return Err(NnError::Size { what: "the number of outputs", got: 0 });
        }
        if let Some(i) = self.hidden.iter().position(|&h| h == 0) {
            return Err(NnError::setting(
                Field::Hidden,
                self.hidden.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(","),
                format!("hidden layer {} has 0 units; every layer needs at least 1", i + 1),
            ));
        }
        if self.activations.len() != self.hidden.len() {
            return Err(NnError::setting(
                Field::Hidden,
                format!("{:?}", self.hidden),
                "one activation per hidden layer",
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(NnError::setting(Field::Dropout, self.dropout, "not a probability of dropping in [0, 1)"));
        }
        for (field, value) in [(Field::L1, self.l1), (Field::L2, self.l2)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(NnError::setting(field, value, "must be a finite number ≥ 0"));
            }
        }
        self.init.validate()?;
        Ok(())
    }

    /// The layers in `nn.Sequential` order; a layer's index is its name prefix in the state dict.
    pub fn layers(&self) -> Vec<Layer> {
        let mut out = Vec::new();
        let mut width = self.inputs;
        for (&h, &act) in self.hidden.iter().zip(&self.activations) {
            out.push(Layer::Linear { inputs: width, outputs: h });
            if self.batchnorm {
                out.push(Layer::BatchNorm { width: h });
            }
            out.push(Layer::Activation(act));
            if self.dropout > 0.0 {
                out.push(Layer::Dropout(self.dropout));
            }
            width = h;
        }
        out.push(Layer::Linear { inputs: width, outputs: self.outputs });
        out
    }

    /// The architecture in words: `2-8-8-1, tanh, batch norm, dropout 0.1`.
    pub fn describe(&self) -> String {
        let sizes: Vec<String> = std::iter::once(self.inputs)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(self.outputs))
            .map(|s| s.to_string())
            .collect();
        let mut out = sizes.join("-");
        let mut acts: Vec<&str> = self.activations.iter().map(|u| u.name()).collect();
        acts.dedup();
        if !acts.is_empty() {
            out += &format!(", {}", acts.join("/"));
        }
        if self.batchnorm {
            out += ", batch norm";
        }
        if self.dropout > 0.0 {
            out += &format!(", dropout {}", self.dropout);
        }
        out
    }

    /// How many trainable scalars.
    pub fn parameter_count(&self) -> usize {
        self.layers()
            .iter()
            .map(|l| match *l {
                Layer::Linear { inputs, outputs } => inputs * outputs + outputs,
                Layer::BatchNorm { width } => 2 * width,
                _ => 0,
            })
            .sum()
    }
}

/// Parses `8,8` (or `8x8`, or an empty string / `none` for no hidden layer).
pub fn parse_hidden(text: &str) -> Result<Vec<usize>, NnError> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    t.split([',', 'x'])
        .map(|part| {
            let p = part.trim();
            match p.parse::<usize>() {
                Ok(0) => Err(NnError::setting(
                    Field::Hidden,
                    text,
                    "a hidden layer has 0 units; every layer needs at least 1",
                )),
                Ok(n) if n > 1_000_000 => {
                    Err(NnError::setting(Field::Hidden, text, format!("{n} units is more than this tool allows (10⁶)")))
                }
                Ok(n) => Ok(n),
                Err(_) => Err(NnError::setting(
                    Field::Hidden,
                    text,
                    format!("'{p}' is not a number of units (write e.g. 8,8)"),
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_follow_pytorch_sequential_order() {
        let mut spec = MlpSpec::classifier(2, &[8, 4], 2, Unary::Tanh, Loss::BceLogits).expect("valid");
        spec.batchnorm = true;
        spec.dropout = 0.5;
        let layers = spec.layers();
        // 0 Linear, 1 BatchNorm1d, 2 Tanh, 3 Dropout, 4 Linear, 5 BatchNorm1d, 6 Tanh, 7 Dropout, 8 Linear
        assert_eq!(layers.len(), 9);
        assert_eq!(layers[0], Layer::Linear { inputs: 2, outputs: 8 });
        assert_eq!(layers[5], Layer::BatchNorm { width: 4 });
        assert_eq!(layers[8], Layer::Linear { inputs: 4, outputs: 1 });
        // 2·8+8 + 2·8 + 8·4+4 + 2·4 + 4·1+1 = 24 + 16 + 36 + 8 + 5
        assert_eq!(spec.parameter_count(), 89);
        assert_eq!(spec.describe(), "2-8-4-1, tanh, batch norm, dropout 0.5");
    }

    #[test]
    fn bad_settings_name_their_field_and_value() {
        let err = MlpSpec::classifier(2, &[8], 3, Unary::Tanh, Loss::BceLogits).unwrap_err();
        assert!(err.to_string().starts_with("loss = bce: needs exactly two classes and the data has 3"), "{err}");
        assert_eq!(err.field(), Some(Field::Loss));
        assert!(parse_hidden("8,0").unwrap_err().to_string().contains("0 units"));
        assert!(parse_hidden("8,a").unwrap_err().to_string().contains("'a' is not a number"));
        assert_eq!(parse_hidden("16x16").expect("valid"), [16, 16]);
        let mut spec = MlpSpec::classifier(2, &[8], 2, Unary::Tanh, Loss::SoftmaxCe).expect("valid");
        spec.dropout = 1.5;
        let err = spec.validate().unwrap_err();
        assert_eq!(err.to_string(), "dropout p = 1.5: not a probability of dropping in [0, 1)");
        // the edge names the setting its own way (the command line by its flag)
        assert_eq!(err.named("--dropout"), "--dropout 1.5: not a probability of dropping in [0, 1)");
        spec.dropout = 0.0;
        spec.l2 = -1.0;
        assert_eq!(spec.validate().unwrap_err().to_string(), "l2 = -1: must be a finite number ≥ 0");
        assert!(parse_activation("nope").unwrap_err().to_string().contains("tanh, sigmoid, relu"));
        assert_eq!(parse_activation("Leaky-ReLU").expect("valid"), Unary::LeakyRelu);
    }
}
