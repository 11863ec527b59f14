'use strict';
// The snapshot entry. This file runs once, at build time, inside V8's
// SnapshotCreator: it captures the bridge table, builds `process`, the
// globals and every builtin module, then returns start(), the function the
// launcher calls once per run with that run's configuration. Whatever this
// file builds is deserialised, already initialised, at every start.

// V8 leaves Atomics, SharedArrayBuffer and WebAssembly out of a context
// that is being snapshotted and installs them when the context is
// deserialised at run time. Polyfills that walk Atomics while loading
// (node-inspect-extracted's primordials) get an empty placeholder, removed
// at the end of this file so the real one shows through at run time.
const atomicsPlaceholder = typeof Atomics === 'undefined';
if (atomicsPlaceholder) globalThis.Atomics = {};

const binding = require('../node/internal/binding');

Object.assign(binding, globalThis.__se_bridge);
// Guest code must never reach a native function directly.
delete globalThis.__se_bridge;
binding.child = require('../node/internal/child-native');
// JSON.parse from an external copy of one-byte text (V8 10.2 makes its
// short strings two-byte otherwise; see isolate/v8/natives.cc).
binding.json.keepBuiltin(JSON.parse);
JSON.parse = binding.json.parse;

const tick = require('./tick');
const procModule = require('./process');
const { process, setupRun, toStatus, NODE_VERSION, setBeforeReallyExit } = procModule;
const workerHooks = require('../node/internal/worker-hooks');
workerHooks.process = procModule;

Object.defineProperty(globalThis, 'process', {
  value: process, writable: true, configurable: true, enumerable: false,
});
Object.defineProperty(globalThis, 'global', {
  value: globalThis, writable: true, configurable: true, enumerable: false,
});

const timers = require('./timers');
const actx = require('../node/internal/async-context');
const {
  Module, defineBuiltin, loadBuiltin, builtins, runEval, runSource, preload, setFatalHandler, compileWrapper,
  makeRequireFunction,
} = require('./loader');
// Loaded (and its lexer initialised) in the snapshot, not at first import
const esm = require('./esm');

// ---- builtin modules --------------------------------------------------------

defineBuiltin('assert', () => require('assert'));
defineBuiltin('assert/strict', () => require('assert').strict);
defineBuiltin('async_hooks', () => require('async_hooks'));
defineBuiltin('buffer', () => require('buffer'));
defineBuiltin('child_process', () => require('../node/child_process'));
defineBuiltin('console', () => require('console'));
defineBuiltin('constants', () => require('constants'));
defineBuiltin('crypto', () => require('../node/crypto'));
defineBuiltin('dgram', () => require('../node/dgram'));
defineBuiltin('diagnostics_channel', () => require('diagnostics_channel'));
// node:test (only with the prefix): the lazy bundle's, built at first use.
defineBuiltin('node:test', () => require('../node/internal/fetch').loadLazy().test().nodeTest());
defineBuiltin('node:test/reporters',
  () => require('../node/internal/fetch').loadLazy().test().nodeTestReporters());
