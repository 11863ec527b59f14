// node/internal/fs/watchers.js — fs.watch, fs.watchFile/unwatchFile and
// fs.promises.watch, as Node 22 has them on Linux.
//
// fs.watch is an inotify watch of one path (the bridge's fsWatch natives,
// bridge/watch.c: the broker decides the path as a read). `recursive` is
// done here, as Node does it on Linux: one watch per folder of the tree,
// folders that appear later watched as they come, names relative to the
// root. fs.watchFile polls with stat, as libuv's fs poll does: a listener
// hears (curr, prev) when a stat differs from the one before.
'use strict';

const EventEmitter = require('events');
const pathModule = require('../../path');
const { Buffer } = require('buffer');
const binding = require('../binding');
const { codes, AbortError } = require('../errors');
const {
  validateBoolean, validateAbortSignal, validateFunction, validateInteger,
} = require('../validators');
const u = require('./utils');
const ops = require('./ops');

const UV_RENAME = 1;
const kStart = Symbol('kFSWatchStart');

function watchError(errno, filename) {
  const err = u.uvError(errno, 'watch', filename);
  err.filename = filename;
  return err;
}

function decodeName(bytes, encoding) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding === 'buffer' ? buf : buf.toString(encoding || 'utf8');
}

// ---- one inotify watch ------------------------------------------------------------

// A started native watch: onchange(eventType, nameBytes) or onerror(errno).
class NativeWatch {
  constructor(path, persistent, onchange, onerror) {
    const r = binding.fsWatch.watchStart(path, persistent, (events, name) => {
      if (events < 0) onerror(events);
      else onchange(events & UV_RENAME ? 'rename' : 'change', name);
    });
    if (typeof r === 'number') throw watchError(r, path);
    this.handle = r;
  }

  close() {
    if (this.handle === null) return;
    binding.fsWatch.watchClose(this.handle);
    this.handle = null;
  }

  ref(on) {
    if (this.handle !== null) binding.fsWatch.watchRef(this.handle, on);
  }
}

// ---- FSWatcher -------------------------------------------------------------------------

function FSWatcher() {
  EventEmitter.call(this);
  this._handle = null;
  this._closed = false;
}
Object.setPrototypeOf(FSWatcher.prototype, EventEmitter.prototype);
Object.setPrototypeOf(FSWatcher, EventEmitter);

FSWatcher.prototype[kStart] = function start(filename, persistent, encoding) {
  if (this._closed || this._handle !== null) return;
  const path = u.getValidatedPath(filename, 'filename');
  const shown = typeof filename === 'string' ? filename : String(path);
  this._handle = new NativeWatch(String(path), persistent,
    (eventType, name) => this.emit('change', eventType, decodeName(name, encoding)),
    (errno) => {
      if (this._handle !== null) {
        this._handle.close();
        this._handle = null;
      }
      this.emit('error', watchError(errno, shown));
    });
};

FSWatcher.prototype.close = function close() {
  if (this._closed) return;
  this._closed = true;
  if (this._handle !== null) this._handle.close();
  this._handle = null;
  process.nextTick(() => this.emit('close'));
};

FSWatcher.prototype.ref = function ref() {
  if (this._handle !== null) this._handle.ref(true);
  return this;
};

FSWatcher.prototype.unref = function unref() {
  if (this._handle !== null) this._handle.ref(false);
  return this;
};

// ---- recursive: a watch per folder -------------------------------------------------------

class RecursiveWatcher extends EventEmitter {
  #persistent;
  #encoding;
  #root = '';
  #watches = new Map(); // folder -> NativeWatch
  #known = new Set(); // every path seen under the root
  #closed = false;
  #refed = true;

  constructor(persistent, encoding) {
    super();
    this.#persistent = persistent;
    this.#encoding = encoding;
  }

