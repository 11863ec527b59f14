#!/usr/bin/env bash
# tests/security/wall.sh — native probes behind the OS wall alone
# (build/tests/wall-probe runs launcher/sandbox.c with a C probe where the
# isolate would be). Each probe runs under the strict and the default
# seccomp policy. A probe holds when it prints "held NAME", or when the
# policy killed it for a call that policy kills (exit 159, SIGSYS).
# The isolation probes (signals, tty, groups) also run as a test user with
# supplementary groups (made with useradd, removed at the end; root only)
# and in a terminal (script(1)).
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
# a listener on every address of the host (net-outside must not reach it)
python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 0)); s.listen(16); print(s.getsockname()[1], flush=True); time.sleep(300)' \
  > "$work/app/host-port" 2> /dev/null < /dev/null &
listener=$!
for _ in $(seq 50); do [ -s "$work/app/host-port" ] && break; sleep 0.1; done
host_ip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub(/\/.*/, "", $4); print $4; exit}')
echo "${host_ip:-127.0.0.2}" > "$work/app/host-ip"
chmod a+r "$work/app/host-port" "$work/app/host-ip"
# what the probes' supervisor grants (net-channel, net-udp, sockbuf): the host's
# listener under host.internal, the sandbox's own 127.0.0.1
export WALL_NET_ALLOW="host.internal:$(cat "$work/app/host-port"),127.0.0.1"
pass=0
fail=0
# the calls both policies answer by killing the process, and those only the
# strict policy kills (its default action)
kill_strict=" tiocsti fork tty-ioctl net-udp-sendto run-namespaces "
kill_always=" mount unshare ptrace "
for policy in strict default; do
  for t in host-files pid-ns net-none net-outside net-channel net-dns net-unix net-udp net-udp-sendto mount unshare ptrace proc-mem write-app tmp-size fsize pids fork caps fds tiocsti clone3 tty-ioctl ssl-private proc-host run-granted run-other run-self run-tmp-copy run-fork-bomb run-namespaces run-memfd inotify; do
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
kill "$listener" 2> /dev/null
wait "$listener" 2> /dev/null
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
  # a host process listening on a unix socket in the app folder
  rm -f "$work/app/host.sock"
  python3 -c 'import socket, sys, time; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); import os; os.chmod(sys.argv[1], 0o777); time.sleep(30)' "$work/app/host.sock" &
  lpid=$!
  for ((i = 0; i < 50; i++)); do [ -S "$work/app/host.sock" ] && break; sleep 0.05; done
  out=$(timeout 30 "$probe" "$policy" "$work/app" "$work/canary" unix-path 2>&1)
  rc=$?
  kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null; rm -f "$work/app/host.sock"
  if [ "$rc" -eq 0 ] && [ "$out" = "held unix-path" ]; then
    echo "held    $policy unix-path (a host socket in the app)"; pass=$((pass + 1))
  else
    echo "ESCAPED $policy unix-path (exit $rc): ${out:0:200}"; fail=$((fail + 1))
  fi
  # the host's / as standard input: no handle on the host's tree
  out=$(timeout 30 "$probe" "$policy" "$work/app" "$work/canary" stdin-dir 2>&1 < /)
  rc=$?
  if [ "$rc" -eq 0 ] && [ "$out" = "held stdin-dir" ]; then
    echo "held    $policy stdin-dir"; pass=$((pass + 1))
  else
    echo "ESCAPED $policy stdin-dir (exit $rc): ${out:0:200}"; fail=$((fail + 1))
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

# ---- isolation: signals, the terminal, groups (run as root and as an
# unprivileged invoker with supplementary groups: a test user made here)

