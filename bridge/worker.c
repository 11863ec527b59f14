/*
 * bridge/worker.c — worker_threads: message ports between runtimes, and
 * workers, each a runtime (br_rt_t) of its own on its own OS thread.
 *
 * A worker is an isolate from the same startup snapshot, with its own libuv
 * loop and bridge runtime, started on a thread of this process: it is
 * behind the same walls (the seccomp filter and Landlock domain of the
 * process hold for every thread made after them) and takes from the same
 * memory budget (vm_options_t.share). Its runtime has no signals (the main
 * thread's take them) and no network channel (netd's channels are one per
 * process: a worker's requests are refused, see net.c).
 *
 * Ports. A channel has two ends; each end is the C object of a JS
 * MessagePort handle. Messages (vm_msg_t: the structured clone, moved
 * buffers, shared memory, moved ports) wait in the channel, under its
 * mutex, for the end they go to; an end that was started in a runtime has
 * a uv_async_t in that runtime's loop, which the sending thread wakes. The
 * loop then calls the end's JS callback once per message waiting, and JS
 * takes each one (portReceive, which reads it into its isolate): one
 * callback per message, ticks and microtasks after each, as Node. An end
 * moved in a message leaves its runtime first (on the sender's thread) and
 * is started again where it arrives. Closing an end (close(), its handle
 * collected, its runtime's end) tells the other end, whose JS gets a last
 * callback with `true` once the messages before it were taken.
 *
 * Workers. spawn() makes the worker's record (its configuration, the
 * first message: workerData and the ports it starts with) and its thread;
 * the thread makes the runtime, runs it, frees it, and wakes the parent's
 * loop, which joins the thread and calls the Worker's exit callback with
 * the exit code and the limit that ended it (the memory budget:
 * ERR_WORKER_OUT_OF_MEMORY). terminate() stops the worker's JS
 * (TerminateExecution: a loop that never returns ends too) and wakes its
 * loop. A runtime that ends terminates its own workers and waits for them.
 *
 * Threads: a channel's queues and its ends' wake-up handles are read and
 * written under the channel's mutex; a worker record's running runtime
 * under the record's. Everything else of an end or a record belongs to the
 * thread of the runtime holding it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../isolate/vm.h"
#include "bridge.h"
#include "internal.h"

/* Messages one end may hold unread: past it a post fails (the receiver is
 * not taking them; each holds budget memory). */
#define WK_QUEUE_MAX 1000000

typedef struct wk_node {
    vm_msg_t *m;
    uint64_t seq; /* the order of posts across every channel of the process */
    struct wk_node *next;
} wk_node_t;

typedef struct wk_port wk_port_t;

typedef struct {
    pthread_mutex_t mu;
    int ends; /* alive */
    struct {
        wk_node_t *head, *tail;
        size_t n;
    } q[2];         /* messages to end i */
    bool closed[2]; /* end i closed */
    uv_async_t *wake[2];
} wk_chan_t;

/* An end's wake-up handle: lives until its close callback. */
typedef struct {
    uv_async_t a;
    br_rt_t *rt;
} wk_wake_t;

struct wk_port {
    wk_chan_t *ch;
    int side;
    br_rt_t *rt;     /* the runtime it was started in (NULL: not started) */
    wk_wake_t *w;    /* while started */
    vm_ref_t cb;     /* JS: fn(closed) */
    bool refd;       /* keeps its loop alive while attached */
    bool delivering; /* started: messages go to JS (else they wait) */
    bool closing;    /* close() was called here */
    bool told;       /* the peer's close was handed to JS */
    wk_port_t *next; /* the runtime's started ends */
};

static _Atomic uint64_t next_seq = 1;

static void port_free(void *p);
static const vm_handle_type_t port_type = {"MessagePort", port_free};

/* ---- channels ---------------------------------------------------------- */

static void chan_unref(wk_chan_t *ch)
{
    pthread_mutex_lock(&ch->mu);
    bool last = --ch->ends == 0;
    pthread_mutex_unlock(&ch->mu);
    if (!last)
        return;
    for (int i = 0; i < 2; i++)
        for (wk_node_t *n = ch->q[i].head, *next; n; n = next) {
            next = n->next;
            vm_message_free(n->m);
            free(n);
        }
    pthread_mutex_destroy(&ch->mu);
    free(ch);
}

/* Whether a wake-up handle keeps its loop alive (a port's, a worker's). */
static void wake_ref(wk_wake_t *w, bool on)
{
    if (!w)
        return;
    if (on)
        uv_ref((uv_handle_t *)&w->a);
    else
        uv_unref((uv_handle_t *)&w->a);
}

static bool wake_has_ref(const wk_wake_t *w)
{
    return w && uv_has_ref((const uv_handle_t *)&w->a);
}

static void wake_closed(uv_handle_t *h)
{
    wk_wake_t *w = (wk_wake_t *)h;
    w->rt->handles_open--;
    free(w);
}

