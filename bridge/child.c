/*
 * bridge/child.c — child processes for child_process (Node's process and
 * spawn_sync wraps) over libuv's uv_spawn.
 *
 * Every program is decided before it runs: the file the guest names is
 * found as execvp would (on the child's PATH, relative to its cwd), made
 * canonical, and the broker matches that path against the run rules (one
 * canonical path each: the launcher resolved them at start). What runs is
 * that canonical path, with the argv[0] the guest gave. The OS wall
 * decides the same on its own: Landlock grants the execute right on
 * exactly those files, and the seccomp policy makes processes only when
 * the profile grants run (launcher/seccomp/).
 *
 * A shell form (exec, `shell: true`) with the shell not granted runs the
 * program of its command line directly when the line is one simple
 * command (brk_shell_words), else it is refused and nothing runs.
 *
 * The launcher as the guest sees it (process.execPath) is a nested guest:
 * the same binary in the same walls, under the run's policy (the
 * launcher's sealed memfd every process of the run inherits; nested.h).
 *
 * Every pid this process spawned is in one process-wide list until its
 * loop has waited for it; the guest that is pid 1 of the sandbox also
 * waits for the orphans the kernel gives it (a child's children), so the
 * pids limit is never spent on zombies — never for a pid in the list,
 * whose status belongs to the loop that spawned it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker.h"
#include "internal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* sh's command line (sh -c LINE) at most; a longer one is E2BIG. */
#define CMD_MAX (1u << 20)

/* ---- the pids this process spawned ------------------------------------ */

static pthread_mutex_t pids_mu = PTHREAD_MUTEX_INITIALIZER;
static pid_t *pids;
static size_t npids, cappids;

/* under pids_mu */
static int pids_add(pid_t pid)
{
    if (npids == cappids) {
        size_t n = cappids ? 2 * cappids : 16;
        pid_t *np = realloc(pids, n * sizeof *np);
        if (!np)
            return -ENOMEM;
        pids = np;
        cappids = n;
    }
    pids[npids++] = pid;
    return 0;
}

static void pids_remove(pid_t pid)
{
    pthread_mutex_lock(&pids_mu);
    for (size_t i = 0; i < npids; i++)
        if (pids[i] == pid) {
            pids[i] = pids[--npids];
            break;
        }
    pthread_mutex_unlock(&pids_mu);
}

static bool pids_has(pid_t pid)
{
    bool found = false;
    pthread_mutex_lock(&pids_mu);
    for (size_t i = 0; i < npids && !found; i++)
        found = pids[i] == pid;
    pthread_mutex_unlock(&pids_mu);
    return found;
}

/* The parent of pid from /proc (0 when it cannot be read). */
static pid_t parent_of(pid_t pid)
{
    char path[48], line[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, line, sizeof line - 1);
    close(fd);
    if (n <= 0)
        return 0;
    line[n] = '\0';
    /* "pid (comm) state ppid ...": comm may hold anything but ends at the last ')' */
    char *p = strrchr(line, ')');
    int ppid = 0;
    char state;
    return p && sscanf(p + 1, " %c %d", &state, &ppid) == 2 ? (pid_t)ppid : 0;
}

bool br__child_owned(long pid)
{
    if (pid <= 0 || pid > INT32_MAX)
        return false;
    if (pids_has((pid_t)pid))
        return true;
    /* a descendant: its parents lead here (orphans are pid 1's) */
    pid_t self = getpid(), p = (pid_t)pid;
    for (int depth = 0; depth < 64 && p > 1; depth++) {
        p = parent_of(p);
        if (p == self)
            return true;
    }
    return false;
}

static pid_t parent_of(pid_t pid);

/* The children from every process's parent (/proc/N/stat): where the
 * task folder is masked, as the guest's own is (launcher/sandbox.c). */
static void each_child_by_parent(void (*fn)(pid_t pid, void *arg), void *arg)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    pid_t self = getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || pid <= 0 || pid > INT32_MAX || pid == self)
            continue;
        if (parent_of((pid_t)pid) == self)
            fn((pid_t)pid, arg);
    }
    closedir(d);
}

