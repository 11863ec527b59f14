// Unix sockets: a guest with the default profile (/tmp read and write)
// and a read grant of a host folder (@RW@) listens and connects only where
// its grants allow — never in the app, in the read-only host folder, at
// the host's /run sockets or the secret's folder, nor through a symlink
// it plants in /tmp that leads there.
const fs = require('fs');
const net = require('net');
const [secretDir, roDir] = process.argv.slice(2);
const bad = [];
const refused = (e) => e && e.code === 'ERR_ACCESS_DENIED';

function tryListen(p) {
  return new Promise((resolve) => {
    let server;
    try {
      server = net.createServer().listen(p);
    } catch (e) {
      if (!refused(e)) bad.push(`listen ${p}: ${e.code}`);
      return resolve();
    }
    server.on('listening', () => { bad.push(`listen ${p}: listening`); server.close(resolve); });
    server.on('error', (e) => { bad.push(`listen ${p}: ${e.code}, not refused`); resolve(); });
  });
}

function tryConnect(p) {
  return new Promise((resolve) => {
    let c;
    try {
      c = net.connect(p);
    } catch (e) {
      if (!refused(e)) bad.push(`connect ${p}: ${e.code}`);
      return resolve();
    }
    c.on('connect', () => { bad.push(`connect ${p}: connected`); c.destroy(); });
    c.on('error', (e) => { if (!refused(e)) bad.push(`connect ${p}: ${e.code}, not refused`); });
    c.on('close', resolve);
  });
}

(async () => {
  const outside = ['/app/x.sock', `${roDir}/x.sock`, `${secretDir}/x.sock`, '/run/docker.sock',
    '/var/run/docker.sock', '/x.sock'];
  for (const p of outside) await tryListen(p);
  for (const p of [...outside, `${secretDir}/key.txt`]) await tryConnect(p);
  // a symlink in the guest's own /tmp names the target, which is decided
  try { fs.symlinkSync('/run', '/tmp/run-link'); } catch {}
  try { fs.symlinkSync(roDir, '/tmp/ro-link'); } catch {}
  await tryConnect('/tmp/run-link/docker.sock');
  await tryListen('/tmp/ro-link/x.sock');
  // the granted /tmp works (so the refusals above are the grants' doing)
  const server = net.createServer((c) => c.end('ok'));
  await new Promise((resolve) => server.listen('/tmp/ok.sock', resolve));
  const got = await new Promise((resolve) => {
    let s = '';
    net.connect('/tmp/ok.sock').on('data', (d) => { s += d; }).on('close', () => resolve(s))
      .on('error', (e) => resolve(e.code));
  });
  if (got !== 'ok') bad.push(`/tmp/ok.sock answered ${got}`);
  server.close();
  console.log(bad.length ? `ESCAPED ${bad.join('; ')}` : 'HELD');
})();
