#!/usr/bin/env bash
# bench/processes.sh — child processes, ours against host node doing the
# same, back to back in one run (the machine is noisy: only the ratios
# within one run mean anything). Each side times its own loop
# (bench/processes-work.js), so its start-up is not counted:
#   spawnSync('true') x COUNT                 (issue 19's goal: <= 1.5)
#   spawnSync(process.execPath, ['-e', '0'])  (a nested guest's start,
#                                             against node starting node: <= 1.5)
# Prints the median of RUNS runs per side and the ratio ours/node.
#
# env: RUNS (default 5), COUNT (default 200), NESTED (default 20)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$here/common.sh"
bench_init 5 node
count=${COUNT:-200}
nested=${NESTED:-20}
[[ $count =~ ^[1-9][0-9]*$ ]] || die "COUNT must be a positive number, not '$count'"
[[ $nested =~ ^[1-9][0-9]*$ ]] || die "NESTED must be a positive number, not '$nested'"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-proc.XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
cp "$here/processes-work.js" "$work/work.js"
chmod a+r "$work/work.js"
cd "$work"

# one side's loop: its own milliseconds on stdout
one() {
  local side=$1 what=$2 n=$3
  if [ "$side" = node ]; then
    "$node" work.js "$what" "$n"
  else
    "$bin" --allow-run=true,node work.js "$what" "$n"
  fi
}

report() {
  local label=$1 what=$2 n=$3 side i ours=() theirs=()
  for side in ours node; do
    one "$side" "$what" 1 >/dev/null || die "$label: $side failed"
  done
  for ((i = 0; i < runs; i++)); do
    ours+=("$(one ours "$what" "$n")") || die "$label: ours failed"
    theirs+=("$(one node "$what" "$n")") || die "$label: node failed"
  done
  python3 - "$label" "$n" "${ours[*]}" "${theirs[*]}" <<'PY'
import os, statistics, sys
sys.path.insert(0, os.environ["SE_BENCH_DIR"])
from summary import record
label, n, ours, node = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
o = statistics.median(float(x) for x in ours)
t = statistics.median(float(x) for x in node)
print(f"{label:<34} ours {o / n:8.2f} ms each  node {t / n:8.2f} ms each  ratio {o / t:5.2f}  (goal <= 1.5)")
record(os.environ["SE_BENCH_NAME"], label, o / t, 1.5, "lower")
PY
}

echo "child processes: median of $runs runs, each side timing its own loop"
report "spawnSync('true') x$count" spawn-true "$count"
report "nested process.execPath -e 0 x$nested" nested-e0 "$nested"
