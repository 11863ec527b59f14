// node/path_win32.js — `require('path/win32')`: the same object as
// require('path').win32.
'use strict';

module.exports = require('./path').win32;
