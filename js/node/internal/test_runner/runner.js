'use strict';
// node/internal/test_runner/runner.js — node:test's tests, suites and hooks,
// the root of a run and its event stream (Node 22.14's lib/internal/
// test_runner/{harness,test,tests_stream}.js, written anew for this
// runtime). Part of the lazy bundle: built at the first require('node:test').
//
// The shape is Node's: test() at the top level adds a test to the root,
// which runs its tests one after another; describe() builds a suite by
// calling its function at once; a test's subtests (t.test) run in order.
// Every step is told on the root's TestsStream as Node's events (test:
// enqueue, dequeue, start, pass, fail, plan, diagnostic, complete,
// summary), which the reporters (reporters.js) turn into text. Without
// run(), the default reporter (tap on a non-TTY stdout, spec on a TTY)
// writes the stream to stdout, and the root ends at the process's
// 'beforeExit' with the counts and process.exitCode = 1 on a failure.
// run() loads the given files into a root of its own in this process
// (Node's isolation: 'none'; a process per file is not made here).

const { Readable } = require('stream');
const path = require('path');
const fs = require('fs');
const { makeNodeError, codes } = require('../errors');
const { validateFunction, validateObject, validateNumber, validateAbortSignal } =
  require('../validators');
const { MockTracker } = require('./mock');

const kTestCodeFailure = 'testCodeFailure';
const kHookFailure = 'hookFailed';
const kSubtestsFailed = 'subtestsFailed';
const kCancelledByParent = 'cancelledByParent';
const kTestTimeoutFailure = 'testTimeoutFailure';
const kCallbackAndPromisePresent = 'callbackAndPromisePresent';
const kMultipleCallbackInvocations = 'multipleCallbackInvocations';

// Node's ERR_TEST_FAILURE: the cause kept, no stack of its own.
function testFailure(cause, failureType) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let message = cause;
  if (cause !== null && typeof cause === 'object' && 'message' in cause) message = cause.message;
  let err;
  try {
    err = makeNodeError(Error, 'ERR_TEST_FAILURE', String(message));
  } finally {
    Error.stackTraceLimit = limit;
  }
  err.failureType = failureType;
  err.cause = cause;
  return err;
}

// The caller's file, line and column (Node's getCallerLocation): the first
// frame outside the runtime's own code.
function callerLocation() {
  const stack = new Error().stack.split('\n');
  for (let i = 1; i < stack.length; i++) {
    const m = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(stack[i]);
    if (m === null) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = require('url').fileURLToPath(file);
    else if (!file.startsWith('/')) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return { file: undefined, line: undefined, column: undefined };
}

// ---- the event stream -----------------------------------------------------------

class TestsStream extends Readable {
  constructor() {
    super({ objectMode: true, highWaterMark: Number.MAX_SAFE_INTEGER });
    this.buffer = [];
    this.canPush = true;
  }

  _read() {
    this.canPush = true;
    while (this.buffer.length > 0) {
      const obj = this.buffer.shift();
      if (!this.emitObject(obj)) return;
    }
  }

  emitObject(obj) {
    if (obj === null) {
      this.push(null);
      return false;
    }
    this.canPush = this.push(obj);
    return this.canPush;
  }

  emitEvent(type, data) {
    const obj = { __proto__: null, type, data };
    if (this.canPush && this.buffer.length === 0) this.emitObject(obj);
    else this.buffer.push(obj);
  }

  end() {
    if (this.canPush && this.buffer.length === 0) this.emitObject(null);
    else this.buffer.push(null);
  }
}

function locData(test, data) {
  return {
    __proto__: null, ...data, line: test.loc.line, column: test.loc.column, file: test.loc.file,
  };
}

// ---- tests -------------------------------------------------------------------------------

let nextTestId = 0;

function noop() {}

function abortPromise(signal) {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', resolve, { once: true });
  });
}

function timeoutPromise(ms, test) {
  if (ms === Infinity) return null;
  let timer;
  const p = new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      reject(testFailure(new Error(`test timed out after ${ms}ms`), kTestTimeoutFailure));
    }, ms);
    if (timer.unref) timer.unref();
  });
  test.timers.push(() => clearTimeout(timer));
  return p;
}

// What TestContext and SuiteContext share: the test or suite they stand for.
class ContextBase {
  #owner;