/* The end leaves its runtime (on that runtime's thread). */
static void port_stop(wk_port_t *p)
{
    if (!p->rt)
        return;
    pthread_mutex_lock(&p->ch->mu);
    p->ch->wake[p->side] = NULL;
    pthread_mutex_unlock(&p->ch->mu);
    p->w->a.data = NULL;
    uv_close((uv_handle_t *)&p->w->a, wake_closed);
    p->w = NULL;
    for (wk_port_t **pp = &p->rt->ports; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    p->next = NULL;
    vm_ref_free(p->rt->vm, p->cb);
    p->cb = 0;
    p->rt = NULL;
}

/* Marks the end closed and wakes its peer. */
static void port_close(wk_port_t *p)
{
    wk_chan_t *ch = p->ch;
    pthread_mutex_lock(&ch->mu);
    if (!ch->closed[p->side]) {
        ch->closed[p->side] = true;
        if (ch->wake[!p->side])
            uv_async_send(ch->wake[!p->side]);
    }
    pthread_mutex_unlock(&ch->mu);
}

static void port_free(void *ptr)
{
    wk_port_t *p = ptr;
    port_stop(p);
    port_close(p);
    chan_unref(p->ch);
    free(p);
}

static void on_wake(uv_async_t *a)
{
    wk_port_t *p = a->data;
    if (!p)
        return;
    br_rt_t *rt = p->rt;
    wk_chan_t *ch = p->ch;
    pthread_mutex_lock(&ch->mu);
    size_t n = p->delivering ? ch->q[p->side].n : 0;
    pthread_mutex_unlock(&ch->mu);
    /* those waiting now (and a few more: JS may take another port's first,
     * to keep a worker's two channels in order); later ones wake the
     * handle again. fn answers whether it took one. */
    for (size_t i = 0; n && i < n + 64 && p->delivering; i++) {
        if (rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE)
            return;
        vm_val_t arg = VM_BOOL(false);
        vm_ref_t took = 0;
        int st = br__invoke(rt, p->cb, 1, &arg, &took);
        bool more = st == VM_OK && vm_ref_is_true(rt->vm, took);
        vm_ref_free(rt->vm, took);
        if (a->data != p) /* closed, moved or collected meanwhile */
            return;
        if (!more)
            break;
    }
    pthread_mutex_lock(&ch->mu);
    bool closed =
        (ch->closed[!p->side] || ch->closed[p->side]) && (ch->q[p->side].n == 0 || !p->delivering);
    /* the closing end's 'close' comes first: one in this runtime tells
     * this one after its own (below) */
    uv_async_t *closer = !ch->closed[p->side] ? ch->wake[!p->side] : NULL;
    pthread_mutex_unlock(&ch->mu);
    if (closed && closer && ((wk_wake_t *)closer)->rt == rt && closer->data &&
        !((wk_port_t *)closer->data)->told)
        return;
    if (closed && !p->told && !rt->closing && vm_limit(rt->vm) == VM_LIMIT_NONE) {
        p->told = true;
        pthread_mutex_lock(&ch->mu);
        uv_async_t *peer = ch->wake[!p->side];
        pthread_mutex_unlock(&ch->mu);
        vm_val_t arg = VM_BOOL(true);
        br__invoke(rt, p->cb, 1, &arg, NULL);
        /* a peer in this runtime hears of it next, as in Node, before the
         * loop may end (the closing end kept it alive until now) */
        if (peer && ((wk_wake_t *)peer)->rt == rt && peer->data)
            on_wake(peer);
    }
}

/* ---- port natives ------------------------------------------------------- */

/* channel() -> [port1, port2] */
static void worker_channel(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    wk_chan_t *ch = calloc(1, sizeof *ch);
    wk_port_t *p[2] = {calloc(1, sizeof(wk_port_t)), calloc(1, sizeof(wk_port_t))};
    if (!ch || !p[0] || !p[1]) {
        free(ch);
        free(p[0]);
        free(p[1]);
        vm_throw_alloc_failed(c);
        return;
    }
    pthread_mutex_init(&ch->mu, NULL);
    ch->ends = 2;
    for (int i = 0; i < 2; i++) {
        p[i]->ch = ch;
        p[i]->side = i;
    }
    /* each handle is made by a call of its own (vm_ret_handle): the pair
     * is handed out through two calls of makePort, kept here meanwhile */
    rt->port_pending = p[1];
    vm_ret_handle(c, &port_type, p[0]);
}

/* channelPeer() -> the second port of the last channel() */
static void worker_channel_peer(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    wk_port_t *p = rt->port_pending;
    rt->port_pending = NULL;
    if (!p) {
        vm_ret_undefined(c);
        return;
    }
    vm_ret_handle(c, &port_type, p);
}

static wk_port_t *arg_port(vm_call_t *c, int i)
{
    wk_port_t *p = vm_arg_handle(c, i, &port_type);
    if (!p)
        vm_throwf(c, "TypeError", "ERR_INVALID_THIS",
                  "Value of \"this\" must be of type MessagePort");
    return p;
}

/* Queues m for the peer of p: 0, or -EPIPE (closed: m dropped, as Node drops
 * messages to a closed port), -ENOBUFS. */
static int chan_post(wk_chan_t *ch, int to, vm_msg_t *m)
{
    wk_node_t *n = malloc(sizeof *n);
    if (!n) {
        vm_message_free(m);
        return -ENOMEM;
    }
    n->m = m;
    n->next = NULL;
    pthread_mutex_lock(&ch->mu);
    n->seq = atomic_fetch_add(&next_seq, 1);
    if (ch->closed[to] || ch->closed[!to] || ch->q[to].n >= WK_QUEUE_MAX) {
        int r = ch->q[to].n >= WK_QUEUE_MAX ? -ENOBUFS : -EPIPE;
        pthread_mutex_unlock(&ch->mu);
        vm_message_free(m);
        free(n);
        return r;
    }
    if (ch->q[to].tail)
        ch->q[to].tail->next = n;
    else
        ch->q[to].head = n;
    ch->q[to].tail = n;
    ch->q[to].n++;
    if (ch->wake[to])
        uv_async_send(ch->wake[to]);
    pthread_mutex_unlock(&ch->mu);
    return 0;
}

/* The ports a message moves leave this runtime now. */
static void message_moved(vm_msg_t *m)
{
    void **ports;
    size_t n = vm_message_ports(m, &ports);
    for (size_t i = 0; i < n; i++)
        port_stop(ports[i]);
}

/* Whether m moves the peer of the port it is posted on (the channel would
 * carry its own end: Node drops the message and the channel is lost). */
static bool message_moves_peer(vm_msg_t *m, const wk_port_t *from)
{
    void **ports;
    size_t n = vm_message_ports(m, &ports);
    for (size_t i = 0; i < n; i++)
        if (ports[i] && ((wk_port_t *)ports[i])->ch == from->ch)
            return true;
    return false;
}

/* portPost(port, value, transferList): 1 posted, 0 dropped (the port is
 * closed, as Node drops it), -1 the message moved the port's own peer
 * (dropped, the channel closed). */
static void worker_port_post(vm_call_t *c)
{
    wk_port_t *p = arg_port(c, 0);
    if (!p)
        return;
    vm_msg_t *m = vm_arg_message(c, 1, 2, &port_type);
    if (!m)
        return;
    message_moved(m);
    if (message_moves_peer(m, p)) {
        vm_message_free(m); /* closes the peer: both ends get 'close' */
        vm_ret_num(c, -1);
        return;
    }
    int r = chan_post(p->ch, !p->side, m);
    if (r == -ENOMEM || r == -ENOBUFS) {
        vm_throwf(c, "Error", "ERR_WORKER_OUT_OF_MEMORY", "Cannot post the message: %s",
                  r == -ENOBUFS ? "too many unread messages" : "out of memory");
        return;
    }
    vm_ret_num(c, r == 0 ? 1 : 0);
}

/* portReceive(port) -> [value, ports...] or undefined (nothing waits) */
static void worker_port_receive(vm_call_t *c)
{
    wk_port_t *p = arg_port(c, 0);
    if (!p)
        return;
    wk_chan_t *ch = p->ch;
    pthread_mutex_lock(&ch->mu);
    wk_node_t *n = ch->q[p->side].head;
    if (n) {
        ch->q[p->side].head = n->next;
        if (!n->next)
            ch->q[p->side].tail = NULL;
        ch->q[p->side].n--;
    }
    pthread_mutex_unlock(&ch->mu);
    if (!n) {
        vm_ret_undefined(c);
        return;
    }
    vm_msg_t *m = n->m;
    free(n);
    vm_ret_message(c, m);
}

/* portStart(port, fn(closed)): the port's news come to fn from this
 * runtime's loop: its close, and its messages once portResume(port, true). */
static void worker_port_start(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    wk_port_t *p = arg_port(c, 0);
    if (!p)
        return;
    if (vm_arg_type(c, 1) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "portStart(port, fn)");
        return;
    }
    if (p->rt) {
        vm_ref_free(rt->vm, p->cb);
        p->cb = vm_arg_ref(c, 1);
        return;
    }
    wk_wake_t *w = calloc(1, sizeof *w);
    if (!w || uv_async_init(rt->loop, &w->a, on_wake) < 0) {
        free(w);
        vm_throwf(c, "Error", "ERR_WORKER_INIT_FAILED", "cannot start the port");
        return;
    }
    w->rt = rt;
    w->a.data = p;
    rt->handles_open++;
    if (!p->refd)
        uv_unref((uv_handle_t *)&w->a);
    p->w = w;
    p->rt = rt;
    p->cb = vm_arg_ref(c, 1);
    p->next = rt->ports;
    rt->ports = p;
    pthread_mutex_lock(&p->ch->mu);
    p->ch->wake[p->side] = &w->a;
    if ((p->delivering && p->ch->q[p->side].n) || p->ch->closed[!p->side] || p->ch->closed[p->side])
        uv_async_send(&w->a);
    pthread_mutex_unlock(&p->ch->mu);
}

