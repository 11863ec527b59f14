// node/zlib.js — Node's `zlib` module over bridge/zlib.c (the system's zlib
// and libbrotli).
//
// The streams work as Node's do: each write runs the library over the
// chunk into an output room of chunkSize bytes, repeating while the room
// fills, so chunks are cut where Node cuts them; stream steps run on
// libuv's pool, the *Sync forms inline. The convenience functions (gzip,
// gunzipSync, ...) drive a stream over one buffer, as Node's do.
'use strict';

const binding = require('./internal/binding');
const { Buffer, kMaxLength } = require('buffer');
const { Transform, finished } = require('stream');
const { codes: errorCodes, makeNodeError } = require('./internal/errors');
const { validateFunction, validateNumber } = require('./internal/validators');
const { deprecate } = require('util');
const zconst = require('./internal/zlib-constants');

const native = binding.zlib;
// Read-only values on an open object, as Node's binding defines them;
// ZLIB_VERNUM is the linked library's.
const constants = Object.create(null);
for (const [name, value] of Object.entries(zconst)) {
  Object.defineProperty(constants, name, {
    value: name === 'ZLIB_VERNUM' ? native.vernum() : value, enumerable: true, writable: false, configurable: false,
  });
}

const {
  Z_NO_FLUSH, Z_BLOCK, Z_PARTIAL_FLUSH, Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_FINISH,
  Z_MIN_CHUNK, Z_MIN_WINDOWBITS, Z_MAX_WINDOWBITS, Z_MIN_LEVEL, Z_MAX_LEVEL,
  Z_MIN_MEMLEVEL, Z_MAX_MEMLEVEL, Z_DEFAULT_CHUNK, Z_DEFAULT_COMPRESSION,
  Z_DEFAULT_STRATEGY, Z_DEFAULT_WINDOWBITS, Z_DEFAULT_MEMLEVEL, Z_FIXED,
  DEFLATE, DEFLATERAW, INFLATE, INFLATERAW, GZIP, GUNZIP, UNZIP, BROTLI_DECODE, BROTLI_ENCODE,
  BROTLI_OPERATION_PROCESS, BROTLI_OPERATION_FLUSH, BROTLI_OPERATION_FINISH, BROTLI_OPERATION_EMIT_METADATA,
} = constants;

// zlib.codes: Z_* names to numbers and back.
const codes = {};
for (const name of ['Z_OK', 'Z_STREAM_END', 'Z_NEED_DICT', 'Z_ERRNO', 'Z_STREAM_ERROR', 'Z_DATA_ERROR',
  'Z_MEM_ERROR', 'Z_BUF_ERROR', 'Z_VERSION_ERROR']) codes[name] = constants[name];
for (const name of Object.keys(codes)) codes[codes[name]] = name;

const isAnyArrayBuffer = (v) => v instanceof ArrayBuffer ||
  (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer);
const tooLarge = (n) => makeNodeError(RangeError, 'ERR_BUFFER_TOO_LARGE', `Cannot create a Buffer larger than ${n} bytes`);

// Node's validateFiniteNumber: false for undefined or NaN, true for a
// finite number; throws for anything else.
function isFiniteOption(value, name) {
  if (value === undefined || Number.isNaN(value)) return false;
  if (Number.isFinite(value)) return true;
  validateNumber(value, name);
  throw errorCodes.ERR_OUT_OF_RANGE(name, 'a finite number', value);
}

// Node's checkRangesOrGetDefault: undefined or NaN give the default.
function rangeOrDefault(value, name, lower, upper, def) {
  if (!isFiniteOption(value, name)) return def;
  if (value < lower || value > upper) throw errorCodes.ERR_OUT_OF_RANGE(name, `>= ${lower} and <= ${upper}`, value);
  return value;
}

// A native step's failure as Node reports it: the library's message, with
// errno then code.
function zlibError(err) {
  if (err === null || typeof err !== 'object' || typeof err.errno !== 'number') return err;
  const out = new Error(err.message);
  out.errno = err.errno;
  out.code = err.code;
  return out;
}

