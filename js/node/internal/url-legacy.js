// node/internal/url-legacy.js — the legacy url API (Url, parse, format,
// resolve, resolveObject) with the rules of Node 22's lib/url.js: input
// trimmed of whitespace (code < 33, U+00A0, U+FEFF) and its backslashes
// before the query made slashes, the fast path for plain paths, the
// slashed / hostless / unsafe protocols, auth cut at the last '@' before
// the host ends, ports, a hostname cut at its first invalid character (a
// ':' there warns DEP0170 once per process), IDNA (UTS #46 ToASCII, as
// the WHATWG parser's non-strict domain-to-ASCII) and ERR_INVALID_URL
// when that yields no host or a forbidden character, auto-escaping, and
// resolution over path segments. Own code, written from Node's rules.
'use strict';

const querystring = require('../querystring');
const { codes } = require('./errors');
const { validateString } = require('./validators');

// Protocols whose URLs keep '//' (also bare, without the colon).
const slashedProtocol = new Set([
  'http', 'http:', 'https', 'https:', 'ftp', 'ftp:', 'gopher', 'gopher:',
  'file', 'file:', 'ws', 'ws:', 'wss', 'wss:',
]);
// Protocols that never have a host, and that are not auto-escaped.
const hostlessProtocol = new Set(['javascript', 'javascript:']);
const unsafeProtocol = hostlessProtocol;

