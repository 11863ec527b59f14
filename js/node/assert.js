// node/assert.js — Node's `assert` module (first cut: the npm package).
'use strict';

module.exports = require('../node_modules/assert/build/assert.js');
