/*
 * launcher/netd_udp.c — the supervisor's UDP sockets (netd.h, "UDP").
 *
 * A table of the run's UDP sockets, by handle (1..NETP_UDP_MAX): the
 * supervisor's copy of each socket it handed in (the same file
 * description as the guest's), its kind and family. The handle's slot
 * carries a generation, so a request that resolved a name outside the
 * lock finds out when the socket it asked about was closed meanwhile.
 *
 * Kinds (netproto.h NETP_UDP_BIND): a socket of the sandbox's (bound on
 * its loopback or unspecified address by the middle process, in the
 * guest's network namespace) sends only to the sandbox's own addresses; a
 * socket of the host's (made here, in the host's network namespace, for
 * a first destination outside) sends only outside and to host.internal,
 * never to a broadcast or multicast address. Every destination is decided
 * (brk_net_decide "udp-send", by "supervisor") on the address about to be
 * used; the guest's own send() reaches only the peer connected here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netd.h"

typedef struct {
    int fd; /* the supervisor's copy, -1: free */
    unsigned gen;
    bool outside; /* of the host's network namespace */
    bool connected;
    int family; /* 4 or 6 */
} udp_slot_t;

struct lch_netd_udp {
    pthread_mutex_t mu;
    udp_slot_t s[NETP_UDP_MAX];
    unsigned next; /* where the next search for a free slot starts */
};

lch_netd_udp_t *lch_netd_udp_new(void)
{
    lch_netd_udp_t *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    pthread_mutex_init(&u->mu, NULL);
    for (size_t i = 0; i < NETP_UDP_MAX; i++)
        u->s[i].fd = -1;
    return u;
}

void lch_netd_udp_free(lch_netd_udp_t *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < NETP_UDP_MAX; i++)
        if (u->s[i].fd >= 0)
            close(u->s[i].fd);
    pthread_mutex_destroy(&u->mu);
    free(u);
}

bool lch_netd_udp_inline(const netp_req_t *q)
{
    brk_ip_t ip;
    return q->op == NETP_UDP_SEND &&
           (!q->host[0] || !strcasecmp(q->host, "localhost") || lch__netd_host_internal(q->host) ||
            lch__netd_literal(q->host, &ip));
}

/* The slot of handle h (locked by the caller): NULL with *err -EINVAL (out
 * of range) or -EBADF (not one the guest holds). */
static udp_slot_t *slot_of(lch_netd_udp_t *u, int32_t h, int *err)
{
    if (h < 1 || h > NETP_UDP_MAX) {
        *err = -EINVAL;
        return NULL;
    }
    udp_slot_t *s = &u->s[h - 1];
    if (s->fd < 0) {
        *err = -EBADF;
        return NULL;
    }
    return s;
}

/* Keeps a copy of fd: its handle, or -EMFILE / -errno. */
static int slot_add(lch_netd_udp_t *u, int fd, bool outside, int family)
{
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0)
        return -errno;
    pthread_mutex_lock(&u->mu);
    int h = -EMFILE;
    for (unsigned k = 0; k < NETP_UDP_MAX; k++) {
        unsigned i = (u->next + k) % NETP_UDP_MAX;
        if (u->s[i].fd < 0) {
            u->s[i] = (udp_slot_t){
                .fd = copy, .gen = u->s[i].gen + 1, .outside = outside, .family = family};
            u->next = (i + 1) % NETP_UDP_MAX;
            h = (int)i + 1;
            break;
        }
    }
    pthread_mutex_unlock(&u->mu);
    if (h < 0)
        close(copy);
    return h;
}

static bool is_broadcast(const brk_ip_t *ip)
{
    static const uint8_t all[4] = {255, 255, 255, 255};
    return ip->family == 4 && !memcmp(ip->a, all, 4);
}

/* The destination host:port for a socket of family and kind outside:
 * the first address it stands for that is of the socket's family and
 * kind and granted. 0 with *ip and *where, or -EACCES (refused),
 * -ENETUNREACH (only the other kind's addresses), -EINVAL (none of the
 * family), a DNS status. */
