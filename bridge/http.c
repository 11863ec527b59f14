/*
 * bridge/http.c — HTTP/1.1 message parsing for the http module, with
 * Debian's libhttp-parser (no parser in JS).
 *
 * One parser per vm handle (a socket's). execute() runs the parser over a
 * chunk the guest read and answers with what happened in it, as one flat
 * array of events (js/node/internal/http-parser.js reads it), so a chunk
 * costs one crossing of the API boundary however many messages it holds:
 *
 *   HTTP_EV_HEADERS major minor [name, value, ...] method url status
 *                   statusMessage upgrade keepAlive
 *   HTTP_EV_BODY    start end           (offsets into the chunk: no copy)
 *   HTTP_EV_DONE    [trailer name, value, ...] (the message is complete)
 *   HTTP_EV_ERROR   code reason bytesParsed
 *   HTTP_EV_BEGIN                       (a message's first byte)
 *   HTTP_EV_END     bytesParsed         (always last; less than the chunk
 *                                        when an upgrade or an error
 *                                        stopped the parser)
 *
 * Header bytes are Latin-1 on the wire (Node reads them so): each byte
 * becomes one UTF-16 unit. The limit on header bytes (Node's
 * maxHeaderSize) is the guest's per parser; the library's own process-wide
 * limit is set above any the guest may ask for.
 */
#include <errno.h>
#include <http_parser.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

enum {
    HTTP_EV_HEADERS = 1,
    HTTP_EV_BODY = 2,
    HTTP_EV_DONE = 3,
    HTTP_EV_ERROR = 4,
    HTTP_EV_END = 5,
    HTTP_EV_BEGIN = 6,
};

/* execute()'s flags */
enum {
    HTTP_F_SKIP_BODY = 1 << 0,  /* the response answers a HEAD request */
    HTTP_F_LENIENT = 1 << 1,    /* insecureHTTPParser: lenient header values */
    HTTP_F_CONNECT = 1 << 2,    /* the response answers CONNECT: its head ends the HTTP part */
    HTTP_F_NO_UPGRADE = 1 << 3, /* a request's Upgrade is no upgrade (no one takes it) */
};

#define HTTP_MAX_HEADER_LIMIT (64u << 20) /* the largest maxHeaderSize taken */
#define HTTP_MAX_FIELDS 4096              /* names and values kept per message */
/* Events per execute(): past this many, the parser pauses at the end of a
 * message and execute() answers; the guest calls again with the rest. */
#define HTTP_EVENTS_SOFT 4096

typedef struct {
    http_parser p;
    int kind; /* HTTP_REQUEST or HTTP_RESPONSE */
    /* the message being read: url/status, then names and values, as
     * offsets into one growing buffer of Latin-1 bytes */
    char *buf;
    size_t len, cap;
    size_t start[HTTP_MAX_FIELDS * 2 + 1], nfield; /* field i spans start[i]..start[i+1] */
    bool in_value; /* the last bytes were a value (a new name starts a field) */
    bool headers_done;
    size_t header_bytes; /* counted against limit */
    size_t limit;
    unsigned flags;
    /* execute()'s answer */
    vm_val_t *ev;
    size_t nev, evcap;
    vm_ref_t *refs; /* nested arrays to free once the answer is made */
    size_t nrefs, refcap;
    char **texts; /* UTF-8 of strings in ev, freed once the answer is made */
    size_t ntexts, textcap;
    vm_t *vm;
    size_t reserved; /* buf's room, in the memory budget */
    const uint8_t *chunk;
    bool failed; /* out of memory or too many fields: the parse stops */
    const char *fail_code, *fail_reason;
    /* llhttp's strictness, which the library lacks, checked on the bytes
     * between the spans it hands over (separators, chunk-size lines) */
    const char *gap_from; /* where the bytes not yet checked start in chunk */
    bool prev_cr;         /* the last byte seen was a CR */
    bool after_name;      /* the last span was a header name: ':' must follow */
    size_t gap_len;       /* bytes in the current run of separators */
    unsigned gap_lf;      /* LFs in it */
    const char *chunk_end;
    bool dead; /* failed: later chunks get the same error */
    const char *dead_code, *dead_reason;
} hp_t;

