'use strict';
// node/internal/test_runner/index.js — what node:test and
// node:test/reporters export (the lazy bundle's `test` part): the test
// function with Node's properties (describe/it/suite, hooks, mock, run).

const runner = require('./runner');
const reporters = require('./reporters');

let mock;

function nodeTest() {
  const test = runner.test;
  Object.assign(test, {
    after: runner.after,
    afterEach: runner.afterEach,
    before: runner.before,
    beforeEach: runner.beforeEach,
    describe: runner.describe,
    it: runner.it,
    run: runner.run,
    suite: runner.suite,
    test,
  });
  Object.defineProperty(test, 'mock', {
    configurable: true,
    enumerable: true,
    get() {
      if (mock === undefined) mock = new runner.MockTracker();
      return mock;
    },
  });
  return test;
}

function nodeTestReporters() {
  return { dot: reporters.dot, spec: reporters.spec, tap: reporters.tap };
}

module.exports = { nodeTest, nodeTestReporters };
