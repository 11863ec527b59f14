/*
 * bridge/broker.c — the permission broker (see broker.h): profile parsing,
 * grants, decisions, audit lines.
 *
 * Invariants: deny by default; every rule stored is validated and, for
 * paths, normalised and canonical; a decision never allocates (so it cannot
 * fail open on memory pressure); nothing here reads the file system. Inputs
 * are untrusted (profile files, command lines, guest targets): every length
 * is capped and every byte checked.
 */
#include "broker.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BRK_MAX_RULES 1024
#define BRK_MAX_LINE 4096
#define BRK_MAX_PATH 4096

typedef struct {
    char **rules;
    char **origins; /* where each rule came from (brk_set_origin), or NULL */
    bool *dirs;     /* given with a trailing '/': a folder */
    size_t n;
    bool all;
    char *all_origin; /* where "*" came from */
} rules_t;

/* The settings keys a profile may give (the order of keys[] below). */
#define BRK_SETTING_KEYS 19

struct brk_policy_s {
    rules_t dom[BRK_DOMAINS];
    brk_settings_t settings;
    char *origin;                           /* of the grants being added */
    char *setting_origin[BRK_SETTING_KEYS]; /* "FILE:LINE" of each setting given */
    FILE *audit;
    char run_id[BRK_RUN_ID_MAX + 1]; /* on every line; empty: none */
    uint64_t audit_bytes;            /* added to the log by this run */
    /* Worker threads (bridge/worker.c) decide on the same policy: their
     * lines are written whole, one at a time, and the counts are atomic. */
    pthread_mutex_t audit_mu;
    _Atomic bool audit_stopped; /* the log ended: every decision is refused */
    void (*audit_stop)(void *arg, const char *why);
    void *audit_stop_arg;
    _Atomic uint64_t denials;                 /* decisions that refused */
    _Atomic uint64_t denials_in[BRK_DOMAINS]; /* the same, by domain */
};

static const char *const domain_names[BRK_DOMAINS] = {"fs", "fs", "net", "env", "run"};

__attribute__((format(printf, 2, 3))) static int fail(char **err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(err, fmt, ap) < 0)
            *err = NULL;
        va_end(ap);
    }
    return -EINVAL;
}

brk_policy_t *brk_policy_new(void)
{
    brk_policy_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->audit_mu, NULL);
    /* Defaults for what a profile leaves out: the strict shape. */
    p->settings.heap_mb = 128;
    p->settings.tmpfs_mb = 64;
    p->settings.pids = 64;
    p->settings.fds = 256;
    p->settings.output_bytes = 16u << 20;
    p->settings.write_bytes = 64u << 20;
    p->settings.write_files = 1000;
    p->settings.namespaces = BRK_NS_ALL;
    snprintf(p->settings.seccomp, sizeof p->settings.seccomp, "%s", "strict");
    p->settings.network = BRK_NETMODE_LOOPBACK;
    p->settings.crypto_max_scrypt_n = BRK_DEFAULT_SCRYPT_N;
    p->settings.crypto_max_pbkdf2_iterations = BRK_DEFAULT_PBKDF2_ITERATIONS;
    p->settings.crypto_max_prime_bits = BRK_DEFAULT_PRIME_BITS;
    return p;
}

void brk_policy_free(brk_policy_t *p)
{
    if (!p)
        return;
    for (int d = 0; d < BRK_DOMAINS; d++) {
        for (size_t i = 0; i < p->dom[d].n; i++) {
            free(p->dom[d].rules[i]);
            free(p->dom[d].origins[i]);
        }
        free(p->dom[d].rules);
        free(p->dom[d].origins);
        free(p->dom[d].dirs);
        free(p->dom[d].all_origin);
    }
    for (int k = 0; k < BRK_SETTING_KEYS; k++)
        free(p->setting_origin[k]);
    free(p->origin);
    pthread_mutex_destroy(&p->audit_mu);
    free(p);
}

const brk_settings_t *brk_settings(const brk_policy_t *p)
{
    return &p->settings;
}

brk_settings_t *brk_settings_mut(brk_policy_t *p)
{
    return &p->settings;
}

uint64_t brk_denials(const brk_policy_t *p)
{
    return p->denials;
}

uint64_t brk_denials_in(const brk_policy_t *p, brk_domain_t d)
{
    return (unsigned)d < BRK_DOMAINS ? p->denials_in[d] : 0;
}

void brk_set_audit(brk_policy_t *p, FILE *f)
{
    p->audit = f;
}

int brk_set_audit_run(brk_policy_t *p, const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n > BRK_RUN_ID_MAX)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
            return -EINVAL;
    memcpy(p->run_id, id ? id : "", n + 1);
    return 0;
}

void brk_set_audit_stop(brk_policy_t *p, void (*stop)(void *arg, const char *why), void *arg)
{
    p->audit_stop = stop;
    p->audit_stop_arg = arg;
}

int brk_set_origin(brk_policy_t *p, const char *origin)
{
    char *o = NULL;
    if (origin && !(o = strdup(origin)))
        return -ENOMEM;
    free(p->origin);
    p->origin = o;
    return 0;
}

/* Opens domain d to everything; the first origin given is kept. */
static int grant_all(brk_policy_t *p, brk_domain_t d)
{
    rules_t *r = &p->dom[d];
    r->all = true;
    if (!r->all_origin && p->origin && !(r->all_origin = strdup(p->origin)))
        return -ENOMEM;
    return 0;
}

int brk_grant_all(brk_policy_t *p)
{
    for (int d = 0; d < BRK_DOMAINS; d++)
        if (grant_all(p, (brk_domain_t)d) < 0)
            return -ENOMEM;
    return 0;
}

const char *brk_rule_origin(const brk_policy_t *p, brk_domain_t d, size_t i, bool *dir)
{
    if (d < 0 || d >= BRK_DOMAINS || i >= p->dom[d].n)
        return NULL;
    if (dir)
        *dir = p->dom[d].dirs[i];
    return p->dom[d].origins[i];
}

const char *brk_all_origin(const brk_policy_t *p, brk_domain_t d)
{
    return d >= 0 && d < BRK_DOMAINS && p->dom[d].all ? p->dom[d].all_origin : NULL;
}

/* ---- paths --------------------------------------------------------------- */

int brk_path_normalize(const char *path, char *out, size_t cap)
{
    if (!path || path[0] != '/')
        return -EINVAL;
    if (cap < 2)
        return -ENAMETOOLONG;
    size_t o = 0;
    out[o++] = '/';
    const char *s = path;
    while (*s) {
        while (*s == '/')
            s++;
        if (!*s)
            break;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t n = (size_t)(e - s);
        if (n == 1 && s[0] == '.') {
            /* nothing */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            while (o > 1 && out[o - 1] != '/')
                o--;
            if (o > 1)
                o--; /* the slash before the dropped component */
        } else {
            if (o > 1) {
                if (o + 1 >= cap)
                    return -ENAMETOOLONG;
                out[o++] = '/';
            }
            if (o + n >= cap)
                return -ENAMETOOLONG;
            memcpy(out + o, s, n);
            o += n;
        }
        s = e;
    }
    out[o] = '\0';
    return 0;
}

bool brk_path_covers(const char *rule, const char *p)
{
    if (!rule || !p)
        return false;
    if (rule[0] == '/' && rule[1] == '\0')
        return p[0] == '/';
    size_t n = strlen(rule);
    return strncmp(rule, p, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/* ---- validating one grant ------------------------------------------------- */

static bool has_dotdot(const char *path)
{
    for (const char *s = path; *s;) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        if (e - s == 2 && s[0] == '.' && s[1] == '.')
            return true;
        s = e;
    }
    return false;
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

/* ---- net rules ------------------------------------------------------------ */

typedef enum { NR_NAME, NR_IP, NR_CIDR } netrule_kind_t;

typedef struct {
    netrule_kind_t kind;
    char name[254]; /* NR_NAME */
    brk_ip_t ip;    /* NR_IP, NR_CIDR */
    unsigned bits;  /* NR_CIDR */
    int port;       /* -1: any */
} netrule_t;

bool brk_ip_parse(const char *s, brk_ip_t *ip)
{
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(s);
    if (n >= sizeof buf)
        return false;
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, s, ip->a) == 1) {
        ip->family = 4;
        return true;
    }
    if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
        memcpy(buf, s + 1, n - 2);
        buf[n - 2] = '\0';
        s = buf;
    }
    if (inet_pton(AF_INET6, s, ip->a) == 1) {
        ip->family = 6;
        return true;
    }
    return false;
}

