// node/internal/dns.js — what `dns`, `dns/promises` and `net` share: the
// guest has no resolver, so every name is asked of the supervisor
// (bridge/netproto.h): NETP_LOOKUP for dns.lookup and net's connects,
// NETP_RESOLVE for dns.resolve*(), NETP_REVERSE for dns.reverse(). The
// broker refuses a name no rule could grant before anything is sent; the
// supervisor decides again on its own copy of the policy and asks the
// servers of the profile's net.resolvers (or the host's resolv.conf). The
// answers come as Node's shapes; errors are Node's (c-ares codes with
// errno undefined, getaddrinfo's EAI codes with their numbers).
// Own code, written to Node 22's documented behaviour.
'use strict';

const binding = require('./binding');
const { codes, makeNodeError } = require('./errors');
const { errnoName } = require('./errno');

const NETP_F_ALL = 1;
const NETP_DNS_BASE = 0x10000;
const EACCES = -13;
const EINVAL = -22;

// c-ares statuses by number (ares.h) as Node names them
const aresCodes = [
  null, 'ENODATA', 'EFORMERR', 'ESERVFAIL', 'ENOTFOUND', 'ENOTIMP', 'EREFUSED', 'EBADQUERY',
  'EBADNAME', 'EBADFAMILY', 'EBADRESP', 'ECONNREFUSED', 'ETIMEOUT', 'EOF', 'EFILE', 'ENOMEM',
  'EDESTRUCTION', 'EBADSTR', 'EBADFLAGS', 'ENONAME', 'EBADHINTS', 'ENOTINITIALIZED',
  'ELOADIPHLPAPI', 'EADDRGETNETWORKPARAMS', 'ECANCELLED',
];
const errorCodes = {
  NODATA: 'ENODATA',
  FORMERR: 'EFORMERR',
  SERVFAIL: 'ESERVFAIL',
  NOTFOUND: 'ENOTFOUND',
  NOTIMP: 'ENOTIMP',
  REFUSED: 'EREFUSED',
  BADQUERY: 'EBADQUERY',
  BADNAME: 'EBADNAME',
  BADFAMILY: 'EBADFAMILY',
  BADRESP: 'EBADRESP',
  CONNREFUSED: 'ECONNREFUSED',
  TIMEOUT: 'ETIMEOUT',
  EOF: 'EOF',
  FILE: 'EFILE',
  NOMEM: 'ENOMEM',
  DESTRUCTION: 'EDESTRUCTION',
  BADSTR: 'EBADSTR',
  BADFLAGS: 'EBADFLAGS',
  NONAME: 'ENONAME',
  BADHINTS: 'EBADHINTS',
  NOTINITIALIZED: 'ENOTINITIALIZED',
  LOADIPHLPAPI: 'ELOADIPHLPAPI',
  ADDRGETNETWORKPARAMS: 'EADDRGETNETWORKPARAMS',
  CANCELLED: 'ECANCELLED',
};
// getaddrinfo's flags, Linux's values (as Node's dns.ADDRCONFIG ...)
const AI_V4MAPPED = 8;
const AI_ALL = 16;
const AI_ADDRCONFIG = 32;
// libuv's getaddrinfo errors
const UV_EAI_AGAIN = -3001;
const UV_EAI_FAIL = -3004;
const UV_EAI_NONAME = -3008;

// ---- errors ------------------------------------------------------------------------------

// Node's DNSException: a c-ares code (a string: errno undefined) or a
// libuv number (EAI_NONAME and EAI_NODATA are ENOTFOUND).
function dnsException(code, syscall, hostname) {
  let errno;
  if (typeof code === 'number') {
    errno = code;
    if (code === UV_EAI_NONAME || code === -3007) code = 'ENOTFOUND';
    else if (code === UV_EAI_AGAIN) code = 'EAI_AGAIN';
    else if (code === UV_EAI_FAIL) code = 'EAI_FAIL';
    else code = errnoName(code) || `Unknown system error ${code}`;
  }
  const err = new Error(`${syscall} ${code}${hostname ? ` ${hostname}` : ''}`);
  err.errno = errno;
  err.code = code;
  err.syscall = syscall;
  if (hostname) err.hostname = hostname;
  return err;
}

