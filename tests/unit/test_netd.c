/* tests/unit/test_netd.c — the supervisor's socket broker (launcher/netd.c):
 * what it takes of a request, --publish values, and a live broker with the
 * factory served by a thread of the test (its sockets are the test's
 * loopback: what matters here is who decides and what comes back). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../launcher/netd.h"
#include "unit.h"

static netp_req_t req(unsigned op, const char *host, unsigned port)
{
    netp_req_t q = {.version = NETP_VERSION, .id = 7, .op = (uint16_t)op, .port = (uint16_t)port};
    snprintf(q.host, sizeof q.host, "%s", host);
    return q;
}

static int check(const void *buf, size_t n, uint32_t *id)
{
    netp_req_t out;
    const uint8_t *payload;
    size_t plen;
    return lch_netd_check(buf, n, &out, &payload, &plen, id);
}

START_TEST(requests_checked)
{
    uint32_t id;
    netp_req_t q = req(NETP_CONNECT, "example.com", 443);
    ck_assert_int_eq(check(&q, sizeof q, &id), 0);
    ck_assert_uint_eq(id, 7);
    /* too short to read the id: no id; short otherwise: the id, refused */
    ck_assert_int_eq(check(&q, 6, &id), -EINVAL);
    ck_assert_uint_eq(id, 0);
    ck_assert_int_eq(check(&q, sizeof q - 1, &id), -EINVAL);
    ck_assert_uint_eq(id, 7);
    ck_assert_int_eq(check(NULL, 0, &id), -EINVAL);
    netp_req_t b = q;
    b.version = 2;
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    b = q;
    b.op = 0;
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    b.op = NETP_OP_MAX + 1;
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    b = q;
    b.family = 5;
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    /* a unix listen's umask (port) is a mode's nine bits */
    {
        uint8_t m[sizeof q + 9];
        netp_req_t u = req(NETP_UNIX_LISTEN, "", 0);
        u.len = 9;
        u.port = 0777;
        memcpy(m, &u, sizeof u);
        memcpy(m + sizeof u, "/tmp/x.s", 9);
        ck_assert_int_eq(check(m, sizeof m, &id), 0);
        u.port = 01000;
        memcpy(m, &u, sizeof u);
        ck_assert_int_eq(check(m, sizeof m, &id), -EINVAL);
    }
    b = q;
    b.flags = 0x4000;
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    b = q;
    memset(b.host, 'a', sizeof b.host); /* no NUL */
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    b = q;
    b.host[sizeof b.host - 1] = 'x'; /* something after the NUL */
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    b = q;
    snprintf(b.host, sizeof b.host, "a b"); /* a space, a control character */
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    b.host[1] = '\n';
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    b = q;
    b.len = 4; /* says a payload that is not there */
    ck_assert_int_eq(check(&b, sizeof b, &id), -EINVAL);
    /* a payload only with UDP_SEND, and exactly as long as said */
    uint8_t m[sizeof q + 4];
    b = q;
    b.len = 4;
    memcpy(m, &b, sizeof b);
    memcpy(m + sizeof b, "abcd", 4);
    ck_assert_int_eq(check(m, sizeof m, &id), -EINVAL);
    b.op = NETP_UDP_SEND;
    memcpy(m, &b, sizeof b);
    ck_assert_int_eq(check(m, sizeof m, &id), 0);
    ck_assert(lch_netd_sync_op(NETP_LISTEN) && !lch_netd_sync_op(NETP_CONNECT));
}
END_TEST

START_TEST(publish_values)
{
    lch_publish_t p;
    char err[256];
    ck_assert_int_eq(lch_publish_parse("8080:3000", &p, err, sizeof err), 0);
    ck_assert_str_eq(p.host_ip, "");
    ck_assert_uint_eq(p.host_port, 8080);
    ck_assert_uint_eq(p.guest_port, 3000);
    ck_assert_int_eq(p.fd, -1);
    ck_assert_int_eq(lch_publish_parse("0.0.0.0:80:8080", &p, err, sizeof err), 0);
    ck_assert_str_eq(p.host_ip, "0.0.0.0");
    ck_assert_int_eq(lch_publish_parse("[::1]:8080:3000", &p, err, sizeof err), 0);
    ck_assert_str_eq(p.host_ip, "[::1]");
    static const char *const bad[] = {"3000",       ":3000",       "80:",      "0:3000",
                                      "80:65536",   "x:80:3000",   "a80:3000", "80:3000x",
                                      "1.2.3:80:1", "999999:3000", "80:-1",    ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(lch_publish_parse(bad[i], &p, err, sizeof err) < 0, "%s taken", bad[i]);
}
END_TEST

/* ---- a live broker ---------------------------------------------------------------- */

static volatile int factory_fd = -1;

static void *factory_thread(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd pf = {.fd = factory_fd, .events = POLLIN};
        if (poll(&pf, 1, 5000) != 1 || !lch_netd_factory_serve(factory_fd, -1))
            return NULL;
    }
}

