/*
 * bridge/netproto.h — the guest's network requests to the supervisor.
 *
 * The guest makes no socket of the internet families itself (its seccomp
 * policy refuses socket(AF_INET/AF_INET6), connect, bind, sendmsg and an
 * addressed sendto). Every socket it uses is made, bound or connected
 * outside it and handed in with SCM_RIGHTS over one SOCK_SEQPACKET pair:
 * the guest holds one end (br_config_t.net_fd), the supervisor the other
 * (launcher/netd.c). The supervisor decides each request on its own copy
 * of the policy (a second decision beside the guest's broker: a forged
 * request meets it too), resolves names itself (c-ares), checks the
 * address it is about to use, and makes the socket: in the host's network
 * namespace for anything outside, or — through the middle process, which
 * lives in the guest's network namespace — on the sandbox's own loopback.
 *
 * One message is one request or one response (a datagram of the pair):
 * a fixed header, then a payload of header.len bytes. Requests may be
 * outstanding together; each response echoes its request's id, in any
 * order. A response to CONNECT, LISTEN or UDP_BIND carries exactly one
 * descriptor (SCM_RIGHTS) when status is 0, none otherwise.
 *
 * Everything in a request is hostile to the supervisor: sizes, NULs, ops,
 * families, ports and handles are checked before use; a malformed request
 * gets a response with status -EINVAL (when its id can be read) and the
 * channel keeps serving.
 */
#ifndef SE_BRIDGE_NETPROTO_H
#define SE_BRIDGE_NETPROTO_H

#include <stdint.h>

#define NETP_VERSION 1
/* A host as given by the guest: a name or an address literal, NUL-ended. */
#define NETP_HOST_MAX 256
/* The largest message either way (a UDP payload is at most 65507 bytes;
 * a RESOLVE answer is cut to fit). */
#define NETP_MSG_MAX (70 * 1024)
/* The guest's view of host.internal (the host's loopback): an address of
 * its 127/8 that nothing in the sandbox listens on. A LOOKUP of
 * host.internal answers it, a CONNECT to it is a connect to host.internal,
 * and a socket connected there names it as its peer. */
#define NETP_HOST_INTERNAL_V4 "127.254.0.1"
/* Addresses in one LOOKUP answer, at most. */
#define NETP_ADDRS_MAX 32

