'use strict';
// The `performance` global and perf_hooks' entries and observers, as Node
// 22: marks and measures (with detail, structured-cloned) kept in their
// buffers, getEntries*/clear*, timerify (a 'function' entry, and an
// optional histogram in ns), eventLoopUtilization from the loop's real
// idle time (binding.process.loopTimes(): libuv's UV_METRICS_IDLE_TIME),
// nodeTiming, resource timings (undici's fetch marks them; a buffer of
// 250 by default, 'resourcetimingbufferfull' when full), and
// PerformanceObserver (entryTypes or type + buffered; its callback runs
// from an immediate with the entries queued since). The origin is reset
// per run (start() calls setTimeOrigin): it is the run's start (a worker's
// is its process's), so nodeStart is 0; v8Start is when the isolate was
// made, environment when start() set the run up, bootstrapComplete when
// the main script was about to run, loopStart/loopExit the loop's.

const binding = require('./binding');
const { codes } = require('./errors');
const { validateFunction, validateObject, validateNumber } = require('./validators');
const { EventTarget } = require('./event-target');
const { DOMException } = require('./dom-exception');

const kInspect = Symbol.for('nodejs.util.inspect.custom');
const kSkip = Symbol('kSkip');

// ---- the clock ----------------------------------------------------------

// binding.process.timing(): [origin, originWallMs, v8Start, loopStart,
// loopExit, idle], hrtime ns (-1: not yet) and the loop's idle ns.
let originNs = 0; // hrtime (ns, a double) of the run's start
let originWall = 0; // the wall clock (ms) then
let environmentMs = 0; // when start() set up the run, ms after the origin
let bootstrapMs = -1; // when the main script was about to run

function setTimeOrigin() {
  const t = binding.process.timing();
  originNs = t[0];
  originWall = t[1];
  environmentMs = now();
  bootstrapMs = -1;
  resetBuffers();
}

function markBootstrapComplete() {
  bootstrapMs = now();
}

function now() {
  return (Number(binding.process.hrtimeBigint()) - originNs) / 1e6;
}

function milestone(ns) {
  return ns < 0 ? -1 : (ns - originNs) / 1e6;
}

function loopTimes() {
  const t = binding.process.timing();
  return { v8Start: milestone(t[2]), loopStart: milestone(t[3]), loopExit: milestone(t[4]), idleTime: t[5] / 1e6 };
}

function structuredCloneOf(value) {
  return binding.util.structuredClone(value);
}

// ---- entries ------------------------------------------------------------

const kName = Symbol('kName');
const kType = Symbol('kType');
const kStart = Symbol('kStart');
const kDuration = Symbol('kDuration');
const kDetail = Symbol('kDetail');

// `Name { ...shown }` one level down, as Node's custom inspects print.
function inspectAs(name, shown, options, inspect) {
  return `${name} ${inspect(shown, { ...options, depth: options.depth == null ? null : options.depth - 1 })}`;
}

function inspectEntry(entry, depth, options, inspect) {
  if (depth < 0) return entry;
  return inspectAs(entry.constructor.name, entry.toJSON(), options, inspect);
}

class PerformanceEntry {
  constructor(token, name, type, start, duration, detail) {
    if (token !== kSkip) throw codes.ERR_ILLEGAL_CONSTRUCTOR();
    this[kName] = name;
    this[kType] = type;
    this[kStart] = start;
    this[kDuration] = duration;
    this[kDetail] = detail;
  }

  get name() {
    return this[kName];
  }

  get entryType() {
    return this[kType];
  }

  get startTime() {
    return this[kStart];
  }

  get duration() {
    return this[kDuration];
  }

  toJSON() {
    const out = {
      name: this[kName],
      entryType: this[kType],
      startTime: this[kStart],
      duration: this[kDuration],
    };
    if (this[kDetail] !== undefined) out.detail = this[kDetail];
    return out;
  }

  [kInspect](depth, options, inspect) {
    return inspectEntry(this, depth, options, inspect);
  }
}

function toStringTag(cls) {
  Object.defineProperty(cls.prototype, Symbol.toStringTag, {
    value: cls.name, writable: false, enumerable: false, configurable: true,
  });
}

