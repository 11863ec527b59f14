/* tests/fuzz/fuzz_netd.c — libFuzzer target for the supervisor's socket
 * broker (launcher/netd.c): any bytes, sent as one request on either of the
 * guest's channels, must be answered (or, when not even an id can be read,
 * answered with id 0; a question to servers it names, once cancelled)
 * and never crash, leak or read out of bounds (built
 * with ASan+UBSan); the broker must go on serving. One broker runs for the
 * whole session, its policy granting only 127.0.0.1 (so a well-formed
 * request costs a loopback connect at most, never a DNS query), its
 * factory served by a thread here. */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../launcher/netd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lch_netd_fds_t fds;
static lch_netd_t *netd;

static void *factory(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd pf = {.fd = fds.factory_mid, .events = POLLIN};
        if (poll(&pf, 1, -1) == 1 && !lch_netd_factory_serve(fds.factory_mid, -1))
            return NULL;
    }
}

static void start(void)
{
    static brk_policy_t *p;
    char *err = NULL, e[256];
    p = brk_policy_new();
    if (!p || brk_grant(p, BRK_NET, "127.0.0.1", &err) < 0 || lch_netd_pairs(&fds) < 0)
        abort();
    pthread_t t;
    if (pthread_create(&t, NULL, factory, NULL) != 0)
        abort();
    lch_netd_opts_t o = {.policy = p};
    netd = lch_netd_start(&o, &fds, e, sizeof e);
    if (!netd)
        abort();
}

/* Drains answers until none comes for a while; closes descriptors. */
static int drain(int chan, int ms)
{
    int got = 0;
    for (;;) {
        struct pollfd pf = {.fd = chan, .events = POLLIN};
        if (poll(&pf, 1, ms) != 1)
            return got;
        uint8_t buf[NETP_MSG_MAX];
        union {
            char b[CMSG_SPACE(sizeof(int) * 4)];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
        ssize_t n = recvmsg(chan, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (n <= 0)
            return got;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
            if (c->cmsg_type == SCM_RIGHTS)
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                    int fd;
                    memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                    close(fd);
                }
        got++;
        ms = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!netd)
        start();
    if (!size || size > NETP_MSG_MAX)
        return 0;
    /* the first byte picks the channel; the rest is the message */
    int chan = data[0] & 1 ? fds.guest_sync : fds.guest_async;
    if (send(chan, data + 1, size - 1, MSG_NOSIGNAL) < 0)
        return 0;
    if (drain(chan, 2000) < 1) {
        /* every message is answered at once, but a question (RESOLVE,
         * REVERSE) asked of servers the request names may wait for them
         * up to NETP_DNS_DEADLINE_MS: the guest's cancel stops it, and
         * the question then answers (ECANCELED) */
        netp_req_t q;
        if (chan != fds.guest_async || size - 1 < sizeof q)
            abort();
        memcpy(&q, data + 1, sizeof q);
        if (q.op != NETP_RESOLVE && q.op != NETP_REVERSE)
            abort();
        netp_req_t c = {.version = NETP_VERSION, .id = 0xcafe, .op = NETP_CANCEL};
        c.arg = (int32_t)q.id;
        if (send(fds.guest_sync, &c, sizeof c, MSG_NOSIGNAL) != (ssize_t)sizeof c ||
            drain(fds.guest_sync, 2000) < 1 || drain(chan, 2000) < 1)
            abort();
    }
    /* and the broker still serves: its answer may queue behind jobs of
     * earlier inputs the pool still runs (a connect that takes its
     * seconds), so it is waited for up to 10 s */
    netp_req_t q = {.version = NETP_VERSION, .id = 0xfeed, .op = NETP_LOOKUP};
    snprintf(q.host, sizeof q.host, "localhost");
    if (send(fds.guest_async, &q, sizeof q, MSG_NOSIGNAL) != (ssize_t)sizeof q)
        abort();
    for (int tries = 0; drain(fds.guest_async, 2000) < 1; tries++)
        if (tries == 4)
            abort();
    return 0;
}
