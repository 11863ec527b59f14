/*
 * bridge/net.c — TCP for the net module: libuv streams on the sandbox's
 * own loopback.
 *
 * The guest's network namespace has only `lo`: a socket made here reaches
 * nothing but the sandbox itself, whatever a guest past a V8 escape asks
 * (the OS wall). The broker decides first (the JS wall): every bind and
 * connect names its target as given ("127.0.0.1:3000", "localhost:3000",
 * "[::1]:3000") and a loopback address must be granted as spelled; an
 * address outside the sandbox is refused here with ENETUNREACH until the
 * supervisor's network channel carries it (bridge/netproto.h).
 *
 * A socket is a vm handle holding a box; the box points at the libuv
 * handle, which lives until its close callback (the guest's close, the
 * GC dropping the handle, or the run's end), so neither frees the other's
 * memory. Data read is handed to JS as new Uint8Arrays (counted in the
 * memory budget); writes are copied (the guest may change its buffer at
 * once) unless the kernel takes them whole at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "netproto.h"

#define NET_READ_CHUNK (64 * 1024)
/* A read chunk kept for the next read: the loop reads one socket at a
 * time, and a small read is copied out of its chunk. */
static _Thread_local char *read_spare; /* the runtime of this thread */
#define NET_TARGET_MAX 320             /* "[host]:port" as the broker sees it */

typedef struct net_sock net_sock_t;

typedef struct {
    net_sock_t *s; /* NULL once the socket is closed */
} net_box_t;

struct net_sock {
    uv_tcp_t tcp;
    br_rt_t *rt;
    net_box_t *box;
    vm_ref_t onread;    /* fn(nread | -errno | 0 at EOF, bytes) */
    vm_ref_t onconn;    /* fn(status): a connection waits for accept() */
    vm_ref_t onclose;   /* fn() once closed */
    bool counted;       /* in rt->handles_open */
    netp_addr_t remote; /* the peer as the supervisor names it (family 0: ask the socket) */
    netp_addr_t local;  /* a listener's own address as the guest asked it (a published
                           port is the host's socket: its own port is the host's) */
    char *unix_path;    /* a unix listener's canonical path: unlinked by its close, as
                           libuv's pipe close does */
    net_sock_t *prev, *next;
};

typedef struct {
    uv_write_t req;
    br_rt_t *rt;
    vm_ref_t cb;
    uint8_t *copy; /* in the memory budget while it waits */
    size_t len;
} net_write_t;

typedef struct {
    uv_shutdown_t req;
    br_rt_t *rt;
    vm_ref_t cb;
} net_shutdown_t;

static _Thread_local net_sock_t *all_socks; /* the runtime of this thread's */

static void net_box_free(void *p);
static const vm_handle_type_t sock_type = {"TCP", net_box_free};

/* ---- life ------------------------------------------------------------------ */

static void chan_forget_sock(net_sock_t *s);
static void chan_close(br_rt_t *rt);

static void sock_closed(uv_handle_t *h)
{
    net_sock_t *s = h->data;
    br_rt_t *rt = s->rt;
    chan_forget_sock(s);
    if (s->prev)
        s->prev->next = s->next;
    else if (all_socks == s)
        all_socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    if (s->counted)
        rt->handles_open--;
    vm_ref_t onclose = s->onclose;
    vm_ref_free(rt->vm, s->onread);
    vm_ref_free(rt->vm, s->onconn);
    free(s->unix_path);
    if (s->box)
        s->box->s = NULL;
    free(s);
    if (onclose) {
        if (!rt->closing && vm_limit(rt->vm) == VM_LIMIT_NONE)
            br__invoke(rt, onclose, 0, NULL, NULL);
        vm_ref_free(rt->vm, onclose);
    }
}

static void sock_close(net_sock_t *s)
{
    if (!uv_is_closing((uv_handle_t *)&s->tcp))
        uv_close((uv_handle_t *)&s->tcp, sock_closed);
}

static void net_box_free(void *p)
{
    net_box_t *b = p;
    if (b->s) {
        b->s->box = NULL;
        sock_close(b->s);
    }
    free(b);
}

/* A new socket in a new handle returned to JS; NULL (thrown) on failure. */
static net_sock_t *sock_new(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    net_sock_t *s = calloc(1, sizeof *s);
    net_box_t *b = calloc(1, sizeof *b);
    if (!s || !b) {
        free(s);
        free(b);
        vm_throw_alloc_failed(c);
        return NULL;
    }
    int r = uv_tcp_init(rt->loop, &s->tcp);
    if (r < 0) {
        free(s);
        free(b);
        br__throw_errno(c, r, "socket", NULL, NULL);
        return NULL;
    }
    s->rt = rt;
    s->tcp.data = s;
    s->counted = true;
    rt->handles_open++;
    s->next = all_socks;
    if (all_socks)
        all_socks->prev = s;
    all_socks = s;
    b->s = s;
    s->box = b;
    vm_ret_handle(c, &sock_type, b);
    return s;
}

/* Closes every socket still open: the run is ending. */
void br__net_close(br_rt_t *rt)
{
    for (net_sock_t *s = all_socks; s; s = s->next)
        sock_close(s);
    chan_close(rt);
    free(read_spare);
    read_spare = NULL;
}

static net_sock_t *sock_arg(vm_call_t *c, int i)
{
    net_box_t *b = vm_arg_handle(c, i, &sock_type);
    if (!b || !b->s || uv_is_closing((uv_handle_t *)&b->s->tcp)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "not an open TCP handle");
        return NULL;
    }
    return b->s;
}

/* ---- addresses and the broker ---------------------------------------------- */

/* The address ip:port (a literal) in *sa; 4 or 6, or 0 when ip is not one. */
static int parse_ip(const char *ip, int port, struct sockaddr_storage *sa)
{
    memset(sa, 0, sizeof *sa);
    struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
    if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return 4;
    }
    if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return 6;
    }
    return 0;
}