void br_each_child(void (*fn)(pid_t pid, void *arg), void *arg)
{
    DIR *tasks = opendir("/proc/self/task");
    if (!tasks)
        return;
    struct dirent *t;
    bool any = false;
    while ((t = readdir(tasks))) {
        if (t->d_name[0] == '.')
            continue;
        any = true;
        char path[64], list[4096];
        snprintf(path, sizeof path, "/proc/self/task/%.20s/children", t->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, list, sizeof list - 1);
        close(fd);
        if (n <= 0)
            continue;
        list[n] = '\0';
        char *cut = n == (ssize_t)sizeof list - 1 ? strrchr(list, ' ') : NULL;
        if (cut) /* the last pid may be cut short: the next call reads it */
            *cut = '\0';
        char *save = NULL;
        for (char *tok = strtok_r(list, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
            long pid = strtol(tok, NULL, 10);
            if (pid > 0 && pid <= INT32_MAX)
                fn((pid_t)pid, arg);
        }
    }
    closedir(tasks);
    if (!any) /* no task folder to read: the guest's is masked */
        each_child_by_parent(fn, arg);
}

static void reap_orphan(pid_t pid, void *arg)
{
    (void)arg;
    /* under pids_mu: a pid in the list is its loop's to wait for */
    for (size_t i = 0; i < npids; i++)
        if (pids[i] == pid)
            return;
    (void)waitpid(pid, NULL, WNOHANG);
}

static uv_signal_t reaper;
static bool reaper_on;

static void on_sigchld(uv_signal_t *h, int signum)
{
    (void)h;
    (void)signum;
    pthread_mutex_lock(&pids_mu);
    br_each_child(reap_orphan, NULL);
    pthread_mutex_unlock(&pids_mu);
}

/* The reaper is the main runtime's (its loop lives as long as the
 * process): started with it when processes are granted. */
static void reaper_start(br_rt_t *rt)
{
    if (reaper_on || getpid() != 1 || rt->self)
        return;
    if (uv_signal_init(rt->loop, &reaper) == 0) {
        if (uv_signal_start(&reaper, on_sigchld, SIGCHLD) == 0) {
            uv_unref((uv_handle_t *)&reaper);
            reaper_on = true;
        } else {
            uv_close((uv_handle_t *)&reaper, NULL);
        }
    }
}

/* ---- the program: found, decided ---------------------------------------- */

typedef struct {
    char **argv; /* NULL-terminated; argv[0] as the guest gave it */
    size_t argc;
    char **env;
    char *cwd;
    char path[PATH_MAX]; /* the canonical program */
    bool nested;         /* the launcher: a nested guest */
    char **words;        /* a simple command's (brk_shell_words), owns argv then */
} prog_t;

static void prog_free(prog_t *pg)
{
    if (pg->words) {
        brk_shell_words_free(pg->words);
    } else {
        for (size_t i = 0; pg->argv && pg->argv[i]; i++)
            free(pg->argv[i]);
        free(pg->argv);
    }
    for (size_t i = 0; pg->env && pg->env[i]; i++)
        free(pg->env[i]);
    free(pg->env);
    free(pg->cwd);
    memset(pg, 0, sizeof *pg);
}

/* Items joined by JS with a NUL after each ("a\0b\0"): a NULL-terminated
 * array of copies. */
static char **split0(const char *s, size_t len, size_t *n)
{
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        k += s[i] == '\0';
    char **out = calloc(k + 1, sizeof *out);
    if (!out)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < k; i++) {
        size_t l = strlen(s + at);
        if (!(out[i] = strdup(s + at))) {
            for (size_t j = 0; j < i; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
        at += l + 1;
    }
    *n = k;
    return out;
}

/* The candidate for file in the PATH entry at p (up to the next ':'; an
 * empty one is cwd) into cand: false when it does not fit. */
static bool path_entry(const char *p, const char *file, const char *cwd, char cand[PATH_MAX])
{
    size_t n = strcspn(p, ":");
    int w = n ? snprintf(cand, PATH_MAX, "%.*s/%s", (int)n, p, file)
              : snprintf(cand, PATH_MAX, "%s/%s", cwd, file);
    return w > 0 && w < PATH_MAX;
}

/* One place looked in: made canonical once (canon), then looked at there
 * with no symlink followed (br__stat_canonical), so what is found and
 * whether the guest may know of the place are decided on the same path,
 * even while a folder of the guest's is swapped for a symlink. *known
 * (when given) turns false if the guest may not know of the place: see
 * find_program. 0 for a runnable file, else -errno as execvp's. */
static int look_at(const char *cand, const char *cwd, char canon[PATH_MAX],
                   const brk_policy_t *policy, bool *known)
{
    int e = br__path_canon(cand, cwd, canon, PATH_MAX);
    if (known && policy &&
        (e < 0 || !(brk_allows(policy, BRK_RUN, canon) || br__may_know(policy, canon))))
        *known = false;
    if (e < 0)
        return e;
    struct stat st;
    e = br__stat_canonical(canon, &st);
    if (e < 0)
        return e;
    return S_ISREG(st.st_mode) && (st.st_mode & 0111) ? 0 : -EACCES;
}

/* file found as execvp finds it, made canonical into out: 0 or -errno.
 * With a policy and known, *known tells whether a failure tells the guest
 * only what it may know of each place looked in (br__may_know, or a run
 * grant covering it); else the failure is answered as a refusal, as a
 * found program the broker refuses is, so spawn is no existence oracle
 * for what the sandbox shows without granting. */
static int find_program(const char *file, const char *path_env, const char *cwd, char *out,
                        const brk_policy_t *policy, bool *known)
{
    char cand[PATH_MAX];
    int why = -ENOENT;
    if (known)
        *known = true;
    if (!*file)
        return -ENOENT;
    if (strchr(file, '/'))
        return look_at(file, cwd, out, policy, known);
    for (const char *p = path_env ? path_env : BR_DEFAULT_PATH;; p = strchr(p, ':') + 1) {
        if (path_entry(p, file, cwd, cand)) {
            int this_why = look_at(cand, cwd, out, policy, known);
            if (this_why == 0)
                return 0;
            if (this_why == -EACCES)
                why = -EACCES; /* as execvp: EACCES if one was found and not runnable */
        }
        if (!strchr(p, ':'))
            break;
    }
    return why;
}

static const char *env_get(char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; env && env[i]; i++)
        if (!strncmp(env[i], name, n) && env[i][n] == '=')
            return env[i] + n + 1;
    return NULL;
}

static void throw_denied(vm_call_t *c, const char *given, const char *canon, bool nested)
{
    br_rt_t *rt = br__rt(c);
    char abs[PATH_MAX];
    /* never the target of a link the guest may not read (path.c) */
    if (!nested && rt->policy && strcmp(given, canon) &&
        (!strchr(given, '/') || (br__path_lexical(given, rt->cwd, abs, sizeof abs) == 0 &&
                                 !br__links_readable(rt->policy, abs))))
        canon = given;
    const char *grant = nested ? "node" : strchr(given, '/') ? canon : given;
    vm_throwf(c, "Error", "ERR_ACCESS_DENIED",
              "Access to this API has been restricted: spawn %s (not granted: run with "
              "--allow-run=%s)",
              canon, grant);
}

/* Whether canon is the launcher as the guest sees it (process.execPath:
 * a canonical path already, the file the sandbox binds there). */
static bool is_launcher(br_rt_t *rt, const char *canon)
{
    return rt->cfg->exec_path && !strcmp(rt->cfg->exec_path, canon);
}

enum { F_DETACHED = 1, F_SHELL = 2 };

static void throw_shell_denied(vm_call_t *c, const char *line, const char *why)
{
    vm_throwf(c, "Error", "ERR_ACCESS_DENIED",
              "Access to this API has been restricted: spawn of the command line '%.200s%s' "
              "needs a shell: it has %s (not granted: run with --allow-run=sh; without it "
              "a command line runs only as one simple command of a granted program)",
              line, strlen(line) > 200 ? "..." : "", why);
}

/* Arguments i..i+4 (file, args, env, cwd, flags) read and decided into pg:
 * 0 ready to run, 1 thrown, a negative errno for a spawn that fails as
 * Node's does (ENOENT: no such program; reported by JS). */
static int prepare(vm_call_t *c, int i, prog_t *pg, unsigned *flags)
{
    br_rt_t *rt = br__rt(c);
    memset(pg, 0, sizeof *pg);
    if (vm_arg_type(c, i) != VM_T_STRING || vm_arg_type(c, i + 1) != VM_T_STRING ||
        vm_arg_type(c, i + 2) != VM_T_STRING) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "spawn: file, args and env are strings");
        return 1;
    }
    size_t flen = 0, alen = 0, elen = 0;
    char *file = vm_arg_str(c, i, &flen);
    char *args = vm_arg_str(c, i + 1, &alen);
    char *env = vm_arg_str(c, i + 2, &elen);
    int r = 0;
    if (!file || !args || !env) {
        vm_throw_alloc_failed(c);
        r = 1;
        goto out;
    }
    if (strlen(file) != flen || alen > CMD_MAX * 2 || elen > CMD_MAX * 2) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE",
                  "spawn: a program name without null bytes and arguments under 2 MiB");
        r = 1;
        goto out;
    }
    *flags = (unsigned)vm_arg_int(c, i + 4);
    pg->argv = split0(args, alen, &pg->argc);
    size_t nenv = 0;
    pg->env = split0(env, elen, &nenv);
    if (vm_arg_type(c, i + 3) == VM_T_STRING) {
        size_t clen;
        pg->cwd = vm_arg_str(c, i + 3, &clen);
        if (pg->cwd && strlen(pg->cwd) != clen) {
            vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "spawn: cwd has a null byte");
            r = 1;
            goto out;
        }
    } else {
        pg->cwd = strdup(br__rt(c)->cwd);
    }
    if (!pg->argv || !pg->env || !pg->cwd) {
        vm_throw_alloc_failed(c);
        r = 1;
        goto out;
    }
    if (pg->argc == 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "spawn: no argv[0]");
        r = 1;
        goto out;
    }
    const char *path_env = env_get(pg->env, "PATH");
    const char *prog = file;
    if (*flags & F_SHELL) {
        /* [shell, "-c", line]: the shell when it is granted, else the
         * line's one simple command */
        char sh[PATH_MAX];
        bool granted = find_program(file, path_env, pg->cwd, sh, NULL, NULL) == 0 &&
                       (!rt->policy || brk_allows(rt->policy, BRK_RUN, sh));
        if (!granted) {
            if (pg->argc != 3 || strcmp(pg->argv[1], "-c")) {
                throw_shell_denied(c, file, "arguments other than -c LINE");
                r = 1;
                goto out;
            }
            char **words;
            size_t nw;
            const char *why = NULL;
            if (brk_shell_words(pg->argv[2], &words, &nw, &why) < 0) {
                /* a decision on the shell: audited and counted as refused */
                if (rt->policy)
                    brk_decide(rt->policy, BRK_RUN, "spawn", sh[0] == '/' ? sh : file, NULL);
                throw_shell_denied(c, pg->argv[2], why ? why : "more than one simple command");
                r = 1;
                goto out;
            }
            for (size_t k = 0; pg->argv[k]; k++)
                free(pg->argv[k]);
            free(pg->argv);
            pg->argv = pg->words = words;
            pg->argc = nw;
            prog = words[0];
        }
    }
    /* `node` is the nested guest, as the run grant names it (run.h) */
    bool known;
    r = find_program(!strcmp(prog, "node") && rt->cfg->exec_path ? rt->cfg->exec_path : prog,
                     path_env, pg->cwd, pg->path, rt->policy, &known);
    if (r < 0 && !known) {
        brk_decide(rt->policy, BRK_RUN, "spawn", prog, NULL);
        throw_denied(c, prog, prog, false);
        r = 1;
    }
    if (r < 0 || r == 1)
        goto out;
    pg->nested = is_launcher(rt, pg->path);
    if (rt->policy && brk_decide(rt->policy, BRK_RUN, "spawn", pg->path, NULL) < 0) {
        throw_denied(c, prog, pg->path, pg->nested);
        r = 1;
    }
