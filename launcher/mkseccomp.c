/*
 * launcher/mkseccomp.c — build-time tool: compiles each embedded seccomp
 * policy (launcher/seccomp/NAME.policy) to the BPF program the kernel
 * loads, so a run only hands the kernel a finished filter (compiling one
 * with libseccomp costs ~12 ms per run; loading it, microseconds).
 *
 *   se-mkseccomp NAME OUT.bpf
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "seccomp.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: se-mkseccomp NAME OUT.bpf\n");
        return 2;
    }
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror(argv[2]);
        return 1;
    }
    char err[256];
    int r = lch_seccomp_export(argv[1], fd, err, sizeof err);
    close(fd);
    if (r < 0) {
        fprintf(stderr, "se-mkseccomp: %s: %s\n", argv[1], err);
        unlink(argv[2]);
        return 1;
    }
    return 0;
}
