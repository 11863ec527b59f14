/*
 * bridge/fs.c — the fs natives (contract: bridge/FS-CONTRACT.md).
 *
 * Shape: every operation is one function `op_x(fs_req_t *)` that does the
 * system calls and fills the request. A synchronous call runs it inline; an
 * asynchronous one (last argument a callback) runs it on libuv's thread
 * pool with uv_queue_work and delivers the result from the loop.
 *
 * Permission: paths are canonicalised and put to the broker on the loop
 * thread, before anything runs (bridge/path.c). The operations then work
 * from the canonical path without following a symlink anywhere on it: the
 * parent folder is opened with openat2(RESOLVE_NO_SYMLINKS) and the *at()
 * system call acts on the last component, so swapping a component for a
 * symlink after the check fails instead of escaping. Operations that act on
 * a link itself (lstat, unlink, rename, readlink, symlink, link, lchown,
 * lutimes, rmdir, mkdir) canonicalise only the parent.
 *
 * File descriptors: only the guest's own (those its open() returned) and
 * 0-2 are accepted, so no launcher descriptor (the audit log, the loop's
 * epoll) is reachable; 0-2 cannot be closed.
 *
 * The write quota of host grants (quota.c): whether a path counts is
 * decided with the permission, on the loop thread; a regular file opened
 * for writing there has its descriptor marked, and each write, copy,
 * growing ftruncate and new entry takes from the quota before it acts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include "internal.h"

#define FS_READFILE_MAX (2u << 30)
#define FS_READDIR_MAX (1u << 20)

typedef struct fs_req_s fs_req_t;
typedef int (*fs_op_fn)(fs_req_t *r);

enum { RES_UNDEF, RES_NUM, RES_STATS, RES_STR, RES_BYTES, RES_UTF8, RES_DIRENTS, RES_STATFS };

struct fs_req_s {
    uv_work_t work;
    br_rt_t *rt;
    fs_op_fn op;
    const char *syscall;
    char *path, *path2; /* as the guest gave them, for messages */
    int64_t a[4];       /* integer arguments */
    double t[2];        /* times */
    uint8_t *buf;       /* borrowed view of the guest's buffer */
    size_t len;
    vm_ref_t keep; /* the buffer, alive while the pool works on it */
    vm_ref_t cb;
    int err;           /* -errno */
    bool err_dest;     /* the error names path2 */
    bool err_bare;     /* the error names no path (a read after the open) */
    bool denied;       /* the broker refused (else an EACCES is the OS wall's) */
    bool no_hint;      /* an EACCES whose message gets no tail (a symlink's target) */
    bool lenient_tail; /* recursive mkdir: "name/." asks only for a folder there */
    char *cwd;         /* recursive mkdir of a relative path: the working folder then */
    uint8_t need[2];   /* what path and path2 were asked for: BRK_FS_* + 1, 0 none */
    bool counted;      /* the path (copyFile: the destination) or fd is in the quota */
    bool entry;        /* the call creates one entry that counts (run_op takes it) */
    bool fd_counts;    /* open: the new descriptor's writes count */
    int kind;          /* RES_* */
    double num;
    double stats[18];
    br_seen_t seen; /* what the check saw of canon (path 0, followed) */
    char *str;
    uint8_t *data;
    size_t data_len;
    size_t reserved;  /* data's room in the run's memory budget */
    bool over_budget; /* the budget refused it: Node's allocation error */
    char **names;
    uint8_t *types;
    size_t n;
    /* last, and not zeroed by req_new: 8 KiB per request */
    char canon[PATH_MAX], canon2[PATH_MAX];
};

static void req_free(fs_req_t *r)
{
    if (r->keep)
        vm_ref_free(r->rt->vm, r->keep);
    if (r->cb)
        vm_ref_free(r->rt->vm, r->cb);
    for (size_t i = 0; i < r->n; i++)
        free(r->names[i]);
    free(r->names);
    free(r->types);
    free(r->data);
    vm_release(r->rt->vm, r->reserved);
    free(r->str);
    free(r->path);
    free(r->path2);
    free(r->cwd);
    /* kept for the next call: a sync call takes one and gives it back */
    if (!r->rt->fs_spare)
        r->rt->fs_spare = r;
    else
        free(r);
}

/* ---- guest file descriptors ---------------------------------------------- */

/* Descriptor bitmaps (rt->fds, rt->quota->fds): BR_MAX_FDS bits. */
static bool fd_bit(const uint64_t *map, int64_t fd)
{
    return fd >= 0 && fd < BR_MAX_FDS &&
           ((__atomic_load_n(&map[fd / 64], __ATOMIC_RELAXED) >> (fd % 64)) & 1);
}

/* Atomic: the maps are the process's, and workers change them from their
 * threads. */
