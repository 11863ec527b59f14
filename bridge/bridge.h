/*
 * bridge/bridge.h — the Node.js surface in C, and the runtime that drives it.
 *
 * A br_rt_t is one guest run: a vm from the startup snapshot, the libuv loop
 * the launcher hands in, and the handles the bridges own (the timer, the
 * immediate check/idle pair). Each bridge file (process.c, timers.c,
 * module.c, ...) exports one vm_table_t; br_tables() lists them all, in the
 * fixed order the snapshot was built with.
 *
 * Flow of a run: br_rt_new() creates the vm and calls the snapshot's start
 * function with the per-run configuration; br_rt_run() runs the main module,
 * then the loop until nothing referenced is left, then 'beforeExit'/'exit',
 * and returns the exit status. Every entry from C into JS goes through one
 * place (br__invoke) that afterwards runs the nextTick queue and the
 * microtasks, as Node does after each macrotask.
 *
 * Errors: 0 or a negative errno; messages for people in *err (malloc'd).
 */
#ifndef SE_BRIDGE_H
#define SE_BRIDGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "../isolate/vm.h"
#include "broker.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct br_rt_s br_rt_t;

#define BR_QUOTA_SHARED_SIZE 4096

/* The guest's PATH when its environment has none: where a bare program
 * name is looked up, at start (launcher/run.c) and at a spawn (child.c),
 * as glibc's execvp looks. */
#define BR_DEFAULT_PATH "/bin:/usr/bin"

typedef struct br_config_s {
    const char *script; /* path of the main module, or NULL with eval */
    const char *eval;   /* -e CODE, or NULL */
    /* A serve job's code (or NULL): run as the main CommonJS module named
     * filename (a guest path; nothing on disk), its module.exports then
     * the result (br_rt_result). */
    const char *source;
    const char *filename;
    const char *const *args; /* guest arguments after the script */
    size_t nargs;
    const char *exec_path; /* process.execPath / argv[0] */
    const char *argv0;     /* process.argv0 (NULL: "node") */
    const char *cwd;       /* process.cwd() */
    size_t heap_limit_mb;  /* 0: V8's default */
    brk_policy_t *policy;  /* the broker every bridge asks; NULL: no checks */
    /* The app folder: the module loader reads beneath it without asking the
     * broker (the OS wall decides what is there). NULL: it asks too. */
    const char *module_root;
    const char *const *env; /* "NAME=value" the guest may see (filtered) */
    size_t nenv;
    /* The quota of host write grants (bridge/quota.c): bytes written and
     * entries created below policy's write rules; 0 no limit. A rule naming
     * private_tmp (the sandbox's own tmpfs; NULL: none) does not count. */
    uint64_t write_bytes;
    uint64_t write_files;
    const char *private_tmp;
    /* A file of BR_QUOTA_SHARED_SIZE bytes (a memfd) holding the run's
     * quota count (bytes, files: two uint64) that the guest and its nested
     * guests share; below 3: each process counts its own. */
    int quota_fd;
    /* The run's policy as profile text in a sealed memfd
     * ("secure-exec-policy", launcher/nested.h) every process of the run
     * inherits: what a nested guest runs under; below 3: none. */
    int policy_fd;
    /* The guest's user on the host (the sandbox maps its uid there), named
     * when the host's permissions refuse what a grant allowed; 0: not
     * known (the guest is never root on the host). */
    unsigned long host_uid;
    /* The host's terminal, as the guest sees it without holding it: which
     * of its stdout and stderr are terminals on the host, the window's
     * size, Node's colour depth of the host's environment (1, 4, 8, 24;
     * 0 unknown), and with resize the read end of the supervisor's size
     * messages (bridge/signal.c). */
    struct {
        bool stdout_tty, stderr_tty;
        unsigned columns, rows;
        int color_depth;
        bool resize;
        int resize_fd;
    } tty;
    /* The guest's end of the network channel to the supervisor
     * (bridge/netproto.h); a descriptor below 3 (a config that leaves it
     * out): no network, every request is refused with EACCES. */
    int net_fd;
    /* Its second channel, for the requests whose caller waits (a listen,
     * a UDP bind): answered in order, nothing else on it. */
    int net_sync_fd;
    /* The DNS servers the supervisor asks for the guest, as Node's
     * dns.getServers() shows them, comma-separated ("IP", "IP:PORT",
     * "[IPv6]:PORT"); NULL or "": none known. */
    const char *dns_servers;
    /* The PEM text of tls.extra_ca_certs, read by the launcher (NULL:
     * none): roots trusted besides the system's, as NODE_EXTRA_CA_CERTS. */
    const char *extra_ca_pem;
    /* The operator shell (bridge/shell.c): with on, the guest evaluates
     * what the supervisor sends on ctl_fd (a socket, JSON lines) instead
     * of a main module; each byte on intr_fd (a pipe) is a Ctrl-C. */
    struct {
        bool on;
        int ctl_fd, intr_fd;
    } shell;
    /* A nested guest started by fork (or with an 'ipc' stdio entry): its
     * channel to the parent guest (ipc set), at any descriptor (stdio
     * ['inherit', 'ipc', ...] puts it at 1). */
    bool ipc;
    int ipc_fd;
    /* Descriptors above 2 this guest was started with as stdio (a nested
     * guest's stdio entries past 2): its own, as if it had opened them
     * (fs calls, `new net.Socket({fd})`). */
    const int *inherited_fds;
    size_t ninherited;
    /* Node's command-line forms a nested guest is started with
     * (launcher/nested.c): -p prints eval's result, --input-type=module
     * runs it as an ES module, a program read from stdin when there is
     * neither script nor eval, the -r modules loaded first, and the
     * options as process.execArgv shows them. */
    bool print;
    bool input_module;
    bool stdin_script;
    const char *const *preload;
    size_t npreload;
    const char *const *exec_argv;
    size_t nexec_argv;
    /* worker_threads' threadId: 0 the main thread, else a worker's runtime
     * (bridge/worker.c sets it). */
    unsigned thread_id;
} br_config_t;

