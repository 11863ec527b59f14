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
if (!out) {
  console.error('usage: node js/build.mjs OUT.js');
  process.exit(2);
}

// The alias table and the polyfill plugin live with the modules they route
// to (node/internal/build-support.js).
const { nodeAliases, polyfillPlugin } = require('./node/internal/build-support.js');
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

const body = result.outputFiles[0].text;
const wrapped = `(function () {\nvar module = { exports: {} }, exports = module.exports;\n${body}\nreturn module.exports;\n})()\n`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, wrapped);
console.log(`bundle: ${out} (${(wrapped.length / 1024).toFixed(0)} KiB)`);
