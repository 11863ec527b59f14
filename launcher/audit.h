/* SPDX-License-Identifier: Apache-2.0 */
/*
 * launcher/audit.h: the supervisor's relay of the guest's audit lines.
 *
 * The guest's lines arrive on a pipe; the supervisor appends each whole
 * line that is the guest's to say (this run's id, or serve's request id
 * once known; no "by":"supervisor"; no line of the run's own such as
 * start or end) to the log, at most max_bytes of them. Others
 * are dropped and counted: a guest past a V8 escape can still claim
 * decisions of its own, not the supervisor's, and cannot touch what is
 * already written.
 */
#ifndef LCH_AUDIT_H
#define LCH_AUDIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* A line longer than this is dropped whole. */
#define LCH_AUDIT_LINE_MAX 16384

typedef struct {
    int rd;       /* the guest's end of the pipe is the other one */
    int out;      /* the log */
    char run[40]; /* the run's id; empty: any id is taken */
    /* serve: the request's id, taken too once known (the guest switches
     * to it when its job comes, which can be before the server's start
     * message reaches the supervisor); NULL otherwise */
    lch_job_id_t *job;
    uint64_t max_bytes; /* the log's room for the guest's lines; 0: BRK_AUDIT_MAX_BYTES */
    /* a line could not be appended: called once (the run must end) */
    void (*on_fail)(void *arg);
    void *fail_arg;
    /* results, read after the thread is joined */
    bool failed;
    uint64_t bytes, dropped;
} lch_audit_relay_t;

/* Opens the log at path for appending (made 0600 when missing): a regular
 * file, never through a symbolic link, owned by the user running the
 * launcher and writable by nobody else. The descriptor (O_CLOEXEC,
 * blocking), or -1 with err set (what the option's name is prefixed). */
int lch_audit_open(const char *path, char *err, size_t errlen);

/* Whether the line l (n bytes, its '\n' included) is the guest's to say. */
bool lch_audit_line_ok(lch_audit_relay_t *r, const char *l, size_t n);
/* The relay: reads r->rd to its end, appends what it may, closes r->rd.
 * A thread's start routine (arg: the relay). */
void *lch_audit_relay(void *arg);

#endif