# The probe, readable by the test user wherever the tree is.
cp "$probe" "$work/wall-probe" && chmod 755 "$work/wall-probe"
tuser=se-wall-$$
tgroup=se-wall-g$$
made_user=no
cleanup() {
  if [ "$made_user" = yes ]; then userdel "$tuser" 2>/dev/null; groupdel "$tgroup" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
as_user=()
if [ "$(id -u)" -ne 0 ]; then
  as_user=(env)
  echo "note    the probes run as $(id -un) (not root): the root cases are skipped"
elif groupadd "$tgroup" && useradd -M -N -g nogroup -G "$tgroup" -s /usr/sbin/nologin "$tuser"; then
  made_user=yes
  as_user=(setpriv --reuid="$tuser" --regid=nogroup --init-groups --)
  # unprivileged user namespaces may be refused on this host
  if ! "${as_user[@]}" "$work/wall-probe" strict "$work/app" "$work/canary" pid-ns >/dev/null 2>&1; then
    echo "skip    unprivileged cases: $tuser cannot run the sandbox here (unprivileged user namespaces refused? secure-exec-launch check)"
    as_user=()
  fi
else
  echo "skip    unprivileged cases: useradd $tuser failed"
fi

# signal_probe POLICY [RUNAS...]: the probe in a session of its own (an
# escape cannot stop this script), a host sleep in its process group; the
# guest signals its group, every process and the host's pids, then waits:
# the wall-clock limit (1.5 s + 1 s grace) must still end it, and the sleep
# must be neither stopped nor killed.
signal_probe() {
  local policy=$1 who=root; shift
  [ $# -gt 0 ] && who=unprivileged
  local start end pid spid state elapsed i
  start=$(date +%s%N)
  setsid "$@" bash -c 'sleep 60 & echo "$!"; WALL_HOST_PID=$! exec "$0" "$@"' \
    "$work/wall-probe" "$policy" "$work/app" "$work/canary" signals > "$work/sig.out" 2>&1 &
  pid=$!
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  end=$(date +%s%N)
  elapsed=$(( (end - start) / 1000000 ))
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
  spid=$(head -n 1 "$work/sig.out")
  local sstate
  sstate=$(awk '{print $3}' "/proc/$spid/stat" 2>/dev/null)
  kill -KILL -- "-$pid" 2>/dev/null
  kill -KILL "$spid" 2>/dev/null
  wait "$pid"; rc=$?
  out=$(tail -n +2 "$work/sig.out" | grep -v "^secure-exec-launch: warning: ")
  # the supervisor's own line for the wall-clock limit follows the guest's
  if [ -z "$state" ] && [ "$rc" -eq 124 ] && [ "$elapsed" -lt 8000 ] && [ "$sstate" = S ] &&
    [ "$out" = $'held signals\nsecure-exec-launch: time limit exceeded (1500 ms)' ]; then
    echo "held    $policy signals as $who (${elapsed} ms, exit 124, the host's sleep untouched)"; pass=$((pass + 1))
  else
    echo "ESCAPED $policy signals as $who (exit $rc after ${elapsed} ms, probe state ${state:-gone}, host sleep state ${sstate:-gone}): ${out:0:200}"; fail=$((fail + 1))
  fi
}

# tty_probe POLICY MODE: the probe in a terminal (script's pty), in the
# foreground or as a background job of a job-control shell, reading its
# input: the supervisor must not be stopped (SIGTTIN) and the wall-clock
# limit ends the run; the host's terminal keeps its flags and modes.
tty_probe() {
  local policy=$1 mode=$2 start elapsed
  start=$(date +%s%N)
  out=$(timeout -s KILL 20 script -q -e -c "bash '$work/tty.sh' $mode '$work/wall-probe' $policy '$work/app' '$work/canary' tty" /dev/null < /dev/null 2>&1 | tr -d '\r')
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  if grep -qx "held tty" <<<"$out" && grep -qx "rc=124" <<<"$out" && [ "$elapsed" -lt 8000 ]; then
    echo "held    $policy tty in a terminal, $mode (${elapsed} ms, exit 124)"; pass=$((pass + 1))
  else
    echo "ESCAPED $policy tty in a terminal, $mode (${elapsed} ms): $(head -c 300 <<<"$out")"; fail=$((fail + 1))
  fi
}
cat > "$work/tty.sh" <<'EOF'
# run by script(1) in its terminal: MODE (foreground, or background: a job
# of a job-control shell, not the terminal's foreground group) COMMAND...
mode=$1; shift
if [ "$mode" = background ]; then set -m; "$@" & wait $!; else "$@"; fi
echo "rc=$?"
EOF

have_script=yes
command -v script >/dev/null || have_script=no
[ "$have_script" = yes ] || echo "skip    tty in a terminal: no script(1) (util-linux bsdutils)"
scoped=no
"$probe" --check-scope && scoped=yes
[ "$scoped" = yes ] || echo "skip    abstract-unix: the kernel has no Landlock scoping (ABI 6)"
echo "s3cret" > "$work/app/group-secret"
for policy in strict default; do
  if [ "$(id -u)" -eq 0 ]; then
    signal_probe "$policy"
    # root with supplementary group 0: the middle drops it, the guest
    # (nobody outside) cannot read a root:root 0640 file
    chown root:root "$work/app/group-secret"; chmod 640 "$work/app/group-secret"
    out=$(timeout 30 setpriv --groups=0 -- "$work/wall-probe" "$policy" "$work/app" "$work/canary" groups 2>&1); rc=$?
    if [ "$rc" -eq 0 ] && [ "$out" = "held groups" ]; then
      echo "held    $policy groups as root in group 0"; pass=$((pass + 1))
    else
      echo "ESCAPED $policy groups as root in group 0 (exit $rc): ${out:0:200}"; fail=$((fail + 1))
    fi
  fi
  if [ ${#as_user[@]} -gt 0 ]; then
    signal_probe "$policy" "${as_user[@]}"
    # an unprivileged invoker keeps its groups (setgroups=deny): the run
    # says which, in one line, and so does check
    if [ "$made_user" = yes ]; then
      chown "root:$tgroup" "$work/app/group-secret"; chmod 640 "$work/app/group-secret"
      out=$(timeout 30 "${as_user[@]}" "$work/wall-probe" "$policy" "$work/app" "$work/canary" groups 2>&1); rc=$?
      if [[ $out == *"warning: the guest keeps the supplementary groups $tgroup("* ]]; then
        echo "held    $policy groups as $tuser: warned ($(grep -c ESCAPED <<<"$out") read through the kept group, as documented)"; pass=$((pass + 1))
      else
        echo "ESCAPED $policy groups as $tuser: no warning (exit $rc): ${out:0:300}"; fail=$((fail + 1))
      fi
    fi
  fi
  if [ "$have_script" = yes ]; then
    tty_probe "$policy" foreground
    tty_probe "$policy" background
  fi
  if [ "$scoped" = yes ]; then
    out=$(timeout 30 "$probe" "$policy" "$work/app" "$work/canary" abstract-unix 2>&1); rc=$?
    if [ "$rc" -eq 0 ] && [ "$out" = "held abstract-unix" ]; then
      echo "held    $policy abstract-unix (the host's network namespace, Landlock's scope)"; pass=$((pass + 1))
    else
      echo "ESCAPED $policy abstract-unix (exit $rc): ${out:0:200}"; fail=$((fail + 1))
    fi
  fi
done

# ---- kernel surface and planted files: protocols, socket filters, locks on
# read-only files, setuid bits and symlinks out of a write grant. The grant
# is a host folder outside /tmp (one below it would take the private /tmp's
# symlinks away too); after each run it must hold no setuid or setgid file
# and no symlink, whatever the probe says.
rwdir=$(mktemp -d /var/tmp/se-wall-rw.XXXXXX)
chmod 777 "$rwdir"
trap 'cleanup; rm -rf "$rwdir"' EXIT
echo "a file of the app" > "$work/app/lockme"
kill_strict_surface=" mptcp udplite so-filter so-bpf so-reuseport-cbpf so-reuseport-ebpf fchmodat2 "
for policy in strict default; do
  for t in mptcp udplite so-filter so-bpf so-reuseport-cbpf so-reuseport-ebpf locks setuid fchmodat2 symlink-out; do
    find "$rwdir" -mindepth 1 -delete
    out=$(timeout 30 "$probe" "$policy" "$work/app" "$work/canary" "$t" "$rwdir" 2>&1)
    rc=$?
    planted=$(find "$rwdir" -mindepth 1 \( -perm /6000 -o -type l \) -printf '%M %p ' 2>&1)
    if [ -n "$planted" ]; then
      echo "ESCAPED $policy $t: on the host: $planted"; fail=$((fail + 1))
    elif [ "$rc" -eq 0 ] && [ "$out" = "held $t" ]; then
      echo "held    $policy $t"; pass=$((pass + 1))
    elif [ "$rc" -eq 159 ] && [ "$policy" = strict ] && [[ $kill_strict_surface == *" $t "* ]]; then
      echo "held    $policy $t (killed by seccomp)"; pass=$((pass + 1))
    else
      echo "ESCAPED $policy $t (exit $rc)"; sed 's/^/        /' <<<"$out" | head -n 5; fail=$((fail + 1))
    fi
  done
done

[ ! -e "$work/app/escape.txt" ] || { echo "ESCAPED write-app: the file is on the host"; fail=$((fail + 1)); }

# ---- the supervisor's record of native ends (--report's, WALL_PROBE_REPORT) --------------
# record_of NAME TEST RC LINE FIELD=JSON...: the probe's status, stderr's last
# line and the record's fields (python3's json module reads it)
record_of() {
  local name=$1 t=$2 want_rc=$3 line=$4 why
  shift 4
  rm -f "$work/rec.json"
  out=$(WALL_PROBE_REPORT="$work/rec.json" timeout 60 "$probe" strict "$work/app" "$work/canary" "$t" 2>&1)
  rc=$?
  why=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for w in sys.argv[2:]:
    k, v = w.split("=", 1)
    if r.get(k) != json.loads(v):
        print(k, "is", json.dumps(r.get(k)), "want", v)
' "$work/rec.json" "$@" 2>&1)
  if [ "$rc" -eq "$want_rc" ] && [ "$(tail -n 1 <<<"$out")" = "$line" ] && [ -z "$why" ]; then
    echo "held    record $name"; pass=$((pass + 1))
  else
    echo "ESCAPED record $name (exit $rc): $why ${out:0:200}"; fail=$((fail + 1))
  fi
}
record_of "seccomp kill: limit seccomp, SIGSYS" mount 159 \
  "secure-exec-launch: the guest made a system call the seccomp policy forbids" \
  limit='"seccomp"' signal='"SIGSYS"' exit_code=159 limit_claimed_by_guest=false
record_of "forged claims (time without a timeout, output, seccomp) are not taken" claim-forged 124 "" \
  limit='"none"' exit_code=124 limit_claimed_by_guest=false signal=null
record_of "cpu: limit cpu from the supervisor" cpu 124 "secure-exec-launch: CPU time limit exceeded (300 ms)" \
  limit='"cpu"' signal='"SIGKILL"' limit_claimed_by_guest=false
if [ "$cgroup_ok" = yes ]; then
  record_of "memory: the cgroup's kill, its peak" memory 137 \
    "secure-exec-launch: memory limit exceeded (the run's cgroup: 256 MB in all)" \
    limit='"memory"' signal='"SIGKILL"' peak_memory_source='"cgroup"' limit_claimed_by_guest=false
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
