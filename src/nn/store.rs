//! Saving and loading a trained network as safetensors, with the names and shapes PyTorch's `nn.Sequential` of
//! `nn.Linear` / `nn.BatchNorm1d` / activation modules gives them (`0.weight` of shape [out, in], `0.bias` [out],
//! `1.running_mean`, `1.num_batches_tracked` (int64, shape []), ...), so that
//! `model.load_state_dict(safetensors.torch.load_file(path))` works on the matching PyTorch model.
//!
//! The metadata (`__metadata__`) holds `format: pt` and `chainrule`: a JSON [`ModelMeta`] with the architecture,
//! the PyTorch modules in order, the input features, the fitted preprocessing and the class labels, so that
//! `chainrule predict` needs nothing but the file.
//!
//! Reading is the other direction, and a file may come from anywhere: every size in the metadata is bounded and
//! checked against the tensors actually in the file before anything is allocated, every tensor's shape must equal
//! the description's, every value must be finite, and what does not fit is refused with the tensor's name. A state
//! dict PyTorch saved itself (no chainrule metadata) is read when the caller names the activation: the layers come
//! from the tensors' names and shapes ([`inspect`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use super::spec::torch_module;
use super::{Field, Init, Layer, Mlp, MlpLayer, MlpSpec, NnError};
use crate::data::{Fitted, Preprocess, WHITEN_EPS};
use crate::scalar::Unary;
use crate::tensor::{Element, Loss, ParamId};

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
            super::Layer::Activation(u) => format!("{}()", torch_module(u)),
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
                MlpLayer::Linear { weight, bias } => {
                    let (w, b) = (store.entry(*weight), store.entry(*bias));
                    tensors.push((
                        w.name.clone(),
                        dtype_of::<T>(),
                        vec![w.rows, w.cols],
                        bytes_of(store.value(*weight)),
                    ));
                    tensors.push((b.name.clone(), dtype_of::<T>(), vec![b.cols], bytes_of(store.value(*bias))));
                }
                MlpLayer::BatchNorm { gamma, beta, running, batches } => {
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

    /// Reads a network saved by [`Mlp::save`] (in either element type) and its metadata: [`Mlp::open`] of a file
    /// that must carry chainrule's metadata.
    pub fn load(path: &Path) -> Result<(Self, ModelMeta), NnError> {
        Self::open(path, None)
    }

    /// Reads a model file: one saved by [`Mlp::save`], or, when `activation` names its hidden layers' activation, a
    /// state dict PyTorch saved itself (no chainrule metadata: the layers are read from the tensors' names and
    /// shapes, see [`inspect`]). Every size and shape is checked against the tensors in the file before the network
    /// is allocated, and every value must be a finite number (batch norm's variances also ≥ 0).
    pub fn open(path: &Path, activation: Option<Unary>) -> Result<(Self, ModelMeta), NnError> {
        let bytes = read_file(path)?;
        let (st, checked) = check(path, &bytes, activation)?;
        let mut mlp =
            Mlp::<T>::new(&checked.meta.spec, 0).map_err(|e| model_err(path, format!("bad architecture: {e}")))?;
        let file_name = |name: &str| checked.names.get(name).cloned();
        let ids: Vec<(String, ParamId)> =
            mlp.params().entries.iter().enumerate().map(|(i, e)| (e.name.clone(), ParamId(i as u32))).collect();
        for (name, id) in ids {
            let name = file_name(&name).expect("check() maps every tensor of the description");
            let values = floats::<T>(&st, &name).map_err(|r| model_err(path, r))?;
            mlp.params_mut().value_mut(id).copy_from_slice(&values);
        }
        let prefixes: Vec<String> = mlp
            .layers
            .iter()
            .filter_map(|l| match l {
                MlpLayer::BatchNorm { gamma, .. } => {
                    Some(mlp.params().entry(*gamma).name.trim_end_matches(".weight").to_string())
                }
                _ => None,
            })
            .collect();
        let mut it = prefixes.into_iter();
        for layer in &mut mlp.layers {
            if let MlpLayer::BatchNorm { running, batches, .. } = layer {
                let prefix = it.next().expect("one prefix per batch-norm layer");
                let w = running.len() / 2;
                let name = |field: &str| file_name(&format!("{prefix}.{field}"));
                let mean = floats::<T>(&st, &name("running_mean").expect("checked")).map_err(|r| model_err(path, r))?;
                let var_name = name("running_var").expect("checked");
                let var = floats::<T>(&st, &var_name).map_err(|r| model_err(path, r))?;
                if let Some(k) = var.iter().position(|v| v.as_f64() < 0.0) {
                    return Err(model_err(path, format!("tensor {var_name} holds a negative variance at index {k}")));
                }
                running[..w].copy_from_slice(&mean);
                running[w..].copy_from_slice(&var);
                if let Some(count) = name("num_batches_tracked") {
                    *batches = batch_count(&st, &count).map_err(|r| model_err(path, r))?;
                }
            }
        }
        Ok((mlp, checked.meta))
    }
}

