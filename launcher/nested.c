/*
 * launcher/nested.c — see nested.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "../bridge/bridge.h"
#include "nested.h"
#include "report.h"
#include "sandbox.h"

#define EXIT_BAD_OPTION 9
#define POLICY_MAX 65536

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

static int parse(int argc, char **argv, node_cli_t *o)
{
    o->preload = calloc((size_t)argc + 1, sizeof *o->preload);
    o->exec_argv = calloc((size_t)argc + 1, sizeof *o->exec_argv);
    o->args = calloc((size_t)argc + 1, sizeof *o->args);
    if (!o->preload || !o->exec_argv || !o->args)
        lch_die("out of memory");
    int i = 2;
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

/* V8's platform threads of a nested guest */
#define NESTED_THREADS 2

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

int lch_nested_main(int argc, char **argv, const uint8_t *snapshot, size_t snapshot_len)
{
    if (!walled())
        lch_die("%s is the sandbox's own: it starts a nested guest inside a sandbox, never "
                "outside one",
                LCH_NESTED_MARKER);
    /* the marker */
    char mark[160];
    snprintf(mark, sizeof mark, "%s", argv[1] + strlen(LCH_NESTED_MARKER));
    char *save = NULL, *f[5] = {NULL, NULL, NULL, NULL, NULL};
    int nf = 0;
    for (char *t = strtok_r(mark, ",", &save); t && nf < 5; t = strtok_r(NULL, ",", &save))
        f[nf++] = t;
    if (nf < 4)
        lch_die("%s: bad marker", LCH_NESTED_MARKER);
    int policy_fd = fd_of(f[0]), ipc_fd = fd_of(f[1]), audit_fd = fd_of(f[2]),
        quota_fd = fd_of(f[3]);
    if (policy_fd < 0)
        lch_die("%s: no policy", LCH_NESTED_MARKER);
    /* the policy comes from the guest that started this process: one
     * message on a SEQPACKET socket it made (child.c), a channel no stdio
     * entry and no granted program's output is; a policy of a guest's
     * own making (a program that starts this binary with the marker) is
     * refused */
    int type = 0, domain = 0;
    struct ucred peer = {0};
    socklen_t tl = sizeof type, dl = sizeof domain, pl = sizeof peer;
    if (getsockopt(policy_fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 ||
        getsockopt(policy_fd, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0 ||
        getsockopt(policy_fd, SOL_SOCKET, SO_PEERCRED, &peer, &pl) < 0 || domain != AF_UNIX ||
        type != SOCK_SEQPACKET || peer.pid != getppid())
        lch_die("%s: the policy must come from the guest that started this one", LCH_NESTED_MARKER);
    char *text = malloc(POLICY_MAX + 1);
    if (!text)
        lch_die("out of memory");
    ssize_t n;
    do
        n = recv(policy_fd, text, POLICY_MAX + 1, MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    close(policy_fd);
    if (n < 0 || n > POLICY_MAX)
        lch_die("%s: no policy", LCH_NESTED_MARKER);
    size_t len = (size_t)n;
    text[len] = '\0';
    brk_policy_t *policy = brk_policy_new();
    char *err = NULL;
    if (!policy || brk_profile_parse(policy, text, len, "[the parent guest's policy]", &err) < 0)
        lch_die("the parent guest's policy: %s", err ? err : "out of memory");
    free(text);
    if (audit_fd >= 0) {
        fcntl(audit_fd, F_SETFD, FD_CLOEXEC);
        FILE *a = fdopen(audit_fd, "a");
        /* one write per line: the parent and its other children write the
         * same pipe */
        if (a && setvbuf(a, NULL, _IOLBF, 1 << 16) == 0) {
            brk_set_audit(policy, a);
            if (nf == 5 && f[4][0])
                brk_set_audit_run(policy, f[4]);
        }
    }
    if (ipc_fd >= 0)
        fcntl(ipc_fd, F_SETFD, FD_CLOEXEC);
    if (quota_fd >= 0)
        fcntl(quota_fd, F_SETFD, FD_CLOEXEC);

    node_cli_t cli = {0};
    int r = parse(argc, argv, &cli);
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
        .net_fd = -1,
        .net_sync_fd = -1,
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
