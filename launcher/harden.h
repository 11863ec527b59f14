/*
 * launcher/harden.h — the per-process hardening steps of the sandbox's
 * guest: resource limits, capabilities, stray descriptors. Each runs in the
 * single-threaded guest before any thread exists; each reports failure as
 * -errno with one line in err.
 */
#ifndef LCH_HARDEN_H
#define LCH_HARDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0 leaves a limit as it is; RLIMIT_CORE is always set to 0. */
typedef struct {
    uint64_t nofile;      /* RLIMIT_NOFILE */
    uint64_t fsize;       /* RLIMIT_FSIZE, bytes */
    uint64_t stack;       /* RLIMIT_STACK, bytes */
    uint64_t nproc;       /* RLIMIT_NPROC (per user namespace on this kernel) */
    uint64_t cpu_seconds; /* RLIMIT_CPU soft; the hard limit is one second more */
} lch_rlimits_t;

int lch_set_rlimits(const lch_rlimits_t *l, char *err, size_t errlen);

/* Empties every capability set (effective, permitted, inheritable,
 * bounding, ambient), sets no_new_privs and checks that nothing is left. */
int lch_drop_caps(char *err, size_t errlen);

/* Closes every descriptor >= 3 that is not in keep. */
int lch_close_fds_except(const int *keep, size_t n);

/* Whether this process may drop its supplementary groups (CAP_SETGID,
 * as root): the sandbox's middle process then does, before it makes the
 * user namespace. */
bool lch_can_drop_groups(void);

/* The supplementary groups a sandbox started from this process keeps
 * (none when it may drop them; the primary group does not count): their
 * names and ids into out ("adm(4), ssl-cert(108)", cut at len), and how
 * many, or -errno. An unprivileged user namespace cannot drop them: the
 * kernel keeps them under setgroups=deny, for files they may read. */
int lch_kept_groups(char *out, size_t len);

#endif
