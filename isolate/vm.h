/*
 * isolate/vm.h — the only door to V8. Everything outside isolate/v8/ talks to
 * the engine through this C API; no V8 type crosses it.
 *
 * Model. A vm_t is one V8 isolate with one context, created from the startup
 * snapshot (or, for the snapshot builder only, cold). Native functions are
 * declared as tables of {name, C callback, arity, flags} grouped by a
 * namespace; the isolate turns every entry into a JS function on a private
 * "bridge" object that the bootstrap captures and hides from guest code. All
 * entries share one V8 trampoline, so the snapshot's external-reference list
 * is fixed and small; the table order is fingerprinted into the blob so a
 * snapshot never meets tables it was not built with.
 *
 * Values. C sees three kinds of JS value: call-scoped borrowed arguments
 * (valid only inside a native callback), copies (strings are malloc'd
 * UTF-8), and vm_ref_t handles: small integers naming a persistent handle in
 * a per-vm table, freed with vm_ref_free.
 *
 * Threads. One vm per thread. vm_terminate() is the only function that may be
 * called from another thread.
 *
 * Errors. Functions return 0 or a negative errno; where a person reads the
 * failure, an out-param receives a malloc'd message the caller frees.
 */
#ifndef SE_ISOLATE_VM_H
#define SE_ISOLATE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vm_s vm_t;
typedef struct vm_call_s vm_call_t;
typedef uint32_t vm_ref_t; /* 0 is "no value" */
struct vm_error_s;
struct vm_val_s;

typedef void (*vm_native_cb)(vm_call_t *call);

/* Flags of a native entry. The permission domain a later broker keys on. */
enum {
    VM_NATIVE_PURE = 0,         /* no I/O, nothing to ask */
    VM_NATIVE_FS_READ = 1 << 0, /* reads the file system */
    VM_NATIVE_FS_WRITE = 1 << 1,
    VM_NATIVE_NET = 1 << 2,
    VM_NATIVE_ENV = 1 << 3,
    VM_NATIVE_RUN = 1 << 4,
};

typedef struct vm_native_s {
    const char *name;
    vm_native_cb fn;
    int arity;
    unsigned flags;
} vm_native_t;

/* One bridge module's functions, installed as bridge[ns][name]. Several
 * tables may share a namespace. */
typedef struct vm_table_s {
    const char *ns;
    const vm_native_t *fns;
    size_t count;
} vm_table_t;

/* Natives implemented inside the isolate shim itself (V8 introspection,
 * structuredClone, CommonJS compile, microtasks): namespaces "util", "task". */
extern const vm_table_t vm_v8_table;
extern const vm_table_t vm_task_table;
extern const vm_table_t vm_json_table; /* JSON.parse (see natives.cc) */
/* Buffer's string conversions (namespace "buffer"; see v8/buffer.cc). */
extern const vm_table_t vm_buffer_table;
/* ES modules on V8's module API (namespace "esm"; see v8/modules.cc). */
extern const vm_table_t vm_esm_table;
/* JS compiled at first use, not in the snapshot (namespace "lazyjs"; see
 * v8/lazyjs.cc). */
extern const vm_table_t vm_lazyjs_table;
/* The vm module: new contexts, scripts, timeouts (namespace "contextify";
 * see v8/contextify.cc). */
extern const vm_table_t vm_contextify_table;
/* vm's breakOnSigint: from a signal handler (async-signal-safe, any
 * thread), true when a run that asked for it takes this SIGINT (it is then
 * interrupted with ERR_SCRIPT_EXECUTION_INTERRUPTED, and the guest's
 * listeners do not see the signal, as in Node). */
bool vm_sigint_break(void);
/* The v8 module: Serializer/Deserializer, heap statistics (namespace "v8";
 * see v8/serdes.cc). */
extern const vm_table_t vm_serdes_table;

/* ---- process-wide ---------------------------------------------------- */

/* Initialises V8 and its platform once (starts the platform's worker
 * threads). flags: V8 command-line flags or NULL. */
