// The encrypted bytes waiting in a TLS connection's input are in the memory
// budget (--memory-limit 64, tls-memory-input.flags): a client TLSSocket
// over a Duplex, never started, fed 400 MB (they stayed in OpenSSL's
// memory BIO, outside the budget, until the run's cgroup killed it or the
// host ran out of memory; the same for a server paused at its ClientHello
// by an SNICallback that never answers). The socket must fail with the
// budget's RangeError instead.
'use strict';
const tls = require('tls');
const leaks = [];
const { Duplex } = require('stream');
const MB = 1 << 20;

// 400 MB fed to a client that never starts its handshake
const chunk = Buffer.alloc(MB, 0x17);
let fed = 0;
const d = new Duplex({
  read() {
    if (fed >= 400) return this.push(null);
    fed++;
    setImmediate(() => this.push(chunk));
  },
  write(c, e, cb) {
    cb();
  },
});
const s = new tls.TLSSocket(d, {});
let failed = null;
s.on('error', (e) => {
  failed = e;
  d.destroy();
});
d.on('close', () => {
  if (!failed) leaks.push(`an unstarted TLSSocket took ${fed} MB without an error`);
  else if (!(failed instanceof RangeError) && !/allocation failed/.test(failed.message))
    leaks.push(`the socket failed with ${failed}`);
  console.log(leaks.length ? `${leaks.length} leaks\n${leaks.join('\n')}` : 'HELD');
});

