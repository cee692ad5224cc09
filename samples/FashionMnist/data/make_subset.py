#!/usr/bin/env python3
"""Makes the small stratified Fashion-MNIST subset committed in this folder, so tests and a first run of the sample
train on real images without the full data set.

    train-images-idx3-ubyte.gz / train-labels-idx1-ubyte.gz   2,000 images: 200 of each class from the 60,000 training images
    t10k-images-idx3-ubyte.gz  / t10k-labels-idx1-ubyte.gz    500 images:   50 of each class from the 10,000 test images
    subset.json                                              the original index of every image kept

Each class's images are drawn without replacement with numpy's default_rng(SEED); the kept images stay in their
original order. The files are IDX exactly as Zalando's (magic 0x00000803 / 0x00000801, big-endian dimensions),
gzip-compressed with mtime 0 so the script makes the same bytes every time.

Run: /usr/bin/python3 samples/FashionMnist/data/make_subset.py [--source /usr/share/datasets/fashion-mnist]
(the Debian package dataset-fashion-mnist installs the source files there).
"""
import argparse
import gzip
import json
import struct
from pathlib import Path

import numpy as np

SEED = 14
PER_CLASS = {"train": 200, "t10k": 50}
HERE = Path(__file__).resolve().parent


def read_idx(path):
    raw = gzip.decompress(Path(path).read_bytes())
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source", type=Path, default=Path("/usr/share/datasets/fashion-mnist"))
    args = p.parse_args()
    rng = np.random.default_rng(SEED)
    kept = {}
    for split, per_class in PER_CLASS.items():
        images = read_idx(args.source / f"{split}-images-idx3-ubyte.gz")
        labels = read_idx(args.source / f"{split}-labels-idx1-ubyte.gz")
        idx = np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in range(10)]))
        write_idx(HERE / f"{split}-images-idx3-ubyte.gz", images[idx])
        write_idx(HERE / f"{split}-labels-idx1-ubyte.gz", labels[idx])
        kept[split] = idx.tolist()
        print(f"{split}: {len(idx)} images, {per_class} per class")
    (HERE / "subset.json").write_text(json.dumps({"seed": SEED, "per_class": PER_CLASS, "indices": kept}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
