/*
 * launcher/job.h — a serve job as its sandbox takes it.
 *
 * Each sandbox of serve's pool (launcher/serve.h) is a run of the launcher
 * started with --serve-member: it builds everything up to the isolate made
 * from the snapshot, then its guest process says it is ready on the job
 * socket (descriptor 4 of the member, a socket to the server) and waits
 * there for one job frame (relay.h's framing, type LCH_JOB_FRAME): one JSON
 * object the server made from the request it checked,
 *
 *   {"code": "..." | null, "file": "/app/x.js" | null, "filename": "/app/index.js",
 *    "argv": ["..."], "env": {"NAME": "value"}, "timeout_ms": 5000,
 *    "id": "0123456789abcdef"}
 * ("id": the request's, LCH_JOB_ID_LEN hex digits: the run's audit lines
 * carry it from the job on.)
 *
 * After the run it closes its 1 and 2 (the relay then sends LCH_FRAME_EOF:
 * every byte of output is with the server) and answers with one frame,
 * LCH_JOB_ANSWER:
 *
 *   {"exit_code": 0, "ended": true, "exports_error": "..."}
 *
 * then a newline and the JSON of module.exports as JSON.stringify made it
 * (nothing when there is none), which the server checks and passes on
 * byte for byte. The guest then waits (at most a second) for the server
 * to shut the job socket, which it does once the answer is passed on (or
 * at once when it waits for the sandbox's report): the end of a process
 * with an isolate takes a core for milliseconds, after the answer.
 * "ended": the run ended by itself (no limit of the runtime's stopped it).
 * The guest is untrusted by then: the server bounds and parses what it
 * gets; the exit code is the guest's own anyway (process.exit(n)), and a
 * limit is only ever taken from the supervisor's report.
 */
#ifndef LCH_JOB_H
#define LCH_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bridge/broker.h"

#define LCH_JOB_READY 'R'  /* the guest's first byte: waiting for its job */
#define LCH_JOB_FRAME 'j'  /* the server's job */
#define LCH_JOB_ANSWER 'a' /* the guest's answer after the run */
#define LCH_JOB_MAX (64u << 20)
#define LCH_JOB_ID_LEN 16 /* a request id: hex digits */
/* The member's descriptors: the server's control socket (frames of
 * output and the report) and the job socket the guest keeps. */
#define LCH_MEMBER_CONTROL_FD 3
#define LCH_MEMBER_JOB_FD 4

typedef struct {
    char *code;     /* the source, or NULL with file */
    char *file;     /* a file of the app (guest path), or NULL with code */
    char *filename; /* the main module's name (guest path) */
    char **argv;    /* after the script */
    size_t argc;
    char **env; /* "NAME=value", only names the policy lets through */
    size_t nenv;
    uint64_t timeout_ms;         /* 0 none */
    char id[LCH_JOB_ID_LEN + 1]; /* the request's, "" none */
} lch_job_t;

/* True when s is a request id (LCH_JOB_ID_LEN lowercase hex digits). */
bool lch_job_id_ok(const char *s, size_t len);

/* Parses a job's JSON (len bytes): 0, or -1 with err. env keeps the names
 * policy allows (BRK_ENV; NULL: all). */
int lch_job_parse(const char *json, size_t len, const brk_policy_t *policy, lch_job_t *job,
                  char *err, size_t errlen);
void lch_job_free(lch_job_t *job);

/* Reads one frame on fd (blocking) into a malloc'd buffer of at most max
 * bytes (NUL-ended past the length): its type, or -errno (-EMSGSIZE: too
 * long; -EPIPE: closed). */
int lch_frame_read(int fd, char **data, size_t *len, size_t max);

#endif
