// node/internal/fs/ops.js — every fs operation once: a maker per API that
// validates the guest's arguments (throwing Node's ERR_* synchronously)
// and returns the generator that does the work through the bridge
// (driven by utils.runSync / runAsync / runPromise). fs.js, fs/promises
// and FileHandle are thin wrappers over these makers.
'use strict';

const { Buffer } = require('buffer');
const pathModule = require('../../path');
const { codes, makeNodeError } = require('../errors');
const u = require('./utils');
const binding = require('../binding');

const { constants: C, getNativePath: vpath, getValidatedPath: spath, validateFd, getOptions } = u;
const kMaxUserId = 4294967295;
const kReadFileChunk = 512 * 1024;
const kWriteFileChunk = 512 * 1024;

function* closing(fd, body) {
  let result;
  try {
    result = yield* body;
  } catch (err) {
    try {
      yield ['close', fd];
    } catch {
      // the first error is the one to report
    }
    throw err;
  }
  yield ['close', fd];
  return result;
}

function checkAborted(signal) {
  if (signal && signal.aborted) throw u.abortError(signal);
}

// ---- whole-file reads and writes ---------------------------------------------------

function* readFd(fd, signal) {
  const st = yield ['fstat', fd];
  if ((st[1] & C.S_IFMT) === C.S_IFDIR) throw u.uvError(-21, 'read');
  const chunks = [];
  let total = 0;
  let size = (st[1] & C.S_IFMT) === C.S_IFREG && st[8] > 0 ? st[8] : kReadFileChunk;
  for (;;) {
    checkAborted(signal);
    const buf = Buffer.allocUnsafe(size);
    const n = yield ['read', fd, buf, 0, size, -1];
    if (n === 0) break;
    chunks.push(n === size ? buf : buf.subarray(0, n));
    total += n;
    size = kReadFileChunk;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

// A number that is a uint32 is a descriptor; anything else is a path.
function isFdLike(value) {
  return typeof value === 'number' && value >>> 0 === value;
}

function toBuffer(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function readFile(path, options) {
  const opts = getOptions(options, { flag: 'r' });
  const flags = u.stringToFlags(opts.flag);
  const { signal, encoding } = opts;
  const isFd = isFdLike(path);
  const p = isFd ? path : vpath(path);
  const decode = encoding && encoding !== 'buffer' ? (buf) => buf.toString(encoding) : (buf) => buf;
  // a path: one native call (UTF-8 is decoded in C); an fd: a read loop
  const byPath = isFd ? null
    : encoding === 'utf8' || encoding === 'utf-8'
      ? u.single('readFile', p, flags, true)
      : u.mapped((bytes) => decode(toBuffer(bytes)), 'readFile', p, flags, false);
  if (byPath && !signal) return byPath;
  return (function* readFileGen() {
    checkAborted(signal);
    const data = byPath ? yield* byPath : decode(yield* readFd(p, signal));
    checkAborted(signal);
    return data;
  })();
}

// With a signal, in Node's chunks of at most 512 KiB, so an abort is seen
// between them.
function* writeAll(fd, bytes, position, signal) {
  let off = 0;
  let pos = position;
  while (off < bytes.byteLength) {
    checkAborted(signal);
    const len = signal ? Math.min(kWriteFileChunk, bytes.byteLength - off) : bytes.byteLength - off;
    const n = yield ['write', fd, bytes, off, len, pos];
    off += n;
    if (pos >= 0) pos += n;
  }
}

function writeFile(path, data, options, defaultFlag = 'w') {
  const opts = getOptions(options, { encoding: 'utf8', mode: 0o666, flag: defaultFlag });
  const flags = u.stringToFlags(opts.flag || defaultFlag); // Node's `flag || 'w'`
  const mode = u.parseFileMode(opts.mode, 'mode', 0o666);
  const isFd = isFdLike(path);
  const p = isFd ? path : vpath(path);
  const bytes = u.toBytes(data, opts.encoding);
  const { signal } = opts;
  const flush = opts.flush === true;
  if (opts.flush !== undefined && opts.flush !== null) u.validateBoolean(opts.flush, 'options.flush');
  return (function* writeFileGen() {
    checkAborted(signal);
    if (isFd) {
      yield* writeAll(p, bytes, -1, signal);
      if (flush) yield ['export', 'fsync', p];
      return undefined;
    }
    const fd = yield ['open', p, flags, mode];
    yield* closing(fd, (function* body() {
      yield* writeAll(fd, bytes, -1, signal);
      if (flush) yield ['export', 'fsync', fd];
    })());
    return undefined;
  })();
}

function appendFile(path, data, options) {
  const opts = getOptions(options, { encoding: 'utf8', mode: 0o666, flag: 'a' });
  return writeFile(path, data, opts, 'a');
}

// ---- descriptors ---------------------------------------------------------------------

function open(path, flags, mode) {
  const p = vpath(path);
  const f = u.stringToFlags(flags === undefined || flags === null ? 'r' : flags);
  const m = u.parseFileMode(mode, 'mode', 0o666);
  return u.single('open', p, f, m);
}

function close(fd) {
  return u.single('close', validateFd(fd));
}

function position(pos) {
  if (pos === null || pos === undefined) return -1;
  if (typeof pos === 'bigint') {
    if (pos < -1n || pos > 9223372036854775807n) {
      throw codes.ERR_OUT_OF_RANGE('position', '>= -1 && <= 9223372036854775807', pos);
    }
    return Number(pos);
  }
  if (typeof pos !== 'number') throw codes.ERR_INVALID_ARG_TYPE('position', ['integer', 'bigint'], pos);
  if (!Number.isInteger(pos)) throw codes.ERR_OUT_OF_RANGE('position', 'an integer', pos);
  return pos < 0 ? -1 : pos;
}

function validateBuffer(buffer, name = 'buffer') {
  if (!ArrayBuffer.isView(buffer)) {
    throw codes.ERR_INVALID_ARG_TYPE(name, ['Buffer', 'TypedArray', 'DataView'], buffer);
  }
  return buffer;
}

// Defaults and range checks of offset/length within buf.
function offsetLength(buf, offset, length) {
  let off = offset;
  let len = length;
  if (off === undefined || off === null) off = 0;
  else if (typeof off === 'bigint') off = Number(off);
  u.validateInteger(off, 'offset', 0, Number.MAX_SAFE_INTEGER);
  if (off > buf.byteLength) throw codes.ERR_OUT_OF_RANGE('offset', `<= ${buf.byteLength}`, off);
  if (len === undefined || len === null) len = buf.byteLength - off;
  u.validateInteger(len, 'length', 0, 2147483647);
  if (len > buf.byteLength - off) {
    throw codes.ERR_OUT_OF_RANGE('length', `<= ${buf.byteLength - off}`, len);
  }
  return [off, len];
}

// (buffer, offset, length, position) | (buffer, options) | (options) -> args
// Node's validatePosition for a read of length bytes -> the native's
// position (-1: the file's own).
function readPosition(pos, length) {
  if (pos === null || pos === undefined) return -1;
  if (typeof pos === 'number') {
    u.validateInteger(pos, 'position', -1);
    return pos;
  }
  if (typeof pos === 'bigint') {
    const max = 9223372036854775807n - BigInt(length);
    if (!(pos >= -1n && pos <= max)) throw codes.ERR_OUT_OF_RANGE('position', `>= -1 && <= ${max}`, pos);
    return Number(pos);
  }
  throw codes.ERR_INVALID_ARG_TYPE('position', ['integer', 'bigint'], pos);
}

function validateOptionsObject(value) {
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', value);
  }
}

// Node's checks once buffer, offset, length and position are known.
function readChecked(fd, buffer, offset, length, pos) {
  validateBuffer(buffer);
  let off = offset;
  if (off == null) off = 0;
  else u.validateInteger(off, 'offset', 0);
  const len = length | 0;
  if (len === 0) return readGen(fd, buffer, 0, 0, -1);
  if (buffer.byteLength === 0) {
    throw codes.ERR_INVALID_ARG_VALUE('buffer', buffer, 'is empty and cannot be written');
  }
  if (len < 0) throw codes.ERR_OUT_OF_RANGE('length', '>= 0', len);
  if (off + len > buffer.byteLength) {
    throw codes.ERR_OUT_OF_RANGE('length', `<= ${buffer.byteLength - off}`, len);
  }
  return readGen(fd, buffer, off, len, readPosition(pos, len));
}

function* readGen(fd, buf, off, len, pos) {
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = len === 0 ? 0 : yield ['read', fd, bytes, off, len, pos];
  return [n, buf];
}

// fs.read's forms, by how many arguments came before the callback:
// (fd), (fd, buffer | options), (fd, buffer, options), (fd, buffer,
// offset, length, position).
function read(...args) {
  const fd = validateFd(args[0]);
  let [, buffer, offset, length, pos] = args;
  if (args.length <= 3) {
    let params;
    if (args.length === 3) {
      validateOptionsObject(offset);
      params = offset;
    } else if (args.length === 2) {
      if (!ArrayBuffer.isView(buffer)) {
        params = buffer;
        buffer = params != null && params.buffer !== undefined ? params.buffer : Buffer.alloc(16384);
      }
    } else {
      buffer = Buffer.alloc(16384);
    }
    if (params !== undefined) validateOptionsObject(params);
    const o = params == null ? {} : params;
    offset = o.offset === undefined ? 0 : o.offset;
    length = o.length === undefined ? (buffer == null ? undefined : buffer.byteLength - offset) : o.length;
    pos = o.position === undefined ? null : o.position;
  }
  return readChecked(fd, buffer, offset, length, pos);
}

// fs.readSync(fd, buffer, offsetOrOptions, length, position)
function readSync(...args) {
  const fd = validateFd(args[0]);
  let [, buffer, offset, length, pos] = args;
  validateBuffer(buffer);
  if (args.length <= 3 || typeof offset === 'object') {
    if (offset !== undefined) validateOptionsObject(offset);
    const o = offset == null ? {} : offset;
    offset = o.offset === undefined ? 0 : o.offset;
    length = o.length === undefined ? buffer.byteLength - offset : o.length;
    pos = o.position === undefined ? null : o.position;
  }
  return readChecked(fd, buffer, offset, length, pos);
}

// (buffer, offset, length, position) | (buffer, options) | (string, position, encoding)
function writeArgs(buffer, offset, length, pos) {
  if (typeof buffer === 'string') {
    const encoding = typeof length === 'string' ? length : 'utf8';
    u.assertEncoding(encoding);
    // Node's validateEncoding: hex comes in whole bytes
    if (encoding === 'hex' && buffer.length % 2 !== 0) {
      throw codes.ERR_INVALID_ARG_VALUE('encoding', encoding, `is invalid for data of length ${buffer.length}`);
    }
    const bytes = Buffer.from(buffer, encoding);
    return [bytes, 0, bytes.byteLength, position(offset), buffer];
  }
  if (!ArrayBuffer.isView(buffer)) {
    throw codes.ERR_INVALID_ARG_TYPE('buffer', ['string', 'Buffer', 'TypedArray', 'DataView'], buffer);
  }
  let off = offset;
  let len = length;
  let p = pos;
  if (off !== null && typeof off === 'object') {
    const o = off;
    off = o.offset;
    len = o.length;
    p = o.position;
  }
  [off, len] = offsetLength(buffer, off, len);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return [bytes, off, len, position(p), buffer];
}

function write(fd, buffer, offset, length, pos) {
  validateFd(fd);
  const [bytes, off, len, p, original] = writeArgs(buffer, offset, length, pos);
  return (function* writeGen() {
    const n = yield ['write', fd, bytes, off, len, p];
    return [n, original];
  })();
}

function validateBufferArray(buffers) {
  if (!Array.isArray(buffers) || !buffers.every((b) => ArrayBuffer.isView(b))) {
    throw codes.ERR_INVALID_ARG_TYPE('buffers', 'ArrayBufferView[]', buffers);
  }
  return buffers;
}

// Vectored I/O, one buffer at a time: stops at a short transfer as readv(2).
function vector(op, fd, buffers, pos) {
  validateFd(fd);
  validateBufferArray(buffers);
  let p = position(pos);
  return (function* vectorGen() {
    let total = 0;
    for (const b of buffers) {
      const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      let done = 0;
      while (done < bytes.byteLength) {
        const n = yield [op, fd, bytes, done, bytes.byteLength - done, p];
        if (n === 0) break;
        done += n;
        total += n;
        if (p >= 0) p += n;
        if (op === 'read') break;
      }
      if (done < bytes.byteLength) break;
    }
    return [total, buffers];
  })();
}

function readv(fd, buffers, pos) { return vector('read', fd, buffers, pos); }
function writev(fd, buffers, pos) { return vector('write', fd, buffers, pos); }

function fstat(fd, options) {
  validateFd(fd);
  const bigint = !!(options && options.bigint);
  return u.mapped((a) => u.getStats(a, bigint), 'fstat', fd);
}

function ftruncate(fd, len = 0) {
  validateFd(fd);
  u.validateInteger(len, 'len', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  return u.single('ftruncate', fd, Math.max(0, len));
}

function fsync(fd) { return u.single('fsync', validateFd(fd)); }
function fdatasync(fd) { return u.single('fdatasync', validateFd(fd)); }

function fchmod(fd, mode) {
  validateFd(fd);
  return u.single('fchmod', fd, u.parseFileMode(mode, 'mode'));
}

function validateIds(uid, gid) {
  u.validateInteger(uid, 'uid', -1, kMaxUserId);
  u.validateInteger(gid, 'gid', -1, kMaxUserId);
}

function fchown(fd, uid, gid) {
  validateFd(fd);
  validateIds(uid, gid);
  return u.single('fchown', fd, uid, gid);
}

function futimes(fd, atime, mtime) {
  validateFd(fd);
  return u.single('futimes', fd, u.toUnixTimestamp(atime, 'atime'), u.toUnixTimestamp(mtime, 'mtime'));
}

// ---- paths ---------------------------------------------------------------------------

function access(path, mode = C.F_OK) {
  const p = vpath(path);
  if (mode === null || mode === undefined) mode = C.F_OK;
  u.validateInteger(mode, 'mode', 0, 7);
  return u.single('access', p, mode);
}

// existsSync: a path that is no path is false; the native answers -errno
// (its null request) in place of throwing
function exists(path) {
  let p;
  try {
    p = vpath(path);
  } catch {
    return false;
  }
  return binding.fs.access(p, C.F_OK, null) === undefined;
}

function stat(path, options, follow = true) {
  const p = vpath(path);
  const bigint = !!(options && options.bigint);
  return u.mapped((a) => u.getStats(a, bigint), 'stat', p, follow);
}

function lstat(path, options) { return stat(path, options, false); }

function statfs(path, options) {
  const p = vpath(path);
  const bigint = !!(options && options.bigint);
  return (function* statfsGen() {
    return new u.StatFs(yield ['statfs', p], bigint);
  })();
}

function chmod(path, mode) {
  const p = vpath(path);
  return u.single('chmod', p, u.parseFileMode(mode, 'mode'));
}

function chown(path, uid, gid) {
  const p = vpath(path);
  validateIds(uid, gid);
  return u.single('chown', p, uid, gid);
}

function lchown(path, uid, gid) {
  const p = vpath(path);
  validateIds(uid, gid);
  return u.single('lchown', p, uid, gid);
}

function utimes(path, atime, mtime) {
  const p = vpath(path);
  return u.single('utimes', p, u.toUnixTimestamp(atime, 'atime'), u.toUnixTimestamp(mtime, 'mtime'));
}

function lutimes(path, atime, mtime) {
  const p = vpath(path);
  return u.single('lutimes', p, u.toUnixTimestamp(atime, 'atime'), u.toUnixTimestamp(mtime, 'mtime'));
}

function mkdir(path, options) {
  const p = vpath(path);
  let mode = 0o777;
  let recursive = false;
  if (typeof options === 'number' || typeof options === 'string') {
    mode = u.parseFileMode(options, 'mode');
  } else if (options) {
    if (options.recursive !== undefined) recursive = options.recursive;
    if (options.mode !== undefined) mode = u.parseFileMode(options.mode, 'options.mode');
  }
  u.validateBoolean(recursive, 'options.recursive');
  return u.single('mkdir', p, mode, recursive);
}

function mkdtemp(prefix, options) {
  const opts = getOptions(options);
  const p = spath(prefix, 'prefix');
  return (function* mkdtempGen() {
    let made;
    try {
      // the template as mkdtemp(3) takes it: the broker decides on the
      // path made (a prefix ending in '/' makes it inside that folder)
      made = yield ['mkdtemp', `${p}XXXXXX`];
    } catch (err) {
      // Node names the template, XXXXXX included
      if (err.syscall === 'mkdtemp' && typeof err.errno === 'number') throw u.uvError(err.errno, 'mkdtemp', `${p}XXXXXX`);
      throw err;
    }
    // the prefix as the guest wrote it (relative stays relative) + the suffix
    return u.encodePath(p + made.slice(made.length - 6), opts.encoding);
  })();
}

function rename(oldPath, newPath) {
  return u.single('rename', vpath(oldPath, 'oldPath'), vpath(newPath, 'newPath'));
}

function unlink(path) { return u.single('unlink', vpath(path)); }

function link(existingPath, newPath) {
  return u.single('link', vpath(existingPath, 'existingPath'), vpath(newPath, 'newPath'));
}

function symlink(target, path, type) {
  const t = spath(target, 'target');
  const p = vpath(path);
  if (type !== undefined && type !== null && type !== 'dir' && type !== 'file' && type !== 'junction') {
    throw makeNodeError(Error, 'ERR_FS_INVALID_SYMLINK_TYPE',
      `Symlink type must be one of "dir", "file", or "junction". Received "${type}"`);
  }
  return u.single('symlink', t, p, type === 'dir' ? 1 : type === 'junction' ? 2 : 0);
}

function readlink(path, options) {
  const opts = getOptions(options);
  const p = vpath(path);
  return (function* readlinkGen() {
    return u.encodePath(yield ['readlink', p], opts.encoding);
  })();
}

// native: realpath(3)'s errors; otherwise Node's JS realpath's, which
// walks with lstat and names the first component that is missing.
function realpath(path, options, native = false) {
  const opts = getOptions(options);
  const p = spath(path);
  return (function* realpathGen() {
    // Node's JS realpath resolves first and asks nothing of the root; the
    // root is itself to realpath(3) too, so the broker is not asked either
    const abs = pathModule.resolve(p);
    if (abs === '/') return u.encodePath('/', opts.encoding);
    try {
      // realpath(3) takes the path as written ('file/' is ENOTDIR); Node's
      // JS realpath the resolved one
      return u.encodePath(yield ['realpath', native ? p : abs], opts.encoding);
    } catch (err) {
      if (native || (err.code !== 'ENOENT' && err.code !== 'ENOTDIR')) throw err;
      const parts = abs.split('/');
      for (let i = 2; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('/');
        try {
          yield ['stat', prefix, false];
        } catch (e) {
          if (typeof e.errno === 'number') throw u.uvError(e.errno, 'lstat', prefix);
          throw e;
        }
      }
      throw err;
    }
  })();
}

function realpathNative(path, options) {
  return realpath(path, options, true);
}

function copyFile(src, dest, mode = 0) {
  const s = vpath(src, 'src');
  const d = vpath(dest, 'dest');
  if (mode === null || mode === undefined) mode = 0;
  u.validateInteger(mode, 'mode', 0, 7);
  return u.single('copyFile', s, d, mode & C.COPYFILE_EXCL);
}

function truncate(path, len = 0) {
  if (typeof path === 'number') return ftruncate(path, len);
  const p = vpath(path);
  u.validateInteger(len, 'len', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  return (function* truncateGen() {
    const fd = yield ['open', p, C.O_RDWR, 0o666];
    return yield* closing(fd, u.single('ftruncate', fd, Math.max(0, len)));
  })();
}

// ---- directories ------------------------------------------------------------------------

// A name in another encoding than UTF-8 is made from its bytes (a file
// name need not be UTF-8), as Node's are.
function* listDir(dir, encoding, withFileTypes, shown) {
  const raw = !!encoding && encoding !== 'utf8' && encoding !== 'utf-8';
  const res = yield ['readdir', dir, (withFileTypes ? 1 : 0) | (raw ? 2 : 0)];
  const encode = raw
    ? (bytes) => (encoding === 'buffer' ? toBuffer(bytes) : toBuffer(bytes).toString(encoding))
    : (name) => name;
  if (!withFileTypes) return res.map(encode);
  const [names, types] = res;
  const out = [];
  for (let i = 0; i < names.length; i++) {
    const name = raw ? toBuffer(names[i]).toString() : names[i];
    const type = yield* u.direntType(types[i], pathModule.join(dir, name));
    out.push(new u.Dirent(encode(names[i]), type, shown));
  }
  return out;
}

// Node's order: the base folder's entries, then each subfolder's, breadth first.
function* readdirRecursive(base, encoding, withFileTypes) {
  const out = [];
  const queue = [base];
  for (let i = 0; i < queue.length; i++) {
    const dir = queue[i];
    if (withFileTypes) {
      const entries = yield* listDir(dir, encoding, true, dir);
      for (const d of entries) {
        out.push(d);
        let into = d.isDirectory();
        if (!into && d.isSymbolicLink()) { // a link to a folder is walked, as Node 22.14 does
          try {
            const st = yield ['stat', pathModule.join(dir, d.name), true];
            into = (st[1] & C.S_IFMT) === C.S_IFDIR;
          } catch {
            into = false;
          }
        }
        if (into) queue.push(pathModule.join(dir, d.name));
      }
    } else {
      const names = yield ['readdir', dir, false];
      for (const name of names) {
        const full = pathModule.join(dir, name);
        out.push(u.encodePath(pathModule.relative(base, full), encoding));
        let isDir = false;
        try {
          const st = yield ['stat', full, true];
          isDir = (st[1] & C.S_IFMT) === C.S_IFDIR;
        } catch {
          isDir = false;
        }
        if (isDir) queue.push(full);
      }
    }
  }
  return out;
}

function readdir(path, options) {
  const opts = getOptions(options);
  // bytes only where no path is joined to it
  const p = opts.withFileTypes || opts.recursive ? spath(path) : vpath(path);
  const withFileTypes = !!opts.withFileTypes;
  if (opts.recursive !== undefined && opts.recursive !== null) u.validateBoolean(opts.recursive, 'options.recursive');
  if (opts.recursive) return readdirRecursive(p, opts.encoding, withFileTypes);
  return listDir(p, opts.encoding, withFileTypes, p);
}

function* rmTree(dir) {
  const [names, types] = yield ['readdir', dir, true];
  for (let i = 0; i < names.length; i++) {
    const full = pathModule.join(dir, names[i]);
    const type = yield* u.direntType(types[i], full);
    if (type === C.UV_DIRENT_DIR) yield* rmTree(full);
    else yield ['unlink', full];
  }
  yield ['rmdir', dir];
}

function validateRmOptions(options) {
  const opts = { force: false, recursive: false, maxRetries: 0, retryDelay: 100, ...(options || {}) };
  u.validateBoolean(opts.force, 'options.force');
  u.validateBoolean(opts.recursive, 'options.recursive');
  u.validateInteger(opts.maxRetries, 'options.maxRetries', 0, 4294967295);
  u.validateInteger(opts.retryDelay, 'options.retryDelay', 0, 4294967295);
  return opts;
}

function rm(path, options) {
  const p = spath(path);
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
  }
  const opts = validateRmOptions(options);
  return (function* rmGen() {
    let st;
    try {
      st = yield ['stat', p, false];
    } catch (err) {
      if (opts.force && err.code === 'ENOENT') return undefined;
      throw err;
    }
    if ((st[1] & C.S_IFMT) !== C.S_IFDIR) {
      yield ['unlink', p];
      return undefined;
    }
    if (!opts.recursive) {
      throw u.systemError('ERR_FS_EISDIR', 'Path is a directory', {
        code: 'EISDIR', message: 'is a directory', path: p, syscall: 'rm', errno: 21,
      });
    }
    yield* rmTree(p);
    return undefined;
  })();
}

let warnedRecursiveRmdir = false;

function rmdir(path, options) {
  const p = spath(path);
  if (options && options.recursive) {
    if (!warnedRecursiveRmdir) {
      warnedRecursiveRmdir = true;
      process.emitWarning('In future versions of Node.js, fs.rmdir(path, { recursive: true }) ' +
        'will be removed. Use fs.rm(path, { recursive: true }) instead', 'DeprecationWarning', 'DEP0147');
    }
    validateRmOptions({ ...options });
    return (function* rmdirRecursive() {
      const st = yield ['stat', p, false];
      // not a folder: rmdir(2) itself says so (ENOTDIR), as Node's does
      if ((st[1] & C.S_IFMT) !== C.S_IFDIR) return yield ['rmdir', p];
      return yield* rmTree(p);
    })();
  }
  return u.single('rmdir', p);
}

// ---- cp --------------------------------------------------------------------------------

function cpError(code, prefix, errName, errno, message, path) {
  return u.systemError(code, prefix, { message, path, syscall: 'cp', errno, code: errName });
}

function* statOrNull(p, follow) {
  try {
    return yield ['stat', p, follow];
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

const isDirMode = (st) => (st[1] & C.S_IFMT) === C.S_IFDIR;
const isLinkMode = (st) => (st[1] & C.S_IFMT) === C.S_IFLNK;

function* cpFile(src, dest, srcStat, destStat, opts) {
  if (destStat) {
    if (opts.force) {
      yield ['unlink', dest];
    } else if (opts.errorOnExist) {
      throw cpError('ERR_FS_CP_EEXIST', 'Target already exists', 'EEXIST', 17,
        `${dest} already exists`, dest);
    } else {
      return;
    }
  }
  yield ['copyFile', src, dest, opts.mode & C.COPYFILE_EXCL];
  if (opts.preserveTimestamps) {
    yield ['utimes', dest, srcStat[10] + srcStat[11] / 1e9, srcStat[12] + srcStat[13] / 1e9];
  }
}

function* cpLink(src, dest, destStat, opts) {
  let target = yield ['readlink', src];
  if (!opts.verbatimSymlinks && !pathModule.isAbsolute(target)) {
    target = pathModule.resolve(pathModule.dirname(src), target);
  }
  if (destStat) yield ['unlink', dest];
  yield ['symlink', target, dest, 0];
}

function* cpDir(src, dest, srcStat, destStat, opts) {
  if (!destStat) yield ['mkdir', dest, srcStat[1] & 0o7777, false];
  const names = yield ['readdir', src, false];
  for (const name of names) {
    yield* cpAny(pathModule.join(src, name), pathModule.join(dest, name), opts);
  }
  if (!destStat) yield ['chmod', dest, srcStat[1] & 0o7777];
}

// cpSync's checks of the paths it was given are Node 22's native ones (its
// cpSyncCheckPaths): plain Errors with a code, in that order; everything
// else (fs.cp, and the entries below the top) is the JS checks' SystemError.
function cpNativeError(code, message) {
  const err = new Error(message);
  err.code = code;
  return err;
}

function* cpAny(src, dest, opts, nativeChecks = false, followSrc = false) {
  if (opts.filter) {
    const keep = yield ['await', opts.filter(src, dest)];
    if (!keep) return;
  }
  const srcStat = yield ['stat', src, !!opts.dereference || followSrc];
  const destStat = yield* statOrNull(dest, !!opts.dereference);
  const srcDir = isDirMode(srcStat);
  const rel = pathModule.relative(src, dest);
  const intoSelf = srcDir && rel !== '' && !rel.startsWith('..') && !pathModule.isAbsolute(rel);
  if (nativeChecks) {
    if (destStat && srcStat[0] === destStat[0] && srcStat[7] === destStat[7]) {
      throw cpNativeError('ERR_FS_CP_EINVAL', `src and dest cannot be the same ${dest}`);
    }
    if (destStat && srcDir && !isDirMode(destStat)) {
      throw cpNativeError('ERR_FS_CP_DIR_TO_NON_DIR',
        `Cannot overwrite non-directory ${dest} with directory ${src}`);
    }
    if (destStat && !srcDir && isDirMode(destStat)) {
      throw cpNativeError('ERR_FS_CP_NON_DIR_TO_DIR',
        `Cannot overwrite directory ${dest} with non-directory ${src}`);
    }
    if (intoSelf) {
      throw cpNativeError('ERR_FS_CP_EINVAL', `Cannot copy ${src}/ to a subdirectory of self ${dest}`);
    }
    if (srcDir && !opts.recursive) {
      throw cpNativeError('ERR_FS_EISDIR', `Recursive option not enabled, cannot copy a directory: ${src}/`);
    }
  }
  if (destStat) {
    if (srcStat[0] === destStat[0] && srcStat[7] === destStat[7]) {
      throw cpError('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', 22,
        'src and dest cannot be the same', dest);
    }
    if (srcDir && !isDirMode(destStat)) {
      throw cpError('ERR_FS_CP_DIR_TO_NON_DIR', 'Cannot overwrite non-directory with directory',
        'EISDIR', 21, `cannot overwrite non-directory ${dest} with directory ${src}`, dest);
    }
    if (!srcDir && isDirMode(destStat)) {
      throw cpError('ERR_FS_CP_NON_DIR_TO_DIR', 'Cannot overwrite directory with non-directory',
        'ENOTDIR', 20, `cannot overwrite directory ${dest} with non-directory ${src}`, dest);
    }
  }
  if (srcDir) {
    if (!opts.recursive) {
      throw cpError('ERR_FS_EISDIR', 'Path is a directory', 'EISDIR', 22,
        `${src} is a directory (not copied)`, src);
    }
    if (intoSelf) {
      throw cpError('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', 22,
        `cannot copy ${src} to a subdirectory of self ${dest}`, dest);
    }
    yield* cpDir(src, dest, srcStat, destStat, opts);
  } else if (isLinkMode(srcStat)) {
    yield* cpLink(src, dest, destStat, opts);
  } else {
    yield* cpFile(src, dest, srcStat, destStat, opts);
  }
}

// sync: cpSync (Node 22's native checks of src and dest, cpAny)
function cpPaths(src, dest, options, sync) {
  const given = spath(src, 'src');
  const s = pathModule.resolve(given);
  // 'link/', 'link/.': the kernel's lstat follows the link there, so the
  // folder it names is copied (the resolved path lost that)
  const followSrc = /(^|\/)\.{0,2}\/*$/.test(given) && given !== '';
  const d = pathModule.resolve(spath(dest, 'dest'));
  const opts = {
    dereference: false, errorOnExist: false, force: true, mode: 0,
    preserveTimestamps: false, recursive: false, verbatimSymlinks: false, ...(options || {}),
  };
  for (const k of ['dereference', 'errorOnExist', 'force', 'preserveTimestamps', 'recursive', 'verbatimSymlinks']) {
    u.validateBoolean(opts[k], `options.${k}`);
  }
  if (opts.filter !== undefined) u.validateFunction(opts.filter, 'options.filter');
  u.validateInteger(opts.mode, 'options.mode', 0, 7);
  if (s === d) {
    if (sync) throw cpNativeError('ERR_FS_CP_EINVAL', `src and dest cannot be the same ${d}`);
    throw cpError('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', 22,
      'src and dest cannot be the same', d);
  }
  return cpAny(s, d, opts, sync, followSrc);
}
const cp = (src, dest, options) => cpPaths(src, dest, options, false);
const cpSync = (src, dest, options) => cpPaths(src, dest, options, true);

module.exports = {
  readFile, writeFile, appendFile, open, close, read, write, readv, writev,
  fstat, ftruncate, fsync, fdatasync, fchmod, fchown, futimes,
  access, stat, lstat, statfs, chmod, chown, lchown, utimes, lutimes,
  mkdir, mkdtemp, rename, unlink, link, symlink, readlink, realpath, realpathNative, exists,
  copyFile, truncate, readdir, rm, rmdir, cp, cpSync,
  readSync, readChecked, writeArgs, position, readFd, writeAll, listDir,
};
