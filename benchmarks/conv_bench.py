#!/usr/bin/env python3
"""PyTorch's side of the convolutional benchmarks (issue 14): FashionCnn and SensorNet on one thread.

  forward   Forward on 1 sample (inference: softmax probabilities), the faster of eager and frozen TorchScript
  train     one SGD training step (zero_grad, forward, cross-entropy from the logits, backward, step) on a mini-batch of
            32 and 256 samples, reported as samples/s, the faster of eager and scripted
  layers    every convolution alone at 1, 32 and 256 samples: forward (F.conv1d/F.conv2d), input gradient and weight
            gradient (aten::convolution_backward with one output asked for, what autograd calls), as GFLOP/s
            (2 × samples × multiply-adds of the layer; the same count for the three passes)
and, with --onnx DIR, both networks exported to DIR/{fashioncnn,sensornet}.onnx for the ONNX Runtime peer: input
"input" [batch, C·H·W] flat (a generated network's sample, channel-major; reshaped inside the graph), output "output"
[batch, classes] probabilities, batch axis dynamic. The weights come from DIR/{name}.safetensors when it exists
(layers.{i}.weight / .bias as PyTorch stores them: what a generated network's SaveWeights writes), else PyTorch's own
initialization with seed 1.

usage: OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 benchmarks/conv_bench.py [--short] [--out results.tsv] [--onnx DIR]
Writes TSV lines: network, group, impl, batch, median_ns, min_ns (layers: layer, pass, batch, median_ns, min_ns, GFLOP/s
of the best run) and prints a summary. Needs Debian's python3-torch (and python3-onnx for --onnx).
"""
import argparse
import os
import sys
import time

ARGS = None


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--short", action="store_true")
    p.add_argument("--out")
    p.add_argument("--onnx", metavar="DIR")
    p.add_argument("--group", action="append", choices=["forward", "train", "layers"])
    return p.parse_args()


ARGS = parse()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
LR = 1e-3
BATCHES = (32, 256)

# (input shape, layers): layers as in the C# attributes of issue 14
NETWORKS = {
    "fashioncnn": ((1, 28, 28), [
        ("conv2d", 16, 5, dict(padding=2), "relu"),
        ("maxpool2d", 2),
        ("conv2d", 32, 5, dict(padding=2), "relu"),
        ("maxpool2d", 2),
        ("dense", 10),
    ]),
    "sensornet": ((3, 128), [
        ("conv1d", 8, 5, dict(stride=2, padding=2), "relu"),
        ("avgpool1d", 2),
        ("conv1d", 16, 3, dict(), "tanh"),
        ("gap",),
        ("dense", 4),
    ]),
}


class GlobalAveragePool(nn.Module):
    def forward(self, x):
        return x.mean(dim=-1)


