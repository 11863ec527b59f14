/*
 * tests/security/wall_probe.c — native escape probes behind the OS wall.
 *
 * The JS wall cannot be what stops these: the probe is native code (what
 * an attacker has after a V8 bug), run by the launcher's own sandbox code
 * (launcher/sandbox.c) in place of the isolate. Usage:
 *
 *   wall-probe POLICY APP CANARY TEST [RW]
 *
 * POLICY is the seccomp policy name, APP a host folder shown at /app,
 * CANARY a host file that must stay invisible, RW (optional) a host folder
 * granted for writing at its own path. The probe prints one line,
 * "held TEST" or "ESCAPED TEST: why", and exits 0; a probe the seccomp
 * policy kills ends with SIGSYS, which tests/security/wall.sh also counts
 * as held for the calls that policy kills.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stddef.h>
#include <poll.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../../launcher/cgroup.h"
#include "../../launcher/landlock.h"
#include "../../launcher/netd.h"
#include "../../launcher/run.h"
#include "../../launcher/sandbox.h"

static const char *canary;
static const char *test;
static const char *policy_name; /* the seccomp policy (argv[1]) */
static pid_t host_pid;          /* WALL_HOST_PID: a host process in the invoker's group */
static pid_t host_pgid;         /* the invoker's process group */
static const char *rw;          /* the write grant, or NULL */
/* the guest's ends of the supervisor's network channel (netd.h), granted
 * WALL_NET_ALLOW (none: nothing) */
static int net_async = -1, net_sync = -1;

__attribute__((format(printf, 1, 2))) static int escaped(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("ESCAPED %s: ", test);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    return 0;
}

static int held(void)
{
    printf("held %s\n", test);
    return 0;
}

/* 1 when every path is absent. */
static int invisible(const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0)
            return escaped("%s is visible", paths[i]);
    }
    return held();
}

static int status_field(const char *name, char *out, size_t cap)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return -1;
    char line[256];
    size_t n = strlen(name);
    int r = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, name, n) && line[n] == ':') {
            snprintf(out, cap, "%s", line + n + 1);
            out[strcspn(out, "\n")] = '\0';
            char *s = out;
            while (*s == '\t' || *s == ' ')
                s++;
            memmove(out, s, strlen(s) + 1);
            r = 0;
        }
    fclose(f);
    return r;
}