void brk_ip_format(const brk_ip_t *ip, char *out, size_t cap)
{
    int af = ip->family == 4 ? AF_INET : AF_INET6;
    if ((ip->family != 4 && ip->family != 6) || !inet_ntop(af, ip->a, out, (socklen_t)cap))
        if (cap)
            out[0] = '\0';
}

/* Whether the first `bits` bits of a and b agree. */
static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, whole) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

/* IPv4 special-purpose blocks that are no public address (RFC 6890's
 * registry: not globally reachable), beyond the classes named apart. */
static bool v4_reserved(const uint8_t *a)
{
    return (a[0] == 192 && a[1] == 0 && a[2] == 0) ||    /* 192.0.0/24 */
           (a[0] == 192 && a[1] == 0 && a[2] == 2) ||    /* TEST-NET-1 */
           (a[0] == 198 && (a[1] & 0xfe) == 18) ||       /* 198.18/15 */
           (a[0] == 198 && a[1] == 51 && a[2] == 100) || /* TEST-NET-2 */
           (a[0] == 203 && a[1] == 0 && a[2] == 113) ||  /* TEST-NET-3 */
           a[0] >= 240;                                  /* 240/4, broadcast */
}

bool brk_ip_carried_v4(const brk_ip_t *ip, brk_ip_t *v4)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t *a = ip->a;
    if (ip->family != 6 ||
        (memcmp(a, mapped, 12) && memcmp(a, nat64, 12) && !(a[0] == 0x20 && a[1] == 0x02)))
        return false;
    memset(v4, 0, sizeof *v4);
    v4->family = 4;
    memcpy(v4->a, a[0] == 0x20 ? a + 2 : a + 12, 4);
    return true;
}

brk_addr_class_t brk_addr_class(const brk_ip_t *ip)
{
    static const uint8_t zero[16] = {0};
    const uint8_t *a = ip->a;
    brk_ip_t v4;
    if (brk_ip_carried_v4(ip, &v4)) /* it counts as that IPv4 address */
        return brk_addr_class(&v4);
    if (ip->family == 4) {
        if (a[0] == 0 && !a[1] && !a[2] && !a[3])
            return BRK_ADDR_UNSPECIFIED;
        if (a[0] == 127)
            return BRK_ADDR_LOOPBACK;
        if (a[0] == 169 && a[1] == 254)
            return a[2] == 169 && a[3] == 254 ? BRK_ADDR_METADATA : BRK_ADDR_LINKLOCAL;
        if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168))
            return BRK_ADDR_PRIVATE;
        if (a[0] == 100 && (a[1] & 0xc0) == 64)
            return BRK_ADDR_CGNAT;
        if (a[0] == 0) /* "this network" */
            return BRK_ADDR_PRIVATE;
        if (v4_reserved(a))
            return BRK_ADDR_RESERVED;
        if (a[0] >= 224)
            return BRK_ADDR_MULTICAST;
        return BRK_ADDR_PUBLIC;
    }
    static const uint8_t ec2[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x54};
    if (!memcmp(a, zero, 16))
        return BRK_ADDR_UNSPECIFIED;
    if (!memcmp(a, zero, 15) && a[15] == 1)
        return BRK_ADDR_LOOPBACK;
    if (!memcmp(a, ec2, 16))
        return BRK_ADDR_METADATA;
    if ((a[0] & 0xfe) == 0xfc)
        return BRK_ADDR_ULA;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return BRK_ADDR_LINKLOCAL;
    if (a[0] == 0xff)
        return BRK_ADDR_MULTICAST;
    if (!memcmp(a, zero, 12)) /* the old IPv4-compatible form */
        return BRK_ADDR_PRIVATE;
    /* 64:ff9b:1::/48 (local NAT64), 100::/64 (discard), 2001::/23 (IETF
     * assignments: Teredo, benchmarking, ...), 2001:db8::/32 (documentation) */
    if ((a[0] == 0 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) ||
        (a[0] == 1 && !a[1] && !memcmp(a + 2, zero, 6)) ||
        (a[0] == 0x20 && a[1] == 0x01 && (a[2] & 0xfe) == 0) ||
        (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8))
        return BRK_ADDR_RESERVED;
    return BRK_ADDR_PUBLIC;
}

const char *brk_addr_class_name(brk_addr_class_t c)
{
    static const char *const names[] = {"public",     "loopback", "private", "cgnat",
                                        "link-local", "metadata", "ula",     "unspecified",
                                        "multicast",  "reserved"};
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

/* A port after a rule's host: "", "*" (any) or 1-65535. */
static int netrule_port(const char *s, const char *item, int *port, char **err)
{
    *port = -1;
    if (!*s || !strcmp(s, "*"))
        return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || !isdigit((unsigned char)*s) || v < 1 || v > 65535)
        return fail(err, "bad port in '%.200s'", item);
    *port = (int)v;
    return 0;
}

/* A CIDR length after '/' up to ':' or the end; sets *rest past it. */
static int netrule_bits(const char *s, const char *item, unsigned max, unsigned *bits,
                        const char **rest, char **err)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 3 || (s[n] && s[n] != ':'))
        return fail(err,
                    "'%.200s' has a '/': give host, host:port or an address range "
                    "(A.B.C.D/N, [IPv6]/N), not a path",
                    item);
    unsigned v = (unsigned)strtoul(s, NULL, 10);
    if (v > max)
        return fail(err, "bad prefix length in '%.200s' (at most %u)", item, max);
    *bits = v;
    *rest = s[n] == ':' ? s + n + 1 : s + n;
    return 0;
}

/* Checks a range's address has no bits past its length. */
static int netrule_range(netrule_t *r, const char *item, char **err)
{
    brk_ip_t masked = {.family = r->ip.family};
    unsigned whole = r->bits / 8, rest = r->bits % 8;
    memcpy(masked.a, r->ip.a, whole);
    if (rest)
        masked.a[whole] = (uint8_t)(r->ip.a[whole] & (0xff << (8 - rest)));
    if (memcmp(masked.a, r->ip.a, 16) != 0) {
        char txt[INET6_ADDRSTRLEN];
        brk_ip_format(&masked, txt, sizeof txt);
        return fail(err, "'%.200s' has address bits past /%u (the range is %s%s%s/%u)", item,
                    r->bits, r->ip.family == 6 ? "[" : "", txt, r->ip.family == 6 ? "]" : "",
                    r->bits);
    }
    return 0;
}

/* One net rule (not "*") into r: the forms broker.h lists. */
static int netrule_parse(const char *item, netrule_t *r, char **err)
{
    memset(r, 0, sizeof *r);
    r->port = -1;
    const char *scheme = strstr(item, "://");
    if (scheme) {
        const char *a = scheme + 3;
        size_t an = strcspn(a, "/?#");
        return fail(err,
                    "'%.200s' is a URL: give host or host:port (here '%.*s'), not a scheme "
                    "or a path",
                    item, (int)(an > 200 ? 200 : an), a);
    }
    char host[256];
    const char *rest;
    if (item[0] == '[') {
        const char *e = strchr(item, ']');
        size_t hn = e ? (size_t)(e - item - 1) : 0;
        if (!e || hn == 0 || hn >= sizeof host)
            return fail(err, "bad IPv6 host in '%.200s'", item);
        memcpy(host, item + 1, hn);
        host[hn] = '\0';
        if (inet_pton(AF_INET6, host, r->ip.a) != 1)
            return fail(err, "bad IPv6 host in '%.200s'", item);
        r->ip.family = 6;
        r->kind = NR_IP;
        rest = e + 1;
        if (*rest == '/') {
            r->kind = NR_CIDR;
            if (netrule_bits(rest + 1, item, 128, &r->bits, &rest, err) < 0)
                return -EINVAL;
            if (netrule_range(r, item, err) < 0)
                return -EINVAL;
        } else if (*rest == ':') {
            rest++;
        } else if (*rest) {
            return fail(err, "junk after host in '%.200s'", item);
        }
        return netrule_port(rest, item, &r->port, err);
    }
    size_t hn = strcspn(item, ":/");
    if (hn == 0 || hn > 253)
        return fail(err, "bad host in '%.200s'", item);
    memcpy(host, item, hn);
    host[hn] = '\0';
    for (const char *c = host; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != '_' && *c != '*')
            return fail(err, "bad host in '%.200s'", item);
    struct in_addr loose;
    if (inet_pton(AF_INET, host, r->ip.a) == 1) {
        r->ip.family = 4;
        r->kind = NR_IP;
    } else if (inet_aton(host, &loose) || strspn(host, "0123456789.") == hn) {
        return fail(err,
                    "'%.200s' is not a canonical IPv4 address: write it as four decimal "
                    "numbers, A.B.C.D",
                    item);
    } else {
        r->kind = NR_NAME;
        memcpy(r->name, host, hn + 1);
    }
    rest = item + hn;
    if (*rest == '/') {
        if (r->kind != NR_IP) {
            if (strspn(rest + 1, "0123456789") > 0)
                return fail(err, "'%.200s': a range needs an address (A.B.C.D/N), not a name",
                            item);
            return fail(err, "'%.200s' has a '/': give host or host:port, not a path", item);
        }
        r->kind = NR_CIDR;
        if (netrule_bits(rest + 1, item, 32, &r->bits, &rest, err) < 0)
            return -EINVAL;
        if (netrule_range(r, item, err) < 0)
            return -EINVAL;
    } else if (*rest == ':') {
        rest++;
    }
    return netrule_port(rest, item, &r->port, err);
}

