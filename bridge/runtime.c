/*
 * bridge/runtime.c — one guest run: the vm, the loop glue and exit status.
 *
 * Node's event-loop contract, reproduced here: the main module runs, then
 * the nextTick queue and microtasks drain; the loop then runs timers, I/O,
 * immediates, and after every callback into JS the ticks and microtasks
 * drain again (br__invoke). When nothing referenced is left, 'beforeExit' is
 * emitted (which may schedule more work), then 'exit'.
 *
 * An exception escaping JS goes to the bootstrap's fatal hook, which either
 * hands it to 'uncaughtException' listeners or prints it the way Node does
 * and exits with 1 through process.reallyExit. process.reallyExit terminates
 * V8 execution, so no guest try/catch can swallow an exit; after that no JS
 * runs again in this vm (the vm's limit reason is sticky).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../isolate/vm.h"
#include "bridge.h"
#include "internal.h"

_Static_assert(BRK_MIN_HEAP_MB >= VM_MIN_OLD_GEN_MB, "a run's least budget holds an isolate");

static const vm_table_t *const tables[] = {
    &vm_v8_table,
    &vm_task_table,
    &vm_json_table,
    &vm_esm_table,
    &br__task_table,
    &br__process_table,
    &br__timers_table,
    &br__module_table,
    &br__fs_table,
    &br__os_table,
    &br__crypto_table,
    &br__zlib_table,
    &br__signal_table,
    &br__http_table,
    &br__net_table,
    &vm_lazyjs_table,
    &br__dgram_table,
    &vm_buffer_table,
    &br__shell_table,
    &br__child_table,
    &br__worker_table,
    &vm_contextify_table,
    &vm_serdes_table,
    &br__watch_table,
    &br__crypto_cipher_table,
    &br__crypto_kex_table,
    &br__pkey_table,
    &br__tls_table,
};

const vm_table_t *const *br_tables(size_t *n)
{
    *n = sizeof tables / sizeof tables[0];
    return tables;
}

/* ---- a capped string builder for the start configuration -------------- */

typedef struct {
    char *p;
    size_t len, cap, max;
    bool failed;
} sbuf_t;

static void sb_add(sbuf_t *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p;
        if (cap > b->max || !(p = realloc(b->p, cap))) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf_t *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

/* A JSON string literal; NULL becomes null. Bytes >= 0x80 pass through
 * (the input is UTF-8 from argv; V8 replaces invalid sequences). */
static void sb_json(sbuf_t *b, const char *s)
{
    if (!s) {
        sb_str(b, "null");
        return;
    }
    sb_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            sb_add(b, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            sb_add(b, esc, 6);
        } else {
            sb_add(b, (const char *)p, 1);
        }
    }
    sb_add(b, "\"", 1);
}

