/*
 * bridge/quota.c — the write quota of host write grants (limits.write_bytes,
 * limits.write_files): what the guest may add to host folders in one run.
 *
 * What counts: a canonical path below a write grant the sandbox binds from
 * the host — any fs.write rule but "/" and the sandbox's private /tmp
 * (cfg->private_tmp, which has its own size; a grant below it, such as
 * /tmp/out, is a host folder shown there and counts). `fs.write = *` binds
 * nothing from the host, so nothing counts.
 *
 * Bytes are bytes written (each write(2) of the guest's, each byte
 * copyFile copies, each byte an ftruncate adds past the end), never given
 * back by an overwrite, a truncation or an unlink: a bound on what reaches
 * the host's disk that needs no stat before each write. Files are entries
 * created (files, folders, symlinks, hard links). A call that does not fit
 * entirely is refused with EDQUOT before it touches anything.
 *
 * Counters are atomic: the pool's threads take from them concurrently.
 * The guest descriptors whose writes count (q->fds) are fs.c's, kept as
 * rt->fds is, on the loop thread.
 */
#include <errno.h>
#include <string.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "internal.h"

void br__quota_init(br_quota_t *q, const br_config_t *cfg)
{
    memset(q, 0, sizeof *q);
    q->max_bytes = cfg->write_bytes;
    q->max_files = cfg->write_files;
    q->policy = cfg->policy;
    q->private_tmp = cfg->private_tmp;
    q->bytes = &q->own[0];
    q->files = &q->own[1];
    /* the run's count, shared with its nested guests: one quota for all */
    if (cfg->quota_fd > 2) {
        void *m =
            mmap(NULL, BR_QUOTA_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, cfg->quota_fd, 0);
        if (m != MAP_FAILED) {
            q->bytes = (_Atomic uint64_t *)m;
            q->files = (_Atomic uint64_t *)m + 1;
        }
    }
}

int br__private_tmp_fs(const br_quota_t *q, const char *canon)
{
    struct stat t, a;
    if (!q->private_tmp || stat(q->private_tmp, &t) < 0)
        return -1;
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", canon) >= (int)sizeof p)
        return 0; /* too long to look at: another */
    for (;;) {
        if (lstat(p, &a) == 0)
            return a.st_dev == t.st_dev;
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
            return -1;
        *slash = '\0';
    }
}

/* Whether canon, in the private /tmp by its path, lies on another
 * filesystem: a host folder bound there and moved by a rename of a folder
 * above it, whose new path names no grant. */
static bool off_private_tmp(const br_quota_t *q, const char *canon)
{
    return q->private_tmp && brk_path_covers(q->private_tmp, canon) &&
           br__private_tmp_fs(q, canon) == 0;
}

bool br__quota_counts(const br_quota_t *q, const char *canon)
{
    return (q->max_bytes || q->max_files) &&
           (br__host_grant(q, canon) || off_private_tmp(q, canon));
}

bool br__host_grant(const br_quota_t *q, const char *canon)
{
    if (!q->policy)
        return false;
    size_t n;
    bool all;
    const char *const *rules = brk_path_rules(q->policy, BRK_FS_WRITE, &n, &all);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(rules[i], "/") || (q->private_tmp && !strcmp(rules[i], q->private_tmp)))
            continue;
        if (brk_path_covers(rules[i], canon))
            return true;
    }
    return false;
}

/* Adds n to *used unless that passes max (0: no limit). */
static bool take_one(_Atomic uint64_t *used, uint64_t max, uint64_t n)
{
    if (!n)
        return true;
    uint64_t cur = atomic_load(used);
    do {
        if (max && (n > max || cur > max - n))
            return false;
    } while (!atomic_compare_exchange_weak(used, &cur, cur + n));
    return true;
}

int br__quota_take(br_quota_t *q, uint64_t bytes, uint64_t files)
{
    if (!take_one(q->bytes, q->max_bytes, bytes))
        return -EDQUOT;
    if (!take_one(q->files, q->max_files, files)) {
        atomic_fetch_sub(q->bytes, bytes);
        return -EDQUOT;
    }
    return 0;
}

void br__quota_give(br_quota_t *q, uint64_t bytes, uint64_t files)
{
    atomic_fetch_sub(q->bytes, bytes);
    atomic_fetch_sub(q->files, files);
}

/* libuv (1.44 here, and Node 22's) has no name for EDQUOT: the quota's
 * refusal is named as the kernel's disk quota would be. */
const char *br__errno_name(int err)
{
    return err == -EDQUOT ? "EDQUOT" : uv_err_name(err);
}

const char *br__errno_message(int err)
{
    return err == -EDQUOT ? "disk quota exceeded" : uv_strerror(err);
}
