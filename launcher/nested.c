/*
 * launcher/nested.c — see nested.h.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "../bridge/bridge.h"
#include "nested.h"
#include "report.h"
#include "sandbox.h"

#define EXIT_BAD_OPTION 9
#define POLICY_MAX (1 << 20)

/* Inside a sandbox: a seccomp filter and no_new_privs (a launcher run by
 * hand with the marker would have neither). */
static bool walled(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return false;
    char line[256];
    bool filter = false, nnp = false;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Seccomp:", 8))
            filter = strtol(line + 8, NULL, 10) == 2;
        else if (!strncmp(line, "NoNewPrivs:", 11))
            nnp = strtol(line + 11, NULL, 10) == 1;
    }
    fclose(f);
    return filter && nnp;
}

static int fd_of(const char *s)
{
    long v = strtol(s, NULL, 10);
    return v >= 0 && v < 65536 && fcntl((int)v, F_GETFD) >= 0 ? (int)v : -1;
}

/* node's options that change nothing here, or only what process.execArgv
 * shows; with a value when they end in '=' */
static const char *const quiet_options[] = {
    "--no-warnings",
    "--no-deprecation",
    "--trace-warnings",
    "--trace-deprecation",
    "--throw-deprecation",
    "--pending-deprecation",
    "--trace-uncaught",
    "--enable-source-maps",
    "--preserve-symlinks",
    "--preserve-symlinks-main",
    "--abort-on-uncaught-exception",
    "--expose-gc",
    "--expose_gc",
    "--no-force-async-hooks-checks",
    "--stack-size=",
    "--stack_size=",
    "--max-old-space-size=",
    "--max-semi-space-size=",
    "--unhandled-rejections=",
    "--title=",
    "--disable-warning=",
    "--experimental-",
    "--no-experimental-",
    "--harmony",
};

static bool quiet(const char *a)
{
    for (size_t i = 0; i < sizeof quiet_options / sizeof quiet_options[0]; i++) {
        const char *q = quiet_options[i];
        size_t n = strlen(q);
        bool prefix = q[n - 1] == '=' || q[n - 1] == '-' || !strcmp(q, "--harmony");
        if (prefix ? !strncmp(a, q, n) : !strcmp(a, q))
            return true;
    }
    return false;
}

typedef struct {
    const char *script;
    const char *eval;
    bool print, input_module;
    const char **preload, **exec_argv, **args;
    size_t npreload, nexec_argv, nargs;
} node_cli_t;

/* node's value of an option: "--x=v", or the next word */
static const char *value(int argc, char **argv, int *i, const char *a, size_t n)
{
    if (a[n] == '=')
        return a + n + 1;
    if (a[n])
        return NULL;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int parse(int argc, char **argv, int first, node_cli_t *o)
{
    o->preload = calloc((size_t)argc + 1, sizeof *o->preload);
    o->exec_argv = calloc((size_t)argc + 1, sizeof *o->exec_argv);
    o->args = calloc((size_t)argc + 1, sizeof *o->args);
    if (!o->preload || !o->exec_argv || !o->args)
        lch_die("out of memory");
    int i = first;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || !strcmp(a, "-"))
            break;
        int start = i;
        const char *v;
        if (!strcmp(a, "-e") || !strncmp(a, "--eval", 6) || !strcmp(a, "-p") || !strcmp(a, "-pe") ||
            !strncmp(a, "--print", 7)) {
            bool pr = a[1] == 'p' || !strncmp(a, "--print", 7);
            size_t n = a[1] == '-' ? (pr ? 7 : 6) : strlen(a);
            if ((a[1] == '-' && a[n] && a[n] != '=') || !(v = value(argc, argv, &i, a, n))) {
                fprintf(stderr, "%s: %s requires an argument\n", argv[0], a);
                return EXIT_BAD_OPTION;
            }
            o->eval = v;
            o->print = o->print || pr;
        } else if (!strcmp(a, "-r") || !strncmp(a, "--require", 9)) {
            size_t n = a[1] == '-' ? 9 : 2;
            if ((a[1] == '-' && a[n] && a[n] != '=') || !(v = value(argc, argv, &i, a, n))) {
                fprintf(stderr, "%s: %s requires an argument\n", argv[0], a);
                return EXIT_BAD_OPTION;
            }
            o->preload[o->npreload++] = v;
        } else if (!strncmp(a, "--input-type", 12) && (!a[12] || a[12] == '=')) {
            if (!(v = value(argc, argv, &i, a, 12)) ||
                (strcmp(v, "module") && strcmp(v, "commonjs"))) {
                fprintf(stderr, "%s: --input-type must be \"module\" or \"commonjs\"\n", argv[0]);
                return EXIT_BAD_OPTION;
            }
            o->input_module = !strcmp(v, "module");
        } else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
            puts("v22.14.0");
            exit(0);
        } else if (quiet(a)) {
            /* "--stack-size 100": the value is the next word */
            if (strchr(a, '=') == NULL && a[strlen(a) - 1] != '-' &&
                (!strcmp(a, "--stack-size") || !strcmp(a, "--title")) && i + 1 < argc)
                i++;
        } else {
            fprintf(stderr, "%s: bad option: %s\n", argv[0], a);
            return EXIT_BAD_OPTION;
        }
        for (int k = start; k <= i; k++)
            o->exec_argv[o->nexec_argv++] = argv[k];
    }
    if (!o->eval && i < argc && strcmp(argv[i], "-"))
        o->script = argv[i++];
    else if (!o->eval && i < argc)
        i++; /* "-": the program is stdin */
    for (; i < argc; i++)
        o->args[o->nargs++] = argv[i];
    return 0;
}

