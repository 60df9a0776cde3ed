//! Model files from elsewhere. Crafted files (huge sizes in the metadata, swapped shapes, truncated bodies, flipped
//! bytes, metadata that does not fit the network) are refused with their reason by every path that opens a model:
//! `chainrule predict` (exit 2), the library's loader ([`Mlp::open`], [`store::inspect`]) and the window (a model
//! dropped on it). A state dict PyTorch saved itself, with no chainrule metadata, opens in `predict` when the
//! activation is named, and predicts what a forward pass written out here predicts.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chainrule::app::App;
use chainrule::nn::store::{self, ModelMeta};
use chainrule::nn::{Mlp, MlpSpec};
use chainrule::scalar::Unary;
use chainrule::tensor::Loss;
use egui_kittest::kittest::Queryable;
use safetensors::tensor::{Dtype, TensorView};
use serde_json::{Value, json};

fn chainrule(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainrule")).args(args).output().expect("the binary runs")
}

/// A fresh folder for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chainrule-models-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Three blobs, labelled 0, 1, 2, as a CSV of two features.
fn blobs_csv(dir: &Path) -> PathBuf {
    let mut csv = String::from("u,v,label\n");
    for i in 0..60 {
        let t = i as f64 * 0.37;
        let (cx, cy) = [(-2.0, 0.0), (2.0, 0.0), (0.0, 2.5)][i % 3];
        csv += &format!("{},{},{}\n", cx + 0.5 * t.sin(), cy + 0.5 * (1.3 * t).cos(), i % 3);
    }
    let path = dir.join("blobs.csv");
    std::fs::write(&path, csv).expect("write csv");
    path
}

/// A chainrule model (2 inputs, hidden 4 and 3 with batch norm, 3 classes) saved by `Mlp::save`: its bytes.
fn saved_model(dir: &Path) -> Vec<u8> {
    let mut spec = MlpSpec::classifier(2, &[4, 3], 3, Unary::Tanh, Loss::SoftmaxCe).expect("a valid spec");
    spec.batchnorm = true;
    let mlp = Mlp::<f32>::new(&spec, 7).expect("built");
    let meta = ModelMeta {
        spec: spec.clone(),
        torch: vec![],
        dtype: String::new(),
        features: vec![],
        preprocess: Value::Null,
        classes: vec!["0".into(), "1".into(), "2".into()],
        dataset: "blobs".into(),
    };
    let path = dir.join("good.safetensors");
    mlp.save(&path, meta).expect("saved");
    std::fs::read(&path).expect("read back")
}

/// A safetensors file's header (JSON) and body.
fn split(bytes: &[u8]) -> (Value, Vec<u8>) {
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    (serde_json::from_slice(&bytes[8..8 + n]).expect("a JSON header"), bytes[8 + n..].to_vec())
}

/// A header and a body as a safetensors file (the header padded to 8 bytes with spaces, as the format writes it).
fn join(header: &Value, body: &[u8]) -> Vec<u8> {
    let mut h = serde_json::to_vec(header).expect("JSON");
    while !h.len().is_multiple_of(8) {
        h.push(b' ');
    }
    let mut out = (h.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&h);
    out.extend_from_slice(body);
    out
}

/// The file with its header changed by `f`.
fn with_header(bytes: &[u8], f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let (mut header, body) = split(bytes);
    f(&mut header);
    join(&header, &body)
}

/// The file with its chainrule metadata (a JSON string inside the header) changed by `f`.
fn with_meta(bytes: &[u8], f: impl FnOnce(&mut Value)) -> Vec<u8> {
    with_header(bytes, |h| {
        let text = h["__metadata__"]["chainrule"].as_str().expect("chainrule metadata").to_owned();
        let mut meta: Value = serde_json::from_str(&text).expect("JSON metadata");
        f(&mut meta);
        h["__metadata__"]["chainrule"] = json!(meta.to_string());
    })
}

