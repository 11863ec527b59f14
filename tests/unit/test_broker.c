/* tests/unit/test_broker.c — the permission broker alone: profile parsing
 * (every error path), grants, canonical path matching on component
 * boundaries, env globs, net host:port rules, run rules, audit lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bridge/broker.h"
#include "unit.h"

static brk_policy_t *parsed(const char *text)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    int r = brk_profile_parse(p, text, strlen(text), "t.profile", &err);
    ck_assert_msg(r == 0, "parse: %s", err ? err : "?");
    return p;
}

static void parse_fails(const char *text, const char *needle)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    ck_assert_int_lt(brk_profile_parse(p, text, strlen(text), "t.profile", &err), 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, needle) != NULL, "'%s' lacks '%s'", err, needle);
    free(err);
    brk_policy_free(p);
}

static bool allowed(brk_policy_t *p, brk_domain_t d, const char *target)
{
    return brk_decide(p, d, "op", target, NULL) == 0;
}

START_TEST(profile_full)
{
    brk_policy_t *p = parsed("# a profile\n"
                             "\n"
                             "fs.read = /app, /data/\n"
                             "  fs.write=/tmp  \r\n"
                             "net.allow = localhost:8080, 127.0.0.1, [::1]:*\n"
                             "env.allow = HOME, NODE_*\n"
                             "run.allow = git,/usr/bin/env\n"
                             "limits.heap_mb = 64\n"
                             "limits.timeout_ms = 5000\n"
                             "limits.cpu_ms = 0\n"
                             "limits.tmpfs_mb = 32\n"
                             "limits.pids = 16\n"
                             "limits.fds = 128\n"
                             "limits.output_bytes = 1048576\n"
                             "limits.write_bytes = 0\n"
                             "limits.write_files = 7\n"
                             "crypto.max_modulus_bits = 4096\n"
                             "sandbox.namespaces = user, mount, pid, net, ipc, uts, cgroup\n"
                             "sandbox.seccomp = default\n"
                             "sandbox.network = loopback\n"
                             "sandbox.overlay = off\n");
    const brk_settings_t *s = brk_settings(p);
    ck_assert(s->overlay_off);
    ck_assert_uint_eq(s->heap_mb, 64);
    ck_assert_uint_eq(s->timeout_ms, 5000);
    ck_assert_uint_eq(s->tmpfs_mb, 32);
    ck_assert_uint_eq(s->pids, 16);
    ck_assert_uint_eq(s->fds, 128);
    ck_assert_uint_eq(s->output_bytes, 1048576);
    ck_assert_uint_eq(s->write_bytes, 0); /* 0: no quota */
    ck_assert_uint_eq(s->write_files, 7);
    ck_assert_uint_eq(s->max_modulus_bits, 4096);
    ck_assert_uint_eq(s->namespaces, BRK_NS_ALL);
    ck_assert_str_eq(s->seccomp, "default");
    ck_assert_int_eq(s->network, BRK_NETMODE_LOOPBACK);
    ck_assert(allowed(p, BRK_FS_READ, "/app/index.js"));
    ck_assert(allowed(p, BRK_FS_READ, "/data"));
    ck_assert(!allowed(p, BRK_FS_WRITE, "/app/x"));
    ck_assert(allowed(p, BRK_FS_WRITE, "/tmp/x"));
    ck_assert(allowed(p, BRK_NET, "localhost:8080"));
    ck_assert(!allowed(p, BRK_NET, "localhost:8081"));
    ck_assert(allowed(p, BRK_NET, "127.0.0.1:443"));
    ck_assert(allowed(p, BRK_NET, "[::1]:9"));
    ck_assert(allowed(p, BRK_ENV, "HOME"));
    ck_assert(allowed(p, BRK_ENV, "NODE_ENV"));
    ck_assert(!allowed(p, BRK_ENV, "PATH"));
    /* a bare name matches nothing until the launcher resolves it */
    ck_assert(!allowed(p, BRK_RUN, "git"));
    ck_assert(!allowed(p, BRK_RUN, "/usr/bin/git"));
    ck_assert(allowed(p, BRK_RUN, "/usr/bin/env"));
    ck_assert(!allowed(p, BRK_RUN, "env"));
    brk_policy_free(p);
}
END_TEST

