/*
 * launcher/nested.h — a nested guest: the launcher started inside a
 * sandbox as the guest's process.execPath (bridge/child.c spawns it).
 *
 * It makes no sandbox: it is already in the walls its parent guest is in
 * (namespaces, Landlock, seccomp: a process inherits them all), and it
 * refuses to run anywhere else (its /proc/self/status must show a seccomp
 * filter and no_new_privs). It runs under the run's policy: profile text
 * (brk_policy_text) in a sealed memfd the launcher made before the
 * sandbox and every process of the run inherits, which nothing inside
 * can make (seccomp refuses memfd_create) or change (sealed) — so the
 * broker in it decides as the guest's does, however it was started (by
 * the guest's bridge, or by a granted program such as a shell running
 * "$NODE" script.js) — and runs a fresh isolate from the same snapshot
 * with Node's command-line forms:
 *
 *   node [options] [script [args...]]   node [options] -e CODE [args...]
 *   node -p CODE    node --input-type=module -e CODE    node -r MOD ...
 *   node [options] < program    (no script, no -e: the program is stdin)
 *
 * Started by the bridge, argv[1] is the marker --se-nested=IPC_FD,AUDIT_FD,RUN_ID
 * (-1: none): the channel of a fork, the audit log's pipe (its lines
 * carry the run's id, as the parent's do). Started by another program,
 * there is no marker: a fork's channel is NODE_CHANNEL_FD, as node's, and
 * its decisions go to no audit log. The run's write quota is the other
 * memfd (bridge.h, quota_fd). Exit status:
 * the guest's; 9 for an option node does not know ("bad option"); 125
 * when it cannot start.
 */
#ifndef LCH_NESTED_H
#define LCH_NESTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LCH_NESTED_MARKER "--se-nested="
/* The names of the launcher's memfds every process of a run with a run
 * grant inherits: the policy (sealed) and the write quota's count. */
#define LCH_POLICY_MEMFD "secure-exec-policy"
#define LCH_QUOTA_MEMFD "secure-exec-quota"

/* Whether this start of the launcher is a nested guest: the marker, or
 * the run's policy memfd inherited inside a sandbox (started by another
 * program, a granted shell). */
bool lch_nested_here(int argc, char **argv);
int lch_nested_main(int argc, char **argv, const uint8_t *snapshot, size_t snapshot_len);

/* A new memfd named name holding data, sealed against any change: its
 * descriptor (close-on-exec) or -errno. */
int lch_memfd_sealed(const char *name, const void *data, size_t len);
/* The descriptor of an inherited memfd named name (sealed: with every
 * seal), or -1. */
int lch_memfd_find(const char *name, bool sealed);

#endif
