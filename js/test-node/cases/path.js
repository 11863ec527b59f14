'use strict';
const path = require('path');

const inputs = ['', '.', '..', '/', '//', '///', 'a', 'a/', '/a', '/a/', 'a/b', 'a//b', '/a/b/', './a', '../a', 'a/../b', 'a/./b', '/..', '/../a',
  'a/b/../../..', 'foo.txt', '.bashrc', 'a.b.c', 'a.', '..a', '...', 'a/.b', 'dir/file.tar.gz', '/x/y/z.js/', 'C:', 'C:\\', 'C:\\a\\b', 'C:a',
  'c:/x/y', '\\', '\\\\', '\\\\server', '\\\\server\\share', '\\\\server\\share\\', '\\\\server\\share\\dir\\f.txt', '//server/share/x', '\\\\?\\C:\\x',
  '\\\\.\\pipe\\x', 'a\\b', 'a\\..\\..\\b', '\\a\\b\\', 'C:\\..\\x', 'C:..\\x', 'C:\\a\\..', 'file:stream', 'CON', 'CON:', 'a/CON:b', 'COM1:x',
  '/a/b/c/d', 'C:\\Users\\x\\..\\y', '\\\\srv\\sh\\a\\..\\..', '///a', '\\\\\\a', 'C:\\\\a', '.\\a', 'a:b', '1:', '..\\a', 'a\\', 'a/b\\c'];
for (const style of ['posix', 'win32']) {
  const p = path[style];
  for (const fn of ['normalize', 'isAbsolute', 'dirname', 'basename', 'extname', 'parse', 'toNamespacedPath']) {
    const out = inputs.map((i) => { try { return JSON.stringify(p[fn](i)); } catch (e) { return `throws ${e.code}`; } });
    console.log(style, fn, out.join(' '));
  }
  for (const [x, y] of [['a.js', '.js'], ['a.js', 'js'], ['a.js', 'a.js'], ['/a/b.js/', '.js'], ['x', ''], ['.js', '.js'], ['C:a.JS', '.js'], ['a.JS', '.JS']]) {
    console.log(style, 'basename', x, y, JSON.stringify(p.basename(x, y)));
  }
  const pairs = [['a', 'b'], ['/a', 'b'], ['/a', '/b'], ['a/', '../b'], ['', ''], ['/a/b', '../../..'], ['C:\\a', 'b'], ['C:\\a', 'D:\\b'], ['C:a', 'b'],
    ['\\\\s\\sh', 'x'], ['a', '\\\\s\\sh\\y'], ['/', ''], ['//', 'a'], ['\\\\', 'a'], ['a', '//b'], ['\\\\\\a', 'b'], ['x', 'C:'], ['C:', 'x']];
  for (const [x, y] of pairs) {
    console.log(style, 'join', JSON.stringify([x, y]), JSON.stringify(p.join(x, y)));
    console.log(style, 'resolve', JSON.stringify([x, y]), JSON.stringify(p.resolve(x, y).replace(process.cwd(), '<cwd>').replace(process.cwd().replace(/\//g, '\\'), '<wcwd>')));
  }
  const rel = [['/a/b/c', '/a/d'], ['/a/b', '/a/b/c/d'], ['/a/b/c', '/a'], ['/', '/a'], ['/a', '/'], ['a', 'b'], ['/a/b', '/a/bc'], ['/abc', '/ab'],
    ['C:\\a\\b', 'C:\\a\\c'], ['C:\\a', 'D:\\a'], ['C:\\A\\B', 'c:\\a\\b\\c'], ['C:\\', 'C:\\x'], ['C:\\x', 'C:\\'], ['\\\\s\\sh\\a', '\\\\s\\sh\\b'],
    ['\\\\s\\sh\\a', '\\\\s\\sh2\\b'], ['\\\\s\\sh', '\\\\s\\sh\\x'], ['C:\\a\\b', 'C:\\a\\b'], ['C:\\foo\\bar', 'C:\\foo\\barbaz'], ['', '/x'], ['/x', '']];
  for (const [x, y] of rel) {
    console.log(style, 'relative', JSON.stringify([x, y]), JSON.stringify(p.relative(x, y).replace(process.cwd().slice(1), '<cwd>').replace(process.cwd().slice(1).replace(/\//g, '\\'), '<wcwd>')));
  }
  for (const obj of [{ root: '/', dir: '/a', base: 'b.txt' }, { root: '/', base: 'x' }, { name: 'x', ext: 'js' }, { name: 'x', ext: '.js' }, { dir: 'd', name: 'n' }, { root: 'C:\\', dir: 'C:\\', base: 'x' }, {}]) {
    console.log(style, 'format', JSON.stringify(obj), JSON.stringify(p.format(obj)));
  }
  console.log(style, p.sep, p.delimiter, p.posix === path.posix, p.win32 === path.win32);
}
for (const bad of [[null], [1], [{}]]) {
  for (const fn of ['join', 'resolve', 'normalize', 'basename', 'dirname', 'extname', 'relative']) {
    try { path[fn](...bad, 'x'); console.log(fn, 'no throw'); } catch (e) { console.log(fn, e.code, e.message); }
  }
}
try { path.format('x'); } catch (e) { console.log(e.code, e.message); }
console.log(path === require('path/posix') || 'posix-module-differs', require('path/win32') === path.win32, path._makeLong('x'));
console.log(path.resolve(), path.resolve('') === process.cwd(), path.win32.resolve('C:\\x', 'y', '..\\z'));
