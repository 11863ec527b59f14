/*
 * launcher/main.c — the secure-exec-launch program.
 *
 * Order matters: everything that can fail because of the user's input
 * (options, paths) is done first, while the process is still single
 * threaded; only then does V8 start its platform threads. The OS sandbox,
 * built in a single-threaded child before V8 starts, slots in there: seccomp
 * filters and dropped capabilities are per thread.
 *
 * This file is the only one allowed to exit the process, and only with the
 * statuses of launcher/README.md: the guest's, 124/137/153 for limits, 125 when the
 * launcher itself failed (one line on stderr starting "secure-exec-launch:"),
 * also when the audit log cannot take a decision's line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "../bridge/bridge.h"
#include "../isolate/vm.h"
#include "audit.h"
#include "check.h"
#include "cli.h"
#include "job.h"
#include "nested.h"
#include "netd.h"
#include "landlock.h"
#include "relay.h"
#include "report.h"
#include "run.h"
#include "sandbox.h"
#include "shell.h"
#include "serve.h"
#include "seccomp.h"

#define LCH_VERSION "0.1.0"

/* The built-in profiles, embedded by launcher/profiles.S. */
extern const char lch_profile_strict[], lch_profile_strict_end[];
extern const char lch_profile_default[], lch_profile_default_end[];
extern const char lch_profile_dev[], lch_profile_dev_end[];

/* The startup snapshot, embedded by launcher/snapshot.S. */
extern const uint8_t lch_snapshot_blob[];
extern const uint8_t lch_snapshot_blob_end[];

/* The audit log could not take a decision's line (the run's room in it is
 * used up, or a write failed; the log's last line says which): the run
 * ends with the launcher's own failure status rather than go on with
 * decisions unlogged. Called in the launcher or in the guest process, on
 * the thread that decided; the guest's threads end with it. */
static void audit_stopped(void *arg, const char *why)
{
    (void)arg;
    fprintf(stderr, "secure-exec-launch: --audit: %s\n", why);
    fflush(NULL);
    _exit(LCH_EXIT_LAUNCHER);
}

/* A fresh id for the run's audit lines: 128 random bits in hex, so runs
 * that append to one log can be told apart, and a guest (which cannot
 * read the log) cannot guess it to forge a line under `--audit -`. */
static const char *run_id(char *out, size_t cap)
{
    uint8_t b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return NULL;
        got += (size_t)r;
    }
    for (size_t i = 0; i < sizeof b && 2 * i + 2 < cap; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return out;
}

/* ---- the wall-clock watchdog -------------------------------------------- */

typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool armed;
    struct timespec deadline;
    br_rt_t *rt;
    uv_async_t *wake;
} watchdog_t;

static void *watchdog_main(void *arg)
{
    watchdog_t *w = arg;
    pthread_mutex_lock(&w->lock);
    int r = 0;
    while (r != ETIMEDOUT)
        r = w->armed ? pthread_cond_timedwait(&w->cond, &w->lock, &w->deadline)
                     : pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
    br_rt_terminate(w->rt, VM_LIMIT_TIME);
    uv_async_send(w->wake); /* the loop may be idle in poll */
    return NULL;
}

/* The watchdog's thread, waiting until it is armed: a serve sandbox makes
 * it before its job comes, which then only sets the deadline. */
static int watchdog_init(watchdog_t *w, br_rt_t *rt, uv_async_t *wake)
{
    pthread_mutex_init(&w->lock, NULL);
    lch_cond_init_monotonic(&w->cond);
    w->armed = false;
    w->rt = rt;
    w->wake = wake;
    return -pthread_create(&w->thread, NULL, watchdog_main, w);
}