function accessDenied(op, host, port) {
  const target = port ? `${host.includes(':') ? `[${host}]` : host}:${port}` : host;
  const err = new Error(`Access to this API has been restricted: ${op} ${target} ` +
    '(refused by the supervisor: the address it resolved to or connects is not granted, or is the host\'s own — reach the host as host.internal)');
  err.code = 'ERR_ACCESS_DENIED';
  err.permission = 'Net';
  err.resource = target;
  return err;
}

// The c-ares status of a channel answer, or -1.
function aresOf(status) {
  return status <= -NETP_DNS_BASE ? -status - NETP_DNS_BASE : -1;
}

// Node's error for a failed lookup: "getaddrinfo ENOTFOUND example.invalid".
function lookupException(status, host) {
  if (status === EACCES) return accessDenied('lookup', host, 0);
  const ares = aresOf(status);
  let errno;
  if (ares === 1 || ares === 4 || ares === 19) errno = UV_EAI_NONAME; // ENODATA, ENOTFOUND, ENONAME
  else if (ares === 3 || ares === 6 || ares === 11 || ares === 12) errno = UV_EAI_AGAIN;
  else if (ares >= 0) errno = UV_EAI_FAIL;
  if (errno !== undefined) return dnsException(errno, 'getaddrinfo', host);
  const err = new Error(`getaddrinfo ${errnoName(status) || 'EAI_FAIL'} ${host}`);
  err.errno = status;
  err.code = errnoName(status) || 'EAI_FAIL';
  err.syscall = 'getaddrinfo';
  err.hostname = host;
  return err;
}

// A resolve/reverse answer's status as Node's error.
function queryException(status, syscall, host) {
  if (status === EACCES) return accessDenied(syscall === 'getHostByAddr' ? 'reverse' : 'resolve', host, 0);
  const ares = aresOf(status);
  let code;
  if (ares > 0 && ares < aresCodes.length) code = aresCodes[ares];
  else if (status === EINVAL) code = 'EBADNAME';
  else code = 'ECONNREFUSED'; // the supervisor's channel failed
  return dnsException(code, syscall, host);
}

// ---- addresses ---------------------------------------------------------------------------

let isIPCache;
function isIP(s) {
  if (isIPCache === undefined) isIPCache = require('../net').isIP;
  return isIPCache(s);
}

const validDnsOrders = ['verbatim', 'ipv4first', 'ipv6first'];
let dnsOrder = 'verbatim'; // Node 22's default

function setDefaultResultOrder(value) {
  if (!validDnsOrders.includes(value)) {
    throw codes.ERR_INVALID_ARG_VALUE('dnsOrder', value,
      `must be one of: ${validDnsOrders.map((v) => `'${v}'`).join(', ')}`);
  }
  dnsOrder = value;
}

function getDefaultResultOrder() {
  return dnsOrder;
}

function ordered(list, order) {
  if (order === 'ipv4first') return list.filter((a) => a.family === 4).concat(list.filter((a) => a.family === 6));
  if (order === 'ipv6first') return list.filter((a) => a.family === 6).concat(list.filter((a) => a.family === 4));
  return list;
}

// The addresses host stands for, [{address, family}], in order (the
// default result order when not given). An address literal stands for
// itself, localhost for the sandbox's own loopback (its /etc/hosts
// order), any other name is resolved by the supervisor, which refuses a
// name no grant covers. callback(err, list) runs later, never now.
const HOST_INTERNAL_V4 = '127.254.0.1';

