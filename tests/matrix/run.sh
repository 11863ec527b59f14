#!/usr/bin/env bash
# tests/matrix/run.sh — the differential harness. Every folder under
# fixtures/ is a tiny Node project (package.json, an entry file, an optional
# `flags` file with extra launcher options). Each runs on Node 22.14.0 (the
# reference, build/node22/bin/node from make deps) and in
# the sandbox, from inside its folder, entry given by its absolute path;
# stdout and the exit code must be equal byte for byte once the fixture's
# absolute path is replaced by <FIXTURE> on both sides. stderr is not compared.
#
# usage: tests/matrix/run.sh [--bin PATH] [-j N] [FILTER...]
#   --bin PATH   the launcher (default build/secure-exec-launch); `--bin
#                build/node22/bin/node` checks the fixtures themselves (the
#                `flags` files are then not passed, node would reject them)
#   -j N         fixtures run N at a time (default $MATRIX_JOBS or 2); the
#                report stays in fixture order
#   FILTER       run only fixtures whose name contains one of these strings
# env: MATRIX_TIMEOUT seconds per run (default 30)
#      SE_PEERS_SANDBOX=0 runs the peer-* fixtures' second side on the reference
#      again (a determinism check) instead of in the sandbox
#
# peer-* fixtures talk to real database servers: when one is selected, the
# servers start once (tests/peers/peers.sh start build/peers/run-$$) and stop
# at the end, whatever happens. Their addresses reach both sides in the
# environment; see tests/peers/README.md.
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
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
# The reference: Node 22.14.0 itself (make deps puts it in build/node22;
# MATRIX_NODE names another), never host node, which differs from it.
ref=${MATRIX_NODE:-$root/build/node22/bin/node}
[ -x "$ref" ] || die "no reference node at $ref (run make deps)"
command -v node >/dev/null || die "host node not found (a build tool here)"
use_flags=1
case $(basename -- "$bin") in node | node[0-9]*) use_flags=0 ;; esac

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
  if declare -F peers_stop >/dev/null; then peers_stop; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Variables from the host environment that change what node prints.
scrub=(env -u NODE_OPTIONS -u NODE_PATH -u NODE_DEBUG -u NODE_PENDING_DEPRECATION
  -u NODE_NO_WARNINGS -u NODE_V8_COVERAGE -u NODE_REPL_EXTERNAL_MODULE
  -u FORCE_COLOR -u NO_COLOR -u NODE_DISABLE_COLORS)

