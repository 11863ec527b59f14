// js/build.mjs — bundles js/bootstrap/main.js and everything it reaches into
// one classic script for the snapshot builder: usage `node js/build.mjs OUT`.
//
// - Bare Node module names (util, buffer, events, stream, ...) are aliased to
//   our wrappers in js/node/ (esbuild aliases cover subpaths such as 'util/'),
//   so npm polyfills get the same instances the guest gets.
// - node-inspect-extracted ships stubs where Node's inspect needs V8
//   internals; the polyfill plugin swaps them for our natives (pinned
//   version: the build fails if the stubs are not found exactly).
// - The output is `(function () { ...; return module.exports; })()`, so the
//   script's completion value is the start function.
// - Target chrome102: the syntax level of V8 10.2.

import * as esbuild from 'esbuild';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = process.argv[2];
const lazyOut = process.argv[3];
if (!out || !lazyOut) {
  console.error('usage: node js/build.mjs OUT.js LAZY.js');
  process.exit(2);
}

// The alias table and the polyfill plugin live with the modules they route
// to (node/internal/build-support.js).
const { nodeAliases, polyfillPlugin, lazyPlugin } = require('./node/internal/build-support.js');
const alias = {
  ...nodeAliases(),
  // npm polyfills (readable-stream) ask for 'process/': the real process.
  process: join(here, 'node', 'internal', 'process-shim.js'),
};

const result = await esbuild.build({
  entryPoints: [join(here, 'bootstrap', 'main.js')],
  bundle: true,
  write: false,
  format: 'cjs',
  platform: 'neutral',
  mainFields: ['main'],
  target: 'chrome102',
  minify: false,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  alias,
  plugins: [polyfillPlugin()],
});

// keepNames keeps Node's names on what esbuild renamed (Buffer3 stays
// `Buffer`), but its helper redefines `name` on every function it wraps,
// and a function declared inside another is wrapped at every call of the
// outer one: a defineProperty per closure (1.5 % of an http server's time
// per request). The helper here leaves alone a function already carrying
// the right name, which is what the redefinition would give it (`name` keeps
// its attributes); the renamed ones get the redefinition as before.
const kNameHelper = 'var __name = (target, value) => __defProp(target, "name", { value, configurable: true });';
function cheapNames(text, what) {
  if (!text.includes(kNameHelper)) {
    console.error(`build.mjs: esbuild's __name helper changed in the ${what} bundle`);
    process.exit(1);
  }
  return text.replace(kNameHelper,
    'var __name = (target, value) => (target.name === value ? target : __defProp(target, "name", { value, configurable: true }));');
}

const body = cheapNames(result.outputFiles[0].text, 'main');
const wrapped = `(function () {\nvar module = { exports: {} }, exports = module.exports;\n${body}\nreturn module.exports;\n})()\n`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, wrapped);
console.log(`bundle: ${out} (${(wrapped.length / 1024).toFixed(0)} KiB)`);

// The lazy bundle (node/internal/build-support.js, lazyPlugin): a script
// whose completion value is `function (require) -> exports`. ASCII only:
// the launcher compiles it from an external one-byte string over the
// embedded bytes (isolate/v8/lazyjs.cc).
const lazy = await esbuild.build({
  entryPoints: [join(here, 'node', 'internal', 'fetch', 'lazy-entry.js')],
  bundle: true,
  write: false,
  format: 'cjs',
  platform: 'neutral',
  mainFields: ['main'],
  target: 'chrome102',
  minify: false,
  keepNames: true,
  legalComments: 'none',
  charset: 'ascii',
  logLevel: 'warning',
  // As Node builds it (user-agent "node"); undici's test and coverage
  // switches, read at load, are never set here.
  define: {
    __UNDICI_IS_NODE__: 'true',
    'process.env.JEST_WORKER_ID': 'undefined',
    'process.env.NODE_V8_COVERAGE': 'undefined',
    'process.env.UNDICI_NO_FG': 'undefined',
  },
  plugins: [lazyPlugin()],
});
// esbuild escapes non-ASCII in code (charset ascii) but keeps comments as
// they are: what is left is in comments (undici's curly quotes).
const lazyBody = cheapNames(lazy.outputFiles[0].text, 'lazy').replace(/[^\x00-\x7f]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const lazyWrapped = `(function (require) {\nvar module = { exports: {} }, exports = module.exports;\n${lazyBody}\nreturn module.exports;\n})\n`;
if (/[^\x00-\x7f]/.test(lazyWrapped)) {
  console.error('build.mjs: the lazy bundle is not ASCII');
  process.exit(1);
}
writeFileSync(lazyOut, lazyWrapped);
console.log(`lazy bundle: ${lazyOut} (${(lazyWrapped.length / 1024).toFixed(0)} KiB)`);