/* Checks and canonicalises one item of domain d into a new string. */
static int make_rule(brk_domain_t d, const char *item, char **rule, char **err)
{
    *rule = NULL;
    size_t n = strlen(item);
    if (n == 0)
        return fail(err, "empty entry");
    if (!printable(item))
        return fail(err, "control character in '%.64s'", item);
    switch (d) {
    case BRK_FS_READ:
    case BRK_FS_WRITE: {
        if (item[0] != '/')
            return fail(err, "'%.200s' is not an absolute path", item);
        if (has_dotdot(item))
            return fail(err, "'%.200s' contains '..'", item);
        char buf[BRK_MAX_PATH];
        if (brk_path_normalize(item, buf, sizeof buf) < 0)
            return fail(err, "path too long");
        *rule = strdup(buf);
        break;
    }
    case BRK_NET: {
        netrule_t nr;
        if (netrule_parse(item, &nr, err) < 0)
            return -EINVAL;
        *rule = strdup(item);
        break;
    }
    case BRK_ENV: {
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)item[i];
            bool ok = isalpha(c) || c == '_' || (i > 0 && isdigit(c)) || (c == '*' && i == n - 1);
            if (!ok)
                return fail(err, "'%.200s' is not a variable name (NAME or NAME*)", item);
        }
        *rule = strdup(item);
        break;
    }
    case BRK_RUN:
        if (n > 255)
            return fail(err, "command name too long");
        for (size_t i = 0; i < n; i++)
            if (isspace((unsigned char)item[i]))
                return fail(err, "space in command '%.200s'", item);
        *rule = strdup(item);
        break;
    case BRK_DOMAINS:
    default:
        return fail(err, "no such domain");
    }
    return *rule ? 0 : -ENOMEM;
}

/* Takes rule (a new string); the first origin of a rule given twice is
 * kept, and a trailing '/' in either makes it a folder. */
static int add_rule(rules_t *r, char *rule, const char *origin, bool dir, char **err)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->rules[i], rule)) {
            free(rule);
            r->dirs[i] = r->dirs[i] || dir;
            return 0;
        }
    if (r->n >= BRK_MAX_RULES) {
        free(rule);
        return fail(err, "more than %d entries", BRK_MAX_RULES);
    }
    char *o = NULL;
    char **nr = realloc(r->rules, (r->n + 1) * sizeof *nr);
    if (nr)
        r->rules = nr;
    char **no = nr ? realloc(r->origins, (r->n + 1) * sizeof *no) : NULL;
    if (no)
        r->origins = no;
    bool *nd = no ? realloc(r->dirs, (r->n + 1) * sizeof *nd) : NULL;
    if (nd)
        r->dirs = nd;
    if (!nd || (origin && !(o = strdup(origin)))) {
        free(rule);
        return -ENOMEM;
    }
    r->rules[r->n] = rule;
    r->origins[r->n] = o;
    r->dirs[r->n++] = dir;
    return 0;
}

int brk_grant(brk_policy_t *p, brk_domain_t d, const char *list, char **err)
{
    if (d < 0 || d >= BRK_DOMAINS)
        return fail(err, "no such domain");
    if (!list)
        return grant_all(p, d);
    char *copy = strdup(list);
    if (!copy)
        return -ENOMEM;
    int r = 0;
    bool blank = true; /* a blank list grants nothing; an empty entry in a list is a mistake */
    for (const char *c = list; *c && blank; c++)
        blank = isspace((unsigned char)*c);
    for (const char *c = list, *start = list; !blank; c++) { /* before anything is granted */
        if (*c != ',' && *c)
            continue;
        const char *e = c;
        while (start < e && isspace((unsigned char)*start))
            start++;
        if (start == e) {
            free(copy);
            return fail(err, "an empty entry in '%s' (a stray comma?)", list);
        }
        if (!*c)
            break;
        start = c + 1;
    }
    char *next = copy;
    for (char *item; (item = strsep(&next, ",")) != NULL;) {
        while (isspace((unsigned char)*item))
            item++;
        char *end = item + strlen(item);
        while (end > item && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (!*item)
            continue;             /* a blank list */
        if (!strcmp(item, "*")) { /* everything, beside the host paths listed with it */
            if ((r = grant_all(p, d)) < 0)
                break;
            continue;
        }
        char *rule;
        if ((r = make_rule(d, item, &rule, err)) < 0)
            break;
        bool dir = (d == BRK_FS_READ || d == BRK_FS_WRITE) && end - item > 1 && end[-1] == '/';
        if ((r = add_rule(&p->dom[d], rule, p->origin, dir, err)) < 0)
            break;
    }
    free(copy);
    return r;
}

const char *const *brk_path_rules(const brk_policy_t *p, brk_domain_t d, size_t *n, bool *all)
{
    *all = p->dom[d].all;
    *n = p->dom[d].n;
    return (const char *const *)p->dom[d].rules;
}

int brk_rebase(brk_policy_t *p, const char *from, const char *to)
{
    size_t nf = strlen(from);
    for (int d = BRK_FS_READ; d <= BRK_FS_WRITE; d++) {
        rules_t *r = &p->dom[d];
        for (size_t i = 0; i < r->n; i++) {
            if (!brk_path_covers(from, r->rules[i]))
                continue;
            const char *rest = r->rules[i] + (nf == 1 ? 0 : nf);
            char *nr;
            if (asprintf(&nr, "%s%s", (to[1] == '\0' && *rest) ? "" : to, rest) < 0)
                return -ENOMEM;
            free(r->rules[i]);
            r->rules[i] = nr;
        }
    }
    return 0;
}

/* ---- profiles ------------------------------------------------------------- */

enum {
    K_FS_READ,
    K_FS_WRITE,
    K_NET,
    K_ENV,
    K_RUN,
    K_HEAP,
    K_TIMEOUT,
    K_CPU,
    K_TMPFS,
    K_PIDS,
    K_FDS,
    K_OUTPUT,
    K_WRITE_BYTES,
    K_WRITE_FILES,
    K_NAMESPACES,
    K_SECCOMP,
    K_NETWORK,
    K_OVERLAY,
    K_RESOLVERS,
    K_CRYPTO_SCRYPT_N,
    K_CRYPTO_PBKDF2_ITERATIONS,
    K_CRYPTO_PRIME_BITS,
    K_MODULUS,
    K_EXTRA_CA,
    K_COUNT,
};

static const char *const keys[K_COUNT] = {
    "fs.read",
    "fs.write",
    "net.allow",
    "env.allow",
    "run.allow",
    "limits.heap_mb",
    "limits.timeout_ms",
    "limits.cpu_ms",
    "limits.tmpfs_mb",
    "limits.pids",
    "limits.fds",
    "limits.output_bytes",
    "limits.write_bytes",
    "limits.write_files",
    "sandbox.namespaces",
    "sandbox.seccomp",
    "sandbox.network",
    "sandbox.overlay",
    "net.resolvers",
    "crypto.max_scrypt_n",
    "crypto.max_pbkdf2_iterations",
    "crypto.max_prime_bits",
    "crypto.max_modulus_bits",
    "tls.extra_ca_certs",
};

static int parse_u64(const char *v, uint64_t max, uint64_t *out)
{
    if (!*v || !isdigit((unsigned char)v[0]))
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || *end || x > max)
        return -EINVAL;
    *out = x;
    return 0;
}

/* The slot of settings key k in setting_origin[]. */
#define SETTING(k) ((k)-K_HEAP)
_Static_assert(K_COUNT - K_HEAP == BRK_SETTING_KEYS, "BRK_SETTING_KEYS");

const char *brk_setting_origin(const brk_policy_t *p, const char *key)
{
    for (int k = K_HEAP; k < K_COUNT; k++)
        if (!strcmp(key, keys[k]))
            return p->setting_origin[SETTING(k)];
    return NULL;
}

