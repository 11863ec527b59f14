// tests/js/tr46-table.js — tr46 as the lazy bundle "tr46" carries it
// (js/node/internal/build-support.js: compactTr46Table, patchTr46Index)
// against tr46 as shipped: findStatus gives the same status and mapping
// for every code point, U+0000 to U+10FFFF, and toASCII and toUnicode the
// same answer for a set of names with mapped, deviating, disallowed,
// ignored and right-to-left characters. Runs in the reference node:
// `node tests/js/tr46-table.js`. Prints a line per difference and
// "1 passed, 0 failed" (one check over all of them).
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');
const js = path.join(__dirname, '..', '..', 'js');
const dir = path.join(js, 'node_modules', 'tr46');
const { compactTr46Table, patchTr46Index } = require(path.join(js, 'node', 'internal', 'build-support.js'));

// index.js compiled from SOURCE beside the shipped one, findStatus exported;
// TABLE, when given, is what its require of the mapping table returns
function compile(source, table) {
  const file = path.join(dir, 'index.js');
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(dir);
  if (table !== undefined) {
    m.require = (id) => (id === './lib/mappingTable.json' ? table : Module.prototype.require.call(m, id));
  }
  m._compile(`${source}\nmodule.exports.findStatus = findStatus;\n`, file);
  return m.exports;
}
const source = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
const shipped = compile(source);
const tableFile = path.join(dir, 'lib', 'compact-table.js');
const tableModule = new Module(tableFile, module);
tableModule._compile(compactTr46Table(fs.readFileSync(path.join(dir, 'lib', 'mappingTable.json'), 'utf8')), tableFile);
const compact = compile(patchTr46Index(source), tableModule.exports);

let same = 0;
let fail = 0;
function check(what, got, want) {
  if (got === want) {
    same++;
  } else {
    fail++;
    if (fail <= 20) console.log(`FAIL ${what}: ${got}, shipped ${want}`);
  }
}
for (let cp = 0; cp <= 0x10ffff; cp++) {
  check(`findStatus(U+${cp.toString(16)})`, JSON.stringify(compact.findStatus(cp)), JSON.stringify(shipped.findStatus(cp)));
}
const names = ['bücher.de', 'BÜCHER.DE', 'faß.de', 'ﬁ.com', 'a\u00adb.com', 'ＡＢＣ.com', 'مثال.إختبار',
  'a\u200cb.com', 'a\u200db.com', 'é.xn--bcher-kva.de', '\u0301a.com', 'xn--ls8h.la', '💩.la', '\u2488.com',
  'a\u3002b', 'ß.ς.σ', 'ǅ', 'xn--a.com', 'xn--zca.com', '\ud800.com', '\u0000.com', 'a.\u05d0', '\u05d0.1',
  'I\u0307.com', 'example.com'];
for (const name of names) {
  for (const transitionalProcessing of [false, true]) {
    const options = { checkBidi: true, checkJoiners: true, checkHyphens: false, useSTD3ASCIIRules: false,
      transitionalProcessing, verifyDNSLength: false };
    check(`toASCII(${JSON.stringify(name)})`, JSON.stringify(compact.toASCII(name, options)),
      JSON.stringify(shipped.toASCII(name, options)));
    check(`toUnicode(${JSON.stringify(name)})`, JSON.stringify(compact.toUnicode(name, options)),
      JSON.stringify(shipped.toUnicode(name, options)));
  }
}
console.log(`${same} of ${same + fail} answers as shipped tr46's`);
console.log(fail === 0 ? '1 passed, 0 failed' : '0 passed, 1 failed');
process.exitCode = fail === 0 ? 0 : 1;
