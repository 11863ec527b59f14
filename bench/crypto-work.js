// bench/crypto-work.js — crypto's throughput timed inside the run, for
// bench/crypto.sh: SHA-256 and AES-256-GCM over 64 MiB (fed in 1 MiB
// updates, as a stream would), RSA-2048 signatures (PKCS#1 v1.5 with
// SHA-256) and their verification. Each is warmed up, then timed. Prints
// one JSON line: MiB/s and operations per second (higher is better).
'use strict';
const crypto = require('crypto');

const MIB = 1 << 20;
const chunk = Buffer.alloc(MIB, 0x5a);
const total = Number(process.argv[2] || 64);
const signs = Number(process.argv[3] || 200);

function timed(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function sha256(n) {
  const h = crypto.createHash('sha256');
  for (let i = 0; i < n; i++) h.update(chunk);
  return h.digest();
}

function gcm(n) {
  const c = crypto.createCipheriv('aes-256-gcm', Buffer.alloc(32, 1), Buffer.alloc(12, 2));
  for (let i = 0; i < n; i++) c.update(chunk);
  c.final();
  return c.getAuthTag();
}

const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const msg = Buffer.from('a message of some fifty bytes to sign, again and again');
const sig = crypto.sign('sha256', msg, privateKey);

sha256(8);
gcm(8);
for (let i = 0; i < 20; i++) crypto.verify('sha256', msg, publicKey, crypto.sign('sha256', msg, privateKey));

const out = {
  sha256: total / timed(() => sha256(total)),
  gcm: total / timed(() => gcm(total)),
  sign: signs / timed(() => { for (let i = 0; i < signs; i++) crypto.sign('sha256', msg, privateKey); }),
  verify: (signs * 10) / timed(() => { for (let i = 0; i < signs * 10; i++) crypto.verify('sha256', msg, publicKey, sig); }),
};
console.log(JSON.stringify(out));
