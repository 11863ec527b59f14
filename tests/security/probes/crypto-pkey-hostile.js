// The key natives (bridge/crypto_pkey.c) fed hostile input: random,
// truncated, deeply nested and over-long DER, PEM with bogus headers and
// huge bodies, JWKs with wrong, empty or huge members, hostile
// certificates and SPKACs, and key pair requests past the modulus cap.
// Each must throw a JS error (or answer false/undefined) and the run go
// on; the refused key pairs must be refused at once, not after minutes of
// work. Ends HELD when all held.
'use strict';
const crypto = require('crypto');

const leaks = [];
let seed = 12345;
const rand = (n) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    b[i] = seed >> 16;
  }
  return b;
};

const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'der' });
const spki = rsa.publicKey.export({ type: 'spki', format: 'der' });
const cert = Buffer.from('MIIBejCCASCgAwIBAgIBATAKBggqhkjOPQQDAjAPMQ0wCwYDVQQDDAR0ZXN0MB4XDTI0MDEwMTAwMDAwMFoXDTM0MDEwMTAwMDAwMFowDzENMAsGA1UEAwwEdGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABA==', 'base64');

// nested SEQUENCEs, definite and indefinite lengths
const nestedIndef = Buffer.concat([Buffer.alloc(20000, 0).map((_, i) => (i % 2 ? 0x80 : 0x30))]);
let nestedDef = Buffer.from([0x05, 0x00]);
for (let i = 0; i < 3000; i++) {
  const len = nestedDef.length;
  const hdr = len < 128 ? Buffer.from([0x30, len]) : len < 256 ? Buffer.from([0x30, 0x81, len])
    : len < 65536 ? Buffer.from([0x30, 0x82, len >> 8, len & 255]) : Buffer.from([0x30, 0x83, len >> 16, (len >> 8) & 255, len & 255]);
  nestedDef = Buffer.concat([hdr, nestedDef]);
}
const overlong = Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00]);
const inputs = [Buffer.alloc(0), nestedIndef, nestedDef, overlong, rand(64), rand(4096)];
for (let n = 0; n < pkcs8.length; n += 7) inputs.push(pkcs8.subarray(0, n));
for (let n = 0; n < spki.length; n += 5) inputs.push(spki.subarray(0, n));
for (let i = 0; i < 200; i++) {
  const m = Buffer.from(pkcs8);
  m[i % m.length] ^= 1 + (i % 255);
  inputs.push(m);
}

let threw = 0;
const attempt = (label, fn) => {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof Error)) leaks.push(`${label}: threw a non-error`);
    threw++;
  }
};

