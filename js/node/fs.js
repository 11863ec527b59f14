// node/fs.js — Node's `fs` module over the bridge's fs natives.
//
// Every operation is written once in internal/fs/ops.js as a generator; here
// each becomes xSync (runs it inline), x(..., cb) (runs it on the libuv
// thread pool and calls cb from the loop) and, in fs/promises, a promise.
// Every path goes through the permission broker in bridge/fs.c; a refused
// path fails with EACCES like any other system error. fs.watch is inotify
// (internal/fs/watchers.js over bridge/watch.c), fs.watchFile stat polling.
'use strict';

const { kCustomPromisifyArgs } = require('./internal/util');
const { codes } = require('./internal/errors');
const u = require('./internal/fs/utils');
const ops = require('./internal/fs/ops');
const { Dir, opendir } = require('./internal/fs/dir');
const { glob } = require('./internal/fs/glob');
const streams = require('./internal/fs/streams');
const { promises } = require('./internal/fs/promises');

const fs = module.exports;

function named(name, fn) {
  Object.defineProperty(fn, 'name', { value: name, configurable: true });
  return fn;
}

// Node checks the callback of these after their other arguments (the
// rest check it first: a bad callback is the error then, whatever else is
// wrong), and opendir's is named 'callback'.
const argsFirst = new Set(['access', 'chmod', 'close', 'copyFile', 'fchmod', 'fchown', 'fdatasync',
  'fstat', 'fsync', 'ftruncate', 'futimes', 'mkdir', 'open', 'read', 'readv', 'truncate', 'write',
  'writev']);
const callbackNames = { opendir: 'callback' };

// The callback, taken off args. make: checks the other arguments first
// (it only builds the operation) and throws for a bad one.
function takeCallback(name, args, make) {
  const cb = args.length > 0 ? args[args.length - 1] : undefined;
  if (typeof cb !== 'function') {
    if (argsFirst.has(name)) make(...args);
    // Node names the missing callback "undefined" when only the first
    // argument was given, else the value in its place
    throw codes.ERR_INVALID_ARG_TYPE(callbackNames[name] || 'cb', 'Function',
      args.length > 1 ? cb : undefined);
  }
  args.pop();
  return cb;
}

// The sync and callback forms of ops maker `make`. `results`: the callback
// gets the generator's array result spread (read, write ...), and the sync
// form returns its first element.
function forms(name, make, results = undefined) {
  const sync = named(`${name}Sync`, (...args) => {
    const r = u.runSync(make(...args));
    return results ? r[0] : r;
  });
  const callback = named(name, (...args) => {
    const cb = takeCallback(name, args, make);
    const gen = make(...args);
    // an operation with no result calls back with the error alone, as
    // Node's requests do
    u.runAsync(gen, results
      ? (err, r) => (err ? cb(err) : cb(null, r[0], r[1]))
      : (err, r) => (err || r === undefined ? cb(err) : cb(null, r)));
  });
  if (results) {
    Object.defineProperty(callback, kCustomPromisifyArgs, { value: results, enumerable: false });
  }
  return { sync, callback };
}

// Defines fs[name] and fs[name + 'Sync'].
function define(name, make, results = undefined) {
  const f = forms(name, make, results);
  fs[`${name}Sync`] = f.sync;
  fs[name] = f.callback;
}

define('access', ops.access);
define('appendFile', ops.appendFile);
define('chmod', ops.chmod);
define('chown', ops.chown);
define('close', ops.close);
define('copyFile', ops.copyFile);
define('cp', ops.cp);
fs.cpSync = forms('cp', ops.cpSync).sync;
define('fchmod', ops.fchmod);
define('fchown', ops.fchown);
define('fdatasync', ops.fdatasync);
define('fstat', ops.fstat);
define('fsync', ops.fsync);
define('ftruncate', ops.ftruncate);
define('futimes', ops.futimes);
define('glob', glob);
define('lchown', ops.lchown);
define('link', ops.link);
define('lstat', ops.lstat);
define('lutimes', ops.lutimes);
define('mkdir', ops.mkdir);
define('mkdtemp', ops.mkdtemp);
define('open', ops.open);
define('opendir', opendir);
define('read', ops.read, ['bytesRead', 'buffer']);
fs.readSync = forms('read', ops.readSync, ['bytesRead', 'buffer']).sync;
define('readdir', ops.readdir);
define('readFile', ops.readFile);
define('readlink', ops.readlink);
define('readv', ops.readv, ['bytesRead', 'buffers']);
define('realpath', ops.realpath);
define('rename', ops.rename);
define('rm', ops.rm);
define('rmdir', ops.rmdir);
define('stat', ops.stat);
define('statfs', ops.statfs);
define('symlink', ops.symlink);
define('truncate', ops.truncate);
define('unlink', ops.unlink);
define('utimes', ops.utimes);
define('write', ops.write, ['bytesWritten', 'buffer']);
define('writeFile', ops.writeFile);
define('writev', ops.writev, ['bytesWritten', 'buffers']);