const kFlushFlag = Symbol('kFlushFlag');
const kError = Symbol('kError');

// Zero-length buffers that carry a flush through write().
const flushOrder = [Z_NO_FLUSH, Z_BLOCK, Z_PARTIAL_FLUSH, Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_FINISH];
const flushRank = [];
const flushBuffers = [];
for (let i = 0; i < flushOrder.length; i++) {
  flushRank[flushOrder[i]] = i;
  flushBuffers[flushOrder[i]] = Buffer.alloc(0);
  flushBuffers[flushOrder[i]][kFlushFlag] = flushOrder[i];
}
const strongerFlush = (a, b) => (flushRank[a] > flushRank[b] ? a : b);

function ZlibBase(opts, mode, handle, { flush, finishFlush, fullFlush }) {
  let chunkSize = Z_DEFAULT_CHUNK;
  let maxOutputLength = kMaxLength;
  const brotli = mode === BROTLI_ENCODE || mode === BROTLI_DECODE;
  const [lo, hi] = brotli ? [BROTLI_OPERATION_PROCESS, BROTLI_OPERATION_EMIT_METADATA] : [Z_NO_FLUSH, Z_BLOCK];
  if (opts) {
    chunkSize = opts.chunkSize;
    if (!isFiniteOption(chunkSize, 'options.chunkSize')) {
      chunkSize = Z_DEFAULT_CHUNK;
    } else if (chunkSize < Z_MIN_CHUNK) {
      throw errorCodes.ERR_OUT_OF_RANGE('options.chunkSize', `>= ${Z_MIN_CHUNK}`, chunkSize);
    }
    flush = rangeOrDefault(opts.flush, 'options.flush', lo, hi, flush);
    finishFlush = rangeOrDefault(opts.finishFlush, 'options.finishFlush', lo, hi, finishFlush);
    maxOutputLength = rangeOrDefault(opts.maxOutputLength, 'options.maxOutputLength', 1, kMaxLength, kMaxLength);
    if (opts.encoding || opts.objectMode || opts.writableObjectMode) {
      opts = { ...opts, encoding: null, objectMode: false, writableObjectMode: false };
    }
  }
  Transform.call(this, { autoDestroy: true, ...opts });
  this[kError] = null;
  this.bytesWritten = 0;
  this._handle = handle;
  this._outOffset = 0;
  this._chunkSize = chunkSize;
  this._defaultFlushFlag = flush;
  this._finishFlushFlag = finishFlush;
  this._defaultFullFlushFlag = fullFlush;
  this._info = opts && opts.info;
  this._maxOutputLength = maxOutputLength;
}
Object.setPrototypeOf(ZlibBase.prototype, Transform.prototype);
Object.setPrototypeOf(ZlibBase, Transform);

Object.defineProperty(ZlibBase.prototype, '_closed', {
  configurable: true,
  enumerable: true,
  get() {
    return !this._handle;
  },
});

// The old name of bytesWritten, deprecated (DEP0108).
Object.defineProperty(ZlibBase.prototype, 'bytesRead', {
  configurable: true,
  enumerable: true,
  get: deprecate(function bytesRead() {
    return this.bytesWritten;
  }, 'zlib.bytesRead is deprecated and will change its meaning in the future. Use zlib.bytesWritten instead.',
  'DEP0108'),
  set: deprecate(function bytesRead(value) {
    this.bytesWritten = value;
  }, 'Setting zlib.bytesRead is deprecated. This feature will be removed in the future.', 'DEP0108'),
});

ZlibBase.prototype.reset = function reset() {
  if (!this._handle) throw makeNodeError(Error, 'ERR_INTERNAL_ASSERTION', 'zlib binding closed');
  return native.reset(this._handle);
};

ZlibBase.prototype._flush = function _flush(callback) {
  this._transform(Buffer.alloc(0), '', callback);
};

