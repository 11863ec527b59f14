/*
 * bridge/dgram.c — UDP for the dgram module.
 *
 * The guest makes no UDP socket itself: the supervisor does
 * (bridge/netproto.h NETP_UDP_*, launcher/netd_udp.c) and hands it in.
 * The guest then reads its datagrams itself (libuv: recvmsg), and sends
 * on a connected socket itself with send() (libuv's uv_udp_send and
 * uv_udp_try_send use sendmsg, which the seccomp policy refuses); an
 * addressed datagram, a connect and a bind are asked of the supervisor,
 * after the broker here decided first (the JS wall): "udp-bind" for a
 * bind, "udp-send" for a destination.
 *
 * A socket is of one kind for its life: bound on the sandbox's loopback
 * (an explicit bind, or an implicit one before a first destination in the
 * sandbox), or a socket of the host's for destinations outside (an
 * implicit bind before a first destination outside: netproto.h
 * NETP_F_OUTSIDE). A datagram to the other kind fails with ENETUNREACH.
 *
 * The socket is a vm handle holding a box, as in net.c: the libuv handle
 * lives until its close callback, an outstanding send's answer finds the
 * socket gone (br__net_forget) rather than freed memory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "netproto.h"

#define DG_READ_CHUNK (64 * 1024)
#define DG_TARGET_MAX 320

typedef struct dg_sock dg_sock_t;

typedef struct {
    dg_sock_t *s; /* NULL once the socket is closed */
} dg_box_t;

struct dg_sock {
    uv_udp_t udp;
    br_rt_t *rt;
    dg_box_t *box;
    int family;         /* 4 or 6 */
    int handle;         /* the supervisor's name for it, 0: none yet */
    bool opened;        /* uv_udp_open done */
    bool outside;       /* a socket of the host's (NETP_F_OUTSIDE) */
    netp_addr_t remote; /* the connected peer as the supervisor names it */
    vm_ref_t onmsg;     /* fn(nread | -errno, bytes, address, port, family) */
    vm_ref_t onclose;   /* fn() once closed */
    dg_sock_t *prev, *next;
};

static _Thread_local dg_sock_t *all_socks; /* the runtime of this thread's */

static void dg_box_free(void *p);
static const vm_handle_type_t udp_type = {"UDP", dg_box_free};

/* ---- life ------------------------------------------------------------------ */

static void sock_closed(uv_handle_t *h)
{
    dg_sock_t *s = h->data;
    br_rt_t *rt = s->rt;
    br__net_forget(s);
    if (s->prev)
        s->prev->next = s->next;
    else if (all_socks == s)
        all_socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    rt->handles_open--;
    vm_ref_t onclose = s->onclose;
    vm_ref_free(rt->vm, s->onmsg);
    if (s->box)
        s->box->s = NULL;
    free(s);
    if (onclose) {
        if (!rt->closing && vm_limit(rt->vm) == VM_LIMIT_NONE)
            br__invoke(rt, onclose, 0, NULL, NULL);
        vm_ref_free(rt->vm, onclose);
    }
}

/* Closes the socket: the supervisor forgets its copy (unless the run is
 * ending: it closes them all then), libuv closes the guest's. */
static void sock_close(dg_sock_t *s)
{
    if (uv_is_closing((uv_handle_t *)&s->udp))
        return;
    if (s->handle && !s->rt->closing) {
        netp_req_t q;
        netp_res_t res;
        int fd;
        br__net_fill_req(&q, NETP_UDP_CLOSE, "", 0, 0);
        q.arg = s->handle;
        if (br__net_sync(s->rt, &q, &res, &fd) == 0 && fd >= 0)
            close(fd);
    }
    s->handle = 0;
    uv_close((uv_handle_t *)&s->udp, sock_closed);
}

static void dg_box_free(void *p)
{
    dg_box_t *b = p;
    if (b->s) {
        b->s->box = NULL;
        sock_close(b->s);
    }
    free(b);
}

