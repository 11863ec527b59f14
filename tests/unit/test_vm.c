/* tests/unit/test_vm.c — the isolate C API alone: snapshot build and load
 * with a table of our own, native argument and return conversions, refs,
 * exceptions with Node's location header, heap limit, cross-thread
 * termination, and refusal of blobs that do not match. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../isolate/vm.h"
#include "unit.h"

/* ---- a table of test natives ------------------------------------------- */

static void t_add(vm_call_t *c)
{
    vm_ret_num(c, vm_arg_num(c, 0) + vm_arg_num(c, 1));
}

static void t_upper(vm_call_t *c)
{
    size_t n;
    char *s = vm_arg_str(c, 0, &n);
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'a' && s[i] <= 'z')
            s[i] = (char)(s[i] - 32);
    vm_ret_str(c, s, n);
    free(s);
}

/* sum of bytes of a Uint8Array, returned as a new 1-byte array taken from C */
static void t_bytes(vm_call_t *c)
{
    uint8_t *p;
    size_t n;
    if (vm_arg_bytes(c, 0, &p, &n) < 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "want bytes, got type %d",
                  (int)vm_arg_type(c, 0));
        return;
    }
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += p[i];
    uint8_t *out = malloc(1);
    out[0] = (uint8_t)sum;
    vm_ret_bytes_take(c, out, 1);
}

static void t_fail(vm_call_t *c)
{
    vm_error_t e = {.message = "ENOENT: no such file or directory, open '/nope'",
                    .code = "ENOENT",
                    .errnum = -2,
                    .syscall = "open",
                    .path = "/nope"};
    vm_throw(c, &e);
}

/* Handles: type A carries a number; every free is counted. */
static int handles_made, handles_freed;
static void t_handle_free(void *p)
{
    handles_freed++;
    free(p);
}
static const vm_handle_type_t t_type_a = {"A", t_handle_free}, t_type_b = {"B", t_handle_free};

static void t_hnew(vm_call_t *c)
{
    double *p = malloc(sizeof *p);
    *p = vm_arg_num(c, 0);
    handles_made++;
    vm_ret_handle(c, &t_type_a, p);
}

static void t_hget(vm_call_t *c)
{
    double *p = vm_arg_handle(c, 0, vm_arg_bool(c, 1) ? &t_type_b : &t_type_a);
    vm_ret_num(c, p ? *p : -1);
}

static void t_hrel(vm_call_t *c)
{
    vm_handle_release(c, 0, &t_type_a);
}

static const vm_native_t t_natives[] = {
    {"hnew", t_hnew, 1, VM_NATIVE_PURE},   {"hget", t_hget, 2, VM_NATIVE_PURE},
    {"hrel", t_hrel, 1, VM_NATIVE_PURE},   {"add", t_add, 2, VM_NATIVE_PURE},
    {"upper", t_upper, 1, VM_NATIVE_PURE}, {"bytes", t_bytes, 1, VM_NATIVE_PURE},
    {"fail", t_fail, 0, VM_NATIVE_PURE},
};
static const vm_table_t t_table = {"t", t_natives, sizeof t_natives / sizeof t_natives[0]};
static const vm_table_t *const t_tables[] = {&vm_v8_table,   &vm_task_table, &vm_esm_table,
                                             &vm_json_table, &t_table,       &vm_contextify_table};
#define T_NTABLES 6
static const vm_table_t *const other_tables[] = {&vm_task_table, &t_table};