  constructor(owner) {
    this.#owner = owner;
  }

  static ownerOf(ctx) {
    return ctx.#owner;
  }

  get signal() {
    return this.#owner.signal;
  }

  get name() {
    return this.#owner.name;
  }

  get fullName() {
    return this.#owner.fullName();
  }

  get filePath() {
    return this.#owner.loc.file;
  }
}

class TestContext extends ContextBase {
  get #test() {
    return ContextBase.ownerOf(this);
  }

  get mock() {
    const test = this.#test;
    if (test.mock === null) test.mock = new MockTracker();
    return test.mock;
  }

  get assert() {
    const assert = require('assert');
    const out = {};
    for (const key of ['deepEqual', 'deepStrictEqual', 'doesNotMatch', 'doesNotReject', 'doesNotThrow',
      'equal', 'fail', 'ifError', 'match', 'notDeepEqual', 'notDeepStrictEqual', 'notEqual',
      'notStrictEqual', 'partialDeepStrictEqual', 'rejects', 'strictEqual', 'throws', 'ok']) {
      if (typeof assert[key] === 'function') out[key] = assert[key];
    }
    return out;
  }

  diagnostic(message) {
    this.#test.diagnostics.push(message);
  }

  plan(count) {
    validateNumber(count, 'count', 0);
    this.#test.planned = count;
  }

  runOnly(value) {
    this.#test.runOnlySubtests = !!value;
  }

  skip(message) {
    this.#test.skipped = true;
    this.#test.message = message;
  }

  todo(message) {
    this.#test.isTodo = true;
    this.#test.message = message;
  }

  test(name, options, fn) {
    return this.#test.createSubtest(Test, name, options, fn, callerLocation()).start();
  }

  before(fn, options) {
    this.#test.addHook('before', fn, options);
  }

  after(fn, options) {
    this.#test.addHook('after', fn, options);
  }

  beforeEach(fn, options) {
    this.#test.addHook('beforeEach', fn, options);
  }

  afterEach(fn, options) {
    this.#test.addHook('afterEach', fn, options);
  }

  waitFor(condition, options = {}) {
    validateFunction(condition, 'condition');
    validateObject(options, 'options');
    const { interval = 50, timeout = 1000 } = options;
    const deadline = Date.now() + timeout;
    return new Promise((resolve, reject) => {
      const poll = async () => {
        let last;
        try {
          resolve(await condition());
          return;
        } catch (err) {
          last = err;
        }
        if (Date.now() >= deadline) {
          const err = new Error('waitFor() timed out');
          err.cause = last;
          reject(err);
          return;
        }
        setTimeout(poll, interval);
      };
      poll();
    });
  }
}

class SuiteContext extends ContextBase {}

function normalizeArgs(name, options, fn) {
  if (typeof name === 'function') {
    fn = name;
    name = fn.name;
    options = undefined;
  } else if (name !== null && typeof name === 'object') {
    fn = options;
    options = name;
    name = typeof fn === 'function' ? fn.name : undefined;
  } else if (typeof options === 'function') {
    fn = options;
    options = undefined;
  }
  if (options === null || options === undefined) options = {};
  validateObject(options, 'options');
  if (name === undefined || name === null || name === '') name = '<anonymous>';
  else name = String(name);
  return { name, options, fn };
}

class Test {
  constructor(parent, name, options, fn, loc, root) {
    this.id = nextTestId++;
    this.parent = parent;
    this.root = root || this;
    this.name = name;
    this.fn = fn ?? noop; // a test without a function still runs (its hooks too)
    this.loc = loc || { file: undefined, line: undefined, column: undefined };
    this.nesting = parent === null ? -1 : parent.nesting + 1;
    this.subtests = [];
    this.pending = Promise.resolve();
    this.hooks = { before: [], after: [], beforeEach: [], afterEach: [] };
    this.diagnostics = [];
    this.timers = [];
    // what the run finds out (outcome, timing, what the test asked for)
    Object.assign(this, {
      mock: null, passed: false, error: null, skipped: false, isTodo: false, message: undefined,
      planned: undefined, assertCount: 0, startTime: 0n, endTime: 0n, finished: false,
      started: false, running: 0, runOnlySubtests: false, reportedType: undefined, testNumber: 0,
    });
    const { skip, todo, only, timeout, signal } = options || {};
    if (skip !== undefined && skip !== false) {
      this.skipped = true;
      if (typeof skip === 'string') this.message = skip;
    }
    if (todo !== undefined && todo !== false) {
      this.isTodo = true;
      if (typeof todo === 'string' && !this.skipped) this.message = todo;
    }
    this.only = !!only;
    if (timeout !== undefined && timeout !== Infinity) validateNumber(timeout, 'options.timeout', 0);
    this.timeout = timeout ?? (parent !== null ? parent.timeout : Infinity);
    if (signal !== undefined) validateAbortSignal(signal, 'options.signal');
    this.controller = new AbortController();
    this.signal = this.controller.signal;
    this.outerSignal = signal;
    if (options && options.plan !== undefined) {
      validateNumber(options.plan, 'options.plan', 0);
      this.planned = options.plan;
    }
  }