class PerformanceMark extends PerformanceEntry {
  constructor(name, options = undefined) {
    name = `${name}`;
    if (options !== undefined) validateObject(options, 'options');
    const startTime = options !== undefined && options.startTime !== undefined
      ? options.startTime : now();
    validateNumber(startTime, 'options.startTime');
    if (startTime < 0) throw codes.ERR_PERFORMANCE_INVALID_TIMESTAMP(startTime);
    const detail = options !== undefined ? options.detail : undefined;
    super(kSkip, name, 'mark', startTime, 0, detail != null ? structuredCloneOf(detail) : null);
  }

  get detail() {
    return this[kDetail];
  }
}
toStringTag(PerformanceMark);

class PerformanceMeasure extends PerformanceEntry {
  constructor(token, name, start, duration, detail) {
    if (token !== kSkip) throw codes.ERR_ILLEGAL_CONSTRUCTOR();
    super(kSkip, name, 'measure', start, duration, detail);
  }

  get detail() {
    return this[kDetail];
  }
}
toStringTag(PerformanceMeasure);

// undici's fetch timings (Node's markResourceTiming arguments).
const kTiming = Symbol('kTiming');
class PerformanceResourceTiming extends PerformanceEntry {
  constructor(token, name, timing, initiatorType, cacheMode, bodyInfo, status, deliveryType) {
    if (token !== kSkip) throw codes.ERR_ILLEGAL_CONSTRUCTOR();
    super(kSkip, name, 'resource', timing.startTime, timing.endTime - timing.startTime);
    this[kTiming] = { timing, initiatorType, cacheMode, bodyInfo, status, deliveryType };
  }

  get initiatorType() {
    return this[kTiming].initiatorType;
  }

  get nextHopProtocol() {
    const info = this[kTiming].timing.finalConnectionTimingInfo;
    return info ? info.ALPNNegotiatedProtocol : '';
  }

  get workerStart() {
    return this[kTiming].timing.finalServiceWorkerStartTime || 0;
  }

  get redirectStart() {
    return this[kTiming].timing.redirectStartTime || 0;
  }

  get redirectEnd() {
    return this[kTiming].timing.redirectEndTime || 0;
  }

  get fetchStart() {
    return this[kTiming].timing.postRedirectStartTime;
  }

  get domainLookupStart() {
    const info = this[kTiming].timing.finalConnectionTimingInfo;
    return info ? info.domainLookupStartTime : this.fetchStart;
  }

  get domainLookupEnd() {
    const info = this[kTiming].timing.finalConnectionTimingInfo;
    return info ? info.domainLookupEndTime : this.fetchStart;
  }

  get connectStart() {
    const info = this[kTiming].timing.finalConnectionTimingInfo;
    return info ? info.connectionStartTime : this.fetchStart;
  }

  get connectEnd() {
    const info = this[kTiming].timing.finalConnectionTimingInfo;
    return info ? info.connectionEndTime : this.fetchStart;
  }

  get secureConnectionStart() {
    const info = this[kTiming].timing.finalConnectionTimingInfo;
    return info ? info.secureConnectionStartTime : this.fetchStart;
  }

  get requestStart() {
    return this[kTiming].timing.finalNetworkRequestStartTime || 0;
  }

  get responseStart() {
    return this[kTiming].timing.finalNetworkResponseStartTime || 0;
  }

  get responseEnd() {
    return this[kTiming].timing.endTime;
  }

  get responseStatus() {
    return this[kTiming].status;
  }

  get deliveryType() {
    return this[kTiming].deliveryType;
  }

  get encodedBodySize() {
    return this[kTiming].bodyInfo.encodedBodySize;
  }

  get decodedBodySize() {
    return this[kTiming].bodyInfo.decodedBodySize;
  }

  get transferSize() {
    if (this[kTiming].cacheMode === 'local') return 0;
    if (this[kTiming].cacheMode === 'validated') return 300;
    return this.encodedBodySize + 300;
  }

  toJSON() {
    const out = super.toJSON();
    for (const key of ['initiatorType', 'nextHopProtocol', 'workerStart', 'redirectStart',
      'redirectEnd', 'fetchStart', 'domainLookupStart', 'domainLookupEnd', 'connectStart',
      'connectEnd', 'secureConnectionStart', 'requestStart', 'responseStart', 'responseEnd',
      'transferSize', 'encodedBodySize', 'decodedBodySize', 'responseStatus', 'deliveryType']) {
      out[key] = this[key];
    }
    return out;
  }
}
toStringTag(PerformanceResourceTiming);