int vm_platform_init(const char *flags, int worker_threads);
void vm_platform_shutdown(void);
const char *vm_engine_version(void);

/* ---- snapshot -------------------------------------------------------- */

/* Runs bundle (a classic script whose completion value is the start
 * function) in a snapshot-creating isolate with the tables installed as
 * globalThis.__se_bridge, and returns the blob (malloc'd, caller frees). */
int vm_snapshot_build(const vm_table_t *const *tables, size_t ntables, const char *bundle,
                      size_t bundle_len, const char *bundle_name, uint8_t **blob, size_t *blob_len,
                      char **err);

/* ---- isolate lifecycle ----------------------------------------------- */

typedef enum {
    VM_LIMIT_NONE = 0,
    VM_LIMIT_MEMORY, /* heap limit reached; execution was terminated */
    VM_LIMIT_TIME,   /* terminated by vm_terminate(.., VM_LIMIT_TIME) */
    VM_LIMIT_EXIT,   /* terminated because the guest asked to exit */
    /* the shell's Ctrl-C: stops one interruptible statement only
     * (vm_interrupt), never the run */
    VM_LIMIT_INTERRUPT,
} vm_limit_t;

typedef struct vm_options_s {
    const vm_table_t *const *tables; /* borrowed; must outlive the vm */
    size_t ntables;
    const uint8_t *snapshot; /* borrowed blob from vm_snapshot_build */
    size_t snapshot_len;
    size_t heap_limit_mb; /* the memory budget (see vm_reserve); 0: V8's default */
    void *userdata;       /* returned by vm_userdata() */
    /* A worker's isolate (bridge/worker.c): its budget is share's (one
     * count for the process; share must outlive this vm), its old
     * generation at most old_gen_mb and its young generation young_gen_mb
     * when they are not 0 (worker_threads' resourceLimits), its stack
     * stack_kb below the frame that calls vm_new (0: V8's default). */
    vm_t *share;
    size_t old_gen_mb, young_gen_mb, stack_kb;
} vm_options_t;

/* The young generation (two semi-spaces and its large-object space), as
 * Node's on x64: a working area on top of the budget, whatever its size. */
#define VM_YOUNG_GEN_MB 48

/* The least old generation an isolate is made with: the startup snapshot
 * (about 7 MB with Node 22's builtins) leaves a smaller heap at its limit
 * while it starts, where V8 10.2's concurrent marking crashes. A worker's
 * smaller resourceLimits is raised to it (the run's budget, bounded by
 * BRK_MIN_HEAP_MB, is never below it). */
#define VM_MIN_OLD_GEN_MB 24

/* Creates an isolate + context from the snapshot. *err is malloc'd. */
int vm_new(const vm_options_t *opts, vm_t **out, char **err);
/* Disposes the isolate; every ref dies with it. NULL is fine. */
void vm_free(vm_t *vm);
void *vm_userdata(vm_t *vm);

/* The start function the snapshot carries (a ref the vm owns; do not free). */
vm_ref_t vm_start_fn(vm_t *vm);

/* The memory budget (heap_limit_mb) is one count: V8's old generation is
 * capped at it, and what lives outside the heap — ArrayBuffer and Buffer
 * backing stores, arrays taken from bridges (vm_*_bytes_take), bridges'
 * native buffers reserved here — may take only what the heap leaves. Past
 * it an allocation fails (a catchable RangeError for the guest); heap and
 * external together past it after a full GC end the run as the heap limit
 * does (VM_LIMIT_MEMORY).
 *
 * vm_reserve counts bytes a bridge is about to malloc: false when the
 * budget cannot take them (on the vm's thread after a full GC was tried),
 * and then the bridge fails with "Array buffer allocation failed" (a
 * RangeError, or ENOMEM for work on the pool). vm_release gives them back.
 * Both may be called from any thread. */
bool vm_reserve(vm_t *vm, size_t bytes);
void vm_release(vm_t *vm, size_t bytes);
/* Counts bytes that are made whatever the budget says (a library that
 * cannot take a refusal): never refused, so the count may pass the budget;
 * the caller fails the operation after and gives them back with
 * vm_release. Any thread. */
