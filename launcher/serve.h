/*
 * launcher/serve.h — `secure-exec-launch serve`: the sidecar.
 *
 * An HTTP/1.1 + JSON server (libuv, Debian's http-parser, jansson; no JS
 * on the server's side) that runs each POST /v1/run in a fresh sandbox
 * taken from a warm pool. A pooled sandbox is a run of this launcher
 * started with --serve-member (launcher/job.h): namespaces, mounts, the
 * overlay, hardening, seccomp and the isolate made from the snapshot, all
 * done; its guest waits for one job. A request takes one, runs exactly one
 * job in it, the sandbox ends, and the pool is refilled in the background.
 * Each member's supervisor is a launcher of its own: the wall clock, the
 * CPU limit, the output cap and the cgroup are its, as for a CLI run, and
 * its report (report.h) is the request's result.
 *
 * The protocol of a member (descriptors of the member process):
 *   0  a pipe: the job's stdin (written, then closed)
 *   2  the server's stderr: a member's set-up failure line
 *   3  the control socket: the server sends LCH_SERVE_START + the wall
 *      limit + the request's id (sandbox.h); the member sends frames of
 *      output and, last, its report (relay.h)
 *   4  the job socket, held by the guest: LCH_JOB_READY, then the job
 *      frame, then the answer frame (job.h)
 */
#ifndef LCH_SERVE_H
#define LCH_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LCH_SERVE_MAX_APPS 16
#define LCH_SERVE_MAX_PROFILES 8
#define LCH_SERVE_MAX_PASS 64

typedef struct {
    const char *listen;      /* unix:PATH or HOST:PORT */
    bool listen_public;      /* a non-loopback address is meant */
    unsigned pool;           /* warm sandboxes kept per app (default 2) */
    unsigned max_concurrent; /* jobs running at once (default 64) */
    unsigned queue;          /* requests waiting past that (default 0: 429 at once) */
    uint64_t timeout_ms;     /* a job's wall-clock cap and default (0: the profile's, else 30 s) */
    size_t memory_mb;        /* a job's memory cap and default (0: the profile's) */
    uint64_t cpu_ms;         /* a job's CPU cap (0: the profile's) */
    size_t max_body;         /* a request body's cap in bytes (default 4 MiB) */
    const char *profiles[LCH_SERVE_MAX_PROFILES]; /* the first is the default */
    size_t nprofiles;
    const char *apps[LCH_SERVE_MAX_APPS]; /* [NAME=]DIR; the first is the default */
    size_t napps;
    const char *audit;                    /* --audit FILE (absolute), given to each member */
    const char *pass[LCH_SERVE_MAX_PASS]; /* --allow-* options, given to each member */
    size_t npass;
    /* --debug: each sandbox also takes an operator shell's channel, which
     * `shell --attach ID` asks for (POST /v1/attach/ID, unix sockets only) */
    bool debug;
    bool help;
} lch_serve_opts_t;

/* A serve member's descriptors for the operator shell's channel
 * (serve --debug): the guest's end of the JSON-lines socket and the read
 * end of the Ctrl-C pipe (bridge/shell.c). */
#define LCH_MEMBER_SHELL_CTL_FD 5
#define LCH_MEMBER_SHELL_INTR_FD 6

/* Parses serve's options (argv[0] is "serve"): 0, or -1 with a malloc'd
 * one-line message in *err. Never prints or exits. */
int lch_serve_parse(int argc, char *const *argv, lch_serve_opts_t *o, char **err);
const char *lch_serve_usage(void);

/* Runs the server until SIGTERM or SIGINT (drained) — the process's exit
 * status. self: this launcher's own binary (the members are its runs). */
int lch_serve_main(const lch_serve_opts_t *o, const char *self);

/* ---- parts with no I/O (tests/unit) ---- */

/* The request's JSON checked and made into a job. */
typedef struct {
    char *job_json;   /* the job frame's JSON (job.h), malloc'd */
    char *stdin_data; /* malloc'd, stdin_len bytes (NULL none) */
    size_t stdin_len;
    size_t app;       /* index of the app */
    size_t profile;   /* index of the profile */
    size_t memory_mb; /* the job's memory limit */
    uint64_t timeout_ms;
    bool stream; /* stdio "stream" */
} lch_serve_req_t;

/* The limits a request may ask for (the server's caps) and what it runs
 * with when it names none. */
typedef struct {
    const char *const *app_names;
    size_t napps;
    const char *const *profile_names;
    size_t nprofiles;
    uint64_t timeout_ms; /* cap and default */
    size_t memory_mb;    /* cap and default */
} lch_serve_limits_t;

/* Checks a POST /v1/run body (len bytes) against lim: 0, or -1 with a
 * message for the 400 answer in err. */
int lch_serve_request(const char *body, size_t len, const lch_serve_limits_t *lim,
                      lch_serve_req_t *req, char *err, size_t errlen);
void lch_serve_req_free(lch_serve_req_t *req);
/* Adds the request's id (job.h's "id") to req's job: 0, or -1 (a bad id,
 * out of memory). */
int lch_serve_req_set_id(lch_serve_req_t *req, const char *id);

/* Copies the longest prefix of data (len bytes) that is whole UTF-8 into
 * out (cap >= 3 * len + 1 bytes; each invalid byte becomes U+FFFD), and
 * returns how many bytes of data it took: the rest (at most 3 bytes) is an
 * incomplete sequence that the next chunk may finish. *outlen: the bytes
 * written. With last, nothing is kept back. */
size_t lch_utf8_take(const char *data, size_t len, bool last, char *out, size_t *outlen);

#endif
