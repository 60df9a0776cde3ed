#!/usr/bin/env python3
"""chainrule's scalar engine against micrograd and PyTorch 0-d tensors, on the same workloads, in one run.

Usage (by hand, never from CI: PyTorch's wheel is several GB):
    python3 bench/compare_scalar.py [--nodes 1000000] [--venv ~/.cache/chainrule-torch-venv] [--skip-torch]
    python3 bench/compare_scalar.py --workload program [--statements 100000] [--venv /work/venv-torch]

The `program` workload compares whole processes: it writes one generated program (a mix of leaves, + - * tanh relu
exp, `+=`, names reused; the same text as `chainrule::expr::sample::mixed_program`) once for `chainrule eval @FILE`
and once as the equivalent Python over micrograd `Value`s, and times each whole process (start, parse, forward,
backward, print every input's gradient, exit) in a fresh process, micrograd with its garbage collector on and off,
with each process's peak resident memory (from /usr/bin/time). It needs micrograd only, never PyTorch.

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

# tanh and exp for micrograd's Value, as Karpathy's lecture adds them, in micrograd's style (its PyPI release has relu
# only): one text, used by both Python sides below.
MICROGRAD_EXTRAS = textwrap.dedent(r'''
import math
from micrograd.engine import Value

def tanh(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), 'tanh')
    def _backward():
        self.grad += (1 - t**2) * out.grad
    out._backward = _backward
    return out

def exp(self):
    e = math.exp(self.data)
    out = Value(e, (self,), 'exp')
    def _backward():
        self.grad += e * out.grad
    out._backward = _backward
    return out

if not hasattr(Value, "tanh"):
    Value.tanh = tanh
if not hasattr(Value, "exp"):
    Value.exp = exp
''')

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
        exec(MICROGRAD_EXTRAS, globals())  # Value, with tanh and exp
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


class Lcg:
    """The same generator as `chainrule::scalar::workloads::Lcg`."""
    def __init__(self, s):
        self.s = s

    def below(self, n):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.s >> 33) % n


def thousandths(m):
    return f"{'-' if m < 0 else ''}{abs(m) // 1000}.{abs(m) % 1000:03}"


def mixed_program(n):
    """The program of `chainrule::expr::sample::mixed_program(n)`, line for line, and the same in Python with
    micrograd. Returns (chainrule text, Python statements, input names)."""
    rng = Lcg(11)
    pool, cr, py, leaves = [], [], [], []

    def picks(k):
        return [pool[len(pool) - 1 - rng.below(min(len(pool), 64))] for _ in range(k)]

    cr.append("s = 0.000")
    py.append("s = Value(0.0)")
    leaves.append("s")
    for i in range(1, max(n - 1, 1)):
        k = rng.below(100)
        if k < 10 or len(pool) < 5:
            name, v = f"w{i}", thousandths(rng.below(2001) - 1000)
            cr.append(f"{name} = {v}")
            py.append(f"{name} = Value({v})")
            leaves.append(name)
            pool.append(name)
        elif k < 40:
            a, b, c, d, e, f, g, h, j = picks(9)
            total = f"{a}*{b} + {c}*{d} + {e}*{f} + {g}*{h} + {j}"
            cr.append(f"h{i} = tanh({total})")
            py.append(f"h{i} = ({total}).tanh()")
            pool.append(f"h{i}")
        elif k < 55:
            a, b, c, d, e = picks(5)
            total = f"{a}*{b} + {c}*{d} - {e}*0.5"
            cr.append(f"r{i} = relu({total})")
            py.append(f"r{i} = ({total}).relu()")
            pool.append(f"r{i}")
        elif k < 65:
            a, b, c = picks(3)
            cr.append(f"t = exp(tanh({a}*{b}) - 1) * {c}")
            py.append(f"t = (({a}*{b}).tanh() - 1).exp() * {c}")
            if "t" not in pool[-64:]:
                pool.append("t")
        elif k < 85:
            a, b, c, d, e, f = picks(6)
            line = f"s += {a}*{b} + {c}*{d} + {e}*{f}"
            cr.append(line)
            py.append(line)
        else:
            a, b, c, d, e, f = picks(6)
            line = f"p{i} = ({a} + {b}) * ({c} - {d}) * 0.25 + {e}*{f}"
            cr.append(line)
            py.append(line)
            pool.append(f"p{i}")
    cr.append("loss = s * s * 0.0001")
    py.append("loss = s * s * 0.0001")
    return "\n".join(cr) + "\n", py, leaves


# What a learner would write around the statements: micrograd's Value (with tanh and exp added in its style, as
# Karpathy's lecture does), the statements at module level, backward, every input's gradient printed.
PY_PROGRAM_HEAD = textwrap.dedent(r'''
import gc, math, sys, threading
if sys.argv[1:] == ["gc-off"]:
    gc.disable()
''') + MICROGRAD_EXTRAS

PY_PROGRAM_TAIL = textwrap.dedent(r'''
# micrograd's topological sort recurses once per level of the graph
sys.setrecursionlimit(10**7)
threading.stack_size(1 << 29)
th = threading.Thread(target=loss.backward)
th.start()
th.join()
lines = [f"loss = {loss.data}"]
lines += [f"∂loss/∂{name} = {globals()[name].grad}" for name in INPUTS]
print("\n".join(lines))
''')


def timed_rss(cmd, out_path):
    """Runs cmd in a fresh process, its standard output to out_path; returns (wall seconds, peak RSS in bytes,
    output). The peak comes from /usr/bin/time, whose child starts small: a child forked from this (large) Python
    process would report this process's size as its own peak."""
    import time
    rss_path = out_path + ".rss"
    with open(out_path, "w") as out:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-o", rss_path, "-f", "%M", *cmd], stdout=out,
                           stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {p.stderr[-600:]}")
    with open(rss_path) as f:
        rss = int(f.read().split()[-1]) * 1024
    os.remove(rss_path)
    with open(out_path) as f:
        return wall, rss, f.read()


