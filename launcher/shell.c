/*
 * launcher/shell.c — the operator shell's side in the supervisor (shell.h).
 *
 * One thread: it waits on the operator's input, the guest's channel (JSON
 * lines, js/node/internal/shell/repl.js) and the relay's frames of the
 * guest's output at once (poll), so output a timer makes while the
 * operator types is shown, and a guest that ends ends the shell.
 *
 * On a terminal the lines are edited with libedit (Debian's libedit2: the
 * BSD line editor, emacs keys, its own history), Tab asks the guest for
 * completions, Ctrl-C clears the line (twice on an empty one: the end),
 * Ctrl-D on an empty line ends the session. While a statement runs the
 * terminal is raw (no echo, no signals) and Ctrl-C is a byte on the
 * interrupt pipe: the guest stops that statement (bridge/shell.c). Without
 * a terminal the input is read line by line, no prompt, no history.
 */
#include "shell.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <histedit.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "relay.h"

extern char **environ;

#define LINE_CAP (16u << 20)      /* the longest statement or line the shell takes */
#define GUEST_LINE_MAX (1u << 20) /* the longest line taken from the guest */
#define FRAME_MAX (1u << 20)
#define MSG_QUEUE 8

typedef struct {
    lch_shell_t *sh;
    bool tty;
    EditLine *el;
    History *hist;
    /* the guest's channel */
    char *cbuf;
    size_t clen, ccap;
    json_t *msgs[MSG_QUEUE];
    size_t nmsgs;
    bool ctl_eof;
    bool cskip; /* inside a guest line too long to take: dropped to its end */
    /* the relay's frames */
    unsigned char *fbuf;
    size_t flen, fcap;
    bool frames_eof, output_end;
    uint64_t shown; /* bytes of the guest's output written out */
    bool line_open; /* the last output did not end its line */
    /* the operator's input */
    bool in_eof;
    unsigned char utf8[4];
    size_t nutf8, want_utf8;
    char *ibuf; /* the bytes read, not yet a line (on a terminal: typed while
                 * a statement ran, for the line editor next) */
    size_t ilen, icap, ioff;
    /* the line editor's state */
    bool cancelled; /* Ctrl-C took the line */
    int empty_ctrl_c;
    bool more;     /* the statement so far is not complete */
    bool detached; /* attached: the operator left while a statement ran */
    /* .save: what this session ran */
    char *session;
    size_t slen, scap;
} st_t;

enum { GOT_INPUT = 1, GOT_OUTPUT = 2, GOT_MSG = 4, GUEST_GONE = 8 };

static bool grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    if (need > LINE_CAP + 65536)
        return false;
    size_t c = *cap ? *cap : 4096;
    while (c < need)
        c *= 2;
    char *p = realloc(*buf, c);
    if (!p)
        return false;
    *buf = p;
    *cap = c;
    return true;
}

static void write_all_fd(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void drop_msgs(st_t *st);

/* Sends a request to the guest; what it said before is stale. */
/* What an attached shell prints for the job (its REPL's values): the
 * job's text, which must not act on the operator's terminal: control
 * characters but newline and tab as \xNN. */
static void write_text_safe(const char *text)
{
    char out[4096];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (n > sizeof out - 8) {
            write_all_fd(1, out, n);
            n = 0;
        }
        unsigned c = *p;
        bool c1 = c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c1)
            n += (size_t)snprintf(out + n, sizeof out - n, "\\x%02x", c1 ? *++p : c);
        else
            out[n++] = (char)c;
    }
    write_all_fd(1, out, n);
}

static void send_msg(st_t *st, json_t *o)
{
    drop_msgs(st);
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    if (!s)
        return;
    size_t n = strlen(s);
    s[n] = '\n'; /* (json_dumps leaves room for its NUL) */
    write_all_fd(st->sh->ctl, s, n + 1);
    free(s);
}

/* ---- the guest's output and messages ------------------------------------- */

static void take_frames(st_t *st)
{
    size_t off = 0;
    while (st->flen - off >= LCH_FRAME_HEAD) {
        unsigned char *h = st->fbuf + off;
        uint32_t len =
            (uint32_t)h[1] | (uint32_t)h[2] << 8 | (uint32_t)h[3] << 16 | (uint32_t)h[4] << 24;
        if (len > FRAME_MAX) {
            st->frames_eof = true;
            break;
        }
        if (st->flen - off < LCH_FRAME_HEAD + len)
            break;
        if (h[0] == LCH_FRAME_STDOUT || h[0] == LCH_FRAME_STDERR) {
            if (len) {
                if (st->tty && !st->line_open && st->el)
                    write_all_fd(1, "\r\033[K", 4); /* over the prompt's line */
                write_all_fd(h[0] == LCH_FRAME_STDOUT ? 1 : 2, h + LCH_FRAME_HEAD, len);
                st->shown += len;
                st->line_open = h[LCH_FRAME_HEAD + len - 1] != '\n';
            }
        } else if (h[0] == LCH_FRAME_EOF) {
            st->output_end = true;
        }
        off += LCH_FRAME_HEAD + len;
    }
    memmove(st->fbuf, st->fbuf + off, st->flen - off);
    st->flen -= off;
}

/* The guest's messages the shell waits for: anything else is dropped, and
 * a newer one of a kind replaces the older (the guest is not trusted to
 * say things once, or in order). */
static const char *const KINDS[] = {"ready", "more", "done", "completions", "stats"};

