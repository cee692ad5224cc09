#!/usr/bin/env python3
"""Per-layer ratio table of one convolutional benchmark run: the C# kernels (`--conv-kernels --results FILE.md`) against
PyTorch (`conv_bench.py --out FILE.tsv`), best-run GFLOP/s of each, layer by layer, pass by pass, batch by batch.

usage: python3 benchmarks/conv_report.py CSHARP.md TORCH.tsv
"""
import re
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    csharp = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 10 or not cells[3].isdigit():
                continue
            network, layer, pass_name, batch, _, gflops, peak, _, loops, _ = cells
            channels = re.search(r"(\d+→\d+)", layer).group(1)
            pass_name = pass_name.split(" (")[0]
            csharp[(network.lower(), channels, pass_name, int(batch))] = (layer, float(gflops), peak, float(loops) if loops != "NaN" else None)
    torch = {}
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            cells = line.rstrip("\n").split("\t")
            if len(cells) < 7 or cells[1] != "layer":
                continue
            label, pass_name = [c.strip() for c in cells[2].split("|")]
            channels = re.search(r"(\d+→\d+)", label).group(1)
            torch[(cells[0], channels, pass_name, int(cells[3]))] = float(cells[6])
    if not csharp or not torch:
        sys.exit(f"no rows read: {len(csharp)} C# rows from {sys.argv[1]}, {len(torch)} PyTorch rows from {sys.argv[2]}")
    print("| network | layer | pass | batch | C# GFLOP/s | % of FMA peak | PyTorch GFLOP/s | × PyTorch | × plain loops |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for key, (layer, gflops, peak, loops) in csharp.items():
        t = torch.get(key)
        ratio = f"{gflops / t:.1f}×" if t else "–"
        by_loops = f"{gflops / loops:.0f}×" if loops else "–"
        print(f"| {key[0]} | {layer} | {key[2]} | {key[3]} | {gflops:.1f} | {peak} | {t if t else '–'} | {ratio} | {by_loops} |")


if __name__ == "__main__":
    main()
