#!/usr/bin/env bash
# tests/integration/quota.sh — the write quota of host grants
# (limits.write_bytes, limits.write_files, --write-limit,
# --write-files-limit), seen from outside: what the host folder holds
# afterwards, Node's error shape of the refusals in the sync, callback and
# promise forms, the private /tmp left out, RLIMIT_FSIZE as the backstop
# (EFBIG, the guest lives on), the keys in --print-profile and their
# errors. Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/quota.sh [--bin PATH]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup quota "$here/../../build/secure-exec-launch" "$@"

mkdir -p "$work/app" "$work/rw"
head -c 20000 /dev/zero >"$work/app/seed"
chmod 777 "$work/rw"
rw="$work/rw"

# run ARGS...: the launcher in the app folder with rw granted; sets $out, $err, $rc.
run() {
  out=$(cd "$work/app" && timeout 30 "$bin" --allow-read="$rw" --allow-write="$rw" "$@" 2>"$work/.err")
  rc=$?
  err=$(cat "$work/.err")
}

# expect NAME WANT: compares $out with WANT.
expect() {
  if [ "$out" = "$2" ] && [ "$rc" -eq 0 ]; then ok "$1"; else bad "$1" "want: $2" "got:  $out" "rc=$rc err: ${err:0:400}"; fi
}

# ---- bytes ---------------------------------------------------------------------------

