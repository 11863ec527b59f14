'use strict';
// setTimeout / setInterval / setImmediate over one uv timer and one uv check
// handle owned by C (bridge/timers.c).
//
// Timers with the same duration share a list kept in insertion order, so
// each list is sorted by expiry for free; the lists sit in a binary heap by
// their earliest expiry. C arms its single uv timer for the heap's head and
// calls processTimers(now) when it fires; the return value is the next
// expiry, negative when only unref'd timers remain (the loop may then end).
// Between two timers, and between two immediates, ticks and microtasks run
// (runNextTicks), as in Node. A callback that throws leaves the lists
// consistent (a timer is unlinked before it runs), and C calls
// processTimers / processImmediate again after a handled exception.

const binding = require('../node/internal/binding');
const { runNextTicks } = require('./tick');
const actx = require('../node/internal/async-context');
require('../node/internal/dispose-symbols');

const TIMEOUT_MAX = 2 ** 31 - 1;
const kRefed = Symbol('refed');
const kHasPrimitive = Symbol('kHasPrimitive');
const kAsyncId = Symbol('asyncId');
const kTriggerId = Symbol('triggerId');
// The async context frame a timer or immediate was made in (only when
// AsyncLocalStorage is in use; not enumerable, so util.inspect shows what
// Node's does).
const kFrame = Symbol('kFrame');
function keepFrame(item) {
  const frame = actx.frameNow();
  if (frame !== undefined) Object.defineProperty(item, kFrame, { value: frame, writable: true });
}

let refCount = 0; // ref'd timers alive
let nextExpiry = Infinity;
let timerListId = Number.MIN_SAFE_INTEGER;

const lists = new Map(); // msecs -> TimerList
const knownTimersById = new Map(); // for clearTimeout(primitiveId)

// ---- a min-heap of lists by (expiry, id) --------------------------------

const heap = [];
function heapLess(a, b) {
  return a.expiry < b.expiry || (a.expiry === b.expiry && a.id < b.id);
}
function heapUp(i) {
  const item = heap[i];
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!heapLess(item, heap[p])) break;
    heap[i] = heap[p];
    heap[i].heapIndex = i;
    i = p;
  }
  heap[i] = item;
  item.heapIndex = i;
}
function heapDown(i) {
  const item = heap[i];
  const n = heap.length;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && heapLess(heap[c + 1], heap[c])) c++;
    if (!heapLess(heap[c], item)) break;
    heap[i] = heap[c];
    heap[i].heapIndex = i;
    i = c;
  }
  heap[i] = item;
  item.heapIndex = i;
}
function heapPush(list) {
  heap.push(list);
  heapUp(heap.length - 1);
}
function heapRemoveAt(i) {
  const last = heap.pop();
  if (i < heap.length) {
    heap[i] = last;
    last.heapIndex = i;
    heapDown(i);
    heapUp(last.heapIndex);
  }
}

// ---- intrusive doubly linked lists ----------------------------------------

class TimerList {
  constructor(expiry, msecs) {
    this._idleNext = this;
    this._idlePrev = this;
    this.expiry = expiry;
    this.id = timerListId++;
    this.msecs = msecs;
    this.heapIndex = -1;
  }
}

function linkAppend(list, item) {
  if (item._idleNext || item._idlePrev) unlink(item);
  item._idleNext = list;
  item._idlePrev = list._idlePrev;
  list._idlePrev._idleNext = item;
  list._idlePrev = item;
}
function unlink(item) {
  if (item._idleNext) item._idleNext._idlePrev = item._idlePrev;
  if (item._idlePrev) item._idlePrev._idleNext = item._idleNext;
  item._idleNext = null;
  item._idlePrev = null;
}
function peek(list) {
  return list._idlePrev === list ? null : list._idleNext;
}

// ---- Timeout --------------------------------------------------------------

function toggleRef(delta) {
  const before = refCount;
  refCount += delta;
  if (before === 0 && refCount > 0) binding.timers.toggleRef(true);
  else if (before > 0 && refCount === 0) binding.timers.toggleRef(false);
}

