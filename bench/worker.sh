#!/usr/bin/env bash
# bench/worker.sh — worker_threads against host node in the same run:
# start-up of a worker (new Worker of eval code until its first message,
# one after the other) and a 1 MiB postMessage round trip (to a worker and
# back), timed inside each run by bench/worker-work.js. Prints the median
# of RUNS runs per operation and the ratio ours/node (lower is better).
# env: RUNS (default 7); BEFORE=PATH another launcher build as a column.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 7 node
bench_before

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-worker.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/app"
cp "$here/worker-work.js" "$work/app/"
chmod -R a+rX "$work/app"
cd "$work/app"

python3 - "$runs" "$node" "$bin" "$before" <<'PY'
import json, os, statistics, subprocess, sys
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
runs, node, ours, before = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
cmds = {"node": [node, "worker-work.js"], "ours": [ours, "--profile", "default", "worker-work.js"]}
if before:
    cmds["before"] = [before, "--profile", "default", "worker-work.js"]
res = {k: {"startup": [], "rtt": []} for k in cmds}
for _ in range(runs):
    for k, cmd in cmds.items():
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)}: exit {out.returncode}\n{out.stderr}")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        for m in ("startup", "rtt"):
            res[k][m].append(r[m])
print(f"worker_threads, median of {runs} runs (ms per operation)")
print(f"{'':34} {'node':>8} {'ours':>8} {'ratio':>6}" + (f" {'before':>8} {'ours/before':>11}" if before else ""))
for m, what in (("startup", "worker start-up (to 1st message)"), ("rtt", "1 MiB postMessage round trip")):
    n, o = statistics.median(res["node"][m]), statistics.median(res["ours"][m])
    line = f"{what:34} {n:8.2f} {o:8.2f} {o / n:6.2f}"
    if before:
        b = statistics.median(res["before"][m])
        line += f" {b:8.2f} {o / b:11.3f}"
    print(line)
    record(os.environ["SE_BENCH_NAME"], what, o / n, 1.2, "lower")
PY