START_TEST(profile_errors)
{
    parse_fails("fs.read = /a\nfs.read = /b\n", "t.profile:2: 'fs.read' given twice");
    parse_fails("\n\nfs.reed = /a\n", "t.profile:3: unknown key 'fs.reed'");
    parse_fails("fs.read /a\n", "t.profile:1: expected 'key = value'");
    parse_fails("fs.read = app\n", "not an absolute path");
    parse_fails("fs.read = /app/../etc\n", "contains '..'");
    parse_fails("env.allow = 1BAD\n", "not a variable name");
    parse_fails("env.allow = A*B\n", "not a variable name");
    parse_fails("net.allow = host:0\n", "bad port");
    parse_fails("net.allow = host:70000\n", "bad port");
    parse_fails("net.allow = ho st\n", "bad host");
    parse_fails("net.allow = [zz]:1\n", "bad IPv6");
    parse_fails("run.allow = rm -rf\n", "space in command");
    parse_fails("limits.heap_mb = -1\n", "limits.heap_mb");
    parse_fails("limits.heap_mb = 12MB\n", "limits.heap_mb");
    parse_fails("limits.timeout_ms = \n", "limits.timeout_ms");
    parse_fails("limits.pids = 99999999999\n", "limits.pids");
    parse_fails("limits.pids = 3\n", "limits.pids: '3' is too small: at least 8");
    parse_fails("limits.fds = 8\n", "limits.fds: '8' is too small: at least 16");
    parse_fails("limits.heap_mb = 4\n", "limits.heap_mb: '4' is too small: at least 24 MB");
    parse_fails("limits.write_bytes = 64M\n",
                "t.profile:1: limits.write_bytes: '64M' is not a byte count");
    parse_fails("limits.write_bytes = -1\n", "limits.write_bytes");
    parse_fails("limits.write_bytes = 2000000000000\n", "limits.write_bytes");
    parse_fails("limits.write_files = 1e3\n",
                "t.profile:1: limits.write_files: '1e3' is not a count");
    parse_fails("limits.write_files = 99999999999\n", "limits.write_files");
    parse_fails("limits.write_files = 1\nlimits.write_files = 2\n",
                "'limits.write_files' given twice");
    parse_fails("crypto.max_modulus_bits = 256\n",
                "t.profile:1: crypto.max_modulus_bits: '256' is not a modulus size in bits (512 "
                "to 65536)");
    parse_fails("crypto.max_modulus_bits = 65537\n", "crypto.max_modulus_bits");
    parse_fails("crypto.max_modulus_bits = 4k\n", "crypto.max_modulus_bits");
    parse_fails("sandbox.namespaces = user,time\n", "unknown namespace 'time'");
    parse_fails("sandbox.seccomp = Bad!\n",
                "t.profile:1: sandbox.seccomp: no seccomp policy named 'Bad!' (strict, default)");
    parse_fails("sandbox.seccomp = \n", "no seccomp policy named ''");
    parse_fails("sandbox.network = internet\n", "network must be loopback, not 'internet'");
    parse_fails("sandbox.network = host\n", "'host' is gone: the guest never shares the host's "
                                            "network namespace");
    parse_fails("sandbox.network = none\n", "'none' is gone");
    parse_fails("sandbox.overlay = maybe\n", "overlay must be on or off");
    char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    parse_fails(big, "longer than");
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    const char nul[] = "fs.read = /a\0b\n";
    ck_assert_int_lt(brk_profile_parse(p, nul, sizeof nul - 1, "n.profile", &err), 0);
    ck_assert_msg(strstr(err, "n.profile:1: NUL"), "%s", err);
    free(err);
    brk_policy_free(p);
}
END_TEST

/* Values the launcher cannot honour are refused where they are written
 * (issue 15, item 6). */
START_TEST(profile_unhonoured)
{
    parse_fails("fs.read = /app\nsandbox.namespaces =\n",
                "t.profile:2: sandbox.namespaces: leaves out user, mount, pid, ipc, uts, cgroup");
    parse_fails("sandbox.namespaces = mount\n",
                "t.profile:1: sandbox.namespaces: leaves out user, pid, ipc, uts, cgroup");
    parse_fails("sandbox.namespaces = user, mount, pid, ipc, uts, cgroup\n",
                "t.profile:1: sandbox.namespaces: leaves out net: the guest always has a network "
                "namespace of its own");
    parse_fails("\nlimits.tmpfs_mb = 0\n", "t.profile:2: limits.tmpfs_mb: '0' is too small: at "
                                           "least 1 MB");
    parse_fails("limits.heap_mb = 0\n", "t.profile:1: limits.heap_mb: '0' is too small: at least "
                                        "24 MB");
    parse_fails("limits.fds = 3\n", "t.profile:1: limits.fds: '3' is too small: at least 16");
    parse_fails("\n\nsandbox.seccomp = dev\n",
                "t.profile:3: sandbox.seccomp: no seccomp policy named 'dev' (strict, default)");
    parse_fails("net.allow = http://example.com\n",
                "'http://example.com' is a URL: give host or host:port (here 'example.com')");
    parse_fails("net.allow = 10.0.0.1/8\n", "'10.0.0.1/8' has address bits past /8 (the range is "
                                            "10.0.0.0/8)");
    parse_fails("net.allow = example.com/x\n", "has a '/'");

    /* what is honoured passes: the whole set */
    brk_policy_t *p = parsed("sandbox.network = loopback\n"
                             "sandbox.namespaces = cgroup, net, uts, ipc, pid, mount, user\n"
                             "limits.tmpfs_mb = 1\n"
                             "limits.heap_mb = 24\n"
                             "limits.fds = 16\n");
    ck_assert_uint_eq(brk_settings(p)->namespaces, BRK_NS_ALL);
    brk_policy_free(p);
    /* left out: what the launcher makes */
    p = parsed("sandbox.network = loopback\n");
    ck_assert_uint_eq(brk_settings(p)->namespaces, BRK_NS_ALL);
    brk_policy_free(p);
}
END_TEST

/* Defaults of keys a profile leaves out, and where each value came from
 * (--print-profile). */