enum netp_op {
    /* TCP connect to host:port. host may be a name (resolved by the
     * supervisor: every address it resolves to is checked, tried in order
     * until one connects) or a literal. Answer: a connected, non-blocking
     * socket; local and remote filled. */
    NETP_CONNECT = 1,
    /* TCP listen on host:port (host "" = every address of the sandbox,
     * "::" or "0.0.0.0" likewise; port 0 = any free port) with arg =
     * backlog. A port published to the host (--publish) is answered with
     * the host's listening socket. Answer: a listening, non-blocking
     * socket; local filled (the guest's view: its own address and port). */
    NETP_LISTEN = 2,
    /* UDP socket (family 4 or 6) bound to host:port (port 0: any) on the
     * sandbox's own loopback or unspecified address, made by the middle
     * process. With NETP_F_OUTSIDE instead: a socket of the host's network
     * namespace for datagrams outside the sandbox (the implicit bind of a
     * socket whose first send or connect goes outside), made only when
     * host:port — that first destination — is granted ("udp-send"). A
     * socket is of one kind for its life: the sandbox's reaches only the
     * sandbox's loopback, an outside one only outside addresses and
     * host.internal (a datagram to the other kind: -ENETUNREACH). Answer:
     * the socket (non-blocking), local filled, value = a handle naming it
     * in the UDP_* requests below (the supervisor keeps a copy of it, at
     * most NETP_UDP_MAX per run: -EMFILE past them). */
    NETP_UDP_BIND = 3,
    /* Connects the UDP socket arg (a handle) to host:port (decided as
     * "udp-send"): the guest's send() then reaches only that address (the
     * guest cannot connect or address a datagram itself). port 0 with
     * host "": disconnect. Answer: remote filled (host.internal as the
     * guest names it). */
    NETP_UDP_CONNECT = 4,
    /* Sends the payload (at most 65507 bytes) from the UDP socket arg to
     * host:port (decided as "udp-send"; the guest may not address a
     * datagram itself); host "" and port 0: to the socket's connected
     * peer. value = bytes sent. A literal, localhost or host.internal is
     * served in the order sent; a name after its resolution. */
    NETP_UDP_SEND = 5,
    /* Forgets the UDP socket arg (the supervisor closes its copy). A
     * handle the guest was not given: -EBADF (out of range: -EINVAL). */
    NETP_UDP_CLOSE = 6,
    /* Resolves host (family 0, 4 or 6; flags NETP_F_ALL) as dns.lookup
     * does. Answer: payload = naddr netp_addr_t, in the resolver's order
     * (NETP_F_IPV4FIRST: IPv4 first). */
    NETP_LOOKUP = 7,
    /* DNS query (class IN) of the name host for record type arg (ns_t_a,
     * ns_t_mx, ... and NETP_RR_ANY; NETP_F_TTL: A/AAAA with their ttl).
     * Without a payload: asked of the supervisor's resolvers, refused
     * (-EACCES) for a name no rule could grant. With a payload (a
     * netp_dns_opts_t): asked only of the servers the guest chose, each
     * decided on its address (see netp_dns_opts_t). Answer: payload =
     * the records as JSON in Node's shapes (dns.resolve*: an array; an
     * object for SOA), ASCII, cut to fit NETP_MSG_MAX (value = 1 then). */
    NETP_RESOLVE = 8,
    /* Reverse lookup of the address literal host. Without a payload:
     * decided on the address (any port), asked of the supervisor's
     * resolvers; with a netp_dns_opts_t: asked of the guest's servers as
     * RESOLVE is. Answer: payload = a JSON array of names (value = 1
     * when cut). */
    NETP_REVERSE = 9,
    /* A unix stream socket listening at the payload's address (arg =
     * backlog; port = the guest's umask, 0 to 0777, under which the
     * socket file is made), made by the middle process. The payload is sun_path's
     * bytes (1 to NETP_UNIX_ADDR_MAX): an absolute canonical path, or an
     * abstract name ('\0' first: the sandbox's network namespace's own).
     * A path is decided as a file the socket makes ("listen": a write
     * grant of it, brk_unix_decide), may lie only in the sandbox's own
     * folders (the private /tmp, a write grant not bound from the host:
     * -EACCES in a host folder, as Landlock's MAKE_SOCK), and is resolved
     * in the guest's view with no symlink on the way (-ELOOP). Answer: a
     * listening, non-blocking socket (-EADDRINUSE when the path exists). */
    NETP_UNIX_LISTEN = 10,
    /* A unix stream socket connected to the payload's address (as
     * UNIX_LISTEN's; a path needs read and write grants of it, and its
     * every component, the socket's own included, must not be a
     * symlink). Answer: a connected, non-blocking socket, or connect(2)'s
     * error (-ENOENT, -ECONNREFUSED, -EAGAIN when its backlog is full). */
    NETP_UNIX_CONNECT = 11,
    /* The guest no longer waits for the RESOLVE or REVERSE whose id is
     * arg (Resolver.cancel): one still queued is dropped, one being asked
     * stops (its c-ares channel closed, the worker free for the next
     * request). Sync channel (its reader never waits for the pool, which
     * questions may fill); no payload; answered with status 0 (a stopped
     * question still answers ECANCELED on the async channel, which the
     * guest drops). */
    NETP_CANCEL = 12,
    NETP_OP_MAX = 12,
    /* Not a request: sent by the supervisor on the sync channel after an
     * answer that carried a socket, once its own copy (and the middle
     * process's) is closed; same id. The guest waits for it before it
     * uses the socket, so that closing it closes the socket (a listener
     * closed and then connected to must refuse). */
    NETP_RELEASED = 0xffff,
};

/* The longest unix socket address (sizeof sockaddr_un.sun_path). */
#define NETP_UNIX_ADDR_MAX 108

