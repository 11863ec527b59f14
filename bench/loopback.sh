#!/usr/bin/env bash
# bench/loopback.sh — net and http on the loopback, timed inside the
# program (bench/loopback-work.js): 5,000 keep-alive http requests from 10
# clients, and 64 MiB echoed through one TCP connection; ours (in the
# sandbox, on its own loopback) against host node, runs alternating.
# Prints the medians and the ratio ours/node (lower is better).
# env: RUNS (default 7); BEFORE=PATH another launcher build as a column.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 7 node
bench_before

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-loopback.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/app"
cp "$here/loopback-work.js" "$work/app/"
chmod -R a+rX "$work/app"
cd "$work/app"

python3 - "$runs" "$node" "$bin" "$before" <<'PY'
import os, statistics, subprocess, sys
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
runs, node, ours, before = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
grant = ["--allow-net=127.0.0.1", "--memory-limit", "512"]
cmds = {"node": [node, "loopback-work.js"], "ours": [ours] + grant + ["loopback-work.js"]}
if before:
    cmds["before"] = [before] + grant + ["loopback-work.js"]
res = {k: ([], []) for k in cmds}
for _ in range(runs):
    for k, cmd in cmds.items():
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)}: exit {out.returncode}: {out.stderr[-300:]}")
        h, t = (float(x) for x in out.stdout.split())
        res[k][0].append(h)
        res[k][1].append(t)
med = {k: (statistics.median(a), statistics.median(b)) for k, (a, b) in res.items()}
print(f"loopback, timed inside the program, median of {runs} runs (ms)")
print(f"{'':34} {'node':>9} {'ours':>9} {'ratio':>6}" + (f" {'before':>9} {'ours/before':>11}" if before else ""))
for i, what in enumerate(["http: 5,000 keep-alive requests", "tcp: 64 MiB echoed"]):
    n, o = med["node"][i], med["ours"][i]
    line = f"{what:34} {n:9.1f} {o:9.1f} {o / n:6.2f}"
    if before:
        line += f" {med['before'][i]:9.1f} {o / med['before'][i]:11.3f}"
    print(line)
    record(os.environ["SE_BENCH_NAME"], what, o / n, None, "lower")
PY
