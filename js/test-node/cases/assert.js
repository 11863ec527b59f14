'use strict';
const assert = require('assert');
const util = require('util');

function show(label, fn) {
  try {
    fn();
    console.log(label, 'no throw');
  } catch (e) {
    console.log(`${label}: ${e.name} | ${e.code} | generated=${e.generatedMessage} | op=${e.operator}`);
    console.log(e.message);
    console.log(util.inspect({ actual: e.actual, expected: e.expected }).replace(/\n\s+at .*/g, ''));
  }
}
show('ok-false', () => assert.ok(false));
show('assert-0', () => assert(0));
show('ok-msg', () => assert.ok(false, 'custom message'));
show('ok-undefined', () => assert.ok(undefined));
show('ok-expr', () => assert.ok(1 === 2));
show('equal', () => assert.equal(1, 2));
show('equal-ok', () => assert.equal(1, '1'));
show('notEqual', () => assert.notEqual(1, 1));
show('strictEqual-num', () => assert.strictEqual(1, 2));
show('strictEqual-str', () => assert.strictEqual('hello', 'world'));
show('strictEqual-type', () => assert.strictEqual(1, '1'));
show('strictEqual-multiline', () => assert.strictEqual('a\nb\nc', 'a\nx\nc'));
show('strictEqual-msg', () => assert.strictEqual(1, 2, 'nope'));
show('strictEqual-err-msg', () => assert.strictEqual(1, 2, new TypeError('mine')));
show('notStrictEqual', () => assert.notStrictEqual(5, 5));
show('deepStrictEqual-obj', () => assert.deepStrictEqual({ a: 1, b: 2 }, { a: 1, b: 3 }));
show('deepStrictEqual-arr', () => assert.deepStrictEqual([1, 2, 3], [1, 2, 4]));
show('deepStrictEqual-nested', () => assert.deepStrictEqual({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 3 }] } }));
show('deepStrictEqual-type', () => assert.deepStrictEqual({ a: 1 }, { a: '1' }));
show('deepStrictEqual-ok', () => assert.deepStrictEqual({ a: [1] }, { a: [1] }));
show('deepEqual', () => assert.deepEqual({ a: 1 }, { a: 2 }));
show('deepEqual-loose-ok', () => assert.deepEqual({ a: 1 }, { a: '1' }));
show('notDeepStrictEqual', () => assert.notDeepStrictEqual({ a: 1 }, { a: 1 }));
show('throws-none', () => assert.throws(() => {}));
show('throws-ok', () => assert.throws(() => { throw new TypeError('x'); }, TypeError));
show('throws-wrong', () => assert.throws(() => { throw new TypeError('x'); }, RangeError));
show('throws-regex', () => assert.throws(() => { throw new Error('abc'); }, /xyz/));
show('throws-obj', () => assert.throws(() => { throw new Error('abc'); }, { message: 'def' }));
show('doesNotThrow', () => assert.doesNotThrow(() => { throw new Error('oops'); }));
show('fail', () => assert.fail('boom'));
show('fail-empty', () => assert.fail());
show('ifError', () => assert.ifError(new Error('if error')));
show('ifError-null', () => assert.ifError(null));
show('match', () => assert.match('abc', /x/));
show('doesNotMatch', () => assert.doesNotMatch('abc', /b/));
show('strict-equal', () => assert.strict.equal(1, '1'));
show('strict-deepEqual', () => assert.strict.deepEqual([1], ['1']));
console.log(assert.strict.strict === assert.strict, typeof assert.AssertionError, require('assert/strict') === assert.strict);
const ae = new assert.AssertionError({ actual: 1, expected: 2, operator: 'strictEqual' });
console.log(ae.message, ae.name, ae.code);
(async () => {
  try { await assert.rejects(Promise.resolve(1)); } catch (e) { console.log('rejects:', e.message); }
  try { await assert.doesNotReject(Promise.reject(new Error('r'))); } catch (e) { console.log('doesNotReject:', e.message); }
  await assert.rejects(Promise.reject(new Error('fine')), /fine/);
  console.log('rejects ok');
})();
