// OpenSSL never loads a configuration file, an engine or a provider module
// the guest names: it is started without its configuration
// (OPENSSL_INIT_NO_LOAD_CONFIG, bridge/crypto.c), so OPENSSL_CONF,
// OPENSSL_MODULES and OPENSSL_ENGINES mean nothing, whether the guest sets
// them in its own process.env before the first crypto call or passes them
// to a nested guest; crypto.setEngine is refused. The configuration written
// here would make every digest fail (default_properties = fips=yes, no
// FIPS provider) and load a provider module from /tmp: a digest, a cipher
// and a key agreement that still answer the known values show it was not
// read.
'use strict';
const fs = require('fs');
const cp = require('child_process');

const leaks = [];
const conf = '/tmp/evil-openssl.cnf';
fs.writeFileSync(conf, [
  'openssl_conf = openssl_init',
  '[openssl_init]',
  'alg_section = algs',
  'providers = provs',
  'engines = engs',
  '[algs]',
  'default_properties = fips=yes',
  '[provs]',
  'evil = evil_sect',
  '[evil_sect]',
  'module = /tmp/evil-provider.so',
  'activate = 1',
  '[engs]',
  'evil = engine_sect',
  '[engine_sect]',
  'dynamic_path = /tmp/evil-engine.so',
  'init = 1',
  '',
].join('\n'));
fs.writeFileSync('/tmp/evil-provider.so', 'not a library');
fs.writeFileSync('/tmp/evil-engine.so', 'not a library');
const evilEnv = { OPENSSL_CONF: conf, OPENSSL_MODULES: '/tmp', OPENSSL_ENGINES: '/tmp' };
Object.assign(process.env, evilEnv);

// What the checks print when OpenSSL works as built: SHA-256 of "x", an
// AES-128-GCM tag under zeros, and a P-256 key agreement.
const check = `
const c = require('crypto');
const out = [c.createHash('sha256').update('x').digest('hex').slice(0, 16)];
const e = c.createCipheriv('aes-128-gcm', Buffer.alloc(16), Buffer.alloc(12));
e.update('x'); e.final(); out.push(e.getAuthTag().toString('hex'));
const a = c.createECDH('prime256v1'); a.setPrivateKey(Buffer.alloc(32, 1));
const b = c.createECDH('prime256v1'); b.setPrivateKey(Buffer.alloc(32, 2));
out.push(a.computeSecret(b.getPublicKey()).equals(b.computeSecret(a.getPublicKey())));
try { c.setEngine('dynamic'); out.push('setEngine taken'); } catch (err) { out.push(err.code); }
try { c.setEngine('/tmp/evil-engine.so'); out.push('setEngine taken'); } catch (err) { out.push(err.code); }
console.log(out.join(' '));
`;
const want = '2d711642b726b044 fbb26b67fe464d28c0e042ca60107b48 true ' +
  'ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED ERR_CRYPTO_CUSTOM_ENGINE_NOT_SUPPORTED';

const logs = [];
const origLog = console.log;
console.log = (s) => logs.push(String(s));
try {
  new Function('require', check)(require); // eslint-disable-line no-new-func
} catch (err) {
  logs.push(`in-process: ${err.code || err.message}`);
}
console.log = origLog;
if (logs[0] !== want) leaks.push(`in-process: ${logs[0]}`);

for (const env of [evilEnv, { ...evilEnv, OPENSSL_CONF: '/tmp' }, { ...evilEnv, OPENSSL_CONF: '/dev/stdin' }]) {
  try {
    const out = cp.execFileSync(process.execPath, ['-e', check], { env, encoding: 'utf8', input: '' }).trim();
    if (out !== want) leaks.push(`child with ${env.OPENSSL_CONF}: ${out}`);
  } catch (err) {
    leaks.push(`child with ${env.OPENSSL_CONF}: ${String(err.stderr || err.message).slice(0, 200)}`);
  }
}

console.log(leaks.length ? `LEAK ${leaks.join('; ')}` : 'HELD');