#define HTTP_MAX_CHUNK_EXTENSIONS (16 * 1024) /* llhttp's, for Node */

static void hp_free(void *p)
{
    hp_t *h = p;
    vm_release(h->vm, h->reserved);
    free(h->buf);
    free(h->ev);
    free(h->refs);
    free(h->texts);
    free(h);
}

static const vm_handle_type_t hp_type = {"HTTPParser", hp_free};

/* ---- the message's bytes ------------------------------------------------ */

static int stop(hp_t *h, const char *code, const char *reason)
{
    h->failed = true;
    h->fail_code = code;
    h->fail_reason = reason;
    return -1;
}

/* The bytes [from, to) between two spans: CR and LF only as CRLF, a
 * header name followed by ':' at once, chunk extensions bounded. */
static int check_gap(hp_t *h, const char *from, const char *to)
{
    if (h->flags & HTTP_F_LENIENT)
        return 0;
    if (from < to && h->after_name) {
        h->after_name = false;
        if (*from != ':')
            return stop(h, "HPE_INVALID_HEADER_TOKEN", "Invalid header field char");
    }
    for (const char *c = from; c < to; c++) {
        if (h->prev_cr && *c != '\n')
            return stop(h, "HPE_LF_EXPECTED", "Missing expected LF after CR");
        if (*c == '\n' && !h->prev_cr)
            return stop(h, "HPE_CR_EXPECTED", "Missing expected CR after header value");
        h->prev_cr = *c == '\r';
        if (*c == '\n')
            h->gap_lf++;
    }
    h->gap_len += (size_t)(to - from);
    if (h->headers_done && (h->p.flags & F_CHUNKED) && h->gap_len > HTTP_MAX_CHUNK_EXTENSIONS)
        return stop(h, "HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow");
    return 0;
}

/* A span starts at `at` (n bytes): the gap before it is checked. */
static int span(hp_t *h, const char *at, size_t n, bool name)
{
    if (h->gap_from && at >= h->gap_from && check_gap(h, h->gap_from, at) < 0)
        return -1;
    if (n) {
        h->prev_cr = false;
        h->gap_len = 0;
        h->gap_lf = 0;
        h->after_name = name;
    }
    h->gap_from = at + n;
    return 0;
}

static int add_bytes(hp_t *h, const char *at, size_t n)
{
    h->header_bytes += n;
    if (h->header_bytes > h->limit)
        return stop(h, "HPE_HEADER_OVERFLOW", "Header overflow");
    if (h->len + n > h->cap) {
        size_t cap = h->cap ? h->cap : 256;
        while (cap < h->len + n)
            cap *= 2;
        /* a peer's headers grow it up to the guest's limit: in the budget */
        if (!vm_reserve(h->vm, cap - h->cap))
            return stop(h, "HPE_USER", "out of memory");
        char *b = realloc(h->buf, cap);
        if (!b) {
            vm_release(h->vm, cap - h->cap);
            return stop(h, "HPE_USER", "out of memory");
        }
        h->reserved += cap - h->cap;
        h->buf = b;
        h->cap = cap;
    }
    memcpy(h->buf + h->len, at, n);
    h->len += n;
    return 0;
}

/* Starts field nfield (url/status is field 0). */
static int new_field(hp_t *h)
{
    if (h->nfield >= HTTP_MAX_FIELDS * 2)
        return stop(h, "HPE_HEADER_OVERFLOW", "Header overflow");
    h->start[++h->nfield] = h->len;
    return 0;
}

static void reset_message(hp_t *h)
{
    h->len = 0;
    h->nfield = 0;
    h->start[0] = 0;
    h->in_value = true; /* the first name opens field 1 */
    h->headers_done = false;
    h->header_bytes = 0;
}

/* ---- the answer's events -------------------------------------------------- */

/* Room for k more events. */
static int reserve(hp_t *h, size_t k)
{
    if (h->nev + k <= h->evcap)
        return 0;
    size_t cap = h->evcap ? h->evcap : 32;
    while (cap < h->nev + k)
        cap *= 2;
    vm_val_t *e = realloc(h->ev, cap * sizeof *e);
    if (!e)
        return stop(h, "HPE_USER", "out of memory");
    h->ev = e;
    h->evcap = cap;
    return 0;
}

