// node/os.js — Node's `os` module over bridge/os.c (libuv's system calls).
//
// Every answer is the sandbox's own: the UTS namespace's host name, the
// net namespace's interfaces (only loopback without a network), and for
// totalmem/freemem/uptime/loadavg/cpus the run's memory budget, uptime, CPU
// time and CPUs (bridge/os.c says how), never the host's. homedir() and tmpdir() read the guest's
// environment first, as Node does; the guest's environment is the filtered
// one the profile allows, never the launcher's.
'use strict';

const binding = require('./internal/binding');
const { runtimeEnv } = require('./internal/env');
const linux = require('./internal/linux-constants');
const { validateInteger } = require('./internal/validators');
const { systemError } = require('./internal/errors');
const { errnoMessage } = require('./internal/errno');

// A native's errno error as Node's os module reports it: SystemError
// [ERR_SYSTEM_ERROR] "A system error occurred: <uv call> returned <CODE> (...)"
function sys(call) {
  try {
    return call();
  } catch (err) {
    if (typeof err.errno !== 'number' || typeof err.syscall !== 'string') throw err;
    throw systemError('ERR_SYSTEM_ERROR', 'A system error occurred', {
      errno: err.errno, code: err.code, message: errnoMessage(err.errno), syscall: err.syscall,
    });
  }
}

const int32 = (v, name, min = -(2 ** 31), max = 2 ** 31 - 1) => validateInteger(v, name, min, max);

const split = (s) => s.split('\0').slice(0, -1);

function uname() {
  const [sysname, release, version, machine] = split(sys(() => binding.os.uname()));
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
  const v = runtimeEnv()[name];
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
  const f = split(sys(() => binding.os.cpus()));
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
  const [username, uid, gid, shell, dir] = split(sys(() => binding.os.userInfo()));
  const encoding = options !== null && typeof options === 'object' ? options.encoding : undefined;
  const asBuffer = encoding === 'buffer';
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
  const f = split(sys(() => binding.os.networkInterfaces()));
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
  int32(pid, 'pid');
  return sys(() => binding.os.getPriority(pid));
}

function setPriority(pid, priority) {
  if (priority === undefined) {
    priority = pid;
    pid = 0;
  }
  int32(pid, 'pid');
  int32(priority, 'priority', -20, 19);
  sys(() => binding.os.setPriority(pid, priority));
}

const os = {
  availableParallelism: () => stats()[6],
  arch: () => process.arch,
  cpus,
  endianness: () => 'LE',
  freemem: () => stats()[4],
  getPriority,
  homedir,
  hostname: () => sys(() => binding.os.hostname()),
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

Object.defineProperties(os, {
  constants: { value: constants, writable: false, enumerable: true, configurable: false },
  EOL: { value: '\n', writable: false, enumerable: true, configurable: true },
  devNull: { value: '/dev/null', writable: false, enumerable: true, configurable: true },
});

// As in Node, the argument-less ones turn into their value in a template
for (const k of ['arch', 'availableParallelism', 'endianness', 'freemem', 'homedir', 'hostname',
  'machine', 'platform', 'release', 'tmpdir', 'totalmem', 'type', 'uptime', 'version']) {
  Object.defineProperty(os[k], Symbol.toPrimitive, { value: () => os[k](), configurable: true });
}

module.exports = os;