out:
    free(file);
    free(args);
    free(env);
    return r;
}

/* ---- stdio ------------------------------------------------------------------ */

#define STDIO_MAX 256

typedef struct {
    uv_stdio_container_t box[STDIO_MAX + 2];
    int parent[STDIO_MAX]; /* our end of a pipe ('p', 'c'), else -1 */
    int child[STDIO_MAX];  /* its end (closed here once it runs), else -1 */
    int n;
    int ipc; /* the index of its IPC channel, -1 none */
} stdio_t;

static void stdio_close(stdio_t *io, bool parent_too)
{
    for (int k = 0; k < io->n; k++) {
        if (io->child[k] >= 0)
            close(io->child[k]);
        io->child[k] = -1;
        if (parent_too && io->parent[k] >= 0)
            close(io->parent[k]);
        if (parent_too)
            io->parent[k] = -1;
    }
}

/* spec: one token per child fd, comma-separated: i (ignore), p (pipe),
 * c (IPC channel), fN (the guest's descriptor N), s (the stream handle
 * that is argument h0 + index). 0, 1 thrown. */
static int stdio_parse(vm_call_t *c, int spec_arg, int h0, stdio_t *io)
{
    br_rt_t *rt = br__rt(c);
    io->n = 0;
    io->ipc = -1;
    size_t len;
    char *spec = vm_arg_type(c, spec_arg) == VM_T_STRING ? vm_arg_str(c, spec_arg, &len) : NULL;
    if (!spec) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "spawn: stdio is a string");
        return 1;
    }
    int r = 0;
    char *save = NULL;
    for (char *t = strtok_r(spec, ",", &save); t && !r; t = strtok_r(NULL, ",", &save)) {
        int k = io->n;
        if (k == STDIO_MAX) {
            vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "spawn: more than %d stdio entries",
                      STDIO_MAX);
            r = 1;
            break;
        }
        io->parent[k] = io->child[k] = -1;
        uv_stdio_container_t *b = &io->box[k];
        if (!strcmp(t, "i")) {
            b->flags = UV_IGNORE;
        } else if (!strcmp(t, "p") || !strcmp(t, "c")) {
            int sv[2];
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                br__throw_errno(c, -errno, "socketpair", NULL, NULL);
                r = 1;
                break;
            }
            io->parent[k] = sv[0];
            io->child[k] = sv[1];
            b->flags = UV_INHERIT_FD;
            b->data.fd = sv[1];
            if (t[0] == 'c') {
                if (io->ipc >= 0) {
                    vm_throwf(c, "Error", "ERR_IPC_ONE_PIPE",
                              "Child process can have only one IPC pipe");
                    r = 1;
                }
                io->ipc = k;
            }
        } else if (t[0] == 'f') {
            char *end;
            long fd = strtol(t + 1, &end, 10);
            if (*end || end == t + 1 || !br__fd_owned(rt, fd)) {
                br__throw_errno(c, -EBADF, "spawn", NULL, NULL);
                r = 1;
                break;
            }
            /* the quota counts the guest's own writes: a child writing to
             * such a file would write past it */
            if (br__fd_counted(rt, fd)) {
                vm_throwf(c, "Error", "ERR_ACCESS_DENIED",
                          "Access to this API has been restricted: descriptor %ld is a file "
                          "in a write grant the write quota counts, which a child's writes "
                          "would not be counted in (give the child a pipe and write what it "
                          "prints yourself)",
                          fd);
                r = 1;
                break;
            }
            b->flags = UV_INHERIT_FD;
            b->data.fd = (int)fd;
        } else if (!strcmp(t, "s")) {
            int fd = br__net_fd(c, h0 + k);
            if (fd < 0) {
                vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                          "spawn: stdio %d is no open stream", k);
                r = 1;
                break;
            }
            b->flags = UV_INHERIT_FD;
            b->data.fd = fd;
        } else {
            vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "spawn: unknown stdio '%.16s'", t);
            r = 1;
            break;
        }
        io->n++;
    }
    free(spec);
    if (r)
        stdio_close(io, true);
    return r;
}