defineBuiltin('dns', () => require('../node/dns'));
defineBuiltin('dns/promises', () => require('../node/dns').promises);
defineBuiltin('events', () => require('events'));
defineBuiltin('fs', () => require('fs'));
defineBuiltin('fs/promises', () => require('fs').promises);
defineBuiltin('http', () => require('../node/http'));
// Node's internal http and stream modules that packages and tests still
// require by name: views of the public modules' parts.
defineBuiltin('_http_agent', () => {
  const http = require('../node/http');
  const agentModule = { Agent: http.Agent };
  Object.defineProperty(agentModule, 'globalAgent', {
    configurable: true,
    enumerable: true,
    get() { return http.globalAgent; },
    set(value) { http.globalAgent = value; },
  });
  return agentModule;
});
defineBuiltin('_http_client', () => ({ ClientRequest: require('../node/http').ClientRequest }));
defineBuiltin('_http_common', () => {
  const http = require('../node/http');
  return {
    _checkIsHttpToken: (token) => /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/.test(token),
    _checkInvalidHeaderChar: (value) => /[^\t\x20-\x7e\x80-\xff]/.test(value),
    chunkExpression: /(?:^|\W)chunked(?:$|\W)/i,
    continueExpression: /(?:^|\W)100-continue(?:$|\W)/i,
    CRLF: '\r\n',
    methods: http.METHODS,
    parsers: http._parsers,
    freeParser: http._freeParser,
  };
});
defineBuiltin('_http_incoming', () => ({ IncomingMessage: require('../node/http').IncomingMessage }));
defineBuiltin('_http_outgoing', () => {
  const { OutgoingMessage, validateHeaderName, validateHeaderValue } = require('../node/http');
  return { OutgoingMessage, validateHeaderName, validateHeaderValue };
});
defineBuiltin('_http_server', () => {
  const { STATUS_CODES, Server, ServerResponse, _connectionListener, _kConnectionsCheckingInterval } =
    require('../node/http');
  return {
    STATUS_CODES, Server, ServerResponse, _connectionListener,
    kConnectionsCheckingInterval: _kConnectionsCheckingInterval,
  };
});
defineBuiltin('_stream_duplex', () => require('stream').Duplex);
defineBuiltin('_stream_passthrough', () => require('stream').PassThrough);
defineBuiltin('_stream_readable', () => require('stream').Readable);
defineBuiltin('_stream_transform', () => require('stream').Transform);
defineBuiltin('_stream_writable', () => require('stream').Writable);
defineBuiltin('https', () => require('../node/https'));
defineBuiltin('http2', () => require('../node/http2'));
defineBuiltin('module', () => Module);
defineBuiltin('net', () => require('../node/net'));
defineBuiltin('os', () => require('../node/os'));
defineBuiltin('path', () => require('path'));
defineBuiltin('path/posix', () => require('path').posix);
defineBuiltin('path/win32', () => require('path').win32);
defineBuiltin('perf_hooks', () => require('../node/perf_hooks'));
defineBuiltin('process', () => process);
defineBuiltin('punycode', () => require('punycode'));
defineBuiltin('querystring', () => require('querystring'));
defineBuiltin('stream', () => require('stream'));
defineBuiltin('stream/promises', () => require('stream/promises'));
defineBuiltin('stream/consumers', () => require('../node/stream_consumers'));
defineBuiltin('readline', () => require('../node/readline'));
defineBuiltin('readline/promises', () => require('../node/readline_promises'));
defineBuiltin('stream/web', () => require('../node/internal/fetch').loadStreamWeb());
defineBuiltin('string_decoder', () => require('string_decoder'));
defineBuiltin('sys', () => require('util'));
defineBuiltin('timers', () => require('../node/timers'));
defineBuiltin('timers/promises', () => require('../node/timers_promises'));
defineBuiltin('tls', () => require('../node/tls'));
defineBuiltin('tty', () => require('tty'));
defineBuiltin('url', () => require('url'));
defineBuiltin('util', () => require('util'));
defineBuiltin('util/types', () => require('util').types);
defineBuiltin('vm', () => require('../node/vm'));
defineBuiltin('v8', () => require('../node/v8'));
defineBuiltin('worker_threads', () => require('../node/worker_threads'));
defineBuiltin('zlib', () => require('../node/zlib'));

// ---- globals ----------------------------------------------------------------

// ES2023/2024 built-ins Node 22's V8 has and V8 10.2 lacks (toSorted, ...)
require('../node/internal/es-builtins').installEsBuiltins();
// stack frames name our modules (node:fs, ...), not the bundle's lines
require('../node/internal/stack-names').installStackNames();

function defineGlobal(name, value, enumerable = false) {
  Object.defineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable,
  });
}

