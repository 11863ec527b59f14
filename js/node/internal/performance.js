'use strict';
// The `performance` global: now() on the monotonic clock, relative to the
// start of the run (timeOrigin is reset per run, not frozen in the snapshot).

const binding = require('./binding');

let originNs = 0n;
let originWall = 0;

function setTimeOrigin() {
  originNs = binding.process.hrtimeBigint();
  originWall = Date.now();
}

class Performance {
  now() {
    return Number(binding.process.hrtimeBigint() - originNs) / 1e6;
  }
  get timeOrigin() {
    return originWall;
  }
  // Node records a PerformanceResourceTiming entry (fetch calls this); the
  // sandbox keeps no performance entries.
  markResourceTiming() {
    return undefined;
  }
  toJSON() {
    return { timeOrigin: this.timeOrigin, nodeTiming: {}, eventLoopUtilization: {} };
  }
}
Object.defineProperty(Performance.prototype, Symbol.toStringTag, {
  value: 'Performance', configurable: true,
});

const performance = new Performance();

module.exports = { performance, Performance, setTimeOrigin };
