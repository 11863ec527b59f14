/*
 * launcher/serve_req.c — serve's parts without I/O (serve.h): its options,
 * a request's checks, the UTF-8 of streamed output.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bridge/broker.h"
#include "cli.h"
#include "job.h"
#include "serve.h"

/* ---- options ---- */

const char *lch_serve_usage(void)
{
    return "usage: secure-exec-launch serve --listen unix:PATH|HOST:PORT [OPTIONS]\n"
           "\n"
           "The sidecar: HTTP/1.1 + JSON, each POST /v1/run in a fresh sandbox from a\n"
           "warm pool (docs/serve.md).\n"
           "\n"
           "  --listen ADDR          unix:PATH, HOST:PORT on a loopback address, or systemd\n"
           "                         (the socket systemd passes: socket activation)\n"
           "  --listen-public        allow a HOST that is not loopback\n"
           "  --pool N               warm sandboxes kept per app (default 2; 0: none)\n"
           "  --max-concurrent N     jobs running at once (default 64)\n"
           "  --queue N              requests that wait past that (default 0: 429 at once)\n"
           "  --profile NAME|FILE    the default profile; given again, more profiles a\n"
           "                         request may name (by NAME, or FILE as given)\n"
           "  --app [NAME=]DIR       an app a request may name (the first is the default;\n"
           "                         NAME defaults to the folder's name; default: the\n"
           "                         current folder)\n"
           "  --timeout MS           a job's wall-clock limit: cap and default (default\n"
           "                         30000; the profile's does not apply)\n"
           "  --memory-limit MB      a job's memory limit: cap and default (default 128;\n"
           "                         the profile's does not apply)\n"
           "  --cpu-time-limit MS    a job's CPU-time limit\n"
           "  --max-body BYTES       the largest request body (default 4194304)\n"
           "  --allow-*              grants added to every sandbox, as for a run\n"
           "  --audit FILE           every sandbox appends its permission decisions to FILE\n"
           "                         (absolute), one JSON line each, with the request's id\n"
           "  --debug                let an operator attach a shell to a running job\n"
           "                         (shell --attach ID; unix sockets only)\n"
           "  -h, --help             this text\n";
}

static int fail(char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(err, fmt, ap) < 0)
        *err = NULL;
    va_end(ap);
    return -1;
}

