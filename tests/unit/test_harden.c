/*
 * tests/unit/test_harden.c — the guest's per-process hardening, each step
 * in a child process: rlimits hold, no capability is left and
 * no_new_privs is set, stray descriptors are closed, and Landlock lets
 * writes through only beneath the writable paths (and not into
 * /proc/self/mem), a scoped domain signals nothing outside it, and the
 * supplementary groups a run keeps are named.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../launcher/harden.h"
#include "../../launcher/landlock.h"
#include "unit.h"

typedef int (*child_fn)(void);

static void child_ok(child_fn fn)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(fn());
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
}

static int status_is(const char *field, const char *want)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return 0;
    char line[256];
    int ok = 0;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') {
            char *v = line + n + 1;
            v += strspn(v, " \t");
            v[strcspn(v, "\n")] = '\0';
            ok = !strcmp(v, want);
        }
    fclose(f);
    return ok;
}

static int nofile_child(void)
{
    char err[256];
    lch_rlimits_t l = {.nofile = 16};
    if (lch_set_rlimits(&l, err, sizeof err) < 0)
        return 1;
    int last = 0;
    for (int i = 0; i < 20; i++) {
        last = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (last < 0)
            return errno == EMFILE ? 0 : 2;
    }
    return 3;
}

static int fsize_child(void)
{
    char err[256];
    signal(SIGXFSZ, SIG_IGN);
    lch_rlimits_t l = {.fsize = 4096};
    if (lch_set_rlimits(&l, err, sizeof err) < 0)
        return 1;
    char path[] = "/tmp/se-harden-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 2;
    unlink(path);
    static char buf[8192];
    ssize_t w = write(fd, buf, sizeof buf);
    close(fd);
    return w == 4096 ? 0 : 3;
}

START_TEST(rlimits_hold)
{
    child_ok(nofile_child);
    child_ok(fsize_child);
}
END_TEST

static int caps_child(void)
{
    char err[256];
    if (lch_drop_caps(err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    const char *zero = "0000000000000000";
    if (!status_is("CapEff", zero) || !status_is("CapPrm", zero) || !status_is("CapBnd", zero) ||
        !status_is("CapAmb", zero) || !status_is("CapInh", zero))
        return 2;
    return status_is("NoNewPrivs", "1") ? 0 : 3;
}

START_TEST(capabilities_dropped)
{
    child_ok(caps_child);
}
END_TEST

static int fds_child(void)
{
    int a = open("/dev/null", O_RDONLY), b = open("/dev/null", O_RDONLY),
        c = open("/dev/null", O_RDONLY);
    if (a < 0 || b < 0 || c < 0)
        return 1;
    int keep[] = {b, 1};
    lch_close_fds_except(keep, 2);
    if (fcntl(a, F_GETFD) != -1 || errno != EBADF)
        return 2;
    if (fcntl(c, F_GETFD) != -1 || errno != EBADF)
        return 3;
    return fcntl(b, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 ? 0 : 4;
}

START_TEST(descriptors_closed)
{
    child_ok(fds_child);
}
END_TEST

static char ll_dir[64];

static int landlock_child(void)
{
    char err[256];
    const char *w[] = {ll_dir, "/nonexistent-path-is-skipped"};
    if (lch_landlock_apply(w, 2, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    char in[128];
    snprintf(in, sizeof in, "%s/inside", ll_dir);
    int fd = open(in, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return 2;
    close(fd);
    fd = open("/tmp/se-landlock-outside", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0 || errno != EACCES)
        return 3;
    fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
    if (fd >= 0 || errno != EACCES)
        return 4;
    fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 5;
    close(fd);
    return 0;
}

START_TEST(landlock_confines_writes)
{
    if (lch_landlock_abi() <= 0) {
        fprintf(stderr, "landlock: not on this kernel, skipped\n");
        return;
    }
    snprintf(ll_dir, sizeof ll_dir, "/tmp/se-landlock-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(ll_dir));
    child_ok(landlock_child);
    char in[128];
    snprintf(in, sizeof in, "%s/inside", ll_dir);
    unlink(in);
    rmdir(ll_dir);
    ck_assert_int_ne(access("/tmp/se-landlock-outside", F_OK), 0);
}
END_TEST

/* The scoped domain: the parent (outside it) can no longer be signalled,
 * the process itself still can; an unscoped domain changes nothing. */