const kProtocol = /^[a-z0-9.+-]+:/i;
const kPort = /:[0-9]*$/;
const kAuthHost = /^\/\/[^@/]+@[^@/]+/;
const kSimplePath = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/;
const kMaxHostname = 255;
// What may not appear in a hostname once IDNA has mapped it (the WHATWG
// forbidden host code points met by this parser, plus ':', '@', '[' and
// ']'); an IPv6 literal may hold ':', '[' and ']'.
const kForbiddenHost = /[\0\t\n\r #%/:<>?@[\\\]^|]/;
const kForbiddenHostIpv6 = /[\0\t\n\r #%/<>?@\\^|]/;
// Characters that end a host without ending its text; see parse().
const kNotInHost = ' "%\';<>\\^`{|}';
// Characters escaped in what follows the host.
const kAutoEscape = {
  '\t': '%09', '\n': '%0A', '\r': '%0D', ' ': '%20', '"': '%22', '\'': '%27',
  '<': '%3C', '>': '%3E', '\\': '%5C', '^': '%5E', '`': '%60', '{': '%7B',
  '|': '%7C', '}': '%7D',
};
const kAutoEscapeRe = /[\t\n\r "'<>\\^`{|}]/g;

let warnedParse = false;
let warnedPort = false;

function Url() {
  this.protocol = null;
  this.slashes = null;
  this.auth = null;
  this.host = null;
  this.port = null;
  this.hostname = null;
  this.hash = null;
  this.search = null;
  this.query = null;
  this.pathname = null;
  this.path = null;
  this.href = null;
}

function pendingDeprecation() {
  if (process.execArgv && process.execArgv.includes('--pending-deprecation')) return true;
  const options = process.env.NODE_OPTIONS;
  return typeof options === 'string' && /(^|\s)--pending-deprecation(\s|$)/.test(options);
}

function urlParse(url, parseQueryString, slashesDenoteHost) {
  if (!warnedParse && pendingDeprecation()) {
    warnedParse = true;
    process.emitWarning('`url.parse()` behavior is not standardized and prone to errors that ' +
      'have security implications. Use the WHATWG URL API instead. CVEs are not issued for ' +
      '`url.parse()` vulnerabilities.', 'DeprecationWarning', 'DEP0169');
  }
  if (url instanceof Url) return url;
  const out = new Url();
  out.parse(url, parseQueryString, slashesDenoteHost);
  return out;
}

function isIpv6Hostname(hostname) {
  return hostname[0] === '[' && hostname[hostname.length - 1] === ']';
}

function isTrimmed(code) {
  return code < 33 || code === 0xa0 || code === 0xfeff;
}

// The input without its surrounding whitespace, each backslash before the
// first '?' or '#' a slash; with whether it has a '#', and an '@' before
// the query.
function prepare(url) {
  let start = 0;
  let end = url.length;
  while (start < end && isTrimmed(url.charCodeAt(start))) start++;
  while (end > start && isTrimmed(url.charCodeAt(end - 1))) end--;
  let text = url.slice(start, end);
  let split = text.length;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '?' || text[i] === '#') {
      split = i;
      break;
    }
  }
  let head = text.slice(0, split);
  const hasAt = head.includes('@');
  if (head.includes('\\')) {
    head = head.replace(/\\/g, '/');
    text = head + text.slice(split);
  }
  return { text, hasAt, hasHash: text.includes('#', split) };
}

function setQuery(self, search, parseQueryString) {
  self.search = search;
  self.query = parseQueryString ? querystring.parse(search.slice(1)) : search.slice(1);
}

function noQuery(self) {
  self.search = null;
  self.query = { __proto__: null };
}

// The host starts rest: where it ends (the first '/', '?' or '#'), where the
// auth ends (the last '@' before that), and where the host proper ends (the
// first character that may not be in a host after that '@'). Tabs and line
// breaks up to the end of the host are dropped, as the WHATWG parser does.
function splitHost(self, rest) {
  let atSign = -1;
  let nonHost = -1;
  let text = '';
  let i = 0;
  for (; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\t' || c === '\n' || c === '\r') continue;
    const at = text.length;
    text += c;
    if (c === '/' || c === '?' || c === '#') {
      if (nonHost === -1) nonHost = at;
      i++;
      break;
    }
    if (c === '@') {
      atSign = at;
      nonHost = -1;
    } else if (nonHost === -1 && kNotInHost.includes(c)) {
      nonHost = at;
    }
  }
  text += rest.slice(i);
  let begin = 0;
  if (atSign !== -1) {
    self.auth = decodeURIComponent(text.slice(0, atSign));
    begin = atSign + 1;
  }
  if (nonHost === -1) {
    self.host = text.slice(begin);
    return '';
  }
  self.host = text.slice(begin, nonHost);
  return text.slice(nonHost);
}

// A hostname with a '/', '\', '#', '?' or ':' is cut there, the remainder
// going back to the path; a ':' means a port that is not one.
function cutHostname(self, rest, hostname, url) {
  for (let i = 0; i < hostname.length; i++) {
    const c = hostname[i];
    if (c !== '/' && c !== '\\' && c !== '#' && c !== '?' && c !== ':') continue;
    if (c === ':' && !warnedPort) {
      warnedPort = true;
      process.emitWarning(`The URL ${url} is invalid. Future versions of Node.js will throw an error.`,
        'DeprecationWarning', 'DEP0170');
    }
    self.hostname = hostname.slice(0, i);
    return `/${hostname.slice(i)}${rest}`;
  }
  return rest;
}

function toASCII(hostname) {
  const out = require('./whatwg-url-tr46').toASCII(hostname, {
    checkHyphens: false,
    checkBidi: true,
    checkJoiners: true,
    useSTD3ASCIIRules: false,
    transitionalProcessing: false,
    verifyDNSLength: false,
  });
  return out === null ? '' : out;
}

Url.prototype.parse = function parse(url, parseQueryString, slashesDenoteHost) {
  validateString(url, 'url');
  const { text, hasAt, hasHash } = prepare(url);
  let rest = text;

  if (!slashesDenoteHost && !hasHash && !hasAt) {
    const simple = kSimplePath.exec(rest);
    if (simple) {
      this.path = rest;
      this.href = rest;
      this.pathname = simple[1];
      if (simple[2]) setQuery(this, simple[2], parseQueryString);
      else if (parseQueryString) noQuery(this);
      return this;
    }
  }

  let proto = kProtocol.exec(rest);
  let lowerProto;
  if (proto) {
    proto = proto[0];
    lowerProto = proto.toLowerCase();
    this.protocol = lowerProto;
    rest = rest.slice(proto.length);
  }
  const hostless = hostlessProtocol.has(lowerProto);

  let slashes = false;
  if (slashesDenoteHost || proto || kAuthHost.test(rest)) {
    slashes = rest.startsWith('//');
    if (slashes && !(proto && hostless)) {
      rest = rest.slice(2);
      this.slashes = true;
    }
  }

  // The slashed-protocol test takes the protocol as written.
  if (!hostless && (slashes || (proto && !slashedProtocol.has(proto)))) {
    rest = splitHost(this, rest);
    this.parseHost();
    if (typeof this.hostname !== 'string') this.hostname = '';
    const ipv6 = isIpv6Hostname(this.hostname);
    if (!ipv6) rest = cutHostname(this, rest, this.hostname, url);
    this.hostname = this.hostname.length > kMaxHostname ? '' : this.hostname.toLowerCase();
    if (this.hostname !== '') {
      if (ipv6) {
        if (kForbiddenHostIpv6.test(this.hostname)) throw codes.ERR_INVALID_URL(url);
      } else {
        // What IDNA maps to nothing or to a delimiter would let a hostname
        // pass for another.
        this.hostname = toASCII(this.hostname);
        if (this.hostname === '' || kForbiddenHost.test(this.hostname)) {
          throw codes.ERR_INVALID_URL(url);
        }
      }
    }
    this.host = this.hostname + (this.port ? `:${this.port}` : '');
    if (ipv6) {
      this.hostname = this.hostname.slice(1, -1);
      if (rest[0] !== '/') rest = `/${rest}`;
    }
  }

  if (!unsafeProtocol.has(lowerProto)) {
    rest = rest.replace(kAutoEscapeRe, (c) => kAutoEscape[c]);
  }

  const hashAt = rest.indexOf('#');
  const beforeHash = hashAt === -1 ? rest : rest.slice(0, hashAt);
  if (hashAt !== -1) this.hash = rest.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  if (queryAt !== -1) {
    setQuery(this, beforeHash.slice(queryAt), parseQueryString);
  } else if (parseQueryString) {
    noQuery(this);
  }
  const pathname = queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt);
  if (pathname !== '') this.pathname = pathname;
  if (slashedProtocol.has(lowerProto) && this.hostname && !this.pathname) {
    this.pathname = '/';
  }
  if (this.pathname || this.search) {
    this.path = (this.pathname || '') + (this.search || '');
  }
  this.href = this.format();
  return this;
};

