#!/usr/bin/env python3
"""Regenerate chainrule's optimizer fixtures from PyTorch's torch.optim (float64, and float32 replays).

Run by hand, never by CI:

    python3 bench/optim_fixtures.py                 # venv in ~/.cache/chainrule-torch-venv
    python3 bench/optim_fixtures.py --venv /some/dir --out tests/fixtures/optim
    python3 bench/optim_fixtures.py --float32-only  # only the float32 replays of the float64 files already there

The script re-runs itself inside a virtualenv that lives OUTSIDE the repository (default
~/.cache/chainrule-torch-venv, or $CHAINRULE_TORCH_VENV, or --venv) and `pip install torch` into it on the first run.
The PyPI wheel pulls several GB of CUDA libraries: that is expected, it happens once.

What it writes, one JSON file per case in tests/fixtures/optim/:

    {"case": ..., "spec": "<chainrule spec>", "torch": "<the torch call>", "torch_version": ...,
     "objective": ..., "params0": [...], "steps": [{"lr": .., "grad": [...], "params": [...]}, ...]}

`lr` is the learning rate in the param group when the step ran (it changes when a scheduler drives it), `grad` is
the gradient fed to the step and `params` the parameters after it. Every float is written as a string holding
Python's repr (the shortest text that round-trips): serde_json's default float parser is not correctly rounded
(about one value in ten comes back one ulp off), Rust's `str::parse::<f64>` is. tests/optim_fixtures.rs feeds the same
gradients to the Rust rule and compares every parameter after every step to 1e-12.

Every optimizer runs with foreach=False, i.e. PyTorch's single-tensor implementation, whose operation order
src/optim follows. Plus schedules.json: torch.optim.lr_scheduler learning rates, step by step.

And tests/fixtures/optim/float32/, one file per case in the same format: the float64 case's learning rates and
gradients (rounded to float32) fed to the same torch.optim call on a float32 tensor, with float32 as the default
dtype, as a float32 model trains (the step counters and NAdam's mu_product are then float32 too). The Rust rules run
as `Optimizer<f32>` against these.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_VENV = Path(os.environ.get("CHAINRULE_TORCH_VENV", Path.home() / ".cache" / "chainrule-torch-venv"))
STEPS = 40


def ensure_venv(venv: Path) -> None:
    """Re-exec this script with the venv's python, creating the venv and installing torch if needed."""
    python = venv / "bin" / "python"
    if Path(sys.prefix).resolve() == venv.resolve():
        return
    if REPO in venv.resolve().parents or venv.resolve() == REPO:
        sys.exit(f"refusing to put the virtualenv inside the repository: {venv}")
    if not python.exists():
        print(f"creating virtualenv {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([str(python), "-c", "import torch"], capture_output=True)
    if probe.returncode != 0:
        print("installing torch into the virtualenv (several GB, once)", file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "torch"], check=True)
    os.execv(str(python), [str(python), *sys.argv])


# ---------------------------------------------------------------------------------------------------------------
# Everything below runs inside the venv.


def exact(x):
    """Floats as repr strings, which every reader can parse back to the same bits."""
    if isinstance(x, list):
        return [exact(v) for v in x]
    return repr(float(x))


def objective(x):
    """A Rosenbrock chain with a little curvature coupling: non-convex, gradients of different scales."""
    import torch

    rosen = ((1 - x[:-1]) ** 2).sum() + 10 * ((x[1:] - x[:-1] ** 2) ** 2).sum()
    return rosen + 0.5 * torch.sin(x[0] * x[-1])


OBJECTIVE_TEXT = "sum_i (1-x_i)^2 + 10 (x_{i+1}-x_i^2)^2 over i<n-1, plus 0.5 sin(x_0 x_{n-1})"
X0 = [-1.2, 1.0, 0.5, -0.8]