void br__dgram_close(br_rt_t *rt)
{
    for (dg_sock_t *s = all_socks; s; s = s->next)
        sock_close(s);
}

static dg_sock_t *sock_arg(vm_call_t *c, int i)
{
    dg_box_t *b = vm_arg_handle(c, i, &udp_type);
    if (!b || !b->s || uv_is_closing((uv_handle_t *)&b->s->udp)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "not an open UDP handle");
        return NULL;
    }
    return b->s;
}

/* udpNew(family) -> handle */
static void dg_new(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    dg_sock_t *s = calloc(1, sizeof *s);
    dg_box_t *b = calloc(1, sizeof *b);
    if (!s || !b) {
        free(s);
        free(b);
        vm_throw_alloc_failed(c);
        return;
    }
    int r = uv_udp_init(rt->loop, &s->udp);
    if (r < 0) {
        free(s);
        free(b);
        br__throw_errno(c, r, "socket", NULL, NULL);
        return;
    }
    s->rt = rt;
    s->udp.data = s;
    s->family = vm_arg_num(c, 0) == 6 ? 6 : 4;
    rt->handles_open++;
    s->next = all_socks;
    if (all_socks)
        all_socks->prev = s;
    all_socks = s;
    b->s = s;
    s->box = b;
    vm_ret_handle(c, &udp_type, b);
}

/* ---- addresses ----------------------------------------------------------------- */

static int port_of(const struct sockaddr_storage *sa)
{
    return ntohs(sa->ss_family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_port
                                          : ((const struct sockaddr_in6 *)sa)->sin6_port);
}

static void ip_text(const struct sockaddr_storage *sa, char *ip, size_t cap)
{
    ip[0] = '\0';
    inet_ntop(sa->ss_family,
              sa->ss_family == AF_INET
                  ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                  : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr,
              ip, (socklen_t)cap);
}

/* The host the supervisor is asked about: a name as given (it resolves and
 * decides it again), else the address. */
static const char *asked_host(const char *asked, const char *ip)
{
    struct in6_addr tmp;
    if (!strcasecmp(asked, "localhost") || !strcasecmp(asked, "host.internal"))
        return asked;
    if (inet_pton(AF_INET, asked, &tmp) == 1 || inet_pton(AF_INET6, asked, &tmp) == 1)
        return ip;
    return asked;
}

/* The destination arguments (i: ip, i+1: host as given, i+2: port) for a
 * socket of family fam: decided by the broker ("udp-send"), the request's
 * host in host (NETP_HOST_MAX). 0, -EINVAL (another family), or thrown. */
static int dest_args(vm_call_t *c, int i, int fam, char *host, int *port)
{
    struct sockaddr_storage sa;
    char asked[DG_TARGET_MAX], ip[INET6_ADDRSTRLEN];
    if (br__net_target(c, i, BRK_NET_OP_SEND, &sa, asked) < 0)
        return 1;
    if ((sa.ss_family == AF_INET ? 4 : 6) != fam)
        return -EINVAL;
    ip_text(&sa, ip, sizeof ip);
    const char *h = asked_host(asked, ip);
    size_t l = strnlen(h, NETP_HOST_MAX - 1); /* target_args kept it shorter */
    memcpy(host, h, l);
    host[l] = '\0';
    *port = port_of(&sa);
    return 0;
}

/* Whether the destination is outside the sandbox (host.internal is). */
static bool outside_dest(const char *host, const struct sockaddr_storage *sa)
{
    if (!strcasecmp(host, "host.internal") || !strcmp(host, NETP_HOST_INTERNAL_V4))
        return true;
    if (!strcasecmp(host, "localhost"))
        return false;
    if (sa->ss_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
        return a != 0 && (a >> 24) != 127;
    }
    const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a6)) /* its IPv4 address's kind */
        return a6->s6_addr[12] != 127 && memcmp(&a6->s6_addr[12], "\0\0\0\0", 4);
    return !IN6_IS_ADDR_LOOPBACK(a6) && !IN6_IS_ADDR_UNSPECIFIED(a6);
}

