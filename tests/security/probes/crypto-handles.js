// The crypto bridge's native contexts (digest and HMAC state held by the
// GC) reached from guest code: a Hash's hidden handle pulled out by its
// symbol and passed where an Hmac's is expected, handles used after their
// digest, forged objects, prototypes and typed arrays in their place,
// and OpenSSL asked to read files through the digest, cipher and key
// names; cipher and ECDH handles passed where others are expected.
// Each attempt must throw a JS error or answer as a refusal; the process
// must neither crash nor read anything outside the app.
'use strict';
const crypto = require('crypto');

const dir = process.argv[2];
const leaks = [];
const handleOf = (o) => o[Object.getOwnPropertySymbols(o).find((s) => String(s) === 'Symbol(kHandle)')];

const h = crypto.createHash('sha256').update('x');
const hm = crypto.createHmac('sha256', 'k');
const hashHandle = handleOf(h);
const hmacHandle = handleOf(hm);
if (!hashHandle || !hmacHandle) leaks.push('the Hash/Hmac handles were not found (probe out of date)');

const attempts = [
  () => crypto.Hmac.prototype.update.call({ [Object.getOwnPropertySymbols(hm)[0]]: hashHandle }, 'a'),
  () => crypto.Hmac.prototype.digest.call(Object.assign(Object.create(crypto.Hmac.prototype), hm, { [Object.getOwnPropertySymbols(hm)[0]]: hashHandle })),
  () => crypto.Hash.prototype.update.call(Object.assign(Object.create(crypto.Hash.prototype), { [Object.getOwnPropertySymbols(h)[0]]: hmacHandle }), 'a'),
  () => crypto.Hash.prototype.update.call(Object.assign(Object.create(crypto.Hash.prototype), { [Object.getOwnPropertySymbols(h)[0]]: new Uint8Array(64) }), 'a'),
  () => crypto.Hash.prototype.update.call(Object.assign(Object.create(crypto.Hash.prototype), { [Object.getOwnPropertySymbols(h)[0]]: Object.create(hashHandle) }), 'a'),
  () => crypto.Hash.prototype.digest.call(Object.assign(Object.create(crypto.Hash.prototype), { [Object.getOwnPropertySymbols(h)[0]]: {} })),
  () => {
    // A finished digest's handle answers its own value again (as Node's
    // binding does) and nothing else: no state of another object.
    const used = crypto.createHash('sha1');
    const handle = handleOf(used);
    const first = used.digest();
    const again = crypto.Hash.prototype.digest.call(Object.assign(Object.create(crypto.Hash.prototype), { [Object.getOwnPropertySymbols(used)[0]]: handle }));
    if (!again.equals(first)) return again;
    throw new Error('answered its own digest again');
  },
  () => crypto.createHash(Object.create(crypto.Hash.prototype)),
  () => crypto.createHash(`${dir}/key.txt`),
  () => crypto.createHash('../../../../etc/passwd'),
  () => crypto.createHmac(`file:${dir}/key.txt`, 'k'),
  () => crypto.pbkdf2Sync('a', 'b', 1, 8, `${dir}/key.txt`),
  () => crypto.hkdfSync(`${dir}/key.txt`, 'a', 'b', 'c', 8),
  () => crypto.createCipheriv(`${dir}/key.txt`, Buffer.alloc(16), Buffer.alloc(16)),
  () => crypto.createCipheriv('aes-128-ccm', Buffer.alloc(16), Buffer.alloc(12), { authTagLength: 2 ** 31 }),
  // a cipher's handle where a hash's is expected, and the other way round
  () => {
    const ci = crypto.createCipheriv('aes-128-cbc', Buffer.alloc(16), Buffer.alloc(16));
    const forged = Object.assign(Object.create(crypto.Hash.prototype), { [Object.getOwnPropertySymbols(h)[0]]: handleOf(ci) });
    return forged.digest();
  },
  () => {
    const ci = crypto.createCipheriv('aes-128-cbc', Buffer.alloc(16), Buffer.alloc(16));
    const sym = Object.getOwnPropertySymbols(ci).find((s) => String(s) === 'Symbol(kHandle)');
    const forged = Object.assign(Object.create(crypto.Cipheriv.prototype), { [sym]: hashHandle });
    return forged.update(Buffer.alloc(16));
  },
  () => {
    const dh = crypto.createECDH('prime256v1');
    const sym = Object.getOwnPropertySymbols(dh).find((s) => String(s) === 'Symbol(kHandle)');
    const forged = Object.assign(Object.create(crypto.DiffieHellman.prototype), { [sym]: dh[sym] });
    return forged.getPrime();
  },
  () => crypto.createPrivateKey(`-----BEGIN PRIVATE KEY-----\n${dir}/key.txt`),
];

for (const attempt of attempts) {
  try {
    const got = attempt();
    const shown = Buffer.isBuffer(got) ? got.toString('latin1') : String(got);
    // A refusal may answer with an empty digest; anything else is state
    // the probe should not have reached.
    if (!(Buffer.isBuffer(got) && got.length === 0)) leaks.push(`${attempt}: answered ${shown.slice(0, 60)}`);
  } catch (e) {
    if (!(e instanceof Error)) leaks.push(`${attempt}: threw a non-error`);
    if (String(e.message).includes('TOP-SECRET')) leaks.push(`${attempt}: ${e.message}`);
  }
}
// The originals still work: nothing was corrupted.
if (h.digest('hex') !== crypto.createHash('sha256').update('x').digest('hex')) leaks.push('hash state corrupted');
if (hm.digest('hex') !== crypto.createHmac('sha256', 'k').digest('hex')) leaks.push('hmac state corrupted');
console.log(leaks.length ? `LEAK\n${leaks.join('\n')}` : 'HELD');
