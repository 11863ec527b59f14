/* tests/unit/test_serve.c — the serve sidecar's parts without I/O
 * (launcher/serve_req.c, launcher/job.c) and its framing (relay.h): serve's
 * options, a request's checks and the job JSON it becomes (parsed back by
 * the member's own parser), the UTF-8 of streamed output cut at any byte,
 * and frames over a socket pair. A request is the untrusted edge of the
 * server: every refusal must be a -1 with a message and a zeroed result. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "../../bridge/broker.h"
#include "../../launcher/job.h"
#include "../../launcher/relay.h"
#include "../../launcher/serve.h"
#include "unit.h"

#define FFFD "\xef\xbf\xbd"

/* ---- options ---- */

static int sparse(lch_serve_opts_t *o, char **err, int argc, const char **argv)
{
    return lch_serve_parse(argc, (char *const *)argv, o, err);
}

/* Expects a refusal whose message holds needle. */
static void sparse_fails(int argc, const char **argv, const char *needle)
{
    lch_serve_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(sparse(&o, &err, argc, argv), -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, needle) != NULL, "'%s' lacks '%s'", err, needle);
    free(err);
}

START_TEST(opts_defaults)
{
    const char *argv[] = {"serve", "--listen", "unix:/tmp/s.sock"};
    lch_serve_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(sparse(&o, &err, 3, argv), 0);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(o.listen, "unix:/tmp/s.sock");
    ck_assert(!o.listen_public);
    ck_assert_uint_eq(o.pool, 2);
    ck_assert_uint_eq(o.max_concurrent, 64);
    ck_assert_uint_eq(o.queue, 0);
    ck_assert_uint_eq(o.timeout_ms, 0);
    ck_assert_uint_eq(o.memory_mb, 0);
    ck_assert_uint_eq(o.cpu_ms, 0);
    ck_assert_uint_eq(o.max_body, 4u << 20);
    ck_assert_uint_eq(o.nprofiles, 0);
    ck_assert_uint_eq(o.napps, 0);
    ck_assert_uint_eq(o.npass, 0);
    ck_assert(!o.help);
    /* --listen is needed, alone too */
    const char *none[] = {"serve"};
    sparse_fails(1, none, "--listen is needed");
    const char *pool_only[] = {"serve", "--pool", "3"};
    sparse_fails(3, pool_only, "--listen is needed");
}
END_TEST

START_TEST(opts_both_forms)
{
    const char *argv[] = {"serve", "--listen=127.0.0.1:8080", "--pool",
                          "0",     "--max-concurrent=7",      "--queue",
                          "4096",  "--timeout=1500",          "--memory-limit",
                          "128",   "--cpu-time-limit=900",    "--max-body",
                          "1024",  "--listen-public"};
    lch_serve_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(sparse(&o, &err, 14, argv), 0);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(o.listen, "127.0.0.1:8080");
    ck_assert(o.listen_public);
    ck_assert_uint_eq(o.pool, 0);
    ck_assert_uint_eq(o.max_concurrent, 7);
    ck_assert_uint_eq(o.queue, 4096);
    ck_assert_uint_eq(o.timeout_ms, 1500);
    ck_assert_uint_eq(o.memory_mb, 128);
    ck_assert_uint_eq(o.cpu_ms, 900);
    ck_assert_uint_eq(o.max_body, 1024);
    /* only the first '=' ends the name */
    const char *eq[] = {"serve", "--listen=unix:/a=b"};
    ck_assert_int_eq(sparse(&o, &err, 2, eq), 0);
    ck_assert_str_eq(o.listen, "unix:/a=b");
}
END_TEST

START_TEST(opts_repeated_in_order)
{
    const char *argv[] = {"serve",    "--listen",           "unix:/s",          "--profile",
                          "default",  "--app=web=/srv/web", "--profile=strict", "--app",
                          "/srv/api", "--profile",          "/etc/x.profile"};
    lch_serve_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(sparse(&o, &err, 11, argv), 0);
    ck_assert_uint_eq(o.nprofiles, 3);
    ck_assert_str_eq(o.profiles[0], "default");
    ck_assert_str_eq(o.profiles[1], "strict");
    ck_assert_str_eq(o.profiles[2], "/etc/x.profile");
    ck_assert_uint_eq(o.napps, 2);
    ck_assert_str_eq(o.apps[0], "web=/srv/web");
    ck_assert_str_eq(o.apps[1], "/srv/api");
    /* past the caps */
    const char *many[2 + 2 * (LCH_SERVE_MAX_PROFILES + 1)];
    int n = 0;
    many[n++] = "serve";
    many[n++] = "--listen=unix:/s";
    for (int i = 0; i <= LCH_SERVE_MAX_PROFILES; i++) {
        many[n++] = "--profile";
        many[n++] = "p";
    }
    sparse_fails(n, many, "more than 8 --profile");
    const char *apps[2 + LCH_SERVE_MAX_APPS + 1];
    n = 0;
    apps[n++] = "serve";
    apps[n++] = "--listen=unix:/s";
    for (int i = 0; i <= LCH_SERVE_MAX_APPS; i++)
        apps[n++] = "--app=/srv/a";
    sparse_fails(n, apps, "more than 16 --app");
}
END_TEST