/// The most units a layer described in a file's metadata may have (the bound `--hidden` sets).
pub const MAX_UNITS: usize = 1_000_000;

/// Reads the metadata of a model file and checks it against the tensors in the file, allocating nothing the file's
/// sizes ask for: what [`Mlp::open`] would load (its element type, architecture, features, classes). Without
/// chainrule's metadata and with `activation`, the file is read as PyTorch's own state dict of an `nn.Sequential`
/// of `Linear`, `BatchNorm1d` (after a hidden Linear), activation and `Dropout` modules: `0.weight` [out, in],
/// `0.bias` [out], `1.weight`, `1.bias`, `1.running_mean`, `1.running_var` [features], `1.num_batches_tracked`
/// (int64, []), ...; the Linear layers must chain, modules without tensors (the activation, a Dropout) fill the
/// gaps between them, and anything else is refused with the tensor's name. Such a model has no feature names, no
/// preprocessing, and classes named by their index (`0`, `1`, ...); the last Linear's outputs are read as scores.
pub fn inspect(path: &Path, activation: Option<Unary>) -> Result<ModelMeta, NnError> {
    let bytes = read_file(path)?;
    check(path, &bytes, activation).map(|(_, c)| c.meta)
}

/// Reads and checks the metadata of a model saved by [`Mlp::save`] ([`inspect`] without an activation).
pub fn read_meta(path: &Path) -> Result<ModelMeta, NnError> {
    inspect(path, None)
}

/// The file's bytes; a file too large for memory is an error, not an abort.
fn read_file(path: &Path) -> Result<Vec<u8>, NnError> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| model_err(path, format!("cannot read: {e}")))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    usize::try_from(len)
        .ok()
        .and_then(|n| bytes.try_reserve_exact(n).ok())
        .ok_or_else(|| model_err(path, format!("{len} bytes is too large to read into memory")))?;
    file.read_to_end(&mut bytes).map_err(|e| model_err(path, format!("cannot read: {e}")))?;
    Ok(bytes)
}

/// A model file whose sizes and shapes fit: its metadata, and the file's name of each tensor of the description.
struct Checked {
    meta: ModelMeta,
    /// Description's name → file's name (the same for chainrule's files; a state dict's Dropout modules and a
    /// common prefix such as `net.` shift them).
    names: HashMap<String, String>,
}

/// One tensor a network's state dict holds.
struct Want {
    name: String,
    shape: Vec<usize>,
    /// `num_batches_tracked`: int64, not a weight.
    count: bool,
}

/// The tensors of a description's state dict, with PyTorch's shapes. Call only on a description whose sizes
/// were bounded ([`bound_spec`]): this allocates per layer, not per unit.
fn tensors_of(spec: &MlpSpec) -> Vec<Want> {
    let mut out = Vec::new();
    let want = |name: String, shape: Vec<usize>| Want { name, shape, count: false };
    for (i, layer) in spec.layers().into_iter().enumerate() {
        match layer {
            Layer::Linear { inputs, outputs } => {
                out.push(want(format!("{i}.weight"), vec![outputs, inputs]));
                out.push(want(format!("{i}.bias"), vec![outputs]));
            }
            Layer::BatchNorm { width } => {
                for field in ["weight", "bias", "running_mean", "running_var"] {
                    out.push(want(format!("{i}.{field}"), vec![width]));
                }
                out.push(Want { name: format!("{i}.num_batches_tracked"), shape: vec![], count: true });
            }
            Layer::Activation(_) | Layer::Dropout(_) => {}
        }
    }
    out
}

