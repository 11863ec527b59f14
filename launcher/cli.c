/*
 * launcher/cli.c — option parsing. Hand-written rather than getopt_long
 * because the grammar is Node's: options stop at the script, everything
 * after it belongs to the guest, `-e CODE` takes the rest as guest
 * arguments after an optional `--`, and `--opt=value` and `--opt value`
 * are both accepted. getopt_long's permutation and global state fit none of
 * that.
 */
#include "cli.h"

#include "../bridge/broker.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 2, 3))) static int fail(char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(err, fmt, ap);
    va_end(ap);
    if (r < 0)
        *err = NULL;
    return -EINVAL;
}

/* A whole decimal number in [min, max]: digits only, no sign or blank. */
int lch_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)s[0]))
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

const char *lch_cli_usage(void)
{
    return "usage: secure-exec-launch [OPTIONS] [--] SCRIPT [ARGS...]\n"
           "       secure-exec-launch [OPTIONS] -e CODE [--] [ARGS...]\n"
           "       secure-exec-launch check [--json]   which walls this host supports\n"
           "       secure-exec-launch serve --listen ADDR [OPTIONS]   the sidecar (serve --help)\n"
           "       secure-exec-launch shell [OPTIONS]   an interactive REPL inside the same walls\n"
           "       secure-exec-launch shell --attach ID --server unix:PATH   a REPL in a running\n"
           "                              job of serve --debug\n"
           "       secure-exec-launch --version | --help\n"
           "\n"
           "Runs untrusted Node.js code in a V8 isolate whose Node.js modules are\n"
           "bridges to the host.\n"
           "\n"
           "options:\n"
           "  -e, --eval CODE        run CODE as the main module (CommonJS)\n"
           "  --profile NAME|FILE    strict (default), default, dev, or a profile file\n"
           "  --app DIR              the app folder, seen at /app (default: here)\n"
           "  --allow-read[=P,...]   grant fs reads (prefix match on canonical paths)\n"
           "  --allow-write[=P,...]  grant fs writes\n"
           "  --allow-net[=H[:P],..] grant network hosts\n"
           "  --allow-env[=N,...]    pass host variables through (NAME* globs)\n"
           "  --allow-run[=C,...]    allow these programs (node: a nested guest)\n"
           "  --allow-all            every permission domain open\n"
           "  --publish [IP:]HP:GP   the host listens on IP:HP (127.0.0.1 by default) for the\n"
           "                         guest's server on port GP (accept() runs in the guest)\n"
           "  --audit FILE           one JSON line per permission decision, with the run's\n"
           "                         id (64 MiB a run, then exit 125); - for stderr\n"
           "  --report FILE          the supervisor's JSON record of how the run ended\n"
           "  --memory-limit MB      memory budget, at least 24: V8 heap + buffers (exit 137)\n"
           "  --timeout MS           wall-clock limit (exit 124 when exceeded)\n"
           "  --cpu-time-limit MS    CPU-time limit of the guest (exit 124 when exceeded)\n"
           "  --write-limit BYTES    bytes the guest may write into host write grants (EDQUOT)\n"
           "  --write-files-limit N  files and folders it may create there (EDQUOT)\n"
           "  --print-profile        print the effective policy and its seccomp policy, then exit\n"
           "  -h, --help             this text\n"
           "  -v, --version          version of the launcher and its engine\n"
           "\n"
           "exit status: the guest's; 1 on an uncaught exception or unhandled\n"
           "rejection; 124 time or CPU limit; 137 memory limit; 153 output limit\n"
           "(stdout and stderr together); 159 killed by the seccomp policy; 125 the\n"
           "launcher failed (or the audit log is full). A guest may exit 124 or 137\n"
           "itself: --report's \"limit\" says which limit, if any, ended the run.\n";
}

/* Splits "--name=value"; returns the value or NULL, and the name length. */
static const char *split_eq(const char *arg, size_t *namelen)
{
    const char *eq = strchr(arg, '=');
    *namelen = eq ? (size_t)(eq - arg) : strlen(arg);
    return eq ? eq + 1 : NULL;
}

static bool is(const char *arg, size_t n, const char *name)
{
    return strlen(name) == n && !strncmp(arg, name, n);
}

/* Every option name (the --allow-* ones take their value attached only). */
static const char *const known[] = {
    "-e",
    "--eval",
    "--profile",
    "--app",
    "--audit",
    "--report",
    "--memory-limit",
    "--timeout",
    "--cpu-time-limit",
    "--write-limit",
    "--write-files-limit",
    "--allow-read",
    "--allow-write",
    "--allow-net",
    "--allow-env",
    "--allow-run",
    "--allow-all",
    "--publish",
    "--print-profile",
    "--serve-member",
    "--shell-channel",
    "--attach",
    "--server",
    "-h",
    "--help",
    "-v",
    "--version",
};

