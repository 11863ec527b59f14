/*
 * launcher/relay.c — the guest's output through the supervisor (see
 * relay.h). One thread, blocking descriptors on both sides: the guest
 * waits on a full pipe as it would on a slow reader of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

#define PIPE_BYTES (1 << 20) /* fewer wake-ups on a large write */

struct lch_relay {
    int in;    /* the guest's 0: a description of its own (-1: none) */
    int in_wr; /* the pump's write end (the host's 0 is copied in) */
    pthread_t pump;
    bool pumping;
    int rd[2];    /* the supervisor's read ends for the guest's 1 and 2 (-1: none) */
    int wr[2];    /* the guest's write ends (wr[1] == wr[0] when shared) */
    bool copy[2]; /* splice refused for this output: read and write */
    uint64_t cap, total;
    int framed; /* serve's control socket (-1: the host's 1 and 2) */
    bool over;
    pid_t victim;
    pthread_t thread;
    bool started;
};

/* Whether the host's 1 and 2 are the same file (a terminal, or 2>&1). */
static bool same_output(void)
{
    struct stat a, b;
    return fstat(1, &a) == 0 && fstat(2, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The guest's standard input: /dev/null when the host has none (or its 0
 * is /dev/null); else -2: the pump copies the host's 0 into a pipe, so the
 * guest never holds a description of a host file. -1 with err on failure. */
static int own_stdin(bool null_stdin, char *err, size_t errlen)
{
    struct stat st, null;
    /* closed, or the host's /dev/null: the view's own /dev/null */
    if (null_stdin || fstat(0, &st) < 0 ||
        (S_ISCHR(st.st_mode) && stat("/dev/null", &null) == 0 && st.st_rdev == null.st_rdev)) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            snprintf(err, errlen, "sandbox: standard input: %s", strerror(errno));
        return fd;
    }
    /* anything else is pumped: a reopened description would still be the
     * host's file — a folder to walk (fstatat, fchdir, a unix socket's
     * path), a file of the invoker's to chmod or touch, a terminal */
    return -2;
}

/* Blocks the terminal's job-control signals in the calling thread: a read
 * of the host's terminal from a background group then fails with EIO and
 * a write goes through, where the kernel would stop the whole supervisor
 * (and with it the wall-clock limit) — the guest decides when it reads and
 * writes. */
static void no_tty_stops(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTTIN);
    sigaddset(&set, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* Whether the host's 0 is a terminal of whose session the supervisor is in
 * a background process group: the terminal belongs to another job now. */
static bool in_background(void)
{
    pid_t fg = tcgetpgrp(0);
    return fg > 0 && fg != getpgrp();
}

/* Copies the host's 0 into the guest's pipe until either end is done. A
 * terminal is read only while the run is in the foreground. */
static void *pump_main(void *arg)
{
    lch_relay_t *r = arg;
    static char buf[1 << 16]; /* one pump per supervisor */
    no_tty_stops();
    /* a write to a guest that is gone fails (EPIPE) rather than ending the
     * supervisor: the guest may exit while the pump is still copying */
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EIO && in_background()) {
            struct timespec ts = {0, 100 * 1000000L}; /* until the job is brought back */
            nanosleep(&ts, NULL);
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = 0, .events = POLLIN};
            poll(&pf, 1, -1);
            continue;
        }
        if (n <= 0)
            break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(r->in_wr, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                goto out; /* the guest closed its 0 */
            done += w;
        }
    }
out:
    close(r->in_wr); /* the guest reads the end of its input */
    r->in_wr = -1;
    return NULL;
}

/* Waits until the host's descriptor takes more (it may have been left
 * non-blocking by whoever opened it). */
static void wait_out(int fd)
{
    struct pollfd pf = {.fd = fd, .events = POLLOUT};
    while (poll(&pf, 1, -1) < 0 && errno == EINTR)
        ;
}