static int set_namespaces(brk_settings_t *s, const char *v, char **why)
{
    static const struct {
        const char *name;
        unsigned bit;
    } ns[] = {{"user", BRK_NS_USER},    {"mount", BRK_NS_MOUNT}, {"pid", BRK_NS_PID},
              {"net", BRK_NS_NET},      {"ipc", BRK_NS_IPC},     {"uts", BRK_NS_UTS},
              {"cgroup", BRK_NS_CGROUP}};
    unsigned bits = 0;
    const char *s0 = v;
    while (*s0) {
        const char *e = strchr(s0, ',');
        size_t n = e ? (size_t)(e - s0) : strlen(s0);
        while (n && isspace((unsigned char)*s0)) {
            s0++;
            n--;
        }
        while (n && isspace((unsigned char)s0[n - 1]))
            n--;
        bool found = false;
        for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
            if (strlen(ns[i].name) == n && !strncmp(ns[i].name, s0, n)) {
                bits |= ns[i].bit;
                found = true;
            }
        if (!found && n) {
            fail(why, "unknown namespace '%.*s' (user, mount, pid, net, ipc, uts, cgroup)",
                 (int)(n > 32 ? 32 : n), s0);
            return -EINVAL;
        }
        if (!e)
            break;
        s0 = e + 1;
    }
    s->namespaces = bits;
    return 0;
}

/* net.resolvers: a comma-separated list of IPv4[:PORT] and [IPv6][:PORT]
 * (canonical addresses, ports 1-65535), kept in c-ares' own syntax. */
static int set_resolvers(brk_settings_t *s, const char *v, char **why)
{
    char out[sizeof s->resolvers];
    size_t o = 0;
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        char item[80], host[64];
        if (!n || n >= sizeof item)
            return fail(why, "net.resolvers: '%.*s' is no resolver (IP[:PORT] or [IPv6][:PORT])",
                        (int)(n > 64 ? 64 : n), p);
        memcpy(item, p, n);
        item[n] = '\0';
        const char *port = NULL;
        if (item[0] == '[') {
            char *rb = strchr(item, ']');
            if (!rb || (rb[1] && rb[1] != ':'))
                return fail(why, "net.resolvers: '%s' is no resolver ([IPv6][:PORT])", item);
            snprintf(host, sizeof host, "%.*s", (int)(rb - item - 1), item + 1);
            port = rb[1] ? rb + 2 : NULL;
        } else {
            char *c = strchr(item, ':');
            snprintf(host, sizeof host, "%.*s", (int)(c ? c - item : (long)n), item);
            port = c ? c + 1 : NULL;
        }
        brk_ip_t ip;
        uint64_t pv = 53;
        if (!brk_ip_parse(host, &ip) || (item[0] == '[') != (ip.family == 6))
            return fail(why,
                        "net.resolvers: '%s' is no IP address (a resolver is IP[:PORT], "
                        "IPv6 as [IP]:PORT)",
                        item);
        if (port && parse_u64(port, 65535, &pv) < 0)
            return fail(why, "net.resolvers: '%s': the port must be 1-65535", item);
        if (!pv)
            return fail(why, "net.resolvers: '%s': the port must be 1-65535", item);
        int w = snprintf(out + o, sizeof out - o, "%s%s%s%s:%u", o ? "," : "",
                         ip.family == 6 ? "[" : "", host, ip.family == 6 ? "]" : "", (unsigned)pv);
        if (w < 0 || (size_t)w >= sizeof out - o)
            return fail(why, "net.resolvers: the list is too long (%zu bytes at most)",
                        sizeof out - 1);
        o += (size_t)w;
        if (!e)
            break;
        p = e + 1;
    }
    memcpy(s->resolvers, out, o + 1);
    if (!o)
        s->resolvers[0] = '\0';
    return 0;
}

static int set_key(brk_policy_t *p, int k, const char *v, char **why)
{
    brk_settings_t *s = &p->settings;
    uint64_t x;
    switch (k) {
    case K_FS_READ:
    case K_FS_WRITE:
    case K_NET:
    case K_ENV:
    case K_RUN:
        return *v ? brk_grant(p, (brk_domain_t)k, v, why) : 0;
    case K_HEAP:
    case K_TMPFS:
        if (parse_u64(v, 1u << 20, &x) < 0)
            return fail(why, "'%.64s' is not a size in MB (%d to 1048576)", v,
                        k == K_HEAP ? BRK_MIN_HEAP_MB : BRK_MIN_TMPFS_MB);
        if (x < (k == K_HEAP ? BRK_MIN_HEAP_MB : BRK_MIN_TMPFS_MB))
            return fail(why, "'%.64s' is too small: at least %d MB", v,
                        k == K_HEAP ? BRK_MIN_HEAP_MB : BRK_MIN_TMPFS_MB);
        *(k == K_HEAP ? &s->heap_mb : &s->tmpfs_mb) = (size_t)x;
        return 0;
    case K_TIMEOUT:
    case K_CPU:
        if (parse_u64(v, UINT64_C(1) << 40, &x) < 0)
            return fail(why, "'%.64s' is not a time in ms", v);
        *(k == K_TIMEOUT ? &s->timeout_ms : &s->cpu_ms) = x;
        return 0;
    case K_PIDS:
    case K_FDS:
        if (parse_u64(v, 1u << 20, &x) < 0)
            return fail(why, "'%.64s' is not a count (0 to 1048576)", v);
        if (x && x < (k == K_PIDS ? BRK_MIN_PIDS : BRK_MIN_FDS))
            return fail(why, "'%.64s' is too small: at least %d (0: no limit)", v,
                        k == K_PIDS ? BRK_MIN_PIDS : BRK_MIN_FDS);
        *(k == K_PIDS ? &s->pids : &s->fds) = (unsigned)x;
        return 0;
    case K_OUTPUT:
    case K_WRITE_BYTES:
        if (parse_u64(v, UINT64_C(1) << 40, &x) < 0)
            return fail(why, "'%.64s' is not a byte count (0 to 2^40)", v);
        *(k == K_OUTPUT ? &s->output_bytes : &s->write_bytes) = x;
        return 0;
    case K_WRITE_FILES:
        if (parse_u64(v, UINT64_C(1) << 32, &x) < 0)
            return fail(why, "'%.64s' is not a count (0 to 2^32)", v);
        s->write_files = x;
        return 0;
    case K_NAMESPACES:
        return set_namespaces(s, v, why);
    case K_SECCOMP: {
        /* the guest policies the launcher carries (launcher/seccomp/) */
        static const char *const policies[] = {"strict", "default"};
        for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
            if (!strcmp(v, policies[i])) {
                snprintf(s->seccomp, sizeof s->seccomp, "%s", policies[i]);
                return 0;
            }
        return fail(why, "no seccomp policy named '%.32s' (%s)", v, BRK_SECCOMP_POLICIES);
    }
    case K_NETWORK:
        /* one value: the guest's own namespace with lo; every other socket
         * is the supervisor's (launcher/netd.c) under net.allow */
        if (!strcmp(v, "loopback"))
            s->network = BRK_NETMODE_LOOPBACK;
        else if (!strcmp(v, "host"))
            return fail(why, "'host' is gone: the guest never shares the host's network "
                             "namespace (a socket made there could be pointed anywhere); its "
                             "connections are made by the supervisor under net.allow (net.allow "
                             "= * for the open network), so write sandbox.network = loopback");
        else if (!strcmp(v, "none"))
            return fail(why, "'none' is gone: the guest's own network namespace always has lo, "
                             "and net.allow decides every socket (leave net.allow empty for no "
                             "network), so write sandbox.network = loopback");
        else
            return fail(why, "network must be loopback, not '%.32s'", v);
        return 0;
    case K_RESOLVERS:
        return set_resolvers(s, v, why);
    case K_CRYPTO_SCRYPT_N:
    case K_CRYPTO_PBKDF2_ITERATIONS:
    case K_CRYPTO_PRIME_BITS: {
        /* the caps of one crypto call's work; 0: none */
        static const uint64_t max[] = {UINT64_C(1) << 32, UINT64_C(1) << 31, UINT64_C(1) << 20};
        uint64_t m = max[k - K_CRYPTO_SCRYPT_N];
        if (parse_u64(v, m, &x) < 0)
            return fail(why, "'%.64s' is not a count (0 to %" PRIu64 ", 0: no cap)", v, m);
        *(k == K_CRYPTO_SCRYPT_N            ? &s->crypto_max_scrypt_n
          : k == K_CRYPTO_PBKDF2_ITERATIONS ? &s->crypto_max_pbkdf2_iterations
                                            : &s->crypto_max_prime_bits) = x;
        return 0;
    }
    case K_MODULUS:
        if (parse_u64(v, BRK_MAX_MODULUS_BITS, &x) < 0 || x < BRK_MIN_MODULUS_BITS)
            return fail(why, "'%.64s' is not a modulus size in bits (%d to %d)", v,
                        BRK_MIN_MODULUS_BITS, BRK_MAX_MODULUS_BITS);
        s->max_modulus_bits = (uint32_t)x;
        return 0;
    case K_EXTRA_CA:
        /* a PEM file of roots the guest trusts besides the system's (Node's
         * NODE_EXTRA_CA_CERTS): the launcher reads it as the operator */
        if (*v && v[0] != '/')
            return fail(why, "tls.extra_ca_certs must be an absolute path, not '%.64s'", v);
        if (strlen(v) >= sizeof s->extra_ca_certs)
            return fail(why, "tls.extra_ca_certs: the path is too long");
        memcpy(s->extra_ca_certs, v, strlen(v) + 1);
        return 0;
    case K_OVERLAY:
        if (!strcmp(v, "on"))
            s->overlay_off = false;
        else if (!strcmp(v, "off"))
            s->overlay_off = true;
        else
            return fail(why, "overlay must be on or off, not '%.32s'", v);
        return 0;
    default:
        return fail(why, "internal: key %d", k);
    }
}

