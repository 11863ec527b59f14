// node/internal/child_process/normalize.js — the arguments of the
// child_process functions as Node 22 reads them: (file, args, options) of
// spawn and spawnSync, (command, options, callback) of exec,
// (file, args, options, callback) of execFile, the stdio option in its
// string, array, number and stream forms, timeouts, kill signals and
// maxBuffer; each refusal is the error Node throws for it (code, class and
// message). Pure functions over the arguments and process.env: nothing here
// starts a process.
'use strict';

const { codes } = require('../errors');
const {
  validateString, validateBoolean, validateObject, validateFunction,
} = require('../validators');
const { getValidatedPath } = require('../fs/utils');
const { signals } = require('../linux-constants');

const MAX_BUFFER = 1024 * 1024;

// Node's inspect, loaded at call time (util requires the errors module)
function inspect(value) {
  return require('../../util').inspect(value);
}

function validateArgumentNullCheck(arg, name) {
  if (typeof arg === 'string' && arg.includes('\u0000')) {
    throw codes.ERR_INVALID_ARG_VALUE(name, arg, 'must be a string without null bytes');
  }
}

function validateArgumentsNullCheck(args, name) {
  for (let i = 0; i < args.length; i++) validateArgumentNullCheck(args[i], `${name}[${i}]`);
}

function validateArray(value, name) {
  if (!Array.isArray(value)) throw codes.ERR_INVALID_ARG_TYPE(name, 'Array', value);
}

function isInt32(value) {
  return value === (value | 0);
}

function validateTimeout(timeout) {
  if (timeout != null && !(Number.isInteger(timeout) && timeout >= 0)) {
    throw codes.ERR_OUT_OF_RANGE('timeout', 'an unsigned integer', timeout);
  }
}

function validateMaxBuffer(maxBuffer) {
  if (maxBuffer != null && !(typeof maxBuffer === 'number' && maxBuffer >= 0)) {
    throw codes.ERR_OUT_OF_RANGE('options.maxBuffer', 'a positive number', maxBuffer);
  }
}

// number -> name, the first name of each number (SIGIOT and SIGPOLL are aliases)
const signalNames = [];
for (const name of Object.keys(signals)) {
  if (signalNames[signals[name]] === undefined) signalNames[signals[name]] = name;
}

function signalName(number) {
  return signalNames[number];
}

// A signal name (any case) or a known number -> its number
function convertToValidSignal(signal) {
  if (typeof signal === 'number' && signalNames[signal] !== undefined) return signal;
  if (typeof signal === 'string') {
    const upper = signal.toUpperCase();
    if (Object.prototype.hasOwnProperty.call(signals, upper)) return signals[upper];
  }
  throw codes.ERR_UNKNOWN_SIGNAL(signal);
}

function sanitizeKillSignal(killSignal) {
  if (typeof killSignal === 'string' || typeof killSignal === 'number') {
    return convertToValidSignal(killSignal);
  }
  if (killSignal != null) {
    throw codes.ERR_INVALID_ARG_TYPE('options.killSignal', ['string', 'number'], killSignal);
  }
  return undefined;
}

// The `env` a child gets: every enumerable key (inherited ones too, as
// Node) whose value is not undefined, as "K=V".
function envPairsOf(env) {
  const pairs = [];
  for (const key in env) {
    const value = env[key];
    if (value === undefined) continue;
    validateArgumentNullCheck(key, `options.env['${key}']`);
    validateArgumentNullCheck(value, `options.env['${key}']`);
    pairs.push(`${key}=${value}`);
  }
  return pairs;
}

// spawn's and spawnSync's (file, args, options) -> the options the child
// is made from: file, args (argv[0] first), envPairs, cwd...; with `shell`
// the command line becomes `/bin/sh -c "file args..."` (or the given shell).
function normalizeSpawnArguments(file, args, options) {
  validateString(file, 'file');
  validateArgumentNullCheck(file, 'file');
  if (file.length === 0) throw codes.ERR_INVALID_ARG_VALUE('file', file, 'cannot be empty');
  if (Array.isArray(args)) {
    args = args.slice();
  } else if (args == null) {
    args = [];
  } else if (typeof args !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('args', 'object', args);
  } else {
    options = args;
    args = [];
  }
  validateArgumentsNullCheck(args, 'args');
  if (options === undefined) options = {};
  else validateObject(options, 'options');
  options = { __proto__: null, ...options };
  if (options.cwd != null) options.cwd = getValidatedPath(options.cwd, 'options.cwd');
  if (options.detached != null) validateBoolean(options.detached, 'options.detached');
  if (options.uid != null && !isInt32(options.uid)) {
    throw codes.ERR_INVALID_ARG_TYPE('options.uid', 'int32', options.uid);
  }
  if (options.gid != null && !isInt32(options.gid)) {
    throw codes.ERR_INVALID_ARG_TYPE('options.gid', 'int32', options.gid);
  }
  if (options.shell != null && typeof options.shell !== 'boolean' && typeof options.shell !== 'string') {
    throw codes.ERR_INVALID_ARG_TYPE('options.shell', ['boolean', 'string'], options.shell);
  }
  if (options.argv0 != null) {
    validateString(options.argv0, 'options.argv0');
    validateArgumentNullCheck(options.argv0, 'options.argv0');
  }
  if (options.windowsHide != null) validateBoolean(options.windowsHide, 'options.windowsHide');
  const { windowsVerbatimArguments } = options;
  if (windowsVerbatimArguments != null) {
    validateBoolean(windowsVerbatimArguments, 'options.windowsVerbatimArguments');
  }
  if (options.shell) {
    validateArgumentNullCheck(options.shell, 'options.shell');
    const command = [file, ...args].join(' ');
    file = typeof options.shell === 'string' ? options.shell : '/bin/sh';
    args = ['-c', command];
  }
  if (typeof options.argv0 === 'string') args.unshift(options.argv0);
  else args.unshift(file);
  const envPairs = envPairsOf(options.env || process.env);
  return {
    __proto__: null,
    ...options,
    args,
    cwd: options.cwd,
    detached: !!options.detached,
    envPairs,
    file,
    windowsHide: !!options.windowsHide,
    windowsVerbatimArguments: !!windowsVerbatimArguments,
  };
}

