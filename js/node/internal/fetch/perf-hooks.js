'use strict';
// What undici takes from node:perf_hooks (its bundle only): the performance
// global's object.

module.exports = { performance: require('../performance').performance };
