/*
 * launcher/job.c — a serve job's JSON and the frames it travels in (job.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "job.h"
#include "relay.h"

static int fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "job: %s", what);
    return -1;
}

/* A string member, or NULL (absent or null); -1 when it is another type. */
static int opt_string(json_t *o, const char *key, char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    size_t n = json_string_length(v);
    if (memchr(json_string_value(v), '\0', n))
        return -1; /* a NUL would cut the C string short */
    *out = strndup(json_string_value(v), n);
    return *out ? 0 : -1;
}

bool lch_job_id_ok(const char *s, size_t len)
{
    if (len != LCH_JOB_ID_LEN)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

int lch_job_parse(const char *json, size_t len, const brk_policy_t *policy, lch_job_t *job,
                  char *err, size_t errlen)
{
    memset(job, 0, sizeof *job);
    json_error_t je;
    json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return fail(err, errlen, "not a JSON object");
    }
    int r = -1;
    if (opt_string(o, "code", &job->code) < 0 || opt_string(o, "file", &job->file) < 0 ||
        opt_string(o, "filename", &job->filename) < 0) {
        fail(err, errlen, "code, file and filename must be strings");
        goto out;
    }
    if (!job->code == !job->file) {
        fail(err, errlen, "exactly one of code and file");
        goto out;
    }
    if (!job->filename || job->filename[0] != '/') {
        fail(err, errlen, "filename must be an absolute guest path");
        goto out;
    }
    json_t *argv = json_object_get(o, "argv");
    if (argv && !json_is_array(argv)) {
        fail(err, errlen, "argv must be an array of strings");
        goto out;
    }
    size_t n = argv ? json_array_size(argv) : 0;
    job->argv = calloc(n + 1, sizeof *job->argv);
    if (!job->argv) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_array_get(argv, i);
        if (!json_is_string(a) || memchr(json_string_value(a), '\0', json_string_length(a)) ||
            !(job->argv[i] = strdup(json_string_value(a)))) {
            fail(err, errlen, "argv must be an array of strings");
            goto out;
        }
        job->argc++;
    }
    json_t *env = json_object_get(o, "env");
    if (env && !json_is_object(env)) {
        fail(err, errlen, "env must be an object of strings");
        goto out;
    }
    job->env = calloc((env ? json_object_size(env) : 0) + 1, sizeof *job->env);
    if (!job->env) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    const char *key;
    json_t *val;
    json_object_foreach(env, key, val)
    {
        if (!json_is_string(val) || !key[0] || strchr(key, '=') ||
            memchr(json_string_value(val), '\0', json_string_length(val))) {
            fail(err, errlen, "env must be an object of strings (names without '=')");
            goto out;
        }
        if (policy && !brk_allows(policy, BRK_ENV, key))
            continue;
        if (asprintf(&job->env[job->nenv], "%s=%s", key, json_string_value(val)) < 0) {
            job->env[job->nenv] = NULL;
            fail(err, errlen, "out of memory");
            goto out;
        }
        job->nenv++;
    }
    json_t *t = json_object_get(o, "timeout_ms");
    if (t && (!json_is_integer(t) || json_integer_value(t) < 0)) {
        fail(err, errlen, "timeout_ms must be a whole number");
        goto out;
    }
    job->timeout_ms = t ? (uint64_t)json_integer_value(t) : 0;
    json_t *id = json_object_get(o, "id");
    if (id &&
        (!json_is_string(id) || !lch_job_id_ok(json_string_value(id), json_string_length(id)))) {
        fail(err, errlen, "id must be 16 hex digits");
        goto out;
    }
    if (id)
        memcpy(job->id, json_string_value(id), LCH_JOB_ID_LEN + 1);
    r = 0;
out:
    json_decref(o);
    if (r < 0)
        lch_job_free(job);
    return r;
}

void lch_job_free(lch_job_t *job)
{
    free(job->code);
    free(job->file);
    free(job->filename);
    for (size_t i = 0; job->argv && job->argv[i]; i++)
        free(job->argv[i]);
    free(job->argv);
    for (size_t i = 0; job->env && i < job->nenv; i++)
        free(job->env[i]);
    free(job->env);
    memset(job, 0, sizeof *job);
}

/* Reads exactly n bytes: 0, or -errno (-EPIPE at the end). */
static int read_full(int fd, void *buf, size_t n)
{
    size_t have = 0;
    while (have < n) {
        ssize_t r = read(fd, (char *)buf + have, n - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -EPIPE;
        have += (size_t)r;
    }
    return 0;
}

int lch_frame_read(int fd, char **data, size_t *len, size_t max)
{
    unsigned char head[LCH_FRAME_HEAD];
    *data = NULL;
    *len = 0;
    int e = read_full(fd, head, sizeof head);
    if (e < 0)
        return e;
    size_t n =
        (size_t)head[1] | (size_t)head[2] << 8 | (size_t)head[3] << 16 | (size_t)head[4] << 24;
    if (n > max)
        return -EMSGSIZE;
    char *buf = malloc(n + 1);
    if (!buf)
        return -ENOMEM;
    if ((e = read_full(fd, buf, n)) < 0) {
        free(buf);
        return e;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return head[0];
}
