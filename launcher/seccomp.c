/*
 * launcher/seccomp.c — compiles a policy text (launcher/seccomp/README.md
 * has the format) into a libseccomp filter.
 *
 * Pitfalls handled here rather than in every policy (research notes on
 * seccomp for a V8 + libuv guest): only the native arch is in the filter
 * and a foreign arch or x32 number kills the process; argument values are
 * compared on their low 32 bits (SCMP_CMP_MASKED_EQ 0xffffffff), so a high
 * bit on an ioctl number cannot slip past; numbers newer than the policy
 * answer ENOSYS; the filter is synchronised to every thread (TSYNC).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "seccomp.h"

/* The policies, embedded by seccomp_policies.S. */
extern const char lch_seccomp_strict[], lch_seccomp_strict_end[];
extern const char lch_seccomp_default[], lch_seccomp_default_end[];
extern const char lch_seccomp_overlay[], lch_seccomp_overlay_end[];

#define POLICY_MAX_LINE 4096
/* Numbers libseccomp has no name for, up to this horizon, answer ENOSYS
 * (glibc and libuv fall back): x86_64 numbers are assigned in order and
 * reach the 460s in 2026. Beyond it, the default action. */
#define FUTURE_SYSCALLS_MAX 600

static const struct {
    const char *name;
    uint64_t value;
} symbols[] = {
    {"TCGETS", TCGETS},
    {"TCSETS", TCSETS},
    {"TIOCGWINSZ", TIOCGWINSZ},
    {"TIOCGPGRP", TIOCGPGRP},
    {"TIOCGPTN", TIOCGPTN},
    {"FIONBIO", FIONBIO},
    {"FIOCLEX", FIOCLEX},
    {"FIONCLEX", FIONCLEX},
    {"FIONREAD", FIONREAD},
    {"AF_UNIX", AF_UNIX},
    {"AF_INET", AF_INET},
    {"AF_INET6", AF_INET6},
    {"AF_NETLINK", AF_NETLINK},
    {"NETLINK_ROUTE", NETLINK_ROUTE},
    {"SOL_SOCKET", SOL_SOCKET},
    {"SO_SNDBUF", SO_SNDBUF},
    {"SO_RCVBUF", SO_RCVBUF},
    {"SO_SNDBUFFORCE", SO_SNDBUFFORCE},
    {"SO_RCVBUFFORCE", SO_RCVBUFFORCE},
    {"SO_REUSEADDR", SO_REUSEADDR},
    {"SO_REUSEPORT", SO_REUSEPORT},
    {"SO_KEEPALIVE", SO_KEEPALIVE},
    {"SO_BROADCAST", SO_BROADCAST},
    {"SO_LINGER", SO_LINGER},
    {"SO_OOBINLINE", SO_OOBINLINE},
    {"SO_PASSCRED", SO_PASSCRED},
    {"SO_RCVLOWAT", SO_RCVLOWAT},
    {"SO_SNDLOWAT", SO_SNDLOWAT},
    {"SO_RCVTIMEO_OLD", 20},
    {"SO_SNDTIMEO_OLD", 21},
    {"SO_RCVTIMEO_NEW", 66},
    {"SO_SNDTIMEO_NEW", 67},
    {"SO_TIMESTAMP_OLD", 29},
    {"SO_INCOMING_CPU", 49},
    {"IPPROTO_IP", IPPROTO_IP},
    {"IPPROTO_TCP", IPPROTO_TCP},
    {"IPPROTO_UDP", IPPROTO_UDP},
    {"IPPROTO_IPV6", IPPROTO_IPV6},
    {"IP_TOS", IP_TOS},
    {"IP_TTL", IP_TTL},
    {"IP_MULTICAST_TTL", IP_MULTICAST_TTL},
    {"IP_MULTICAST_LOOP", IP_MULTICAST_LOOP},
    {"IP_RECVERR", IP_RECVERR},
    {"IP_MTU_DISCOVER", IP_MTU_DISCOVER},
    {"IP_PKTINFO", IP_PKTINFO},
    {"IP_RECVTOS", IP_RECVTOS},
    {"IP_OPTIONS", IP_OPTIONS},
    {"IP_ADD_MEMBERSHIP", IP_ADD_MEMBERSHIP},
    {"IP_DROP_MEMBERSHIP", IP_DROP_MEMBERSHIP},
    {"IP_MULTICAST_IF", IP_MULTICAST_IF},
    {"IP_TRANSPARENT", IP_TRANSPARENT},
    {"IP_FREEBIND", IP_FREEBIND},
    {"IP_HDRINCL", IP_HDRINCL},
    {"IP_ADD_SOURCE_MEMBERSHIP", IP_ADD_SOURCE_MEMBERSHIP},
    {"IPV6_V6ONLY", IPV6_V6ONLY},
    {"IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS},
    {"IPV6_MULTICAST_HOPS", IPV6_MULTICAST_HOPS},
    {"IPV6_MULTICAST_LOOP", IPV6_MULTICAST_LOOP},
    {"IPV6_TCLASS", IPV6_TCLASS},
    {"IPV6_RECVERR", IPV6_RECVERR},
    {"IPV6_MTU_DISCOVER", IPV6_MTU_DISCOVER},
    {"IPV6_RECVPKTINFO", IPV6_RECVPKTINFO},
    {"IPV6_RTHDR", IPV6_RTHDR},
    {"IPV6_ADD_MEMBERSHIP", IPV6_ADD_MEMBERSHIP},
    {"IPV6_DROP_MEMBERSHIP", IPV6_DROP_MEMBERSHIP},
    {"IPV6_MULTICAST_IF", IPV6_MULTICAST_IF},
    {"IPV6_TRANSPARENT", IPV6_TRANSPARENT},
    {"IPV6_2292RTHDR", IPV6_2292RTHDR},
    {"IPV6_HOPOPTS", IPV6_HOPOPTS},
    {"IPV6_DSTOPTS", IPV6_DSTOPTS},
    {"SOCK_STREAM", SOCK_STREAM},
    {"SOCK_DGRAM", SOCK_DGRAM},
    {"SOCK_SEQPACKET", SOCK_SEQPACKET},
    /* socket(2)'s type without SOCK_NONBLOCK and SOCK_CLOEXEC */
    {"SOCK_TYPE_MASK", 0xf},
    {"O_CREAT", O_CREAT},
    /* O_TMPFILE without O_DIRECTORY: the bit that makes an open create */
    {"O_TMPFILE_BIT", O_TMPFILE & ~O_DIRECTORY},
    {"S_ISUID", S_ISUID},
    {"S_ISGID", S_ISGID},
    {"F_GETLK", F_GETLK},
    {"F_SETLK", F_SETLK},
    {"F_SETLKW", F_SETLKW},
    {"F_OFD_GETLK", F_OFD_GETLK},
    {"F_OFD_SETLK", F_OFD_SETLK},
    {"F_OFD_SETLKW", F_OFD_SETLKW},
    {"F_SETLEASE", F_SETLEASE},
    {"F_GETLEASE", F_GETLEASE},
    {"CLONE_THREAD", CLONE_THREAD},
    {"CLONE_VM", CLONE_VM},
    /* every namespace flag clone(2) knows */
    {"CLONE_NEW_ANY", CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                          CLONE_NEWPID | CLONE_NEWNET | 0x80 /* NEWTIME */},
};

typedef struct {
    scmp_filter_ctx ctx;
    char *err;
    size_t errlen;
    int line;
    uint32_t def;
    bool have_def;
} compiler_t;

__attribute__((format(printf, 2, 3))) static int bad(compiler_t *c, const char *fmt, ...)
{
    int n = snprintf(c->err, c->errlen, "line %d: ", c->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < c->errlen)
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static int parse_one(compiler_t *c, const char *s, uint64_t *out);

/* A value: numbers and constants joined by '+' (bitwise or). */
static int parse_value(compiler_t *c, const char *s, uint64_t *out)
{
    char buf[128];
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf)
        return bad(c, "'%s' is too long", s);
    *out = 0;
    char *save = NULL;
    for (char *part = strtok_r(buf, "+", &save); part; part = strtok_r(NULL, "+", &save)) {
        uint64_t v = 0;
        if (parse_one(c, part, &v) < 0)
            return -EINVAL;
        *out |= v;
    }
    return 0;
}

static int parse_one(compiler_t *c, const char *s, uint64_t *out)
{
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
        if (!strcmp(s, symbols[i].name)) {
            *out = symbols[i].value;
            return 0;
        }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end)
        return bad(c, "'%s' is neither a number nor a known constant", s);
    *out = v;
    return 0;
}

