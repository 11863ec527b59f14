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

static ssize_t write_all(int fd, const uint8_t *p, size_t n)
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
        r = write_all((int)fd, p, n);
    } else {
        size_t n;
        char *s = vm_arg_str(c, 1, &n);
        if (!s)
            return;
        r = write_all((int)fd, (const uint8_t *)s, n);
        free(s);
    }
    vm_ret_num(c, (double)r);
}

static void process_hrtime(vm_call_t *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double v[2] = {(double)ts.tv_sec, (double)ts.tv_nsec};
    vm_ret_f64(c, v, 2);
}

static void process_hrtime_bigint(vm_call_t *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    vm_ret_bigint_u64(c, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
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
    const char *cwd = br__rt(c)->cfg->cwd;
    vm_ret_str(c, cwd, strlen(cwd));
}

static void process_pid(vm_call_t *c)
{
    vm_ret_num(c, (double)getpid());
}

static void process_ppid(vm_call_t *c)
{
    vm_ret_num(c, (double)getppid());
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
    mode_t old = umask(022);
    umask(old);
    vm_ret_num(c, (double)old);
}

static const vm_native_t natives[] = {
    {"write", process_write, 2, VM_NATIVE_PURE},
    {"hrtime", process_hrtime, 0, VM_NATIVE_PURE},
    {"hrtimeBigint", process_hrtime_bigint, 0, VM_NATIVE_PURE},
    {"memoryUsage", process_memory_usage, 0, VM_NATIVE_PURE},
    {"rss", process_rss, 0, VM_NATIVE_PURE},
    {"cpuUsage", process_cpu_usage, 0, VM_NATIVE_PURE},
    {"resourceUsage", process_resource_usage, 0, VM_NATIVE_PURE},
    {"uptime", process_uptime, 0, VM_NATIVE_PURE},
    {"reallyExit", process_really_exit, 1, VM_NATIVE_PURE},
    {"cwd", process_cwd, 0, VM_NATIVE_PURE},
    {"pid", process_pid, 0, VM_NATIVE_PURE},
    {"ppid", process_ppid, 0, VM_NATIVE_PURE},
    {"umask", process_umask, 1, VM_NATIVE_PURE},
};
const vm_table_t br__process_table = {"process", natives, sizeof natives / sizeof natives[0]};
