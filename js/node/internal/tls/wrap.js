// node/internal/tls/wrap.js — the _handle of a tls.TLSSocket, as Node's
// TLSWrap: the net.Socket above it reads plaintext through onread and
// writes plaintext with writeBuffer, as over a TCP handle; below, the
// encrypted bytes travel through the stream it wraps (a net.Socket, or
// any Duplex), and OpenSSL's state machine (bridge/tls.c) sits between.
//
// Plaintext written before the handshake ends waits here (as in Node);
// plaintext read while the socket is paused waits here too, so the
// underlying stream is paused with it.
'use strict';

const binding = require('../binding');
const { Buffer } = require('buffer');

const UV_EBADF = -9;
const kFailed = Symbol('kFailed');
const kBatchMax = 65536; // plaintext bytes a tick gathers into records

class TLSWrap {
  constructor(owner, stream, ssl, isServer) {
    this.owner = owner; // the TLSSocket: onHandshake/onHello/onError/onKeylog
    this.stream = stream;
    this.ssl = ssl;
    this.isServer = isServer;
    this.closed = false;
    this.reading = false;
    this.onread = null;
    this.established = false;
    this.started = false;
    this.helloPending = false;
    this.pendingWrites = []; // [bytes, cb] until the handshake ends
    this.pendingReads = []; // plaintext (or EOF: 0) while not reading
    this.streamEnded = false;
    this.shutdownSent = false;
    this.failed = false;
    this.writeQueueSize = 0; // plaintext not yet given to OpenSSL
    this.batch = []; // plaintext writes of this tick
    this.onData = (chunk) => this.receive(chunk);
    this.onEnd = () => this.streamEnd();
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
  }

  // The handshake begins (a client's ClientHello goes out).
  start() {
    if (this.started || this.closed) return;
    this.started = true;
    this.cycle();
  }

  receive(chunk) {
    if (this.closed || this.failed) return;
    if (typeof chunk === 'string') chunk = Buffer.from(chunk);
    try {
      binding.tls.sslFeed(this.ssl, chunk);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.started || this.isServer) {
      this.started = true;
      this.cycle();
    }
  }

  // A native step: its OpenSSL error fails the connection (flushing the
  // alert first); kFailed then. The guest's own callbacks run outside it,
  // so what they throw stays theirs, as in Node.
  step(fn) {
    try {
      return fn();
    } catch (err) {
      this.flush();
      this.fail(err);
      return kFailed;
    }
  }

  // Runs the state machine as far as the bytes in hand allow, then sends
  // what it produced.
  cycle() {
    if (this.closed || this.failed || this.helloPending) return;
    if (!this.established) {
      const r = this.step(() => binding.tls.sslHandshake(this.ssl));
      if (r === kFailed) return;
      this.keylog();
      if (r === 2) {
        this.helloPending = true;
        this.flush();
        this.owner._tlsHello(binding.tls.sslHello(this.ssl));
        return;
      }
      if (r === 1) {
        // As Node's TLSWrap: the guest hears of the handshake before its
        // last flight goes out, so what it writes or ends there (a
        // server's close_notify after its tickets) leaves in one write.
        this.established = true;
        this.owner._tlsHandshakeDone();
        if (this.closed || this.failed) return;
        const writes = this.pendingWrites;
        this.pendingWrites = [];
        for (const [data, cb] of writes) this.writeNow(data, cb);
      }
    }
    if (this.established) {
      // a chunk per record, as Node's TLSWrap reads them
      let eof = false;
      for (;;) {
        const got = this.step(() => binding.tls.sslRead(this.ssl));
        if (got === kFailed || got === undefined) break;
        if (got === 0) {
          eof = true;
          break;
        }
        this.deliver(got);
        if (this.closed || this.failed) return;
      }
      if (eof && !this.closed) this.deliver(0);
      if (this.closed || this.failed) return;
      this.keylog();
      if (!this.isServer) this.sessions();
    }
    this.flush();
  }