static void queue_msg(st_t *st, json_t *o)
{
    const char *t = json_string_value(json_object_get(o, "t"));
    bool known = false;
    for (size_t k = 0; t && k < sizeof KINDS / sizeof KINDS[0]; k++)
        known |= !strcmp(t, KINDS[k]);
    if (!known || st->nmsgs >= MSG_QUEUE) {
        json_decref(o);
        return;
    }
    for (size_t i = 0; i < st->nmsgs; i++)
        if (!strcmp(json_string_value(json_object_get(st->msgs[i], "t")), t)) {
            json_decref(st->msgs[i]);
            st->msgs[i] = o;
            return;
        }
    st->msgs[st->nmsgs++] = o;
}

/* Drops what the guest said before a new request (stale answers). */
static void drop_msgs(st_t *st)
{
    for (size_t i = 0; i < st->nmsgs; i++)
        json_decref(st->msgs[i]);
    st->nmsgs = 0;
}

static void take_lines(st_t *st)
{
    size_t start = 0;
    for (;;) {
        char *nl = memchr(st->cbuf + start, '\n', st->clen - start);
        if (!nl)
            break;
        size_t n = (size_t)(nl - (st->cbuf + start));
        if (st->cskip) { /* the end of a line too long: dropped */
            st->cskip = false;
            start += n + 1;
            continue;
        }
        json_error_t je;
        json_t *o = n <= GUEST_LINE_MAX ? json_loadb(st->cbuf + start, n, 0, &je) : NULL;
        const char *t = json_string_value(json_object_get(o, "t"));
        const char *text = json_string_value(json_object_get(o, "s"));
        if (st->sh->attached && t && !strcmp(t, "out") && text) {
            /* what an attached shell prints (not the job's output) */
            size_t tl = strlen(text);
            write_text_safe(text);
            st->line_open = tl && text[tl - 1] != '\n';
            json_decref(o);
        } else if (json_is_object(o)) {
            queue_msg(st, o);
        } else {
            json_decref(o);
        }
        start += n + 1;
    }
    memmove(st->cbuf, st->cbuf + start, st->clen - start);
    st->clen -= start;
    if (st->clen > GUEST_LINE_MAX) { /* a line too long: dropped as it comes */
        st->cskip = true;
        st->clen = 0;
    }
}

/* Reads what fd has after the len bytes of *buf (grown): true when some
 * came; *eof set at its end, an error, or no room. */
static bool read_more(int fd, char **buf, size_t *len, size_t *cap, bool *eof)
{
    if (!grow(buf, cap, *len + 65536)) {
        *eof = true;
        return false;
    }
    ssize_t r = read(fd, *buf + *len, 65536);
    if (r <= 0 && !(r < 0 && errno == EINTR))
        *eof = true;
    if (r <= 0)
        return false;
    *len += (size_t)r;
    return true;
}

/* Waits (timeout ms, -1 for ever) for what comes: the guest's output is
 * written out at once, its messages queued; with input, the operator's
 * input too (not read). Returns GOT_* flags (0: the time passed). */
static int pump(st_t *st, int timeout, bool input)
{
    struct pollfd pf[3] = {{.fd = st->frames_eof ? -1 : st->sh->frames, .events = POLLIN},
                           {.fd = st->ctl_eof ? -1 : st->sh->ctl, .events = POLLIN},
                           {.fd = input && !st->in_eof ? 0 : -1, .events = POLLIN}};
    int got = 0;
    if (st->ctl_eof && (st->frames_eof || st->output_end))
        return GUEST_GONE;
    int n = poll(pf, 3, timeout);
    if (n <= 0)
        return 0;
    if (pf[0].revents) {
        char *fb = (char *)st->fbuf;
        bool more = read_more(st->sh->frames, &fb, &st->flen, &st->fcap, &st->frames_eof);
        st->fbuf = (unsigned char *)fb;
        uint64_t before = st->shown;
        if (more)
            take_frames(st);
        if (st->shown != before)
            got |= GOT_OUTPUT;
    }
    if (pf[1].revents) {
        size_t before = st->nmsgs;
        if (read_more(st->sh->ctl, &st->cbuf, &st->clen, &st->ccap, &st->ctl_eof))
            take_lines(st);
        if (st->nmsgs != before)
            got |= GOT_MSG;
    }
    if (pf[2].revents)
        got |= GOT_INPUT;
    if (st->ctl_eof && (st->frames_eof || st->output_end))
        got |= GUEST_GONE;
    return got;
}

/* The first queued message of type t, taken (NULL none). */
static json_t *take_msg(st_t *st, const char *t)
{
    for (size_t i = 0; i < st->nmsgs; i++) {
        json_t *o = st->msgs[i];
        if (!strcmp(json_string_value(json_object_get(o, "t")) ?: "", t)) {
            memmove(st->msgs + i, st->msgs + i + 1, (st->nmsgs - i - 1) * sizeof *st->msgs);
            st->nmsgs--;
            return o;
        }
    }
    return NULL;
}

/* Waits for a message of type a or b (b may be NULL); NULL: the guest is
 * gone. While it waits on a terminal, Ctrl-C (the terminal raw) goes to
 * the guest as an interrupt. */
