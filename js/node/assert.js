// node/assert.js — Node's `assert` module.
//
// Own code for the assertion functions and their messages (the npm `assert`
// package is an older Node whose messages differ); deep equality is the npm
// package's comparison (internal/util/comparisons: isDeepEqual,
// isDeepStrictEqual) and AssertionError is internal/assertion-error.js.
// assert.ok / assert(value) without a message quote the failing call from
// the caller's source ("The expression evaluated to a falsy value:
// assert.ok(x)"), found through V8's CallSite API and read with
// binding.fs.readFileUtf8 at call time; when the source cannot be read the
// message is `<actual> == true`, as in Node. assert.strict is the strict
// variant and assert.strict.strict === assert.strict.
'use strict';

const comparisons = require('../node_modules/assert/build/internal/util/comparisons.js');
const binding = require('./internal/binding');
const { AssertionError } = require('./internal/assertion-error');
const { codes, makeNodeError } = require('./internal/errors');
const { validateInteger } = require('./internal/validators');

const { isDeepEqual, isDeepStrictEqual } = comparisons;
const NO_EXCEPTION = {};

function lazyUtil() {
  return require('./util');
}

function inspect(value, opts) {
  return lazyUtil().inspect(value, opts);
}

function isRegExp(value) {
  return lazyUtil().types.isRegExp(value);
}

function isError(value) {
  return lazyUtil().types.isNativeError(value) || value instanceof Error;
}

function innerFail(obj) {
  if (obj.message instanceof Error) throw obj.message;
  throw new AssertionError(obj);
}

// ---- ok(): the failing call's source ----------------------------------------------

const sourceMessages = new Map();

function callSite(fn) {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  const holder = {};
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_, frames) => frames;
    Error.captureStackTrace(holder, fn);
    return Array.isArray(holder.stack) ? holder.stack[0] : undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

function isIdentChar(c) {
  return c !== undefined && /[\w$\u0080-\uffff]/.test(c);
}

function isSpace(c) {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

// From `open` (a '('), the index of its matching ')', skipping strings,
// template literals, comments and regular-expression literals; -1 if none.
function matchParen(src, open) {
  let depth = 0;
  let prev = '(';
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === '\'' || c === '`') {
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') i++;
        i++;
      }
      prev = c;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      if (close === -1) return -1;
      i = close + 1;
      continue;
    }
    if (c === '/' && /[(,=:[!&|?{};]/.test(prev)) {
      i++;
      let inClass = false;
      while (i < src.length && (src[i] !== '/' || inClass) && src[i] !== '\n') {
        if (src[i] === '\\') i++;
        else if (src[i] === '[') inClass = true;
        else if (src[i] === ']') inClass = false;
        i++;
      }
      prev = 'a';
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return c === ')' ? i : -1;
    }
    if (!isSpace(c)) prev = c;
  }
  return -1;
}

// The call expression at (line, column) of `src`, as [startColumn, text].
function callAt(src, line, column) {
  let lineStart = 0;
  for (let l = 0; l < line; l++) {
    lineStart = src.indexOf('\n', lineStart) + 1;
    if (lineStart === 0) return undefined;
  }
  const at = lineStart + column;
  let start = at;
  while (start > lineStart && isIdentChar(src[start - 1])) start--;
  for (;;) {
    let t = start;
    while (t > lineStart && isSpace(src[t - 1])) t--;
    if (src[t - 1] !== '.') break;
    t--;
    while (t > lineStart && isSpace(src[t - 1])) t--;
    let u = t;
    while (u > lineStart && isIdentChar(src[u - 1])) u--;
    if (u === t) break;
    start = u;
  }
  let p = at;
  while (p < src.length && isIdentChar(src[p])) p++;
  while (p < src.length && isSpace(src[p])) p++;
  if (src[p] !== '(') return undefined;
  const end = matchParen(src, p);
  if (end === -1) return undefined;
  const text = src.slice(start, end + 1)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [start - lineStart, text];
}