START_TEST(profile_defaults_and_origins)
{
    brk_policy_t *p = parsed("# x\nfs.read = /app, /srv/\nlimits.pids = 9\n");
    const brk_settings_t *s = brk_settings(p);
    ck_assert_uint_eq(s->heap_mb, 128);
    ck_assert_uint_eq(s->tmpfs_mb, 64);
    ck_assert_uint_eq(s->fds, 256);
    ck_assert_uint_eq(s->output_bytes, 16u << 20);
    ck_assert_uint_eq(s->timeout_ms, 0);
    ck_assert_uint_eq(s->cpu_ms, 0);
    ck_assert_str_eq(s->seccomp, "strict");
    ck_assert_int_eq(s->network, BRK_NETMODE_LOOPBACK);
    ck_assert(!s->overlay_off);
    ck_assert_str_eq(brk_setting_origin(p, "limits.pids"), "t.profile:3");
    ck_assert_ptr_null(brk_setting_origin(p, "limits.heap_mb"));
    size_t n;
    bool all, dir = true;
    const char *const *r = brk_path_rules(p, BRK_FS_READ, &n, &all);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(r[1], "/srv");
    ck_assert_str_eq(brk_rule_origin(p, BRK_FS_READ, 0, &dir), "t.profile:2");
    ck_assert(!dir);
    brk_rule_origin(p, BRK_FS_READ, 1, &dir);
    ck_assert(dir); /* a trailing '/': a folder */
    brk_policy_free(p);
}
END_TEST

/* "*" and host paths together: both kept, each with its origin (issue 15,
 * item 2). */
START_TEST(grants_compose)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    ck_assert_int_eq(brk_set_origin(p, "--allow-read=/etc/app"), 0);
    ck_assert_int_eq(brk_grant(p, BRK_FS_READ, "/etc/app", &err), 0);
    ck_assert_int_eq(brk_set_origin(p, "--allow-all"), 0);
    ck_assert_int_eq(brk_grant_all(p), 0);
    ck_assert_int_eq(brk_set_origin(p, "--allow-write"), 0);
    ck_assert_int_eq(brk_grant(p, BRK_FS_WRITE, "*, /srv/out", &err), 0);
    size_t n;
    bool all;
    const char *const *r = brk_path_rules(p, BRK_FS_READ, &n, &all);
    ck_assert(all);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(r[0], "/etc/app");
    ck_assert_str_eq(brk_rule_origin(p, BRK_FS_READ, 0, NULL), "--allow-read=/etc/app");
    ck_assert_str_eq(brk_all_origin(p, BRK_FS_READ), "--allow-all");
    r = brk_path_rules(p, BRK_FS_WRITE, &n, &all);
    ck_assert(all);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(r[0], "/srv/out");
    ck_assert_str_eq(brk_all_origin(p, BRK_FS_WRITE), "--allow-all"); /* the first said */
    ck_assert(allowed(p, BRK_FS_READ, "/anything"));
    /* a profile's "*" with paths, origins per line */
    brk_policy_t *q = parsed("fs.read = *, /cfg\n");
    r = brk_path_rules(q, BRK_FS_READ, &n, &all);
    ck_assert(all);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(r[0], "/cfg");
    ck_assert_str_eq(brk_all_origin(q, BRK_FS_READ), "t.profile:1");
    ck_assert_ptr_null(brk_all_origin(q, BRK_FS_WRITE));
    brk_policy_free(q);
    brk_policy_free(p);
}
END_TEST

START_TEST(defaults_deny)
{
    brk_policy_t *p = brk_policy_new();
    /* a profile that names no write quota gets strict's */
    ck_assert_uint_eq(brk_settings(p)->write_bytes, 64u << 20);
    ck_assert_uint_eq(brk_settings(p)->write_files, 1000);
    ck_assert_uint_eq(brk_settings(p)->max_modulus_bits, 0); /* 0: BRK_DEFAULT_MAX_MODULUS_BITS */
    for (int d = 0; d < BRK_DOMAINS; d++)
        ck_assert(!allowed(p, (brk_domain_t)d, d <= BRK_FS_WRITE ? "/x" : "x"));
    const char *rule;
    ck_assert_int_eq(brk_decide(p, BRK_FS_READ, "read", "/etc/passwd", &rule), -EACCES);
    ck_assert_str_eq(rule, "default-deny");
    /* a grant in one domain opens no other */
    ck_assert_int_eq(brk_grant(p, BRK_FS_READ, NULL, NULL), 0);
    ck_assert(allowed(p, BRK_FS_READ, "/etc/passwd"));
    ck_assert(!allowed(p, BRK_FS_WRITE, "/etc/passwd"));
    ck_assert(!allowed(p, BRK_ENV, "HOME"));
    brk_grant_all(p);
    ck_assert(allowed(p, BRK_RUN, "anything"));
    brk_policy_free(p);
}
END_TEST

START_TEST(path_boundaries)
{
    ck_assert(brk_path_covers("/app", "/app"));
    ck_assert(brk_path_covers("/app", "/app/x/y"));
    ck_assert(!brk_path_covers("/app", "/appx"));
    ck_assert(!brk_path_covers("/app", "/ap"));
    ck_assert(!brk_path_covers("/app/x", "/app"));
    ck_assert(brk_path_covers("/", "/anything"));
    brk_policy_t *p = brk_policy_new();
    ck_assert_int_eq(brk_grant(p, BRK_FS_READ, "/app/,//srv//data/./", NULL), 0);
    ck_assert(allowed(p, BRK_FS_READ, "/app"));
    ck_assert(!allowed(p, BRK_FS_READ, "/appx/y"));
    ck_assert(allowed(p, BRK_FS_READ, "/srv/data/f"));
    ck_assert(!allowed(p, BRK_FS_READ, "/srv/database"));
    ck_assert(!allowed(p, BRK_FS_READ, "relative/app"));
    const char *rule;
    brk_decide(p, BRK_FS_READ, "read", "/srv/data/f", &rule);
    ck_assert_str_eq(rule, "/srv/data");
    brk_policy_free(p);
}
END_TEST