static int push(hp_t *h, vm_val_t v)
{
    if (reserve(h, 1) < 0)
        return -1;
    h->ev[h->nev++] = v;
    return 0;
}

static int keep_ref(hp_t *h, vm_ref_t r)
{
    if (h->nrefs == h->refcap) {
        size_t cap = h->refcap ? h->refcap * 2 : 8;
        vm_ref_t *n = realloc(h->refs, cap * sizeof *n);
        if (!n) {
            vm_ref_free(h->vm, r);
            return stop(h, "HPE_USER", "out of memory");
        }
        h->refs = n;
        h->refcap = cap;
    }
    h->refs[h->nrefs++] = r;
    return 0;
}

static int keep_text(hp_t *h, char *t)
{
    if (h->ntexts == h->textcap) {
        size_t cap = h->textcap ? h->textcap * 2 : 8;
        char **n = realloc(h->texts, cap * sizeof *n);
        if (!n)
            return stop(h, "HPE_USER", "out of memory");
        h->texts = n;
        h->textcap = cap;
    }
    h->texts[h->ntexts++] = t;
    return 0;
}

/* What the last answer held on to. */
static void drop_answer(hp_t *h)
{
    for (size_t i = 0; i < h->nrefs; i++)
        vm_ref_free(h->vm, h->refs[i]);
    h->nrefs = 0;
    for (size_t i = 0; i < h->ntexts; i++)
        free(h->texts[i]);
    h->ntexts = 0;
}

/* Latin-1 bytes as the UTF-8 the vm takes: out holds 2 * n bytes. */
static size_t latin1_utf8(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)in[i];
        if (b < 0x80) {
            out[o++] = (char)b;
        } else {
            out[o++] = (char)(0xc0 | (b >> 6));
            out[o++] = (char)(0x80 | (b & 0x3f));
        }
    }
    return o;
}

/* Field i as a string value; its UTF-8 goes in *scratch (grown, freed
 * by the caller after the array is made). */
static vm_val_t field(hp_t *h, size_t i, char *utf8)
{
    size_t a = h->start[i], b = i < h->nfield ? h->start[i + 1] : h->len;
    size_t n = latin1_utf8(h->buf + a, b - a, utf8);
    return VM_STR(utf8, n);
}

/* The fields from first on as one [name, value, ...] array (a value-less
 * last name gets ""); pushes it. */
static int push_fields(hp_t *h, size_t first)
{
    size_t n = h->nfield >= first ? h->nfield - first + 1 : 0;
    if (n % 2)
        n++;
    /* a usual head's fields fit on the stack: no allocation per message */
    char small_utf8[4096];
    vm_val_t small_items[64] = {0};
    bool big_utf8 = h->len * 2 + 1 > sizeof small_utf8;
    bool big_items = n > sizeof small_items / sizeof small_items[0];
    char *utf8 = big_utf8 ? malloc(h->len * 2 + 1) : small_utf8;
    vm_val_t *items = big_items ? calloc(n, sizeof *items) : small_items;
    if (!utf8 || !items) {
        if (big_utf8)
            free(utf8);
        if (big_items)
            free(items);
        return stop(h, "HPE_USER", "out of memory");
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (first + i > h->nfield) {
            items[i] = VM_STR("", 0);
            continue;
        }
        items[i] = field(h, first + i, utf8 + o);
        if (i % 2) { /* a value: no trailing spaces or tabs (OWS) */
            while (items[i].u.str.len && (utf8[o + items[i].u.str.len - 1] == ' ' ||
                                          utf8[o + items[i].u.str.len - 1] == '\t'))
                items[i].u.str.len--;
        }
        o += items[i].u.str.len;
    }
    vm_ref_t arr = vm_new_array(h->vm, items, n);
    if (big_utf8)
        free(utf8);
    if (big_items)
        free(items);
    if (keep_ref(h, arr) < 0)
        return -1;
    return push(h, VM_REF(arr));
}

