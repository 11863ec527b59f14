# bench/common.sh — the start every bench script shares; sourced, not run.
#
#   bench_init DEFAULT_RUNS [node]
#       sets root, bin (the built launcher) and runs ($RUNS or the default),
#       checks both, and with `node` also sets node (host node's path) and
#       same: bench/same-engine-node (Debian's node 18 on our libnode108,
#       the engine's floor), or empty when it cannot run here
#   bench_before
#       sets before to $BEFORE (another launcher build to time as a column)
#       as an absolute path, or empty; dies when it is not a program
#   bench_record FIGURE RATIO GOAL higher|lower [SAME]
#       records one ratio of this script for the summary and the chart
#       (bench/summary.py; GOAL "-" for none, SAME: ours against the same
#       engine). Python parts of a script import record() from summary.py:
#       SE_BENCH_DIR and SE_BENCH_NAME are exported for them.
#   bench_workloads WORK.js
#       runs each workload WORK.js names (it prints their names as a JSON
#       list when run without one, and {"<name>": value} with one) RUNS
#       times, one process each, alternating host node, ours under
#       --profile strict, $before and the same engine where they are set;
#       leaves the lines in $work/results/{node,ours,before,same} and the
#       caller in $work/app. Then `python3 "$SE_BENCH_DIR/workloads.py"
#       "$work/results" ...` prints the medians and records the ratios.
#   npm_install DIR PACKAGE@VERSION...
#       installs the packages into DIR from the npm registry, once
#   die MESSAGE
# shellcheck shell=bash

die() { echo "bench: $*" >&2; exit 1; }

SE_BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SE_BENCH_NAME=$(basename "$0" .sh)
# no __pycache__ beside the scripts (their Python imports summary.py)
PYTHONDONTWRITEBYTECODE=1
export SE_BENCH_DIR SE_BENCH_NAME PYTHONDONTWRITEBYTECODE

bench_record() {
  python3 "$SE_BENCH_DIR/summary.py" record "$SE_BENCH_NAME" "$@" || die "could not record $1"
}

bench_init() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  bin="$root/build/secure-exec-launch"
  runs=${RUNS:-$1}
  [[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
  [ -x "$bin" ] || die "no launcher at $bin (build first: make)"
  if [ "${2:-}" = node ]; then
    # shellcheck disable=SC2034  # for the sourcing script
    node=$(command -v node) || die "host node not found"
    same="$root/bench/same-engine-node"
    if ! "$same" -e 0 2>/dev/null; then
      echo "bench: no same-engine column ($("$same" -e 0 2>&1 | head -1))" >&2
      same=""
    fi
  fi
}

bench_before() {
  before=${BEFORE:+$(readlink -f "$BEFORE")}
  [ -z "$before" ] || [ -x "$before" ] || die "BEFORE=$before is not a program"
}

bench_workloads() {
  local js=$1 i w names
  work=$(mktemp -d "${TMPDIR:-/tmp}/bench-$SE_BENCH_NAME.XXXXXX")
  # shellcheck disable=SC2064  # the folder is known now
  trap "rm -rf '$work'" EXIT
  # the app folder: a copy anybody may read, as the guest is an unprivileged user outside
  chmod 755 "$work"
  mkdir -p "$work/app" "$work/results"
  cp "$SE_BENCH_DIR/$js" "$work/app/"
  chmod -R a+rX "$work/app"
  cd "$work/app" || die "cannot enter $work/app"
  mapfile -t names < <("$node" "$js" | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)))')
  [ ${#names[@]} -gt 0 ] || die "$js named no workload"
  for i in $(seq "$runs"); do
    for w in "${names[@]}"; do
      "$node" "$js" "$w" >> "$work/results/node"
      "$bin" --profile strict "$js" "$w" >> "$work/results/ours"
      if [ -n "${before:-}" ]; then "$before" --profile strict "$js" "$w" >> "$work/results/before"; fi
      if [ -n "${same:-}" ]; then "$same" "$js" "$w" >> "$work/results/same"; fi
    done
  done
}

npm_install() {
  local dir=$1 spec missing=()
  shift
  for spec in "$@"; do
    [ -f "$dir/node_modules/${spec%@*}/package.json" ] || missing+=("$spec")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mkdir -p "$dir"
  (cd "$dir" && npm install --no-audit --no-fund --no-save --silent "${missing[@]}" >/dev/null) ||
    die "npm install ${missing[*]} failed"
}