/* Takes the socket the supervisor handed in. */
static int adopt(dg_sock_t *s, const netp_res_t *res, int fd, bool outside)
{
    if (fd < 0)
        return -ENETDOWN;
    int r = uv_udp_open(&s->udp, fd);
    if (r < 0) {
        close(fd);
        return r;
    }
    s->opened = true;
    s->handle = res->value;
    s->outside = outside;
    return 0;
}

/* udpBind(h, ip, hostAsGiven, port, flags) -> 0 | -errno: a socket on the
 * sandbox's loopback or unspecified address (flags: 1 reuseAddr, 2
 * ipv6Only) */
static void dg_bind(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    struct sockaddr_storage sa;
    char asked[DG_TARGET_MAX], ip[INET6_ADDRSTRLEN];
    if (!s || br__net_target(c, 1, BRK_NET_OP_BIND, &sa, asked) < 0)
        return;
    if (s->opened) {
        vm_ret_num(c, -EINVAL);
        return;
    }
    if ((sa.ss_family == AF_INET ? 4 : 6) != s->family) {
        vm_ret_num(c, -EINVAL);
        return;
    }
    if (outside_dest(asked, &sa)) {
        vm_ret_num(c, -EADDRNOTAVAIL); /* the sandbox has no other address */
        return;
    }
    ip_text(&sa, ip, sizeof ip);
    netp_req_t q;
    br__net_fill_req(&q, NETP_UDP_BIND, ip, port_of(&sa), s->family);
    int flags = (int)vm_arg_num(c, 4);
    if (flags & 1)
        q.flags |= NETP_F_REUSEADDR;
    if ((flags & 2) && s->family == 6)
        q.flags |= NETP_F_IPV6ONLY;
    netp_res_t res;
    int fd;
    int r = br__net_sync(s->rt, &q, &res, &fd);
    if (r == 0)
        r = res.status;
    if (r == 0)
        r = adopt(s, &res, fd, false);
    else if (fd >= 0)
        close(fd);
    vm_ret_num(c, r);
}

/* udpBindFor(h, ip, hostAsGiven, port, flags) -> 0 | -errno: the implicit
 * bind before a first destination ip:port: the sandbox's unspecified
 * address for one in the sandbox, else a socket of the host's */
static void dg_bind_for(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    char host[NETP_HOST_MAX];
    int port = 0;
    if (!s)
        return;
    if (s->opened) {
        vm_ret_num(c, -EINVAL);
        return;
    }
    int r = dest_args(c, 1, s->family, host, &port);
    if (r > 0)
        return; /* thrown */
    if (r < 0) {
        vm_ret_num(c, r);
        return;
    }
    struct sockaddr_storage sa;
    memset(&sa, 0, sizeof sa);
    char *ip = vm_arg_str(c, 1, NULL);
    if (!ip)
        return;
    if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&sa)->sin_addr) == 1)
        sa.ss_family = AF_INET;
    else if (inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&sa)->sin6_addr) == 1)
        sa.ss_family = AF_INET6;
    free(ip);
    bool outside = outside_dest(host, &sa);
    netp_req_t q;
    if (outside) {
        br__net_fill_req(&q, NETP_UDP_BIND, host, port, s->family);
        q.flags |= NETP_F_OUTSIDE;
    } else {
        br__net_fill_req(&q, NETP_UDP_BIND, "", 0, s->family);
    }
    int flags = (int)vm_arg_num(c, 4);
    if (flags & 1)
        q.flags |= NETP_F_REUSEADDR;
    if ((flags & 2) && s->family == 6)
        q.flags |= NETP_F_IPV6ONLY;
    if (outside)
        q.flags &= (uint16_t)~NETP_F_REUSEADDR;
    netp_res_t res;
    int fd;
    r = br__net_sync(s->rt, &q, &res, &fd);
    if (r == 0)
        r = res.status;
    if (r == 0)
        r = adopt(s, &res, fd, outside);
    else if (fd >= 0)
        close(fd);
    vm_ret_num(c, r);
}

