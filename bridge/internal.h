/*
 * bridge/internal.h — state and helpers shared by the bridge files. Nothing
 * outside bridge/ includes it.
 */
#ifndef SE_BRIDGE_INTERNAL_H
#define SE_BRIDGE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <uv.h>

#include "../isolate/vm.h"
#include "bridge.h"
#include "broker.h"
#include "netproto.h"

/* The JS callbacks C drives, handed over once by task.setHooks(). */
enum {
    BR_HOOK_TICK,        /* processTicksAndRejections() */
    BR_HOOK_FATAL,       /* (err, header) -> true if a listener handled it */
    BR_HOOK_TIMERS,      /* processTimers(now) -> next expiry (<0: unref'd) */
    BR_HOOK_IMMEDIATES,  /* processImmediate() */
    BR_HOOK_BEFORE_EXIT, /* emit 'beforeExit' */
    BR_HOOK_EXIT,        /* emit 'exit' -> the final exit code */
    BR_HOOK_COUNT,
};

#define BR_MAX_FDS 65536 /* guest descriptors tracked; RLIMIT_NOFILE is lower */

/* The write quota of host grants (quota.c). */
typedef struct {
    uint64_t max_bytes, max_files; /* 0: no limit */
    /* taken so far: own[], or the run's shared count (cfg.quota_fd) that
     * every guest process of the run takes from */
    _Atomic uint64_t *bytes, *files;
    _Atomic uint64_t own[2];
    const brk_policy_t *policy;    /* its write rules say what counts */
    const char *private_tmp;       /* a rule naming it does not count */
    uint64_t fds[BR_MAX_FDS / 64]; /* guest descriptors whose writes count */
} br_quota_t;

typedef struct br_shell br_shell_t;   /* shell.c */
typedef struct wk_thread wk_thread_t; /* worker.c */
struct wk_port;

struct br_rt_s {
    uv_loop_t *loop;
    vm_t *vm;
    const br_config_t *cfg;
    vm_ref_t hooks[BR_HOOK_COUNT];
    uv_timer_t timer;              /* the one timer behind every JS timer */
    uv_check_t immediate;          /* runs setImmediate callbacks */
    uv_idle_t immediate_keepalive; /* keeps poll from blocking while ref'd immediates wait */
    uv_prepare_t pump;             /* V8 foreground tasks */
    uv_async_t wake;               /* V8 posted a foreground task (any thread) */
    int handles_open;
    int pending_reqs;          /* uv requests in flight (teardown waits for them) */
    bool closing;              /* br_rt_free has begun: deliver nothing to JS */
    uv_stream_t *stdin_stream; /* pipe/tty/socket stdin, once read */
    vm_ref_t stdin_cb;
    bool stdin_reading;
    /* Descriptors the guest opened: one map for the process (a worker's
     * points at the main runtime's: descriptors are the process's, as in
     * Node), and the ones this runtime opened (a worker's are closed at its
     * end with trackUnmanagedFds). Bits change atomically (fs.c). */
    uint64_t *fds;
    uint64_t fds_own[BR_MAX_FDS / 64];
    uint64_t fds_main[BR_MAX_FDS / 64]; /* the main runtime's map */
    bool exiting;                       /* the guest called process.reallyExit */
    int exit_code;                      /* valid once exiting */
    uint64_t start_ns;                  /* uv_hrtime() at br_rt_new */
    /* performance's milestones, br__clock_ns(CLOCK_MONOTONIC) values (0:
     * not yet); origin_* are the run's (a worker has its parent's) */
    uint64_t origin_ns, v8_start_ns, loop_start_ns, loop_exit_ns;
    double origin_wall_ms; /* the wall clock at origin_ns, ms since the epoch */
    brk_policy_t *policy;  /* borrowed from the config; NULL: no checks */
    /* process.cwd(): the config's until process.chdir; one for the process
     * (a worker's points at the main runtime's cwd_main, as in Node) */
    char *cwd;
    char cwd_main[PATH_MAX];
    vm_ref_t stats_out; /* Float64Array(18) reused by synchronous stats */
    void *fs_spare;     /* a finished fs request kept for the next (fs.c, 9 KiB) */
    /* limits.write_bytes / write_files: one quota for the run (a worker's
     * points at the main runtime's quota_main) */
    br_quota_t *quota;
    br_quota_t quota_main;
    uv_async_t signal_async; /* wakes the loop for a listened signal (signal.c) */
    vm_ref_t signal_cb;      /* JS: fn(signum) */
    uv_pipe_t *resize_pipe;  /* the terminal's size messages, once watched */
    vm_ref_t resize_cb;      /* JS: fn(columns, rows) */
    uint8_t resize_buf[64];
    size_t resize_have;
    char missing_package[216]; /* an uncaught "Cannot find" named it ("" none) */
    char *result;              /* serve's job: JSON of module.exports (NULL none) */
    char *result_error;        /* why there is none (NULL: no job, or undefined) */
    uint64_t stdio_bytes;      /* written to stdout and stderr (process.write) */
    br_shell_t *shell;         /* the operator shell's channel, once opened */
    const uint8_t *snapshot;   /* borrowed: a worker's runtime starts from it too */
    size_t snapshot_len;
    wk_thread_t *self;            /* the worker this runtime runs (NULL: the main thread) */
    wk_thread_t *workers;         /* the workers it started, until reported */
    struct wk_port *ports;        /* message ports started here */
    struct wk_port *port_pending; /* channel()'s second port until channelPeer() */
};