/* The start function's argument; with prepare, serve's warm-up (br_rt_prepare). */
static char *config_json(const br_config_t *cfg, bool prepare)
{
    sbuf_t b = {.max = 64u << 20};
    sb_str(&b, "{\"execPath\":");
    sb_json(&b, cfg->exec_path);
    sb_str(&b, ",\"argv0\":");
    sb_json(&b, cfg->argv0 ? cfg->argv0 : "node");
    sb_str(&b, ",\"cwd\":");
    sb_json(&b, cfg->cwd);
    sb_str(&b, ",\"script\":");
    sb_json(&b, cfg->script);
    sb_str(&b, ",\"eval\":");
    sb_json(&b, cfg->eval);
    sb_str(&b, cfg->shell.on ? ",\"shell\":true" : ",\"shell\":false");
    char tid[32];
    snprintf(tid, sizeof tid, ",\"threadId\":%u", cfg->thread_id);
    sb_str(&b, tid);
    sb_str(&b, ",\"source\":");
    sb_json(&b, cfg->source);
    sb_str(&b, ",\"filename\":");
    sb_json(&b, cfg->filename);
    sb_str(&b, ",\"args\":[");
    for (size_t i = 0; i < cfg->nargs; i++) {
        if (i)
            sb_add(&b, ",", 1);
        sb_json(&b, cfg->args[i]);
    }
    sb_str(&b, "],\"preload\":[");
    for (size_t i = 0; i < cfg->npreload; i++) {
        if (i)
            sb_add(&b, ",", 1);
        sb_json(&b, cfg->preload[i]);
    }
    sb_str(&b, "],\"execArgv\":[");
    for (size_t i = 0; i < cfg->nexec_argv; i++) {
        if (i)
            sb_add(&b, ",", 1);
        sb_json(&b, cfg->exec_argv[i]);
    }
    sb_str(&b, cfg->print ? "],\"print\":true" : "],\"print\":false");
    sb_str(&b, cfg->input_module ? ",\"inputModule\":true" : ",\"inputModule\":false");
    sb_str(&b, cfg->stdin_script ? ",\"stdinScript\":true" : ",\"stdinScript\":false");
    sb_str(&b, ",\"env\":{");
    for (size_t i = 0; i < cfg->nenv; i++) {
        const char *kv = cfg->env[i];
        const char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        char name[256];
        size_t n = (size_t)(eq - kv);
        if (n == 0 || n >= sizeof name)
            continue;
        memcpy(name, kv, n);
        name[n] = '\0';
        if (i)
            sb_add(&b, ",", 1);
        sb_json(&b, name);
        sb_add(&b, ":", 1);
        sb_json(&b, eq + 1);
    }
    sb_str(&b, "},\"dnsServers\":");
    sb_json(&b, cfg->dns_servers ? cfg->dns_servers : "");
    char tty[192];
    snprintf(tty, sizeof tty,
             ",\"tty\":{\"stdout\":%s,\"stderr\":%s,\"columns\":%u,\"rows\":%u,"
             "\"colorDepth\":%d}",
             cfg->tty.stdout_tty ? "true" : "false", cfg->tty.stderr_tty ? "true" : "false",
             cfg->tty.columns, cfg->tty.rows, cfg->tty.color_depth);
    sb_str(&b, tty);
    sb_str(&b, prepare ? ",\"prepare\":true}" : "}");
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---- entering JS ------------------------------------------------------- */

static void end_run(br_rt_t *rt, int code)
{
    if (!rt->exiting) {
        rt->exiting = true;
        rt->exit_code = code;
    }
    vm_terminate(rt->vm, VM_LIMIT_EXIT);
}

/* An exception escaped into C. Returns VM_OK if a listener handled it. */
static int handle_fatal(br_rt_t *rt)
{
    vm_ref_t exc = 0;
    char *header = NULL;
    vm_take_exception(rt->vm, &exc, &header);
    if (!rt->hooks[BR_HOOK_FATAL]) {
        fprintf(stderr, "%suncaught exception during start-up\n", header ? header : "");
        free(header);
        vm_ref_free(rt->vm, exc);
        end_run(rt, 1);
        return VM_TERMINATED;
    }
    vm_val_t args[2] = {VM_REF(exc), header ? VM_STR(header, strlen(header)) : VM_UNDEF};
    vm_ref_t handled = 0;
    int st = vm_call(rt->vm, rt->hooks[BR_HOOK_FATAL], 2, args, &handled);
    free(header);
    vm_ref_free(rt->vm, exc);
    if (st == VM_OK && vm_ref_is_true(rt->vm, handled)) {
        vm_ref_free(rt->vm, handled);
        return VM_OK;
    }
    vm_ref_free(rt->vm, handled);
    if (st == VM_THREW) {
        /* The handler itself failed (Node exits 7 here). */
        vm_ref_t e2 = 0;
        char *h2 = NULL;
        vm_take_exception(rt->vm, &e2, &h2);
        fprintf(stderr, "%sinternal error while reporting an uncaught exception\n", h2 ? h2 : "");
        free(h2);
        vm_ref_free(rt->vm, e2);
        end_run(rt, 7);
    } else {
        end_run(rt, 1);
    }
    return VM_TERMINATED;
}

static int run_ticks(br_rt_t *rt)
{
    if (!rt->hooks[BR_HOOK_TICK])
        return VM_OK;
    /* Nothing queued (JS keeps the flags): a microtask checkpoint in C, as
     * Node's callback scope does, and the hook only if a reaction queued a
     * tick or left a rejection. One call into JS per callback, not two. */
    const uint32_t *ti = vm_tick_info(rt->vm);
    if (ti && !ti[0] && !ti[1]) {
        vm_run_microtasks(rt->vm);
        if (vm_limit(rt->vm) != VM_LIMIT_NONE)
            return VM_TERMINATED;
        if (!ti[0] && !ti[1])
            return VM_OK;
    }
    /* A handled uncaught exception can leave ticks behind: go round again. */
    for (int round = 0; round < 1000000; round++) {
        int st = vm_call(rt->vm, rt->hooks[BR_HOOK_TICK], 0, NULL, NULL);
        if (st != VM_THREW)
            return st;
        st = handle_fatal(rt);
        if (st != VM_OK)
            return st;
    }
    return VM_OK;
}

void br__run_tasks(br_rt_t *rt)
{
    vm_pump(rt->vm);
    if (vm_limit(rt->vm) != VM_LIMIT_NONE || run_ticks(rt) == VM_TERMINATED)
        uv_stop(rt->loop);
}

static int invoke(br_rt_t *rt, vm_ref_t fn, int argc, const vm_val_t *argv, vm_ref_t *result,
                  void (*then)(br_rt_t *rt, vm_ref_t result))
{
    int st = vm_call(rt->vm, fn, argc, argv, result);
    bool handled = false;
    if (st == VM_THREW) {
        st = handle_fatal(rt);
        handled = st == VM_OK;
    } else if (st == VM_OK && then) {
        then(rt, *result);
    }
    if (st == VM_OK)
        st = run_ticks(rt);
    if (st == VM_TERMINATED) {
        uv_stop(rt->loop);
        return st;
    }
    return handled ? BR_HANDLED : VM_OK;
}

void br__complete(br_rt_t *rt, vm_ref_t cb, vm_ref_t err, vm_ref_t result)
{
    vm_val_t args[2] = {err ? VM_REF(err) : (vm_val_t){.type = VM_T_NULL},
                        result ? VM_REF(result) : VM_UNDEF};
    br__invoke(rt, cb, 2, args, NULL);
    vm_ref_free(rt->vm, cb);
    vm_ref_free(rt->vm, err);
    vm_ref_free(rt->vm, result);
}

int br__invoke(br_rt_t *rt, vm_ref_t fn, int argc, const vm_val_t *argv, vm_ref_t *result)
{
    return invoke(rt, fn, argc, argv, result, NULL);
}

int br__invoke_then(br_rt_t *rt, vm_ref_t fn, int argc, const vm_val_t *argv,
                    void (*then)(br_rt_t *rt, vm_ref_t result))
{
    vm_ref_t result = 0;
    int st = invoke(rt, fn, argc, argv, &result, then);
    vm_ref_free(rt->vm, result);
    return st;
}

/* ---- task.setHooks ------------------------------------------------------ */

static void task_set_hooks(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    if (vm_argc(c) != BR_HOOK_COUNT) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "setHooks needs %d functions",
                  BR_HOOK_COUNT);
        return;
    }
    for (int i = 0; i < BR_HOOK_COUNT; i++)
        if (vm_arg_type(c, i) != VM_T_FUNCTION) {
            vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "hook %d is not a function", i);
            return;
        }
    for (int i = 0; i < BR_HOOK_COUNT; i++) {
        vm_ref_free(rt->vm, rt->hooks[i]);
        rt->hooks[i] = vm_arg_ref(c, i);
    }
}

