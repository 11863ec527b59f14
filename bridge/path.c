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
 * symlink; opening the canonical path one component at a time with
 * O_NOFOLLOW (what openat2(RESOLVE_NO_SYMLINKS) does, which the seccomp
 * policies answer ENOSYS: its flags and mode are out of their sight) makes
 * that fail (ELOOP) instead of escaping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "internal.h"

/* ELOOP when name in dirfd is a symlink, else e. */
static int loop_if_link(int dirfd, const char *name, int e)
{
    struct stat st;
    return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) ? -ELOOP : e;
}

/* Folders a walk may start from: mount points of the sandbox's view (the
 * app, /tmp, the granted folders). The guest can neither rename, remove
 * nor mount over a mount point, so what a path names up to one cannot
 * change during the run: a walk from its descriptor meets the components
 * a walk from "/" would, with fewer system calls. Filled once, before the
 * first guest code (br__path_roots_init), read-only after. */
#define ROOTS_MAX 32
static struct {
    char path[PATH_MAX];
    size_t len;
    int fd;
} roots[ROOTS_MAX];
static size_t nroots;

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

static int open_nofollow(const char *path, int flags, mode_t mode);

static void add_root(const char *path)
{
    size_t len = strlen(path);
    if (nroots == ROOTS_MAX || len < 2 || len >= PATH_MAX)
        return;
    for (size_t i = 0; i < nroots; i++)
        if (!strcmp(roots[i].path, path))
            return;
    int fd = open_nofollow(path, O_PATH | O_DIRECTORY, 0);
    if (fd < 0)
        return;
    struct statx stx;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE, &stx) < 0 ||
        !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
        !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
        close(fd);
        return;
    }
    memcpy(roots[nroots].path, path, len + 1);
    roots[nroots].len = len;
    roots[nroots].fd = fd;
    nroots++;
}

void br__path_roots_init(const brk_policy_t *p)
{
    if (nroots)
        return; /* one runtime a process in the sandbox; tests keep the first */
    add_root("/app");
    add_root("/tmp");
    for (int d = BRK_FS_READ; p && d <= BRK_FS_WRITE; d++) {
        size_t n;
        bool all;
        const char *const *rules = brk_path_rules(p, (brk_domain_t)d, &n, &all);
        for (size_t i = 0; rules && i < n; i++)
            add_root(rules[i]);
    }
}

/* The deepest root path lies in (path itself, or below it), or NULL. */
static const char *root_for(const char *path, int *fd)
{
    const char *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < nroots; i++) {
        size_t n = roots[i].len;
        if (n > best_len && !strncmp(path, roots[i].path, n) && (path[n] == '/' || !path[n])) {
            best = path + n;
            best_len = n;
            *fd = roots[i].fd;
        }
    }
    return best;
}

/* Opens the absolute path without following a symlink (or a /proc magic
 * link) anywhere on it: each folder with O_PATH | O_NOFOLLOW from "/" (or
 * from the deepest root above it), the last component with flags |
 * O_NOFOLLOW. A symlink met is ELOOP, as openat2(RESOLVE_NO_SYMLINKS)
 * answers. */
static int open_nofollow(const char *path, int flags, mode_t mode)
{
    if (path[0] != '/')
        return -EINVAL;
    int rootfd = -1;
    const char *p = root_for(path, &rootfd);
    int dirfd = rootfd;
    if (!p) {
        p = path;
        dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
            return -errno;
    }
    for (;;) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        const char *next = end;
        while (*next == '/')
            next++;
        size_t len = (size_t)(end - p);
        char name[NAME_MAX + 1] = ".";
        if (len > NAME_MAX) {
            if (dirfd != rootfd)
                close(dirfd);
            return -ENAMETOOLONG;
        }
        if (len) {
            memcpy(name, p, len);
            name[len] = '\0';
        }
        bool last = !*next;
        int fd;
        do {
            fd = last ? openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
                      : openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        int e = fd < 0 ? -errno : 0;
        if (e == -ENOTDIR)
            e = loop_if_link(dirfd, name, e);
        struct stat st;
        /* O_PATH | O_NOFOLLOW opens a symlink itself */
        if (!e && (flags & O_PATH) && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
            close(fd);
            e = -ELOOP;
        }
        if (dirfd != rootfd)
            close(dirfd);
        if (e || last)
            return e ? e : fd;
        dirfd = fd;
        p = next;
    }
}

/* The root's own descriptor when path is one of the roots, else -1. */
static int root_exact(const char *path)
{
    for (size_t i = 0; i < nroots; i++)
        if (!strcmp(path, roots[i].path))
            return roots[i].fd;
    return -1;
}