START_TEST(normalize)
{
    char out[64];
    const char *cases[][2] = {
        {"/", "/"},           {"//a//b/", "/a/b"},
        {"/a/./b/.", "/a/b"}, {"/a/b/../c", "/a/c"},
        {"/../..", "/"},      {"/a/..", "/"},
        {"/a/../../b", "/b"}, {"/.hidden/x", "/.hidden/x"},
        {"/a/...", "/a/..."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(brk_path_normalize(cases[i][0], out, sizeof out), 0);
        ck_assert_msg(!strcmp(out, cases[i][1]), "%s -> %s, want %s", cases[i][0], out,
                      cases[i][1]);
    }
    ck_assert_int_eq(brk_path_normalize("rel", out, sizeof out), -EINVAL);
    ck_assert_int_eq(brk_path_normalize("", out, sizeof out), -EINVAL);
    char small[4];
    ck_assert_int_eq(brk_path_normalize("/abcdef", small, sizeof small), -ENAMETOOLONG);
}
END_TEST

START_TEST(audit_lines)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    brk_policy_t *p = brk_policy_new();
    brk_grant(p, BRK_FS_READ, "/app", NULL);
    brk_set_audit(p, f);
    brk_decide(p, BRK_FS_READ, "read", "/app/a\"b", NULL);
    brk_decide(p, BRK_FS_READ, "read", "/etc/passwd", NULL);
    brk_decide(p, BRK_ENV, "read", "HOME", NULL);
    fclose(f);
    ck_assert_msg(strstr(buf, "\"domain\":\"fs\",\"op\":\"read\",\"target\":\"/app/a\\\"b\","
                              "\"allow\":true,\"rule\":\"/app\"}\n"),
                  "%s", buf);
    ck_assert_msg(strstr(buf,
                         "\"target\":\"/etc/passwd\",\"allow\":false,\"rule\":\"default-deny\","
                         "\"wall\":\"broker\"}"),
                  "%s", buf);
    ck_assert_msg(strstr(buf, "\"domain\":\"env\""), "%s", buf);
    int lines = 0;
    for (char *c = buf; *c; c++)
        lines += *c == '\n';
    ck_assert_int_eq(lines, 3);
    ck_assert(strncmp(buf, "{\"ts\":", 6) == 0);
    free(buf);
    brk_policy_free(p);
}
END_TEST

/* The stop callback's record. */
static int stops;
static char stop_why[256];
static void on_stop(void *arg, const char *why)
{
    (void)arg;
    stops++;
    snprintf(stop_why, sizeof stop_why, "%s", why);
}

/* A policy granting `grant` in d, auditing to f with on_stop. */
static brk_policy_t *audited(FILE *f, brk_domain_t d, const char *grant)
{
    ck_assert_ptr_nonnull(f);
    brk_policy_t *p = brk_policy_new();
    ck_assert_int_eq(brk_grant(p, d, grant, NULL), 0);
    brk_set_audit(p, f);
    stops = 0;
    brk_set_audit_stop(p, on_stop, NULL);
    return p;
}

START_TEST(audit_bounded)
{
    /* a target of control bytes is cut at BRK_AUDIT_FIELD_MAX characters */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    brk_policy_t *p = brk_policy_new();
    brk_set_audit(p, f);
    char target[4000] = "/etc/";
    memset(target + 5, 1, sizeof target - 6);
    target[sizeof target - 1] = '\0';
    ck_assert_int_eq(brk_decide(p, BRK_FS_READ, "stat", target, NULL), -EACCES);
    fflush(f);
    ck_assert_msg(len < BRK_AUDIT_FIELD_MAX + 200, "%zu bytes", len);
    ck_assert_msg(strstr(buf, "\"rule\":\"default-deny\",\"wall\":\"broker\",\"truncated\":true,"
                              "\"target_len\":3999}\n"),
                  "%s", buf);
    ck_assert_msg(strstr(buf, "\"target\":\"/etc/\\u0001"), "%s", buf);
    /* the field ends on a whole escape */
    ck_assert_msg(strstr(buf, "\\u0001\",\"allow\":false"), "%s", buf);
    fclose(f);
    free(buf);
    brk_policy_free(p);
}
END_TEST