function getErrMessage(fn) {
  let site;
  try {
    site = callSite(fn);
  } catch {
    return undefined;
  }
  if (site === undefined) return undefined;
  const filename = site.getFileName();
  if (!filename) return undefined;
  const line = site.getLineNumber() - 1;
  const column = site.getColumnNumber() - 1;
  const key = `${filename}\n${line}\n${column}`;
  if (sourceMessages.has(key)) return sourceMessages.get(key);
  let message;
  try {
    const fs = binding.fs;
    let path = filename;
    if (path.startsWith('file://')) path = require('./url').fileURLToPath(path);
    const src = fs && typeof fs.readFileUtf8 === 'function' ? fs.readFileUtf8(path) : undefined;
    const found = typeof src === 'string' ? callAt(src, line, column) : undefined;
    if (found !== undefined) {
      const [startColumn, text] = found;
      const [first, ...rest] = text.replace(/\r\n/g, '\n').split('\n');
      let code = first;
      for (const frame of rest) {
        let pos = 0;
        while (pos < startColumn && (frame[pos] === ' ' || frame[pos] === '\t')) pos++;
        code += `\n  ${frame.slice(pos)}`;
      }
      message = `The expression evaluated to a falsy value:\n\n  ${code}\n`;
    }
  } catch {
    message = undefined;
  }
  sourceMessages.set(key, message);
  return message;
}

function innerOk(fn, argLen, value, message) {
  if (!value) {
    let generatedMessage = false;
    if (argLen === 0) {
      generatedMessage = true;
      message = 'No value argument passed to `assert.ok()`';
    } else if (message == null) {
      generatedMessage = true;
      message = getErrMessage(fn);
    } else if (isError(message)) {
      throw message;
    }
    const err = new AssertionError({ actual: value, expected: true, message, operator: '==', stackStartFn: fn });
    err.generatedMessage = generatedMessage;
    throw err;
  }
}

function ok(...args) {
  innerOk(ok, args.length, ...args);
}

const assert = ok;
assert.ok = ok;

// ---- fail / comparisons -----------------------------------------------------------

let failWarned = false;

assert.fail = function fail(actual, expected, message, operator, stackStartFn) {
  const argsLen = arguments.length;
  let internalMessage = false;
  if (actual == null && argsLen <= 1) {
    internalMessage = true;
    message = 'Failed';
  } else if (argsLen === 1) {
    message = actual;
    actual = undefined;
  } else {
    if (!failWarned) {
      failWarned = true;
      process.emitWarning('assert.fail() with more than one argument is deprecated. ' +
        'Please use assert.strictEqual() instead or only pass a message.', 'DeprecationWarning', 'DEP0094');
    }
    if (argsLen === 2) operator = '!=';
  }
  if (message instanceof Error) throw message;
  const err = new AssertionError({
    actual, expected, operator: operator === undefined ? 'fail' : operator,
    stackStartFn: stackStartFn || fail, message,
  });
  if (internalMessage) err.generatedMessage = true;
  throw err;
};

assert.AssertionError = AssertionError;

function requireTwo(count) {
  if (count < 2) throw codes.ERR_MISSING_ARGS('actual', 'expected');
}

assert.equal = function equal(actual, expected, message) {
  requireTwo(arguments.length);
  // eslint-disable-next-line eqeqeq
  if (actual != expected && (!Number.isNaN(actual) || !Number.isNaN(expected))) {
    innerFail({ actual, expected, message, operator: '==', stackStartFn: equal });
  }
};

assert.notEqual = function notEqual(actual, expected, message) {
  requireTwo(arguments.length);
  // eslint-disable-next-line eqeqeq
  if (actual == expected || (Number.isNaN(actual) && Number.isNaN(expected))) {
    innerFail({ actual, expected, message, operator: '!=', stackStartFn: notEqual });
  }
};

assert.deepEqual = function deepEqual(actual, expected, message) {
  requireTwo(arguments.length);
  if (!isDeepEqual(actual, expected)) {
    innerFail({ actual, expected, message, operator: 'deepEqual', stackStartFn: deepEqual });
  }
};

assert.notDeepEqual = function notDeepEqual(actual, expected, message) {
  requireTwo(arguments.length);
  if (isDeepEqual(actual, expected)) {
    innerFail({ actual, expected, message, operator: 'notDeepEqual', stackStartFn: notDeepEqual });
  }
};

assert.deepStrictEqual = function deepStrictEqual(actual, expected, message) {
  requireTwo(arguments.length);
  if (!isDeepStrictEqual(actual, expected)) {
    innerFail({ actual, expected, message, operator: 'deepStrictEqual', stackStartFn: deepStrictEqual });
  }
};