/* start(x) runs a snippet chosen by x, seeing the natives as `b`. */
static const char bundle[] =
    "(function () {\n"
    "  const b = globalThis.__se_bridge;\n"
    "  delete globalThis.__se_bridge;\n"
    "  globalThis.bootMarker = b.t.add;\n"
    "  const cases = {\n"
    "    add: () => b.t.add(40, 2),\n"
    "    upper: () => b.t.upper('héllo wörld') === 'HéLLO WöRLD' ? 1 : 0,\n"
    "    bytes: () => b.t.bytes(new Uint8Array([1, 2, 3, 250]))[0],\n"
    "    badbytes: () => b.t.bytes('x'),\n"
    "    fail: () => { try { b.t.fail(); } catch (e) {\n"
    "      return e.code === 'ENOENT' && e.errno === -2 && e.syscall === 'open' &&\n"
    "        e.path === '/nope' && e instanceof Error ? 1 : 0; } },\n"
    "    hidden: () => typeof globalThis.__se_bridge === 'undefined' ? 1 : 0,\n"
    "    throws: () => { throw new RangeError('boom'); },\n"
    "    clone: () => { const m = new Map([[1, {d: new Date(5)}]]); m.set('self', m);\n"
    "      const c = b.util.structuredClone(m);\n"
    "      return c !== m && c.get('self') === c && c.get(1).d.getTime() === 5 ? 1 : 0; },\n"
    "    noclone: () => { try { b.util.structuredClone(() => 1); return 0; }\n"
    "      catch (e) { return e.name === 'DataCloneError' ? 1 : 0; } },\n"
    "    promise: () => { const p = Promise.reject(7); p.catch(() => {});\n"
    "      const d = b.util.getPromiseDetails(p); return d[0] === 2 && d[1] === 7 ? 1 : 0; },\n"
    "    handles: () => { const h = b.t.hnew(7); let n = 0;\n"
    "      if (b.t.hget(h) === 7) n++;\n"
    "      for (const fake of [{}, Object.create(h), new Uint8Array(8), new ArrayBuffer(8),\n"
    "        new DataView(new ArrayBuffer(8)), 7, 'h', null, undefined, () => 1])\n"
    "        if (b.t.hget(fake) === -1) n++;\n"
    "      if (b.t.hget(h, true) === -1) n++;\n"
    "      if (Object.keys(h).length === 0) n++;\n"
    "      b.t.hrel(h); b.t.hrel(h); b.t.hrel({});\n"
    "      if (b.t.hget(h) === -1) n++;\n"
    "      for (let i = 0; i < 20000; i++) b.t.hnew(i);\n"
    "      globalThis.kept = b.t.hnew(99);\n"
    "      return n; },\n"
    "    vmctx: () => { const c = b.contextify; let n = 0;\n"
    "      const g = c.makeContext(undefined, 'x', true, true, false, true);\n"
    "      if (typeof globalThis.bootMarker === 'function') n++;\n"
    "      if (!('bootMarker' in g) && !('__se_bridge' in g) && c.isContext(g)) n++;\n"
    "      const src = 'typeof bootMarker + typeof b + Object.getOwnPropertyNames(globalThis)' +\n"
    "        '.filter((k) => /bridge|binding|Marker/.test(k)).length';\n"
    "      const [s] = c.compile(src, 'x.js', 0, 0, g, 1);\n"
    "      if (c.run(s, g, -1, true, false) === 'undefinedundefined0') n++;\n"
    "      const sb = { a: 1 }; c.makeContext(sb, 'y', true, true, false, false);\n"
    "      const [t] = c.compile('a + 1', 'y.js', 0, 0, undefined, 1);\n"
    "      if (c.run(t, sb, -1, true, false) === 2 && c.isContext(sb) && !c.isContext({})) n++;\n"
    "      for (const bad of [[{}, {}], [t, {}], [7, sb], [t, 'x']])\n"
    "        try { c.run(bad[0], bad[1], -1); } catch (e) { if (e instanceof TypeError) n++; }\n"
    "      return n; },\n"
    "    hog: () => { const a = []; for (;;) a.push(new Array(1e5).fill(1)); },\n"
    "    spin: () => { for (;;) {} },\n"
    "    esm: () => { const e = b.esm;\n"
    "      const [a, ra] = e.compile(\"import d, { x } from 'dep';\\n\" +\n"
    "        'export const y = d + x + import.meta.tag;', 'file:///a.mjs');\n"
    "      const s = e.synthetic('syn:dep', ['default', 'x'], () => ({ default: 40, x: 1 }));\n"
    "      e.setHandlers((spec) => Promise.resolve(spec), (id, meta) => { meta.tag = 1; });\n"
    "      if (ra.length !== 1 || ra[0][0] !== 'dep') return 0;\n"
    "      e.link(a, [s]); e.instantiate(a); e.evaluate(a);\n"
    "      return e.namespace(a).y === 42 && e.status(a) === 4 && !e.isGraphAsync(a) ? 1 : 0; },\n"
    "    esmbad: () => { const e = b.esm; let n = 0;\n"
    "      for (const id of [0, -1, 1e9, 'x', 1.5, undefined])\n"
    "        try { e.status(id); } catch (err) { if (err instanceof TypeError) n++; }\n"
    "      const [u] = e.compile(\"import 'nowhere';\", 'file:///u.mjs');\n"
    "      try { e.link(u, []); } catch { n++; }\n"
    "      try { e.instantiate(u); } catch { n++; }\n"
    "      try { e.evaluate(u); } catch { n++; }\n"
    "      try { e.compile('export {', 'file:///bad.mjs'); }\n"
    "      catch (err) { if (err instanceof SyntaxError) n++; }\n"
    "      try { e.synthetic('s', [1], () => ({})); } catch { n++; }\n"
    "      try { e.setHandlers(1, 2); } catch { n++; }\n"
    "      return n; },\n"
    "    json: () => { const j = b.json; j.keepBuiltin(JSON.parse); const P = j.parse; let n = 0;\n"
    "      const a = P('{\"k\":\"abc\",\"n\":[1,2]}'), c = P('{\"k\":\"xyz\",\"n\":[3,4]}');\n"
    "      if (a.k === 'abc' && a.n[1] === 2 && c.k === 'xyz' && c.n[0] === 3) n++;\n"
    "      const rows = Array.from({ length: 500 }, (_, i) => ({ i, s: 'v' + i }));\n"
    "      const big = JSON.stringify(rows);\n"
    "      const x = P(big), y = P(big.replace(/v/g, 'w'));\n"
    "      if (x.length === 500 && x[499].s === 'v499' && y[499].s === 'w499') n++;\n"
    "      try { P('{\"a\":'); } catch (e) {\n"
    "        const frame = /at (JSON[.])?parse [(]<anonymous>[)]/;\n"
    "        if (e instanceof SyntaxError && frame.test(e.stack)) n++; }\n"
    "      const r = P('[1,[2,3]]', (k, v) => typeof v === 'number' ? v * 2 : v);\n"
    "      if (r[1][1] === 6) n++;\n"
    "      if (P('\"h\\u00e9\u20ac\"') === 'h\u00e9\u20ac') n++;\n"
    "      if (P({ toString() { return '7'; } }) === 7) n++;\n"
    "      try { P(Symbol()); } catch (e) { if (e instanceof TypeError) n++; }\n"
    "      const keep = [];\n"
    "      for (let i = 0; i < 2000; i++)\n"
    "        keep.push(P('{\"v\":' + (i % 10) + ',\"s\":\"s' + (i % 10) + '\"}'));\n"
    "      if (keep.every((o, i) => o.v === i % 10 && o.s === 's' + (i % 10))) n++;\n"
    "      return n; },\n"
    "    jsonmem: () => { const j = b.json; j.keepBuiltin(JSON.parse); const P = j.parse;\n"
    "      let sum = 0;\n"
    "      for (let i = 0; i < 300; i++) sum += P('[' + '1,'.repeat(40000 + i) + '1]').length;\n"
    "      return sum === 300 * 40001 + 44850 ? b.util.heapStatistics()[13] : -1; },\n"
    "    zerofill: () => { const sw = b.util.zeroFillSwitch();\n"
    "      if (!(sw instanceof Uint32Array) || sw[0] !== 1) return -1;\n"
    "      let bad = 0, reused = 0;\n"
    "      for (let round = 0; round < 300; round++) {\n"
    "        sw[0] = 0; const u = new Uint8Array(65536); sw[0] = 1;\n"
    "        if (u[0] === 0x5a) reused++;\n"
    "        for (let i = 0; i < u.length; i++)\n"
    "          if (u[i] !== 0 && u[i] !== 0x5a) { bad++; break; }\n"
    "        u.fill(0x5a);\n"
    "        const z = new Uint8Array(65536);\n"
    "        for (let i = 0; i < z.length; i++) if (z[i] !== 0) { bad++; break; }\n"
    "        for (let k = 0; k < 8; k++) new Uint8Array(65536).fill(0x5a);\n"
    "      }\n"
    "      return bad ? -bad : reused; },\n"
    "  };\n"
    "  return function start(name) { return cases[name](); };\n"
    "})()\n";

