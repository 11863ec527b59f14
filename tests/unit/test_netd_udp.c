/* tests/unit/test_netd_udp.c — the supervisor's UDP requests
 * (launcher/netd_udp.c) over a real channel: the factory served by a
 * thread of this process (the middle process's part), a policy granting
 * the sandbox's 127.0.0.1. A bind hands a socket in and names it by
 * handle; a datagram addressed through the supervisor arrives; forged
 * handles, payloads on other ops and oversized payloads are refused;
 * closed handles are gone, and the broker's stop closes what is left. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../launcher/netd.h"
#include "unit.h"

static void *factory_thread(void *arg)
{
    int fd = *(int *)arg;
    while (lch_netd_factory_serve(fd, -1))
        ;
    return NULL;
}

static uint32_t ids;

static int ask(int chan, unsigned op, const char *host, unsigned port, int family, unsigned flags,
               int32_t handle, const void *payload, size_t plen, int *fd, int32_t *value)
{
    static uint8_t msg[sizeof(netp_req_t) + 70 * 1024];
    netp_req_t q = {.version = NETP_VERSION,
                    .id = ++ids,
                    .op = (uint16_t)op,
                    .port = (uint16_t)port,
                    .family = (uint8_t)family,
                    .flags = (uint16_t)flags,
                    .arg = handle,
                    .len = (uint32_t)plen};
    snprintf(q.host, sizeof q.host, "%s", host);
    memcpy(msg, &q, sizeof q);
    if (plen)
        memcpy(msg + sizeof q, payload, plen);
    ck_assert_int_eq(send(chan, msg, sizeof q + plen, MSG_NOSIGNAL), (ssize_t)(sizeof q + plen));
    for (;;) {
        struct pollfd pf = {.fd = chan, .events = POLLIN};
        ck_assert_int_eq(poll(&pf, 1, 5000), 1);
        uint8_t buf[sizeof(netp_res_t) + 64];
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
        union {
            char b[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } ctl;
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
        ssize_t n = recvmsg(chan, &m, MSG_CMSG_CLOEXEC);
        ck_assert_int_ge(n, (ssize_t)sizeof(netp_res_t));
        int got = -1;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        if (c && c->cmsg_type == SCM_RIGHTS)
            memcpy(&got, CMSG_DATA(c), sizeof got);
        netp_res_t res;
        memcpy(&res, buf, sizeof res);
        if (res.id != q.id) {
            if (got >= 0)
                close(got);
            continue;
        }
        if (fd)
            *fd = got;
        else if (got >= 0)
            close(got);
        if (value)
            *value = res.value;
        return res.status;
    }
}

START_TEST(udp_channel)
{
    brk_policy_t *p = brk_policy_new();
    char *err = NULL;
    ck_assert_int_eq(brk_grant(p, BRK_NET, "127.0.0.1", &err), 0);
    lch_netd_fds_t f;
    ck_assert_int_eq(lch_netd_pairs(&f), 0);
    pthread_t fac;
    int mid = f.factory_mid;
    ck_assert_int_eq(pthread_create(&fac, NULL, factory_thread, &mid), 0);
    lch_netd_opts_t o = {.policy = p};
    char e[256];
    lch_netd_t *d = lch_netd_start(&o, &f, e, sizeof e);
    ck_assert_msg(d != NULL, "%s", e);

    int a = -1, b = -1;
    int32_t ha = 0, hb = 0, v = 0;
    ck_assert_int_eq(ask(f.guest_sync, NETP_UDP_BIND, "127.0.0.1", 0, 4, 0, 0, NULL, 0, &a, &ha),
                     0);
    ck_assert_int_eq(ask(f.guest_sync, NETP_UDP_BIND, "", 0, 4, 0, 0, NULL, 0, &b, &hb), 0);
    ck_assert(a >= 0 && b >= 0 && ha >= 1 && hb >= 1 && ha != hb);
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(getsockname(a, (struct sockaddr *)&sa, &sl), 0);
    unsigned pa = ntohs(sa.sin_port);

    /* b to a, addressed by the supervisor */
    ck_assert_int_eq(
        ask(f.guest_async, NETP_UDP_SEND, "127.0.0.1", pa, 4, 0, hb, "hello", 5, NULL, &v), 0);
    ck_assert_int_eq(v, 5);
    char buf[16] = "";
    struct pollfd pf = {.fd = a, .events = POLLIN};
    ck_assert_int_eq(poll(&pf, 1, 2000), 1);
    ck_assert_int_eq(recv(a, buf, sizeof buf, 0), 5);
    ck_assert_str_eq(buf, "hello");

    /* connected: the guest's own send() reaches a; an addressed one is refused */
    ck_assert_int_eq(
        ask(f.guest_sync, NETP_UDP_CONNECT, "127.0.0.1", pa, 4, 0, hb, NULL, 0, NULL, NULL), 0);
    ck_assert_int_eq(send(b, "again", 5, 0), 5);
    ck_assert_int_eq(poll(&pf, 1, 2000), 1);
    ck_assert_int_eq(recv(a, buf, sizeof buf, 0), 5);
    ck_assert_int_eq(
        ask(f.guest_async, NETP_UDP_SEND, "127.0.0.1", pa, 4, 0, hb, "x", 1, NULL, NULL), -EISCONN);
    ck_assert_int_eq(ask(f.guest_async, NETP_UDP_SEND, "", 0, 4, 0, hb, "via", 3, NULL, &v), 0);
    ck_assert_int_eq(ask(f.guest_sync, NETP_UDP_CONNECT, "", 0, 4, 0, hb, NULL, 0, NULL, NULL), 0);
    ck_assert_int_eq(ask(f.guest_async, NETP_UDP_SEND, "", 0, 4, 0, hb, "x", 1, NULL, NULL),
                     -EDESTADDRREQ);

    /* refused: ungranted, the other kind, a mismatched family */
    ck_assert_int_eq(
        ask(f.guest_async, NETP_UDP_SEND, "127.0.0.2", 9, 4, 0, ha, "x", 1, NULL, NULL), -EACCES);
    ck_assert_int_eq(
        ask(f.guest_async, NETP_UDP_SEND, "10.0.0.1", 53, 4, 0, ha, "x", 1, NULL, NULL),
        -ENETUNREACH);
    ck_assert_int_eq(ask(f.guest_async, NETP_UDP_SEND, "::1", 9, 6, 0, ha, "x", 1, NULL, NULL),
                     -EINVAL);
    ck_assert_int_eq(ask(f.guest_sync, NETP_UDP_BIND, "::1", 0, 6, 0, 0, NULL, 0, NULL, NULL),
                     -EACCES);
    ck_assert_int_eq(
        ask(f.guest_sync, NETP_UDP_BIND, "10.0.0.1", 53, 4, NETP_F_OUTSIDE, 0, NULL, 0, NULL, NULL),
        -EACCES);

    /* forged handles, payloads where none belongs, too large */
    const int32_t forged[] = {0, -5, NETP_UDP_MAX + 1, 77};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        int r =
            ask(f.guest_async, NETP_UDP_SEND, "127.0.0.1", pa, 4, 0, forged[i], "x", 1, NULL, NULL);
        ck_assert_msg(r == -EINVAL || r == -EBADF, "handle %d: %d", forged[i], r);
        r = ask(f.guest_sync, NETP_UDP_CLOSE, "", 0, 0, 0, forged[i], NULL, 0, NULL, NULL);
        ck_assert_msg(r == -EINVAL || r == -EBADF, "close %d: %d", forged[i], r);
    }
    ck_assert_int_eq(ask(f.guest_sync, NETP_UDP_CLOSE, "", 0, 0, 0, ha, "x", 1, NULL, NULL),
                     -EINVAL);
    static char big[NETP_UDP_PAYLOAD_MAX + 1];
    ck_assert_int_eq(
        ask(f.guest_async, NETP_UDP_SEND, "127.0.0.1", pa, 4, 0, hb, big, sizeof big, NULL, NULL),
        -EMSGSIZE);

    /* closed: gone */
    ck_assert_int_eq(ask(f.guest_sync, NETP_UDP_CLOSE, "", 0, 0, 0, ha, NULL, 0, NULL, NULL), 0);
    ck_assert_int_eq(
        ask(f.guest_async, NETP_UDP_SEND, "127.0.0.1", pa, 4, 0, ha, "x", 1, NULL, NULL), -EBADF);
    ck_assert_int_eq(ask(f.guest_sync, NETP_UDP_CLOSE, "", 0, 0, 0, ha, NULL, 0, NULL, NULL),
                     -EBADF);

    close(a);
    close(b);
    lch_netd_stop(d); /* closes hb's copy */
    lch_netd_pairs_close(&f);
    pthread_join(fac, NULL);
    brk_policy_free(p);
}
END_TEST

START_TEST(udp_check)
{
    netp_req_t q = {.version = NETP_VERSION,
                    .id = 3,
                    .op = NETP_UDP_BIND,
                    .family = 4,
                    .flags = NETP_F_OUTSIDE};
    snprintf(q.host, sizeof q.host, "host.internal");
    netp_req_t out;
    const uint8_t *pl;
    size_t plen;
    uint32_t id;
    ck_assert_int_eq(lch_netd_check(&q, sizeof q, &out, &pl, &plen, &id), 0);
    q.op = NETP_UDP_SEND;
    ck_assert(lch_netd_udp_inline(&q));
    snprintf(q.host, sizeof q.host, "example.com");
    ck_assert(!lch_netd_udp_inline(&q)); /* resolved in a worker */
    ck_assert(!lch_netd_sync_op(NETP_UDP_SEND));
    ck_assert(lch_netd_sync_op(NETP_UDP_BIND) && lch_netd_sync_op(NETP_UDP_CLOSE));
}
END_TEST

Suite *netd_udp_suite(void)
{
    Suite *s = suite_create("netd_udp");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, udp_check);
    tcase_add_test(tc, udp_channel);
    suite_add_tcase(s, tc);
    return s;
}