function stdioStringToArray(stdio, channel) {
  const out = [];
  switch (stdio) {
    case 'ignore':
    case 'overlapped':
    case 'pipe':
      out.push(stdio, stdio, stdio);
      break;
    case 'inherit':
      out.push(0, 1, 2);
      break;
    default:
      throw codes.ERR_INVALID_ARG_VALUE('stdio', stdio);
  }
  if (channel) out.push(channel);
  return out;
}

// A net socket or a handle of one (net.js's TCP and Pipe wraps): passed to
// the child as that descriptor.
function wrapOf(stdio) {
  const { TCP } = require('../net-shared');
  if (TCP === undefined) return null;
  for (const h of [stdio, stdio.handle, stdio._handle]) {
    if (h instanceof TCP) return h;
  }
  return null;
}

// The stdio option -> one entry per child descriptor:
// {type: 'ignore'|'pipe'|'overlapped'|'inherit'|'fd'|'wrap', ...};
// ipc: the index of the 'ipc' entry, if any. `sync` refuses 'ipc' and
// takes Buffers and strings (input).
function getValidStdio(stdio, sync) {
  let ipc;
  if (typeof stdio === 'string') stdio = stdioStringToArray(stdio);
  else if (!Array.isArray(stdio)) throw codes.ERR_INVALID_ARG_VALUE('stdio', stdio);
  const given = stdio.slice();
  while (given.length < 3) given.push(undefined);
  const out = [];
  for (let i = 0; i < given.length; i++) {
    let s = given[i];
    if (s == null) s = i < 3 ? 'pipe' : 'ignore';
    if (s === 'ignore') {
      out.push({ type: 'ignore' });
    } else if (s === 'pipe' || s === 'overlapped' || (typeof s === 'number' && s < 0)) {
      out.push({ type: s === 'overlapped' ? 'overlapped' : 'pipe', readable: i === 0, writable: i !== 0 });
    } else if (s === 'ipc') {
      if (sync) throw codes.ERR_IPC_SYNC_FORK();
      if (ipc !== undefined) throw codes.ERR_IPC_ONE_PIPE();
      ipc = i;
      out.push({ type: 'pipe', ipc: true });
    } else if (s === 'inherit') {
      out.push({ type: 'inherit', fd: i });
    } else if (typeof s === 'number' || (s !== null && typeof s === 'object' && typeof s.fd === 'number')) {
      out.push({ type: 'fd', fd: typeof s === 'number' ? s : s.fd });
    } else if (typeof s === 'object' && wrapOf(s) !== null) {
      out.push({ type: 'wrap', handle: wrapOf(s), _stdio: s });
    } else if (ArrayBuffer.isView(s) || typeof s === 'string') {
      if (!sync) throw codes.ERR_INVALID_SYNC_FORK_INPUT(inspect(s));
      out.push({ type: 'pipe', readable: i === 0, writable: i !== 0, input: s });
    } else {
      throw codes.ERR_INVALID_ARG_VALUE('stdio', s);
    }
  }
  return { stdio: out, ipcFd: ipc };
}

// exec's and execSync's (command, options, callback): the command runs
// in a shell
function normalizeExecArgs(command, options, callback) {
  validateString(command, 'command');
  validateArgumentNullCheck(command, 'command');
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  options = { __proto__: null, ...options };
  options.shell = typeof options.shell === 'string' ? options.shell : true;
  return { file: command, options, callback };
}

// execFile's and execFileSync's (file[, args][, options][, callback])
function normalizeExecFileArgs(file, args, options, callback) {
  if (Array.isArray(args)) {
    args = args.slice();
  } else if (args != null && typeof args === 'object') {
    callback = options;
    options = args;
    args = null;
  } else if (typeof args === 'function') {
    callback = args;
    options = null;
    args = null;
  }
  if (args == null) args = [];
  if (typeof options === 'function') callback = options;
  else if (options != null) validateObject(options, 'options');
  if (options == null) options = {};
  if (callback != null) validateFunction(callback, 'callback');
  if (options.argv0 != null) {
    validateString(options.argv0, 'options.argv0');
    validateArgumentNullCheck(options.argv0, 'options.argv0');
  }
  return { file, args, options, callback };
}

module.exports = {
  MAX_BUFFER,
  validateArgumentNullCheck,
  validateArgumentsNullCheck,
  validateArray,
  validateTimeout,
  validateMaxBuffer,
  convertToValidSignal,
  sanitizeKillSignal,
  signalName,
  envPairsOf,
  normalizeSpawnArguments,
  stdioStringToArray,
  getValidStdio,
  normalizeExecArgs,
  normalizeExecFileArgs,
};