assert.notDeepStrictEqual = function notDeepStrictEqual(actual, expected, message) {
  requireTwo(arguments.length);
  if (isDeepStrictEqual(actual, expected)) {
    innerFail({ actual, expected, message, operator: 'notDeepStrictEqual', stackStartFn: notDeepStrictEqual });
  }
};

assert.strictEqual = function strictEqual(actual, expected, message) {
  requireTwo(arguments.length);
  if (!Object.is(actual, expected)) {
    innerFail({ actual, expected, message, operator: 'strictEqual', stackStartFn: strictEqual });
  }
};

assert.notStrictEqual = function notStrictEqual(actual, expected, message) {
  requireTwo(arguments.length);
  if (Object.is(actual, expected)) {
    innerFail({ actual, expected, message, operator: 'notStrictEqual', stackStartFn: notStrictEqual });
  }
};

// ---- throws / rejects -------------------------------------------------------------

// Holds the compared keys of a thrown value or a validation object, so the
// diff shows only those.
class Comparison {
  constructor(obj, keys, actual) {
    for (const key of keys) {
      if (key in obj) {
        if (actual !== undefined && typeof actual[key] === 'string' && isRegExp(obj[key]) &&
            obj[key].exec(actual[key]) !== null) {
          this[key] = actual[key];
        } else {
          this[key] = obj[key];
        }
      }
    }
  }
}

function compareExceptionKey(actual, expected, key, message, keys, fn) {
  if (!(key in actual) || !isDeepStrictEqual(actual[key], expected[key])) {
    if (!message) {
      const err = new AssertionError({
        actual: new Comparison(actual, keys),
        expected: new Comparison(expected, keys, actual),
        operator: 'deepStrictEqual',
        stackStartFn: fn,
      });
      err.actual = actual;
      err.expected = expected;
      err.operator = fn.name;
      throw err;
    }
    innerFail({ actual, expected, message, operator: fn.name, stackStartFn: fn });
  }
}

function expectedException(actual, expected, message, fn) {
  let generatedMessage = false;
  let fail = false;
  if (typeof expected !== 'function') {
    if (isRegExp(expected)) {
      const str = String(actual);
      if (expected.exec(str) !== null) return;
      if (!message) {
        generatedMessage = true;
        message = 'The input did not match the regular expression ' +
          `${inspect(expected)}. Input:\n\n${inspect(str)}\n`;
      }
      fail = true;
    } else if (typeof actual !== 'object' || actual === null) {
      const err = new AssertionError({ actual, expected, message, operator: 'deepStrictEqual', stackStartFn: fn });
      err.operator = fn.name;
      throw err;
    } else {
      const keys = Object.keys(expected);
      if (expected instanceof Error) keys.push('name', 'message');
      else if (keys.length === 0) throw codes.ERR_INVALID_ARG_VALUE('error', expected, 'may not be an empty object');
      for (const key of keys) {
        if (typeof actual[key] === 'string' && isRegExp(expected[key]) && expected[key].exec(actual[key]) !== null) {
          continue;
        }
        compareExceptionKey(actual, expected, key, message, keys, fn);
      }
      return;
    }
  } else if (expected.prototype !== undefined && actual instanceof expected) {
    return;
  } else if (Object.prototype.isPrototypeOf.call(Error, expected)) {
    if (!message) {
      generatedMessage = true;
      message = `The error is expected to be an instance of "${expected.name}". Received `;
      if (isError(actual)) {
        const name = (actual.constructor && actual.constructor.name) || actual.name;
        if (expected.name === name) message += 'an error with identical name but a different prototype.';
        else message += `"${name}"`;
        if (actual.message) message += `\n\nError message:\n\n${actual.message}`;
      } else {
        message += `"${inspect(actual, { depth: -1 })}"`;
      }
    }
    fail = true;
  } else {
    const res = Reflect.apply(expected, {}, [actual]);
    if (res !== true) {
      if (!message) {
        generatedMessage = true;
        const name = expected.name ? `"${expected.name}" ` : '';
        message = `The ${name}validation function is expected to return "true". Received ${inspect(res)}`;
        if (isError(actual)) message += `\n\nCaught error:\n\n${actual}`;
      }
      fail = true;
    }
  }
  if (fail) {
    const err = new AssertionError({ actual, expected, message, operator: fn.name, stackStartFn: fn });
    err.generatedMessage = generatedMessage;
    throw err;
  }
}

