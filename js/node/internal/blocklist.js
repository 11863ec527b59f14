// node/internal/blocklist.js — net.BlockList and net.SocketAddress as Node 22
// has them: address, range and subnet rules over IPv4 and IPv6 (an IPv4
// rule also matches the IPv4-mapped IPv6 form and the other way round),
// rules listed newest first, and the socket address value type. Pure
// address arithmetic on BigInts: nothing here reaches the network.
'use strict';

const { codes } = require('./errors');
const { validatePort } = require('./dns');

const kRules = Symbol('kRules');
const kAddr = Symbol('kAddr');

let netCache;
const net = () => netCache || (netCache = require('../net'));

function familyOf(family, name = 'family') {
  if (typeof family !== 'string') throw codes.ERR_INVALID_ARG_TYPE(name, 'string', family);
  const f = family.toLowerCase();
  if (f !== 'ipv4' && f !== 'ipv6') throw codes.ERR_INVALID_ARG_VALUE(name, family);
  return f;
}

// The address as a BigInt in its family's width; null when it is not one.
function toBig(address, family) {
  if (family === 'ipv4') {
    if (!net().isIPv4(address)) return null;
    return address.split('.').reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
  }
  let s = address;
  const pct = s.indexOf('%');
  if (pct !== -1) s = s.slice(0, pct);
  if (!net().isIPv6(s)) return null;
  let tail = [];
  const last = s.slice(s.lastIndexOf(':') + 1);
  if (last.includes('.')) {
    const v4 = toBig(last, 'ipv4');
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    s = s.slice(0, s.lastIndexOf(':') + 1) + '0:0';
  }
  const [head, rest] = s.split('::');
  const h = head ? head.split(':') : [];
  const r = rest !== undefined ? (rest ? rest.split(':') : []) : [];
  const groups = rest !== undefined ? [...h, ...Array(8 - h.length - r.length).fill('0'), ...r] : h;
  let n = 0n;
  groups.forEach((g, i) => {
    const v = i >= 6 && tail.length ? tail[i - 6] : parseInt(g, 16);
    n = (n << 16n) | BigInt(v);
  });
  return n;
}

const MAPPED = 0xffffn << 32n;

// An address in both families' terms: { v4, v6 } (v4 null when the IPv6
// address is no IPv4-mapped one).
function forms(big, family) {
  if (family === 'ipv4') return { v4: big, v6: MAPPED | big };
  return { v4: (big >> 32n) === 0xffffn ? big & 0xffffffffn : null, v6: big };
}

class SocketAddress {
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') {
      throw codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    const family = familyOf(options.family === undefined ? 'ipv4' : options.family, 'options.family');
    const address = options.address === undefined ? (family === 'ipv4' ? '127.0.0.1' : '::') : options.address;
    if (typeof address !== 'string') throw codes.ERR_INVALID_ARG_TYPE('options.address', 'string', address);
    const port = options.port === undefined ? 0 : options.port;
    validatePort(port, 'options.port');
    const flowlabel = options.flowlabel === undefined ? 0 : options.flowlabel;
    if (typeof flowlabel !== 'number' || !Number.isInteger(flowlabel) || flowlabel < 0 || flowlabel > 0xffffffff) {
      throw codes.ERR_OUT_OF_RANGE('options.flowlabel', '>= 0 && <= 4294967295', flowlabel);
    }
    if (toBig(address, family) === null) throw codes.ERR_INVALID_ADDRESS();
    this[kAddr] = { address, port: port | 0, family, flowlabel };
  }

  get address() { return this[kAddr].address; }

  get port() { return this[kAddr].port; }

  get family() { return this[kAddr].family; }

  get flowlabel() { return this[kAddr].flowlabel; }

  toJSON() {
    return { address: this.address, port: this.port, family: this.family, flowlabel: this.flowlabel };
  }

  static isSocketAddress(value) {
    return value != null && typeof value === 'object' && kAddr in value;
  }

  // "1.2.3.4:80", "[::1]:80", "1.2.3.4": a SocketAddress, or undefined.
  static parse(input) {
    if (typeof input !== 'string') throw codes.ERR_INVALID_ARG_TYPE('input', 'string', input);
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(input) || /^([^:]+)(?::(\d+))?$/.exec(input);
    const [address, port] = m ? [m[1], m[2]] : [input, undefined];
    const family = net().isIPv6(address) ? 'ipv6' : 'ipv4';
    try {
      return new SocketAddress({ address, port: port === undefined ? 0 : Number(port), family });
    } catch {
      return undefined;
    }
  }

  [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) {
    if (depth < 0) return this;
    return `SocketAddress ${inspect(this.toJSON(), options)}`;
  }
}

