#!/usr/bin/env bash
# tests/security/wall.sh — native probes behind the OS wall alone
# (build/tests/wall-probe runs launcher/sandbox.c with a C probe where the
# isolate would be). Each probe runs under the strict and the default
# seccomp policy. A probe holds when it prints "held NAME", or when the
# policy killed it for a call that policy kills (exit 159, SIGSYS).
#
# usage: tests/security/wall.sh [--probe PATH]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
probe="$here/../../build/tests/wall-probe"
if [ "${1:-}" = "--probe" ] && [ -n "${2:-}" ]; then probe=$2; fi
if [ ! -x "$probe" ]; then echo "wall: no probe at $probe (make first)" >&2; echo "0 passed, 1 failed"; exit 1; fi

work=$(mktemp -d)
# the guest is an unprivileged user outside the sandbox: what it is shown
# must be readable (and, for write grants, writable) by others
chmod 755 "$work"
[ -d "$work" ] || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app"
echo "CANARY-$RANDOM" > "$work/canary"
pass=0
fail=0
# the calls both policies answer by killing the process, and those only the
# strict policy kills (its default action)
kill_always=" mount unshare ptrace "
kill_strict=" tiocsti fork "
for policy in strict default; do
  for t in host-files pid-ns net-none mount unshare ptrace proc-mem write-app tmp-size pids fork caps fds tiocsti clone3; do
    out=$(timeout 30 "$probe" "$policy" "$work/app" "$work/canary" "$t" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && [ "$out" = "held $t" ]; then
      echo "held    $policy $t"; pass=$((pass + 1))
    elif [ "$rc" -eq 159 ] && { [[ $kill_always == *" $t "* ]] || { [ "$policy" = strict ] && [[ $kill_strict == *" $t "* ]]; }; }; then
      echo "held    $policy $t (killed by seccomp)"; pass=$((pass + 1))
    else
      echo "ESCAPED $policy $t (exit $rc)"; sed 's/^/        /' <<<"$out" | head -n 5; fail=$((fail + 1))
    fi
  done
done
[ ! -e "$work/app/escape.txt" ] || { echo "ESCAPED write-app: the file is on the host"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
