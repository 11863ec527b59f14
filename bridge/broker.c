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

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
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
#define BRK_SETTING_KEYS 13

struct brk_policy_s {
    rules_t dom[BRK_DOMAINS];
    brk_settings_t settings;
    char *origin;                           /* of the grants being added */
    char *setting_origin[BRK_SETTING_KEYS]; /* "FILE:LINE" of each setting given */
    FILE *audit;
    char run_id[BRK_RUN_ID_MAX + 1]; /* on every line; empty: none */
    uint64_t audit_bytes;            /* added to the log by this run */
    bool audit_stopped;              /* the log ended: every decision is refused */
    void (*audit_stop)(void *arg, const char *why);
    void *audit_stop_arg;
    uint64_t denials; /* decisions that refused */
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
    p->settings.network = BRK_NETMODE_NONE;
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
        /* host[:port] with host a name, an IPv4 address or [IPv6] */
        const char *host = item, *hend, *port = NULL;
        const char *scheme = strstr(item, "://");
        if (scheme) {
            const char *a = scheme + 3;
            size_t an = strcspn(a, "/?#");
            return fail(err,
                        "'%.200s' is a URL: give host or host:port (here '%.*s'), not a scheme "
                        "or a path",
                        item, (int)(an > 200 ? 200 : an), a);
        }
        const char *slash = strchr(item, '/');
        if (slash) {
            if (slash[1] && strspn(slash + 1, "0123456789") == strlen(slash + 1))
                return fail(err,
                            "'%.200s' is a CIDR range: not supported yet, give hosts or "
                            "addresses (host or host:port)",
                            item);
            return fail(err, "'%.200s' has a '/': give host or host:port, not a path", item);
        }
        if (item[0] == '[') {
            hend = strchr(item, ']');
            if (!hend || hend == item + 1)
                return fail(err, "bad IPv6 host in '%.200s'", item);
            for (const char *c = item + 1; c < hend; c++)
                if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
                    return fail(err, "bad IPv6 host in '%.200s'", item);
            hend++;
            if (*hend == ':')
                port = hend + 1;
            else if (*hend)
                return fail(err, "junk after host in '%.200s'", item);
        } else {
            hend = strchr(item, ':');
            if (hend)
                port = hend + 1;
            else
                hend = item + n;
            if (hend == item || hend - item > 253)
                return fail(err, "bad host in '%.200s'", item);
            for (const char *c = item; c < hend; c++)
                if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != '_' && *c != '*')
                    return fail(err, "bad host in '%.200s'", item);
        }
        if (port && strcmp(port, "*") != 0) {
            char *end;
            errno = 0;
            long v = strtol(port, &end, 10);
            if (errno || *end || !*port || v < 1 || v > 65535)
                return fail(err, "bad port in '%.200s'", item);
        }
        *rule = strdup(host);
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
        if (!strcmp(v, "none"))
            s->network = BRK_NETMODE_NONE;
        else if (!strcmp(v, "loopback"))
            s->network = BRK_NETMODE_LOOPBACK;
        else if (!strcmp(v, "host"))
            s->network = BRK_NETMODE_HOST;
        else
            return fail(why, "network must be none, loopback or host, not '%.32s'", v);
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
 * user, mount, pid, ipc, uts and cgroup namespaces, and a network one
 * unless sandbox.network = host. A profile that leaves the key out gets
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
    bool host = s->network == BRK_NETMODE_HOST;
    if (host && (s->namespaces & BRK_NS_NET))
        return fail(why, "lists net, but sandbox.network = host shares the host's network "
                         "namespace (leave net out, or set sandbox.network = none or loopback)");
    if (!host && !(s->namespaces & BRK_NS_NET))
        return fail(why,
                    "leaves out net, but sandbox.network = %s gives the guest a network "
                    "namespace of its own (list net, or set sandbox.network = host)",
                    s->network == BRK_NETMODE_LOOPBACK ? "loopback" : "none");
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
        st->namespaces = BRK_NS_ALL & ~(st->network == BRK_NETMODE_HOST ? BRK_NS_NET : 0u);
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

static bool net_match(const char *rule, const char *target)
{
    /* target "host:port" (IPv6 as [addr]:port); rule host, host:port or host:* */
    const char *tcolon = strrchr(target, ':');
    if (!tcolon)
        return false;
    size_t thost = (size_t)(tcolon - target);
    const char *rport = NULL;
    size_t rhost;
    if (rule[0] == '[') {
        const char *rb = strchr(rule, ']');
        rhost = (size_t)(rb - rule) + 1;
        if (rb[1] == ':')
            rport = rb + 2;
    } else {
        const char *rc = strchr(rule, ':');
        rhost = rc ? (size_t)(rc - rule) : strlen(rule);
        if (rc)
            rport = rc + 1;
    }
    if (rhost != thost || strncasecmp(rule, target, thost) != 0)
        return false;
    return !rport || !strcmp(rport, "*") || !strcmp(rport, tcolon + 1);
}

static bool env_match(const char *rule, const char *name)
{
    size_t n = strlen(rule);
    if (n && rule[n - 1] == '*')
        return strncmp(rule, name, n - 1) == 0;
    return strcmp(rule, name) == 0;
}

static bool run_match(const char *rule, const char *cmd)
{
    if (!strcmp(rule, cmd))
        return true;
    /* a bare name grants that program wherever PATH finds it */
    if (!strchr(rule, '/')) {
        const char *base = strrchr(cmd, '/');
        return base && !strcmp(base + 1, rule);
    }
    return false;
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
static bool audit_line(brk_policy_t *p, const char *domain, const char *op, const char *target,
                       bool allow, const char *rule, const char *wall, const char *extra)
{
    if (!p->audit)
        return true;
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
        case BRK_NET:
            m = net_match(r->rules[i], target);
            break;
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

bool brk_allows(const brk_policy_t *p, brk_domain_t d, const char *target)
{
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

int brk_decide(brk_policy_t *p, brk_domain_t d, const char *op, const char *target,
               const char **rule)
{
    const char *why = "default-deny";
    bool allow = false;
    if (d >= 0 && d < BRK_DOMAINS && target && op) {
        const char *granted = granting_rule(p, d, target);
        if (granted) {
            allow = true;
            why = granted;
        }
        if (!audit(p, d, op, target, allow, why)) {
            allow = false;
            why = "audit-limit";
        }
    }
    if (!allow)
        p->denials++;
    if (rule)
        *rule = why;
    return allow ? 0 : -EACCES;
}
