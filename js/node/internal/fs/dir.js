// node/internal/fs/dir.js — fs.Dir (opendir): entries one at a time, sync,
// callback, promise or `for await`. The folder is listed through the
// bridge when opened (so a missing or refused folder fails at opendir, as
// in Node); with `recursive`, subfolders are listed when reached.
'use strict';

const pathModule = require('../../path');
const { codes, makeNodeError } = require('../errors');
const u = require('./utils');
const ops = require('./ops');

const kState = Symbol('kDirState');

function dirClosed() {
  return makeNodeError(Error, 'ERR_DIR_CLOSED', 'Directory handle was closed');
}

function concurrent() {
  return makeNodeError(Error, 'ERR_DIR_CONCURRENT_OPERATION',
    'Cannot do synchronous work on directory handle with concurrent asynchronous operations');
}

class Dir {
  constructor(path, entries, options) {
    // Node's first argument is the native handle: without one, its error
    if (!path) throw codes.ERR_MISSING_ARGS('handle');
    this[kState] = {
      path,
      entries,
      pending: [],
      closed: false,
      busy: 0,
      encoding: options.encoding,
      recursive: !!options.recursive,
    };
  }

  get path() {
    return this[kState].path;
  }

  // The generator behind read/readSync: the next Dirent or null.
  * #next() {
    const s = this[kState];
    for (;;) {
      if (s.entries.length > 0) {
        const d = s.entries.shift();
        if (s.recursive && d.isDirectory()) s.pending.push(pathModule.join(d.parentPath, d.name));
        return d;
      }
      if (s.pending.length === 0) return null;
      const dir = s.pending.pop();
      s.entries = yield* ops.listDir(dir, s.encoding, true, dir);
    }
  }

  readSync() {
    const s = this[kState];
    if (s.closed) throw dirClosed();
    if (s.busy > 0) throw concurrent();
    return u.runSync(this.#next());
  }

  read(callback) {
    const s = this[kState];
    if (callback === undefined) {
      if (s.closed) return Promise.reject(dirClosed());
      s.busy++;
      return u.runPromise(this.#next()).finally(() => { s.busy--; });
    }
    u.validateFunction(callback, 'callback');
    if (s.closed) {
      process.nextTick(callback, dirClosed());
      return undefined;
    }
    s.busy++;
    u.runAsync(this.#next(), (err, value) => {
      s.busy--;
      callback(err, value);
    });
    return undefined;
  }

  closeSync() {
    const s = this[kState];
    if (s.closed) throw dirClosed();
    if (s.busy > 0) throw concurrent();
    s.closed = true;
    s.entries = [];
    s.pending = [];
  }

  close(callback) {
    const s = this[kState];
    if (callback === undefined) {
      if (s.closed) return Promise.reject(dirClosed());
      s.closed = true;
      return Promise.resolve();
    }
    u.validateFunction(callback, 'callback');
    const err = s.closed ? dirClosed() : null;
    s.closed = true;
    process.nextTick(callback, err);
    return undefined;
  }

  async* entries() {
    try {
      for (;;) {
        const d = await this.read();
        if (d === null) break;
        yield d;
      }
    } finally {
      if (!this[kState].closed) await this.close();
    }
  }

  [Symbol.asyncIterator]() {
    return this.entries();
  }

  [Symbol.dispose]() {
    if (!this[kState].closed) this.closeSync();
  }

  async [Symbol.asyncDispose]() {
    if (!this[kState].closed) await this.close();
  }
}

// opendir(path, options) -> generator resolving to a Dir.
function opendir(path, options) {
  const opts = u.getOptions(options, { encoding: 'utf8' });
  const p = u.getValidatedPath(path);
  if (opts.bufferSize !== undefined) u.validateInteger(opts.bufferSize, 'options.bufferSize', 1, 4294967295);
  if (opts.recursive !== undefined) u.validateBoolean(opts.recursive, 'options.recursive');
  return (function* opendirGen() {
    let entries;
    try {
      entries = yield* ops.listDir(p, opts.encoding, true, p);
    } catch (err) {
      if (typeof err.errno === 'number' && err.syscall === 'scandir') {
        throw u.uvError(err.errno, 'opendir', p);
      }
      throw err;
    }
    return new Dir(p, entries, opts);
  })();
}

module.exports = { Dir, opendir };
