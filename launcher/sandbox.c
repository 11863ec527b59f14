/*
 * launcher/sandbox.c — namespaces, the guest's file-system view and the
 * supervisor (see sandbox.h for the shape).
 *
 * Why two forks: the user namespace is created with unshare() by a child
 * of the supervisor (glibc's fork keeps the thread bookkeeping right, a raw
 * clone would not), and a new pid namespace only takes effect for that
 * process's children, so the guest is a second fork: pid 1 inside. The
 * middle process only waits for it and turns its end into an exit code.
 *
 * The view is built the way bubblewrap does it: a tmpfs becomes the root
 * with the host's root kept at /oldroot, everything the guest may see is
 * bind-mounted from /oldroot into /newroot, the host root is detached, and
 * /newroot becomes / (read-only). Setup failures in the children come back
 * to the supervisor as one line on a pipe; the supervisor prints it and
 * exits 125.
 */
#include <dirent.h>
#include <errno.h>
#include <link.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <pthread.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "../fuse-overlay/overlay.h"
#include "cgroup.h"
#include "harden.h"
#include "landlock.h"
#include "netd.h"
#include "hint.h"
#include "job.h"
#include "relay.h"
#include "sandbox.h"
#include "seccomp.h"

#define GRACE_MS 1000 /* the guest's own watchdog answers first */
#define ERR_MAX 512
#define STATUS_MSG 0x01 /* the middle's report of the guest's status on the pipe */
#define PID_MSG 0x02    /* the middle's report of the guest's pid (as the supervisor sees it) */

/* ---- reporting from the children ------------------------------------------- */

/* The middle's report of the guest's end: the status it maps to, the
 * wait status and the guest's resource use (its wait4). */
typedef struct {
    int status;
    int wait_status;
    int64_t cpu_ms;
    int64_t maxrss_kb;
} mid_report_t;

__attribute__((format(printf, 2, 3), noreturn)) static void fail(int errfd, const char *fmt, ...)
{
    char line[ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0) {
        ssize_t w = write(errfd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        (void)w;
    }
    _exit(125);
}

/* ---- small file-system helpers ------------------------------------------------ */

static int mkdir_p(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -ENAMETOOLONG;
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
            return -errno;
        *s = '/';
    }
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* A mount point for src at dst: a folder, or an empty file for a file. */
static int make_target(const char *src, const char *dst)
{
    struct stat st;
    if (stat(src, &st) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode))
        return mkdir_p(dst, 0755);
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dst);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        int e = mkdir_p(parent, 0755);
        if (e < 0)
            return e;
    }
    int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno == EEXIST ? 0 : -errno;
    close(fd);
    return 0;
}

/* A remount keeps the flags the kernel locked on the source mount (nodev,
 * noexec, atime) or it fails. Bind src at dst; read-only unless rw; noexec unless exec (a writable
 * bind always): code runs only from where the view's programs are. */
static int bind_at(const char *src, const char *dst, bool rw, bool exec)
{
    int e = make_target(src, dst);
    if (e < 0)
        return e;
    if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
        return -errno;
    struct statvfs sv;
    if (statvfs(dst, &sv) < 0)
        return -errno;
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV;
    if (!rw)
        flags |= MS_RDONLY;
    /* nothing the guest can write is ever executed or mapped as code
     * (a program run through the dynamic loader included: PROT_EXEC of a
     * file on a noexec mount fails) */
    if (rw || !exec || (sv.f_flag & ST_NOEXEC))
        flags |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        flags |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        flags |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        flags |= MS_RELATIME;
    if (mount(NULL, dst, NULL, flags, NULL) < 0)
        return -errno;
    return 0;
}

/* A path of the host as the guest's view sees it, under /newroot. */
static void in_new(char *out, size_t cap, const char *path)
{
    snprintf(out, cap, "/newroot%s", path);
}

static void in_old(char *out, size_t cap, const char *path)
{
    snprintf(out, cap, "/oldroot%s", path);
}

/* Binds the host path (seen at /oldroot) at the same path, if it exists. */
static void bind_same(int errfd, const char *path, bool rw, bool required, bool exec)
{
    char src[PATH_MAX], dst[PATH_MAX];
    in_old(src, sizeof src, path);
    in_new(dst, sizeof dst, path);
    struct stat st;
    if (lstat(src, &st) < 0) {
        if (required)
            fail(errfd, "sandbox: %s: %s", path, strerror(errno));
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        /* merged /usr: /bin -> usr/bin and the like stay symlinks */
        char target[PATH_MAX];
        ssize_t n = readlink(src, target, sizeof target - 1);
        if (n < 0)
            fail(errfd, "sandbox: readlink %s: %s", path, strerror(errno));
        target[n] = '\0';
        char *slash = strrchr(dst, '/');
        if (slash && slash != dst) {
            *slash = '\0';
            mkdir_p(dst, 0755);
            *slash = '/';
        }
        if (symlink(target, dst) < 0 && errno != EEXIST)
            fail(errfd, "sandbox: symlink %s: %s", path, strerror(errno));
        return;
    }
    int e = bind_at(src, dst, rw, exec);
    if (e < 0)
        fail(errfd, "sandbox: cannot bind %s: %s", path, strerror(-e));
}

/* /etc/ssl without private/ (keys, group ssl-cert: the invoker may be in
 * it): each other entry bound on its own. */
static void bind_ssl(int errfd)
{
    DIR *d = opendir("/oldroot/etc/ssl");
    if (!d)
        return;
    if (mkdir_p("/newroot/etc/ssl", 0755) < 0)
        fail(errfd, "sandbox: mkdir /etc/ssl: %s", strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "private"))
            continue;
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "/etc/ssl/%s", e->d_name) >= (int)sizeof path)
            continue;
        bind_same(errfd, path, false, false, false);
    }
    closedir(d);
}

/* ---- the guest's view ------------------------------------------------------------ */

static int fuse_sock = -1;           /* the guest's end of the overlay socket, or -1 */
static int fuse_fd = -1;             /* /dev/fuse, opened by the middle process */
static int io_fds[3] = {-1, -1, -1}; /* the relay's: the guest's 0, 1 and 2 */
static int claim_wr = -1;            /* the guest runtime's claims (report.h) */

static const char *const system_dirs[] = {"/usr",   "/bin",   "/sbin",  "/lib",
                                          "/lib64", "/lib32", "/libx32"};
static const char *const etc_files[] = {"/etc/resolv.conf", "/etc/nsswitch.conf",
                                        "/etc/ca-certificates", "/etc/localtime"};
/* no tty: the guest has no controlling terminal, and no other way to one */
static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom"};
bool lch_sandbox_system(const char *p)
{
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++) {
        size_t n = strlen(system_dirs[i]);
        if (!strncmp(p, system_dirs[i], n) && (p[n] == '\0' || p[n] == '/'))
            return true;
    }
    return false;
}

/* A grant path worth a bind: outside what the view already shows. A
 * grant of /tmp itself means the private /tmp; a host path below /tmp
 * that was granted by name shows up inside it. */
bool lch_sandbox_binds(const char *p)
{
    static const char *const own[] = {"/app", "/proc", "/dev", "/sys", "/etc", "/sandbox"};
    if (!strcmp(p, "/") || !strcmp(p, "/tmp"))
        return false;
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        size_t n = strlen(own[i]);
        if (!strncmp(p, own[i], n) && (p[n] == '\0' || p[n] == '/'))
            return false;
    }
    return !lch_sandbox_system(p);
}

/* The node_modules overlay: the guest opens /dev/fuse, mounts it on
 * /app/node_modules (read-only, nosuid, nodev, noexec) and hands the
 * descriptor to the supervisor, which serves it from outside. */