/* portResume(port, on): messages go to JS (start()) or wait (no listener). */
static void worker_port_resume(vm_call_t *c)
{
    wk_port_t *p = arg_port(c, 0);
    if (!p)
        return;
    p->delivering = vm_arg_bool(c, 1);
    pthread_mutex_lock(&p->ch->mu);
    if (p->delivering && p->w && p->ch->q[p->side].n)
        uv_async_send(&p->w->a);
    pthread_mutex_unlock(&p->ch->mu);
}

/* portStop(port): the port leaves this runtime's loop (closed). */
static void worker_port_stop(vm_call_t *c)
{
    wk_port_t *p = arg_port(c, 0);
    if (p)
        port_stop(p);
}

/* portRef(port, on) */
static void worker_port_ref(vm_call_t *c)
{
    wk_port_t *p = arg_port(c, 0);
    if (!p)
        return;
    p->refd = vm_arg_bool(c, 1);
    wake_ref(p->w, p->refd);
}

/* portHasRef(port) */
static void worker_port_has_ref(vm_call_t *c)
{
    wk_port_t *p = vm_arg_handle(c, 0, &port_type);
    vm_ret_bool(c, p && wake_has_ref(p->w));
}

/* portClose(port): both ends get their 'close' once what was sent before is
 * taken. */
static void worker_port_close(vm_call_t *c)
{
    wk_port_t *p = vm_arg_handle(c, 0, &port_type);
    if (!p || p->closing)
        return;
    p->closing = true;
    port_close(p);
    /* this end's own 'close' comes from its loop too, which it keeps alive
     * until then */
    if (p->w) {
        uv_ref((uv_handle_t *)&p->w->a);
        uv_async_send(&p->w->a);
    }
}

