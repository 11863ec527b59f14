// node/internal/base64.js — atob / btoa (WHATWG forgiving-base64).
//
// Own code with no Buffer dependency, so globals can load before buffer.
// Errors match Node 22: no argument -> ERR_MISSING_ARGS('input'); a code
// unit above 0xFF (btoa) or a character outside the alphabet, a misplaced
// '=' or more than two of them (atob) -> DOMException('Invalid character',
// 'InvalidCharacterError'); a length that leaves one stray character ->
// DOMException('The string to be decoded is not correctly encoded.',
// 'InvalidCharacterError'). ASCII whitespace is ignored by atob.
'use strict';

const { codes } = require('./errors');
const { DOMException } = require('./dom-exception');

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const decodeTable = new Int16Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) decodeTable[alphabet.charCodeAt(i)] = i;

function isAsciiWhitespace(c) {
  return c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;
}

function btoa(input) {
  if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('input');
  input = `${input}`;
  let out = '';
  let i = 0;
  for (let k = 0; k < input.length; k++) {
    if (input.charCodeAt(k) > 0xff) throw new DOMException('Invalid character', 'InvalidCharacterError');
  }
  for (; i + 2 < input.length; i += 3) {
    const n = (input.charCodeAt(i) << 16) | (input.charCodeAt(i + 1) << 8) | input.charCodeAt(i + 2);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
  }
  const rest = input.length - i;
  if (rest === 1) {
    const n = input.charCodeAt(i) << 16;
    out += `${alphabet[n >> 18]}${alphabet[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (input.charCodeAt(i) << 16) | (input.charCodeAt(i + 1) << 8);
    out += `${alphabet[n >> 18]}${alphabet[(n >> 12) & 63]}${alphabet[(n >> 6) & 63]}=`;
  }
  return out;
}

function atob(input) {
  if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('input');
  input = `${input}`;
  const values = [];
  let equals = 0;
  for (let k = 0; k < input.length; k++) {
    const c = input.charCodeAt(k);
    if (isAsciiWhitespace(c)) continue;
    if (c === 0x3d) {
      equals++;
      if (equals > 2) throw new DOMException('Invalid character', 'InvalidCharacterError');
      continue;
    }
    const v = c < 128 ? decodeTable[c] : -1;
    if (v === -1 || equals > 0) throw new DOMException('Invalid character', 'InvalidCharacterError');
    values.push(v);
  }
  const total = values.length + equals;
  if (equals > 0 && total % 4 !== 0) throw new DOMException('Invalid character', 'InvalidCharacterError');
  if (values.length % 4 === 1) {
    throw new DOMException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError');
  }
  let out = '';
  let i = 0;
  for (; i + 3 < values.length; i += 4) {
    const n = (values[i] << 18) | (values[i + 1] << 12) | (values[i + 2] << 6) | values[i + 3];
    out += String.fromCharCode(n >> 16, (n >> 8) & 0xff, n & 0xff);
  }
  const rest = values.length - i;
  if (rest === 2) {
    const n = (values[i] << 18) | (values[i + 1] << 12);
    out += String.fromCharCode(n >> 16);
  } else if (rest === 3) {
    const n = (values[i] << 18) | (values[i + 1] << 12) | (values[i + 2] << 6);
    out += String.fromCharCode(n >> 16, (n >> 8) & 0xff);
  }
  return out;
}

module.exports = { atob, btoa };
