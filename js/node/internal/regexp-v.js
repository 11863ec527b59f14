// node/internal/regexp-v.js — RegExp literals with the `v` flag (ES2024,
// Node 22) in the guest's modules: V8 10.2 has no such flag, so a source
// that has one is rewritten at load, each `/[\p{L}--[a-z]]/v` becoming the
// `u` literal regexpu-core (npm) derives from it, before V8 compiles it.
// A cheap test first: only a source with `/` then flags that include `v`
// loads the lazy bundle "regexp" (node/internal/regexp-v/lazy-entry.js:
// acorn's tokenizer and regexpu-core) and is tokenized. What stays
// different is in docs/node22.md: such a regexp reports `u` in `flags`,
// and `new RegExp(source, 'v')` is V8's SyntaxError naming the flag.
'use strict';

const binding = require('./binding');

// a `/` then regexp flags, one of them `v`, then not a word character
const kCandidate = /\/[dgimsuy]*v[dgimsuy]*(?![\w$])/;

let lazy;
function rewriteRegExpV(source, isModule) {
  if (typeof source !== 'string' || !kCandidate.test(source)) return source;
  if (lazy === undefined) lazy = binding.lazyjs.run('regexp')();
  try {
    return lazy.rewrite(source, isModule);
  } catch {
    return source; // V8 reports what is wrong with it
  }
}

module.exports = { rewriteRegExpV };
