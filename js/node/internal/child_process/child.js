// node/internal/child_process/child.js — Node's ChildProcess over the
// natives of bridge/child.c (binding.child), and the synchronous spawn.
//
// binding.child.spawn(opts, onexit) starts the program (the broker decides
// first: a refusal throws ERR_ACCESS_DENIED, which goes up synchronously
// as Node's permission errors do) and returns {pid, handle, stdio} or a
// negative errno. Each 'pipe' and 'ipc' entry of the child's stdio comes
// back as a native stream handle, which becomes a net.js Pipe wrap in a
// net.Socket, as Node wraps its pipes. The events keep Node's order:
// 'spawn' (or 'error' for a failed start) on the next tick, 'exit' when the
// child ends, 'close' once it has ended and every stdio stream it reads
// from has closed (and the IPC channel, when there is one).
'use strict';

const EventEmitter = require('events');
const binding = require('../binding');
const { codes } = require('../errors');
const dcChannels = require('../dc-channels');
const { errnoName } = require('../errno');
const { validateObject, validateOneOf, validateString } = require('../validators');
const { notSupported } = require('../deferred');
const {
  getValidStdio, validateArray, convertToValidSignal, signalName, envPairsOf,
} = require('./normalize');

const UV_EACCES = -13;
const UV_EAGAIN = -11;
const UV_EMFILE = -24;
const UV_ENFILE = -23;
const UV_ENOENT = -2;
const UV_ESRCH = -3;
const UV_EINVAL = -22;
const UV_ENOSYS = -38;

// Node's ErrnoException: "<syscall> <CODE>" with errno, code, syscall
function errnoException(err, syscall) {
  const code = errnoName(err) || `Unknown system error ${err}`;
  const ex = new Error(`${syscall} ${code}`);
  ex.errno = err;
  ex.code = code;
  ex.syscall = syscall;
  return ex;
}

function netShared() {
  return require('../net-shared');
}

// A stdio entry of getValidStdio -> the natives' form
function nativeStdio(entry) {
  switch (entry.type) {
    case 'ignore':
      return { type: 'ignore' };
    case 'pipe':
    case 'overlapped':
      if (entry.ipc) return { type: 'ipc' };
      return entry.input === undefined ? { type: 'pipe' } : { type: 'pipe', input: entry.input };
    case 'inherit':
    case 'fd':
      // a negative descriptor is none (libuv gives the child nothing there)
      return entry.fd < 0 ? { type: 'ignore' } : { type: 'fd', fd: entry.fd };
    case 'wrap':
      return { type: 'stream', handle: netShared().rawHandle(entry.handle) };
    default:
      throw codes.ERR_INVALID_ARG_VALUE('stdio', entry);
  }
}

// An argument as the spawn natives make it a string: Node's spawn (not
// spawnSync, which throws) passes one whose conversion throws as ''.
function lenientString(value) {
  try {
    return `${value}`;
  } catch {
    return '';
  }
}

// The spawn options (normalizeSpawnArguments' shape) -> the natives' opts
function nativeOptions(options, stdio, lenient) {
  const env = options.envPairs === undefined ? envPairsOf(process.env) : options.envPairs;
  return {
    file: options.file,
    args: options.args.map(lenient ? lenientString : (a) => `${a}`),
    env: env.map((p) => `${p}`),
    cwd: options.cwd == null ? undefined : options.cwd,
    detached: !!options.detached,
    uid: options.uid == null ? undefined : options.uid,
    gid: options.gid == null ? undefined : options.gid,
    shell: !!options.shell,
    stdio: stdio.map(nativeStdio),
  };
}

const kNative = Symbol('kNative');

const UV_EPERM = -1;
const UV_E2BIG = -7;