/* ---- the library's callbacks ---------------------------------------------- */

static hp_t *of(http_parser *p)
{
    return p->data;
}

static int on_begin(http_parser *p)
{
    hp_t *h = of(p);
    reset_message(h);
    return push(h, VM_NUM(HTTP_EV_BEGIN));
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    if (span(of(p), at, n, false) < 0)
        return -1;
    return add_bytes(of(p), at, n);
}

static int on_field(http_parser *p, const char *at, size_t n)
{
    hp_t *h = of(p);
    if (span(h, at, n, true) < 0)
        return -1;
    /* the library takes a space in a name (not strict): llhttp does not */
    if (!(h->flags & HTTP_F_LENIENT) && memchr(at, ' ', n))
        return stop(h, "HPE_INVALID_HEADER_TOKEN", "Invalid header token");
    if (h->in_value) {
        if (new_field(h) < 0)
            return -1;
        h->in_value = false;
    }
    return add_bytes(h, at, n);
}

static int on_value(http_parser *p, const char *at, size_t n)
{
    hp_t *h = of(p);
    if (span(h, at, n, false) < 0)
        return -1;
    if (!h->in_value) {
        if (new_field(h) < 0)
            return -1;
        h->in_value = true;
    }
    return add_bytes(h, at, n);
}

/* Whether field i (a name, i odd) is `name`, case aside. */
static bool field_is(hp_t *h, size_t i, const char *name)
{
    size_t a = h->start[i], b = i < h->nfield ? h->start[i + 1] : h->len;
    return b - a == strlen(name) && strncasecmp(h->buf + a, name, b - a) == 0;
}

static bool has_field(hp_t *h, const char *name)
{
    for (size_t i = 1; i <= h->nfield; i += 2)
        if (field_is(h, i, name))
            return true;
    return false;
}

/* Transfer-Encoding as llhttp reads it: 1 when chunked is the last coding,
 * 0 when it is not there or not last, -1 when a coding follows chunked. */
static int te_chunked(hp_t *h, bool *present)
{
    int last_chunked = 0;
    *present = false;
    for (size_t i = 1; i + 1 <= h->nfield; i += 2) {
        if (!field_is(h, i, "transfer-encoding"))
            continue;
        *present = true;
        size_t a = h->start[i + 1], b = i + 1 < h->nfield ? h->start[i + 2] : h->len;
        size_t t = a;
        while (t <= b) {
            size_t e = t;
            while (e < b && h->buf[e] != ',')
                e++;
            size_t x = t, y = e;
            while (x < y && (h->buf[x] == ' ' || h->buf[x] == '\t' || h->buf[x] == '\r' ||
                             h->buf[x] == '\n'))
                x++;
            while (y > x && (h->buf[y - 1] == ' ' || h->buf[y - 1] == '\t'))
                y--;
            if (y > x) {
                if (last_chunked)
                    return -1;
                last_chunked = y - x == 7 && strncasecmp(h->buf + x, "chunked", 7) == 0;
            }
            t = e + 1;
        }
    }
    return last_chunked;
}

