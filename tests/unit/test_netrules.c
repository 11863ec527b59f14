/* tests/unit/test_netrules.c — the broker's network rules alone: the rule
 * forms and their errors, the address classes, the guest's decision by the
 * host as given and the supervisor's on the exact address, the audit
 * line's side and address. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bridge/broker.h"
#include "unit.h"

static brk_policy_t *granted(const char *list)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    int r = brk_grant(p, BRK_NET, list, &err);
    ck_assert_msg(r == 0, "grant '%s': %s", list ? list : "(all)", err ? err : "?");
    return p;
}

static void grant_fails(const char *item, const char *needle)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    ck_assert_int_lt(brk_grant(p, BRK_NET, item, &err), 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, needle) != NULL, "'%s' lacks '%s'", err, needle);
    free(err);
    brk_policy_free(p);
}

static brk_ip_t ip(const char *s)
{
    brk_ip_t a;
    ck_assert_msg(brk_ip_parse(s, &a), "'%s' is no address", s);
    return a;
}

/* The guest's decision: "host:port" as given. */
static bool guest(brk_policy_t *p, const char *target)
{
    return brk_decide(p, BRK_NET, "connect", target, NULL) == 0;
}

/* The supervisor's: host as given, port, the address it will use. */
static bool sup(brk_policy_t *p, const char *op, const char *host, unsigned port, const char *addr)
{
    brk_ip_t a = ip(addr);
    return brk_net_decide(p, "supervisor", op, host, port, &a, NULL) == 0;
}

START_TEST(rule_forms)
{
    brk_policy_t *p = granted("example.com, api.example.com:443, 1.2.3.4:80, [2001:db8::1]:*, "
                              "10.0.0.0/8:5432, [fd00::]/8, host.internal:5432, 192.168.1.7");
    brk_policy_free(p);
    grant_fails("127.1", "'127.1' is not a canonical IPv4 address");
    grant_fails("0x7f000001:80", "not a canonical IPv4 address");
    grant_fails("0177.0.0.1", "not a canonical IPv4 address");
    grant_fails("300.1.2.3", "not a canonical IPv4 address");
    grant_fails("10.0.0.0/33", "bad prefix length in '10.0.0.0/33' (at most 32)");
    grant_fails("[::]/129", "at most 128");
    grant_fails("10.1.0.0/8", "(the range is 10.0.0.0/8)");
    grant_fails("[fd00::1]/8", "(the range is [fd00::]/8)");
    grant_fails("example.com/8", "a range needs an address");
    grant_fails("example.com/x", "has a '/'");
    grant_fails("10.0.0.0/8x", "has a '/'");
    grant_fails("10.0.0.0/8:0", "bad port");
    grant_fails("[fe80::1%eth0]:1", "bad IPv6 host");
    grant_fails("[::1]x", "junk after host");
    grant_fails("host:+80", "bad port");
}
END_TEST