static int syscall_nr(compiler_t *c, const char *name)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return bad(c, "no system call named '%s' on this architecture", name);
    return nr;
}

static int add(compiler_t *c, uint32_t action, int nr, const char *name, unsigned n,
               const struct scmp_arg_cmp *cmp)
{
    int r = seccomp_rule_add_exact_array(c->ctx, action, nr, n, cmp);
    if (r < 0)
        return bad(c, "rule for %s: %s", name, strerror(-r));
    return 0;
}

/* "argN=V1|V2" or "argN&MASK=V": one term of an allow-if line. */
typedef struct {
    unsigned arg;
    uint64_t mask;
    uint64_t values[8];
    unsigned nvalues;
} term_t;

static int parse_term(compiler_t *c, char *s, term_t *t)
{
    if (strncmp(s, "arg", 3) || s[3] < '0' || s[3] > '5')
        return bad(c, "'%s': a condition looks like arg1=VALUE|VALUE or arg0&MASK=VALUE", s);
    t->arg = (unsigned)(s[3] - '0');
    char *p = s + 4;
    t->mask = 0xffffffffu;
    char *eq = strchr(p, '=');
    if (!eq)
        return bad(c, "'%s': no '='", s);
    *eq = '\0';
    if (*p == '&') {
        if (parse_value(c, p + 1, &t->mask) < 0)
            return -EINVAL;
        t->mask &= 0xffffffffu;
    } else if (*p) {
        return bad(c, "'%s': unexpected '%s'", s, p);
    }
    t->nvalues = 0;
    char *save = NULL;
    for (char *v = strtok_r(eq + 1, "|", &save); v; v = strtok_r(NULL, "|", &save)) {
        if (t->nvalues == sizeof t->values / sizeof t->values[0])
            return bad(c, "too many alternatives");
        if (parse_value(c, v, &t->values[t->nvalues++]) < 0)
            return -EINVAL;
    }
    if (!t->nvalues)
        return bad(c, "'%s': no value", s);
    return 0;
}

