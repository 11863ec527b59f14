// node/internal/fs/utils.js — what every fs entry point shares: argument
// normalisation (paths, flags, modes, encodings, times), the result
// classes (Stats, BigIntStats, StatFs, Dirent), Node-shaped system errors
// made on the JS side, and the two drivers that run one operation written
// as a generator either synchronously or on the thread pool.
//
// Operations are generators that `yield [native, ...args]` for every bridge
// call (bridge/FS-CONTRACT.md) and get the result back, or the error thrown
// into them. runSync() answers each yield with the synchronous native;
// runAsync() passes a completion callback, so the call runs on the libuv
// thread pool, and resumes the generator from the loop. One body per
// operation serves fs.xSync, fs.x(cb) and fs.promises.x.
'use strict';

const binding = require('../binding');
const actx = require('../async-context');
const { Buffer, isUtf8 } = require('buffer');
const { codes, makeNodeError, systemError } = require('../errors');
const {
  validateAbortSignal, validateFunction, validateBoolean, validateInteger,
} = require('../validators');

const { errnoName, errnoMessage } = require('../errno');
const constants = require('../linux-constants').fs;

// ---- paths ---------------------------------------------------------------------

let urlModule;
function fileURLToPath(url) {
  if (urlModule === undefined) urlModule = require('../../url');
  return urlModule.fileURLToPath(url);
}

function isURL(value) {
  return value != null && typeof value === 'object' &&
    typeof value.href === 'string' && typeof value.protocol === 'string' &&
    value.auth === undefined && value.path === undefined;
}

// string | Buffer | Uint8Array | file: URL -> string without NUL bytes.
function getValidatedPath(value, name = 'path') {
  let p = value;
  if (isURL(p)) p = fileURLToPath(p);
  else if (p instanceof Uint8Array) p = Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString();
  else if (typeof p !== 'string') {
    throw codes.ERR_INVALID_ARG_TYPE(name, ['string', 'Buffer', 'URL'], value);
  }
  if (p.includes('\u0000')) {
    throw codes.ERR_INVALID_ARG_VALUE(name, p,
      'must be a string, Uint8Array, or URL without null bytes');
  }
  return p;
}

// getValidatedPath for the natives, which also take a path as its bytes:
// a Buffer that is not UTF-8 (a name any file may have) stays bytes.
function getNativePath(value, name = 'path') {
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (!isUtf8(bytes) && !bytes.includes(0)) return Uint8Array.from(bytes);
  }
  return getValidatedPath(value, name);
}

function validateFd(fd, name = 'fd') {
  if (typeof fd !== 'number') throw codes.ERR_INVALID_ARG_TYPE(name, 'number', fd);
  if (!Number.isInteger(fd)) throw codes.ERR_OUT_OF_RANGE(name, 'an integer', fd);
  if (fd < 0 || fd > 2147483647) throw codes.ERR_OUT_OF_RANGE(name, '>= 0 && <= 2147483647', fd);
  return fd;
}

// ---- options ---------------------------------------------------------------------

function assertEncoding(encoding) {
  if (encoding && encoding !== 'buffer' && !Buffer.isEncoding(encoding)) {
    // Node 22's own argument order (its message names the value as the
    // argument and says it received 'encoding')
    throw codes.ERR_INVALID_ARG_VALUE(encoding, 'encoding', 'is invalid encoding');
  }
}

// own enumerable string-keyed properties of from, onto out, as a spread
// copies them. Not a spread: V8 makes a new hidden class for every object
// a spread starts and a property then extends (about 1 µs a call here,
// most of a small readFileSync's JavaScript).
function copyOwn(out, from) {
  const keys = Object.keys(from);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k === '__proto__') {
      Object.defineProperty(out, k, { value: from[k], writable: true, enumerable: true, configurable: true });
    } else {
      out[k] = from[k];
    }
  }
  return out;
}

// options: undefined/null -> defaults, string -> { encoding }, object -> as is.
function getOptions(options, defaults = {}) {
  if (options == null || typeof options === 'function') return defaults;
  let out;
  if (typeof options === 'string') {
    out = copyOwn({}, defaults);
    out.encoding = options;
  } else if (typeof options === 'object') {
    out = copyOwn(copyOwn({}, defaults), options);
  } else {
    throw codes.ERR_INVALID_ARG_TYPE('options', ['string', 'Object'], options);
  }
  if (out.encoding !== 'buffer') assertEncoding(out.encoding);
  if (out.signal !== undefined) validateAbortSignal(out.signal, 'options.signal');
  return out;
}