/* Whether arg is a known option ("--name" or "--name=value"). */
static bool is_option(const char *arg)
{
    size_t n;
    split_eq(arg, &n);
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (is(arg, n, known[k]))
            return true;
    return false;
}

/* Edit distance of a[0..n) and b, at most 3 (the cap: farther is no hint). */
static size_t distance(const char *a, size_t n, const char *b)
{
    size_t m = strlen(b);
    if (n > 64 || m > 64)
        return 3;
    size_t row[65];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m] < 3 ? row[m] : 3;
}

/* The unknown option's message, naming the nearest known one if any. */
static int unknown(char **err, const char *a, size_t n)
{
    const char *near = NULL;
    size_t best = 3;
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        size_t d = strlen(known[k]) > 2 ? distance(a, n, known[k]) : 3;
        if (d < best) {
            best = d;
            near = known[k];
        }
    }
    if (near)
        return fail(err, "unknown option '%.*s' (did you mean %s? see --help)", (int)n, a, near);
    return fail(err, "unknown option '%.*s' (see --help)", (int)n, a);
}

int lch_cli_parse(int argc, char *const *argv, lch_opts_t *o, char **err)
{
    memset(o, 0, sizeof *o);
    *err = NULL;
    int i = 1;
    if (argc >= 2 && !strcmp(argv[1], "shell")) {
        o->shell = true;
        i = 2;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || !a[1])
            break; /* the script */
        size_t n;
        const char *val = split_eq(a, &n);
        if (!is_option(a))
            return unknown(err, a, n);
        static const struct {
            const char *name;
            brk_domain_t d;
        } allow[] = {{"--allow-read", BRK_FS_READ},
                     {"--allow-write", BRK_FS_WRITE},
                     {"--allow-net", BRK_NET},
                     {"--allow-env", BRK_ENV},
                     {"--allow-run", BRK_RUN}};
        int grant = -1;
        for (size_t k = 0; k < sizeof allow / sizeof allow[0]; k++)
            if (is(a, n, allow[k].name))
                grant = (int)k;
        if (grant >= 0) {
            /* the value only ever comes attached: a bare flag grants all */
            if (o->ngrants >= LCH_MAX_GRANTS)
                return fail(err, "more than %d --allow options", LCH_MAX_GRANTS);
            if (val && !*val)
                return fail(err, "option '%s' has an empty list", a);
            o->grants[o->ngrants++] =
                (lch_grant_t){.domain = allow[grant].d, .list = val, .option = a};
            continue;
        }
        bool takes = is(a, n, "-e") || is(a, n, "--eval") || is(a, n, "--memory-limit") ||
                     is(a, n, "--timeout") || is(a, n, "--profile") || is(a, n, "--app") ||
                     is(a, n, "--audit") || is(a, n, "--cpu-time-limit") ||
                     is(a, n, "--write-limit") || is(a, n, "--write-files-limit") ||
                     is(a, n, "--report") || is(a, n, "--publish") || is(a, n, "--attach") ||
                     is(a, n, "--server");
        if (takes && !val) {
            if (i + 1 >= argc)
                return fail(err, "option '%s' needs a value", a);
            /* "--profile -e CODE": the value left out, not a file "-e"
             * (the code of -e may be anything) */
            const char *next = argv[i + 1];
            if (!is(a, n, "-e") && !is(a, n, "--eval") && is_option(next))
                return fail(err,
                            "option '%s' needs a value, not the option '%s' (write %s=VALUE "
                            "for a value that is an option's name)",
                            a, next, a);
            val = argv[++i];
        } else if (!takes && val) {
            return fail(err, "option '%s' takes no value", a);
        }
        uint64_t num;
        if (is(a, n, "-h") || is(a, n, "--help")) {
            o->help = true;
        } else if (is(a, n, "-v") || is(a, n, "--version")) {
            o->version = true;
        } else if (is(a, n, "-e") || is(a, n, "--eval")) {
            if (o->eval)
                return fail(err, "option '%s' given twice", a);
            o->eval = val;
        } else if (is(a, n, "--profile") || is(a, n, "--app") || is(a, n, "--audit") ||
                   is(a, n, "--report")) {
            const char **slot = is(a, n, "--profile")  ? &o->profile
                                : is(a, n, "--app")    ? &o->app
                                : is(a, n, "--report") ? &o->report
                                                       : &o->audit;
            if (*slot)
                return fail(err, "option '%.*s' given twice", (int)n, a);
            if (!*val)
                return fail(err, "option '%.*s' needs a non-empty value", (int)n, a);
            *slot = val;
        } else if (is(a, n, "--publish")) {
            if (o->npublish >= LCH_MAX_PUBLISH)
                return fail(err, "more than %d --publish options", LCH_MAX_PUBLISH);
            o->publish[o->npublish++] = val;
        } else if (is(a, n, "--allow-all")) {
            o->allow_all = true;
        } else if (is(a, n, "--print-profile")) {
            o->print_profile = true;
        } else if (is(a, n, "--serve-member")) {
            o->serve_member = true;
        } else if (is(a, n, "--shell-channel")) {
            o->shell_channel = true;
        } else if (is(a, n, "--attach") || is(a, n, "--server")) {
            const char **slot = is(a, n, "--attach") ? &o->attach : &o->server;
            if (*slot)
                return fail(err, "option '%.*s' given twice", (int)n, a);
            if (!o->shell)
                return fail(
                    err,
                    "%.*s is the shell's (secure-exec-launch shell --attach ID --server unix:PATH)",
                    (int)n, a);
            *slot = val;
        } else if (is(a, n, "--memory-limit")) {
            if (lch_parse_uint(val, BRK_MIN_HEAP_MB, 1u << 20, &num) < 0)
                return fail(err, "--memory-limit: '%s' is not a size in MB (%d to 1048576)", val,
                            BRK_MIN_HEAP_MB);
            o->memory_limit_mb = (size_t)num;
        } else if (is(a, n, "--timeout")) {
            if (lch_parse_uint(val, 1, UINT64_C(1) << 40, &num) < 0)
                return fail(err, "--timeout: '%s' is not a time in ms (a whole number > 0)", val);
            o->timeout_ms = num;
        } else if (is(a, n, "--cpu-time-limit")) {
            if (lch_parse_uint(val, 1, UINT64_C(1) << 40, &num) < 0)
                return fail(err, "--cpu-time-limit: '%s' is not a time in ms (a whole number > 0)",
                            val);
            o->cpu_ms = num;
        } else if (is(a, n, "--write-limit") || is(a, n, "--write-files-limit")) {
            bool files = is(a, n, "--write-files-limit");
            if (lch_parse_uint(val, 0, files ? UINT64_C(1) << 32 : UINT64_C(1) << 40, &num) < 0)
                return fail(err, "%.*s: '%s' is not a %s (0 to %s; 0: no quota)", (int)n, a, val,
                            files ? "count" : "byte count", files ? "2^32" : "2^40");
            *(files ? &o->write_files : &o->write_bytes) = num;
            *(files ? &o->write_files_set : &o->write_bytes_set) = true;
        } else {
            return unknown(err, a, n);
        }
    }
    if (o->help || o->version || o->print_profile)
        return 0;
    if (o->shell_channel && !o->serve_member)
        return fail(err, "%s", "--shell-channel is serve's own (serve --debug)");
    if (o->serve_member) {
        if (o->eval || i < argc)
            return fail(err, "%s", "--serve-member takes no script: its job comes from serve");
        return 0;
    }
    if (o->shell) {
        if (o->eval || i < argc)
            return fail(err, "%s",
                        "shell takes no script or -e: it reads its input (.load FILE runs a file)");
        if (o->serve_member || o->report)
            return fail(err, "%s",
                        "shell: --serve-member and --report are a run's, not the shell's");
        if (!o->attach != !o->server)
            return fail(err, "%s", "shell: --attach ID and --server unix:PATH go together");
        if (o->server && (strncmp(o->server, "unix:", 5) || !o->server[5]))
            return fail(err,
                        "shell: --server %s: a shell attaches over serve's unix socket "
                        "(unix:PATH)",
                        o->server);
        return 0;
    }
    if (!o->eval) {
        if (i >= argc)
            return fail(err, "%s", "no script given (see --help)");
        o->script = argv[i++];
        if (!*o->script)
            return fail(err, "%s", "the script path is empty");
    } else if (i < argc && !strcmp(argv[i], "--")) {
        i++;
    }
    o->args = argv + i;
    o->nargs = (size_t)(argc - i);
    return 0;
}

void lch_cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}

void lch_monotonic_in(struct timespec *ts, uint64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

void lch_fd_blocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

void lch_job_id_init(lch_job_id_t *j)
{
    memset(j, 0, sizeof *j);
    pthread_mutex_init(&j->mu, NULL);
    lch_cond_init_monotonic(&j->cv);
}

void lch_job_id_destroy(lch_job_id_t *j)
{
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
}

void lch_job_id_set(lch_job_id_t *j, const char *id)
{
    pthread_mutex_lock(&j->mu);
    snprintf(j->id, sizeof j->id, "%s", id);
    j->known = true;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

bool lch_job_id_wait(lch_job_id_t *j, uint64_t ms, char *out, size_t outlen)
{
    pthread_mutex_lock(&j->mu);
    if (!j->known && !j->waited) {
        j->waited = true;
        struct timespec until;
        lch_monotonic_in(&until, ms);
        while (!j->known && pthread_cond_timedwait(&j->cv, &j->mu, &until) == 0)
            ;
    }
    bool have = j->known;
    if (have && outlen)
        snprintf(out, outlen, "%s", j->id);
    pthread_mutex_unlock(&j->mu);
    return have;
}
