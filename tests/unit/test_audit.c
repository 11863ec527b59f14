/* tests/unit/test_audit.c — the supervisor's relay of the guest's audit
 * lines (launcher/audit.c) alone: which lines are the guest's to say
 * (forged supervisor lines, the run's own lines, other runs' ids, escapes,
 * repeated keys, bytes that are not a line), serve's request id waited
 * for once, and the relay over a pipe: lines too long, the log's room, a
 * log that cannot take a line. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../launcher/audit.h"
#include "unit.h"

#define RUN "0123456789abcdef0123456789abcdef"

static bool ok_line(lch_audit_relay_t *r, const char *l)
{
    return lch_audit_line_ok(r, l, strlen(l));
}

static lch_audit_relay_t relay_of(const char *run)
{
    lch_audit_relay_t r = {.rd = -1, .out = -1};
    snprintf(r.run, sizeof r.run, "%s", run);
    return r;
}

START_TEST(guest_lines_taken)
{
    lch_audit_relay_t r = relay_of(RUN);
    ck_assert(ok_line(&r, "{\"ts\":1.5,\"run\":\"" RUN "\",\"domain\":\"fs\",\"op\":\"read\","
                          "\"target\":\"/etc/passwd\",\"decision\":\"deny\"}\n"));
    ck_assert(ok_line(&r, "{\"ts\":2,\"run\":\"" RUN "\",\"by\":\"guest\",\"domain\":\"net\","
                          "\"op\":\"connect\"}\n"));
    /* the guest's own stop of the log (its room used up) */
    ck_assert(ok_line(&r, "{\"ts\":3,\"run\":\"" RUN "\",\"domain\":\"audit\",\"op\":\"stop\"}\n"));
}
END_TEST

START_TEST(forged_lines_dropped)
{
    lch_audit_relay_t r = relay_of(RUN);
    const char *bad[] = {
        /* the supervisor's, plainly and spelt otherwise */
        "{\"ts\":1,\"run\":\"" RUN
        "\",\"by\":\"supervisor\",\"domain\":\"net\",\"op\":\"connect\"}\n",
        "{\"ts\":1,\"run\":\"" RUN
        "\",\"by\":\"\\u0073upervisor\",\"domain\":\"net\",\"op\":\"x\"}\n",
        "{\"ts\":1,\"run\":\"" RUN "\",\"by\" : \"supervisor\",\"domain\":\"net\",\"op\":\"x\"}\n",
        /* a "by" that is not a string */
        "{\"ts\":1,\"run\":\"" RUN "\",\"by\":null,\"domain\":\"net\",\"op\":\"x\"}\n",
        /* a repeated key: a reader could take either */
        "{\"ts\":1,\"run\":\"" RUN "\",\"by\":\"guest\",\"by\":\"supervisor\",\"domain\":\"fs\","
        "\"op\":\"read\"}\n",
        "{\"ts\":1,\"run\":\"" RUN "\",\"run\":\"other\",\"domain\":\"fs\",\"op\":\"read\"}\n",
        /* the run's own lines */
        "{\"ts\":1,\"run\":\"" RUN "\",\"domain\":\"audit\",\"op\":\"end\"}\n",
        "{\"ts\":1,\"run\":\"" RUN "\",\"domain\":\"audit\",\"op\":\"start\"}\n",
        "{\"ts\":1,\"run\":\"" RUN "\",\"domain\":\"audit\",\"op\":\"job\"}\n",
        /* another run's id, or none */
        "{\"ts\":1,\"run\":\"ffffffffffffffffffffffffffffffff\",\"domain\":\"fs\",\"op\":\"read\"}"
        "\n",
        "{\"ts\":1,\"domain\":\"fs\",\"op\":\"read\"}\n",
        /* not a decision: fields missing or of the wrong type */
        "{\"ts\":\"1\",\"run\":\"" RUN "\",\"domain\":\"fs\",\"op\":\"read\"}\n",
        "{\"ts\":1,\"run\":\"" RUN "\",\"op\":\"read\"}\n",
        "{\"ts\":1,\"run\":\"" RUN "\",\"domain\":\"fs\"}\n",
        /* not JSON, not one line */
        "{\"ts\":1,\"run\":\"" RUN "\",\"domain\":\"fs\",\"op\":\"read\"\n",
        "{\"ts\":1,\"run\":\"" RUN "\",\"domain\":\"fs\",\"op\":\"read\"} {}\n",
        "[\"ts\",1]\n",
        "{\"ts\":1}",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!ok_line(&r, bad[i]), "taken: %s", bad[i]);
    /* a NUL inside the line */
    char nul[] = "{\"ts\":1,\"run\":\"" RUN "\",\"domain\":\"fs\",\"op\":\"re\0d\"}\n";
    ck_assert(!lch_audit_line_ok(&r, nul, sizeof nul - 1));
}
END_TEST