/* portHeadSeq(port): the order of the first message waiting (-1 none). */
static void worker_port_head_seq(vm_call_t *c)
{
    wk_port_t *p = vm_arg_handle(c, 0, &port_type);
    double seq = -1;
    if (p) {
        pthread_mutex_lock(&p->ch->mu);
        if (p->ch->q[p->side].head)
            seq = (double)p->ch->q[p->side].head->seq;
        pthread_mutex_unlock(&p->ch->mu);
    }
    vm_ret_num(c, seq);
}

/* portClosed(port): whether the peer closed and nothing is left to take. */
static void worker_port_drained(vm_call_t *c)
{
    wk_port_t *p = vm_arg_handle(c, 0, &port_type);
    if (!p) {
        vm_ret_bool(c, true);
        return;
    }
    pthread_mutex_lock(&p->ch->mu);
    bool done = (p->ch->closed[!p->side] || p->ch->closed[p->side]) && p->ch->q[p->side].n == 0;
    pthread_mutex_unlock(&p->ch->mu);
    vm_ret_bool(c, done);
}

/* isPort(value) */
static void worker_is_port(vm_call_t *c)
{
    vm_ret_bool(c, vm_arg_handle(c, 0, &port_type) != NULL);
}

/* ---- BroadcastChannel ------------------------------------------------------ */

/* Every BroadcastChannel of the process is a channel whose end 0 is this
 * registry's: a post is cloned once for each other member of the name. */
typedef struct wk_member {
    char *name;
    size_t len; /* a name may hold NULs */
    bool inbox; /* postMessageToThread's (never a BroadcastChannel's) */
    wk_chan_t *ch;
    struct wk_member *next;
} wk_member_t;

static pthread_mutex_t members_mu = PTHREAD_MUTEX_INITIALIZER;
static wk_member_t *members;

/* broadcastJoin(name, inbox) -> port */
static bool same_name(const wk_member_t *mb, const char *name, size_t len)
{
    return mb->len == len && memcmp(mb->name, name, len) == 0;
}

static void worker_broadcast_join(vm_call_t *c)
{
    size_t len = 0;
    char *name = vm_arg_str(c, 0, &len);
    if (!name)
        return;
    wk_member_t *mb = calloc(1, sizeof *mb);
    wk_chan_t *ch = calloc(1, sizeof *ch);
    wk_port_t *p = calloc(1, sizeof *p);
    if (!mb || !ch || !p) {
        free(name);
        free(mb);
        free(ch);
        free(p);
        vm_throw_alloc_failed(c);
        return;
    }
    pthread_mutex_init(&ch->mu, NULL);
    ch->ends = 2; /* the registry's and the port's */
    p->ch = ch;
    p->side = 1;
    mb->name = name;
    mb->len = len;
    mb->inbox = vm_arg_bool(c, 1);
    mb->ch = ch;
    pthread_mutex_lock(&members_mu);
    mb->next = members;
    members = mb;
    pthread_mutex_unlock(&members_mu);
    vm_ret_handle(c, &port_type, p);
}

static void member_free(wk_member_t *mb)
{
    pthread_mutex_lock(&mb->ch->mu);
    mb->ch->closed[0] = true;
    pthread_mutex_unlock(&mb->ch->mu);
    chan_unref(mb->ch);
    free(mb->name);
    free(mb);
}

/* broadcastLeave(port) */
static void worker_broadcast_leave(vm_call_t *c)
{
    wk_port_t *p = vm_arg_handle(c, 0, &port_type);
    if (!p)
        return;
    wk_member_t *gone = NULL;
    pthread_mutex_lock(&members_mu);
    for (wk_member_t **pp = &members; *pp; pp = &(*pp)->next)
        if ((*pp)->ch == p->ch) {
            gone = *pp;
            *pp = gone->next;
            break;
        }
    pthread_mutex_unlock(&members_mu);
    if (gone)
        member_free(gone);
}

/* broadcastPost(port, value): a clone to every other member of its name */
static void worker_broadcast_post(vm_call_t *c)
{
    wk_port_t *p = arg_port(c, 0);
    if (!p)
        return;
    wk_member_t *dead = NULL;
    pthread_mutex_lock(&members_mu);
    const wk_member_t *own = NULL;
    for (wk_member_t *mb = members; mb; mb = mb->next)
        if (mb->ch == p->ch)
            own = mb;
    for (wk_member_t **pp = &members; own && *pp;) {
        wk_member_t *mb = *pp;
        pthread_mutex_lock(&mb->ch->mu);
        bool closed = mb->ch->closed[1];
        pthread_mutex_unlock(&mb->ch->mu);
        if (closed) { /* its port was collected without leaving */
            *pp = mb->next;
            mb->next = dead;
            dead = mb;
            continue;
        }
        pp = &mb->next;
        if (mb->ch == p->ch || mb->inbox || !same_name(mb, own->name, own->len))
            continue;
        vm_msg_t *m = vm_arg_message(c, 1, 2, &port_type);
        if (!m)
            break;
        message_moved(m);
        chan_post(mb->ch, 1, m);
    }
    pthread_mutex_unlock(&members_mu);
    while (dead) {
        wk_member_t *next = dead->next;
        member_free(dead);
        dead = next;
    }
}

/* postMessageToThread's inboxes are members too (inbox: a
 * BroadcastChannel never hears them), named after their thread's id.
 * inboxName(port, name) names the member of port's channel. */
