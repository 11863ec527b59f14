/*
 * launcher/cgroup.h — the run's own cgroup, the OS wall's bound on the
 * process as a whole (heap, buffers, kernel memory, threads, CPU time).
 *
 * Version 2 where our cgroup is delegated (memory and pids enabled for its
 * children); version 1 where the memory and pids hierarchies are mounted
 * and our cgroups in them are writable (root on a v1 host). The run's
 * cgroup is secure-exec-<supervisor pid> under ours in each hierarchy,
 * made before the guest starts and removed at the end; one left by a
 * supervisor that was killed is removed by the next run.
 */
#ifndef LCH_CGROUP_H
#define LCH_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
    int version;           /* 0: none, 1 or 2 */
    char v2[PATH_MAX];     /* v2: the run's cgroup */
    char memory[PATH_MAX]; /* v1: the run's cgroup in each hierarchy ("" unused) */
    char pids[PATH_MAX];
    char cpuacct[PATH_MAX];
} lch_cgroup_t;

typedef struct {
    uint64_t memory_bytes; /* memory.max / memory.limit_in_bytes (and memsw), 0 none */
    uint64_t tcp_bytes;    /* v1 memory.kmem.tcp.limit_in_bytes, 0 none (v2 counts it) */
    unsigned pids;         /* pids.max, 0 none */
} lch_cgroup_limits_t;

/* Makes the run's cgroup with these limits. 0 with cg filled in; -1 when
 * this host has none for us, with why set (cg->version is 0 then). */
int lch_cgroup_create(lch_cgroup_t *cg, const lch_cgroup_limits_t *lim, char *why, size_t cap);

/* Moves pid into the run's cgroup (every hierarchy); -errno on failure.
 * v1: nothing (the process enters itself, lch_cgroup_enter_self). */
int lch_cgroup_enter(const lch_cgroup_t *cg, pid_t pid);

/* v1: moves the calling process, which must have one thread, into the
 * run's cgroup (every hierarchy); -errno on failure; 0 and nothing done
 * for v2 (the supervisor moves it, lch_cgroup_enter). */
int lch_cgroup_enter_self(const lch_cgroup_t *cg);

/* CPU time used by the run's cgroup in milliseconds, or -1 when unknown. */
int64_t lch_cgroup_cpu_ms(const lch_cgroup_t *cg);

/* The most memory the run's cgroup held at once (v1 memory.max_usage_in_bytes,
 * v2 memory.peak), in bytes; -1 when unknown. */
int64_t lch_cgroup_peak_bytes(const lch_cgroup_t *cg);

/* Whether the kernel's OOM killer ended a process of the run's cgroup. */
bool lch_cgroup_oom_killed(const lch_cgroup_t *cg);

/* Removes the run's cgroup (its processes must be gone). */
void lch_cgroup_remove(lch_cgroup_t *cg);

/* For `check`: true when runs get a cgroup here; detail names the version,
 * the controllers and where, or why not and how to get one. */
bool lch_cgroup_describe(char *detail, size_t cap);

/* Writes text to path (created if absent, truncated): 0 or -errno. The
 * one helper for cgroup, /proc and small files of the sandbox's view. */
int lch_write_text(const char *path, const char *text);

#endif