// ---- buffers and observers ------------------------------------------------

let markBuffer = [];
let measureBuffer = [];
let resourceBuffer = [];
let resourceBufferSize = 250;
let resourceBufferFullPending = false;
const markTimes = new Map(); // name -> the latest mark's startTime

function resetBuffers() {
  markBuffer = [];
  measureBuffer = [];
  resourceBuffer = [];
  markTimes.clear();
}

const kSupportedEntryTypes = Object.freeze(
  ['dns', 'function', 'gc', 'http', 'http2', 'mark', 'measure', 'net', 'resource']);
const observers = new Set();
const pending = new Set();
let flushQueued = false;

function queueFlush() {
  if (flushQueued) return;
  flushQueued = true;
  const { setImmediate } = require('../../bootstrap/timers');
  setImmediate(() => {
    flushQueued = false;
    const list = [...pending];
    pending.clear();
    for (const observer of list) observer[kDispatch]();
  });
}

function enqueue(entry) {
  for (const observer of observers) observer[kMaybeBuffer](entry);
}

function hasObservers(type) {
  for (const observer of observers) if (observer[kEntryTypes].has(type)) return true;
  return false;
}

function sortByStart(entries) {
  return entries.sort((a, b) => a.startTime - b.startTime);
}

function filterEntries(list, name, type) {
  return list.filter((e) => (name === undefined || e.name === name) &&
    (type === undefined || e.entryType === type));
}

function bufferedEntries(name, type) {
  let list;
  if (type === 'mark') list = markBuffer;
  else if (type === 'measure') list = measureBuffer;
  else if (type === 'resource') list = resourceBuffer;
  else if (type === undefined) list = [...markBuffer, ...measureBuffer, ...resourceBuffer];
  else list = [];
  return sortByStart(filterEntries(list, name, undefined));
}

class PerformanceObserverEntryList {
  constructor(token, entries) {
    if (token !== kSkip) throw codes.ERR_ILLEGAL_CONSTRUCTOR();
    this[kBuffer] = sortByStart(entries);
  }

  getEntries() {
    return this[kBuffer].slice();
  }

  getEntriesByType(type) {
    type = `${type}`;
    return this[kBuffer].filter((e) => e.entryType === type);
  }

  getEntriesByName(name, type = undefined) {
    name = `${name}`;
    if (type !== undefined) type = `${type}`;
    return filterEntries(this[kBuffer], name, type);
  }

  [kInspect](depth, options, inspect) {
    if (depth < 0) return this;
    return inspectAs('PerformanceObserverEntryList', this[kBuffer], options, inspect);
  }
}

const kBuffer = Symbol('kBuffer');
const kEntryTypes = Symbol('kEntryTypes');
const kObsType = Symbol('kObsType');
const kCallback = Symbol('kCallback');
const kMaybeBuffer = Symbol('kMaybeBuffer');
const kDispatch = Symbol('kDispatch');

class PerformanceObserver {
  constructor(callback) {
    validateFunction(callback, 'callback');
    this[kBuffer] = [];
    this[kEntryTypes] = new Set();
    this[kObsType] = undefined; // 'single' (type) or 'multiple' (entryTypes)
    this[kCallback] = callback;
  }

  observe(options = {}) {
    validateObject(options, 'options');
    const { entryTypes, type, buffered } = options;
    if (entryTypes === undefined && type === undefined) {
      throw codes.ERR_MISSING_ARGS('options.entryTypes', 'options.type');
    }
    if (entryTypes != null && type != null) {
      throw codes.ERR_INVALID_ARG_VALUE('options.entryTypes', entryTypes,
        'options.entryTypes can not set with options.type together');
    }
    if (this[kObsType] === undefined) {
      this[kObsType] = entryTypes !== undefined ? 'multiple' : 'single';
    } else if (this[kObsType] === 'single' && entryTypes !== undefined) {
      throw new DOMException('PerformanceObserver can not change to multiple observations',
        'InvalidModificationError');
    } else if (this[kObsType] === 'multiple' && type !== undefined) {
      throw new DOMException('PerformanceObserver can not change to single observation',
        'InvalidModificationError');
    }
    if (this[kObsType] === 'multiple') {
      if (!Array.isArray(entryTypes)) {
        throw codes.ERR_INVALID_ARG_TYPE('options.entryTypes', 'string[]', entryTypes);
      }
      this[kEntryTypes].clear();
      for (const t of entryTypes) if (kSupportedEntryTypes.includes(t)) this[kEntryTypes].add(t);
    } else {
      if (!kSupportedEntryTypes.includes(type)) return;
      this[kEntryTypes].add(type);
      if (buffered) {
        this[kBuffer].push(...bufferedEntries(undefined, type));
        pending.add(this);
        queueFlush();
      }
    }
    if (this[kEntryTypes].size) observers.add(this);
    else this.disconnect();
  }