// execve's limits on Linux: one argument or variable at most 128 KiB
// (with its NUL), all of them with their pointers at most 2 MiB (a quarter
// of the usual 8 MiB stack). Past them the kernel says E2BIG, as Node
// reports it; the natives' own cap is not reached first.
const ARG_STRLEN_MAX = 128 * 1024;
const ARGS_TOTAL_MAX = 2 * 1024 * 1024;
function tooBig(opts) {
  let total = 0;
  for (const list of [opts.args, opts.env]) {
    for (const s of list) {
      const n = Buffer.byteLength(s) + 1;
      if (n > ARG_STRLEN_MAX) return true;
      total += n + 8;
    }
  }
  return total > ARGS_TOTAL_MAX;
}

// A system error the natives threw (a descriptor that is not the guest's:
// EBADF) -> its errno, as the spawn's result; anything else (the broker's
// ERR_ACCESS_DENIED) goes on up.
function nativeErrno(err) {
  if (err !== null && typeof err === 'object' && typeof err.errno === 'number' && err.errno < 0 &&
      err.code !== 'ERR_ACCESS_DENIED') {
    return err.errno;
  }
  throw err;
}

// A child with other user or group ids than the guest's cannot be made:
// the sandbox's user has no capability, and setuid/setgid to another id
// fail with EPERM (what Node reports for an unprivileged user); the same
// ids as the guest's change nothing.
function idsRefused(options) {
  return (options.uid != null && options.uid !== process.getuid()) ||
    (options.gid != null && options.gid !== process.getgid());
}

// Node's Process wrap: the child's native handle, its pid, kill and ref
class Process {
  constructor() {
    this.pid = undefined;
    this.onexit = null;
    this[kNative] = null;
  }

  // 0 or a negative errno; throws the broker's ERR_ACCESS_DENIED
  spawn(options, stdio) {
    if (idsRefused(options)) return UV_EPERM;
    const opts = nativeOptions(options, stdio, true);
    if (tooBig(opts)) return UV_E2BIG;
    let r;
    try {
      r = binding.child.spawn(opts, (exitCode, signal) => {
        if (this.onexit !== null) this.onexit(exitCode, signal === 0 ? null : signalName(signal) || null);
      });
    } catch (err) {
      return nativeErrno(err);
    }
    if (typeof r === 'number') return r;
    this.pid = r.pid;
    this[kNative] = r.handle;
    this.stdio = r.stdio;
    return 0;
  }

  kill(signal) {
    if (this[kNative] === null) return UV_ESRCH;
    return binding.child.kill(this[kNative], signal);
  }

  ref() {
    if (this[kNative] !== null) binding.child.ref(this[kNative], true);
  }

  unref() {
    if (this[kNative] !== null) binding.child.ref(this[kNative], false);
  }

  // the native handle needs no close; this one is done with it
  close() {
    this[kNative] = null;
  }
}

function createSocket(pipe, readable) {
  const { Socket } = require('../../net');
  const socket = new Socket({ handle: pipe, readable });
  // Node's sockets over a handle read at once (into the stream's buffer)
  if (pipe !== null && readable) socket.read(0);
  return socket;
}

// A child whose start failed still has its stdio streams, as in Node:
// the readable ones end at once, with no handle under them.
function createEndedSocket(readable) {
  const { Socket } = require('../../net');
  const socket = new Socket({ readable });
  if (readable) socket.push(null);
  return socket;
}

const kUsedInChild = Symbol('kUsedInChildProcess');

function maybeClose(subprocess) {
  subprocess._closesGot++;
  if (subprocess._closesGot === subprocess._closesNeeded) {
    subprocess.emit('close', subprocess.exitCode, subprocess.signalCode);
  }
}

// After 'exit', streams nobody read are drained so that they end and close.
function flushStdio(subprocess) {
  const { stdio } = subprocess;
  if (stdio == null) return;
  for (const stream of stdio) {
    if (!stream || !stream.readable || stream[kUsedInChild]) continue;
    stream.resume();
  }
}

