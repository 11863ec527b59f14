'use strict';
// CommonJS, as Node does it: each file is compiled once with the five-name
// wrapper (exports, require, module, __filename, __dirname) and called with
// `this === module.exports`; modules are cached by resolved filename in
// require.cache; cycles see the partial exports; `.js`, `.cjs` and `.json`
// load, `.node` never does. Builtins are served from the registry baked into
// the snapshot, with or without the `node:` prefix.
//
// Files are read through the bridge (fs.readFileUtf8 / internalModuleStat /
// realpath), which the permission broker guards.

const binding = require('../node/internal/binding');
const { rewriteRegExpV } = require('../node/internal/regexp-v');
const path = require('path');
const { exportsResolve, importsResolve } = require('./package-map');
const { makeNodeError } = require('../node/internal/errors');
const { runtimeEnv } = require('../node/internal/env');
const dcChannels = require('../node/internal/dc-channels');

const builtins = new Map(); // name -> { load(), exports, loaded }

// Node's builtin names that the sandbox refuses or does not have: require()
// of one throws "<name> is not supported in sandbox".
const nodeBuiltinNames = [
  '_http_agent', '_http_client', '_http_common', '_http_incoming', '_http_outgoing',
  '_http_server', '_stream_duplex', '_stream_passthrough', '_stream_readable',
  '_stream_transform', '_stream_wrap', '_stream_writable', '_tls_common', '_tls_wrap',
  'assert', 'assert/strict', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console',
  'constants', 'crypto', 'dgram', 'diagnostics_channel', 'dns', 'dns/promises', 'domain',
  'events', 'fs', 'fs/promises', 'http', 'http2', 'https', 'inspector', 'inspector/promises',
  'module', 'net', 'os', 'path', 'path/posix', 'path/win32', 'perf_hooks', 'process',
  'punycode', 'querystring', 'readline', 'readline/promises', 'repl', 'stream',
  'stream/consumers', 'stream/promises', 'stream/web', 'string_decoder', 'sys', 'timers',
  'timers/promises', 'tls', 'trace_events', 'tty', 'url', 'util', 'util/types', 'v8', 'vm',
  'wasi', 'worker_threads', 'zlib',
];
// Only reachable with the prefix in Node.
const schemeOnly = new Set(['node:test', 'node:test/reporters', 'node:sqlite', 'node:sea']);

function defineBuiltin(name, load) {
  builtins.set(name, { load, exports: undefined, loaded: false });
}

function unsupported(name) {
  const err = new Error(`${name} is not supported in sandbox`);
  err.code = 'ERR_UNSUPPORTED_SANDBOX_MODULE';
  return err;
}

function loadBuiltin(name) {
  const b = builtins.get(name);
  if (b === undefined) throw unsupported(name);
  if (!b.loaded) {
    b.exports = b.load();
    b.loaded = true;
  }
  return b.exports;
}

// 'node:fs' -> 'fs'; returns null if the id is not a builtin at all.
function builtinId(request) {
  if (request.startsWith('node:')) {
    if (schemeOnly.has(request)) return request;
    const id = request.slice(5);
    return builtins.has(id) || nodeBuiltinNames.includes(id) ? id : null;
  }
  return builtins.has(request) || nodeBuiltinNames.includes(request) ? request : null;
}

function isBuiltin(request) {
  return builtinId(String(request)) !== null;
}

// ---- Module ---------------------------------------------------------------

// Folders on a read-only mount (the /app bind, the node_modules overlay)
// are listed once for the run, and the loader's probes of them (x, x.js,
// x.json, x/package.json...) are answered from the listing: on the overlay
// each missing name would otherwise be a round trip to its server.
// undefined: not listed (not read-only, too large, refused); ask stat.
const listings = new Map();
const noEntries = new Map();
function listedStat(filename) {
  const slash = filename.lastIndexOf('/');
  if (slash < 0) return undefined;
  const dir = slash === 0 ? '/' : filename.slice(0, slash);
  let list = listings.get(dir);
  if (list === undefined) {
    // A folder its own listed parent lacks (node_modules looked for at
    // every level up) has nothing in it: no call at all.
    const self = dir === '/' ? undefined : listedStat(dir);
    if (self === -2 || self === 0) {
      list = noEntries;
    } else {
      const text = binding.fs.internalModuleList(dir);
      list = null;
      if (text !== undefined) {
        list = new Map();
        for (const e of text.split('\0')) if (e) list.set(e.slice(1), e[0]);
      }
    }
    listings.set(dir, list);
  }
  if (list === null) return undefined;
  const type = list.get(filename.slice(slash + 1));
  if (type === undefined) return -2; // ENOENT
  return type === 'f' ? 0 : type === 'd' ? 1 : undefined; // a link: stat follows it
}

