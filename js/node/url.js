// node/url.js — Node's `url` module.
//
// The legacy API (parse, format, resolve, resolveObject, Url) is
// internal/url-legacy.js, our own code after Node 22's lib/url.js; here
// url.format() of a WHATWG URL with { auth, fragment, search, unicode },
// and the WHATWG exports from internal/url.js (URL, URLSearchParams,
// fileURLToPath, pathToFileURL, urlToHttpOptions, domainToASCII,
// domainToUnicode).
'use strict';

const legacy = require('./internal/url-legacy');
const internal = require('./internal/url');
const { codes } = require('./internal/errors');
const { validateObject } = require('./internal/validators');

const { Url } = legacy;

function formatWhatwg(url, options) {
  let fragment = true;
  let unicode = false;
  let search = true;
  let auth = true;
  if (options) {
    validateObject(options, 'options');
    if (options.fragment != null) fragment = Boolean(options.fragment);
    if (options.unicode != null) unicode = Boolean(options.unicode);
    if (options.search != null) search = Boolean(options.search);
    if (options.auth != null) auth = Boolean(options.auth);
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
    urlObject = legacy.urlParse(urlObject);
  } else if (urlObject === null || typeof urlObject !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('urlObject', ['Object', 'string'], urlObject);
  } else if (internal.isURL(urlObject)) {
    return formatWhatwg(urlObject, options);
  }
  return Url.prototype.format.call(urlObject);
}

module.exports = {
  Url,
  parse: legacy.urlParse,
  resolve: legacy.urlResolve,
  resolveObject: legacy.urlResolveObject,
  format,
  URL: internal.URL,
  URLSearchParams: internal.URLSearchParams,
  domainToASCII: internal.domainToASCII,
  domainToUnicode: internal.domainToUnicode,
  pathToFileURL: internal.pathToFileURL,
  fileURLToPath: internal.fileURLToPath,
  urlToHttpOptions: internal.urlToHttpOptions,
};
