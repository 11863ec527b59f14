// node/url.js — Node's `url` module.
//
// The legacy API (parse, format, resolve, resolveObject, Url) is the npm
// `url` package (Node's legacy url code of an older release), with `qs`
// aliased to internal/qs-shim.js so query strings follow Node's
// querystring. Added here: Node's argument errors, url.format() of a WHATWG
// URL with { auth, fragment, search, unicode }, and the WHATWG exports from
// internal/url.js (URL, URLSearchParams, fileURLToPath, pathToFileURL,
// urlToHttpOptions, domainToASCII, domainToUnicode). The npm package is
// reached by a relative path because `url` is aliased to this file.
'use strict';

const legacy = require('../node_modules/url/url.js');
const internal = require('./internal/url');
const { codes } = require('./internal/errors');

const { Url } = legacy;

function parse(url, parseQueryString = false, slashesDenoteHost = false) {
  if (url instanceof Url) return url;
  if (typeof url !== 'string') throw codes.ERR_INVALID_ARG_TYPE('url', 'string', url);
  const out = legacy.parse(url, parseQueryString, slashesDenoteHost);
  // No query string but one was asked for: Node reports search null and an
  // empty null-prototype query.
  if (parseQueryString && out.search === '') {
    out.search = null;
    out.query = Object.create(null);
  }
  return out;
}

function formatWhatwg(url, options) {
  let fragment = true;
  let unicode = false;
  let search = true;
  let auth = true;
  if (options !== undefined) {
    if (options === null || typeof options !== 'object') {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    if ('fragment' in options) fragment = !!options.fragment;
    if ('unicode' in options) unicode = !!options.unicode;
    if ('search' in options) search = !!options.search;
    if ('auth' in options) auth = !!options.auth;
  }
  let out = url.protocol;
  if (url.href.startsWith(`${url.protocol}//`)) {
    out += '//';
    if (auth && (url.username || url.password)) {
      out += url.username;
      if (url.password) out += `:${url.password}`;
      out += '@';
    }
    out += unicode ? internal.domainToUnicode(url.hostname) : url.hostname;
    if (url.port) out += `:${url.port}`;
  }
  out += url.pathname;
  if (search) out += url.search;
  if (fragment) out += url.hash;
  return out;
}

function format(urlObject, options = undefined) {
  if (typeof urlObject === 'string') {
    urlObject = legacy.parse(urlObject);
  } else if (urlObject === null || typeof urlObject !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('urlObject', ['Object', 'string'], urlObject);
  } else if (internal.isURL(urlObject)) {
    return formatWhatwg(urlObject, options);
  }
  // Where the package differs from Node, it formats a view of the object:
  // an IPv6 hostname already in brackets keeps them once (the package
  // brackets any hostname with a ':'), every '#' of search is escaped (the
  // package escapes the first).
  const { host, hostname, search } = urlObject;
  const bracketed = !host && typeof hostname === 'string' && hostname[0] === '[' &&
    hostname[hostname.length - 1] === ']';
  const hashes = typeof search === 'string' && search.includes('#');
  if (!bracketed && !hashes) return Url.prototype.format.call(urlObject);
  const view = Object.create(urlObject);
  if (bracketed) view.hostname = hostname.slice(1, -1);
  if (hashes) view.search = search.replace(/#/g, '%23');
  return Url.prototype.format.call(view);
}

function resolve(source, relative) {
  return legacy.resolve(source, relative);
}

function resolveObject(source, relative) {
  return legacy.resolveObject(source, relative);
}

module.exports = {
  Url,
  parse,
  resolve,
  resolveObject,
  format,
  URL: internal.URL,
  URLSearchParams: internal.URLSearchParams,
  domainToASCII: internal.domainToASCII,
  domainToUnicode: internal.domainToUnicode,
  pathToFileURL: internal.pathToFileURL,
  fileURLToPath: internal.fileURLToPath,
  urlToHttpOptions: internal.urlToHttpOptions,
};
