/*
 * tests/security/wall_probe.c — native escape probes behind the OS wall.
 *
 * The JS wall cannot be what stops these: the probe is native code (what
 * an attacker has after a V8 bug), run by the launcher's own sandbox code
 * (launcher/sandbox.c) in place of the isolate. Usage:
 *
 *   wall-probe POLICY APP CANARY TEST
 *
 * POLICY is the seccomp policy name, APP a host folder shown at /app,
 * CANARY a host file that must stay invisible. The probe prints one line,
 * "held TEST" or "ESCAPED TEST: why", and exits 0; a probe the seccomp
 * policy kills ends with SIGSYS, which tests/security/wall.sh also counts
 * as held for the calls that policy kills.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "../../launcher/cgroup.h"
#include "../../launcher/sandbox.h"

static const char *canary;
static const char *test;

__attribute__((format(printf, 1, 2))) static int escaped(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("ESCAPED %s: ", test);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    return 0;
}

static int held(void)
{
    printf("held %s\n", test);
    return 0;
}

/* 1 when every path is absent. */
static int invisible(const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0)
            return escaped("%s is visible", paths[i]);
    }
    return held();
}

static int status_field(const char *name, char *out, size_t cap)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return -1;
    char line[256];
    size_t n = strlen(name);
    int r = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, name, n) && line[n] == ':') {
            snprintf(out, cap, "%s", line + n + 1);
            out[strcspn(out, "\n")] = '\0';
            char *s = out;
            while (*s == '\t' || *s == ' ')
                s++;
            memmove(out, s, strlen(s) + 1);
            r = 0;
        }
    fclose(f);
    return r;
}

static void *idle(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

/* 100 unix socketpairs and 50 loopback TCP connections, each direction
 * written until it would block, after asking for 4 MiB buffers: what the
 * kernel queued must stay inside the run's memory. */
static int fill_sockets(void)
{
    int v = 4 << 20;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s >= 0 && setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0)
        return escaped("SO_SNDBUF was set");
    if (s >= 0 && setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) == 0)
        return escaped("SO_RCVBUFFORCE was set");
    if (s >= 0)
        close(s);
    static char block[1 << 16];
    uint64_t queued = 0;
    int fds[256], nfd = 0;
    for (int i = 0; i < 100; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
            break;
        fds[nfd++] = sv[0];
        fds[nfd++] = sv[1];
    }
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 64) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &al) < 0)
        return escaped("no loopback listener: %s", strerror(errno));
    for (int i = 0; i < 25 && nfd + 2 <= 250; i++) {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0)
            break;
        int d = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (d < 0)
            break;
        fcntl(c, F_SETFL, O_NONBLOCK);
        fds[nfd++] = c;
        fds[nfd++] = d;
    }
    for (int i = 0; i < nfd; i++)
        for (;;) {
            ssize_t w = send(fds[i], block, sizeof block, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w <= 0)
                break;
            queued += (uint64_t)w;
        }
    /* the host side samples its memory while this holds the buffers */
    printf("queued %" PRIu64 " MiB on %d descriptors\n", queued >> 20, nfd);
    fflush(stdout);
    sleep(1);
    return queued < (100u << 20) ? held() : escaped("%" PRIu64 " MiB queued", queued >> 20);
}

/* ---- proc-host: nothing under /proc or /sys names the host ----------------- */

/* What the host is, read before the sandbox: the host paths of the app
 * and of a granted folder, the boot arguments, the boot id, the host name. */
typedef struct {
    char app[4096], grant[4096], cmdline[4096], boot_id[64], hostname[256];
} host_facts_t;
static host_facts_t host;

typedef struct {
    size_t files, bytes;
    char found[512]; /* the first file that names the host, and what */
} walk_t;

#define WALK_MAX_FILES 20000
#define WALK_MAX_FILE_BYTES (64u << 10)
#define WALK_MAX_BYTES (64u << 20)

static void read_line(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(out, (int)cap, f))
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* needle in buf[0..n) as a whole word (host names are short words) */
static bool has_word(const char *buf, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (const char *p = buf; k && (p = memmem(p, n - (size_t)(p - buf), needle, k)); p++)
        if ((p == buf || !word_char(p[-1])) && (p + k == buf + n || !word_char(p[k])))
            return true;
    return false;
}