static void fd_set_bit(uint64_t *map, int64_t fd, bool on)
{
    if (fd < 0 || fd >= BR_MAX_FDS)
        return;
    if (on)
        __atomic_fetch_or(&map[fd / 64], UINT64_C(1) << (fd % 64), __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(&map[fd / 64], ~(UINT64_C(1) << (fd % 64)), __ATOMIC_RELAXED);
}

static bool fd_ok(br_rt_t *rt, int64_t fd, bool stdio_ok)
{
    if (fd >= 0 && fd <= 2)
        return stdio_ok;
    return fd_bit(rt->fds, fd);
}

bool br__fd_owned(br_rt_t *rt, int64_t fd)
{
    return fd_ok(rt, fd, true);
}

bool br__fd_counted(br_rt_t *rt, int64_t fd)
{
    return fd_bit(rt->quota->fds, fd);
}

static void fd_mark(br_rt_t *rt, int64_t fd, bool on)
{
    if (fd < 3)
        return;
    fd_set_bit(rt->fds, fd, on);
    fd_set_bit(rt->fds_own, fd, on);
    fd_set_bit(rt->quota->fds, fd, false);
}

void br__fd_adopt(br_rt_t *rt, int64_t fd, bool on)
{
    fd_mark(rt, fd, on);
}

void br__fds_close_own(br_rt_t *rt)
{
    for (int64_t fd = 3; fd < BR_MAX_FDS; fd++)
        if (fd_bit(rt->fds_own, fd) && fd_bit(rt->fds, fd)) {
            fd_mark(rt, fd, false);
            close((int)fd);
        }
}

/* A descriptor the guest's open returned: its own, and in the quota when
 * it is a regular file opened for writing in a counted grant. */
static void fd_opened(br_rt_t *rt, const fs_req_t *r)
{
    fd_mark(rt, (int64_t)r->num, true);
    fd_set_bit(rt->quota->fds, (int64_t)r->num, r->fd_counts);
}

/* ---- *at() helpers -------------------------------------------------------- */

/* A mode with no setuid or setgid bit: a file the guest creates or chmods
 * never gets one (in a host grant it would be a setuid program for the
 * host to run; the seccomp policies refuse the bits too). */
static mode_t plain_mode(int64_t mode)
{
    return (mode_t)mode & ~(mode_t)(S_ISUID | S_ISGID);
}

static void fill_stats(double *s, const struct statx *x)
{
    s[0] = (double)makedev(x->stx_dev_major, x->stx_dev_minor);
    s[1] = x->stx_mode;
    s[2] = x->stx_nlink;
    s[3] = x->stx_uid;
    s[4] = x->stx_gid;
    s[5] = (double)makedev(x->stx_rdev_major, x->stx_rdev_minor);
    s[6] = x->stx_blksize;
    s[7] = (double)x->stx_ino;
    s[8] = (double)x->stx_size;
    s[9] = (double)x->stx_blocks;
    s[10] = (double)x->stx_atime.tv_sec;
    s[11] = x->stx_atime.tv_nsec;
    s[12] = (double)x->stx_mtime.tv_sec;
    s[13] = x->stx_mtime.tv_nsec;
    s[14] = (double)x->stx_ctime.tv_sec;
    s[15] = x->stx_ctime.tv_nsec;
    if (x->stx_mask & STATX_BTIME) {
        s[16] = (double)x->stx_btime.tv_sec;
        s[17] = x->stx_btime.tv_nsec;
    } else {
        s[16] = s[14];
        s[17] = s[15];
    }
}

/* ---- the quota ------------------------------------------------------------- */

/* Opens canon in a counted grant: a file the open creates takes one of the
 * quota's files. Without O_EXCL the file is first opened as it is, so only
 * a real creation counts (a file another thread creates meanwhile is
 * opened again as it is). */
static int open_counted(br_quota_t *q, const char *canon, int flags, mode_t mode)
{
    if (!(flags & O_CREAT))
        return br__open_canonical(canon, flags, mode);
    int fd = -EEXIST;
    for (int i = 0; i < 8 && fd == -EEXIST; i++) {
        if (!(flags & O_EXCL) &&
            (fd = br__open_canonical(canon, flags & ~O_CREAT, mode)) != -ENOENT)
            return fd;
        if (br__quota_take(q, 0, 1) < 0)
            return -EDQUOT;
        fd = br__open_canonical(canon, flags | O_EXCL, mode);
        if (fd < 0)
            br__quota_give(q, 0, 1);
        if (flags & O_EXCL)
            break;
    }
    return fd;
}

/* br__open_canonical, through the quota when r->counted; r->fd_counts
 * tells whether writes to the descriptor count. */
static int open_req(fs_req_t *r, const char *canon, int flags, mode_t mode)
{
    if (!r->counted)
        return br__open_canonical(canon, flags, mode);
    int fd = open_counted(r->rt->quota, canon, flags, mode);
    struct stat st;
    r->fd_counts =
        fd >= 0 && (flags & O_ACCMODE) != O_RDONLY && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    return fd;
}

/* The call creates one entry at canon: it counts if canon is in the quota. */
static void count_entry(fs_req_t *r, const char *canon)
{
    r->entry = !r->err && br__quota_counts(r->rt->quota, canon);
}

/* Runs the operation; one that creates an entry in a counted grant takes
 * it from the quota first and gives it back if it fails. */
static int run_op(fs_req_t *r)
{
    if (r->entry && br__quota_take(r->rt->quota, 0, 1) < 0)
        return -EDQUOT;
    int e = r->op(r);
    if (e < 0 && r->entry)
        br__quota_give(r->rt->quota, 0, 1);
    return e;
}

/* ---- operations (run inline or on the pool) ------------------------------- */

static int op_open(fs_req_t *r)
{
    int fd = open_req(r, r->canon, (int)r->a[0], plain_mode(r->a[1]));
    if (fd < 0)
        return fd;
    r->kind = RES_NUM;
    r->num = fd;
    return 0;
}

static int op_close(fs_req_t *r)
{
    return close((int)r->a[0]) < 0 && errno != EINTR ? -errno : 0;
}

static int op_read(fs_req_t *r)
{
    ssize_t n;
    do {
        n = r->a[1] < 0 ? read((int)r->a[0], r->buf, r->len)
                        : pread((int)r->a[0], r->buf, r->len, (off_t)r->a[1]);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    r->kind = RES_NUM;
    r->num = (double)n;
    return 0;
}

/* A counted descriptor's write takes its length from the quota first and
 * gives back what was not written: it fits entirely or nothing is written. */
static int op_write(fs_req_t *r)
{
    if (r->counted && br__quota_take(r->rt->quota, r->len, 0) < 0)
        return -EDQUOT;
    ssize_t n;
    do {
        n = r->a[1] < 0 ? write((int)r->a[0], r->buf, r->len)
                        : pwrite((int)r->a[0], r->buf, r->len, (off_t)r->a[1]);
    } while (n < 0 && errno == EINTR);
    int e = n < 0 ? -errno : 0;
    if (r->counted)
        br__quota_give(r->rt->quota, r->len - (n < 0 ? 0 : (size_t)n), 0);
    if (e)
        return e;
    r->kind = RES_NUM;
    r->num = (double)n;
    return 0;
}

static int op_read_file(fs_req_t *r)
{
    int fd = open_req(r, r->canon, (int)r->a[0], 0666);
    if (fd < 0)
        return fd;
    /* the size the check's statx saw of a regular file, else fstat's: only
     * the first guess of the room (the reads go on to the end whatever it
     * is; a folder swapped in since fails the read with EISDIR) */
    off_t size;
    if (r->seen.known && !r->seen.err && S_ISREG(r->seen.x.stx_mode)) {
        size = (off_t)r->seen.x.stx_size;
    } else {
        struct stat st;
        if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
            int e = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
            close(fd);
            r->syscall = "read";
            r->err_bare = true;
            return e;
        }
        size = st.st_size;
    }
    size_t cap = size > 0 ? (size_t)size + 1 : 8192, len = 0;
    if (cap > FS_READFILE_MAX) {
        close(fd);
        return -EFBIG;
    }
    /* the room is reserved in the budget before it is made; a guest keeps
     * the result (counted again then) or it is freed with the request */
    r->over_budget = !vm_reserve(r->rt->vm, cap);
    r->reserved = r->over_budget ? 0 : cap;
    uint8_t *buf = r->over_budget ? NULL : malloc(cap);
    int err = buf ? 0 : -ENOMEM;
    while (!err) {
        if (len == cap) {
            size_t ncap = cap * 2 > FS_READFILE_MAX ? FS_READFILE_MAX : cap * 2;
            if (ncap == cap) {
                err = -EFBIG;
                break;
            }
            r->over_budget = !vm_reserve(r->rt->vm, ncap - cap);
            r->reserved += r->over_budget ? 0 : ncap - cap;
            uint8_t *nb = r->over_budget ? NULL : realloc(buf, ncap);
            if (!nb) {
                err = -ENOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            err = -errno;
        else if (n == 0)
            break;
        else
            len += (size_t)n;
    }
    close(fd);
    if (err) {
        free(buf);
        r->syscall = "read";
        r->err_bare = true;
        return err;
    }
    r->kind = r->a[1] ? RES_UTF8 : RES_BYTES;
    r->data = buf;
    r->data_len = len;
    return 0;
}

static int op_stat(fs_req_t *r)
{
    if (r->seen.known) { /* the check's own statx of canon, a moment ago */
        if (r->seen.err)
            return r->seen.err;
        fill_stats(r->stats, &r->seen.x);
        r->kind = RES_STATS;
        return 0;
    }
    int dirfd;
    const char *base;
    int e = br__open_parent(r->canon, &dirfd, &base);
    if (e < 0)
        return e;
    struct statx x;
    e = statx(dirfd, base, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS | STATX_BTIME,
              &x) < 0
            ? -errno
            : 0;
    br__close_dir(dirfd);
    if (e == 0) {
        fill_stats(r->stats, &x);
        r->kind = RES_STATS;
    }
    return e;
}

static int op_fstat(fs_req_t *r)
{
    struct statx x;
    if (statx((int)r->a[0], "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &x) < 0)
        return -errno;
    fill_stats(r->stats, &x);
    r->kind = RES_STATS;
    return 0;
}

typedef struct {
    char *name;
    uint8_t type;
} dirent_pair_t;

static int cmp_dirent(const void *a, const void *b)
{
    return strcmp(((const dirent_pair_t *)a)->name, ((const dirent_pair_t *)b)->name);
}

/* Names in strcmp order, as libuv's scandir gives them to Node. */
static void sort_dirents(fs_req_t *r)
{
    if (r->n < 2)
        return;
    dirent_pair_t *v = malloc(r->n * sizeof *v);
    if (!v)
        return; /* unsorted is still a correct listing */
    for (size_t i = 0; i < r->n; i++)
        v[i] = (dirent_pair_t){r->names[i], r->types[i]};
    qsort(v, r->n, sizeof *v, cmp_dirent);
    for (size_t i = 0; i < r->n; i++) {
        r->names[i] = v[i].name;
        r->types[i] = v[i].type;
    }
    free(v);
}

static int op_readdir(fs_req_t *r)
{
    int fd = br__open_canonical(r->canon, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return fd;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = -errno;
        close(fd);
        return e;
    }
    size_t cap = 0;
    int err = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (r->n >= FS_READDIR_MAX) {
            err = -E2BIG;
            break;
        }
        if (r->n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(r->names, cap * sizeof *nn);
            uint8_t *nt = nn ? realloc(r->types, cap) : NULL;
            if (nn)
                r->names = nn;
            if (!nn || !nt) {
                err = -ENOMEM;
                break;
            }
            r->types = nt;
        }
        uint8_t t;
        switch (de->d_type) {
        case DT_REG:
            t = 1;
            break;
        case DT_DIR:
            t = 2;
            break;
        case DT_LNK:
            t = 3;
            break;
        case DT_FIFO:
            t = 4;
            break;
        case DT_SOCK:
            t = 5;
            break;
        case DT_CHR:
            t = 6;
            break;
        case DT_BLK:
            t = 7;
            break;
        default:
            t = 0;
            break;
        }
        r->names[r->n] = strdup(de->d_name);
        if (!r->names[r->n]) {
            err = -ENOMEM;
            break;
        }
        r->types[r->n++] = t;
    }
    if (!err && errno)
        err = -errno;
    closedir(d);
    if (!err) {
        sort_dirents(r);
        r->kind = RES_DIRENTS;
    }
    return err;
}

static size_t count_names(const char *p)
{
    size_t n = 0;
    for (; *p; p++)
        n += *p != '/' && (p[1] == '/' || p[1] == '\0');
    return n;
}

/* Drops p's trailing slashes and "." components ("a/./" -> "a"); "/" and
 * "." stay. */
static void trim_tail(char *p)
{
    for (;;) {
        size_t n = strlen(p);
        while (n > 1 && p[n - 1] == '/')
            p[--n] = '\0';
        if (n >= 2 && p[n - 1] == '.' && p[n - 2] == '/')
            p[n - 1] = '\0';
        else
            return;
    }
}

/* A recursive mkdir answers the first folder it made in the form the guest
 * wrote (Node takes dirname of the path given until it can make it): r->str
 * (canonical) becomes the given path less the names made after it. The
 * names past what existed are canon's last ones as written, so counting
 * them is enough; a given path with ".." there keeps the canonical form. */
static void first_made_as_given(fs_req_t *r)
{
    size_t drop = count_names(r->canon) - count_names(r->str);
    char *given = strdup(r->path);
    if (!given)
        return;
    trim_tail(given);
    for (size_t i = 0; i < drop; i++) {
        char *slash = strrchr(given, '/');
        if (!slash || !strcmp(slash, "/..")) {
            free(given);
            return;
        }
        slash[slash == given] = '\0';
        trim_tail(given);
    }
    char *last = strrchr(given, '/');
    if (!strcmp(last ? last + 1 : given, "..") || !strcmp(given, ".")) {
        free(given);
        return;
    }
    free(r->str);
    r->str = given;
}

static int op_mkdir(fs_req_t *r)
{
    bool recursive = r->a[1] != 0;
    mode_t mode = plain_mode(r->a[0]);
    if (!recursive) {
        int dirfd;
        const char *base;
        int e = br__open_parent(r->canon, &dirfd, &base);
        if (e < 0)
            return e;
        e = mkdirat(dirfd, base, mode) < 0 ? -errno : 0;
        br__close_dir(dirfd);
        return e;
    }
    /* Walk from "/" one component at a time, never following a symlink;
     * report the first folder created, as Node does. */
    int dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return -errno;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", r->canon);
    char *save = NULL;
    size_t built = 0;
    char sofar[PATH_MAX] = "";
    int e = 0;
    for (char *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        int m = snprintf(sofar + built, sizeof sofar - built, "/%s", c);
        if (m < 0 || (size_t)m >= sizeof sofar - built) {
            e = -ENAMETOOLONG;
            break;
        }
        built += (size_t)m;
        bool counts = br__quota_counts(r->rt->quota, sofar);
        if (counts && br__quota_take(r->rt->quota, 0, 1) < 0) {
            e = -EDQUOT;
            break;
        }
        /* a relative path never makes its own folder or one above it: the
         * kernel resolves it from the folder itself, and that was removed */
        size_t sl = strlen(sofar);
        bool is_cwd =
            r->cwd && !strncmp(r->cwd, sofar, sl) && (r->cwd[sl] == '/' || r->cwd[sl] == '\0');
        if (is_cwd) {
            if (counts)
                br__quota_give(r->rt->quota, 0, 1);
        } else if (mkdirat(dirfd, c, mode) == 0) {
            if (!r->str && !(r->str = strdup(sofar))) {
                e = -ENOMEM;
                break;
            }
        } else {
            if (counts)
                br__quota_give(r->rt->quota, 0, 1);
            if (errno != EEXIST) {
                e = -errno;
                break;
            }
        }
        int next = openat(dirfd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            e = errno == ELOOP || errno == ENOTDIR ? (errno == ELOOP ? -ENOTDIR : -errno) : -errno;
            if (e == -ENOTDIR && !save[0] && r->str == NULL)
                e = -EEXIST; /* the last component exists as a file */
            break;
        }
        close(dirfd);
        dirfd = next;
    }
    close(dirfd);
    if (e == 0 && r->str) {
        first_made_as_given(r);
        r->kind = RES_STR;
    }
    return e;
}

static int unlink_like(fs_req_t *r, int flags)
{
    int dirfd;
    const char *base;
    int e = br__open_parent(r->canon, &dirfd, &base);
    if (e < 0)
        return e;
    e = unlinkat(dirfd, base, flags) < 0 ? -errno : 0;
    br__close_dir(dirfd);
    return e;
}

static int op_rmdir(fs_req_t *r)
{
    return unlink_like(r, AT_REMOVEDIR);
}

static int op_unlink(fs_req_t *r)
{
    return unlink_like(r, 0);
}

static int two_parents(fs_req_t *r, int *d1, const char **b1, int *d2, const char **b2)
{
    int e = br__open_parent(r->canon, d1, b1);
    if (e < 0)
        return e;
    e = br__open_parent(r->canon2, d2, b2);
    if (e < 0) {
        br__close_dir(*d1);
        r->err_dest = true;
    }
    return e;
}

static int op_rename(fs_req_t *r)
{
    int d1, d2;
    const char *b1, *b2;
    int e = two_parents(r, &d1, &b1, &d2, &b2);
    if (e < 0)
        return e;
    e = renameat(d1, b1, d2, b2) < 0 ? -errno : 0;
    br__close_dir(d1);
    br__close_dir(d2);
    return e;
}

static int op_link(fs_req_t *r)
{
    int d1, d2;
    const char *b1, *b2;
    int e = two_parents(r, &d1, &b1, &d2, &b2);
    if (e < 0)
        return e;
    e = linkat(d1, b1, d2, b2, 0) < 0 ? -errno : 0;
    br__close_dir(d1);
    br__close_dir(d2);
    return e;
}

static int op_copy_file(fs_req_t *r)
{
    int in = br__open_canonical(r->canon, O_RDONLY, 0);
    if (in < 0)
        return in;
    struct stat st;
    if (fstat(in, &st) < 0) {
        int e = -errno;
        close(in);
        return e;
    }
    /* the whole copy fits in the quota, or nothing is created */
    uint64_t want = r->counted && st.st_size > 0 ? (uint64_t)st.st_size : 0;
    if (want && br__quota_take(r->rt->quota, want, 0) < 0) {
        close(in);
        return -EDQUOT;
    }
    int flags = O_WRONLY | O_CREAT | O_TRUNC | ((r->a[0] & 1) ? O_EXCL : 0);
    int out = open_req(r, r->canon2, flags, plain_mode(st.st_mode & 07777));
    if (out < 0) {
        br__quota_give(r->rt->quota, want, 0);
        close(in);
        r->err_dest = false;
        return out;
    }
    int e = 0;
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = copy_file_range(in, &off, out, NULL, (size_t)(st.st_size - off), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) { /* e.g. EXDEV on old kernels: plain copy */
            char buf[65536];
            ssize_t k;
            while ((k = pread(in, buf, sizeof buf, off)) > 0) {
                if (write(out, buf, (size_t)k) != k) {
                    e = -errno;
                    break;
                }
                off += k;
            }
            if (k < 0)
                e = -errno;
            break;
        }
        if (n == 0)
            break;
    }
    if (!e && fchmod(out, plain_mode(st.st_mode & 07777)) < 0)
        e = -errno;
    if (want)
        br__quota_give(r->rt->quota, want - ((uint64_t)off < want ? (uint64_t)off : want), 0);
    close(in);
    close(out);
    return e;
}

static int op_access(fs_req_t *r)
{
    /* the check found canon missing, or there when only that is asked */
    if (r->seen.known && (r->seen.err || r->a[0] == F_OK))
        return r->seen.err;
    int dirfd;
    const char *base;
    int e = br__open_parent(r->canon, &dirfd, &base);
    if (e < 0)
        return e;
    /* the canonical path has no symlink: one swapped in since is not followed */
    e = faccessat(dirfd, base, (int)r->a[0], AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
    br__close_dir(dirfd);
    return e;
}

static int op_realpath(fs_req_t *r)
{
    struct stat st;
    int e = br__stat_canonical(r->canon, &st);
    if (e < 0)
        return e;
    r->str = strdup(r->canon);
    r->kind = RES_STR;
    return r->str ? 0 : -ENOMEM;
}

static int op_chmod(fs_req_t *r)
{
    int dirfd;
    const char *base;
    int e = br__open_parent(r->canon, &dirfd, &base);
    if (e < 0)
        return e;
    /* The canonical last component is not a symlink; if it became one,
     * refuse rather than follow (glibc: EOPNOTSUPP). */
    e = fchmodat(dirfd, base, plain_mode(r->a[0]), AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
    br__close_dir(dirfd);
    return e;
}

static int op_chown(fs_req_t *r)
{
    int dirfd;
    const char *base;
    int e = br__open_parent(r->canon, &dirfd, &base);
    if (e < 0)
        return e;
    e = fchownat(dirfd, base, (uid_t)r->a[0], (gid_t)r->a[1], AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
    br__close_dir(dirfd);
    return e;
}

static int op_symlink(fs_req_t *r)
{
    int dirfd;
    const char *base;
    int e = br__open_parent(r->canon2, &dirfd, &base);
    if (e < 0)
        return e;
    e = symlinkat(r->path, dirfd, base) < 0 ? -errno : 0;
    br__close_dir(dirfd);
    return e;
}

static int op_readlink(fs_req_t *r)
{
    int dirfd;
    const char *base;
    int e = br__open_parent(r->canon, &dirfd, &base);
    if (e < 0)
        return e;
    char buf[PATH_MAX];
    ssize_t n = readlinkat(dirfd, base, buf, sizeof buf - 1);
    e = n < 0 ? -errno : 0;
    br__close_dir(dirfd);
    if (e)
        return e;
    buf[n] = '\0';
    r->str = strdup(buf);
    r->kind = RES_STR;
    return r->str ? 0 : -ENOMEM;
}

static struct timespec to_ts(double t)
{
    struct timespec ts;
    double s = t < 0 ? -1 - (double)(int64_t)(-t) : (double)(int64_t)t;
    if (t >= 0)
        s = (double)(int64_t)t;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((t - s) * 1e9);
    if (ts.tv_nsec < 0)
        ts.tv_nsec = 0;
    if (ts.tv_nsec > 999999999)
        ts.tv_nsec = 999999999;
    return ts;
}

static int op_utimes(fs_req_t *r)
{
    int dirfd;
    const char *base;
    int e = br__open_parent(r->canon, &dirfd, &base);
    if (e < 0)
        return e;
    struct timespec ts[2] = {to_ts(r->t[0]), to_ts(r->t[1])};
    e = utimensat(dirfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
    br__close_dir(dirfd);
    return e;
}

static int op_fd_simple(fs_req_t *r)
{
    int fd = (int)r->a[0];
    int rc;
    switch (r->a[3]) {
    case 0: {
        /* what a counted file grows by is taken from the quota first */
        struct stat st;
        uint64_t grow = r->counted && fstat(fd, &st) == 0 && r->a[1] > st.st_size
                            ? (uint64_t)(r->a[1] - st.st_size)
                            : 0;
        if (grow && br__quota_take(r->rt->quota, grow, 0) < 0)
            return -EDQUOT;
        rc = ftruncate(fd, (off_t)r->a[1]);
        if (rc < 0 && grow)
            br__quota_give(r->rt->quota, grow, 0);
        break;
    }
    case 1:
        rc = fsync(fd);
        break;
    case 2:
        rc = fdatasync(fd);
        break;
    case 3:
        rc = fchmod(fd, plain_mode(r->a[1]));
        break;
    case 4:
        rc = fchown(fd, (uid_t)r->a[1], (gid_t)r->a[2]);
        break;
    default: {
        struct timespec ts[2] = {to_ts(r->t[0]), to_ts(r->t[1])};
        rc = futimens(fd, ts);
        break;
    }
    }
    return rc < 0 ? -errno : 0;
}

static int op_mkdtemp(fs_req_t *r)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    int dirfd;
    const char *base;
    int e = br__open_parent(r->canon, &dirfd, &base);
    if (e < 0)
        return e;
    /* the template's last component ends in the six X's replaced */
    char name[NAME_MAX + 1];
    size_t bl = strlen(base);
    if (bl < 6 || strcmp(base + bl - 6, "XXXXXX")) {
        br__close_dir(dirfd);
        return -EINVAL;
    }
    bl -= 6;
    if (bl + 6 > NAME_MAX) {
        br__close_dir(dirfd);
        return -ENAMETOOLONG;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        uint8_t rnd[6];
        if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd) {
            e = -EIO;
            break;
        }
        memcpy(name, base, bl);
        for (int i = 0; i < 6; i++)
            name[bl + (size_t)i] = chars[rnd[i] % (sizeof chars - 1)];
        name[bl + 6] = '\0';
        if (mkdirat(dirfd, name, 0700) == 0) {
            const char *slash = strrchr(r->canon, '/');
            size_t pl = (size_t)(slash - r->canon);
            if (asprintf(&r->str, "%.*s/%s", (int)pl, r->canon, name) < 0)
                r->str = NULL;
            e = r->str ? 0 : -ENOMEM;
            r->kind = RES_STR;
            break;
        }
        if (errno != EEXIST) {
            e = -errno;
            break;
        }
        e = -EEXIST;
    }
    br__close_dir(dirfd);
    return e;
}

/* statfs as the sandbox's mounts are, not the host's disks behind them:
 * a read-only mount (the app, system folders, read grants) has no room
 * and tells no size; a host write grant under a quota has the quota's
 * room (or the disk's, when that is less); the private /tmp and a grant
 * without a quota are what the kernel says. out: blocks, bfree, bavail,
 * files, ffree. */
static void sandbox_statfs(br_quota_t *q, const char *canon, const struct statfs *s, double *out)
{
    uint64_t v[5] = {s->f_blocks, s->f_bfree, s->f_bavail, s->f_files, s->f_ffree};
    if (s->f_flags & ST_RDONLY) {
        memset(v, 0, sizeof v);
    } else if (br__quota_counts(q, canon)) {
        uint64_t bsize = s->f_bsize ? (uint64_t)s->f_bsize : 1;
        if (q->max_bytes) {
            uint64_t left = (q->max_bytes - atomic_load(q->bytes)) / bsize;
            v[0] = q->max_bytes / bsize;
            v[1] = left < v[1] ? left : v[1];
            v[2] = left < v[2] ? left : v[2];
        }
        if (q->max_files) {
            uint64_t left = q->max_files - atomic_load(q->files);
            v[3] = q->max_files;
            v[4] = left < v[4] ? left : v[4];
        }
    }
    for (int i = 0; i < 5; i++)
        out[i] = (double)v[i];
}

static int op_statfs(fs_req_t *r)
{
    int fd = br__open_canonical(r->canon, O_PATH, 0);
    if (fd < 0)
        return fd;
    struct statfs s;
    int e = fstatfs(fd, &s) < 0 ? -errno : 0;
    close(fd);
    if (e)
        return e;
    r->stats[0] = (double)s.f_type;
    r->stats[1] = (double)s.f_bsize;
    sandbox_statfs(r->rt->quota, r->canon, &s, r->stats + 2);
    r->kind = RES_STATFS;
    return 0;
}

/* ---- results, errors, dispatch --------------------------------------------- */

static vm_ref_t make_error(fs_req_t *r)
{
    if (r->over_budget)
        return vm_new_error(r->rt->vm, &(vm_error_t){.type = "RangeError",
                                                     .message = "Array buffer allocation failed"});
    char msg[PATH_MAX * 3 + 512];
    const char *name = br__errno_name(r->err);
    const char *p = r->err_bare ? NULL : r->err_dest && r->path2 ? r->path2 : r->path;
    const char *dest = r->err_dest || r->err_bare ? NULL : r->path2;
    /* an EACCES says which wall refused and what would allow it; code,
     * errno, syscall and path stay Node's */
    char tail[PATH_MAX + 256];
    tail[0] = '\0';
    bool second = r->err_dest && r->path2;
    if (r->err == -EACCES && p && !r->no_hint && r->need[second])
        br__refusal(r->rt, (brk_domain_t)(r->need[second] - 1), r->denied, r->syscall,
                    second ? r->canon2 : r->canon, p, tail, sizeof tail);
    if (p && dest)
        snprintf(msg, sizeof msg, "%s: %s, %s '%s' -> '%s'%s", name, br__errno_message(r->err),
                 r->syscall, p, dest, tail);
    else if (p)
        snprintf(msg, sizeof msg, "%s: %s, %s '%s'%s", name, br__errno_message(r->err), r->syscall,
                 p, tail);
    else
        snprintf(msg, sizeof msg, "%s: %s, %s", name, br__errno_message(r->err), r->syscall);
    vm_error_t e = {.message = msg,
                    .code = name,
                    .errnum = r->err,
                    .syscall = r->syscall,
                    .path = p,
                    .dest = dest};
    return vm_new_error(r->rt->vm, &e);
}

/* The result as a value; *ref (to free) is set when it is an object. */
static vm_val_t make_result(fs_req_t *r, vm_ref_t *ref)
{
    vm_t *vm = r->rt->vm;
    *ref = 0;
    switch (r->kind) {
    case RES_NUM:
        return VM_NUM(r->num);
    case RES_STR:
        return VM_STR(r->str, strlen(r->str));
    case RES_STATS:
        *ref = vm_new_f64(vm, r->stats, 18);
        return VM_REF(*ref);
    case RES_STATFS:
        *ref = vm_new_f64(vm, r->stats, 7);
        return VM_REF(*ref);
    case RES_UTF8:
        return VM_STR((const char *)r->data, r->data_len);
    case RES_BYTES:
        *ref = vm_new_bytes_take(vm, r->data, r->data_len);
        r->data = NULL;
        return VM_REF(*ref);
    case RES_DIRENTS: {
        vm_val_t *items = calloc(r->n ? r->n : 1, sizeof *items);
        vm_ref_t *raw = r->a[3] ? calloc(r->n ? r->n : 1, sizeof *raw) : NULL;
        if (!items || (r->a[3] && !raw)) {
            free(items);
            free(raw);
            return VM_UNDEF;
        }
        for (size_t i = 0; i < r->n; i++) {
            size_t len = strlen(r->names[i]);
            if (!raw) {
                items[i] = VM_STR(r->names[i], len);
                continue;
            }
            uint8_t *b = malloc(len ? len : 1);
            if (b)
                memcpy(b, r->names[i], len);
            raw[i] = vm_new_bytes_take(vm, b, b ? len : 0);
            items[i] = VM_REF(raw[i]);
        }
        vm_ref_t names = vm_new_array(vm, items, r->n);
        for (size_t i = 0; raw && i < r->n; i++)
            vm_ref_free(vm, raw[i]);
        free(raw);
        free(items);
        if (!r->a[2]) { /* no types asked */
            *ref = names;
            return VM_REF(*ref);
        }
        uint8_t *t = malloc(r->n ? r->n : 1);
        if (t && r->n)
            memcpy(t, r->types, r->n);
        vm_ref_t types = vm_new_bytes_take(vm, t, t ? r->n : 0);
        vm_val_t pair[2] = {VM_REF(names), VM_REF(types)};
        *ref = vm_new_array(vm, pair, 2);
        vm_ref_free(vm, names);
        vm_ref_free(vm, types);
        return VM_REF(*ref);
    }
    default:
        return VM_UNDEF;
    }
}

static void after_work(uv_work_t *w, int status)
{
    fs_req_t *r = w->data;
    br_rt_t *rt = r->rt;
    rt->pending_reqs--;
    if (status == UV_ECANCELED && !r->err)
        r->err = UV_ECANCELED;
    if (r->op == op_open && !r->err)
        fd_opened(rt, r);
    if (rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE) {
        if (r->op == op_open && !r->err)
            close((int)r->num);
        req_free(r);
        return;
    }
    vm_ref_t err = 0, res = 0;
    vm_val_t args[2] = {{.type = VM_T_NULL}, VM_UNDEF};
    if (r->err) {
        err = make_error(r);
        args[0] = VM_REF(err);
    } else {
        args[1] = make_result(r, &res);
    }
    vm_ref_t cb = r->cb;
    r->cb = 0;
    br__invoke(rt, cb, 2, args, NULL);
    vm_ref_free(rt->vm, cb);
    vm_ref_free(rt->vm, err);
    vm_ref_free(rt->vm, res);
    req_free(r);
}

static void work(uv_work_t *w)
{
    fs_req_t *r = w->data;
    if (r->op) /* NULL: a refused check, answered asynchronously */
        r->err = run_op(r);
}

/* Synchronous stats go through one Float64Array per runtime, as Node's
 * shared stat array: the caller reads it at once (a fresh array per call
 * costs more than the statx itself). */
static bool sync_stats(br_rt_t *rt, const double *v)
{
    if (!rt->stats_out)
        rt->stats_out = vm_new_f64(rt->vm, v, 18);
    size_t n = 0;
    double *out = rt->stats_out ? vm_f64_data(rt->vm, rt->stats_out, &n) : NULL;
    if (!out || n != 18)
        return false;
    memcpy(out, v, 18 * sizeof *out);
    return true;
}

/* Runs r now (sync) or queues it (async: last argument a function). */
static void dispatch(vm_call_t *c, fs_req_t *r, int cb_index)
{
    br_rt_t *rt = r->rt;
    if (!r->err && vm_arg_type(c, cb_index) == VM_T_FUNCTION) {
        /* the pool runs it later: it asks the kernel then, as Node's do */
        r->seen.known = false;
        r->cb = vm_arg_ref(c, cb_index);
        r->work.data = r;
        int e = uv_queue_work(rt->loop, &r->work, work, after_work);
        if (e == 0) {
            rt->pending_reqs++;
            return;
        }
        r->err = e;
    } else if (vm_arg_type(c, cb_index) == VM_T_FUNCTION && r->err) {
        /* a refused check still answers asynchronously, as Node does */
        r->cb = vm_arg_ref(c, cb_index);
        r->work.data = r;
        r->op = NULL;
        if (uv_queue_work(rt->loop, &r->work, work, after_work) == 0) {
            rt->pending_reqs++;
            return;
        }
    } else if (!r->err) {
        r->err = run_op(r);
        if (r->op == op_open && !r->err)
            fd_opened(rt, r);
    }
    if (r->err && vm_arg_type(c, cb_index) == VM_T_NULL) {
        vm_ret_num(c, r->err); /* req null: the -errno, no error object */
    } else if (r->err) {
        vm_ref_t e = make_error(r);
        vm_throw_ref(c, e);
        vm_ref_free(rt->vm, e);
    } else if (r->kind == RES_STATS && sync_stats(rt, r->stats)) {
        vm_ret_ref(c, rt->stats_out);
    } else {
        vm_ref_t ref;
        vm_val_t v = make_result(r, &ref);
        switch (v.type) {
        case VM_T_NUMBER:
            vm_ret_num(c, v.u.num);
            break;
        case VM_T_STRING:
            vm_ret_str(c, v.u.str.p, v.u.str.len);
            break;
        case VM_T_OBJECT:
            vm_ret_ref(c, ref);
            break;
        default:
            vm_ret_undefined(c);
        }
        vm_ref_free(rt->vm, ref);
    }
    req_free(r);
}

static fs_req_t *req_new(vm_call_t *c, fs_op_fn op, const char *syscall)
{
    br_rt_t *rt = br__rt(c);
    fs_req_t *r = rt->fs_spare;
    if (r)
        rt->fs_spare = NULL;
    else
        r = malloc(sizeof *r);
    if (r) {
        memset(r, 0, offsetof(fs_req_t, canon));
        r->canon[0] = r->canon2[0] = '\0';
    }
    if (!r) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_MEMORY", "out of memory");
        return NULL;
    }
    r->rt = rt;
    r->op = op;
    r->syscall = syscall;
    return r;
}

/* How a path as given ends: in a name, "name/", or a last component "."
 * or ".." (trailing slashes aside). "/" itself ends in a name. */
enum { TAIL_NAME, TAIL_SLASH, TAIL_DOT, TAIL_DOTDOT };

static int path_tail(const char *p)
{
    size_t n = strlen(p);
    bool slash = false;
    while (n > 1 && p[n - 1] == '/') {
        n--;
        slash = true;
    }
    size_t s = n;
    while (s > 0 && p[s - 1] != '/')
        s--;
    if (n - s == 1 && p[s] == '.')
        return TAIL_DOT;
    if (n - s == 2 && p[s] == '.' && p[s + 1] == '.')
        return TAIL_DOTDOT;
    return slash ? TAIL_SLASH : TAIL_NAME;
}

/* Whether the path as given is "name/" (not "/" itself, nor ".../."). */
static bool names_folder(const char *p)
{
    return path_tail(p) == TAIL_SLASH;
}

/* canon: 1 a folder, 0 something else, -ELOOP a symlink (not followed),
 * other -errno missing or unknown; from what the check saw when it saw it
 * (path 0, followed) */
static int folder_kind(const fs_req_t *r, bool second, const char *canon)
{
    if (!second && r->seen.known)
        return r->seen.err ? r->seen.err : S_ISDIR(r->seen.x.stx_mode) ? 1 : 0;
    struct stat st;
    int e = br__stat_canonical(canon, &st);
    return e ? e : S_ISDIR(st.st_mode) ? 1 : 0;
}

/* The kernel's answer to a name given as "name/" where it differs from
 * the name's own (0: none). An operation that follows it refuses what is
 * no folder (stat('file/') ENOTDIR; lstat and readlink follow a symlink
 * there, take_path; Node's JS realpath resolves the path before it asks).
 * One on the entry itself refuses a file or a symlink there: ENOTDIR
 * (unlink, rmdir, rename), EEXIST where it would make the name (mkdir,
 * symlink, link). A missing name is made only as a folder: symlink and
 * link ENOENT (open with O_CREAT and copyFile's destination: EISDIR, in
 * take_open_path and fs_copy_file). */
static int slash_rule(fs_req_t *r, bool second, bool follow, const char *canon)
{
    int kind = folder_kind(r, second, canon);
    bool makes_name = !strcmp(r->syscall, "symlink") || !strcmp(r->syscall, "link");
    if (kind == -ENOENT)
        return makes_name ? -ENOENT : 0;
    if (kind == 1 || (kind < 0 && kind != -ELOOP))
        return 0;
    if (follow)
        return -ENOTDIR;
    return makes_name || !strcmp(r->syscall, "mkdir") ? -EEXIST : -ENOTDIR;
}

/* The kernel's answer to a path whose last component is "." or ".."
 * (0: none). What comes before must be a folder, for every operation
 * (stat('file/.') ENOTDIR, mkdir('missing/.') ENOENT); one that would make,
 * remove or move that name is refused on the name itself: rmdir EINVAL
 * (ENOTEMPTY for ".."), rename EBUSY, unlink EISDIR, mkdir and a new
 * symlink or link EEXIST. ".." was resolved lexically (br__path_canon), so
 * its folder is canon's. */
static int dot_rule(fs_req_t *r, bool second, bool dotdot, const char *canon)
{
    int kind = folder_kind(r, second, canon);
    if (kind < 0)
        return kind;
    if (kind == 0)
        return -ENOTDIR;
    const char *s = r->syscall;
    if (!strcmp(s, "rmdir"))
        return dotdot ? -ENOTEMPTY : -EINVAL;
    if (!strcmp(s, "rename"))
        return -EBUSY;
    if (!strcmp(s, "unlink"))
        return -EISDIR;
    if (!strcmp(s, "mkdir") || (second && (!strcmp(s, "symlink") || !strcmp(s, "link"))))
        return -EEXIST;
    return 0;
}

/* Takes path argument i, canonicalises it (follow: resolve the last
 * component too) and asks the broker for domain d; on refusal r->err. */
/* A refusal of an operation on an existing file (a read, or a change of
 * one: never one that creates) whose path is not there, where the guest may
 * know it is not: its folder is readable to it, or its first component is
 * not in the sandbox's root at all (the same few names every run). Such a
 * refusal is Node's ENOENT, so a library's fallback for a missing file
 * works; anything it could not see stays EACCES (no oracle of what the
 * sandbox shows but does not grant). The audit line is the refusal's. */
static bool refusal_is_absence(const brk_policy_t *p, brk_domain_t d, const char *op,
                               const char *canon)
{
    static const char *const changes[] = {"utime",  "lutime", "chmod", "chown",
                                          "lchown", "unlink", "rmdir"};
    bool on_existing = d == BRK_FS_READ;
    for (size_t i = 0; !on_existing && i < sizeof changes / sizeof changes[0]; i++)
        on_existing = !strcmp(op, changes[i]);
    struct stat st;
    if (!on_existing || canon[0] != '/' || lstat(canon, &st) == 0 || errno != ENOENT)
        return false;
    return br__may_know(p, canon);
}

bool br__may_know(const brk_policy_t *p, const char *canon)
{
    struct stat st;
    if (canon[0] != '/')
        return false;
    if (brk_allows(p, BRK_FS_READ, canon))
        return true;
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", canon);
    char *slash = strrchr(parent, '/');
    if (slash == parent) /* a name in the root: known when not there */
        return lstat(canon, &st) < 0 && errno == ENOENT;
    *slash = '\0';
    if (brk_allows(p, BRK_FS_READ, parent))
        return true;
    char *first = strchr(parent + 1, '/');
    if (first)
        *first = '\0';
    return lstat(parent, &st) < 0 && errno == ENOENT;
}

static bool take_path(vm_call_t *c, fs_req_t *r, int i, bool second, brk_domain_t d, bool follow)
{
    char **slot = second ? &r->path2 : &r->path;
    char *canon = second ? r->canon2 : r->canon;
    size_t n;
    if (vm_arg_type(c, i) == VM_T_BYTES) {
        /* a Buffer path that is not UTF-8: its bytes, as Node passes them */
        uint8_t *bytes;
        if (vm_arg_bytes(c, i, &bytes, &n) < 0 || !(*slot = malloc(n + 1))) {
            vm_throwf(c, "RangeError", "ERR_OUT_OF_MEMORY", "out of memory");
            return false;
        }
        if (n)
            memcpy(*slot, bytes, n);
        (*slot)[n] = '\0';
    } else if (vm_arg_type(c, i) != VM_T_STRING) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"path\" argument must be of type string");
        return false;
    } else {
        *slot = vm_arg_str(c, i, &n);
    }
    if (!*slot)
        return false;
    if (strlen(*slot) != n) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE",
                  "The argument 'path' must be a string without null bytes. Received '%.64s'",
                  *slot);
        return false;
    }
    if (r->err)
        return true;
    int e;
    /* "name/" names a folder (slash_rule); lstat and readlink follow a link
     * there. "name/." is the folder itself, whatever the operation (a
     * recursive mkdir asks only that each name be a folder, fs_mkdir). */
    int tail = path_tail(*slot);
    if (tail == TAIL_SLASH && (!strcmp(r->syscall, "lstat") || !strcmp(r->syscall, "readlink")))
        follow = true;
    if (tail >= TAIL_DOT)
        follow = true;
    if (r->lenient_tail && tail != TAIL_NAME)
        tail = TAIL_SLASH;
    if (follow) {
        e = br__path_canon_seen(*slot, r->rt->cwd, canon, PATH_MAX, second ? NULL : &r->seen);
    } else {
        /* the link itself: canonical parent + last component */
        char tmp[PATH_MAX];
        e = br__path_canon_nofollow(*slot, r->rt->cwd, tmp, sizeof tmp);
        snprintf(canon, PATH_MAX, "%s", tmp); /* failed: as far as the walk went */
    }
    if (e == 0)
        r->need[second] = (uint8_t)(d + 1);
    bool decided = e == 0 && r->rt->policy;
    if (decided) {
        e = brk_decide(r->rt->policy, d, r->syscall, canon, NULL);
    } else if (e < 0 && br__refused_before_error(r->rt->policy, d, r->syscall, *slot, r->rt->cwd,
                                                 canon, PATH_MAX)) {
        e = -EACCES; /* the refusal first, before the walk's error */
        decided = true;
    }
    if (decided) {
        r->denied = e < 0;
        if (e == -EACCES && refusal_is_absence(r->rt->policy, d, r->syscall, canon))
            e = -ENOENT;
    }
    /* after the broker: what the name is stays unknown where it refuses */
    if (e == 0 && tail == TAIL_SLASH)
        e = slash_rule(r, second, follow, canon);
    else if (e == 0 && tail >= TAIL_DOT)
        e = dot_rule(r, second, tail == TAIL_DOTDOT, canon);
    if (e < 0) {
        r->err = e;
        r->err_dest = second;
    }
    return true;
}

