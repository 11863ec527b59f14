#!/usr/bin/env bash
# bench/overlay.sh — require() of a large package graph through the
# node_modules overlay against the same tree on the plain read-only /app
# bind (profile key sandbox.overlay = off), in the same run. The graph:
# every module file of lodash 4.17.21 (~640 require()s, installed once
# into build/bench-app from the npm registry). "warm": the host's page
# cache holds the tree (each run still mounts a fresh overlay, so the
# FUSE caches start empty); "cold": caches dropped before every run (root
# only; skipped otherwise). Prints medians and the ratios overlay/bind.
# env: RUNS (default 15)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin="$root/build/secure-exec-launch"
runs=${RUNS:-15}
die() { echo "bench: $*" >&2; exit 1; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
[ -x "$bin" ] || die "no launcher at $bin (build first: make)"

app="$root/build/bench-app"
if [ ! -f "$app/node_modules/lodash/package.json" ]; then
  mkdir -p "$app"
  (cd "$app" && npm install --no-audit --no-fund --no-save --silent lodash@4.17.21 >/dev/null) ||
    die "npm install lodash failed"
fi
cat >"$app/graph.js" <<'JS'
'use strict';
const fs = require('fs');
let n = 0;
for (const f of fs.readdirSync('/app/node_modules/lodash').sort()) {
  if (f.endsWith('.js')) { require(`lodash/${f.slice(0, -3)}`); n++; }
}
console.log(n);
JS
chmod -R a+rX "$app"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-overlay.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '%s\n' 'fs.read = /app' 'sandbox.overlay = off' >"$work/bind.profile"
n_on=$(cd "$app" && "$bin" graph.js) || die "the graph does not load through the overlay"
n_off=$(cd "$app" && "$bin" --profile "$work/bind.profile" graph.js) || die "the graph does not load from the bind"
[ "$n_on" = "$n_off" ] || die "overlay loaded $n_on modules, bind $n_off"

cold=0
if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ]; then cold=1; fi
python3 - "$bin" "$app" "$work/bind.profile" "$runs" "$cold" "$n_on" <<'PY'
import os, statistics, subprocess, sys, time
binary, app, bind_profile, runs, cold, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1", sys.argv[6]
cmds = {"overlay": [binary, "graph.js"], "bind": [binary, "--profile", bind_profile, "graph.js"]}
def run(cmd, drop):
    if drop:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    t = time.perf_counter()
    subprocess.run(cmd, cwd=app, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000
print(f"require() of {n} lodash modules, median of {runs} alternating runs (ms)")
for mode, drop in (("warm", False), ("cold", True)):
    if drop and not cold:
        print("cold: skipped (dropping the page cache needs root)")
        continue
    res = {k: [] for k in cmds}
    for _ in range(runs):
        for k, c in cmds.items():
            res[k].append(run(c, drop))
    o, b = statistics.median(res["overlay"]), statistics.median(res["bind"])
    print(f"{mode}: overlay {o:.1f}  bind {b:.1f}  ratio {o / b:.2f}")
PY
