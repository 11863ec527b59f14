#!/usr/bin/env bash
# tests/integration/serve.sh — `secure-exec-launch serve`, the sidecar
# (launcher/serve.c), from outside through its HTTP API on a unix socket
# and on TCP (tests/integration/serve_client.py): the health, readiness
# and metrics endpoints; runs of code and of an app's files, their exit
# codes and exports; streamed output (order, UTF-8 cut across writes,
# invalid bytes, a large output) and dropped output; stdin, argv, env; the
# request checks (400, 404, 405, 413, a malformed request line); the
# limits (time, memory, output from a profile file); one sandbox per run
# (nothing of a run is seen by the next); 429 and the queue; a sandbox
# killed from outside; a client that leaves mid-run; SIGHUP; the drain on
# SIGTERM; and a bounded load (no error, the server's memory and
# descriptors flat, no sandbox leaked). Prints ok/FAIL per check and
# "N passed, N failed".
#
# usage: tests/integration/serve.sh [--bin PATH]
#   SERVE_LOAD_N (default 2000) and SERVE_LOAD_CONC (default 50): the load.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup serve "$here/../../build/secure-exec-launch" "$@"
cd "$work" || exit 1

client=$here/serve_client.py
# the interpreter itself (a version manager's shim costs a shell per call)
py=$(python3 -c 'import sys; print(sys.executable)')
resp=$work/resp.json
load_n=${SERVE_LOAD_N:-2000}
load_conc=${SERVE_LOAD_CONC:-50}
pool=2 # per app: the main server has two apps

declare -A spid # server name -> pid
bg=()           # background clients

# descendants PID: every process below PID (children first).
descendants() {
  local c
  for c in $(pgrep -P "$1"); do
    echo "$c"
    descendants "$c"
  done
}