START_TEST(audit_run_limit)
{
    /* a run adds at most BRK_AUDIT_MAX_BYTES: then one last line, the
     * callback once, and every later decision refused */
    FILE *f = tmpfile();
    brk_policy_t *p = audited(f, BRK_FS_READ, "/");
    char target[900];
    memset(target, 'a', sizeof target);
    target[0] = '/';
    target[sizeof target - 1] = '\0';
    size_t n = 0;
    while (brk_decide(p, BRK_FS_READ, "read", target, NULL) == 0)
        n++;
    ck_assert_int_eq(stops, 1);
    ck_assert_msg(strstr(stop_why, "limit for this run (64 MiB)"), "%s", stop_why);
    ck_assert(n > (BRK_AUDIT_MAX_BYTES - 4096) / 1000);
    ck_assert_int_eq(brk_decide(p, BRK_FS_READ, "read", "/x", NULL), -EACCES);
    ck_assert_int_eq(stops, 1);
    long size = ftell(f);
    ck_assert_msg(size > 0 && (uint64_t)size <= BRK_AUDIT_MAX_BYTES, "%ld", size);
    char last[512];
    ck_assert_int_eq(fseek(f, size - 300, SEEK_SET), 0);
    size_t got = fread(last, 1, sizeof last - 1, f);
    last[got] = '\0';
    ck_assert_msg(strstr(last, "\n{\"ts\":") &&
                      strstr(last, "\"domain\":\"audit\",\"op\":\"stop\"") && got > 0 &&
                      last[got - 1] == '\n',
                  "%s", last);
    fclose(f);
    brk_policy_free(p);
}
END_TEST

START_TEST(audit_write_fails)
{
    /* a line that cannot be written refuses the decision and stops */
    FILE *f = fopen("/dev/full", "we");
    brk_policy_t *p = audited(f, BRK_ENV, "HOME");
    const char *rule = NULL;
    ck_assert_int_eq(brk_decide(p, BRK_ENV, "read", "HOME", &rule), -EACCES);
    ck_assert_str_eq(rule, "audit-limit");
    ck_assert_int_eq(stops, 1);
    ck_assert_msg(strstr(stop_why, "cannot write the audit log (No space left on device)"), "%s",
                  stop_why);
    fclose(f);
    brk_policy_free(p);
}
END_TEST

START_TEST(audit_run_lines)
{
    /* the run's id on every line, start and end lines, no line and no
     * count for brk_allows */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    brk_policy_t *p = brk_policy_new();
    ck_assert_int_eq(brk_grant(p, BRK_ENV, "HOME,NODE_*", NULL), 0);
    brk_set_audit(p, f);
    ck_assert_int_eq(brk_set_audit_run(p, "bad id"), -EINVAL);
    ck_assert_int_eq(brk_set_audit_run(p, "0123abcd"), 0);
    ck_assert(brk_audit_run(p, "start", "/app/main.js", -1));
    ck_assert(brk_allows(p, BRK_ENV, "NODE_ENV"));
    ck_assert(!brk_allows(p, BRK_ENV, "SECRET"));
    ck_assert(!brk_allows(p, BRK_FS_READ, "/etc"));
    ck_assert_int_eq(brk_denials(p), 0);
    ck_assert_int_eq(brk_decide(p, BRK_ENV, "read", "SECRET", NULL), -EACCES);
    ck_assert_int_eq(brk_denials_in(p, BRK_ENV), 1);
    ck_assert_int_eq(brk_denials_in(p, BRK_FS_READ), 0);
    ck_assert_int_eq(brk_denials_in(p, BRK_DOMAINS), 0); /* no such domain */
    ck_assert(brk_audit_allowed(p, BRK_FS_READ, "load", "/app/x.js", "module-root"));
    ck_assert(brk_audit_os_refusal(p, BRK_FS_WRITE, "open", "/out/x", "EACCES", "host-permissions",
                                   65534));
    ck_assert_int_eq(brk_denials(p), 1);
    ck_assert(brk_audit_run(p, "end", "", 3));
    fclose(f);
    const char *want[] = {
        "\"run\":\"0123abcd\",\"domain\":\"audit\",\"op\":\"start\",\"target\":\"/app/main.js\","
        "\"allow\":true,\"rule\":\"run\"}\n",
        "\"run\":\"0123abcd\",\"domain\":\"env\",\"op\":\"read\",\"target\":\"SECRET\",\"allow\":"
        "false,"
        "\"rule\":\"default-deny\",\"wall\":\"broker\"}\n",
        "\"run\":\"0123abcd\",\"domain\":\"fs\",\"op\":\"load\",\"target\":\"/app/"
        "x.js\",\"allow\":true,"
        "\"rule\":\"module-root\"}\n",
        "\"run\":\"0123abcd\",\"domain\":\"fs\",\"op\":\"open\",\"target\":\"/out/"
        "x\",\"allow\":false,"
        "\"rule\":\"host-permissions\",\"wall\":\"os\",\"errno\":\"EACCES\",\"uid\":65534}\n",
        "\"run\":\"0123abcd\",\"domain\":\"audit\",\"op\":\"end\",\"target\":\"\",\"allow\":true,"
        "\"rule\":\"run\",\"exit_code\":3}\n",
    };
    char *line = buf;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_msg(line && strncmp(line, "{\"ts\":", 6) == 0, "line %zu: %s", i, buf);
        char *comma = strchr(line, ',');
        char *nl = strchr(line, '\n');
        ck_assert_ptr_nonnull(comma);
        ck_assert_ptr_nonnull(nl);
        ck_assert_msg(strncmp(comma + 1, want[i], strlen(want[i])) == 0 &&
                          comma + 1 + strlen(want[i]) == nl + 1,
                      "line %zu: %.*s", i, (int)(nl - line), line);
        line = nl + 1;
    }
    ck_assert_str_eq(line, "");
    free(buf);
    brk_policy_free(p);
}
END_TEST

