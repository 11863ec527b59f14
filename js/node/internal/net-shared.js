// node/internal/net-shared.js — what node/net.js lends node/dgram.js
// and node/http.js (filled in by net.js when it loads: lookupHost, accessDenied,
// exceptionWithHostPort, errnoException, isIP, validatePort, consume).
'use strict';

module.exports = {};
