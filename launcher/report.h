/*
 * launcher/report.h — why a run ended, as the supervisor knows it: the
 * record of --report (one JSON object), the `secure-exec-launch:` line of
 * each limit, and the guest runtime's claim.
 *
 * Who can write what: the guest writes its stdout, its stderr and its exit
 * code, so a status or a line alone proves nothing (a guest may print the
 * memory line and exit 137). The record is filled and written by the
 * supervisor from what it saw itself: its own timers, the relay's count,
 * the run's cgroup, the kernel's wait status of the guest (passed on by
 * the middle process, which the guest cannot see). Two limits are
 * enforced inside the guest process by its runtime (the memory budget,
 * the V8 watchdog), so the supervisor hears of them from a claim: a few
 * bytes on a pipe whose write end only the runtime holds (the bridges'
 * descriptor table does not let JS name it). A claim counts only with the
 * status it comes with, and time and CPU ones only when the supervisor's
 * own clock agrees; the record says which limits came from a claim. The
 * permission-denial count is the broker's, which runs in the guest
 * process: it is a claim of the guest and named so in the record.
 *
 * lch_report_decide() and lch_report_json() are what a later sidecar
 * (`serve`) reuses for its result: facts in, record out, record to JSON.
 */
#ifndef LCH_REPORT_H
#define LCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    LCH_LIMIT_NONE = 0,
    LCH_LIMIT_TIME,
    LCH_LIMIT_CPU,
    LCH_LIMIT_MEMORY,
    LCH_LIMIT_OUTPUT,
    LCH_LIMIT_SECCOMP,
    LCH_LIMIT_LAUNCHER,
} lch_limit_t;

/* What the supervisor itself did to end the run. */
typedef enum {
    LCH_END_GUEST = 0, /* nothing: the guest ended (or the setup failed) */
    LCH_END_WALL,      /* killed at the wall-clock deadline */
    LCH_END_CPU,       /* killed at the CPU-time limit it measured */
    LCH_END_SIGNAL,    /* killed because it got SIGQUIT */
} lch_end_t;

/* The guest runtime's claim: what ended the run from inside, and the
 * broker's denial count (-1: not counted). */
#define LCH_CLAIM_PACKAGE_MAX 216

/* The domains the denial count is split into, as the audit log names
 * them: fs (reads and writes), net, env, run. */
#define LCH_DENIAL_DOMAINS 4
extern const char *const lch_denial_domains[LCH_DENIAL_DOMAINS];

typedef struct {
    lch_limit_t limit;
    int64_t denials;
    int64_t denials_by[LCH_DENIAL_DOMAINS]; /* -1: not counted */
    /* the package an uncaught "Cannot find module/package" named ("": none):
     * only for the launcher's hint (hint.h), never trusted beyond that */
    char package[LCH_CLAIM_PACKAGE_MAX];
} lch_claim_t;

/* Everything the supervisor knows at the end of a run. */
typedef struct {
    int status;           /* the status the run leaves with (125 for a set-up failure) */
    bool setup_failed;    /* the sandbox could not be set up */
    int wait_status;      /* the guest's wait status, from the middle; -1 unknown */
    lch_end_t end;        /* what the supervisor did */
    int forwarded_signal; /* the last SIGINT/SIGTERM/SIGHUP passed on, or LCH_END_SIGNAL's */
    bool output_over;     /* the relay stopped the output at its cap */
    bool cgroup_oom;      /* the run's cgroup counted an OOM kill */
    uint64_t wall_ms;     /* the limits in force (0 none) */
    uint64_t cpu_limit_ms;
    uint64_t duration_ms;    /* from before the first fork to the end */
    int64_t cpu_ms;          /* -1 unknown */
    int64_t peak_bytes;      /* -1 unknown */
    const char *peak_source; /* "cgroup" or "rusage" (static) */
    bool have_claim;
    lch_claim_t claim;
    const char *error; /* set-up failure: the message (borrowed) */
} lch_facts_t;

