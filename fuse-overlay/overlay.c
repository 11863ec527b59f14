/*
 * fuse-overlay/overlay.c — see overlay.h and README.md.
 *
 * Inodes: one per (dev, ino) met by a lookup or a READDIRPLUS, holding
 * the path from the node_modules root (no descriptor: a 10k-file tree
 * would need 10k of them); every operation opens that path afresh with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
 * from the root's descriptor. The FUSE node id is the inode's address
 * (the kernel hands it back and counts lookups). Opens are not served:
 * the first OPEN answers ENOSYS, the kernel stops sending them (no-open
 * support), and reads use a read descriptor cached on the inode while
 * fewer than OVL_RFDS are open. Folders are opened for readdir only, and
 * READDIRPLUS answers each entry's lookup too, so a package folder listed
 * once costs no LOOKUP per file afterwards.
 *
 * Prefetch: the module files a READDIRPLUS lists (.js .cjs .mjs .json, up
 * to OVL_PUSH_MAX each) are pushed into the kernel's page cache
 * (FUSE_NOTIFY_STORE) when the next READDIRPLUS of that folder comes (the
 * one that finds its end): by then the kernel has made their inodes (a
 * store to a node id it does not know yet is lost), and the guest waits
 * for that answer anyway. require() then reads them with no READ round
 * trip. A store waits for the lock of a page a reader holds while its READ
 * is queued, so one worker at a time pushes, and only when there is
 * another to answer that READ.
 */
#define FUSE_USE_VERSION 312

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "overlay.h"

#define OVL_HASH 4096
#define OVL_DAY (24.0 * 3600.0)
#define OVL_RFDS 256              /* read descriptors kept open at most */
#define OVL_PUSH_MAX (128u << 10) /* larger files are read on demand */
#define OVL_RESOLVE (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)

typedef struct inode {
    struct inode *next; /* hash chain */
    dev_t dev;
    ino_t ino;
    int rfd;    /* read descriptor of a regular file, opened on first read, or -1 */
    char *path; /* from the node_modules root, "" for the root */
    uint64_t nlookup;
    mode_t type;            /* S_IFREG, S_IFDIR or S_IFLNK */
    unsigned pins;          /* to be pushed: not freed while pinned */
    bool gone;              /* forgotten while pinned: freed when unpinned */
    bool pushed;            /* chosen to be pushed once, ever */
    uint32_t push_size;     /* its size as the kernel was told */
    struct inode **pending; /* a folder: files of its last listing to push */
    size_t npending;
} inode_t;

struct ovl {
    int app_fd;             /* O_PATH of the app folder: symlink targets must stay in it */
    char sub[NAME_MAX + 1]; /* the served folder's name in it */
    int root_fd;            /* O_PATH of <app>/node_modules */
    inode_t root;
    inode_t *table[OVL_HASH];
    pthread_mutex_t lock; /* the table; the inodes' counts, pins, rfds and pending lists */
    unsigned rfds;        /* read descriptors open */
    ovl_opts_t opts;
    struct fuse_session *se;
    uint64_t push_left;        /* bytes the prefetch may still push */
    pthread_mutex_t push_lock; /* held by the one worker pushing; push_buf */
    bool pushing_now;          /* under lock: standby workers answer meanwhile */
    pthread_cond_t standby_cv; /* pushing_now set, or the session is over */
    char *push_buf;
};

static long openat2_(int dirfd, const char *path, int flags, uint64_t resolve)
{
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve};
    long fd;
    do
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    while (fd < 0 && errno == EINTR);
    return fd;
}

/* Opens path (from the served root, "" for the root) beneath the root,
 * never through a symlink; the last component is not followed either. */
static long open_path(const ovl_t *o, const char *path, int flags)
{
    return openat2_(o->root_fd, *path ? path : ".", flags | O_NOFOLLOW, OVL_RESOLVE);
}

