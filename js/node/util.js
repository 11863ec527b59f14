// node/util.js — Node's `util` module.
//
// inspect / format / formatWithOptions / stripVTControlCharacters are
// node-inspect-extracted (Node's own inspect code), patched at build time
// (internal/patch-inspect.js) so its V8 introspection reaches binding.util.
// util.types uses binding.util's V8 type checks where the bridge has them,
// exact JS checks for the typed-array family, and (without the bridge
// only) the npm `util` package's checks or small JS stand-ins. isDeepStrictEqual is the npm `assert` package's
// comparison. The rest is own code written to Node 22's documented
// behaviour. Invariants: the binding, process.env and process.stderr are
// read at call time (module load happens at snapshot time); nothing here
// holds a native function.
'use strict';

const inspectLib = require('node-inspect-extracted');
const binding = require('./internal/binding');
const { runtimeEnv } = require('./internal/env');
const { codes, restack } = require('./internal/errors');
const {
  validateFunction, validateString, validateBoolean, validateNumber, validateAbortSignal,
  validateObject, validateOneOf,
} = require('./internal/validators');
const { errnoMap, errnoName, errnoMessage } = require('./internal/errno');
const { MIMEType, MIMEParams } = require('./internal/mime');
const { parseArgs } = require('./internal/parse-args');
const globals = require('./internal/globals');
const { kCustomPromisifyArgs, kKeyObject, kCryptoKey, shouldColorize } = require('./internal/util');

const { inspect, format, formatWithOptions, stripVTControlCharacters } = inspectLib;

// ---- util.types -----------------------------------------------------------

// JS stand-ins for checks the npm package lacks (used only without natives).
function throwsNot(fn) {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}
const regexpSource = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source').get;
const jsChecks = {
  isDate: (v) => v !== null && typeof v === 'object' && throwsNot(() => Date.prototype.getTime.call(v)),
  isRegExp: (v) => v !== null && typeof v === 'object' && v !== RegExp.prototype &&
    throwsNot(() => regexpSource.call(v)),
  isNativeError: (v) => v instanceof Error || Object.prototype.toString.call(v) === '[object Error]',
  isPromise: (v) => v instanceof Promise,
  isProxy: () => false,
  isExternal: () => false,
  isModuleNamespaceObject: (v) => v !== null && typeof v === 'object' &&
    Object.getPrototypeOf(v) === null && v[Symbol.toStringTag] === 'Module',
};

let npmTypes;
function npmTypeCheck(name) {
  if (jsChecks[name] !== undefined) return jsChecks[name];
  if (npmTypes === undefined) npmTypes = require('../node_modules/util/support/types.js');
  const fn = npmTypes[name];
  return typeof fn === 'function' ? fn : () => false;
}

function nativeCheck(name) {
  const check = function (value) {
    const util = binding.util;
    const fn = util != null ? util[name] : undefined;
    if (typeof fn === 'function') return fn(value);
    return npmTypeCheck(name)(value);
  };
  Object.defineProperty(check, 'name', { value: name });
  return check;
}

// %TypedArray%.prototype[@@toStringTag] returns the element type's name for
// a typed array and undefined for anything else: an exact, native-free check.
const typedArrayTag = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;

function typedCheck(name, tag) {
  const check = function (value) {
    return typedArrayTag.call(value) === tag;
  };
  Object.defineProperty(check, 'name', { value: name });
  return check;
}