START_TEST(opts_bad_numbers)
{
    struct {
        const char *opt, *val, *needle;
    } bad[] = {
        {"--pool", "4097", "--pool: '4097' is not a count"},
        {"--pool", "-1", "--pool: '-1' is not a count"},
        {"--pool", "2x", "is not a count"},
        {"--pool", " 2", "is not a count"},
        {"--pool", "+2", "is not a count"},
        {"--queue", "99999", "--queue: '99999' is not a count"},
        {"--max-concurrent", "0", "--max-concurrent: '0' is not a count (1 to 4096)"},
        {"--max-concurrent", "4097", "is not a count"},
        {"--timeout", "0", "--timeout: '0' is not a time in ms"},
        {"--timeout", "1.5", "is not a time in ms"},
        {"--timeout", "1099511627777", "is not a time in ms"}, /* 2^40 + 1 */
        {"--cpu-time-limit", "0", "--cpu-time-limit: '0' is not a time in ms"},
        {"--memory-limit", "23", "--memory-limit: '23' is not a size in MB (24 to 1048576)"},
        {"--memory-limit", "1048577", "is not a size in MB"},
        {"--max-body", "1023", "--max-body: '1023' is not a size in bytes"},
        {"--max-body", "1073741825", "is not a size in bytes"},
        {"--max-body", "18446744073709551616", "is not a size in bytes"}, /* 2^64 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *argv[] = {"serve", "--listen=unix:/s", bad[i].opt, bad[i].val};
        sparse_fails(4, argv, bad[i].needle);
    }
    /* the edges themselves pass */
    const char *edges[] = {"serve",
                           "--listen=unix:/s",
                           "--pool=4096",
                           "--queue=0",
                           "--max-concurrent=4096",
                           "--memory-limit=24",
                           "--max-body=1073741824",
                           "--timeout=1099511627776"};
    lch_serve_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(sparse(&o, &err, 8, edges), 0);
    ck_assert_uint_eq(o.pool, 4096);
    ck_assert_uint_eq(o.memory_mb, BRK_MIN_HEAP_MB);
    ck_assert_uint_eq(o.max_body, 1u << 30);
    ck_assert_uint_eq(o.timeout_ms, UINT64_C(1) << 40);
}
END_TEST

START_TEST(opts_refusals)
{
    const char *unknown[] = {"serve", "--listen=unix:/s", "--bogus"};
    sparse_fails(3, unknown, "unknown option '--bogus'");
    const char *unknown_eq[] = {"serve", "--listen=unix:/s", "--bogus=1"};
    sparse_fails(3, unknown_eq, "unknown option '--bogus'");
    const char *positional[] = {"serve", "--listen=unix:/s", "app.js"};
    sparse_fails(3, positional, "unexpected argument 'app.js'");
    const char *long_name[] = {"serve", "--listen=unix:/s",
                               "--a-very-long-option-name-past-the-buffer"};
    sparse_fails(3, long_name, "unexpected argument");
    const char *pub[] = {"serve", "--listen=unix:/s", "--listen-public=yes"};
    sparse_fails(3, pub, "'--listen-public' takes no value");
    const char *twice[] = {"serve", "--listen=unix:/s", "--listen", "unix:/t"};
    sparse_fails(4, twice, "'--listen' given twice");
    const char *missing[] = {"serve", "--listen=unix:/s", "--pool"};
    sparse_fails(3, missing, "'--pool' needs a value");
    const char *empty[] = {"serve", "--listen="};
    sparse_fails(2, empty, "'--listen' needs a non-empty value");
    const char *empty_sep[] = {"serve", "--listen=unix:/s", "--app", ""};
    sparse_fails(4, empty_sep, "'--app' needs a non-empty value");
    const char *allow_bad[] = {"serve", "--listen=unix:/s", "--allow-everything"};
    sparse_fails(3, allow_bad, "unknown option '--allow-everything'");
    const char *audit_rel[] = {"serve", "--listen=unix:/s", "--audit", "audit.log"};
    sparse_fails(4, audit_rel, "--audit audit.log: give an absolute path");
    const char *audit_twice[] = {"serve", "--listen=unix:/s", "--audit=/a", "--audit=/b"};
    sparse_fails(4, audit_twice, "'--audit' given twice");
    lch_serve_opts_t o;
    char *err = NULL;
    char *audit[] = {"serve", "--listen=unix:/s", "--audit", "/var/log/se.audit"};
    ck_assert_int_eq(lch_serve_parse(4, audit, &o, &err), 0);
    ck_assert_str_eq(o.audit, "/var/log/se.audit");
}
END_TEST

START_TEST(opts_allow_passed)
{
    const char *argv[] = {"serve",
                          "--allow-read=/data",
                          "--listen=unix:/s",
                          "--allow-net",
                          "--allow-env=HOME,LANG",
                          "--allow-write=/tmp/o",
                          "--allow-run=git",
                          "--allow-all"};
    lch_serve_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(sparse(&o, &err, 8, argv), 0);
    ck_assert_uint_eq(o.npass, 6);
    ck_assert_str_eq(o.pass[0], "--allow-read=/data"); /* the whole argument, as given */
    ck_assert_str_eq(o.pass[1], "--allow-net");
    ck_assert_str_eq(o.pass[2], "--allow-env=HOME,LANG");
    ck_assert_str_eq(o.pass[3], "--allow-write=/tmp/o");
    ck_assert_str_eq(o.pass[4], "--allow-run=git");
    ck_assert_str_eq(o.pass[5], "--allow-all");
    /* a value only comes attached: a separate word is not its value */
    const char *sep[] = {"serve", "--listen=unix:/s", "--allow-read", "/data"};
    sparse_fails(4, sep, "unexpected argument '/data'");
    /* the cap */
    const char *many[2 + LCH_SERVE_MAX_PASS + 1];
    int n = 0;
    many[n++] = "serve";
    many[n++] = "--listen=unix:/s";
    for (int i = 0; i <= LCH_SERVE_MAX_PASS; i++)
        many[n++] = "--allow-net";
    sparse_fails(n, many, "more than 64 --allow");
}
END_TEST

START_TEST(opts_help)
{
    const char *argv[] = {"serve", "--help"};
    lch_serve_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(sparse(&o, &err, 2, argv), 0); /* no --listen needed */
    ck_assert(o.help);
    ck_assert_ptr_null(err);
    const char *h[] = {"serve", "--pool=1", "-h"};
    ck_assert_int_eq(sparse(&o, &err, 3, h), 0);
    ck_assert(o.help);
    ck_assert_uint_eq(o.pool, 1);
    /* an error before it still wins */
    const char *bad[] = {"serve", "--pool=x", "--help"};
    sparse_fails(3, bad, "is not a count");
    const char *u = lch_serve_usage();
    ck_assert_ptr_nonnull(strstr(u, "--listen ADDR"));
    ck_assert_ptr_nonnull(strstr(u, "--max-body BYTES"));
}
END_TEST

/* ---- a request ---- */

static const char *const app_names[] = {"web", "api"};
static const char *const profile_names[] = {"default", "strict"};
static const lch_serve_limits_t lim = {.app_names = app_names,
                                       .napps = 2,
                                       .profile_names = profile_names,
                                       .nprofiles = 2,
                                       .timeout_ms = 5000,
                                       .memory_mb = 256};

static int request(const char *body, lch_serve_req_t *r, char *err, size_t errlen)
{
    return lch_serve_request(body, strlen(body), &lim, r, err, errlen);
}

/* Expects a refusal whose message holds needle, and nothing left in r. */
static void refused(const char *body, const char *needle)
{
    lch_serve_req_t r;
    char err[256] = "";
    ck_assert_msg(request(body, &r, err, sizeof err) == -1, "accepted: %s", body);
    ck_assert_msg(strstr(err, needle) != NULL, "%s: '%s' lacks '%s'", body, err, needle);
    ck_assert_ptr_null(r.job_json);
    ck_assert_ptr_null(r.stdin_data);
    ck_assert_uint_eq(r.stdin_len, 0);
}

/* Checks r's job JSON by the member's parser. */
static void job_of(const lch_serve_req_t *r, lch_job_t *job)
{
    char err[256];
    ck_assert_ptr_nonnull(r->job_json);
    ck_assert_msg(lch_job_parse(r->job_json, strlen(r->job_json), NULL, job, err, sizeof err) == 0,
                  "%s: %s", r->job_json, err);
}

START_TEST(req_minimal)
{
    lch_serve_req_t r;
    char err[256];
    ck_assert_int_eq(request("{\"code\":\"console.log(1)\"}", &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.app, 0);
    ck_assert_uint_eq(r.profile, 0);
    ck_assert_uint_eq(r.timeout_ms, 5000);
    ck_assert_uint_eq(r.memory_mb, 256);
    ck_assert(!r.stream);
    ck_assert_ptr_null(r.stdin_data);
    ck_assert_uint_eq(r.stdin_len, 0);
    /* the job JSON, field by field */
    json_error_t je;
    json_t *o = json_loads(r.job_json, 0, &je);
    ck_assert_msg(o != NULL, "%s: %s", r.job_json, je.text);
    ck_assert_int_eq(json_object_size(o), 6);
    ck_assert_str_eq(json_string_value(json_object_get(o, "code")), "console.log(1)");
    ck_assert(json_is_null(json_object_get(o, "file")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "filename")), "/app/index.js");
    ck_assert(json_is_array(json_object_get(o, "argv")));
    ck_assert_uint_eq(json_array_size(json_object_get(o, "argv")), 0);
    ck_assert(json_is_object(json_object_get(o, "env")));
    ck_assert_uint_eq(json_object_size(json_object_get(o, "env")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "timeout_ms")), 5000);
    json_decref(o);
    /* and as the member reads it */
    lch_job_t job;
    job_of(&r, &job);
    ck_assert_str_eq(job.code, "console.log(1)");
    ck_assert_ptr_null(job.file);
    ck_assert_str_eq(job.filename, "/app/index.js");
    ck_assert_uint_eq(job.argc, 0);
    ck_assert_ptr_null(job.argv[0]);
    ck_assert_uint_eq(job.nenv, 0);
    ck_assert_ptr_null(job.env[0]);
    ck_assert_uint_eq(job.timeout_ms, 5000);
    lch_job_free(&job);
    lch_serve_req_free(&r);
    ck_assert_ptr_null(r.job_json);
    lch_serve_req_free(&r); /* twice is harmless */
}
END_TEST

