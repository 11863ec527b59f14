/*
 * bridge/shell.c — the guest's side of the operator shell (launcher/shell.c).
 *
 * In a shell run the guest evaluates what the supervisor sends instead of a
 * main module. Two channels from the supervisor (config shell.ctl_fd and
 * shell.intr_fd):
 *
 * - ctl, a socket: one JSON object per line each way. The loop reads the
 *   supervisor's lines and hands each to JS (js/node/internal/shell/repl.js);
 *   JS answers with send(). While it is open the run goes on, as a REPL's
 *   input keeps Node's alive.
 * - intr, a pipe: each byte is the operator's Ctrl-C. A thread waits on it
 *   (the JS thread may be busy in `for (;;) {}`): it stops the statement
 *   being run (vm_interrupt: only one the shell runs, never the run) and
 *   wakes the loop, which tells JS (a statement waiting on a promise is
 *   given up there).
 *
 * outputBytes() is how many bytes the guest has written to its stdout and
 * stderr (process.write): the supervisor shows the next prompt once it has
 * relayed that many, so a statement's output comes before it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define LINE_MAX_BYTES (16u << 20) /* the longest line from the supervisor */

struct br_shell {
    br_rt_t *rt;
    uv_pipe_t ctl;
    uv_async_t wake;
    vm_ref_t on_message, on_interrupt;
    char *buf;
    size_t len, cap;
    int open_handles;
    bool attached;               /* a serve job's channel (unref): its writes never wait long */
    _Atomic unsigned interrupts; /* Ctrl-Cs the loop has not told JS of */
};

/* What the interrupt thread reaches: NULL once the run is being freed. */
static pthread_mutex_t intr_mu = PTHREAD_MUTEX_INITIALIZER;
static br_shell_t *intr_shell;

static void *intr_main(void *arg)
{
    int fd = (int)(intptr_t)arg;
    for (;;) {
        char b[16];
        ssize_t n = read(fd, b, sizeof b);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pthread_mutex_lock(&intr_mu);
        if (intr_shell) {
            vm_interrupt(intr_shell->rt->vm);
            atomic_fetch_add(&intr_shell->interrupts, 1);
            uv_async_send(&intr_shell->wake);
        }
        pthread_mutex_unlock(&intr_mu);
    }
    close(fd);
    return NULL;
}

static void on_wake(uv_async_t *a)
{
    br_shell_t *sh = a->data;
    br_rt_t *rt = sh->rt;
    if (vm_limit(rt->vm) != VM_LIMIT_NONE) { /* a limit: the run ends */
        uv_stop(rt->loop);
        return;
    }
    if (!atomic_exchange(&sh->interrupts, 0) || !sh->on_interrupt || rt->closing)
        return;
    br__invoke(rt, sh->on_interrupt, 0, NULL, NULL);
}

static void shell_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    br_shell_t *sh = h->data;
    if (sh->cap - sh->len < 65536) {
        size_t cap = sh->cap ? sh->cap * 2 : 65536;
        char *p = cap <= LINE_MAX_BYTES + 65536 ? realloc(sh->buf, cap) : NULL;
        if (!p) {
            *b = uv_buf_init(NULL, 0);
            return;
        }
        sh->buf = p;
        sh->cap = cap;
    }
    *b = uv_buf_init(sh->buf + sh->len, (unsigned)(sh->cap - sh->len));
}

static void handle_closed(uv_handle_t *h)
{
    br_shell_t *sh = h->data;
    br_rt_t *rt = sh->rt;
    rt->handles_open--;
    if (--sh->open_handles == 0) {
        vm_ref_free(rt->vm, sh->on_message);
        vm_ref_free(rt->vm, sh->on_interrupt);
        free(sh->buf);
        free(sh);
    }
}

void br__shell_close(br_rt_t *rt)
{
    br_shell_t *sh = rt->shell;
    if (!sh)
        return;
    rt->shell = NULL;
    pthread_mutex_lock(&intr_mu);
    intr_shell = NULL;
    pthread_mutex_unlock(&intr_mu);
    uv_close((uv_handle_t *)&sh->ctl, handle_closed);
    uv_close((uv_handle_t *)&sh->wake, handle_closed);
}

static void shell_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    br_shell_t *sh = s->data;
    br_rt_t *rt = sh->rt;
    if (n == 0)
        return;
    if (n < 0) { /* the supervisor is gone, or a line too long: the shell ends */
        uv_read_stop(s);
        br__shell_close(rt);
        return;
    }
    sh->len += (size_t)n;
    size_t start = 0;
    for (;;) {
        char *nl = memchr(sh->buf + start, '\n', sh->len - start);
        if (!nl)
            break;
        size_t ll = (size_t)(nl - (sh->buf + start));
        if (vm_limit(rt->vm) != VM_LIMIT_NONE) { /* a limit: the run ends */
            uv_stop(rt->loop);
            return;
        }
        if (!rt->closing && sh->on_message) {
            vm_val_t arg = VM_STR(sh->buf + start, ll);
            br__invoke(rt, sh->on_message, 1, &arg, NULL);
        }
        if (!rt->shell) /* closed by what the line did */
            return;
        start += ll + 1;
    }
    memmove(sh->buf, sh->buf + start, sh->len - start);
    sh->len -= start;
    if (sh->len > LINE_MAX_BYTES) {
        uv_read_stop(s);
        br__shell_close(rt);
    }
}

