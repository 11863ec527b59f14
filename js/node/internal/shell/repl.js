'use strict';
// node/internal/shell/repl.js — the guest's side of the operator shell
// (`secure-exec-launch shell`; bridge/shell.c, launcher/shell.c).
//
// The supervisor owns the terminal: it edits the lines, keeps the history
// and runs the operator's own commands (.perms, .audit, ...). What it sends
// here, one JSON object per line:
//   {t:'eval', code}      a statement (or several lines of one)
//   {t:'complete', line}  the line so far, for Tab
//   {t:'stats'}           this isolate's memory, for .limits
//   {t:'exit'}            Ctrl-D or .exit: the run ends as Node's REPL does
// and what it gets back:
//   {t:'ready'}, {t:'more'} (the statement is not complete yet),
//   {t:'done', out} (out: bytes written to stdout and stderr so far, the
//   statement's output among them), {t:'completions', prefix, list},
//   {t:'stats', ...}.
//
// A statement runs as Node's REPL runs it: a script in the global scope
// (its `let` and `const` stay for the next), its value printed with
// util.inspect (colours on a terminal) and kept in `_`, a thrown value in
// `_error`, `await` at the top level (the declarations it wraps become
// globals), `{ a: 1 }` an object rather than a block, and input that ends
// too early (an open bracket, a template) waiting for more lines. Ctrl-C
// stops a running statement (bridge/shell.c) or gives up waiting on one.
// Bundled lazily (build-support.js): a run that is no shell never compiles
// it, nor acorn, the parser it uses as Node's REPL does.

const acorn = require('acorn');

// What the shell's own work calls, taken when the shell starts (before any
// statement of the guest's): a statement that replaces JSON, Promise or
// their methods changes its own code, not what the shell says to the
// supervisor (which checks every message anyway: launcher/shell.c).
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;
const ReflectApply = Reflect.apply;
const PromiseCtor = Promise;
const PromiseResolve = Promise.resolve;
const PromiseThen = Promise.prototype.then;
const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ObjectGetPrototypeOf = Object.getPrototypeOf;

// A message as its JSON text, built here: JSON.stringify of an object
// would ask Object.prototype.toJSON (the guest's to set); of a string or
// a number it asks nothing. Values: strings, numbers, booleans, arrays of
// strings.
function encode(fields) {
  let text = '{';
  for (let i = 0; i < fields.length; i += 2) {
    const v = fields[i + 1];
    let json;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      json = JSONStringify(v);
    } else {
      json = '[';
      for (let k = 0; k < v.length; k++) json += (k ? ',' : '') + JSONStringify(`${v[k]}`);
      json += ']';
    }
    text += `${i ? ',' : ''}${JSONStringify(fields[i])}:${json}`;
  }
  return `${text}}`;
}

function then(promise, onOk, onErr) {
  return ReflectApply(PromiseThen, promise, [onOk, onErr]);
}

const PARSE = { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: false };

// ---- top-level await -----------------------------------------------------------

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

// Whether node (not inside a function of its own) awaits.
function awaitsAtTop(node) {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(awaitsAtTop);
  if (typeof node.type !== 'string') return false;
  if (FUNCTIONS.has(node.type)) return false;
  if (node.type === 'AwaitExpression') return true;
  if (node.type === 'ForOfStatement' && node.await) return true;
  if (node.type === 'MethodDefinition' || node.type === 'PropertyDefinition' ||
      node.type === 'StaticBlock') {
    return node.computed ? awaitsAtTop(node.key) : false;
  }
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    if (awaitsAtTop(node[key])) return true;
  }
  return false;
}

// The names a binding pattern declares.
function patternNames(p, out) {
  if (!p) return out;
  switch (p.type) {
    case 'Identifier': out.push(p.name); break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern': for (const el of p.elements) patternNames(el, out); break;
    case 'RestElement': patternNames(p.argument, out); break;
    case 'AssignmentPattern': patternNames(p.left, out); break;
    default: break;
  }
  return out;
}

