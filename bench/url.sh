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

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-url.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/app" "$work/results"
cp "$here/url-work.js" "$work/app/"
chmod -R a+rX "$work/app"
cd "$work/app"

mapfile -t names < <(node url-work.js | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)))')
for i in $(seq "$runs"); do
  for w in "${names[@]}"; do
    "$node" url-work.js "$w" >> "$work/results/node"
    "$bin" --profile strict url-work.js "$w" >> "$work/results/ours"
    if [ -n "$same" ]; then "$same" url-work.js "$w" >> "$work/results/same"; fi
  done
done

python3 - "$work/results" "$runs" <<'PY'
import json, os, statistics, sys
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
d, runs = sys.argv[1], int(sys.argv[2])
def load(who):
    if not os.path.exists(f"{d}/{who}"):
        return None
    out = {}
    for line in open(f"{d}/{who}"):
        for k, v in json.loads(line).items():
            out.setdefault(k, []).append(v)
    return {k: statistics.median(v) for k, v in out.items()}
node, ours, same = load("node"), load("ours"), load("same")
print(f"URL parsing, --profile strict, median of {runs} runs (ns an operation)")
print(f"{'workload':34} {'node':>9} {'ours':>9} {'ratio':>6}" + (f" {'same':>9} {'ours/same':>9}" if same else ""))
for k in node:
    n, o = node[k], ours[k]
    vs = o / same[k] if same else None
    print(f"{k:34} {n:9.0f} {o:9.0f} {o / n:6.2f}" + (f" {same[k]:9.0f} {vs:9.2f}" if same else ""))
    record(os.environ["SE_BENCH_NAME"], k, o / n, None, "lower", vs)
PY