def target_dir():
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(meta.stdout)["target_directory"]


def program_workload(args, py):
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bin", "chainrule"], cwd=ROOT, check=True)
    exe = args.chainrule or os.path.join(target_dir(), "release", "chainrule")
    text, statements, leaves = mixed_program(args.statements)
    cr_path = os.path.join(HERE, ".program.txt")
    py_path = os.path.join(HERE, ".program.py")
    out_path = os.path.join(HERE, ".program.out")
    with open(cr_path, "w") as f:
        f.write(text)
    with open(py_path, "w") as f:
        f.write(PY_PROGRAM_HEAD)
        f.write("\n".join(statements))
        f.write(f"\nINPUTS = {leaves!r}\n")
        f.write(PY_PROGRAM_TAIL)
    nodes = json.loads(subprocess.run([exe, "eval", "--json", "@" + cr_path], capture_output=True, text=True,
                                      check=True).stdout)["nodes"]
    runs = [("chainrule", [exe, "eval", "@" + cr_path]),
            ("micrograd, gc on", [py, py_path]),
            ("micrograd, gc off", [py, py_path, "gc-off"])]
    rows, outputs = [], {}
    try:
        for name, cmd in runs:
            best = None
            for _ in range(args.repeat if name == "chainrule" else 1):
                wall, rss, out = timed_rss(cmd, out_path)
                if best is None or wall < best[0]:
                    best = (wall, rss)
            rows.append((name, best[0], best[1]))
            outputs[name] = out
    finally:
        for path in (cr_path, py_path, out_path):
            if os.path.exists(path):
                os.remove(path)
    # the same program: the same output value and gradients, to print precision
    mine = dict(l.split(" = ") for l in outputs["chainrule"].splitlines())
    theirs = dict(l.split(" = ") for l in outputs["micrograd, gc on"].splitlines())
    worst = max(abs(float(mine[k]) - float(theirs[k])) / max(1.0, abs(float(theirs[k]))) for k in theirs)
    print(f"program: {args.statements} statements, {len(text) / 1e6:.1f} MB, {len(leaves)} inputs, {nodes} chainrule "
          f"nodes; outputs agree to {worst:.1e} (relative, worst of the value and {len(leaves)} gradients)")
    print(f"chainrule: best of {args.repeat} runs; micrograd: one run each\n")
    print(f"{'engine':<20} {'whole process s':>16} {'peak RSS MB':>12} {'RSS B/node':>11} {'chainrule is':>14}")
    t0 = rows[0][1]
    for name, wall, rss in rows:
        ratio = "" if name == "chainrule" else f"{wall / t0:.0f}x faster"
        print(f"{name:<20} {wall:>16.3f} {rss / 1e6:>12.1f} {rss / nodes:>11.1f} {ratio:>14}")


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
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--workload", choices=["graphs", "program"], default="graphs",
                    help="graphs: the chain and the DAG built in each engine; program: whole processes on a program")
    ap.add_argument("--statements", type=int, default=100_000, help="the program's statements (--workload program)")
    ap.add_argument("--repeat", type=int, default=5, help="chainrule runs, best kept (--workload program)")
    ap.add_argument("--chainrule", help="the chainrule binary (default: the release build in cargo's target dir)")
    args = ap.parse_args()
    py = venv_python(args.venv, args.skip_torch or args.workload == "program")
    if args.workload == "program":
        program_workload(args, py)
        return
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--features", "probes", "--example", "scalar_throughput"], cwd=ROOT, check=True)
    rust = os.path.join(target_dir(), "release", "examples", "scalar_throughput")
    worker = os.path.join(HERE, ".compare_worker.py")
    with open(worker, "w") as f:
        f.write(f"MICROGRAD_EXTRAS = {MICROGRAD_EXTRAS!r}\n" + PY_WORKER)
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
