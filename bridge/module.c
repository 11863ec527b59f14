/*
 * bridge/module.c — the file access the CommonJS loader needs: read a
 * module's source, stat a candidate path, canonicalise a path.
 *
 * Every path is canonicalised first. Beneath the app folder (cfg
 * module_root: /app and the node_modules overlay on it) the loader reads
 * what the OS wall shows without asking the broker, so a profile need not
 * grant fs.read for code to load; any other path is put to the broker (fs
 * read) like fs does. Files are opened without following symlinks
 * (bridge/path.c).
 * Sources are capped (a module larger than BR_MODULE_MAX is refused with
 * EFBIG) so a guest cannot make the loader allocate without bound.
 *
 * internalModuleList lets the loader answer its many probes of a folder
 * (x, x.js, x.json, x/package.json...) from one listing instead of a stat
 * each: on the node_modules overlay a miss is a round trip to the server
 * the first time. Only folders on a read-only mount are listed (the /app
 * bind, the overlay), so a listing stays true for the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "internal.h"

#define BR_MODULE_MAX (256u << 20)
#define BR_LIST_MAX 16384 /* entries; a larger folder is not listed */

void br__throw_errno(vm_call_t *c, int err, const char *syscall, const char *path, const char *dest)
{
    br__throw_errno_tail(c, err, syscall, path, dest, "");
}

void br__throw_errno_tail(vm_call_t *c, int err, const char *syscall, const char *path,
                          const char *dest, const char *tail)
{
    char msg[8192];
    const char *name = uv_err_name(err);
    if (path && dest)
        snprintf(msg, sizeof msg, "%s: %s, %s '%s' -> '%s'%s", name, uv_strerror(err), syscall,
                 path, dest, tail);
    else if (path)
        snprintf(msg, sizeof msg, "%s: %s, %s '%s'%s", name, uv_strerror(err), syscall, path, tail);
    else
        snprintf(msg, sizeof msg, "%s: %s, %s", name, uv_strerror(err), syscall);
    vm_error_t e = {
        .message = msg,
        .code = name,
        .errnum = err,
        .syscall = syscall,
        .path = path,
        .dest = dest,
    };
    vm_throw(c, &e);
}

/* Whether canonical path canon lies beneath the module root. */
static bool beneath_root(br_rt_t *rt, const char *canon)
{
    const char *root = rt->cfg->module_root;
    size_t rl = root ? strlen(root) : 0;
    return rl && strncmp(canon, root, rl) == 0 && (canon[rl] == '\0' || canon[rl] == '/');
}

/* br__check_path for the loader: paths whose canonical form is beneath the
 * module root are the loader's without a broker decision. */
static int module_check(vm_call_t *c, const char *op, const char *path, char *canon, size_t cap)
{
    br_rt_t *rt = br__rt(c);
    canon[0] = '\0';
    int r = br__path_canon(path, rt->cwd, canon, cap);
    if (r == 0 && beneath_root(rt, canon))
        return 0;
    return br__check_canon(rt, BRK_FS_READ, op, path, canon, cap, r);
}

/* The loader's fast path: a path whose lexical form is beneath the module
 * root and that the kernel opens without meeting a symlink is its own
 * canonical form, and needs no broker decision, so it is opened at once
 * with `flags` (one system call where canonicalising first takes three).
 * Returns the fd (and the canonical path in norm), or a negative value
 * when the general path must decide: not beneath the root, a symlink on
 * the way, missing, or any error. */
static int open_in_root(vm_call_t *c, const char *path, int flags, char norm[PATH_MAX])
{
    br_rt_t *rt = br__rt(c);
    const char *root = rt->cfg->module_root;
    char abs[PATH_MAX * 2];
    if (!root || !*root || !*path)
        return -1;
    int n = path[0] == '/' ? snprintf(abs, sizeof abs, "%s", path)
                           : snprintf(abs, sizeof abs, "%s/%s", rt->cwd, path);
    if (n < 0 || (size_t)n >= sizeof abs || brk_path_normalize(abs, norm, PATH_MAX) < 0)
        return -1;
    size_t rl = strlen(root);
    if (strncmp(norm, root, rl) != 0 || (norm[rl] != '\0' && norm[rl] != '/'))
        return -1;
    return br__open_canonical(norm, flags, 0);
}