function lookupHost(host, family, callback, order = dnsOrder) {
  if (typeof order === 'boolean') order = order ? 'verbatim' : 'ipv4first'; // (host, family, cb, verbatim)
  const fam = isIP(host);
  if (fam) {
    process.nextTick(callback, null, [{ address: host, family: fam }]);
    return;
  }
  const lower = host.toLowerCase();
  if (lower === 'localhost') {
    const all = [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }];
    process.nextTick(callback, null, ordered(all.filter((a) => !family || a.family === family), order));
    return;
  }
  // host.internal is a fixed address of the guest's view (the host's
  // loopback, reached through the supervisor, which decides the connect):
  // known here as localhost is, with no round trip. It has no IPv6 form.
  if (lower === 'host.internal') {
    if (family === 6) process.nextTick(callback, lookupException(-(NETP_DNS_BASE + 4), host));
    else process.nextTick(callback, null, [{ address: HOST_INTERNAL_V4, family: 4 }]);
    return;
  }
  let r;
  try {
    r = binding.net.netLookup(host, family, NETP_F_ALL, (status, flat) => {
      if (status < 0) {
        callback(lookupException(status, host));
        return;
      }
      const list = [];
      for (let i = 0; i + 1 < flat.length; i += 2) list.push({ address: flat[i], family: flat[i + 1] });
      if (list.length === 0) callback(lookupException(-(NETP_DNS_BASE + 4), host));
      else callback(null, ordered(list, order));
    });
  } catch (err) {
    process.nextTick(callback, err);
    return;
  }
  if (r < 0) process.nextTick(callback, lookupException(r, host));
}

// ---- resolve and reverse -----------------------------------------------------------------

// Node's binding names and their record types
const rrTypes = {
  queryAny: 255, queryA: 1, queryAaaa: 28, queryCaa: 257, queryCname: 5, queryMx: 15,
  queryNs: 2, queryTxt: 16, querySrv: 33, queryPtr: 12, queryNaptr: 35, querySoa: 6,
};

// The settings of one Resolver (what Node keeps in a c-ares channel): its
// servers, timeout and tries, the questions out. Until setServers() the
// supervisor asks its own resolvers (the run's, which getServers() shows);
// after it, only the servers set, each decided by both walls as a
// connection to it would be ("dns-server": the sandbox's own loopback
// needs a rule naming it, outside addresses the rules for them).
let runServers = [];

function parseServerList(text) {
  const out = [];
  for (const item of String(text || '').split(',')) {
    if (!item) continue;
    let m = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
    if (m) {
      out.push([m[1], m[2] ? Number(m[2]) : 53]);
      continue;
    }
    m = /^([^:]+)(?::(\d+))?$/.exec(item);
    if (m) out.push([m[1], m[2] ? Number(m[2]) : 53]);
  }
  return out;
}

// The run's servers (the runtime configuration's dnsServers).
function setRunServers(text) {
  runServers = parseServerList(text);
}

class ChannelHandle {
  constructor(timeout, tries) {
    this.timeout = timeout;
    this.tries = tries;
    this.servers = null; // the run's until set (a handle may be made in the snapshot)
    this.pending = new Set();
    this.cache = new Map(); // `${rrtype} ${name}` -> a kept answer (cachedAnswer)
  }

  getServers() {
    return (this.servers || runServers).map((s) => s.slice());
  }

  // [[family, ip, port], ...]: 0, or a c-ares status. The addresses are
  // the guest's (127.0.0.1 is the sandbox's loopback), even when they
  // spell the run's servers, which getServers() shows as the host has them.
  setServers(list) {
    if (this.pending.size) return 'There are pending queries.';
    this.servers = list.map((s) => [s[1], s[2] === undefined ? 53 : s[2]]);
    this.cache.clear();
    return 0;
  }

  // The servers for the bridge ("IP PORT,..."), undefined for the run's.
  serversArg() {
    if (this.servers === null) return undefined;
    return this.servers.map(([ip, port]) => `${ip} ${port}`).join(',');
  }

  cancel() {
    for (const req of [...this.pending]) req.cancel();
  }

