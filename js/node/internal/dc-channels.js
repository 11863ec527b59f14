'use strict';
// node/internal/dc-channels.js — the diagnostics_channel channels Node 22
// publishes on itself (http.*, net.*, udp.socket, child_process,
// worker_threads, module.require/module.import), for the modules and the
// loaders that publish them. Nothing is made for a channel nobody
// subscribed to (diagnostics_channel.hasSubscribers(name) looks the name
// up only), so a run without subscribers pays one map lookup per event
// and the startup snapshot holds no channel.

let dc;
function dcModule() {
  if (dc === undefined) dc = require('../diagnostics_channel');
  return dc;
}

// Publishes message() on the named channel if it has subscribers.
function publish(name, message) {
  const m = dcModule();
  if (m.hasSubscribers(name)) m.channel(name).publish(message());
}

const traceEvents = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'];

// The tracing channel `tracing:NAME:*` if one of its channels has
// subscribers, else null.
function tracing(name) {
  const m = dcModule();
  for (const event of traceEvents) {
    if (m.hasSubscribers(`tracing:${name}:${event}`)) return m.tracingChannel(name);
  }
  return null;
}

module.exports = { publish, tracing };