static int parse_lines(brk_policy_t *p, const char *text, size_t len, const char *filename,
                       char **err);

/* What the launcher can honour of sandbox.namespaces: it always makes the
 * user, mount, pid, ipc, uts, cgroup and network namespaces. A profile that leaves the key out gets
 * exactly that. */
static int check_namespaces(const brk_settings_t *s, char **why)
{
    static const char *const names[] = {"user", "mount", "pid", "net", "ipc", "uts", "cgroup"};
    unsigned always =
        BRK_NS_USER | BRK_NS_MOUNT | BRK_NS_PID | BRK_NS_IPC | BRK_NS_UTS | BRK_NS_CGROUP;
    unsigned missing = always & ~s->namespaces;
    if (missing) {
        char list[64] = "";
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (missing & (1u << i))
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         list[0] ? ", " : "", names[i]);
        return fail(why,
                    "leaves out %s: the sandbox always makes the user, mount, pid, ipc, uts "
                    "and cgroup namespaces (list them all, or leave the key out)",
                    list);
    }
    if (!(s->namespaces & BRK_NS_NET))
        return fail(why, "leaves out net: the guest always has a network namespace of its own "
                         "(list net, or leave the key out)");
    return 0;
}

int brk_profile_parse(brk_policy_t *p, const char *text, size_t len, const char *filename,
                      char **err)
{
    int r = parse_lines(p, text, len, filename, err);
    brk_set_origin(p, NULL);
    return r;
}

static int parse_lines(brk_policy_t *p, const char *text, size_t len, const char *filename,
                       char **err)
{
    bool seen[K_COUNT] = {false};
    size_t ns_line = 0;
    const char *fn = filename ? filename : "<profile>";
    size_t lineno = 0;
    const char *s = text, *end = text + len;
    while (s < end) {
        lineno++;
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        if (!eol)
            eol = end;
        size_t n = (size_t)(eol - s);
        if (n >= BRK_MAX_LINE)
            return fail(err, "%s:%zu: line longer than %d bytes", fn, lineno, BRK_MAX_LINE);
        char line[BRK_MAX_LINE];
        memcpy(line, s, n);
        line[n] = '\0';
        s = eol < end ? eol + 1 : end;
        if (memchr(line, '\0', n))
            return fail(err, "%s:%zu: NUL byte", fn, lineno);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        char *b = line;
        while (isspace((unsigned char)*b))
            b++;
        if (!*b || *b == '#')
            continue;
        char *eq = strchr(b, '=');
        if (!eq)
            return fail(err, "%s:%zu: expected 'key = value'", fn, lineno);
        char *ke = eq;
        while (ke > b && isspace((unsigned char)ke[-1]))
            ke--;
        *ke = '\0';
        char *v = eq + 1;
        while (isspace((unsigned char)*v))
            v++;
        char *ve = v + strlen(v);
        while (ve > v && isspace((unsigned char)ve[-1]))
            *--ve = '\0';
        int k = -1;
        for (int i = 0; i < K_COUNT; i++)
            if (!strcmp(b, keys[i]))
                k = i;
        if (k < 0)
            return fail(err, "%s:%zu: unknown key '%.64s'", fn, lineno, b);
        if (seen[k])
            return fail(err, "%s:%zu: '%s' given twice", fn, lineno, keys[k]);
        seen[k] = true;
        char origin[BRK_MAX_PATH + 32];
        snprintf(origin, sizeof origin, "%s:%zu", fn, lineno);
        if (brk_set_origin(p, origin) < 0)
            return -ENOMEM;
        if (k >= K_HEAP) {
            char **o = &p->setting_origin[SETTING(k)];
            free(*o);
            if (!(*o = strdup(origin)))
                return -ENOMEM;
        }
        if (k == K_NAMESPACES)
            ns_line = lineno;
        char *why = NULL;
        int r = set_key(p, k, v, &why);
        if (r < 0) {
            fail(err, "%s:%zu: %s: %s", fn, lineno, keys[k], why ? why : "bad value");
            free(why);
            return r == -ENOMEM ? r : -EINVAL;
        }
    }
    brk_settings_t *st = &p->settings;
    if (!seen[K_NAMESPACES]) {
        st->namespaces = BRK_NS_ALL;
        return 0;
    }
    char *why = NULL;
    if (check_namespaces(st, &why) < 0) {
        fail(err, "%s:%zu: sandbox.namespaces: %s", fn, ns_line, why ? why : "bad value");
        free(why);
        return -EINVAL;
    }
    return 0;
}

/* ---- decisions ------------------------------------------------------------ */

static bool env_match(const char *rule, const char *name)
{
    size_t n = strlen(rule);
    if (n && rule[n - 1] == '*')
        return strncmp(rule, name, n - 1) == 0;
    return strcmp(rule, name) == 0;
}

/* A run rule is the canonical path of one program (the launcher resolves
 * a bare name on the guest's PATH at start: brk_run_resolve); the target
 * is the canonical path about to be executed. */
static bool run_match(const char *rule, const char *cmd)
{
    return rule[0] == '/' && !strcmp(rule, cmd);
}

int brk_run_resolve(brk_policy_t *p,
                    int (*resolve)(const char *name, char *out, size_t cap, void *arg), void *arg,
                    char **err)
{
    rules_t *r = &p->dom[BRK_RUN];
    for (size_t i = 0; i < r->n; i++) {
        char out[BRK_MAX_PATH];
        int e = resolve(r->rules[i], out, sizeof out, arg);
        if (e < 0)
            return fail(err, "%s: %s", r->rules[i], strerror(-e));
        if (!strcmp(out, r->rules[i]))
            continue;
        char *n = strdup(out);
        if (!n)
            return -ENOMEM;
        free(r->rules[i]);
        r->rules[i] = n;
    }
    /* two names of one program are one rule */
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = i + 1; j < r->n;)
            if (!strcmp(r->rules[i], r->rules[j])) {
                free(r->rules[j]);
                free(r->origins[j]);
                memmove(r->rules + j, r->rules + j + 1, (r->n - j - 1) * sizeof *r->rules);
                memmove(r->origins + j, r->origins + j + 1, (r->n - j - 1) * sizeof *r->origins);
                memmove(r->dirs + j, r->dirs + j + 1, (r->n - j - 1) * sizeof *r->dirs);
                r->n--;
            } else {
                j++;
            }
    return 0;
}

/* ---- sh's simple commands ---------------------------------------------------- */

/* sh's words that are no program: reserved words and the builtins that
 * have no program of their name (running one directly would not do what
 * sh does). */
static const char *const sh_only[] = {
    "if",     "then",    "else", "elif",  "fi",       "do",       "done",    "case",    "esac",
    "while",  "until",   "for",  "in",    "function", "select",   "time",    "[[",      "]]",
    "!",      "{",       "}",    "exit",  "cd",       "export",   "unset",   "set",     ".",
    "source", "eval",    "exec", "shift", "trap",     "readonly", "return",  "break",   "continue",
    "alias",  "unalias", "read", "wait",  "umask",    "ulimit",   "getopts", "command", "type",
    "hash",   "times",   "jobs", "fg",    "bg",       "local",    "let",     "declare", "typeset",
};

/* Characters a word may hold outside quotes: none of sh's operators,
 * expansions, globs or quoting. */
static bool sh_plain(unsigned char c)
{
    return isalnum(c) || c >= 0x80 || strchr("_-./:,+=@%^~", c);
}

