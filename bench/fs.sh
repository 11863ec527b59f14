#!/usr/bin/env bash
# bench/fs.sh — the fs bridge against host node: bench/fs-work.js runs each
# workload inside one process (node, then the launcher with read/write on a
# scratch folder), RUNS times each, alternating; prints the median
# milliseconds per workload and the ratio ours/node (lower is better).
# env: RUNS (default 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 5 node

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-fs.XXXXXX")
# the guest is an unprivileged user outside the sandbox: what it is shown
# must be readable (and, for write grants, writable) by others
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/node" "$work/ours" "$work/results" "$work/app"
# the app folder (shown at /app, the launcher's current folder): a copy
# anybody may read, as the guest is an unprivileged user outside
cp "$here/fs-work.js" "$work/app/"
chmod -R a+rX "$work/app"
cd "$work/app"
chmod 777 "$work/ours"

# the workload creates more files than strict's write quota allows: a
# quota it never reaches, so what is timed includes the counting
for i in $(seq "$runs"); do
  "$node" "$work/app/fs-work.js" "$work/node" > "$work/results/node.$i"
  "$bin" --allow-read="$work/ours" --allow-write="$work/ours" --write-files-limit 1000000 \
    --write-limit 1099511627776 "$work/app/fs-work.js" "$work/ours" > "$work/results/ours.$i"
done

python3 - "$work/results" "$runs" <<'PY'
import json, os, statistics, sys
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
d, runs = sys.argv[1], int(sys.argv[2])
load = lambda who: [json.load(open(f"{d}/{who}.{i}")) for i in range(1, runs + 1)]
node, ours = load("node"), load("ours")
print(f"fs workloads, median of {runs} runs (ms)")
print(f"{'workload':34} {'node':>9} {'ours':>9} {'ratio':>6}")
ratios = []
for k in node[0]:
    n = statistics.median(r[k] for r in node)
    o = statistics.median(r[k] for r in ours)
    ratios.append(o / n)
    print(f"{k:34} {n:9.1f} {o:9.1f} {o / n:6.2f}")
geo = statistics.geometric_mean(ratios)
print(f"geometric mean ratio ours/node: {geo:.2f}   (goal <= 1.1)")
record(os.environ["SE_BENCH_NAME"], "fs workloads, geometric mean", geo, 1.1, "lower")
PY
