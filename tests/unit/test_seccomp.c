/*
 * tests/unit/test_seccomp.c — the seccomp policy compiler and the policies
 * themselves: every parse error names its line; in a child process under
 * each shipped policy, threads still start (clone3 → ENOSYS → clone),
 * clone3 and io_uring answer ENOSYS, forbidden calls are refused or kill,
 * and an ioctl number with a high bit set does not slip past.
 */
#include <check.h>
#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../launcher/seccomp.h"
#include "unit.h"

static void parse_fails(const char *text, const char *want)
{
    char err[256] = "";
    ck_assert_int_lt(lch_seccomp_check(text, err, sizeof err), 0);
    ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
}

START_TEST(policy_parse_errors)
{
    char err[256];
    ck_assert_int_eq(lch_seccomp_check(lch_seccomp_policy_text("strict"), err, sizeof err), 0);
    ck_assert_int_eq(lch_seccomp_check(lch_seccomp_policy_text("default"), err, sizeof err), 0);
    ck_assert_int_eq(lch_seccomp_check(lch_seccomp_policy_text("overlay"), err, sizeof err), 0);
    ck_assert_ptr_null(lch_seccomp_policy_text("nope"));
    parse_fails("allow read\n", "line 1: the first rule must be");
    parse_fails("# c\ndefault kill\nallow read no_such_call\n",
                "line 3: no system call named 'no_such_call'");
    parse_fails("default kill\nfrobnicate read\n", "line 2: unknown directive 'frobnicate'");
    parse_fails("default maybe\n", "line 1: default kill|eperm");
    parse_fails("default kill\ndefault eperm\n", "line 2: 'default' given twice");
    parse_fails("default kill\nallow-if ioctl arg9=1\n", "line 2:");
    parse_fails("default kill\nallow-if ioctl arg1=NOT_A_CONSTANT\n", "NOT_A_CONSTANT");
    parse_fails("default kill\nallow-if ioctl arg1\n", "no '='");
    parse_fails("default kill\nkill\n", "line 2: 'kill' names no system call");
    parse_fails("default kill\nallow-if socket arg0=1 arg1=1 arg2=1 arg3=1\n",
                "line 2: allow-if NAME argN=V");
    parse_fails("default kill\nallow-if socket arg0=1|2|3|4|5|6|7|8|9\n", "too many alternatives");
    parse_fails("# nothing\n", "no 'default' line");
}
END_TEST

static void *thread_main(void *arg)
{
    return arg;
}

enum {
    T_THREADS,
    T_CLONE3,
    T_IO_URING,
    T_MOUNT,
    T_TIOCSTI_HIGH,
    T_PACKET,
    T_FORK,
    T_NEW_NUMBER,
    T_I386,
    T_X32,
    T_SOCKETS,
    T_MODES
};

/* Child: install the policy, try one thing; exit 0 when the outcome is
 * what the policy promises (a kill is checked by the parent). */