static void *idle(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

/* ---- the supervisor's network channel, spoken natively ------------------------------ */

static uint32_t net_ids;

/* Sends n bytes at msg on chan (a request, well-formed or not). */
static bool net_send(int chan, const void *msg, size_t n)
{
    return send(chan, msg, n, MSG_NOSIGNAL) == (ssize_t)n;
}

/* Waits (5 s at most) for the answer with id on chan: true with *res and
 * *fd (or -1). */
static bool net_answer(int chan, uint32_t id, netp_res_t *res, int *fd)
{
    for (;;) {
        struct pollfd pf = {.fd = chan, .events = POLLIN};
        if (poll(&pf, 1, 5000) != 1)
            return false;
        uint8_t buf[sizeof *res + 2048];
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
        union {
            char b[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } ctl;
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
        ssize_t n = recvmsg(chan, &m, MSG_CMSG_CLOEXEC);
        if (n < (ssize_t)sizeof *res)
            return false;
        *fd = -1;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        if (c && c->cmsg_type == SCM_RIGHTS)
            memcpy(fd, CMSG_DATA(c), sizeof *fd);
        memcpy(res, buf, sizeof *res);
        if (res->id == id)
            return true;
        if (*fd >= 0)
            close(*fd);
    }
}

/* One request: its status (0, -errno, -(NETP_DNS_BASE + ares)), *fd the
 * descriptor handed in (or -1); -ETIME when no answer came. */
static int net_ask(int chan, unsigned op, const char *host, unsigned port, int *fd)
{
    netp_req_t q = {.version = NETP_VERSION,
                    .id = ++net_ids,
                    .op = (uint16_t)op,
                    .port = (uint16_t)port,
                    .arg = 16};
    snprintf(q.host, sizeof q.host, "%s", host);
    netp_res_t res;
    int junk;
    if (!fd)
        fd = &junk;
    if (!net_send(chan, &q, sizeof q) || !net_answer(chan, q.id, &res, fd))
        return -ETIME;
    if (fd == &junk && junk >= 0)
        close(junk);
    return res.status;
}

/* What the guest can do with the channel and with raw calls: it reaches
 * what WALL_NET_ALLOW grants (host.internal:PORT, the host's listener) and
 * nothing else; a socket of the host's, handed in, cannot be pointed
 * elsewhere; forged and malformed requests are refused and the supervisor
 * keeps serving. */
static int net_channel(void)
{
    char port[16] = "";
    FILE *f = fopen("/app/host-port", "r");
    if (!f || !fgets(port, sizeof port, f))
        return escaped("no /app/host-port from wall.sh");
    fclose(f);
    unsigned p = (unsigned)strtoul(port, NULL, 10);
    if (net_async < 0 || net_sync < 0)
        return escaped("no network channel");
    /* raw: no socket of the internet families, no connect, no bind */
    if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || socket(AF_INET6, SOCK_DGRAM, 0) >= 0)
        return escaped("a raw inet socket opened");
    /* the granted host port, through the supervisor */
    int fd = -1;
    int r = net_ask(net_async, NETP_CONNECT, "host.internal", p, &fd);
    if (r != 0 || fd < 0)
        return escaped("the granted host.internal:%u was not connected: %d", p, r);
    /* re-pointing the host's socket: refused by seccomp */
    struct sockaddr_in meta = {.sin_family = AF_INET, .sin_port = htons(80)};
    inet_pton(AF_INET, "169.254.169.254", &meta.sin_addr);
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    if (connect(fd, &unspec, sizeof unspec) == 0 || errno != EPERM)
        return escaped("connect(AF_UNSPEC) on the host's socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&meta, sizeof meta) == 0 || errno != EPERM)
        return escaped("connect() of the host's socket elsewhere: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&meta, sizeof meta) == 0 || errno != EPERM)
        return escaped("bind() of the host's socket: %s", strerror(errno));
    struct iovec iov = {.iov_base = "x", .iov_len = 1};
    struct msghdr m = {
        .msg_name = &meta, .msg_namelen = sizeof meta, .msg_iov = &iov, .msg_iovlen = 1};
    if (sendmsg(fd, &m, MSG_FASTOPEN) >= 0 || errno != EPERM)
        return escaped("an addressed sendmsg on the host's socket: %s", strerror(errno));
    if (listen(fd, 4) == 0)
        return escaped("the connected host socket listens");
    /* a source route would send its packets to a first hop of the guest's
     * choosing; group memberships and free binds are no business of it */
    unsigned char lsrr[8] = {1, 0x83, 7, 4, 10, 0, 0, 5}; /* NOP, LSRR via 10.0.0.5 */
    if (setsockopt(fd, IPPROTO_IP, IP_OPTIONS, lsrr, sizeof lsrr) == 0 || errno != EPERM)
        return escaped("IP_OPTIONS (a source route) on the host's socket: %s", strerror(errno));
    int one = 1;
    if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one) == 0 || errno != EPERM)
        return escaped("IP_FREEBIND on the host's socket: %s", strerror(errno));
    unsigned char rthdr[24] = {0};
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_RTHDR, rthdr, sizeof rthdr) == 0 || errno != EPERM)
        return escaped("IPV6_RTHDR on the host's socket: %s", strerror(errno));
    if (setsockopt(fd, IPPROTO_IP, IP_TOS, &one, sizeof one) != 0)
        return escaped("IP_TOS refused: %s", strerror(errno));
    close(fd);
    /* what is not granted: another host port, the host's loopback by
     * address (that is the sandbox's own), metadata, private ranges */
    if ((r = net_ask(net_async, NETP_CONNECT, "host.internal", p + 1 > 65535 ? 1 : p + 1, NULL)) !=
        -EACCES)
        return escaped("host.internal:%u (not granted): %d, not EACCES", p + 1, r);
    const char *refused[] = {"169.254.169.254", "10.0.0.1",  "192.168.1.1", "172.16.0.1",
                             "100.64.0.1",      "[fd00::1]", "[fe80::1]",   "8.8.8.8",
                             "0x7f000001",      "127.1"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if ((r = net_ask(net_async, NETP_CONNECT, refused[i], 80, NULL)) != -EACCES &&
            r != -(NETP_DNS_BASE + 4) && r != -(NETP_DNS_BASE + 1))
            return escaped("connect %s:80: %d, not refused", refused[i], r);
    /* the sandbox's 127.0.0.1 is not the host's: granted or not, the
     * host's listener is not there */
    if ((r = net_ask(net_async, NETP_CONNECT, "127.0.0.1", p, NULL)) == 0)
        return escaped("127.0.0.1:%u reached the host's listener", p);
    /* listening is refused without a grant; on no other address */
    if ((r = net_ask(net_sync, NETP_LISTEN, "::1", 0, NULL)) != -EACCES)
        return escaped("listen [::1]:0 without a grant: %d", r);
    if ((r = net_ask(net_sync, NETP_LISTEN, "10.0.0.1", 3000, NULL)) != -EACCES &&
        r != -EADDRNOTAVAIL)
        return escaped("listen 10.0.0.1:3000: %d", r);
    /* forged and malformed requests */
    netp_req_t q = {.version = NETP_VERSION, .op = NETP_CONNECT, .port = (uint16_t)p};
    snprintf(q.host, sizeof q.host, "host.internal");
    struct {
        const char *what;
        size_t n;
        void (*mutate)(netp_req_t *);
    } bad[] = {{"short", 6, NULL}, {"a few bytes less", sizeof q - 3, NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        q.id = ++net_ids;
        if (!net_send(net_async, &q, bad[i].n))
            return escaped("cannot send the %s request", bad[i].what);
    }
    netp_req_t forged[8];
    for (int i = 0; i < 8; i++) {
        forged[i] = q;
        forged[i].id = ++net_ids;
    }
    forged[0].version = 99;
    forged[1].op = 999;
    forged[2].family = 5;
    memset(forged[3].host, 'a', sizeof forged[3].host); /* no NUL */
    forged[4].len = 1u << 30;
    snprintf(forged[5].host, sizeof forged[5].host, "host.internal");
    forged[5].host[sizeof forged[5].host - 1] = 'x'; /* something after the NUL */
    forged[6].flags = 0x8000;
    forged[7].op = NETP_LISTEN; /* a sync op on the async channel */
    for (int i = 0; i < 8; i++) {
        netp_res_t res;
        int rfd;
        if (!net_send(net_async, &forged[i], sizeof forged[i]) ||
            !net_answer(net_async, forged[i].id, &res, &rfd))
            return escaped("forged request %d: no answer", i);
        if (res.status != -EINVAL || rfd >= 0)
            return escaped("forged request %d: status %d, fd %d", i, res.status, rfd);
    }
    /* a connect on the sync channel is refused too */
    q.id = ++net_ids;
    netp_res_t res;
    int rfd;
    if (!net_send(net_sync, &q, sizeof q) || !net_answer(net_sync, q.id, &res, &rfd) ||
        res.status != -EINVAL)
        return escaped("a connect on the sync channel was not refused");
    /* and the supervisor still serves */
    if ((r = net_ask(net_async, NETP_LOOKUP, "localhost", 0, NULL)) != 0)
        return escaped("the supervisor stopped serving: %d", r);
    return held();
}

/* A RESOLVE asked of the guest's own servers (netproto.h netp_dns_opts_t):
 * its status, or -ETIME. */
static int dns_ask_servers(const char *name, const char *const *ips, const unsigned *ports,
                           size_t n, size_t len, unsigned op)
{
    netp_dns_opts_t o = {.timeout_ms = 300, .tries = 1, .nservers = (uint32_t)n};
    for (size_t i = 0; i < n && i < NETP_DNS_SERVERS_MAX; i++) {
        netp_addr_t *a = &o.servers[i];
        a->port = (uint16_t)ports[i];
        if (inet_pton(AF_INET, ips[i], a->addr) == 1)
            a->family = 4;
        else if (inet_pton(AF_INET6, ips[i], a->addr) == 1)
            a->family = 6;
        else
            a->family = 7; /* not an address: the supervisor must refuse the payload */
    }
    uint8_t msg[sizeof(netp_req_t) + sizeof o];
    netp_req_t q = {.version = NETP_VERSION,
                    .id = ++net_ids,
                    .op = (uint16_t)op,
                    .arg = 1, /* A */
                    .len = (uint32_t)len};
    snprintf(q.host, sizeof q.host, "%s", name);
    memcpy(msg, &q, sizeof q);
    memcpy(msg + sizeof q, &o, len < sizeof o ? len : sizeof o);
    netp_res_t res;
    int fd;
    if (!net_send(net_async, msg, sizeof q + len) || !net_answer(net_async, q.id, &res, &fd))
        return -ETIME;
    if (fd >= 0)
        close(fd);
    return res.status;
}

/* The guest's own DNS servers, asked of the supervisor natively (the JS
 * wall's check of setServers() bypassed): a server of the sandbox's
 * loopback it was not granted, the host's networks, the metadata service
 * and a public address (no "*") are refused, alone or beside a granted
 * one; a granted 127.0.0.1 is the sandbox's (the host's listener port
 * there answers nothing); malformed server lists are -EINVAL. */
static int net_dns(void)
{
    char port[16] = "", hip[64] = "";
    FILE *f = fopen("/app/host-port", "r");
    if (!f || !fgets(port, sizeof port, f))
        return escaped("no /app/host-port from wall.sh");
    fclose(f);
    if ((f = fopen("/app/host-ip", "r")) && fgets(hip, sizeof hip, f))
        hip[strcspn(hip, "\n")] = '\0';
    if (f)
        fclose(f);
    unsigned p = (unsigned)strtoul(port, NULL, 10);
    if (net_async < 0)
        return escaped("no network channel");
    const size_t full = sizeof(netp_dns_opts_t);
    const char *refused[] = {"127.0.0.2",
                             "10.0.0.1",
                             "192.168.1.1",
                             "169.254.169.254",
                             "::ffff:a9fe:a9fe",
                             "fd00::1",
                             "fe80::1",
                             "8.8.8.8",
                             "::1",
                             hip[0] ? hip : "127.0.0.3"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        for (unsigned op = NETP_RESOLVE; op <= NETP_REVERSE; op++) {
            const char *one[] = {refused[i]}, *two[] = {"127.0.0.1", refused[i]};
            unsigned p1[] = {53}, p2[] = {1, 53};
            const char *name = op == NETP_REVERSE ? "192.0.2.1" : "example.com";
            int r = dns_ask_servers(name, one, p1, 1, full, op);
            if (r != -EACCES)
                return escaped("dns server %s (op %u): %d, not EACCES", refused[i], op, r);
            if ((r = dns_ask_servers(name, two, p2, 2, full, op)) != -EACCES)
                return escaped("dns servers 127.0.0.1 and %s (op %u): %d", refused[i], op, r);
        }
    }
    /* host.internal's address: only its granted port */
    const char *hi[] = {"127.254.0.1"};
    unsigned other = p + 1 > 65535 ? 1 : p + 1;
    int r = dns_ask_servers("example.com", hi, &other, 1, full, NETP_RESOLVE);
    if (r != -EACCES)
        return escaped("dns server host.internal:%u (not granted): %d", other, r);
    /* granted: the sandbox's own 127.0.0.1 — where the host's listener's
     * port holds nothing (a DNS answer or a timeout would be the host's) */
    const char *lo[] = {"127.0.0.1"};
    r = dns_ask_servers("example.com", lo, &p, 1, full, NETP_RESOLVE);
    if (r != -(NETP_DNS_BASE + ARES_ECONNREFUSED))
        return escaped("dns server 127.0.0.1:%u: %d, not the sandbox's ECONNREFUSED", p, r);
    /* malformed server lists */
    if ((r = dns_ask_servers("example.com", lo, &p, 1, full - 1, NETP_RESOLVE)) != -EINVAL)
        return escaped("a short server list: %d", r);
    if ((r = dns_ask_servers("example.com", lo, &p, 0, full, NETP_RESOLVE)) != -EINVAL)
        return escaped("no servers: %d", r);
    const char *many[NETP_DNS_SERVERS_MAX + 1];
    unsigned mp[NETP_DNS_SERVERS_MAX + 1];
    for (size_t i = 0; i <= NETP_DNS_SERVERS_MAX; i++) {
        many[i] = "127.0.0.1";
        mp[i] = 1;
    }
    if ((r = dns_ask_servers("example.com", many, mp, NETP_DNS_SERVERS_MAX + 1, full,
                             NETP_RESOLVE)) != -EINVAL)
        return escaped("%d servers: %d", NETP_DNS_SERVERS_MAX + 1, r);
    const char *junk[] = {"not-an-address"};
    if ((r = dns_ask_servers("example.com", junk, &p, 1, full, NETP_RESOLVE)) != -EINVAL)
        return escaped("a server of family 7: %d", r);
    if ((r = dns_ask_servers("example.com", lo, &p, 1, full, NETP_LOOKUP)) != -EINVAL)
        return escaped("a server list on a LOOKUP: %d", r);
    if ((r = net_ask(net_async, NETP_LOOKUP, "localhost", 0, NULL)) != 0)
        return escaped("the supervisor stopped serving: %d", r);
    return held();
}

/* One unix socket request (netproto.h NETP_UNIX_*) for the len bytes of
 * addr: its status, *fd the socket handed in (or -1). */
static int unix_ask(int chan, unsigned op, const void *addr, size_t len, int *fd)
{
    uint8_t buf[sizeof(netp_req_t) + NETP_UNIX_ADDR_MAX + 8];
    netp_req_t q = {.version = NETP_VERSION,
                    .id = ++net_ids,
                    .op = (uint16_t)op,
                    .arg = 8,
                    .len = (uint32_t)len};
    memcpy(buf, &q, sizeof q);
    memcpy(buf + sizeof q, addr, len);
    netp_res_t res;
    *fd = -1;
    if (!net_send(chan, buf, sizeof q + len) || !net_answer(chan, q.id, &res, fd))
        return -ETIME;
    return res.status;
}

static int unix_path(unsigned op, const char *path, int *fd)
{
    return unix_ask(net_sync, op, path, strlen(path), fd);
}

/* Unix sockets: the guest makes none itself; through the channel it gets
 * one only where the supervisor's policy grants it (here: /tmp), never
 * through a symlink (one it planted in its own /tmp towards a place the
 * string does not name), and forged requests are refused while the
 * supervisor and the middle's factory keep serving. */
static int net_unix(void)
{
    if (net_sync < 0)
        return escaped("no network channel");
    int raw = socket(AF_UNIX, SOCK_STREAM, 0);
    if (raw >= 0 || errno != EPERM)
        return escaped("socket(AF_UNIX): %s", raw >= 0 ? "made" : strerror(errno));
    int srv, cli, fd, r;
    if ((r = unix_path(NETP_UNIX_LISTEN, "/tmp/ok.sock", &srv)) != 0 || srv < 0)
        return escaped("the granted /tmp/ok.sock was not made: %d", r);
    if ((r = unix_path(NETP_UNIX_CONNECT, "/tmp/ok.sock", &cli)) != 0 || cli < 0)
        return escaped("the granted /tmp/ok.sock was not connected: %d", r);
    struct pollfd pf = {.fd = srv, .events = POLLIN};
    int acc = poll(&pf, 1, 2000) == 1 ? accept4(srv, NULL, NULL, SOCK_CLOEXEC) : -1;
    if (acc < 0 || write(cli, "x", 1) != 1)
        return escaped("the granted socket pair does not talk: %s", strerror(errno));
    close(acc);
    close(cli);
    if ((r = unix_path(NETP_UNIX_LISTEN, "/tmp/ok.sock", &fd)) != -EADDRINUSE)
        return escaped("a second listen on /tmp/ok.sock: %d, not EADDRINUSE", r);
    /* outside the grants: both ops refused by the supervisor */
    const char *outside[] = {"/app/x.sock", "/etc/x.sock", "/run/docker.sock",
                             "/var/run/docker.sock", "/app/host-port"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        if ((r = unix_path(NETP_UNIX_LISTEN, outside[i], &fd)) != -EACCES || fd >= 0)
            return escaped("listen %s: %d, not EACCES", outside[i], r);
        if ((r = unix_path(NETP_UNIX_CONNECT, outside[i], &fd)) != -EACCES || fd >= 0)
            return escaped("connect %s: %d, not EACCES", outside[i], r);
    }
    /* a symlink on the way: the string lies in the grant, what it leads
     * to does not; the factory follows none */
    unlink("/tmp/ln");
    unlink("/tmp/ln.sock");
    if (symlink("/app", "/tmp/ln") < 0 || symlink("/tmp/ok.sock", "/tmp/ln.sock") < 0)
        return escaped("cannot plant the symlinks: %s", strerror(errno));
    if ((r = unix_path(NETP_UNIX_LISTEN, "/tmp/ln/x.sock", &fd)) != -ELOOP || fd >= 0)
        return escaped("listen through a planted folder symlink: %d, not ELOOP", r);
    if ((r = unix_path(NETP_UNIX_CONNECT, "/tmp/ln/host-port", &fd)) != -ELOOP || fd >= 0)
        return escaped("connect through a planted folder symlink: %d, not ELOOP", r);
    if ((r = unix_path(NETP_UNIX_CONNECT, "/tmp/ln.sock", &fd)) != -ELOOP || fd >= 0)
        return escaped("connect to a planted socket symlink: %d, not ELOOP", r);
    /* malformed: relative, unnormalised, a NUL inside, empty, too long,
     * a host beside the payload */
    const struct {
        const char *a;
        size_t n;
    } bad[] = {{"tmp/x.sock", 10}, {"/tmp/../app/x", 13}, {"/tmp//x", 7}, {"/tmp/a\0b", 8}, {"", 0},
               {"\0", 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if ((r = unix_ask(net_sync, NETP_UNIX_LISTEN, bad[i].a, bad[i].n, &fd)) != -EINVAL ||
            fd >= 0)
            return escaped("malformed address %zu: %d, not EINVAL", i, r);
    uint8_t big[sizeof(netp_req_t) + NETP_UNIX_ADDR_MAX + 1];
    netp_req_t q = {.version = NETP_VERSION,
                    .id = ++net_ids,
                    .op = NETP_UNIX_LISTEN,
                    .len = NETP_UNIX_ADDR_MAX + 1};
    memcpy(big, &q, sizeof q);
    memset(big + sizeof q, 'a', NETP_UNIX_ADDR_MAX + 1);
    big[sizeof q] = '/';
    netp_res_t res;
    if (!net_send(net_sync, big, sizeof big) || !net_answer(net_sync, q.id, &res, &fd) ||
        res.status != -EINVAL || fd >= 0)
        return escaped("a too long address was not refused");
    q.id = ++net_ids;
    q.len = 5;
    snprintf(q.host, sizeof q.host, "localhost");
    memcpy(big, &q, sizeof q);
    memcpy(big + sizeof q, "/tmp/", 5);
    if (!net_send(net_sync, big, sizeof q + 5) || !net_answer(net_sync, q.id, &res, &fd) ||
        res.status != -EINVAL)
        return escaped("a host beside a unix address was not refused");
    /* an abstract name is the sandbox's own (the probe grants 127.0.0.1) */
    if ((r = unix_ask(net_sync, NETP_UNIX_LISTEN, "\0se-wall-unix", 13, &fd)) != 0 || fd < 0)
        return escaped("the sandbox's abstract name: %d", r);
    close(fd);
    /* and both still serve */
    if ((r = unix_path(NETP_UNIX_LISTEN, "/tmp/ok2.sock", &fd)) != 0 || fd < 0)
        return escaped("the factory stopped serving: %d", r);
    close(fd);
    close(srv);
    return held();
}

/* One UDP request (netproto.h): its status; *fd the socket handed in (or
 * -1), *value the answer's value. */
static int udp_ask(int chan, unsigned op, const char *host, unsigned port, int family,
                   unsigned flags, int32_t handle, const void *payload, size_t plen, int *fd,
                   int32_t *value)
{
    static uint8_t msg[sizeof(netp_req_t) + 70 * 1024];
    netp_req_t q = {.version = NETP_VERSION,
                    .id = ++net_ids,
                    .op = (uint16_t)op,
                    .port = (uint16_t)port,
                    .family = (uint8_t)family,
                    .flags = (uint16_t)flags,
                    .arg = handle,
                    .len = (uint32_t)plen};
    snprintf(q.host, sizeof q.host, "%s", host);
    memcpy(msg, &q, sizeof q);
    if (plen)
        memcpy(msg + sizeof q, payload, plen);
    netp_res_t res;
    int junk;
    if (!fd)
        fd = &junk;
    if (!net_send(chan, msg, sizeof q + plen) || !net_answer(chan, q.id, &res, fd))
        return -ETIME;
    if (fd == &junk && junk >= 0)
        close(junk);
    if (value)
        *value = res.value;
    return res.status;
}

/* The seccomp wall on a UDP socket handed in: it cannot be re-pointed
 * (connect, bind) nor address a datagram itself (sendto, sendmsg). NULL
 * or what went through. */
static const char *udp_repoint(int fd)
{
    struct sockaddr_in meta = {.sin_family = AF_INET, .sin_port = htons(53)};
    inet_pton(AF_INET, "169.254.169.254", &meta.sin_addr);
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    if (connect(fd, (struct sockaddr *)&meta, sizeof meta) == 0 || errno != EPERM)
        return "connect";
    if (connect(fd, &unspec, sizeof unspec) == 0 || errno != EPERM)
        return "connect(AF_UNSPEC)";
    if (bind(fd, (struct sockaddr *)&meta, sizeof meta) == 0 || errno != EPERM)
        return "bind";
    /* an addressed sendto: EPERM under the default policy; the strict one
     * kills (net-udp-sendto) */
    if (strcmp(policy_name, "strict") &&
        (sendto(fd, "x", 1, 0, (struct sockaddr *)&meta, sizeof meta) >= 0 || errno != EPERM))
        return "an addressed sendto";
    struct iovec iov = {.iov_base = "x", .iov_len = 1};
    struct msghdr m = {
        .msg_name = &meta, .msg_namelen = sizeof meta, .msg_iov = &iov, .msg_iovlen = 1};
    if (sendmsg(fd, &m, 0) >= 0 || errno != EPERM)
        return "an addressed sendmsg";
    struct mmsghdr mm = {.msg_hdr = m};
    if (sendmmsg(fd, &mm, 1, 0) >= 0 || errno != EPERM)
        return "sendmmsg";
    return NULL;
}

/* UDP through the supervisor (NETP_UDP_*): a socket from UDP_BIND cannot
 * be re-pointed; datagrams go only where WALL_NET_ALLOW grants (the
 * sandbox's 127.0.0.1, host.internal:PORT); a socket of the sandbox's
 * reaches nothing outside, one of the host's not the host's loopback by
 * address; forged handles and payloads are refused; the supervisor keeps
 * serving. */
static int net_udp(void)
{
    char port[16] = "";
    FILE *f = fopen("/app/host-port", "r");
    if (!f || !fgets(port, sizeof port, f))
        return escaped("no /app/host-port from wall.sh");
    fclose(f);
    unsigned p = (unsigned)strtoul(port, NULL, 10);
    if (net_async < 0 || net_sync < 0)
        return escaped("no network channel");
    int fd = -1, r;
    int32_t h = 0, h2 = 0, v = 0;
    /* the sandbox's loopback, granted */
    if ((r = udp_ask(net_sync, NETP_UDP_BIND, "127.0.0.1", 0, 4, 0, 0, NULL, 0, &fd, &h)) != 0 ||
        fd < 0 || h < 1)
        return escaped("UDP_BIND 127.0.0.1:0 failed: %d", r);
    const char *why = udp_repoint(fd);
    if (why)
        return escaped("%s on the UDP socket from UDP_BIND: %s", why, strerror(errno));
    struct sockaddr_in self;
    socklen_t sl = sizeof self;
    if (getsockname(fd, (struct sockaddr *)&self, &sl) < 0)
        return escaped("getsockname: %s", strerror(errno));
    /* a datagram to itself through the supervisor arrives */
    if ((r = udp_ask(net_async, NETP_UDP_SEND, "127.0.0.1", ntohs(self.sin_port), 4, 0, h, "ping",
                     4, NULL, &v)) != 0 ||
        v != 4)
        return escaped("UDP_SEND to itself: %d (%d bytes)", r, v);
    char got[8] = "";
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    if (poll(&pf, 1, 2000) != 1 || recv(fd, got, sizeof got, MSG_DONTWAIT) != 4)
        return escaped("the datagram to itself did not arrive");
    /* nothing outside from the sandbox's socket; nothing ungranted */
    const char *outside[] = {"169.254.169.254", "10.0.0.1",      "192.168.1.1",
                             "8.8.8.8",         "host.internal", "255.255.255.255"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        if ((r = udp_ask(net_async, NETP_UDP_SEND, outside[i], 53, 4, 0, h, "x", 1, NULL, NULL)) ==
            0)
            return escaped("the sandbox's UDP socket sent to %s", outside[i]);
        if ((r = udp_ask(net_sync, NETP_UDP_CONNECT, outside[i], 53, 4, 0, h, NULL, 0, NULL,
                         NULL)) == 0)
            return escaped("the sandbox's UDP socket connected to %s", outside[i]);
    }
    if ((r = udp_ask(net_async, NETP_UDP_SEND, "127.0.0.2", 9, 4, 0, h, "x", 1, NULL, NULL)) !=
        -EACCES)
        return escaped("UDP_SEND 127.0.0.2 (not granted): %d", r);
    /* forged handles: out of range, and in range but never handed out */
    int32_t forged[] = {0, -1, NETP_UDP_MAX + 1, 0x7fffffff, h == NETP_UDP_MAX ? 1 : h + 1};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        r = udp_ask(net_async, NETP_UDP_SEND, "127.0.0.1", ntohs(self.sin_port), 4, 0, forged[i],
                    "x", 1, NULL, NULL);
        if (r != -EINVAL && r != -EBADF)
            return escaped("UDP_SEND with forged handle %d: %d", forged[i], r);
        r = udp_ask(net_sync, NETP_UDP_CONNECT, "127.0.0.1", 9, 4, 0, forged[i], NULL, 0, NULL,
                    NULL);
        if (r != -EINVAL && r != -EBADF)
            return escaped("UDP_CONNECT with forged handle %d: %d", forged[i], r);
        r = udp_ask(net_sync, NETP_UDP_CLOSE, "", 0, 0, 0, forged[i], NULL, 0, NULL, NULL);
        if (r != -EINVAL && r != -EBADF)
            return escaped("UDP_CLOSE with forged handle %d: %d", forged[i], r);
    }
    /* an oversized payload, a payload on another op */
    static char big[NETP_UDP_PAYLOAD_MAX + 1];
    if ((r = udp_ask(net_async, NETP_UDP_SEND, "127.0.0.1", 9, 4, 0, h, big, sizeof big, NULL,
                     NULL)) != -EMSGSIZE &&
        r != -EINVAL)
        return escaped("a %zu-byte UDP_SEND: %d", sizeof big, r);
    if ((r = udp_ask(net_sync, NETP_UDP_CONNECT, "127.0.0.1", 9, 4, 0, h, "x", 1, NULL, NULL)) !=
        -EINVAL)
        return escaped("UDP_CONNECT with a payload: %d", r);
    /* binds: not on an address the sandbox lacks, not ungranted */
    if ((r = udp_ask(net_sync, NETP_UDP_BIND, "10.0.0.1", 53, 4, 0, 0, NULL, 0, NULL, NULL)) == 0)
        return escaped("UDP_BIND 10.0.0.1:53");
    if ((r = udp_ask(net_sync, NETP_UDP_BIND, "::1", 0, 6, 0, 0, NULL, 0, NULL, NULL)) != -EACCES)
        return escaped("UDP_BIND [::1]:0 without a grant: %d", r);
    /* a socket of the host's: only for a granted first destination */
    const char *denied[] = {"169.254.169.254", "10.0.0.1", "127.0.0.1", "255.255.255.255",
                            "224.0.0.251"};
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
        if ((r = udp_ask(net_sync, NETP_UDP_BIND, denied[i], 53, 4, NETP_F_OUTSIDE, 0, NULL, 0,
                         NULL, NULL)) == 0)
            return escaped("an outside UDP socket for %s:53", denied[i]);
    int hfd = -1;
    if ((r = udp_ask(net_sync, NETP_UDP_BIND, "host.internal", p, 4, NETP_F_OUTSIDE, 0, NULL, 0,
                     &hfd, &h2)) != 0 ||
        hfd < 0)
        return escaped("an outside UDP socket for host.internal:%u (granted): %d", p, r);
    if ((why = udp_repoint(hfd)))
        return escaped("%s on the host's UDP socket: %s", why, strerror(errno));
    /* the host's loopback only as host.internal and its granted port */
    if ((r = udp_ask(net_async, NETP_UDP_SEND, "127.0.0.1", p, 4, 0, h2, "x", 1, NULL, NULL)) == 0)
        return escaped("the host's UDP socket sent to 127.0.0.1:%u (the host's loopback)", p);
    if ((r = udp_ask(net_async, NETP_UDP_SEND, "host.internal", p + 1 > 65535 ? 1 : p + 1, 4, 0, h2,
                     "x", 1, NULL, NULL)) != -EACCES)
        return escaped("host.internal:%u (not granted): %d", p + 1, r);
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
        if ((r = udp_ask(net_async, NETP_UDP_SEND, denied[i], 53, 4, 0, h2, "x", 1, NULL, NULL)) ==
            0)
            return escaped("the host's UDP socket sent to %s:53", denied[i]);
    if ((r = udp_ask(net_async, NETP_UDP_SEND, "host.internal", p, 4, 0, h2, "x", 1, NULL, &v)) !=
        0)
        return escaped("host.internal:%u (granted) not sent: %d", p, r);
    if ((r = udp_ask(net_sync, NETP_UDP_CONNECT, "8.8.8.8", 53, 4, 0, h2, NULL, 0, NULL, NULL)) ==
        0)
        return escaped("the host's UDP socket connected to 8.8.8.8:53 (not granted)");
    /* closed handles are gone */
    if ((r = udp_ask(net_sync, NETP_UDP_CLOSE, "", 0, 0, 0, h, NULL, 0, NULL, NULL)) != 0)
        return escaped("UDP_CLOSE: %d", r);
    if ((r = udp_ask(net_async, NETP_UDP_SEND, "127.0.0.1", 9, 4, 0, h, "x", 1, NULL, NULL)) !=
        -EBADF)
        return escaped("UDP_SEND on a closed handle: %d", r);
    close(fd);
    close(hfd);
    if ((r = net_ask(net_async, NETP_LOOKUP, "localhost", 0, NULL)) != 0)
        return escaped("the supervisor stopped serving: %d", r);
    return held();
}

/* 100 unix socketpairs and 50 loopback TCP connections, each direction
 * written until it would block, after asking for 4 MiB buffers: what the
 * kernel queued must stay inside the run's memory. */
static int fill_sockets(void)
{
    int v = 4 << 20;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s >= 0 && setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0)
        return escaped("SO_SNDBUF was set");
    if (s >= 0 && setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) == 0)
        return escaped("SO_RCVBUFFORCE was set");
    if (s >= 0)
        close(s);
    static char block[1 << 16];
    uint64_t queued = 0;
    int fds[256], nfd = 0;
    for (int i = 0; i < 100; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
            break;
        fds[nfd++] = sv[0];
        fds[nfd++] = sv[1];
    }
    /* loopback TCP: sockets the supervisor makes (WALL_NET_ALLOW grants
     * 127.0.0.1) */
    int l = -1;
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int r = net_sync >= 0 ? net_ask(net_sync, NETP_LISTEN, "127.0.0.1", 0, &l) : -EBADF;
    if (r < 0 || l < 0 || getsockname(l, (struct sockaddr *)&a, &al) < 0)
        return escaped("no loopback listener: %d", r);
    for (int i = 0; i < 25 && nfd + 2 <= 250; i++) {
        int c = -1;
        if (net_ask(net_async, NETP_CONNECT, "127.0.0.1", ntohs(a.sin_port), &c) < 0 || c < 0)
            break;
        int d = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (d < 0)
            break;
        fcntl(c, F_SETFL, O_NONBLOCK);
        fds[nfd++] = c;
        fds[nfd++] = d;
    }
    for (int i = 0; i < nfd; i++)
        for (;;) {
            ssize_t w = send(fds[i], block, sizeof block, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w <= 0)
                break;
            queued += (uint64_t)w;
        }
    /* the host side samples its memory while this holds the buffers */
    printf("queued %" PRIu64 " MiB on %d descriptors\n", queued >> 20, nfd);
    fflush(stdout);
    sleep(1);
    return queued < (100u << 20) ? held() : escaped("%" PRIu64 " MiB queued", queued >> 20);
}

