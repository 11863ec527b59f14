// js/build.mjs — bundles js/bootstrap/main.js and everything it reaches into
// one classic script for the snapshot builder: usage `node js/build.mjs OUT`.
//
// - Bare Node module names (util, buffer, events, stream, ...) are aliased to
//   our wrappers in js/node/, so npm polyfills that require('util') get the
//   same instance the guest gets.
// - node-inspect-extracted ships stubs where Node's inspect needs V8
//   internals; patchInspectSource swaps them for our natives (pinned
//   version: the build fails if the stubs are not found exactly).
// - The output is `(function () { ...; return module.exports; })()`, so the
//   script's completion value is the start function.
// - Target chrome102: the syntax level of V8 10.2.

import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
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

const node = (f) => join(here, 'node', f);
const alias = {
  assert: node('assert.js'),
  buffer: node('buffer.js'),
  console: node('console.js'),
  constants: node('constants.js'),
  events: node('events.js'),
  path: node('path.js'),
  process: node('internal/process-shim.js'),
  punycode: node('punycode.js'),
  querystring: node('querystring.js'),
  stream: node('stream.js'),
  'stream/promises': node('stream_promises.js'),
  string_decoder: node('string_decoder.js'),
  tty: node('tty.js'),
  url: node('url.js'),
  util: node('util.js'),
};

const { patchInspectSource } = require('./node/internal/patch-inspect.js');
const inspectDist = /node-inspect-extracted[\\/]dist[\\/]inspect\.js$/;

const sandboxPlugin = {
  name: 'secure-exec',
  setup(build) {
    // Exact bare names only: a polyfill asking for 'util/' or 'buffer/'
    // (the npm package itself, by path) still gets the npm package.
    const names = Object.keys(alias).map((n) => n.replace(/[/]/g, '\\/'));
    const filter = new RegExp(`^(node:)?(${names.join('|')}|process/)$`);
    build.onResolve({ filter }, (args) => {
      const name = args.path.replace(/^node:/, '').replace(/^process\/$/, 'process');
      // A wrapper requiring its own npm package by the same name.
      if (args.importer === alias[name]) return undefined;
      return { path: alias[name] };
    });
    build.onLoad({ filter: inspectDist }, (args) => ({
      contents: patchInspectSource(readFileSync(args.path, 'utf8')),
      loader: 'js',
    }));
  },
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
  plugins: [sandboxPlugin],
});

const body = result.outputFiles[0].text;
const wrapped = `(function () {\nvar module = { exports: {} }, exports = module.exports;\n${body}\nreturn module.exports;\n})()\n`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, wrapped);
console.log(`bundle: ${out} (${(wrapped.length / 1024).toFixed(0)} KiB)`);
