#!/usr/bin/python3
"""PyTorch reference cases for networks with [Activation], [Dropout] and [BatchNorm] layers.

Run by make_gradcheck_refs.py (the one command that regenerates every gradient-check reference); it also runs alone:

    /usr/bin/python3 tests/reference/make_staged_gradcheck_refs.py

Writes, relative to the repository root:
  tests/Backprop.Generated.Tests/GradientChecks/staged_gradcheck_cases.json
  tests/Backprop.Generated.Tests/GradientChecks/StagedGradientCheckNetworks.cs

As in make_gradcheck_refs.py every parameter, input, target and running statistic is drawn from a fixed numpy seed and
rounded to float32 first; the expectations are float64 torch autograd on those values:
  - training mode (Backward): dropout with the generated code's exact mask (DropoutMask.Scale reimplemented bit for bit
    below), batch norm on batch statistics via torch.nn.functional.batch_norm(training=True, momentum=0.1, eps=1e-5),
    which also gives the running statistics after the step (unbiased variance);
  - inference mode (Forward): dropout is the identity, batch norm uses the case's running statistics.
Tensors are stored by name (layers.{i}.weight, layers.{i}.bn.running_var, ...), so the C# tests place them through
INetwork.Tensors; the documented layout is stored as well and compared with Tensors separately.

Self-checks before writing (the script stops with an error otherwise):
  - float32 torch stays well inside the C# reference tolerance and the float32 Richardson finite differences well inside
    the C# finite-difference tolerance (so the C# tests are not flaky);
  - typical bugs fail the reference comparison by a wide margin: missing 1/(1 - rate), a missing 1/k, batch norm's
    gradient without the terms through the batch mean or variance, and the biased variance in the running statistics.
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "tests", "Backprop.Generated.Tests", "GradientChecks")
SEED = 20240725

# Keep these equal to the constants in StagedGradientCheckTests.cs.
# Loss and gradients, per tensor: |a - b| <= RTOL * |b| + ATOL * scale, scale = gradient_scales[tensor] =
# max(1, max|b|, max|gradient with the batch statistics held constant|) over the tensor; (RTOL, ATOL) =
REF_TOL = (3e-5, 3e-6)      # without batch norm (as make_gradcheck_refs.py),
BN_REF_TOL = (1e-4, 3e-5)   # with batch norm (it divides by the batch deviation and x - mean cancels digits).
OUT_TOL = (3e-5, 3e-6)      # Forward outputs: |a - b| <= RTOL * |b| + ATOL * max(1, |b|)
STATE_TOL = 2e-6            # running statistics after one Backward: |a - b| <= STATE_TOL * max(1, |b|)
FD_H = 1.0 / 512.0   # Richardson: (4 C(h/2) - C(h)) / 3 with C(s) the central difference with step s
FD_RTOL = 2e-2       # per tensor: |fd - g|_2 <= FD_RTOL * |g|_2 + FD_ATOL * max(1, |loss|) * sqrt(n)
FD_ATOL = 2e-4
KINK_MARGIN = 0.01
EPS = 1e-5
MOMENTUM = 0.1

LOSS_ENUM = {"MSE": "MeanSquaredError", "CE": "CrossEntropy", "BCE": "BinaryCrossEntropy", "Hinge": "Hinge"}

# Layers: ("Dense", units, activation[, init]), ("Act", activation), ("Drop", rate), ("BN",)
D = lambda units, act="Linear", init=None: ("Dense", units, act, init)  # noqa: E731
A = lambda act: ("Act", act)  # noqa: E731
Drop = lambda rate: ("Drop", rate)  # noqa: E731
BN = ("BN",)

# name, input size, layers, loss
ARCHS = [
    # [Activation] layers: every activation as a layer of its own
    ("S_Mse_ActTanh_ActReLU", 4, [D(5), A("Tanh"), D(4), A("ReLU"), D(2)], "MSE"),
    ("S_Hinge_ActSigmoid_ActLeakyReLU", 3, [D(4), A("Sigmoid"), D(3), A("LeakyReLU")], "Hinge"),
    ("S_Mse_ActLinear_Stacked", 3, [D(4, "Tanh"), A("Linear"), A("Sigmoid"), D(2), A("Linear")], "MSE"),
    ("S_Ce_ActSoftmax", 5, [D(6, "ReLU"), D(4), A("Softmax")], "CE"),
    ("S_Bce_ActSigmoid", 4, [D(5, "Tanh"), D(3), A("Sigmoid")], "BCE"),
    ("S_Mse_On_ActSoftmax", 3, [D(4, "LeakyReLU"), D(3), A("Softmax")], "MSE"),
    # [Dropout]: on the inputs, between hidden layers, twice in a row, at the very end, rate 0
    ("S_Mse_DropInput", 6, [Drop(0.3), D(4, "Tanh"), D(2)], "MSE"),
    ("S_Ce_DropHidden", 5, [D(8, "ReLU"), Drop(0.5), D(6, "Tanh"), Drop(0.2), D(3, "Softmax")], "CE"),
    ("S_Ce_Softmax_DropEnd", 4, [D(5, "Tanh"), D(4, "Softmax"), Drop(0.25)], "CE"),
    ("S_Ce_ActSoftmax_DropEnd", 3, [D(4, "Sigmoid"), D(3), A("Softmax"), Drop(0.4)], "CE"),
    ("S_Mse_DropOutput_DropTwice", 4, [D(5, "Sigmoid"), Drop(0.2), Drop(0.5), D(3), Drop(0.4)], "MSE"),
    ("S_Bce_DropRate0", 3, [Drop(0.0), D(4, "Tanh"), Drop(0.0), D(2, "Sigmoid")], "BCE"),
    # [BatchNorm]: before the activation (as in the paper), after a Dense's activation, after an [Activation],
    # after the output layer
    ("S_Mse_BN_ActReLU", 4, [D(6), BN, A("ReLU"), D(2)], "MSE"),
    ("S_Ce_DenseTanh_BN", 5, [D(6, "Tanh"), BN, D(3, "Softmax")], "CE"),
    ("S_Mse_ActSigmoid_BN", 4, [D(5), A("Sigmoid"), BN, D(2)], "MSE"),
    ("S_Mse_BN_Output", 3, [D(4, "Tanh"), D(3), BN], "MSE"),
    ("S_Hinge_BN_Output", 4, [D(3), BN], "Hinge"),
    ("S_Bce_BN_ActSigmoid_Output", 4, [D(5, "LeakyReLU"), D(3), BN, A("Sigmoid")], "BCE"),
    # combinations, depth up to 4 Dense layers
    ("S_Ce_Combo_Depth4", 6,
     [Drop(0.2), D(8), BN, A("ReLU"), Drop(0.5), D(6, "Tanh"), BN, D(5, "Sigmoid"), BN, A("LeakyReLU"), D(3), BN,
      A("Softmax")],
     "CE"),
    ("S_Bce_Combo_Depth3", 5, [D(5, "LeakyReLU"), BN, Drop(0.3), D(4), A("Tanh"), D(2), A("Sigmoid")], "BCE"),
    ("S_Mse_BN_DropEnd", 4, [D(4, "Sigmoid"), D(3), BN, Drop(0.5)], "MSE"),
    ("S_Hinge_Combo_Depth4", 3,
     [D(6, "Tanh"), Drop(0.25), D(5), BN, A("Sigmoid"), D(4, "ReLU"), BN, D(3, "Linear"), A("Tanh")], "Hinge"),
    # layers of more than 512 weights (the dense-only emitter would loop instead of unrolling)
    ("S_Mse_Large_24x24_BN", 24, [D(24), BN, A("Tanh"), Drop(0.1), D(3)], "MSE"),
    ("S_Ce_Large_Drop_40x32_BN", 40, [Drop(0.25), D(32, "LeakyReLU"), BN, D(4, "Softmax")], "CE"),
    # losses on logits (a Linear output): torch.nn.CrossEntropyLoss and BCEWithLogitsLoss
    ("S_Ce_Logits_BN", 5, [D(6, "ReLU"), BN, D(3)], "CE"),
    ("S_Bce_Logits_Drop_ActLinear", 4, [D(5, "Tanh"), Drop(0.3), D(2), A("Linear")], "BCE"),
]

# arch name, k, target kind ("default", "onehot", "soft", "hard"); batch norm needs k >= 2
CASES = [
    ("S_Mse_ActTanh_ActReLU", 1, "default"), ("S_Mse_ActTanh_ActReLU", 3, "default"),
    ("S_Hinge_ActSigmoid_ActLeakyReLU", 4, "default"),
    ("S_Mse_ActLinear_Stacked", 2, "default"),
    ("S_Ce_ActSoftmax", 3, "onehot"), ("S_Ce_ActSoftmax", 5, "soft"),
    ("S_Bce_ActSigmoid", 4, "hard"),
    ("S_Mse_On_ActSoftmax", 2, "onehot"),
    ("S_Mse_DropInput", 1, "default"), ("S_Mse_DropInput", 4, "default"),
    ("S_Ce_DropHidden", 5, "onehot"),
    ("S_Ce_Softmax_DropEnd", 4, "onehot"), ("S_Ce_Softmax_DropEnd", 3, "soft"),
    ("S_Ce_ActSoftmax_DropEnd", 6, "onehot"),
    ("S_Mse_DropOutput_DropTwice", 3, "default"),
    ("S_Bce_DropRate0", 2, "soft"),
    ("S_Mse_BN_ActReLU", 2, "default"), ("S_Mse_BN_ActReLU", 4, "default"), ("S_Mse_BN_ActReLU", 6, "default"),
    ("S_Ce_DenseTanh_BN", 5, "onehot"),
    ("S_Mse_ActSigmoid_BN", 3, "default"),
    ("S_Mse_BN_Output", 3, "default"), ("S_Mse_BN_Output", 2, "default"),
    ("S_Hinge_BN_Output", 5, "default"),
    ("S_Bce_BN_ActSigmoid_Output", 4, "soft"),
    ("S_Ce_Combo_Depth4", 6, "onehot"), ("S_Ce_Combo_Depth4", 4, "soft"),
    ("S_Bce_Combo_Depth3", 4, "hard"),
    ("S_Mse_BN_DropEnd", 6, "default"),
    ("S_Hinge_Combo_Depth4", 5, "default"),
    ("S_Mse_Large_24x24_BN", 3, "default"),
    ("S_Ce_Large_Drop_40x32_BN", 5, "onehot"),
    ("S_Ce_Logits_BN", 5, "onehot"), ("S_Ce_Logits_BN", 4, "soft"),
    ("S_Bce_Logits_Drop_ActLinear", 4, "hard"),
]


def f32(a):
    """Rounds to float32 values, returned as a float64 array holding exactly those values."""
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


# ---------------------------------------------------------------- DropoutMask, bit for bit (src/Backprop.Generated/DropoutMask.cs)

M64 = (1 << 64) - 1


def _mix(z):
    z = (z + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def mask_uniform(seed, step, layer, element):
    """DropoutMask.Uniform: (ulong)(uint)seed * golden ^ (ulong)step, mixed; then ^ ((ulong)(uint)layer << 32 | (uint)element)."""
    key = _mix((((seed & 0xFFFFFFFF) * 0x9E3779B97F4A7C15) & M64) ^ (step & M64))
    key = _mix(key ^ ((((layer & 0xFFFFFFFF) << 32) | (element & 0xFFFFFFFF)) & M64))
    return np.float32(key >> 40) * np.float32(1.0 / (1 << 24))  # exact: 24 bits times a power of two


def mask_scale(seed, step, layer, element, rate):
    """DropoutMask.Scale with rate a float32: 0 when Uniform < rate, else 1f / (1f - rate) in float32."""
    rate = np.float32(rate)
    if rate <= np.float32(0):
        return np.float32(1)
    if mask_uniform(seed, step, layer, element) < rate:
        return np.float32(0)
    return np.float32(1) / (np.float32(1) - rate)


def masks_for(layers, n_in, k, seed, step):
    """{position: float32 array [k, width]} of every Dropout layer; element e = s * width + j, layer = position."""
    out = {}
    width = n_in
    for pos, layer in enumerate(layers):
        if layer[0] == "Dense":
            width = layer[1]
        if layer[0] == "Drop":
            m = np.empty(k * width, dtype=np.float32)
            for e in range(k * width):
                m[e] = mask_scale(seed, step, pos, e, layer[1])
            out[pos] = m.reshape(k, width)
    return out


# ---------------------------------------------------------------- layout (the documented one: INetwork.Tensors)

def widths(n_in, layers):
    out = []
    w = n_in
    for layer in layers:
        if layer[0] == "Dense":
            w = layer[1]
        out.append(w)
    return out


def layout(n_in, layers):
    """[(name, storage, offset, shape, position)] in Tensors order: per Dense weight, bias; per BatchNorm (named after
    the Dense layer it follows) bn.weight, bn.bias in Parameters, running_mean, running_var in State."""
    out = []
    p_off = s_off = 0
    fan_in = n_in
    dense = -1
    for pos, layer in enumerate(layers):
        if layer[0] == "Dense":
            dense += 1
            u = layer[1]
            out.append((f"layers.{dense}.weight", "Parameters", p_off, [u, fan_in], pos))
            p_off += u * fan_in
            out.append((f"layers.{dense}.bias", "Parameters", p_off, [u], pos))
            p_off += u
            fan_in = u
        elif layer[0] == "BN":
            u = fan_in
            out.append((f"layers.{dense}.bn.weight", "Parameters", p_off, [u], pos))
            out.append((f"layers.{dense}.bn.bias", "Parameters", p_off + u, [u], pos))
            p_off += 2 * u
            out.append((f"layers.{dense}.bn.running_mean", "State", s_off, [u], pos))
            out.append((f"layers.{dense}.bn.running_var", "State", s_off + u, [u], pos))
            s_off += 2 * u
    return out


# ---------------------------------------------------------------- the network in torch

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


def fused(layers, loss):
    last = layers[-1]
    act = last[2] if last[0] == "Dense" else last[1] if last[0] == "Act" else None
    if last[0] in ("Dense", "Act") and act == "Linear" and loss in ("CE", "BCE"):
        return True  # losses on logits: torch.nn.CrossEntropyLoss / BCEWithLogitsLoss
    return (loss == "CE" and act == "Softmax") or (loss == "BCE" and act == "Sigmoid")


def network(tensors, state, x, layers, loss, masks, training, bug=None):
    """Returns (output y, logits for a fused loss or None, [(activation, its input)] of every ReLU/LeakyReLU).
    tensors: name -> torch tensor; state: name -> torch tensor (updated in place in training, as PyTorch does)."""
    kinks = []
    a = x
    logits = None
    dense = -1
    for pos, layer in enumerate(layers):
        kind = layer[0]
        logits = None
        if kind == "Dense":
            dense += 1
            z = a @ tensors[f"layers.{dense}.weight"].T + tensors[f"layers.{dense}.bias"]
            if layer[2] in ("ReLU", "LeakyReLU"):
                kinks.append(z)
            logits = z
            a = activate(z, layer[2])
        elif kind == "Act":
            if layer[1] in ("ReLU", "LeakyReLU"):
                kinks.append(a)
            logits = a
            a = activate(a, layer[1])
        elif kind == "Drop":
            if training:
                m = torch.tensor(masks[pos], dtype=a.dtype)
                if bug == "dropout without 1/(1-rate)":
                    m = (m != 0).to(a.dtype)
                a = a * m
        else:
            g = tensors[f"layers.{dense}.bn.weight"]
            b = tensors[f"layers.{dense}.bn.bias"]
            rm = state[f"layers.{dense}.bn.running_mean"]
            rv = state[f"layers.{dense}.bn.running_var"]
            if bug in ("bn: no gradient through the mean", "bn: no gradient through the variance", "bn: biased running variance",
                       "bn: statistics detached") and training:
                mean = a.mean(dim=0)
                var = a.var(dim=0, unbiased=False)
                if bug == "bn: no gradient through the mean":
                    mean = mean.detach()
                if bug == "bn: no gradient through the variance":
                    var = var.detach()
                if bug == "bn: statistics detached":
                    mean, var = mean.detach(), var.detach()
                with torch.no_grad():
                    rm.mul_(1 - MOMENTUM).add_(MOMENTUM * a.mean(dim=0))
                    unbiased = a.var(dim=0, unbiased=bug != "bn: biased running variance")
                    rv.mul_(1 - MOMENTUM).add_(MOMENTUM * unbiased)
                a = g * (a - mean) / torch.sqrt(var + EPS) + b
            else:
                a = F.batch_norm(a, rm, rv, weight=g, bias=b, training=training, momentum=MOMENTUM, eps=EPS)
    return a, logits, kinks


def loss_of(y, logits, t, layers, loss):
    if loss == "MSE":
        return F.mse_loss(y, t)
    if loss == "Hinge":
        return torch.relu(1 - t * y).mean()
    if fused(layers, loss):
        if loss == "CE":
            if y is logits:
                return F.cross_entropy(logits, t)  # a Linear output: torch.nn.CrossEntropyLoss on the logits
            return -(t * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
        return F.binary_cross_entropy_with_logits(logits, t)
    if loss == "CE":
        # On outputs that are not a softmax (here: a softmax followed by dropout, so some are exactly 0):
        # -sum t max(log y, -100), with derivative 0 where the log is clamped (y = 0 gives 0, not 0 * inf).
        positive = y > 0
        safe = torch.where(positive, y, torch.ones_like(y))
        logy = torch.where(positive, torch.log(safe).clamp(min=-100), torch.full_like(y, -100.0))
        return -(t * logy).sum(dim=1).mean()
    return F.binary_cross_entropy(y, t)


def to_torch(values, dtype, grad):
    return {n: torch.tensor(v, dtype=dtype).requires_grad_(grad) for n, v in values.items()}


def run_train(params, state, x, t, layers, loss, masks, dtype, bug=None):
    """Training step: (loss, {name: gradient}, {name: state after}, [kink inputs], y)."""
    tp = to_torch(params, dtype, True)
    ts = to_torch(state, dtype, False)
    y, logits, kinks = network(tp, ts, torch.tensor(x, dtype=dtype), layers, loss, masks, True, bug)
    L = loss_of(y, logits, torch.tensor(t, dtype=dtype), layers, loss)
    L.backward()
    grads = {n: v.grad.numpy().astype(np.float64).copy() for n, v in tp.items()}
    if bug == "missing 1/k":
        grads = {n: g * x.shape[0] for n, g in grads.items()}
    return (L.item(), grads, {n: v.numpy().astype(np.float64).copy() for n, v in ts.items()},
            [z.detach().numpy() for z in kinks], y.detach().numpy())


def run_eval(params, state, x, layers, loss):
    with torch.no_grad():
        y, _, _ = network(to_torch(params, torch.float64, False), to_torch(state, torch.float64, False),
                          torch.tensor(x, dtype=torch.float64), layers, loss, None, False)
    return y.numpy()


def loss_f32(params, state, x, t, layers, loss, masks):
    with torch.no_grad():
        tp = to_torch(params, torch.float32, False)
        ts = to_torch(state, torch.float32, False)
        y, logits, _ = network(tp, ts, torch.tensor(x, dtype=torch.float32), layers, loss, masks, True)
        return float(loss_of(y, logits, torch.tensor(t, dtype=torch.float32), layers, loss))


# ---------------------------------------------------------------- checks

def gradient_scales(expected, detached):
    """Per tensor, the size of the terms its components are sums of: the largest gradient component, or the largest
    component of the gradient with every batch norm's mean and variance held constant (the part the batch
    statistics' own terms then cancel, e.g. to exactly 0 for the bias of a Dense layer right before a batch norm), or 1."""
    return {n: max(1.0, float(np.max(np.abs(e))), float(np.max(np.abs(detached[n])))) for n, e in expected.items()}