static void mount_overlay(int sock, int errfd)
{
    struct stat st;
    if (stat("/newroot/app/node_modules", &st) < 0 || !S_ISDIR(st.st_mode) || fuse_fd < 0) {
        close(sock);
        return; /* no node_modules: nothing to serve */
    }
    int fd = fuse_fd;
    char opts[160];
    snprintf(opts, sizeof opts,
             "fd=%d,rootmode=40000,user_id=%d,group_id=%d,default_permissions,allow_other", fd,
             LCH_GUEST_UID, LCH_GUEST_GID);
    if (mount("secure-exec-overlay", "/newroot/app/node_modules", "fuse.secure-exec",
              MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
        fail(errfd, "sandbox: cannot mount the node_modules overlay: %s", strerror(errno));
    char byte = 'f';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    if (sendmsg(sock, &msg, MSG_NOSIGNAL) != 1)
        fail(errfd, "sandbox: cannot hand the overlay to the supervisor: %s", strerror(errno));
    close(fd);
    fuse_fd = -1;
    close(sock);
}

/* ---- what /proc tells about the host ------------------------------------------ */

/* /proc is mounted with subset=pid: no kernel-wide file (cmdline, meminfo,
 * stat, loadavg, sys/, pressure/, ...) exists in it, only the pid
 * folders of the guest's own pid namespace. In its own folder (pid 1,
 * also /proc/self) the mount table names the host paths of the app and of
 * every grant (a bind mount's root is its path on the host's file
 * system, whatever the mount API), so those files are masked; so are the
 * host's audit ids and user ids (loginuid, sessionid, uid_map, gid_map),
 * the host's clocks (sched, timens_offsets: its uptime), its autogroup,
 * and the task/ folder, whose per-thread copies of all of it would appear
 * with every thread the guest starts later. */
static const char *const pid_masked_files[] = {
    "mountinfo", "mounts",  "mountstats", "loginuid", "sessionid",
    "uid_map",   "gid_map", "autogroup",  "sched",    "timens_offsets"};

static void mask_own_pid(const lch_sandbox_t *sb, int errfd)
{
    char p[PATH_MAX];
    for (size_t i = 0; i < sizeof pid_masked_files / sizeof pid_masked_files[0]; i++) {
        snprintf(p, sizeof p, "/newroot/proc/1/%s", pid_masked_files[i]);
        if (access(p, F_OK) == 0 && mount("/oldroot/dev/null", p, NULL, MS_BIND, NULL) < 0)
            fail(errfd, "sandbox: cannot mask /proc/1/%s: %s", pid_masked_files[i],
                 strerror(errno));
    }
    /* an empty read-only folder over task/ */
    const char *dirs[] = {"task"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && dirs[i]; i++) {
        snprintf(p, sizeof p, "/newroot/proc/1/%s", dirs[i]);
        if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "size=4k,nr_inodes=2,mode=0555") < 0)
            fail(errfd, "sandbox: cannot mask /proc/1/%s: %s", dirs[i], strerror(errno));
    }
}

/* The launcher's own binary, read-only at LCH_GUEST_EXEC_PATH: the
 * guest's execPath names a file of its view, not the host's path. (The
 * magic link /proc/self/exe cannot be the source: it leads into the
 * host's mount namespace.) */
/* Where the dynamic loader finds libnode for the launcher at
 * LCH_GUEST_EXEC_PATH: the binary's rpath, $ORIGIN/LCH_LIBNODE_REL. */
#define LCH_LIBNODE_REL "vendor/root/usr/lib/x86_64-linux-gnu/libnode.so.108"

static int find_libnode(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    const char *base = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
    if (base && !strncmp(base + 1, "libnode.so", 10)) {
        snprintf(arg, PATH_MAX, "%s", info->dlpi_name);
        return 1;
    }
    return 0;
}

static void show_launcher(const lch_sandbox_t *sb, int errfd)
{
    char exe[PATH_MAX], src[PATH_MAX + 16];
    ssize_t n = readlink("/oldroot/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        fail(errfd, "sandbox: cannot read /proc/self/exe: %s", strerror(errno));
    exe[n] = '\0';
    in_old(src, sizeof src, exe);
    int e = bind_at(src, "/newroot" LCH_GUEST_EXEC_PATH, false, true);
    if (e < 0)
        fail(errfd, "sandbox: cannot show the launcher at %s: %s", LCH_GUEST_EXEC_PATH,
             strerror(-e));
    /* and the libnode it was started with, where its rpath looks from
     * there: a nested guest (process.execPath) loads the same library.
     * One from the system folders is in the view already. */
    char lib[PATH_MAX] = "";
    if (sb->run)
        dl_iterate_phdr(find_libnode, lib);
    if (sb->run && lib[0] == '/' && !lch_sandbox_system(lib)) {
        char real[PATH_MAX];
        in_old(src, sizeof src, lib);
        if (realpath(src, real)) {
            e = bind_at(real, "/newroot/sandbox/bin/" LCH_LIBNODE_REL, false, true);
            if (e < 0)
                fail(errfd, "sandbox: cannot show libnode beside the launcher: %s", strerror(-e));
        }
    }
}

/* The guest's command line (/proc/self/cmdline) becomes sb->argv, with
 * no environment (/proc/self/environ empty): the kernel reads both from
 * the address ranges PR_SET_MM_MAP sets, and otherwise shows the
 * launcher's whole host command line. The other ranges are given back as
 * they are (from /proc/self/stat). The seccomp policies refuse PR_SET_MM
 * afterwards. */
static void set_cmdline(const lch_sandbox_t *sb, int errfd)
{
    size_t len = 0;
    for (size_t i = 0; i < sb->argc; i++)
        len += strlen(sb->argv[i]) + 1;
    /* never freed: the kernel reads it for as long as the guest lives */
    char *buf = malloc(len + 1);
    if (!buf)
        fail(errfd, "sandbox: out of memory");
    size_t off = 0;
    for (size_t i = 0; i < sb->argc; i++) {
        size_t n = strlen(sb->argv[i]) + 1;
        memcpy(buf + off, sb->argv[i], n);
        off += n;
    }
    buf[off] = '\0';
    char line[2048];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof line - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        fail(errfd, "sandbox: cannot read /proc/self/stat: %s", strerror(errno));
    line[n] = '\0';
    /* fields 26-28 and 45-51 of proc(5), after the name's closing ')' */
    unsigned long long v[52] = {0};
    char *p = strrchr(line, ')'), *save = NULL;
    int field = 3;
    for (char *tok = p ? strtok_r(p + 1, " ", &save) : NULL; tok && field < 52;
         tok = strtok_r(NULL, " ", &save), field++)
        v[field] = strtoull(tok, NULL, 10);
    if (field < 52)
        fail(errfd, "sandbox: /proc/self/stat: too few fields");
    struct prctl_mm_map map = {
        .start_code = v[26],
        .end_code = v[27],
        .start_stack = v[28],
        .start_data = v[45],
        .end_data = v[46],
        .start_brk = v[47],
        .brk = (uint64_t)syscall(SYS_brk, 0),
        .arg_start = (uint64_t)(uintptr_t)buf,
        .arg_end = (uint64_t)(uintptr_t)(buf + off),
        .env_start = (uint64_t)(uintptr_t)(buf + off),
        .env_end = (uint64_t)(uintptr_t)(buf + off),
        .exe_fd = (uint32_t)-1,
    };
    if (prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof map, 0) < 0)
        fail(errfd,
             "sandbox: cannot set the guest's command line: %s (PR_SET_MM_MAP needs a kernel "
             "built with CONFIG_CHECKPOINT_RESTORE)",
             strerror(errno));
}