static json_t *wait_msg(st_t *st, const char *a, const char *b, bool interruptible)
{
    struct termios saved, raw;
    bool rawmode = interruptible && st->tty && tcgetattr(0, &saved) == 0;
    if (rawmode) {
        raw = saved;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        tcsetattr(0, TCSANOW, &raw);
    }
    json_t *m = NULL;
    int ctrl_c = 0;
    for (;;) {
        if ((m = take_msg(st, a)) || (b && (m = take_msg(st, b))))
            break;
        int got = pump(st, -1, rawmode);
        if (got & GUEST_GONE)
            break;
        if (got & GOT_INPUT) {
            char c[64];
            ssize_t n = read(0, c, sizeof c);
            if (n == 0)
                st->in_eof = true;
            for (ssize_t i = 0; i < n && !st->detached; i++)
                if (c[i] == 4 && st->sh->attached) { /* Ctrl-D: the operator leaves */
                    st->detached = true;
                } else if (c[i] != 3) { /* typed ahead: the editor takes it next */
                    if (grow(&st->ibuf, &st->icap, st->ilen + 1))
                        st->ibuf[st->ilen++] = c[i];
                } else {
                    write_all_fd(st->sh->intr, "c", 1);
                    if (++ctrl_c == 3)
                        fputs(st->sh->attached
                                  ? "\n(the statement does not stop: two more Ctrl-C, or "
                                    "Ctrl-D, detach)\n"
                                  : "\n(the statement does not stop: two more Ctrl-C end the "
                                    "session)\n",
                              stderr);
                    if (ctrl_c == 5 && st->sh->attached) {
                        st->detached = true; /* the job goes on without the operator */
                    } else if (ctrl_c == 5) {
                        if (rawmode)
                            tcsetattr(0, TCSANOW, &saved);
                        kill(getpid(), SIGQUIT); /* the supervisor kills the sandbox */
                    }
                }
            if (st->detached)
                break;
        }
    }
    if (rawmode)
        tcsetattr(0, TCSANOW, &saved);
    return m;
}

/* After a statement: its output (out bytes in all) is shown before the
 * next prompt. */
static void settle_output(st_t *st, json_t *done)
{
    json_int_t out = json_integer_value(json_object_get(done, "out"));
    for (int i = 0; i < 100 && st->shown < (uint64_t)out; i++)
        if (pump(st, 10, false) & GUEST_GONE)
            break;
    if (st->line_open && st->tty) {
        write_all_fd(1, "\n", 1);
        st->line_open = false;
    }
}

/* ---- the operator's input ------------------------------------------------ */

static st_t *state_of(EditLine *el)
{
    void *p = NULL;
    el_get(el, EL_CLIENTDATA, &p);
    return p;
}

/* libedit's reader: one character of the operator's, while the guest's
 * output is shown as it comes (the line redrawn under it). 1, 0 at the
 * end (input or guest), -1 on an error. */
static int read_char(EditLine *el, wchar_t *wc)
{
    st_t *st = state_of(el);
    for (;;) {
        unsigned char c;
        if (st->ioff < st->ilen) { /* typed while a statement ran */
            c = (unsigned char)st->ibuf[st->ioff++];
            if (st->ioff == st->ilen)
                st->ioff = st->ilen = 0;
            goto have;
        }
        int got = pump(st, -1, true);
        if (got & GUEST_GONE)
            return 0;
        if (got & GOT_OUTPUT) {
            if (st->line_open) {
                write_all_fd(1, "\n", 1);
                st->line_open = false;
            }
            el_set(el, EL_REFRESH);
        }
        if (!(got & GOT_INPUT))
            continue;
        ssize_t n = read(0, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            st->in_eof = true;
            return 0;
        }
    have:
        if (st->want_utf8 == 0) {
            if (c < 0x80) {
                *wc = c;
                return 1;
            }
            st->want_utf8 = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            st->nutf8 = 0;
        }
        st->utf8[st->nutf8++] = c;
        if (st->nutf8 < st->want_utf8)
            continue;
        mbstate_t ms = {0};
        wchar_t w;
        size_t r = mbrtowc(&w, (const char *)st->utf8, st->nutf8, &ms);
        st->want_utf8 = 0;
        *wc = r == (size_t)-1 || r == (size_t)-2 ? L'?' : w;
        return 1;
    }
}

static char *prompt_of(EditLine *el)
{
    static char more[] = "... ", first[] = "> ";
    return state_of(el)->more ? more : first;
}

/* Ctrl-C at the prompt: the line is dropped; twice on an empty one, the
 * session ends (as Node's REPL). */
static unsigned char on_ctrl_c(EditLine *el, int ch)
{
    (void)ch;
    st_t *st = state_of(el);
    const LineInfo *li = el_line(el);
    bool empty = li->lastchar == li->buffer && !st->more;
    st->empty_ctrl_c = empty ? st->empty_ctrl_c + 1 : 0;
    st->cancelled = true;
    write_all_fd(1, "^C\n", 3);
    if (empty && st->empty_ctrl_c == 1)
        fputs("(To exit, press Ctrl+C again or Ctrl+D or type .exit)\n", stdout);
    fflush(stdout);
    return CC_NEWLINE;
}

static void print_columns(char **names, size_t n)
{
    size_t width = 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) > width)
            width = strlen(names[i]);
    width += 2;
    size_t cols = width < 80 ? 80 / width : 1;
    fputc('\n', stdout);
    for (size_t i = 0; i < n; i++)
        printf("%-*s%s", (int)width, names[i], (i + 1) % cols == 0 || i + 1 == n ? "\n" : "");
    fflush(stdout);
}

/* Tab: the guest's names for what is before the cursor. */
/* A name the guest offers, as the operator's line may take it: a plain
 * identifier (no byte that could act on the terminal or the line). */
static bool plain_name(const char *s)
{
    if (!s || !*s || strlen(s) > 256)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '$'))
            return false;
    return true;
}

static const char *const COMMANDS[] = {"audit",  "exit",  "help", "limits", "load",
                                       "mounts", "perms", "save", "walls"};

/* Tab on an operator's command: its name, from the shell's own list (the
 * guest never sees the line). */
