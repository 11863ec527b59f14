'use strict';
// ES modules, as Node 22 loads them: ESM resolution over URLs (no extension
// or index probing; "exports"/"imports" with the import conditions; file:,
// data: and node: only), formats by extension and package "type" (with
// module-syntax detection for typeless .js), and the module graph on V8's
// module API (binding.esm, isolate/v8/modules.cc).
//
// A graph is built synchronously: every module of it is read, compiled and
// linked before V8 instantiates it, so V8's resolve callback only looks up
// links, and require(esm) can use the same path. CommonJS, JSON and
// builtins enter the graph as synthetic modules; CommonJS names come from
// cjs-module-lexer, as in Node. import() and import.meta arrive from V8
// through the handlers installed by init().
//
// Files are read through the same bridge as require() (module.c), so the
// broker sees every path.

const binding = require('../node/internal/binding');
const dcChannels = require('../node/internal/dc-channels');
const { rewriteRegExpV } = require('../node/internal/regexp-v');
const path = require('path');
const { URL, pathToFileURL, fileURLToPath } = require('url');
const { makeNodeError } = require('../node/internal/errors');
const { exportsResolve, importsResolve } = require('./package-map');
const lexer = require('cjs-module-lexer');
const loader = require('./loader');

const { Module, resolverFs } = loader;
const { stat, readPackage, readPackageScope, toRealPath } = resolverFs;

const esmConditions = ['node', 'import', 'module-sync'];

// V8's Module::Status
const kInstantiated = 2;
const kEvaluating = 3;
const kEvaluated = 4;
const kErrored = 5;

// url -> { url, format, id, children, linked }
const records = new Map();
const byId = new Map(); // V8 record id -> record

const nodeError = makeNodeError;

// ---- resolution -------------------------------------------------------------

function isRelativeSpecifier(s) {
  if (s[0] !== '.') return false;
  if (s.length === 1 || s[1] === '/') return true;
  return s[1] === '.' && (s.length === 2 || s[2] === '/');
}

function isRelOrAbs(s) {
  return s !== '' && (s[0] === '/' || isRelativeSpecifier(s));
}

function tryURL(input, base) {
  try {
    return new URL(input, base);
  } catch {
    return null;
  }
}

// A parent URL as a path for messages (Node prints paths, or the URL when
// it is not a file: one).
function basePath(base) {
  try {
    return fileURLToPath(base);
  } catch {
    return base;
  }
}

function moduleNotFound(what, base, exactUrl) {
  const err = nodeError(Error, 'ERR_MODULE_NOT_FOUND',
    `Cannot find ${exactUrl ? 'module' : 'package'} '${what}' imported from ${base}`);
  if (exactUrl) err.url = String(exactUrl);
  return err;
}

const encodedSep = /%2F|%5C/i;