static void target_of(char *out, size_t cap, const char *host, int port)
{
    snprintf(out, cap, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
}

static bool unspecified(const struct sockaddr_storage *sa)
{
    if (sa->ss_family == AF_INET)
        return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == 0;
    return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

/* Asks the broker for op on target "host:port" (IPv6 in brackets). The
 * unspecified address is the sandbox's loopback: a grant of any of its
 * names covers it, and the decision is made (and logged) on that one. */
static int ask(br_rt_t *rt, const char *op, const char *host, int port, bool any)
{
    if (!rt->policy)
        return 0;
    char target[NET_TARGET_MAX];
    if (any) {
        static const char *const names[] = {"localhost", "127.0.0.1", "::1"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            target_of(target, sizeof target, names[i], port);
            if (brk_allows(rt->policy, BRK_NET, target))
                return brk_decide(rt->policy, BRK_NET, op, target, NULL);
        }
        host = "localhost";
    }
    target_of(target, sizeof target, host, port);
    return brk_decide(rt->policy, BRK_NET, op, target, NULL);
}

/* Node's ERR_ACCESS_DENIED for a refused network operation, naming the
 * grant that would allow it (port 0, any port: the host alone). */
static void throw_denied(vm_call_t *c, const char *op, const char *host, int port)
{
    char target[NET_TARGET_MAX], grant[NET_TARGET_MAX];
    if (strcmp(op, "lookup"))
        target_of(target, sizeof target, host, port);
    else
        snprintf(target, sizeof target, "%s", host); /* a name: no port */
    if (port)
        snprintf(grant, sizeof grant, "%s", target);
    else
        snprintf(grant, sizeof grant, strchr(host, ':') ? "[%s]" : "%s", host);
    vm_throwf(c, "Error", "ERR_ACCESS_DENIED",
              "Access to this API has been restricted: %s %s (not granted: run with "
              "--allow-net=%s)",
              op, target, grant);
}

/* The address arguments (i: ip literal, i+1: the host as the guest gave
 * it, i+2: port) checked and decided: 0 with *sa filled and asked (cap
 * NET_TARGET_MAX) the host as decided, or thrown. */
/* The supervisor's network channels are one per process, read by the main
 * runtime's loop: a worker's request is refused here, before the broker,
 * with what would make it work. True when refused (thrown). */
static bool worker_refused(vm_call_t *c)
{
    if (!br__rt(c)->self)
        return false;
    vm_throwf(c, "Error", "ERR_ACCESS_DENIED",
              "Access to the network is not available in worker threads in sandbox: make "
              "network requests from the main thread and post the results to the worker");
    return true;
}

static int target_args(vm_call_t *c, int i, const char *op, struct sockaddr_storage *sa,
                       char *asked)
{
    br_rt_t *rt = br__rt(c);
    if (worker_refused(c))
        return -1;
    size_t iplen = 0, hostlen = 0;
    char *ip = vm_arg_str(c, i, &iplen), *host = vm_arg_str(c, i + 1, &hostlen);
    double port = vm_arg_num(c, i + 2);
    int r = -1;
    if (!ip || !host)
        goto out;
    /* a NUL would end the name the broker sees early */
    if (strlen(ip) != iplen || strlen(host) != hostlen) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_VALUE", "a host must not contain NUL bytes");
        goto out;
    }
    if (vm_arg_type(c, i + 2) != VM_T_NUMBER || !(port >= 0 && port <= 65535) ||
        port != (int)port) {
        vm_throwf(c, "RangeError", "ERR_SOCKET_BAD_PORT",
                  "Port should be >= 0 and < 65536. Received %g.", port);
        goto out;
    }
    if (!parse_ip(ip, (int)port, sa) || strlen(host) >= NETP_HOST_MAX) {
        vm_throwf(c, "TypeError", "ERR_INVALID_IP_ADDRESS", "Invalid IP address: %.64s", ip);
        goto out;
    }
    /* the guest's name for the host's loopback is host.internal */
    snprintf(asked, NET_TARGET_MAX, "%s",
             !strcmp(host, NETP_HOST_INTERNAL_V4) ? "host.internal" : host);
    if (ask(rt, op, asked, (int)port, unspecified(sa)) < 0) {
        throw_denied(c, op, unspecified(sa) ? "localhost" : asked, (int)port);
        goto out;
    }
    r = 0;
out:
    free(ip);
    free(host);
    return r;
}

/* [address, port, family] of a socket (peer or own), or undefined. */
static void ret_addr(vm_call_t *c, const struct sockaddr_storage *sa)
{
    char ip[INET6_ADDRSTRLEN] = "";
    int port = 0;
    const char *fam;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip);
        port = ntohs(v4->sin_port);
        fam = "IPv4";
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof ip);
        port = ntohs(v6->sin6_port);
        fam = "IPv6";
    } else {
        vm_ret_undefined(c);
        return;
    }
    vm_val_t v[3] = {VM_STR(ip, strlen(ip)), VM_NUM(port), VM_STR(fam, strlen(fam))};
    vm_ref_t arr = vm_new_array(vm_call_vm(c), v, 3);
    vm_ret_ref(c, arr);
    vm_ref_free(vm_call_vm(c), arr);
}

/* ---- the channel to the supervisor (netproto.h) ----------------------------- */

/* Every socket of the guest is made outside it: connect and lookup are
 * asked on the async channel (answered in any order, watched by a poll
 * handle while some are outstanding), listen on the sync one (answered at
 * once, so a server's address() is known when listen() returns). */

enum { P_CONNECT = 1, P_LOOKUP = 2, P_RESOLVE = 3, P_REVERSE = 4 };

typedef struct net_pending {
    uint32_t id;
    int kind;
    net_sock_t *s; /* P_CONNECT: NULL once the socket closed */
    vm_ref_t cb;
    struct net_pending *next;
    br_net_answer_fn fn; /* another bridge's answer (br__net_ask), or NULL */
    void *ctx;           /* its context (NULL once br__net_forget) */
} net_pending_t;

/* The main runtime's: a worker's requests never reach it (worker_refused). */
static _Thread_local struct {
    br_rt_t *rt;
    uv_poll_t poll;
    bool poll_init, poll_active, poll_closing;
    uint32_t next_id;
    net_pending_t *pending;
    int npending;
    struct outmsg *out, *out_tail; /* async requests the channel had no room for */
} chan;

/* An async request waiting for room in the channel, sent in order from
 * the poll callback: the guest never waits on a supervisor that may be
 * waiting for it to read (a burst of requests in one tick). Counted in
 * the memory budget. */
struct outmsg {
    struct outmsg *next;
    size_t len;
    uint8_t data[];
};

static int chan_fd(const br_rt_t *rt, bool sync)
{
    int fd = sync ? rt->cfg->net_sync_fd : rt->cfg->net_fd;
    return fd > 2 ? fd : -1;
}

static void chan_forget_sock(net_sock_t *s)
{
    for (net_pending_t *p = chan.pending; p; p = p->next)
        if (p->s == s)
            p->s = NULL;
}

static void fill_req(netp_req_t *q, unsigned op, const char *host, int port, int family)
{
    memset(q, 0, sizeof *q);
    q->version = NETP_VERSION;
    q->op = (uint16_t)op;
    q->port = (uint16_t)port;
    q->family = (uint8_t)family;
    size_t l = strnlen(host, sizeof q->host - 1); /* callers keep it shorter */
    memcpy(q->host, host, l);
}

/* *fd after an answer whose descriptor could not be taken (EMFILE). */
#define CHAN_FD_LOST (-2)

/* Receives one answer (at most one descriptor, *fd or -1): its length, 0
 * when the supervisor is gone, or -errno. */
static ssize_t chan_recv(int sock, uint8_t *buf, size_t cap, int *fd, int flags)
{
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
    *fd = -1;
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(fd, CMSG_DATA(c), sizeof *fd);
    if (msg.msg_flags & MSG_CTRUNC) {
        /* the descriptor did not fit: the guest is at its fd limit (the
         * answer itself is read: its request fails with EMFILE) */
        if (*fd >= 0)
            close(*fd);
        *fd = CHAN_FD_LOST;
    }
    return n;
}

static ssize_t chan_send(int sock, const netp_req_t *q, const void *payload, size_t plen);

/* After an answer carrying a socket: waits for the supervisor's word that
 * its copies are closed (NETP_RELEASED), so the guest's close is the last
 * one. 0, or -ENETDOWN (then *fd is closed). */
static int chan_released(int sock, uint32_t id, int *fd)
{
    uint8_t buf[sizeof(netp_res_t) + 256];
    for (;;) {
        int extra;
        ssize_t n = chan_recv(sock, buf, sizeof buf, &extra, 0);
        if (extra >= 0)
            close(extra);
        if (n < (ssize_t)sizeof(netp_res_t)) {
            close(*fd);
            *fd = -1;
            return -ENETDOWN;
        }
        netp_res_t r;
        memcpy(&r, buf, sizeof r);
        if (r.id == id && r.op == NETP_RELEASED)
            return 0;
    }
}

/* The sync exchange (q and its payload): 0 with *res (and *fd when one
 * came), or -errno. */
static int chan_sync_payload(br_rt_t *rt, netp_req_t *q, const void *payload, size_t plen,
                             netp_res_t *res, int *fd)
{
    int sock = chan_fd(rt, true);
    *fd = -1;
    if (sock < 0)
        return -EACCES;
    q->id = ++chan.next_id;
    q->len = (uint32_t)plen;
    ssize_t n = chan_send(sock, q, payload, plen);
    if (n < 0)
        return n == -ENOBUFS ? (int)n : -ENETDOWN;
    uint8_t buf[sizeof *res + 256];
    for (;;) {
        n = chan_recv(sock, buf, sizeof buf, fd, 0);
        if (n < (ssize_t)sizeof *res) {
            if (*fd >= 0)
                close(*fd);
            *fd = -1;
            return -ENETDOWN;
        }
        memcpy(res, buf, sizeof *res);
        if (res->id == q->id && res->op != NETP_RELEASED) {
            if (*fd == CHAN_FD_LOST) {
                *fd = -1;
                return -EMFILE;
            }
            return *fd >= 0 ? chan_released(sock, q->id, fd) : 0;
        }
        if (*fd >= 0) /* an answer to no question of ours */
            close(*fd);
        *fd = -1;
    }
}

static int chan_sync(br_rt_t *rt, netp_req_t *q, netp_res_t *res, int *fd)
{
    return chan_sync_payload(rt, q, NULL, 0, res, fd);
}

static void chan_poll_cb(uv_poll_t *h, int status, int events);

static void chan_closed(uv_handle_t *h)
{
    br_rt_t *rt = h->data;
    rt->handles_open--;
    chan.poll_init = chan.poll_closing = false;
}