static ovl_t *ovl_of(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

static inode_t *inode_of(ovl_t *o, fuse_ino_t ino)
{
    return ino == FUSE_ROOT_ID ? &o->root : (inode_t *)(uintptr_t)ino;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* What the guest sees of st: no write bits, our owner, the real rest. */
static void present(const ovl_t *o, struct stat *st)
{
    st->st_mode &= ~(mode_t)0222;
    st->st_uid = o->opts.uid;
    st->st_gid = o->opts.gid;
}

static bool served_type(mode_t m)
{
    return S_ISREG(m) || S_ISDIR(m) || S_ISLNK(m);
}

/* Lexically resolves target against dir (both relative to the app);
 * false when the result climbs out of the app. */
bool ovl__join_inside(const char *dir, const char *target, char *out, size_t cap)
{
    char buf[PATH_MAX * 2];
    if (snprintf(buf, sizeof buf, "%s/%s", dir, target) >= (int)sizeof buf)
        return false;
    size_t n = 0;
    out[0] = '\0';
    char *save = NULL;
    for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, "."))
            continue;
        if (!strcmp(c, "..")) {
            if (n == 0)
                return false; /* above the app */
            char *slash = strrchr(out, '/');
            n = slash ? (size_t)(slash - out) : 0;
            out[n] = '\0';
            continue;
        }
        int w = snprintf(out + n, cap - n, "%s%s", n ? "/" : "", c);
        if (w < 0 || (size_t)w >= cap - n)
            return false;
        n += (size_t)w;
    }
    return true;
}

/* A symlink (fd, at path from the served root) may be shown when its
 * target resolves inside the app: workspace links point at the app's own
 * packages, pnpm's at .pnpm. Absolute targets never qualify. The target
 * is opened beneath the served folder's or the app's descriptor, never
 * by a name that could cross a mount (the overlay may sit on top of its
 * own source). A dangling target inside is shown (it fails as such). */
static bool link_stays_inside(ovl_t *o, int fd, const char *path)
{
    char target[PATH_MAX];
    ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
    if (n <= 0)
        return false;
    target[n] = '\0';
    if (target[0] == '/')
        return false;
    char dir[PATH_MAX], res[PATH_MAX];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%s%s%.*s", o->sub, slash ? "/" : "", slash ? (int)(slash - path) : 0,
             path);
    if (!ovl__join_inside(dir, target, res, sizeof res))
        return false;
    size_t sl = strlen(o->sub);
    long t;
    if (!strcmp(res, o->sub))
        return true;
    if (!strncmp(res, o->sub, sl) && res[sl] == '/')
        t = openat2_(o->root_fd, res + sl + 1, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    else
        t = openat2_(o->app_fd, res, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    if (t >= 0) {
        close((int)t);
        return true;
    }
    return errno == ENOENT;
}

/* ---- lookups and the inode table ----------------------------------------------- */

/* Finds path by the long way: opened beneath the root without following
 * anything, a link's target checked. 0 with st, or -errno: ENOENT for
 * anything not served, a link out of the app too. */
static int stat_by_path(ovl_t *o, const char *path, struct stat *st)
{
    long fd = open_path(o, path, O_PATH);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EXDEV ? -ENOENT
                                                                                       : -errno;
    int r = 0;
    if (fstat((int)fd, st) < 0 || !served_type(st->st_mode))
        r = -ENOENT;
    else if (S_ISLNK(st->st_mode) && !link_stays_inside(o, (int)fd, path))
        r = -ENOENT; /* a link out of the app does not exist */
    close((int)fd);
    return r;
}

/* The inode of path (found as st), its lookup counted; NULL: no memory. */
static inode_t *count_lookup(ovl_t *o, const char *path, const struct stat *st)
{
    size_t h = (size_t)(st->st_ino ^ st->st_dev) % OVL_HASH;
    pthread_mutex_lock(&o->lock);
    inode_t *n = o->table[h];
    while (n && (n->ino != st->st_ino || n->dev != st->st_dev))
        n = n->next;
    if (n) {
        n->nlookup++;
    } else {
        n = calloc(1, sizeof *n);
        char *dup = n ? strdup(path) : NULL;
        if (!n || !dup) {
            free(n);
            pthread_mutex_unlock(&o->lock);
            return NULL;
        }
        n->dev = st->st_dev;
        n->ino = st->st_ino;
        n->rfd = -1;
        n->path = dup;
        n->nlookup = 1;
        n->type = st->st_mode & S_IFMT;
        n->next = o->table[h];
        o->table[h] = n;
    }
    pthread_mutex_unlock(&o->lock);
    return n;
}

/* Looks name up in folder p for the kernel: fills e and counts the lookup
 * (e->ino 0 is a miss the kernel may cache: missing, a link out of the
 * app, a fifo), or returns -errno (a `.node` file: EACCES). pfd: p's
 * descriptor when the caller has one (a listing), else -1. */
static int lookup_entry(ovl_t *o, const inode_t *p, int pfd, const char *name,
                        struct fuse_entry_param *e)
{
    memset(e, 0, sizeof *e);
    e->attr_timeout = o->opts.timeout_s;
    e->entry_timeout = o->opts.timeout_s;
    if (!strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/'))
        return 0;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s%s%s", p->path, *p->path ? "/" : "", name) >=
        (int)sizeof path)
        return -ENAMETOOLONG;
    struct stat st;
    /* one name, not followed, beneath a folder opened beneath the root
     * cannot lead out: one system call instead of three; links take the
     * long way, for their targets' check */
    if (pfd >= 0 && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode)) {
        if (!served_type(st.st_mode))
            return 0;
    } else {
        int r = stat_by_path(o, path, &st);
        if (r == -ENOENT)
            return 0;
        if (r < 0)
            return r;
    }
    if (S_ISREG(st.st_mode) && ends_with(name, ".node"))
        return -EACCES; /* native addons: never opened */
    inode_t *n = count_lookup(o, path, &st);
    if (!n)
        return -ENOMEM;
    present(o, &st);
    e->ino = (fuse_ino_t)(uintptr_t)n;
    e->attr = st;
    return 0;
}