def cases():
    """(case name, chainrule spec, torch class name, torch kwargs, scheduler factory or None, maximize objective?)"""
    from torch.optim import lr_scheduler as sched

    return [
        ("sgd_plain", "sgd:lr=0.002", "SGD", dict(lr=0.002), None, False),
        ("sgd_momentum", "sgd:lr=0.002,momentum=0.9", "SGD", dict(lr=0.002, momentum=0.9), None, False),
        ("sgd_nesterov", "sgd:lr=0.002,momentum=0.9,nesterov=true", "SGD",
         dict(lr=0.002, momentum=0.9, nesterov=True), None, False),
        ("sgd_dampening_weight_decay", "sgd:lr=0.002,momentum=0.8,dampening=0.3,weight_decay=0.05", "SGD",
         dict(lr=0.002, momentum=0.8, dampening=0.3, weight_decay=0.05), None, False),
        ("sgd_maximize", "sgd:lr=0.002,momentum=0.5,maximize=true", "SGD",
         dict(lr=0.002, momentum=0.5, maximize=True), None, True),
        ("adagrad_default", "adagrad:lr=0.01", "Adagrad", dict(), None, False),
        ("adagrad_lr_decay", "adagrad:lr=0.1,lr_decay=0.05,weight_decay=0.01,initial_accumulator_value=0.1",
         "Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.1), None, False),
        ("rmsprop_default", "rmsprop:lr=0.01", "RMSprop", dict(), None, False),
        ("rmsprop_centered_momentum", "rmsprop:lr=0.005,alpha=0.9,momentum=0.8,centered=true,weight_decay=0.01",
         "RMSprop", dict(lr=0.005, alpha=0.9, momentum=0.8, centered=True, weight_decay=0.01), None, False),
        ("rmsprop_small_alpha", "rmsprop:lr=0.01,alpha=0.3,centered=true", "RMSprop",
         dict(lr=0.01, alpha=0.3, centered=True), None, False),
        ("adam_default", "adam:lr=0.001", "Adam", dict(), None, False),
        ("adam_lr", "adam:lr=0.05", "Adam", dict(lr=0.05), None, False),
        ("adam_amsgrad_weight_decay", "adam:lr=0.05,beta1=0.8,beta2=0.99,weight_decay=0.1,amsgrad=true", "Adam",
         dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True), None, False),
        ("adam_small_beta1", "adam:lr=0.05,beta1=0.3,beta2=0.9", "Adam", dict(lr=0.05, betas=(0.3, 0.9)), None,
         False),
        ("adam_maximize", "adam:lr=0.05,maximize=true", "Adam", dict(lr=0.05, maximize=True), None, True),
        ("adamw_default", "adamw:lr=0.05", "AdamW", dict(lr=0.05), None, False),
        ("adamw_amsgrad", "adamw:lr=0.05,weight_decay=0.1,amsgrad=true", "AdamW",
         dict(lr=0.05, weight_decay=0.1, amsgrad=True), None, False),
        # rho_t <= 5 for t <= 5 (beta2 = 0.999): the first steps are plain momentum, the rest rectified.
        ("radam_default", "radam:lr=0.05", "RAdam", dict(lr=0.05), None, False),
        ("radam_weight_decay", "radam:lr=0.05,beta2=0.99,weight_decay=0.1", "RAdam",
         dict(lr=0.05, betas=(0.9, 0.99), weight_decay=0.1), None, False),
        ("radam_decoupled", "radam:lr=0.05,weight_decay=0.1,decoupled_weight_decay=true", "RAdam",
         dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True), None, False),
        ("nadam_default", "nadam:lr=0.02", "NAdam", dict(lr=0.02), None, False),
        ("nadam_weight_decay", "nadam:lr=0.02,weight_decay=0.05,momentum_decay=0.01", "NAdam",
         dict(lr=0.02, weight_decay=0.05, momentum_decay=0.01), None, False),
        ("nadam_decoupled", "nadam:lr=0.02,weight_decay=0.05,decoupled_weight_decay=true", "NAdam",
         dict(lr=0.02, weight_decay=0.05, decoupled_weight_decay=True), None, False),
        # A scheduler changes lr between steps: checks that set_lr drives the rule as param_groups[0]["lr"] does.
        ("sgd_momentum_steplr", "sgd:lr=0.003,momentum=0.9", "SGD", dict(lr=0.003, momentum=0.9),
         lambda opt: sched.StepLR(opt, step_size=7, gamma=0.5), False),
        ("adam_cosine", "adam:lr=0.1", "Adam", dict(lr=0.1),
         lambda opt: sched.CosineAnnealingLR(opt, T_max=30, eta_min=0.001), False),
    ]


