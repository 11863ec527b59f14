// test-node/fake-process.js — what `require('process')` gives inside a test
// bundle: host Node's process (the bootstrap provides the real one).
'use strict';

module.exports = globalThis.process;
