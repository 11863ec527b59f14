#!/usr/bin/env bash
# tests/integration/permissions.sh — the JS wall's policy through the real
# binary: profiles, --allow-* grants, --app, env filtering, --audit, and the
# broker on every module read (symlink, "..", and /appx escapes refused).
# Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/permissions.sh [--bin PATH]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup permissions "$here/../../build/secure-exec-launch" "$@"

mkdir -p "$work/app" "$work/appx" "$work/outside"
echo 'module.exports = "outside"' > "$work/outside/o.js"
echo 'module.exports = "appx"' > "$work/appx/f.js"
echo 'module.exports = "inside"' > "$work/app/in.js"
ln -s "$work/outside/o.js" "$work/app/link.js"
printf '%s\n' \
  'for (const m of process.argv.slice(2)) {' \
  '  try { console.log(m, require(m)); } catch (e) { console.log(m, e.code); }' \
  '}' > "$work/app/probe.js"

# app_run ARGS...: run with --app from the app folder (a relative script
# is the current folder's), set rc, out, err
app_run() {
  (cd "$work/app" && exec "$bin" --app "$work/app" "$@") > "$work/stdout" 2> "$work/stderr" < /dev/null
  rc=$?
  out=$(cat "$work/stdout")
  err=$(cat "$work/stderr")
}

app_run probe.js ./in.js "$work/outside/o.js" ./link.js ../appx/f.js "$work/app/../outside/o.js"
want="./in.js inside
$work/outside/o.js EACCES
./link.js EACCES
../appx/f.js EACCES
$work/app/../outside/o.js EACCES"
if [ "$out" = "$want" ]; then ok "strict: the app only (symlink, .., /appx refused with EACCES)"; else bad "strict confinement" "got: $out"; fi

app_run --allow-read="$work/outside" probe.js "$work/outside/o.js" ./link.js ../appx/f.js
want="$work/outside/o.js outside
./link.js outside
../appx/f.js EACCES"
if [ "$out" = "$want" ]; then ok "--allow-read grants exactly that folder"; else bad "--allow-read" "got: $out"; fi

app_run -e "try { require('$work/outside/o.js') } catch (e) { console.log(e.message, e.code, e.errno, e.syscall) }"
if [ "$out" = "EACCES: permission denied, open '$work/outside/o.js' (not granted: run with --allow-read=$work/outside/o.js) EACCES -13 open" ]; then
  ok "denial has Node's error shape"
else
  bad "denial shape" "got: $out"
fi

app_run -e 'console.log(process.cwd())'
if [ "$out" = "/app" ]; then ok "--app folder is the guest's cwd, at /app"; else bad "--app cwd" "got: $out"; fi

printf 'fs.read = /app\n\nlimits.heap_mb = lots\n' > "$work/bad.profile"
app_run --profile "$work/bad.profile" -e 1
if [ "$rc" -eq 125 ] && [ "$err" = "secure-exec-launch: $work/bad.profile:3: limits.heap_mb: 'lots' is not a size in MB (24 to 1048576)" ]; then
  ok "bad profile -> 125 with file:line"
else
  bad "bad profile" "exit $rc: $err"
fi
for prof in strict default dev; do
  app_run --profile "$prof" -e 'console.log("ran")'
  if [ "$rc" -eq 0 ] && [ "$out" = ran ]; then ok "--profile $prof"; else bad "--profile $prof" "exit $rc: $err"; fi
done
app_run --profile nosuch -e 1
if [ "$rc" -eq 125 ] && [[ $err == secure-exec-launch:* ]]; then ok "unknown profile -> 125"; else bad "unknown profile" "exit $rc"; fi
app_run --allow-read=relative -e 1
if [ "$rc" -eq 125 ] && [ "$err" = "secure-exec-launch: --allow-read=relative: 'relative' is not an absolute path" ]; then
  ok "bad grant -> 125"
else
  bad "bad grant" "exit $rc: $err"
fi