# ---- peers: database servers for the peer-* fixtures -------------------------
# Started once when a peer-* fixture is selected; a start that fails fails
# those fixtures (the others still run). peer_host_env: the variables for host
# node (127.0.0.1); peer_sandbox_env: the same with every *HOST set to
# host.internal, the one name under which the sandbox reaches the host, and
# `${NAME}` in a peer fixture's flags file becomes NAME's value (its port).
peers_dir=""
peers_state=none # none | starting | up | failed
peer_host_env=()
peer_sandbox_env=()
peer_vars=()
peers_stop() {
  [ -n "$peers_dir" ] || return 0
  bash "$root/tests/peers/peers.sh" stop "$peers_dir" || true
  # the data (some 80 MB) goes; kept after a failed start, for its logs
  [ "$peers_state" = failed ] || rm -rf "$peers_dir"
  peers_dir=""
}
# The peer-* fixtures' sandbox side reaches the host's servers as
# host.internal (--allow-net=host.internal:PORT in their flags).
# SE_PEERS_SANDBOX=0: the second side is the reference again instead (its
# output checked for determinism); either way a fixture must exit 0.
peers_sandbox=${SE_PEERS_SANDBOX:-1}
peers_wanted=0
for dir in "${dirs[@]}"; do
  case ${dir##*/} in peer-*) peers_wanted=1 ;; esac
done
# The servers start in the background while the fixtures before the first
# peer-* one run; peers_ready (in the main shell, before that fixture is
# handed out) waits for them and reads DIR/env.
peers_pid=""
if [ "$peers_wanted" -eq 1 ]; then
  mkdir -p "$root/build/peers"
  peers_dir="$root/build/peers/run-$$"
  peers_state=starting
  bash "$root/tests/peers/peers.sh" start "$peers_dir" >"$work/peers.log" 2>&1 &
  peers_pid=$!
fi
peers_ready() {
  local rc=0 k v
  [ "$peers_state" = starting ] || return 0
  wait "$peers_pid" || rc=$?
  peers_pid=""
  if [ "$rc" -eq 0 ]; then
    peers_state=up
    # peers.sh's own line: the ports and how long the servers took
    sed -n 's/^peers: /matrix: peers: /p' "$work/peers.log" >&2
    while IFS='=' read -r k v; do
      [[ $k =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
      peer_vars+=("$k=$v")
      peer_host_env+=("$k=$v")
      case $k in
        *HOST) peer_sandbox_env+=("$k=host.internal") ;;
        *) peer_sandbox_env+=("$k=$v") ;;
      esac
    done <"$peers_dir/env"
  else
    peers_state=failed
    echo "matrix: the database peers did not start (status $rc): the peer-* fixtures fail" >&2
    sed 's/^/  /' "$work/peers.log" >&2
  fi
}
# Variables of the host that change what the database clients do.
peer_scrub=(-u PGSSLMODE -u PGOPTIONS -u PGAPPNAME -u PGSERVICE -u PGPASSFILE
  -u PGCONNECT_TIMEOUT -u PGSSLROOTCERT -u PGTZ -u PGCLIENTENCODING)

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
  local peer=0 in_sandbox=$use_flags note="" i kv pat
  local node_cmd=("$ref") se_cmd=("$bin")
  if [[ $name == peer-* ]]; then
    peer=1
    if [ "$peers_state" != up ]; then
      {
        echo "FAIL $name"
        echo "     the database peers did not start (tests/peers/peers.sh; its output is above)"
      } >"$t/report"
      echo fail >"$t/status"
      : >"$t/done"
      return 0
    fi
    node_cmd=(env "${peer_scrub[@]}" "${peer_host_env[@]}" "$ref")
    if [ "$use_flags" -eq 0 ]; then
      se_cmd=(env "${peer_scrub[@]}" "${peer_host_env[@]}" "$bin")
    elif [ "$peers_sandbox" = 1 ]; then
      for i in "${!flags[@]}"; do
        for kv in "${peer_vars[@]}"; do
          pat="\${${kv%%=*}}"
          flags[i]=${flags[i]//"$pat"/${kv#*=}}
        done
      done
      se_cmd=(env "${peer_scrub[@]}" "${peer_sandbox_env[@]}" "$bin")
    else
      # SE_PEERS_SANDBOX=0: the reference twice
      se_cmd=("${node_cmd[@]}")
      flags=()
      in_sandbox=0
      note=" (the reference twice: SE_PEERS_SANDBOX=0)"
    fi
  fi
  side "$t/node" "$dir" "${node_cmd[@]}" "$dir/$main"
  side "$t/se" "$dir" "${se_cmd[@]}" ${flags[@]+"${flags[@]}"} "$dir/$main"
  node_rc=$(<"$t/node.rc")
  se_rc=$(<"$t/se.rc")
  normalise "$t/node.out" "$dir"
  normalise "$t/se.out" "$dir"
  # inside the sandbox the fixture folder is /app
  # (an absolute /app only: not the tail of packages/app)
  [ "$in_sandbox" -eq 1 ] && sed -i 's#\(^\|[^[:alnum:]_.-]\)/app\b#\1<FIXTURE>#g' "$t/se.out"
  # a peer-* fixture must also succeed: two refused connections are equal too
  if [ "$node_rc" = "$se_rc" ] && cmp -s "$t/node.out" "$t/se.out" &&
    { [ "$peer" -eq 0 ] || [ "$node_rc" = 0 ]; }; then
    echo "ok   $name$note" >"$t/report"
    echo pass >"$t/status"
  else
    {
      echo "FAIL $name$note"
      if [ "$node_rc" != "$se_rc" ]; then
        echo "     exit status: node22 $node_rc, secure-exec-launch $se_rc"
      elif [ "$peer" -eq 1 ] && [ "$node_rc" != 0 ]; then
        echo "     exit status: $node_rc on both sides (a peer-* fixture must exit 0)"
        echo "     node stdout (last 10 lines):"
        tail -n 10 "$t/node.out" | sed 's/^/       /'
        if [ -s "$t/node.err" ]; then
          echo "     node stderr (first 10 lines):"
          head -n 10 "$t/node.err" | sed 's/^/       /'
        fi
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
# the fixtures' jobs (not the peers' start)
running() { jobs -rp | grep -cvx -- "${peers_pid:-none}" || true; }

for i in "${!dirs[@]}"; do
  while [ "$(running)" -ge "$jobs" ]; do
    flush
    sleep 0.05
  done
  case ${dirs[$i]##*/} in peer-*) peers_ready ;; esac
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