// stat/lstat: throwIfNoEntry:false makes a missing path undefined (sync only).
for (const name of ['statSync', 'lstatSync']) {
  const base = fs[name];
  const make = name === 'statSync' ? ops.stat : ops.lstat;
  fs[name] = named(name, (path, options) => {
    if (!options || options.throwIfNoEntry !== false) return base(path, options);
    const call = make(path, options);
    const r = u.runQuiet(call);
    if (r === -2 || r === -20) return undefined; // ENOENT, ENOTDIR
    return typeof r === 'number' ? base(path, options) : call.map(r);
  });
}

// A descriptor given to truncate: Node's DEP0081, once for both forms.
let warnedTruncateFd = false;
for (const name of ['truncate', 'truncateSync']) {
  const base = fs[name];
  fs[name] = named(name, (path, ...rest) => {
    if (typeof path === 'number' && !warnedTruncateFd) {
      warnedTruncateFd = true;
      process.emitWarning('Using fs.truncate with a file descriptor is deprecated. ' +
        'Please use fs.ftruncate with a file descriptor instead.', 'DeprecationWarning', 'DEP0081');
    }
    return base(path, ...rest);
  });
}

// Node's synchronous opendir error names no path (the callback's does).
{
  const opendirSync = fs.opendirSync;
  fs.opendirSync = named('opendirSync', (path, options) => {
    try {
      return opendirSync(path, options);
    } catch (err) {
      if (err.syscall === 'opendir' && typeof err.errno === 'number') throw u.uvError(err.errno, 'opendir');
      throw err;
    }
  });
}

// close(fd[, cb]): the callback is optional.
fs.close = named('close', (fd, cb = () => {}) => {
  const gen = ops.close(fd); // the descriptor is checked first, as Node does
  u.validateFunction(cb, 'cb');
  u.runAsync(gen, (err) => cb(err));
});

fs.exists = named('exists', (path, cb) => {
  u.validateFunction(cb, 'cb');
  let gen;
  try {
    gen = ops.access(path, u.constants.F_OK);
  } catch {
    process.nextTick(cb, false);
    return;
  }
  u.runAsync(gen, (err) => cb(!err));
});
Object.defineProperty(fs.exists, Symbol.for('nodejs.util.promisify.custom'), {
  value: (path) => new Promise((resolve) => fs.exists(path, resolve)),
  enumerable: false,
});

fs.existsSync = named('existsSync', ops.exists);

{
  const native = forms('realpath', ops.realpathNative);
  fs.realpathSync.native = native.sync;
  fs.realpath.native = native.callback;
}

// Linux has no lchmod: Node exports the names with undefined values.
fs.lchmod = undefined;
fs.lchmodSync = undefined;

fs.createReadStream = streams.createReadStream;
fs.createWriteStream = streams.createWriteStream;

fs.openAsBlob = named('openAsBlob', (path, options = undefined) => {
  const p = u.getValidatedPath(path);
  const type = options && options.type !== undefined ? String(options.type) : '';
  return u.runPromise(ops.readFile(p)).then((data) => new Blob([data], { type }));
});

const watchers = require('./internal/fs/watchers');

fs.watch = watchers.watch;
fs.watchFile = watchers.watchFile;
fs.unwatchFile = watchers.unwatchFile;

fs.Dir = Dir;
fs.Dirent = u.Dirent;
fs.Stats = require('./util').deprecate(u.Stats, 'fs.Stats constructor is deprecated.', 'DEP0180');
fs.ReadStream = streams.ReadStream;
fs.WriteStream = streams.WriteStream;
fs.FileReadStream = streams.ReadStream;
fs.FileWriteStream = streams.WriteStream;
fs._toUnixTimestamp = u.toUnixTimestamp;

fs.F_OK = u.constants.F_OK;
fs.R_OK = u.constants.R_OK;
fs.W_OK = u.constants.W_OK;
fs.X_OK = u.constants.X_OK;
fs.constants = u.constants;

Object.defineProperty(fs, 'promises', {
  value: promises, enumerable: true, configurable: true, writable: false,
});