def ref_ratio(actual, expected, scales, tols):
    """The per-tensor reference comparison of StagedGradientCheckTests.cs; the worst |a-b|/tol over all tensors."""
    worst = 0.0
    for n, e in expected.items():
        a = actual[n]
        tol = tols[0] * np.abs(e) + tols[1] * scales[n]
        worst = max(worst, float(np.max(np.abs(a - e) / tol)))
    return worst


def fd_ratio(params, state, x, t, layers, loss, masks, g_exact, L):
    """float32 Richardson differences with the mask held fixed, as StagedGradientCheckTests.cs does them;
    worst norm-wise |fd-g| / tol over the tensors."""
    p32 = {n: v.astype(np.float32) for n, v in params.items()}
    worst = 0.0
    for n, v in p32.items():
        numeric = np.empty(v.size)
        flat = v.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]

            def central(step):
                step = np.float32(step)
                q = dict(p32)
                arr = flat.copy()
                arr[i] = saved + step
                q[n] = arr.reshape(v.shape)
                lp = loss_f32({m: w.astype(np.float64) for m, w in q.items()}, state, x, t, layers, loss, masks)
                arr[i] = saved - step
                q[n] = arr.reshape(v.shape)
                lm = loss_f32({m: w.astype(np.float64) for m, w in q.items()}, state, x, t, layers, loss, masks)
                return (np.float32(lp) - np.float32(lm)) / (2.0 * float(step))

            numeric[i] = (4 * central(FD_H / 2) - central(FD_H)) / 3
        g = g_exact[n].reshape(-1)
        tol = FD_RTOL * np.linalg.norm(g) + FD_ATOL * max(1.0, abs(L)) * np.sqrt(g.size)
        worst = max(worst, float(np.linalg.norm(numeric - g) / tol))
    return worst