cleanup() {
  local p all=() left
  for p in "${bg[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${spid[@]}"; do
    kill -0 "$p" 2>/dev/null || continue
    all+=("$p")
    mapfile -t -O "${#all[@]}" all < <(descendants "$p")
  done
  if [ "${#all[@]}" -gt 0 ]; then
    kill -TERM "${spid[@]}" 2>/dev/null
    for _ in $(seq 50); do
      left=0
      for p in "${spid[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
      [ "$left" -eq 0 ] && break
      sleep 0.1
    done
    kill -KILL "${all[@]}" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME ADDR ARGS...: a server (its pid in spid[NAME], its log in NAME.log)
start() {
  local name=$1 addr=$2
  shift 2
  "$bin" serve --listen "$addr" "$@" >"$work/$name.log" 2>&1 &
  spid[$name]=$!
}

# call ADDR METHOD PATH [BODY] / run ADDR CODE [KEY=JSON]... / raw ADDR TEXT:
# the answer in $resp (serve_client.py)
call() { "$py" "$client" req "$@" >"$resp"; }
run() { "$py" "$client" run "$@" >"$resp"; }
raw() { "$py" "$client" raw "$@" >"$resp"; }

# expect NAME EXPR [FILE]: EXPR (serve_client.py check) holds for the answer
expect() {
  local why
  if why=$("$py" "$client" check "${3:-$resp}" "$2"); then ok "$1"; else bad "$1" "$why"; fi
}

# ready NAME ADDR: waits for the server to be ready (30 s); the readiness
# seen in $work/ready.NAME.json
ready() {
  "$py" "$client" ready "$2" 30 >"$work/ready.$1.json"
  "$py" "$client" check "$work/ready.$1.json" 'r["ready"]' >/dev/null
}

# members NAME: the server's --serve-member children
members() {
  local n=0 c
  for c in $(pgrep -P "${spid[$1]}"); do
    grep -qa -- --serve-member "/proc/$c/cmdline" 2>/dev/null && n=$((n + 1))
  done
  echo "$n"
}

# settle NAME N: waits (10 s) for the server to have N members; 0 when it does
settle() {
  for _ in $(seq 100); do
    [ "$(members "$1")" -eq "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# busy_guest NAME: the pid of the server's guest process (/sandbox/bin/node)
# that has used the most CPU (a guest running for(;;)), when it has used
# more than 0.3 s; nothing otherwise
busy_guest() {
  local p best="" most=0 t
  for p in $(descendants "${spid[$1]}"); do
    [ "$(tr -d '\0' <"/proc/$p/cmdline" 2>/dev/null)" = /sandbox/bin/node ] || continue
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) || continue
    [ -n "$t" ] && [ "$t" -gt "$most" ] && most=$t best=$p
  done
  [ "$most" -gt $(($(getconf CLK_TCK) * 3 / 10)) ] && echo "$best"
}
# wait_busy SERVER: up to 10 s for a guest of SERVER to burn CPU; sets guest
# (empty if none did).
wait_busy() {
  guest=
  for _ in $(seq 100); do
    guest=$(busy_guest "$1")
    [ -n "$guest" ] && return
    sleep 0.1
  done
}

# supervisor_of NAME PID: the server's child (a member's supervisor) above PID
supervisor_of() {
  local p=$2 up
  while [ -n "$p" ] && [ "$p" != 1 ]; do
    up=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)
    [ "$up" = "${spid[$1]}" ] && echo "$p" && return
    p=$up
  done
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
nfds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# wait_exit PID: up to 5 s for a server of ours to exit; rc is its status,
# empty if it is still running.
wait_exit() {
  rc=
  for _ in $(seq 50); do
    if ! kill -0 "$1" 2>/dev/null; then
      wait "$1"
      rc=$?
      return
    fi
    sleep 0.1
  done
}

# ---- the apps and a profile with a small output cap ----------------------------------

mkdir -p a b a/sub
cat >a/main.js <<'EOF'
module.exports = { app: "a", argv: process.argv.slice(1) };
EOF
cat >b/main.js <<'EOF'
const lib = require("./lib.js");
module.exports = { app: "b", lib, argv: process.argv.slice(1) };
EOF
echo 'module.exports = "lib of b";' >b/lib.js
echo 'module.exports = "index of a";' >a/index.js
echo 'module.exports = "sub of a";' >a/sub/x.js
chmod -R a+rX a b
sed 's/^limits\.output_bytes = .*/limits.output_bytes = 65536/' \
  "$here/../../profiles/strict.profile" >small.profile
grep -q '^limits.output_bytes = 65536$' small.profile || bad "small.profile" "no limits.output_bytes line to change"
chmod 644 small.profile

# an audit log the sandboxes could write to (a write grant covers it): the
# server does not start
mkdir -p w
rc=0
out=$(timeout 30 "$bin" serve --listen "unix:$work/bad.sock" --app "$work/a" \
  --allow-write="$work/w" --audit "$work/w/audit.log" 2>&1) || rc=$?
[ "$rc" -eq 125 ] && grep -q -- "--audit" <<<"$out" && [ ! -e "$work/bad.sock" ] &&
  ok "--audit inside a write grant: the server does not start (125)" ||
  bad "--audit inside a write grant" "rc $rc: $out"

S1=unix:$work/s1.sock
cap_ms=15000
start s1 "$S1" --app "a=$work/a" --app "b=$work/b" --profile strict \
  --profile "$work/small.profile" --profile default --pool $pool --timeout $cap_ms --max-body 65536

# ---- 1. health, readiness, metrics ------------------------------------------------------

if ready s1 "$S1"; then
  expect "readyz: 503 \"warming\" until the pool is warm, then 200 \"ready\"" \
    'all(s == [503, "warming\n"] for s in r["seen"][:-1] if s[0]) and r["seen"][-1] == [200, "ready\n"]' \
    "$work/ready.s1.json"
else
  bad "the server is not ready in 30 s" "$(cat "$work/ready.s1.json")" "$(tail -5 "$work/s1.log")"
  summary
  exit 1
fi
call "$S1" GET /healthz
expect "healthz: 200 \"ok\"" 'r["status"] == 200 and r["body"].strip() == "ok"'
[ "$(members s1)" -eq $((2 * pool)) ] && ok "the pool: $pool warm sandboxes per app" || bad "pool size" "$(members s1) members, want $((2 * pool))"

# ---- 2. runs of code ---------------------------------------------------------------------

run "$S1" 'module.exports = { n: 1, s: "é\u2028", a: [1, { b: null }], t: true, f: 1.5 }'
expect "code: 200, exit_code 0, exports deep-equal, duration_ms a number, limit null" \
  'r["status"] == 200 and j["exit_code"] == 0 and j["exports"] == {"n": 1, "s": "é\u2028", "a": [1, {"b": None}], "t": True, "f": 1.5} and type(j["duration_ms"]) in (int, float) and j["duration_ms"] >= 0 and j["limit"] is None and "exports_error" not in j'
expect "X-Request-Id is the result's id (16 hex digits)" \
  'h["x-request-id"] == j["id"] and len(j["id"]) == 16 and all(c in "0123456789abcdef" for c in j["id"])'
id1=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["json"]["id"])' "$resp")
run "$S1" '1'
expect "another run has another id" "j['id'] != '$id1'"

run "$S1" 'process.exitCode = 3'
expect "process.exitCode = 3: exit_code 3" 'r["status"] == 200 and j["exit_code"] == 3 and j["limit"] is None'
run "$S1" 'process.exit(7); console.log("not here")'
expect "process.exit(7): exit_code 7" 'r["status"] == 200 and j["exit_code"] == 7 and j["limit"] is None'
run "$S1" 'throw new Error("boom")' stdio='"stream"'
expect "an uncaught throw: exit_code 1, the error on stderr" \
  'r["status"] == 200 and last["exit_code"] == 1 and last["limit"] is None and "boom" in err'
run "$S1" 'module.exports = function f() {}'
expect "module.exports a function: exports null" \
  'r["status"] == 200 and j["exit_code"] == 0 and j["exports"] is None'
run "$S1" 'const a = { b: {} }; a.b.a = a; module.exports = a'
expect "module.exports a cycle: exports null with exports_error" \
  'r["status"] == 200 and j["exit_code"] == 0 and j["exports"] is None and isinstance(j["exports_error"], str) and j["exports_error"]'
run "$S1" 'import fs from "fs"; export const x = 1;'
expect "ESM code: exports null with exports_error" \
  'r["status"] == 200 and j["exports"] is None and isinstance(j["exports_error"], str) and j["exports_error"]'
run "$S1" 'module.exports = 10n'
expect "module.exports a BigInt: exports null with exports_error" \
  'r["status"] == 200 and j["exports"] is None and isinstance(j.get("exports_error"), str)'

# ---- 3. streamed and dropped output ------------------------------------------------------

run "$S1" 'for (let i = 1; i <= 5; i++) { console.log("o" + i); console.error("e" + i); }
setTimeout(() => { console.log("o6"); console.error("e6"); }, 50)' stdio='"stream"'
expect "stream: application/x-ndjson, chunked, X-Request-Id" \
  'r["status"] == 200 and "application/x-ndjson" in h["content-type"] and r["chunked"] and h["x-request-id"] == last["id"]'
expect "stream: stdout and stderr each in order, the result last" \
  'out == "".join(f"o{i}\n" for i in range(1, 7)) and err == "".join(f"e{i}\n" for i in range(1, 7)) and all(set(x) == {"stream", "data"} for x in L[:-1]) and "stream" not in last and last["exit_code"] == 0 and last["limit"] is None'
run "$S1" 'process.stdout.write(Buffer.from([0x61, 0xe2, 0x82]));
setTimeout(() => process.stdout.write(Buffer.from([0xac, 0x62, 0xf0, 0x9f])), 60);
setTimeout(() => process.stdout.write(Buffer.from([0x98, 0x80, 0x0a])), 120);' stdio='"stream"'
expect "stream: UTF-8 sequences cut across writes come out whole" \
  'r["body_utf8"] and out == "a\u20acb\U0001F600\n"'
run "$S1" 'process.stdout.write(Buffer.from([0x61, 0xff, 0x62, 0xc0, 0xaf, 0x63, 0xed, 0xa0, 0x80, 0x0a]));
process.stderr.write(Buffer.from([0x78, 0xe2, 0x82]))' stdio='"stream"'
expect "stream: invalid bytes come out as U+FFFD, the answer stays UTF-8" \
  'r["body_utf8"] and out == "a\ufffdb\ufffd\ufffdc\ufffd\ufffd\ufffd\n" and err[:2] == "x\ufffd" and set(err[1:]) == {"\ufffd"} and last["exit_code"] == 0'
run "$S1" 'process.stdout.write("x".repeat(1 << 20)); process.stdout.write("END\n")' stdio='"stream"'
expect "stream: 1 MiB of output arrives complete" \
  'r["status"] == 200 and out == "x" * (1 << 20) + "END\n" and last["exit_code"] == 0 and last["limit"] is None'
run "$S1" 'process.stdout.write("x".repeat(1 << 20)); console.error("y"); module.exports = 5'
expect "drop (the default): the output is discarded, the result alone" \
  'r["status"] == 200 and "application/json" in h["content-type"] and len(r["body"]) < 400 and j["exports"] == 5 and j["exit_code"] == 0'
run "$S1" 'console.log("dropped")' stdio='"drop"'
expect "stdio \"drop\" given: no output in the answer" \
  'r["status"] == 200 and "dropped" not in r["body"] and j["exit_code"] == 0'

# ---- 4. stdin, argv, env -------------------------------------------------------------------

run "$S1" 'let d = ""; process.stdin.setEncoding("utf8");
process.stdin.on("data", (c) => (d += c)).on("end", () => process.stdout.write("[" + d + "]"))' \
  stdio='"stream"' stdin='"line 1\nligne 2 é\n"'
expect "stdin is the job's stdin (echoed back)" 'out == "[line 1\nligne 2 é\n]" and last["exit_code"] == 0'
run "$S1" 'let n = 0; process.stdin.on("data", (c) => (n += c.length)).on("end", () => console.log("eof", n))' \
  stdio='"stream"'
expect "no stdin: an empty stdin that ends" 'out == "eof 0\n"'
run "$S1" 'module.exports = process.argv.slice(1)' argv='["x", "y z", ""]'
expect "argv after the filename: process.argv[1] is /app/index.js" \
  'j["exports"] == ["/app/index.js", "x", "y z", ""]'
run "$S1" 'module.exports = [process.argv[1], __filename, require.main === module]' filename='"sub/run.js"' argv='["q"]'
expect "filename sub/run.js: process.argv[1] and __filename are /app/sub/run.js" \
  'j["exports"] == ["/app/sub/run.js", "/app/sub/run.js", True]'
run "$S1" 'module.exports = { v: process.env.SE_T === undefined, keys: Object.keys(process.env).length }' \
  env='{"SE_T": "v1"}'
expect "env under strict (no --allow-env): the variable is hidden" \
  'j["exports"] == {"v": True, "keys": 0}'

# a second server, on TCP, with --allow-env
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
S2=127.0.0.1:$port
start s2 "$S2" --app "$work/a" --pool 1 --allow-env --audit "$work/audit.log"
if ready s2 "$S2"; then
  call "$S2" GET /healthz
  expect "TCP: healthz 200" 'r["status"] == 200 and r["body"] == "ok\n"'
  run "$S2" 'module.exports = [process.env.SE_T, process.env.SE_U, process.env.HOME === undefined]' \
    env='{"SE_T": "v1", "SE_U": "ü=2"}'
  expect "TCP, --allow-env: the request's env is visible, the server's is not" \
    'r["status"] == 200 and j["exports"] == ["v1", "ü=2", True] and h["x-request-id"] == j["id"]'
  run "$S2" '-' file='"main.js"'
  expect "TCP: the default app (named after its folder) runs its file" \
    'j["exports"] == {"app": "a", "argv": ["/app/main.js"]}'
  # --audit: the run's lines carry its request's id, from the guest and
  # from the supervisor, after a line of the sandbox's own that names it
  # (three runs: the guest's first line may come before the supervisor
  # has the id, which its relay then waits for)
  rids=()
  for _ in 1 2 3; do
    run "$S2" 'try { require("fs").readFileSync("/etc/shadow"); } catch {} module.exports = 1'
    rids+=("$("$py" -c 'import json, sys; print(json.loads(json.load(open(sys.argv[1]))["body"])["id"])' "$resp")")
  done
  for rid in "${rids[@]}"; do
    for _ in $(seq 50); do
      grep -q "\"run\":\"$rid\",\"domain\":\"audit\",\"op\":\"end\"" "$work/audit.log" 2>/dev/null && break
      sleep 0.1
    done
  done
  if "$py" - "$work/audit.log" "${rids[@]}" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
for rid in sys.argv[2:]:
    job = [l for l in lines if l["domain"] == "audit" and l["op"] == "job" and l["target"] == rid]
    mine = [l for l in lines if l["run"] == rid]
    denied = [l for l in mine if l["domain"] == "fs" and l["target"] == "/etc/shadow" and l["allow"] is False]
    ends = [l for l in mine if l["domain"] == "audit" and l["op"] == "end"]
    dropped = [l for l in mine if l["domain"] == "audit" and l["op"] == "dropped"]
    if not (len(job) == 1 and job[0]["run"] != rid and len(denied) == 1 and len(ends) == 1 and not dropped):
        sys.exit(f"{rid}: job {job} denied {denied} ends {ends} dropped {dropped}")
EOF
  then
    ok "--audit: the run's lines carry its request id: the supervisor's job line names it, the guest's refusal, the end"
  else
    bad "--audit: request ids ${rids[*]}" "$(tail -8 "$work/audit.log")"
  fi
else
  bad "the TCP server is not ready in 30 s" "$(tail -5 "$work/s2.log")"
fi

# ---- 5. files of named apps ------------------------------------------------------------------

run "$S1" '-' app='"b"' file='"main.js"' argv='["1"]'
expect "app b, file main.js: runs b/main.js (and its require), its exports" \
  'r["status"] == 200 and j["exit_code"] == 0 and j["exports"] == {"app": "b", "lib": "lib of b", "argv": ["/app/main.js", "1"]}'
run "$S1" '-' file='"main.js"'
expect "no app named: the first (a)" 'j["exports"] == {"app": "a", "argv": ["/app/main.js"]}'
run "$S1" '-' app='"a"' file='"sub/x.js"'
expect "a file in a subfolder of the app" 'j["exports"] == "sub of a"'
run "$S1" 'module.exports = require("./sub/x.js")' app='"a"'
expect "code may require the app's files" 'j["exports"] == "sub of a"'
run "$S1" '-' app='"b"' file='"nope.js"'
expect "a missing file: an error of the run (exit 1), not of the server" \
  'r["status"] == 200 and j["exit_code"] != 0'
run "$S1" '-' app='"c"' file='"main.js"'
expect "an unknown app: 400" 'r["status"] == 400 and isinstance(j["error"], str) and "app" in j["error"]'
for f in '../x' '../b/main.js' 'sub/../main.js' '/etc/passwd' './main.js' 'sub/' ''; do
  run "$S1" '-' file="\"$f\""
  expect "file \"$f\": 400" 'r["status"] == 400 and isinstance(j["error"], str)'
done
run "$S1" '1' filename='"../x.js"'
expect "filename \"../x.js\": 400" 'r["status"] == 400 and isinstance(j["error"], str)'

# ---- 6. bad requests -------------------------------------------------------------------------

# bad400 NAME BODY: POST /v1/run with BODY is a 400 with an error string
bad400() {
  call "$S1" POST /v1/run "$2"
  expect "400: $1" 'r["status"] == 400 and "application/json" in h["content-type"] and isinstance(j["error"], str) and j["error"] and set(j) == {"error"}'
}
bad400 "malformed JSON" '{"code": "1"'
bad400 "an empty body" ''
bad400 "JSON then garbage" '{"code": "1"} x'
bad400 "a duplicate field" '{"code": "1", "code": "2"}'
for v in '[1]' '"x"' '42' 'null' 'true'; do bad400 "a non-object: $v" "$v"; done
bad400 "an unknown field" '{"code": "1", "bogus": 1}'
for f in 'code: 1' 'code: null' 'file: 1' 'filename: 1' 'app: 1' 'app: null' 'profile: []' \
  'timeout_ms: "100"' 'timeout_ms: 1.5' 'timeout_ms: 0' 'timeout_ms: -1' 'timeout_ms: true' \
  'memory_mb: "64"' 'memory_mb: 64.5' 'memory_mb: 15' 'env: []' 'env: "A=1"' 'env: {"A": 1}' \
  'env: {"": "x"}' 'env: {"A=B": "x"}' 'stdin: 1' 'stdin: null' 'stdio: "both"' 'stdio: 1' \
  'argv: "x"' 'argv: [1]' 'argv: {}'; do
  k=${f%%:*} v=${f#*: }
  if [ "$k" = code ]; then body="{\"code\": $v}"; else body="{\"code\": \"1\", \"$k\": $v}"; fi
  bad400 "wrong type or value: $f" "$body"
done
bad400 "a NUL in code" '{"code": "1\u0000"}'
bad400 "code and file both" '{"code": "1", "file": "main.js"}'
bad400 "neither code nor file" '{"argv": []}'
bad400 "timeout_ms over the cap ($cap_ms)" "{\"code\": \"1\", \"timeout_ms\": $((cap_ms + 1))}"
bad400 "memory_mb over the cap (128)" '{"code": "1", "memory_mb": 129}'
bad400 "an unknown profile" '{"code": "1", "profile": "dev"}'
"$py" -c 'import json; print(json.dumps({"code": "//" + "x" * 70000}))' >big.json
call "$S1" POST /v1/run @big.json
expect "a body over --max-body (65536): 413" 'r["status"] == 413 and isinstance(j["error"], str)'
# the body announced past the cap: answered 413, and what follows the head
# is not read as a request of its own
raw "$S1" 'POST /v1/run HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
expect "Content-Length over --max-body on a kept-alive connection: 413, the body not taken as a request" \
  'r["status"] == 413 and not any(a["status"] == 404 for a in r["more"])'
raw "$S1" 'POST /v1/run HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n'"$(head -c 65536 /dev/zero | tr '\0' ' ')"'\r\n10\r\n{"code": "1"}   \r\n0\r\n\r\n'
expect "a chunked body over --max-body: 413" 'r["status"] == 413'
call "$S1" GET /v2/run
expect "an unknown path: 404" 'r["status"] == 404 and isinstance(j["error"], str)'
call "$S1" GET /v1/run
expect "GET /v1/run: 405, Allow: POST" 'r["status"] == 405 and isinstance(j["error"], str) and h["allow"] == "POST"'
call "$S1" POST /healthz '{}'
expect "POST /healthz: 405" 'r["status"] == 405'
raw "$S1" 'GARBAGE\r\n\r\n'
expect "a malformed request line: 400" 'r["status"] == 400'
raw "$S1" 'GET /healthz HTTP/x.1\r\nHost: x\r\n\r\n'
expect "a malformed HTTP version: 400" 'r["status"] == 400'
raw "$S1" "GET /healthz HTTP/1.1\\r\\nHost: x\\r\\nX-Big: $(head -c 9000 /dev/zero | tr '\0' a)\\r\\n\\r\\n"
expect "a head over 8 KiB: 413" 'r["status"] == 413'
raw "$S1" 'POST /v1/run HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n{"code":"1"}GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
expect "a body longer than its Content-Length: 400, and the rest is not taken as a request" \
  'r["status"] == 400 and all(a["status"] == 400 for a in r["more"]) and r["closed"]'
raw "$S1" 'HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
expect "HEAD /healthz: 200 with no body (the next answer follows its head at once)" \
  'r["status"] == 200 and r["received"].split("\r\n\r\n")[1].startswith("HTTP/1.1 200")'
call "$S1" GET /healthz
expect "after the bad requests the server still answers healthz" 'r["status"] == 200'
run "$S1" 'module.exports = "still"'
expect "after the bad requests the server still runs code" 'r["status"] == 200 and j["exports"] == "still"'

# keep-alive: three requests on one connection, the last with Connection: close
raw "$S1" 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nPOST /v1/run HTTP/1.1\r\nHost: x\r\nContent-Length: 31\r\n\r\n{"code":"module.exports = 42"}\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
expect "keep-alive: three pipelined requests answered in order (200, 200 with 42, 404), then the close" \
  'r["status"] == 200 and r["body"] == "ok\n" and [a["status"] for a in r["more"]] == [200, 404] and r["more"][0]["json"]["exports"] == 42 and r["closed"]'

# ---- 7. limits -----------------------------------------------------------------------------------

run "$S1" 'for (;;) {}' timeout_ms=300
expect "timeout_ms 300 with for(;;): limit \"timeout\", exit 124, in time" \
  'r["status"] == 200 and j["limit"] == "timeout" and j["exit_code"] == 124 and 250 <= j["duration_ms"] < 5000'
run "$S1" 'setTimeout(() => {}, 5000)' timeout_ms=300 stdio='"stream"'
expect "timeout_ms 300 with a pending timer: limit \"timeout\" (streamed)" \
  'r["status"] == 200 and last["limit"] == "timeout" and last["exit_code"] == 124'
run "$S1" 'const a = []; for (;;) a.push(new Array(1e5).fill(1))' memory_mb=24
expect "memory_mb 24 with an allocation loop: limit \"memory\"" \
  'r["status"] == 200 and j["limit"] == "memory" and j["exit_code"] == 137'
run "$S1" 'module.exports = 24' memory_mb=24
expect "memory_mb 24: a small run is fine" 'r["status"] == 200 and j["exports"] == 24 and j["limit"] is None'
run "$S1" 'for (;;) process.stdout.write("x".repeat(4096))' profile="\"$work/small.profile\""
expect "a profile file with limits.output_bytes = 65536: limit \"output\"" \
  'r["status"] == 200 and j["limit"] == "output" and j["exit_code"] == 153'
run "$S1" 'for (;;) process.stdout.write("x".repeat(4096))' profile="\"$work/small.profile\"" stdio='"stream"'
expect "limit \"output\" streamed: no more than the cap comes out" \
  'r["status"] == 200 and last["limit"] == "output" and len(out) <= 65536'
run "$S1" 'module.exports = "small"' profile="\"$work/small.profile\""
expect "the profile file: a run within its cap" 'j["exports"] == "small" and j["limit"] is None'
call "$S1" GET /metrics
expect "metrics: requests_total, the duration histogram, pool_ready, limits_total" \
  'r["status"] == 200 and all(s in r["body"] for s in ["# TYPE secure_exec_requests_total counter", "secure_exec_requests_total{status=\"200\"} ", "secure_exec_requests_total{status=\"400\"} ", "# TYPE secure_exec_run_duration_seconds histogram", "secure_exec_run_duration_seconds_bucket{le=\"+Inf\"} ", "secure_exec_run_duration_seconds_sum ", "secure_exec_run_duration_seconds_count ", "# TYPE secure_exec_pool_ready gauge", "\nsecure_exec_pool_ready ", "secure_exec_limits_total{kind=\"timeout\"} "])'
metric() { "$py" - "$resp" "$1" <<'EOF'
import json, sys
for line in json.load(open(sys.argv[1]))["body"].splitlines():
    if line.startswith(sys.argv[2] + " "):
        print(line.split()[-1])
EOF
}
t=$(metric 'secure_exec_limits_total{kind="timeout"}')
m=$(metric 'secure_exec_limits_total{kind="memory"}')
o=$(metric 'secure_exec_limits_total{kind="output"}')
s400=$(metric 'secure_exec_requests_total{status="400"}')
inf=$(metric 'secure_exec_run_duration_seconds_bucket{le="+Inf"}')
cnt=$(metric 'secure_exec_run_duration_seconds_count')
[ "${t:-0}" -ge 2 ] && [ "${m:-0}" -ge 1 ] && [ "${o:-0}" -ge 2 ] && [ "${s400:-0}" -ge 40 ] &&
  [ -n "$inf" ] && [ "$inf" = "$cnt" ] && [ "${cnt:-0}" -ge 30 ] &&
  ok "metrics count the limits, the 400s and the runs ($t timeout, $m memory, $o output, $s400 400s, $cnt runs)" ||
  bad "metrics counts" "timeout $t memory $m output $o 400s $s400 +Inf $inf count $cnt"
# denials by domain: a run refused two reads and a variable moves fs by 2 and env by 1
fs0=$(metric 'secure_exec_denials_total{domain="fs"}')
env0=$(metric 'secure_exec_denials_total{domain="env"}')
net0=$(metric 'secure_exec_denials_total{domain="net"}')
run "$S1" 'const fs = require("fs"); for (const p of ["/etc/shadow", "/root/x"]) try { fs.readFileSync(p); } catch {}
module.exports = process.env.HOME === undefined'
# counted from the sandbox's record, which comes after the answer
for _ in $(seq 50); do
  call "$S1" GET /metrics
  fs1=$(metric 'secure_exec_denials_total{domain="fs"}')
  env1=$(metric 'secure_exec_denials_total{domain="env"}')
  net1=$(metric 'secure_exec_denials_total{domain="net"}')
  [ $((fs1 - fs0)) -ge 2 ] && break
  sleep 0.1
done
# (at least: an earlier run's record may still come in)
[ -n "$fs0" ] && [ $((fs1 - fs0)) -ge 2 ] && [ $((env1 - env0)) -ge 1 ] &&
  ok "metrics: denials by domain (fs +$((fs1 - fs0)), env +$((env1 - env0)), net +$((net1 - net0)))" ||
  bad "metrics: denials by domain" "fs $fs0 -> $fs1, env $env0 -> $env1, net $net0 -> $net1"

# ---- 8. one sandbox per run ------------------------------------------------------------------------

run "$S1" 'globalThis.x = 1; Array.prototype.polluted = 1;
require("fs").writeFileSync("/tmp/f", "1"); process.env.Y = "1";
setInterval(() => console.log("tick"), 20); console.log("set")' timeout_ms=600 stdio='"stream"' \
  profile='"default"'
expect "run 1 (profile default: /tmp writable) sets a global, a prototype, /tmp/f, process.env.Y and leaves an interval" \
  'r["status"] == 200 and out.startswith("set\ntick\n") and last["limit"] == "timeout"'
run "$S1" 'setTimeout(() => console.log(JSON.stringify([typeof globalThis.x, [].polluted,
  require("fs").existsSync("/tmp/f"), process.env.Y])), 200)' stdio='"stream"' profile='"default"'