// code with await at its top level, as one async function whose
// declarations are made globals first; its value is the last expression's,
// as { value }. null: nothing to wrap (or code that does not parse so).
function wrapTopLevelAwait(code) {
  const head = '(async () => { ';
  const wrapped = `${head}${code}\n})()`;
  let root;
  try {
    root = acorn.parse(wrapped, PARSE);
  } catch {
    return null;
  }
  const body = root.body[0].expression.callee.body.body;
  if (!awaitsAtTop(body)) return null;
  const lets = [];
  const vars = [];
  const edits = []; // [start, end, text]
  for (const st of body) {
    if (st.type === 'VariableDeclaration') {
      const names = [];
      for (const d of st.declarations) patternNames(d.id, names);
      (st.kind === 'var' ? vars : lets).push(...names);
      const parts = st.declarations.filter((d) => d.init)
        .map((d) => {
          const target = wrapped.slice(d.id.start, d.id.end);
          const init = wrapped.slice(d.init.start, d.init.end);
          return d.id.type === 'Identifier' ? `${target} = ${init}` : `(${target} = ${init})`;
        });
      edits.push([st.start, st.end, parts.length ? `void (${parts.join(', ')});` : ';']);
    } else if (st.type === 'FunctionDeclaration') {
      vars.push(st.id.name);
      edits.push([st.start, st.start, `${st.id.name} = `]);
      edits.push([st.end, st.end, ';']);
    } else if (st.type === 'ClassDeclaration') {
      lets.push(st.id.name);
      edits.push([st.start, st.start, `${st.id.name} = `]);
      edits.push([st.end, st.end, ';']);
    }
  }
  const last = body[body.length - 1];
  if (last && last.type === 'ExpressionStatement') {
    edits.push([last.start, last.start, 'return { value: (']);
    edits.push([last.expression.end, last.expression.end, ') }']);
  }
  let out = wrapped;
  edits.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
  for (const [s, e, text] of edits) out = out.slice(0, s) + text + out.slice(e);
  const decl = (vars.length ? `var ${vars.join(', ')}; ` : '') +
    (lets.length ? `let ${[...new Set(lets)].join(', ')}; ` : '');
  return decl + out;
}

// ---- input that is not over yet ------------------------------------------------

// Whether the SyntaxError of code is its end coming too early: an open
// bracket, string template or comment, more lines may make it whole.
function recoverable(err, code) {
  if (!(err instanceof SyntaxError)) return false;
  try {
    acorn.parse(code, { ...PARSE, allowAwaitOutsideFunction: true });
    return false;
  } catch (e) {
    if (/^Unterminated (template|comment)/.test(e.message)) return true;
    return typeof e.pos === 'number' && e.pos >= code.trimEnd().length &&
      !/^Unterminated string/.test(e.message);
  }
}

// ---- completion ----------------------------------------------------------------

const KEYWORDS = [
  'async', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger',
  'default', 'delete', 'do', 'else', 'export', 'extends', 'false', 'finally', 'for',
  'function', 'if', 'import', 'in', 'instanceof', 'let', 'new', 'null', 'return', 'super',
  'switch', 'this', 'throw', 'true', 'try', 'typeof', 'undefined', 'var', 'void', 'while',
  'with', 'yield',
];

const IDENT = /^[A-Za-z_$][\w$]*$/;

function namesOf(obj) {
  const names = new Set();
  let o = obj;
  for (let depth = 0; o !== null && o !== undefined && depth < 32; depth++) {
    let own;
    try {
      own = ObjectGetOwnPropertyNames(o);
    } catch {
      break;
    }
    for (const n of own) if (IDENT.test(n)) names.add(n);
    try {
      o = ObjectGetPrototypeOf(o);
    } catch {
      break;
    }
  }
  return names;
}

// ---- the loop -----------------------------------------------------------------