void vm_charge(vm_t *vm, size_t bytes);
/* The same failure thrown into JS: RangeError "Array buffer allocation failed". */
void vm_throw_alloc_failed(vm_call_t *c);

/* Thread-safe: stop the running JS as soon as possible. */
void vm_terminate(vm_t *vm, vm_limit_t why);
/* The shell's statements: between vm_interruptible_begin and _end (on the
 * vm's thread) vm_interrupt (any thread) stops the running JS; outside
 * them it does nothing and returns false. _end takes back a stop that came
 * (the run goes on) and says whether one did. Any other limit wins over an
 * interrupt and is never taken back. */
void vm_interruptible_begin(vm_t *vm);
bool vm_interruptible_end(vm_t *vm);
bool vm_interrupt(vm_t *vm);
/* Why execution was terminated, VM_LIMIT_NONE if it was not. */
vm_limit_t vm_limit(vm_t *vm);

/* Runs one microtask checkpoint. */
void vm_run_microtasks(vm_t *vm);
/* The tick queue's state, written by JS (task.tickInfo(), a Uint32Array
 * over it): [0] nonzero while nextTick callbacks are queued, [1] while
 * promise rejections wait to be reported. NULL until JS has taken the
 * array: then C must call the tick hook after every callback. */
const uint32_t *vm_tick_info(vm_t *vm);
/* Runs pending foreground platform tasks (GC finalisers, FinalizationRegistry). */
void vm_pump(vm_t *vm);
/* wake(arg) is called, from any thread, whenever V8 posts a foreground
 * task for vm's isolate (vm_pump runs them on the isolate's thread);
 * NULL: no longer. The loop that owns vm sets it. */
void vm_set_wake(vm_t *vm, void (*wake)(void *), void *arg);
/* Waits until no worker task of the engine is in flight, then runs vm's
 * foreground tasks: true when one ran (its promise reactions wait for a
 * microtask checkpoint). For a loop with nothing else left. */
bool vm_drain(vm_t *vm);

typedef struct vm_heap_stats_s {
    double total, used, limit, external, array_buffers, malloced;
} vm_heap_stats_t;
void vm_heap_stats(vm_t *vm, vm_heap_stats_t *out);

/* ---- values crossing from C into JS ---------------------------------- */

typedef enum {
    VM_T_UNDEFINED = 0,
    VM_T_NULL,
    VM_T_BOOL,
    VM_T_NUMBER,
    VM_T_STRING,
    VM_T_BYTES, /* ArrayBufferView */
    VM_T_FUNCTION,
    VM_T_OBJECT,
    VM_T_BIGINT,
    VM_T_SYMBOL,
    VM_T_OTHER,
    VM_T_BYTES_TAKE, /* only into JS: a Uint8Array over malloc'd bytes it takes */
} vm_type_t;

typedef struct vm_val_s {
    vm_type_t type;
    union {
        bool b;
        double num;
        struct {
            const char *p; /* UTF-8; VM_T_BYTES_TAKE: the bytes */
            size_t len;
        } str;
        vm_ref_t ref; /* VM_T_FUNCTION / VM_T_OBJECT: any ref */
    } u;
} vm_val_t;

#define VM_UNDEF ((vm_val_t){.type = VM_T_UNDEFINED})
#define VM_NUM(x) ((vm_val_t){.type = VM_T_NUMBER, .u.num = (double)(x)})
#define VM_BOOL(x) ((vm_val_t){.type = VM_T_BOOL, .u.b = (x)})
#define VM_STR(s, n) ((vm_val_t){.type = VM_T_STRING, .u.str = {(s), (n)}})
#define VM_REF(r) ((vm_val_t){.type = VM_T_OBJECT, .u.ref = (r)})
/* malloc'd bytes handed to JS as a Uint8Array (freed by the GC, counted in
 * the budget until then; freed at once when the call does not happen) */
#define VM_BYTES_TAKE(p, n) ((vm_val_t){.type = VM_T_BYTES_TAKE, .u.str = {(const char *)(p), (n)}})

