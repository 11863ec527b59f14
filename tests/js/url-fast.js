// tests/js/url-fast.js — whatwg-url's url-state-machine.js as the build
// patches it (js/node/internal/build-support.js: the handler table and the
// short path of js/node/internal/whatwg-url-fast.js) against the file as
// shipped: the same URL record, or the same failure, for each of a seeded
// random set of URLs built from parts that meet each rule of the short
// path (schemes, slashes, hosts, ports, dot segments, characters each
// part percent-encodes, spaces and controls around and inside). Runs in
// the reference node: `node tests/js/url-fast.js`. Prints a line per
// differing record and "1 passed, 0 failed" (one check over all of them).
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');
const js = path.join(__dirname, '..', '..', 'js');
const file = path.join(js, 'node_modules', 'whatwg-url', 'lib', 'url-state-machine.js');
const { patchUrlStateMachine } = require(path.join(js, 'node', 'internal', 'build-support.js'));

const shipped = require(file);

// the patched file, compiled as a module of its own beside the shipped one;
// the short path's answers are counted as it is made
const fastModule = require(path.join(js, 'node', 'internal', 'whatwg-url-fast.js'));
const make = fastModule.makeFastParse;
let shortPath = 0;
fastModule.makeFastParse = (parts) => {
  const parse = make(parts);
  return (input) => {
    const r = parse(input);
    if (r !== undefined) shortPath++;
    return r;
  };
};
const patched = new Module(file, module);
patched.filename = file;
patched.paths = Module._nodeModulePaths(path.dirname(file));
patched._compile(patchUrlStateMachine(fs.readFileSync(file, 'utf8')), file);
fastModule.makeFastParse = make;

let seed = 12345;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const pick = (list) => list[rand(list.length)];
const schemes = ['http', 'https', 'HTTP', 'hTtPs', 'ws', 'wss', 'ftp', 'file', 'foo', 'h-t', 'constructor', '1http', ''];
const slashes = ['://', '://', '://', ':/', ':', ':///', ':\\\\', ':/\\'];
const hosts = ['example.com', 'EXAMPLE.com', 'a.b.c', '1.2.3.4', '0x7f.1', '256.1.1.1', '1.2.3', 'a..b', 'a.',
  'xn--bcher-kva.de', 'xn--a.com', 'h%41st', 'h%2e', '%2e', 'a%zz', '[::1]', '[1:2::3]', 'user@host', 'u:p@h',
  '@h', '', 'a b', '\u00fc.com', '09.1', 'foo.0x10', 'a^b', 'a|b', 'a<b', "a'b", 'a!b', 'a~b', 'localhost', '[x'];
const ports = ['', '', '', ':', ':80', ':443', ':21', ':0', ':65535', ':65536', ':0080', ':8a', ':-1',
  ':99999999999999999999', ':80:90'];
const paths = ['', '', '/', '/a/b', '/a/b/', '//x', '/./a', '/a/..', '/a/.', '/%2e/', '/%2E%2e/x', '/.%2e/y', '/.a',
  '/a..b', '/...', '/a b', '/a"b', '/a<b>', '/a`b', '/a{b}', '/a^b', '/a|b', '/a%20b', '/a\\b', "/a'b", '/\u00fc',
  '/a;b=c', '/[x]', '/C:/x', '/a\tb', '/a\nb'];
const queries = ['', '', '?', '?a=1&b=2', "?a'b", '?a"b', '?a<b', '?a b', '?a?b', '?a`b', '?%zz', '?\u00fc',
  '?{}', '?a^b', '?a\\b'];
const fragments = ['', '', '#', '#f', '#a#b', '#a`b', '#a b', '#a<b', '#?x', "#a'b", '#a{b}', '#\u00fc'];
const around = ['', '', '', '', ' ', '\t', '\u0000', '\u001f', '\n'];

const show = (r) => (typeof r === 'symbol' ? 'failure' : JSON.stringify(r));
let same = 0;
let fail = 0;
// every other URL of parts the short path takes, with at most one part of
// the full lists: the short path answers, or refuses, at each boundary
const plain = {
  schemes: ['http', 'https', 'HTTP', 'ws', 'wss', 'ftp'],
  hosts: ['example.com', 'EXAMPLE.com', 'a.b.c', '1.2.3.4', '0x7f.1', 'h%41st', 'xn--bcher-kva.de', 'localhost', 'a!b'],
  ports: ['', '', ':', ':80', ':443', ':21', ':0', ':65535', ':0080'],
  paths: ['', '/', '/a/b', '/a/b/', '//x', '/.a', '/a..b', '/...', '/a%20b', '/a;b=c', '/[x]', '/a|b'],
  queries: ['', '?', '?a=1&b=2', '?a?b', '?%zz', '?{}', '?a^b'],
  fragments: ['', '#', '#f', '#a#b', '#?x', "#a'b", '#a{b}'],
};
function plainURL() {
  const parts = [pick(plain.schemes), '://', pick(plain.hosts), pick(plain.ports), pick(plain.paths),
    pick(plain.queries), pick(plain.fragments)];
  const full = [schemes, slashes, hosts, ports, paths, queries, fragments];
  const k = rand(10);
  if (k < full.length) parts[k] = pick(full[k]);
  return parts.join('');
}
for (let i = 0; i < 40000; i++) {
  let url;
  if (i % 2 === 0) {
    url = plainURL();
  } else {
    url = pick(schemes) + pick(slashes) + pick(hosts) + pick(ports) + pick(paths) + pick(queries) + pick(fragments);
    url = pick(around) + url + pick(around);
  }
  for (const options of [undefined, { baseURL: null }]) {
    const want = show(shipped.basicURLParse(url, options));
    const got = show(patched.exports.basicURLParse(url, options));
    if (got === want) {
      same++;
    } else {
      fail++;
      if (fail <= 20) console.log(`FAIL ${JSON.stringify(url)}: ${got}, shipped ${want}`);
    }
  }
}
// the short path must have answered for a good share, or this tests nothing
if (shortPath < 10000) {
  fail++;
  console.log(`FAIL the short path answered only ${shortPath} times`);
}
console.log(`${same} of ${same + fail} records as the shipped parser's; the short path answered ${shortPath}`);
console.log(fail === 0 ? '1 passed, 0 failed' : '0 passed, 1 failed');
process.exitCode = fail === 0 ? 0 : 1;