static void check_text(walk_t *w, const char *path, const char *buf, size_t n)
{
    const struct {
        const char *what, *needle;
        bool word;
    } facts[] = {{"the app's host path", host.app, false},
                 {"the grant's host path", host.grant, false},
                 {"the host's boot arguments", host.cmdline, false},
                 {"the host's boot id", host.boot_id, false},
                 {"the host name", host.hostname, true}};
    for (size_t i = 0; i < sizeof facts / sizeof facts[0] && !w->found[0]; i++) {
        const char *nd = facts[i].needle;
        if (!nd[0])
            continue;
        bool hit = facts[i].word ? has_word(buf, n, nd) : memmem(buf, n, nd, strlen(nd)) != NULL;
        if (hit)
            snprintf(w->found, sizeof w->found, "%s names %s (%s)", path, facts[i].what, nd);
    }
}

/* Every file and link below path (links not followed), bounded. */
static void walk(walk_t *w, const char *path, int depth)
{
    static char buf[WALK_MAX_FILE_BYTES];
    struct stat st;
    if (w->found[0] || w->files >= WALK_MAX_FILES || w->bytes >= WALK_MAX_BYTES ||
        lstat(path, &st) < 0)
        return;
    w->files++;
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(path, buf, sizeof buf);
        if (n > 0)
            check_text(w, path, buf, (size_t)n);
        return;
    }
    if (S_ISREG(st.st_mode)) {
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            return;
        size_t got = 0;
        for (ssize_t n; got < sizeof buf && (n = read(fd, buf + got, sizeof buf - got)) > 0;)
            got += (size_t)n;
        close(fd);
        w->bytes += got;
        check_text(w, path, buf, got);
        return;
    }
    if (!S_ISDIR(st.st_mode) || depth > 8)
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && !w->found[0]) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char child[4096];
        if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) < (int)sizeof child)
            walk(w, child, depth + 1);
    }
    closedir(d);
}

static int proc_host(void)
{
    walk_t w = {0};
    walk(&w, "/proc", 0);
    walk(&w, "/sys", 0);
    if (w.found[0])
        return escaped("%s", w.found);
    if (w.files < 50)
        return escaped("only %zu entries under /proc and /sys: the walk saw nothing", w.files);
    return held();
}

