/*
 * bridge/broker.h — the permission broker: pure policy.
 *
 * A brk_policy_t is built from a profile file (profiles/NAME.profile) plus the
 * command line's grants, and then answers one question for every bridge
 * call: may this operation touch this target? Deny by default. The broker
 * does no I/O but appending to the audit log: callers hand it canonical
 * targets (fs: the absolute path the operation will really touch, resolved
 * by the caller; net: "host:port"; env: a variable name; run: a command).
 *
 * Path rules match on component boundaries: a grant of /app covers /app and
 * /app/x, never /appx. Grants are normalised when they are added ("//",
 * "/./" and a trailing "/" go; ".." is refused), so a rule is always a
 * canonical absolute path.
 *
 * Errors: 0 or a negative errno; profile and grant errors also return a
 * malloc'd one-line message ("file:line: what is wrong") the caller frees.
 */
#ifndef SE_BRIDGE_BROKER_H
#define SE_BRIDGE_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    BRK_FS_READ = 0,
    BRK_FS_WRITE,
    BRK_NET,
    BRK_ENV,
    BRK_RUN,
    BRK_DOMAINS,
} brk_domain_t;

/* sandbox.network: one value now, the guest's own namespace with lo up
 * (its other sockets are the supervisor's, launcher/netd.c); "none" and
 * "host" are refused with a message saying why. */
typedef enum {
    BRK_NETMODE_LOOPBACK = 1,
} brk_netmode_t;

/* The least a run can start with (below, V8 cannot deserialize its
 * snapshot, its platform threads cannot start, or libuv cannot make its
 * loop): a smaller non-zero limit is refused where it is given. 24: the
 * startup snapshot (Node 22's builtins, 6.7 MB) leaves a 16 MB heap at its
 * limit while it starts, where V8's concurrent marking faults. */
#define BRK_MIN_HEAP_MB 24
#define BRK_MIN_PIDS 8
#define BRK_MIN_FDS 16
/* The private /tmp: a size of 0 would be the kernel's default (half the RAM). */
#define BRK_MIN_TMPFS_MB 1

/* The guest seccomp policies the launcher carries (launcher/seccomp/). */
#define BRK_SECCOMP_POLICIES "strict, default"

/* crypto.max_modulus_bits when the profile gives none: an 8192-bit RSA key
 * takes seconds to make, a 16384-bit one minutes. */
#define BRK_DEFAULT_MAX_MODULUS_BITS 8192
#define BRK_MIN_MODULUS_BITS 512
#define BRK_MAX_MODULUS_BITS 65536

/* Limits and OS-sandbox settings a profile carries (0 = none/default). */
typedef struct brk_settings_s {
    size_t heap_mb;
    uint64_t timeout_ms;
    uint64_t cpu_ms;
    size_t tmpfs_mb;
    unsigned pids;
    unsigned fds;
    uint64_t output_bytes;
    uint64_t write_bytes; /* bytes the guest may write into host write grants, 0 none */
    uint64_t write_files; /* entries it may create there, 0 none */
    unsigned namespaces;  /* BRK_NS_* bits */
    char seccomp[32];     /* policy name */
    brk_netmode_t network;
    bool overlay_off; /* sandbox.overlay = off: node_modules through the plain /app bind */
    /* net.resolvers: the DNS servers the supervisor asks, "IP[:PORT],..."
     * with IPv6 as [IP]:PORT ("": the host's resolv.conf) */
    char resolvers[256];
    /* crypto.max_*: what one crypto native may be asked to do, so a guest
     * cannot pin a CPU for minutes in one call (0: no cap) */
    uint64_t crypto_max_scrypt_n;          /* scrypt's cost N */
    uint64_t crypto_max_pbkdf2_iterations; /* PBKDF2's iterations */
    uint64_t crypto_max_prime_bits;        /* generatePrime, DH primes, checkPrime */
    /* crypto.max_modulus_bits: the largest RSA, DSA or DH modulus a key
     * pair may be generated with (0: BRK_DEFAULT_MAX_MODULUS_BITS) */
    uint32_t max_modulus_bits;
    /* tls.extra_ca_certs: a PEM file of extra trusted roots ("": none) */
    char extra_ca_certs[1024];
} brk_settings_t;

/* The crypto caps' defaults: above what Node's tests and common packages
 * ask (bcrypt-like PBKDF2 counts, scrypt N = 2^20, RFC 3526's 8192-bit
 * group). */
#define BRK_DEFAULT_SCRYPT_N (UINT64_C(1) << 20)
#define BRK_DEFAULT_PBKDF2_ITERATIONS UINT64_C(10000000)
#define BRK_DEFAULT_PRIME_BITS UINT64_C(8192)