int lch_serve_parse(int argc, char *const *argv, lch_serve_opts_t *o, char **err)
{
    memset(o, 0, sizeof *o);
    *err = NULL;
    o->pool = 2;
    o->max_concurrent = 64;
    o->max_body = 4u << 20;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        char name[32];
        if (n >= sizeof name || a[0] != '-')
            return fail(err, "serve: unexpected argument '%s' (see serve --help)", a);
        memcpy(name, a, n);
        name[n] = '\0';
        if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
            o->help = true;
            continue;
        }
        if (!strcmp(name, "--listen-public") || !strcmp(name, "--debug")) {
            if (eq)
                return fail(err, "serve: option '%s' takes no value", name);
            *(!strcmp(name, "--debug") ? &o->debug : &o->listen_public) = true;
            continue;
        }
        if (!strncmp(name, "--allow-", 8)) {
            /* checked by each member as for a run (cli.c); a value only
             * ever comes attached */
            if (o->npass >= LCH_SERVE_MAX_PASS)
                return fail(err, "serve: more than %d --allow options", LCH_SERVE_MAX_PASS);
            if (strcmp(name, "--allow-read") && strcmp(name, "--allow-write") &&
                strcmp(name, "--allow-net") && strcmp(name, "--allow-env") &&
                strcmp(name, "--allow-run") && strcmp(name, "--allow-all"))
                return fail(err, "serve: unknown option '%s' (see serve --help)", name);
            o->pass[o->npass++] = a;
            continue;
        }
        static const char *const takes[] = {
            "--listen",  "--pool",         "--max-concurrent", "--queue",    "--profile", "--app",
            "--timeout", "--memory-limit", "--cpu-time-limit", "--max-body", "--audit"};
        bool known = false;
        for (size_t k = 0; k < sizeof takes / sizeof takes[0]; k++)
            known |= !strcmp(name, takes[k]);
        if (!known)
            return fail(err, "serve: unknown option '%s' (see serve --help)", name);
        const char *val = eq ? eq + 1 : NULL;
        if (!val) {
            if (i + 1 >= argc)
                return fail(err, "serve: option '%s' needs a value", name);
            val = argv[++i];
        }
        if (!*val)
            return fail(err, "serve: option '%s' needs a non-empty value", name);
        uint64_t num;
        if (!strcmp(name, "--listen")) {
            if (o->listen)
                return fail(err, "serve: option '--listen' given twice");
            o->listen = val;
        } else if (!strcmp(name, "--audit")) {
            /* the members' cwd is their app: a relative path would be its */
            if (o->audit)
                return fail(err, "serve: option '--audit' given twice");
            if (val[0] != '/')
                return fail(err,
                            "serve: --audit %s: give an absolute path (every sandbox appends "
                            "its lines to that file)",
                            val);
            o->audit = val;
        } else if (!strcmp(name, "--profile")) {
            if (o->nprofiles >= LCH_SERVE_MAX_PROFILES)
                return fail(err, "serve: more than %d --profile options", LCH_SERVE_MAX_PROFILES);
            o->profiles[o->nprofiles++] = val;
        } else if (!strcmp(name, "--app")) {
            if (o->napps >= LCH_SERVE_MAX_APPS)
                return fail(err, "serve: more than %d --app options", LCH_SERVE_MAX_APPS);
            o->apps[o->napps++] = val;
        } else if (!strcmp(name, "--pool") || !strcmp(name, "--queue")) {
            if (lch_parse_uint(val, 0, 4096, &num) < 0)
                return fail(err, "serve: %s: '%s' is not a count (0 to 4096)", name, val);
            *(!strcmp(name, "--pool") ? &o->pool : &o->queue) = (unsigned)num;
        } else if (!strcmp(name, "--max-concurrent")) {
            if (lch_parse_uint(val, 1, 4096, &num) < 0)
                return fail(err, "serve: --max-concurrent: '%s' is not a count (1 to 4096)", val);
            o->max_concurrent = (unsigned)num;
        } else if (!strcmp(name, "--timeout") || !strcmp(name, "--cpu-time-limit")) {
            if (lch_parse_uint(val, 1, UINT64_C(1) << 40, &num) < 0)
                return fail(err, "serve: %s: '%s' is not a time in ms (a whole number > 0)", name,
                            val);
            *(!strcmp(name, "--timeout") ? &o->timeout_ms : &o->cpu_ms) = num;
        } else if (!strcmp(name, "--memory-limit")) {
            if (lch_parse_uint(val, BRK_MIN_HEAP_MB, 1u << 20, &num) < 0)
                return fail(err, "serve: --memory-limit: '%s' is not a size in MB (%d to 1048576)",
                            val, BRK_MIN_HEAP_MB);
            o->memory_mb = (size_t)num;
        } else {
            if (lch_parse_uint(val, 1024, 1u << 30, &num) < 0)
                return fail(err, "serve: --max-body: '%s' is not a size in bytes (1024 to 2^30)",
                            val);
            o->max_body = (size_t)num;
        }
    }
    if (o->help)
        return 0;
    if (!o->listen)
        return fail(err, "serve: --listen is needed (unix:PATH or HOST:PORT)");
    return 0;
}

/* ---- a request ---- */

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A relative path inside the app: no "..", no empty or "." component, not
 * absolute, printable. */
static bool app_relative(const char *p)
{
    if (!*p || *p == '/' || strlen(p) > 1024)
        return false;
    for (const unsigned char *c = (const unsigned char *)p; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return false;
    const char *s = p;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        s += n + (e ? 1 : 0);
        if (e && !*s)
            return false; /* a trailing slash: a folder */
    }
    return true;
}

static int index_of(const char *const *names, size_t n, const char *v)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], v))
            return (int)i;
    return -1;
}

/* A string member: its value, NULL when absent; -1 when not a string or
 * it holds a NUL (no field of a job may). */
static int str_field(json_t *o, const char *key, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_string(v) || memchr(json_string_value(v), '\0', json_string_length(v)))
        return -1;
    *out = json_string_value(v);
    return 0;
}