def state_ratio(actual, expected):
    """State comparison: |a - b| <= STATE_TOL * max(1, |b|) per element."""
    return max(float(np.max(np.abs(actual[n] - e) / (STATE_TOL * np.maximum(1.0, np.abs(e))))) for n, e in expected.items())


# ---------------------------------------------------------------- drawing cases

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
    return f32(rng.uniform(-1.0, 1.0, size=(k, n_out)))


def draw_params(rng, n_in, layers):
    params, state = {}, {}
    for name, storage, _, shape, _ in layout(n_in, layers):
        size = int(np.prod(shape))
        if name.endswith(".weight") and ".bn." not in name:
            bound = 1.6 / np.sqrt(shape[1])
            v = rng.uniform(-bound, bound, size=size)
        elif name.endswith("bn.weight"):
            v = rng.uniform(0.6, 1.6, size=size)
        elif name.endswith("running_mean"):
            v = rng.uniform(-0.5, 0.5, size=size)
        elif name.endswith("running_var"):
            v = rng.uniform(0.5, 2.0, size=size)
        else:  # bias, bn.bias
            v = rng.uniform(-0.5, 0.5, size=size)
        (params if storage == "Parameters" else state)[name] = f32(v).reshape(shape)
    return params, state


def make_case(arch, k, kind, rng):
    name, n_in, layers, loss = arch
    n_out = widths(n_in, layers)[-1]
    bn_positions = [pos for pos, lay in enumerate(layers) if lay[0] == "BN"]
    # Dense layers whose bias a batch norm cancels exactly: linear Dense right before a BatchNorm
    cancelled = {pos - 1 for pos in bn_positions if layers[pos - 1][0] == "Dense" and layers[pos - 1][2] == "Linear"}
    for attempt in range(20000):
        seed = int(rng.integers(-2**31, 2**31))
        step = int(rng.integers(0, 1 << 40)) if attempt % 2 else int(rng.integers(0, 1000))
        masks = masks_for(layers, n_in, k, seed, step)
        params, state = draw_params(rng, n_in, layers)
        x = f32(rng.uniform(-1.0, 1.0, size=(k, n_in)))
        t = draw_targets(rng, k, n_out, loss, kind)
        L, g, new_state, kinks, y = run_train(params, state, x, t, layers, loss, masks, torch.float64)
        ok = all(np.min(np.abs(z)) >= KINK_MARGIN for z in kinks)
        if loss == "Hinge" and np.min(np.abs(1 - t * y)) < KINK_MARGIN:
            ok = False
        # One-hot cross-entropy after a final dropout: keep every target's output (a dropped target is clamped at
        # log 0 -> -100 and only the soft case exercises that).
        if kind == "onehot" and layers[-1][0] == "Drop" and np.any(masks[len(layers) - 1][t > 0] == 0):
            ok = False
        # Every dropout layer of rate > 0 drops something and keeps something (else it would not be tested).
        for pos, m in masks.items():
            if layers[pos][1] > 0 and m.size >= 4 and (np.all(m != 0) or np.all(m == 0)):
                ok = False
        # Every tensor has a real gradient, except those where it vanishes by construction: the bias of a Dense
        # layer right before a batch norm (the mean subtraction cancels it) and, for k = 2, everything below a batch
        # norm (two samples normalize to about +-1 whatever they are).
        for lname, storage, _, _, pos in layout(n_in, layers):
            if storage != "Parameters":
                continue
            if lname.endswith(".bias") and ".bn." not in lname and pos in cancelled:
                continue
            if k == 2 and any(p > pos for p in bn_positions):
                continue
            if np.max(np.abs(g[lname])) < 1e-3:
                ok = False
        if ok:
            return seed, step, masks, params, state, x, t, L, g, new_state, y, attempt
    raise RuntimeError(f"could not draw a valid case for {name} k={k}")