/* Whether a granted program lies below dir (or every program may run):
 * its bind then stays executable. */
static bool runs_below(const lch_sandbox_t *sb, const char *dir)
{
    if (sb->exec_all)
        return true;
    size_t n = strlen(dir);
    for (size_t i = 0; i < sb->nexec; i++)
        if (!strncmp(sb->exec_files[i], dir, n) &&
            (sb->exec_files[i][n] == '/' || !sb->exec_files[i][n]))
            return true;
    return false;
}

static void build_view(const lch_sandbox_t *sb, int errfd)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        fail(errfd, "sandbox: cannot make mounts private: %s", strerror(errno));
    /* The base: a tmpfs on /tmp becomes the root, the host's at /oldroot. */
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m,nr_inodes=64") < 0)
        fail(errfd, "sandbox: cannot mount a tmpfs: %s", strerror(errno));
    if (mkdir("/tmp/newroot", 0755) < 0 || mkdir("/tmp/oldroot", 0755) < 0)
        fail(errfd, "sandbox: mkdir: %s", strerror(errno));
    if (syscall(SYS_pivot_root, "/tmp", "/tmp/oldroot") < 0)
        fail(errfd, "sandbox: pivot_root: %s", strerror(errno));
    if (chdir("/") < 0)
        fail(errfd, "sandbox: chdir: %s", strerror(errno));
    char opts[96];
    /* every tmpfs has an inode cap as well as a size: an empty file or a
     * short symlink uses no block, but its inode is kernel memory; the
     * root holds the mount points (granted paths' folders among them) */
    if (mount("tmpfs", "/newroot", "tmpfs", MS_NOSUID | MS_NODEV,
              "mode=0755,size=1m,nr_inodes=1024") < 0)
        fail(errfd, "sandbox: cannot mount the root tmpfs: %s", strerror(errno));

    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
        bind_same(errfd, system_dirs[i], false, !strcmp(system_dirs[i], "/usr"), true);
    for (size_t i = 0; i < sizeof etc_files / sizeof etc_files[0]; i++)
        bind_same(errfd, etc_files[i], false, false, false);
    bind_ssl(errfd);
    if (mkdir_p("/newroot/etc", 0755) < 0 ||
        lch_write_text("/newroot/etc/passwd",
                       "sandbox:x:1000:1000:sandbox:/tmp:/usr/sbin/nologin\n") < 0 ||
        lch_write_text("/newroot/etc/group", "sandbox:x:1000:\n") < 0 ||
        lch_write_text("/newroot/etc/hostname", "sandbox\n") < 0)
        fail(errfd, "sandbox: cannot write /etc: %s", strerror(errno));
    /* never the host's hosts file: it names the host */
    if (lch_write_text("/newroot/etc/hosts", "127.0.0.1\tlocalhost sandbox\n"
                                             "::1\tlocalhost ip6-localhost ip6-loopback\n") < 0)
        fail(errfd, "sandbox: cannot write /etc/hosts: %s", strerror(errno));

    /* The app, read-only; /app/node_modules is where the overlay goes. */
    char src[PATH_MAX];
    in_old(src, sizeof src, sb->app);
    int e = bind_at(src, "/newroot/app", false, runs_below(sb, "/app"));
    if (e < 0)
        fail(errfd, "sandbox: cannot show %s at /app: %s%s", sb->app, strerror(-e),
             e == -EACCES ? " (the guest runs as an unprivileged user: the app folder and the "
                            "folders above it must be readable and searchable by others)"
                          : "");

    if (fuse_sock >= 0)
        mount_overlay(fuse_sock, errfd);

    /* A private, size-limited /tmp: one inode per 4 KiB of its size (an
     * inode and its dentry cost about 1 KiB of kernel memory) */
    size_t tmp_mb = sb->tmpfs_mb ? sb->tmpfs_mb : 64;
    snprintf(opts, sizeof opts, "mode=1777,size=%zum,nr_inodes=%zu", tmp_mb,
             tmp_mb * 256 > 1024 ? tmp_mb * 256 : 1024);
    if (mkdir_p("/newroot/tmp", 01777) < 0 ||
        mount("tmpfs", "/newroot/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
        fail(errfd, "sandbox: cannot mount /tmp: %s", strerror(errno));

    /* a read grant of a path the host lacks shows nothing; a write grant's
     * path was made sure of at start (main.c): if it is gone now, the run
     * stops rather than let the guest write into the private /tmp */
    for (size_t i = 0; i < sb->nro; i++)
        if (lch_sandbox_binds(sb->ro_paths[i]))
            bind_same(errfd, sb->ro_paths[i], false, false, runs_below(sb, sb->ro_paths[i]));
    for (size_t i = 0; i < sb->nrw; i++)
        if (lch_sandbox_binds(sb->rw_paths[i]))
            bind_same(errfd, sb->rw_paths[i], true, true, false);

    /* /proc of the new pid namespace: its own processes only (subset=pid:
     * no kernel-wide file or knob is there to mask). */
    if (mkdir_p("/newroot/proc", 0555) < 0 ||
        mount("proc", "/newroot/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "hidepid=2,subset=pid") < 0)
        fail(errfd,
             "sandbox: cannot mount /proc: %s (a masked or read-only /proc on this host, as in "
             "a container without a private pid namespace: run with an unmasked /proc; or a "
             "kernel before 5.8, which has no subset=pid)",
             strerror(errno));

    mask_own_pid(sb, errfd);
    show_launcher(sb, errfd);

    /* A minimal /dev. */
    if (mkdir_p("/newroot/dev", 0755) < 0)
        fail(errfd, "sandbox: mkdir /dev: %s", strerror(errno));
    for (size_t i = 0; i < sizeof dev_nodes / sizeof dev_nodes[0]; i++) {
        char s[64], d[64];
        snprintf(s, sizeof s, "/oldroot/dev/%s", dev_nodes[i]);
        snprintf(d, sizeof d, "/newroot/dev/%s", dev_nodes[i]);
        if (access(s, F_OK) < 0)
            continue;
        if (make_target(s, d) < 0 || mount(s, d, NULL, MS_BIND, NULL) < 0)
            fail(errfd, "sandbox: cannot bind /dev/%s: %s", dev_nodes[i], strerror(errno));
    }
    if (symlink("/proc/self/fd", "/newroot/dev/fd") < 0 ||
        symlink("/proc/self/fd/0", "/newroot/dev/stdin") < 0 ||
        symlink("/proc/self/fd/1", "/newroot/dev/stdout") < 0 ||
        symlink("/proc/self/fd/2", "/newroot/dev/stderr") < 0)
        fail(errfd, "sandbox: /dev links: %s", strerror(errno));

    /* /newroot becomes /; the base tmpfs, with the host's root still
     * mounted on it at /oldroot, is stacked under it and detached in one
     * go (one unmount, one RCU grace period, not two). */
    if (chdir("/newroot") < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
        umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
        fail(errfd, "sandbox: cannot enter the new root: %s", strerror(errno));
    if (access("/oldroot", F_OK) == 0)
        fail(errfd, "sandbox: the host's root is still reachable");
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
        fail(errfd, "sandbox: cannot make the root read-only: %s", strerror(errno));
    if (chdir("/app") < 0)
        fail(errfd, "sandbox: chdir /app: %s%s", strerror(errno),
             errno == EACCES ? " (the guest runs as an unprivileged user: the app folder must "
                               "be readable and searchable by others, e.g. chmod 755)"
                             : "");
}

/* Socket buffers are kernel memory outside the v1 memory cgroup's main
 * count: the guest's own network namespace caps TCP's per socket so that
 * every descriptor's send and receive buffers together stay inside the
 * run's memory (SO_SNDBUF/SO_RCVBUF are refused by seccomp; unix sockets
 * keep the host's net.core defaults, a namespace cannot change them). */
static void socket_buffers(const lch_sandbox_t *sb, int errfd)
{
    uint64_t fds = sb->fds ? sb->fds : 1024;
    uint64_t mem = sb->memory_mb ? (uint64_t)sb->memory_mb << 20 : 512ull << 20;
    uint64_t max = mem / (4 * fds);
    max = max < (64u << 10) ? (64u << 10) : max > (4u << 20) ? (4u << 20) : max;
    char v[96];
    snprintf(v, sizeof v, "4096 %" PRIu64 " %" PRIu64 "\n", max < 16384 ? max : 16384, max);
    int e = lch_write_text("/proc/sys/net/ipv4/tcp_wmem", v);
    snprintf(v, sizeof v, "4096 %" PRIu64 " %" PRIu64 "\n", max < 131072 ? max : 131072, max);
    if (e == 0)
        e = lch_write_text("/proc/sys/net/ipv4/tcp_rmem", v);
    if (e < 0)
        fail(errfd, "sandbox: cannot size the network namespace's socket buffers: %s",
             strerror(-e));
}

/* inotify (fs.watch) is charged to the user who ran the sandbox as well
 * (the limits count up the user namespaces): the sandbox's own namespace
 * gets small ones, so a guest cannot use up that user's instances or
 * watches on the host. */
static void user_limits(int errfd)
{
    int e = lch_write_text("/proc/sys/user/max_inotify_instances", "8\n");
    if (e == 0)
        e = lch_write_text("/proc/sys/user/max_inotify_watches", "8192\n");
    if (e < 0)
        fail(errfd, "sandbox: cannot set the user namespace's inotify limits: %s", strerror(-e));
}

static void loopback_up(int errfd)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        fail(errfd, "sandbox: socket: %s", strerror(errno));
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        fail(errfd, "sandbox: lo: %s", strerror(errno));
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        fail(errfd, "sandbox: cannot bring lo up: %s", strerror(errno));
    close(s);
}

/* ---- the guest: pid 1 of the new pid namespace ------------------------------------ */

#define LCH_EXIT_LIMIT_TIME 124
static void on_cpu_limit(int sig)
{
    (void)sig;
    lch_claim_send(LCH_LIMIT_CPU, -1); /* the supervisor prints the line */
    _exit(LCH_EXIT_LIMIT_TIME);
}

__attribute__((noreturn)) static void guest_main(const lch_sandbox_t *sb, int (*guest)(void *),
                                                 void *arg, int errfd)
{
    char err[ERR_MAX] = "";
    /* SIGINT, SIGTERM and SIGHUP stay blocked (from the middle process)
     * until the runtime has its handlers (bridge/signal.c): pid 1 would
     * drop them with the default action, and one sent during start-up
     * must reach the guest */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        fail(errfd, "sandbox: prctl: %s", strerror(errno));
    /* a session of its own: no controlling terminal, and kill(0, ...)
     * names only the guest's group (the middle's session is another) */
    if (setsid() < 0)
        fail(errfd, "sandbox: setsid: %s", strerror(errno));
    socket_buffers(sb, errfd); /* /proc/sys is read-only in the view */
    user_limits(errfd);
    build_view(sb, errfd);
    set_cmdline(sb, errfd);
    if (sethostname("sandbox", 7) < 0)
        fail(errfd, "sandbox: sethostname: %s", strerror(errno));
    loopback_up(errfd);

    lch_rlimits_t lim = {
        .nofile = sb->fds,
        .fsize = sb->fsize_bytes,
        .nproc = sb->pids,
        .cpu_seconds = sb->cpu_ms ? (sb->cpu_ms + 999) / 1000 : 0,
    };
    if (lch_set_rlimits(&lim, err, sizeof err) < 0)
        fail(errfd, "sandbox: %s", err);
    int *keep = calloc(sb->nkeep + 2, sizeof *keep);
    if (!keep)
        fail(errfd, "sandbox: out of memory");
    keep[0] = errfd;
    keep[sb->nkeep + 1] = claim_wr;
    /* the relay's become 0, 1 and 2: no host file description in the guest */
    if (io_fds[0] >= 0 &&
        (dup2(io_fds[0], 0) < 0 || dup2(io_fds[1], 1) < 0 || dup2(io_fds[2], 2) < 0))
        fail(errfd, "sandbox: dup2: %s", strerror(errno));
    for (size_t i = 0; i < sb->nkeep; i++)
        keep[i + 1] = sb->keep_fds[i];
    lch_close_fds_except(keep, sb->nkeep + (claim_wr >= 0 ? 2 : 1));
    free(keep);
    lch_claim_init(claim_wr);
    if (lch_drop_caps(err, sizeof err) < 0)
        fail(errfd, "sandbox: %s", err);
    /* a change of credentials may clear the parent-death signal: set
     * again once they are final (the middle's end must take the guest) */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        fail(errfd, "sandbox: prctl: %s", strerror(errno));
    /* no symlink in the folders bound from the host (landlock.h) */
    const char **scratch = calloc(2 * sb->nrw + 1, sizeof *scratch);
    if (!scratch)
        fail(errfd, "sandbox: out of memory");
    const char **host = scratch + sb->nrw + 1;
    size_t nscratch = 0, nhost = 0;
    scratch[nscratch++] = "/tmp";
    for (size_t i = 0; i < sb->nrw; i++)
        if (lch_sandbox_binds(sb->rw_paths[i]))
            host[nhost++] = sb->rw_paths[i];
        else
            scratch[nscratch++] = sb->rw_paths[i];
    lch_landlock_guest_t ll = {.scratch = scratch,
                               .nscratch = nscratch,
                               .host = host,
                               .nhost = nhost,
                               .exec = sb->exec_files,
                               .nexec = sb->nexec,
                               .exec_all = sb->exec_all};
    int r = lch_landlock_apply_guest(&ll, err, sizeof err);
    free(scratch);
    if (r < 0 && r != -EOPNOTSUPP)
        fail(errfd, "sandbox: landlock: %s", err);
    if (sb->cpu_ms) {
        /* pid 1 of a namespace gets no signal whose action is the default:
         * SIGXCPU needs a handler to end the guest */
        struct sigaction sa = {.sa_handler = on_cpu_limit};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGXCPU, &sa, NULL);
        /* the CPU-time limit to the millisecond (RLIMIT_CPU counts whole
         * seconds and stays as the backstop): SIGXCPU ends the guest */
        struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGXCPU};
        timer_t t;
        struct itimerspec its = {
            .it_value = {(time_t)(sb->cpu_ms / 1000), (long)(sb->cpu_ms % 1000) * 1000000L}};
        if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &t) < 0 ||
            timer_settime(t, 0, &its, NULL) < 0)
            fail(errfd, "sandbox: cpu timer: %s", strerror(errno));
    }
    if (sb->before_seccomp)
        sb->before_seccomp();
    char policy[48];
    snprintf(policy, sizeof policy, "%s%s", sb->seccomp ? sb->seccomp : "strict",
             sb->run ? "+run" : "");
    if (lch_seccomp_install(policy, err, sizeof err) < 0)
        fail(errfd, "sandbox: seccomp: %s", err);
    close(errfd); /* nothing of the supervisor's stays open in the guest */
    exit(guest(arg));
}