/* Sends one request with its payload (one message: send(), never sendmsg,
 * which the guest's seccomp policy refuses). A full channel is waited on
 * for a moment (the supervisor drains it at once). Bytes sent, or -errno. */
static ssize_t chan_send_once(int sock, const netp_req_t *q, const void *payload, size_t plen);

static ssize_t chan_send(int sock, const netp_req_t *q, const void *payload, size_t plen)
{
    ssize_t n;
    for (int tries = 0;; tries++) {
        n = chan_send_once(sock, q, payload, plen);
        if (n != -ENOBUFS || tries >= 100)
            return n;
        struct pollfd pf = {.fd = sock, .events = POLLOUT};
        poll(&pf, 1, 10);
    }
}

static int chan_ask_payload(br_rt_t *rt, netp_req_t *q, const void *payload, size_t plen, int kind,
                            net_sock_t *s, vm_ref_t cb, br_net_answer_fn fn, void *ctx);

/* One try: bytes sent, -ENOBUFS when the channel is full, or -errno. */
static ssize_t chan_send_once(int sock, const netp_req_t *q, const void *payload, size_t plen)
{
    uint8_t stack[sizeof *q + 512];
    uint8_t *m = stack;
    if (sizeof *q + plen > sizeof stack && !(m = malloc(sizeof *q + plen)))
        return -ENOMEM;
    memcpy(m, q, sizeof *q);
    if (plen)
        memcpy(m + sizeof *q, payload, plen);
    ssize_t n;
    do
        n = send(sock, m, sizeof *q + plen, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    int e = n < 0 ? (errno == EAGAIN || errno == ENOBUFS ? -ENOBUFS : -ENETDOWN) : 0;
    if (m != stack)
        free(m);
    return e < 0 ? e : n;
}

/* Watches the channel for answers, and for room while requests wait. */
static void chan_watch(void)
{
    uv_poll_start(&chan.poll, UV_READABLE | (chan.out ? UV_WRITABLE : 0), chan_poll_cb);
    chan.poll_active = true;
}

/* Queues q (and its payload) behind the ones already waiting: 0 or -errno. */
static ssize_t chan_queue(br_rt_t *rt, const netp_req_t *q, const void *payload, size_t plen)
{
    size_t len = sizeof *q + plen;
    if (!vm_reserve(rt->vm, sizeof(struct outmsg) + len))
        return -ENOBUFS;
    struct outmsg *m = malloc(sizeof *m + len);
    if (!m) {
        vm_release(rt->vm, sizeof(struct outmsg) + len);
        return -ENOMEM;
    }
    m->next = NULL;
    m->len = len;
    memcpy(m->data, q, sizeof *q);
    if (plen)
        memcpy(m->data + sizeof *q, payload, plen);
    if (chan.out_tail)
        chan.out_tail->next = m;
    else
        chan.out = m;
    chan.out_tail = m;
    return (ssize_t)len;
}

/* Sends what waits while the channel has room. */
static void chan_flush(br_rt_t *rt, int sock)
{
    while (chan.out) {
        struct outmsg *m = chan.out;
        ssize_t n;
        do
            n = send(sock, m->data, m->len, MSG_NOSIGNAL | MSG_DONTWAIT);
        while (n < 0 && errno == EINTR);
        if (n < 0 && (errno == EAGAIN || errno == ENOBUFS))
            return;
        /* sent, or the channel is gone (its answers then fail the waiters) */
        chan.out = m->next;
        if (!chan.out)
            chan.out_tail = NULL;
        vm_release(rt->vm, sizeof *m + m->len);
        free(m);
        if (n < 0)
            return;
    }
}

static int chan_ask(br_rt_t *rt, netp_req_t *q, int kind, net_sock_t *s, vm_ref_t cb)
{
    return chan_ask_payload(rt, q, NULL, 0, kind, s, cb, NULL, NULL);
}

/* Sends an async request (and its payload) and remembers who waits: 0 or
 * -errno. */
static int chan_ask_payload(br_rt_t *rt, netp_req_t *q, const void *payload, size_t plen, int kind,
                            net_sock_t *s, vm_ref_t cb, br_net_answer_fn fn, void *ctx)
{
    int sock = chan_fd(rt, false);
    if (sock < 0)
        return -EACCES;
    if (!chan.poll_init) {
        int r = uv_poll_init_socket(rt->loop, &chan.poll, sock);
        if (r < 0)
            return r;
        chan.poll.data = rt;
        chan.poll_init = true;
        chan.rt = rt;
        rt->handles_open++;
        uv_unref((uv_handle_t *)&chan.poll);
    }
    net_pending_t *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    q->id = ++chan.next_id;
    q->len = (uint32_t)plen;
    ssize_t n = chan.out ? -ENOBUFS : chan_send_once(sock, q, payload, plen);
    if (n == -ENOBUFS)
        n = chan_queue(rt, q, payload, plen);
    if (n < 0) {
        free(p);
        return (int)n;
    }
    p->id = q->id;
    p->kind = kind;
    p->s = s;
    p->cb = cb;
    p->fn = fn;
    p->ctx = ctx;
    p->next = chan.pending;
    chan.pending = p;
    if (chan.npending++ == 0)
        uv_ref((uv_handle_t *)&chan.poll);
    if (!chan.poll_active || chan.out)
        chan_watch();
    rt->pending_reqs++;
    return 0;
}

static net_pending_t *chan_take(uint32_t id)
{
    for (net_pending_t **pp = &chan.pending; *pp; pp = &(*pp)->next)
        if ((*pp)->id == id) {
            net_pending_t *p = *pp;
            *pp = p->next;
            return p;
        }
    return NULL;
}

static void pending_done(br_rt_t *rt, net_pending_t *p)
{
    rt->pending_reqs--;
    vm_ref_free(rt->vm, p->cb);
    free(p);
    if (--chan.npending == 0 && chan.poll_init)
        uv_unref((uv_handle_t *)&chan.poll);
}

static bool deliverable(br_rt_t *rt)
{
    return !rt->closing && vm_limit(rt->vm) == VM_LIMIT_NONE;
}

static void answer_connect(br_rt_t *rt, net_pending_t *p, const netp_res_t *res, int fd)
{
    int status = res->status;
    if (!p->s) {
        if (fd >= 0)
            close(fd);
        return;
    }
    if (status == 0 && fd < 0)
        status = -ENETDOWN;
    if (status == 0) {
        int r = uv_tcp_open(&p->s->tcp, fd);
        if (r < 0) {
            close(fd);
            status = r;
        } else {
            p->s->remote = res->remote;
        }
    } else if (fd >= 0) {
        close(fd);
    }
    if (deliverable(rt)) {
        vm_val_t arg = VM_NUM(status);
        br__invoke(rt, p->cb, 1, &arg, NULL);
    }
}

static void answer_lookup(br_rt_t *rt, net_pending_t *p, const netp_res_t *res,
                          const uint8_t *payload, size_t plen)
{
    if (!deliverable(rt))
        return;
    size_t n = res->status == 0 ? res->naddr : 0;
    if (n * sizeof(netp_addr_t) > plen || n > NETP_ADDRS_MAX)
        n = 0;
    vm_val_t v[2 * NETP_ADDRS_MAX];
    char ips[NETP_ADDRS_MAX][INET6_ADDRSTRLEN];
    for (size_t i = 0; i < n; i++) {
        netp_addr_t a;
        memcpy(&a, payload + i * sizeof a, sizeof a);
        ips[i][0] = '\0';
        inet_ntop(a.family == 6 ? AF_INET6 : AF_INET, a.addr, ips[i], sizeof ips[i]);
        v[2 * i] = (vm_val_t)VM_STR(ips[i], strlen(ips[i]));
        v[2 * i + 1] = (vm_val_t)VM_NUM(a.family == 6 ? 6 : 4);
    }
    vm_ref_t arr = vm_new_array(rt->vm, v, 2 * n);
    vm_val_t args[2] = {VM_NUM(res->status), VM_REF(arr)};
    br__invoke(rt, p->cb, 2, args, NULL);
    vm_ref_free(rt->vm, arr);
}

/* RESOLVE, REVERSE: callback(status, JSON text | undefined) */
static void answer_json(br_rt_t *rt, net_pending_t *p, const netp_res_t *res,
                        const uint8_t *payload, size_t plen)
{
    if (!deliverable(rt))
        return;
    /* a RESOLVE's third: the seconds its answer or failure may be kept */
    vm_val_t args[3] = {VM_NUM(res->status), VM_UNDEF,
                        VM_NUM(p->kind == P_RESOLVE ? res->naddr : 0)};
    if (res->status == 0 && payload && plen && res->len == plen)
        args[1] = (vm_val_t)VM_STR((const char *)payload, plen);
    else if (res->status == 0)
        args[0] = (vm_val_t)VM_NUM(-EPROTO);
    br__invoke(rt, p->cb, 3, args, NULL);
}

/* An answer to the one waiting for it, by the kind of its question. */
static void answer(br_rt_t *rt, net_pending_t *p, const netp_res_t *res, int fd,
                   const uint8_t *payload, size_t plen)
{
    if (p->fn) { /* another bridge's (br__net_ask) */
        p->fn(rt, p->ctx, p->cb, res, fd);
        return;
    }
    if (p->kind == P_CONNECT) {
        answer_connect(rt, p, res, fd);
        return;
    }
    if (fd >= 0)
        close(fd);
    if (p->kind == P_RESOLVE || p->kind == P_REVERSE)
        answer_json(rt, p, res, payload, plen);
    else
        answer_lookup(rt, p, res, payload, plen);
}

/* The async channel's answers: the largest is a RESOLVE's JSON */
static uint8_t chan_buf[sizeof(netp_res_t) + NETP_MSG_MAX];

static void chan_poll_cb(uv_poll_t *h, int status, int events)
{
    br_rt_t *rt = h->data;
    int sock = chan_fd(rt, false);
    uint8_t *buf = chan_buf;
    if (chan.out) {
        chan_flush(rt, sock);
        if (!chan.out)
            chan_watch(); /* nothing waits: answers only */
    }
    for (;;) {
        int fd;
        ssize_t n = chan_recv(sock, buf, sizeof chan_buf, &fd, MSG_DONTWAIT);
        if (n == -EAGAIN || n == -EWOULDBLOCK)
            return;
        if (n <= 0) {
            /* the supervisor is gone: every question fails */
            uv_poll_stop(h);
            chan.poll_active = false;
            while (chan.pending) {
                net_pending_t *p = chan.pending;
                chan.pending = p->next;
                netp_res_t res = {.id = p->id, .status = -ENETDOWN};
                answer(rt, p, &res, -1, NULL, 0);
                pending_done(rt, p);
            }
            return;
        }
        if (n < (ssize_t)sizeof(netp_res_t)) {
            if (fd >= 0)
                close(fd);
            continue; /* no answer of the supervisor's */
        }
        netp_res_t res;
        memcpy(&res, buf, sizeof res);
        if (fd == CHAN_FD_LOST) {
            fd = -1;
            if (res.status == 0)
                res.status = -EMFILE;
        }
        net_pending_t *p = chan_take(res.id);
        if (!p) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        answer(rt, p, &res, fd, buf + sizeof res, (size_t)n - sizeof res);
        pending_done(rt, p);
    }
}

/* The run is ending: nothing more is delivered. */
static void chan_close(br_rt_t *rt)
{
    while (chan.out) {
        struct outmsg *m = chan.out;
        chan.out = m->next;
        vm_release(rt->vm, sizeof *m + m->len);
        free(m);
    }
    chan.out_tail = NULL;
    while (chan.pending) {
        net_pending_t *p = chan.pending;
        chan.pending = p->next;
        pending_done(rt, p);
    }
    if (chan.poll_init && !chan.poll_closing) {
        chan.poll_closing = true;
        uv_close((uv_handle_t *)&chan.poll, chan_closed);
    }
}

/* ---- for the other bridges (internal.h) --------------------------------------- */

int br__net_ask(br_rt_t *rt, netp_req_t *q, const void *payload, size_t plen, br_net_answer_fn fn,
                void *ctx, vm_ref_t cb)
{
    return chan_ask_payload(rt, q, payload, plen, 0, NULL, cb, fn, ctx);
}

int br__net_sync(br_rt_t *rt, netp_req_t *q, netp_res_t *res, int *fd)
{
    return chan_sync(rt, q, res, fd);
}

void br__net_forget(void *ctx)
{
    for (net_pending_t *p = chan.pending; p; p = p->next)
        if (p->fn && p->ctx == ctx)
            p->ctx = NULL;
}

void br__net_fill_req(netp_req_t *q, unsigned op, const char *host, int port, int family)
{
    fill_req(q, op, host, port, family);
}

int br__net_target(vm_call_t *c, int i, const char *op, struct sockaddr_storage *sa, char *asked)
{
    return target_args(c, i, op, sa, asked);
}

void br__net_ret_addr(vm_call_t *c, const struct sockaddr_storage *sa)
{
    ret_addr(c, sa);
}

/* ---- natives ------------------------------------------------------------------ */

/* tcpNew() -> handle */
static void net_tcp_new(vm_call_t *c)
{
    sock_new(c);
}

/* tcpBind(h, ip, hostAsGiven, port, ipv6Only) -> 0 | -errno: a listening
 * socket of the sandbox's (or a published host port's) from the
 * supervisor; tcpListen then sets the backlog and watches it */
static void net_tcp_bind(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    struct sockaddr_storage sa;
    char asked[NET_TARGET_MAX];
    if (!s || target_args(c, 1, "listen", &sa, asked) < 0)
        return;
    char ip[INET6_ADDRSTRLEN] = "";
    int port = ntohs(sa.ss_family == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port
                                             : ((struct sockaddr_in6 *)&sa)->sin6_port);
    inet_ntop(sa.ss_family,
              sa.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&sa)->sin_addr
                                      : (void *)&((struct sockaddr_in6 *)&sa)->sin6_addr,
              ip, sizeof ip);
    netp_req_t q;
    fill_req(&q, NETP_LISTEN, ip, port, sa.ss_family == AF_INET ? 4 : 6);
    q.arg = 511;
    if (sa.ss_family == AF_INET6 && vm_arg_bool(c, 4))
        q.flags |= NETP_F_IPV6ONLY;
    netp_res_t res;
    int fd;
    int r = chan_sync(s->rt, &q, &res, &fd);
    if (r == 0)
        r = res.status;
    if (r == 0 && fd < 0)
        r = -ENETDOWN;
    if (r == 0 && (r = uv_tcp_open(&s->tcp, fd)) < 0)
        close(fd);
    else if (r < 0 && fd >= 0)
        close(fd);
    if (r == 0)
        s->local = res.local;
    vm_ret_num(c, r);
}

