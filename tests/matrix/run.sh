#!/usr/bin/env bash
# tests/matrix/run.sh — the differential harness. Every folder under
# fixtures/ is a tiny Node project (package.json, an entry file, an optional
# `flags` file with extra launcher options). Each runs on host `node` and in
# the sandbox, from inside its folder; stdout and the exit code must be equal
# byte for byte once the fixture's absolute path is replaced by <FIXTURE> on
# both sides. stderr is not compared.
#
# usage: tests/matrix/run.sh [--bin PATH] [NAME-FILTER...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin="$root/build/secure-exec-launch"
filters=()
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --bin=*) v=${1#--bin=}; bin=$(cd "$(dirname "$v")" && pwd)/$(basename "$v"); shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) filters+=("$1"); shift ;;
  esac
done
if [ ! -x "$bin" ]; then
  echo "matrix: no launcher at $bin (run make first)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
command -v node >/dev/null || { echo "matrix: host node not found" >&2; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# entry FIXTURE-DIR: package.json "main", default index.js
entry() {
  node -e 'try { const p = require(process.argv[1] + "/package.json"); console.log(p.main || "index.js") } catch { console.log("index.js") }' "$1"
}

pass=0
fail=0
for dir in "$here"/fixtures/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  if [ ${#filters[@]} -gt 0 ]; then
    hit=0
    for f in "${filters[@]}"; do [[ $name == *"$f"* ]] && hit=1; done
    [ $hit -eq 1 ] || continue
  fi
  main=$(entry "$dir")
  flags=()
  if [ -f "$dir/flags" ]; then read -r -a flags < "$dir/flags" || true; fi
  set +e
  (cd "$dir" && timeout 30 node "$dir/$main" > "$work/node.out" 2> "$work/node.err" < /dev/null)
  node_rc=$?
  (cd "$dir" && timeout 30 "$bin" ${flags[@]+"${flags[@]}"} "$dir/$main" > "$work/se.out" 2> "$work/se.err" < /dev/null)
  se_rc=$?
  set -e
  # The fixture's path is the one host-specific string both sides print.
  sed -i "s|$dir|<FIXTURE>|g" "$work/node.out" "$work/se.out"
  if [ "$node_rc" -eq "$se_rc" ] && cmp -s "$work/node.out" "$work/se.out"; then
    echo "ok   $name"
    pass=$((pass + 1))
  else
    echo "FAIL $name (exit: node $node_rc, sandbox $se_rc)"
    diff -u --label node --label sandbox "$work/node.out" "$work/se.out" | head -n 40 || true
    if [ -s "$work/se.err" ]; then
      echo "  sandbox stderr:"; head -n 10 "$work/se.err" | sed 's/^/    /'
    fi
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
