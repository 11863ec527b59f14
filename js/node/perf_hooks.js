'use strict';
// node:perf_hooks — the `performance` global's object (now(), timeOrigin)
// and Node's constants; the observers, marks and histograms are Tier 4:
// they load and throw "perf_hooks.<api> is not supported in sandbox" when
// used (internal/deferred.js).

const { performance, Performance } = require('./internal/performance');
const { deferredClass, deferredFunction } = require('./internal/deferred');

const constants = Object.freeze({
  NODE_PERFORMANCE_GC_MAJOR: 4,
  NODE_PERFORMANCE_GC_MINOR: 1,
  NODE_PERFORMANCE_GC_INCREMENTAL: 8,
  NODE_PERFORMANCE_GC_WEAKCB: 16,
  NODE_PERFORMANCE_GC_FLAGS_NO: 0,
  NODE_PERFORMANCE_GC_FLAGS_CONSTRUCT_RETAINED: 2,
  NODE_PERFORMANCE_GC_FLAGS_FORCED: 4,
  NODE_PERFORMANCE_GC_FLAGS_SYNCHRONOUS_PHANTOM_PROCESSING: 8,
  NODE_PERFORMANCE_GC_FLAGS_ALL_AVAILABLE_GARBAGE: 16,
  NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY: 32,
  NODE_PERFORMANCE_GC_FLAGS_SCHEDULE_IDLE: 64,
});

module.exports = {
  Performance,
  PerformanceEntry: deferredClass('perf_hooks.PerformanceEntry'),
  PerformanceMark: deferredClass('perf_hooks.PerformanceMark'),
  PerformanceMeasure: deferredClass('perf_hooks.PerformanceMeasure'),
  PerformanceObserver: deferredClass('perf_hooks.PerformanceObserver'),
  PerformanceObserverEntryList: deferredClass('perf_hooks.PerformanceObserverEntryList'),
  PerformanceResourceTiming: deferredClass('perf_hooks.PerformanceResourceTiming'),
  monitorEventLoopDelay: deferredFunction('perf_hooks.monitorEventLoopDelay'),
  createHistogram: deferredFunction('perf_hooks.createHistogram'),
  performance,
  constants,
};
