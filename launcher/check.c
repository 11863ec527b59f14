/*
 * launcher/check.c — `secure-exec-launch check [--json]`: which walls and
 * limits this host supports. Each probe runs in a throw-away child (a
 * namespace or a filter must not stick to the caller), and answers yes/no
 * with a detail line naming the fix when the answer is no.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "check.h"
#include "harden.h"
#include "landlock.h"

typedef struct {
    const char *name;
    bool ok;
    bool required; /* the launcher refuses to run without it */
    char detail[320];
} probe_t;

/* Runs fn in a child; its exit status 0 means yes, else -errno as status. */
static int in_child(int (*fn)(void))
{
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0)
        _exit(fn() == 0 ? 0 : 1 + (errno & 0x7f));
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -errno;
    if (!WIFEXITED(st))
        return -EINTR;
    return WEXITSTATUS(st) == 0 ? 0 : -(WEXITSTATUS(st) - 1);
}

static int try_userns(void)
{
    return unshare(CLONE_NEWUSER);
}

static int try_all_ns(void)
{
    return unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
                   CLONE_NEWUTS | CLONE_NEWCGROUP);
}

/* What the sandbox does in its namespaces besides making them: its own
 * hostname, and a new root (pivot_root onto a tmpfs). A host or runtime
 * that lets the namespaces be made may still refuse these (a seccomp
 * profile of the container's, a read-only or locked mount). */
static int try_root_and_name(void)
{
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS) < 0 || sethostname("sandbox", 7) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0 || chdir("/tmp") < 0)
        return -1;
    /* (no id map here, so no folder for the old root can be made: the
     * old root goes on top of the new one, as the sandbox does it) */
    return (int)syscall(SYS_pivot_root, ".", ".");
}

static int try_proc(void)
{
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) < 0)
        return -1;
    pid_t pid = fork(); /* pid 1 of the new namespace mounts its /proc */
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "hidepid=2,subset=pid") < 0) /* as the sandbox's */
            _exit(1);
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

