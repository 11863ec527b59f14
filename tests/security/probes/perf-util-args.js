// Hostile arguments to what reaches the callSites and timing natives
// (util.getCallSites, performance, the histograms, readline's parsers):
// each ends in a value or a Node error with a code, never a crash of the
// process; a stack 10 000 frames deep or a getter that throws changes
// nothing.
const util = require('util');
const { performance, createHistogram, monitorEventLoopDelay } = require('perf_hooks');
const bad = [];
function tryIt(label, fn) {
  try {
    fn();
  } catch (e) {
    // a Node error, an engine TypeError/RangeError, or the probe's own trap
    if (!(e instanceof Error) || (e.code === undefined && !(e instanceof TypeError) &&
        !(e instanceof RangeError) && e.name !== 'SyntaxError' && e.message !== 'trap')) {
      bad.push(`${label}: ${e && e.message}`);
    }
  }
}
const evil = new Proxy({}, { get() { throw new Error('trap'); } });
const weird = [undefined, null, -1, 0, 1e308, -0, NaN, Infinity, 2 ** 53, 201, '10', {}, [], evil,
  Symbol('s'), 10n, () => {}];
for (const [i, a] of weird.entries()) {
  for (const [j, b] of weird.entries()) {
    tryIt(`getCallSites(#${i}, #${j})`, () => util.getCallSites(a, b));
    tryIt(`measure(#${i}, #${j})`, () => performance.measure('m', a, b));
    tryIt(`elu(#${i}, #${j})`, () => performance.eventLoopUtilization(a, b));
    tryIt(`timerify(#${i}, #${j})`, () => performance.timerify(a, b));
  }
  tryIt('histogram', () => createHistogram(a));
  tryIt('record', () => createHistogram().record(a));
  tryIt('percentile', () => createHistogram().percentile(a));
  tryIt('eld', () => monitorEventLoopDelay(a));
  tryIt('mark', () => performance.mark('m', a));
  tryIt('mime', () => new util.MIMEType(a));
  tryIt('parseArgs', () => util.parseArgs(a));
}
function deep(n) {
  return n === 0 ? util.getCallSites(200).length : deep(n - 1);
}
tryIt('deep', () => {
  if (deep(10000) !== 200) bad.push('deep stack: not 200 frames');
});
tryIt('huge mime', () => new util.MIMEType(`a/b;${'x=y;'.repeat(100000)}`));
const h = createHistogram();
for (let i = 1; i < 2 ** 53; i *= 3) h.record(i);
if (!(h.max > 0 && h.percentiles.size > 0)) bad.push('histogram lost its values');
for (let i = 0; i < 1000; i++) {
  if (!(performance.nodeTiming.idleTime >= 0)) bad.push('idleTime');
}
console.log(bad.length ? `ESCAPED ${bad.slice(0, 5).join('; ')}` : 'HELD');
