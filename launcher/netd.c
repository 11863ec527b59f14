/*
 * launcher/netd.c — the supervisor's socket broker (netd.h).
 *
 * Two reader threads, one per channel. The sync channel's requests are
 * quick (a bind, a listen) and served in its reader, in order; the async
 * channel's go to a pool of worker threads (made as needed, NETD_WORKERS
 * at most, kept for the next request: a connect costs no thread start),
 * since a connect or a DNS answer may take seconds; at most NETD_WORKERS
 * wait queued, then the reader waits and the guest's requests wait in the
 * socket buffer. Every wait
 * here also watches the stop descriptor, so lch_netd_stop returns at once.
 *
 * The decision is brk_net_decide on the supervisor's policy (one lock: the
 * broker's audit log and counts are not thread-safe), with "by":
 * "supervisor" and the address about to be used.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "netd.h"

#define NETD_WORKERS 64
#define NETD_TARGETS NETP_ADDRS_MAX
#define NETD_DELIVER_MAX 4096 /* answers queued for a guest that does not read */
#define NETD_DNS_TIMEOUT_MS 5000
#define NETD_DNS_TRIES 2

struct lch_netd {
    lch_netd_opts_t o;
    int async_fd, sync_fd, factory_fd, stop_fd;
    pthread_mutex_t decide_mu, factory_mu, workers_mu;
    pthread_cond_t workers_cv; /* a job queued, a worker ended, room in the queue */
    int nworkers, idle;        /* threads of the pool, and those waiting for a job */
    struct job *queue, *queue_tail;
    int queued;
    struct job *running; /* DNS questions being asked (cancel_fd open) */
    bool stopping;
    pthread_t async_thr, sync_thr;
    bool async_started, sync_started;
    lch_netd_udp_t *udp; /* the run's UDP sockets (netd_udp.c) */
};

/* ---- checking a request ----------------------------------------------------------- */

bool lch_netd_sync_op(unsigned op)
{
    return op == NETP_LISTEN || op == NETP_UDP_BIND || op == NETP_UDP_CONNECT ||
           op == NETP_UDP_CLOSE || op == NETP_UNIX_LISTEN || op == NETP_UNIX_CONNECT ||
           op == NETP_CANCEL;
}

int lch_netd_check(const void *buf, size_t n, netp_req_t *req, const uint8_t **payload,
                   size_t *plen, uint32_t *id)
{
    *id = 0;
    if (!buf || n < offsetof(netp_req_t, id) + sizeof req->id)
        return -EINVAL;
    memcpy(id, (const uint8_t *)buf + offsetof(netp_req_t, id), sizeof *id);
    if (n < sizeof *req || n > NETP_MSG_MAX)
        return -EINVAL;
    memcpy(req, buf, sizeof *req);
    if (req->version != NETP_VERSION || req->op < 1 || req->op > NETP_OP_MAX)
        return -EINVAL;
    if (req->family != 0 && req->family != 4 && req->family != 6)
        return -EINVAL;
    unsigned known = NETP_F_ALL | NETP_F_IPV4FIRST | NETP_F_IPV6ONLY | NETP_F_REUSEADDR |
                     NETP_F_TTL | NETP_F_EXCLUSIVE | NETP_F_OUTSIDE;
    if (req->flags & ~known)
        return -EINVAL;
    size_t hl = strnlen(req->host, sizeof req->host);
    if (hl == sizeof req->host)
        return -EINVAL;
    for (size_t i = 0; i < hl; i++) {
        unsigned char c = (unsigned char)req->host[i];
        if (c <= 0x20 || c >= 0x7f)
            return -EINVAL;
    }
    /* nothing may hide after the NUL: the host is what the broker sees */
    for (size_t i = hl; i < sizeof req->host; i++)
        if (req->host[i])
            return -EINVAL;
    if ((size_t)req->len != n - sizeof *req)
        return -EINVAL;
    /* a UDP_SEND's datagram; a RESOLVE's or REVERSE's servers; a unix
     * socket's address (the payload alone) */
    bool dns_opts =
        (req->op == NETP_RESOLVE || req->op == NETP_REVERSE) && req->len == sizeof(netp_dns_opts_t);
    bool unix_op = req->op == NETP_UNIX_LISTEN || req->op == NETP_UNIX_CONNECT;
    if (req->len && req->op != NETP_UDP_SEND && !dns_opts && !unix_op)
        return -EINVAL;
    if (unix_op && (hl || req->len < 1 || req->len > NETP_UNIX_ADDR_MAX))
        return -EINVAL;
    if (req->op == NETP_CANCEL && (hl || req->len))
        return -EINVAL;
    if (unix_op && req->port > 0777) /* UNIX_LISTEN's umask */
        return -EINVAL;
    *payload = (const uint8_t *)buf + sizeof *req;
    *plen = req->len;
    return 0;
}

/* ---- targets ---------------------------------------------------------------------- */

typedef enum { T_SANDBOX, T_HOST_LOOPBACK, T_OUTSIDE } where_t;

typedef struct {
    brk_ip_t ip;
    where_t where;
} target_t;

static void ip_of_sockaddr(const struct sockaddr *sa, brk_ip_t *ip)
{
    memset(ip, 0, sizeof *ip);
    if (sa->sa_family == AF_INET) {
        ip->family = 4;
        memcpy(ip->a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else {
        ip->family = 6;
        memcpy(ip->a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
}

static socklen_t sockaddr_of(const brk_ip_t *ip, unsigned port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (ip->family == 4) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        memcpy(&v4->sin_addr, ip->a, 4);
        return sizeof *v4;
    }
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    memcpy(&v6->sin6_addr, ip->a, 16);
    return sizeof *v6;
}

static void netp_of_sockaddr(const struct sockaddr_storage *ss, netp_addr_t *a)
{
    memset(a, 0, sizeof *a);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)ss;
        a->family = 4;
        a->port = ntohs(v4->sin_port);
        memcpy(a->addr, &v4->sin_addr, 4);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;
        a->family = 6;
        a->port = ntohs(v6->sin6_port);
        a->scope_id = v6->sin6_scope_id;
        memcpy(a->addr, &v6->sin6_addr, 16);
    }
}

static void netp_of_ip(const brk_ip_t *ip, unsigned port, netp_addr_t *a)
{
    memset(a, 0, sizeof *a);
    a->family = (uint8_t)ip->family;
    a->port = (uint16_t)port;
    memcpy(a->addr, ip->a, ip->family == 4 ? 4 : 16);
}

static bool is_host_internal(const char *host)
{
    return !strcasecmp(host, "host.internal") || !strcmp(host, LCH_HOST_INTERNAL_V4);
}

/* An address literal as inet_pton reads it (IPv6 with or without brackets). */
static bool literal(const char *host, brk_ip_t *ip)
{
    char tmp[NETP_HOST_MAX];
    size_t l = strlen(host);
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, host, ip->a) == 1) {
        ip->family = 4;
        return true;
    }
    if (l >= 2 && host[0] == '[' && host[l - 1] == ']' && l - 2 < sizeof tmp) {
        memcpy(tmp, host + 1, l - 2);
        tmp[l - 2] = '\0';
        host = tmp;
    }
    if (inet_pton(AF_INET6, host, ip->a) == 1) {
        ip->family = 6;
        return true;
    }
    return false;
}

/* Whether the supervisor must ask DNS for host: not for a literal,
 * host.internal or localhost (or no host: the sandbox's loopback). */