  disconnect() {
    observers.delete(this);
    pending.delete(this);
    this[kBuffer] = [];
    this[kEntryTypes].clear();
    this[kObsType] = undefined;
  }

  takeRecords() {
    const list = this[kBuffer];
    this[kBuffer] = [];
    return list;
  }

  static get supportedEntryTypes() {
    return kSupportedEntryTypes;
  }

  [kMaybeBuffer](entry) {
    if (!this[kEntryTypes].has(entry.entryType)) return;
    this[kBuffer].push(entry);
    pending.add(this);
    queueFlush();
  }

  [kDispatch]() {
    const list = new PerformanceObserverEntryList(kSkip, this.takeRecords());
    this[kCallback](list, this);
  }

  [kInspect](depth, options, inspect) {
    if (depth < 0) return this;
    const shown = {
      connected: observers.has(this),
      pending: pending.has(this),
      entryTypes: [...this[kEntryTypes]],
      buffer: this[kBuffer],
    };
    return inspectAs('PerformanceObserver', shown, options, inspect);
  }
}

// ---- marks and measures --------------------------------------------------

const kNodeMilestones = new Set(['nodeStart', 'v8Start', 'environment', 'loopStart',
  'loopExit', 'bootstrapComplete']);

function markTime(name) {
  if (name === undefined) return undefined;
  if (typeof name === 'number') {
    if (name < 0) throw codes.ERR_PERFORMANCE_INVALID_TIMESTAMP(name);
    return name;
  }
  name = `${name}`;
  if (kNodeMilestones.has(name)) return nodeTiming[name];
  const t = markTimes.get(name);
  if (t === undefined) {
    throw new DOMException(`The "${name}" performance mark has not been set`, 'SyntaxError');
  }
  return t;
}

function startAndDuration(startOrOptions, endMark) {
  let start;
  let end;
  let duration;
  let optionsValid = false;
  if (startOrOptions !== null && typeof startOrOptions === 'object') {
    ({ start, end, duration } = startOrOptions);
    optionsValid = start !== undefined || end !== undefined;
  }
  if (optionsValid) {
    if (endMark !== undefined) {
      throw codes.ERR_PERFORMANCE_MEASURE_INVALID_OPTIONS('endMark must not be specified');
    }
    if (start !== undefined && end !== undefined && duration !== undefined) {
      throw codes.ERR_PERFORMANCE_MEASURE_INVALID_OPTIONS(
        'Must not have options.start, options.end, and options.duration specified');
    }
  }
  if (endMark !== undefined) end = markTime(endMark);
  else if (optionsValid && end !== undefined) end = markTime(end);
  else if (optionsValid && start !== undefined && duration !== undefined) {
    end = markTime(start) + markTime(duration);
  } else end = now();

  if (typeof startOrOptions === 'string') start = markTime(startOrOptions);
  else if (optionsValid && start !== undefined) start = markTime(start);
  else if (optionsValid && duration !== undefined && end !== undefined) {
    start = end - markTime(duration);
  } else start = 0;
  return { start, duration: end - start };
}

// ---- nodeTiming ------------------------------------------------------------

class PerformanceNodeTiming {
  constructor(token) {
    if (token !== kSkip) throw codes.ERR_ILLEGAL_CONSTRUCTOR();
  }

  get name() {
    return 'node';
  }

  get entryType() {
    return 'node';
  }

  get startTime() {
    return 0;
  }

  get duration() {
    return now();
  }

  get nodeStart() {
    return 0;
  }

  get v8Start() {
    return loopTimes().v8Start;
  }

