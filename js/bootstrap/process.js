'use strict';
// The `process` object. Built once at snapshot time (an EventEmitter with
// Node's shape); everything that belongs to one run — argv, env, execPath,
// cwd, pid, the uptime origin — is filled in by setupRun() when the run
// starts. process.exit() ends the run through the bridge's reallyExit, which
// terminates V8 execution: no guest try/catch/finally can intercept it.

const binding = require('../node/internal/binding');
const EventEmitter = require('events');
const { nextTick } = require('./tick');
const { setEnv } = require('../node/internal/env');

const NODE_VERSION = '22.14.0';

function makeError(Ctor, code, message) {
  const err = new Ctor(message);
  err.code = code;
  return err;
}

function describe(v) {
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

// Node's addNumericalSeparator: 9007199254740992 -> 9_007_199_254_740_992
function groupDigits(text) {
  let out = '';
  let i = text.length;
  const start = text[0] === '-' ? 1 : 0;
  for (; i >= start + 4; i -= 3) out = `_${text.slice(i - 3, i)}${out}`;
  return `${text.slice(0, i)}${out}`;
}

function validateExitCode(code) {
  if (code === undefined || code === null) return;
  if (typeof code === 'string' && code.trim() !== '' && Number.isInteger(Number(code))) return;
  if (typeof code === 'number') {
    if (!Number.isInteger(code)) {
      throw makeError(RangeError, 'ERR_OUT_OF_RANGE',
        `The value of "code" is out of range. It must be an integer. Received ${code}`);
    }
    // Node's validateInteger: a safe integer; the status is its low 8 bits
    if (!Number.isSafeInteger(code)) {
      throw makeError(RangeError, 'ERR_OUT_OF_RANGE',
        'The value of "code" is out of range. It must be >= -9007199254740991 && ' +
        `<= 9007199254740991. Received ${groupDigits(String(code))}`);
    }
    return;
  }
  throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
    `The "code" argument must be of type number. Received ${describe(code)}`);
}

// named `process` as Node's (V8 says "#<process>" in its messages)
const Process = { process: class extends EventEmitter {} }.process;
Object.defineProperty(Process.prototype, Symbol.toStringTag, {
  value: 'process', writable: false, enumerable: false, configurable: true,
});

const process = new Process();
require('./tick').setReceiver(process);
let exitCode;
let startTime = 0;
let timeOrigin = 0;

Object.defineProperty(process, 'exitCode', {
  get() {
    return exitCode;
  },
  set(code) {
    validateExitCode(code);
    exitCode = code;
  },
  enumerable: true,
  configurable: false,
});

process.title = 'node';
process.version = `v${NODE_VERSION}`;
// The libraries the bridges really link (OpenSSL, zlib, brotli, libuv)
// report their own versions; the rest are those of Node's release.
const [zlibVersion, brotliVersion] = binding.zlib.versions().split('\0');
process.versions = {
  node: NODE_VERSION,
  acorn: '8.14.0',
  ada: '2.9.2',
  ares: '1.34.4',
  brotli: brotliVersion,
  modules: '127',
  napi: '10',
  openssl: binding.crypto.version(),
  undici: '6.21.1',
  uv: binding.process.uvVersion(),
  v8: binding.process.engineVersion(),
  zlib: zlibVersion,
};
process.arch = 'x64';
process.platform = 'linux';
process.release = {
  name: 'node',
  lts: 'Jod',
  sourceUrl: `https://nodejs.org/download/release/v${NODE_VERSION}/node-v${NODE_VERSION}.tar.gz`,
  headersUrl: `https://nodejs.org/download/release/v${NODE_VERSION}/node-v${NODE_VERSION}-headers.tar.gz`,
};
process.argv = [];
process.execArgv = [];
process.env = {};
process.execPath = '/usr/local/bin/node';
process.argv0 = 'node';
process.pid = 0;
process.ppid = 0;
process.features = {
  inspector: false, debug: false, uv: true, ipv6: true, tls_alpn: true, tls_sni: true,
  tls_ocsp: true, tls: true, cached_builtins: true, require_module: true, typescript: false,
};
// node_module_version: Node 22's ABI (native addons never load here anyway)
// frozen through, as Node's (an assignment to it throws in strict code)
process.config = Object.freeze({
  target_defaults: Object.freeze({}),
  variables: Object.freeze({ node_module_version: 127 }),
});
process.allowedNodeEnvironmentFlags = new Set();
process.moduleLoadList = [];
process._exiting = false;
process.noDeprecation = false;
process.throwDeprecation = false;
process.traceDeprecation = false;

