/*
 * bridge/process.c — what `process` needs from the host: stdio writes, clocks,
 * resource usage, and the uncatchable exit.
 *
 * Writes to stdout/stderr are synchronous and complete (as Node's are for
 * files and pipes), so console output and process.stdout.write interleave
 * in call order. Only fds 1 and 2 are writable through here.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

ssize_t br__write_all(int fd, const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                (void)poll(&pfd, 1, -1);
                continue;
            }
            return -errno;
        }
        done += (size_t)w;
    }
    return (ssize_t)done;
}

/* write(fd, stringOrBytes) -> bytes written, or -errno (EPIPE is not thrown:
 * a closed reader must not turn into a guest exception here). */
static void process_write(vm_call_t *c)
{
    int64_t fd = vm_arg_int(c, 0);
    if (fd != 1 && fd != 2) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "only fd 1 and 2 are writable, got %lld",
                  (long long)fd);
        return;
    }
    ssize_t r;
    if (vm_arg_type(c, 1) == VM_T_BYTES) {
        uint8_t *p;
        size_t n;
        vm_arg_bytes(c, 1, &p, &n);
        r = br__write_all((int)fd, p, n);
    } else {
        size_t n;
        char *s = vm_arg_str(c, 1, &n);
        if (!s)
            return;
        r = br__write_all((int)fd, (const uint8_t *)s, n);
        free(s);
    }
    if (r > 0)
        br__rt(c)->stdio_bytes += (uint64_t)r;
    vm_ret_num(c, (double)r);
}

static void process_hrtime(vm_call_t *c)
{
    uint64_t ns = br__clock_ns(CLOCK_MONOTONIC);
    double v[2] = {(double)(ns / 1000000000u), (double)(ns % 1000000000u)};
    vm_ret_f64(c, v, 2);
}

static void process_hrtime_bigint(vm_call_t *c)
{
    vm_ret_bigint_u64(c, br__clock_ns(CLOCK_MONOTONIC));
}

static void process_memory_usage(vm_call_t *c)
{
    size_t rss = 0;
    if (uv_resident_set_memory(&rss) < 0)
        rss = 0;
    vm_heap_stats_t hs;
    vm_heap_stats(vm_call_vm(c), &hs);
    double v[5] = {(double)rss, hs.total, hs.used, hs.external, hs.array_buffers};
    vm_ret_f64(c, v, 5);
}

static void process_rss(vm_call_t *c)
{
    size_t rss = 0;
    if (uv_resident_set_memory(&rss) < 0)
        rss = 0;
    vm_ret_num(c, (double)rss);
}

static void process_cpu_usage(vm_call_t *c)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) < 0) {
        br__throw_errno(c, -errno, "getrusage", NULL, NULL);
        return;
    }
    double v[2] = {(double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec,
                   (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec};
    vm_ret_f64(c, v, 2);
}

static void process_resource_usage(vm_call_t *c)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) < 0) {
        br__throw_errno(c, -errno, "getrusage", NULL, NULL);
        return;
    }
    double v[] = {
        (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec,
        (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec,
        (double)ru.ru_maxrss,
        (double)ru.ru_ixrss,
        (double)ru.ru_idrss,
        (double)ru.ru_isrss,
        (double)ru.ru_minflt,
        (double)ru.ru_majflt,
        (double)ru.ru_nswap,
        (double)ru.ru_inblock,
        (double)ru.ru_oublock,
        (double)ru.ru_msgsnd,
        (double)ru.ru_msgrcv,
        (double)ru.ru_nsignals,
        (double)ru.ru_nvcsw,
        (double)ru.ru_nivcsw,
    };
    vm_ret_f64(c, v, sizeof v / sizeof v[0]);
}

/* uptime() -> seconds since this run started. */
static void process_uptime(vm_call_t *c)
{
    vm_ret_num(c, (double)(uv_hrtime() - br__rt(c)->start_ns) / 1e9);
}

/* timing() -> [origin, originWallMs, v8Start, loopStart, loopExit, idle]:
 * performance's milestones in hrtime ns (-1: not yet), the wall clock at
 * the origin, and the time the loop has waited in poll (ns; libuv's
 * UV_METRICS_IDLE_TIME, configured on the loop by br_rt_new). */
static void process_timing(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    double v[6] = {(double)rt->origin_ns,
                   rt->origin_wall_ms,
                   rt->v8_start_ns ? (double)rt->v8_start_ns : -1,
                   rt->loop_start_ns ? (double)rt->loop_start_ns : -1,
                   rt->loop_exit_ns ? (double)rt->loop_exit_ns : -1,
                   (double)uv_metrics_idle_time(rt->loop)};
    vm_ret_f64(c, v, sizeof v / sizeof v[0]);
}

static void process_really_exit(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (!rt->exiting) {
        rt->exiting = true;
        rt->exit_code = (int)vm_arg_int(c, 0);
    }
    vm_terminate(rt->vm, VM_LIMIT_EXIT);
    uv_stop(rt->loop);
}

static void process_cwd(vm_call_t *c)
{
    const char *cwd = br__rt(c)->cwd;
    vm_ret_str(c, cwd, strlen(cwd));
}

/* chdir(directory) -> 0 | -errno (EACCES with the refusal thrown): the
 * broker decides the folder as a read ("chdir"); it must be one. Relative
 * paths of every bridge resolve against it from then on. */
static void process_chdir(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    size_t n;
    char *dir = vm_arg_type(c, 0) == VM_T_STRING ? vm_arg_str(c, 0, &n) : NULL;
    if (!dir || strlen(dir) != n) {
        free(dir);
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "chdir(directory)");
        return;
    }
    char canon[PATH_MAX];
    int r = n ? br__check_path_throw(c, BRK_FS_READ, "chdir", dir, canon, sizeof canon) : -ENOENT;
    free(dir);
    if (r == -EACCES)
        return; /* thrown */
    /* the folder is opened and entered with no symlink on the way: one
     * swapped in since the check is not followed (ELOOP), a file is
     * ENOTDIR */
    int fd = r == 0 ? br__open_canonical(canon, O_PATH | O_DIRECTORY, 0) : -1;
    if (r == 0 && fd < 0)
        r = fd;
    if (r == 0 && fchdir(fd) < 0)
        r = -errno;
    if (fd >= 0)
        close(fd);
    if (r == 0)
        snprintf(rt->cwd, PATH_MAX, "%s", canon);
    vm_ret_num(c, r);
}

