/*
 * launcher/netd_dns.c — the supervisor's DNS queries for the guest's `dns`
 * module (netd.h): NETP_RESOLVE and NETP_REVERSE.
 *
 * A query is asked with c-ares (class IN, the profile's net.resolvers or
 * the host's resolv.conf; or the servers the guest's Resolver was given),
 * driven with poll beside the broker's stop descriptor, and its answer is
 * read with c-ares' own parsers, the ones
 * Node's cares_wrap uses, into JSON in the shapes Node's dns.resolve*()
 * give (Node 22): what the guest's dns.js hands its caller after one
 * JSON.parse. Strings are Node's one-byte strings (each byte one code
 * point). An answer that would not fit one channel message is cut: the
 * array loses its last records (the return value says so).
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "netd.h"

#define DNS_TIMEOUT_MS 5000
#define DNS_TRIES 2
#define DNS_TRIES_MAX 16 /* a guest Resolver's tries, at most */
#define DNS_TTLS_MAX 256 /* addresses with a ttl in one answer, as Node */
/* the JSON's room in one response */
#define DNS_JSON_MAX (NETP_MSG_MAX - sizeof(netp_res_t))
/* Node's "CNAME or A" pseudo type of its ANY parse */
#define DNS_T_CNAME_OR_A (-1)

/* ---- JSON ------------------------------------------------------------------------- */

/* A one-byte string (Latin-1, as V8's OneByteString reads it) as JSON. */
static json_t *jstr(const unsigned char *s, size_t n)
{
    char *u = malloc(n * 2 + 1);
    if (!u)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80) {
            u[o++] = (char)s[i];
        } else {
            u[o++] = (char)(0xc0 | (s[i] >> 6));
            u[o++] = (char)(0x80 | (s[i] & 0x3f));
        }
    }
    json_t *j = json_stringn(u, o);
    free(u);
    return j;
}

static json_t *jcstr(const char *s)
{
    return jstr((const unsigned char *)(s ? s : ""), s ? strlen(s) : 0);
}

static void jset(json_t *o, const char *key, json_t *v)
{
    if (o && v)
        json_object_set_new(o, key, v);
    else
        json_decref(v);
}

static void jpush(json_t *a, json_t *v)
{
    if (v)
        json_array_append_new(a, v);
}

/* A record object with Node's `type` last when need_type. */
static void jtype(json_t *o, bool need_type, const char *type)
{
    if (need_type)
        jset(o, "type", json_string(type));
}

/* ---- the parsers, as cares_wrap uses them ----------------------------------------- */

/* Node's ParseGeneralReply: A, AAAA, CNAME (from the A parse), NS, PTR and
 * the ANY parse's "CNAME or A". Appends strings to ret; *type becomes
 * what was found (ns_t_cname or ns_t_a for the pseudo type). */
static int parse_general(const unsigned char *ab, int al, int *type, json_t *ret, void *ttls,
                         int *nttls)
{
    struct hostent *h = NULL;
    int st;
    switch (*type) {
    case DNS_T_CNAME_OR_A:
    case ns_t_a:
    case ns_t_cname:
    case ns_t_any:
        st = ares_parse_a_reply(ab, al, &h, ttls, nttls);
        break;
    case ns_t_aaaa:
        st = ares_parse_aaaa_reply(ab, al, &h, ttls, nttls);
        break;
    case ns_t_ns:
        st = ares_parse_ns_reply(ab, al, &h);
        break;
    case ns_t_ptr:
        st = ares_parse_ptr_reply(ab, al, NULL, 0, AF_INET, &h);
        break;
    default:
        return ARES_EBADQUERY;
    }
    if (st != ARES_SUCCESS)
        return st;
    if (!h)
        return ARES_EBADRESP;
    if ((*type == DNS_T_CNAME_OR_A && h->h_name && h->h_aliases && h->h_aliases[0]) ||
        *type == ns_t_cname) {
        /* a CNAME query answers its one name */
        *type = ns_t_cname;
        jpush(ret, jcstr(h->h_name));
        ares_free_hostent(h);
        return ARES_SUCCESS;
    }
    if (*type == DNS_T_CNAME_OR_A)
        *type = ns_t_a;
    if (*type == ns_t_ns || *type == ns_t_ptr) {
        for (size_t i = 0; h->h_aliases && h->h_aliases[i]; i++)
            jpush(ret, jcstr(h->h_aliases[i]));
    } else {
        char ip[INET6_ADDRSTRLEN];
        for (size_t i = 0; h->h_addr_list && h->h_addr_list[i]; i++) {
            ip[0] = '\0';
            inet_ntop(h->h_addrtype, h->h_addr_list[i], ip, sizeof ip);
            jpush(ret, json_string(ip));
        }
    }
    ares_free_hostent(h);
    return ARES_SUCCESS;
}

static int parse_mx(const unsigned char *ab, int al, json_t *ret, bool need_type)
{
    struct ares_mx_reply *r = NULL;
    int st = ares_parse_mx_reply(ab, al, &r);
    if (st != ARES_SUCCESS)
        return st;
    for (struct ares_mx_reply *c = r; c; c = c->next) {
        json_t *o = json_object();
        jset(o, "exchange", jcstr(c->host));
        jset(o, "priority", json_integer(c->priority));
        jtype(o, need_type, "MX");
        jpush(ret, o);
    }
    ares_free_data(r);
    return ARES_SUCCESS;
}