/* ---- the middle process --------------------------------------------------------------- */

static int write_id_map(const char *file, unsigned inside, unsigned outside)
{
    char line[64];
    snprintf(line, sizeof line, "%u %u 1\n", inside, outside);
    return lch_write_text(file, line);
}

/* The guest is uid/gid 1000 inside. Outside it is the invoking user, or
 * nobody (65534) when that is root: a root-owned guest would count as the
 * global root in the kernel's checks that look at ids alone (RLIMIT_NPROC
 * does not bind uid 0; /proc/sys files owned by root). The app and the
 * granted paths must then be readable (and writable) by others. */
uid_t lch_sandbox_host_uid(void)
{
    return geteuid() == 0 ? 65534 : geteuid();
}

static int id_maps(pid_t pid, char *err, size_t errlen)
{
    uid_t uid = lch_sandbox_host_uid();
    gid_t gid = geteuid() == 0 ? 65534 : getegid();
    char file[64];
    snprintf(file, sizeof file, "/proc/%d/setgroups", (int)pid);
    int e = lch_write_text(file, "deny\n");
    if (e == 0) {
        snprintf(file, sizeof file, "/proc/%d/uid_map", (int)pid);
        e = write_id_map(file, LCH_GUEST_UID, uid);
    }
    if (e == 0) {
        snprintf(file, sizeof file, "/proc/%d/gid_map", (int)pid);
        e = write_id_map(file, LCH_GUEST_GID, gid);
    }
    if (e < 0)
        snprintf(err, errlen, "sandbox: cannot map the user into the namespace: %s", strerror(-e));
    return e;
}

