/*
 * fuse-overlay/overlay.h — the read-only FUSE view of <app>/node_modules
 * (libfuse3, low-level API).
 *
 * The server holds a descriptor of the app folder and one of its
 * node_modules, and reaches every file with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) relative to them: the kernel, not string checks,
 * keeps it inside. Only regular files, folders and symlinks are served;
 * a symlink whose target leaves the app fails closed (ENOENT), `.node`
 * files cannot be opened (EACCES), and every mutating request is refused
 * (EACCES; the mount is read-only too). The tree is read-only for the run,
 * so entries, attributes, misses and file data are cached by the kernel
 * for as long as it likes. Prefix `ovl_`; knows nothing of V8 or the broker.
 */
#ifndef OVL_OVERLAY_H
#define OVL_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ovl ovl_t;

typedef struct {
    unsigned threads; /* threads answering requests (0: 4); the prefetch needs 2 */
    double timeout_s; /* entry/attribute/negative cache, seconds (< 0: one day) */
    unsigned uid;     /* owner reported for every file (the guest's id) */
    unsigned gid;
    uint64_t spin_ns; /* the first worker keeps polling this long after a request (0: none) */
    uint64_t prefetch_bytes; /* module files pushed into the page cache at most (0: none) */
    bool standby;            /* workers after the first answer only while it pushes (they
                                would be woken for every request otherwise) */
} ovl_opts_t;

/* Serves app/sub (sub: one component, "node_modules" for the launcher);
 * symlink targets must stay inside app. 0, or -errno with err. */
int ovl_new(const char *app, const char *sub, const ovl_opts_t *opts, ovl_t **out, char *err,
            size_t errlen);

/* Serves until unmounted. mountpoint is a path, or "/dev/fd/N" for a
 * /dev/fuse descriptor someone else mounted (the sandbox's guest does).
 * 0 on a clean end, -errno otherwise. */
int ovl_serve(ovl_t *o, const char *mountpoint, char *err, size_t errlen);

/* Asks a serving ovl_serve to return (safe from a signal handler). */
void ovl_stop(ovl_t *o);

void ovl_free(ovl_t *o);

#endif