static bool needs_dns(const char *host)
{
    brk_ip_t ip;
    return host[0] && !literal(host, &ip) && !is_host_internal(host) &&
           strcasecmp(host, "localhost");
}

static bool family_ok(int want, int fam)
{
    return !want || want == fam;
}

/* ---- DNS (c-ares) ----------------------------------------------------------------- */

typedef struct {
    bool done;
    int status;
    brk_ip_t *out;
    size_t max, n;
} gai_t;

static void gai_done(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    (void)timeouts;
    gai_t *g = arg;
    g->done = true;
    g->status = status;
    if (status == ARES_SUCCESS && res) {
        for (struct ares_addrinfo_node *n = res->nodes; n && g->n < g->max; n = n->ai_next) {
            if (n->ai_family != AF_INET && n->ai_family != AF_INET6)
                continue;
            brk_ip_t ip;
            ip_of_sockaddr(n->ai_addr, &ip);
            bool dup = false;
            for (size_t i = 0; i < g->n && !dup; i++)
                dup = g->out[i].family == ip.family && !memcmp(g->out[i].a, ip.a, 16);
            if (!dup)
                g->out[g->n++] = ip;
        }
    }
    if (res)
        ares_freeaddrinfo(res);
}

/* The addresses of name (family 0, 4 or 6), in the resolver's order: 0 and
 * *n, or a status (-(NETP_DNS_BASE + ares status), or -errno). */
static int resolve(lch_netd_t *d, const char *name, int family, brk_ip_t *out, size_t max,
                   size_t *n)
{
    void *chp;
    int r = lch_netd_ares_new(d->o.resolvers, &chp);
    if (r != ARES_SUCCESS)
        return -(NETP_DNS_BASE + r);
    ares_channel ch = chp;
    gai_t g = {.out = out, .max = max};
    struct ares_addrinfo_hints hints = {
        .ai_family = family == 4   ? AF_INET
                     : family == 6 ? AF_INET6
                                   : AF_UNSPEC,
        .ai_flags = ARES_AI_NOSORT,
    };
    ares_getaddrinfo(ch, name, NULL, &hints, gai_done, &g);
    int e = lch_netd_ares_drive(ch, &g.done, d->stop_fd);
    ares_destroy(ch); /* calls gai_done with ARES_EDESTRUCTION if pending */
    if (e < 0)
        return e;
    if (g.status != ARES_SUCCESS)
        return -(NETP_DNS_BASE + g.status);
    if (!g.n)
        return -(NETP_DNS_BASE + ARES_ENODATA);
    *n = g.n;
    return 0;
}

/* The addresses host stands for: the sandbox's loopback, the host's
 * loopback (host.internal), an outside literal, or what DNS says. */
static int targets_of(lch_netd_t *d, const char *host, int family, target_t *t, size_t max,
                      size_t *n)
{
    brk_ip_t ip;
    *n = 0;
    if (is_host_internal(host)) {
        /* the host's loopback: its IPv4 address, then its IPv6 one */
        static const uint8_t v4[4] = {127, 0, 0, 1}, v6[16] = {[15] = 1};
        if (family_ok(family, 4) && *n < max) {
            t[*n] = (target_t){.where = T_HOST_LOOPBACK, .ip = {.family = 4}};
            memcpy(t[(*n)++].ip.a, v4, 4);
        }
        if (family_ok(family, 6) && *n < max) {
            t[*n] = (target_t){.where = T_HOST_LOOPBACK, .ip = {.family = 6}};
            memcpy(t[(*n)++].ip.a, v6, 16);
        }
        return *n ? 0 : -(NETP_DNS_BASE + ARES_ENOTFOUND);
    }
    if (!host[0] || !strcasecmp(host, "localhost")) {
        static const uint8_t v4[4] = {127, 0, 0, 1}, v6[16] = {[15] = 1};
        if (family_ok(family, 4) && *n < max) {
            t[*n] = (target_t){.where = T_SANDBOX, .ip = {.family = 4}};
            memcpy(t[(*n)++].ip.a, v4, 4);
        }
        if (family_ok(family, 6) && *n < max) {
            t[*n] = (target_t){.where = T_SANDBOX, .ip = {.family = 6}};
            memcpy(t[(*n)++].ip.a, v6, 16);
        }
        return *n ? 0 : -(NETP_DNS_BASE + ARES_ENOTFOUND);
    }
    if (literal(host, &ip)) {
        brk_addr_class_t c = brk_addr_class(&ip);
        t[0].ip = ip;
        t[0].where = c == BRK_ADDR_LOOPBACK || c == BRK_ADDR_UNSPECIFIED ? T_SANDBOX : T_OUTSIDE;
        *n = 1;
        return 0;
    }
    brk_ip_t ips[NETD_TARGETS];
    size_t ni = 0;
    int r = resolve(d, host, family, ips, max < NETD_TARGETS ? max : NETD_TARGETS, &ni);
    if (r < 0)
        return r;
    for (size_t i = 0; i < ni; i++)
        t[(*n)++] = (target_t){.ip = ips[i], .where = T_OUTSIDE};
    return 0;
}

/* ---- decisions ---------------------------------------------------------------------- */

#define NETD_JOB_WAIT_MS 1000

/* Takes the decisions' lock for a decision that writes an audit line:
 * with o.job, the first one before the request's id waits for it. */
static void lock_decide(lch_netd_t *d)
{
    if (d->o.job)
        (void)lch_job_id_wait(d->o.job, NETD_JOB_WAIT_MS, NULL, 0);
    pthread_mutex_lock(&d->decide_mu);
}

static int decide(lch_netd_t *d, const char *op, const char *host, unsigned port,
                  const brk_ip_t *ip)
{
    lock_decide(d);
    int r = brk_net_decide(d->o.policy, "supervisor", op, host, port, ip, NULL);
    pthread_mutex_unlock(&d->decide_mu);
    return r;
}

/* The supervisor's own refusal of an address of the host's (the rules
 * allowed it as an outside address): its audit line. */
static void refuse_host_address(lch_netd_t *d, const char *host, unsigned port, const brk_ip_t *ip)
{
    char txt[INET6_ADDRSTRLEN], target[NETP_HOST_MAX + 80];
    brk_ip_format(ip, txt, sizeof txt);
    bool v6 = strchr(host, ':') != NULL;
    snprintf(target, sizeof target, "%s%s%s:%u (%s)", v6 ? "[" : "", host, v6 ? "]" : "", port,
             txt);
    lock_decide(d);
    brk_audit_os_refusal(d->o.policy, BRK_NET, "connect", target, "EACCES",
                         "host-address (reach the host as host.internal)", -1);
    pthread_mutex_unlock(&d->decide_mu);
}

int lch__netd_unix_decide(lch_netd_t *d, const char *op, const char *addr, size_t len)
{
    lock_decide(d);
    int r = brk_unix_decide(d->o.policy, "supervisor", op, addr, len, NULL);
    pthread_mutex_unlock(&d->decide_mu);
    return r;
}

void lch_netd_audit_job(lch_netd_t *d, const char *id)
{
    pthread_mutex_lock(&d->decide_mu);
    brk_audit_run(d->o.policy, "job", id, -1);
    brk_set_audit_run(d->o.policy, id);
    pthread_mutex_unlock(&d->decide_mu);
}

const brk_policy_t *lch__netd_policy(const lch_netd_t *d)
{
    return d->o.policy;
}

bool (*lch__netd_binds(const lch_netd_t *d))(const char *)
{
    return d->o.binds;
}

