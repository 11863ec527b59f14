// node/internal/qs-shim.js — stands in for the `qs` package inside the npm
// `url` package (the build aliases `qs` here), so that url.parse(s, true)
// and url.format({ query }) use Node's querystring semantics
// (null-prototype query objects, no nested a[b]=c syntax) and qs's
// dependency tree is not bundled.
'use strict';

const querystring = require('../querystring');

module.exports = {
  parse(str) {
    return querystring.parse(str);
  },
  stringify(obj) {
    return querystring.stringify(obj);
  },
};
