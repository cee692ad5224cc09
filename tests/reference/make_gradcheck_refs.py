#!/usr/bin/python3
"""Builds the PyTorch reference cases for the gradient-check tests.

Run from anywhere with Debian's python3-torch (apt-get install -y python3-torch):

    /usr/bin/python3 tests/reference/make_gradcheck_refs.py

Writes, relative to the repository root:
  tests/Backprop.Generated.Tests/GradientChecks/gradcheck_cases.json
  tests/Backprop.Generated.Tests/GradientChecks/GradientCheckNetworks.cs
and then runs make_staged_gradcheck_refs.py (networks with [Activation], [Dropout] and [BatchNorm] layers), which writes
  tests/Backprop.Generated.Tests/GradientChecks/staged_gradcheck_cases.json
  tests/Backprop.Generated.Tests/GradientChecks/StagedGradientCheckNetworks.cs

Every parameter, input and target is drawn from a fixed numpy seed and ROUNDED TO float32 first, so the C# float32
network holds exactly the same numbers; loss, outputs and gradients are then computed in float64 with torch autograd.
Cases are re-drawn until every ReLU/LeakyReLU pre-activation and every hinge margin 1 - t*y is at least 0.01 away
from its kink (so finite differences with h = 1/1024 never cross a kink) and every tensor has a gradient component of
magnitude >= 1e-3 (so no tensor is checked against all zeros only).

The script also checks its own numbers: it recomputes every case in float32 torch and by float32 central differences
and asserts that both stay well inside the tolerances GradientCheckTests.cs uses (see TOLERANCES below), and that a
gradient with a missing 1/k factor or a few typical wrong derivatives would FAIL the reference comparison.
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "tests", "Backprop.Generated.Tests", "GradientChecks")
SEED = 20240611

# Keep these equal to the constants in GradientCheckTests.cs.
REF_RTOL = 3e-5      # reference: |a - b| <= REF_RTOL * |b| + REF_ATOL * max(1, max|b| over the tensor)
REF_ATOL = 3e-6
FD_H = 1.0 / 1024.0  # finite differences: |fd - g| <= FD_RTOL * |g| + FD_ATOL * max(1, |loss|)
FD_RTOL = 2e-3
FD_ATOL = 1e-3
KINK_MARGIN = 0.01

LOSS_ENUM = {
    "MSE": "MeanSquaredError",
    "CE": "CrossEntropy",
    "BCE": "BinaryCrossEntropy",
    "Hinge": "Hinge",
}
ACTS = ["Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax"]

# name, input size, [(units, activation, init or None)], loss
ARCHS = [
    # depth 1: every output activation with the losses it fits
    ("Mse_Linear", 3, [(2, "Linear", None)], "MSE"),
    ("Mse_Sigmoid", 4, [(3, "Sigmoid", None)], "MSE"),
    ("Mse_Tanh", 3, [(4, "Tanh", "XavierNormal")], "MSE"),
    ("Mse_ReLU", 5, [(3, "ReLU", None)], "MSE"),
    ("Mse_LeakyReLU", 4, [(2, "LeakyReLU", "HeNormal")], "MSE"),
    ("Ce_Softmax", 4, [(3, "Softmax", None)], "CE"),
    ("Bce_Sigmoid", 3, [(2, "Sigmoid", None)], "BCE"),
    ("Hinge_Linear", 4, [(3, "Linear", None)], "Hinge"),
    ("Hinge_Tanh", 3, [(2, "Tanh", None)], "Hinge"),
    ("Hinge_LeakyReLU", 3, [(2, "LeakyReLU", None)], "Hinge"),
    # depth 2
    ("Mse_ReLU_Linear", 4, [(5, "ReLU", None), (2, "Linear", None)], "MSE"),
    ("Ce_Tanh_Softmax", 3, [(4, "Tanh", None), (3, "Softmax", "XavierUniform")], "CE"),
    ("Bce_LeakyReLU_Sigmoid", 5, [(4, "LeakyReLU", None), (3, "Sigmoid", None)], "BCE"),
    ("Hinge_Sigmoid_Tanh", 2, [(3, "Sigmoid", None), (2, "Tanh", None)], "Hinge"),
    ("Mse_Linear_Tanh", 4, [(3, "Linear", None), (3, "Tanh", None)], "MSE"),
    ("Mse_Sigmoid_ReLU", 3, [(4, "Sigmoid", None), (3, "ReLU", "HeUniform")], "MSE"),
    ("Mse_Tanh_LeakyReLU", 3, [(5, "Tanh", "LeCunNormal"), (2, "LeakyReLU", None)], "MSE"),
    ("Hinge_ReLU_Linear", 4, [(6, "ReLU", None), (2, "Linear", None)], "Hinge"),
    # depth 3
    ("Ce_ReLU_Tanh_Softmax", 6, [(7, "ReLU", None), (5, "Tanh", None), (4, "Softmax", None)], "CE"),
    ("Bce_Tanh_ReLU_Sigmoid", 4, [(5, "Tanh", None), (4, "ReLU", None), (2, "Sigmoid", None)], "BCE"),
    ("Mse_LeakyReLU_Sigmoid_Linear", 5, [(4, "LeakyReLU", None), (6, "Sigmoid", None), (3, "Linear", None)], "MSE"),
    ("Hinge_Linear_LeakyReLU_Tanh", 3, [(4, "Linear", None), (3, "LeakyReLU", None), (2, "Tanh", None)], "Hinge"),
    # depth 4
    ("Ce_Sigmoid_LeakyReLU_ReLU_Softmax", 4,
     [(6, "Sigmoid", None), (5, "LeakyReLU", None), (4, "ReLU", None), (3, "Softmax", None)], "CE"),
    ("Bce_ReLU_Tanh_LeakyReLU_Sigmoid", 5,
     [(6, "ReLU", None), (5, "Tanh", None), (4, "LeakyReLU", None), (3, "Sigmoid", None)], "BCE"),
    ("Mse_Linear_Sigmoid_Tanh_Linear", 3,
     [(5, "Linear", None), (4, "Sigmoid", None), (4, "Tanh", None), (2, "Linear", None)], "MSE"),
    # a loss paired with an output it does not fit: computed on the outputs y
    ("Ce_On_Sigmoid", 4, [(5, "Tanh", None), (3, "Sigmoid", None)], "CE"),
    ("Bce_On_Softmax", 3, [(4, "ReLU", None), (3, "Softmax", None)], "BCE"),
    ("Mse_On_Softmax", 4, [(5, "Sigmoid", None), (4, "Softmax", None)], "MSE"),
    ("Hinge_On_Softmax", 3, [(4, "Tanh", None), (3, "Softmax", None)], "Hinge"),
    ("Hinge_On_Sigmoid", 4, [(3, "Sigmoid", None)], "Hinge"),
    # larger layers: 20-16-10, and layers of >= 1024 weights (the generator's loop path)
    ("Ce_Large_20_16_10", 20, [(16, "Tanh", None), (10, "Softmax", None)], "CE"),
    ("Mse_Loop_48_24_5", 48, [(24, "ReLU", None), (5, "Linear", None)], "MSE"),
    ("Ce_Loop_64_32_10", 64, [(32, "LeakyReLU", None), (10, "Softmax", None)], "CE"),
    # mixes of small and large layers (the generator unrolls layers of up to 512 weights, loops over larger ones):
    # small -> large -> small, two large layers in a row, and large output layers with each fused loss
    ("Bce_Small_Large_Small_10_12_48_3", 10, [(12, "Tanh", None), (48, "Sigmoid", None), (3, "Sigmoid", None)], "BCE"),
    ("Mse_Large_Large_24_24_24_2", 24, [(24, "LeakyReLU", None), (24, "ReLU", None), (2, "Tanh", None)], "MSE"),
    ("Ce_Large_Output_16_8_80", 16, [(8, "ReLU", None), (80, "Softmax", None)], "CE"),
    ("Bce_Large_Output_12_50", 12, [(50, "Sigmoid", None)], "BCE"),
    ("Hinge_Large_Output_30_20", 30, [(20, "Linear", None)], "Hinge"),
    # losses on logits: CrossEntropy on a Linear output is torch.nn.CrossEntropyLoss, BinaryCrossEntropy on a Linear
    # output is torch.nn.BCEWithLogitsLoss; unrolled, looped (cases of 9 samples or more take the batch path) and a
    # large looped output layer
    ("Ce_Logits", 4, [(3, "Linear", None)], "CE"),
    ("Bce_Logits", 3, [(2, "Linear", None)], "BCE"),
    ("Ce_Tanh_Logits", 3, [(4, "Tanh", None), (3, "Linear", None)], "CE"),
    ("Bce_ReLU_Logits", 4, [(5, "ReLU", None), (1, "Linear", None)], "BCE"),
    ("Ce_Logits_Loop_64_32_10", 64, [(32, "LeakyReLU", None), (10, "Linear", None)], "CE"),
    ("Bce_Logits_Loop_48_24_3", 48, [(24, "Tanh", None), (3, "Linear", None)], "BCE"),
    ("Ce_Logits_Large_Output_16_8_80", 16, [(8, "ReLU", None), (80, "Linear", None)], "CE"),
]

# arch name, k, target kind ("default", "onehot", "soft", "hard")
CASES = [
    ("Mse_Linear", 1, "default"), ("Mse_Linear", 3, "default"),
    ("Mse_Sigmoid", 1, "default"), ("Mse_Sigmoid", 5, "default"),
    ("Mse_Tanh", 1, "default"),
    ("Mse_ReLU", 1, "default"), ("Mse_ReLU", 3, "default"),
    ("Mse_LeakyReLU", 3, "default"),
    ("Ce_Softmax", 1, "onehot"), ("Ce_Softmax", 3, "onehot"), ("Ce_Softmax", 3, "soft"),
    ("Bce_Sigmoid", 1, "hard"), ("Bce_Sigmoid", 5, "soft"),
    ("Hinge_Linear", 1, "default"), ("Hinge_Linear", 3, "default"),
    ("Hinge_Tanh", 5, "default"),
    ("Hinge_LeakyReLU", 3, "default"),
    ("Mse_ReLU_Linear", 1, "default"), ("Mse_ReLU_Linear", 5, "default"),
    ("Ce_Tanh_Softmax", 1, "onehot"), ("Ce_Tanh_Softmax", 5, "soft"),
    ("Bce_LeakyReLU_Sigmoid", 3, "hard"),
    ("Hinge_Sigmoid_Tanh", 3, "default"),
    ("Mse_Linear_Tanh", 1, "default"),
    ("Mse_Sigmoid_ReLU", 3, "default"),
    ("Mse_Tanh_LeakyReLU", 1, "default"),
    ("Hinge_ReLU_Linear", 5, "default"),
    ("Ce_ReLU_Tanh_Softmax", 1, "onehot"), ("Ce_ReLU_Tanh_Softmax", 3, "soft"),
    ("Bce_Tanh_ReLU_Sigmoid", 3, "soft"),
    ("Mse_LeakyReLU_Sigmoid_Linear", 1, "default"), ("Mse_LeakyReLU_Sigmoid_Linear", 3, "default"),
    ("Hinge_Linear_LeakyReLU_Tanh", 3, "default"),
    ("Ce_Sigmoid_LeakyReLU_ReLU_Softmax", 3, "onehot"),
    ("Bce_ReLU_Tanh_LeakyReLU_Sigmoid", 1, "hard"), ("Bce_ReLU_Tanh_LeakyReLU_Sigmoid", 3, "soft"),
    ("Mse_Linear_Sigmoid_Tanh_Linear", 5, "default"),
    ("Ce_On_Sigmoid", 3, "soft"),
    ("Bce_On_Softmax", 3, "hard"),
    ("Mse_On_Softmax", 3, "onehot"),
    ("Hinge_On_Softmax", 3, "default"),
    ("Hinge_On_Sigmoid", 1, "default"),
    ("Ce_Large_20_16_10", 1, "onehot"), ("Ce_Large_20_16_10", 5, "soft"),
    ("Mse_Loop_48_24_5", 1, "default"), ("Mse_Loop_48_24_5", 3, "default"),
    ("Ce_Loop_64_32_10", 3, "onehot"),
    ("Bce_Small_Large_Small_10_12_48_3", 3, "soft"),
    ("Mse_Large_Large_24_24_24_2", 1, "default"), ("Mse_Large_Large_24_24_24_2", 3, "default"),
    ("Ce_Large_Output_16_8_80", 3, "soft"),
    ("Bce_Large_Output_12_50", 3, "hard"),
    ("Hinge_Large_Output_30_20", 3, "default"),
    ("Ce_Logits", 1, "onehot"), ("Ce_Logits", 3, "soft"),
    ("Bce_Logits", 1, "hard"), ("Bce_Logits", 5, "soft"),
    ("Ce_Tanh_Logits", 5, "soft"),
    ("Bce_ReLU_Logits", 3, "hard"),
    ("Ce_Logits_Loop_64_32_10", 3, "onehot"), ("Ce_Logits_Loop_64_32_10", 12, "onehot"),
    ("Bce_Logits_Loop_48_24_3", 10, "soft"),
    ("Ce_Logits_Large_Output_16_8_80", 9, "soft"),
]


def f32(a):
    """Rounds to float32 values, returned as a float64 array holding exactly those values."""
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


def activate(z, act):
    if act == "Linear":
        return z
    if act == "Sigmoid":
        return torch.sigmoid(z)
    if act == "Tanh":
        return torch.tanh(z)
    if act == "ReLU":
        return torch.relu(z)
    if act == "LeakyReLU":
        return F.leaky_relu(z, 0.01)
    if act == "Softmax":
        return torch.softmax(z, dim=1)
    raise ValueError(act)


def forward(params, x, layers):
    """Returns (pre-activations of every layer, output y). params: list of (W [out,in], b [out])."""
    pre = []
    a = x
    for (w, b), (_, act, _) in zip(params, layers):
        z = a @ w.T + b
        pre.append(z)
        a = activate(z, act)
    return pre, a


def loss_of(pre, y, t, layers, loss):
    out_act = layers[-1][1]
    z = pre[-1]
    if loss == "MSE":
        return F.mse_loss(y, t)
    if loss == "Hinge":
        return torch.relu(1 - t * y).mean()
    if loss == "CE":
        if out_act == "Linear":
            return F.cross_entropy(z, t)  # torch.nn.CrossEntropyLoss on the logits (probability targets)
        if out_act == "Softmax":
            return -(t * torch.log_softmax(z, dim=1)).sum(dim=1).mean()
        return -(t * torch.clamp(torch.log(y), min=-100)).sum(dim=1).mean()
    if loss == "BCE":
        if out_act == "Linear":
            return F.binary_cross_entropy_with_logits(z, t)  # torch.nn.BCEWithLogitsLoss
        if out_act == "Sigmoid":
            return F.binary_cross_entropy_with_logits(z, t)
        return F.binary_cross_entropy(y, t)
    raise ValueError(loss)


def run(flat, x, t, n_in, layers, loss, dtype):
    """Loss, outputs and flat gradient (Parameters layout) in the given dtype."""
    flat_t = torch.tensor(flat, dtype=dtype)
    params = []
    off = 0
    fan_in = n_in
    for units, _, _ in layers:
        w = flat_t[off:off + units * fan_in].reshape(units, fan_in).clone().requires_grad_(True)
        off += units * fan_in
        b = flat_t[off:off + units].clone().requires_grad_(True)
        off += units
        params.append((w, b))
        fan_in = units
    xt = torch.tensor(x, dtype=dtype)
    tt = torch.tensor(t, dtype=dtype)
    pre, y = forward(params, xt, layers)
    L = loss_of(pre, y, tt, layers, loss)
    L.backward()
    grad = torch.cat([torch.cat([w.grad.reshape(-1), b.grad]) for w, b in params])
    return L.item(), y.detach().numpy().reshape(-1), grad.numpy().astype(np.float64), [p.detach().numpy() for p in pre]


def tensor_slices(n_in, layers):
    out = []
    off = 0
    fan_in = n_in
    for i, (units, _, _) in enumerate(layers):
        out.append((f"layers.{i}.weight", off, units * fan_in))
        off += units * fan_in
        out.append((f"layers.{i}.bias", off, units))
        off += units
        fan_in = units
    return out


def ref_ok(actual, expected, slices):
    """The reference comparison of GradientCheckTests.cs; returns the worst |a-b|/tol ratio."""
    worst = 0.0
    for _, off, n in slices:
        e = expected[off:off + n]
        a = actual[off:off + n]
        scale = max(1.0, float(np.max(np.abs(e))))
        tol = REF_RTOL * np.abs(e) + REF_ATOL * scale
        worst = max(worst, float(np.max(np.abs(a - e) / tol)))
    return worst


def draw_targets(rng, k, n_out, loss, kind):
    if loss == "Hinge":
        return np.where(rng.random((k, n_out)) < 0.5, -1.0, 1.0)
    if kind == "onehot":
        t = np.zeros((k, n_out))
        t[np.arange(k), rng.integers(0, n_out, size=k)] = 1.0
        return t
    if kind == "soft":
        if loss == "CE":
            e = np.exp(rng.normal(size=(k, n_out)) * 1.5)
            return f32(e / e.sum(axis=1, keepdims=True))
        return f32(rng.random((k, n_out)))
    if kind == "hard":
        return (rng.random((k, n_out)) < 0.5).astype(np.float64)
    # regression targets
    return f32(rng.uniform(-1.0, 1.0, size=(k, n_out)))


def make_case(arch, k, kind, rng):
    name, n_in, layers, loss = arch
    n_out = layers[-1][0]
    slices = tensor_slices(n_in, layers)
    for attempt in range(10000):
        flat = []
        fan_in = n_in
        for units, act, _ in layers:
            bound = 1.6 / np.sqrt(fan_in)
            flat.append(rng.uniform(-bound, bound, size=units * fan_in))
            flat.append(rng.uniform(-0.5, 0.5, size=units))
            fan_in = units
        flat = f32(np.concatenate(flat))
        x = f32(rng.uniform(-1.0, 1.0, size=(k, n_in)))
        t = draw_targets(rng, k, n_out, loss, kind)
        L, y, g, pre = run(flat, x, t, n_in, layers, loss, torch.float64)
        ok = True
        for z, (_, act, _) in zip(pre, layers):
            if act in ("ReLU", "LeakyReLU") and np.min(np.abs(z)) < KINK_MARGIN:
                ok = False
        if loss == "Hinge" and np.min(np.abs(1 - t * y.reshape(k, n_out))) < KINK_MARGIN:
            ok = False
        for _, off, n in slices:
            if np.max(np.abs(g[off:off + n])) < 1e-3:
                ok = False
        if ok:
            return flat, x, t, L, y, g, attempt
    raise RuntimeError(f"could not draw a valid case for {name} k={k}")


def fd_check(flat, x, t, n_in, layers, loss, g_exact):
    """float32 central differences as GradientCheckTests.cs does them; returns the worst |fd-g|/tol ratio."""
    L0, _, g32, _ = run(flat, x, t, n_in, layers, loss, torch.float32)
    p32 = flat.astype(np.float32)
    worst = 0.0
    h = np.float32(FD_H)
    for i in range(len(p32)):
        orig = p32[i]
        q = p32.copy()
        q[i] = orig + h
        lp, _, _, _ = run(q.astype(np.float64), x, t, n_in, layers, loss, torch.float32)
        q[i] = orig - h
        lm, _, _, _ = run(q.astype(np.float64), x, t, n_in, layers, loss, torch.float32)
        denom = float(np.float32(orig + h)) - float(np.float32(orig - h))
        fd = (np.float32(lp) - np.float32(lm)) / denom
        tol = FD_RTOL * abs(g32[i]) + FD_ATOL * max(1.0, abs(L0))
        worst = max(worst, abs(fd - g32[i]) / tol, abs(fd - g_exact[i]) / tol)
    return worst


def mutants(flat, x, t, n_in, layers, loss, k, g):
    """Gradients a buggy implementation would produce; each must fail the reference comparison."""
    out = []
    if k > 1:
        out.append(("missing 1/k", g * k))
    out.append(("gradient doubled", g * 2))
    # wrong derivative of a hidden or output activation: redo the float64 case with a patched activation
    for li, (units, act, init) in enumerate(layers):
        if act in ("Sigmoid", "Tanh", "ReLU", "LeakyReLU"):
            patched = list(layers)
            patched[li] = (units, "Wrong" + act, init)
            out.append((f"wrong {act}' in layer {li}", run_wrong(flat, x, t, n_in, patched, loss)))
    return out


class _WrongDerivative(torch.autograd.Function):
    """Forward like the activation, backward with a typical mistake."""

    @staticmethod
    def forward(ctx, z, kind):
        ctx.kind = kind
        if kind == "Sigmoid":
            a = torch.sigmoid(z)
        elif kind == "Tanh":
            a = torch.tanh(z)
        elif kind == "ReLU":
            a = torch.relu(z)
        else:
            a = F.leaky_relu(z, 0.01)
        ctx.save_for_backward(z, a)
        return a

    @staticmethod
    def backward(ctx, grad):
        z, a = ctx.saved_tensors
        if ctx.kind == "Sigmoid":
            d = a  # forgot the (1 - a)
        elif ctx.kind == "Tanh":
            d = 1 - a  # 1 - a instead of 1 - a^2
        elif ctx.kind == "ReLU":
            d = torch.ones_like(z)  # passes everything
        else:
            d = torch.where(z > 0, torch.ones_like(z), torch.full_like(z, 0.1))  # slope 0.1 instead of 0.01
        return grad * d, None


def run_wrong(flat, x, t, n_in, layers, loss):
    global activate
    original = activate

    def patched(z, act):
        if act.startswith("Wrong"):
            return _WrongDerivative.apply(z, act[5:])
        return original(z, act)

    activate = patched
    try:
        fixed_layers = [(u, a, i) for u, a, i in layers]
        _, _, g, _ = run(flat, x, t, n_in, fixed_layers, loss, torch.float64)
    finally:
        activate = original
    return g


def cs_class(arch):
    name, n_in, layers, loss = arch
    lines = [f"[Network(Loss.{LOSS_ENUM[loss]})]", f"[Input({n_in})]"]
    for units, act, init in layers:
        extra = f", Init = Init.{init}" if init else ""
        lines.append(f"[Dense({units}, Activation.{act}{extra})]")
    lines.append(f"internal partial class {name} {{ }}")
    return "\n".join(lines)


def write_cs(path):
    header = [
        "// generated by tests/reference/make_gradcheck_refs.py; do not edit",
        "// One network per distinct architecture of gradcheck_cases.json. Regenerate with:",
        "//   /usr/bin/python3 tests/reference/make_gradcheck_refs.py",
        "// Some networks pair a loss with an output it does not fit on purpose (the generic loss path is checked too).",
        "#pragma warning disable BPG0004",
        "using System;",
        "using System.Collections.Generic;",
        "using Backprop.Generated;",
        "",
        "namespace Backprop.Generated.Tests.GradientChecks;",
        "",
    ]
    body = [cs_class(a) + "\n" for a in ARCHS]
    names = ", ".join(f'"{a[0]}"' for a in ARCHS)
    factory = [
        "/// <summary>Creates the gradient-check networks by name.</summary>",
        "internal static class GradientCheckNetworks",
        "{",
        "    /// <summary>The names of all networks, in declaration order.</summary>",
        f"    public static IReadOnlyList<string> Names {{ get; }} = new[] {{ {names} }};",
        "",
        "    /// <summary>A new network of the named class, created with its parameterless constructor.</summary>",
        "    public static INetwork Create(string name) => name switch",
        "    {",
    ]
    for a in ARCHS:
        factory.append(f'        "{a[0]}" => new {a[0]}(),')
    factory += [
        '        _ => throw new ArgumentException($"Unknown gradient-check network \'{name}\'.", nameof(name)),',
        "    };",
        "",
        "    /// <summary>A new network of the named class, created with its seeded constructor.</summary>",
        "    public static INetwork Create(string name, int seed) => name switch",
        "    {",
    ]
    for a in ARCHS:
        factory.append(f'        "{a[0]}" => new {a[0]}(seed),')
    factory += [
        '        _ => throw new ArgumentException($"Unknown gradient-check network \'{name}\'.", nameof(name)),',
        "    };",
        "}",
    ]
    with open(path, "w", newline="\n") as f:
        f.write("\n".join(header) + "\n" + "\n".join(body) + "\n".join(factory) + "\n")


def main():
    torch.set_num_threads(1)
    arch_by_name = {a[0]: a for a in ARCHS}
    assert len(arch_by_name) == len(ARCHS)
    for a in ARCHS:
        assert all(act in ACTS for _, act, _ in a[2])
        assert all(act != "Softmax" for _, act, _ in a[2][:-1])
    rng = np.random.default_rng(SEED)
    cases = []
    worst_f32 = worst_fd = 0.0
    weakest_mutant = float("inf")
    used = set()
    for arch_name, k, kind in CASES:
        arch = arch_by_name[arch_name]
        used.add(arch_name)
        _, n_in, layers, loss = arch
        flat, x, t, L, y, g, attempts = make_case(arch, k, kind, rng)
        slices = tensor_slices(n_in, layers)
        case_name = f"{arch_name}_k{k}" + ("" if kind == "default" else f"_{kind}")

        # float32 torch must sit well inside the C# reference tolerance...
        L32, _, g32, _ = run(flat, x, t, n_in, layers, loss, torch.float32)
        r = ref_ok(g32, g, slices)
        r = max(r, abs(L32 - L) / (REF_RTOL * abs(L) + REF_ATOL))
        worst_f32 = max(worst_f32, r)
        # ...and typical bugs well outside it.
        for what, bad in mutants(flat, x, t, n_in, layers, loss, k, g):
            rb = ref_ok(bad, g, slices)
            weakest_mutant = min(weakest_mutant, rb)
            if rb < 10:
                raise AssertionError(f"{case_name}: mutant '{what}' would pass the reference check (ratio {rb:.3g})")
        # float32 finite differences must sit inside the FD tolerance.
        fd = fd_check(flat, x, t, n_in, layers, loss, g)
        worst_fd = max(worst_fd, fd)
        print(f"{case_name:45s} params={len(flat):5d} attempts={attempts:3d} loss={L:.6f} "
              f"f32/tol={r:.3f} fd/tol={fd:.3f}")

        cases.append({
            "name": case_name,
            "network": arch_name,
            "input_size": n_in,
            "layers": [{"units": u, "activation": act, "init": init or "Auto"} for u, act, init in layers],
            "loss": LOSS_ENUM[loss],
            "k": k,
            "parameters": [float(v) for v in flat],
            "inputs": [float(v) for v in x.reshape(-1)],
            "targets": [float(v) for v in np.asarray(t).reshape(-1)],
            "expected_loss": float(L),
            "expected_outputs": [float(v) for v in y],
            "expected_gradients": [float(v) for v in g],
        })
    assert used == set(arch_by_name), set(arch_by_name) - used
    print(f"{len(cases)} cases, {len(ARCHS)} networks; worst float32/tolerance {worst_f32:.3f}, "
          f"worst float32 FD/tolerance {worst_fd:.3f}; weakest bug mutant/tolerance {weakest_mutant:.3g}")
    if worst_f32 > 0.25 or worst_fd > 0.5:
        raise AssertionError("float32 results are too close to the tolerances; the C# tests would be flaky")

    os.makedirs(OUT_DIR, exist_ok=True)
    doc = {
        "generated_by": "tests/reference/make_gradcheck_refs.py",
        "torch_version": torch.__version__,
        "seed": SEED,
        "note": "parameters, inputs and targets are float32 values; expected_* are float64 (torch autograd). "
                "Parameter layout: per Dense layer W [out][in] row-major, then b [out].",
        "cases": cases,
    }
    # One case per line: readable diffs without a line per number.
    head = {key: value for key, value in doc.items() if key != "cases"}
    text = json.dumps(head, indent=1)[:-2] + ',\n "cases": [\n'
    text += ",\n".join("  " + json.dumps(c, separators=(",", ":")) for c in cases)
    text += "\n ]\n}\n"
    json.loads(text)
    with open(os.path.join(OUT_DIR, "gradcheck_cases.json"), "w", newline="\n") as f:
        f.write(text)
    write_cs(os.path.join(OUT_DIR, "GradientCheckNetworks.cs"))

    # The cases with [Activation], [Dropout] and [BatchNorm] layers: a sibling script with its own JSON and networks.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
    import make_staged_gradcheck_refs
    make_staged_gradcheck_refs.main()


if __name__ == "__main__":
    sys.exit(main())