/* ---- receiving ------------------------------------------------------------------- */

static void recv_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    char *p = malloc(DG_READ_CHUNK);
    *b = uv_buf_init(p, p ? DG_READ_CHUNK : 0);
}

static void on_recv(uv_udp_t *u, ssize_t n, const uv_buf_t *b, const struct sockaddr *addr,
                    unsigned flags)
{
    dg_sock_t *s = u->data;
    br_rt_t *rt = s->rt;
    if ((n == 0 && !addr) || !s->onmsg || rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE) {
        free(b->base);
        return;
    }
    if (n < 0) {
        free(b->base);
        vm_val_t arg = VM_NUM((double)n);
        br__invoke(rt, s->onmsg, 1, &arg, NULL);
        return;
    }
    uint8_t *data = (uint8_t *)b->base;
    if ((size_t)n < DG_READ_CHUNK / 2) { /* keep only what arrived */
        uint8_t *fit = realloc(data, n ? (size_t)n : 1);
        if (fit)
            data = fit;
    }
    struct sockaddr_storage sa;
    memset(&sa, 0, sizeof sa);
    memcpy(&sa, addr,
           addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
    char ip[INET6_ADDRSTRLEN];
    ip_text(&sa, ip, sizeof ip);
    /* on a socket of the host's, its loopback is host.internal */
    if (s->outside && !strcmp(ip, "127.0.0.1"))
        snprintf(ip, sizeof ip, "%s", NETP_HOST_INTERNAL_V4);
    const char *fam = sa.ss_family == AF_INET ? "IPv4" : "IPv6";
    vm_ref_t bytes = vm_new_bytes_take(rt->vm, data, (size_t)n);
    vm_val_t args[5] = {VM_NUM((double)n), VM_REF(bytes), VM_STR(ip, strlen(ip)),
                        VM_NUM(port_of(&sa)), VM_STR(fam, strlen(fam))};
    br__invoke(rt, s->onmsg, 5, args, NULL);
    vm_ref_free(rt->vm, bytes);
}

/* udpRecvStart(h, onmessage(n | -errno, bytes, address, port, family)) /
 * udpRecvStop(h) -> 0 | -errno */
static void dg_recv_start(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    if (vm_arg_type(c, 1) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "udpRecvStart(handle, callback)");
        return;
    }
    vm_ref_free(vm_call_vm(c), s->onmsg);
    s->onmsg = vm_arg_ref(c, 1);
    vm_ret_num(c, s->opened ? uv_udp_recv_start(&s->udp, recv_alloc, on_recv) : -EBADF);
}

static void dg_recv_stop(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    if (s)
        vm_ret_num(c, s->opened ? uv_udp_recv_stop(&s->udp) : 0);
}

/* ---- sending --------------------------------------------------------------------- */

static void send_answer(br_rt_t *rt, void *ctx, vm_ref_t cb, const netp_res_t *res, int fd)
{
    if (fd >= 0)
        close(fd);
    if (rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE || !cb)
        return;
    vm_val_t args[2] = {VM_NUM(res->status), VM_NUM(res->status == 0 ? res->value : 0)};
    br__invoke(rt, cb, 2, args, NULL);
}

/* udpSend(h, ip, hostAsGiven, port, bytes, callback(status, sent)) -> 0 |
 * -errno: an addressed datagram, sent by the supervisor */