expect "run 2 sees none of them (no global, prototype, file, variable or tick)" \
  'r["status"] == 200 and out == "[\"undefined\",null,false,null]\n" and last["exit_code"] == 0'

# ---- 9. the kill of a sandbox from outside ----------------------------------------------------------

"$py" "$client" run "$S1" 'for (;;) {}' timeout_ms=10000 >kill.json &
bg+=($!)
kc=$!
wait_busy s1
if [ -n "$guest" ]; then
  t0=$(date +%s%N)
  kill -KILL "$guest"
  wait "$kc"
  secs=$((($(date +%s%N) - t0) / 1000000))
  got=$("$py" -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["status"], r["body"].strip()[:200])' kill.json 2>&1)
  # "500 when a sandbox dies without a result"; a 200 only with the limit
  # that ended it (a 200 with limit null would read as the guest's own exit)
  expect "a guest SIGKILLed from outside: its request answered 500 (or 200 with a limit) in ${secs} ms: $got" \
    "r['status'] == 500 and isinstance(j['error'], str) or r['status'] == 200 and j['limit'] is not None" kill.json
  [ "$secs" -lt 4000 ] && ok "that answer came within 4 s" || bad "the killed run's answer took $secs ms"
  run "$S1" 'module.exports = "after kill"'
  expect "the next request: 200" 'r["status"] == 200 and j["exports"] == "after kill"'
