// node/internal/patch-inspect.js — build-time patch of node-inspect-extracted.
//
// Runs in the host Node that runs esbuild (js/build.mjs), not
// in the guest. patchInspectSource(text) takes the text of
// node_modules/node-inspect-extracted/dist/inspect.js (pinned at 3.3.3,
// minified) and replaces the library's JS stand-ins for V8 natives with calls
// into inspect-natives.js, which reach binding.util at call time. Each
// replacement must match exactly once; any drift (another version of the
// package) throws, so a silent half-patched inspect can never be bundled.
'use strict';

const path = require('path');

const NATIVES = path.join(__dirname, 'inspect-natives.js');

function once(text, pattern) {
  const first = text.indexOf(pattern);
  if (first === -1 || text.indexOf(pattern, first + 1) !== -1) {
    throw new Error(`patchInspectSource: pattern ${JSON.stringify(pattern)} ` +
      'must occur exactly once in node-inspect-extracted/dist/inspect.js ' +
      `(found ${first === -1 ? 0 : 'more than 1'}); is the package still 3.3.3?`);
  }
  return first;
}

function patchInspectSource(text, nativesPath = NATIVES) {
  const req = `require(${JSON.stringify(nativesPath)})`;
  const patches = [
    // The minified names of the library's kPending / kRejected symbols,
    // which getPromiseDetails must return; checked, not changed.
    ['g=p("kPending"),h=p("kRejected")', 'g=p("kPending"),h=p("kRejected")'],
    ['getPromiseDetails:()=>[g,void 0]',
      `getPromiseDetails:t=>${req}.getPromiseDetails(t,g,h)`],
    ['previewEntries:t=>[[],!1]',
      `previewEntries:(t,e)=>${req}.previewEntries(t,e)`],
    ['getProxyDetails:y.getProxyDetails',
      `getProxyDetails:(t,e)=>${req}.getProxyDetails(t,e,y.getProxyDetails)`],
    ['getConstructorName(t){',
      `getConstructorName(t){const __seN=${req}.getConstructorName(t);if(__seN!==void 0)return __seN;`],
    ['getOwnNonIndexProperties:function(t,e=2){',
      `getOwnNonIndexProperties:function(t,e=2){const __seN=${req}.getOwnNonIndexProperties(t,e);if(__seN!==void 0)return __seN;`],
    // The util.types checks inspect destructures from the library's
    // emulation module 499.
    ['isBigIntObject:yn}=n(499),',
      `isBigIntObject:yn}=${req}.types(n(499)),`],
    // Output differences between the library (newer Node) and Node 22:
    // ArrayBuffer / DataView extras print as `byteLength: 4`, not
    // `[byteLength]: 4` (typed arrays' showHidden extras keep brackets).
    ['return t.indentationLvl-=2,`${t.stylize(`[${r}]`,"string")}: ${i}`}',
      'return t.indentationLvl-=2,o?`[${r}]: ${i}`:`${t.stylize(r,"name")}: ${i}`}'],
    ['return n+`{ [byteLength]: ${ur(t.stylize,e.byteLength,!1)} }`',
      'return n+`{ byteLength: ${ur(t.stylize,e.byteLength,!1)} }`'],
    // Symbol keys print in brackets: `[Symbol(s)]: 5`.
    ['if("symbol"==typeof r){const e=jt(On,ae(r),Un);s=t.stylize(e,"symbol")}',
      'if("symbol"==typeof r){const e=jt(On,ae(r),Un);s=`[${t.stylize(e,"symbol")}]`}'],
    // A non-enumerable symbol key (showHidden) keeps one pair of brackets.
    ['return!1===i.enumerable&&(s=`[${s}]`),`${s}:${a}${c}`}',
      'return!1===i.enumerable&&"symbol"!=typeof r&&(s=`[${s}]`),`${s}:${a}${c}`}'],
    // A `[Tag]` differing from the constructor's name is always shown, as
    // Node 22 does (`MyMap(0) [Map] {}`, `SecretKeyObject [KeyObject]`);
    // the library leaves it out when the name contains it.
    ['if(""!==e){const n=t.indexOf(e);if(-1===n)o+=`[${e}] `;else{const r=n+e.length;r!==t.length&&t[r]===t[r].toLowerCase()&&(o+=`[${e}] `)}}return o}',
      '""!==e&&t!==e&&(o+=`[${e}] `);return o}'],
    // A proxy prints as its target, not wrapped in `Proxy(…)`.
    ['if(0!==s)for(let e=0;e<s;e++)u=`${t.stylize("Proxy(","special")}${u}${t.stylize(")","special")}`;', ''],
    ['for(let n=0;n<s;n++)e=`${t.stylize("Proxy(","special")}${e}${t.stylize(")","special")}`;return e',
      'return e'],
  ];
  // [start, end, replacement]: the text from start through end (each found
  // exactly once, end after start) becomes replacement.
  const ranges = [
    // RegExps are plain red, as in Node 22 (not token-highlighted).
    ['regexp:function t(e){',
      '},module:"underline"}),Nn.styles.regexp.colors=["green","red","yellow","cyan","magenta"];const Wn=Nn.styles.regexp.colors.slice();',
      'regexp:"red",module:"underline"});const Wn=[];'],
  ];
  let out = text;
  for (const [start, end, to] of ranges) {
    const a = once(out, start);
    const b = once(out, end);
    if (b < a) throw new Error(`patchInspectSource: ${JSON.stringify(end)} precedes its start`);
    out = out.slice(0, a) + to + out.slice(b + end.length);
  }
  for (const [from, to] of patches) {
    const first = once(out, from);
    out = out.slice(0, first) + to + out.slice(first + from.length);
  }
  return out;
}

module.exports = { patchInspectSource, NATIVES_PATH: NATIVES };