  // After the ClientHello: the context and ALPN protocol the server chose.
  resume(context, alpn) {
    if (this.closed || this.failed) return;
    try {
      binding.tls.sslResume(this.ssl, context, alpn);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.helloPending = false;
    this.cycle();
  }

  sessions() {
    const list = binding.tls.sslSessions(this.ssl);
    if (list) for (const der of list) this.owner._tlsSession(Buffer.from(der.buffer, der.byteOffset, der.byteLength));
  }

  keylog() {
    const lines = binding.tls.sslKeylog(this.ssl);
    if (lines) {
      for (const line of lines.split('\n')) {
        if (line) this.owner._tlsKeylog(Buffer.from(`${line}\n`, 'latin1'));
      }
    }
  }

  fail(err) {
    if (this.failed) return;
    this.failed = true;
    this.owner._tlsError(err);
  }

  flush(cb) {
    if (this.closed && !this.shutdownSent) return false;
    const out = binding.tls.sslOut(this.ssl);
    if (out === undefined) return false;
    const s = this.stream;
    if (s.destroyed || s.writableEnded) return false;
    s.write(Buffer.from(out.buffer, out.byteOffset, out.byteLength), cb);
    return true;
  }

  deliver(bytes) {
    if (this.reading && this.onread && !this.pendingReads.length) {
      if (bytes === 0) this.onread(0);
      else this.onread(bytes.length, bytes);
      return;
    }
    this.pendingReads.push(bytes);
    if (this.stream.pause && !this.reading) this.stream.pause();
  }

  streamEnd() {
    this.streamEnded = true;
    if (this.closed) return;
    if (!this.established) {
      this.owner._tlsEndBeforeSecure();
      return;
    }
    this.deliver(0);
  }

  readStart() {
    if (this.closed) return 0;
    this.reading = true;
    while (this.reading && this.pendingReads.length && this.onread) {
      const bytes = this.pendingReads.shift();
      if (bytes === 0) this.onread(0);
      else this.onread(bytes.length, bytes);
    }
    if (this.reading && this.stream.resume && !this.closed) this.stream.resume();
    return 0;
  }

  readStop() {
    this.reading = false;
    return 0;
  }

  writeNow(data, cb) {
    try {
      let at = 0;
      while (at < data.length) {
        const n = binding.tls.sslWrite(this.ssl, at ? data.subarray(at) : data);
        if (!n) break;
        at += n;
      }
    } catch (err) {
      process.nextTick(cb, -32);
      this.fail(err);
      return;
    }
    if (!this.flush(() => cb(0))) process.nextTick(cb, 0);
  }

  // The writes of one tick go out as one record where they fit (an http
  // response's head and body), as Node's writev makes one. 0: taken (the
  // stream below has room, as a TCP write the kernel took whole); 1: the
  // callback tells when the stream below took the bytes (backpressure).
  writeBuffer(data, cb) {
    if (this.closed || this.failed) return UV_EBADF;
    if (!this.established) {
      this.pendingWrites.push([data, cb]);
      return 1;
    }
    // taken at once while the stream below has room and this tick's batch
    // is small; else it goes now and the callback waits (a tight write
    // loop sees the stream's backpressure)
    const now = !this.stream.writableNeedDrain && this.writeQueueSize + data.length < kBatchMax;
    this.batch.push([data, now ? null : cb]);
    this.writeQueueSize += data.length;
    if (!now) this.flushBatch();
    else if (this.batch.length === 1) process.nextTick(() => this.flushBatch());
    return now ? 0 : 1;
  }

  flushBatch() {
    const batch = this.batch;
    if (!batch.length) return;
    this.batch = [];
    let size = 0;
    for (const [data] of batch) size += data.length;
    this.writeQueueSize -= size;
    if (this.closed || this.failed) {
      for (const [, cb] of batch) if (cb) process.nextTick(cb, UV_EBADF);
      return;
    }
    const data = batch.length === 1 ? batch[0][0] : Buffer.concat(batch.map((w) => w[0]), size);
    this.writeNow(data, (status) => {
      for (const [, cb] of batch) if (cb) cb(status);
    });
  }

  shutdown(cb) {
    if (this.closed) return UV_EBADF;
    const done = () => {
      const s = this.stream;
      if (!s.destroyed && !s.writableEnded) s.end(() => cb(0));
      else process.nextTick(cb, 0);
    };
    if (!this.established) {
      // the writes waiting for the handshake go first
      this.pendingWrites.push([Buffer.alloc(0), done]);
      return 0;
    }
    this.flushBatch();
    binding.tls.sslShutdown(this.ssl);
    this.shutdownSent = true;
    this.flush();
    done();
    return 0;
  }

  close(cb) {
    if (this.closed) {
      if (typeof cb === 'function') process.nextTick(cb);
      return;
    }
    this.closed = true;
    this.stream.removeListener('data', this.onData);
    this.stream.removeListener('end', this.onEnd);
    const s = this.stream;
    if (s.destroyed) {
      if (typeof cb === 'function') process.nextTick(cb);
      return;
    }
    if (typeof cb === 'function') s.once('close', () => cb());
    s.destroy();
  }

  reset(cb) {
    if (this.closed) return UV_EBADF;
    if (typeof this.stream.resetAndDestroy === 'function' && this.stream._handle) {
      this.closed = true;
      this.stream.removeListener('data', this.onData);
      if (typeof cb === 'function') this.stream.once('close', () => cb());
      this.stream.resetAndDestroy();
      return 0;
    }
    this.close(cb);
    return 0;
  }

  getsockname(out) {
    const h = this.stream._handle;
    return h && h.getsockname ? h.getsockname(out) : UV_EBADF;
  }

  getpeername(out) {
    const h = this.stream._handle;
    return h && h.getpeername ? h.getpeername(out) : UV_EBADF;
  }

  setNoDelay(enable) {
    if (this.stream.setNoDelay) this.stream.setNoDelay(enable);
    return 0;
  }

  setKeepAlive(enable, delay) {
    if (this.stream.setKeepAlive) this.stream.setKeepAlive(enable, delay * 1000);
    return 0;
  }

  ref() {
    if (this.stream.ref) this.stream.ref();
  }

  unref() {
    if (this.stream.unref) this.stream.unref();
  }
}

module.exports = { TLSWrap };