/* worker.c: a worker's runtime, on its own thread and loop (cfg borrowed:
 * the worker's record owns it); its vm shares parent's budget. */
int br__rt_new_worker(uv_loop_t *loop, const br_config_t *cfg, br_rt_t *parent, wk_thread_t *self,
                      br_rt_t **out, char **err);
/* The runtime is ending: its workers are terminated and joined, its ports
 * leave its loop. */
void br__workers_close(br_rt_t *rt);
/* Closes the descriptors this runtime opened and has not closed (a
 * worker's end with trackUnmanagedFds; fs.c). */
void br__fds_close_own(br_rt_t *rt);
/* The stack a worker's isolate may use (worker.c), for its vm. */
size_t br__worker_stack_kb(const wk_thread_t *t);
size_t br__worker_old_mb(const wk_thread_t *t);
size_t br__worker_young_mb(const wk_thread_t *t);

/* clk's time in ns as the guest sees it (its hrtime, its uptime): a serve
 * job's clocks start when the job does, so they do not tell how long its
 * sandbox waited in the pool (br__clock_restart). */
uint64_t br__clock_ns(clockid_t clk);
void br__timing_origin(br_rt_t *rt);
void br__clock_restart(void);

/* The runtime of a native call. */
static inline br_rt_t *br__rt(vm_call_t *c)
{
    return (br_rt_t *)vm_userdata(vm_call_vm(c));
}

/* br__invoke's status besides vm_call's: the call threw, an
 * 'uncaughtException' listener handled it, ticks ran; the call itself did
 * not complete (processTimers/processImmediate are called again). */
#define BR_HANDLED 3

/* Calls a JS function from the loop, then runs ticks and microtasks; routes
 * an escaping exception to the fatal hook. Returns VM_OK, BR_HANDLED or
 * VM_TERMINATED. */
int br__invoke(br_rt_t *rt, vm_ref_t fn, int argc, const vm_val_t *argv, vm_ref_t *result);

/* Runs V8's pending foreground tasks, then the microtask checkpoint and
 * tick queue that follow any callback (a task may settle a promise: a
 * WebAssembly compile's). */
void br__run_tasks(br_rt_t *rt);

/* br__invoke, with then(rt, result) called after a call that returned and
 * before the ticks run (ticks may schedule work that must win over what
 * `then` sets up, e.g. a sooner timer). result is borrowed. */
int br__invoke_then(br_rt_t *rt, vm_ref_t fn, int argc, const vm_val_t *argv,
                    void (*then)(br_rt_t *rt, vm_ref_t result));

/* Calls cb(err, result) from the loop (err 0: null, result 0: undefined)
 * through br__invoke, then frees cb, err and result. */
void br__complete(br_rt_t *rt, vm_ref_t cb, vm_ref_t err, vm_ref_t result);

/* Throws Node's errno-shaped error: "ENOENT: no such file or directory,
 * open '/x'" with errno, code, syscall, path (and dest). err is negative. */
void br__throw_errno(vm_call_t *c, int err, const char *syscall, const char *path,
                     const char *dest);
/* The same with tail appended to the message (br__refusal's). */
void br__throw_errno_tail(vm_call_t *c, int err, const char *syscall, const char *path,
                          const char *dest, const char *tail);

/* The tail of an EACCES message that says which wall refused canon and
 * what would allow it (into tail, "" when there is nothing to add). By
 * the broker (by_broker): the grant to run with. Else the system call was
 * refused after the broker allowed it: when the host's file permissions
 * refuse the sandbox's user, the tail says so and how to fix it, and the
 * audit log gets the OS wall's line. d is what op needed of canon. */
