#!/usr/bin/env bash
# tests/integration/launch.sh — what the launcher promises before the guest
# runs and when it ends, through the real binary: write grants of every
# shape (a folder, a file, a file to be made, a missing path, below /tmp)
# never lose a write, grants compose with "*" and --print-profile says
# where each value came from, profile values the launcher cannot honour
# are refused with FILE:LINE, each limit ends with its line and status,
# and the command line's mistakes are said as such.
# Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/launch.sh [--bin PATH]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup launch "$here/../../build/secure-exec-launch" "$@"

# the guest is an unprivileged user outside (nobody when run as root): the
# folders it writes must be writable by others
mkdir -p "$work/app" "$work/out" "$work/cfg"
chmod 777 "$work/out"
echo secret >"$work/cfg/c.txt"
chmod -R a+rX "$work/app" "$work/cfg"

# app_run ARGS...: run from the app folder, set rc, out, err
app_run() {
  (cd "$work/app" && timeout -k 5 30 "$bin" "$@") >"$work/stdout" 2>"$work/stderr" </dev/null
  rc=$?
  out=$(cat "$work/stdout")
  err=$(cat "$work/stderr")
}

# launcher_error NAME WANT_ERR ARGS...: 125, nothing on stdout, stderr
# exactly the one line WANT_ERR
launcher_error() {
  local name=$1 want=$2
  shift 2
  app_run "$@"
  if [ "$rc" -eq 125 ] && [ -z "$out" ] && [ "$err" = "$want" ]; then
    ok "$name"
  else
    bad "$name" "exit $rc, want 125" "stdout: ${out:0:200}" "stderr: ${err:0:400}" "want:   $want"
  fi
}

# ---- 1. write grants: nothing lost, ever -------------------------------------

write='const fs = require("fs"); const [f, t] = process.argv.slice(1); fs.writeFileSync(f, t); console.log("wrote", f)'

app_run --allow-write="$work/out" -e "$write" "$work/out/a.txt" folder
if [ "$rc" -eq 0 ] && [ "$(cat "$work/out/a.txt" 2>/dev/null)" = folder ]; then
  ok "a folder grant: the file lands on the host"
else
  bad "folder grant" "exit $rc" "stderr: ${err:0:300}"
fi

echo old >"$work/out/existing.txt"
chmod 666 "$work/out/existing.txt"
app_run --allow-write="$work/out/existing.txt" -e "$write" "$work/out/existing.txt" replaced
if [ "$rc" -eq 0 ] && [ "$(cat "$work/out/existing.txt")" = replaced ]; then
  ok "a file grant: the file is written on the host"
else
  bad "file grant" "exit $rc" "stderr: ${err:0:300}"
fi

app_run --allow-write="$work/out/new.txt" -e "$write" "$work/out/new.txt" created
if [ "$rc" -eq 0 ] && [ "$(cat "$work/out/new.txt" 2>/dev/null)" = created ]; then
  ok "a grant of a file to be made, its folder there: the guest creates it on the host"
else
  bad "new file grant" "exit $rc" "stderr: ${err:0:300}"
fi

app_run --allow-write="$work/out/unused.txt" -e 'console.log("no write")'
if [ "$rc" -eq 0 ] && [ ! -e "$work/out/unused.txt" ]; then
  ok "a file to be made that the guest leaves alone is not left behind"
else
  bad "unused new file" "exit $rc, exists: $([ -e "$work/out/unused.txt" ] && echo yes || echo no)"
fi

app_run --allow-write="$work/out/empty.txt" -e 'require("fs").writeFileSync(process.argv[1], "")' "$work/out/empty.txt"
if [ "$rc" -eq 0 ] && [ -f "$work/out/empty.txt" ]; then
  ok "a file to be made that the guest truncates stays (empty, as written)"
else
  bad "empty new file" "exit $rc" "stderr: ${err:0:300}"
fi

# the issue's case: the folder does not exist; the guest would make it in
# its private /tmp, print success and exit 0, and the file would be gone
mkdir_write='const fs = require("fs"); fs.mkdirSync(process.argv[1], { recursive: true }); fs.writeFileSync(process.argv[1] + "/result.txt", "x"); console.log("success")'
launcher_error "a missing folder below /tmp: 125 before the guest runs" \
  "secure-exec-launch: --allow-write=$work/x/newout: $work/x/newout does not exist on the host, nor its folder $work/x: create it first (mkdir -p $work/x/newout); a write grant is never the sandbox's private /tmp" \
  --allow-write="$work/x/newout" -e "$mkdir_write" "$work/x/newout"