else
  bad "kill test: no busy guest found" "$(descendants "${spid[s1]}" | xargs -r ps -o pid,ppid,args -p)"
  wait "$kc"
fi
settle s1 $((2 * pool)) && ok "after the kill: the pool is back to $pool per app" || bad "after the kill: $(members s1) members"

# the supervisor itself killed from outside: that request only
"$py" "$client" run "$S1" 'for (;;) {}' timeout_ms=10000 >kill2.json &
bg+=($!)
kc=$!
wait_busy s1
sup=$(supervisor_of s1 "$guest")
if [ -n "$sup" ]; then
  kill -KILL "$sup"
  wait "$kc"
  expect "a supervisor SIGKILLed from outside: its request answered 500" "r['status'] == 500" kill2.json
  gone=no
  for _ in $(seq 50); do
    kill -0 "$guest" 2>/dev/null || { gone=yes && break; }
    sleep 0.1
  done
  [ "$gone" = yes ] && ok "the killed supervisor's guest is gone" || bad "the killed supervisor's guest $guest still runs"
else
  bad "supervisor kill test: no supervisor found for guest '$guest'"
  wait "$kc"
fi
settle s1 $((2 * pool)) && ok "after the supervisor's kill: the pool is back to $pool per app" || bad "after the supervisor's kill: $(members s1) members"

