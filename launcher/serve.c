/*
 * launcher/serve.c — the sidecar's server (serve.h): one libuv loop, one
 * thread. Connections are parsed by http-parser; each POST /v1/run becomes
 * a run on a member of a pool; the members' frames come back on their
 * sockets and make the answer.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <http_parser.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "../bridge/bridge.h"
#include "audit.h"
#include "cli.h"
#include "job.h"
#include "relay.h"
#include "sandbox.h"
#include "serve.h"

#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_MEMORY_MB 128
#define MAX_CONNS 1024
#define IDLE_MS 60000          /* a connection with no request under way */
#define SAFETY_MS 10000        /* past a job's limit: the server's own kill */
#define BACKOFF_MS 1000        /* after a member failed before it was ready */
#define DEFER_MS 50            /* a refill's longest wait for runs under way */
#define MAX_POOLS 64           /* warm and cold pools (app, profile, memory) */
#define MAX_FRAME (2u << 20)   /* the largest frame a member may send */
#define MAX_HEADERS_BYTES 8192 /* a request's url and header bytes */
#define GRACE_MS 2000          /* an answered member's time to end */
#define HEAD_MS 30000          /* a request's whole head and body, from its first byte */
#define WQ_HIGH (1u << 20)     /* answer bytes queued for a client: stop producing */
#define WQ_LOW (256u << 10)    /* ... and go on below this */
#define DRAIN_FLUSH_MS 5000    /* at exit, answers still being written get this long */

typedef struct server server_t;
typedef struct member member_t;
typedef struct run run_t;
typedef struct conn conn_t;
typedef struct pool pool_t;

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static int buf_add(buf_t *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static void buf_drop(buf_t *b, size_t n)
{
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

static void buf_free(buf_t *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

struct pool {
    size_t app, profile, memory_mb;
    unsigned want;   /* members kept warm (0: cold, made per request) */
    member_t *ready; /* waiting for a job, newest first */
    unsigned nready, nstarting;
    run_t *wait_head, *wait_tail; /* runs waiting for its next ready member */
    unsigned nwaiting;
    uint64_t backoff_until; /* uv_now: no new member before */
    bool used;
};

enum { M_STARTING, M_READY, M_BUSY, M_ENDED };

struct member {
    server_t *srv;
    pool_t *pool;
    int state;
    uv_process_t proc;
    uv_pipe_t ctl, job, in;
    int open_handles;
    bool exited, settled;
    bool ctl_eof, job_eof; /* nothing more will be read from the socket */
    bool paused;           /* its output waits: the client reads slowly */
    int64_t exit_status;
    int term_signal;
    buf_t ctl_buf, job_buf;
    bool got_ready;
    bool answered;   /* its run was answered before its end: it still counts as active */
    bool released;   /* its job socket shut: the guest may end */
    bool ending_now; /* released from the server's list below, not yet gone */
    member_t *later; /* in the server's list of answered members whose end waits */
    bool in_later;
    uv_timer_t grace; /* after an early answer: its end is due */
    run_t *run;
    member_t *next; /* in its pool's ready list */
    uint64_t spawned_ms;
    unsigned gen; /* the server's generation when it was started */
    /* --debug: the server's ends of the operator shell's channel (-1 none),
     * handed to one `shell --attach` */
    int dbg_ctl, dbg_intr;
    bool dbg_attached;
};

struct run {
    server_t *srv;
    conn_t *conn; /* NULL once the client is gone */
    char id[17];
    lch_serve_req_t req;
    member_t *m;
    uv_timer_t safety;
    bool safety_on;
    char *report;      /* the member's report JSON */
    json_t *answer;    /* the guest's answer (job.h), NULL none */
    char *exports_raw; /* the JSON of module.exports, checked (NULL: null) */
    size_t exports_len;
    bool answer_done; /* the answer came, or the job socket ended */
    bool output_done; /* the relay's LCH_FRAME_EOF: all output is here */
    bool finished;
    char carry[2][4]; /* an incomplete UTF-8 sequence held back per stream */
    size_t ncarry[2];
    uint64_t t0_ns;
    run_t *qnext;    /* in the server's queue, or its pool's waiting runs */
    pool_t *waiting; /* the pool whose next member it waits for */
    bool in_queue;   /* waiting for a slot (--max-concurrent) */
};

struct conn {
    server_t *srv;
    union {
        uv_tcp_t tcp;
        uv_pipe_t pipe;
        uv_stream_t stream;
        uv_handle_t handle;
    } h;
    http_parser parser;
    uv_timer_t idle;
    int open_handles;
    buf_t url, body, pending, field;
    bool in_field, expect_continue, too_big, headers_too_big;
    size_t header_bytes;
    bool handling;   /* a request is being answered: no parsing */
    bool keep_alive; /* after this answer */
    bool closing;
    bool streaming;   /* a chunked answer is under way */
    bool in_message;  /* a request's bytes are arriving: its deadline runs */
    bool peer_eof;    /* the client shut its side after its request */
    bool resume_wait; /* conn_resume waits for the queued answer to drain */
    size_t wq_bytes;  /* answer bytes queued, not yet written */
    run_t *run;
    conn_t *prev, *next;
};

struct server {
    uv_loop_t *loop;
    const lch_serve_opts_t *o;
    const char *self;
    char app_dirs[LCH_SERVE_MAX_APPS][PATH_MAX];
    const char *app_names[LCH_SERVE_MAX_APPS];
    char app_name_buf[LCH_SERVE_MAX_APPS][256];
    lch_serve_limits_t lim;
    pool_t pools[MAX_POOLS];
    union {
        uv_tcp_t tcp;
        uv_pipe_t pipe;
        uv_stream_t stream;
        uv_handle_t handle;
    } listener;
    bool listening;
    uv_signal_t sig_term, sig_int, sig_hup, sig_chld;
    uv_timer_t refill;
    uv_timer_t drain_timer;
    conn_t *conns;
    unsigned nconns;
    unsigned active;    /* runs holding a member or waiting for one */
    unsigned running;   /* runs given a member and not yet answered */
    unsigned ending;    /* active members answered and ending (within the grace) */
    uint64_t defer_to;  /* refills wait for them until then (uv_now) */
    member_t *later;    /* answered members whose end waits (pool_refill) */
    unsigned releasing; /* of those, released and not yet gone */
    run_t *queue_head, *queue_tail;
    unsigned queued;
    bool draining;
    unsigned max_starting;   /* sandboxes made at once: twice the cores */
    unsigned topup_starting; /* at once for a pool that has one ready: half */
    unsigned gen;            /* SIGHUPs so far: older members are never used */
    char unix_path[PATH_MAX];
    /* metrics */
    uint64_t requests[8]; /* by status: see status_slot */
    uint64_t hist[11];    /* duration buckets, see bounds */
    double dur_sum;
    uint64_t dur_count;
    uint64_t limits[6];                       /* time cpu memory output seccomp launcher */
    uint64_t denials[LCH_DENIAL_DOMAINS + 1]; /* by domain; the last: not told */
    double refill_sum;
    uint64_t refill_count;
    uint64_t member_failures;
};

static const int statuses[8] = {200, 400, 404, 405, 413, 429, 500, 503};
static const double bounds[10] = {0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5};
static const char *const limit_names[6] = {"time",   "cpu",     "memory",
                                           "output", "seccomp", "launcher"};

static void serve_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("secure-exec-launch: serve: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- answers ---- */

static const char *reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

static void count_status(server_t *s, int status)
{
    for (int i = 0; i < 8; i++)
        if (statuses[i] == status)
            s->requests[i]++;
}

typedef struct {
    uv_write_t w;
    conn_t *c;
    size_t len;
    char data[];
} wreq_t;

static void conn_close(conn_t *c);
static void conn_resume(conn_t *c);
static void maybe_finish_drain(server_t *s);

static void conn_unpause(conn_t *c);

static void on_written(uv_write_t *w, int status)
{
    wreq_t *r = (wreq_t *)w;
    conn_t *c = r->c;
    c->wq_bytes -= r->len;
    free(r);
    if (status == UV_ECANCELED || c->closing)
        return; /* the handle is closing: nothing more for it */
    if (status < 0) {
        conn_close(c);
        return;
    }
    /* progress: the client reads; its idle time starts again */
    if (!c->in_message && uv_is_active((uv_handle_t *)&c->idle))
        uv_timer_again(&c->idle);
    if (c->wq_bytes < WQ_LOW)
        conn_unpause(c);
    maybe_finish_drain(c->srv);
}

/* Queues bytes on the connection (copied). */
static void conn_send(conn_t *c, const char *data, size_t len)
{
    if (c->closing || !len)
        return;
    wreq_t *r = malloc(sizeof *r + len);
    if (!r) {
        conn_close(c);
        return;
    }
    r->c = c;
    r->len = len;
    memcpy(r->data, data, len);
    uv_buf_t b = uv_buf_init(r->data, (unsigned)len);
    if (uv_write(&r->w, &c->h.stream, &b, 1, on_written) < 0) {
        free(r);
        conn_close(c);
        return;
    }
    c->wq_bytes += len;
}

/* The answer's head; len < 0: chunked. */
static void send_head(conn_t *c, int status, const char *type, long long len, const char *extra)
{
    char head[768], length[48] = "Transfer-Encoding: chunked\r\n";
    if (len >= 0)
        snprintf(length, sizeof length, "Content-Length: %lld\r\n", len);
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%s%s%s\r\n", status,
                     reason(status), type, length, c->keep_alive ? "" : "Connection: close\r\n",
                     extra ? extra : "");
    conn_send(c, head, n < (int)sizeof head ? (size_t)n : sizeof head - 1);
}

/* A whole answer; then the connection reads its next request (or closes). */
static void respond(conn_t *c, int status, const char *type, const char *body, size_t len,
                    const char *extra)
{
    count_status(c->srv, status);
    send_head(c, status, type, (long long)len, extra);
    if (c->parser.method != HTTP_HEAD)
        conn_send(c, body, len);
    conn_resume(c);
}

static void respond_json(conn_t *c, int status, json_t *o, const char *extra)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(o);
    if (!s) {
        respond(c, 500, "application/json", "{\"error\":\"out of memory\"}\n", 26, extra);
        return;
    }
    size_t n = strlen(s);
    s[n] = '\n';
    respond(c, status, "application/json", s, n + 1, extra);
    free(s);
}

/* A JSON string of msg, whatever its bytes (a message may quote cut or
 * invalid UTF-8 from a request: each bad byte becomes U+FFFD). */
static json_t *lossy_string(const char *msg)
{
    json_t *j = json_string(msg);
    if (j)
        return j;
    size_t n = strlen(msg), outlen;
    char *out = malloc(3 * n + 1);
    if (!out)
        return NULL;
    lch_utf8_take(msg, n, true, out, &outlen);
    j = json_stringn(out, outlen);
    free(out);
    return j;
}

static void respond_error(conn_t *c, int status, const char *msg, const char *extra)
{
    json_t *o = json_pack("{so}", "error", lossy_string(msg));
    if (!o) {
        respond(c, 500, "application/json", "{\"error\":\"out of memory\"}\n", 26, extra);
        return;
    }
    respond_json(c, status, o, extra);
}

static void send_chunk(conn_t *c, const char *data, size_t len)
{
    char head[24];
    int n = snprintf(head, sizeof head, "%zx\r\n", len);
    conn_send(c, head, (size_t)n);
    conn_send(c, data, len);
    conn_send(c, "\r\n", 2);
}

/* One NDJSON line of a streamed answer (o is taken; NULL: none). */
static void send_line(conn_t *c, json_t *o)
{
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
    json_decref(o);
    if (line) {
        size_t n = strlen(line);
        line[n] = '\n'; /* over the NUL: the length is known */
        send_chunk(c, line, n + 1);
        free(line);
    }
}

/* A streamed answer's last line (o is taken), then its end. */
static void stream_end(conn_t *c, int status, json_t *o)
{
    count_status(c->srv, status);
    send_line(c, o);
    conn_send(c, "0\r\n\r\n", 5);
    c->streaming = false;
    conn_resume(c);
}

/* ---- members ---- */

static void pool_refill(server_t *s);
static void run_dispatch(run_t *r, member_t *m);
static void run_fail(run_t *r, int status, const char *msg);
static void run_check_done(run_t *r);
static void run_release(run_t *r);
static void safety_closed(uv_handle_t *h);
static void start_queued(server_t *s);
static void run_start(run_t *r);
static void account_report(server_t *s, const char *data, size_t len);
static void member_quit(member_t *m);
static void member_release(member_t *m);
static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b);
static void on_ctl_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b);