/* socket(family, type, protocol) must be refused: the guest makes no
 * socket of the internet families at all (the supervisor makes them), so
 * the protocols the rules once told apart are refused with them. */
static int socket_refused(int protocol, int type, const char *what)
{
    int fam[] = {AF_INET, AF_INET6};
    for (int i = 0; i < 2; i++) {
        int fd = socket(fam[i], type | SOCK_CLOEXEC, protocol);
        if (fd >= 0)
            return escaped("an %s %s socket opened", i ? "inet6" : "inet", what);
        if (socket(fam[i], type | SOCK_CLOEXEC, 0) >= 0)
            return escaped("an %s socket opened", i ? "inet6" : "inet");
    }
    return held();
}

/* setsockopt(SOL_SOCKET, opt) with a socket filter: refused by seccomp
 * (EPERM; the kernel itself would take the classic program and answer
 * EBADF, not EPERM, for the eBPF descriptor). */
static int filter_refused(int opt, bool classic)
{
    struct sock_filter code[] = {BPF_STMT(BPF_RET | BPF_K, 0xffff)};
    struct sock_fprog prog = {.len = 1, .filter = code};
    int bad_fd = 1000;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
        return escaped("no socketpair: %s", strerror(errno));
    int fd = sv[0];
    int r = classic ? setsockopt(fd, SOL_SOCKET, opt, &prog, sizeof prog)
                    : setsockopt(fd, SOL_SOCKET, opt, &bad_fd, sizeof bad_fd);
    if (r == 0)
        return escaped("the filter was attached");
    return errno == EPERM ? held() : escaped("refused with %s, not by seccomp", strerror(errno));
}