BUGS = ["dropout without 1/(1-rate)", "missing 1/k", "bn: no gradient through the mean",
        "bn: no gradient through the variance", "bn: biased running variance"]


def cs_class(arch):
    name, n_in, layers, loss = arch
    lines = [f"[Network(Loss.{LOSS_ENUM[loss]})]", f"[Input({n_in})]"]
    for layer in layers:
        if layer[0] == "Dense":
            extra = f", Init = Init.{layer[3]}" if layer[3] else ""
            lines.append(f"[Dense({layer[1]}, Activation.{layer[2]}{extra})]")
        elif layer[0] == "Act":
            lines.append(f"[Activation(Activation.{layer[1]})]")
        elif layer[0] == "Drop":
            lines.append(f"[Dropout({layer[1]!r})]")
        else:
            lines.append("[BatchNorm]")
    lines.append(f"internal partial class {name} {{ }}")
    return "\n".join(lines)


def write_cs(path):
    header = [
        "// generated by tests/reference/make_staged_gradcheck_refs.py; do not edit",
        "// One network per architecture of staged_gradcheck_cases.json. Regenerate with:",
        "//   /usr/bin/python3 tests/reference/make_gradcheck_refs.py",
        "// The layer orders and pairings are chosen to exercise every code path, including ones the analyzers warn about.",
        "#pragma warning disable BPG0004, BPG0006",
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
        "/// <summary>Creates the staged gradient-check networks by name.</summary>",
        "internal static class StagedGradientCheckNetworks",
        "{",
        "    /// <summary>The names of all networks, in declaration order.</summary>",
        f"    public static IReadOnlyList<string> Names {{ get; }} = new[] {{ {names} }};",
        "",
        "    /// <summary>A new network of the named class, created with its seeded constructor (the seed also decides the dropout masks).</summary>",
        "    public static INetwork Create(string name, int seed) => name switch",
        "    {",
    ]
    for a in ARCHS:
        factory.append(f'        "{a[0]}" => new {a[0]}(seed),')
    factory += [
        '        _ => throw new ArgumentException($"Unknown staged gradient-check network \'{name}\'.", nameof(name)),',
        "    };",
        "}",
    ]
    with open(path, "w", newline="\n") as f:
        f.write("\n".join(header) + "\n" + "\n".join(body) + "\n".join(factory) + "\n")