static void do_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    ovl_t *o = ovl_of(req);
    struct fuse_entry_param e;
    int r = lookup_entry(o, inode_of(o, parent), -1, name, &e);
    if (r < 0)
        fuse_reply_err(req, -r);
    else
        fuse_reply_entry(req, &e);
}

static void free_inode(ovl_t *o, inode_t *i);

/* Called with o->lock held: done with pushing v; an inode forgotten
 * meanwhile is freed now. */
static void unpin_locked(ovl_t *o, inode_t **v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (--v[k]->pins == 0 && v[k]->gone)
            free_inode(o, v[k]);
}

/* Called with o->lock held: folder i's pending files are not pushed. */
static void drop_pending(ovl_t *o, inode_t *i)
{
    unpin_locked(o, i->pending, i->npending);
    free(i->pending);
    i->pending = NULL;
    i->npending = 0;
}

/* Called with o->lock held; i is out of the table. */
static void free_inode(ovl_t *o, inode_t *i)
{
    drop_pending(o, i);
    if (i->rfd >= 0) {
        close(i->rfd);
        o->rfds--;
    }
    free(i->path);
    free(i);
}

static void forget_one(ovl_t *o, fuse_ino_t ino, uint64_t n)
{
    if (ino == FUSE_ROOT_ID)
        return;
    inode_t *i = inode_of(o, ino);
    pthread_mutex_lock(&o->lock);
    if (i->nlookup > n) {
        i->nlookup -= n;
        pthread_mutex_unlock(&o->lock);
        return;
    }
    size_t h = (size_t)(i->ino ^ i->dev) % OVL_HASH;
    inode_t **pp = &o->table[h];
    while (*pp && *pp != i)
        pp = &(*pp)->next;
    if (*pp)
        *pp = i->next;
    i->nlookup = 0;
    if (i->pins)
        i->gone = true; /* a folder's pending list holds it */
    else
        free_inode(o, i);
    pthread_mutex_unlock(&o->lock);
}

static void do_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    forget_one(ovl_of(req), ino, nlookup);
    fuse_reply_none(req);
}

static void do_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    for (size_t i = 0; i < count; i++)
        forget_one(ovl_of(req), forgets[i].ino, forgets[i].nlookup);
    fuse_reply_none(req);
}

static void do_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)fi;
    ovl_t *o = ovl_of(req);
    struct stat st;
    long fd = open_path(o, inode_of(o, ino)->path, O_PATH);
    int r = fd < 0 ? -errno : (fstat((int)fd, &st) < 0 ? -errno : 0);
    if (fd >= 0)
        close((int)fd);
    if (r < 0) {
        fuse_reply_err(req, -r);
        return;
    }
    present(o, &st);
    fuse_reply_attr(req, &st, o->opts.timeout_s);
}

static void do_readlink(fuse_req_t req, fuse_ino_t ino)
{
    ovl_t *o = ovl_of(req);
    char buf[PATH_MAX];
    long fd = open_path(o, inode_of(o, ino)->path, O_PATH);
    ssize_t n = fd < 0 ? -1 : readlinkat((int)fd, "", buf, sizeof buf - 1);
    int e = errno;
    if (fd >= 0)
        close((int)fd);
    if (n < 0) {
        fuse_reply_err(req, e);
        return;
    }
    buf[n] = '\0';
    fuse_reply_readlink(req, buf);
}