defineGlobal('setTimeout', timers.setTimeout, true);
defineGlobal('clearTimeout', timers.clearTimeout, true);
defineGlobal('setInterval', timers.setInterval, true);
defineGlobal('clearInterval', timers.clearInterval, true);
defineGlobal('setImmediate', timers.setImmediate, true);
defineGlobal('clearImmediate', timers.clearImmediate, true);

// V8 keeps the async context frame for promise reactions only: a queued
// microtask takes the frame and runs as its own resource (Node's
// 'Microtask').
function queueMicrotask(callback) {
  timers.validateCallback(callback);
  const resource = { callback };
  const frame = actx.frameNow();
  const trigger = actx.executionAsyncId();
  const asyncId = actx.initResource('Microtask', resource);
  binding.task.enqueueMicrotask(() => {
    const framed = actx.state.framesOn;
    if (framed) actx.frameSet(frame);
    actx.enter(asyncId, trigger, resource);
    try {
      callback();
    } catch (err) {
      fatal(err, undefined, false);
    } finally {
      actx.leave(asyncId);
      if (framed) actx.frameSet(undefined);
      actx.emitDestroy(asyncId);
    }
  });
}
defineGlobal('queueMicrotask', queueMicrotask, true);

const { Buffer } = require('buffer');
defineGlobal('Buffer', Buffer);

{
  const wt = require('../node/worker_threads');
  defineGlobal('MessageChannel', wt.MessageChannel);
  defineGlobal('MessagePort', wt.MessagePort);
  defineGlobal('BroadcastChannel', wt.BroadcastChannel);
}

const webGlobals = require('../node/internal/globals');
for (const name of Object.keys(webGlobals)) defineGlobal(name, webGlobals[name]);

// Web Crypto: `crypto` is a getter, as in Node; the classes are plain globals.
const webcrypto = require('../node/internal/webcrypto');
Object.defineProperty(globalThis, 'crypto', {
  get: function crypto() { return webcrypto.webcrypto; }, enumerable: true, configurable: true,
});
defineGlobal('Crypto', webcrypto.Crypto);
defineGlobal('CryptoKey', webcrypto.CryptoKey);
defineGlobal('SubtleCrypto', webcrypto.SubtleCrypto);

// fetch, Headers, Request, Response, FormData, MessageEvent, WebSocket and the
// web streams: lazy, built at first use (not in the snapshot).
require('../node/internal/fetch').installGlobals(globalThis);

const perfInternal = require('../node/internal/performance');
const { performance, setTimeOrigin } = perfInternal;
defineGlobal('performance', performance, true);
for (const name of ['Performance', 'PerformanceEntry', 'PerformanceMark', 'PerformanceMeasure',
  'PerformanceObserver', 'PerformanceObserverEntryList', 'PerformanceResourceTiming']) {
  defineGlobal(name, perfInternal[name]);
}

// navigator: a getter of the global, as Node 22's; Navigator its class
const { Navigator, getNavigator } = require('../node/internal/navigator');
defineGlobal('Navigator', Navigator);
Object.defineProperty(globalThis, 'navigator', {
  get: Object.getOwnPropertyDescriptor({ get navigator() { return getNavigator(); } }, 'navigator').get,
  set: undefined,
  enumerable: true,
  configurable: true,
});

// console last: it formats with util, which needs the globals above.
defineGlobal('console', require('console'));

// Build every builtin and the stdio streams now, so none of that runs at
// start-up: it is all in the snapshot.
// stream/web is left for first use, with the fetch family.
const notPreloaded = new Set(['stream/web', 'node:test', 'node:test/reporters']);
for (const name of builtins.keys()) if (!notPreloaded.has(name)) loadBuiltin(name);
void process.stdout;
void process.stderr;

// ---- fatal exceptions ---------------------------------------------------------

function writeErr(s) {
  try {
    process.stderr.write(s);
  } catch {
    binding.process.write(2, s);
  }
}

