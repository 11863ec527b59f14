// node/internal/build-support.js — what esbuild needs to bundle js/node/.
//
// Build-time only (runs in the host Node that runs esbuild; never bundled).
// nodeAliases(): the bare module names routed to our wrappers, as absolute
// paths, for esbuild's `alias` option (esbuild applies an alias to subpaths
// too, so 'util/' and 'string_decoder/' from npm packages land on the same
// files). polyfillPlugin(): an esbuild plugin that (1) patches
// node-inspect-extracted's dist on load (patch-inspect.js), (2) gives
// readable-stream's stream files the global `process` and (3) redirects
// whatwg-url's lib/encoding.js, which reads the TextEncoder/TextDecoder
// globals at load time, to whatwg-url-encoding.js, and its tr46 to
// whatwg-url-tr46.js (ASCII names itself, the others through the lazy
// bundle "tr46": compactTr46Table, patchTr46Index), (4) gives
// @pkgjs/parseargs our errors and validators (parse-args-shims.js) and (5)
// patches whatwg-url's state machine (patchUrlStateMachine: a handler
// table, the short path of whatwg-url-fast.js) and its URL (the
// URLSearchParams made at first use). Wrappers whose Node name
// equals their npm package's name (util, buffer, events, assert,
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
  async_hooks: 'async_hooks.js',
  buffer: 'buffer.js',
  console: 'console.js',
  constants: 'constants.js',
  diagnostics_channel: 'diagnostics_channel.js',
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
};

function nodeAliases() {
  const out = {};
  for (const [name, file] of Object.entries(MODULES)) out[name] = path.join(NODE_DIR, file);
  for (const [name, file] of Object.entries(NPM_REDIRECTS)) out[name] = path.join(NODE_DIR, file);
  return out;
}

// Where readable-stream 4.7 (Node 18's streams) differs from Node 22's:
// chunks may be any TypedArray or DataView, a default encoding is checked
// when the stream is made (ERR_UNKNOWN_ENCODING), an object-mode write
// gets no encoding, ERR_MULTIPLE_CALLBACK is constructed with `new`, the
// common events get their slots first, end()'s callback gets null. Each
// edit must apply: a changed package fails the build.
const kChunkError = `require(${JSON.stringify(path.join(__dirname, 'errors.js'))}).codes` +
  ".ERR_INVALID_ARG_TYPE('chunk', ['string', 'Buffer', 'TypedArray', 'DataView'], chunk)";
