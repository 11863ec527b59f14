/*
 * bridge/signal.c — signals as Node delivers them, and the terminal's size.
 *
 * The guest is pid 1 of its pid namespace: the kernel drops any signal
 * whose action is the default there, so Node's default actions are
 * played here. SIGINT, SIGTERM and SIGHUP (what the supervisor passes on
 * from the launcher, through the middle process) get a handler for the
 * whole run: with a JS listener ('SIGINT' on process) the signal is queued
 * for the loop, which emits it; without one the process ends at once as
 * if killed by it — status 128 + N, no 'exit' event, even inside a busy
 * loop. The launcher keeps the three blocked until this file's handler is
 * installed, so none sent during start-up is lost. process.kill() of the
 * guest's own pid goes the same way for every signal (a real one would be
 * dropped for pid 1): a listener gets it, else Node's default — the
 * terminating ones end the run with 128 + N, the ignored and stopping ones
 * do nothing. The pid of a child it spawned or of one of their
 * descendants (child.c) is passed to kill(2); any other pid is ESRCH, a
 * process group or -1 EPERM (the pid
 * namespace and Landlock's scoping refuse anything outside as well).
 *
 * The handler's state is process-wide (a handler has nothing else to
 * reach): which signals have listeners and which wait for the loop, each
 * delivery once and in order; the loop is woken with uv_async_send,
 * which is async-signal-safe.
 *
 * The terminal's size: when the host's stdout or stderr is a terminal, the
 * supervisor writes the window size (two native-endian uint16: columns,
 * rows) on a pipe whose read end the guest keeps (config resize_fd) each
 * time the host's window changes; JS gets each new size (process.stdout's
 * 'resize', process 'SIGWINCH'). The guest never holds the terminal.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define SIG_COUNT 65

/* What the handler reads: set from JS (listen) and by the handler. */
static volatile sig_atomic_t listening[SIG_COUNT];
static uv_async_t *volatile wake; /* the runtime's, NULL outside a run */

/* Signals for the loop, in the order they came (as Node's signal pipe
 * keeps them): handlers on any thread claim a slot (lock-free atomics),
 * the loop's thread empties it. A slot still 0 is claimed, not yet
 * written: the loop stops there and its writer wakes it again. */
#define RING 128
static volatile sig_atomic_t ring[RING];
static _Atomic unsigned ring_w, ring_r;

static void ring_put(int sig)
{
    unsigned w = atomic_load(&ring_w);
    do {
        if (w - atomic_load(&ring_r) >= RING)
            return; /* 128 unread: the loop is stuck, as Node's pipe would be full */
    } while (!atomic_compare_exchange_weak(&ring_w, &w, w + 1));
    ring[w % RING] = sig;
}

/* The signals passed on from outside: handled for the whole run. */
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP};

/* Node's default action, played here (pid 1 has none): true when it ends
 * the process. */
static bool ends_process(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGCONT:
    case SIGURG:
    case SIGWINCH:
    case SIGSTOP: /* the guest cannot be stopped from inside */
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
    case SIGPIPE: /* Node ignores these two */
    case SIGXFSZ:
    case SIGUSR1: /* Node starts its inspector; there is none here */
        return false;
    default:
        return true;
    }
}

/* Async-signal-safe: a listener's signal waits for the loop, else the
 * default action. */
static void deliver(int sig)
{
    if (sig <= 0 || sig >= SIG_COUNT)
        return;
    if (sig == SIGINT && vm_sigint_break()) /* a vm run with breakOnSigint */
        return;
    if (listening[sig] && wake) {
        ring_put(sig);
        uv_async_send(wake);
        return;
    }
    if (!ends_process(sig))
        return;
    /* a process that is not pid 1 (a nested guest) dies of the signal
     * itself, as node does: its parent sees the signal, not 128 + N */
    if (getpid() != 1) {
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        sigemptyset(&dfl.sa_mask);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        sigaction(sig, &dfl, NULL);
        sigprocmask(SIG_UNBLOCK, &one, NULL);
        raise(sig);
    }
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    int saved = errno;
    deliver(sig);
    errno = saved;
}

static void on_wake(uv_async_t *a)
{
    br_rt_t *rt = a->data;
    unsigned r = atomic_load(&ring_r);
    while (r != atomic_load(&ring_w)) {
        int sig = ring[r % RING];
        if (sig == 0)
            break;
        ring[r % RING] = 0;
        atomic_store(&ring_r, ++r);
        if (!rt->signal_cb || rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE)
            continue;
        vm_val_t arg = VM_NUM(sig);
        br__invoke(rt, rt->signal_cb, 1, &arg, NULL);
    }
}

static void on_closed(uv_handle_t *h)
{
    br_rt_t *rt = h->data;
    rt->handles_open--;
    if (h == (uv_handle_t *)rt->resize_pipe) {
        free(h);
        rt->resize_pipe = NULL;
    }
}