/* ---- reading ------------------------------------------------------------------------ */

static void do_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    (void)fi;
    /* no-open support: after this answer the kernel stops sending OPEN */
    fuse_reply_err(req, ENOSYS);
}

static void do_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    (void)fi;
    fuse_reply_err(req, ENOSYS);
}

/* The read descriptor of a file, opened by its path beneath the root and
 * kept on the inode while fewer than OVL_RFDS are; *own says the caller
 * closes it after this read. */
static int read_fd(ovl_t *o, inode_t *i, bool *own)
{
    *own = false;
    pthread_mutex_lock(&o->lock);
    int fd = i->rfd;
    pthread_mutex_unlock(&o->lock);
    if (fd >= 0)
        return fd;
    /* O_NONBLOCK: a fifo swapped in must not block the worker */
    fd = (int)open_path(o, i->path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    pthread_mutex_lock(&o->lock);
    if (i->rfd >= 0) { /* another thread was first */
        *own = true;
    } else if (o->rfds < OVL_RFDS) {
        i->rfd = fd;
        o->rfds++;
    } else {
        *own = true;
    }
    pthread_mutex_unlock(&o->lock);
    return fd;
}

static void do_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    (void)fi;
    ovl_t *o = ovl_of(req);
    inode_t *i = inode_of(o, ino);
    if (i->type != S_IFREG) {
        fuse_reply_err(req, EISDIR);
        return;
    }
    bool own;
    int fd = read_fd(o, i, &own);
    if (fd < 0) {
        fuse_reply_err(req, EACCES);
        return;
    }
    /* one buffer per worker thread, grown to the largest read seen: no
     * allocation per request, and no splice (which needs vmsplice, a call
     * the server's seccomp policy leaves out) */
    static __thread char *tbuf;
    static __thread size_t tcap;
    if (size > tcap) {
        char *nb = realloc(tbuf, size);
        if (!nb) {
            if (own)
                close(fd);
            fuse_reply_err(req, ENOMEM);
            return;
        }
        tbuf = nb;
        tcap = size;
    }
    ssize_t n = pread(fd, tbuf, size, off);
    if (n < 0)
        n = -errno;
    if (own)
        close(fd);
    if (n < 0)
        fuse_reply_err(req, (int)-n);
    else
        fuse_reply_buf(req, tbuf, (size_t)n);
}

static void do_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    (void)fi;
    /* no-opendir support: the kernel stops sending OPENDIR and RELEASEDIR
     * (a round trip each per folder) and caches listings; each READDIR
     * opens the folder itself */
    fuse_reply_err(req, ENOSYS);
}

/* ---- prefetch ------------------------------------------------------------------------- */

static bool module_name(const char *name)
{
    return ends_with(name, ".js") || ends_with(name, ".json") || ends_with(name, ".cjs") ||
           ends_with(name, ".mjs");
}

/* Whether file i, just listed as name, is to be pushed: once, within the
 * budget; pinned until it is. */
static bool want_push(ovl_t *o, inode_t *i, const char *name, off_t size)
{
    if (size <= 0 || size > (off_t)OVL_PUSH_MAX || !module_name(name))
        return false;
    pthread_mutex_lock(&o->lock);
    bool yes = !i->pushed && o->push_left >= (uint64_t)size;
    if (yes) {
        i->pushed = true;
        i->push_size = (uint32_t)size;
        i->pins++;
        o->push_left -= (uint64_t)size;
    }
    pthread_mutex_unlock(&o->lock);
    return yes;
}

/* Reads file i whole, one name beneath its folder's descriptor dfd, and
 * stores it in the kernel's page cache for it. A file the kernel has
 * forgotten, or has read meanwhile, is no harm; one whose size is not
 * what the kernel was told is left to READ. buf: OVL_PUSH_MAX + 1 bytes. */
static void push_one(ovl_t *o, int dfd, inode_t *i, char *buf)
{
    const char *slash = strrchr(i->path, '/');
    long fd =
        openat2_(dfd, slash ? slash + 1 : i->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, OVL_RESOLVE);
    if (fd < 0)
        return;
    ssize_t n = pread((int)fd, buf, OVL_PUSH_MAX + 1, 0);
    close((int)fd);
    if (n <= 0 || n != (ssize_t)i->push_size)
        return;
    struct fuse_bufvec bv = FUSE_BUFVEC_INIT((size_t)n);
    bv.buf[0].mem = buf;
    fuse_lowlevel_notify_store(o->se, (fuse_ino_t)(uintptr_t)i, 0, &bv, 0);
}