/* A nested guest's argv: --se-nested=IPC_FD,AUDIT_FD,RUN after its
 * argv[0] (-1: none). Its policy and the run's write quota are the
 * launcher's sealed memfds, found by the nested guest itself
 * (launcher/nested.h); the policy's is also put right after the stdio
 * entries, where no entry can have taken its number. The containers
 * added, or -errno. */
static int nested_argv(br_rt_t *rt, prog_t *pg, stdio_t *io, char ***argv_out, char *marker,
                       size_t cap)
{
    int n = io->n, audit_fd = -1;
    if (rt->cfg->policy_fd > 2) {
        io->box[n].flags = UV_INHERIT_FD;
        io->box[n].data.fd = rt->cfg->policy_fd;
        n++;
    }
    FILE *audit = rt->policy ? brk_audit_stream(rt->policy) : NULL;
    if (audit) {
        fflush(audit);
        io->box[n].flags = UV_INHERIT_FD;
        io->box[n].data.fd = fileno(audit);
        audit_fd = n++;
    }
    snprintf(marker, cap, "--se-nested=%d,%d,%s", io->ipc, audit_fd,
             rt->policy ? brk_audit_run_id(rt->policy) : "");
    char **argv = calloc(pg->argc + 2, sizeof *argv);
    if (!argv)
        return -ENOMEM;
    argv[0] = pg->argv[0];
    argv[1] = marker;
    for (size_t a = 1; a < pg->argc; a++)
        argv[a + 1] = pg->argv[a];
    *argv_out = argv;
    return n - io->n;
}

