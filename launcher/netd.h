/*
 * launcher/netd.h — the supervisor's socket broker: every socket the guest
 * uses is made here (or, for the sandbox's own loopback, by the middle
 * process on this broker's word) and handed in.
 *
 * The guest sends requests (bridge/netproto.h) on two SOCK_SEQPACKET
 * pairs: one for requests answered later (CONNECT, LOOKUP, RESOLVE,
 * REVERSE, UDP_SEND), one for requests its caller waits on (LISTEN,
 * UDP_BIND, UDP_CONNECT, UDP_CLOSE). Each request meets this broker's own
 * decision on the supervisor's copy of the policy (brk_net_decide, "by":
 * "supervisor"), made on the address about to be used: a name is resolved
 * here (c-ares), and every address it gives is decided before it is
 * connected. Sockets outside the sandbox are made in the host's network
 * namespace; sockets on the sandbox's own loopback are made by the middle
 * process (it lives in the guest's network namespace) through the factory
 * pair, on this broker's request only: the guest never holds the factory.
 *
 * Requests are served concurrently (a bounded number of worker threads);
 * a malformed request is answered -EINVAL when its id can be read, and the
 * broker goes on serving. Nothing here trusts a byte from the guest.
 */
#ifndef LCH_NETD_H
#define LCH_NETD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../bridge/broker.h"
#include "../bridge/netproto.h"
#include "cli.h"

#define LCH_HOST_INTERNAL_V4 NETP_HOST_INTERNAL_V4

typedef struct lch_netd lch_netd_t;

typedef struct {
    brk_policy_t *policy;  /* the supervisor's copy; decisions are serialised */
    const char *resolvers; /* "IP[:PORT],..." (net.resolvers), NULL: the host's resolv.conf */
    /* --publish: host listening sockets by guest port (NULL when none) */
    const struct lch_publish *publish;
    size_t npublish;
    /* which write grants the sandbox binds from the host (no unix socket
     * is made below them): lch_sandbox_binds; NULL: all but / and /tmp */
    bool (*binds)(const char *path);
    /* serve's sandbox with an audit log: the request's id, set after
     * lch_netd_audit_job; a decision that comes before it waits for it
     * (lch_job_id_wait, at most 1 s) so that its line carries the id.
     * NULL: no wait. */
    lch_job_id_t *job;
} lch_netd_opts_t;

/* One --publish [HOSTIP:]HOSTPORT:GUESTPORT, its host socket made at start. */
typedef struct lch_publish {
    char host_ip[48]; /* "" = 127.0.0.1 */
    unsigned host_port, guest_port;
    int fd; /* the host's listening socket, or -1 */
} lch_publish_t;

/* Parses a --publish value into *p (fd -1). 0, or -1 with err set. */
int lch_publish_parse(const char *s, lch_publish_t *p, char *err, size_t errlen);
/* Makes p's host listening socket (non-blocking, SO_REUSEADDR). 0, or -1
 * with err set. */
int lch_publish_open(lch_publish_t *p, char *err, size_t errlen);

/* The descriptors of one run's channel: made before the sandbox, handed to
 * it (guest_async, guest_sync: the guest's; factory_mid: the middle's). */
typedef struct {
    int guest_async, guest_sync; /* the guest's ends */
    int factory_mid;             /* the middle process's end */
    int own_async, own_sync;     /* the broker's */
    int factory_own;
} lch_netd_fds_t;

/* Makes the three pairs (CLOEXEC). 0 or -errno. */
int lch_netd_pairs(lch_netd_fds_t *f);
/* Closes every descriptor of f that is still open (-1 after). */
void lch_netd_pairs_close(lch_netd_fds_t *f);

/* Starts serving on f's own ends (taken over: closed by lch_netd_stop).
 * Call after the sandbox's fork (threads and fork do not mix). NULL with
 * err set when it could not start. */
lch_netd_t *lch_netd_start(const lch_netd_opts_t *o, lch_netd_fds_t *f, char *err, size_t errlen);
/* Stops: wakes and joins every thread, closes what it holds. */
void lch_netd_stop(lch_netd_t *d);
/* serve's job came (request id id): an audit line naming it under the
 * sandbox's run id, then the supervisor's lines carry the request's id
 * (under the decisions' lock: its reader may be deciding). The caller
 * sets o.job after it: decisions waiting for the id go on. */
void lch_netd_audit_job(lch_netd_t *d, const char *id);

/* The middle process's side of the factory: serves one request waiting on
 * fd (the factory's middle end). fd_dir is the middle's own
 * /proc/PID/fd folder, opened before the guest built its view (the
 * view's /proc is the guest's pid namespace's, where the middle is not),
 * or -1: unix sockets are connected through it (netd_unix.c). Returns
 * false when the pair is gone. */
bool lch_netd_factory_serve(int fd, int fd_dir);

/* Checks a request as read from the guest (n bytes at buf): 0 with *req a
 * copy whose host is NUL-ended within bounds and *payload, *plen its
 * payload, or -EINVAL (*id set when at least the id could be read, else
 * 0). Exposed for the unit tests and the fuzz target. */
