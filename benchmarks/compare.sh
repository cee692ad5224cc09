#!/usr/bin/env bash
# Old code against new code in one run: one harness (Backprop.Generated.Benchmarks.Compare) built against the runtime
# and generator of an older commit (from a git worktree) and against this checkout's, the two builds run alternately
# (old, new, old, new, ...), then one table of old, new and new/old.
#   bash benchmarks/compare.sh [--old-commit REV] [--old-tree DIR] [--rounds N] [--user-rounds N] [--network NAME]...
# --old-commit: the commit to compare against (default c141ef1, the last commit with the kernels inside the generated
#   code); --old-tree: where its worktree is (default ${TMPDIR:-/tmp}/backprop-generated-<commit>; made with
#   `git worktree add --detach` when missing, left in place for the next run; `git worktree remove DIR` deletes it).
# The table's rounds run with DOTNET_TC_CallCountingDelayMs=0 (as run.sh); then --user-rounds more rounds of digits
# `Forward` on 1 sample with the default runtime settings (no environment variables), as a user's program runs.
# Results in benchmarks/results/compare-<date>/ (not committed).
set -euo pipefail
cd "$(dirname "$0")"
bench="$(pwd)"
repo="$(cd .. && pwd)"
old_commit=c141ef1; old_tree=""; rounds=3; user_rounds=3; filters=()
while [ $# -gt 0 ]; do
  case "$1" in
    --old-commit) old_commit="$2"; shift ;;
    --old-tree) old_tree="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --user-rounds) user_rounds="$2"; shift ;;
    --network) filters+=("$1" "$2"); shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
old_tree="${old_tree:-${TMPDIR:-/tmp}/backprop-generated-$old_commit}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out="results/compare-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"

if [ ! -d "$old_tree" ]; then
  echo "== git worktree add --detach $old_tree $old_commit" >&2
  git -C "$repo" worktree add --detach "$old_tree" "$old_commit" >&2
fi
echo "old: $old_tree at $(git -C "$old_tree" log -1 --format='%h %s' | cut -c1-100)" | tee "$out/trees.txt" >&2
echo "new: $repo at $(git -C "$repo" log -1 --format='%h %s' | cut -c1-100)$(git -C "$repo" diff --quiet HEAD -- src generators || echo ' (+ uncommitted changes)')" | tee -a "$out/trees.txt" >&2
# One harness (Backprop.Generated.Benchmarks.Compare) built twice, against each side's runtime and generator, so that
# only the library and the generated code differ; each side gets its own copy of the project (own bin/ and obj/).
for side in old new; do
  tree="$repo"; [ $side = old ] && tree="$old_tree"
  echo "== building $side" >&2
  rm -rf "$out/harness-$side"; cp -r Backprop.Generated.Benchmarks.Compare "$out/harness-$side"
  rm -rf "$out/harness-$side/bin" "$out/harness-$side/obj"
  dotnet build "$out/harness-$side" -c Release -nologo -v q -p:BackpropRoot="$tree/" >"$out/build-$side.log" 2>&1 \
    || { tail -30 "$out/build-$side.log"; exit 1; }
done
dll() { echo "$out/harness-$1/bin/Release/net10.0/Backprop.Generated.Benchmarks.Compare.dll"; }

load() { cut -d' ' -f1 /proc/loadavg; }
for ((r = 1; r <= rounds; r++)); do
  for side in old new; do
    echo "== round $r, $side (load $(load))" >&2
    echo "load $(load)" >"$out/$side-$r.txt"
    DOTNET_TC_CallCountingDelayMs=0 dotnet "$(dll $side)" "${filters[@]}" >>"$out/$side-$r.txt"
    echo "load $(load)" >>"$out/$side-$r.txt"
  done
done
for ((r = 1; r <= user_rounds; r++)); do
  for side in old new; do
    echo "== default settings, round $r, $side (load $(load))" >&2
    echo "load $(load)" >"$out/user-$side-$r.txt"
    env -u DOTNET_TC_CallCountingDelayMs -u DOTNET_TieredCompilation -u DOTNET_TieredPGO -u DOTNET_ReadyToRun -u DOTNET_TC_QuickJitForLoops -u DOTNET_OSR_HitLimit \
      dotnet "$(dll $side)" --user --network digits >>"$out/user-$side-$r.txt"
    echo "load $(load)" >>"$out/user-$side-$r.txt"
  done
done

/usr/bin/python3 compare_report.py "$out" | tee "$out/table.md"
echo "(files in benchmarks/$out)" >&2