  fullName() {
    const names = [];
    for (let t = this; t !== null && t.parent !== null; t = t.parent) names.unshift(t.name);
    return names.join(' > ');
  }

  get reporter() {
    return this.root.stream;
  }

  addHook(kind, fn, options = {}) {
    validateFunction(fn, 'fn');
    validateObject(options, 'options');
    this.hooks[kind].push({ fn, timeout: options.timeout ?? this.timeout, loc: callerLocation() });
  }

  createSubtest(Factory, name, options, fn, loc) {
    const args = normalizeArgs(name, options, fn);
    const test = new Factory(this, args.name, args.options, args.fn, loc, this.root);
    this.subtests.push(test);
    this.reporter.emitEvent('test:enqueue', locData(test, { nesting: test.nesting, name: test.name }));
    return test;
  }

  // Queued after the tests before it; the promise settles when it ended.
  // A subtest (t.test) with none before it still running starts at once,
  // as Node's; top-level tests start from the loop.
  start() {
    const parent = this.parent;
    let run;
    if (parent !== this.root && parent.running === 0) run = this.runTest();
    else run = parent.pending.then(() => this.runTest());
    parent.running++;
    run = run.finally(() => {
      parent.running--;
    });
    parent.pending = run;
    return run.then(() => undefined);
  }

  async runHooks(kind, ctx, target = this) {
    for (const hook of this.hooks[kind]) {
      try {
        await runWithTimeout(() => callMaybeCallback(hook.fn, ctx, [ctx]), hook.timeout, target);
      } catch (err) {
        throw testFailure(err instanceof Error && err.code === 'ERR_TEST_FAILURE' &&
          err.failureType === kTestTimeoutFailure ? err.cause : err, kHookFailure);
      }
    }
  }

  // The ancestors' beforeEach (outermost first) / afterEach (innermost first).
  async runEachHooks(kind, ctx) {
    const chain = [];
    for (let t = this.parent; t !== null; t = t.parent) chain.unshift(t);
    if (kind === 'afterEach') chain.reverse();
    for (const t of chain) await t.runHooks(kind, ctx, this);
  }

  reportStart() {
    if (this.started) return;
    this.started = true;
    this.reporter.emitEvent('test:dequeue', locData(this, { nesting: this.nesting, name: this.name }));
    this.reporter.emitEvent('test:start', locData(this, { nesting: this.nesting, name: this.name }));
  }

  async runTest() {
    if (this.parent === this.root) await this.root.runBeforeHooks();
    this.startTime = performanceNow();
    this.reportStart();
    const ctx = new TestContext(this);
    if (this.parent.runOnlySubtests && !this.only) {
      this.skipped = true;
      this.message = "'only' option not set";
    }
    if (this.outerSignal?.aborted || this.parent.signal.aborted) {
      this.fail(testFailure(new Error('test did not finish before its parent and was cancelled'),
        kCancelledByParent));
    } else if (!this.skipped && typeof this.fn === 'function') {
      try {
        await this.runEachHooks('beforeEach', ctx);
        await this.runHooks('before', ctx);
        await runWithTimeout(() => callMaybeCallback(this.fn, ctx, [ctx]), this.timeout, this);
        await this.pending;
        this.checkPlan();
        this.pass();
      } catch (err) {
        this.fail(err);
      }
      try {
        await this.pending;
        await this.runHooks('after', ctx);
        await this.runEachHooks('afterEach', ctx);
      } catch (err) {
        if (this.error === null) this.fail(err);
      }
    } else {
      this.pass();
    }
    this.finish();
  }

