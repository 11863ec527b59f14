#!/usr/bin/env bash
# tests/integration/report.sh — --report FILE, the supervisor's record of
# how a run ended: one record per limit path (time with a busy loop and
# with a guest stuck in a native call, CPU, memory from the budget, output),
# a normal exit, an uncaught exception, the permission denials, the guest
# that forges a limit's status and line (told apart by the record), and
# hostile --report paths (refused with exit 125 before the guest runs).
# Every record is parsed with python3's json module. The cgroup's memory
# kill and seccomp's are native paths: tests/security/wall.sh checks their
# records. Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/report.sh [--bin PATH]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup report "$here/../../build/secure-exec-launch" "$@"

mkdir -p "$work/app" "$work/out" "$work/rw"
chmod 777 "$work/rw"
version=$("$bin" --version | awk '{print $2}')
rec="$work/out/record.json"

# run ARGS...: the launcher in the app folder with --report $rec; sets $rc, $err.
run() {
  rm -f "$rec"
  (cd "$work/app" && timeout 60 "$bin" --report "$rec" "$@" >"$work/.out" 2>"$work/.err")
  rc=$?
  err=$(cat "$work/.err")
}

# record NAME RC LINE FIELD=JSON...: the status is RC, stderr's last line
# is LINE ("" none), the record is one JSON object with every field of
# the schema, of its type, and these values (JSON literals).
record() {
  local name=$1 want_rc=$2 line=$3
  shift 3
  local why
  why=$( (python3 - "$rec" "$version" "$@" <<'EOF'
import json, sys
path, version, wants = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    with open(path) as f:
        text = f.read()
    r = json.loads(text)
except Exception as e:
    sys.exit(f"not JSON: {e}")
if not text.endswith("}\n") or text.count("\n") != 1:
    sys.exit("not one line")
types = {"version": str, "exit_code": int, "signal": (str, type(None)), "limit": str,
         "limit_claimed_by_guest": bool, "duration_ms": int, "cpu_ms": (int, type(None)),
         "peak_memory_bytes": (int, type(None)), "peak_memory_source": (str, type(None)),
         "denials_claimed_by_guest": (int, type(None)),
         "denials_by_domain_claimed_by_guest": (dict, type(None)), "error": (str, type(None))}
if set(r) != set(types):
    sys.exit(f"fields {sorted(r)}")
for k, t in types.items():
    if not isinstance(r[k], t) or (t is int and isinstance(r[k], bool)):
        sys.exit(f"{k} is {r[k]!r}")
if r["version"] != version:
    sys.exit(f"version {r['version']}")
if r["limit"] not in ("none", "time", "cpu", "memory", "output", "seccomp", "launcher"):
    sys.exit(f"limit {r['limit']}")
if r["duration_ms"] < 0 or (r["peak_memory_bytes"] or 1) <= 0:
    sys.exit("negative numbers")
if r["peak_memory_bytes"] is not None and r["peak_memory_source"] not in ("cgroup", "rusage"):
    sys.exit("peak_memory_source")
by = r["denials_by_domain_claimed_by_guest"]
if (by is None) != (r["denials_claimed_by_guest"] is None):
    sys.exit("denials by domain without the total, or the other way")
if by is not None and (sorted(by) != ["env", "fs", "net", "run"] or sum(by.values()) != r["denials_claimed_by_guest"]):
    sys.exit(f"denials by domain {by}")
for w in wants:
    k, v = w.split("=", 1)
    if r.get(k) != json.loads(v):
        sys.exit(f"{k} is {json.dumps(r.get(k))}, want {v}")
EOF
  ) 2>&1)
  local last
  last=$(tail -n 1 <<<"$err")
  if [ "$rc" -ne "$want_rc" ]; then
    bad "$name" "exit $rc, want $want_rc" "stderr: ${err:0:300}"
  elif [ -n "$line" ] && [ "$last" != "secure-exec-launch: $line" ]; then
    bad "$name" "last stderr line: $last" "want: secure-exec-launch: $line"
  elif [ -z "$line" ] && [[ $err == *"secure-exec-launch:"* ]]; then
    bad "$name" "a launcher line on stderr: ${err:0:300}"
  elif [ -n "$why" ]; then
    bad "$name" "$why" "record: $(cat "$rec" 2>/dev/null)"
  else
    ok "$name"
  fi
}

# ---- how runs end ----------------------------------------------------------------

run -e 'console.log("hi")'
record "normal exit: limit none, exit 0, no signal, no denial" 0 "" \
  limit='"none"' exit_code=0 signal=null limit_claimed_by_guest=false \
  denials_claimed_by_guest=0 error=null \
  denials_by_domain_claimed_by_guest='{"fs": 0, "net": 0, "env": 0, "run": 0}'
