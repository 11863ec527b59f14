// node/internal/child-native.js — `binding.child`: bridge/child.c's natives
// (namespace childNative, positional arguments) behind the object-shaped
// calls child_process.js makes. Installed as binding.child by
// bootstrap/main.js.
//
//   spawn(opts, onexit) -> {pid, handle, stdio} | -errno; throws
//     ERR_ACCESS_DENIED when the program is not granted
//   kill(handle, sig) -> 0 | -errno        ref(handle, on)
//   spawnSync(opts) -> {pid, status, signal, output, error}
//   ipcChannel() -> a raw net handle (the channel of a forked guest) | null
//
// opts: {file, args, env: ['K=V'], cwd, detached, shell, stdio: [{type:
// 'ignore' | 'pipe' | 'ipc' | 'fd' (fd) | 'stream' (handle)}], and for
// spawnSync timeout, killSignal, maxBuffer, input (for the pipe of fd 0)}.
'use strict';

const binding = require('./binding');

const F_DETACHED = 1;
const F_SHELL = 2;

function joined(list, what) {
  let out = '';
  for (const item of list) {
    const s = String(item);
    if (s.includes('\0')) {
      const err = new TypeError(`The argument '${what}' must be a string without null bytes.`);
      err.code = 'ERR_INVALID_ARG_VALUE';
      throw err;
    }
    out += s + '\0';
  }
  return out;
}

// The stdio spec string and the handle arguments, one per entry.
function stdioArgs(stdio) {
  const spec = [];
  const handles = [];
  for (const s of stdio) {
    switch (s && s.type) {
      case 'pipe':
        spec.push('p');
        handles.push(binding.net.tcpNew());
        break;
      case 'ipc':
        spec.push('c');
        handles.push(binding.net.tcpNew());
        break;
      case 'fd':
        spec.push(`f${s.fd | 0}`);
        handles.push(undefined);
        break;
      case 'stream':
        spec.push('s');
        handles.push(s.handle);
        break;
      default:
        spec.push('i');
        handles.push(undefined);
    }
  }
  return { spec: spec.join(','), handles };
}

function flagsOf(opts) {
  return (opts.detached ? F_DETACHED : 0) | (opts.shell ? F_SHELL : 0);
}

function cwdOf(opts) {
  return typeof opts.cwd === 'string' ? opts.cwd : undefined;
}

function spawn(opts, onexit) {
  const n = binding.childNative;
  const handle = n.processNew();
  const { spec, handles } = stdioArgs(opts.stdio || []);
  const r = n.spawn(handle, String(opts.file), joined(opts.args, 'args'), joined(opts.env || [], 'env'),
    cwdOf(opts), flagsOf(opts), spec, onexit, ...handles);
  if (r < 0) return r;
  const stdio = (opts.stdio || []).map((s, i) =>
    (s && (s.type === 'pipe' || s.type === 'ipc') ? handles[i] : null));
  return { pid: r, handle, stdio };
}

function kill(handle, sig) {
  return binding.childNative.kill(handle, sig);
}

function ref(handle, on) {
  binding.childNative.ref(handle, !!on);
}

function spawnSync(opts) {
  const { spec, handles } = stdioArgs((opts.stdio || []).map((s) =>
    (s && s.type === 'pipe' ? { type: 'syncpipe' } : s)));
  // a sync run's pipes are the bridge's own: no handle is made for them
  const syncSpec = spec.split(',').map((t, i) => {
    const s = opts.stdio[i];
    return s && s.type === 'pipe' ? 'p' : t;
  }).join(',');
  const input = opts.stdio && opts.stdio[0] && opts.stdio[0].input;
  const r = binding.childNative.spawnSync(String(opts.file), joined(opts.args, 'args'),
    joined(opts.env || [], 'env'), cwdOf(opts), flagsOf(opts), syncSpec,
    Number(opts.timeout) || 0, Number(opts.killSignal) || 0,
    opts.maxBuffer === undefined ? 1024 * 1024 : Number(opts.maxBuffer),
    input instanceof Uint8Array ? input : undefined, ...handles);
  const output = r.slice(4);
  return { pid: r[0], status: r[1], signal: r[2], error: r[3], output };
}

let channelTaken = false;
function ipcChannel() {
  if (channelTaken) return null;
  channelTaken = true;
  const raw = binding.net.tcpNew();
  if (binding.childNative.ipcChannel(raw)) return raw;
  binding.net.tcpClose(raw);
  return null;
}

module.exports = { spawn, kill, ref, spawnSync, ipcChannel };
