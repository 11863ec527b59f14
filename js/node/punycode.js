// node/punycode.js — Node's deprecated `punycode` module: the npm punycode
// package (2.x, the version Node bundles). Node 22 prints a DEP0040
// warning on first require from user code; that is the loader's business.
'use strict';

module.exports = require('../node_modules/punycode/punycode.js');