static void on_connection(uv_stream_t *server, int status)
{
    net_sock_t *s = server->data;
    br_rt_t *rt = s->rt;
    if (!s->onconn || rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE)
        return;
    vm_val_t arg = VM_NUM(status);
    br__invoke(rt, s->onconn, 1, &arg, NULL);
}

/* tcpListen(h, backlog, onconnection(status)) -> 0 | -errno */
static void net_tcp_listen(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    double backlog = vm_arg_num(c, 1);
    if (vm_arg_type(c, 2) != VM_T_FUNCTION || !(backlog >= 0)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "tcpListen(handle, backlog, callback)");
        return;
    }
    if (backlog > 65535)
        backlog = 65535;
    int r = uv_listen((uv_stream_t *)&s->tcp, (int)backlog, on_connection);
    if (r == 0) {
        vm_ref_free(vm_call_vm(c), s->onconn);
        s->onconn = vm_arg_ref(c, 2);
    }
    vm_ret_num(c, r);
}

/* tcpAccept(server) -> new handle | -errno (call from onconnection) */
static void net_tcp_accept(vm_call_t *c)
{
    net_sock_t *srv = sock_arg(c, 0);
    if (!srv)
        return;
    net_sock_t *s = sock_new(c);
    if (!s)
        return;
    int r = uv_accept((uv_stream_t *)&srv->tcp, (uv_stream_t *)&s->tcp);
    if (r < 0) {
        sock_close(s);
        vm_ret_num(c, r);
    }
}

/* Whether host names the sandbox itself, whatever it resolved to. */
static bool sandbox_name(const char *host)
{
    return !strcasecmp(host, "localhost");
}

/* tcpConnect(h, ip, hostAsGiven, port, callback(status)) -> 0 | -errno:
 * the supervisor connects (a name other than localhost is resolved and
 * decided again there, every address it gives tried in order) and hands
 * the socket in */
