// node/internal/fs/streams.js — fs.ReadStream and fs.WriteStream over the
// stream module's Readable/Writable (readable-stream 4), doing their I/O
// through the callback fs API (thread pool), or through a FileHandle given
// as `fd`, or through a custom `fs` option with open/read/write/close, as
// in Node. Opening happens in _construct; 'open' then 'ready' follow it.
'use strict';

const { Buffer } = require('buffer');
const { Readable, Writable, finished } = require('../../stream');
const { codes } = require('../errors');
const { errorOrDestroy } = require('readable-stream/lib/internal/streams/destroy.js');
const u = require('./utils');

const kFs = Symbol('kFs');
const kIsPerformingIO = Symbol('kIsPerformingIO');
const kIoDone = Symbol('kIoDone');
const kHandle = Symbol('kHandle');

let fsModule;
function defaultFs() {
  if (fsModule === undefined) fsModule = require('../../fs');
  return fsModule;
}

// A FileHandle seen through the callback API the streams use.
function handleFs(handle) {
  const cb = (p, callback, spread) => p.then(
    (r) => (spread ? callback(null, r[spread[0]], r[spread[1]]) : callback(null, r)),
    (err) => callback(err),
  );
  return {
    open: (path, flags, mode, callback) => process.nextTick(callback, null, handle.fd),
    read: (fd, buf, off, len, pos, callback) =>
      cb(handle.read(buf, off, len, pos), callback, ['bytesRead', 'buffer']),
    write: (fd, buf, off, len, pos, callback) =>
      cb(handle.write(buf, off, len, pos), callback, ['bytesWritten', 'buffer']),
    writev: (fd, bufs, pos, callback) => cb(handle.writev(bufs, pos), callback, ['bytesWritten', 'buffers']),
    fsync: (fd, callback) => cb(handle.sync(), callback),
    close: (fd, callback) => cb(handle.close(), callback),
  };
}

function setupCommon(stream, path, options, defFlags) {
  const custom = options.fs;
  stream[kFs] = custom ? { ...defaultFs(), ...custom } : defaultFs();
  if (custom) {
    // Node's checks of a custom fs, in its order
    const f = stream[kFs];
    u.validateFunction(f.open, 'options.fs.open');
    if (defFlags === 'r') {
      u.validateFunction(f.read, 'options.fs.read');
    } else {
      if (!f.write && !f.writev) throw codes.ERR_INVALID_ARG_TYPE('options.fs.write', 'function', f.write);
      if (f.write) u.validateFunction(f.write, 'options.fs.write');
      if (f.writev) u.validateFunction(f.writev, 'options.fs.writev');
    }
    u.validateFunction(f.close, 'options.fs.close');
  }
  stream[kIsPerformingIO] = false;
  stream.fd = null;
  const fd = options.fd;
  if (fd !== undefined && fd !== null) {
    if (typeof fd === 'object' && typeof fd.fd === 'number' && typeof fd.read === 'function') {
      if (custom) throw codes.ERR_METHOD_NOT_IMPLEMENTED('FileHandle with fs');
      stream[kHandle] = fd;
      stream[kFs] = handleFs(fd);
      stream.fd = fd.fd;
      fd.on?.('close', () => { if (!stream.destroyed) stream.destroy(); });
    } else {
      stream.fd = u.validateFd(fd, 'fd');
    }
    stream.path = undefined;
  } else {
    // a file: URL becomes its path; strings and Buffers stay as given
    const asPath = u.getValidatedPath(path);
    stream.path = path instanceof Uint8Array ? path : asPath;
  }
  stream.flags = options.flags === undefined ? defFlags : options.flags;
  stream.mode = options.mode === undefined ? 0o666 : options.mode;
  u.stringToFlags(stream.flags);
  u.parseFileMode(stream.mode, 'mode');
  stream.start = options.start;
  stream.pos = undefined;
  if (stream.start !== undefined) {
    u.validateInteger(stream.start, 'start', 0, Number.MAX_SAFE_INTEGER);
    stream.pos = stream.start;
  }
  // Node destroys on end/finish unless autoClose is false.
  options.autoDestroy = options.autoClose === undefined ? true : options.autoClose;
  if (options.encoding !== undefined && options.encoding !== null) u.assertEncoding(options.encoding);
}