/* The broker refused d on the request's first path. */
static void refuse(fs_req_t *r, brk_domain_t d)
{
    r->err = -EACCES;
    r->denied = true;
    r->need[0] = (uint8_t)(d + 1);
}

static bool take_fd(vm_call_t *c, fs_req_t *r, int i, bool stdio_ok)
{
    if (vm_arg_type(c, i) != VM_T_NUMBER) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"fd\" argument must be of type number");
        return false;
    }
    r->a[0] = vm_arg_int(c, i);
    if (!fd_ok(r->rt, r->a[0], stdio_ok))
        r->err = -EBADF;
    return true;
}

#define REQ(op, sys)                   \
    fs_req_t *r = req_new(c, op, sys); \
    if (!r)                            \
    return

#define BAIL()       \
    do {             \
        req_free(r); \
        return;      \
    } while (0)

/* Checks the permissions open flags need: read unless write-only; write
 * if anything writes, creates, truncates or appends. */
static bool take_open_path(vm_call_t *c, fs_req_t *r, int i, int flags)
{
    int acc = flags & O_ACCMODE;
    bool wr = acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC | O_APPEND));
    bool rd = acc != O_WRONLY;
    if (!take_path(c, r, i, false, rd ? BRK_FS_READ : BRK_FS_WRITE, true))
        return false;
    /* open("name/", O_CREAT): a file cannot end in "/", whatever is there */
    if ((!r->err || (r->err == -ENOTDIR && !r->denied)) && (flags & O_CREAT) &&
        names_folder(r->path))
        r->err = -EISDIR;
    if (wr && rd && !r->err && r->rt->policy &&
        brk_decide(r->rt->policy, BRK_FS_WRITE, r->syscall, r->canon, NULL) < 0)
        refuse(r, BRK_FS_WRITE);
    if (wr && !r->err)
        r->need[0] = BRK_FS_WRITE + 1; /* the OS wall's refusal: write was wanted */
    r->counted = wr && !r->err && br__quota_counts(r->rt->quota, r->canon);
    return true;
}