out=$(env -i HOME=/secret-home PATH=/secret-path NODE_A=1 NODE_B=2 "$bin" --app "$work/app" --allow-env=HOME,NODE_* -e 'console.log(JSON.stringify(process.env))')
if [ "$out" = '{"HOME":"/secret-home","NODE_A":"1","NODE_B":"2"}' ]; then ok "--allow-env passes only the granted names"; else bad "--allow-env" "got: $out"; fi
out=$(env HOME=/h "$bin" --app "$work/app" --profile dev -e 'console.log(process.env.HOME)')
if [ "$out" = "/h" ]; then ok "dev profile opens env"; else bad "dev env" "got: $out"; fi

# Module loading beneath /app asks no broker, but each file the loader
# reads there has its line (rule module-root); fs is decided. Every line
# has the run's id; the run starts and ends with a line of its own; a
# refusal names its wall.
printf '%s\n' "require('fs').readFileSync('./in.js');" "require('./in.js');" \
  "try { require(process.argv[2]); } catch {}" > "$work/app/audit.js"
app_run --audit "$work/audit.jsonl" audit.js "$work/outside/o.js"
if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
keys = {"ts", "run", "domain", "op", "target", "allow", "rule"}
assert lines and all(set(l) - {"wall", "exit_code"} == keys for l in lines), lines[:2]
assert len({l["run"] for l in lines}) == 1 and len(lines[0]["run"]) == 32, lines[0]
assert lines[0]["op"] == "start" and lines[0]["domain"] == "audit" and lines[0]["target"] == "/app/audit.js"
assert lines[-1]["op"] == "end" and lines[-1]["exit_code"] == 0, lines[-1]
assert any(l["domain"] == "fs" and l["allow"] and l["target"] == "/app/in.js" and l["op"] == "open" for l in lines)
loads = [l["target"] for l in lines if l["op"] == "load"]
assert loads == ["/app/audit.js", "/app/in.js"], loads
assert all(l["rule"] == "module-root" and l["allow"] for l in lines if l["op"] == "load")
den = [l for l in lines if l["domain"] == "fs" and not l["allow"]]
assert any(l["target"].endswith("/outside/o.js") for l in den), den
assert all(l["wall"] == "broker" for l in den) and not any("wall" in l for l in lines if l["allow"])
' "$work/audit.jsonl"; then
  ok "--audit: run id, start and end lines, module reads, allowed and denied with their wall"
else
  bad "--audit" "$(head -c 600 "$work/audit.jsonl")"
fi

# Two runs appending to one log are told apart by their run ids.
app_run --audit "$work/audit.jsonl" -e 1
if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
runs = []
for l in lines:
    if l["run"] not in runs: runs.append(l["run"])
assert len(runs) == 2, runs
second = [l for l in lines if l["run"] == runs[1]]
assert second[0]["op"] == "start" and second[0]["target"] == "[eval]" and second[-1]["op"] == "end", second
assert lines.index(second[0]) > max(i for i, l in enumerate(lines) if l["run"] == runs[0])
' "$work/audit.jsonl"; then
  ok "--audit: runs appending to one log have their own run ids"
else
  bad "--audit run ids" "$(tail -c 400 "$work/audit.jsonl")"
fi

# --audit -: the lines go to stderr (no file named "-"), after the
# guest's own output of the same moment; stdout stays the guest's.
(cd "$work" && "$bin" --app "$work/app" --audit - -e 'try { require("fs").readFileSync("/etc/hostname") } catch {} console.log("out")' \
  > "$work/stdout" 2> "$work/stderr" < /dev/null)
rc=$?
if [ "$rc" -eq 0 ] && [ ! -e "$work/-" ] && [ ! -e "$work/app/-" ] && [ "$(cat "$work/stdout")" = out ] &&
   python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["op"] == "start" and lines[-1]["op"] == "end", lines
assert any(l["target"] == "/etc/hostname" and not l["allow"] for l in lines), lines
' "$work/stderr"; then
  ok "--audit -: JSON lines on stderr, no file named -"
else
  bad "--audit -" "exit $rc" "stderr: $(head -c 300 "$work/stderr")" "$(ls "$work")"
