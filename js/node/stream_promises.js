// node/stream_promises.js — `require('stream/promises')`: pipeline and
// finished returning promises; the same object as require('stream').promises.
'use strict';

module.exports = require('./stream').promises;