static void fs_open(vm_call_t *c)
{
    REQ(op_open, "open");
    int flags = (int)vm_arg_int(c, 1);
    if (!take_open_path(c, r, 0, flags))
        BAIL();
    r->a[0] = flags & ~O_CLOEXEC;
    r->a[1] = vm_arg_type(c, 2) == VM_T_NUMBER ? vm_arg_int(c, 2) : 0666;
    dispatch(c, r, 3);
}

static void fs_close(vm_call_t *c)
{
    REQ(op_close, "close");
    if (!take_fd(c, r, 0, false))
        BAIL();
    if (!r->err)
        fd_mark(r->rt, r->a[0], false);
    dispatch(c, r, 1);
}

static bool take_buffer(vm_call_t *c, fs_req_t *r, int i)
{
    uint8_t *p;
    size_t n;
    if (vm_arg_bytes(c, i, &p, &n) < 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"buffer\" argument must be an instance of Buffer, TypedArray, or DataView");
        return false;
    }
    int64_t off = vm_arg_int(c, i + 1), len = vm_arg_int(c, i + 2);
    if (off < 0 || len < 0 || (uint64_t)off > n || (uint64_t)len > n - (uint64_t)off) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE",
                  "The value of \"offset\"/\"length\" is out of range for a buffer of %zu bytes",
                  n);
        return false;
    }
    r->buf = p + off;
    r->len = (size_t)len;
    if (vm_arg_type(c, i + 4) == VM_T_FUNCTION)
        r->keep = vm_arg_ref(c, i);
    vm_type_t pt = vm_arg_type(c, i + 3);
    r->a[1] = pt == VM_T_NUMBER ? vm_arg_int(c, i + 3) : -1;
    return true;
}