/* The record. Strings are static or borrowed from the facts. */
typedef struct {
    int exit_code;
    int signal; /* the signal that ended the guest, 0 none */
    lch_limit_t limit;
    bool limit_claimed; /* the limit is the guest runtime's claim, checked */
    uint64_t duration_ms;
    int64_t cpu_ms;     /* -1: null */
    int64_t peak_bytes; /* -1: null */
    const char *peak_source;
    int64_t claimed_denials;                        /* -1: null */
    int64_t claimed_denials_by[LCH_DENIAL_DOMAINS]; /* [0] -1: null */
    const char *error;                              /* NULL: null */
} lch_report_t;

const char *lch_limit_name(lch_limit_t l);

/* Fills r from f (borrows f's strings). Pure: no I/O. */
void lch_report_decide(lch_report_t *r, const lch_facts_t *f);

/* The record as one line of JSON with a final newline; malloc'd, the
 * caller frees; NULL when out of memory. */
char *lch_report_json(const lch_report_t *r, const char *version);

/* Opens the file of --report for the supervisor, before the guest runs:
 * created 0600 (an existing one must be a regular file of ours with one
 * link; it is truncated then), never through a symlink, never the audit
 * log (audit_fd, -1 none), never a path the guest could write or rename:
 * one inside rw[0..nrw), the host paths the sandbox shows writable
 * (canonical; "/tmp" there means the guest's private one). Returns the
 * descriptor, or -1 with err set. */
/* Checks that path (a file the launcher writes: --report, --audit) names a
 * file, in a folder that exists, and that no write grant (rw, nrw; the
 * private /tmp aside) covers it, where the guest could replace it. Fills
 * real (PATH_MAX: the folder's real path) and base (NAME_MAX + 1: the
 * file's name); -1 with err (what: the option's name) otherwise. */
int lch_outside_write_grants(const char *path, const char *what, const char *const *rw, size_t nrw,
                             char *real, char *base, char *err, size_t errlen);

int lch_report_open(const char *path, const char *const *rw, size_t nrw, int audit_fd, char *err,
                    size_t errlen);

/* Writes the record to fd (from offset 0) and closes it: 0, or -1 with err. */
int lch_report_write(int fd, const lch_report_t *r, const char *version, char *err, size_t errlen);

/* The `secure-exec-launch: ...` line of r's limit into buf ("" when
 * none). The numbers are the limits in force. */
void lch_report_line(const lch_report_t *r, uint64_t wall_ms, uint64_t cpu_ms, size_t budget_mb,
                     size_t cgroup_mb, uint64_t output_bytes, char *buf, size_t cap);

/* ---- the claim channel ---- */

/* In the guest process: the pipe's write end to claim on. */
void lch_claim_init(int fd);
/* The descriptor lch_claim_init was given (-1 none). */
int lch_claim_fd(void);
/* The package name later claims carry (cut to LCH_CLAIM_PACKAGE_MAX - 1). */
void lch_claim_package(const char *name);
/* The count by domain later claims carry (lch_denial_domains' order). */
void lch_claim_denials_by(const int64_t by[LCH_DENIAL_DOMAINS]);
/* Sends a claim (async-signal-safe; nothing without lch_claim_init). A
 * claim whose denials is -1 carries no count by domain either. */
void lch_claim_send(lch_limit_t limit, int64_t denials);
/* In the supervisor, after the guest is gone: the first claim on the read
 * end (non-blocking). True when there was a well-formed one. */
bool lch_claim_read(int fd, lch_claim_t *c);

/* The launcher's status for its own failures. */
#define LCH_EXIT_LAUNCHER 125

/* The launcher's one way out before a guest runs (main.c, nested.c):
 * "secure-exec-launch: MESSAGE" on stderr, the supervisor's record told
 * (in a guest process: lch_claim_send), exit LCH_EXIT_LAUNCHER. */
__attribute__((format(printf, 1, 2), noreturn)) void lch_die(const char *fmt, ...);

#endif