static const vm_native_t task_natives[] = {
    {"setHooks", task_set_hooks, BR_HOOK_COUNT, VM_NATIVE_PURE},
};
const vm_table_t br__task_table = {"task", task_natives,
                                   sizeof task_natives / sizeof task_natives[0]};

/* ---- lifecycle ---------------------------------------------------------- */

static int rt_new(uv_loop_t *loop, const br_config_t *cfg, const uint8_t *snapshot,
                  size_t snapshot_len, br_rt_t *parent, wk_thread_t *self, br_rt_t **out,
                  char **err)
{
    *out = NULL;
    br_rt_t *rt = calloc(1, sizeof *rt);
    if (!rt)
        return -ENOMEM;
    rt->loop = loop;
    /* the loop's idle time, for performance.eventLoopUtilization() */
    uv_loop_configure(loop, UV_METRICS_IDLE_TIME);
    rt->cfg = cfg;
    rt->policy = cfg->policy;
    rt->snapshot = snapshot;
    rt->snapshot_len = snapshot_len;
    rt->self = self;
    if (parent) { /* the run's: one map of descriptors, one write quota, one cwd */
        rt->fds = parent->fds;
        rt->quota = parent->quota;
        rt->cwd = parent->cwd;
    } else {
        rt->cwd = rt->cwd_main;
        snprintf(rt->cwd_main, sizeof rt->cwd_main, "%s", cfg->cwd ? cfg->cwd : "/");
        rt->fds = rt->fds_main;
        rt->quota = &rt->quota_main;
        br__quota_init(rt->quota, cfg);
    }
    if (!parent) /* the process's mount points: once, by the main runtime */
        br__path_roots_init(cfg->policy);
    for (size_t i = 0; !parent && i < cfg->ninherited; i++)
        br__fd_adopt(rt, cfg->inherited_fds[i], true);
    rt->start_ns = parent ? parent->start_ns : uv_hrtime();
    if (parent) {
        rt->origin_ns = parent->origin_ns;
        rt->origin_wall_ms = parent->origin_wall_ms;
    } else {
        br__timing_origin(rt);
    }
    size_t ntables;
    const vm_table_t *const *t = br_tables(&ntables);
    vm_options_t opts = {
        .tables = t,
        .ntables = ntables,
        .snapshot = snapshot,
        .snapshot_len = snapshot_len,
        .heap_limit_mb = cfg->heap_limit_mb,
        .userdata = rt,
        .share = parent ? parent->vm : NULL,
        .old_gen_mb = self ? br__worker_old_mb(self) : 0,
        .young_gen_mb = self ? br__worker_young_mb(self) : 0,
        .stack_kb = self ? br__worker_stack_kb(self) : 0,
    };
    int r = vm_new(&opts, &rt->vm, err);
    rt->v8_start_ns = br__clock_ns(CLOCK_MONOTONIC);
    if (r < 0) {
        free(rt);
        return r;
    }
    r = br__timers_init(rt);
    if (r == 0 && !self) /* signals are the main thread's */
        r = br__signals_init(rt);
    if (r < 0) {
        if (asprintf(err, "cannot set up the event loop: %s", uv_strerror(r)) < 0)
            *err = NULL;
        br_rt_free(rt);
        return r;
    }
    if (!self) /* the orphans a run's processes leave: the main thread's */
        br__child_init(rt);
    *out = rt;
    return 0;
}

