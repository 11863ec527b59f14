// The host's private keys stay unreadable, by both walls alone: sshd's
// host keys, the TLS keys under /etc/ssl/private, root's and the users'
// ssh keys, read by every fs form, listed, or statted. A key read means
// an escape: under --allow-all (the OS wall alone) the probe then prints
// the run's secret token, which run.sh looks for.
'use strict';
const fs = require('fs');

const candidates = [];
let leakedList = false;
for (const t of ['ed25519', 'ecdsa', 'rsa', 'dsa']) candidates.push(`/etc/ssh/ssh_host_${t}_key`);
for (const home of ['/root', '/home']) {
  try {
    for (const u of home === '/home' ? fs.readdirSync(home) : ['']) {
      for (const k of ['id_ed25519', 'id_ecdsa', 'id_rsa']) candidates.push(`${home}${u ? '/' + u : ''}/.ssh/${k}`);
    }
  } catch {
    // not there or refused: the fixed names below still are tried
  }
}
candidates.push('/root/.ssh/id_ed25519', '/root/.ssh/id_rsa', '/etc/ssl/private/ssl-cert-snakeoil.key');
try {
  for (const f of fs.readdirSync('/etc/ssl/private')) candidates.push(`/etc/ssl/private/${f}`);
  console.log('LEAK listed /etc/ssl/private', process.env.SECRET_TOKEN || '');
  leakedList = true;
} catch {
  // refused: held
}

let leaks = leakedList ? 1 : 0;
const got = (what, bytes) => {
  if (!bytes || !/PRIVATE KEY|OPENSSH/.test(String(bytes))) return;
  leaks++;
  console.log('LEAK', what, process.env.SECRET_TOKEN || '');
};
for (const p of candidates) {
  for (const read of [
    () => fs.readFileSync(p),
    () => {
      const fd = fs.openSync(p, 'r');
      const b = Buffer.alloc(4096);
      return b.subarray(0, fs.readSync(fd, b, 0, b.length, 0));
    },
    () => fs.readFileSync(`/proc/self/root${p}`),
  ]) {
    try {
      got(p, read());
    } catch {
      // refused or absent: held
    }
  }
}
(async () => {
  for (const p of candidates) {
    try {
      got(`promises ${p}`, await fs.promises.readFile(p));
    } catch {
      // held
    }
    await new Promise((resolve) => {
      const s = fs.createReadStream(p);
      const parts = [];
      s.on('data', (d) => parts.push(d));
      s.on('error', resolve);
      s.on('end', () => {
        got(`stream ${p}`, Buffer.concat(parts));
        resolve();
      });
    });
  }
  console.log(leaks ? `${leaks} leaks` : 'HELD');
})();