/* The run ends ms from now (its thread ends with the process). */
static void watchdog_arm(watchdog_t *w, uint64_t ms)
{
    pthread_mutex_lock(&w->lock);
    lch_monotonic_in(&w->deadline, ms);
    w->armed = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void on_wake(uv_async_t *a)
{
    uv_stop(a->loop);
}

/* ---- the guest's audit lines: audit.c ------------------------------------------ */

/* A line the relay could not append ends the run: SIGQUIT (the supervisor
 * kills the sandbox and cleans up; main says why). */
static void audit_relay_failed(void *arg)
{
    (void)arg;
    kill(getpid(), SIGQUIT);
}

/* ---- the network ------------------------------------------------------------ */

typedef struct {
    lch_netd_opts_t opts;
    lch_netd_fds_t *fds;
    lch_netd_t *d;
    lch_audit_relay_t *audit; /* NULL: no audit log */
    lch_job_id_t *job;        /* serve's request id, NULL: not serve's */
    pthread_t audit_thread;
    bool audit_started;
    lch_shell_t *shell; /* `shell`: its thread starts with the sandbox */
} netd_job_t;

/* serve's start message: the supervisor's audit lines carry the request's
 * id from here, and the guest's are taken with it too (the guest switches
 * to it when its job comes, take_job; a line of its own id may still be
 * on the way) */
static void netd_job_started(void *arg, const char *id)
{
    netd_job_t *j = arg;
    if (!id)
        return;
    if (j->d)
        lch_netd_audit_job(j->d, id);
    if (j->job)
        lch_job_id_set(j->job, id);
}

/* The sandbox is forked: the supervisor's network broker starts serving
 * (a run whose broker cannot start has no network: its requests fail),
 * and the guest's audit lines are taken in. */
static void start_netd(void *arg)
{
    netd_job_t *j = arg;
    char err[256];
    if (j->shell && lch_shell_start(j->shell) < 0)
        fprintf(stderr, "secure-exec-launch: shell: cannot start its thread\n");
    j->d = lch_netd_start(&j->opts, j->fds, err, sizeof err);
    if (!j->d)
        fprintf(stderr, "secure-exec-launch: %s\n", err);
    if (j->audit) {
        j->audit_started = pthread_create(&j->audit_thread, NULL, lch_audit_relay, j->audit) == 0;
        if (!j->audit_started)
            fprintf(stderr, "secure-exec-launch: --audit: cannot take the guest's lines\n");
    }
}

/* ---- the policy ----------------------------------------------------------- */

#define LCH_PROFILE_MAX (1u << 20)

/* Profile text by built-in name, or read from a file (capped). */

/* Opens a regular file the launcher reads (a profile) or appends to (the
 * audit log); anything else — a FIFO that would block before any limit
 * applies, a terminal or another device — is refused before it is opened.
 * Dies with the option's name on failure. */
static FILE *open_regular(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        lch_die("%s: not a regular file", path);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        lch_die("%s: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        lch_die("%s: not a regular file", path);
    lch_fd_blocking(fd);
    FILE *f = fdopen(fd, "r");
    if (!f)
        lch_die("%s: %s", path, strerror(errno));
    return f;
}

static char *profile_text(const char *spec, size_t *len, char **label)
{
    static const struct {
        const char *name, *start, *end;
    } builtin[] = {
        {"strict", lch_profile_strict, lch_profile_strict_end},
        {"default", lch_profile_default, lch_profile_default_end},
        {"dev", lch_profile_dev, lch_profile_dev_end},
    };
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        if (!strcmp(spec, builtin[i].name)) {
            *len = (size_t)(builtin[i].end - builtin[i].start);
            if (asprintf(label, "%s.profile", spec) < 0)
                lch_die("out of memory");
            char *t = malloc(*len + 1);
            if (!t)
                lch_die("out of memory");
            memcpy(t, builtin[i].start, *len);
            return t;
        }
    if (!strchr(spec, '/') && !strstr(spec, ".profile"))
        lch_die("--profile: no built-in profile '%s' (strict, default, dev) and not a file path",
                spec);
    FILE *f = open_regular(spec);
    char *t = malloc(LCH_PROFILE_MAX + 1);
    if (!t)
        lch_die("out of memory");
    *len = fread(t, 1, LCH_PROFILE_MAX + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad)
        lch_die("%s: cannot read", spec);
    if (*len > LCH_PROFILE_MAX)
        lch_die("%s: larger than %u bytes", spec, LCH_PROFILE_MAX);
    *label = strdup(spec);
    return t;
}

static brk_policy_t *build_policy(const lch_opts_t *o, const char *app)
{
    brk_policy_t *p = brk_policy_new();
    if (!p)
        lch_die("out of memory");
    size_t len;
    char *label = NULL, *err = NULL;
    char *text = profile_text(o->profile ? o->profile : "strict", &len, &label);
    if (brk_profile_parse(p, text, len, label, &err) < 0)
        lch_die("%s", err ? err : "bad profile");
    free(text);
    free(label);
    /* each grant remembers the option it came from (--print-profile) */
    for (size_t i = 0; i < o->ngrants; i++)
        if (brk_set_origin(p, o->grants[i].option) < 0 ||
            brk_grant(p, (brk_domain_t)o->grants[i].domain, o->grants[i].list, &err) < 0)
            lch_die("%s: %s", o->grants[i].option, err ? err : "out of memory");
    /* a published port: the guest may listen on it (on its loopback) */
    for (size_t i = 0; i < o->npublish; i++) {
        lch_publish_t pb;
        char perr[256], rule[32];
        if (lch_publish_parse(o->publish[i], &pb, perr, sizeof perr) < 0)
            lch_die("%s", perr);
        snprintf(rule, sizeof rule, "localhost:%u", pb.guest_port);
        if (brk_set_origin(p, "--publish") < 0 || brk_grant(p, BRK_NET, rule, &err) < 0)
            lch_die("--publish: %s", err ? err : "out of memory");
    }
    if (o->allow_all && (brk_set_origin(p, "--allow-all") < 0 || brk_grant_all(p) < 0))
        lch_die("out of memory");
    brk_set_origin(p, NULL);
    /* the limit options set the profile's value */
    brk_settings_t *s = brk_settings_mut(p);
    if (o->memory_limit_mb)
        s->heap_mb = o->memory_limit_mb;
    if (o->timeout_ms)
        s->timeout_ms = o->timeout_ms;
    if (o->cpu_ms)
        s->cpu_ms = o->cpu_ms;
    if (o->write_bytes_set)
        s->write_bytes = o->write_bytes;
    if (o->write_files_set)
        s->write_files = o->write_files;
    (void)app;
    return p;
}

/* ---- write grants: nothing the guest writes is lost ------------------------ */

/* A file a write grant named that the launcher created for the guest to
 * write (its folder existed, it did not); removed at the end if the guest
 * left it as it was made. The folder is held open: the file is made and
 * removed in that folder, whatever its path names by then. */
typedef struct {
    int dirfd;
    char *name;
    struct stat st;
} made_file_t;

/* The folder at path, opened without following any symlink on the way;
 * -1 with errno (ELOOP: a symlink). The launcher runs before the
 * sandbox's seccomp policy: openat2 is there. */
static int open_folder_nofollow(const char *path)
{
    struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                           .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
}

/* Removes the files ensure_write_grants made that the guest left untouched. */
static void remove_untouched(made_file_t *made, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        const struct stat *m = &made[i].st;
        if (fstatat(made[i].dirfd, made[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode) && st.st_dev == m->st_dev && st.st_ino == m->st_ino &&
            st.st_size == 0 && st.st_nlink == 1 && st.st_mtim.tv_sec == m->st_mtim.tv_sec &&
            st.st_mtim.tv_nsec == m->st_mtim.tv_nsec && st.st_ctim.tv_sec == m->st_ctim.tv_sec &&
            st.st_ctim.tv_nsec == m->st_ctim.tv_nsec)
            unlinkat(made[i].dirfd, made[i].name, 0);
        close(made[i].dirfd);
        free(made[i].name);
    }
    free(made);
}

/* Makes sure every host path a write grant shows exists before the run: a
 * folder or a file as it is, a missing file whose folder exists is created
 * empty (owned by the sandbox user's host id: the invoker, nobody for
 * root), anything else ends the launch. So no write meant for the host
 * lands in the sandbox's private /tmp, where it would be gone at the end.
 * Every grant is checked before any file is made, and a launch that fails
 * while making them removes what it made. The folder of a file to make
 * must be named by its real path (no symlink on the way, checked again
 * when it is opened): the sandbox shows the grant at the path given. */
static made_file_t *ensure_write_grants(const brk_policy_t *p, size_t *nmade)
{
    size_t n;
    bool all;
    const char *const *rw = brk_path_rules(p, BRK_FS_WRITE, &n, &all);
    made_file_t *made = calloc(n + 1, sizeof *made);
    bool *make = calloc(n + 1, sizeof *make);
    if (!made || !make)
        lch_die("out of memory");
    *nmade = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lch_sandbox_binds(rw[i]))
            continue;
        bool dir = false;
        const char *origin = brk_rule_origin(p, BRK_FS_WRITE, i, &dir);
        if (!origin)
            origin = "fs.write";
        struct stat st;
        if (stat(rw[i], &st) == 0) {
            if (dir && !S_ISDIR(st.st_mode))
                lch_die("%s: %s is not a folder (a trailing '/' names one)", origin, rw[i]);
            continue;
        }
        if (errno != ENOENT)
            lch_die("%s: %s: %s", origin, rw[i], strerror(errno));
        char parent[PATH_MAX], real[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", rw[i]);
        char *slash = strrchr(parent, '/');
        if (slash == parent)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (dir)
            lch_die(
                "%s: the folder %s does not exist on the host: create it first (mkdir -p %s); a "
                "write grant is never the sandbox's private /tmp",
                origin, rw[i], rw[i]);
        if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
            lch_die(
                "%s: %s does not exist on the host, nor its folder %s: create it first (mkdir -p "
                "%s); a write grant is never the sandbox's private /tmp",
                origin, rw[i], parent, rw[i]);
        if (!realpath(parent, real) || strcmp(real, parent))
            lch_die(
                "%s: the folder of %s goes through a symbolic link (it is %s): name the file by "
                "its real path",
                origin, rw[i], realpath(parent, real) ? real : strerror(errno));
        for (size_t j = 0; j < i; j++)
            if (make[j] && !strcmp(rw[j], rw[i]))
                goto next; /* named twice: made once */
        make[i] = true;
    next:;
    }
    for (size_t i = 0; i < n; i++) {
        if (!make[i])
            continue;
        const char *origin = brk_rule_origin(p, BRK_FS_WRITE, i, NULL);
        if (!origin)
            origin = "fs.write";
        const char *name = strrchr(rw[i], '/') + 1;
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%.*s", (int)(name - rw[i] > 1 ? name - rw[i] - 1 : 1),
                 rw[i]);
        made_file_t *m = &made[*nmade];
        char why[PATH_MAX + 128] = "";
        m->dirfd = open_folder_nofollow(parent);
        int fd = -1;
        if (m->dirfd < 0)
            snprintf(why, sizeof why, "%s: %s", parent,
                     errno == ELOOP ? "a symbolic link on the way" : strerror(errno));
        else if ((fd = openat(m->dirfd, name,
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
                              0666)) < 0)
            snprintf(why, sizeof why, "%s", strerror(errno));
        else if (!(m->name = strdup(name)))
            snprintf(why, sizeof why, "%s", strerror(errno));
        else if (geteuid() == 0 && fchown(fd, lch_sandbox_host_uid(), 65534) < 0)
            snprintf(why, sizeof why, "cannot give it to the sandbox user: %s", strerror(errno));
        else if (fstat(fd, &m->st) < 0)
            snprintf(why, sizeof why, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        if (why[0]) {
            if (m->name)
                unlinkat(m->dirfd, m->name, 0);
            if (m->dirfd >= 0)
                close(m->dirfd);
            free(m->name);
            remove_untouched(made, *nmade);
            lch_die("%s: cannot create %s for the guest to write: %s", origin, rw[i], why);
        }
        (*nmade)++;
    }
    free(make);
    return made;
}

/* The host variables the policy lets through, as "NAME=value". Sorting
 * them is no decision (the guest asked for none of them): the audit log
 * has a line for each name the guest reads (bridge/process.c). */
static const char **guest_env(brk_policy_t *p, size_t *n)
{
    extern char **environ;
    size_t cap = 0;
    for (char **e = environ; *e; e++)
        cap++;
    const char **out = calloc(cap + 1, sizeof *out);
    if (!out)
        lch_die("out of memory");
    *n = 0;
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || eq == *e || (size_t)(eq - *e) >= 256)
            continue;
        char name[256];
        memcpy(name, *e, (size_t)(eq - *e));
        name[eq - *e] = '\0';
        if (brk_allows(p, BRK_ENV, name) && !(out[(*n)++] = strdup(*e)))
            lch_die("out of memory");
    }
    return out;
}