int br_rt_new(uv_loop_t *loop, const br_config_t *cfg, const uint8_t *snapshot, size_t snapshot_len,
              br_rt_t **out, char **err)
{
    return rt_new(loop, cfg, snapshot, snapshot_len, NULL, NULL, out, err);
}

int br__rt_new_worker(uv_loop_t *loop, const br_config_t *cfg, br_rt_t *parent, wk_thread_t *self,
                      br_rt_t **out, char **err)
{
    return rt_new(loop, cfg, parent->snapshot, parent->snapshot_len, parent, self, out, err);
}

/* The start function: start(configJSON) -> main(). */
static int start(br_rt_t *rt, vm_ref_t *main_fn)
{
    char *json = config_json(rt->cfg, false);
    if (!json)
        return -ENOMEM;
    vm_val_t arg = VM_STR(json, strlen(json));
    int st = vm_call(rt->vm, vm_start_fn(rt->vm), 1, &arg, main_fn);
    free(json);
    if (st == VM_THREW) {
        handle_fatal(rt);
        return -EINVAL;
    }
    return st == VM_OK ? 0 : -EINVAL;
}

/* serve's pool: the start function's warm-up (js/bootstrap/main.js
 * prepare) gets a configuration of a job's shape, its keys in a job's
 * order with values of a job's types, then "prepare": the objects V8 makes
 * of a job's own (its JSON parsed, its fields read) find their hidden
 * classes made, where each key of a first parse costs a new one. */
void br_rt_prepare(br_rt_t *rt)
{
    br_config_t pc = *rt->cfg;
    if (!pc.source && !pc.script)
        pc.source = "";
    if (!pc.filename)
        pc.filename = "/app/[prepare]";
    char *json = config_json(&pc, true);
    if (!json)
        return; /* no warm-up: the job starts colder, nothing else */
    vm_val_t arg = VM_STR(json, strlen(json));
    if (vm_call(rt->vm, vm_start_fn(rt->vm), 1, &arg, NULL) == VM_THREW)
        handle_fatal(rt);
    free(json);
}

/* What br__clock_ns takes off CLOCK_MONOTONIC and CLOCK_BOOTTIME. */
static uint64_t clock_base[2];