int br__open_dir_canonical(const char *canon)
{
    int fd = root_exact(canon);
    return fd >= 0 ? fd : open_nofollow(canon, O_PATH | O_DIRECTORY, 0);
}

void br__close_dir(int fd)
{
    for (size_t i = 0; i < nroots; i++)
        if (roots[i].fd == fd)
            return;
    close(fd);
}

int br__open_parent(const char *canon, int *dirfd, const char **base)
{
    const char *slash = strrchr(canon, '/');
    if (!slash || canon[0] != '/')
        return -EINVAL;
    char parent[PATH_MAX * 2];
    size_t n = (size_t)(slash - canon);
    if (n >= sizeof parent)
        return -ENAMETOOLONG;
    memcpy(parent, canon, n);
    parent[n] = '\0';
    *base = slash[1] ? slash + 1 : ".";
    int fd = br__open_dir_canonical(n ? parent : "/");
    if (fd < 0)
        return fd;
    *dirfd = fd;
    return 0;
}

/* lstat of an absolute, normalized path that follows no symlink on the
 * way: its folder (br__open_parent), then fstatat(AT_SYMLINK_NOFOLLOW) of
 * its last component, or statx into x when x is given (st unused then).
 * *in_folder tells whether the folder was reached (an error then is the
 * last component's). */
static int stat_nofollow(const char *path, struct stat *st, struct statx *x, bool *in_folder)
{
    int dirfd;
    const char *base;
    *in_folder = false;
    int e = br__open_parent(path, &dirfd, &base);
    if (e < 0)
        return e;
    *in_folder = true;
    if (x)
        e = statx(dirfd, base, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
                  STATX_BASIC_STATS | STATX_BTIME, x) < 0
                ? -errno
                : 0;
    else
        e = fstatat(dirfd, base, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
    br__close_dir(dirfd);
    return e;
}

int br__stat_canonical(const char *canon, struct stat *st)
{
    bool in_folder;
    int e = stat_nofollow(canon, st, NULL, &in_folder);
    return e == 0 && S_ISLNK(st->st_mode) ? -ELOOP : e;
}

/* 0 when the absolute, normalized path meets no symlink: every folder on
 * it is one, and its last component is no symlink or is missing (its
 * folder exists then); seen (if given) keeps what was found. A symlink as
 * the last component is -ELOOP; other errors as the walk met them. A path
 * right in a root costs one statx. */
static int nofollow_here(const char *path, br_seen_t *seen)
{
    struct statx x;
    bool in_folder;
    int e = stat_nofollow(path, NULL, &x, &in_folder);
    if (e == 0 && S_ISLNK(x.stx_mode))
        return -ELOOP;
    if (e != 0 && (e != -ENOENT || !in_folder))
        return e;
    if (seen) {
        seen->known = true;
        seen->err = e;
        if (e == 0)
            seen->x = x;
    }
    return 0;
}

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
    return br__path_canon_seen(path, cwd, out, cap, NULL);
}

/* An error of the walk: out gets the path as far as the walk went (the
 * lexical form of the last symlink's target, or of the path given), for
 * the broker to decide on before the error may be told
 * (br__refused_before_error). */
static int walk_failed(char *out, size_t cap, const char *norm, int err)
{
    size_t n = strlen(norm);
    if (n < cap)
        memcpy(out, norm, n + 1);
    else if (cap)
        out[0] = '\0';
    return err;
}