if [ ! -e "$work/x" ]; then ok "a refused grant creates nothing"; else bad "refused grant left $work/x"; fi

launcher_error "a missing folder named with a trailing '/': 125" \
  "secure-exec-launch: --allow-write=$work/out/sub/: the folder $work/out/sub does not exist on the host: create it first (mkdir -p $work/out/sub); a write grant is never the sandbox's private /tmp" \
  --allow-write="$work/out/sub/" -e 1
launcher_error "a file named as a folder: 125" \
  "secure-exec-launch: --allow-write=$work/out/a.txt/: $work/out/a.txt is not a folder (a trailing '/' names one)" \
  --allow-write="$work/out/a.txt/" -e 1

printf 'fs.read = /app\nfs.write = %s/y/z\n' "$work" >"$work/w.profile"
launcher_error "a profile's missing write grant: 125 with FILE:LINE" \
  "secure-exec-launch: $work/w.profile:2: $work/y/z does not exist on the host, nor its folder $work/y: create it first (mkdir -p $work/y/z); a write grant is never the sandbox's private /tmp" \
  --profile "$work/w.profile" -e 1

# a grant outside /tmp, and /tmp's own grant still the private one
vt=$(mktemp -d /var/tmp/launch.XXXXXX)
chmod 777 "$vt"
app_run --allow-write="$vt/n.txt" -e "$write" "$vt/n.txt" vartmp
if [ "$rc" -eq 0 ] && [ "$(cat "$vt/n.txt" 2>/dev/null)" = vartmp ]; then ok "a file to be made outside /tmp"; else bad "outside /tmp" "exit $rc" "stderr: ${err:0:300}"; fi
rm -rf "$vt"
app_run --allow-write=/tmp -e 'require("fs").writeFileSync("/tmp/launch-private-probe", "x"); console.log("ok")'
if [ "$rc" -eq 0 ] && [ ! -e /tmp/launch-private-probe ]; then ok "a grant of /tmp itself is the private /tmp"; else bad "/tmp grant" "exit $rc"; fi

# A launch that fails on a later grant leaves no file made for an earlier
# one; a file to be made whose folder is named through a symlink is refused
# (the launcher, root here, would make it wherever the link points); a
# list with an empty entry is a mistake said as such.
rm -f "$work/out/early.txt"
launcher_error "a failed launch keeps no file it made for an earlier grant" \
  "secure-exec-launch: --allow-write=$work/out/early.txt,$work/none/x: $work/none/x does not exist on the host, nor its folder $work/none: create it first (mkdir -p $work/none/x); a write grant is never the sandbox's private /tmp" \
  --allow-write="$work/out/early.txt,$work/none/x" -e 1
if [ -e "$work/out/early.txt" ]; then bad "early.txt left behind" "$(ls -la "$work/out")"; else ok "nothing left behind by the failed launch"; fi
mkdir -p "$work/victim"
ln -sfn victim "$work/via-link"
launcher_error "a file to be made through a symlinked folder is refused" \
  "secure-exec-launch: --allow-write=$work/via-link/f.txt: the folder of $work/via-link/f.txt goes through a symbolic link (it is $work/victim): name the file by its real path" \
  --allow-write="$work/via-link/f.txt" -e 1
if [ -e "$work/victim/f.txt" ]; then bad "a file was made through the link"; else ok "no file made through the link"; fi
launcher_error "an empty entry in a grant list" \
  "secure-exec-launch: --allow-write=$work/out,,/y: an empty entry in '$work/out,,/y' (a stray comma?)" \
  --allow-write="$work/out,,/y" -e 1
# the audit log and the report are never where the guest may write
launcher_error "--audit inside a write grant is refused" \
  "secure-exec-launch: --audit $work/out/audit.log: inside the write grant $work/out, where the guest could replace it; choose a path outside the write grants" \
  --audit "$work/out/audit.log" --allow-write="$work/out" -e 1
ln -sfn "$work/elsewhere.log" "$work/link.log"
launcher_error "--audit through a symlink is refused" \
  "secure-exec-launch: --audit $work/link.log: is a symbolic link (the log is never written through one)" \
  --audit "$work/link.log" -e 1

