#!/usr/bin/env python3
"""The eight matrix products of one (d) training step (784-1024-1024-10, batch 512, f32), each timed alone:
chainrule's (faer, through `Element::gemm`, `examples/gemm_layouts.rs`) against PyTorch's (MKL on Intel) and numpy's
(OpenBLAS), alternating the sides `--repeat` times in one run, with the median of each product.

Usage (by hand, never from CI: it installs PyTorch into the same virtualenv as compare_mlp.py):
    python3 bench/compare_products.py [--venv ~/.cache/chainrule-torch-venv] [--repeat 8] [--threads 1]

It tells how much of a (d) step's gap to PyTorch is the kernels: compare_mlp.py times whole steps, this times only
the products, with the same operand layouts a step uses (Aᵀ·B for the weight gradients, A·Bᵀ forward). chainrule's
figures for Aᵀ·B include the copy of A into its transpose that `gemm` makes first (see README).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from compare_mlp import venv_python  # noqa: E402  (one way to make the virtualenv)

# name, m, k, n, A transposed, B transposed: the same list as examples/gemm_layouts.rs
PRODUCTS = [("fwd1 X·W1ᵀ", 512, 784, 1024, False, True), ("fwd2 H·W2ᵀ", 512, 1024, 1024, False, True),
            ("fwd3 H·W3ᵀ", 512, 1024, 10, False, True), ("dW3 dCᵀ·H", 10, 512, 1024, True, False),
            ("dH2 dC·W3", 512, 10, 1024, False, False), ("dW2 dCᵀ·H", 1024, 512, 1024, True, False),
            ("dH1 dC·W2", 512, 1024, 1024, False, False), ("dW1 dCᵀ·X", 1024, 512, 784, True, False)]

PY_WORKER = textwrap.dedent(r'''
import json, sys, time
lib, threads, products = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
if lib == "torch":
    import torch
    torch.set_num_threads(threads)
    full = lambda shape, v: torch.full(shape, v)
    T = lambda x: x.t()
    def mm(a, b, c): torch.mm(a, b, out=c)
else:
    import numpy as np
    full = lambda shape, v: np.full(shape, v, np.float32)
    T = lambda x: x.T
    def mm(a, b, c): np.matmul(a, b, out=c)
for name, m, k, n, ta, tb in products:
    a = full((k, m) if ta else (m, k), 0.5); b = full((n, k) if tb else (k, n), 0.25)
    A = T(a) if ta else a; B = T(b) if tb else b
    c = full((m, n), 0.0)
    for _ in range(3): mm(A, B, c)
    reps = 10; s = time.perf_counter()
    for _ in range(reps): mm(A, B, c)
    print(f"{name}: {(time.perf_counter() - s) / reps * 1e3:.3f} ms")
''')


def times(out):
    """{product name: ms} from lines like `fwd1 X·W1ᵀ 512x784x1024 ...: 4.89 ms ...` or `fwd1 X·W1ᵀ: 4.89 ms`."""
    found = {}
    for line in out.splitlines():
        for name, *_ in PRODUCTS:
            if line.strip().startswith(name):
                found[name] = float(re.search(r":\s+([\d.]+) ms", line).group(1))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default=os.path.expanduser("~/.cache/chainrule-torch-venv"))
    ap.add_argument("--repeat", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    py = venv_python(args.venv, False)
    subprocess.check_call([py, "-m", "pip", "install", "--quiet", "numpy"])
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "--features", "probes", "--example", "gemm_layouts"], cwd=ROOT)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = os.path.join(target, "release", "examples", "gemm_layouts")
    t = str(args.threads)
    env = dict(os.environ, OMP_NUM_THREADS=t, MKL_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t)
    sides = {"chainrule (faer)": [exe, t],
             "PyTorch": [py, "-c", PY_WORKER, "torch", t, json.dumps(PRODUCTS)],
             "numpy (OpenBLAS)": [py, "-c", PY_WORKER, "numpy", t, json.dumps(PRODUCTS)]}
    runs = {side: [] for side in sides}
    for _ in range(args.repeat):
        for side, cmd in sides.items():
            out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
            runs[side].append(times(out))
    with open("/proc/loadavg") as f:
        print(f"load average after the run: {f.read().split()[0]}; {args.repeat} runs alternating, "
              f"{args.threads} thread(s); medians in ms")
    print("| product | m×k×n | " + " | ".join(sides) + " |")
    print("|---|---|" + "---:|" * len(sides))
    totals = {side: [sum(r.values()) for r in runs[side]] for side in sides}
    for name, m, k, n, ta, tb in PRODUCTS:
        cells = [f"{statistics.median(r[name] for r in runs[side]):.2f}" for side in sides]
        print(f"| {name} | {m}×{k}×{n} | " + " | ".join(cells) + " |")
    print("| all eight | | " + " | ".join(f"**{statistics.median(totals[s]):.2f}**" for s in sides) + " |")
    flops = sum(2 * m * k * n for _, m, k, n, _, _ in PRODUCTS)
    print(f"GFLOP/s over the eight: " + ", ".join(
        f"{side} {flops / statistics.median(totals[side]) / 1e6:.0f}" for side in sides))


if __name__ == "__main__":
    main()
