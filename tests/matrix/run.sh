#!/usr/bin/env bash
# tests/matrix/run.sh — the differential harness. Every folder under
# fixtures/ is a tiny Node project (package.json, an entry file, an optional
# `flags` file with extra launcher options). Each runs on host `node` and in
# the sandbox, from inside its folder, entry given by its absolute path;
# stdout and the exit code must be equal byte for byte once the fixture's
# absolute path is replaced by <FIXTURE> on both sides. stderr is not compared.
#
# usage: tests/matrix/run.sh [--bin PATH] [-j N] [FILTER...]
#   --bin PATH   the launcher (default build/secure-exec-launch); `--bin
#                "$(command -v node)"` checks the fixtures themselves (the
#                `flags` files are then not passed, node would reject them)
#   -j N         fixtures run N at a time (default $MATRIX_JOBS or 2); the
#                report stays in fixture order
#   FILTER       run only fixtures whose name contains one of these strings
# env: MATRIX_TIMEOUT seconds per run (default 30)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)
bin="$root/build/secure-exec-launch"
jobs=${MATRIX_JOBS:-2}
limit=${MATRIX_TIMEOUT:-30}
filters=()

die() { echo "matrix: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --bin) [ $# -ge 2 ] || die "--bin needs a path"; bin=$2; shift 2 ;;
    --bin=*) bin=${1#--bin=}; shift ;;
    -j|--jobs) [ $# -ge 2 ] || die "$1 needs a number"; jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; filters+=("$@"); break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) filters+=("$1"); shift ;;
  esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "bad job count '$jobs'"
[[ $limit =~ ^[1-9][0-9]*$ ]] || die "bad MATRIX_TIMEOUT '$limit'"

# An absolute path to the binary: the runs cd into each fixture.
case $bin in
  */*) [[ $bin == /* ]] || bin="$PWD/$bin" ;;
  *) bin=$(command -v -- "$bin" || true) ;;
esac
if [ -z "$bin" ] || [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
  die "no launcher at ${bin:-(not found)} (run make first, or pass --bin)"
fi
command -v node >/dev/null || die "host node not found"
use_flags=1
[ "$(basename -- "$bin")" != node ] || use_flags=0

# The fixtures, in name order, filtered.
dirs=()
for dir in "$here"/fixtures/*/; do
  [ -d "$dir" ] || continue
  dir=${dir%/}
  name=${dir##*/}
  if [ ${#filters[@]} -gt 0 ]; then
    hit=0
    for f in "${filters[@]}"; do
      if [[ $name == *"$f"* ]]; then hit=1; fi
    done
    [ "$hit" -eq 1 ] || continue
  fi
  dirs+=("$dir")
done
[ ${#dirs[@]} -gt 0 ] || die "no fixture matches: ${filters[*]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/matrix.XXXXXX")
# Both sides run a copy of each fixture in a folder anybody may read: run as
# root, the sandbox's guest is an unprivileged user outside, and the tree
# may sit under a private home folder.
chmod 755 "$work"
mkdir -p "$work/fixtures"
staged=()
for dir in "${dirs[@]}"; do
  cp -r "$dir" "$work/fixtures/"
  staged+=("$work/fixtures/${dir##*/}")
done
chmod -R a+rX "$work/fixtures"
dirs=("${staged[@]}")
cleanup() {
  local pidfile pid
  # Our own background jobs, then the process group of each `timeout`
  # they started (timeout makes itself a group leader).
  for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
  for pidfile in "$work"/*/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [ -n "$pid" ] || continue
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Variables from the host environment that change what node prints.
scrub=(env -u NODE_OPTIONS -u NODE_PATH -u NODE_DEBUG -u NODE_PENDING_DEPRECATION
  -u NODE_NO_WARNINGS -u NODE_V8_COVERAGE -u NODE_REPL_EXTERNAL_MODULE
  -u FORCE_COLOR -u NO_COLOR -u NODE_DISABLE_COLORS)

# entry DIR: package.json "main", default index.js
entry() {
  [ -f "$1/package.json" ] || { echo index.js; return; }
  "${scrub[@]}" node -e '
    let m;
    try { m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).main; } catch {}
    console.log(typeof m === "string" && m !== "" ? m : "index.js");
  ' "$1/package.json"
}

# side OUT DIR CMD...: run CMD inside DIR under the time limit, stdout and
# stderr to OUT.out / OUT.err, stdin empty, exit status to OUT.rc.
side() {
  local out=$1 dir=$2 rc=0
  shift 2
  (cd "$dir" && exec timeout -k 5 "$limit" "${scrub[@]}" "$@") >"$out.out" 2>"$out.err" </dev/null &
  echo "$!" >"$out.pid"
  wait "$!" || rc=$?
  rm -f "$out.pid"
  echo "$rc" >"$out.rc"
}

# normalise FILE DIR: the fixture's absolute path becomes <FIXTURE> (and,
# on the sandbox side, /app, where the guest sees the fixture folder). The path
# is a literal: every BRE metacharacter escaped, \x01 as the delimiter.
normalise() {
  local esc d=$'\001'
  esc=$(printf '%s\n' "$2" | sed 's/[][\.*^$]/\\&/g')
  sed -i "s${d}${esc}${d}<FIXTURE>${d}g" "$1"
}

# one IDX DIR: run one fixture both ways; leaves IDX/report (what to print)
# and IDX/status (pass|fail), then IDX/done.
one() {
  local idx=$1 dir=$2 name main t node_rc se_rc flags=()
  name=${dir##*/}
  t="$work/$idx"
  mkdir -p "$t"
  main=$(entry "$dir")
  if [ "$use_flags" -eq 1 ] && [ -f "$dir/flags" ]; then
    read -r -a flags <"$dir/flags" || true
  fi
  side "$t/node" "$dir" node "$dir/$main"
  side "$t/se" "$dir" "$bin" ${flags[@]+"${flags[@]}"} "$dir/$main"
  node_rc=$(<"$t/node.rc")
  se_rc=$(<"$t/se.rc")
  normalise "$t/node.out" "$dir"
  normalise "$t/se.out" "$dir"
  # inside the sandbox the fixture folder is /app
  # (an absolute /app only: not the tail of packages/app)
  [ "$use_flags" -eq 1 ] && sed -i 's#\(^\|[^[:alnum:]_.-]\)/app\b#\1<FIXTURE>#g' "$t/se.out"
  if [ "$node_rc" = "$se_rc" ] && cmp -s "$t/node.out" "$t/se.out"; then
    echo "ok   $name" >"$t/report"
    echo pass >"$t/status"
  else
    {
      echo "FAIL $name"
      if [ "$node_rc" != "$se_rc" ]; then
        echo "     exit status: node $node_rc, secure-exec-launch $se_rc"
      fi
      if ! cmp -s "$t/node.out" "$t/se.out"; then
        diff -u --label "node stdout" --label "secure-exec-launch stdout" \
          "$t/node.out" "$t/se.out" | head -n 40 || true
      fi
      if [ -s "$t/se.err" ]; then
        echo "     secure-exec-launch stderr (first 10 lines):"
        head -n 10 "$t/se.err" | sed 's/^/       /'
      fi
    } >"$t/report"
    echo fail >"$t/status"
  fi
  : >"$t/done"
}

pass=0
fail=0
shown=0
total=${#dirs[@]}

# flush: print the reports that are ready, in fixture order.
flush() {
  while [ "$shown" -lt "$total" ] && [ -e "$work/$shown/done" ]; do
    cat "$work/$shown/report"
    if [ "$(cat "$work/$shown/status")" = pass ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    shown=$((shown + 1))
  done
}
running() { jobs -rp | wc -l; }

for i in "${!dirs[@]}"; do
  while [ "$(running)" -ge "$jobs" ]; do
    flush
    sleep 0.05
  done
  one "$i" "${dirs[$i]}" &
  flush
done
while [ "$shown" -lt "$total" ]; do
  flush
  [ "$shown" -lt "$total" ] || break
  if [ "$(running)" -eq 0 ]; then
    flush
    # A job that died before its done marker: count it, do not hang.
    if [ "$shown" -lt "$total" ] && [ ! -e "$work/$shown/done" ]; then
      echo "FAIL ${dirs[$shown]##*/}"
      echo "     the harness itself failed on this fixture"
      fail=$((fail + 1))
      shown=$((shown + 1))
    fi
    continue
  fi
  sleep 0.05
done
wait || true

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