class Timeout {
  constructor(callback, after, args, isRepeat, isRefed) {
    after *= 1;
    if (!(after >= 1 && after <= TIMEOUT_MAX)) {
      if (after > TIMEOUT_MAX) {
        process.emitWarning(
          `${after} does not fit into a 32-bit signed integer.` +
            '\nTimeout duration was set to 1.',
          'TimeoutOverflowWarning',
        );
      }
      after = 1;
    }
    this._idleTimeout = after;
    this._idlePrev = this;
    this._idleNext = this;
    this._idleStart = null;
    this._onTimeout = callback;
    this._timerArgs = args;
    this._repeat = isRepeat ? after : null;
    this._destroyed = false;
    if (isRefed) toggleRef(1);
    this[kRefed] = isRefed;
    this[kHasPrimitive] = false;
    // The async context it was made in: its callbacks run there.
    this[kTriggerId] = actx.executionAsyncId();
    keepFrame(this);
    this.asyncId = actx.initResource('Timeout', this);
  }

  refresh() {
    if (this[kRefed]) active(this);
    else unrefActive(this);
    return this;
  }

  unref() {
    if (this[kRefed]) {
      this[kRefed] = false;
      if (!this._destroyed) toggleRef(-1);
    }
    return this;
  }

  ref() {
    if (!this[kRefed]) {
      this[kRefed] = true;
      if (!this._destroyed) toggleRef(1);
    }
    return this;
  }

  hasRef() {
    return this[kRefed];
  }

  close() {
    clearTimeout(this);
    return this;
  }

  [Symbol.dispose]() {
    clearTimeout(this);
  }

  [Symbol.toPrimitive]() {
    const id = this.asyncId;
    if (!this[kHasPrimitive]) {
      this[kHasPrimitive] = true;
      knownTimersById.set(id, this);
    }
    return id;
  }
}

function insert(item, msecs, start) {
  // As Node: sub-millisecond accuracy is not assumed (1.8 shares the 1 ms
  // list, in insertion order).
  msecs = Math.trunc(msecs);
  item._idleStart = start;
  let list = lists.get(msecs);
  if (list === undefined) {
    const expiry = start + msecs;
    list = new TimerList(expiry, msecs);
    lists.set(msecs, list);
    heapPush(list);
    if (nextExpiry > expiry) {
      binding.timers.schedule(msecs);
      nextExpiry = expiry;
    }
  }
  linkAppend(list, item);
}

function insertGuarded(item, refed, start) {
  const msecs = item._idleTimeout;
  if (msecs < 0 || msecs === undefined) return;
  insert(item, msecs, start);
  const isDestroyed = item._destroyed;
  if (isDestroyed || !item[kRefed] !== !refed) {
    item._destroyed = false;
    if (refed) {
      if (!item[kRefed] || isDestroyed) toggleRef(1);
      item[kRefed] = true;
    } else {
      if (item[kRefed] && !isDestroyed) toggleRef(-1);
      item[kRefed] = false;
    }
  }
}

function active(item) {
  insertGuarded(item, true, binding.timers.now());
}
function unrefActive(item) {
  insertGuarded(item, false, binding.timers.now());
}

function unenroll(item) {
  if (item._destroyed) return;
  item._destroyed = true;
  if (item.asyncId !== undefined) actx.emitDestroy(item.asyncId);
  if (item[kHasPrimitive]) knownTimersById.delete(item.asyncId);
  if (item[kRefed]) toggleRef(-1);
  const list = lists.get(Math.trunc(item._idleTimeout));
  if (list !== undefined && item._idleNext && item._idleNext !== item) {
    unlink(item);
    if (list._idleNext === list) {
      lists.delete(list.msecs);
      heapRemoveAt(list.heapIndex);
    }
  } else {
    unlink(item);
  }
  item._idleTimeout = -1;
}