/* Each record an array of its strings; with need_type {entries, type}. */
static int parse_txt(const unsigned char *ab, int al, json_t *ret, bool need_type)
{
    struct ares_txt_ext *r = NULL;
    int st = ares_parse_txt_reply_ext(ab, al, &r);
    if (st != ARES_SUCCESS)
        return st;
    json_t *chunk = NULL;
    for (struct ares_txt_ext *c = r;; c = c->next) {
        if (!c || c->record_start) {
            if (chunk) {
                if (need_type) {
                    json_t *o = json_object();
                    jset(o, "entries", chunk);
                    jtype(o, true, "TXT");
                    jpush(ret, o);
                } else {
                    jpush(ret, chunk);
                }
            }
            chunk = NULL;
            if (!c)
                break;
            chunk = json_array();
        }
        if (!chunk) /* a first chunk not marked as a record's start */
            chunk = json_array();
        jpush(chunk, jstr(c->txt, c->length));
    }
    ares_free_data(r);
    return ARES_SUCCESS;
}

static int parse_srv(const unsigned char *ab, int al, json_t *ret, bool need_type)
{
    struct ares_srv_reply *r = NULL;
    int st = ares_parse_srv_reply(ab, al, &r);
    if (st != ARES_SUCCESS)
        return st;
    for (struct ares_srv_reply *c = r; c; c = c->next) {
        json_t *o = json_object();
        jset(o, "name", jcstr(c->host));
        jset(o, "port", json_integer(c->port));
        jset(o, "priority", json_integer(c->priority));
        jset(o, "weight", json_integer(c->weight));
        jtype(o, need_type, "SRV");
        jpush(ret, o);
    }
    ares_free_data(r);
    return ARES_SUCCESS;
}

static int parse_naptr(const unsigned char *ab, int al, json_t *ret, bool need_type)
{
    struct ares_naptr_reply *r = NULL;
    int st = ares_parse_naptr_reply(ab, al, &r);
    if (st != ARES_SUCCESS)
        return st;
    for (struct ares_naptr_reply *c = r; c; c = c->next) {
        json_t *o = json_object();
        jset(o, "flags", jcstr((const char *)c->flags));
        jset(o, "service", jcstr((const char *)c->service));
        jset(o, "regexp", jcstr((const char *)c->regexp));
        jset(o, "replacement", jcstr(c->replacement));
        jset(o, "order", json_integer(c->order));
        jset(o, "preference", json_integer(c->preference));
        jtype(o, need_type, "NAPTR");
        jpush(ret, o);
    }
    ares_free_data(r);
    return ARES_SUCCESS;
}

/* The SOA record as an object (*out NULL when the answer has none). */
static int parse_soa(const unsigned char *ab, int al, json_t **out, bool need_type)
{
    struct ares_soa_reply *r = NULL;
    *out = NULL;
    int st = ares_parse_soa_reply(ab, al, &r);
    if (st != ARES_SUCCESS)
        return st;
    json_t *o = json_object();
    jset(o, "nsname", jcstr(r->nsname));
    jset(o, "hostmaster", jcstr(r->hostmaster));
    jset(o, "serial", json_integer(r->serial));
    jset(o, "refresh", json_integer(r->refresh));
    jset(o, "retry", json_integer(r->retry));
    jset(o, "expire", json_integer(r->expire));
    jset(o, "minttl", json_integer(r->minttl));
    jtype(o, need_type, "SOA");
    ares_free_data(r);
    *out = o;
    return ARES_SUCCESS;
}

static int parse_caa(const unsigned char *ab, int al, json_t *ret, bool need_type)
{
    struct ares_caa_reply *r = NULL;
    int st = ares_parse_caa_reply(ab, al, &r);
    if (st != ARES_SUCCESS)
        return st;
    for (struct ares_caa_reply *c = r; c; c = c->next) {
        json_t *o = json_object();
        char key[256];
        size_t kl = c->plength < sizeof key - 1 ? c->plength : sizeof key - 1;
        memcpy(key, c->property, kl);
        key[kl] = '\0';
        jset(o, "critical", json_integer(c->critical));
        /* the property names the key (issue, iodef, ...), as Node does */
        json_t *k = jstr((const unsigned char *)key, strlen(key));
        if (k && json_string_length(k) && strcmp(json_string_value(k), "critical") &&
            strcmp(json_string_value(k), "type"))
            jset(o, json_string_value(k), jstr(c->value, c->length));
        json_decref(k);
        jtype(o, need_type, "CAA");
        jpush(ret, o);
    }
    ares_free_data(r);
    return ARES_SUCCESS;
}

/* The first SOA record of the answer section, found where it is (as
 * Node's ANY parse does: c-ares' own parser wants it alone): ARES_SUCCESS
 * with *out, ARES_ENODATA when there is none, or ARES_EBADRESP. */
