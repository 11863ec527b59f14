'use strict';
// node/internal/async-context.js — the runtime's async context: the frame
// AsyncLocalStorage reads, and the execution ids and hooks async_hooks
// reports. The scheduling points (bootstrap/tick.js, bootstrap/timers.js,
// queueMicrotask, AsyncResource) call in here; node/async_hooks.js is the
// public face.
//
// Frames. A frame is an immutable Map (AsyncLocalStorage -> store); the
// current one lives in V8's "continuation-preserved embedder data", a
// slot of the native context that V8 10.2 copies into every promise
// reaction when the reaction is made (then, await) and puts back while the
// reaction runs. So promises propagate the frame with no promise hook at
// all — what Node 24 does with its AsyncContextFrame (V8 12 made the slot
// per isolate; 10.2's per-context slot is the same for our one context).
// The other continuations are ours: nextTick, queueMicrotask, timers and
// immediates keep the frame they were scheduled in and restore it around
// their callback; a function handed to a bridge (fs, net, dns, zlib ...)
// keeps it in C (isolate/v8/vm.cc, vm_arg_ref/vm_call). Nothing of this
// runs until the first frame is set (state.framesOn), so a run without
// AsyncLocalStorage pays one flag test per scheduling point.
//
// Not Context::SetPromiseHooks (Node 16–22's AsyncLocalStorage): it calls
// a JS function at every promise's creation and every reaction, where the
// embedder slot costs nothing per promise (measured: an `await` takes the
// same ~75 ns with and without a store). A tick with a store costs ~120 ns
// more (the slot is read and set through natives); without one, nothing
// measurable.
//
// Execution ids. Every resource we schedule (Timeout, Immediate, a tick,
// AsyncResource, a request of fs or randomBytes (bindRequest), and
// promises while a hook wants them) takes an id from one counter;
// ids/triggers/resources hold the scopes that are running. The top level
// is id 1, trigger 0. Other bridge callbacks (sockets, lookups ...) have
// no resource of their own yet: they run as the top level.
//
// Hooks (createHook): init/before/after/destroy for Timeout, Immediate,
// TickObject, Microtask, FSREQCALLBACK/FSREQPROMISE, RANDOMBYTESREQUEST,
// AsyncResource and PROMISE (destroy when the
// collector takes the promise); promiseResolve for promises. The
// promise ones come from Context::SetPromiseHooks, installed only while
// an enabled hook has a callback (and never in the snapshot).

const binding = require('./binding');

const state = {
  framesOn: false, // a frame was set at least once in this run
  hooksOn: 0, // enabled hooks
};

// ---- frames -----------------------------------------------------------------

function frameNow() {
  return state.framesOn ? binding.task.getAsyncFrame() : undefined;
}

function frameSet(frame) {
  if (!state.framesOn) {
    if (frame === undefined) return;
    state.framesOn = true;
  }
  binding.task.setAsyncFrame(frame);
}

// fn.apply(thisArg, args) with frame current, the caller's frame after.
function runInFrame(frame, fn, thisArg, args) {
  if (!state.framesOn && frame === undefined) return Reflect.apply(fn, thisArg, args);
  const outer = frameNow();
  frameSet(frame);
  try {
    return Reflect.apply(fn, thisArg, args);
  } finally {
    frameSet(outer);
  }
}

// ---- execution ids ------------------------------------------------------------

const topLevelResource = {};
let lastId = 1;
// The scopes entered, innermost at `depth` (0: the top level).
const ids = [1];
const triggers = [0];
const resources = [topLevelResource];
let depth = 0;

function newAsyncId() {
  return ++lastId;
}

function executionAsyncId() {
  return ids[depth];
}

function triggerAsyncId() {
  return triggers[depth];
}

function executionAsyncResource() {
  return resources[depth];
}

function enter(id, trigger, resource) {
  depth++;
  ids[depth] = id;
  triggers[depth] = trigger;
  resources[depth] = resource;
  if (state.hooksOn !== 0) emit('before', id);
}

function leave(id) {
  if (state.hooksOn !== 0) emit('after', id);
  resources[depth] = undefined;
  depth--;
}

// ---- hooks --------------------------------------------------------------------

// The enabled hooks' callbacks: { hook, init, before, after, destroy,
// promiseResolve }, each called with the AsyncHook as `this`. Replaced,
// never changed in place: a hook enabled or disabled by a hook callback
// takes effect from the next event on, as in Node.
let enabled = [];

// A hook callback that throws ends the process (Node's fatalError): the
// stack, or "Error: <value>" for a thrown non-error, then exit code 1.
function fatalError(e) {
  let text;
  if (e !== null && (typeof e === 'object' || typeof e === 'function') &&
      typeof e.stack === 'string') {
    text = e.stack;
  } else {
    const o = { message: typeof e === 'symbol' ? e.toString() : e };
    Error.captureStackTrace(o, fatalError);
    text = o.stack;
  }
  binding.process.write(2, `${text}\n`);
  process.exit(1);
}