static int on_headers(http_parser *p)
{
    hp_t *h = of(p);
    /* a name without a value: its value is empty */
    if (!h->in_value && (new_field(h) < 0))
        return -1;
    h->in_value = true;
    /* the head's end: the last line's CRLF and the empty line's, checked
     * now (no span follows to check them later) */
    if (h->gap_from && !(h->flags & HTTP_F_LENIENT)) {
        const char *c = h->gap_from;
        while (c < h->chunk_end && h->gap_lf < 2) {
            if (check_gap(h, c, c + 1) < 0)
                return -1;
            c++;
        }
        h->gap_from = c;
    }
    bool te_present = false;
    int te = te_chunked(h, &te_present);
    if (te < 0 && !(h->flags & HTTP_F_LENIENT))
        return stop(h, "HPE_INVALID_TRANSFER_ENCODING", "Invalid `Transfer-Encoding` header value");
    /* a request whose body length cannot be known: told once its head is */
    bool bad_te = h->kind == HTTP_REQUEST && te_present && te == 0 && !(h->flags & HTTP_F_LENIENT);
    size_t first_len = h->nfield > 0 ? h->start[1] : h->len;
    char *utf8 = malloc(first_len * 2 + 1);
    if (!utf8)
        return stop(h, "HPE_USER", "out of memory");
    vm_val_t line = VM_STR(utf8, latin1_utf8(h->buf, first_len, utf8));
    int r = push(h, VM_NUM(HTTP_EV_HEADERS));
    r = r ? r : push(h, VM_NUM(p->http_major));
    r = r ? r : push(h, VM_NUM(p->http_minor));
    r = r ? r : push_fields(h, 1);
    if (h->kind == HTTP_REQUEST) {
        const char *m = http_method_str(p->method);
        r = r ? r : push(h, VM_STR(m, strlen(m)));
        r = r ? r : push(h, line);
        r = r ? r : push(h, VM_UNDEF);
        r = r ? r : push(h, VM_UNDEF);
    } else {
        r = r ? r : push(h, VM_UNDEF);
        r = r ? r : push(h, VM_UNDEF);
        r = r ? r : push(h, VM_NUM(p->status_code));
        r = r ? r : push(h, line);
    }
    /* an Upgrade no one listens for: a plain request (the library looks
     * at p->upgrade only after this callback) */
    if (h->kind == HTTP_REQUEST && (h->flags & HTTP_F_NO_UPGRADE) && p->method != HTTP_CONNECT)
        p->upgrade = 0;
    bool connect_done = h->kind == HTTP_RESPONSE && (h->flags & HTTP_F_CONNECT) &&
                        !(p->status_code >= 100 && p->status_code < 200);
    r = r ? r : push(h, VM_BOOL(p->upgrade || connect_done));
    r = r ? r : push(h, VM_BOOL(http_should_keep_alive(p)));
    /* the strings are made when the answer is: keep the bytes till then */
    r = r ? r : keep_text(h, utf8);
    if (r)
        free(utf8);
    if (r)
        return -1;
    if (bad_te)
        return stop(h, "HPE_INVALID_TRANSFER_ENCODING", "Request has invalid `Transfer-Encoding`");
    /* trailers start a fresh list */
    h->headers_done = true;
    h->len = 0;
    h->nfield = 0;
    h->start[0] = 0;
    h->header_bytes = 0;
    /* no body, whatever the headers say: the answer to HEAD, 1xx, 204
     * and 304 (as Node's parser: a Content-Length there is not waited for) */
    unsigned st = p->status_code;
    /* a final answer to CONNECT: what follows is the tunnel's (an upgrade) */
    if (h->kind == HTTP_RESPONSE && (h->flags & HTTP_F_CONNECT) && !(st >= 100 && st < 200))
        return 2;
    if (h->kind == HTTP_RESPONSE &&
        ((h->flags & HTTP_F_SKIP_BODY) || st == 204 || st == 304 || (st >= 100 && st < 200)))
        return 1;
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    hp_t *h = of(p);
    if (span(h, at, n, false) < 0)
        return -1;
    size_t off = (size_t)((const uint8_t *)at - h->chunk);
    int r = push(h, VM_NUM(HTTP_EV_BODY));
    r = r ? r : push(h, VM_NUM(off));
    return r ? r : push(h, VM_NUM(off + n));
}

static int on_complete(http_parser *p)
{
    hp_t *h = of(p);
    if (!h->in_value && new_field(h) < 0)
        return -1;
    int r = push(h, VM_NUM(HTTP_EV_DONE));
    r = r ? r : push_fields(h, 1);
    reset_message(h);
    /* an upgrade's bytes after its head are the new protocol's; a long
     * run of pipelined messages is answered in parts */
    if (!r && (p->upgrade || h->nev >= HTTP_EVENTS_SOFT))
        http_parser_pause(p, 1);
    return r;
}

static const http_parser_settings settings = {
    .on_message_begin = on_begin,
    .on_url = on_url,
    .on_status = on_url,
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_headers_complete = on_headers,
    .on_body = on_body,
    .on_message_complete = on_complete,
};

/* ---- natives -------------------------------------------------------------- */

