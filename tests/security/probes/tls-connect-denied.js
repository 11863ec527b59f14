// TLS adds no network path (docs/permissions.md, "TLS"): with no net grant
// (--profile default), tls.connect and https.get to outside addresses, the
// metadata service, host.internal and the sandbox's loopback are refused
// as the plain connect is (ERR_ACCESS_DENIED), whatever servername (SNI)
// the guest names (the sandbox's own loopback, which the default profile
// may grant, has nothing listening: ECONNREFUSED there); no 'connect' or 'secureConnect' ever fires.
'use strict';
const tls = require('tls');
const https = require('https');
const leaks = [];
const tries = [
  () => tls.connect({ host: '1.1.1.1', port: 443, servername: 'localhost' }),
  () => tls.connect({ host: '127.0.0.1', port: 443, servername: '1.1.1.1' }),
  () => tls.connect({ host: 'localhost', port: 443, servername: 'host.internal' }),
  () => tls.connect(443, 'host.internal'),
  () => tls.connect({ port: 443, host: 'example.com', servername: '127.0.0.1' }),
  () => https.get('https://169.254.169.254/latest/meta-data/'),
  () => https.get({ host: '[::1]', port: 443, servername: 'example.com' }),
];
let left = tries.length;
const done = () => {
  if (--left === 0) console.log(leaks.length ? `${leaks.length} leaks\n${leaks.join('\n')}` : 'HELD');
};
tries.forEach((t, i) => {
  let s;
  try {
    s = t();
  } catch (e) {
    if (e.code !== 'ERR_ACCESS_DENIED') leaks.push(`${i}: threw ${e.code || e}`);
    return done();
  }
  s.on('connect', () => leaks.push(`${i}: connected`));
  s.on('secureConnect', () => leaks.push(`${i}: secure-connected`));
  s.on('response', () => leaks.push(`${i}: answered`));
  s.on('error', (e) => {
    const own = (i === 1 || i === 2) && e.code === 'ECONNREFUSED';
    if (e.code !== 'ERR_ACCESS_DENIED' && !own) leaks.push(`${i}: ${e.code || e}`);
    done();
  });
});
