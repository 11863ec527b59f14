/* tests/unit/test_netd_dns.c — the supervisor's DNS answers as the guest's
 * dns module gets them (launcher/netd_dns.c): canned DNS messages read by
 * c-ares' parsers into Node's JSON shapes, the ANY parse, a too-large
 * answer cut to fit one channel message, malformed answers, the servers
 * as getServers() shows them; the servers a guest's Resolver sets (the
 * payload checked, each decided, a live broker asking a server of the
 * test's on loopback through the factory). */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <ares.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../launcher/netd.h"
#include "unit.h"

/* ---- a DNS message builder -------------------------------------------------------- */

typedef struct {
    unsigned char b[70000];
    size_t n;
    unsigned an;
} msg_t;

static void put(msg_t *m, const void *p, size_t n)
{
    ck_assert_uint_le(m->n + n, sizeof m->b);
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void put16(msg_t *m, unsigned v)
{
    unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    put(m, x, 2);
}

static void put32(msg_t *m, unsigned long v)
{
    put16(m, (unsigned)(v >> 16) & 0xffff);
    put16(m, (unsigned)v & 0xffff);
}

static void put_name(msg_t *m, const char *name)
{
    const char *p = name;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        unsigned char c = (unsigned char)l;
        put(m, &c, 1);
        put(m, p, l);
        p += l + (dot ? 1 : 0);
    }
    put(m, "", 1);
}

static void begin(msg_t *m, const char *qname, int qtype)
{
    memset(m, 0, sizeof *m);
    put16(m, 0x1234);
    put16(m, 0x8180);
    put16(m, 1);
    put16(m, 0); /* ancount, set by finish */
    put16(m, 0);
    put16(m, 0);
    put_name(m, qname);
    put16(m, (unsigned)qtype);
    put16(m, ns_c_in);
}

/* one RR: its header, then rdata written by the caller; returns the rdlen
 * slot to fill with rdlen_done */
static size_t rr(msg_t *m, const char *name, int type, unsigned long ttl)
{
    put_name(m, name);
    put16(m, (unsigned)type);
    put16(m, ns_c_in);
    put32(m, ttl);
    size_t slot = m->n;
    put16(m, 0);
    m->an++;
    return slot;
}

static void rdlen_done(msg_t *m, size_t slot)
{
    size_t l = m->n - slot - 2;
    m->b[slot] = (unsigned char)(l >> 8);
    m->b[slot + 1] = (unsigned char)l;
}

static void finish(msg_t *m)
{
    m->b[6] = (unsigned char)(m->an >> 8);
    m->b[7] = (unsigned char)m->an;
}

static void rr_a(msg_t *m, const char *name, unsigned long ttl, const char *ip)
{
    size_t s = rr(m, name, ns_t_a, ttl);
    unsigned char a[4];
    ck_assert_int_eq(inet_pton(AF_INET, ip, a), 1);
    put(m, a, 4);
    rdlen_done(m, s);
}

static void rr_aaaa(msg_t *m, const char *name, unsigned long ttl, const char *ip)
{
    size_t s = rr(m, name, ns_t_aaaa, ttl);
    unsigned char a[16];
    ck_assert_int_eq(inet_pton(AF_INET6, ip, a), 1);
    put(m, a, 16);
    rdlen_done(m, s);
}

static void rr_mx(msg_t *m, const char *name, unsigned pref, const char *host)
{
    size_t s = rr(m, name, ns_t_mx, 60);
    put16(m, pref);
    put_name(m, host);
    rdlen_done(m, s);
}

static void rr_soa(msg_t *m, const char *name)
{
    size_t s = rr(m, name, ns_t_soa, 60);
    put_name(m, "ns1.dns.test");
    put_name(m, "hostmaster.dns.test");
    put32(m, 2024010101);
    put32(m, 3600);
    put32(m, 600);
    put32(m, 86400);
    put32(m, 60);
    rdlen_done(m, s);
}

/* a TXT record of strings given as (pointer, length) pairs */
static void rr_txt(msg_t *m, const char *name, int n, const char *const *s, const size_t *l)
{
    size_t slot = rr(m, name, ns_t_txt, 60);
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)l[i];
        put(m, &c, 1);
        put(m, s[i], l[i]);
    }
    rdlen_done(m, slot);
}