if [ "$(stat -c %a "$rec")" = 600 ]; then ok "the record is created 0600"; else bad "record mode" "$(stat -c %a "$rec")"; fi

run -e 'throw new Error("boom")'
record "uncaught exception: exit 1, limit none" 1 "" limit='"none"' exit_code=1 signal=null

run -e 'const fs = require("fs");
for (const p of ["/etc/shadow", "/root/x", "/var/log/y"]) try { fs.readFileSync(p); } catch {}'
record "three refused reads: denials_claimed_by_guest 3, all fs" 0 "" denials_claimed_by_guest=3 \
  denials_by_domain_claimed_by_guest='{"fs": 3, "net": 0, "env": 0, "run": 0}'

run -e 'const fs = require("fs");
try { fs.readFileSync("/etc/shadow"); } catch {}
require("net").connect(9, "192.0.2.1").on("error", () => {});
void process.env.HOME;'
record "refusals in three domains: fs, net and env counted apart" 0 "" denials_claimed_by_guest=3 \
  denials_by_domain_claimed_by_guest='{"fs": 1, "net": 1, "env": 1, "run": 0}'

run --timeout 300 -e 'for (;;) {}'
record "time (busy loop): the watchdog's claim, checked by the supervisor's clock" 124 \
  "time limit exceeded (300 ms)" limit='"time"' exit_code=124 limit_claimed_by_guest=true signal=null

run --timeout 400 -e 'require("crypto").pbkdf2Sync("pw", "salt", 1e7, 64, "sha512")' # at the profile's cap: seconds
record "time (stuck in pbkdf2Sync): the supervisor's kill, and its line" 124 \
  "time limit exceeded (400 ms)" limit='"time"' limit_claimed_by_guest=false signal='"SIGKILL"' \
  denials_claimed_by_guest=null denials_by_domain_claimed_by_guest=null

run --cpu-time-limit 300 -e 'for (;;) {}'
record "cpu: limit cpu, exit 124 and its line" 124 "CPU time limit exceeded (300 ms)" \
  limit='"cpu"' exit_code=124
if python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["cpu_ms"] < 300)' "$rec"; then
  ok "cpu: cpu_ms at least the limit"
else
  bad "cpu: cpu_ms" "$(cat "$rec")"
fi

run --memory-limit 32 -e 'const a = []; for (;;) a.push(new Array(1e5).fill(1))'
record "memory (the budget): the runtime's claim with 137" 137 \
  "memory limit exceeded (heap limit 32 MB)" limit='"memory"' limit_claimed_by_guest=true exit_code=137

cat >"$work/app/big.profile" <<'EOF'
limits.output_bytes = 65536
EOF
run --profile ./big.profile -e 'for (;;) process.stdout.write("x".repeat(4096))'
record "output: limit output, 153, the relay's kill" 153 \
  "output limit exceeded (65536 bytes on stdout and stderr together)" \
  limit='"output"' exit_code=153 signal='"SIGKILL"'

# ---- forged statuses -----------------------------------------------------------------

