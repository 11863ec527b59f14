# bench/common.sh — the start every bench script shares; sourced, not run.
#
#   bench_init DEFAULT_RUNS [node]
#       sets root, bin (the built launcher) and runs ($RUNS or the default),
#       checks both, and with `node` also sets node (host node's path)
#   bench_before
#       sets before to $BEFORE (another launcher build to time as a column)
#       as an absolute path, or empty; dies when it is not a program
#   npm_install DIR PACKAGE@VERSION...
#       installs the packages into DIR from the npm registry, once
#   die MESSAGE
# shellcheck shell=bash

die() { echo "bench: $*" >&2; exit 1; }

bench_init() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  bin="$root/build/secure-exec-launch"
  runs=${RUNS:-$1}
  [[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$runs'"
  [ -x "$bin" ] || die "no launcher at $bin (build first: make)"
  if [ "${2:-}" = node ]; then
    # shellcheck disable=SC2034  # for the sourcing script
    node=$(command -v node) || die "host node not found"
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
