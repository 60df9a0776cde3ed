//! Saving and loading a trained network as safetensors, with the names and shapes PyTorch's `nn.Sequential` of
//! `nn.Linear` / `nn.BatchNorm1d` / activation modules gives them (`0.weight` of shape [out, in], `0.bias` [out],
//! `1.running_mean`, `1.num_batches_tracked` (int64, shape []), ...), so that
//! `model.load_state_dict(safetensors.torch.load_file(path))` works on the matching PyTorch model.
//!
//! The metadata (`__metadata__`) holds `format: pt` and `chainrule`: a JSON [`ModelMeta`] with the architecture,
//! the PyTorch modules in order, the input features, the fitted preprocessing and the class labels, so that
//! `chainrule predict` needs nothing but the file.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use super::spec::torch_module;
use super::{Built, Mlp, MlpSpec, NnError};
use crate::tensor::Element;

/// Everything besides the weights that a saved model needs to predict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// The architecture.
    pub spec: MlpSpec,
    /// The PyTorch modules in `nn.Sequential` order (`Linear(2, 8)`, `BatchNorm1d(8)`, `Tanh()`, ...).
    pub torch: Vec<String>,
    /// Element type of the weights (`f32` or `f64`).
    pub dtype: String,
    /// The input features the network reads (e.g. `["x", "y", "x2"]`), in order.
    pub features: Vec<String>,
    /// The fitted preprocessing, as the data module serializes it (null for none).
    pub preprocess: serde_json::Value,
    /// The text of each class index.
    pub classes: Vec<String>,
    /// Where the training data came from.
    pub dataset: String,
}

/// The PyTorch modules of a network, in order.
pub fn torch_modules(spec: &MlpSpec) -> Vec<String> {
    spec.layers()
        .into_iter()
        .map(|l| match l {
            super::Layer::Linear { inputs, outputs } => format!("Linear({inputs}, {outputs})"),
            super::Layer::BatchNorm { width } => format!("BatchNorm1d({width})"),
            super::Layer::Act(u) => format!("{}()", torch_module(u)),
            super::Layer::Dropout(p) => format!("Dropout(p={p})"),
        })
        .collect()
}

fn bytes_of<T: Element>(x: &[T]) -> Vec<u8> {
    let mut out = Vec::with_capacity(std::mem::size_of_val(x));
    for &v in x {
        if std::mem::size_of::<T>() == 4 {
            out.extend_from_slice(&(v.as_f64() as f32).to_le_bytes());
        } else {
            out.extend_from_slice(&v.as_f64().to_le_bytes());
        }
    }
    out
}

fn dtype_of<T: Element>() -> Dtype {
    if std::mem::size_of::<T>() == 4 { Dtype::F32 } else { Dtype::F64 }
}