static void fs_read(vm_call_t *c)
{
    REQ(op_read, "read");
    if (!take_fd(c, r, 0, true) || !take_buffer(c, r, 1))
        BAIL();
    dispatch(c, r, 5);
}

static void fs_write(vm_call_t *c)
{
    REQ(op_write, "write");
    if (!take_fd(c, r, 0, true) || !take_buffer(c, r, 1))
        BAIL();
    r->counted = fd_bit(r->rt->quota->fds, r->a[0]);
    dispatch(c, r, 5);
}

static void fs_read_file(vm_call_t *c)
{
    REQ(op_read_file, "open");
    int flags = vm_arg_type(c, 1) == VM_T_NUMBER ? (int)vm_arg_int(c, 1) : O_RDONLY;
    if (!take_open_path(c, r, 0, flags))
        BAIL();
    r->a[0] = flags & ~O_CLOEXEC;
    r->a[1] = vm_arg_bool(c, 2); /* the content as a UTF-8 string */
    dispatch(c, r, 3);
}

static void fs_stat(vm_call_t *c)
{
    bool follow = vm_arg_bool(c, 1);
    REQ(op_stat, follow ? "stat" : "lstat");
    if (!take_path(c, r, 0, false, BRK_FS_READ, follow))
        BAIL();
    dispatch(c, r, 2);
}

