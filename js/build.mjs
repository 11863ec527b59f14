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
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = process.argv[2];
const lazyOut = process.argv[3];
const lazyRegexpOut = process.argv[4];
const lazyTr46Out = process.argv[5];
if (!out || !lazyOut || !lazyRegexpOut || !lazyTr46Out) {
  console.error('usage: node js/build.mjs OUT.js LAZY.js LAZY-REGEXP.js LAZY-TR46.js');
  process.exit(2);
}

// The alias table and the polyfill plugin live with the modules they route
// to (node/internal/build-support.js).
const {
  nodeAliases, polyfillPlugin, lazyPlugin, compactTr46Table, patchTr46Index,
} = require('./node/internal/build-support.js');
const { stackTable } = require('./stack-names.js');
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
// its attributes); the renamed ones get the redefinition as before (its
// descriptor without a prototype, so a guest's Object.prototype.get cannot
// make it an accessor).
const kNameHelper = 'var __name = (target, value) => __defProp(target, "name", { value, configurable: true });';
function cheapNames(text, what) {
  if (!text.includes(kNameHelper)) {
    console.error(`build.mjs: esbuild's __name helper changed in the ${what} bundle`);
    process.exit(1);
  }
  return text.replace(kNameHelper,
    'var __name = (target, value) => (target.name === value ? target : __defProp(target, "name", { __proto__: null, value, configurable: true }));');
}