static void unpin(ovl_t *o, inode_t **v, size_t n)
{
    pthread_mutex_lock(&o->lock);
    unpin_locked(o, v, n);
    pthread_mutex_unlock(&o->lock);
}

/* Standby workers answer requests while a push is under way, and sleep
 * on standby_cv otherwise. */
static void set_pushing(ovl_t *o, bool on)
{
    pthread_mutex_lock(&o->lock);
    o->pushing_now = on;
    if (on)
        pthread_cond_broadcast(&o->standby_cv);
    pthread_mutex_unlock(&o->lock);
}

/* Pushes the files folder dir (open as dfd) listed last, if no other
 * worker is pushing (the caller has made sure another worker is there to
 * answer the READs a push may wait for). */
static void push_pending(ovl_t *o, inode_t *dir, int dfd)
{
    pthread_mutex_lock(&o->lock);
    inode_t **v = dir->pending;
    size_t n = dir->npending;
    dir->pending = NULL;
    dir->npending = 0;
    pthread_mutex_unlock(&o->lock);
    if (n && pthread_mutex_trylock(&o->push_lock) == 0) {
        set_pushing(o, true);
        for (size_t k = 0; k < n; k++)
            push_one(o, dfd, v[k], o->push_buf);
        set_pushing(o, false);
        pthread_mutex_unlock(&o->push_lock);
    }
    unpin(o, v, n);
    free(v);
}

/* READDIR and READDIRPLUS. A plus entry carries the entry's lookup, so
 * it lists what a lookup would find: links out of the app and fifos are
 * left out, a `.node` file is listed without attributes (a lookup of it
 * is refused). */
static void list_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
    ovl_t *o = ovl_of(req);
    inode_t *dir = inode_of(o, ino);
    /* the files it lists are pushed on its next READDIRPLUS (see the top) */
    bool pushing = plus && o->opts.prefetch_bytes && o->opts.threads >= 2 && o->push_buf;
    int fd = (int)open_path(o, dir->path, O_RDONLY | O_DIRECTORY);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        fuse_reply_err(req, e);
        return;
    }
    if (pushing)
        push_pending(o, dir, dirfd(d));
    char *buf = malloc(size ? size : 1);
    /* a plus entry takes more than 128 bytes: at most this many to push */
    inode_t **push = pushing ? malloc((size / 128 + 1) * sizeof *push) : NULL;
    if (!buf || (pushing && !push)) {
        closedir(d);
        free(buf);
        free(push);
        fuse_reply_err(req, ENOMEM);
        return;
    }
    if (off)
        seekdir(d, off); /* the d_off of the last entry the kernel was given */
    size_t used = 0, npush = 0;
    int err = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            err = errno;
            break;
        }
        if (de->d_type != DT_REG && de->d_type != DT_DIR && de->d_type != DT_LNK &&
            de->d_type != DT_UNKNOWN)
            continue; /* sockets, fifos, devices: not served */
        size_t need;
        if (!plus) {
            struct stat st;
            memset(&st, 0, sizeof st);
            st.st_ino = de->d_ino;
            st.st_mode = (mode_t)DTTOIF(de->d_type);
            need = fuse_add_direntry(req, buf + used, size - used, de->d_name, &st, de->d_off);
        } else {
            if (fuse_add_direntry_plus(req, NULL, 0, de->d_name, NULL, 0) > size - used)
                break; /* the next READDIRPLUS starts with it */
            struct fuse_entry_param e;
            bool dots = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
            int r = dots ? 0 : lookup_entry(o, dir, dirfd(d), de->d_name, &e);
            if (dots || r == -EACCES) { /* listed; its attributes are not given */
                memset(&e, 0, sizeof e);
                e.attr.st_ino = de->d_ino;
                e.attr.st_mode = (mode_t)DTTOIF(de->d_type);
            } else if (r < 0 || !e.ino) {
                continue; /* not there for a lookup either */
            }
            need = fuse_add_direntry_plus(req, buf + used, size - used, de->d_name, &e, de->d_off);
            inode_t *i = e.ino ? (inode_t *)(uintptr_t)e.ino : NULL;
            if (pushing && i && need <= size - used && i->type == S_IFREG &&
                want_push(o, i, de->d_name, e.attr.st_size))
                push[npush++] = i;
        }
        if (need > size - used)
            break;
        used += need;
    }
    if (err && !used)
        fuse_reply_err(req, err);
    else
        fuse_reply_buf(req, buf, used);
    closedir(d);
    if (npush) {
        pthread_mutex_lock(&o->lock);
        if (!dir->pending) { /* else a listing of it by another guest thread is */
            dir->pending = push;
            dir->npending = npush;
            push = NULL;
        }
        pthread_mutex_unlock(&o->lock);
        if (push)
            unpin(o, push, npush);
    }
    free(buf);
    free(push);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    (void)fi; /* no-opendir: nothing kept per open folder */
    list_dir(req, ino, size, off, false);
}

