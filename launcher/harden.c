/*
 * launcher/harden.c — rlimits, capabilities (libcap) and descriptors for
 * the sandbox's guest (see harden.h).
 */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harden.h"

static int set_one(int res, const char *name, rlim_t soft, rlim_t hard, char *err, size_t errlen)
{
    struct rlimit cur;
    if (getrlimit(res, &cur) < 0) {
        snprintf(err, errlen, "getrlimit %s: %s", name, strerror(errno));
        return -errno;
    }
    /* never raise what the host already capped */
    if (cur.rlim_max != RLIM_INFINITY && hard > cur.rlim_max)
        hard = cur.rlim_max;
    if (soft > hard)
        soft = hard;
    struct rlimit r = {soft, hard};
    if (setrlimit(res, &r) < 0) {
        snprintf(err, errlen, "setrlimit %s %llu: %s", name, (unsigned long long)soft,
                 strerror(errno));
        return -errno;
    }
    return 0;
}

int lch_set_rlimits(const lch_rlimits_t *l, char *err, size_t errlen)
{
    int e = set_one(RLIMIT_CORE, "CORE", 0, 0, err, errlen);
    if (!e && l->nofile)
        e = set_one(RLIMIT_NOFILE, "NOFILE", l->nofile, l->nofile, err, errlen);
    if (!e && l->fsize)
        e = set_one(RLIMIT_FSIZE, "FSIZE", l->fsize, l->fsize, err, errlen);
    if (!e && l->stack)
        e = set_one(RLIMIT_STACK, "STACK", l->stack, l->stack, err, errlen);
    if (!e && l->nproc)
        e = set_one(RLIMIT_NPROC, "NPROC", l->nproc, l->nproc, err, errlen);
    if (!e && l->cpu_seconds)
        e = set_one(RLIMIT_CPU, "CPU", l->cpu_seconds, l->cpu_seconds + 1, err, errlen);
    return e;
}

int lch_drop_caps(char *err, size_t errlen)
{
    /* the bounding set needs CAP_SETPCAP, so it goes first */
    cap_value_t ncaps = (cap_value_t)cap_max_bits(); /* the running kernel's */
    for (cap_value_t c = 0; c < ncaps; c++) {
        if (cap_drop_bound(c) < 0 && errno != EINVAL) {
            snprintf(err, errlen, "cannot drop capability %d from the bounding set: %s", c,
                     strerror(errno));
            return -errno;
        }
    }
    if (cap_reset_ambient() < 0 && errno != EINVAL) {
        snprintf(err, errlen, "cannot clear the ambient capabilities: %s", strerror(errno));
        return -errno;
    }
    cap_t caps = cap_init(); /* all three sets empty */
    if (!caps || cap_set_proc(caps) < 0) {
        int e = errno;
        if (caps)
            cap_free(caps);
        snprintf(err, errlen, "cannot drop capabilities: %s", strerror(e));
        return -e;
    }
    cap_free(caps);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
        return -errno;
    }
    /* check: nothing effective or permitted, nothing in the bounding set */
    cap_t now = cap_get_proc();
    cap_t none = cap_init();
    bool left = !now || !none || cap_compare(now, none) != 0;
    if (now)
        cap_free(now);
    if (none)
        cap_free(none);
    for (cap_value_t c = 0; !left && c < ncaps; c++)
        if (cap_get_bound(c) > 0)
            left = true;
    if (left || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
        snprintf(err, errlen, "capabilities are still held after dropping them");
        return -EPERM;
    }
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int lch_close_fds_except(const int *keep, size_t n)
{
    int *k = malloc((n + 1) * sizeof *k);
    if (!k)
        return -ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i] > 2)
            k[m++] = keep[i];
    qsort(k, m, sizeof *k, cmp_int);
    /* close the ranges between the kept ones */
    unsigned lo = 3;
    int e = 0;
    for (size_t i = 0; i <= m; i++) {
        unsigned hi = i < m ? (unsigned)k[i] - 1 : ~0U;
        if (i < m && (unsigned)k[i] < lo)
            continue; /* a duplicate */
        if (hi >= lo && syscall(SYS_close_range, lo, hi, 0) < 0) {
            e = -errno;
            /* kernels without close_range: one by one up to the limit */
            long max = sysconf(_SC_OPEN_MAX);
            for (long fd = lo; fd <= (hi < (unsigned)max ? (long)hi : max); fd++)
                close((int)fd);
            e = 0;
        }
        if (i < m)
            lo = (unsigned)k[i] + 1;
    }
    free(k);
    return e;
}

bool lch_can_drop_groups(void)
{
    cap_t caps = cap_get_proc();
    cap_flag_value_t v = CAP_CLEAR;
    if (caps) {
        cap_get_flag(caps, CAP_SETGID, CAP_EFFECTIVE, &v);
        cap_free(caps);
    }
    return v == CAP_SET;
}

int lch_kept_groups(char *out, size_t len)
{
    if (len)
        out[0] = '\0';
    if (lch_can_drop_groups())
        return 0;
    int n = getgroups(0, NULL);
    if (n < 0)
        return -errno;
    gid_t *g = calloc((size_t)n + 1, sizeof *g);
    if (!g)
        return -ENOMEM;
    n = getgroups(n, g);
    if (n < 0) {
        int e = -errno;
        free(g);
        return e;
    }
    gid_t primary = getegid();
    int kept = 0;
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        if (g[i] == primary)
            continue; /* the guest's own group outside in any case */
        char buf[1024];
        struct group gr, *res = NULL;
        getgrgid_r(g[i], &gr, buf, sizeof buf, &res);
        int w = res ? snprintf(out + used, len - used, "%s%s(%u)", kept ? ", " : "", res->gr_name,
                               (unsigned)g[i])
                    : snprintf(out + used, len - used, "%s%u", kept ? ", " : "", (unsigned)g[i]);
        if (w > 0 && used + (size_t)w < len)
            used += (size_t)w;
        kept++;
    }
    free(g);
    return kept;
}