static int run(void *arg)
{
    (void)arg;
    if (!strcmp(test, "host-files")) {
        const char *paths[] = {"/etc/shadow", "/root", "/home", canary, "/var", "/sys/kernel"};
        return invisible(paths, sizeof paths / sizeof paths[0]);
    }
    if (!strcmp(test, "pid-ns")) {
        if (getpid() != 1)
            return escaped("pid %d, not 1", (int)getpid());
        DIR *d = opendir("/proc");
        if (!d)
            return escaped("no /proc");
        struct dirent *e;
        int others = 0;
        while ((e = readdir(d)))
            if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp(e->d_name, "1"))
                others++;
        closedir(d);
        return others ? escaped("%d other pids visible", others) : held();
    }
    if (!strcmp(test, "net-none")) {
        struct if_nameindex *ifs = if_nameindex();
        if (!ifs)
            return escaped("if_nameindex: %s", strerror(errno));
        int bad = 0;
        for (struct if_nameindex *i = ifs; i->if_index; i++)
            if (strcmp(i->if_name, "lo"))
                bad++;
        if_freenameindex(ifs);
        return bad ? escaped("%d interfaces besides lo", bad) : held();
    }
    if (!strcmp(test, "mount"))
        return mount("tmpfs", "/tmp", "tmpfs", 0, NULL) == 0 ? escaped("mount worked") : held();
    if (!strcmp(test, "unshare"))
        return unshare(CLONE_NEWUSER) == 0 ? escaped("unshare worked") : held();
    if (!strcmp(test, "ptrace"))
        return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? escaped("ptrace worked") : held();
    if (!strcmp(test, "proc-mem")) {
        int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
            close(fd);
            return escaped("/proc/self/mem opened for writing");
        }
        return held();
    }
    if (!strcmp(test, "write-app")) {
        int fd = open("/app/escape.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            close(fd);
            return escaped("created /app/escape.txt");
        }
        return held();
    }
    if (!strcmp(test, "tmp-size")) {
        int fd = open("/tmp/big", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return escaped("/tmp not writable: %s", strerror(errno));
        static char block[1 << 16];
        memset(block, 'x', sizeof block);
        for (int i = 0; i < 4096; i++) /* 256 MiB, above the limit */
            if (write(fd, block, sizeof block) < 0) {
                int e = errno;
                close(fd);
                return e == ENOSPC ? held() : escaped("write failed with %s", strerror(e));
            }
        close(fd);
        return escaped("256 MiB fit in /tmp");
    }
    if (!strcmp(test, "pids")) {
        /* threads count against RLIMIT_NPROC (64 here) like processes:
         * it is counted per user namespace and binds an unprivileged id */
        int made = 0;
        for (int i = 0; i < 1024; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, idle, NULL) != 0)
                break;
            made++;
        }
        return made < 64 ? held() : escaped("%d threads started", made);
    }
    if (!strcmp(test, "fork")) {
        /* no child processes yet (child_process is a later issue): a fork
         * bomb stops at the first fork */
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        return pid > 0 ? escaped("fork made pid %d", (int)pid) : held();
    }
    if (!strcmp(test, "caps")) {
        const char *fields[] = {"CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh"};
        char v[64];
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (status_field(fields[i], v, sizeof v) < 0 || strcmp(v, "0000000000000000"))
                return escaped("%s is %s", fields[i], v);
        if (status_field("NoNewPrivs", v, sizeof v) < 0 || strcmp(v, "1"))
            return escaped("NoNewPrivs %s", v);
        if (status_field("Seccomp", v, sizeof v) < 0 || strcmp(v, "2"))
            return escaped("Seccomp %s", v);
        return held();
    }
    if (!strcmp(test, "fds")) {
        DIR *d = opendir("/proc/self/fd");
        if (!d)
            return escaped("no /proc/self/fd");
        struct dirent *e;
        int extra = 0;
        while ((e = readdir(d))) {
            int fd = (int)strtol(e->d_name, NULL, 10);
            if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
                continue;
            extra++;
        }
        closedir(d);
        return extra ? escaped("%d descriptors besides stdio", extra) : held();
    }
    if (!strcmp(test, "tiocsti")) {
        char c = 'x';
        int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
        if (fd < 0)
            fd = 0;
        if (ioctl(fd, TIOCSTI, &c) == 0)
            return escaped("TIOCSTI worked");
        if (syscall(SYS_ioctl, fd, (unsigned long)TIOCSTI | (1UL << 32), &c) == 0)
            return escaped("TIOCSTI with bit 32 worked");
        return held();
    }
    if (!strcmp(test, "clone3")) {
        struct clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.flags = CLONE_NEWUSER;
        ca.exit_signal = SIGCHLD;
        long r = syscall(SYS_clone3, &ca, sizeof ca);
        if (r == 0)
            _exit(0);
        if (r > 0)
            return escaped("clone3 made pid %ld", r);
        return errno == ENOSYS ? held()
                               : escaped("clone3 failed with %s, not ENOSYS", strerror(errno));
    }
    if (!strcmp(test, "symlinks")) {
        /* short symlinks take no tmpfs block, only an inode: the inode
         * cap must stop them long before 400k */
        char name[64];
        int made = 0, e = 0;
        for (; made < 400000; made++) {
            snprintf(name, sizeof name, "/tmp/l%d", made);
            if (symlink("x", name) < 0) {
                e = errno;
                break;
            }
        }
        if (made == 400000)
            return escaped("400000 symlinks in /tmp");
        return e == ENOSPC ? held() : escaped("symlink failed with %s", strerror(e));
    }
    if (!strcmp(test, "sockbuf"))
        return fill_sockets();
    if (!strcmp(test, "proc-host"))
        return proc_host();
    if (!strcmp(test, "output")) {
        /* 64 MiB to stdout: the run must end at the cap (16 MiB here) */
        static char block[1 << 16];
        memset(block, 'o', sizeof block);
        for (int i = 0; i < 1024; i++)
            if (write(1, block, sizeof block) < 0)
                return 3;
        return 0;
    }
    if (!strcmp(test, "cpu")) {
        /* SIGXCPU ignored and blocked: only a limit from outside stops this */
        signal(SIGXCPU, SIG_IGN);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGXCPU);
        sigprocmask(SIG_BLOCK, &set, NULL);
        for (volatile uint64_t i = 0;; i++)
            ;
    }
    if (!strcmp(test, "memory")) {
        /* native memory the V8 budget never sees: the run's cgroup ends it */
        size_t total = 0;
        for (int i = 0; i < 1024; i++) {
            char *p = malloc(1 << 20);
            if (!p)
                break;
            memset(p, i, 1 << 20);
            total += 1 << 20;
        }
        return escaped("%zu MiB touched", total >> 20);
    }
    if (!strcmp(test, "stdin")) {
        /* the guest's 0 is its own read-only description of the host's
         * (wall.sh gives a file opened read-write): no write reaches the
         * file, no flag the host's description (main checks O_NONBLOCK) */
        if (write(0, "X", 1) >= 0)
            return escaped("a write to descriptor 0 went through");
        int e = errno;
        if (fcntl(0, F_SETFL, O_NONBLOCK) < 0)
            return escaped("fcntl(0, F_SETFL): %s", strerror(errno));
        return e == EBADF ? held() : escaped("write(0) failed with %s, not EBADF", strerror(e));
    }
    if (!strcmp(test, "fsize")) {
        /* RLIMIT_FSIZE, the write quota's backstop (1 MiB here): raw
         * writes past it fail (EFBIG, SIGXFSZ ignored as the launcher
         * does) and the file stops there */
        signal(SIGXFSZ, SIG_IGN);
        static char block[1 << 16];
        memset(block, 'f', sizeof block);
        int fd = open("/tmp/big", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
            return escaped("open /tmp/big: %s", strerror(errno));
        int e = 0;
        for (int i = 0; i < 64 && !e; i++)
            if (write(fd, block, sizeof block) < 0)
                e = errno;
        off_t size = lseek(fd, 0, SEEK_END);
        if (ftruncate(fd, 4 << 20) == 0)
            return escaped("ftruncate to 4 MiB past RLIMIT_FSIZE");
        close(fd);
        if (size > 1 << 20)
            return escaped("/tmp/big grew to %lld bytes", (long long)size);
        return e == EFBIG ? held() : escaped("write failed with %s", strerror(e));
    }
    printf("unknown test %s\n", test);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--check-cgroup")) {
        char why[320];
        bool ok = lch_cgroup_describe(why, sizeof why);
        puts(why);
        return ok ? 0 : 1;
    }
    if (argc != 5) {
        fprintf(stderr, "usage: wall-probe POLICY APP CANARY TEST\n");
        return 2;
    }
    canary = argv[3];
    test = argv[4];
    /* the limits of the strict profile where a probe tests one */
    lch_sandbox_t sb = {
        .app = argv[2],
        .tmpfs_mb = strcmp(test, "symlinks") ? 8 : 64,
        .pids = 64,
        .fds = 256,
        .memory_mb = 256,
        .output_bytes = 16u << 20,
        .cpu_ms = strcmp(test, "cpu") ? 0 : 300,
        .fsize_bytes = strcmp(test, "fsize") ? 0 : 1u << 20,
        .seccomp = argv[1],
    };
    const char *grant[1];
    if (!strcmp(test, "proc-host")) {
        /* the canary's folder granted read-only: its host path is shown */
        if (!realpath(sb.app, host.app) || !realpath(canary, host.grant)) {
            perror("wall-probe: realpath");
            return 2;
        }
        *strrchr(host.grant, '/') = '\0';
        grant[0] = host.grant;
        sb.ro_paths = grant;
        sb.nro = 1;
        read_line("/proc/cmdline", host.cmdline, sizeof host.cmdline);
        read_line("/proc/sys/kernel/random/boot_id", host.boot_id, sizeof host.boot_id);
        if (gethostname(host.hostname, sizeof host.hostname) < 0)
            host.hostname[0] = '\0';
        if (!host.cmdline[0] || !host.boot_id[0] || !host.hostname[0]) {
            fprintf(stderr, "wall-probe: cannot read the host's facts\n");
            return 2;
        }
    }
    char err[512];
    int status = lch_sandbox_run(&sb, run, NULL, err, sizeof err);
    if (status < 0) {
        fprintf(stderr, "wall-probe: %s\n", err);
        return 125;
    }
    if (!strcmp(test, "stdin") && (fcntl(0, F_GETFL) & O_NONBLOCK)) {
        printf("ESCAPED stdin: the host's descriptor 0 is non-blocking after the run\n");
        return 1;
    }
    return status;
}