  get environment() {
    return environmentMs;
  }

  get bootstrapComplete() {
    return bootstrapMs;
  }

  get loopStart() {
    return loopTimes().loopStart;
  }

  get loopExit() {
    return loopTimes().loopExit;
  }

  get idleTime() {
    return loopTimes().idleTime;
  }

  toJSON() {
    const out = {};
    for (const key of ['name', 'entryType', 'startTime', 'duration', 'nodeStart', 'v8Start',
      'bootstrapComplete', 'environment', 'loopStart', 'loopExit', 'idleTime']) {
      out[key] = this[key];
    }
    return out;
  }

  [kInspect](depth, options, inspect) {
    if (depth < 0) return this;
    return inspectAs('PerformanceNodeTiming', this.toJSON(), options, inspect);
  }
}
const nodeTiming = new PerformanceNodeTiming(kSkip);

function eventLoopUtilization(util1, util2) {
  const { loopStart, idleTime } = loopTimes();
  if (loopStart <= 0) return { idle: 0, active: 0, utilization: 0 };
  if (util2) {
    const idle = util1.idle - util2.idle;
    const active = util1.active - util2.active;
    return { idle, active, utilization: active / (idle + active) };
  }
  const idle = idleTime;
  const active = now() - loopStart - idle;
  if (!util1) return { idle, active, utilization: active / (idle + active) };
  const idleDelta = idle - util1.idle;
  const activeDelta = active - util1.active;
  return { idle: idleDelta, active: activeDelta, utilization: activeDelta / (idleDelta + activeDelta) };
}

// ---- timerify --------------------------------------------------------------

const kTimerified = Symbol('kTimerified');

function timerify(fn, options = {}) {
  validateFunction(fn, 'fn');
  validateObject(options, 'options');
  const { histogram } = options;
  const { RecordableHistogram } = require('./histogram');
  if (histogram !== undefined && !(histogram instanceof RecordableHistogram)) {
    throw codes.ERR_INVALID_ARG_TYPE('options.histogram', 'RecordableHistogram', histogram);
  }
  function done(start, args) {
    const duration = now() - start;
    if (histogram !== undefined) histogram.record(Math.ceil(duration * 1e6));
    if (!hasObservers('function')) return;
    const entry = new PerformanceEntry(kSkip, fn.name, 'function', start, duration, args);
    for (let i = 0; i < args.length; i++) entry[i] = args[i];
    enqueue(entry);
  }
  function timerified(...args) {
    const isConstruct = new.target !== undefined;
    const start = now();
    const result = isConstruct ? Reflect.construct(fn, args, fn) : Reflect.apply(fn, this, args);
    if (!isConstruct && result != null && typeof result.finally === 'function') {
      return result.finally(() => done(start, args));
    }
    done(start, args);
    return result;
  }
  Object.defineProperties(timerified, {
    [kTimerified]: { value: timerified },
    length: { configurable: false, enumerable: true, value: fn.length },
    name: { configurable: false, enumerable: true, value: `timerified ${fn.name}` },
  });
  return timerified;
}

// ---- Performance -------------------------------------------------------------

function checkReceiver(self) {
  if (!(self instanceof Performance)) throw codes.ERR_INVALID_THIS('Performance');
}

class Performance extends EventTarget {
  constructor(token) {
    if (token !== kSkip) throw codes.ERR_ILLEGAL_CONSTRUCTOR();
    super();
  }

  now() {
    checkReceiver(this);
    return now();
  }

  get timeOrigin() {
    checkReceiver(this);
    return originWall;
  }

  get nodeTiming() {
    return nodeTiming;
  }

  mark(name, options = undefined) {
    checkReceiver(this);
    const mark = new PerformanceMark(name, options);
    markTimes.set(mark.name, mark.startTime);
    enqueue(mark);
    markBuffer.push(mark);
    return mark;
  }

  measure(name, startOrOptions = undefined, endMark = undefined) {
    checkReceiver(this);
    name = `${name}`;
    const { start, duration } = startAndDuration(startOrOptions, endMark);
    let detail = startOrOptions !== null && typeof startOrOptions === 'object'
      ? startOrOptions.detail : undefined;
    detail = detail != null ? structuredCloneOf(detail) : null;
    const measure = new PerformanceMeasure(kSkip, name, start, duration, detail);
    enqueue(measure);
    measureBuffer.push(measure);
    return measure;
  }