/* How the guest ended -> the status of launcher/README.md. */
static int guest_status(int st, const struct rusage *ru, const lch_sandbox_t *sb)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (!WIFSIGNALED(st))
        return 125;
    int sig = WTERMSIG(st);
    uint64_t cpu_ms = (uint64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000 +
                      (uint64_t)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000;
    if (sig == SIGXCPU || (sig == SIGKILL && sb->cpu_ms && cpu_ms >= sb->cpu_ms))
        return 124;
    if (sig == SIGKILL)
        return 137;
    return 128 + sig; /* SIGSYS: the supervisor says it was seccomp */
}

/* The guest's boot time is its own start: its CLOCK_BOOTTIME and
 * CLOCK_MONOTONIC (a time namespace where the kernel has them, made with
 * the others, set before the guest enters it) start within a second of 0,
 * so sysinfo(2)'s and libuv's uptime and the start times in
 * /proc/<pid>/stat tell the run's age, not the host's.
 * Its cgroup namespace is made again now that the supervisor has put this
 * process in the run's cgroup: /proc/self/cgroup shows "/" there, not the
 * cgroup's name (which holds the supervisor's host pid). */
static void set_guest_clocks(int errfd)
{
    struct timespec mono, boot;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_BOOTTIME, &boot);
    char offsets[128];
    snprintf(offsets, sizeof offsets, "monotonic %lld 0\nboottime %lld 0\n",
             -(long long)mono.tv_sec, -(long long)boot.tv_sec);
    int e = lch_write_text("/proc/self/timens_offsets", offsets);
    if (e < 0)
        fail(errfd, "sandbox: cannot set the guest's clocks: %s", strerror(-e));
}

static void guest_clocks_and_cgroup(bool timens, int errfd)
{
    if (timens)
        set_guest_clocks(errfd);
    if (unshare(CLONE_NEWCGROUP) < 0)
        fail(errfd, "sandbox: cannot make the cgroup namespace: %s", strerror(errno));
}

__attribute__((noreturn)) static void middle_main(const lch_sandbox_t *sb, const lch_cgroup_t *cg,
                                                  int (*guest)(void *), void *arg, int errfd,
                                                  int hs, pid_t supervisor)
{
    /* what the supervisor passes on waits here for the guest (below) */
    sigset_t fwd;
    sigemptyset(&fwd);
    sigaddset(&fwd, SIGINT);
    sigaddset(&fwd, SIGTERM);
    sigaddset(&fwd, SIGHUP);
    sigaddset(&fwd, SIGCHLD);
    sigprocmask(SIG_BLOCK, &fwd, NULL);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != supervisor)
        _exit(125);
    /* out of the invoker's session and process group: nothing of the
     * sandbox is in a group the host signals or a signal from inside names */
    if (setsid() < 0)
        fail(errfd, "sandbox: setsid: %s", strerror(errno));
    /* the invoker's supplementary groups would stay with the guest (the
     * kernel keeps them under setgroups=deny): dropped while it may */
    if (lch_can_drop_groups() && setgroups(0, NULL) < 0)
        fail(errfd, "sandbox: cannot drop the supplementary groups: %s", strerror(errno));
    /* into the run's cgroup before any of the sandbox is made: with v1 this
     * process moves itself, which costs no grace period (cgroup.c); v2's
     * move is the supervisor's, after the namespaces */
    int ce = lch_cgroup_enter_self(cg);
    if (ce < 0)
        fail(errfd, "sandbox: cannot enter the run's cgroup: %s", strerror(-ce));
    /* always a network namespace of its own: only its lo (no option
     * shares the host's) */
    int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP |
                CLONE_NEWPID | CLONE_NEWTIME | CLONE_NEWNET;
    /* a kernel without time namespaces (before 5.6, or built without
     * them): the guest's clocks stay the host's */
    int r = unshare(flags);
    if (r < 0 && errno == EINVAL) {
        flags &= ~CLONE_NEWTIME;
        r = unshare(flags);
    }
    if (r < 0)
        fail(errfd,
             "sandbox: cannot create namespaces: %s (user namespaces are disabled on this host: "
             "allow them, e.g. sysctl kernel.unprivileged_userns_clone=1, an AppArmor profile "
             "that permits userns, or a pod securityContext with seccompProfile Unconfined)",
             strerror(errno));
    /* the supervisor, still in the parent user namespace, writes the id
     * maps: only it may map an id other than its own (see id_maps) */
    char c = 'u';
    if (write(hs, &c, 1) != 1 || read(hs, &c, 1) != 1 || c != 'g')
        _exit(125); /* the supervisor says why */
    close(hs);
    guest_clocks_and_cgroup((flags & CLONE_NEWTIME) != 0, errfd);
    /* /dev/fuse for the overlay: opened now, in the new user namespace
     * (the kernel wants the device opened there) and still with the
     * invoking user's file access (the device is often root-only) */
    if (fuse_sock >= 0) {
        fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fuse_fd < 0)
            fail(errfd,
                 "sandbox: cannot open /dev/fuse: %s (the node_modules overlay needs it: "
                 "modprobe fuse, and in a container expose /dev/fuse)",
                 strerror(errno));
    }
    /* become the mapped ids (the capabilities in the new namespace stay
     * until the guest drops them) */
    if (setresgid(LCH_GUEST_GID, LCH_GUEST_GID, LCH_GUEST_GID) < 0 ||
        setresuid(LCH_GUEST_UID, LCH_GUEST_UID, LCH_GUEST_UID) < 0)
        fail(errfd, "sandbox: cannot take the sandbox's ids: %s", strerror(errno));
    /* the factory connects unix sockets through its own fd folder (a magic
     * link is the file itself, netd_unix.c): opened while /proc is still
     * the one this process is in; the guest closes it with the rest */
    int fd_dir =
        sb->net_factory_fd > 2 ? open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    pid_t pid = fork();
    if (pid < 0)
        fail(errfd, "sandbox: fork: %s", strerror(errno));
    if (pid == 0)
        guest_main(sb, guest, arg, errfd);
    /* the guest has what it needs: this process keeps no capability of
     * the new namespaces (it serves the socket factory in them) */
    {
        char cerr[256];
        if (lch_drop_caps(cerr, sizeof cerr) < 0) {
            kill(pid, SIGKILL);
            fail(errfd, "sandbox: the middle process: %s", cerr);
        }
    }
    /* the kernel forgot the parent-death signal when this process took
     * the sandbox's ids: set again, so that a supervisor killed from
     * outside takes this process (and with it the guest, pid 1 of its
     * namespace) along; a supervisor already gone is seen here */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != supervisor) {
        kill(pid, SIGKILL);
        _exit(125);
    }
    if (fuse_sock >= 0)
        close(fuse_sock);
    if (fuse_fd >= 0)
        close(fuse_fd);
    for (int i = 0; i < 3; i++)
        if (io_fds[i] >= 0 && (i < 2 || io_fds[2] != io_fds[1]))
            close(io_fds[i]);
    /* the guest's pid out here: the supervisor measures its CPU time */
    unsigned char pm[1 + sizeof pid] = {PID_MSG};
    memcpy(pm + 1, &pid, sizeof pid);
    if (write(errfd, pm, sizeof pm) != (ssize_t)sizeof pm)
        _exit(125);
    for (size_t i = 0; i < sb->ngive; i++)
        close(sb->give_fds[i]);
    /* SIGINT, SIGTERM and SIGHUP from the supervisor go on to the guest;
     * the guest's pid is safe to name until this loop reaps it. Meanwhile
     * the socket factory makes the sandbox's loopback sockets the
     * supervisor's network broker asks for (netd.h): this process lives in
     * the guest's network namespace, the guest may not make them itself. */
    int factory = sb->net_factory_fd > 2 ? sb->net_factory_fd : -1;
    int sfd = factory >= 0 ? signalfd(-1, &fwd, SFD_CLOEXEC) : -1;
    int st;
    struct rusage ru;
    for (;;) {
        pid_t w = wait4(pid, &st, WNOHANG, &ru);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            _exit(125);
        int sig = 0;
        if (sfd < 0) {
            sig = sigwaitinfo(&fwd, NULL);
        } else {
            struct pollfd pf[2] = {{.fd = sfd, .events = POLLIN},
                                   {.fd = factory, .events = POLLIN}};
            if (poll(pf, factory >= 0 ? 2 : 1, -1) < 0)
                continue;
            if (factory >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
                !lch_netd_factory_serve(factory, fd_dir)) {
                close(factory);
                factory = -1;
            }
            struct signalfd_siginfo si;
            if ((pf[0].revents & POLLIN) && read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
                sig = (int)si.ssi_signo;
        }
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
            kill(pid, sig);
    }
    fflush(stderr);
    /* tell the supervisor first: it need not wait for this process's
     * teardown (a copy of the launcher's address space) */
    int status = guest_status(st, &ru, sb);
    mid_report_t mr = {
        .status = status,
        .wait_status = st,
        .cpu_ms = (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000,
        .maxrss_kb = ru.ru_maxrss,
    };
    unsigned char msg[1 + sizeof mr] = {STATUS_MSG};
    memcpy(msg + 1, &mr, sizeof mr);
    ssize_t w = write(errfd, msg, sizeof msg);
    (void)w;
    _exit(status);
}

/* ---- the overlay, served by the supervisor -----------------------------------------------------
 */

typedef struct {
    ovl_t *ov;
    int sock;
} overlay_job_t;

/* Receives the guest's /dev/fuse descriptor and serves it until the
 * guest's mount namespace (and with it the mount) is gone. */
static void *serve_overlay(void *arg)
{
    overlay_job_t *job = arg;
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    ssize_t n = recvmsg(job->sock, &msg, MSG_CMSG_CLOEXEC);
    struct cmsghdr *c = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
        char dev[32], err[256];
        snprintf(dev, sizeof dev, "/dev/fd/%d", fd);
        /* the server confines itself before it reads a request: read-only
         * file access everywhere (Landlock) and its own system-call
         * allowlist, on this thread and the workers it will start */
        if ((lch_landlock_apply(NULL, 0, err, sizeof err) < 0 && lch_landlock_abi() > 0) ||
            lch_seccomp_install("overlay", err, sizeof err) < 0) {
            fprintf(stderr, "secure-exec-launch: overlay: %s\n", err);
            close(fd); /* the guest's node_modules reads fail: ENOTCONN */
            close(job->sock);
            return NULL;
        }
        ovl_serve(job->ov, dev, err, sizeof err);
        close(fd);
    }
    close(job->sock);
    return NULL;
}