// ChildProcess is a function, as Node's: old-style subclasses call it on
// their own object (ChildProcess.call(this)); its methods are this class's.
function ChildProcess() {
  EventEmitter.call(this);
  this._closesNeeded = 1;
  this._closesGot = 0;
  this.connected = false;
  this.signalCode = null;
  this.exitCode = null;
  this.killed = false;
  this.spawnfile = null;
  this._handle = new Process();
  this._handle.onexit = (exitCode, signalCode) => this._onexit(exitCode, signalCode);
  dcChannels.publish('child_process', () => ({ process: this }));
}

class ChildProcessMethods extends EventEmitter {
  _onexit(exitCode, signalCode) {
    if (signalCode) this.signalCode = signalCode;
    else this.exitCode = exitCode;
    if (this.stdin) this.stdin.destroy();
    if (this._handle) this._handle.close();
    this._handle = null;
    if (exitCode < 0) {
      const syscall = this.spawnfile ? `spawn ${this.spawnfile}` : 'spawn';
      const err = errnoException(exitCode, syscall);
      if (this.spawnfile) err.path = this.spawnfile;
      err.spawnargs = this.spawnargs.slice(1);
      this.emit('error', err);
    } else {
      this.emit('exit', this.exitCode, this.signalCode);
    }
    process.nextTick(flushStdio, this);
    maybeClose(this);
  }

  spawn(options) {
    validateObject(options, 'options');
    const valid = getValidStdio(options.stdio || 'pipe', false);
    const { ipcFd } = valid;
    const stdio = options.stdio = valid.stdio;
    validateOneOf(options.serialization, 'options.serialization', [undefined, 'json', 'advanced']);
    const serialization = options.serialization || 'json';
    if (ipcFd !== undefined) {
      if (options.envPairs === undefined) options.envPairs = envPairsOf(process.env);
      else validateArray(options.envPairs, 'options.envPairs');
      options.envPairs.push(`NODE_CHANNEL_FD=${ipcFd}`);
      options.envPairs.push(`NODE_CHANNEL_SERIALIZATION_MODE=${serialization}`);
    }
    validateString(options.file, 'options.file');
    this.spawnfile = options.file;
    if (options.args === undefined) {
      this.spawnargs = [];
    } else {
      validateArray(options.args, 'options.args');
      this.spawnargs = options.args;
    }
    const args = options.args === undefined ? [options.file] : options.args;
    const err = this._handle.spawn({ ...options, args }, stdio);
    if (err === UV_EACCES || err === UV_EAGAIN || err === UV_EMFILE || err === UV_ENFILE || err === UV_ENOENT) {
      process.nextTick(() => this._onexit(err, null));
      if (err === UV_EMFILE || err === UV_ENFILE) return err;
    } else if (err) {
      this._handle.close();
      this._handle = null;
      throw errnoException(err, 'spawn');
    } else {
      process.nextTick(() => this.emit('spawn'));
    }
    this.pid = this._handle.pid;
    const handles = err === 0 ? this._handle.stdio : null;
    let channel = null;
    for (let i = 0; i < stdio.length; i++) {
      const entry = stdio[i];
      if (entry.type === 'ignore') continue;
      if (entry.ipc) {
        this._closesNeeded++;
        if (handles !== null && handles[i]) channel = handles[i];
        continue;
      }
      if (entry.type === 'wrap') {
        // the socket's descriptor is the child's now: this side stops reading it
        const wrapped = entry._stdio;
        entry.handle.reading = false;
        entry.handle.readStop();
        if (wrapped && typeof wrapped.pause === 'function' && wrapped._readableState) {
          wrapped.pause();
          wrapped.readableFlowing = false;
          wrapped._readableState.reading = false;
          // a net socket reads again when it is resumed (the child may be done with it)
          if (wrapped._reading === true) wrapped._reading = false;
          wrapped[kUsedInChild] = true;
        }
        continue;
      }
      if (entry.type !== 'pipe' && entry.type !== 'overlapped') continue;
      if (handles !== null) {
        const raw = handles[i];
        entry.socket = createSocket(raw ? new (netShared().Pipe)(raw) : null, i > 0);
      } else {
        entry.socket = createEndedSocket(i > 0);
      }
      if (i > 0) {
        this._closesNeeded++;
        entry.socket.on('close', () => maybeClose(this));
      }
    }
    this.stdin = stdio.length >= 1 && stdio[0].socket !== undefined ? stdio[0].socket : null;
    this.stdout = stdio.length >= 2 && stdio[1].socket !== undefined ? stdio[1].socket : null;
    this.stderr = stdio.length >= 3 && stdio[2].socket !== undefined ? stdio[2].socket : null;
    this.stdio = stdio.map((entry) => (entry.socket === undefined ? null : entry.socket));
    if (ipcFd !== undefined) {
      const ipc = require('./ipc');
      const wrap = channel !== null ? new (netShared().Pipe)(channel) : new ipc.ClosedChannel();
      ipc.setupChannel(this, wrap, serialization, () => maybeClose(this));
    }
    return err;
  }

