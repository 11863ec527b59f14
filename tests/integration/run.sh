#!/usr/bin/env bash
# tests/integration/run.sh — the CLI contract of docs/SPEC.md against the real
# binary: output of -e against `node -e`, exit statuses (guest, 1, 124, 137,
# 125), stderr shapes, stdio ordering and volume, and that exit cannot be
# caught. Prints ok/FAIL per check and "N passed, N failed"; exit 1 on any
# failure. Nothing is skipped: no binary is a failure.
#
# usage: tests/integration/run.sh [--bin PATH]
# env: INTEGRATION_TIMEOUT seconds per launcher run (default 30)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin="$root/build/secure-exec-launch"
limit=${INTEGRATION_TIMEOUT:-30}

die() { echo "integration: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --bin) [ $# -ge 2 ] || die "--bin needs a path"; bin=$2; shift 2 ;;
    --bin=*) bin=${1#--bin=}; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
case $bin in
  */*) [[ $bin == /* ]] || bin="$PWD/$bin" ;;
  *) bin=$(command -v -- "$bin" || true) ;;
esac
if [ -z "$bin" ] || [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
  die "no launcher at ${bin:-(not found)} (run make first)"
fi
# what the guest's output is compared with: Node 22.14.0 (make deps)
here_root=$(cd "$(dirname "$0")/../.." && pwd -P)
ref=${MATRIX_NODE:-$here_root/build/node22/bin/node}
[ -x "$ref" ] || die "no reference node at $ref (run make deps)"
node() { "$ref" "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/integration.XXXXXX")
# the guest is an unprivileged user outside the sandbox: what it is shown
# must be readable (and, for write grants, writable) by others
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
cd "$work"
pass=0
fail=0

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() {
  echo "FAIL $1"
  shift
  for line in "$@"; do echo "     $line"; done
  fail=$((fail + 1))
}

# se ARGS...: the launcher under the time limit (stdio left to the caller)
se() { timeout -k 5 "$limit" "$bin" "$@"; }

# run ARGS...: sets rc, out, err (trailing newlines stripped)
run() {
  rc=0
  se "$@" > "$work/out" 2> "$work/err" < /dev/null || rc=$?
  out=$(< "$work/out")
  err=$(< "$work/err")
}

# expect_rc NAME WANT ARGS...
expect_rc() {
  local name=$1 want=$2
  shift 2
  run "$@"
  if [ "$rc" -eq "$want" ]; then ok "$name"; else bad "$name" "exit $rc, want $want" "stderr: ${err:0:300}"; fi
}

# ---- output equals node -e --------------------------------------------------

same_as_node() {
  local name=$1 code=$2
  local want
  want=$(node -e "$code" 2>/dev/null) || true
  run -e "$code"
  if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then ok "$name"; else bad "$name" "got:  $out" "want: $want" "stderr: ${err:0:300}"; fi
}
same_as_node "-e console.log of mixed values" 'console.log(1+1, {a:[1,{b:2}]}, new Map([[1,2]]))'
same_as_node "-e nested and circular" 'const o={x:{y:{z:{w:1}}}}; o.self=o; console.log(o, [o.x], new Set(["a"]))'
same_as_node "-e util.format" 'console.log("%s=%d %j", "n", 42, {a:1}, "extra")'
same_as_node "-e argv without arguments" 'console.log(process.argv.length, process.argv.slice(1))'

code='console.log(process.argv.length, process.argv.slice(1))'
want=$(node -e "$code" -- a 'b c' --x -e) || true
run -e "$code" -- a 'b c' --x -e
if [ "$rc" -eq 0 ] && [ "$out" = "$want" ] && [ "$out" = "5 [ 'a', 'b c', '--x', '-e' ]" ]; then
  ok "-e with guest arguments after --"
else
  bad "-e with guest arguments after --" "got:  $out" "want: $want"
fi

# ---- exit statuses ----------------------------------------------------------

expect_rc "natural end is 0" 0 -e 'let x = 1'
expect_rc "process.exit(3) is 3" 3 -e 'process.exit(3)'
expect_rc "process.exitCode = 9 is 9" 9 -e 'process.exitCode = 9'
expect_rc "unhandled rejection is 1" 1 -e 'Promise.reject(1)'
expect_rc "uncaught in a timer is 1" 1 -e 'setTimeout(() => { throw new Error("late") }, 1)'
expect_rc "wall-clock limit is 124" 124 --timeout 200 -e 'for (;;) {}'
expect_rc "wall-clock limit while idle is 124" 124 --timeout 200 -e 'setInterval(() => {}, 1000)'
expect_rc "memory limit is 137" 137 --memory-limit 32 -e 'const a = []; for (;;) a.push(new Array(1e5).fill(1))'
# Buffers are in the same budget: retaining past it is a RangeError the guest
# catches, and the process stays under the budget + the young generation (48 MB).
run --memory-limit 64 -e 'const k = []; try { for (;;) k.push(Buffer.alloc(1 << 20, 1)) } catch (e) { console.log(e.message, k.length < 64, process.memoryUsage().rss < (64 + 48) * 2 ** 20) }'
if [ "$rc" -eq 0 ] && [ "$out" = "Array buffer allocation failed true true" ]; then
  ok "Buffers past --memory-limit: a RangeError, caught, resident memory < budget + 48 MB"
else
  bad "Buffers past --memory-limit" "exit $rc: $out" "stderr: ${err:0:300}"
fi

run -e "throw new Error('x')"
if [ "$rc" -eq 1 ] && grep -q '^Error: x$' <<<"$err" && grep -q '^    at ' <<<"$err"; then
  ok "throw: exit 1, 'Error: x' and a stack on stderr"
else
  bad "throw: exit 1, 'Error: x' and a stack on stderr" "exit $rc" "stderr: ${err:0:400}"
fi
if grep -q '^\[eval\]:1$' <<<"$err" && grep -q '^\^' <<<"$err"; then
  ok "throw: Node's location header (file:line, source, caret)"
else
  bad "throw: Node's location header" "stderr: ${err:0:400}"
fi

# ES modules: a SyntaxError in an imported module and an error thrown while
# one runs get Node's header too; a main module left awaiting ends with 13
mkdir -p "$work/esm"
printf '%s\n' "import './bad.mjs';" > "$work/esm/main.mjs"
printf '%s\n' 'const a = 1;' 'export default (;' > "$work/esm/bad.mjs"
printf '%s\n' 'console.log(1);' 'throw new Error("boom");' > "$work/esm/throws.mjs"
printf '%s\n' 'console.log("waiting");' 'await new Promise(() => {});' > "$work/esm/tla.mjs"
chmod -R a+rX "$work/esm"
run --app "$work/esm" "$work/esm/main.mjs"
if [ "$rc" -eq 1 ] && [ "$(head -n 3 <<<"$err")" = "file:///app/bad.mjs:2
export default (;
                ^" ] && grep -q "^SyntaxError: Unexpected token ';'$" <<<"$err"; then
  ok "ESM SyntaxError: exit 1 with Node's header"
else
  bad "ESM SyntaxError" "exit $rc" "stderr: ${err:0:400}"
fi
run --app "$work/esm" "$work/esm/throws.mjs"
if [ "$rc" -eq 1 ] && [ "$out" = 1 ] && [ "$(head -n 1 <<<"$err")" = "file:///app/throws.mjs:2" ] &&
   grep -q '^Error: boom$' <<<"$err"; then
  ok "ESM throw: exit 1 with Node's header"
else
  bad "ESM throw" "exit $rc" "stderr: ${err:0:400}"
fi
run --app "$work/esm" "$work/esm/tla.mjs"
if [ "$rc" -eq 13 ] && [ "$out" = waiting ] && grep -q 'unsettled top-level await' <<<"$err"; then
  ok "ESM unsettled top-level await: 13"
else
  bad "ESM unsettled top-level await" "exit $rc" "stderr: ${err:0:400}"
fi

# CommonJS: a SyntaxError in the main script or in a required file keeps its
# place. stderr's head is node's (file:line, source, caret, blank line, the
# error; the app folder is /app inside), the first frame after the error
# is the requiring file's, and the last line is the Node.js version.
mkdir -p "$work/cjs"
printf '%s\n' 'const x = 1;' "require('./lib/bad.js');" > "$work/cjs/main.js"
printf '%s\n' 'let y = 2;' 'let z = ;' > "$work/cjs/badmain.js"
mkdir -p "$work/cjs/lib"
printf '%s\n' '// config' 'module.exports = { a: 1,, };' > "$work/cjs/lib/bad.js"
chmod -R a+rX "$work/cjs"
for entry in main.js badmain.js; do
  run --app "$work/cjs" "$work/cjs/$entry"
  want=$(cd "$work/cjs" && node "$entry" 2>&1 >/dev/null | head -n 5 | sed "s#$work/cjs#/app#g") || true
  frame=$(sed -n 6p <<<"$err")
  if [ "$rc" -eq 1 ] && [ -n "$want" ] && [ "$(head -n 5 <<<"$err")" = "$want" ] &&
     [ "$(tail -n 1 <<<"$err")" = "Node.js v22.14.0" ] && [ -z "$(tail -n 2 <<<"$err" | head -n 1)" ] &&
     { [ "$entry" != main.js ] || [[ $frame == "    at Object.<anonymous> (/app/main.js:2:1)" ]]; }; then
    ok "CommonJS SyntaxError ($entry): node's stderr head, the user's frame first"
  else
    bad "CommonJS SyntaxError ($entry)" "exit $rc" "want head: $want" "stderr: ${err:0:500}"
  fi
done
run --app "$work/cjs" -e "try { require('./lib/bad.js') } catch (e) { console.log(e.message); console.log(e.stack.split('\n').slice(0, 5).join('\n')) }"
if [ "$rc" -eq 0 ] && [ "$out" = "Unexpected token ','
/app/lib/bad.js:2
module.exports = { a: 1,, };
                        ^

SyntaxError: Unexpected token ','" ]; then
  ok "CommonJS SyntaxError caught: message as node's, the place at the head of its stack"
else
  bad "CommonJS SyntaxError caught" "exit $rc" "stdout: $out" "stderr: ${err:0:300}"
fi

run -e 'Promise.reject(1)'
if grep -q 'ERR_UNHANDLED_REJECTION' <<<"$err"; then ok "unhandled rejection names ERR_UNHANDLED_REJECTION"; else bad "unhandled rejection message" "stderr: ${err:0:300}"; fi

# ---- the launcher's own failures: 125 and one line --------------------------

for args in "--bogus" "--timeout" "--timeout=abc x.js" "--memory-limit=0 x.js" "--help=1"; do
  # shellcheck disable=SC2086
  run $args
  lines=$(printf '%s\n' "$err" | grep -c .) || true
  if [ "$rc" -eq 125 ] && [ "$lines" -eq 1 ] && [[ $err == secure-exec-launch:* ]] && [ -z "$out" ]; then
    ok "bad option '$args' -> 125 with one line"
  else
    bad "bad option '$args' -> 125 with one line" "exit $rc, $lines stderr lines: $err"
  fi
done

run
if [ "$rc" -eq 125 ] && [[ $err == secure-exec-launch:* ]]; then ok "no script -> 125"; else bad "no script -> 125" "exit $rc: $err"; fi

run "$work/does-not-exist.js"
if [ "$rc" -eq 125 ] && [ "$err" = "secure-exec-launch: $work/does-not-exist.js: no such script ($work/does-not-exist.js)" ]; then
  ok "missing script: 125 and one launcher line"
else
  bad "missing script: 125 and one launcher line" "exit $rc: ${err:0:300}"
fi

run --version
if [ "$rc" -eq 0 ] && [[ $out == "secure-exec-launch "* ]]; then ok "--version"; else bad "--version" "exit $rc: $out"; fi
run --help
if [ "$rc" -eq 0 ] && grep -q '^usage: secure-exec-launch' <<<"$out"; then ok "--help"; else bad "--help" "exit $rc"; fi

# ---- scripts, stdio ---------------------------------------------------------

cat > "$work/script.js" <<'EOF'
console.log('argv', process.argv.slice(2).join('|'), require('path').basename(__filename));
EOF
run "$work/script.js" one --two
if [ "$out" = "argv one|--two script.js" ]; then ok "script with guest options after it"; else bad "script args" "got: $out"; fi
(cd "$work" && se script.js rel > "$work/out2" 2>&1) || true
if [ "$(cat "$work/out2")" = "argv rel script.js" ]; then ok "relative script path"; else bad "relative script path" "$(cat "$work/out2")"; fi

code='process.stdout.write("a"); console.log("b"); process.stdout.write(Buffer.from("c\n")); console.info("d"); process.stdout.write("e\n")'
run -e "$code"
if [ "$out" = "$(node -e "$code")" ] && [ "$out" = "$(printf 'ab\nc\nd\ne')" ]; then ok "stdout ordering of write and console"; else bad "stdout ordering" "got: $out"; fi

code='process.stdout.write("o1\n"); process.stderr.write("e1\n"); console.log("o2"); console.error("e2")'
got=$(se -e "$code" 2>&1) || true
if [ "$got" = "$(printf 'o1\ne1\no2\ne2')" ]; then ok "stdout/stderr interleave in call order"; else bad "stdout/stderr interleave" "got: $got"; fi

n=$(se -e 'const line = "x".repeat(1023); for (let i = 0; i < 1024; i++) console.log(line)' | wc -c) || true
if [ "$n" -eq 1048576 ]; then ok "1 MiB through console.log into a pipe"; else bad "1 MiB through a pipe" "got $n bytes"; fi

n=$(se -e 'for (let i = 0; i < 100000; i++) console.log(i)' | head -n 3 | wc -l) || true
if [ "$n" -eq 3 ]; then ok "closed reader (EPIPE) does not hang or crash"; else bad "EPIPE" "got $n lines"; fi

got=$(printf 'line1\nline2\n' | se -e 'let s = ""; process.stdin.on("data", d => s += d); process.stdin.on("end", () => console.log(JSON.stringify(s)))') || true
if [ "$got" = '"line1\nline2\n"' ]; then ok "stdin from a pipe"; else bad "stdin from a pipe" "got: $got"; fi
printf 'from file' > "$work/in.txt"
got=$(se -e 'let s = ""; process.stdin.setEncoding("utf8"); process.stdin.on("data", d => s += d); process.stdin.on("end", () => console.log(s))' < "$work/in.txt") || true
if [ "$got" = "from file" ]; then ok "stdin from a file"; else bad "stdin from a file" "got: $got"; fi
got=$(sleep 5 | timeout 10 "$bin" -e 'console.log("not reading stdin")') || true
if [ "$got" = "not reading stdin" ]; then ok "unread stdin does not keep the run alive"; else bad "unread stdin" "got: $got"; fi
read_all='process.stdout.write(JSON.stringify(require("fs").readFileSync(0, "utf8")) + "\n")'
got=$(timeout 10 "$bin" -e "$read_all" <&-) || true
if [ "$got" = '""' ]; then ok "stdin closed by the invoker: empty, not another descriptor"; else bad "stdin closed" "got: $got"; fi
printf 'abcdef' > "$work/in6.txt"
got=$( (head -c 2 >/dev/null; timeout 10 "$bin" -e "$read_all") < "$work/in6.txt") || true
if [ "$got" = '"cdef"' ]; then ok "stdin from a file: read from the invoker's offset"; else bad "stdin offset" "got: $got"; fi
got=$(timeout 10 python3 -c '
import socket, subprocess, sys
a, b = socket.socketpair()
a.sendall(b"through a socket"); a.shutdown(socket.SHUT_WR)
sys.stdout.write(subprocess.run(sys.argv[1:], stdin=b, capture_output=True, text=True).stdout)' "$bin" -e "$read_all") || true
if [ "$got" = '"through a socket"' ]; then ok "stdin from a socket (pumped through a pipe)"; else bad "stdin from a socket" "got: $got"; fi
got=$(timeout 10 "$bin" -e "$read_all" < /) || true
if [ "$got" = '""' ]; then ok "a folder as stdin: nothing of it reaches the guest"; else bad "a folder as stdin" "got: $got"; fi
fdir=$(mktemp -d) # outside the app folder ($work): an audit log may not be in it
mkfifo "$fdir/fifo"
for args in "--audit $fdir/fifo" "--profile $fdir/fifo" "--audit /dev/tty" "--report /dev/null"; do
  set +e; err=$(timeout 10 "$bin" $args -e 1 2>&1 >/dev/null); rc=$?; set -e
  if [ "$rc" -eq 125 ] && [[ $err == *"not a regular file"* ]]; then
    ok "${args%% *} on a FIFO or a device: refused before it is opened (125)"
  else
    bad "${args%% *} ${args#* }" "rc=$rc err: $err"
  fi
done
rm -rf "$fdir"
bad_app=$work/$'app\xff'
mkdir -p "$bad_app/in"
echo 1 > "$bad_app/in/s.js"
chmod 700 "$bad_app"
set +e; "$bin" --app "$bad_app/in" --report "$work/rep.json" "$bad_app/in/s.js" >/dev/null 2>&1; rc=$?; set -e
chmod 755 "$bad_app"
got=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["limit"], "?" in r["error"])' "$work/rep.json" 2>&1) || true
if [ "$rc" -eq 125 ] && [ "$got" = "launcher True" ]; then ok "--report: a set-up error naming a path that is not UTF-8 still makes a record"; else bad "--report, not UTF-8" "rc=$rc got: $got"; fi
for d in /proc /sys/kernel /dev; do
  set +e; err=$("$bin" --app "$d" -e 1 2>&1 >/dev/null); rc=$?; set -e
  if [ "$rc" -eq 125 ] && [[ $err == *"the app folder cannot be in ${d%/*}"* || $err == *"the app folder cannot be in $d"* ]]; then
    ok "--app $d refused (125)"
  else
    bad "--app $d" "rc=$rc err: $err"
  fi
done
# a terminal (script's pty): typed lines reach the guest through the
# supervisor's pump; stdin stays a pipe (no isTTY), stdout is told to be
# the host's terminal (node-parity.sh) though the guest holds a pipe
if command -v script >/dev/null; then
  got=$( (sleep 1; printf 'typed\n'; sleep 5) | NO_COLOR=1 timeout 20 script -q -c "$bin -e 'process.stdin.on(\"data\", d => { console.log(\"got\", String(d).trim(), process.stdin.isTTY, process.stdout.isTTY, require(\"tty\").isatty(0)); process.exit(0) })'" /dev/null | tr -d '\r' | grep '^got') || true
  if [ "$got" = "got typed undefined true false" ]; then ok "stdin from a terminal (pumped; stdin.isTTY undefined as the guest holds a pipe)"; else bad "stdin from a terminal" "got: $got"; fi
else
  bad "stdin from a terminal" "no script(1) (util-linux bsdutils) to give the launcher a terminal"
fi

# ---- exit cannot be caught ------------------------------------------------

run -e 'try { process.exit(5) } catch { console.log("caught") } finally { console.log("no") }'
if [ "$rc" -eq 5 ] && [ -z "$out" ]; then ok "process.exit is not catchable, finally does not run"; else bad "uncatchable exit" "exit $rc out: $out"; fi
run -e 'process.on("exit", c => console.log("exit", c)); process.exit(2)'
if [ "$rc" -eq 2 ] && [ "$out" = "exit 2" ]; then ok "'exit' listeners run once with the code"; else bad "'exit' listeners" "exit $rc out: $out"; fi

# ---- the guest sees no host state and no bridge -----------------------------

run -e 'console.log(JSON.stringify(process.env), typeof __se_bridge, typeof globalThis.__se_bridge)'
if [ "$out" = "{} undefined undefined" ]; then ok "empty env, bridge table unreachable"; else bad "env/bridge" "got: $out"; fi
out=$(timeout "$limit" env HOME=/secret-home PATH=/secret-path SECRET=1 "$bin" -e 'console.log(process.env.HOME, process.env.PATH, process.env.SECRET)') || true
if [ "$out" = "undefined undefined undefined" ]; then ok "host HOME/PATH do not reach the guest"; else bad "host env leak" "got: $out"; fi
run -e 'try { process.binding("fs") } catch (e) { console.log(e.message) }; try { process.dlopen() } catch (e) { console.log(e.code) }'
if [ "$out" = "$(printf 'process.binding is not supported in sandbox\nERR_DLOPEN_DISABLED')" ]; then ok "process.binding/dlopen refused"; else bad "binding/dlopen" "got: $out"; fi
run -e 'try { require("cluster") } catch (e) { console.log(e.message) }'
if [ "$out" = "cluster is not supported in sandbox" ]; then ok "unsupported builtin message"; else bad "unsupported builtin" "got: $out"; fi
# https and crypto work under strict, the network still needs its grant;
# http2 stays at Tier 4 (it loads, its calls throw).
run -e 'const https = require("https"); const crypto = require("crypto");
https.request("https://example.com/").on("error", (e) => console.log("request", e.code)).end();
try { https.createServer().listen(443) } catch (e) { console.log("listen", e.code) }
const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
console.log("ed25519", crypto.verify(null, Buffer.from("x"), publicKey, crypto.sign(null, Buffer.from("x"), privateKey)));
try { require("http2").connect("https://example.com/") } catch (e) { console.log("http2", e.code, e.message) }'
want='listen ERR_ACCESS_DENIED
ed25519 true
http2 ERR_UNSUPPORTED_SANDBOX_API http2.connect is not supported in sandbox
request ERR_ACCESS_DENIED'
if [ "$out" = "$want" ]; then ok "https and keys work under strict, the network needs its grant, http2 is Tier 4"; else bad "https/crypto/http2" "got: $out"; fi
# net and http without a grant (strict): the broker refuses, naming the grant
run -e 'for (const f of [
  () => require("http").createServer(() => {}).listen(0),
  () => require("net").createServer().listen(3000, "127.0.0.1"),
  () => require("net").createServer().listen({ port: 3000, host: "::1" }),
]) { try { f(); console.log("no error") } catch (e) { console.log(e.code, e.message) } }
require("net").connect(3000, "127.0.0.1").on("error", (e) => console.log(e.code, e.message))'
want='ERR_ACCESS_DENIED Access to this API has been restricted: listen localhost:0 (not granted: run with --allow-net=localhost)
ERR_ACCESS_DENIED Access to this API has been restricted: listen 127.0.0.1:3000 (not granted: run with --allow-net=127.0.0.1:3000)
ERR_ACCESS_DENIED Access to this API has been restricted: listen [::1]:3000 (not granted: run with --allow-net=[::1]:3000)
ERR_ACCESS_DENIED Access to this API has been restricted: connect 127.0.0.1:3000 (not granted: run with --allow-net=127.0.0.1:3000)'
if [ "$out" = "$want" ]; then ok "net/http listen and connect without a grant: ERR_ACCESS_DENIED naming the grant"; else bad "net denied" "got: $out"; fi

# ---- the OS wall from the outside ------------------------------------------------

run check --json
if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["usable"] and all(w["available"] for w in d["walls"] if w["required"])' "$out" 2>/dev/null; then
  ok "check --json: valid JSON, every required wall available here"
else
  bad "check --json" "exit $rc: ${out:0:300}"
fi
run check
if [ "$rc" -eq 0 ] && grep -q "^user namespaces *yes" <<<"$out" && grep -q "^cgroup limits" <<<"$out"; then ok "check: a table"; else bad "check table" "exit $rc: ${out:0:300}"; fi
# where this host mounts the v1 memory and pids controllers writable to us
# (root on a v1 host, as CI), runs get a v1 cgroup and check says so
if [ -w /sys/fs/cgroup/memory ] && [ -w /sys/fs/cgroup/pids ] && [ ! -e /sys/fs/cgroup/cgroup.controllers ]; then
  if grep -q "^cgroup limits *yes *optional *cgroup v1: memory (with kernel and TCP memory), pids" <<<"$out"; then ok "check: the v1 memory and pids controllers are used"; else bad "check v1" "${out:0:600}"; fi
fi
run check --bogus
if [ "$rc" -eq 125 ] && [[ $err == secure-exec-launch:* ]]; then ok "check --bogus -> 125"; else bad "check --bogus" "exit $rc: $err"; fi

run --print-profile --allow-read=/srv
if [ "$rc" -eq 0 ] && grep -q "^fs.read = /app,/srv$" <<<"$out" && grep -q "^sandbox.seccomp = strict$" <<<"$out" &&
  grep -q "^default kill$" <<<"$out" && grep -q "^kill ptrace" <<<"$out"; then
  ok "--print-profile: the effective policy and the seccomp policy it names"
else
  bad "--print-profile" "exit $rc: ${out:0:400}"
fi
run --print-profile --memory-limit 64
if [ "$rc" -eq 0 ] && grep -q "^# memory budget 64 MB, one count" <<<"$out"; then ok "--print-profile: the memory budget"; else bad "print budget" "${out:0:300}"; fi
run --print-profile --profile dev
if [ "$rc" -eq 0 ] && grep -q "^default eperm$" <<<"$out"; then ok "--print-profile --profile dev names the default seccomp policy"; else bad "print dev" "${out:0:300}"; fi

run --cpu-time-limit abc -e 1
if [ "$rc" -eq 125 ] && [[ $err == *"--cpu-time-limit"* ]]; then ok "--cpu-time-limit abc -> 125"; else bad "cpu-time-limit abc" "exit $rc: $err"; fi

run -e 'const fs = require("fs"); console.log(process.cwd(), fs.readdirSync("/").join(","), require("fs").readFileSync("/etc/passwd", "utf8").trim())' --allow-read=/
if [ "$out" = "/app app,bin,dev,etc,lib,lib32,lib64,proc,sandbox,sbin,tmp,usr sandbox:x:1000:1000:sandbox:/tmp:/usr/sbin/nologin" ] ||
   [ "$out" = "/app app,bin,dev,etc,lib,lib64,proc,sandbox,sbin,tmp,usr sandbox:x:1000:1000:sandbox:/tmp:/usr/sbin/nologin" ]; then
  ok "the guest's view: /app as cwd, the system folders, a passwd naming only the sandbox user"
else
  bad "guest view" "got: $out" "err: ${err:0:300}"
fi

( cd "$work" && exec "$bin" -e 'setInterval(() => {}, 1000); console.log("up")' > "$work/sig.out" 2>&1 ) &
spid=$!
for _ in $(seq 50); do grep -q up "$work/sig.out" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$spid"
src=0
wait "$spid" || src=$?
if [ "$src" -eq 143 ]; then ok "SIGTERM to the launcher ends the guest: 143"; else bad "SIGTERM" "exit $src"; fi

# every profile keeps the guest in its own network namespace: under dev
# (net.allow = *) a listener on the host's loopback is still not reached
python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(4); print(s.getsockname()[1], flush=True); time.sleep(60)' \
  > "$work/host-port" 2> /dev/null < /dev/null &
hl=$!
for _ in $(seq 50); do [ -s "$work/host-port" ] && break; sleep 0.1; done
hp=$(cat "$work/host-port")
run --profile dev -e "require('net').connect($hp, '127.0.0.1').on('connect', () => console.log('reached the host')).on('error', (e) => console.log(e.code))"
kill "$hl" 2> /dev/null; wait "$hl" 2> /dev/null || true
if [ "$out" = ECONNREFUSED ]; then ok "--profile dev: the host's loopback listener is not reached (the sandbox's own lo)"; else bad "dev profile network" "got: $out" "err: ${err:0:200}"; fi

# UDP through the supervisor: a guest's datagram reaches a host UDP
# listener on the host's 127.0.0.1 as host.internal:PORT (granted), its
# reply comes back from host.internal's guest address; a connected socket
# sends there too; without the grant nothing reaches it (ERR_ACCESS_DENIED)
python3 -c 'import socket,sys
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1], flush=True)
s.settimeout(20)
try:
    while True:
        d,a=s.recvfrom(2048); s.sendto(b"pong:"+d, a); print("host got", d.decode(), flush=True)
except socket.timeout:
    pass' > "$work/udp-port" 2> /dev/null < /dev/null &
ul=$!
for _ in $(seq 50); do [ -s "$work/udp-port" ] && break; sleep 0.1; done
up=$(head -n 1 "$work/udp-port")
run --allow-net="host.internal:$up" -e "
const dgram = require('dgram');
const s = dgram.createSocket('udp4');
s.once('message', (m, r) => {
  console.log('reply', m.toString(), r.address, r.port === $up);
  const c = dgram.createSocket('udp4');
  c.connect($up, 'host.internal', () => {
    console.log('connected', c.remoteAddress().address);
    c.once('message', (m2) => { console.log('reply', m2.toString()); c.close(); s.close(); });
    c.send('connected');
  });
});
s.send('ping', $up, 'host.internal');"
run2_out=$out run2_err=$err
run --allow-net=localhost -e "
const s = require('dgram').createSocket('udp4');
s.send('sneak', $up, 'host.internal', (e) => { console.log(e && e.code); s.close(); });"
sleep 0.3
kill "$ul" 2> /dev/null; wait "$ul" 2> /dev/null || true
want="reply pong:ping 127.254.0.1 true
connected 127.254.0.1
reply pong:connected"
if [ "$run2_out" = "$want" ] && [ "$out" = ERR_ACCESS_DENIED ] &&
  [ "$(tail -n +2 "$work/udp-port")" = $'host got ping\nhost got connected' ]; then
  ok "dgram: a datagram reaches the host's UDP listener as host.internal:PORT (granted), connected too; ungranted: ERR_ACCESS_DENIED"
else
  bad "dgram host.internal" "got: $run2_out / $out" "host: $(tail -n +2 "$work/udp-port" | tr '\n' ' ')" "err: ${run2_err:0:300}"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
