// tests/js/tr46-ascii.js — the short path of js/node/internal/whatwg-url-tr46.js
// (ASCII host names) against tr46 itself, which the bundle uses for every
// other name: the same answer for each name of a generated set under every
// combination of the options that path reads (hyphens, STD3, DNS length),
// and the two answers whatwg-url and the legacy url.parse ask for. Runs in
// the reference node: `node tests/js/tr46-ascii.js`. Prints a line per
// differing answer and "1 passed, 0 failed" (one check over all of them).
'use strict';
const path = require('path');
const js = path.join(__dirname, '..', '..', 'js');
const tr46 = require(path.join(js, 'node_modules', 'tr46'));
// the shim loads tr46 from the lazy bundle through the bridge; here, from npm
require(path.join(js, 'node', 'internal', 'binding.js')).lazyjs = { run: () => () => tr46 };
const shim = require(path.join(js, 'node', 'internal', 'whatwg-url-tr46.js'));

// labels that meet each rule, joined into names of one to four labels
const labels = ['', 'a', 'A', 'ab', 'Ab-C', '-a', 'a-', '-', '--', 'ab--c', 'a--', 'xn--', 'XN--bcher-kva',
  'xn--bcher-kva', 'xn--a', 'xn--ls8h', 'a_b', 'a b', 'a*b', 'a%b', 'a~b', '0', '09', '0x7f', '255',
  'a'.repeat(63), 'b'.repeat(64), '\x00', '\x7f', 'a\tb', 'Z9', "a'b", 'a!$&()+,;=b'];
const l63 = 'x'.repeat(63);
const names = new Set(['', '.', '..', 'x'.repeat(253), `${l63}.${l63}.${l63}.${'y'.repeat(61)}`,
  `${l63}.${l63}.${l63}.${'y'.repeat(62)}`, `${l63}.${l63}.${l63}.${'y'.repeat(61)}.`]);
for (const a of labels) {
  names.add(a);
  for (const b of labels) {
    names.add(`${a}.${b}`);
    names.add(`${a}.${b}.`);
  }
}
for (let i = 0; i < 2000; i++) {
  const n = 1 + (i % 4);
  const parts = [];
  for (let j = 0; j < n; j++) parts.push(labels[(i * 7 + j * 13) % labels.length]);
  names.add(parts.join('.'));
}

let same = 0;
let fail = 0;
function check(name, options) {
  const want = tr46.toASCII(name, options);
  const got = shim.toASCII(name, options);
  if (got === want) {
    same++;
  } else {
    fail++;
    if (fail <= 20) console.log(`FAIL ${JSON.stringify(name)} ${JSON.stringify(options)}: ${JSON.stringify(got)}, tr46 ${JSON.stringify(want)}`);
  }
}
for (const name of names) {
  for (const checkHyphens of [false, true]) {
    for (const useSTD3ASCIIRules of [false, true]) {
      for (const verifyDNSLength of [false, true]) {
        check(name, { checkHyphens, checkBidi: true, checkJoiners: true, useSTD3ASCIIRules,
          transitionalProcessing: false, verifyDNSLength, ignoreInvalidPunycode: false });
      }
    }
  }
  check(name, undefined);
}
console.log(`${same} of ${same + fail} answers as tr46's`);
console.log(fail === 0 ? '1 passed, 0 failed' : '0 passed, 1 failed');
process.exitCode = fail === 0 ? 0 : 1;