# ---- 2. grants compose --------------------------------------------------------

read_cfg="console.log(require('fs').readFileSync('$work/cfg/c.txt', 'utf8').trim())"
for flags in "--allow-all" "--profile dev" "--allow-read"; do
  # shellcheck disable=SC2086 # the flags split on purpose
  app_run $flags --allow-read="$work/cfg" -e "$read_cfg"
  if [ "$rc" -eq 0 ] && [ "$out" = secret ]; then
    ok "$flags with --allow-read=PATH shows PATH"
  else
    bad "$flags with --allow-read=PATH" "exit $rc: $out" "stderr: ${err:0:300}"
  fi
done

app_run --allow-all --allow-read="$work/cfg" --print-profile
want_read="fs.read = *,/app,$work/cfg
#   * from --allow-all
#   /app from strict.profile:3
#   $work/cfg from --allow-read=$work/cfg"
if [ "$rc" -eq 0 ] && [[ $out == *"$want_read"* ]]; then
  ok "--print-profile: every grant and where it came from"
else
  bad "--print-profile grants" "${out:0:600}"
fi

printf '%s\n' '# only a grant' 'fs.read = /app' >"$work/min.profile"
app_run --profile "$work/min.profile" --timeout 900 --print-profile
if [ "$rc" -eq 0 ] &&
  [[ $out == *"limits.tmpfs_mb = 64
#   from the default (the profile leaves the key out)"* ]] &&
  [[ $out == *"limits.timeout_ms = 900
#   from --timeout"* ]] &&
  [[ $out == *"fs.read = /app
#   /app from $work/min.profile:2"* ]] &&
  [[ $out == *"sandbox.namespaces = user, mount, pid, net, ipc, uts, cgroup
#   from the default"* ]] &&
  [[ $out == *"crypto.max_pbkdf2_iterations = 10000000
#   from the default"* ]]; then
  ok "--print-profile: defaults of keys left out, options and FILE:LINE"
else
  bad "--print-profile origins" "${out:0:900}"
fi

# a crypto cap from the profile: at the cap the call runs, past it the
# RangeError names the key; nested guests inherit the caps
printf '%s\n' 'fs.read = /app' 'run.allow = node' 'crypto.max_pbkdf2_iterations = 1000' \
  'crypto.max_prime_bits = 64' >"$work/caps.profile"
app_run --profile "$work/caps.profile" --print-profile
if [[ $out == *"crypto.max_prime_bits = 64
#   from $work/caps.profile:4"* ]]; then ok "--print-profile: a crypto cap and its line"
else bad "--print-profile crypto cap" "${out:0:900}"; fi
app_run --profile "$work/caps.profile" -e '
const c = require("crypto");
const t = (f) => { try { return String(f().length) } catch (e) { return `${e.code} ${e.message}` } };
console.log(t(() => c.pbkdf2Sync("p", "s", 1000, 8, "sha256")));
console.log(t(() => c.pbkdf2Sync("p", "s", 1001, 8, "sha256")));
console.log(t(() => c.generatePrimeSync(65)));
console.log(require("child_process").execFileSync(process.execPath,
  ["-e", "try { require(\"crypto\").generatePrimeSync(65) } catch (e) { console.log(e.code) }"]).toString().trim());'
want='8
ERR_OUT_OF_RANGE The value of "iterations" is out of range. It must be <= 1000 (the sandbox profile'"'"'s crypto.max_pbkdf2_iterations). Received 1001
ERR_OUT_OF_RANGE The value of "size" is out of range. It must be <= 64 (the sandbox profile'"'"'s crypto.max_prime_bits). Received 65
ERR_OUT_OF_RANGE'
if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then ok "crypto caps from the profile, in nested guests too"
else bad "crypto caps" "rc=$rc ${out:0:600} ${err:0:300}"; fi

# ---- 5. limits: each one's line and status ---------------------------------------

# limit NAME STATUS LINE ARGS...
limit() {
  local name=$1 want_rc=$2 want_line=$3
  shift 3
  app_run "$@"
  if [ "$rc" -eq "$want_rc" ] && [ "$(tail -n 1 <<<"$err")" = "$want_line" ]; then
    ok "$name"
  else
    bad "$name" "exit $rc, want $want_rc" "stderr: ${err:0:300}" "want last line: $want_line"
  fi
}
limit "wall clock: 124 and its line" 124 "secure-exec-launch: time limit exceeded (300 ms)" \
  --timeout 300 -e 'for (;;) {}'
limit "CPU time: 124 and its line" 124 "secure-exec-launch: CPU time limit exceeded (300 ms)" \
  --cpu-time-limit 300 -e 'for (;;) {}'
limit "memory: 137 and its line" 137 "secure-exec-launch: memory limit exceeded (heap limit 24 MB)" \
  --memory-limit 24 -e 'const a = []; for (;;) a.push({ x: new Array(100).fill(1) })'
printf '%s\n' 'fs.read = /app' 'limits.output_bytes = 10' >"$work/out.profile"
limit "output: 153 and its line" 153 \
  "secure-exec-launch: output limit exceeded (10 bytes on stdout and stderr together)" \
  --profile "$work/out.profile" -e 'console.log("x".repeat(100))'
for mb in 1 8 16 23; do
  launcher_error "--memory-limit $mb: below the minimum, 125" \
    "secure-exec-launch: --memory-limit: '$mb' is not a size in MB (24 to 1048576)" \
    --memory-limit "$mb" -e 'console.log("ok")'
done
app_run --memory-limit 24 -e 'console.log("ok")'
if [ "$rc" -eq 0 ] && [ "$out" = ok ]; then ok "--memory-limit 24, the minimum, runs"; else bad "--memory-limit 24" "exit $rc" "${err:0:300}"; fi

# ---- 6. profiles mean what they say ----------------------------------------------

# profile_error NAME LINE WANT_TAIL: the key on line 2 of a profile
profile_error() {
  local name=$1 line=$2 want=$3
  printf 'fs.read = /app\n%s\n' "$line" >"$work/p.profile"
  launcher_error "$name" "secure-exec-launch: $work/p.profile:2: $want" --profile "$work/p.profile" -e 'console.log("ran")'
}
profile_error "sandbox.namespaces = (empty) refused" "sandbox.namespaces =" \
  "sandbox.namespaces: leaves out user, mount, pid, ipc, uts, cgroup: the sandbox always makes the user, mount, pid, ipc, uts and cgroup namespaces (list them all, or leave the key out)"
profile_error "sandbox.namespaces = mount refused" "sandbox.namespaces = mount" \
  "sandbox.namespaces: leaves out user, pid, ipc, uts, cgroup: the sandbox always makes the user, mount, pid, ipc, uts and cgroup namespaces (list them all, or leave the key out)"
profile_error "limits.tmpfs_mb = 0 refused" "limits.tmpfs_mb = 0" \
  "limits.tmpfs_mb: '0' is too small: at least 1 MB"
profile_error "limits.heap_mb = 0 refused" "limits.heap_mb = 0" \
  "limits.heap_mb: '0' is too small: at least 24 MB"
profile_error "sandbox.seccomp = dev refused" "sandbox.seccomp = dev" \
  "sandbox.seccomp: no seccomp policy named 'dev' (strict, default)"
profile_error "a bad seccomp name with FILE:LINE" "sandbox.seccomp = Str!ct" \
  "sandbox.seccomp: no seccomp policy named 'Str!ct' (strict, default)"
profile_error "limits.fds = 3 refused at parse time" "limits.fds = 3" \
  "limits.fds: '3' is too small: at least 16 (0: no limit)"
profile_error "net.allow = URL refused" "net.allow = http://example.com" \
  "net.allow: 'http://example.com' is a URL: give host or host:port (here 'example.com'), not a scheme or a path"

printf '%s\n' 'fs.read = /app, /tmp' 'limits.tmpfs_mb = 2' 'limits.fds = 16' >"$work/small.profile"
app_run --profile "$work/small.profile" -e 'const s = require("fs").statfsSync("/tmp"); console.log(s.blocks * s.bsize)'
if [ "$rc" -eq 0 ] && [ "$out" = $((2 << 20)) ]; then
  ok "limits.tmpfs_mb = 2 is the /tmp the guest gets; limits.fds = 16 runs"
else
  bad "tmpfs_mb honoured" "exit $rc: $out" "stderr: ${err:0:300}"
fi

# ---- 7. the command line ----------------------------------------------------------

launcher_error "--allow-reads=/tmp is an unknown option" \
  "secure-exec-launch: unknown option '--allow-reads' (did you mean --allow-read? see --help)" \
  --allow-reads=/tmp -e 1
launcher_error "--allow-net=URL explained" \
  "secure-exec-launch: --allow-net=http://example.com: 'http://example.com' is a URL: give host or host:port (here 'example.com'), not a scheme or a path" \
  --allow-net=http://example.com -e 1
launcher_error "--allow-net=CIDR with host bits explained" \
  "secure-exec-launch: --allow-net=10.0.0.1/8: '10.0.0.1/8' has address bits past /8 (the range is 10.0.0.0/8)" \
  --allow-net=10.0.0.1/8 -e 1
launcher_error "--allow-net=127.1 explained" \
  "secure-exec-launch: --allow-net=127.1: '127.1' is not a canonical IPv4 address: write it as four decimal numbers, A.B.C.D" \
  --allow-net=127.1 -e 1
launcher_error "--profile -e: --profile needs a value" \
  "secure-exec-launch: option '--profile' needs a value, not the option '-e' (write --profile=VALUE for a value that is an option's name)" \
  --profile -e 'console.log(1)'

mkdir -p "$work/app/sub"
echo 'console.log("sub", __filename)' >"$work/app/sub/s.js"
echo 'console.log("top", __filename)' >"$work/app/s.js"
chmod -R a+rX "$work/app"
(cd "$work/app/sub" && "$bin" --app .. s.js) >"$work/stdout" 2>"$work/stderr"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$work/stdout")" = "sub /app/sub/s.js" ]; then
  ok "a relative script is the current folder's, not --app's"
else
  bad "relative script" "exit $rc: $(cat "$work/stdout")" "$(cat "$work/stderr")"
fi
(cd "$work" && "$bin" --app app app/sub/s) >"$work/stdout" 2>"$work/stderr"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$work/stdout")" = "sub /app/sub/s.js" ]; then ok "a script named without .js, as node finds it"; else bad "script without .js" "exit $rc: $(cat "$work/stderr")"; fi
launcher_error "a missing script: 125 and one line" \
  "secure-exec-launch: nope.js: no such script ($work/app/nope.js)" nope.js

# ---- 10. check and --help -----------------------------------------------------------

app_run --help
if [ "$rc" -eq 0 ] && grep -q "^       secure-exec-launch check \[--json\]" <<<"$out"; then ok "--help names check"; else bad "--help check" "${out:0:300}"; fi
app_run check
if grep -q "^user namespaces *yes *required " <<<"$out" && grep -q "^landlock *[a-z]* *optional " <<<"$out" &&
  grep -q "^required: without it the launcher refuses to run (exit 125" <<<"$out" &&
  grep -q "^optional: without it runs go on" <<<"$out"; then
  ok "check says which walls are required and what a missing one means"
else
  bad "check text" "${out:0:900}"
fi

# ---- 11. a launcher killed from outside takes its sandbox along ---------------------
# (the kernel forgets a parent-death signal when credentials change: the
# sandbox's processes set theirs again once their ids are final)

for kind in idle busy; do
  code='setInterval(() => {}, 1000)'
  [ "$kind" = busy ] && code='for (;;) {}'
  (cd "$work/app" && exec "$bin" -e "$code") >/dev/null 2>&1 </dev/null &
  lpid=$!
  guests=
  for _ in $(seq 100); do
    guests=$(for p in $(pgrep -P "$lpid"); do for q in $(pgrep -P "$p"); do echo "$p $q"; done; done)
    [ -n "$guests" ] && break
    sleep 0.1
  done
  sleep 0.3
  kill -KILL "$lpid"
  wait "$lpid" 2>/dev/null
  left=x
  for _ in $(seq 50); do
    left=
    for p in $guests; do
      st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)
      [ -n "$st" ] && [ "$st" != Z ] && left+=" $p"
    done
    [ -z "$left" ] && break
    sleep 0.1
  done
  if [ -n "$guests" ] && [ -z "$left" ]; then
    ok "a launcher SIGKILLed with its guest $kind: the sandbox's processes end with it"
  else
    bad "a launcher SIGKILLed ($kind guest): left:${left:- (none found: '$guests')}" "$(ps -o pid,ppid,stat,args -p "${left# }" 2>&1)"
    for p in $left; do kill -KILL "$p" 2>/dev/null; done
  fi
done

summary
