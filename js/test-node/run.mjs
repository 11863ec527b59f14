// test-node/run.mjs — differential tests of js/node/ against host Node.
//
// js/node/ is bundled once with esbuild as js/build.mjs bundles it (same
// aliases and plugin, platform neutral, format cjs, target chrome102,
// keepNames) behind prelude.js. Each program in cases/ (plain Node code
// that requires builtins) runs twice: under host `node` (expected), and
// under host node via runner.js, which loads the bundle with the fake
// binding and answers the program's require() of builtin names with the
// bundle's modules (actual). The program itself is not bundled, so its
// source text is untouched. stdout must match byte for byte.
// `node run.mjs [name-filter] [--no-natives] [--stderr]`; --stderr compares
// stderr too. The bundle is written to test-node/out/bundle.js.
import * as esbuild from '../node_modules/esbuild/lib/main.js';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { nodeAliases, polyfillPlugin, MODULES } = require('../node/internal/build-support.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const casesDir = path.join(here, 'cases');
const outDir = path.join(here, 'out');
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const filters = args.filter((a) => !a.startsWith('--'));
const noNatives = flags.has('--no-natives');

fs.mkdirSync(outDir, { recursive: true });

const env = { PATH: process.env.PATH, TZ: 'UTC', LANG: 'C.UTF-8', HOME: process.env.HOME, NODE_DEBUG: 'mymod,other*' };

// stderr carries stack frames and pids that legitimately differ.
function normalizeStderr(buf) {
  return Buffer.from(buf.toString('utf8').split('\n').filter((l) => !l.startsWith('    at '))
    .map((l) => l.replace(/\(node:\d+\)/g, '(node:PID)').replace(/^([A-Z]+) \d+: /, '$1 PID: ')).join('\n'));
}

export async function bundle(outfile, extra = {}) {
  const names = Object.keys(MODULES);
  const contents = `require(${JSON.stringify(path.join(here, 'prelude.js'))});\n` +
    `globalThis.__seModules = {\n${names.map((n) => `  ${JSON.stringify(n)}: require(${JSON.stringify(n)}),`).join('\n')}\n};\n`;
  await esbuild.build({
    stdin: { contents, resolveDir: here, sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    outfile,
    platform: 'neutral',
    format: 'cjs',
    target: 'chrome102',
    mainFields: ['main'],
    keepNames: true,
    alias: { ...nodeAliases(), process: path.join(here, 'fake-process.js') },
    external: ['async_hooks'],
    plugins: [polyfillPlugin()],
    logLevel: 'warning',
    ...extra,
  });
}

function run(argv) {
  const r = spawnSync(process.execPath, argv, {
    cwd: casesDir, env, encoding: 'buffer', timeout: 120000, maxBuffer: 256 * 1024 * 1024,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function allDiffs(a, b) {
  const la = a.toString('utf8').split('\n');
  const lb = b.toString('utf8').split('\n');
  const out = [];
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) out.push(`  line ${i + 1}:\n    expected ${JSON.stringify(la[i])}\n    actual   ${JSON.stringify(lb[i])}`);
  }
  return out.join('\n');
}

function firstDiff(a, b) {
  if (flags.has('--all')) return allDiffs(a, b);
  const la = a.toString('utf8').split('\n');
  const lb = b.toString('utf8').split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) {
      const from = Math.max(0, i - 2);
      return [
        `  at line ${i + 1}:`,
        ...la.slice(from, i + 3).map((l, k) => `    expected${from + k === i ? '>' : ' '} ${JSON.stringify(l)}`),
        ...lb.slice(from, i + 3).map((l, k) => `    actual  ${from + k === i ? '>' : ' '} ${JSON.stringify(l)}`),
      ].join('\n');
    }
  }
  return '  (same lines, different bytes)';
}

const cases = fs.readdirSync(casesDir).filter((f) => f.endsWith('.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();

let failed = 0;
const outfile = path.join(outDir, 'bundle.js');
await bundle(outfile);
for (const name of cases) {
  const file = path.join(casesDir, name);
  const expected = run([file]);
  const actual = run(['--expose-internals', path.join(here, 'runner.js'), outfile, file,
    ...(noNatives ? ['--no-natives'] : [])]);
  const problems = [];
  if (!expected.stdout.equals(actual.stdout)) problems.push(`stdout differs\n${firstDiff(expected.stdout, actual.stdout)}`);
  if (flags.has('--stderr') && !normalizeStderr(expected.stderr).equals(normalizeStderr(actual.stderr))) {
    problems.push(`stderr differs\n${firstDiff(normalizeStderr(expected.stderr), normalizeStderr(actual.stderr))}`);
  }
  if (expected.status !== actual.status) problems.push(`exit ${expected.status} vs ${actual.status}`);
  if (actual.stderr.length > 0 && !flags.has('--stderr') && expected.stderr.length === 0) {
    problems.push(`unexpected stderr:\n${actual.stderr.toString().split('\n').slice(0, 12).join('\n')}`);
  }
  if (problems.length > 0) {
    failed++;
    console.log(`FAIL ${name}: ${problems.join('\n')}`);
  } else {
    console.log(`ok   ${name}`);
  }
}
console.log(`${cases.length - failed}/${cases.length} passed`);
process.exitCode = failed > 0 ? 1 : 0;
