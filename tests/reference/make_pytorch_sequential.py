#!/usr/bin/env python3
"""Writes pytorch_sequential.safetensors, the state_dict of a PyTorch nn.Sequential saved as safetensors *without* the
`safetensors` package (Debian has none), and pytorch_sequential.expected.txt: every F32 tensor and the eval-mode
output on a fixed input, as exact float32 bit patterns. The C# tests load the file with WeightNames.ModuleOrder (at
run time into a trainable network, and baked into a network at build time) and must reproduce the output.

Run with Debian's python3 (it has torch): /usr/bin/python3 tests/reference/make_pytorch_sequential.py
The tests read the committed outputs and never need Python.

The model has 13 modules, so its state_dict names run 0, 1, 4, 6, 8, 10, 12: the file (like safetensors' own, which
sorts by name) lists 10.* and 12.* before 4.*, and only a numeric ordering of the module names pairs them with the
network's layers correctly.

The format takes one function (save_safetensors below): 8-byte little-endian header length, a JSON header
{"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...} padded with spaces to a multiple
of 8 bytes, then the tensors' raw little-endian bytes back to back in the order of their offsets.
"""
import json
import struct
from pathlib import Path

import torch
from torch import nn

HERE = Path(__file__).resolve().parent
SEED = 1
FIXED_INPUT = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 0.125, 1.0]])
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.int64: "I64", torch.int32: "I32"}


def save_safetensors(state_dict, path, metadata=None):
    """torch-only equivalent of safetensors.torch.save_file(state_dict, path, metadata)."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(state_dict):  # safetensors sorts by name too (within a dtype)
        t = state_dict[name].detach().contiguous().cpu()
        data = t.numpy().tobytes()  # native order: little-endian on every machine torch runs on here
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = Path(str(path) + ".tmp")
    tmp.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    tmp.replace(path)  # atomic


def bit_line(name, t):
    bits = t.detach().contiguous().view(torch.int32).flatten().tolist()
    shape = "x".join(str(d) for d in t.shape)
    return f"{name} {shape}: " + " ".join(f"{b & 0xFFFFFFFF:08x}" for b in bits)


def main():
    torch.manual_seed(SEED)
    # The C# twin: [Input(3)] [Dense(5)] [BatchNorm] [Activation(ReLU)] [Dropout(0.1)] [Dense(4, Tanh)]
    # [Dense(4, ReLU)] [Dense(4, ReLU)] [Dense(3, Sigmoid)] [Dense(2)]
    model = nn.Sequential(
        nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(5, 4), nn.Tanh(),
        nn.Linear(4, 4), nn.ReLU(),
        nn.Linear(4, 4), nn.ReLU(),
        nn.Linear(4, 3), nn.Sigmoid(),
        nn.Linear(3, 2),
    )
    with torch.no_grad():
        model[1].weight.copy_(torch.tensor([1.5, -0.75, 0.5, 2.0, 1.25]))
        model[1].bias.copy_(torch.tensor([0.5, 0.25, -0.1, 0.3, 0.6]))
    model.train()
    with torch.no_grad():
        for _ in range(4):  # running statistics away from 0 and 1
            model(torch.randn(8, 3) * 2 + 0.5)
    model.eval()
    with torch.no_grad():
        out = model(FIXED_INPUT)
    # A test that cannot fail is no test: the rows must differ (no layer dead for all three inputs).
    assert len({tuple(r) for r in out.tolist()}) == len(FIXED_INPUT), out
    state = model.state_dict()
    save_safetensors(state, HERE / "pytorch_sequential.safetensors", {"format": "pt"})

    lines = ["# name shape: float32 bit patterns -- made by make_pytorch_sequential.py (nn.Sequential state_dict names)"]
    lines += [bit_line(name, t) for name, t in state.items() if t.dtype == torch.float32]
    lines.append("# the eval-mode output on the fixed input " + str(FIXED_INPUT.tolist()))
    lines.append(bit_line("output", out))
    (HERE / "pytorch_sequential.expected.txt").write_text("\n".join(lines) + "\n")
    print("wrote", sorted(state), "output", out.tolist())


if __name__ == "__main__":
    main()