/* Every lock on a file the guest cannot write (/etc/hosts, the app's
 * files) fails: flock, POSIX and OFD record locks, a lease. */
static int locks_refused(void)
{
    const char *files[] = {"/etc/hosts", "/etc/resolv.conf", "/app/lockme"};
    int tried = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        int fd = open(files[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        tried++;
        struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return escaped("flock(LOCK_EX) on %s", files[i]);
        if (flock(fd, LOCK_SH | LOCK_NB) == 0)
            return escaped("flock(LOCK_SH) on %s", files[i]);
        if (fcntl(fd, F_SETLK, &fl) == 0)
            return escaped("F_SETLK on %s", files[i]);
        if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
            return escaped("F_OFD_SETLK on %s", files[i]);
        if (fcntl(fd, F_GETLK, &fl) == 0)
            return escaped("F_GETLK on %s", files[i]);
        if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0)
            return escaped("a read lease on %s", files[i]);
        close(fd);
    }
    return tried ? held() : escaped("no file to lock (/app/lockme missing)");
}

/* In the write grant: no way to a setuid or setgid file (wall.sh then
 * looks on the host). */
static int setuid_refused(void)
{
    char p[512];
    if (!rw)
        return escaped("no write grant given");
    snprintf(p, sizeof p, "%s/created", rw);
    int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 06755);
    if (fd >= 0)
        return escaped("open(O_CREAT, 06755) made a file");
    fd = (int)syscall(SYS_openat, AT_FDCWD, p, O_WRONLY | O_CREAT | O_EXCL, 04755);
    if (fd >= 0)
        return escaped("openat(O_CREAT, 04755) made a file");
    struct open_how how = {.flags = O_WRONLY | O_CREAT | O_CLOEXEC, .mode = 06755};
    fd = (int)syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof how);
    if (fd >= 0)
        return escaped("openat2 with mode 06755 made a file");
    fd = open(rw, O_TMPFILE | O_WRONLY | O_CLOEXEC, 04755);
    if (fd >= 0)
        return escaped("O_TMPFILE with mode 04755 opened");
    snprintf(p, sizeof p, "%s/plain", rw);
    fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
    if (fd < 0)
        return escaped("a plain 0755 file could not be made: %s", strerror(errno));
    if (chmod(p, 06755) == 0)
        return escaped("chmod 6755 worked");
    if (fchmod(fd, 04755) == 0)
        return escaped("fchmod 4755 worked");
    if (fchmodat(AT_FDCWD, p, 02755, 0) == 0)
        return escaped("fchmodat 2755 worked");
    if (chmod(p, 0700) < 0)
        return escaped("chmod 0700 was refused: %s", strerror(errno));
    close(fd);
    snprintf(p, sizeof p, "%s/dir", rw);
    if (mkdir(p, 06755) < 0) /* the kernel drops both bits of a mkdir */
        return escaped("mkdir 06755 was refused: %s", strerror(errno));
    if (chmod(p, 02755) == 0)
        return escaped("chmod 2755 on a folder worked");
    return held();
}