int lch_frame_write(int fd, char type, const void *data, size_t len)
{
    if (len > UINT32_MAX)
        return -EMSGSIZE;
    unsigned char head[LCH_FRAME_HEAD] = {(unsigned char)type, (unsigned char)len,
                                          (unsigned char)(len >> 8), (unsigned char)(len >> 16),
                                          (unsigned char)(len >> 24)};
    struct iovec iov[2] = {{head, sizeof head}, {(void *)data, len}};
    size_t left = sizeof head + len;
    int k = 0;
    while (left) {
        ssize_t w = writev(fd, iov + k, 2 - k);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) {
            wait_out(fd);
            continue;
        }
        if (w <= 0)
            return w < 0 ? -errno : -EPIPE;
        left -= (size_t)w;
        while (k < 2 && (size_t)w >= iov[k].iov_len) {
            w -= (ssize_t)iov[k].iov_len;
            iov[k].iov_len = 0;
            k++;
        }
        if (k < 2) {
            iov[k].iov_base = (char *)iov[k].iov_base + w;
            iov[k].iov_len -= (size_t)w;
        }
    }
    return 0;
}

lch_relay_t *lch_relay_open(uint64_t cap, int framed, bool null_stdin, int guest[3], char *err,
                            size_t errlen)
{
    lch_relay_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "sandbox: out of memory");
        return NULL;
    }
    r->cap = cap;
    r->framed = framed;
    r->rd[0] = r->rd[1] = r->wr[0] = r->wr[1] = -1;
    r->in_wr = -1;
    r->in = own_stdin(null_stdin, err, errlen);
    if (r->in == -1) {
        free(r);
        return NULL;
    }
    if (r->in == -2) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
            snprintf(err, errlen, "sandbox: pipe: %s", strerror(errno));
            free(r);
            return NULL;
        }
        r->in = p[0];
        r->in_wr = p[1];
    }
    int n = framed < 0 && same_output() ? 1 : 2;
    for (int i = 0; i < n; i++) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
            snprintf(err, errlen, "sandbox: pipe: %s", strerror(errno));
            for (int k = 0; k < i; k++) {
                close(r->rd[k]);
                close(r->wr[k]);
            }
            close(r->in);
            if (r->in_wr >= 0)
                close(r->in_wr);
            free(r);
            return NULL;
        }
        fcntl(p[1], F_SETPIPE_SZ, PIPE_BYTES); /* a smaller pipe only costs wake-ups */
        r->rd[i] = p[0];
        r->wr[i] = p[1];
    }
    /* A host pipe as small as the kernel's default would make every 64 KiB
     * of output two wake-ups more than the guest writing to it itself:
     * grown, one splice moves what the guest wrote ahead. Only ever grown;
     * where the kernel refuses (an unprivileged invoker past
     * pipe-user-pages-soft), it stays as it was. */
    for (int fd = 1; fd <= n && framed < 0; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) < PIPE_BYTES)
            fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES);
    }
    guest[0] = r->in;
    guest[1] = r->wr[0];
    guest[2] = n == 2 ? r->wr[1] : r->wr[0];
    return r;
}

void lch_relay_child(lch_relay_t *r)
{
    for (int i = 0; i < 2; i++)
        if (r->rd[i] >= 0)
            close(r->rd[i]);
    if (r->in_wr >= 0)
        close(r->in_wr);
}

/* Moves up to len bytes from the guest's pipe i to the host's descriptor
 * i + 1: the count, or -1 when the host's side failed. */
static ssize_t move(lch_relay_t *r, int i, size_t len)
{
    int out = i + 1;
    static char buf[1 << 16]; /* one relay thread per supervisor */
    if (r->framed >= 0) {
        ssize_t n;
        while ((n = read(r->rd[i], buf, len < sizeof buf ? len : sizeof buf)) < 0)
            if (errno != EINTR)
                return -1;
        if (n > 0 &&
            lch_frame_write(r->framed, i ? LCH_FRAME_STDERR : LCH_FRAME_STDOUT, buf, (size_t)n) < 0)
            return -1;
        return n;
    }
    while (!r->copy[i]) {
        ssize_t n = splice(r->rd[i], NULL, out, NULL, len, SPLICE_F_MOVE);
        if (n >= 0)
            return n;
        if (errno == EAGAIN)
            wait_out(out);
        else if (errno == EINVAL || errno == ENOSYS)
            r->copy[i] = true; /* a terminal, or a file opened O_APPEND */
        else if (errno != EINTR)
            return -1;
    }
    ssize_t n;
    while ((n = read(r->rd[i], buf, len < sizeof buf ? len : sizeof buf)) < 0)
        if (errno != EINTR)
            return -1;
    for (ssize_t done = 0; done < n;) {
        ssize_t w = write(out, buf + done, (size_t)(n - done));
        if (w < 0 && errno == EAGAIN)
            wait_out(out);
        else if (w < 0 && errno != EINTR)
            return -1;
        else if (w > 0)
            done += w;
    }
    return n;
}

