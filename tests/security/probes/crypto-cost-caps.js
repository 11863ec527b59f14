// One crypto call may not pin a CPU for minutes: the profile's crypto.max_*
// keys (defaults: scrypt N 2^20, 10,000,000 PBKDF2 iterations, 8192-bit
// primes) refuse the call before any work, in the sync and async forms,
// with a RangeError that names the key. Each refusal must come at once.
'use strict';
const crypto = require('crypto');

const leaks = [];
const started = Date.now();
function refused(what, fn) {
  try {
    fn();
    leaks.push(`${what}: ran`);
  } catch (e) {
    if (e.code !== 'ERR_OUT_OF_RANGE' || !/crypto\.max_/.test(e.message)) leaks.push(`${what}: ${e.code} ${e.message}`);
  }
}

refused('scryptSync N 2^21', () => crypto.scryptSync('p', 's', 16, { N: 2 ** 21, maxmem: 2 ** 32 }));
refused('scryptSync cost 2^24', () => crypto.scryptSync('p', 's', 16, { cost: 2 ** 24, maxmem: 2 ** 35 }));
refused('pbkdf2Sync 2^31-1 iterations', () => crypto.pbkdf2Sync('p', 's', 2 ** 31 - 1, 16, 'sha512'));
refused('pbkdf2 async 20M', () => crypto.pbkdf2('p', 's', 20_000_000, 16, 'sha256', () => leaks.push('pbkdf2 async: ran')));
refused('generatePrimeSync 16384', () => crypto.generatePrimeSync(16384, { safe: true }));
refused('generatePrime async 65536', () => crypto.generatePrime(65536, () => leaks.push('generatePrime async: ran')));
refused('createDiffieHellman 10000 bits', () => crypto.createDiffieHellman(10000));
refused('createDiffieHellman 2^20-bit prime', () => crypto.createDiffieHellman(Buffer.alloc(2 ** 17, 0xff), 2));
if (Date.now() - started > 5000) leaks.push(`the refusals took ${Date.now() - started} ms`);

// below the caps the same calls still work
if (crypto.pbkdf2Sync('p', 's', 1000, 8, 'sha256').length !== 8) leaks.push('pbkdf2 below the cap failed');
if (!crypto.checkPrimeSync(crypto.generatePrimeSync(64, { bigint: true }))) leaks.push('generatePrime below the cap failed');

setTimeout(() => console.log(leaks.length ? `LEAK ${leaks.join('; ')}` : 'HELD'), 100);