static unsigned char complete_command(EditLine *el, const char *line)
{
    const char *word = line + 1;
    size_t wl = strlen(word), n = 0;
    const char *only = NULL;
    char *names[sizeof COMMANDS / sizeof COMMANDS[0]];
    for (size_t k = 0; k < sizeof COMMANDS / sizeof COMMANDS[0]; k++)
        if (!strncmp(COMMANDS[k], word, wl))
            names[n++] = (char *)COMMANDS[k], only = COMMANDS[k];
    if (strchr(word, ' ') || n == 0)
        return CC_REFRESH_BEEP;
    if (n == 1)
        return el_insertstr(el, only + wl) == 0 ? CC_REFRESH : CC_ERROR;
    print_columns(names, n);
    return CC_REDISPLAY;
}

static unsigned char on_tab(EditLine *el, int ch)
{
    (void)ch;
    st_t *st = state_of(el);
    const LineInfo *li = el_line(el);
    if (!st->more && li->buffer < li->lastchar && li->buffer[0] == '.' &&
        ((li->buffer[1] >= 'a' && li->buffer[1] <= 'z') || li->cursor == li->buffer + 1)) {
        char *line = strndup(li->buffer, (size_t)(li->cursor - li->buffer));
        unsigned char r = line ? complete_command(el, line) : CC_ERROR;
        free(line);
        return r;
    }
    char *upto = strndup(li->buffer, (size_t)(li->cursor - li->buffer));
    if (!upto)
        return CC_ERROR;
    size_t sl = strlen(upto);
    json_t *req = json_pack("{s:s, s:s%}", "t", "complete", "line", upto, sl);
    free(upto);
    if (!req)
        return CC_ERROR;
    send_msg(st, req);
    json_t *r = wait_msg(st, "completions", NULL, true);
    if (!r)
        return CC_EOF;
    const char *prefix = json_string_value(json_object_get(r, "prefix")) ?: "";
    if (*prefix && !plain_name(prefix))
        prefix = "";
    json_t *list = json_object_get(r, "list");
    size_t n = json_array_size(list);
    size_t pl = strlen(prefix);
    unsigned char ret = CC_REFRESH_BEEP;
    if (n > 0) {
        /* the longest start every name shares */
        char **names = calloc(n, sizeof *names);
        size_t kept = 0;
        for (size_t i = 0; i < n && names; i++) {
            const char *nm = json_string_value(json_array_get(list, i));
            if (plain_name(nm) && !strncmp(nm, prefix, pl))
                names[kept++] = (char *)nm;
        }
        n = kept;
        const char *first = n ? names[0] : "";
        size_t common = strlen(first);
        for (size_t i = 1; i < n; i++) {
            size_t k = 0;
            while (k < common && names[i][k] == first[k])
                k++;
            common = k;
        }
        if (common > pl) {
            char *add = strndup(first + pl, common - pl);
            if (add && el_insertstr(el, add) == 0)
                ret = CC_REFRESH;
            free(add);
            if (n == 1 && ret == CC_REFRESH) {
                /* a whole name: nothing more to list */
            }
        } else if (n > 1 && names) {
            print_columns(names, n);
            ret = CC_REDISPLAY;
        }
        free(names);
    }
    json_decref(r);
    return ret;
}

/* A line of the operator's (without its newline; malloc'd), or NULL at
 * the end. */
static char *read_line(st_t *st)
{
    if (st->tty) {
        for (;;) {
            int count = 0;
            st->cancelled = false;
            const char *l = el_gets(st->el, &count);
            if (!st->cancelled && (!l || count <= 0)) {
                st->in_eof = true; /* Ctrl-D (or the guest's end) */
                return NULL;
            }
            if (st->cancelled) {
                if (st->empty_ctrl_c >= 2)
                    return NULL;
                st->more = false;
                return strdup(""); /* the statement so far is dropped */
            }
            st->empty_ctrl_c = 0;
            size_t n = strlen(l);
            while (n && (l[n - 1] == '\n' || l[n - 1] == '\r'))
                n--;
            return strndup(l, n);
        }
    }
    for (;;) {
        char *nl = st->ilen ? memchr(st->ibuf, '\n', st->ilen) : NULL;
        if (nl || (st->in_eof && st->ilen)) {
            size_t n = nl ? (size_t)(nl - st->ibuf) : st->ilen;
            char *line = strndup(st->ibuf, n);
            size_t used = nl ? n + 1 : n;
            memmove(st->ibuf, st->ibuf + used, st->ilen - used);
            st->ilen -= used;
            return line;
        }
        if (st->in_eof)
            return NULL;
        int got = pump(st, -1, true);
        if (got & GUEST_GONE)
            return NULL;
        if (!(got & GOT_INPUT))
            continue;
        if (!grow(&st->ibuf, &st->icap, st->ilen + 65536)) {
            fputs("secure-exec-launch: shell: an input line too long\n", stderr);
            return NULL;
        }
        ssize_t r = read(0, st->ibuf + st->ilen, 65536);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            st->in_eof = true;
        else
            st->ilen += (size_t)r;
    }
}

/* ---- the operator's commands --------------------------------------------- */

static void cmd_help(void)
{
    fputs(".audit [N]  the last N (20) permission decisions of this session, denials marked\n"
          ".exit       end the session (also Ctrl-D on an empty line)\n"
          ".help       this list\n"
          ".limits     the session's limits and what it uses now\n"
          ".load FILE  run a file of the host's as one statement\n"
          ".mounts     the file systems the guest sees\n"
          ".perms      the effective policy (profile and grants)\n"
          ".save FILE  write what this session ran to a file of the host's\n"
          ".walls      what this host's walls are (as `secure-exec-launch check`)\n"
          "\n"
          "Ctrl-C stops a running statement; Tab completes globals and properties.\n",
          stdout);
}