// 'r', 'wx', 'a+' ... or a number -> open(2) flags.
const O = constants;
const kFlags = {
  r: O.O_RDONLY,
  rs: O.O_RDONLY | O.O_SYNC,
  sr: O.O_RDONLY | O.O_SYNC,
  'r+': O.O_RDWR,
  'rs+': O.O_RDWR | O.O_SYNC,
  'sr+': O.O_RDWR | O.O_SYNC,
  w: O.O_TRUNC | O.O_CREAT | O.O_WRONLY,
  wx: O.O_TRUNC | O.O_CREAT | O.O_WRONLY | O.O_EXCL,
  xw: O.O_TRUNC | O.O_CREAT | O.O_WRONLY | O.O_EXCL,
  'w+': O.O_TRUNC | O.O_CREAT | O.O_RDWR,
  'wx+': O.O_TRUNC | O.O_CREAT | O.O_RDWR | O.O_EXCL,
  'xw+': O.O_TRUNC | O.O_CREAT | O.O_RDWR | O.O_EXCL,
  a: O.O_APPEND | O.O_CREAT | O.O_WRONLY,
  ax: O.O_APPEND | O.O_CREAT | O.O_WRONLY | O.O_EXCL,
  xa: O.O_APPEND | O.O_CREAT | O.O_WRONLY | O.O_EXCL,
  as: O.O_APPEND | O.O_CREAT | O.O_WRONLY | O.O_SYNC,
  sa: O.O_APPEND | O.O_CREAT | O.O_WRONLY | O.O_SYNC,
  'a+': O.O_APPEND | O.O_CREAT | O.O_RDWR,
  'ax+': O.O_APPEND | O.O_CREAT | O.O_RDWR | O.O_EXCL,
  'xa+': O.O_APPEND | O.O_CREAT | O.O_RDWR | O.O_EXCL,
  'as+': O.O_APPEND | O.O_CREAT | O.O_RDWR | O.O_SYNC,
  'sa+': O.O_APPEND | O.O_CREAT | O.O_RDWR | O.O_SYNC,
};

function stringToFlags(flags, name = 'flags') {
  if (typeof flags === 'number') return flags;
  if (flags == null) return O.O_RDONLY;
  const v = Object.prototype.hasOwnProperty.call(kFlags, flags) ? kFlags[flags] : undefined;
  if (v === undefined) throw codes.ERR_INVALID_ARG_VALUE(name, flags);
  return v;
}

const kOctal = /^[0-7]+$/;
function parseFileMode(value, name, def) {
  // Node's `value ??= def`: no mode and no default is a type error
  let v = value == null ? def : value;
  if (typeof v === 'string') {
    if (!kOctal.test(v)) {
      throw codes.ERR_INVALID_ARG_VALUE(name, value, 'must be a 32-bit unsigned integer or an octal string');
    }
    v = parseInt(v, 8);
  }
  validateInteger(v, name, 0, 4294967295);
  return v;
}

// Seconds (fractional) for utimes: numbers, numeric strings, Dates.
function toUnixTimestamp(time, name = 'time') {
  if (typeof time === 'string' && +time == time) return +time; // eslint-disable-line eqeqeq
  if (typeof time === 'number' && Number.isFinite(time)) return time < 0 ? Date.now() / 1000 : time;
  if (time instanceof Date) return time.getTime() / 1000;
  throw codes.ERR_INVALID_ARG_TYPE(name, ['Date', 'Time in seconds'], time);
}

// Bytes -> string in `encoding`, or the Buffer for 'buffer'.
function encodeResult(value, encoding) {
  if (encoding === 'buffer') return Buffer.from(value);
  return value;
}

// A string result (path) in the asked encoding.
function encodePath(str, encoding) {
  if (encoding === 'buffer') return Buffer.from(str);
  if (!encoding || encoding === 'utf8' || encoding === 'utf-8') return str;
  return Buffer.from(str).toString(encoding);
}

