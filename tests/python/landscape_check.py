"""`chainrule landscape` checked from Python with numpy and safetensors only (no PyTorch).

Usage: python3 tests/python/landscape_check.py target/release/chainrule

It writes a CSV of three classes, trains a ReLU network with batch norm on it through the command line and saves it,
then runs `landscape --model ... --json --save-directions D.safetensors` on the same CSV (all of it the training
part). From the model file and the directions file alone it rebuilds θ + α·d1 + β·d2 for the five check points the
JSON printed, runs the forward pass in numpy (batch norm with the running statistics) and the softmax cross-entropy,
and requires each loss to 1e-4 relative. It also checks the directions: filter-normalized rows for the weights, zero
for the biases and batch-norm parameters; and that `weights:A,B` moves exactly those two weights.
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
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit(f"chainrule {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return json.loads(p.stdout)


def forward(x, t, modules):
    for i, m in enumerate(modules):
        if m.startswith("Linear"):
            x = x @ t[f"{i}.weight"].T + t[f"{i}.bias"]
        elif m.startswith("BatchNorm1d"):
            x = (x - t[f"{i}.running_mean"]) / np.sqrt(t[f"{i}.running_var"] + 1e-5)
            x = x * t[f"{i}.weight"] + t[f"{i}.bias"]
        elif m == "ReLU()":
            x = np.maximum(x, 0)
        else:
            sys.exit(f"module {m} is not in this check")
    return x


def cross_entropy(scores, y):
    m = scores.max(axis=1, keepdims=True)
    lse = (m[:, 0] + np.log(np.exp(scores - m).sum(axis=1)))
    return float(np.mean(lse - scores[np.arange(len(y)), y]))


def main():
    rng = np.random.default_rng(1)
    tmp = tempfile.mkdtemp(prefix="chainrule-land-")
    csv = os.path.join(tmp, "three.csv")
    centres = [(-2.0, 0.0), (2.0, 0.0), (0.0, 2.5)]
    rows = []
    with open(csv, "w") as f:
        f.write("u,v,label\n")
        for i in range(240):
            cx, cy = centres[i % 3]
            u, v = cx + rng.normal(0, 0.9), cy + rng.normal(0, 0.9)
            rows.append((u, v, i % 3))
            f.write(f"{u!r},{v!r},{i % 3}\n")
    model = os.path.join(tmp, "m.safetensors")
    run("train", "--dataset", csv, "--train-ratio", "1", "--hidden", "8,6", "--activation", "relu", "--init", "he",
        "--batchnorm", "--loss", "ce", "--opt", "adam:lr=0.01", "--epochs", "4", "--batch", "16", "--seed", "2",
        "--save", model, "--json")
    dirs = os.path.join(tmp, "d.safetensors")
    out = run("landscape", "--model", model, "--dataset", csv, "--train-ratio", "1", "--grid", "9", "--span", "0.8",
              "--seed", "5", "--json", "--save-directions", dirs)

    tensors = load_file(model)
    with safe_open(model, "np") as f:
        modules = json.loads(f.metadata()["chainrule"])["torch"]
    d = load_file(dirs)
    names = [n[len("d1."):] for n in d if n.startswith("d1.")]
    assert sorted(names) == sorted(k for k in tensors if not k.endswith(("running_mean", "running_var",
                                                                          "num_batches_tracked"))), names
    for n in names:
        assert d[f"d1.{n}"].shape == tensors[n].shape and d[f"d1.{n}"].dtype == np.float32, n
        assert np.array_equal(d[f"origin.{n}"], tensors[n]), f"the plane's origin is the model's {n}"
        for k in ("d1", "d2"):
            v = d[f"{k}.{n}"].astype(np.float64)
            if modules[int(n.split(".")[0])].startswith("Linear") and n.endswith("weight"):
                # filter normalization: each neuron's row has the norm of its weights
                want = np.linalg.norm(tensors[n].astype(np.float64), axis=1)
                assert np.allclose(np.linalg.norm(v, axis=1), want, rtol=1e-5), (k, n)
            else:
                assert not v.any(), f"{k}.{n}: biases and batch-norm parameters get zero direction"

    x = np.array([r[:2] for r in rows], dtype=np.float32)
    y = np.array([r[2] for r in rows])
    worst = 0.0
    for p in out["check_points"]:
        a, b = p["alpha"], p["beta"]
        t = dict(tensors)
        for n in names:
            o = d[f"origin.{n}"].astype(np.float64)
            t[n] = (o + a * d[f"d1.{n}"].astype(np.float64) + b * d[f"d2.{n}"].astype(np.float64)).astype(np.float32)
        t = {k: v.astype(np.float64) for k, v in t.items() if v.dtype != np.int64}
        ours = cross_entropy(forward(x.astype(np.float64), t, modules), y)
        rel = abs(ours - p["loss"]) / max(abs(ours), 1e-12)
        worst = max(worst, rel)
        assert rel < 1e-4, f"grid point ({a}, {b}): numpy {ours}, chainrule {p['loss']} (relative {rel:.2e})"
    assert out["check_points"][0]["loss"] == out["origin_loss"], "the centre is θ"

    w = run("landscape", "--model", model, "--dataset", csv, "--train-ratio", "1", "--grid", "3", "--json",
            "--directions", "weights:0.weight[2,1],4.bias[3]", "--save-directions", dirs)
    d = load_file(dirs)
    assert w["axes"]["names"] == ["0.weight[2,1]", "4.bias[3]"], w["axes"]
    one = {("d1", "0.weight", (2, 1)), ("d2", "4.bias", (3,))}
    for k in ("d1", "d2"):
        for n in names:
            v = d[f"{k}.{n}"]
            hot = {(k, n, tuple(int(i) for i in idx)) for idx in np.argwhere(v != 0)}
            assert hot <= one and all(v[i[2]] == 1 for i in hot), (k, n, hot)
    print(f"landscape check: 5 grid points recomputed in numpy from the model and the directions, worst relative "
          f"difference {worst:.1e}; filter normalization and weights: axes as documented")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
