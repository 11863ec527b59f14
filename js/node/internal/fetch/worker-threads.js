'use strict';
// What undici takes from node:worker_threads (its bundle only): MessagePort,
// for WebIDL checks of MessageEvent's `ports` (the sandbox has no ports, so
// none passes), and no markAsUncloneable (undici then marks nothing).

class MessagePort extends EventTarget {
  constructor() {
    throw require('../errors').codes.ERR_ILLEGAL_CONSTRUCTOR();
  }
}

module.exports = { MessagePort, markAsUncloneable: undefined };