static void do_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                           struct fuse_file_info *fi)
{
    (void)fi;
    list_dir(req, ino, size, off, true);
}

static void do_statfs(fuse_req_t req, fuse_ino_t ino)
{
    (void)ino;
    struct statvfs sv;
    if (fstatvfs(ovl_of(req)->root_fd, &sv) < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    fuse_reply_statfs(req, &sv);
}

static void do_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
    (void)ino;
    fuse_reply_err(req, (mask & W_OK) ? EACCES : 0);
}

static void do_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    (void)ino;
    (void)name;
    (void)size;
    fuse_reply_err(req, ENODATA);
}

static void do_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
    (void)ino;
    if (size == 0)
        fuse_reply_xattr(req, 0);
    else
        fuse_reply_buf(req, NULL, 0);
}

/* ---- everything that would change the tree ----------------------------------------- */

static void deny_setattr(fuse_req_t req, fuse_ino_t i, struct stat *a, int s,
                         struct fuse_file_info *fi)
{
    (void)i, (void)a, (void)s, (void)fi;
    fuse_reply_err(req, EACCES);
}
static void deny_mknod(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m, dev_t r)
{
    (void)p, (void)n, (void)m, (void)r;
    fuse_reply_err(req, EACCES);
}
static void deny_mkdir(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m)
{
    (void)p, (void)n, (void)m;
    fuse_reply_err(req, EACCES);
}
static void deny_unlink(fuse_req_t req, fuse_ino_t p, const char *n)
{
    (void)p, (void)n;
    fuse_reply_err(req, EACCES);
}
static void deny_symlink(fuse_req_t req, const char *l, fuse_ino_t p, const char *n)
{
    (void)l, (void)p, (void)n;
    fuse_reply_err(req, EACCES);
}
static void deny_rename(fuse_req_t req, fuse_ino_t p, const char *n, fuse_ino_t np, const char *nn,
                        unsigned int f)
{
    (void)p, (void)n, (void)np, (void)nn, (void)f;
    fuse_reply_err(req, EACCES);
}
static void deny_link(fuse_req_t req, fuse_ino_t i, fuse_ino_t np, const char *nn)
{
    (void)i, (void)np, (void)nn;
    fuse_reply_err(req, EACCES);
}
static void deny_write(fuse_req_t req, fuse_ino_t i, const char *b, size_t s, off_t o,
                       struct fuse_file_info *fi)
{
    (void)i, (void)b, (void)s, (void)o, (void)fi;
    fuse_reply_err(req, EACCES);
}
static void deny_create(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m,
                        struct fuse_file_info *fi)
{
    (void)p, (void)n, (void)m, (void)fi;
    fuse_reply_err(req, EACCES);
}
static void deny_setxattr(fuse_req_t req, fuse_ino_t i, const char *n, const char *v, size_t s,
                          int f)
{
    (void)i, (void)n, (void)v, (void)s, (void)f;
    fuse_reply_err(req, EACCES);
}
static void deny_removexattr(fuse_req_t req, fuse_ino_t i, const char *n)
{
    (void)i, (void)n;
    fuse_reply_err(req, EACCES);
}

static void do_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    /* the tree cannot change under the kernel: cache everything */
    if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
        conn->want |= FUSE_CAP_CACHE_SYMLINKS;
    conn->want &= ~(unsigned)(FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE | FUSE_CAP_SPLICE_READ);
    conn->want &= ~(unsigned)FUSE_CAP_AUTO_INVAL_DATA;
    /* every listing answers its entries' lookups: a package folder read
     * once costs no LOOKUP per file after (not "auto": the kernel would
     * fall back to plain READDIR for a folder it has looked into) */
    if (conn->capable & FUSE_CAP_READDIRPLUS)
        conn->want |= FUSE_CAP_READDIRPLUS;
    conn->want &= ~(unsigned)FUSE_CAP_READDIRPLUS_AUTO;
}