function getActual(fn) {
  if (typeof fn !== 'function') throw codes.ERR_INVALID_ARG_TYPE('fn', 'Function', fn);
  try {
    fn();
  } catch (err) {
    return err;
  }
  return NO_EXCEPTION;
}

function isPromiseLike(obj) {
  return lazyUtil().types.isPromise(obj) ||
    (obj !== null && typeof obj === 'object' && typeof obj.then === 'function' &&
     typeof obj.catch === 'function');
}

async function waitForActual(promiseFn) {
  let result;
  if (typeof promiseFn === 'function') {
    result = promiseFn();
    if (!isPromiseLike(result)) {
      throw codes.ERR_INVALID_RETURN_VALUE('instance of Promise', 'promiseFn', result);
    }
  } else if (isPromiseLike(promiseFn)) {
    result = promiseFn;
  } else {
    throw codes.ERR_INVALID_ARG_TYPE('promiseFn', ['Function', 'Promise'], promiseFn);
  }
  try {
    await result;
  } catch (err) {
    return err;
  }
  return NO_EXCEPTION;
}

function expectsError(fn, actual, error, message) {
  if (typeof error === 'string') {
    if (arguments.length === 4) {
      throw codes.ERR_INVALID_ARG_TYPE('error', ['Object', 'Error', 'Function', 'RegExp'], error);
    }
    if (typeof actual === 'object' && actual !== null) {
      if (actual.message === error) {
        throw codes.ERR_AMBIGUOUS_ARGUMENT('error/message',
          `The error message "${actual.message}" is identical to the message.`);
      }
    } else if (actual === error) {
      throw codes.ERR_AMBIGUOUS_ARGUMENT('error/message', `The error "${actual}" is identical to the message.`);
    }
    message = error;
    error = undefined;
  } else if (error != null && typeof error !== 'object' && typeof error !== 'function') {
    throw codes.ERR_INVALID_ARG_TYPE('error', ['Object', 'Error', 'Function', 'RegExp'], error);
  }
  if (actual === NO_EXCEPTION) {
    let details = '';
    if (error && error.name) details += ` (${error.name})`;
    details += message ? `: ${message}` : '.';
    const kind = fn === assert.rejects ? 'rejection' : 'exception';
    innerFail({ actual: undefined, expected: error, operator: fn.name, message: `Missing expected ${kind}${details}`, stackStartFn: fn });
  }
  if (!error) return;
  expectedException(actual, error, message, fn);
}

function hasMatchingError(actual, expected) {
  if (typeof expected !== 'function') {
    if (isRegExp(expected)) return expected.exec(String(actual)) !== null;
    throw codes.ERR_INVALID_ARG_TYPE('expected', ['Function', 'RegExp'], expected);
  }
  if (expected.prototype !== undefined && actual instanceof expected) return true;
  if (Object.prototype.isPrototypeOf.call(Error, expected)) return false;
  return Reflect.apply(expected, {}, [actual]) === true;
}

function expectsNoError(fn, actual, error, message) {
  if (actual === NO_EXCEPTION) return;
  if (typeof error === 'string') {
    message = error;
    error = undefined;
  }
  if (!error || hasMatchingError(actual, error)) {
    const details = message ? `: ${message}` : '.';
    const kind = fn === assert.doesNotReject ? 'rejection' : 'exception';
    innerFail({
      actual, expected: error, operator: fn.name,
      message: `Got unwanted ${kind}${details}\nActual message: "${actual && actual.message}"`,
      stackStartFn: fn,
    });
  }
  throw actual;
}

assert.throws = function throws(promiseFn, ...args) {
  expectsError(throws, getActual(promiseFn), ...args);
};

assert.rejects = async function rejects(promiseFn, ...args) {
  expectsError(rejects, await waitForActual(promiseFn), ...args);
};

assert.doesNotThrow = function doesNotThrow(fn, ...args) {
  expectsNoError(doesNotThrow, getActual(fn), ...args);
};

assert.doesNotReject = async function doesNotReject(fn, ...args) {
  expectsNoError(doesNotReject, await waitForActual(fn), ...args);
};