static void on_grace(uv_timer_t *t)
{
    member_quit(t->data); /* answered, but not ending by itself */
}

static void member_handle_closed(uv_handle_t *h)
{
    member_t *m = h->data;
    if (--m->open_handles == 0) {
        if (m->dbg_ctl >= 0)
            close(m->dbg_ctl);
        if (m->dbg_intr >= 0)
            close(m->dbg_intr);
        buf_free(&m->ctl_buf);
        buf_free(&m->job_buf);
        free(m);
    }
}

/* Closes the member's sockets; its process ends by itself (the control
 * socket closed before a job ends the sandbox; after one it is ending)
 * and on_member_exit closes the last handle. */
static void member_close(member_t *m)
{
    if (m->state == M_ENDED)
        return;
    pool_t *p = m->pool;
    if (m->state == M_READY) {
        for (member_t **pp = &p->ready; *pp; pp = &(*pp)->next)
            if (*pp == m) {
                *pp = m->next;
                p->nready--;
                break;
            }
    } else if (m->state == M_STARTING) {
        p->nstarting--;
    }
    m->state = M_ENDED;
    uv_close((uv_handle_t *)&m->ctl, member_handle_closed);
    uv_close((uv_handle_t *)&m->job, member_handle_closed);
    if (!uv_is_closing((uv_handle_t *)&m->in))
        uv_close((uv_handle_t *)&m->in, member_handle_closed);
}

/* Ends a member from outside: SIGQUIT, on which its supervisor kills the
 * sandbox, removes its cgroup and still reports. */
static void member_quit(member_t *m)
{
    if (!m->exited)
        uv_process_kill(&m->proc, SIGQUIT);
}

/* A run waiting for pool p's next ready member. */
static void waiter_add(pool_t *p, run_t *r)
{
    r->qnext = NULL;
    if (p->wait_tail)
        p->wait_tail->qnext = r;
    else
        p->wait_head = r;
    p->wait_tail = r;
    p->nwaiting++;
}

static run_t *waiter_take(pool_t *p)
{
    run_t *r = p->wait_head;
    if (r) {
        p->wait_head = r->qnext;
        if (!p->wait_head)
            p->wait_tail = NULL;
        p->nwaiting--;
        r->qnext = NULL;
        r->waiting = NULL;
    }
    return r;
}

static void waiter_remove(pool_t *p, run_t *r)
{
    run_t *prev = NULL;
    for (run_t *q = p->wait_head; q; prev = q, q = q->qnext)
        if (q == r) {
            if (prev)
                prev->qnext = r->qnext;
            else
                p->wait_head = r->qnext;
            if (p->wait_tail == r)
                p->wait_tail = prev;
            p->nwaiting--;
            r->waiting = NULL;
            return;
        }
}

static void later_remove(server_t *s, member_t *m)
{
    if (!m->in_later)
        return;
    for (member_t **pp = &s->later; *pp; pp = &(*pp)->later)
        if (*pp == m) {
            *pp = m->later;
            break;
        }
    m->in_later = false;
    m->later = NULL;
}

/* The member is gone and everything it sent is read (the process's end
 * can come before the last bytes of its sockets): its run is decided. */
static void member_settle(member_t *m)
{
    if (m->settled || !m->exited || (m->state != M_ENDED && !(m->ctl_eof && m->job_eof)))
        return;
    m->settled = true;
    server_t *s = m->srv;
    pool_t *p = m->pool;
    int64_t status = m->exit_status;
    int sig = m->term_signal;
    if (!m->got_ready) {
        /* it ended before it was ready: a set-up failure (its line is on
         * our stderr); no new member for this pool for a while, and the
         * run that waited longest is told */
        s->member_failures++;
        p->backoff_until = uv_now(s->loop) + BACKOFF_MS;
        run_t *w = waiter_take(p);
        if (w)
            run_fail(w, 500, "the sandbox could not be set up (see the server's log)");
    }
    run_t *r = m->run;
    if (r && !r->finished) {
        if (!r->report) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "the sandbox ended without a result (status %" PRId64 ", signal %d)", status,
                     sig);
            run_fail(r, 500, msg);
        } else {
            r->answer_done = true;
            run_check_done(r);
        }
    }
    later_remove(s, m);
    if (m->ending_now) {
        m->ending_now = false;
        s->releasing--;
    }
    if (m->answered) {
        m->answered = false;
        s->ending--;
        s->active--;
        start_queued(s);
    }
    member_close(m);
    uv_close((uv_handle_t *)&m->proc, member_handle_closed);
    uv_close((uv_handle_t *)&m->grace, member_handle_closed);
    pool_refill(s);
    maybe_finish_drain(s);
}

static void on_member_exit(uv_process_t *proc, int64_t status, int sig)
{
    member_t *m = proc->data;
    m->exited = true;
    m->exit_status = status;
    m->term_signal = sig;
    if (m->paused && m->state != M_ENDED && !m->ctl_eof) {
        /* what it sent is read to its end (and dropped if nobody reads) */
        m->paused = false;
        uv_read_start((uv_stream_t *)&m->ctl, alloc_cb, on_ctl_read);
    }
    member_settle(m);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    static char slab[65536]; /* one loop thread */
    (void)h;
    (void)hint;
    *b = uv_buf_init(slab, sizeof slab);
}

/* Takes one frame off b: its type, 0 when it is not whole yet, -1 when
 * it is malformed (too long). */
static int frame_take(buf_t *b, char **data, size_t *len)
{
    if (b->len < LCH_FRAME_HEAD)
        return 0;
    const unsigned char *h = (const unsigned char *)b->p;
    size_t n = (size_t)h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16 | (size_t)h[4] << 24;
    if (n > MAX_FRAME)
        return -1;
    if (b->len < LCH_FRAME_HEAD + n)
        return 0;
    *data = b->p + LCH_FRAME_HEAD;
    *len = n;
    return h[0];
}

/* An NDJSON line of output for a streaming run. */
static void stream_output(run_t *r, int which, const char *data, size_t len, bool last)
{
    conn_t *c = r->conn;
    if (!c || !r->req.stream)
        return;
    size_t total = r->ncarry[which] + len;
    char *in = malloc(total + 1);
    char *out = malloc(3 * total + 1);
    if (!in || !out) {
        free(in);
        free(out);
        return;
    }
    memcpy(in, r->carry[which], r->ncarry[which]);
    memcpy(in + r->ncarry[which], data, len);
    size_t outlen;
    size_t took = lch_utf8_take(in, total, last, out, &outlen);
    r->ncarry[which] = total - took;
    memcpy(r->carry[which], in + took, r->ncarry[which]);
    if (outlen) {
        send_line(c, json_pack("{s:s, s:s%}", "stream", which ? "stderr" : "stdout", "data", out,
                               outlen));
        member_t *m = r->m;
        if (c->wq_bytes > WQ_HIGH && m && !m->paused && !m->ctl_eof && m->state != M_ENDED) {
            /* the client reads slower than the guest writes: the relay, and
             * then the guest, wait (conn_unpause) */
            m->paused = true;
            uv_read_stop((uv_stream_t *)&m->ctl);
        }
    }
    free(in);
    free(out);
}

