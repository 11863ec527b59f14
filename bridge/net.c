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
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NET_READ_CHUNK (64 * 1024)
#define NET_TARGET_MAX 320 /* "[host]:port" as the broker sees it */

typedef struct net_sock net_sock_t;

typedef struct {
    net_sock_t *s; /* NULL once the socket is closed */
} net_box_t;

struct net_sock {
    uv_tcp_t tcp;
    br_rt_t *rt;
    net_box_t *box;
    vm_ref_t onread;  /* fn(nread | -errno | 0 at EOF, bytes) */
    vm_ref_t onconn;  /* fn(status): a connection waits for accept() */
    vm_ref_t onclose; /* fn() once closed */
    bool counted;     /* in rt->handles_open */
    net_sock_t *prev, *next;
};

typedef struct {
    uv_connect_t req;
    net_sock_t *s;
    vm_ref_t cb;
} net_connect_t;

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

static net_sock_t *all_socks; /* one runtime per process */

static void net_box_free(void *p);
static const vm_handle_type_t sock_type = {"TCP", net_box_free};

/* ---- life ------------------------------------------------------------------ */

static void sock_closed(uv_handle_t *h)
{
    net_sock_t *s = h->data;
    br_rt_t *rt = s->rt;
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

/* Whether the address is the sandbox's own: loopback or unspecified (which
 * in this namespace is loopback alone). */
static bool sandbox_address(const struct sockaddr_storage *sa)
{
    if (sa->ss_family == AF_INET) {
        uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
        return (a >> 24) == 127 || a == 0;
    }
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) ||
           (IN6_IS_ADDR_V4MAPPED(a) && (a->s6_addr[12] == 127));
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
    target_of(target, sizeof target, host, port);
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
 * it, i+2: port) checked: 0 with *sa filled, or thrown. */
static int target_args(vm_call_t *c, int i, const char *op, struct sockaddr_storage *sa)
{
    br_rt_t *rt = br__rt(c);
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
    if (!parse_ip(ip, (int)port, sa) || strlen(host) >= NET_TARGET_MAX - 16) {
        vm_throwf(c, "TypeError", "ERR_INVALID_IP_ADDRESS", "Invalid IP address: %.64s", ip);
        goto out;
    }
    if (ask(rt, op, host, (int)port, unspecified(sa)) < 0) {
        throw_denied(c, op, unspecified(sa) ? "localhost" : host, (int)port);
        goto out;
    }
    if (!sandbox_address(sa)) {
        /* only the supervisor may reach past the sandbox (netproto.h) */
        br__throw_errno(c, UV_ENETUNREACH, op, NULL, NULL);
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

/* ---- natives ------------------------------------------------------------------ */

/* tcpNew() -> handle */
static void net_tcp_new(vm_call_t *c)
{
    sock_new(c);
}

/* tcpBind(h, ip, hostAsGiven, port, ipv6Only) -> 0 | -errno */
static void net_tcp_bind(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    struct sockaddr_storage sa;
    if (!s || target_args(c, 1, "listen", &sa) < 0)
        return;
    unsigned flags = sa.ss_family == AF_INET6 && vm_arg_bool(c, 4) ? UV_TCP_IPV6ONLY : 0;
    vm_ret_num(c, uv_tcp_bind(&s->tcp, (struct sockaddr *)&sa, flags));
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

static void connect_done(uv_connect_t *req, int status)
{
    net_connect_t *cr = req->data;
    br_rt_t *rt = cr->s ? cr->s->rt : NULL;
    if (rt) {
        rt->pending_reqs--;
        if (!rt->closing && vm_limit(rt->vm) == VM_LIMIT_NONE) {
            vm_val_t arg = VM_NUM(status);
            br__invoke(rt, cr->cb, 1, &arg, NULL);
        }
        vm_ref_free(rt->vm, cr->cb);
    }
    free(cr);
}

/* tcpConnect(h, ip, hostAsGiven, port, callback(status)) -> 0 | -errno */
static void net_tcp_connect(vm_call_t *c)
{
    net_sock_t *s = sock_arg(c, 0);
    struct sockaddr_storage sa;
    if (!s)
        return;
    if (vm_arg_type(c, 4) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "tcpConnect(..., callback)");
        return;
    }
    if (target_args(c, 1, "connect", &sa) < 0)
        return;
    net_connect_t *cr = calloc(1, sizeof *cr);
    if (!cr) {
        vm_throw_alloc_failed(c);
        return;
    }
    cr->s = s;
    cr->req.data = cr;
    int r = uv_tcp_connect(&cr->req, &s->tcp, (struct sockaddr *)&sa, connect_done);
    if (r < 0) {
        free(cr);
        vm_ret_num(c, r);
        return;
    }
    cr->cb = vm_arg_ref(c, 4);
    s->rt->pending_reqs++;
    vm_ret_num(c, 0);
}

static void read_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    char *p = malloc(NET_READ_CHUNK);
    *b = uv_buf_init(p, p ? NET_READ_CHUNK : 0);
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    net_sock_t *s = st->data;
    br_rt_t *rt = s->rt;
    if (n == 0 || !s->onread || rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE) {
        free(b->base);
        return;
    }
    vm_val_t args[2] = {VM_NUM(n == UV_EOF ? 0 : (double)n), {.type = VM_T_NULL}};
    vm_ref_t bytes = 0;
    if (n > 0) {
        uint8_t *data = (uint8_t *)b->base;
        if ((size_t)n < NET_READ_CHUNK / 2) { /* keep only what arrived */
            uint8_t *fit = realloc(data, (size_t)n);
            if (fit)
                data = fit;
        }
        bytes = vm_new_bytes_take(rt->vm, data, (size_t)n);
        args[1] = VM_REF(bytes);
    } else {
        free(b->base);
        uv_read_stop(st);
    }
    br__invoke(rt, s->onread, 2, args, NULL);
    vm_ref_free(rt->vm, bytes);
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
    int r = vm_arg_bool(c, 1) ? uv_tcp_getpeername(&s->tcp, (struct sockaddr *)&sa, &len)
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

static const vm_native_t natives[] = {
    {"tcpNew", net_tcp_new, 0, VM_NATIVE_NET},
    {"tcpBind", net_tcp_bind, 5, VM_NATIVE_NET},
    {"tcpListen", net_tcp_listen, 3, VM_NATIVE_NET},
    {"tcpAccept", net_tcp_accept, 1, VM_NATIVE_NET},
    {"tcpConnect", net_tcp_connect, 5, VM_NATIVE_NET},
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
