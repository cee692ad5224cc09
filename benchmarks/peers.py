#!/usr/bin/env python3
"""The peers of the C# benchmarks: PyTorch (eager and TorchScript, the faster counts) and a hand-written numpy MLP.

Same networks and measurements as benchmarks/Backprop.Generated.Benchmarks:
  forward  Forward on 1 sample (inference: no autograd, softmax/sigmoid output)
  step     one training step on 1 sample: zero_grad + forward + loss + backward + SGD step
  batch    the same training step on a mini-batch of 32 and 256 samples

Run by benchmarks/run.sh. Give BLAS its best: `apt-get install libopenblas0-pthread` and OPENBLAS_CORETYPE=SkylakeX
(Debian's OpenBLAS 0.3.21 does not recognise this CPU otherwise). Thread counts are set before numpy/torch load:
  OPENBLAS_CORETYPE=SkylakeX python3 peers.py --peer torch --threads 1 --out torch.tsv [--short]
Writes TSV lines: network, group, impl, batch, median_ns, min_ns.
"""
import argparse
import os
import sys
import time

NETWORKS = {
    "xor": ([2, 4, 1], "tanh", "sigmoid", "mse"),
    "digits": ([64, 32, 10], "relu", "softmax", "ce"),
    "mnist": ([784, 128, 10], "relu", "softmax", "ce"),
    "deep": ([784, 256, 256, 256, 10], "relu", "softmax", "ce"),
}
LR = 1e-3
BATCHES = (32, 256)


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--peer", choices=["torch", "numpy"], required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--short", action="store_true")
    p.add_argument("--network", action="append", choices=list(NETWORKS))
    p.add_argument("--group", action="append", choices=["forward", "step", "batch"])
    p.add_argument("--out", required=True)
    return p.parse_args()


ARGS = parse()
# Thread counts must be fixed before the libraries load their thread pools.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)
import numpy as np  # noqa: E402


def measure(fn, short):
    """Median and minimum ns per call: repeats of a calibrated number of calls, after a warm-up."""
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


def data(sizes, k, loss, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(k, sizes[0])).astype(np.float32)
    t = np.zeros((k, sizes[-1]), dtype=np.float32)
    if loss == "mse":
        t[:, 0] = rng.integers(0, 2, size=k)
    else:
        t[np.arange(k), rng.integers(0, sizes[-1], size=k)] = 1
    return x, t


# ---------------------------------------------------------------- PyTorch

