// A program's own `lookup` cannot widen a grant: the broker decides on the
// address it returns, not on the name asked. Where 127.0.0.9 itself is not
// granted (--profile default grants localhost, 127.0.0.1, [::1]), a connect
// to "localhost" whose lookup answers 127.0.0.9 is refused the same way.
'use strict';
const net = require('net');
net.connect(4000, '127.0.0.9').on('error', (direct) => {
  const c = net.connect({ host: 'localhost', port: 4000,
    lookup: (host, opts, cb) => cb(null, [{ address: '127.0.0.9', family: 4 }]) });
  c.on('connect', () => console.log('ESCAPED connected'));
  c.on('error', (e) => {
    const same = direct.code === 'ERR_ACCESS_DENIED' ? e.code === 'ERR_ACCESS_DENIED' : true;
    console.log(same ? 'HELD' : `ESCAPED direct ${direct.code}, through lookup ${e.code}`);
  });
});
