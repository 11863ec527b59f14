/*
 * launcher/landlock.c — see landlock.h. Raw system calls (glibc 2.36 has no
 * wrappers); the rights handled are masked to what the running kernel's
 * ABI knows, so one binary works from ABI 1 up.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

/* Rights by the ABI that introduced them. */
#define RIGHTS_ABI1                                                                                \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |   \
     LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |                                 \
     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | \
     LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |   \
     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)
#define RIGHT_REFER (1ULL << 13)     /* ABI 2 */
#define RIGHT_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define RIGHT_IOCTL_DEV (1ULL << 15) /* ABI 5 */

/* Scopes (ABI 6; Debian 12's headers predate them): a domain's process may
 * connect to abstract unix sockets and signal processes only within the
 * domain (and those it nests). */
#define SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define SCOPE_SIGNAL (1ULL << 1)
#define SCOPE_ABI 6

/* struct landlock_ruleset_attr as of ABI 6 */
typedef struct {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
} ruleset_attr_t;

#define READ_RIGHTS \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* What a file (not a folder) can be granted. */
#define FILE_RIGHTS                                                                              \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
     RIGHT_TRUNCATE | RIGHT_IOCTL_DEV)

int lch_landlock_abi(void)
{
    long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return v < 0 ? 0 : (int)v;
}

static uint64_t handled_rights(int abi)
{
    uint64_t r = RIGHTS_ABI1;
    if (abi >= 2)
        r |= RIGHT_REFER;
    if (abi >= 3)
        r |= RIGHT_TRUNCATE;
    if (abi >= 5)
        r |= RIGHT_IOCTL_DEV;
    return r;
}

/* Adds a rule for path; a missing path is skipped (returns 0). */
static int add_path(int ruleset, const char *path, uint64_t rights, uint64_t handled)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    if (!S_ISDIR(st.st_mode))
        rights &= FILE_RIGHTS;
    struct landlock_path_beneath_attr attr = {
        .allowed_access = rights & handled,
        .parent_fd = fd,
    };
    long r = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0);
    int e = r < 0 ? -errno : 0;
    close(fd);
    return e;
}

/* What a folder bound from the host never gets. */
#define HOST_DENIED                                                           \
    ((uint64_t)(LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_MAKE_SOCK |  \
                LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_CHAR | \
                LANDLOCK_ACCESS_FS_MAKE_BLOCK))

/* True when path is below (or is) dir. */
static bool beneath(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return true;
    return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

bool lch_landlock_scoping(void)
{
    return lch_landlock_abi() >= SCOPE_ABI;
}

static int apply(const char *const *scratch, size_t nscratch, const char *const *host, size_t nhost,
                 const char *const *exec, size_t nexec, bool exec_all, bool scoped, char *err,
                 size_t errlen)
{
    int abi = lch_landlock_abi();
    if (abi <= 0) {
        snprintf(err, errlen, "the kernel has no Landlock (add landlock to the lsm= boot list)");
        return -EOPNOTSUPP;
    }
    uint64_t handled = handled_rights(abi);
    ruleset_attr_t ra = {.handled_access_fs = handled};
    /* the size the kernel is told covers only the fields its ABI knows */
    size_t size = offsetof(ruleset_attr_t, handled_access_net);
    if (scoped && abi >= SCOPE_ABI) {
        ra.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL;
        size = sizeof ra;
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &ra, size, 0);
    if (ruleset < 0) {
        snprintf(err, errlen, "landlock_create_ruleset: %s", strerror(errno));
        return -errno;
    }
    /* execute: everywhere (exec_all), else only the files named; rights
     * add up down a tree, so no folder below gets it either */
    uint64_t root = exec_all ? READ_RIGHTS : READ_RIGHTS & ~(uint64_t)LANDLOCK_ACCESS_FS_EXECUTE;
    int e = add_path(ruleset, "/", root, handled);
    if (e < 0)
        snprintf(err, errlen, "landlock rule for /: %s", strerror(-e));
    for (size_t i = 0; !e && i < nexec; i++) {
        e = add_path(ruleset, exec[i], LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE,
                     handled);
        if (e < 0)
            snprintf(err, errlen, "landlock rule for %s: %s", exec[i], strerror(-e));
    }
    /* the null device is written by anyone (a child's ignored stdio is
     * /dev/null opened read-write, as libuv opens it) */
    if (!e && nexec + (size_t)exec_all > 0) {
        e = add_path(ruleset, "/dev/null",
                     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE, handled);
        if (e < 0)
            snprintf(err, errlen, "landlock rule for /dev/null: %s", strerror(-e));
    }
    uint64_t noexec = exec_all ? 0 : LANDLOCK_ACCESS_FS_EXECUTE;
    /* rights add up down a tree: a scratch folder with a host grant below
     * it makes no symlinks either */
    for (size_t i = 0; !e && i < nscratch; i++) {
        uint64_t rights = handled & ~noexec;
        for (size_t j = 0; j < nhost; j++)
            if (beneath(host[j], scratch[i]))
                rights &= ~HOST_DENIED;
        e = add_path(ruleset, scratch[i], rights, handled);
        if (e < 0)
            snprintf(err, errlen, "landlock rule for %s: %s", scratch[i], strerror(-e));
    }
    for (size_t i = 0; !e && i < nhost; i++) {
        /* no symlink, socket, FIFO or device node either: nothing for the
         * host's tools to trip on */
        e = add_path(ruleset, host[i], handled & ~HOST_DENIED & ~noexec, handled);
        if (e < 0)
            snprintf(err, errlen, "landlock rule for %s: %s", host[i], strerror(-e));
    }
    if (!e && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        e = -errno;
        snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
    }
    if (!e && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) {
        e = -errno;
        snprintf(err, errlen, "landlock_restrict_self: %s", strerror(errno));
    }
    close(ruleset);
    return e;
}

int lch_landlock_apply(const char *const *writable, size_t n, char *err, size_t errlen)
{
    return apply(writable, n, NULL, 0, NULL, 0, true, false, err, errlen);
}

int lch_landlock_apply_scoped(const char *const *writable, size_t n, char *err, size_t errlen)
{
    return apply(writable, n, NULL, 0, NULL, 0, true, true, err, errlen);
}

int lch_landlock_apply_guest(const lch_landlock_guest_t *g, char *err, size_t errlen)
{
    return apply(g->scratch, g->nscratch, g->host, g->nhost, g->exec, g->nexec, g->exec_all, true,
                 err, errlen);
}