/* serve: a line of the request's id waits for it once, at most 1 s */
typedef struct {
    lch_job_id_t *job;
    int delay_ms;
} late_t;

static void *set_late(void *arg)
{
    late_t *l = arg;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)l->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    lch_job_id_set(l->job, "feedfacefeedface");
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(job_id_waited_for)
{
    lch_job_id_t job;
    lch_job_id_init(&job);
    lch_audit_relay_t r = relay_of(RUN);
    r.job = &job;
    const char *line =
        "{\"ts\":1,\"run\":\"feedfacefeedface\",\"domain\":\"fs\",\"op\":\"read\"}\n";
    late_t l = {.job = &job, .delay_ms = 100};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, set_late, &l), 0);
    ck_assert(ok_line(&r, line)); /* came before the id: waited for it */
    pthread_join(t, NULL);
    ck_assert(
        !ok_line(&r, "{\"ts\":1,\"run\":\"feedfacefeedfacf\",\"domain\":\"fs\",\"op\":\"r\"}\n"));
    /* the run's own id is still taken */
    ck_assert(ok_line(&r, "{\"ts\":1,\"run\":\"" RUN "\",\"domain\":\"fs\",\"op\":\"read\"}\n"));
    lch_job_id_destroy(&job);
}
END_TEST

START_TEST(job_id_never_comes)
{
    lch_job_id_t job;
    lch_job_id_init(&job);
    lch_audit_relay_t r = relay_of(RUN);
    r.job = &job;
    const char *line =
        "{\"ts\":1,\"run\":\"feedfacefeedface\",\"domain\":\"fs\",\"op\":\"read\"}\n";
    double t0 = now_s();
    ck_assert(!ok_line(&r, line));
    double waited = now_s() - t0;
    ck_assert_msg(waited > 0.5 && waited < 5, "waited %.3f s", waited);
    /* once: the next line does not wait again */
    t0 = now_s();
    ck_assert(!ok_line(&r, line));
    ck_assert_msg(now_s() - t0 < 0.5, "waited again");
    /* not serve's: another id is never waited for */
    lch_audit_relay_t plain = relay_of(RUN);
    t0 = now_s();
    ck_assert(!ok_line(&plain, line));
    ck_assert(now_s() - t0 < 0.5);
    lch_job_id_destroy(&job);
}
END_TEST

/* The relay over a pipe into a file: the file's content afterwards. */
static char *relay_through(lch_audit_relay_t *r, const char *in, size_t n, size_t *outlen)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    char tmpl[] = "/tmp/se-audit-unit-XXXXXX";
    int fd = mkstemp(tmpl);
    ck_assert_int_ge(fd, 0);
    unlink(tmpl);
    r->rd = p[0];
    r->out = fd;
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, lch_audit_relay, r), 0);
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(p[1], in + done, n - done);
        ck_assert_int_gt(w, 0);
        done += (size_t)w;
    }
    close(p[1]);
    pthread_join(t, NULL);
    ck_assert_int_eq(r->rd, -1);
    off_t size = lseek(fd, 0, SEEK_END);
    char *out = calloc(1, (size_t)size + 1);
    ck_assert_int_eq(pread(fd, out, (size_t)size, 0), size);
    close(fd);
    *outlen = (size_t)size;
    return out;
}

#define GOOD "{\"ts\":1,\"run\":\"" RUN "\",\"domain\":\"fs\",\"op\":\"read\"}\n"
#define FORGED \
    "{\"ts\":1,\"run\":\"" RUN "\",\"by\":\"supervisor\",\"domain\":\"fs\",\"op\":\"x\"}\n"

