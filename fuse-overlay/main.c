/*
 * fuse-overlay/main.c — secure-exec-overlay: the overlay on its own, for
 * tests and operators (the launcher links the library instead).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "overlay.h"

static const char usage[] =
    "usage: secure-exec-overlay [OPTIONS] SRC MOUNTPOINT\n"
    "\n"
    "Serves the folder SRC read-only at MOUNTPOINT (FUSE, in the foreground,\n"
    "until unmounted or interrupted). Symlinks may point anywhere inside the\n"
    "folder that holds SRC (an app holding node_modules); a symlink whose target\n"
    "leaves it does not exist in the view. Only regular files, folders and\n"
    "symlinks are shown; `.node` files cannot be opened; writes are refused.\n"
    "\n"
    "  --threads N   threads answering requests (default 4)\n"
    "  --prefetch MB module files (.js .cjs .mjs .json up to 128 KiB) of each\n"
    "                folder listed are pushed into the kernel's page cache,\n"
    "                up to MB in all (default 32; 0: off; needs 2 threads)\n"
    "  --timeout S   how long the kernel may cache entries, attributes and\n"
    "                misses, in seconds (default 86400: the tree is read-only)\n"
    "  --uid N       owner shown for every file (default: this process's)\n"
    "  --gid N       group shown for every file (default: this process's)\n"
    "  -h, --help    this text\n";

static ovl_t *serving;

static void on_signal(int sig)
{
    (void)sig;
    ovl_stop(serving);
}

static int number(const char *opt, const char *v, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v ? v : "", &end, 10);
    if (!v || errno || end == v || *end || n > max) {
        fprintf(stderr, "secure-exec-overlay: %s: '%s' is not a number up to %lu\n", opt,
                v ? v : "", max);
        return -1;
    }
    *out = n;
    return 0;
}

int main(int argc, char **argv)
{
    ovl_opts_t o = {.timeout_s = -1, .uid = getuid(), .gid = getgid(), .prefetch_bytes = 32u << 20};
    const char *pos[2];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        unsigned long n;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "--threads")) {
            if (number(a, i + 1 < argc ? argv[++i] : NULL, 256, &n) < 0 || !n)
                return 2;
            o.threads = (unsigned)n;
        } else if (!strcmp(a, "--prefetch")) {
            if (number(a, i + 1 < argc ? argv[++i] : NULL, 4096, &n) < 0)
                return 2;
            o.prefetch_bytes = (uint64_t)n << 20;
        } else if (!strcmp(a, "--timeout")) {
            if (number(a, i + 1 < argc ? argv[++i] : NULL, 31536000, &n) < 0)
                return 2;
            o.timeout_s = (double)n;
        } else if (!strcmp(a, "--uid") || !strcmp(a, "--gid")) {
            if (number(a, i + 1 < argc ? argv[++i] : NULL, 4294967294UL, &n) < 0)
                return 2;
            if (a[2] == 'u')
                o.uid = (unsigned)n;
            else
                o.gid = (unsigned)n;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "secure-exec-overlay: unknown option '%s' (see --help)\n", a);
            return 2;
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            fprintf(stderr, "secure-exec-overlay: too many arguments (see --help)\n");
            return 2;
        }
    }
    if (npos != 2) {
        fputs(usage, stderr);
        return 2;
    }
    char src[PATH_MAX];
    if (!realpath(pos[0], src)) {
        fprintf(stderr, "secure-exec-overlay: %s: %s\n", pos[0], strerror(errno));
        return 1;
    }
    char dir[PATH_MAX], base[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", src);
    snprintf(base, sizeof base, "%s", src);
    char err[512];
    ovl_t *ov;
    if (ovl_new(dirname(dir), basename(base), &o, &ov, err, sizeof err) < 0) {
        fprintf(stderr, "secure-exec-overlay: %s\n", err);
        return 1;
    }
    serving = ov;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int r = ovl_serve(ov, pos[1], err, sizeof err);
    ovl_free(ov);
    if (r < 0) {
        fprintf(stderr, "secure-exec-overlay: %s\n", err);
        return 1;
    }
    return 0;
}