function printFatal(err, header, fromPromise) {
  const { inspect } = require('util');
  let out = '';
  // A compile error's own place beats the line that rethrew it, and is not
  // printed twice when its stack already starts with it (CommonJS).
  const where = err !== null && typeof err === 'object' ? binding.esm.whereOf(err) : undefined;
  if (where !== undefined) header = where;
  let stack;
  try {
    stack = err !== null && typeof err === 'object' ? err.stack : undefined;
  } catch {
    stack = undefined;
  }
  if (header && typeof stack === 'string' && stack.startsWith(header)) header = undefined;
  if (header) out += require('../node/internal/stack-names').renameFrame(header);
  if (err instanceof Error || (err && typeof err.stack === 'string')) {
    out += `${header ? '\n' : ''}${inspect(err)}\n`;
  } else {
    out += `${fromPromise ? 'Uncaught ' : ''}${inspect(err)}\n` +
      '(Use `node --trace-uncaught ...` to show where the exception was thrown)\n';
  }
  writeErr(`${out}\nNode.js ${process.version}\n`);
}

// The package a "Cannot find module 'x'" / "Cannot find package 'x'" names,
// for the launcher: when the host has it in a node_modules above the app
// folder (a workspace's hoisted packages), it says which --app shows it.
function noteMissingPackage(err) {
  if (err === null || typeof err !== 'object') return;
  if (err.code !== 'MODULE_NOT_FOUND' && err.code !== 'ERR_MODULE_NOT_FOUND') return;
  const m = /^Cannot find (?:module|package) '([^']+)'/.exec(String(err.message));
  if (!m || /^(?:[./]|node:|file:|data:)/.test(m[1])) return;
  const parts = m[1].split('/');
  const name = m[1].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  binding.process.missingPackage(name);
}

// Returns true when 'uncaughtException' listeners handled err; otherwise
// prints it and ends the run with status 1 (this call does not return then).
function fatal(err, header, fromPromise) {
  const origin = fromPromise ? 'unhandledRejection' : 'uncaughtException';
  try {
    if (process.hasUncaughtExceptionCaptureCallback()) {
      // Node's capture callback takes precedence over the listeners.
      const capture = captureFn();
      if (capture) {
        capture(err);
        return true;
      }
    }
    process.emit('uncaughtExceptionMonitor', err, origin);
    if (process.listenerCount('uncaughtException') > 0) {
      process.emit('uncaughtException', err, origin);
      actx.clearScopes();
      return true;
    }
  } catch (err2) {
    printFatal(err2, undefined, false);
    binding.process.reallyExit(7);
    return false;
  }
  // a worker's uncaught exception is its parent's 'error' event
  if (!(isWorker && workerHooks.reportWorkerError(err, header))) printFatal(err, header, fromPromise);
  noteMissingPackage(err);
  if (!process._exiting) {
    process._exiting = true;
    process.exitCode = 1;
    try {
      process.emit('exit', 1);
    } catch (err3) {
      printFatal(err3, undefined, false);
      binding.process.reallyExit(7);
    }
  }
  // an 'exit' listener may have set process.exitCode: Node exits with it
  const code = process.exitCode;
  binding.process.reallyExit(code === undefined || code === null ? 1 : Number(code));
  return false;
}

let capturedFn = null;
const setCapture = process.setUncaughtExceptionCaptureCallback;
process.setUncaughtExceptionCaptureCallback = function (fn) {
  setCapture(fn);
  capturedFn = fn;
};
function captureFn() {
  return capturedFn;
}

tick.setFatalHandler(fatal);
// Node's own entry for an error that nobody caught: true when a listener
// took it (else the run ends, as for any uncaught exception)
process._fatalException = (err) => fatal(err, undefined, false);

function beforeExit() {
  actx.flushDestroyed(); // destroy hooks still queued: the loop has no check phase left
  process.emit('beforeExit', toStatus(process.exitCode));
}

// A serve job (its config names the main module's filename): its result
// is the JSON of the main module's exports; its code's module (runSource).
let wantResult = false;
let sourceModule = null;

