/*
 * launcher/cgroup.c — the run's own cgroup (see cgroup.h).
 *
 * Where our cgroup is: /proc/self/cgroup names it per hierarchy ("0::path"
 * for v2, "N:controllers:path" for v1) and /proc/self/mountinfo where each
 * hierarchy is mounted (its root may be a sub-folder, as in a container
 * with a cgroup namespace). Limits are written before any process enters;
 * a limit the kernel refuses means no cgroup rather than a half-limited one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

#define PREFIX "secure-exec-"

int lch_write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    size_t n = strlen(text);
    ssize_t w = write(fd, text, n);
    int e = w == (ssize_t)n ? 0 : (w < 0 ? -errno : -EIO);
    close(fd);
    return e;
}

static int put(const char *dir, const char *file, const char *text)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return lch_write_text(path, text);
}

static int put_u64(const char *dir, const char *file, uint64_t v)
{
    char text[32];
    snprintf(text, sizeof text, "%" PRIu64 "\n", v);
    return put(dir, file, text);
}

/* The value after "key " in a flat-keyed file (memory.events, cpu.stat,
 * memory.oom_control), or the whole file as one number when key is NULL. */
static int64_t get(const char *dir, const char *file, const char *key)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char line[256];
    int64_t v = -1;
    size_t kl = key ? strlen(key) : 0;
    while (fgets(line, sizeof line, f)) {
        if (!key) {
            v = strtoll(line, NULL, 10);
            break;
        }
        if (!strncmp(line, key, kl) && line[kl] == ' ') {
            v = strtoll(line + kl + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

/* Whether the comma-separated list has word. */
static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, word, n) && (p[n] == ',' || p[n] == '\0' || p[n] == '\n'))
            return true;
    return false;
}

/* The folder of our own cgroup in the hierarchy that has controller (v1),
 * or in the unified hierarchy (controller NULL). 0, or -1 when absent. */
static int own_dir(const char *controller, char *out, size_t cap)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return -1;
    char line[1024], own[PATH_MAX] = "";
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        bool match = controller ? has_word(c1 + 1, controller) : !strncmp(line, "0:", 2);
        if (match && (controller || c1[1] == '\0')) {
            snprintf(own, sizeof own, "%s", c2 + 1);
            found = true;
        }
    }
    fclose(f);
    if (!found)
        return -1;
    f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return -1;
    int r = -1;
    char mline[4096];
    while (r < 0 && fgets(mline, sizeof mline, f)) {
        char root[PATH_MAX], point[PATH_MAX], fstype[64], super[512];
        char *dash = strstr(mline, " - ");
        if (!dash || sscanf(mline, "%*s %*s %*s %4095s %4095s", root, point) != 2 ||
            sscanf(dash + 3, "%63s %*s %511s", fstype, super) != 2)
            continue;
        if (controller ? strcmp(fstype, "cgroup") || !has_word(super, controller)
                       : strcmp(fstype, "cgroup2"))
            continue;
        size_t rl = strcmp(root, "/") ? strlen(root) : 0;
        if (rl && (strncmp(own, root, rl) || (own[rl] != '/' && own[rl] != '\0')))
            continue; /* our cgroup is outside what this mount shows */
        if (snprintf(out, cap, "%s%s", point, strcmp(own + rl, "/") ? own + rl : "") < (int)cap)
            r = 0;
    }
    fclose(f);
    return r;
}

/* Removes the cgroups under parent that runs left whose supervisor is
 * gone (killed before it could remove them). */
static void reap_stale(const char *parent)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, PREFIX, strlen(PREFIX)))
            continue;
        char *end;
        long pid = strtol(e->d_name + strlen(PREFIX), &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
        rmdir(path);
    }
    closedir(d);
}

/* The run's cgroup under parent: made fresh (a stale one of a reused pid
 * goes first). */
static int make_run_dir(const char *parent, char *out, size_t cap)
{
    reap_stale(parent);
    if (snprintf(out, cap, "%s/" PREFIX "%d", parent, (int)getpid()) >= (int)cap)
        return -ENAMETOOLONG;
    if (mkdir(out, 0755) < 0) {
        if (errno != EEXIST || rmdir(out) < 0 || mkdir(out, 0755) < 0) {
            int e = -errno;
            out[0] = '\0';
            return e;
        }
    }
    return 0;
}

