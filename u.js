const dgram = require('dgram');
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => { console.log('reply', m.toString(), r.address, r.port === ); s.close(); });
s.on('error', (e) => console.log('error', e.code, e.message));
s.send('ping', , 'host.internal', (err, n) => console.log('sent', err && err.code, n));