function kEventSlots(names) {
  return `{ ${names.split(' ').map((n) => `${n}: undefined`).join(', ')} }`;
}
const kStreamEdits = [
  ['readable.js', /Stream\._isUint8Array\(chunk\)/g, 'Stream._isArrayBufferView(chunk)'],
  ['writable.js', /Stream\._isUint8Array\(chunk\)/g, 'Stream._isArrayBufferView(chunk)'],
  ['readable.js', /new ERR_INVALID_ARG_TYPE\('chunk', \['string', 'Buffer', 'Uint8Array'\], chunk\)/g, kChunkError],
  ['writable.js', /new ERR_INVALID_ARG_TYPE\('chunk', \['string', 'Buffer', 'Uint8Array'\], chunk\)/g, kChunkError],
  ['readable.js', /this\.defaultEncoding = \(options && options\.defaultEncoding\) \|\| 'utf8'/,
    `this.defaultEncoding = require(${JSON.stringify(path.join(__dirname, 'stream-checks.js'))}).defaultEncoding(options)`],
  ['writable.js', /this\.defaultEncoding = \(options && options\.defaultEncoding\) \|\| 'utf8'/,
    `this.defaultEncoding = require(${JSON.stringify(path.join(__dirname, 'stream-checks.js'))}).defaultEncoding(options)`],
  ['writable.js', /if \(typeof encoding === 'function'\) \{\n    cb = encoding\n    encoding = state\.defaultEncoding\n  \} else \{\n    if \(!encoding\) encoding = state\.defaultEncoding\n/,
    "if (typeof encoding === 'function') {\n    cb = encoding\n    encoding = state.objectMode ? null : state.defaultEncoding\n  } else {\n    if (!encoding) encoding = state.objectMode ? encoding : state.defaultEncoding\n"],
  ['writable.js', /: ERR_MULTIPLE_CALLBACK\(\)\)/, ': new ERR_MULTIPLE_CALLBACK())'],
  // end()'s callback learns of the finish with null (no error), as Node's
  ['writable.js', /onfinishCallbacks\[i\]\(\)\n/, 'onfinishCallbacks[i](null)\n'],
  // the common events' slots made first, in Node's order (eventNames()
  // and util.inspect show them so)
  ['readable.js', /\n  this\._readableState = new ReadableState\(options, this, isDuplex\)/,
    `\n  if (this._events == null) this._events = ${kEventSlots('close error data end readable')}` +
    '\n  this._readableState = new ReadableState(options, this, isDuplex)'],
  ['writable.js', /\n  this\._writableState = new WritableState\(options, this, isDuplex\)/,
    `\n  if (this._events == null) this._events = ${kEventSlots('close error prefinish finish drain')}` +
    '\n  this._writableState = new WritableState(options, this, isDuplex)'],
  ['duplex.js', /\n  Readable\.call\(this, options\)\n  Writable\.call\(this, options\)/,
    `\n  if (this._events == null) this._events = ${kEventSlots('close error prefinish finish drain data end readable')}` +
    '\n  Readable.call(this, options)\n  Writable.call(this, options)'],
  // construction done: the buffered writes go at once, not a tick later
  // (Node 22's fix of out-of-order writes made in an 'open' listener)
  ['destroy.js', /process\.nextTick\(emitConstructNT, stream\)/, 'stream.emit(kConstruct)'],
];

function node22Streams(src, file) {
  for (const [name, pattern, replacement] of kStreamEdits) {
    if (name !== file) continue;
    if (!pattern.test(src)) throw new Error(`build-support: readable-stream's ${name} changed (${pattern})`);
    pattern.lastIndex = 0;
    src = src.replace(pattern, replacement);
  }
  return src;
}

// whatwg-url's url-state-machine.js, two changes (tests/js/url-fast.js
// checks the result against the file as shipped):
// - it found each character's handler by a name built per character
//   (`parse ${state}`): a new string and a string-table lookup in C++ a
//   character, half of a URL's parse. The handlers go in a table by
//   state, built once.
// - basicURLParse of a plain absolute http(s)/ws(s)/ftp URL takes the
//   short path of whatwg-url-fast.js first.
function patchUrlStateMachine(src) {
  const call = 'const ret = this[`parse ${this.state}`](c, cStr);';
  const entry = 'module.exports.basicURLParse = function (input, options) {\n';
  if (!src.includes(call) || !src.includes(entry)) {
    throw new Error("build-support: whatwg-url's state machine changed");
  }
  const fast = JSON.stringify(path.join(__dirname, 'whatwg-url-fast.js'));
  return `${src
    .replace(call, 'const ret = stateParsers[this.state].call(this, c, cStr);')
    .replace(entry, `${entry}  if (options === undefined || (options.baseURL == null && options.url === undefined &&
      options.stateOverride === undefined && options.encodingOverride === undefined)) {
    const parsed = fastParse(input);
    if (parsed !== undefined) return parsed;
  }
`)}
const stateParsers = Object.create(null);
for (const name of Object.getOwnPropertyNames(URLStateMachine.prototype)) {
  if (name.startsWith("parse ")) stateParsers[name.slice(6)] = URLStateMachine.prototype[name];
}
const fastParse = require(${fast}).makeFastParse({ parseHost, failure, specialSchemes });
`;
}