static void on_ctl_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    member_t *m = st->data;
    run_t *r = m->run;
    if (n < 0) {
        uv_read_stop(st);
        m->ctl_eof = true;
        member_settle(m); /* the member's end decides */
        return;
    }
    if (n == 0)
        return;
    if ((!r && !m->answered) || buf_add(&m->ctl_buf, b->base, (size_t)n) < 0) {
        /* nothing is due before a job: a member that speaks is broken */
        uv_read_stop(st);
        m->ctl_eof = true;
        member_quit(m);
        return;
    }
    for (;;) {
        char *data;
        size_t len;
        int t = frame_take(&m->ctl_buf, &data, &len);
        if (t == 0)
            break;
        if (t < 0) {
            uv_read_stop(st);
            m->ctl_eof = true;
            member_quit(m);
            return;
        }
        if (t == LCH_FRAME_REPORT)
            account_report(m->srv, data, len);
        if (r) {
            if (t == LCH_FRAME_STDOUT || t == LCH_FRAME_STDERR)
                stream_output(r, t == LCH_FRAME_STDERR, data, len, false);
            else if (t == LCH_FRAME_EOF)
                r->output_done = true;
            else if (t == LCH_FRAME_REPORT && !r->report)
                r->report = strndup(data, len);
        }
        buf_drop(&m->ctl_buf, LCH_FRAME_HEAD + len);
    }
    if (m->run)
        run_check_done(m->run);
}

/* The member is ready: the run waiting longest takes it, else it waits. */
static void member_ready(member_t *m)
{
    server_t *s = m->srv;
    pool_t *p = m->pool;
    m->got_ready = true;
    p->nstarting--;
    s->refill_sum += (double)(uv_now(s->loop) - m->spawned_ms) / 1000.0;
    s->refill_count++;
    run_t *w = m->gen == s->gen ? waiter_take(p) : NULL;
    if (w) {
        run_dispatch(w, m); /* refills: a start slot is free */
        return;
    }
    if (!p->want || s->draining || p->nready >= p->want || m->gen != s->gen) {
        /* made for a run that is gone, the server is closing, the pool is
         * full (made for runs that took others), or it was started before
         * a SIGHUP (with the profiles as they were) */
        m->state = M_BUSY; /* on no list, no longer starting */
        member_close(m);
        pool_refill(s);
        return;
    }
    m->state = M_READY;
    m->next = p->ready;
    p->ready = m;
    p->nready++;
    pool_refill(s); /* a start slot is free */
}

static void on_job_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    member_t *m = st->data;
    if (n < 0) {
        uv_read_stop(st);
        m->job_eof = true;
        if (m->run && !m->run->finished) {
            m->run->answer_done = true; /* no answer: the guest is gone */
            run_check_done(m->run);
        }
        member_settle(m);
        return;
    }
    if (n == 0)
        return;
    if (buf_add(&m->job_buf, b->base, (size_t)n) < 0) {
        uv_read_stop(st);
        m->job_eof = true;
        member_quit(m);
        return;
    }
    if (!m->got_ready) {
        if (m->job_buf.p[0] != LCH_JOB_READY || m->job_buf.len > 1) {
            uv_read_stop(st); /* nothing else comes before a job */
            m->job_eof = true;
            member_quit(m);
            return;
        }
        buf_drop(&m->job_buf, 1);
        member_ready(m);
        return;
    }
    run_t *r = m->run;
    char *data;
    size_t len;
    int t = frame_take(&m->job_buf, &data, &len);
    if (!r || t < 0 || (t && t != LCH_JOB_ANSWER)) {
        /* nothing is due between the ready byte and the job */
        uv_read_stop(st);
        m->job_eof = true;
        if (!r)
            member_quit(m);
        else {
            r->answer_done = true;
            run_check_done(r);
            member_settle(m); /* its supervisor may be gone already */
        }
        return;
    }
    if (t && !r->answer_done) {
        /* the guest's envelope, a newline, and the JSON of module.exports
         * as it made it (job.h): checked here, given on byte for byte (a
         * reparse would change its numbers) */
        const char *nl = memchr(data, '\n', len);
        size_t elen = nl ? (size_t)(nl - data) : len;
        json_error_t je;
        json_t *a = json_loadb(data, elen, 0, &je);
        if (a && json_is_object(a)) {
            r->answer = a;
            size_t xl = nl ? len - elen - 1 : 0;
            json_t *x =
                xl ? json_loadb(nl + 1, xl,
                                JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je)
                   : NULL;
            if (x && (r->exports_raw = malloc(xl))) {
                memcpy(r->exports_raw, nl + 1, xl);
                r->exports_len = xl;
            } else if (xl) {
                json_object_set_new(a, "exports_error",
                                    json_string("module.exports' JSON could not be read (a lone "
                                                "surrogate in a string?)"));
            }
            json_decref(x);
        } else {
            json_decref(a);
        }
        r->answer_done = true;
        buf_drop(&m->job_buf, LCH_FRAME_HEAD + len);
        uv_read_stop(st);
        m->job_eof = true;
        run_check_done(r);
        /* a supervisor killed from outside has ended already, without a
         * report: the run is decided now */
        member_settle(m);
    }
}

/* Starts a member of pool p: 0, or -errno. */
static int member_spawn(server_t *s, pool_t *p)
{
    int ctl[2], job[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0)
        return -errno;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, job) < 0) {
        int e = -errno;
        close(ctl[0]);
        close(ctl[1]);
        return e;
    }
    member_t *m = calloc(1, sizeof *m);
    if (!m) {
        close(ctl[0]);
        close(ctl[1]);
        close(job[0]);
        close(job[1]);
        return -ENOMEM;
    }
    /* --debug: the shell's channel, the guest's ends given as 5 and 6 */
    int dsh[2] = {-1, -1}, dintr[2] = {-1, -1};
    m->dbg_ctl = m->dbg_intr = -1;
    if (s->o->debug && (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, dsh) < 0 ||
                        pipe2(dintr, O_CLOEXEC) < 0)) {
        int e = -errno;
        for (int i = 0; i < 2; i++) {
            if (dsh[i] >= 0)
                close(dsh[i]);
            if (dintr[i] >= 0)
                close(dintr[i]);
        }
        close(ctl[0]);
        close(ctl[1]);
        close(job[0]);
        close(job[1]);
        free(m);
        return e;
    }
    m->srv = s;
    m->pool = p;
    m->state = M_STARTING;
    m->spawned_ms = uv_now(s->loop);
    m->gen = s->gen;
    char mem[32], cpu[48];
    snprintf(mem, sizeof mem, "--memory-limit=%zu", p->memory_mb);
    snprintf(cpu, sizeof cpu, "--cpu-time-limit=%" PRIu64, s->o->cpu_ms);
    const char *args[16 + LCH_SERVE_MAX_PASS];
    size_t na = 0;
    args[na++] = s->self;
    args[na++] = "--serve-member";
    args[na++] = "--profile";
    args[na++] = s->lim.profile_names[p->profile];
    args[na++] = "--app";
    args[na++] = s->app_dirs[p->app];
    args[na++] = mem;
    if (s->o->cpu_ms)
        args[na++] = cpu;
    for (size_t i = 0; i < s->o->npass; i++)
        args[na++] = s->o->pass[i];
    if (s->o->audit) {
        args[na++] = "--audit";
        args[na++] = s->o->audit;
    }
    if (s->o->debug)
        args[na++] = "--shell-channel";
    args[na] = NULL;
    uv_pipe_init(s->loop, &m->in, 0);
    uv_stdio_container_t io[7] = {
        {.flags = UV_CREATE_PIPE | UV_READABLE_PIPE, .data.stream = (uv_stream_t *)&m->in},
        {.flags = UV_IGNORE},
        {.flags = UV_INHERIT_FD, .data.fd = 2},
        {.flags = UV_INHERIT_FD, .data.fd = ctl[1]},
        {.flags = UV_INHERIT_FD, .data.fd = job[1]},
        {.flags = UV_INHERIT_FD, .data.fd = dsh[1]},
        {.flags = UV_INHERIT_FD, .data.fd = dintr[0]},
    };
    uv_process_options_t po = {.exit_cb = on_member_exit,
                               .file = s->self,
                               .args = (char **)args,
                               .cwd = s->app_dirs[p->app],
                               .stdio_count = s->o->debug ? 7 : 5,
                               .stdio = io};
    m->proc.data = m->in.data = m->ctl.data = m->job.data = m;
    int e = uv_spawn(s->loop, &m->proc, &po);
    close(ctl[1]);
    close(job[1]);
    if (s->o->debug) {
        close(dsh[1]);
        close(dintr[0]);
        m->dbg_ctl = dsh[0];
        m->dbg_intr = dintr[1];
    }
    if (e < 0) {
        /* the process handle is still to be closed (libuv's rule) */
        close(ctl[0]);
        close(job[0]);
        m->state = M_ENDED;
        m->open_handles = 2;
        uv_close((uv_handle_t *)&m->in, member_handle_closed);
        uv_close((uv_handle_t *)&m->proc, member_handle_closed);
        return e;
    }
    uv_pipe_init(s->loop, &m->ctl, 0);
    uv_pipe_init(s->loop, &m->job, 0);
    uv_pipe_open(&m->ctl, ctl[0]);
    uv_pipe_open(&m->job, job[0]);
    uv_timer_init(s->loop, &m->grace);
    m->grace.data = m;
    m->open_handles = 5; /* proc, grace, in, ctl, job */
    uv_read_start((uv_stream_t *)&m->ctl, alloc_cb, on_ctl_read);
    uv_read_start((uv_stream_t *)&m->job, alloc_cb, on_job_read);
    p->nstarting++;
    return 0;
}

/* Releases the answered member that waited longest for its end: it has
 * the grace to end from now. */
static void later_release_one(server_t *s)
{
    member_t *m = s->later, **last = &s->later;
    while (m->later) {
        last = &m->later;
        m = m->later;
    }
    *last = NULL;
    m->in_later = false;
    m->ending_now = true;
    s->releasing++;
    member_release(m);
    uv_timer_start(&m->grace, on_grace, GRACE_MS, 0);
}

static void on_refill_timer(uv_timer_t *t)
{
    pool_refill(t->data);
}

/* Tops each pool up: warm ones to their size plus their waiting runs, cold
 * ones to their waiting runs; not while draining (but for runs already
 * waiting), not during a pool's backoff after a failed member. */