for (const der of inputs) {
  for (const type of ['pkcs8', 'sec1', 'pkcs1']) attempt('der private', () => crypto.createPrivateKey({ key: der, format: 'der', type }));
  for (const type of ['spki', 'pkcs1']) attempt('der public', () => crypto.createPublicKey({ key: der, format: 'der', type }));
  attempt('der encrypted', () => crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8', passphrase: 'x' }));
  attempt('x509', () => new crypto.X509Certificate(der));
  attempt('spkac', () => crypto.Certificate.verifySpkac(der));
  attempt('pem', () => crypto.createPrivateKey(`-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`));
  attempt('verify', () => crypto.verify('sha256', Buffer.from('x'), publicKey, der));
  attempt('verify p1363', () => crypto.verify('sha256', Buffer.from('x'), { key: publicKey, dsaEncoding: 'ieee-p1363' }, der));
  attempt('decrypt', () => crypto.privateDecrypt(rsa.privateKey, der));
  attempt('public decrypt', () => crypto.publicDecrypt(rsa.publicKey, der));
}
for (let n = 0; n < cert.length; n += 3) attempt('cert prefix', () => new crypto.X509Certificate(cert.subarray(0, n)));

const pems = [
  '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n',
  '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: NOPE-CIPHER,0011\n\nAAAA\n-----END RSA PRIVATE KEY-----\n',
  `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(4 << 20)}\n-----END PUBLIC KEY-----\n`,
  `-----BEGIN CERTIFICATE-----\n${rand(1 << 16).toString('base64')}\n-----END CERTIFICATE-----\n`,
  '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n',
  '-----BEGIN ENCRYPTED PRIVATE KEY-----\n====\n-----END ENCRYPTED PRIVATE KEY-----\n',
  '-----BEGIN '.repeat(10000),
];
for (const pem of pems) {
  attempt('pem public', () => crypto.createPublicKey(pem));
  attempt('pem private', () => crypto.createPrivateKey({ key: pem, passphrase: 'x' }));
  attempt('pem private no passphrase', () => crypto.createPrivateKey(pem));
  attempt('pem cert', () => new crypto.X509Certificate(pem));
}

const big = 'A'.repeat(1 << 20);
const jwks = [
  { kty: 'RSA', n: '', e: '' },
  { kty: 'RSA', n: big, e: 'AQAB' },
  { kty: 'RSA', n: 'AQAB', e: big, d: big, p: '', q: '', dp: '', dq: '', qi: '' },
  { kty: 'EC', crv: 'P-256', x: big, y: big },
  { kty: 'EC', crv: 'P-256', x: '', y: '' },
  { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: big },
  { kty: 'OKP', crv: 'Ed25519', x: big },
  { kty: 'OKP', crv: 'X448', x: '', d: '' },
  { kty: 'RSA', n: { toString: () => 'AQAB' }, e: 'AQAB' },
];
for (const key of jwks) {
  attempt('jwk public', () => crypto.createPublicKey({ key, format: 'jwk' }));
  attempt('jwk private', () => crypto.createPrivateKey({ key, format: 'jwk' }));
}
// a huge RSA modulus by JWK: OpenSSL refuses to use it (16384 bits) rather
// than compute for minutes
attempt('huge rsa jwk sign', () => {
  const k = crypto.createPrivateKey({ key: { kty: 'RSA', n: rand(8192).toString('base64url'), e: 'AQAB',
    d: rand(8192).toString('base64url'), p: 'Aw', q: 'Aw', dp: 'AQ', dq: 'AQ', qi: 'AQ' }, format: 'jwk' });
  crypto.sign('sha256', Buffer.from('x'), k);
});

// key pairs past the cap: refused at once
const t0 = Date.now();
for (const [type, options] of [
  ['rsa', { modulusLength: 65536 }], ['rsa', { modulusLength: 2 ** 31 }], ['rsa-pss', { modulusLength: 1 << 20 }],
  ['dsa', { modulusLength: 1 << 20 }], ['dh', { primeLength: 1 << 20 }], ['dh', { prime: rand(1 << 16) }],
]) {
  let refused = false;
  try {
    crypto.generateKeyPairSync(type, options);
  } catch (e) {
    refused = e.code === 'ERR_OUT_OF_RANGE' || e.code === 'ERR_INVALID_ARG_VALUE';
  }
  if (!refused) leaks.push(`${type} ${JSON.stringify(options).slice(0, 40)} was not refused`);
}
attempt('async huge', () => crypto.generateKeyPair('rsa', { modulusLength: 1 << 16 }, () => leaks.push('async huge key made')));
if (Date.now() - t0 > 2000) leaks.push(`the refusals took ${Date.now() - t0} ms`);

// handles out of place: the natives check what they are given


for (const fn of [(k) => k.export({ format: 'jwk' }), (k) => k.asymmetricKeyDetails, (k) => k.equals(privateKey)]) {
  for (const fake of [Object.create(crypto.KeyObject.prototype), Object.create(Object.getPrototypeOf(privateKey))]) {
    attempt('fake key', () => fn(fake));
  }
}
attempt('fake cert', () => crypto.X509Certificate.prototype.checkHost.call({}, 'x'));
attempt('fake cert fields', () => Object.getOwnPropertyDescriptor(crypto.X509Certificate.prototype, 'subject').get.call({}));

// the originals still work
if (!crypto.verify(null, Buffer.from('x'), crypto.createPublicKey(privateKey), crypto.sign('sha256', Buffer.from('x'), privateKey)) &&
    !crypto.verify('sha256', Buffer.from('x'), publicKey, crypto.sign('sha256', Buffer.from('x'), privateKey))) {
  leaks.push('keys corrupted');
}
if (threw < 1000) leaks.push(`only ${threw} attempts threw`);
setTimeout(() => console.log(leaks.length ? `LEAK\n${leaks.join('\n')}` : 'HELD'), 200);
