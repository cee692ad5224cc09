#!/usr/bin/env python3
"""The PyTorch reference for samples/FashionMnist: the FashionCnn network of the sample, trained by PyTorch.

    FashionCnn: 1x28x28 -> Conv2d(16, 5x5, pad 2) ReLU -> MaxPool 2 -> Conv2d(32, 5x5, pad 2) ReLU -> MaxPool 2
                -> flatten (32*7*7, channel, row, column) -> Linear(1568, 10); cross-entropy on the logits
                (nn.CrossEntropyLoss = the C# Dense(10, Softmax) with Loss.CrossEntropy).

Pixels are the IDX bytes / 255 (in [0, 1]), no other normalisation, as the C# sample reads them. Parameters are
named layers.{i}.weight/bias (i = 0, 1 the convolutions, 2 the Dense layer), the names the generated network uses.
Initialisation: He (Kaiming) uniform for the ReLU convolutions, Xavier uniform for the output layer, biases 0
(the C# Init.Auto rule); shuffling: a fresh permutation per epoch from a torch.Generator seeded with the seed.

Modes (run with Debian's python3, which has torch: /usr/bin/python3):

  --validate     holds out a stratified 10,000 of the 60,000 training images (1,000 per class, split seed 2026),
                 trains on the other 50,000 with every recipe of --grid for --epochs epochs and prints / writes the
                 validation accuracy after every epoch. The test images are not read.
  (default)      trains on all 60,000 training images with the recipe (--lr, --schedule, --weight-decay,
                 --batch-size, --epochs) for every seed of --seeds and prints the accuracy on the 10,000 test images
                 and the time per epoch.

The recipe mirrors the C# runtime's: --weight-decay 0 is torch.optim.Adam; > 0 is torch.optim.AdamW with the decay on
the weight tensors only (biases in a parameter group with weight_decay=0), as the runtime's Adam(weightDecay) does.
--schedule cosine is the runtime's CosineAnnealingSchedule(period = epochs, min 0): the rate of zero-based epoch e
is base (1 + cos(pi e / epochs)) / 2, rounded to float32 as the runtime does, set once at the start of the epoch
(the closed form of CosineAnnealingLR(T_max=epochs) stepped per epoch); --schedule constant keeps the base rate.
  --export FILE  also writes the seed-0 network's state_dict (after training) as safetensors to FILE and its
                 outputs on the first 16 images of --export-images to FILE with .expected.json: a file written
                 by PyTorch for the C# loading test.

Writes --out (JSON). Threads: torch.set_num_threads(--threads), the same count the C# sample trains with. Time per
epoch: wall clock (perf_counter) and process CPU time (process_time, steadier on a shared machine), of the training
steps only; the load average at the end is recorded with them.
"""
import argparse
import gzip
import json
import math
import os
import platform
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

DEFAULT_DATA = Path("/usr/share/datasets/fashion-mnist")
VALIDATION_SPLIT_SEED = 2026
VALIDATION_PER_CLASS = 1000


# ---------------------------------------------------------------- data

