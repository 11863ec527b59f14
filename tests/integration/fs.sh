#!/usr/bin/env bash
# tests/integration/fs.sh — fs behaviour the host-node matrix cannot check:
# APIs host node 20 lacks (fs.glob, Node 22), sandbox-only answers
# (fs.watch*, EACCES on paths outside the grants, /proc), and that the
# callback and promise forms really complete later, from the loop.
# Prints ok/FAIL per check and "N passed, N failed".
#
# usage: tests/integration/fs.sh [--bin PATH]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh"
test_setup fs "$here/../../build/secure-exec-launch" "$@"

# run ARGS...: the launcher with a 30 s limit; sets $out, $err, $rc.
run() {
  out=$(cd "$work" && timeout 30 "$bin" "$@" 2>"$work/.err")
  rc=$?
  err=$(cat "$work/.err")
}

# expect NAME WANT: compares $out with WANT.
expect() {
  if [ "$out" = "$2" ] && [ "$rc" -eq 0 ]; then ok "$1"; else bad "$1" "want: $2" "got:  $out" "rc=$rc err: ${err:0:400}"; fi
}

# ---- glob (Node 22) -------------------------------------------------------------

g="$work/g"
mkdir -p "$g/src/a" "$g/src/.hidden" "$g/lib" "$g/empty"
touch "$g/src/x.js" "$g/src/a/y.js" "$g/src/a/z.ts" "$g/src/.hidden/h.js" "$g/lib/l.js" "$g/top.js" "$g/.dot.js"
ln -s "$g/src" "$g/linked"

run --allow-read="$g" -e "
const fs = require('fs');
const show = (label, list) => console.log(label, JSON.stringify([...list].sort()));
show('star', fs.globSync('*.js', { cwd: '$g' }));
show('globstar', fs.globSync('**/*.js', { cwd: '$g' }));
show('braces', fs.globSync('src/**/*.{js,ts}', { cwd: '$g' }));
show('dir itself', fs.globSync('lib/**', { cwd: '$g' }));
show('array', fs.globSync(['lib/*', 'top.*'], { cwd: '$g' }));
show('exclude fn', fs.globSync('**/*.js', { cwd: '$g', exclude: (p) => p.startsWith('src') }));
show('exclude globs', fs.globSync('**/*.js', { cwd: '$g', exclude: ['src/a/**'] }));
show('absolute', fs.globSync('$g/src/*.js'));
show('dirents', fs.globSync('src/*', { cwd: '$g', withFileTypes: true }).map((d) => d.name + ':' + d.isDirectory() + ':' + (d.parentPath === '$g/src')));
show('none', fs.globSync('nothing/**', { cwd: '$g' }));
fs.glob('*.js', { cwd: '$g' }, (err, m) => {
  show('callback', m);
  (async () => {
    const seen = [];
    for await (const f of fs.promises.glob('lib/*.js', { cwd: '$g' })) seen.push(f);
    show('promises', seen);
  })();
});
"
expect "fs.glob: *, **, braces, dotfiles skipped, symlinked folders not walked, exclude, absolute, dirents, callback, promises" \
'star ["top.js"]
globstar ["lib/l.js","src/a/y.js","src/x.js","top.js"]
braces ["src/a/y.js","src/a/z.ts","src/x.js"]
dir itself ["lib","lib/l.js"]
array ["lib/l.js","top.js"]
exclude fn ["lib/l.js","top.js"]
exclude globs ["lib/l.js","src/x.js","top.js"]
absolute ["'"$g"'/src/x.js"]
dirents ["a:true:true","x.js:false:true"]
none []
callback ["top.js"]
promises ["lib/l.js"]'

run --allow-read="$g/src" -e "console.log(JSON.stringify(require('fs').globSync('$g/src/**/*.ts')))"
expect "fs.glob under a granted folder never lists its parents" "[\"$g/src/a/z.ts\"]"

# ---- deferred and refused ----------------------------------------------------------

# ---- process.chdir ---------------------------------------------------------------------

cdw="$work/cdw"
mkdir -p "$cdw/sub"
echo 'in sub' > "$cdw/sub/f.txt"
chmod -R a+rX "$cdw"
run --allow-read="$cdw" -e "
const fs = require('fs');
process.chdir('$cdw');
process.chdir('sub');
console.log(process.cwd(), fs.readFileSync('f.txt', 'utf8').trim(), require('path').resolve('x'));
for (const d of ['nope', '/etc', '$cdw/sub/f.txt']) {
  try { process.chdir(d); console.log('moved', d); } catch (e) { console.log(e.code, e.syscall); }
}
console.log(process.cwd());"
expect "process.chdir: relative paths follow it; a missing folder, one not granted (EACCES) and a file are refused, cwd unchanged" \
"$cdw/sub in sub $cdw/sub/x
ENOENT chdir
EACCES chdir
ENOTDIR chdir
$cdw/sub"

# ---- fs.watch, watchFile --------------------------------------------------------------