// tr46 for the lazy bundle "tr46" (js/build.mjs). Its mapping table is
// 9,185 nested arrays ([[start, end] or start, status, mapping?]): 4-9 ms
// to build from JSON, more from a literal, at the first host name that
// needs tr46, and as JSON in an ASCII bundle (every mapping \u-escaped) 4
// ms more to compile. The ranges cover every code point in order, so here
// the table is three ASCII strings read in place, nothing built when tr46
// loads: each range's last code point (four base-36 digits), each status
// (a digit), each mapping's code points (base 36, "." between them, "-"
// for the empty mapping; "," between mappings). tr46's findStatus becomes
// the binary search below over them; tests/js/tr46-table.js compares it
// with the original for every code point.
function compactTr46Table(json) {
  const table = JSON.parse(json);
  let ends = '';
  let statuses = '';
  const mappings = [];
  let next = 0;
  for (const entry of table) {
    const [from, to] = Array.isArray(entry[0]) ? entry[0] : [entry[0], entry[0]];
    if (from !== next || to < from || entry.length > 3 || !(entry[1] >= 0 && entry[1] <= 9)) {
      throw new Error(`build-support: tr46's table is not what compactTr46Table reads at ${JSON.stringify(entry)}`);
    }
    next = to + 1;
    ends += to.toString(36).padStart(4, '0');
    statuses += String(entry[1]);
    if (entry.length < 3) mappings.push('');
    else if (entry[2] === '') mappings.push('-');
    else mappings.push(Array.from(entry[2], (c) => c.codePointAt(0).toString(36)).join('.'));
  }
  if (next !== 0x110000) throw new Error("build-support: tr46's table does not end at U+10FFFF");
  return `'use strict';
const ends = ${JSON.stringify(ends)};
const statuses = ${JSON.stringify(statuses)};
const mappings = ${JSON.stringify(mappings.join(','))}.split(',');
const count = statuses.length;
function digit(c) {
  return c <= 57 ? c - 48 : c - 87;
}
function endOf(i) {
  const at = i * 4;
  return ((digit(ends.charCodeAt(at)) * 36 + digit(ends.charCodeAt(at + 1))) * 36 +
    digit(ends.charCodeAt(at + 2))) * 36 + digit(ends.charCodeAt(at + 3));
}
// [status] or [status, mapping] of the range holding the code point
function findStatus(val) {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const first = mid === 0 ? 0 : endOf(mid - 1) + 1;
    if (val < first) {
      hi = mid - 1;
    } else if (val > endOf(mid)) {
      lo = mid + 1;
    } else {
      const status = statuses.charCodeAt(mid) - 48;
      const m = mappings[mid];
      if (m === '') return [status];
      if (m === '-') return [status, ''];
      return [status, String.fromCodePoint(...m.split('.').map((c) => parseInt(c, 36)))];
    }
  }
  return null;
}
module.exports = { findStatus };
`;
}