def torch_peer(name, spec, groups, short, out):
    import torch
    import torch.nn as nn
    torch.set_num_threads(ARGS.threads)
    sizes, hidden, output, loss = spec
    torch.manual_seed(1)

    def make():
        layers = []
        for l in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[l], sizes[l + 1]))
            if l < len(sizes) - 2:
                layers.append(nn.Tanh() if hidden == "tanh" else nn.ReLU())
        return nn.Sequential(*layers)

    class Net(nn.Module):
        """Logits for training (cross-entropy from the logits); probabilities for inference, as the generated Forward."""

        def __init__(self):
            super().__init__()
            self.body = make()
            self.sigmoid_out = output == "sigmoid"

        def forward(self, x):
            return self.body(x)

        @torch.jit.export
        def predict(self, x):
            z = self.body(x)
            return torch.sigmoid(z) if self.sigmoid_out else torch.softmax(z, dim=1)

    class Infer(nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            return self.net.predict(x)

    def loss_fn(z, t):
        if loss == "mse":
            return torch.nn.functional.mse_loss(torch.sigmoid(z), t)
        return torch.nn.functional.cross_entropy(z, t)  # probability targets (one-hot), mean over samples

    def results(group, batch, candidates):
        best = None
        for impl, fn in candidates:
            median, minimum = measure(fn, short)
            print(f"  torch {impl:<11} {name:<6} {group:<7} batch {batch:>3}: {median / 1e3:10.2f} us", file=sys.stderr)
            if best is None or median < best[1]:
                best = (impl, median, minimum)
        out.append((name, group, "PyTorch", batch, best[1], best[2], best[0]))

    if "forward" in groups:
        net = Net().eval()
        x, _ = data(sizes, 1, loss)
        xt = torch.from_numpy(x)
        frozen = torch.jit.freeze(torch.jit.script(Infer(net).eval()))
        with torch.no_grad():
            for _ in range(5):
                frozen(xt)

            def eager():
                with torch.no_grad():
                    net.predict(xt)

            def script():
                with torch.no_grad():
                    frozen(xt)
            results("forward", 1, [("eager", eager), ("torchscript", script)])

    def train_fns(batch):
        x, t = data(sizes, batch, loss)
        xt, tt = torch.from_numpy(x), torch.from_numpy(t)
        candidates = []
        for impl in ("eager", "torchscript"):
            net = Net().train()
            model = torch.jit.script(net) if impl == "torchscript" else net
            opt = torch.optim.SGD(net.parameters(), lr=LR)

            def step(model=model, opt=opt):
                opt.zero_grad()
                l = loss_fn(model(xt), tt)
                l.backward()
                opt.step()
            candidates.append((impl, step))
        return candidates

    if "step" in groups:
        results("step", 1, train_fns(1))
    if "batch" in groups:
        for batch in BATCHES:
            results("batch", batch, train_fns(batch))


# ---------------------------------------------------------------- numpy

class NumpyMlp:
    """Forward and backward by hand on BLAS matrix products; per layer W [out, in], b [out]."""

    def __init__(self, sizes, hidden, output, loss):
        rng = np.random.default_rng(1)
        self.hidden, self.output, self.loss = hidden, output, loss
        self.W = [(rng.uniform(-1, 1, size=(sizes[l + 1], sizes[l])) * np.sqrt(6 / sizes[l])).astype(np.float32)
                  for l in range(len(sizes) - 1)]
        self.b = [np.zeros(sizes[l + 1], dtype=np.float32) for l in range(len(sizes) - 1)]

    def act(self, z, last):
        kind = self.output if last else self.hidden
        if kind == "relu":
            return np.maximum(z, 0, out=z)
        if kind == "tanh":
            return np.tanh(z, out=z)
        if kind == "sigmoid":
            return 1 / (1 + np.exp(-z))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def forward(self, x):
        acts = [x]
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            acts.append(self.act(acts[-1] @ W.T + b, l == len(self.W) - 1))
        return acts

    def step(self, x, t):
        acts = self.forward(x)
        y = acts[-1]
        k = x.shape[0]
        if self.loss == "mse":
            loss = np.mean((y - t) ** 2)
            d = 2 * (y - t) / y.size * y * (1 - y)
        else:
            loss = -np.sum(t * np.log(np.maximum(y, 1e-30))) / k
            d = (y - t) / k
        for l in range(len(self.W) - 1, -1, -1):
            gW = d.T @ acts[l]
            gb = d.sum(axis=0)
            if l > 0:
                da = d @ self.W[l]
                a = acts[l]
                d = da * (a > 0) if self.hidden == "relu" else da * (1 - a * a)
            self.W[l] -= LR * gW
            self.b[l] -= LR * gb
        return loss


def numpy_peer(name, spec, groups, short, out):
    sizes = spec[0]
    mlp = NumpyMlp(*spec)

    def record(group, batch, fn):
        median, minimum = measure(fn, short)
        print(f"  numpy/{ARGS.threads}t   {name:<6} {group:<7} batch {batch:>3}: {median / 1e3:10.2f} us", file=sys.stderr)
        out.append((name, group, "numpy", batch, median, minimum, f"{ARGS.threads} thread(s)"))

    if "forward" in groups:
        x, _ = data(sizes, 1, spec[3])
        record("forward", 1, lambda: mlp.forward(x))
    if "step" in groups:
        x, t = data(sizes, 1, spec[3])
        record("step", 1, lambda: mlp.step(x, t))
    if "batch" in groups:
        for batch in BATCHES:
            x, t = data(sizes, batch, spec[3])
            record("batch", batch, lambda x=x, t=t: mlp.step(x, t))


def main():
    groups = ARGS.group or ["forward", "step", "batch"]
    out = []
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            print(f"  {info.get('internal_api')} {info.get('version')} {info.get('architecture')} "
                  f"threads={info.get('num_threads')} ({os.path.basename(info.get('filepath', ''))})", file=sys.stderr)
    except ImportError:
        pass
    for name in ARGS.network or list(NETWORKS):
        (torch_peer if ARGS.peer == "torch" else numpy_peer)(name, NETWORKS[name], groups, ARGS.short, out)
    with open(ARGS.out, "w") as f:
        for row in out:
            f.write("\t".join(str(v) for v in row) + "\n")


if __name__ == "__main__":
    main()