def record_case(name, spec, cls_name, kwargs, make_sched, maximize_objective):
    import torch

    cls = getattr(torch.optim, cls_name)
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = cls([x], foreach=False, **kwargs)
    scheduler = make_sched(opt) if make_sched else None
    steps = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = objective(x)
        (-loss if maximize_objective else loss).backward()
        lr = opt.param_groups[0]["lr"]
        grad = x.grad.detach().clone().tolist()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        steps.append({"lr": exact(lr), "grad": exact(grad), "params": exact(x.detach().clone().tolist())})
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    torch_call = f"torch.optim.{cls_name}([x], {args + ', ' if args else ''}foreach=False)"
    if make_sched is not None:
        torch_call += " with a scheduler (see bench/optim_fixtures.py)"
    return {
        "case": name,
        "spec": spec,
        "torch": torch_call,
        "torch_version": torch.__version__,
        "objective": ("maximize -(" + OBJECTIVE_TEXT + ")") if maximize_objective else OBJECTIVE_TEXT,
        "params0": exact(X0),
        "steps": steps,
    }


def replay_float32(name, cls_name, kwargs, recorded):
    """The float64 case `recorded` replayed in float32: its gradients rounded to float32, its learning rates as set."""
    import torch

    cls = getattr(torch.optim, cls_name)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        x = torch.tensor([float(v) for v in recorded["params0"]], dtype=torch.float32, requires_grad=True)
        params0 = x.detach().clone().tolist()
        opt = cls([x], foreach=False, **kwargs)
        steps = []
        for step in recorded["steps"]:
            opt.param_groups[0]["lr"] = float(step["lr"])
            x.grad = torch.tensor([float(g) for g in step["grad"]], dtype=torch.float32)
            opt.step()
            steps.append({"lr": step["lr"], "grad": exact(x.grad.tolist()), "params": exact(x.detach().tolist())})
    finally:
        torch.set_default_dtype(previous)
    return {
        "case": name,
        "spec": recorded["spec"],
        "torch": recorded["torch"] + ", on float32 with the float64 case's gradients and learning rates",
        "torch_version": torch.__version__,
        "dtype": "float32",
        "params0": exact(params0),
        "steps": steps,
    }


