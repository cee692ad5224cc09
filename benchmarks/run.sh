#!/usr/bin/env bash
# Runs the peers (PyTorch, numpy, ONNX Runtime) and the C# benchmarks in one go and prints one table of ratios.
#   bash benchmarks/run.sh [--short] [--network NAME]... [--group forward|step|batch]...
# --short finishes in under five minutes; results land in benchmarks/results/<date>/ (not committed).
# The peers need Debian's python3-torch, python3-numpy and python3-onnx; BLAS gets its best configuration (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
short=""; filters=()
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short="--short" ;;
    --network|--group) filters+=("$1" "$2"); shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
out="results/$(date -u +%Y%m%d-%H%M%S)${short:+-short}"
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Tier up hot methods after 30 calls without the 100 ms quiet-period wait, so that short in-process runs measure
# fully optimized code for every implementation alike (generated and baselines).
export DOTNET_TC_CallCountingDelayMs=0

if ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "warning: libopenblas0-pthread is not installed: torch and numpy fall back to the reference BLAS (apt-get install -y libopenblas0-pthread)" >&2
fi
echo "== building the C# benchmarks" >&2
dotnet build Backprop.Generated.Benchmarks -c Release -nologo -v q >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
bench=Backprop.Generated.Benchmarks/bin/Release/net10.0/Backprop.Generated.Benchmarks.dll

# The ONNX Runtime peer runs inside the C# process on the generated networks' own weights, exported by PyTorch.
echo "== ONNX export (the generated networks' weights, torch.onnx.export)" >&2
dotnet "$bench" --export-weights "$out/onnx" >"$out/export.log" 2>&1 || { cat "$out/export.log"; exit 1; }
/usr/bin/python3 export_onnx.py "$out/onnx"

# OpenBLAS 0.3.21 does not recognise this CPU: without SkylakeX it runs a generic SSE3 kernel (~4x slower GEMM).
echo "== PyTorch, 1 thread" >&2
OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 peers.py --peer torch --threads 1 $short "${filters[@]}" --out "$out/torch.tsv"
echo "== numpy, 1 thread" >&2
OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 peers.py --peer numpy --threads 1 $short "${filters[@]}" --out "$out/numpy1.tsv"
echo "== numpy, 2 threads (batch only)" >&2
batch_filters=()
for ((i = 0; i < ${#filters[@]}; i += 2)); do [ "${filters[i]}" = --network ] && batch_filters+=("${filters[i]}" "${filters[i+1]}"); done
OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 peers.py --peer numpy --threads 2 --group batch $short "${batch_filters[@]}" --out "$out/numpy2.tsv"

echo "== C# (BenchmarkDotNet; the peak FMA rate first)" >&2
dotnet "$bench" $short "${filters[@]}" --onnx "$out/onnx" \
  --results "$out/csharp.tsv" >"$out/bdn.log" 2>&1 || { tail -50 "$out/bdn.log"; exit 1; }
grep -E '^peak FMA|^ONNX Runtime check' "$out/bdn.log" | awk '!seen[$0]++' >&2 || true

/usr/bin/python3 report.py "$out" | tee "$out/table.md"
echo "(files in benchmarks/$out)" >&2
