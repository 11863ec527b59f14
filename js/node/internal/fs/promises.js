// node/internal/fs/promises.js — require('fs/promises') and FileHandle.
// Every function runs its ops.js generator with runPromise (thread pool);
// a FileHandle wraps an fd this guest opened and closes it once.
'use strict';

const EventEmitter = require('../../events');
const { Buffer } = require('buffer');
const { codes, makeNodeError } = require('../errors');
const u = require('./utils');
const ops = require('./ops');
const { opendir } = require('./dir');
const globMod = require('./glob');

const kFd = Symbol('kFd');
const kClosePromise = Symbol('kClosePromise');
const kRefs = Symbol('kRefs');
const kCloseWaiter = Symbol('kCloseWaiter');

function fileClosed(syscall) {
  const err = new Error('file closed');
  err.code = 'EBADF';
  err.syscall = syscall;
  return err;
}

// Node's internal assertion, as its fsCall makes it.
function notAHandle() {
  return makeNodeError(Error, 'ERR_INTERNAL_ASSERTION', 'handle must be an instance of FileHandle\n' +
    'This is caused by either a bug in Node.js or incorrect usage of Node.js internals.\n' +
    'Please open an issue with this stack trace at https://github.com/nodejs/node/issues\n');
}

// One operation on handle's descriptor: make(fd) -> its generator.
function fsCall(handle, syscall, make) {
  if (!(handle instanceof FileHandle)) return Promise.reject(notAHandle());
  if (handle[kFd] === -1) return Promise.reject(fileClosed(syscall));
  let gen;
  try {
    gen = make(handle[kFd]);
  } catch (err) {
    return Promise.reject(err);
  }
  // a close asked meanwhile waits for this operation (Node's kRef/kUnref)
  handle[kRefs]++;
  return u.runPromise(gen).finally(() => unref(handle));
}

function unref(handle) {
  if (--handle[kRefs] !== 0) return;
  const fd = handle[kFd];
  handle[kFd] = -1;
  const { resolve, reject } = handle[kCloseWaiter];
  u.runPromise(ops.close(fd)).then(resolve, reject);
}

class FileHandle extends EventEmitter {
  constructor(fd) {
    super();
    this[kFd] = fd;
    this[kClosePromise] = null;
    this[kRefs] = 1; // the handle's own, dropped by close()
    this[kCloseWaiter] = null;
  }

  get fd() {
    return this[kFd];
  }

  // (buffer, offset, length, position) | (buffer, options) | (options)
  async read(bufferOrParams, offsetOrOptions, length, position) {
    let buffer = bufferOrParams;
    let offset = offsetOrOptions;
    if (!ArrayBuffer.isView(buffer)) {
      if (bufferOrParams !== undefined && bufferOrParams !== null &&
          (typeof bufferOrParams !== 'object' || Array.isArray(bufferOrParams))) {
        throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', bufferOrParams);
      }
      const o = bufferOrParams || {};
      buffer = o.buffer === undefined ? Buffer.alloc(16384) : o.buffer;
      offset = o.offset === undefined ? 0 : o.offset;
      length = o.length === undefined ? buffer.byteLength - offset : o.length;
      position = o.position === undefined ? null : o.position;
    } else if (offset !== null && typeof offset === 'object') {
      const o = offset;
      offset = o.offset === undefined ? 0 : o.offset;
      length = o.length === undefined ? buffer.byteLength - offset : o.length;
      position = o.position === undefined ? null : o.position;
    }
    if (length === undefined || length === null) length = buffer.byteLength - (offset || 0);
    const [bytesRead, buf] = await fsCall(this, 'read',
      (fd) => ops.readChecked(fd, buffer, offset, length, position));
    return { bytesRead, buffer: buf };
  }

  async readv(buffers, position) {
    const [bytesRead, bufs] = await fsCall(this, 'read', (fd) => ops.readv(fd, buffers, position));
    return { bytesRead, buffers: bufs };
  }

  async write(buffer, offset, length, position) {
    const [bytesWritten, buf] = await fsCall(this, 'write', (fd) => ops.write(fd, buffer, offset, length, position));
    return { bytesWritten, buffer: buf };
  }

  async writev(buffers, position) {
    const [bytesWritten, bufs] = await fsCall(this, 'write', (fd) => ops.writev(fd, buffers, position));
    return { bytesWritten, buffers: bufs };
  }

  readFile(options) {
    return fsCall(this, 'read', (fd) => ops.readFile(fd, options));
  }

  writeFile(data, options) {
    return writeFileAny(this, data, options, 'w');
  }

  appendFile(data, options) {
    return writeFileAny(this, data, options, 'a');
  }

  stat(options) {
    return fsCall(this, 'fstat', (fd) => ops.fstat(fd, options));
  }

  truncate(len = 0) {
    return fsCall(this, 'ftruncate', (fd) => ops.ftruncate(fd, len));
  }

  sync() {
    return fsCall(this, 'fsync', (fd) => ops.fsync(fd));
  }

  datasync() {
    return fsCall(this, 'fdatasync', (fd) => ops.fdatasync(fd));
  }