def schedule_cases():
    """(chainrule schedule spec, torch description, factory) — base lr 0.1, 60 values each."""
    from torch.optim import lr_scheduler as sched

    return [
        ("const", "ConstantLR(factor=1.0)", lambda o: sched.ConstantLR(o, factor=1.0, total_iters=0)),
        ("step:step_size=10,gamma=0.9", "StepLR(step_size=10, gamma=0.9)",
         lambda o: sched.StepLR(o, step_size=10, gamma=0.9)),
        ("step:step_size=1,gamma=0.95", "StepLR(step_size=1, gamma=0.95)",
         lambda o: sched.StepLR(o, step_size=1, gamma=0.95)),
        ("exp:gamma=0.99", "ExponentialLR(gamma=0.99)", lambda o: sched.ExponentialLR(o, gamma=0.99)),
        ("cos:t_max=40,eta_min=0.001", "CosineAnnealingLR(T_max=40, eta_min=0.001)",
         lambda o: sched.CosineAnnealingLR(o, T_max=40, eta_min=0.001)),
        ("cos:t_max=25", "CosineAnnealingLR(T_max=25) (past T_max the closed form rises again)",
         lambda o: sched.CosineAnnealingLR(o, T_max=25)),
        ("warmup:steps=10,start_factor=0.1", "LinearLR(start_factor=0.1, total_iters=10)",
         lambda o: sched.LinearLR(o, start_factor=0.1, total_iters=10)),
        ("warmup:steps=5", "LinearLR(total_iters=5) (start_factor 1/3)",
         lambda o: sched.LinearLR(o, total_iters=5)),
        ("warmup:steps=10,start_factor=0.1+cos:t_max=40,eta_min=0.001",
         "SequentialLR([LinearLR(start_factor=0.1, total_iters=10), CosineAnnealingLR(T_max=40, eta_min=0.001)], "
         "milestones=[10])",
         lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.1, total_iters=10),
                                          sched.CosineAnnealingLR(o, T_max=40, eta_min=0.001)], milestones=[10])),
        ("warmup:steps=8,start_factor=0.25+step:step_size=10,gamma=0.5",
         "SequentialLR([LinearLR(start_factor=0.25, total_iters=8), StepLR(step_size=10, gamma=0.5)], milestones=[8])",
         lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.25, total_iters=8),
                                          sched.StepLR(o, step_size=10, gamma=0.5)], milestones=[8])),
        ("warmup:steps=4,start_factor=0.5+exp:gamma=0.9",
         "SequentialLR([LinearLR(start_factor=0.5, total_iters=4), ExponentialLR(gamma=0.9)], milestones=[4])",
         lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.5, total_iters=4),
                                          sched.ExponentialLR(o, gamma=0.9)], milestones=[4])),
    ]


def record_schedules():
    import warnings

    import torch

    base_lr = 0.1
    out = []
    for spec, desc, make in schedule_cases():
        x = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([x], lr=base_lr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler = make(opt)
            lrs = []
            for _ in range(60):
                lrs.append(opt.param_groups[0]["lr"])
                opt.step()
                scheduler.step()
        out.append({"spec": spec, "torch": desc, "base_lr": exact(base_lr), "lrs": exact(lrs)})
    return {"torch_version": torch.__version__,
            "note": "lrs[t] is the learning rate of the (t+1)-th optimizer step, i.e. Schedule::lr_at(base_lr, t)",
            "schedules": out}


def dumps(data) -> str:
    """JSON with one line per list entry of the long lists (steps, schedules): small diffs, readable files."""
    lines = ["{"]
    items = list(data.items())
    for n, (key, value) in enumerate(items):
        comma = "," if n + 1 < len(items) else ""
        if isinstance(value, list) and value and isinstance(value[0], dict):
            rows = ",\n".join("  " + json.dumps(row) for row in value)
            lines.append(f" {json.dumps(key)}: [\n{rows}\n ]{comma}")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"virtualenv (default {DEFAULT_VENV})")
    parser.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "optim", help="output directory")
    parser.add_argument("--float32-only", action="store_true",
                        help="only replay the float64 files already in --out in float32 (into --out/float32)")
    args = parser.parse_args()
    ensure_venv(args.venv.expanduser())

    import torch

    torch.set_default_dtype(torch.float64)  # step counters and NAdam's mu_product are float64 too
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "float32").mkdir(exist_ok=True)
    for case in cases():
        path = args.out / f"{case[0]}.json"
        if args.float32_only:
            data = json.loads(path.read_text())
        else:
            data = record_case(*case)
            path.write_text(dumps(data))
            print(f"wrote {path.relative_to(REPO) if REPO in path.resolve().parents else path}")
        name, _, cls_name, kwargs, _, _ = case
        path = args.out / "float32" / f"{name}.json"
        path.write_text(dumps(replay_float32(name, cls_name, kwargs, data)))
        print(f"wrote {path.relative_to(REPO) if REPO in path.resolve().parents else path}")
    if args.float32_only:
        return
    path = args.out / "schedules.json"
    path.write_text(dumps(record_schedules()))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