const statCache = new Map();
// The first probe of the current resolution that the OS refused (EACCES):
// a package the host's permissions hide from the sandbox's user is
// "Cannot find module" as in Node, with a line saying why.
let refusedProbe = null;
function stat(filename) {
  let r = statCache.get(filename);
  if (r === undefined) {
    r = listedStat(filename);
    if (r === undefined) r = binding.fs.internalModuleStat(filename);
    // only what is there is kept, as Node does: the main module runs
    // inside one load, and a file it writes may be required next
    if (r >= 0) statCache.set(filename, r);
  }
  if (r === -13 && refusedProbe === null) refusedProbe = filename;
  return r;
}

const packageCache = new Map();
function readPackage(dir) {
  const file = path.join(dir, 'package.json');
  if (packageCache.has(file)) return packageCache.get(file);
  let pkg = null;
  if (stat(file) === 0) {
    const text = binding.fs.readFileUtf8(file);
    try {
      pkg = JSON.parse(text);
    } catch (e) {
      e.path = file;
      e.message = `Error parsing ${file}: ${e.message}`;
      throw e;
    }
  }
  packageCache.set(file, pkg);
  return pkg;
}

// The package.json that scopes file: the nearest one above it, not
// looking past a node_modules folder. { dir, pkg } or null.
function readPackageScope(file) {
  let dir = path.dirname(file);
  for (;;) {
    if (dir.endsWith('/node_modules')) return null;
    const pkg = readPackage(dir);
    if (pkg) return { dir, pkg };
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

// require() resolves "exports" and "imports" with these conditions (a
// package's key order decides among them); "module-sync" because require()
// loads synchronous ES module graphs, as in Node 22.
const cjsConditions = ['require', 'node', 'module-sync'];

function moduleNotFound(request, pkgJson) {
  const err = new Error(`Cannot find module '${request}'`);
  err.code = 'MODULE_NOT_FOUND';
  if (pkgJson) err.path = pkgJson;
  return err;
}

// A path "exports" or "imports" led to must be a file
function finalizeMapped(file, pkgDir) {
  const found = tryFile(file);
  if (found) return found;
  throw moduleNotFound(file, pkgDir ? `${pkgDir}/package.json` : undefined);
}

// name[/subpath] of a bare request: [name, "./subpath" or "."] or null
const bareRequest = /^((?:@[^/\\%]+\/)?[^./\\%][^/\\%]*)(\/.*)?$/;

// A bare request under one node_modules folder, through the package's
// "exports" when it has one; undefined lets the classic lookup go on.
function resolveExports(nmPath, request) {
  const m = bareRequest.exec(request);
  if (!m) return undefined;
  const pkgDir = path.resolve(nmPath, m[1]);
  const pkg = readPackage(pkgDir);
  if (!pkg || pkg.exports === undefined || pkg.exports === null) return undefined;
  const file = exportsResolve(pkgDir, '.' + (m[2] || ''), pkg.exports, cjsConditions, null);
  return finalizeMapped(file, pkgDir);
}

// A package requiring itself by its own name, through its "exports"
function trySelf(parentFile, request) {
  if (!parentFile) return false;
  const scope = readPackageScope(parentFile);
  if (!scope || scope.pkg.exports === undefined || scope.pkg.exports === null) return false;
  const name = scope.pkg.name;
  if (typeof name !== 'string' || (request !== name && !request.startsWith(name + '/'))) {
    return false;
  }
  const sub = '.' + request.slice(name.length);
  const file = exportsResolve(scope.dir, sub, scope.pkg.exports, cjsConditions, parentFile);
  return finalizeMapped(file, scope.dir);
}

// "#name" through the "imports" of the requiring file's package
function resolveImports(request, parent) {
  const scope = readPackageScope(parent.filename);
  if (!scope || scope.pkg.imports === undefined || scope.pkg.imports === null) return false;
  let viaPackage = false; // a bare target: resolved as a package, already final
  const file = importsResolve(request, scope.dir, scope.pkg.imports, cjsConditions,
    parent.filename, (bare) => {
      viaPackage = true;
      if (builtinId(bare) !== null) {
        // Node resolves it to node:<name>, which require() cannot take as
        // a file path
        throw makeNodeError(TypeError, 'ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file');
      }
      return Module._resolveFilename(bare, parent);
    });
  return viaPackage ? file : finalizeMapped(file, scope.dir);
}

function Module(id = '', parent) {
  this.id = id;
  this.path = path.dirname(id);
  this.exports = {};
  this.filename = null;
  this.loaded = false;
  this.children = [];
  this.paths = [];
  if (parent && !parent.children.includes(this)) parent.children.push(this);
}

Module._cache = Object.create(null);
Module._pathCache = Object.create(null);
Module.builtinModules = nodeBuiltinNames.filter((n) => !n.startsWith('_'));
Module.isBuiltin = isBuiltin;
Module.globalPaths = [];
Module.Module = Module;

// Module.wrapper and Module.wrap as Node has them: changing either (old
// code does, to prepend to every module) makes the loader compile
// Module.wrap(source) as a script from then on, as Node's does.
let wrapPatched = false;
const wrapperArray = [
  '(function (exports, require, module, __filename, __dirname) { ',
  '\n});',
];
let wrapperProxy = new Proxy(wrapperArray, {
  set(target, property, value, receiver) {
    wrapPatched = true;
    return Reflect.set(target, property, value, receiver);
  },
  defineProperty(target, property, descriptor) {
    wrapPatched = true;
    return Reflect.defineProperty(target, property, descriptor);
  },
});
let wrapFn = function wrap(script) {
  return Module.wrapper[0] + script + Module.wrapper[1];
};
Object.defineProperty(Module, 'wrap', {
  get() { return wrapFn; },
  set(value) {
    wrapPatched = true;
    wrapFn = value;
  },
  enumerable: true,
  configurable: true,
});
Object.defineProperty(Module, 'wrapper', {
  get() { return wrapperProxy; },
  set(value) {
    wrapPatched = true;
    wrapperProxy = value;
  },
  enumerable: true,
  configurable: true,
});

Module._nodeModulePaths = function (from) {
  from = path.resolve(from);
  if (from === '/') return ['/node_modules'];
  const parts = from.split('/');
  const paths = [];
  for (let i = parts.length; i > 0; i--) {
    if (parts[i - 1] === 'node_modules') continue;
    const dir = parts.slice(0, i).join('/') || '/';
    paths.push(dir === '/' ? '/node_modules' : `${dir}/node_modules`);
  }
  if (paths[paths.length - 1] !== '/node_modules') paths.push('/node_modules');
  return paths;
};


function tryFile(p) {
  return stat(p) === 0 ? toRealPath(p) : false;
}

// Real paths are kept for the run, as Node's loaders keep theirs
// (realpathCache): a module imported from many places is resolved once.
const realPathCache = new Map();
function toRealPath(p) {
  let real = realPathCache.get(p);
  if (real === undefined) {
    try {
      real = binding.fs.internalModuleRealpath(p);
    } catch {
      return p;
    }
    realPathCache.set(p, real);
  }
  return real;
}

// The registered extensions in their order, as Node tries them
// (require.extensions may gain some: '.foo.bar' too).
function tryExtensions(p) {
  for (const ext of Object.keys(Module._extensions)) {
    const f = tryFile(p + ext);
    if (f) return f;
  }
  return false;
}

function tryPackage(dir, request) {
  const pkg = readPackage(dir);
  const main = pkg && typeof pkg.main === 'string' ? pkg.main : null;
  if (!main) return tryExtensions(path.resolve(dir, 'index'));
  const file = path.resolve(dir, main);
  const found = tryFile(file) || tryExtensions(file) ||
    tryExtensions(path.resolve(file, 'index'));
  if (found) return found;
  const fallback = tryExtensions(path.resolve(dir, 'index'));
  if (fallback) return fallback;
  const err = new Error(
    `Cannot find module '${file}'. Please verify that the package.json has a valid "main" entry`,
  );
  err.code = 'MODULE_NOT_FOUND';
  err.path = path.resolve(dir, 'package.json');
  err.requestPath = request;
  throw err;
}

Module._findPath = function (request, paths) {
  const absolute = path.isAbsolute(request);
  if (absolute) paths = [''];
  else if (!paths || paths.length === 0) return false;
  const trailingSlash = request.length > 0 &&
    (request.endsWith('/') || request.endsWith('/.') || request.endsWith('/..') ||
      request === '.' || request === '..');
  const cacheKey = request + '\x00' + paths.join('\x00');
  const cached = Module._pathCache[cacheKey];
  if (cached) return cached;
  for (const dir of paths) {
    if (!absolute && dir) {
      const mapped = resolveExports(dir, request);
      if (mapped) {
        Module._pathCache[cacheKey] = mapped;
        return mapped;
      }
    }
    const base = path.resolve(dir, request);
    let filename = false;
    const rc = stat(base);
    if (rc === -13 && (absolute || request.startsWith('.'))) {
      // The broker refused the very path asked for: say so, not "not found".
      // (A node_modules folder above the app is just not there.)
      const why = binding.fs.internalModuleRefused(base, false);
      const tail = why === undefined ? '' : ` (${why})`;
      const err = new Error(`EACCES: permission denied, open '${base}'${tail}`);
      err.errno = -13;
      err.code = 'EACCES';
      err.syscall = 'open';
      err.path = base;
      throw err;
    }
    if (!trailingSlash) {
      if (rc === 0) filename = toRealPath(base);
      if (!filename) filename = tryExtensions(base);
    }
    if (!filename && rc === 1) filename = tryPackage(base, request);
    if (filename) {
      Module._pathCache[cacheKey] = filename;
      return filename;
    }
  }
  return false;
};

// NODE_PATH, ~/.node_modules, ~/.node_libraries, <prefix>/lib/node: what
// Node searches after every node_modules folder (set per run, from the
// guest's environment; Module._initPaths() again after changing it).
let modulePaths = [];
Module._initPaths = function () {
  const env = runtimeEnv();
  const home = env.HOME;
  const nodePath = env.NODE_PATH;
  let paths = [path.resolve(process.execPath, '..', '..', 'lib', 'node')];
  if (home) {
    paths.unshift(path.resolve(home, '.node_libraries'));
    paths.unshift(path.resolve(home, '.node_modules'));
  }
  if (nodePath) paths = nodePath.split(path.delimiter).filter(Boolean).concat(paths);
  modulePaths = paths;
  Module.globalPaths = paths.slice();
};

// Module._stat(path): 0 a file, 1 a folder, negative errno otherwise
Module._stat = function (filename) {
  return typeof filename === 'string' ? stat(path.resolve(filename)) : -2;
};

Module._resolveLookupPaths = function (request, parent) {
  if (request.startsWith('./') || request.startsWith('../') || request === '.' ||
      request === '..') {
    if (!parent || !parent.id || !parent.filename) return ['.'];
    return [path.dirname(parent.filename)];
  }
  const paths = parent && parent.paths && parent.paths.length ? parent.paths.slice() : [];
  return paths.concat(modulePaths);
};

Module._resolveFilename = function (request, parent, isMain, options) {
  if (typeof request !== 'string') {
    const err = new TypeError(
      'The "id" argument must be of type string. Received ' + describeValue(request),
    );
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
  const id = builtinId(request);
  if (id !== null) return request.startsWith('node:') ? request : id;
  if (request.startsWith('node:')) {
    throw makeNodeError(Error, 'ERR_UNKNOWN_BUILTIN_MODULE', `No such built-in module: ${request}`);
  }
  if (request[0] === '#' && parent && parent.filename) {
    const mapped = resolveImports(request, parent);
    if (mapped) return mapped;
  }
  const self = trySelf(parent && parent.filename, request);
  if (self) return self;
  let paths;
  if (options && Array.isArray(options.paths)) {
    paths = [];
    for (const p of options.paths) {
      const fake = new Module('', null);
      fake.paths = Module._nodeModulePaths(p);
      if (request.startsWith('.')) paths.push(p);
      else paths.push(...fake.paths);
    }
  } else {
    paths = Module._resolveLookupPaths(request, parent);
  }
  refusedProbe = null;
  const filename = Module._findPath(request, paths, isMain);
  if (filename) return filename;
  const requireStack = [];
  for (let m = parent; m; m = m.parent || moduleParents.get(m)) {
    requireStack.push(m.filename || m.id);
  }
  let message = `Cannot find module '${request}'`;
  if (requireStack.length > 0) message += '\nRequire stack:\n- ' + requireStack.join('\n- ');
  const why = refusedProbe === null ? undefined : binding.fs.internalModuleRefused(refusedProbe, true);
  if (why !== undefined) message += `\n(${why})`;
  const err = new Error(message);
  err.code = 'MODULE_NOT_FOUND';
  err.requireStack = requireStack;
  throw err;
};

function describeValue(v) {
  if (v == null) return String(v);
  if (typeof v === 'function') return `function ${v.name}`;
  if (typeof v === 'object') {
    return v.constructor && v.constructor.name
      ? `an instance of ${v.constructor.name}` : require('util').inspect(v, { depth: -1 });
  }
  let s = require('util').inspect(v, { colors: false });
  if (s.length > 28) s = `${s.slice(0, 25)}...`;
  return `type ${typeof v} (${s})`;
}

const moduleParents = new WeakMap();

// Stat results are cached only while one top-level require runs, as Node
// does: files may appear between two requires.
let loadDepth = 0;

Module._load = function (request, parent, isMain) {
  loadDepth++;
  try {
    return load(request, parent, isMain);
  } finally {
    if (--loadDepth === 0) statCache.clear();
  }
};

function load(request, parent, isMain) {
  const filename = Module._resolveFilename(request, parent, isMain);
  const id = filename.startsWith('node:') ? filename.slice(5) : filename;
  if (builtinId(filename) !== null && !path.isAbsolute(filename)) {
    if (schemeOnly.has(filename) && !builtins.has(filename)) throw unsupported(filename);
    // Without the prefix, require.cache may stand in for a builtin (Node)
    const cachedBuiltin = filename.startsWith('node:') ? undefined : Module._cache[filename];
    if (cachedBuiltin !== undefined) return cachedBuiltin.exports;
    return loadBuiltin(schemeOnly.has(filename) ? filename : id);
  }
  const cached = Module._cache[filename];
  if (cached !== undefined) {
    if (parent && !parent.children.includes(cached)) parent.children.push(cached);
    return cached.loaded ? cached.exports : exportsForCircularRequire(cached);
  }
  const module = new Module(filename, parent);
  moduleParents.set(module, parent);
  if (isMain) {
    process.mainModule = module;
    module.id = '.';
    mainModule = module;
  }
  Module._cache[filename] = module;
  let threw = true;
  try {
    module.load(filename);
    threw = false;
    const exp = module.exports;
    if (exp !== null && typeof exp === 'object' && !binding.util.isProxy(exp) &&
        Object.getPrototypeOf(exp) === circularWarner) {
      Object.setPrototypeOf(exp, Object.prototype);
    }
  } finally {
    if (threw) {
      delete Module._cache[filename];
      if (parent) {
        const i = parent.children.indexOf(module);
        if (i !== -1) parent.children.splice(i, 1);
      }
    }
  }
  return module.exports;
}

let mainModule;

// A module's exports seen through a require() cycle, before it finished:
// as in Node, a plain exports object gets a prototype that warns when a
// property it does not have (yet) is read; load() takes it off again.
function warnCircular(prop) {
  process.emitWarning(`Accessing non-existent property '${String(prop)}' of module exports ` +
    'inside circular dependency');
  return undefined;
}
const circularWarner = new Proxy({}, {
  get(target, prop) {
    if (prop in target || prop === '__esModule') return target[prop];
    return warnCircular(prop);
  },
  getOwnPropertyDescriptor(target, prop) {
    if (Object.prototype.hasOwnProperty.call(target, prop) || prop === '__esModule') {
      return Object.getOwnPropertyDescriptor(target, prop);
    }
    return warnCircular(prop);
  },
});

function exportsForCircularRequire(module) {
  if (requiredESM.has(module)) {
    const parent = moduleParents.get(module);
    throw makeNodeError(Error, 'ERR_REQUIRE_CYCLE_MODULE',
      `Cannot require() ES Module ${module.id} in a cycle.` +
      `${parent && parent.filename ? ` (from ${parent.filename})` : ''}`);
  }
  const exp = module.exports;
  if (exp !== null && typeof exp === 'object' && !binding.util.isProxy(exp) &&
      Object.getPrototypeOf(exp) === Object.prototype && !exp.__esModule) {
    Object.setPrototypeOf(exp, circularWarner);
  }
  return exp;
}

Object.defineProperty(Module.prototype, 'parent', {
  get() {
    return moduleParents.get(this);
  },
  set(v) {
    moduleParents.set(this, v);
  },
  configurable: true,
});

// The longest registered extension of filename ('.foo.bar' before
// '.bar'; a leading dot is a dotfile's name, not an extension), else .js.
function longestExtension(filename) {
  const name = path.basename(filename);
  for (let i = name.indexOf('.', 1); i !== -1; i = name.indexOf('.', i + 1)) {
    const ext = name.slice(i);
    if (Module._extensions[ext]) return ext;
  }
  return '.js';
}

Module.prototype.load = function (filename) {
  this.filename = filename;
  this.paths = Module._nodeModulePaths(path.dirname(filename));
  const ext = longestExtension(filename);
  Module._extensions[ext](this, filename);
  this.loaded = true;
};

Module.prototype.require = function (id) {
  if (typeof id !== 'string') {
    const err = new TypeError(
      'The "id" argument must be of type string. Received ' + describeValue(id),
    );
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
  if (id === '') {
    const err = new TypeError(
      "The argument 'id' must be a non-empty string. Received ''",
    );
    err.code = 'ERR_INVALID_ARG_VALUE';
    throw err;
  }
  // diagnostics_channel's tracing:module.require:*, as Node's.
  const trace = dcChannels.tracing('module.require');
  if (trace === null) return Module._load(id, this, false);
  const context = { __proto__: null, parentFilename: this.filename, id };
  return trace.traceSync(Module._load, context, Module, id, this, false);
};

const wrapperParams = ['exports', 'require', 'module', '__filename', '__dirname'];

// A file's source as the CommonJS wrapper function (throws its SyntaxError)
function compileWrapper(content, filename) {
  const source = rewriteRegExpV(stripShebang(content), false);
  if (wrapPatched) return binding.util.runScript(String(Module.wrap(source)), filename);
  return binding.util.compileFunction(source, filename, wrapperParams);
}

// A module object standing for filename, with its node_modules lookup
// paths, not loaded and not cached (createRequire, the ESM loader's probes)
function moduleAt(filename) {
  const m = new Module(filename, null);
  m.filename = filename;
  m.paths = Module._nodeModulePaths(path.dirname(filename));
  return m;
}

// A CommonJS file's SyntaxError as Node shows it: its stack starts with
// the "where" header (file:line, the source line, a caret, a blank line),
// so a caught one prints the place too, and the loader's own frames in
// front of the requiring file's are dropped (node: frames that name
// nothing of the guest's). The entry point has no file of the
// guest's below it: its frames stay, as Node's do.
function decorateSyntaxError(err) {
  const where = binding.esm.whereOf(err);
  if (where === undefined) return;
  let stack;
  try {
    stack = err.stack;
  } catch {
    return;
  }
  if (typeof stack !== 'string' || stack.startsWith(where)) return;
  const lines = stack.split('\n');
  let first = lines.findIndex((l) => /^\s+at /.test(l));
  if (first !== -1) {
    let end = first;
    while (end < lines.length && /^\s+at (?:.*\()?node:[\w/-]+:\d+:\d+\)?$/.test(lines[end])) end++;
    if (end < lines.length && /^\s+at /.test(lines[end])) lines.splice(first, end - first);
  }
  err.stack = `${where}\n${lines.join('\n')}`;
}

Module.prototype._compile = function (content, filename, format) {
  let fn;
  try {
    fn = compileWrapper(content, filename);
  } catch (err) {
    if (format !== undefined ||
        !esm().isModuleSyntaxError(err, content, fileURL(filename))) {
      decorateSyntaxError(err);
      throw err;
    }
    loadESMFromCJS(this, filename, content);
    return undefined;
  }
  return runWrapper(this, fn, filename);
};

// Runs a module's compiled wrapper with its arguments.
function runWrapper(module, fn, filename) {
  const dirname = path.dirname(filename);
  const require = makeRequireFunction(module);
  const exports = module.exports;
  return Reflect.apply(fn, exports, [exports, require, module, filename, dirname]);
}

function stripShebang(content) {
  // V8 accepts a hashbang only at the start of a script, not of a function
  // body; blank it out (same length, so columns stay right).
  if (content.charCodeAt(0) === 35 /* # */ && content.charCodeAt(1) === 33 /* ! */) {
    return '//' + content.slice(2);
  }
  return content;
}

function stripBOM(content) {
  return content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
}

Module._extensions = Object.create(null);
// .js, .cjs and .mjs (and any unknown extension): the format comes from
// the extension, then the package "type"; a typeless .js that only
// compiles as an ES module is one (Node 22's syntax detection).
Module._extensions['.js'] = function (module, filename) {
  let format;
  if (filename.endsWith('.cjs')) format = 'commonjs';
  else if (filename.endsWith('.mjs')) format = 'module';
  else if (filename.endsWith('.js')) {
    const type = esm().packageType(filename);
    if (type !== 'none') format = type;
  }
  const source = stripBOM(binding.fs.readFileUtf8(filename));
  if (format === 'module') loadESMFromCJS(module, filename, source);
  else module._compile(source, filename, format);
};

// An ES module reached through require(), or the entry point
function loadESMFromCJS(module, filename, source) {
  if (module.id === '.') {
    module.loaded = true;
    esm().runMain(filename, reportFatal);
    return;
  }
  requiredESM.add(module);
  module.exports = esm().requireModule(filename, source, moduleParents.get(module));
}

// Modules whose file is an ES module being loaded by require(): reaching
// one again before it finished is a cycle Node refuses
const requiredESM = new WeakSet();

function fileURL(file) {
  return require('url').pathToFileURL(file).href;
}

let esmLoader;
function esm() {
  if (esmLoader === undefined) esmLoader = require('./esm');
  return esmLoader;
}

let reportFatal = (err) => {
  throw err;
};
function setFatalHandler(fn) {
  reportFatal = fn;
}
Module._extensions['.json'] = function (module, filename) {
  const content = binding.fs.readFileUtf8(filename);
  try {
    module.exports = JSON.parse(stripBOM(content));
  } catch (err) {
    err.message = `${filename}: ${err.message}`;
    throw err;
  }
};
Module._extensions['.node'] = function (module, filename) {
  const err = new Error(`${filename}: native addons are not supported in sandbox`);
  err.code = 'ERR_DLOPEN_DISABLED';
  throw err;
};

function makeRequireFunction(mod) {
  const require = function require(id) {
    return mod.require(id);
  };
  function resolve(request, options) {
    if (typeof request !== 'string') {
      const err = new TypeError(
        'The "request" argument must be of type string. Received ' + describeValue(request),
      );
      err.code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
    return Module._resolveFilename(request, mod, false, options);
  }
  resolve.paths = function paths(request) {
    if (isBuiltin(request)) return null;
    return Module._resolveLookupPaths(request, mod);
  };
  require.resolve = resolve;
  require.main = mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

Module.createRequire = function createRequire(filename) {
  let file = filename;
  if (typeof file === 'object' && file !== null && typeof file.href === 'string') {
    file = require('url').fileURLToPath(file);
  } else if (typeof file === 'string' && file.startsWith('file:')) {
    file = require('url').fileURLToPath(file);
  } else if (typeof file !== 'string' || !path.isAbsolute(file)) {
    const err = new TypeError(
      'The argument \'filename\' must be a file URL object, file URL string, or absolute ' +
        `path string. Received ${require('util').inspect(filename)}`,
    );
    err.code = 'ERR_INVALID_ARG_VALUE';
    throw err;
  }
  const trailing = file.endsWith('/');
  const proxyPath = trailing ? path.join(file, 'noop.js') : file;
  return makeRequireFunction(moduleAt(proxyPath));
};

Module.syncBuiltinESMExports = function syncBuiltinESMExports() {
  esm().syncBuiltinESMExports();
};

// No source maps are collected (Node's default without
// --enable-source-maps): there is never one to find.
Module.findSourceMap = function findSourceMap(path) {
  return undefined;
};

// Loader hooks run on a worker thread in Node; the sandbox has none.
Module.register = function register() {
  throw unsupported('module.register');
};

// The entry point: an .mjs, or a .js under "type": "module", runs as an ES
// module; anything else goes through Module._load (which still detects
// module syntax in a typeless .js).
Module.runMain = function (main) {
  let file = null;
  try {
    file = Module._resolveFilename(path.resolve(main), null, true);
  } catch {
    // Module._load below reports it
  }
  if (file && (file.endsWith('.mjs') ||
      (file.endsWith('.js') && esm().packageType(file) === 'module'))) {
    esm().runMain(file, reportFatal);
    return;
  }
  Module._load(main, null, true);
};

// `node -e`: a classic script named [eval], with module/require as globals;
// code with module syntax runs as an ES module instead (Node 22's default
// --experimental-detect-module). A worker's eval code (worker_threads) is
// named [worker eval].
function runEval(code, name = '[eval]', asModule = false) {
  if (asModule || esm().evalContainsModuleSyntax(code)) {
    esm().runEvalMain(code, reportFatal);
    return undefined;
  }
  const cwd = process.cwd();
  const module = new Module(name, null);
  module.filename = path.join(cwd, name);
  module.paths = Module._nodeModulePaths(cwd);
  const require = makeRequireFunction(module);
  globalThis.module = module;
  globalThis.exports = module.exports;
  globalThis.__filename = name;
  globalThis.__dirname = '.';
  globalThis.require = require;
  return binding.util.runScript(code, name);
}

// `node -r MOD`: each loaded first, resolved from the working folder
function preload(requests) {
  const cwd = process.cwd();
  const parent = new Module('internal/preload', null);
  parent.filename = path.join(cwd, 'internal/preload');
  parent.paths = Module._nodeModulePaths(cwd);
  for (const request of requests) Module._load(request, parent, false);
}

// serve's job: code posted to the sidecar, run as the main CommonJS module
// named filename (a guest path; nothing is on disk there). Code with module
// syntax runs as `-e` runs it (an ES module has no module.exports).
// onModule(module) is told the module before its code runs.
function runSource(code, filename, onModule) {
  // compiled once: as CommonJS, and only when that fails, looked at again
  // for ES module syntax
  const content = stripBOM(code);
  let fn = null;
  let compileError = null;
  try {
    fn = compileWrapper(content, filename);
  } catch (err) {
    if (esm().evalContainsModuleSyntax(code)) {
      esm().runEvalMain(code, reportFatal);
      return;
    }
    compileError = err;
  }
  const module = new Module(filename, null);
  module.filename = filename;
  module.id = '.';
  module.paths = Module._nodeModulePaths(path.dirname(filename));
  process.mainModule = module;
  mainModule = module;
  Module._cache[filename] = module;
  onModule(module);
  if (compileError) {
    decorateSyntaxError(compileError);
    throw compileError;
  }
  runWrapper(module, fn, filename);
  module.loaded = true;
}

// require() of a builtin by name or node: URL (the ES module loader's way in)
function requireBuiltin(request) {
  const id = builtinId(request);
  if (id === null || (schemeOnly.has(id) && !builtins.has(id))) throw unsupported(request);
  return loadBuiltin(id);
}

// The resolver's file probes, shared with the ES module loader
const resolverFs = {
  stat,
  readPackage,
  readPackageScope,
  toRealPath,
  clearStatCache() {
    if (loadDepth === 0) statCache.clear();
  },
};

module.exports = {
  Module, defineBuiltin, loadBuiltin, builtins, runEval, runSource, preload, isBuiltin, requireBuiltin, resolverFs,
  setFatalHandler, compileWrapper, moduleAt, makeRequireFunction,
};