  checkPlan() {
    if (this.planned !== undefined && this.planned !== this.subtests.length + this.assertCount) {
      throw testFailure(new Error(
        `plan expected ${this.planned} assertions but received ${this.subtests.length + this.assertCount}`),
      kTestCodeFailure);
    }
  }

  pass() {
    if (this.error !== null) return;
    const failed = this.subtests.filter((t) => !t.passed && !t.isTodo && !t.skipped).length;
    if (failed > 0) {
      this.fail(testFailure(new Error(`${failed} subtest${failed === 1 ? '' : 's'} failed`),
        kSubtestsFailed));
      return;
    }
    this.passed = true;
  }

  fail(err) {
    if (this.error !== null) return;
    if (!(err instanceof Error && err.code === 'ERR_TEST_FAILURE')) err = testFailure(err, kTestCodeFailure);
    this.error = err;
    this.passed = false;
  }

  finish() {
    if (this.finished) return;
    this.finished = true;
    this.endTime = performanceNow();
    for (const clear of this.timers) clear();
    if (this.mock !== null) this.mock.reset();
    this.controller.abort();
    const parent = this.parent;
    this.testNumber = parent.subtests.indexOf(this) + 1;
    this.root.count(this);
    this.report();
  }

  report() {
    const details = { __proto__: null, duration_ms: durationMs(this.startTime, this.endTime) };
    if (this.reportedType !== undefined) details.type = this.reportedType;
    if (!this.passed) details.error = this.error;
    const data = locData(this, {
      name: this.name, nesting: this.nesting, testNumber: this.testNumber, details,
    });
    if (this.skipped) data.skip = this.message ?? true;
    else if (this.isTodo) data.todo = this.message ?? true;
    if (this.subtests.length > 0) {
      this.reporter.emitEvent('test:plan', locData(this, { nesting: this.nesting + 1, count: this.subtests.length }));
    }
    this.reporter.emitEvent('test:complete', { __proto__: null, ...data, passed: this.passed });
    this.reporter.emitEvent(this.passed ? 'test:pass' : 'test:fail', data);
    for (const message of this.diagnostics) {
      this.reporter.emitEvent('test:diagnostic', locData(this, { nesting: this.nesting, message }));
    }
  }
}

class Suite extends Test {
  constructor(parent, name, options, fn, loc, root) {
    super(parent, name, options, fn, loc, root);
    this.reportedType = 'suite';
    this.buildError = null;
    this.built = Promise.resolve();
    if (!this.skipped && typeof fn === 'function') {
      const previous = this.root.currentSuite;
      this.root.currentSuite = this;
      try {
        const result = Reflect.apply(fn, new SuiteContext(this), [new SuiteContext(this)]);
        if (result && typeof result.then === 'function') {
          this.built = Promise.resolve(result).then(() => undefined, (err) => {
            this.buildError = err;
          });
        }
      } catch (err) {
        this.buildError = err;
      } finally {
        this.root.currentSuite = previous;
      }
    }
  }

  async runTest() {
    if (this.parent === this.root) await this.root.runBeforeHooks();
    this.startTime = performanceNow();
    await this.built;
    this.reportStart();
    const ctx = new SuiteContext(this);
    if (this.buildError !== null) {
      this.fail(testFailure(this.buildError, kTestCodeFailure));
    } else if (!this.skipped) {
      const runOnly = this.subtests.some((t) => t.only);
      try {
        await this.runHooks('before', ctx);
        for (const test of this.subtests) {
          if (runOnly && !test.only && this.root.onlyMode) {
            test.skipped = true;
            test.message = "'only' option not set";
          }
          await test.runTest();
        }
        this.pass();
      } catch (err) {
        this.fail(err);
        for (const test of this.subtests) {
          if (!test.finished) {
            test.startTime = performanceNow();
            test.reportStart();
            test.fail(testFailure(new Error('test did not finish before its parent and was cancelled'),
              kCancelledByParent));
            test.finish();
          }
        }
      }
      try {
        await this.runHooks('after', ctx);
      } catch (err) {
        if (this.error === null) this.fail(err);
      }
    } else {
      for (const test of this.subtests) {
        test.skipped = true;
        await test.runTest();
      }
      this.pass();
    }
    this.finish();
  }
}