static int scope_child(void)
{
    char err[256];
    if (kill(getppid(), 0) < 0)
        return 1;
    if (lch_landlock_apply(NULL, 0, err, sizeof err) < 0 || kill(getppid(), 0) < 0)
        return 2;
    if (lch_landlock_apply_scoped(NULL, 0, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 3;
    }
    if (kill(getppid(), 0) == 0 || errno != EPERM)
        return 4;
    return kill(getpid(), 0) == 0 ? 0 : 5;
}

/* The scoped domain cannot connect to an abstract unix socket made
 * outside it (the parent's listener, bound before the fork). */
static char abstract_name[64];

static int abstract_child(void)
{
    char err[256];
    if (lch_landlock_apply_scoped(NULL, 0, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t n = strlen(abstract_name);
    memcpy(a.sun_path + 1, abstract_name, n);
    if (c < 0)
        return 2;
    if (connect(c, (struct sockaddr *)&a,
                (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) == 0)
        return 3;
    return errno == EPERM ? 0 : 4;
}

START_TEST(landlock_scopes_abstract_sockets)
{
    if (!lch_landlock_scoping()) {
        fprintf(stderr, "landlock: no scoping (ABI 6) on this kernel, skipped\n");
        return;
    }
    snprintf(abstract_name, sizeof abstract_name, "se-unit-%d", (int)getpid());
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t n = strlen(abstract_name);
    memcpy(a.sun_path + 1, abstract_name, n);
    ck_assert_int_ge(l, 0);
    ck_assert_int_eq(
        bind(l, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)),
        0);
    ck_assert_int_eq(listen(l, 1), 0);
    child_ok(abstract_child);
    close(l);
}
END_TEST

START_TEST(landlock_scopes_signals)
{
    if (!lch_landlock_scoping()) {
        fprintf(stderr, "landlock: no scoping (ABI 6) on this kernel, skipped\n");
        return;
    }
    child_ok(scope_child);
}
END_TEST

/* Root without CAP_SETGID cannot drop its groups: they are named, the
 * primary group left out. */
static int groups_child(void)
{
    gid_t g[] = {0, 4};
    if (setgroups(2, g) < 0)
        return 1;
    char out[128];
    if (lch_can_drop_groups() != true || lch_kept_groups(out, sizeof out) != 0 || out[0])
        return 2;
    cap_t c = cap_get_proc();
    cap_value_t v = CAP_SETGID;
    if (!c || cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) < 0 || cap_set_proc(c) < 0)
        return 3;
    cap_free(c);
    if (lch_can_drop_groups() || lch_kept_groups(out, sizeof out) != 1)
        return 4;
    struct group *gr = getgrgid(4);
    char want[64];
    snprintf(want, sizeof want, "%s(4)", gr ? gr->gr_name : "");
    return !strcmp(out, gr ? want : "4") ? 0 : 5;
}

START_TEST(groups_named_when_kept)
{
    if (geteuid() != 0) {
        fprintf(stderr, "groups: needs root (setgroups), skipped\n");
        return;
    }
    child_ok(groups_child);
}
END_TEST

Suite *harden_suite(void)
{
    Suite *s = suite_create("harden");
    TCase *tc = tcase_create("guest");
    tcase_add_test(tc, rlimits_hold);
    tcase_add_test(tc, capabilities_dropped);
    tcase_add_test(tc, descriptors_closed);
    tcase_add_test(tc, landlock_confines_writes);
    tcase_add_test(tc, landlock_scopes_signals);
    tcase_add_test(tc, landlock_scopes_abstract_sockets);
    tcase_add_test(tc, groups_named_when_kept);
    suite_add_tcase(s, tc);
    return s;
}