static void pool_refill(server_t *s)
{
    uint64_t now = uv_now(s->loop), wake = 0;
    /* sandboxes being made at once: each takes a core for a while, and
     * more at once only make them all ready later (a job's CPU too) */
    unsigned starting = 0, waiting = s->queued;
    for (size_t i = 0; i < MAX_POOLS; i++) {
        starting += s->pools[i].nstarting;
        waiting += s->pools[i].nwaiting;
    }
    /* Answered sandboxes end one by one with the refills (half the cores
     * for both) while runs are under way; all at once when none is, or
     * when runs wait (for a sandbox or a slot: their ends free both). */
    while (s->later &&
           (!s->running || s->draining || waiting || starting + s->releasing < s->topup_starting))
        later_release_one(s);
    for (size_t i = 0; i < MAX_POOLS; i++) {
        pool_t *p = &s->pools[i];
        if (!p->used)
            continue;
        unsigned want = (s->draining ? 0 : p->want) + p->nwaiting;
        if (p->nready + p->nstarting >= want)
            continue;
        if (p->backoff_until > now) {
            if (!wake || p->backoff_until < wake)
                wake = p->backoff_until;
            continue;
        }
        /* A pool that still has a sandbox ready and no run waiting makes
         * the next one after the runs under way are answered (or DEFER_MS
         * after the last one began): made at once, it takes the cores
         * their sandboxes, the supervisors and this loop need now. */
        if (p->nready && !p->nwaiting && s->running && s->defer_to > now) {
            if (!wake || s->defer_to < wake)
                wake = s->defer_to;
            continue;
        }
        /* A pool with a sandbox ready and no run waiting is topped up on
         * half the cores (one of two): a sandbox being made takes a core
         * for tens of milliseconds, and the runs that come meanwhile need
         * the others. Runs waiting, or none ready: as fast as it goes. */
        bool topup = !p->nwaiting && p->nready;
        unsigned cap = topup ? s->topup_starting : s->max_starting;
        while (p->nready + p->nstarting < want && starting + (topup ? s->releasing : 0) < cap) {
            starting++;
            if (member_spawn(s, p) < 0) {
                p->backoff_until = now + BACKOFF_MS;
                if (!wake || p->backoff_until < wake)
                    wake = p->backoff_until;
                break;
            }
        }
    }
    if (wake)
        uv_timer_start(&s->refill, on_refill_timer, wake - now, 0);
}

static pool_t *pool_for(server_t *s, size_t app, size_t profile, size_t memory_mb)
{
    pool_t *spare = NULL;
    for (size_t i = 0; i < MAX_POOLS; i++) {
        pool_t *p = &s->pools[i];
        if (p->used && p->app == app && p->profile == profile && p->memory_mb == memory_mb)
            return p;
        if (!spare && (!p->used || (!p->want && !p->nready && !p->nstarting && !p->nwaiting)))
            spare = p; /* unused, or a cold pool with nothing in it */
    }
    if (spare)
        *spare = (pool_t){.app = app, .profile = profile, .memory_mb = memory_mb, .used = true};
    return spare;
}

/* ---- runs ---- */