START_TEST(classes)
{
    static const struct {
        const char *addr;
        brk_addr_class_t c;
    } cases[] = {
        {"8.8.8.8", BRK_ADDR_PUBLIC},
        {"127.0.0.1", BRK_ADDR_LOOPBACK},
        {"127.9.9.9", BRK_ADDR_LOOPBACK},
        {"10.1.2.3", BRK_ADDR_PRIVATE},
        {"172.16.0.1", BRK_ADDR_PRIVATE},
        {"172.31.255.255", BRK_ADDR_PRIVATE},
        {"172.32.0.1", BRK_ADDR_PUBLIC},
        {"192.168.0.1", BRK_ADDR_PRIVATE},
        {"100.64.0.1", BRK_ADDR_CGNAT},
        {"100.127.255.255", BRK_ADDR_CGNAT},
        {"100.128.0.1", BRK_ADDR_PUBLIC},
        {"169.254.1.1", BRK_ADDR_LINKLOCAL},
        {"169.254.169.254", BRK_ADDR_METADATA},
        {"0.0.0.0", BRK_ADDR_UNSPECIFIED},
        {"224.0.0.1", BRK_ADDR_MULTICAST},
        {"::1", BRK_ADDR_LOOPBACK},
        {"::", BRK_ADDR_UNSPECIFIED},
        {"fd00:ec2::254", BRK_ADDR_METADATA},
        {"fc00::1", BRK_ADDR_ULA},
        {"fd12::1", BRK_ADDR_ULA},
        {"fe80::1", BRK_ADDR_LINKLOCAL},
        {"ff02::1", BRK_ADDR_MULTICAST},
        {"2001:4860::8888", BRK_ADDR_PUBLIC},
        {"::ffff:127.0.0.1", BRK_ADDR_LOOPBACK},
        {"::ffff:10.0.0.1", BRK_ADDR_PRIVATE},
        {"::ffff:169.254.169.254", BRK_ADDR_METADATA},
        {"[::ffff:8.8.8.8]", BRK_ADDR_PUBLIC},
        /* IPv4 inside NAT64 and 6to4 is that address */
        {"64:ff9b::a9fe:a9fe", BRK_ADDR_METADATA},
        {"64:ff9b::a00:1", BRK_ADDR_PRIVATE},
        {"64:ff9b::808:808", BRK_ADDR_PUBLIC},
        {"2002:a00:1::1", BRK_ADDR_PRIVATE},
        {"2002:a9fe:a9fe::1", BRK_ADDR_METADATA},
        {"2002:7f00:1::1", BRK_ADDR_LOOPBACK},
        /* special-purpose blocks: no public address */
        {"240.0.0.1", BRK_ADDR_RESERVED},
        {"255.255.255.255", BRK_ADDR_RESERVED},
        {"198.18.0.1", BRK_ADDR_RESERVED},
        {"198.19.255.255", BRK_ADDR_RESERVED},
        {"198.20.0.1", BRK_ADDR_PUBLIC},
        {"192.0.0.8", BRK_ADDR_RESERVED},
        {"192.0.2.2", BRK_ADDR_RESERVED},
        {"198.51.100.1", BRK_ADDR_RESERVED},
        {"203.0.113.7", BRK_ADDR_RESERVED},
        {"64:ff9b:1::a00:1", BRK_ADDR_RESERVED},
        {"2001::1", BRK_ADDR_RESERVED},
        {"2001:db8::1", BRK_ADDR_RESERVED},
        {"100::1", BRK_ADDR_RESERVED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        brk_ip_t a = ip(cases[i].addr);
        ck_assert_msg(brk_addr_class(&a) == cases[i].c, "%s is %s", cases[i].addr,
                      brk_addr_class_name(brk_addr_class(&a)));
    }
    brk_ip_t a;
    ck_assert(!brk_ip_parse("127.1", &a));
    ck_assert(!brk_ip_parse("0x7f000001", &a));
    ck_assert(!brk_ip_parse("localhost", &a));
    ck_assert(!brk_ip_parse("fe80::1%eth0", &a));
}
END_TEST

START_TEST(guest_side)
{
    brk_policy_t *p = granted("example.com:443, 10.0.0.0/8:5432, 127.0.0.1:3000, [::1]");
    ck_assert(guest(p, "example.com:443"));
    ck_assert(guest(p, "EXAMPLE.com:443"));
    ck_assert(!guest(p, "example.com:80"));
    ck_assert(!guest(p, "www.example.com:443"));
    ck_assert(guest(p, "10.9.8.7:5432"));
    ck_assert(!guest(p, "10.9.8.7:5433"));
    ck_assert(!guest(p, "11.0.0.1:5432"));
    ck_assert(guest(p, "127.0.0.1:3000"));
    ck_assert(!guest(p, "127.0.0.2:3000")); /* another address */
    ck_assert(!guest(p, "127.1:3000"));     /* another spelling */
    ck_assert(!guest(p, "0x7f000001:3000"));
    ck_assert(!guest(p, "[::ffff:127.0.0.1]:3000"));
    ck_assert(guest(p, "[::1]:9"));
    ck_assert(!guest(p, "localhost:3000")); /* no localhost rule: 127.0.0.1 is not a name */
    ck_assert(!guest(p, "example.com"));    /* no port */
    ck_assert(!guest(p, "example.com:99999"));
    brk_policy_free(p);

    p = granted(NULL); /* bare --allow-net */
    ck_assert(guest(p, "example.com:1"));
    ck_assert(guest(p, "8.8.8.8:53"));
    ck_assert(guest(p, "localhost:3000"));
    ck_assert(guest(p, "127.0.0.1:3000"));
    ck_assert(!guest(p, "10.0.0.1:80"));
    ck_assert(!guest(p, "169.254.169.254:80"));
    ck_assert(!guest(p, "[fd00:ec2::254]:80"));
    ck_assert(!guest(p, "host.internal:5432"));
    ck_assert(!guest(p, "[::ffff:10.0.0.1]:80"));
    brk_policy_free(p);

    p = granted("localhost");
    ck_assert(guest(p, "localhost:8080"));
    ck_assert(guest(p, "127.0.0.1:8080")); /* what localhost is */
    ck_assert(guest(p, "[::1]:8080"));
    ck_assert(!guest(p, "127.0.0.2:8080"));
    ck_assert(!guest(p, "example.com:80"));
    brk_policy_free(p);
}
END_TEST

START_TEST(supervisor_side)
{
    brk_policy_t *p = granted("example.com, host.internal:5432, db.corp:5432, 10.1.2.3:5432, "
                              "169.254.169.254:80");
    ck_assert(sup(p, "connect", "example.com", 443, "93.184.216.34"));
    ck_assert(!sup(p, "connect", "example.com", 443, "10.0.0.5"));  /* rebinding to private */
    ck_assert(!sup(p, "connect", "example.com", 443, "127.0.0.1")); /* the host's loopback */
    ck_assert(!sup(p, "connect", "example.com", 443, "::1"));
    ck_assert(!sup(p, "connect", "example.com", 443, "::ffff:127.0.0.1"));
    ck_assert(sup(p, "connect", "example.com", 80, "169.254.169.254")); /* its exact grant */
    ck_assert(!sup(p, "connect", "example.com", 81, "169.254.169.254"));
    ck_assert(sup(p, "connect", "db.corp", 5432, "10.1.2.3"));
    ck_assert(!sup(p, "connect", "db.corp", 5432, "10.1.2.4"));
    ck_assert(sup(p, "connect", "host.internal", 5432, "127.0.0.1"));
    ck_assert(!sup(p, "connect", "host.internal", 5433, "127.0.0.1"));
    ck_assert(!sup(p, "connect", "host.internal", 5432, "8.8.8.8"));
    ck_assert(sup(p, "connect", "169.254.169.254", 80, "169.254.169.254"));
    ck_assert(!sup(p, "connect", "169.254.169.254", 81, "169.254.169.254"));
    /* a literal is its own address */
    ck_assert(!sup(p, "connect", "10.1.2.3", 5432, "10.9.9.9"));
    ck_assert(sup(p, "connect", "10.1.2.3", 5432, "10.1.2.3"));
    brk_policy_free(p);

    p = granted(NULL);
    ck_assert(sup(p, "connect", "example.com", 443, "2001:4860::8888"));
    ck_assert(!sup(p, "connect", "example.com", 443, "fd12::1"));
    ck_assert(!sup(p, "connect", "example.com", 443, "100.64.0.1"));
    ck_assert(!sup(p, "connect", "example.com", 80, "169.254.169.254"));
    ck_assert(!sup(p, "connect", "example.com", 80, "fd00:ec2::254"));
    ck_assert(sup(p, BRK_NET_OP_LISTEN, "0.0.0.0", 3000, "0.0.0.0"));
    /* "*" is the public addresses: not what NAT64 or 6to4 carries of the
     * others, nor the special-purpose blocks */
    static const char *const not_public[] = {
        "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "2002:a00:1::1", "240.0.0.1",
        "198.18.0.1",         "192.0.2.2",      "2001:db8::1"};
    for (size_t i = 0; i < sizeof not_public / sizeof not_public[0]; i++) {
        ck_assert_msg(!sup(p, "connect", not_public[i], 80, not_public[i]), "%s", not_public[i]);
        ck_assert_msg(!sup(p, "connect", "example.com", 80, not_public[i]), "%s", not_public[i]);
    }
    ck_assert(sup(p, "connect", "64:ff9b::808:808", 80, "64:ff9b::808:808"));
    brk_policy_free(p);
    p = granted("198.18.0.0/15");
    ck_assert(sup(p, "connect", "198.18.0.1", 80, "198.18.0.1"));
    brk_policy_free(p);

    /* metadata only by its exact address: not by a range, not by --allow-all */
    p = granted("169.254.0.0/16");
    ck_assert(sup(p, "connect", "169.254.1.1", 80, "169.254.1.1"));
    ck_assert(!sup(p, "connect", "169.254.169.254", 80, "169.254.169.254"));
    brk_policy_free(p);
    p = brk_policy_new();
    ck_assert_int_eq(brk_grant_all(p), 0);
    ck_assert(!sup(p, "connect", "169.254.169.254", 80, "169.254.169.254"));
    brk_policy_free(p);
}
END_TEST

START_TEST(listening)
{
    brk_policy_t *p = brk_policy_new(); /* strict: nothing */
    ck_assert_int_ne(brk_net_decide(p, "guest", BRK_NET_OP_LISTEN, "", 3000, NULL, NULL), 0);
    ck_assert(!sup(p, BRK_NET_OP_LISTEN, "0.0.0.0", 3000, "0.0.0.0"));
    brk_policy_free(p);
    static const char *const grants[] = {"localhost", "127.0.0.1:3000", "[::1]:3000"};
    for (size_t i = 0; i < 3; i++) {
        p = granted(grants[i]);
        ck_assert_int_eq(brk_net_decide(p, "guest", BRK_NET_OP_LISTEN, "", 3000, NULL, NULL), 0);
        ck_assert(sup(p, BRK_NET_OP_LISTEN, "::", 3000, "::"));
        /* a given address: only a rule covering it (localhost covers both) */
        ck_assert(sup(p, BRK_NET_OP_LISTEN, "127.0.0.1", 3000, "127.0.0.1") == (i != 2));
        ck_assert(sup(p, BRK_NET_OP_LISTEN, "::1", 3000, "::1") == (i != 1));
        ck_assert(!sup(p, BRK_NET_OP_LISTEN, "127.0.0.2", 3000, "127.0.0.2"));
        ck_assert(sup(p, BRK_NET_OP_BIND, "localhost", 3000, "::1"));
        ck_assert(!sup(p, BRK_NET_OP_LISTEN, "10.0.0.1", 3000, "10.0.0.1"));
        brk_policy_free(p);
    }
    p = granted("127.0.0.1:3000");
    ck_assert(!sup(p, BRK_NET_OP_LISTEN, "0.0.0.0", 3001, "0.0.0.0"));
    ck_assert(!sup(p, BRK_NET_OP_LISTEN, "0.0.0.0", 0, "0.0.0.0"));
    brk_policy_free(p);
}
END_TEST

START_TEST(names_for_dns)
{
    brk_policy_t *p = granted("example.com:443, 10.0.0.0/8, host.internal:5432");
    ck_assert(brk_net_name_granted(p, "example.com"));
    ck_assert(brk_net_name_granted(p, "Example.COM"));
    ck_assert(!brk_net_name_granted(p, "evil.com"));
    ck_assert(!brk_net_name_granted(p, "localhost"));
    ck_assert(brk_net_name_granted(p, "host.internal"));
    brk_policy_free(p);
    p = granted(NULL);
    ck_assert(brk_net_name_granted(p, "anything.example"));
    ck_assert(brk_net_name_granted(p, "localhost"));
    ck_assert(!brk_net_name_granted(p, "host.internal"));
    brk_policy_free(p);
}
END_TEST

START_TEST(audit_fields)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    brk_policy_t *p = granted("example.com:443");
    brk_set_audit(p, f);
    brk_ip_t a = ip("10.0.0.5");
    ck_assert_int_eq(brk_net_decide(p, "supervisor", "connect", "example.com", 443, &a, NULL),
                     -EACCES);
    ck_assert(guest(p, "example.com:443"));
    a = ip("2001:db8::1");
    ck_assert_int_eq(brk_net_decide(p, "supervisor", "connect", "2001:db8::1", 80, &a, NULL),
                     -EACCES);
    fclose(f);
    ck_assert_msg(strstr(buf, "\"op\":\"connect\",\"target\":\"example.com:443\",\"allow\":false,"
                              "\"rule\":\"private-address\",\"wall\":\"broker\",\"by\":"
                              "\"supervisor\",\"ip\":\"10.0.0.5\",\"class\":\"private\"}") != NULL,
                  "%s", buf);
    ck_assert_msg(strstr(buf, "\"target\":\"example.com:443\",\"allow\":true,\"rule\":"
                              "\"example.com:443\",\"by\":\"guest\"}") != NULL,
                  "%s", buf);
    ck_assert_msg(strstr(buf, "\"target\":\"[2001:db8::1]:80\"") != NULL, "%s", buf);
    ck_assert_int_eq(brk_denials(p), 2);
    brk_policy_free(p);
    free(buf);
}
END_TEST

Suite *netrules_suite(void)
{
    Suite *s = suite_create("netrules");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, rule_forms);
    tcase_add_test(tc, classes);
    tcase_add_test(tc, guest_side);
    tcase_add_test(tc, supervisor_side);
    tcase_add_test(tc, listening);
    tcase_add_test(tc, names_for_dns);
    tcase_add_test(tc, audit_fields);
    suite_add_tcase(s, tc);
    return s;
}
