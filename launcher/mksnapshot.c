/*
 * launcher/mksnapshot.c — build-time tool: runs the esbuild bundle of js/
 * in a snapshot-creating isolate with every bridge table installed and
 * writes the startup snapshot blob that launcher/snapshot.S embeds.
 *
 * usage: se-mksnapshot BUNDLE.js OUT.bin
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bridge/bridge.h"
#include "../isolate/vm.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: se-mksnapshot BUNDLE.js OUT.bin\n");
        return 2;
    }
    size_t len;
    char *src = slurp(argv[1], &len);
    if (!src) {
        fprintf(stderr, "se-mksnapshot: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    /* Compile every function of the bundle now, so its bytecode is in the
     * snapshot and nothing of it is parsed when a guest starts. */
    if (vm_platform_init("--no-lazy", 1) < 0) {
        fprintf(stderr, "se-mksnapshot: cannot initialise V8\n");
        return 1;
    }
    size_t ntables;
    const vm_table_t *const *tables = br_tables(&ntables);
    uint8_t *blob;
    size_t blob_len;
    char *err = NULL;
    if (vm_snapshot_build(tables, ntables, src, len, "node:internal/bootstrap", &blob, &blob_len,
                          &err) < 0) {
        fprintf(stderr, "se-mksnapshot: %s\n", err ? err : "snapshot failed");
        return 1;
    }
    FILE *f = fopen(argv[2], "wbe");
    if (!f || fwrite(blob, 1, blob_len, f) != blob_len || fclose(f) != 0) {
        fprintf(stderr, "se-mksnapshot: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    printf("se-mksnapshot: %zu bytes of JS -> %zu bytes of snapshot\n", len, blob_len);
    free(blob);
    free(src);
    vm_platform_shutdown();
    return 0;
}