enum {
    BRK_NS_USER = 1 << 0,
    BRK_NS_MOUNT = 1 << 1,
    BRK_NS_PID = 1 << 2,
    BRK_NS_NET = 1 << 3,
    BRK_NS_IPC = 1 << 4,
    BRK_NS_UTS = 1 << 5,
    BRK_NS_CGROUP = 1 << 6,
    BRK_NS_ALL = (1 << 7) - 1,
};

typedef struct brk_policy_s brk_policy_t;

/* An empty policy: every domain denied, default settings. */
brk_policy_t *brk_policy_new(void);
void brk_policy_free(brk_policy_t *p);

/* Parses profile text into p (grants add; settings set). filename is for
 * messages and origins. Unknown keys, bad values (anything the launcher
 * cannot honour: a namespace set it does not make, a seccomp policy it
 * does not carry, a limit below what a run needs) and keys given twice
 * are errors. A profile that leaves sandbox.namespaces out gets what the
 * launcher makes: every namespace. */
int brk_profile_parse(brk_policy_t *p, const char *text, size_t len, const char *filename,
                      char **err);

/* Adds grants to a domain from a comma-separated list; list NULL or an
 * item "*" grants the whole domain (a bare --allow-read), and the other
 * items stay rules beside it (the host paths the sandbox shows). An fs item
 * with a trailing '/' names a folder (brk_rule_origin's *dir). */
int brk_grant(brk_policy_t *p, brk_domain_t d, const char *list, char **err);
int brk_grant_all(brk_policy_t *p);

/* Where the grants added from now on come from ("--allow-read=/x",
 * "FILE:LINE"; copied; NULL: nowhere said). brk_profile_parse sets its
 * own per line and clears it. -ENOMEM or 0. */
int brk_set_origin(brk_policy_t *p, const char *origin);
/* The origin of rule i of domain d (as brk_path_rules lists them) and
 * whether it was given as a folder; of the domain's "*"; of a settings key
 * ("limits.heap_mb") a profile gave. NULL when unknown or not given. */
const char *brk_rule_origin(const brk_policy_t *p, brk_domain_t d, size_t i, bool *dir);
const char *brk_all_origin(const brk_policy_t *p, brk_domain_t d);
const char *brk_setting_origin(const brk_policy_t *p, const char *key);

/* Rewrites fs rules at or below `from` to lie below `to` (both canonical):
 * how "/app" in a profile names the app folder's real path while no mount
 * namespace shows it at /app. */
int brk_rebase(brk_policy_t *p, const char *from, const char *to);

const brk_settings_t *brk_settings(const brk_policy_t *p);
/* The rules of a domain: *n of them; *all is set when the domain is open to
 * everything, and the rules listed beside "*" stay (for fs: the host paths
 * the sandbox shows). For the sandbox's bind mounts. */
const char *const *brk_path_rules(const brk_policy_t *p, brk_domain_t d, size_t *n, bool *all);
brk_settings_t *brk_settings_mut(brk_policy_t *p);

/* How many decisions refused so far (the guest's --report count), and
 * how many of them in domain d. */
uint64_t brk_denials(const brk_policy_t *p);
uint64_t brk_denials_in(const brk_policy_t *p, brk_domain_t d);

/* Audit: one JSON line per decision to f (borrowed; NULL turns it off).
 *
 * Lines and the log are bounded. A field longer than BRK_AUDIT_FIELD_MAX
 * characters of JSON is cut there, and the line then says
 * "truncated":true and the target's length in bytes ("target_len"). One
 * run (one policy and the processes that inherit it) adds at most
 * BRK_AUDIT_MAX_BYTES to the log, its last line included: when a decision's
 * line would not fit, or a line cannot be written, the log ends with one
 * line saying so ("domain":"audit","op":"stop"), that decision and every
 * later one are refused, and `stop` (brk_set_audit_stop) is called once
 * with the reason. */
#define BRK_AUDIT_MAX_BYTES (UINT64_C(64) << 20)
#define BRK_AUDIT_FIELD_MAX 1024
void brk_set_audit(brk_policy_t *p, FILE *f);
/* The run's id, put on every later line as "run" so runs that append to
 * one log can be told apart: letters, digits, '-' and '_', at most
 * BRK_RUN_ID_MAX of them (-EINVAL otherwise); "" or NULL: none. */
#define BRK_RUN_ID_MAX 64
int brk_set_audit_run(brk_policy_t *p, const char *id);
/* A line that is no decision: the run's start or end ("domain":"audit",
 * op "start" or "end", target what runs, "rule":"run", and "exit_code"
 * when status >= 0). False when the log has ended. */