/* V8's platform threads of a nested guest: one (each thread is a pid
 * of the run's pids limit) */
#define NESTED_THREADS 1

static void *nothing(void *arg)
{
    return arg;
}

/* Whether n threads can start now (each is joined at once). */
static bool threads_start(int n)
{
    pthread_t t[8];
    int made = 0, e = 0;
    for (; made < n && made < 8; made++)
        if ((e = pthread_create(&t[made], NULL, nothing, NULL)) != 0)
            break;
    for (int i = 0; i < made; i++)
        pthread_join(t[i], NULL);
    errno = e;
    return e == 0;
}

int lch_memfd_sealed(const char *name, const void *data, size_t len)
{
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -errno;
    const char *p = data;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? -errno : -EIO;
            close(fd);
            return e;
        }
        off += (size_t)w;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    return fd;
}

int lch_memfd_find(const char *name, bool sealed)
{
    char want[128];
    snprintf(want, sizeof want, "/memfd:%s (deleted)", name);
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int found = -1;
    struct dirent *e;
    while (found < 0 && (e = readdir(d))) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || fd < 3 || fd == dirfd(d))
            continue;
        char path[64], target[160];
        snprintf(path, sizeof path, "/proc/self/fd/%ld", fd);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (strcmp(target, want))
            continue;
        int seals = fcntl((int)fd, F_GET_SEALS);
        int all = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        if (!sealed || (seals >= 0 && (seals & all) == all))
            found = (int)fd;
    }
    closedir(d);
    return found;
}

bool lch_nested_here(int argc, char **argv)
{
    if (argc >= 2 && !strncmp(argv[1], LCH_NESTED_MARKER, strlen(LCH_NESTED_MARKER)))
        return true;
    /* started inside a sandbox by another program (a granted shell): the
     * run's policy is there */
    return lch_memfd_find(LCH_POLICY_MEMFD, true) >= 0 && walled();
}

