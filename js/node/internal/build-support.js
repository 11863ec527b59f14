// node/internal/build-support.js — what esbuild needs to bundle js/node/.
//
// Build-time only (runs in the host Node that runs esbuild; never bundled).
// nodeAliases(): the bare module names routed to our wrappers, as absolute
// paths, for esbuild's `alias` option (esbuild applies an alias to subpaths
// too, so 'util/' and 'string_decoder/' from npm packages land on the same
// files). polyfillPlugin(): an esbuild plugin that (1) patches
// node-inspect-extracted's dist on load (patch-inspect.js) and (2) redirects
// whatwg-url's lib/encoding.js, which reads the TextEncoder/TextDecoder
// globals at load time, to whatwg-url-encoding.js. Wrappers whose Node name
// equals their npm package's name (util, buffer, events, assert, url,
// punycode, string_decoder) reach the package by a relative path into
// js/node_modules, which no alias touches.
'use strict';

const fs = require('fs');
const path = require('path');
const { patchInspectSource } = require('./patch-inspect');

const NODE_DIR = path.resolve(__dirname, '..');

// Node module name -> file in js/node/.
const MODULES = {
  assert: 'assert.js',
  'assert/strict': 'assert_strict.js',
  buffer: 'buffer.js',
  console: 'console.js',
  constants: 'constants.js',
  events: 'events.js',
  fs: 'fs.js',
  'fs/promises': 'fs_promises.js',
  path: 'path.js',
  'path/posix': 'path_posix.js',
  'path/win32': 'path_win32.js',
  punycode: 'punycode.js',
  querystring: 'querystring.js',
  stream: 'stream.js',
  'stream/promises': 'stream_promises.js',
  string_decoder: 'string_decoder.js',
  tty: 'tty.js',
  url: 'url.js',
  sys: 'util.js',
  util: 'util.js',
  'util/types': 'util_types.js',
};

// npm package names that must resolve to our modules too.
const NPM_REDIRECTS = {
  'abort-controller': 'internal/abort.js',
  qs: 'internal/qs-shim.js',
};

function nodeAliases() {
  const out = {};
  for (const [name, file] of Object.entries(MODULES)) out[name] = path.join(NODE_DIR, file);
  for (const [name, file] of Object.entries(NPM_REDIRECTS)) out[name] = path.join(NODE_DIR, file);
  return out;
}

function polyfillPlugin() {
  return {
    name: 'secure-exec-node-polyfills',
    setup(build) {
      build.onLoad({ filter: /[\\/]node-inspect-extracted[\\/]dist[\\/]inspect\.js$/ }, async (args) => ({
        contents: patchInspectSource(await fs.promises.readFile(args.path, 'utf8')),
        loader: 'js',
        resolveDir: path.dirname(args.path),
      }));
      build.onResolve({ filter: /^\.\/encoding(\.js)?$/ }, (args) => {
        if (!/[\\/]whatwg-url[\\/]lib$/.test(args.resolveDir)) return undefined;
        return { path: path.join(__dirname, 'whatwg-url-encoding.js') };
      });
    },
  };
}

module.exports = { MODULES, nodeAliases, polyfillPlugin, NODE_DIR };