function emit(kind, id) {
  const list = enabled;
  for (let i = 0; i < list.length; i++) {
    const cb = list[i];
    const fn = cb[kind];
    if (fn === undefined) continue;
    try {
      Reflect.apply(fn, cb.hook, [id]);
    } catch (e) {
      fatalError(e);
    }
  }
}

function emitInit(id, type, trigger, resource) {
  const list = enabled;
  for (let i = 0; i < list.length; i++) {
    const cb = list[i];
    if (cb.init === undefined) continue;
    try {
      Reflect.apply(cb.init, cb.hook, [id, type, trigger, resource]);
    } catch (e) {
      fatalError(e);
    }
  }
}

// Destroy hooks run from Node's destroy queue: at the loop's next check
// phase, before the immediates (bootstrap/timers.js setNativeImmediate).
let destroyed = [];
function flushDestroyed() {
  if (destroyed.length === 0) return;
  const ids = destroyed;
  destroyed = [];
  for (const id of ids) emit('destroy', id);
}

function emitDestroy(id) {
  if (state.hooksOn === 0) return;
  if (destroyed.length === 0) require('../../bootstrap/timers').setNativeImmediate(flushDestroyed);
  destroyed.push(id);
}

// A resource made by the runtime: its id, and init when hooks listen.
function initResource(type, resource) {
  const id = ++lastId;
  if (state.hooksOn !== 0) emitInit(id, type, executionAsyncId(), resource);
  return id;
}

// A request the runtime hands to a bridge (an fs call, a lookup ...):
// cb wrapped to run as its own resource `type` (Node's provider name),
// made now (init when a hook listens; the trigger is the caller's scope),
// entered around the call (before/after), destroyed after it. The frame
// travels through the bridge itself (vm.cc).
class AsyncRequest {
  constructor(type) {
    this.type = type;
  }
}

function bindRequest(type, cb) {
  const trigger = ids[depth];
  const id = ++lastId;
  const resource = new AsyncRequest(type);
  if (state.hooksOn !== 0) emitInit(id, type, trigger, resource);
  return function request(...args) {
    enter(id, trigger, resource);
    const result = Reflect.apply(cb, this, args);
    // (a throw leaves the scope entered: the uncaught exception handler
    // runs in it, then clearScopes, as Node's)
    leave(id);
    emitDestroy(id);
    return result;
  };
}

// After an uncaught exception has been handled (Node's clearAsyncIdStack):
// the scopes the throw left entered get their after hooks, innermost first.
function clearScopes() {
  while (depth > 0) leave(ids[depth]);
}

// Promises while a hook listens: id and trigger kept by promise.
const promiseIds = new WeakMap();
let promiseGone = null;

function promiseInit(promise, parent) {
  const id = ++lastId;
  const p = parent !== undefined ? promiseIds.get(parent) : undefined;
  const trigger = p !== undefined ? p.id : executionAsyncId();
  promiseIds.set(promise, { id, trigger });
  emitInit(id, 'PROMISE', trigger, promise);
  if (promiseGone !== null) promiseGone.register(promise, id);
}

function promiseInfo(promise) {
  let p = promiseIds.get(promise);
  if (p === undefined) {
    // Made before a hook listened.
    p = { id: ++lastId, trigger: executionAsyncId() };
    promiseIds.set(promise, p);
  }
  return p;
}

function promiseBefore(promise) {
  const p = promiseInfo(promise);
  enter(p.id, p.trigger, promise);
}

// A reaction that began before a hook listened has no scope of ours to
// leave; its after hook is still called, as Node's.
function promiseAfter(promise) {
  const p = promiseInfo(promise);
  if (depth > 0 && ids[depth] === p.id) leave(p.id);
  else emit('after', p.id);
}

function promiseResolve(promise) {
  emit('promiseResolve', promiseInfo(promise).id);
}

function refreshPromiseHooks() {
  let any = false;
  let destroy = false;
  let resolve = false;
  for (const h of enabled) {
    if (h.init || h.before || h.after || h.destroy || h.promiseResolve) any = true;
    if (h.destroy) destroy = true;
    if (h.promiseResolve) resolve = true;
  }
  promiseGone = destroy ? new FinalizationRegistry(emitDestroy) : null;
  if (any) {
    binding.task.setPromiseHooks(promiseInit, promiseBefore, promiseAfter,
      resolve ? promiseResolve : undefined);
  } else {
    binding.task.setPromiseHooks(undefined, undefined, undefined, undefined);
  }
}

function hookEnable(callbacks) {
  if (enabled.includes(callbacks)) return;
  enabled = [...enabled, callbacks];
  state.hooksOn = enabled.length;
  refreshPromiseHooks();
}

function hookDisable(callbacks) {
  const i = enabled.indexOf(callbacks);
  if (i < 0) return;
  enabled = enabled.filter((cb) => cb !== callbacks);
  state.hooksOn = enabled.length;
  refreshPromiseHooks();
}

module.exports = {
  state,
  frameNow,
  frameSet,
  runInFrame,
  newAsyncId,
  executionAsyncId,
  triggerAsyncId,
  executionAsyncResource,
  enter,
  leave,
  emitInit,
  emitDestroy,
  initResource,
  bindRequest,
  clearScopes,
  flushDestroyed,
  hookEnable,
  hookDisable,
};