def read_idx(path):
    """An IDX file (gzip-compressed or not) as a numpy uint8 array with its dimensions; checks magic and length."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()}, expected 0000 08 dd)")
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    body = raw[4 + 4 * ndim:]
    if len(body) != math.prod(dims):
        raise ValueError(f"{path}: dimensions {dims} need {math.prod(dims)} bytes of data, found {len(body)}")
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def load_split(folder, name):
    """('train' | 't10k') -> float32 images N x 1 x 28 x 28 in [0, 1], int64 labels N."""
    folder = Path(folder)
    images = read_idx(folder / f"{name}-images-idx3-ubyte.gz")
    labels = read_idx(folder / f"{name}-labels-idx1-ubyte.gz")
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"{folder}/{name}: images {images.shape} and labels {labels.shape} do not match")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def validation_split(labels):
    """Indices (train, validation): VALIDATION_PER_CLASS of each class, drawn with a fixed seed, are held out."""
    g = np.random.default_rng(VALIDATION_SPLIT_SEED)
    labels = labels.numpy()
    held = []
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        held.append(g.choice(idx, VALIDATION_PER_CLASS, replace=False))
    held = np.sort(np.concatenate(held))
    mask = np.ones(len(labels), dtype=bool)
    mask[held] = False
    return torch.from_numpy(np.flatnonzero(mask)), torch.from_numpy(held)


# ---------------------------------------------------------------- network

class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([
            nn.Conv2d(1, 16, 5, padding=2),
            nn.Conv2d(16, 32, 5, padding=2),
            nn.Linear(32 * 7 * 7, 10),
        ])
        for layer in self.layers[:2]:
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")   # He uniform: bound sqrt(6 / fan_in)
            nn.init.zeros_(layer.bias)
        nn.init.xavier_uniform_(self.layers[2].weight)
        nn.init.zeros_(self.layers[2].bias)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.layers[0](x)), 2)
        x = torch.max_pool2d(torch.relu(self.layers[1](x)), 2)
        return self.layers[2](torch.flatten(x, 1))


def evaluate(net, x, y, batch=1000):
    net.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = net(x[i:i + batch])
            loss += nn.functional.cross_entropy(out, y[i:i + batch], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    net.train()
    return correct / len(x), loss / len(x)


def learning_rate(schedule, epoch, epochs, base):
    """The rate of zero-based epoch `epoch`: the runtime's ConstantSchedule or CosineAnnealingSchedule(period=epochs)
    (min + (base - min) (1 + cos(pi epoch / period)) / 2 with min 0, in double, then rounded to float32)."""
    base = float(np.float32(base))  # the runtime's base rate is a float
    if schedule == "constant":
        return base
    if schedule == "cosine":
        return float(np.float32(max(base * (1 + math.cos(math.pi * epoch / epochs)) / 2, 0.0)))
    raise ValueError(f"unknown schedule {schedule!r}: expected constant or cosine")


def make_optimizer(net, lr, weight_decay):
    """torch.optim.Adam, or AdamW decaying the weight tensors only (the runtime's Adam(weightDecay) skips biases)."""
    if weight_decay == 0:
        return torch.optim.Adam(net.parameters(), lr=lr)
    weights = [p for n, p in net.named_parameters() if n.endswith(".weight")]
    biases = [p for n, p in net.named_parameters() if not n.endswith(".weight")]
    return torch.optim.AdamW([{"params": weights, "weight_decay": weight_decay},
                              {"params": biases, "weight_decay": 0.0}], lr=lr)


def train(seed, x, y, lr, batch_size, epochs, eval_sets, log, schedule="constant", weight_decay=0.0):
    """Trains a fresh FashionCnn; returns (net, per-epoch records). eval_sets: {name: (x, y)} evaluated every epoch."""
    torch.manual_seed(seed)
    net = FashionCnn()
    opt = make_optimizer(net, lr, weight_decay)
    g = torch.Generator().manual_seed(seed)
    records = []
    for epoch in range(1, epochs + 1):
        rate = learning_rate(schedule, epoch - 1, epochs, lr)
        for group in opt.param_groups:
            group["lr"] = rate
        t0, c0 = time.perf_counter(), time.process_time()
        order = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x), batch_size):
            idx = order[i:i + batch_size]
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        rec = {"epoch": epoch, "lr": rate, "train_loss": total / len(x), "seconds": seconds, "cpu_seconds": cpu}
        for name, (ex, ey) in eval_sets.items():
            acc, l = evaluate(net, ex, ey)
            rec[f"{name}_accuracy"] = acc
            rec[f"{name}_loss"] = l
        records.append(rec)
        log("  " + "  ".join(f"{k} {v:.6g}" if k == "lr" else f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in rec.items()))
    return net, records


# ---------------------------------------------------------------- safetensors (written by hand: the package is not installed here)

def serialize(state, metadata):
    """safetensors.torch.save_file's layout: compact JSON header (metadata first, then tensors by name; all F32),
    padded with spaces to a multiple of 8, after its 8-byte little-endian length; then the little-endian data."""
    items = sorted(state.items(), key=lambda kv: kv[0].encode("utf-8"))
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in items:
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    return struct.pack("<Q", len(hb)) + hb + b"".join(blobs)