static int try_in_child(const char *policy, int what)
{
    char err[256];
    if (policy && lch_seccomp_install(policy, err, sizeof err) < 0) {
        fprintf(stderr, "install: %s\n", err);
        return 90;
    }
    switch (what) {
    case T_THREADS: {
        pthread_t t;
        void *out = NULL;
        if (pthread_create(&t, NULL, thread_main, (void *)42) != 0 || pthread_join(t, &out) != 0)
            return 1;
        return out == (void *)42 ? 0 : 2;
    }
    case T_CLONE3: {
        struct clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.exit_signal = SIGCHLD;
        long r = syscall(SYS_clone3, &ca, sizeof ca);
        if (r == 0)
            _exit(0);
        return r < 0 && errno == ENOSYS ? 0 : 3;
    }
    case T_IO_URING:
        return syscall(SYS_io_uring_setup, 8, NULL) < 0 && errno == ENOSYS ? 0 : 4;
    case T_MOUNT:
        mount("none", "/tmp", "tmpfs", 0, NULL);
        return 5; /* must not get here: mount kills */
    case T_TIOCSTI_HIGH: {
        char c = 'x';
        long r = syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI | (1UL << 32), &c);
        return r < 0 && errno == EPERM ? 0 : 6;
    }
    case T_PACKET:
        return socket(AF_PACKET, SOCK_RAW, 0) < 0 && errno == EPERM ? 0 : 7;
    case T_FORK: {
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        return p < 0 && errno == EPERM ? 0 : 8;
    }
    case T_NEW_NUMBER:
        return syscall(600) < 0 && errno == ENOSYS ? 0 : 9;
    case T_I386: {
        long ret = 20; /* getpid in the i386 table, through the 32-bit entry */
        __asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
        return 10; /* must not get here: a foreign arch kills */
    }
    case T_X32:
        syscall(0x40000000 | 39); /* __X32_SYSCALL_BIT | getpid */
        return 11;
    case T_SOCKETS: {
        /* the guest makes no socket of the internet families, no unix or
         * netlink socket, and names no address (connect, bind, sendmsg,
         * an addressed sendto): EPERM; a socketpair opens and an
         * unaddressed send on it passes; MPTCP is EPERM too */
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
            return 20;
        if (sendto(sp[0], "x", 1, 0, NULL, 0) != 1)
            return 21;
        static const int fams[] = {AF_INET, AF_INET6, AF_UNIX, AF_NETLINK};
        for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++)
            if (socket(fams[i], SOCK_STREAM, 0) >= 0 || errno != EPERM)
                return 22 + (int)i;
        if (socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) >= 0 || errno != EPERM)
            return 26;
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(sp[0], (struct sockaddr *)&a, sizeof a) >= 0 || errno != EPERM)
            return 27;
        if (bind(sp[0], (struct sockaddr *)&a, sizeof a) >= 0 || errno != EPERM)
            return 28;
        struct iovec iov = {.iov_base = "x", .iov_len = 1};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
        if (sendmsg(sp[0], &m, 0) >= 0 || errno != EPERM)
            return 29;
        if (socket(AF_UNIX, SOCK_STREAM, 1) >= 0 || errno != EPERM)
            return 30;
        return socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) < 0 && errno == EPERM ? 0 : 31;
    }
    case T_MODES: {
        /* creating or chmodding with a setuid or setgid bit is EPERM under
         * both policies; plain modes and plain opens pass; no lock */
        char dir[] = "/tmp/se-seccomp-XXXXXX", f[64], g[64];
        if (!mkdtemp(dir))
            return 40;
        snprintf(f, sizeof f, "%s/f", dir);
        snprintf(g, sizeof g, "%s/g", dir);
        int r = 0;
        int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
        if (fd < 0 || chmod(f, 0700) < 0 || fchmod(fd, 0644) < 0)
            r = 41;
        else if (open(g, O_RDONLY | O_CREAT, 04644) >= 0 || errno != EPERM)
            r = 42;
        else if (open(f, O_RDONLY, 06777) < 0) /* no O_CREAT: the mode is ignored */
            r = 43;
        else if (chmod(f, 02755) == 0 || errno != EPERM || fchmod(fd, 04700) == 0)
            r = 44;
        else if (flock(fd, LOCK_EX) == 0 || errno != EPERM)
            r = 45;
        unlink(f);
        unlink(g);
        rmdir(dir);
        return r;
    }
    default:
        return 99;
    }
}

/* Runs what in a child under policy; returns its wait status. */
static int run_child(const char *policy, int what)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(try_in_child(policy, what));
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return st;
}

static void exits_zero(const char *policy, int what)
{
    int st = run_child(policy, what);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s/%d: status %d", policy, what, st);
}

static void killed(const char *policy, int what)
{
    int st = run_child(policy, what);
    ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "%s/%d: status %d, not SIGSYS", policy,
                  what, st);
}

/* The i386 entry: killed by the policy where the kernel has it; where it
 * does not (IA32 emulation off), nothing reaches the policy and the child
 * ends as an unconfined one does (SIGSEGV, or ASan's report of it). */
static void i386_refused(const char *policy, int unconfined)
{
    if (WIFEXITED(unconfined) && WEXITSTATUS(unconfined) == 10) {
        killed(policy, T_I386);
        return;
    }
    int st = run_child(policy, T_I386);
    ck_assert_msg(st == unconfined, "%s/i386: status %d, unconfined %d", policy, st, unconfined);
}

START_TEST(policies_hold)
{
    int unconfined_i386 = run_child(NULL, T_I386);
    for (int i = 0; i < 2; i++) {
        const char *p = i ? "default" : "strict";
        exits_zero(p, T_THREADS);
        exits_zero(p, T_CLONE3);
        exits_zero(p, T_IO_URING);
        exits_zero(p, T_NEW_NUMBER);
        killed(p, T_MOUNT);
        i386_refused(p, unconfined_i386);
        killed(p, T_X32);
    }
    /* the default policy refuses what it does not name; strict kills */
    exits_zero("default", T_TIOCSTI_HIGH);
    exits_zero("default", T_PACKET);
    exits_zero("default", T_FORK);
    killed("strict", T_TIOCSTI_HIGH);
    killed("strict", T_PACKET);
    killed("strict", T_FORK);
    exits_zero("default", T_SOCKETS);
    exits_zero("strict", T_SOCKETS);
    exits_zero("default", T_MODES);
    exits_zero("strict", T_MODES);
}
END_TEST

Suite *seccomp_suite(void)
{
    Suite *s = suite_create("seccomp");
    TCase *tc = tcase_create("policy");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, policy_parse_errors);
    tcase_add_test(tc, policies_hold);
    suite_add_tcase(s, tc);
    return s;
}
