'use strict';
// require('timers'): the same functions as the globals, plus the promises API.

const t = require('../bootstrap/timers');

module.exports = {
  setTimeout: t.setTimeout,
  clearTimeout: t.clearTimeout,
  setInterval: t.setInterval,
  clearInterval: t.clearInterval,
  setImmediate: t.setImmediate,
  clearImmediate: t.clearImmediate,
  active: t.active,
  unenroll: t.unenroll,
  _unrefActive: t.unrefActive,
};
Object.defineProperty(module.exports, 'promises', {
  get() {
    return require('./timers_promises');
  },
  enumerable: true,
  configurable: true,
});