static void dg_send(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    uint8_t *data;
    size_t len;
    char host[NETP_HOST_MAX];
    int port = 0;
    if (!s)
        return;
    if (vm_arg_bytes(c, 4, &data, &len) < 0 || vm_arg_type(c, 5) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "udpSend(h, ip, host, port, bytes, cb)");
        return;
    }
    int r = dest_args(c, 1, s->family, host, &port);
    if (r > 0)
        return;
    if (r == 0 && !s->handle)
        r = -EBADF;
    if (r == 0 && len > NETP_UDP_PAYLOAD_MAX)
        r = -EMSGSIZE;
    if (r < 0) {
        vm_ret_num(c, r);
        return;
    }
    netp_req_t q;
    br__net_fill_req(&q, NETP_UDP_SEND, host, port, s->family);
    q.arg = s->handle;
    vm_ref_t cb = vm_arg_ref(c, 5);
    r = br__net_ask(s->rt, &q, data, len, send_answer, s, cb);
    if (r < 0)
        vm_ref_free(vm_call_vm(c), cb);
    vm_ret_num(c, r);
}

/* udpSendConnected(h, bytes) -> bytes sent | -errno: to the connected
 * peer, with send() on the guest's own socket */
static void dg_send_connected(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    uint8_t *data;
    size_t len;
    if (!s)
        return;
    if (vm_arg_bytes(c, 1, &data, &len) < 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "udpSendConnected(h, bytes)");
        return;
    }
    uv_os_fd_t fd;
    if (!s->opened || uv_fileno((uv_handle_t *)&s->udp, &fd) < 0) {
        vm_ret_num(c, -EBADF);
        return;
    }
    ssize_t n = -1;
    for (int tries = 0; tries < 100; tries++) {
        n = send(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0 || (errno != EAGAIN && errno != ENOBUFS && errno != EINTR))
            break;
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        poll(&pf, 1, 10); /* a datagram socket's buffer drains in a moment */
    }
    vm_ret_num(c, n < 0 ? -errno : (double)n);
}

/* udpConnect(h, ip, hostAsGiven, port) -> 0 | -errno */
static void dg_connect(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    char host[NETP_HOST_MAX];
    int port = 0;
    if (!s)
        return;
    int r = dest_args(c, 1, s->family, host, &port);
    if (r > 0)
        return;
    if (r == 0 && !s->handle)
        r = -EBADF;
    netp_req_t q;
    netp_res_t res;
    int fd = -1;
    if (r == 0) {
        br__net_fill_req(&q, NETP_UDP_CONNECT, host, port, s->family);
        q.arg = s->handle;
        r = br__net_sync(s->rt, &q, &res, &fd);
    }
    if (fd >= 0)
        close(fd);
    if (r == 0)
        r = res.status;
    if (r == 0)
        s->remote = res.remote;
    vm_ret_num(c, r);
}

/* udpDisconnect(h) -> 0 | -errno */
static void dg_disconnect(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    if (!s->handle) {
        vm_ret_num(c, -EBADF);
        return;
    }
    netp_req_t q;
    netp_res_t res;
    int fd;
    br__net_fill_req(&q, NETP_UDP_CONNECT, "", 0, s->family);
    q.arg = s->handle;
    int r = br__net_sync(s->rt, &q, &res, &fd);
    if (fd >= 0)
        close(fd);
    if (r == 0)
        r = res.status;
    if (r == 0)
        memset(&s->remote, 0, sizeof s->remote);
    vm_ret_num(c, r);
}

/* udpClose(h, callback?) */
static void dg_close(vm_call_t *c)
{
    dg_box_t *b = vm_arg_handle(c, 0, &udp_type);
    if (!b || !b->s || uv_is_closing((uv_handle_t *)&b->s->udp)) {
        vm_ret_undefined(c);
        return;
    }
    if (vm_arg_type(c, 1) == VM_T_FUNCTION)
        b->s->onclose = vm_arg_ref(c, 1);
    sock_close(b->s);
    vm_ret_undefined(c);
}