static void worker_inbox_name(vm_call_t *c)
{
    wk_port_t *p = arg_port(c, 0);
    size_t len = 0;
    char *name = p ? vm_arg_str(c, 1, &len) : NULL;
    if (!name)
        return;
    pthread_mutex_lock(&members_mu);
    for (wk_member_t *mb = members; mb; mb = mb->next)
        if (mb->ch == p->ch) {
            free(mb->name);
            mb->name = name;
            mb->len = len;
            name = NULL;
            break;
        }
    pthread_mutex_unlock(&members_mu);
    free(name);
}

/* inboxPost(name, value, transferList) -> whether a live member of that
 * name took it (one: the first) */
static void worker_inbox_post(vm_call_t *c)
{
    size_t len = 0;
    char *name = vm_arg_str(c, 0, &len);
    if (!name)
        return;
    bool posted = false;
    pthread_mutex_lock(&members_mu);
    for (wk_member_t *mb = members; mb; mb = mb->next) {
        if (!mb->inbox || !same_name(mb, name, len))
            continue;
        pthread_mutex_lock(&mb->ch->mu);
        bool closed = mb->ch->closed[1];
        pthread_mutex_unlock(&mb->ch->mu);
        if (closed)
            continue;
        vm_msg_t *m = vm_arg_message(c, 1, 2, &port_type);
        if (m) {
            message_moved(m);
            posted = chan_post(mb->ch, 1, m) == 0;
        }
        break;
    }
    pthread_mutex_unlock(&members_mu);
    free(name);
    vm_ret_bool(c, posted);
}

/* ---- SHARE_ENV ------------------------------------------------------------ */

/* The environment threads share (a Worker with env: SHARE_ENV): names and
 * values under a mutex, filled by the first thread that shares its own.
 * At most ENV_MAX variables, each name and value capped, and their bytes
 * in the memory budget (the process's one: reserved through whichever
 * thread's vm sets them, given back through whichever deletes them). */
#define ENV_MAX 4096
#define ENV_VALUE_MAX (1u << 20)

static pthread_mutex_t env_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *name, *value;
    size_t nlen, vlen;
} env_vars[ENV_MAX];
static size_t env_n;
static bool env_on;

static ssize_t env_find(const char *name, size_t len)
{
    for (size_t i = 0; i < env_n; i++)
        if (env_vars[i].nlen == len && memcmp(env_vars[i].name, name, len) == 0)
            return (ssize_t)i;
    return -1;
}

/* sharedEnvInit() -> true the first time (the caller fills it) */
static void worker_shared_env_init(vm_call_t *c)
{
    pthread_mutex_lock(&env_mu);
    bool first = !env_on;
    env_on = true;
    pthread_mutex_unlock(&env_mu);
    vm_ret_bool(c, first);
}

/* sharedEnvGet(name) -> value or undefined */
static void worker_shared_env_get(vm_call_t *c)
{
    size_t len = 0;
    char *name = vm_arg_str(c, 0, &len);
    if (!name)
        return;
    pthread_mutex_lock(&env_mu);
    ssize_t i = env_find(name, len);
    if (i >= 0)
        vm_ret_str(c, env_vars[i].value, env_vars[i].vlen);
    else
        vm_ret_undefined(c);
    pthread_mutex_unlock(&env_mu);
    free(name);
}

/* sharedEnvSet(name, value) */
static void worker_shared_env_set(vm_call_t *c)
{
    size_t nlen = 0, vlen = 0;
    char *name = vm_arg_str(c, 0, &nlen);
    char *value = name ? vm_arg_str(c, 1, &vlen) : NULL;
    if (!name || !value) {
        free(name);
        return;
    }
    if (vlen > ENV_VALUE_MAX || nlen > ENV_VALUE_MAX) {
        free(name);
        free(value);
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE",
                  "an environment variable is at most %u bytes", ENV_VALUE_MAX);
        return;
    }
    vm_t *vm = vm_call_vm(c);
    if (!vm_reserve(vm, nlen + vlen)) {
        free(name);
        free(value);
        vm_throw_alloc_failed(c);
        return;
    }
    pthread_mutex_lock(&env_mu);
    ssize_t i = env_find(name, nlen);
    if (i >= 0) {
        vm_release(vm, env_vars[i].nlen + env_vars[i].vlen);
        free(env_vars[i].value);
        env_vars[i].value = value;
        env_vars[i].vlen = vlen;
        free(name);
        name = value = NULL;
    } else if (env_n < ENV_MAX) {
        env_vars[env_n].name = name;
        env_vars[env_n].nlen = nlen;
        env_vars[env_n].value = value;
        env_vars[env_n].vlen = vlen;
        env_n++;
        name = value = NULL;
    }
    pthread_mutex_unlock(&env_mu);
    if (name) {
        free(name);
        free(value);
        vm_release(vm, nlen + vlen);
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "at most %d shared environment variables",
                  ENV_MAX);
    }
}

/* sharedEnvDelete(name) */
static void worker_shared_env_delete(vm_call_t *c)
{
    size_t len = 0;
    char *name = vm_arg_str(c, 0, &len);
    if (!name)
        return;
    pthread_mutex_lock(&env_mu);
    ssize_t i = env_find(name, len);
    if (i >= 0) {
        vm_release(vm_call_vm(c), env_vars[i].nlen + env_vars[i].vlen);
        free(env_vars[i].name);
        free(env_vars[i].value);
        env_vars[i] = env_vars[--env_n];
    }
    pthread_mutex_unlock(&env_mu);
    free(name);
}