void br__refusal(br_rt_t *rt, brk_domain_t d, bool by_broker, const char *op, const char *canon,
                 const char *given, char *tail, size_t cap);

/* The canonical absolute path an operation on `path` (relative to cwd)
 * would touch: symlinks resolved in the existing prefix, the rest lexical.
 * 0 or -errno (out then holds the path as far as the walk went, or ""). */
int br__path_canon(const char *path, const char *cwd, char *out, size_t cap);
/* What the check learned of the canonical path itself, when its walk
 * (no symlink followed) stat'ed it on the way: there (err 0, x its statx)
 * or missing in a folder that is (err -ENOENT). An operation may answer
 * from it in place of asking the kernel a second time (fs.c: stat,
 * access). known false: the check went the long way; ask. */
typedef struct {
    bool known;
    bool dangling; /* the walk went on from a symlink it could not pass */
    int err;
    struct statx x;
} br_seen_t;
/* When path could not be made canonical: whether the broker refuses d on
 * the path as far as the walk went (what br__path_canon left in canon:
 * the last symlink's target, or the path given, lexically normal; that
 * form of path when it left nothing). A refusal answers first, never the
 * walk's error: an ENAMETOOLONG, ENOTDIR or ELOOP met past a place the
 * guest may not see would tell what is there. */
bool br__refused_before_error(brk_policy_t *p, brk_domain_t d, const char *op, const char *path,
                              const char *cwd, char *canon, size_t cap);
/* br__path_canon, and what it saw of out (seen may be NULL). */
int br__path_canon_seen(const char *path, const char *cwd, char *out, size_t cap, br_seen_t *seen);
/* Whether the guest may know if canon (canonical) is there and what it is:
 * it or its folder is readable to the guest, or its first component is not
 * in the sandbox's root at all (the same few names every run). What the
 * sandbox shows without granting stays unknown: no existence oracle. */
bool br__may_know(const brk_policy_t *p, const char *canon);
/* path made absolute (against cwd) and lexically normal: 0 or -errno. */
int br__path_lexical(const char *path, const char *cwd, char *out, size_t cap);
/* Whether the guest may read every symlink met resolving the absolute,
 * lexically normal path lex (else the canonical path would tell it the
 * target of a link it may not read). */
bool br__links_readable(const brk_policy_t *p, const char *lex);
/* Canonicalises path and asks the broker: 0, -EACCES, or -errno. */
int br__check_path(br_rt_t *rt, brk_domain_t d, const char *op, const char *path, char *canon,
                   size_t cap);
/* br__check_path's decision for path once br__path_canon made canon of it
 * (walked: what that returned). */
int br__check_canon(br_rt_t *rt, brk_domain_t d, const char *op, const char *path, char *canon,
                    size_t cap, int walked);
/* br__check_path for a native of op on its path argument: a refusal is
 * thrown there (EACCES with the grant that would allow it); -EACCES then,
 * else as br__check_path. */
int br__check_path_throw(vm_call_t *c, brk_domain_t d, const char *op, const char *path,
                         char *canon, size_t cap);
/* Opens a canonical path refusing any symlink on the way (the check above
 * must not be raced): fd or -errno. */
int br__open_canonical(const char *canon, int flags, mode_t mode);
/* A canonical folder as an O_PATH descriptor for *at() calls: a root's
 * own (the app, /tmp, a granted mount point: no system call) or a new one
 * opened as br__open_canonical does; -errno. Give it back with
 * br__close_dir, which closes it unless it is a root's. */
int br__open_dir_canonical(const char *canon);
void br__close_dir(int fd);
/* The canonical path's folder, opened that way, and *base its last
 * component ("/" gives "/" itself and "."): 0 or -errno. */
int br__open_parent(const char *canon, int *dirfd, const char **base);
/* lstat of a canonical path through that walk: a symlink anywhere on it,
 * swapped in since the check, is -ELOOP, never followed (a plain stat or
 * lstat of the whole path would follow one in a folder). */
int br__stat_canonical(const char *canon, struct stat *st);
/* The mount points a walk of br__open_canonical may start from (the app,
 * /tmp, the granted folders): once, before guest code runs. */
void br__path_roots_init(const brk_policy_t *p);
/* Canonical path of the link itself: the parent resolved, the last
 * component kept (lstat, unlink, rename, readlink, ...). */
