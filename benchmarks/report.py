#!/usr/bin/env python3
"""Joins one run's results (benchmarks/run.sh) into one Markdown table of ratios; stdlib only.

usage: report.py RESULTS_DIR   (reads csharp.tsv, torch.tsv, numpy1.tsv, numpy2.tsv; writes summary.json beside them)
csharp.tsv holds the ONNX Runtime peer's rows too (impl OnnxRuntime, forward at 1, 32 and 256 samples) and its output
check (ortcheck lines: the largest |ORT - generated|).
Ratios are peer time / generated time from medians of the same run: above 1 means the generated code is faster.
"""
import json
import os
import sys

SIZES = {"xor": [2, 4, 1], "digits": [64, 32, 10], "mnist": [784, 128, 10], "deep": [784, 256, 256, 256, 10]}
# Issue 6's targets: the least ratio over PyTorch (1 thread) per network and measure.
TORCH_TARGET = {
    ("forward", 1): {"xor": 200, "digits": 200, "mnist": 4, "deep": 2},
    ("step", 1): {"xor": 200, "digits": 200, "mnist": 10, "deep": 8},
    ("batch", 32): dict.fromkeys(SIZES, 1.5),
    ("batch", 256): dict.fromkeys(SIZES, 1.0),
}
TP_TARGET = 1.5
PEAK_TARGET = 0.70
# Issue 11 item 6: batched Forward at 256 samples at >= 78% of the same run's FMA peak for mnist and deep.
FORWARD_PEAK_TARGET = {"mnist": 0.78, "deep": 0.78}
# Issue 11's targets against ONNX Runtime (1 thread), forward: >= 40x at one sample for xor and digits (mnist and deep:
# no slower than before, not a ratio), and at least its samples/s at 32 and 256 samples for every network.
ORT_TARGET = {1: {"xor": 40, "digits": 40}, 32: dict.fromkeys(SIZES, 1.0), 256: dict.fromkeys(SIZES, 1.0)}


def train_flops(name):
    """FLOPs of one training sample: forward, weight gradients, input gradients (none below the first layer)."""
    s = SIZES[name]
    macs = [s[l] * s[l + 1] for l in range(len(s) - 1)]
    return 2 * (3 * sum(macs) - macs[0])


def forward_flops(name):
    """FLOPs of one sample's forward pass: 2 x the multiply-adds of every layer (activations not counted)."""
    s = SIZES[name]
    return 2 * sum(s[l] * s[l + 1] for l in range(len(s) - 1))


def load(path, rows, peak, ort_checks):
    if not os.path.exists(path):
        return
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "network":
                continue
            if cols[0] == "peak":
                peak["gflops"], peak["kind"] = float(cols[4]), cols[1]
                continue
            if cols[0] == "l2read":
                peak["l2_gbps"], peak["l2_dot_gbps"] = float(cols[4]), float(cols[5])
                continue
            if cols[0] == "ortcheck":
                ort_checks[(cols[1], int(cols[3]))] = float(cols[4])
                continue
            name, group, impl, batch, median, minimum = cols[:6]
            extra = cols[6] if len(cols) > 6 else ""
            if impl == "numpy" and extra.startswith("2"):
                impl = "numpy2"
            rows[(name, group, int(batch), impl)] = {"median": float(median), "min": float(minimum), "extra": extra}