/* ---- the supervisor ---------------------------------------------------------------------- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* What a child wrote on the pipe: a setup error (into err: returns -1),
 * the middle's report of the guest's status (returns 1), of the guest's
 * pid only (2), or nothing, the writers gone (0). */
static int read_pipe(int fd, pid_t *guest, mid_report_t *mr, char *err, size_t errlen)
{
    char buf[ERR_MAX];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0)
        return 0;
    ssize_t off = 0;
    if ((unsigned char)buf[0] == PID_MSG && n >= 1 + (ssize_t)sizeof *guest) {
        memcpy(guest, buf + 1, sizeof *guest);
        off = 1 + (ssize_t)sizeof *guest;
        if (off == n)
            return 2;
    }
    if ((unsigned char)buf[off] == STATUS_MSG && n - off == 1 + (ssize_t)sizeof *mr) {
        memcpy(mr, buf + off + 1, sizeof *mr);
        return 1;
    }
    buf[n] = '\0';
    snprintf(err, errlen, "%s", buf + off);
    return -1;
}

/* The CPU time the guest has used: its cgroup's, else its own and its
 * reaped children's from /proc; -1 when unknown. */
static int64_t guest_cpu_ms(const lch_cgroup_t *cg, pid_t guest)
{
    int64_t ms = cg->version ? lch_cgroup_cpu_ms(cg) : -1;
    if (ms >= 0 || guest <= 0)
        return ms;
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)guest);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, line, sizeof line - 1);
    close(fd);
    if (n <= 0)
        return -1;
    line[n] = '\0';
    char *p = strrchr(line, ')'); /* the name may hold spaces and parentheses */
    unsigned long long ut, st, cut, cst;
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &ut,
                     &st, &cut, &cst) != 4)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    return (int64_t)((ut + st + cut + cst) * 1000 / (unsigned long long)(hz > 0 ? hz : 100));
}

/* The host terminal's window size to the guest (bridge/signal.c): two
 * uint16, columns and rows, on a pipe that never blocks the supervisor. */
static void send_window_size(const lch_sandbox_t *sb)
{
    unsigned short cols, rows;
    if (lch_tty_size(sb->tty_fd, &cols, &rows) < 0)
        return;
    uint16_t msg[2] = {cols, rows};
    ssize_t w = write(sb->resize_wr, msg, sizeof msg);
    (void)w; /* a full pipe: the guest has not read the last ones */
}

/* Waits for the guest's end (the middle's report, or its exit), a setup
 * error on the pipe, a signal to forward, the CPU-time limit (measured
 * from out here, whatever the guest does with its signals) or the
 * wall-clock backstop. Returns the status, or -1 with err set. */
/* serve's start message: 1 with *wall_ms and the request's id in id (""
 * when it is not one), 0 when the socket is closed or says anything else
 * (the server is gone or broken: the run ends). */