START_TEST(req_round_trip)
{
    const char *body = "{\"code\":\"let s = \\\"\\u00e9\\\\n\\\";\",\"filename\":\"lib/main.mjs\","
                       "\"app\":\"api\",\"profile\":\"strict\",\"timeout_ms\":1234,"
                       "\"memory_mb\":24,\"stdio\":\"stream\",\"stdin\":\"line 1\\nline 2\","
                       "\"argv\":[\"--flag\",\"\",\"x y\"],"
                       "\"env\":{\"A\":\"1\",\"B\":\"x=y\",\"EMPTY\":\"\"}}";
    lch_serve_req_t r;
    char err[256];
    ck_assert_msg(request(body, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r.app, 1);
    ck_assert_uint_eq(r.profile, 1);
    ck_assert_uint_eq(r.timeout_ms, 1234);
    ck_assert_uint_eq(r.memory_mb, BRK_MIN_HEAP_MB);
    ck_assert(r.stream);
    ck_assert_uint_eq(r.stdin_len, 13);
    ck_assert_mem_eq(r.stdin_data, "line 1\nline 2", 14); /* NUL-ended too */
    lch_job_t job;
    job_of(&r, &job);
    ck_assert_str_eq(job.code, "let s = \"\xc3\xa9\\n\";");
    ck_assert_ptr_null(job.file);
    ck_assert_str_eq(job.filename, "/app/lib/main.mjs");
    ck_assert_uint_eq(job.argc, 3);
    ck_assert_str_eq(job.argv[0], "--flag");
    ck_assert_str_eq(job.argv[1], "");
    ck_assert_str_eq(job.argv[2], "x y");
    ck_assert_ptr_null(job.argv[3]);
    ck_assert_uint_eq(job.nenv, 3);
    /* jansson keeps an object's insertion order */
    ck_assert_str_eq(job.env[0], "A=1");
    ck_assert_str_eq(job.env[1], "B=x=y");
    ck_assert_str_eq(job.env[2], "EMPTY=");
    ck_assert_uint_eq(job.timeout_ms, 1234);
    lch_job_free(&job);
    lch_serve_req_free(&r);
    /* a file of the app: file and filename are both its guest path */
    ck_assert_msg(request("{\"file\":\"src/x.js\",\"app\":\"web\",\"stdio\":\"drop\","
                          "\"memory_mb\":256,\"timeout_ms\":5000}",
                          &r, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_uint_eq(r.app, 0);
    ck_assert(!r.stream);
    ck_assert_uint_eq(r.memory_mb, 256);
    ck_assert_uint_eq(r.timeout_ms, 5000);
    job_of(&r, &job);
    ck_assert_ptr_null(job.code);
    ck_assert_str_eq(job.file, "/app/src/x.js");
    ck_assert_str_eq(job.filename, "/app/src/x.js");
    lch_job_free(&job);
    lch_serve_req_free(&r);
    /* an empty stdin is a stdin */
    ck_assert_int_eq(request("{\"code\":\"\",\"stdin\":\"\"}", &r, err, sizeof err), 0);
    ck_assert_ptr_nonnull(r.stdin_data);
    ck_assert_uint_eq(r.stdin_len, 0);
    job_of(&r, &job);
    ck_assert_str_eq(job.code, "");
    lch_job_free(&job);
    lch_serve_req_free(&r);
}
END_TEST

START_TEST(req_types)
{
    const char *fields[] = {"code", "file", "filename", "app", "profile", "stdio"};
    const char *wrong[] = {"1", "true", "null", "[]", "{}", "1.5"};
    char body[256];
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
        for (size_t w = 0; w < sizeof wrong / sizeof wrong[0]; w++) {
            /* code is there (or file, when code is the one tried) */
            snprintf(body, sizeof body, "{%s\"%s\":%s}",
                     strcmp(fields[f], "code") ? "\"code\":\"1\"," : "\"file\":\"a.js\",",
                     fields[f], wrong[w]);
            refused(body, "must be strings");
        }
    for (size_t w = 0; w < sizeof wrong / sizeof wrong[0]; w++) {
        snprintf(body, sizeof body, "{\"code\":\"1\",\"stdin\":%s}", wrong[w]);
        refused(body, "stdin must be a string");
    }
    refused("{\"code\":\"1\",\"timeout_ms\":\"100\"}", "timeout_ms must be a whole number");
    refused("{\"code\":\"1\",\"timeout_ms\":100.0}", "timeout_ms must be a whole number");
    refused("{\"code\":\"1\",\"timeout_ms\":null}", "timeout_ms must be a whole number");
    refused("{\"code\":\"1\",\"timeout_ms\":true}", "timeout_ms must be a whole number");
    refused("{\"code\":\"1\",\"memory_mb\":\"64\"}", "memory_mb must be a whole number");
    refused("{\"code\":\"1\",\"memory_mb\":64.5}", "memory_mb must be a whole number");
    refused("{\"code\":\"1\",\"env\":[]}", "env must be an object");
    refused("{\"code\":\"1\",\"env\":\"A=1\"}", "env must be an object");
    refused("{\"code\":\"1\",\"env\":null}", "env must be an object");
    refused("{\"code\":\"1\",\"env\":{\"A\":1}}", "env must be an object of strings");
    refused("{\"code\":\"1\",\"env\":{\"A\":null}}", "env must be an object of strings");
    refused("{\"code\":\"1\",\"env\":{\"A\":[\"x\"]}}", "env must be an object of strings");
    refused("{\"code\":\"1\",\"argv\":\"x\"}", "argv must be an array");
    refused("{\"code\":\"1\",\"argv\":{}}", "argv must be an array");
    refused("{\"code\":\"1\",\"argv\":[\"a\",1]}", "argv must be an array of strings");
    refused("{\"code\":\"1\",\"argv\":[null]}", "argv must be an array of strings");
    refused("{\"code\":\"1\",\"argv\":[[\"a\"]]}", "argv must be an array of strings");
    refused("{\"code\":\"1\",\"stdio\":\"inherit\"}", "stdio must be \"drop\" or \"stream\"");
    refused("{\"code\":\"1\",\"stdio\":\"\"}", "stdio must be");
}
END_TEST

START_TEST(req_shape)
{
    refused("{\"code\":\"1\",\"extra\":1}", "unknown field 'extra'");
    refused("{\"code\":\"1\",\"Code\":\"2\"}", "unknown field 'Code'");
    refused("{\"code\":\"1\",\"file\":\"a.js\"}", "give exactly one of code");
    refused("{}", "give exactly one of code");
    refused("{\"argv\":[]}", "give exactly one of code");
    refused("", "the body is not JSON");
    refused("{\"code\":", "the body is not JSON");
    refused("{\"code\":\"1\"} x", "the body is not JSON");
    refused("{'code':'1'}", "the body is not JSON");
    refused("[\"code\"]", "the body must be a JSON object");
    refused("[]", "the body must be a JSON object");
    /* a bare scalar is no JSON text to jansson (no JSON_DECODE_ANY) */
    refused("\"code\"", "the body is not JSON");
    refused("42", "the body is not JSON");
    refused("null", "the body is not JSON");
    refused("{\"code\":\"1\",\"code\":\"2\"}", "the body is not JSON");
    refused("{\"code\":\"1\",\"env\":{\"A\":\"1\",\"A\":\"2\"}}", "the body is not JSON");
    refused("{\"code\":\"\xff\"}", "the body is not JSON"); /* not UTF-8 */
    /* the body is len bytes, not a C string */
    lch_serve_req_t r;
    char err[256];
    const char body[] = "{\"code\":\"1\"}garbage";
    ck_assert_int_eq(lch_serve_request(body, 12, &lim, &r, err, sizeof err), 0);
    lch_serve_req_free(&r);
    ck_assert_int_eq(lch_serve_request(body, 11, &lim, &r, err, sizeof err), -1);
    /* a small err buffer is cut, never overrun */
    char small[8];
    memset(small, 'x', sizeof small);
    ck_assert_int_eq(lch_serve_request("{}", 2, &lim, &r, small, 6), -1);
    ck_assert_uint_eq(strlen(small), 5);
    ck_assert_int_eq(small[6], 'x');
}
END_TEST

START_TEST(req_paths)
{
    const char *bad[] = {"..",        "../x.js",   "a/../b.js", "a/..",  "/etc/passwd", "/x.js",
                         "src/",      "src//x.js", "./x.js",    ".",     "a/./b",       "",
                         "a\\u0001b", "a\\nb",     "a\\u007fb", "a\\tb", "\\u001f"};
    char body[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(body, sizeof body, "{\"file\":\"%s\"}", bad[i]);
        refused(body, "file must be a path inside the app folder");
        snprintf(body, sizeof body, "{\"code\":\"1\",\"filename\":\"%s\"}", bad[i]);
        refused(body, "filename must be a relative name without '..'");
    }
    /* names that only look like ".." are names */
    const char *good[] = {"...", "..x", "x..", ".hidden/.x.js", "a b/\xc3\xa9.js", "a-b_c/d.e.f"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        lch_serve_req_t r;
        char err[256];
        snprintf(body, sizeof body, "{\"file\":\"%s\"}", good[i]);
        ck_assert_msg(request(body, &r, err, sizeof err) == 0, "%s: %s", body, err);
        lch_job_t job;
        job_of(&r, &job);
        char want[64];
        snprintf(want, sizeof want, "/app/%s", good[i]);
        ck_assert_str_eq(job.file, want);
        lch_job_free(&job);
        lch_serve_req_free(&r);
    }
    /* filename goes with code only */
    refused("{\"file\":\"a.js\",\"filename\":\"b.js\"}", "filename goes with code");
    /* the length cap: 1024 bytes pass, 1025 do not */
    char *longb = malloc(1100);
    ck_assert_ptr_nonnull(longb);
    char name[1026];
    memset(name, 'a', 1025);
    name[1024] = '\0';
    snprintf(longb, 1100, "{\"file\":\"%s\"}", name);
    lch_serve_req_t r;
    char err[256];
    ck_assert_int_eq(request(longb, &r, err, sizeof err), 0);
    lch_job_t job;
    job_of(&r, &job);
    ck_assert_uint_eq(strlen(job.file), 5 + 1024);
    lch_job_free(&job);
    lch_serve_req_free(&r);
    name[1024] = 'a';
    name[1025] = '\0';
    snprintf(longb, 1100, "{\"file\":\"%s\"}", name);
    refused(longb, "file must be a path inside the app folder");
    free(longb);
}
END_TEST

START_TEST(req_limits)
{
    refused("{\"code\":\"1\",\"timeout_ms\":0}",
            "timeout_ms must be a whole number from 1 to 5000");
    refused("{\"code\":\"1\",\"timeout_ms\":-1}", "timeout_ms must be");
    refused("{\"code\":\"1\",\"timeout_ms\":5001}", "timeout_ms must be");
    refused("{\"code\":\"1\",\"timeout_ms\":-9223372036854775808}", "timeout_ms must be");
    refused("{\"code\":\"1\",\"timeout_ms\":9223372036854775807}", "timeout_ms must be");
    refused("{\"code\":\"1\",\"timeout_ms\":1e3}", "timeout_ms must be");
    refused("{\"code\":\"1\",\"memory_mb\":23}", "memory_mb must be a whole number from 24 to 256");
    refused("{\"code\":\"1\",\"memory_mb\":0}", "memory_mb must be");
    refused("{\"code\":\"1\",\"memory_mb\":-16}", "memory_mb must be");
    refused("{\"code\":\"1\",\"memory_mb\":257}", "memory_mb must be");
    refused("{\"code\":\"1\",\"memory_mb\":9223372036854775807}", "memory_mb must be");
    lch_serve_req_t r;
    char err[256];
    ck_assert_int_eq(request("{\"code\":\"1\",\"timeout_ms\":1}", &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.timeout_ms, 1);
    lch_job_t job;
    job_of(&r, &job);
    ck_assert_uint_eq(job.timeout_ms, 1);
    lch_job_free(&job);
    lch_serve_req_free(&r);
    ck_assert_int_eq(
        request("{\"code\":\"1\",\"timeout_ms\":5000,\"memory_mb\":100}", &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.timeout_ms, 5000);
    ck_assert_uint_eq(r.memory_mb, 100);
    lch_serve_req_free(&r);
}
END_TEST

START_TEST(req_names)
{
    refused("{\"code\":\"1\",\"app\":\"nope\"}", "unknown app 'nope'");
    refused("{\"code\":\"1\",\"app\":\"\"}", "unknown app ''");
    refused("{\"code\":\"1\",\"app\":\"WEB\"}", "unknown app");
    refused("{\"code\":\"1\",\"profile\":\"loose\"}",
            "unknown profile 'loose' (this server offers default and others");
    refused("{\"code\":\"1\",\"profile\":\"stric\"}", "unknown profile");
    /* a long name is cut in the message */
    char body[512], name[300];
    memset(name, 'n', 299);
    name[299] = '\0';
    snprintf(body, sizeof body, "{\"code\":\"1\",\"app\":\"%s\"}", name);
    lch_serve_req_t r;
    char err[256];
    ck_assert_int_eq(request(body, &r, err, sizeof err), -1);
    ck_assert_uint_lt(strlen(err), 100);
    struct {
        const char *body;
        size_t app, profile;
    } ok[] = {
        {"{\"code\":\"1\",\"app\":\"web\"}", 0, 0},
        {"{\"code\":\"1\",\"app\":\"api\"}", 1, 0},
        {"{\"code\":\"1\",\"profile\":\"default\"}", 0, 0},
        {"{\"code\":\"1\",\"profile\":\"strict\"}", 0, 1},
        {"{\"code\":\"1\",\"profile\":\"strict\",\"app\":\"api\"}", 1, 1},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ck_assert_msg(request(ok[i].body, &r, err, sizeof err) == 0, "%s: %s", ok[i].body, err);
        ck_assert_uint_eq(r.app, ok[i].app);
        ck_assert_uint_eq(r.profile, ok[i].profile);
        lch_serve_req_free(&r);
    }
    /* one profile only: the message names no others */
    lch_serve_limits_t one = lim;
    one.nprofiles = 1;
    const char *b = "{\"code\":\"1\",\"profile\":\"strict\"}";
    ck_assert_int_eq(lch_serve_request(b, strlen(b), &one, &r, err, sizeof err), -1);
    ck_assert_str_eq(err, "unknown profile 'strict' (this server offers default)");
}
END_TEST

START_TEST(req_stdin_env)
{
    lch_serve_req_t r;
    char err[256];
    /* stdin's exact bytes: escapes, multi-byte UTF-8 */
    ck_assert_int_eq(request("{\"code\":\"1\",\"stdin\":\"a\\tb\\u00e9\\ud83d\\ude00\\\\\"}", &r,
                             err, sizeof err),
                     0);
    ck_assert_uint_eq(r.stdin_len, 10);
    ck_assert_mem_eq(r.stdin_data, "a\tb\xc3\xa9\xf0\x9f\x98\x80\\", 11);
    lch_serve_req_free(&r);
    /* "\u0000": stdin may carry any byte (JSON_ALLOW_NUL); the code, the
     * environment, argv and every name may not */
    {
        lch_serve_req_t nr;
        char nerr[256];
        const char *b = "{\"code\":\"1\",\"stdin\":\"a\\u0000b\"}";
        ck_assert_int_eq(lch_serve_request(b, strlen(b), &lim, &nr, nerr, sizeof nerr), 0);
        ck_assert_uint_eq(nr.stdin_len, 3);
        ck_assert_mem_eq(nr.stdin_data, "a\0b", 3);
        lch_serve_req_free(&nr);
    }
    refused("{\"code\":\"a\\u0000b\"}", "must be strings");
    refused("{\"code\":\"1\",\"env\":{\"A\":\"x\\u0000y\"}}", "env must be");
    refused("{\"code\":\"1\",\"env\":{\"A\\u0000B\":\"x\"}}",
            "NUL byte in object key"); /* jansson's own */
    refused("{\"code\":\"1\",\"argv\":[\"\\u0000\"]}", "argv must be");
    refused("{\"code\\u0000x\":\"1\"}", "NUL byte in object key");
    /* env names */
    refused("{\"code\":\"1\",\"env\":{\"A=B\":\"1\"}}", "names without '='");
    refused("{\"code\":\"1\",\"env\":{\"=A\":\"1\"}}", "names without '='");
    refused("{\"code\":\"1\",\"env\":{\"\":\"1\"}}", "names without '='");
    char body[512], name[300];
    memset(name, 'N', 256);
    name[256] = '\0';
    snprintf(body, sizeof body, "{\"code\":\"1\",\"env\":{\"%s\":\"1\"}}", name);
    refused(body, "env must be an object of strings");
    name[255] = '\0';
    snprintf(body, sizeof body, "{\"code\":\"1\",\"env\":{\"%s\":\"1\"}}", name);
    ck_assert_int_eq(request(body, &r, err, sizeof err), 0);
    lch_serve_req_free(&r);
}
END_TEST

/* ---- the job, as the member parses it ---- */

static void job_refused(const char *json, const char *needle)
{
    lch_job_t job;
    char err[256] = "";
    ck_assert_msg(lch_job_parse(json, strlen(json), NULL, &job, err, sizeof err) == -1,
                  "accepted: %s", json);
    ck_assert_msg(strstr(err, needle) != NULL, "%s: '%s' lacks '%s'", json, err, needle);
    ck_assert_ptr_null(job.code);
    ck_assert_ptr_null(job.argv);
    ck_assert_ptr_null(job.env);
}

START_TEST(job_parse)
{
    job_refused("[]", "not a JSON object");
    job_refused("", "not a JSON object");
    job_refused("{\"a\":1,\"a\":2}", "not a JSON object");
    job_refused("{\"code\":\"1\",\"file\":\"/app/a.js\",\"filename\":\"/app/a.js\"}",
                "exactly one of code and file");
    job_refused("{\"filename\":\"/app/a.js\"}", "exactly one of code and file");
    job_refused("{\"code\":null,\"file\":null,\"filename\":\"/app/a.js\"}",
                "exactly one of code and file");
    job_refused("{\"code\":1,\"filename\":\"/app/a.js\"}", "must be strings");
    job_refused("{\"code\":\"1\",\"filename\":\"app/a.js\"}", "absolute guest path");
    job_refused("{\"code\":\"1\"}", "absolute guest path");
    job_refused("{\"code\":\"1\",\"filename\":\"\"}", "absolute guest path");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"argv\":[\"x\",2]}", "argv must be");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"argv\":\"x\"}", "argv must be");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"env\":{\"A\":1}}", "env must be");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"env\":{\"A\":null}}", "env must be");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"env\":{\"A=B\":\"1\"}}", "env must be");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"env\":[]}", "env must be");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"timeout_ms\":-1}", "timeout_ms");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"timeout_ms\":1.5}", "timeout_ms");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"id\":\"0123\"}", "id must be");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"id\":\"0123456789ABCDEF\"}", "id must be");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"id\":12}", "id must be");
    job_refused("{\"code\":\"1\",\"filename\":\"/a\",\"id\":\"0123456789abcdeg\"}", "id must be");
    /* the least: no argv, env or timeout */
    lch_job_t job;
    char err[256];
    const char *j = "{\"file\":\"/app/x.js\",\"filename\":\"/app/x.js\"}";
    ck_assert_int_eq(lch_job_parse(j, strlen(j), NULL, &job, err, sizeof err), 0);
    ck_assert_str_eq(job.file, "/app/x.js");
    ck_assert_uint_eq(job.argc, 0);
    ck_assert_ptr_nonnull(job.argv);
    ck_assert_uint_eq(job.nenv, 0);
    ck_assert_uint_eq(job.timeout_ms, 0);
    ck_assert_str_eq(job.id, "");
    lch_job_free(&job);
    lch_job_free(&job);
}
END_TEST