fi

# Host variables the guest never names are no decision (no line); a read
# of one it was not given is one denial line however often it reads it,
# one it was given an allowed line; what it sets itself is its own.
env -i HOME=/h UNASKED_SECRET=1 ASKED_SECRET=2 PATH=/usr/bin "$bin" --app "$work/app" --allow-env=HOME \
  --audit "$work/audit-env.jsonl" -e '
process.env.MINE = "x";
console.log(process.env.ASKED_SECRET, process.env.ASKED_SECRET, "ASKED_SECRET" in process.env,
  process.env.HOME, process.env.MINE, process.env.hasOwnProperty("HOME"), JSON.stringify(process.env))' \
  > "$work/stdout" 2> "$work/stderr" < /dev/null
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$work/stdout")" = 'undefined undefined false /h x true {"HOME":"/h","MINE":"x"}' ] &&
   python3 -c '
import json, sys
env = [json.loads(l) for l in open(sys.argv[1])]
env = [(l["target"], l["allow"]) for l in env if l["domain"] == "env"]
assert env == [("ASKED_SECRET", False), ("HOME", True)], env
' "$work/audit-env.jsonl"; then
  ok "--audit: env lines only for the names the guest reads, once each"
else
  bad "--audit env" "exit $rc" "out: $(cat "$work/stdout")" "$(grep -h '"env"' "$work/audit-env.jsonl" | head -c 400)"
fi

# Audit lines are bounded: a long target is cut at 1024 characters of JSON
# and the line says so; a run adds at most 64 MiB to the log, then ends with
# 125, a last line and a stderr line saying why; a log that cannot be
# written ends the run the same way (issue 13, F4).
long="('\\x01'.repeat(200) + '/').repeat(19)"
echo "const L = $long; try { require('fs').statSync('/etc/x' + L); } catch {}" > "$work/app/audit-long.js"
app_run --audit "$work/audit-long.jsonl" audit-long.js
if [ "$rc" -eq 0 ] && python3 -c '
import json, sys
raw = open(sys.argv[1], "rb").read().splitlines()
assert all(len(l) < 4096 for l in raw), max(map(len, raw))
cut = [l for l in map(json.loads, raw) if l.get("truncated")]
assert len(cut) == 1 and cut[0]["target_len"] == len("/etc/x") + 19 * 201 - 1, cut
assert cut[0]["target"].startswith("/etc/x\x01") and len(json.dumps(cut[0]["target"])) <= 1026, cut
' "$work/audit-long.jsonl"; then
  ok "--audit: a long target is cut, the line says so and gives its length"
else
  bad "--audit long target" "exit $rc" "$(tail -c 300 "$work/audit-long.jsonl")"
fi
cat > "$work/app/audit-flood.js" <<EOF
const fs = require('fs'), L = $long;
const t = Date.now();
for (let n = 0; Date.now() - t < 60000; n++) try { fs.statSync('/etc/' + n + L); } catch {}
console.log('not stopped');
EOF
echo '{"earlier":"run"}' > "$work/audit-flood.jsonl"
app_run --audit "$work/audit-flood.jsonl" audit-flood.js
if [ "$rc" -eq 125 ] && [ -z "$out" ] &&
  grep -q '^secure-exec-launch: --audit: the audit log reached its limit for this run (64 MiB)' <<<"$err" &&
  python3 -c '
import json, sys
raw = open(sys.argv[1], "rb").read()
assert 60 << 20 < len(raw) <= (64 << 20) + 18, len(raw)  # its last lines included
lines = [json.loads(l) for l in raw.splitlines()]
assert lines[0] == {"earlier": "run"} and raw.endswith(b"}\n")
stop, end = lines[-2], lines[-1]
assert stop["domain"] == "audit" and stop["op"] == "stop" and stop["limit_bytes"] == 64 << 20, stop
assert end["domain"] == "audit" and end["op"] == "end" and end["exit_code"] == 125, end
assert lines[1]["op"] == "start" and all(l["domain"] != "audit" for l in lines[2:-2])
' "$work/audit-flood.jsonl"; then
  ok "--audit: 64 MiB a run, then a last line, exit 125 and why on stderr"