  setLocalAddress(ipv4, ipv6) {
    const bad = (msg) => makeNodeError(TypeError, 'ERR_INVALID_ARG_VALUE', msg);
    const f0 = isIP(ipv4);
    if (!f0) throw bad('Invalid IP address.');
    if (ipv6 !== undefined) {
      const f1 = isIP(ipv6);
      if (!f1) throw bad('Invalid IP address.');
      if (f0 === f1) throw bad(`Cannot specify two IPv${f0} addresses.`);
    }
    this.local = [ipv4, ipv6];
  }
}

// Node 22's resolvers keep answers (c-ares' query cache): a question asked
// again of the same Resolver while its answer lives (the supervisor says
// how long: the least TTL of the records, a negative answer's SOA, at most
// an hour) is answered from the Resolver, TTLs counted down by the whole
// seconds gone, and no server sees it; setServers() empties the cache. A
// and AAAA are always asked with their TTLs, so one answer serves both
// forms. (Reverse lookups are not kept.)
const kCacheMax = 1000; // answers one Resolver keeps at most
const nowMs = () => {
  const [sec, ns] = process.hrtime();
  return sec * 1e3 + ns / 1e6;
};

function cacheKeep(handle, key, status, result, seconds) {
  if (!(seconds > 0)) return;
  if (handle.cache.size >= kCacheMax) handle.cache.delete(handle.cache.keys().next().value);
  const at = nowMs();
  handle.cache.set(key, { at, expires: at + seconds * 1000, status, result });
}

// The kept answer of key, or undefined (an expired one is dropped).
function cacheFind(handle, key) {
  const hit = handle.cache.get(key);
  if (hit === undefined) return undefined;
  if (nowMs() >= hit.expires) {
    handle.cache.delete(key);
    return undefined;
  }
  return hit;
}

// A kept or fresh result as the caller asked for it: TTLs less `gone`
// seconds; A/AAAA without {ttl} as addresses.
function shapeResult(result, gone, addressesOnly) {
  if (!Array.isArray(result)) return result;
  return result.map((r) => {
    if (addressesOnly) return r.address;
    if (r !== null && typeof r === 'object' && typeof r.ttl === 'number') {
      return { ...r, ttl: Math.max(0, r.ttl - gone) };
    }
    return r;
  });
}

// Asks the supervisor for bindingName's records of name (getHostByAddr:
// the names of an address); callback(err, result) runs later. Returns the
// request (cancelled with the handle's questions).
function query(handle, bindingName, name, ttl, callback) {
  const req = { bindingName, hostname: name, ttl, done: false };
  const finish = (err, result) => {
    if (req.done) return;
    req.done = true;
    handle.pending.delete(req);
    callback(err, result);
  };
  req.cancel = () => {
    if (req.done) return;
    handle.pending.delete(req);
    if (req.id > 0) binding.net.netCancel(req.id); // its answer is dropped
    setImmediate(finish, dnsException('ECANCELLED', bindingName, name));
  };
  handle.pending.add(req);
  const rrtype = rrTypes[bindingName];
  const addressRecords = rrtype === 1 || rrtype === 28;
  const key = `${rrtype} ${name}`;
  const deliver = (status, result, gone) => {
    if (status < 0) finish(queryException(status, bindingName, name));
    else finish(null, shapeResult(result, gone, addressRecords && !ttl));
  };
  const answer = (status, json, cacheSeconds) => {
    if (status < 0) {
      cacheKeep(handle, key, status, undefined, cacheSeconds);
      deliver(status, undefined, 0);
      return;
    }
    let result;
    try {
      result = JSON.parse(json);
    } catch {
      finish(dnsException('EBADRESP', bindingName, name));
      return;
    }
    cacheKeep(handle, key, status, result, cacheSeconds);
    deliver(status, result, 0);
  };
  const kept = bindingName === 'getHostByAddr' ? undefined : cacheFind(handle, key);
  if (kept !== undefined) {
    const gone = Math.floor((nowMs() - kept.at) / 1000);
    setImmediate(deliver, kept.status, kept.result, gone);
    return req;
  }
  if (name === '') {
    setImmediate(finish, dnsException('ENOTFOUND', bindingName, name));
    return req;
  }
  const servers = handle.serversArg();
  if (servers === '') { // setServers([]): nowhere to ask
    setImmediate(finish, dnsException('ECONNREFUSED', bindingName, name));
    return req;
  }
  let r;
  try {
    if (bindingName === 'getHostByAddr') {
      r = binding.net.netReverse(name, answer, servers, handle.timeout, handle.tries);
    } else {
      r = binding.net.netResolve(name, rrtype, addressRecords || !!ttl, answer, servers,
        handle.timeout, handle.tries);
    }
  } catch (err) {
    setImmediate(finish, err);
    return req;
  }
  if (r < 0) setImmediate(finish, queryException(r, bindingName, name));
  else req.id = r;
  return req;
}