  chmod(mode) {
    return fsCall(this, 'fchmod', (fd) => ops.fchmod(fd, mode));
  }

  chown(uid, gid) {
    return fsCall(this, 'fchown', (fd) => ops.fchown(fd, uid, gid));
  }

  utimes(atime, mtime) {
    return fsCall(this, 'futime', (fd) => ops.futimes(fd, atime, mtime));
  }

  // Closes now, or once the operations under way are done; 'close' is
  // emitted at once, as Node does.
  close() {
    if (this[kFd] === -1) return Promise.resolve();
    if (this[kClosePromise]) return this[kClosePromise];
    const done = () => {
      this[kClosePromise] = null;
      this[kCloseWaiter] = null;
    };
    if (--this[kRefs] === 0) {
      const fd = this[kFd];
      this[kFd] = -1;
      this[kClosePromise] = u.runPromise(ops.close(fd)).finally(done);
    } else {
      this[kClosePromise] = new Promise((resolve, reject) => {
        this[kCloseWaiter] = { resolve, reject };
      }).finally(done);
    }
    this.emit('close');
    return this[kClosePromise];
  }

  createReadStream(options = undefined) {
    const { ReadStream } = require('./streams');
    return new ReadStream(undefined, { ...(options || {}), fd: this });
  }

  createWriteStream(options = undefined) {
    const { WriteStream } = require('./streams');
    return new WriteStream(undefined, { ...(options || {}), fd: this });
  }

  async [Symbol.asyncDispose]() {
    await this.close();
  }
}

function isIterable(data) {
  return data != null && typeof data !== 'string' && !ArrayBuffer.isView(data) &&
    (typeof data[Symbol.asyncIterator] === 'function' || typeof data[Symbol.iterator] === 'function');
}

// writeFile for paths and FileHandles; data may also be an (async) iterable
// or a stream of strings/bytes, as fs/promises allows.
async function writeFileAny(target, data, options, defFlag) {
  const opts = u.getOptions(options, { encoding: 'utf8', mode: 0o666, flag: defFlag });
  const handle = target instanceof FileHandle ? target : null;
  if (!isIterable(data)) {
    if (handle) {
      if (handle.fd === -1) throw fileClosed('write');
      return u.runPromise(ops.writeFile(handle.fd, data, opts, defFlag));
    }
    return u.runPromise(ops.writeFile(target, data, opts, defFlag));
  }
  const aborted = () => {
    if (opts.signal && opts.signal.aborted) throw u.abortError(opts.signal);
  };
  aborted();
  const fh = handle || await open(target, opts.flag || defFlag, opts.mode);
  try {
    aborted();
    for await (const chunk of data) {
      aborted();
      const bytes = u.toBytes(chunk, opts.encoding, 'chunk');
      await u.runPromise(ops.writeAll(fh.fd, bytes, -1, opts.signal));
    }
  } finally {
    if (!handle) await fh.close();
  }
  return undefined;
}

async function open(path, flags, mode) {
  const fd = await u.runPromise(ops.open(path, flags, mode));
  return new FileHandle(fd);
}

function wrap(make) {
  return async function promised(...args) {
    return await u.runPromise(make(...args)); // eslint-disable-line no-return-await
  };
}

function readFile(path, options) {
  if (path instanceof FileHandle) return path.readFile(options);
  return wrap(ops.readFile)(path, options);
}

function writeFile(path, data, options) {
  return writeFileAny(path, data, options, 'w');
}

function appendFile(path, data, options) {
  return writeFileAny(path, data, options, 'a');
}

async function lchmod() {
  throw codes.ERR_METHOD_NOT_IMPLEMENTED('lchmod()');
}

async function* glob(pattern, options) {
  const matches = await u.runPromise(globMod.glob(pattern, options));
  yield* matches;
}

function watch(filename, options) {
  return require('./watchers').watchPromise(filename, options);
}

const promises = {
  access: wrap(ops.access),
  copyFile: wrap(ops.copyFile),
  cp: wrap(ops.cp),
  open,
  opendir: wrap(opendir),
  rename: wrap(ops.rename),
  truncate: wrap(ops.truncate),
  rm: wrap(ops.rm),
  rmdir: wrap(ops.rmdir),
  mkdir: wrap(ops.mkdir),
  readdir: wrap(ops.readdir),
  readlink: wrap(ops.readlink),
  symlink: wrap(ops.symlink),
  lstat: wrap(ops.lstat),
  stat: wrap(ops.stat),
  statfs: wrap(ops.statfs),
  link: wrap(ops.link),
  unlink: wrap(ops.unlink),
  chmod: wrap(ops.chmod),
  lchmod,
  lchown: wrap(ops.lchown),
  chown: wrap(ops.chown),
  utimes: wrap(ops.utimes),
  lutimes: wrap(ops.lutimes),
  realpath: wrap(ops.realpathNative),
  mkdtemp: wrap(ops.mkdtemp),
  writeFile,
  appendFile,
  readFile,
  glob,
  watch,
  constants: u.constants,
};

for (const [name, fn] of Object.entries(promises)) {
  if (typeof fn === 'function') Object.defineProperty(fn, 'name', { value: name });
}

module.exports = { promises, FileHandle };
