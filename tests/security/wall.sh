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
  for t in host-files pid-ns net-none mount unshare ptrace proc-mem write-app tmp-size fsize pids fork caps fds tiocsti clone3 proc-host; do
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
# ---- host resources: each limit holds, and the host's kernel memory stays flat

# The peak growth, in MiB, of the host's unreclaimable slab (SUnreclaim) and
# of TCP's socket memory (sockstat, pages) while a command runs, and the
# peak drop of MemAvailable (reported only: anything else running moves
# it); the command's status in $rc and its stdout in $out.
kmem_now() {
  local slab tcp avail
  slab=$(awk '/^SUnreclaim:/ {print $2}' /proc/meminfo)
  avail=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
  tcp=$(awk '/^TCP:/ {for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1)}' /proc/net/sockstat)
  echo "$(( slab / 1024 )) $(( ${tcp:-0} * 4 / 1024 )) $(( avail / 1024 ))"
}
run_sampled() {
  local base_slab base_tcp base_avail s t a pid
  read -r base_slab base_tcp base_avail < <(kmem_now)
  peak_slab=0 peak_tcp=0 peak_used=0
  "$@" > "$work/sampled.out" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    read -r s t a < <(kmem_now)
    (( base_avail - a > peak_used )) && peak_used=$(( base_avail - a ))
    (( s - base_slab > peak_slab )) && peak_slab=$(( s - base_slab ))
    (( t - base_tcp > peak_tcp )) && peak_tcp=$(( t - base_tcp ))
    sleep 0.05
  done
  wait "$pid"; rc=$?
  out=$(cat "$work/sampled.out")
}
cgroup_ok=no
"$probe" --check-cgroup >/dev/null 2>&1 && cgroup_ok=yes
for policy in strict default; do
  # 400k symlinks in a 64 MiB /tmp: the inode cap stops them (ENOSPC)
  run_sampled timeout 60 "$probe" "$policy" "$work/app" "$work/canary" symlinks
  if [ "$rc" -eq 0 ] && [ "$out" = "held symlinks" ] && [ "$peak_slab" -lt 100 ]; then
    echo "held    $policy symlinks (host slab +${peak_slab} MiB, MemAvailable -${peak_used} MiB)"; pass=$((pass + 1))
  else
    echo "ESCAPED $policy symlinks (exit $rc, host slab +${peak_slab} MiB): ${out:0:200}"; fail=$((fail + 1))
  fi
  # socket buffers filled on 200 descriptors (unix pairs, loopback TCP)
  run_sampled timeout 60 "$probe" "$policy" "$work/app" "$work/canary" sockbuf
  if [ "$rc" -eq 0 ] && [[ $out == *"held sockbuf"* ]] && [ $(( peak_slab + peak_tcp )) -lt 100 ]; then
    echo "held    $policy sockbuf (${out%%$'\n'*}; host slab +${peak_slab} MiB, TCP +${peak_tcp} MiB, MemAvailable -${peak_used} MiB)"; pass=$((pass + 1))
  else
    echo "ESCAPED $policy sockbuf (exit $rc, host slab +${peak_slab} MiB, TCP +${peak_tcp} MiB): ${out:0:200}"; fail=$((fail + 1))
  fi
  # standard input opened read-write by the host: the guest can neither
  # write to it nor make the host's description non-blocking
  printf 'host input\n' > "$work/stdin"
  out=$(timeout 30 "$probe" "$policy" "$work/app" "$work/canary" stdin 2>&1 <> "$work/stdin")
  rc=$?
  if [ "$rc" -eq 0 ] && [ "$out" = "held stdin" ] && [ "$(cat "$work/stdin")" = "host input" ]; then
    echo "held    $policy stdin"; pass=$((pass + 1))
  else
    echo "ESCAPED $policy stdin (exit $rc): ${out:0:200}; the file: $(head -c 100 "$work/stdin")"; fail=$((fail + 1))
  fi
  # 64 MiB to stdout with a 16 MiB cap: at most the cap out, status 153
  timeout 60 "$probe" "$policy" "$work/app" "$work/canary" output > "$work/out.bin" 2> "$work/out.err"
  rc=$?
  size=$(stat -c %s "$work/out.bin")
  if [ "$rc" -eq 153 ] && [ "$size" -le $((16 << 20)) ] && grep -q "output limit exceeded" "$work/out.err"; then
    echo "held    $policy output ($size bytes out, exit 153)"; pass=$((pass + 1))
  else
    echo "ESCAPED $policy output (exit $rc, $size bytes out)"; fail=$((fail + 1))
  fi
  rm -f "$work/out.bin"
  # a guest that ignores and blocks SIGXCPU: the supervisor's own
  # measurement ends it at the limit (300 ms), long before RLIMIT_CPU's kill
  out=$(timeout 60 "$probe" "$policy" "$work/app" "$work/canary" cpu 2>&1)
  rc=$?
  if [ "$rc" -eq 124 ] && [[ $out == *"CPU time limit exceeded (300 ms)"* ]]; then
    echo "held    $policy cpu (exit 124 from the supervisor)"; pass=$((pass + 1))
  else
    echo "ESCAPED $policy cpu (exit $rc): ${out:0:200}"; fail=$((fail + 1))
  fi
  # 1 GiB of native memory: the run's cgroup ends it (where there is one)
  if [ "$cgroup_ok" = yes ]; then
    out=$(timeout 60 "$probe" "$policy" "$work/app" "$work/canary" memory 2>&1)
    rc=$?
    if [ "$rc" -eq 137 ] && [[ $out == *"memory limit exceeded (the run's cgroup"* ]]; then
      echo "held    $policy memory (exit 137, the cgroup)"; pass=$((pass + 1))
    else
      echo "ESCAPED $policy memory (exit $rc): ${out:0:200}"; fail=$((fail + 1))
    fi
  else
    echo "skip    $policy memory: no cgroup for runs on this host (secure-exec-launch check)"
  fi
done

[ ! -e "$work/app/escape.txt" ] || { echo "ESCAPED write-app: the file is on the host"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
