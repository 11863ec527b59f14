// node/os.js — Node's `os` module over bridge/os.c (libuv's system calls).
//
// Every answer is the sandbox's own: the UTS namespace's host name, the
// CPUs and memory the kernel reports, the net namespace's interfaces (only
// loopback without a network). homedir() and tmpdir() read the guest's
// environment first, as Node does; the guest's environment is the filtered
// one the profile allows, never the launcher's.
'use strict';

const binding = require('./internal/binding');
const linux = require('./internal/linux-constants');
const { validateInteger } = require('./internal/validators');

const split = (s) => s.split('\0').slice(0, -1);

function uname() {
  const [sysname, release, version, machine] = split(binding.os.uname());
  return { sysname, release, version, machine };
}

function stats() {
  return binding.os.stats();
}

// Null-prototype copies, as Node's binding hands them out (not frozen; the
// property itself is read-only)
const constants = {
  __proto__: null,
  UV_UDP_REUSEADDR: 4,
  dlopen: { __proto__: null, ...linux.dlopen },
  errno: { __proto__: null, ...linux.errno },
  signals: { __proto__: null, ...linux.signals },
  priority: { __proto__: null, ...linux.priority },
};

function env(name) {
  const v = process.env[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function homedir() {
  const home = env('HOME');
  if (home !== undefined) return home;
  return userInfo().homedir;
}

function tmpdir() {
  let dir = env('TMPDIR') || env('TMP') || env('TEMP') || '/tmp';
  if (dir.length > 1 && dir.endsWith('/')) dir = dir.slice(0, -1);
  return dir;
}

function cpus() {
  const f = split(binding.os.cpus());
  const out = [];
  for (let i = 0; i + 6 < f.length; i += 7) {
    out.push({
      model: f[i],
      speed: Number(f[i + 1]),
      times: {
        user: Number(f[i + 2]),
        nice: Number(f[i + 3]),
        sys: Number(f[i + 4]),
        idle: Number(f[i + 5]),
        irq: Number(f[i + 6]),
      },
    });
  }
  return out;
}

function userInfo(options = undefined) {
  const [username, uid, gid, shell, dir] = split(binding.os.userInfo());
  const asBuffer = options !== null && typeof options === 'object' && options.encoding === 'buffer';
  const enc = (s) => (asBuffer ? Buffer.from(s) : s);
  return {
    uid: Number(uid),
    gid: Number(gid),
    username: enc(username),
    homedir: enc(dir),
    shell: shell === '' ? null : enc(shell),
  };
}

function cidr(netmask, family) {
  let bits = 0;
  if (family === 'IPv4') {
    for (const part of netmask.split('.')) {
      const n = Number(part);
      for (let b = 7; b >= 0 && (n >> b) & 1; b--) bits++;
    }
  } else {
    for (const part of netmask.split(':')) {
      if (part === '') continue;
      const n = parseInt(part, 16);
      for (let b = 15; b >= 0 && (n >> b) & 1; b--) bits++;
    }
  }
  return bits;
}

function networkInterfaces() {
  const f = split(binding.os.networkInterfaces());
  const out = {};
  for (let i = 0; i + 6 < f.length; i += 7) {
    const [name, address, netmask, family, mac, internal, scopeid] = f.slice(i, i + 7);
    const entry = { address, netmask, family, mac, internal: internal === '1', cidr: null };
    if (family === 'IPv6') entry.scopeid = Number(scopeid);
    entry.cidr = `${address}/${cidr(netmask, family)}`;
    (out[name] || (out[name] = [])).push(entry);
  }
  return out;
}

function getPriority(pid = 0) {
  validateInteger(pid, 'pid');
  return binding.os.getPriority(pid);
}

function setPriority(pid, priority) {
  if (priority === undefined) {
    priority = pid;
    pid = 0;
  }
  validateInteger(pid, 'pid');
  validateInteger(priority, 'priority', -20, 19);
  binding.os.setPriority(pid, priority);
}

const os = {
  EOL: '\n',
  availableParallelism: () => stats()[6],
  arch: () => process.arch,
  cpus,
  devNull: '/dev/null',
  endianness: () => 'LE',
  freemem: () => stats()[4],
  getPriority,
  homedir,
  hostname: () => binding.os.hostname(),
  loadavg: () => Array.from(stats().subarray(0, 3)),
  machine: () => uname().machine,
  networkInterfaces,
  platform: () => process.platform,
  release: () => uname().release,
  setPriority,
  tmpdir,
  totalmem: () => stats()[3],
  type: () => uname().sysname,
  uptime: () => stats()[5],
  userInfo,
  version: () => uname().version,
};

Object.defineProperty(os, 'constants', {
  value: constants, writable: false, enumerable: true, configurable: false,
});

// As in Node, the argument-less ones turn into their value in a template
for (const k of ['arch', 'availableParallelism', 'endianness', 'freemem', 'homedir', 'hostname',
  'machine', 'platform', 'release', 'tmpdir', 'totalmem', 'type', 'uptime', 'version']) {
  Object.defineProperty(os[k], Symbol.toPrimitive, { value: () => os[k](), configurable: true });
}

module.exports = os;