# ---- 10. a client that leaves mid-run -----------------------------------------------------------------

"$py" "$client" abandon "$S1" '{"code": "for (;;) {}", "timeout_ms": 10000}' 2 &
bg+=($!)
ac=$!
wait_busy s1
[ -n "$guest" ] && ok "the abandoned run is running (guest $guest)" || bad "abandon: no busy guest found"
wait "$ac"
gone=no
for _ in $(seq 50); do
  if [ -z "$guest" ] || ! kill -0 "$guest" 2>/dev/null; then gone=yes && break; fi
  sleep 0.1
done
[ "$gone" = yes ] && ok "the client left: its sandbox is gone within 5 s" || bad "the abandoned guest $guest still runs"
settle s1 $((2 * pool)) && ok "the client left: the pool is back to $pool per app" || bad "after the abandon: $(members s1) members"
call "$S1" GET /metrics
expect "the client left: no run is active" '"\nsecure_exec_runs_active 0\n" in r["body"]'
run "$S1" 'module.exports = "after abandon"'
expect "the server keeps serving" 'r["status"] == 200 and j["exports"] == "after abandon"'

# ---- SIGHUP: the idle sandboxes are remade -----------------------------------------------------------

before=$(pgrep -P "${spid[s1]}" | sort | tr '\n' ' ')
kill -HUP "${spid[s1]}"
sleep 0.2
# a second SIGHUP while the first one's sandboxes are being made
before="$before $(pgrep -P "${spid[s1]}" | sort | tr '\n' ' ')"
kill -HUP "${spid[s1]}"
sleep 0.3
ready s1 "$S1"
# a sandbox still being made at the SIGHUP is closed once ready, not used
for _ in $(seq 100); do
  settle s1 $((2 * pool))
  after=$(pgrep -P "${spid[s1]}" | sort | tr '\n' ' ')
  common=$(comm -12 <(tr ' ' '\n' <<<"$before" | sort) <(tr ' ' '\n' <<<"$after" | sort) | grep -c .)
  [ "$common" -eq 0 ] && break
  sleep 0.1