void lch__netd_os_refusal(lch_netd_t *d, brk_domain_t dom, const char *op, const char *target,
                          const char *errname, const char *rule)
{
    lock_decide(d);
    brk_audit_os_refusal(d->o.policy, dom, op, target, errname, rule, -1);
    pthread_mutex_unlock(&d->decide_mu);
}

static bool name_granted(lch_netd_t *d, const char *host)
{
    pthread_mutex_lock(&d->decide_mu);
    bool r = brk_net_name_granted(d->o.policy, host);
    pthread_mutex_unlock(&d->decide_mu);
    return r;
}

/* Whether ip is one of the host's own addresses (any interface, now):
 * the host is reached only as host.internal, never by its address — a
 * public address of its own would otherwise be "public" to the rules,
 * and a socket made here would reach every service bound to all of the
 * host's addresses. An IPv4-mapped or NAT64/6to4 form counts as its
 * IPv4 address. */
static bool host_address(const brk_ip_t *ip)
{
    brk_ip_t v = *ip;
    brk_ip_carried_v4(ip, &v);
    struct ifaddrs *list;
    if (getifaddrs(&list) < 0)
        return true; /* unknown: assume it may be */
    bool own = false;
    for (struct ifaddrs *i = list; i && !own; i = i->ifa_next) {
        if (!i->ifa_addr ||
            (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
        brk_ip_t h;
        ip_of_sockaddr(i->ifa_addr, &h);
        own = h.family == v.family && !memcmp(h.a, v.a, v.family == 4 ? 4 : 16);
    }
    freeifaddrs(list);
    return own;
}

/* The host as the decision names it: the guest's view of host.internal is
 * host.internal. */
static const char *decided_host(const char *host)
{
    return is_host_internal(host) ? "host.internal" : host;
}

/* ---- waiting ------------------------------------------------------------------------ */

/* Waits for ev on fd, or the stop descriptor (-ECANCELED), or ms (-ETIMEDOUT;
 * ms < 0: none). */
static int wait_fd(lch_netd_t *d, int fd, short ev, int ms)
{
    struct pollfd pf[2] = {{.fd = fd, .events = ev}, {.fd = d->stop_fd, .events = POLLIN}};
    for (;;) {
        int r = poll(pf, 2, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (pf[1].revents)
            return -ECANCELED;
        if (r == 0)
            return -ETIMEDOUT;
        return 0;
    }
}

/* ---- the factory (the middle process's side and ours) ------------------------------ */

enum { FAC_CONNECT = 1, FAC_LISTEN = 2, FAC_UDP = 3 };
/* The middle process's second message after a socket it handed over: its
 * own copy is closed. */
#define FAC_RELEASED 1
/* FAC_UNIX_LISTEN, FAC_UNIX_CONNECT (netd.h): made by netd_unix.c's
 * lch__netd_unix_make, in this process's root (the guest's view). */

typedef struct {
    uint32_t op;
    int32_t backlog;
    uint32_t flags;
    uint32_t addrlen;
    uint32_t umask; /* FAC_UNIX_LISTEN: the guest's, for the socket file's mode */
    struct sockaddr_storage addr;
} fac_req_t;

typedef struct {
    int32_t status;
    uint32_t addrlen;
    struct sockaddr_storage local;
} fac_res_t;

static ssize_t send_with_fd(int sock, const void *buf, size_t len, int fd, int flags)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&ctl, 0, sizeof ctl);
        msg.msg_control = ctl.buf;
        msg.msg_controllen = sizeof ctl.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    ssize_t r;
    do
        r = sendmsg(sock, &msg, MSG_NOSIGNAL | flags);
    while (r < 0 && errno == EINTR);
    return r;
}

/* Receives one message with at most one descriptor (*fd, or -1). */
static ssize_t recv_with_fd(int sock, void *buf, size_t len, int *fd)
{
    struct iovec iov = {.iov_base = buf, .iov_len = len};
    union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } ctl;
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    *fd = -1;
    ssize_t r;
    do
        r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return r;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < nfd; i++) {
            int f;
            memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
            if (*fd < 0)
                *fd = f;
            else
                close(f); /* one at most */
        }
    }
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        errno = EMSGSIZE;
        return -1;
    }
    return r;
}

/* Only the sandbox's own addresses: loopback or unspecified. */
static bool fac_addr_ok(const fac_req_t *q)
{
    if (q->addr.ss_family != AF_INET && q->addr.ss_family != AF_INET6)
        return false;
    if (q->addrlen !=
        (q->addr.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)))
        return false;
    brk_ip_t ip;
    ip_of_sockaddr((const struct sockaddr *)&q->addr, &ip);
    brk_addr_class_t c = brk_addr_class(&ip);
    return c == BRK_ADDR_LOOPBACK || c == BRK_ADDR_UNSPECIFIED;
}

bool lch_netd_factory_serve(int fd, int fd_dir)
{
    fac_req_t q;
    int junk;
    ssize_t n = recv_with_fd(fd, &q, sizeof q, &junk);
    if (n < 0 && errno != EMSGSIZE && errno != EAGAIN)
        return false;
    if (n == 0) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, 0) == 1 && (pf.revents & (POLLHUP | POLLERR)))
            return false;
    }
    if (junk >= 0)
        close(junk);
    fac_res_t res = {.status = -EINVAL};
    int s = -1;
    if (n == (ssize_t)sizeof q && (q.op == FAC_UNIX_LISTEN || q.op == FAC_UNIX_CONNECT) &&
        q.addr.ss_family == AF_UNIX && q.addrlen <= sizeof(struct sockaddr_un)) {
        s = lch__netd_unix_make(q.op, (const struct sockaddr_un *)&q.addr, q.addrlen, q.backlog,
                                q.flags, q.umask, fd_dir);
        res.status = s < 0 ? s : 0;
        s = s < 0 ? -1 : s;
    } else if (n == (ssize_t)sizeof q && fac_addr_ok(&q) &&
               (q.op == FAC_CONNECT || q.op == FAC_LISTEN || q.op == FAC_UDP)) {
        int type = q.op == FAC_UDP ? SOCK_DGRAM : SOCK_STREAM;
        s = socket(q.addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s < 0) {
            res.status = -errno;
        } else {
            int one = 1, r = 0;
            if (q.addr.ss_family == AF_INET6 && q.op != FAC_CONNECT) {
                int v6only = (q.flags & NETP_F_IPV6ONLY) ? 1 : 0;
                setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
            }
            if (q.op == FAC_LISTEN || (q.op == FAC_UDP && (q.flags & NETP_F_REUSEADDR)))
                setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (q.op == FAC_CONNECT) {
                r = connect(s, (struct sockaddr *)&q.addr, q.addrlen);
                if (r < 0 && errno == EINPROGRESS)
                    r = 0;
            } else {
                r = bind(s, (struct sockaddr *)&q.addr, q.addrlen);
                if (r == 0 && q.op == FAC_LISTEN)
                    r = listen(s, q.backlog > 0 ? q.backlog : 511);
            }
            if (r < 0) {
                res.status = -errno;
                close(s);
                s = -1;
            } else {
                socklen_t sl = sizeof res.local;
                if (getsockname(s, (struct sockaddr *)&res.local, &sl) == 0)
                    res.addrlen = sl;
                res.status = 0;
            }
        }
    }
    n = send_with_fd(fd, &res, sizeof res, s, MSG_DONTWAIT);
    if (s >= 0) {
        /* our copy closed, then said so: the socket is the guest's alone */
        close(s);
        fac_res_t done = {.status = FAC_RELEASED};
        if (n >= 0)
            n = send_with_fd(fd, &done, sizeof done, -1, MSG_DONTWAIT);
    }
    return n >= 0 || errno == EAGAIN;
}

