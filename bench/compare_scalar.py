#!/usr/bin/env python3
"""chainrule's scalar engine against micrograd and PyTorch 0-d tensors, on the same workloads, in one run.

Usage (by hand, never from CI: PyTorch's wheel is several GB):
    python3 bench/compare_scalar.py [--nodes 1000000] [--venv ~/.cache/chainrule-torch-venv] [--skip-torch]

It creates a virtualenv outside the repo (if missing), pip-installs micrograd and torch into it, builds the Rust
example `scalar_throughput` in release mode, then times build + forward + backward of a chain of N nodes
(v = v*a + b) and of a 1000-wide random DAG of N nodes (+, *, tanh over the previous layer, picked by the same LCG as
src/scalar/workloads.rs) in each engine, and prints nodes/s and the ratios. micrograd is timed with Python's garbage
collector on (as learners run it) and off. Each measurement runs in a fresh process.
"""
import argparse
import json
import os
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PY_WORKER = textwrap.dedent(r'''
import gc, json, sys, time, threading, resource
engine, workload, n, gc_on = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "on"
sys.setrecursionlimit(10**8)
threading.stack_size(1 << 29)  # micrograd's topological sort recurses once per node of a chain

class Lcg:
    def __init__(self, s): self.s = s
    def below(self, n):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.s >> 33) % n

def build(V, leaf, tanh):
    if workload == "chain":
        a, b, v = leaf(0.999), leaf(0.001), leaf(0.5)
        count = 3
        while count + 2 <= n:
            v = v * a + b
            count += 2
        return v, count
    w = 1000
    depth = max(n // w - 2, 0)
    rng = Lcg(42)
    prev = [leaf(((i % 7) - 3.0) / 4.0) for i in range(w)]
    for k in range(depth):
        nxt = []
        for j in range(w):
            p = prev[rng.below(w)]
            q = prev[rng.below(w)]
            op = (j + k) % 3
            nxt.append(p + q if op == 0 else p * q if op == 1 else tanh(p))
        prev = nxt
    out = prev[0]
    for p in prev[1:]:
        out = out + p
    return out, w * (depth + 2) - 1

result = {}
def run():
    if not gc_on:
        gc.disable()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if engine == "micrograd":
        from micrograd.engine import Value
        if not hasattr(Value, "tanh"):
            # micrograd's PyPI release has relu only; this is tanh as Karpathy's lecture adds it, in micrograd's style.
            import math
            def tanh(self):
                t = math.tanh(self.data)
                out = Value(t, (self,), 'tanh')
                def _backward():
                    self.grad += (1 - t**2) * out.grad
                out._backward = _backward
                return out
            Value.tanh = tanh
        t = time.perf_counter(); out, count = build(Value, Value, lambda p: p.tanh()); tb = time.perf_counter() - t
        t = time.perf_counter(); out.backward(); tw = time.perf_counter() - t
    else:
        import torch
        torch.set_num_threads(1)
        leaf = lambda x: torch.tensor(x, dtype=torch.float64, requires_grad=True)
        t = time.perf_counter(); out, count = build(None, leaf, torch.tanh); tb = time.perf_counter() - t
        t = time.perf_counter(); out.backward(); tw = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result.update(engine=engine + ("" if engine != "micrograd" else (" (gc on)" if gc_on else " (gc off)")),
                  workload=workload, nodes=count, build_s=tb, backward_s=tw, total_s=tb + tw,
                  ns_per_node=(tb + tw) / count * 1e9, peak_bytes_per_node=(peak - rss0) * 1024 / count)
th = threading.Thread(target=run); th.start(); th.join()
print(json.dumps(result))
''')


def venv_python(venv, skip_torch):
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pkgs = ["micrograd"] + ([] if skip_torch else ["torch"])
    missing = [p for p in pkgs if subprocess.run([py, "-c", f"import {p}"], capture_output=True).returncode != 0]
    if missing:
        subprocess.run([py, "-m", "pip", "install", "-q", *missing], check=True)
    return py


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--venv", default=os.path.expanduser("~/.cache/chainrule-torch-venv"))
    ap.add_argument("--skip-torch", action="store_true")
    ap.add_argument("--no-build", action="store_true", help="use the scalar_throughput example already built")
    args = ap.parse_args()
    py = venv_python(args.venv, args.skip_torch)
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--example", "scalar_throughput"], cwd=ROOT, check=True)
    rust = os.path.join(ROOT, "target", "release", "examples", "scalar_throughput")
    worker = os.path.join(HERE, ".compare_worker.py")
    with open(worker, "w") as f:
        f.write(PY_WORKER)
    bw = json.loads(subprocess.run([rust, "bandwidth"], capture_output=True, text=True, check=True).stdout)
    rows = []
    for workload in ["chain", "dag"]:
        runs = [[rust, workload, str(args.nodes)],
                [py, worker, "micrograd", workload, str(args.nodes), "on"],
                [py, worker, "micrograd", workload, str(args.nodes), "off"]]
        if not args.skip_torch:
            runs.append([py, worker, "torch", workload, str(args.nodes), "on"])
        for cmd in runs:
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                print(f"{' '.join(cmd[:3])} failed: {p.stderr[-400:]}", file=sys.stderr)
                continue
            row = json.loads(p.stdout.strip().splitlines()[-1])
            if "workload" not in row:
                print(f"{' '.join(cmd[:4])} failed: {p.stderr[-400:]}", file=sys.stderr)
                continue
            rows.append(row)
    os.remove(worker)
    gbps = bw["bandwidth_bytes_per_s"] / 1e9
    # chainrule touches about 32 B (node) + 8 B (operand values) forward and 32 B + 2x16 B backward per node.
    bytes_per_node = 104
    print(f"memory read bandwidth {gbps:.1f} GB/s: ~{bytes_per_node} B/node bounds build+forward+backward at "
          f"~{bytes_per_node / gbps:.1f} ns/node\n")
    print(f"{'workload':<8} {'engine':<20} {'nodes':>9} {'build M/s':>10} {'backward M/s':>13} {'total ns/node':>14} "
          f"{'peak B/node':>12} {'chainrule is':>14}")
    for workload in ["chain", "dag"]:
        mine = next((r for r in rows if r["workload"] == workload and r["engine"] == "chainrule"), None)
        for r in (r for r in rows if r["workload"] == workload):
            ratio = "" if mine is None or r is mine else f"{r['total_s'] / mine['total_s']:.0f}x faster"
            build = r["nodes"] / r["build_s"] / 1e6
            back = r["nodes"] / r["backward_s"] / 1e6
            print(f"{workload:<8} {r['engine']:<20} {r['nodes']:>9} {build:>10.2f} {back:>13.2f} "
                  f"{r['ns_per_node']:>14.1f} {r['peak_bytes_per_node']:>12.1f} {ratio:>14}")


if __name__ == "__main__":
    main()