// timers.enroll(item, msecs): makes a plain object a timer of msecs that
// active()/_unrefActive() start (Node's legacy API; its own duration rules).
function enroll(item, msecs) {
  const { validateNumber } = require('../node/internal/validators');
  const { codes } = require('../node/internal/errors');
  validateNumber(msecs, 'msecs');
  if (msecs < 0 || !Number.isFinite(msecs)) {
    throw codes.ERR_OUT_OF_RANGE('msecs', 'a non-negative finite number', msecs);
  }
  if (msecs > TIMEOUT_MAX) {
    process.emitWarning(`${msecs} does not fit into a 32-bit signed integer.` +
      `\nTimer duration was truncated to ${TIMEOUT_MAX}.`, 'TimeoutOverflowWarning');
    msecs = TIMEOUT_MAX;
  }
  if (item._idleNext) unenroll(item);
  item._idleNext = item;
  item._idlePrev = item;
  item._idleTimeout = msecs;
}

function validateCallback(callback) {
  if (typeof callback !== 'function') {
    const util = require('util');
    let received;
    if (callback == null) received = ` Received ${callback}`;
    else if (typeof callback === 'object') {
      received = callback.constructor && callback.constructor.name
        ? ` Received an instance of ${callback.constructor.name}`
        : ` Received ${util.inspect(callback, { depth: -1 })}`;
    } else {
      let s = util.inspect(callback, { colors: false });
      if (s.length > 28) s = `${s.slice(0, 25)}...`;
      received = ` Received type ${typeof callback} (${s})`;
    }
    const err = new TypeError(`The "callback" argument must be of type function.${received}`);
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
}

function setTimeout(callback, after, arg1, arg2, arg3) {
  validateCallback(callback);
  let args;
  const n = arguments.length;
  if (n === 3) args = [arg1];
  else if (n === 4) args = [arg1, arg2];
  else if (n > 4) {
    args = [arg1, arg2, arg3];
    for (let i = 5; i < n; i++) args[i - 2] = arguments[i];
  }
  const timeout = new Timeout(callback, after, args, false, true);
  insert(timeout, timeout._idleTimeout, binding.timers.now());
  return timeout;
}

function setInterval(callback, repeat, arg1, arg2, arg3) {
  validateCallback(callback);
  let args;
  const n = arguments.length;
  if (n === 3) args = [arg1];
  else if (n === 4) args = [arg1, arg2];
  else if (n > 4) {
    args = [arg1, arg2, arg3];
    for (let i = 5; i < n; i++) args[i - 2] = arguments[i];
  }
  const timeout = new Timeout(callback, repeat, args, true, true);
  insert(timeout, timeout._idleTimeout, binding.timers.now());
  return timeout;
}

function clearTimeout(timer) {
  if (timer && timer._onTimeout) {
    timer._onTimeout = null;
    unenroll(timer);
    return;
  }
  if (typeof timer === 'number' || typeof timer === 'string') {
    const t = knownTimersById.get(Number(timer));
    if (t !== undefined) {
      t._onTimeout = null;
      unenroll(t);
    }
  }
}

function processTimers(now) {
  nextExpiry = Infinity;
  let list;
  let ranAtLeastOneList = false;
  while ((list = heap[0]) !== undefined) {
    if (list.expiry > now) {
      nextExpiry = list.expiry;
      return refCount > 0 ? nextExpiry : -nextExpiry;
    }
    if (ranAtLeastOneList) runNextTicks();
    else ranAtLeastOneList = true;
    listOnTimeout(list, now);
  }
  return 0;
}

function destroyTimer(timer) {
  timer._destroyed = true;
  if (timer[kHasPrimitive]) knownTimersById.delete(timer.asyncId);
  if (timer[kRefed]) toggleRef(-1);
  if (timer.asyncId !== undefined) actx.emitDestroy(timer.asyncId);
}

function listOnTimeout(list, now) {
  const msecs = list.msecs;
  let ranAtLeastOneTimer = false;
  let timer;
  while ((timer = peek(list)) !== null) {
    const diff = now - timer._idleStart;
    if (diff < msecs) {
      list.expiry = Math.max(timer._idleStart + msecs, now + 1);
      list.id = timerListId++;
      heapDown(list.heapIndex);
      return;
    }
    if (ranAtLeastOneTimer) runNextTicks();
    else ranAtLeastOneTimer = true;
    unlink(timer);
    if (!timer._onTimeout) {
      // an enrolled object without a callback, or a timer cleared by the
      // ticks just run: skipped, as Node does
      if (!timer._destroyed) destroyTimer(timer);
      continue;
    }
    let start;
    if (timer._repeat) start = binding.timers.now();
    const framed = actx.state.framesOn;
    if (framed) actx.frameSet(timer[kFrame]);
    actx.enter(timer.asyncId, timer[kTriggerId], timer);
    try {
      const args = timer._timerArgs;
      if (args === undefined) timer._onTimeout();
      else timer._onTimeout(...args);
    } finally {
      actx.leave(timer.asyncId);
      if (framed) actx.frameSet(undefined);
      if (timer._repeat && timer._idleTimeout !== -1) {
        timer._idleTimeout = timer._repeat;
        insert(timer, timer._idleTimeout, start);
      } else if (!timer._idleNext && !timer._idlePrev && !timer._destroyed) {
        destroyTimer(timer);
      }
    }
  }
  if (list === lists.get(msecs)) {
    lists.delete(msecs);
    heapRemoveAt(list.heapIndex);
  }
}

// ---- immediates -----------------------------------------------------------

class ImmediateList {
  constructor() {
    this.head = null;
    this.tail = null;
  }
  append(item) {
    if (this.tail !== null) {
      this.tail._idleNext = item;
      item._idlePrev = this.tail;
    } else {
      this.head = item;
    }
    this.tail = item;
  }
  remove(item) {
    if (item._idleNext) item._idleNext._idlePrev = item._idlePrev;
    if (item._idlePrev) item._idlePrev._idleNext = item._idleNext;
    if (item === this.head) this.head = item._idleNext;
    if (item === this.tail) this.tail = item._idlePrev;
    item._idleNext = null;
    item._idlePrev = null;
  }
}

const immediateQueue = new ImmediateList();
let outstandingQueue = new ImmediateList(); // left over after an exception
let immediateCount = 0;
let immediateRefCount = 0;

function immediateRef(delta) {
  const before = immediateRefCount;
  immediateRefCount += delta;
  if (before === 0 && immediateRefCount > 0) binding.timers.toggleImmediateRef(true);
  else if (before > 0 && immediateRefCount === 0) binding.timers.toggleImmediateRef(false);
}
function immediateCountAdd(delta) {
  const before = immediateCount;
  immediateCount += delta;
  if (before === 0 && immediateCount > 0) binding.timers.toggleImmediatePending(true);
  else if (before > 0 && immediateCount === 0) binding.timers.toggleImmediatePending(false);
}

class Immediate {
  constructor(callback, args) {
    this._idleNext = null;
    this._idlePrev = null;
    this._onImmediate = callback;
    this._argv = args;
    this._destroyed = false;
    this[kRefed] = false;
    this[kAsyncId] = 0;
    this[kTriggerId] = actx.executionAsyncId();
    keepFrame(this);
    this[kAsyncId] = actx.initResource('Immediate', this);
    this.ref();
    immediateCountAdd(1);
    immediateQueue.append(this);
  }
  ref() {
    if (this[kRefed] === false) {
      this[kRefed] = true;
      immediateRef(1);
    }
    return this;
  }
  unref() {
    if (this[kRefed] === true) {
      this[kRefed] = false;
      immediateRef(-1);
    }
    return this;
  }
  hasRef() {
    return !!this[kRefed];
  }

  [Symbol.dispose]() {
    clearImmediate(this);
  }
}

function setImmediate(callback, arg1, arg2, arg3) {
  validateCallback(callback);
  let args;
  const n = arguments.length;
  if (n === 2) args = [arg1];
  else if (n === 3) args = [arg1, arg2];
  else if (n > 3) {
    args = [arg1, arg2, arg3];
    for (let i = 4; i < n; i++) args[i - 1] = arguments[i];
  }
  return new Immediate(callback, args);
}

function clearImmediate(immediate) {
  if (!immediate || immediate._destroyed) return;
  immediateCountAdd(-1);
  immediate._destroyed = true;
  if (immediate[kRefed]) immediateRef(-1);
  immediate[kRefed] = null;
  immediate._onImmediate = null;
  immediateQueue.remove(immediate);
  actx.emitDestroy(immediate[kAsyncId]);
}

// The runtime's own callbacks for the next check phase (Node's
// env->SetImmediate, unref'ed): before the guest's immediates, no async
// resource of their own (async_hooks' destroy queue).
let nativeImmediates = [];
function setNativeImmediate(fn) {
  if (nativeImmediates.length === 0) immediateCountAdd(1);
  nativeImmediates.push(fn);
}

function processImmediate() {
  if (nativeImmediates.length !== 0) {
    const list = nativeImmediates;
    nativeImmediates = [];
    immediateCountAdd(-1);
    for (const fn of list) fn();
  }
  const queue = outstandingQueue.head !== null ? outstandingQueue : immediateQueue;
  let immediate = queue.head;
  // Immediates queued from here on wait for the next loop iteration.
  if (queue !== outstandingQueue) {
    queue.head = queue.tail = null;
    outstandingQueue = new ImmediateList();
  }
  let prevImmediate;
  let ranAtLeastOneImmediate = false;
  while (immediate !== null) {
    if (ranAtLeastOneImmediate) runNextTicks();
    else ranAtLeastOneImmediate = true;
    if (immediate._destroyed) {
      // clearImmediate relinked the neighbours: continue from the last run.
      outstandingQueue.head = immediate =
        prevImmediate !== undefined ? prevImmediate._idleNext : immediate._idleNext;
      continue;
    }
    immediate._destroyed = true;
    immediateCountAdd(-1);
    if (immediate[kRefed]) immediateRef(-1);
    immediate[kRefed] = null;
    prevImmediate = immediate;
    // Keep the rest reachable if this one throws.
    outstandingQueue.head = immediate._idleNext;
    const asyncId = immediate[kAsyncId];
    const framed = actx.state.framesOn;
    if (framed) actx.frameSet(immediate[kFrame]);
    actx.enter(asyncId, immediate[kTriggerId], immediate);
    try {
      const argv = immediate._argv;
      if (!argv) immediate._onImmediate();
      else immediate._onImmediate(...argv);
    } finally {
      actx.leave(asyncId);
      if (framed) actx.frameSet(undefined);
      actx.emitDestroy(asyncId);
      immediate._onImmediate = null;
      outstandingQueue.head = immediate = immediate._idleNext;
    }
  }
  if (queue === outstandingQueue) outstandingQueue.head = null;
}

// util.promisify(setTimeout) and (setImmediate) are timers/promises' own.
for (const [fn, name] of [[setTimeout, 'setTimeout'], [setImmediate, 'setImmediate']]) {
  Object.defineProperty(fn, Symbol.for('nodejs.util.promisify.custom'), {
    enumerable: true,
    configurable: true,
    get() {
      return require('../node/timers_promises')[name];
    },
  });
}

// process.getActiveResourcesInfo(): ref'd timers and immediates, as Node
// counts them (a timer whose callback is running still counts).
function activeCounts() {
  return [refCount, immediateRefCount];
}

module.exports = {
  activeCounts,
  setTimeout,
  setInterval,
  clearTimeout,
  clearInterval: clearTimeout,
  setImmediate,
  clearImmediate,
  processTimers,
  processImmediate,
  setNativeImmediate,
  active,
  unrefActive,
  enroll,
  unenroll,
  Timeout,
  Immediate,
  validateCallback,
};
