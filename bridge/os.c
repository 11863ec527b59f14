/*
 * bridge/os.c — what the `os` module reads from the system, through libuv
 * (as Node's os binding does): uname, host name, load, memory, uptime,
 * CPUs, the CPU set, the passwd entry and process priority.
 *
 * All of it is what the sandbox shows: the UTS namespace's host name, the
 * pid namespace's /proc, the net namespace's interfaces. Memory, load,
 * uptime and CPUs describe the sandbox, as LXCFS makes /proc describe a
 * container: total memory is the run's memory budget and free memory what
 * the budget has left; the uptime is the run's (its time namespace starts
 * the boot clock with it); the load is the run's own CPU time over its
 * uptime; the CPUs are those the run may use (its affinity, the cgroup's
 * cpuset), each with an even share of the run's CPU time. The sandbox's
 * /proc has no kernel-wide file (launcher/README.md), so none of it could
 * come from the host's meminfo, stat or loadavg anyway. Lists come back as
 * "\0"-separated strings, numbers as Float64Arrays; failures throw Node's
 * errno-style error with the libuv call's name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "internal.h"

/* A growing "\0"-separated string */
typedef struct {
    char *p;
    size_t len, cap;
    bool failed;
} strlist_t;

static void sl_add(strlist_t *s, const char *v)
{
    size_t n = strlen(v) + 1;
    if (s->failed)
        return;
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        while (cap < s->len + n)
            cap *= 2;
        char *np = realloc(s->p, cap);
        if (!np) {
            s->failed = true;
            return;
        }
        s->p = np;
        s->cap = cap;
    }
    memcpy(s->p + s->len, v, n);
    s->len += n;
}

static void sl_addf(strlist_t *s, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    sl_add(s, buf);
}

static void sl_return(vm_call_t *c, strlist_t *s, const char *syscall)
{
    if (s->failed)
        br__throw_errno(c, UV_ENOMEM, syscall, NULL, NULL);
    else
        vm_ret_str(c, s->p ? s->p : "", s->len);
    free(s->p);
}

/* uname() -> "sysname\0release\0version\0machine\0" */
static void os_uname(vm_call_t *c)
{
    uv_utsname_t u;
    int r = uv_os_uname(&u);
    if (r < 0) {
        br__throw_errno(c, r, "uv_os_uname", NULL, NULL);
        return;
    }
    strlist_t s = {0};
    sl_add(&s, u.sysname);
    sl_add(&s, u.release);
    sl_add(&s, u.version);
    sl_add(&s, u.machine);
    sl_return(c, &s, "uv_os_uname");
}

static void os_hostname(vm_call_t *c)
{
    char buf[UV_MAXHOSTNAMESIZE];
    size_t n = sizeof buf;
    int r = uv_os_gethostname(buf, &n);
    if (r < 0)
        br__throw_errno(c, r, "uv_os_gethostname", NULL, NULL);
    else
        vm_ret_str(c, buf, n);
}

/* The run's uptime in seconds (its boot clock, see above; libuv's
 * uv_uptime would round it down to whole seconds). */
static double run_uptime(void)
{
    return (double)br__clock_ns(CLOCK_BOOTTIME) / 1e9;
}

/* The CPU time the run's threads have used, user and system, in ms. */
static void run_cpu_ms(double *user, double *sys)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) < 0)
        memset(&ru, 0, sizeof ru);
    *user = (double)ru.ru_utime.tv_sec * 1e3 + (double)ru.ru_utime.tv_usec / 1e3;
    *sys = (double)ru.ru_stime.tv_sec * 1e3 + (double)ru.ru_stime.tv_usec / 1e3;
}

/* stats() -> [load1, load5, load15, totalmem, freemem, uptime, parallelism] */
static void os_stats(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    vm_heap_stats_t hs;
    vm_heap_stats(rt->vm, &hs);
    double v[7];
    double up = run_uptime(), user, sys;
    run_cpu_ms(&user, &sys);
    double load = up > 0 ? (user + sys) / 1e3 / up : 0;
    v[0] = v[1] = v[2] = load;
    v[3] = rt->cfg->heap_limit_mb ? (double)rt->cfg->heap_limit_mb * 1048576.0 : hs.limit;
    v[4] = v[3] - hs.used - hs.external;
    if (v[4] < 0)
        v[4] = 0;
    v[5] = up;
    v[6] = (double)uv_available_parallelism();
    vm_ret_f64(c, v, sizeof v / sizeof v[0]);
}

/* The CPU's name as the processor gives it (cpuid, which any code may
 * run), or "unknown". */
static void cpu_model(char *out, size_t cap)
{
    snprintf(out, cap, "unknown");
#if defined(__x86_64__) || defined(__i386__)
    unsigned int r[12];
    if (__get_cpuid_max(0x80000000, NULL) < 0x80000004)
        return;
    for (unsigned int i = 0; i < 3; i++)
        __get_cpuid(0x80000002 + i, &r[i * 4], &r[i * 4 + 1], &r[i * 4 + 2], &r[i * 4 + 3]);
    char brand[49];
    memcpy(brand, r, 48);
    brand[48] = '\0';
    const char *b = brand;
    while (*b == ' ')
        b++;
    size_t n = strlen(b);
    while (n && b[n - 1] == ' ')
        n--;
    if (n)
        snprintf(out, cap, "%.*s", (int)n, b);
#endif
}