static void stop(lch_relay_t *r, int i)
{
    close(r->rd[i]);
    r->rd[i] = -1;
}

static void *relay_main(void *arg)
{
    lch_relay_t *r = arg;
    no_tty_stops();
    for (;;) {
        struct pollfd pf[2];
        int which[2], n = 0;
        for (int i = 0; i < 2; i++)
            if (r->rd[i] >= 0) {
                pf[n] = (struct pollfd){.fd = r->rd[i], .events = POLLIN};
                which[n++] = i;
            }
        if (n == 0) {
            /* both closed by the guest (not stopped at the cap): serve's
             * server may answer without waiting for the sandbox's end */
            if (r->framed >= 0)
                lch_frame_write(r->framed, LCH_FRAME_EOF, "", 0);
            break;
        }
        if (poll(pf, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int k = 0; k < n; k++) {
            int i = which[k];
            if (!pf[k].revents || r->rd[i] < 0)
                continue;
            int avail = 0;
            if (ioctl(r->rd[i], FIONREAD, &avail) < 0 || avail <= 0) {
                if (pf[k].revents & (POLLHUP | POLLERR | POLLNVAL))
                    stop(r, i); /* the guest's ends are closed */
                continue;
            }
            size_t len = (size_t)avail;
            if (r->cap) {
                uint64_t left = r->cap - r->total;
                if (left == 0) {
                    r->over = true;
                    kill(r->victim, SIGKILL);
                    for (int j = 0; j < 2; j++)
                        if (r->rd[j] >= 0)
                            stop(r, j);
                    return NULL;
                }
                if (len > left)
                    len = (size_t)left;
            }
            ssize_t moved = move(r, i, len);
            if (moved <= 0)
                stop(r, i); /* the host's side is gone: the guest gets EPIPE */
            else
                r->total += (uint64_t)moved;
        }
    }
    return NULL;
}

int lch_relay_start(lch_relay_t *r, pid_t victim, char *err, size_t errlen)
{
    for (int i = 0; i < 2; i++)
        if (r->wr[i] >= 0 && (i == 0 || r->wr[i] != r->wr[0]))
            close(r->wr[i]);
    r->wr[0] = r->wr[1] = -1;
    close(r->in);
    r->in = -1;
    r->victim = victim;
    int e = pthread_create(&r->thread, NULL, relay_main, r);
    if (e != 0) {
        snprintf(err, errlen, "sandbox: output relay: %s", strerror(e));
        return -1;
    }
    r->started = true;
    if (r->in_wr >= 0) {
        e = pthread_create(&r->pump, NULL, pump_main, r);
        if (e != 0) {
            snprintf(err, errlen, "sandbox: input pump: %s", strerror(e));
            return -1;
        }
        r->pumping = true;
    }
    return 0;
}

bool lch_relay_finish(lch_relay_t *r, uint64_t *relayed)
{
    if (r->started)
        pthread_join(r->thread, NULL);
    if (r->pumping) {
        /* the guest is gone: the pump may wait on the host's input forever */
        pthread_cancel(r->pump);
        pthread_join(r->pump, NULL);
    }
    if (r->in >= 0)
        close(r->in);
    if (r->in_wr >= 0)
        close(r->in_wr);
    for (int i = 0; i < 2; i++) {
        if (r->rd[i] >= 0)
            close(r->rd[i]);
        if (r->wr[i] >= 0 && (i == 0 || r->wr[i] != r->wr[0]))
            close(r->wr[i]);
    }
    bool over = r->over;
    if (relayed)
        *relayed = r->total;
    free(r);
    return over;
}

/* ---- the host's terminal, as facts for the guest ---- */

int lch_tty_size(int fd, unsigned short *cols, unsigned short *rows)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
        return -errno;
    if (ws.ws_col == 0 || ws.ws_row == 0)
        return -EINVAL;
    *cols = ws.ws_col;
    *rows = ws.ws_row;
    return 0;
}