/* Everything this process holds is close-on-exec before a child starts
 * (libuv clears it on the child's stdio only): no channel of the
 * supervisor's, no claim pipe, no file of the guest's reaches a child. */
static void cloexec_all(br_rt_t *rt)
{
    (void)syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
    /* but the policy and the write quota's count, which every process of
     * the run inherits: the launcher started by a granted program (a
     * shell) is a nested guest under them (launcher/nested.h) */
    if (rt->cfg->policy_fd > 2)
        fcntl(rt->cfg->policy_fd, F_SETFD, 0);
    if (rt->cfg->quota_fd > 2)
        fcntl(rt->cfg->quota_fd, F_SETFD, 0);
}

/* uv_spawn of pg with io on loop; the pid is in the list from the moment
 * it exists. 0 or -errno. */
static int start(br_rt_t *rt, uv_loop_t *loop, uv_process_t *proc, prog_t *pg, stdio_t *io,
                 unsigned flags, uv_exit_cb on_exit)
{
    char marker[128];
    char **argv = pg->argv;
    int extra = 0;
    if (pg->nested) {
        extra = nested_argv(rt, pg, io, &argv, marker, sizeof marker);
        if (extra < 0)
            return extra;
    }
    uv_process_options_t o = {
        .exit_cb = on_exit,
        .file = pg->path,
        .args = argv,
        .env = pg->env,
        .cwd = pg->cwd,
        .flags = (flags & F_DETACHED) ? UV_PROCESS_DETACHED : 0,
        .stdio_count = io->n + extra,
        .stdio = io->box,
    };
    cloexec_all(rt);
    pthread_mutex_lock(&pids_mu);
    int r = uv_spawn(loop, proc, &o);
    if (r == 0 && pids_add(proc->pid) < 0) {
        uv_process_kill(proc, SIGKILL);
        r = -ENOMEM;
    }
    pthread_mutex_unlock(&pids_mu);
    if (argv != pg->argv)
        free(argv);
    stdio_close(io, false);
    return r;
}

/* ---- spawn: a process handle --------------------------------------------------- */

typedef struct child_box child_box_t;
typedef struct {
    uv_process_t proc;
    br_rt_t *rt;
    child_box_t *box;
    vm_ref_t onexit;
    bool used;   /* spawn was called (one process per handle) */
    bool live;   /* running: kill and ref reach it */
    bool closed; /* the libuv handle is closed (or never opened) */
} child_t;

struct child_box {
    child_t *p;
};

static void child_box_free(void *ptr);
static const vm_handle_type_t child_type = {"Process", child_box_free};

static void child_closed(uv_handle_t *h)
{
    child_t *p = h->data;
    br_rt_t *rt = p->rt;
    rt->handles_open--;
    vm_ref_free(rt->vm, p->onexit);
    p->onexit = 0;
    p->closed = true;
    if (!p->box)
        free(p);
}

