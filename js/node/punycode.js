// node/punycode.js — Node's deprecated `punycode` module: the npm punycode
// package (2.3.1; Node bundles 2.1.0, same API and results, and reports
// version '2.1.0', which this object reports too). Node 22 prints a DEP0040
// warning on first require from user code; that is the loader's business.
'use strict';

const punycode = require('../node_modules/punycode/punycode.js');

module.exports = { ...punycode, version: '2.1.0' };
