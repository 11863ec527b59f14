/* tests/unit/test_report.c — the supervisor's record (launcher/report.c)
 * alone: which limit the facts show (what the supervisor saw first; a
 * claim of the guest runtime only with its status and the supervisor's
 * own measure), the JSON (parsed back with jansson: every field, nulls,
 * escaping of the error), the claim pipe (the last well-formed claim,
 * garbage skipped) and the checks of the --report path. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "../../launcher/report.h"
#include "unit.h"

#define EXITED(code) ((code) << 8) /* a wait status: exited with code */

static lch_facts_t exited(int code)
{
    lch_facts_t f = {.status = code,
                     .wait_status = EXITED(code),
                     .cpu_ms = 10,
                     .peak_bytes = 1 << 20,
                     .peak_source = "cgroup",
                     .duration_ms = 50};
    return f;
}

static lch_limit_t decide(const lch_facts_t *f, bool *claimed)
{
    lch_report_t r;
    lch_report_decide(&r, f);
    if (claimed)
        *claimed = r.limit_claimed;
    return r.limit;
}

START_TEST(what_ended_it)
{
    bool claimed;
    /* the guest's own status, whatever it is */
    lch_facts_t f = exited(137);
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    f = exited(124);
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    /* the budget's claim with 137 */
    f = exited(137);
    f.have_claim = true;
    f.claim.limit = LCH_LIMIT_MEMORY;
    ck_assert_int_eq(decide(&f, &claimed), LCH_LIMIT_MEMORY);
    ck_assert(claimed);
    /* ... not with another status */
    f = exited(0);
    f.have_claim = true;
    f.claim.limit = LCH_LIMIT_MEMORY;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    /* a time claim only once the supervisor's clock reached the limit */
    f = exited(124);
    f.have_claim = true;
    f.claim.limit = LCH_LIMIT_TIME;
    f.wall_ms = 300;
    f.duration_ms = 299;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    f.duration_ms = 300;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_TIME);
    f.wall_ms = 0; /* no time limit in force */
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    /* a CPU claim only with the CPU used */
    f = exited(124);
    f.have_claim = true;
    f.claim.limit = LCH_LIMIT_CPU;
    f.cpu_limit_ms = 300;
    f.cpu_ms = 120;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    f.cpu_ms = 301;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_CPU);
    /* output and seccomp are never a claim */
    f = exited(153);
    f.have_claim = true;
    f.claim.limit = LCH_LIMIT_OUTPUT;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    f = exited(159);
    f.have_claim = true;
    f.claim.limit = LCH_LIMIT_SECCOMP;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    /* what the supervisor saw */
    f = exited(0);
    f.output_over = true;
    f.status = 153;
    ck_assert_int_eq(decide(&f, &claimed), LCH_LIMIT_OUTPUT);
    ck_assert(!claimed);
    f = exited(124);
    f.end = LCH_END_WALL;
    f.wait_status = -1;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_TIME);
    f.end = LCH_END_CPU;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_CPU);
    f = exited(137);
    f.cgroup_oom = true;
    f.wait_status = SIGKILL;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_MEMORY);
    /* an OOM kill of a child, and the guest's own exit(137): no limit */
    f = exited(137);
    f.cgroup_oom = true;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    f = exited(159);
    f.wait_status = SIGSYS;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_SECCOMP);
    /* a forwarded SIGTERM is no limit, even with a claim */
    f = exited(143);
    f.end = LCH_END_SIGNAL;
    f.forwarded_signal = SIGTERM;
    f.have_claim = true;
    f.claim.limit = LCH_LIMIT_MEMORY;
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_NONE);
    lch_report_t r;
    lch_report_decide(&r, &f);
    ck_assert_int_eq(r.signal, SIGTERM);
    f = (lch_facts_t){.setup_failed = true, .status = 125, .wait_status = -1, .error = "x"};
    ck_assert_int_eq(decide(&f, NULL), LCH_LIMIT_LAUNCHER);
}
END_TEST

START_TEST(json_record)
{
    lch_facts_t f = {.setup_failed = true,
                     .status = 125,
                     .wait_status = -1,
                     .cpu_ms = -1,
                     .peak_bytes = -1,
                     .duration_ms = 7,
                     .error = "sandbox: \"quoted\"\n\x01 and \xc3\xa9"};
    lch_report_t r;
    lch_report_decide(&r, &f);
    char *text = lch_report_json(&r, "9.9.9");
    ck_assert_ptr_nonnull(text);
    size_t n = strlen(text);
    ck_assert(n > 2 && text[n - 1] == '\n' && !memchr(text, '\n', n - 1));
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    ck_assert_msg(o != NULL, "%s: %s", text, je.text);
    ck_assert_int_eq(json_object_size(o), 12);
    ck_assert_str_eq(json_string_value(json_object_get(o, "version")), "9.9.9");
    ck_assert_int_eq(json_integer_value(json_object_get(o, "exit_code")), 125);
    ck_assert_str_eq(json_string_value(json_object_get(o, "limit")), "launcher");
    ck_assert(json_is_false(json_object_get(o, "limit_claimed_by_guest")));
    ck_assert(json_is_null(json_object_get(o, "signal")));
    ck_assert(json_is_null(json_object_get(o, "cpu_ms")));
    ck_assert(json_is_null(json_object_get(o, "peak_memory_bytes")));
    ck_assert(json_is_null(json_object_get(o, "peak_memory_source")));
    ck_assert(json_is_null(json_object_get(o, "denials_claimed_by_guest")));
    ck_assert(json_is_null(json_object_get(o, "denials_by_domain_claimed_by_guest")));
    ck_assert_int_eq(json_integer_value(json_object_get(o, "duration_ms")), 7);
    ck_assert_str_eq(json_string_value(json_object_get(o, "error")), f.error);
    json_decref(o);
    free(text);
    /* a guest's end: numbers, the signal's name, the claimed count */
    f = exited(159);
    f.wait_status = SIGSYS;
    f.have_claim = true;
    f.claim.denials = 4;
    const int64_t parts[LCH_DENIAL_DOMAINS] = {1, 2, 1, 0};
    memcpy(f.claim.denials_by, parts, sizeof parts);
    lch_report_decide(&r, &f);
    text = lch_report_json(&r, "1");
    o = json_loads(text, 0, &je);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(json_string_value(json_object_get(o, "signal")), "SIGSYS");
    ck_assert_str_eq(json_string_value(json_object_get(o, "limit")), "seccomp");
    ck_assert_int_eq(json_integer_value(json_object_get(o, "denials_claimed_by_guest")), 4);
    json_t *by = json_object_get(o, "denials_by_domain_claimed_by_guest");
    ck_assert_int_eq(json_object_size(by), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(by, "fs")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(by, "net")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(by, "env")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(by, "run")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "peak_memory_bytes")), 1 << 20);
    ck_assert_str_eq(json_string_value(json_object_get(o, "peak_memory_source")), "cgroup");
    ck_assert(json_is_null(json_object_get(o, "error")));
    json_decref(o);
    free(text);
}
END_TEST