/* the request's id, added to its job for the run's audit lines */
START_TEST(job_id)
{
    lch_serve_req_t r;
    char err[256];
    ck_assert_int_eq(request("{\"code\":\"1\"}", &r, err, sizeof err), 0);
    ck_assert_int_eq(lch_serve_req_set_id(&r, "0123456789ABCDEF"), -1);
    ck_assert_int_eq(lch_serve_req_set_id(&r, "0123"), -1);
    ck_assert_int_eq(lch_serve_req_set_id(&r, NULL), -1);
    ck_assert_int_eq(lch_serve_req_set_id(&r, "00ff00ff00ff00ff"), 0);
    lch_job_t job;
    job_of(&r, &job);
    ck_assert_str_eq(job.id, "00ff00ff00ff00ff");
    ck_assert_str_eq(job.code, "1");
    lch_job_free(&job);
    lch_serve_req_free(&r);
}
END_TEST

START_TEST(job_env_policy)
{
    brk_policy_t *p = brk_policy_new();
    ck_assert_ptr_nonnull(p);
    char *perr = NULL;
    ck_assert_int_eq(brk_grant(p, BRK_ENV, "HOME,APP_*", &perr), 0);
    ck_assert(brk_allows(p, BRK_ENV, "HOME"));
    ck_assert(!brk_allows(p, BRK_ENV, "PATH"));
    const char *j = "{\"code\":\"1\",\"filename\":\"/a\",\"env\":{\"PATH\":\"/x\",\"HOME\":\"/h\","
                    "\"SECRET\":\"s\",\"APP_MODE\":\"dev\"}}";
    lch_job_t job;
    char err[256];
    ck_assert_msg(lch_job_parse(j, strlen(j), p, &job, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(job.nenv, 2);
    ck_assert_str_eq(job.env[0], "HOME=/h");
    ck_assert_str_eq(job.env[1], "APP_MODE=dev");
    ck_assert_ptr_null(job.env[2]);
    lch_job_free(&job);
    /* a name the policy drops is still checked */
    const char *bad = "{\"code\":\"1\",\"filename\":\"/a\",\"env\":{\"PATH\":1}}";
    ck_assert_int_eq(lch_job_parse(bad, strlen(bad), p, &job, err, sizeof err), -1);
    brk_policy_free(p);
    /* no grant: nothing passes */
    p = brk_policy_new();
    ck_assert_int_eq(lch_job_parse(j, strlen(j), p, &job, err, sizeof err), 0);
    ck_assert_uint_eq(job.nenv, 0);
    lch_job_free(&job);
    brk_policy_free(p);
}
END_TEST

/* ---- UTF-8 of streamed output ---- */

/* Takes len bytes of in; checks outlen against out and the cap. */
static size_t take(const char *in, size_t len, bool last, char *out)
{
    size_t outlen = 12345;
    memset(out, 0x55, 3 * len + 2);
    size_t took = lch_utf8_take(in, len, last, out, &outlen);
    ck_assert_uint_le(took, len);
    ck_assert_uint_le(outlen, 3 * len);
    ck_assert_uint_eq(strlen(out), outlen);
    ck_assert_int_eq(out[3 * len + 1], 0x55); /* nothing past the cap */
    return took;
}

START_TEST(utf8_whole)
{
    char out[256];
    const char *ok[] = {"",
                        "plain ascii\n\t~\x7f",
                        "\xc2\x80\xdf\xbf",                                 /* 2 bytes */
                        "\xe0\xa0\x80\xe2\x82\xac\xed\x9f\xbf\xef\xbf\xbf", /* 3 bytes */
                        "\xf0\x90\x80\x80\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", /* 4 bytes */
                        "a\xc3\xa9z\xe2\x82\xac!\xf0\x9f\x98\x80."};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        for (int last = 0; last < 2; last++) {
            size_t n = strlen(ok[i]);
            ck_assert_uint_eq(take(ok[i], n, last, out), n);
            ck_assert_str_eq(out, ok[i]);
        }
}
END_TEST

START_TEST(utf8_cut)
{
    char out[64];
    /* every cut of a 2, 3 and 4-byte sequence after "ab" */
    const char *seqs[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    for (size_t s = 0; s < 3; s++) {
        char in[8];
        size_t n = strlen(seqs[s]);
        for (size_t cut = 1; cut < n; cut++) {
            memcpy(in, "ab", 2);
            memcpy(in + 2, seqs[s], cut);
            /* kept back for the next chunk */
            ck_assert_uint_eq(take(in, 2 + cut, false, out), 2);
            ck_assert_str_eq(out, "ab");
            /* the end of the stream: each byte is U+FFFD */
            ck_assert_uint_eq(take(in, 2 + cut, true, out), 2 + cut);
            char want[32] = "ab";
            for (size_t k = 0; k < cut; k++)
                memcpy(want + 2 + 3 * k, FFFD, 4);
            ck_assert_str_eq(out, want);
            /* the rest, with the next chunk, is the character */
            char next[8];
            memcpy(next, seqs[s], n);
            memcpy(next + n, "c", 1);
            ck_assert_uint_eq(take(next, n + 1, false, out), n + 1);
            ck_assert_mem_eq(out, seqs[s], n);
            ck_assert_str_eq(out + n, "c");
        }
    }
    /* a lead byte alone at the end */
    ck_assert_uint_eq(take("\xe2", 1, false, out), 0);
    ck_assert_str_eq(out, "");
    ck_assert_uint_eq(take("\xe2", 1, true, out), 1);
    ck_assert_str_eq(out, FFFD);
    /* cut, but what follows the lead is not a continuation: not kept */
    ck_assert_uint_eq(take("\xe2\x41", 2, false, out), 2);
    ck_assert_str_eq(out, FFFD "A");
    ck_assert_uint_eq(take("\xf0\x9f\x41", 3, false, out), 3);
    ck_assert_str_eq(out, FFFD FFFD "A");
}
END_TEST

START_TEST(utf8_invalid)
{
    char out[64];
    struct {
        const char *in, *want;
    } cases[] = {
        {"\xff", FFFD},
        {"\xfe\xfd", FFFD FFFD},
        {"\xc0\x80", FFFD FFFD},          /* overlong NUL */
        {"\xc1\xbf", FFFD FFFD},          /* overlong */
        {"\xe0\x80\xaf", FFFD FFFD FFFD}, /* overlong '/' */
        {"\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD},
        {"\xed\xa0\x80", FFFD FFFD FFFD},          /* surrogate U+D800 */
        {"\xed\xbf\xbf", FFFD FFFD FFFD},          /* surrogate U+DFFF */
        {"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD}, /* U+110000 */
        {"\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD},
        {"\x80", FFFD}, /* a lone continuation */
        {"a\xbf"
         "b",
         "a" FFFD "b"},
        {"\xc3\x28", FFFD "("}, /* a lead without its continuation */
        {"\xe2\x82\x28", FFFD FFFD "("},
        {"\xc3\xa9\xa9", "\xc3\xa9" FFFD}, /* one continuation too many */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int last = 0; last < 2; last++) {
            size_t n = strlen(cases[i].in);
            ck_assert_uint_eq(take(cases[i].in, n, last, out), n);
            ck_assert_msg(!strcmp(out, cases[i].want), "case %zu (last %d)", i, last);
        }
    /* the worst case is the cap: 3 bytes out for each byte in */
    char in[16];
    memset(in, 0xff, sizeof in);
    char big[3 * sizeof in + 2];
    ck_assert_uint_eq(take(in, sizeof in, true, big), sizeof in);
    ck_assert_uint_eq(strlen(big), 3 * sizeof in);
    /* a NUL byte is ASCII: copied, so strlen stops there but outlen not */
    size_t outlen;
    ck_assert_uint_eq(lch_utf8_take("a\0b", 3, true, out, &outlen), 3);
    ck_assert_uint_eq(outlen, 3);
    ck_assert_mem_eq(out, "a\0b", 4);
}
END_TEST

/* ---- frames ---- */

typedef struct {
    int fd;
    char type;
    const char *data;
    size_t len;
    int r;
} writer_t;

static void *write_frame(void *arg)
{
    writer_t *w = arg;
    w->r = lch_frame_write(w->fd, w->type, w->data, w->len);
    return NULL;
}

START_TEST(frames)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    char *data;
    size_t len;
    /* empty */
    ck_assert_int_eq(lch_frame_write(sv[0], LCH_FRAME_EOF, "", 0), 0);
    ck_assert_int_eq(lch_frame_read(sv[1], &data, &len, 0), LCH_FRAME_EOF);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(data[0], '\0');
    free(data);
    /* 100 KiB, more than the socket holds: written by a thread */
    size_t big = 100u << 10;
    char *src = malloc(big);
    ck_assert_ptr_nonnull(src);
    for (size_t i = 0; i < big; i++)
        src[i] = (char)(i * 31 + (i >> 8));
    writer_t w = {.fd = sv[0], .type = LCH_FRAME_STDOUT, .data = src, .len = big, .r = 1};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, write_frame, &w), 0);
    ck_assert_int_eq(lch_frame_read(sv[1], &data, &len, big), LCH_FRAME_STDOUT);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert_int_eq(w.r, 0);
    ck_assert_uint_eq(len, big);
    ck_assert(!memcmp(data, src, big));
    ck_assert_int_eq(data[big], '\0');
    free(data);
    /* two in a row keep their bounds; a type byte with the high bit set */
    ck_assert_int_eq(lch_frame_write(sv[0], LCH_JOB_FRAME, "{}", 2), 0);
    ck_assert_int_eq(lch_frame_write(sv[0], (char)0xfe, "xyz", 3), 0);
    ck_assert_int_eq(lch_frame_read(sv[1], &data, &len, 2), LCH_JOB_FRAME);
    ck_assert_str_eq(data, "{}");
    free(data);
    ck_assert_int_eq(lch_frame_read(sv[1], &data, &len, 3), 0xfe);
    ck_assert_str_eq(data, "xyz");
    free(data);
    /* over max: refused before a byte of it is allocated */
    ck_assert_int_eq(lch_frame_write(sv[0], LCH_FRAME_STDERR, "0123456789", 10), 0);
    ck_assert_int_eq(lch_frame_read(sv[1], &data, &len, 9), -EMSGSIZE);
    ck_assert_ptr_null(data);
    ck_assert_uint_eq(len, 0);
    /* a length past 32 bits is never written */
    ck_assert_int_eq(lch_frame_write(sv[0], 'x', src, (size_t)UINT32_MAX + 1), -EMSGSIZE);
    free(src);
    close(sv[0]);
    close(sv[1]);
    /* the peer closed: reading at a frame's start, inside the head, and
     * inside the body; writing */
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    close(sv[0]);
    ck_assert_int_eq(lch_frame_read(sv[1], &data, &len, 100), -EPIPE);
    ck_assert_ptr_null(data);
    signal(SIGPIPE, SIG_IGN); /* as the launcher has it (this test's child only) */
    ck_assert_int_eq(lch_frame_write(sv[1], 'o', "x", 1), -EPIPE);
    close(sv[1]);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    ck_assert_int_eq(write(sv[0], "o\x05\0", 3), 3);
    close(sv[0]);
    ck_assert_int_eq(lch_frame_read(sv[1], &data, &len, 100), -EPIPE);
    close(sv[1]);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    ck_assert_int_eq(write(sv[0], "o\x05\0\0\0abc", 8), 8);
    close(sv[0]);
    ck_assert_int_eq(lch_frame_read(sv[1], &data, &len, 100), -EPIPE);
    ck_assert_ptr_null(data);
    close(sv[1]);
}
END_TEST

Suite *serve_suite(void)
{
    Suite *s = suite_create("serve");
    TCase *tc = tcase_create("serve");
    tcase_add_test(tc, opts_defaults);
    tcase_add_test(tc, opts_both_forms);
    tcase_add_test(tc, opts_repeated_in_order);
    tcase_add_test(tc, opts_bad_numbers);
    tcase_add_test(tc, opts_refusals);
    tcase_add_test(tc, opts_allow_passed);
    tcase_add_test(tc, opts_help);
    tcase_add_test(tc, req_minimal);
    tcase_add_test(tc, req_round_trip);
    tcase_add_test(tc, req_types);
    tcase_add_test(tc, req_shape);
    tcase_add_test(tc, req_paths);
    tcase_add_test(tc, req_limits);
    tcase_add_test(tc, req_names);
    tcase_add_test(tc, req_stdin_env);
    tcase_add_test(tc, job_parse);
    tcase_add_test(tc, job_env_policy);
    tcase_add_test(tc, job_id);
    tcase_add_test(tc, utf8_whole);
    tcase_add_test(tc, utf8_cut);
    tcase_add_test(tc, utf8_invalid);
    tcase_add_test(tc, frames);
    suite_add_tcase(s, tc);
    return s;
}
