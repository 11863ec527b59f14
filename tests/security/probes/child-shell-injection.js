// With only `echo` granted (no shell), a shell form must run one simple
// echo command or nothing: every command line that would make a shell do
// more (run another program, expand a command, redirect) is refused with
// ERR_ACCESS_DENIED before anything runs, through each function that
// takes a command line. A shell that ran anyway would leave its markers
// (redirections are the shell's own work: no program needed) in @RW@.
'use strict';
const cp = require('child_process');
const fs = require('fs');

const rw = process.argv[3];
const lines = [
  'echo hi; id',
  'echo hi;id',
  'echo $(id)',
  'echo `id`',
  'id # echo',
  'echo hi\nid',
  'echo hi\r\nid',
  'echo hi && id',
  'echo hi || id',
  'echo hi | id',
  'echo hi & id',
  'echo hi > /tmp/redirected',
  'echo hi >> /tmp/redirected',
  'echo hi 2> /tmp/redirected',
  'echo hi < /etc/hostname',
  `echo marker > ${rw}/m1`,
  `echo a; echo marker > ${rw}/m2`,
  `echo $(echo marker > ${rw}/m3)`,
  'exec id',
  'eval id',
  'command id',
  'sh -c "echo hi"',
  '/bin/sh -c "echo hi"',
  '(echo hi)',
  '{ echo hi; }',
  'echo hi; exit 0',
  'PATH=/tmp echo hi',
  'ENV=/tmp/x echo hi',
  'echo ${IFS}id',
];
const escapes = [];
let pending = 0;
function done() {
  if (--pending > 0) return;
  for (const m of ['m1', 'm2', 'm3']) {
    if (fs.existsSync(`${rw}/${m}`)) escapes.push(`a shell wrote ${m}`);
  }
  if (fs.existsSync('/tmp/redirected')) escapes.push('a shell redirected into /tmp');
  console.log(escapes.length ? `ESCAPED ${escapes.join('; ')}` : 'HELD');
}
function refused(what, e) {
  if (!e || e.code !== 'ERR_ACCESS_DENIED') escapes.push(`${what}: ${e ? e.code || e.message : 'ran'}`);
}
pending++;
for (const line of lines) {
  const what = JSON.stringify(line);
  try {
    cp.execSync(line, { stdio: 'pipe' });
    refused(`execSync ${what}`, null);
  } catch (e) {
    refused(`execSync ${what}`, e);
  }
  try {
    cp.spawnSync(line, { shell: true });
    refused(`spawnSync shell ${what}`, null);
  } catch (e) {
    refused(`spawnSync shell ${what}`, e);
  }
  try {
    pending++;
    cp.exec(line, () => {
      refused(`exec ${what}`, null);
      done();
    });
  } catch (e) {
    refused(`exec ${what}`, e);
    done();
  }
  try {
    pending++;
    const child = cp.spawn(line, { shell: '/bin/bash' });
    child.on('error', () => {});
    child.on('close', () => {
      refused(`spawn bash ${what}`, null);
      done();
    });
  } catch (e) {
    refused(`spawn bash ${what}`, e);
    done();
  }
}
// execFile's arguments joined into the shell's command line
for (const args of [['hi;', 'id'], ['hi', ';', 'id'], ['$(id)'], ['`id`'], ['hi', '|', 'id'], ['hi', '>', '/tmp/redirected'],
  ['hi\nid'], ['hi', '&&', 'id']]) {
  const what = JSON.stringify(args);
  try {
    cp.execFileSync('echo', args, { shell: true, stdio: 'pipe' });
    refused(`execFileSync shell ${what}`, null);
  } catch (e) {
    refused(`execFileSync shell ${what}`, e);
  }
}
done();
