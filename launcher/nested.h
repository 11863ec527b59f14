/*
 * launcher/nested.h — a nested guest: the launcher started inside a
 * sandbox as the guest's process.execPath (bridge/child.c spawns it).
 *
 * It makes no sandbox: it is already in the walls its parent guest is in
 * (namespaces, Landlock, seccomp: a process inherits them all), and it
 * refuses to run anywhere else (its /proc/self/status must show a seccomp
 * filter and no_new_privs). It takes the parent's policy as profile text
 * on a pipe (brk_policy_text), so the broker in it decides as the
 * parent's does, and runs a fresh isolate from the same snapshot with
 * Node's command-line forms:
 *
 *   node [options] [script [args...]]   node [options] -e CODE [args...]
 *   node -p CODE    node --input-type=module -e CODE    node -r MOD ...
 *   node [options] < program    (no script, no -e: the program is stdin)
 *
 * argv[1] is the marker --se-nested=POLICY_FD,IPC_FD,AUDIT_FD,QUOTA_FD,RUN_ID
 * (-1: none): the policy's pipe, the channel of a fork, the audit log's
 * pipe (its lines carry the run's id, as the parent's do), the run's
 * shared write-quota count (bridge.h, quota_fd). Exit status:
 * the guest's; 9 for an option node does not know ("bad option"); 125
 * when it cannot start.
 */
#ifndef LCH_NESTED_H
#define LCH_NESTED_H

#include <stddef.h>
#include <stdint.h>

#define LCH_NESTED_MARKER "--se-nested="

int lch_nested_main(int argc, char **argv, const uint8_t *snapshot, size_t snapshot_len);

#endif