/// Checks a whole file: the safetensors layout, then chainrule's metadata or (with `activation`) the names and
/// shapes of a PyTorch state dict, then every tensor's shape and element type.
fn check<'a>(path: &Path, bytes: &'a [u8], activation: Option<Unary>) -> Result<(SafeTensors<'a>, Checked), NnError> {
    let refused = |reason: String| model_err(path, reason);
    // deserialize checks that the header's offsets tile the body exactly and that each tensor's bytes match its
    // shape and type: a truncated or padded file stops here
    let damaged = |e: safetensors::SafeTensorError| refused(format!("not a safetensors file, or a damaged one ({e})"));
    let st = SafeTensors::deserialize(bytes).map_err(damaged)?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(damaged)?;
    let checked = match (header.metadata().as_ref().and_then(|m| m.get("chainrule")), activation) {
        (Some(json), _) => {
            let checked = chainrule_file(&st, json).map_err(refused)?;
            if let Some(a) = activation
                && let Some(b) = checked.meta.spec.activations.iter().find(|&&u| u != a)
            {
                let reason = format!("the file's metadata says its hidden layers use {}", b.name());
                let path = path.display().to_string();
                return Err(NnError::ModelSetting { path, field: Field::Activation, value: a.name().into(), reason });
            }
            checked
        }
        (None, Some(act)) => state_dict(&st, act).map_err(refused)?,
        (None, None) => {
            return Err(NnError::ModelNeeds {
                path: path.display().to_string(),
                field: Field::Activation,
                reason: "no chainrule metadata: the file was not saved by `chainrule train --save`. If it is a \
                         PyTorch state dict (an nn.Sequential of Linear, BatchNorm1d and activation modules), name \
                         its activation"
                    .into(),
                example: "relu (or tanh, sigmoid, ...)".into(),
            });
        }
    };
    for want in tensors_of(&checked.meta.spec) {
        match checked.names.get(&want.name) {
            Some(name) => check_tensor(&st, name, &want).map_err(refused)?,
            None if want.count => {} // a state dict may leave the batch count out
            None => return Err(refused(format!("tensor {} is missing", want.name))),
        }
    }
    Ok((st, checked))
}

fn check_tensor(st: &SafeTensors<'_>, name: &str, want: &Want) -> Result<(), String> {
    let t = st.tensor(name).map_err(|_| format!("tensor {name} is missing"))?;
    if t.shape() != want.shape.as_slice() {
        let hint = if want.shape.len() == 2 { " ([out, in], as PyTorch's Linear stores it)" } else { "" };
        return Err(format!("tensor {name} has shape {:?}, the network needs {:?}{hint}", t.shape(), want.shape));
    }
    match (t.dtype(), want.count) {
        (Dtype::F32 | Dtype::F64, false) | (Dtype::I64, true) => Ok(()),
        (d, false) => Err(format!("tensor {name} is {d:?}; chainrule reads weights stored as F32 or F64")),
        (d, true) => Err(format!("tensor {name} is {d:?}; a batch count is I64")),
    }
}

/// A file saved by [`Mlp::save`]: its metadata's description, bounded and checked against the file's tensors.
fn chainrule_file(st: &SafeTensors<'_>, json: &str) -> Result<Checked, String> {
    let meta: ModelMeta = serde_json::from_str(json).map_err(|e| format!("unreadable chainrule metadata: {e}"))?;
    let spec = &meta.spec;
    bound_spec(spec, st.len())?;
    spec.validate().map_err(|e| format!("the metadata's architecture is not one chainrule builds: {e}"))?;
    if !matches!(meta.dtype.as_str(), "f32" | "f64") {
        return Err(format!("the metadata's element type {:?} is neither f32 nor f64", meta.dtype));
    }
    let wanted = tensors_of(spec);
    if let Some(extra) = st.names().into_iter().find(|n| !wanted.iter().any(|w| w.name == *n)) {
        return Err(format!("tensor {extra} is not part of the network the metadata describes ({})", spec.describe()));
    }
    check_meta(&meta)?;
    let names = wanted.into_iter().map(|w| (w.name.clone(), w.name)).collect();
    Ok(Checked { meta, names })
}