/* sharedEnvKeys() -> [names] */
static void worker_shared_env_keys(vm_call_t *c)
{
    vm_t *vm = vm_call_vm(c);
    pthread_mutex_lock(&env_mu);
    vm_val_t *items = calloc(env_n ? env_n : 1, sizeof *items);
    size_t n = items ? env_n : 0;
    for (size_t i = 0; i < n; i++)
        items[i] = VM_STR(env_vars[i].name, env_vars[i].nlen);
    vm_ref_t arr = items ? vm_new_array(vm, items, n) : 0;
    pthread_mutex_unlock(&env_mu);
    free(items);
    if (!arr) {
        vm_throw_alloc_failed(c);
        return;
    }
    vm_ret_ref(c, arr);
    vm_ref_free(vm, arr);
}

/* ---- workers ------------------------------------------------------------- */

struct wk_thread {
    pthread_mutex_t mu;
    int refs; /* the parent's handle, the thread */
    pthread_t tid;
    bool started, joined;
    unsigned thread_id;
    br_rt_t *parent; /* the parent runtime (its loop has `done`) */
    wk_wake_t *done; /* NULL once closed */
    vm_ref_t on_exit;
    br_config_t cfg; /* the worker's: the parent's, with these: */
    char *script, *eval;
    vm_msg_t *init;
    size_t old_mb, young_mb, stack_mb;
    bool track_fds;   /* trackUnmanagedFds: its descriptors close at its end */
    br_rt_t *rt;      /* the worker's runtime while it runs (mu) */
    uv_async_t *stop; /* wakes the worker's loop to end it (mu) */
    bool stop_asked;  /* terminate() (mu) */
    bool gone;        /* the thread ended (mu) */
    int exit_code;
    vm_limit_t limit;
    char *error;       /* why the runtime could not start */
    wk_thread_t *next; /* the parent's workers */
};

static _Atomic unsigned next_thread_id = 1;

