'use strict';
// perf_hooks' histograms: createHistogram() (RecordableHistogram) and
// monitorEventLoopDelay() (an interval histogram fed by an unref'd timer).
//
// Node keeps its values in HdrHistogram_c; this is the same bucket layout
// and arithmetic in JS (so min/max/mean/stddev/percentiles are the values
// Node gives for the same records): sub-buckets of 2 * 10^figures values
// at single-unit resolution, each next bucket doubling the unit; a value
// is kept as its bucket's index, reported as that bucket's lowest, median
// or highest equivalent value as HdrHistogram_c does. Values are integers
// up to Number.MAX_SAFE_INTEGER, so the bit arithmetic is done with
// powers of two, not 32-bit shifts. Own code, written to HdrHistogram's
// published algorithm.

const { codes } = require('./errors');
const { validateObject, validateNumber, validateInteger } = require('./validators');

const kInt64Max = 9223372036854775807; // INT64_MAX as a double: an empty histogram's min

function bitLength(v) {
  if (v < 1) return 0;
  let n = Math.floor(Math.log2(v));
  if (2 ** n > v) n--;
  else if (2 ** (n + 1) <= v) n++;
  return n + 1;
}

class Hdr {
  constructor(lowest, highest, figures) {
    const largestSingleUnit = 2 * 10 ** figures;
    const subBucketCountMagnitude = Math.ceil(Math.log2(largestSingleUnit));
    this.subBucketHalfCountMagnitude = Math.max(subBucketCountMagnitude, 1) - 1;
    this.unitMagnitude = Math.floor(Math.log2(lowest));
    this.subBucketCount = 2 ** (this.subBucketHalfCountMagnitude + 1);
    this.subBucketHalfCount = this.subBucketCount / 2;
    // (subBucketCount - 1) << unitMagnitude
    this.subBucketMask = (this.subBucketCount - 1) * 2 ** this.unitMagnitude;
    let smallestUntrackable = this.subBucketCount * 2 ** this.unitMagnitude;
    let buckets = 1;
    while (smallestUntrackable <= highest) {
      if (smallestUntrackable > kInt64Max / 2) {
        buckets++;
        break;
      }
      smallestUntrackable *= 2;
      buckets++;
    }
    this.countsLen = (buckets + 1) * this.subBucketHalfCount;
    this.counts = new Float64Array(this.countsLen);
    this.reset();
  }

  reset() {
    this.counts.fill(0);
    this.totalCount = 0;
    this.minValue = kInt64Max;
    this.maxValue = 0;
  }

  bucketIndex(value) {
    // 64 - clz(value | mask) - unitMagnitude - (halfCountMagnitude + 1)
    const pow2ceiling = Math.max(bitLength(value), bitLength(this.subBucketMask));
    return pow2ceiling - this.unitMagnitude - (this.subBucketHalfCountMagnitude + 1);
  }

  subBucketIndex(value, bucketIndex) {
    return Math.floor(value / 2 ** (bucketIndex + this.unitMagnitude));
  }

  countsIndex(value) {
    const b = this.bucketIndex(value);
    const sb = this.subBucketIndex(value, b);
    return (b + 1) * 2 ** this.subBucketHalfCountMagnitude + (sb - this.subBucketHalfCount);
  }

  valueAtIndex(index) {
    let b = Math.floor(index / 2 ** this.subBucketHalfCountMagnitude) - 1;
    let sb = (index % this.subBucketHalfCount) + this.subBucketHalfCount;
    if (b < 0) {
      sb -= this.subBucketHalfCount;
      b = 0;
    }
    return sb * 2 ** (b + this.unitMagnitude);
  }

  rangeSize(value) {
    const b = this.bucketIndex(value);
    const sb = this.subBucketIndex(value, b);
    const adjusted = sb >= this.subBucketCount ? b + 1 : b;
    return 2 ** (this.unitMagnitude + adjusted);
  }

  lowestEquivalent(value) {
    const b = this.bucketIndex(value);
    return this.subBucketIndex(value, b) * 2 ** (b + this.unitMagnitude);
  }

  highestEquivalent(value) {
    return this.lowestEquivalent(value) + this.rangeSize(value) - 1;
  }

  medianEquivalent(value) {
    return this.lowestEquivalent(value) + Math.floor(this.rangeSize(value) / 2);
  }