/* Asks the middle process for the socket q describes: 0 and *fd, or
 * -errno. */
static int factory_ask(lch_netd_t *d, const fac_req_t *q, int *fd, struct sockaddr_storage *local)
{
    fac_res_t res;
    *fd = -1;
    pthread_mutex_lock(&d->factory_mu);
    int r = d->factory_fd < 0 ? -ENETDOWN : 0;
    if (r == 0 && send_with_fd(d->factory_fd, q, sizeof *q, -1, 0) < 0)
        r = -ENETDOWN;
    if (r == 0)
        r = wait_fd(d, d->factory_fd, POLLIN, 10000);
    if (r == 0) {
        ssize_t n = recv_with_fd(d->factory_fd, &res, sizeof res, fd);
        if (n != (ssize_t)sizeof res) {
            if (*fd >= 0)
                close(*fd);
            *fd = -1;
            r = -ENETDOWN;
        } else if (res.status < 0) {
            if (*fd >= 0)
                close(*fd);
            *fd = -1;
            r = res.status;
        } else if (*fd < 0) {
            r = -ENETDOWN;
        } else if (local) {
            *local = res.local;
        }
    }
    /* the middle process's copy is closed when it says so */
    if (r == 0 && wait_fd(d, d->factory_fd, POLLIN, 10000) == 0) {
        int extra = -1;
        fac_res_t done;
        ssize_t n = recv_with_fd(d->factory_fd, &done, sizeof done, &extra);
        if (extra >= 0)
            close(extra);
        if (n != (ssize_t)sizeof done || done.status != FAC_RELEASED)
            r = -ENETDOWN;
    } else if (r == 0) {
        r = -ENETDOWN;
    }
    if (r < 0 && *fd >= 0) {
        close(*fd);
        *fd = -1;
    }
    pthread_mutex_unlock(&d->factory_mu);
    return r;
}

/* A socket of the sandbox's loopback from the middle process. */
static int factory(lch_netd_t *d, unsigned op, const brk_ip_t *ip, unsigned port, int backlog,
                   unsigned flags, int *fd, struct sockaddr_storage *local)
{
    fac_req_t q = {.op = op, .backlog = backlog, .flags = flags};
    q.addrlen = sockaddr_of(ip, port, &q.addr);
    return factory_ask(d, &q, fd, local);
}

int lch__netd_factory_unix(lch_netd_t *d, unsigned op, const struct sockaddr_un *sa, socklen_t sl,
                           int backlog, unsigned flags, unsigned mask, int *fd)
{
    fac_req_t q = {.op = op, .backlog = backlog, .flags = flags, .addrlen = sl, .umask = mask};
    memcpy(&q.addr, sa, sl);
    return factory_ask(d, &q, fd, NULL);
}

/* ---- answering --------------------------------------------------------------------- */

/* An answer with no payload sent now if the guest's queue has room: false
 * when it has none (EAGAIN), and nothing was sent. */
static bool respond_now(int chan, netp_res_t *res, int fd)
{
    res->len = 0;
    ssize_t r = send_with_fd(chan, res, sizeof *res, fd, MSG_DONTWAIT);
    return r >= 0 || (errno != EAGAIN && errno != ENOBUFS);
}

static void respond(lch_netd_t *d, int chan, netp_res_t *res, const void *payload, size_t plen,
                    int fd)
{
    uint8_t buf[sizeof *res + 4096];
    uint8_t *m = buf;
    res->len = (uint32_t)plen;
    if (sizeof *res + plen > sizeof buf && !(m = malloc(sizeof *res + plen)))
        return;
    memcpy(m, res, sizeof *res);
    if (plen)
        memcpy(m + sizeof *res, payload, plen);
    /* the guest may be slow to read: wait for room, or the stop */
    for (;;) {
        ssize_t r = send_with_fd(chan, m, sizeof *res + plen, fd, MSG_DONTWAIT);
        if (r >= 0 || (errno != EAGAIN && errno != ENOBUFS))
            break;
        if (wait_fd(d, chan, POLLOUT, -1) < 0)
            break;
    }
    if (m != buf)
        free(m);
}

static void fail_res(netp_res_t *res, int status)
{
    res->status = status;
}

/* ---- the ops ------------------------------------------------------------------------- */

/* Connects a socket of the host's to ss (non-blocking, then waited on). */
static int connect_outside(lch_netd_t *d, const struct sockaddr_storage *ss, socklen_t sl, int *fd)
{
    int s = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    int r = connect(s, (const struct sockaddr *)ss, sl);
    if (r < 0 && errno != EINPROGRESS) {
        r = -errno;
        close(s);
        return r;
    }
    *fd = s;
    return 0;
}

/* Waits until the connect of s is done: 0, or -errno (-ETIMEDOUT: still in
 * progress after ms; ms < 0: no limit). */
static int connect_wait(lch_netd_t *d, int s, int ms)
{
    int r = wait_fd(d, s, POLLOUT, ms);
    if (r < 0)
        return r;
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
        return -errno;
    return -err;
}

/* A connect request on its way: the targets the host stands for, the one
 * being tried, its socket while the connect is in progress. */
typedef struct {
    target_t t[NETD_TARGETS];
    size_t n, i;
    int fd;
    int last;
} conn_t;

/* The targets of a connect (no DNS for a name no rule could grant): false
 * when it has failed already (res says why). */
static bool connect_begin(lch_netd_t *d, const netp_req_t *q, conn_t *c, netp_res_t *res)
{
    const char *host = q->host;
    c->n = c->i = 0;
    c->fd = -1;
    c->last = -ECONNREFUSED;
    if (needs_dns(host) && !name_granted(d, host)) {
        decide(d, "connect", host, q->port, NULL); /* the refusal's line */
        fail_res(res, -EACCES);
        return false;
    }
    int r = targets_of(d, host, q->family, c->t, NETD_TARGETS, &c->n);
    if (r < 0) {
        fail_res(res, r);
        return false;
    }
    return true;
}

/* Tries the targets in turn from c->i, each decided on the address it
 * connects, waiting at most ms (< 0: no limit) for a connect in progress.
 * True when done (res and *out_fd the answer); false when c->fd is still
 * connecting after ms (its decision made: whoever goes on waits). */