static int kind_arg(vm_call_t *c, int i)
{
    if (vm_arg_type(c, i) != VM_T_NUMBER || (vm_arg_int(c, i) != 0 && vm_arg_int(c, i) != 1)) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "parser kind must be 0 or 1");
        return -1;
    }
    return vm_arg_int(c, i) == 0 ? HTTP_REQUEST : HTTP_RESPONSE;
}

/* new(kind): 0 request, 1 response */
static void hp_new(vm_call_t *c)
{
    static bool limit_set;
    if (!limit_set) {
        http_parser_set_max_header_size(HTTP_MAX_HEADER_LIMIT);
        limit_set = true;
    }
    int kind = kind_arg(c, 0);
    if (kind < 0)
        return;
    hp_t *h = calloc(1, sizeof *h);
    if (!h) {
        vm_throw_alloc_failed(c);
        return;
    }
    h->kind = kind;
    h->vm = vm_call_vm(c);
    http_parser_init(&h->p, (enum http_parser_type)kind);
    h->p.data = h;
    reset_message(h);
    vm_ret_handle(c, &hp_type, h);
}

/* reset(parser, kind): ready for a new connection */
static void hp_reset(vm_call_t *c)
{
    hp_t *h = vm_arg_handle(c, 0, &hp_type);
    int kind = h ? kind_arg(c, 1) : -1;
    if (!h) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "not an HTTP parser");
        return;
    }
    if (kind < 0)
        return;
    h->kind = kind;
    http_parser_init(&h->p, (enum http_parser_type)kind);
    h->p.data = h;
    reset_message(h);
    h->dead = false;
    h->prev_cr = h->after_name = false;
    h->gap_len = 0;
    vm_ret_undefined(c);
}

/* Runs the parser over data[0..n) (n 0: the end of the stream) and
 * returns the events. */
static void run(vm_call_t *c, hp_t *h, const uint8_t *data, size_t n)
{
    h->vm = vm_call_vm(c);
    h->chunk = data;
    h->nev = 0;
    h->failed = false;
    if (HTTP_PARSER_ERRNO(&h->p) == HPE_PAUSED)
        http_parser_pause(&h->p, 0);
    size_t done = 0;
    enum http_errno e = HPE_OK;
    if (h->dead) {
        h->failed = true;
        h->fail_code = h->dead_code;
        h->fail_reason = h->dead_reason;
    } else {
        h->gap_from = (const char *)data;
        h->chunk_end = (const char *)data + n;
        done = http_parser_execute(&h->p, &settings, (const char *)data, n);
        e = HTTP_PARSER_ERRNO(&h->p);
        /* the separators after the last span, up to where the parse stopped */
        if (!h->failed && (e == HPE_OK || e == HPE_PAUSED) && h->gap_from &&
            h->gap_from <= (const char *)data + done)
            check_gap(h, h->gap_from, (const char *)data + done);
        h->gap_from = NULL;
    }
    /* paused: an upgrade, or the answer is full (not errors) */
    if (h->failed || (e != HPE_OK && e != HPE_PAUSED)) {
        const char *code = h->failed ? h->fail_code : http_errno_name(e);
        const char *reason = h->failed ? h->fail_reason : http_errno_description(e);
        /* llhttp's names and words for what the library calls otherwise */
        if (!h->failed && e == HPE_UNEXPECTED_CONTENT_LENGTH) {
            if (has_field(h, "transfer-encoding")) {
                code = "HPE_INVALID_TRANSFER_ENCODING";
                reason = "Transfer-Encoding can't be present with Content-Length";
            } else {
                reason = "Duplicate Content-Length";
            }
        } else if (!h->failed && e == HPE_INVALID_CONSTANT) {
            reason = "Expected HTTP/";
        } else if (!h->failed && e == HPE_INVALID_CHUNK_SIZE) {
            reason = "Invalid character in chunk size";
        } else if (!h->failed && e == HPE_LF_EXPECTED) {
            reason = "Missing expected LF after header value";
        }
        h->dead = true;
        h->dead_code = code;
        h->dead_reason = reason;
        /* the events so far stay: messages before the bad one were fine */
        h->failed = false;
        if (reserve(h, 4) < 0)
            h->nev = 0; /* no room even for the error: it alone is told */
        if (reserve(h, 4) == 0) {
            h->ev[h->nev++] = VM_NUM(HTTP_EV_ERROR);
            h->ev[h->nev++] = VM_STR(code, strlen(code));
            h->ev[h->nev++] = VM_STR(reason, strlen(reason));
            h->ev[h->nev++] = VM_NUM(done);
        }
        /* the parser stays failed: later chunks get the error again */
    }
    vm_val_t end[2] = {VM_NUM(HTTP_EV_END), VM_NUM(done)};
    vm_val_t *all = malloc((h->nev + 2) * sizeof *all);
    if (!all) {
        drop_answer(h);
        vm_throw_alloc_failed(c);
        return;
    }
    if (h->nev)
        memcpy(all, h->ev, h->nev * sizeof *all);
    memcpy(all + h->nev, end, sizeof end);
    vm_ref_t arr = vm_new_array(h->vm, all, h->nev + 2);
    free(all);
    drop_answer(h);
    vm_ret_ref(c, arr);
    vm_ref_free(h->vm, arr);
}