/* udpAddress(h, peer) -> [address, port, family] | -errno */
static void dg_address(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    struct sockaddr_storage sa;
    memset(&sa, 0, sizeof sa);
    bool peer = vm_arg_bool(c, 1);
    if (!s->opened) {
        vm_ret_num(c, -EBADF);
        return;
    }
    if (peer && s->remote.family) {
        if (s->remote.family == 6) {
            struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sa;
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(s->remote.port);
            memcpy(&v6->sin6_addr, s->remote.addr, 16);
        } else {
            struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
            v4->sin_family = AF_INET;
            v4->sin_port = htons(s->remote.port);
            memcpy(&v4->sin_addr, s->remote.addr, 4);
        }
        br__net_ret_addr(c, &sa);
        return;
    }
    int len = sizeof sa;
    int r = peer ? uv_udp_getpeername(&s->udp, (struct sockaddr *)&sa, &len)
                 : uv_udp_getsockname(&s->udp, (struct sockaddr *)&sa, &len);
    if (r < 0) {
        vm_ret_num(c, r);
        return;
    }
    br__net_ret_addr(c, &sa);
}

/* udpSetOption(h, which, value) -> 0 | -errno: 0 broadcast, 1 ttl, 2
 * multicast ttl, 3 multicast loopback */
static void dg_set_option(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    int which = (int)vm_arg_num(c, 1), v = (int)vm_arg_num(c, 2);
    int r;
    switch (which) {
    case 0:
        r = uv_udp_set_broadcast(&s->udp, v);
        break;
    case 1:
        r = uv_udp_set_ttl(&s->udp, v);
        break;
    case 2:
        r = uv_udp_set_multicast_ttl(&s->udp, v);
        break;
    case 3:
        r = uv_udp_set_multicast_loop(&s->udp, v);
        break;
    default:
        r = -EINVAL;
        break;
    }
    vm_ret_num(c, r);
}

/* udpBufferSize(h, size, recv) -> the size (size 0: ask) | -errno */
static void dg_buffer_size(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    double want = vm_arg_num(c, 1);
    int v = want > 0 && want < 2147483647.0 ? (int)want : 0;
    if (!s->opened) {
        vm_ret_num(c, -EBADF);
        return;
    }
    int r = vm_arg_bool(c, 2) ? uv_recv_buffer_size((uv_handle_t *)&s->udp, &v)
                              : uv_send_buffer_size((uv_handle_t *)&s->udp, &v);
    vm_ret_num(c, r < 0 ? r : v);
}

/* udpRef(h, on) */
static void dg_ref(vm_call_t *c)
{
    dg_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    if (vm_arg_bool(c, 1))
        uv_ref((uv_handle_t *)&s->udp);
    else
        uv_unref((uv_handle_t *)&s->udp);
    vm_ret_undefined(c);
}

static const vm_native_t natives[] = {
    {"udpNew", dg_new, 1, VM_NATIVE_NET},
    {"udpBind", dg_bind, 5, VM_NATIVE_NET},
    {"udpBindFor", dg_bind_for, 5, VM_NATIVE_NET},
    {"udpRecvStart", dg_recv_start, 2, VM_NATIVE_NET},
    {"udpRecvStop", dg_recv_stop, 1, VM_NATIVE_NET},
    {"udpSend", dg_send, 6, VM_NATIVE_NET},
    {"udpSendConnected", dg_send_connected, 2, VM_NATIVE_NET},
    {"udpConnect", dg_connect, 4, VM_NATIVE_NET},
    {"udpDisconnect", dg_disconnect, 1, VM_NATIVE_NET},
    {"udpClose", dg_close, 2, VM_NATIVE_NET},
    {"udpAddress", dg_address, 2, VM_NATIVE_NET},
    {"udpSetOption", dg_set_option, 3, VM_NATIVE_NET},
    {"udpBufferSize", dg_buffer_size, 3, VM_NATIVE_NET},
    {"udpRef", dg_ref, 2, VM_NATIVE_NET},
};

const vm_table_t br__dgram_table = {"dgram", natives, sizeof natives / sizeof natives[0]};
