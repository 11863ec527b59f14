// node/dns.js — Node's `dns` module, answered by the supervisor (the guest
// has no resolver and sends no DNS packet itself; see internal/dns.js).
// lookup() is what net's connects use; resolve*() and reverse() are DNS
// queries the supervisor's c-ares makes, answered in Node's shapes;
// lookupService() is the reverse lookup's name and a table's service.
// A Resolver asks the profile's net.resolvers until setServers(); then
// only its own servers, each granted as a connection to it would be
// (internal/dns.js); its local address is checked and unused.
'use strict';

const { codes } = require('./internal/errors');
const { kCustomPromisifyArgs } = require('./internal/util');
const { validateFunction, validateString } = require('./internal/validators');
const shared = require('./internal/dns');

const {
  AI_ADDRCONFIG, AI_ALL, AI_V4MAPPED, errorCodes, isIP, getDefaultResultOrder, setDefaultResultOrder,
} = shared;

function lookup(hostname, options, callback) {
  if (hostname) validateString(hostname, 'hostname');
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  } else if (typeof options !== 'number' && options !== undefined && typeof options !== 'object') {
    validateFunction(arguments.length === 2 ? options : callback, 'callback');
    throw codes.ERR_INVALID_ARG_TYPE('options', ['integer', 'object'], options);
  } else {
    validateFunction(callback, 'callback');
  }
  const { family, hints, all, order } = shared.lookupOptions(options);
  if (!hostname) {
    shared.emitInvalidHostnameWarning(hostname);
    if (all) process.nextTick(callback, null, []);
    else process.nextTick(callback, null, null, family === 6 ? 6 : 4);
    return {};
  }
  const matched = isIP(hostname);
  if (matched) {
    if (all) process.nextTick(callback, null, [{ address: hostname, family: matched }]);
    else process.nextTick(callback, null, hostname, matched);
    return {};
  }
  const req = { hostname, family, hints, order };
  shared.lookupHost(hostname, family, (err, list) => {
    if (err) callback(err);
    else if (all) callback(null, list);
    else callback(null, list[0].address, list[0].family);
  }, order);
  return req;
}
Object.defineProperty(lookup, kCustomPromisifyArgs, { value: ['address', 'family'], enumerable: false });

function lookupService(address, port, callback) {
  if (arguments.length !== 3) throw codes.ERR_MISSING_ARGS('address', 'port', 'callback');
  if (isIP(address) === 0) throw codes.ERR_INVALID_ARG_VALUE('address', address);
  shared.validatePort(port);
  validateFunction(callback, 'callback');
  port = +port;
  shared.lookupService(address, port, callback);
  return { hostname: address, port };
}
Object.defineProperty(lookupService, kCustomPromisifyArgs, { value: ['hostname', 'service'], enumerable: false });

// The callback Resolver: resolveX(name[, options], callback).
function makeQuery(bindingName) {
  function query(name, options, callback) {
    if (arguments.length <= 2) {
      callback = options;
      options = undefined;
    }
    validateString(name, 'name');
    validateFunction(callback, 'callback');
    if (bindingName === 'getHostByAddr' && !isIP(name)) {
      throw shared.dnsException(-22, bindingName, name); // EINVAL, thrown as Node does
    }
    return shared.query(this._handle, bindingName, name, !!(options && options.ttl), callback);
  }
  Object.defineProperty(query, 'name', { value: bindingName });
  return query;
}

const { Resolver, resolveMap } = shared.createResolverClass(makeQuery);

Resolver.prototype.resolve = function resolve(hostname, rrtype, callback) {
  let fn;
  if (typeof rrtype === 'string') {
    fn = resolveMap[rrtype];
  } else if (typeof rrtype === 'function') {
    fn = resolveMap.A;
    callback = rrtype;
  } else {
    throw codes.ERR_INVALID_ARG_TYPE('rrtype', 'string', rrtype);
  }
  if (typeof fn === 'function') return fn.call(this, hostname, callback);
  throw codes.ERR_INVALID_ARG_VALUE('rrtype', rrtype);
};

let promises = null;

function setServers(servers) {
  const resolver = new Resolver();
  resolver.setServers(servers);
  shared.setDefaultResolver(resolver);
  shared.bindDefaultResolver(module.exports, Resolver.prototype, Resolver);
  if (promises !== null) shared.bindDefaultResolver(promises, promises.Resolver.prototype, Resolver);
}

module.exports = {
  lookup,
  lookupService,
  Resolver,
  getDefaultResultOrder,
  setDefaultResultOrder,
  setServers,
  ADDRCONFIG: AI_ADDRCONFIG,
  ALL: AI_ALL,
  V4MAPPED: AI_V4MAPPED,
  ...errorCodes,
};

shared.bindDefaultResolver(module.exports, Resolver.prototype, Resolver);

Object.defineProperty(module.exports, 'promises', {
  configurable: true,
  enumerable: true,
  get() {
    if (promises === null) promises = require('./dns_promises');
    return promises;
  },
});
