#!/usr/bin/env bash
# bench/modules.sh — loading real packages in the sandbox against host node,
# in the same run: `import * as _ from 'lodash-es'` (an ES module graph of
# ~640 files), a generated graph of 2,000 small ES modules, and
# `require('express')` (a CommonJS tree of ~70 packages).
# Both are installed once into build/bench-app-modules from the npm registry
# and run through the node_modules overlay (profile strict). Each command
# runs RUNS times, alternating with node; prints medians and the ratio
# ours/node (lower is better). A graph the sandbox cannot load yet is
# reported with its error instead of a ratio.
# env: RUNS (default 15)
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
bench_init 15 node

app="$root/build/bench-app-modules"
npm_install "$app" lodash-es@4.17.21 express@4.21.2
cat >"$app/lodash-es.mjs" <<'JS'
import * as _ from 'lodash-es';
console.log(`lodash-es: ${Object.keys(_).length} exports`);
JS
cat >"$app/express.js" <<'JS'
'use strict';
const express = require('express');
console.log(`express: ${typeof express} ${Object.keys(require.cache).length} files`);
JS
chmod -R a+rX "$app"
cd "$app"

# A generated ES module graph of 2,000 small modules (issue 22's second
# graph): module i imports modules 2i+1 and 2i+2, so the entry's one import
# reaches all of them through a tree 11 deep; each adds its own number.
graph="$app/graph2k"
if [ ! -f "$graph/.complete" ]; then
  rm -rf "$graph" && mkdir -p "$graph"
  python3 - "$graph" <<'PY'
import os, sys
d, n = sys.argv[1], 2000
for i in range(n):
    kids = [k for k in (2 * i + 1, 2 * i + 2) if k < n]
    lines = [f"import {{ total as t{k} }} from './m{k:04d}.mjs';" for k in kids]
    lines.append(f"export const total = {i}" + "".join(f" + t{k}" for k in kids) + ";")
    with open(os.path.join(d, f"m{i:04d}.mjs"), "w") as f:
        f.write("\n".join(lines) + "\n")
PY
  touch "$graph/.complete"
fi
cat >"$app/graph-2000.mjs" <<'JS'
import { total } from './graph2k/m0000.mjs';
console.log(`graph of 2000 modules: ${total}`);
JS
chmod -R a+rX "$app"

echo "module loading, median of $runs runs each, alternating with node (ratio ours/node)"
for entry in lodash-es.mjs graph-2000.mjs express.js; do
  want=$("$node" "$entry" 2>&1) || die "node $entry failed: $want"
  if ! got=$("$bin" --profile strict "$entry" 2>&1); then
    printf '  %-16s n/a: the sandbox cannot load it yet (%s)\n' "$entry" \
      "$(printf '%s\n' "$got" | grep -m1 -E 'Error|error' || printf '%s' "${got%%$'\n'*}")"
    continue
  fi
  [ "$got" = "$want" ] || die "$entry printed '$got' in the sandbox, '$want' on node"
  python3 - "$runs" "$entry" "$bin" "$node" <<'PY'
import os, statistics, subprocess, sys, time
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
runs, entry, ours, node = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
cmds = {"ours": [ours, "--profile", "strict", entry], "node": [node, entry]}
times = {k: [] for k in cmds}
for k in cmds:  # warm-up: page cache, npm's files
    subprocess.run(cmds[k], stdout=subprocess.DEVNULL, check=True)
for _ in range(runs):
    for k, argv in cmds.items():
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        times[k].append(time.perf_counter() - t)
o, n = statistics.median(times["ours"]), statistics.median(times["node"])
goal = 1.0 if entry.endswith(".mjs") else None  # issue 22: ES module graphs <= 1.0
print(f"  {entry:<16} ours {o * 1000:7.1f} ms   node {n * 1000:7.1f} ms   ratio {o / n:.2f}"
      + (f"   (goal <= {goal})" if goal else ""))
record(os.environ["SE_BENCH_NAME"], f"import of {entry}" if goal else f"require in {entry}", o / n, goal, "lower")
PY
done
