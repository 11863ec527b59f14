// The path check's own walk is no existence or type oracle: a path the
// guest may not see answers the same whether it is a folder, a file or
// not there at all, however it is asked. Past it, a name too long for the
// system (the walk's ENAMETOOLONG came before the broker's refusal); a
// symlink of the guest's own in its private /tmp pointing through it (a
// target that runs through a file stopped the walk at the link, whose own
// stats came back); a trailing slash; require(); a unix socket connect
// through such a link.
'use strict';
const fs = require('fs');
const net = require('net');

const secret = process.argv[2];
const long = 'A'.repeat(300);
const link = '/tmp/se-probe-walk';

function answers(p) {
  const out = [];
  const ask = (what, fn) => {
    try {
      const v = fn();
      out.push(`${what}:${v === undefined ? 'ok' : v}`);
    } catch (e) {
      out.push(`${what}:${e.code}`);
    }
  };
  ask('long', () => { fs.statSync(`${p}/${long}`); });
  ask('long-exists', () => fs.existsSync(`${p}/${long}`));
  ask('long-require', () => { require(`${p}/${long}`); });
  ask('slash', () => { fs.statSync(`${p}/`); });
  for (const tail of ['', '/x', '/x/y', `/${long}`]) {
    try {
      fs.unlinkSync(link);
    } catch { /* not there yet */ }
    fs.symlinkSync(p + tail, link);
    ask(`link${tail.slice(0, 4)}-stat`, () => { fs.statSync(link); });
    ask(`link${tail.slice(0, 4)}-stat/`, () => { fs.statSync(`${link}/`); });
    ask(`link${tail.slice(0, 4)}-lstat/`, () => { fs.lstatSync(`${link}/`); });
    ask(`link${tail.slice(0, 4)}-exists`, () => fs.existsSync(link));
    ask(`link${tail.slice(0, 4)}-access`, () => { fs.accessSync(link); });
    ask(`link${tail.slice(0, 4)}-read`, () => { fs.readFileSync(link); });
    ask(`link${tail.slice(0, 4)}-readdir`, () => { fs.readdirSync(link); });
  }
  return out.join(' ');
}

// the error a unix socket connect through a link to p+tail gets
function connectAnswer(p, tail) {
  try {
    fs.unlinkSync(link);
  } catch { /* not there yet */ }
  fs.symlinkSync(p + tail, link);
  return new Promise((resolve) => {
    const s = net.connect(link);
    s.on('connect', () => { s.destroy(); resolve('connected'); });
    s.on('error', (e) => resolve(e.code));
  });
}

const groups = [
  // [a folder, a file, missing], each outside every grant
  [secret, `${secret}/key.txt`, `${secret}/no-such-thing`],
  ['/etc/ssl', '/etc/passwd', '/etc/no-such-thing'],
  ['/usr/lib', '/usr/bin/env', '/usr/no-such-thing'],
];
(async () => {
  const escapes = [];
  for (const g of groups) {
    const missing = g[g.length - 1];
    const base = answers(missing);
    const baseNet = [await connectAnswer(missing, `/${long}`), await connectAnswer(missing, '/x')].join();
    for (const p of g.slice(0, -1)) {
      const a = answers(p);
      if (a !== base) escapes.push(`${p}: ${a} / ${missing}: ${base}`);
      const n = [await connectAnswer(p, `/${long}`), await connectAnswer(p, '/x')].join();
      if (n !== baseNet) escapes.push(`${p}: connect ${n} / ${missing}: ${baseNet}`);
    }
  }
  console.log(escapes.length ? `ESCAPED ${escapes.join('\n')}` : 'HELD');
})();
