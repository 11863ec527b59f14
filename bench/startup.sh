#!/usr/bin/env bash
# bench/startup.sh — cold start of `secure-exec-launch hello.js` against
# `node hello.js`, measured back to back in one run (the machine is noisy:
# only ratios within one run mean anything). Prints min / median / mean per
# command, max RSS, and the ratio ours/node (lower is better; the target of
# the foundation issue is <= 0.6).
#
# env: RUNS (default 30), WARMUP (default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin="$root/build/secure-exec-launch"
hello="$here/hello.js"
runs=${RUNS:-30}
warmup=${WARMUP:-3}
[ -x "$bin" ] || { echo "bench: build first (make)" >&2; exit 1; }
command -v node >/dev/null || { echo "bench: host node not found" >&2; exit 1; }
json=$(mktemp)
trap 'rm -f "$json"' EXIT

if command -v hyperfine >/dev/null; then
  hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-json "$json" \
    -n secure-exec-launch "$bin $hello" -n node "node $hello" >/dev/null
else
  # Fallback: a timed loop, same JSON shape as hyperfine's.
  python3 - "$json" "$runs" "$bin" "$hello" <<'PY'
import json, subprocess, sys, time
out, runs, cmds = sys.argv[1], int(sys.argv[2]), [("secure-exec-launch", [sys.argv[3], sys.argv[4]]), ("node", ["node", sys.argv[4]])]
res = []
for name, argv in cmds:
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); subprocess.run(argv, stdout=subprocess.DEVNULL, check=True); ts.append(time.perf_counter() - t)
    res.append({"command": name, "times": ts})
json.dump({"results": res}, open(out, "w"))
PY
fi

rss() { # max RSS in MB of one run, or "-" without GNU time
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.1f", $1 / 1024}'
  else
    echo "-"
  fi
}
rss_ours=$(rss "$bin" "$hello")
rss_node=$(rss node "$hello")

python3 - "$json" "$rss_ours" "$rss_node" <<'PY'
import json, statistics, sys
data = json.load(open(sys.argv[1]))["results"]
rss = {"secure-exec-launch": sys.argv[2], "node": sys.argv[3]}
print(f"{'cold start, hello.js':<22}{'min ms':>9}{'median ms':>11}{'mean ms':>9}{'max RSS MB':>12}")
med = {}
for r in data:
    ts = [t * 1000 for t in r["times"]]
    name = r["command"]
    med[name] = statistics.median(ts)
    print(f"{name:<22}{min(ts):>9.1f}{med[name]:>11.1f}{statistics.mean(ts):>9.1f}{rss[name]:>12}")
ratio = med["secure-exec-launch"] / med["node"]
print(f"ratio (secure-exec-launch / node), median: {ratio:.2f}   (target <= 0.60)")
PY