static bool seccomp_filter_ok(void)
{
    /* SECCOMP_GET_ACTION_AVAIL answers without installing anything */
    unsigned action = SECCOMP_RET_KILL_PROCESS;
    return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

int lch_check(bool json)
{
    probe_t p[13];
    size_t n = 0;
    int r = in_child(try_userns);
    p[n] = (probe_t){.name = "user namespaces", .ok = r == 0, .required = true};
    snprintf(p[n].detail, sizeof p[n].detail, "%s",
             r == 0 ? "unprivileged user namespaces work"
                    : "refused: allow them (sysctl kernel.unprivileged_userns_clone=1, "
                      "kernel.apparmor_restrict_unprivileged_userns=0, or an Unconfined "
                      "seccomp profile in Kubernetes)");
    n++;
    r = in_child(try_all_ns);
    p[n] = (probe_t){
        .name = "mount/pid/net/ipc/uts/cgroup namespaces", .ok = r == 0, .required = true};
    snprintf(p[n].detail, sizeof p[n].detail, "%s", r == 0 ? "all can be created" : strerror(-r));
    n++;
    r = in_child(try_root_and_name);
    p[n] = (probe_t){.name = "pivot_root and sethostname", .ok = r == 0, .required = true};
    snprintf(p[n].detail, sizeof p[n].detail, "%s%s",
             r == 0 ? "a new root and hostname in the sandbox's namespaces"
                    : "refused in a new mount/uts namespace: ",
             r == 0 ? "" : strerror(-r));
    n++;
    r = in_child(try_proc);
    p[n] = (probe_t){.name = "private /proc", .ok = r == 0, .required = true};
    snprintf(p[n].detail, sizeof p[n].detail, "%s",
             r == 0 ? "a new /proc mounts in the sandbox"
                    : "refused: this host's /proc is masked (run with an unmasked /proc, e.g. "
                      "procMount: Unmasked), or the kernel is older than 5.8 (no subset=pid)");
    n++;
    bool sc = seccomp_filter_ok();
    p[n] = (probe_t){.name = "seccomp filters", .ok = sc, .required = true};
    snprintf(p[n].detail, sizeof p[n].detail, "%s",
             sc ? "SECCOMP_RET_KILL_PROCESS available" : "the kernel lacks seccomp filters");
    n++;
    int abi = lch_landlock_abi();
    p[n] = (probe_t){.name = "landlock", .ok = abi > 0, .required = false};
    if (abi > 0)
        snprintf(p[n].detail, sizeof p[n].detail, "ABI %d", abi);
    else
        snprintf(p[n].detail, sizeof p[n].detail,
                 "not enabled (add landlock to the lsm= boot parameter); the mount namespace "
                 "still confines the file system");
    n++;
    bool scoped = lch_landlock_scoping();
    p[n] = (probe_t){.name = "landlock scoping", .ok = scoped, .required = false};
    snprintf(p[n].detail, sizeof p[n].detail, "%s",
             scoped ? "signals and abstract unix sockets scoped to the sandbox (ABI 6 and later)"
                    : "needs Landlock ABI 6 (Linux 6.12): the guest's own session and pid "
                      "namespace still keep its signals inside");
    n++;
    char kept[160];
    int ng = lch_kept_groups(kept, sizeof kept);
    p[n] = (probe_t){.name = "supplementary groups", .ok = ng == 0, .required = false};
    if (ng == 0)
        snprintf(p[n].detail, sizeof p[n].detail, "%s",
                 lch_can_drop_groups() ? "dropped before the user namespace is made"
                                       : "none to drop");
    else if (ng > 0)
        snprintf(p[n].detail, sizeof p[n].detail,
                 "kept: %s (an unprivileged user namespace cannot drop them; files they "
                 "may read stay readable: run as root or as a user without them)",
                 kept);
    else
        snprintf(p[n].detail, sizeof p[n].detail, "getgroups: %s", strerror(-ng));
    n++;
    p[n] = (probe_t){.name = "cgroup limits", .required = false};
    p[n].ok = lch_cgroup_describe(p[n].detail, sizeof p[n].detail);
    n++;
    bool fuse = access("/dev/fuse", R_OK | W_OK) == 0;
    p[n] = (probe_t){.name = "/dev/fuse", .ok = fuse, .required = false};
    snprintf(p[n].detail, sizeof p[n].detail, "%s",
             fuse ? "present"
                  : "missing: the node_modules overlay needs /dev/fuse (modprobe fuse)");
    n++;

    bool usable = true;
    for (size_t i = 0; i < n; i++)
        if (p[i].required && !p[i].ok)
            usable = false;
    if (json) {
        printf("{\"usable\":%s,\"walls\":[", usable ? "true" : "false");
        for (size_t i = 0; i < n; i++) {
            printf("%s{\"name\":\"%s\",\"available\":%s,\"required\":%s,\"detail\":\"",
                   i ? "," : "", p[i].name, p[i].ok ? "true" : "false",
                   p[i].required ? "true" : "false");
            for (const char *c = p[i].detail; *c; c++) {
                if (*c == '"' || *c == '\\')
                    putchar('\\');
                putchar(*c);
            }
            printf("\"}");
        }
        printf("]}\n");
    } else {
        printf("%-42s %-4s %-9s %s\n", "wall / limit", "ok", "need", "detail");
        for (size_t i = 0; i < n; i++)
            printf("%-42s %-4s %-9s %s\n", p[i].name, p[i].ok ? "yes" : "no",
                   p[i].required ? "required" : "optional", p[i].detail);
        printf("\nrequired: without it the launcher refuses to run (exit 125, with the cause and "
               "the fix).\n"
               "optional: without it runs go on, the other walls still hold; the detail says what "
               "is lost.\n");
        printf("%s\n", usable ? "this host can run the sandbox"
                              : "this host cannot run the sandbox: a required wall is missing");
    }
    return usable ? 0 : 1;
}