else
  bad "--audit cap" "exit $rc, out: ${out:0:100}" "err: ${err:0:300}" "$(tail -c 300 "$work/audit-flood.jsonl")"
fi
rm -f "$work/audit-flood.jsonl"
# a log that cannot take a line (a full file system: a 16 KiB tmpfs, as
# root; --audit takes regular files only, so /dev/full is refused up front)
app_run --audit /dev/full -e 'console.log("ran")'
if [ "$rc" -eq 125 ] && [ -z "$out" ] && grep -q 'not a regular file' <<<"$err"; then
  ok "--audit /dev/full: not a regular file (125)"
else
  bad "--audit /dev/full" "exit $rc, out: $out" "err: ${err:0:300}"
fi
if [ "$(id -u)" -eq 0 ] && mkdir -p "$work/full" && mount -t tmpfs -o size=16k tmpfs "$work/full"; then
  head -c 12288 /dev/zero > "$work/full/pad"
  app_run --audit "$work/full/audit.jsonl" -e '
const fs = require("fs");
for (let i = 0; i < 2000; i++) try { fs.readFileSync("/etc/shadow-" + i); } catch {}
console.log("ran")'
  umount "$work/full"
  # (the guest's own lines, which the supervisor appends, fail first: the
  # run is ended there, before its loop is through)
  if [ "$rc" -eq 125 ] && grep -q '^secure-exec-launch: --audit: cannot write the audit log (No space left on device)' <<<"$err" &&
    ! grep -q ran <<<"$out"; then
    ok "--audit: a log that cannot be written ends the run (125), before the guest goes on unlogged"
  else
    bad "--audit on a full file system" "exit $rc, out: ${out:0:100}" "err: ${err:0:300}"
  fi
else
  echo "skip --audit on a full file system: needs root to mount a small tmpfs"
fi

# ---- the fs bridge behind the broker ----------------------------------------

echo "outside secret" > "$work/outside/secret.txt"
mkdir -p "$work/rw"
chmod 777 "$work/rw"
fsprobe="
const fs = require('fs');
const W = process.argv[1], O = process.argv[2];
const r = (label, f) => { try { const v = f(); console.log(label, 'ok' + (v === undefined ? '' : ' ' + String(v).trim())); } catch (e) { console.log(label, e.code); } };
r('read outside', () => fs.readFileSync(O + '/secret.txt', 'utf8'));
r('write rw', () => fs.writeFileSync(W + '/f.txt', 'mine'));
r('read rw', () => fs.readFileSync(W + '/f.txt', 'utf8'));
r('symlink to outside', () => fs.symlinkSync(O + '/secret.txt', W + '/sl'));
r('read through symlink', () => fs.readFileSync(W + '/sl', 'utf8'));
r('stat through symlink', () => fs.statSync(W + '/sl').size);
r('lstat the symlink', () => fs.lstatSync(W + '/sl').isSymbolicLink());
r('hard link to outside', () => fs.linkSync(O + '/secret.txt', W + '/hl'));
r('hard link to own file', () => fs.linkSync(W + '/f.txt', W + '/hl2'));
r('rename out', () => fs.renameSync(W + '/f.txt', O + '/stolen.txt'));
r('copy out', () => fs.copyFileSync(O + '/secret.txt', W + '/copy.txt'));
r('write outside', () => fs.writeFileSync(O + '/new.txt', 'x'));
"
app_run --allow-read="$work/rw" --allow-write="$work/rw" -e "$fsprobe" "$work/rw" "$work/outside"
want="read outside EACCES
write rw ok
read rw ok mine
symlink to outside EACCES
read through symlink ENOENT
stat through symlink ENOENT
lstat the symlink ENOENT
hard link to outside EACCES
hard link to own file ok
rename out EACCES
copy out EACCES
write outside EACCES"
if [ "$out" = "$want" ]; then ok "fs: symlink and hard-link escapes from a writable folder are refused"; else bad "fs escapes" "got: $out" "err: ${err:0:300}"; fi
if [ ! -e "$work/outside/stolen.txt" ] && [ ! -e "$work/outside/new.txt" ] && [ "$(cat "$work/outside/secret.txt")" = "outside secret" ]; then
  ok "fs: nothing outside the grants changed"