static void thread_unref(wk_thread_t *t)
{
    pthread_mutex_lock(&t->mu);
    bool last = --t->refs == 0;
    pthread_mutex_unlock(&t->mu);
    if (!last)
        return;
    vm_message_free(t->init);
    free(t->script);
    free(t->eval);
    free(t->error);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

static void on_stop(uv_async_t *a)
{
    uv_stop(a->loop);
}

static void stop_closed(uv_handle_t *h)
{
    (void)h;
}

static void *thread_main(void *arg)
{
    wk_thread_t *t = arg;
    uv_loop_t loop;
    br_rt_t *rt = NULL;
    char *err = NULL;
    int r = uv_loop_init(&loop);
    if (r == 0) {
        r = br__rt_new_worker(&loop, &t->cfg, t->parent, t, &rt, &err);
        if (r < 0)
            uv_loop_close(&loop);
    }
    if (r < 0) {
        t->exit_code = 1;
        t->error = err ? err : strdup(uv_strerror(r));
        /* no room in the memory budget for its isolate: the budget ended it
         * (ERR_WORKER_OUT_OF_MEMORY), as one that fills it later */
        if (r == -ENOMEM)
            t->limit = VM_LIMIT_MEMORY;
    } else {
        uv_async_t stop;
        bool stop_ok = uv_async_init(&loop, &stop, on_stop) == 0;
        if (stop_ok)
            uv_unref((uv_handle_t *)&stop);
        pthread_mutex_lock(&t->mu);
        t->rt = rt;
        t->stop = stop_ok ? &stop : NULL;
        if (t->stop_asked)
            br_rt_terminate(rt, VM_LIMIT_EXIT);
        pthread_mutex_unlock(&t->mu);
        int status = br_rt_run(rt);
        pthread_mutex_lock(&t->mu);
        t->rt = NULL;
        t->stop = NULL;
        bool asked = t->stop_asked;
        pthread_mutex_unlock(&t->mu);
        t->limit = br_rt_limit(rt);
        /* terminate() ends a worker with 1, unless it had ended itself */
        t->exit_code = asked && !rt->exiting ? 1 : status;
        if (stop_ok)
            uv_close((uv_handle_t *)&stop, stop_closed);
        if (t->track_fds)
            br__fds_close_own(rt);
        br_rt_free(rt);
        uv_run(&loop, UV_RUN_NOWAIT);
        uv_loop_close(&loop);
    }
    pthread_mutex_lock(&t->mu);
    t->gone = true;
    if (t->done)
        uv_async_send(&t->done->a);
    pthread_mutex_unlock(&t->mu);
    thread_unref(t);
    return NULL;
}

static void thread_join(wk_thread_t *t)
{
    if (t->started && !t->joined) {
        pthread_join(t->tid, NULL);
        t->joined = true;
    }
}

/* The record leaves its parent: its wake-up handle closes. */
static void thread_detach(wk_thread_t *t)
{
    br_rt_t *rt = t->parent;
    for (wk_thread_t **pp = &rt->workers; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    pthread_mutex_lock(&t->mu);
    wk_wake_t *w = t->done;
    t->done = NULL;
    pthread_mutex_unlock(&t->mu);
    if (w) {
        w->a.data = NULL;
        uv_close((uv_handle_t *)&w->a, wake_closed);
    }
    vm_ref_free(rt->vm, t->on_exit);
    t->on_exit = 0;
}

static void on_done(uv_async_t *a)
{
    wk_thread_t *t = a->data;
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    bool gone = t->gone;
    pthread_mutex_unlock(&t->mu);
    if (!gone)
        return;
    thread_join(t);
    br_rt_t *rt = t->parent;
    vm_ref_t fn = t->on_exit;
    t->on_exit = 0;
    thread_detach(t);
    if (fn && !rt->closing && vm_limit(rt->vm) == VM_LIMIT_NONE) {
        const char *lim = t->limit == VM_LIMIT_MEMORY ? "memory" : "";
        vm_val_t args[3] = {VM_NUM(t->exit_code), VM_STR(lim, strlen(lim)),
                            t->error ? VM_STR(t->error, strlen(t->error)) : VM_UNDEF};
        br__invoke(rt, fn, 3, args, NULL);
    }
    if (fn)
        vm_ref_free(rt->vm, fn);
}

static void thread_terminate(wk_thread_t *t)
{
    pthread_mutex_lock(&t->mu);
    t->stop_asked = true;
    if (t->rt)
        br_rt_terminate(t->rt, VM_LIMIT_EXIT);
    if (t->stop)
        uv_async_send(t->stop);
    pthread_mutex_unlock(&t->mu);
}

static void thread_handle_free(void *p)
{
    wk_thread_t *t = p;
    /* only collected once it ended and was reported, or with its runtime */
    thread_unref(t);
}
static const vm_handle_type_t thread_type = {"Worker", thread_handle_free};

void br__workers_close(br_rt_t *rt)
{
    for (wk_thread_t *t = rt->workers; t; t = t->next)
        thread_terminate(t);
    while (rt->workers) {
        wk_thread_t *t = rt->workers;
        thread_join(t);
        thread_detach(t);
    }
    while (rt->ports)
        port_stop(rt->ports);
    free(rt->port_pending);
    rt->port_pending = NULL;
}

/* A limit argument in MB: 0 when absent, else a positive finite number. */
static size_t limit_mb(vm_call_t *c, int i)
{
    if (vm_arg_type(c, i) != VM_T_NUMBER)
        return 0;
    double v = vm_arg_num(c, i);
    if (!(v > 0) || v > 1 << 20)
        return 0;
    return v < 1 ? 1 : (size_t)v;
}

/* reserveThreadId() -> the id the next spawn() is to take (a worker's
 * inbox is named before its first message is made). */
static void worker_reserve_thread_id(vm_call_t *c)
{
    vm_ret_num(c, (double)atomic_fetch_add(&next_thread_id, 1));
}

/* What a worker needs of the memory budget to start (its snapshot heap) */
#define WK_START_ROOM ((size_t)8 << 20)

/* spawn(script, evalCode, init, transferList, maxOld, maxYoung, stackMb,
 *       onExit(code, limit, error), threadId, trackUnmanagedFds) -> handle
 * script: the main module's path, or null with evalCode; init: the first
 * message the worker takes (bootstrap: its workerData, ports, options). */
static void worker_spawn(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (vm_arg_type(c, 7) != VM_T_FUNCTION ||
        (vm_arg_type(c, 0) != VM_T_STRING && vm_arg_type(c, 1) != VM_T_STRING)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "spawn(script, eval, ...)");
        return;
    }
    /* A worker's isolate comes from the snapshot (its heap and a few
     * backing stores): with less than that left of the memory budget it
     * is refused here, as an allocation that failed. */
    if (!vm_reserve(rt->vm, WK_START_ROOM)) {
        vm_throw_alloc_failed(c);
        return;
    }
    vm_release(rt->vm, WK_START_ROOM);
    wk_thread_t *t = calloc(1, sizeof *t);
    if (!t) {
        vm_throw_alloc_failed(c);
        return;
    }
    pthread_mutex_init(&t->mu, NULL);
    t->refs = 1;
    t->parent = rt;
    if (vm_arg_type(c, 0) == VM_T_STRING)
        t->script = vm_arg_str(c, 0, NULL);
    else
        t->eval = vm_arg_str(c, 1, NULL);
    if (!t->script && !t->eval) {
        thread_unref(t);
        return;
    }
    t->init = vm_arg_message(c, 2, 3, &port_type);
    if (!t->init) {
        thread_unref(t);
        return;
    }
    message_moved(t->init);
    t->old_mb = limit_mb(c, 4);
    t->young_mb = limit_mb(c, 5);
    t->stack_mb = limit_mb(c, 6);
    if (!t->stack_mb)
        t->stack_mb = 4;
    if (t->stack_mb > 256)
        t->stack_mb = 256;
    t->track_fds = vm_arg_type(c, 9) != VM_T_BOOL || vm_arg_bool(c, 9);
    double tid = vm_arg_num(c, 8);
    t->thread_id =
        tid >= 1 && tid < 4294967295.0 ? (unsigned)tid : atomic_fetch_add(&next_thread_id, 1);
    t->cfg = *rt->cfg;
    t->cfg.script = t->script;
    t->cfg.eval = t->eval;
    t->cfg.source = NULL;
    t->cfg.filename = NULL;
    t->cfg.args = NULL;
    t->cfg.nargs = 0;
    t->cfg.thread_id = t->thread_id;
    t->cfg.shell.on = false;
    /* a fork()ed guest's channel is its main thread's; -p and a program on
     * stdin are the main module's */
    t->cfg.ipc = false;
    t->cfg.ipc_fd = -1;
    t->cfg.print = false;
    t->cfg.input_module = false;
    t->cfg.stdin_script = false;
    t->cfg.tty.resize = false;
    /* netd's channels are the main runtime's: a worker's requests are
     * refused (net.c says so) */
    t->cfg.net_fd = -1;
    t->cfg.net_sync_fd = -1;
    wk_wake_t *w = calloc(1, sizeof *w);
    if (!w || uv_async_init(rt->loop, &w->a, on_done) < 0) {
        free(w);
        thread_unref(t);
        vm_throwf(c, "Error", "ERR_WORKER_INIT_FAILED", "cannot set up the worker");
        return;
    }
    w->rt = rt;
    w->a.data = t;
    rt->handles_open++;
    t->done = w;
    t->on_exit = vm_arg_ref(c, 7);
    t->next = rt->workers;
    rt->workers = t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, (t->stack_mb + 2) << 20);
    t->refs++; /* the thread's */
    int r = pthread_create(&t->tid, &attr, thread_main, t);
    pthread_attr_destroy(&attr);
    if (r != 0) {
        t->refs--;
        thread_detach(t);
        thread_unref(t);
        vm_throwf(c, "Error", "ERR_WORKER_INIT_FAILED", "cannot start a thread: %s", strerror(r));
        return;
    }
    t->started = true;
    t->refs++; /* the handle's */
    vm_ret_handle(c, &thread_type, t);
    thread_unref(t); /* spawn's own */
}