static int read_start(int fd, uint64_t *wall_ms, char id[LCH_JOB_ID_LEN + 1], uint64_t *sent_ms)
{
    unsigned char m[LCH_SERVE_START_LEN];
    size_t have = 0;
    while (have < sizeof m) {
        ssize_t n = read(fd, m + have, sizeof m - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        have += (size_t)n;
    }
    if (m[0] != LCH_SERVE_START)
        return 0;
    uint64_t v = 0;
    for (int i = 8; i >= 1; i--)
        v = v << 8 | m[i];
    *wall_ms = v;
    uint64_t t = 0;
    for (int i = 8; i >= 1; i--)
        t = t << 8 | m[24 + i];
    *sent_ms = t;
    bool ok = lch_job_id_ok((const char *)m + 9, LCH_JOB_ID_LEN);
    memcpy(id, ok ? (const char *)m + 9 : "", ok ? LCH_JOB_ID_LEN : 0);
    id[ok ? LCH_JOB_ID_LEN : 0] = '\0';
    return 1;
}

/* t0 and wall_ms: when the wall clock started and its limit (in: the
 * sandbox's; with a control socket, out: the job's). */
static int supervise(pid_t mid, const lch_sandbox_t *sb, const lch_cgroup_t *cg,
                     const sigset_t *watched, int pipe_rd, lch_end_t *end, int *sig_got,
                     mid_report_t *mr, uint64_t *t0, uint64_t *wall_ms, char *err, size_t errlen)
{
    bool waiting = sb->control_fd > 2; /* for serve's start message */
    uint64_t deadline = !waiting && *wall_ms ? now_ms() + *wall_ms + GRACE_MS : 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int sfd = signalfd(-1, watched, SFD_CLOEXEC);
    bool pipe_open = true;
    pid_t guest = 0;
    int status = -1, st;
    *end = LCH_END_GUEST;
    mr->wait_status = -1;
    mr->cpu_ms = mr->maxrss_kb = -1;
    for (;;) {
        pid_t w = waitpid(mid, &st, WNOHANG);
        if (w == mid) {
            status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            while (pipe_open) {
                int r = read_pipe(pipe_rd, &guest, mr, err, errlen);
                if (r < 0)
                    status = -1;
                if (r != 2)
                    break;
            }
            break;
        }
        int timeout = -1;
        if (deadline) {
            uint64_t now = now_ms();
            if (now >= deadline) {
                kill(mid, SIGKILL);
                waitpid(mid, &st, 0);
                status = 124;
                *end = LCH_END_WALL;
                break;
            }
            timeout = (int)(deadline - now);
        }
        if (sb->cpu_ms && guest > 0) {
            int64_t used = guest_cpu_ms(cg, guest);
            if (used >= (int64_t)sb->cpu_ms) {
                kill(mid, SIGKILL);
                waitpid(mid, &st, 0);
                status = 124;
                *end = LCH_END_CPU;
                break;
            }
            /* the soonest the guest's threads could reach the limit */
            int64_t wait = ((int64_t)sb->cpu_ms - (used > 0 ? used : 0)) / (ncpu > 0 ? ncpu : 1);
            wait = wait < 5 ? 5 : wait > 250 ? 250 : wait;
            if (timeout < 0 || wait < timeout)
                timeout = (int)wait;
        }
        struct pollfd pf[3] = {{.fd = sfd, .events = POLLIN},
                               {.fd = pipe_open ? pipe_rd : -1, .events = POLLIN},
                               {.fd = waiting ? sb->control_fd : -1, .events = POLLIN}};
        int n = poll(pf, 3, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && waiting && pf[2].revents) {
            waiting = false;
            char id[LCH_JOB_ID_LEN + 1];
            uint64_t sent;
            if (!read_start(sb->control_fd, wall_ms, id, &sent)) {
                kill(mid, SIGKILL);
                waitpid(mid, &st, 0);
                status = 128 + SIGKILL;
                *end = LCH_END_SIGNAL;
                break;
            }
            /* from the job's hand-over: a guest that took it before this
             * message was read has its watchdog running since then (a
             * time in the future or over 10 s old is not believed) */
            *t0 = now_ms();
            if (sent && sent <= *t0 && *t0 - sent < 10000)
                *t0 = sent;
            deadline = *wall_ms ? *t0 + *wall_ms + GRACE_MS : 0;
            if (sb->job_started)
                sb->job_started(sb->started_arg, id[0] ? id : NULL);
        }
        if (n > 0 && pipe_open && (pf[1].revents & (POLLIN | POLLHUP))) {
            int r = read_pipe(pipe_rd, &guest, mr, err, errlen);
            if (guest > 0 && sb->guest_pid)
                atomic_store(sb->guest_pid, guest);
            if (r == 1) {
                status = mr->status;
                break; /* the middle ends by itself, or with us */
            }
            if (r < 0) {
                kill(mid, SIGKILL);
                waitpid(mid, &st, 0);
                status = -1;
                break;
            }
            if (r == 0)
                pipe_open = false;
        }
        if (n > 0 && (pf[0].revents & POLLIN)) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                int sig = (int)si.ssi_signo;
                if (sig == SIGINT && sb->on_sigint) {
                    sb->on_sigint(sb->started_arg); /* the shell's Ctrl-C */
                } else if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
                    /* the guest's, as Node takes it: its listeners, or
                     * its end with 128 + N (the middle passes it on) */
                    kill(mid, sig);
                    *sig_got = sig;
                } else if (sig == SIGWINCH && sb->tty_resize) {
                    send_window_size(sb);
                } else if (sig == SIGQUIT) {
                    kill(mid, SIGKILL);
                    waitpid(mid, &st, 0);
                    status = 128 + sig;
                    *end = LCH_END_SIGNAL;
                    *sig_got = sig;
                    break;
                }
            }
        }
    }
    if (sfd >= 0)
        close(sfd);
    return status;
}

/* One line when the guest will keep supplementary groups of the invoker
 * (an unprivileged invoker cannot drop them; `check` says so too). */
static void warn_kept_groups(void)
{
    char kept[256];
    if (lch_kept_groups(kept, sizeof kept) > 0)
        fprintf(stderr,
                "secure-exec-launch: warning: the guest keeps the supplementary groups %s: "
                "files readable by them stay readable (the kernel keeps them in an unprivileged "
                "user namespace; run as root, or as a user without them, to drop them)\n",
                kept);
}

/* What the supervisor knows once the guest is gone (the cgroup still
 * there): the run's status, resource use and the runtime's claim. */
static void end_facts(lch_facts_t *f, int status, const mid_report_t *mr, const lch_cgroup_t *cg,
                      uint64_t t0, int claim_rd)
{
    f->status = f->output_over ? LCH_EXIT_OUTPUT : status;
    f->wait_status = f->end == LCH_END_GUEST ? mr->wait_status : -1;
    f->duration_ms = now_ms() - t0;
    f->cgroup_oom = lch_cgroup_oom_killed(cg);
    f->cpu_ms = cg->version ? lch_cgroup_cpu_ms(cg) : -1;
    if (f->cpu_ms < 0)
        f->cpu_ms = mr->cpu_ms;
    f->peak_bytes = cg->version ? lch_cgroup_peak_bytes(cg) : -1;
    f->peak_source = "cgroup";
    if (f->peak_bytes < 0 && mr->maxrss_kb >= 0) {
        f->peak_bytes = mr->maxrss_kb * 1024;
        f->peak_source = "rusage";
    }
    f->have_claim = claim_rd >= 0 && lch_claim_read(claim_rd, &f->claim);
}

