#!/usr/bin/env python3
"""Exports the four reference networks to ONNX for the ONNX Runtime peer, with the generated networks' own weights.

usage: export_onnx.py DIR [--network NAME]...
Reads DIR/{name}.safetensors (written by `Backprop.Generated.Benchmarks --export-weights DIR`: layers.{i}.weight
[out, in], layers.{i}.bias [out], F32), builds the same network in PyTorch (nn.Linear layers, the hidden activation
between them, the output activation at the end: what the generated Forward returns), and writes DIR/{name}.onnx with
torch.onnx.export, batch axis dynamic ("batch"), input "input" [batch, in], output "output" [batch, out].
Needs Debian's python3-torch and python3-onnx (the checker); run by benchmarks/run.sh.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

# name: (sizes, hidden activation, output activation), as benchmarks/Backprop.Generated.Benchmarks/Networks.cs.
NETWORKS = {
    "xor": ([2, 4, 1], "tanh", "sigmoid"),
    "digits": ([64, 32, 10], "relu", "softmax"),
    "mnist": ([784, 128, 10], "relu", "softmax"),
    "deep": ([784, 256, 256, 256, 10], "relu", "softmax"),
}
OPSET = 13


def read_safetensors(path):
    """The F32 tensors of a safetensors file as numpy arrays (stdlib + numpy: Debian has no safetensors package)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        sys.exit(f"{path}: {len(blob)} bytes, too short for a safetensors header length (8 bytes)")
    (n,) = struct.unpack_from("<Q", blob, 0)
    if 8 + n > len(blob):
        sys.exit(f"{path}: header length {n} runs past the end of the file ({len(blob)} bytes)")
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        if end - begin != 4 * count or end > len(data):
            sys.exit(f"{path}: tensor {name} spans bytes {begin}..{end}, expected {4 * count} bytes for shape {info['shape']}")
        tensors[name] = np.frombuffer(data, dtype="<f4", count=count, offset=begin).reshape(info["shape"]).copy()
    return tensors


class Net(nn.Module):
    def __init__(self, sizes, hidden, output):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(sizes[l], sizes[l + 1]) for l in range(len(sizes) - 1))
        self.hidden, self.output = hidden, output

    def forward(self, x):
        for l, layer in enumerate(self.layers):
            x = layer(x)
            if l < len(self.layers) - 1:
                x = torch.tanh(x) if self.hidden == "tanh" else torch.relu(x)
        return torch.sigmoid(x) if self.output == "sigmoid" else torch.softmax(x, dim=1)


def export(directory, name):
    sizes, hidden, output = NETWORKS[name]
    src = os.path.join(directory, f"{name}.safetensors")
    tensors = read_safetensors(src)
    net = Net(sizes, hidden, output).eval()
    expected = {f"layers.{l}.{p}" for l in range(len(sizes) - 1) for p in ("weight", "bias")}
    if set(tensors) != expected:
        sys.exit(f"{src}: tensors {sorted(tensors)}, expected {sorted(expected)}")
    with torch.no_grad():
        for l, layer in enumerate(net.layers):
            for p in ("weight", "bias"):
                t = tensors[f"layers.{l}.{p}"]
                target = getattr(layer, p)
                if tuple(t.shape) != tuple(target.shape):
                    sys.exit(f"{src}: tensor layers.{l}.{p} has shape {list(t.shape)}, expected {list(target.shape)}")
                target.copy_(torch.from_numpy(t))
    dst = os.path.join(directory, f"{name}.onnx")
    tmp = dst + ".tmp"
    torch.onnx.export(net, torch.zeros(1, sizes[0]), tmp, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=OPSET)
    model = onnx.load(tmp)
    onnx.checker.check_model(model)
    os.replace(tmp, dst)
    ops = [n.op_type for n in model.graph.node]
    print(f"  {name}: {dst} (opset {OPSET}; {' '.join(ops)})", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir")
    p.add_argument("--network", action="append", choices=list(NETWORKS))
    args = p.parse_args()
    torch.set_num_threads(1)
    for name in args.network or list(NETWORKS):
        export(args.dir, name)


if __name__ == "__main__":
    main()
