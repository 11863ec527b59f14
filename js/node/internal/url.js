// node/internal/url.js — the WHATWG URL and URLSearchParams globals, plus
// the url-module helpers built on them (fileURLToPath, pathToFileURL,
// urlToHttpOptions, domainToASCII / domainToUnicode).
//
// Parsing and serialising is whatwg-url's (the reference implementation of
// the URL standard). Our classes hold a whatwg-url object in a private field
// and delegate to it, so that they have Node's shape: errors are Node's
// (ERR_INVALID_URL with `input` / `base`, ERR_MISSING_ARGS), accessors are
// enumerable on the prototype, url.searchParams is one linked object, and
// util.inspect prints `URL { href: …, searchParams: URLSearchParams { … } }`
// and `URLSearchParams Iterator { … }` exactly as Node does. Own code.
'use strict';

const whatwg = require('whatwg-url');
const { codes } = require('./errors');
const { createObjectURL, revokeObjectURL } = require('./blob');

const WURL = whatwg.URL;
const WUSP = whatwg.URLSearchParams;
const kInspect = Symbol.for('nodejs.util.inspect.custom');
const kLink = Symbol('kLink');

function lazyInspect() {
  return require('../util').inspect;
}

function removeColors(s) {
  return s.replace(/\u001b\[\d\d?m/g, '');
}

// ---- URLSearchParams -------------------------------------------------------------

// What URLSearchParams is made from, with Node's checks: an iterable of
// [name, value] pairs (ERR_ARG_NOT_ITERABLE, ERR_INVALID_TUPLE), a record
// of its own enumerable properties, else a string; names and values are
// converted with String() (a Symbol throws).
function initPairs(init) {
  if (typeof init !== 'object' && typeof init !== 'function') return `${init}`;
  const method = init[Symbol.iterator];
  const pairs = [];
  if (method != null) {
    if (typeof method !== 'function') throw codes.ERR_ARG_NOT_ITERABLE('Query pairs');
    const tupleError = () => codes.ERR_INVALID_TUPLE('Each query pair', '[name, value]');
    for (const pair of init) {
      if (pair == null) throw tupleError();
      if (Array.isArray(pair)) {
        if (pair.length !== 2) throw tupleError();
        pairs.push([`${pair[0]}`, `${pair[1]}`]);
        continue;
      }
      if ((typeof pair !== 'object' && typeof pair !== 'function') || typeof pair[Symbol.iterator] !== 'function') {
        throw tupleError();
      }
      const items = [];
      for (const element of pair) items.push(`${element}`);
      if (items.length !== 2) throw tupleError();
      pairs.push(items);
    }
    return pairs;
  }
  // a record: a name met twice (after conversion) keeps its first place
  const index = new Map();
  for (const key of Reflect.ownKeys(init)) {
    const desc = Reflect.getOwnPropertyDescriptor(init, key);
    if (desc === undefined || !desc.enumerable) continue;
    const name = toWellFormed(`${key}`);
    const value = `${init[key]}`;
    if (index.has(name)) pairs[index.get(name)][1] = value;
    else index.set(name, pairs.push([name, value]) - 1);
  }
  return pairs;
}

// A string with lone surrogates replaced by U+FFFD (USVString).
function toWellFormed(s) {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

class URLSearchParams {
  #p;

  constructor(init = undefined) {
    if (init === kLink) {
      this.#p = arguments[1];
      return;
    }
    if (init !== null && typeof init === 'object' && URLSearchParams.#is(init)) {
      this.#p = new WUSP(init.#p.toString());
      return;
    }
    this.#p = init === undefined || init === null ? new WUSP() : new WUSP(initPairs(init));
  }

  static #is(value) {
    return value !== null && typeof value === 'object' && #p in value;
  }

  static _is(value) {
    return URLSearchParams.#is(value);
  }

  static _list(params) {
    return Array.from(params.#p);
  }

  // the wrapped list of a URLSearchParams, or Node's error for another `this`
  static #of(value) {
    if (!URLSearchParams.#is(value)) throw codes.ERR_INVALID_THIS('URLSearchParams');
    return value.#p;
  }

  get size() {
    return URLSearchParams.#of(this).size;
  }

  append(name, value) {
    const p = URLSearchParams.#of(this);
    if (arguments.length < 2) throw codes.ERR_MISSING_ARGS('name', 'value');
    p.append(`${name}`, `${value}`);
  }

  delete(name, value = undefined) {
    const p = URLSearchParams.#of(this);
    if (arguments.length < 1) throw codes.ERR_MISSING_ARGS('name');
    if (value === undefined) p.delete(`${name}`);
    else p.delete(`${name}`, `${value}`);
  }

  get(name) {
    const p = URLSearchParams.#of(this);
    if (arguments.length < 1) throw codes.ERR_MISSING_ARGS('name');
    return p.get(`${name}`);
  }

  getAll(name) {
    const p = URLSearchParams.#of(this);
    if (arguments.length < 1) throw codes.ERR_MISSING_ARGS('name');
    return p.getAll(`${name}`);
  }

  has(name, value = undefined) {
    const p = URLSearchParams.#of(this);
    if (arguments.length < 1) throw codes.ERR_MISSING_ARGS('name');
    return value === undefined ? p.has(`${name}`) : p.has(`${name}`, `${value}`);
  }

  set(name, value) {
    const p = URLSearchParams.#of(this);
    if (arguments.length < 2) throw codes.ERR_MISSING_ARGS('name', 'value');
    p.set(`${name}`, `${value}`);
  }

  sort() {
    URLSearchParams.#of(this).sort();
  }

  entries() {
    URLSearchParams.#of(this);
    return new URLSearchParamsIterator(this, 'key+value');
  }

  forEach(callback, thisArg = undefined) {
    URLSearchParams.#of(this);
    if (typeof callback !== 'function') {
      throw codes.ERR_INVALID_ARG_TYPE('callback', 'Function', callback);
    }
    let list = listOf(this);
    for (let i = 0; i < list.length; i++) {
      const [key, value] = list[i];
      Reflect.apply(callback, thisArg, [value, key, this]);
      list = listOf(this);
    }
  }

  keys() {
    URLSearchParams.#of(this);
    return new URLSearchParamsIterator(this, 'key');
  }

  values() {
    URLSearchParams.#of(this);
    return new URLSearchParamsIterator(this, 'value');
  }

  toString() {
    return URLSearchParams.#of(this).toString();
  }

  [kInspect](recurseTimes, ctx) {
    if (!URLSearchParams.#is(this)) throw codes.ERR_INVALID_THIS('URLSearchParams');
    if (typeof recurseTimes === 'number' && recurseTimes < 0) return ctx.stylize('[Object]', 'special');
    const inspect = lazyInspect();
    const innerOpts = { ...ctx };
    if (recurseTimes !== null) innerOpts.depth = recurseTimes - 1;
    const output = listOf(this).map(
      ([k, v]) => `${inspect(k, innerOpts)} => ${inspect(v, innerOpts)}`);
    const sep = ', ';
    const length = output.reduce((n, s) => n + removeColors(s).length + sep.length, -sep.length);
    const name = this.constructor.name;
    if (length > ctx.breakLength) return `${name} {\n  ${output.join(',\n  ')} }`;
    if (output.length > 0) return `${name} { ${output.join(sep)} }`;
    return `${name} {}`;
  }
}

URLSearchParams.prototype[Symbol.iterator] = URLSearchParams.prototype.entries;
const isURLSearchParams = URLSearchParams._is;
const listOf = URLSearchParams._list;
delete URLSearchParams._is;
delete URLSearchParams._list;

class URLSearchParamsIterator {
  #params;
  #kind;
  #index = 0;

  constructor(params, kind) {
    this.#params = params;
    this.#kind = kind;
  }

  #item(pair) {
    if (this.#kind === 'key') return pair[0];
    if (this.#kind === 'value') return pair[1];
    return [pair[0], pair[1]];
  }

  static #check(value) {
    if (value === null || typeof value !== 'object' || !(#params in value)) {
      throw codes.ERR_INVALID_THIS('URLSearchParamsIterator');
    }
  }

  next() {
    URLSearchParamsIterator.#check(this);
    const list = listOf(this.#params);
    if (this.#index >= list.length) return { value: undefined, done: true };
    return { value: this.#item(list[this.#index++]), done: false };
  }

  [kInspect](recurseTimes, ctx) {
    const inspect = lazyInspect();
    const innerOpts = { ...ctx };
    if (recurseTimes !== null) innerOpts.depth = recurseTimes - 1;
    const output = listOf(this.#params).slice(this.#index).map((p) => this.#item(p));
    const breakLn = inspect(output, innerOpts).includes('\n');
    const strs = output.map((p) => inspect(p, innerOpts));
    const body = breakLn ? `\n  ${strs.join(',\n  ')}` : ` ${strs.join(', ')}`;
    return `URLSearchParams Iterator {${body} }`;
  }
}

const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
Object.setPrototypeOf(URLSearchParamsIterator.prototype, IteratorPrototype);
Object.defineProperty(URLSearchParamsIterator.prototype, Symbol.toStringTag, {
  value: 'URLSearchParams Iterator', configurable: true,
});
Object.defineProperty(URLSearchParamsIterator.prototype, 'next', { enumerable: true });
delete URLSearchParamsIterator.prototype.constructor;

// ---- URL -----------------------------------------------------------------------

class URL {
  #u;
  #searchParams;

  constructor(input, base = undefined) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('url');
    input = `${input}`;
    if (base !== undefined) base = `${base}`;
    try {
      this.#u = base === undefined ? new WURL(input) : new WURL(input, base);
    } catch {
      throw invalidURL(input, base);
    }
  }

  static #is(value) {
    return value !== null && typeof value === 'object' && #u in value;
  }

  static _is(value) {
    return URL.#is(value);
  }

  // Another `this` meets V8's own errors, as in Node: "Receiver must be an
  // instance of class URL" where Node calls a private method (toString,
  // toJSON, href, search), "Cannot read private member" where it reads a
  // private field (the rest).
  #record() {
    return this.#u;
  }

  toString() {
    return this.#record().href;
  }

  get href() {
    return this.#record().href;
  }

  set href(value) {
    const u = this.#u;
    value = `${value}`;
    try {
      u.href = value;
    } catch {
      throw codes.ERR_INVALID_URL(value);
    }
  }

  get origin() {
    return this.#u.origin;
  }

  get protocol() {
    return this.#u.protocol;
  }

  set protocol(value) {
    this.#u.protocol = `${value}`;
  }

  get username() {
    return this.#u.username;
  }

  set username(value) {
    this.#u.username = `${value}`;
  }

  get password() {
    return this.#u.password;
  }

  set password(value) {
    this.#u.password = `${value}`;
  }

  get host() {
    return this.#u.host;
  }

  set host(value) {
    this.#u.host = `${value}`;
  }

  get hostname() {
    return this.#u.hostname;
  }

  set hostname(value) {
    this.#u.hostname = `${value}`;
  }

  get port() {
    return this.#u.port;
  }

  set port(value) {
    this.#u.port = `${value}`;
  }

  get pathname() {
    return this.#u.pathname;
  }

  set pathname(value) {
    this.#u.pathname = `${value}`;
  }

  get search() {
    return this.#record().search;
  }

  set search(value) {
    this.#u.search = `${value}`;
  }

  get searchParams() {
    const u = this.#u;
    if (this.#searchParams === undefined) {
      this.#searchParams = new URLSearchParams(kLink, u.searchParams);
    }
    return this.#searchParams;
  }

  get hash() {
    return this.#u.hash;
  }

  set hash(value) {
    this.#u.hash = `${value}`;
  }

  toJSON() {
    return this.#record().href;
  }

  static canParse(url, base = undefined) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('url');
    return base === undefined ? WURL.canParse(`${url}`) : WURL.canParse(`${url}`, `${base}`);
  }

  static parse(url, base = undefined) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('url');
    try {
      return base === undefined ? new URL(url) : new URL(url, base);
    } catch {
      return null;
    }
  }

  static createObjectURL(obj) {
    return createObjectURL(obj);
  }

  static revokeObjectURL(url) {
    if (arguments.length === 0) throw codes.ERR_MISSING_ARGS('url');
    revokeObjectURL(url);
  }

  [kInspect](depth, opts) {
    if (typeof depth === 'number' && depth < 0) return this;
    const obj = {
      href: this.href,
      origin: this.origin,
      protocol: this.protocol,
      username: this.username,
      password: this.password,
      host: this.host,
      hostname: this.hostname,
      port: this.port,
      pathname: this.pathname,
      search: this.search,
      searchParams: this.searchParams,
      hash: this.hash,
    };
    return `${this.constructor.name} ${lazyInspect()(obj, opts)}`;
  }
}

const isURL = URL._is;
delete URL._is;

// The constructor's parse failure: Node reports it without the code in the
// stack header (ERR_INVALID_URL from the native parser).
function invalidURL(input, base) {
  const err = new TypeError('Invalid URL');
  err.code = 'ERR_INVALID_URL';
  err.input = input;
  if (base !== undefined) err.base = base;
  return err;
}

for (const C of [URL, URLSearchParams]) {
  for (const key of Object.getOwnPropertyNames(C.prototype)) {
    if (key === 'constructor') continue;
    const desc = Object.getOwnPropertyDescriptor(C.prototype, key);
    desc.enumerable = true;
    Object.defineProperty(C.prototype, key, desc);
  }
  Object.defineProperty(C.prototype, Symbol.toStringTag, {
    value: C.name, writable: false, enumerable: false, configurable: true,
  });
}
for (const key of ['parse', 'canParse', 'createObjectURL', 'revokeObjectURL']) {
  Object.defineProperty(URL, key, { enumerable: true });
}

// ---- helpers of the url module -----------------------------------------------------

function getPathFromURLPosix(url) {
  if (url.hostname !== '') throw codes.ERR_INVALID_FILE_URL_HOST('linux');
  const pathname = url.pathname;
  if (/%2f/i.test(pathname)) throw codes.ERR_INVALID_FILE_URL_PATH('must not include encoded / characters');
  return decodeURIComponent(pathname);
}

function getPathFromURLWin32(url) {
  const hostname = url.hostname;
  let pathname = url.pathname;
  if (/%2f|%5c/i.test(pathname)) {
    throw codes.ERR_INVALID_FILE_URL_PATH('must not include encoded \\ or / characters');
  }
  pathname = decodeURIComponent(pathname.replace(/\//g, '\\'));
  if (hostname !== '') return `\\\\${domainToUnicode(hostname)}${pathname}`;
  const letter = pathname.charCodeAt(1) | 0x20;
  const sep = pathname[2];
  if (letter < 0x61 || letter > 0x7a || sep !== ':') {
    throw codes.ERR_INVALID_FILE_URL_PATH('must be absolute');
  }
  return pathname.slice(1);
}

function fileURLToPath(path, options = undefined) {
  const windows = options !== undefined && options !== null && options.windows === true;
  if (typeof path === 'string') path = new URL(path);
  else if (!isURL(path)) throw codes.ERR_INVALID_ARG_TYPE('path', ['string', 'URL'], path);
  if (path.protocol !== 'file:') throw codes.ERR_INVALID_URL_SCHEME('file');
  return windows ? getPathFromURLWin32(path) : getPathFromURLPosix(path);
}

// A path's characters as Node 22 puts them in a file: URL: letters, digits
// and !$&'()*+,-./:;=@_ as they are, everything else (controls, space,
// "#%<>?[\]^`{|}~, DEL, non-ASCII as UTF-8) percent-encoded.
const kPathKeep = /[A-Za-z0-9!$&'()*+,\-./:;=@_]/;
function encodePathChars(filepath) {
  let out = '';
  for (const ch of filepath) {
    if (ch.length === 1 && kPathKeep.test(ch)) {
      out += ch;
    } else if (ch.charCodeAt(0) < 0x80) {
      out += `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
    } else {
      const c = ch.charCodeAt(0);
      // a lone surrogate is U+FFFD, as the URL parser would make it
      out += encodeURIComponent(ch.length === 1 && c >= 0xd800 && c <= 0xdfff ? '\ufffd' : ch);
    }
  }
  return out.replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase());
}

function pathToFileURL(filepath, options = undefined) {
  const windows = options !== undefined && options !== null && options.windows === true;
  const pathModule = require('../path');
  if (typeof filepath !== 'string') throw codes.ERR_INVALID_ARG_TYPE('path', 'string', filepath);
  const isUNC = windows && filepath.startsWith('\\\\');
  let resolved = isUNC ? filepath : windows ? pathModule.win32.resolve(filepath) : pathModule.posix.resolve(filepath);
  if (isUNC || (windows && resolved.startsWith('\\\\'))) {
    // \\server\share\resource, or \\?\UNC\server\share\resource
    const prefix = resolved.startsWith('\\\\?\\UNC\\') ? 8 : 2;
    const hostnameEnd = resolved.indexOf('\\', prefix);
    if (hostnameEnd === -1) {
      throw codes.ERR_INVALID_ARG_VALUE('path', resolved, 'Missing UNC resource path');
    }
    if (hostnameEnd === 2) {
      throw codes.ERR_INVALID_ARG_VALUE('path', resolved, 'Empty UNC servername');
    }
    const outURL = new URL('file://');
    outURL.hostname = domainToASCII(resolved.slice(prefix, hostnameEnd));
    outURL.pathname = encodePathChars(resolved.slice(hostnameEnd).replace(/\\/g, '/'));
    return outURL;
  }
  const last = filepath.charCodeAt(filepath.length - 1);
  if ((last === 0x2f || (windows && last === 0x5c)) &&
      resolved[resolved.length - 1] !== pathModule.sep) {
    resolved += '/';
  }
  if (windows) resolved = resolved.replace(/\\/g, '/');
  return new URL(`file://${windows ? '/' : ''}${encodePathChars(resolved)}`);
}

function urlToHttpOptions(url) {
  const { hostname, pathname, port, username, password, search } = url;
  const options = {
    __proto__: null,
    ...url,
    protocol: url.protocol,
    hostname: hostname && hostname[0] === '[' ? hostname.slice(1, -1) : hostname,
    hash: url.hash,
    search,
    pathname,
    path: `${pathname || ''}${search || ''}`,
    href: url.href,
  };
  if (port !== '') options.port = Number(port);
  if (username || password) {
    options.auth = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
  }
  return options;
}

// A name of printable ASCII without a character that ends or changes a
// URL's host is the host of `ws://NAME/` (whatwg-url's short path parses
// that one: see whatwg-url-fast.js); anything else goes through the
// hostname setter, as Node's own binding does.
const kPlainHostName = /^[!-~]+$/;
const kHostDelimiter = /[:/?#\\@[\]]/;

function domainToASCII(domain) {
  if (arguments.length < 1) throw codes.ERR_MISSING_ARGS('domain');
  const name = `${domain}`;
  if (kPlainHostName.test(name) && !kHostDelimiter.test(name)) {
    try {
      return new WURL(`ws://${name}/`).hostname;
    } catch {
      return '';
    }
  }
  const u = new WURL('ws://x');
  u.hostname = name;
  // A hostname the parser rejects leaves the placeholder in place.
  if (u.hostname === 'x' && name.toLowerCase() !== 'x') return '';
  return u.hostname;
}

function domainToUnicode(domain) {
  if (arguments.length < 1) throw codes.ERR_MISSING_ARGS('domain');
  const ascii = domainToASCII(domain);
  if (ascii === '') return '';
  const out = require('./whatwg-url-tr46').toUnicode(ascii, { checkHyphens: false, checkBidi: false, checkJoiners: false,
    useSTD3ASCIIRules: false, processingOption: 'nontransitional' });
  return out.error ? '' : out.domain;
}

module.exports = {
  URL,
  URLSearchParams,
  isURL,
  isURLSearchParams,
  fileURLToPath,
  pathToFileURL,
  urlToHttpOptions,
  domainToASCII,
  domainToUnicode,
};