const types = {};
for (const name of ['isExternal', 'isDate', 'isArgumentsObject', 'isBigIntObject',
  'isBooleanObject', 'isNumberObject', 'isStringObject', 'isSymbolObject', 'isNativeError',
  'isRegExp', 'isAsyncFunction', 'isGeneratorFunction', 'isGeneratorObject', 'isPromise',
  'isMap', 'isSet', 'isMapIterator', 'isSetIterator', 'isWeakMap', 'isWeakSet',
  'isArrayBuffer', 'isDataView', 'isSharedArrayBuffer', 'isProxy',
  'isModuleNamespaceObject', 'isAnyArrayBuffer', 'isBoxedPrimitive']) {
  types[name] = nativeCheck(name);
}
types.isArrayBufferView = function isArrayBufferView(value) {
  return ArrayBuffer.isView(value);
};
types.isTypedArray = function isTypedArray(value) {
  return typedArrayTag.call(value) !== undefined;
};
for (const tag of ['Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array',
  'Int8Array', 'Int16Array', 'Int32Array', 'Float32Array', 'Float64Array',
  'BigInt64Array', 'BigUint64Array']) {
  types[`is${tag}`] = typedCheck(`is${tag}`, tag);
}
// The crypto module brands its KeyObject / CryptoKey instances with the
// symbols of internal/util.js.
types.isKeyObject = function isKeyObject(obj) {
  return obj != null && obj[kKeyObject] === true;
};
types.isCryptoKey = function isCryptoKey(obj) {
  return obj != null && obj[kCryptoKey] === true;
};

// ---- promisify / callbackify ------------------------------------------------

const kCustomPromisified = Symbol.for('nodejs.util.promisify.custom');