void brk_shell_words_free(char **words)
{
    for (size_t i = 0; words && words[i]; i++)
        free(words[i]);
    free(words);
}

int brk_shell_words(const char *line, char ***out, size_t *nout, const char **why)
{
    *out = NULL;
    *nout = 0;
    size_t len = strlen(line), n = 0, cap = 8;
    char **w = calloc(cap + 1, sizeof *w);
    char *buf = malloc(len + 1);
    if (!w || !buf) {
        free(w);
        free(buf);
        *why = "out of memory";
        return -ENOMEM;
    }
    const char *p = line;
    *why = NULL;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t bl = 0;
        bool quoted = false;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t' && !*why) {
            unsigned char c = (unsigned char)*p;
            if (c == '\'') {
                const char *e = strchr(p + 1, '\'');
                if (!e) {
                    *why = "an unterminated quote";
                    break;
                }
                for (const char *q = p + 1; q < e; q++)
                    if ((unsigned char)*q < 0x20 || *q == 0x7f || *q == '\\')
                        *why = *q == '\\' ? "a backslash" : "a control character";
                memcpy(buf + bl, p + 1, (size_t)(e - p - 1));
                bl += (size_t)(e - p - 1);
                p = e + 1;
                quoted = true;
            } else if (c == '"') {
                const char *q = p + 1;
                for (; *q && *q != '"'; q++)
                    if (*q == '$' || *q == '`' || *q == '\\' || (unsigned char)*q < 0x20 ||
                        *q == 0x7f) {
                        *why = *q == '$'    ? "an expansion ('$')"
                               : *q == '`'  ? "a command substitution ('`')"
                               : *q == '\\' ? "a backslash"
                                            : "a control character";
                        break;
                    }
                if (*why)
                    break;
                if (!*q) {
                    *why = "an unterminated quote";
                    break;
                }
                memcpy(buf + bl, p + 1, (size_t)(q - p - 1));
                bl += (size_t)(q - p - 1);
                p = q + 1;
                quoted = true;
            } else if (sh_plain(c) && !(c == '=' && n == 0) && !(c == '~' && p == start)) {
                buf[bl++] = (char)c;
                p++;
            } else {
                *why = c == ';' || c == '&' || c == '|' ? "an operator"
                       : c == '<' || c == '>'           ? "a redirection"
                       : c == '$'                       ? "an expansion ('$')"
                       : c == '`'                       ? "a command substitution ('`')"
                       : c == '(' || c == ')'           ? "a subshell"
                       : c == '#' && p == start         ? "a comment"
                       : c == '*' || c == '?' || c == '[' || c == ']' ? "a pattern"
                       : c == '\n' || c == '\r'                       ? "a newline"
                       : c == '\\'                                    ? "a backslash"
                       : c == '='                                     ? "an assignment"
                       : c < 0x20 || c == 0x7f                        ? "a control character"
                                               : "a character sh treats specially";
            }
        }
        if (*why)
            break;
        buf[bl] = '\0';
        if (n == 0 && !quoted)
            for (size_t i = 0; i < sizeof sh_only / sizeof sh_only[0]; i++)
                if (!strcmp(buf, sh_only[i]))
                    *why = "a word of sh's own (a builtin or reserved word)";
        if (n == 0 && !bl)
            *why = "an empty program name";
        if (*why)
            break;
        if (n == cap) {
            char **nw = realloc(w, (2 * cap + 1) * sizeof *w);
            if (!nw) {
                *why = "out of memory";
                break;
            }
            w = nw;
            cap *= 2;
        }
        if (!(w[n] = strdup(buf))) {
            *why = "out of memory";
            break;
        }
        w[++n] = NULL;
    }
    free(buf);
    if (!*why && n == 0)
        *why = "no command";
    if (*why) {
        brk_shell_words_free(w);
        return -EINVAL;
    }
    *out = w;
    *nout = n;
    return 0;
}

/* ---- the policy as profile text ------------------------------------------------ */

FILE *brk_audit_stream(const brk_policy_t *p)
{
    return p->audit_stopped ? NULL : p->audit;
}

const char *brk_audit_run_id(const brk_policy_t *p)
{
    return p->run_id;
}

char *brk_policy_text(const brk_policy_t *p)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    for (int d = 0; d < BRK_DOMAINS; d++) {
        const rules_t *r = &p->dom[d];
        fprintf(f, "%s =", keys[d]);
        const char *sep = " ";
        if (r->all) {
            fputs(" *", f);
            sep = ",";
        }
        for (size_t i = 0; i < r->n; i++, sep = ",")
            fprintf(f, "%s%s%s", sep, r->rules[i],
                    r->dirs[i] && strcmp(r->rules[i], "/") ? "/" : "");
        fputc('\n', f);
    }
    const brk_settings_t *s = &p->settings;
    fprintf(f,
            "limits.heap_mb = %zu\nlimits.write_bytes = %" PRIu64 "\nlimits.write_files = %" PRIu64
            "\n",
            s->heap_mb, s->write_bytes, s->write_files);
    fprintf(f,
            "crypto.max_scrypt_n = %" PRIu64 "\ncrypto.max_pbkdf2_iterations = %" PRIu64
            "\ncrypto.max_prime_bits = %" PRIu64 "\n",
            s->crypto_max_scrypt_n, s->crypto_max_pbkdf2_iterations, s->crypto_max_prime_bits);
    if (s->max_modulus_bits)
        fprintf(f, "crypto.max_modulus_bits = %u\n", (unsigned)s->max_modulus_bits);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* A JSON line under construction in a fixed buffer (a decision never
 * allocates). */
typedef struct {
    char *buf;
    size_t len, cap;
} line_t;

__attribute__((format(printf, 2, 3))) static void line_add(line_t *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len += (size_t)n < l->cap - l->len ? (size_t)n : l->cap - l->len - 1;
}

/* s as a JSON string of at most BRK_AUDIT_FIELD_MAX characters between
 * its quotes; false when it had to be cut. */
static bool line_str(line_t *l, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t room = l->cap - l->len - 1; /* the NUL */
    size_t max = room < BRK_AUDIT_FIELD_MAX + 2 ? room : BRK_AUDIT_FIELD_MAX + 2;
    char *o = l->buf + l->len, *start = o;
    bool whole = true;
    if (max < 2)
        return false;
    *o++ = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        size_t n = (*c == '"' || *c == '\\') ? 2 : (*c < 0x20 || *c == 0x7f) ? 6 : 1;
        if ((size_t)(o - start) + n + 1 > max) {
            whole = false;
            break;
        }
        if (n == 6) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[*c >> 4];
            o[5] = hex[*c & 15];
        } else if (n == 2) {
            o[0] = '\\';
            o[1] = (char)*c;
        } else {
            o[0] = (char)*c;
        }
        o += n;
    }
    *o++ = '"';
    *o = '\0';
    l->len += (size_t)(o - start);
    return whole;
}

/* A line's start: its time, the run's id (when there is one) and domain,
 * up to the "op" key. */
static void line_head(const brk_policy_t *p, line_t *l, const struct timespec *now,
                      const char *domain)
{
    line_add(l, "{\"ts\":%lld.%03ld,", (long long)now->tv_sec, now->tv_nsec / 1000000);
    if (p->run_id[0])
        line_add(l, "\"run\":\"%s\",", p->run_id);
    line_add(l, "\"domain\":\"%s\",", domain);
}

/* Room for the lines that end a run's part of the log: the "stop" line
 * (when the log ended) and the supervisor's "end" line (brk_audit_run, no
 * target). */
#define BRK_AUDIT_END_ROOM 1024
/* Three fields at their most, the rest of a line well inside. */
#define BRK_AUDIT_LINE_MAX (3 * BRK_AUDIT_FIELD_MAX + 512)

static bool audit_put(brk_policy_t *p, const line_t *l)
{
    bool ok = fwrite(l->buf, 1, l->len, p->audit) == l->len;
    ok = fflush(p->audit) == 0 && ok;
    if (ok)
        p->audit_bytes += l->len;
    return ok;
}

/* Ends the log: one last line (best effort when writing failed), then the
 * stop callback. */
static void audit_end(brk_policy_t *p, const struct timespec *now, const char *why)
{
    char buf[BRK_AUDIT_END_ROOM];
    line_t l = {buf, 0, sizeof buf};
    p->audit_stopped = true;
    line_head(p, &l, now, "audit");
    line_add(&l,
             "\"op\":\"stop\",\"target\":\"\",\"allow\":false,\"rule\":\"audit-limit\","
             "\"limit_bytes\":%llu,\"message\":",
             (unsigned long long)BRK_AUDIT_MAX_BYTES);
    line_str(&l, why);
    line_add(&l, "}\n");
    clearerr(p->audit);
    audit_put(p, &l);
    if (p->audit_stop)
        p->audit_stop(p->audit_stop_arg, why);
}

