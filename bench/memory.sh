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

bench_workloads memory-work.js
# sustained CPU: within 5 % of node (faster is fine)
python3 "$SE_BENCH_DIR/workloads.py" "$work/results" "$runs" \
  "memory budget and young generation" ms 1 1.05
