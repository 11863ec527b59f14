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
if [ "$out" = "EACCES: permission denied, open '$work/outside/o.js' EACCES -13 open" ]; then
  ok "denial has Node's error shape"
else
  bad "denial shape" "got: $out"
fi

app_run -e 'console.log(process.cwd())'
if [ "$out" = "/app" ]; then ok "--app folder is the guest's cwd, at /app"; else bad "--app cwd" "got: $out"; fi

printf 'fs.read = /app\n\nlimits.heap_mb = lots\n' > "$work/bad.profile"
app_run --profile "$work/bad.profile" -e 1
if [ "$rc" -eq 125 ] && [ "$err" = "secure-exec-launch: $work/bad.profile:3: limits.heap_mb: 'lots' is not a size in MB (16 to 1048576)" ]; then
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

# Module loading beneath /app asks no broker (nothing to audit); fs does.
printf '%s\n' "require('fs').readFileSync('./in.js');" \
  "try { require(process.argv[2]); } catch {}" > "$work/app/audit.js"
app_run --audit "$work/audit.jsonl" audit.js "$work/outside/o.js"
if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
keys = {"ts", "domain", "op", "target", "allow", "rule"}
assert lines and all(set(l) == keys for l in lines), lines[:2]
assert any(l["domain"] == "fs" and l["allow"] and l["target"] == "/app/in.js" for l in lines)
assert not any(l["target"] == "/app/audit.js" for l in lines), "module loads are not brokered"
assert any(l["domain"] == "fs" and not l["allow"] and l["target"].endswith("/outside/o.js") for l in lines)
' "$work/audit.jsonl"; then
  ok "--audit: valid JSON lines, allowed and denied"
else
  bad "--audit" "$(head -c 300 "$work/audit.jsonl")"
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
assert 60 << 20 < len(raw) <= (64 << 20) + 18, len(raw)
lines = [json.loads(l) for l in raw.splitlines()]
assert lines[0] == {"earlier": "run"} and raw.endswith(b"}\n")
end = lines[-1]
assert end["domain"] == "audit" and end["op"] == "stop" and end["limit_bytes"] == 64 << 20, end
assert all(l["domain"] != "audit" for l in lines[1:-1])
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
  if [ "$rc" -eq 125 ] && grep -q '^secure-exec-launch: --audit: cannot write the audit log (No space left on device)' <<<"$err"; then
    ok "--audit: a log that cannot be written ends the run (125)"
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
if [ "$out" = "EACCES: permission denied, open '$work/outside/secret.txt' EACCES -13 open true" ]; then ok "strict: readFileSync outside -> EACCES"; else bad "strict readFileSync" "got: $out"; fi
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
../appx/f.js EACCES
/app/../appx/f.js EACCES
write app EACCES"
if [ "$out" = "$want" ]; then ok "fs under strict: the app folder read-only, /appx not granted by /app"; else bad "fs /appx" "got: $out" "err: ${err:0:300}"; fi

summary