/* allow-if / eperm-if NAME TERM [TERM [TERM]]: the terms are ANDed;
 * alternatives in a term become one rule each (every combination). */
static int rule_if(compiler_t *c, uint32_t action, char **tok, int ntok)
{
    if (ntok < 3 || ntok > 5)
        return bad(c, "%s NAME argN=V[|V...] [argM=V] [argK=V]", tok[0]);
    int nr = syscall_nr(c, tok[1]);
    if (nr < 0)
        return nr;
    term_t t[3];
    unsigned nt = (unsigned)ntok - 2;
    for (unsigned i = 0; i < nt; i++)
        if (parse_term(c, tok[2 + i], &t[i]) < 0)
            return -EINVAL;
    if (action == c->def)
        return 0; /* libseccomp refuses rules equal to the default */
    unsigned pick[3] = {0, 0, 0};
    for (;;) {
        struct scmp_arg_cmp cmp[3];
        for (unsigned i = 0; i < nt; i++)
            cmp[i] = SCMP_CMP64(t[i].arg, SCMP_CMP_MASKED_EQ, t[i].mask,
                                t[i].values[pick[i]] & t[i].mask);
        if (add(c, action, nr, tok[1], nt, cmp) < 0)
            return -EINVAL;
        /* the next combination, the last term turning fastest */
        unsigned i = nt;
        while (i > 0 && ++pick[i - 1] == t[i - 1].nvalues)
            pick[--i] = 0;
        if (i == 0)
            return 0;
    }
}

