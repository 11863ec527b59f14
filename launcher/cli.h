/*
 * launcher/cli.h — the command line of secure-exec-launch (its --help).
 *
 * lch_cli_parse() never exits and never prints: it fills lch_opts_t, which
 * borrows strings from argv, or returns a negative errno with a one-line
 * message (malloc'd, caller frees) that main prints after
 * "secure-exec-launch: " and exits 125.
 */
#ifndef SE_LAUNCHER_CLI_H
#define SE_LAUNCHER_CLI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define LCH_MAX_GRANTS 64
#define LCH_MAX_PUBLISH 16

/* One --allow-* option: domain is a brk_domain_t; list NULL = the whole domain. */
typedef struct lch_grant_s {
    int domain;
    const char *list;
    const char *option; /* as typed, for messages */
} lch_grant_t;

typedef struct lch_opts_s {
    const char *script; /* SCRIPT, or NULL with -e */
    const char *eval;   /* -e CODE */
    char *const *args;  /* guest arguments (borrowed from argv) */
    size_t nargs;
    size_t memory_limit_mb; /* --memory-limit; 0 = V8's default */
    uint64_t timeout_ms;    /* --timeout; 0 = none */
    uint64_t cpu_ms;        /* --cpu-time-limit; 0 = none */
    uint64_t write_bytes;   /* --write-limit when write_bytes_set (0: no quota) */
    uint64_t write_files;   /* --write-files-limit when write_files_set (0: no quota) */
    bool write_bytes_set, write_files_set;
    const char *profile; /* --profile NAME|FILE; NULL = strict */
    const char *app;     /* --app DIR; NULL = the current folder */
    const char *audit;   /* --audit FILE */
    const char *report;  /* --report FILE: the supervisor's record of the end */
    lch_grant_t grants[LCH_MAX_GRANTS];
    size_t ngrants;
    const char *publish[LCH_MAX_PUBLISH]; /* --publish [HOSTIP:]HOSTPORT:GUESTPORT */
    size_t npublish;
    bool allow_all;
    bool print_profile; /* --print-profile: show the effective policy and exit */
    bool serve_member;  /* --serve-member: a sandbox of serve's pool (launcher/job.h) */
    bool shell;         /* `shell`: the operator's REPL (launcher/shell.c) */
    bool shell_channel; /* --shell-channel: serve --debug's member, fds 5 and 6 */
    const char *attach; /* shell --attach ID: a running serve job's sandbox */
    const char *server; /* shell --server unix:PATH: that serve */
    bool help;
    bool version;
} lch_opts_t;

int lch_cli_parse(int argc, char *const *argv, lch_opts_t *o, char **err);
/* A whole decimal number in [min, max]: 0, or -EINVAL. */
int lch_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* A condition variable whose timed waits run on CLOCK_MONOTONIC, and the
 * time on that clock ms from now (for pthread_cond_timedwait). */
void lch_cond_init_monotonic(pthread_cond_t *cv);
void lch_monotonic_in(struct timespec *ts, uint64_t ms);

/* serve's request id as a sandbox's supervisor learns it (its start
 * message), shared by the threads that write audit lines: a line due
 * before it waits for it, once in all, at most a given time. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool known, waited;
    char id[40];
} lch_job_id_t;

void lch_job_id_init(lch_job_id_t *j);
void lch_job_id_destroy(lch_job_id_t *j);
void lch_job_id_set(lch_job_id_t *j, const char *id);
/* Whether the id is known, waiting at most ms for it the first time any
 * caller finds it unknown; the id is copied into out (outlen > 0) when
 * known. */
bool lch_job_id_wait(lch_job_id_t *j, uint64_t ms, char *out, size_t outlen);
/* Makes fd's reads and writes blocking again (a file opened O_NONBLOCK
 * so that its open could not wait). */
void lch_fd_blocking(int fd);
/* The --help text. */
const char *lch_cli_usage(void);

#endif