/* the JSON of m for type (0 or 1), or the status */
static int json_of(msg_t *m, int type, bool ttl, char **json)
{
    finish(m);
    return lch_netd_dns_json(type, ttl, m->b, (int)m->n, json);
}

static void expect_json(msg_t *m, int type, bool ttl, const char *want)
{
    char *j = NULL;
    int r = json_of(m, type, ttl, &j);
    ck_assert_msg(r == 0, "status %d for type %d", r, type);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(j, want);
    free(j);
}

/* ---- the tests -------------------------------------------------------------------- */

START_TEST(addresses)
{
    msg_t *m = malloc(sizeof *m);
    begin(m, "a.dns.test", ns_t_a);
    rr_a(m, "a.dns.test", 300, "192.0.2.10");
    rr_a(m, "a.dns.test", 200, "192.0.2.11");
    expect_json(m, ns_t_a, false, "[\"192.0.2.10\",\"192.0.2.11\"]");
    begin(m, "a.dns.test", ns_t_a);
    rr_a(m, "a.dns.test", 300, "192.0.2.10");
    rr_a(m, "a.dns.test", 200, "192.0.2.11");
    expect_json(
        m, ns_t_a, true,
        "[{\"address\":\"192.0.2.10\",\"ttl\":300},{\"address\":\"192.0.2.11\",\"ttl\":200}]");
    begin(m, "v6.dns.test", ns_t_aaaa);
    rr_aaaa(m, "v6.dns.test", 100, "2001:db8::6");
    expect_json(m, ns_t_aaaa, true, "[{\"address\":\"2001:db8::6\",\"ttl\":100}]");
    /* no record of the type: ENODATA, Node's queryA ENODATA */
    char *j = NULL;
    begin(m, "mx.dns.test", ns_t_a);
    ck_assert_int_eq(json_of(m, ns_t_a, false, &j), -(NETP_DNS_BASE + ARES_ENODATA));
    ck_assert_ptr_null(j);
    free(m);
}
END_TEST

START_TEST(records)
{
    msg_t *m = malloc(sizeof *m);
    begin(m, "mx.dns.test", ns_t_mx);
    rr_mx(m, "mx.dns.test", 10, "mail1.dns.test");
    rr_mx(m, "mx.dns.test", 20, "mail2.dns.test");
    expect_json(m, ns_t_mx, false,
                "[{\"exchange\":\"mail1.dns.test\",\"priority\":10},"
                "{\"exchange\":\"mail2.dns.test\",\"priority\":20}]");
    /* TXT: each record its chunks; a NUL and a byte above 0x7f are one
     * code point each, as V8's one-byte strings */
    begin(m, "txt.dns.test", ns_t_txt);
    const char *s1[] = {"v=spf1 -all"};
    size_t l1[] = {11};
    const char *s2[] = {"hel\0lo", "w\xe9rld"};
    size_t l2[] = {6, 5};
    rr_txt(m, "txt.dns.test", 1, s1, l1);
    rr_txt(m, "txt.dns.test", 2, s2, l2);
    expect_json(m, ns_t_txt, false, "[[\"v=spf1 -all\"],[\"hel\\u0000lo\",\"w\\u00E9rld\"]]");
    begin(m, "_http._tcp.dns.test", ns_t_srv);
    size_t s = rr(m, "_http._tcp.dns.test", ns_t_srv, 60);
    put16(m, 10);
    put16(m, 5);
    put16(m, 8080);
    put_name(m, "web.dns.test");
    rdlen_done(m, s);
    expect_json(m, ns_t_srv, false,
                "[{\"name\":\"web.dns.test\",\"port\":8080,\"priority\":10,\"weight\":5}]");
    begin(m, "dns.test", ns_t_soa);
    rr_soa(m, "dns.test");
    expect_json(m, ns_t_soa, false,
                "{\"nsname\":\"ns1.dns.test\",\"hostmaster\":\"hostmaster.dns.test\","
                "\"serial\":2024010101,\"refresh\":3600,\"retry\":600,\"expire\":86400,"
                "\"minttl\":60}");
    begin(m, "dns.test", ns_t_caa);
    s = rr(m, "dns.test", ns_t_caa, 60);
    put(m, "\0\5issueca.example.net", 21);
    rdlen_done(m, s);
    expect_json(m, ns_t_caa, false, "[{\"critical\":0,\"issue\":\"ca.example.net\"}]");
    begin(m, "naptr.dns.test", ns_t_naptr);
    s = rr(m, "naptr.dns.test", ns_t_naptr, 60);
    put16(m, 100);
    put16(m, 10);
    put(m, "\1S\7SIP+D2U\0", 11);
    put_name(m, "_sip._udp.dns.test");
    rdlen_done(m, s);
    expect_json(m, ns_t_naptr, false,
                "[{\"flags\":\"S\",\"service\":\"SIP+D2U\",\"regexp\":\"\","
                "\"replacement\":\"_sip._udp.dns.test\",\"order\":100,\"preference\":10}]");
    begin(m, "cname.dns.test", ns_t_cname);
    s = rr(m, "cname.dns.test", ns_t_cname, 60);
    put_name(m, "a.dns.test");
    rdlen_done(m, s);
    expect_json(m, ns_t_cname, false, "[\"a.dns.test\"]");
    begin(m, "dns.test", ns_t_ns);
    s = rr(m, "dns.test", ns_t_ns, 60);
    put_name(m, "ns1.dns.test");
    rdlen_done(m, s);
    expect_json(m, ns_t_ns, false, "[\"ns1.dns.test\"]");
    free(m);
}
END_TEST