/* Prints text that came from the guest (an audit line's fields) so that
 * it cannot act on the terminal: control characters (C0, DEL and C1 in
 * UTF-8) as \xNN. */
static void put_safe(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            printf("\\x%02x", *p);
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            printf("\\x%02x", *++p);
        else
            putchar(*p);
    }
}

static const char *color(st_t *st, const char *code)
{
    return st->tty ? code : "";
}

static void cmd_audit(st_t *st, const char *arg)
{
    long want = 20;
    if (*arg) {
        char *end;
        want = strtol(arg, &end, 10);
        if (*end || want <= 0 || want > 100000) {
            printf(".audit: '%s' is not a count (1 to 100000)\n", arg);
            return;
        }
    }
    if (st->sh->audit)
        fflush(st->sh->audit);
    FILE *f = st->sh->audit_path ? fopen(st->sh->audit_path, "re") : NULL;
    if (!f) {
        printf(".audit: cannot read the audit log: %s\n", strerror(errno));
        return;
    }
    char **ring = calloc((size_t)want, sizeof *ring);
    size_t seen = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (ring && (n = getline(&line, &cap, f)) > 0) {
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)n, 0, &je);
        const char *run = json_string_value(json_object_get(o, "run"));
        if (run && st->sh->run_id && !strcmp(run, st->sh->run_id)) {
            size_t slot = seen++ % (size_t)want;
            free(ring[slot]);
            ring[slot] = strndup(line, (size_t)n);
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    size_t have = seen < (size_t)want ? seen : (size_t)want;
    if (!have)
        puts("(no decisions yet)");
    for (size_t i = 0; i < have; i++) {
        size_t slot = (seen - have + i) % (size_t)want;
        json_error_t je;
        json_t *o = json_loads(ring[slot], 0, &je);
        double ts = json_number_value(json_object_get(o, "ts"));
        time_t t = (time_t)ts;
        struct tm tm;
        char when[16] = "";
        if (localtime_r(&t, &tm))
            strftime(when, sizeof when, "%H:%M:%S", &tm);
        json_t *allow = json_object_get(o, "allow");
        const char *dom = json_string_value(json_object_get(o, "domain")) ?: "?";
        const char *op = json_string_value(json_object_get(o, "op")) ?: "?";
        const char *target = json_string_value(json_object_get(o, "target")) ?: "";
        const char *by = json_string_value(json_object_get(o, "by"));
        const char *wall = json_string_value(json_object_get(o, "wall"));
        const char *rule = json_string_value(json_object_get(o, "rule"));
        bool deny = json_is_false(allow);
        const char *verdict = json_is_boolean(allow) ? (deny ? "DENY " : "allow") : "-    ";
        printf("%s  %s%s%s  ", when, deny ? color(st, "\033[1;31m") : "", verdict,
               deny ? color(st, "\033[0m") : "");
        put_safe(dom);
        putchar(' ');
        put_safe(op);
        putchar(' ');
        put_safe(target);
        const char *label[3] = {"rule", "by", "wall"}, *val[3] = {rule, by, wall};
        for (int k = 0; k < 3; k++)
            if (val[k] && *val[k]) {
                printf("  %s ", label[k]);
                put_safe(val[k]);
            }
        putchar('\n');
        json_decref(o);
    }
    for (long i = 0; ring && i < want; i++)
        free(ring[i]);
    free(ring);
}

/* A count of the entries of a /proc folder (-1: unreadable). */
static long count_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* The tasks of pid and of every process below it. */
static long count_tasks(pid_t pid, int depth)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    long n = count_dir(path);
    if (n < 0 || depth > 16)
        return n;
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return n;
    int child;
    while (fscanf(f, "%d", &child) == 1) {
        long c = count_tasks(child, depth + 1);
        if (c > 0)
            n += c;
    }
    fclose(f);
    return n;
}

static void mib(char *out, size_t cap, double bytes)
{
    snprintf(out, cap, "%.1f MiB", bytes / (1024.0 * 1024.0));
}

static void cmd_limits(st_t *st)
{
    lch_shell_t *sh = st->sh;
    puts("limits (the profile's and the command line's):");
    for (size_t i = 0; i < sh->nlimits; i++)
        printf("  %-20s %s\n", sh->limit_names[i], sh->limit_values[i]);
    puts("in use now:");
    send_msg(st, json_pack("{s:s}", "t", "stats"));
    json_t *m = wait_msg(st, "stats", NULL, true);
    char a[32], b[32];
    if (m) {
        mib(a, sizeof a, json_number_value(json_object_get(m, "heapUsed")));
        mib(b, sizeof b, json_number_value(json_object_get(m, "heapTotal")));
        printf("  %-20s %s used of %s (the guest's own count)\n", "heap", a, b);
        mib(a, sizeof a, json_number_value(json_object_get(m, "external")));
        printf("  %-20s %s (buffers and other memory outside the heap)\n", "off-heap", a);
        json_decref(m);
    }
    pid_t g = atomic_load(&sh->guest);
    if (g <= 0) {
        puts("  (the guest's process is not known yet)");
        return;
    }
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/status", (int)g);
    FILE *f = fopen(path, "re");
    while (f && fgets(line, sizeof line, f)) {
        long kb;
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) {
            mib(a, sizeof a, (double)kb * 1024.0);
            printf("  %-20s %s (measured by the supervisor)\n", "resident memory", a);
        }
    }
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "/proc/%d/stat", (int)g);
    f = fopen(path, "re");
    if (f && fgets(line, sizeof line, f)) {
        char *p = strrchr(line, ')');
        unsigned long ut = 0, stt = 0;
        if (p &&
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt) == 2)
            printf("  %-20s %.2f s\n", "cpu", (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK));
    }
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "/proc/%d/fd", (int)g);
    long fds = count_dir(path);
    if (fds >= 0)
        printf("  %-20s %ld open\n", "fds", fds);
    long tasks = count_tasks(g, 0);
    if (tasks >= 0)
        printf("  %-20s %ld (processes and threads)\n", "pids", tasks);
    printf("  %-20s %llu bytes shown\n", "output", (unsigned long long)st->shown);
}

