/*
 * launcher/netd_unix.c — unix domain sockets for the guest (netd.h, "unix
 * domain sockets"; netproto.h NETP_UNIX_LISTEN, NETP_UNIX_CONNECT).
 *
 * The guest may not make, bind or connect a socket itself (seccomp). A
 * unix socket is made by the middle process on the supervisor's word, for
 * two reasons: it lives in the guest's network namespace (an abstract
 * name is that namespace's own, never the host's), and its root is the
 * guest's view (the guest's pivot_root moved the root of every process of
 * the mount namespace still at the old one), so a path is resolved
 * exactly as the guest sees it. The supervisor's own root is the host's:
 * it never resolves a guest's path.
 *
 * Invariants of the middle's side:
 *  - a path is absolute and canonical (what both walls decided), and is
 *    resolved with RESOLVE_NO_SYMLINKS: a symlink anywhere on it (one the
 *    guest swapped in after its broker's check, to point at a socket its
 *    grants do not cover) ends the request with -ELOOP;
 *  - bind() creates only the last component in the folder so resolved
 *    (bind never follows a symlink there: -EADDRINUSE);
 *  - connect() reaches the socket file so resolved through the middle's
 *    own /proc/PID/fd/N (a magic link is the file itself: nothing is
 *    resolved again by name), opened before the guest built its view;
 *  - the working folder is always "/" (the guest's root) between requests.
 * The middle has the guest's ids and no capability: the host's file
 * permissions apply to it as to the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "netd.h"

static int openat2_nosym(const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_PATH | O_CLOEXEC),
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    long r;
    do
        r = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : (int)r;
}

/* The address's path (NUL-ended into out) when it is one both walls could
 * have decided: absolute, canonical, no NUL inside. */
static bool path_of(const struct sockaddr_un *sa, size_t len, char *out, size_t cap)
{
    char norm[NETP_UNIX_ADDR_MAX + 1];
    if (len < 2 || len >= cap || sa->sun_path[0] != '/' || memchr(sa->sun_path, '\0', len))
        return false;
    memcpy(out, sa->sun_path, len);
    out[len] = '\0';
    return brk_path_normalize(out, norm, sizeof norm) == 0 && !strcmp(out, norm);
}

/* Whether the file behind fd lies on the private /tmp's filesystem (the
 * sandbox's own: a host folder bound anywhere, /tmp included, is another
 * device). */
static bool on_private_tmp(int fd)
{
    struct stat a, t;
    return fstat(fd, &a) == 0 && stat("/tmp", &t) == 0 && a.st_dev == t.st_dev;
}

/* Whether fd lies on a mount that is not read-only: a write grant's bind
 * (a read grant is bound read-only). The supervisor's flag says a write
 * grant covers the path as the guest names it; the guest may have moved
 * a read grant's bind to that path by renaming plain folders in its
 * /tmp, so the socket's own mount decides. */
static bool on_writable_mount(int fd)
{
    struct statfs sf;
    return fstatfs(fd, &sf) == 0 && !(sf.f_flags & ST_RDONLY);
}

/* bind(s) at path: its folder resolved with no symlink, on the private
 * /tmp's filesystem (-EACCES elsewhere), the name made there. 0 or
 * -errno. */
static int bind_path(int s, const char *path, unsigned mask)
{
    char dir[NETP_UNIX_ADDR_MAX + 1];
    const char *slash = strrchr(path, '/');
    size_t dl = (size_t)(slash - path);
    memcpy(dir, path, dl ? dl : 1);
    dir[dl ? dl : 1] = '\0';
    int dfd = openat2_nosym(dir, O_DIRECTORY);
    if (dfd < 0)
        return dfd;
    if (!on_private_tmp(dfd)) {
        close(dfd);
        return -EACCES;
    }
    struct sockaddr_un b = {.sun_family = AF_UNIX};
    size_t nl = strlen(slash + 1);
    memcpy(b.sun_path, slash + 1, nl);
    int r = fchdir(dfd) < 0 ? -errno : 0;
    close(dfd);
    /* this process serves one request at a time: its umask is the guest's
     * for the one bind that makes the file */
    mode_t old = umask((mode_t)(mask & 0777));
    if (r == 0 && bind(s, (struct sockaddr *)&b,
                       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + nl)) < 0)
        r = -errno;
    umask(old);
    if (chdir("/") < 0 && r == 0)
        r = -errno;
    return r;
}

/* connect(s) to the socket file at path, resolved with no symlink and
 * reached through fd_dir's magic link. 0 or -errno. */