  clearMarks(name = undefined) {
    checkReceiver(this);
    if (name !== undefined) {
      name = `${name}`;
      markTimes.delete(name);
      markBuffer = markBuffer.filter((e) => e.name !== name);
    } else {
      markTimes.clear();
      markBuffer = [];
    }
  }

  clearMeasures(name = undefined) {
    checkReceiver(this);
    if (name !== undefined) {
      name = `${name}`;
      measureBuffer = measureBuffer.filter((e) => e.name !== name);
    } else {
      measureBuffer = [];
    }
  }

  clearResourceTimings(name = undefined) {
    checkReceiver(this);
    if (name !== undefined) {
      name = `${name}`;
      resourceBuffer = resourceBuffer.filter((e) => e.name !== name);
    } else {
      resourceBuffer = [];
    }
  }

  getEntries() {
    checkReceiver(this);
    return bufferedEntries(undefined, undefined);
  }

  getEntriesByName(name, type = undefined) {
    checkReceiver(this);
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('name');
    name = `${name}`;
    return type === undefined ? bufferedEntries(name, undefined) : bufferedEntries(name, `${type}`);
  }

  getEntriesByType(type) {
    checkReceiver(this);
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('type');
    return bufferedEntries(undefined, `${type}`);
  }

  setResourceTimingBufferSize(maxSize) {
    checkReceiver(this);
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('maxSize');
    maxSize = Number(maxSize) >>> 0;
    resourceBufferSize = maxSize;
  }

  markResourceTiming(timingInfo, requestedUrl, initiatorType, global, cacheMode, bodyInfo,
    responseStatus, deliveryType = '') {
    const entry = new PerformanceResourceTiming(kSkip, requestedUrl, timingInfo, initiatorType,
      cacheMode, bodyInfo, responseStatus, deliveryType);
    enqueue(entry);
    if (resourceBuffer.length < resourceBufferSize) {
      resourceBuffer.push(entry);
    } else if (!resourceBufferFullPending) {
      // Node tells the listeners once per overflow, then keeps what they
      // made room for.
      resourceBufferFullPending = true;
      const { setImmediate } = require('../../bootstrap/timers');
      setImmediate(() => {
        resourceBufferFullPending = false;
        const { Event } = require('./event-target');
        this.dispatchEvent(new Event('resourcetimingbufferfull'));
      });
    }
    return entry;
  }

  timerify(fn, options = undefined) {
    return timerify(fn, options);
  }

  eventLoopUtilization(util1, util2) {
    return eventLoopUtilization(util1, util2);
  }

  toJSON() {
    checkReceiver(this);
    return {
      nodeTiming: nodeTiming.toJSON(),
      timeOrigin: originWall,
      eventLoopUtilization: eventLoopUtilization(),
    };
  }

  [kInspect](depth, options, inspect) {
    if (depth < 0) return this;
    const shown = { nodeTiming, timeOrigin: originWall };
    return inspectAs('Performance', shown, options, inspect);
  }
}
Object.defineProperty(Performance.prototype, Symbol.toStringTag, {
  value: 'Performance', configurable: true,
});
// onresourcetimingbufferfull: an event handler attribute.
{
  const kHandler = Symbol('kOnBufferFull');
  Object.defineProperty(Performance.prototype, 'onresourcetimingbufferfull', {
    configurable: true,
    enumerable: true,
    get() {
      return this[kHandler] === undefined ? null : this[kHandler].fn;
    },
    set(fn) {
      if (this[kHandler] !== undefined) {
        this.removeEventListener('resourcetimingbufferfull', this[kHandler].listener);
        this[kHandler] = undefined;
      }
      if (typeof fn === 'function') {
        const listener = (event) => fn.call(this, event);
        this[kHandler] = { fn, listener };
        this.addEventListener('resourcetimingbufferfull', listener);
      }
    },
  });
}

const performance = new Performance(kSkip);

module.exports = {
  performance,
  Performance,
  PerformanceEntry,
  PerformanceMark,
  PerformanceMeasure,
  PerformanceObserver,
  PerformanceObserverEntryList,
  PerformanceResourceTiming,
  setTimeOrigin,
  markBootstrapComplete,
  now,
  inspectAs,
};