// ---- lookupService -----------------------------------------------------------------------

// The services of the common TCP ports (Debian's /etc/services names);
// any other port is its number.
const services = {
  7: 'echo', 9: 'discard', 13: 'daytime', 19: 'chargen', 20: 'ftp-data', 21: 'ftp', 22: 'ssh',
  23: 'telnet', 25: 'smtp', 37: 'time', 43: 'whois', 53: 'domain', 70: 'gopher', 79: 'finger',
  80: 'http', 88: 'kerberos', 110: 'pop3', 111: 'sunrpc', 113: 'auth', 119: 'nntp', 135: 'epmap',
  139: 'netbios-ssn', 143: 'imap2', 161: 'snmp', 162: 'snmp-trap', 179: 'bgp', 389: 'ldap',
  443: 'https', 445: 'microsoft-ds', 465: 'submissions', 514: 'shell', 515: 'printer',
  587: 'submission', 631: 'ipp', 636: 'ldaps', 873: 'rsync', 989: 'ftps-data', 990: 'ftps',
  993: 'imaps', 995: 'pop3s', 1080: 'socks', 1433: 'ms-sql-s', 2049: 'nfs', 3306: 'mysql',
  3389: 'ms-wbt-server', 5060: 'sip', 5432: 'postgresql', 5672: 'amqp', 6000: 'x11',
  6379: 'redis', 6667: 'ircd', 8080: 'http-alt', 9418: 'git',
};

// getnameinfo as the guest can have it: the name from the supervisor's
// reverse lookup (none: ENOTFOUND, as libuv asks with NI_NAMEREQD), the
// service from the table above. A reverse lookup the broker refuses is
// what getnameinfo gives when it finds no name (ENOTFOUND; getnameinfo
// has no "not allowed"), its message saying which grant would ask.
// callback(err, hostname, service).
function lookupService(address, port, callback) {
  const handle = new ChannelHandle(-1, 4);
  const service = services[port] || String(port);
  query(handle, 'getHostByAddr', address, false, (err, names) => {
    if (err) {
      if (err.code === 'ERR_ACCESS_DENIED') {
        const e = dnsException(UV_EAI_NONAME, 'getnameinfo', address);
        const hint = /\((not granted: [^)]*|refused by the supervisor)/.exec(err.message);
        e.message += ` (not asked: ${hint ? hint[1] : 'refused'})`;
        callback(e);
      } else if (err.code === 'ENOTFOUND' || err.code === 'ENODATA') callback(dnsException(UV_EAI_NONAME, 'getnameinfo', address));
      else callback(dnsException(UV_EAI_AGAIN, 'getnameinfo', address));
      return;
    }
    if (names.length) callback(null, names[0], service);
    else callback(dnsException(UV_EAI_NONAME, 'getnameinfo', address));
  });
}

// ---- argument checks Node's dns uses -----------------------------------------------------

function validateInt32(value, name, min = -2147483648, max = 2147483647) {
  if (typeof value !== 'number') throw codes.ERR_INVALID_ARG_TYPE(name, 'number', value);
  if (!Number.isInteger(value)) throw codes.ERR_OUT_OF_RANGE(name, 'an integer', value);
  if (value < min || value > max) throw codes.ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
}