rm -rf "${rw:?}"/*
run --write-limit 10000 -e "
const fs = require('fs');
const show = (e) => console.log(e.message, e.code, e.errno, e.syscall, e.path);
fs.writeFileSync('$rw/a', Buffer.alloc(6000));
try { fs.writeFileSync('$rw/b', Buffer.alloc(6000)); } catch (e) { show(e); }
fs.appendFile('$rw/a', Buffer.alloc(5000), (e) => {
  show(e);
  fs.promises.copyFile('/app/seed', '$rw/c').catch(show).then(() => {
    fs.appendFileSync('$rw/a', Buffer.alloc(4000));
    console.log(fs.statSync('$rw/a').size);
  });
});"
expect "bytes: sync, callback and promise forms refused with Node's EDQUOT shape" \
  "EDQUOT: disk quota exceeded, write EDQUOT -122 write undefined
EDQUOT: disk quota exceeded, write EDQUOT -122 write undefined
EDQUOT: disk quota exceeded, copyfile '/app/seed' -> '$rw/c' EDQUOT -122 copyfile /app/seed
10000"
total=$(find "$rw" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
if [ "$total" -eq 10000 ] && [ ! -e "$rw/c" ] && [ "$(stat -c %s "$rw/b")" -eq 0 ]; then
  ok "bytes: the host folder holds the quota, a refused write wrote nothing"
else
  bad "bytes: host folder" "$(ls -l "$rw")"
fi

# ---- files ---------------------------------------------------------------------------

rm -rf "${rw:?}"/*
run --write-files-limit 5 -e "
const fs = require('fs');
let made = 0;
try { for (;;) { fs.writeFileSync('$rw/f' + made, 'x'); made++; } } catch (e) { console.log(made, e.message); }
fs.writeFileSync('$rw/f0', 'again');
fs.rmSync('$rw/f0');
for (const f of [() => fs.mkdirSync('$rw/d'), () => fs.symlinkSync('f1', '$rw/s'), () => fs.linkSync('$rw/f1', '$rw/h'), () => fs.mkdtempSync('$rw/t-')])
  try { f(); } catch (e) { console.log(e.code, e.syscall); }"
expect "files: creations counted, reopening and removing give nothing back" \
  "5 EDQUOT: disk quota exceeded, open '$rw/f5'
EDQUOT mkdir
EDQUOT symlink
EDQUOT link
EDQUOT mkdtemp"
n=$(find "$rw" -mindepth 1 | wc -l)
if [ "$n" -eq 4 ]; then ok "files: the host folder holds what the quota allowed"; else bad "files: host folder" "$n entries"; fi

# ---- what does not count -------------------------------------------------------------

rm -rf "${rw:?}"/*
run --allow-write=/tmp,/dev/null --write-limit 1000 --write-files-limit 2 -e "
const fs = require('fs');
for (let i = 0; i < 10; i++) fs.writeFileSync('/tmp/f' + i, Buffer.alloc(100000));
fs.mkdirSync('/tmp/a/b/c/d', { recursive: true });
fs.writeFileSync('$rw/in', Buffer.alloc(1000));
fs.writeFileSync('/dev/null', Buffer.alloc(100000));
console.log('ok');"
expect "the private /tmp and a granted device do not count" "ok"

rm -rf "${rw:?}"/*
printf '%s\n' 'fs.read = /app' 'limits.write_bytes = 0' 'limits.write_files = 0' >"$work/none.profile"
run --profile "$work/none.profile" -e "
const fs = require('fs');
for (let i = 0; i < 2000; i++) fs.writeFileSync('$rw/f' + i, Buffer.alloc(50000));
console.log('ok');"
expect "0 is no quota" "ok"

# ---- statfs: the grant's room is the quota's ------------------------------------------

rm -rf "${rw:?}"/*
run --write-limit 1048576 --write-files-limit 16 -e "
const fs = require('fs');
const show = (s) => console.log(s.bsize * s.blocks, s.bsize * s.bavail, s.files, s.ffree);
show(fs.statfsSync('$rw'));
fs.writeFileSync('$rw/a', Buffer.alloc(409600));
fs.mkdirSync('$rw/d');
show(fs.statfsSync('$rw'));
const app = fs.statfsSync('/app');
console.log(app.blocks, app.bfree, app.bavail, app.files, app.ffree);"
expect "statfs: a host write grant shows the quota's room, /app no host disk" \
  "1048576 1048576 16 16
1048576 638976 16 14
0 0 0 0 0"

# ---- the OS backstop -----------------------------------------------------------------

rm -rf "${rw:?}"/*
printf '%s\n' 'fs.read = /app' 'limits.tmpfs_mb = 1' 'limits.write_bytes = 1048576' >"$work/small.profile"
run --profile "$work/small.profile" -e "
const fs = require('fs');
const fd = fs.openSync('$rw/f', 'w');
try { fs.writeSync(fd, Buffer.from('x'), 0, 1, 2 << 20); } catch (e) { console.log(e.code); }
console.log(fs.writeSync(fd, Buffer.alloc(100), 0, 100, (1 << 20) - 10));"
expect "RLIMIT_FSIZE: a write past it fails with EFBIG (SIGXFSZ ignored), a write across it is short" \
  "EFBIG
10"

# ---- keys, flags, errors -------------------------------------------------------------

out=$("$bin" --profile default --print-profile | grep '^limits.write')
rc=0
expect "default profile in --print-profile" "limits.write_bytes = 268435456
limits.write_files = 10000"
out=$("$bin" --write-limit 5 --write-files-limit 6 --print-profile | grep '^limits.write')
expect "strict profile, flags override" "limits.write_bytes = 5
limits.write_files = 6"

printf '%s\n' 'fs.read = /app' 'limits.write_bytes = 64MB' >"$work/bad.profile"
run --profile "$work/bad.profile" -e 1
if [ "$rc" -eq 125 ] && [ "$err" = "secure-exec-launch: $work/bad.profile:2: limits.write_bytes: '64MB' is not a byte count (0 to 2^40)" ]; then
  ok "bad limits.write_bytes -> 125 with file:line"
else
  bad "bad limits.write_bytes" "rc=$rc err: $err"
fi
run --write-files-limit=-1 -e 1
if [ "$rc" -eq 125 ] && [ "$err" = "secure-exec-launch: --write-files-limit: '-1' is not a count (0 to 2^32; 0: no quota)" ]; then
  ok "bad --write-files-limit -> 125"
else
  bad "bad --write-files-limit" "rc=$rc err: $err"
fi
out=$("$bin" --profile strict --write-limit 0 --write-files-limit=0 --print-profile | grep '^limits.write' | tr '\n' ' ')
if [ "$out" = "limits.write_bytes = 0 limits.write_files = 0 " ]; then
  ok "--write-limit 0 and --write-files-limit 0: no quota"
else
  bad "--write-limit 0" "got: $out"
fi

# a host write grant under /tmp moved by renaming its folder in the private
# /tmp: its new path names no grant, its files are still the host's and
# still counted (decided by the filesystem as well as the path)
hw=$(mktemp -d /tmp/se-quota-move.XXXXXX)
mkdir -p "$hw/out" && chmod -R 777 "$hw"
out=$("$bin" --allow-write=/tmp,"$hw/out" --allow-read=/tmp --write-limit 1000 -e "
  const fs = require('fs');
  fs.renameSync('/tmp/$(basename "$hw")', '/tmp/moved');
  try { fs.writeFileSync('/tmp/moved/out/big', 'x'.repeat(50000)); console.log('written'); }
  catch (e) { console.log(e.code); }" 2>&1)
size=$(stat -c %s "$hw/out/big" 2>/dev/null || echo 0)
if [ "$out" = "EDQUOT" ] && [ "$size" -le 1000 ]; then
  ok "a host grant moved by a rename in /tmp still counts against the quota"
else
  bad "quota after a rename" "got: $out, $size bytes on the host"
fi
rm -rf "$hw"

summary