static void fs_fstat(vm_call_t *c)
{
    REQ(op_fstat, "fstat");
    if (!take_fd(c, r, 0, true))
        BAIL();
    dispatch(c, r, 1);
}

static void fs_readdir(vm_call_t *c)
{
    REQ(op_readdir, "scandir");
    if (!take_path(c, r, 0, false, BRK_FS_READ, true))
        BAIL();
    /* true/false: the types or not; a number: 1 the types, 2 the names as
     * their bytes (encoding 'buffer': a name need not be UTF-8) */
    int64_t how = vm_arg_type(c, 1) == VM_T_NUMBER ? vm_arg_int(c, 1) : vm_arg_bool(c, 1);
    r->a[2] = how & 1;
    r->a[3] = (how & 2) != 0;
    dispatch(c, r, 2);
}

static void fs_mkdir(vm_call_t *c)
{
    REQ(op_mkdir, "mkdir");
    /* recursive: Node makes what is missing and accepts a folder, or a
     * symlink to one, where the name is (its stat follows) */
    r->a[1] = vm_arg_bool(c, 2);
    r->lenient_tail = r->a[1];
    if (!take_path(c, r, 0, false, BRK_FS_WRITE, r->a[1]))
        BAIL();
    /* nor through a symlink to nothing: its target is not made */
    if (r->a[1] && !r->err && r->seen.dangling)
        r->err = -ENOENT;
    /* the working folder as it is now (op_mkdir may run on the pool) */
    if (r->a[1] && !r->err && r->path[0] != '/' && !(r->cwd = strdup(r->rt->cwd))) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_MEMORY", "out of memory");
        BAIL();
    }
    r->a[0] = vm_arg_type(c, 1) == VM_T_NUMBER ? vm_arg_int(c, 1) : 0777;
    if (!r->a[1]) /* recursive: op_mkdir counts each folder it makes */
        count_entry(r, r->canon);
    dispatch(c, r, 3);
}