process.nextTick = nextTick;

process.cwd = function cwd() {
  return binding.process.cwd();
};

process.chdir = function chdir(directory) {
  if (typeof directory !== 'string') {
    throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "directory" argument must be of type string. Received ${describe(directory)}`);
  }
  // the bridge decides the folder as a read; relative paths resolve
  // against it from then on (Node's message: chdir FROM -> 'TO')
  const from = binding.process.cwd();
  const r = binding.process.chdir(directory);
  if (r < 0) {
    const { errnoName, errnoMessage } = require('../node/internal/errno');
    const code = errnoName(r) || 'UNKNOWN';
    const err = new Error(`${code}: ${errnoMessage(r) || 'unknown error'}, chdir '${from}' -> '${directory}'`);
    err.errno = r;
    err.code = code;
    err.syscall = 'chdir';
    err.path = from;
    err.dest = directory;
    throw err;
  }
};

process.umask = function umask(mask) {
  if (mask === undefined) return binding.process.umask();
  if (typeof mask === 'string') {
    if (!/^[0-7]+$/.test(mask)) {
      throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE',
        `The argument 'mask' must be a 32-bit unsigned integer or an octal string. Received '${mask}'`);
    }
    mask = parseInt(mask, 8);
  } else if (mask === null) {
    mask = undefined; // Node's default for a missing mode: refused as undefined
  }
  // Node's check (a 32-bit unsigned integer), then only a mode's bits
  require('../node/internal/validators').validateInteger(mask, 'mask', 0, 4294967295);
  return binding.process.umask(mask & 0o777);
};

function hrtime(prev) {
  const t = binding.process.hrtime();
  if (prev !== undefined) {
    if (!Array.isArray(prev)) {
      throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
        `The "time" argument must be an instance of Array. Received ${describe(prev)}`);
    }
    if (prev.length !== 2) {
      throw makeError(RangeError, 'ERR_OUT_OF_RANGE',
        `The value of "time" is out of range. It must be 2. Received ${prev.length}`);
    }
    let sec = t[0] - prev[0];
    let nsec = t[1] - prev[1];
    if (nsec < 0) {
      sec -= 1;
      nsec += 1e9;
    }
    return [sec, nsec];
  }
  return [t[0], t[1]];
}
hrtime.bigint = function bigint() {
  return binding.process.hrtimeBigint();
};
process.hrtime = hrtime;

function memoryUsage() {
  const m = binding.process.memoryUsage();
  return { rss: m[0], heapTotal: m[1], heapUsed: m[2], external: m[3], arrayBuffers: m[4] };
}
memoryUsage.rss = function rss() {
  return binding.process.rss();
};
process.memoryUsage = memoryUsage;

// prevValue's fields as Node checks them: numbers, then finite and >= 0.
function checkPrevUsage(prev, field) {
  const { codes } = require('../node/internal/errors');
  const v = prev[field];
  if (typeof v !== 'number') throw codes.ERR_INVALID_ARG_TYPE(`prevValue.${field}`, 'number', v);
  if (v < 0 || !Number.isFinite(v)) {
    const err = codes.ERR_INVALID_ARG_VALUE(`prevValue.${field}`, v);
    throw Object.setPrototypeOf(err, RangeError.prototype);
  }
}

process.cpuUsage = function cpuUsage(prev) {
  const c = binding.process.cpuUsage();
  if (prev !== undefined) {
    if (prev === null || typeof prev !== 'object') {
      throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
        `The "prevValue" argument must be of type object. Received ${describe(prev)}`);
    }
    checkPrevUsage(prev, 'user');
    checkPrevUsage(prev, 'system');
    return { user: c[0] - prev.user, system: c[1] - prev.system };
  }
  return { user: c[0], system: c[1] };
};

process.resourceUsage = function resourceUsage() {
  const r = binding.process.resourceUsage();
  return {
    userCPUTime: r[0], systemCPUTime: r[1], maxRSS: r[2], sharedMemorySize: r[3],
    unsharedDataSize: r[4], unsharedStackSize: r[5], minorPageFault: r[6],
    majorPageFault: r[7], swappedOut: r[8], fsRead: r[9], fsWrite: r[10],
    ipcSent: r[11], ipcReceived: r[12], signalsCount: r[13],
    voluntaryContextSwitches: r[14], involuntaryContextSwitches: r[15],
  };
};

// The run's memory budget (what os.totalmem() says) and what it has left:
// the guest's constraint, as Node reports the cgroup's.
process.constrainedMemory = function constrainedMemory() {
  return binding.os.stats()[3];
};

process.availableMemory = function availableMemory() {
  return binding.os.stats()[4];
};

// The ref'd timers and immediates (Node lists its libuv handles and
// requests too; the sandbox's sockets, servers and fs requests are not
// listed).
process.getActiveResourcesInfo = function getActiveResourcesInfo() {
  const [timeouts, immediates] = require('./timers').activeCounts();
  return [...new Array(timeouts).fill('Timeout'), ...new Array(immediates).fill('Immediate')];
};

// process.report: diagnostic reports are not written in the sandbox.
{
  const { notSupported } = require('../node/internal/deferred');
  const report = {};
  for (const fn of ['writeReport', 'getReport']) {
    report[fn] = {
      [fn]() {
        throw notSupported(`process.report.${fn}`);
      },
    }[fn];
  }
  Object.assign(report, {
    directory: '', filename: '', compact: false, excludeNetwork: false, signal: 'SIGUSR2',
    reportOnFatalError: false, reportOnSignal: false, reportOnUncaughtException: false,
    excludeEnv: false,
  });
  process.report = report;
}

process.uptime = function uptime() {
  return binding.process.uptime();
};

// The sandbox user's ids as the kernel has them inside the user namespace:
// the same ones os.userInfo() and fs.stat() of the guest's files show.
process.getuid = function getuid() {
  return binding.process.ids()[0];
};
process.geteuid = function geteuid() {
  return binding.process.ids()[1];
};
process.getgid = function getgid() {
  return binding.process.ids()[2];
};
process.getegid = function getegid() {
  return binding.process.ids()[3];
};
process.getgroups = function getgroups() {
  return Array.from(binding.process.ids().subarray(4));
};

// The credential setters, as the kernel answers an unprivileged process
// (the sandbox's user has no capability): an id it already has is kept,
// any other is EPERM, and setgroups/initgroups are EPERM; no syscall is
// made. Names resolve against the run's own user only (the host's user
// database is not the guest's): another name is ERR_UNKNOWN_CREDENTIAL.
// Arguments are checked as Node checks them.
function credentialId(id, name, type) {
  const { codes } = require('../node/internal/errors');
  if (typeof id === 'number') {
    require('../node/internal/validators').validateInteger(id, name, 0, 2 ** 32 - 1);
    return id;
  }
  if (typeof id !== 'string') throw codes.ERR_INVALID_ARG_TYPE(name, ['number', 'string'], id);
  const own = binding.os.userInfo();
  const [username] = typeof own === 'string' ? own.split('\0') : [];
  if (type === 'User' && id === username) return binding.process.ids()[0];
  throw codes.ERR_UNKNOWN_CREDENTIAL(type, id);
}

function credentialDenied(syscall) {
  const err = new Error('EPERM, Operation not permitted');
  err.errno = -1;
  err.code = 'EPERM';
  err.syscall = syscall;
  return err;
}

for (const [fn, type, index] of [['setuid', 'User', 0], ['seteuid', 'User', 1],
  ['setgid', 'Group', 2], ['setegid', 'Group', 3]]) {
  process[fn] = {
    [fn](id) {
      const wanted = credentialId(id, 'id', type);
      const ids = binding.process.ids();
      // an unprivileged process may take its real, effective or saved id
      if (wanted !== ids[index & 2] && wanted !== ids[(index & 2) + 1]) throw credentialDenied(fn);
    },
  }[fn];
}

process.setgroups = function setgroups(groups) {
  const { codes } = require('../node/internal/errors');
  if (!Array.isArray(groups)) throw codes.ERR_INVALID_ARG_TYPE('groups', 'Array', groups);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (typeof g !== 'number' && typeof g !== 'string') {
      throw codes.ERR_INVALID_ARG_TYPE(`groups[${i}]`, ['number', 'string'], g);
    }
    if (typeof g === 'number') credentialId(g, `groups[${i}]`, 'Group');
  }
  for (const g of groups) if (typeof g === 'string') credentialId(g, 'groups', 'Group');
  throw credentialDenied('setgroups');
};

process.initgroups = function initgroups(user, extraGroup) {
  const { codes } = require('../node/internal/errors');
  if (typeof user !== 'number' && typeof user !== 'string') {
    throw codes.ERR_INVALID_ARG_TYPE('user', ['number', 'string'], user);
  }
  if (typeof extraGroup !== 'number' && typeof extraGroup !== 'string') {
    throw codes.ERR_INVALID_ARG_TYPE('extraGroup', ['number', 'string'], extraGroup);
  }
  credentialId(extraGroup, 'extraGroup', 'Group');
  credentialId(user, 'user', 'User');
  throw credentialDenied('initgroups');
};

// Called once 'exit' is emitted, before the run ends (a serve job's
// result: main.js); null none.
let beforeReallyExit = null;

process.exit = function exit(code) {
  if (code !== undefined) process.exitCode = code;
  if (!process._exiting) {
    process._exiting = true;
    process.emit('exit', toStatus(process.exitCode));
  }
  if (beforeReallyExit !== null) beforeReallyExit();
  // through process.reallyExit, as Node's (a program may replace it)
  process.reallyExit(toStatus(process.exitCode));
};

process.reallyExit = function reallyExit(code) {
  binding.process.reallyExit(toStatus(code));
  untilTerminated();
};

// reallyExit asked V8 to terminate, which it does at its next interrupt
// check: a loop's back edge is one, so no statement after process.exit()
// runs (a worker's run goes on after its end, its parent's with it).
function untilTerminated() {
  for (;;) {
    // terminated at the back edge
  }
}

// a method: no prototype, not a constructor, as Node's
process.abort = {
  abort() {
    binding.process.reallyExit(134);
  },
}.abort;

// DEP0100: process.assert, a plain assertion.
// (util.deprecate made at the first call: util is not loaded this early)
let deprecatedAssert;
process.assert = function assert(value, message) {
  if (deprecatedAssert === undefined) {
    deprecatedAssert = require('util').deprecate((v, m) => {
      if (!v) {
        const { makeNodeError } = require('../node/internal/errors');
        throw makeNodeError(Error, 'ERR_ASSERTION', m || 'assertion error');
      }
    }, 'process.assert() is deprecated. Please use the `assert` module instead.', 'DEP0100');
  }
  return deprecatedAssert(value, message);
};

// Source maps are not applied to the sandbox's stack traces: enabling them
// is refused; the argument is checked as Node checks it.
process.sourceMapsEnabled = false;
process.setSourceMapsEnabled = function setSourceMapsEnabled(val) {
  require('../node/internal/validators').validateBoolean(val, 'val');
  if (val) throw require('../node/internal/deferred').notSupported('process.setSourceMapsEnabled');
};

function toStatus(code) {
  if (code === undefined || code === null) return 0;
  const n = Number(code);
  return Number.isInteger(n) ? n & 0xff : 1;
}

// ---- signals --------------------------------------------------------------
// Node's: a listener for a signal name is what makes the process take the
// signal (bridge/signal.c plays the default action otherwise: the run ends
// with 128 + N); listeners get (name, number). process.kill() of the
// guest's own pid goes the same way.

const signals = require('../node/internal/linux-constants').signals;

function isSignal(type) {
  return typeof type === 'string' && type.startsWith('SIG') &&
    Object.prototype.hasOwnProperty.call(signals, type);
}

function errnoError(err, syscall) {
  const { errnoName } = require('../node/internal/errno');
  const code = errnoName(err) || `Unknown system error ${err}`;
  const e = new Error(`${syscall} ${code}`);
  e.errno = err;
  e.code = code;
  e.syscall = syscall;
  return e;
}

process.on('newListener', function startListeningIfSignal(type) {
  if (!isSignal(type) || process.listenerCount(type) !== 0) return;
  if (type === 'SIGKILL' || type === 'SIGSTOP') throw errnoError(-22, 'uv_signal_start');
  binding.signal.listen(signals[type], true);
});
process.on('removeListener', function stopListeningIfSignal(type) {
  if (isSignal(type) && process.listenerCount(type) === 0) {
    binding.signal.listen(signals[type], false);
  }
});

const signalNames = [];
for (const name of Object.keys(signals)) {
  if (signalNames[signals[name]] === undefined) signalNames[signals[name]] = name;
}

function onSignal(signum) {
  const name = signalNames[signum];
  if (name !== undefined) process.emit(name, name, signum);
}

process.kill = function kill(pid, sig) {
  // eslint-disable-next-line eqeqeq
  if (pid != (pid | 0)) {
    throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "pid" argument must be of type number. Received ${describe(pid)}`);
  }
  let signum;
  if (sig === (sig | 0)) {
    signum = sig;
  } else {
    sig = sig || 'SIGTERM';
    if (!Object.prototype.hasOwnProperty.call(signals, sig)) {
      throw makeError(TypeError, 'ERR_UNKNOWN_SIGNAL', `Unknown signal: ${sig}`);
    }
    signum = signals[sig];
  }
  // through process._kill, as Node's (tests and tools replace it to watch)
  const err = process._kill(pid | 0, signum);
  if (err) throw errnoError(err, 'kill');
  return true;
};
// process._kill(pid, signum) -> 0 or a negative errno, as Node's.
process._kill = function _kill(pid, sig) {
  return binding.signal.kill(pid | 0, sig | 0);
};