int br__path_canon_seen(const char *path, const char *cwd, char *out, size_t cap, br_seen_t *seen)
{
    char abs[PATH_MAX * 2];
    if (seen)
        seen->known = seen->dangling = false;
    if (cap)
        out[0] = '\0';
    if (!path || !*path)
        return -ENOENT;
    /* abs = path, or cwd/path (copied: this runs for every fs call) */
    size_t pl = strlen(path), cl = path[0] == '/' ? 0 : strlen(cwd) + 1;
    if (cl + pl >= sizeof abs)
        return -ENAMETOOLONG;
    if (cl) {
        memcpy(abs, cwd, cl - 1);
        abs[cl - 1] = '/';
    }
    memcpy(abs + cl, path, pl + 1);
    char norm[PATH_MAX * 2];
    norm[0] = '\0'; /* not "" as an initialiser: that clears all 8 KiB, every call */
    for (int hops = 0;; hops++) {
        if (hops > 40)
            return walk_failed(out, cap, norm, -ELOOP);
        char next[PATH_MAX * 2];
        int r = brk_path_normalize(abs, next, sizeof next);
        if (r < 0)
            return walk_failed(out, cap, norm, r);
        memcpy(norm, next, strlen(next) + 1);
        /* Resolve the longest existing prefix; keep the rest as written.
         * Note: ".." was resolved lexically above, as Node's path.resolve
         * does before any fs call, so "a/link/.." means "a", like Node. A
         * prefix that is a dangling symlink stands for its target (a write
         * through it lands there): start again from the target. */
        /* Fast path: a path that meets no symlink is already canonical
         * (one fstatat for a path right in a root, where realpath(3) makes
         * two system calls per component); a missing last component is
         * canonical when its folder is (a dangling symlink there is a
         * symlink met). */
        if (nofollow_here(norm, seen) == 0) {
            size_t m = strlen(norm);
            if (m >= cap) {
                if (seen)
                    seen->known = false;
                return -ENAMETOOLONG;
            }
            memcpy(out, norm, m + 1);
            return 0;
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
            int err = errno;
            struct stat st;
            /* a symlink the walk could not go through (its target is
             * missing, runs through a file, is too long...) stands for its
             * target all the same: the walk goes on there, so the broker
             * decides on that, whatever is there */
            if (lstat(probe, &st) == 0 && S_ISLNK(st.st_mode)) {
                r = follow_dangling(probe, norm + cut, abs, sizeof abs);
                if (r < 0)
                    return walk_failed(out, cap, norm, r);
                relinked = true;
                if (seen)
                    seen->dangling = true;
                break;
            }
            if (err != ENOENT && err != ENOTDIR)
                return walk_failed(out, cap, norm, -err);
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
            return walk_failed(out, cap, norm, -ENOENT);
    }
}

bool br__refused_before_error(brk_policy_t *p, brk_domain_t d, const char *op, const char *path,
                              const char *cwd, char *canon, size_t cap)
{
    if (!p || !*path)
        return false;
    if (canon[0] != '/' && br__path_lexical(path, cwd, canon, cap) < 0)
        return false;
    return brk_decide(p, d, op, canon, NULL) < 0;
}

int br__check_canon(br_rt_t *rt, brk_domain_t d, const char *op, const char *path, char *canon,
                    size_t cap, int walked)
{
    if (walked < 0)
        return br__refused_before_error(rt->policy, d, op, path, rt->cwd, canon, cap) ? -EACCES
                                                                                      : walked;
    if (!rt->policy)
        return 0; /* no broker configured: the embedder decided (unit tests) */
    return brk_decide(rt->policy, d, op, canon, NULL);
}

int br__check_path(br_rt_t *rt, brk_domain_t d, const char *op, const char *path, char *canon,
                   size_t cap)
{
    return br__check_canon(rt, d, op, path, canon, cap, br__path_canon(path, rt->cwd, canon, cap));
}

int br__check_path_throw(vm_call_t *c, brk_domain_t d, const char *op, const char *path,
                         char *canon, size_t cap)
{
    br_rt_t *rt = br__rt(c);
    int r = br__check_path(rt, d, op, path, canon, cap);
    if (r == -EACCES) {
        char tail[PATH_MAX + 256];
        tail[0] = '\0';
        br__refusal(rt, d, true, op, canon, path, tail, sizeof tail);
        br__throw_errno_tail(c, r, op, path, NULL, tail);
    }
    return r;
}

/* Where the host's file permissions (not Landlock or the mounts:
 * faccessat asks only the owner and mode bits, with the guest's ids) refuse
 * the access to canon: a folder on the way that cannot be searched, canon
 * itself (read, or write), or, for a path not there yet, its folder (to
 * create in). Into out; false when they do not refuse. */
static bool dac_refusal(const char *canon, bool write, char *out, size_t cap)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", canon) >= (int)sizeof p)
        return false;
    for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        bool refused = faccessat(AT_FDCWD, p, X_OK, AT_EACCESS) < 0 && errno == EACCES;
        if (refused) {
            snprintf(out, cap, "%s", p);
            return true;
        }
        *s = '/';
    }
    if (faccessat(AT_FDCWD, canon, F_OK, AT_EACCESS) == 0) {
        snprintf(out, cap, "%s", canon);
        return faccessat(AT_FDCWD, canon, write ? W_OK : R_OK, AT_EACCESS) < 0 && errno == EACCES;
    }
    if (errno != ENOENT)
        return false;
    char *slash = strrchr(p, '/');
    if (!slash)
        return false;
    slash[slash == p] = '\0';
    snprintf(out, cap, "%s", p);
    return faccessat(AT_FDCWD, p, W_OK | X_OK, AT_EACCESS) < 0 && errno == EACCES;
}

static bool beneath(const char *root, const char *p)
{
    return root && *root && brk_path_covers(root, p);
}