static void net_tcp_connect(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    struct sockaddr_storage sa;
    char asked[NET_TARGET_MAX];
    if (!s)
        return;
    if (vm_arg_type(c, 4) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "tcpConnect(..., callback)");
        return;
    }
    if (target_args(c, 1, "connect", &sa, asked) < 0)
        return;
    char ip[INET6_ADDRSTRLEN] = "";
    bool v4 = sa.ss_family == AF_INET;
    int port =
        ntohs(v4 ? ((struct sockaddr_in *)&sa)->sin_port : ((struct sockaddr_in6 *)&sa)->sin6_port);
    inet_ntop(sa.ss_family,
              v4 ? (void *)&((struct sockaddr_in *)&sa)->sin_addr
                 : (void *)&((struct sockaddr_in6 *)&sa)->sin6_addr,
              ip, sizeof ip);
    struct sockaddr_storage tmp;
    bool name = !parse_ip(asked, 0, &tmp) && !sandbox_name(asked);
    netp_req_t q;
    fill_req(&q, NETP_CONNECT, name ? asked : ip, port, name ? 0 : v4 ? 4 : 6);
    vm_ref_t cb = vm_arg_ref(c, 4);
    int r = chan_ask(s->rt, &q, P_CONNECT, s, cb);
    if (r < 0)
        vm_ref_free(vm_call_vm(c), cb); /* kept only by a request sent */
    vm_ret_num(c, r);
}

/* netLookup(host, family, flags, callback(status, [ip, family, ...])) -> 0
 * | -errno: the supervisor resolves (netproto.h NETP_LOOKUP) */
static void net_lookup(vm_call_t *c)
{
    size_t hl = 0;
    char *host = vm_arg_str(c, 0, &hl);
    double fam = vm_arg_num(c, 1), flags = vm_arg_num(c, 2);
    if (host && worker_refused(c)) {
        free(host);
        return;
    }
    if (!host || vm_arg_type(c, 3) != VM_T_FUNCTION) {
        free(host);
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "netLookup(host, family, flags, callback)");
        return;
    }
    if (strlen(host) != hl || hl == 0 || hl >= NETP_HOST_MAX) {
        free(host);
        vm_ret_num(c, -EINVAL);
        return;
    }
    /* the JS wall: a name no rule could grant is not even asked about */
    br_rt_t *rt = br__rt(c);
    if (rt->policy && !brk_net_name_granted(rt->policy, host)) {
        brk_net_decide(rt->policy, "guest", "lookup", host, 0, NULL, NULL);
        throw_denied(c, "lookup", host, 0);
        free(host);
        return;
    }
    netp_req_t q;
    fill_req(&q, NETP_LOOKUP, host, 0, fam == 4 ? 4 : fam == 6 ? 6 : 0);
    q.flags = (uint16_t)((int)flags & (NETP_F_ALL | NETP_F_IPV4FIRST));
    free(host);
    vm_ref_t cb = vm_arg_ref(c, 3);
    int r = chan_ask(br__rt(c), &q, P_LOOKUP, NULL, cb);
    if (r < 0)
        vm_ref_free(vm_call_vm(c), cb);
    vm_ret_num(c, r);
}

/* ---- dns.resolve*() and dns.reverse() (netproto.h NETP_RESOLVE, REVERSE) ---- */

/* Node's ERR_ACCESS_DENIED for a DNS question the broker refused. */
static void throw_dns_denied(vm_call_t *c, const char *op, const char *host)
{
    vm_throwf(c, "Error", "ERR_ACCESS_DENIED",
              "Access to this API has been restricted: %s %s (not granted: run with "
              "--allow-net=%s%s%s)",
              op, host, strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "");
}

/* The servers a Resolver was given (argument i: "IP PORT,IP PORT..." as
 * internal/dns.js writes it, "" for none; i+1: its timeout in ms, i+2: its
 * tries) into *o, each decided by the broker as "dns-server" on its
 * address and port. 0 (o->nservers 0 when none were given), -EINVAL, or
 * -EACCES thrown (ERR_ACCESS_DENIED naming the grant). */
static int dns_opts_args(vm_call_t *c, int i, netp_dns_opts_t *o)
{
    memset(o, 0, sizeof *o);
    if (vm_arg_type(c, i) != VM_T_STRING)
        return 0;
    size_t tl = 0;
    char *text = vm_arg_str(c, i, &tl);
    double timeout = vm_arg_num(c, i + 1), tries = vm_arg_num(c, i + 2);
    int r = 0;
    if (!text || strlen(text) != tl || !(timeout >= -1 && timeout <= INT32_MAX) ||
        timeout != (int32_t)timeout || !(tries >= 1 && tries <= INT32_MAX) ||
        tries != (int32_t)tries) {
        r = -EINVAL;
        goto out;
    }
    o->timeout_ms = (int32_t)timeout;
    o->tries = (int32_t)tries;
    br_rt_t *rt = br__rt(c);
    char *save = NULL;
    for (char *item = strtok_r(text, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (o->nservers == NETP_DNS_SERVERS_MAX) /* c-ares would not get past these */
            break;
        char *sp = strchr(item, ' ');
        brk_ip_t ip;
        char *end = NULL;
        long port = sp ? strtol(sp + 1, &end, 10) : -1;
        if (sp)
            *sp = '\0';
        if (!sp || !end || *end || port < 0 || port > 65535 || !brk_ip_parse(item, &ip)) {
            r = -EINVAL;
            goto out;
        }
        char txt[INET6_ADDRSTRLEN];
        brk_ip_format(&ip, txt, sizeof txt);
        const char *host = !strcmp(txt, NETP_HOST_INTERNAL_V4) ? "host.internal" : txt;
        unsigned p = port ? (unsigned)port : 53;
        if (rt->policy &&
            brk_net_decide(rt->policy, "guest", "dns-server", host, p, &ip, NULL) < 0) {
            throw_denied(c, "dns-server", host, (int)p);
            r = -EACCES;
            goto out;
        }
        netp_addr_t *a = &o->servers[o->nservers++];
        a->family = (uint8_t)ip.family;
        a->port = (uint16_t)p;
        memcpy(a->addr, ip.a, ip.family == 4 ? 4 : 16);
    }
    if (!o->nservers)
        r = -EINVAL;
out:
    free(text);
    return r;
}

/* Sends a RESOLVE or REVERSE q (with the guest's servers when o names
 * some) for callback argument cb: the request's id (> 0, for netCancel),
 * or -errno. */
static double dns_ask(vm_call_t *c, netp_req_t *q, const netp_dns_opts_t *o, int kind, int cb_arg)
{
    if (worker_refused(c))
        return -EACCES;
    vm_ref_t cb = vm_arg_ref(c, cb_arg);
    int r = o->nservers ? chan_ask_payload(br__rt(c), q, o, sizeof *o, kind, NULL, cb, NULL, NULL)
                        : chan_ask(br__rt(c), q, kind, NULL, cb);
    if (r < 0) {
        vm_ref_free(vm_call_vm(c), cb);
        return r;
    }
    return q->id;
}

/* netResolve(host, rrtype, ttl, callback(status, json, cacheSeconds)[, servers, timeout,
 * tries]) -> id | -errno: the supervisor asks DNS (class IN) and answers
 * the records as JSON in Node's shapes. Without servers its own resolvers
 * are asked, and a name no rule could grant is refused here first; with
 * them (a Resolver's setServers) only those, each decided here and there
 * on its address */
static void net_resolve(vm_call_t *c)
{
    size_t hl = 0;
    char *host = vm_arg_str(c, 0, &hl);
    double type = vm_arg_num(c, 1);
    if (!host || vm_arg_type(c, 3) != VM_T_FUNCTION) {
        free(host);
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "netResolve(host, rrtype, ttl, callback)");
        return;
    }
    if (strlen(host) != hl || hl == 0 || hl >= NETP_HOST_MAX || !(type >= 1 && type <= 65535) ||
        type != (int)type) {
        free(host);
        vm_ret_num(c, -EINVAL);
        return;
    }
    netp_dns_opts_t o;
    int r = dns_opts_args(c, 4, &o);
    if (r < 0) {
        free(host);
        if (r != -EACCES) /* thrown */
            vm_ret_num(c, r);
        return;
    }
    br_rt_t *rt = br__rt(c);
    if (!o.nservers && rt->policy && !brk_net_name_granted(rt->policy, host)) {
        brk_net_decide(rt->policy, "guest", "resolve", host, 0, NULL, NULL);
        throw_dns_denied(c, "resolve", host);
        free(host);
        return;
    }
    netp_req_t q;
    fill_req(&q, NETP_RESOLVE, host, 0, 0);
    q.arg = (int32_t)type;
    if (vm_arg_bool(c, 2))
        q.flags |= NETP_F_TTL;
    free(host);
    vm_ret_num(c, dns_ask(c, &q, &o, P_RESOLVE, 3));
}