process.binding = function binding_(name) {
  throw makeError(Error, 'ERR_ACCESS_DENIED', 'process.binding is not supported in sandbox');
};
process._linkedBinding = process.binding;
process.dlopen = function dlopen() {
  throw makeError(Error, 'ERR_DLOPEN_DISABLED', 'process.dlopen is not supported in sandbox');
};

let captureCallback = null;
process.setUncaughtExceptionCaptureCallback = function (fn) {
  if (fn !== null && typeof fn !== 'function') {
    throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "fn" argument must be of type function or null. Received ${describe(fn)}`);
  }
  if (fn !== null && captureCallback !== null) {
    throw makeError(Error, 'ERR_UNCAUGHT_EXCEPTION_CAPTURE_ALREADY_SET',
      '`process.setupUncaughtExceptionCapture()` was called while a capture callback was ' +
        'already active');
  }
  captureCallback = fn;
};
process.hasUncaughtExceptionCaptureCallback = () => captureCallback !== null;

// ---- warnings -------------------------------------------------------------

const warned = new Set();
process.emitWarning = function emitWarning(warning, type, code, ctor) {
  let detail;
  if (type !== null && typeof type === 'object' && !Array.isArray(type)) {
    ctor = type.ctor;
    code = type.code;
    if (typeof type.detail === 'string') detail = type.detail;
    type = type.type || 'Warning';
  } else if (typeof type === 'function') {
    ctor = type;
    code = undefined;
    type = 'Warning';
  }
  if (type !== undefined && typeof type !== 'string') {
    throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "type" argument must be of type string. Received ${describe(type)}`);
  }
  if (typeof code === 'function') {
    ctor = code;
    code = undefined;
  } else if (code !== undefined && typeof code !== 'string') {
    throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "code" argument must be of type string. Received ${describe(code)}`);
  }
  if (typeof warning === 'string') {
    const w = new Error(warning);
    w.name = String(type || 'Warning');
    if (code !== undefined) w.code = code;
    if (detail !== undefined) w.detail = detail;
    Error.captureStackTrace(w, ctor || process.emitWarning);
    warning = w;
  } else if (!(warning instanceof Error)) {
    throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "warning" argument must be of type string or an instance of Error. Received ${describe(warning)}`);
  }
  if (warning.name === 'DeprecationWarning') {
    if (process.noDeprecation) return;
    if (process.throwDeprecation) throw warning;
  }
  nextTick(doEmitWarning, warning);
};

