#!/usr/bin/env bash
# tests/integration/node-parity.sh — what a Node user notices, against the
# real binary: one user id everywhere (process.get*id, os.userInfo, the
# owner of a file the guest makes), -e with module syntax run as an ES
# module (Node 22), Node's source header above an unhandled rejection,
# SIGINT/SIGTERM/SIGHUP sent to the launcher delivered as Node delivers
# them (listeners run; without one the run ends with 128 + N; SIGQUIT
# still ends it), process.kill of the guest's own pid, the host's
# terminal told to the guest (isTTY, size, colours, 'resize': script(1)
# and a python pty give the launcher a terminal) and the hint naming the
# --app that shows a workspace's hoisted node_modules, stack frames that
# name our modules as Node's do (node:events, not the bundle), and readline
# over piped stdin compared with build/node22 (Node 22.14). Prints ok/FAIL per
# check and "N passed, N failed".
#
# usage: tests/integration/node-parity.sh [--bin PATH]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup node-parity "$here/../../build/secure-exec-launch" "$@"

app=$work/app
mkdir -p "$app"
chmod 755 "$app"

# run ARGS...: the launcher from the app folder; sets rc, out, err
run() {
  (cd "$app" && timeout 30 "$bin" "$@" > "$work/.out" 2> "$work/.err" < /dev/null)
  rc=$?
  out=$(< "$work/.out")
  err=$(< "$work/.err")
}

# expect NAME WANT_RC WANT_OUT ARGS...
expect() {
  local name=$1 want_rc=$2 want=$3
  shift 3
  run "$@"
  if [ "$rc" -eq "$want_rc" ] && [ "$out" = "$want" ]; then ok "$name"; else
    bad "$name" "exit $rc (want $want_rc)" "got:  $out" "want: $want" "stderr: ${err:0:400}"
  fi
}

# ---- one user id ------------------------------------------------------------

expect "uid/gid: process, os.userInfo and a new file's owner agree (the sandbox user)" 0 \
  "1000 1000 1000 1000 [1000] true" --allow-write=/tmp --allow-read=/tmp -e '
const fs = require("fs"), os = require("os");
fs.writeFileSync("/tmp/mine", "x");
const st = fs.statSync("/tmp/mine"), u = os.userInfo();
const ids = [process.getuid(), process.geteuid(), process.getgid(), process.getegid()];
console.log(ids.join(" "), JSON.stringify(process.getgroups()),
  u.uid === ids[0] && u.gid === ids[2] && st.uid === ids[1] && st.gid === ids[3] &&
  process.getgroups().includes(ids[3]))'

# ---- -e with module syntax ----------------------------------------------------

printf 'export const n = 41;\n' > "$app/dep.mjs"
chmod a+r "$app/dep.mjs"
expect "-e with import declarations runs as an ES module" 0 \
  "function b.c file:///app/[eval1] undefined 42" \
  -e 'import fs from "node:fs"; import { basename } from "path"; import { n } from "./dep.mjs";
console.log(typeof fs.readFileSync, basename("/a/b.c"), import.meta.url, typeof require, n + 1)'
expect "-e with a top-level await runs as an ES module" 0 "5 undefined" \
  -e 'const x = await Promise.resolve(5); console.log(x, typeof module)'
expect "-e without module syntax stays CommonJS" 0 "function object [eval]" \
  -e 'console.log(typeof require, typeof module, __filename); import("node:path")'
run -e 'let a = ;'
if [ "$rc" -eq 1 ] && [ "$(head -n 1 <<<"$err")" = "[eval]:1" ] &&
   grep -q "^SyntaxError: Unexpected token ';'$" <<<"$err"; then
  ok "-e with a plain syntax error: CommonJS's [eval] header"
else
  bad "-e syntax error" "exit $rc" "stderr: ${err:0:300}"
