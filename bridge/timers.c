/*
 * bridge/timers.c — the loop side of setTimeout/setInterval/setImmediate.
 *
 * As in Node, JS keeps every timer in its own lists and C owns exactly one
 * uv timer: JS asks for the earliest expiry with timers.schedule(ms), and
 * when it fires C calls processTimers(now), which runs what is due and
 * returns the next expiry (0: none; negative: only unref'd timers remain).
 * Immediates run from a uv check handle (after poll); an idle handle is
 * active while ref'd immediates wait, so poll does not block and the loop
 * stays alive for them. The check and prepare handles are unref'd: they
 * never keep the process alive by themselves.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

static void on_close(uv_handle_t *h)
{
    br_rt_t *rt = h->data;
    rt->handles_open--;
}

static void on_timer(uv_timer_t *t);

static void arm(br_rt_t *rt, double next)
{
    if (next == 0 || isnan(next)) {
        uv_timer_stop(&rt->timer);
        return;
    }
    double when = fabs(next);
    double now = (double)uv_now(rt->loop);
    /* A fractional expiry (setTimeout(fn, 1.1)) rounds up: a delay of 0
     * from inside the timer's callback would run it again at the same loop
     * time, forever (libuv runs due timers until none is). */
    uint64_t delay = when > now ? (uint64_t)ceil(when - now) : 1;
    uv_timer_start(&rt->timer, on_timer, delay, 0);
    if (next > 0)
        uv_ref((uv_handle_t *)&rt->timer);
    else
        uv_unref((uv_handle_t *)&rt->timer);
}

/* Arms the uv timer for processTimers' answer, before the ticks run. */
static void rearm(br_rt_t *rt, vm_ref_t next)
{
    double n = vm_ref_number(rt->vm, next, 0);
    if (n != 0)
        arm(rt, n);
}

static void on_timer(uv_timer_t *t)
{
    br_rt_t *rt = t->data;
    /* A timer that threw into a handled 'uncaughtException' interrupted
     * processTimers: call it again for the rest (Node does the same). */
    for (;;) {
        vm_val_t now = VM_NUM(uv_now(rt->loop));
        if (br__invoke_then(rt, rt->hooks[BR_HOOK_TIMERS], 1, &now, rearm) != BR_HANDLED)
            break;
    }
}

static void on_check(uv_check_t *h)
{
    br_rt_t *rt = h->data;
    while (br__invoke(rt, rt->hooks[BR_HOOK_IMMEDIATES], 0, NULL, NULL) == BR_HANDLED) {
    }
}

static void on_idle(uv_idle_t *h)
{
    (void)h;
}

static void on_wake(uv_async_t *h)
{
    br__run_tasks(h->data);
}

/* from any thread: V8 posted a task for this runtime's isolate */
static void wake(void *arg)
{
    uv_async_send(arg);
}

static void on_prepare(uv_prepare_t *h)
{
    br_rt_t *rt = h->data;
    vm_pump(rt->vm);
    /* a limit reached outside any call (a collection here, or one that
     * came between two calls) ends the run as one inside a call does */
    if (vm_limit(rt->vm) != VM_LIMIT_NONE)
        uv_stop(rt->loop);
}

int br__timers_init(br_rt_t *rt)
{
    int r;
    if ((r = uv_timer_init(rt->loop, &rt->timer)) < 0)
        return r;
    rt->timer.data = rt;
    rt->handles_open++;
    if ((r = uv_check_init(rt->loop, &rt->immediate)) < 0)
        return r;
    rt->immediate.data = rt;
    rt->handles_open++;
    uv_unref((uv_handle_t *)&rt->immediate);
    if ((r = uv_idle_init(rt->loop, &rt->immediate_keepalive)) < 0)
        return r;
    rt->immediate_keepalive.data = rt;
    rt->handles_open++;
    if ((r = uv_prepare_init(rt->loop, &rt->pump)) < 0)
        return r;
    rt->pump.data = rt;
    rt->handles_open++;
    uv_prepare_start(&rt->pump, on_prepare);
    uv_unref((uv_handle_t *)&rt->pump);
    if ((r = uv_async_init(rt->loop, &rt->wake, on_wake)) < 0)
        return r;
    rt->wake.data = rt;
    rt->handles_open++;
    uv_unref((uv_handle_t *)&rt->wake);
    vm_set_wake(rt->vm, wake, &rt->wake);
    return 0;
}

void br__timers_close(br_rt_t *rt)
{
    if (rt->wake.loop)
        vm_set_wake(rt->vm, NULL, NULL);
    uv_handle_t *hs[] = {(uv_handle_t *)&rt->timer, (uv_handle_t *)&rt->immediate,
                         (uv_handle_t *)&rt->immediate_keepalive, (uv_handle_t *)&rt->pump,
                         (uv_handle_t *)&rt->wake};
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        if (hs[i]->loop && !uv_is_closing(hs[i]))
            uv_close(hs[i], on_close);
}

/* ---- natives ----------------------------------------------------------- */

/* schedule(ms): (re)arm the timer for ms from now, ref'd. */
static void timers_schedule(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    double ms = vm_arg_num(c, 0);
    if (!(ms >= 1))
        ms = 1;
    uv_timer_start(&rt->timer, on_timer, (uint64_t)ms, 0);
}

static void timers_toggle_ref(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (vm_arg_bool(c, 0))
        uv_ref((uv_handle_t *)&rt->timer);
    else
        uv_unref((uv_handle_t *)&rt->timer);
}

/* toggleImmediateRef(b): ref'd immediates are waiting (keep the loop alive). */
static void timers_toggle_immediate_ref(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (vm_arg_bool(c, 0))
        uv_idle_start(&rt->immediate_keepalive, on_idle);
    else
        uv_idle_stop(&rt->immediate_keepalive);
}

/* toggleImmediatePending(b): some immediates (ref'd or not) are queued. */
static void timers_toggle_immediate_pending(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (vm_arg_bool(c, 0))
        uv_check_start(&rt->immediate, on_check);
    else
        uv_check_stop(&rt->immediate);
}

/* now(): the loop's time in ms, the clock every timer is based on. Updated
 * first, as Node does: the cached value can be stale by the whole start-up
 * (or a long synchronous stretch), which would make fresh timers due at once. */
static void timers_now(vm_call_t *c)
{
    uv_loop_t *loop = br__rt(c)->loop;
    uv_update_time(loop);
    vm_ret_num(c, (double)uv_now(loop));
}

static const vm_native_t natives[] = {
    {"schedule", timers_schedule, 1, VM_NATIVE_PURE},
    {"toggleRef", timers_toggle_ref, 1, VM_NATIVE_PURE},
    {"toggleImmediateRef", timers_toggle_immediate_ref, 1, VM_NATIVE_PURE},
    {"toggleImmediatePending", timers_toggle_immediate_pending, 1, VM_NATIVE_PURE},
    {"now", timers_now, 0, VM_NATIVE_PURE},
};
const vm_table_t br__timers_table = {"timers", natives, sizeof natives / sizeof natives[0]};