bool brk_audit_run(brk_policy_t *p, const char *op, const char *target, int status);
/* An allowed access no rule had to decide (the module loader's reads of
 * the app folder: rule names why, e.g. "module-root"). */
bool brk_audit_allowed(brk_policy_t *p, brk_domain_t d, const char *op, const char *target,
                       const char *rule);
/* The OS wall refused what the broker allowed: "allow":false, "rule" why
 * ("host-permissions": the host's file permissions for the sandbox's user;
 * "os-wall": the sandbox's own), "wall":"os", the errno's name and the
 * user's host uid (uid < 0: not known). Not a decision: brk_denials does
 * not count it. Refusals by the broker carry "wall":"broker". */
bool brk_audit_os_refusal(brk_policy_t *p, brk_domain_t d, const char *op, const char *target,
                          const char *errname, const char *rule, long uid);
void brk_set_audit_stop(brk_policy_t *p, void (*stop)(void *arg, const char *why), void *arg);

/* What brk_decide would answer, with no audit line and no count: for
 * sorting what a run is given before it asks (the launcher's copy of the
 * host environment). */
bool brk_allows(const brk_policy_t *p, brk_domain_t d, const char *target);

/* The decision. target must already be canonical (see above). Returns 0
 * (allowed) or -EACCES; *rule (optional) names the rule that decided. */
int brk_decide(brk_policy_t *p, brk_domain_t d, const char *op, const char *target,
               const char **rule);

/* ---- programs ------------------------------------------------------------------
 *
 * A run rule is the canonical path of one program. brk_run_resolve turns
 * each rule into one with resolve(name) (the launcher's: a bare name found
 * on the guest's PATH, `node` the nested guest, every path canonical;
 * a negative errno is the rule's error); two names of one program become
 * one rule. brk_decide(BRK_RUN, op, path) then matches the canonical path
 * of the file about to be executed exactly. */
int brk_run_resolve(brk_policy_t *p,
                    int (*resolve)(const char *name, char *out, size_t cap, void *arg), void *arg,
                    char **err);

/* A shell form's command line (child_process.exec, `shell: true`) when sh
 * is not granted: it runs only if it is one simple command of words and
 * quotes — no operator, redirection, expansion, substitution, pattern,
 * comment, assignment, backslash, newline, nor a word of sh's own first
 * (a reserved word or a builtin with no program of its name). 0 with
 * *words (NULL-terminated; brk_shell_words_free) and *n, the arguments sh
 * would have given the program; else -EINVAL with *why (static text:
 * "an operator", ...) or -ENOMEM. */
int brk_shell_words(const char *line, char ***words, size_t *n, const char **why);
void brk_shell_words_free(char **words);

/* The policy as profile text (the five domains' rules, limits.heap_mb and
 * the write quota) that brk_profile_parse reads back into the same
 * decisions: what a nested guest (process.execPath) starts from. malloc'd;
 * NULL when out of memory. */
char *brk_policy_text(const brk_policy_t *p);
/* The audit log's stream (NULL: none, or stopped): a nested guest writes
 * its lines there too. */
FILE *brk_audit_stream(const brk_policy_t *p);
/* The run's id on the audit lines ("" none: brk_set_audit_run). */
const char *brk_audit_run_id(const brk_policy_t *p);

/* ---- network rules --------------------------------------------------------
 *
 * A net rule is "*", HOST[:PORT], A.B.C.D[:PORT] (the canonical dotted quad
 * only: "127.1" and "0x7f000001" are refused), [IPv6][:PORT], a CIDR range
 * A.B.C.D/N[:PORT] or [IPv6]/N[:PORT] (no bits set past N), or
 * host.internal[:PORT] (the host's loopback). PORT is 1-65535 or "*".
 *
 * Decisions take the host as the guest gave it, the port and, when known,
 * the exact address about to be used (a literal host is its own address):
 *  - the sandbox's loopback (the host "", "localhost", or a loopback or
 *    unspecified literal): "*" or a rule covering it; for a listen, any rule
 *    of localhost, 127.0.0.1 or [::1] with the port or none;
 *  - host.internal: only a host.internal rule with the port or none;
 *  - a metadata address (169.254.169.254, fd00:ec2::254): only a rule of
 *    that exact address, never "*" nor a range;
 *  - a name: a rule of that name or "*", and then the address it resolved
 *    to must be public, or covered by an address or CIDR rule (private,
 *    CGNAT, link-local, ULA); a name resolving to loopback is the host's
 *    own: refused;
 *  - a literal: public needs "*" or an address/CIDR rule covering it, any
 *    other class an address/CIDR rule. IPv4-mapped IPv6 counts as its IPv4
 *    address for the class, not for the rules. */
