/*
 * launcher/shell.h — `secure-exec-launch shell`: the operator's REPL.
 *
 * The guest runs inside the same walls as a run (namespaces, seccomp,
 * Landlock, the broker, the limits) and evaluates what it is sent
 * (js/node/internal/shell/repl.js, bridge/shell.c). The supervisor keeps
 * the terminal: a thread of it edits the lines (libedit), keeps the history
 * outside the sandbox, shows the guest's output (the relay's frames) and
 * runs the operator's own commands, which the guest can neither see nor
 * fake: .perms, .audit, .limits, .mounts, .walls, .load, .save, .help,
 * .exit. The guest never holds the terminal: its descriptors 0, 1 and 2
 * are /dev/null and the relay's pipes.
 */
#ifndef LCH_SHELL_H
#define LCH_SHELL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct lch_shell {
    /* the supervisor's ends: JSON lines with the guest, the relay's
     * frames of its output, a byte per Ctrl-C */
    int ctl, frames, intr;
    const char *history; /* the history file (NULL: none) */
    /* .audit: the log to read (a path; the supervisor's stream flushed
     * first) and this session's run id in it */
    const char *audit_path;
    FILE *audit;
    const char *run_id;
    /* .perms: prints the effective policy to stdout */
    void (*perms)(void *arg);
    void *perms_arg;
    /* .limits: the limits, name and value as the profile says them */
    const char *const *limit_names;
    const char *const *limit_values;
    size_t nlimits;
    _Atomic pid_t guest; /* the guest's pid once the sandbox says it */
    /* attached to a serve job (shell --attach): no frames (frames -1),
     * what the guest's shell prints comes on ctl, the end detaches */
    bool attached;
    const char *banner; /* the first line on a terminal */
    /* the thread */
    pthread_t thread;
    bool started;
} lch_shell_t;

/* Starts the shell's thread (after the sandbox's fork): 0, or -errno. */
int lch_shell_start(lch_shell_t *sh);
/* The operator's Ctrl-C as a signal (SIGINT to the supervisor): stops the
 * running statement. Async-signal-safe. */
void lch_shell_interrupt(lch_shell_t *sh);
/* Waits for the thread: the guest is gone (its channel closed). */
void lch_shell_join(lch_shell_t *sh);
/* shell --attach ID --server unix:PATH: asks serve (--debug) for the
 * running job's channel and runs the shell on it until the operator
 * detaches or the job ends. The exit status: 0, or 125 with a line. */
int lch_shell_attach(const char *server, const char *id);
/* The history file for the app folder app: $SECURE_EXEC_SHELL_HISTORY
 * ("" none), else $XDG_STATE_HOME or ~/.local/state, then
 * secure-exec-launch/history/ and the app's path with '/' as '%'. Into
 * out; false: none. */
bool lch_shell_history_path(const char *app, char *out, size_t outlen);

#endif
