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
 * statuses of docs/SPEC.md: the guest's, 124/137 for limits, 125 when the
 * launcher itself failed (one line on stderr starting "secure-exec-launch:").
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "../bridge/bridge.h"
#include "../isolate/vm.h"
#include "cli.h"

#define LCH_VERSION "0.1.0"
#define LCH_EXIT_LAUNCHER 125

/* The startup snapshot, embedded by launcher/snapshot.S. */
extern const uint8_t lch_snapshot_blob[];
extern const uint8_t lch_snapshot_blob_end[];

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("secure-exec-launch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(LCH_EXIT_LAUNCHER);
}

/* ---- the wall-clock watchdog -------------------------------------------- */

typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    struct timespec deadline;
    br_rt_t *rt;
    uv_async_t *wake;
} watchdog_t;

static void *watchdog_main(void *arg)
{
    watchdog_t *w = arg;
    pthread_mutex_lock(&w->lock);
    int r = 0;
    while (!w->done && r != ETIMEDOUT)
        r = pthread_cond_timedwait(&w->cond, &w->lock, &w->deadline);
    bool fire = !w->done;
    pthread_mutex_unlock(&w->lock);
    if (fire) {
        br_rt_terminate(w->rt, VM_LIMIT_TIME);
        uv_async_send(w->wake); /* the loop may be idle in poll */
    }
    return NULL;
}

static int watchdog_start(watchdog_t *w, br_rt_t *rt, uv_async_t *wake, uint64_t ms)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, &ca);
    pthread_condattr_destroy(&ca);
    w->done = false;
    w->rt = rt;
    w->wake = wake;
    clock_gettime(CLOCK_MONOTONIC, &w->deadline);
    w->deadline.tv_sec += (time_t)(ms / 1000);
    w->deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (w->deadline.tv_nsec >= 1000000000L) {
        w->deadline.tv_sec++;
        w->deadline.tv_nsec -= 1000000000L;
    }
    return -pthread_create(&w->thread, NULL, watchdog_main, w);
}

static void watchdog_stop(watchdog_t *w)
{
    pthread_mutex_lock(&w->lock);
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
}

static void on_wake(uv_async_t *a)
{
    uv_stop(a->loop);
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    lch_opts_t opts;
    char *err = NULL;
    if (lch_cli_parse(argc, argv, &opts, &err) < 0)
        die("%s", err ? err : "bad command line");
    if (opts.help) {
        fputs(lch_cli_usage(), stdout);
        return 0;
    }
    if (opts.version) {
        printf("secure-exec-launch %s (V8 %s, Node.js API v22)\n", LCH_VERSION,
               vm_engine_version());
        return 0;
    }

    /* A closed reader of our stdout must not kill us (Node ignores SIGPIPE). */
    signal(SIGPIPE, SIG_IGN);

    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        die("cannot read the current folder: %s", strerror(errno));
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        die("cannot read /proc/self/exe: %s", strerror(errno));
    exe[n] = '\0';
    char *script = NULL;
    if (opts.script) {
        if (opts.script[0] == '/')
            script = strdup(opts.script);
        else if (asprintf(&script, "%s/%s", cwd, opts.script) < 0)
            script = NULL;
        if (!script)
            die("out of memory");
    }
    br_config_t cfg = {
        .script = script,
        .eval = opts.eval,
        .args = (const char *const *)opts.args,
        .nargs = opts.nargs,
        .exec_path = exe,
        .cwd = cwd,
        .heap_limit_mb = opts.memory_limit_mb,
    };

    uv_loop_t loop;
    int r = uv_loop_init(&loop);
    if (r < 0)
        die("cannot create the event loop: %s", uv_strerror(r));
    uv_async_t wake;
    if ((r = uv_async_init(&loop, &wake, on_wake)) < 0)
        die("cannot create the event loop: %s", uv_strerror(r));
    uv_unref((uv_handle_t *)&wake);

    /* Set-up is over: V8's platform threads start here. */
    if (vm_platform_init(NULL, 2) < 0)
        die("cannot initialise V8");
    br_rt_t *rt;
    size_t snap_len = (size_t)(lch_snapshot_blob_end - lch_snapshot_blob);
    if (br_rt_new(&loop, &cfg, lch_snapshot_blob, snap_len, &rt, &err) < 0)
        die("%s", err ? err : "cannot create the isolate");

    watchdog_t wd;
    bool wd_on = false;
    if (opts.timeout_ms) {
        if ((r = watchdog_start(&wd, rt, &wake, opts.timeout_ms)) < 0)
            die("cannot start the watchdog: %s", strerror(-r));
        wd_on = true;
    }
    int status = br_rt_run(rt);
    if (wd_on)
        watchdog_stop(&wd);
    br_rt_free(rt);
    uv_close((uv_handle_t *)&wake, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    vm_platform_shutdown();
    free(script);
    fflush(stdout);
    return status;
}