static int pick(lch_netd_t *d, const char *host, unsigned port, int family, bool outside,
                brk_ip_t *ip, lch__where_t *where)
{
    if (!host[0] || port < 1 || port > 65535)
        return -EINVAL;
    if (!lch__netd_name_granted(d, host)) {
        lch__netd_decide(d, BRK_NET_OP_SEND, host, port, NULL); /* the refusal's line */
        return -EACCES;
    }
    lch__target_t t[NETP_ADDRS_MAX];
    size_t n = 0;
    int r = lch__netd_targets(d, host, family, t, NETP_ADDRS_MAX, &n);
    if (r < 0)
        return r;
    int last = -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (t[i].ip.family != family)
            continue;
        bool sandbox = t[i].where == LCH_T_SANDBOX;
        if (sandbox == outside) {
            if (last != -EACCES)
                last = -ENETUNREACH;
            continue;
        }
        if (outside && (is_broadcast(&t[i].ip) || brk_addr_class(&t[i].ip) == BRK_ADDR_MULTICAST)) {
            last = -EACCES;
            continue;
        }
        if (lch__netd_decide(d, BRK_NET_OP_SEND, host, port, &t[i].ip) < 0) {
            last = -EACCES;
            continue;
        }
        *ip = t[i].ip;
        *where = t[i].where;
        return 0;
    }
    return last;
}

/* The host's loopback as the guest names it (host.internal's address). */
static void guest_view(const brk_ip_t *ip, lch__where_t where, unsigned port, netp_addr_t *a)
{
    memset(a, 0, sizeof *a);
    a->port = (uint16_t)port;
    a->family = (uint8_t)ip->family;
    if (where == LCH_T_HOST_LOOPBACK && ip->family == 4) {
        inet_pton(AF_INET, NETP_HOST_INTERNAL_V4, a->addr);
        return;
    }
    memcpy(a->addr, ip->a, ip->family == 4 ? 4 : 16);
}

static void op_bind(lch_netd_t *d, lch_netd_udp_t *u, const netp_req_t *q, netp_res_t *res,
                    int *out_fd)
{
    int fam = q->family;
    if (fam != 4 && fam != 6) {
        res->status = -EINVAL;
        return;
    }
    int fd = -1, r;
    struct sockaddr_storage local;
    bool outside = q->flags & NETP_F_OUTSIDE;
    if (outside) {
        /* made only for a first destination that is granted */
        brk_ip_t ip;
        lch__where_t where;
        if ((r = pick(d, q->host, q->port, fam, true, &ip, &where)) < 0) {
            res->status = r;
            return;
        }
        fd = socket(fam == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            res->status = -errno;
            return;
        }
        if (fam == 6) {
            int v6only = (q->flags & NETP_F_IPV6ONLY) ? 1 : 0;
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
        }
        brk_ip_t any = {.family = fam};
        socklen_t sl = lch__netd_sockaddr(&any, 0, &local);
        if (bind(fd, (struct sockaddr *)&local, sl) < 0) {
            res->status = -errno;
            close(fd);
            return;
        }
        sl = sizeof local;
        if (getsockname(fd, (struct sockaddr *)&local, &sl) < 0) {
            res->status = -errno;
            close(fd);
            return;
        }
    } else {
        const char *host = q->host;
        brk_ip_t ip = {.family = fam}; /* "": the sandbox's every address */
        if (!strcasecmp(host, "localhost")) {
            if (fam == 4)
                ip.a[0] = 127, ip.a[3] = 1;
            else
                ip.a[15] = 1;
        } else if (host[0] && !lch__netd_literal(host, &ip)) {
            res->status = -EADDRNOTAVAIL;
            return;
        }
        if (ip.family != fam) {
            res->status = -EINVAL;
            return;
        }
        if (lch__netd_decide(d, BRK_NET_OP_BIND, host, q->port, host[0] ? &ip : NULL) < 0) {
            res->status = -EACCES;
            return;
        }
        brk_addr_class_t c = brk_addr_class(&ip);
        if (c != BRK_ADDR_LOOPBACK && c != BRK_ADDR_UNSPECIFIED) {
            res->status = -EADDRNOTAVAIL; /* the sandbox has no other address */
            return;
        }
        r = lch__netd_factory_udp(d, &ip, q->port, q->flags & (NETP_F_IPV6ONLY | NETP_F_REUSEADDR),
                                  &fd, &local);
        if (r < 0) {
            res->status = r;
            return;
        }
    }
    int h = slot_add(u, fd, outside, fam);
    if (h < 0) {
        close(fd);
        res->status = h;
        return;
    }
    lch__netd_netp_addr(&local, &res->local);
    res->value = h;
    res->status = 0;
    *out_fd = fd;
}

/* Copies handle h's slot: 0, or -EINVAL / -EBADF. */
static int slot_copy(lch_netd_udp_t *u, int32_t h, udp_slot_t *out)
{
    int err = 0;
    pthread_mutex_lock(&u->mu);
    udp_slot_t *s = slot_of(u, h, &err);
    if (s)
        *out = *s;
    pthread_mutex_unlock(&u->mu);
    return s ? 0 : err;
}

