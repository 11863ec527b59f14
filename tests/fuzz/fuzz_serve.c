/* tests/fuzz/fuzz_serve.c — libFuzzer target for serve's parts without I/O
 * (launcher/serve_req.c), the untrusted edge of the sidecar: any bytes as a
 * POST /v1/run body must give 0 or a clean refusal with a message, never a
 * crash, leak or out-of-bounds access (built with ASan+UBSan). A request it
 * takes must become a job the member's own parser (launcher/job.c) takes,
 * within the server's limits. The same bytes as streamed output must come
 * out of lch_utf8_take as valid UTF-8 within its cap, and the same whether
 * they arrive in one chunk or two; split at NUL bytes, they are serve's
 * command line. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../launcher/job.h"
#include "../../launcher/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const app_names[] = {"web", "api"};
static const char *const profile_names[] = {"default", "strict"};
static const lch_serve_limits_t lim = {.app_names = app_names,
                                       .napps = 2,
                                       .profile_names = profile_names,
                                       .nprofiles = 2,
                                       .timeout_ms = 5000,
                                       .memory_mb = 256};

/* Strict UTF-8 (RFC 3629), written apart from serve_req.c's own checks. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + k > n)
            return false;
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k;
    }
    return true;
}

static void request(const uint8_t *data, size_t size)
{
    lch_serve_req_t req;
    char err[256];
    err[0] = '\0';
    if (lch_serve_request((const char *)data, size, &lim, &req, err, sizeof err) < 0) {
        if (!err[0] || req.job_json || req.stdin_data || req.stdin_len)
            abort(); /* a refusal says why and leaves nothing */
        return;
    }
    if (!req.job_json || req.app >= lim.napps || req.profile >= lim.nprofiles ||
        req.timeout_ms < 1 || req.timeout_ms > lim.timeout_ms || req.memory_mb < BRK_MIN_HEAP_MB ||
        req.memory_mb > lim.memory_mb)
        abort();
    if (req.stdin_data && req.stdin_data[req.stdin_len] != '\0')
        abort();
    lch_job_t job;
    if (lch_job_parse(req.job_json, strlen(req.job_json), NULL, &job, err, sizeof err) < 0)
        abort(); /* what the server sends, the member takes */
    if (!job.code == !job.file || strncmp(job.filename, "/app/", 5) ||
        (job.file && strcmp(job.file, job.filename)) || job.timeout_ms != req.timeout_ms ||
        strstr(job.filename, "/../") || strstr(job.filename, "//"))
        abort();
    for (size_t i = 0; i < job.nenv; i++)
        if (!strchr(job.env[i], '=') || job.env[i][0] == '=')
            abort();
    lch_job_free(&job);
    lch_serve_req_free(&req);
}

/* The whole of data with last, or NULL when out of memory; *n its length. */
static char *take(const char *in, size_t len, bool last, size_t *took, size_t *n)
{
    char *out = malloc(3 * len + 1);
    if (!out)
        return NULL;
    *took = lch_utf8_take(in, len, last, out, n);
    if (*took > len || *n > 3 * len || out[*n] != '\0')
        abort();
    if (!memchr(in, '\0', len) && strlen(out) != *n)
        abort();
    return out;
}

static void utf8(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t took, n;
    char *whole = take(in, size, true, &took, &n);
    if (!whole)
        return;
    if (took != size || !utf8_valid((unsigned char *)whole, n))
        abort();
    /* in two chunks: the first keeps back at most an unfinished sequence,
     * which the second starts with; together, the same text */
    size_t cut = size ? data[0] % (size + 1) : 0;
    size_t took1, n1, took2, n2;
    char *a = take(in, cut, false, &took1, &n1);
    if (a) {
        if (cut - took1 > 3 || !utf8_valid((unsigned char *)a, n1))
            abort();
        char *b = take(in + took1, size - took1, true, &took2, &n2);
        if (b) {
            if (took2 != size - took1 || n1 + n2 != n || memcmp(a, whole, n1) ||
                memcmp(b, whole + n1, n2))
                abort();
            free(b);
        }
        free(a);
    }
    free(whole);
}

static void options(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *argv[64];
    int argc = 0;
    argv[argc++] = "serve";
    for (char *p = copy; argc < 64 && p <= copy + size; p += strlen(p) + 1)
        argv[argc++] = p;
    lch_serve_opts_t o;
    char *err = NULL;
    int r = lch_serve_parse(argc, argv, &o, &err);
    if (r < 0 && !err)
        abort();
    if (r == 0 && (err || (!o.help && !o.listen) || o.max_concurrent < 1 || o.max_body < 1024 ||
                   o.nprofiles > LCH_SERVE_MAX_PROFILES || o.napps > LCH_SERVE_MAX_APPS ||
                   o.npass > LCH_SERVE_MAX_PASS))
        abort();
    free(err);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    request(data, size);
    utf8(data, size);
    options(data, size);
    return 0;
}