ZlibBase.prototype._final = function _final(callback) {
  callback();
};

ZlibBase.prototype.flush = function flush(kind, callback) {
  if (typeof kind === 'function' || (kind === undefined && !callback)) {
    callback = kind;
    kind = this._defaultFullFlushFlag;
  }
  if (this.writableFinished) {
    if (callback) process.nextTick(callback);
  } else if (this.writableEnded) {
    if (callback) this.once('end', callback);
  } else {
    this.write(flushBuffers[kind], '', callback);
  }
};

ZlibBase.prototype.close = function close(callback) {
  if (callback) finished(this, callback);
  this.destroy();
};

ZlibBase.prototype._destroy = function _destroy(err, callback) {
  closeHandle(this);
  callback(err);
};

ZlibBase.prototype._transform = function _transform(chunk, encoding, cb) {
  let flushFlag = this._defaultFlushFlag;
  if (typeof chunk[kFlushFlag] === 'number') flushFlag = chunk[kFlushFlag];
  // The last chunk also carries the finishing flush.
  if (this.writableEnded && this.writableLength === chunk.byteLength) {
    flushFlag = strongerFlush(flushFlag, this._finishFlushFlag);
  }
  processChunk(this, chunk, flushFlag, cb);
};

ZlibBase.prototype._processChunk = function _processChunk(chunk, flushFlag, cb) {
  if (typeof cb === 'function') return processChunk(this, chunk, flushFlag, cb);
  return processChunkSync(this, chunk, flushFlag);
};