/* ---- the guest (inside the sandbox) ----------------------------------------- */

typedef struct {
    br_config_t *cfg;
    uint64_t timeout_ms;
    uint64_t denials_before; /* the broker's refusals before the guest (its environment) */
    uint64_t denials_before_in[BRK_DOMAINS];
    int audit_wr; /* its audit lines go here (the supervisor's relay), or -1 */
    bool run;     /* run.allow grants something: nested guests share audit_wr */
    int job_fd;   /* serve's job socket (launcher/job.h), or -1 */
} guest_t;

/* A serve member's guest, its isolate made: says it is ready, waits for
 * its job and makes cfg run it. Ends the process when the job cannot be
 * had (the server gone, or a malformed job). */
static void take_job(int fd, br_config_t *cfg, lch_job_t *job, uint64_t *timeout_ms)
{
    /* jansson seeds its hash function from /dev/urandom on first use:
     * done here, not on the job's clock */
    json_object_seed(0);
    char ready = LCH_JOB_READY;
    while (write(fd, &ready, 1) < 0)
        if (errno != EINTR)
            _exit(LCH_EXIT_LAUNCHER);
    char *data;
    size_t len;
    int type = lch_frame_read(fd, &data, &len, LCH_JOB_MAX);
    if (type < 0)
        _exit(LCH_EXIT_LAUNCHER); /* the pool is closing: no job for this one */
    char err[160];
    if (type != LCH_JOB_FRAME || lch_job_parse(data, len, cfg->policy, job, err, sizeof err) < 0)
        lch_die("%s", type != LCH_JOB_FRAME ? "job: not a job frame" : err);
    free(data);
    cfg->source = job->code;
    cfg->script = job->file;
    cfg->filename = job->filename;
    cfg->args = (const char *const *)job->argv;
    cfg->nargs = job->argc;
    cfg->env = (const char *const *)job->env;
    cfg->nenv = job->nenv;
    *timeout_ms = job->timeout_ms;
    if (job->id[0]) /* its audit lines carry the request's id from here (the
                     * supervisor's line names it: netd_job_started) */
        brk_set_audit_run(cfg->policy, job->id);
}

/* The job's answer (job.h): its status, whether it ended by itself, the
 * JSON of module.exports or why there is none. Its output is closed
 * first, so the relay tells the server that all of it is through. */
static void send_answer(int fd, br_rt_t *rt, int status, bool ended)
{
    fflush(NULL);
    /* both at once: the relay sees the two ends closed in one wake-up (a
     * second one, while this process ends, can come milliseconds late) */
    if (syscall(SYS_close_range, 1, 2, 0) < 0) {
        close(1);
        close(2);
    }
    const char *why = NULL;
    const char *json = br_rt_result(rt, &why);
    json_t *env = json_pack("{s:i, s:b}", "exit_code", status, "ended", ended);
    if (env && why)
        json_object_set_new(env, "exports_error", json_string(why));
    char *head = env ? json_dumps(env, JSON_COMPACT) : NULL;
    json_decref(env);
    if (!head)
        return;
    size_t hl = strlen(head), jl = json ? strlen(json) : 0;
    char *msg = malloc(hl + 1 + jl);
    if (msg) {
        memcpy(msg, head, hl);
        msg[hl] = '\n';
        if (jl)
            memcpy(msg + hl + 1, json, jl);
        lch_frame_write(fd, LCH_JOB_ANSWER, msg, hl + 1 + jl);
    }
    free(msg);
    free(head);
}

/* After its answer, a job's guest ends once the server shuts the job
 * socket (it has passed the answer on): the end of a process with an
 * isolate takes a core for milliseconds, and the server's answer should
 * not wait behind it. Bounded: an answered sandbox has the server's
 * grace to end, then it is ended (launcher/serve.c). */
#define RELEASE_WAIT_MS 1000

static void wait_release(int fd)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    while (poll(&pf, 1, RELEASE_WAIT_MS) < 0 && errno == EINTR)
        ;
}

/* Runs in the sandbox's guest process, single-threaded until V8 starts. */
static int run_guest(void *arg)
{
    guest_t *g = arg;
    br_config_t cfg = *g->cfg;
    /* the audit log is the supervisor's: this process writes its lines on
     * a pipe the supervisor checks and appends from (it holds no
     * descriptor of the log to rewrite, truncate or forge in) */
    if (g->audit_wr >= 0) {
        FILE *f = fdopen(g->audit_wr, "w");
        if (!f)
            lch_die("--audit: %s", strerror(errno));
        /* nested guests write the same pipe: one write per line */
        if (g->run && setvbuf(f, NULL, _IOLBF, 1 << 16) != 0)
            lch_die("--audit: %s", strerror(errno));
        brk_set_audit(cfg.policy, f);
    }
    /* The host's environment stays readable in this process's memory
     * (/proc/self/environ shows it) unless it is wiped: the guest keeps
     * only the copies the policy let through. */
    extern char **environ;
    for (char **e = environ; e && *e; e++)
        explicit_bzero(*e, strlen(*e));
    clearenv();
    uint64_t timeout_ms = g->timeout_ms;
    char *err = NULL;
    uv_loop_t loop;
    int r = uv_loop_init(&loop);
    if (r < 0)
        lch_die("cannot create the event loop: %s", uv_strerror(r));
    uv_async_t wake;
    if ((r = uv_async_init(&loop, &wake, on_wake)) < 0)
        lch_die("cannot create the event loop: %s", uv_strerror(r));
    uv_unref((uv_handle_t *)&wake);

    /* Set-up is over: V8's platform threads start here. A pooled sandbox
     * (serve) runs without Sparkplug: its baseline compiler works in
     * batches on the JS thread, and the batch that the warm-up in prepare
     * filled was compiled in the job's first millisecond (0.5 ms of a
     * 2 ms run); the interpreter and TurboFan remain. */
    if (vm_platform_init(g->job_fd >= 0 ? "--no-sparkplug" : NULL, 2) < 0)
        lch_die("cannot initialise V8");
    br_rt_t *rt;
    size_t snap_len = (size_t)(lch_snapshot_blob_end - lch_snapshot_blob);
    if (br_rt_new(&loop, &cfg, lch_snapshot_blob, snap_len, &rt, &err) < 0)
        lch_die("%s", err ? err : "cannot create the isolate");
    lch_job_t job = {0};
    watchdog_t wd; /* a serve job's limit is known once it comes */
    if ((g->job_fd >= 0 || timeout_ms) && (r = watchdog_init(&wd, rt, &wake)) < 0)
        lch_die("cannot start the watchdog: %s", strerror(-r));
    if (g->job_fd >= 0) {
        br_rt_prepare(rt);
        take_job(g->job_fd, &cfg, &job, &timeout_ms);
    }
    if (timeout_ms)
        watchdog_arm(&wd, timeout_ms);
    int status = br_rt_run(rt);
    /* the runtime's own limits and the broker's count, for the supervisor
     * (launcher/report.h): a claim on a pipe JS cannot name */
    vm_limit_t lim = br_rt_limit(rt);
    if (g->job_fd >= 0)
        send_answer(g->job_fd, rt, status, lim == VM_LIMIT_NONE || lim == VM_LIMIT_EXIT);
    lch_claim_package(br_rt_missing_package(rt)); /* for the launcher's hint (hint.h) */
    int64_t by[LCH_DENIAL_DOMAINS]; /* the audit log's domains: fs is reads and writes */
    const brk_domain_t doms[LCH_DENIAL_DOMAINS][2] = {
        {BRK_FS_READ, BRK_FS_WRITE}, {BRK_NET, BRK_NET}, {BRK_ENV, BRK_ENV}, {BRK_RUN, BRK_RUN}};
    for (int i = 0; i < LCH_DENIAL_DOMAINS; i++) {
        by[i] = 0;
        for (int j = 0; j < (doms[i][0] == doms[i][1] ? 1 : 2); j++)
            by[i] += (int64_t)(brk_denials_in(cfg.policy, doms[i][j]) -
                               g->denials_before_in[doms[i][j]]);
    }
    lch_claim_denials_by(by);
    lch_claim_send(lim == VM_LIMIT_MEMORY ? LCH_LIMIT_MEMORY
                   : lim == VM_LIMIT_TIME ? LCH_LIMIT_TIME
                                          : LCH_LIMIT_NONE,
                   (int64_t)(brk_denials(cfg.policy) - g->denials_before));
    if (g->job_fd >= 0)
        wait_release(g->job_fd);
    /* The result is known: flush what is buffered (stdio, the audit log)
     * and leave. The isolate's orderly teardown would only delay the exit
     * the supervisor waits for; the kernel reclaims all of it at once. */
    fflush(NULL);
    _exit(status); /* the watchdog thread ends with the process */
}