// Where the name is already the one keepNames would give, its wrapper goes
// at build time: `__name(f, "f");` after `function f`, and the wrapper
// around `function f(...)` or around an arrow or function expression that
// initialises `const f =` (which names it f by itself). What is left (the
// renamed, classes, methods) keeps the helper above. The result is parsed
// again, so a mistake fails the build rather than the guest.
function skipString(t, i) {
  const q = t[i];
  for (i++; i < t.length; i++) {
    if (t[i] === '\\') i++;
    else if (t[i] === q) return i + 1;
    else if (q === '`' && t[i] === '$' && t[i + 1] === '{') i = skipBalanced(t, i + 1) - 1;
  }
  return i;
}
// From an opening bracket at i, the index after its match: strings,
// template literals, comments and regular expressions skipped.
function skipBalanced(t, i) {
  let depth = 0;
  let prev = '(';
  for (; i < t.length; i++) {
    const c = t[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(t, i) - 1;
      prev = 'a';
      continue;
    }
    if (c === '/' && t[i + 1] === '/') {
      i = t.indexOf('\n', i);
      if (i < 0) return t.length;
      continue;
    }
    if (c === '/' && t[i + 1] === '*') {
      i = t.indexOf('*/', i + 2) + 1;
      if (i <= 0) return t.length;
      continue;
    }
    if (c === '/' && '(,=:[!&|?{};+-*%<>~^'.includes(prev)) {
      let inClass = false;
      for (i++; i < t.length; i++) {
        if (t[i] === '\\') i++;
        else if (t[i] === '[') inClass = true;
        else if (t[i] === ']') inClass = false;
        else if (t[i] === '/' && !inClass) break;
      }
      prev = 'a';
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
    if (!/\s/.test(c)) prev = /[\w$]/.test(c) ? 'a' : c;
  }
  return t.length;
}
function stripNoopNames(text) {
  text = text.replace(/^(\s*)__name\(([\w$]+), "([\w$]+)"\);\n/gm, (m, sp, id, name) => (id === name ? '' : m));
  const head = /(?:(?:const|let|var) ([\w$]+) = )?(\/\* @__PURE__ \*\/ )?__name\((?:(async )?function\*? ([\w$]+)\(|(?=\(|async \(|[\w$]+ =>|function\s*\())/g;
  // the wrapper's two ends are cut; the scan goes on inside it
  const cuts = [];
  let m;
  while ((m = head.exec(text)) !== null) {
    const decl = m[1];
    const fnName = m[4];
    const open = m.index + m[0].lastIndexOf('__name(') + '__name'.length;
    const close = skipBalanced(text, open);
    const inner = text.slice(open + 1, close - 1);
    const tail = /, "([\w$]+)"$/.exec(inner);
    const want = tail && tail[1];
    if (!want || (fnName ? fnName !== want : decl !== want)) continue;
    cuts.push([m.index + m[0].indexOf(m[2] || '__name('), open + 1]);
    cuts.push([close - 1 - tail[0].length, close]);
    head.lastIndex = open + 1;
  }
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '';
  let last = 0;
  for (const [from, to] of cuts) {
    out += text.slice(last, from);
    last = to;
  }
  return out + text.slice(last);
}

const body = stripNoopNames(cheapNames(result.outputFiles[0].text, 'main'));
try {
  esbuild.transformSync(body, { loader: 'js', logLevel: 'silent' });
} catch (err) {
  console.error(`build.mjs: the bundle does not parse after its names were kept: ${err.message}`);
  process.exit(1);
}
const head = `(function () {\nvar module = { exports: {} }, exports = module.exports;\n${body}\n`;
// after the modules, so their lines stay those the table names (stack-names.js)
const wrapped = `${head}${stackTable(head)}return module.exports;\n})()\n`;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, wrapped);
console.log(`bundle: ${out} (${(wrapped.length / 1024).toFixed(0)} KiB)`);

// The lazy bundles: scripts whose completion value is `function (require)
// -> exports`. ASCII only: the launcher compiles each from an external
// one-byte string over the embedded bytes (isolate/v8/lazyjs.cc).
const lazyOptions = {
  bundle: true,
  write: false,
  format: 'cjs',
  platform: 'neutral',
  mainFields: ['main'],
  target: 'chrome102',
  minify: false,
  legalComments: 'none',
  charset: 'ascii',
  logLevel: 'warning',
};
function writeLazy(file, text) {
  // esbuild escapes non-ASCII in code (charset ascii) but keeps comments as
  // they are: what is left is in comments (undici's curly quotes).
  const body = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const wrapped = `(function (require) {\nvar module = { exports: {} }, exports = module.exports;\n${body}\nreturn module.exports;\n})\n`;
  if (/[^\x00-\x7f]/.test(wrapped)) {
    console.error(`build.mjs: the lazy bundle ${file} is not ASCII`);
    process.exit(1);
  }
  writeFileSync(file, wrapped);
  console.log(`lazy bundle: ${file} (${(wrapped.length / 1024).toFixed(0)} KiB)`);
}

// "fetch" (node/internal/build-support.js, lazyPlugin): undici, stream/web
const lazy = await esbuild.build({
  ...lazyOptions,
  entryPoints: [join(here, 'node', 'internal', 'fetch', 'lazy-entry.js')],
  keepNames: true,
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
writeLazy(lazyOut, cheapNames(lazy.outputFiles[0].text, 'lazy'));

// "regexp" (node/internal/regexp-v/lazy-entry.js): acorn and regexpu-core,
// whose Unicode property tables are found by a computed require that
// esbuild bundles as a glob once it is relative.
const lazyRegexp = await esbuild.build({
  ...lazyOptions,
  entryPoints: [join(here, 'node', 'internal', 'regexp-v', 'lazy-entry.js')],
  plugins: [{
    name: 'regexpu-tables',
    setup(build) {
      build.onLoad({ filter: /[\\/]regexpu-core[\\/]rewrite-pattern\.js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        const from = 'require(`regenerate-unicode-properties/${ path }.js`)';
        if (!text.includes(from)) throw new Error('regexpu-core: its property table require changed');
        return {
          contents: text.replace(from, 'require(`../regenerate-unicode-properties/${ path }.js`)'),
          loader: 'js',
          resolveDir: dirname(args.path),
        };
      });
    },
  }],
});
writeLazy(lazyRegexpOut, lazyRegexp.outputFiles[0].text);

// "tr46": UTS #46 (npm tr46, with npm punycode), for the host names
// whatwg-url-tr46.js does not take its short path with. Its mapping table
// is 9,000 array literals: in the snapshot, compiled, its strings alone
// were 3,872 of the roots a scavenge visits.
// The table goes in flat, and tr46's findStatus searches it that way
// (build-support.js: compactTr46Table, patchTr46Index).
const lazyTr46 = await esbuild.build({
  ...lazyOptions,
  entryPoints: [require.resolve('tr46')],
  plugins: [{
    name: 'tr46-table',
    setup(build) {
      build.onLoad({ filter: /[\\/]tr46[\\/]lib[\\/]mappingTable\.json$/ }, async (args) => ({
        contents: compactTr46Table(await readFile(args.path, 'utf8')),
        loader: 'js',
      }));
      build.onLoad({ filter: /[\\/]tr46[\\/]index\.js$/ }, async (args) => ({
        contents: patchTr46Index(await readFile(args.path, 'utf8')),
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
    },
  }],
});
writeLazy(lazyTr46Out, lazyTr46.outputFiles[0].text);