static void process_pid(vm_call_t *c)
{
    vm_ret_num(c, (double)getpid());
}

static void process_ppid(vm_call_t *c)
{
    vm_ret_num(c, (double)getppid());
}

/* missingPackage(name): the package an uncaught MODULE_NOT_FOUND named,
 * for the launcher's hint (br_rt_missing_package). */
static void process_missing_package(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    size_t n;
    char *s = vm_arg_str(c, 0, &n);
    if (!s)
        return;
    if (n < sizeof rt->missing_package)
        memcpy(rt->missing_package, s, n + 1);
    free(s);
}

/* result(json, error): a serve job's module.exports as JSON (a string),
 * or why it has none (error: a string). The last call counts; over
 * BR_RESULT_MAX bytes the JSON is dropped and the error says so. */
static void process_result(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    free(rt->result);
    free(rt->result_error);
    rt->result = rt->result_error = NULL;
    size_t n = 0;
    if (vm_arg_type(c, 0) == VM_T_STRING && (rt->result = vm_arg_str(c, 0, &n)) &&
        n > BR_RESULT_MAX) {
        free(rt->result);
        rt->result = NULL;
        if (asprintf(&rt->result_error, "module.exports is %zu bytes of JSON, over the cap of %d",
                     n, BR_RESULT_MAX) < 0)
            rt->result_error = NULL;
    }
    if (!rt->result && !rt->result_error && vm_arg_type(c, 1) == VM_T_STRING)
        rt->result_error = vm_arg_str(c, 1, &n);
}

/* ids() -> [uid, euid, gid, egid, ...groups]: the kernel's ids of this
 * process inside its user namespace (the sandbox user), the ones
 * os.userInfo() and fs.stat() report too. The groups end with egid when
 * getgroups(2) leaves it out, as Node's process.getgroups(). */
static void process_ids(vm_call_t *c)
{
    gid_t groups[64];
    int n = getgroups((int)(sizeof groups / sizeof groups[0]), groups);
    if (n < 0)
        n = 0;
    double v[4 + sizeof groups / sizeof groups[0] + 1];
    size_t k = 0;
    v[k++] = (double)getuid();
    v[k++] = (double)geteuid();
    v[k++] = (double)getgid();
    v[k++] = (double)getegid();
    bool has_egid = false;
    for (int i = 0; i < n; i++) {
        v[k++] = (double)groups[i];
        has_egid |= groups[i] == getegid();
    }
    if (!has_egid)
        v[k++] = (double)getegid();
    vm_ret_f64(c, v, k);
}

/* umask() reads without changing; umask(mask) sets and returns the old. */
static void process_umask(vm_call_t *c)
{
    if (vm_arg_type(c, 0) == VM_T_NUMBER) {
        int64_t m = vm_arg_int(c, 0);
        if (m < 0 || m > 0777) {
            vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE",
                      "The value of \"mask\" is out of range. It must be >= 0 && <= 511. "
                      "Received %lld",
                      (long long)m);
            return;
        }
        vm_ret_num(c, (double)umask((mode_t)m));
        return;
    }
    vm_ret_num(c, (double)br__umask());
}

