// node/dns_promises.js — Node's `dns/promises` (also `dns.promises`): the
// promise forms of node/dns.js, on the same supervisor questions
// (internal/dns.js).
'use strict';

const { codes } = require('./internal/errors');
const { validateString } = require('./internal/validators');
const shared = require('./internal/dns');

const { errorCodes, isIP, getDefaultResultOrder, setDefaultResultOrder } = shared;

function lookup(hostname, options) {
  if (hostname) validateString(hostname, 'hostname');
  if (typeof options !== 'number' && options !== undefined && typeof options !== 'object') {
    throw codes.ERR_INVALID_ARG_TYPE('options', ['integer', 'object'], options);
  }
  const { family, all, order } = shared.lookupOptions(options);
  return new Promise((resolve, reject) => {
    if (!hostname) {
      shared.emitInvalidHostnameWarning(hostname);
      resolve(all ? [] : { address: null, family: family === 6 ? 6 : 4 });
      return;
    }
    const matched = isIP(hostname);
    if (matched) {
      const one = { address: hostname, family: matched };
      resolve(all ? [one] : one);
      return;
    }
    shared.lookupHost(hostname, family, (err, list) => {
      if (err) reject(err);
      else resolve(all ? list : list[0]);
    }, order);
  });
}

function lookupService(address, port) {
  if (arguments.length !== 2) throw codes.ERR_MISSING_ARGS('address', 'port');
  if (isIP(address) === 0) throw codes.ERR_INVALID_ARG_VALUE('address', address);
  shared.validatePort(port);
  return new Promise((resolve, reject) => {
    shared.lookupService(address, +port, (err, hostname, service) => {
      if (err) reject(err);
      else resolve({ hostname, service });
    });
  });
}

// The promise Resolver: resolveX(name[, options]) -> Promise.
function makeQuery(bindingName) {
  function query(name, options) {
    validateString(name, 'name');
    const ttl = !!(options && options.ttl);
    return new Promise((resolve, reject) => {
      if (bindingName === 'getHostByAddr' && !isIP(name)) {
        reject(shared.dnsException(-22, bindingName, name));
        return;
      }
      shared.query(this._handle, bindingName, name, ttl, (err, result) => {
        if (err) reject(err);
        else resolve(result);
      });
    });
  }
  Object.defineProperty(query, 'name', { value: bindingName });
  return query;
}

const { Resolver, resolveMap } = shared.createResolverClass(makeQuery);

Resolver.prototype.resolve = function resolve(hostname, rrtype) {
  let fn;
  if (rrtype !== undefined) {
    validateString(rrtype, 'rrtype');
    fn = resolveMap[rrtype];
    if (typeof fn !== 'function') throw codes.ERR_INVALID_ARG_VALUE('rrtype', rrtype);
  } else {
    fn = resolveMap.A;
  }
  return fn.call(this, hostname);
};

function setServers(servers) {
  const resolver = new Resolver();
  resolver.setServers(servers);
  shared.setDefaultResolver(resolver);
  shared.bindDefaultResolver(module.exports, Resolver.prototype, Resolver);
}

module.exports = {
  lookup,
  lookupService,
  Resolver,
  getDefaultResultOrder,
  setDefaultResultOrder,
  setServers,
  ...errorCodes,
};

shared.bindDefaultResolver(module.exports, Resolver.prototype, Resolver);