function doEmitWarning(warning) {
  process.emit('warning', warning);
}

function onWarning(warning) {
  if (!(warning instanceof Error)) return;
  const isDeprecation = warning.name === 'DeprecationWarning';
  if (isDeprecation && process.noDeprecation) return;
  const trace = process.traceProcessWarnings || (isDeprecation && process.traceDeprecation);
  let msg = `(node:${process.pid}) `;
  if (warning.code) msg += `[${warning.code}] `;
  if (trace && warning.stack) msg += `${warning.stack}`;
  else msg += typeof warning.toString === 'function' ? `${warning.toString()}` : '';
  if (typeof warning.detail === 'string') msg += `\n${warning.detail}`;
  if (!trace && !warned.has('trace-hint')) {
    warned.add('trace-hint');
    msg += `\n(Use \`node --trace-${isDeprecation ? 'deprecation' : 'warnings'} ...\` to show where the warning was created)`;
  }
  process.stderr.write(`${msg}\n`);
}
process.on('warning', onWarning);

// ---- stdio ----------------------------------------------------------------

// A worker's stdout and stderr go to its parent (worker_threads): the
// sink takes each chunk instead of the descriptor.
let stdioSink = null;
function stdioWrite(fd, chunk) {
  if (stdioSink !== null) stdioSink(fd, chunk);
  else binding.process.write(fd, chunk);
}

