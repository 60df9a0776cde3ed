"""A state dict as PyTorch saves it, with no chainrule metadata, opened by `chainrule predict --activation`.

Usage: python3 tests/python/state_dict_predict.py target/release/chainrule

Writes, with numpy and safetensors only (no PyTorch), what `safetensors.torch.save_file(model.state_dict(), path)`
writes for an `nn.Sequential` of `Linear`, `BatchNorm1d`, activation and `Dropout` modules: tensors named
`0.weight` [out, in], `0.bias`, `1.weight`, `1.bias`, `1.running_mean`, `1.running_var`, `1.num_batches_tracked`
(int64, shape []), `4.weight`, ... and no `__metadata__`. Then predicts a CSV with it through the command line and
requires every row's class to be the one numpy's own forward pass (PyTorch's evaluation mode) gives. Also: a
network without batch norm in float64 under a common prefix (`net.0.weight`, as a module holding the Sequential as
`self.net` saves it), and a file with a transposed weight, which must be refused (exit 2) naming the tensor.
Exit 0 on success. CI runs it (.ci/run installs numpy and safetensors into a virtualenv).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from safetensors.numpy import save_file

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/chainrule"
EPS = 1e-5  # BatchNorm1d's default eps
ACT = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}


def predict(model, data, activation):
    p = subprocess.run([BIN, "predict", "--model", model, "--dataset", data, "--activation", activation, "--json"],
                       capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def sequential(rng, sizes, batchnorm, dropout, dtype, prefix=""):
    """The state dict of nn.Sequential(Linear, [BatchNorm1d], act, [Dropout], ..., Linear) and its layer list."""
    tensors, layers, i = {}, [], 0
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        bound = 1 / np.sqrt(n_in)  # nn.Linear's default initialization
        tensors[f"{prefix}{i}.weight"] = rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype) * 2
        tensors[f"{prefix}{i}.bias"] = rng.uniform(-bound, bound, n_out).astype(dtype)
        layers.append(("linear", i))
        i += 1
        if k == len(sizes) - 2:
            break
        if batchnorm:
            tensors[f"{prefix}{i}.weight"] = rng.uniform(0.5, 1.5, n_out).astype(dtype)
            tensors[f"{prefix}{i}.bias"] = rng.normal(0, 0.2, n_out).astype(dtype)
            tensors[f"{prefix}{i}.running_mean"] = rng.normal(0, 0.3, n_out).astype(dtype)
            tensors[f"{prefix}{i}.running_var"] = rng.uniform(0.5, 2.0, n_out).astype(dtype)
            tensors[f"{prefix}{i}.num_batches_tracked"] = np.array(250, dtype=np.int64)
            layers.append(("batchnorm", i))
            i += 1
        layers.append(("act", i))
        i += 1
        if dropout:
            layers.append(("dropout", i))
            i += 1
    return tensors, layers


def forward(x, tensors, layers, act, prefix=""):
    """PyTorch's evaluation-mode forward pass, in float64."""
    t = {k: v.astype(np.float64) for k, v in tensors.items()}
    for kind, i in layers:
        p = f"{prefix}{i}."
        if kind == "linear":
            x = x @ t[p + "weight"].T + t[p + "bias"]
        elif kind == "batchnorm":
            x = (x - t[p + "running_mean"]) / np.sqrt(t[p + "running_var"] + EPS) * t[p + "weight"] + t[p + "bias"]
        elif kind == "act":
            x = ACT[act](x)
        # dropout: the identity in evaluation mode
    return x


def check(name, tensors, layers, act, data, x, prefix=""):
    tmp = os.path.dirname(data)
    model = os.path.join(tmp, f"{name}.safetensors")
    save_file(tensors, model)  # no metadata, as safetensors.torch.save_file(model.state_dict(), path) writes it
    code, out, err = predict(model, data, act)
    if code != 0:
        sys.exit(f"{name}: chainrule predict failed ({code}): {err}")
    got = np.array(json.loads(out)["predictions"])
    scores = forward(x, tensors, layers, act, prefix)
    want = scores.argmax(axis=1) if scores.shape[1] > 1 else (scores[:, 0] > 0).astype(int)
    # rows whose two best scores tie to float32 precision could go either way
    top = np.sort(scores, axis=1)
    clear = (top[:, -1] - top[:, -2] > 1e-4) if scores.shape[1] > 1 else (np.abs(scores[:, 0]) > 1e-4)
    wrong = np.flatnonzero((got != want) & clear)
    if len(wrong):
        sys.exit(f"{name}: rows {wrong[:10].tolist()} predicted {got[wrong[:10]].tolist()}, "
                 f"numpy says {want[wrong[:10]].tolist()}")
    print(f"{name}: {len(got)} rows, the same classes as numpy's forward pass ({int(clear.sum())} clear of ties)")
    return model


def main():
    rng = np.random.default_rng(22)
    tmp = tempfile.mkdtemp(prefix="chainrule-sd-")
    n = 300
    x = rng.normal(0, 1.5, (n, 2))
    y = rng.integers(0, 3, n)
    data = os.path.join(tmp, "points.csv")
    with open(data, "w") as f:
        f.write("u,v,label\n")
        for (u, v), label in zip(x, y):
            f.write(f"{float(u)!r},{float(v)!r},{int(label)}\n")

    # Linear(2, 16), BatchNorm1d(16), ReLU, Dropout, Linear(16, 8), BatchNorm1d(8), ReLU, Dropout, Linear(8, 3)
    tensors, layers = sequential(rng, [2, 16, 8, 3], batchnorm=True, dropout=True, dtype=np.float32)
    assert sorted(tensors)[:7] == ["0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean",
                                   "1.running_var", "1.weight"], sorted(tensors)
    model = check("relu-batchnorm", tensors, layers, "relu", data, x)

    # without the activation the file is refused and the message says how to name it
    p = subprocess.run([BIN, "predict", "--model", model, "--dataset", data], capture_output=True, text=True)
    if p.returncode != 2 or "--activation" not in p.stderr:
        sys.exit(f"a state dict without --activation: exit {p.returncode}, {p.stderr!r}")

    # a module holding the Sequential as self.net, float64, tanh, no batch norm, two outputs (one logit each)
    tensors, layers = sequential(rng, [2, 12, 3], batchnorm=False, dropout=False, dtype=np.float64, prefix="net.")
    check("tanh-f64-prefixed", tensors, layers, "tanh", data, x, prefix="net.")

    # a weight stored [in, out] (transposed) is refused, naming the tensor
    tensors, layers = sequential(rng, [2, 16, 3], batchnorm=False, dropout=False, dtype=np.float32)
    tensors["2.weight"] = np.ascontiguousarray(tensors["2.weight"].T)
    bad = os.path.join(tmp, "transposed.safetensors")
    save_file(tensors, bad)
    code, _, err = predict(bad, data, "relu")
    if code != 2 or "2.weight" not in err:
        sys.exit(f"a transposed weight: exit {code}, {err!r}")
    print(f"a transposed weight is refused: {err.strip()}")


if __name__ == "__main__":
    main()