START_TEST(relay_keeps_the_guests_lines_only)
{
    lch_audit_relay_t r = relay_of(RUN);
    /* a good line, a forged one, one too long (no end for a while), a
     * good one after it, an unended tail */
    size_t big = LCH_AUDIT_LINE_MAX * 3;
    size_t cap = big + 1024;
    char *in = malloc(cap);
    size_t n = 0;
    n += (size_t)snprintf(in + n, cap - n, "%s%s", GOOD, FORGED);
    memset(in + n, 'x', big);
    n += big;
    n += (size_t)snprintf(in + n, cap - n, "\n%s{\"ts\":1,", GOOD);
    size_t len;
    char *out = relay_through(&r, in, n, &len);
    ck_assert_str_eq(out, GOOD GOOD);
    ck_assert_uint_eq(r.dropped, 3); /* the forged, the long, the tail */
    ck_assert_uint_eq(r.bytes, 2 * strlen(GOOD));
    ck_assert(!r.failed);
    free(out);
    free(in);
}
END_TEST

START_TEST(relay_stops_at_the_logs_room)
{
    lch_audit_relay_t r = relay_of(RUN);
    r.max_bytes = 64 << 10;
    size_t each = strlen(GOOD), count = r.max_bytes / each + 10;
    char *in = malloc(count * each);
    for (size_t i = 0; i < count; i++)
        memcpy(in + i * each, GOOD, each);
    size_t len;
    char *out = relay_through(&r, in, count * each, &len);
    ck_assert_uint_le(len, r.max_bytes);
    ck_assert_uint_gt(len, r.max_bytes - each);
    ck_assert_uint_eq(len % each, 0);
    ck_assert_uint_eq(r.dropped, count - len / each);
    free(out);
    free(in);
}
END_TEST

static int fails;
static void count_fail(void *arg)
{
    (void)arg;
    fails++;
}

START_TEST(relay_reports_a_log_that_cannot_take_a_line)
{
    lch_audit_relay_t r = relay_of(RUN);
    r.on_fail = count_fail;
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    r.rd = p[0];
    r.out = open("/dev/full", O_WRONLY | O_CLOEXEC);
    ck_assert_int_ge(r.out, 0);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, lch_audit_relay, &r), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(write(p[1], GOOD, strlen(GOOD)), (ssize_t)strlen(GOOD));
    close(p[1]);
    pthread_join(t, NULL);
    close(r.out);
    ck_assert(r.failed);
    ck_assert_int_eq(fails, 1); /* once, not per line */
}
END_TEST

START_TEST(log_opened_only_when_safe)
{
    char dir[] = "/tmp/se-audit-open-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/new.log", dir);
    int fd = lch_audit_open(path, err, sizeof err);
    ck_assert_int_ge(fd, 0); /* made, 0600 */
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND);
    close(fd);
    ck_assert_int_eq(chmod(path, 0640), 0); /* others may read: the operator's choice */
    fd = lch_audit_open(path, err, sizeof err);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(chmod(path, 0602), 0);
    ck_assert_int_eq(lch_audit_open(path, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "writable by others than its owner"));
    char link[160];
    snprintf(link, sizeof link, "%s/link.log", dir);
    ck_assert_int_eq(symlink(path, link), 0);
    ck_assert_int_eq(lch_audit_open(link, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is a symbolic link"));
    char fifo[160];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(lch_audit_open(fifo, err, sizeof err), -1); /* and did not block */
    ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
    ck_assert_int_eq(lch_audit_open(dir, err, sizeof err), -1);
    if (geteuid() == 0) {
        ck_assert_int_eq(chmod(path, 0600), 0);
        ck_assert_int_eq(chown(path, 65534, 65534), 0);
        ck_assert_int_eq(lch_audit_open(path, err, sizeof err), -1);
        ck_assert_ptr_nonnull(strstr(err, "owned by uid 65534"));
    }
    unlink(link);
    unlink(fifo);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *audit_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *tc = tcase_create("relay");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, guest_lines_taken);
    tcase_add_test(tc, forged_lines_dropped);
    tcase_add_test(tc, job_id_waited_for);
    tcase_add_test(tc, job_id_never_comes);
    tcase_add_test(tc, relay_keeps_the_guests_lines_only);
    tcase_add_test(tc, relay_stops_at_the_logs_room);
    tcase_add_test(tc, relay_reports_a_log_that_cannot_take_a_line);
    tcase_add_test(tc, log_opened_only_when_safe);
    suite_add_tcase(s, tc);
    return s;
}
