/*
 * bridge/path.c — turning a guest's path into the canonical path an
 * operation will really touch, asking the broker, and opening it without
 * re-resolving symlinks.
 *
 * Canonical means: absolute, no ".", "..", "//" and no symlink in any
 * component. For a path that does not exist yet (a file about to be
 * created, or a read that will fail with ENOENT), the longest existing
 * ancestor is resolved and the rest appended lexically, so a decision is
 * always taken on where the operation would land. A denied path answers
 * EACCES whether it exists or not: existence outside the grants is not
 * revealed.
 *
 * Between the check and the open a component could be swapped for a
 * symlink; opening the canonical path with openat2(RESOLVE_NO_SYMLINKS)
 * makes that fail (ELOOP) instead of escaping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "broker.h"
#include "internal.h"

/* If probe (a missing path's existing prefix) is a symlink, the path it
 * stands for: its target (relative to its folder) followed by rest. */
static int follow_dangling(const char *probe, const char *rest, char *abs, size_t cap)
{
    char target[PATH_MAX];
    ssize_t t = readlink(probe, target, sizeof target - 1);
    if (t < 0)
        return -errno;
    target[t] = '\0';
    int n;
    if (target[0] == '/') {
        n = snprintf(abs, cap, "%s%s", target, rest);
    } else {
        const char *slash = strrchr(probe, '/');
        int dl = slash ? (int)(slash - probe) : 0;
        n = snprintf(abs, cap, "%.*s/%s%s", dl, probe, target, rest);
    }
    return (n < 0 || (size_t)n >= cap) ? -ENAMETOOLONG : 0;
}

int br__path_canon(const char *path, const char *cwd, char *out, size_t cap)
{
    char abs[PATH_MAX * 2];
    int n;
    if (!path || !*path)
        return -ENOENT;
    if (path[0] == '/')
        n = snprintf(abs, sizeof abs, "%s", path);
    else
        n = snprintf(abs, sizeof abs, "%s/%s", cwd, path);
    if (n < 0 || (size_t)n >= sizeof abs)
        return -ENAMETOOLONG;
    char norm[PATH_MAX * 2];
    for (int hops = 0;; hops++) {
        if (hops > 40)
            return -ELOOP;
        int r = brk_path_normalize(abs, norm, sizeof norm);
        if (r < 0)
            return r;
        /* Resolve the longest existing prefix; keep the rest as written.
         * Note: ".." was resolved lexically above, as Node's path.resolve
         * does before any fs call, so "a/link/.." means "a", like Node. A
         * prefix that is a dangling symlink stands for its target (a write
         * through it lands there): start again from the target. */
        /* Fast path: a path the kernel opens without meeting a symlink is
         * already canonical (two system calls, where realpath(3) makes two
         * per component). */
        struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        long fast = syscall(SYS_openat2, AT_FDCWD, norm, &how, sizeof how);
        if (fast < 0 && errno == ENOENT) {
            /* a missing last component (a dangling symlink there would
             * have been ELOOP): canonical when its folder is */
            char *slash = strrchr(norm, '/');
            if (slash && slash != norm) {
                *slash = '\0';
                fast = syscall(SYS_openat2, AT_FDCWD, norm, &how, sizeof how);
                *slash = '/';
            }
        }
        if (fast >= 0) {
            close((int)fast);
            int m = snprintf(out, cap, "%s", norm);
            return (m < 0 || (size_t)m >= cap) ? -ENAMETOOLONG : 0;
        }
        size_t len = strlen(norm);
        char probe[PATH_MAX * 2];
        memcpy(probe, norm, len + 1);
        size_t cut = len;
        bool relinked = false;
        for (;;) {
            char *real = realpath(probe, NULL);
            if (real) {
                const char *rest = norm + cut;
                int m = (real[1] == '\0' && *rest) ? snprintf(out, cap, "%s", rest)
                                                   : snprintf(out, cap, "%s%s", real, rest);
                free(real);
                return (m < 0 || (size_t)m >= cap) ? -ENAMETOOLONG : 0;
            }
            if (errno != ENOENT && errno != ENOTDIR)
                return -errno;
            struct stat st;
            if (errno == ENOENT && lstat(probe, &st) == 0 && S_ISLNK(st.st_mode)) {
                r = follow_dangling(probe, norm + cut, abs, sizeof abs);
                if (r < 0)
                    return r;
                relinked = true;
                break;
            }
            char *slash = strrchr(probe, '/');
            if (!slash || slash == probe) {
                /* only "/" is left, and it exists */
                int m = snprintf(out, cap, "%s", norm);
                return (m < 0 || (size_t)m >= cap) ? -ENAMETOOLONG : 0;
            }
            *slash = '\0';
            cut = (size_t)(slash - probe);
        }
        if (!relinked)
            return -ENOENT;
    }
}

int br__check_path(br_rt_t *rt, brk_domain_t d, const char *op, const char *path, char *canon,
                   size_t cap)
{
    int r = br__path_canon(path, rt->cfg->cwd, canon, cap);
    if (r < 0)
        return r;
    if (!rt->policy)
        return 0; /* no broker configured: the embedder decided (unit tests) */
    return brk_decide(rt->policy, d, op, canon, NULL);
}

int br__path_canon_nofollow(const char *path, const char *cwd, char *out, size_t cap)
{
    char abs[PATH_MAX * 2], norm[PATH_MAX * 2];
    int n = path[0] == '/' ? snprintf(abs, sizeof abs, "%s", path)
                           : snprintf(abs, sizeof abs, "%s/%s", cwd, path);
    if (!*path)
        return -ENOENT;
    if (n < 0 || (size_t)n >= sizeof abs)
        return -ENAMETOOLONG;
    int r = brk_path_normalize(abs, norm, sizeof norm);
    if (r < 0)
        return r;
    char *slash = strrchr(norm, '/');
    if (slash == norm && !norm[1])
        return br__path_canon("/", "/", out, cap);
    char parent[PATH_MAX * 2];
    size_t pl = (size_t)(slash - norm);
    memcpy(parent, norm, pl);
    parent[pl] = '\0';
    char cparent[PATH_MAX];
    r = br__path_canon(pl ? parent : "/", cwd, cparent, sizeof cparent);
    if (r < 0)
        return r;
    int m = snprintf(out, cap, "%s/%s", strcmp(cparent, "/") ? cparent : "", slash + 1);
    return (m < 0 || (size_t)m >= cap) ? -ENAMETOOLONG : 0;
}

int br__open_canonical(const char *canon, int flags, mode_t mode)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    for (;;) {
        long fd = syscall(SYS_openat2, AT_FDCWD, canon, &how, sizeof how);
        if (fd >= 0)
            return (int)fd;
        if (errno == EINTR)
            continue;
        if (errno == ENOSYS) { /* kernels before 5.6: the last component only */
            int fd2 = open(canon, flags | O_CLOEXEC | O_NOFOLLOW, mode);
            return fd2 < 0 ? -errno : fd2;
        }
        return -errno;
    }
}