/* Writes one line: false when the log has ended (before or now), and the
 * decision must then be refused. `wall` names the wall that refused
 * (NULL for an allowed line); `extra` is more JSON members ("" none). */
static bool audit_line_locked(brk_policy_t *p, const char *domain, const char *op,
                              const char *target, bool allow, const char *rule, const char *wall,
                              const char *extra)
{
    if (p->audit_stopped)
        return false;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char buf[BRK_AUDIT_LINE_MAX];
    line_t l = {buf, 0, sizeof buf};
    line_head(p, &l, &now, domain);
    line_add(&l, "\"op\":");
    bool whole = line_str(&l, op);
    line_add(&l, ",\"target\":");
    bool target_whole = line_str(&l, target);
    line_add(&l, ",\"allow\":%s,\"rule\":", allow ? "true" : "false");
    whole = line_str(&l, rule) && whole && target_whole;
    if (wall)
        line_add(&l, ",\"wall\":\"%s\"", wall);
    line_add(&l, "%s", extra);
    if (!whole)
        line_add(&l, ",\"truncated\":true,\"target_len\":%zu", strlen(target));
    line_add(&l, "}\n");
    char why[160];
    if (p->audit_bytes + l.len + BRK_AUDIT_END_ROOM > BRK_AUDIT_MAX_BYTES) {
        snprintf(why, sizeof why,
                 "the audit log reached its limit for this run (%llu MiB): the run ends, no "
                 "later decision is taken",
                 (unsigned long long)(BRK_AUDIT_MAX_BYTES >> 20));
        audit_end(p, &now, why);
        return false;
    }
    if (!audit_put(p, &l)) {
        snprintf(why, sizeof why, "cannot write the audit log (%s): the run ends", strerror(errno));
        audit_end(p, &now, why);
        return false;
    }
    return true;
}

static bool audit_line(brk_policy_t *p, const char *domain, const char *op, const char *target,
                       bool allow, const char *rule, const char *wall, const char *extra)
{
    if (!p->audit)
        return true;
    pthread_mutex_lock(&p->audit_mu);
    bool ok = audit_line_locked(p, domain, op, target, allow, rule, wall, extra);
    pthread_mutex_unlock(&p->audit_mu);
    return ok;
}

static bool audit(brk_policy_t *p, brk_domain_t d, const char *op, const char *target, bool allow,
                  const char *rule)
{
    return audit_line(p, domain_names[d], op, target, allow, rule, allow ? NULL : "broker", "");
}

/* The rule of domain d that grants target ("*" for the whole domain), or
 * NULL. */
static const char *granting_rule(const brk_policy_t *p, brk_domain_t d, const char *target)
{
    const rules_t *r = &p->dom[d];
    if (r->all)
        return "*";
    for (size_t i = 0; i < r->n; i++) {
        bool m;
        switch (d) {
        case BRK_FS_READ:
        case BRK_FS_WRITE:
            m = target[0] == '/' && brk_path_covers(r->rules[i], target);
            break;
        case BRK_NET: /* brk_net_decide */
        case BRK_ENV:
            m = env_match(r->rules[i], target);
            break;
        case BRK_RUN:
            m = run_match(r->rules[i], target);
            break;
        case BRK_DOMAINS:
        default:
            m = false;
        }
        if (m)
            return r->rules[i];
    }
    return NULL;
}

/* ---- net decisions -------------------------------------------------------- */

#define NETP_TARGET_MAX 256

/* "host:port" (IPv6 as [addr]:port) into host (brackets kept) and port. */
static bool net_target(const char *target, char *host, unsigned *port)
{
    const char *colon = strrchr(target, ':');
    if (!colon || colon == target || (size_t)(colon - target) >= NETP_TARGET_MAX)
        return false;
    if (strchr(target, '[') && colon[-1] != ']')
        return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(colon + 1, &end, 10);
    if (errno || *end || !isdigit((unsigned char)colon[1]) || v > 65535)
        return false;
    memcpy(host, target, (size_t)(colon - target));
    host[colon - target] = '\0';
    *port = (unsigned)v;
    return true;
}

static bool rule_port(const netrule_t *r, unsigned port)
{
    return r->port < 0 || (unsigned)r->port == port;
}

/* An address or range rule covering ip (same family: a mapped IPv6
 * address is no IPv4 one for the rules). */
static bool rule_covers_ip(const netrule_t *r, const brk_ip_t *ip)
{
    if (r->ip.family != ip->family)
        return false;
    if (r->kind == NR_IP)
        return !memcmp(r->ip.a, ip->a, 16);
    return r->kind == NR_CIDR && prefix_eq(r->ip.a, ip->a, r->bits);
}

/* A rule of the sandbox's loopback by name: localhost, 127.0.0.1, [::1]. */
static bool rule_sandbox_lo(const netrule_t *r)
{
    static const uint8_t v6lo[16] = {[15] = 1};
    if (r->kind == NR_NAME)
        return !strcasecmp(r->name, "localhost");
    if (r->kind != NR_IP)
        return false;
    if (r->ip.family == 4)
        return r->ip.a[0] == 127 && !r->ip.a[1] && !r->ip.a[2] && r->ip.a[3] == 1;
    return !memcmp(r->ip.a, v6lo, 16);
}

typedef enum { W_NAME, W_IP, W_EXACT_IP, W_SANDBOX_LO, W_HOST_INTERNAL } want_t;

/* The first rule of kind `want` covering the request, or NULL. */
static const char *net_rule(const brk_policy_t *p, want_t want, const char *host, unsigned port,
                            const brk_ip_t *ip)
{
    const rules_t *r = &p->dom[BRK_NET];
    for (size_t i = 0; i < r->n; i++) {
        netrule_t nr;
        if (netrule_parse(r->rules[i], &nr, NULL) < 0 || !rule_port(&nr, port))
            continue;
        bool m = false;
        switch (want) {
        case W_NAME:
            m = nr.kind == NR_NAME && !strcasecmp(nr.name, host);
            break;
        case W_HOST_INTERNAL:
            m = nr.kind == NR_NAME && !strcasecmp(nr.name, "host.internal");
            break;
        case W_IP:
            m = rule_covers_ip(&nr, ip);
            break;
        case W_EXACT_IP:
            m = nr.kind == NR_IP && rule_covers_ip(&nr, ip);
            break;
        case W_SANDBOX_LO:
        default:
            m = rule_sandbox_lo(&nr);
            break;
        }
        if (m)
            return r->rules[i];
    }
    return NULL;
}

/* The rule granting the request, or NULL with *deny (optional) naming why
 * not (see broker.h for the rules). */
static const char *net_granting(const brk_policy_t *p, const char *op, const char *host,
                                unsigned port, const brk_ip_t *ip, const char **deny)
{
    const char *dummy;
    deny = deny ? deny : &dummy;
    *deny = "default-deny";
    bool all = p->dom[BRK_NET].all;
    bool listen = !strcmp(op, BRK_NET_OP_LISTEN) || !strcmp(op, BRK_NET_OP_BIND);
    brk_ip_t lit;
    bool literal = brk_ip_parse(host, &lit);
    if (literal && ip && (lit.family != ip->family || memcmp(lit.a, ip->a, 16))) {
        *deny = "address-mismatch"; /* a literal is its own address */
        return NULL;
    }
    const brk_ip_t *use = ip ? ip : literal ? &lit : NULL;
    brk_addr_class_t cls = use ? brk_addr_class(use) : BRK_ADDR_PUBLIC;
    if (!strcasecmp(host, "host.internal")) {
        if (use && cls != BRK_ADDR_LOOPBACK)
            return NULL;
        return net_rule(p, W_HOST_INTERNAL, host, port, NULL);
    }
    bool lo_name = !strcasecmp(host, "localhost");
    if (!host[0] || lo_name ||
        (literal && (cls == BRK_ADDR_LOOPBACK || cls == BRK_ADDR_UNSPECIFIED))) {
        /* the sandbox's own loopback */
        if (use && cls != BRK_ADDR_LOOPBACK && cls != BRK_ADDR_UNSPECIFIED)
            return NULL;
        if (all)
            return "*";
        const char *g = NULL;
        /* any of its loopback rules covers the whole of it (the
         * unspecified address, the name localhost for a listen); a given
         * address only the rules covering that address */
        if (!host[0] || cls == BRK_ADDR_UNSPECIFIED || (listen && lo_name))
            g = net_rule(p, W_SANDBOX_LO, host, port, NULL);
        if (!g && lo_name)
            g = net_rule(p, W_NAME, host, port, NULL);
        if (!g && literal)
            g = net_rule(p, W_IP, host, port, use);
        /* localhost is 127.0.0.1 and ::1, no DNS asked */
        if (!g && literal && use && cls == BRK_ADDR_LOOPBACK) {
            netrule_t lo = {.kind = NR_IP, .ip = *use, .port = -1};
            if (rule_sandbox_lo(&lo))
                g = net_rule(p, W_NAME, "localhost", port, NULL);
        }
        return g;
    }
    if (use && cls == BRK_ADDR_METADATA) {
        *deny = "metadata-address";
        return net_rule(p, W_EXACT_IP, host, port, use);
    }
    if (!literal) {
        const char *g = all ? "*" : net_rule(p, W_NAME, host, port, NULL);
        if (!g || !use || cls == BRK_ADDR_PUBLIC || cls == BRK_ADDR_MULTICAST)
            return g;
        if (cls == BRK_ADDR_LOOPBACK || cls == BRK_ADDR_UNSPECIFIED) {
            *deny = "host-loopback";
            return NULL;
        }
        *deny = "private-address";
        return net_rule(p, W_IP, host, port, use);
    }
    const char *g = net_rule(p, W_IP, host, port, use);
    if (!g && all && (cls == BRK_ADDR_PUBLIC || cls == BRK_ADDR_MULTICAST))
        g = "*";
    if (!g && cls != BRK_ADDR_PUBLIC && cls != BRK_ADDR_MULTICAST)
        *deny = "private-address";
    return g;
}