int lch_serve_request(const char *body, size_t len, const lch_serve_limits_t *lim,
                      lch_serve_req_t *req, char *err, size_t errlen)
{
    memset(req, 0, sizeof *req);
    json_error_t je;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!o)
        return bad(err, errlen, "the body is not JSON: %s (line %d, column %d)", je.text, je.line,
                   je.column);
    int r = -1;
    json_t *job = NULL;
    if (!json_is_object(o)) {
        bad(err, errlen, "the body must be a JSON object");
        goto out;
    }
    static const char *const fields[] = {"code",    "file",       "filename",  "app",
                                         "profile", "timeout_ms", "memory_mb", "env",
                                         "stdin",   "stdio",      "argv"};
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            known |= !strcmp(key, fields[i]);
        if (!known) {
            bad(err, errlen, "unknown field '%.64s'", key);
            goto out;
        }
    }
    const char *code, *file, *filename, *app, *profile, *stdin_s, *stdio;
    if (str_field(o, "code", &code) < 0 || str_field(o, "file", &file) < 0 ||
        str_field(o, "filename", &filename) < 0 || str_field(o, "app", &app) < 0 ||
        str_field(o, "profile", &profile) < 0 || str_field(o, "stdio", &stdio) < 0) {
        bad(err, errlen, "code, file, filename, app, profile and stdio must be strings");
        goto out;
    }
    json_t *sv = json_object_get(o, "stdin");
    if (sv && !json_is_string(sv)) {
        bad(err, errlen, "stdin must be a string");
        goto out;
    }
    stdin_s = sv ? json_string_value(sv) : NULL;
    if (!code == !file) {
        bad(err, errlen, "give exactly one of code (the source) and file (a file of the app)");
        goto out;
    }
    if (file && !app_relative(file)) {
        bad(err, errlen, "file must be a path inside the app folder (relative, no '..')");
        goto out;
    }
    if (filename && (!code || !app_relative(filename))) {
        bad(err, errlen, "%s",
            code ? "filename must be a relative name without '..'"
                 : "filename goes with code (a file is its own name)");
        goto out;
    }
    int ai = app ? index_of(lim->app_names, lim->napps, app) : 0;
    if (ai < 0) {
        bad(err, errlen, "unknown app '%.64s'", app);
        goto out;
    }
    int pi = profile ? index_of(lim->profile_names, lim->nprofiles, profile) : 0;
    if (pi < 0) {
        bad(err, errlen, "unknown profile '%.64s' (this server offers %s%s)", profile,
            lim->profile_names[0], lim->nprofiles > 1 ? " and others: see its --profile" : "");
        goto out;
    }
    req->app = (size_t)ai;
    req->profile = (size_t)pi;
    req->timeout_ms = lim->timeout_ms;
    req->memory_mb = lim->memory_mb;
    json_t *t = json_object_get(o, "timeout_ms");
    if (t && (!json_is_integer(t) || json_integer_value(t) < 1 ||
              (uint64_t)json_integer_value(t) > lim->timeout_ms)) {
        bad(err, errlen, "timeout_ms must be a whole number from 1 to %llu (the server's cap)",
            (unsigned long long)lim->timeout_ms);
        goto out;
    }
    if (t)
        req->timeout_ms = (uint64_t)json_integer_value(t);
    json_t *m = json_object_get(o, "memory_mb");
    if (m && (!json_is_integer(m) || json_integer_value(m) < BRK_MIN_HEAP_MB ||
              (uint64_t)json_integer_value(m) > lim->memory_mb)) {
        bad(err, errlen, "memory_mb must be a whole number from %d to %zu (the server's cap)",
            BRK_MIN_HEAP_MB, lim->memory_mb);
        goto out;
    }
    if (m)
        req->memory_mb = (size_t)json_integer_value(m);
    if (stdio && strcmp(stdio, "drop") && strcmp(stdio, "stream")) {
        bad(err, errlen, "stdio must be \"drop\" or \"stream\"");
        goto out;
    }
    req->stream = stdio && !strcmp(stdio, "stream");
    json_t *env = json_object_get(o, "env");
    if (env && !json_is_object(env)) {
        bad(err, errlen, "env must be an object of strings");
        goto out;
    }
    json_object_foreach(env, key, val)
    {
        if (!*key || strchr(key, '=') || strlen(key) > 255 || !json_is_string(val) ||
            memchr(json_string_value(val), '\0', json_string_length(val))) {
            bad(err, errlen, "env must be an object of strings (names without '=', no NUL)");
            goto out;
        }
    }
    json_t *argv = json_object_get(o, "argv");
    if (argv && !json_is_array(argv)) {
        bad(err, errlen, "argv must be an array of strings");
        goto out;
    }
    size_t i;
    json_array_foreach(argv, i, val)
    {
        if (!json_is_string(val) || memchr(json_string_value(val), '\0', json_string_length(val))) {
            bad(err, errlen, "argv must be an array of strings (no NUL)");
            goto out;
        }
    }
    char main_path[1100];
    snprintf(main_path, sizeof main_path, "/app/%s",
             file       ? file
             : filename ? filename
                        : "index.js");
    job = json_object();
    if (!job || json_object_set_new(job, "code", code ? json_string(code) : json_null()) ||
        json_object_set_new(job, "file", file ? json_string(main_path) : json_null()) ||
        json_object_set_new(job, "filename", json_string(main_path)) ||
        json_object_set_new(job, "argv", argv ? json_incref(argv) : json_array()) ||
        json_object_set_new(job, "env", env ? json_incref(env) : json_object()) ||
        json_object_set_new(job, "timeout_ms", json_integer((json_int_t)req->timeout_ms))) {
        bad(err, errlen, "out of memory");
        goto out;
    }
    req->job_json = json_dumps(job, JSON_COMPACT);
    if (!req->job_json) {
        bad(err, errlen, "out of memory");
        goto out;
    }
    if (stdin_s) {
        req->stdin_len = json_string_length(sv);
        req->stdin_data = malloc(req->stdin_len + 1);
        if (!req->stdin_data) {
            bad(err, errlen, "out of memory");
            goto out;
        }
        memcpy(req->stdin_data, stdin_s, req->stdin_len + 1);
    }
    r = 0;