static int parse_soa_anywhere(const unsigned char *ab, int al, json_t **out)
{
    *out = NULL;
    if (al < 12)
        return ARES_EBADRESP;
    unsigned qd = (unsigned)(ab[4] << 8 | ab[5]), an = (unsigned)(ab[6] << 8 | ab[7]);
    const unsigned char *p = ab + 12, *end = ab + al;
    for (unsigned i = 0; i < qd; i++) {
        char *nm;
        long len;
        if (ares_expand_name(p, ab, al, &nm, &len) != ARES_SUCCESS)
            return ARES_EBADRESP;
        ares_free_string(nm);
        p += len + 4;
        if (p > end)
            return ARES_EBADRESP;
    }
    for (unsigned i = 0; i < an; i++) {
        char *nm;
        long len;
        if (ares_expand_name(p, ab, al, &nm, &len) != ARES_SUCCESS)
            return ARES_EBADRESP;
        ares_free_string(nm);
        p += len;
        if (end - p < 10)
            return ARES_EBADRESP;
        unsigned type = (unsigned)(p[0] << 8 | p[1]), rdlen = (unsigned)(p[8] << 8 | p[9]);
        p += 10;
        if ((size_t)(end - p) < rdlen)
            return ARES_EBADRESP;
        if (type != ns_t_soa) {
            p += rdlen;
            continue;
        }
        char *ns = NULL, *hm = NULL;
        long l1, l2;
        if (ares_expand_name(p, ab, al, &ns, &l1) != ARES_SUCCESS)
            return ARES_EBADRESP;
        if (ares_expand_name(p + l1, ab, al, &hm, &l2) != ARES_SUCCESS) {
            ares_free_string(ns);
            return ARES_EBADRESP;
        }
        const unsigned char *q = p + l1 + l2;
        if (q + 20 > p + rdlen) {
            ares_free_string(ns);
            ares_free_string(hm);
            return ARES_EBADRESP;
        }
        uint32_t v[5];
        for (int k = 0; k < 5; k++, q += 4)
            v[k] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
        json_t *o = json_object();
        jset(o, "nsname", jcstr(ns));
        jset(o, "hostmaster", jcstr(hm));
        jset(o, "serial", json_integer(v[0]));
        jset(o, "refresh", json_integer(v[1]));
        jset(o, "retry", json_integer(v[2]));
        jset(o, "expire", json_integer(v[3]));
        jset(o, "minttl", json_integer(v[4]));
        jset(o, "type", json_string("SOA"));
        ares_free_string(ns);
        ares_free_string(hm);
        *out = o;
        return ARES_SUCCESS;
    }
    return ARES_ENODATA;
}

/* Node's ANY parse: every kind it knows, in its order, each with its type;
 * a kind the answer lacks is skipped. */