int br__path_canon_nofollow(const char *path, const char *cwd, char *out, size_t cap);

/* The write quota (quota.c). init borrows cfg's policy and paths. */
void br__quota_init(br_quota_t *q, const br_config_t *cfg);
/* Whether writes to canonical path canon count: it lies in a host write grant. */
bool br__quota_counts(const br_quota_t *q, const char *canon);
/* Whether canon is below a write grant bound from the host (quota or not). */
bool br__host_grant(const br_quota_t *q, const char *canon);
/* The process's umask, read without changing it (process.c). */
mode_t br__umask(void);
/* Whether the nearest part of canon that exists (the file may be about to
 * be made) lies on the private /tmp's filesystem: 1, 0 (another: a host
 * folder, or one moved into /tmp by a rename), or -1 when that cannot be
 * told (no private /tmp, nothing of the path readable). */
int br__private_tmp_fs(const br_quota_t *q, const char *canon);
/* Takes bytes and files from the quota, both or neither: 0 or -EDQUOT. */
int br__quota_take(br_quota_t *q, uint64_t bytes, uint64_t files);
/* Gives back what a take reserved and the call did not use. */
void br__quota_give(br_quota_t *q, uint64_t bytes, uint64_t files);
/* uv_err_name / uv_strerror, with a name for EDQUOT (libuv has none). */
const char *br__errno_name(int err);
const char *br__errno_message(int err);

/* Closes every TCP socket still open (net.c): the run is ending. */
void br__net_close(br_rt_t *rt);
/* child.c: the main runtime starts (its reaper of orphans, with a run
 * grant) and ends (the reaper stops); whether pid is a child
 * this process spawned and has not yet waited for, or a descendant (the
 * processes the guest that is pid 1 adopted included). */
void br__child_init(br_rt_t *rt);
void br__child_close(br_rt_t *rt);
bool br__child_owned(long pid);
/* fs.c: whether fd is one of the guest's (0-2, or one it opened). */
bool br__fd_owned(br_rt_t *rt, int64_t fd);
/* fs.c: fd becomes the guest's own (on), as if it had opened it (a
 * descriptor a nested guest was started with), or no longer (off: a net
 * handle took it). */
void br__fd_adopt(br_rt_t *rt, int64_t fd, bool on);
/* fs.c: whether fd's writes count in the write quota. */
bool br__fd_counted(br_rt_t *rt, int64_t fd);
/* Closes every UDP socket still open (dgram.c): the run is ending. */
void br__dgram_close(br_rt_t *rt);
/* Stops every fs.watch handle (watch.c): the run is ending. */
void br__watch_close(br_rt_t *rt);

/* The supervisor's network channel (net.c), for the other bridges
 * (dgram.c). An answer to br__net_ask comes to fn(rt, ctx, cb, res, fd)
 * from the loop (fd: a descriptor handed in, the callee's to close, or
 * -1), also when the supervisor is gone (status -ENETDOWN); cb is freed
 * after it returns, and nothing is delivered once the run is ending. */
struct sockaddr_storage;
typedef void (*br_net_answer_fn)(br_rt_t *rt, void *ctx, vm_ref_t cb, const netp_res_t *res,
                                 int fd);
/* Sends q (id and len set here) with payload on the async channel: 0 (cb
 * is kept until the answer), or -errno (cb stays the caller's). */
int br__net_ask(br_rt_t *rt, netp_req_t *q, const void *payload, size_t plen, br_net_answer_fn fn,
                void *ctx, vm_ref_t cb);
/* The sync exchange: 0 with *res (and *fd when one came), or -errno. */
int br__net_sync(br_rt_t *rt, netp_req_t *q, netp_res_t *res, int *fd);
/* ctx is going away: its outstanding answers get ctx NULL. */
void br__net_forget(void *ctx);
/* A request of op for host:port (family 0, 4, 6), the rest zero. */
void br__net_fill_req(netp_req_t *q, unsigned op, const char *host, int port, int family);
/* The address arguments i (ip literal), i+1 (host as given), i+2 (port)
 * checked and decided by the broker for op: 0 with *sa filled and asked
 * (cap 320) the host as decided, or thrown (ERR_ACCESS_DENIED naming the
 * grant, ERR_SOCKET_BAD_PORT, ERR_INVALID_IP_ADDRESS). */
