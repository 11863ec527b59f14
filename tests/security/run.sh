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
# With --shell the same JS probes run inside the operator shell instead
# (`secure-exec-launch shell`, its input piped: the arguments set in
# process.argv, then `.load` of the probe) and are judged the same way;
# the limits below are then not run.
#
# usage: tests/security/run.sh [--bin PATH] [--shell]
# env: SE_PROBE_TIMEOUT, a probe's limit in seconds (30; make check gives the
# ASan build 90)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/../../build/secure-exec-launch"
shell=0
while [ $# -gt 0 ]; do
  case $1 in
    --bin) [ -n "${2:-}" ] && bin=$2; shift $(($# > 1 ? 2 : 1)) ;;
    --shell) shell=1; shift ;;
    *) echo "usage: tests/security/run.sh [--bin PATH] [--shell]" >&2; exit 2 ;;
  esac
done
bin=$(readlink -f "$bin")
# a probe's time limit; an instrumented build (ASan) is several times slower
probe_timeout=${SE_PROBE_TIMEOUT:-30}
if [ ! -x "$bin" ]; then echo "security: no launcher at $bin" >&2; echo "0 passed, 1 failed"; exit 1; fi

# Not under /tmp (even when the tree is): a profile that grants /tmp (the
# sandbox's private one) must not cover the secret's host path by name.
work=$(mktemp -d /var/tmp/se-security.XXXXXX)
# the guest is an unprivileged user outside the sandbox: what it is shown
# must be readable (and, for write grants, writable) by others
chmod 755 "$work"
[ -d "$work" ] || exit 1
trap 'rm -rf "$work"' EXIT
secret="TOP-SECRET-$RANDOM$RANDOM"
mkdir -p "$work/app" "$work/secret" "$work/shell-io"
echo "$secret" > "$work/secret/key.txt"
echo "module.exports = '$secret'" > "$work/secret/key.js"
pass=0
fail=0
# Each probe runs twice: under --profile default (both walls) and with
# --allow-all (the JS wall open: only the OS wall stands). With both walls
# the probe must print HELD; with the OS wall alone the secret must never
# appear in its output and the secret folder must stay as it was (the
# probe's own "LEAK" lines then report what the JS wall would have
# stopped, which is no escape as long as nothing of the host shows).
#
# Through the shell (--shell): the shell's guest never ends by itself (its
# input keeps it), so the input stays open until the probe's closing line
# (HELD, ESCAPED..., "N leaks", an uncaught error) or the guest's end, and
# a moment more; the REPL's own echo of the two statements ("undefined",
# or the value of the probe's last line, shown before an async probe's
# output) is no line of the probe's. A probe that cannot be such input is
# named here with the reason, and skipped.
declare -A shell_skip=(
  [worker-bridge-unreachable]="its workers run the probe's own file (new Worker(__filename)), which a REPL's code has no name for"
  [worker-memory]="its workers run the probe's own file (new Worker(__filename)), which a REPL's code has no name for"
  [worker-quota]="its workers run the probe's own file (new Worker(__filename)), which a REPL's code has no name for"
  [proc-host]="it wants /proc/self/cmdline to be process.argv with the host folder as argv[2]: a shell takes no arguments, and an argv set from the REPL is not the kernel's cmdline"
)
# shell_run FLAGS...: the probe through the shell; sets out and rc (its
# files in a folder of their own, made beforehand: the secret folder's
# listing shows its parent, $work)
shell_run() {
  local io="$work/shell-io"
  rm -f "$io/in" && mkfifo "$io/in"
  (cd "$work/app" && env -i PATH=/usr/bin:/bin SECRET_TOKEN="$secret" SECURE_EXEC_SHELL_HISTORY= \
    ${ASAN_OPTIONS:+"ASAN_OPTIONS=$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+"UBSAN_OPTIONS=$UBSAN_OPTIONS"} \
    SE_SECRET_DIR="$work/secret" timeout 30 "$bin" shell "$@" <"$io/in" >"$io/out" 2>&1
    echo $? >"$io/rc") &
  local pid=$! i
  exec 3>"$io/in"
  # (a shell that ended at once is no reason for SIGPIPE to end this script)
  (trap '' PIPE
    printf 'void process.argv.splice(1, Infinity, "/app/probe.js", "%s", "%s")\n.load %s\n' \
      "$work/secret" "$work/rw" "$work/app/probe.js") >&3 2>/dev/null
  for ((i = 0; i < 400; i++)); do
    grep -qE '^(HELD|ESCAPED.*|[0-9]+ leaks|Uncaught .*)$' "$io/out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  sleep 0.3
  exec 3>&-
  wait "$pid"
  rc=$(cat "$io/rc")
  out=$(cat "$io/out")
}
for mode in default allow-all; do
  for probe in "$here"/probes/*.js; do
    name=$(basename "$probe" .js)
    if [ "$shell" -eq 1 ] && [ -n "${shell_skip[$name]:-}" ]; then
      echo "skip    shell $mode $name: ${shell_skip[$name]}"
      continue
    fi
    rm -rf "$work/app" && mkdir -p "$work/app"
    rm -rf "$work/rw" && mkdir -p "$work/rw" && chmod 777 "$work/rw"
    cp "$probe" "$work/app/probe.js"
    if [ -f "${probe%.js}.setup" ]; then
      # shellcheck disable=SC2034 # used by the sourced setup
      app="$work/app"
      # shellcheck source=/dev/null
      . "${probe%.js}.setup"
    fi
    flags=()
    if [ -f "${probe%.js}.flags" ]; then
      read -r -a flags < <(sed "s#@RW@#$work/rw#g" "${probe%.js}.flags")
    fi
    if [ "$mode" = default ]; then flags+=(--profile default); else flags+=(--allow-all); fi
    find "$work/rw" -mindepth 1 \( -perm /6000 -o -type l \) -printf '%M %p\n' | sort >"$work/planted.before"
    before=$(cd "$work/secret" && ls -la --time-style=full-iso . && sha256sum ./*)
    if [ "$shell" -eq 1 ]; then
      shell_run "${flags[@]}"
    else
      out=$(cd "$work/app" && env -i PATH=/usr/bin:/bin SECRET_TOKEN="$secret" \
        ${ASAN_OPTIONS:+"ASAN_OPTIONS=$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+"UBSAN_OPTIONS=$UBSAN_OPTIONS"} \
        SE_SECRET_DIR="$work/secret" timeout "$probe_timeout" "$bin" "${flags[@]}" probe.js "$work/secret" "$work/rw" 2>&1)
      rc=$?
    fi
    after=$(cd "$work/secret" && ls -la --time-style=full-iso . && sha256sum ./*)
    changed=0
    [ "$before" = "$after" ] || changed=1
    # nothing planted in the write grant for the host's tools to trip on:
    # no new setuid or setgid file, no new symlink (the OS wall makes none
    # there; a probe's setup may leave some of the host's)
    planted=$(find "$work/rw" -mindepth 1 \( -perm /6000 -o -type l \) -printf '%M %p\n' | sort |
      comm -13 "$work/planted.before" - | tr '\n' ' ')
    [ -z "$planted" ] || { changed=1; echo "        planted on the host: $planted"; }
    verdict=escaped
    if [ "$changed" -eq 0 ] && ! grep -q "$secret" <<<"$out"; then
      last=$(tail -n 1 <<<"$out")
      [ "$shell" -eq 0 ] || last=$(grep -vx undefined <<<"$out" | tail -n 1)
      if [ "$mode" = allow-all ] || { [ "$rc" -eq 0 ] && [ "$last" = "HELD" ]; }; then
        verdict=held
      fi
    fi
    label="$mode $name"
    [ "$shell" -eq 0 ] || label="shell $label"
    if [ "$verdict" = held ]; then
      echo "held    $label"
      pass=$((pass + 1))
    else
      echo "ESCAPED $label (exit $rc$([ "$changed" -eq 1 ] && echo ', secret folder changed'))"
      head -n 20 <<<"$out" | sed 's/^/        /'
      fail=$((fail + 1))
    fi
  done
done
if [ "$shell" -eq 1 ]; then
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
fi

# Limits: each ends the guest with its status, in time.
limit() {
  local label=$1 want=$2 max_s=$3
  shift 3
  local t0 t1 rc
  t0=$(date +%s%N)
  (cd "$work/app" && timeout 30 "$bin" "$@" >/dev/null 2>"$work/limit.err")
  rc=$?
  t1=$(date +%s%N)
  local ms=$(((t1 - t0) / 1000000))
  if [ "$rc" -eq "$want" ] && [ "$ms" -le $((max_s * 1000)) ] && ! grep -q "Fatal\|#" "$work/limit.err"; then
    echo "held    $label (exit $rc after $ms ms)"
    pass=$((pass + 1))
  else
    echo "ESCAPED $label (exit $rc after $ms ms, wanted $want)"
    head -n 5 "$work/limit.err" | sed 's/^/        /'
    fail=$((fail + 1))
  fi
}
limit "infinite loop, --timeout 1000 -> 124" 124 3 --allow-all --timeout 1000 -e 'for (;;) {}'
limit "busy loop, --cpu-time-limit 500 -> 124" 124 3 --allow-all --cpu-time-limit 500 -e 'for (;;) {}'
# a vm context runs in the same isolate: the run's limits stop it too, a
# vm timeout of its own longer than the run's included
limit "vm context loop, --timeout 1000 -> 124" 124 3 --allow-all --timeout 1000 -e 'require("vm").runInNewContext("for (;;) {}", {}, { timeout: 60000 })'
limit "vm context heap bomb, --memory-limit 64 -> 137" 137 20 --allow-all --memory-limit 64 -e 'require("vm").runInNewContext("const a = []; for (;;) a.push({ x: new Array(100).fill(1) })")'
limit "heap bomb, --memory-limit 64 -> 137" 137 20 --allow-all --memory-limit 64 -e 'const a = []; for (;;) a.push({ x: new Array(100).fill(1) })'
# the same budget: WebAssembly memories with the heap, Buffers with a heap that grows after them
limit "wasm memories past --memory-limit 64 -> 137" 137 20 --allow-all --memory-limit 64 -e 'const m = [new WebAssembly.Memory({ initial: 1000 }), new WebAssembly.Memory({ initial: 1000 })]; for (const x of m) new Uint8Array(x.buffer).fill(1); const a = []; for (;;) a.push({ i: a.length })'
limit "Buffers then heap past --memory-limit 64 -> 137" 137 20 --allow-all --memory-limit 64 -e 'const k = []; try { for (;;) k.push(Buffer.alloc(1 << 20, 1)) } catch {} const a = []; for (;;) a.push({ x: new Array(100).fill(1) })'

# A child's end is no limit of the run: nested guests (node granted) fill
# the run's cgroup and some are OOM-killed, the guest lives on and exits
# 137 of its own accord. --report must not say "memory" (it ended by the
# guest's choice), where the host gives runs a cgroup.
cat >"$work/app/oom.js" <<'EOF'
const cp = require('child_process');
let left = 7;
for (let i = 0; i < 7; i++) setTimeout(() => {
  const c = cp.spawn(process.execPath, ['-e', 'const a = []; try { for (let i = 0; i < 56; i++) a.push(Buffer.alloc(1 << 20, 1)); } catch {} setTimeout(() => {}, 3000)'], { stdio: 'ignore' });
  c.on('exit', () => { if (--left === 0) process.exitCode = 137; });
}, i * 150);
EOF
(cd "$work/app" && timeout 60 "$bin" --allow-run=node --memory-limit 64 --report "$work/report.json" oom.js >/dev/null 2>&1)
if ! grep -q '"peak_memory_source":"cgroup"' "$work/report.json" 2>/dev/null; then
  echo "skip    a child's OOM kill and the guest's own 137: no cgroup for runs on this host"
elif grep -q '"limit":"memory"' "$work/report.json"; then
  echo "ESCAPED a child's OOM kill and the guest's own 137: --report says the memory limit ended the run"
  fail=$((fail + 1))
else
  echo "held    a child's OOM kill and the guest's own 137: --report's limit is not memory"
  pass=$((pass + 1))
fi
rm -f "$work/app/oom.js" "$work/report.json"

# Fork bombs, with the programs they need granted: the run ends by itself
# (0), by --timeout (124) or by the memory budget (137), in time, and
# leaves nothing behind on the host: while it runs, the sandbox's pid
# namespace is found among the launcher's descendants; a moment after the
# run, no process may be left in it.
descendants() {
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2 }
    END { for (p in parent) { q = p; while (q in parent && q != root && q > 1) q = parent[q]; if (q == root && p != root) print p } }'
}
bomb() {
  local label=$1 max_s=$2
  shift 2
  local t0 t1 rc ms pid ns="" mine d p left=0 i
  mine=$(readlink /proc/self/ns/pid)
  t0=$(date +%s%N)
  (cd "$work/app" && exec timeout 60 "$bin" "$@" >/dev/null 2>"$work/limit.err") &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if [ -z "$ns" ]; then
      for d in $(descendants "$pid"); do
        p=$(readlink "/proc/$d/ns/pid" 2>/dev/null) || continue
        if [ -n "$p" ] && [ "$p" != "$mine" ]; then ns=$p; break; fi
      done
    fi
    sleep 0.1
  done
  wait "$pid"
  rc=$?
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
  if [ -n "$ns" ]; then
    for ((i = 0; i < 50; i++)); do
      left=0
      for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && left=$((left + 1))
      done
      [ "$left" -eq 0 ] && break
      sleep 0.1
    done
  fi
  if { [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && [ "$ms" -le $((max_s * 1000)) ] &&
    [ -n "$ns" ] && [ "$left" -eq 0 ] && timeout 5 true; then
    echo "held    $label (exit $rc after $ms ms)"
    pass=$((pass + 1))
  else
    echo "ESCAPED $label (exit $rc after $ms ms, sandbox ${ns:-not seen}, $left of its processes left)"
    head -n 5 "$work/limit.err" | sed 's/^/        /'
    fail=$((fail + 1))
  fi
}
bomb "fork bomb of nested guests, --allow-run=node --timeout 5000" 30 --profile default --allow-run=node --timeout 5000 -e '
const cp = require("child_process");
const me = "const cp = require(\"child_process\"); for (;;) { try { cp.spawn(process.execPath, [\"-e\", process.argv[1], process.argv[1]], { stdio: \"ignore\" }).on(\"error\", () => {}); } catch {} }";
for (;;) { try { cp.spawn(process.execPath, ["-e", me, me], { stdio: "ignore" }).on("error", () => {}); } catch {} }'
bomb "shell fork bomb, --allow-run=sh, the guest leaves after 3 s" 30 --profile default --allow-run=sh --timeout 10000 -e '
require("child_process").exec("b(){ b|b& };b", () => {});
setTimeout(() => process.exit(0), 3000);'
bomb "spawn loop of a granted program, --allow-run=sleep --timeout 3000" 30 --profile default --allow-run=sleep --timeout 3000 -e '
const cp = require("child_process");
(function more() { for (let i = 0; i < 50; i++) { try { cp.spawn("sleep", ["60"], { stdio: "ignore" }).on("error", () => {}); } catch {} } setImmediate(more); })();'

# The descriptor and /tmp size limits of a profile hold (with --allow-all
# the JS wall would let the guest go on).
printf '%s\n' 'fs.read = /app' 'fs.write = /tmp' 'limits.fds = 64' 'limits.tmpfs_mb = 8' >"$work/small.profile"
out=$(cd "$work/app" && timeout 30 "$bin" --profile "$work/small.profile" --allow-all -e '
const fs = require("fs");
const fds = [];
try { for (let i = 0; i < 1000; i++) fds.push(fs.openSync("/tmp/f" + (i % 4), "w")); console.log("fds: no limit"); } catch (e) { console.log("fds", e.code, fds.length < 64); }
for (const fd of fds) fs.closeSync(fd);
try { const mb = Buffer.alloc(1 << 20); for (let i = 0; i < 32; i++) fs.appendFileSync("/tmp/big", mb); console.log("tmpfs: no limit"); } catch (e) { console.log("tmpfs", e.code); }' 2>&1)
if [ "$out" = "fds EMFILE true
tmpfs ENOSPC" ]; then
  echo "held    limits.fds and limits.tmpfs_mb"
  pass=$((pass + 1))
else
  echo "ESCAPED limits.fds / limits.tmpfs_mb"
  sed 's/^/        /' <<<"$out" | head -n 5
  fail=$((fail + 1))
fi

# Output, inodes: with both walls (profile strict) and with the OS wall
# alone (--allow-all keeps strict's limits). The cap is on stdout and
# stderr together: past it the run ends with 153, at most the cap got out.
for mode in strict allow-all; do
  if [ "$mode" = strict ]; then mflags=(--profile strict); else mflags=(--allow-all); fi
  (cd "$work/app" && timeout 30 "$bin" "${mflags[@]}" -e '
const mb = Buffer.alloc(1 << 20, 0x6f);
let i = 0;
(function more() {
  while (i < 64) { i++; const out = i % 2 ? process.stdout : process.stderr; if (!out.write(mb)) { out.once("drain", more); return; } }
})();' >"$work/out.bin" 2>&1)
  rc=$?
  size=$(stat -c %s "$work/out.bin")
  # the cap, and the launcher's own line saying why
  if [ "$rc" -eq 153 ] && [ "$size" -le $(((16 << 20) + 200)) ] && grep -aq "output limit exceeded" "$work/out.bin"; then
    echo "held    $mode 64 MiB of output under a 16 MiB cap ($size bytes out, exit 153)"
    pass=$((pass + 1))
  else
    echo "ESCAPED $mode output cap (exit $rc, $size bytes out)"
    fail=$((fail + 1))
  fi
  rm -f "$work/out.bin"
  out=$(cd "$work/app" && timeout 60 "$bin" "${mflags[@]}" --allow-write=/tmp -e '
const fs = require("fs");
let n = 0;
try { for (; n < 400000; n++) fs.symlinkSync("x", "/tmp/l" + n); console.log("no inode cap"); }
catch (e) { console.log(e.code, n < 400000 ? "stopped" : "late"); }' 2>&1)
  if [ "$out" = "ENOSPC stopped" ]; then
    echo "held    $mode 400k symlinks in /tmp: the inode cap stops them"
    pass=$((pass + 1))
  else
    echo "ESCAPED $mode symlinks in /tmp: ${out:0:200}"
    fail=$((fail + 1))
  fi
  # standard input opened read-write by the host: writing 40 MiB to
  # descriptor 0 would pass the output cap (a terminal, or <>)
  printf 'host input\n' > "$work/stdin"
  out=$(cd "$work/app" && timeout 60 "$bin" "${mflags[@]}" -e '
const fs = require("fs"), line = "Y".repeat(1 << 20);
let n = 0;
try { for (; n < 40; n++) fs.writeSync(0, line); console.log("wrote", n); }
catch (e) { console.log(e.code, n); }' 2>&1 <> "$work/stdin")
  if [ "$out" = "EBADF 0" ] && [ "$(cat "$work/stdin")" = "host input" ]; then
    echo "held    $mode writes to descriptor 0 fail (EBADF), the host's file unchanged"
    pass=$((pass + 1))
  else
    echo "ESCAPED $mode writes to descriptor 0: ${out:0:200}; $(stat -c %s "$work/stdin") bytes in the file"
    fail=$((fail + 1))
  fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