/* Exit statuses the launcher maps limits to (launcher/README.md). */
enum {
    BR_EXIT_TIMEOUT = 124,
    BR_EXIT_MEMORY = 137,
};

/* All bridge tables in snapshot order. */
const vm_table_t *const *br_tables(size_t *n);

/* Creates the run: vm from snapshot, start(config). Borrows loop, cfg and the
 * snapshot, which must outlive the runtime. */
int br_rt_new(uv_loop_t *loop, const br_config_t *cfg, const uint8_t *snapshot, size_t snapshot_len,
              br_rt_t **out, char **err);
/* serve's pool: before the run's config is known, makes what every run
 * makes first and compiles what its start takes (js/bootstrap/main.js). */
void br_rt_prepare(br_rt_t *rt);
/* Runs the main module and the loop; returns the process exit status. */
int br_rt_run(br_rt_t *rt);
/* After br_rt_run: the limit that ended the run (VM_LIMIT_MEMORY or
 * VM_LIMIT_TIME; anything else is the guest's own end). Prints nothing:
 * the launcher's supervisor prints the limit's line. */
vm_limit_t br_rt_limit(br_rt_t *rt);
/* After br_rt_run: the package an uncaught "Cannot find module" or "Cannot
 * find package" error named (the bootstrap's word; "" none). Borrowed. */
const char *br_rt_missing_package(br_rt_t *rt);
/* The largest JSON of module.exports a serve job returns. */
#define BR_RESULT_MAX (1 << 20)
/* After br_rt_run of a config with source: the JSON of module.exports
 * (NULL: none), or why there is none (NULL: undefined, or the run ended
 * before it could say). Borrowed. */
const char *br_rt_result(br_rt_t *rt, const char **error);
/* Thread-safe: stop the guest (limit reason decides the exit status). */
void br_rt_terminate(br_rt_t *rt, vm_limit_t why);
/* Closes the handles, runs the loop until they are closed, frees the vm. */
void br_rt_free(br_rt_t *rt);

/* Lists the network interfaces now, for os.networkInterfaces() later:
 * called in the sandbox before its seccomp policy, which forbids the
 * addressed netlink request the listing makes. */
void br_os_take_interfaces(void);

/* Calls fn for each child of this process (every thread's, from
 * /proc/self/task/N/children): who a pid 1 or a subreaper may have to
 * wait for. A list longer than one read is finished by the next call. */
void br_each_child(void (*fn)(pid_t pid, void *arg), void *arg);

#ifdef __cplusplus
}
#endif
#endif
