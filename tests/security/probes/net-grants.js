// The net wall: with only the sandbox's own loopback names granted
// (--profile default: localhost, 127.0.0.1, [::1]; or --allow-all), no
// spelling, port trick or address reaches past the sandbox — other
// loopback spellings are refused unless granted as spelled, and addresses
// outside fail (the broker, or the namespace's lone `lo`).
const net = require('net');
const allowAll = process.argv.includes('--all');
const bad = [];
const attempts = [
  // [host, expect refusal by the broker under --profile default]
  ['127.1', true], ['0x7f000001', true], ['::ffff:127.0.0.1', true], ['127.0.0.2', true],
  ['2130706433', true], ['0177.0.0.1', true], ['169.254.169.254', true], ['10.0.0.1', true],
  ['8.8.8.8', true], ['host.internal', true], ['example.com', true],
];
let left = attempts.length;
function done() {
  if (--left) return;
  console.log(bad.length ? `ESCAPED ${bad.join('; ')}` : 'HELD');
}
for (const [host] of attempts) {
  let socket;
  try {
    socket = net.connect({ port: 80, host });
  } catch (e) {
    done();
    continue;
  }
  socket.setTimeout(3000, () => { bad.push(`${host}: connect hung`); socket.destroy(); });
  socket.on('connect', () => { bad.push(`${host}: connected`); socket.destroy(); });
  socket.on('error', (e) => {
    if (!['ERR_ACCESS_DENIED', 'ENETUNREACH', 'ENOTFOUND', 'ECONNREFUSED', 'ERR_INVALID_IP_ADDRESS'].includes(e.code)) {
      bad.push(`${host}: unexpected ${e.code}`);
    }
  });
  socket.on('close', done);
}