else
  bad "fs: outside changed"
fi

app_run -e "try { require('fs').readFileSync('$work/outside/secret.txt') } catch (e) { console.log(e.message, e.code, e.errno, e.syscall, e.path === '$work/outside/secret.txt') }"
if [ "$out" = "EACCES: permission denied, open '$work/outside/secret.txt' (not granted: run with --allow-read=$work/outside/secret.txt) EACCES -13 open true" ]; then
  ok "strict: readFileSync outside -> EACCES naming the grant, Node's code, errno, syscall, path"
else
  bad "strict readFileSync" "got: $out"
fi
app_run --allow-read="$work/outside" -e "console.log(require('fs').readFileSync('$work/outside/secret.txt', 'utf8').trim())"
if [ "$out" = "outside secret" ]; then ok "--allow-read grants readFileSync"; else bad "--allow-read readFileSync" "got: $out $err"; fi

app_run -e "
const fs = require('fs');
for (const p of ['/app/in.js', 'in.js', '$work/app/in.js', '$work/appx/f.js', '../appx/f.js', '/app/../appx/f.js']) {
  try { fs.readFileSync(p); console.log(p.replace('$work', 'W'), 'ok'); } catch (e) { console.log(p.replace('$work', 'W'), e.code); }
}
try { fs.writeFileSync('/app/new.txt', 'x'); console.log('write app ok'); } catch (e) { console.log('write app', e.code); }"
want="/app/in.js ok
in.js ok
W/app/in.js EACCES
W/appx/f.js EACCES
../appx/f.js ENOENT
/app/../appx/f.js ENOENT
write app EACCES"
if [ "$out" = "$want" ]; then ok "fs under strict: the app folder read-only, /appx not granted by /app (the sandbox has no /appx: ENOENT, as the guest may know)"; else bad "fs /appx" "got: $out" "err: ${err:0:300}"; fi


# Which wall refused, and the way out (issue 15, item 4). The broker's
# refusal names the grant (a write below the read-only /app says so); the
# OS wall's refusal after the broker allowed (the host's permissions for
# the sandbox's user: nobody (65534) when run as root, else the invoker)
# names that user and the fix; the audit log has the OS wall's line.
# Node's code, errno, syscall and path stay as they are.
if [ "$(id -u)" -eq 0 ]; then guest_uid=65534; else guest_uid=$(id -u); fi
mkdir -p "$work/app/node_modules/hidden" "$work/locked"
echo 'module.exports = "hidden"' > "$work/app/node_modules/hidden/index.js"
echo 'locked' > "$work/app/locked.txt"
echo 'module.exports = 1' > "$work/app/locked.js"
chmod 000 "$work/app/locked.txt" "$work/app/locked.js" "$work/app/node_modules/hidden"
chmod 555 "$work/locked"
printf '%s\n' "const fs = require('fs');" \
  "const show = (e) => console.log(e.message.replaceAll('$work', 'W') + ' | ' + [e.code, e.errno, e.syscall, e.path].map((v) => String(v).replaceAll('$work', 'W')).join(' '));" \
  "for (const f of [" \
  "  () => fs.writeFileSync('/app/out.txt', 'x')," \
  "  () => fs.writeFileSync('$work/locked/out.txt', 'x')," \
  "  () => fs.readFileSync('locked.txt')," \
  "  () => require('./locked.js')," \
  "  () => require('hidden')," \
  "  () => require('$work/outside/o.js')," \
  "]) {" \
  "  try { f(); console.log('ok'); } catch (e) { show(e); }" \
  "}" > "$work/app/walls.js"
