/* tests/unit/test_http.c — the HTTP/1.1 parser natives (bridge/http.c) from
 * JS: requests and responses, pipelining, bodies cut anywhere, chunked
 * bodies with trailers, upgrades, HEAD, bodies ended by the stream's end,
 * errors and limits, Latin-1 headers, and hostile arguments. */
#include <stdlib.h>
#include <string.h>

#include "../../isolate/vm.h"
#include "unit.h"

extern const vm_table_t br__http_table;

static const vm_table_t *const h_tables[] = {&vm_v8_table, &vm_task_table, &vm_esm_table,
                                             &vm_json_table, &br__http_table};
#define H_NTABLES 5

/* start(name) runs a case with the natives as `h`; it returns 0 when every
 * check held, else the number of the first that did not. */
static const char bundle[] =
    "(function () {\n"
    "  const h = globalThis.__se_bridge.http;\n"
    "  const bytes = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));\n"
    "  const text = (u) => String.fromCharCode(...u);\n"
    "  // Feeds chunks (strings) to a new parser and describes what it said:\n"
    "  // H<ver> <method|status> <url|message> [headers] up ka; B<body>; D[trailers];\n"
    "  // E<code>; N<bytes parsed> for each execute; F for finish().\n"
    "  function feed(kind, chunks, max = 16384, flags = 0, finish = false) {\n"
    "    const p = h.parserNew(kind), out = [];\n"
    "    const take = (ev, chunk) => {\n"
    "      for (let i = 0; i < ev.length;) {\n"
    "        switch (ev[i]) {\n"
    "          case 1: out.push('H' + ev[i + 1] + '.' + ev[i + 2] + ' ' +\n"
    "              (kind === 0 ? ev[i + 4] + ' ' + ev[i + 5] : ev[i + 6] + ' ' + ev[i + 7]) +\n"
    "              ' [' + ev[i + 3].join(',') + '] ' + (ev[i + 8] ? 'up' : '-') + ' ' +\n"
    "              (ev[i + 9] ? 'ka' : '-')); i += 10; break;\n"
    "          case 2: out.push('B' + text(chunk.subarray(ev[i + 1], ev[i + 2]))); i += 3; break;\n"
    "          case 3: out.push('D[' + ev[i + 1].join(',') + ']'); i += 2; break;\n"
    "          case 4: out.push('E' + ev[i + 1] + '@' + ev[i + 3]); i += 4; break;\n"
    "          case 5: out.push('N' + ev[i + 1]); i += 2; break;\n"
    "          case 6: i += 1; break; // a message's first byte\n"
    "          default: throw new Error('bad event ' + ev[i]);\n"
    "        }\n"
    "      }\n"
    "    };\n"
    "    for (const c of chunks) { const u = bytes(c); take(h.parserExecute(p, u, max, flags), u); "
    "}\n"
    "    if (finish) { out.push('F'); take(h.parserFinish(p), new Uint8Array(0)); }\n"
    "    h.parserClose(p);\n"
    "    return (lastOut = out.join('|'));\n"
    "  }\n"
    "  let lastOut = '';\n"
    "  function check(list) {\n"
    "    for (let i = 0; i < list.length; i++) if (!list[i]()) return i + 1;\n"
    "    return 0;\n"
    "  }\n"
    "  const get = 'GET /a?b HTTP/1.1\\r\\nHost: x\\r\\nX-A: 1\\r\\n\\r\\n';\n"
    "  const cases = {\n"
    "    request: () => check([\n"
    "      () => feed(0, [get]) === 'H1.1 GET /a?b [Host,x,X-A,1] - ka|D[]|N' + get.length,\n"
    "      // two in one chunk, the second HTTP/1.0 without keep-alive\n"
    "      () => feed(0, [get + 'GET /c HTTP/1.0\\r\\n\\r\\n']) ===\n"
    "        'H1.1 GET /a?b [Host,x,X-A,1] - ka|D[]|H1.0 GET /c [] - -|D[]|N' + (get.length + "
    "19),\n"
    "      // cut at every byte: the same message\n"
    "      () => feed(0, get.split('')).split('|').filter((x) => x !== 'N1').join('|') ===\n"
    "        'H1.1 GET /a?b [Host,x,X-A,1] - ka|D[]',\n"
    "      // a body by Content-Length, cut inside it\n"
    "      () => feed(0, ['POST / HTTP/1.1\\r\\nContent-Length: 5\\r\\n\\r\\nhe', 'llo']) ===\n"
    "        'H1.1 POST / [Content-Length,5] - ka|Bhe|N40|Bllo|D[]|N3',\n"
    "      // a name with an empty value, and Latin-1 bytes\n"
    "      () => feed(0, ['GET / HTTP/1.1\\r\\nX-E:\\r\\nX-L: caf\\xe9\\r\\n\\r\\n']).startsWith(\n"
    "        'H1.1 GET / [X-E,,X-L,caf\\u00e9] - ka|D[]'),\n"
    "    ]),\n"
    "    response: () => check([\n"
    "      () => feed(1, ['HTTP/1.1 200 OK\\r\\nTransfer-Encoding: "
    "chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n',\n"
    "                     '0\\r\\nX-T: 9\\r\\n\\r\\n']) ===\n"
    "        'H1.1 200 OK [Transfer-Encoding,chunked] - ka|Bhello|N57|D[X-T,9]|N13',\n"
    "      // HEAD: no body is waited for\n"
    "      () => feed(1, ['HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\n'], 16384, 1) ===\n"
    "        'H1.1 200 OK [Content-Length,5] - ka|D[]|N38',\n"
    "      // a body ended by the stream's end\n"
    "      () => feed(1, ['HTTP/1.0 200 OK\\r\\n\\r\\nabc'], 16384, 0, true) ===\n"
    "        'H1.0 200 OK [] - -|Babc|N22|F|D[]|N0',\n"
    "      // a 100 Continue, then the answer\n"
    "      () => feed(1, ['HTTP/1.1 100 Continue\\r\\n\\r\\nHTTP/1.1 204 No Content\\r\\n\\r\\n']) "
    "===\n"
    "        'H1.1 100 Continue [] - ka|D[]|H1.1 204 No Content [] - ka|D[]|N52',\n"
    "      // the stream ends inside a body of known length: an error\n"
    "      () => /^H.*\\|Bab\\|N\\d+\\|F\\|EHPE_INVALID_EOF_STATE@\\d\\|N\\d$/.test(\n"
    "        feed(1, ['HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nab'], 16384, 0, true)),\n"
    "    ]),\n"
    "    upgrade: () => check([\n"
    "      () => feed(0, ['GET /ws HTTP/1.1\\r\\nUpgrade: websocket\\r\\nConnection: "
    "Upgrade\\r\\n\\r\\nRAW']) ===\n"
    "        'H1.1 GET /ws [Upgrade,websocket,Connection,Upgrade] up ka|D[]|N61',\n"
    "      () => feed(0, ['CONNECT h:1 HTTP/1.1\\r\\n\\r\\nxyz']) === 'H1.1 CONNECT h:1 [] up "
    "ka|D[]|N24',\n"
    "      () => feed(1, ['HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: x\\r\\nConnection: "
    "upgrade\\r\\n\\r\\nzz']) ===\n"
    "        'H1.1 101 Switching Protocols [Upgrade,x,Connection,upgrade] up ka|D[]|N69',\n"
    "    ]),\n"
    "    errors: () => check([\n"
    "      () => /^EHPE_[A-Z_]+@\\d+\\|N\\d+$/.test(feed(0, ['GET / HTTP/1.1\\r\\nBad "
    "Header\\r\\n\\r\\n'])),\n"
    "      () => /^EHPE_INVALID_METHOD@0\\|N0$/.test(feed(0, ['\\x01\\x02 / "
    "HTTP/1.1\\r\\n\\r\\n'])),\n"
    "      // a good message before a bad one is still told\n"
    "      () => /^H1.1 GET \\/a\\?b .*\\|D\\[\\]\\|EHPE_[A-Z_]+@\\d+\\|N\\d+$/.test(feed(0, [get "
    "+ 'xx\\r\\n\\r\\n'])),\n"
    "      // the guest's header limit\n"
    "      () => /^EHPE_HEADER_OVERFLOW@\\d+\\|N\\d+$/.test(\n"
    "        feed(0, ['GET / HTTP/1.1\\r\\nX: ' + 'a'.repeat(200) + '\\r\\n\\r\\n'], 100)),\n"
    "      () => feed(0, ['GET / HTTP/1.1\\r\\nX: ' + 'a'.repeat(200) + '\\r\\n\\r\\n'], "
    "300).startsWith('H1.1'),\n"
    "      // a failed parser stays failed\n"
    "      () => { const p = h.parserNew(0); h.parserExecute(p, bytes('BAD\\x01\\r\\n'), 100, 0);\n"
    "              const ev = h.parserExecute(p, bytes(get), 100, 0); h.parserClose(p); return "
    "ev[0] === 4; },\n"
    "      // reset makes it new\n"
    "      () => { const p = h.parserNew(0); h.parserExecute(p, bytes('BAD\\x01\\r\\n'), 100, 0);\n"
    "              h.parserReset(p, 1); const ev = h.parserExecute(p, bytes('HTTP/1.1 200 "
    "OK\\r\\n\\r\\n'), 100, 0);\n"
    "              h.parserClose(p); const k = ev[0] === 6 ? 1 : 0; // after its BEGIN\n"
    "              return ev[k] === 1 && ev[k + 6] === 200; },\n"
    "    ]),\n"
    "    pipelined: () => { // 5000 requests in one chunk: answered in parts, none lost\n"
    "      const one = 'GET / HTTP/1.1\\r\\n\\r\\n', all = bytes(one.repeat(5000));\n"
    "      const p = h.parserNew(0); let at = 0, n = 0, calls = 0;\n"
    "      while (at < all.length) {\n"
    "        const ev = h.parserExecute(p, all.subarray(at), 16384, 0); calls++;\n"
    "        for (let i = 0; i < ev.length;) { if (ev[i] === 1) { n++; i += 10; } else if (ev[i] "
    "=== 3) i += 2;\n"
    "          else if (ev[i] === 6) i += 1;\n"
    "          else if (ev[i] === 5) { at += ev[i + 1]; i += 2; } else return -100; }\n"
    "        if (calls > 100) return -1;\n"
    "      }\n"
    "      h.parserClose(p);\n"
    "      return n === 5000 && calls > 1 ? 0 : -2; },\n"
    "    hostile: () => check([\n"
    "      () => { try { h.parserNew(5); } catch (e) { return e instanceof TypeError; } },\n"
    "      () => { try { h.parserNew('0'); } catch (e) { return e instanceof TypeError; } },\n"
    "      () => { try { h.parserExecute({}, bytes('x'), 10, 0); } catch (e) { return e instanceof "
    "TypeError; } },\n"
    "      () => { const p = h.parserNew(0);\n"
    "              try { h.parserExecute(p, 'GET', 10, 0); } catch (e) { return e instanceof "
    "TypeError; } },\n"
    "      () => { const p = h.parserNew(0);\n"
    "              try { h.parserExecute(p, bytes('x'), 0, 0); } catch (e) { return e instanceof "
    "RangeError; } },\n"
    "      () => { const p = h.parserNew(0);\n"
    "              try { h.parserExecute(p, bytes('x'), NaN, 0); } catch (e) { return e instanceof "
    "RangeError; } },\n"
    "      () => { const p = h.parserNew(0); h.parserClose(p); h.parserClose(p);\n"
    "              try { h.parserExecute(p, bytes('x'), 10, 0); } catch (e) { return e instanceof "
    "TypeError; } },\n"
    "      () => { const p = h.parserNew(1); const ev = h.parserExecute(p, new Uint8Array(0), 10, "
    "0);\n"
    "              return ev.length === 2 && ev[0] === 5 && ev[1] === 0; },\n"
    "      () => { const p = h.parserNew(0); try { h.parserReset(p, 7); } catch (e) { return e "
    "instanceof TypeError; } },\n"
    "    ]),\n"
    "    // what the last feed() said, for the message of a failed check\n"
    "    last: () => Float64Array.from(lastOut, (c) => c.charCodeAt(0)),\n"
    "  };\n"
    "  return function start(name) { return cases[name](); };\n"
    "})()\n";

