'use strict';
// The entry of the lazy bundle (build/js/lazy.js; see build-support.js):
// each part is built at its first use.

module.exports = {
  undici: () => require('undici/index-fetch.js'),
  streamWeb: () => require('../../stream_web'),
  shell: () => require('../shell/repl.js'),
  test: () => require('../test_runner/index.js'),
};