/* Outcome of calling into JS. */
enum {
    VM_OK = 0,
    VM_THREW = 1,      /* an exception escaped; see vm_take_exception */
    VM_TERMINATED = 2, /* execution is terminating (exit or limit) */
};

/* Calls fn(argv) with receiver undefined. *result (optional) receives a new
 * ref the caller frees. Returns VM_OK, VM_THREW or VM_TERMINATED. */
int vm_call(vm_t *vm, vm_ref_t fn, int argc, const vm_val_t *argv, vm_ref_t *result);

/* After VM_THREW: the exception (a new ref) and Node's "where" header
 * ("file:line\nsource line\n   ^\n"), malloc'd or NULL when V8 gave no
 * location. Both are the caller's. */
void vm_take_exception(vm_t *vm, vm_ref_t *exception, char **header);

void vm_ref_free(vm_t *vm, vm_ref_t ref);
/* Values made outside a native call (async completions), each a new ref the
 * caller frees: a Node-shaped error (see vm_error_t), an array of values
 * (refs in it are borrowed), a Float64Array copy of v[0..n). */
vm_ref_t vm_new_error(vm_t *vm, const struct vm_error_s *e);
vm_ref_t vm_new_array(vm_t *vm, const struct vm_val_s *items, size_t n);
vm_ref_t vm_new_f64(vm_t *vm, const double *v, size_t n);
/* The elements of a Float64Array ref (NULL if it is not one); *n its length.
 * The storage does not move for the array's life. */
double *vm_f64_data(vm_t *vm, vm_ref_t ref, size_t *n);
/* A new Uint8Array owning malloc'd data (freed by the GC), as a ref the
 * caller frees; for results that arrive outside a native call. Counted in
 * the budget as vm_ret_bytes_take's. */
vm_ref_t vm_new_bytes_take(vm_t *vm, uint8_t *data, size_t len);
bool vm_ref_is_true(vm_t *vm, vm_ref_t ref);
/* Numeric value of a ref, or dflt when it is not a number. */
double vm_ref_number(vm_t *vm, vm_ref_t ref, double dflt);

/* ---- inside a native callback ---------------------------------------- */

vm_t *vm_call_vm(vm_call_t *c);
int vm_argc(vm_call_t *c);
vm_type_t vm_arg_type(vm_call_t *c, int i);
double vm_arg_num(vm_call_t *c, int i);
int64_t vm_arg_int(vm_call_t *c, int i); /* numbers truncated; others 0 */
bool vm_arg_bool(vm_call_t *c, int i);   /* JS truthiness */
/* UTF-8 copy of a string argument (others are converted with ToString);
 * malloc'd, NUL-terminated, caller frees; NULL if conversion threw. */
char *vm_arg_str(vm_call_t *c, int i, size_t *len);
/* Borrowed view of an ArrayBufferView argument, valid during the call.
 * -EINVAL if the argument is not one. */
int vm_arg_bytes(vm_call_t *c, int i, uint8_t **data, size_t *len);
/* A new ref to argument i (any type); the caller frees it. */
vm_ref_t vm_arg_ref(vm_call_t *c, int i);

void vm_ret_undefined(vm_call_t *c);
void vm_ret_bool(vm_call_t *c, bool v);
void vm_ret_num(vm_call_t *c, double v);
void vm_ret_bigint_u64(vm_call_t *c, uint64_t v);
void vm_ret_str(vm_call_t *c, const char *s, size_t len); /* copied */
/* A Float64Array holding a copy of v[0..n). */
void vm_ret_f64(vm_call_t *c, const double *v, size_t n);
/* A Uint8Array holding a copy of data[0..len); past the budget it throws
 * (vm_throw_alloc_failed) and returns false. */
