#!/bin/sh
# FashionCnn and SensorNet whole (issue 14) in one run: the generated networks' weights, PyTorch's side and its ONNX
# export of those weights, then the C# side with ONNX Runtime, both pinned to CPU 1. See benchmarks/README.md,
# "Convolutional networks whole (`--conv-networks`)". usage: sh benchmarks/conv_networks.sh [OUTDIR] (default /tmp/convbench)
set -e
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/convbench}
D=$OUT/onnx
mkdir -p "$D"
dotnet build benchmarks/Backprop.Generated.Benchmarks -c Release -v q -nologo
echo "start $(date -u +%T) load $(cat /proc/loadavg)"
dotnet run --no-build -c Release --project benchmarks/Backprop.Generated.Benchmarks -- --export-weights "$D"
OPENBLAS_CORETYPE=SkylakeX taskset -c 1 /usr/bin/python3 benchmarks/conv_bench.py --onnx "$D" --out "$OUT/torch.tsv"
echo "between $(date -u +%T) load $(cat /proc/loadavg)"
DOTNET_TC_CallCountingDelayMs=0 taskset -c 1 dotnet run --no-build -c Release --project benchmarks/Backprop.Generated.Benchmarks -- \
  --conv-networks --onnx "$D" --results "$OUT/cs.tsv"
echo "end $(date -u +%T) load $(cat /proc/loadavg)"