static uint8_t *blob;
static size_t blob_len;

static void build_blob(void)
{
    char *err = NULL;
    int r = vm_snapshot_build(t_tables, T_NTABLES, bundle, sizeof bundle - 1, "test-bundle", &blob,
                              &blob_len, &err);
    ck_assert_msg(r == 0, "snapshot: %s", err ? err : "?");
    ck_assert_uint_gt(blob_len, 1000);
}

static void setup(void)
{
    unit_v8_setup();
    build_blob();
}

static void teardown(void)
{
    free(blob);
    blob = NULL;
}

static vm_t *new_vm(size_t heap_mb)
{
    vm_options_t o = {.tables = t_tables,
                      .ntables = T_NTABLES,
                      .snapshot = blob,
                      .snapshot_len = blob_len,
                      .heap_limit_mb = heap_mb};
    vm_t *vm = NULL;
    char *err = NULL;
    int r = vm_new(&o, &vm, &err);
    ck_assert_msg(r == 0, "vm_new: %s", err ? err : "?");
    return vm;
}

/* Runs case `name`; returns the status and the numeric result. */
static int run_case(vm_t *vm, const char *name, double *out)
{
    vm_val_t arg = VM_STR(name, strlen(name));
    vm_ref_t res = 0;
    int st = vm_call(vm, vm_start_fn(vm), 1, &arg, &res);
    if (out)
        *out = vm_ref_number(vm, res, -1);
    vm_ref_free(vm, res);
    return st;
}