int lch_nested_main(int argc, char **argv, const uint8_t *snapshot, size_t snapshot_len)
{
    if (!walled())
        lch_die("%s is the sandbox's own: it starts a nested guest inside a sandbox, never "
                "outside one",
                LCH_NESTED_MARKER);
    /* the marker, when the guest's bridge started this process: its IPC
     * channel, the audit log's pipe, the run's id */
    bool marked = argc >= 2 && !strncmp(argv[1], LCH_NESTED_MARKER, strlen(LCH_NESTED_MARKER));
    int ipc_fd = -1, audit_fd = -1;
    char mark[160], *run = NULL;
    if (marked) {
        snprintf(mark, sizeof mark, "%s", argv[1] + strlen(LCH_NESTED_MARKER));
        char *save = NULL, *f[3] = {NULL, NULL, NULL};
        int nf = 0;
        for (char *t = strtok_r(mark, ",", &save); t && nf < 3; t = strtok_r(NULL, ",", &save))
            f[nf++] = t;
        if (nf < 2)
            lch_die("%s: bad marker", LCH_NESTED_MARKER);
        ipc_fd = fd_of(f[0]);
        audit_fd = fd_of(f[1]);
        run = nf == 3 ? f[2] : NULL;
    } else {
        /* a program started this one: node's own way to a fork's channel */
        const char *ch = getenv("NODE_CHANNEL_FD");
        ipc_fd = ch ? fd_of(ch) : -1;
    }
    /* the run's policy: the launcher's sealed memfd, which nothing in the
     * sandbox can make (memfd_create is refused there) or change (sealed);
     * never a policy a guest or its programs hand over */
    int policy_fd = lch_memfd_find(LCH_POLICY_MEMFD, true);
    if (policy_fd < 0)
        lch_die("no policy: process.execPath starts a nested guest only inside a run with a "
                "run grant");
    struct stat st;
    if (fstat(policy_fd, &st) < 0 || st.st_size <= 0 || st.st_size > POLICY_MAX)
        lch_die("the run's policy: %s", strerror(errno ? errno : EINVAL));
    char *text = malloc((size_t)st.st_size + 1);
    if (!text)
        lch_die("out of memory");
    ssize_t n = pread(policy_fd, text, (size_t)st.st_size, 0);
    if (n != (ssize_t)st.st_size)
        lch_die("the run's policy: a short read");
    size_t len = (size_t)n;
    text[len] = '\0';
    brk_policy_t *policy = brk_policy_new();
    char *err = NULL;
    if (!policy || brk_profile_parse(policy, text, len, "[the run's policy]", &err) < 0)
        lch_die("the run's policy: %s", err ? err : "out of memory");
    free(text);
    if (audit_fd >= 0) {
        fcntl(audit_fd, F_SETFD, FD_CLOEXEC);
        FILE *a = fdopen(audit_fd, "a");
        /* one write per line: the parent and its other children write the
         * same pipe */
        if (a && setvbuf(a, NULL, _IOLBF, 1 << 16) == 0) {
            brk_set_audit(policy, a);
            if (run && run[0])
                brk_set_audit_run(policy, run);
        }
    }
    if (ipc_fd >= 0)
        fcntl(ipc_fd, F_SETFD, FD_CLOEXEC);
    int quota_fd = lch_memfd_find(LCH_QUOTA_MEMFD, false);
    /* its other descriptors above 2 are the stdio entries it was started
     * with (everything else of its parent's was close-on-exec) */
    int inherited[64];
    size_t ninherited = 0;
    for (int fd = 3; fd < 256 && ninherited < sizeof inherited / sizeof inherited[0]; fd++)
        if (fd != policy_fd && fd != quota_fd && fd != audit_fd && fd != ipc_fd &&
            fcntl(fd, F_GETFD) >= 0)
            inherited[ninherited++] = fd;

    node_cli_t cli = {0};
    int r = parse(argc, argv, marked ? 2 : 1, &cli);
    if (r) {
        fflush(NULL);
        _exit(r);
    }
    /* as the launcher's main(): EPIPE and EFBIG, not the signals (libuv
     * gave this process the default actions before its exec) */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        lch_die("cannot read the working folder: %s", strerror(errno));
    char *script = NULL;
    if (cli.script) {
        if (cli.script[0] == '/')
            script = strdup(cli.script);
        else if (asprintf(&script, "%s/%s", strcmp(cwd, "/") ? cwd : "", cli.script) < 0)
            script = NULL;
        if (!script)
            lch_die("out of memory");
    }
    /* the environment is what the parent guest passed: all of it is this
     * guest's own */
    extern char **environ;
    size_t nenv = 0;
    while (environ && environ[nenv])
        nenv++;
    const char **env = calloc(nenv + 1, sizeof *env);
    if (!env)
        lch_die("out of memory");
    for (size_t i = 0; i < nenv; i++)
        if (!(env[i] = strdup(environ[i])))
            lch_die("out of memory");
    const brk_settings_t *s = brk_settings(policy);
    br_config_t cfg = {
        .script = script,
        .eval = cli.eval,
        .args = cli.args,
        .nargs = cli.nargs,
        .exec_path = LCH_GUEST_EXEC_PATH,
        .argv0 = argv[0],
        .cwd = cwd,
        .module_root = "/app",
        .heap_limit_mb = s->heap_mb,
        .policy = policy,
        .env = env,
        .nenv = nenv,
        .write_bytes = s->write_bytes,
        .write_files = s->write_files,
        .private_tmp = "/tmp",
        .quota_fd = quota_fd,
        .policy_fd = policy_fd,
        .net_fd = -1,
        .net_sync_fd = -1,
        .inherited_fds = inherited,
        .ninherited = ninherited,
        .ipc = ipc_fd >= 0,
        .ipc_fd = ipc_fd,
        .print = cli.print,
        .input_module = cli.input_module,
        .stdin_script = !cli.script && !cli.eval,
        .preload = cli.preload,
        .npreload = cli.npreload,
        .exec_argv = cli.exec_argv,
        .nexec_argv = cli.nexec_argv,
        .tty = {.color_depth = 1},
    };
    uv_loop_t loop;
    if ((r = uv_loop_init(&loop)) < 0)
        lch_die("cannot create the event loop: %s", uv_strerror(r));
    /* V8 ends the process when it cannot start its threads: at the pids
     * limit, end here with a clear line instead */
    if (!threads_start(NESTED_THREADS))
        lch_die("cannot start a thread (%s): the run's pids limit is reached", strerror(errno));
    if (vm_platform_init(NULL, NESTED_THREADS) < 0)
        lch_die("cannot initialise V8");
    br_rt_t *rt;
    if (br_rt_new(&loop, &cfg, snapshot, snapshot_len, &rt, &err) < 0)
        lch_die("%s", err ? err : "cannot create the isolate");
    int status = br_rt_run(rt);
    fflush(NULL);
    _exit(status);
}
