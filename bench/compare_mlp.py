#!/usr/bin/env python3
"""MLP training steps per second: chainrule's tensor backend against PyTorch (CPU, f32), side by side in one run,
and chainrule's scalar backend against micrograd on micrograd's demo.

Usage (by hand, never from CI: PyTorch's wheel is several GB):
    python3 bench/compare_mlp.py [--venv ~/.cache/chainrule-torch-venv] [--seconds 3] [--skip-torch]
        [--activations relu,tanh,sigmoid] [--busy]

It creates a virtualenv outside the repo (if missing) and pip-installs torch and micrograd into it, builds the Rust
example `mlp_throughput` in release mode, then for each case runs chainrule and PyTorch in fresh processes, one after
the other, with the same thread count. The workload is the same on both sides: a fixed random batch, hidden layers
with each activation of --activations (ReLU, tanh, sigmoid by default: one row each), BCEWithLogits for one output or
CrossEntropy for K, plain SGD (lr 0.01); a step is forward, loss, backward, update (and PyTorch's zero_grad); steady
state after a warm-up.

--busy keeps one core busy for the whole run (`yes > /dev/null`, as a build or a browser would), to see what two
threads do when only one core is free; chainrule's rows then add its thread policy's default against two threads
forced to split (`ADAPTIVE=0`).

Cases: (a) 2-16-16-1, batch 100 (micrograd's demo network, full batch); (b) 2-64-64-1, batch 256;
(c) 784-256-256-10, batch 128; (d) 784-1024-1024-10, batch 512, each on one thread and on two; and, with
--cases e, (e) 2-128-128-1, batch 250 (Playground's circle at full batch, issue 16's wide case).
Then micrograd's demo step (MLP(2, [16, 16, 1]), 100 points, hinge loss + 1e-4·L2, full batch) in micrograd with
Python's garbage collector on and off, against chainrule's scalar engine on the same network.
"""
import argparse
import contextlib
import json
import os
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CASES = [("a", "2-16-16-1", 100), ("b", "2-64-64-1", 256), ("c", "784-256-256-10", 128),
         ("d", "784-1024-1024-10", 512), ("e", "2-128-128-1", 250)]

TORCH_WORKER = textwrap.dedent(r'''
import json, sys, time
import torch
sizes, batch, threads, seconds = [int(s) for s in sys.argv[1].split("-")], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "elu": torch.nn.ELU,
       "selu": torch.nn.SELU, "softplus": torch.nn.Softplus}[sys.argv[5] if len(sys.argv) > 5 else "relu"]
torch.set_num_threads(threads)
torch.manual_seed(0)
layers = []
for a, b in zip(sizes[:-2], sizes[1:-1]):
    layers += [torch.nn.Linear(a, b), act()]
layers.append(torch.nn.Linear(sizes[-2], sizes[-1]))
model = torch.nn.Sequential(*layers)
x = torch.randn(batch, sizes[0])
if sizes[-1] == 1:
    y, lossf = (torch.arange(batch) % 2).float().unsqueeze(1), torch.nn.BCEWithLogitsLoss()
else:
    y, lossf = torch.arange(batch) % sizes[-1], torch.nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
def step():
    opt.zero_grad()
    loss = lossf(model(x), y)
    loss.backward()
    opt.step()
t0 = time.perf_counter()
while time.perf_counter() - t0 < min(seconds, 1.0) / 2:
    step()
n, t0 = 0, time.perf_counter()
while n < 3 or time.perf_counter() - t0 < seconds:
    step(); n += 1
dt = time.perf_counter() - t0
print(json.dumps({"steps_per_s": n / dt, "us_per_step": dt / n * 1e6, "torch": torch.__version__}))
''')

MICROGRAD_WORKER = textwrap.dedent(r'''
import gc, json, random, sys, time
from micrograd.nn import MLP
gc_on, seconds = sys.argv[1] == "on", float(sys.argv[2])
if not gc_on:
    gc.disable()
random.seed(1337)
model = MLP(2, [16, 16, 1])
X = [[random.gauss(0, 1), random.gauss(0, 1)] for _ in range(100)]
Y = [1 if i % 2 else -1 for i in range(100)]
def step(k):
    scores = [model(x) for x in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(Y, scores)]
    loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum((p * p for p in model.parameters()))
    model.zero_grad()
    loss.backward()
    lr = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= lr * p.grad
step(0)
n, t0 = 0, time.perf_counter()
while n < 3 or time.perf_counter() - t0 < seconds:
    step(n % 100); n += 1
dt = time.perf_counter() - t0
print(json.dumps({"steps_per_s": n / dt, "us_per_step": dt / n * 1e6}))
''')


