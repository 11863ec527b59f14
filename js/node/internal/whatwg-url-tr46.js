// node/internal/whatwg-url-tr46.js — stands in for tr46 (UTS #46, the
// host names of URLs) where whatwg-url's url-state-machine.js, the legacy
// url.parse and url.domainToUnicode ask for it (see build-support.js).
//
// Two things tr46 itself does badly here:
// - Its mapping table is about 9,000 nested array literals. Loaded into
//   the snapshot, each array and each string in it was an object V8 10.2
//   visits as a root in every scavenge (the startup object cache, 16,634
//   entries of which the table was 8,474); even compiled and not run, its
//   strings were 3,872 of the shared heap object cache's. tr46 is the lazy
//   bundle "tr46" (js/build.mjs, isolate/v8/lazyjs.cc), compiled and run
//   at the first name that needs it.
// - A name of ASCII alone (nearly every name) still goes through its
//   general path: a table search per character, NFC, the bidi and joiner
//   rules, 18-25 us a name even on host node. For ASCII the table maps
//   A-Z to a-z and leaves the rest valid, no character is a combining mark,
//   a joiner or right-to-left, and NFC changes nothing, so what is left of
//   UTS #46 is below: the hyphen, STD3 and length rules. A label that
//   starts with "xn--" is decoded and checked by tr46 itself.
'use strict';

const binding = require('./binding');

let tr46;
function noRequire(id) {
  throw new Error(`lazy bundle tr46: no module ${id}`);
}
function real() {
  if (tr46 === undefined) tr46 = binding.lazyjs.run('tr46')(noRequire);
  return tr46;
}

const NON_ASCII = /[^\x00-\x7f]/;
const STD3 = /^[a-z0-9-]*$/;

// tr46.toASCII of an ASCII name, or undefined when a label is punycode
function asciiToASCII(name, checkHyphens, useSTD3ASCIIRules, verifyDNSLength) {
  const mapped = name.toLowerCase();
  const labels = mapped.split('.');
  let error = false;
  for (const label of labels) {
    if (label.startsWith('xn--')) return undefined;
    if (label.length === 0) continue;
    if (checkHyphens &&
        ((label[2] === '-' && label[3] === '-') || label[0] === '-' || label[label.length - 1] === '-')) {
      error = true;
    }
    if (useSTD3ASCIIRules && !STD3.test(label)) error = true;
  }
  if (verifyDNSLength) {
    if (mapped.length > 253 || mapped.length === 0) error = true;
    for (const label of labels) {
      if (label.length > 63 || label.length === 0) {
        error = true;
        break;
      }
    }
  }
  return error ? null : mapped;
}

function toASCII(name, options) {
  if (typeof name === 'string' && !NON_ASCII.test(name)) {
    const o = options || {};
    const out = asciiToASCII(name, !!o.checkHyphens, !!o.useSTD3ASCIIRules,
      !!o.verifyDNSLength);
    if (out !== undefined) return out;
  }
  return real().toASCII(name, options);
}

module.exports = {
  toASCII,
  toUnicode: (name, options) => real().toUnicode(name, options),
};