static bool connect_run(lch_netd_t *d, const netp_req_t *q, conn_t *c, netp_res_t *res, int *out_fd,
                        int ms)
{
    const char *host = q->host;
    for (; c->i < c->n; c->i++) {
        target_t *t = &c->t[c->i];
        int r = 0;
        if (c->fd < 0) {
            netp_of_ip(&t->ip, q->port, &res->remote);
            if (decide(d, "connect", decided_host(host), q->port, &t->ip) < 0) {
                c->last = -EACCES;
                continue;
            }
            if (t->where == T_OUTSIDE && host_address(&t->ip)) {
                refuse_host_address(d, host, q->port, &t->ip);
                c->last = -EACCES;
                continue;
            }
            if (t->where == T_SANDBOX) {
                r = factory(d, FAC_CONNECT, &t->ip, q->port, 0, 0, &c->fd, NULL);
            } else {
                struct sockaddr_storage ss;
                socklen_t sl = sockaddr_of(&t->ip, q->port, &ss);
                r = connect_outside(d, &ss, sl, &c->fd);
            }
        }
        if (r == 0) {
            r = connect_wait(d, c->fd, ms);
            if (r == -ETIMEDOUT && ms >= 0)
                return false;
        }
        if (r == 0) {
            struct sockaddr_storage ls;
            socklen_t ll = sizeof ls;
            netp_of_ip(&t->ip, q->port, &res->remote);
            if (getsockname(c->fd, (struct sockaddr *)&ls, &ll) == 0)
                netp_of_sockaddr(&ls, &res->local);
            if (t->where == T_HOST_LOOPBACK) {
                /* the guest's name for the host's loopback */
                brk_ip_t g = {.family = 4};
                inet_pton(AF_INET, LCH_HOST_INTERNAL_V4, g.a);
                netp_of_ip(&g, q->port, &res->remote);
            }
            res->status = 0;
            *out_fd = c->fd;
            c->fd = -1;
            return true;
        }
        if (c->fd >= 0)
            close(c->fd);
        c->fd = -1;
        c->last = r;
        if (r == -ECANCELED)
            break;
    }
    fail_res(res, c->last);
    return true;
}

static void op_connect(lch_netd_t *d, const netp_req_t *q, netp_res_t *res, int *out_fd)
{
    conn_t c;
    if (connect_begin(d, q, &c, res))
        connect_run(d, q, &c, res, out_fd, -1);
}

static void op_listen(lch_netd_t *d, const netp_req_t *q, netp_res_t *res, int *out_fd)
{
    const char *host = q->host;
    brk_ip_t ip = {.family = 4}; /* "": the sandbox's every address */
    if (host[0] && strcasecmp(host, "localhost") && !literal(host, &ip)) {
        fail_res(res, -EADDRNOTAVAIL);
        return;
    }
    if (!strcasecmp(host, "localhost"))
        ip.a[0] = 127, ip.a[3] = 1;
    if (!host[0] && q->family == 6)
        ip.family = 6;
    if (decide(d, BRK_NET_OP_LISTEN, host, q->port, host[0] ? &ip : NULL) < 0) {
        fail_res(res, -EACCES);
        return;
    }
    brk_addr_class_t c = brk_addr_class(&ip);
    if (c != BRK_ADDR_LOOPBACK && c != BRK_ADDR_UNSPECIFIED) {
        fail_res(res, -EADDRNOTAVAIL); /* the sandbox has no other address */
        return;
    }
    /* a published port: the host's listening socket, accept()ed in here */
    for (size_t i = 0; i < d->o.npublish; i++) {
        const lch_publish_t *p = &d->o.publish[i];
        if (p->fd >= 0 && q->port && p->guest_port == q->port) {
            int fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 3);
            if (fd < 0) {
                fail_res(res, -errno);
                return;
            }
            netp_of_ip(&ip, q->port, &res->local);
            res->status = 0;
            *out_fd = fd;
            return;
        }
    }
    struct sockaddr_storage local;
    int fd;
    int r = factory(d, FAC_LISTEN, &ip, q->port, q->arg, q->flags, &fd, &local);
    if (r < 0) {
        fail_res(res, r);
        return;
    }
    netp_of_sockaddr(&local, &res->local);
    res->status = 0;
    *out_fd = fd;
}

static void op_lookup(lch_netd_t *d, const netp_req_t *q, netp_res_t *res, netp_addr_t *addrs,
                      size_t *naddr)
{
    const char *host = q->host;
    target_t t[NETD_TARGETS];
    size_t n = 0;
    *naddr = 0;
    if (!host[0]) {
        fail_res(res, -EINVAL);
        return;
    }
    if (needs_dns(host) && !name_granted(d, host)) {
        decide(d, "lookup", host, 0, NULL);
        fail_res(res, -EACCES);
        return;
    }
    int r = targets_of(d, host, q->family, t, NETD_TARGETS, &n);
    if (r < 0) {
        fail_res(res, r);
        return;
    }
    brk_ip_t hi = {.family = 4};
    inet_pton(AF_INET, LCH_HOST_INTERNAL_V4, hi.a);
    bool hi_done = false;
    for (size_t i = 0; i < n; i++) {
        if (t[i].where == T_HOST_LOOPBACK) {
            /* the guest's view of host.internal has one address, IPv4 */
            if (hi_done || t[i].ip.family != 4)
                continue;
            hi_done = true;
            netp_of_ip(&hi, 0, &addrs[(*naddr)++]);
            continue;
        }
        netp_of_ip(&t[i].ip, 0, &addrs[(*naddr)++]);
    }
    if (q->flags & NETP_F_IPV4FIRST) {
        netp_addr_t tmp[NETD_TARGETS];
        size_t k = 0;
        for (int fam = 4; fam <= 6; fam += 2)
            for (size_t i = 0; i < *naddr; i++)
                if (addrs[i].family == fam)
                    tmp[k++] = addrs[i];
        memcpy(addrs, tmp, k * sizeof *tmp);
    }
    if (!(q->flags & NETP_F_ALL) && *naddr > 1)
        *naddr = 1;
    res->naddr = (uint16_t)*naddr;
    res->status = 0;
}

/* dns.resolve*(): a name no rule could grant is not asked about (the
 * refusal's audit line, -EACCES); host.internal is the guest's own name
 * for the host's loopback (an A record of its address, nothing else). */
static void op_resolve(lch_netd_t *d, const netp_req_t *q, const uint8_t *payload, size_t plen,
                       int stop_fd, netp_res_t *res, char **json)
{
    const char *host = q->host;
    *json = NULL;
    if (!host[0] || !lch_netd_dns_type_ok(q->arg)) {
        fail_res(res, -EINVAL);
        return;
    }
    int cache = 0;
    if (plen) { /* the guest's own servers (netd_dns.c) */
        int r = lch_netd_dns_guest(d, q, payload, plen, stop_fd, json, &cache);
        fail_res(res, r < 0 ? r : 0);
        res->value = r > 0;
        res->naddr = (uint16_t)cache;
        return;
    }
    if (!name_granted(d, host)) {
        decide(d, "resolve", decided_host(host), 0, NULL);
        fail_res(res, -EACCES);
        return;
    }
    if (!strcasecmp(host, "host.internal")) {
        bool ttl = q->flags & NETP_F_TTL;
        if (q->arg == ns_t_a)
            *json = strdup(ttl ? "[{\"address\":\"" LCH_HOST_INTERNAL_V4 "\",\"ttl\":0}]"
                               : "[\"" LCH_HOST_INTERNAL_V4 "\"]");
        else if (q->arg == NETP_RR_ANY)
            *json = strdup("[{\"address\":\"" LCH_HOST_INTERNAL_V4 "\",\"ttl\":0,\"type\":\"A\"}]");
        fail_res(res, *json ? 0 : -(NETP_DNS_BASE + ARES_ENODATA));
        return;
    }
    int r = lch_netd_dns_query(d->o.resolvers, host, q->arg, q->flags & NETP_F_TTL, stop_fd, json,
                               &cache);
    res->naddr = (uint16_t)cache;
    if (r < 0) {
        fail_res(res, r);
        return;
    }
    res->value = r; /* 1: cut to fit */
    res->status = 0;
}

/* dns.reverse(): decided on the address as a connection to it on any port
 * would be (a rule covering it; "*" for a public one). The sandbox's own
 * loopback is localhost and the guest's host.internal address
 * host.internal, with no DNS asked. */