// Times are hrtime BigInts; a duration is Node's Number(ns) / 1e6.
function performanceNow() {
  return process.hrtime.bigint();
}

function durationMs(start, end) {
  return Number(end - start) / 1e6;
}

// fn(ctx) or fn(ctx, done): a function of two parameters gets a callback.
function callMaybeCallback(fn, thisArg, args) {
  if (fn.length < 2) return Reflect.apply(fn, thisArg, args);
  return new Promise((resolve, reject) => {
    let called = false;
    const done = (err) => {
      if (called) {
        reject(testFailure(new Error('callback invoked multiple times'), kMultipleCallbackInvocations));
        return;
      }
      called = true;
      if (err) reject(err);
      else resolve();
    };
    let ret;
    try {
      ret = Reflect.apply(fn, thisArg, [...args, done]);
    } catch (err) {
      reject(err);
      return;
    }
    if (ret && typeof ret.then === 'function') {
      reject(testFailure(new Error('passed a callback but also returned a Promise'),
        kCallbackAndPromisePresent));
    }
  });
}

async function runWithTimeout(call, ms, test) {
  const result = call();
  if (!result || typeof result.then !== 'function') return result;
  const timeout = timeoutPromise(ms, test);
  const aborted = test.outerSignal ? abortPromise(test.outerSignal).then(() => {
    throw testFailure(test.outerSignal.reason, kCancelledByParent);
  }) : null;
  const racers = [result];
  if (timeout !== null) racers.push(timeout);
  if (aborted !== null) racers.push(aborted);
  return racers.length === 1 ? result : Promise.race(racers);
}

// ---- the root ----------------------------------------------------------------------------

class Root extends Test {
  constructor(options = {}) {
    super(null, '<root>', {}, undefined, undefined, null);
    this.root = this;
    this.stream = new TestsStream();
    this.currentSuite = null;
    this.onlyMode = !!options.only;
    this.counts = {
      tests: 0, suites: 0, passed: 0, failed: 0, cancelled: 0, skipped: 0, todo: 0, topLevel: 0,
    };
    this.startTime = performanceNow();
    this.ended = false;
    this.beforeRan = false;
  }

  // The top level's before hooks, before its first test; once.
  async runBeforeHooks() {
    if (this.beforeRan) return;
    this.beforeRan = true;
    try {
      await this.runHooks('before', {});
    } catch (err) {
      this.error = err;
    }
  }

  // The parent of a test made now: the suite being built, else the root.
  parentNow() {
    return this.currentSuite !== null ? this.currentSuite : this;
  }

  count(test) {
    const c = this.counts;
    if (test.parent === this) c.topLevel++;
    if (test.reportedType === 'suite') {
      c.suites++;
      return;
    }
    c.tests++;
    if (test.skipped) c.skipped++;
    else if (test.isTodo) c.todo++;
    else if (test.passed) c.passed++;
    else if (test.error && test.error.failureType === kCancelledByParent) c.cancelled++;
    else c.failed++;
  }

  // Runs what was queued, then the counts; once.
  async end() {
    if (this.ended) return;
    this.ended = true;
    await this.pending;
    try {
      await this.runHooks('after', {});
    } catch (err) {
      if (this.error === null) this.error = err;
    }
    this.endTime = performanceNow();
    const c = this.counts;
    this.reporter.emitEvent('test:plan', { __proto__: null, nesting: 0, count: this.subtests.length });
    const duration = durationMs(this.startTime, this.endTime);
    for (const [name, value] of [['tests', c.tests], ['suites', c.suites], ['pass', c.passed],
      ['fail', c.failed], ['cancelled', c.cancelled], ['skipped', c.skipped], ['todo', c.todo],
      ['duration_ms', duration]]) {
      this.reporter.emitEvent('test:diagnostic', { __proto__: null, nesting: 0, message: `${name} ${value}` });
    }
    const success = c.failed === 0 && c.cancelled === 0 && this.error === null;
    this.reporter.emitEvent('test:summary', {
      __proto__: null,
      success,
      counts: { ...c },
      duration_ms: duration,
    });
    this.reporter.end();
    return success;
  }
}

// ---- the harness --------------------------------------------------------------------------

