// node/path_posix.js — `require('path/posix')`: the same object as
// require('path').posix.
'use strict';

module.exports = require('./path').posix;