bool brk_allows(const brk_policy_t *p, brk_domain_t d, const char *target)
{
    if (d == BRK_NET) {
        char host[NETP_TARGET_MAX];
        unsigned port;
        return target && !p->audit_stopped && net_target(target, host, &port) &&
               net_granting(p, "connect", host, port, NULL, NULL) != NULL;
    }
    return d >= 0 && d < BRK_DOMAINS && target && !p->audit_stopped &&
           granting_rule(p, d, target) != NULL;
}

bool brk_audit_run(brk_policy_t *p, const char *op, const char *target, int status)
{
    char extra[64] = "";
    if (status >= 0)
        snprintf(extra, sizeof extra, ",\"exit_code\":%d", status);
    return audit_line(p, "audit", op, target ? target : "", true, "run", NULL, extra);
}

bool brk_audit_allowed(brk_policy_t *p, brk_domain_t d, const char *op, const char *target,
                       const char *rule)
{
    if (d < 0 || d >= BRK_DOMAINS || !op || !target || !rule)
        return false;
    return audit_line(p, domain_names[d], op, target, true, rule, NULL, "");
}

bool brk_audit_os_refusal(brk_policy_t *p, brk_domain_t d, const char *op, const char *target,
                          const char *errname, const char *rule, long uid)
{
    if (d < 0 || d >= BRK_DOMAINS || !op || !target || !errname || !rule)
        return false;
    char extra[96];
    line_t l = {extra, 0, sizeof extra};
    line_add(&l, ",\"errno\":");
    line_str(&l, errname);
    if (uid >= 0)
        line_add(&l, ",\"uid\":%ld", uid);
    return audit_line(p, domain_names[d], op, target, false, rule, "os", extra);
}

/* A decision's end: refused when its line could not be logged, counted
 * when refused. */
static int verdict(brk_policy_t *p, brk_domain_t d, bool allow, bool logged, const char *why,
                   const char **rule)
{
    if (!logged) {
        allow = false;
        why = "audit-limit";
    }
    if (!allow) {
        p->denials++;
        if ((unsigned)d < BRK_DOMAINS)
            p->denials_in[d]++;
    }
    if (rule)
        *rule = why;
    return allow ? 0 : -EACCES;
}

int brk_decide(brk_policy_t *p, brk_domain_t d, const char *op, const char *target,
               const char **rule)
{
    if (d == BRK_NET) {
        char host[NETP_TARGET_MAX];
        unsigned port;
        if (target && op && net_target(target, host, &port))
            return brk_net_decide(p, "guest", op, host, port, NULL, rule);
        target = target ? target : "";
        op = op ? op : "";
    }
    const char *why = "default-deny";
    bool allow = false, logged = true;
    if (d >= 0 && d < BRK_DOMAINS && target && op) {
        const char *granted = granting_rule(p, d, target);
        if (granted) {
            allow = true;
            why = granted;
        }
        logged = audit(p, d, op, target, allow, why);
    }
    return verdict(p, d, allow, logged, why, rule);
}

int brk_net_decide(brk_policy_t *p, const char *by, const char *op, const char *host, unsigned port,
                   const brk_ip_t *ip, const char **rule)
{
    const char *why = "default-deny";
    bool allow = false, logged = true;
    if (by && op && host && port <= 65535 && strlen(host) < NETP_TARGET_MAX && printable(host)) {
        const char *g = net_granting(p, op, host, port, ip, &why);
        if (g) {
            allow = true;
            why = g;
        }
        char target[NETP_TARGET_MAX + 16], extra[160], txt[INET6_ADDRSTRLEN];
        bool v6 = strchr(host, ':') && host[0] != '[';
        snprintf(target, sizeof target, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", port);
        line_t l = {extra, 0, sizeof extra};
        line_add(&l, ",\"by\":");
        line_str(&l, by);
        if (ip) {
            brk_ip_format(ip, txt, sizeof txt);
            line_add(&l, ",\"ip\":\"%s\",\"class\":\"%s\"", txt,
                     brk_addr_class_name(brk_addr_class(ip)));
        }
        logged = audit_line(p, "net", op, target, allow, why, allow ? NULL : "broker", extra);
    }
    return verdict(p, BRK_NET, allow, logged, why, rule);
}

/* An abstract name as the audit line shows it: "unix:@" and the name,
 * bytes outside printable ASCII as '?'. */
static void abstract_target(const char *name, size_t len, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "unix:@");
    for (size_t i = 0; i < len && o + 1 < cap; i++) {
        unsigned char ch = (unsigned char)name[i];
        out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    out[o < cap ? o : cap - 1] = '\0';
}

int brk_unix_decide(brk_policy_t *p, const char *by, const char *op, const char *addr, size_t len,
                    const char **rule)
{
    bool listen = op && !strcmp(op, BRK_UNIX_LISTEN);
    if (!p || !by || !addr || !op || (!listen && strcmp(op, BRK_UNIX_CONNECT)) || len < 2 ||
        len > BRK_UNIX_ADDR_MAX)
        return -EINVAL;
    if (addr[0] == '\0') {
        /* the sandbox's own network namespace: granted as its loopback */
        const char *why = "default-deny";
        bool allow = brk_net_name_granted(p, "localhost");
        if (allow)
            why = p->dom[BRK_NET].all ? "*" : "sandbox-loopback";
        char target[BRK_UNIX_ADDR_MAX + 8], extra[96];
        abstract_target(addr + 1, len - 1, target, sizeof target);
        line_t l = {extra, 0, sizeof extra};
        line_add(&l, ",\"by\":");
        line_str(&l, by);
        bool logged = audit_line(p, "net", op, target, allow, why, allow ? NULL : "broker", extra);
        return verdict(p, BRK_NET, allow, logged, why, rule);
    }
    /* a path: absolute, canonical, and nothing after a NUL */
    char path[BRK_UNIX_ADDR_MAX + 1], norm[BRK_UNIX_ADDR_MAX + 1];
    if (memchr(addr, '\0', len) || addr[0] != '/')
        return -EINVAL;
    memcpy(path, addr, len);
    path[len] = '\0';
    if (brk_path_normalize(path, norm, sizeof norm) < 0 || strcmp(path, norm) || !strcmp(path, "/"))
        return -EINVAL;
    /* listen makes the file; connect reads and writes it */
    if (!listen) {
        int r = brk_decide(p, BRK_FS_READ, op, path, rule);
        if (r < 0)
            return r;
    }
    return brk_decide(p, BRK_FS_WRITE, op, path, rule);
}

bool brk_net_name_granted(const brk_policy_t *p, const char *host)
{
    if (p->audit_stopped || !host || !host[0])
        return false;
    bool lo = !strcasecmp(host, "localhost");
    if (p->dom[BRK_NET].all && strcasecmp(host, "host.internal"))
        return true;
    const rules_t *r = &p->dom[BRK_NET];
    for (size_t i = 0; i < r->n; i++) {
        netrule_t nr;
        if (netrule_parse(r->rules[i], &nr, NULL) < 0)
            continue;
        if ((nr.kind == NR_NAME && !strcasecmp(nr.name, host)) || (lo && rule_sandbox_lo(&nr)))
            return true;
    }
    return false;
}
