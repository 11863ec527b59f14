#!/usr/bin/env bash
# bench/overlay.sh — require() of large package graphs through the
# node_modules overlay against the same tree on the plain read-only /app
# bind (profile key sandbox.overlay = off), in the same run. Two graphs,
# installed once into build/bench-app* from the npm registry:
#  - lodash: every module file of lodash 4.17.21 (~640 require()s in one
#    folder);
#  - express: every package of express 4.21.2's dependency tree (~70
#    packages, each its own folder and package.json) that loads without
#    http, which the sandbox does not have yet.
# "warm": the host's page cache holds the tree (each run still mounts a
# fresh overlay, so the FUSE caches start empty); "cold": caches dropped
# before every run (root only; skipped otherwise). Prints medians and the
# ratios overlay/bind.
# env: RUNS (default 15)
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
bench_init 15

lodash_app="$root/build/bench-app"
express_app="$root/build/bench-app-express"
npm_install "$lodash_app" lodash@4.17.21
npm_install "$express_app" express@4.21.2
cat >"$lodash_app/graph.js" <<'JS'
'use strict';
const fs = require('fs');
let n = 0;
for (const f of fs.readdirSync('/app/node_modules/lodash').sort()) {
  if (f.endsWith('.js')) { require(`lodash/${f.slice(0, -3)}`); n++; }
}
console.log(`${n} lodash modules`);
JS
cat >"$express_app/graph.js" <<'JS'
'use strict';
const fs = require('fs');
let n = 0;
for (const p of fs.readdirSync('/app/node_modules').sort()) {
  if (p.startsWith('.')) continue;
  try { require(p); n++; } catch { /* needs what the sandbox lacks (http) */ }
}
console.log(`${n} packages of express's tree, ${Object.keys(require.cache).length} files`);
JS
chmod -R a+rX "$lodash_app" "$express_app"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-overlay.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '%s\n' 'fs.read = /app' 'sandbox.overlay = off' >"$work/bind.profile"
for app in "$lodash_app" "$express_app"; do
  on=$(cd "$app" && "$bin" graph.js) || die "$app: the graph does not load through the overlay"
  off=$(cd "$app" && "$bin" --profile "$work/bind.profile" graph.js) || die "$app: the graph does not load from the bind"
  [ "$on" = "$off" ] || die "$app: overlay loaded '$on', bind '$off'"
done

cold=0
if [ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ]; then cold=1; fi
python3 - "$bin" "$work/bind.profile" "$runs" "$cold" "$lodash_app" "$express_app" <<'PY'
import os, statistics, subprocess, sys, time
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
binary, bind_profile, runs, cold = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
apps = sys.argv[5:]
cmds = {"overlay": [binary, "graph.js"], "bind": [binary, "--profile", bind_profile, "graph.js"]}
def run(cmd, app, drop):
    if drop:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    t = time.perf_counter()
    subprocess.run(cmd, cwd=app, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000
for app in apps:
    what = subprocess.run(cmds["bind"], cwd=app, capture_output=True, text=True).stdout.strip()
    print(f"require() of {what}, median of {runs} alternating runs (ms)")
    for mode, drop in (("warm", False), ("cold", True)):
        if drop and not cold:
            print("  cold: skipped (dropping the page cache needs root)")
            continue
        res = {k: [] for k in cmds}
        for _ in range(runs):
            for k, c in cmds.items():
                res[k].append(run(c, app, drop))
        o, b = statistics.median(res["overlay"]), statistics.median(res["bind"])
        print(f"  {mode}: overlay {o:.1f}  bind {b:.1f}  ratio {o / b:.2f}" + ("   (goal <= 1.1)" if mode == "warm" else ""))
        graph = "express tree" if "express" in what else "lodash tree"
        record(os.environ["SE_BENCH_NAME"], f"{graph} {mode}, overlay / bind", o / b,
               1.1 if mode == "warm" else None, "lower")
PY