function validateHints(hints) {
  if ((hints & ~(AI_ADDRCONFIG | AI_ALL | AI_V4MAPPED)) !== 0) {
    throw codes.ERR_INVALID_ARG_VALUE('hints', hints);
  }
}

function validatePort(port, name = 'Port') {
  if ((typeof port !== 'number' && typeof port !== 'string') ||
      (typeof port === 'string' && port.trim().length === 0) ||
      +port !== (+port >>> 0) || port > 0xFFFF) {
    throw codes.ERR_SOCKET_BAD_PORT(name, port, true);
  }
  return port | 0;
}

let hostnameWarned = false;
function emitInvalidHostnameWarning(hostname) {
  if (hostnameWarned) return;
  hostnameWarned = true;
  process.emitWarning(`The provided hostname "${hostname}" is not a valid hostname, and is ` +
    'supported in the dns module solely for compatibility.', 'DeprecationWarning', 'DEP0118');
}

// ---- the Resolver classes ----------------------------------------------------------------

const IANA_DNS_PORT = 53;

function validateResolverOption(options, key, dflt, min) {
  const value = options == null || options[key] === undefined ? dflt : options[key];
  validateInt32(value, `options.${key}`, min);
  return value;
}

// What dns.Resolver and dns.promises.Resolver share. setServers() checks
// its argument as Node does; the servers are decided when a question is
// asked of them (ChannelHandle). timeout and tries go with each question
// to the guest's own servers; setLocalAddress() is checked and unused.
class ResolverBase {
  constructor(options = undefined) {
    const timeout = validateResolverOption(options, 'timeout', -1, -1);
    const tries = validateResolverOption(options, 'tries', 4, 1);
    this._handle = new ChannelHandle(timeout, tries);
  }

  cancel() {
    this._handle.cancel();
  }

  getServers() {
    return (this._handle.getServers() || []).map(([ip, port]) => {
      if (!port || port === IANA_DNS_PORT) return ip;
      return `${isIP(ip) === 6 ? `[${ip}]` : ip}:${port}`;
    });
  }

  setServers(servers) {
    if (!Array.isArray(servers)) throw codes.ERR_INVALID_ARG_TYPE('servers', 'Array', servers);
    const set = [];
    servers.forEach((serv, index) => {
      if (typeof serv !== 'string') throw codes.ERR_INVALID_ARG_TYPE(`servers[${index}]`, 'string', serv);
      let fam = isIP(serv);
      if (fam) {
        set.push([fam, serv, IANA_DNS_PORT]);
        return;
      }
      const v6 = /^\[([^[\]]*)\]/.exec(serv);
      if (v6 && (fam = isIP(v6[1]))) {
        const port = Number.parseInt(serv.replace(/(^.+?)(?::(\d+))?$/, '$2')) || IANA_DNS_PORT;
        set.push([fam, v6[1], port]);
        return;
      }
      const m = /(^.+?)(?::(\d+))?$/.exec(serv);
      if (m && (fam = isIP(m[1]))) {
        set.push([fam, m[1], Number.parseInt(m[2] || IANA_DNS_PORT)]);
        return;
      }
      throw codes.ERR_INVALID_IP_ADDRESS(serv);
    });
    const status = this._handle.setServers(set);
    if (status !== 0) {
      throw makeNodeError(Error, 'ERR_DNS_SET_SERVERS_FAILED',
        `c-ares failed to set servers: "${status}" [${servers}]`);
    }
  }

  setLocalAddress(ipv4, ipv6) {
    if (typeof ipv4 !== 'string') throw codes.ERR_INVALID_ARG_TYPE('ipv4', 'string', ipv4);
    if (ipv6 !== undefined && typeof ipv6 !== 'string') {
      throw codes.ERR_INVALID_ARG_TYPE('ipv6', 'string', ipv6);
    }
    this._handle.setLocalAddress(ipv4, ipv6);
  }
}