/* RLIMIT_FSIZE, the OS backstop of the write quota: no file the guest
 * writes grows past the quota, nor past the private /tmp's size (a file
 * there may fill it). The audit log is written by the guest process too:
 * it may grow by BRK_AUDIT_MAX_BYTES in this run (the broker ends the run
 * there, with a last line). 0 (no limit) without a quota. */
static uint64_t fsize_limit(const brk_settings_t *s, FILE *audit)
{
    if (!s->write_bytes)
        return 0;
    uint64_t tmp = (uint64_t)(s->tmpfs_mb ? s->tmpfs_mb : 64) << 20;
    uint64_t lim = s->write_bytes > tmp ? s->write_bytes : tmp;
    struct stat st;
    if (audit && fstat(fileno(audit), &st) == 0 && (uint64_t)st.st_size + BRK_AUDIT_MAX_BYTES > lim)
        lim = (uint64_t)st.st_size + BRK_AUDIT_MAX_BYTES;
    return lim;
}

/* --print-profile: the effective policy in profile syntax, then the text
 * of the seccomp policy it names. */
/* The OS wall's bound on the whole guest, above anything the JS wall lets
 * it reach: the budget and the quarter past it a full GC may find before
 * the run ends, the young generation on top of the budget, its /tmp
 * (tmpfs pages are charged to the cgroup) and what the process needs
 * besides (code, snapshot, stacks, the bridges' threads: about 32 MB). */
static size_t cgroup_memory_mb(size_t budget_mb, size_t tmpfs_mb)
{
    size_t mb = budget_mb + budget_mb / 4 + VM_YOUNG_GEN_MB + tmpfs_mb + 64;
#ifdef __SANITIZE_ADDRESS__
    /* the test build: ASan keeps up to 256 MB of freed memory in
     * quarantine, and its shadow and allocator metadata on top */
    mb += 512;
#endif
    return mb;
}

/* The origin of a settings key for --print-profile: the option that set
 * it, the profile's FILE:LINE, or the built-in default. */
/* tls.extra_ca_certs: the PEM file read as the operator, before the
 * sandbox exists (the guest needs no read grant for it, and the host's
 * other files stay out of its sight): 0 with *out malloc'd, or -errno
 * with *why. Capped at 4 MiB, as a bundle of roots is far smaller. */
static int read_extra_ca(const char *path, char **out, char **why)
{
    enum { CAP = 4 << 20 };
    static char msg[1200];
    *why = msg;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(msg, sizeof msg, "tls.extra_ca_certs: cannot read %s: %s", path, strerror(e));
        return -e;
    }
    char *buf = malloc(CAP + 1);
    size_t n = 0;
    ssize_t r = 0;
    while (buf && n < CAP && (r = read(fd, buf + n, CAP - n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (!buf || r < 0 || n >= CAP) {
        snprintf(msg, sizeof msg, "tls.extra_ca_certs: cannot read %s: %s", path,
                 !buf    ? "out of memory"
                 : r < 0 ? strerror(errno)
                         : "larger than 4 MiB");
        free(buf);
        return -EIO;
    }
    buf[n] = '\0';
    char *fit = realloc(buf, n + 1);
    if (fit)
        buf = fit;
    if (!strstr(buf, "-----BEGIN CERTIFICATE-----")) {
        snprintf(msg, sizeof msg, "tls.extra_ca_certs: %s holds no PEM certificate", path);
        free(buf);
        return -EINVAL;
    }
    *out = buf;
    return 0;
}

static const char *setting_origin(const brk_policy_t *p, const lch_opts_t *o, const char *key)
{
    if (!strcmp(key, "limits.heap_mb") && o->memory_limit_mb)
        return "--memory-limit";
    if (!strcmp(key, "limits.timeout_ms") && o->timeout_ms)
        return "--timeout";
    if (!strcmp(key, "limits.cpu_ms") && o->cpu_ms)
        return "--cpu-time-limit";
    if (!strcmp(key, "limits.write_bytes") && o->write_bytes_set)
        return "--write-limit";
    if (!strcmp(key, "limits.write_files") && o->write_files_set)
        return "--write-files-limit";
    const char *from = brk_setting_origin(p, key);
    return from ? from : "the default (the profile leaves the key out)";
}

/* --print-profile: the effective policy in profile syntax, each value
 * followed by where it came from, then the text of the seccomp policy it
 * names. */
static void print_profile(const brk_policy_t *p, const lch_opts_t *o)
{
    static const struct {
        brk_domain_t d;
        const char *key;
    } keys[] = {{BRK_FS_READ, "fs.read"},
                {BRK_FS_WRITE, "fs.write"},
                {BRK_NET, "net.allow"},
                {BRK_ENV, "env.allow"},
                {BRK_RUN, "run.allow"}};
    static const char *const ns[] = {"user", "mount", "pid", "net", "ipc", "uts", "cgroup"};
    static const char *const net[] = {"none", "loopback", "host"};
    const brk_settings_t *s = brk_settings(p);
    const char *profile = o->profile ? o->profile : "strict";
    bool builtin =
        !strcmp(profile, "strict") || !strcmp(profile, "default") || !strcmp(profile, "dev");
    printf("# the effective policy: profile %s%s and the command line; under each value,\n"
           "# where it came from (an option, the profile's FILE:LINE, or the default)\n",
           profile, builtin ? " (built in)" : "");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        size_t n;
        bool all;
        const char *const *r = brk_path_rules(p, keys[i].d, &n, &all);
        printf("%s = %s", keys[i].key, all ? "*" : "");
        for (size_t k = 0; k < n; k++)
            printf("%s%s", k || all ? "," : "", r[k]);
        putchar('\n');
        const char *ao = brk_all_origin(p, keys[i].d);
        if (all)
            printf("#   * from %s\n", ao ? ao : "?");
        for (size_t k = 0; k < n; k++) {
            const char *ro = brk_rule_origin(p, keys[i].d, k, NULL);
            printf("#   %s from %s\n", r[k], ro ? ro : "?");
        }
    }
#define SETTING_FROM(key) printf("#   from %s\n", setting_origin(p, o, key))
    printf("limits.heap_mb = %zu\n", s->heap_mb);
    SETTING_FROM("limits.heap_mb");
    printf("# memory budget %zu MB, one count: V8 old generation + ArrayBuffer/Buffer stores +\n"
           "# bridge buffers (fs, zlib, crypto) + WebAssembly memories; young generation %d MB "
           "on top\n",
           s->heap_mb, VM_YOUNG_GEN_MB);
    printf("limits.timeout_ms = %" PRIu64 "\n", s->timeout_ms);
    SETTING_FROM("limits.timeout_ms");
    printf("limits.cpu_ms = %" PRIu64 "\n", s->cpu_ms);
    SETTING_FROM("limits.cpu_ms");
    printf("limits.tmpfs_mb = %zu\n", s->tmpfs_mb);
    SETTING_FROM("limits.tmpfs_mb");
    printf("limits.pids = %u\n", s->pids);
    SETTING_FROM("limits.pids");
    printf("limits.fds = %u\n", s->fds);
    SETTING_FROM("limits.fds");
    printf("limits.output_bytes = %" PRIu64 "\n", s->output_bytes);
    SETTING_FROM("limits.output_bytes");
    printf("limits.write_bytes = %" PRIu64 "\n", s->write_bytes);
    SETTING_FROM("limits.write_bytes");
    printf("limits.write_files = %" PRIu64 "\n", s->write_files);
    SETTING_FROM("limits.write_files");
    printf("sandbox.namespaces = ");
    bool first = true;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        if (s->namespaces & (1u << i)) {
            printf("%s%s", first ? "" : ", ", ns[i]);
            first = false;
        }
    putchar('\n');
    SETTING_FROM("sandbox.namespaces");
    const char *policy = s->seccomp[0] ? s->seccomp : "strict";
    printf("sandbox.seccomp = %s\n", policy);
    SETTING_FROM("sandbox.seccomp");
    printf("sandbox.network = %s\n", (unsigned)s->network < 3 ? net[s->network] : "?");
    SETTING_FROM("sandbox.network");
    printf("sandbox.overlay = %s\n", s->overlay_off ? "off" : "on");
    SETTING_FROM("sandbox.overlay");
    printf("tls.extra_ca_certs = %s\n", s->extra_ca_certs);
    SETTING_FROM("tls.extra_ca_certs");
    printf("net.resolvers = %s\n", s->resolvers);
    SETTING_FROM("net.resolvers");
    if (!s->resolvers[0])
        printf("# (none named: the supervisor asks the host's resolvers)\n");
    const struct {
        const char *key;
        uint64_t value;
    } caps[] = {{"crypto.max_scrypt_n", s->crypto_max_scrypt_n},
                {"crypto.max_pbkdf2_iterations", s->crypto_max_pbkdf2_iterations},
                {"crypto.max_prime_bits", s->crypto_max_prime_bits},
                {"crypto.max_modulus_bits",
                 s->max_modulus_bits ? s->max_modulus_bits : BRK_DEFAULT_MAX_MODULUS_BITS}};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        printf("%s = %" PRIu64 "\n", caps[i].key, caps[i].value);
        SETTING_FROM(caps[i].key);
    }
#undef SETTING_FROM
    const char *text = lch_seccomp_policy_text(policy);
    if (!text)
        lch_die("sandbox.seccomp: no seccomp policy named '%s'", policy);
    printf("\n# seccomp policy %s (launcher/seccomp/%s.policy)\n%s", policy, policy, text);
}