function finalizeResolution(resolved, base) {
  if (encodedSep.test(resolved.pathname)) {
    throw nodeError(TypeError, 'ERR_INVALID_MODULE_SPECIFIER',
      `Invalid module "${resolved.pathname}" must not include encoded "/" or "\\" characters` +
      ` imported from ${basePath(base)}`);
  }
  const file = fileURLToPath(resolved);
  // as the system walks it: empty segments are one "/" (the URL parser
  // left no "." or ".."); "name/" is a folder or nothing (ENOTDIR)
  const slash = file.endsWith('/');
  const walked = path.posix.normalize(slash ? file.slice(0, -1) : file);
  let rc = stat(walked);
  if (slash && rc === 0) rc = -20;
  if (rc === 1) {
    const err = nodeError(Error, 'ERR_UNSUPPORTED_DIR_IMPORT',
      `Directory import '${file}' is not supported resolving ES modules imported from ` +
      basePath(base));
    err.url = String(resolved);
    throw err;
  }
  if (rc === -13) {
    throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`),
      { errno: -13, code: 'EACCES', syscall: 'open', path: file });
  }
  if (rc !== 0) throw moduleNotFound(file, basePath(base), resolved);
  const real = pathToFileURL(toRealPath(walked));
  real.search = resolved.search;
  real.hash = resolved.hash;
  return real;
}

const invalidPackageName = /^\.|%|\\/;

function parsePackageName(specifier, base) {
  let sep = specifier.indexOf('/');
  let valid = true;
  let isScoped = false;
  if (specifier[0] === '@') {
    isScoped = true;
    if (sep === -1) valid = false;
    else sep = specifier.indexOf('/', sep + 1);
  }
  const name = sep === -1 ? specifier : specifier.slice(0, sep);
  if (invalidPackageName.test(name)) valid = false;
  if (!valid) {
    throw nodeError(TypeError, 'ERR_INVALID_MODULE_SPECIFIER',
      `Invalid module "${specifier}" is not a valid package name imported from ` +
      basePath(base));
  }
  return { name, subpath: '.' + (sep === -1 ? '' : specifier.slice(sep)), isScoped };
}

// Node's LEGACY_MAIN_RESOLVE: "main" with the CommonJS extensions, then index
const mainSuffixes = ['', '.js', '.json', '.node', '/index.js', '/index.json', '/index.node'];
const indexFiles = ['./index.js', './index.json', './index.node'];

function legacyMainResolve(pkgDir, pkg, base) {
  const tries = [];
  if (pkg && typeof pkg.main === 'string') {
    for (const s of mainSuffixes) tries.push(`./${pkg.main}${s}`);
  }
  tries.push(...indexFiles);
  for (const t of tries) {
    const file = path.resolve(pkgDir, t);
    if (stat(file) === 0) return pathToFileURL(file);
  }
  throw moduleNotFound(pkgDir, basePath(base), null);
}

function packageResolve(specifier, base) {
  if (loader.isBuiltin(specifier) && !specifier.startsWith('node:')) {
    return new URL('node:' + specifier);
  }
  const { name, subpath } = parsePackageName(specifier, base);
  const parentFile = basePath(base);
  const scope = readPackageScope(parentFile);
  if (scope && scope.pkg.exports != null && scope.pkg.name === name) {
    return pathToFileURL(
      exportsResolve(scope.dir, subpath, scope.pkg.exports, esmConditions, parentFile));
  }
  let dir = path.dirname(parentFile);
  for (;;) {
    const pkgDir = `${dir === '/' ? '' : dir}/node_modules/${name}`;
    if (stat(pkgDir) === 1) {
      const pkg = readPackage(pkgDir);
      if (pkg && pkg.exports != null) {
        return pathToFileURL(exportsResolve(pkgDir, subpath, pkg.exports, esmConditions,
          parentFile));
      }
      if (subpath === '.') return legacyMainResolve(pkgDir, pkg, base);
      return new URL(subpath, pathToFileURL(pkgDir + '/'));
    }
    if (dir === '/') break;
    dir = path.dirname(dir);
  }
  throw moduleNotFound(name, parentFile, null);
}

function packageImportsResolve(specifier, base) {
  const parentFile = basePath(base);
  const scope = readPackageScope(parentFile);
  const imports = scope ? scope.pkg.imports : undefined;
  let viaPackage = null;
  const target = importsResolve(specifier, scope ? scope.dir : null,
    imports === undefined ? null : imports, esmConditions, parentFile, (bare) => {
      viaPackage = packageResolve(bare, base);
      return viaPackage.href;
    });
  return viaPackage || pathToFileURL(target);
}

// Node's "Did you mean to import ...?" for a missing module that require()
// would have found.
function commonJSHint(err, specifier, base) {
  let found;
  try {
    const parent = fileURLToPath(base);
    found = Module._resolveFilename(specifier, loader.moduleAt(parent), false);
    if (isRelativeSpecifier(specifier)) {
      found = path.posix.relative(path.dirname(parent), found);
      if (!found.startsWith('../')) found = `./${found}`;
    } else if (!isRelOrAbs(specifier)) {
      const slash = specifier.indexOf('/');
      const pkg = slash === -1 ? specifier : specifier.slice(0, slash);
      const needle = `/node_modules/${pkg}/`;
      const at = found.lastIndexOf(needle);
      found = at !== -1
        ? pkg + '/' + found.slice(at + needle.length).split('/').map(encodeURIComponent).join('/')
        : String(pathToFileURL(found));
    }
  } catch {
    return;
  }
  if (found && found !== specifier) {
    const hint = `Did you mean to import ${JSON.stringify(found)}?`;
    err.message += `\n${hint}`;
    const nl = err.stack.indexOf('\n');
    if (nl !== -1) err.stack = `${err.stack.slice(0, nl)}\n${hint}${err.stack.slice(nl)}`;
  }
}

// ---- the plain case, without the URL parser --------------------------------
//
// Most of an ES module graph is files importing files by relative paths
// that need no percent-encoding. For those, a file: URL is "file://" and
// its path, and resolving a relative specifier against it is the path's
// own resolution; the WHATWG parser (JavaScript here: Node's is C++) took
// about 40 % of a graph's load. Anything else (a percent sign, a query or
// fragment, a character the parser or pathToFileURL would encode, "~"
// too; an empty, "." or ".." segment it would rewrite; a drive-letter-like
// ":"; a trailing "/"; a module that is not there) goes the parser's way,
// which also words the errors.

const plainChars = /^[A-Za-z0-9\-._!$&'()*+,;=@/]*$/;
const oddSegment = /\/\/|\/\.\.?(?:\/|$)/;

function isPlainPath(p) {
  return p[0] === '/' && plainChars.test(p) && !oddSegment.test(p);
}

// the path of a plain file: URL, else null
function plainFilePath(url) {
  if (!url.startsWith('file:///')) return null;
  const p = url.slice(7);
  return isPlainPath(p) ? p : null;
}

// a relative or absolute specifier from a plain file: URL, to the URL of
// the file it names when that is there; else null
function plainResolve(specifier, parentURL) {
  if (!isRelOrAbs(specifier) || specifier.endsWith('/') || specifier.endsWith('.') ||
      !plainChars.test(specifier) || specifier.includes('//')) {
    return null;
  }
  const parent = plainFilePath(parentURL);
  if (parent === null) return null;
  const file = specifier[0] === '/' ? path.posix.normalize(specifier)
    : path.posix.resolve(path.posix.dirname(parent), specifier);
  if (stat(file) !== 0) return null;
  const real = toRealPath(file);
  return isPlainPath(real) ? `file://${real}` : pathToFileURL(real).href;
}

// specifier as imported from parentURL -> URL string
function resolve(specifier, parentURL) {
  const plain = plainResolve(specifier, parentURL);
  if (plain !== null) return plain;
  const parent = tryURL(parentURL);
  const parsed = isRelOrAbs(specifier) ? tryURL(specifier, parent || undefined)
    : tryURL(specifier);
  if (parsed && parsed.protocol === 'data:') return parsed.href;
  if (parsed && parsed.protocol === 'node:') return specifier;
  let resolved;
  if (isRelOrAbs(specifier)) {
    if (!parsed) {
      throw nodeError(TypeError, 'ERR_UNSUPPORTED_RESOLVE_REQUEST',
        `Failed to resolve module specifier "${specifier}" from "${parentURL}": Invalid ` +
        'relative URL or base scheme is not hierarchical.');
    }
    resolved = parsed;
  } else if (parent && parent.protocol === 'file:' && specifier[0] === '#') {
    resolved = packageImportsResolve(specifier, parentURL);
  } else if (parsed) {
    resolved = parsed;
  } else {
    if (parent && parent.protocol !== 'file:' && !loader.isBuiltin(specifier)) {
      throw nodeError(TypeError, 'ERR_UNSUPPORTED_RESOLVE_REQUEST',
        `Failed to resolve module specifier "${specifier}" from "${parentURL}": Invalid ` +
        'relative URL or base scheme is not hierarchical.');
    }
    resolved = packageResolve(specifier, parentURL);
  }
  if (resolved.protocol !== 'file:') return resolved.href;
  try {
    return finalizeResolution(resolved, parentURL).href;
  } catch (err) {
    if (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'ERR_UNSUPPORTED_DIR_IMPORT') {
      commonJSHint(err, specifier.startsWith('file://') ? fileURLToPath(specifier) : specifier,
        parentURL);
    }
    throw err;
  }
}

// ---- formats and sources -------------------------------------------------------

const extensionFormats = { '.cjs': 'commonjs', '.js': 'module', '.json': 'json', '.mjs': 'module' };

function extname(pathname) {
  for (let i = pathname.length - 1; i > 0; i--) {
    const c = pathname[i];
    if (c === '/') return '';
    if (c === '.') return pathname[i - 1] === '/' ? '' : pathname.slice(i);
  }
  return '';
}

function packageType(file) {
  const scope = readPackageScope(file);
  const type = scope && scope.pkg.type;
  return type === 'module' || type === 'commonjs' ? type : 'none';
}

// SyntaxErrors that mean "this is ESM" (Node's containsModuleSyntax), and
// ones that CommonJS alone raises and ESM would not.
const esmSyntaxErrors = new Set([
  'Cannot use import statement outside a module',
  "Unexpected token 'export'",
  "Cannot use 'import.meta' outside a module",
]);
const cjsOnlyErrors = new Set([
  "Identifier 'module' has already been declared",
  "Identifier 'exports' has already been declared",
  "Identifier 'require' has already been declared",
  "Identifier '__filename' has already been declared",
  "Identifier '__dirname' has already been declared",
  'await is only valid in async functions and the top level bodies of modules',
]);

// Whether source, failing to compile as CommonJS with err, is an ES module
function isModuleSyntaxError(err, source, url) {
  if (!(err instanceof SyntaxError)) return false;
  if (esmSyntaxErrors.has(err.message)) return true;
  if (!cjsOnlyErrors.has(err.message)) return false;
  try {
    binding.esm.compile(source, url);
    return true;
  } catch {
    return false;
  }
}

function containsModuleSyntax(source, file) {
  try {
    loader.compileWrapper(source, file);
    return false;
  } catch (err) {
    return isModuleSyntaxError(err, source, String(pathToFileURL(file)));
  }
}

// `-e` code: Node 22 runs it as an ES module when it compiles only as one
// (containsModuleSyntax without the CommonJS variables, as Node's
// evalScript asks): an import or export statement or import.meta, or a
// top-level await that compiles inside an async function.
function evalContainsModuleSyntax(code) {
  try {
    binding.util.compileFunction(code, '[eval]', []);
    return false;
  } catch (err) {
    if (!(err instanceof SyntaxError)) return false;
    if (esmSyntaxErrors.has(err.message)) return true;
    if (!cjsOnlyErrors.has(err.message)) return false;
    try {
      binding.util.compileFunction(`(async function() {${code}})();`, '[eval]', []);
      return true;
    } catch {
      return false;
    }
  }
}

function fileFormat(pathname, file, source) {
  const ext = extname(pathname);
  if (ext === '.js' || ext === '') {
    const type = packageType(file);
    if (type !== 'none') return type;
    return containsModuleSyntax(source(), file) ? 'module' : 'commonjs';
  }
  const format = extensionFormats[ext];
  if (format) return format;
  throw nodeError(TypeError, 'ERR_UNKNOWN_FILE_EXTENSION',
    `Unknown file extension "${ext}" for ${file}`);
}

const dataURL = /^([^/]+\/[^;,]+)(?:[^,]*?)(;base64)?,([\s\S]*)$/;
const mimeFormats = {
  'text/javascript': 'module',
  'application/json': 'json',
};

// url -> { format, source }; source is a string (undefined for builtins)
function load(url) {
  const plain = plainFilePath(url);
  if (plain !== null) return loadFile(plain, plain);
  const u = new URL(url);
  if (u.protocol === 'node:') return { format: 'builtin', source: undefined };
  if (u.protocol === 'data:') {
    const m = dataURL.exec(u.pathname);
    const format = m ? mimeFormats[m[1]] : undefined;
    if (!format) {
      throw nodeError(RangeError, 'ERR_UNKNOWN_MODULE_FORMAT',
        `Unknown module format: ${m ? m[1] : null} for URL ${url}`);
    }
    const { Buffer } = require('buffer');
    const body = Buffer.from(decodeURIComponent(m[3]), m[2] ? 'base64' : 'latin1');
    return { format, source: body.toString() };
  }
  if (u.protocol !== 'file:') {
    // Node 22's resolver lets http: and https: through (network imports
    // were a loader option) and its loader then names file and data only
    const schemes = u.protocol === 'http:' || u.protocol === 'https:' ? 'file and data' : 'file, data, and node';
    throw nodeError(Error, 'ERR_UNSUPPORTED_ESM_URL_SCHEME',
      `Only URLs with a scheme in: ${schemes} are supported by the default ESM ` +
      `loader. Received protocol '${u.protocol}'`);
  }
  return loadFile(u.pathname, fileURLToPath(u));
}

function loadFile(pathname, file) {
  let source;
  const read = () => {
    if (source === undefined) source = binding.fs.readFileUtf8(file);
    return source;
  };
  const format = fileFormat(pathname, file, read);
  // CommonJS hands on what syntax detection already read (or nothing)
  return { format, source: format === 'commonjs' ? source : read(), file };
}

// Node's import assertion checks (V8 10.2 parses `assert {}`; Node 22 calls
// them attributes, codes and messages included).
function validateAssertions(url, format, assertions) {
  for (const key of Object.keys(assertions)) {
    if (key !== 'type') {
      throw nodeError(TypeError, 'ERR_IMPORT_ATTRIBUTE_UNSUPPORTED',
        `Import attribute "${key}" with value "${assertions[key]}" is not supported`);
    }
  }
  const type = assertions.type;
  if (format === 'json') {
    if (type === 'json') return;
    if (type === undefined) {
      throw nodeError(TypeError, 'ERR_IMPORT_ATTRIBUTE_MISSING',
        `Module "${url}" needs an import attribute of "type: json"`);
    }
  } else if (type === undefined) {
    return;
  }
  if (type !== 'json') {
    throw nodeError(TypeError, 'ERR_IMPORT_ATTRIBUTE_UNSUPPORTED',
      `Import attribute "type" with value "${type}" is not supported`);
  }
  throw nodeError(TypeError, 'ERR_IMPORT_ATTRIBUTE_TYPE_INCOMPATIBLE',
    `Module "${url}" is not of type "${type}"`);
}

// ---- records ------------------------------------------------------------------

function addRecord(rec, fresh) {
  records.set(rec.url, rec);
  byId.set(rec.id, rec);
  fresh.push(rec);
  return rec;
}

// CommonJS export names as Node finds them: cjs-module-lexer over the
// source, following re-exports (module.exports = require(...)) into
// CommonJS files. memo: filename -> Set, shared by one graph (cycles).
function cjsExportNames(file, source, memo) {
  let names = memo.get(file);
  if (names !== undefined) return names;
  names = new Set();
  memo.set(file, names);
  let parsed;
  try {
    parsed = lexer.parse(source);
  } catch {
    parsed = { exports: [], reexports: [] };
  }
  for (const n of parsed.exports) names.add(n);
  if (parsed.reexports.length === 0) return names;
  const m = loader.moduleAt(file);
  for (const r of parsed.reexports) {
    let target;
    try {
      target = Module._resolveFilename(r, m, false);
    } catch {
      continue;
    }
    const ext = path.extname(target);
    if ((ext === '.js' || ext === '.cjs' || !Module._extensions[ext]) && path.isAbsolute(target)) {
      let text;
      try {
        text = binding.fs.readFileUtf8(target);
      } catch {
        continue;
      }
      for (const n of cjsExportNames(target, text, memo)) names.add(n);
    }
  }
  return names;
}

function commonjsRecord(url, file, source, fresh, memo) {
  if (source === undefined) source = binding.fs.readFileUtf8(file);
  const names = cjsExportNames(file, source, memo);
  const list = names.has('default') ? [...names] : ['default', ...names];
  const id = binding.esm.synthetic(url, list, () => {
    let m = Module._cache[file];
    if (m === undefined) {
      Module._load(file, null, false);
      m = Module._cache[file];
    }
    const exports = m ? m.exports : undefined;
    const values = { __proto__: null, default: exports };
    if (exports !== null && (typeof exports === 'object' || typeof exports === 'function')) {
      for (const n of names) {
        if (n === 'default' || !Object.prototype.hasOwnProperty.call(exports, n)) continue;
        try {
          values[n] = exports[n];
        } catch {
          // a getter that throws leaves the binding undefined, as in Node
        }
      }
    }
    return values;
  });
  return addRecord({ url, format: 'commonjs', id, children: [], linked: true }, fresh);
}

function jsonRecord(url, file, source, fresh) {
  let value;
  const cached = file && !url.includes('?') && !url.includes('#') ? Module._cache[file] : undefined;
  if (cached && cached.loaded) {
    value = cached.exports;
  } else {
    try {
      value = JSON.parse(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source);
    } catch (err) {
      err.message = `${file || url}: ${err.message}`;
      throw err;
    }
    if (file && !url.includes('?') && !url.includes('#')) {
      const m = loader.moduleAt(file);
      m.exports = value;
      m.loaded = true;
      Module._cache[file] = m;
    }
  }
  const id = binding.esm.synthetic(url, ['default'], () => ({ default: value }));
  return addRecord({ url, format: 'json', id, children: [], linked: true }, fresh);
}

function builtinRecord(url, fresh) {
  const name = url.slice(5);
  if (!loader.isBuiltin(url)) {
    throw nodeError(Error, 'ERR_UNKNOWN_BUILTIN_MODULE', `No such built-in module: ${url}`);
  }
  const exports = loader.requireBuiltin(url);
  const keys = ['default'];
  if (exports !== null && (typeof exports === 'object' || typeof exports === 'function')) {
    for (const k of Object.keys(exports)) if (k !== 'default') keys.push(k);
  }
  const id = binding.esm.synthetic(`node:${name}`, keys, () => {
    const values = { __proto__: null, default: exports };
    for (let i = 1; i < keys.length; i++) values[keys[i]] = exports[keys[i]];
    return values;
  });
  builtinFacades.push({ id, exports, keys });
  return addRecord({ url, format: 'builtin', id, children: [], linked: true }, fresh);
}

// module.syncBuiltinESMExports(): the named exports of every builtin
// imported so far take the current values of its CommonJS exports
const builtinFacades = [];
function syncBuiltinESMExports() {
  for (const { id, exports, keys } of builtinFacades) {
    if (binding.esm.status(id) < kInstantiated) continue;
    for (let i = 1; i < keys.length; i++) binding.esm.setExport(id, keys[i], exports[keys[i]]);
  }
}

function moduleRecord(url, source, fresh) {
  const [id, requests] = binding.esm.compile(rewriteRegExpV(source, true), url);
  return addRecord({ url, format: 'module', id, requests, children: null, linked: false }, fresh);
}

// The record of url, made (with its whole static graph) if it is new.
// Throws without leaving half a graph behind.
function getRecord(url, assertions, preloaded) {
  const fresh = [];
  try {
    const rec = getRecordIn(url, assertions, fresh, new Map(), preloaded);
    for (const r of fresh) {
      if (r.linked) continue;
      binding.esm.link(r.id, r.children.map((c) => c.id));
      r.linked = true;
    }
    return rec;
  } catch (err) {
    for (const r of fresh) {
      records.delete(r.url);
      byId.delete(r.id);
    }
    throw err;
  } finally {
    loader.resolverFs.clearStatCache();
  }
}

function getRecordIn(url, assertions, fresh, memo, preloaded) {
  let rec = records.get(url);
  if (rec === undefined) {
    let format;
    let source;
    let file;
    if (preloaded) ({ format, source, file } = preloaded);
    else ({ format, source, file } = load(url));
    validateAssertions(url, format, assertions); // before anything is made of it
    if (format === 'module') rec = moduleRecord(url, source, fresh);
    else if (format === 'commonjs') rec = commonjsRecord(url, file, source, fresh, memo);
    else if (format === 'json') rec = jsonRecord(url, file, source, fresh);
    else rec = builtinRecord(url, fresh);
    if (format === 'module') {
      rec.children = [];
      for (const [specifier, asserts] of rec.requests) {
        const child = resolve(specifier, url);
        rec.children.push(getRecordIn(child, asserts, fresh, memo));
      }
    }
    return rec;
  }
  validateAssertions(url, rec.format, assertions);
  return rec;
}

// Node's hint when a named import is missing from a CommonJS module
function decorateLinkError(err, rec) {
  if (!(err instanceof SyntaxError)) return;
  const m = /module '(.*)' does not provide an export named '(.+)'/.exec(err.message);
  if (!m) return;
  const [, specifier, name] = m;
  const parentUrl = importerOfCommonJS(rec, specifier, new Set());
  if (!parentUrl) return;
  const line = importLine(parentUrl, specifier);
  const named = line && /{.*}/.exec(line);
  const destructure = named ? `const ${named[0].replace(/\s+as\s+/g, ': ')} = pkg;\n` : '';
  err.message = `Named export '${name}' not found. The requested module '${specifier}' is a ` +
    'CommonJS module, which may not support all module.exports as named exports.\n' +
    'CommonJS modules can always be imported via the default export, for example using:' +
    `\n\nimport pkg from '${specifier}';\n${destructure}`;
}

// The URL of a module in rec's graph that imports specifier as CommonJS
function importerOfCommonJS(rec, specifier, seen) {
  if (seen.has(rec) || !rec.requests) return undefined;
  seen.add(rec);
  for (let i = 0; i < rec.requests.length; i++) {
    const child = rec.children[i];
    if (rec.requests[i][0] === specifier && child.format === 'commonjs') return rec.url;
    const deeper = importerOfCommonJS(child, specifier, seen);
    if (deeper) return deeper;
  }
  return undefined;
}

function importLine(parentUrl, specifier) {
  let text = '';
  try {
    if (parentUrl.startsWith('file:')) text = binding.fs.readFileUtf8(fileURLToPath(parentUrl));
  } catch {
    return undefined;
  }
  return text.split('\n').find((l) => /^\s*import\b/.test(l) &&
    (l.includes(`'${specifier}'`) || l.includes(`"${specifier}"`)));
}

function instantiate(rec) {
  try {
    binding.esm.instantiate(rec.id);
  } catch (err) {
    decorateLinkError(err, rec);
    throw err;
  }
}

// ---- entry points --------------------------------------------------------------

function parentURLOf(referrer) {
  if (typeof referrer === 'string') {
    if (/^(file|data|node):/.test(referrer)) return referrer;
    if (referrer.startsWith('/')) return pathToFileURL(referrer).href;
  }
  return pathToFileURL(`${process.cwd()}/[eval]`).href;
}

// import(specifier) from a script or module named referrer. Nothing of
// the imported graph runs inside the import() call: loading starts in a
// later microtask, as Node's asynchronous loader does.
function dynamicImport(specifier, referrer, assertions) {
  const spec = String(specifier);
  const load = () => Promise.resolve().then(() => {
    const url = resolve(spec, parentURLOf(referrer));
    const rec = getRecord(url, assertions || {});
    instantiate(rec);
    return binding.esm.evaluate(rec.id).then(() => binding.esm.namespace(rec.id));
  });
  // diagnostics_channel's tracing:module.import:*, as Node's.
  const trace = dcChannels.tracing('module.import');
  if (trace === null) return load();
  return trace.tracePromise(load, { __proto__: null, parentURL: parentURLOf(referrer), url: spec });
}

function importMeta(id, meta) {
  const rec = byId.get(id);
  if (!rec) return;
  const url = rec.url;
  if (url.startsWith('file:')) {
    const file = fileURLToPath(url);
    meta.dirname = path.dirname(file);
    meta.filename = file;
  }
  meta.resolve = function resolveSpecifier(specifier) {
    try {
      return resolve(String(specifier), url);
    } catch (err) {
      if ((err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'ERR_UNSUPPORTED_DIR_IMPORT') &&
          err.url) {
        return err.url;
      }
      throw err;
    } finally {
      loader.resolverFs.clearStatCache();
    }
  };
  meta.url = url;
}

// Node's "where" header for an ES module's error: the one compile() kept
// on a SyntaxError, else, for an error thrown while a module ran, the top
// frame's file:line, its source line and a caret (V8 no longer has the
// message once the evaluation promise carries the error).
function errorHeader(err) {
  const where = binding.esm.whereOf(err);
  if (where !== undefined) return where;
  const stack = err !== null && typeof err === 'object' ? err.stack : undefined;
  if (typeof stack !== 'string') return undefined;
  const m = /\n\s+at (?:.*?\()?(file:\/\/[^\s)]+):(\d+):(\d+)\)?/.exec(stack);
  if (!m) return undefined;
  let text = evalSources.get(m[1]);
  try {
    if (text === undefined) text = binding.fs.readFileUtf8(fileURLToPath(m[1]));
  } catch {
    return undefined;
  }
  const line = text.split('\n')[Number(m[2]) - 1];
  if (line === undefined) return undefined;
  return `${m[1]}:${m[2]}\n${line}\n${' '.repeat(Number(m[3]) - 1)}^\n`;
}