assert.ifError = function ifError(err) {
  if (err === null || err === undefined) return;
  let message = 'ifError got unwanted exception: ';
  if (typeof err === 'object' && typeof err.message === 'string') {
    message += err.message.length === 0 && err.constructor ? err.constructor.name : err.message;
  } else {
    message += inspect(err);
  }
  const newErr = new AssertionError({ actual: err, expected: null, operator: 'ifError', message, stackStartFn: ifError });
  const origStack = err.stack;
  if (typeof origStack === 'string') {
    const at = origStack.indexOf('\n    at');
    if (at !== -1) {
      const originalFrames = origStack.slice(at + 1).split('\n');
      let newFrames = newErr.stack.split('\n');
      for (const frame of originalFrames) {
        const pos = newFrames.indexOf(frame);
        if (pos !== -1) {
          newFrames = newFrames.slice(0, pos);
          break;
        }
      }
      newErr.stack = `${newFrames.join('\n')}\n${originalFrames.join('\n')}`;
    }
  }
  throw newErr;
};

function internalMatch(string, regexp, message, fn) {
  if (!isRegExp(regexp)) throw codes.ERR_INVALID_ARG_TYPE('regexp', 'RegExp', regexp);
  const match = fn === assert.match;
  if (typeof string !== 'string' || (regexp.exec(string) !== null) !== match) {
    if (message instanceof Error) throw message;
    const generatedMessage = !message;
    message = message || (typeof string !== 'string'
      ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`
      : `${match ? 'The input did not match the regular expression '
        : 'The input was expected to not match the regular expression '}${inspect(regexp)}. Input:\n\n${inspect(string)}\n`);
    const err = new AssertionError({ actual: string, expected: regexp, message, operator: fn.name, stackStartFn: fn });
    err.generatedMessage = generatedMessage;
    throw err;
  }
}

assert.match = function match(string, regexp, message) {
  internalMatch(string, regexp, message, match);
};

assert.doesNotMatch = function doesNotMatch(string, regexp, message) {
  internalMatch(string, regexp, message, doesNotMatch);
};

// ---- CallTracker (deprecated in Node 22) ------------------------------------------

class CallTracker {
  #calls = new Set();

  calls(fn = () => {}, exact = 1) {
    if (process._exiting) {
      throw makeNodeError(Error, 'ERR_UNAVAILABLE_DURING_EXIT', 'Cannot call function in process exit handler');
    }
    if (typeof fn === 'number') {
      exact = fn;
      fn = () => {};
    }
    validateInteger(exact, 'expected', 1, 4294967295);
    if (typeof fn !== 'function') throw codes.ERR_INVALID_ARG_TYPE('fn', 'Function', fn);
    const record = { exact, actual: 0, name: fn.name || 'calls', calls: [], stack: new Error() };
    // a proxy, as Node's: the function's own properties show through
    const tracked = new Proxy(fn, {
      __proto__: null,
      apply(target, thisArg, args) {
        record.actual++;
        record.calls.push({ thisArg, arguments: args });
        return Reflect.apply(target, thisArg, args);
      },
    });
    record.tracked = tracked;
    this.#calls.add(record);
    return tracked;
  }

  getCalls(fn) {
    for (const r of this.#calls) if (r.tracked === fn) return r.calls.slice();
    throw codes.ERR_INVALID_ARG_VALUE('fn', fn, 'is not a tracked function');
  }

  reset(fn) {
    for (const r of this.#calls) {
      if (fn === undefined || r.tracked === fn) {
        r.actual = 0;
        r.calls = [];
      }
    }
  }

  report() {
    const out = [];
    for (const r of this.#calls) {
      if (r.actual !== r.exact) {
        out.push({
          message: `Expected the ${r.name} function to be executed ${r.exact} time(s) but was executed ${r.actual} time(s).`,
          actual: r.actual,
          expected: r.exact,
          operator: r.name,
          stack: r.stack,
        });
      }
    }
    return out;
  }

  verify() {
    const errors = this.report();
    if (errors.length === 0) return;
    const message = errors.length === 1 ? errors[0].message : 'Functions were not called the expected number of times';
    throw new AssertionError({ message, details: errors });
  }
}

assert.CallTracker = lazyUtil().deprecate(CallTracker, 'assert.CallTracker is deprecated.', 'DEP0173');

// ---- strict -------------------------------------------------------------------------

function strict(...args) {
  innerOk(strict, args.length, ...args);
}

assert.strict = Object.assign(strict, assert, {
  equal: assert.strictEqual,
  deepEqual: assert.deepStrictEqual,
  notEqual: assert.notStrictEqual,
  notDeepEqual: assert.notDeepStrictEqual,
});
assert.strict.strict = assert.strict;

module.exports = assert;