START_TEST(any)
{
    msg_t *m = malloc(sizeof *m);
    /* the SOA after other records (c-ares' own SOA parser wants it alone) */
    begin(m, "a.dns.test", NETP_RR_ANY);
    rr_a(m, "a.dns.test", 300, "192.0.2.10");
    rr_aaaa(m, "a.dns.test", 30, "2001:db8::10");
    rr_mx(m, "a.dns.test", 10, "mail1.dns.test");
    rr_soa(m, "a.dns.test");
    expect_json(m, NETP_RR_ANY, false,
                "[{\"address\":\"192.0.2.10\",\"ttl\":300,\"type\":\"A\"},"
                "{\"address\":\"2001:db8::10\",\"ttl\":30,\"type\":\"AAAA\"},"
                "{\"exchange\":\"mail1.dns.test\",\"priority\":10,\"type\":\"MX\"},"
                "{\"nsname\":\"ns1.dns.test\",\"hostmaster\":\"hostmaster.dns.test\","
                "\"serial\":2024010101,\"refresh\":3600,\"retry\":600,\"expire\":86400,"
                "\"minttl\":60,\"type\":\"SOA\"}]");
    /* a CNAME alone is the CNAME, with its value */
    begin(m, "cname.dns.test", NETP_RR_ANY);
    size_t s = rr(m, "cname.dns.test", ns_t_cname, 60);
    put_name(m, "a.dns.test");
    rdlen_done(m, s);
    expect_json(m, NETP_RR_ANY, false, "[{\"value\":\"a.dns.test\",\"type\":\"CNAME\"}]");
    free(m);
}
END_TEST

START_TEST(cut_to_fit)
{
    /* TXT records of control bytes: each byte six in the JSON (\u0001),
     * the answer far over one message: the array loses its last records */
    msg_t *m = malloc(sizeof *m);
    begin(m, "big.dns.test", ns_t_txt);
    char chunk[250];
    memset(chunk, 1, sizeof chunk);
    const char *sv[] = {chunk};
    size_t lv[] = {sizeof chunk};
    for (int i = 0; i < 200; i++)
        rr_txt(m, "big.dns.test", 1, sv, lv);
    char *j = NULL;
    ck_assert_int_eq(json_of(m, ns_t_txt, false, &j), 1);
    ck_assert_ptr_nonnull(j);
    ck_assert_uint_le(strlen(j), NETP_MSG_MAX - sizeof(netp_res_t));
    ck_assert_uint_gt(strlen(j), NETP_MSG_MAX / 2);
    ck_assert_int_eq(j[0], '[');
    ck_assert_int_eq(j[strlen(j) - 1], ']');
    free(j);
    free(m);
}
END_TEST

