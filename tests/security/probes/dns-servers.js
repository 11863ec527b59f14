// A Resolver's own DNS servers (setServers): with only the sandbox's own
// loopback names granted (--profile default; or --allow-all), a question
// goes nowhere else. Servers on the host's networks, the metadata service
// (any spelling) and the host's loopback (as host.internal's address) are
// refused before anything is sent (ERR_ACCESS_DENIED from the guest's
// broker, the supervisor deciding again on its own copy; wall_probe's
// net-dns asks the supervisor alone);
// another loopback address is refused under --profile default and under
// --allow-all stays the sandbox's (ECONNREFUSED, no escape). A server the
// program runs on its own 127.0.0.1 is asked, and answers, in the sandbox.
const dgram = require('dgram');
const dns = require('dns');
const bad = [];
const mustDeny = [
  '10.0.0.1', '192.168.1.1', '172.16.0.1', '100.64.0.1', '169.254.169.254',
  '[::ffff:169.254.169.254]', '[fd00:ec2::254]', '[fd00::1]', '127.254.0.1',
];
const sandboxOwn = ['127.0.0.2', '[::ffff:127.0.0.1]'];
const ok = ['ERR_ACCESS_DENIED', 'ECONNREFUSED', 'ETIMEOUT'];
const jobs = [];
for (const server of [...mustDeny, ...sandboxOwn]) {
  jobs.push((done) => {
    const r = new dns.Resolver({ timeout: 300, tries: 1 });
    r.setServers([server]);
    r.resolve4('example.com', (err, addrs) => {
      if (!err) bad.push(`${server} answered ${addrs}`);
      else if (mustDeny.includes(server) && err.code !== 'ERR_ACCESS_DENIED') bad.push(`${server}: ${err.code}`);
      else if (!ok.includes(err.code)) bad.push(`${server}: unexpected ${err.code}`);
      // a refused server beside a granted one refuses the question
      const two = new dns.promises.Resolver({ timeout: 300, tries: 1 });
      two.setServers(['127.0.0.1:1', server]);
      two.reverse('192.0.2.1').then((names) => bad.push(`127.0.0.1 and ${server}: ${names}`), (e) => {
        if (mustDeny.includes(server) && e.code !== 'ERR_ACCESS_DENIED') bad.push(`127.0.0.1 and ${server}: ${e.code}`);
        done();
      });
    });
  });
}
// the program's own server on the sandbox's 127.0.0.1: asked and answering
jobs.push((done) => {
  const s = dgram.createSocket('udp4');
  s.on('message', (msg, rinfo) => {
    const reply = Buffer.from(msg);
    reply[2] = 0x81; // a response, recursion desired
    reply[3] = 0x83; // recursion available, NXDOMAIN
    s.send(reply, rinfo.port, rinfo.address);
  });
  s.bind(0, '127.0.0.1', () => {
    const r = new dns.Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${s.address().port}`]);
    r.resolve4('nowhere.test', (err) => {
      if (!err || err.code !== 'ENOTFOUND') bad.push(`own server: ${err ? err.code : 'an answer'}`);
      s.close();
      done();
    });
  });
});
(function next() {
  const job = jobs.shift();
  if (job) job(next);
  else console.log(bad.length ? `ESCAPED ${bad.join('; ')}` : 'HELD');
})();
