/*
 * launcher/report.c — the supervisor's record of how a run ended (see
 * report.h for who can write what).
 *
 * Invariants: lch_report_decide() trusts a claim of the guest runtime
 * only for the limit the runtime enforces and only with the status that
 * limit ends a run with (124 time/CPU, 137 memory, 125 launcher), and a
 * time or CPU claim only when the supervisor's own measure has reached
 * the limit; everything the supervisor saw itself comes first. The JSON
 * is written with jansson; the file is opened before the guest runs, so a
 * bad --report path ends the launch (125) before any guest code.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "../bridge/broker.h"
#include "report.h"

#include "cli.h"

#define STATUS_TIME 124
#define STATUS_MEMORY 137
#define STATUS_LAUNCHER 125
#define STATUS_OUTPUT 153

const char *lch_limit_name(lch_limit_t l)
{
    switch (l) {
    case LCH_LIMIT_NONE:
        return "none";
    case LCH_LIMIT_TIME:
        return "time";
    case LCH_LIMIT_CPU:
        return "cpu";
    case LCH_LIMIT_MEMORY:
        return "memory";
    case LCH_LIMIT_OUTPUT:
        return "output";
    case LCH_LIMIT_SECCOMP:
        return "seccomp";
    case LCH_LIMIT_LAUNCHER:
        return "launcher";
    default:
        return "none";
    }
}

/* The limit the supervisor saw itself, or NONE. */
static lch_limit_t observed(const lch_facts_t *f)
{
    int ws = f->wait_status;
    if (f->setup_failed)
        return LCH_LIMIT_LAUNCHER;
    if (f->output_over)
        return LCH_LIMIT_OUTPUT;
    if (f->end == LCH_END_WALL)
        return LCH_LIMIT_TIME;
    if (f->end == LCH_END_CPU)
        return LCH_LIMIT_CPU;
    if (f->end == LCH_END_SIGNAL)
        return LCH_LIMIT_NONE;
    /* the cgroup's OOM killer took the guest itself (a child it killed
     * is no limit of the run: the guest may exit 137 of its own accord) */
    if (f->cgroup_oom && f->status == STATUS_MEMORY && ws >= 0 && WIFSIGNALED(ws) &&
        WTERMSIG(ws) == SIGKILL)
        return LCH_LIMIT_MEMORY;
    if (ws >= 0 && WIFSIGNALED(ws)) {
        int sig = WTERMSIG(ws);
        if (sig == SIGSYS)
            return LCH_LIMIT_SECCOMP;
        /* the kernel's: RLIMIT_CPU (soft SIGXCPU, hard SIGKILL) */
        if (f->cpu_limit_ms && (sig == SIGXCPU || sig == SIGKILL) && f->cpu_ms >= 0 &&
            (uint64_t)f->cpu_ms >= f->cpu_limit_ms)
            return LCH_LIMIT_CPU;
    }
    return LCH_LIMIT_NONE;
}

/* A claim of the guest runtime that the supervisor's facts bear out. */
static lch_limit_t claimed(const lch_facts_t *f)
{
    int ws = f->wait_status;
    if (!f->have_claim || ws < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != f->status)
        return LCH_LIMIT_NONE;
    switch (f->claim.limit) {
    case LCH_LIMIT_TIME:
        return f->status == STATUS_TIME && f->wall_ms && f->duration_ms >= f->wall_ms
                   ? LCH_LIMIT_TIME
                   : LCH_LIMIT_NONE;
    case LCH_LIMIT_CPU:
        return f->status == STATUS_TIME && f->cpu_limit_ms && f->cpu_ms >= 0 &&
                       (uint64_t)f->cpu_ms >= f->cpu_limit_ms
                   ? LCH_LIMIT_CPU
                   : LCH_LIMIT_NONE;
    case LCH_LIMIT_MEMORY:
        return f->status == STATUS_MEMORY ? LCH_LIMIT_MEMORY : LCH_LIMIT_NONE;
    case LCH_LIMIT_LAUNCHER:
        return f->status == STATUS_LAUNCHER ? LCH_LIMIT_LAUNCHER : LCH_LIMIT_NONE;
    case LCH_LIMIT_NONE:
    case LCH_LIMIT_OUTPUT:
    case LCH_LIMIT_SECCOMP:
    default:
        return LCH_LIMIT_NONE; /* the supervisor's to see, never a claim */
    }
}

