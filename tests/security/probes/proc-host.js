// /proc, /sys, os and process as the guest sees them (/proc and /sys
// granted): no file or link there names the host folder the app and the
// secret live in, and the host facts Node exposes describe the sandbox
// (launcher/README.md, "What /proc and /sys show").
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const hostDir = path.dirname(process.argv[2]); // the app's and the secret's folder on the host
let leaks = 0;
const leak = (...what) => {
  leaks++;
  console.log('LEAK', ...what);
};

let entries = 0;
let bytes = 0;
const buf = Buffer.alloc(64 << 10);
const ownArgs = `${process.argv.join('\0')}\0`; // names the host folder: run.sh passes it
function check(p, text) {
  if (text !== ownArgs && text.includes(hostDir)) leak(p, 'names the host folder');
}
function walk(p, depth) {
  if (entries >= 20000 || bytes >= (64 << 20)) return;
  let st;
  try {
    st = fs.lstatSync(p);
  } catch {
    return;
  }
  entries++;
  try {
    if (st.isSymbolicLink()) {
      check(p, fs.readlinkSync(p));
    } else if (st.isFile()) {
      const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        let got = 0;
        for (let n; got < buf.length && (n = fs.readSync(fd, buf, got, buf.length - got, null)) > 0;) got += n;
        bytes += got;
        check(p, buf.toString('latin1', 0, got));
      } finally {
        fs.closeSync(fd);
      }
    } else if (st.isDirectory() && depth < 8) {
      for (const name of fs.readdirSync(p)) walk(`${p}/${name}`, depth + 1);
    }
  } catch {
    // unreadable: nothing shown
  }
}
walk('/proc', 0);
walk('/sys', 0);
if (entries < 50) leak(`only ${entries} entries under /proc and /sys: the walk saw nothing`);

// the kernel-wide files of /proc are not there
for (const f of ['/proc/cmdline', '/proc/meminfo', '/proc/stat', '/proc/loadavg', '/proc/uptime',
  '/proc/sys/kernel/random/boot_id', '/proc/self/mountinfo', '/proc/1/task/1/mountinfo']) {
  let text = '';
  try {
    text = fs.readFileSync(f, 'latin1');
  } catch {
    continue;
  }
  if (text.length) leak(f, 'is readable');
}

// what Node says about the machine is the sandbox's
const want = (label, ok) => ok || leak(label);
want(`execPath ${process.execPath}`, process.execPath === '/sandbox/bin/node');
want(`argv[0] ${process.argv[0]}`, process.argv[0] === process.execPath);
let cmdline = '';
try {
  cmdline = fs.readFileSync('/proc/self/cmdline', 'latin1');
} catch (e) {
  leak('/proc/self/cmdline', e.code);
}
want(`/proc/self/cmdline ${JSON.stringify(cmdline)}`, cmdline === ownArgs);
want(`hostname ${os.hostname()}`, os.hostname() === 'sandbox');
want(`totalmem ${os.totalmem()}`, os.totalmem() === 64 * 2 ** 20);
want(`freemem ${os.freemem()}`, os.freemem() > 0 && os.freemem() < os.totalmem());
want(`uptime ${os.uptime()}`, os.uptime() > 0 && os.uptime() < 30);
want(`loadavg ${os.loadavg()}`, os.loadavg().every((l) => l >= 0 && l <= os.cpus().length));
want(`cpus ${os.cpus().length}`, os.cpus().length === os.availableParallelism());
const sf = fs.statfsSync('/app');
want(`statfs /app ${JSON.stringify(sf)}`, sf.blocks === 0 && sf.bavail === 0 && sf.files === 0);
console.log(leaks === 0 ? 'HELD' : `${leaks} leaks`);