START_TEST(natives_round_trip)
{
    vm_t *vm = new_vm(0);
    double v;
    ck_assert_int_eq(run_case(vm, "add", &v), VM_OK);
    ck_assert(v == 42);
    ck_assert_int_eq(run_case(vm, "upper", &v), VM_OK);
    ck_assert(v == 1);
    ck_assert_int_eq(run_case(vm, "bytes", &v), VM_OK);
    ck_assert(v == (double)((1 + 2 + 3 + 250) & 0xff));
    ck_assert_int_eq(run_case(vm, "fail", &v), VM_OK);
    ck_assert(v == 1);
    ck_assert_int_eq(run_case(vm, "hidden", &v), VM_OK);
    ck_assert(v == 1);
    vm_free(vm);
}
END_TEST

START_TEST(v8_natives)
{
    vm_t *vm = new_vm(0);
    double v;
    ck_assert_int_eq(run_case(vm, "clone", &v), VM_OK);
    ck_assert(v == 1);
    ck_assert_int_eq(run_case(vm, "noclone", &v), VM_OK);
    ck_assert(v == 1);
    ck_assert_int_eq(run_case(vm, "promise", &v), VM_OK);
    ck_assert(v == 1);
    ck_assert_int_eq(run_case(vm, "esm", &v), VM_OK);
    ck_assert(v == 1);
    ck_assert_int_eq(run_case(vm, "json", &v), VM_OK);
    ck_assert_msg(v == 8, "JSON.parse checks passed: %g of 8", v);
    /* the parses' external strings are the vm's few, not one per parse */
    ck_assert_int_eq(run_case(vm, "jsonmem", &v), VM_OK);
    ck_assert_msg(v >= 0 && v < 2 * 1024 * 1024, "external memory after 300 parses: %g", v);
    ck_assert_int_eq(run_case(vm, "esmbad", &v), VM_OK);
    ck_assert_msg(v == 12, "bad module calls refused: %g of 12", v);
    handles_made = handles_freed = 0;
    ck_assert_int_eq(run_case(vm, "vmctx", &v), VM_OK);
    ck_assert(v == 8); /* a new context has none of the snapshot's globals */
    ck_assert_int_eq(run_case(vm, "handles", &v), VM_OK);
    ck_assert_msg(v == 14, "handle checks passed: %g of 14", v);
    ck_assert_int_ge(handles_freed, 1); /* the released one, once */
    ck_assert_int_lt(handles_freed, handles_made);
    vm_heap_stats_t hs;
    vm_heap_stats(vm, &hs);
    ck_assert(hs.used > 0 && hs.total >= hs.used);
    vm_free(vm);
    /* whatever the GC left, vm_free freed: every handle exactly once */
    ck_assert_int_eq(handles_freed, handles_made);
}
END_TEST

START_TEST(exception_with_header)
{
    vm_t *vm = new_vm(0);
    ck_assert_int_eq(run_case(vm, "throws", NULL), VM_THREW);
    vm_ref_t exc = 0;
    char *header = NULL;
    vm_take_exception(vm, &exc, &header);
    ck_assert_uint_ne(exc, 0);
    ck_assert_ptr_nonnull(header);
    ck_assert_msg(strstr(header, "test-bundle:") == header, "header: %s", header);
    ck_assert_msg(strstr(header, "throw new RangeError('boom')") != NULL, "header: %s", header);
    ck_assert_msg(strstr(header, "^") != NULL, "header: %s", header);
    free(header);
    vm_ref_free(vm, exc);
    /* a thrown native error is a JS exception, not a crash */
    ck_assert_int_eq(run_case(vm, "badbytes", NULL), VM_THREW);
    vm_take_exception(vm, &exc, &header);
    free(header);
    vm_ref_free(vm, exc);
    /* the vm is still usable afterwards */
    double v;
    ck_assert_int_eq(run_case(vm, "add", &v), VM_OK);
    ck_assert(v == 42);
    vm_free(vm);
}
END_TEST

