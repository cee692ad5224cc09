#!/usr/bin/env python3
"""The table of compare.sh: old, new and new/old for every row the --quick runs printed.

usage: python3 compare_report.py benchmarks/results/compare-<date>

Reads <dir>/old-<r>.txt and new-<r>.txt (the table's rounds) and user-old-<r>.txt, user-new-<r>.txt (default runtime
settings), the `row` lines of Backprop.Generated.Benchmarks.Compare. A row's value in a round is the harness's time per call; the table shows the median over
rounds and the range; the ratio column is new time / old time of the same round (old then new, so the same minute),
median and range over rounds: below 1 the new code is faster; beside it the best round of new over the best round of
old, the comparison least disturbed by other load on a shared machine. A row is flagged when every round's ratio is above 1.05.
"""
import glob
import os
import re
import statistics
import sys

LINE = re.compile(r"^row\t(\w+)\t([^\t]+)\t(\d+)\t([\d.]+)$")
ORDER = ["forward", "step", "fused", "batch", "batch2"]  # then the --user rows in the order printed
NETWORKS = ["xor", "digits", "mnist", "deep"]
LABEL = {
    "forward": "forward, 1 sample",
    "step": "train step, 1 sample, `Backward` + `Step` + `ZeroGradients`",
    "fused": "train step, 1 sample, fused `TrainStep`",
    "batch": "train, batch {b}",
    "batch2": "train, batch {b}, 2 cores",
}


JIT = re.compile(r"^jit\t([^\t]+)\t(\d+)\t([\d.]+)$")


def read(path):
    rows, load = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = LINE.match(line)
            j = JIT.match(line)
            if j:  # methods compiled and ms spent in the JIT by the end of a window: two rows of their own
                rows[("jit", f"methods compiled by the end of {j[1]}", 0)] = int(j[2])
                rows[("jit", f"ms in the JIT by the end of {j[1]}", 0)] = float(j[3])
            elif m:
                rows[(m[1], m[2], int(m[3]))] = float(m[4]) / 1000  # µs
            elif line.startswith("load "):
                load.append(float(line.split()[1]))
    return rows, load


def rounds(directory, prefix):
    out = []
    r = 1
    while os.path.exists(os.path.join(directory, f"{prefix}old-{r}.txt")) and os.path.exists(os.path.join(directory, f"{prefix}new-{r}.txt")):
        out.append((read(os.path.join(directory, f"{prefix}old-{r}.txt")), read(os.path.join(directory, f"{prefix}new-{r}.txt"))))
        r += 1
    return out


def fmt_time(us, batch):
    if batch > 1:
        return f"{batch / us * 1e6:,.0f}/s"
    return f"{us * 1000:.1f} ns" if us < 1 else f"{us:.2f} µs"


def cell(values, batch):
    med = statistics.median(values)
    lo, hi = min(values), max(values)
    if batch > 1:  # throughput: the range low..high in samples/s
        return f"{fmt_time(med, batch)} ({fmt_time(hi, batch)[:-2]}–{fmt_time(lo, batch)})"
    return f"{fmt_time(med, batch)} ({fmt_time(lo, batch).split()[0]}–{fmt_time(hi, batch)})"


def table(pairs, title):
    seen = []  # in the order the harness printed them
    for (old, _), (new, _) in pairs:
        seen += [k for k in old if k in new and k not in seen]
    def sort_key(k):
        return (NETWORKS.index(k[0]) if k[0] in NETWORKS else 99, k[2], ORDER.index(k[1]) if k[1] in ORDER else 99, seen.index(k))
    print(f"### {title}\n")
    print(f"{len(pairs)} rounds (old, new alternately); median over rounds (range); new/old = new time ÷ old time of the same round, median (range); below 1: new faster; best new / best old: the fastest round of each side (the least disturbed by the load).\n")
    print("| network | measure | old | new | new/old | best new / best old | |")
    print("|---|---|---|---|---|---|---|")
    flagged = []
    for k in sorted(seen, key=sort_key):
        olds = [o[k] for (o, _), (n, _) in pairs if k in o and k in n]
        news = [n[k] for (o, _), (n, _) in pairs if k in o and k in n]
        ratios = [b / a for a, b in zip(olds, news)]
        flag = "slower ✗" if min(ratios) > 1.05 else ("faster" if max(ratios) < 0.95 else "within noise")
        if min(ratios) > 1.05 and k[0] != "jit":
            flagged.append(k)
        if k[0] == "jit":
            def plain(v):
                return f"{statistics.median(v):g} ({min(v):g}–{max(v):g})"
            print(f"| digits | {k[1]} | {plain(olds)} | {plain(news)} | {statistics.median(ratios):.3f} ({min(ratios):.3f}–{max(ratios):.3f}) | | |")
            continue
        print(f"| {k[0]} | {LABEL.get(k[1], k[1]).format(b=k[2])} | {cell(olds, k[2])} | {cell(news, k[2])} | "
              f"{statistics.median(ratios):.3f} ({min(ratios):.3f}–{max(ratios):.3f}) | {min(news) / min(olds):.3f} | {flag} |")
    loads = [x for (o, lo), (n, ln) in pairs for x in lo + ln]
    if loads:
        print(f"\nload average (1 min) over the rounds: {min(loads):.1f} to {max(loads):.1f}")
    print(f"rows slower by more than 5% in every round: {', '.join(' '.join(map(str, k)) for k in flagged) or 'none'}\n")


def main():
    directory = sys.argv[1]
    pairs = rounds(directory, "")
    if pairs:
        table(pairs, "--quick, DOTNET_TC_CallCountingDelayMs=0")
    user = rounds(directory, "user-")
    if user:
        table(user, "default runtime settings (no environment variables), digits forward")
    if not pairs and not user:
        sys.exit(f"no rounds in {directory}")


if __name__ == "__main__":
    main()
