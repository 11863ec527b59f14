// node/internal/patch-inspect.js — build-time patch of node-inspect-extracted.
//
// Runs in the host Node that runs esbuild (js/build.mjs, js/test-node/), not
// in the guest. patchInspectSource(text) takes the text of
// node_modules/node-inspect-extracted/dist/inspect.js (pinned at 3.3.3,
// minified) and replaces the library's JS stand-ins for V8 natives with calls
// into inspect-natives.js, which reach binding.util at call time. Each
// replacement must match exactly once; any drift (another version of the
// package) throws, so a silent half-patched inspect can never be bundled.
'use strict';

const path = require('path');

const NATIVES = path.join(__dirname, 'inspect-natives.js');

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
  ];
  let out = text;
  for (const [from, to] of patches) {
    const first = out.indexOf(from);
    if (first === -1 || out.indexOf(from, first + 1) !== -1) {
      throw new Error(`patchInspectSource: pattern ${JSON.stringify(from)} ` +
        `must occur exactly once in node-inspect-extracted/dist/inspect.js ` +
        `(found ${first === -1 ? 0 : 'more than 1'}); is the package still 3.3.3?`);
    }
    out = out.slice(0, first) + to + out.slice(first + from.length);
  }
  return out;
}

module.exports = { patchInspectSource, NATIVES_PATH: NATIVES };