static void child_box_free(void *ptr)
{
    child_box_t *b = ptr;
    if (b->p) {
        b->p->box = NULL;
        if (!b->p->used || b->p->closed)
            free(b->p);
    }
    free(b);
}

static void child_exited(uv_process_t *proc, int64_t status, int sig)
{
    child_t *p = proc->data;
    br_rt_t *rt = p->rt;
    pids_remove(proc->pid);
    p->live = false;
    vm_ref_t cb = p->onexit;
    p->onexit = 0;
    if (cb) {
        if (!rt->closing && vm_limit(rt->vm) == VM_LIMIT_NONE) {
            vm_val_t argv[2] = {VM_NUM((double)status), VM_NUM(sig)};
            br__invoke(rt, cb, 2, argv, NULL);
        }
        vm_ref_free(rt->vm, cb);
    }
    uv_close((uv_handle_t *)proc, child_closed);
}

static child_t *child_arg(vm_call_t *c, int i)
{
    child_box_t *b = vm_arg_handle(c, i, &child_type);
    return b ? b->p : NULL;
}

/* processNew() -> a process handle for one spawn */
static void child_new(vm_call_t *c)
{
    child_box_t *b = calloc(1, sizeof *b);
    child_t *p = calloc(1, sizeof *p);
    if (!b || !p) {
        free(b);
        free(p);
        vm_throw_alloc_failed(c);
        return;
    }
    p->rt = br__rt(c);
    p->box = b;
    p->closed = true;
    b->p = p;
    vm_ret_handle(c, &child_type, b);
}

/* spawn(h, file, args, env, cwd, flags, stdio, onexit, ...streams) -> pid
 * | -errno. args and env are NUL-terminated items joined; stdio as
 * stdio_parse; the stream handles are arguments 8 + index: for a 'p' or
 * 'c' entry an unopened net handle that gets our end of the pipe, for an
 * 's' entry the open stream handed to the child. onexit(status, signal). */
static void child_spawn(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    child_t *p = child_arg(c, 0);
    if (!p || p->used) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "spawn: not a fresh process handle");
        return;
    }
    if (vm_arg_type(c, 7) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "spawn: onexit is a function");
        return;
    }
    prog_t pg;
    unsigned flags = 0;
    int r = prepare(c, 1, &pg, &flags);
    if (r == 1) {
        prog_free(&pg);
        return;
    }
    if (r < 0) {
        prog_free(&pg);
        vm_ret_num(c, r);
        return;
    }
    stdio_t io;
    if (stdio_parse(c, 6, 8, &io)) {
        prog_free(&pg);
        return;
    }
    /* the handles that take our ends are checked before anything runs */
    for (int k = 0; k < io.n; k++)
        if (io.parent[k] >= 0 && !br__net_unopened(c, 8 + k)) {
            stdio_close(&io, true);
            prog_free(&pg);
            vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "spawn: stdio %d needs a pipe handle",
                      k);
            return;
        }
    p->used = true;
    p->proc.data = p;
    r = start(rt, rt->loop, &p->proc, &pg, &io, flags, child_exited);
    prog_free(&pg);
    if (r < 0) {
        stdio_close(&io, true);
        vm_ret_num(c, r);
        if (p->proc.type == UV_PROCESS) { /* libuv made the handle: it must be closed */
            p->closed = false;
            rt->handles_open++;
            uv_close((uv_handle_t *)&p->proc, child_closed);
        }
        return;
    }
    p->closed = false;
    p->live = true;
    rt->handles_open++;
    p->onexit = vm_arg_ref(c, 7);
    for (int k = 0; k < io.n; k++)
        if (io.parent[k] >= 0 && br__net_adopt(c, 8 + k, io.parent[k]) < 0) {
            /* our end is gone with the failure: the child sees EOF */
            io.parent[k] = -1;
        }
    vm_ret_num(c, p->proc.pid);
}

/* kill(h, signal) -> 0 | -errno (ESRCH once it has ended) */
static void child_kill(vm_call_t *c)
{
    child_t *p = child_arg(c, 0);
    int64_t sig = vm_arg_int(c, 1);
    if (sig < 0 || sig > 64) {
        vm_ret_num(c, -EINVAL);
        return;
    }
    vm_ret_num(c, p && p->live ? uv_process_kill(&p->proc, (int)sig) : -ESRCH);
}

/* ref(h, on): whether the running child keeps the loop alive */
static void child_ref(vm_call_t *c)
{
    child_t *p = child_arg(c, 0);
    if (p && !p->closed) {
        if (vm_arg_bool(c, 1))
            uv_ref((uv_handle_t *)&p->proc);
        else
            uv_unref((uv_handle_t *)&p->proc);
    }
    vm_ret_undefined(c);
}

/* ---- spawnSync: a loop of its own until the child and its pipes end ---------- */

typedef struct sync_run sync_run_t;
typedef struct {
    uv_pipe_t pipe;
    sync_run_t *run;
    int index;
    bool open;
    uint8_t *buf;
    size_t len, cap;
} sync_io_t;

