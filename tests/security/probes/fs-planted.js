// Files planted in a host folder the guest may write (@RW@), for the
// host's own tools to trip on later: no setuid or setgid bit reaches a file
// there (a mode at creation, chmod, fchmod, mkdir, copyFile and cp of a
// setuid file of the app), and no symlink there points outside the grants
// (absolute, relative, to the secret folder). Plain modes still work.
'use strict';
const fs = require('fs');

const dir = process.argv[2];
const rw = process.argv[3];
let bad = 0;
const leak = (what) => {
  bad++;
  console.log('LEAK', what);
};
const tryIt = (f) => {
  try {
    f();
  } catch {
    // refused
  }
};
const mode = (p) => fs.lstatSync(p).mode & 0o7777;
const noBits = (p, how) => {
  try {
    if (mode(p) & 0o6000) leak(`${how}: ${p} is ${mode(p).toString(8)}`);
  } catch {
    // not there
  }
};

(async () => {
  tryIt(() => fs.writeFileSync(`${rw}/w`, 'x', { mode: 0o6755 }));
  noBits(`${rw}/w`, 'writeFile with a mode');
  tryIt(() => fs.closeSync(fs.openSync(`${rw}/o`, 'w', 0o4755)));
  noBits(`${rw}/o`, 'open with a mode');
  tryIt(() => fs.appendFileSync(`${rw}/a`, 'x', { mode: 0o2755 }));
  noBits(`${rw}/a`, 'appendFile with a mode');
  tryIt(() => fs.chmodSync(`${rw}/w`, 0o6755));
  noBits(`${rw}/w`, 'chmod 6755');
  tryIt(() => fs.chmodSync(`${rw}/w`, '4755'));
  noBits(`${rw}/w`, "chmod '4755'");
  await fs.promises.chmod(`${rw}/o`, 0o6755).catch(() => {});
  noBits(`${rw}/o`, 'promises.chmod 6755');
  tryIt(() => {
    const fd = fs.openSync(`${rw}/o`, 'r+');
    try {
      fs.fchmodSync(fd, 0o4755);
    } finally {
      fs.closeSync(fd);
    }
  });
  noBits(`${rw}/o`, 'fchmod 4755');
  tryIt(() => fs.mkdirSync(`${rw}/d`, 0o2775));
  noBits(`${rw}/d`, 'mkdir 2775');
  tryIt(() => fs.chmodSync(`${rw}/d`, 0o2775));
  noBits(`${rw}/d`, 'chmod 2775 on a folder');
  tryIt(() => fs.copyFileSync('/app/suid.txt', `${rw}/copied`));
  noBits(`${rw}/copied`, 'copyFile of a setuid file');
  tryIt(() => fs.cpSync('/app/suid.txt', `${rw}/cp`));
  noBits(`${rw}/cp`, 'cp of a setuid file');

  // plain modes are kept as asked
  fs.chmodSync(`${rw}/w`, 0o755);
  if (mode(`${rw}/w`) !== 0o755) leak(`chmod 755 gave ${mode(`${rw}/w`).toString(8)}`);
  fs.chmodSync(`${rw}/w`, 0o640);
  if (mode(`${rw}/w`) !== 0o640) leak(`chmod 640 gave ${mode(`${rw}/w`).toString(8)}`);

  const links = {
    shadow: '/etc/shadow',
    rel: '../../../../../../../../etc/shadow',
    secret: dir,
    'secret-file': `${dir}/key.txt`,
  };
  for (const [name, target] of Object.entries(links)) {
    let code = 'made';
    try {
      fs.symlinkSync(target, `${rw}/${name}`);
    } catch (e) {
      code = e.code;
    }
    if (code !== 'EACCES') leak(`symlink ${name} -> ${target}: ${code}`);
  }
  let code = 'made';
  await fs.promises.symlink('/etc/passwd', `${rw}/passwd`).catch((e) => {
    code = e.code;
  });
  if (code !== 'EACCES') leak(`promises.symlink -> /etc/passwd: ${code}`);
  for (const name of fs.readdirSync(rw))
    if (fs.lstatSync(`${rw}/${name}`).isSymbolicLink()) leak(`a symlink ${name} is in the grant`);
  console.log(bad ? 'ESCAPED' : 'HELD');
})();