function asBytes(chunk) {
  return chunk instanceof Uint8Array ? chunk
    : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function processChunkSync(self, chunk, flushFlag) {
  let input = asBytes(chunk);
  let room = self._chunkSize - self._outOffset;
  const buffers = [];
  let nread = 0;
  let inputRead = 0;
  for (;;) {
    let out;
    let left;
    try {
      [out, left] = native.write(self._handle, flushFlag, input, room);
    } catch (err) {
      const e = zlibError(err);
      self[kError] = e;
      closeHandle(self);
      throw e;
    }
    inputRead += input.byteLength - left;
    if (out.byteLength > 0) {
      buffers.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
      nread += out.byteLength;
      if (nread > self._maxOutputLength) {
        closeHandle(self);
        throw tooLarge(self._maxOutputLength);
      }
    }
    const roomLeft = room - out.byteLength;
    self._outOffset += out.byteLength;
    if (roomLeft === 0 || self._outOffset >= self._chunkSize) {
      room = self._chunkSize;
      self._outOffset = 0;
    } else {
      room = roomLeft;
    }
    if (roomLeft !== 0) break;
    input = input.subarray(input.byteLength - left);
  }
  self.bytesWritten = inputRead;
  closeHandle(self);
  if (nread === 0) return Buffer.alloc(0);
  return buffers.length === 1 ? buffers[0] : Buffer.concat(buffers, nread);
}

function processChunk(self, chunk, flushFlag, cb) {
  if (!self._handle) {
    process.nextTick(cb);
    return;
  }
  step(self, asBytes(chunk), flushFlag, self._chunkSize - self._outOffset, cb);
}

// One pool step over input; continues while the output room fills, as
// Node's processCallback.
function step(self, input, flushFlag, room, cb) {
  const done = (err, result) => {
    if (self.destroyed) {
      cb();
      return;
    }
    if (err) {
      const e = zlibError(err);
      self.destroy(e);
      self[kError] = e;
      cb();
      return;
    }
    const [out, left] = result;
    self.bytesWritten += input.byteLength - left;
    let full = false;
    if (out.byteLength > 0) {
      self._outOffset += out.byteLength;
      full = !self.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    }
    if (self.destroyed) {
      cb();
      return;
    }
    const roomLeft = room - out.byteLength;
    if (roomLeft === 0 || self._outOffset >= self._chunkSize) self._outOffset = 0;
    if (roomLeft === 0) {
      const rest = input.subarray(input.byteLength - left);
      if (!full) {
        step(self, rest, flushFlag, self._chunkSize, cb);
      } else {
        // The reader is full: go on when it asks for more.
        const oldRead = self._read;
        self._read = (n) => {
          self._read = oldRead;
          step(self, rest, flushFlag, self._chunkSize, cb);
          self._read(n);
        };
      }
      return;
    }
    // Input left with room to spare: the compressed stream ended early.
    if (left > 0) self.push(null);
    cb();
  };
  try {
    native.write(self._handle, flushFlag, input, room, done);
  } catch (err) {
    // refused before it started (the memory budget): as a failed step
    process.nextTick(done, err);
  }
}

function closeHandle(engine) {
  if (!engine._handle) return;
  native.close(engine._handle);
  engine._handle = null;
}

const zlibDefaults = { flush: Z_NO_FLUSH, finishFlush: Z_FINISH, fullFlush: Z_FULL_FLUSH };

function Zlib(opts, mode) {
  let windowBits = Z_DEFAULT_WINDOWBITS;
  let level = Z_DEFAULT_COMPRESSION;
  let memLevel = Z_DEFAULT_MEMLEVEL;
  let strategy = Z_DEFAULT_STRATEGY;
  let dictionary;
  if (opts) {
    // 0 lets inflate take the window size from the stream's header.
    if ((opts.windowBits == null || opts.windowBits === 0) &&
        (mode === INFLATE || mode === GUNZIP || mode === UNZIP)) {
      windowBits = 0;
    } else {
      const min = Z_MIN_WINDOWBITS + (mode === GZIP ? 1 : 0);
      windowBits = rangeOrDefault(opts.windowBits, 'options.windowBits', min, Z_MAX_WINDOWBITS, Z_DEFAULT_WINDOWBITS);
    }
    level = rangeOrDefault(opts.level, 'options.level', Z_MIN_LEVEL, Z_MAX_LEVEL, Z_DEFAULT_COMPRESSION);
    memLevel = rangeOrDefault(opts.memLevel, 'options.memLevel', Z_MIN_MEMLEVEL, Z_MAX_MEMLEVEL, Z_DEFAULT_MEMLEVEL);
    strategy = rangeOrDefault(opts.strategy, 'options.strategy', Z_DEFAULT_STRATEGY, Z_FIXED, Z_DEFAULT_STRATEGY);
    dictionary = opts.dictionary;
    if (dictionary !== undefined && !ArrayBuffer.isView(dictionary)) {
      if (!isAnyArrayBuffer(dictionary)) {
        throw errorCodes.ERR_INVALID_ARG_TYPE('options.dictionary',
          ['Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], dictionary);
      }
      dictionary = Buffer.from(dictionary);
    }
  }
  const handle = native.init(mode, windowBits, level, memLevel, strategy,
    dictionary === undefined ? undefined : asBytes(dictionary));
  ZlibBase.call(this, opts, mode, handle, zlibDefaults);
  this._level = level;
  this._strategy = strategy;
}
Object.setPrototypeOf(Zlib.prototype, ZlibBase.prototype);
Object.setPrototypeOf(Zlib, ZlibBase);

Zlib.prototype.params = function params(level, strategy, callback) {
  rangeOrDefault(level, 'level', Z_MIN_LEVEL, Z_MAX_LEVEL);
  rangeOrDefault(strategy, 'strategy', Z_DEFAULT_STRATEGY, Z_FIXED);
  if (this._level !== level || this._strategy !== strategy) {
    // After a full flush, so no step is running when the parameters change.
    this.flush(Z_SYNC_FLUSH, () => {
      if (!this._handle) throw makeNodeError(Error, 'ERR_INTERNAL_ASSERTION', 'zlib binding closed');
      native.params(this._handle, level, strategy);
      if (!this.destroyed) {
        this._level = level;
        this._strategy = strategy;
        if (callback) callback();
      }
    });
  } else {
    process.nextTick(callback);
  }
};

// A public stream class: callable without `new`, an instance of Base set
// up for mode; tweak(opts) runs first (DeflateRaw's window fix).
function defineStream(name, Base, mode, tweak) {
  const Ctor = {
    // A function, not a method: it must construct.
    [name]: function (opts) { // eslint-disable-line func-names
      if (tweak) tweak(opts);
      if (!(this instanceof Ctor)) return new Ctor(opts);
      Base.call(this, opts, mode);
      return undefined;
    },
  }[name];
  Object.setPrototypeOf(Ctor.prototype, Base.prototype);
  Object.setPrototypeOf(Ctor, Base);
  return Ctor;
}

const Deflate = defineStream('Deflate', Zlib, DEFLATE);
const Inflate = defineStream('Inflate', Zlib, INFLATE);
const Gzip = defineStream('Gzip', Zlib, GZIP);
const Gunzip = defineStream('Gunzip', Zlib, GUNZIP);
// zlib refuses a raw window of 8 bits; Node asks for 9 instead.
const DeflateRaw = defineStream('DeflateRaw', Zlib, DEFLATERAW, (opts) => {
  if (opts && opts.windowBits === 8) opts.windowBits = 9;
});
const InflateRaw = defineStream('InflateRaw', Zlib, INFLATERAW);
const Unzip = defineStream('Unzip', Zlib, UNZIP);

const maxBrotliParam = Math.max(...Object.keys(constants)
  .map((k) => (k.startsWith('BROTLI_PARAM_') ? constants[k] : 0)));
const brotliDefaults = {
  flush: BROTLI_OPERATION_PROCESS, finishFlush: BROTLI_OPERATION_FINISH, fullFlush: BROTLI_OPERATION_FLUSH,
};

function Brotli(opts, mode) {
  const params = new Int32Array(maxBrotliParam + 1).fill(-1);
  if (opts && opts.params) {
    for (const origKey of Object.keys(opts.params)) {
      const key = +origKey;
      if (Number.isNaN(key) || key < 0 || key > maxBrotliParam || params[key] !== -1) {
        throw makeNodeError(RangeError, 'ERR_BROTLI_INVALID_PARAM', `${origKey} is not a valid Brotli parameter`);
      }
      const value = opts.params[origKey];
      if (typeof value !== 'number' && typeof value !== 'boolean') {
        throw errorCodes.ERR_INVALID_ARG_TYPE('options.params[key]', 'number', value);
      }
      params[key] = value;
    }
  }
  const handle = native.initBrotli(mode, new Uint8Array(params.buffer));
  ZlibBase.call(this, opts, mode, handle, brotliDefaults);
}
Object.setPrototypeOf(Brotli.prototype, Zlib.prototype);
Object.setPrototypeOf(Brotli, Zlib);

const BrotliCompress = defineStream('BrotliCompress', Brotli, BROTLI_ENCODE);
const BrotliDecompress = defineStream('BrotliDecompress', Brotli, BROTLI_DECODE);

// ---- one buffer at a time ---------------------------------------------------------

function bufferSync(engine, buffer) {
  if (typeof buffer === 'string') {
    buffer = Buffer.from(buffer);
  } else if (!ArrayBuffer.isView(buffer)) {
    if (!isAnyArrayBuffer(buffer)) {
      throw errorCodes.ERR_INVALID_ARG_TYPE('buffer',
        ['string', 'Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], buffer);
    }
    buffer = Buffer.from(buffer);
  }
  const out = processChunkSync(engine, buffer, engine._finishFlushFlag);
  return engine._info ? { buffer: out, engine } : out;
}

function bufferAsync(engine, buffer, callback) {
  validateFunction(callback, 'callback');
  if (ArrayBuffer.isView(buffer) && !(buffer instanceof Uint8Array)) {
    buffer = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } else if (isAnyArrayBuffer(buffer)) {
    buffer = Buffer.from(buffer);
  }
  const chunks = [];
  let nread = 0;
  engine.on('data', (chunk) => {
    chunks.push(chunk);
    nread += chunk.length;
    if (nread > engine._maxOutputLength) {
      engine.close();
      engine.removeAllListeners('end');
      callback(tooLarge(engine._maxOutputLength));
    }
  });
  engine.on('error', (err) => {
    engine.removeAllListeners('end');
    callback(err);
  });
  engine.on('end', () => {
    const out = nread === 0 ? Buffer.alloc(0)
      : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, nread);
    engine.close();
    if (engine._info) callback(null, { buffer: out, engine });
    else callback(null, out);
  });
  engine.end(buffer);
}

const syncOf = (Ctor) => function syncBufferWrapper(buffer, opts) {
  return bufferSync(new Ctor(opts), buffer);
};
const asyncOf = (Ctor) => function asyncBufferWrapper(buffer, opts, callback) {
  if (typeof opts === 'function') {
    callback = opts;
    opts = {};
  }
  return bufferAsync(new Ctor(opts), buffer, callback);
};

function crc32(data, value = 0) {
  if (typeof data !== 'string' && !ArrayBuffer.isView(data)) {
    throw errorCodes.ERR_INVALID_ARG_TYPE('data', ['Buffer', 'TypedArray', 'DataView', 'string'], data);
  }
  if (typeof value !== 'number') throw errorCodes.ERR_INVALID_ARG_TYPE('value', 'number', value);
  if (!Number.isInteger(value)) throw errorCodes.ERR_OUT_OF_RANGE('value', 'an integer', value);
  if (value < 0 || value > 4294967295) throw errorCodes.ERR_OUT_OF_RANGE('value', '>= 0 && <= 4294967295', value);
  return native.crc32(typeof data === 'string' ? Buffer.from(data) : asBytes(data), value);
}

const zlib = {
  crc32,
  Deflate,
  Inflate,
  Gzip,
  Gunzip,
  DeflateRaw,
  InflateRaw,
  Unzip,
  BrotliCompress,
  BrotliDecompress,
  deflate: asyncOf(Deflate),
  deflateSync: syncOf(Deflate),
  gzip: asyncOf(Gzip),
  gzipSync: syncOf(Gzip),
  deflateRaw: asyncOf(DeflateRaw),
  deflateRawSync: syncOf(DeflateRaw),
  unzip: asyncOf(Unzip),
  unzipSync: syncOf(Unzip),
  inflate: asyncOf(Inflate),
  inflateSync: syncOf(Inflate),
  gunzip: asyncOf(Gunzip),
  gunzipSync: syncOf(Gunzip),
  inflateRaw: asyncOf(InflateRaw),
  inflateRawSync: syncOf(InflateRaw),
  brotliCompress: asyncOf(BrotliCompress),
  brotliCompressSync: syncOf(BrotliCompress),
  brotliDecompress: asyncOf(BrotliDecompress),
  brotliDecompressSync: syncOf(BrotliDecompress),
};
for (const [name, Ctor] of [['createDeflate', Deflate], ['createInflate', Inflate],
  ['createDeflateRaw', DeflateRaw], ['createInflateRaw', InflateRaw], ['createGzip', Gzip],
  ['createGunzip', Gunzip], ['createUnzip', Unzip], ['createBrotliCompress', BrotliCompress],
  ['createBrotliDecompress', BrotliDecompress]]) {
  Object.defineProperty(zlib, name, {
    configurable: true, enumerable: true, writable: false,
    value: { value: (options) => new Ctor(options) }.value,
  });
}
Object.defineProperty(zlib, 'constants', { configurable: false, enumerable: true, writable: false, value: constants });
Object.defineProperty(zlib, 'codes', { enumerable: true, writable: false, configurable: false, value: Object.freeze(codes) });
// The legacy top-level copies of the constants, read-only.
for (const name of Object.keys(constants)) {
  if (name.startsWith('BROTLI')) continue;
  Object.defineProperty(zlib, name, { enumerable: false, value: constants[name], writable: false });
}

module.exports = zlib;