def layer_json(layer):
    if layer[0] == "Dense":
        return {"kind": "Dense", "units": layer[1], "activation": layer[2], "init": layer[3] or "Auto"}
    if layer[0] == "Act":
        return {"kind": "Activation", "activation": layer[1]}
    if layer[0] == "Drop":
        return {"kind": "Dropout", "rate": layer[1]}
    return {"kind": "BatchNorm"}


def flat(d):
    return {n: [float(v) for v in np.asarray(a).reshape(-1)] for n, a in d.items()}


def main():
    torch.set_num_threads(1)
    arch_by_name = {a[0]: a for a in ARCHS}
    assert len(arch_by_name) == len(ARCHS)
    rng = np.random.default_rng(SEED)

    # The mask function itself, on a few fixed keys (negative seeds, large steps and elements included), so the C#
    # tests can check DropoutMask against this reimplementation directly.
    probes = []
    for seed, step, layer, element in [(0, 0, 0, 0), (1, 0, 0, 0), (-1, 7, 3, 11), (12345, 1 << 33, 2, 1000),
                                       (-2147483648, 999, 15, 65535), (2147483647, 123456789012, 0, 5),
                                       (42, 1, 1, 1), (7, 3, 4, 2)]:
        u = mask_uniform(seed, step, layer, element)
        probes.append({"seed": seed, "step": step, "layer": layer, "element": element, "uniform": float(u),
                       "scale_0_3": float(mask_scale(seed, step, layer, element, 0.3)),
                       "scale_0_5": float(mask_scale(seed, step, layer, element, 0.5))})
    # Scale must switch exactly at the float32 comparison: a uniform equal to the rate is kept.
    assert mask_scale(0, 0, 0, 0, float(mask_uniform(0, 0, 0, 0))) != 0

    cases = []
    worst_f32 = worst_fd = worst_eval = 0.0
    weakest = {b: float("inf") for b in BUGS}
    used = set()
    for arch_name, k, kind in CASES:
        arch = arch_by_name[arch_name]
        used.add(arch_name)
        _, n_in, layers, loss = arch
        has_bn = any(lay[0] == "BN" for lay in layers)
        assert k >= 2 or not has_bn
        seed, step, masks, params, state, x, t, L, g, new_state, y, attempts = make_case(arch, k, kind, rng)
        case_name = f"{arch_name}_k{k}" + ("" if kind == "default" else f"_{kind}")
        y_eval = run_eval(params, state, x, layers, loss)
        scales = gradient_scales(g, run_train(params, state, x, t, layers, loss, masks, torch.float64,
                                              "bn: statistics detached")[1])

        # float32 torch well inside the tolerances...
        L32, g32, s32, _, _ = run_train(params, state, x, t, layers, loss, masks, torch.float32)
        tols = BN_REF_TOL if has_bn else REF_TOL
        r = max(ref_ratio(g32, g, scales, tols), abs(L32 - L) / (tols[0] * abs(L) + tols[1]))
        if state:
            r = max(r, state_ratio(s32, new_state))
        worst_f32 = max(worst_f32, r)
        with torch.no_grad():
            y32 = network(to_torch(params, torch.float32, False), to_torch(state, torch.float32, False),
                          torch.tensor(x, dtype=torch.float32), layers, loss, None, False)[0].numpy()
        worst_eval = max(worst_eval, float(np.max(np.abs(y32 - y_eval) / (OUT_TOL[0] * np.abs(y_eval) + OUT_TOL[1] * np.maximum(1, np.abs(y_eval))))))
        # ...and typical bugs far outside.
        bug_ratios = {}
        for bug in BUGS:
            applies = {"dropout without 1/(1-rate)": any(lay[0] == "Drop" and lay[1] > 0 for lay in layers),
                       "missing 1/k": k > 1}.get(bug, has_bn)
            if not applies:
                continue
            Lb, gb, sb, _, _ = run_train(params, state, x, t, layers, loss, masks, torch.float64, bug)
            rb = max(ref_ratio(gb, g, scales, tols), abs(Lb - L) / (tols[0] * abs(L) + tols[1]))
            if state:
                rb = max(rb, state_ratio(sb, new_state))
            bug_ratios[bug] = rb
            weakest[bug] = min(weakest[bug], rb)
        fd = fd_ratio(params, state, x, t, layers, loss, masks, g, L)
        worst_fd = max(worst_fd, fd)
        print(f"{case_name:42s} params={sum(v.size for v in params.values()):5d} attempts={attempts:4d} loss={L:9.5f} "
              f"f32/tol={r:.3f} fd/tol={fd:.3f} bugs/tol>={min(bug_ratios.values(), default=float('inf')):.3g}")

        cases.append({
            "name": case_name,
            "network": arch_name,
            "input_size": n_in,
            "output_size": int(widths(n_in, layers)[-1]),
            "layers": [layer_json(lay) for lay in layers],
            "loss": LOSS_ENUM[loss],
            "k": k,
            "seed": seed,
            "training_step": step,
            "tensors": [{"name": n, "storage": s, "offset": o, "shape": sh} for n, s, o, sh, _ in layout(n_in, layers)],
            "parameters": flat(params),
            "state": flat(state),
            "inputs": [float(v) for v in x.reshape(-1)],
            "targets": [float(v) for v in np.asarray(t).reshape(-1)],
            "dropout_masks": {str(p): [float(v) for v in m.reshape(-1)] for p, m in masks.items()},
            "expected_loss": float(L),
            "expected_gradients": flat(g),
            "gradient_scales": scales,
            "expected_state": flat(new_state),
            "expected_outputs": [float(v) for v in y_eval.reshape(-1)],
        })
    assert used == set(arch_by_name), set(arch_by_name) - used
    print(f"{len(cases)} cases, {len(ARCHS)} networks; worst float32/tolerance {worst_f32:.3f} (Forward {worst_eval:.3f}), "
          f"worst float32 Richardson FD/tolerance {worst_fd:.3f}")
    for bug, v in weakest.items():
        print(f"  bug '{bug}': weakest ratio to the tolerance {v:.3g}")
    if worst_f32 > 0.25 or worst_eval > 0.25 or worst_fd > 0.5:
        raise AssertionError("float32 results are too close to the tolerances; the C# tests would be flaky")
    for bug, v in weakest.items():
        if v < 10:
            raise AssertionError(f"bug '{bug}' would pass the reference check in some case (ratio {v:.3g})")

    doc = {
        "generated_by": "tests/reference/make_staged_gradcheck_refs.py",
        "torch_version": torch.__version__,
        "seed": SEED,
        "note": "parameters, state, inputs and targets are float32 values; expected_* are float64 (torch autograd). "
                "Tensors by name (place them through INetwork.Tensors). expected_state: running statistics after one "
                "Backward with training_step; expected_outputs: Forward (inference) with the case's state. "
                "dropout_masks: position -> DropoutMask.Scale(seed, training_step, position, e, rate) for e < k * width.",
        "mask_probes": probes,
        "cases": cases,
    }
    head = {key: value for key, value in doc.items() if key != "cases"}
    text = json.dumps(head, indent=1)[:-2] + ',\n "cases": [\n'
    text += ",\n".join("  " + json.dumps(c, separators=(",", ":")) for c in cases)
    text += "\n ]\n}\n"
    json.loads(text)
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "staged_gradcheck_cases.json"), "w", newline="\n") as f:
        f.write(text)
    write_cs(os.path.join(OUT_DIR, "StagedGradientCheckNetworks.cs"))


if __name__ == "__main__":
    sys.exit(main())
