// SecureContexts (an SSL_CTX each, about 13 KB natively) kept alive, and
// the CAs added to one context (a client CA name each, never
// deduplicated), are in the memory budget (--memory-limit 64,
// tls-memory-contexts.flags): Node's catchable RangeError, not a process
// growing past the budget until the run's cgroup (or the host) ends it.
'use strict';
const tls = require('tls');
const leaks = [];
const cert = tls.rootCertificates[0];

function held(what, n, make) {
  const keep = [];
  try {
    for (let i = 0; i < n; i++) keep.push(make(i));
    leaks.push(`${what}: ${n} kept`);
  } catch (e) {
    if (!(e instanceof RangeError)) leaks.push(`${what}: ${e}`);
  }
}
// 200 000 CAs in one context: about 70 MB of names
const ctx = tls.createSecureContext({});
held('200000 CAs added', 1, () => {
  for (let i = 0; i < 200000; i++) ctx.context.addCACert(cert);
});
// 40 000 contexts: about 500 MB of SSL_CTX
held('40000 SecureContexts', 40000, () => tls.createSecureContext({}));
console.log(leaks.length ? `${leaks.length} leaks\n${leaks.join('\n')}` : 'HELD');