int lch_netd_check(const void *buf, size_t n, netp_req_t *req, const uint8_t **payload,
                   size_t *plen, uint32_t *id);

/* Whether a request's op belongs on the sync channel. */
bool lch_netd_sync_op(unsigned op);

/* ---- UDP (netd_udp.c) ---------------------------------------------------
 *
 * The run's UDP sockets: a table (NETP_UDP_MAX, one lock) of the
 * supervisor's copies of the sockets it handed in, by handle. The guest
 * reads its datagrams itself, sends on a connected socket itself (send(),
 * or an unaddressed sendto), and asks for everything else: a bind (the
 * sandbox's loopback through the factory, or a socket of the host's for
 * outside destinations), a connect and an addressed datagram, each
 * decided here on the address about to be used. One socket is one kind
 * for its life (netproto.h NETP_UDP_BIND): the sandbox's never sends
 * outside, an outside one never to the sandbox's addresses (they would be
 * the host's own), nor to a broadcast or multicast address. */
typedef struct lch_netd_udp lch_netd_udp_t;

lch_netd_udp_t *lch_netd_udp_new(void);
/* Closes every copy still held (the guest's channel is gone). */
void lch_netd_udp_free(lch_netd_udp_t *u);
/* Serves a checked UDP_* request: res filled, *fd the socket to hand in. */
void lch_netd_udp_serve(lch_netd_t *d, lch_netd_udp_t *u, const netp_req_t *q,
                        const uint8_t *payload, size_t plen, netp_res_t *res, int *fd);
/* Whether the async reader serves request q itself (a UDP_SEND needing no
 * DNS: datagrams leave in the order sent). */
bool lch_netd_udp_inline(const netp_req_t *q);

/* netd.c's helpers for netd_udp.c and netd_dns.c (not for other callers). */
typedef enum { LCH_T_SANDBOX, LCH_T_HOST_LOOPBACK, LCH_T_OUTSIDE } lch__where_t;
typedef struct {
    brk_ip_t ip;
    lch__where_t where;
} lch__target_t;
int lch__netd_decide(lch_netd_t *d, const char *op, const char *host, unsigned port,
                     const brk_ip_t *ip);
bool lch__netd_name_granted(lch_netd_t *d, const char *host);
int lch__netd_targets(lch_netd_t *d, const char *host, int family, lch__target_t *t, size_t max,
                      size_t *n);
bool lch__netd_literal(const char *host, brk_ip_t *ip);
bool lch__netd_host_internal(const char *host);
int lch__netd_factory_udp(lch_netd_t *d, const brk_ip_t *ip, unsigned port, unsigned flags, int *fd,
                          struct sockaddr_storage *local);
/* A TCP socket of the sandbox's, connecting to its loopback ip:port
 * (non-blocking: the connect may be under way). 0 and *fd, or -errno. */
int lch__netd_factory_tcp(lch_netd_t *d, const brk_ip_t *ip, unsigned port, int *fd);
/* Whether ip is one of the host's own addresses (then refused, with its
 * audit line naming host:port). */
bool lch__netd_host_address(lch_netd_t *d, const char *host, unsigned port, const brk_ip_t *ip);
socklen_t lch__netd_sockaddr(const brk_ip_t *ip, unsigned port, struct sockaddr_storage *ss);
void lch__netd_netp_addr(const struct sockaddr_storage *ss, netp_addr_t *a);

/* ---- unix domain sockets (netd_unix.c) -----------------------------------
 *
 * UNIX_LISTEN and UNIX_CONNECT (netproto.h): decided here on the
 * supervisor's policy (brk_unix_decide, and no socket file in a folder
 * bound from the host), then made by the middle process, whose root is
 * the guest's view (the guest's pivot_root moved it there): every path is
 * resolved as the guest sees it, never as the host does, with no symlink
 * on the way. */
enum { FAC_UNIX_LISTEN = 4, FAC_UNIX_CONNECT = 5 };
/* FAC_UNIX_CONNECT's flag: a write grant the sandbox binds from the host
 * covers the path, so a socket on a filesystem other than the private
 * /tmp may be reached. Without it the middle process connects only to a
 * socket file on /tmp's own filesystem and binds only there (decided by
 * the device, not the path: a folder renamed in /tmp moves a host bind
 * with it). */
#define FAC_F_HOST_SOCKET 1

/* Serves a checked UNIX_* request: res filled, *fd the socket to hand in. */
void lch_netd_unix_serve(lch_netd_t *d, const netp_req_t *q, const uint8_t *payload, size_t plen,
                         netp_res_t *res, int *fd);
/* Whether a socket file may be made at the canonical path: not below a
 * write grant of policy that the sandbox binds from the host (binds says
 * which: lch_sandbox_binds; NULL: every grant but / and /tmp). */
bool lch_netd_unix_own_folder(const brk_policy_t *policy, bool (*binds)(const char *),
                              const char *path);
/* The middle process's side: a listening or connected unix socket (fd, or
 * -errno) at sa (sl bytes), resolved in this process's root; fd_dir as
 * lch_netd_factory_serve's; a listener's socket file made under mask
 * (the guest's umask, as its own bind(2) would be). */