/* Backing stores the guest freed come back unzeroed only with the switch
 * off; with it on (always, but for Buffer.allocUnsafe) they are zeroed. */
START_TEST(zero_fill_switch)
{
    vm_t *vm = new_vm(16);
    double v;
    ck_assert_int_eq(run_case(vm, "zerofill", &v), VM_OK);
    ck_assert_msg(v >= 1, "zero-fill: %g (negative: arrays with foreign bytes; 0: none reused)", v);
    vm_free(vm);
}
END_TEST

START_TEST(heap_limit_terminates)
{
    vm_t *vm = new_vm(16);
    ck_assert_int_eq(run_case(vm, "hog", NULL), VM_TERMINATED);
    ck_assert_int_eq(vm_limit(vm), VM_LIMIT_MEMORY);
    /* sticky: nothing runs after a limit */
    ck_assert_int_eq(run_case(vm, "add", NULL), VM_TERMINATED);
    vm_free(vm);
}
END_TEST

static void *terminator(void *arg)
{
    usleep(100 * 1000);
    vm_terminate(arg, VM_LIMIT_TIME);
    return NULL;
}

START_TEST(terminate_from_thread)
{
    vm_t *vm = new_vm(0);
    pthread_t th;
    pthread_create(&th, NULL, terminator, vm);
    ck_assert_int_eq(run_case(vm, "spin", NULL), VM_TERMINATED);
    pthread_join(th, NULL);
    ck_assert_int_eq(vm_limit(vm), VM_LIMIT_TIME);
    vm_free(vm);
}
END_TEST

START_TEST(mismatched_tables_refused)
{
    vm_options_t o = {
        .tables = other_tables, .ntables = 2, .snapshot = blob, .snapshot_len = blob_len};
    vm_t *vm = NULL;
    char *err = NULL;
    ck_assert_int_lt(vm_new(&o, &vm, &err), 0);
    ck_assert_ptr_null(vm);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "does not match") != NULL, "%s", err);
    free(err);
}
END_TEST

START_TEST(garbage_blob_refused)
{
    uint8_t junk[4096];
    memset(junk, 0x5a, sizeof junk);
    const uint8_t *cases[] = {junk, blob};
    size_t lens[] = {sizeof junk, 10};
    for (int i = 0; i < 2; i++) {
        vm_options_t o = {.tables = t_tables,
                          .ntables = T_NTABLES,
                          .snapshot = cases[i],
                          .snapshot_len = lens[i]};
        vm_t *vm = NULL;
        char *err = NULL;
        ck_assert_int_lt(vm_new(&o, &vm, &err), 0);
        ck_assert_ptr_nonnull(err);
        free(err);
    }
    /* truncated: header claims more data than there is */
    vm_options_t o = {
        .tables = t_tables, .ntables = T_NTABLES, .snapshot = blob, .snapshot_len = blob_len - 1};
    vm_t *vm = NULL;
    char *err = NULL;
    ck_assert_int_lt(vm_new(&o, &vm, &err), 0);
    free(err);
}
END_TEST

START_TEST(bundle_errors_reported)
{
    uint8_t *b2 = NULL;
    size_t n2 = 0;
    char *err = NULL;
    const char *bad = "(function(){ throw new Error('nope at build') })()";
    ck_assert_int_lt(
        vm_snapshot_build(t_tables, T_NTABLES, bad, strlen(bad), "bad-bundle", &b2, &n2, &err), 0);
    ck_assert_msg(err && strstr(err, "nope at build"), "%s", err ? err : "(null)");
    free(err);
    err = NULL;
    const char *notfn = "42";
    ck_assert_int_lt(
        vm_snapshot_build(t_tables, T_NTABLES, notfn, strlen(notfn), "nf", &b2, &n2, &err), 0);
    ck_assert_msg(err && strstr(err, "start function"), "%s", err ? err : "(null)");
    free(err);
}
END_TEST

Suite *vm_suite(void)
{
    Suite *s = suite_create("vm");
    TCase *tc = tcase_create("isolate");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, natives_round_trip);
    tcase_add_test(tc, v8_natives);
    tcase_add_test(tc, exception_with_header);
    tcase_add_test(tc, zero_fill_switch);
    tcase_add_test(tc, heap_limit_terminates);
    tcase_add_test(tc, terminate_from_thread);
    tcase_add_test(tc, mismatched_tables_refused);
    tcase_add_test(tc, garbage_blob_refused);
    tcase_add_test(tc, bundle_errors_reported);
    suite_add_tcase(s, tc);
    return s;
}