function patchTr46Index(src) {
  const load = 'const mappingTable = require("./lib/mappingTable.json");\n';
  const start = src.indexOf('function findStatus(val) {\n');
  const end = src.indexOf('\nfunction mapChars(', start);
  if (!src.includes(load) || start < 0 || end < 0) throw new Error("build-support: tr46's index.js changed");
  return `${src.slice(0, start)}function findStatus(val) {
  return mappingTable.findStatus(val);
}
${src.slice(end)}`;
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
      // readable-stream binds `process` from require('process/') (the
      // forwarding proxy of process-shim.js): every nextTick of a stream
      // went through the proxy's get trap. Its stream files use `process`
      // only inside functions, so the line goes and the name is the global.
      build.onLoad({ filter: /[\\/]readable-stream[\\/]lib[\\/]internal[\\/]streams[\\/][^\\/]+\.js$/ }, async (args) => {
        const src = await fs.promises.readFile(args.path, 'utf8');
        return {
          contents: node22Streams(src.replace(/^const process = require\('process\/'\)$/m, ''), path.basename(args.path)),
          loader: 'js',
          resolveDir: path.dirname(args.path),
        };
      });
      build.onResolve({ filter: /^\.\/internal\/(errors|validators)$/ }, (args) => {
        if (!/[\\/]@pkgjs[\\/]parseargs$/.test(args.resolveDir)) return undefined;
        return { path: path.join(__dirname, 'parse-args-shims.js') };
      });
      // assert's loose comparison: NaN equals NaN, as in Node 18+
      build.onLoad({ filter: /[\\/]assert[\\/]build[\\/]internal[\\/]util[\\/]comparisons\.js$/ }, async (args) => {
        const src = await fs.promises.readFile(args.path, 'utf8');
        const loose = /return val1 == val2;\n/;
        if (!loose.test(src)) throw new Error("build-support: assert's comparisons.js changed");
        return {
          contents: src.replace(loose, 'return val1 == val2 || (numberIsNaN(val1) && numberIsNaN(val2));\n'),
          loader: 'js',
          resolveDir: path.dirname(args.path),
        };
      });
      build.onResolve({ filter: /^\.\/encoding(\.js)?$/ }, (args) => {
        if (!/[\\/]whatwg-url[\\/]lib$/.test(args.resolveDir)) return undefined;
        return { path: path.join(__dirname, 'whatwg-url-encoding.js') };
      });
      build.onResolve({ filter: /^tr46$/ }, (args) => {
        if (!/[\\/]whatwg-url[\\/]lib$/.test(args.resolveDir)) return undefined;
        return { path: path.join(__dirname, 'whatwg-url-tr46.js') };
      });
      build.onLoad({ filter: /[\\/]whatwg-url[\\/]lib[\\/]url-state-machine\.js$/ }, async (args) => ({
        contents: patchUrlStateMachine(await fs.promises.readFile(args.path, 'utf8')),
        loader: 'js',
        resolveDir: path.dirname(args.path),
      }));
      // whatwg-url's URL made the URLSearchParams of its query with every
      // URL (the query parsed, UTF-8 encoded and decoded, two objects
      // made), searchParams read or not. It is made at its first use
      // here, from the query as it is then: the setters that change the
      // query (href, search) replace its list at once, so it holds what
      // it would have held.
      build.onLoad({ filter: /[\\/]whatwg-url[\\/]lib[\\/]URL-impl\.js$/ }, async (args) => {
        const src = await fs.promises.readFile(args.path, 'utf8');
        const made = [
          '    this._query = URLSearchParams.createImpl(globalObject, [query], { doNotStripQMark: true });\n',
          '    this._query._url = this;\n',
        ].join('');
        const getHref = '  get href() {\n';
        if (!src.includes(made) || src.indexOf(getHref) < 0) {
          throw new Error("build-support: whatwg-url's URL-impl.js changed");
        }
        const lazy = [
          '  get _query() {',
          '    if (this._queryMade === null) {',
          '      const query = this._url.query !== null ? this._url.query : "";',
          '      this._queryMade = URLSearchParams.createImpl(this._globalObject, [query], { doNotStripQMark: true });',
          '      this._queryMade._url = this;',
          '    }',
          '    return this._queryMade;',
          '  }',
          '',
        ].join('\n');
        return {
          contents: src.replace(made, '    this._globalObject = globalObject;\n    this._queryMade = null;\n')
            .replace(getHref, lazy + getHref),
          loader: 'js',
          resolveDir: path.dirname(args.path),
        };
      });
    },
  };
}

// ---- the lazy bundle (build/js/lazy.js) -------------------------------------
//
// undici and the web streams, compiled at their first use rather than in
// the snapshot (isolate/v8/lazyjs.cc). It is a separate script, so it
// shares modules with the main bundle through the `require` it is called
// with (node/internal/fetch/index.js): a Node module name (bare or
// `node:`) becomes an external `builtin:NAME`, served by the loader's
// builtins; a file of js/node/ outside the lazy set an external
// `se:PATH` (relative to js/node/). The lazy set is bundled into it:
// stream_web.js and the stand-in undici alone gets for a module the
// sandbox does not offer (internal/fetch/: perf_hooks' performance);
// worker_threads is the real one (its MessagePort for MessageEvent's
// checks).

