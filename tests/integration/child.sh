#!/usr/bin/env bash
# tests/integration/child.sh — child processes through the real launcher:
# --allow-run resolved at start (exact files, --print-profile, the errors
# of a name that is not a program the sandbox shows), the broker's
# decisions in the audit log and the record (a nested guest's lines with
# the run's id), a nested guest's command line (node's options, a bad
# one), the marker refused outside a sandbox, the orphans of a child
# waited for (no zombie left), no descriptor of the guest's in a child,
# one write quota shared with nested guests,
# and a child's exit and signal as the guest sees them.
# Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/child.sh [--bin PATH]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup child "$here/../../build/secure-exec-launch" "$@"

mkdir -p "$work/app" "$work/out" "$work/hidden"
chmod 755 "$work/app"
chmod 700 "$work/hidden"
cp /usr/bin/true "$work/hidden/prog"

# run ARGS...: the launcher in the app folder; sets $rc, $out, $err.
run() {
  (cd "$work/app" && timeout 60 "$bin" "$@" >"$work/.out" 2>"$work/.err")
  rc=$?
  out=$(cat "$work/.out")
  err=$(cat "$work/.err")
}

# expect NAME RC PATTERN [stdout|stderr]
expect() {
  local name=$1 want=$2 pat=$3 where=${4:-stdout} text
  text=$([ "$where" = stdout ] && printf '%s' "$out" || printf '%s' "$err")
  if [ "$rc" = "$want" ] && grep -qE -- "$pat" <<<"$text"; then
    ok "$name"
  else
    bad "$name" "status $rc (want $want), $where:" "$(head -c 600 <<<"$text")" \
      "stderr: $(head -c 300 <<<"$err")"
  fi
}

# ---- resolution at start -----------------------------------------------------
echo 'console.log(1)' >"$work/app/one.js"
run --print-profile --allow-run=ls,sh,node,/bin/cat one.js
expect "a bare name is the canonical file PATH finds" 0 '^run.allow = .*/usr/bin/ls'
expect "sh is dash, canonical" 0 '^run.allow = .*/usr/bin/dash'
expect "node is the nested guest" 0 '^run.allow = .*/sandbox/bin/node'
expect "a path through a symlink is its file" 0 '^run.allow = .*/usr/bin/cat'
run --allow-run=no-such-program-x one.js
expect "a name PATH does not find stops the launch" 125 \
  "run.allow: no-such-program-x: no such program on the guest's PATH" stderr
run --allow-run=./prog one.js
expect "a relative path is refused" 125 "a relative path" stderr
run --allow-run=/usr/share/common-licenses/GPL-3 one.js
expect "a file that is no program is refused" 125 "not an executable file" stderr
run --allow-run="$work/hidden/prog" one.js
expect "a program the sandbox does not show is refused" 125 "the sandbox does not show it" stderr

# ---- the broker's decisions, audited; the record's count ----------------------
cat >"$work/app/decide.js" <<'EOF'
const cp = require('child_process');
console.log(cp.spawnSync('echo', ['hi']).stdout.toString().trim());
try { cp.spawnSync('id'); } catch (e) { console.log(e.code); }
try { cp.execSync('echo a; id'); } catch (e) { console.log(e.code); }
const n = cp.spawnSync(process.execPath, ['-e', 'try { require("fs").readFileSync("/etc/hostname") } catch (e) { console.log(e.code) }']);
console.log(n.status, n.stdout.toString().trim());
EOF
run --allow-run=echo,node --audit "$work/out/audit.log" --report "$work/out/rec.json" decide.js
expect "a granted program runs, others are refused" 0 $'^hi\nERR_ACCESS_DENIED\nERR_ACCESS_DENIED\n0 EACCES$'
why=$(python3 - "$work/out/audit.log" "$work/out/rec.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs = {l.get("run") for l in lines}
if len(runs) != 1:
    print("more than one run id:", runs); sys.exit()
def has(**kw):
    return any(all(l.get(k) == v for k, v in kw.items()) for l in lines)
checks = [
    has(domain="run", op="spawn", target="/usr/bin/echo", allow=True),
    has(domain="run", op="spawn", target="/usr/bin/id", allow=False),
    has(domain="run", op="spawn", target="/sandbox/bin/node", allow=True),
    # the nested guest's own refusal, in the same log with the run's id
    has(domain="fs", target="/etc/hostname", allow=False),
]
if not all(checks):
    print("missing lines:", checks); sys.exit()
rec = json.load(open(sys.argv[2]))
if rec["denials_by_domain_claimed_by_guest"]["run"] != 2:
    print("run denials:", rec["denials_by_domain_claimed_by_guest"])
PY
)
[ -z "$why" ] && ok "spawn decisions audited (a nested guest's too, same run id), run denials counted" ||
  bad "spawn decisions audited" "$why"