// string | TypedArray | DataView -> Uint8Array view, else the Node error.
function toBytes(data, encoding, name = 'data') {
  if (typeof data === 'string') return Buffer.from(data, encoding || 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw codes.ERR_INVALID_ARG_TYPE(name, ['string', 'Buffer', 'TypedArray', 'DataView'], data);
}

// ---- errors ------------------------------------------------------------------------

// Node's uvException: `CODE: message, syscall 'path' -> 'dest'`.
// libuv has no name for EDQUOT; the bridge names the write quota's refusal
// so (bridge/quota.c), and errors remade here keep that name.
const EDQUOT = -122;

function uvError(errno, syscall, path, dest) {
  const quota = errno === EDQUOT;
  const code = errnoName(errno) || (quota ? 'EDQUOT' : 'UNKNOWN');
  let msg = `${code}: ${errnoMessage(errno) || (quota ? 'disk quota exceeded' : 'unknown error')}, ${syscall}`;
  if (path !== undefined) msg += ` '${path}'`;
  if (dest !== undefined) msg += ` -> '${dest}'`;
  const err = new Error(msg);
  err.errno = errno;
  err.code = code;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  if (dest !== undefined) err.dest = dest;
  return err;
}


function abortError(signal) {
  const { AbortError } = require('../errors');
  return new AbortError(undefined, { cause: signal && signal.reason });
}

function unsupported(api) {
  return makeNodeError(Error, 'ERR_UNSUPPORTED_SANDBOX_API', `${api} is not supported in sandbox`);
}

// ---- Stats -----------------------------------------------------------------------

const kNsPerMs = 1e6;

function dateFromMs(ms) {
  return new Date(Math.round(Number(ms)));
}

class StatsBase {
  isDirectory() { return this._checkModeProperty(O.S_IFDIR); }
  isFile() { return this._checkModeProperty(O.S_IFREG); }
  isBlockDevice() { return this._checkModeProperty(O.S_IFBLK); }
  isCharacterDevice() { return this._checkModeProperty(O.S_IFCHR); }
  isSymbolicLink() { return this._checkModeProperty(O.S_IFLNK); }
  isFIFO() { return this._checkModeProperty(O.S_IFIFO); }
  isSocket() { return this._checkModeProperty(O.S_IFSOCK); }
}

function Stats(dev, mode, nlink, uid, gid, rdev, blksize, ino, size, blocks,
  atimeMs, mtimeMs, ctimeMs, birthtimeMs) {
  this.dev = dev;
  this.mode = mode;
  this.nlink = nlink;
  this.uid = uid;
  this.gid = gid;
  this.rdev = rdev;
  this.blksize = blksize;
  this.ino = ino;
  this.size = size;
  this.blocks = blocks;
  this.atimeMs = atimeMs;
  this.mtimeMs = mtimeMs;
  this.ctimeMs = ctimeMs;
  this.birthtimeMs = birthtimeMs;
}
Object.setPrototypeOf(Stats.prototype, StatsBase.prototype);
Object.setPrototypeOf(Stats, StatsBase);
Object.defineProperty(Stats.prototype, 'isFile', {
  value: StatsBase.prototype.isFile, writable: true, configurable: true, enumerable: false,
});
Object.defineProperty(Stats.prototype, '_checkModeProperty', {
  value(property) { return (this.mode & O.S_IFMT) === property; },
  writable: true, configurable: true, enumerable: false,
});

class BigIntStats extends StatsBase {
  constructor(a) {
    super();
    const big = (i) => BigInt(a[i]);
    this.dev = big(0);
    this.mode = big(1);
    this.nlink = big(2);
    this.uid = big(3);
    this.gid = big(4);
    this.rdev = big(5);
    this.blksize = big(6);
    this.ino = big(7);
    this.size = big(8);
    this.blocks = big(9);
    const ns = (i) => BigInt(a[i]) * 1000000000n + BigInt(a[i + 1]);
    const atimeNs = ns(10);
    const mtimeNs = ns(12);
    const ctimeNs = ns(14);
    const birthtimeNs = ns(16);
    this.atimeMs = atimeNs / 1000000n;
    this.mtimeMs = mtimeNs / 1000000n;
    this.ctimeMs = ctimeNs / 1000000n;
    this.birthtimeMs = birthtimeNs / 1000000n;
    this.atimeNs = atimeNs;
    this.mtimeNs = mtimeNs;
    this.ctimeNs = ctimeNs;
    this.birthtimeNs = birthtimeNs;
  }

  _checkModeProperty(property) {
    return (this.mode & BigInt(O.S_IFMT)) === BigInt(property);
  }
}

// atime, mtime, ctime and birthtime as Node 22 has them: enumerable
// accessors of the prototype (so not in Object.keys or JSON of a Stats),
// each Date made at its first read and kept, like one assigned, as an own
// non-enumerable property that shadows the accessor.
function defineLazyDates(proto) {
  for (const name of ['atime', 'mtime', 'ctime', 'birthtime']) {
    const ms = `${name}Ms`;
    const own = (obj, value) => {
      Object.defineProperty(obj, name, { value, writable: true, enumerable: false, configurable: true });
      return value;
    };
    Object.defineProperty(proto, name, {
      get() { return own(this, dateFromMs(this[ms])); },
      set(value) { own(this, value); },
      enumerable: true,
      configurable: true,
    });
  }
}
defineLazyDates(Stats.prototype);
defineLazyDates(BigIntStats.prototype);

// The bridge's Float64Array(18) -> Stats or BigIntStats.
function getStats(a, bigint) {
  if (bigint) return new BigIntStats(a);
  const ms = (i) => a[i] * 1000 + a[i + 1] / kNsPerMs;
  return new Stats(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
    ms(10), ms(12), ms(14), ms(16));
}

class StatFs {
  constructor(a, bigint) {
    const v = bigint ? (x) => BigInt(x) : (x) => x;
    this.type = v(a[0]);
    this.bsize = v(a[1]);
    this.blocks = v(a[2]);
    this.bfree = v(a[3]);
    this.bavail = v(a[4]);
    this.files = v(a[5]);
    this.ffree = v(a[6]);
  }
}

// ---- Dirent --------------------------------------------------------------------------

const kType = Symbol('type');

class Dirent {
  constructor(name, type, path) {
    this.name = name;
    this.parentPath = path;
    this.path = path;
    this[kType] = type;
  }

  isDirectory() { return this[kType] === O.UV_DIRENT_DIR; }
  isFile() { return this[kType] === O.UV_DIRENT_FILE; }
  isBlockDevice() { return this[kType] === O.UV_DIRENT_BLOCK; }
  isCharacterDevice() { return this[kType] === O.UV_DIRENT_CHAR; }
  isSymbolicLink() { return this[kType] === O.UV_DIRENT_LINK; }
  isFIFO() { return this[kType] === O.UV_DIRENT_FIFO; }
  isSocket() { return this[kType] === O.UV_DIRENT_SOCKET; }
}

// A type the file system did not report (0) is asked with lstat.
function* direntType(type, full) {
  if (type !== O.UV_DIRENT_UNKNOWN) return type;
  try {
    const st = yield ['stat', full, false];
    switch (st[1] & O.S_IFMT) {
      case O.S_IFREG: return O.UV_DIRENT_FILE;
      case O.S_IFDIR: return O.UV_DIRENT_DIR;
      case O.S_IFLNK: return O.UV_DIRENT_LINK;
      case O.S_IFIFO: return O.UV_DIRENT_FIFO;
      case O.S_IFSOCK: return O.UV_DIRENT_SOCKET;
      case O.S_IFCHR: return O.UV_DIRENT_CHAR;
      case O.S_IFBLK: return O.UV_DIRENT_BLOCK;
      default: return type;
    }
  } catch {
    return type;
  }
}

// ---- drivers -----------------------------------------------------------------------------

// A yield of ['await', value] hands a value (maybe a promise) back as is
// (sync) or once settled (async): user callbacks such as cp's filter.
// A yield of ['export', name, ...args] calls the fs module's own export
// (fs.nameSync, or fs.name with a callback), as Node's writeFile calls
// fs.fsync: a guest that replaces it sees the call. Promises use the native.
let fsModule;
function fsExport(name) {
  if (fsModule === undefined) fsModule = require('../../fs');
  return fsModule[name];
}

function runSync(gen) {
  if (gen instanceof Call) {
    const r = binding.fs[gen.op](...gen.args);
    return gen.map ? gen.map(r) : r;
  }
  let step = gen.next();
  while (!step.done) {
    const [op, ...args] = step.value;
    let value;
    try {
      if (op === 'await') value = args[0];
      else if (op === 'export') value = fsExport(`${args[0]}Sync`)(...args.slice(1));
      else value = binding.fs[op](...args);
      // synchronous stats come in one shared array: keep a copy
      if (value instanceof Float64Array) value = value.slice();
    } catch (err) {
      step = gen.throw(err);
      continue;
    }
    step = gen.next(value);
  }
  return step.value;
}

// A Call run synchronously that answers a failure with its -errno instead
// of throwing (the bridge's req === null form); the raw result otherwise.
function runQuiet(call) {
  return binding.fs[call.op](...call.args, null);
}

// cb(err, value) is always called from a later turn of the loop, never
// from inside runAsync itself. Each native call is a request of its own,
// the async resource `type` (async_hooks), as Node's uv requests; cb runs
// in the last one's scope.
function runAsync(gen, cb, type = 'FSREQCALLBACK') {
  if (gen instanceof Call) {
    try {
      binding.fs[gen.op](...gen.args, actx.bindRequest(type, gen.map
        ? (err, r) => (err ? cb(err) : cb(null, gen.map(r)))
        : cb));
    } catch (err) {
      process.nextTick(cb, err);
    }
    return;
  }
  let sync = true;
  const resume = (err, value) => {
    let step;
    try {
      step = err ? gen.throw(err) : gen.next(value);
    } catch (e) {
      finish(e);
      return;
    }
    if (step.done) {
      finish(null, step.value);
      return;
    }
    const [op, ...args] = step.value;
    if (op === 'await') {
      Promise.resolve(args[0]).then((v) => resume(null, v), (e) => resume(e || new Error(String(e))));
      return;
    }
    try {
      if (op === 'export' && type !== 'FSREQPROMISE') fsExport(args[0])(...args.slice(1), resume);
      else if (op === 'export') binding.fs[args[0]](...args.slice(1), actx.bindRequest(type, resume));
      else binding.fs[op](...args, actx.bindRequest(type, resume));
    } catch (e) {
      resume(e);
    }
  };
  const finish = (err, value) => {
    if (sync) process.nextTick(cb, err, value);
    else cb(err, value);
  };
  resume(null, undefined);
  sync = false;
}

// A failure gets its stack where Node's handleErrorFromBinding gives it
// one: in the reaction to the request, so the stack is the async
// functions awaiting it ("at async Object.access ...").
function rejected(err) {
  if (err instanceof Error) Error.captureStackTrace(err, rejected);
  throw err;
}

function runPromise(gen) {
  return new Promise((resolve, reject) => {
    runAsync(gen, (err, value) => (err ? reject(err) : resolve(value)), 'FSREQPROMISE');
  }).then(undefined, rejected);
}

// One native call and its result: what most operations are. Drivers run
// it directly; a generator can delegate to it with yield*.
class Call {
  constructor(op, args, map) {
    this.op = op;
    this.args = args;
    this.map = map;
  }

  * [Symbol.iterator]() {
    const r = yield [this.op, ...this.args];
    return this.map ? this.map(r) : r;
  }
}

function single(op, ...args) {
  return new Call(op, args, undefined);
}

// single() with the result passed through map.
function mapped(map, op, ...args) {
  return new Call(op, args, map);
}

module.exports = {
  constants,
  getValidatedPath,
  getNativePath,
  validateFd,
  getOptions,
  assertEncoding,
  validateAbortSignal,
  validateFunction,
  validateBoolean,
  validateInteger,
  stringToFlags,
  parseFileMode,
  toUnixTimestamp,
  encodeResult,
  encodePath,
  toBytes,
  uvError,
  systemError,
  abortError,
  unsupported,
  Stats,
  BigIntStats,
  StatFs,
  getStats,
  Dirent,
  direntType,
  runSync,
  runAsync,
  runPromise,
  runQuiet,
  single,
  mapped,
};