/* ---- proc-host: nothing under /proc or /sys names the host ----------------- */

/* What the host is, read before the sandbox: the host paths of the app
 * and of a granted folder, the boot arguments, the boot id, the host name. */
typedef struct {
    char app[4096], grant[4096], cmdline[4096], boot_id[64], hostname[256];
} host_facts_t;
static host_facts_t host;

typedef struct {
    size_t files, bytes;
    char found[512]; /* the first file that names the host, and what */
} walk_t;

#define WALK_MAX_FILES 20000
#define WALK_MAX_FILE_BYTES (64u << 10)
#define WALK_MAX_BYTES (64u << 20)

static void read_line(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(out, (int)cap, f))
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* needle in buf[0..n) as a whole word (host names are short words) */
static bool has_word(const char *buf, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (const char *p = buf; k && (p = memmem(p, n - (size_t)(p - buf), needle, k)); p++)
        if ((p == buf || !word_char(p[-1])) && (p + k == buf + n || !word_char(p[k])))
            return true;
    return false;
}

static void check_text(walk_t *w, const char *path, const char *buf, size_t n)
{
    const struct {
        const char *what, *needle;
        bool word;
    } facts[] = {{"the app's host path", host.app, false},
                 {"the grant's host path", host.grant, false},
                 {"the host's boot arguments", host.cmdline, false},
                 {"the host's boot id", host.boot_id, false},
                 {"the host name", host.hostname, true}};
    for (size_t i = 0; i < sizeof facts / sizeof facts[0] && !w->found[0]; i++) {
        const char *nd = facts[i].needle;
        if (!nd[0])
            continue;
        bool hit = facts[i].word ? has_word(buf, n, nd) : memmem(buf, n, nd, strlen(nd)) != NULL;
        if (hit)
            snprintf(w->found, sizeof w->found, "%s names %s (%s)", path, facts[i].what, nd);
    }
}

/* Every file and link below path (links not followed), bounded. */
static void walk(walk_t *w, const char *path, int depth)
{
    static char buf[WALK_MAX_FILE_BYTES];
    struct stat st;
    if (w->found[0] || w->files >= WALK_MAX_FILES || w->bytes >= WALK_MAX_BYTES ||
        lstat(path, &st) < 0)
        return;
    w->files++;
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(path, buf, sizeof buf);
        if (n > 0)
            check_text(w, path, buf, (size_t)n);
        return;
    }
    if (S_ISREG(st.st_mode)) {
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            return;
        size_t got = 0;
        for (ssize_t n; got < sizeof buf && (n = read(fd, buf + got, sizeof buf - got)) > 0;)
            got += (size_t)n;
        close(fd);
        w->bytes += got;
        check_text(w, path, buf, got);
        return;
    }
    if (!S_ISDIR(st.st_mode) || depth > 8)
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && !w->found[0]) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char child[4096];
        if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) < (int)sizeof child)
            walk(w, child, depth + 1);
    }
    closedir(d);
}

static int proc_host(void)
{
    walk_t w = {0};
    walk(&w, "/proc", 0);
    walk(&w, "/sys", 0);
    /* and the files of /etc that name hosts */
    walk(&w, "/etc/hosts", 0);
    walk(&w, "/etc/hostname", 0);
    if (w.found[0])
        return escaped("%s", w.found);
    if (w.files < 50)
        return escaped("only %zu entries under /proc and /sys: the walk saw nothing", w.files);
    return held();
}

