'use strict';
// require('timers/promises'): setTimeout / setImmediate / setInterval as
// promises and an async iterator, with AbortSignal and the `ref` option,
// and scheduler.wait / scheduler.yield.

const t = require('../bootstrap/timers');

function typeError(code, message) {
  const err = new TypeError(message);
  err.code = code;
  return err;
}

function abortError(signal) {
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  err.code = 'ABORT_ERR';
  if (signal && signal.reason !== undefined) err.cause = signal.reason;
  return err;
}

function checkOptions(options) {
  if (options === undefined) return { signal: undefined, ref: true };
  if (options === null || typeof options !== 'object') {
    throw typeError('ERR_INVALID_ARG_TYPE',
      `The "options" argument must be of type object. Received ${options === null ? 'null' : `type ${typeof options} (${String(options)})`}`);
  }
  const { signal, ref = true } = options;
  if (signal !== undefined &&
      (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
    throw typeError('ERR_INVALID_ARG_TYPE',
      'The "options.signal" property must be an instance of AbortSignal.');
  }
  if (typeof ref !== 'boolean') {
    throw typeError('ERR_INVALID_ARG_TYPE',
      `The "options.ref" property must be of type boolean. Received type ${typeof ref} (${String(ref)})`);
  }
  return { signal, ref };
}

function later(schedule, clear, value, options) {
  let opts;
  try {
    opts = checkOptions(options);
  } catch (err) {
    return Promise.reject(err);
  }
  const { signal, ref } = opts;
  if (signal && signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    let onAbort;
    const handle = schedule(() => {
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
    if (!ref && handle.unref) handle.unref();
    if (signal) {
      onAbort = () => {
        clear(handle);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}

function setTimeout(after, value, options) {
  return later((cb) => t.setTimeout(cb, after), t.clearTimeout, value, options);
}

function setImmediate(value, options) {
  return later((cb) => t.setImmediate(cb), t.clearImmediate, value, options);
}

async function* setInterval(after, value, options) {
  const { signal, ref } = checkOptions(options);
  if (signal && signal.aborted) throw abortError(signal);
  let pending = 0;
  let wake = null;
  const interval = t.setInterval(() => {
    pending++;
    if (wake) {
      wake();
      wake = null;
    }
  }, after);
  if (!ref) interval.unref();
  let onAbort;
  const aborted = signal ? new Promise((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  }) : null;
  try {
    for (;;) {
      if (pending === 0) {
        const tickP = new Promise((resolve) => { wake = resolve; });
        await (aborted ? Promise.race([tickP, aborted]) : tickP);
      }
      if (signal && signal.aborted) throw abortError(signal);
      for (; pending > 0; pending--) yield value;
    }
  } finally {
    t.clearInterval(interval);
    if (signal) signal.removeEventListener('abort', onAbort);
  }
}

// Node's Scheduler: the one instance is made here; `new` from outside
// (scheduler.constructor) is an illegal constructor.
const kScheduler = Symbol('kScheduler');
class Scheduler {
  constructor(token) {
    if (token !== kScheduler) throw require('./internal/errors').codes.ERR_ILLEGAL_CONSTRUCTOR();
  }

  wait(delay, options) {
    return setTimeout(delay, undefined, options);
  }

  yield() {
    return setImmediate();
  }
}
const scheduler = new Scheduler(kScheduler);

module.exports = { setTimeout, setImmediate, setInterval, scheduler };
