// node/internal/net-shared.js — what node/net.js lends node/dgram.js
// (filled in by net.js when it loads: lookupHost, accessDenied,
// exceptionWithHostPort, errnoException, isIP, validatePort).
'use strict';

module.exports = {};