def main():
    d = sys.argv[1]
    rows, peak, ort_checks = {}, {}, {}
    for f in ("csharp.tsv", "torch.tsv", "numpy1.tsv", "numpy2.tsv"):
        load(os.path.join(d, f), rows, peak, ort_checks)
    measures = [("forward", 1), ("forward", 32), ("forward", 256), ("step", 1), ("batch", 32), ("batch", 256)]
    impls = [("Generated", "generated"), ("Generated2", "generated, 2 cores"), ("PyTorch", "PyTorch 1t"),
             ("numpy", "numpy 1t"), ("numpy2", "numpy 2t"), ("OnnxRuntime", "ONNX Runtime 1t"), ("Loop", "hand C#"),
             ("TensorPrimitives", "TensorPrimitives")]
    present = [(i, label) for i, label in impls if any(k[3] == i for k in rows)]
    with_ort = any(k[3] == "OnnxRuntime" for k in rows)

    def cell(name, group, batch, impl):
        r = rows.get((name, group, batch, impl))
        if r is None:
            return "–"
        if batch > 1:
            return f"{batch / r['median'] * 1e9:,.0f}/s"
        us = r["median"] / 1e3
        return f"{us:.3f} µs" if us < 1 else f"{us:,.1f} µs"

    def ratio(name, group, batch, peer, gen="Generated"):
        g, p = rows.get((name, group, batch, gen)), rows.get((name, group, batch, peer))
        return None if g is None or p is None else p["median"] / g["median"]

    def fmt(r, target=None):
        if r is None:
            return "–"
        text = f"{r:,.1f}×" if r < 100 else f"{r:,.0f}×"
        if target is not None:
            text += " ✓" if r >= target else f" ✗ (≥{target:g})"
        return text

    summary = {"peak": peak, "rows": {"|".join(map(str, k)): v for k, v in rows.items()}, "checks": [], "ort_checks": [],
               "forward_peak_checks": [],
               "ort_max_abs_diff": {f"{n}|{b}": v for (n, b), v in ort_checks.items()}}
    header = (["network", "measure"] + [label for _, label in present] + ["× PyTorch"] + (["× ONNX Runtime"] if with_ort else [])
              + ["× TensorPrimitives", "× hand C#"])
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in SIZES:
        for group, batch in measures:
            if not any(k[:3] == (name, group, batch) for k in rows):
                continue
            # The one-sample step is measured twice: Backward + Sgd.Step + ZeroGradients, and the fused TrainStep that
            # leaves the parameters bit for bit the same. The targets are checked on the fused step where it was run.
            fused = group == "step" and (name, group, batch, "GeneratedFused") in rows
            variants = [("Generated", not fused)] + ([("GeneratedFused", True)] if fused else [])
            for gen, counted in variants:
                label = {"forward": "forward, 1 sample", "step": "train step, 1 sample"}.get(group, f"train, batch {batch}")
                if group == "forward" and batch > 1:
                    label = f"forward, batch {batch}"
                if group == "step":
                    label += ", fused `TrainStep`" if gen == "GeneratedFused" else ", `Backward` + `Step` + `ZeroGradients`"
                t_torch = TORCH_TARGET.get((group, batch), {}).get(name)
                r_torch = ratio(name, group, batch, "PyTorch", gen)
                r_tp = ratio(name, group, batch, "TensorPrimitives", gen)
                t_ort = ORT_TARGET.get(batch, {}).get(name) if group == "forward" else None
                r_ort = ratio(name, group, batch, "OnnxRuntime", gen)
                ort_cell = f" | {fmt(r_ort, t_ort)}" if with_ort else ""
                cells = [cell(name, group, batch, gen if i == "Generated" else i) for i, _ in present]
                print(f"| {name} | {label} | " + " | ".join(cells) + f" | {fmt(r_torch, t_torch if counted else None)}{ort_cell} | "
                      f"{fmt(r_tp, TP_TARGET if counted else None)} | {fmt(ratio(name, group, batch, 'Loop', gen))} |")
                if r_ort is not None and t_ort is not None:
                    summary["ort_checks"].append({"network": name, "group": group, "batch": batch, "vs": "ONNX Runtime", "ratio": r_ort, "target": t_ort, "met": r_ort >= t_ort})
                if not counted or t_torch is None:
                    continue
                for what, r, t in (("PyTorch", r_torch, t_torch), ("TensorPrimitives", r_tp, TP_TARGET)):
                    if r is not None:
                        summary["checks"].append({"network": name, "group": group, "batch": batch, "vs": what, "ratio": r, "target": t, "met": r >= t})
    print()
    if peak:
        print(f"Peak FMA rate, one core ({peak['kind']} loop, best of many short runs): {peak['gflops']:.1f} GFLOP/s")
    for name in SIZES:
        for batch in (32, 256):
            for impl, cores in (("Generated", 1), ("Generated2", 2)):
                r = rows.get((name, "batch", batch, impl))
                if r is None:
                    continue
                flops = train_flops(name) * batch
                g_med, g_best = flops / r["median"], flops / r["min"]
                line = f"- {name}, batch {batch}, {cores} core(s): {g_med:.1f} GFLOP/s (median), {g_best:.1f} (best iteration)"
                if peak:
                    line += f" = {g_med / peak['gflops'] / cores:.0%} / {g_best / peak['gflops'] / cores:.0%} of {cores} × peak"
                    if name == "deep" and batch == 256 and cores == 1:
                        met = g_best / peak["gflops"] >= PEAK_TARGET
                        line += " ✓" if met else f" ✗ (target {PEAK_TARGET:.0%})"
                        summary["checks"].append({"network": name, "batch": batch, "vs": "peak", "ratio": g_best / peak["gflops"], "target": PEAK_TARGET, "met": met})
                print(line)
    for name in SIZES:
        for batch in (32, 256):
            for impl, label in (("Generated", "generated"), ("OnnxRuntime", "ONNX Runtime")):
                r = rows.get((name, "forward", batch, impl))
                if r is None:
                    continue
                flops = forward_flops(name) * batch
                g_med, g_best = flops / r["median"], flops / r["min"]
                line = (f"- {name}, forward on {batch} samples, {label}: {g_med:.1f} GFLOP/s (median), {g_best:.1f} "
                        f"(best iteration)")
                if peak:
                    line += f" = {g_med / peak['gflops']:.0%} / {g_best / peak['gflops']:.0%} of peak"
                    target = FORWARD_PEAK_TARGET.get(name) if batch == 256 and impl == "Generated" else None
                    if target is not None:
                        met = g_best / peak["gflops"] >= target
                        line += " ✓" if met else f" ✗ (target {target:.0%})"
                        summary["forward_peak_checks"].append({"network": name, "group": "forward", "batch": batch, "vs": "peak",
                                                      "ratio": g_best / peak["gflops"], "target": target, "met": met})
                print(line)
    if "l2_gbps" in peak:
        print(f"- L2 read bandwidth, one core (best runs over 512 KiB): {peak['l2_gbps']:.0f} GB/s summed, "
              f"{peak['l2_dot_gbps']:.0f} GB/s as a dot product with a vector in L1 (the matrix-vector access pattern)")
        for name in ("mnist", "deep"):
            r = rows.get((name, "forward", 1, "Generated"))
            if r is None:
                continue
            s = SIZES[name]
            weight_bytes = 4 * sum(s[l] * s[l + 1] + s[l + 1] for l in range(len(s) - 1))
            gbps = weight_bytes / r["min"]
            print(f"- {name} forward, 1 sample: {weight_bytes / 1024:,.0f} KiB of weights at {gbps:.0f} GB/s (best iteration) = "
                  f"{gbps / peak['l2_dot_gbps']:.0%} of the dot-product rate")
    r2 = ratio("deep", "batch", 256, "numpy2", gen="Generated2")
    if r2 is not None:
        print(f"- deep, batch 256, both cores: {fmt(r2, 1.0)} the numpy peer on 2 BLAS threads")
        summary["checks"].append({"network": "deep", "batch": 256, "vs": "numpy 2 threads", "ratio": r2, "target": 1.0, "met": r2 >= 1.0})
    allocs = [(k, v["extra"]) for k, v in rows.items() if k[3] in ("Generated", "GeneratedFused", "Generated2") and v["extra"] not in ("0", "")]
    print("- bytes allocated per generated operation: " + ("0 everywhere" if not allocs else ", ".join(f"{k}: {b}" for k, b in allocs)))
    if with_ort:
        ort_bytes = sorted({v["extra"] for k, v in rows.items() if k[3] == "OnnxRuntime"})
        print("- ONNX Runtime 1.32 (1 intra-op thread, ORT_ENABLE_ALL, IO binding over pinned buffers): managed bytes "
              "allocated per call: " + ", ".join(ort_bytes))
    if ort_checks:
        worst = max(ort_checks.values())
        print(f"- ONNX Runtime's outputs against the generated Forward (same weights, same inputs): max |difference| "
              f"{worst:.2g} over every network at 1, 32 and 256 samples (checked before timing; allowed 1e-5 × max(1, |output|))")
    met = sum(c["met"] for c in summary["checks"])
    print(f"- targets met: {met} of {len(summary['checks'])}")
    if summary["ort_checks"]:
        ort_met = sum(c["met"] for c in summary["ort_checks"])
        print(f"- issue 11's targets against ONNX Runtime (forward; ≥ 40× at one sample for xor and digits, ≥ 1× at 32 and "
              f"256 samples): {ort_met} of {len(summary['ort_checks'])}")
    if summary["forward_peak_checks"]:
        peak_met = sum(c["met"] for c in summary["forward_peak_checks"])
        print(f"- issue 11's batched-Forward target (mnist and deep at 256 samples ≥ 78% of the FMA peak, best iteration): "
              f"{peak_met} of {len(summary['forward_peak_checks'])}")
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