enum netp_flags {
    NETP_F_ALL = 1 << 0,       /* LOOKUP: every address, not the first */
    NETP_F_IPV4FIRST = 1 << 1, /* LOOKUP: verbatim=false (IPv4 first) */
    NETP_F_IPV6ONLY = 1 << 2,  /* LISTEN/UDP_BIND: ipv6Only */
    NETP_F_REUSEADDR = 1 << 3, /* UDP_BIND: reuseAddr */
    NETP_F_TTL = 1 << 4,       /* RESOLVE: records carry their ttl */
    NETP_F_EXCLUSIVE = 1 << 5, /* LISTEN: exclusive (no sharing) */
    NETP_F_OUTSIDE = 1 << 6,   /* UDP_BIND: a socket for outside destinations */
};

/* UDP sockets the supervisor keeps for one run, at most. */
#define NETP_UDP_MAX 256
/* The largest UDP payload (IPv4's). */
#define NETP_UDP_PAYLOAD_MAX 65507

/* A record type meaning "any" for RESOLVE (dns.resolveAny). */
#define NETP_RR_ANY 255

/* The servers a guest's Resolver was given (dns.setServers), at most. */
#define NETP_DNS_SERVERS_MAX 16
/* The longest a question to the guest's servers may take, all tries
 * together (the supervisor's bound on a guest's timeout and tries). */
#define NETP_DNS_DEADLINE_MS 60000

typedef struct {
    uint8_t family; /* 4, 6, or 0 (none) */
    uint8_t pad;
    uint16_t port;     /* host order */
    uint32_t scope_id; /* IPv6 zone */
    uint8_t addr[16];  /* network order; IPv4 in the first 4 bytes */
} netp_addr_t;

typedef struct {
    uint32_t version; /* NETP_VERSION */
    uint32_t id;      /* the guest's, echoed */
    uint16_t op;      /* enum netp_op */
    uint16_t flags;   /* enum netp_flags */
    uint16_t port;    /* host order */
    uint8_t family;   /* 0 any, 4, 6 */
    uint8_t pad;
    int32_t arg;  /* backlog, record type, or a UDP handle */
    uint32_t len; /* payload bytes after this header (UDP_SEND, UNIX_*) */
    char host[NETP_HOST_MAX];
} netp_req_t;

/* The payload of a RESOLVE or REVERSE asked of the guest's own servers
 * (a Resolver's setServers, timeout and tries). Each server is decided by
 * the supervisor as op "dns-server" on its address and port, as a
 * connection there would be: one of the sandbox's own loopback needs a
 * rule naming it (the supervisor's c-ares then talks to it over sockets
 * the middle process makes in the sandbox's network namespace), one
 * outside the rules for that address (private, link-local and metadata
 * ones by address; never the host's own addresses). One refused server
 * refuses the question (-EACCES). The name itself is not decided: it goes
 * only to servers the guest may reach anyway. */
typedef struct {
    int32_t timeout_ms; /* per try, as Node's Resolver option; -1: the supervisor's */
    int32_t tries;      /* >= 1 */
    uint32_t nservers;  /* 1 .. NETP_DNS_SERVERS_MAX */
    uint32_t pad;
    netp_addr_t servers[NETP_DNS_SERVERS_MAX]; /* port 0: 53 */
} netp_dns_opts_t;

/* Statuses beside 0 and -errno (Node's codes, as the guest names them):
 * -EACCES is a refusal by the supervisor's broker (ERR_ACCESS_DENIED);
 * DNS failures are -(NETP_DNS_BASE + c-ares status), e.g. ARES_ENOTFOUND
 * is ENOTFOUND. */
#define NETP_DNS_BASE 0x10000

typedef struct {
    uint32_t id;        /* the request's */
    int32_t status;     /* 0, -errno, or -(NETP_DNS_BASE + ares status) */
    uint16_t op;        /* the request's */
    uint16_t naddr;     /* LOOKUP: addresses in the payload; RESOLVE: the
                           seconds its answer or failure may be kept
                           (lch_netd_dns_cache_ttl), 0 none */
    int32_t value;      /* UDP_BIND: handle; UDP_SEND: bytes sent */
    netp_addr_t local;  /* CONNECT/LISTEN/UDP_BIND: the socket's own */
    netp_addr_t remote; /* CONNECT/UDP_CONNECT: the peer; on a failed
                           CONNECT the last address tried (for the
                           error's address and port), family 0 if none */
    uint32_t len;       /* payload bytes after this header */
} netp_res_t;

#endif
