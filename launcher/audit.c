/* SPDX-License-Identifier: Apache-2.0 */
/*
 * launcher/audit.c: the supervisor's relay of the guest's audit lines
 * (see audit.h).
 */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../bridge/broker.h"

#define JOB_WAIT_MS 1000

int lch_audit_open(const char *path, char *err, size_t errlen)
{
    struct stat st;
    /* a device or a FIFO is refused before it is opened (an open can act,
     * or block) */
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
        snprintf(err, errlen, "--audit %s: not a regular file", path);
        return -1;
    }
    int fd = open(
        path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "--audit %s: %s", path,
                 errno == ELOOP ? "is a symbolic link (the log is never written through one)"
                                : strerror(errno));
        return -1;
    }
    const char *why = NULL;
    char own[96];
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        why = "not a regular file";
    } else if (st.st_uid != geteuid()) {
        /* made beforehand by someone else, who could read or alter it */
        snprintf(own, sizeof own, "owned by uid %u, not by the user running the launcher (%u)",
                 (unsigned)st.st_uid, (unsigned)geteuid());
        why = own;
    } else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        why = "writable by others than its owner (chmod go-w)";
    }
    if (why) {
        snprintf(err, errlen, "--audit %s: %s", path, why);
        close(fd);
        return -1;
    }
    lch_fd_blocking(fd);
    return fd;
}

bool lch_audit_line_ok(lch_audit_relay_t *r, const char *l, size_t n)
{
    if (n < 8 || strncmp(l, "{\"ts\":", 6) || l[n - 1] != '\n' || l[n - 2] != '}' ||
        memchr(l, '\0', n))
        return false;
    /* read as JSON, each key once: what a reader of the log will see
     * (escapes such as \u0073upervisor and repeated keys, which the
     * broker never writes, are refused, not matched as text) */
    json_error_t je;
    json_t *o = json_loadb(l, n - 1, JSON_REJECT_DUPLICATES, &je);
    const char *run = json_string_value(json_object_get(o, "run"));
    const char *by = json_string_value(json_object_get(o, "by"));
    const char *dom = json_string_value(json_object_get(o, "domain"));
    const char *op = json_string_value(json_object_get(o, "op"));
    bool ok = json_is_object(o) && json_is_number(json_object_get(o, "ts")) && dom && op;
    if (ok && r->run[0] && !(run && !strcmp(run, r->run))) {
        char job[sizeof r->job->id];
        ok = run && r->job && lch_job_id_wait(r->job, JOB_WAIT_MS, job, sizeof job) &&
             !strcmp(run, job);
    }
    if (ok && json_object_get(o, "by"))
        ok = by && strcmp(by, "supervisor") != 0;
    if (ok && !strcmp(dom, "audit"))
        ok = !strcmp(op, "stop");
    json_decref(o);
    return ok;
}

/* Appends the line; false when the log cannot take it. */
static bool append(int fd, const char *l, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, l + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

void *lch_audit_relay(void *arg)
{
    lch_audit_relay_t *r = arg;
    static char buf[LCH_AUDIT_LINE_MAX * 2]; /* one relay per process */
    uint64_t room = r->max_bytes ? r->max_bytes : BRK_AUDIT_MAX_BYTES;
    size_t have = 0;
    bool skipping = false; /* inside a line too long to take */
    for (;;) {
        ssize_t n = read(r->rd, buf + have, sizeof buf - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', have - start);
            if (!nl)
                break;
            size_t len = (size_t)(nl - (buf + start)) + 1;
            if (skipping || len > LCH_AUDIT_LINE_MAX || !lch_audit_line_ok(r, buf + start, len) ||
                r->bytes + len > room) {
                r->dropped++;
            } else if (!r->failed) {
                if (!append(r->out, buf + start, len)) {
                    /* the guest's decision is made and its line cannot be
                     * kept: the run ends */
                    r->failed = true;
                    if (r->on_fail)
                        r->on_fail(r->fail_arg);
                }
                r->bytes += len;
            }
            skipping = false;
            start += len;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
        if (have > LCH_AUDIT_LINE_MAX) { /* no end in sight: drop up to the next one */
            skipping = true;
            have = 0;
        }
    }
    if (have)
        r->dropped++;
    close(r->rd);
    r->rd = -1;
    return NULL;
}