  record(value) {
    if (value < 0) return false;
    const index = this.countsIndex(value);
    if (index < 0 || index >= this.countsLen) return false;
    this.counts[index]++;
    this.totalCount++;
    if (value !== 0 && value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
    return true;
  }

  // Each value and count recorded (as HdrHistogram_c's record counts, to
  // add one histogram to another).
  * recorded() {
    for (let i = 0; i < this.countsLen; i++) {
      if (this.counts[i] !== 0) yield [this.valueAtIndex(i), this.counts[i]];
    }
  }

  min() {
    if (this.counts[0] > 0) return 0;
    return this.minValue === kInt64Max ? kInt64Max : this.lowestEquivalent(this.minValue);
  }

  max() {
    return this.maxValue === 0 ? 0 : this.highestEquivalent(this.maxValue);
  }

  mean() {
    let total = 0;
    for (const [value, count] of this.recorded()) total += count * this.medianEquivalent(value);
    return total / this.totalCount;
  }

  stddev() {
    const mean = this.mean();
    let total = 0;
    for (const [value, count] of this.recorded()) {
      const dev = this.medianEquivalent(value) - mean;
      total += dev * dev * count;
    }
    return Math.sqrt(total / this.totalCount);
  }

  valueAtPercentile(percentile) {
    const requested = Math.min(Math.max(percentile, 0), 100);
    const countAt = Math.max(Math.trunc((requested / 100) * this.totalCount + 0.5), 1);
    let total = 0;
    for (let i = 0; i < this.countsLen; i++) {
      total += this.counts[i];
      if (total >= countAt) {
        const v = this.valueAtIndex(i);
        return percentile === 0 ? this.lowestEquivalent(v) : this.highestEquivalent(v);
      }
    }
    return 0;
  }

  // HdrHistogram_c's percentile iteration with one tick per half distance:
  // fn(percentile, value) at 0, 50, 75, 87.5, ... and last at 100.
  percentiles(fn) {
    let index = -1;
    let cumulative = 0;
    let count = 0;
    let value = 0;
    let target = 0;
    const next = () => {
      while (++index < this.countsLen) {
        count = this.counts[index];
        cumulative += count;
        value = this.valueAtIndex(index);
        return true;
      }
      return false;
    };
    for (;;) {
      if (!(cumulative < this.totalCount)) {
        fn(100, value);
        return;
      }
      if (index === -1 && !next()) return;
      let reported = false;
      do {
        const current = (100 * cumulative) / this.totalCount;
        if (count !== 0 && target <= current) {
          fn(target, value);
          const ticks = 2 ** (Math.trunc(Math.log2(100 / (100 - target))) + 1);
          target += 100 / ticks;
          reported = true;
          break;
        }
      } while (next());
      if (!reported) {
        fn(100, value);
        return;
      }
    }
  }
}

// Node's own Map subclass name shows in util.inspect (`SafeMap(2) [Map]`).
class SafeMap extends Map {}

const kHdr = Symbol('kHdr');
const kExceeds = Symbol('kExceeds');
const kPrevDelta = Symbol('kPrevDelta');

function toBig(n) {
  return BigInt(Math.trunc(n));
}

class Histogram {
  constructor(token, lowest, highest, figures) {
    if (token !== kHdr) throw codes.ERR_ILLEGAL_CONSTRUCTOR();
    this[kHdr] = new Hdr(lowest, highest, figures);
    this[kExceeds] = 0;
  }

  get count() {
    return this[kHdr].totalCount;
  }

  get countBigInt() {
    return toBig(this.count);
  }

  get min() {
    return this[kHdr].min();
  }

  get minBigInt() {
    // an empty histogram's min is INT64_MAX, which a double cannot hold
    const hdr = this[kHdr];
    if (hdr.minValue === kInt64Max && hdr.counts[0] === 0) return 2n ** 63n - 1n;
    return toBig(this.min);
  }

  get max() {
    return this[kHdr].max();
  }

  get maxBigInt() {
    return toBig(this.max);
  }

  get mean() {
    return this[kHdr].mean();
  }

  get exceeds() {
    return this[kExceeds];
  }

  get exceedsBigInt() {
    return toBig(this.exceeds);
  }

  get stddev() {
    return this[kHdr].stddev();
  }