/* execute(parser, bytes, maxHeaderSize, flags) */
static void hp_execute(vm_call_t *c)
{
    hp_t *h = vm_arg_handle(c, 0, &hp_type);
    uint8_t *data;
    size_t n;
    if (!h || vm_arg_bytes(c, 1, &data, &n) < 0) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE",
                  "execute() takes an HTTP parser and a Uint8Array");
        return;
    }
    double lim = vm_arg_num(c, 2);
    if (vm_arg_type(c, 2) != VM_T_NUMBER || !(lim >= 1) || lim > HTTP_MAX_HEADER_LIMIT) {
        vm_throwf(c, "RangeError", "ERR_OUT_OF_RANGE", "maxHeaderSize must be from 1 to %u",
                  HTTP_MAX_HEADER_LIMIT);
        return;
    }
    h->limit = (size_t)lim;
    h->flags = (unsigned)vm_arg_int(c, 3) &
               (HTTP_F_SKIP_BODY | HTTP_F_LENIENT | HTTP_F_CONNECT | HTTP_F_NO_UPGRADE);
    h->p.lenient_http_headers = (h->flags & HTTP_F_LENIENT) != 0;
    if (n == 0) { /* an empty chunk is no end of stream */
        vm_val_t end[2] = {VM_NUM(HTTP_EV_END), VM_NUM(0)};
        vm_ref_t arr = vm_new_array(vm_call_vm(c), end, 2);
        vm_ret_ref(c, arr);
        vm_ref_free(vm_call_vm(c), arr);
        return;
    }
    run(c, h, data, n);
}

/* finish(parser): the peer ended the stream */
static void hp_finish(vm_call_t *c)
{
    hp_t *h = vm_arg_handle(c, 0, &hp_type);
    if (!h) {
        vm_throwf(c, "TypeError", "ERR_INVALID_ARG_TYPE", "not an HTTP parser");
        return;
    }
    if (h->dead) { /* an error was told already (llhttp_finish says nothing more) */
        vm_val_t end[2] = {VM_NUM(HTTP_EV_END), VM_NUM(0)};
        vm_ref_t arr = vm_new_array(vm_call_vm(c), end, 2);
        vm_ret_ref(c, arr);
        vm_ref_free(vm_call_vm(c), arr);
        return;
    }
    run(c, h, (const uint8_t *)"", 0);
}

static void hp_close(vm_call_t *c)
{
    if (vm_arg_handle(c, 0, &hp_type))
        vm_handle_release(c, 0, &hp_type);
    vm_ret_undefined(c);
}

static const vm_native_t natives[] = {
    {"parserNew", hp_new, 1, VM_NATIVE_PURE},
    {"parserReset", hp_reset, 2, VM_NATIVE_PURE},
    {"parserExecute", hp_execute, 4, VM_NATIVE_PURE},
    {"parserFinish", hp_finish, 1, VM_NATIVE_PURE},
    {"parserClose", hp_close, 1, VM_NATIVE_PURE},
};

const vm_table_t br__http_table = {"http", natives, sizeof natives / sizeof natives[0]};
