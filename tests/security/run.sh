#!/usr/bin/env bash
# tests/security/run.sh — escape probes. Each probes/*.js is hostile guest
# code run under --profile strict in a fresh app folder, with a secret file
# and a secret environment variable outside its grants. A probe prints
# "HELD" when every attack it tries failed, anything else is an escape. The
# secret's content must never appear in the output, and the secret folder
# must be unchanged afterwards. A probe's optional NAME.flags line adds
# launcher options; @RW@ in it is a fresh folder outside the app, passed to
# the probe as its second argument.
#
# usage: tests/security/run.sh [--bin PATH]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/../../build/secure-exec-launch"
if [ "${1:-}" = "--bin" ] && [ -n "${2:-}" ]; then bin=$2; fi
bin=$(readlink -f "$bin")
if [ ! -x "$bin" ]; then echo "security: no launcher at $bin" >&2; echo "0 passed, 1 failed"; exit 1; fi

work=$(mktemp -d)
[ -d "$work" ] || exit 1
trap 'rm -rf "$work"' EXIT
secret="TOP-SECRET-$RANDOM$RANDOM"
mkdir -p "$work/app" "$work/secret"
echo "$secret" > "$work/secret/key.txt"
echo "module.exports = '$secret'" > "$work/secret/key.js"
pass=0
fail=0
for probe in "$here"/probes/*.js; do
  name=$(basename "$probe" .js)
  rm -rf "$work/app" && mkdir -p "$work/app"
  rm -rf "$work/rw" && mkdir -p "$work/rw"
  cp "$probe" "$work/app/probe.js"
  flags=()
  if [ -f "${probe%.js}.flags" ]; then
    read -r -a flags < <(sed "s#@RW@#$work/rw#g" "${probe%.js}.flags")
  fi
  before=$(cd "$work/secret" && ls -la --time-style=full-iso . && sha256sum ./*)
  out=$(cd "$work/app" && env -i PATH=/usr/bin:/bin SECRET_TOKEN="$secret" \
    SE_SECRET_DIR="$work/secret" timeout 30 "$bin" --profile strict "${flags[@]}" probe.js "$work/secret" "$work/rw" 2>&1)
  rc=$?
  after=$(cd "$work/secret" && ls -la --time-style=full-iso . && sha256sum ./*)
  if [ "$before" != "$after" ]; then out="$out
secret folder changed"; rc=99; fi
  if [ "$rc" -eq 0 ] && [ "$(tail -n 1 <<<"$out")" = "HELD" ] && ! grep -q "$secret" <<<"$out"; then
    echo "held    $name"
    pass=$((pass + 1))
  else
    echo "ESCAPED $name (exit $rc)"
    head -n 20 <<<"$out" | sed 's/^/        /'
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