// Hands the JSON of the job's module.exports to the runtime, or why there
// is none (an ES module; a cycle, a BigInt, a throwing toJSON).
function sendResult() {
  if (!wantResult) return;
  const main = sourceModule || process.mainModule;
  if (!main) {
    binding.process.result(undefined, 'the main module is an ES module: it has no module.exports');
    return;
  }
  let json;
  try {
    json = JSON.stringify(main.exports);
  } catch (err) {
    let why;
    try {
      why = `module.exports cannot be JSON: ${err && err.message}`;
    } catch {
      why = 'module.exports cannot be JSON';
    }
    binding.process.result(undefined, why);
    return;
  }
  binding.process.result(json, undefined);
}

// The loop is empty: 'exit', always (Node's, even after a process.exit()
// whose replaced process.reallyExit returned)
function exit() {
  esm.checkUnsettled();
  process._exiting = true;
  process.emit('exit', toStatus(process.exitCode));
  sendResult();
  return toStatus(process.exitCode);
}

// ---- per run ------------------------------------------------------------------

// What every run installs the same way, whatever its job: the runtime's
// hooks into the tick queue, the timers, the exit path and the ES module
// loader. Once: in prepare() for serve's pool, else at start().
let hooksSet = false;
function setRuntimeHooks() {
  if (hooksSet) return;
  hooksSet = true;
  binding.task.setHooks(
    tick.processTicksAndRejections,
    fatal,
    timers.processTimers,
    timers.processImmediate,
    beforeExit,
    exit,
  );
  binding.task.setPromiseRejectHook(tick.promiseRejectHook);
  tick.takeTickInfo();
  esm.init();
}

// serve's pool (launcher/job.h): a sandbox waiting for its job walks the
// path a job's start takes, so that the job finds its functions compiled,
// its hidden classes made, its inline caches warm and the engine's code
// paged in (a job's first run of them costs several times its second).
// cfg has a job's shape (bridge/runtime.c). Twice: V8 compiles a regular
// expression to machine code at its second use. Nothing the job could see
// is left: no module is cached, no listener added, no code of the warm-up
// run, and what is set here (process.argv, env, pid, the clocks, the DNS
// servers, the search paths) the job's start sets again.
function prepare(cfg) {
  for (let i = 0; i < 2; i++) {
    setupRun(cfg);
    setTimeOrigin();
    setRuntimeHooks();
    require('../node/internal/child_process/ipc').setupChildChannel();
    Module._initPaths();
    compileWrapper(prepareSource, cfg.filename);
    const m = new Module(cfg.filename, null);
    m.filename = cfg.filename;
    m.paths = Module._nodeModulePaths(require('path').dirname(cfg.filename));
    makeRequireFunction(m);
    JSON.stringify({ prepared: [m.paths.length, 0.5, 'x', null, true, {}] });
  }
}

// What prepare compiles and never runs: the syntax a job's code is made
// of, so that the parser and the bytecode generator have met each form once
// (the wrapper's body is compiled at once, the inner functions preparsed).
const prepareSource = `'use strict';
const a = [1, 2.5, 'three', null, undefined, true, { b: 1, 'c-d': [2] }, /x+/g, 10n];
let n = 0;
for (let i = 0; i < a.length; i++) n += i;
for (const k in a[6]) n += k.length;
for (const v of a) if (v === null || typeof v === 'object') n--; else n++;
while (n > 100) n -= 10;
do { n++; } while (n < 0);
switch (n % 3) { case 0: n = 1; break; case 1: n = 2; break; default: n = 3; }
try { n = JSON.parse('{"x":1}').x ?? n; } catch (e) { n = -1; } finally { n += 0; }
const { b, ...rest } = a[6];
const [first, , third = 3, ...others] = a;
const f = (x, y = 1, ...z) => x * y + z.length;
function g(p) { return p?.q?.[0] ?? \`\${p} \${n}\`; }
async function h() { await null; return 1; }
function* gen() { yield 1; yield* [2, 3]; }
class A { #p = 1; static s = 2; constructor(v) { this.v = v; } get w() { return this.#p; } m() { return super.toString(); } }
class B extends A { constructor() { super(1); } }
const o = { n, f, g, h, gen, [Symbol.iterator]: gen, get x() { return 1; }, set x(v) {}, ...rest };
n = n > 0 ? n ** 2 : -n;
n = (n & 0xff) | (n << 2) ^ ~n >>> 1;
label: for (;;) { if (n) break label; else continue label; }
exports.x = new B() instanceof A && 'x' in o && delete o.x && void 0;
module.exports = { a, b, first, third, others, o, n: String(n).padStart(3) + f(1, 2) };
`;