Url.prototype.parseHost = function parseHost() {
  let host = this.host;
  const port = kPort.exec(host);
  if (port) {
    if (port[0] !== ':') this.port = port[0].slice(1);
    host = host.slice(0, host.length - port[0].length);
  }
  if (host) this.hostname = host;
};

// encodeURIComponent that leaves ':' as is, with Node's encoder for a
// surrogate (it takes the unit after it as its pair). A value without a
// length (not a string) is kept as it is.
function encodeAuth(auth) {
  if (!auth.length) return auth;
  return querystring.escape(auth).replace(/%3A/g, ':');
}

Url.prototype.format = function format() {
  let auth = this.auth || '';
  if (auth) auth = `${encodeAuth(auth)}@`;
  let protocol = this.protocol || '';
  let pathname = this.pathname || '';
  let hash = this.hash || '';
  let host = '';
  let query = '';

  if (this.host) {
    host = auth + this.host;
  } else if (this.hostname) {
    const { hostname } = this;
    const bracket = hostname.includes(':') && !isIpv6Hostname(hostname);
    host = auth + (bracket ? `[${hostname}]` : hostname);
    if (this.port) host += `:${this.port}`;
  }
  if (this.query !== null && typeof this.query === 'object') {
    query = querystring.stringify(this.query);
  }
  let search = this.search || (query && `?${query}`) || '';
  if (protocol && protocol.charCodeAt(protocol.length - 1) !== 58) protocol += ':';

  if (pathname.length > 0 && /[?#]/.test(pathname)) {
    pathname = pathname.replace(/[?#]/g, (c) => (c === '#' ? '%23' : '%3F'));
  }

  // Only the slashed protocols get '//' (not mailto:), unless the object
  // says it had them; file: gets them even without a host.
  if (this.slashes || slashedProtocol.has(protocol)) {
    if (this.slashes || host) {
      if (pathname && pathname.charCodeAt(0) !== 47) pathname = `/${pathname}`;
      host = `//${host}`;
    } else if (protocol.length >= 4 && protocol.startsWith('file')) {
      host = '//';
    }
  }

  search = search.replace(/#/g, '%23');
  if (hash && hash.charCodeAt(0) !== 35) hash = `#${hash}`;
  if (search && search.charCodeAt(0) !== 63) search = `?${search}`;
  return protocol + host + pathname + search + hash;
};

function urlResolve(source, relative) {
  return urlParse(source, false, true).resolve(relative);
}

Url.prototype.resolve = function resolve(relative) {
  return this.resolveObject(urlParse(relative, false, true)).format();
};

function urlResolveObject(source, relative) {
  if (!source) return relative;
  return urlParse(source, false, true).resolveObject(relative);
}

function setPath(result) {
  if (result.pathname || result.search) {
    result.path = (result.pathname || '') + (result.search || '');
  }
}

function setPathLoose(result) {
  if (result.pathname !== null || result.search !== null) {
    result.path = (result.pathname ? result.pathname : '') + (result.search ? result.search : '');
  }
}

function finish(result) {
  result.href = result.format();
  return result;
}

// The host of a hostless-protocol result may carry its auth ('a@b').
function takeAuthFromHost(result) {
  const { host } = result;
  if (host && host.indexOf('@') > 0) {
    const parts = host.split('@');
    result.auth = parts[0];
    result.host = result.hostname = parts[1];
  }
}

// Another protocol: a non-slashed one replaces everything; a slashed one
// without a host takes the first path segment as its host (file: and the
// hostless ones keep their path).
function resolveOtherProtocol(result, relative) {
  if (!slashedProtocol.has(relative.protocol)) {
    Object.assign(result, relative);
    return finish(result);
  }
  result.protocol = relative.protocol;
  if (!relative.host && !/^file:?$/.test(relative.protocol) &&
      !hostlessProtocol.has(relative.protocol)) {
    const parts = (relative.pathname || '').split('/');
    while (parts.length && !(relative.host = parts.shift()));
    if (!relative.host) relative.host = '';
    if (!relative.hostname) relative.hostname = '';
    if (parts[0] !== '') parts.unshift('');
    if (parts.length < 2) parts.unshift('');
    result.pathname = parts.join('/');
  } else {
    result.pathname = relative.pathname;
  }
  result.search = relative.search;
  result.query = relative.query;
  result.host = relative.host || '';
  result.auth = relative.auth;
  result.hostname = relative.hostname || relative.host;
  result.port = relative.port;
  setPath(result);
  result.slashes = result.slashes || relative.slashes;
  return finish(result);
}

// Drops '.' segments and '..' with the one before it; returns how many
// '..' went past the start.
function removeDots(segments) {
  let up = 0;
  for (let i = segments.length - 1; i >= 0; i--) {
    const part = segments[i];
    if (part === '.') {
      segments.splice(i, 1);
    } else if (part === '..') {
      segments.splice(i, 1);
      up++;
    } else if (up) {
      segments.splice(i, 1);
      up--;
    }
  }
  return up;
}

Url.prototype.resolveObject = function resolveObject(relative) {
  if (typeof relative === 'string') {
    const parsed = new Url();
    parsed.parse(relative, false, true);
    relative = parsed;
  }
  const result = new Url();
  Object.assign(result, this);
  // The hash always comes from relative, even an empty one.
  result.hash = relative.hash;
  if (relative.href === '') return finish(result);

  // '//host/path': everything but the protocol comes from relative.
  if (relative.slashes && !relative.protocol) {
    const copy = {};
    for (const key of Object.keys(relative)) {
      if (key !== 'protocol') copy[key] = relative[key];
    }
    Object.assign(result, copy);
    if (slashedProtocol.has(result.protocol) && result.hostname && !result.pathname) {
      result.path = result.pathname = '/';
    }
    return finish(result);
  }

  if (relative.protocol && relative.protocol !== result.protocol) {
    return resolveOtherProtocol(result, relative);
  }

  const isSourceAbs = result.pathname && result.pathname.charAt(0) === '/';
  const isRelAbs = relative.host || (relative.pathname && relative.pathname.charAt(0) === '/');
  let mustEndAbs = isRelAbs || isSourceAbs || (result.host && relative.pathname);
  const removeAllDots = mustEndAbs;
  let srcPath = (result.pathname && result.pathname.split('/')) || [];
  const relPath = (relative.pathname && relative.pathname.split('/')) || [];
  const noLeadingSlashes = result.protocol && !slashedProtocol.has(result.protocol);

  // A non-slashed URL keeps its host as the first path segment, so that
  // '..' can climb up to it; it is put back at the end.
  if (noLeadingSlashes) {
    result.hostname = '';
    result.port = null;
    if (result.host) {
      if (srcPath[0] === '') srcPath[0] = result.host;
      else srcPath.unshift(result.host);
    }
    result.host = '';
    if (relative.protocol) {
      relative.hostname = null;
      relative.port = null;
      result.auth = null;
      if (relative.host) {
        if (relPath[0] === '') relPath[0] = relative.host;
        else relPath.unshift(relative.host);
      }
      relative.host = null;
    }
    mustEndAbs = mustEndAbs && (relPath[0] === '' || srcPath[0] === '');
  }

  if (isRelAbs) {
    if (relative.host || relative.host === '') {
      if (result.host !== relative.host) result.auth = null;
      result.host = relative.host;
      result.port = relative.port;
    }
    if (relative.hostname || relative.hostname === '') {
      if (result.hostname !== relative.hostname) result.auth = null;
      result.hostname = relative.hostname;
    }
    result.search = relative.search;
    result.query = relative.query;
    srcPath = relPath;
  } else if (relPath.length) {
    srcPath.pop();
    srcPath = srcPath.concat(relPath);
    result.search = relative.search;
    result.query = relative.query;
  } else if (relative.search !== null && relative.search !== undefined) {
    // Only a query ('?foo').
    if (noLeadingSlashes) {
      result.hostname = result.host = srcPath.shift();
      takeAuthFromHost(result);
    }
    result.search = relative.search;
    result.query = relative.query;
    setPathLoose(result);
    return finish(result);
  }

  if (!srcPath.length) {
    result.pathname = null;
    result.path = result.search ? `/${result.search}` : null;
    return finish(result);
  }

  // A path ending in '.' or '..' (or empty) keeps a trailing slash.
  let last = srcPath[srcPath.length - 1];
  const hasTrailingSlash = ((result.host || relative.host || srcPath.length > 1) &&
    (last === '.' || last === '..')) || last === '';

  let up = removeDots(srcPath);
  if (!mustEndAbs && !removeAllDots) {
    while (up--) srcPath.unshift('..');
  }
  if (mustEndAbs && srcPath[0] !== '' && (!srcPath[0] || srcPath[0].charAt(0) !== '/')) {
    srcPath.unshift('');
  }
  if (hasTrailingSlash && srcPath.join('/').slice(-1) !== '/') srcPath.push('');

  const isAbsolute = srcPath[0] === '' || (srcPath[0] && srcPath[0].charAt(0) === '/');
  if (noLeadingSlashes) {
    result.hostname = result.host = isAbsolute ? '' : srcPath.length ? srcPath.shift() : '';
    takeAuthFromHost(result);
  }
  mustEndAbs = mustEndAbs || (result.host && srcPath.length);
  if (mustEndAbs && !isAbsolute) srcPath.unshift('');

  if (srcPath.length) {
    result.pathname = srcPath.join('/');
  } else {
    result.pathname = null;
    result.path = null;
  }
  setPathLoose(result);
  result.auth = relative.auth || result.auth;
  result.slashes = result.slashes || relative.slashes;
  return finish(result);
};

module.exports = {
  pendingDeprecation,
  Url,
  urlParse,
  urlResolve,
  urlResolveObject,
  slashedProtocol,
};