# ---- a nested guest's command line ----------------------------------------------
cat >"$work/app/nested.js" <<'EOF'
const { spawnSync } = require('child_process');
const show = (args, input) => {
  const r = spawnSync(process.execPath, args, { input, encoding: 'utf8' });
  console.log(JSON.stringify([r.status, r.stdout.trim(), r.stderr.trim().split('\n')[0]]));
};
show(['-p', '6 * 7']);
show(['-e', 'console.log(process.argv.slice(1).join(","))', 'a', 'b']);
show(['--input-type=module', '-e', 'console.log(typeof import.meta)']);
show(['-r', './pre.js', '-e', 'console.log(globalThis.pre)']);
show([], 'console.log("from stdin")');
show(['--no-warnings', 'argv.js', 'x', '--y']);
show(['--bogus-option', '-e', '0']);
show(['-e']);
show(['-v']);
EOF
echo 'globalThis.pre = "preloaded"' >"$work/app/pre.js"
echo 'console.log(JSON.stringify([process.argv.slice(2), process.execArgv]))' >"$work/app/argv.js"
run --allow-run=node nested.js
expect "node's command-line forms in a nested guest" 0 "$(printf '%s' \
  '^\[0,"42",""\]
\[0,"a,b",""\]
\[0,"object",""\]
\[0,"preloaded",""\]
\[0,"from stdin",""\]
\[0,"\[\[\\"x\\",\\"--y\\"\],\[\\"--no-warnings\\"\]\]",""\]
\[9,"",".*bad option: --bogus-option"\]
\[9,"",".*-e requires an argument"\]
\[0,"v22.14.0",""\]$')"

# a granted shell starting process.execPath: a nested guest all the same,
# under the run's policy (the sealed memfd), not one of its own making
cat >"$work/app/via-sh.js" <<'EOF'
const { execSync } = require('child_process');
const code = 'try { require(\\"fs\\").readFileSync(\\"/etc/hostname\\"); console.log(\\"read\\") } catch (e) { console.log(e.code) }';
console.log(execSync(`"${process.execPath}" -e "${code}"`, { env: { PATH: '/usr/bin:/bin' } }).toString().trim());
console.log(execSync('echo "fs.read = /" | "$N" --se-nested=-1,-1, -e "console.log(process.argv.length)"', { env: { N: process.execPath } }).toString().trim());
EOF
run --allow-run=node,sh,echo via-sh.js
expect "a shell starts a nested guest under the run's policy" 0 $'^EACCES\n1$'

# a nested guest killed by a signal dies of it (node's exitCode null,
# signalCode set), and a bare `node` is the nested guest
cat >"$work/app/sig.js" <<'EOF'
const cp = require('child_process');
const c = cp.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
c.on('spawn', () => setTimeout(() => c.kill(), 200));
c.on('exit', (code, signal) => {
  console.log('exit', code, signal);
  console.log(cp.execFileSync('node', ['-p', '"bare node"']).toString().trim());
});
EOF
run --allow-run=node sig.js
expect "a nested guest killed by SIGTERM dies of it; a bare node is the nested guest" 0 \
  $'^exit null SIGTERM\nbare node$'

run --se-nested=3,-1,-1, one.js
expect "the nested marker outside a sandbox is refused" 125 "is the sandbox's own" stderr

