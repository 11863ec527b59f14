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
