/*
 * launcher/sandbox.h — the OS wall: the guest in fresh namespaces behind
 * a supervisor that stays outside.
 *
 * lch_sandbox_run forks twice: a middle process that creates the user,
 * mount, net, ipc, uts, cgroup and pid namespaces (mapping the invoking
 * user to the unprivileged uid/gid 1000 inside), and under it the guest,
 * pid 1 of the new pid namespace, which builds its view of the file system
 * (a tmpfs root, read-only system folders, the app at /app, a private
 * /tmp, a new /proc, a minimal /dev), pivots into it, hardens itself
 * (rlimits, capabilities, no_new_privs, fds, Landlock, seccomp) and only
 * then calls the guest function — still single-threaded. The supervisor
 * (the caller's process) never runs guest code: it waits, passes
 * SIGINT/SIGTERM/SIGHUP on to the guest (through the middle process, which
 * alone may name it safely) and the terminal's new sizes, kills it on
 * SIGQUIT, enforces the wall-clock
 * backstop and maps how the guest ended to the exit status (launcher/README.md).
 * It prints each limit's `secure-exec-launch:` line (report.h): the guest
 * runtime only claims its own limits on a pipe only it holds.
 */
#ifndef LCH_SANDBOX_H
#define LCH_SANDBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "report.h"

#define LCH_GUEST_UID 1000
#define LCH_GUEST_GID 1000

/* Where the guest sees the launcher's own binary (read-only): its
 * process.execPath and argv[0], whatever the host path. */
#define LCH_GUEST_EXEC_PATH "/sandbox/bin/node"

/* The status of a run whose output passed its cap (128 + SIGXFSZ). */
#define LCH_EXIT_OUTPUT 153

/* serve's start message on control_fd, then 8 bytes: the wall-clock
 * limit, 16: the request's id (hex digits, job.h), and 8: when the server
 * gave the job (CLOCK_MONOTONIC, ms), which the wall clock starts from
 * (the guest may take its job before this message is read). */
#define LCH_SERVE_START 'S'
#define LCH_SERVE_START_LEN 33

typedef struct {
    const char *app;             /* host folder shown read-only at /app */
    const char *const *ro_paths; /* host paths shown read-only at the same path */
    size_t nro;
    const char *const *rw_paths; /* host paths shown read-write at the same path */
    size_t nrw;
    size_t tmpfs_mb;       /* size of the private /tmp (0: 64 MiB) */
    uint64_t wall_ms;      /* supervisor backstop: 0 none (a grace is added) */
    uint64_t cpu_ms;       /* RLIMIT_CPU (0 none) */
    unsigned pids;         /* RLIMIT_NPROC inside the user namespace (0 none) */
    unsigned fds;          /* RLIMIT_NOFILE (0: the default) */
    uint64_t fsize_bytes;  /* RLIMIT_FSIZE (0 none) */
    size_t memory_mb;      /* the run's cgroup memory limit, where there is one (0 none) */
    uint64_t output_bytes; /* cap on stdout and stderr together (0 none) */
    bool overlay;          /* serve <app>/node_modules at /app/node_modules (FUSE) */
    const char *seccomp;   /* policy name ("strict", "default", ...) */
    /* Processes (run.allow): the seccomp policy's "+run" form, and the
     * files Landlock lets the guest execute (guest paths: launcher/run.h),
     * or every file with exec_all. */
    bool run;
    const char *const *exec_files;
    size_t nexec;
    bool exec_all;
    const int *keep_fds; /* descriptors the guest keeps besides 0-2 */
    size_t nkeep;
    size_t budget_mb;        /* the guest's memory budget, for its limit's line */
    lch_report_t *report;    /* out (optional): how the run ended, as the supervisor saw it */
    const char *const *argv; /* the guest's /proc/self/cmdline (guest paths; none: empty) */
    size_t argc;
    /* With tty_resize: on SIGWINCH the supervisor reads the window size of
     * the host's terminal tty_fd and writes it on resize_wr (the guest
     * keeps the read end: bridge/signal.c). */
    bool tty_resize;
    int tty_fd;
    int resize_wr;
    /* The network (launcher/netd.h): the middle process's end of the
     * socket factory (> 2; 0: none), which it serves while the guest runs;
     * and descriptors of the guest's that the supervisor closes once the
     * sandbox is forked (the channel's guest ends, also in keep_fds). */
    int net_factory_fd;
    const int *give_fds;
    size_t ngive;
    /* serve's sandboxes (launcher/serve.h): the server's control socket
     * (> 2; 0 none). The sandbox is built and waits, no wall clock
     * running, until the server's start message on it (LCH_SERVE_START,
     * the job's wall-clock limit in ms, 8 bytes little-endian, 0 none, and
     * the request's id); the wall clock runs from then. The socket closed before: the guest
     * is ended. The guest's output goes there in frames (relay.h), no
     * limit line or hint is printed (the report frame says it all). */
    int control_fd;
    /* Called in the supervisor right after the sandbox is forked (threads
     * may start there: none runs across the fork). */
    void (*started)(void *arg);
    void *started_arg;
    /* Called in the supervisor when serve's start message came, with the
     * request's id (NULL: none), started_arg as arg. */
    void (*job_started)(void *arg, const char *id);
    /* Called in the guest just before its seccomp policy is installed
     * (what it must do while it still may). */
    void (*before_seccomp)(void);
    /* The operator shell (launcher/shell.c): the guest's output in frames
     * on frames_fd (> 2; 0 none) as for serve, but with the limit lines
     * printed; its standard input /dev/null (null_stdin: the shell reads
     * the host's); a SIGINT to the supervisor calls on_sigint(started_arg)
     * instead of going to the guest; the guest's pid (as the supervisor
     * sees it) stored in *guest_pid once known. */
    int frames_fd;
    bool null_stdin;
    void (*on_sigint)(void *arg);
    _Atomic pid_t *guest_pid;
} lch_sandbox_t;

/* The guest's user on the host: the invoking user, or nobody (65534) when
 * that is root (the guest is uid 1000 inside). */
uid_t lch_sandbox_host_uid(void);

/* Whether p is in the system folders the view shows read-only (/usr,
 * /bin, /lib, ...). */
bool lch_sandbox_system(const char *p);
/* Whether the sandbox shows host path p (a grant) by binding it at the same
 * path: false for what the view has of its own (/, /app, /tmp itself — the
 * private one —, /proc, /dev, /sys, /etc, /sandbox, the system folders). */
bool lch_sandbox_binds(const char *p);

/*
 * Runs guest(arg) inside the sandbox. In the supervisor it returns the
 * exit status to leave with (>= 0), or -1 with err set when the sandbox
 * could not be set up (the caller exits 125). The guest never returns
 * from this call: it exits with guest's return value.
 */
int lch_sandbox_run(const lch_sandbox_t *sb, int (*guest)(void *arg), void *arg, char *err,
                    size_t errlen);

#endif