int br__signals_init(br_rt_t *rt)
{
    int r = uv_async_init(rt->loop, &rt->signal_async, on_wake);
    if (r < 0)
        return r;
    rt->signal_async.data = rt;
    rt->handles_open++;
    uv_unref((uv_handle_t *)&rt->signal_async); /* a listener keeps nothing alive */
    wake = &rt->signal_async;
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigfillset(&sa.sa_mask);
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
        if (sigaction(forwarded[i], &sa, NULL) < 0)
            return -errno;
        sigaddset(&set, forwarded[i]);
    }
    /* what arrived while start-up held them back is delivered now */
    return -pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void br__signals_close(br_rt_t *rt)
{
    wake = NULL;
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
        signal(forwarded[i], SIG_DFL);
    for (int sig = 0; sig < SIG_COUNT; sig++)
        listening[sig] = 0;
    for (int i = 0; i < RING; i++)
        ring[i] = 0;
    atomic_store(&ring_w, 0);
    atomic_store(&ring_r, 0);
    uv_handle_t *hs[] = {(uv_handle_t *)&rt->signal_async, (uv_handle_t *)rt->resize_pipe};
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        if (hs[i] && hs[i]->loop && !uv_is_closing(hs[i]))
            uv_close(hs[i], on_closed);
}

/* ---- natives ----------------------------------------------------------- */

/* Keeps argument 0, a function, in *slot (freeing the one it held); false
 * with a TypeError naming usage when it is no function. */
static bool keep_callback(vm_call_t *c, vm_ref_t *slot, const char *usage)
{
    br_rt_t *rt = br__rt(c);
    if (vm_arg_type(c, 0) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "%s", usage);
        return false;
    }
    vm_ref_free(rt->vm, *slot);
    *slot = vm_arg_ref(c, 0);
    return true;
}

/* setHandler(fn(signum)): what the loop calls for a listened signal. */
static void signal_set_handler(vm_call_t *c)
{
    keep_callback(c, &br__rt(c)->signal_cb, "setHandler(fn)");
}

/* listen(signum, on): whether process has listeners for signum. */
static void signal_listen(vm_call_t *c)
{
    int64_t sig = vm_arg_int(c, 0);
    if (sig <= 0 || sig >= SIG_COUNT) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "no signal %lld", (long long)sig);
        return;
    }
    if (br__rt(c)->self) /* a worker's listeners hear nothing, as in Node */
        return;
    listening[sig] = vm_arg_bool(c, 1) ? 1 : 0;
}

/* kill(pid, signum) -> 0 or -errno. The guest's own pid is played here as
 * Node's process would take it; a child it spawned or another descendant
 * gets the signal; any other pid is ESRCH, a process group (0, -pgid) and
 * -1 EPERM. */
static void signal_kill(vm_call_t *c)
{
    int64_t pid = vm_arg_int(c, 0);
    int64_t sig = vm_arg_int(c, 1);
    if (sig < 0 || sig >= SIG_COUNT) {
        vm_ret_num(c, -EINVAL);
        return;
    }
    if (pid == getpid()) {
        deliver((int)sig); /* 0 only asks whether the process exists */
        vm_ret_num(c, 0);
        return;
    }
    if (pid > INT32_MAX) {
        vm_ret_num(c, -ESRCH);
        return;
    }
    /* its own children and their descendants only (child.c); every other
     * pid of the sandbox, a group and -1 are refused */
    if (!br__child_owned((long)pid)) {
        vm_ret_num(c, pid > 0 ? -ESRCH : -EPERM);
        return;
    }
    vm_ret_num(c, kill((pid_t)pid, (int)sig) < 0 ? -errno : 0);
}

/* ---- the terminal's size ------------------------------------------------- */

static void resize_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    br_rt_t *rt = h->data;
    *b = uv_buf_init((char *)rt->resize_buf + rt->resize_have,
                     (unsigned)(sizeof rt->resize_buf - rt->resize_have));
}

static void resize_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    br_rt_t *rt = s->data;
    if (n < 0) {
        uv_read_stop(s);
        return;
    }
    rt->resize_have += (size_t)n;
    size_t whole = rt->resize_have / 4 * 4;
    if (whole == 0)
        return;
    /* only the newest size matters */
    uint16_t cr[2];
    memcpy(cr, rt->resize_buf + whole - 4, sizeof cr);
    memmove(rt->resize_buf, rt->resize_buf + whole, rt->resize_have - whole);
    rt->resize_have -= whole;
    if (!rt->resize_cb || rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE)
        return;
    vm_val_t args[2] = {VM_NUM(cr[0]), VM_NUM(cr[1])};
    br__invoke(rt, rt->resize_cb, 2, args, NULL);
}

/* watchResize(fn(columns, rows)): the terminal's new size, each time the
 * host's window changes (nothing when no stdio of the run is a terminal). */
static void signal_watch_resize(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (!keep_callback(c, &rt->resize_cb, "watchResize(fn)"))
        return;
    if (rt->resize_pipe || !rt->cfg->tty.resize || rt->cfg->tty.resize_fd < 0)
        return;
    uv_pipe_t *p = calloc(1, sizeof *p);
    if (!p)
        return;
    if (uv_pipe_init(rt->loop, p, 0) < 0) {
        free(p);
        return;
    }
    p->data = rt;
    rt->resize_pipe = p;
    rt->handles_open++;
    if (uv_pipe_open(p, rt->cfg->tty.resize_fd) < 0 ||
        uv_read_start((uv_stream_t *)p, resize_alloc, resize_read) < 0) {
        uv_close((uv_handle_t *)p, on_closed);
        return;
    }
    uv_unref((uv_handle_t *)p); /* the window never keeps a run alive */
}

static const vm_native_t natives[] = {
    {"setHandler", signal_set_handler, 1, VM_NATIVE_PURE},
    {"listen", signal_listen, 2, VM_NATIVE_PURE},
    {"kill", signal_kill, 2, VM_NATIVE_PURE},
    {"watchResize", signal_watch_resize, 1, VM_NATIVE_PURE},
};
const vm_table_t br__signal_table = {"signal", natives, sizeof natives / sizeof natives[0]};
