'use strict';
// What the bootstrap and worker_threads hand each other (not a module guests
// can require): worker_threads puts setupWorkerThread and reportWorkerError
// here, the bootstrap its process helpers (process).
module.exports = {};