static void path_op(vm_call_t *c, fs_op_fn op, const char *sys, brk_domain_t d, bool follow, int cb)
{
    REQ(op, sys);
    if (!take_path(c, r, 0, false, d, follow))
        BAIL();
    if (op == op_mkdtemp) /* the one that creates */
        count_entry(r, r->canon);
    for (int i = 1; i < cb && i < 4; i++)
        r->a[i - 1] = vm_arg_int(c, i);
    dispatch(c, r, cb);
}

static void fs_rmdir(vm_call_t *c)
{
    path_op(c, op_rmdir, "rmdir", BRK_FS_WRITE, false, 1);
}

static void fs_unlink(vm_call_t *c)
{
    path_op(c, op_unlink, "unlink", BRK_FS_WRITE, false, 1);
}

static void fs_realpath(vm_call_t *c)
{
    path_op(c, op_realpath, "realpath", BRK_FS_READ, true, 1);
}

static void fs_readlink(vm_call_t *c)
{
    path_op(c, op_readlink, "readlink", BRK_FS_READ, false, 1);
}

static void fs_chmod(vm_call_t *c)
{
    path_op(c, op_chmod, "chmod", BRK_FS_WRITE, true, 2);
}

static void fs_chown(vm_call_t *c)
{
    path_op(c, op_chown, "chown", BRK_FS_WRITE, true, 3);
}

static void fs_lchown(vm_call_t *c)
{
    path_op(c, op_chown, "lchown", BRK_FS_WRITE, false, 3);
}

static void fs_statfs(vm_call_t *c)
{
    path_op(c, op_statfs, "statfs", BRK_FS_READ, true, 1);
}

static void fs_mkdtemp(vm_call_t *c)
{
    path_op(c, op_mkdtemp, "mkdtemp", BRK_FS_WRITE, false, 1);
}