  percentile(percentile) {
    validateNumber(percentile, 'percentile');
    if (!(percentile > 0 && percentile <= 100)) {
      throw codes.ERR_OUT_OF_RANGE('percentile', '> 0 && <= 100', percentile);
    }
    return this[kHdr].valueAtPercentile(percentile);
  }

  percentileBigInt(percentile) {
    return toBig(this.percentile(percentile));
  }

  get percentiles() {
    const map = new SafeMap();
    this[kHdr].percentiles((p, v) => map.set(p, v));
    return map;
  }

  get percentilesBigInt() {
    const map = new SafeMap();
    this[kHdr].percentiles((p, v) => map.set(p, toBig(v)));
    return map;
  }

  reset() {
    this[kHdr].reset();
    this[kExceeds] = 0;
    this[kPrevDelta] = undefined;
  }

  toJSON() {
    return {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.mean,
      exceeds: this.exceeds,
      stddev: this.stddev,
      percentiles: Object.fromEntries(this.percentiles),
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) {
    if (depth < 0) return this;
    const shown = {
      min: this.min,
      max: this.max,
      mean: this.mean,
      exceeds: this.exceeds,
      stddev: this.stddev,
      count: this.count,
      percentiles: this.percentiles,
    };
    return require('./performance').inspectAs('Histogram', shown, options, inspect);
  }
}

function recordValue(h, value) {
  if (!h[kHdr].record(value)) h[kExceeds]++;
}

class RecordableHistogram extends Histogram {
  record(val) {
    if (typeof val === 'bigint') {
      recordValue(this, Number(val));
      return;
    }
    validateInteger(val, 'val', 1);
    recordValue(this, val);
  }

  // The time since the last call, in ns (the first call only starts).
  recordDelta() {
    const now = process.hrtime.bigint();
    const prev = this[kPrevDelta];
    this[kPrevDelta] = now;
    if (prev !== undefined) recordValue(this, Number(now - prev));
  }

  add(other) {
    if (!(other instanceof RecordableHistogram)) {
      throw codes.ERR_INVALID_ARG_TYPE('other', 'RecordableHistogram', other);
    }
    const hdr = this[kHdr];
    for (const [value, count] of other[kHdr].recorded()) {
      for (let i = 0; i < count; i++) {
        if (!hdr.record(value)) this[kExceeds]++;
      }
    }
    this[kExceeds] += other[kExceeds];
  }
}

function createHistogram(options = {}) {
  validateObject(options, 'options');
  let { lowest = 1, highest = Number.MAX_SAFE_INTEGER } = options;
  const { figures = 3 } = options;
  if (typeof lowest === 'bigint') lowest = Number(lowest);
  if (typeof highest === 'bigint') highest = Number(highest);
  validateInteger(lowest, 'options.lowest', 1, Number.MAX_SAFE_INTEGER);
  validateInteger(highest, 'options.highest', 2 * lowest, Number.MAX_SAFE_INTEGER);
  validateInteger(figures, 'options.figures', 1, 5);
  return new RecordableHistogram(kHdr, lowest, highest, figures);
}

// monitorEventLoopDelay: a timer every `resolution` ms records how late it
// fired (ns), as Node's ELDHistogram samples the loop's delay.
const kTimer = Symbol('kTimer');
const kResolution = Symbol('kResolution');

class ELDHistogram extends Histogram {
  enable() {
    if (this[kTimer] !== undefined) return false;
    const resolution = this[kResolution];
    const { setInterval } = require('../../bootstrap/timers');
    let last = process.hrtime.bigint();
    this[kTimer] = setInterval(() => {
      const now = process.hrtime.bigint();
      const delay = Number(now - last) - resolution * 1e6;
      last = now;
      if (delay > 0) recordValue(this, delay);
    }, resolution).unref();
    return true;
  }

  disable() {
    if (this[kTimer] === undefined) return false;
    this[kTimer].close();
    this[kTimer] = undefined;
    return true;
  }
}

function monitorEventLoopDelay(options = {}) {
  validateObject(options, 'options');
  const { resolution = 10 } = options;
  validateInteger(resolution, 'options.resolution', 1);
  const h = new ELDHistogram(kHdr, 1, Number.MAX_SAFE_INTEGER, 3);
  h[kResolution] = resolution;
  return h;
}

module.exports = { Histogram, RecordableHistogram, ELDHistogram, createHistogram, monitorEventLoopDelay };