static const struct fuse_lowlevel_ops ops = {
    .init = do_init,
    .lookup = do_lookup,
    .forget = do_forget,
    .forget_multi = do_forget_multi,
    .getattr = do_getattr,
    .readlink = do_readlink,
    .open = do_open,
    .flush = do_flush,
    .read = do_read,
    .opendir = do_opendir,
    .readdir = do_readdir,
    .readdirplus = do_readdirplus,
    .statfs = do_statfs,
    .access = do_access,
    .getxattr = do_getxattr,
    .listxattr = do_listxattr,
    .setattr = deny_setattr,
    .mknod = deny_mknod,
    .mkdir = deny_mkdir,
    .unlink = deny_unlink,
    .rmdir = deny_unlink,
    .symlink = deny_symlink,
    .rename = deny_rename,
    .link = deny_link,
    .write = deny_write,
    .create = deny_create,
    .setxattr = deny_setxattr,
    .removexattr = deny_removexattr,
};

/* ---- life cycle ------------------------------------------------------------------------ */

int ovl_new(const char *app, const char *sub, const ovl_opts_t *opts, ovl_t **out, char *err,
            size_t errlen)
{
    ovl_t *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    o->opts = *opts;
    if (!o->opts.threads)
        o->opts.threads = 4;
    if (o->opts.timeout_s < 0)
        o->opts.timeout_s = OVL_DAY;
    o->app_fd = open(app, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (o->app_fd < 0) {
        int e = -errno;
        snprintf(err, errlen, "%s: %s", app, strerror(errno));
        free(o);
        return e;
    }
    if (!*sub || strchr(sub, '/') || !strcmp(sub, ".") || !strcmp(sub, "..")) {
        snprintf(err, errlen, "%s: not one folder name", sub);
        close(o->app_fd);
        free(o);
        return -EINVAL;
    }
    snprintf(o->sub, sizeof o->sub, "%s", sub);
    long fd = openat2_(o->app_fd, sub, O_PATH | O_DIRECTORY,
                       RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS);
    if (fd < 0) {
        int e = -errno;
        snprintf(err, errlen, "%s/%s: %s", app, sub, strerror(errno));
        close(o->app_fd);
        free(o);
        return e;
    }
    o->root_fd = (int)fd;
    o->root.rfd = -1;
    o->root.path = (char *)"";
    o->root.nlookup = 2;
    o->root.type = S_IFDIR;
    o->push_left = o->opts.prefetch_bytes;
    pthread_mutex_init(&o->lock, NULL);
    pthread_mutex_init(&o->push_lock, NULL);
    pthread_cond_init(&o->standby_cv, NULL);
    o->push_buf = malloc(OVL_PUSH_MAX + 1);
    *out = o;
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct {
    ovl_t *o;
    bool spin;
    bool standby; /* answers only while another worker pushes */
    int result;
} worker_t;

/* A standby worker's wait for a push; false once the session is over. */
static bool standby_wait(ovl_t *o)
{
    pthread_mutex_lock(&o->lock);
    while (!o->pushing_now && !fuse_session_exited(o->se)) {
        /* bounded: ovl_stop may come from a signal handler */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 500000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&o->standby_cv, &o->lock, &ts);
    }
    pthread_mutex_unlock(&o->lock);
    return !fuse_session_exited(o->se);
}

/* A thread answering requests on the (non-blocking) device until it is
 * unmounted. The first one, after a request, keeps asking for the next
 * for spin_ns before it sleeps: require() sends requests in bursts, and a
 * sleeping server is woken on another CPU at a cost far above that of
 * serving one. */
static void *worker(void *arg)
{
    worker_t *w = arg;
    ovl_t *o = w->o;
    int fd = fuse_session_fd(o->se);
    struct fuse_buf buf;
    memset(&buf, 0, sizeof buf);
    uint64_t idle_since = now_ns();
    int r = 0; /* the error that ended this worker; a session another
                  worker saw unmounted (or ovl_stop) is a clean end */
    while (!fuse_session_exited(o->se)) {
        if (w->standby && !standby_wait(o))
            break;
        r = fuse_session_receive_buf(o->se, &buf);
        if (r == -EAGAIN) {
            r = 0;
            if (w->spin && now_ns() - idle_since < o->opts.spin_ns)
                continue;
            /* a bounded sleep: ovl_stop may come from a signal another
             * thread took; a standby worker looks at pushing_now again */
            struct pollfd pf = {.fd = fd, .events = POLLIN};
            if (poll(&pf, 1, w->standby ? 2 : 500) < 0 && errno != EINTR) {
                r = -errno;
                break;
            }
            continue;
        }
        if (r == -EINTR) {
            r = 0;
            continue;
        }
        if (r <= 0)
            break;
        fuse_session_process_buf(o->se, &buf);
        idle_since = now_ns();
    }
    free(buf.mem);
    w->result = r == -ENODEV || r == 0 ? 0 : r; /* unmounted: a clean end */
    return NULL;
}

/* The workers (opts.threads, the first on this thread); each leaves when
 * the device says the mount is gone. */
static int serve_threads(ovl_t *o)
{
    int fd = fuse_session_fd(o->se);
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    unsigned n = o->opts.threads;
    worker_t *w = calloc(n, sizeof *w);
    pthread_t *t = calloc(n, sizeof *t);
    if (!w || !t) {
        free(w);
        free(t);
        return -ENOMEM;
    }
    for (unsigned k = 0; k < n; k++)
        w[k] = (worker_t){
            .o = o, .spin = k == 0 && o->opts.spin_ns > 0, .standby = k > 0 && o->opts.standby};
    unsigned started = 1; /* fewer workers than asked is still a working session */
    while (started < n && pthread_create(&t[started], NULL, worker, &w[started]) == 0)
        started++;
    if (started == 1)
        o->opts.threads = 1; /* alone: it must not push (see list_dir) */
    worker(&w[0]);
    pthread_mutex_lock(&o->lock); /* the session is over: wake the standby */
    pthread_cond_broadcast(&o->standby_cv);
    pthread_mutex_unlock(&o->lock);
    int r = w[0].result;
    for (unsigned k = 1; k < started; k++) {
        pthread_join(t[k], NULL);
        if (!r)
            r = w[k].result;
    }
    free(w);
    free(t);
    return r;
}

int ovl_serve(ovl_t *o, const char *mountpoint, char *err, size_t errlen)
{
    /* read-only twice: the kernel answers EROFS before a write reaches us */
    char *argv[] = {(char *)"secure-exec-overlay", (char *)"-o",
                    (char *)"ro,nosuid,nodev,noexec,default_permissions,allow_other,"
                            "fsname=secure-exec-overlay,subtype=secure-exec",
                    NULL};
    struct fuse_args args = FUSE_ARGS_INIT(3, argv);
    o->se = fuse_session_new(&args, &ops, sizeof ops, o);
    fuse_opt_free_args(&args);
    if (!o->se) {
        snprintf(err, errlen, "cannot create the FUSE session");
        return -EIO;
    }
    if (fuse_session_mount(o->se, mountpoint) != 0) {
        snprintf(err, errlen, "cannot mount at %s", mountpoint);
        fuse_session_destroy(o->se);
        o->se = NULL;
        return -EIO;
    }
    int r = serve_threads(o);
    fuse_session_reset(o->se);
    fuse_session_unmount(o->se);
    fuse_session_destroy(o->se);
    o->se = NULL;
    if (r < 0) {
        snprintf(err, errlen, "the FUSE session failed: %s", strerror(-r));
        return r;
    }
    return 0;
}

void ovl_stop(ovl_t *o)
{
    if (o && o->se)
        fuse_session_exit(o->se);
}

void ovl_free(ovl_t *o)
{
    if (!o)
        return;
    /* first the pending lists: they may hold inodes freed below, and
     * forgotten ones only they hold */
    drop_pending(o, &o->root);
    for (size_t h = 0; h < OVL_HASH; h++)
        for (inode_t *n = o->table[h]; n; n = n->next)
            drop_pending(o, n);
    for (size_t h = 0; h < OVL_HASH; h++) {
        inode_t *n = o->table[h];
        while (n) {
            inode_t *next = n->next;
            free_inode(o, n);
            n = next;
        }
    }
    close(o->root_fd);
    close(o->app_fd);
    pthread_mutex_destroy(&o->lock);
    pthread_mutex_destroy(&o->push_lock);
    pthread_cond_destroy(&o->standby_cv);
    free(o->push_buf);
    free(o);
}