function promisify(original) {
  validateFunction(original, 'original');
  if (original[kCustomPromisified]) {
    const fn = original[kCustomPromisified];
    validateFunction(fn, 'util.promisify.custom');
    return Object.defineProperty(fn, kCustomPromisified, {
      value: fn, enumerable: false, writable: false, configurable: true,
    });
  }
  const argumentNames = original[kCustomPromisifyArgs];
  function fn(...args) {
    return new Promise((resolve, reject) => {
      args.push((err, ...values) => {
        if (err) return reject(err);
        if (argumentNames !== undefined && values.length > 1) {
          const obj = {};
          for (let i = 0; i < argumentNames.length; i++) obj[argumentNames[i]] = values[i];
          resolve(obj);
        } else {
          resolve(values[0]);
        }
      });
      Reflect.apply(original, this, args);
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, kCustomPromisified, {
    value: fn, enumerable: false, writable: false, configurable: true,
  });
  const descriptors = Object.getOwnPropertyDescriptors(original);
  for (const key of Reflect.ownKeys(descriptors)) Object.setPrototypeOf(descriptors[key], null);
  return Object.defineProperties(fn, descriptors);
}
promisify.custom = kCustomPromisified;

function callbackifyOnRejected(reason, cb) {
  if (!reason) {
    reason = restack(codes.ERR_FALSY_VALUE_REJECTION(reason), callbackifyOnRejected);
  }
  return cb(reason);
}

function callbackify(original) {
  validateFunction(original, 'original');
  function callbackified(...args) {
    const maybeCb = args.pop();
    validateFunction(maybeCb, 'last argument');
    const cb = maybeCb.bind(this);
    Reflect.apply(original, this, args).then(
      (ret) => process.nextTick(cb, null, ret),
      (rej) => process.nextTick(callbackifyOnRejected, rej, cb));
  }
  const descriptors = Object.getOwnPropertyDescriptors(original);
  if (typeof descriptors.length.value === 'number') descriptors.length.value++;
  if (typeof descriptors.name.value === 'string') descriptors.name.value += 'Callbackified';
  for (const key of Reflect.ownKeys(descriptors)) Object.setPrototypeOf(descriptors[key], null);
  Object.defineProperties(callbackified, descriptors);
  return callbackified;
}

// ---- inherits / deprecate / debuglog ---------------------------------------

function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw codes.ERR_INVALID_ARG_TYPE('ctor', 'Function', ctor);
  if (superCtor === undefined || superCtor === null) {
    throw codes.ERR_INVALID_ARG_TYPE('superCtor', 'Function', superCtor);
  }
  if (superCtor.prototype === undefined) {
    throw codes.ERR_INVALID_ARG_TYPE('superCtor.prototype', 'Object', superCtor.prototype);
  }
  Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

const codesWarned = new Set();

function deprecate(fn, msg, code) {
  validateFunction(fn, 'fn');
  if (code !== undefined) validateString(code, 'code');
  let warned = false;
  function deprecated(...args) {
    if (!warned && !(typeof process !== 'undefined' && process.noDeprecation === true)) {
      warned = true;
      if (code !== undefined) {
        if (!codesWarned.has(code)) {
          process.emitWarning(msg, 'DeprecationWarning', code, deprecated);
          codesWarned.add(code);
        }
      } else {
        process.emitWarning(msg, 'DeprecationWarning', deprecated);
      }
    }
    if (new.target) return Reflect.construct(fn, args, new.target);
    return Reflect.apply(fn, this, args);
  }
  Object.setPrototypeOf(deprecated, fn);
  if (fn.prototype) deprecated.prototype = fn.prototype;
  return deprecated;
}

function debugEnabled(set) {
  const env = runtimeEnv().NODE_DEBUG;
  if (!env) return false;
  const pattern = env.replace(/[|\\{}()[\]^$+?.]/g, '\\$&').replace(/\*/g, '.*').replace(/,/g, '$|^');
  return new RegExp(`^${pattern}$`, 'i').test(set);
}

function debuglog(set, cb) {
  set = String(set).toUpperCase();
  let impl;
  function init() {
    if (debugEnabled(set)) {
      impl = function debug(...args) {
        const colors = shouldColorize(process.stderr);
        const msg = formatWithOptions({ colors }, ...args);
        const pid = inspect(process.pid, { colors });
        process.stderr.write(format('%s %s: %s\n', set, pid, msg));
      };
    } else {
      impl = function debug() {};
    }
    if (typeof cb === 'function') cb(impl);
  }
  function logger(...args) {
    if (impl === undefined) init();
    return Reflect.apply(impl, this, args);
  }
  Object.defineProperty(logger, 'enabled', {
    get() {
      if (impl === undefined) init();
      return debugEnabled(set);
    },
    configurable: true,
    enumerable: true,
  });
  return logger;
}

// ---- small helpers ----------------------------------------------------------

let comparisons;
function isDeepStrictEqual(a, b) {
  if (comparisons === undefined) {
    comparisons = require('../node_modules/assert/build/internal/util/comparisons.js');
  }
  return comparisons.isDeepStrictEqual(a, b);
}

function toUSVString(input) {
  return String(input).replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function validateErrno(err) {
  validateNumber(err, 'err');
  if (err >= 0 || !Number.isSafeInteger(err)) {
    throw codes.ERR_OUT_OF_RANGE('err', 'a negative integer', err);
  }
}

function getSystemErrorName(err) {
  validateErrno(err);
  const name = errnoName(err);
  return name === undefined ? `Unknown system error ${err}` : name;
}

function getSystemErrorMessage(err) {
  validateErrno(err);
  const message = errnoMessage(err);
  return message === undefined ? `Unknown system error ${err}` : message;
}

// util.getCallSites([frameCount][, options]): the caller's stack as plain
// objects, from V8's stack frames (binding.util.callSites), whatever
// Error.stackTraceLimit says. skip: frames of ours above the caller.
function callSitesOf(skip, frameCount, options) {
  if (options === undefined) {
    if (typeof frameCount === 'object') {
      options = frameCount;
      frameCount = 10;
    } else {
      options = { sourceMap: false };
    }
  }
  validateObject(options, 'options');
  validateBoolean(options.sourceMap, 'options.sourceMap');
  validateNumber(frameCount, 'frameCount', 1, 200);
  const rows = binding.util.callSites(skip, Math.trunc(frameCount));
  return rows.map(([functionName, scriptId, scriptName, lineNumber, column]) => ({
    __proto__: null, functionName, scriptId, scriptName, lineNumber, columnNumber: column, column,
  }));
}

function getCallSites(frameCount = 10, options = undefined) {
  return callSitesOf(2, frameCount, options);
}

let callSiteWarned = false;
function getCallSite(frameCount = 10, options = undefined) {
  if (!callSiteWarned) {
    callSiteWarned = true;
    process.emitWarning('The `util.getCallSite` API has been renamed to `util.getCallSites()`.',
      'ExperimentalWarning');
  }
  return callSitesOf(2, frameCount, options);
}

function getSystemErrorMap() {
  return errnoMap();
}

// Node's duck-typed stream checks (internal/streams/utils): a Node stream
// has a stream state or write/pipe with on(); a web stream its reader,
// writer and cancel/abort methods.
function isNodeStream(obj) {
  return obj != null && typeof obj === 'object' && !!(obj._readableState || obj._writableState ||
    (typeof obj.on === 'function' && (typeof obj.write === 'function' || typeof obj.pipe === 'function')));
}

function isWebStream(obj) {
  return obj != null && typeof obj === 'object' &&
    ((typeof obj.pipeThrough === 'function' && typeof obj.getReader === 'function' &&
      typeof obj.cancel === 'function') ||
     (typeof obj.getWriter === 'function' && typeof obj.abort === 'function'));
}

function escapeStyleCode(code) {
  return `\u001b[${code}m`;
}

function styleText(format, text, { validateStream = true, stream = process.stdout } = {}) {
  validateString(text, 'text');
  validateBoolean(validateStream, 'options.validateStream');
  let skipColorize = false;
  if (validateStream) {
    if (!isNodeStream(stream) && !isWebStream(stream)) {
      throw codes.ERR_INVALID_ARG_TYPE('stream', ['ReadableStream', 'WritableStream', 'Stream'], stream);
    }
    skipColorize = !shouldColorize(stream);
  }
  const formats = Array.isArray(format) ? format : [format];
  let left = '';
  let right = '';
  for (const key of formats) {
    const codesFor = inspect.colors[key];
    if (codesFor == null) validateOneOf(key, 'format', Object.keys(inspect.colors));
    left += escapeStyleCode(codesFor[0]);
    right = `${escapeStyleCode(codesFor[1])}${right}`;
  }
  return skipColorize ? text : `${left}${text}${right}`;
}

function aborted(signal, resource) {
  if (signal === undefined) {
    return Promise.reject(codes.ERR_INVALID_ARG_TYPE('signal', 'AbortSignal', signal));
  }
  try {
    validateAbortSignal(signal, 'signal');
    validateObject(resource, 'resource', { nullable: false, allowArray: true, allowFunction: true });
  } catch (err) {
    return Promise.reject(err);
  }
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function transferableAbortSignal(signal) {
  if (signal === null || typeof signal !== 'object' || !('aborted' in signal)) {
    throw codes.ERR_INVALID_ARG_TYPE('signal', 'AbortSignal', signal);
  }
  return signal;
}

function transferableAbortController() {
  return new globals.AbortController();
}

// dotenv syntax as Node's util.parseEnv / process.loadEnvFile read it. The
// text is consumed front to back: blank lines and '#' lines are skipped;
// the key is everything up to the next '=' (so a line without '=' runs into
// the next key, as in Node); a value in double quotes may span lines and
// turns "\\n" into a newline; a value in ' or ` quotes may span lines; a
// quote that is never closed makes the rest of the line the value; an
// unquoted value ends at the line end or at '#'. Node keeps the pairs in a
// sorted map, so the result's keys are sorted.
function trimSpaces(str) {
  return str.replace(/^[ \t]+|[ \t]+$/g, '');
}

function parseEnv(content) {
  validateString(content, 'content');
  const entries = new Map();
  let rest = content.replace(/\r\n/g, '\n');
  while (rest.length > 0) {
    rest = rest.replace(/^[ \t]+/, '');
    if (rest.length === 0) break;
    if (rest[0] === '\n' || rest[0] === '#') {
      const nl = rest.indexOf('\n');
      if (nl !== -1) {
        rest = rest.slice(nl + 1);
        continue;
      }
    }
    const eq = rest.indexOf('=');
    if (eq === -1) break;
    let key = trimSpaces(rest.slice(0, eq));
    rest = rest.slice(eq + 1).replace(/^[ \t]+/, '');
    if (key.startsWith('export ')) key = key.slice(7);
    if (rest.length === 0) {
      if (key !== '') entries.set(key, '');
      break;
    }
    const first = rest[0];
    if (first === '"' || first === '\'' || first === '`') {
      const close = rest.indexOf(first, 1);
      if (close !== -1) {
        let value = rest.slice(1, close);
        if (first === '"') value = value.replace(/\\n/g, '\n');
        if (key !== '') entries.set(key, value);
        const nl = rest.indexOf('\n', close + 1);
        rest = nl === -1 ? '' : rest.slice(first === '"' ? nl + 1 : nl);
        continue;
      }
      const nl = rest.indexOf('\n');
      if (nl === -1) break;
      if (key !== '') entries.set(key, rest.slice(0, nl));
      rest = rest.slice(nl);
      continue;
    }
    const nl = rest.indexOf('\n');
    let value = nl === -1 ? rest : rest.slice(0, nl);
    if (nl !== -1) {
      const hash = value.indexOf('#');
      if (hash !== -1) value = value.slice(0, hash);
      rest = rest.slice(nl);
    } else {
      rest = '';
    }
    if (key !== '') entries.set(key, trimSpaces(value));
  }
  const out = {};
  for (const key of [...entries.keys()].sort()) out[key] = entries.get(key);
  return out;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function pad(n) {
  return n.toString().padStart(2, '0');
}
function log(...args) {
  const d = new Date();
  const time = [pad(d.getHours()), pad(d.getMinutes()), pad(d.getSeconds())].join(':');
  console.log('%s - %s', `${d.getDate()} ${months[d.getMonth()]} ${time}`, format(...args));
}

function _extend(target, source) {
  if (source === null || typeof source !== 'object') return target;
  const keys = Object.keys(source);
  let i = keys.length;
  while (i--) target[keys[i]] = source[keys[i]];
  return target;
}

function errnoException(err, syscall, original) {
  const name = errnoName(err) || `Unknown system error ${err}`;
  const message = original ? `${syscall} ${name} ${original}` : `${syscall} ${name}`;
  const ex = new Error(message);
  ex.errno = err;
  ex.code = name;
  ex.syscall = syscall;
  return ex;
}

function exceptionWithHostPort(err, syscall, address, port, additional) {
  const name = errnoName(err) || `Unknown system error ${err}`;
  let details = '';
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  if (additional) details += ` - Local (${additional})`;
  const ex = new Error(`${syscall} ${name}${details}`);
  ex.errno = err;
  ex.code = name;
  ex.syscall = syscall;
  ex.address = address;
  if (port) ex.port = port;
  return ex;
}

function isBuffer(value) {
  const { Buffer } = require('./buffer');
  return Buffer.isBuffer(value);
}

function isError(e) {
  return types.isNativeError(e) || Object.prototype.toString.call(e) === '[object Error]' ||
    e instanceof Error;
}

module.exports = {
  _errnoException: errnoException,
  _exceptionWithHostPort: exceptionWithHostPort,
  _extend,
  callbackify,
  debug: debuglog,
  debuglog,
  deprecate,
  format,
  styleText,
  formatWithOptions,
  getCallSite,
  getCallSites,
  getSystemErrorMap,
  getSystemErrorName,
  getSystemErrorMessage,
  inherits,
  inspect,
  isArray: Array.isArray,
  isBoolean: (arg) => typeof arg === 'boolean',
  isBuffer,
  isDeepStrictEqual,
  isNull: (arg) => arg === null,
  isNullOrUndefined: (arg) => arg === null || arg === undefined,
  isNumber: (arg) => typeof arg === 'number',
  isString: (arg) => typeof arg === 'string',
  isSymbol: (arg) => typeof arg === 'symbol',
  isUndefined: (arg) => arg === undefined,
  isRegExp: types.isRegExp,
  isObject: (arg) => arg !== null && typeof arg === 'object',
  isDate: types.isDate,
  isError,
  isFunction: (arg) => typeof arg === 'function',
  isPrimitive: (arg) => arg === null || (typeof arg !== 'object' && typeof arg !== 'function'),
  log,
  promisify,
  stripVTControlCharacters,
  toUSVString,
  transferableAbortSignal,
  transferableAbortController,
  aborted,
  types,
  parseEnv,
  parseArgs,
  TextDecoder: globals.TextDecoder,
  TextEncoder: globals.TextEncoder,
  MIMEType,
  MIMEParams,
};

