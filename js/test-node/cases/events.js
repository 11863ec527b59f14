'use strict';
const EventEmitter = require('events');
const { once, on, errorMonitor, getEventListeners, setMaxListeners, getMaxListeners, addAbortListener, listenerCount } = EventEmitter;
const util = require('util');

console.log(EventEmitter === EventEmitter.EventEmitter, typeof once, typeof on, String(errorMonitor), String(EventEmitter.captureRejectionSymbol));
console.log(EventEmitter.defaultMaxListeners, EventEmitter.captureRejections, EventEmitter.usingDomains);
const e = new EventEmitter();
console.log(e);
function f1() {}
e.on('x', f1);
e.on('x', () => {});
e.once('y', function named() {});
e.prependListener('x', function first() {});
console.log(e);
console.log(e.listenerCount('x'), e.listenerCount('x', f1), listenerCount(e, 'y'), e.eventNames(), e.listeners('y'), e.rawListeners('y').length);
const order = [];
e.on('z', (a, b) => order.push(['z1', a, b]));
e.prependOnceListener('z', (a) => order.push(['z0', a]));
console.log(e.emit('z', 1, 2), e.emit('z', 3), e.emit('nothing'));
console.log(order);
e.on('newListener', (ev) => order.push(['new', ev]));
e.on('removeListener', (ev) => order.push(['rm', ev]));
e.on('q', f1);
e.off('q', f1);
e.removeAllListeners('x');
console.log(order.slice(-4), e.eventNames());
class MyEE extends EventEmitter { constructor() { super({ captureRejections: true }); } }
const m = new MyEE();
console.log(m);
try { e.emit('error', new Error('direct')); } catch (err) { console.log('thrown:', err.message); }
try { e.emit('error', 'str'); } catch (err) { console.log('thrown:', err.message, err.code, err.context); }
try { e.emit('error', { a: 1 }); } catch (err) { console.log('thrown:', err.message); }
try { e.emit('error'); } catch (err) { console.log('thrown:', err.message); }
const mon = new EventEmitter();
mon.on(errorMonitor, (err) => console.log('monitor saw', err.message));
try { mon.emit('error', new Error('mon')); } catch (err) { console.log('then thrown', err.message); }
try { e.on('x', 5); } catch (err) { console.log(err.name, err.code, err.message); }
try { e.setMaxListeners(-1); } catch (err) { console.log(err.name, err.code, err.message); }
const lots = new EventEmitter();
lots.setMaxListeners(2);
console.log(lots.getMaxListeners(), getMaxListeners(lots));
const et = new EventTarget();
setMaxListeners(5, et, lots);
console.log(getMaxListeners(et), lots.getMaxListeners());
const h = () => {};
et.addEventListener('foo', h);
console.log(getEventListeners(et, 'foo').length, getEventListeners(e, 'y').length);

(async () => {
  const em = new EventEmitter();
  setTimeout(() => em.emit('ready', 1, 'two'), 1);
  console.log('once:', await once(em, 'ready'));
  setTimeout(() => em.emit('error', new Error('once-err')), 1);
  try { await once(em, 'never'); } catch (err) { console.log('once rejected:', err.message); }
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 1);
  try { await once(em, 'never', { signal: ac.signal }); } catch (err) { console.log(err.name, err.message, err.code, err.cause && err.cause.name); }
  const et2 = new EventTarget();
  setTimeout(() => et2.dispatchEvent(new Event('ping')), 1);
  const [ev] = await once(et2, 'ping');
  console.log('et once:', ev.type, ev instanceof Event);
  const g = new EventEmitter();
  setTimeout(() => { g.emit('d', 1); g.emit('d', 2, 3); g.emit('end'); }, 1);
  for await (const v of on(g, 'd', { close: ['end'] })) console.log('on:', v);
  const g2 = new EventEmitter();
  setTimeout(() => { g2.emit('d', 'a'); g2.emit('error', new Error('iter-err')); }, 1);
  try { for await (const v of on(g2, 'd')) console.log('on2:', v); } catch (err) { console.log('on2 error:', err.message); }
  const cr = new EventEmitter({ captureRejections: true });
  cr.on('ev', async () => { throw new Error('async boom'); });
  cr.on('error', (err) => console.log('captured:', err.message));
  cr.emit('ev');
  await new Promise((r) => setTimeout(r, 5));
  const ac2 = new AbortController();
  let aborted = 0;
  const disp = addAbortListener(ac2.signal, () => aborted++);
  ac2.abort();
  console.log('abort listener called', aborted, typeof disp);
  console.log(util.inspect(new EventEmitter(), { showHidden: false }));
})();
