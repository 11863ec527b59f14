// TLS gives no way around the walls: the host's private keys (/etc/ssl/
// private) are neither readable nor known to exist, the system's trust
// store is not a file the guest can read (the native reads it), TLS to a
// port not granted is refused before any byte, and hostile PEM, DER,
// PKCS#12 and handshake bytes end in errors, never in a crash.
'use strict';
const fs = require('fs');
const tls = require('tls');
const { duplexPair } = require('stream');

const escapes = [];
for (const p of ['/etc/ssl/private', '/etc/ssl/private/ssl-cert-snakeoil.key', '/etc/ssl/certs/ca-certificates.crt']) {
  for (const [what, fn] of [['read', () => fs.readFileSync(p)], ['list', () => fs.readdirSync(p)], ['stat', () => fs.statSync(p)]]) {
    try {
      fn();
      if (what !== 'stat' || p.includes('private')) escapes.push(`${what} ${p}`);
    } catch (e) {
      if (p.includes('private') && e.code !== 'EACCES') escapes.push(`${what} ${p}: ${e.code} tells it apart`);
    }
  }
}

const junk = [Buffer.alloc(0), Buffer.alloc(1 << 20, 0x41), Buffer.from('-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n'),
  Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIBVQ==\n-----END PRIVATE KEY-----\n'), Buffer.from([0x30, 0x82, 0xff, 0xff, 0x02])];
for (const j of junk) {
  for (const opt of ['cert', 'key', 'ca', 'pfx', 'dhparam']) {
    try {
      tls.createSecureContext({ [opt]: j });
    } catch (e) {
      if (!(e instanceof Error)) escapes.push(`${opt}: threw a non-error`);
    }
  }
}

let pending = 2;
const finish = () => {
  if (--pending) return;
  console.log(escapes.length ? escapes.join('\n') : 'HELD');
};

const c = tls.connect({ host: 'host.internal', port: 443, rejectUnauthorized: false });
c.on('secureConnect', () => escapes.push('TLS to host.internal:443 was not refused'));
c.on('error', (e) => {
  if (e.code !== 'ERR_ACCESS_DENIED') escapes.push(`TLS to a port not granted: ${e.code}`);
  finish();
});

// a peer that answers the ClientHello with junk
const [a, b] = duplexPair();
b.on('data', () => b.write(Buffer.alloc(4096, 0x16)));
const s = tls.connect({ socket: a, servername: 'localhost' });
s.on('secureConnect', () => escapes.push('a junk handshake was accepted'));
s.on('error', () => finish());