impl<T: Element> Mlp<T> {
    /// Writes the network to `path` as safetensors with `meta` (whose `spec`, `torch` and `dtype` are filled in
    /// here).
    pub fn save(&self, path: &Path, mut meta: ModelMeta) -> Result<(), NnError> {
        meta.spec = self.spec.clone();
        meta.torch = torch_modules(&self.spec);
        meta.dtype = T::NAME.into();
        let mut tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = Vec::new();
        let store = self.params();
        for layer in &self.layers {
            match layer {
                Built::Linear { weight, bias } => {
                    let (w, b) = (store.entry(*weight), store.entry(*bias));
                    tensors.push((
                        w.name.clone(),
                        dtype_of::<T>(),
                        vec![w.rows, w.cols],
                        bytes_of(store.value(*weight)),
                    ));
                    tensors.push((b.name.clone(), dtype_of::<T>(), vec![b.cols], bytes_of(store.value(*bias))));
                }
                Built::BatchNorm { gamma, beta, running, batches } => {
                    let (g, b) = (store.entry(*gamma), store.entry(*beta));
                    let prefix = g.name.trim_end_matches(".weight").to_string();
                    let w = g.cols;
                    tensors.push((g.name.clone(), dtype_of::<T>(), vec![w], bytes_of(store.value(*gamma))));
                    tensors.push((b.name.clone(), dtype_of::<T>(), vec![w], bytes_of(store.value(*beta))));
                    tensors.push((format!("{prefix}.running_mean"), dtype_of::<T>(), vec![w], bytes_of(&running[..w])));
                    tensors.push((format!("{prefix}.running_var"), dtype_of::<T>(), vec![w], bytes_of(&running[w..])));
                    let count = i64::try_from(*batches).unwrap_or(i64::MAX);
                    tensors.push((
                        format!("{prefix}.num_batches_tracked"),
                        Dtype::I64,
                        vec![],
                        count.to_le_bytes().to_vec(),
                    ));
                }
                _ => {}
            }
        }
        let views = tensors
            .iter()
            .map(|(name, dtype, shape, bytes)| TensorView::new(*dtype, shape.clone(), bytes).map(|v| (name.clone(), v)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| model_err(path, format!("cannot lay out the tensors: {e}")))?;
        let json = serde_json::to_string(&meta).map_err(|e| model_err(path, e.to_string()))?;
        let info = HashMap::from([("format".to_string(), "pt".to_string()), ("chainrule".to_string(), json)]);
        safetensors::serialize_to_file(views, Some(info), path)
            .map_err(|e| model_err(path, format!("cannot write: {e}")))
    }

    /// Reads a network saved by [`Mlp::save`] (in either element type) and its metadata.
    pub fn load(path: &Path) -> Result<(Self, ModelMeta), NnError> {
        let bytes = std::fs::read(path).map_err(|e| model_err(path, format!("cannot read: {e}")))?;
        let meta = meta_of(path, &bytes)?;
        let st =
            SafeTensors::deserialize(&bytes).map_err(|e| model_err(path, format!("not a safetensors file ({e})")))?;
        let mut mlp = Mlp::<T>::new(&meta.spec, 0).map_err(|e| model_err(path, format!("bad architecture: {e}")))?;
        let read = |name: &str, len: usize| -> Result<Vec<T>, NnError> {
            let t = st.tensor(name).map_err(|_| model_err(path, format!("tensor {name} is missing")))?;
            let n: usize = t.shape().iter().product();
            if n != len {
                return Err(model_err(path, format!("tensor {name} has shape {:?}, expected {len} values", t.shape())));
            }
            match t.dtype() {
                Dtype::F32 => Ok(t
                    .data()
                    .chunks_exact(4)
                    .map(|c| T::from_f64(f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64))
                    .collect()),
                Dtype::F64 => Ok(t
                    .data()
                    .chunks_exact(8)
                    .map(|c| T::from_f64(f64::from_le_bytes(c.try_into().expect("8 bytes"))))
                    .collect()),
                d => Err(model_err(path, format!("tensor {name} is {d:?}, expected F32 or F64"))),
            }
        };
        let ids: Vec<(String, crate::tensor::ParamId, usize)> = mlp
            .params()
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.clone(), crate::tensor::ParamId(i as u32), e.len()))
            .collect();
        for (name, id, len) in ids {
            let values = read(&name, len)?;
            mlp.params_mut().value_mut(id).copy_from_slice(&values);
        }
        let prefixes: Vec<String> = mlp
            .layers
            .iter()
            .filter_map(|l| match l {
                Built::BatchNorm { gamma, .. } => {
                    Some(mlp.params().entry(*gamma).name.trim_end_matches(".weight").to_string())
                }
                _ => None,
            })
            .collect();
        let mut it = prefixes.into_iter();
        for layer in &mut mlp.layers {
            if let Built::BatchNorm { running, .. } = layer {
                let prefix = it.next().expect("one prefix per batch-norm layer");
                let w = running.len() / 2;
                running[..w].copy_from_slice(&read(&format!("{prefix}.running_mean"), w)?);
                running[w..].copy_from_slice(&read(&format!("{prefix}.running_var"), w)?);
            }
        }
        Ok((mlp, meta))
    }
}

/// Reads only the metadata of a model saved by [`Mlp::save`] (its element type, architecture, features, classes).
pub fn read_meta(path: &Path) -> Result<ModelMeta, NnError> {
    let bytes = std::fs::read(path).map_err(|e| model_err(path, format!("cannot read: {e}")))?;
    meta_of(path, &bytes)
}

fn meta_of(path: &Path, bytes: &[u8]) -> Result<ModelMeta, NnError> {
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| model_err(path, format!("not a safetensors file ({e})")))?;
    let json = header.metadata().as_ref().and_then(|m| m.get("chainrule")).ok_or_else(|| {
        model_err(path, "no chainrule metadata: this file was not saved by `chainrule train --save`".into())
    })?;
    serde_json::from_str(json).map_err(|e| model_err(path, format!("unreadable chainrule metadata: {e}")))
}

fn model_err(path: &Path, reason: String) -> NnError {
    NnError::Model { path: path.display().to_string(), reason }
}