static void op_reverse(lch_netd_t *d, const netp_req_t *q, const uint8_t *payload, size_t plen,
                       int stop_fd, netp_res_t *res, char **json)
{
    const char *host = q->host;
    brk_ip_t ip;
    *json = NULL;
    if (!literal(host, &ip) || host[0] == '[') {
        fail_res(res, -EINVAL);
        return;
    }
    if (plen) { /* the guest's own servers (netd_dns.c) */
        int cache;
        int r = lch_netd_dns_guest(d, q, payload, plen, stop_fd, json, &cache);
        fail_res(res, r < 0 ? r : 0);
        res->value = r > 0;
        return;
    }
    char txt[INET6_ADDRSTRLEN];
    brk_ip_format(&ip, txt, sizeof txt);
    if (is_host_internal(host)) {
        *json = strdup("[\"host.internal\"]");
    } else if (brk_addr_class(&ip) == BRK_ADDR_LOOPBACK) {
        *json = strdup("[\"localhost\"]");
    } else if (decide(d, "reverse", txt, 0, &ip) < 0) {
        fail_res(res, -EACCES);
        return;
    } else {
        int r = lch_netd_dns_reverse(d->o.resolvers, txt, stop_fd, json);
        if (r < 0) {
            fail_res(res, r);
            return;
        }
        res->value = r;
    }
    fail_res(res, *json ? 0 : -ENOMEM);
}

/* Serves one checked request on channel chan; a DNS question also stops
 * when stop_fd becomes readable (the broker's stop, or its cancel). */
static void serve(lch_netd_t *d, int chan, const netp_req_t *q, const uint8_t *payload, size_t plen,
                  int stop_fd)
{
    (void)payload;
    (void)plen;
    netp_res_t res = {.id = q->id, .op = q->op, .status = -ENOSYS};
    int fd = -1;
    netp_addr_t addrs[NETD_TARGETS];
    size_t naddr = 0;
    char *json = NULL;
    switch (q->op) {
    case NETP_CONNECT:
        op_connect(d, q, &res, &fd);
        break;
    case NETP_LISTEN:
        op_listen(d, q, &res, &fd);
        break;
    case NETP_UNIX_LISTEN:
    case NETP_UNIX_CONNECT:
        lch_netd_unix_serve(d, q, payload, plen, &res, &fd);
        break;
    case NETP_LOOKUP:
        op_lookup(d, q, &res, addrs, &naddr);
        break;
    case NETP_UDP_BIND:
    case NETP_UDP_CONNECT:
    case NETP_UDP_SEND:
    case NETP_UDP_CLOSE:
        lch_netd_udp_serve(d, d->udp, q, payload, plen, &res, &fd);
        break;
    case NETP_RESOLVE:
        op_resolve(d, q, payload, plen, stop_fd, &res, &json);
        break;
    case NETP_REVERSE:
        op_reverse(d, q, payload, plen, stop_fd, &res, &json);
        break;
    default:
        break;
    }
    if (json && res.status == 0)
        respond(d, chan, &res, json, strlen(json), fd);
    else
        respond(d, chan, &res, naddr ? addrs : NULL, naddr * sizeof *addrs, fd);
    free(json);
    if (fd >= 0) {
        close(fd);
        if (lch_netd_sync_op(q->op)) {
            netp_res_t done = {.id = q->id, .op = NETP_RELEASED};
            respond(d, chan, &done, NULL, 0, -1);
        }
    }
}

/* ---- the threads -------------------------------------------------------------------- */

typedef struct job {
    netp_req_t q;
    uint8_t *payload;
    size_t plen;
    conn_t *conn; /* a connect begun by the reader, to wait for */
    bool deliver; /* an answer (res, fd) the reader could not send at once */
    netp_res_t res;
    int fd;
    int cancel_fd; /* a DNS question being asked: readable when it stops */
    struct job *next;
    struct job *run_next; /* in d->running while cancel_fd is open */
} job_t;

/* A connect the pool goes on with: the reader made its decision and began
 * it (connect_inline). */
static void serve_conn(lch_netd_t *d, const job_t *j)
{
    netp_res_t res = {.id = j->q.id, .op = j->q.op, .status = -ENOSYS};
    int fd = -1;
    connect_run(d, &j->q, j->conn, &res, &fd, -1);
    respond(d, d->async_fd, &res, NULL, 0, fd);
    if (fd >= 0)
        close(fd);
}

/* Frees a job and what it holds: a connect under way, an answer's socket
 * not handed in. */
static void job_free(job_t *j)
{
    if (j->deliver && j->fd >= 0)
        close(j->fd);
    if (j->conn && j->conn->fd >= 0)
        close(j->conn->fd);
    free(j->conn);
    free(j->payload);
    free(j);
}

/* A DNS question of the guest's Resolver, which it may cancel. */
static bool cancellable(const job_t *j)
{
    return !j->deliver && !j->conn && (j->q.op == NETP_RESOLVE || j->q.op == NETP_REVERSE);
}

static void signal_fd(int fd)
{
    uint64_t one = 1;
    ssize_t w = write(fd, &one, sizeof one);
    (void)w;
}

/* NETP_CANCEL: the question id is dropped from the queue, or stopped. */
static void cancel_job(lch_netd_t *d, uint32_t id)
{
    pthread_mutex_lock(&d->workers_mu);
    job_t *prev = NULL;
    for (job_t *j = d->queue; j; prev = j, j = j->next) {
        if (j->q.id != id || !cancellable(j))
            continue;
        if (prev)
            prev->next = j->next;
        else
            d->queue = j->next;
        if (d->queue_tail == j)
            d->queue_tail = prev;
        d->queued--;
        pthread_cond_broadcast(&d->workers_cv); /* room in the queue */
        pthread_mutex_unlock(&d->workers_mu);
        job_free(j);
        return;
    }
    for (job_t *j = d->running; j; j = j->run_next)
        if (j->q.id == id)
            signal_fd(j->cancel_fd);
    pthread_mutex_unlock(&d->workers_mu);
}

/* A worker of the pool: serves queued async requests; stays for the next
 * one (a thread is made only when none is idle), ends at the stop. */
static void *worker(void *arg)
{
    lch_netd_t *d = arg;
    pthread_mutex_lock(&d->workers_mu);
    for (;;) {
        while (!d->queue && !d->stopping) {
            d->idle++;
            pthread_cond_wait(&d->workers_cv, &d->workers_mu);
            d->idle--;
        }
        if (d->stopping)
            break;
        job_t *j = d->queue;
        d->queue = j->next;
        if (!d->queue)
            d->queue_tail = NULL;
        d->queued--;
        j->cancel_fd = -1;
        if (cancellable(j) && (j->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) >= 0) {
            j->run_next = d->running;
            d->running = j;
        }
        pthread_cond_broadcast(&d->workers_cv); /* room in the queue */
        pthread_mutex_unlock(&d->workers_mu);
        if (j->deliver)
            respond(d, d->async_fd, &j->res, NULL, 0, j->fd);
        else if (j->conn)
            serve_conn(d, j);
        else
            serve(d, d->async_fd, &j->q, j->payload, j->plen,
                  j->cancel_fd >= 0 ? j->cancel_fd : d->stop_fd);
        pthread_mutex_lock(&d->workers_mu);
        if (j->cancel_fd >= 0) {
            for (job_t **pp = &d->running; *pp; pp = &(*pp)->run_next)
                if (*pp == j) {
                    *pp = j->run_next;
                    break;
                }
            close(j->cancel_fd);
        }
        job_free(j);
    }
    d->nworkers--;
    pthread_cond_broadcast(&d->workers_cv);
    pthread_mutex_unlock(&d->workers_mu);
    return NULL;
}

