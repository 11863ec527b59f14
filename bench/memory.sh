#!/usr/bin/env bash
# bench/memory.sh — the memory budget's cost and the young generation's
# size against host node, under --profile strict (128 MB budget): Buffer
# churn (allocUnsafe 64 KiB x100k, 1 MiB x10k) and JSON, Map and integer
# workloads (bench/memory-work.js), one process a workload, RUNS times
# each alternating node and ours; prints the median milliseconds and the
# ratio ours/node (lower is better); Debian's node 18 on our libnode108
# (bench/same-engine-node, the same V8 10.2) as a column where it runs.
# env: RUNS (default 5); BEFORE=PATH another launcher build to time as a
# third column (ours-before), with the ratio ours/before.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 5 node
bench_before

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT
# the app folder: a copy anybody may read, as the guest is an unprivileged user outside
chmod 755 "$work"
mkdir -p "$work/app" "$work/results"
cp "$here/memory-work.js" "$work/app/"
chmod -R a+rX "$work/app"
cd "$work/app"

mapfile -t names < <(node memory-work.js | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)))')
for i in $(seq "$runs"); do
  for w in "${names[@]}"; do
    "$node" memory-work.js "$w" >> "$work/results/node"
    "$bin" --profile strict memory-work.js "$w" >> "$work/results/ours"
    if [ -n "$before" ]; then "$before" --profile strict memory-work.js "$w" >> "$work/results/before"; fi
    if [ -n "$same" ]; then "$same" memory-work.js "$w" >> "$work/results/same"; fi
  done
done

python3 - "$work/results" "$runs" <<'PY'
import json, os, statistics, sys
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
d, runs = sys.argv[1], int(sys.argv[2])
def load(who):
    out = {}
    if not os.path.exists(f"{d}/{who}"):
        return None
    for line in open(f"{d}/{who}"):
        for k, v in json.loads(line).items():
            out.setdefault(k, []).append(v)
    return {k: statistics.median(v) for k, v in out.items()}
node, ours, before, same = load("node"), load("ours"), load("before"), load("same")
print(f"memory budget and young generation, --profile strict, median of {runs} runs (ms)")
head = f"{'workload':34} {'node':>9} {'ours':>9} {'ratio':>6}"
print(head + (f" {'same':>9} {'ours/same':>9}" if same else "") + (f" {'before':>9} {'ours/before':>11}" if before else ""))
for k in node:
    n, o = node[k], ours[k]
    line = f"{k:34} {n:9.1f} {o:9.1f} {o / n:6.2f}"
    vs = None
    if same:
        vs = o / same[k]
        line += f" {same[k]:9.1f} {vs:9.2f}"
    if before:
        line += f" {before[k]:9.1f} {o / before[k]:11.3f}"
    print(line)
    # sustained CPU: within 5 % of node (faster is fine)
    record(os.environ["SE_BENCH_NAME"], k, o / n, 1.05, "lower", vs)
PY
