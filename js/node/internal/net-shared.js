// node/internal/net-shared.js — what node/net.js lends node/dgram.js
// node/http.js and node/child_process.js (filled in by net.js when it loads:
// lookupHost, accessDenied, exceptionWithHostPort, errnoException, isIP,
// validatePort, consume, the TCP and Pipe wraps and rawHandle).
'use strict';

module.exports = {};