START_TEST(malformed)
{
    msg_t *m = malloc(sizeof *m);
    char *j = NULL;
    begin(m, "a.dns.test", ns_t_a);
    rr_a(m, "a.dns.test", 300, "192.0.2.10");
    finish(m);
    /* cut inside the record, inside the header, nothing at all */
    for (int len = (int)m->n - 1; len >= 0; len -= 7) {
        int r = lch_netd_dns_json(ns_t_a, false, m->b, len, &j);
        ck_assert_msg(r < 0, "a message cut at %d parsed", len);
        ck_assert_ptr_null(j);
    }
    ck_assert_int_lt(lch_netd_dns_json(ns_t_a, false, NULL, 0, &j), 0);
    /* every parser on a message of another type's records: an answer
     * without the type (ENODATA) or a refusal, never a crash */
    begin(m, "x.dns.test", ns_t_mx);
    rr_mx(m, "x.dns.test", 1, "m.dns.test");
    finish(m);
    static const int types[] = {ns_t_a,   ns_t_aaaa, ns_t_cname, ns_t_ns,  ns_t_ptr,
                                ns_t_txt, ns_t_srv,  ns_t_naptr, ns_t_soa, ns_t_caa};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        int r = lch_netd_dns_json(types[i], false, m->b, (int)m->n, &j);
        free(j);
        j = NULL;
        (void)r;
    }
    ck_assert(!lch_netd_dns_type_ok(ns_t_hinfo));
    ck_assert(lch_netd_dns_type_ok(NETP_RR_ANY));
    int cache = -1;
    ck_assert_int_eq(lch_netd_dns_query(NULL, "a.dns.test", ns_t_hinfo, false, -1, &j, &cache),
                     -EINVAL);
    ck_assert_int_eq(cache, 0);
    ck_assert_int_eq(lch_netd_dns_reverse(NULL, "not-an-address", -1, &j), -EINVAL);
    free(m);
}
END_TEST

/* How long an answer may be kept (Node 22's c-ares query cache) */
START_TEST(cache_ttl)
{
    msg_t *m = malloc(sizeof *m);
    begin(m, "a.dns.test", ns_t_a);
    rr_a(m, "a.dns.test", 300, "192.0.2.10");
    rr_a(m, "a.dns.test", 120, "192.0.2.11");
    finish(m);
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, (int)m->n), 120); /* the least */
    m->b[2] |= 0x02;                                                /* truncated */
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, (int)m->n), 0);
    m->b[2] &= (unsigned char)~0x02;
    m->b[3] = 0x82; /* SERVFAIL */
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, (int)m->n), 0);
    begin(m, "a.dns.test", ns_t_a);
    rr_a(m, "a.dns.test", 86400, "192.0.2.10");
    finish(m);
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, (int)m->n), 3600); /* at most an hour */
    begin(m, "a.dns.test", ns_t_a);
    rr_a(m, "a.dns.test", 0, "192.0.2.10");
    finish(m);
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, (int)m->n), 0);
    /* a negative answer: its SOA (in the authority section) says */
    begin(m, "nope.dns.test", ns_t_a);
    rr_soa(m, "dns.test");
    m->an = 0;
    finish(m);
    m->b[9] = 1;    /* nscount */
    m->b[3] = 0x83; /* NXDOMAIN */
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, (int)m->n), 60);
    m->b[3] = 0x80; /* NOERROR, no records */
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, (int)m->n), 60);
    begin(m, "nope.dns.test", ns_t_a);
    finish(m);
    m->b[3] = 0x83; /* no SOA: not kept */
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, (int)m->n), 0);
    /* nothing, or cut short */
    ck_assert_int_eq(lch_netd_dns_cache_ttl(NULL, 0), 0);
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, 5), 0);
    begin(m, "a.dns.test", ns_t_a);
    rr_a(m, "a.dns.test", 300, "192.0.2.10");
    finish(m);
    ck_assert_int_eq(lch_netd_dns_cache_ttl(m->b, (int)m->n - 2), 0);
    free(m);
}
END_TEST