static void cmd_mounts(st_t *st)
{
    pid_t g = atomic_load(&st->sh->guest);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mountinfo", (int)g);
    FILE *f = g > 0 ? fopen(path, "re") : NULL;
    if (!f) {
        printf(".mounts: cannot read the guest's mounts: %s\n",
               g > 0 ? strerror(errno) : "no guest yet");
        return;
    }
    printf("%-28s %-10s %-3s %s\n", "where", "type", "", "source");
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        /* id parent dev root mountpoint options [optional...] - type source super */
        char *save = NULL, *tok[32];
        int nt = 0;
        for (char *t = strtok_r(line, " \n", &save); t && nt < 32; t = strtok_r(NULL, " \n", &save))
            tok[nt++] = t;
        int dash = -1;
        for (int i = 6; i < nt; i++)
            if (!strcmp(tok[i], "-")) {
                dash = i;
                break;
            }
        if (nt < 6 || dash < 0 || dash + 2 >= nt)
            continue;
        bool ro = !strncmp(tok[5], "ro", 2) && (tok[5][2] == ',' || !tok[5][2]);
        put_safe(tok[4]); /* (mountinfo escapes spaces and such itself) */
        printf("%*s %-10s %-3s ", strlen(tok[4]) < 28 ? (int)(28 - strlen(tok[4])) : 0, "",
               tok[dash + 1], ro ? "ro" : "rw");
        put_safe(tok[dash + 2]);
        putchar('\n');
    }
    free(line);
    fclose(f);
}

/* A file of the host's, whole (the operator's: the shell runs as them). */
static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat sb;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > LINE_CAP) {
        close(fd);
        errno = fd >= 0 && !S_ISREG(sb.st_mode) ? EINVAL : EFBIG;
        return NULL;
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    ssize_t n = buf ? read(fd, buf, (size_t)sb.st_size) : -1;
    close(fd);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static bool run_code(st_t *st, const char *code, size_t len, bool keep);

/* .name ARG: true when the line was the operator's command; *quit set
 * for .exit. */
static bool operator_command(st_t *st, const char *line, bool *quit)
{
    if (line[0] != '.' ||
        !((line[1] >= 'a' && line[1] <= 'z') || (line[1] >= 'A' && line[1] <= 'Z')))
        return false;
    char name[16];
    size_t k = 0;
    const char *p = line + 1;
    while (*p && *p != ' ' && *p != '\t' && k < sizeof name - 1)
        name[k++] = *p++;
    name[k] = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    char arg[4096];
    snprintf(arg, sizeof arg, "%s", p);
    for (size_t n = strlen(arg); n && (arg[n - 1] == ' ' || arg[n - 1] == '\t');)
        arg[--n] = '\0';
    bool local = !strcmp(name, "perms") || !strcmp(name, "audit") || !strcmp(name, "limits") ||
                 !strcmp(name, "mounts");
    if (st->sh->attached && local) {
        printf(".%s: not offered when attached (the job's server keeps its policy, its audit "
               "log and its limits)\n",
               name);
    } else if (!strcmp(name, "help")) {
        cmd_help();
    } else if (!strcmp(name, "exit")) {
        *quit = true;
    } else if (!strcmp(name, "perms")) {
        if (st->sh->perms)
            st->sh->perms(st->sh->perms_arg);
    } else if (!strcmp(name, "audit")) {
        cmd_audit(st, arg);
    } else if (!strcmp(name, "limits")) {
        cmd_limits(st);
    } else if (!strcmp(name, "mounts")) {
        cmd_mounts(st);
    } else if (!strcmp(name, "walls")) {
        /* `check` as a process of its own: its trial cgroup is named by its
         * pid, which here is the session's (its own cgroup) */
        fflush(stdout);
        char *const args[] = {"secure-exec-launch", "check", NULL};
        pid_t pid;
        int wst = 0;
        if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) != 0 ||
            waitpid(pid, &wst, 0) < 0)
            printf(".walls: cannot run check: %s\n", strerror(errno));
    } else if (!strcmp(name, "load")) {
        size_t len;
        char *code = *arg ? read_file(arg, &len) : NULL;
        if (!*arg)
            puts(".load: which file? (.load FILE)");
        else if (!code)
            printf(".load %s: %s\n", arg, strerror(errno));
        else
            run_code(st, code, len, true);
        free(code);
    } else if (!strcmp(name, "save")) {
        /* never blocks on a FIFO, never writes a device; truncated only
         * once it is known to be a regular file */
        struct stat fs;
        bool special = *arg && lstat(arg, &fs) == 0 && !S_ISREG(fs.st_mode);
        int fd = *arg && !special
                     ? open(arg, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600)
                     : -1;
        if (special)
            errno = EINVAL;
        if (fd >= 0 && (fstat(fd, &fs) < 0 || !S_ISREG(fs.st_mode) || ftruncate(fd, 0) < 0)) {
            close(fd);
            fd = -1;
            errno = EINVAL;
        }
        if (!*arg)
            puts(".save: which file? (.save FILE)");
        else if (fd < 0)
            printf(".save %s: %s\n", arg, errno == EINVAL ? "not a regular file" : strerror(errno));
        else {
            write_all_fd(fd, st->session ? st->session : "", st->slen);
            close(fd);
            printf("Session saved to: %s\n", arg);
        }
    } else {
        puts("Invalid REPL keyword");
    }
    fflush(stdout);
    return true;
}