int lch_sandbox_run(const lch_sandbox_t *sb, int (*guest)(void *arg), void *arg, char *err,
                    size_t errlen)
{
    warn_kept_groups();
    int ep[2];
    if (pipe2(ep, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "sandbox: pipe: %s", strerror(errno));
        return -1;
    }
    sigset_t watched, old;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGHUP);
    sigaddset(&watched, SIGQUIT);
    if (sb->tty_resize)
        sigaddset(&watched, SIGWINCH);
    sigprocmask(SIG_BLOCK, &watched, &old);
    /* the overlay: opened here, served from here, mounted by the guest */
    static overlay_job_t job = {NULL, -1};
    int fs[2] = {-1, -1};
    char path[PATH_MAX];
    struct stat nst;
    if (sb->overlay && snprintf(path, sizeof path, "%s/node_modules", sb->app) < (int)sizeof path &&
        stat(path, &nst) == 0 && S_ISDIR(nst.st_mode)) {
        /* two threads: the first answers (more measured no faster here: a
         * request costs a cross-CPU wake-up either way) and pushes listed
         * module files into the page cache; the second, on standby, answers
         * only during a push (the READs a push may wait for) */
        ovl_opts_t oo = {.threads = 2,
                         .timeout_s = -1,
                         .uid = 0,
                         .gid = 0,
                         .spin_ns = 200000,
                         .prefetch_bytes = 32u << 20,
                         .standby = true};
        char oerr[256];
        if (ovl_new(sb->app, "node_modules", &oo, &job.ov, oerr, sizeof oerr) < 0 ||
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fs) < 0) {
            snprintf(err, errlen, "sandbox: node_modules overlay: %s", oerr);
            close(ep[0]);
            close(ep[1]);
            return -1;
        }
    }
    int hs[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, hs) < 0) {
        snprintf(err, errlen, "sandbox: socketpair: %s", strerror(errno));
        close(ep[0]);
        close(ep[1]);
        return -1;
    }
    pid_t self = getpid();
    /* the run's cgroup: memory (the guest's budget, its /tmp and what the
     * launcher itself needs), processes and threads, CPU time */
    lch_cgroup_t cg;
    char why[320];
    lch_cgroup_limits_t lim = {
        .memory_bytes = (uint64_t)sb->memory_mb << 20,
        .tcp_bytes = ((uint64_t)sb->memory_mb << 20) / 4,
        .pids = sb->pids ? sb->pids + 2 : 0, /* and the middle process */
    };
    lch_cgroup_create(&cg, &lim, why, sizeof why);
    int io[3];
    lch_relay_t *relay = lch_relay_open(sb->output_bytes,
                                        sb->control_fd > 2  ? sb->control_fd
                                        : sb->frames_fd > 2 ? sb->frames_fd
                                                            : -1,
                                        sb->null_stdin, io, err, errlen);
    if (!relay) {
        lch_cgroup_remove(&cg);
        close(ep[0]);
        close(ep[1]);
        close(hs[0]);
        close(hs[1]);
        return -1;
    }
    /* the guest runtime's claims (report.h): the write end only in the guest */
    int cp[2] = {-1, -1};
    if (pipe2(cp, O_CLOEXEC) < 0)
        cp[0] = cp[1] = -1; /* no claims: its limits then read as none */
    uint64_t t0 = now_ms();
    fflush(stdout);
    fflush(stderr);
    pid_t mid = fork();
    if (mid < 0) {
        if (cp[0] >= 0) {
            close(cp[0]);
            close(cp[1]);
        }
        snprintf(err, errlen, "sandbox: fork: %s", strerror(errno));
        sigprocmask(SIG_SETMASK, &old, NULL);
        lch_relay_finish(relay, NULL);
        lch_cgroup_remove(&cg);
        close(ep[0]);
        close(ep[1]);
        return -1;
    }
    if (mid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(ep[0]);
        close(hs[0]);
        lch_relay_child(relay);
        for (int i = 0; i < 3; i++)
            io_fds[i] = io[i];
        if (fs[0] >= 0)
            close(fs[0]);
        fuse_sock = fs[1];
        if (cp[0] >= 0)
            close(cp[0]);
        if (sb->control_fd > 2)
            close(sb->control_fd); /* the server's: the sandbox never speaks on it */
        claim_wr = cp[1];
        middle_main(sb, &cg, guest, arg, ep[1], hs[1], self);
    }
    if (cp[1] >= 0)
        close(cp[1]);
    close(ep[1]);
    close(hs[1]);
    /* the sandbox's descriptors: only it holds them now, so their ends
     * here see it go */
    for (size_t i = 0; i < sb->ngive; i++)
        close(sb->give_fds[i]);
    if (sb->net_factory_fd > 2)
        close(sb->net_factory_fd);
    if (sb->started)
        sb->started(sb->started_arg);
    if (fs[1] >= 0) {
        close(fs[1]);
        job.sock = fs[0];
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        /* the guest mounts only once it is in its namespaces: the thread
         * waits for the descriptor, then serves until the guest is gone */
        if (pthread_create(&t, &attr, serve_overlay, &job) != 0)
            close(fs[0]);
        pthread_attr_destroy(&attr);
    }
    char rerr[128];
    bool relaying = lch_relay_start(relay, mid, rerr, sizeof rerr) == 0;
    char c;
    if (read(hs[0], &c, 1) == 1) {
        /* the middle made its namespaces: map its ids, and (v2; v1's
         * entered by itself) put it in the run's cgroup before it forks
         * the guest */
        int e = id_maps(mid, err, errlen);
        if (e == 0 && cg.version && (e = lch_cgroup_enter(&cg, mid)) < 0)
            snprintf(err, errlen, "sandbox: cannot enter the run's cgroup: %s", strerror(-e));
        if (e == 0 && !relaying) {
            snprintf(err, errlen, "%s", rerr);
            e = -1;
        }
        c = e == 0 ? 'g' : '!';
        if (write(hs[0], &c, 1) != 1 || e < 0) {
            close(hs[0]);
            close(ep[0]);
            kill(mid, SIGKILL);
            waitpid(mid, NULL, 0);
            sigprocmask(SIG_SETMASK, &old, NULL);
            lch_relay_finish(relay, NULL);
            lch_cgroup_remove(&cg);
            if (cp[0] >= 0)
                close(cp[0]);
            return -1;
        }
    }
    close(hs[0]);
    lch_facts_t facts = {.wall_ms = sb->wall_ms, .cpu_limit_ms = sb->cpu_ms};
    mid_report_t mr;
    int status = supervise(mid, sb, &cg, &watched, ep[0], &facts.end, &facts.forwarded_signal, &mr,
                           &t0, &facts.wall_ms, err, errlen);
    uint64_t relayed = 0;
    facts.output_over = lch_relay_finish(relay, &relayed);
    if (status >= 0)
        end_facts(&facts, status, &mr, &cg, t0, cp[0]);
    if (cp[0] >= 0)
        close(cp[0]);
    if (status >= 0) {
        lch_report_t rep;
        lch_report_decide(&rep, &facts);
        status = rep.exit_code;
        char line[256];
        lch_report_line(&rep, facts.wall_ms, sb->cpu_ms, sb->budget_mb, sb->memory_mb,
                        sb->output_bytes, line, sizeof line);
        if (line[0] && sb->control_fd <= 2)
            fprintf(stderr, "%s\n", line);
        /* a package the guest could not find, where the host has it above
         * the app folder (a workspace's hoisted node_modules) */
        char hint[PATH_MAX * 3];
        if (sb->control_fd <= 2 && rep.exit_code == 1 && rep.limit == LCH_LIMIT_NONE &&
            facts.have_claim && facts.claim.package[0] &&
            lch_hoist_hint(sb->app, facts.claim.package, hint, sizeof hint))
            fprintf(stderr, "secure-exec-launch: %s\n", hint);
        if (sb->report)
            *sb->report = rep;
    }
    if (cg.version) {
        waitpid(mid, NULL, 0); /* out of the cgroup before it goes */
        lch_cgroup_remove(&cg);
    }
    /* the shell's Ctrl-C after its end is no signal to die of: one still
     * pending is dropped, not delivered (the status is the run's) */
    if (sb->on_sigint)
        signal(SIGINT, SIG_IGN);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(ep[0]);
    return status;
}
