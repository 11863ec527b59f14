'use strict';
// require('timers'): the same functions as the globals, the promises API,
// and Node's legacy timer API on plain objects (enroll, unenroll, active,
// _unrefActive), deprecated as in Node 22 (DEP0095, DEP0096, DEP0126,
// DEP0127: one warning per code).

const t = require('../bootstrap/timers');
const { deprecate } = require('util');

module.exports = {
  setTimeout: t.setTimeout,
  clearTimeout: t.clearTimeout,
  setInterval: t.setInterval,
  clearInterval: t.clearInterval,
  setImmediate: t.setImmediate,
  clearImmediate: t.clearImmediate,
  _unrefActive: deprecate(t.unrefActive,
    'timers._unrefActive() is deprecated. Please use timeout.refresh() instead.', 'DEP0127'),
  active: deprecate(t.active,
    'timers.active() is deprecated. Please use timeout.refresh() instead.', 'DEP0126'),
  unenroll: deprecate(t.unenroll,
    'timers.unenroll() is deprecated. Please use clearTimeout instead.', 'DEP0096'),
  enroll: deprecate(t.enroll,
    'timers.enroll() is deprecated. Please use setTimeout instead.', 'DEP0095'),
};
Object.defineProperty(module.exports, 'promises', {
  get() {
    return require('./timers_promises');
  },
  enumerable: true,
  configurable: true,
});
