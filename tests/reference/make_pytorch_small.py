#!/usr/bin/env python3
"""Writes pytorch_small.safetensors, a small PyTorch model's state_dict in safetensors format, and
pytorch_small.expected.txt, its F32 values as exact bit patterns, for the C# weights-file tests; and
pytorch_mlp.safetensors / pytorch_mlp.expected.txt, a plain Input(3) -> Dense(4, ReLU) -> Dense(2) MLP with its
output on a fixed input, which a generated network must reproduce after loading the file.

Run with Debian's python3 (it has torch): /usr/bin/python3 tests/reference/make_pytorch_small.py
The tests read the committed outputs and never need Python.

The `safetensors` package is not available here, so the file is written by hand exactly as its reference
implementation (safetensors.torch.save_file -> the Rust `serialize`) does:
  * tensors sorted by dtype, larger alignment first (so the I64 num_batches_tracked comes before every F32),
    then by name;
  * header = compact JSON (serde_json: no spaces), "__metadata__" first, then each tensor in that order as
    {"dtype": ..., "shape": [...], "data_offsets": [begin, end]}, padded with spaces to a multiple of 8 bytes;
  * 8-byte little-endian header length, the header, then the raw little-endian data back to back.

With --check FILE it instead loads a safetensors file written by the C# library into the same PyTorch model
(load_state_dict, strict except for num_batches_tracked) and prints the model's output on a fixed input.
"""
import json
import struct
import sys
from pathlib import Path

import torch
from torch import nn

HERE = Path(__file__).resolve().parent

# safetensors' Dtype enum order (the sort key); only the two used here matter.
DTYPE_RANK = {"F32": 15, "I64": 18}
TORCH_TO_ST = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


class Dense(nn.Linear):
    """A Dense layer named like the C# networks: layers.{i}.weight/bias and, with batch norm, layers.{i}.bn.*."""

    def __init__(self, fan_in, fan_out, batch_norm=False):
        super().__init__(fan_in, fan_out)
        self.bn = nn.BatchNorm1d(fan_out) if batch_norm else None

    def forward(self, x):
        z = super().forward(x)
        return self.bn(z) if self.bn is not None else z


class Net(nn.Module):
    # Input(3) -> Dense(4) + BatchNorm -> ReLU -> Dense(2)
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([Dense(3, 4, batch_norm=True), Dense(4, 2)])

    def forward(self, x):
        return self.layers[1](torch.relu(self.layers[0](x)))


class Mlp(nn.Module):
    # Input(3) -> Dense(4, ReLU) -> Dense(2): the generated network WeightsMlp in the C# tests.
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([Dense(3, 4), Dense(4, 2)])

    def forward(self, x):
        return self.layers[1](torch.relu(self.layers[0](x)))


def make_model():
    torch.manual_seed(20240607)
    net = Net()
    with torch.no_grad():
        bn = net.layers[0].bn
        bn.weight.copy_(torch.tensor([1.5, -0.25, 0.75, 2.0]))
        bn.bias.copy_(torch.tensor([0.1, -0.2, 0.3, -0.4]))
    net.train()
    for _ in range(3):  # non-trivial running statistics and num_batches_tracked = 3
        net(torch.randn(5, 3))
    net.eval()
    return net


def serialize(state, metadata):
    items = []
    for name, t in state.items():
        dtype, np_type = TORCH_TO_ST[t.dtype]
        items.append((name, dtype, list(t.shape), t.detach().contiguous().numpy().astype(np_type).tobytes()))
    items.sort(key=lambda it: (-DTYPE_RANK[it[1]], it[0].encode("utf-8")))
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, data in items:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(it[3] for it in items)


def bit_line(name, t):
    bits = t.contiguous().view(torch.int32).flatten().tolist()
    shape = "x".join(str(d) for d in t.shape)
    return f"{name} {shape}: " + " ".join(f"{b & 0xFFFFFFFF:08x}" for b in bits)


def write_mlp():
    torch.manual_seed(7)
    net = Mlp().eval()
    state = net.state_dict()
    (HERE / "pytorch_mlp.safetensors").write_bytes(serialize(state, {"format": "pt"}))
    with torch.no_grad():
        out = net(FIXED_INPUT)
    lines = ["# name shape: float32 bit patterns -- made by make_pytorch_small.py"]
    lines += [bit_line(name, t) for name, t in state.items()]
    lines.append("# the eval-mode output on the fixed input [[0.5, -1, 2], [1.5, 0.25, -0.75]]")
    lines.append(bit_line("output", out))
    (HERE / "pytorch_mlp.expected.txt").write_text("\n".join(lines) + "\n")


def parse(blob):
    (n,) = struct.unpack_from("<Q", blob, 0)
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    data = blob[8 + n :]
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        np_type = {"F32": "<f4", "I64": "<i8"}[info["dtype"]]
        import numpy as np

        arr = np.frombuffer(data[begin:end], dtype=np_type).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


FIXED_INPUT = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        net = Net()
        state = parse(Path(sys.argv[2]).read_bytes())
        missing, unexpected = net.load_state_dict(state, strict=False)
        assert unexpected == [], unexpected
        # BatchNorm fills in a missing num_batches_tracked itself, so it may or may not be reported.
        assert set(missing) <= {"layers.0.bn.num_batches_tracked"}, missing
        net.eval()
        with torch.no_grad():
            print(net(FIXED_INPUT).tolist())
        return

    net = make_model()
    state = net.state_dict()
    blob = serialize(state, {"format": "pt"})
    (HERE / "pytorch_small.safetensors").write_bytes(blob)

    # Self-check: parse it back and compare with the model.
    back = parse(blob)
    assert set(back) == set(state)
    for k in state:
        assert torch.equal(back[k], state[k]), k

    write_mlp()

    lines = ["# name shape: float32 bit patterns (hex, little-endian value order) -- made by make_pytorch_small.py"]
    for name, t in state.items():
        if t.dtype != torch.float32:
            continue
        lines.append(bit_line(name, t))
    with torch.no_grad():
        out = net(FIXED_INPUT).flatten().tolist()
    lines.append("# eval-mode output on the fixed input [[0.5, -1, 2], [1.5, 0.25, -0.75]]: " + " ".join(repr(v) for v in out))
    (HERE / "pytorch_small.expected.txt").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(blob)} bytes; header {struct.unpack_from('<Q', blob)[0]} bytes")


if __name__ == "__main__":
    main()