int br__net_target(vm_call_t *c, int i, const char *op, struct sockaddr_storage *sa, char *asked);
/* Returns [address, port, family] of sa (undefined when it is none). */
void br__net_ret_addr(vm_call_t *c, const struct sockaddr_storage *sa);
/* Opens fd (a connected stream socket, taken: closed on failure) into the
 * unopened net handle that is argument i: a child's stdio end (child.c).
 * 0 or -errno. */
int br__net_adopt(vm_call_t *c, int i, int fd);
/* Whether argument i is a net handle with no socket yet (br__net_adopt's). */
bool br__net_unopened(vm_call_t *c, int i);
/* The descriptor of the open net handle that is argument i, or -EBADF
 * (borrowed: a stream handed to a child as its stdio). */
int br__net_fd(vm_call_t *c, int i);

/* Closes the stdin stream if one was opened. */
void br__stdin_close(br_rt_t *rt);

/* Timers/immediates handles: init on the loop, close at the end. */
int br__timers_init(br_rt_t *rt);
void br__timers_close(br_rt_t *rt);

/* Signals (signal.c): the handlers of the run and the wake-up handle;
 * init after the timers, close with them. */
int br__signals_init(br_rt_t *rt);
void br__signals_close(br_rt_t *rt);
void br__shell_close(br_rt_t *rt);
/* Writes all n bytes to fd, waiting when it is non-blocking: n, or -errno. */
ssize_t br__write_all(int fd, const uint8_t *p, size_t n);

extern const vm_table_t br__process_table;
extern const vm_table_t br__signal_table;
extern const vm_table_t br__shell_table;
extern const vm_table_t br__timers_table;
extern const vm_table_t br__task_table;
extern const vm_table_t br__module_table;
extern const vm_table_t br__os_table;
extern const vm_table_t br__crypto_table;
extern const vm_table_t br__crypto_cipher_table;
extern const vm_table_t br__crypto_kex_table;
extern const vm_table_t br__pkey_table; /* crypto_pkey.c: keys, signatures, X.509 */
extern const vm_table_t br__tls_table;

/* ---- OpenSSL, shared by the crypto natives (bridge/crypto.c) ---- */

/* OpenSSL's first queued error as Node reports it: the message
 * "error:<hex>:<library>::<reason>" and the code ERR_OSSL_[<LIB>_]<REASON>. */
typedef struct {
    char message[256];
    char code[128];
} br_ssl_err_t;
struct evp_md_st;
/* OpenSSL initialised for the run (no configuration file is read, only the
 * built-in providers): false when it cannot be. */
bool br__ssl_ready(void);
/* Takes the first queued error (the queue is cleared); false when none. */
bool br__ssl_take(br_ssl_err_t *out);
/* The provider's implementation of a legacy EVP_MD (cipher false) or
 * EVP_CIPHER, fetched once per run and kept (any thread); the legacy one
 * when none can be fetched. */
const void *br__ssl_fetched(const void *legacy, bool cipher);
/* Throws OpenSSL's last error, or `fallback` when the queue is empty. */
void br__throw_ssl(vm_call_t *c, const char *fallback);
/* Ends a crypto job run on libuv's pool: frees the job (free_job(job)),
 * then calls *cb with e's error (or "cancelled") or the malloc'd bytes
 * *out, taken; no call when the runtime is closing. */
void br__ssl_job_done(br_rt_t *rt, vm_ref_t *cb, const br_ssl_err_t *e, bool cancelled,
                      uint8_t **out, size_t len, void (*free_job)(void *), void *job);
/* The digest argument i names (OpenSSL's names and aliases; the provider's
 * implementation, fetched once per run), or NULL. */
const struct evp_md_st *br__digest_named(vm_call_t *c, int i);
/* br__digest_named, or NULL after throwing Node's "Invalid digest: <name>". */
const struct evp_md_st *br__digest_or_throw(vm_call_t *c, int i);
/* The profile's crypto.max_* caps (bridge/crypto_cipher.c): true when
 * value is within cap `which`, else false after throwing a RangeError that
 * names the argument and the profile key. */
enum { BR_CAP_SCRYPT_N, BR_CAP_PBKDF2_ITERATIONS, BR_CAP_PRIME_BITS };
bool br__crypto_cap(vm_call_t *c, int which, const char *name, double value);
extern const vm_table_t br__zlib_table;
extern const vm_table_t br__http_table;
extern const vm_table_t br__net_table;
extern const vm_table_t br__child_table;
extern const vm_table_t br__dgram_table;
extern const vm_table_t br__watch_table;
extern const vm_table_t br__fs_table;
extern const vm_table_t br__worker_table;

#endif
