'use strict';
// The nextTick queue, microtask draining and unhandled-rejection tracking.
//
// Node's contract, reproduced: after the main module and after every
// callback from the loop, C calls processTicksAndRejections(), which runs
// every queued nextTick callback, then one microtask checkpoint, and repeats
// until both are empty and no rejection is left to report. A nextTick
// scheduled from a promise reaction therefore runs after the whole
// checkpoint, and promise reactions queued by nextTick callbacks run after
// the whole tick queue.
//
// Rejections: V8 tells us (through C) when a promise is rejected with no
// handler and when a handler is added later. After each drain the ones still
// unhandled are reported in Node's default 'throw' mode: 'unhandledRejection'
// listeners, else an uncaught exception (exit 1).

const binding = require('../node/internal/binding');
const actx = require('../node/internal/async-context');

const queue = [];
let head = 0;

// The queue's state for C (binding.task.tickInfo(), taken at start, after
// the snapshot): [0] 1 while ticks are queued, [1] 1 while rejections wait.
// C skips the call into processTicksAndRejections when both are 0. A dummy
// until then, so the writes below need no check.
let tickInfo = new Uint32Array(2);
function takeTickInfo() {
  const shared = binding.task.tickInfo();
  if (shared === undefined) return;
  shared[0] = tickInfo[0];
  shared[1] = tickInfo[1];
  tickInfo = shared;
}

// Set by main.js: the fatal-exception path (errors, fromPromise) -> handled.
let fatal = null;
function setFatalHandler(fn) {
  fatal = fn;
}

function nextTick(callback, ...args) {
  if (typeof callback !== 'function') {
    const err = new TypeError(
      `The "callback" argument must be of type function. Received ${describe(callback)}`,
    );
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
  if (process._exiting) return;
  // The tick object is its async resource (Node's TickObject).
  const t = {
    callback,
    args,
    frame: actx.state.framesOn ? actx.frameNow() : undefined,
    asyncId: actx.newAsyncId(),
    triggerAsyncId: actx.executionAsyncId(),
  };
  if (actx.state.hooksOn !== 0) actx.emitInit(t.asyncId, 'TickObject', t.triggerAsyncId, t);
  queue.push(t);
  tickInfo[0] = 1;
}

function describe(v) {
  if (v == null) return String(v);
  if (typeof v === 'function') return `function ${v.name}`;
  if (typeof v === 'object') {
    if (v.constructor && v.constructor.name) return `an instance of ${v.constructor.name}`;
    return require('util').inspect(v, { depth: -1 });
  }
  let shown = require('util').inspect(v, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof v} (${shown})`;
}

function hasTickScheduled() {
  return head < queue.length;
}

// The drain. Its callbacks are called from it directly and with the
// process as its receiver (setReceiver), so that their stacks read
// "at process.processTicksAndRejections" as in Node.
let drain; // processTicksAndRejections bound to the process (no frame of its own)
function setReceiver(process) {
  drain = processTicksAndRejections.bind(process);
}

function processTicksAndRejections() {
  do {
    while (head < queue.length) {
      const t = queue[head];
      queue[head++] = undefined;
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
        tickInfo[0] = 0;
      }
      const { callback, args, frame, asyncId } = t;
      const framed = actx.state.framesOn;
      if (framed) actx.frameSet(frame);
      actx.enter(asyncId, t.triggerAsyncId, t);
      try {
        switch (args.length) {
          case 0: callback(); break;
          case 1: callback(args[0]); break;
          case 2: callback(args[0], args[1]); break;
          default: callback(...args);
        }
      } finally {
        actx.leave(asyncId);
        if (framed) actx.frameSet(undefined);
        actx.emitDestroy(asyncId);
      }
    }
    binding.task.runMicrotasks();
  } while (hasTickScheduled() || processPromiseRejections());
}

// Between timers and between immediates (Node's runNextTicks).
function runNextTicks() {
  if (!hasTickScheduled() && pending.length === 0) binding.task.runMicrotasks();
  if (!hasTickScheduled() && pending.length === 0) return;
  drain();
}

// ---- unhandled rejections ------------------------------------------------

const unhandled = new WeakMap(); // promise -> { reason, warned }
const pending = []; // promises to look at after the next drain

function promiseRejectHook(type, promise, reason) {
  if (type === 0) {
    unhandled.set(promise, { reason, warned: false });
    pending.push(promise);
    tickInfo[1] = 1;
  } else if (type === 1) {
    const info = unhandled.get(promise);
    if (info !== undefined) {
      unhandled.delete(promise);
      if (info.warned) process.emit('rejectionHandled', promise);
    }
  }
}

class UnhandledPromiseRejection extends Error {
  constructor(reason) {
    super(
      'This error originated either by throwing inside of an async function without a catch ' +
        'block, or by rejecting a promise which was not handled with .catch(). The promise ' +
        `rejected with the reason "${require('util').inspect(reason)}".`,
    );
    this.code = 'ERR_UNHANDLED_REJECTION';
  }
  get name() {
    return 'UnhandledPromiseRejection';
  }
}

// Returns true when it may have queued ticks or microtasks.
function processPromiseRejections() {
  let maybeScheduled = false;
  while (pending.length > 0) {
    const promise = pending.shift();
    const info = unhandled.get(promise);
    if (info === undefined) continue;
    info.warned = true;
    const { reason } = info;
    if (!process.emit('unhandledRejection', reason, promise)) {
      const err = reason instanceof Error ? reason : new UnhandledPromiseRejection(reason);
      // Not handled by 'uncaughtException' either: fatal() ends the run,
      // with Node's header (file:line, source line, caret) where the
      // Error was made in the guest's code.
      fatal(err, err === reason ? binding.util.errorSource(err) : undefined, true);
    }
    maybeScheduled = true;
  }
  tickInfo[1] = 0;
  return maybeScheduled || hasTickScheduled();
}

module.exports = {
  takeTickInfo,
  nextTick,
  runNextTicks,
  setReceiver,
  promiseRejectHook,
  setFatalHandler,
};
Object.defineProperty(module.exports, 'processTicksAndRejections', {
  get() {
    return drain;
  },
  enumerable: true,
});
