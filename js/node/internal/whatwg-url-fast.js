// node/internal/whatwg-url-fast.js — a short path through whatwg-url's
// basic URL parser for the URLs most programs parse: an absolute http,
// https, ws, wss or ftp URL of printable ASCII with a host and no
// credentials. The state machine reads such a URL a character at a time
// (an array of code points, a string and a handler call per character);
// here the parts are cut with indexOf and each is checked for what would
// make the state machine do more than copy it: a character it
// percent-encodes, a "." or ".." path segment, a backslash, an IPv6 host,
// a port out of range. Any of those, or anything else, returns undefined
// and the state machine parses the URL as before. The host goes through
// the state machine's own parseHost. build-support.js wires this into
// url-state-machine.js's basicURLParse; tests/js/url-fast.js compares the
// two paths' records.
'use strict';

// printable ASCII only: no space, control, DEL or other code point (so no
// trimming, no tab or newline removal and no UTF-8 encoding applies), and
// no backslash (a slash in special URLs)
const PLAIN = /^[!-[\]-~]*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const DIGITS = /^[0-9]*$/;
// what the path, query (special) and fragment percent-encode sets add to
// the controls and the space among printable ASCII
const PATH_ENCODED = /["<>`{}^]/;
const QUERY_ENCODED = /["'<>]/;
const FRAGMENT_ENCODED = /["<>`]/;
const DOTS = /^(?:\.|%2e){1,2}$/i;
const SPECIAL = new Set(['ftp', 'http', 'https', 'ws', 'wss']); // file is its own

function makeFastParse({ parseHost, failure, specialSchemes }) {
  return function fastParse(input) {
    if (typeof input !== 'string' || !PLAIN.test(input)) return undefined;
    const colon = input.indexOf(':');
    if (colon <= 0 || input[colon + 1] !== '/' || input[colon + 2] !== '/') return undefined;
    const rawScheme = input.slice(0, colon);
    if (!SCHEME.test(rawScheme)) return undefined;
    const scheme = rawScheme.toLowerCase();
    if (!SPECIAL.has(scheme)) return undefined;

    // authority: up to the first / ? or # after the two slashes
    const start = colon + 3;
    let end = start;
    while (end < input.length) {
      const c = input[end];
      if (c === '/' || c === '?' || c === '#') break;
      end++;
    }
    const authority = input.slice(start, end);
    if (authority === '' || authority.includes('@') || authority.includes('[')) return undefined;
    const portAt = authority.indexOf(':');
    const hostText = portAt < 0 ? authority : authority.slice(0, portAt);
    if (hostText === '') return undefined;
    let port = null;
    if (portAt >= 0) {
      const portText = authority.slice(portAt + 1);
      if (!DIGITS.test(portText)) return undefined;
      if (portText !== '') {
        const n = parseInt(portText, 10);
        if (n > 65535) return undefined;
        port = n === specialSchemes[scheme] ? null : n;
      }
    }
    const host = parseHost(hostText, false);
    if (host === failure) return undefined;

    let fragment = null;
    let rest = input.slice(end);
    const hash = rest.indexOf('#');
    if (hash >= 0) {
      fragment = rest.slice(hash + 1);
      if (FRAGMENT_ENCODED.test(fragment)) return undefined;
      rest = rest.slice(0, hash);
    }
    let query = null;
    const question = rest.indexOf('?');
    if (question >= 0) {
      query = rest.slice(question + 1);
      if (QUERY_ENCODED.test(query)) return undefined;
      rest = rest.slice(0, question);
    }
    // the path: "" or "/…"; each segment copied unless it is a dot segment
    let path;
    if (rest === '') {
      path = [''];
    } else {
      if (PATH_ENCODED.test(rest)) return undefined;
      path = rest.slice(1).split('/');
      for (const segment of path) if (DOTS.test(segment)) return undefined;
    }
    return { scheme, username: '', password: '', host, port, path, query, fragment };
  };
}

module.exports = { makeFastParse };
