"""A model saved by `chainrule train --save` read back from Python, as a PyTorch user would read it.

Usage: python3 tests/python/safetensors_roundtrip.py target/release/chainrule

It writes a CSV of three classes, trains on it through the command line (batch norm, dropout, Playground's extra
features, standardization), then loads the safetensors file with the `safetensors` and `numpy` packages only:
checks PyTorch's state-dict names, shapes and dtypes, rebuilds the forward pass in numpy from the metadata (features,
fitted preprocessing, modules in order), and requires the same class for every row as `chainrule predict`.
Exit 0 on success. CI runs it (.ci/run installs numpy and safetensors into a virtualenv).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/chainrule"


def run(*args):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        sys.exit(f"chainrule {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return json.loads(p.stdout)


def features(x, names):
    cols = {"x": x[:, 0], "y": x[:, 1], "x2": x[:, 0] ** 2, "y2": x[:, 1] ** 2, "xy": x[:, 0] * x[:, 1],
            "sinx": np.sin(x[:, 0]), "siny": np.sin(x[:, 1])}
    return np.stack([cols[n] for n in names], axis=1) if names else x


def preprocess(x, fitted):
    if not fitted or fitted["kind"] == "none":
        return x
    mean = np.array(fitted["mean"])
    if fitted["kind"] == "standardize":
        std = np.array(fitted["std"])
        return (x - mean) / np.where(std == 0, 1.0, std)
    d = x.shape[1]
    u = np.array(fitted["components"]).reshape(d, d)
    z = (x - mean) @ u.T
    if fitted["kind"] == "whiten":
        z = z / np.sqrt(np.array(fitted["eigenvalues"]) + 1e-5)
    return z


ACT = {"Tanh()": np.tanh, "ReLU()": lambda z: np.maximum(z, 0), "Sigmoid()": lambda z: 1 / (1 + np.exp(-z)),
       "LeakyReLU()": lambda z: np.where(z > 0, z, 0.01 * z), "ELU()": lambda z: np.where(z > 0, z, np.expm1(z)),
       "Softplus()": lambda z: np.where(z > 20, z, np.log1p(np.exp(np.minimum(z, 20))))}


def forward(x, tensors, modules):
    for i, m in enumerate(modules):
        if m.startswith("Linear"):
            x = x @ tensors[f"{i}.weight"].T + tensors[f"{i}.bias"]
        elif m.startswith("BatchNorm1d"):
            x = (x - tensors[f"{i}.running_mean"]) / np.sqrt(tensors[f"{i}.running_var"] + 1e-5)
            x = x * tensors[f"{i}.weight"] + tensors[f"{i}.bias"]
        elif m.startswith("Dropout"):
            pass  # identity in evaluation
        else:
            x = ACT[m](x)
    return x


def main():
    rng = np.random.default_rng(0)
    tmp = tempfile.mkdtemp(prefix="chainrule-st-")
    csv = os.path.join(tmp, "three.csv")
    centres = {"ant": (-2.0, 0.0), "bee": (2.0, 0.0), "cow": (0.0, 2.5)}
    with open(csv, "w") as f:
        f.write("u,v,animal\n")
        for i in range(300):
            name = list(centres)[i % 3]
            cx, cy = centres[name]
            f.write(f"{cx + rng.normal(0, 0.7)!r},{cy + rng.normal(0, 0.7)!r},{name}\n")
    model = os.path.join(tmp, "m.safetensors")
    run("train", "--dataset", csv, "--features", "x,y,xy,sinx", "--preprocess", "standardize", "--hidden", "16,8",
        "--activation", "tanh", "--batchnorm", "--dropout", "0.1", "--loss", "ce", "--opt", "adam:lr=0.01",
        "--epochs", "15", "--batch", "16", "--seed", "3", "--save", model, "--json")

    tensors = load_file(model)
    with safe_open(model, "np") as f:
        meta = json.loads(f.metadata()["chainrule"])
    modules = meta["torch"]
    assert modules == ["Linear(4, 16)", "BatchNorm1d(16)", "Tanh()", "Dropout(p=0.1)", "Linear(16, 8)",
                       "BatchNorm1d(8)", "Tanh()", "Dropout(p=0.1)", "Linear(8, 3)"], modules
    # PyTorch's nn.Sequential state-dict names, shapes and dtypes
    assert tensors["0.weight"].shape == (16, 4) and tensors["0.weight"].dtype == np.float32
    assert tensors["0.bias"].shape == (16,)
    assert tensors["1.running_var"].shape == (16,) and tensors["1.num_batches_tracked"].dtype == np.int64
    assert tensors["1.num_batches_tracked"].shape == () and int(tensors["1.num_batches_tracked"]) > 0
    assert tensors["8.weight"].shape == (3, 8)
    want = {f"{i}.{k}" for i in (0, 4) for k in ("weight", "bias")} | {"8.weight", "8.bias"}
    want |= {f"{i}.{k}" for i in (1, 5) for k in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")}
    assert set(tensors) == want, sorted(set(tensors) ^ want)

    raw = np.loadtxt(csv, delimiter=",", skiprows=1, usecols=(0, 1))
    x = preprocess(features(raw, meta["features"]), meta["preprocess"]).astype(np.float32)
    scores = forward(x, tensors, modules)
    ours = scores.argmax(axis=1).tolist()
    theirs = run("predict", "--model", model, "--dataset", csv, "--json")
    assert theirs["classes"] == ["ant", "bee", "cow"], theirs["classes"]
    diff = [i for i, (a, b) in enumerate(zip(ours, theirs["predictions"])) if a != b]
    assert not diff, f"rows {diff[:10]} differ: numpy {[ours[i] for i in diff[:10]]}"
    assert theirs["accuracy"] > 0.9, theirs["accuracy"]
    print(f"safetensors round trip: {len(ours)} rows, numpy and chainrule agree on every class; "
          f"accuracy {theirs['accuracy']:.3f}")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