static void remove_dir(char *path)
{
    if (path[0])
        rmdir(path);
    path[0] = '\0';
}

static int create_v2(lch_cgroup_t *cg, const lch_cgroup_limits_t *lim, char *why, size_t cap)
{
    char own[PATH_MAX];
    if (own_dir(NULL, own, sizeof own) < 0) {
        snprintf(why, cap, "no cgroup v2 hierarchy");
        return -1;
    }
    char ctl[PATH_MAX + 32];
    snprintf(ctl, sizeof ctl, "%s/cgroup.subtree_control", own);
    FILE *c = fopen(ctl, "re");
    char enabled[256] = "";
    if (c) {
        if (!fgets(enabled, sizeof enabled, c))
            enabled[0] = '\0';
        fclose(c);
    }
    if (!strstr(enabled, "memory") || !strstr(enabled, "pids")) {
        snprintf(why, cap,
                 "cgroup v2 at %.80s without memory and pids enabled for its children "
                 "(delegate a cgroup: systemd-run --user -p Delegate=yes, or write "
                 "\"+memory +pids\" to its cgroup.subtree_control)",
                 own);
        return -1;
    }
    int e = make_run_dir(own, cg->v2, sizeof cg->v2);
    if (e < 0) {
        snprintf(why, cap, "cgroup v2 at %.80s is not writable: %s", own, strerror(-e));
        return -1;
    }
    if ((lim->memory_bytes && (e = put_u64(cg->v2, "memory.max", lim->memory_bytes)) < 0) ||
        (lim->pids && (e = put_u64(cg->v2, "pids.max", lim->pids)) < 0)) {
        snprintf(why, cap, "cgroup v2 at %.80s refused a limit: %s", own, strerror(-e));
        remove_dir(cg->v2);
        return -1;
    }
    if (lim->memory_bytes)
        put(cg->v2, "memory.swap.max", "0\n"); /* absent without swap accounting */
    cg->version = 2;
    return 0;
}

static int create_v1(lch_cgroup_t *cg, const lch_cgroup_limits_t *lim, char *why, size_t cap)
{
    char mem[PATH_MAX], pids[PATH_MAX], cpu[PATH_MAX];
    if (own_dir("memory", mem, sizeof mem) < 0 || own_dir("pids", pids, sizeof pids) < 0) {
        snprintf(why, cap,
                 "no cgroup v2 delegated and no cgroup v1 memory and pids hierarchies mounted "
                 "(boot with systemd.unified_cgroup_hierarchy=1 and delegate one, or mount "
                 "the v1 memory and pids controllers)");
        return -1;
    }
    int e;
    if ((e = make_run_dir(mem, cg->memory, sizeof cg->memory)) < 0 ||
        (e = make_run_dir(pids, cg->pids, sizeof cg->pids)) < 0) {
        snprintf(why, cap,
                 "cgroup v1 memory and pids hierarchies are mounted, but our cgroups there "
                 "(%.60s) are not writable: %s (run as root, or on cgroup v2 with a "
                 "delegated cgroup)",
                 mem, strerror(-e));
        remove_dir(cg->memory);
        return -1;
    }
    e = 0;
    if (lim->memory_bytes) {
        e = put_u64(cg->memory, "memory.limit_in_bytes", lim->memory_bytes);
        /* memory and swap together: no swap beyond the limit (absent
         * without swap accounting) */
        if (e == 0)
            put_u64(cg->memory, "memory.memsw.limit_in_bytes", lim->memory_bytes);
        /* socket buffers are charged apart from the rest in v1 */
        if (e == 0 && lim->tcp_bytes)
            put_u64(cg->memory, "memory.kmem.tcp.limit_in_bytes", lim->tcp_bytes);
    }
    if (e == 0 && lim->pids)
        e = put_u64(cg->pids, "pids.max", lim->pids);
    if (e < 0) {
        snprintf(why, cap, "cgroup v1 refused a limit: %s", strerror(-e));
        remove_dir(cg->memory);
        remove_dir(cg->pids);
        return -1;
    }
    /* CPU time, measured only (the supervisor kills at the limit) */
    if (own_dir("cpuacct", cpu, sizeof cpu) < 0 ||
        make_run_dir(cpu, cg->cpuacct, sizeof cg->cpuacct) < 0)
        cg->cpuacct[0] = '\0';
    cg->version = 1;
    return 0;
}