const resolverKeys = [
  'getServers', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname',
  'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv',
  'resolveTxt', 'reverse',
];

// A Resolver class whose methods are made by makeQuery(bindingName), and
// its map of record types (for resolve(name, rrtype)).
function createResolverClass(makeQuery) {
  const resolveMap = { __proto__: null };
  class Resolver extends ResolverBase {}
  const add = (method, type, bindingName) => {
    const fn = makeQuery(bindingName);
    if (type) resolveMap[type] = fn;
    Resolver.prototype[method] = fn;
  };
  add('resolveAny', 'ANY', 'queryAny');
  add('resolve4', 'A', 'queryA');
  add('resolve6', 'AAAA', 'queryAaaa');
  add('resolveCaa', 'CAA', 'queryCaa');
  add('resolveCname', 'CNAME', 'queryCname');
  add('resolveMx', 'MX', 'queryMx');
  add('resolveNs', 'NS', 'queryNs');
  add('resolveTxt', 'TXT', 'queryTxt');
  add('resolveSrv', 'SRV', 'querySrv');
  add('resolvePtr', 'PTR', 'queryPtr');
  add('resolveNaptr', 'NAPTR', 'queryNaptr');
  add('resolveSoa', 'SOA', 'querySoa');
  add('reverse', null, 'getHostByAddr');
  return { Resolver, resolveMap };
}

// The default resolver both modules' functions are bound to.
let defaultResolver;
function getDefaultResolver(Resolver) {
  if (defaultResolver === undefined) defaultResolver = new Resolver();
  return defaultResolver;
}
function setDefaultResolver(resolver) {
  defaultResolver = resolver;
}
function bindDefaultResolver(target, proto, Resolver) {
  const resolver = getDefaultResolver(Resolver);
  for (const key of resolverKeys) target[key] = proto[key].bind(resolver);
}

// dns.lookup's and dns.promises.lookup's options (a family number, or an
// object of hints, family, all, verbatim and order) as Node checks them:
// { family, hints, all, order }.
function lookupOptions(options) {
  const { validateNumber, validateBoolean, validateOneOf } = require('./validators');
  const out = { family: 0, hints: 0, all: false, order: getDefaultResultOrder() };
  if (typeof options === 'number') {
    validateOneOf(options, 'family', [0, 4, 6]);
    out.family = options;
    return out;
  }
  if (options?.hints != null) {
    validateNumber(options.hints, 'options.hints');
    out.hints = options.hints >>> 0;
    validateHints(out.hints);
  }
  if (options?.family != null) {
    if (options.family === 'IPv4') out.family = 4;
    else if (options.family === 'IPv6') out.family = 6;
    else {
      validateOneOf(options.family, 'options.family', [0, 4, 6]);
      out.family = options.family;
    }
  }
  if (options?.all != null) {
    validateBoolean(options.all, 'options.all');
    out.all = options.all;
  }
  if (options?.verbatim != null) {
    validateBoolean(options.verbatim, 'options.verbatim');
    out.order = options.verbatim ? 'verbatim' : 'ipv4first';
  }
  if (options?.order != null) {
    validateOneOf(options.order, 'options.order', validDnsOrders);
    out.order = options.order;
  }
  return out;
}

module.exports = {
  HOST_INTERNAL_V4,
  lookupOptions,
  AI_ADDRCONFIG,
  bindDefaultResolver,
  createResolverClass,
  setDefaultResolver,
  AI_ALL,
  AI_V4MAPPED,
  ChannelHandle,
  NETP_DNS_BASE,
  accessDenied,
  dnsException,
  emitInvalidHostnameWarning,
  errorCodes,
  getDefaultResultOrder,
  isIP,
  lookupException,
  lookupHost,
  lookupService,
  query,
  setDefaultResultOrder,
  setRunServers,
  validDnsOrders,
  validateHints,
  validateInt32,
  validatePort,
};