struct sync_run {
    uv_loop_t loop;
    uv_process_t proc;
    uv_timer_t timer;
    bool timer_on;
    sync_io_t io[STDIO_MAX];
    int nio;
    vm_t *vm;
    size_t reserved; /* output bytes counted in the budget */
    double max_buffer;
    int kill_signal;
    int error; /* 0 or -ETIMEDOUT, -ENOBUFS */
    bool exited, killed;
    int64_t status;
    int signal;
    const uint8_t *input;
    size_t input_len;
    uv_write_t write;
    uv_shutdown_t shut;
};

static void sync_close_io(sync_io_t *x)
{
    if (x->open && !uv_is_closing((uv_handle_t *)&x->pipe))
        uv_close((uv_handle_t *)&x->pipe, NULL);
    x->open = false;
}

static void sync_kill(sync_run_t *r, int error)
{
    if (!r->error)
        r->error = error;
    if (!r->exited && !r->killed) {
        r->killed = true;
        uv_process_kill(&r->proc, r->kill_signal);
    }
}

static void sync_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    (void)hint;
    sync_io_t *x = h->data;
    sync_run_t *r = x->run;
    if (x->cap - x->len < 16384) {
        size_t ncap = x->cap ? x->cap * 2 : 65536;
        if (!vm_reserve(r->vm, ncap - x->cap)) {
            *b = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS */
            return;
        }
        uint8_t *nb = realloc(x->buf, ncap);
        if (!nb) {
            vm_release(r->vm, ncap - x->cap);
            *b = uv_buf_init(NULL, 0);
            return;
        }
        r->reserved += ncap - x->cap;
        x->buf = nb;
        x->cap = ncap;
    }
    *b = uv_buf_init((char *)x->buf + x->len, (unsigned)(x->cap - x->len));
}

static void sync_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    (void)b;
    sync_io_t *x = st->data;
    sync_run_t *r = x->run;
    if (n > 0) {
        x->len += (size_t)n;
        /* past maxBuffer: what was read stays (as Node's, a whole read) */
        if ((double)x->len > r->max_buffer) {
            sync_kill(r, -ENOBUFS);
            sync_close_io(x);
        }
    } else if (n == UV_ENOBUFS) { /* past the memory budget */
        sync_kill(r, -ENOBUFS);
        sync_close_io(x);
    } else if (n < 0) {
        sync_close_io(x);
    }
}

static void sync_exited(uv_process_t *proc, int64_t status, int sig)
{
    sync_run_t *r = proc->data;
    pids_remove(proc->pid);
    r->exited = true;
    r->status = status;
    r->signal = sig;
    uv_close((uv_handle_t *)proc, NULL);
    if (r->timer_on) {
        uv_close((uv_handle_t *)&r->timer, NULL);
        r->timer_on = false;
    }
    /* killed for a limit: what its children still hold open is not waited for */
    if (r->killed)
        for (int k = 0; k < r->nio; k++)
            sync_close_io(&r->io[k]);
}

static void sync_timeout(uv_timer_t *t)
{
    sync_kill(t->data, -ETIMEDOUT);
}

static void sync_written(uv_write_t *w, int status)
{
    (void)status;
    sync_io_t *x = w->data;
    sync_close_io(x);
}

/* spawnSync(file, args, env, cwd, flags, stdio, timeout, killSignal,
 * maxBuffer, input, ...streams) -> [pid, status, signal, error, out...]:
 * status the exit code (null when a signal ended it), signal its number
 * (0 none), error 0 or -errno (ETIMEDOUT, ENOBUFS, or the spawn's), one
 * out per stdio entry: a Uint8Array for a pipe, else null. input (a
 * Uint8Array or undefined) is written to the pipe of fd 0. */