bool vm_ret_bytes(vm_call_t *c, const uint8_t *data, size_t len);
/* Room for the call's result: cap bytes (at least 1) V8 allocates from the
 * budget, as for vm_ret_bytes, for the bridge to write into, so a large
 * result needs no copy; past the budget NULL with the allocation failure
 * thrown. Then vm_ret_bytes_commit(c, len), len <= cap, returns the first
 * len bytes as a Uint8Array over a store of exactly len bytes (copied
 * when shorter: ask for the room the result will fill where that is
 * known); past the budget that copy throws as the room does. Without a
 * commit the room is freed when the call returns. One room per call. */
uint8_t *vm_ret_bytes_room(vm_call_t *c, size_t cap);
void vm_ret_bytes_commit(vm_call_t *c, size_t len);
/* A Uint8Array that takes ownership of malloc'd data (freed by the GC); its
 * bytes are counted in the budget from here on, never refused (a bridge
 * that made a large buffer reserved it first and releases it now). */
void vm_ret_bytes_take(vm_call_t *c, uint8_t *data, size_t len);
void vm_ret_ref(vm_call_t *c, vm_ref_t ref); /* borrows ref */

/* Native objects held by JS (a hash context, a stream state): JS gets an
 * empty object it can neither read nor forge; the C object is freed with
 * type->free once that object is unreachable (or at vm_free), unless it was
 * released before. Lookups check the type, so one kind of handle never
 * stands in for another. */
typedef struct vm_handle_type_s {
    const char *name;
    void (*free)(void *p);
} vm_handle_type_t;
/* Returns a new handle owning p; if none can be made, p is freed. */
void vm_ret_handle(vm_call_t *c, const vm_handle_type_t *type, void *p);
/* The object behind argument i when it is a live handle of this type, else
 * NULL (not a handle, another type, or released). */
void *vm_arg_handle(vm_call_t *c, int i, const vm_handle_type_t *type);
/* Frees the object behind argument i now; later lookups give NULL. */
void vm_handle_release(vm_call_t *c, int i, const vm_handle_type_t *type);

/* A Node-shaped error thrown into JS. Strings are borrowed; NULL ones are
 * left out. errnum != 0 sets err.errno = errnum (Node's negative values). */
typedef struct vm_error_s {
    const char *type; /* "Error" (default), "TypeError", "RangeError", "SyntaxError" */
    const char *message;
    const char *code;
    int errnum;
    const char *syscall;
    const char *path;
    const char *dest;
} vm_error_t;
void vm_throw(vm_call_t *c, const vm_error_t *e);
/* Throws an existing value (borrows ref). */
void vm_throw_ref(vm_call_t *c, vm_ref_t ref);
/* Shorthand: a TypeError/RangeError/Error with a code and printf message. */
void vm_throwf(vm_call_t *c, const char *type, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- messages between vms (worker_threads; see v8/message.cc) --------- */

/* A structured clone made in one vm and read in another, each on its own
 * thread; in between it touches no vm. Its bytes count in the budget. */
typedef struct vm_msg_s vm_msg_t;
/* Serializes argument i with argument list (an array, or undefined) as the
 * transfer list: its ArrayBuffers move (detached here), SharedArrayBuffers
 * anywhere in the value are shared, its handles of port_type move into the
 * message (their objects here read as released from then on; see
 * vm_message_ports). NULL with a DataCloneError (or TypeError) thrown. */
vm_msg_t *vm_arg_message(vm_call_t *c, int i, int list, const vm_handle_type_t *port_type);
/* The C objects of the ports m carries (borrowed; NULL once received). */
size_t vm_message_ports(vm_msg_t *m, void ***ports);
/* Reads m into the calling native's vm and consumes it: returns [value,
 * port handle, ...] (each port a new handle of the message's port_type), or
 * throws when the bytes cannot be read. */
void vm_ret_message(vm_call_t *c, vm_msg_t *m);
/* Frees m unread, with the ports it still carries (port_type's free).
 * NULL is fine; any thread. */
void vm_message_free(vm_msg_t *m);

/* Registers the function that receives V8's promise-rejection events as
 * fn(type, promise, reason) — type 0 unhandled, 1 handler added later.
 * Takes ownership of fn. */
void vm_set_promise_reject_hook(vm_t *vm, vm_ref_t fn);

#ifdef __cplusplus
}
#endif
#endif
