// node/internal/regexp-v/lazy-entry.js — the entry of the lazy bundle
// "regexp" (build/js/lazy-regexp.js, js/build.mjs): acorn's tokenizer finds
// the regular expression literals with the `v` flag (ES2024 unicode sets,
// which V8 10.2 lacks) in a module's source and regexpu-core (npm) rewrites
// each to the `u` pattern that matches the same strings. Not in the
// snapshot: Unicode's property tables alone are 2 MB, and only a source
// that has such a literal loads it (node/internal/regexp-v.js).
'use strict';

const acorn = require('acorn');
const rewritePattern = require('regexpu-core');

// rewrite(source, isModule) -> the source with each `/.../v` literal
// replaced; throws acorn's SyntaxError if the source does not tokenize
function rewrite(source, isModule) {
  const edits = [];
  const tokens = acorn.tokenizer(source, {
    ecmaVersion: 'latest',
    sourceType: isModule ? 'module' : 'script',
    allowHashBang: true,
    allowReturnOutsideFunction: !isModule,
    allowAwaitOutsideFunction: true,
  });
  for (const token of tokens) {
    if (token.type !== acorn.tokTypes.regexp || !token.value.flags.includes('v')) continue;
    const { pattern, flags } = token.value;
    const out = rewritePattern(pattern, flags, { unicodeSetsFlag: 'transform' });
    edits.push([token.start, token.end, `/${out}/${flags.replace('v', 'u')}`]);
  }
  if (edits.length === 0) return source;
  let text = '';
  let last = 0;
  for (const [start, end, literal] of edits) {
    text += source.slice(last, start) + literal;
    last = end;
  }
  return text + source.slice(last);
}

module.exports = { rewrite };