/* terminate(handle) */
static void worker_terminate(vm_call_t *c)
{
    wk_thread_t *t = vm_arg_handle(c, 0, &thread_type);
    if (t)
        thread_terminate(t);
}

/* ref(handle, on): whether the worker keeps its parent's loop alive. */
static void worker_ref(vm_call_t *c)
{
    wk_thread_t *t = vm_arg_handle(c, 0, &thread_type);
    if (!t || !t->done)
        return;
    wake_ref(t->done, vm_arg_bool(c, 1));
}

/* hasRef(handle) */
static void worker_has_ref(vm_call_t *c)
{
    wk_thread_t *t = vm_arg_handle(c, 0, &thread_type);
    vm_ret_bool(c, t && wake_has_ref(t->done));
}

/* threadId(handle) */
static void worker_thread_id(vm_call_t *c)
{
    wk_thread_t *t = vm_arg_handle(c, 0, &thread_type);
    vm_ret_num(c, t ? (double)t->thread_id : -1.0);
}

/* init() in a worker: its first message, [value, ports...], once. */
static void worker_init(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    wk_thread_t *t = rt->self;
    if (!t || !t->init) {
        vm_ret_undefined(c);
        return;
    }
    vm_msg_t *m = t->init;
    t->init = NULL;
    vm_ret_message(c, m);
}

/* resourceLimits() in a worker: [maxOld, maxYoung, codeRange, stack] (MB) */
static void worker_resource_limits(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    wk_thread_t *t = rt->self;
    double v[4] = {-1, -1, -1, -1};
    if (t) {
        v[0] = (double)(t->old_mb ? t->old_mb : rt->cfg->heap_limit_mb);
        v[1] = (double)(t->young_mb ? t->young_mb : VM_YOUNG_GEN_MB);
        v[2] = 0;
        v[3] = (double)t->stack_mb;
    }
    vm_ret_f64(c, v, 4);
}

static const vm_native_t natives[] = {
    {"channel", worker_channel, 0, VM_NATIVE_PURE},
    {"channelPeer", worker_channel_peer, 0, VM_NATIVE_PURE},
    {"portPost", worker_port_post, 3, VM_NATIVE_PURE},
    {"portReceive", worker_port_receive, 1, VM_NATIVE_PURE},
    {"portStart", worker_port_start, 2, VM_NATIVE_PURE},
    {"portStop", worker_port_stop, 1, VM_NATIVE_PURE},
    {"portResume", worker_port_resume, 2, VM_NATIVE_PURE},
    {"portRef", worker_port_ref, 2, VM_NATIVE_PURE},
    {"portHasRef", worker_port_has_ref, 1, VM_NATIVE_PURE},
    {"portClose", worker_port_close, 1, VM_NATIVE_PURE},
    {"portDrained", worker_port_drained, 1, VM_NATIVE_PURE},
    {"portHeadSeq", worker_port_head_seq, 1, VM_NATIVE_PURE},
    {"isPort", worker_is_port, 1, VM_NATIVE_PURE},
    {"broadcastJoin", worker_broadcast_join, 2, VM_NATIVE_PURE},
    {"broadcastLeave", worker_broadcast_leave, 1, VM_NATIVE_PURE},
    {"broadcastPost", worker_broadcast_post, 2, VM_NATIVE_PURE},
    {"inboxName", worker_inbox_name, 2, VM_NATIVE_PURE},
    {"sharedEnvInit", worker_shared_env_init, 0, VM_NATIVE_PURE},
    {"sharedEnvGet", worker_shared_env_get, 1, VM_NATIVE_PURE},
    {"sharedEnvSet", worker_shared_env_set, 2, VM_NATIVE_PURE},
    {"sharedEnvDelete", worker_shared_env_delete, 1, VM_NATIVE_PURE},
    {"sharedEnvKeys", worker_shared_env_keys, 0, VM_NATIVE_PURE},
    {"inboxPost", worker_inbox_post, 3, VM_NATIVE_PURE},
    {"spawn", worker_spawn, 10, VM_NATIVE_PURE},
    {"reserveThreadId", worker_reserve_thread_id, 0, VM_NATIVE_PURE},
    {"terminate", worker_terminate, 1, VM_NATIVE_PURE},
    {"ref", worker_ref, 2, VM_NATIVE_PURE},
    {"threadId", worker_thread_id, 1, VM_NATIVE_PURE},
    {"hasRef", worker_has_ref, 1, VM_NATIVE_PURE},
    {"init", worker_init, 0, VM_NATIVE_PURE},
    {"resourceLimits", worker_resource_limits, 0, VM_NATIVE_PURE},
};
const vm_table_t br__worker_table = {"worker", natives, sizeof natives / sizeof natives[0]};

size_t br__worker_stack_kb(const wk_thread_t *t)
{
    return t->stack_mb << 10;
}

size_t br__worker_old_mb(const wk_thread_t *t)
{
    return t->old_mb;
}

size_t br__worker_young_mb(const wk_thread_t *t)
{
    return t->young_mb;
}
