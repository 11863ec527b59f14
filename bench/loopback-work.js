// bench/loopback-work.js — work on the loopback in one program, timed
// from inside: an http server and keep-alive clients (10 at a time,
// 5,000 requests, small JSON answers), then 64 MiB through one TCP
// connection echoed back. Prints "http_ms tcp_ms".
'use strict';
const http = require('http');
const net = require('net');

function httpPart(done) {
  const server = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end('{"ok":true,"n":42}');
  }).listen(0, '127.0.0.1', () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const port = server.address().port;
    const total = 5000;
    let sent = 0, finished = 0;
    const t0 = process.hrtime.bigint();
    const one = () => {
      if (sent >= total) return;
      sent++;
      http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (++finished === total) {
            const ms = Number(process.hrtime.bigint() - t0) / 1e6;
            agent.destroy();
            server.close(() => done(ms));
          } else {
            one();
          }
        });
      });
    };
    for (let i = 0; i < 10; i++) one();
  });
}

function tcpPart(done) {
  const want = 64 << 20;
  const server = net.createServer((c) => c.pipe(c)).listen(0, '127.0.0.1', () => {
    const c = net.connect(server.address().port, '127.0.0.1');
    const chunk = Buffer.alloc(64 << 10, 7);
    let sent = 0, got = 0;
    const t0 = process.hrtime.bigint();
    c.on('data', (d) => {
      got += d.length;
      if (got === want) {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        c.destroy();
        server.close(() => done(ms));
      }
    });
    const pump = () => {
      while (sent < want) {
        sent += chunk.length;
        if (!c.write(chunk)) return c.once('drain', pump);
      }
    };
    pump();
  });
}

httpPart((h) => tcpPart((t) => console.log(`${h.toFixed(1)} ${t.toFixed(1)}`)));