def venv_python(venv, skip_torch):
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    pkgs = ["micrograd"] + ([] if skip_torch else ["torch"])
    subprocess.check_call([py, "-m", "pip", "install", "--quiet", *pkgs])
    return py


def run_json(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {out.stderr[-500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def one_core_busy(on):
    """`yes > /dev/null` for the duration, when on."""
    if not on:
        yield
        return
    hog = subprocess.Popen(["yes"], stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        hog.kill()
        hog.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default=os.path.expanduser("~/.cache/chainrule-torch-venv"))
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--skip-torch", action="store_true")
    ap.add_argument("--cases", default="abcd", help="which cases to run, e.g. cd (e: 2-128-128-1)")
    ap.add_argument("--threads", default="1,2", help="thread counts to run, e.g. 2")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each case this many times, alternating chainrule and PyTorch (shows the spread)")
    ap.add_argument("--skip-scalar", action="store_true", help="leave out the micrograd comparison")
    ap.add_argument("--activations", default="relu,tanh,sigmoid", help="hidden activations, one row each")
    ap.add_argument("--busy", action="store_true", help="keep one core busy (yes > /dev/null) during the run")
    args = ap.parse_args()
    py = venv_python(args.venv, args.skip_torch)
    subprocess.check_call(["cargo", "build", "--release", "--quiet", "--features", "probes", "--example", "mlp_throughput"], cwd=ROOT)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = os.path.join(target, "release", "examples", "mlp_throughput")
    # one thread per process for both sides unless the case asks for two (OpenMP/MKL read these too)
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"load average before the run: {load}; one core busy: {'yes' if args.busy else 'no'}")
    forced = " | chainrule, 2 threads forced to split" if args.busy else ""
    print(f"| case | network, batch | activation | threads | chainrule steps/s | PyTorch steps/s | ratio{forced} |")
    print("|---|---|---|---|---|---|---|" + ("---|" if args.busy else ""))
    thread_counts = [int(t) for t in args.threads.split(",")]
    with one_core_busy(args.busy):
        for case, net, batch in CASES:
            if case not in args.cases:
                continue
            for act in args.activations.split(","):
                for threads in thread_counts:
                    for _ in range(args.repeat):
                        cmd = [exe, net, str(batch), str(threads), str(args.seconds)]
                        ours = run_json(cmd, dict(os.environ, ACT=act))
                        if args.skip_torch:
                            theirs = {"steps_per_s": float("nan")}
                        else:
                            tenv = dict(env, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
                            theirs = run_json([py, "-c", TORCH_WORKER, net, str(batch), str(threads),
                                               str(args.seconds), act], tenv)
                        ratio = ours["steps_per_s"] / theirs["steps_per_s"]
                        extra = ""
                        if args.busy and threads == 2:
                            f = run_json(cmd, dict(os.environ, ACT=act, ADAPTIVE="0"))
                            extra = f" | {f['steps_per_s']:,.1f}"
                        elif args.busy:
                            extra = " | "
                        print(f"| ({case}) | {net}, {batch} | {act} | {threads} | {ours['steps_per_s']:,.1f} "
                              f"({ours['us_per_step']:,.1f} µs) | {theirs['steps_per_s']:,.1f} | {ratio:.2f}×{extra} |",
                              flush=True)
    print()
    if args.skip_scalar:
        return
    ours = run_json([exe, "2-16-16-1", "100", "1", str(args.seconds), "scalar"])
    print("| micrograd's demo step (2-16-16-1, 100 points, hinge + L2) | ms per step | chainrule scalar is |")
    print("|---|---|---|")
    print(f"| chainrule, scalar engine ({ours['nodes']} nodes) | {ours['us_per_step'] / 1000:.3f} | |")
    for gc_mode in ("on", "off"):
        mg = run_json([py, "-c", MICROGRAD_WORKER, gc_mode, str(max(args.seconds, 5.0))], env)
        print(f"| micrograd, gc {gc_mode} | {mg['us_per_step'] / 1000:.1f} | "
              f"{mg['us_per_step'] / ours['us_per_step']:.0f}× faster |", flush=True)


if __name__ == "__main__":
    main()
