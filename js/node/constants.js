// node/constants.js — Node's deprecated `constants` module: one frozen flat
// object of os.constants.dlopen, errno, priority and signals, fs.constants
// and crypto.constants, in Node's order, with Linux values
// (internal/linux-constants.js; constants-browserify has macOS numbers).
'use strict';

const groups = require('./internal/linux-constants');

const flat = Object.assign({}, groups.dlopen, groups.errno, groups.priority, groups.signals,
  groups.fs, groups.crypto);
// crypto.constants has it; the constants module does not.
delete flat.defaultCipherList;

module.exports = Object.freeze(flat);