static int run(void *arg)
{
    (void)arg;
    if (!strcmp(test, "host-files")) {
        const char *paths[] = {"/etc/shadow", "/root", "/home", canary, "/var", "/sys/kernel"};
        return invisible(paths, sizeof paths / sizeof paths[0]);
    }
    if (!strcmp(test, "pid-ns")) {
        if (getpid() != 1)
            return escaped("pid %d, not 1", (int)getpid());
        DIR *d = opendir("/proc");
        if (!d)
            return escaped("no /proc");
        struct dirent *e;
        int others = 0;
        while ((e = readdir(d)))
            if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp(e->d_name, "1"))
                others++;
        closedir(d);
        return others ? escaped("%d other pids visible", others) : held();
    }
    if (!strcmp(test, "net-none")) {
        /* the guest may not even list them (netlink is refused: the
         * runtime lists them before its seccomp policy); where it can,
         * only lo */
        struct if_nameindex *ifs = if_nameindex();
        if (!ifs)
            return errno == EPERM ? held() : escaped("if_nameindex: %s", strerror(errno));
        int bad = 0;
        for (struct if_nameindex *i = ifs; i->if_index; i++)
            if (strcmp(i->if_name, "lo"))
                bad++;
        if_freenameindex(ifs);
        return bad ? escaped("%d interfaces besides lo", bad) : held();
    }
    if (!strcmp(test, "net-outside")) {
        /* wall.sh listens on the host (every address, port in
         * /app/host-port) and names a host address in /app/host-ip: a raw
         * socket must reach neither, nor the metadata service, nor a public
         * resolver (TCP and UDP) — the namespace has only its own lo */
        char ip[64] = "", port[16] = "";
        FILE *f = fopen("/app/host-ip", "r");
        if (f) {
            if (!fgets(ip, sizeof ip, f))
                ip[0] = 0;
            fclose(f);
        }
        f = fopen("/app/host-port", "r");
        if (f) {
            if (!fgets(port, sizeof port, f))
                port[0] = 0;
            fclose(f);
        }
        ip[strcspn(ip, "\n")] = 0;
        int p = (int)strtol(port, NULL, 10);
        if (!ip[0] || p <= 0)
            return escaped("no /app/host-ip or /app/host-port from wall.sh");
        const char *targets[] = {"127.0.0.1", ip, "169.254.169.254", "8.8.8.8"};
        int ports[] = {p, p, 80, 53};
        for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
            struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ports[i])};
            if (inet_pton(AF_INET, targets[i], &a.sin_addr) != 1)
                return escaped("bad address %s", targets[i]);
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0)
                continue; /* refused at socket(): held */
            int r = connect(fd, (struct sockaddr *)&a, sizeof a);
            close(fd);
            if (r == 0)
                return escaped("TCP connect to %s:%d", targets[i], ports[i]);
            fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0)
                continue;
            r = (int)sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
            close(fd);
            if (r == 1 && strcmp(targets[i], "127.0.0.1"))
                return escaped("UDP datagram sent to %s:%d", targets[i], ports[i]);
        }
        return held();
    }
    if (!strcmp(test, "mount"))
        return mount("tmpfs", "/tmp", "tmpfs", 0, NULL) == 0 ? escaped("mount worked") : held();
    if (!strcmp(test, "unshare"))
        return unshare(CLONE_NEWUSER) == 0 ? escaped("unshare worked") : held();
    if (!strcmp(test, "ptrace"))
        return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? escaped("ptrace worked") : held();
    if (!strcmp(test, "proc-mem")) {
        int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
            close(fd);
            return escaped("/proc/self/mem opened for writing");
        }
        return held();
    }
    if (!strcmp(test, "write-app")) {
        int fd = open("/app/escape.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            close(fd);
            return escaped("created /app/escape.txt");
        }
        return held();
    }
    if (!strcmp(test, "tmp-size")) {
        int fd = open("/tmp/big", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return escaped("/tmp not writable: %s", strerror(errno));
        static char block[1 << 16];
        memset(block, 'x', sizeof block);
        for (int i = 0; i < 4096; i++) /* 256 MiB, above the limit */
            if (write(fd, block, sizeof block) < 0) {
                int e = errno;
                close(fd);
                return e == ENOSPC ? held() : escaped("write failed with %s", strerror(e));
            }
        close(fd);
        return escaped("256 MiB fit in /tmp");
    }
    if (!strcmp(test, "pids")) {
        /* threads count against RLIMIT_NPROC (64 here) like processes:
         * it is counted per user namespace and binds an unprivileged id */
        int made = 0;
        for (int i = 0; i < 1024; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, idle, NULL) != 0)
                break;
            made++;
        }
        return made < 64 ? held() : escaped("%d threads started", made);
    }
    /* ---- processes with a run grant (/usr/bin/true only) ---------- */
    if (!strcmp(test, "run-granted")) {
        /* the grant works: a raw fork and execve of the granted program */
        pid_t pid = fork();
        if (pid == 0) {
            char *av[] = {"true", NULL}, *ev[] = {NULL};
            execve("/usr/bin/true", av, ev);
            _exit(100 + errno);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) != pid)
            return escaped("the granted program could not start: %s", strerror(errno));
        return WIFEXITED(st) && WEXITSTATUS(st) == 0
                   ? held()
                   : escaped("the granted program ended with %d", WEXITSTATUS(st));
    }
    if (!strcmp(test, "run-other") || !strcmp(test, "run-self") || !strcmp(test, "run-tmp-copy")) {
        /* a raw execve of a program the grant does not name: Landlock's
         * execute right (and, for a file the guest wrote, a noexec mount) */
        const char *path = !strcmp(test, "run-other")  ? "/usr/bin/id"
                           : !strcmp(test, "run-self") ? "/proc/self/exe"
                                                       : "/tmp/copy-of-true";
        if (!strcmp(test, "run-tmp-copy")) {
            int in = open("/usr/bin/true", O_RDONLY | O_CLOEXEC);
            int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
            char buf[65536];
            ssize_t n;
            while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
                if (write(out, buf, (size_t)n) != n)
                    break;
            if (in < 0 || out < 0 || fchmod(out, 0755) < 0)
                return escaped("cannot make the copy: %s", strerror(errno));
            close(in);
            close(out);
        }
        char *av[] = {(char *)path, NULL}, *ev[] = {NULL};
        execve(path, av, ev);
        return errno == EACCES ? held() : escaped("execve %s: %s", path, strerror(errno));
    }
    if (!strcmp(test, "run-fork-bomb")) {
        /* the pids limit (64) holds a fork bomb to EAGAIN; the children go
         * with the sandbox */
        int made = 0, e = 0;
        for (int i = 0; i < 4096; i++) {
            pid_t pid = fork();
            if (pid == 0) {
                pause();
                _exit(0);
            }
            if (pid < 0) {
                e = errno;
                break;
            }
            made++;
        }
        return made < 64 && e == EAGAIN ? held()
                                        : escaped("%d processes made (%s)", made, strerror(e));
    }
    if (!strcmp(test, "inotify")) {
        /* inotify (fs.watch) is counted against the user who ran the
         * sandbox too: its own user namespace allows 8 instances and 8192
         * watches (sandbox.c user_limits), so no guest uses up the host
         * user's */
        int made = 0, e = 0;
        for (; made < 200; made++) {
            if (inotify_init1(IN_CLOEXEC) < 0) {
                e = errno;
                break;
            }
        }
        if (made > 8 || e != EMFILE)
            return escaped("%d inotify instances made (%s)", made, strerror(e));
        char v[32] = "";
        int fd = open("/proc/sys/user/max_inotify_watches", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, v, sizeof v - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (n > 0 && strtol(v, NULL, 10) > 8192)
            return escaped("max_inotify_watches is %s", v);
        return held();
    }
    if (!strcmp(test, "run-memfd")) {
        /* the run's policy is the launcher's sealed memfd: none can be made
         * in here to stand in for it (launcher/nested.h) */
        int fd = (int)syscall(SYS_memfd_create, "secure-exec-policy", 3u /* CLOEXEC|SEALING */);
        return fd < 0 ? held() : escaped("memfd_create made descriptor %d", fd);
    }
    if (!strcmp(test, "run-namespaces")) {
        /* processes, never new namespaces: clone with a namespace flag is
         * killed */
        pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (pid == 0)
            _exit(0);
        return pid < 0 ? held() : escaped("clone(CLONE_NEWUSER) made pid %d", (int)pid);
    }
    if (!strcmp(test, "fork")) {
        /* no run grant: a fork bomb stops at the first fork */
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        return pid > 0 ? escaped("fork made pid %d", (int)pid) : held();
    }
    if (!strcmp(test, "caps")) {
        const char *fields[] = {"CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh"};
        char v[64];
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (status_field(fields[i], v, sizeof v) < 0 || strcmp(v, "0000000000000000"))
                return escaped("%s is %s", fields[i], v);
        if (status_field("NoNewPrivs", v, sizeof v) < 0 || strcmp(v, "1"))
            return escaped("NoNewPrivs %s", v);
        if (status_field("Seccomp", v, sizeof v) < 0 || strcmp(v, "2"))
            return escaped("Seccomp %s", v);
        return held();
    }
    if (!strcmp(test, "fds")) {
        DIR *d = opendir("/proc/self/fd");
        if (!d)
            return escaped("no /proc/self/fd");
        struct dirent *e;
        int extra = 0;
        while ((e = readdir(d))) {
            int fd = (int)strtol(e->d_name, NULL, 10);
            if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
                continue;
            /* the runtime's claim pipe (launcher/report.h): its write end only */
            if (fd == lch_claim_fd() && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY)
                continue;
            /* its two ends of the supervisor's network channel */
            if (fd == net_async || fd == net_sync)
                continue;
            extra++;
        }
        closedir(d);
        return extra ? escaped("%d descriptors besides stdio", extra) : held();
    }
    if (!strcmp(test, "tiocsti")) {
        char c = 'x';
        int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
        if (fd < 0)
            fd = 0;
        if (ioctl(fd, TIOCSTI, &c) == 0)
            return escaped("TIOCSTI worked");
        if (syscall(SYS_ioctl, fd, (unsigned long)TIOCSTI | (1UL << 32), &c) == 0)
            return escaped("TIOCSTI with bit 32 worked");
        return held();
    }
    if (!strcmp(test, "clone3")) {
        struct clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.flags = CLONE_NEWUSER;
        ca.exit_signal = SIGCHLD;
        long r = syscall(SYS_clone3, &ca, sizeof ca);
        if (r == 0)
            _exit(0);
        if (r > 0)
            return escaped("clone3 made pid %ld", r);
        return errno == ENOSYS ? held()
                               : escaped("clone3 failed with %s, not ENOSYS", strerror(errno));
    }
    if (!strcmp(test, "symlinks")) {
        /* short symlinks take no tmpfs block, only an inode: the inode
         * cap must stop them long before 400k */
        char name[64];
        int made = 0, e = 0;
        for (; made < 400000; made++) {
            snprintf(name, sizeof name, "/tmp/l%d", made);
            if (symlink("x", name) < 0) {
                e = errno;
                break;
            }
        }
        if (made == 400000)
            return escaped("400000 symlinks in /tmp");
        return e == ENOSPC ? held() : escaped("symlink failed with %s", strerror(e));
    }
    if (!strcmp(test, "sockbuf"))
        return fill_sockets();
    if (!strcmp(test, "proc-host"))
        return proc_host();
    if (!strcmp(test, "output")) {
        /* 64 MiB to stdout: the run must end at the cap (16 MiB here) */
        static char block[1 << 16];
        memset(block, 'o', sizeof block);
        for (int i = 0; i < 1024; i++)
            if (write(1, block, sizeof block) < 0)
                return 3;
        return 0;
    }
    if (!strcmp(test, "cpu")) {
        /* SIGXCPU ignored and blocked: only a limit from outside stops this */
        signal(SIGXCPU, SIG_IGN);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGXCPU);
        sigprocmask(SIG_BLOCK, &set, NULL);
        for (volatile uint64_t i = 0;; i++)
            ;
    }
    if (!strcmp(test, "claim-forged")) {
        /* a native guest writes claims the supervisor must not take: a
         * time limit in a run without one, the output and seccomp limits
         * (only the supervisor sees those), a status that does not match */
        lch_claim_send(LCH_LIMIT_OUTPUT, 0);
        lch_claim_send(LCH_LIMIT_SECCOMP, 0);
        lch_claim_send(LCH_LIMIT_TIME, 0);
        _exit(124);
    }
    if (!strcmp(test, "memory")) {
        /* native memory the V8 budget never sees: the run's cgroup ends it */
        size_t total = 0;
        for (int i = 0; i < 1024; i++) {
            char *p = malloc(1 << 20);
            if (!p)
                break;
            memset(p, i, 1 << 20);
            total += 1 << 20;
        }
        return escaped("%zu MiB touched", total >> 20);
    }
    if (!strcmp(test, "stdin")) {
        /* the guest's 0 is its own read-only description of the host's
         * (wall.sh gives a file opened read-write): no write reaches the
         * file, no flag the host's description (main checks O_NONBLOCK) */
        if (write(0, "X", 1) >= 0)
            return escaped("a write to descriptor 0 went through");
        int e = errno;
        if (fcntl(0, F_SETFL, O_NONBLOCK) < 0)
            return escaped("fcntl(0, F_SETFL): %s", strerror(errno));
        return e == EBADF ? held() : escaped("write(0) failed with %s, not EBADF", strerror(e));
    }
    if (!strcmp(test, "unix-path")) {
        /* wall.sh listens on a unix socket in the app folder: no way to it */
        int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0)
            return errno == EPERM ? held() : escaped("socket: %s", strerror(errno));
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(a.sun_path, sizeof a.sun_path, "/app/host.sock");
        if (connect(c, (struct sockaddr *)&a, sizeof a) == 0)
            return escaped("connected to the host's socket in the app");
        return held();
    }
    if (!strcmp(test, "stdin-dir")) {
        /* wall.sh gives the host's / as standard input: the guest must get
         * no handle on it (no listing, no fstatat, no fchdir, no fchmod) */
        struct stat st;
        if (fstat(0, &st) < 0)
            return escaped("fstat(0): %s", strerror(errno));
        if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))
            return escaped("descriptor 0 is a host %s", S_ISDIR(st.st_mode) ? "folder" : "file");
        if (fstatat(0, "etc", &st, 0) == 0)
            return escaped("fstatat(0, \"etc\") worked");
        if (fchdir(0) == 0)
            return escaped("fchdir(0) worked");
        return held();
    }
    if (!strcmp(test, "fsize")) {
        /* RLIMIT_FSIZE, the write quota's backstop (1 MiB here): raw
         * writes past it fail (EFBIG, SIGXFSZ ignored as the launcher
         * does) and the file stops there */
        signal(SIGXFSZ, SIG_IGN);
        static char block[1 << 16];
        memset(block, 'f', sizeof block);
        int fd = open("/tmp/big", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
            return escaped("open /tmp/big: %s", strerror(errno));
        int e = 0;
        for (int i = 0; i < 64 && !e; i++)
            if (write(fd, block, sizeof block) < 0)
                e = errno;
        off_t size = lseek(fd, 0, SEEK_END);
        if (ftruncate(fd, 4 << 20) == 0)
            return escaped("ftruncate to 4 MiB past RLIMIT_FSIZE");
        close(fd);
        if (size > 1 << 20)
            return escaped("/tmp/big grew to %lld bytes", (long long)size);
        return e == EFBIG ? held() : escaped("write failed with %s", strerror(e));
    }
    if (!strcmp(test, "signals")) {
        /* every way to name a process outside: the group (the guest's own
         * after setsid), every process, the host's pids and group by
         * number; the job-control stops first. Then it waits for the
         * wall-clock limit, which must still end it (wall.sh: 124). */
        static const int stops[] = {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGTERM};
        for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
            kill(0, stops[i]);
        kill(-1, SIGUSR1);
        kill(-1, SIGKILL);
        if (host_pid > 1 && kill(host_pid, SIGKILL) == 0)
            return escaped("kill(%d) of the host's process worked", (int)host_pid);
        if (host_pgid > 1 && kill(-host_pgid, SIGSTOP) == 0)
            return escaped("kill(-%d) of the invoker's group worked", (int)host_pgid);
        if (getppid() != 0)
            return escaped("the parent (pid %d) is visible", (int)getppid());
        if (getsid(0) != getpid() || getpgrp() != getpid())
            return escaped("session %d, group %d: not its own", (int)getsid(0), (int)getpgrp());
        held();
        fflush(stdout);
        for (;;)
            pause();
    }
    if (!strcmp(test, "tty")) {
        /* no terminal: none of 0-2, no /dev/tty; O_NONBLOCK on its 0 stays
         * on its own pipe (main compares the host's flags and modes); then
         * it reads its input until the wall-clock limit ends it, which a
         * read of the host's terminal from a background group must not
         * stop (wall.sh runs this in a terminal, in the background) */
        for (int fd = 0; fd <= 2; fd++)
            if (isatty(fd))
                return escaped("descriptor %d is a terminal", fd);
        int t = open("/dev/tty", O_RDWR | O_CLOEXEC);
        if (t >= 0)
            return escaped("/dev/tty opened");
        if (errno != ENOENT)
            return escaped("/dev/tty: %s, not ENOENT", strerror(errno));
        if (access("/dev/pts", F_OK) == 0 || access("/dev/console", F_OK) == 0)
            return escaped("/dev/pts or /dev/console is visible");
        int fl = fcntl(0, F_GETFL);
        if (fl < 0 || fcntl(0, F_SETFL, fl | O_NONBLOCK) < 0)
            return escaped("fcntl(0): %s", strerror(errno));
        held();
        fflush(stdout);
        char buf[256];
        for (;;) {
            struct pollfd pf = {.fd = 0, .events = POLLIN};
            poll(&pf, 1, -1);
            if (read(0, buf, sizeof buf) == 0)
                break;
        }
        for (;;)
            pause();
    }
    if (!strcmp(test, "tty-ioctl")) {
        /* what changes a terminal is refused by seccomp whatever the
         * descriptor (strict kills, default answers EPERM, not ENOTTY) */
        static const unsigned long calls[] = {TCSETS,     TCSETSW,  TCSETSF,   TIOCSCTTY, TIOCSPGRP,
                                              TIOCSWINSZ, TIOCSETD, TIOCNOTTY, TCFLSH,    TCXONC};
        struct termios tio;
        memset(&tio, 0, sizeof tio);
        for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
            for (int fd = 0; fd <= 2; fd++) {
                errno = 0;
                if (ioctl(fd, calls[i], &tio) == 0 || errno != EPERM)
                    return escaped("ioctl(%d, %#lx): %s, not EPERM", fd, calls[i], strerror(errno));
            }
        return held();
    }
    if (!strcmp(test, "groups")) {
        /* wall.sh puts a 0640 file of a group the invoker is in into the
         * app: the guest must not read it (the middle dropped the groups) */
        int fd = open("/app/group-secret", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            close(fd);
            return escaped("read /app/group-secret through a supplementary group");
        }
        if (errno != EACCES)
            return escaped("/app/group-secret: %s, not EACCES", strerror(errno));
        char v[256];
        if (status_field("Groups", v, sizeof v) == 0 && v[0])
            return escaped("supplementary groups %s", v);
        return held();
    }
    if (!strcmp(test, "ssl-private")) {
        /* /etc/ssl is shown, its private/ (keys) is not */
        struct stat st;
        if (stat("/etc/ssl/private", &st) == 0)
            return escaped("/etc/ssl/private is visible");
        if (stat("/etc/ssl/certs", &st) < 0)
            return escaped("/etc/ssl/certs is not shown: %s", strerror(errno));
        return held();
    }
    if (!strcmp(test, "abstract-unix")) {
        /* an abstract socket main listens on outside: the guest's network
         * namespace is its own (another abstract namespace), seccomp
         * refuses the socket, and Landlock's scope (ABI 6) would refuse
         * the connection */
        int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "se-wall-%d", (int)host_pgid);
        socklen_t len =
            (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1));
        /* seccomp refuses the socket itself first; Landlock's scope alone
         * is tested in tests/unit/test_harden.c */
        if (c < 0)
            return errno == EPERM ? held() : escaped("socket: %s", strerror(errno));
        if (connect(c, (struct sockaddr *)&a, len) == 0)
            return escaped("connected to the host's abstract socket");
        return errno == EPERM ? held() : escaped("connect: %s, not EPERM", strerror(errno));
    }
    if (!strcmp(test, "net-channel"))
        return net_channel();
    if (!strcmp(test, "net-dns"))
        return net_dns();
    if (!strcmp(test, "net-unix"))
        return net_unix();
    if (!strcmp(test, "net-udp"))
        return net_udp();
    if (!strcmp(test, "net-udp-sendto")) {
        /* an addressed datagram on the sandbox's UDP socket: EPERM, or
         * the strict policy's kill */
        int fd = -1;
        struct sockaddr_in meta = {.sin_family = AF_INET, .sin_port = htons(53)};
        inet_pton(AF_INET, "169.254.169.254", &meta.sin_addr);
        if (net_sync < 0 ||
            udp_ask(net_sync, NETP_UDP_BIND, "127.0.0.1", 0, 4, 0, 0, NULL, 0, &fd, NULL) != 0 ||
            fd < 0)
            return escaped("no UDP socket from UDP_BIND");
        if (sendto(fd, "x", 1, 0, (struct sockaddr *)&meta, sizeof meta) >= 0)
            return escaped("an addressed sendto went");
        return errno == EPERM ? held() : escaped("sendto: %s, not EPERM", strerror(errno));
    }
    if (!strcmp(test, "mptcp"))
        return socket_refused(IPPROTO_MPTCP, SOCK_STREAM, "MPTCP");
    if (!strcmp(test, "udplite"))
        return socket_refused(IPPROTO_UDPLITE, SOCK_DGRAM, "UDP-Lite");
    if (!strcmp(test, "so-filter"))
        return filter_refused(SO_ATTACH_FILTER, true);
    if (!strcmp(test, "so-bpf"))
        return filter_refused(SO_ATTACH_BPF, false);
    if (!strcmp(test, "so-reuseport-cbpf"))
        return filter_refused(SO_ATTACH_REUSEPORT_CBPF, true);
    if (!strcmp(test, "so-reuseport-ebpf"))
        return filter_refused(SO_ATTACH_REUSEPORT_EBPF, false);
    if (!strcmp(test, "locks"))
        return locks_refused();
    if (!strcmp(test, "setuid"))
        return setuid_refused();
    if (!strcmp(test, "fchmodat2")) {
        /* Linux 6.6's fchmodat2 (452) takes a mode the policies do not
         * check: not allowed (the strict policy kills, ENOSYS where the
         * libseccomp table does not know it yet) */
        char p[512];
        if (!rw)
            return escaped("no write grant given");
        snprintf(p, sizeof p, "%s/plain", rw);
        int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
        if (fd < 0)
            return escaped("a plain 0755 file could not be made: %s", strerror(errno));
        close(fd);
        if (syscall(452, AT_FDCWD, p, 06755, 0) == 0)
            return escaped("fchmodat2 6755 worked");
        return held();
    }
    if (!strcmp(test, "symlink-out")) {
        /* a link to /etc/shadow left in a host folder (wall.sh looks) */
        char p[512];
        if (!rw)
            return escaped("no write grant given");
        snprintf(p, sizeof p, "%s/shadow", rw);
        if (symlink("/etc/shadow", p) == 0)
            return escaped("symlink to /etc/shadow made");
        snprintf(p, sizeof p, "%s/rel", rw);
        if (symlinkat("../../../../../../etc/shadow", AT_FDCWD, p) == 0)
            return escaped("relative symlink to /etc/shadow made");
        if (symlink("/tmp", "/tmp/own") < 0)
            return escaped("no symlink in the private /tmp: %s", strerror(errno));
        return held();
    }
    printf("unknown test %s\n", test);
    return 2;
}

