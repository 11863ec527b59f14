// node/util_types.js — `require('util/types')`: the same object as
// require('util').types.
'use strict';

module.exports = require('./util').types;