fi
run -e 'import fs from "fs";
throw new Error("b")'
if [ "$rc" -eq 1 ] && [ "$(head -n 3 <<<"$err")" = 'file:///app/[eval1]:2
throw new Error("b")
      ^' ] && grep -q '^Error: b$' <<<"$err"; then
  ok "-e as a module: an error has the module's header"
else
  bad "-e module error" "exit $rc" "stderr: ${err:0:300}"
fi

# ---- unhandled rejections: Node's source header -----------------------------

run -e "Promise.reject(new Error('x'))"
if [ "$rc" -eq 1 ] && [ "$(head -n 5 <<<"$err")" = "[eval]:1
Promise.reject(new Error('x'))
               ^

Error: x" ]; then ok "unhandled Error rejection: file:line, source line and caret above it"; else
  bad "rejection header (-e)" "exit $rc" "stderr: ${err:0:300}"
fi
printf 'async function f() {\n  throw new TypeError("bad");\n}\nf();\n' > "$app/reject.js"
printf 'await null;\nPromise.reject(new RangeError("m"));\n' > "$app/reject.mjs"
chmod a+r "$app"/reject.*
run reject.js
if [ "$rc" -eq 1 ] && [ "$(head -n 5 <<<"$err")" = '/app/reject.js:2
  throw new TypeError("bad");
        ^

TypeError: bad' ]; then ok "unhandled rejection from an async function: the throw's place"; else
  bad "rejection header (file)" "exit $rc" "stderr: ${err:0:300}"
fi
run reject.mjs
if [ "$rc" -eq 1 ] && [ "$(head -n 3 <<<"$err")" = 'file:///app/reject.mjs:2
Promise.reject(new RangeError("m"));
               ^' ]; then ok "unhandled rejection in an ES module: its URL's header"; else
  bad "rejection header (module)" "exit $rc" "stderr: ${err:0:300}"
fi
run -e 'Promise.reject(1)'
if [ "$rc" -eq 1 ] && [[ $(head -n 1 <<<"$err") == UnhandledPromiseRejection:* ]]; then
  ok "a rejection with a primitive: no header of ours"
else
  bad "primitive rejection" "exit $rc" "stderr: ${err:0:300}"
fi

# ---- signals sent to the launcher ---------------------------------------------

# signal SIG CODE...: starts the guest, waits for its "up", sends SIG to the
# launcher; sets rc and out (the guest's stdout and stderr)
signal() {
  local sig=$1 code=$2 i
  shift 2
  # --foreground: timeout passes a signal to the launcher alone (without it,
  # it sends it again to its whole process group, and two SIGINTs arrive)
  (cd "$app" && exec timeout --foreground 30 "$bin" "$@" -e "$code" > "$work/sig.out" 2>&1 < /dev/null) &
  local pid=$!
  for i in $(seq 100); do grep -q '^up$' "$work/sig.out" 2>/dev/null && break; sleep 0.05; done
  kill "-$sig" "$pid"
  rc=0
  wait "$pid" || rc=$?
  out=$(< "$work/sig.out")
}

signal INT 'process.on("SIGINT", (name, n) => { console.log("handler", name, n); setTimeout(() => { console.log("went on"); process.exitCode = 7 }, 50) }); setTimeout(() => {}, 5000); console.log("up")'
if [ "$rc" -eq 7 ] && [ "$out" = "$(printf 'up\nhandler SIGINT 2\nwent on')" ]; then
  ok "SIGINT with a listener: it runs and the program goes on"
else
  bad "SIGINT listener" "exit $rc" "out: $out"
fi
signal INT 'process.on("exit", () => console.log("exit listener")); setInterval(() => {}, 1000); console.log("up")'
if [ "$rc" -eq 130 ] && [ "$out" = up ]; then ok "SIGINT without a listener: 130, no 'exit' event (Node's default)"; else
  bad "SIGINT default" "exit $rc" "out: $out"
fi
signal TERM 'let said = false; for (;;) if (!said) { console.log("up"); said = true }'
if [ "$rc" -eq 143 ]; then ok "SIGTERM ends a busy loop without a listener: 143"; else bad "SIGTERM busy loop" "exit $rc" "out: $out"; fi
signal HUP 'process.once("SIGHUP", () => console.log("hup")); setTimeout(() => console.log("done"), 300); console.log("up")'
if [ "$rc" -eq 0 ] && [ "$out" = "$(printf 'up\nhup\ndone')" ]; then ok "SIGHUP with a listener: it runs, the run ends normally"; else
  bad "SIGHUP listener" "exit $rc" "out: $out"
fi
signal QUIT 'process.on("SIGINT", () => {}); setInterval(() => {}, 1000); console.log("up")'
if [ "$rc" -eq 131 ]; then ok "SIGQUIT still ends the run (131) whatever the guest listens to"; else bad "SIGQUIT" "exit $rc" "out: $out"; fi
signal INT 'process.on("SIGINT", () => { console.log("removed too late") }); process.removeAllListeners("SIGINT"); setInterval(() => {}, 1000); console.log("up")'
if [ "$rc" -eq 130 ] && [ "$out" = up ]; then ok "a removed listener no longer takes SIGINT"; else bad "removed listener" "exit $rc" "out: $out"; fi
signal INT 'setInterval(() => {}, 1000); console.log("up")' --report "$work/sig.json"
got=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["exit_code"], r["signal"], r["limit"])' "$work/sig.json" 2>&1)
if [ "$got" = "130 SIGINT none" ]; then ok "--report: the guest died of the SIGINT passed on"; else bad "--report SIGINT" "$got"; fi
# sent before the guest's runtime is up: held, then delivered (not lost)
(cd "$app" && exec timeout 30 "$bin" -e 'process.on("exit", () => console.log("ran to the end")); setTimeout(() => {}, 3000)' > "$work/early.out" 2>&1 < /dev/null) &
pid=$!
sleep 0.05
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
if [ "$rc" -eq 130 ]; then ok "SIGINT during start-up is not lost: 130"; else bad "early SIGINT" "exit $rc: $(cat "$work/early.out")"; fi

expect "process.kill(process.pid, 'SIGINT') with a listener: it runs" 0 "after kill
handler SIGINT" -e 'process.on("SIGINT", (n) => console.log("handler", n)); process.kill(process.pid, "SIGINT"); console.log("after kill"); setTimeout(() => {}, 20)'
expect "process.kill(process.pid, 'SIGTERM') without one: 143, nothing after" 143 "" \
  -e 'process.on("exit", () => console.log("exit listener")); process.kill(process.pid, "SIGTERM"); console.log("not reached")'
expect "process.kill: 0 probes, other pids ESRCH, groups EPERM, bad names ERR_UNKNOWN_SIGNAL" 0 \
  "true ESRCH kill ESRCH EPERM ERR_UNKNOWN_SIGNAL Unknown signal: SIGFOO" -e '
const r = [process.kill(process.pid, 0)];
try { process.kill(4242, "SIGTERM") } catch (e) { r.push(e.code, e.message) }
try { process.kill(0, "SIGSTOP") } catch (e) { r.push(e.code) }
try { process.kill(process.pid, "SIGFOO") } catch (e) { r.push(e.code, e.message) }
console.log(r.join(" "))'

# ---- the host's terminal --------------------------------------------------------

cat > "$app/tty.js" <<'EOF'
const tty = require('tty');
const o = process.stdout;
const isTTY = typeof o.getColorDepth === 'function';
console.log(JSON.stringify([o.isTTY, process.stderr.isTTY, process.stdin.isTTY, tty.isatty(0),
  tty.isatty(1), tty.isatty(2), o.columns, o.rows, isTTY && o.getColorDepth(),
  isTTY && o.hasColors(), isTTY && o.getColorDepth({}), o instanceof tty.WriteStream]));
console.log(require('util').inspect(1, { colors: isTTY && o.hasColors() }), 2);
EOF
chmod a+r "$app/tty.js"
if command -v script >/dev/null; then
  got=$(cd "$app" && env -i PATH="$PATH" TERM=xterm-256color timeout 20 script -qec "stty cols 101 rows 33; '$bin' tty.js" /dev/null < /dev/null | tr -d '\r')
  want=$(printf '[true,true,null,false,true,true,101,33,8,true,1,true]\n\033[33m1\033[39m \033[33m2\033[39m')
  if [ "$got" = "$want" ]; then ok "in a terminal: isTTY, columns/rows, colour depth, coloured console.log (stdin still pumped)"; else
    bad "terminal facts" "got:  $(cat -v <<<"$got")" "want: $(cat -v <<<"$want")"
  fi
  got=$(cd "$app" && env -i PATH="$PATH" TERM=xterm-256color NO_COLOR=1 timeout 20 script -qec "'$bin' tty.js" /dev/null < /dev/null | tr -d '\r' | head -n 1)
  if [[ $got == '[true,true,null,false,true,true,'*',1,false,1,true]' ]]; then ok "in a terminal with NO_COLOR on the host: no colours"; else bad "NO_COLOR" "got: $got"; fi
else
  bad "terminal facts" "no script(1) (util-linux bsdutils) to give the launcher a terminal"
fi
run tty.js
if [ "$out" = '[null,null,null,false,false,false,null,null,false,false,false,false]
1 2' ]; then ok "not a terminal: nothing changes"; else bad "not a terminal" "got: $out"; fi

cat > "$app/resize.js" <<'EOF'
console.log('start', process.stdout.columns, process.stdout.rows);
process.stdout.on('resize', () => console.log('resize', process.stdout.columns, process.stdout.rows));
process.on('SIGWINCH', () => { console.log('SIGWINCH'); process.exit(0); });
setTimeout(() => console.log('no resize'), 5000);
console.log('ready');
EOF
chmod a+r "$app/resize.js"
got=$(cd "$app" && timeout 30 python3 - "$bin" resize.js <<'EOF'
import fcntl, os, pty, select, struct, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    os.environ["NO_COLOR"] = "1"
    os.execv(sys.argv[1], sys.argv[1:])
def size(cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
size(90, 20)
out = b""
def pump(until):
    global out
    while time.time() < until:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return
            if not d:
                return
            out += d
start = time.time()
while b"ready" not in out and time.time() < start + 10:
    pump(time.time() + 0.1)
size(120, 40)
pump(time.time() + 6)
os.waitpid(pid, 0)
sys.stdout.write(out.decode().replace("\r", ""))
EOF
)
if [ "$got" = "$(printf 'start 90 20\nready\nresize 120 40\nSIGWINCH')" ]; then
  ok "the host's window resized: columns/rows updated, 'resize' and 'SIGWINCH' emitted"
else
  bad "resize" "got: $got"
fi

# ---- a workspace's hoisted node_modules --------------------------------------------

mono=$work/mono
mkdir -p "$mono/node_modules/lodash" "$mono/node_modules/@sc/pk" "$mono/packages/a"
echo 'module.exports = 1;' > "$mono/node_modules/lodash/index.js"
echo "require('lodash/fp');" > "$mono/packages/a/cjs.js"
echo "import x from '@sc/pk';" > "$mono/packages/a/esm.mjs"
echo "try { require('lodash') } catch {} console.log('caught');" > "$mono/packages/a/caught.js"
echo "require('not-anywhere');" > "$mono/packages/a/absent.js"
chmod -R a+rX "$mono"
for f in cjs.js esm.mjs; do
  pkg=lodash
  [ "$f" = esm.mjs ] && pkg=@sc/pk
  err=$(cd "$mono/packages/a" && timeout 30 "$bin" "$f" 2>&1 >/dev/null < /dev/null)
  rc=$?
  want="secure-exec-launch: hint: '$pkg' is in $mono/node_modules, above the app folder $mono/packages/a, which is all the guest sees; run with --app $mono to show it"
  if [ "$rc" -eq 1 ] && [ "$(tail -n 1 <<<"$err")" = "$want" ] && [ "$(grep -c 'hint:' <<<"$err")" -eq 1 ]; then
    ok "$f: a package hoisted above the app: one line naming --app $mono"
  else
    bad "hoist hint $f" "exit $rc" "stderr tail: $(tail -n 2 <<<"$err")"
  fi
done
for f in caught.js absent.js; do
  err=$(cd "$mono/packages/a" && timeout 30 "$bin" "$f" 2>&1 >/dev/null < /dev/null)
  if ! grep -q 'hint:' <<<"$err"; then ok "$f: no hint (caught, or nowhere above)"; else bad "no hint $f" "$err"; fi
done

# Stack frames of our modules name them as Node's do (node:events,
# node:internal/...), never the one bundle script's line; the user's frames
# keep their file, line and column.
cat > "$app/stacks.js" <<'EOF'
const EventEmitter = require('events');
const fs = require('fs');
const e = new EventEmitter();
e.on('x', () => console.log(new Error('listener').stack));
e.emit('x');
fs.readFile(__filename, () => {
  console.log(new Error('fs callback').stack);
  try { require('./absent'); } catch (err) { console.log(err.stack); }
  console.log(typeof Error.prepareStackTrace, Error.prepareStackTrace.name);
});
EOF
run stacks.js
if [ "$rc" -eq 0 ] && ! grep -q 'node:internal/bootstrap:' <<<"$out" &&
  grep -q '^    at EventEmitter.emit (node:events:[0-9]*:[0-9]*)$' <<<"$out" &&
  grep -q '^    at EventEmitter.<anonymous> (/app/stacks.js:4:29)$' <<<"$out" &&
  grep -q '^    at /app/stacks.js:7:15$' <<<"$out" &&
  grep -q '^    at .* (node:internal/modules/cjs/loader:[0-9]*:[0-9]*)$' <<<"$out" &&
  grep -q '^    at node:internal/fs/utils:[0-9]*:[0-9]*$' <<<"$out" &&
  [ "$(tail -n 1 <<<"$out")" = "function ErrorPrepareStackTrace" ]; then
  ok "stacks: node:events, node:internal/fs/utils, node:internal/modules/cjs/loader frames; the user's unchanged"
else
  bad "stacks name modules" "exit $rc" "$out" "stderr: ${err:0:400}"
fi

# ---- readline over piped stdin, against Node 22.14 itself --------------------

node22="$here/../../build/node22/bin/node"
cat > "$app/rl-question.js" <<'JS'
const readline = require('readline');
const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
rl.question('name? ', (name) => {
  console.log(`hello ${name}`);
  rl.on('line', (l) => console.log('line', JSON.stringify(l)));
  rl.on('close', () => console.log('closed'));
});
JS
cat > "$app/rl-iterate.mjs" <<'JS'
import * as readline from 'node:readline/promises';
import { stdin, stdout } from 'node:process';
const rl = readline.createInterface({ input: stdin, output: stdout, terminal: false });
let n = 0;
for await (const line of rl) console.log(++n, JSON.stringify(line));
console.log('done', n, await Promise.resolve(rl.closed));
JS
chmod a+r "$app"/rl-*
if [ -x "$node22" ]; then
  input=$'bob\r\nx\ny\r\n\n\xe2\x82\xac split \rlast'
  for f in rl-question.js rl-iterate.mjs; do
    got=$(cd "$app" && printf '%s' "$input" | timeout 30 "$bin" "$f" 2>&1; echo "rc=$?")
    want=$(cd "$app" && printf '%s' "$input" | timeout 30 "$node22" "$f" 2>&1; echo "rc=$?")
    if [ "$got" = "$want" ]; then ok "readline over piped stdin ($f) as Node 22.14"; else
      bad "readline $f" "got:  $got" "want: $want"
    fi
  done
else
  bad "readline over piped stdin" "no reference node at $node22 (make deps)"
fi

summary