/* netReverse(ip, callback(status, json)[, servers, timeout, tries]) -> id
 * | -errno: the names of an address. Without servers: decided on the
 * address (any port), the sandbox's loopback answered by the supervisor
 * without DNS; with them: asked of those as netResolve does */
static void net_reverse(vm_call_t *c)
{
    size_t il = 0;
    char *ip = vm_arg_str(c, 0, &il);
    if (!ip || vm_arg_type(c, 1) != VM_T_FUNCTION) {
        free(ip);
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "netReverse(ip, callback)");
        return;
    }
    brk_ip_t bip;
    if (strlen(ip) != il || il >= NETP_HOST_MAX || !brk_ip_parse(ip, &bip) || ip[0] == '[') {
        free(ip);
        vm_ret_num(c, -EINVAL);
        return;
    }
    char txt[INET6_ADDRSTRLEN];
    brk_ip_format(&bip, txt, sizeof txt);
    free(ip);
    netp_dns_opts_t o;
    int r = dns_opts_args(c, 2, &o);
    if (r < 0) {
        if (r != -EACCES) /* thrown */
            vm_ret_num(c, r);
        return;
    }
    br_rt_t *rt = br__rt(c);
    if (!o.nservers && rt->policy && brk_addr_class(&bip) != BRK_ADDR_LOOPBACK &&
        brk_net_decide(rt->policy, "guest", "reverse", txt, 0, &bip, NULL) < 0) {
        throw_dns_denied(c, "reverse", txt);
        return;
    }
    netp_req_t q;
    fill_req(&q, NETP_REVERSE, txt, 0, 0);
    vm_ret_num(c, dns_ask(c, &q, &o, P_REVERSE, 1));
}

/* netCancel(id): the resolve or reverse id is forgotten (Resolver.cancel):
 * its callback is not called, and its answer, when it comes, is dropped.
 * The supervisor is told (NETP_CANCEL) so that it stops asking, and its
 * worker is free for the next request. */
static void net_cancel(vm_call_t *c)
{
    double id = vm_arg_num(c, 0);
    net_pending_t *p =
        id >= 1 && id <= UINT32_MAX && id == (uint32_t)id ? chan_take((uint32_t)id) : NULL;
    if (p && p->kind != P_RESOLVE && p->kind != P_REVERSE) {
        p->next = chan.pending; /* not a DNS question: kept */
        chan.pending = p;
        p = NULL;
    }
    if (p) {
        br_rt_t *rt = br__rt(c);
        pending_done(rt, p);
        /* on the sync channel: the async one may be held up behind the
         * very questions being cancelled (a full pool) */
        netp_req_t q;
        fill_req(&q, NETP_CANCEL, "", 0, 0);
        q.arg = (int32_t)(uint32_t)id;
        netp_res_t res;
        int fd;
        chan_sync(rt, &q, &res, &fd);
        if (fd >= 0)
            close(fd);
    }
    vm_ret_bool(c, p != NULL);
}

static void read_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    char *p = read_spare ? read_spare : malloc(NET_READ_CHUNK);
    read_spare = NULL;
    *b = uv_buf_init(p, p ? NET_READ_CHUNK : 0);
}

static void read_chunk_done(br_rt_t *rt, char *p)
{
    if (read_spare || rt->closing)
        free(p);
    else
        read_spare = p;
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    net_sock_t *s = st->data;
    br_rt_t *rt = s->rt;
    if (n == 0 || !s->onread || rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE) {
        read_chunk_done(rt, b->base);
        return;
    }
    vm_val_t args[2] = {VM_NUM(n == UV_EOF ? 0 : (double)n), {.type = VM_T_NULL}};
    if (n > 0) {
        char *data = b->base; /* a large read keeps its chunk: no copy */
        char *fit = (size_t)n < NET_READ_CHUNK / 2 ? malloc((size_t)n) : NULL;
        if (fit) {
            memcpy(fit, data, (size_t)n);
            read_chunk_done(rt, data);
            data = fit;
        }
        args[1] = VM_BYTES_TAKE(data, (size_t)n);
    } else {
        read_chunk_done(rt, b->base);
        uv_read_stop(st);
    }
    br__invoke(rt, s->onread, 2, args, NULL);
}

/* tcpReadStart(h, onread(n, bytes)) / tcpReadStop(h) -> 0 | -errno */
static void net_tcp_read_start(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    if (vm_arg_type(c, 1) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "tcpReadStart(handle, callback)");
        return;
    }
    vm_ref_free(vm_call_vm(c), s->onread);
    s->onread = vm_arg_ref(c, 1);
    vm_ret_num(c, uv_read_start((uv_stream_t *)&s->tcp, read_alloc, on_read));
}

static void net_tcp_read_stop(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (s)
        vm_ret_num(c, uv_read_stop((uv_stream_t *)&s->tcp));
}

static void write_done(uv_write_t *req, int status)
{
    net_write_t *w = req->data;
    br_rt_t *rt = w->rt;
    rt->pending_reqs--;
    free(w->copy);
    vm_release(rt->vm, w->len);
    if (!rt->closing && vm_limit(rt->vm) == VM_LIMIT_NONE) {
        vm_val_t arg = VM_NUM(status);
        br__invoke(rt, w->cb, 1, &arg, NULL);
    }
    vm_ref_free(rt->vm, w->cb);
    free(w);
}

/* tcpWrite(h, bytes, callback(status)) -> 0 written whole now (the
 * callback is not called), 1 queued (it is), or -errno */
static void net_tcp_write(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    uint8_t *data;
    size_t len;
    if (!s)
        return;
    if (vm_arg_bytes(c, 1, &data, &len) < 0 || vm_arg_type(c, 2) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "tcpWrite(handle, bytes, callback)");
        return;
    }
    size_t done = 0;
    if (uv_stream_get_write_queue_size((uv_stream_t *)&s->tcp) == 0) {
        uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
        int n = uv_try_write((uv_stream_t *)&s->tcp, &b, 1);
        if (n >= 0)
            done = (size_t)n;
        else if (n != UV_EAGAIN) {
            vm_ret_num(c, n);
            return;
        }
    }
    if (done == len) {
        vm_ret_num(c, 0);
        return;
    }
    /* what waits for the peer counts in the budget: a guest writing to
     * peers that never read holds it */
    if (!vm_reserve(vm_call_vm(c), len - done)) {
        vm_throw_alloc_failed(c);
        return;
    }
    net_write_t *w = calloc(1, sizeof *w);
    uint8_t *copy = malloc(len - done);
    if (!w || !copy) {
        free(w);
        free(copy);
        vm_release(vm_call_vm(c), len - done);
        vm_throw_alloc_failed(c);
        return;
    }
    w->len = len - done;
    memcpy(copy, data + done, len - done);
    w->rt = s->rt;
    w->copy = copy;
    w->req.data = w;
    uv_buf_t b = uv_buf_init((char *)copy, (unsigned)(len - done));
    int r = uv_write(&w->req, (uv_stream_t *)&s->tcp, &b, 1, write_done);
    if (r < 0) {
        vm_release(vm_call_vm(c), w->len);
        free(copy);
        free(w);
        vm_ret_num(c, r);
        return;
    }
    w->cb = vm_arg_ref(c, 2);
    s->rt->pending_reqs++;
    vm_ret_num(c, 1);
}

/* tcpQueued(h) -> bytes waiting in the write queue */
static void net_tcp_queued(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (s)
        vm_ret_num(c, (double)uv_stream_get_write_queue_size((uv_stream_t *)&s->tcp));
}