wd="$work/wd"
mkdir -p "$wd/sub" "$work/unseen"
ln -s /etc "$wd/etc-link"
chmod -R a+rwX "$wd"
run --allow-read="$wd" --allow-write="$wd" -e "
const fs = require('fs');
const seen = [];
const w = fs.watch('$wd', (ev, name) => seen.push('dir ' + ev + ' ' + name));
const r = fs.watch('$wd', { recursive: true }, (ev, name) => seen.push('rec ' + ev + ' ' + name));
for (const p of ['/etc', '$wd/etc-link', '$work/unseen']) {
  try { fs.watch(p); console.log('watched', p); } catch (e) { console.log(e.code, e.syscall); }
}
fs.watchFile('$wd/later.txt', { interval: 10 }, (cur, prev) => {
  seen.push('file ' + cur.size + ' ' + prev.size);
  if (cur.size > 0) fs.unwatchFile('$wd/later.txt');
});
setTimeout(() => fs.writeFileSync('$wd/a.txt', 'x'), 50);
setTimeout(() => fs.writeFileSync('$wd/sub/b.txt', 'y'), 100);
setTimeout(() => fs.writeFileSync('$wd/later.txt', 'zz'), 150);
setTimeout(() => {
  w.close();
  r.close();
  const has = (s) => seen.includes(s) ? 'yes' : 'no';
  console.log(has('dir rename a.txt'), has('rec rename a.txt'), has('rec rename sub/b.txt'),
    has('dir rename sub/b.txt'), has('file 0 0'), has('file 2 0'));
}, 400);"
expect "fs.watch (a folder, recursive) and watchFile see the guest's writes; a path not granted, through a link too, is EACCES" \
"EACCES watch
EACCES watch
EACCES watch
yes yes yes no yes yes"

run -e "
const fs = require('fs');
const tryIt = (label, f) => { try { f(); console.log(label, 'ok'); } catch (e) { console.log(label, e.code, e.syscall); } };
tryIt('environ', () => fs.readFileSync('/proc/self/environ'));
tryIt('mem', () => fs.openSync('/proc/self/mem', 'r+'));
tryIt('fd 9', () => fs.fstatSync(9));
tryIt('fd 255', () => fs.readSync(255, Buffer.alloc(1)));
tryIt('close 1', () => fs.closeSync(1));
tryIt('passwd', () => fs.readFileSync('/etc/passwd'));
tryIt('dev', () => fs.readdirSync('/dev'));
fs.readFile('/etc/passwd', (e) => {
  console.log('callback', e.code, e.syscall, e.path);
  fs.promises.stat('/etc').catch((e2) => console.log('promise', e2.code, e2.syscall, e2.path));
});
"
expect "strict: /proc/self/environ, /proc/self/mem, /etc, /dev refused; fds this guest did not open are EBADF; stdio cannot be closed" \
'environ EACCES open
mem EACCES open
fd 9 EBADF fstat
fd 255 EBADF read
close 1 EBADF close
passwd EACCES open
dev EACCES scandir
callback EACCES open /etc/passwd
promise EACCES stat /etc'

# ---- asynchronous for real -----------------------------------------------------------

mkdir -p "$work/rw"
chmod 777 "$work/rw"
run --allow-read="$work/rw" --allow-write="$work/rw" -e "
const fs = require('fs');
const order = [];
fs.writeFile('$work/rw/a', 'x', (e) => { order.push('writeFile cb ' + e); });
fs.promises.readdir('$work/rw').then(() => order.push('readdir promise'));
fs.stat('/etc/passwd', (e) => order.push('denied cb ' + e.code));
order.push('sync end');
setTimeout(() => console.log(order[0], order.length), 200);
"
expect "callback and promise forms complete after the calling code, from the loop (denials too)" "sync end 4"

run --allow-read="$work/rw" --allow-write="$work/rw" -e "
const fsp = require('fs/promises');
(async () => {
  const fh = await fsp.open('$work/rw/h', 'w+');
  await fh.write('hello');
  await fh.close();
  await fh.close();
  try { await fh.read(Buffer.alloc(1), 0, 1, 0); } catch (e) { console.log(e.message, e.code, e.syscall); }
  const ac = new AbortController();
  ac.abort();
  try { await fsp.readFile('$work/rw/h', { signal: ac.signal }); } catch (e) { console.log(e.name, e.code); }
  await fsp.writeFile('$work/rw/it', (async function* () { yield 'a'; yield Buffer.from('b'); })());
  console.log(await fsp.readFile('$work/rw/it', 'utf8'));
  await fsp.lchmod('$work/rw/it', 0o600).catch((e) => console.log(e.code));
})();
"
expect "FileHandle closed twice, use after close, AbortSignal, writeFile from an async iterable, lchmod" \
'file closed EBADF read
AbortError ABORT_ERR
ab
ERR_METHOD_NOT_IMPLEMENTED'

summary