function start(env) {
  const { binding, inspect, process } = env;
  const colors = env.colors;
  // attached (serve --debug): the job's own sandbox; what the shell prints
  // goes to the operator over the channel, not into the job's output, and
  // nothing is added to the job's globals before the first statement
  const attached = env.attached === true;
  const memoryUsage = process.memoryUsage.bind(process);
  let globalsSet = false;
  let statement = 0; // the statement being answered: one 'done' each
  let answered = 0;
  let count = 0;
  let busy = false;
  let giveUp = null; // rejects the statement being awaited (Ctrl-C)
  let last;
  let lastError;
  let lastOn = true;
  let lastErrorOn = true;

  function setGlobals() {
    if (globalsSet) return;
    globalsSet = true;
    ObjectDefineProperty(globalThis, '_', {
      configurable: true,
      get: () => last,
      set(value) {
        last = value;
        if (lastOn) {
          lastOn = false;
          print('Expression assignment to _ now disabled.\n');
        }
      },
    });
    ObjectDefineProperty(globalThis, '_error', {
      configurable: true,
      get: () => lastError,
      set(value) {
        lastError = value;
        if (lastErrorOn) {
          lastErrorOn = false;
          print('Expression assignment to _error now disabled.\n');
        }
      },
    });
  }
  if (!attached) setGlobals();

  function send(...fields) {
    binding.shell.send(encode(fields));
  }
  function done() {
    if (answered === statement) return;
    answered = statement;
    send('t', 'done', 'out', attached ? 0 : binding.shell.outputBytes());
  }

  function print(text) {
    if (attached) send('t', 'out', 's', `${text}`);
    else process.stdout.write(text);
  }

  // inspect runs the guest's code (custom inspect functions, getters of a
  // Proxy's handler): where Ctrl-C reaches it
  function inspectStopping(value, opts) {
    try {
      return binding.util.callInterruptible(() => inspect(value, opts));
    } catch (err) {
      if (err && err.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') return '[inspect interrupted]';
      throw err;
    }
  }

  function show(value) {
    print(`${inspectStopping(value, { colors, showProxy: true })}\n`);
  }

  // Node's REPL shows a thrown error without the frames of its own
  // machinery: the statement's frame and what is below it go.
  function report(err) {
    if (lastErrorOn) lastError = err;
    const shown = err;
    if (err instanceof Error && err.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' &&
        typeof err.stack === 'string') {
      // Ctrl-C: where the statement was is of no use (the frames are ours)
      try {
        Object.defineProperty(err, 'stack', {
          value: `${err.name}: ${err.message}`, configurable: true, writable: true,
        });
        delete err.code;
      } catch { /* as it is */ }
    } else if (err instanceof Error && typeof err.stack === 'string') {
      const lines = err.stack.split('\n');
      const at = lines.findIndex((l) => /^\s+at (?:.*\()?REPL\d+:\d+/.test(l));
      if (at > 0) {
        try {
          ObjectDefineProperty(err, 'stack', {
            value: lines.slice(0, at).join('\n'), configurable: true, writable: true,
          });
        } catch { /* a frozen error keeps its stack */ }
      }
    }
    let text;
    try {
      text = inspectStopping(shown, { colors });
    } catch {
      try {
        text = `${shown}`;
      } catch {
        text = '[a thrown value that cannot be shown]';
      }
    }
    // an error with no frames left prints as Node's REPL prints it:
    // without the brackets inspect puts around it
    if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
    print(`Uncaught ${text}\n`);
  }

  function finish(value) {
    if (lastOn) last = value;
    try {
      show(value);
    } catch (err) {
      report(err);
    }
    // a statement whose value is a promise that rejects: told as Node's
    // REPL tells it, never the run's end (an attached job goes on)
    if (value instanceof PromiseCtor) {
      try {
        then(value, undefined, report);
      } catch { /* a promise the guest made unusable */ }
    }
    done();
  }


  function compiles(src) {
    try {
      acorn.parse(src, PARSE);
      return true;
    } catch {
      return false;
    }
  }

  function evaluate(code) {
    if (busy) return;
    statement++;
    setGlobals();
    if (code.trim() === '') {
      done();
      return;
    }
    let src = code;
    // `{ a: 1 }` is an object, not a block (as Node's REPL reads it)
    if (/^\s*\{/.test(code) && !/;\s*$/.test(code) && compiles(`(${code}\n)`)) src = `(${code}\n)`;
    let wrapped = false;
    if (/\bawait\b/.test(src)) {
      const w = wrapTopLevelAwait(src);
      if (w !== null) {
        src = w;
        wrapped = true;
      }
    }
    let value;
    try {
      value = binding.util.runInterruptible(src, `REPL${count + 1}`);
    } catch (err) {
      if (recoverable(err, code)) {
        send('t', 'more');
        return;
      }
      count++;
      report(err);
      done();
      return;
    }
    count++;
    if (!wrapped) {
      finish(value);
      return;
    }
    busy = true;
    const mine = statement;
    const settled = new PromiseCtor((resolve, reject) => {
      giveUp = () => {
        const err = new Error('Script execution interrupted.');
        err.code = 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
        reject(err);
      };
      then(ReflectApply(PromiseResolve, PromiseCtor, [value]), resolve, reject);
    });
    then(settled, (v) => {
      if (mine !== statement) return;
      giveUp = null;
      busy = false;
      finish(v && typeof v === 'object' && 'value' in v ? v.value : undefined);
    }, (err) => {
      if (mine !== statement) return;
      giveUp = null;
      busy = false;
      report(err);
      done();
    });
  }

  function complete(line) {
    const prop = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\.([\w$]*)$/.exec(line);
    let names;
    let prefix;
    if (prop) {
      prefix = prop[2];
      const path = prop[1].split('.');
      let obj;
      try {
        obj = path[0] in globalThis ? globalThis[path[0]] : binding.util.runScript(path[0], 'REPL');
        for (const p of path.slice(1)) obj = obj == null ? undefined : obj[p];
      } catch {
        obj = undefined;
      }
      names = obj === undefined || obj === null ? new Set() : namesOf(Object(obj));
    } else {
      const word = /[A-Za-z_$][\w$]*$/.exec(line);
      prefix = word ? word[0] : '';
      if (!word && line.length && !/[\s([{,;=+\-*/%!&|?:<>^~]$/.test(line)) {
        return { prefix: '', list: [] };
      }
      names = namesOf(globalThis);
      for (const k of KEYWORDS) names.add(k);
    }
    const list = [...names].filter((n) => n.startsWith(prefix) && !n.startsWith('__')).sort();
    return { prefix, list: list.slice(0, 1000) };
  }

  function stats() {
    const m = memoryUsage();
    return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external,
      arrayBuffers: m.arrayBuffers, rss: m.rss };
  }

  function onMessage(line) {
    let m;
    try {
      m = JSONParse(line);
    } catch {
      return;
    }
    if (m === null || typeof m !== 'object') return;
    if (m.t === 'eval' && typeof m.code === 'string') {
      evaluate(m.code);
    } else if (m.t === 'complete' && typeof m.line === 'string') {
      // the names' getters are the guest's code: Ctrl-C stops them too
      let r;
      try {
        r = binding.util.callInterruptible(() => complete(m.line));
      } catch {
        r = { prefix: '', list: [] };
      }
      const list = [];
      try {
        for (let i = 0; i < r.list.length && i < 1000; i++) list[i] = `${r.list[i]}`;
      } catch { /* what it made so far */ }
      send('t', 'completions', 'prefix', `${r.prefix}`, 'list', list);
    } else if (m.t === 'stats') {
      let r;
      try {
        r = stats();
      } catch {
        r = {};
      }
      const fields = ['t', 'stats'];
      for (const k of ['heapUsed', 'heapTotal', 'external', 'arrayBuffers', 'rss']) {
        if (typeof r[k] === 'number') fields.push(k, r[k]);
      }
      send(...fields);
    } else if (m.t === 'exit' && !attached) {
      process.exit();
    }
  }

  function onInterrupt() {
    if (giveUp !== null) giveUp();
  }

  // attached: the channel is open already (bootstrap/main.js), its first
  // message brought this module in
  if (attached) return { onMessage, onInterrupt };
  if (!binding.shell.open(onMessage, onInterrupt, false)) {
    process.stderr.write('shell: no channel to the supervisor\n');
    process.exitCode = 1;
    return undefined;
  }
  // Node's REPL reports an error no statement caught (a timer's throw, a
  // rejection nobody handles) and goes on; a session of its own does the
  // same (an attached job keeps its own handling)
  if (!attached) {
    process.on('uncaughtException', report);
    process.on('unhandledRejection', report);
  }
  send('t', 'ready');
  return undefined;
}

module.exports = { start, wrapTopLevelAwait, recoverable };