mode_t br__umask(void)
{
    mode_t old = umask(022);
    umask(old);
    return old;
}

/* ---- stdin ---------------------------------------------------------------
 *
 * Read only while the guest consumes it (so an unread stdin never keeps the
 * run alive, as in Node). Pipes, ttys and sockets are libuv streams, which
 * teardown can close; a regular file is read on the thread pool one chunk at
 * a time (such reads finish, so teardown can wait for them).
 */

#define STDIN_CHUNK (64 * 1024)

typedef struct {
    uv_fs_t req;
    br_rt_t *rt;
    uint8_t *buf;
} stdin_file_read_t;

/* Hands a chunk (or EOF, or an error) to the guest's callback. Takes buf. */
static void stdin_deliver(br_rt_t *rt, uint8_t *buf, ssize_t n)
{
    if (!rt->stdin_cb || vm_limit(rt->vm) != VM_LIMIT_NONE || rt->closing) {
        free(buf);
        return;
    }
    vm_val_t args[2] = {{.type = VM_T_NULL}, VM_NUM(n < 0 ? (double)n : 0)};
    vm_ref_t bytes = 0;
    if (n > 0) {
        bytes = vm_new_bytes_take(rt->vm, buf, (size_t)n);
        args[0] = VM_REF(bytes);
    } else {
        free(buf);
    }
    vm_ref_t cb = rt->stdin_cb;
    if (n <= 0) /* EOF or error: the last delivery */
        rt->stdin_cb = 0;
    br__invoke(rt, cb, 2, args, NULL);
    vm_ref_free(rt->vm, bytes);
    if (n <= 0)
        vm_ref_free(rt->vm, cb);
}

static void stdin_file_done(uv_fs_t *req)
{
    stdin_file_read_t *r = req->data;
    br_rt_t *rt = r->rt;
    ssize_t n = req->result;
    uv_fs_req_cleanup(req);
    rt->pending_reqs--;
    rt->stdin_reading = false;
    uint8_t *buf = r->buf;
    free(r);
    stdin_deliver(rt, buf, n);
}

static void stdin_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    char *p = malloc(STDIN_CHUNK);
    *b = uv_buf_init(p, p ? STDIN_CHUNK : 0);
}

static void stdin_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    br_rt_t *rt = s->data;
    if (n == 0) { /* EAGAIN */
        free(b->base);
        return;
    }
    if (n == UV_EOF)
        n = 0;
    if (n <= 0) {
        uv_read_stop(s);
        rt->stdin_reading = false;
    }
    stdin_deliver(rt, (uint8_t *)b->base, n);
}

static int stdin_open_stream(br_rt_t *rt)
{
    uv_handle_type t = uv_guess_handle(0);
    int r;
    if (t == UV_FILE)
        return 0; /* thread-pool reads */
    if (t == UV_TTY) {
        uv_tty_t *h = calloc(1, sizeof *h);
        if (!h)
            return UV_ENOMEM;
        if ((r = uv_tty_init(rt->loop, h, 0, 1)) < 0) {
            free(h);
            return r;
        }
        rt->stdin_stream = (uv_stream_t *)h;
    } else if (t == UV_NAMED_PIPE || t == UV_TCP) {
        /* room for either handle type */
        uv_stream_t *h =
            calloc(1, sizeof(uv_tcp_t) > sizeof(uv_pipe_t) ? sizeof(uv_tcp_t) : sizeof(uv_pipe_t));
        if (!h)
            return UV_ENOMEM;
        r = t == UV_TCP ? uv_tcp_init(rt->loop, (uv_tcp_t *)h)
                        : uv_pipe_init(rt->loop, (uv_pipe_t *)h, 0);
        if (r < 0) {
            free(h);
            return r;
        }
        rt->stdin_stream = h;
        h->data = rt;
        rt->handles_open++;
        r = t == UV_TCP ? uv_tcp_open((uv_tcp_t *)h, 0) : uv_pipe_open((uv_pipe_t *)h, 0);
        if (r < 0)
            br__stdin_close(rt);
        return r;
    } else {
        return UV_EBADF;
    }
    rt->stdin_stream->data = rt;
    rt->handles_open++;
    return 0;
}

static void stdin_closed(uv_handle_t *h)
{
    br_rt_t *rt = h->data;
    rt->handles_open--;
    free(h);
}

void br__stdin_close(br_rt_t *rt)
{
    if (rt->stdin_stream && !uv_is_closing((uv_handle_t *)rt->stdin_stream)) {
        rt->stdin_stream->data = rt;
        uv_close((uv_handle_t *)rt->stdin_stream, stdin_closed);
    }
    rt->stdin_stream = NULL;
}