let mainPromise = null;
let mainURL = null;
// `-e` code run as a module: its URL -> its text (for the error header)
const evalSources = new Map();

// The entry point as an ES module. Failures reach the fatal handler.
function runMain(file, onError) {
  runMainURL(pathToFileURL(file).href, undefined, onError);
}

// `-e` code with module syntax: the module file:///<cwd>/[eval1], as
// Node's getEvalModuleUrl names it.
function runEvalMain(code, onError) {
  const url = `${pathToFileURL(process.cwd()).href}/[eval1]`;
  evalSources.set(url, code);
  runMainURL(url, { format: 'module', source: code, file: undefined }, onError);
}

function runMainURL(url, preloaded, onError) {
  mainURL = url;
  process.mainModule = undefined;
  try {
    const rec = getRecord(mainURL, {}, preloaded);
    instantiate(rec);
    mainPromise = binding.esm.evaluate(rec.id);
  } catch (err) {
    mainPromise = Promise.reject(err);
  }
  mainPromise.then(() => {
    mainPromise = null;
  }, (err) => {
    mainPromise = null;
    onError(err);
  });
}

// At a natural exit: a main module still awaiting ends the run with 13
function checkUnsettled() {
  if (mainPromise === null) return;
  const [state] = binding.util.getPromiseDetails(mainPromise);
  if (state !== 0) return;
  if (process.exitCode === undefined) process.exitCode = 13;
  process.stderr.write(`Warning: Detected unsettled top-level await at ${mainURL}\n\n\n`);
}

