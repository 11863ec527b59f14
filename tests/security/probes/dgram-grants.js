// The UDP wall: with only the sandbox's own loopback names granted
// (--profile default: localhost, 127.0.0.1, [::1]; or --allow-all), no
// datagram leaves the sandbox: an ungranted loopback spelling, the
// metadata address, private ranges, the host's loopback and a broadcast
// are refused (by the broker, or by the supervisor on the address it
// would send to), whether sent, connected, or on a socket already bound
// on the sandbox's loopback (that one reaches only the sandbox).
const dgram = require('dgram');
const bad = [];
const refused = ['ERR_ACCESS_DENIED', 'ENETUNREACH', 'ENOTFOUND', 'EACCES', 'EINVAL'];
const targets = [
  ['127.0.0.2', 9], ['169.254.169.254', 53], ['10.0.0.1', 53], ['192.168.1.1', 53],
  ['172.16.0.1', 53], ['100.64.0.1', 53], ['255.255.255.255', 53], ['224.0.0.251', 5353],
  ['host.internal', 53], ['0x7f000001', 9], ['::ffff:127.0.0.1', 9],
];
// the sandbox's own loopback by other spellings: refused under --profile
// default; under --allow-all a datagram there stays in the sandbox (its
// namespace's lo), which is no escape
const sandboxOwn = new Set(['127.0.0.2', '0x7f000001', '::ffff:127.0.0.1']);
const mustDeny = new Set(['169.254.169.254', '10.0.0.1', '192.168.1.1', '172.16.0.1', '100.64.0.1']);
const jobs = [];
for (const [host, port] of targets) {
  // a fresh socket: the implicit bind
  jobs.push((done) => {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.on('error', (e) => { if (!refused.includes(e.code)) bad.push(`${host} error ${e.code}`); });
    try {
      s.send('x', port, host, (err) => {
        if (!err && !sandboxOwn.has(host)) bad.push(`send ${host}:${port} went`);
        else if (err && !refused.includes(err.code)) bad.push(`send ${host}: unexpected ${err.code}`);
        // not granted in either mode (metadata, private): the broker's or the supervisor's refusal
        else if (err && mustDeny.has(host) && err.code !== 'ERR_ACCESS_DENIED') bad.push(`send ${host}: ${err.code}, not ERR_ACCESS_DENIED`);
        s.close();
        done();
      });
    } catch (e) {
      if (!refused.includes(e.code) && e.code !== 'ERR_INVALID_IP_ADDRESS') bad.push(`send ${host} threw ${e.code}`);
      s.close();
      done();
    }
  });
  // connect
  jobs.push((done) => {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.on('error', () => {});
    try {
      s.connect(port, host, (err) => {
        if (!err && !sandboxOwn.has(host)) bad.push(`connect ${host}:${port} went`);
        else if (err && !refused.includes(err.code)) bad.push(`connect ${host}: unexpected ${err.code}`);
        s.close();
        done();
      });
    } catch (e) {
      s.close();
      done();
    }
  });
}
// a socket bound on the sandbox's loopback reaches nothing outside
jobs.push((done) => {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1', () => {
    let left = 3;
    for (const host of ['169.254.169.254', '10.0.0.1', 'host.internal']) {
      s.send('x', 53, host, (err) => {
        if (!err) bad.push(`bound socket sent to ${host}`);
        if (--left === 0) { s.close(); done(); }
      });
    }
  });
});
// multicast and buffer sizes are refused
jobs.push((done) => {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1', () => {
    try { s.addMembership('224.0.0.251'); bad.push('addMembership'); } catch {}
    try { s.setRecvBufferSize(64 << 20); bad.push('setRecvBufferSize'); } catch {}
    s.close();
    done();
  });
});
(function next() {
  const job = jobs.shift();
  if (job) job(next);
  else console.log(bad.length ? `ESCAPED ${bad.join('; ')}` : 'HELD');
})();