app_run --allow-write="$work/locked" --audit "$work/walls.jsonl" walls.js
fix="the host's file permissions refuse the sandbox's user (uid $guest_uid on the host)"
want="EACCES: permission denied, open '/app/out.txt' (not granted: the app folder /app is read-only; write below /tmp, or to a host folder granted with --allow-write=PATH) | EACCES -13 open /app/out.txt
EACCES: permission denied, open 'W/locked/out.txt' (allowed by the grant, but $fix on W/locked: make it writable by that user, e.g. with chown or chmod o+rwX) | EACCES -13 open W/locked/out.txt
EACCES: permission denied, open 'locked.txt' ($fix on /app/locked.txt: make it readable by that user, e.g. with chown or chmod o+rX) | EACCES -13 open locked.txt
EACCES: permission denied, open '/app/locked.js' ($fix on /app/locked.js: make it readable by that user, e.g. with chown or chmod o+rX) | EACCES -13 open /app/locked.js
Cannot find module 'hidden'
Require stack:
- /app/walls.js
($fix on /app/node_modules/hidden: make it readable by that user, e.g. with chown or chmod o+rX) | MODULE_NOT_FOUND undefined undefined undefined
EACCES: permission denied, open 'W/outside/o.js' (not granted: run with --allow-read=W/outside/o.js) | EACCES -13 open W/outside/o.js"
if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
  ok "EACCES says which wall refused and how to allow it (grant, or the host's permissions and uid)"
else
  bad "EACCES hints" "exit $rc" "got: $out" "want: $want" "err: ${err:0:300}"
fi
if GUEST_UID=$guest_uid python3 -c '
import json, os, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
os_lines = [l for l in lines if l.get("wall") == "os"]
targets = sorted(l["target"] for l in os_lines)
assert targets == sorted([sys.argv[2] + "/locked/out.txt", "/app/locked.txt", "/app/locked.js",
                          "/app/node_modules/hidden/package.json"]), targets
uid = int(os.environ["GUEST_UID"])
assert all(l["rule"] == "host-permissions" and not l["allow"] and l["errno"] == "EACCES" and l["uid"] == uid
           for l in os_lines), os_lines
out = sys.argv[2] + "/locked/out.txt"
first = [i for i, l in enumerate(lines) if l["target"] == out]
assert lines[first[0]]["allow"] and lines[first[1]].get("wall") == "os", [lines[i] for i in first]
den = [l for l in lines if not l["allow"] and l.get("wall") == "broker"]
assert any(l["target"] == "/app/out.txt" for l in den), den
' "$work/walls.jsonl" "$work"; then
  ok "--audit: an OS refusal after the broker allowed is a line with wall os, the errno and the uid"
else
  bad "--audit OS wall lines" "$(grep -h '"wall"' "$work/walls.jsonl" | head -c 800)"
fi
chmod 755 "$work/app/node_modules/hidden" "$work/locked"
chmod 644 "$work/app/locked.txt" "$work/app/locked.js"

# The audit log is the supervisor's: the guest holds no descriptor of it
# (its lines go on a pipe the supervisor checks), so a guest past a V8
# escape cannot rewrite, truncate or forge what is written
rm -f "$work/audit2.jsonl"
app_run --audit "$work/audit2.jsonl" --allow-read=/proc -e '
const fs = require("fs");
const mine = fs.readdirSync("/proc/self/fd").map((n) => { try { return fs.readlinkSync("/proc/self/fd/" + n); } catch { return ""; } });
console.log(mine.some((t) => t.includes("audit2.jsonl")) ? "HOLDS THE LOG" : "no log descriptor");
try { fs.readFileSync("/nope") } catch {}'
if [ "$out" = "no log descriptor" ] && grep -q '"target":"/nope"' "$work/audit2.jsonl" &&
   [ "$(grep -c '"op":"end"' "$work/audit2.jsonl")" -eq 1 ]; then
  ok "--audit: the guest holds no descriptor of the log; its lines come through the supervisor"
else
  bad "--audit descriptor" "got: $out" "$(head -c 600 "$work/audit2.jsonl")"
fi

summary