/// The crafted files: (what, bytes, the words the refusal must hold).
fn crafted(good: &[u8]) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let (header, body) = split(good);
    let weight_at = header["0.weight"]["data_offsets"][0].as_u64().expect("offsets") as usize;
    let mut nan = body.clone();
    nan[weight_at..weight_at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    let mut negative_var = body.clone();
    let var_at = header["1.running_var"]["data_offsets"][0].as_u64().expect("offsets") as usize;
    negative_var[var_at..var_at + 4].copy_from_slice(&(-1.0f32).to_le_bytes());
    let mut broken_header = good.to_vec();
    let brace = broken_header[8..].iter().position(|&b| b == b'{').expect("a brace") + 8;
    broken_header[brace] = b'[';
    vec![
        // the file: a hidden layer of 4·10⁹ units aborted the process before any tensor was checked
        ("a huge hidden layer", with_meta(good, |m| m["spec"]["hidden"][0] = json!(4_000_000_000u64)), "4000000000"),
        (
            "a size under the bound that is not the file's",
            with_meta(good, |m| m["spec"]["hidden"][0] = json!(999_999)),
            "tensor 0.weight has shape [4, 2], the network needs [999999, 2]",
        ),
        (
            "a million layers",
            with_meta(good, |m| {
                m["spec"]["hidden"] = json!(vec![4; 1_000_000]);
                m["spec"]["activations"] = json!(vec!["Tanh"; 1_000_000]);
            }),
            "the file holds only 16 tensors",
        ),
        (
            "a huge input count",
            with_meta(good, |m| m["spec"]["inputs"] = json!(usize::MAX)),
            "input features is 18446744073709551615",
        ),
        // a framework storing [in, out]: the same bytes, the other shape
        (
            "swapped shapes",
            with_header(good, |h| h["0.weight"]["shape"] = json!([2, 4])),
            "tensor 0.weight has shape [2, 4], the network needs [4, 2]",
        ),
        ("a truncated body", good[..good.len() - 6].to_vec(), "damaged"),
        ("a truncated header", good[..40].to_vec(), "damaged"),
        ("a flipped byte in the header", broken_header, "damaged"),
        ("a NaN weight", join(&header, &nan), "tensor 0.weight holds a value that is not a finite number"),
        ("a negative variance", join(&header, &negative_var), "tensor 1.running_var holds a negative variance"),
        ("a weight of integers", with_header(good, |h| h["0.bias"]["dtype"] = json!("I32")), "tensor 0.bias is I32"),
        (
            "a tensor the network does not have",
            with_header(good, |h| {
                let t = h.as_object_mut().expect("object").remove("0.bias").expect("0.bias");
                h["0.offset"] = t;
            }),
            "tensor 0.offset is not part of the network",
        ),
        (
            "classes that do not fit the outputs",
            with_meta(good, |m| m["classes"] = json!(["a", "b"])),
            "the metadata names 2 classes, but the network's 3 outputs give 3",
        ),
        (
            "a preprocessing that does not fit the inputs",
            with_meta(
                good,
                |m| m["preprocess"] = json!({ "kind": "standardize", "mean": [0.0, 0.0], "std": [1.0], "components": [], "eigenvalues": [] }),
            ),
            "has 1 standard deviations for 2 features",
        ),
        (
            "an unreadable architecture",
            with_meta(good, |m| m["spec"]["hidden"] = json!("four")),
            "unreadable chainrule metadata",
        ),
        (
            "no metadata and no activation",
            with_header(good, |h| {
                h.as_object_mut().expect("object").remove("__metadata__");
            }),
            "no chainrule metadata",
        ),
    ]
}