/* readFileUtf8(path) -> string */
static void module_read_file_utf8(vm_call_t *c)
{
    size_t plen;
    char *path = vm_arg_str(c, 0, &plen);
    if (!path)
        return;
    char canon[PATH_MAX];
    /* O_NONBLOCK: a fifo swapped in for a module reads as empty, it cannot
     * stall the loader */
    int fd = open_in_root(c, path, O_RDONLY | O_NONBLOCK, canon);
    bool by_broker = false, in_root = fd >= 0;
    if (fd < 0) {
        fd = module_check(c, "read", path, canon, sizeof canon);
        by_broker = fd == -EACCES;
        if (fd == 0) {
            in_root = beneath_root(br__rt(c), canon);
            fd = br__open_canonical(canon, O_RDONLY | O_NONBLOCK, 0);
        }
    }
    if (fd < 0) {
        /* which wall refused, and what would allow it */
        char tail[PATH_MAX + 256];
        tail[0] = '\0';
        if (fd == -EACCES && canon[0] == '/')
            br__refusal(br__rt(c), BRK_FS_READ, by_broker, "open", canon, path, tail, sizeof tail);
        br__throw_errno_tail(c, fd, "open", path, NULL, tail);
        free(path);
        return;
    }
    /* the loader's reads of the app folder take no decision, but the audit
     * log has a line for each file it reads there */
    br_rt_t *rt = br__rt(c);
    if (in_root && rt->policy)
        brk_audit_allowed(rt->policy, BRK_FS_READ, "load", canon, "module-root");
    struct stat st;
    if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        int err = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
        br__throw_errno(c, err, "read", path, NULL);
        close(fd);
        free(path);
        return;
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, len = 0;
    char *buf = cap <= BR_MODULE_MAX ? malloc(cap) : NULL;
    int err = buf ? 0 : (cap > BR_MODULE_MAX ? -EFBIG : -ENOMEM);
    while (!err) {
        if (len == cap) {
            char *nb = cap * 2 <= BR_MODULE_MAX ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                err = cap * 2 > BR_MODULE_MAX ? -EFBIG : -ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            err = -errno;
        else if (r == 0)
            break;
        else
            len += (size_t)r;
    }
    close(fd);
    if (err)
        br__throw_errno(c, err, "read", path, NULL);
    else
        vm_ret_str(c, buf, len);
    free(buf);
    free(path);
}

/* internalModuleStat(path) -> 0 file, 1 directory, negative errno */
static void module_stat(vm_call_t *c)
{
    char *path = vm_arg_str(c, 0, NULL);
    if (!path)
        return;
    char canon[PATH_MAX];
    struct stat st;
    int r = module_check(c, "stat", path, canon, sizeof canon);
    if (r == 0)
        r = (r = br__stat_canonical(canon, &st)) < 0 ? r : (S_ISDIR(st.st_mode) ? 1 : 0);
    free(path);
    vm_ret_num(c, r);
}

/* internalModuleRealpath(path) -> canonical path string */
static void module_realpath(vm_call_t *c)
{
    char *path = vm_arg_str(c, 0, NULL);
    if (!path)
        return;
    char canon[PATH_MAX];
    struct stat st;
    int fd = open_in_root(c, path, O_PATH, canon);
    if (fd >= 0) {
        /* opened with no symlink on the way: the normalised path is it */
        close(fd);
        vm_ret_str(c, canon, strlen(canon));
        free(path);
        return;
    }
    int r = module_check(c, "realpath", path, canon, sizeof canon);
    if (r == 0)
        r = br__stat_canonical(canon,
                               &st); /* the canonical form of a missing path is not an answer */
    if (r < 0)
        br__throw_errno(c, r, "realpath", path, NULL);
    else
        vm_ret_str(c, canon, strlen(canon));
    free(path);
}

/* Whether fd is on a read-only mount. The answer is kept per mount id
 * (statx without a sync: on the overlay, no request reaches the server;
 * fstatvfs would send a STATFS each time). Mounts do not change inside
 * the sandbox; called on the isolate's thread only. */
static bool on_read_only_mount(int fd)
{
    static struct {
        uint64_t mnt_id;
        bool ro;
    } seen[8];
    static unsigned nseen;
    struct statx sx;
    bool known = statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &sx) == 0 &&
                 (sx.stx_mask & STATX_MNT_ID);
    for (unsigned k = 0; known && k < nseen; k++)
        if (seen[k].mnt_id == sx.stx_mnt_id)
            return seen[k].ro;
    struct statvfs sv;
    bool ro = fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
    if (known && nseen < sizeof seen / sizeof seen[0]) {
        seen[nseen].mnt_id = sx.stx_mnt_id;
        seen[nseen++].ro = ro;
    }
    return ro;
}