/// The sizes in a description, against a sane bound and the number of tensors in the file, before anything is
/// built from them.
fn bound_spec(spec: &MlpSpec, tensors: usize) -> Result<(), String> {
    // each Linear layer is two tensors in the file: a description with more cannot be what the file holds
    let linear = spec.hidden.len().saturating_add(1);
    if linear > tensors / 2 {
        return Err(format!(
            "the metadata describes {linear} Linear layers, but the file holds only {tensors} tensors (two per layer)"
        ));
    }
    let sizes = std::iter::once(("input features", spec.inputs))
        .chain(spec.hidden.iter().map(|&h| ("units of a hidden layer", h)))
        .chain(std::iter::once(("outputs", spec.outputs)));
    for (what, n) in sizes {
        if n > MAX_UNITS {
            return Err(format!("the metadata's {what} is {n}, more than chainrule reads ({MAX_UNITS})"));
        }
    }
    Ok(())
}

/// The metadata's features, classes and preprocessing against the network's inputs and outputs.
fn check_meta(meta: &ModelMeta) -> Result<(), String> {
    let spec = &meta.spec;
    let classes = if spec.outputs == 1 { 2 } else { spec.outputs };
    if meta.classes.len() != classes {
        return Err(format!(
            "the metadata names {} classes, but the network's {} outputs give {classes}",
            meta.classes.len(),
            spec.outputs
        ));
    }
    if !meta.features.is_empty() && meta.features.len() != spec.inputs {
        return Err(format!(
            "the metadata names {} input features, but the network reads {}",
            meta.features.len(),
            spec.inputs
        ));
    }
    if !meta.preprocess.is_null() {
        let fitted: Fitted = serde_json::from_value(meta.preprocess.clone())
            .map_err(|e| format!("unreadable preprocessing in the metadata: {e}"))?;
        check_fitted(&fitted, spec.inputs).map_err(|r| format!("the metadata's preprocessing {r}"))?;
    }
    Ok(())
}

/// A fitted preprocessing's vectors against its dimension (what `Fitted::apply_row` indexes by).
fn check_fitted(f: &Fitted, inputs: usize) -> Result<(), String> {
    let d = f.dim();
    if d != inputs {
        return Err(format!("is fitted on {d} features, but the network reads {inputs}"));
    }
    if f.std.len() != d {
        return Err(format!("has {} standard deviations for {d} features", f.std.len()));
    }
    if matches!(f.kind, Preprocess::Pca | Preprocess::Whiten)
        && (Some(f.components.len()) != d.checked_mul(d) || f.eigenvalues.len() != d)
    {
        return Err(format!(
            "has {} components and {} eigenvalues; {d} features need {d}×{d} and {d}",
            f.components.len(),
            f.eigenvalues.len()
        ));
    }
    let mut all = f.mean.iter().chain(&f.std).chain(&f.components).chain(&f.eigenvalues);
    if all.any(|v| !v.is_finite()) {
        return Err("holds a value that is not a finite number".into());
    }
    if f.kind == Preprocess::Standardize && f.std.iter().any(|&s| s <= 0.0) {
        return Err("divides by a standard deviation that is not positive".into());
    }
    if f.kind == Preprocess::Whiten && f.eigenvalues.iter().any(|&l| l + WHITEN_EPS <= 0.0) {
        return Err("whitens by the root of a negative variance".into());
    }
    Ok(())
}

/// The kind of an `nn.Sequential` module that holds tensors, read from its weight's shape.
#[derive(Clone, Copy)]
enum Module {
    Linear { inputs: usize, outputs: usize },
    BatchNorm { width: usize },
}

/// The tensors a module of an `nn.Sequential` state dict may hold, the Linear's two first.
const STATE_FIELDS: [&str; 5] = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"];

/// A state dict's module index → field → the tensor's name.
type ModuleTensors<'a> = BTreeMap<usize, BTreeMap<&'a str, &'a str>>;

/// One layer of a state dict: a Linear and the BatchNorm1d right after it, if any.
struct Block<'a> {
    index: usize,
    inputs: usize,
    outputs: usize,
    weight: &'a str,
    norm: Option<(usize, &'a str)>,
}