void lch_report_decide(lch_report_t *r, const lch_facts_t *f)
{
    memset(r, 0, sizeof *r);
    r->exit_code = f->setup_failed ? STATUS_LAUNCHER : f->status;
    r->duration_ms = f->duration_ms;
    r->cpu_ms = f->cpu_ms;
    r->peak_bytes = f->peak_bytes;
    r->peak_source = f->peak_bytes >= 0 ? f->peak_source : NULL;
    r->claimed_denials = f->have_claim ? f->claim.denials : -1;
    for (int i = 0; i < LCH_DENIAL_DOMAINS; i++)
        r->claimed_denials_by[i] =
            f->have_claim && r->claimed_denials >= 0 ? f->claim.denials_by[i] : -1;
    r->limit = observed(f);
    if (r->limit == LCH_LIMIT_NONE && f->end == LCH_END_GUEST) {
        r->limit = claimed(f);
        r->limit_claimed = r->limit != LCH_LIMIT_NONE;
    }
    if (f->setup_failed)
        r->error = f->error;
    if (f->end == LCH_END_SIGNAL)
        r->signal = f->forwarded_signal;
    else if (f->end == LCH_END_GUEST && f->forwarded_signal &&
             f->status == 128 + f->forwarded_signal)
        r->signal = f->forwarded_signal; /* passed on, and the guest died of it */
    else if (f->end != LCH_END_GUEST || f->output_over)
        r->signal = SIGKILL; /* the supervisor's (or the relay's) kill */
    else if (f->wait_status >= 0 && WIFSIGNALED(f->wait_status))
        r->signal = WTERMSIG(f->wait_status);
}

static json_t *int_or_null(int64_t v)
{
    return v >= 0 ? json_integer((json_int_t)v) : json_null();
}

/* A JSON string of s; bytes that are not UTF-8 (a host path may hold
 * any) become '?' rather than losing the record. */
static json_t *str_or_null(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *t = strdup(s);
    if (!t)
        return NULL;
    for (char *c = t; *c; c++)
        if ((unsigned char)*c >= 0x80)
            *c = '?';
    j = json_string(t);
    free(t);
    return j;
}

char *lch_report_json(const lch_report_t *r, const char *version)
{
    char sig[32];
    const char *abbrev = r->signal > 0 ? sigabbrev_np(r->signal) : NULL;
    if (abbrev)
        snprintf(sig, sizeof sig, "SIG%s", abbrev);
    else if (r->signal > 0)
        snprintf(sig, sizeof sig, "%d", r->signal);
    json_t *o = json_object();
    if (!o)
        return NULL;
    /* json_object_set_new takes every value, NULL included (then fails) */
    int bad = 0;
    bad |= json_object_set_new(o, "version", str_or_null(version));
    bad |= json_object_set_new(o, "exit_code", json_integer(r->exit_code));
    bad |= json_object_set_new(o, "signal", r->signal > 0 ? json_string(sig) : json_null());
    bad |= json_object_set_new(o, "limit", json_string(lch_limit_name(r->limit)));
    bad |= json_object_set_new(o, "limit_claimed_by_guest", json_boolean(r->limit_claimed));
    bad |= json_object_set_new(o, "duration_ms", json_integer((json_int_t)r->duration_ms));
    bad |= json_object_set_new(o, "cpu_ms", int_or_null(r->cpu_ms));
    bad |= json_object_set_new(o, "peak_memory_bytes", int_or_null(r->peak_bytes));
    bad |= json_object_set_new(o, "peak_memory_source", str_or_null(r->peak_source));
    bad |= json_object_set_new(o, "denials_claimed_by_guest", int_or_null(r->claimed_denials));
    json_t *by = NULL;
    if (r->claimed_denials >= 0 && r->claimed_denials_by[0] >= 0) {
        by = json_object();
        for (int i = 0; by && i < LCH_DENIAL_DOMAINS; i++)
            if (json_object_set_new(by, lch_denial_domains[i],
                                    int_or_null(r->claimed_denials_by[i])) < 0) {
                json_decref(by);
                by = NULL;
            }
    } else {
        by = json_null();
    }
    bad |= json_object_set_new(o, "denials_by_domain_claimed_by_guest", by);
    bad |= json_object_set_new(o, "error", str_or_null(r->error));
    char *text = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *line = realloc(text, n + 2);
    if (!line) {
        free(text);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    return line;
}

int lch_outside_write_grants(const char *path, const char *what, const char *const *rw, size_t nrw,
                             char *real, char *base, char *err, size_t errlen)
{
    size_t len = path ? strlen(path) : 0;
    if (!len) {
        snprintf(err, errlen, "%s: needs a file name", what);
        return -1;
    }
    if (path[len - 1] == '/') {
        snprintf(err, errlen, "%s %s: is a folder (give a file name)", what, path);
        return -1;
    }
    char copy[PATH_MAX];
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy) {
        snprintf(err, errlen, "%s %s: %s", what, path, strerror(ENAMETOOLONG));
        return -1;
    }
    char *slash = strrchr(copy, '/');
    const char *b = slash ? slash + 1 : copy;
    const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
    if (slash)
        *slash = '\0';
    if (!strcmp(b, ".") || !strcmp(b, "..")) {
        snprintf(err, errlen, "%s %s: is a folder (give a file name)", what, path);
        return -1;
    }
    if (strlen(b) > NAME_MAX) {
        snprintf(err, errlen, "%s %s: %s", what, path, strerror(ENAMETOOLONG));
        return -1;
    }
    memcpy(base, b, strlen(b) + 1);
    char full[2 * PATH_MAX];
    if (!realpath(dir, real)) {
        snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
        return -1;
    }
    if (snprintf(full, sizeof full, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base) >=
        (int)sizeof full) {
        snprintf(err, errlen, "%s %s: %s", what, path, strerror(ENAMETOOLONG));
        return -1;
    }
    /* a file the guest could write, or a folder it could rename it in,
     * would let it swap its own in (its /tmp is private) */
    for (size_t i = 0; i < nrw; i++)
        if (strcmp(rw[i], "/tmp") && brk_path_covers(rw[i], full)) {
            snprintf(err, errlen,
                     "%s %s: inside the write grant %s, where the guest could replace "
                     "it; choose a path outside the write grants",
                     what, path, rw[i]);
            return -1;
        }
    return 0;
}