int br__path_lexical(const char *path, const char *cwd, char *out, size_t cap)
{
    char abs[PATH_MAX * 2];
    int n = path[0] == '/' ? snprintf(abs, sizeof abs, "%s", path)
                           : snprintf(abs, sizeof abs, "%s/%s", cwd, path);
    if (n < 0 || (size_t)n >= sizeof abs)
        return -ENAMETOOLONG;
    return brk_path_normalize(abs, out, cap);
}

/* Whether the guest may read every symlink met resolving the absolute,
 * lexically normal path lex: then the canonical path tells it nothing it
 * could not learn (readlink), else it is the target of a link it may not
 * read (a host fact: /etc/localtime names the host's time zone). */
bool br__links_readable(const brk_policy_t *p, const char *lex)
{
    char cur[PATH_MAX * 2];
    snprintf(cur, sizeof cur, "%s", lex);
    for (int hops = 0; hops <= 40; hops++) {
        char *q = cur;
        struct stat st;
        do {
            q = strchr(q + 1, '/');
            if (q)
                *q = '\0';
            if (lstat(cur, &st) == 0 && S_ISLNK(st.st_mode))
                break;
            if (q)
                *q = '/';
        } while (q);
        if (!q && !(lstat(cur, &st) == 0 && S_ISLNK(st.st_mode)))
            return true; /* no link on the way */
        char target[PATH_MAX], next[PATH_MAX * 3];
        ssize_t t = brk_allows(p, BRK_FS_READ, cur) ? readlink(cur, target, sizeof target - 1) : -1;
        if (t < 0)
            return false;
        target[t] = '\0';
        const char *rest = q ? q + 1 : "";
        char *slash = strrchr(cur, '/');
        *slash = '\0';
        if (snprintf(next, sizeof next, "%s/%s/%s", target[0] == '/' ? "" : cur, target, rest) >=
                (int)sizeof next ||
            brk_path_normalize(next, cur, sizeof cur) < 0)
            return false;
    }
    return false;
}

void br__refusal(br_rt_t *rt, brk_domain_t d, bool by_broker, const char *op, const char *canon,
                 const char *given, char *tail, size_t cap)
{
    bool write = d == BRK_FS_WRITE;
    const char *root = rt->cfg->module_root;
    tail[0] = '\0';
    if (!canon || canon[0] != '/')
        return;
    /* the hint names the path as given when the canonical one would show
     * the target of a link the guest may not read */
    char lex[PATH_MAX];
    const char *shown = canon;
    if (by_broker && given && rt->policy &&
        br__path_lexical(given, rt->cwd, lex, sizeof lex) == 0 && strcmp(lex, canon) &&
        !br__links_readable(rt->policy, lex))
        shown = lex;
    if (by_broker) {
        if (write && beneath(root, canon))
            snprintf(tail, cap,
                     " (not granted: the app folder %s is read-only; write below /tmp, or to a "
                     "host folder granted with --allow-write=PATH)",
                     root);
        else
            snprintf(tail, cap, " (not granted: run with --allow-%s=%s)", write ? "write" : "read",
                     shown);
        return;
    }
    char where[PATH_MAX];
    bool host = dac_refusal(canon, write, where, sizeof where);
    long uid = rt->cfg->host_uid ? (long)rt->cfg->host_uid : -1;
    if (rt->policy)
        brk_audit_os_refusal(rt->policy, d, op, canon, "EACCES",
                             host ? "host-permissions" : "os-wall", uid);
    if (!host)
        return;
    char who[64] = "";
    if (uid >= 0)
        snprintf(who, sizeof who, " (uid %ld on the host)", uid);
    /* the app folder is read without a grant; anything else was granted */
    snprintf(tail, cap,
             " (%sthe host's file permissions refuse the sandbox's user%s on %s: make it %s by "
             "that user, e.g. with chown or chmod o+%s)",
             !write && beneath(root, canon) ? "" : "allowed by the grant, but ", who, where,
             write ? "writable" : "readable", write ? "rwX" : "rX");
}

int br__path_canon_nofollow(const char *path, const char *cwd, char *out, size_t cap)
{
    char abs[PATH_MAX * 2], norm[PATH_MAX * 2];
    if (cap)
        out[0] = '\0';
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
    /* failed: out is still the path as far as the walk went, and the name */
    if (r < 0 && cparent[0] != '/') {
        if (cap)
            out[0] = '\0';
        return r;
    }
    int m = snprintf(out, cap, "%s/%s", strcmp(cparent, "/") ? cparent : "", slash + 1);
    if (r < 0)
        return r;
    return (m < 0 || (size_t)m >= cap) ? -ENAMETOOLONG : 0;
}

int br__open_canonical(const char *canon, int flags, mode_t mode)
{
    bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    return open_nofollow(canon, flags, creates ? mode : 0);
}
