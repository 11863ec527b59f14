// What waits in the sockets' write queues counts in the memory budget
// (--memory-limit 64, memory-net.flags): 30 loopback connections whose
// peer never reads, 8 MiB written to each, cannot hold 240 MiB outside
// the budget — the writes past it fail with Node's RangeError and the run
// goes on.
'use strict';
const net = require('net');
const held = [];
const server = net.createServer((c) => { c.pause(); held.push(c); });
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const big = Buffer.alloc(8 << 20, 1);
  let refused = 0, accepted = 0, other = [];
  const clients = [];
  let opened = 0;
  for (let i = 0; i < 30; i++) {
    const c = net.connect(port, '127.0.0.1', () => {
      c.write(big, (err) => { if (!err) accepted++; });
      if (++opened === 30) setTimeout(finish, 1000);
    });
    c.on('error', (e) => {
      if (e instanceof RangeError && e.message === 'Array buffer allocation failed') refused++;
      else other.push(e.code || String(e));
    });
    clients.push(c);
  }
  function finish() {
    console.log(refused > 0 && other.length === 0 ? 'HELD'
      : `ESCAPED refused=${refused} accepted=${accepted} other=${other.join(',')}`);
    for (const c of clients) c.destroy();
    for (const c of held) c.destroy();
    server.close();
  }
});