/* Whether node would find a main module at host path p: the file or
 * folder itself, or p with one of the extensions it tries. */
static bool script_exists(const char *p)
{
    static const char *const ext[] = {"", ".js", ".json", ".node", ".mjs", ".cjs"};
    char buf[PATH_MAX * 2 + 8];
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        snprintf(buf, sizeof buf, "%s%s", p, ext[i]);
        if (access(buf, F_OK) == 0)
            return true;
    }
    return false;
}

/* ---- the shell ------------------------------------------------------------ */

typedef struct {
    const brk_policy_t *policy;
    const lch_opts_t *opts;
} perms_t;

static void shell_perms(void *arg)
{
    const perms_t *p = arg;
    print_profile(p->policy, p->opts);
    fflush(stdout);
}

static void shell_sigint(void *arg)
{
    netd_job_t *j = arg;
    if (j->shell)
        lch_shell_interrupt(j->shell);
}

static const char *limit_text(char *buf, size_t cap, uint64_t v, const char *unit)
{
    if (!v)
        return "none";
    snprintf(buf, cap, "%" PRIu64 "%s", v, unit);
    return buf;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    /* A descriptor 0, 1 or 2 the invoker closed is /dev/null here: else the
     * first file the launcher opens would take its number and be read or
     * written as the guest's standard input or output. */
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
            return 125;
    /* process.execPath inside a sandbox: a nested guest (nested.h) */
    if (lch_nested_here(argc, argv))
        return lch_nested_main(argc, argv, lch_snapshot_blob,
                               (size_t)(lch_snapshot_blob_end - lch_snapshot_blob));
    if (argc >= 2 && !strcmp(argv[1], "serve")) {
        lch_serve_opts_t so;
        char *serr = NULL;
        if (lch_serve_parse(argc - 1, argv + 1, &so, &serr) < 0)
            lch_die("%s", serr ? serr : "serve: bad command line");
        if (so.help) {
            fputs(lch_serve_usage(), stdout);
            return 0;
        }
        signal(SIGPIPE, SIG_IGN);
        /* the members are runs of this binary, by a path that stays this
         * file whatever the caller's PATH or folder */
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0 || (size_t)n >= sizeof self - 1)
            lch_die("serve: cannot find the launcher's own binary: %s", strerror(errno));
        self[n] = '\0';
        return lch_serve_main(&so, self);
    }
    if (argc >= 2 && !strcmp(argv[1], "check")) {
        bool json = false;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--json"))
                json = true;
            else
                lch_die("check: unknown option '%s' (check [--json])", argv[i]);
        }
        return lch_check(json);
    }
    lch_opts_t opts;
    char *err = NULL;
    if (lch_cli_parse(argc, argv, &opts, &err) < 0)
        lch_die("%s", err ? err : "bad command line");
    if (opts.help) {
        fputs(lch_cli_usage(), stdout);
        return 0;
    }
    if (opts.version) {
        printf("secure-exec-launch %s (V8 %s, Node.js API v22)\n", LCH_VERSION,
               vm_engine_version());
        return 0;
    }
    if (opts.shell && opts.attach) /* no sandbox of its own: serve's job's */
        return lch_shell_attach(opts.server, opts.attach);

    /* A closed reader of our stdout must not kill us (Node ignores SIGPIPE),
     * nor a write past RLIMIT_FSIZE (Node ignores SIGXFSZ: the write fails
     * with EFBIG). The guest inherits both. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);

    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        lch_die("cannot read the current folder: %s", strerror(errno));
    /* The app folder is the guest's cwd; a relative script is the current
     * folder's, as for node. */
    char app[PATH_MAX];
    if (!realpath(opts.app ? opts.app : cwd, app))
        lch_die("--app %s: %s", opts.app ? opts.app : cwd, strerror(errno));
    struct stat ast;
    if (stat(app, &ast) < 0 || !S_ISDIR(ast.st_mode))
        lch_die("--app %s: not a folder", opts.app);
    /* the kernel's and the devices' trees would show the host to the guest
     * read-only at /app: its processes, boot arguments, devices */
    static const char *const kernel_trees[] = {"/proc", "/sys", "/dev"};
    for (size_t i = 0; i < sizeof kernel_trees / sizeof kernel_trees[0]; i++) {
        size_t n = strlen(kernel_trees[i]);
        if (!strncmp(app, kernel_trees[i], n) && (app[n] == '/' || !app[n]))
            lch_die("--app %s: the app folder cannot be in %s", app, kernel_trees[i]);
    }
    if (opts.serve_member) {
        /* started by serve (launcher/serve.c): its sockets are there */
        struct stat cst, jst;
        if (fstat(LCH_MEMBER_CONTROL_FD, &cst) < 0 || !S_ISSOCK(cst.st_mode) ||
            fstat(LCH_MEMBER_JOB_FD, &jst) < 0 || !S_ISSOCK(jst.st_mode))
            lch_die("--serve-member is serve's own: descriptors 3 and 4 must be its sockets");
        fcntl(LCH_MEMBER_CONTROL_FD, F_SETFD, FD_CLOEXEC);
        fcntl(LCH_MEMBER_JOB_FD, F_SETFD, FD_CLOEXEC);
        if (opts.shell_channel) { /* serve --debug: a shell may attach */
            struct stat sst, ist;
            if (fstat(LCH_MEMBER_SHELL_CTL_FD, &sst) < 0 || !S_ISSOCK(sst.st_mode) ||
                fstat(LCH_MEMBER_SHELL_INTR_FD, &ist) < 0 || !S_ISFIFO(ist.st_mode))
                lch_die("--shell-channel is serve's own: descriptors 5 and 6 must be its channel");
            fcntl(LCH_MEMBER_SHELL_CTL_FD, F_SETFD, FD_CLOEXEC);
            fcntl(LCH_MEMBER_SHELL_INTR_FD, F_SETFD, FD_CLOEXEC);
        }
    }
    brk_policy_t *policy = build_policy(&opts, app);
    /* "-": the launcher's stderr, which is the guest's stderr pipe in the
     * guest process (its lines are relayed with the guest's own) */
    bool audit_stderr = opts.audit && !strcmp(opts.audit, "-");
    if (opts.audit && !audit_stderr) {
        /* the guest process writes the log; a log the guest could reach
         * through a write grant it could also replace (checked with
         * --print-profile too: serve checks its --audit so) */
        size_t ngrants;
        bool any;
        const char *const *grants = brk_path_rules(policy, BRK_FS_WRITE, &ngrants, &any);
        char real[PATH_MAX], base[NAME_MAX + 1], aerr[PATH_MAX + 256];
        if (lch_outside_write_grants(opts.audit, "--audit", grants, ngrants, real, base, aerr,
                                     sizeof aerr) < 0)
            lch_die("%s", aerr);
        /* nor read it: the log holds the run's paths and, under serve,
         * every request's (the app folder is the guest's /app) */
        char full[PATH_MAX + NAME_MAX + 2];
        snprintf(full, sizeof full, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
        if (brk_path_covers(app, full))
            lch_die("--audit %s: inside the app folder %s, which the guest reads; choose a path "
                    "outside it",
                    opts.audit, app);
        const char *const *reads = brk_path_rules(policy, BRK_FS_READ, &ngrants, &any);
        for (size_t i = 0; i < ngrants; i++)
            if (strcmp(reads[i], "/tmp") && strcmp(reads[i], "/app") &&
                brk_path_covers(reads[i], full))
                lch_die("--audit %s: inside the read grant %s, where the guest could read the log; "
                        "choose a path outside the read grants",
                        opts.audit, reads[i]);
    }
    /* the programs run.allow names, each made one exact file (run.h) */
    size_t nrun = 0;
    bool run_all = false;
    brk_path_rules(policy, BRK_RUN, &nrun, &run_all);
    if (nrun) {
        const char *path_env =
            !opts.serve_member && brk_allows(policy, BRK_ENV, "PATH") ? getenv("PATH") : NULL;
        char *rerr = NULL;
        if (lch_run_resolve(policy, app, path_env, &rerr) < 0)
            lch_die("%s", rerr ? rerr : "run.allow: out of memory");
        brk_path_rules(policy, BRK_RUN, &nrun, &run_all);
    }
    if (opts.print_profile) {
        print_profile(policy, &opts);
        brk_policy_free(policy);
        return 0;
    }
    FILE *audit = NULL;
    char audit_id[33] = "";
    /* the shell keeps its decisions for .audit: in --audit's file, else in
     * a file of its own in memory */
    char shell_audit[64] = "";
    if (opts.audit || opts.shell) {
        if (!opts.audit) {
            int mfd = memfd_create("secure-exec-shell-audit", MFD_CLOEXEC);
            if (mfd < 0 || !(audit = fdopen(mfd, "a")))
                lch_die("shell: cannot keep the audit lines: %s", strerror(errno));
            snprintf(shell_audit, sizeof shell_audit, "/proc/self/fd/%d", mfd);
        } else if (audit_stderr) {
            audit = stderr;
        } else {
            char aerr[PATH_MAX + 128];
            int afd = lch_audit_open(opts.audit, aerr, sizeof aerr);
            if (afd < 0)
                lch_die("%s", aerr);
            if (!(audit = fdopen(afd, "a")))
                lch_die("--audit %s: %s", opts.audit, strerror(errno));
        }
        brk_set_audit(policy, audit);
        brk_set_audit_stop(policy, audit_stopped, NULL);
        if (!run_id(audit_id, sizeof audit_id) || brk_set_audit_run(policy, audit_id) < 0)
            lch_die("--audit: cannot make the run's id: %s", strerror(errno));
    }
    const brk_settings_t *settings = brk_settings(policy);
    size_t nenv;
    /* a serve job brings its own environment (the server's is not the guest's) */
    const char **env = opts.serve_member ? calloc(1, sizeof *env) : guest_env(policy, &nenv);
    if (!env)
        lch_die("out of memory");
    if (opts.serve_member)
        nenv = 0;
    /* The script as the guest sees it: a relative path is the current
     * folder's (as for node), the app folder is /app. */
    char *script = NULL;
    if (opts.script) {
        char host[PATH_MAX * 2];
        if (opts.script[0] == '/')
            snprintf(host, sizeof host, "%s", opts.script);
        else
            snprintf(host, sizeof host, "%s/%s", cwd, opts.script);
        char norm[PATH_MAX * 2];
        size_t al = strlen(app);
        if (brk_path_normalize(host, norm, sizeof norm) < 0)
            lch_die("%s: path too long", opts.script);
        if (!script_exists(norm))
            lch_die("%s: no such script (%s)", opts.script, norm);
        if (!brk_path_covers(app, norm))
            lch_die("%s: the script must be inside the app folder %s (see --app)", opts.script,
                    app);
        if (asprintf(&script, "/app%s", norm + (al == 1 ? 0 : al)) < 0)
            lch_die("out of memory");
    }
    /* The host's terminal, told to the guest without handing it over:
     * which of the host's 1 and 2 are terminals, the window's size (and
     * each new one, on a pipe the guest reads), Node's colour depth of the
     * host's environment (only the number goes in) */
    lch_tty_t tty;
    extern char **environ;
    lch_tty_probe(&tty, environ);
    if (opts.serve_member) /* its 2 is the server's: no terminal is the job's */
        tty = (lch_tty_t){.fd = -1, .color_depth = 1};
    int resize[2] = {-1, -1};
    if (tty.fd >= 0 && pipe2(resize, O_CLOEXEC) == 0)
        fcntl(resize[1], F_SETFL, O_NONBLOCK); /* the supervisor never waits on the guest */
    br_config_t cfg = {
        .script = script,
        .eval = opts.eval,
        .args = (const char *const *)opts.args,
        .nargs = opts.nargs,
        .exec_path = LCH_GUEST_EXEC_PATH, /* the sandbox shows the launcher there */
        .cwd = "/app",
        .module_root = "/app",
        .heap_limit_mb = opts.memory_limit_mb ? opts.memory_limit_mb : settings->heap_mb,
        .policy = policy,
        .env = env,
        .nenv = nenv,
        .write_bytes = settings->write_bytes,
        .write_files = settings->write_files,
        .private_tmp = "/tmp",
        .host_uid = lch_sandbox_host_uid(),
        .tty = {.stdout_tty = tty.out[0],
                .stderr_tty = tty.out[1],
                .columns = tty.cols,
                .rows = tty.rows,
                .color_depth = tty.color_depth,
                .resize = resize[0] >= 0,
                .resize_fd = resize[0]},
    };
    guest_t g = {.cfg = &cfg,
                 .run = nrun || run_all,
                 .timeout_ms = opts.timeout_ms ? opts.timeout_ms : settings->timeout_ms,
                 .job_fd = opts.serve_member ? LCH_MEMBER_JOB_FD : -1};

    size_t nro = 0, nrw = 0;
    bool all_ro = false, all_rw = false;
    const char *const *ro = brk_path_rules(policy, BRK_FS_READ, &nro, &all_ro);
    const char *const *rw = brk_path_rules(policy, BRK_FS_WRITE, &nrw, &all_rw);
    /* the network: the guest's two channels to the supervisor's broker,
     * the middle process's socket factory, the published host ports */
    lch_netd_fds_t nfds;
    int ne = lch_netd_pairs(&nfds);
    if (ne < 0)
        lch_die("network: cannot make its channel: %s", strerror(-ne));
    lch_publish_t pub[LCH_MAX_PUBLISH];
    for (size_t i = 0; i < opts.npublish; i++) {
        char perr[256];
        if (lch_publish_parse(opts.publish[i], &pub[i], perr, sizeof perr) < 0 ||
            lch_publish_open(&pub[i], perr, sizeof perr) < 0)
            lch_die("%s", perr);
    }
    /* one write quota for the guest and its nested guests: a count they
     * share (bridge.h, quota_fd) */
    cfg.quota_fd = cfg.policy_fd = -1;
    if ((nrun || run_all) && (settings->write_bytes || settings->write_files)) {
        cfg.quota_fd = memfd_create(LCH_QUOTA_MEMFD, MFD_CLOEXEC);
        if (cfg.quota_fd < 0 || ftruncate(cfg.quota_fd, BR_QUOTA_SHARED_SIZE) < 0)
            lch_die("cannot make the write quota's count: %s", strerror(errno));
    }
    /* the policy a nested guest runs under, however it is started
     * (nested.h): sealed before the sandbox exists */
    if (nrun || run_all) {
        char *ptext = brk_policy_text(policy);
        if (!ptext ||
            (cfg.policy_fd = lch_memfd_sealed(LCH_POLICY_MEMFD, ptext, strlen(ptext))) < 0)
            lch_die("cannot keep the run's policy for nested guests: %s",
                    strerror(ptext ? -cfg.policy_fd : ENOMEM));
        free(ptext);
    }
    cfg.net_fd = nfds.guest_async;
    cfg.net_sync_fd = nfds.guest_sync;
    /* what the guest's dns.getServers() shows: the servers the supervisor asks */
    static char dns_servers[512];
    if (lch_netd_dns_servers(settings->resolvers[0] ? settings->resolvers : NULL, dns_servers,
                             sizeof dns_servers) == 0)
        cfg.dns_servers = dns_servers;
    char *extra_ca = NULL;
    if (settings->extra_ca_certs[0]) {
        char *why = NULL;
        if (read_extra_ca(settings->extra_ca_certs, &extra_ca, &why) < 0)
            lch_die("%s", why);
        cfg.extra_ca_pem = extra_ca;
    }
    lch_job_id_t job_id;
    lch_job_id_init(&job_id);
    netd_job_t nj = {.opts = {.policy = policy,
                              .resolvers = settings->resolvers[0] ? settings->resolvers : NULL,
                              .publish = pub,
                              .npublish = opts.npublish,
                              .binds = lch_sandbox_binds,
                              .job = opts.serve_member && audit ? &job_id : NULL},
                     .fds = &nfds,
                     .job = opts.serve_member && audit ? &job_id : NULL};
    /* the guest's audit lines: a pipe to the supervisor's relay */
    lch_audit_relay_t relay = {.rd = -1, .on_fail = audit_relay_failed};
    int give[6] = {nfds.guest_async, nfds.guest_sync, -1, -1, -1, -1};
    size_t ngive = 2;
    int keep[10];
    size_t nkeep = 0;
    keep[nkeep++] = nfds.guest_async;
    keep[nkeep++] = nfds.guest_sync;
    if (g.job_fd >= 0)
        give[ngive++] = keep[nkeep++] = g.job_fd;
    g.audit_wr = -1;
    if (audit) {
        int ap[2];
        if (pipe2(ap, O_CLOEXEC) < 0)
            lch_die("--audit: pipe: %s", strerror(errno));
        relay.rd = ap[0];
        relay.out = fileno(audit);
        snprintf(relay.run, sizeof relay.run, "%s", audit_id);
        relay.job = nj.job;
        g.audit_wr = give[ngive++] = keep[nkeep++] = ap[1];
        nj.audit = &relay;
    }
    if (resize[0] >= 0)
        keep[nkeep++] = resize[0];
    if (cfg.quota_fd > 2)
        keep[nkeep++] = cfg.quota_fd;
    if (cfg.policy_fd > 2)
        keep[nkeep++] = cfg.policy_fd;
    /* the shell's channels: JSON lines (a socket), Ctrl-C (a pipe), the
     * guest's output in frames (relay.h) for the shell's thread */
    lch_shell_t shell = {.ctl = -1, .frames = -1, .intr = -1};
    int shell_frames_wr = -1;
    perms_t perms = {.policy = policy, .opts = &opts};
    char history[PATH_MAX + 64];
    char lim_v[9][32];
    const char *lim_n[9] = {"heap", "timeout", "cpu",         "tmpfs",      "pids",
                            "fds",  "output",  "write bytes", "write files"};
    const char *lim_p[9];
    char banner[160];
    if (opts.shell_channel) { /* serve --debug's: the guest keeps 5 and 6 */
        cfg.shell.on = true;
        cfg.shell.ctl_fd = give[ngive++] = keep[nkeep++] = LCH_MEMBER_SHELL_CTL_FD;
        cfg.shell.intr_fd = give[ngive++] = keep[nkeep++] = LCH_MEMBER_SHELL_INTR_FD;
    }
    if (opts.shell) {
        int cs[2], ip[2], fs[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cs) < 0 ||
            pipe2(ip, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fs) < 0)
            lch_die("shell: %s", strerror(errno));
        shell.ctl = cs[0];
        shell.intr = ip[1];
        shell.frames = fs[1];
        shell_frames_wr = fs[0];
        cfg.shell.on = true;
        cfg.shell.ctl_fd = give[ngive++] = keep[nkeep++] = cs[1];
        cfg.shell.intr_fd = give[ngive++] = keep[nkeep++] = ip[0];
        /* (a terminal's only: a plain REPL keeps none, nor makes its folder) */
        shell.history =
            isatty(0) && isatty(1) && lch_shell_history_path(app, history, sizeof history) ? history
                                                                                           : NULL;
        shell.audit = audit;
        shell.audit_path = shell_audit[0] ? shell_audit : audit_stderr ? NULL : opts.audit;
        shell.run_id = audit_id;
        shell.perms = shell_perms;
        shell.perms_arg = &perms;
        uint64_t lv[9] = {cfg.heap_limit_mb,
                          g.timeout_ms,
                          opts.cpu_ms ? opts.cpu_ms : settings->cpu_ms,
                          settings->tmpfs_mb,
                          settings->pids,
                          settings->fds,
                          settings->output_bytes,
                          opts.write_bytes_set ? opts.write_bytes : settings->write_bytes,
                          opts.write_files_set ? opts.write_files : settings->write_files};
        const char *units[9] = {" MiB", " ms", " ms", " MiB", "", "", " bytes", " bytes", ""};
        for (int i = 0; i < 9; i++)
            lim_p[i] = limit_text(lim_v[i], sizeof lim_v[i], lv[i], units[i]);
        shell.limit_names = lim_n;
        shell.limit_values = lim_p;
        shell.nlimits = 9;
        snprintf(banner, sizeof banner,
                 "secure-exec-launch shell: Node.js v22.14.0 under the %s profile. .help lists the "
                 "operator's commands.",
                 opts.profile ? opts.profile : "strict");
        shell.banner = banner;
        nj.shell = &shell;
    }
    /* the record's file, opened now: a bad path ends the launch before
     * the guest runs; only the supervisor writes it */
    int report_fd = -1;
    lch_report_t report = {0};
    if (opts.report) {
        char rerr[PATH_MAX + 256];
        report_fd = lch_report_open(opts.report, rw, nrw,
                                    audit && !audit_stderr ? fileno(audit) : -1, rerr, sizeof rerr);
        if (report_fd < 0)
            lch_die("%s", rerr);
    }
    g.denials_before = brk_denials(policy);
    for (int d = 0; d < BRK_DOMAINS; d++)
        g.denials_before_in[d] = brk_denials_in(policy, (brk_domain_t)d);
    if (audit && !brk_audit_run(policy, "start",
                                script       ? script
                                : opts.shell ? "[shell]"
                                             : "[eval]",
                                -1))
        lch_die("--audit: cannot write the audit log");
    /* processes: only with Landlock, the wall that decides which files
     * run (the seccomp policy only says whether processes may be made) */
    char **exec_files = NULL;
    size_t nexec = 0;
    if (nrun || run_all) {
        if (lch_landlock_abi() <= 0)
            lch_die(
                "--allow-run: this kernel has no Landlock, which must decide which programs the "
                "guest may start (add landlock to the lsm= boot list); run without run grants");
        if (lch_run_exec_files(policy, app, &exec_files, &nexec) < 0)
            lch_die("out of memory");
    }
    lch_sandbox_t sb = {
        .run = nrun || run_all,
        .exec_files = (const char *const *)exec_files,
        .nexec = nexec,
        .exec_all = run_all,
        .app = app,
        .ro_paths = ro,
        .nro = nro,
        .rw_paths = rw,
        .nrw = nrw,
        .tmpfs_mb = settings->tmpfs_mb,
        .wall_ms = g.timeout_ms,
        .cpu_ms = opts.cpu_ms ? opts.cpu_ms : settings->cpu_ms,
        .fsize_bytes = fsize_limit(settings, audit_stderr ? NULL : audit),
        .pids = settings->pids,
        .fds = settings->fds,
        .memory_mb = cgroup_memory_mb(cfg.heap_limit_mb ? cfg.heap_limit_mb : 128,
                                      settings->tmpfs_mb ? settings->tmpfs_mb : 64),
        .output_bytes = settings->output_bytes,
        .overlay = !settings->overlay_off,
        .seccomp = settings->seccomp[0] ? settings->seccomp : "strict",
        .keep_fds = keep,
        .nkeep = nkeep,
        .budget_mb = cfg.heap_limit_mb ? cfg.heap_limit_mb : 128,
        .report = report_fd >= 0 || opts.serve_member ? &report : NULL,
        .control_fd = opts.serve_member ? LCH_MEMBER_CONTROL_FD : 0,
        .tty_resize = resize[0] >= 0,
        .tty_fd = tty.fd,
        .resize_wr = resize[1],
        .net_factory_fd = nfds.factory_mid,
        .give_fds = give,
        .ngive = ngive,
        .started = start_netd,
        .job_started = netd_job_started,
        .started_arg = &nj,
        .before_seccomp = br_os_take_interfaces,
        .frames_fd = shell_frames_wr,
        .null_stdin = opts.shell,
        .on_sigint = opts.shell ? shell_sigint : NULL,
        .guest_pid = opts.shell ? &shell.guest : NULL,
    };
    /* /proc/self/cmdline inside: process.argv, not the host's command line */
    const char **gargv = calloc(opts.nargs + 2, sizeof *gargv);
    if (!gargv)
        lch_die("out of memory");
    gargv[sb.argc++] = LCH_GUEST_EXEC_PATH;
    if (script)
        gargv[sb.argc++] = script;
    for (size_t i = 0; i < opts.nargs; i++)
        gargv[sb.argc++] = opts.args[i];
    sb.argv = gargv;
    char serr[512], rerr[256];
    struct timespec t0, t1;
    size_t nmade;
    made_file_t *made = ensure_write_grants(policy, &nmade);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = lch_sandbox_run(&sb, run_guest, &g, serr, sizeof serr);
    /* the sandbox held (and closed) the guest's ends and the factory's */
    nfds.guest_async = nfds.guest_sync = nfds.factory_mid = -1;
    lch_netd_stop(nj.d);
    lch_netd_pairs_close(&nfds);
    if (opts.shell) { /* the guest is gone: its channel and output end */
        close(shell_frames_wr);
        lch_shell_join(&shell);
        close(shell.ctl);
        close(shell.frames);
        close(shell.intr);
    }
    if (nj.audit_started) /* the guest's end is closed: the relay ends */
        pthread_join(nj.audit_thread, NULL);
    else if (relay.rd >= 0)
        close(relay.rd);
    lch_job_id_destroy(&job_id);
    if (relay.failed && status >= 0) {
        status = -1;
        snprintf(serr, sizeof serr,
                 "--audit: cannot append the guest's decisions to the log (the disk is full, or a "
                 "write failed): the run was ended");
    }
    if (relay.dropped) {
        char why[96];
        snprintf(why, sizeof why, "%" PRIu64 " lines from the guest that were not its own",
                 relay.dropped);
        brk_audit_run(policy, "dropped", why, -1);
    }
    for (size_t i = 0; i < opts.npublish; i++)
        if (pub[i].fd >= 0)
            close(pub[i].fd);
    remove_untouched(made, nmade);
    free(gargv);
    lch_run_files_free(exec_files, nexec);
    for (int i = 0; i < 2; i++)
        if (resize[i] >= 0)
            close(resize[i]);
    if (status < 0 && (report_fd >= 0 || opts.serve_member)) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        lch_facts_t f = {.setup_failed = true,
                         .status = LCH_EXIT_LAUNCHER,
                         .wait_status = -1,
                         .cpu_ms = -1,
                         .peak_bytes = -1,
                         .error = serr,
                         .duration_ms = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000 +
                                                   (t1.tv_nsec - t0.tv_nsec) / 1000000)};
        lch_report_decide(&report, &f);
    }
    if (report_fd >= 0 && lch_report_write(report_fd, &report, LCH_VERSION, rerr, sizeof rerr) < 0)
        fprintf(stderr, "secure-exec-launch: %s\n", rerr);
    if (opts.serve_member) {
        /* the run's record, last on the control socket (after every frame
         * of output: the relay has finished) */
        char *json = lch_report_json(&report, LCH_VERSION);
        if (json)
            lch_frame_write(LCH_MEMBER_CONTROL_FD, LCH_FRAME_REPORT, json, strlen(json));
        free(json);
    }
    /* the run's last line: the supervisor's, once the guest is gone (its
     * own lines all written before); best effort, the status is known */
    if (audit)
        brk_audit_run(policy, "end", "", status < 0 ? LCH_EXIT_LAUNCHER : status);
    if (status < 0)
        lch_die("%s", serr);
    free(script);
    free(extra_ca);
    for (size_t i = 0; i < nenv; i++)
        free((char *)env[i]);
    free(env);
    brk_policy_free(policy);
    if (audit)
        fclose(audit);
    fflush(NULL);
#ifndef __SANITIZE_ADDRESS__
    /* Not exit(): that runs libnode's static destructors (its option
     * parsers, V8's tables), a few hundred microseconds of a core per run
     * (a third of a serve job's supervisor) that free nothing the kernel
     * does not. The test build returns, so that LeakSanitizer still looks. */
    _exit(status);
#endif
    return status;
}