for pair in "137:memory limit exceeded (heap limit 128 MB)" "124:time limit exceeded (300 ms)" \
  "125:sandbox: cannot create namespaces" "153:output limit exceeded (1 bytes)" \
  "159:the guest made a system call the seccomp policy forbids"; do
  code=${pair%%:*} line=${pair#*:}
  run --timeout 30000 -e "process.stderr.write('secure-exec-launch: $line\n'); process.exitCode = $code"
  record "forged $code with its line: limit none, exit $code" "$code" "$line" \
    limit='"none"' exit_code="$code" limit_claimed_by_guest=false signal=null
done
run -e 'process.exitCode = 2 ** 32 + 124'
record "exitCode 2**32+124 is 124 (as node), limit none" 124 "" limit='"none"' exit_code=124
run -e 'process.exit(2 ** 32 + 137)'
record "process.exit(2**32+137) is 137 (as node), limit none" 137 "" limit='"none"' exit_code=137
run -e 'process.exitCode = 2 ** 53'
if [ "$rc" -eq 1 ] && [[ $err == *'It must be >= -9007199254740991 && <= 9007199254740991. Received 9_007_199_254_740_992'* ]]; then
  ok "exitCode 2**53 throws RangeError as node"
else
  bad "exitCode 2**53" "rc=$rc ${err:0:300}"
fi

# ---- hostile --report paths: 125 before the guest runs ---------------------------------

# refused NAME PATH WANT [ARGS...]: exit 125, one line naming WANT, no guest output.
refused() {
  local name=$1 path=$2 want=$3
  shift 3
  local out
  out=$(cd "$work/app" && timeout 30 "$bin" --report "$path" "$@" -e 'console.log("GUEST RAN")' 2>"$work/.err")
  rc=$?
  err=$(cat "$work/.err")
  if [ "$rc" -eq 125 ] && [ -z "$out" ] && [[ $err == "secure-exec-launch: --report "*"$want"* ]] &&
    [ "$(wc -l <"$work/.err")" -eq 1 ]; then
    ok "$name"
  else
    bad "$name" "rc=$rc out=$out" "err: $err"
  fi
}

echo target >"$work/out/target"
ln -sf "$work/out/target" "$work/out/link"
refused "a symlink is refused" "$work/out/link" "is a symbolic link"
[ "$(cat "$work/out/target")" = target ] && ok "the symlink's target is untouched" || bad "symlink target changed"
refused "a folder is refused" "$work/out" "is a folder"
refused "a folder with a trailing slash is refused" "$work/out/" "is a folder"
refused "a missing folder is refused" "$work/nope/r.json" "No such file or directory"
mkdir -p "$work/ro" && chmod 555 "$work/ro"
if [ "$(id -u)" -eq 0 ]; then
  refused "an unwritable path is refused" /sys/r.json "Permission denied"
  refused "a kernel interface file is refused" /proc/sys/kernel/hostname "a kernel interface file"
else
  refused "an unwritable path is refused" "$work/ro/r.json" "Permission denied"
fi
refused "the audit log's path is refused" "$work/out/audit.log" "the same file as --audit" \
  --audit "$work/out/audit.log"
ln -f "$work/out/audit.log" "$work/out/audit-hard" 2>/dev/null
refused "a hard link of the audit log is refused" "$work/out/audit-hard" "the same file as --audit" \
  --audit "$work/out/audit.log"
refused "a file inside a write grant is refused" "$work/rw/r.json" "inside the write grant" \
  --allow-write="$work/rw"
refused "a path below a granted folder's parent grant is refused" "$work/rw/r.json" \
  "inside the write grant $work" --allow-write="$work"
[ ! -e "$work/rw/r.json" ] && ok "no file is made in the grant" || bad "a file was made in the grant"
ln -f "$work/out/target" "$work/out/second" 2>/dev/null
refused "a file with another hard link is refused" "$work/out/second" "has other hard links"

# the private /tmp grant (default profile: fs.write = /tmp) is not the host's
run --profile default -e '0'
record "--profile default (fs.write = /tmp, the private one): a record in the host's folder" 0 "" limit='"none"'


# ---- the audit log's own path: the guest can neither read nor replace it,
# and a file someone else made beforehand is not appended to
# audit_refused NAME PATH WANT ARGS...: 125, one line, the guest never ran
audit_refused() {
  local name=$1 path=$2 want=$3
  shift 3
  local out
  out=$(cd "$work/app" && timeout 30 "$bin" --audit "$path" "$@" -e 'console.log("GUEST RAN")' 2>"$work/.err")
  rc=$?
  err=$(cat "$work/.err")
  if [ "$rc" -eq 125 ] && [ -z "$out" ] && [[ $err == "secure-exec-launch: --audit "*"$want"* ]] &&
    [ "$(wc -l <"$work/.err")" -eq 1 ]; then
    ok "$name"
  else
    bad "$name" "rc=$rc out=$out" "err: $err"
  fi
}
audit_refused "--audit in the app folder (the guest's /app) is refused" "$work/app/a.log" \
  "inside the app folder"
mkdir -p "$work/ro-grant"
audit_refused "--audit inside a read grant is refused" "$work/ro-grant/a.log" \
  "inside the read grant $work/ro-grant" --allow-read="$work/ro-grant"
[ ! -e "$work/app/a.log" ] && [ ! -e "$work/ro-grant/a.log" ] && ok "no log is made there" ||
  bad "a refused log was made"
install -m 0620 /dev/null "$work/out/gw.log"
audit_refused "--audit on a file others may write is refused" "$work/out/gw.log" "writable by others"
install -m 0600 /dev/null "$work/out/other.log"
chown 65534 "$work/out/other.log" 2>/dev/null
if [ "$(stat -c %u "$work/out/other.log")" = 65534 ]; then
  audit_refused "--audit on a file another user owns is refused" "$work/out/other.log" "owned by uid 65534"
  [ ! -s "$work/out/other.log" ] && ok "that file is untouched" || bad "the other user's file was written"
else
  ok "(not root: no file of another user's to try)"
fi
install -m 0600 /dev/null "$work/out/mine.log"
(cd "$work/app" && timeout 30 "$bin" --audit "$work/out/mine.log" -e '1') >/dev/null 2>&1 &&
  [ -s "$work/out/mine.log" ] && ok "--audit on one's own 0600 file is appended to" || bad "--audit on an own 0600 file"

summary
