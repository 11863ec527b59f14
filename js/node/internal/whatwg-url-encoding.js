// node/internal/whatwg-url-encoding.js — stands in for whatwg-url's
// lib/encoding.js, which builds a TextEncoder and a TextDecoder from the
// globals when it loads. At snapshot time those globals do not exist yet
// (this project provides them), so the build redirects that file here
// (see build-support.js). Same interface: utf8Encode, utf8DecodeWithoutBOM.
'use strict';

const { utf8Encode, utf8DecodeWithoutBOM } = require('./encoding');

module.exports = { utf8Encode, utf8DecodeWithoutBOM };