START_TEST(names_and_servers)
{
    char a0[] = "a.dns.test", a1[] = "b.dns.test";
    char *aliases[] = {a0, a1, NULL};
    struct hostent h = {.h_name = a0, .h_aliases = aliases};
    char *j = NULL;
    ck_assert_int_eq(lch_netd_dns_names_json(&h, &j), 0);
    ck_assert_str_eq(j, "[\"a.dns.test\",\"b.dns.test\"]");
    free(j);
    char out[256];
    ck_assert_int_eq(lch_netd_dns_servers("127.0.0.1:5353,[::1]:53,10.0.0.1", out, sizeof out), 0);
    ck_assert_str_eq(out, "127.0.0.1:5353,::1,10.0.0.1");
    ck_assert_int_eq(lch_netd_dns_servers("[2001:db8::1]:5353", out, sizeof out), 0);
    ck_assert_str_eq(out, "[2001:db8::1]:5353");
}
END_TEST

/* ---- the guest's own servers -------------------------------------------------------- */

static netp_dns_opts_t opts_of(const char *const *ips, const unsigned *ports, size_t n)
{
    netp_dns_opts_t o = {.timeout_ms = -1, .tries = 4, .nservers = (uint32_t)n};
    for (size_t i = 0; i < n; i++) {
        netp_addr_t *a = &o.servers[i];
        a->port = (uint16_t)ports[i];
        if (inet_pton(AF_INET, ips[i], a->addr) == 1)
            a->family = 4;
        else if (inet_pton(AF_INET6, ips[i], a->addr) == 1)
            a->family = 6;
    }
    return o;
}