done
[ "$common" -eq 0 ] && [ "$(members s1)" -eq $((2 * pool)) ] && ok "SIGHUP twice: $((2 * pool)) new idle sandboxes, none made before the second" ||
  bad "SIGHUP" "before: $before" "after: $after"
run "$S1" 'module.exports = "after hup"'
expect "SIGHUP: the server still runs code" 'r["status"] == 200 and j["exports"] == "after hup"'

# ---- 11. 429 and the queue ---------------------------------------------------------------------------

slow='{"code": "setTimeout(() => { module.exports = \"slow\" }, 1500)"}'
S3=unix:$work/s3.sock
start s3 "$S3" --app "$work/a" --pool 1 --max-concurrent 1 --queue 0
if ready s3 "$S3"; then
  "$py" "$client" overlap "$S3" "$slow" '{"code": "module.exports = 2"}' >"$resp"
  expect "--max-concurrent 1 --queue 0: a second request while one runs is 429 with Retry-After" \
    'r["active_seen"] and A[1]["status"] == 429 and isinstance(A[1]["json"]["error"], str) and A[1]["headers"]["retry-after"].isdigit()'
  expect "--queue 0: the slow run itself: 200" 'A[0]["status"] == 200 and A[0]["json"]["exports"] == "slow"'
  run "$S3" 'module.exports = 3'
  expect "--queue 0: after it, 200 again" 'r["status"] == 200 and j["exports"] == 3'