static uint8_t *blob;
static size_t blob_len;

static void setup(void)
{
    unit_v8_setup();
    char *err = NULL;
    int r = vm_snapshot_build(h_tables, H_NTABLES, bundle, sizeof bundle - 1, "http-test-bundle",
                              &blob, &blob_len, &err);
    ck_assert_msg(r == 0, "snapshot: %s", err ? err : "?");
}

static void teardown(void)
{
    free(blob);
    blob = NULL;
}

static void expect_case(const char *name)
{
    vm_options_t o = {
        .tables = h_tables, .ntables = H_NTABLES, .snapshot = blob, .snapshot_len = blob_len};
    vm_t *vm = NULL;
    char *err = NULL;
    ck_assert_msg(vm_new(&o, &vm, &err) == 0, "vm_new: %s", err ? err : "?");
    vm_val_t arg = VM_STR(name, strlen(name));
    vm_ref_t res = 0;
    int st = vm_call(vm, vm_start_fn(vm), 1, &arg, &res);
    double v = vm_ref_number(vm, res, -1000);
    vm_ref_free(vm, res);
    char said[512] = "";
    if (st != VM_OK || v != 0) {
        vm_val_t last = VM_STR("last", 4);
        size_t n = 0;
        double *d;
        if (vm_call(vm, vm_start_fn(vm), 1, &last, &res) == VM_OK &&
            (d = vm_f64_data(vm, res, &n)) != NULL)
            for (size_t i = 0; i < n && i < sizeof said - 1; i++)
                said[i] = d[i] >= 32 && d[i] < 127 ? (char)d[i] : '?';
        vm_ref_free(vm, res);
    }
    vm_free(vm);
    ck_assert_msg(st == VM_OK, "%s: the case threw (last parse: %s)", name, said);
    ck_assert_msg(v == 0, "%s: check %g failed (last parse: %s)", name, v, said);
}

START_TEST(http_request)
{
    expect_case("request");
}
END_TEST

START_TEST(http_response)
{
    expect_case("response");
}
END_TEST

START_TEST(http_upgrade)
{
    expect_case("upgrade");
}
END_TEST

START_TEST(http_errors)
{
    expect_case("errors");
}
END_TEST

START_TEST(http_pipelined)
{
    expect_case("pipelined");
}
END_TEST

START_TEST(http_hostile)
{
    expect_case("hostile");
}
END_TEST

Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("parser");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, http_request);
    tcase_add_test(tc, http_response);
    tcase_add_test(tc, http_upgrade);
    tcase_add_test(tc, http_errors);
    tcase_add_test(tc, http_pipelined);
    tcase_add_test(tc, http_hostile);
    suite_add_tcase(s, tc);
    return s;
}
