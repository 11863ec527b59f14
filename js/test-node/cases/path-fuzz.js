'use strict';
// Deterministic random paths over a small alphabet, every path function,
// both flavours.
const path = require('path');

let seed = 12345;
function rnd(n) {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}
const atoms = ['a', 'b', 'C:', 'c:', '.', '..', '/', '\\', '//', '\\\\', 'x.y', '.z', 'srv', ':', 'con', 'CON:', 'a:', '...', ' '];
function gen() {
  let s = '';
  const n = rnd(6);
  for (let i = 0; i < n; i++) s += atoms[rnd(atoms.length)];
  return s;
}
const cwd = process.cwd();
const wcwd = cwd.replace(/\//g, '\\');
const clean = (v) => (typeof v === 'string' ? v.split(cwd).join('<cwd>').split(wcwd).join('<wcwd>').split(cwd.slice(1)).join('<c>').split(wcwd.slice(1)).join('<wc>') : v);
const lines = [];
for (let i = 0; i < 4000; i++) {
  const a = gen();
  const b = gen();
  for (const style of ['posix', 'win32']) {
    const p = path[style];
    const out = [];
    for (const fn of ['normalize', 'isAbsolute', 'dirname', 'basename', 'extname', 'toNamespacedPath']) out.push(clean(p[fn](a)));
    out.push(p.parse(a));
    out.push(clean(p.join(a, b)), clean(p.resolve(a, b)), clean(p.relative(a, b)), p.basename(a, b));
    lines.push(`${style} ${JSON.stringify([a, b])} ${JSON.stringify(out)}`);
  }
}
console.log(lines.join('\n'));