#[test]
fn crafted_files_are_refused_by_predict_with_their_reason() {
    let dir = folder("predict");
    let data = blobs_csv(&dir);
    let good = saved_model(&dir);
    let path = dir.join("good.safetensors");
    let out =
        chainrule(&["predict", "--model", path.to_str().expect("utf-8"), "--dataset", data.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "the good file predicts: {}", String::from_utf8_lossy(&out.stderr));
    for (what, bytes, reason) in crafted(&good) {
        let path = dir.join("crafted.safetensors");
        std::fs::write(&path, &bytes).expect("write");
        let out = chainrule(&[
            "predict",
            "--model",
            path.to_str().expect("utf-8"),
            "--dataset",
            data.to_str().expect("utf-8"),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(reason), "{what}: {err:?} should say {reason:?}");
        assert!(err.contains("crafted.safetensors"), "{what}: the file is named: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn crafted_files_are_refused_by_the_loader_in_both_element_types() {
    let dir = folder("loader");
    let good = saved_model(&dir);
    for (what, bytes, reason) in crafted(&good) {
        let path = dir.join("crafted.safetensors");
        std::fs::write(&path, &bytes).expect("write");
        let inspected = store::inspect(&path, None).map(|_| ()).map_err(|e| e.to_string());
        let as_f32 = Mlp::<f32>::open(&path, None).map(|_| ()).map_err(|e| e.to_string());
        let as_f64 = Mlp::<f64>::load(&path).map(|_| ()).map_err(|e| e.to_string());
        // what is wrong with the values shows only when they are read
        if !reason.contains("finite") && !reason.contains("variance") {
            assert!(inspected.as_ref().is_err_and(|e| e.contains(reason)), "{what}: {inspected:?}");
        }
        for got in [as_f32, as_f64] {
            assert!(got.as_ref().is_err_and(|e| e.contains(reason)), "{what}: {got:?} should say {reason:?}");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_flipped_bit_is_read_or_refused_never_a_crash() {
    // every byte of a small model, two bits each: each file opens (a changed weight is still a number) or is
    // refused with a reason; nothing panics or allocates what the file does not hold
    let dir = folder("flips");
    let good = saved_model(&dir);
    let path = dir.join("flipped.safetensors");
    let (mut read, mut refused) = (0, 0);
    for i in 0..good.len() {
        for bit in [0x01u8, 0x40] {
            let mut bytes = good.clone();
            bytes[i] ^= bit;
            std::fs::write(&path, &bytes).expect("write");
            let opened = store::inspect(&path, None).and_then(|_| Mlp::<f64>::load(&path));
            match opened {
                Ok(_) => read += 1,
                Err(e) => {
                    assert!(e.to_string().contains("flipped.safetensors"), "{e}");
                    refused += 1;
                }
            }
        }
    }
    assert!(read > 0 && refused > 0, "read {read}, refused {refused}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_model_dropped_on_the_window_opens_or_is_refused_in_the_status_line() {
    let dir = folder("window");
    let good = saved_model(&dir);
    let mut h = common::window::harness();
    let drop = |h: &mut egui_kittest::Harness<'static, App>, path: &Path| {
        h.input_mut().dropped_files.push(std::sync::Arc::new(common::window::Dropped(path.to_path_buf())));
        h.run();
        h.run();
    };
    drop(&mut h, &dir.join("good.safetensors"));
    let status = h.state().status().clone();
    assert!(!status.is_error && status.text.contains("Opened the model"), "{status:?}");
    assert!(status.text.contains("2-4-3-3"), "{status:?}");
    for (what, bytes, reason) in crafted(&good) {
        let path = dir.join("crafted.safetensors");
        std::fs::write(&path, &bytes).expect("write");
        drop(&mut h, &path);
        let status = h.state().status().clone();
        assert!(status.is_error, "{what}: {status:?}");
        assert!(status.text.contains(reason), "{what}: {:?} should say {reason:?}", status.text);
        assert!(h.query_by_label_contains(reason).is_some(), "{what}: the status line shows it");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A tensor to write: its name, element type, shape and bytes.
type Tensor = (&'static str, Dtype, Vec<usize>, Vec<u8>);

/// A PyTorch `nn.Sequential(Linear(2, 5), BatchNorm1d(5), ReLU(), Dropout(0.2), Linear(5, 3))` state dict as
/// `safetensors.torch.save_file` writes it (no metadata): module 0, 1, then 4 (2 and 3 hold no tensors).
struct TorchNet {
    w0: Vec<f32>, // 5 × 2
    b0: Vec<f32>,
    gamma: Vec<f32>,
    beta: Vec<f32>,
    mean: Vec<f32>,
    var: Vec<f32>,
    w4: Vec<f32>, // 3 × 5
    b4: Vec<f32>,
}

impl TorchNet {
    fn new() -> Self {
        // fixed, irregular values (a sine of the index) so that no two units agree
        let v = |n: usize, seed: f32, scale: f32| -> Vec<f32> {
            (0..n).map(|i| scale * ((i as f32 + 1.0) * 1.7 + seed).sin()).collect()
        };
        Self {
            w0: v(10, 0.3, 1.2),
            b0: v(5, 1.1, 0.3),
            gamma: v(5, 2.0, 0.5).iter().map(|g| 1.0 + g).collect(),
            beta: v(5, 0.7, 0.2),
            mean: v(5, 3.3, 0.4),
            var: v(5, 4.1, 0.5).iter().map(|s| 1.0 + s).collect(),
            w4: v(15, 5.9, 1.0),
            b4: v(3, 0.2, 0.1),
        }
    }

    fn save(&self, path: &Path, tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)]) {
        let views = tensors
            .iter()
            .map(|(n, d, s, b)| (n.to_string(), TensorView::new(*d, s.clone(), b).expect("a tensor")))
            .collect::<Vec<_>>();
        safetensors::serialize_to_file(views, None, path).expect("written");
    }

    fn tensors(&self) -> Vec<Tensor> {
        let f = |x: &[f32]| x.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
        vec![
            ("0.weight", Dtype::F32, vec![5, 2], f(&self.w0)),
            ("0.bias", Dtype::F32, vec![5], f(&self.b0)),
            ("1.weight", Dtype::F32, vec![5], f(&self.gamma)),
            ("1.bias", Dtype::F32, vec![5], f(&self.beta)),
            ("1.running_mean", Dtype::F32, vec![5], f(&self.mean)),
            ("1.running_var", Dtype::F32, vec![5], f(&self.var)),
            ("1.num_batches_tracked", Dtype::I64, vec![], 12i64.to_le_bytes().to_vec()),
            ("4.weight", Dtype::F32, vec![3, 5], f(&self.w4)),
            ("4.bias", Dtype::F32, vec![3], f(&self.b4)),
        ]
    }

    /// PyTorch's evaluation-mode forward pass, written out: Linear, BatchNorm1d (ε = 1e-5), ReLU, Linear.
    fn scores(&self, x: [f64; 2]) -> Vec<f64> {
        let h: Vec<f64> = (0..5)
            .map(|j| {
                let z = self.w0[2 * j] as f64 * x[0] + self.w0[2 * j + 1] as f64 * x[1] + self.b0[j] as f64;
                let n = (z - self.mean[j] as f64) / (self.var[j] as f64 + 1e-5).sqrt();
                (n * self.gamma[j] as f64 + self.beta[j] as f64).max(0.0)
            })
            .collect();
        (0..3).map(|k| (0..5).map(|j| self.w4[5 * k + j] as f64 * h[j]).sum::<f64>() + self.b4[k] as f64).collect()
    }
}

#[test]
fn a_pytorch_state_dict_opens_with_its_activation_named() {
    let dir = folder("torch");
    let net = TorchNet::new();
    let path = dir.join("torch.safetensors");
    net.save(&path, &net.tensors());
    let (model, data) = (path.to_str().expect("utf-8"), blobs_csv(&dir));
    let data = data.to_str().expect("utf-8");

    // the layers, from the names and shapes
    let meta = store::inspect(&path, Some(Unary::Relu)).expect("read as a state dict");
    assert_eq!(meta.spec.describe(), "2-5-3, relu, batch norm");
    assert_eq!(meta.dtype, "f32");
    assert_eq!(meta.classes, ["0", "1", "2"]);
    let (mut mlp, _) = Mlp::<f64>::open(&path, Some(Unary::Relu)).expect("opened");
    let points = [[0.3, -1.2], [-2.0, 0.5], [1.5, 2.5], [0.0, 0.0]];
    let x: Vec<f64> = points.iter().flatten().copied().collect();
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
    let scores = mlp.forward(&x, points.len(), chainrule::nn::Mode::Eval, &mut rng).expect("forward");
    let got = mlp.tape.value(scores).to_vec();
    for (i, p) in points.iter().enumerate() {
        for (k, want) in net.scores(*p).into_iter().enumerate() {
            common::close(got[3 * i + k], want, 1e-6);
        }
    }

    // predict: without the activation the file is refused and told how; with it, the classes of the forward pass
    let out = chainrule(&["predict", "--model", model, "--dataset", data]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--activation relu"), "{out:?}");
    let out = chainrule(&["predict", "--model", model, "--dataset", data, "--activation", "relu", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let csv = std::fs::read_to_string(data).expect("read csv");
    let want: Vec<usize> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<f64> = line.split(',').take(2).map(|s| s.parse().expect("a number")).collect();
            let s = net.scores([f[0], f[1]]);
            (0..3).fold(0, |best, k| if s[k] > s[best] { k } else { best })
        })
        .collect();
    let got: Vec<usize> = serde_json::from_value(v["predictions"].clone()).expect("predictions");
    assert_eq!(got, want);
    assert!(v["accuracy"].is_number(), "{v}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_state_dict_that_does_not_fit_is_refused_naming_the_tensor() {
    let dir = folder("torch-refused");
    let net = TorchNet::new();
    let path = dir.join("torch.safetensors");
    let base = net.tensors();
    let changed = |f: &dyn Fn(&mut Vec<Tensor>)| {
        let mut t = base.clone();
        f(&mut t);
        t
    };
    let cases: Vec<(&str, Vec<Tensor>, &str)> = vec![
        (
            "layers that do not chain",
            changed(&|t| {
                t[7] = ("4.weight", Dtype::F32, vec![3, 4], vec![0; 48]);
            }),
            "tensor 4.weight has shape [3, 4]: its 4 inputs do not match the 5 outputs of 0.weight",
        ),
        (
            "a batch norm without its variance",
            changed(&|t| {
                t.remove(5);
            }),
            "tensor 1.weight: the BatchNorm1d at module 1 has no running_var",
        ),
        (
            "a tensor of another module kind",
            changed(&|t| t[0].0 = "0.scale"),
            "tensor 0.scale: `scale` is not a tensor of Linear or BatchNorm1d",
        ),
        (
            "two Linear layers with nothing between",
            changed(&|t| {
                for e in t.iter_mut() {
                    if e.0.starts_with('4') {
                        e.0 = if e.0.ends_with("weight") { "2.weight" } else { "2.bias" };
                    }
                }
            }),
            "tensor 2.weight: module 2 follows module 1 with 0 modules between",
        ),
        ("half precision", changed(&|t| t[1].1 = Dtype::F16), "tensor 0.bias is F16"),
        (
            "a three-dimensional weight",
            changed(&|t| t[0].2 = vec![5, 2, 1]),
            "tensor 0.weight has shape [5, 2, 1]: neither a Linear's weight",
        ),
        ("a name outside nn.Sequential", changed(&|t| t[0].0 = "fc.weight"), "tensor fc.weight is not named as"),
    ];
    for (what, tensors, reason) in cases {
        // F16 and the [5, 2, 1] weight keep the byte counts their shapes need
        let tensors: Vec<_> = tensors
            .into_iter()
            .map(|(n, d, s, b)| {
                let len = s.iter().product::<usize>() * d.bitsize() / 8;
                (n, d, s, b[..len.min(b.len())].to_vec())
            })
            .collect();
        net.save(&path, &tensors);
        let got = store::inspect(&path, Some(Unary::Relu)).map(|_| ()).map_err(|e| e.to_string());
        assert!(got.as_ref().is_err_and(|e| e.contains(reason)), "{what}: {got:?} should say {reason:?}");
        let out = chainrule(&[
            "predict",
            "--model",
            path.to_str().expect("utf-8"),
            "--dataset",
            "moons",
            "--activation",
            "relu",
        ]);
        assert_eq!(out.status.code(), Some(2), "{what}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(reason), "{what}: {out:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