# ---- orphans, descriptors, exits ------------------------------------------------
cat >"$work/app/orphans.js" <<'EOF'
const cp = require('child_process');
const fs = require('fs');
// each sh leaves a background child behind: an orphan for pid 1
for (let i = 0; i < 5; i++) cp.spawnSync('sh', ['-c', 'true & exit 0']);
setTimeout(() => {
  const zombies = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return fs.readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '')[0] === 'Z'; } catch { return false; }
  });
  console.log('zombies', zombies.length);
  // what a child holds: its stdio and the descriptor ls opens itself
  const fds = cp.spawnSync('ls', ['/proc/self/fd']).stdout.toString().trim().split('\n');
  console.log('fds', fds.join(' '));
  const k = cp.spawnSync('sh', ['-c', 'kill -TERM $$']);
  console.log('signal', k.status, k.signal);
  const e = cp.spawnSync('sh', ['-c', 'exit 7']);
  console.log('exit', e.status, e.signal);
}, 300);
EOF
run --allow-run=sh,ls --allow-read=/proc orphans.js
expect "orphans waited for, a child holds only its stdio, exits and signals" 0 \
  $'^zombies 0\nfds 0 1 2 3\nsignal null SIGTERM\nexit 7 null$'

# a worker thread spawns too; the main runtime waits for its orphans
cat >"$work/app/worker-spawn.js" <<'EOF'
const { Worker, isMainThread, parentPort } = require('worker_threads');
const fs = require('fs');
if (isMainThread) {
  const w = new Worker(__filename);
  w.on('message', (m) => console.log(m));
  w.on('exit', () => setTimeout(() => {
    const z = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try { return fs.readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '')[0] === 'Z'; } catch { return false; }
    });
    console.log('zombies', z.length);
  }, 300));
} else {
  const cp = require('child_process');
  for (let i = 0; i < 3; i++) cp.spawnSync('sh', ['-c', 'true & exit 0']);
  parentPort.postMessage(cp.execFileSync('echo', ['from a worker']).toString().trim());
}
EOF
run --allow-run=sh,echo --allow-read=/proc worker-spawn.js
expect "a worker spawns; its orphans are waited for" 0 $'^from a worker\nzombies 0$'

# ---- a nested guest's own stdio descriptors past 2 ---------------------------------
cat >"$work/app/fd4.js" <<'EOF'
const cp = require('child_process');
const net = require('net');
if (process.argv[2] === 'child') {
  const pipe = new net.Socket({ fd: 4 });
  pipe.setEncoding('utf8');
  pipe.on('data', (d) => { process.send(d); pipe.destroy(); process.disconnect(); });
  try { new net.Socket({ fd: 9 }); } catch (e) { process.send(e.code); }
} else {
  const child = cp.fork(__filename, ['child'], { stdio: [0, 1, 2, 'ipc', 'pipe'] });
  child.on('message', (m) => console.log('got', m));
  child.stdio[4].write('through fd 4');
}
EOF
run --allow-run=node fd4.js
expect "new net.Socket({fd}) of a descriptor a nested guest was started with, none other" 0 \
  $'^got EBADF\ngot through fd 4$'

# ---- one write quota for the guest and its nested guests ------------------------
mkdir -p "$work/qout"
chmod 777 "$work/qout"
cat >"$work/app/quota.js" <<EOF
const fs = require('fs'), cp = require('child_process');
fs.writeFileSync('$work/qout/a', 'x'.repeat(600));
const r = cp.spawnSync(process.execPath, ['-e', "try { require('fs').writeFileSync('$work/qout/b', 'y'.repeat(600)); console.log('wrote') } catch (e) { console.log(e.code) }"], { encoding: 'utf8' });
console.log(r.stdout.trim());
fs.writeFileSync('$work/qout/c', 'z'.repeat(300));
console.log('parent wrote 300 more');
EOF
run --allow-run=node --allow-write="$work/qout" --write-limit=1000 quota.js
expect "a nested guest takes from the run's write quota" 0 $'^EDQUOT\nparent wrote 300 more$'

summary