out:
    json_decref(job);
    json_decref(o);
    if (r < 0)
        lch_serve_req_free(req);
    return r;
}

int lch_serve_req_set_id(lch_serve_req_t *req, const char *id)
{
    size_t jl = req->job_json ? strlen(req->job_json) : 0;
    /* the job is jansson's compact object: its last byte is the '}' */
    if (!id || !lch_job_id_ok(id, strlen(id)) || jl < 2 || req->job_json[jl - 1] != '}')
        return -1;
    char *j = realloc(req->job_json, jl + LCH_JOB_ID_LEN + 9);
    if (!j)
        return -1;
    snprintf(j + jl - 1, LCH_JOB_ID_LEN + 10, ",\"id\":\"%s\"}", id);
    req->job_json = j;
    return 0;
}

void lch_serve_req_free(lch_serve_req_t *req)
{
    free(req->job_json);
    free(req->stdin_data);
    memset(req, 0, sizeof *req);
}

/* ---- UTF-8 ---- */

/* The length of the sequence a lead byte starts (0: not a lead byte). */
static size_t seq_len(unsigned char c)
{
    return c < 0x80                 ? 1
           : c >= 0xc2 && c <= 0xdf ? 2
           : c >= 0xe0 && c <= 0xef ? 3
           : c >= 0xf0 && c <= 0xf4 ? 4
                                    : 0;
}

/* Whether s[0..n) (n = seq_len(s[0]) > 1) is a well-formed sequence: no
 * overlong form, no surrogate, nothing past U+10FFFF. */
static bool seq_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return false;
    if (n == 3)
        return !(s[0] == 0xe0 && s[1] < 0xa0) && !(s[0] == 0xed && s[1] > 0x9f);
    if (n == 4)
        return !(s[0] == 0xf0 && s[1] < 0x90) && !(s[0] == 0xf4 && s[1] > 0x8f);
    return true;
}

size_t lch_utf8_take(const char *data, size_t len, bool last, char *out, size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0, o = 0;
    while (i < len) {
        size_t n = seq_len(s[i]);
        if (n == 1) {
            out[o++] = (char)s[i++];
            continue;
        }
        if (n && i + n > len && !last) {
            /* maybe cut by the chunk: kept back when what is there fits */
            bool fits = true;
            for (size_t k = i + 1; k < len; k++)
                fits &= (s[k] & 0xc0) == 0x80;
            if (fits)
                break;
        }
        if (n && i + n <= len && seq_ok(s + i, n)) {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
            continue;
        }
        memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD for the byte */
        o += 3;
        i++;
    }
    out[o] = '\0';
    *outlen = o;
    return i;
}