def build(name):
    """nn.Sequential of the network (logits out), its conv layers' geometry, and the input shape."""
    shape, spec = NETWORKS[name]
    torch.manual_seed(1)
    layers, convs = [], []
    c, dims = shape[0], list(shape[1:])
    for entry in spec:
        kind = entry[0]
        if kind in ("conv1d", "conv2d"):
            _, filters, k, kw, act = entry
            conv = (nn.Conv1d if kind == "conv1d" else nn.Conv2d)(c, filters, k, **kw)
            stride, pad, dil = kw.get("stride", 1), kw.get("padding", 0), kw.get("dilation", 1)
            out = [(n + 2 * pad - dil * (k - 1) - 1) // stride + 1 for n in dims]
            macs = filters * int(np.prod(out)) * c * k ** len(dims)
            convs.append(dict(kind=kind, module=conv, in_shape=[c] + dims, macs=macs,
                              label=f"{kind} {c}→{filters} k{k} {'×'.join(map(str, dims))}" + "".join(f" {a}{v}" for a, v in kw.items()),
                              stride=stride, padding=pad, dilation=dil))
            layers += [conv, nn.ReLU() if act == "relu" else nn.Tanh()]
            c, dims = filters, out
        elif kind in ("maxpool2d", "avgpool1d"):
            size = entry[1]
            layers.append(nn.MaxPool2d(size) if kind == "maxpool2d" else nn.AvgPool1d(size))
            dims = [n // size for n in dims]
        elif kind == "gap":
            layers.append(GlobalAveragePool())
            dims = []
        elif kind == "dense":
            layers += [nn.Flatten(1), nn.Linear(c * int(np.prod(dims)) if dims else c, entry[1])]
    return nn.Sequential(*layers), convs, shape


class Flat(nn.Module):
    """Flat samples [batch, C·H·W] in, probabilities out: what a generated network's Forward takes and returns."""

    def __init__(self, body, shape):
        super().__init__()
        self.body = body
        self.shape = list(shape)

    def forward(self, x):
        return torch.softmax(self.body(x.reshape([x.shape[0]] + self.shape)), dim=1)


def measure(fn, short):
    """Median and minimum ns per call: repeats of a calibrated number of calls, after a warm-up (as peers.py)."""
    target = 0.02 if short else 0.1
    repeats = 7 if short else 21
    for _ in range(3):
        fn()
    n = 1
    while True:
        t0 = time.perf_counter_ns()
        for _ in range(n):
            fn()
        dt = time.perf_counter_ns() - t0
        if dt >= target * 1e9 / 4 or n >= 1 << 20:
            break
        n *= 2
    n = max(1, int(n * target * 1e9 / max(dt, 1)))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(n):
            fn()
        times.append((time.perf_counter_ns() - t0) / n)
    times.sort()
    return times[len(times) // 2], times[0]


def data(shape, k, classes, seed=7):
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.uniform(-1, 1, size=[k] + list(shape)).astype(np.float32))
    t = torch.from_numpy(rng.integers(0, classes, size=k))
    return x, t


def best_of(name, group, batch, candidates, out):
    best = None
    for impl, fn in candidates:
        median, minimum = measure(fn, ARGS.short)
        print(f"  torch {impl:<11} {name:<10} {group:<7} batch {batch:>3}: {median / 1e3:10.2f} us", file=sys.stderr)
        if best is None or median < best[1]:
            best = (impl, median, minimum)
    out.append((name, group, "PyTorch", batch, best[1], best[2], best[0]))
    return best


def forward_group(name, out, summary):
    body, _, shape = build(name)
    net = Flat(body, shape).eval()
    x, _ = data(shape, 1, 2)
    xf = x.reshape(1, -1)
    frozen = torch.jit.freeze(torch.jit.script(net))
    with torch.no_grad():
        for _ in range(5):
            frozen(xf)

    def eager():
        with torch.no_grad():
            net(xf)

    def script():
        with torch.no_grad():
            frozen(xf)
    impl, median, _ = best_of(name, "forward", 1, [("eager", eager), ("torchscript", script)], out)
    summary.append(f"| {name} | forward, 1 sample | {median / 1e3:.1f} µs ({impl}) |")


def train_group(name, out, summary):
    classes = NETWORKS[name][1][-1][1]
    for batch in BATCHES:
        candidates = []
        for impl in ("eager", "torchscript"):
            body, _, shape = build(name)
            body.train()
            model = torch.jit.script(body) if impl == "torchscript" else body
            opt = torch.optim.SGD(body.parameters(), lr=LR)
            x, t = data(shape, batch, classes)

            def step(model=model, opt=opt, x=x, t=t):
                opt.zero_grad()
                loss = F.cross_entropy(model(x), t)
                loss.backward()
                opt.step()
            candidates.append((impl, step))
        impl, median, _ = best_of(name, "batch", batch, candidates, out)
        summary.append(f"| {name} | training, batch {batch} | {batch / (median / 1e9):,.0f} samples/s ({impl}) |")


def layers_group(name, out, summary):
    _, convs, _ = build(name)
    for conv in convs:
        m = conv["module"]
        w, b = m.weight.detach(), m.bias.detach()
        fn = F.conv1d if conv["kind"] == "conv1d" else F.conv2d
        nd = 1 if conv["kind"] == "conv1d" else 2
        stride, padding, dilation = [conv["stride"]] * nd, [conv["padding"]] * nd, [conv["dilation"]] * nd
        for batch in (1, 32, 256):
            rng = np.random.default_rng(3)
            x = torch.from_numpy(rng.uniform(-1, 1, size=[batch] + conv["in_shape"]).astype(np.float32))
            with torch.no_grad():
                z = fn(x, w, b, stride=conv["stride"], padding=conv["padding"], dilation=conv["dilation"])
            dz = torch.from_numpy(rng.uniform(-1, 1, size=list(z.shape)).astype(np.float32))
            flops = 2.0 * batch * conv["macs"]
            passes = {
                "forward": lambda: fn(x, w, b, stride=conv["stride"], padding=conv["padding"], dilation=conv["dilation"]),
                "input gradient": lambda: torch.ops.aten.convolution_backward(
                    dz, x, w, [w.shape[0]], stride, padding, dilation, False, [0] * nd, 1, [True, False, False]),
                "weight gradient": lambda: torch.ops.aten.convolution_backward(
                    dz, x, w, [w.shape[0]], stride, padding, dilation, False, [0] * nd, 1, [False, True, True]),
            }
            for pass_name, fn_pass in passes.items():
                with torch.no_grad():
                    median, minimum = measure(fn_pass, ARGS.short)
                gflops = flops / minimum
                out.append((name, "layer", conv["label"] + " | " + pass_name, batch, median, minimum, f"{gflops:.2f}"))
                summary.append(f"| {name} | {conv['label']} | {pass_name} | {batch} | {median / 1e3:.1f} µs | {flops / median:.1f} | {gflops:.1f} |")


def read_safetensors(path):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from export_onnx import read_safetensors as read  # noqa: E402 (the one reader: stdlib + numpy)
    return read(path)


def export_onnx(directory):
    import onnx
    os.makedirs(directory, exist_ok=True)
    for name in NETWORKS:
        body, _, shape = build(name)
        src = os.path.join(directory, f"{name}.safetensors")
        weighted = [m for m in body if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear))]
        if os.path.exists(src):
            tensors = read_safetensors(src)
            expected = {f"layers.{i}.{p}" for i in range(len(weighted)) for p in ("weight", "bias")}
            if set(tensors) != expected:
                sys.exit(f"{src}: tensors {sorted(tensors)}, expected {sorted(expected)}")
            with torch.no_grad():
                for i, layer in enumerate(weighted):
                    for p in ("weight", "bias"):
                        t = tensors[f"layers.{i}.{p}"]
                        target = getattr(layer, p)
                        if tuple(t.shape) != tuple(target.shape):
                            sys.exit(f"{src}: tensor layers.{i}.{p} has shape {list(t.shape)}, expected {list(target.shape)}")
                        target.copy_(torch.from_numpy(t))
            origin = src
        else:
            origin = "PyTorch's initialization, seed 1"
        net = Flat(body, shape).eval()
        dst = os.path.join(directory, f"{name}.onnx")
        tmp = dst + ".tmp"
        size = int(np.prod(shape))
        torch.onnx.export(net, torch.zeros(1, size), tmp, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=13)
        model = onnx.load(tmp)
        onnx.checker.check_model(model)
        os.replace(tmp, dst)
        print(f"  {name}: {dst} (weights: {origin}; {' '.join(n.op_type for n in model.graph.node)})", file=sys.stderr)


def main():
    if ARGS.onnx:
        export_onnx(ARGS.onnx)
    groups = ARGS.group or ["forward", "train", "layers"]
    out, summary = [], []
    for name in NETWORKS:
        if "forward" in groups:
            forward_group(name, out, summary)
        if "train" in groups:
            train_group(name, out, summary)
    layer_rows = []
    if "layers" in groups:
        for name in NETWORKS:
            layers_group(name, out, layer_rows)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread; load average {' / '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print("| network | measure | PyTorch |\n|---|---|---|")
    print("\n".join(summary))
    if layer_rows:
        print("\n| network | layer | pass | batch | median | GFLOP/s (median) | GFLOP/s (best) |\n|---|---|---|---:|---:|---:|---:|")
        print("\n".join(layer_rows))
    if ARGS.out:
        tmp = ARGS.out + ".tmp"
        with open(tmp, "w") as f:
            for row in out:
                f.write("\t".join(str(v) for v in row) + "\n")
        os.replace(tmp, ARGS.out)


if __name__ == "__main__":
    main()