START_TEST(claims)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    lch_claim_t c = {0};
    ck_assert(!lch_claim_read(p[0], &c)); /* nothing yet */
    lch_claim_init(p[1]);
    lch_claim_send(LCH_LIMIT_NONE, 3);
    ck_assert_int_eq(write(p[1], "garbage-garbage!", 16), 16);
    lch_claim_send(LCH_LIMIT_CPU, -1);
    lch_claim_init(-1);
    lch_claim_send(LCH_LIMIT_MEMORY, 9); /* no channel: nothing sent */
    ck_assert(lch_claim_read(p[0], &c));
    ck_assert_int_eq(c.limit, LCH_LIMIT_CPU);
    ck_assert_int_eq(c.denials, -1);
    ck_assert_int_eq(c.denials_by[0], -1); /* no count: no parts */
    /* the parts of a count come with it; parts that do not add up to it
     * are no parts */
    lch_claim_init(p[1]);
    const int64_t by[LCH_DENIAL_DOMAINS] = {2, 0, 1, 0};
    lch_claim_denials_by(by);
    lch_claim_send(LCH_LIMIT_NONE, 3);
    ck_assert(lch_claim_read(p[0], &c));
    ck_assert_int_eq(c.denials, 3);
    ck_assert_int_eq(c.denials_by[0], 2);
    ck_assert_int_eq(c.denials_by[2], 1);
    lch_claim_send(LCH_LIMIT_NONE, 5);
    ck_assert(lch_claim_read(p[0], &c));
    ck_assert_int_eq(c.denials, 5);
    for (int i = 0; i < LCH_DENIAL_DOMAINS; i++)
        ck_assert_int_eq(c.denials_by[i], -1);
    lch_claim_init(-1);
    close(p[0]);
    close(p[1]);
}
END_TEST

START_TEST(report_paths)
{
    char dir[] = "/tmp/report-unit.XXXXXX", path[256], err[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.json", dir);
    int fd = lch_report_open(path, NULL, 0, -1, err, sizeof err);
    ck_assert_msg(fd >= 0, "%s", err);
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    lch_facts_t f = exited(0);
    lch_report_t r;
    lch_report_decide(&r, &f);
    ck_assert_int_eq(lch_report_write(fd, &r, "1", err, sizeof err), 0);
    /* written again: the same file, the old record gone */
    fd = lch_report_open(path, NULL, 0, -1, err, sizeof err);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_int_eq(st.st_size, 0);
    /* the audit log: the same inode */
    int again = lch_report_open(path, NULL, 0, fd, err, sizeof err);
    ck_assert_int_eq(again, -1);
    ck_assert_ptr_nonnull(strstr(err, "the same file as --audit"));
    close(fd);
    /* inside a write grant; the private /tmp grant is not the host's */
    const char *rw[] = {"/tmp", dir};
    ck_assert_int_eq(lch_report_open(path, rw, 2, -1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "inside the write grant"));
    fd = lch_report_open(path, rw, 1, -1, err, sizeof err);
    ck_assert_int_ge(fd, 0);
    close(fd);
    /* a symlink, a folder, a missing folder, an empty name */
    char sym[300];
    snprintf(sym, sizeof sym, "%s/link", dir);
    ck_assert_int_eq(symlink(path, sym), 0);
    ck_assert_int_eq(lch_report_open(sym, NULL, 0, -1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
    ck_assert_int_eq(lch_report_open(dir, NULL, 0, -1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is a folder"));
    ck_assert_int_eq(lch_report_open("/nonexistent-dir/r.json", NULL, 0, -1, err, sizeof err), -1);
    ck_assert_int_eq(lch_report_open("", NULL, 0, -1, err, sizeof err), -1);
    ck_assert_int_eq(lch_report_open("/proc/self/status", NULL, 0, -1, err, sizeof err), -1);
    /* another hard link */
    char hard[300];
    snprintf(hard, sizeof hard, "%s/hard", dir);
    ck_assert_int_eq(link(path, hard), 0);
    ck_assert_int_eq(lch_report_open(path, NULL, 0, -1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "hard links"));
    unlink(hard);
    unlink(sym);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_add_test(tc, what_ended_it);
    tcase_add_test(tc, json_record);
    tcase_add_test(tc, claims);
    tcase_add_test(tc, report_paths);
    suite_add_tcase(s, tc);
    return s;
}