static int compile_line(compiler_t *c, char *line)
{
    char *tok[64];
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (n == 64)
            return bad(c, "too many words on one line");
        tok[n++] = t;
    }
    if (n == 0)
        return 0;
    if (!strcmp(tok[0], "default")) {
        if (c->have_def)
            return bad(c, "'default' given twice");
        if (n != 2 || (strcmp(tok[1], "kill") && strcmp(tok[1], "eperm")))
            return bad(c, "default kill|eperm");
        c->def = !strcmp(tok[1], "kill") ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM);
        c->have_def = true;
        return 0;
    }
    if (!c->have_def)
        return bad(c, "the first rule must be 'default kill' or 'default eperm'");
    if (!strcmp(tok[0], "allow-if"))
        return rule_if(c, SCMP_ACT_ALLOW, tok, n);
    if (!strcmp(tok[0], "eperm-if"))
        return rule_if(c, SCMP_ACT_ERRNO(EPERM), tok, n);
    uint32_t action;
    if (!strcmp(tok[0], "allow"))
        action = SCMP_ACT_ALLOW;
    else if (!strcmp(tok[0], "enosys"))
        action = SCMP_ACT_ERRNO(ENOSYS);
    else if (!strcmp(tok[0], "eperm"))
        action = SCMP_ACT_ERRNO(EPERM);
    else if (!strcmp(tok[0], "kill"))
        action = SCMP_ACT_KILL_PROCESS;
    else
        return bad(
            c, "unknown directive '%s' (default, allow, allow-if, enosys, eperm, eperm-if, kill)",
            tok[0]);
    if (n < 2)
        return bad(c, "'%s' names no system call", tok[0]);
    for (int i = 1; i < n; i++) {
        int nr = syscall_nr(c, tok[i]);
        if (nr < 0)
            return nr;
        if (action == c->def)
            continue; /* libseccomp refuses rules equal to the default */
        if (add(c, action, nr, tok[i], 0, NULL) < 0)
            return -EINVAL;
    }
    return 0;
}

/* Compiles text into a new filter in *out (caller releases it). run: the
 * profile grants processes (the lines marked `run:` count, `norun:` not). */