START_TEST(guest_opts)
{
    static const char *const ips[] = {"127.0.0.1", "::1"};
    static const unsigned ports[] = {5353, 0};
    netp_dns_opts_t o = opts_of(ips, ports, 2);
    brk_ip_t got[NETP_DNS_SERVERS_MAX];
    unsigned gp[NETP_DNS_SERVERS_MAX];
    size_t n = 9;
    ck_assert_int_eq(lch_netd_dns_opts_check(&o, sizeof o, got, gp, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(got[0].family, 4);
    ck_assert_uint_eq(gp[0], 5353);
    ck_assert_int_eq(got[1].family, 6);
    ck_assert_uint_eq(gp[1], 53); /* port 0: DNS's */
    /* every field hostile: sizes, counts, families, timeout, tries, padding */
    ck_assert_int_eq(lch_netd_dns_opts_check(&o, sizeof o - 1, got, gp, &n), -EINVAL);
    netp_dns_opts_t bad = o;
    bad.nservers = 0;
    ck_assert_int_eq(lch_netd_dns_opts_check(&bad, sizeof bad, got, gp, &n), -EINVAL);
    bad.nservers = NETP_DNS_SERVERS_MAX + 1;
    ck_assert_int_eq(lch_netd_dns_opts_check(&bad, sizeof bad, got, gp, &n), -EINVAL);
    bad = o;
    bad.servers[1].family = 5;
    ck_assert_int_eq(lch_netd_dns_opts_check(&bad, sizeof bad, got, gp, &n), -EINVAL);
    bad = o;
    bad.timeout_ms = -2;
    ck_assert_int_eq(lch_netd_dns_opts_check(&bad, sizeof bad, got, gp, &n), -EINVAL);
    bad = o;
    bad.tries = 0;
    ck_assert_int_eq(lch_netd_dns_opts_check(&bad, sizeof bad, got, gp, &n), -EINVAL);
    bad = o;
    bad.servers[0].scope_id = 3;
    ck_assert_int_eq(lch_netd_dns_opts_check(&bad, sizeof bad, got, gp, &n), -EINVAL);
    bad = o;
    bad.pad = 1;
    ck_assert_int_eq(lch_netd_dns_opts_check(&bad, sizeof bad, got, gp, &n), -EINVAL);
    /* the channel takes the payload only on RESOLVE and REVERSE, whole */
    uint8_t buf[sizeof(netp_req_t) + sizeof o];
    netp_req_t q = {.version = NETP_VERSION, .op = NETP_RESOLVE, .arg = ns_t_a, .len = sizeof o};
    snprintf(q.host, sizeof q.host, "a.test");
    memcpy(buf, &q, sizeof q);
    memcpy(buf + sizeof q, &o, sizeof o);
    netp_req_t out;
    const uint8_t *pl;
    size_t plen;
    uint32_t id;
    ck_assert_int_eq(lch_netd_check(buf, sizeof buf, &out, &pl, &plen, &id), 0);
    ck_assert_uint_eq(plen, sizeof o);
    q.op = NETP_REVERSE;
    memcpy(buf, &q, sizeof q);
    ck_assert_int_eq(lch_netd_check(buf, sizeof buf, &out, &pl, &plen, &id), 0);
    q.op = NETP_LOOKUP;
    memcpy(buf, &q, sizeof q);
    ck_assert_int_eq(lch_netd_check(buf, sizeof buf, &out, &pl, &plen, &id), -EINVAL);
    q.op = NETP_RESOLVE;
    q.len = sizeof o - 4;
    memcpy(buf, &q, sizeof q);
    ck_assert_int_eq(lch_netd_check(buf, sizeof q + q.len, &out, &pl, &plen, &id), -EINVAL);
}
END_TEST

/* A DNS server of the test's on 127.0.0.1 (UDP): answers an A query of
 * www.dns.test with 192.0.2.7, anything else with NXDOMAIN; a query of
 * silent.dns.test with nothing. Counts what it was asked. */
typedef struct {
    int fd;
    unsigned port;
    int asked;
} tserver_t;

static void *tserver_main(void *arg)
{
    tserver_t *t = arg;
    for (;;) {
        struct pollfd pf = {.fd = t->fd, .events = POLLIN};
        if (poll(&pf, 1, 10000) != 1)
            return NULL;
        unsigned char in[512];
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(t->fd, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
        if (n < 12)
            return NULL; /* the test's end: an empty datagram */
        t->asked++;
        char *name = NULL;
        long len = 0;
        if (ares_expand_name(in + 12, in, (int)n, &name, &len) != ARES_SUCCESS)
            continue;
        unsigned type = (unsigned)(in[12 + len] << 8 | in[13 + len]);
        bool silent = !strcmp(name, "silent.dns.test");
        msg_t *m = malloc(sizeof *m);
        begin(m, name, (int)type);
        if (!strcmp(name, "www.dns.test") && type == ns_t_a)
            rr_a(m, name, 60, "192.0.2.7");
        else
            m->b[3] = 0x83; /* NXDOMAIN */
        finish(m);
        m->b[0] = in[0]; /* the query's id */
        m->b[1] = in[1];
        ares_free_string(name);
        if (!silent)
            sendto(t->fd, m->b, m->n, 0, (struct sockaddr *)&from, fl);
        free(m);
    }
}

static int ask_dns(int chan, unsigned op, const char *host, int type, const netp_dns_opts_t *o,
                   char *json, size_t cap)
{
    static uint32_t ids = 500;
    uint8_t buf[sizeof(netp_req_t) + sizeof *o];
    netp_req_t q = {.version = NETP_VERSION, .id = ++ids, .op = (uint16_t)op, .arg = type};
    snprintf(q.host, sizeof q.host, "%s", host);
    q.len = o ? sizeof *o : 0;
    memcpy(buf, &q, sizeof q);
    if (o)
        memcpy(buf + sizeof q, o, sizeof *o);
    ck_assert_int_eq(send(chan, buf, sizeof q + q.len, 0), (ssize_t)(sizeof q + q.len));
    uint8_t in[sizeof(netp_res_t) + 4096];
    struct pollfd pf = {.fd = chan, .events = POLLIN};
    ck_assert_int_eq(poll(&pf, 1, 20000), 1);
    ssize_t n = recv(chan, in, sizeof in, 0);
    ck_assert_int_ge(n, (ssize_t)sizeof(netp_res_t));
    netp_res_t res;
    memcpy(&res, in, sizeof res);
    ck_assert_uint_eq(res.id, q.id);
    size_t pl = (size_t)n - sizeof res;
    if (json) {
        pl = pl < cap - 1 ? pl : cap - 1;
        memcpy(json, in + sizeof res, pl);
        json[pl] = '\0';
    }
    return res.status;
}

static volatile int dns_factory_fd = -1;

static void *dns_factory_main(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd pf = {.fd = dns_factory_fd, .events = POLLIN};
        if (poll(&pf, 1, 10000) != 1 || !lch_netd_factory_serve(dns_factory_fd, -1))
            return NULL;
    }
}

START_TEST(guest_servers_live)
{
    tserver_t t = {.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(bind(t.fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(getsockname(t.fd, (struct sockaddr *)&sa, &sl), 0);
    t.port = ntohs(sa.sin_port);
    pthread_t st, ft;
    ck_assert_int_eq(pthread_create(&st, NULL, tserver_main, &t), 0);

    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    ck_assert_int_eq(brk_grant(p, BRK_NET, "127.0.0.1", &err), 0);
    lch_netd_fds_t f;
    ck_assert_int_eq(lch_netd_pairs(&f), 0);
    dns_factory_fd = f.factory_mid;
    ck_assert_int_eq(pthread_create(&ft, NULL, dns_factory_main, NULL), 0);
    lch_netd_opts_t no = {.policy = p};
    char e[256];
    lch_netd_t *d = lch_netd_start(&no, &f, e, sizeof e);
    ck_assert_msg(d != NULL, "%s", e);

    static const char *const lo[] = {"127.0.0.1"};
    unsigned port = t.port;
    netp_dns_opts_t o = opts_of(lo, &port, 1);
    char json[512];
    /* a name no rule names: asked of the guest's own (granted) server */
    ck_assert_int_eq(
        ask_dns(f.guest_async, NETP_RESOLVE, "www.dns.test", ns_t_a, &o, json, sizeof json), 0);
    ck_assert_str_eq(json, "[\"192.0.2.7\"]");
    ck_assert_int_eq(ask_dns(f.guest_async, NETP_RESOLVE, "nope.dns.test", ns_t_a, &o, NULL, 0),
                     -(NETP_DNS_BASE + ARES_ENOTFOUND));
    /* without the payload the same name is the supervisor's question: refused */
    ck_assert_int_eq(ask_dns(f.guest_async, NETP_RESOLVE, "www.dns.test", ns_t_a, NULL, NULL, 0),
                     -EACCES);
    /* the Resolver's timeout and tries: a server that does not answer */
    netp_dns_opts_t quick = o;
    quick.timeout_ms = 50;
    quick.tries = 1;
    ck_assert_int_eq(
        ask_dns(f.guest_async, NETP_RESOLVE, "silent.dns.test", ns_t_a, &quick, NULL, 0),
        -(NETP_DNS_BASE + ARES_ETIMEOUT));
    /* Resolver.cancel: the question stops at once (ECANCELED, not the
     * server's 30 s timeout) and the worker serves the next one */
    netp_dns_opts_t slow = o;
    slow.timeout_ms = 30000;
    slow.tries = 1;
    uint8_t buf[sizeof(netp_req_t) + sizeof slow];
    netp_req_t q = {
        .version = NETP_VERSION, .id = 9001, .op = NETP_RESOLVE, .arg = ns_t_a, .len = sizeof slow};
    snprintf(q.host, sizeof q.host, "silent.dns.test");
    memcpy(buf, &q, sizeof q);
    memcpy(buf + sizeof q, &slow, sizeof slow);
    int before = __atomic_load_n(&t.asked, __ATOMIC_SEQ_CST);
    ck_assert_int_eq(send(f.guest_async, buf, sizeof buf, 0), (ssize_t)sizeof buf);
    /* asked: the question is in c-ares' hands */
    for (int i = 0; i < 10000 && __atomic_load_n(&t.asked, __ATOMIC_SEQ_CST) == before; i++)
        usleep(1000);
    ck_assert_int_gt(__atomic_load_n(&t.asked, __ATOMIC_SEQ_CST), before);
    netp_req_t c = {.version = NETP_VERSION, .id = 1, .op = NETP_CANCEL, .arg = 9001};
    ck_assert_int_eq(send(f.guest_sync, &c, sizeof c, 0), (ssize_t)sizeof c);
    netp_res_t res;
    struct pollfd ps = {.fd = f.guest_sync, .events = POLLIN};
    ck_assert_int_eq(poll(&ps, 1, 20000), 1);
    ck_assert_int_ge(recv(f.guest_sync, &res, sizeof res, 0), (ssize_t)sizeof res);
    ck_assert_uint_eq(res.id, 1);
    ck_assert_int_eq(res.status, 0);
    struct pollfd pf = {.fd = f.guest_async, .events = POLLIN};
    ck_assert_int_eq(poll(&pf, 1, 20000), 1);
    ck_assert_int_ge(recv(f.guest_async, &res, sizeof res, 0), (ssize_t)sizeof res);
    ck_assert_uint_eq(res.id, 9001);
    ck_assert_int_eq(res.status, -ECANCELED);
    /* a cancel of no question, or with a host, changes nothing; none on
     * the async channel */
    c.arg = 77;
    ck_assert_int_eq(send(f.guest_sync, &c, sizeof c, 0), (ssize_t)sizeof c);
    ck_assert_int_eq(poll(&ps, 1, 20000), 1);
    ck_assert_int_ge(recv(f.guest_sync, &res, sizeof res, 0), (ssize_t)sizeof res);
    ck_assert_int_eq(res.status, 0);
    ck_assert_int_eq(send(f.guest_async, &c, sizeof c, 0), (ssize_t)sizeof c);
    ck_assert_int_eq(poll(&pf, 1, 20000), 1);
    ck_assert_int_ge(recv(f.guest_async, &res, sizeof res, 0), (ssize_t)sizeof res);
    ck_assert_int_eq(res.status, -EINVAL);
    netp_req_t withhost = c;
    snprintf(withhost.host, sizeof withhost.host, "x");
    uint8_t raw[sizeof withhost];
    memcpy(raw, &withhost, sizeof withhost);
    netp_req_t out;
    const uint8_t *pl;
    size_t plen;
    uint32_t id;
    ck_assert_int_eq(lch_netd_check(raw, sizeof raw, &out, &pl, &plen, &id), -EINVAL);
    ck_assert_int_eq(
        ask_dns(f.guest_async, NETP_RESOLVE, "www.dns.test", ns_t_a, &o, json, sizeof json), 0);
    ck_assert_str_eq(json, "[\"192.0.2.7\"]");
    int asked = t.asked;
    /* servers not granted: another loopback address, the host's private
     * network, the metadata service, a public address (no "*"); nothing
     * is sent to any of them, nor to the granted one beside them */
    static const char *const refused[] = {"127.0.0.2", "10.0.0.1", "169.254.169.254", "8.8.8.8",
                                          "::1"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const char *two[] = {lo[0], refused[i]};
        unsigned ports[] = {t.port, 53};
        netp_dns_opts_t r = opts_of(two, ports, 2);
        ck_assert_msg(ask_dns(f.guest_async, NETP_RESOLVE, "www.dns.test", ns_t_a, &r, NULL, 0) ==
                          -EACCES,
                      "%s taken", refused[i]);
        ck_assert_msg(ask_dns(f.guest_async, NETP_REVERSE, "192.0.2.7", 0, &r, NULL, 0) == -EACCES,
                      "%s taken for a reverse", refused[i]);
    }
    ck_assert_int_eq(t.asked, asked);
    /* a reverse asked of the guest's server (its PTR question): NXDOMAIN */
    ck_assert_int_eq(ask_dns(f.guest_async, NETP_REVERSE, "192.0.2.7", 0, &o, NULL, 0),
                     -(NETP_DNS_BASE + ARES_ENOTFOUND));
    ck_assert_int_eq(t.asked, asked + 1);

    lch_netd_stop(d);
    pthread_join(ft, NULL);
    lch_netd_pairs_close(&f);
    brk_policy_free(p);
    sa.sin_port = htons((uint16_t)t.port);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sendto(s, "", 0, 0, (struct sockaddr *)&sa, sizeof sa); /* the server's end */
    close(s);
    pthread_join(st, NULL);
    close(t.fd);
}
END_TEST

Suite *netd_dns_suite(void)
{
    Suite *s = suite_create("netd_dns");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, guest_opts);
    tcase_add_test(tc, guest_servers_live);
    tcase_add_test(tc, addresses);
    tcase_add_test(tc, records);
    tcase_add_test(tc, any);
    tcase_add_test(tc, cut_to_fit);
    tcase_add_test(tc, malformed);
    tcase_add_test(tc, cache_ttl);
    tcase_add_test(tc, names_and_servers);
    suite_add_tcase(s, tc);
    return s;
}