/* internalModuleList(dir) -> "<t><name>\0..." with t 'f' a file, 'd' a
 * folder, 'o' anything else (ask stat); undefined when dir cannot be
 * listed, is not on a read-only mount, or is too large. */
static void module_list(vm_call_t *c)
{
    char *path = vm_arg_str(c, 0, NULL);
    if (!path)
        return;
    char canon[PATH_MAX];
    int fd = module_check(c, "scandir", path, canon, sizeof canon);
    free(path);
    if (fd == 0)
        fd = br__open_canonical(canon, O_RDONLY | O_DIRECTORY, 0);
    DIR *d = NULL;
    if (fd >= 0 && on_read_only_mount(fd))
        d = fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        vm_ret_undefined(c);
        return;
    }
    size_t cap = 4096, len = 0, n = 0;
    char *buf = malloc(cap);
    bool ok = buf != NULL;
    struct dirent *de;
    errno = 0;
    while (ok && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        size_t nl = strlen(de->d_name); /* < 256, so one doubling is enough */
        if (++n > BR_LIST_MAX) {
            ok = false;
            break;
        }
        if (len + nl + 2 > cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                ok = false;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        buf[len++] = de->d_type == DT_REG ? 'f' : de->d_type == DT_DIR ? 'd' : 'o';
        memcpy(buf + len, de->d_name, nl + 1);
        len += nl + 1;
    }
    if (ok && errno == 0)
        vm_ret_str(c, buf, len);
    else
        vm_ret_undefined(c);
    free(buf);
    closedir(d);
}

/* internalModuleRefused(path, osOnly) -> which wall refused the loader
 * path (a probe that met EACCES) and what would allow it, or undefined:
 * for the EACCES or "Cannot find module" it ends in. osOnly: only the
 * host's permissions beneath the app folder (a package they hide), not
 * the broker's refusals outside it (node_modules looked for up to /). */
static void module_refused(vm_call_t *c)
{
    char *path = vm_arg_str(c, 0, NULL);
    if (!path)
        return;
    bool os_only = vm_arg_bool(c, 1);
    br_rt_t *rt = br__rt(c);
    char abs[PATH_MAX * 2], norm[PATH_MAX], canon[PATH_MAX], tail[PATH_MAX + 256];
    tail[0] = '\0';
    int n = path[0] == '/' ? snprintf(abs, sizeof abs, "%s", path)
                           : snprintf(abs, sizeof abs, "%s/%s", rt->cwd, path);
    free(path);
    if (n > 0 && (size_t)n < sizeof abs && brk_path_normalize(abs, norm, sizeof norm) == 0) {
        if (beneath_root(rt, norm))
            br__refusal(rt, BRK_FS_READ, false, "load", norm, NULL, tail, sizeof tail);
        else if (!os_only && br__path_canon(norm, "/", canon, sizeof canon) == 0)
            br__refusal(rt, BRK_FS_READ, rt->policy && !brk_allows(rt->policy, BRK_FS_READ, canon),
                        "load", canon, norm, tail, sizeof tail);
    }
    size_t tl = strlen(tail);
    if (tl > 3) /* " (" ... ")" */
        vm_ret_str(c, tail + 2, tl - 3);
    else
        vm_ret_undefined(c);
}

static const vm_native_t natives[] = {
    {"readFileUtf8", module_read_file_utf8, 1, VM_NATIVE_FS_READ},
    {"internalModuleStat", module_stat, 1, VM_NATIVE_FS_READ},
    {"internalModuleRealpath", module_realpath, 1, VM_NATIVE_FS_READ},
    {"internalModuleList", module_list, 1, VM_NATIVE_FS_READ},
    {"internalModuleRefused", module_refused, 2, VM_NATIVE_FS_READ},
};
const vm_table_t br__module_table = {"fs", natives, sizeof natives / sizeof natives[0]};