static uint64_t raw_ns(clockid_t clk)
{
    struct timespec ts;
    if (clock_gettime(clk, &ts) < 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The run's origin for performance.timeOrigin: now, on both clocks. */
void br__timing_origin(br_rt_t *rt)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    rt->origin_ns = br__clock_ns(CLOCK_MONOTONIC);
    rt->origin_wall_ms = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

uint64_t br__clock_ns(clockid_t clk)
{
    return raw_ns(clk) - clock_base[clk == CLOCK_BOOTTIME];
}

void br__clock_restart(void)
{
    /* a second in, as a sandbox's clocks are when a run starts */
    for (int i = 0; i < 2; i++) {
        uint64_t now = raw_ns(i ? CLOCK_BOOTTIME : CLOCK_MONOTONIC);
        clock_base[i] = now > 1000000000u ? now - 1000000000u : 0;
    }
}

int br_rt_run(br_rt_t *rt)
{
    if (rt->cfg->filename) { /* a serve job: its start is its sandbox's */
        br__clock_restart();
        rt->start_ns = uv_hrtime();
        br__timing_origin(rt);
        rt->v8_start_ns = br__clock_ns(CLOCK_MONOTONIC);
    }
    vm_ref_t main_fn = 0;
    if (start(rt, &main_fn) == 0) {
        br__invoke(rt, main_fn, 0, NULL, NULL);
        vm_ref_free(rt->vm, main_fn);
        rt->loop_start_ns = br__clock_ns(CLOCK_MONOTONIC);
        while (!rt->exiting && vm_limit(rt->vm) == VM_LIMIT_NONE) {
            uv_run(rt->loop, UV_RUN_DEFAULT);
            if (rt->exiting || vm_limit(rt->vm) != VM_LIMIT_NONE)
                break;
            /* the engine's work in flight (a WebAssembly compile) may
             * still settle a promise: waited for, as Node drains its
             * platform's tasks before 'beforeExit' */
            if (vm_drain(rt->vm)) {
                br__run_tasks(rt);
                continue;
            }
            br__invoke(rt, rt->hooks[BR_HOOK_BEFORE_EXIT], 0, NULL, NULL);
            if (!uv_loop_alive(rt->loop))
                break;
        }
        rt->loop_exit_ns = br__clock_ns(CLOCK_MONOTONIC);
        if (!rt->exiting && vm_limit(rt->vm) == VM_LIMIT_NONE) {
            vm_ref_t code = 0;
            if (br__invoke(rt, rt->hooks[BR_HOOK_EXIT], 0, NULL, &code) == VM_OK && !rt->exiting) {
                rt->exiting = true;
                rt->exit_code = (int)vm_ref_number(rt->vm, code, 0);
            }
            vm_ref_free(rt->vm, code);
        }
    } else if (!rt->exiting) {
        rt->exiting = true;
        rt->exit_code = 1;
    }
    /* the limit's line is the supervisor's (launcher/report.h): the
     * launcher claims the limit from br_rt_limit() */
    switch (vm_limit(rt->vm)) {
    case VM_LIMIT_MEMORY:
        return BR_EXIT_MEMORY;
    case VM_LIMIT_TIME:
        return BR_EXIT_TIMEOUT;
    default:
        return rt->exit_code & 0xff;
    }
}

vm_limit_t br_rt_limit(br_rt_t *rt)
{
    return vm_limit(rt->vm);
}

const char *br_rt_missing_package(br_rt_t *rt)
{
    return rt->missing_package;
}

const char *br_rt_result(br_rt_t *rt, const char **error)
{
    if (error)
        *error = rt->result_error;
    return rt->result;
}

void br_rt_terminate(br_rt_t *rt, vm_limit_t why)
{
    vm_terminate(rt->vm, why);
}

void br_rt_free(br_rt_t *rt)
{
    if (!rt)
        return;
    rt->closing = true;
    br__workers_close(rt);
    br__timers_close(rt);
    if (!rt->self)
        br__signals_close(rt);
    br__shell_close(rt);
    br__stdin_close(rt);
    br__dgram_close(rt);
    br__watch_close(rt);
    br__net_close(rt);
    br__child_close(rt);
    /* Let the close callbacks run and in-flight requests finish (their
     * callbacks see `closing` and deliver nothing). */
    while (rt->handles_open > 0 || rt->pending_reqs > 0)
        uv_run(rt->loop, UV_RUN_ONCE);
    for (int i = 0; i < BR_HOOK_COUNT; i++)
        vm_ref_free(rt->vm, rt->hooks[i]);
    vm_ref_free(rt->vm, rt->stdin_cb);
    vm_ref_free(rt->vm, rt->signal_cb);
    vm_ref_free(rt->vm, rt->resize_cb);
    vm_ref_free(rt->vm, rt->stats_out);
    free(rt->fs_spare);
    vm_free(rt->vm);
    free(rt->result);
    free(rt->result_error);
    free(rt);
}