/* Sends a statement; false when the guest is gone. With keep, it goes in
 * the session (for .save) once complete. */
static bool run_code(st_t *st, const char *code, size_t len, bool keep)
{
    json_t *req = json_pack("{s:s, s:s%}", "t", "eval", "code", code, len);
    if (!req) {
        puts("(the input is not UTF-8 text)");
        return true;
    }
    send_msg(st, req);
    json_t *r = wait_msg(st, "done", "more", true);
    if (!r)
        return false;
    const char *t = json_string_value(json_object_get(r, "t"));
    st->more = t && !strcmp(t, "more");
    if (!st->more) {
        settle_output(st, r);
        if (keep && grow(&st->session, &st->scap, st->slen + len + 2)) {
            memcpy(st->session + st->slen, code, len);
            st->slen += len;
            if (len && code[len - 1] != '\n')
                st->session[st->slen++] = '\n';
        }
    }
    json_decref(r);
    return true;
}

/* ---- the thread ---------------------------------------------------------- */

static void history_add(st_t *st, const char *line)
{
    if (!st->hist || !*line)
        return;
    HistEvent ev;
    history(st->hist, &ev, H_ENTER, line);
    if (st->sh->history && history(st->hist, &ev, H_SAVE, st->sh->history) >= 0)
        chmod(st->sh->history, 0600);
}

static void editor_open(st_t *st)
{
    st->el = el_init("secure-exec-launch", stdin, stdout, stderr);
    if (!st->el) {
        st->tty = false;
        return;
    }
    el_set(st->el, EL_CLIENTDATA, st);
    el_set(st->el, EL_EDITOR, "emacs");
    el_set(st->el, EL_PROMPT, prompt_of);
    el_set(st->el, EL_GETCFN, read_char);
    el_set(st->el, EL_SETTY, "-d", "-isig", NULL); /* Ctrl-C is a key here */
    el_set(st->el, EL_ADDFN, "se-complete", "complete from the guest's names", on_tab);
    el_set(st->el, EL_ADDFN, "se-interrupt", "drop the line", on_ctrl_c);
    el_set(st->el, EL_BIND, "^I", "se-complete", NULL);
    el_set(st->el, EL_BIND, "^C", "se-interrupt", NULL);
    st->hist = history_init();
    if (st->hist) {
        HistEvent ev;
        history(st->hist, &ev, H_SETSIZE, 1000);
        history(st->hist, &ev, H_SETUNIQUE, 1);
        if (st->sh->history)
            history(st->hist, &ev, H_LOAD, st->sh->history);
        el_set(st->el, EL_HIST, history, st->hist);
    }
}

static void *shell_main(void *arg)
{
    lch_shell_t *sh = arg;
    st_t *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->sh = sh;
    st->tty = isatty(0) && isatty(1);
    st->frames_eof = sh->frames < 0;
    /* the guest's first word: it is ready, or gone (an attached job's
     * came long ago and waits in the socket: 10 s at most) */
    json_t *ready = NULL;
    if (sh->attached) {
        for (int i = 0; i < 100 && !ready; i++) {
            ready = take_msg(st, "ready");
            if (!ready && (pump(st, 100, false) & GUEST_GONE))
                break;
        }
        if (!ready)
            fputs("secure-exec-launch: shell: the job's channel did not answer\n", stderr);
    } else {
        ready = wait_msg(st, "ready", NULL, false);
    }
    if (ready) {
        json_decref(ready);
        if (st->tty)
            editor_open(st);
        if (st->tty && sh->banner)
            printf("%s\n", sh->banner);
        fflush(stdout);
        char *stmt = NULL;
        size_t slen = 0, scap = 0;
        bool quit = false;
        while (!quit) {
            char *line = read_line(st);
            if (!line)
                break;
            if (!st->more && operator_command(st, line, &quit)) {
                if (st->tty)
                    history_add(st, line);
                free(line);
                continue;
            }
            if (st->tty && !st->cancelled)
                history_add(st, line);
            if (!st->more)
                slen = 0;
            size_t ll = strlen(line);
            if (!grow(&stmt, &scap, slen + ll + 2)) {
                fputs("secure-exec-launch: shell: the statement is too long\n", stderr);
                free(line);
                slen = 0;
                st->more = false;
                continue;
            }
            memcpy(stmt + slen, line, ll);
            slen += ll;
            stmt[slen++] = '\n';
            stmt[slen] = '\0';
            free(line);
            if (st->cancelled) {
                st->more = false;
                slen = 0;
                continue;
            }
            if (!run_code(st, stmt, slen, true))
                break;
        }
        free(stmt);
        if (st->tty && !quit && st->in_eof)
            write_all_fd(1, "\n", 1);
        /* Ctrl-D or .exit: the guest ends as Node's REPL would (its
         * 'exit' listeners, its exit code) */
        if (!st->ctl_eof && !sh->attached)
            send_msg(st, json_pack("{s:s}", "t", "exit"));
    }
    if (sh->attached) { /* the job goes on without the operator */
        if (ready && st->ctl_eof)
            fputs("(the job has ended)\n", stderr);
        else if (st->detached)
            fputs("\n(detached: the job goes on)\n", stderr);
        goto out;
    }
    /* what the guest still writes, to its end */
    while (!(pump(st, -1, false) & GUEST_GONE))
        ;
out:
    if (st->el)
        el_end(st->el);
    if (st->hist)
        history_end(st->hist);
    for (size_t i = 0; i < st->nmsgs; i++)
        json_decref(st->msgs[i]);
    free(st->cbuf);
    free(st->fbuf);
    free(st->ibuf);
    free(st->session);
    free(st);
    fflush(stdout);
    return NULL;
}