static void make_id(char out[17])
{
    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        memset(r, 0, sizeof r);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static void on_safety(uv_timer_t *t)
{
    run_t *r = t->data;
    /* the member's own wall clock did not end it: its supervisor is stuck */
    if (r->m && !r->m->exited)
        uv_process_kill(&r->m->proc, SIGKILL); /* its sandbox dies with it */
}

static void on_wait_deadline(uv_timer_t *t)
{
    run_t *r = t->data;
    if (r->waiting)
        run_fail(r, 503, "no sandbox was ready within the run's time limit");
}

static void write_done_free(uv_write_t *w, int status)
{
    (void)status;
    free(w->data);
    free(w);
}

static void job_shut_done(uv_shutdown_t *sh, int status)
{
    (void)status;
    free(sh);
}

/* The guest waits, after its answer, for its job socket to be shut before
 * it ends (launcher/job.h): its end takes a core for milliseconds, which
 * the client's answer should not wait for. Shut once the answer is out,
 * or at once when the run waits for the sandbox's report. */
static void member_release(member_t *m)
{
    /* (whether or not its reading is over: the answer read stops it) */
    if (m->released || m->state == M_ENDED)
        return;
    m->released = true;
    uv_shutdown_t *sh = malloc(sizeof *sh);
    if (!sh) {
        member_quit(m);
        return;
    }
    if (uv_shutdown(sh, (uv_stream_t *)&m->job, job_shut_done) < 0)
        free(sh); /* the guest ends after its wait (job.h) */
}

static void shutdown_done(uv_shutdown_t *sh, int status)
{
    (void)status;
    member_t *m = sh->data;
    free(sh);
    if (!uv_is_closing((uv_handle_t *)&m->in))
        uv_close((uv_handle_t *)&m->in, member_handle_closed);
}

/* Writes an bytes then bn (copied, one write: one wake-up of the reader)
 * on a member's stream. */
static int member_write(uv_stream_t *st, const void *a, size_t an, const void *b, size_t bn)
{
    uv_write_t *w = malloc(sizeof *w);
    char *copy = malloc(an + bn ? an + bn : 1);
    if (!w || !copy) {
        free(w);
        free(copy);
        return -ENOMEM;
    }
    if (an)
        memcpy(copy, a, an);
    if (bn)
        memcpy(copy + an, b, bn);
    w->data = copy;
    uv_buf_t buf = uv_buf_init(copy, (unsigned)(an + bn));
    int e = uv_write(w, st, &buf, 1, write_done_free);
    if (e < 0) {
        free(copy);
        free(w);
    }
    return e;
}

static void run_dispatch(run_t *r, member_t *m)
{
    server_t *s = r->srv;
    r->m = m;
    m->run = r;
    m->state = M_BUSY;
    r->t0_ns = uv_hrtime();
    s->running++;
    s->defer_to = uv_now(s->loop) + DEFER_MS;
    unsigned char start[LCH_SERVE_START_LEN] = {LCH_SERVE_START};
    for (int i = 0; i < 8; i++)
        start[1 + i] = (unsigned char)(r->req.timeout_ms >> (8 * i));
    memcpy(start + 9, r->id, LCH_JOB_ID_LEN); /* for the supervisor's audit lines */
    uint64_t now = uv_hrtime() / 1000000;     /* CLOCK_MONOTONIC, as the supervisor's */
    for (int i = 0; i < 8; i++)
        start[25 + i] = (unsigned char)(now >> (8 * i));
    size_t jl = strlen(r->req.job_json);
    unsigned char head[LCH_FRAME_HEAD] = {LCH_JOB_FRAME, (unsigned char)jl,
                                          (unsigned char)(jl >> 8), (unsigned char)(jl >> 16),
                                          (unsigned char)(jl >> 24)};
    if (!r->safety_on) { /* (a run that waited for a sandbox has it) */
        uv_timer_init(s->loop, &r->safety);
        r->safety.data = r;
        r->safety_on = true;
    }
    uv_timer_start(&r->safety, on_safety, r->req.timeout_ms + SAFETY_MS, 0);
    /* the job first: the guest's wake-up is the one the answer waits for */
    if (member_write((uv_stream_t *)&m->job, head, sizeof head, r->req.job_json, jl) < 0 ||
        member_write((uv_stream_t *)&m->ctl, start, sizeof start, NULL, 0) < 0 ||
        (r->req.stdin_len &&
         member_write((uv_stream_t *)&m->in, r->req.stdin_data, r->req.stdin_len, NULL, 0) < 0)) {
        member_quit(m); /* it reports without a job, or ends: on_member_exit answers */
        return;
    }
    uv_shutdown_t *sh = malloc(sizeof *sh);
    if (sh) {
        sh->data = m;
        if (uv_shutdown(sh, (uv_stream_t *)&m->in, shutdown_done) < 0)
            free(sh);
    }
    if (r->req.stream && r->conn) {
        char extra[64];
        snprintf(extra, sizeof extra, "X-Request-Id: %s\r\n", r->id);
        r->conn->streaming = true;
        send_head(r->conn, 200, "application/x-ndjson", -1, extra);
    }
    pool_refill(s);
}

/* Takes a member for r: a ready one of its pool, else the next one that
 * is (made for it when none is on its way). */
static void run_start(run_t *r)
{
    server_t *s = r->srv;
    s->active++;
    pool_t *p = pool_for(s, r->req.app, r->req.profile, r->req.memory_mb);
    if (!p) {
        run_fail(r, 503, "too many kinds of sandbox at once (apps x profiles x memory sizes)");
        return;
    }
    member_t *m = p->ready;
    if (m) {
        p->ready = m->next;
        p->nready--;
        run_dispatch(r, m);
        return;
    }
    r->waiting = p;
    waiter_add(p, r);
    /* no sandbox for it within its own time limit (sandboxes that keep
     * failing, a storm of SIGHUPs): answered, not left waiting */
    uv_timer_init(s->loop, &r->safety);
    r->safety.data = r;
    r->safety_on = true;
    uv_timer_start(&r->safety, on_wait_deadline, r->req.timeout_ms + SAFETY_MS, 0);
    pool_refill(s);
}

/* The run that waited longest for a slot, when there is one. */
static void start_queued(server_t *s)
{
    if (s->queue_head && s->active < s->o->max_concurrent) {
        run_t *q = s->queue_head;
        s->queue_head = q->qnext;
        if (!s->queue_head)
            s->queue_tail = NULL;
        s->queued--;
        q->in_queue = false;
        run_start(q);
    }
}

static void safety_closed(uv_handle_t *h)
{
    run_t *r = h->data;
    lch_serve_req_free(&r->req);
    free(r->report);
    json_decref(r->answer);
    free(r->exports_raw);
    free(r);
}

static void run_release(run_t *r)
{
    server_t *s = r->srv;
    if (r->waiting)
        waiter_remove(r->waiting, r);
    bool still = false;
    if (r->m) {
        member_t *m = r->m;
        m->run = NULL;
        s->running--;
        if (!m->exited && !r->report) {
            /* answered before the member's end: it still holds a slot
             * until then (on_member_exit), and has a short while to end
             * once released. Its end (an isolate's address space torn
             * down, the sandbox's mounts and cgroup removed: milliseconds
             * of a core) is background work, as a refill is (pool_refill) */
            m->answered = true;
            s->ending++;
            still = true;
            m->later = s->later;
            s->later = m;
            m->in_later = true;
        } else {
            member_release(m);
            member_close(m);
        }
        r->m = NULL;
    }
    if (r->conn)
        r->conn->run = NULL;
    if (!still)
        s->active--;
    start_queued(s);
    pool_refill(s); /* what waited for this run */
    if (r->safety_on) {
        uv_close((uv_handle_t *)&r->safety, safety_closed);
    } else {
        r->safety.data = r;
        safety_closed((uv_handle_t *)&r->safety);
    }
    maybe_finish_drain(s);
}

/* Ends r with an error answer (or, once streaming, an error line). */
static void run_fail(run_t *r, int status, const char *msg)
{
    if (r->finished)
        return;
    r->finished = true;
    conn_t *c = r->conn;
    if (c) {
        char extra[64];
        snprintf(extra, sizeof extra, "X-Request-Id: %s\r\n", r->id);
        json_t *o = json_pack("{ssso}", "id", r->id, "error", lossy_string(msg));
        if (c->streaming) {
            stream_end(c, status, o); /* the head is sent: the error is the last line */
        } else if (o) {
            respond_json(c, status, o, extra);
        } else {
            respond_error(c, 500, "out of memory", extra);
        }
    }
    if (status >= 500)
        serve_log("request %s: %s", r->id, msg);
    run_release(r);
}

/* A member's report, counted in the metrics (whether or not its run is
 * still waiting for it). */
static void account_report(server_t *s, const char *data, size_t len)
{
    json_error_t je;
    json_t *rep = json_loadb(data, len, 0, &je);
    const char *limit = json_string_value(json_object_get(rep, "limit"));
    for (int i = 0; limit && i < 6; i++)
        if (!strcmp(limit, limit_names[i]))
            s->limits[i]++;
    json_t *den = json_object_get(rep, "denials_claimed_by_guest");
    json_t *by = json_object_get(rep, "denials_by_domain_claimed_by_guest");
    if (json_is_integer(den) && json_integer_value(den) > 0) {
        /* by domain when the parts are told (they add up: report.c) */
        json_int_t told = 0;
        for (int i = 0; i < LCH_DENIAL_DOMAINS; i++) {
            json_t *v = json_object_get(by, lch_denial_domains[i]);
            if (json_is_integer(v) && json_integer_value(v) > 0) {
                s->denials[i] += (uint64_t)json_integer_value(v);
                told += json_integer_value(v);
            }
        }
        if (json_integer_value(den) > told)
            s->denials[LCH_DENIAL_DOMAINS] += (uint64_t)(json_integer_value(den) - told);
    }
    json_decref(rep);
}

/* The request's result. Either early — the guest's answer says its run
 * ended by itself and the relay says all its output is through, so the
 * sandbox's teardown need not be waited for — or from the member's report
 * (a limit, a crash: only the supervisor's word counts there). */
static void run_check_done(run_t *r)
{
    if (r->finished || !r->answer_done)
        return;
    bool early = r->answer && json_is_true(json_object_get(r->answer, "ended")) && r->output_done &&
                 json_is_integer(json_object_get(r->answer, "exit_code"));
    if (!early && !r->report) {
        if (r->m)
            member_release(r->m); /* its report comes when it ends */
        return;
    }
    server_t *s = r->srv;
    json_t *res = json_object();
    if (!res) {
        run_fail(r, 500, "out of memory");
        return;
    }
    const char *lim_out = NULL;
    char lim_buf[16];
    if (early) {
        json_object_set(res, "exit_code", json_object_get(r->answer, "exit_code"));
    } else {
        json_error_t je;
        json_t *rep = json_loads(r->report, 0, &je);
        const char *limit = json_string_value(json_object_get(rep, "limit"));
        if (!rep || !limit || !json_is_integer(json_object_get(rep, "exit_code"))) {
            json_decref(rep);
            json_decref(res);
            run_fail(r, 500, "the sandbox's report was unreadable");
            return;
        }
        if (!strcmp(limit, "launcher")) {
            json_t *error = json_object_get(rep, "error");
            char msg[512];
            snprintf(msg, sizeof msg, "the sandbox failed: %s",
                     json_is_string(error) ? json_string_value(error) : "set-up failed");
            json_decref(rep);
            json_decref(res);
            run_fail(r, 500, msg);
            return;
        }
        const char *sig = json_string_value(json_object_get(rep, "signal"));
        if (!r->answer && !strcmp(limit, "none") && sig) {
            /* killed from outside the walls (no limit of ours ended it) */
            char msg[128];
            snprintf(msg, sizeof msg, "the sandbox was killed by %s before it answered", sig);
            json_decref(rep);
            json_decref(res);
            run_fail(r, 500, msg);
            return;
        }
        if (strcmp(limit, "none")) {
            /* a copy: rep is freed below */
            snprintf(lim_buf, sizeof lim_buf, "%s", !strcmp(limit, "time") ? "timeout" : limit);
            lim_out = lim_buf;
        }
        json_object_set(res, "exit_code", json_object_get(rep, "exit_code"));
        json_decref(rep);
    }
    json_t *exports_error = r->answer ? json_object_get(r->answer, "exports_error") : NULL;
    double ms = (double)(uv_hrtime() - r->t0_ns) / 1e6;
    json_object_set_new(res, "id", json_string(r->id));
    if (!r->exports_raw)
        json_object_set_new(res, "exports", json_null());
    if (json_is_string(exports_error))
        json_object_set(res, "exports_error", exports_error);
    else if (!r->answer && !lim_out)
        json_object_set_new(res, "exports_error",
                            json_string("the sandbox ended without an answer"));
    json_object_set_new(res, "duration_ms", json_real((double)(long long)(ms * 1000) / 1000));
    json_object_set_new(res, "limit", lim_out ? json_string(lim_out) : json_null());
    int b = 0;
    while (b < 10 && ms / 1000.0 > bounds[b])
        b++;
    s->hist[b]++;
    s->dur_sum += ms / 1000.0;
    s->dur_count++;
    r->finished = true;
    /* the object, with the exports' own bytes spliced in before its end */
    char *text = json_dumps(res, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(res);
    buf_t out = {0};
    if (text && strlen(text) >= 2) {
        size_t n = strlen(text);
        buf_add(&out, text, n - 1);
        if (r->exports_raw) {
            buf_add(&out, ",\"exports\":", 11);
            buf_add(&out, r->exports_raw, r->exports_len);
        }
        buf_add(&out, "}\n", 2);
    }
    free(text);
    conn_t *c = r->conn;
    if (!out.p) {
        run_fail(r, 500, "out of memory");
        return;
    }
    if (c && c->streaming) {
        stream_output(r, 0, "", 0, true);
        stream_output(r, 1, "", 0, true);
        count_status(s, 200);
        send_chunk(c, out.p, out.len);
        conn_send(c, "0\r\n\r\n", 5);
        c->streaming = false;
        conn_resume(c);
    } else if (c) {
        char extra[64];
        snprintf(extra, sizeof extra, "X-Request-Id: %s\r\n", r->id);
        respond(c, 200, "application/json", out.p, out.len, extra);
    }
    buf_free(&out);
    run_release(r);
}

/* ---- the HTTP side ---- */

static void handle_request(conn_t *c);

static void conn_handle_closed(uv_handle_t *h)
{
    conn_t *c = h->data;
    if (--c->open_handles > 0)
        return;
    buf_free(&c->url);
    buf_free(&c->body);
    buf_free(&c->pending);
    buf_free(&c->field);
    free(c);
}

/* Whether the client closed its socket altogether (not only its sending
 * side): a Unix socket tells, with POLLHUP; TCP does not. */
static bool peer_gone(conn_t *c)
{
    uv_os_fd_t fd;
    if (uv_fileno(&c->h.handle, &fd) < 0)
        return false;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
}

static void conn_close(conn_t *c)
{
    if (c->closing || uv_is_closing(&c->h.handle))
        return;
    c->closing = true;
    server_t *s = c->srv;
    if (c->run) {
        /* the client is gone: its run is ended */
        run_t *r = c->run;
        r->conn = NULL;
        c->run = NULL;
        if (r->in_queue) {
            run_t **pp = &s->queue_head, *prev = NULL;
            for (; *pp && *pp != r; prev = *pp, pp = &(*pp)->qnext)
                ;
            if (*pp) {
                *pp = r->qnext;
                if (s->queue_tail == r)
                    s->queue_tail = prev;
                s->queued--;
            }
            r->safety.data = r;
            safety_closed((uv_handle_t *)&r->safety);
        } else if (r->m) {
            member_t *m = r->m;
            member_quit(m); /* it still reports: the run ends then */
            if (m->paused && m->state != M_ENDED && !m->ctl_eof) {
                /* its relay may wait on a full socket: read (and drop) */
                m->paused = false;
                uv_read_start((uv_stream_t *)&m->ctl, alloc_cb, on_ctl_read);
            }
        } else {
            r->finished = true; /* waiting for a member */
            run_release(r);
        }
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    uv_close(&c->h.handle, conn_handle_closed);
    uv_close((uv_handle_t *)&c->idle, conn_handle_closed);
    maybe_finish_drain(s);
}

static void on_idle(uv_timer_t *t)
{
    conn_close(t->data);
}

static int on_message_begin(http_parser *p)
{
    conn_t *c = p->data;
    c->url.len = c->body.len = c->field.len = 0;
    c->too_big = c->expect_continue = c->in_field = c->headers_too_big = false;
    c->header_bytes = 0;
    /* the whole request by a deadline: a byte now and then keeps no
     * connection (the idle timer's repeat is off until the answer) */
    c->in_message = true;
    uv_timer_start(&c->idle, on_idle, HEAD_MS, 0);
    return 0;
}

/* Counts a piece of the request's head: false past MAX_HEADERS_BYTES. */
static bool head_fits(conn_t *c, size_t n)
{
    c->header_bytes += n;
    c->headers_too_big |= c->header_bytes > MAX_HEADERS_BYTES;
    return !c->headers_too_big;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    conn_t *c = p->data;
    return !head_fits(c, n) || buf_add(&c->url, at, n) < 0;
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    conn_t *c = p->data;
    if (!head_fits(c, n + (c->in_field ? 0 : 4))) /* ": " and CRLF a header */
        return 1;
    if (!c->in_field)
        c->field.len = 0;
    c->in_field = true;
    return buf_add(&c->field, at, n) < 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    conn_t *c = p->data;
    if (!head_fits(c, n))
        return 1;
    if (c->in_field && c->field.len == 6 && !strncasecmp(c->field.p, "expect", 6) && n >= 12 &&
        !strncasecmp(at, "100-continue", 12))
        c->expect_continue = true;
    c->in_field = false;
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    conn_t *c = p->data;
    if (p->content_length != ULLONG_MAX && p->content_length > c->srv->o->max_body) {
        c->too_big = true;
        return 3; /* an error (1 would mean "no body"): conn_parse answers 413 */
    }
    if (c->expect_continue && p->method == HTTP_POST) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        conn_send(c, cont, sizeof cont - 1);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    conn_t *c = p->data;
    if (c->body.len + n > c->srv->o->max_body) {
        c->too_big = true;
        return 1;
    }
    return buf_add(&c->body, at, n) < 0;
}

static int on_message_complete(http_parser *p)
{
    conn_t *c = p->data;
    c->handling = true;
    c->in_message = false;
    c->keep_alive = http_should_keep_alive(p) && !c->srv->draining && !c->peer_eof;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* Parses what is pending; answers a complete request. */
static void conn_parse(conn_t *c)
{
    while (!c->handling && !c->closing && c->pending.len) {
        size_t done =
            http_parser_execute(&c->parser, &parser_settings, c->pending.p, c->pending.len);
        enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
        if (c->handling) {
            /* paused at a message's end: the rest is the next request */
            buf_drop(&c->pending, done);
            http_parser_pause(&c->parser, 0);
            uv_read_stop(&c->h.stream);
            uv_timer_stop(&c->idle);
            handle_request(c);
            return;
        }
        if (e != HPE_OK) {
            c->keep_alive = false;
            c->handling = true;
            if (c->too_big)
                respond_error(c, 413, "the body is over the server's --max-body", NULL);
            else if (c->headers_too_big)
                respond_error(c, 413, "the request's head is too large", NULL);
            else
                respond_error(c, 400, http_errno_description(e), NULL);
            return;
        }
        c->pending.len = 0;
    }
}

static void on_conn_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    conn_t *c = st->data;
    if (n < 0) {
        if (n == UV_EOF && c->handling && !peer_gone(c)) {
            /* the client shut its side after its request (legal in
             * HTTP/1.1): it gets its answer, then the connection ends; one
             * that left altogether over TCP (not told apart from a shut
             * side) ends its run at the first write */
            c->peer_eof = true;
            c->keep_alive = false;
            uv_read_stop(st);
            return;
        }
        conn_close(c); /* mid-run: conn_close ends the run */
        return;
    }
    if (n == 0)
        return;
    if (c->handling && c->pending.len + (size_t)n > MAX_HEADERS_BYTES + c->srv->o->max_body) {
        /* pipelined past what one request may be: read no more until this
         * answer is done (its client leaving is then seen at a write) */
        uv_read_stop(st);
        return;
    }
    if (buf_add(&c->pending, b->base, (size_t)n) < 0) {
        conn_close(c);
        return;
    }
    if (!c->handling && !c->in_message)
        uv_timer_again(&c->idle);
    conn_parse(c);
}

/* The answer went out before the shutdown: the connection is done. */
static void conn_shut(uv_shutdown_t *sh, int status)
{
    (void)status;
    conn_t *c = sh->handle->data;
    free(sh);
    conn_close(c);
}

/* After an answer: read the next request, or close. */
static void conn_resume(conn_t *c)
{
    if (c->closing)
        return;
    c->handling = false;
    /* the idle time runs from the last write the client took (on_written
     * starts it again), not from when the answer was queued */
    uv_timer_start(&c->idle, on_idle, IDLE_MS, IDLE_MS);
    if (!c->keep_alive) {
        uv_read_stop(&c->h.stream);
        uv_shutdown_t *sh = malloc(sizeof *sh);
        /* the answer is queued before the shutdown: it goes out first */
        if (sh && uv_shutdown(sh, &c->h.stream, conn_shut) == 0)
            return;
        free(sh);
        conn_close(c);
        return;
    }
    if (c->wq_bytes > WQ_HIGH) {
        c->resume_wait = true; /* no next request while the client does not read */
        uv_read_stop(&c->h.stream);
        return;
    }
    uv_read_start(&c->h.stream, alloc_cb, on_conn_read);
    conn_parse(c);
}

/* The client took enough of what was queued: the next request is read,
 * a streaming run's member is read again. */
static void conn_unpause(conn_t *c)
{
    if (c->resume_wait) {
        c->resume_wait = false;
        conn_resume(c);
        return;
    }
    member_t *m = c->run ? c->run->m : NULL;
    if (m && m->paused && m->state != M_ENDED && !m->ctl_eof) {
        m->paused = false;
        uv_read_start((uv_stream_t *)&m->ctl, alloc_cb, on_ctl_read);
    }
}

static void metrics(conn_t *c)
{
    server_t *s = c->srv;
    buf_t b = {0};
    char line[256];
#define OUT(...)                                           \
    do {                                                   \
        int n_ = snprintf(line, sizeof line, __VA_ARGS__); \
        buf_add(&b, line, (size_t)n_);                     \
    } while (0)
    OUT("# HELP secure_exec_requests_total Answers by HTTP status.\n");
    OUT("# TYPE secure_exec_requests_total counter\n");
    for (int i = 0; i < 8; i++)
        OUT("secure_exec_requests_total{status=\"%d\"} %" PRIu64 "\n", statuses[i], s->requests[i]);
    OUT("# HELP secure_exec_run_duration_seconds Runs from dispatch to result.\n");
    OUT("# TYPE secure_exec_run_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < 10; i++) {
        cum += s->hist[i];
        OUT("secure_exec_run_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n", bounds[i], cum);
    }
    cum += s->hist[10];
    OUT("secure_exec_run_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", cum);
    OUT("secure_exec_run_duration_seconds_sum %.6f\n", s->dur_sum);
    OUT("secure_exec_run_duration_seconds_count %" PRIu64 "\n", s->dur_count);
    OUT("# HELP secure_exec_limits_total Runs ended by a limit, by kind.\n");
    OUT("# TYPE secure_exec_limits_total counter\n");
    for (int i = 0; i < 6; i++)
        OUT("secure_exec_limits_total{kind=\"%s\"} %" PRIu64 "\n",
            i == 0 ? "timeout" : limit_names[i], s->limits[i]);
    unsigned ready = 0, starting = 0;
    for (size_t i = 0; i < MAX_POOLS; i++) {
        ready += s->pools[i].nready;
        starting += s->pools[i].nstarting;
    }
    OUT("# HELP secure_exec_pool_ready Sandboxes waiting for a job.\n");
    OUT("# TYPE secure_exec_pool_ready gauge\nsecure_exec_pool_ready %u\n", ready);
    OUT("# HELP secure_exec_pool_starting Sandboxes being made.\n");
    OUT("# TYPE secure_exec_pool_starting gauge\nsecure_exec_pool_starting %u\n", starting);
    OUT("# HELP secure_exec_pool_refill_seconds From a sandbox's start to ready.\n");
    OUT("# TYPE secure_exec_pool_refill_seconds summary\n");
    OUT("secure_exec_pool_refill_seconds_sum %.6f\n", s->refill_sum);
    OUT("secure_exec_pool_refill_seconds_count %" PRIu64 "\n", s->refill_count);
    OUT("# HELP secure_exec_sandbox_failures_total Sandboxes that ended before ready.\n");
    OUT("# TYPE secure_exec_sandbox_failures_total counter\n");
    OUT("secure_exec_sandbox_failures_total %" PRIu64 "\n", s->member_failures);
    OUT("# HELP secure_exec_runs_active Runs holding or waiting for a sandbox.\n");
    OUT("# TYPE secure_exec_runs_active gauge\nsecure_exec_runs_active %u\n", s->active);
    OUT("# HELP secure_exec_sandboxes_ending Answered runs whose sandbox has not ended yet "
        "(counted in runs_active).\n");
    OUT("# TYPE secure_exec_sandboxes_ending gauge\nsecure_exec_sandboxes_ending %u\n", s->ending);
    OUT("# HELP secure_exec_denials_total Permission refusals the runs' brokers counted, by "
        "domain.\n");
    OUT("# TYPE secure_exec_denials_total counter\n");
    for (int i = 0; i <= LCH_DENIAL_DOMAINS; i++)
        OUT("secure_exec_denials_total{domain=\"%s\"} %" PRIu64 "\n",
            i < LCH_DENIAL_DOMAINS ? lch_denial_domains[i] : "unknown", s->denials[i]);
#undef OUT
    respond(c, 200, "text/plain; version=0.0.4", b.p ? b.p : "", b.len, NULL);
    buf_free(&b);
}

static bool server_ready(server_t *s)
{
    if (s->draining)
        return false;
    for (size_t i = 0; i < MAX_POOLS; i++)
        if (s->pools[i].used && s->pools[i].want && !s->pools[i].nready)
            return false;
    return true;
}

/* POST /v1/attach/ID (serve --debug, a unix socket): the running job's
 * end of the operator shell's channel goes to the client with the answer
 * (SCM_RIGHTS), once per job. */
static void attach(conn_t *c, const char *id)
{
    server_t *s = c->srv;
    if (c->h.handle.type != UV_NAMED_PIPE) {
        respond_error(c, 400, "a shell attaches over the server's unix socket only", NULL);
        return;
    }
    if (!*id && (c->parser.method == HTTP_GET || c->parser.method == HTTP_HEAD)) {
        /* GET /v1/attach/: the jobs running now, to attach to */
        json_t *jobs = json_array();
        uint64_t now = uv_hrtime();
        for (conn_t *k = s->conns; k; k = k->next)
            if (k->run && k->run->m && !k->run->finished)
                json_array_append_new(jobs, json_pack("{s:s, s:f}", "id", k->run->id, "seconds",
                                                      (double)(now - k->run->t0_ns) / 1e9));
        respond_json(c, 200, json_pack("{s:o}", "jobs", jobs), NULL);
        return;
    }
    if (c->parser.method != HTTP_POST) {
        respond_error(c, 405, "use POST", "Allow: POST\r\n");
        return;
    }
    run_t *r = NULL;
    for (conn_t *k = s->conns; k && !r; k = k->next)
        if (k->run && !strcmp(k->run->id, id))
            r = k->run;
    member_t *m = r && !r->finished ? r->m : NULL;
    if (m && (m->dbg_attached || c->wq_bytes)) {
        respond_error(c, 409, "a shell was attached to that job already", NULL);
        return;
    }
    if (!m || m->dbg_ctl < 0) {
        respond_error(c, 404, "no job of that id is running", NULL);
        return;
    }
    char body[96], msg[320];
    int bl = snprintf(body, sizeof body, "{\"attached\":\"%s\"}\n", id);
    int ml = snprintf(msg, sizeof msg,
                      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                      "%d\r\nX-Request-Id: %s\r\nConnection: close\r\n\r\n%s",
                      bl, id, body);
    int fds[2] = {m->dbg_ctl, m->dbg_intr};
    union {
        char buf[CMSG_SPACE(sizeof fds)];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = {.iov_base = msg, .iov_len = (size_t)ml};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(cm), fds, sizeof fds);
    uv_os_fd_t fd;
    if (uv_fileno(&c->h.handle, &fd) < 0 || sendmsg(fd, &mh, MSG_NOSIGNAL) != ml) {
        conn_close(c);
        return;
    }
    m->dbg_attached = true;
    /* the channel is the shell's alone now: when it goes, the guest's
     * writes fail rather than fill a socket nobody reads */
    close(m->dbg_ctl);
    close(m->dbg_intr);
    m->dbg_ctl = m->dbg_intr = -1;
    count_status(s, 200);
    serve_log("request %s: an operator shell attached", id);
    conn_close(c);
}

static void handle_request(conn_t *c)
{
    server_t *s = c->srv;
    char *q = strchr(c->url.p ? c->url.p : "", '?');
    if (q)
        *q = '\0';
    const char *path = c->url.p ? c->url.p : "";
    int method = c->parser.method;
    if (!strcmp(path, "/healthz") || !strcmp(path, "/readyz") || !strcmp(path, "/metrics")) {
        if (method != HTTP_GET && method != HTTP_HEAD) {
            respond_error(c, 405, "use GET", "Allow: GET, HEAD\r\n");
            return;
        }
        if (!strcmp(path, "/metrics"))
            metrics(c);
        else if (!strcmp(path, "/healthz"))
            respond(c, 200, "text/plain", "ok\n", 3, NULL);
        else if (server_ready(s))
            respond(c, 200, "text/plain", "ready\n", 6, NULL);
        else
            respond(c, 503, "text/plain", s->draining ? "draining\n" : "warming\n",
                    s->draining ? 9 : 8, NULL);
        return;
    }
    if (s->o->debug && !strncmp(path, "/v1/attach/", 11)) {
        attach(c, path + 11);
        return;
    }
    if (strcmp(path, "/v1/run")) {
        respond_error(c, 404, "no such endpoint (POST /v1/run, GET /healthz, /readyz, /metrics)",
                      NULL);
        return;
    }
    if (method != HTTP_POST) {
        respond_error(c, 405, "use POST", "Allow: POST\r\n");
        return;
    }
    if (s->draining) {
        respond_error(c, 503, "the server is shutting down", "Retry-After: 1\r\n");
        return;
    }
    run_t *r = calloc(1, sizeof *r);
    if (!r) {
        respond_error(c, 500, "out of memory", NULL);
        return;
    }
    r->srv = s;
    make_id(r->id);
    char err[256];
    if (lch_serve_request(c->body.p ? c->body.p : "", c->body.len, &s->lim, &r->req, err,
                          sizeof err) < 0) {
        char extra[64];
        snprintf(extra, sizeof extra, "X-Request-Id: %s\r\n", r->id);
        respond_error(c, 400, err, extra);
        free(r);
        return;
    }
    if (lch_serve_req_set_id(&r->req, r->id) < 0) {
        lch_serve_req_free(&r->req);
        free(r);
        respond_error(c, 500, "out of memory", NULL);
        return;
    }
    if (s->active >= s->o->max_concurrent) {
        /* a slot held by a sandbox that has answered and is ending is
         * free within its grace: a request may wait for it */
        if (s->queued >= s->o->queue + s->ending) {
            char extra[64];
            snprintf(extra, sizeof extra, "Retry-After: 1\r\nX-Request-Id: %s\r\n", r->id);
            lch_serve_req_free(&r->req);
            free(r);
            respond_error(c, 429, "every sandbox is busy: retry after a second", extra);
            return;
        }
        /* waits for a slot (run_release starts it) */
        r->conn = c;
        c->run = r;
        r->in_queue = true;
        r->qnext = NULL;
        if (s->queue_tail)
            s->queue_tail->qnext = r;
        else
            s->queue_head = r;
        s->queue_tail = r;
        s->queued++;
        uv_read_start(&c->h.stream, alloc_cb, on_conn_read);
        pool_refill(s); /* answered sandboxes holding slots end now */
        return;
    }
    r->conn = c;
    c->run = r;
    /* the connection is watched for a client that leaves mid-run */
    uv_read_start(&c->h.stream, alloc_cb, on_conn_read);
    run_start(r);
}

static void on_connection(uv_stream_t *l, int status)
{
    server_t *s = l->data;
    if (status < 0)
        return;
    conn_t *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->srv = s;
    int e =
        l->type == UV_TCP ? uv_tcp_init(s->loop, &c->h.tcp) : uv_pipe_init(s->loop, &c->h.pipe, 0);
    if (e < 0) {
        free(c);
        return;
    }
    c->h.handle.data = c;
    c->open_handles = 2;
    uv_timer_init(s->loop, &c->idle);
    c->idle.data = c;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    if (uv_accept(l, &c->h.stream) < 0) {
        conn_close(c);
        return;
    }
    if (s->nconns > MAX_CONNS) {
        /* full: the oldest connection with no request being answered
         * makes room (a client trickling bytes holds no place for long) */
        conn_t *old = NULL;
        for (conn_t *o = c->next; o; o = o->next)
            if (!o->handling)
                old = o; /* the list is newest first: the last is the oldest */
        conn_close(old ? old : c);
        if (!old)
            return;
    }
    if (l->type == UV_TCP)
        uv_tcp_nodelay(&c->h.tcp, 1);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    uv_timer_start(&c->idle, on_idle, IDLE_MS, IDLE_MS);
    uv_read_start(&c->h.stream, alloc_cb, on_conn_read);
}

/* ---- start, drain, reload ---- */

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void on_drain_deadline(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Draining: once no run is left and every answer is written, the loop
 * ends; a client that does not read its answer gets DRAIN_FLUSH_MS. */
static void maybe_finish_drain(server_t *s)
{
    if (!s->draining || s->active)
        return;
    for (conn_t *c = s->conns; c; c = c->next)
        if (c->wq_bytes > 0) {
            if (!uv_is_active((uv_handle_t *)&s->drain_timer))
                uv_timer_start(&s->drain_timer, on_drain_deadline, DRAIN_FLUSH_MS, 0);
            return;
        }
    uv_stop(s->loop);
}

static void idle_members_close(server_t *s)
{
    for (size_t i = 0; i < MAX_POOLS; i++)
        while (s->pools[i].ready)
            member_close(s->pools[i].ready);
}

static void on_term(uv_signal_t *sig, int signum)
{
    server_t *s = sig->data;
    if (s->draining)
        return;
    serve_log("%s: draining %u run(s), then exiting", signum == SIGINT ? "SIGINT" : "SIGTERM",
              s->active);
    s->draining = true;
    if (s->listening) {
        uv_close(&s->listener.handle, NULL);
        s->listening = false;
    }
    idle_members_close(s);
    for (conn_t *c = s->conns, *n; c; c = n) {
        n = c->next;
        if (!c->handling)
            conn_close(c);
    }
    maybe_finish_drain(s);
}

static void on_hup(uv_signal_t *sig, int signum)
{
    (void)signum;
    server_t *s = sig->data;
    /* the members read their profiles when they start: new ones take the
     * files as they are now */
    serve_log("SIGHUP: the idle sandboxes are remade with the profiles as they are now");
    s->gen++; /* and those being made are closed once ready */
    idle_members_close(s);
    pool_refill(s);
}

/* The server is its sandboxes' subreaper (and pid 1 in a container): a
 * supervisor killed from outside leaves its sandbox's first process to it.
 * libuv waits only for the pids it spawned, so any other child that has
 * ended is waited for here, by pid, never with -1 (that would take a
 * member's status from libuv). */
typedef struct {
    pid_t pids[256];
    size_t n;
    bool full;
} pidset_t;

static void spawned_pid(uv_handle_t *h, void *arg)
{
    pidset_t *set = arg;
    if (h->type != UV_PROCESS)
        return;
    if (set->n == sizeof set->pids / sizeof set->pids[0]) {
        set->full = true;
        return;
    }
    set->pids[set->n++] = ((uv_process_t *)h)->pid;
}

static void reap_unlisted(pid_t pid, void *arg)
{
    const pidset_t *mine = arg;
    for (size_t i = 0; i < mine->n; i++)
        if (mine->pids[i] == pid)
            return;
    (void)waitpid(pid, NULL, WNOHANG);
}

static void on_chld(uv_signal_t *sig, int signum)
{
    (void)signum;
    server_t *s = sig->data;
    pidset_t mine = {.n = 0};
    uv_walk(s->loop, spawned_pid, &mine);
    if (mine.full) /* a pid unlisted could be a member's: wait for the next signal */
        return;
    br_each_child(reap_unlisted, &mine);
}

static int listen_on(server_t *s, char *err, size_t errlen)
{
    const char *a = s->o->listen;
    int e;
    if (!strcmp(a, "systemd")) {
        /* socket activation: the listening socket is descriptor 3 when
         * LISTEN_PID names this process (sd_listen_fds(3)) */
        const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int acc = 0;
        socklen_t al = sizeof acc;
        if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid() || strtol(fds, NULL, 10) != 1 ||
            getsockname(3, (struct sockaddr *)&ss, &sl) < 0 ||
            getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) < 0 || !acc ||
            (ss.ss_family != AF_UNIX && ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
            snprintf(err, errlen,
                     "--listen systemd: no listening socket was passed (LISTEN_PID, LISTEN_FDS=1, "
                     "descriptor 3: a unix or TCP stream socket)");
            return -1;
        }
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        fcntl(3, F_SETFD, FD_CLOEXEC);
        if (ss.ss_family == AF_UNIX) {
            uv_pipe_init(s->loop, &s->listener.pipe, 0);
            e = uv_pipe_open(&s->listener.pipe, 3);
        } else {
            uv_tcp_init(s->loop, &s->listener.tcp);
            e = uv_tcp_open(&s->listener.tcp, 3);
        }
        if (e < 0) {
            snprintf(err, errlen, "--listen systemd: %s", uv_strerror(e));
            return -1;
        }
    } else if (!strncmp(a, "unix:", 5)) {
        const char *path = a + 5;
        if (!*path || strlen(path) >= sizeof s->unix_path) {
            snprintf(err, errlen, "--listen %s: a socket path is needed", a);
            return -1;
        }
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (!S_ISSOCK(st.st_mode)) {
                snprintf(err, errlen, "--listen %s: the path exists and is not a socket", a);
                return -1;
            }
            unlink(path); /* a socket left by an earlier server */
        }
        uv_pipe_init(s->loop, &s->listener.pipe, 0);
        if ((e = uv_pipe_bind(&s->listener.pipe, path)) < 0) {
            snprintf(err, errlen, "--listen %s: %s", a, uv_strerror(e));
            return -1;
        }
        snprintf(s->unix_path, sizeof s->unix_path, "%s", path);
    } else {
        char host[256];
        const char *colon = strrchr(a, ':');
        if (!colon || colon == a || (size_t)(colon - a) >= sizeof host) {
            snprintf(err, errlen, "--listen %s: expected unix:PATH or HOST:PORT", a);
            return -1;
        }
        memcpy(host, a, (size_t)(colon - a));
        host[colon - a] = '\0';
        uint64_t port;
        if (lch_parse_uint(colon + 1, 0, 65535, &port) < 0) {
            snprintf(err, errlen, "--listen %s: '%s' is not a port", a, colon + 1);
            return -1;
        }
        char *h = host;
        if (h[0] == '[' && h[strlen(h) - 1] == ']') {
            h[strlen(h) - 1] = '\0';
            h++;
        }
        if (!strcmp(h, "localhost"))
            h = "127.0.0.1";
        struct sockaddr_storage ss;
        bool loopback;
        if (uv_ip4_addr(h, (int)port, (struct sockaddr_in *)&ss) == 0) {
            loopback = (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
        } else if (uv_ip6_addr(h, (int)port, (struct sockaddr_in6 *)&ss) == 0) {
            loopback = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
        } else {
            snprintf(err, errlen, "--listen %s: '%s' is not an IP address", a, h);
            return -1;
        }
        if (!loopback && !s->o->listen_public) {
            snprintf(err, errlen,
                     "--listen %s: not a loopback address (anyone who reaches it may run code: "
                     "add --listen-public if that is meant)",
                     a);
            return -1;
        }
        uv_tcp_init(s->loop, &s->listener.tcp);
        if ((e = uv_tcp_bind(&s->listener.tcp, (struct sockaddr *)&ss, 0)) < 0) {
            snprintf(err, errlen, "--listen %s: %s", a, uv_strerror(e));
            return -1;
        }
    }
    s->listener.handle.data = s;
    if ((e = uv_listen(&s->listener.stream, 511, on_connection)) < 0) {
        snprintf(err, errlen, "--listen %s: %s", a, uv_strerror(e));
        return -1;
    }
    s->listening = true;
    return 0;
}

/* --audit's file: made (0600) or there, a regular file this process may
 * append to, before the server listens (each member checks it again, as
 * a run does: it must lie outside the sandboxes' write grants). */
static int check_audit(server_t *s, char *err, size_t errlen)
{
    if (!s->o->audit)
        return 0;
    int fd = lch_audit_open(s->o->audit, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* Each profile checked once, as a run would check it (the launcher's own
 * --print-profile): a bad one stops the server before it listens. */
static int check_profiles(server_t *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < (s->o->nprofiles ? s->o->nprofiles : 1); i++) {
        const char *prof = s->o->nprofiles ? s->o->profiles[i] : "strict";
        const char *args[10 + LCH_SERVE_MAX_PASS];
        size_t na = 0;
        args[na++] = s->self;
        args[na++] = "--profile";
        args[na++] = prof;
        args[na++] = "--app";
        args[na++] = s->app_dirs[0];
        for (size_t k = 0; k < s->o->npass; k++)
            args[na++] = s->o->pass[k];
        if (s->o->audit) { /* outside this profile's write grants */
            args[na++] = "--audit";
            args[na++] = s->o->audit;
        }
        args[na++] = "--print-profile";
        args[na] = NULL;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        pid_t pid;
        extern char **environ;
        int e = posix_spawn(&pid, s->self, &fa, NULL, (char **)args, environ);
        posix_spawn_file_actions_destroy(&fa);
        int st = 0;
        if (e != 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            snprintf(err, errlen,
                     "--profile %s: the profile, a grant or --audit is not valid (above)", prof);
            return -1;
        }
    }
    return 0;
}

static int setup_apps(server_t *s, char *err, size_t errlen)
{
    size_t n = s->o->napps ? s->o->napps : 1;
    for (size_t i = 0; i < n; i++) {
        const char *spec = s->o->napps ? s->o->apps[i] : ".";
        const char *eq = strchr(spec, '=');
        const char *dir = eq ? eq + 1 : spec;
        struct stat st;
        if (!realpath(dir, s->app_dirs[i]) || stat(s->app_dirs[i], &st) < 0 ||
            !S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "--app %s: not a folder", spec);
            return -1;
        }
        if (eq) {
            size_t nl = (size_t)(eq - spec);
            if (!nl || nl >= sizeof s->app_name_buf[i]) {
                snprintf(err, errlen, "--app %s: the name before '=' is empty or too long", spec);
                return -1;
            }
            memcpy(s->app_name_buf[i], spec, nl);
            s->app_name_buf[i][nl] = '\0';
        } else {
            const char *base = strrchr(s->app_dirs[i], '/');
            snprintf(s->app_name_buf[i], sizeof s->app_name_buf[i], "%s",
                     base && base[1] ? base + 1 : "app");
        }
        for (size_t k = 0; k < i; k++)
            if (!strcmp(s->app_name_buf[k], s->app_name_buf[i])) {
                snprintf(err, errlen, "--app %s: a second app named '%s' (name them: NAME=DIR)",
                         spec, s->app_name_buf[i]);
                return -1;
            }
        s->app_names[i] = s->app_name_buf[i];
    }
    s->lim.app_names = s->app_names;
    s->lim.napps = n;
    return 0;
}

int lch_serve_main(const lch_serve_opts_t *o, const char *self)
{
    static server_t srv; /* one per process; the loop's handles point into it */
    server_t *s = &srv;
    memset(s, 0, sizeof *s);
    s->o = o;
    s->self = self;
    s->loop = uv_default_loop();
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    s->max_starting = ncpu > 0 ? 2 * (unsigned)ncpu : 2;
    s->topup_starting = ncpu > 1 ? (unsigned)ncpu / 2 : 1;
    char err[PATH_MAX + 256];
    static const char *const default_profile[1] = {"strict"};
    s->lim.profile_names = o->nprofiles ? o->profiles : default_profile;
    s->lim.nprofiles = o->nprofiles ? o->nprofiles : 1;
    s->lim.timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
    s->lim.memory_mb = o->memory_mb ? o->memory_mb : DEFAULT_MEMORY_MB;
    if (setup_apps(s, err, sizeof err) < 0 || check_profiles(s, err, sizeof err) < 0 ||
        check_audit(s, err, sizeof err) < 0 || listen_on(s, err, sizeof err) < 0) {
        fprintf(stderr, "secure-exec-launch: %s\n", err);
        return 125;
    }
    uv_signal_init(s->loop, &s->sig_term);
    uv_signal_init(s->loop, &s->sig_int);
    uv_signal_init(s->loop, &s->sig_hup);
    s->sig_term.data = s->sig_int.data = s->sig_hup.data = s;
    uv_signal_start(&s->sig_term, on_term, SIGTERM);
    uv_signal_start(&s->sig_int, on_term, SIGINT);
    uv_signal_start(&s->sig_hup, on_hup, SIGHUP);
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1);
    uv_signal_init(s->loop, &s->sig_chld);
    s->sig_chld.data = s;
    uv_signal_start(&s->sig_chld, on_chld, SIGCHLD);
    uv_unref((uv_handle_t *)&s->sig_chld);
    uv_timer_init(s->loop, &s->refill);
    s->refill.data = s;
    uv_timer_init(s->loop, &s->drain_timer);
    for (size_t a = 0; a < s->lim.napps; a++) {
        pool_t *p = pool_for(s, a, 0, s->lim.memory_mb);
        if (p)
            p->want = o->pool;
    }
    pool_refill(s);
    serve_log("listening on %s (pool %u per app, %zu app(s), max %u at once)", o->listen, o->pool,
              s->lim.napps, o->max_concurrent);
    uv_run(s->loop, UV_RUN_DEFAULT);
    /* drained: every run answered; the idle members end with their sockets */
    if (s->unix_path[0])
        unlink(s->unix_path);
    uv_walk(s->loop, close_walk, NULL);
    uv_run(s->loop, UV_RUN_DEFAULT);
    uv_loop_close(s->loop);
    return 0;
}