function makeWritable(fd) {
  const { Writable } = require('stream');
  const stream = new Writable({
    decodeStrings: false,
    write(chunk, encoding, cb) {
      if (typeof chunk === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' &&
          encoding !== 'buffer') {
        chunk = Buffer.from(chunk, encoding);
      }
      stdioWrite(fd, chunk);
      cb();
    },
    writev(chunks, cb) {
      for (const { chunk, encoding } of chunks) {
        stdioWrite(fd,
          typeof chunk === 'string' && encoding !== 'utf8' && encoding !== 'buffer'
            ? Buffer.from(chunk, encoding) : chunk);
      }
      cb();
    },
  });
  stream.fd = fd;
  stream.readable = false; // as Node's pipe Socket and file SyncWriteStream
  stream._type = 'pipe';
  stream._isStdio = true;
  stream.isTTY = undefined;
  stream.columns = undefined;
  stream.rows = undefined;
  stream.destroySoon = stream.destroy;
  // Node's stdout/stderr are never really closed by the guest: destroy()
  // is told ('close') and undone, later writes still go out.
  stream._destroy = function (err, cb) {
    cb(err);
    this._undestroy();
    if (!this._writableState.emitClose) process.nextTick(() => this.emit('close'));
  };
  return stream;
}

// stdin reads fd 0 only while someone consumes it, so an unread stdin
// never keeps the process alive (as in Node).
function makeStdin() {
  const { Readable } = require('stream');
  const stdin = new Readable({
    highWaterMark: 64 * 1024,
    read() {
      binding.process.stdinRead((chunk, err) => {
        if (err < 0) {
          const e = new Error(`read ${require('util').getSystemErrorName(err)}`);
          e.errno = err;
          e.code = require('util').getSystemErrorName(err);
          e.syscall = 'read';
          this.destroy(e);
          return;
        }
        const more = this.push(
          chunk === null ? null : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
        if (!more && chunk !== null) binding.process.stdinPause();
      });
    },
  });
  stdin.fd = 0;
  stdin.isTTY = undefined;
  stdin.setRawMode = undefined;
  // Paused by its user, stdin stops reading (once the stream has, a tick
  // later), so that it no longer keeps the process alive (Node's)
  stdin.on('pause', () => process.nextTick(() => {
    if (stdin.readableFlowing || stdin.destroyed) return;
    binding.process.stdinPause();
    stdin._readableState.reading = false;
  }));
  return stdin;
}

let stdout;
let stderr;
let stdin;
Object.defineProperty(process, 'stdout', {
  get() {
    return stdout || (stdout = makeWritable(1));
  },
  configurable: true,
  enumerable: true,
});
Object.defineProperty(process, 'stderr', {
  get() {
    return stderr || (stderr = makeWritable(2));
  },
  configurable: true,
  enumerable: true,
});
Object.defineProperty(process, 'stdin', {
  get() {
    return stdin || (stdin = makeStdin());
  },
  configurable: true,
  enumerable: true,
});

// Node's old way to read stdin: process.stdin, flowing
process.openStdin = function openStdin() {
  process.stdin.resume();
  return process.stdin;
};

// ---- per run ----------------------------------------------------------------

// process.env: the variables the policy let through, behind a proxy that
// puts the guest's first read of each name to the broker, so the audit log
// has a line for what the guest asked for (a name it was not given is a
// denial) and none for the host variables it never named. Names the guest
// set, defined or deleted itself are its own: no line. Object.prototype's
// names, 'toJSON' and 'then' (JSON.stringify, await) are no variables.
const notVariables = new Set(['toJSON', 'then']);
const askedMax = 65536; // names remembered; past it a read asks each time
function envView(vars) {
  const asked = new Set();
  const mine = (key) => {
    if (typeof key === 'string' && asked.size < askedMax) asked.add(key);
  };
  const ask = (target, key) => {
    if (typeof key !== 'string' || asked.has(key) || notVariables.has(key)) return;
    // no variable has a NUL in its name: nothing to ask (the log would cut it there)
    if (key.includes('\0')) return;
    if (key in Object.prototype && !Object.prototype.hasOwnProperty.call(target, key)) return;
    mine(key);
    binding.process.envAsk(key);
  };
  return new Proxy(vars, {
    get(target, key, receiver) {
      if (typeof key === 'symbol') return undefined;
      ask(target, key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === 'symbol') return false;
      ask(target, key);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      ask(target, key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    // Node's rules: names and values are strings (a symbol is a TypeError,
    // anything else is made a string), only plain data properties may be
    // defined, a delete always succeeds, symbols are never variables.
    set(target, key, value) {
      if (typeof key === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
      mine(key);
      target[key] = `${value}`;
      return true;
    },
    defineProperty(target, key, desc) {
      if (typeof key === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
      if ('get' in desc || 'set' in desc) {
        throw makeError(TypeError, 'ERR_INVALID_OBJECT_DEFINE_PROPERTY',
          "'process.env' does not accept an accessor(getter/setter) descriptor");
      }
      if (!desc.configurable || !desc.writable || !desc.enumerable) {
        throw makeError(TypeError, 'ERR_INVALID_OBJECT_DEFINE_PROPERTY',
          "'process.env' only accepts a configurable, writable, and enumerable data descriptor");
      }
      mine(key);
      target[key] = `${desc.value}`;
      return true;
    },
    deleteProperty(target, key) {
      if (typeof key !== 'symbol') {
        mine(key);
        delete target[key];
      }
      return true;
    },
  });
}

// A terminal on the host's side of the relay: the stream is a
// tty.WriteStream with the terminal's size and colours; its bytes still go
// through the relay's pipe.
function makeTTY(stream, tty) {
  const { WriteStream } = require('tty');
  Object.setPrototypeOf(stream, WriteStream.prototype);
  stream._type = 'tty';
  delete stream.readable; // makeWritable's false is a pipe's
  stream.isTTY = true;
  if (tty.columns > 0 && tty.rows > 0) {
    stream.columns = tty.columns;
    stream.rows = tty.rows;
  }
}

function onResize(columns, rows) {
  for (const stream of [stdout, stderr]) {
    if (!stream || stream.isTTY !== true) continue;
    if (stream.columns !== columns || stream.rows !== rows) {
      stream.columns = columns;
      stream.rows = rows;
      stream.emit('resize');
    }
  }
  process.emit('SIGWINCH', 'SIGWINCH', signals.SIGWINCH);
}

function setupRun(cfg) {
  process.execPath = cfg.execPath;
  process.argv0 = cfg.argv0;
  // a serve job's code is its main module, named filename
  const main = cfg.script || cfg.filename;
  process.argv = main ? [cfg.execPath, main, ...cfg.args] : [cfg.execPath, ...cfg.args];
  process.execArgv = cfg.execArgv;
  const vars = cfg.env || {};
  process.env = envView(vars);
  setEnv(vars, process.env);
  process.pid = binding.process.pid();
  process.ppid = binding.process.ppid();
  startTime = Date.now();
  timeOrigin = startTime;
  // Build the stdio streams now: their creation is not guest time.
  void process.stdout;
  void process.stderr;
  binding.signal.setHandler(onSignal);
  require('../node/internal/dns').setRunServers(cfg.dnsServers);
  const tty = cfg.tty;
  require('../node/internal/terminal').setTerminal(tty);
  if (tty.stdout) makeTTY(stdout, tty);
  if (tty.stderr) makeTTY(stderr, tty);
  if (tty.stdout || tty.stderr) binding.signal.watchResize(onResize);
}

module.exports = {
  process, setupRun, toStatus, NODE_VERSION, timeOriginOf: () => timeOrigin,
  setBeforeReallyExit: (fn) => { beforeReallyExit = fn; },
  setStdioSink: (fn) => { stdioSink = fn; },
  // worker_threads: a copy of this thread's variables for a worker, and a
  // worker's process.env made from its parent's copy
  envCopy: () => ({ ...require('../node/internal/env').runtimeEnv() }),
  setEnvFrom: (vars) => {
    process.env = envView(vars);
    setEnv(vars, process.env);
  },
};
