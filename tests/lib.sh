# shellcheck shell=bash
# tests/lib.sh — sourced by the test scripts: the --bin option, the
# ok/FAIL lines and their counts, and a scratch folder the sandbox's guest
# may read (it is an unprivileged user outside).
#
#   . tests/lib.sh; test_setup NAME DEFAULT_BIN "$@"
# sets $bin (absolute; the script stops with "0 passed, 1 failed" when it
# is missing) and $work (removed on exit), and defines ok, bad, summary.

test_setup() {
  local name=$1 default=$2
  shift 2
  bin=$default
  if [ "${1:-}" = "--bin" ] && [ -n "${2:-}" ]; then bin=$2; fi
  bin=$(readlink -f "$bin")
  if [ ! -x "$bin" ]; then
    echo "$name: no binary at $bin (run make first)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX") || exit 1
  chmod 755 "$work"
  # shellcheck disable=SC2064 # $work is fixed now
  trap "rm -rf '$work'" EXIT
  pass=0
  fail=0
}

ok() {
  echo "ok   $1"
  pass=$((pass + 1))
}

bad() {
  echo "FAIL $1"
  shift
  for line in "$@"; do echo "     $line"; done
  fail=$((fail + 1))
}

# the closing line and the status
summary() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
