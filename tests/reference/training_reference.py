#!/usr/bin/env python3
"""Writes training_reference.json: PyTorch reference numbers for the training runtime tests.

Run with a Python that has PyTorch (tested with Debian's python3-torch 1.13.1):
    /usr/bin/python3 tests/reference/training_reference.py
The tests read only the JSON; they never need PyTorch.

All hyper-parameters are float32-representable so both sides see identical values; parameters and gradients are
float32. Tensor layout matches INetwork: the weight matrix [out, in] row-major, then the bias [out].
"""
import json
import math
import os
import struct

import torch

torch.manual_seed(1234)


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def flat(*tensors):
    return [float(v) for t in tensors for v in t.detach().reshape(-1).tolist()]


OUT, IN, STEPS = 3, 5, 6  # 18 parameters: vector body plus scalar tail for 4-, 8- and 16-wide vectors


def optimizer_case(name, kind, lr, **hyper):
    w = torch.randn(OUT, IN, dtype=torch.float32)
    b = torch.randn(OUT, dtype=torch.float32)
    init = flat(w, b)
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    lr = f32(lr)
    hyper = {k: (f32(v) if isinstance(v, float) else v) for k, v in hyper.items()}
    lrs = [lr, lr, f32(lr * 0.5), f32(lr * 0.5), f32(lr * 0.25), f32(lr * 0.25)]
    if kind == "sgd":
        opt = torch.optim.SGD([w, b], lr=lr, momentum=hyper.get("momentum", 0.0),
                              dampening=hyper.get("dampening", 0.0), nesterov=hyper.get("nesterov", False))
    elif kind == "adam":
        betas = (hyper.get("beta1", f32(0.9)), hyper.get("beta2", f32(0.999)))
        eps = hyper.get("epsilon", f32(1e-8))
        wd = hyper.get("weightDecay", 0.0)
        if wd == 0.0:
            opt = torch.optim.Adam([w, b], lr=lr, betas=betas, eps=eps)
        else:  # decoupled decay on the weight matrix only, as the runtime does
            opt = torch.optim.AdamW([{"params": [w], "weight_decay": wd}, {"params": [b], "weight_decay": 0.0}],
                                    lr=lr, betas=betas, eps=eps)
    elif kind == "rmsprop":
        opt = torch.optim.RMSprop([w, b], lr=lr, alpha=hyper.get("alpha", f32(0.99)), eps=hyper.get("epsilon", f32(1e-8)),
                                  momentum=hyper.get("momentum", 0.0), centered=hyper.get("centered", False))
    else:
        raise ValueError(kind)
    grads, expected = [], []
    for step in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = lrs[step]
        gw = torch.randn(OUT, IN, dtype=torch.float32) * (0.1 + step)
        gb = torch.randn(OUT, dtype=torch.float32) * 0.5
        if step == 3:
            gw[0, 0] = 0.0  # an exact zero gradient
        w.grad = gw.clone()
        b.grad = gb.clone()
        opt.step()
        grads.append(flat(gw, gb))
        expected.append(flat(w, b))
    return {"name": name, "kind": kind, "learningRates": lrs, "hyper": hyper,
            "initial": init, "gradients": grads, "expected": expected}


optimizers = [
    optimizer_case("sgd", "sgd", 0.1),
    optimizer_case("sgd_momentum", "sgd", 0.05, momentum=0.9),
    optimizer_case("sgd_momentum_dampening", "sgd", 0.05, momentum=0.9, dampening=0.3),
    optimizer_case("sgd_nesterov", "sgd", 0.05, momentum=0.9, nesterov=True),
    optimizer_case("adam", "adam", 0.01),
    optimizer_case("adam_betas", "adam", 0.003, beta1=0.8, beta2=0.95, epsilon=1e-6),
    optimizer_case("adamw", "adam", 0.01, weightDecay=0.1),
    optimizer_case("rmsprop", "rmsprop", 0.01),
    optimizer_case("rmsprop_momentum", "rmsprop", 0.01, alpha=0.9, momentum=0.5),
    optimizer_case("rmsprop_centered", "rmsprop", 0.01, momentum=0.3, centered=True),
]


def schedule_case(name, make, epochs=20, base=0.1):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sched = make(opt)
    rates = []
    for _ in range(epochs):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return {"name": name, "base": base, "rates": rates}


lr_sched = torch.optim.lr_scheduler
schedules = [
    schedule_case("step", lambda o: lr_sched.StepLR(o, step_size=3, gamma=f32(0.5))),
    schedule_case("exponential", lambda o: lr_sched.ExponentialLR(o, gamma=f32(0.9))),
    schedule_case("cosine", lambda o: lr_sched.CosineAnnealingLR(o, T_max=10, eta_min=f32(0.001))),
    schedule_case("warmup_cosine", lambda o: lr_sched.SequentialLR(
        o, [lr_sched.LinearLR(o, start_factor=f32(0.25), total_iters=4), lr_sched.CosineAnnealingLR(o, T_max=10)],
        milestones=[4])),
    schedule_case("warmup_constant", lambda o: lr_sched.LinearLR(o, start_factor=f32(1 / 3), total_iters=5), epochs=8),
]


def clip_case(name, max_norm, scale):
    a = torch.randn(4, 6, dtype=torch.float32) * scale
    b = torch.randn(7, dtype=torch.float32) * scale
    pa = torch.zeros_like(a, requires_grad=True)
    pb = torch.zeros_like(b, requires_grad=True)
    pa.grad, pb.grad = a.clone(), b.clone()
    total = torch.nn.utils.clip_grad_norm_([pa, pb], f32(max_norm))
    return {"name": name, "maxNorm": f32(max_norm), "gradients": flat(a, b),
            "totalNorm": float(total), "expected": flat(pa.grad, pb.grad)}


def clip_value_case(max_value):
    g = torch.randn(19, dtype=torch.float32) * 2
    p = torch.zeros_like(g, requires_grad=True)
    p.grad = g.clone()
    torch.nn.utils.clip_grad_value_([p], f32(max_value))
    return {"maxValue": f32(max_value), "gradients": flat(g), "expected": flat(p.grad)}


clipping = [clip_case("clipped", 1.0, 3.0), clip_case("unclipped", 100.0, 1.0)]

data = {
    "torch": torch.__version__,
    "optimizers": optimizers,
    "schedules": schedules,
    "clipNorm": clipping,
    "clipValue": clip_value_case(1.5),
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "training_reference.json")
with open(path, "w") as f:
    json.dump(data, f, indent=1)
    f.write("\n")
print("wrote", path)
