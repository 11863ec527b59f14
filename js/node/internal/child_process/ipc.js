// node/internal/child_process/ipc.js — the IPC channel between a parent
// and a child it started with an 'ipc' stdio entry (fork), on both ends:
// the parent's ChildProcess and the child's `process` get send(),
// disconnect(), connected, channel and the 'message' and 'disconnect'
// events, as Node gives them.
//
// The wire is Node's, 'json' or 'advanced' serialization
// (serialization.js). The channel is a native stream handle in a net.js
// Pipe wrap (the parent's from binding.child.spawn, the child's from
// binding.child.ipcChannel()). Handles cannot be sent: a send with one
// that Node could send is refused with ERR_UNSUPPORTED_SANDBOX_API, any
// other with Node's ERR_INVALID_HANDLE_TYPE. The child's end of the
// channel keeps it alive only while it has 'message' or 'disconnect'
// listeners or a write is pending, as in Node.
'use strict';

const EventEmitter = require('events');
const { codecs } = require('./serialization');
const binding = require('../binding');
const { codes } = require('../errors');
const { notSupported } = require('../deferred');
const { validateObject } = require('../validators');
const { runtimeEnv } = require('../env');

const kChannelHandle = Symbol('kChannelHandle');
const kPendingMessages = Symbol('kPendingMessages');
// past this many bytes waiting to be written, send() returns false (Node's)
const kWriteQueueLimit = 65536 * 2;

// process.channel / subprocess.channel: ref and unref of the channel's handle
class Control extends EventEmitter {
  #channel;
  #refs = 0;
  #refExplicitlySet = false;
  #fd;

  constructor(channel, fd) {
    super();
    this.#channel = channel;
    this.#fd = fd;
    this[kPendingMessages] = [];
  }

  // a listener or a pending write wants the channel to keep the loop alive
  refCounted() {
    if (++this.#refs === 1 && !this.#refExplicitlySet) this.#channel.ref();
  }

  unrefCounted() {
    if (--this.#refs === 0 && !this.#refExplicitlySet) {
      this.#channel.unref();
      this.emit('unref');
    }
  }

  ref() {
    this.#refExplicitlySet = true;
    this.#channel.ref();
  }

  unref() {
    this.#refExplicitlySet = true;
    this.#channel.unref();
  }

  get fd() {
    return this.#channel.closed ? undefined : this.#fd;
  }
}

// A message whose cmd starts with NODE_ is Node's own ('internalMessage')
function isInternal(message) {
  return message !== null && typeof message === 'object' && typeof message.cmd === 'string' &&
    message.cmd.length > 5 && message.cmd.startsWith('NODE_');
}

// Whether Node could send this handle (and this sandbox refuses to)
function isSendableHandle(handle) {
  const net = require('../../net');
  const { TCP } = require('../net-shared');
  if (handle instanceof net.Socket || handle instanceof net.Server || handle instanceof TCP) return true;
  const dgram = require('../../dgram');
  return typeof dgram.Socket === 'function' && handle instanceof dgram.Socket;
}

function errnoException(err, syscall) {
  return require('./child').errnoException(err, syscall);
}

let warnedChannel = false;
function warnChannel() {
  if (warnedChannel) return;
  warnedChannel = true;
  process.emitWarning('_channel is deprecated. Use ChildProcess.channel instead.',
    'DeprecationWarning', 'DEP0129');
}

// The channel of a child that did not start: its other end is gone, so a
// write fails with EPIPE and the first read finds the end (after the
// spawn's 'error', as Node's socketpair tells it).
class ClosedChannel {
  constructor() {
    this.closed = false;
    this.onread = null;
  }

  readStart() {
    setImmediate(() => {
      if (!this.closed && this.onread) this.onread(0);
    });
    return 0;
  }

  writeBuffer() {
    return -32; // EPIPE
  }

  close() {
    this.closed = true;
  }

  ref() {}

