/*
 * bridge/watch.c — fs.watch: a libuv fs event handle (inotify) per watched
 * path.
 *
 * The broker decides a watch as a read of the canonical path ("watch"),
 * and the handle watches exactly what it decided: the path is opened
 * refusing a symlink anywhere on the way (br__open_canonical, O_PATH) and
 * inotify is given /proc/self/fd/N, which names that inode, so a link
 * swapped in after the decision is not followed. (The kernel's own wall
 * for inotify is the mount namespace: Landlock has no right for it; see
 * docs/permissions.md.)
 *
 * An event on the watched file itself carries no name in inotify; libuv
 * then reports the basename of the path it was given (the descriptor's
 * number here), so the file's own name is reported instead. Names are
 * handed to JS as bytes: the guest decodes them per its `encoding`.
 *
 * The watcher is a vm handle holding a box, as dgram.c's sockets: the
 * libuv handle lives until its close callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

typedef struct fs_watch fs_watch_t;

typedef struct {
    fs_watch_t *w; /* NULL once the watcher is closed */
} watch_box_t;

struct fs_watch {
    uv_fs_event_t ev;
    br_rt_t *rt;
    watch_box_t *box;
    bool is_dir;
    char base[NAME_MAX + 1]; /* the watched path's last component */
    vm_ref_t onchange;       /* fn(events | -errno, nameBytes) */
    fs_watch_t *prev, *next;
};

static _Thread_local fs_watch_t *all_watches; /* this thread's runtime's */

static void watch_box_free(void *p);
static const vm_handle_type_t watch_type = {"FSEvent", watch_box_free};

static void watch_closed(uv_handle_t *h)
{
    fs_watch_t *w = h->data;
    br_rt_t *rt = w->rt;
    if (w->prev)
        w->prev->next = w->next;
    else if (all_watches == w)
        all_watches = w->next;
    if (w->next)
        w->next->prev = w->prev;
    rt->handles_open--;
    vm_ref_free(rt->vm, w->onchange);
    if (w->box)
        w->box->w = NULL;
    free(w);
}

static void watch_close(fs_watch_t *w)
{
    if (!uv_is_closing((uv_handle_t *)&w->ev))
        uv_close((uv_handle_t *)&w->ev, watch_closed);
}

static void watch_box_free(void *p)
{
    watch_box_t *b = p;
    if (b->w) {
        b->w->box = NULL;
        watch_close(b->w);
    }
    free(b);
}

void br__watch_close(br_rt_t *rt)
{
    (void)rt;
    for (fs_watch_t *w = all_watches; w; w = w->next)
        watch_close(w);
}

static void on_event(uv_fs_event_t *h, const char *filename, int events, int status)
{
    fs_watch_t *w = h->data;
    br_rt_t *rt = w->rt;
    if (rt->closing || vm_limit(rt->vm) != VM_LIMIT_NONE || !w->onchange)
        return;
    /* the file itself (no name from inotify): its own name */
    const char *name = w->is_dir && filename ? filename : w->base;
    size_t n = strlen(name);
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        return;
    memcpy(copy, name, n);
    vm_ref_t bytes = vm_new_bytes_take(rt->vm, copy, n);
    if (!bytes) {
        free(copy);
        return;
    }
    vm_val_t args[2] = {VM_NUM(status < 0 ? status : events), VM_REF(bytes)};
    br__invoke(rt, w->onchange, 2, args, NULL);
    vm_ref_free(rt->vm, bytes);
}

static fs_watch_t *watch_arg(vm_call_t *c, int i)
{
    watch_box_t *b = vm_arg_handle(c, i, &watch_type);
    if (!b || !b->w || uv_is_closing((uv_handle_t *)&b->w->ev)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "not an open FSEvent handle");
        return NULL;
    }
    return b->w;
}

/* watchStart(path, persistent, onchange(events | -errno, nameBytes)) ->
 * handle | -errno (EACCES with the refusal thrown) */
static void fs_watch_start(vm_call_t *c)
{
    br_rt_t *rt = br__rt(c);
    size_t n;
    char *path = vm_arg_type(c, 0) == VM_T_STRING ? vm_arg_str(c, 0, &n) : NULL;
    if (!path || strlen(path) != n || !n || vm_arg_type(c, 2) != VM_T_FUNCTION) {
        free(path);
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "watchStart(path, persistent, onchange)");
        return;
    }
    char canon[PATH_MAX];
    int r = br__check_path_throw(c, BRK_FS_READ, "watch", path, canon, sizeof canon);
    free(path);
    if (r == -EACCES)
        return; /* thrown */
    if (r < 0) {
        vm_ret_num(c, r);
        return;
    }
    int fd = br__open_canonical(canon, O_PATH | O_CLOEXEC, 0);
    if (fd < 0) {
        vm_ret_num(c, fd);
        return;
    }
    struct stat st;
    fs_watch_t *w = calloc(1, sizeof *w);
    watch_box_t *b = calloc(1, sizeof *b);
    if (!w || !b || fstat(fd, &st) < 0) {
        r = w && b ? -errno : -ENOMEM;
        free(w);
        free(b);
        close(fd);
        vm_ret_num(c, r);
        return;
    }
    w->rt = rt;
    w->is_dir = S_ISDIR(st.st_mode);
    const char *slash = strrchr(canon, '/');
    const char *base = slash && slash[1] ? slash + 1 : canon;
    size_t bl = strnlen(base, sizeof w->base - 1);
    memcpy(w->base, base, bl);
    w->base[bl] = '\0';
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if ((r = uv_fs_event_init(rt->loop, &w->ev)) < 0) {
        free(w);
        free(b);
        close(fd);
        vm_ret_num(c, r);
        return;
    }
    w->ev.data = w;
    rt->handles_open++;
    w->next = all_watches;
    if (all_watches)
        all_watches->prev = w;
    all_watches = w;
    r = uv_fs_event_start(&w->ev, on_event, proc, 0);
    close(fd); /* the watch holds the inode */
    if (r < 0) {
        watch_close(w);
        free(b);
        vm_ret_num(c, r);
        return;
    }
    w->onchange = vm_arg_ref(c, 2);
    if (!vm_arg_bool(c, 1))
        uv_unref((uv_handle_t *)&w->ev);
    b->w = w;
    w->box = b;
    vm_ret_handle(c, &watch_type, b);
}

/* watchClose(h): stops watching; no event comes after it */
static void fs_watch_close(vm_call_t *c)
{
    fs_watch_t *w = watch_arg(c, 0);
    if (!w)
        return;
    vm_ref_free(w->rt->vm, w->onchange);
    w->onchange = 0;
    watch_close(w);
}

/* watchRef(h, ref): whether it keeps the loop alive */
static void fs_watch_ref(vm_call_t *c)
{
    fs_watch_t *w = watch_arg(c, 0);
    if (!w)
        return;
    if (vm_arg_bool(c, 1))
        uv_ref((uv_handle_t *)&w->ev);
    else
        uv_unref((uv_handle_t *)&w->ev);
}

static const vm_native_t natives[] = {
    {"watchStart", fs_watch_start, 3, VM_NATIVE_FS_READ},
    {"watchClose", fs_watch_close, 1, VM_NATIVE_PURE},
    {"watchRef", fs_watch_ref, 2, VM_NATIVE_PURE},
};
const vm_table_t br__watch_table = {"fsWatch", natives, sizeof natives / sizeof natives[0]};