/* open(onMessage(line), onInterrupt(), unref): starts taking the
 * supervisor's lines and Ctrl-Cs; false when this run is no shell. With
 * unref (a serve job's channel, for a shell that may attach) the channel
 * does not keep the run alive. */
static void shell_open(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (vm_arg_type(c, 0) != VM_T_FUNCTION || vm_arg_type(c, 1) != VM_T_FUNCTION) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "open(onMessage, onInterrupt)");
        return;
    }
    const br_config_t *cfg = rt->cfg;
    if (rt->shell || !cfg->shell.on || cfg->shell.ctl_fd < 3) {
        vm_ret_bool(c, false);
        return;
    }
    br_shell_t *sh = calloc(1, sizeof *sh);
    if (!sh || uv_pipe_init(rt->loop, &sh->ctl, 0) < 0) {
        free(sh);
        vm_ret_bool(c, false);
        return;
    }
    sh->rt = rt;
    sh->ctl.data = sh;
    sh->open_handles = 1;
    rt->handles_open++;
    rt->shell = sh;
    if (uv_async_init(rt->loop, &sh->wake, on_wake) == 0) {
        sh->wake.data = sh;
        sh->open_handles++;
        rt->handles_open++;
        uv_unref((uv_handle_t *)&sh->wake);
    } else {
        br__shell_close(rt);
        vm_ret_bool(c, false);
        return;
    }
    sh->on_message = vm_arg_ref(c, 0);
    sh->on_interrupt = vm_arg_ref(c, 1);
    if (uv_pipe_open(&sh->ctl, cfg->shell.ctl_fd) < 0 ||
        uv_read_start((uv_stream_t *)&sh->ctl, shell_alloc, shell_read) < 0) {
        br__shell_close(rt);
        vm_ret_bool(c, false);
        return;
    }
    if (vm_arg_bool(c, 2)) {
        sh->attached = true;
        uv_unref((uv_handle_t *)&sh->ctl);
    }
    pthread_mutex_lock(&intr_mu);
    intr_shell = sh;
    pthread_mutex_unlock(&intr_mu);
    pthread_t t;
    if (cfg->shell.intr_fd >= 3 &&
        pthread_create(&t, NULL, intr_main, (void *)(intptr_t)cfg->shell.intr_fd) == 0)
        pthread_detach(t);
    vm_ret_bool(c, true);
}

/* Writes all of p to the non-blocking fd within ms: false on an error or
 * when the time passes. */
static bool write_within(int fd, const char *p, size_t n, int ms)
{
    uint64_t until = uv_hrtime() + (uint64_t)ms * 1000000u;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN)
            return false;
        uint64_t now = uv_hrtime();
        if (now >= until)
            return false;
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        (void)poll(&pf, 1, (int)((until - now) / 1000000u) + 1);
    }
    return true;
}

/* send(line): one line to the supervisor (blocking: lines are short and
 * the supervisor reads each at once). false when it is gone. */
static void shell_send(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    size_t n;
    char *s = vm_arg_str(c, 0, &n);
    if (!s)
        return;
    bool ok = false;
    if (rt->shell && !memchr(s, '\n', n)) {
        int fd = rt->cfg->shell.ctl_fd;
        if (rt->shell->attached) {
            /* a job's own run must not wait on an operator who does not
             * read: 2 s for the line, then the channel is given up */
            ok = write_within(fd, s, n, 2000) && write_within(fd, "\n", 1, 2000);
            if (!ok)
                br__shell_close(rt);
        } else {
            ok = br__write_all(fd, (const uint8_t *)s, n) == (ssize_t)n &&
                 br__write_all(fd, (const uint8_t *)"\n", 1) == 1;
        }
    }
    free(s);
    vm_ret_bool(c, ok);
}

/* outputBytes(): bytes written to stdout and stderr so far. */
static void shell_output_bytes(vm_call_t *c)
{
    vm_ret_num(c, (double)br__rt(c)->stdio_bytes);
}

static const vm_native_t natives[] = {
    {"open", shell_open, 3, VM_NATIVE_PURE},
    {"send", shell_send, 1, VM_NATIVE_PURE},
    {"outputBytes", shell_output_bytes, 0, VM_NATIVE_PURE},
};

const vm_table_t br__shell_table = {"shell", natives, sizeof natives / sizeof natives[0]};