static int parse_any(const unsigned char *ab, int al, json_t *ret)
{
    struct ares_addrttl a4[DNS_TTLS_MAX];
    struct ares_addr6ttl a6[DNS_TTLS_MAX];
    int n4 = DNS_TTLS_MAX, n6 = DNS_TTLS_MAX;
    json_t *tmp = json_array();
    int type = DNS_T_CNAME_OR_A;
    int st = parse_general(ab, al, &type, tmp, a4, &n4);
    if (st != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    for (size_t i = 0; i < json_array_size(tmp); i++) {
        json_t *o = json_object();
        if (type == ns_t_a) {
            json_object_set(o, "address", json_array_get(tmp, i));
            jset(o, "ttl", json_integer(i < (size_t)n4 ? a4[i].ttl : 0));
            jset(o, "type", json_string("A"));
        } else {
            json_object_set(o, "value", json_array_get(tmp, i));
            jset(o, "type", json_string("CNAME"));
        }
        jpush(ret, o);
    }
    json_array_clear(tmp);
    type = ns_t_aaaa;
    st = parse_general(ab, al, &type, tmp, a6, &n6);
    if (st != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    for (size_t i = 0; i < json_array_size(tmp); i++) {
        json_t *o = json_object();
        json_object_set(o, "address", json_array_get(tmp, i));
        jset(o, "ttl", json_integer(i < (size_t)n6 ? a6[i].ttl : 0));
        jset(o, "type", json_string("AAAA"));
        jpush(ret, o);
    }
    json_array_clear(tmp);
    if ((st = parse_mx(ab, al, ret, true)) != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    type = ns_t_ns;
    st = parse_general(ab, al, &type, tmp, NULL, NULL);
    if (st != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    for (size_t i = 0; i < json_array_size(tmp); i++) {
        json_t *o = json_object();
        json_object_set(o, "value", json_array_get(tmp, i));
        jset(o, "type", json_string("NS"));
        jpush(ret, o);
    }
    json_array_clear(tmp);
    if ((st = parse_txt(ab, al, ret, true)) != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    if ((st = parse_srv(ab, al, ret, true)) != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    type = ns_t_ptr;
    st = parse_general(ab, al, &type, tmp, NULL, NULL);
    if (st != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    for (size_t i = 0; i < json_array_size(tmp); i++) {
        json_t *o = json_object();
        json_object_set(o, "value", json_array_get(tmp, i));
        jset(o, "type", json_string("PTR"));
        jpush(ret, o);
    }
    json_array_clear(tmp);
    if ((st = parse_naptr(ab, al, ret, true)) != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    json_t *soa = NULL;
    if ((st = parse_soa_anywhere(ab, al, &soa)) != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    jpush(ret, soa);
    if ((st = parse_caa(ab, al, ret, true)) != ARES_SUCCESS && st != ARES_ENODATA)
        goto out;
    st = ARES_SUCCESS;
out:
    json_decref(tmp);
    return st;
}

/* *json = v as text, an array cut at its end until it fits DNS_JSON_MAX:
 * 0 whole, 1 cut, or a status. Takes v. */
static int dump_fit(json_t *v, char **json)
{
    int r = 0;
    *json = NULL;
    for (;;) {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
        if (!s) {
            json_decref(v);
            return -(NETP_DNS_BASE + ARES_ENOMEM);
        }
        size_t n = strlen(s);
        if (n <= DNS_JSON_MAX || !json_is_array(v) || json_array_size(v) == 0) {
            if (n > DNS_JSON_MAX) { /* one record too large: nothing fits */
                free(s);
                json_decref(v);
                return -(NETP_DNS_BASE + ARES_EBADRESP);
            }
            *json = s;
            json_decref(v);
            return r;
        }
        free(s);
        /* drop about what is over, at least one record */
        size_t sz = json_array_size(v);
        size_t drop = (size_t)((double)sz * (double)(n - DNS_JSON_MAX) / (double)n) + 1;
        if (drop > sz)
            drop = sz;
        for (size_t i = 0; i < drop; i++)
            json_array_remove(v, json_array_size(v) - 1);
        r = 1;
    }
}

int lch_netd_dns_json(int type, bool ttl, const unsigned char *abuf, int alen, char **json)
{
    *json = NULL;
    if (!abuf || alen <= 0)
        return -(NETP_DNS_BASE + ARES_EBADRESP);
    json_t *ret = json_array();
    if (!ret)
        return -(NETP_DNS_BASE + ARES_ENOMEM);
    int st;
    switch (type) {
    case ns_t_a:
    case ns_t_aaaa: {
        struct ares_addrttl a4[DNS_TTLS_MAX];
        struct ares_addr6ttl a6[DNS_TTLS_MAX];
        int n = DNS_TTLS_MAX;
        int t = type;
        st = parse_general(abuf, alen, &t, ret, type == ns_t_a ? (void *)a4 : (void *)a6, &n);
        if (st == ARES_SUCCESS && ttl) {
            for (size_t i = 0; i < json_array_size(ret); i++) {
                json_t *o = json_object();
                json_object_set(o, "address", json_array_get(ret, i));
                unsigned t_ =
                    i < (size_t)n ? (unsigned)(type == ns_t_a ? a4[i].ttl : a6[i].ttl) : 0;
                jset(o, "ttl", json_integer(t_));
                json_array_set_new(ret, i, o);
            }
        }
        break;
    }
    case ns_t_cname:
    case ns_t_ns:
    case ns_t_ptr: {
        int t = type;
        st = parse_general(abuf, alen, &t, ret, NULL, NULL);
        break;
    }
    case ns_t_mx:
        st = parse_mx(abuf, alen, ret, false);
        break;
    case ns_t_txt:
        st = parse_txt(abuf, alen, ret, false);
        break;
    case ns_t_srv:
        st = parse_srv(abuf, alen, ret, false);
        break;
    case ns_t_naptr:
        st = parse_naptr(abuf, alen, ret, false);
        break;
    case ns_t_soa: {
        json_t *soa = NULL;
        st = parse_soa(abuf, alen, &soa, false);
        if (st == ARES_SUCCESS) {
            json_decref(ret);
            ret = soa;
        }
        break;
    }
    case ns_t_caa:
        st = parse_caa(abuf, alen, ret, false);
        break;
    case NETP_RR_ANY:
        st = parse_any(abuf, alen, ret);
        break;
    default:
        st = ARES_ENOTIMP;
        break;
    }
    if (st != ARES_SUCCESS) {
        json_decref(ret);
        return -(NETP_DNS_BASE + st);
    }
    return dump_fit(ret, json);
}

int lch_netd_dns_names_json(const struct hostent *h, char **json)
{
    json_t *ret = json_array();
    if (!ret)
        return -(NETP_DNS_BASE + ARES_ENOMEM);
    for (size_t i = 0; h && h->h_aliases && h->h_aliases[i]; i++)
        jpush(ret, jcstr(h->h_aliases[i]));
    return dump_fit(ret, json);
}

bool lch_netd_dns_type_ok(int type)
{
    switch (type) {
    case ns_t_a:
    case ns_t_aaaa:
    case ns_t_cname:
    case ns_t_ns:
    case ns_t_ptr:
    case ns_t_mx:
    case ns_t_txt:
    case ns_t_srv:
    case ns_t_naptr:
    case ns_t_soa:
    case ns_t_caa:
    case NETP_RR_ANY:
        return true;
    default:
        return false;
    }
}

/* ---- asking ----------------------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* lch_netd_ares_drive with a deadline (ms from now; < 0: none): -ETIMEDOUT
 * past it. */
static int drive(ares_channel ch, const bool *done, int stop_fd, int deadline_ms)
{
    long long end = deadline_ms < 0 ? 0 : now_ms() + deadline_ms;
    while (!*done) {
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
        struct pollfd pf[ARES_GETSOCK_MAXNUM + 1];
        int n = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
            short ev = 0;
            /* ARES_GETSOCK_WRITABLE shifts 1 by up to 31 in an int */
            if ((unsigned)bits & (1u << i))
                ev |= POLLIN;
            if ((unsigned)bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
                ev |= POLLOUT;
            if (ev)
                pf[n++] = (struct pollfd){.fd = socks[i], .events = ev};
        }
        pf[n] = (struct pollfd){.fd = stop_fd, .events = POLLIN};
        struct timeval tv, *tvp = ares_timeout(ch, NULL, &tv);
        int ms = tvp ? (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) : 1000;
        if (end) {
            long long left = end - now_ms();
            if (left <= 0)
                return -ETIMEDOUT;
            if (left < ms)
                ms = (int)left;
        }
        int r = poll(pf, (nfds_t)n + 1, ms);
        if (r < 0 && errno != EINTR)
            return -errno;
        if (r < 0)
            continue;
        if (stop_fd >= 0 && pf[n].revents)
            return -ECANCELED;
        if (r == 0) {
            ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
            continue;
        }
        for (int i = 0; i < n; i++)
            if (pf[i].revents)
                ares_process_fd(
                    ch, pf[i].revents & (POLLIN | POLLERR | POLLHUP) ? pf[i].fd : ARES_SOCKET_BAD,
                    pf[i].revents & POLLOUT ? pf[i].fd : ARES_SOCKET_BAD);
    }
    return 0;
}

int lch_netd_ares_drive(void *chp, const bool *done, int stop_fd)
{
    return drive(chp, done, stop_fd, -1);
}

int lch_netd_ares_new(const char *resolvers, void **out)
{
    /* DNS only: the host's own files (its /etc/hosts) are no answer for
     * the guest — a host fact, and not what its resolvers say */
    char lookups[] = "b";
    struct ares_options opt = {.timeout = DNS_TIMEOUT_MS, .tries = DNS_TRIES, .lookups = lookups};
    ares_channel ch;
    int r = ares_init_options(&ch, &opt, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
    if (r != ARES_SUCCESS)
        return r;
    if (resolvers && resolvers[0] &&
        (r = ares_set_servers_ports_csv(ch, resolvers)) != ARES_SUCCESS) {
        ares_destroy(ch);
        return r;
    }
    *out = ch;
    return ARES_SUCCESS;
}

typedef struct {
    bool done;
    int status;
    int type;
    bool ttl;
    char *json;
    int jr;    /* lch_netd_dns_json's return */
    int cache; /* lch_netd_dns_cache_ttl's */
} query_t;

/* c-ares' query cache's bound (qcache_max_ttl's default) */
#define DNS_CACHE_MAX_S 3600

int lch_netd_dns_cache_ttl(const unsigned char *abuf, int alen)
{
    ns_msg m;
    if (!abuf || alen <= 0 || ns_initparse(abuf, alen, &m) < 0 || ns_msg_getflag(m, ns_f_tc))
        return 0;
    int rcode = ns_msg_getflag(m, ns_f_rcode);
    if (rcode != ns_r_noerror && rcode != ns_r_nxdomain)
        return 0;
    bool negative = rcode == ns_r_nxdomain || ns_msg_count(m, ns_s_an) == 0;
    unsigned long least = ULONG_MAX;
    const ns_sect sects[] = {ns_s_an, ns_s_ns, ns_s_ar};
    for (size_t s = 0; s < sizeof sects / sizeof sects[0]; s++) {
        if (negative && sects[s] != ns_s_ns)
            continue;
        for (int i = 0; i < ns_msg_count(m, sects[s]); i++) {
            ns_rr rr;
            if (ns_parserr(&m, sects[s], i, &rr) < 0)
                return 0;
            unsigned long ttl = ns_rr_ttl(rr);
            int type = ns_rr_type(rr);
            if (negative) {
                /* the SOA's minimum (its last 4 bytes) and its own TTL */
                if (type != ns_t_soa || ns_rr_rdlen(rr) < 20)
                    continue;
                const unsigned char *min = ns_rr_rdata(rr) + ns_rr_rdlen(rr) - 4;
                unsigned long v = (unsigned long)min[0] << 24 | (unsigned long)min[1] << 16 |
                                  (unsigned long)min[2] << 8 | min[3];
                ttl = v < ttl ? v : ttl;
            } else if (type == ns_t_opt || type == ns_t_soa || type == ns_t_sig) {
                continue;
            }
            if (ttl < least)
                least = ttl;
        }
    }
    if (least == ULONG_MAX)
        return 0;
    return least > DNS_CACHE_MAX_S ? DNS_CACHE_MAX_S : (int)least;
}

static void query_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    (void)timeouts;
    query_t *q = arg;
    q->done = true;
    q->status = status;
    q->cache = lch_netd_dns_cache_ttl(abuf, alen);
    if (status == ARES_SUCCESS)
        q->jr = lch_netd_dns_json(q->type, q->ttl, abuf, alen, &q->json);
}

/* Asks channel ch (taken: destroyed here) for name's records of type: as
 * lch_netd_dns_query. Past deadline_ms (< 0: none): ETIMEOUT. */
static int ask_query(ares_channel ch, const char *name, int type, bool ttl, int stop_fd,
                     int deadline_ms, char **json, int *cache)
{
    query_t q = {.type = type, .ttl = ttl};
    ares_query(ch, name, ns_c_in, type, query_done, &q);
    int e = drive(ch, &q.done, stop_fd, deadline_ms);
    ares_destroy(ch); /* calls query_done with ARES_EDESTRUCTION if pending */
    *cache = e < 0 ? 0 : q.cache;
    if (e == -ETIMEDOUT)
        e = -(NETP_DNS_BASE + ARES_ETIMEOUT);
    if (e < 0) {
        free(q.json);
        return e;
    }
    if (q.status != ARES_SUCCESS) {
        free(q.json);
        return -(NETP_DNS_BASE + q.status);
    }
    if (q.jr < 0)
        return q.jr;
    *json = q.json;
    return q.jr;
}

int lch_netd_dns_query(const char *resolvers, const char *name, int type, bool ttl, int stop_fd,
                       char **json, int *cache)
{
    *json = NULL;
    *cache = 0;
    if (!name || !lch_netd_dns_type_ok(type))
        return -EINVAL;
    void *chp;
    int r = lch_netd_ares_new(resolvers, &chp);
    if (r != ARES_SUCCESS)
        return -(NETP_DNS_BASE + r);
    return ask_query(chp, name, type, ttl, stop_fd, -1, json, cache);
}

typedef struct {
    bool done;
    int status;
    char *json;
    int jr;
} reverse_t;

static void reverse_done(void *arg, int status, int timeouts, struct hostent *h)
{
    (void)timeouts;
    reverse_t *v = arg;
    v->done = true;
    v->status = status;
    if (status == ARES_SUCCESS)
        v->jr = lch_netd_dns_names_json(h, &v->json);
}

/* Asks channel ch (taken) for the names of address ip: as
 * lch_netd_dns_reverse. Past deadline_ms (< 0: none): ETIMEOUT. */
static int ask_reverse(ares_channel ch, const char *ip, int stop_fd, int deadline_ms, char **json)
{
    unsigned char a[16];
    int fam;
    if (ip && inet_pton(AF_INET, ip, a) == 1) {
        fam = AF_INET;
    } else if (ip && inet_pton(AF_INET6, ip, a) == 1) {
        fam = AF_INET6;
    } else {
        ares_destroy(ch);
        return -EINVAL;
    }
    reverse_t v = {0};
    ares_gethostbyaddr(ch, a, fam == AF_INET ? 4 : 16, fam, reverse_done, &v);
    int e = drive(ch, &v.done, stop_fd, deadline_ms);
    ares_destroy(ch);
    if (e == -ETIMEDOUT)
        e = -(NETP_DNS_BASE + ARES_ETIMEOUT);
    if (e < 0) {
        free(v.json);
        return e;
    }
    if (v.status != ARES_SUCCESS) {
        free(v.json);
        return -(NETP_DNS_BASE + v.status);
    }
    if (v.jr < 0)
        return v.jr;
    *json = v.json;
    return v.jr;
}

int lch_netd_dns_reverse(const char *resolvers, const char *ip, int stop_fd, char **json)
{
    *json = NULL;
    unsigned char a[16];
    if (!ip || (inet_pton(AF_INET, ip, a) != 1 && inet_pton(AF_INET6, ip, a) != 1))
        return -EINVAL;
    void *chp;
    int r = lch_netd_ares_new(resolvers, &chp);
    if (r != ARES_SUCCESS)
        return -(NETP_DNS_BASE + r);
    return ask_reverse(chp, ip, stop_fd, -1, json);
}

int lch_netd_dns_servers(const char *resolvers, char *out, size_t cap)
{
    if (!cap)
        return -EINVAL;
    out[0] = '\0';
    int r = ares_library_init(ARES_LIB_INIT_ALL);
    if (r != ARES_SUCCESS)
        return -(NETP_DNS_BASE + r);
    void *chp;
    r = lch_netd_ares_new(resolvers, &chp);
    ares_channel ch = chp;
    if (r != ARES_SUCCESS) {
        ares_library_cleanup();
        return -(NETP_DNS_BASE + r);
    }
    struct ares_addr_port_node *list = NULL;
    r = ares_get_servers_ports(ch, &list);
    size_t o = 0;
    for (struct ares_addr_port_node *n = list; r == ARES_SUCCESS && n; n = n->next) {
        char ip[INET6_ADDRSTRLEN], item[INET6_ADDRSTRLEN + 16];
        if (!inet_ntop(n->family, &n->addr, ip, sizeof ip))
            continue;
        int port = n->udp_port;
        if (!port || port == 53)
            snprintf(item, sizeof item, "%s", ip);
        else if (n->family == AF_INET6)
            snprintf(item, sizeof item, "[%s]:%d", ip, port);
        else
            snprintf(item, sizeof item, "%s:%d", ip, port);
        size_t l = strlen(item);
        if (o + l + 2 > cap)
            break;
        if (o)
            out[o++] = ',';
        memcpy(out + o, item, l + 1);
        o += l;
    }
    if (list)
        ares_free_data(list);
    ares_destroy(ch);
    ares_library_cleanup();
    return r == ARES_SUCCESS ? 0 : -(NETP_DNS_BASE + r);
}

/* ---- the guest's own servers ---------------------------------------------------------
 *
 * A Resolver's setServers() names where its questions go. The supervisor
 * asks them itself (the guest has no socket of its own), after deciding
 * each server as a connection there would be. c-ares makes one socket per
 * server and transport and connects it to the server's address; the
 * socket functions below give it a socket of the host's namespace
 * (socket()) and, at its connect, put in its place (dup3 onto the same
 * descriptor number) one the middle process made in the sandbox's
 * namespace when the server is on the sandbox's own loopback. The connect
 * is also where every address c-ares uses is checked against the decided
 * list: nothing else is reached. */

typedef struct {
    brk_ip_t ip;
    unsigned port;
    enum { G_SANDBOX, G_HOST_LOOPBACK, G_OUTSIDE } where;
} gserver_t;

/* c-ares' sockets open at once, at most: one UDP and one TCP a server */
#define G_SOCKS (2 * NETP_DNS_SERVERS_MAX)

typedef struct {
    lch_netd_t *d;
    gserver_t sv[NETP_DNS_SERVERS_MAX];
    size_t n;
    /* the sockets connected to host.internal's server, by descriptor (-1:
     * free): their datagrams come from the host's 127.0.0.1, which c-ares
     * must see as the address it asked (127.254.0.1) */
    int hl_fd[G_SOCKS];
    size_t hl_sv[G_SOCKS];
} gdns_t;

int lch_netd_dns_opts_check(const void *opts, size_t plen, brk_ip_t *ips, unsigned *ports,
                            size_t *n)
{
    netp_dns_opts_t o;
    *n = 0;
    if (!opts || plen != sizeof o)
        return -EINVAL;
    memcpy(&o, opts, sizeof o);
    if (o.timeout_ms < -1 || o.tries < 1 || o.nservers < 1 || o.nservers > NETP_DNS_SERVERS_MAX ||
        o.pad)
        return -EINVAL;
    for (size_t i = 0; i < o.nservers; i++) {
        const netp_addr_t *a = &o.servers[i];
        if ((a->family != 4 && a->family != 6) || a->pad || a->scope_id)
            return -EINVAL;
        memset(&ips[i], 0, sizeof ips[i]);
        ips[i].family = a->family;
        memcpy(ips[i].a, a->addr, a->family == 4 ? 4 : 16);
        ports[i] = a->port ? a->port : 53;
    }
    *n = o.nservers;
    return 0;
}

static ares_socket_t g_socket(int af, int type, int proto, void *u)
{
    (void)u;
    int s = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    return s < 0 ? ARES_SOCKET_BAD : s;
}

static int g_close(ares_socket_t s, void *u)
{
    gdns_t *g = u;
    for (size_t i = 0; i < G_SOCKS; i++)
        if (g->hl_fd[i] == s)
            g->hl_fd[i] = -1;
    return close(s);
}

static bool g_addr(const struct sockaddr *sa, ares_socklen_t len, brk_ip_t *ip, unsigned *port)
{
    memset(ip, 0, sizeof *ip);
    if (sa->sa_family == AF_INET && len >= (ares_socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        ip->family = 4;
        memcpy(ip->a, &v4->sin_addr, 4);
        *port = ntohs(v4->sin_port);
        return true;
    }
    if (sa->sa_family == AF_INET6 && len >= (ares_socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        ip->family = 6;
        memcpy(ip->a, &v6->sin6_addr, 16);
        *port = ntohs(v6->sin6_port);
        return true;
    }
    return false;
}

/* The connect of c-ares' socket s to server sa: only a decided server;
 * the sandbox's loopback through a socket of the sandbox's. */
static int g_connect(ares_socket_t s, const struct sockaddr *sa, ares_socklen_t len, void *u)
{
    gdns_t *g = u;
    brk_ip_t ip;
    unsigned port = 0;
    const gserver_t *sv = NULL;
    if (g_addr(sa, len, &ip, &port))
        for (size_t i = 0; i < g->n && !sv; i++)
            if (g->sv[i].port == port && g->sv[i].ip.family == ip.family &&
                !memcmp(g->sv[i].ip.a, ip.a, 16))
                sv = &g->sv[i];
    if (!sv) {
        errno = EACCES;
        return -1;
    }
    if (sv->where == G_HOST_LOOPBACK) { /* host.internal: the host's own 127.0.0.1 */
        struct sockaddr_in lo = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        size_t slot = G_SOCKS;
        for (size_t i = 0; i < G_SOCKS && slot == G_SOCKS; i++)
            if (g->hl_fd[i] < 0)
                slot = i;
        if (slot == G_SOCKS) {
            errno = EMFILE;
            return -1;
        }
        int r = connect(s, (struct sockaddr *)&lo, sizeof lo);
        if (r == 0 || errno == EINPROGRESS) {
            g->hl_fd[slot] = s;
            g->hl_sv[slot] = (size_t)(sv - g->sv);
        }
        return r;
    }
    if (sv->where == G_OUTSIDE)
        return connect(s, sa, len);
    int type = 0;
    socklen_t tl = sizeof type;
    if (getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &tl) < 0)
        return -1;
    int fd = -1, r;
    if (type == SOCK_DGRAM) {
        brk_ip_t any = {.family = ip.family}; /* bound to the unspecified address, port 0 */
        r = lch__netd_factory_udp(g->d, &any, 0, 0, &fd, NULL);
        if (r == 0 && connect(fd, sa, len) < 0)
            r = -errno;
    } else {
        r = lch__netd_factory_tcp(g->d, &ip, port, &fd);
    }
    if (r == 0 && dup3(fd, s, O_CLOEXEC) < 0)
        r = -errno;
    if (fd >= 0)
        close(fd);
    if (r < 0) {
        errno = -r;
        return -1;
    }
    if (type != SOCK_DGRAM) { /* the factory's connect may be under way */
        errno = EINPROGRESS;
        return -1;
    }
    return 0;
}

static ares_ssize_t g_recvfrom(ares_socket_t s, void *buf, size_t len, int flags,
                               struct sockaddr *from, ares_socklen_t *fromlen, void *u)
{
    gdns_t *g = u;
    ares_ssize_t n = recvfrom(s, buf, len, flags, from, fromlen);
    for (size_t i = 0; n >= 0 && from && fromlen && i < G_SOCKS; i++) {
        if (g->hl_fd[i] != s)
            continue;
        /* a connected socket: only its peer's datagrams arrive */
        const gserver_t *sv = &g->sv[g->hl_sv[i]];
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)sv->port)};
        memcpy(&a.sin_addr, sv->ip.a, 4);
        if (*fromlen >= (ares_socklen_t)sizeof a) {
            memcpy(from, &a, sizeof a);
            *fromlen = sizeof a;
        }
    }
    return n;
}

static ares_ssize_t g_sendv(ares_socket_t s, const struct iovec *v, int n, void *u)
{
    (void)u;
    return writev(s, v, n);
}

static const struct ares_socket_functions g_funcs = {
    .asocket = g_socket,
    .aclose = g_close,
    .aconnect = g_connect,
    .arecvfrom = g_recvfrom,
    .asendv = g_sendv,
};

/* Decides the guest's servers into g: 0, or -EACCES at the first refused
 * (its audit line written). */
static int g_decide(lch_netd_t *d, const brk_ip_t *ips, const unsigned *ports, size_t n, gdns_t *g)
{
    g->d = d;
    g->n = 0;
    for (size_t i = 0; i < G_SOCKS; i++)
        g->hl_fd[i] = -1;
    for (size_t i = 0; i < n; i++) {
        char txt[INET6_ADDRSTRLEN];
        brk_ip_format(&ips[i], txt, sizeof txt);
        brk_addr_class_t c = brk_addr_class(&ips[i]);
        gserver_t *sv = &g->sv[g->n++];
        sv->ip = ips[i];
        sv->port = ports[i];
        if (lch__netd_host_internal(txt))
            sv->where = G_HOST_LOOPBACK;
        else if (c == BRK_ADDR_LOOPBACK || c == BRK_ADDR_UNSPECIFIED)
            sv->where = G_SANDBOX;
        else
            sv->where = G_OUTSIDE;
        /* host.internal's address is decided as host.internal */
        if (lch__netd_decide(d, "dns-server", txt, ports[i], &ips[i]) < 0)
            return -EACCES;
        if (sv->where == G_OUTSIDE && lch__netd_host_address(d, txt, ports[i], &ips[i]))
            return -EACCES;
    }
    return 0;
}

int lch_netd_dns_guest(lch_netd_t *d, const netp_req_t *q, const uint8_t *payload, size_t plen,
                       int stop_fd, char **json, int *cache)
{
    *json = NULL;
    *cache = 0;
    brk_ip_t ips[NETP_DNS_SERVERS_MAX];
    unsigned ports[NETP_DNS_SERVERS_MAX];
    size_t n;
    int r = lch_netd_dns_opts_check(payload, plen, ips, ports, &n);
    if (r < 0)
        return r;
    if (q->op == NETP_RESOLVE && !lch_netd_dns_type_ok(q->arg))
        return -EINVAL;
    netp_dns_opts_t o;
    memcpy(&o, payload, sizeof o);
    gdns_t *g = calloc(1, sizeof *g); /* the socket functions' context, until the channel goes */
    if (!g)
        return -ENOMEM;
    if ((r = g_decide(d, ips, ports, n, g)) < 0) {
        free(g);
        return r;
    }
    /* Node's channel: its timeout (-1: c-ares' own) and tries, answers
     * not checked for SERVFAIL and the like (the guest sees them) */
    char lookups[] = "b";
    struct ares_options opt = {
        .flags = ARES_FLAG_NOCHECKRESP,
        .timeout = o.timeout_ms > NETP_DNS_DEADLINE_MS ? NETP_DNS_DEADLINE_MS : o.timeout_ms,
        .tries = o.tries > DNS_TRIES_MAX ? DNS_TRIES_MAX : o.tries,
        .lookups = lookups,
    };
    ares_channel ch;
    r = ares_init_options(&ch, &opt,
                          ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
    if (r != ARES_SUCCESS) {
        free(g);
        return -(NETP_DNS_BASE + r);
    }
    struct ares_addr_port_node nodes[NETP_DNS_SERVERS_MAX];
    memset(nodes, 0, sizeof nodes);
    for (size_t i = 0; i < n; i++) {
        nodes[i].next = i + 1 < n ? &nodes[i + 1] : NULL;
        nodes[i].family = ips[i].family == 4 ? AF_INET : AF_INET6;
        memcpy(ips[i].family == 4 ? (void *)&nodes[i].addr.addr4 : (void *)&nodes[i].addr.addr6,
               ips[i].a, ips[i].family == 4 ? 4 : 16);
        nodes[i].udp_port = nodes[i].tcp_port = (int)ports[i];
    }
    if ((r = ares_set_servers_ports(ch, nodes)) != ARES_SUCCESS) {
        ares_destroy(ch);
        free(g);
        return -(NETP_DNS_BASE + r);
    }
    ares_set_socket_functions(ch, &g_funcs, g);
    if (q->op == NETP_REVERSE)
        r = ask_reverse(ch, q->host, stop_fd, NETP_DNS_DEADLINE_MS, json);
    else
        r = ask_query(ch, q->host, q->arg, q->flags & NETP_F_TTL, stop_fd, NETP_DNS_DEADLINE_MS,
                      json, cache);
    free(g);
    return r;
}