START_TEST(grant_errors)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    ck_assert_int_lt(brk_grant(p, BRK_FS_WRITE, "/ok,rel", &err), 0);
    ck_assert_msg(strstr(err, "'rel' is not an absolute path"), "%s", err);
    free(err);
    err = NULL;
    ck_assert_int_lt(brk_grant(p, BRK_ENV, "A\x01", &err), 0);
    ck_assert_msg(strstr(err, "control character"), "%s", err);
    free(err);
    /* an empty entry in a list is a mistake (a stray comma), a blank list
     * grants nothing; duplicates collapse */
    err = NULL;
    ck_assert_int_lt(brk_grant(p, BRK_ENV, " A ,, A,", &err), 0);
    ck_assert_msg(strstr(err, "an empty entry in ' A ,, A,'"), "%s", err);
    free(err);
    ck_assert_int_eq(brk_grant(p, BRK_ENV, "  ", NULL), 0);
    ck_assert(!allowed(p, BRK_ENV, "A"));
    ck_assert_int_eq(brk_grant(p, BRK_ENV, " A , A", NULL), 0);
    ck_assert(allowed(p, BRK_ENV, "A"));
    ck_assert(!allowed(p, BRK_ENV, "AB"));
    brk_policy_free(p);
}
END_TEST

static int unix_decide(brk_policy_t *p, const char *op, const char *addr, size_t len)
{
    return brk_unix_decide(p, "guest", op, addr, len, NULL);
}

/* Unix socket addresses: a path is decided by the fs rules (listen: write;
 * connect: read and write), an abstract name as the sandbox's loopback,
 * anything else is no address. */
START_TEST(unix_sockets)
{
    brk_policy_t *p = brk_policy_new();
    ck_assert_int_eq(brk_grant(p, BRK_FS_WRITE, "/tmp", NULL), 0);
    ck_assert_int_eq(brk_grant(p, BRK_FS_READ, "/tmp,/run", NULL), 0);
    const char *ok = "/tmp/app.sock";
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, ok, strlen(ok)), 0);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_CONNECT, ok, strlen(ok)), 0);
    /* a read grant alone reaches no socket; a write grant alone connects to none */
    const char *ro = "/run/docker.sock";
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_CONNECT, ro, strlen(ro)), -EACCES);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, ro, strlen(ro)), -EACCES);
    ck_assert_int_eq(brk_grant(p, BRK_FS_WRITE, "/srv", NULL), 0);
    const char *wo = "/srv/a.sock";
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, wo, strlen(wo)), 0);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_CONNECT, wo, strlen(wo)), -EACCES);
    /* component boundaries, as every path rule */
    const char *near = "/tmpx.sock";
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, near, strlen(near)), -EACCES);
    /* no address: relative, unnormalised, a NUL inside, too long, bad op */
    const char *bad[] = {"tmp/a.sock", "/tmp/../etc/a", "/tmp//a", "/tmp/./a", "/tmp/a/", "/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(unix_decide(p, BRK_UNIX_LISTEN, bad[i], strlen(bad[i])) == -EINVAL, "%s",
                      bad[i]);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, "/tmp/a\0b", 8), -EINVAL);
    ck_assert_int_eq(unix_decide(p, "bind", ok, strlen(ok)), -EINVAL);
    char longp[BRK_UNIX_ADDR_MAX + 2] = "/tmp/";
    memset(longp + 5, 'a', sizeof longp - 6);
    longp[sizeof longp - 1] = '\0';
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, longp, BRK_UNIX_ADDR_MAX), 0);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, longp, BRK_UNIX_ADDR_MAX + 1), -EINVAL);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, "\0", 1), -EINVAL);
    /* abstract names: the sandbox's loopback grants them, a port-bound rule too */
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, "\0app", 4), -EACCES);
    ck_assert_int_eq(brk_grant(p, BRK_NET, "example.com:443", NULL), 0);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_CONNECT, "\0app", 4), -EACCES);
    ck_assert_int_eq(brk_grant(p, BRK_NET, "127.0.0.1:3000", NULL), 0);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_LISTEN, "\0app", 4), 0);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_CONNECT, "\0a\0b", 4), 0);
    brk_policy_free(p);
}
END_TEST

START_TEST(unix_audit)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    brk_policy_t *p = brk_policy_new();
    brk_set_audit(p, f);
    ck_assert_int_eq(brk_unix_decide(p, "supervisor", BRK_UNIX_CONNECT, "\0x\ny", 4, NULL),
                     -EACCES);
    ck_assert_int_eq(unix_decide(p, BRK_UNIX_CONNECT, "/run/x.sock", 11), -EACCES);
    fclose(f);
    ck_assert_msg(strstr(buf, "\"domain\":\"net\",\"op\":\"connect\",\"target\":\"unix:@x?y\","
                              "\"allow\":false"),
                  "%s", buf);
    ck_assert_msg(strstr(buf, "\"by\":\"supervisor\""), "%s", buf);
    ck_assert_msg(strstr(buf, "\"op\":\"connect\",\"target\":\"/run/x.sock\",\"allow\":false"),
                  "%s", buf);
    ck_assert_uint_eq(brk_denials(p), 2);
    free(buf);
    brk_policy_free(p);
}
END_TEST

/* the launcher's resolver, played: git is /usr/bin/git, ls a link to
 * coreutils' one file, missing is nowhere */
