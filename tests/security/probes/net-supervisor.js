// The network through the supervisor, from guest JavaScript: with only the
// sandbox's loopback granted (--profile default), nothing else is reached
// whatever the spelling — the host's loopback under its guest address
// (127.254.0.1) or its name, the metadata address in IPv4-mapped or NAT64
// form, a name's own lookup answering a forbidden address, a listen on a
// loopback address no rule covers — and a name no rule names is not even
// looked up. Every refusal is ERR_ACCESS_DENIED or a failed connect;
// nothing connects.
const net = require('net');
const bad = [];
const targets = [
  '127.254.0.1', 'host.internal', 'HOST.INTERNAL', 'host.internal.', '::ffff:169.254.169.254',
  '64:ff9b::a9fe:a9fe', '::ffff:a9fe:a9fe', '169.254.169.254', 'fd00:ec2::254', '10.0.0.1',
  'metadata.google.internal', 'localhost.', '0.0.0.0',
];
let left = targets.length + 3;
function done() {
  if (--left) return;
  console.log(bad.length ? `ESCAPED ${bad.join('; ')}` : 'HELD');
}
const okCodes = ['ERR_ACCESS_DENIED', 'ECONNREFUSED', 'ENOTFOUND', 'EADDRNOTAVAIL', 'ENETUNREACH',
  'ERR_INVALID_IP_ADDRESS', 'EAI_AGAIN'];
function attempt(what, options) {
  let socket;
  try {
    socket = net.connect(options);
  } catch (e) {
    if (!okCodes.includes(e.code)) bad.push(`${what}: threw ${e.code}`);
    done();
    return;
  }
  socket.setTimeout(5000, () => { bad.push(`${what}: hung`); socket.destroy(); });
  socket.on('connect', () => { bad.push(`${what}: connected`); socket.destroy(); });
  socket.on('error', (e) => { if (!okCodes.includes(e.code)) bad.push(`${what}: ${e.code}`); });
  socket.on('close', done);
}
for (const host of targets) attempt(host, { host, port: 80 });
// a program's own lookup is decided as the address it returns
attempt('lookup->metadata', {
  host: 'localhost', port: 80, lookup: (h, o, cb) => cb(null, [{ address: '169.254.169.254', family: 4 }]),
});
attempt('lookup->127.254.0.1', {
  host: 'localhost', port: 80, lookup: (h, o, cb) => cb(null, [{ address: '127.254.0.1', family: 4 }]),
});
// a listen on a loopback address no rule covers
const srv = net.createServer();
srv.on('error', (e) => { if (e.code !== 'ERR_ACCESS_DENIED') bad.push(`listen 127.0.0.2: ${e.code}`); done(); });
try {
  srv.listen(0, '127.0.0.2', () => { bad.push('listen 127.0.0.2: listening'); srv.close(); done(); });
} catch (e) {
  if (e.code !== 'ERR_ACCESS_DENIED') bad.push(`listen 127.0.0.2: threw ${e.code}`);
  done();
}