  unref() {}
}

// Gives target (a ChildProcess or process) the channel over `channel` (a
// Pipe wrap); onClosed() when the other end has closed it. Returns the Control.
function setupChannel(target, channel, serialization, onClosed, fd) {
  const control = new Control(channel, fd);
  target.channel = control;
  target[kChannelHandle] = channel;
  Object.defineProperty(target, '_channel', {
    get() {
      warnChannel();
      return target.channel;
    },
    set(value) {
      warnChannel();
      target.channel = value;
    },
    configurable: true,
    enumerable: false,
  });
  target._handleQueue = null;
  target._pendingMessage = null;

  const codec = codecs[serialization];
  const reader = codec.reader();
  let queued = 0;
  let afterPartial = null; // a disconnect waiting for a message's end
  channel.buffering = false;

  function emit(event, message, handle) {
    if (event === 'internalMessage' || target.listenerCount('message') > 0) {
      target.emit(event, message, handle);
      return;
    }
    // kept until a 'message' listener comes, as Node keeps them
    control[kPendingMessages].push([event, message, handle]);
    target.once('newListener', () => {
      process.nextTick(() => {
        if (!target.channel || target.listenerCount('message') === 0) return;
        const pending = control[kPendingMessages];
        control[kPendingMessages] = [];
        for (const args of pending) target.emit(...args);
      });
    });
  }

  function handleMessage(message) {
    if (!target.channel) return;
    process.nextTick(emit, isInternal(message) ? 'internalMessage' : 'message', message, undefined);
  }

  channel.onread = (n, bytes) => {
    if (n > 0) {
      const messages = reader.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (messages.length !== 0) {
        for (const message of messages) handleMessage(message);
        if (afterPartial !== null) afterPartial();
      }
      channel.buffering = reader.buffering;
      return;
    }
    // the other end closed the channel (or it failed)
    channel.buffering = false;
    if (target.connected) target.disconnect();
    channel.onread = null;
    channel.close();
    target.channel = null;
    target[kChannelHandle] = null;
    if (onClosed) onClosed();
  };

  target.send = function send(message, handle, options, callback) {
    if (typeof handle === 'function') {
      callback = handle;
      handle = undefined;
      options = undefined;
    } else if (typeof options === 'function') {
      callback = options;
      options = undefined;
    } else if (options !== undefined) {
      validateObject(options, 'options');
    }
    options = { swallowErrors: false, ...options };
    if (this.connected) return this._send(message, handle, options, callback);
    const ex = codes.ERR_IPC_CHANNEL_CLOSED();
    if (typeof callback === 'function') process.nextTick(callback, ex);
    else process.nextTick(() => this.emit('error', ex));
    return false;
  };

  target._send = function _send(message, handle, options, callback) {
    if (message === undefined) throw codes.ERR_MISSING_ARGS('message');
    const type = typeof message;
    if (type !== 'string' && type !== 'object' && type !== 'number' && type !== 'boolean') {
      throw codes.ERR_INVALID_ARG_TYPE('message', ['string', 'object', 'number', 'boolean'], message);
    }
    if (typeof options === 'boolean') options = { swallowErrors: options };
    if (handle) {
      if (!isSendableHandle(handle)) throw codes.ERR_INVALID_HANDLE_TYPE();
      throw notSupported(`${target === process ? 'process' : 'subprocess'}.send with a handle`);
    }
    const data = codec.encode(message);
    let r;
    try {
      r = channel.writeBuffer(data, (status) => {
        queued -= data.length;
        control.unrefCounted();
        if (status < 0) failed(status);
        else if (typeof callback === 'function') callback(null);
      });
    } catch (err) {
      r = -9; // EBADF: the channel is gone
    }
    if (r === 1) {
      queued += data.length;
      control.refCounted();
    } else if (r === 0) {
      if (typeof callback === 'function') process.nextTick(callback, null);
    } else {
      failed(r);
    }
    function failed(status) {
      if (options.swallowErrors) return;
      const ex = errnoException(status, 'write');
      if (typeof callback === 'function') process.nextTick(callback, ex);
      else process.nextTick(() => target.emit('error', ex));
    }
    return queued < kWriteQueueLimit;
  };

  target.connected = true;

  target.disconnect = function disconnect() {
    if (!this.connected) {
      this.emit('error', codes.ERR_IPC_DISCONNECTED());
      return;
    }
    this.connected = false;
    if (!this._handleQueue) this._disconnect();
  };

  target._disconnect = function _disconnect() {
    this.channel = null;
    this[kChannelHandle] = null;
    let fired = false;
    function finish() {
      if (fired) return;
      fired = true;
      afterPartial = null;
      channel.close();
      target.emit('disconnect');
    }
    // a message half read is delivered first
    if (channel.buffering) {
      afterPartial = () => process.nextTick(finish);
      return;
    }
    process.nextTick(finish);
  };

  channel.readStart();
  return control;
}

// In a guest started with an IPC channel (NODE_CHANNEL_FD in its
// environment and a channel from the natives): process.send and the rest.
// Called once per run, before the guest's code.
function setupChildChannel() {
  const env = runtimeEnv();
  if (env.NODE_CHANNEL_FD === undefined) return;
  const natives = binding.child;
  if (natives === undefined || typeof natives.ipcChannel !== 'function') return;
  const raw = natives.ipcChannel();
  if (raw === null || raw === undefined) return;
  const fd = Number.parseInt(env.NODE_CHANNEL_FD, 10);
  const serialization = env.NODE_CHANNEL_SERIALIZATION_MODE || 'json';
  // not passed on to this guest's own children
  delete process.env.NODE_CHANNEL_FD;
  delete process.env.NODE_CHANNEL_SERIALIZATION_MODE;
  const { Pipe } = require('../net-shared');
  const channel = new Pipe(raw);
  channel.unref();
  if (serialization !== 'json' && serialization !== 'advanced') {
    channel.close();
    throw notSupported(`an IPC channel with serialization '${serialization}'`);
  }
  const control = setupChannel(process, channel, serialization, null, fd);
  process.on('newListener', (name) => {
    if (name === 'message' || name === 'disconnect') control.refCounted();
  });
  process.on('removeListener', (name) => {
    if (name === 'message' || name === 'disconnect') control.unrefCounted();
  });
}

module.exports = { setupChannel, setupChildChannel, ClosedChannel };