struct sockaddr_un;
int lch__netd_unix_make(unsigned op, const struct sockaddr_un *sa, socklen_t sl, int backlog,
                        unsigned flags, unsigned mask, int fd_dir);
/* netd.c's helpers for netd_unix.c: the factory's round trip, and the
 * supervisor's decision and refusal lines (under its lock). */
int lch__netd_factory_unix(lch_netd_t *d, unsigned op, const struct sockaddr_un *sa, socklen_t sl,
                           int backlog, unsigned flags, unsigned mask, int *fd);
int lch__netd_unix_decide(lch_netd_t *d, const char *op, const char *addr, size_t len);
const brk_policy_t *lch__netd_policy(const lch_netd_t *d);
bool (*lch__netd_binds(const lch_netd_t *d))(const char *);
void lch__netd_os_refusal(lch_netd_t *d, brk_domain_t dom, const char *op, const char *target,
                          const char *errname, const char *rule);

/* ---- DNS for the guest's dns module (launcher/netd_dns.c) ---- */

/* A c-ares channel (an ares_channel) with the broker's settings: DNS only
 * (not the host's files), its timeouts, and the profile's resolvers when
 * it names some. ARES_SUCCESS or an ares status. */
int lch_netd_ares_new(const char *resolvers, void **out);
/* Drives channel ch until *done (its sockets and timeouts with poll,
 * stop_fd beside them: -ECANCELED when it fires). 0 or -errno. */
int lch_netd_ares_drive(void *ch, const bool *done, int stop_fd);

struct hostent;

/* A DNS query of name (class IN) for record type (ns_t_a, ns_t_mx, ...,
 * NETP_RR_ANY) with c-ares, asking resolvers ("IP[:PORT],...", NULL: the
 * host's resolv.conf), stop_fd watched beside (-ECANCELED when readable).
 * 0, or 1 when the answer was cut to fit a message, with *json (malloc'd)
 * the records in Node's shapes (dns.resolve4/6 with {ttl}, resolveCname,
 * Mx, Ns, Txt, Srv, Ptr, Naptr, Soa, Caa, Any); or -(NETP_DNS_BASE + ares
 * status), -EINVAL (a type it does not ask), -ECANCELED, -errno. *cache:
 * the seconds the answer (or the failure) may be kept, as
 * lch_netd_dns_cache_ttl says; 0 when there was none. */
int lch_netd_dns_query(const char *resolvers, const char *name, int type, bool ttl, int stop_fd,
                       char **json, int *cache);
/* The names of the address literal ip (dns.reverse): as above, *json a JSON
 * array of names. */
int lch_netd_dns_reverse(const char *resolvers, const char *ip, int stop_fd, char **json);
/* A RESOLVE or REVERSE request q asked of the guest's own servers (its
 * payload a netp_dns_opts_t of plen bytes): each server decided ("dns-
 * server"), the question asked with c-ares over sockets made for it — in
 * the sandbox's namespace by the middle process for its loopback, here
 * for outside addresses — within NETP_DNS_DEADLINE_MS, stop_fd watched
 * beside (-ECANCELED when readable). 0 or 1 (cut) with *json as
 * lch_netd_dns_query gives it; -EACCES (a server refused), -EINVAL, or a
 * status as there. */
int lch_netd_dns_guest(lch_netd_t *d, const netp_req_t *q, const uint8_t *payload, size_t plen,
                       int stop_fd, char **json, int *cache);
/* The seconds a raw DNS answer may be cached, by c-ares' query cache rules
 * (what Node 22's resolvers keep): a truncated answer or an rcode other
 * than NOERROR and NXDOMAIN none; a negative one (NXDOMAIN, or no answer
 * records) its SOA's, the lesser of its minimum and its TTL (none without
 * one); else the least TTL of its records (OPT, SOA and SIG aside); at
 * most 3600. 0: not cached. */
int lch_netd_dns_cache_ttl(const unsigned char *abuf, int alen);
/* The guest's servers of opts (plen bytes) checked: 0 with ips[] and
 * ports[] (nservers of them, port 53 for 0), or -EINVAL. */
int lch_netd_dns_opts_check(const void *opts, size_t plen, brk_ip_t *ips, unsigned *ports,
                            size_t *n);
/* The JSON of a raw DNS answer abuf (alen bytes) to a query of type, as
 * lch_netd_dns_query gives it (exposed for the unit tests). */
int lch_netd_dns_json(int type, bool ttl, const unsigned char *abuf, int alen, char **json);
/* The names of a reverse answer (its aliases, as Node gives them) as JSON. */
int lch_netd_dns_names_json(const struct hostent *h, char **json);
/* Whether RESOLVE asks record type (NETP_RESOLVE's arg). */
bool lch_netd_dns_type_ok(int type);
/* The servers a channel with resolvers asks, as Node's getServers() shows
 * them ("IP", "IP:PORT", "[IPv6]:PORT"), comma-separated into out. 0 or a
 * status as above. */
int lch_netd_dns_servers(const char *resolvers, char *out, size_t cap);

#endif