  #emit(eventType, full) {
    const rel = pathModule.relative(this.#root, full) || pathModule.basename(full);
    this.emit('change', eventType, this.#encoding === 'buffer' ? Buffer.from(rel) : rel);
  }

  // Watches folder and every folder below it; with announce (a folder
  // that appeared while watching), each name found is a 'rename', as
  // Node reports the contents of a new folder.
  #watchFolder(folder, announce) {
    if (this.#closed || this.#watches.has(folder)) return;
    let w;
    try {
      w = new NativeWatch(folder, this.#persistent,
        (eventType, name) => this.#onEvent(folder, eventType, decodeName(name, 'utf8')),
        (errno) => this.#fail(watchError(errno, folder)));
    } catch (err) {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return; // gone meanwhile
      throw err;
    }
    if (!this.#refed) w.ref(false);
    this.#watches.set(folder, w);
    let entries;
    try {
      entries = u.runSync(ops.readdir(folder, { withFileTypes: true }));
    } catch {
      return;
    }
    for (const e of entries) {
      const full = pathModule.join(folder, e.name);
      if (this.#known.has(full)) continue;
      this.#known.add(full);
      if (announce) this.#emit('rename', full);
      if (e.isDirectory()) this.#watchFolder(full, announce);
    }
  }

  #forget(full) {
    for (const p of [...this.#known]) {
      if (p === full || p.startsWith(`${full}/`)) this.#known.delete(p);
    }
    for (const [folder, w] of this.#watches) {
      if (folder === full || folder.startsWith(`${full}/`)) {
        w.close();
        this.#watches.delete(folder);
      }
    }
  }

  #onEvent(folder, eventType, name) {
    if (this.#closed) return;
    const full = pathModule.join(folder, name);
    if (eventType === 'change') {
      this.#emit('change', full);
      return;
    }
    let st = null;
    try {
      st = u.runSync(ops.lstat(full));
    } catch {
      st = null;
    }
    if (st === null) {
      this.#forget(full);
      this.#emit('rename', full);
      return;
    }
    const fresh = !this.#known.has(full);
    this.#known.add(full);
    this.#emit('rename', full);
    if (fresh && st.isDirectory()) this.#watchFolder(full, true);
  }

  #fail(err) {
    this.close();
    this.emit('error', err);
  }

  [kStart](filename) {
    const path = pathModule.resolve(String(u.getValidatedPath(filename, 'filename')));
    const st = u.runSync(ops.stat(path));
    this.#root = path;
    if (!st.isDirectory()) {
      // a file: its own events, named by its basename
      const w = new NativeWatch(path, this.#persistent,
        (eventType, name) => this.emit('change', eventType, decodeName(name, this.#encoding)),
        (errno) => this.#fail(watchError(errno, path)));
      this.#watches.set(path, w);
      return;
    }
    this.#watchFolder(path, false);
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#watches.values()) w.close();
    this.#watches.clear();
    this.#known.clear();
    process.nextTick(() => this.emit('close'));
  }

  ref() {
    this.#refed = true;
    for (const w of this.#watches.values()) w.ref(true);
    return this;
  }

  unref() {
    this.#refed = false;
    for (const w of this.#watches.values()) w.ref(false);
    return this;
  }
}

function watchOptions(options) {
  const opts = u.getOptions(options, {});
  const persistent = opts.persistent === undefined ? true : opts.persistent;
  const recursive = opts.recursive === undefined ? false : opts.recursive;
  validateBoolean(persistent, 'options.persistent');
  validateBoolean(recursive, 'options.recursive');
  return { persistent, recursive, encoding: opts.encoding, signal: opts.signal };
}

function watch(filename, options, listener) {
  if (typeof options === 'function') listener = options;
  const opts = watchOptions(options);
  let watcher;
  if (opts.recursive) {
    watcher = new RecursiveWatcher(opts.persistent, opts.encoding);
    watcher[kStart](filename);
  } else {
    watcher = new FSWatcher();
    watcher[kStart](filename, opts.persistent, opts.encoding);
  }
  if (listener) watcher.addListener('change', listener);
  const { signal } = opts;
  if (signal) {
    if (signal.aborted) {
      process.nextTick(() => watcher.close());
    } else {
      const onabort = () => watcher.close();
      signal.addEventListener('abort', onabort, { once: true });
      watcher.once('close', () => signal.removeEventListener('abort', onabort));
    }
  }
  return watcher;
}

// fs.promises.watch: the events as an async iterator, until the signal
// aborts (AbortError) or an error.
async function* watchPromise(filename, options = undefined) {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
  }
  const opts = watchOptions(options || {});
  const { signal } = opts;
  if (signal !== undefined) validateAbortSignal(signal, 'options.signal');
  if (signal && signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const queue = [];
  let wake = null;
  let failure = null;
  const push = (item) => {
    queue.push(item);
    if (wake) wake();
  };
  const watcher = opts.recursive
    ? new RecursiveWatcher(opts.persistent, opts.encoding)
    : new FSWatcher();
  watcher.on('change', (eventType, name) => push({ eventType, filename: name }));
  watcher.on('error', (err) => {
    failure = err;
    if (wake) wake();
  });
  const onabort = () => {
    if (wake) wake();
  };
  if (opts.recursive) watcher[kStart](filename);
  else watcher[kStart](filename, opts.persistent, opts.encoding);
  if (signal) signal.addEventListener('abort', onabort, { once: true });
  try {
    for (;;) {
      if (failure) throw failure;
      if (signal && signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
      if (queue.length) {
        yield queue.shift();
        continue;
      }
      await new Promise((resolve) => { wake = resolve; });
      wake = null;
    }
  } finally {
    watcher.close();
    if (signal) signal.removeEventListener('abort', onabort);
  }
}

// ---- watchFile: stat polling -------------------------------------------------------------

const kStatFields = 18;
const statWatchers = new Map(); // resolved path -> StatWatcher

function statArray(path, bigint) {
  try {
    const st = u.runSync(ops.stat(path, { bigint }));
    return { status: 0, st };
  } catch (err) {
    return { status: typeof err.errno === 'number' ? err.errno : -1, st: null };
  }
}

function zeroStats(bigint) {
  return u.getStats(new Float64Array(kStatFields), bigint);
}

// libuv's statbuf_eq: what makes a poll a change
function sameStat(a, b) {
  const k = ['ctimeMs', 'mtimeMs', 'birthtimeMs', 'size', 'mode', 'uid', 'gid', 'ino', 'dev'];
  return k.every((f) => a[f] === b[f]);
}

// As libuv's fs poll: a stat now, then one per interval after each
// answer; a listener hears (curr, prev) when the stat differs from the
// last one, when it fails with another error than the last time (curr
// all zeros; at once when the file is not there at the start), and when
// it works again after failing (prev: the last stat that worked).
class StatWatcher extends EventEmitter {
  constructor(bigint) {
    super();
    this._bigint = bigint;
    this._timer = null;
    this._busy = 0; // 0: no answer yet, 1: the last stat worked, < 0: its error
    this._last = null; // the last stat that worked (zeros until one)
  }

  [kStart](path, persistent, interval) {
    if (this._timer !== null) return;
    this._last = zeroStats(this._bigint);
    const poll = () => {
      const now = statArray(path, this._bigint);
      if (now.status < 0) {
        if (this._busy !== now.status) {
          this._busy = now.status;
          this.emit('change', zeroStats(this._bigint), this._last);
        }
      } else {
        const changed = this._busy !== 0 && (this._busy < 0 || !sameStat(now.st, this._last));
        const prev = this._last;
        this._last = now.st;
        this._busy = 1;
        if (changed) this.emit('change', now.st, prev);
      }
      if (this._timer !== null) this._timer = arm(interval);
    };
    const arm = (ms) => {
      const t = setTimeout(poll, ms);
      if (!persistent) t.unref();
      return t;
    };
    this._persistent = persistent;
    this._timer = arm(0);
  }

  stop() {
    if (this._timer === null) return;
    clearTimeout(this._timer);
    this._timer = null;
    process.nextTick(() => this.emit('stop'));
  }

  ref() {
    if (this._timer !== null) this._timer.ref();
    return this;
  }

  unref() {
    if (this._timer !== null) this._timer.unref();
    return this;
  }
}

function watchFile(filename, options, listener) {
  const path = pathModule.resolve(String(u.getValidatedPath(filename)));
  let opts = { interval: 5007, persistent: true, bigint: false };
  if (options !== null && typeof options === 'object') {
    opts = { ...opts, ...options };
  } else {
    listener = options;
  }
  validateFunction(listener, 'listener');
  validateInteger(opts.interval, 'interval', 0, 4294967295);
  let w = statWatchers.get(path);
  if (w === undefined) {
    w = new StatWatcher(!!opts.bigint);
    w[kStart](path, opts.persistent !== false, Math.max(1, opts.interval));
    statWatchers.set(path, w);
  }
  w.addListener('change', listener);
  return w;
}

function unwatchFile(filename, listener) {
  const path = pathModule.resolve(String(u.getValidatedPath(filename)));
  const w = statWatchers.get(path);
  if (w === undefined) return;
  if (typeof listener === 'function') w.removeListener('change', listener);
  else w.removeAllListeners('change');
  if (w.listenerCount('change') === 0) {
    w.stop();
    statWatchers.delete(path);
  }
}

module.exports = { FSWatcher, StatWatcher, watch, watchPromise, watchFile, unwatchFile };