static void child_spawn_sync(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    prog_t pg;
    unsigned flags = 0;
    int pr = prepare(c, 0, &pg, &flags);
    if (pr == 1) {
        prog_free(&pg);
        return;
    }
    sync_run_t *r = calloc(1, sizeof *r);
    if (!r) {
        prog_free(&pg);
        vm_throw_alloc_failed(c);
        return;
    }
    r->vm = rt->vm;
    r->proc.data = r;
    double timeout = vm_arg_num(c, 6);
    int64_t ks = vm_arg_int(c, 7);
    r->kill_signal = ks > 0 && ks <= 64 ? (int)ks : SIGTERM;
    r->max_buffer =
        vm_arg_type(c, 8) == VM_T_NUMBER && vm_arg_num(c, 8) >= 0 ? vm_arg_num(c, 8) : 1024 * 1024;
    uint8_t *input = NULL;
    size_t input_len = 0;
    if (vm_arg_type(c, 9) == VM_T_BYTES)
        vm_arg_bytes(c, 9, &input, &input_len);
    stdio_t io;
    int err = pr;
    bool loop_made = false;
    if (err == 0 && stdio_parse(c, 5, 10, &io)) {
        prog_free(&pg);
        free(r);
        return;
    }
    if (err == 0) {
        err = uv_loop_init(&r->loop);
        loop_made = err == 0;
    }
    if (err == 0) {
        err = start(rt, &r->loop, &r->proc, &pg, &io, flags, sync_exited);
        if (err < 0)
            stdio_close(&io, true);
    }
    prog_free(&pg);
    if (err == 0) {
        r->nio = io.n;
        for (int k = 0; k < io.n; k++) {
            sync_io_t *x = &r->io[k];
            x->run = r;
            x->index = k;
            x->pipe.data = x;
            if (io.parent[k] < 0)
                continue;
            if (uv_pipe_init(&r->loop, &x->pipe, 0) < 0) {
                close(io.parent[k]);
                continue;
            }
            x->open = true;
            if (uv_pipe_open(&x->pipe, io.parent[k]) < 0) {
                close(io.parent[k]);
                sync_close_io(x);
                continue;
            }
            if (k == 0) { /* the child's stdin: the input, then EOF */
                if (input_len) {
                    /* the input is the guest's buffer: nothing runs JS while the loop runs */
                    uv_buf_t b = uv_buf_init((char *)input, (unsigned)input_len);
                    r->write.data = x;
                    if (uv_write(&r->write, (uv_stream_t *)&x->pipe, &b, 1, sync_written) < 0)
                        sync_close_io(x);
                } else {
                    sync_close_io(x);
                }
            } else {
                uv_read_start((uv_stream_t *)&x->pipe, sync_alloc, sync_read);
            }
        }
        if (timeout > 0 && uv_timer_init(&r->loop, &r->timer) == 0) {
            r->timer.data = r;
            r->timer_on = true;
            uv_timer_start(&r->timer, sync_timeout,
                           timeout > 1e12 ? (uint64_t)1e12 : (uint64_t)timeout, 0);
        }
        uv_run(&r->loop, UV_RUN_DEFAULT);
    }
    if (loop_made) {
        uv_run(&r->loop, UV_RUN_DEFAULT); /* close callbacks */
        uv_loop_close(&r->loop);
    }
    /* [pid, status, signal, error, out...] */
    int n = err == 0 ? r->nio : 0;
    vm_val_t *items = calloc((size_t)n + 4, sizeof *items);
    if (!items) {
        for (int k = 0; k < r->nio; k++)
            free(r->io[k].buf);
        vm_release(rt->vm, r->reserved);
        free(r);
        vm_throw_alloc_failed(c);
        return;
    }
    items[0] = err == 0 ? VM_NUM(r->proc.pid) : VM_NUM(0);
    items[1] = err == 0 && !r->signal ? VM_NUM((double)r->status) : (vm_val_t){.type = VM_T_NULL};
    items[2] = VM_NUM(err == 0 ? r->signal : 0);
    items[3] = VM_NUM(err < 0 ? err : r->error);
    vm_release(rt->vm, r->reserved);
    for (int k = 0; k < n; k++) {
        sync_io_t *x = &r->io[k];
        if (io.parent[k] < 0 || k == 0) {
            items[4 + k] = (vm_val_t){.type = VM_T_NULL};
            free(x->buf);
            continue;
        }
        uint8_t *b = x->buf ? x->buf : malloc(1);
        items[4 + k] = VM_BYTES_TAKE(b, x->len);
    }
    vm_ref_t arr = vm_new_array(rt->vm, items, (size_t)n + 4);
    free(items);
    free(r);
    if (!arr) {
        vm_throw_alloc_failed(c);
        return;
    }
    vm_ret_ref(c, arr);
    vm_ref_free(rt->vm, arr);
}

/* ---- the IPC channel of a guest started by fork ------------------------------- */

/* ipcChannel(h) -> true when the channel this guest was started with is
 * now the unopened net handle h (once), else false */
static void child_ipc_channel(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    static int taken;
    int fd = rt->cfg->ipc_fd;
    if (!rt->cfg->ipc || fd < 0 || taken || !br__net_unopened(c, 0)) {
        vm_ret_bool(c, false);
        return;
    }
    taken = 1;
    vm_ret_bool(c, br__net_adopt(c, 0, fd) == 0);
}

void br__child_init(br_rt_t *rt)
{
    if (rt->cfg->policy_fd > 2) /* a run grant */
        reaper_start(rt);
}

void br__child_close(br_rt_t *rt)
{
    if (reaper_on && !rt->self) {
        uv_close((uv_handle_t *)&reaper, NULL);
        reaper_on = false;
    }
}

static const vm_native_t natives[] = {
    {"processNew", child_new, 0, VM_NATIVE_RUN},
    {"spawn", child_spawn, 8, VM_NATIVE_RUN},
    {"kill", child_kill, 2, VM_NATIVE_RUN},
    {"ref", child_ref, 2, VM_NATIVE_RUN},
    {"spawnSync", child_spawn_sync, 10, VM_NATIVE_RUN},
    {"ipcChannel", child_ipc_channel, 1, VM_NATIVE_RUN},
};

const vm_table_t br__child_table = {"childNative", natives, sizeof natives / sizeof natives[0]};