def export(net, path, images_folder, args, test_accuracy):
    path = Path(path)
    meta = {"format": "pt", "network": "FashionCnn", "seed": "0", "lr": str(args.lr), "schedule": args.schedule,
            "weight_decay": str(args.weight_decay), "batch_size": str(args.batch_size),
            "epochs": str(args.epochs), "test_accuracy": f"{test_accuracy:.4f}", "torch": torch.__version__}
    path.write_bytes(serialize(net.state_dict(), meta))
    x, y = load_split(images_folder, "t10k")
    x, y = x[:16], y[:16]
    net.eval()
    with torch.no_grad():
        logits = net(x)
        probs = torch.softmax(logits, 1)
    expected = {
        "about": "Outputs of the PyTorch-trained FashionCnn in " + path.name + " on the first 16 test images of "
                 + str(images_folder) + " (pixels / 255); written by samples/FashionMnist/pytorch/train_reference.py --export.",
        "images": str(images_folder) + "/t10k-images-idx3-ubyte.gz",
        "count": 16,
        "labels": y.tolist(),
        "logits_bits": [[f"{b & 0xFFFFFFFF:08x}" for b in row] for row in logits.contiguous().view(torch.int32).tolist()],
        "logits": [[float(v) for v in row] for row in logits.tolist()],
        "softmax": [[float(v) for v in row] for row in probs.tolist()],
    }
    path.with_suffix(".expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {path} and {path.with_suffix('.expected.json')}")


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the four Fashion-MNIST IDX .gz files")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--schedule", choices=["constant", "cosine"], default="constant",
                   help="constant, or cosine from --lr towards 0 over --epochs (the runtime's CosineAnnealingSchedule)")
    p.add_argument("--weight-decay", type=float, default=0.0, help="AdamW's decoupled decay of the weights; 0: Adam")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--validate", action="store_true", help="choose the recipe on a validation split (no test images)")
    p.add_argument("--grid", default="1e-3:64,1e-3:128,2e-3:128",
                   help="validation recipes lr:batch[:schedule[:weight_decay]], comma-separated (schedule constant by default)")
    p.add_argument("--export", type=Path, help="write the seed-0 state_dict as safetensors here (+ .expected.json)")
    p.add_argument("--export-images", type=Path, help="folder whose t10k images give the exported outputs [--data]")
    p.add_argument("--out", type=Path, help="JSON results file")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    log = lambda s: print(s, flush=True)
    env = {"torch": torch.__version__, "python": platform.python_version(), "threads": args.threads,
           "machine": platform.machine(), "processor": platform.processor()}
    x, y = load_split(args.data, "train")

    if args.validate:
        tr, va = validation_split(y)
        results = []
        for recipe in args.grid.split(","):
            parts = recipe.split(":")
            lr, batch = float(parts[0]), int(parts[1])
            schedule = parts[2] if len(parts) > 2 else "constant"
            wd = float(parts[3]) if len(parts) > 3 else 0.0
            log(f"validation: {'AdamW wd ' + str(wd) if wd else 'Adam'} lr {lr} {schedule}, batch {batch}, {len(tr)} training / {len(va)} validation images, seed {args.seeds[0]}")
            _, recs = train(args.seeds[0], x[tr], y[tr], lr, batch, args.epochs, {"validation": (x[va], y[va])}, log, schedule, wd)
            results.append({"lr": lr, "schedule": schedule, "weight_decay": wd, "batch_size": batch, "seed": args.seeds[0], "epochs": recs})
        best = max(((r, e) for r in results for e in r["epochs"]), key=lambda re: re[1]["validation_accuracy"])
        summary = {"mode": "validate", "split_seed": VALIDATION_SPLIT_SEED, "validation_per_class": VALIDATION_PER_CLASS,
                   "environment": env, "recipes": results,
                   "best": {"lr": best[0]["lr"], "schedule": best[0]["schedule"], "weight_decay": best[0]["weight_decay"],
                            "batch_size": best[0]["batch_size"], "epochs": best[1]["epoch"],
                            "validation_accuracy": best[1]["validation_accuracy"]}}
        log(f"best on validation: {summary['best']}")
    else:
        xt, yt = load_split(args.data, "t10k")
        runs = []
        for seed in args.seeds:
            log(f"seed {seed}: {'AdamW wd ' + str(args.weight_decay) if args.weight_decay else 'Adam'} lr {args.lr} {args.schedule}, "
                f"batch {args.batch_size}, {args.epochs} epochs on {len(x)} images, {args.threads} thread(s)")
            net, recs = train(seed, x, y, args.lr, args.batch_size, args.epochs, {}, log, args.schedule, args.weight_decay)
            acc, loss = evaluate(net, xt, yt)
            secs = [r["seconds"] for r in recs]
            cpus = [r["cpu_seconds"] for r in recs]
            runs.append({"seed": seed, "test_accuracy": acc, "test_loss": loss, "seconds_per_epoch": sum(secs) / len(secs),
                         "cpu_seconds_per_epoch": sum(cpus) / len(cpus), "epoch_seconds": secs, "epoch_cpu_seconds": cpus,
                         "final_train_loss": recs[-1]["train_loss"]})
            log(f"seed {seed}: test accuracy {100 * acc:.2f} %  test loss {loss:.4f}  {sum(secs) / len(secs):.1f} s/epoch")
            if args.out:  # after every seed, so that a long run interrupted keeps the seeds it finished
                args.out.write_text(json.dumps({"mode": "test (partial: seeds so far)", "runs": runs}, indent=1) + "\n")
            if seed == 0 and args.export:
                export(net, args.export, args.export_images or args.data, args, acc)
        accs = [r["test_accuracy"] for r in runs]
        summary = {"mode": "test", "recipe": {"optimizer": "AdamW (weights only)" if args.weight_decay else "Adam", "lr": args.lr,
                   "schedule": args.schedule, "weight_decay": args.weight_decay, "batch_size": args.batch_size,
                   "epochs": args.epochs, "init": "He uniform (conv), Xavier uniform (output), zero biases"},
                   "environment": env, "runs": runs,
                   "mean_test_accuracy": sum(accs) / len(accs), "min_test_accuracy": min(accs), "max_test_accuracy": max(accs),
                   "mean_seconds_per_epoch": sum(r["seconds_per_epoch"] for r in runs) / len(runs),
                   "mean_cpu_seconds_per_epoch": sum(r["cpu_seconds_per_epoch"] for r in runs) / len(runs),
                   "load_average_at_end": list(os.getloadavg())}
        log(f"mean test accuracy {100 * summary['mean_test_accuracy']:.2f} % (min {100 * min(accs):.2f}, max {100 * max(accs):.2f}), "
            f"{summary['mean_seconds_per_epoch']:.1f} s/epoch")
    if args.out:
        args.out.write_text(json.dumps(summary, indent=1) + "\n")
        log(f"wrote {args.out}")
    # one machine-readable last line for the C# sample's comparison
    print("RESULT " + json.dumps(summary if not args.validate else summary["best"], separators=(",", ":")))


if __name__ == "__main__":
    sys.exit(main())