static void op_connect(lch_netd_t *d, lch_netd_udp_t *u, const netp_req_t *q, netp_res_t *res)
{
    udp_slot_t was;
    int r = slot_copy(u, q->arg, &was);
    if (r < 0) {
        res->status = r;
        return;
    }
    bool disconnect = !q->host[0] && !q->port;
    brk_ip_t ip;
    lch__where_t where = LCH_T_SANDBOX;
    if (!disconnect && (r = pick(d, q->host, q->port, was.family, was.outside, &ip, &where)) < 0) {
        res->status = r;
        return;
    }
    pthread_mutex_lock(&u->mu);
    udp_slot_t *s = slot_of(u, q->arg, &r);
    if (s && s->gen != was.gen) {
        s = NULL;
        r = -EBADF;
    }
    if (s) {
        struct sockaddr_storage ss;
        socklen_t sl;
        if (disconnect) {
            memset(&ss, 0, sizeof ss);
            ss.ss_family = AF_UNSPEC;
            sl = sizeof(struct sockaddr);
        } else {
            sl = lch__netd_sockaddr(&ip, q->port, &ss);
        }
        r = connect(s->fd, (struct sockaddr *)&ss, sl) < 0 ? -errno : 0;
        if (r == 0)
            s->connected = !disconnect;
    }
    pthread_mutex_unlock(&u->mu);
    res->status = r;
    if (r == 0 && !disconnect)
        guest_view(&ip, where, q->port, &res->remote);
}

static void op_send(lch_netd_t *d, lch_netd_udp_t *u, const netp_req_t *q, const uint8_t *payload,
                    size_t plen, netp_res_t *res)
{
    udp_slot_t was;
    int r = slot_copy(u, q->arg, &was);
    if (r < 0) {
        res->status = r;
        return;
    }
    if (plen > NETP_UDP_PAYLOAD_MAX) {
        res->status = -EMSGSIZE;
        return;
    }
    bool to_peer = !q->host[0] && !q->port;
    if (to_peer != was.connected) {
        res->status = was.connected ? -EISCONN : -EDESTADDRREQ;
        return;
    }
    brk_ip_t ip;
    lch__where_t where;
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    if (!to_peer) {
        if ((r = pick(d, q->host, q->port, was.family, was.outside, &ip, &where)) < 0) {
            res->status = r;
            return;
        }
        sl = lch__netd_sockaddr(&ip, q->port, &ss);
    }
    pthread_mutex_lock(&u->mu);
    udp_slot_t *s = slot_of(u, q->arg, &r);
    if (s && (s->gen != was.gen || s->connected != was.connected)) {
        s = NULL;
        r = -EBADF;
    }
    if (s) {
        ssize_t n = -1;
        for (int tries = 0; tries < 20; tries++) {
            n = to_peer ? send(s->fd, payload, plen, MSG_DONTWAIT | MSG_NOSIGNAL)
                        : sendto(s->fd, payload, plen, MSG_DONTWAIT | MSG_NOSIGNAL,
                                 (struct sockaddr *)&ss, sl);
            if (n >= 0 || (errno != EAGAIN && errno != ENOBUFS && errno != EINTR))
                break;
            struct pollfd pf = {.fd = s->fd, .events = POLLOUT};
            poll(&pf, 1, 10); /* the socket's buffer drains in a moment */
        }
        r = n < 0 ? -errno : 0;
        if (n >= 0)
            res->value = (int32_t)n;
    }
    pthread_mutex_unlock(&u->mu);
    res->status = r;
}

static void op_close(lch_netd_udp_t *u, const netp_req_t *q, netp_res_t *res)
{
    int r = 0;
    pthread_mutex_lock(&u->mu);
    udp_slot_t *s = slot_of(u, q->arg, &r);
    if (s) {
        close(s->fd);
        s->fd = -1;
        s->connected = false;
    }
    pthread_mutex_unlock(&u->mu);
    res->status = r;
}

void lch_netd_udp_serve(lch_netd_t *d, lch_netd_udp_t *u, const netp_req_t *q,
                        const uint8_t *payload, size_t plen, netp_res_t *res, int *fd)
{
    *fd = -1;
    if (!u) {
        res->status = -ENETDOWN;
        return;
    }
    switch (q->op) {
    case NETP_UDP_BIND:
        op_bind(d, u, q, res, fd);
        break;
    case NETP_UDP_CONNECT:
        op_connect(d, u, q, res);
        break;
    case NETP_UDP_SEND:
        op_send(d, u, q, payload, plen, res);
        break;
    case NETP_UDP_CLOSE:
        op_close(u, q, res);
        break;
    default:
        res->status = -EINVAL;
        break;
    }
}