// ReadStream/WriteStream.prototype.open: deprecated no-ops (DEP0135); a
// stream whose open was replaced (old code patching it) is opened by
// calling it and waiting for its 'open' or 'error', as Node still does.
let warnedOpen = false;
function openNoop() {
  if (!warnedOpen) {
    warnedOpen = true;
    process.emitWarning(`${this instanceof ReadStream ? 'ReadStream' : 'WriteStream'}.prototype.open() is deprecated`,
      'DeprecationWarning', 'DEP0135');
  }
}

function constructPatched(stream, callback) {
  const orgEmit = stream.emit;
  stream.emit = function emit(...args) {
    if (args[0] === 'open') {
      this.emit = orgEmit;
      callback();
      return Reflect.apply(orgEmit, this, args);
    }
    if (args[0] === 'error') {
      this.emit = orgEmit;
      callback(args[1]);
      return undefined;
    }
    return Reflect.apply(orgEmit, this, args);
  };
  stream.open();
}

function construct(callback) {
  if (typeof this.fd === 'number') {
    callback();
    return;
  }
  if (this.open !== openNoop) {
    constructPatched(this, callback);
    return;
  }
  this[kFs].open(this.path, this.flags, this.mode, (err, fd) => {
    if (err) {
      callback(err);
      return;
    }
    this.fd = fd;
    callback();
    this.emit('open', fd);
    this.emit('ready');
  });
}

// The descriptor is forgotten once its close has been asked, as in Node
// (a custom close sees it still on the stream).
function closeStream(stream, err, callback) {
  if (stream.fd === null || stream.fd === undefined) {
    callback(err);
    return;
  }
  stream[kFs].close(stream.fd, (er) => callback(er || err));
  stream.fd = null;
}

// The options as Node's copyObject takes them: inherited ones too.
function streamOptions(options) {
  if (options === null || typeof options !== 'object') return { ...u.getOptions(options, {}) };
  const out = {};
  for (const key in options) out[key] = options[key]; // eslint-disable-line guard-for-in
  return u.getOptions(out, {});
}

function destroy(err, callback) {
  if (this[kIsPerformingIO]) this.once(kIoDone, (er) => closeStream(this, err || er, callback));
  else closeStream(this, err, callback);
}

// ---- ReadStream ----------------------------------------------------------------------

function ReadStream(path, options) {
  if (!(this instanceof ReadStream)) return new ReadStream(path, options);
  const opts = streamOptions(options);
  if (opts.highWaterMark === undefined) opts.highWaterMark = 64 * 1024;
  setupCommon(this, path, opts, 'r');
  this.autoClose = opts.autoClose === undefined ? true : opts.autoClose;
  this.end = opts.end === undefined || opts.end === null ? Infinity : opts.end;
  if (this.end !== Infinity) {
    u.validateInteger(this.end, 'end', 0, Number.MAX_SAFE_INTEGER);
    if (this.start !== undefined && this.start > this.end) {
      throw codes.ERR_OUT_OF_RANGE('start', `<= "end" (here: ${this.end})`, this.start);
    }
  }
  this.bytesRead = 0;
  Readable.call(this, opts);
}
Object.setPrototypeOf(ReadStream.prototype, Readable.prototype);
Object.setPrototypeOf(ReadStream, Readable);

Object.defineProperty(ReadStream.prototype, 'pending', {
  get() { return this.fd === null; }, configurable: true,
});

ReadStream.prototype._construct = construct;
ReadStream.prototype.open = openNoop;

