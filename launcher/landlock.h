/*
 * launcher/landlock.h — Landlock as the second file-system wall inside the
 * namespaces: read everywhere, write only beneath the writable paths,
 * execute only the granted programs (the guest's domain). It also closes what a fresh /proc leaves
 * open: writing one's own read-only memory through /proc/self/mem. The guest's domain is also
 * scoped (ABI 6): the second wall, after its own session and the pid
 * namespace, between its signals and the host's processes.
 */
#ifndef LCH_LANDLOCK_H
#define LCH_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>

/* The kernel's Landlock ABI version; 0 without Landlock. */
int lch_landlock_abi(void);

/* Restricts the calling process (and, once threads exist, all of them:
 * it must run while single-threaded). Paths that do not exist are skipped.
 * -EOPNOTSUPP when the kernel has no Landlock; other -errno with err set. */
int lch_landlock_apply(const char *const *writable, size_t n, char *err, size_t errlen);

/* Whether the kernel can scope signals and abstract unix sockets to a
 * Landlock domain (ABI 6). */
bool lch_landlock_scoping(void);

/* lch_landlock_apply, and where the kernel can (lch_landlock_scoping) the
 * calling process may then signal, and connect to abstract unix sockets
 * of, only processes of its own domain: nothing outside the sandbox. */
int lch_landlock_apply_scoped(const char *const *writable, size_t n, char *err, size_t errlen);

/* The guest's domain: lch_landlock_apply_scoped with two kinds of
 * writable paths — scratch folders of the sandbox's own (its /tmp) and
 * folders bound from the host, where no symlink can be made (a link to
 * /etc/shadow left in a host folder is for the host's tools to trip on;
 * the fs bridge lets a JS program make those that point inside its
 * grants, this wall none at all) — and the execute right only on the
 * files in exec (the granted programs and their interpreters: run.h),
 * or everywhere with exec_all (run.allow = *). Nothing is executable
 * beneath a writable path unless exec_all. */
typedef struct {
    const char *const *scratch;
    size_t nscratch;
    const char *const *host;
    size_t nhost;
    const char *const *exec;
    size_t nexec;
    bool exec_all;
} lch_landlock_guest_t;
int lch_landlock_apply_guest(const lch_landlock_guest_t *g, char *err, size_t errlen);

#endif