static void shutdown_done(uv_shutdown_t *req, int status)
{
    net_shutdown_t *sd = req->data;
    br_rt_t *rt = sd->rt;
    rt->pending_reqs--;
    if (!rt->closing && vm_limit(rt->vm) == VM_LIMIT_NONE) {
        vm_val_t arg = VM_NUM(status);
        br__invoke(rt, sd->cb, 1, &arg, NULL);
    }
    vm_ref_free(rt->vm, sd->cb);
    free(sd);
}

/* tcpShutdown(h, callback(status)) -> 0 | -errno: no more writes (FIN) */
static void net_tcp_shutdown(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    if (vm_arg_type(c, 1) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "tcpShutdown(handle, callback)");
        return;
    }
    net_shutdown_t *sd = calloc(1, sizeof *sd);
    if (!sd) {
        vm_throw_alloc_failed(c);
        return;
    }
    sd->rt = s->rt;
    sd->req.data = sd;
    int r = uv_shutdown(&sd->req, (uv_stream_t *)&s->tcp, shutdown_done);
    if (r < 0) {
        free(sd);
        vm_ret_num(c, r);
        return;
    }
    sd->cb = vm_arg_ref(c, 1);
    s->rt->pending_reqs++;
    vm_ret_num(c, 0);
}

/* tcpClose(h, callback?) — the callback runs once the socket is closed */
static void net_tcp_close(vm_call_t *c)
{
    net_box_t *b = vm_arg_handle(c, 0, &sock_type);
    if (!b || !b->s || uv_is_closing((uv_handle_t *)&b->s->tcp)) {
        vm_ret_undefined(c);
        return;
    }
    if (vm_arg_type(c, 1) == VM_T_FUNCTION)
        b->s->onclose = vm_arg_ref(c, 1);
    if (b->s->unix_path)
        unlink(b->s->unix_path); /* what it bound: its file goes with it (libuv's) */
    sock_close(b->s);
    vm_ret_undefined(c);
}

/* tcpReset(h, callback?) -> 0 | -errno: closes with a RST (resetAndDestroy);
 * the callback runs once the socket is closed */
static void net_tcp_reset(vm_call_t *c)
{
    net_box_t *b = vm_arg_handle(c, 0, &sock_type);
    if (!b || !b->s || uv_is_closing((uv_handle_t *)&b->s->tcp)) {
        vm_ret_num(c, UV_EBADF);
        return;
    }
    net_sock_t *s = b->s;
    if (vm_arg_type(c, 1) == VM_T_FUNCTION)
        s->onclose = vm_arg_ref(c, 1);
    int r = uv_tcp_close_reset(&s->tcp, sock_closed);
    if (r < 0)
        sock_close(s); /* not a connected TCP socket: a plain close */
    vm_ret_num(c, r < 0 ? r : 0);
}

/* tcpNoDelay(h, on) / tcpKeepAlive(h, on, delaySeconds) -> 0 | -errno */
static void net_tcp_nodelay(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (s)
        vm_ret_num(c, uv_tcp_nodelay(&s->tcp, vm_arg_bool(c, 1)));
}

static void net_tcp_keepalive(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    double delay = vm_arg_num(c, 2);
    if (!(delay >= 0) || delay > 86400 * 365)
        delay = 0;
    vm_ret_num(c, uv_tcp_keepalive(&s->tcp, vm_arg_bool(c, 1), (unsigned)delay));
}

/* tcpAddress(h, peer) -> [address, port, family] | undefined */
static void net_tcp_address(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    struct sockaddr_storage sa;
    int len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    bool peer = vm_arg_bool(c, 1);
    const netp_addr_t *known = peer ? &s->remote : &s->local;
    if (known->family) {
        /* as the supervisor names it (host.internal's guest address, a
         * published port's guest port) */
        if (known->family == 6) {
            struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sa;
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(known->port);
            v6->sin6_scope_id = known->scope_id;
            memcpy(&v6->sin6_addr, known->addr, 16);
        } else {
            struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
            v4->sin_family = AF_INET;
            v4->sin_port = htons(known->port);
            memcpy(&v4->sin_addr, known->addr, 4);
        }
        ret_addr(c, &sa);
        return;
    }
    int r = peer ? uv_tcp_getpeername(&s->tcp, (struct sockaddr *)&sa, &len)
                 : uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&sa, &len);
    if (r < 0) {
        vm_ret_num(c, r);
        return;
    }
    ret_addr(c, &sa);
}

/* tcpRef(h, on): whether the socket keeps the run alive */
static void net_tcp_ref(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    if (vm_arg_bool(c, 1))
        uv_ref((uv_handle_t *)&s->tcp);
    else
        uv_unref((uv_handle_t *)&s->tcp);
    vm_ret_undefined(c);
}

/* ---- unix domain sockets ------------------------------------------------- */

/* The address a unix socket's name given by the guest stands for, as
 * sun_path's bytes into out (*len): an abstract name ('\0' first) as it
 * is; a path canonical (listen: its folder resolved, the last component
 * kept, since bind makes it and never follows a symlink there; connect:
 * every symlink resolved, as connect(2) follows them), cut to sun_path's
 * size as libuv cuts it. 0 or -errno. */
static int unix_addr(br_rt_t *rt, const char *given, size_t glen, bool listen, char *out,
                     size_t *len)
{
    if (glen && given[0] == '\0') {
        *len = glen < NETP_UNIX_ADDR_MAX ? glen : NETP_UNIX_ADDR_MAX;
        memcpy(out, given, *len);
        return *len > 1 ? 0 : -EINVAL;
    }
    if (!glen || memchr(given, '\0', glen))
        return -EINVAL;
    char canon[PATH_MAX];
    int r = listen ? br__path_canon_nofollow(given, rt->cwd, canon, sizeof canon)
                   : br__path_canon(given, rt->cwd, canon, sizeof canon);
    /* failed: out is the path as far as the walk went (or nothing), for
     * the broker to refuse before the error is told
     * (br__refused_before_error) */
    if (r < 0 && canon[0] != '/')
        return r;
    size_t cl = strlen(canon);
    *len = cl < NETP_UNIX_ADDR_MAX ? cl : NETP_UNIX_ADDR_MAX;
    memcpy(out, canon, *len);
    return r < 0 ? r : 0;
}

/* Node's ERR_ACCESS_DENIED for a unix socket the broker refused (or a
 * host folder), naming what would allow it. */
static void throw_unix_denied(vm_call_t *c, const char *op, const char *addr, size_t len,
                              bool host_folder)
{
    char shown[NETP_UNIX_ADDR_MAX + 2], why[2 * NETP_UNIX_ADDR_MAX + 96];
    bool abstract = addr[0] == '\0';
    size_t o = 0;
    if (abstract)
        shown[o++] = '@';
    for (size_t i = abstract ? 1 : 0; i < len; i++)
        shown[o++] = (unsigned char)addr[i] >= 0x20 && addr[i] != 0x7f ? addr[i] : '?';
    shown[o] = '\0';
    if (host_folder && !strcmp(op, BRK_UNIX_LISTEN))
        snprintf(why, sizeof why,
                 "a unix socket is made only in the sandbox's own folders, such as /tmp, never "
                 "in a folder of the host's");
    else if (host_folder)
        snprintf(why, sizeof why,
                 "a host's socket is reached only under a write grant of a host folder: run "
                 "with --allow-read=%s --allow-write=%s",
                 shown, shown);
    else if (abstract)
        snprintf(why, sizeof why, "not granted: run with --allow-net=localhost");
    else if (!strcmp(op, BRK_UNIX_LISTEN))
        snprintf(why, sizeof why, "not granted: run with --allow-write=%s", shown);
    else
        snprintf(why, sizeof why, "not granted: run with --allow-read=%s --allow-write=%s", shown,
                 shown);
    vm_throwf(c, "Error", "ERR_ACCESS_DENIED", "Access to this API has been restricted: %s %s (%s)",
              op, shown, why);
}

/* The JS wall's view of where a unix socket file is: a listener's folder
 * must be on the private /tmp's filesystem and not a host grant; a socket
 * connected to off it must lie under a write grant bound from the host.
 * Decided by the device as well as the path (a folder renamed in /tmp
 * carries a host bind with it). A path that cannot be read yet passes:
 * the supervisor's factory refuses, or the socket's own error comes. */
static bool unix_on_own_fs(br_rt_t *rt, const char *path, bool listen)
{
    struct stat st;
    if (!listen && lstat(path, &st) < 0)
        return true; /* nothing to connect to: the socket's own error */
    int own = br__private_tmp_fs(rt->quota, path);
    if (listen)
        return own != 0 && !br__host_grant(rt->quota, path);
    return own != 0 || br__host_grant(rt->quota, path);
}