// require() of an ES module (Node 22): the namespace, or the facade that
// adds __esModule when the module has a default export.
const facades = new Map();
function requireModule(file, source, parent) {
  const url = pathToFileURL(file).href;
  const parentFile = parent && parent.filename;
  let rec = records.get(url);
  if (rec && binding.esm.status(rec.id) === kEvaluating) {
    throw nodeError(Error, 'ERR_REQUIRE_CYCLE_MODULE',
      `Cannot require() ES Module ${file} in a cycle.` +
      `${parentFile ? ` (from ${parentFile})` : ''} A cycle involving require(esm) is not ` +
      'allowed to maintain invariants mandated by the ECMAScript specification. Try making ' +
      'at least part of the dependency in the graph lazily loaded.');
  }
  if (rec && binding.esm.status(rec.id) === kErrored) {
    // Node 22.14: a module that threw (under import() or an earlier
    // require()) is not evaluated, which its require() takes for a cycle
    throw nodeError(Error, 'ERR_REQUIRE_CYCLE_MODULE',
      `Cannot require() ES Module ${file} in a cycle.${parentFile ? ` (from ${parentFile})` : ''}`);
  }
  if (!rec) rec = getRecord(url, {}, { format: 'module', source, file });
  instantiate(rec);
  if (binding.esm.isGraphAsync(rec.id)) {
    let message = 'require() cannot be used on an ESM graph with top-level await. Use import() ' +
      'instead. To see where the top-level await comes from, use ' +
      '--experimental-print-required-tla.';
    if (parentFile) message += `\n  From ${parentFile} `;
    message += `\n  Requiring ${file} `;
    throw nodeError(Error, 'ERR_REQUIRE_ASYNC_MODULE', message);
  }
  const status = binding.esm.status(rec.id);
  if (status === kErrored) throw binding.esm.exception(rec.id);
  if (status === kInstantiated) {
    const p = binding.esm.evaluate(rec.id);
    const [state, result] = binding.util.getPromiseDetails(p);
    if (state === 2) {
      p.catch(() => {}); // thrown here; not an unhandled rejection too
      throw result;
    }
  }
  const ns = binding.esm.namespace(rec.id);
  if (Object.prototype.hasOwnProperty.call(ns, 'module.exports')) return ns['module.exports'];
  if (!Object.prototype.hasOwnProperty.call(ns, 'default') ||
      Object.prototype.hasOwnProperty.call(ns, '__esModule')) {
    return ns;
  }
  let facade = facades.get(rec);
  if (facade === undefined) {
    const [id, requests] = binding.esm.compile(
      "export * from 'original'; export { default } from 'original'; " +
      'export const __esModule = true;', `${url}#facade`);
    binding.esm.link(id, requests.map(() => rec.id));
    binding.esm.instantiate(id);
    binding.esm.evaluate(id);
    facade = binding.esm.namespace(id);
    facades.set(rec, facade);
  }
  return facade;
}

function init() {
  binding.esm.setHandlers(dynamicImport, importMeta);
}

module.exports = {
  init,
  runMain,
  checkUnsettled,
  errorHeader,
  evalContainsModuleSyntax,
  runEvalMain,
  requireModule,
  syncBuiltinESMExports,
  isModuleSyntaxError,
  packageType,
  resolve,
};
