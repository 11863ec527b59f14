'use strict';
const q = require('querystring');
for (const s of ['', '&', '&&a=1', '=', 'a', 'a=', '=b', 'a=1&a=2&a=3', 'a+b=c+d', '%zz=%41', 'a=%E9', '__proto__=1&constructor=2', 'a=1;b=2', '&=&=x', 'a==b', ' a = b ', 'x=%E2%82%AC&y=%F0%9F%98%80', 'a=%', 'a=%4', 'toString=1', 'a[b]=c', 'a=1&&&b=2&']) {
  console.log(JSON.stringify(s), q.parse(s));
}
console.log(q.parse('a:1;b:2', ';', ':'), q.parse('a=1&b=2&c=3', null, null, { maxKeys: 2 }), q.parse('a=1', '', ''), q.parse('a=1&b=2', '&', '=', { maxKeys: 0 }));
console.log(q.parse('a=%41', null, null, { decodeURIComponent: (s) => s.toLowerCase() }), q.parse('a=b', null, null, { decodeURIComponent: () => { throw new Error('x'); } }));
console.log(q.parse('a<>1||b<>2', '||', '<>'));
console.log(q.stringify({ a: [1, 2], b: 'x y', c: true, d: null, e: undefined, f: {}, g: 1n, h: NaN, i: [], j: 'é€😀' }));
console.log(q.stringify({ a: 1 }, ';', ':'), q.stringify('x'), q.stringify(null), q.stringify({ 'k y': 'v' }, null, null, { encodeURIComponent: (s) => s.toUpperCase() }));
console.log(q.escape('a b&é~!*()\''), q.unescape('%E9%zz+'), q.unescape('a+b', true), q.unescapeBuffer('a%20b+c', true), q.encode === q.stringify, q.decode === q.parse);
try { q.escape('\ud800'); } catch (e) { console.log(e.name, e.code, e.message); }
console.log(q.escape(5), q.escape({ toString() { return 'o k'; } }));
