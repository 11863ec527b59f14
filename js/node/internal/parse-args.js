'use strict';
// util.parseArgs: @pkgjs/parseargs 0.11.0 (Node's own implementation,
// published as a package; its errors are ours through the build) plus
// what Node 22 added after it, `allowNegative`: `--no-NAME` sets the
// boolean option NAME to false. The package parses with a stand-in
// boolean option `no-NAME` for each boolean NAME (so its strict checks
// apply as to any boolean), and the values are then stored again from the
// tokens in order, as Node's storeOption does with the prefix dropped.

const { parseArgs: packageParseArgs } = require('@pkgjs/parseargs');
const { validateBoolean } = require('./validators');

const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

function store(values, name, value, multiple) {
  if (name === '__proto__') return;
  if (multiple) {
    if (values[name] === undefined) values[name] = [];
    values[name].push(value);
  } else {
    values[name] = value;
  }
}

function parseArgs(config = {}) {
  const allowNegative = config != null && hasOwn(config, 'allowNegative')
    ? config.allowNegative : false;
  validateBoolean(allowNegative, 'allowNegative');
  if (!allowNegative) return packageParseArgs(config);

  const options = hasOwn(config, 'options') ? config.options : undefined;
  if (options === null || typeof options !== 'object') return packageParseArgs(config);
  const negated = new Map(); // 'no-NAME' -> NAME
  const withNegations = { __proto__: null, ...options };
  for (const [name, opt] of Object.entries(options)) {
    const no = `no-${name}`;
    if (opt !== null && typeof opt === 'object' && opt.type === 'boolean' && !hasOwn(options, no)) {
      negated.set(no, name);
      withNegations[no] = { type: 'boolean', multiple: opt.multiple === true };
    }
  }
  const wantTokens = hasOwn(config, 'tokens') ? config.tokens : false;
  const result = packageParseArgs({ ...config, options: withNegations, tokens: true });

  const values = { __proto__: null };
  for (const token of result.tokens) {
    if (token.kind !== 'option') continue;
    let name = token.name;
    let value = token.value ?? true;
    if (negated.has(name)) {
      name = negated.get(name);
      value = false;
      token.name = name;
    }
    const opt = hasOwn(options, name) ? options[name] : undefined;
    store(values, name, value, opt != null && opt.multiple === true);
  }
  for (const [name, opt] of Object.entries(options)) {
    if (name !== '__proto__' && values[name] === undefined && opt != null &&
        opt.default !== undefined) {
      values[name] = opt.default;
    }
  }
  const out = { values, positionals: result.positionals };
  if (wantTokens) out.tokens = result.tokens;
  return out;
}

module.exports = { parseArgs };