// (address, family) as a rule's or a check's arguments: { big, family, text }.
function addressArg(address, family, name) {
  if (SocketAddress.isSocketAddress(address)) {
    return { big: toBig(address.address, address.family), family: address.family, text: address.address };
  }
  if (typeof address !== 'string') throw codes.ERR_INVALID_ARG_TYPE(name, ['string', 'SocketAddress'], address);
  const f = familyOf(family);
  const big = toBig(address, f);
  if (big === null) throw codes.ERR_INVALID_ADDRESS();
  return { big, family: f, text: address };
}

class BlockList {
  constructor() {
    this[kRules] = [];
  }

  static isBlockList(value) {
    return value != null && typeof value === 'object' && kRules in value;
  }

  addAddress(address, family = 'ipv4') {
    const a = addressArg(address, family, 'address');
    this[kRules].unshift({ kind: 'Address', family: a.family, ...forms(a.big, a.family), text: a.text });
  }

  addRange(start, end, family = 'ipv4') {
    const s = addressArg(start, family, 'start');
    const e = addressArg(end, family, 'end');
    if (s.family !== e.family) throw codes.ERR_INVALID_ARG_VALUE('end', end);
    if (s.big > e.big) throw codes.ERR_INVALID_ARG_VALUE('start', start, 'must come before end');
    this[kRules].unshift({
      kind: 'Range', family: s.family, lo: forms(s.big, s.family), hi: forms(e.big, e.family),
      text: `${s.text}-${e.text}`,
    });
  }

  addSubnet(network, prefix, family = 'ipv4') {
    const a = addressArg(network, family, 'network');
    const bits = a.family === 'ipv4' ? 32 : 128;
    if (typeof prefix !== 'number') throw codes.ERR_INVALID_ARG_TYPE('prefix', 'number', prefix);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
      throw codes.ERR_OUT_OF_RANGE('prefix', `>= 0 && <= ${bits}`, prefix);
    }
    const width = BigInt(bits);
    const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << (width - BigInt(prefix));
    const base = a.big & mask;
    const top = base | (((1n << width) - 1n) & ~mask);
    this[kRules].unshift({
      kind: 'Subnet', family: a.family, lo: forms(base, a.family), hi: forms(top, a.family),
      text: `${a.text}/${prefix}`,
    });
  }

  check(address, family = 'ipv4') {
    let a;
    try {
      a = addressArg(address, family, 'address');
    } catch (err) {
      if (err.code === 'ERR_INVALID_ADDRESS') return false;
      throw err;
    }
    const f = forms(a.big, a.family);
    const inside = (lo, hi, key) => f[key] !== null && lo[key] !== null && hi[key] !== null &&
      f[key] >= lo[key] && f[key] <= hi[key];
    return this[kRules].some((r) => {
      const lo = r.kind === 'Address' ? { v4: r.v4, v6: r.v6 } : r.lo;
      const hi = r.kind === 'Address' ? lo : r.hi;
      return inside(lo, hi, 'v6') || inside(lo, hi, 'v4');
    });
  }

  get rules() {
    return this[kRules].map((r) => `${r.kind}: ${r.family === 'ipv4' ? 'IPv4' : 'IPv6'} ${r.text}`);
  }

  [Symbol.for('nodejs.util.inspect.custom')](depth, options, inspect) {
    if (depth < 0) return this;
    return `BlockList ${inspect({ rules: this.rules }, options)}`;
  }
}

module.exports = { BlockList, SocketAddress };