ReadStream.prototype._read = function _read(size) {
  const n = this.pos !== undefined
    ? Math.min(this.end - this.pos + 1, size)
    : Math.min(this.end - this.bytesRead + 1, size);
  if (n <= 0) {
    this.push(null);
    return;
  }
  const buf = Buffer.allocUnsafeSlow(n);
  this[kIsPerformingIO] = true;
  this[kFs].read(this.fd, buf, 0, n, this.pos === undefined ? null : this.pos, (err, bytesRead) => {
    this[kIsPerformingIO] = false;
    if (this.destroyed) {
      this.emit(kIoDone, err);
      return;
    }
    if (err) {
      errorOrDestroy(this, err); // autoClose false: the error alone
    } else if (bytesRead > 0) {
      if (this.pos !== undefined) this.pos += bytesRead;
      this.bytesRead += bytesRead;
      this.push(bytesRead === buf.length ? buf : Buffer.from(buf.subarray(0, bytesRead)));
    } else {
      this.push(null);
    }
  });
};

ReadStream.prototype._destroy = destroy;

ReadStream.prototype.close = function close(cb) {
  if (typeof cb === 'function') finished(this, cb);
  this.destroy();
};

// ---- WriteStream ----------------------------------------------------------------------

function WriteStream(path, options) {
  if (!(this instanceof WriteStream)) return new WriteStream(path, options);
  const opts = streamOptions(options);
  opts.decodeStrings = true;
  setupCommon(this, path, opts, 'w');
  this.autoClose = opts.autoClose === undefined ? true : opts.autoClose;
  if (opts.flush !== undefined && opts.flush !== null) u.validateBoolean(opts.flush, 'options.flush');
  this.flush = opts.flush === true;
  this.bytesWritten = 0;
  Writable.call(this, opts);
  if (opts.encoding) this.setDefaultEncoding(opts.encoding);
}
Object.setPrototypeOf(WriteStream.prototype, Writable.prototype);
Object.setPrototypeOf(WriteStream, Writable);

Object.defineProperty(WriteStream.prototype, 'pending', {
  get() { return this.fd === null; }, configurable: true,
});

WriteStream.prototype._construct = construct;
WriteStream.prototype.open = openNoop;

// Writes `bytes` (a Buffer or an array of them) at the stream's position.
function writeOut(stream, bytes, cb) {
  const vector = Array.isArray(bytes);
  const total = vector ? bytes.reduce((n, b) => n + b.length, 0) : bytes.length;
  const pos = stream.pos === undefined ? null : stream.pos;
  if (stream.pos !== undefined) stream.pos += total;
  stream[kIsPerformingIO] = true;
  const done = (err, written) => {
    stream[kIsPerformingIO] = false;
    if (stream.destroyed) {
      cb(err);
      stream.emit(kIoDone, err);
      return;
    }
    if (err) {
      cb(err);
      return;
    }
    stream.bytesWritten += written;
    cb();
  };
  if (vector) stream[kFs].writev(stream.fd, bytes, pos, done);
  else stream[kFs].write(stream.fd, bytes, 0, bytes.length, pos, done);
}

WriteStream.prototype._write = function _write(data, encoding, cb) {
  writeOut(this, data, cb);
};

WriteStream.prototype._writev = function _writev(chunks, cb) {
  writeOut(this, chunks.map((c) => c.chunk), cb);
};

WriteStream.prototype._final = function _final(cb) {
  if (!this.flush || typeof this.fd !== 'number') {
    cb();
    return;
  }
  this[kFs].fsync(this.fd, (err) => cb(err));
};

WriteStream.prototype._destroy = destroy;

WriteStream.prototype.close = function close(cb) {
  if (cb) {
    if (this.closed) {
      process.nextTick(cb);
      return;
    }
    this.on('close', cb);
  }
  if (!this.autoClose) this.on('finish', this.destroy);
  this.end();
};

WriteStream.prototype.destroySoon = WriteStream.prototype.end;

function createReadStream(path, options) {
  return new ReadStream(path, options);
}

function createWriteStream(path, options) {
  return new WriteStream(path, options);
}

module.exports = { ReadStream, WriteStream, createReadStream, createWriteStream };
