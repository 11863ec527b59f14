#!/usr/bin/env bash
# bench/url.sh — URL parsing against host node (bench/url-work.js, one
# process a workload, RUNS times each alternating node and ours; Debian's
# node 18 on our libnode108 as a column where it runs). Node parses URLs in
# C++ (ada); the sandbox runs whatwg-url, the reference implementation in
# JS, with the short paths of js/node/internal/whatwg-url-fast.js and
# whatwg-url-tr46.js. Prints the median nanoseconds an operation and the
# ratio ours/node (lower is better). No goal: a figure to watch.
# env: RUNS (default 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 5 node

bench_workloads url-work.js
python3 "$SE_BENCH_DIR/workloads.py" "$work/results" "$runs" "URL parsing" "ns an operation" 0 -