/* cpus() -> per CPU "model\0speed\0user\0nice\0sys\0idle\0irq\0": the
 * CPUs the run may use; speed 0 (unknown without the host's /proc) */
static void os_cpus(vm_call_t *c)
{
    unsigned int n = uv_available_parallelism();
    char model[64];
    cpu_model(model, sizeof model);
    double up = run_uptime(), user, sys;
    run_cpu_ms(&user, &sys);
    user /= n;
    sys /= n;
    double idle = up * 1e3 - user - sys;
    strlist_t s = {0};
    for (unsigned int i = 0; i < n; i++) {
        sl_add(&s, model);
        sl_addf(&s, 0);
        sl_addf(&s, (double)(uint64_t)user);
        sl_addf(&s, 0);
        sl_addf(&s, (double)(uint64_t)sys);
        sl_addf(&s, idle > 0 ? (double)(uint64_t)idle : 0);
        sl_addf(&s, 0);
    }
    sl_return(c, &s, "uv_cpu_info");
}

/* userInfo() -> "username\0uid\0gid\0shell\0homedir\0" (shell may be "") */
static void os_user_info(vm_call_t *c)
{
    uv_passwd_t pw;
    int r = uv_os_get_passwd(&pw);
    if (r < 0) {
        br__throw_errno(c, r, "uv_os_get_passwd", NULL, NULL);
        return;
    }
    strlist_t s = {0};
    sl_add(&s, pw.username);
    sl_addf(&s, (double)pw.uid);
    sl_addf(&s, (double)pw.gid);
    sl_add(&s, pw.shell ? pw.shell : "");
    sl_add(&s, pw.homedir);
    uv_os_free_passwd(&pw);
    sl_return(c, &s, "uv_os_get_passwd");
}

/* networkInterfaces() -> per address
 * "name\0address\0netmask\0family\0mac\0internal\0scopeid\0" */
static struct {
    bool taken;
    int status, n;
    uv_interface_address_t *ifs;
} iface_list;

void br_os_take_interfaces(void)
{
    if (!iface_list.taken)
        iface_list.status = uv_interface_addresses(&iface_list.ifs, &iface_list.n);
    iface_list.taken = true;
}

static void os_interfaces(vm_call_t *c)
{
    /* the sandbox's interfaces were listed before its seccomp policy: the
     * netlink request names an address, which the guest may not */
    br_os_take_interfaces();
    uv_interface_address_t *ifs = iface_list.ifs;
    int n = iface_list.n, r = iface_list.status;
    if (r < 0) {
        br__throw_errno(c, r, "uv_interface_addresses", NULL, NULL);
        return;
    }
    strlist_t s = {0};
    for (int i = 0; i < n; i++) {
        char addr[INET6_ADDRSTRLEN], mask[INET6_ADDRSTRLEN], mac[18];
        bool v6 = ifs[i].address.address4.sin_family == AF_INET6;
        if (v6) {
            uv_ip6_name(&ifs[i].address.address6, addr, sizeof addr);
            uv_ip6_name(&ifs[i].netmask.netmask6, mask, sizeof mask);
        } else {
            uv_ip4_name(&ifs[i].address.address4, addr, sizeof addr);
            uv_ip4_name(&ifs[i].netmask.netmask4, mask, sizeof mask);
        }
        const unsigned char *m = (const unsigned char *)ifs[i].phys_addr;
        snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                 m[5]);
        sl_add(&s, ifs[i].name);
        sl_add(&s, addr);
        sl_add(&s, mask);
        sl_add(&s, v6 ? "IPv6" : "IPv4");
        sl_add(&s, mac);
        sl_add(&s, ifs[i].is_internal ? "1" : "0");
        sl_addf(&s, v6 ? (double)ifs[i].address.address6.sin6_scope_id : -1);
    }
    sl_return(c, &s, "uv_interface_addresses");
}

/* getPriority(pid) -> priority */
static void os_get_priority(vm_call_t *c)
{
    int prio;
    int r = uv_os_getpriority((uv_pid_t)vm_arg_int(c, 0), &prio);
    if (r < 0)
        br__throw_errno(c, r, "uv_os_getpriority", NULL, NULL);
    else
        vm_ret_num(c, prio);
}

/* setPriority(pid, priority) */
static void os_set_priority(vm_call_t *c)
{
    int r = uv_os_setpriority((uv_pid_t)vm_arg_int(c, 0), (int)vm_arg_int(c, 1));
    if (r < 0)
        br__throw_errno(c, r, "uv_os_setpriority", NULL, NULL);
}

static const vm_native_t natives[] = {
    {"uname", os_uname, 0, VM_NATIVE_PURE},
    {"hostname", os_hostname, 0, VM_NATIVE_PURE},
    {"stats", os_stats, 0, VM_NATIVE_PURE},
    {"cpus", os_cpus, 0, VM_NATIVE_PURE},
    {"userInfo", os_user_info, 0, VM_NATIVE_PURE},
    {"networkInterfaces", os_interfaces, 0, VM_NATIVE_PURE},
    {"getPriority", os_get_priority, 1, VM_NATIVE_PURE},
    {"setPriority", os_set_priority, 2, VM_NATIVE_PURE},
};
const vm_table_t br__os_table = {"os", natives, sizeof natives / sizeof natives[0]};
