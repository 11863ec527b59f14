// node/querystring.js — Node's `querystring` module.
//
// Own code (querystring-es3 returns plain objects, so '__proto__' keys and
// util.inspect output differ from Node). parse/decode return a
// null-prototype object, '+' means space, repeated keys collect into an
// array, maxKeys (default 1000, 0 = no limit) bounds the pairs read, and a
// decoder that throws falls back to unescape(); undecodable %XX bytes come
// out as U+FFFD. stringify/encode accept strings, finite numbers, bigints
// and booleans (anything else becomes ''), arrays repeat the key. escape()
// reads a surrogate and the unit after it as one code point, as Node does,
// and throws URIError [ERR_INVALID_URI] on one at the end.
'use strict';

const { makeNodeError } = require('./internal/errors');

function hexValue(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

// %XX -> byte, everything else -> its UTF-8 bytes; '+' -> ' ' if asked.
function unescapeBuffer(s, decodeSpaces = false) {
  const { Buffer } = require('./buffer');
  const src = Buffer.from(`${s}`);
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === 0x25 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]);
      const lo = hexValue(src[i + 2]);
      if (hi !== -1 && lo !== -1) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = c === 0x2b && decodeSpaces ? 0x20 : c;
  }
  return out.subarray(0, n);
}

function unescape(s, decodeSpaces = false) {
  try {
    return decodeURIComponent(s);
  } catch {
    return module.exports.unescapeBuffer(s, decodeSpaces).toString();
  }
}

function escape(str) {
  if (typeof str !== 'string') {
    if (typeof str === 'object') str = String(str);
    else str += '';
  }
  try {
    return encodeURIComponent(str);
  } catch {
    return escapeSurrogates(str);
  }
}

// Node's encoder takes any surrogate and the unit after it as one code
// point (0x10000 + the low ten bits of each); only a surrogate at the end
// is URI malformed.
function escapeSurrogates(str) {
  let out = '';
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0xd800 || c >= 0xe000) {
      out += encodeURIComponent(str[i]);
      continue;
    }
    if (++i >= str.length) throw makeNodeError(URIError, 'ERR_INVALID_URI', 'URI malformed');
    const point = 0x10000 + (((c & 0x3ff) << 10) | (str.charCodeAt(i) & 0x3ff));
    out += encodeURIComponent(String.fromCodePoint(point));
  }
  return out;
}

function stringifyPrimitive(v) {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return `${v}`;
  if (typeof v === 'bigint') return `${v}`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return '';
}

function stringify(obj, sep = '&', eq = '=', options = undefined) {
  sep = sep || '&';
  eq = eq || '=';
  let encode = module.exports.escape;
  if (options && typeof options.encodeURIComponent === 'function') encode = options.encodeURIComponent;
  const convert = (v) => encode(stringifyPrimitive(v));
  if (obj === null || typeof obj !== 'object') return '';
  let out = '';
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const ks = `${convert(k)}${eq}`;
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      if (out) out += sep;
      for (let j = 0; j < v.length; j++) {
        if (j) out += sep;
        out += ks + convert(v[j]);
      }
    } else {
      if (out) out += sep;
      out += ks + convert(v);
    }
  }
  return out;
}

function decodeStr(s, decoder) {
  try {
    return decoder(s);
  } catch {
    return module.exports.unescape(s, true);
  }
}

function parse(qs, sep = '&', eq = '=', options = undefined) {
  const obj = Object.create(null);
  if (typeof qs !== 'string' || qs.length === 0) return obj;
  sep = sep ? `${sep}` : '&';
  eq = eq ? `${eq}` : '=';
  let maxKeys = 1000;
  if (options && typeof options.maxKeys === 'number') maxKeys = options.maxKeys;
  let pairs = maxKeys > 0 ? maxKeys : Infinity;
  let decode = module.exports.unescape;
  if (options && typeof options.decodeURIComponent === 'function') decode = options.decodeURIComponent;
  const defaultDecode = decode === unescape;
  const decodePart = (s) => {
    s = s.replace(/\+/g, ' ');
    if (defaultDecode) return s.includes('%') ? decodeWithFallback(s) : s;
    return decodeStr(s, decode);
  };
  let start = 0;
  while (start <= qs.length && pairs > 0) {
    let end = qs.indexOf(sep, start);
    if (end === -1) end = qs.length;
    const piece = qs.slice(start, end);
    start = end + sep.length;
    if (piece.length === 0) {
      if (end === qs.length) break;
      continue;
    }
    pairs--;
    const idx = piece.indexOf(eq);
    const key = decodePart(idx >= 0 ? piece.slice(0, idx) : piece);
    const value = idx >= 0 ? decodePart(piece.slice(idx + eq.length)) : '';
    const prev = obj[key];
    if (prev === undefined) obj[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else obj[key] = [prev, value];
    if (end === qs.length) break;
  }
  return obj;
}

// The default decoder: percent-decoding as UTF-8, keeping invalid escapes
// literally and turning undecodable bytes into U+FFFD.
function decodeWithFallback(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return unescapeBuffer(s, true).toString();
  }
}

module.exports = {
  unescapeBuffer,
  unescape,
  escape,
  stringify,
  encode: stringify,
  parse,
  decode: parse,
};