static int fake_resolve(const char *name, char *out, size_t cap, void *arg)
{
    (void)arg;
    if (!strcmp(name, "git"))
        snprintf(out, cap, "/usr/bin/git");
    else if (!strcmp(name, "ls") || !strcmp(name, "/bin/ls"))
        snprintf(out, cap, "/usr/bin/ls");
    else if (name[0] == '/')
        snprintf(out, cap, "%s", name);
    else
        return -ENOENT;
    return 0;
}

START_TEST(run_rules)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    ck_assert_int_eq(brk_grant(p, BRK_RUN, "git,ls,/bin/ls,/opt/x", &err), 0);
    ck_assert_int_eq(brk_run_resolve(p, fake_resolve, NULL, &err), 0);
    size_t n;
    bool all;
    brk_path_rules(p, BRK_RUN, &n, &all);
    ck_assert_uint_eq(n, 3); /* ls and /bin/ls are one program */
    ck_assert(allowed(p, BRK_RUN, "/usr/bin/git"));
    ck_assert(allowed(p, BRK_RUN, "/usr/bin/ls"));
    ck_assert(allowed(p, BRK_RUN, "/opt/x"));
    ck_assert(!allowed(p, BRK_RUN, "git"));
    ck_assert(!allowed(p, BRK_RUN, "/usr/local/bin/git"));
    ck_assert(!allowed(p, BRK_RUN, "/opt/x/y"));
    ck_assert_int_eq(brk_grant(p, BRK_RUN, "missing", &err), 0);
    ck_assert_int_lt(brk_run_resolve(p, fake_resolve, NULL, &err), 0);
    ck_assert_ptr_nonnull(strstr(err, "missing"));
    free(err);
    brk_policy_free(p);
}
END_TEST

/* words: what brk_shell_words gives, joined by '|'; or "!" + why */
static void words_are(const char *line, const char *want)
{
    char **w = NULL;
    size_t n = 0;
    const char *why = NULL;
    char got[512] = "";
    if (brk_shell_words(line, &w, &n, &why) < 0) {
        snprintf(got, sizeof got, "!%s", why);
    } else {
        for (size_t i = 0; i < n; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "|" : "", w[i]);
        ck_assert_ptr_null(w[n]);
        brk_shell_words_free(w);
    }
    ck_assert_msg(!strcmp(got, want), "'%s': '%s', not '%s'", line, got, want);
}

START_TEST(shell_words)
{
    words_are("echo hi", "echo|hi");
    words_are("  echo   'a b'  \"c d\" e'f'\"g\"  ", "echo|a b|c d|efg");
    words_are("/sandbox/bin/node -e \"console.log(1); process.exit(2)\"",
              "/sandbox/bin/node|-e|console.log(1); process.exit(2)");
    words_are("ls -la /tmp/x.y,z@w:1+2=3%", "ls|-la|/tmp/x.y,z@w:1+2=3%");
    words_are("echo ''", "echo|");
    words_are("echo a~b", "echo|a~b");
    words_are("echo hi; id", "!an operator");
    words_are("echo hi && id", "!an operator");
    words_are("echo hi | id", "!an operator");
    words_are("echo hi &", "!an operator");
    words_are("echo $(id)", "!an expansion ('$')");
    words_are("echo $HOME", "!an expansion ('$')");
    words_are("echo \"$HOME\"", "!an expansion ('$')");
    words_are("echo `id`", "!a command substitution ('`')");
    words_are("echo \"`id`\"", "!a command substitution ('`')");
    words_are("id # echo", "!a comment");
    words_are("echo hi > /tmp/x", "!a redirection");
    words_are("cat < /etc/passwd", "!a redirection");
    words_are("echo hi\nid", "!a newline");
    words_are("echo 'hi\nid'", "!a control character");
    words_are("echo *", "!a pattern");
    words_are("echo ~", "!a character sh treats specially");
    words_are("(id)", "!a subshell");
    words_are("FOO=1 id", "!an assignment");
    words_are("echo \\; id", "!a backslash");
    words_are("echo 'a\\b'", "!a backslash");
    words_are("echo 'unterminated", "!an unterminated quote");
    words_are("echo \"unterminated", "!an unterminated quote");
    words_are("exit 1", "!a word of sh's own (a builtin or reserved word)");
    words_are("cd /; id", "!a word of sh's own (a builtin or reserved word)");
    words_are("if true", "!a word of sh's own (a builtin or reserved word)");
    words_are("'exit' 1", "exit|1");
    words_are("", "!no command");
    words_are("   ", "!no command");
    words_are("'' x", "!an empty program name");
    words_are("echo {a,b}", "!a character sh treats specially");
}
END_TEST