/// A state dict PyTorch saved itself: the description read from its tensors' names and shapes (see [`inspect`]).
fn state_dict(st: &SafeTensors<'_>, activation: Unary) -> Result<Checked, String> {
    let (prefix, modules) = modules_by_index(st)?;
    let read = module_kinds(st, &modules)?;
    let blocks = linear_blocks(&read)?;
    let spec = block_spec(&blocks, activation)?;
    spec.validate().map_err(|e| format!("the state dict's layers are not a network chainrule builds: {e}"))?;
    let names = file_names(&spec, &blocks, &modules, &prefix);
    let f64s = st.iter().any(|(_, t)| t.dtype() == Dtype::F64);
    let classes = if spec.outputs == 1 { 2 } else { spec.outputs };
    let meta = ModelMeta {
        torch: torch_modules(&spec),
        spec,
        dtype: if f64s { "f64" } else { "f32" }.into(),
        features: Vec::new(),
        preprocess: serde_json::Value::Null,
        classes: (0..classes).map(|c| c.to_string()).collect(),
        dataset: "a PyTorch state dict (no chainrule metadata)".into(),
    };
    Ok(Checked { meta, names })
}

/// The state dict's tensors by module index and field, with the prefix they share (`net.`, or none).
fn modules_by_index<'a>(st: &'a SafeTensors<'_>) -> Result<(String, ModuleTensors<'a>), String> {
    let not_sequential = |name: &str| {
        format!(
            "tensor {name} is not named as in an nn.Sequential's state dict (`0.weight`, `1.running_mean`, ...; a \
             common prefix such as `net.` is allowed)"
        )
    };
    let mut names: Vec<&str> = st.names();
    names.sort_unstable();
    let mut prefix: Option<(String, &str)> = None;
    let mut modules: ModuleTensors<'a> = BTreeMap::new();
    for name in names {
        let (module, field) = name.rsplit_once('.').ok_or_else(|| not_sequential(name))?;
        let (pre, index) = match module.rsplit_once('.') {
            Some((p, i)) => (format!("{p}."), i),
            None => (String::new(), module),
        };
        let index: usize = index.parse().map_err(|_| not_sequential(name))?;
        match &prefix {
            None => prefix = Some((pre, name)),
            Some((p, first)) if *p != pre => {
                return Err(format!("tensor {name} is not in the same nn.Sequential as {first}"));
            }
            Some(_) => {}
        }
        let Some(&field) = STATE_FIELDS.iter().find(|&&f| f == field) else {
            return Err(format!(
                "tensor {name}: `{field}` is not a tensor of Linear or BatchNorm1d ({})",
                STATE_FIELDS.join(", ")
            ));
        };
        modules.entry(index).or_default().insert(field, name);
    }
    let prefix = prefix.map(|(p, _)| p).ok_or("the file holds no tensors")?;
    Ok((prefix, modules))
}

/// Each module's kind, read from its weight's shape, with its index and its weight's name; every field a kind needs
/// present and no other.
fn module_kinds<'a>(
    st: &SafeTensors<'_>,
    modules: &ModuleTensors<'a>,
) -> Result<Vec<(usize, Module, &'a str)>, String> {
    let mut read: Vec<(usize, Module, &str)> = Vec::new();
    for (&index, fields) in modules {
        let any = fields.values().next().expect("a module is listed by one of its tensors");
        let weight = fields.get("weight").ok_or_else(|| {
            format!(
                "tensor {any}: module {index} has no weight (chainrule reads Linear layers with a bias and \
                 BatchNorm1d with affine=True)"
            )
        })?;
        let shape = st.tensor(weight).expect("a listed name").shape().to_vec();
        let (module, needs): (Module, &[&str]) = match shape[..] {
            [outputs, inputs] => (Module::Linear { inputs, outputs }, &["weight", "bias"]),
            [width] => (Module::BatchNorm { width }, &["weight", "bias", "running_mean", "running_var"]),
            _ => {
                return Err(format!(
                    "tensor {weight} has shape {shape:?}: neither a Linear's weight [out, in] nor a BatchNorm1d's \
                     [features]"
                ));
            }
        };
        let kind = if needs.len() == 2 { "Linear" } else { "BatchNorm1d" };
        if let Some(field) = needs.iter().find(|f| !fields.contains_key(*f)) {
            return Err(format!("tensor {weight}: the {kind} at module {index} has no {field}"));
        }
        let allowed = if needs.len() == 2 { &STATE_FIELDS[..2] } else { &STATE_FIELDS[..] };
        if let Some((_, name)) = fields.iter().find(|(f, _)| !allowed.contains(f)) {
            return Err(format!("tensor {name} does not belong to the {kind} at module {index} ({weight})"));
        }
        read.push((index, module, weight));
    }
    Ok(read)
}