const NODE_BUILTINS = new Set([
  'assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console', 'constants',
  'crypto', 'dgram', 'diagnostics_channel', 'dns', 'domain', 'events', 'fs', 'http', 'http2',
  'https', 'inspector', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'punycode',
  'querystring', 'readline', 'repl', 'stream', 'string_decoder', 'sys', 'timers', 'tls',
  'trace_events', 'tty', 'url', 'util', 'v8', 'vm', 'wasi', 'worker_threads', 'zlib',
]);

const LAZY_SHIMS = {
  perf_hooks: 'internal/fetch/perf-hooks.js',
  'stream/web': 'stream_web.js',
};

const LAZY_OWN = new Set([
  'stream_web.js', 'internal/fetch/lazy-entry.js', 'internal/shell/repl.js',
  'internal/test_runner/index.js', 'internal/test_runner/runner.js',
  'internal/test_runner/mock.js', 'internal/test_runner/reporters.js',
  ...Object.values(LAZY_SHIMS),
]);

// undici compiles its HTTP parser (llhttp, WebAssembly) with the async
// WebAssembly.compile/instantiate when its client module loads. The
// sandbox's loop runs V8's foreground tasks only when it wakes for
// something else, so an async compile finishing on a worker thread would
// wait for the next I/O or timer; the synchronous forms give the same
// module at once (llhttp is ~50 KB). Exact matches: the build fails when
// undici's text changes.
const UNDICI_PATCHES = [
  ['mod = await WebAssembly.compile(require(\'../llhttp/llhttp_simd-wasm.js\'))',
    'mod = new WebAssembly.Module(require(\'../llhttp/llhttp_simd-wasm.js\'))'],
  ['mod = await WebAssembly.compile(llhttpWasmData || require(\'../llhttp/llhttp-wasm.js\'))',
    'mod = new WebAssembly.Module(llhttpWasmData || require(\'../llhttp/llhttp-wasm.js\'))'],
  ['return await WebAssembly.instantiate(mod, {', 'return new WebAssembly.Instance(mod, {'],
];

function patchUndiciClientH1(source) {
  let out = source;
  for (const [from, to] of UNDICI_PATCHES) {
    if (out.split(from).length !== 2) {
      throw new Error(`build-support: undici's client-h1.js changed (no single "${from}")`);
    }
    out = out.replace(from, to);
  }
  return out;
}

function lazyPlugin() {
  return {
    name: 'secure-exec-lazy-bundle',
    setup(build) {
      build.onLoad({ filter: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h1\.js$/ }, async (args) => ({
        contents: patchUndiciClientH1(await fs.promises.readFile(args.path, 'utf8')),
        loader: 'js',
        resolveDir: path.dirname(args.path),
      }));
      build.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
        const name = args.path.replace(/^node:/, '');
        if (LAZY_SHIMS[name]) return { path: path.join(NODE_DIR, LAZY_SHIMS[name]) };
        if (NODE_BUILTINS.has(name.split('/')[0])) return { path: `builtin:${name}`, external: true };
        return undefined;
      });
      build.onResolve({ filter: /^\./ }, (args) => {
        const rel = path.relative(NODE_DIR, args.resolveDir);
        if (rel.startsWith('..') || rel.split(path.sep).includes('node_modules')) return undefined;
        let file = path.resolve(args.resolveDir, args.path);
        if (!file.endsWith('.js')) file += fs.existsSync(`${file}.js`) ? '.js' : '/index.js';
        const key = path.relative(NODE_DIR, file);
        if (LAZY_OWN.has(key)) return { path: file };
        return { path: `se:${key}`, external: true };
      });
    },
  };
}

module.exports = {
  MODULES, nodeAliases, polyfillPlugin, lazyPlugin, patchUrlStateMachine, compactTr46Table, patchTr46Index, NODE_DIR,
};