/* crypto.max_*: the defaults, values, 0 (no cap), and what is refused. */
START_TEST(profile_crypto_caps)
{
    brk_policy_t *d = brk_policy_new();
    ck_assert_uint_eq(brk_settings(d)->crypto_max_scrypt_n, UINT64_C(1) << 20);
    ck_assert_uint_eq(brk_settings(d)->crypto_max_pbkdf2_iterations, 10000000);
    ck_assert_uint_eq(brk_settings(d)->crypto_max_prime_bits, 8192);
    brk_policy_free(d);
    brk_policy_t *p = parsed("crypto.max_scrypt_n = 65536\n"
                             "crypto.max_pbkdf2_iterations = 0\n"
                             "crypto.max_prime_bits = 4096\n");
    const brk_settings_t *s = brk_settings(p);
    ck_assert_uint_eq(s->crypto_max_scrypt_n, 65536);
    ck_assert_uint_eq(s->crypto_max_pbkdf2_iterations, 0); /* no cap */
    ck_assert_uint_eq(s->crypto_max_prime_bits, 4096);
    ck_assert_str_eq(brk_setting_origin(p, "crypto.max_prime_bits"), "t.profile:3");
    brk_policy_free(p);
    parse_fails("crypto.max_scrypt_n = -1\n",
                "t.profile:1: crypto.max_scrypt_n: '-1' is not a count");
    parse_fails("crypto.max_scrypt_n = 99999999999\n", "crypto.max_scrypt_n");
    parse_fails("crypto.max_pbkdf2_iterations = 1e6\n",
                "crypto.max_pbkdf2_iterations: '1e6' is not a count (0 to 2147483648, 0: no cap)");
    parse_fails("crypto.max_prime_bits = 2000000\n", "crypto.max_prime_bits");
    parse_fails("crypto.max_prime_bits = \n", "crypto.max_prime_bits");
    parse_fails("crypto.max_prime_bits = 1\ncrypto.max_prime_bits = 2\n",
                "'crypto.max_prime_bits' given twice");
    parse_fails("crypto.max_rsa_bits = 1\n", "unknown key 'crypto.max_rsa_bits'");
}
END_TEST

START_TEST(policy_text_round_trip)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    ck_assert_int_eq(brk_grant(p, BRK_FS_READ, "/app,/data/", &err), 0);
    ck_assert_int_eq(brk_grant(p, BRK_FS_WRITE, "/tmp", &err), 0);
    ck_assert_int_eq(brk_grant(p, BRK_NET, "127.0.0.1:80,example.com", &err), 0);
    ck_assert_int_eq(brk_grant(p, BRK_ENV, "HOME,NODE_*", &err), 0);
    ck_assert_int_eq(brk_grant(p, BRK_RUN, "/usr/bin/git", &err), 0);
    ck_assert_int_eq(brk_grant(p, BRK_FS_READ, NULL, &err), 0);
    brk_settings_mut(p)->heap_mb = 96;
    brk_settings_mut(p)->write_bytes = 1234;
    brk_settings_mut(p)->crypto_max_prime_bits = 2048;
    brk_settings_mut(p)->crypto_max_scrypt_n = 0;
    brk_settings_mut(p)->max_modulus_bits = 2048;
    char *text = brk_policy_text(p);
    ck_assert_ptr_nonnull(text);
    brk_policy_t *q = brk_policy_new();
    ck_assert_msg(brk_profile_parse(q, text, strlen(text), "t", &err) == 0, "%s\n%s", err, text);
    const char *targets[][2] = {{"0", "/anything"},  {"0", "/data/x"},      {"1", "/tmp/y"},
                                {"1", "/app/y"},     {"2", "127.0.0.1:80"}, {"2", "127.0.0.1:81"},
                                {"3", "NODE_ENV"},   {"3", "PATH"},         {"4", "/usr/bin/git"},
                                {"4", "/usr/bin/id"}};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        brk_domain_t d = (brk_domain_t)(targets[i][0][0] - '0');
        ck_assert_msg(brk_allows(p, d, targets[i][1]) == brk_allows(q, d, targets[i][1]), "%s",
                      targets[i][1]);
    }
    ck_assert_uint_eq(brk_settings(q)->heap_mb, 96);
    ck_assert_uint_eq(brk_settings(q)->write_bytes, 1234);
    ck_assert_uint_eq(brk_settings(q)->crypto_max_prime_bits, 2048);
    ck_assert_uint_eq(brk_settings(q)->crypto_max_scrypt_n, 0);
    ck_assert_uint_eq(brk_settings(q)->crypto_max_pbkdf2_iterations, 10000000);
    /* a nested guest keeps the run's cap on key pairs */
    ck_assert_uint_eq(brk_settings(q)->max_modulus_bits, 2048);
    free(text);
    brk_policy_free(p);
    brk_policy_free(q);
}
END_TEST

Suite *broker_suite(void)
{
    Suite *s = suite_create("broker");
    TCase *tc = tcase_create("policy");
    tcase_add_test(tc, profile_full);
    tcase_add_test(tc, profile_errors);
    tcase_add_test(tc, profile_crypto_caps);
    tcase_add_test(tc, profile_unhonoured);
    tcase_add_test(tc, profile_defaults_and_origins);
    tcase_add_test(tc, grants_compose);
    tcase_add_test(tc, defaults_deny);
    tcase_add_test(tc, path_boundaries);
    tcase_add_test(tc, normalize);
    tcase_add_test(tc, audit_lines);
    tcase_add_test(tc, audit_bounded);
    tcase_add_test(tc, audit_run_limit);
    tcase_add_test(tc, audit_write_fails);
    tcase_add_test(tc, audit_run_lines);
    tcase_add_test(tc, grant_errors);
    tcase_add_test(tc, unix_sockets);
    tcase_add_test(tc, unix_audit);
    tcase_add_test(tc, run_rules);
    tcase_add_test(tc, shell_words);
    tcase_add_test(tc, policy_text_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
