// "name/." is the folder itself: operations that take the name itself
// (rmdir, unlink, rename, lchown, lutimes, a recursive mkdir, symlink)
// follow a symlink there, so the broker must decide on where it points.
// A symlink of the guest's own in its private /tmp to a place outside
// every grant: nothing there may be removed, moved, changed, made, read
// or listed through "link/.", "link/./" or "link/.."; and the answers
// must be the same whether the place is a folder, a file or not there.
'use strict';
const fs = require('fs');

const secret = process.argv[2];
const link = '/tmp/se-probe-dots';

function attempts(target) {
  try {
    fs.unlinkSync(link);
  } catch { /* not there yet */ }
  fs.symlinkSync(target, link);
  const out = [];
  let done = 0;
  const ask = (what, fn) => {
    try {
      const v = fn();
      done++;
      out.push(`${what}:${v === undefined ? 'ok' : JSON.stringify(v)}`);
    } catch (e) {
      out.push(`${what}:${e.code}`);
    }
  };
  for (const tail of ['/.', '/./', '/./.']) {
    const p = link + tail;
    ask(`rmdir${tail}`, () => fs.rmdirSync(p));
    ask(`unlink${tail}`, () => fs.unlinkSync(p));
    ask(`rename${tail}`, () => fs.renameSync(p, '/tmp/se-probe-moved'));
    ask(`rename-onto${tail}`, () => fs.renameSync('/tmp/se-probe-src', p));
    ask(`rm-r${tail}`, () => fs.rmSync(p, { recursive: true, force: true }));
    ask(`chmod${tail}`, () => fs.chmodSync(p, 0o777));
    ask(`lchown${tail}`, () => fs.lchownSync(p, 0, 0));
    ask(`lutimes${tail}`, () => fs.lutimesSync(p, 1, 1));
    ask(`utimes${tail}`, () => fs.utimesSync(p, 1, 1));
    ask(`mkdir${tail}`, () => fs.mkdirSync(p));
    ask(`mkdir-p${tail}`, () => fs.mkdirSync(p, { recursive: true }));
    ask(`mkdir-p-sub${tail}`, () => fs.mkdirSync(`${p}/sub`, { recursive: true }));
    ask(`symlink${tail}`, () => fs.symlinkSync('/tmp', p));
    ask(`link${tail}`, () => fs.linkSync('/tmp/se-probe-src', p));
    ask(`stat${tail}`, () => fs.statSync(p).isDirectory());
    ask(`lstat${tail}`, () => fs.lstatSync(p).isDirectory());
    ask(`exists${tail}`, () => fs.existsSync(p));
    ask(`readdir${tail}`, () => fs.readdirSync(p));
    ask(`read${tail}`, () => fs.readFileSync(p, 'utf8'));
    ask(`readlink${tail}`, () => fs.readlinkSync(p));
    ask(`realpath-native${tail}`, () => fs.realpathSync.native(p));
    ask(`write${tail}`, () => fs.writeFileSync(p, 'x'));
    ask(`mkdtemp${tail}`, () => fs.mkdtempSync(`${p}/t-`));
    ask(`cp${tail}`, () => {
      fs.rmSync('/tmp/se-probe-copy', { recursive: true, force: true });
      fs.cpSync(p, '/tmp/se-probe-copy', { recursive: true });
      return fs.readdirSync('/tmp/se-probe-copy');
    });
  }
  // stat/exists of the guest's own link are the guest's own business
  return { text: out.filter((s) => !/^(stat|lstat|exists|realpath-native)/.test(s)).join(' '), done, out };
}

fs.writeFileSync('/tmp/se-probe-src', 'src');
const escapes = [];
const missing = attempts(`${secret}/no-such-thing`);
for (const target of [secret, `${secret}/key.txt`, '/etc/ssl', '/usr/lib']) {
  const a = attempts(target);
  const opened = a.out.filter((s) => !/:E[A-Z]+$/.test(s) &&
    !/^(stat|lstat|exists|realpath-native)/.test(s) && !/^(rm-r)/.test(s));
  if (opened.length) escapes.push(`${target}: ${opened.join(' ')}`);
  if (target.startsWith(secret) && a.text !== missing.text) {
    escapes.push(`${target}: ${a.text}\n  / missing: ${missing.text}`);
  }
}
console.log(escapes.length ? `ESCAPED ${escapes.join('\n')}` : 'HELD');