// `secure-exec-launch shell`: a REPL over the supervisor's channel
// (node/internal/shell/repl.js, in the lazy bundle), with `require`,
// `module` and `exports` of a module in the current folder, as Node's REPL.
function startShell(attached) {
  const util = require('util');
  // colours as the host's terminal has them (the launcher says so from the
  // host's environment): no read of the guest's own, which the audit log
  // would show as the shell's denials
  const { terminal } = require('../node/internal/terminal');
  const env = {
    binding,
    process,
    inspect: util.inspect,
    colors: !attached && terminal.stdout === true && terminal.colorDepth >= 4,
    attached,
  };
  if (attached) {
    // a serve job's: nothing added to its globals, and the REPL (acorn
    // with it) compiled only when a shell attaches and speaks
    let repl = null;
    const opened = binding.shell.open((line) => {
      if (repl === null) repl = require('../node/internal/fetch').loadLazy().shell().start(env);
      repl.onMessage(line);
    }, () => {
      if (repl !== null) repl.onInterrupt();
    }, true);
    if (opened) binding.shell.send('{"t":"ready"}');
    return;
  }
  const path = require('path');
  const cwd = process.cwd();
  const mod = new Module('<repl>', null);
  mod.filename = path.join(cwd, '<repl>');
  mod.paths = Module._nodeModulePaths(cwd);
  const define = (name, value) => Object.defineProperty(globalThis, name, {
    value, writable: true, configurable: true, enumerable: false,
  });
  define('module', mod);
  define('exports', mod.exports);
  define('require', makeRequireFunction(mod));
  require('../node/internal/fetch').loadLazy().shell().start(env);
}

let isWorker = false;

function start(json) {
  const cfg = JSON.parse(json);
  if (cfg.prepare === true) {
    prepare(cfg);
    return null;
  }
  setupRun(cfg);
  if (cfg.threadId > 0) {
    isWorker = true;
    workerHooks.setupWorkerThread(cfg, procModule);
  }
  setTimeOrigin();
  setRuntimeHooks();
  // a guest its parent started with an IPC channel (fork): process.send...
  require('../node/internal/child_process/ipc').setupChildChannel();
  Module._initPaths();
  setFatalHandler((err) => fatal(err, esm.errorHeader(err), false));
  return function main() {
    perfInternal.markBootstrapComplete();
    if (cfg.shell === true && cfg.source === null) {
      startShell(false);
      return;
    }
    // serve --debug: an operator's shell may attach to this job
    if (cfg.shell === true) startShell(true);
    if (cfg.filename !== null) {
      wantResult = true;
      setBeforeReallyExit(sendResult);
    }
    if (cfg.preload.length) preload(cfg.preload);
    if (cfg.source !== null) {
      runSource(cfg.source, cfg.filename, (m) => { sourceModule = m; });
    } else if (cfg.eval !== null || cfg.stdinScript) {
      const code = cfg.eval !== null ? cfg.eval : require('fs').readFileSync(0, 'utf8');
      const result = runEval(code, cfg.eval !== null ? (isWorker ? '[worker eval]' : '[eval]') : '[stdin]', cfg.inputModule);
      if (cfg.print) console.log(result);
    } else {
      Module.runMain(cfg.script);
    }
  };
}

if (atomicsPlaceholder) delete globalThis.Atomics;

module.exports = start;