int lch_shell_start(lch_shell_t *sh)
{
    int e = pthread_create(&sh->thread, NULL, shell_main, sh);
    sh->started = e == 0;
    return -e;
}

void lch_shell_interrupt(lch_shell_t *sh)
{
    char c = 'c';
    ssize_t w = write(sh->intr, &c, 1);
    (void)w;
}

void lch_shell_join(lch_shell_t *sh)
{
    if (sh->started)
        pthread_join(sh->thread, NULL);
    sh->started = false;
}

int lch_shell_attach(const char *server, const char *id)
{
    if (!server || strncmp(server, "unix:", 5) || !server[5] || !id) {
        fputs("secure-exec-launch: shell: --attach ID needs --server unix:PATH\n", stderr);
        return 125;
    }
    const char *path = server + 5; /* unix: */
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "secure-exec-launch: shell: --server %s: the path is too long\n", server);
        return 125;
    }
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) || p - id >= 64) {
            fprintf(stderr, "secure-exec-launch: shell: --attach %s: a request id is hex\n", id);
            return 125;
        }
    memcpy(sa.sun_path, path, strlen(path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {.tv_sec = 10};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        fprintf(stderr, "secure-exec-launch: shell: --server %s: %s\n", server, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 125;
    }
    char req[256];
    int rl = snprintf(req, sizeof req,
                      "POST /v1/attach/%s HTTP/1.1\r\nHost: serve\r\nContent-Length: 0\r\n"
                      "Connection: close\r\n\r\n",
                      id);
    write_all_fd(fd, req, (size_t)rl);
    /* the answer, with the channel's two descriptors on its first bytes;
     * any other descriptor that comes is closed at once */
    char buf[4096];
    size_t have = 0;
    int fds[2] = {-1, -1};
    for (;;) {
        union {
            char c[CMSG_SPACE(16 * sizeof(int))];
            struct cmsghdr align;
        } u;
        struct iovec iov = {.iov_base = buf + have, .iov_len = sizeof buf - 1 - have};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.c, .msg_controllen = sizeof u.c};
        ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int got[16];
            memcpy(got, CMSG_DATA(c), k * sizeof(int));
            bool take = k == 2 && fds[0] < 0;
            for (size_t i = 0; i < k; i++)
                if (take)
                    fds[i] = got[i];
                else
                    close(got[i]);
        }
        if (n <= 0 || (have += (size_t)n) >= sizeof buf - 1)
            break;
    }
    close(fd);
    buf[have] = '\0';
    int status = 0;
    struct stat cs, is;
    bool channel = fds[0] >= 0 && fstat(fds[0], &cs) == 0 && S_ISSOCK(cs.st_mode) &&
                   fstat(fds[1], &is) == 0 && S_ISFIFO(is.st_mode);
    if (sscanf(buf, "HTTP/1.1 %d", &status) != 1 || status != 200 || !channel) {
        const char *body = strstr(buf, "\r\n\r\n");
        json_error_t je;
        json_t *o = body ? json_loads(body + 4, 0, &je) : NULL;
        const char *why = json_string_value(json_object_get(o, "error"));
        fprintf(stderr, "secure-exec-launch: shell: --attach %s: ", id);
        fflush(stderr);
        if (why) { /* the server's words, as text only */
            for (const unsigned char *p = (const unsigned char *)why; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                    fprintf(stderr, "\\x%02x", *p);
                else
                    fputc(*p, stderr);
            fputc('\n', stderr);
        } else {
            fprintf(stderr, "%s\n",
                    status == 200 ? "the answer carried no channel"
                    : status      ? "refused (is the server run with --debug?)"
                                  : "no answer");
        }
        json_decref(o);
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
                close(fds[i]);
        return 125;
    }
    char banner[160];
    snprintf(banner, sizeof banner,
             "attached to job %s: its globals, under its policy; .exit or Ctrl-D detaches", id);
    lch_shell_t sh = {
        .ctl = fds[0], .intr = fds[1], .frames = -1, .attached = true, .banner = banner};
    signal(SIGPIPE, SIG_IGN);
    if (lch_shell_start(&sh) < 0) {
        fprintf(stderr, "secure-exec-launch: shell: cannot start its thread\n");
        return 125;
    }
    lch_shell_join(&sh);
    close(fds[0]);
    close(fds[1]);
    return 0;
}

bool lch_shell_history_path(const char *app, char *out, size_t outlen)
{
    const char *env = getenv("SECURE_EXEC_SHELL_HISTORY");
    if (env) {
        if (!*env || snprintf(out, outlen, "%s", env) >= (int)outlen)
            return false;
        return true;
    }
    char base[4096];
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        snprintf(base, sizeof base, "%s/secure-exec-launch", xdg);
    else if (home && home[0] == '/')
        snprintf(base, sizeof base, "%s/.local/state/secure-exec-launch", home);
    else
        return false;
    /* each folder made private when it is ours to make */
    char dir[4096 + 16];
    snprintf(dir, sizeof dir, "%s/history", base);
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return false;
    char name[4096];
    size_t k = 0;
    for (const char *p = app; *p && k < sizeof name - 1; p++)
        name[k++] = *p == '/' ? '%' : *p;
    name[k] = '\0';
    return snprintf(out, outlen, "%s/%s", dir, name) < (int)outlen;
}