static const char *env_get(char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (char *const *e = env; e && *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

/* Whether s matches one of TERM's 16-colour patterns of Node: contains
 * ansi, color or linux, or starts with con<digits>x<digit>, rxvt, screen,
 * xterm or vt100. */
static bool term_16_colours(const char *s)
{
    if (strstr(s, "ansi") || strstr(s, "color") || strstr(s, "linux"))
        return true;
    static const char *const starts[] = {"rxvt", "screen", "xterm", "vt100"};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (!strncmp(s, starts[i], strlen(starts[i])))
            return true;
    if (strncmp(s, "con", 3))
        return false;
    const char *p = s + 3;
    while (*p >= '0' && *p <= '9')
        p++;
    return p[0] == 'x' && p[1] >= '0' && p[1] <= '9';
}

/* TeamCity 9.1 and later (Node's /^(9\.(0*[1-9]\d*)\.|\d{2,}\.)/) */
static bool teamcity_colours(const char *v)
{
    if (v[0] == '9' && v[1] == '.') {
        const char *p = v + 2;
        while (*p == '0')
            p++;
        if (*p < '1' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
        return *p == '.';
    }
    const char *p = v;
    while (*p >= '0' && *p <= '9')
        p++;
    return p - v >= 2 && *p == '.';
}

int lch_tty_color_depth(char *const *env)
{
    const char *force = env_get(env, "FORCE_COLOR");
    if (force) {
        if (!strcmp(force, "") || !strcmp(force, "1") || !strcmp(force, "true"))
            return 4;
        if (!strcmp(force, "2"))
            return 8;
        return !strcmp(force, "3") ? 24 : 1;
    }
    const char *term = env_get(env, "TERM");
    if (env_get(env, "NODE_DISABLE_COLORS") || env_get(env, "NO_COLOR") ||
        (term && !strcmp(term, "dumb")))
        return 1;
    const char *v = env_get(env, "TMUX");
    if (v && *v)
        return 8;
    if ((v = env_get(env, "CI")) && *v) {
        static const char *const ci[] = {"APPVEYOR",       "BUILDKITE", "CIRCLECI", "DRONE",
                                         "GITHUB_ACTIONS", "GITLAB_CI", "TRAVIS"};
        for (size_t i = 0; i < sizeof ci / sizeof ci[0]; i++)
            if (env_get(env, ci[i]))
                return 8;
        v = env_get(env, "CI_NAME");
        return v && !strcmp(v, "codeship") ? 8 : 1;
    }
    if ((v = env_get(env, "TEAMCITY_VERSION")))
        return teamcity_colours(v) ? 4 : 1;
    if ((v = env_get(env, "TERM_PROGRAM"))) {
        if (!strcmp(v, "iTerm.app")) {
            const char *ver = env_get(env, "TERM_PROGRAM_VERSION");
            return !ver || !*ver || (ver[0] >= '0' && ver[0] <= '2' && ver[1] == '.') ? 8 : 24;
        }
        if (!strcmp(v, "HyperTerm") || !strcmp(v, "MacTerm"))
            return 24;
        if (!strcmp(v, "Apple_Terminal"))
            return 8;
    }
    const char *colorterm = env_get(env, "COLORTERM");
    if (colorterm && (!strcmp(colorterm, "truecolor") || !strcmp(colorterm, "24bit")))
        return 24;
    if (term && *term) {
        if (!strncmp(term, "xterm-256", 9))
            return 8;
        char low[64];
        size_t n = strlen(term);
        if (n < sizeof low) {
            for (size_t i = 0; i <= n; i++)
                low[i] = (char)(term[i] >= 'A' && term[i] <= 'Z' ? term[i] + 32 : term[i]);
            static const struct {
                const char *name;
                int depth;
            } named[] = {{"eterm", 4},      {"cons25", 4},  {"console", 4},
                         {"cygwin", 4},     {"dtterm", 4},  {"gnome", 4},
                         {"hurd", 4},       {"jfbterm", 4}, {"konsole", 4},
                         {"kterm", 4},      {"mlterm", 4},  {"mosh", 24},
                         {"putty", 4},      {"st", 4},      {"rxvt-unicode-24bit", 24},
                         {"terminator", 24}};
            for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
                if (!strcmp(low, named[i].name))
                    return named[i].depth;
            if (term_16_colours(low))
                return 4;
        }
    }
    return colorterm && *colorterm ? 4 : 1;
}

void lch_tty_probe(lch_tty_t *t, char *const *env)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    for (int i = 0; i < 2; i++) {
        t->out[i] = isatty(i + 1) == 1;
        if (t->out[i] && t->fd < 0)
            t->fd = i + 1;
    }
    if (t->fd >= 0 && lch_tty_size(t->fd, &t->cols, &t->rows) < 0)
        t->cols = t->rows = 0;
    t->color_depth = lch_tty_color_depth(env);
}