static int compile(const char *text, bool run, scmp_filter_ctx *out, char *err, size_t errlen)
{
    compiler_t c = {.err = err, .errlen = errlen};
    /* the default action is only known after the first line: start with
     * kill and rebuild the context once 'default' has been read */
    const char *p = text;
    char line[POLICY_MAX_LINE];
    int r = 0;
    while (*p && r == 0) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        c.line++;
        if (len >= sizeof line) {
            r = bad(&c, "longer than %d characters", POLICY_MAX_LINE - 1);
            break;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *body = line;
        if (!strncmp(line, "run:", 4))
            body = run ? line + 4 : NULL;
        else if (!strncmp(line, "norun:", 6))
            body = run ? NULL : line + 6;
        bool was_def = c.have_def;
        r = body ? compile_line(&c, body) : 0;
        if (r == 0 && !was_def && c.have_def) {
            c.ctx = seccomp_init(c.def);
            if (!c.ctx) {
                r = -ENOMEM;
                snprintf(err, errlen, "seccomp_init failed");
                break;
            }
            /* a foreign arch (i386 via int 0x80) or an x32 number: kill */
            seccomp_attr_set(c.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
            seccomp_attr_set(c.ctx, SCMP_FLTATR_CTL_TSYNC, 1);
            seccomp_attr_set(c.ctx, SCMP_FLTATR_CTL_NNP, 1);
            /* a binary search over the numbers, not a linear scan: every
             * system call of the guest runs this program */
            seccomp_attr_set(c.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        }
        p = nl ? nl + 1 : p + len;
    }
    if (r == 0 && !c.have_def) {
        c.line = 0;
        r = bad(&c, "no 'default' line");
    }
    if (r == 0) {
        /* system calls newer than this libseccomp's table: ENOSYS */
        for (int nr = 0; nr <= FUTURE_SYSCALLS_MAX; nr++) {
            char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
            if (name) {
                free(name);
                continue;
            }
            if (nr < 335) /* the holes below the 4xx block are old, unused numbers */
                continue;
            seccomp_rule_add_exact(c.ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
        }
    }
    if (r < 0) {
        if (c.ctx)
            seccomp_release(c.ctx);
        return r;
    }
    *out = c.ctx;
    return 0;
}

/* "NAME+run": NAME's text compiled for a profile that grants run. */
static bool run_variant(const char *name, char *base, size_t cap)
{
    size_t n = strlen(name);
    bool run = n > 4 && !strcmp(name + n - 4, "+run");
    snprintf(base, cap, "%.*s", (int)(run ? n - 4 : n), name);
    return run;
}

const char *lch_seccomp_policy_text(const char *full)
{
    static char *cache[3];
    const char *start, *end;
    int i;
    char name[32];
    run_variant(full, name, sizeof name);
    if (!strcmp(name, "strict")) {
        start = lch_seccomp_strict, end = lch_seccomp_strict_end, i = 0;
    } else if (!strcmp(name, "default")) {
        start = lch_seccomp_default, end = lch_seccomp_default_end, i = 1;
    } else if (!strcmp(name, "overlay")) {
        start = lch_seccomp_overlay, end = lch_seccomp_overlay_end, i = 2;
    } else {
        return NULL;
    }
    if (!cache[i]) {
        size_t n = (size_t)(end - start);
        cache[i] = malloc(n + 1);
        if (!cache[i])
            return NULL;
        memcpy(cache[i], start, n);
        cache[i][n] = '\0';
    }
    return cache[i];
}

int lch_seccomp_check(const char *text, char *err, size_t errlen)
{
    scmp_filter_ctx ctx;
    int r = compile(text, false, &ctx, err, errlen);
    if (r == 0) {
        seccomp_release(ctx);
        r = compile(text, true, &ctx, err, errlen);
    }
    if (r == 0)
        seccomp_release(ctx);
    return r;
}

int lch_seccomp_export(const char *name, int fd, char *err, size_t errlen)
{
    const char *text = lch_seccomp_policy_text(name);
    if (!text) {
        snprintf(err, errlen, "no seccomp policy named '%s' (strict, default)", name);
        return -ENOENT;
    }
    char base[32];
    scmp_filter_ctx ctx;
    int r = compile(text, run_variant(name, base, sizeof base), &ctx, err, errlen);
    if (r < 0)
        return r;
    r = seccomp_export_bpf(ctx, fd);
    if (r < 0)
        snprintf(err, errlen, "cannot export the filter: %s", strerror(-r));
    seccomp_release(ctx);
    return r;
}

#ifndef LCH_SECCOMP_TOOL
/* The compiled filters, embedded by seccomp_bpf.S from build/seccomp/. */
extern const struct sock_filter lch_bpf_strict[], lch_bpf_strict_end[];
extern const struct sock_filter lch_bpf_default[], lch_bpf_default_end[];
extern const struct sock_filter lch_bpf_overlay[], lch_bpf_overlay_end[];
extern const struct sock_filter lch_bpf_strict_run[], lch_bpf_strict_run_end[];
extern const struct sock_filter lch_bpf_default_run[], lch_bpf_default_run_end[];

int lch_seccomp_install(const char *name, char *err, size_t errlen)
{
    const struct sock_filter *start, *end;
    unsigned flags = SECCOMP_FILTER_FLAG_TSYNC;
    if (!strcmp(name, "strict")) {
        start = lch_bpf_strict, end = lch_bpf_strict_end;
    } else if (!strcmp(name, "strict+run")) {
        start = lch_bpf_strict_run, end = lch_bpf_strict_run_end;
    } else if (!strcmp(name, "default+run")) {
        start = lch_bpf_default_run, end = lch_bpf_default_run_end;
    } else if (!strcmp(name, "default")) {
        start = lch_bpf_default, end = lch_bpf_default_end;
    } else if (!strcmp(name, "overlay")) {
        /* the calling thread (and those it creates) only */
        start = lch_bpf_overlay, end = lch_bpf_overlay_end;
        flags = 0;
    } else {
        snprintf(err, errlen, "no seccomp policy named '%s' (strict, default)", name);
        return -ENOENT;
    }
    struct sock_fprog prog = {.len = (unsigned short)(end - start),
                              .filter = (struct sock_filter *)start};
    if (prog.len == 0) {
        snprintf(err, errlen, "the %s filter is empty (a broken build)", name);
        return -EINVAL;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
        return -errno;
    }
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) != 0) {
        int e = errno;
        snprintf(err, errlen, "cannot load the %s filter: %s", name,
                 e ? strerror(e) : "another thread disagrees (TSYNC)");
        return e ? -e : -EBUSY;
    }
    return 0;
}
#endif