else
  bad "s3 not ready" "$(tail -5 "$work/s3.log")"
fi
kill -TERM "${spid[s3]}"
wait "${spid[s3]}"

S4=unix:$work/s4.sock
start s4 "$S4" --app "$work/a" --pool 1 --max-concurrent 1 --queue 1
if ready s4 "$S4"; then
  "$py" "$client" overlap "$S4" "$slow" '{"code": "module.exports = \"queued\""}' \
    '{"code": "module.exports = 3"}' >"$resp"
  expect "--queue 1: the second request waits and gets 200" \
    'r["active_seen"] and A[1]["status"] == 200 and A[1]["json"]["exports"] == "queued" and A[1]["sent"] + A[1]["seconds"] > A[0]["seconds"] - 0.2'
  expect "--queue 1: a third request while one runs and one waits is 429" 'A[2]["status"] == 429'
  expect "--queue 1: the slow run: 200" 'A[0]["status"] == 200 and A[0]["json"]["exports"] == "slow"'

  # ---- 12. drain on SIGTERM ----
  s4_tree=$(descendants "${spid[s4]}")
  t0=$(date +%s%N)
  "$py" "$client" overlap "$S4" --signal "${spid[s4]}" \
    '{"code": "setTimeout(() => { module.exports = \"drained\" }, 1000)"}' '{"code": "1"}' >"$resp"
  expect "SIGTERM: the run under way is answered 200" \
    'r["active_seen"] and A[0]["status"] == 200 and A[0]["json"]["exports"] == "drained"'
  expect "SIGTERM: a request after it is refused (no connection, or 503)" \
    'A[1]["status"] in (None, 503)'
  wait_exit "${spid[s4]}"
  secs=$((($(date +%s%N) - t0) / 1000000))
  [ "$rc" = 0 ] && ok "SIGTERM: the server exits 0 (${secs} ms after the signal)" ||
    bad "SIGTERM: the server's exit" "status '${rc:-still running}' after $secs ms" "$(tail -5 "$work/s4.log")"
  [ ! -e "$work/s4.sock" ] && ok "SIGTERM: the socket file is removed" || bad "the socket file is left"
  left=
  for _ in $(seq 30); do
    left=
    for p in $s4_tree; do
      st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)
      [ -n "$st" ] && [ "$st" != Z ] && left+=" $p"
    done
    [ -z "$left" ] && break
    sleep 0.1
  done
  [ -z "$left" ] && ok "SIGTERM: every process of the server is gone" ||
    bad "SIGTERM: processes left:$left" "$(ps -o pid,ppid,stat,args -p "${left# }" 2>&1)"
else
  bad "s4 not ready" "$(tail -5 "$work/s4.log")"
fi

# ---- 12b. the server as pid 1 (a container's entry point) --------------------------------------------
# A supervisor killed from outside leaves its sandbox's first process to
# the pid namespace's init: the server, which must wait for it.
S5=unix:$work/s5.sock
unshare --pid --fork --mount-proc --kill-child "$bin" serve --listen "$S5" --pool 1 >"$work/s5.log" 2>&1 &
upid=$!
bg+=($upid)
s5=
for _ in $(seq 50); do
  s5=$(pgrep -P "$upid")
  [ -n "$s5" ] && break
  sleep 0.1
done
spid[s5]=$s5
if [ -n "$s5" ] && ready s5 "$S5"; then
  for round in 1 2; do
    "$py" "$client" run "$S5" 'for (;;) {}' timeout_ms=10000 >kill3.json &
    bg+=($!)
    kc=$!
    wait_busy s5
    sup=$(supervisor_of s5 "$guest")
    [ -n "$sup" ] && kill -KILL "$sup"
    wait "$kc"
  done
  expect "pid 1: a supervisor SIGKILLed from outside: 500" "r['status'] == 500" kill3.json
  zombies=x
  for _ in $(seq 50); do
    zombies=$(for c in $(pgrep -P "$s5"); do awk '$3 == "Z" {print $1}' "/proc/$c/stat" 2>/dev/null; done)
    [ -z "$zombies" ] && break
    sleep 0.1
  done
  [ -z "$zombies" ] && ok "pid 1: the killed supervisors' sandboxes are waited for (no zombie under the server)" ||
    bad "pid 1: zombies under the server: $zombies" "$(ps -o pid,ppid,stat,args --ppid "$s5" 2>&1)"
  run "$S5" 'module.exports = "after"'
  expect "pid 1: the next request: 200" 'r["status"] == 200 and j["exports"] == "after"'
else
  bad "s5 (pid 1) not ready" "$(tail -5 "$work/s5.log")"
fi
kill -KILL "$upid" 2>/dev/null
wait "$upid" 2>/dev/null
unset 'spid[s5]'

# ---- 13. a bounded load -------------------------------------------------------------------------------

kill -TERM "${spid[s2]}" 2>/dev/null
wait "${spid[s2]}" 2>/dev/null
body='{"code": "module.exports = 1 + 1"}'
"$py" "$client" load "$S1" 200 "$load_conc" "$body" >warm.json
expect "load warm-up: 200 requests, all 200" 'r["statuses"] == {"200": 200} and r["bad"] == 0 and r["transport_errors"] == 0' warm.json
settle s1 $((2 * pool))
rss0=$(rss_kb "${spid[s1]}")
fd0=$(nfds "${spid[s1]}")
"$py" "$client" load "$S1" "$load_n" "$load_conc" "$body" >load.json
expect "load: $load_n requests, $load_conc at once: all 200, exit 0, unique ids" \
  "r['statuses'] == {'200': $load_n} and r['bad'] == 0 and r['transport_errors'] == 0 and r['unique_ids'] == $load_n" load.json
# a request that was not a 200: what the server said of it
grep -q '"200": '"$load_n"'}' load.json ||
  grep -v '"GET /\|listening' "$work/s1.log" | tail -n 8 | sed 's/^/     server: /'
settle s1 $((2 * pool))
rss1=$(rss_kb "${spid[s1]}")
fd1=$(nfds "${spid[s1]}")
lsecs=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' load.json)
[ "$rss1" -le $((rss0 + 8192)) ] && ok "load: the server's RSS stays flat (${rss0} -> ${rss1} kB; $lsecs s)" ||
  bad "load: the server's RSS grew" "${rss0} -> ${rss1} kB"
[ "$fd1" -le $((fd0 + 10)) ] && ok "load: the server's descriptors stay flat ($fd0 -> $fd1)" ||
  bad "load: the server's descriptors grew" "$fd0 -> $fd1" "$(ls -l "/proc/${spid[s1]}/fd" | tail -20)"
[ "$(members s1)" -eq $((2 * pool)) ] && ok "load: no sandbox leaked ($((2 * pool)) members)" ||
  bad "load: $(members s1) members, want $((2 * pool))"
call "$S1" GET /metrics
expect "load: no run active, no sandbox ending, the pool ready" \
  "'\\nsecure_exec_runs_active 0\\n' in r['body'] and '\\nsecure_exec_sandboxes_ending 0\\n' in r['body'] and '\\nsecure_exec_pool_ready $((2 * pool))\\n' in r['body']"

# the main server drains too (a SIGTERM it had before this one was sent by
# someone else: the checks above that failed then are not the server's)
if grep -q 'SIGTERM' "$work/s1.log"; then
  bad "the main server was sent SIGTERM from outside this script during the run"
fi
kill -TERM "${spid[s1]}"
wait_exit "${spid[s1]}"
[ "$rc" = 0 ] && [ ! -e "$work/s1.sock" ] && ok "the main server exits 0 on SIGTERM and removes its socket" ||
  bad "the main server's exit" "status '${rc:-still running}'"

summary
