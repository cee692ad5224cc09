#!/usr/bin/env python3
"""Writes an SVG chart (hand-written SVG, stdlib only) of latency against network size from one run's results.

usage: chart.py RESULTS_DIR OUT.svg
Two panels, log-log: Forward on 1 sample, and one training step on 1 sample; x = parameters, y = median µs;
one line each for the generated code (and its fused TrainStep in the step panel), the hand-written C# loops,
TensorPrimitives, PyTorch (1 thread, eager or TorchScript) and, in the forward panel, ONNX Runtime (1 thread).
"""
import math
import os
import sys

PARAMS = {"xor": 17, "digits": 2410, "mnist": 101770, "deep": 335114}
SERIES = [("Generated", "Backprop.Generated", "#1f77b4"),
          ("GeneratedFused", "fused TrainStep", "#2ca02c"),
          ("Loop", "hand-written C#", "#ff7f0e"),
          ("TensorPrimitives", "TensorPrimitives", "#9467bd"),
          ("PyTorch", "PyTorch 1.13", "#d62728"),
          ("OnnxRuntime", "ONNX Runtime 1.32", "#8c564b")]


def load(d):
    rows = {}
    for f in ("csharp.tsv", "torch.tsv"):
        path = os.path.join(d, f)
        if not os.path.exists(path):
            continue
        for line in open(path):
            c = line.rstrip("\n").split("\t")
            if c[0] in PARAMS and c[3] == "1":
                rows[(c[0], c[1], c[2])] = float(c[4]) / 1e3
    return rows


def panel(out, rows, group, title, x0, y0, w, h):
    values = [v for (n, g, i), v in rows.items() if g == group]
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    px_lo, px_hi = 10, 1e6

    def X(p):
        return x0 + (math.log10(p) - math.log10(px_lo)) / (math.log10(px_hi) - math.log10(px_lo)) * w

    def Y(v):
        return y0 + h - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * h

    out.append(f'<text x="{x0 + w / 2:.0f}" y="{y0 - 12}" text-anchor="middle" font-size="15" font-weight="bold">{title}</text>')
    out.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#888"/>')
    e = math.log10(lo)
    while e <= math.log10(hi) + 1e-9:
        y = Y(10 ** e)
        label = f"{10 ** e:g} µs" if e >= 0 else f"{10 ** e * 1000:g} ns"
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{label}</text>')
        e += 1
    for e in range(1, 7):
        x = X(10 ** e)
        out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + h}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{y0 + h + 16}" text-anchor="middle" font-size="11">10^{e}</text>')
    out.append(f'<text x="{x0 + w / 2:.0f}" y="{y0 + h + 34}" text-anchor="middle" font-size="12">parameters (log scale)</text>')
    for name, p in PARAMS.items():
        out.append(f'<text x="{X(p):.1f}" y="{y0 + h - 6}" text-anchor="middle" font-size="10" fill="#666">{name}</text>')
    for impl, _, color in SERIES:
        pts = [(X(PARAMS[n]), Y(rows[(n, group, impl)])) for n in PARAMS if (n, group, impl) in rows]
        if len(pts) < 2:
            continue
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        for x, y in pts:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>')


def main():
    d, target = sys.argv[1], sys.argv[2]
    rows = load(d)
    W, H = 900, 430
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif">',
           f'<rect width="{W}" height="{H}" fill="white"/>']
    panel(out, rows, "forward", "Forward, 1 sample (median latency)", 80, 40, 330, 280)
    panel(out, rows, "step", "Training step, 1 sample (median latency)", 530, 40, 330, 280)
    x = 20.0
    for impl, label, color in SERIES:
        out.append(f'<line x1="{x:.0f}" y1="{H - 28}" x2="{x + 24:.0f}" y2="{H - 28}" stroke="{color}" stroke-width="3"/>')
        out.append(f'<text x="{x + 30:.0f}" y="{H - 24}" font-size="11">{label}</text>')
        x += 30 + 6.0 * len(label) + 16  # ~6 px a character at 11 px sans-serif
    out.append(f'<text x="{W - 8}" y="{H - 6}" text-anchor="end" font-size="10" fill="#666">{os.path.basename(os.path.normpath(d))}: same run, 1 thread each</text>')
    out.append("</svg>")
    with open(target, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