typedef struct {
    int family; /* 4 or 6 */
    uint8_t a[16];
} brk_ip_t;

typedef enum {
    BRK_ADDR_PUBLIC = 0,
    BRK_ADDR_LOOPBACK,
    BRK_ADDR_PRIVATE, /* 10/8, 172.16/12, 192.168/16 */
    BRK_ADDR_CGNAT,   /* 100.64/10 */
    BRK_ADDR_LINKLOCAL,
    BRK_ADDR_METADATA,
    BRK_ADDR_ULA, /* fc00::/7 */
    BRK_ADDR_UNSPECIFIED,
    BRK_ADDR_MULTICAST,
    BRK_ADDR_RESERVED, /* special-purpose, not globally reachable: 240/4, 198.18/15,
                          192.0.0/24, the documentation ranges, Teredo, ... */
} brk_addr_class_t;

/* The ops that make a listening or bound socket (the loopback rules). */
#define BRK_NET_OP_LISTEN "listen"
#define BRK_NET_OP_BIND "udp-bind"
/* A UDP datagram to host:port, or a UDP socket connected there (dgram). */
#define BRK_NET_OP_SEND "udp-send"

/* A canonical address literal: a dotted quad, or IPv6 with or without
 * brackets (no zone). */
bool brk_ip_parse(const char *s, brk_ip_t *ip);
/* ip as text (IPv6 without brackets) into out; out[0] = 0 on failure. */
void brk_ip_format(const brk_ip_t *ip, char *out, size_t cap);
brk_addr_class_t brk_addr_class(const brk_ip_t *ip);
/* The IPv4 address an IPv6 one carries (IPv4-mapped ::ffff:0:0/96, the
 * well-known NAT64 prefix 64:ff9b::/96, 6to4 2002::/16): true with *v4
 * set, false when it carries none. Both walls count it as that address. */
bool brk_ip_carried_v4(const brk_ip_t *ip, brk_ip_t *v4);
const char *brk_addr_class_name(brk_addr_class_t c);

/* The net decision, audited with "by" (who decides: "guest",
 * "supervisor") and the address when one is given. ip NULL: not known
 * (a name not yet resolved). brk_decide(BRK_NET, op, "host:port") is this
 * with by "guest" and no ip. 0 or -EACCES; *rule names what decided. */
int brk_net_decide(brk_policy_t *p, const char *by, const char *op, const char *host, unsigned port,
                   const brk_ip_t *ip, const char **rule);
/* Could some rule cover a connection to the name host (any port)? For a
 * DNS query of it: nothing is sent for a name no rule could grant. */
bool brk_net_name_granted(const brk_policy_t *p, const char *host);

/* ---- unix domain sockets ---------------------------------------------------
 *
 * A unix socket's address is sun_path's len bytes: an absolute canonical
 * path, or an abstract name ('\0' first, then the name's bytes).
 *  - a path is a file: "listen" makes it (a write grant of the path, as
 *    fs.writeFile), "connect" needs read and write grants of it (Deno's
 *    rule): a read grant of a folder of host sockets (/run) reaches none;
 *  - an abstract name lives in the sandbox's own network namespace, which
 *    nothing of the host's shares: granted, for both ops, by any rule of
 *    the sandbox's loopback (localhost, 127.0.0.1, [::1], with any port)
 *    or "*"; the audit line's target is "unix:@NAME".
 * Where sockets may be made beside the grants (the sandbox's own folders,
 * not a host folder) is the callers' rule. 0, -EACCES (audited, counted),
 * or -EINVAL for an address that is neither (a relative or unnormalised
 * path, a NUL inside a path, len < 2 or > BRK_UNIX_ADDR_MAX). */
#define BRK_UNIX_ADDR_MAX 108 /* sizeof(struct sockaddr_un.sun_path) */
#define BRK_UNIX_LISTEN "listen"
#define BRK_UNIX_CONNECT "connect"
int brk_unix_decide(brk_policy_t *p, const char *by, const char *op, const char *addr, size_t len,
                    const char **rule);

/* Lexical normalisation of an absolute path into out (size cap): collapses
 * "//" and "/./", resolves ".." against the path itself (never above /),
 * drops a trailing "/". -EINVAL if path is not absolute, -ENAMETOOLONG if
 * it does not fit. */
int brk_path_normalize(const char *path, char *out, size_t cap);

/* True if canonical path p is rule or lies below it (component boundary). */
bool brk_path_covers(const char *rule, const char *p);

#ifdef __cplusplus
}
#endif
#endif