  kill(sig) {
    const signal = sig === 0 ? sig : convertToValidSignal(sig === undefined ? 'SIGTERM' : sig);
    if (this._handle) {
      const err = this._handle.kill(signal);
      if (err === 0) {
        this.killed = true;
        return true;
      }
      if (err === UV_ESRCH) {
        // already gone
      } else if (err === UV_EINVAL || err === UV_ENOSYS) {
        throw errnoException(err, 'kill');
      } else {
        this.emit('error', errnoException(err, 'kill'));
      }
    }
    return false;
  }

  [Symbol.dispose]() {
    if (!this.killed) this.kill();
  }

  ref() {
    if (this._handle) this._handle.ref();
  }

  unref() {
    if (this._handle) this._handle.unref();
  }
}
ChildProcess.prototype = ChildProcessMethods.prototype;
Object.defineProperty(ChildProcess.prototype, 'constructor', {
  value: ChildProcess, writable: true, configurable: true, enumerable: false,
});
Object.setPrototypeOf(ChildProcess, EventEmitter);

// spawnSync's options (normalized, stdio parsed, input validated) -> Node's
// result: {error?, status, signal, output, pid, stdout, stderr}
function spawnSync(options) {
  const opts = nativeOptions(options, options.stdio);
  opts.timeout = options.timeout == null ? 0 : options.timeout;
  opts.killSignal = options.killSignal === undefined ? convertToValidSignal('SIGTERM') : options.killSignal;
  // 0 is no limit for the synchronous forms (Node's spawn_sync)
  opts.maxBuffer = options.maxBuffer === 0 ? Infinity : options.maxBuffer;
  const failed = (error) => ({ pid: 0, status: null, signal: 0, output: null, error });
  let r;
  if (idsRefused(options)) {
    r = failed(UV_EPERM);
  } else if (tooBig(opts)) {
    r = failed(UV_E2BIG);
  } else {
    try {
      r = binding.child.spawnSync(opts);
    } catch (err) {
      r = failed(nativeErrno(err));
    }
  }
  const result = {};
  if (r.error) result.error = r.error;
  result.status = r.status === undefined ? null : r.status;
  result.signal = r.signal ? signalName(r.signal) || null : null;
  // a start that failed has no output at all (null, as Node's)
  let output = r.output == null || r.output.length === 0 ? null : r.output;
  if (output !== null) {
    const decode = options.encoding && options.encoding !== 'buffer';
    output = output.map((bytes) => {
      if (bytes == null) return null;
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return decode ? buf.toString(options.encoding) : buf;
    });
  }
  result.output = output;
  result.pid = r.pid || 0;
  // no output at all: undefined (Node 22's output?.[1])
  result.stdout = output === null ? undefined : output[1];
  result.stderr = output === null ? undefined : output[2];
  if (result.error) {
    result.error = errnoException(r.error, `spawnSync ${options.file}`);
    result.error.path = options.file;
    result.error.spawnargs = options.args.slice(1);
  }
  return result;
}

module.exports = { ChildProcess, spawnSync, errnoException };
