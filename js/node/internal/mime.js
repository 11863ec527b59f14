'use strict';
// util.MIMEType / util.MIMEParams: the WHATWG MIME Sniffing standard's
// parse and serialize (https://mimesniff.spec.whatwg.org/#parsing-a-mime-type)
// with Node 22's API and errors: ERR_INVALID_MIME_SYNTAX names the
// production (type, subtype, parameter name, parameter value) and, when a
// code point is wrong, its index in that production. Own code written to
// the standard and Node's documentation; invalid parameters are skipped by
// the parse, as the standard says, but refused by MIMEParams#set.

const { codes } = require('./errors');

const kWhitespace = /[\t\n\r ]/;
const kNotToken = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const kNotQuotedString = /[^\t\u0020-\u007e\u0080-\u00ff]/;
const kToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isWhitespace(c) {
  return c !== undefined && kWhitespace.test(c);
}

function trimWhitespace(s) {
  let start = 0;
  let end = s.length;
  while (start < end && isWhitespace(s[start])) start++;
  while (end > start && isWhitespace(s[end - 1])) end--;
  return s.slice(start, end);
}

function trimEnd(s) {
  let end = s.length;
  while (end > 0 && isWhitespace(s[end - 1])) end--;
  return s.slice(0, end);
}

// Throws unless s is a non-empty HTTP token; the error shows `shown` (the
// whole input) and the index in s of the first wrong code point.
function checkToken(s, production, shown = s) {
  const bad = s.search(kNotToken);
  if (s.length === 0 || bad !== -1) throw codes.ERR_INVALID_MIME_SYNTAX(production, shown, bad);
}

// An HTTP quoted string from s at i (s[i] is '"'): [value, next index].
function collectQuoted(s, i) {
  let value = '';
  i++;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') return [value, i + 1];
    if (c === '\\') {
      i++;
      if (i >= s.length) return [`${value}\\`, i];
      value += s[i++];
    } else {
      value += c;
      i++;
    }
  }
  return [value, i];
}

function serializeValue(value) {
  if (value.length > 0 && kToken.test(value)) return value;
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

let paramsMap; // (params) => its Map, for MIMEType's parse

class MIMEParams {
  #map = new Map();

  static {
    paramsMap = (params) => params.#map;
  }

  delete(name) {
    this.#map.delete(name);
  }

  get(name) {
    const value = this.#map.get(name);
    return value === undefined ? null : value;
  }

  has(name) {
    return this.#map.has(name);
  }

  set(name, value) {
    name = `${name}`;
    value = `${value}`;
    checkToken(name, 'parameter name');
    const bad = value.search(kNotQuotedString);
    if (bad !== -1) throw codes.ERR_INVALID_MIME_SYNTAX('parameter value', value, bad);
    this.#map.set(name, value);
  }

  entries() {
    return this.#map.entries();
  }

  keys() {
    return this.#map.keys();
  }

  values() {
    return this.#map.values();
  }

  toString() {
    let out = '';
    for (const [name, value] of this.#map) {
      if (out !== '') out += ';';
      out += `${name}=${serializeValue(value)}`;
    }
    return out;
  }

  toJSON() {
    return this.toString();
  }
}
Object.defineProperty(MIMEParams.prototype, Symbol.iterator, {
  value: MIMEParams.prototype.entries, writable: true, configurable: true,
});

// The standard's parameter loop over s from i, into map (first one wins).
function parseParams(s, i, map) {
  const n = s.length;
  while (i < n) {
    i++; // the ';'
    while (isWhitespace(s[i])) i++;
    let name = '';
    while (i < n && s[i] !== ';' && s[i] !== '=') name += s[i++];
    name = name.toLowerCase();
    if (i < n) {
      if (s[i] === ';') continue;
      i++; // the '='
    }
    if (i >= n) break;
    let value;
    if (s[i] === '"') {
      [value, i] = collectQuoted(s, i);
      while (i < n && s[i] !== ';') i++;
    } else {
      value = '';
      while (i < n && s[i] !== ';') value += s[i++];
      value = trimEnd(value);
      if (value === '') continue;
    }
    if (name !== '' && kToken.test(name) && !kNotQuotedString.test(value) && !map.has(name)) {
      map.set(name, value);
    }
  }
}

class MIMEType {
  #type;
  #subtype;
  #params;

  constructor(string) {
    const s = trimWhitespace(`${string}`);
    const slash = s.indexOf('/');
    const type = slash === -1 ? s : s.slice(0, slash);
    if (type === '' || slash === -1) throw codes.ERR_INVALID_MIME_SYNTAX('type', s, -1);
    checkToken(type, 'type', s);
    let end = s.indexOf(';', slash + 1);
    if (end === -1) end = s.length;
    const subtype = trimEnd(s.slice(slash + 1, end));
    if (subtype === '') throw codes.ERR_INVALID_MIME_SYNTAX('subtype', s, -1);
    checkToken(subtype, 'subtype', s);
    this.#type = type.toLowerCase();
    this.#subtype = subtype.toLowerCase();
    this.#params = new MIMEParams();
    parseParams(s, end, paramsMap(this.#params));
  }

  get type() {
    return this.#type;
  }

  set type(v) {
    v = `${v}`;
    checkToken(v, 'type');
    this.#type = v.toLowerCase();
  }

  get subtype() {
    return this.#subtype;
  }

  set subtype(v) {
    v = `${v}`;
    checkToken(v, 'subtype');
    this.#subtype = v.toLowerCase();
  }

  get essence() {
    return `${this.#type}/${this.#subtype}`;
  }

  get params() {
    return this.#params;
  }

  toString() {
    const params = this.#params.toString();
    return params === '' ? this.essence : `${this.essence};${params}`;
  }

  toJSON() {
    return this.toString();
  }
}

module.exports = { MIMEType, MIMEParams };