/* The host's descriptor 0 as the tty probe must leave it. */
typedef struct {
    int flags;
    bool tty;
    struct termios tio;
} host_in_t;

static void host_in_save(host_in_t *h)
{
    memset(h, 0, sizeof *h); /* the padding of termios is compared too */
    h->flags = fcntl(0, F_GETFL);
    h->tty = tcgetattr(0, &h->tio) == 0;
}

static bool host_in_same(const host_in_t *h)
{
    host_in_t now;
    host_in_save(&now);
    return now.flags == h->flags && now.tty == h->tty &&
           (!h->tty || !memcmp(&now.tio, &h->tio, sizeof now.tio));
}

/* The sandbox is forked: the broker serves (the wall-probe's copy of the
 * launcher's start_netd). */
static void start_net(void *arg)
{
    struct {
        lch_netd_opts_t o;
        lch_netd_fds_t *f;
        lch_netd_t *d;
    } *j = arg;
    char err[256];
    j->d = lch_netd_start(&j->o, j->f, err, sizeof err);
    if (!j->d)
        fprintf(stderr, "wall-probe: %s\n", err);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--check-cgroup")) {
        char why[320];
        bool ok = lch_cgroup_describe(why, sizeof why);
        puts(why);
        return ok ? 0 : 1;
    }
    if (argc == 2 && !strcmp(argv[1], "--check-scope"))
        return lch_landlock_scoping() ? 0 : 1;
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: wall-probe POLICY APP CANARY TEST [RW]\n");
        return 2;
    }
    canary = argv[3];
    policy_name = argv[1];
    test = argv[4];
    const char *hp = getenv("WALL_HOST_PID");
    host_pid = hp ? (pid_t)strtol(hp, NULL, 10) : 0;
    host_pgid = getpgrp();
    bool clocked = !strcmp(test, "signals") || !strcmp(test, "tty");
    host_in_t in;
    host_in_save(&in);
    int lst = -1;
    if (!strcmp(test, "abstract-unix")) {
        lst = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "se-wall-%d", (int)host_pgid);
        socklen_t len =
            (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1));
        if (lst < 0 || bind(lst, (struct sockaddr *)&a, len) < 0 || listen(lst, 4) < 0) {
            fprintf(stderr, "wall-probe: abstract socket: %s\n", strerror(errno));
            return 125;
        }
    }
    rw = argc == 6 ? argv[5] : NULL;
    /* the limits of the strict profile where a probe tests one */
    lch_sandbox_t sb = {
        .app = argv[2],
        .tmpfs_mb = strcmp(test, "symlinks") ? 8 : 64,
        .pids = 64,
        .fds = 256,
        .memory_mb = 256,
        .output_bytes = 16u << 20,
        .cpu_ms = strcmp(test, "cpu") ? 0 : 300,
        .fsize_bytes = strcmp(test, "fsize") ? 0 : 1u << 20,
        .seccomp = argv[1],
        .wall_ms = clocked ? 1500 : 0,
        .rw_paths = (const char *const *)&rw,
        .nrw = rw ? 1 : 0,
    };
    const char *grant[1];
    /* the run-* probes: the profile grants /usr/bin/true (the launcher's
     * resolution and Landlock's execute files, as a run gets them) */
    brk_policy_t *runpol = NULL;
    char **exec_files = NULL;
    if (!strncmp(test, "run-", 4)) {
        char *rerr = NULL;
        runpol = brk_policy_new();
        if (!runpol || brk_grant(runpol, BRK_RUN, "true", &rerr) < 0 ||
            lch_run_resolve(runpol, argv[2], NULL, &rerr) < 0 ||
            lch_run_exec_files(runpol, argv[2], &exec_files, &sb.nexec) < 0) {
            fprintf(stderr, "wall-probe: run grant: %s\n", rerr ? rerr : "out of memory");
            return 2;
        }
        sb.run = true;
        sb.exec_files = (const char *const *)exec_files;
    }
    if (!strcmp(test, "proc-host")) {
        /* the canary's folder granted read-only: its host path is shown */
        if (!realpath(sb.app, host.app) || !realpath(canary, host.grant)) {
            perror("wall-probe: realpath");
            return 2;
        }
        *strrchr(host.grant, '/') = '\0';
        grant[0] = host.grant;
        sb.ro_paths = grant;
        sb.nro = 1;
        read_line("/proc/cmdline", host.cmdline, sizeof host.cmdline);
        read_line("/proc/sys/kernel/random/boot_id", host.boot_id, sizeof host.boot_id);
        if (gethostname(host.hostname, sizeof host.hostname) < 0)
            host.hostname[0] = '\0';
        if (!host.cmdline[0] || !host.boot_id[0] || !host.hostname[0]) {
            fprintf(stderr, "wall-probe: cannot read the host's facts\n");
            return 2;
        }
    }
    /* WALL_PROBE_REPORT=FILE: the supervisor's record of the run there */
    const char *report = getenv("WALL_PROBE_REPORT");
    lch_report_t rep;
    if (report)
        sb.report = &rep;
    /* the supervisor's network broker, as the launcher runs it, granting
     * WALL_NET_ALLOW (none: nothing) */
    char err[512];
    lch_netd_fds_t nf;
    if (lch_netd_pairs(&nf) < 0) {
        perror("wall-probe: network channel");
        return 125;
    }
    brk_policy_t *pol = brk_policy_new();
    const char *allow = getenv("WALL_NET_ALLOW");
    char *gerr = NULL;
    if (!pol || (allow && *allow && brk_grant(pol, BRK_NET, allow, &gerr) < 0)) {
        fprintf(stderr, "wall-probe: WALL_NET_ALLOW: %s\n", gerr ? gerr : "out of memory");
        return 2;
    }
    /* net-unix: the supervisor grants unix sockets in the sandbox's /tmp */
    if (!strcmp(test, "net-unix") && (brk_grant(pol, BRK_FS_READ, "/tmp", NULL) < 0 ||
                                      brk_grant(pol, BRK_FS_WRITE, "/tmp", NULL) < 0)) {
        fprintf(stderr, "wall-probe: WALL_NET_ALLOW: %s\n", gerr ? gerr : "out of memory");
        return 2;
    }
    net_async = nf.guest_async;
    net_sync = nf.guest_sync;
    int netkeep[2] = {nf.guest_async, nf.guest_sync};
    sb.keep_fds = netkeep;
    sb.nkeep = 2;
    sb.give_fds = netkeep;
    sb.ngive = 2;
    sb.net_factory_fd = nf.factory_mid;
    struct {
        lch_netd_opts_t o;
        lch_netd_fds_t *f;
        lch_netd_t *d;
    } nj = {.o = {.policy = pol}, .f = &nf};
    sb.started = start_net;
    sb.started_arg = &nj;
    int status = lch_sandbox_run(&sb, run, NULL, err, sizeof err);
    nf.guest_async = nf.guest_sync = nf.factory_mid = -1;
    lch_netd_stop(nj.d);
    lch_netd_pairs_close(&nf);
    brk_policy_free(pol);
    if (status < 0) {
        fprintf(stderr, "wall-probe: %s\n", err);
        return 125;
    }
    if (report) {
        int fd = lch_report_open(report, NULL, 0, -1, err, sizeof err);
        if (fd < 0 || lch_report_write(fd, &rep, "wall-probe", err, sizeof err) < 0)
            fprintf(stderr, "wall-probe: %s\n", err);
    }
    if (!strcmp(test, "tty") && !host_in_same(&in)) {
        host_in_t now;
        host_in_save(&now);
        printf("ESCAPED tty: the host's descriptor 0 changed: flags %#x -> %#x, lflag %#x -> "
               "%#x, iflag %#x -> %#x\n",
               (unsigned)in.flags, (unsigned)now.flags, (unsigned)in.tio.c_lflag,
               (unsigned)now.tio.c_lflag, (unsigned)in.tio.c_iflag, (unsigned)now.tio.c_iflag);
        return 1;
    }
    if (!strcmp(test, "stdin") && (fcntl(0, F_GETFL) & O_NONBLOCK)) {
        printf("ESCAPED stdin: the host's descriptor 0 is non-blocking after the run\n");
        return 1;
    }
    return status;
}