/* Asks the supervisor for a unix socket (NETP_UNIX_LISTEN or _CONNECT)
 * for the guest's name at argument 1, decided here first (the JS wall):
 * the socket opened into s, 0 or -errno; thrown (*thrown set) when
 * refused. */
static int unix_ask(vm_call_t *c, net_sock_t *s, bool listen, int backlog, bool *thrown)
{
    br_rt_t *rt = br__rt(c);
    const char *op = listen ? BRK_UNIX_LISTEN : BRK_UNIX_CONNECT;
    size_t glen = 0, len = 0;
    char *given = vm_arg_str(c, 1, &glen);
    char addr[NETP_UNIX_ADDR_MAX];
    if (!given) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "the path must be a string");
        *thrown = true;
        return -EINVAL;
    }
    int r = unix_addr(rt, given, glen, listen, addr, &len);
    free(given);
    if (r < 0 && len && addr[0] == '/' && rt->policy &&
        brk_unix_decide(rt->policy, "guest", op, addr, len, NULL) == -EACCES) {
        throw_unix_denied(c, op, addr, len, false);
        *thrown = true;
        return -EACCES;
    }
    if (r < 0)
        return r;
    if (rt->policy) {
        r = brk_unix_decide(rt->policy, "guest", op, addr, len, NULL);
        if (r == -EACCES) {
            throw_unix_denied(c, op, addr, len, false);
            *thrown = true;
            return r;
        }
        if (r < 0)
            return r;
        char path[NETP_UNIX_ADDR_MAX + 1];
        memcpy(path, addr, len);
        path[len] = '\0';
        if (addr[0] && !unix_on_own_fs(rt, path, listen)) {
            brk_audit_os_refusal(rt->policy, BRK_FS_WRITE, op, path, "EACCES", "host-folder", -1);
            throw_unix_denied(c, op, addr, len, true);
            *thrown = true;
            return -EACCES;
        }
    }
    netp_req_t q;
    fill_req(&q, listen ? NETP_UNIX_LISTEN : NETP_UNIX_CONNECT, "", 0, 0);
    q.arg = backlog;
    if (listen) /* the file's mode as the guest's own bind would make it */
        q.port = (uint16_t)(br__umask() & 0777);
    netp_res_t res;
    int fd;
    r = chan_sync_payload(rt, &q, addr, len, &res, &fd);
    if (r == 0)
        r = res.status;
    if (r == 0 && fd < 0)
        r = -ENETDOWN;
    if (r == -EACCES) { /* the supervisor's refusal: the second wall */
        throw_unix_denied(c, op, addr, len, false);
        *thrown = true;
        if (fd >= 0)
            close(fd);
        return r;
    }
    if (r == 0 && (r = uv_tcp_open(&s->tcp, fd)) < 0)
        close(fd);
    else if (r < 0 && fd >= 0)
        close(fd);
    if (r == 0 && listen && addr[0]) {
        s->unix_path = strndup(addr, len);
        if (!s->unix_path)
            r = -ENOMEM;
    }
    return r;
}

/* pipeBind(h, path, backlog) -> 0 | -errno: a unix socket listening at
 * path (an abstract name: '\0' first), made by the supervisor's factory;
 * tcpListen then watches it */
static void net_pipe_bind(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    double backlog = vm_arg_num(c, 2);
    bool thrown = false;
    int r = unix_ask(c, s, true, backlog >= 0 && backlog <= 65535 ? (int)backlog : 511, &thrown);
    if (!thrown)
        vm_ret_num(c, r);
}

/* pipeConnect(h, path) -> 0 | -errno: a unix socket connected to path (a
 * unix connect is done at once: the caller reports it on the next tick) */
static void net_pipe_connect(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    if (!s)
        return;
    bool thrown = false;
    int r = unix_ask(c, s, false, 0, &thrown);
    if (!thrown)
        vm_ret_num(c, r);
}

/* ---- stream sockets of other bridges (child.c: a child's stdio) ---------- */

bool br__net_unopened(vm_call_t *c, int i)
{
    net_box_t *b = vm_arg_handle(c, i, &sock_type);
    uv_os_fd_t fd;
    return b && b->s && !uv_is_closing((uv_handle_t *)&b->s->tcp) &&
           uv_fileno((uv_handle_t *)&b->s->tcp, &fd) == UV_EBADF;
}

int br__net_adopt(vm_call_t *c, int i, int fd)
{
    net_box_t *b = vm_arg_handle(c, i, &sock_type);
    int r = -EINVAL;
    if (br__net_unopened(c, i))
        r = uv_tcp_open(&b->s->tcp, fd);
    if (r < 0)
        close(fd);
    return r;
}

int br__net_fd(vm_call_t *c, int i)
{
    net_box_t *b = vm_arg_handle(c, i, &sock_type);
    uv_os_fd_t fd;
    if (!b || !b->s || uv_is_closing((uv_handle_t *)&b->s->tcp) ||
        uv_fileno((uv_handle_t *)&b->s->tcp, &fd) < 0)
        return -EBADF;
    return fd;
}

/* openFd(h, fd) -> 0 | -errno: the guest's own stream socket fd (0-2, or
 * one it was started with or opened) into the unopened handle h, as
 * `new net.Socket({fd})` takes one; the handle owns it from here on */
static void net_open_fd(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    int64_t fd = vm_arg_int(c, 1);
    struct stat st;
    if (vm_arg_type(c, 1) != VM_T_NUMBER || !br__fd_owned(rt, fd) || fd > INT32_MAX) {
        vm_ret_num(c, -EBADF);
        return;
    }
    if (fstat((int)fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
        vm_ret_num(c, -ENOTSOCK);
        return;
    }
    if (!br__net_unopened(c, 0)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "not a fresh net handle");
        return;
    }
    net_box_t *b = vm_arg_handle(c, 0, &sock_type);
    int r = uv_tcp_open(&b->s->tcp, (uv_os_sock_t)fd);
    if (r == 0 && fd > 2)
        br__fd_adopt(rt, fd, false); /* the socket's now, closed with it */
    vm_ret_num(c, r);
}

static const vm_native_t natives[] = {
    {"openFd", net_open_fd, 2, VM_NATIVE_NET},
    {"pipeBind", net_pipe_bind, 3, VM_NATIVE_NET},
    {"pipeConnect", net_pipe_connect, 2, VM_NATIVE_NET},
    {"tcpNew", net_tcp_new, 0, VM_NATIVE_NET},
    {"tcpBind", net_tcp_bind, 5, VM_NATIVE_NET},
    {"tcpListen", net_tcp_listen, 3, VM_NATIVE_NET},
    {"tcpAccept", net_tcp_accept, 1, VM_NATIVE_NET},
    {"tcpConnect", net_tcp_connect, 5, VM_NATIVE_NET},
    {"netLookup", net_lookup, 4, VM_NATIVE_NET},
    {"netResolve", net_resolve, 7, VM_NATIVE_NET},
    {"netReverse", net_reverse, 5, VM_NATIVE_NET},
    {"netCancel", net_cancel, 1, VM_NATIVE_NET},
    {"tcpReadStart", net_tcp_read_start, 2, VM_NATIVE_NET},
    {"tcpReadStop", net_tcp_read_stop, 1, VM_NATIVE_NET},
    {"tcpWrite", net_tcp_write, 3, VM_NATIVE_NET},
    {"tcpQueued", net_tcp_queued, 1, VM_NATIVE_NET},
    {"tcpShutdown", net_tcp_shutdown, 2, VM_NATIVE_NET},
    {"tcpClose", net_tcp_close, 2, VM_NATIVE_NET},
    {"tcpReset", net_tcp_reset, 2, VM_NATIVE_NET},
    {"tcpNoDelay", net_tcp_nodelay, 2, VM_NATIVE_NET},
    {"tcpKeepAlive", net_tcp_keepalive, 3, VM_NATIVE_NET},
    {"tcpAddress", net_tcp_address, 2, VM_NATIVE_NET},
    {"tcpRef", net_tcp_ref, 2, VM_NATIVE_NET},
};

const vm_table_t br__net_table = {"net", natives, sizeof natives / sizeof natives[0]};