int lch_cgroup_create(lch_cgroup_t *cg, const lch_cgroup_limits_t *lim, char *why, size_t cap)
{
    memset(cg, 0, sizeof *cg);
    char why2[256];
    if (create_v2(cg, lim, why2, sizeof why2) == 0)
        return 0;
    if (create_v1(cg, lim, why, cap) == 0)
        return 0;
    /* say what v2 lacked when v2 is what this host runs */
    struct stat st;
    if (stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0)
        snprintf(why, cap, "%s", why2);
    return -1;
}

int lch_cgroup_enter(const lch_cgroup_t *cg, pid_t pid)
{
    if (cg->version != 2)
        return 0;
    char text[32];
    snprintf(text, sizeof text, "%d\n", (int)pid);
    const char *dirs[] = {cg->v2, cg->memory, cg->pids, cg->cpuacct};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        int e = dirs[i][0] ? put(dirs[i], "cgroup.procs", text) : 0;
        if (e < 0)
            return e;
    }
    return 0;
}

/* A process's move into a v1 cgroup write-locks the kernel's threadgroup
 * rwsem, which waits for an RCU grace period (5-30 ms on a VM, on the
 * start's critical path); a thread that moves itself ("0" to tasks) does
 * not need the lock. */
int lch_cgroup_enter_self(const lch_cgroup_t *cg)
{
    if (cg->version != 1)
        return 0;
    const char *dirs[] = {cg->memory, cg->pids, cg->cpuacct};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        int e = dirs[i][0] ? put(dirs[i], "tasks", "0") : 0;
        if (e < 0)
            return e;
    }
    return 0;
}

int64_t lch_cgroup_cpu_ms(const lch_cgroup_t *cg)
{
    if (cg->version == 2) {
        int64_t us = get(cg->v2, "cpu.stat", "usage_usec");
        return us < 0 ? -1 : us / 1000;
    }
    if (cg->version == 1 && cg->cpuacct[0]) {
        int64_t ns = get(cg->cpuacct, "cpuacct.usage", NULL);
        return ns < 0 ? -1 : ns / 1000000;
    }
    return -1;
}

int64_t lch_cgroup_peak_bytes(const lch_cgroup_t *cg)
{
    if (cg->version == 2)
        return get(cg->v2, "memory.peak", NULL); /* Linux 5.19 on; else -1 */
    if (cg->version == 1 && cg->memory[0])
        return get(cg->memory, "memory.max_usage_in_bytes", NULL);
    return -1;
}

bool lch_cgroup_oom_killed(const lch_cgroup_t *cg)
{
    if (cg->version == 2)
        return get(cg->v2, "memory.events", "oom_kill") > 0;
    if (cg->version == 1)
        return get(cg->memory, "memory.oom_control", "oom_kill") > 0;
    return false;
}

void lch_cgroup_remove(lch_cgroup_t *cg)
{
    remove_dir(cg->v2);
    remove_dir(cg->memory);
    remove_dir(cg->pids);
    remove_dir(cg->cpuacct);
    cg->version = 0;
}

bool lch_cgroup_describe(char *detail, size_t cap)
{
    lch_cgroup_t cg;
    lch_cgroup_limits_t lim = {.memory_bytes = 64u << 20, .tcp_bytes = 16u << 20, .pids = 64};
    if (lch_cgroup_create(&cg, &lim, detail, cap) < 0)
        return false;
    /* where runs go: the parent of the trial cgroup */
    char *where = cg.version == 2 ? cg.v2 : cg.memory;
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", where);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent)
        *slash = '\0';
    if (cg.version == 2)
        snprintf(detail, cap, "cgroup v2: memory, pids and cpu time under %.120s", parent);
    else
        snprintf(detail, cap, "cgroup v1: memory (with kernel and TCP memory), pids%s under %.100s",
                 cg.cpuacct[0] ? " and cpuacct" : "", parent);
    lch_cgroup_remove(&cg);
    return true;
}