/* Queues an async request for the pool: false at the stop. Waits while
 * NETD_WORKERS requests already wait (the guest's wait in the socket
 * buffer), and starts a worker when none is idle (NETD_WORKERS at most). */
static bool enqueue(lch_netd_t *d, job_t *j)
{
    pthread_mutex_lock(&d->workers_mu);
    /* answers waiting for the guest to read may queue further: the reader
     * goes on reading while the guest sends (bounded: host memory) */
    size_t cap = j->deliver ? NETD_WORKERS + NETD_DELIVER_MAX : NETD_WORKERS;
    while ((size_t)d->queued >= cap && !d->stopping)
        pthread_cond_wait(&d->workers_cv, &d->workers_mu);
    if (d->stopping) {
        pthread_mutex_unlock(&d->workers_mu);
        return false;
    }
    if (d->queue_tail)
        d->queue_tail->next = j;
    else
        d->queue = j;
    d->queue_tail = j;
    d->queued++;
    if (d->idle < d->queued && d->nworkers < NETD_WORKERS) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 256 * 1024);
        if (pthread_create(&t, &attr, worker, d) == 0)
            d->nworkers++;
        pthread_attr_destroy(&attr);
    }
    pthread_cond_signal(&d->workers_cv);
    pthread_mutex_unlock(&d->workers_mu);
    return true;
}

/* A connect to an address the host names without DNS (a literal,
 * host.internal, localhost), served by the reader itself while its
 * connect completes at once, as one to a loopback does: no hand-off to
 * the pool and back. One still in progress goes to the pool (its
 * decision made) as a job to wait on; true when it was served or
 * queued, false when the pool must serve it from the start. */
static bool connect_inline(lch_netd_t *d, int chan, const netp_req_t *q)
{
    if (q->op != NETP_CONNECT || q->len || needs_dns(q->host))
        return false;
    conn_t *c = malloc(sizeof *c);
    job_t *j = calloc(1, sizeof *j);
    if (!c || !j) {
        free(c);
        free(j);
        return false;
    }
    netp_res_t res = {.id = q->id, .op = q->op, .status = -ENOSYS};
    int fd = -1;
    if (!connect_begin(d, q, c, &res) || connect_run(d, q, c, &res, &fd, 0)) {
        free(c);
        /* the reader never waits on the guest (which may be waiting to
         * send it more): a full queue hands the answer to the pool */
        if (respond_now(chan, &res, fd)) {
            if (fd >= 0)
                close(fd);
            free(j);
            return true;
        }
        j->deliver = true;
        j->res = res;
        j->fd = fd;
        if (!enqueue(d, j)) {
            if (fd >= 0)
                close(fd);
            free(j);
        }
        return true;
    }
    j->q = *q;
    j->conn = c;
    if (!enqueue(d, j)) {
        close(c->fd);
        free(c);
        free(j);
    }
    return true;
}

/* After a read of 0 bytes: the peer closed (rather than an empty message,
 * which a SOCK_SEQPACKET peer may send). */
static bool peer_gone(int fd)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    return poll(&pf, 1, 0) == 1 && (pf.revents & (POLLHUP | POLLERR));
}

/* Reads the channel's requests until it ends (or the stop). */
static void *reader(lch_netd_t *d, int chan, bool sync)
{
    uint8_t *buf = malloc(NETP_MSG_MAX + 1);
    if (!buf)
        return NULL;
    for (;;) {
        if (wait_fd(d, chan, POLLIN, -1) < 0)
            break;
        int fd;
        ssize_t n = recv_with_fd(chan, buf, NETP_MSG_MAX + 1, &fd);
        if (fd >= 0)
            close(fd); /* the guest hands nothing in */
        if (n == 0 && peer_gone(chan))
            break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EMSGSIZE)
                continue;
            break;
        }
        netp_req_t q;
        const uint8_t *payload;
        size_t plen;
        uint32_t id;
        if (lch_netd_check(buf, (size_t)n, &q, &payload, &plen, &id) < 0 ||
            lch_netd_sync_op(q.op) != sync) {
            netp_res_t res = {.id = id, .status = -EINVAL};
            respond(d, chan, &res, NULL, 0, -1);
            continue;
        }
        if (q.op == NETP_CANCEL) {
            cancel_job(d, (uint32_t)q.arg);
            netp_res_t res = {.id = q.id, .op = q.op, .status = 0};
            respond(d, chan, &res, NULL, 0, -1);
            continue;
        }
        if (sync || lch_netd_udp_inline(&q)) { /* UDP_SEND: in the order sent */
            serve(d, chan, &q, payload, plen, d->stop_fd);
            continue;
        }
        if (connect_inline(d, chan, &q))
            continue;
        job_t *j = calloc(1, sizeof *j);
        if (j && plen && !(j->payload = malloc(plen))) {
            free(j);
            j = NULL;
        }
        if (!j) {
            netp_res_t res = {.id = q.id, .op = q.op, .status = -ENOMEM};
            respond(d, chan, &res, NULL, 0, -1);
            continue;
        }
        j->q = q;
        j->plen = plen;
        if (plen)
            memcpy(j->payload, payload, plen);
        if (!enqueue(d, j)) {
            free(j->payload);
            free(j);
            break;
        }
    }
    free(buf);
    return NULL;
}

static void *async_reader(void *arg)
{
    lch_netd_t *d = arg;
    return reader(d, d->async_fd, false);
}

static void *sync_reader(void *arg)
{
    lch_netd_t *d = arg;
    return reader(d, d->sync_fd, true);
}

/* ---- pairs, start, stop ------------------------------------------------------------- */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void lch_netd_pairs_close(lch_netd_fds_t *f)
{
    close_fd(&f->guest_async);
    close_fd(&f->guest_sync);
    close_fd(&f->factory_mid);
    close_fd(&f->own_async);
    close_fd(&f->own_sync);
    close_fd(&f->factory_own);
}

int lch_netd_pairs(lch_netd_fds_t *f)
{
    int a[2], s[2], m[2];
    *f = (lch_netd_fds_t){-1, -1, -1, -1, -1, -1};
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, a) < 0)
        return -errno;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s) < 0) {
        int e = -errno;
        close(a[0]);
        close(a[1]);
        return e;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, m) < 0) {
        int e = -errno;
        close(a[0]);
        close(a[1]);
        close(s[0]);
        close(s[1]);
        return e;
    }
    *f = (lch_netd_fds_t){.guest_async = a[0],
                          .own_async = a[1],
                          .guest_sync = s[0],
                          .own_sync = s[1],
                          .factory_mid = m[0],
                          .factory_own = m[1]};
    /* the broker never blocks on a guest that does not read */
    fcntl(f->own_async, F_SETFL, O_NONBLOCK);
    fcntl(f->own_sync, F_SETFL, O_NONBLOCK);
    return 0;
}

