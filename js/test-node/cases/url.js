'use strict';
const url = require('url');
const util = require('util');
const strip = (s) => s.replace(/\n    at .*/g, '');

const u = new URL('https://user:pa%20ss@example.com:8080/p/a/t/h?query=string&a=1#hash');
console.log(u);
console.log(u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash);
console.log(String(u), JSON.stringify({ u }), u.searchParams.get('a'), u.searchParams === u.searchParams);
u.searchParams.append('b', 'x y');
u.hash = '';
u.port = '443';
console.log(u.href);
u.pathname = '/new path/é';
u.search = '?z=1';
console.log(u.href, [...u.searchParams]);
u.href = 'http://other.org/';
console.log(u.href, u.searchParams.toString());
console.log(new URL('../x?y#z', 'http://a.com/b/c/d'), new URL('//h/p', 'https://base'));
for (const bad of ['foo', 'http://[::1', 'https://exa mple.com']) {
  try { new URL(bad); } catch (e) { console.log(strip(util.inspect(e))); }
}
try { new URL('x', 'bad base'); } catch (e) { console.log(strip(util.inspect(e))); }
try { new URL(); } catch (e) { console.log(e.code, e.message); }
try { u.href = 'nope'; } catch (e) { console.log(e.code, e.message, e.input); }
console.log(URL.canParse('http://x'), URL.canParse('x'), URL.canParse('x', 'http://b'));
for (const s of ['http://EXAMPLE.com/%7Efoo', 'http://xn--nxasmq6b.com', 'http://ÄÖÜ.de/ä', 'file:///C:/a/b', 'file://host/share', 'data:text/plain,hi', 'mailto:a@b.c', 'blob:https://a/b', 'http://1.2.3.4:80/', 'http://[::1]:8080/x', 'ws://a', 'HTTP://A.COM:80', 'http://a/b/../c/./d', 'javascript:alert(1)', 'http://a?b c#d e', 'non-special://host/p']) {
  const x = new URL(s);
  console.log(x.href, '|', x.origin, '|', x.host, '|', x.pathname, '|', x.search);
}
const sp = new URLSearchParams('a=1&b=2&a=3&c=%20x+y&d');
console.log(sp, sp.size, sp.get('a'), sp.getAll('a'), sp.has('d'), sp.has('a', '3'), sp.get('zz'), sp.toString());
sp.delete('a', '1'); sp.set('b', 'new'); sp.sort();
console.log(sp.toString(), [...sp.keys()], [...sp.values()], [...sp.entries()], sp.keys(), sp.entries());
sp.forEach((v, k, o) => console.log('each', k, v, o === sp));
console.log(new URLSearchParams({ x: 1, y: [2, 3] }).toString(), new URLSearchParams([['q', 'é&='], ['r', '']]).toString(), new URLSearchParams('?lead=1').toString());
console.log(new URLSearchParams(sp).toString(), new URLSearchParams(new Map([['m', 'n']])).toString());
console.log(new URLSearchParams({ long1: 'a'.repeat(40), long2: 'b'.repeat(40) }));
console.log(util.inspect({ nested: { u: new URL('http://a') } }, { depth: 0 }), util.inspect({ p: new URLSearchParams('a=1') }, { depth: 0 }));
console.log(Object.prototype.toString.call(u), Object.prototype.toString.call(sp), typeof URL.createObjectURL);

console.log(url.parse('http://user:pw@host.com:8080/p/a/t/h?query=string&a=1#hash'));
console.log(url.parse('http://user:pw@host.com:8080/p/a/t/h?query=string&a=1&a=2#hash', true));
console.log(url.parse('/a?x=1'), url.parse('//foo/bar', false, true), url.parse('mailto:x@y.z'), url.parse('HTTP://X.COM/Y'));
console.log(url.parse('http://a.com/p?'), url.parse('', true), url.parse('javascript:void(0)'), url.parse('http://ex ample.com/a b'));
console.log(url.format({ protocol: 'http', host: 'a.com', pathname: '/x', query: { a: 1, b: [2, 3], c: 'é' } }));
console.log(url.format({ protocol: 'https:', hostname: 'h', port: 8, pathname: 'p', search: '?s', hash: 'h' }), url.format('http://a.com/b?c#d'));
console.log(url.format(new URL('https://u:p@münchen.de:8/p?q#f')), url.format(new URL('https://u:p@münchen.de/p?q#f'), { unicode: true, auth: false, search: false, fragment: false }));
for (const [a, b] of [['http://a/b/c', '../d'], ['/one/two/three', 'four'], ['http://example.com/', '/one'], ['http://example.com/one', '/two'], ['http://a/b', 'https://c/d'], ['http://a/b?x', '?y'], ['http://a/b#x', '#y']]) {
  console.log(url.resolve(a, b));
}
console.log(url.resolveObject('http://a/b/c', '../d').href);
console.log(url.fileURLToPath('file:///tmp/a%20b'), url.fileURLToPath(new URL('file:///x%C3%A9')), url.fileURLToPath('file:///C:/a/b', { windows: true }), url.fileURLToPath('file://srv/sh/x', { windows: true }));
for (const bad of ['http://x', 'file://host/x', 'file:///a%2fb', 5]) {
  try { url.fileURLToPath(bad); } catch (e) { console.log(e.code, e.message); }
}
console.log(url.pathToFileURL('/tmp/a b#?%\\x\n').href, url.pathToFileURL('/tmp/dir/').href, url.pathToFileURL('/tmp/é€').href, url.pathToFileURL('C:\\a\\b c', { windows: true }).href);
console.log(url.pathToFileURL('rel').href === new URL(`file://${process.cwd()}/rel`).href);
console.log(url.urlToHttpOptions(new URL('https://u:p@[::1]:8080/a?b=1#c')), url.urlToHttpOptions(new URL('http://h/')));
console.log(url.domainToASCII('español.com'), JSON.stringify(url.domainToASCII('xn--iñvalid.com')), url.domainToUnicode('xn--espaol-zwa.com'), JSON.stringify(url.domainToUnicode('xn--iñvalid.com')), url.domainToASCII('EXAMPLE.com'), url.domainToASCII('1.2.3.4'));
try { url.parse(5); } catch (e) { console.log(e.code, e.message); }
console.log(typeof url.Url, new url.Url());