let globalRoot = null;
let activeRoot = null; // run()'s root while it loads its files

function defaultReporter() {
  const reporters = require('./reporters');
  return process.stdout.isTTY ? new reporters.spec() : reporters.tap;
}

function getRoot() {
  if (activeRoot !== null) return activeRoot;
  if (globalRoot === null) {
    globalRoot = new Root();
    const root = globalRoot;
    const reporter = defaultReporter();
    const out = root.reporter.compose(reporter);
    out.on('data', (chunk) => process.stdout.write(chunk));
    const onBeforeExit = () => {
      process.removeListener('beforeExit', onBeforeExit);
      root.end().then((success) => {
        if (!success) process.exitCode = 1;
      });
    };
    process.on('beforeExit', onBeforeExit);
  }
  return globalRoot;
}

function makeTest(Factory) {
  return function (name, options, fn) {
    const root = getRoot();
    const parent = root.parentNow();
    const loc = callerLocation();
    const test = parent.createSubtest(Factory, name, options, fn, loc);
    if (parent !== root) return undefined;
    return test.start();
  };
}

function withVariants(fn, Factory) {
  fn.skip = (name, options, f) => fn(...variantArgs(name, options, f, { skip: true }));
  fn.todo = (name, options, f) => fn(...variantArgs(name, options, f, { todo: true }));
  fn.only = (name, options, f) => fn(...variantArgs(name, options, f, { only: true }));
  return fn;
}

function variantArgs(name, options, fn, extra) {
  const args = normalizeArgs(name, options, fn);
  return [args.name, { ...args.options, ...extra }, args.fn];
}

const test = withVariants(makeTest(Test));
const suite = withVariants(function describe(name, options, fn) {
  const root = getRoot();
  const parent = root.parentNow();
  const s = parent.createSubtest(Suite, name, options, fn, callerLocation());
  if (parent !== root) return undefined;
  return s.start();
});

function hook(kind) {
  return function (fn, options) {
    const root = getRoot();
    const parent = root.parentNow();
    parent.addHook(kind, fn, options);
  };
}

// ---- run() -------------------------------------------------------------------------------

const kDefaultPatterns = [/\.test\.[cm]?js$/, /-test\.[cm]?js$/, /_test\.[cm]?js$/, /^test\.[cm]?js$/];

function findTestFiles(dir) {
  const out = [];
  const walk = (d, inTestDir) => {
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full, inTestDir || e.name === 'test');
      else if (kDefaultPatterns.some((re) => re.test(e.name)) ||
        (inTestDir && /\.[cm]?js$/.test(e.name))) {
        out.push(full);
      }
    }
  };
  walk(dir, false);
  return out;
}

function run(options = {}) {
  validateObject(options, 'options');
  const { files, only, signal } = options;
  if (files !== undefined && !Array.isArray(files)) {
    throw codes.ERR_INVALID_ARG_TYPE('options.files', 'Array', files);
  }
  if (signal !== undefined) validateAbortSignal(signal, 'options.signal');
  const isolation = options.isolation ?? 'process';
  if (isolation !== 'process' && isolation !== 'none') {
    throw codes.ERR_INVALID_ARG_VALUE('options.isolation', isolation, "must be one of: 'process', 'none'");
  }
  const root = new Root({ only });
  const list = files !== undefined ? files.map((f) => path.resolve(f)) :
    findTestFiles(options.cwd ?? process.cwd());
  process.nextTick(async () => {
    for (const file of list) {
      activeRoot = root;
      try {
        if (/\.mjs$/.test(file)) {
          activeRoot = root;
          await import(require('url').pathToFileURL(file).href);
        } else {
          require(file);
        }
      } catch (err) {
        const t = root.createSubtest(Test, file, {}, () => {
          throw err;
        }, { file, line: undefined, column: undefined });
        t.start();
      } finally {
        activeRoot = null;
      }
    }
    await root.end();
  });
  // the tests were queued on the root when their file made them (start())
  return root.reporter;
}

module.exports = {
  test,
  suite,
  describe: suite,
  it: test,
  before: hook('before'),
  after: hook('after'),
  beforeEach: hook('beforeEach'),
  afterEach: hook('afterEach'),
  run,
  MockTracker,
  getRoot,
  kTestCodeFailure,
};
