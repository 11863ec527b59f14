/*
 * launcher/run.c — see run.h.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../bridge/bridge.h"
#include "run.h"
#include "sandbox.h"

typedef struct {
    const brk_policy_t *p;
    const char *app;
    const char *path_env;
    const char *failed; /* the name that could not be resolved, and why */
    int why;
} ctx_t;

static bool below(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* A guest path as the launcher reaches it on the host. */
static int to_host(const ctx_t *x, const char *g, char *out, size_t cap)
{
    int n;
    if (below(g, "/app")) {
        n = snprintf(out, cap, "%s%s", x->app, g + 4);
    } else if (!strcmp(g, LCH_GUEST_EXEC_PATH)) {
        ssize_t l = readlink("/proc/self/exe", out, cap - 1);
        if (l <= 0)
            return -errno;
        out[l] = '\0';
        return 0;
    } else {
        n = snprintf(out, cap, "%s", g);
    }
    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* A canonical host path as the guest sees it. */
static void to_guest(const ctx_t *x, const char *h, char *out, size_t cap)
{
    if (below(h, x->app))
        snprintf(out, cap, "/app%s", h + strlen(x->app));
    else
        snprintf(out, cap, "%s", h);
}

/* Whether the sandbox shows guest path g (a program there can run). */
static bool shown(const ctx_t *x, const char *g)
{
    if (below(g, "/app") || lch_sandbox_system(g))
        return true;
    for (int d = BRK_FS_READ; d <= BRK_FS_WRITE; d++) {
        size_t n = 0;
        bool all = false;
        const char *const *r = brk_path_rules(x->p, (brk_domain_t)d, &n, &all);
        for (size_t i = 0; i < n; i++)
            if (lch_sandbox_binds(r[i]) && brk_path_covers(r[i], g))
                return true;
    }
    return false;
}

/* Guest path g, when it is an executable file the sandbox shows: its
 * canonical guest path into out. 0 or -errno. */
static int program(const ctx_t *x, const char *g, char *out, size_t cap)
{
    char host[PATH_MAX], canon[PATH_MAX];
    int e = to_host(x, g, host, sizeof host);
    if (e < 0)
        return e;
    struct stat st;
    if (stat(host, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
        return -EACCES;
    if (!realpath(host, canon))
        return -errno;
    to_guest(x, canon, out, cap);
    return shown(x, out) ? 0 : -EXDEV;
}

static int find(const ctx_t *x, const char *name, char *out, size_t cap);

static int resolve(const char *name, char *out, size_t cap, void *arg)
{
    ctx_t *x = arg;
    int r = find(x, name, out, cap);
    if (r < 0) {
        x->failed = name;
        x->why = r;
    }
    return r;
}

static int find(const ctx_t *x, const char *name, char *out, size_t cap)
{
    if (!strcmp(name, "node") || !strcmp(name, LCH_GUEST_EXEC_PATH)) {
        snprintf(out, cap, "%s", LCH_GUEST_EXEC_PATH);
        return 0;
    }
    if (strchr(name, '/'))
        return name[0] == '/' ? program(x, name, out, cap) : -EINVAL;
    const char *p = x->path_env ? x->path_env : BR_DEFAULT_PATH;
    int why = -ENOENT;
    for (;;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char cand[PATH_MAX];
        /* only absolute folders: the guest's working folder is its own */
        if (n && p[0] == '/' &&
            snprintf(cand, sizeof cand, "%.*s/%s", (int)n, p, name) < (int)sizeof cand) {
            int r = program(x, cand, out, cap);
            if (r == 0)
                return 0;
            if (r != -ENOENT && r != -ENOTDIR)
                why = r;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return why;
}

int lch_run_resolve(brk_policy_t *p, const char *app, const char *path_env, char **err)
{
    ctx_t x = {.p = p, .app = app, .path_env = path_env};
    char *why = NULL;
    int r = brk_run_resolve(p, resolve, &x, &why);
    free(why);
    if (r < 0) {
        const char *name = x.failed ? x.failed : "?";
        const char *what = x.why == -EXDEV     ? "the sandbox does not show it (only the system "
                                                 "folders, /app and the read grants: grant its "
                                                 "folder with --allow-read)"
                           : x.why == -EACCES  ? "not an executable file"
                           : x.why == -EINVAL  ? "a relative path (name a program by its "
                                                 "absolute path or by a bare name)"
                           : strchr(name, '/') ? strerror(-x.why)
                                               : "no such program on the guest's PATH";
        int n = asprintf(err,
                         "run.allow: %s: %s (a bare name is looked up on the guest's PATH, "
                         "%s; `node` is the nested guest)",
                         name, what, path_env ? path_env : BR_DEFAULT_PATH);
        if (n < 0)
            *err = NULL;
    }
    return r;
}

/* The interpreter the kernel opens to run host file h: an ELF program's
 * PT_INTERP or a script's #! path, into out (""); 0 or -errno. */
static int interpreter(const char *h, char *out, size_t cap)
{
    out[0] = '\0';
    int fd = open(h, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    unsigned char head[256];
    ssize_t n = pread(fd, head, sizeof head - 1, 0);
    int r = 0;
    if (n >= 2 && head[0] == '#' && head[1] == '!') {
        head[n] = '\0';
        char *s = (char *)head + 2;
        s += strspn(s, " \t");
        size_t l = strcspn(s, " \t\n");
        if (l && l < cap && s[0] == '/')
            snprintf(out, cap, "%.*s", (int)l, s);
    } else if (n >= (ssize_t)sizeof(Elf64_Ehdr) && !memcmp(head, ELFMAG, SELFMAG) &&
               head[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr eh;
        memcpy(&eh, head, sizeof eh);
        for (unsigned i = 0; i < eh.e_phnum && i < 64; i++) {
            Elf64_Phdr ph;
            if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
                (ssize_t)sizeof ph)
                break;
            if (ph.p_type != PT_INTERP || ph.p_filesz == 0 || ph.p_filesz >= cap)
                continue;
            if (pread(fd, out, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz) {
                out[0] = '\0';
                break;
            }
            out[ph.p_filesz] = '\0';
            break;
        }
    }
    close(fd);
    return r;
}

static int add(char ***files, size_t *n, size_t *cap, const char *f)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*files)[i], f))
            return 0;
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        char **nf = realloc(*files, nc * sizeof *nf);
        if (!nf)
            return -ENOMEM;
        *files = nf;
        *cap = nc;
    }
    if (!((*files)[*n] = strdup(f)))
        return -ENOMEM;
    (*n)++;
    return 0;
}

void lch_run_files_free(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

int lch_run_exec_files(const brk_policy_t *p, const char *app, char ***files, size_t *n)
{
    ctx_t x = {.p = p, .app = app};
    size_t nr = 0, cap = 0;
    bool all = false;
    const char *const *rules = brk_path_rules(p, BRK_RUN, &nr, &all);
    *files = NULL;
    *n = 0;
    for (size_t i = 0; i < nr; i++) {
        /* the program, its interpreter, and that one's (a script's
         * interpreter is a program too) */
        char g[PATH_MAX];
        snprintf(g, sizeof g, "%s", rules[i]);
        for (int depth = 0; depth < 3 && g[0]; depth++) {
            if (add(files, n, &cap, g) < 0) {
                lch_run_files_free(*files, *n);
                return -ENOMEM;
            }
            char host[PATH_MAX], next[PATH_MAX];
            if (to_host(&x, g, host, sizeof host) < 0 || interpreter(host, next, sizeof next) < 0)
                break;
            snprintf(g, sizeof g, "%s", next);
        }
    }
    return 0;
}