/// The modules as layers: each Linear with the BatchNorm1d right after it, if any, in order.
fn linear_blocks<'a>(read: &[(usize, Module, &'a str)]) -> Result<Vec<Block<'a>>, String> {
    let mut blocks: Vec<Block<'_>> = Vec::new();
    let mut i = 0;
    while i < read.len() {
        let (index, module, weight) = read[i];
        let Module::Linear { inputs, outputs } = module else {
            return Err(format!("tensor {weight}: the BatchNorm1d at module {index} does not follow a Linear"));
        };
        let mut norm = None;
        if let Some(&(j, Module::BatchNorm { width }, bn)) = read.get(i + 1) {
            if j != index + 1 {
                return Err(format!(
                    "tensor {bn}: the BatchNorm1d at module {j} is not right after the Linear at {index}"
                ));
            }
            if width != outputs {
                return Err(format!(
                    "tensor {bn} has shape [{width}], but the Linear before it ({weight}) has {outputs} outputs"
                ));
            }
            norm = Some((j, bn));
            i += 1;
        }
        blocks.push(Block { index, inputs, outputs, weight, norm });
        i += 1;
    }
    Ok(blocks)
}

/// The description of the network the layers make: it starts with a Linear, ends with one without batch norm, the
/// hidden layers all have batch norm or none, the sizes chain, and one activation (and at most one Dropout) sits
/// between layers.
fn block_spec(blocks: &[Block<'_>], activation: Unary) -> Result<MlpSpec, String> {
    let first = &blocks[0];
    if first.index != 0 {
        return Err(format!(
            "tensor {}: the first Linear is module {}; chainrule reads an nn.Sequential that starts with a Linear",
            first.weight, first.index
        ));
    }
    let last = blocks.last().expect("at least one block");
    if let Some((_, bn)) = last.norm {
        return Err(format!("tensor {bn}: a BatchNorm1d after the last Linear is not a layer chainrule builds"));
    }
    let hidden = &blocks[..blocks.len() - 1];
    let batchnorm = hidden.first().is_some_and(|b| b.norm.is_some());
    for (k, pair) in blocks.windows(2).enumerate() {
        let (a, b) = (&pair[0], &pair[1]);
        if a.norm.is_some() != batchnorm {
            let (with, without) = if batchnorm { (hidden[0].weight, a.weight) } else { (a.weight, hidden[0].weight) };
            return Err(format!(
                "tensor {without}: some hidden Linear layers have a BatchNorm1d after them ({with}) and others not"
            ));
        }
        if b.inputs != a.outputs {
            return Err(format!(
                "tensor {} has shape [{}, {}]: its {} inputs do not match the {} outputs of {}",
                b.weight, b.outputs, b.inputs, b.inputs, a.outputs, a.weight
            ));
        }
        let end = a.norm.map_or(a.index, |(j, _)| j);
        if !(2..=3).contains(&(b.index - end)) {
            return Err(format!(
                "tensor {}: module {} follows module {end} with {} modules between; chainrule reads one activation \
                 ({}) and at most one Dropout between layers (Linear layer {})",
                b.weight,
                b.index,
                b.index - end - 1,
                activation.name(),
                k + 2
            ));
        }
    }
    Ok(MlpSpec {
        inputs: first.inputs,
        hidden: hidden.iter().map(|b| b.outputs).collect(),
        outputs: last.outputs,
        activations: vec![activation; hidden.len()],
        batchnorm,
        dropout: 0.0,
        init: Init::Xavier,
        loss: if last.outputs == 1 { Loss::BceLogits } else { Loss::SoftmaxCe },
        l1: 0.0,
        l2: 0.0,
    })
}

/// The description's tensor names (no Dropout, no prefix) → the file's.
fn file_names(
    spec: &MlpSpec,
    blocks: &[Block<'_>],
    modules: &ModuleTensors<'_>,
    prefix: &str,
) -> HashMap<String, String> {
    let mut names = HashMap::new();
    let mut at = blocks.iter().flat_map(|b| std::iter::once(b.index).chain(b.norm.map(|(j, _)| j)));
    for (i, layer) in spec.layers().into_iter().enumerate() {
        if matches!(layer, Layer::Linear { .. } | Layer::BatchNorm { .. }) {
            let index = at.next().expect("one module per layer with tensors");
            for field in STATE_FIELDS {
                if modules[&index].contains_key(field) {
                    names.insert(format!("{i}.{field}"), format!("{prefix}{index}.{field}"));
                }
            }
        }
    }
    names
}

/// A weight tensor's values in `T`; every one must be a finite number.
fn floats<T: Element>(st: &SafeTensors<'_>, name: &str) -> Result<Vec<T>, String> {
    let t = st.tensor(name).map_err(|_| format!("tensor {name} is missing"))?;
    let values: Vec<T> = match t.dtype() {
        Dtype::F32 => t
            .data()
            .chunks_exact(4)
            .map(|c| T::from_f64(f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64))
            .collect(),
        Dtype::F64 => {
            t.data().chunks_exact(8).map(|c| T::from_f64(f64::from_le_bytes(c.try_into().expect("8 bytes")))).collect()
        }
        d => return Err(format!("tensor {name} is {d:?}; chainrule reads weights stored as F32 or F64")),
    };
    if let Some(k) = values.iter().position(|v| !v.as_f64().is_finite()) {
        return Err(format!("tensor {name} holds a value that is not a finite number at index {k} (a damaged file?)"));
    }
    Ok(values)
}

/// A batch-norm layer's `num_batches_tracked` (int64, shape []).
fn batch_count(st: &SafeTensors<'_>, name: &str) -> Result<u64, String> {
    let t = st.tensor(name).map_err(|_| format!("tensor {name} is missing"))?;
    let bytes: [u8; 8] = t.data().try_into().map_err(|_| format!("tensor {name} is not one int64"))?;
    u64::try_from(i64::from_le_bytes(bytes)).map_err(|_| format!("tensor {name} holds a negative count of batches"))
}

fn model_err(path: &Path, reason: String) -> NnError {
    NnError::Model { path: path.display().to_string(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::Loss;

    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("chainrule-store-{}-{name}", std::process::id()))
    }

    #[test]
    fn the_activation_a_file_needs_or_contradicts_is_named_by_its_field() {
        // a chainrule file of tanh units, read as if its units were ReLUs
        let spec = MlpSpec::classifier(2, &[3], 2, Unary::Tanh, Loss::SoftmaxCe).expect("valid");
        let mlp = Mlp::<f32>::new(&spec, 0).expect("built");
        let path = temp("tanh.safetensors");
        let meta = ModelMeta {
            spec: spec.clone(),
            torch: vec![],
            dtype: String::new(),
            features: vec!["x".into(), "y".into()],
            preprocess: serde_json::Value::Null,
            classes: vec!["0".into(), "1".into()],
            dataset: "test".into(),
        };
        mlp.save(&path, meta).expect("saved");
        let err = inspect(&path, Some(Unary::Relu)).unwrap_err();
        let shown = path.display();
        assert_eq!(err.field(), Some(Field::Activation));
        let reason = "the file's metadata says its hidden layers use tanh";
        assert_eq!(err.to_string(), format!("{shown}: activation = relu: {reason}"));
        assert_eq!(err.named("--activation"), format!("{shown}: --activation relu: {reason}"));
        assert!(inspect(&path, Some(Unary::Tanh)).is_ok());
        let _ = std::fs::remove_file(&path);

        // a safetensors file without chainrule's metadata needs its activation named
        let bytes = [0u8; 4];
        let view = TensorView::new(Dtype::F32, vec![1, 1], &bytes).expect("a view");
        let path = temp("bare.safetensors");
        safetensors::serialize_to_file(vec![("0.weight".to_string(), view)], None, &path).expect("written");
        let err = inspect(&path, None).unwrap_err();
        assert_eq!(err.field(), Some(Field::Activation));
        let text = err.to_string();
        assert!(text.ends_with("name its activation: activation = relu (or tanh, sigmoid, ...)"), "{text}");
        assert!(!text.contains("--activation"), "the core names no flag: {text}");
        let named = err.named("--activation");
        assert!(named.ends_with("name its activation: --activation relu (or tanh, sigmoid, ...)"), "{named}");
        let _ = std::fs::remove_file(&path);
    }
}