int lch_report_open(const char *path, const char *const *rw, size_t nrw, int audit_fd, char *err,
                    size_t errlen)
{
    char real[PATH_MAX], base[NAME_MAX + 1];
    if (lch_outside_write_grants(path, "--report", rw, nrw, real, base, err, errlen) < 0)
        return -1;
    int dfd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        snprintf(err, errlen, "--report %s: %s", path, strerror(errno));
        return -1;
    }
    /* a device is refused before it is opened (an open can act) */
    struct stat pre;
    if (fstatat(dfd, base, &pre, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(pre.st_mode) &&
        !S_ISLNK(pre.st_mode) && !S_ISDIR(pre.st_mode)) {
        close(dfd);
        snprintf(err, errlen, "--report %s: not a regular file", path);
        return -1;
    }
    int fd = openat(dfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    int e = errno;
    close(dfd);
    if (fd < 0) {
        snprintf(err, errlen, "--report %s: %s", path,
                 e == ELOOP    ? "is a symbolic link (the record is never written through one)"
                 : e == EISDIR ? "is a folder (give a file name)"
                               : strerror(e));
        return -1;
    }
    struct stat st, ast;
    struct statfs sf;
    const char *why = NULL;
    if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file";
    else if (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC ||
             sf.f_type == CGROUP_SUPER_MAGIC || sf.f_type == CGROUP2_SUPER_MAGIC ||
             sf.f_type == DEBUGFS_MAGIC || sf.f_type == SECURITYFS_MAGIC)
        why = "a kernel interface file, not a file for a record";
    else if (audit_fd >= 0 && fstat(audit_fd, &ast) == 0 && ast.st_dev == st.st_dev &&
             ast.st_ino == st.st_ino)
        why = "the same file as --audit (the guest process writes that one)";
    else if (st.st_nlink != 1)
        why = "has other hard links";
    else if (st.st_uid != geteuid())
        why = "belongs to another user";
    else if (fchmod(fd, 0600) < 0 || ftruncate(fd, 0) < 0)
        why = strerror(errno);
    if (why) {
        snprintf(err, errlen, "--report %s: %s", path, why);
        close(fd);
        return -1;
    }
    /* back to blocking writes: a regular file, but keep it plain */
    lch_fd_blocking(fd);
    return fd;
}

int lch_report_write(int fd, const lch_report_t *r, const char *version, char *err, size_t errlen)
{
    char *text = lch_report_json(r, version);
    if (!text) {
        snprintf(err, errlen, "--report: out of memory");
        close(fd);
        return -1;
    }
    size_t len = strlen(text), off = 0;
    int e = 0;
    if (ftruncate(fd, 0) < 0)
        e = errno;
    while (!e && off < len) {
        ssize_t w = pwrite(fd, text + off, len - off, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            e = w < 0 ? errno : EIO;
        else
            off += (size_t)w;
    }
    free(text);
    if (close(fd) < 0 && !e && errno != EINTR)
        e = errno;
    if (e) {
        snprintf(err, errlen, "--report: cannot write the record: %s", strerror(e));
        return -1;
    }
    return 0;
}

void lch_report_line(const lch_report_t *r, uint64_t wall_ms, uint64_t cpu_ms, size_t budget_mb,
                     size_t cgroup_mb, uint64_t output_bytes, char *buf, size_t cap)
{
    const char *pre = "secure-exec-launch: ";
    switch (r->limit) {
    case LCH_LIMIT_TIME:
        snprintf(buf, cap, "%stime limit exceeded (%llu ms)", pre, (unsigned long long)wall_ms);
        break;
    case LCH_LIMIT_CPU:
        snprintf(buf, cap, "%sCPU time limit exceeded (%llu ms)", pre, (unsigned long long)cpu_ms);
        break;
    case LCH_LIMIT_MEMORY:
        if (r->limit_claimed)
            snprintf(buf, cap, "%smemory limit exceeded (heap limit %zu MB)", pre, budget_mb);
        else
            snprintf(buf, cap, "%smemory limit exceeded (the run's cgroup: %zu MB in all)", pre,
                     cgroup_mb);
        break;
    case LCH_LIMIT_OUTPUT:
        snprintf(buf, cap, "%soutput limit exceeded (%llu bytes on stdout and stderr together)",
                 pre, (unsigned long long)output_bytes);
        break;
    case LCH_LIMIT_SECCOMP:
        snprintf(buf, cap, "%sthe guest made a system call the seccomp policy forbids", pre);
        break;
    case LCH_LIMIT_NONE:
    case LCH_LIMIT_LAUNCHER: /* the launcher's own message says why */
    default:
        if (cap)
            buf[0] = '\0';
    }
}

/* ---- the claim channel ---- */

#define CLAIM_MAGIC 0x31434553u /* "SEC1" */
typedef struct {
    uint32_t magic;
    int32_t limit;
    int64_t denials;
    int64_t denials_by[LCH_DENIAL_DOMAINS];
    char package[LCH_CLAIM_PACKAGE_MAX];
} claim_msg_t;

const char *const lch_denial_domains[LCH_DENIAL_DOMAINS] = {"fs", "net", "env", "run"};

static int claim_fd = -1; /* the guest process's write end */
static char claim_package[LCH_CLAIM_PACKAGE_MAX];
static int64_t claim_denials_by[LCH_DENIAL_DOMAINS] = {-1, -1, -1, -1};

void lch_claim_denials_by(const int64_t by[LCH_DENIAL_DOMAINS])
{
    memcpy(claim_denials_by, by, sizeof claim_denials_by);
}

void lch_claim_package(const char *name)
{
    snprintf(claim_package, sizeof claim_package, "%s", name ? name : "");
}

void lch_claim_init(int fd)
{
    claim_fd = fd;
}

int lch_claim_fd(void)
{
    return claim_fd;
}

void lch_claim_send(lch_limit_t limit, int64_t denials)
{
    if (claim_fd < 0)
        return;
    claim_msg_t m = {.magic = CLAIM_MAGIC, .limit = (int32_t)limit, .denials = denials};
    for (int i = 0; i < LCH_DENIAL_DOMAINS; i++)
        m.denials_by[i] = denials >= 0 ? claim_denials_by[i] : -1;
    memcpy(m.package, claim_package, sizeof m.package);
    ssize_t w;
    do
        w = write(claim_fd, &m, sizeof m); /* < PIPE_BUF: one piece */
    while (w < 0 && errno == EINTR);
}

bool lch_claim_read(int fd, lch_claim_t *c)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return false;
    /* everything on the pipe (a pipe holds 64 KiB unless grown), then the
     * last well-formed claim: the CPU limit's handler may claim after the
     * runtime's closing one; bytes that are not a claim are skipped one at
     * a time, so garbage of any length cannot hide one */
    const size_t cap = 1 << 16;
    unsigned char *buf = malloc(cap);
    if (!buf)
        return false;
    size_t have = 0;
    ssize_t n;
    while (have < cap && ((n = read(fd, buf + have, cap - have)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0)
            have += (size_t)n;
    bool got = false;
    claim_msg_t m;
    for (size_t off = 0; off + sizeof m <= have;) {
        memcpy(&m, buf + off, sizeof m);
        if (m.magic != CLAIM_MAGIC || m.limit < LCH_LIMIT_NONE || m.limit > LCH_LIMIT_LAUNCHER) {
            off++;
            continue;
        }
        c->limit = (lch_limit_t)m.limit;
        c->denials = m.denials >= 0 ? m.denials : -1;
        /* the parts of a count: none when one is bad or they do not add up */
        int64_t sum = 0;
        bool whole = c->denials >= 0;
        for (int i = 0; i < LCH_DENIAL_DOMAINS; i++) {
            whole = whole && m.denials_by[i] >= 0 && m.denials_by[i] <= c->denials;
            sum += whole ? m.denials_by[i] : 0;
        }
        whole = whole && sum == c->denials;
        for (int i = 0; i < LCH_DENIAL_DOMAINS; i++)
            c->denials_by[i] = whole ? m.denials_by[i] : -1;
        m.package[sizeof m.package - 1] = '\0';
        memcpy(c->package, m.package, sizeof c->package);
        got = true;
        off += sizeof m;
    }
    free(buf);
    return got;
}

void lch_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("secure-exec-launch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    lch_claim_send(LCH_LIMIT_LAUNCHER, -1); /* in the guest process: the supervisor's record */
    exit(LCH_EXIT_LAUNCHER);
}