static int connect_path(int s, const char *path, unsigned flags, int fd_dir)
{
    if (fd_dir < 0)
        return -ENOSYS;
    int t = openat2_nosym(path, 0);
    if (t < 0)
        return t;
    struct stat st;
    int r = fstat(t, &st) < 0 ? -errno : 0;
    if (r == 0 && !on_private_tmp(t) && (!(flags & FAC_F_HOST_SOCKET) || !on_writable_mount(t)))
        r = -EACCES; /* a host socket needs a write grant bound from the host */
    if (r == 0 && !S_ISSOCK(st.st_mode))
        r = -ECONNREFUSED; /* connect(2) of a file that is no socket */
    struct sockaddr_un b = {.sun_family = AF_UNIX};
    int nl = snprintf(b.sun_path, sizeof b.sun_path, "%d", t);
    if (r == 0)
        r = fchdir(fd_dir) < 0 ? -errno : 0;
    if (r == 0 && connect(s, (struct sockaddr *)&b,
                          (socklen_t)(offsetof(struct sockaddr_un, sun_path) + nl)) < 0)
        r = -errno;
    if (chdir("/") < 0 && r == 0)
        r = -errno;
    close(t);
    return r;
}

int lch__netd_unix_make(unsigned op, const struct sockaddr_un *sa, socklen_t sl, int backlog,
                        unsigned flags, unsigned mask, int fd_dir)
{
    size_t base = offsetof(struct sockaddr_un, sun_path);
    if (sl <= base + 1 || sl > sizeof *sa || (op != FAC_UNIX_LISTEN && op != FAC_UNIX_CONNECT))
        return -EINVAL;
    size_t len = sl - base;
    char path[NETP_UNIX_ADDR_MAX + 1];
    bool abstract = sa->sun_path[0] == '\0';
    if (!abstract && !path_of(sa, len, path, sizeof path))
        return -EINVAL;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    int r;
    if (op == FAC_UNIX_LISTEN) {
        if (abstract)
            r = bind(s, (const struct sockaddr *)sa, sl) < 0 ? -errno : 0;
        else
            r = bind_path(s, path, mask);
        if (r == 0 && listen(s, backlog > 0 ? backlog : 511) < 0)
            r = -errno;
    } else if (abstract) {
        r = connect(s, (const struct sockaddr *)sa, sl) < 0 ? -errno : 0;
    } else {
        r = connect_path(s, path, flags, fd_dir);
    }
    if (r < 0) {
        close(s);
        return r;
    }
    return s;
}

bool lch_netd_unix_own_folder(const brk_policy_t *policy, bool (*binds)(const char *),
                              const char *path)
{
    size_t n;
    bool all;
    const char *const *rules = brk_path_rules(policy, BRK_FS_WRITE, &n, &all);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(rules[i], "/") || !strcmp(rules[i], "/tmp"))
            continue; /* the root is read-only in the view; /tmp is the private one */
        if ((!binds || binds(rules[i])) && brk_path_covers(rules[i], path))
            return false;
    }
    return true;
}

void lch_netd_unix_serve(lch_netd_t *d, const netp_req_t *q, const uint8_t *payload, size_t plen,
                         netp_res_t *res, int *fd)
{
    bool listen = q->op == NETP_UNIX_LISTEN;
    const char *op = listen ? BRK_UNIX_LISTEN : BRK_UNIX_CONNECT;
    const char *addr = (const char *)payload;
    *fd = -1;
    int r = lch__netd_unix_decide(d, op, addr, plen);
    if (r < 0) {
        res->status = r;
        return;
    }
    unsigned flags = 0;
    if (addr[0] != '\0') {
        char path[NETP_UNIX_ADDR_MAX + 1];
        memcpy(path, addr, plen);
        path[plen] = '\0';
        bool own = lch_netd_unix_own_folder(lch__netd_policy(d), lch__netd_binds(d), path);
        /* as Landlock's MAKE_SOCK: no socket file for the host's programs
         * to find in a folder of theirs */
        if (listen && !own) {
            lch__netd_os_refusal(d, BRK_FS_WRITE, op, path, "EACCES",
                                 "host-folder (a unix socket is made only in the sandbox's "
                                 "own folders)");
            res->status = -EACCES;
            return;
        }
        /* a connect may reach a socket off the private /tmp only when a
         * write grant bound from the host covers it (the write half of
         * read+write) */
        if (!listen && !own)
            flags |= FAC_F_HOST_SOCKET;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, payload, plen);
    r = lch__netd_factory_unix(d, listen ? FAC_UNIX_LISTEN : FAC_UNIX_CONNECT, &sa,
                               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen), q->arg,
                               flags, listen ? q->port : 0, fd);
    res->status = r;
}