static void fs_access(vm_call_t *c)
{
    REQ(op_access, "access");
    int mode = (int)vm_arg_int(c, 1);
    if (!take_path(c, r, 0, false, BRK_FS_READ, true))
        BAIL();
    if ((mode & W_OK) && !r->err && r->rt->policy &&
        brk_decide(r->rt->policy, BRK_FS_WRITE, "access", r->canon, NULL) < 0)
        refuse(r, BRK_FS_WRITE);
    r->a[0] = mode;
    dispatch(c, r, 2);
}

static void fs_rename(vm_call_t *c)
{
    REQ(op_rename, "rename");
    if (!take_path(c, r, 0, false, BRK_FS_WRITE, false) ||
        !take_path(c, r, 1, true, BRK_FS_WRITE, false))
        BAIL();
    /* "name/" on either side: only a folder moves (slash_rule) */
    if (!r->err && (names_folder(r->path) || names_folder(r->path2)) &&
        folder_kind(r, false, r->canon) == 0)
        r->err = -ENOTDIR;
    dispatch(c, r, 2);
}

static void fs_copy_file(vm_call_t *c)
{
    REQ(op_copy_file, "copyfile");
    if (!take_path(c, r, 0, false, BRK_FS_READ, true) ||
        !take_path(c, r, 1, true, BRK_FS_WRITE, true))
        BAIL();
    if ((!r->err || (r->err == -ENOTDIR && r->err_dest)) && names_folder(r->path2)) {
        r->err = -EISDIR; /* the copy is a file: its name cannot end in "/" */
        r->err_dest = true;
    }
    r->counted = !r->err && br__quota_counts(r->rt->quota, r->canon2);
    r->a[0] = vm_arg_int(c, 2);
    dispatch(c, r, 3);
}

/* A hard link is a new name for a file: it needs read and write on the
 * existing file, not only write where the name goes. */
static void fs_link(vm_call_t *c)
{
    REQ(op_link, "link");
    if (!take_path(c, r, 0, false, BRK_FS_READ, false) ||
        !take_path(c, r, 1, true, BRK_FS_WRITE, false))
        BAIL();
    if (!r->err && r->rt->policy &&
        brk_decide(r->rt->policy, BRK_FS_WRITE, "link", r->canon, NULL) < 0) {
        refuse(r, BRK_FS_WRITE);
        r->err_dest = false;
    }
    count_entry(r, r->canon2);
    dispatch(c, r, 2);
}

/* Whether a symlink's target, resolved from the link's folder as the
 * kernel would, is inside the guest's grants. */
static bool symlink_target_granted(fs_req_t *r)
{
    char dir[PATH_MAX], target[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", r->canon2);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    slash[slash == dir] = '\0'; /* "/x" -> "/" */
    return br__path_canon(r->path, dir, target, sizeof target) == 0 &&
           brk_decide(r->rt->policy, BRK_FS_READ, "symlink", target, NULL) == 0;
}

/* A symlink's target is only text: reading through it is checked on where
 * it really points. Only the new name needs write; in a host grant the
 * target must be inside the grants too (a link to /etc/shadow left there
 * is for the host's own tools to trip on). */
static void fs_symlink(vm_call_t *c)
{
    REQ(op_symlink, "symlink");
    if (vm_arg_type(c, 0) != VM_T_STRING) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "The \"target\" argument must be of type string");
        BAIL();
    }
    if (!take_path(c, r, 1, true, BRK_FS_WRITE, false))
        BAIL();
    r->path = vm_arg_str(c, 0, NULL);
    if (!r->path)
        BAIL();
    if (!r->err && br__host_grant(r->rt->quota, r->canon2) && !symlink_target_granted(r)) {
        r->err = -EACCES;
        r->denied = true;
    }
    if (r->err) {
        r->err_dest = false; /* Node names "target -> path" */
        r->no_hint = true;   /* which grant would do is not this path's */
    }
    count_entry(r, r->canon2);
    dispatch(c, r, 3);
}

static void fs_utimes(vm_call_t *c)
{
    REQ(op_utimes, "utime");
    if (!take_path(c, r, 0, false, BRK_FS_WRITE, true))
        BAIL();
    r->t[0] = vm_arg_num(c, 1);
    r->t[1] = vm_arg_num(c, 2);
    dispatch(c, r, 3);
}

static void fs_lutimes(vm_call_t *c)
{
    REQ(op_utimes, "lutime");
    if (!take_path(c, r, 0, false, BRK_FS_WRITE, false))
        BAIL();
    r->t[0] = vm_arg_num(c, 1);
    r->t[1] = vm_arg_num(c, 2);
    dispatch(c, r, 3);
}

static void fd_op(vm_call_t *c, int which, const char *sys, int cb)
{
    REQ(op_fd_simple, sys);
    if (!take_fd(c, r, 0, which == 1 || which == 2))
        BAIL();
    r->a[1] = vm_arg_int(c, 1);
    r->a[2] = vm_arg_int(c, 2);
    r->a[3] = which;
    r->counted = which == 0 && fd_bit(r->rt->quota->fds, r->a[0]); /* ftruncate may grow */
    r->t[0] = vm_arg_num(c, 1);
    r->t[1] = vm_arg_num(c, 2);
    dispatch(c, r, cb);
}

static void fs_ftruncate(vm_call_t *c)
{
    fd_op(c, 0, "ftruncate", 2);
}
static void fs_fsync(vm_call_t *c)
{
    fd_op(c, 1, "fsync", 1);
}
static void fs_fdatasync(vm_call_t *c)
{
    fd_op(c, 2, "fdatasync", 1);
}
static void fs_fchmod(vm_call_t *c)
{
    fd_op(c, 3, "fchmod", 2);
}
static void fs_fchown(vm_call_t *c)
{
    fd_op(c, 4, "fchown", 3);
}
static void fs_futimes(vm_call_t *c)
{
    fd_op(c, 5, "futime", 3);
}

static const vm_native_t natives[] = {
    {"open", fs_open, 4, VM_NATIVE_FS_READ | VM_NATIVE_FS_WRITE},
    {"close", fs_close, 2, VM_NATIVE_PURE},
    {"read", fs_read, 6, VM_NATIVE_PURE},
    {"write", fs_write, 6, VM_NATIVE_PURE},
    {"readFile", fs_read_file, 4, VM_NATIVE_FS_READ},
    {"stat", fs_stat, 3, VM_NATIVE_FS_READ},
    {"fstat", fs_fstat, 2, VM_NATIVE_PURE},
    {"readdir", fs_readdir, 3, VM_NATIVE_FS_READ},
    {"mkdir", fs_mkdir, 4, VM_NATIVE_FS_WRITE},
    {"rmdir", fs_rmdir, 2, VM_NATIVE_FS_WRITE},
    {"unlink", fs_unlink, 2, VM_NATIVE_FS_WRITE},
    {"rename", fs_rename, 3, VM_NATIVE_FS_WRITE},
    {"copyFile", fs_copy_file, 4, VM_NATIVE_FS_READ | VM_NATIVE_FS_WRITE},
    {"access", fs_access, 3, VM_NATIVE_FS_READ},
    {"realpath", fs_realpath, 2, VM_NATIVE_FS_READ},
    {"chmod", fs_chmod, 3, VM_NATIVE_FS_WRITE},
    {"fchmod", fs_fchmod, 3, VM_NATIVE_PURE},
    {"chown", fs_chown, 4, VM_NATIVE_FS_WRITE},
    {"lchown", fs_lchown, 4, VM_NATIVE_FS_WRITE},
    {"fchown", fs_fchown, 4, VM_NATIVE_PURE},
    {"link", fs_link, 3, VM_NATIVE_FS_READ | VM_NATIVE_FS_WRITE},
    {"symlink", fs_symlink, 4, VM_NATIVE_FS_WRITE},
    {"readlink", fs_readlink, 2, VM_NATIVE_FS_READ},
    {"ftruncate", fs_ftruncate, 3, VM_NATIVE_PURE},
    {"utimes", fs_utimes, 4, VM_NATIVE_FS_WRITE},
    {"lutimes", fs_lutimes, 4, VM_NATIVE_FS_WRITE},
    {"futimes", fs_futimes, 4, VM_NATIVE_PURE},
    {"fsync", fs_fsync, 2, VM_NATIVE_PURE},
    {"fdatasync", fs_fdatasync, 2, VM_NATIVE_PURE},
    {"mkdtemp", fs_mkdtemp, 2, VM_NATIVE_FS_WRITE},
    {"statfs", fs_statfs, 2, VM_NATIVE_FS_READ},
};
const vm_table_t br__fs_table = {"fs", natives, sizeof natives / sizeof natives[0]};