lch_netd_t *lch_netd_start(const lch_netd_opts_t *o, lch_netd_fds_t *f, char *err, size_t errlen)
{
    static int ares_status = -1; /* once per process, before any thread asks */
    lch_netd_t *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "network: out of memory");
        return NULL;
    }
    if (ares_status < 0)
        ares_status = ares_library_init(ARES_LIB_INIT_ALL);
    if (ares_status != ARES_SUCCESS) {
        snprintf(err, errlen, "network: c-ares: %s", ares_strerror(ares_status));
        free(d);
        return NULL;
    }
    d->o = *o;
    d->async_fd = f->own_async;
    d->sync_fd = f->own_sync;
    d->factory_fd = f->factory_own;
    f->own_async = f->own_sync = f->factory_own = -1;
    d->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    pthread_mutex_init(&d->decide_mu, NULL);
    pthread_mutex_init(&d->factory_mu, NULL);
    pthread_mutex_init(&d->workers_mu, NULL);
    pthread_cond_init(&d->workers_cv, NULL);
    d->udp = lch_netd_udp_new();
    if (d->stop_fd < 0 || !d->udp) {
        snprintf(err, errlen, "network: eventfd: %s", strerror(errno));
        lch_netd_stop(d);
        return NULL;
    }
    d->async_started = pthread_create(&d->async_thr, NULL, async_reader, d) == 0;
    d->sync_started = d->async_started && pthread_create(&d->sync_thr, NULL, sync_reader, d) == 0;
    if (!d->sync_started) {
        snprintf(err, errlen, "network: cannot start its threads");
        lch_netd_stop(d);
        return NULL;
    }
    return d;
}

void lch_netd_stop(lch_netd_t *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->workers_mu);
    d->stopping = true;
    for (job_t *j = d->running; j; j = j->run_next)
        signal_fd(j->cancel_fd);
    pthread_cond_broadcast(&d->workers_cv);
    pthread_mutex_unlock(&d->workers_mu);
    if (d->stop_fd >= 0)
        signal_fd(d->stop_fd);
    if (d->async_started)
        pthread_join(d->async_thr, NULL);
    if (d->sync_started)
        pthread_join(d->sync_thr, NULL);
    pthread_mutex_lock(&d->workers_mu);
    pthread_cond_broadcast(&d->workers_cv);
    while (d->nworkers > 0)
        pthread_cond_wait(&d->workers_cv, &d->workers_mu);
    while (d->queue) { /* never served: the guest is gone */
        job_t *j = d->queue;
        d->queue = j->next;
        job_free(j);
    }
    pthread_mutex_unlock(&d->workers_mu);
    close_fd(&d->async_fd);
    close_fd(&d->sync_fd);
    close_fd(&d->factory_fd);
    close_fd(&d->stop_fd);
    lch_netd_udp_free(d->udp); /* every copy closed */
    pthread_mutex_destroy(&d->decide_mu);
    pthread_mutex_destroy(&d->factory_mu);
    pthread_mutex_destroy(&d->workers_mu);
    pthread_cond_destroy(&d->workers_cv);
    free(d);
}

/* ---- --publish ---------------------------------------------------------------------- */

static bool port_of(const char *s, size_t len, unsigned *port)
{
    if (!len || len > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return false;
    *port = v;
    return true;
}

int lch_publish_parse(const char *s, lch_publish_t *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->fd = -1;
    const char *last = strrchr(s, ':');
    if (!last || last == s) {
        snprintf(err, errlen, "--publish %s: expected [HOSTIP:]HOSTPORT:GUESTPORT", s);
        return -1;
    }
    const char *mid = last - 1;
    while (mid > s && *mid != ':' && *mid != ']')
        mid--;
    const char *hp = s;
    if (*mid == ':') {
        size_t hl = (size_t)(mid - s);
        if (hl >= sizeof p->host_ip) {
            snprintf(err, errlen, "--publish %s: the host address is too long", s);
            return -1;
        }
        memcpy(p->host_ip, s, hl);
        p->host_ip[hl] = '\0';
        hp = mid + 1;
    }
    if (!port_of(hp, (size_t)(last - hp), &p->host_port) ||
        !port_of(last + 1, strlen(last + 1), &p->guest_port)) {
        snprintf(err, errlen, "--publish %s: ports are 1-65535 ([HOSTIP:]HOSTPORT:GUESTPORT)", s);
        return -1;
    }
    brk_ip_t ip;
    if (p->host_ip[0] && !literal(p->host_ip, &ip)) {
        snprintf(err, errlen, "--publish %s: '%s' is no IP address", s, p->host_ip);
        return -1;
    }
    return 0;
}

int lch_publish_open(lch_publish_t *p, char *err, size_t errlen)
{
    brk_ip_t ip = {.family = 4, .a = {127, 0, 0, 1}};
    if (p->host_ip[0])
        literal(p->host_ip, &ip);
    struct sockaddr_storage ss;
    socklen_t sl = sockaddr_of(&ip, p->host_port, &ss);
    int s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(s, (struct sockaddr *)&ss, sl) < 0 || listen(s, 511) < 0) {
        snprintf(err, errlen, "--publish %s%s%u:%u: cannot listen on the host: %s", p->host_ip,
                 p->host_ip[0] ? ":" : "", p->host_port, p->guest_port, strerror(errno));
        if (s >= 0)
            close(s);
        return -1;
    }
    p->fd = s;
    return 0;
}

/* ---- for netd_udp.c and netd_dns.c -------------------------------------------------- */

int lch__netd_decide(lch_netd_t *d, const char *op, const char *host, unsigned port,
                     const brk_ip_t *ip)
{
    return decide(d, op, decided_host(host), port, ip);
}

bool lch__netd_name_granted(lch_netd_t *d, const char *host)
{
    brk_ip_t ip;
    return literal(host, &ip) || is_host_internal(host) || !strcasecmp(host, "localhost") ||
           !host[0] || name_granted(d, host);
}

int lch__netd_targets(lch_netd_t *d, const char *host, int family, lch__target_t *t, size_t max,
                      size_t *n)
{
    target_t tt[NETD_TARGETS];
    if (max > NETD_TARGETS)
        max = NETD_TARGETS;
    int r = targets_of(d, host, family, tt, max, n);
    for (size_t i = 0; r == 0 && i < *n; i++) {
        t[i].ip = tt[i].ip;
        t[i].where = tt[i].where == T_SANDBOX         ? LCH_T_SANDBOX
                     : tt[i].where == T_HOST_LOOPBACK ? LCH_T_HOST_LOOPBACK
                                                      : LCH_T_OUTSIDE;
    }
    return r;
}

bool lch__netd_literal(const char *host, brk_ip_t *ip)
{
    return literal(host, ip);
}

bool lch__netd_host_internal(const char *host)
{
    return is_host_internal(host);
}

int lch__netd_factory_udp(lch_netd_t *d, const brk_ip_t *ip, unsigned port, unsigned flags, int *fd,
                          struct sockaddr_storage *local)
{
    return factory(d, FAC_UDP, ip, port, 0, flags, fd, local);
}

int lch__netd_factory_tcp(lch_netd_t *d, const brk_ip_t *ip, unsigned port, int *fd)
{
    return factory(d, FAC_CONNECT, ip, port, 0, 0, fd, NULL);
}

bool lch__netd_host_address(lch_netd_t *d, const char *host, unsigned port, const brk_ip_t *ip)
{
    if (!host_address(ip))
        return false;
    refuse_host_address(d, host, port, ip);
    return true;
}

socklen_t lch__netd_sockaddr(const brk_ip_t *ip, unsigned port, struct sockaddr_storage *ss)
{
    return sockaddr_of(ip, port, ss);
}

void lch__netd_netp_addr(const struct sockaddr_storage *ss, netp_addr_t *a)
{
    netp_of_sockaddr(ss, a);
}