/* stdinRead(callback(chunk | null at EOF, -errno)): (re)start reading; the
 * callback stays registered until EOF or an error. */
static void process_stdin_read(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (vm_arg_type(c, 0) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "stdinRead(callback)");
        return;
    }
    if (!rt->stdin_cb)
        rt->stdin_cb = vm_arg_ref(c, 0);
    if (rt->stdin_reading)
        return;
    int r = 0;
    if (!rt->stdin_stream && uv_guess_handle(0) != UV_FILE)
        r = stdin_open_stream(rt);
    if (r == 0 && rt->stdin_stream) {
        r = uv_read_start(rt->stdin_stream, stdin_alloc, stdin_on_read);
    } else if (r == 0) {
        stdin_file_read_t *fr = calloc(1, sizeof *fr);
        uint8_t *buf = malloc(STDIN_CHUNK);
        if (!fr || !buf) {
            free(fr);
            free(buf);
            r = UV_ENOMEM;
        } else {
            fr->rt = rt;
            fr->buf = buf;
            fr->req.data = fr;
            uv_buf_t b = uv_buf_init((char *)buf, STDIN_CHUNK);
            r = uv_fs_read(rt->loop, &fr->req, 0, &b, 1, -1, stdin_file_done);
            if (r < 0) {
                free(buf);
                free(fr);
            } else {
                rt->pending_reqs++;
            }
        }
    }
    if (r < 0) {
        br__throw_errno(c, r, "read", NULL, NULL);
        return;
    }
    rt->stdin_reading = true;
}

/* stdinPause(): stop reading a stream until the next stdinRead. */
static void process_stdin_pause(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (rt->stdin_stream && rt->stdin_reading) {
        uv_read_stop(rt->stdin_stream);
        rt->stdin_reading = false;
    }
}

/* uvVersion() -> the linked libuv's version (process.versions.uv) */
static void process_uv_version(vm_call_t *c)
{
    const char *v = uv_version_string();
    vm_ret_str(c, v, strlen(v));
}

/* engineVersion() -> V8's version (process.versions.v8) */
static void process_engine_version(vm_call_t *c)
{
    const char *v = vm_engine_version();
    vm_ret_str(c, v, strlen(v));
}

/* envAsk(name) -> bool: the guest's first read of a variable, put to the
 * broker (and so to the audit log). What it was given was filtered by the
 * same policy before the run; the answer only says so. */
static void process_env_ask(vm_call_t *c)
{
    size_t n;
    char *name = vm_arg_str(c, 0, &n);
    if (!name)
        return;
    br_rt_t *rt = br__rt(c);
    bool ok = !rt->policy || brk_decide(rt->policy, BRK_ENV, "read", name, NULL) == 0;
    free(name);
    vm_ret_bool(c, ok);
}

static const vm_native_t natives[] = {
    {"engineVersion", process_engine_version, 0, VM_NATIVE_PURE},
    {"uvVersion", process_uv_version, 0, VM_NATIVE_PURE},
    {"stdinRead", process_stdin_read, 1, VM_NATIVE_PURE},
    {"stdinPause", process_stdin_pause, 0, VM_NATIVE_PURE},
    {"write", process_write, 2, VM_NATIVE_PURE},
    {"hrtime", process_hrtime, 0, VM_NATIVE_PURE},
    {"hrtimeBigint", process_hrtime_bigint, 0, VM_NATIVE_PURE},
    {"memoryUsage", process_memory_usage, 0, VM_NATIVE_PURE},
    {"rss", process_rss, 0, VM_NATIVE_PURE},
    {"cpuUsage", process_cpu_usage, 0, VM_NATIVE_PURE},
    {"resourceUsage", process_resource_usage, 0, VM_NATIVE_PURE},
    {"uptime", process_uptime, 0, VM_NATIVE_PURE},
    {"timing", process_timing, 0, VM_NATIVE_PURE},
    {"reallyExit", process_really_exit, 1, VM_NATIVE_PURE},
    {"cwd", process_cwd, 0, VM_NATIVE_PURE},
    {"chdir", process_chdir, 1, VM_NATIVE_FS_READ},
    {"pid", process_pid, 0, VM_NATIVE_PURE},
    {"ppid", process_ppid, 0, VM_NATIVE_PURE},
    {"ids", process_ids, 0, VM_NATIVE_PURE},
    {"missingPackage", process_missing_package, 1, VM_NATIVE_PURE},
    {"result", process_result, 2, VM_NATIVE_PURE},
    {"umask", process_umask, 1, VM_NATIVE_PURE},
    {"envAsk", process_env_ask, 1, VM_NATIVE_ENV},
};
const vm_table_t br__process_table = {"process", natives, sizeof natives / sizeof natives[0]};