static int ask(int chan, netp_req_t *q, netp_res_t *res, int *fd, uint8_t *payload, size_t cap)
{
    static uint32_t ids = 100;
    q->id = ++ids;
    ck_assert_int_eq(send(chan, q, sizeof *q, 0), (ssize_t)sizeof *q);
    uint8_t buf[sizeof *res + 2048];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
    struct pollfd pf = {.fd = chan, .events = POLLIN};
    ssize_t n;
    /* the word that an earlier answer's socket is the guest's alone */
    do {
        ck_assert_int_eq(poll(&pf, 1, 10000), 1);
        m.msg_controllen = sizeof ctl.b;
        n = recvmsg(chan, &m, MSG_CMSG_CLOEXEC);
        ck_assert_int_ge(n, (ssize_t)sizeof *res);
        memcpy(res, buf, sizeof *res);
    } while (res->op == NETP_RELEASED && res->id != q->id);
    ck_assert_uint_eq(res->id, q->id);
    ck_assert_uint_ne(res->op, NETP_RELEASED);
    *fd = -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (c && c->cmsg_type == SCM_RIGHTS)
        memcpy(fd, CMSG_DATA(c), sizeof *fd);
    if (payload && (size_t)n > sizeof *res)
        memcpy(payload, buf + sizeof *res,
               (size_t)n - sizeof *res < cap ? (size_t)n - sizeof *res : cap);
    return res->status;
}

START_TEST(live_broker)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    ck_assert_int_eq(brk_grant(p, BRK_NET, "127.0.0.1", &err), 0);
    lch_netd_fds_t f;
    ck_assert_int_eq(lch_netd_pairs(&f), 0);
    factory_fd = f.factory_mid;
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, factory_thread, NULL), 0);
    lch_netd_opts_t o = {.policy = p};
    char e[256];
    lch_netd_t *d = lch_netd_start(&o, &f, e, sizeof e);
    ck_assert_msg(d != NULL, "%s", e);

    netp_req_t q = req(NETP_LISTEN, "127.0.0.1", 0);
    netp_res_t res;
    int lfd, cfd;
    ck_assert_int_eq(ask(f.guest_sync, &q, &res, &lfd, NULL, 0), 0);
    ck_assert_int_ge(lfd, 0);
    ck_assert_uint_eq(res.local.family, 4);
    unsigned port = res.local.port;
    /* then the word that the supervisor's and the middle process's copies
     * are closed */
    {
        uint32_t listen_id = q.id;
        struct pollfd pf = {.fd = f.guest_sync, .events = POLLIN};
        ck_assert_int_eq(poll(&pf, 1, 10000), 1);
        netp_res_t done;
        ck_assert_int_eq(recv(f.guest_sync, &done, sizeof done, 0), (ssize_t)sizeof done);
        ck_assert_uint_eq(done.op, NETP_RELEASED);
        ck_assert_uint_eq(done.id, listen_id);
    }
    ck_assert_uint_gt(port, 0);
    q = req(NETP_CONNECT, "127.0.0.1", port);
    ck_assert_int_eq(ask(f.guest_async, &q, &res, &cfd, NULL, 0), 0);
    ck_assert_int_ge(cfd, 0);
    ck_assert_uint_eq(res.remote.port, port);
    int afd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(afd, 0);
    ck_assert_int_eq(write(cfd, "ping", 4), 4);
    char b[8] = "";
    ck_assert_int_eq(read(afd, b, sizeof b), 4);
    close(afd);
    close(cfd);
    close(lfd);
    /* the guest's close was the last: its port refuses at once */
    q = req(NETP_CONNECT, "127.0.0.1", port);
    ck_assert_int_eq(ask(f.guest_async, &q, &res, &cfd, NULL, 0), -ECONNREFUSED);
    ck_assert_int_eq(cfd, -1);
    /* not granted: ::1, host.internal, a private address, a name */
    static const char *const refused[] = {"::1", "host.internal", "10.1.2.3", "example.com"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        q = req(NETP_CONNECT, refused[i], 80);
        ck_assert_int_eq(ask(f.guest_async, &q, &res, &cfd, NULL, 0), -EACCES);
        ck_assert_int_eq(cfd, -1);
    }
    /* an op on the wrong channel, a malformed one: refused, still serving */
    q = req(NETP_CONNECT, "127.0.0.1", port);
    ck_assert_int_eq(ask(f.guest_sync, &q, &res, &cfd, NULL, 0), -EINVAL);
    q = req(NETP_LOOKUP, "localhost", 0);
    q.version = 9;
    ck_assert_int_eq(ask(f.guest_async, &q, &res, &cfd, NULL, 0), -EINVAL);
    q = req(NETP_LOOKUP, "localhost", 0);
    q.flags = NETP_F_ALL;
    netp_addr_t addrs[4];
    ck_assert_int_eq(ask(f.guest_async, &q, &res, &cfd, (uint8_t *)addrs, sizeof addrs), 0);
    ck_assert_uint_eq(res.naddr, 2);
    ck_assert_uint_eq(addrs[0].family, 4);
    ck_assert_uint_eq(addrs[1].family, 6);
    /* host.internal's guest address, without a grant of it: the lookup of
     * the name itself is answered (a connect is what is decided) */
    q = req(NETP_LOOKUP, "host.internal", 0);
    ck_assert_int_eq(ask(f.guest_async, &q, &res, &cfd, (uint8_t *)addrs, sizeof addrs), 0);
    char ip[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET, addrs[0].addr, ip, sizeof ip);
    ck_assert_str_eq(ip, NETP_HOST_INTERNAL_V4);
    /* a name no rule could grant: refused before any DNS */
    q = req(NETP_LOOKUP, "example.com", 0);
    ck_assert_int_eq(ask(f.guest_async, &q, &res, &cfd, NULL, 0), -EACCES);
    lch_netd_stop(d); /* its factory end closes: the thread ends */
    pthread_join(t, NULL);
    lch_netd_pairs_close(&f);
    brk_policy_free(p);
}
END_TEST

Suite *netd_suite(void)
{
    Suite *s = suite_create("netd");
    TCase *tc = tcase_create("netd");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, requests_checked);
    tcase_add_test(tc, publish_values);
    tcase_add_test(tc, live_broker);
    suite_add_tcase(s, tc);
    return s;
}
