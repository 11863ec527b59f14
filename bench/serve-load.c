/*
 * bench/serve-load.c — a client of `secure-exec-launch serve` for
 * bench/serve.sh: N POST /v1/run over C keep-alive connections to a unix
 * socket, one thread per connection; prints one JSON object: client-side
 * latency min/p50/p99 (ms), the server's duration_ms p50, the count of
 * answers that were not 200 with exit code 0 (errors) and the wall time of
 * the whole batch.
 *
 * usage: serve-load SOCKET N CONCURRENCY BODY_JSON [GAP_S]
 * (GAP_S: each client waits that long between its requests, so that the
 * pool is refilled between them; the clients start together, so with a
 * gap their requests come in rounds of CONCURRENCY)
 *
 * In C, not Python: with eight Python threads the interpreter's lock spread
 * a round's requests over 50 ms and added milliseconds to the answers it
 * timed, more than the server's own time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *sock_path;
static const char *body;
static size_t body_len;
static double gap_s;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long left;
static double *lat, *server;
static size_t nlat, nserver;
static long errors;
static char first_error[256];

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int connect_unix(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One request on fd: the status, the body in *out (malloc'd), or -1. */
static int request(int fd, char **out)
{
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "POST /v1/run HTTP/1.1\r\nHost: serve\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\n\r\n",
                      body_len);
    if (send_all(fd, head, (size_t)hl) < 0 || send_all(fd, body, body_len) < 0)
        return -1;
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return -1;
    char *end = NULL;
    long want = -1;
    for (;;) {
        if (end && want >= 0 && len >= (size_t)(end - buf) + 4 + (size_t)want)
            break;
        if (len == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
            end = NULL; /* found again below */
        }
        ssize_t r = recv(fd, buf + len, cap - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            return -1;
        }
        len += (size_t)r;
        buf[len] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n"))) {
            const char *cl = strcasestr(buf, "\r\ncontent-length:");
            if (!cl || cl > end) {
                free(buf);
                return -1; /* the server answers runs with a length */
            }
            want = strtol(cl + 17, NULL, 10);
        }
    }
    int status = (int)strtol(buf + 9, NULL, 10);
    size_t off = (size_t)(end - buf) + 4;
    *out = strndup(buf + off, (size_t)want);
    free(buf);
    return *out ? status : -1;
}

static void note_error(const char *what)
{
    errors++;
    if (!first_error[0])
        snprintf(first_error, sizeof first_error, "%s", what);
}

static void *worker(void *arg)
{
    (void)arg;
    int fd = connect_unix();
    for (;;) {
        pthread_mutex_lock(&lock);
        int go = left > 0;
        if (go)
            left--;
        pthread_mutex_unlock(&lock);
        if (!go)
            break;
        if (gap_s > 0) {
            struct timespec ts = {(time_t)gap_s, (long)((gap_s - (double)(time_t)gap_s) * 1e9)};
            while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        }
        if (fd < 0)
            fd = connect_unix();
        double t = now_ms();
        char *res = NULL;
        int status = fd >= 0 ? request(fd, &res) : -1;
        double ms = now_ms() - t;
        pthread_mutex_lock(&lock);
        if (status < 0) {
            note_error(fd < 0 ? "cannot connect" : "connection lost");
            if (fd >= 0)
                close(fd);
            fd = -1;
        } else {
            lat[nlat++] = ms;
            const char *ec = strstr(res, "\"exit_code\":");
            const char *dur = strstr(res, "\"duration_ms\":");
            if (status != 200 || !ec || strtol(ec + 12, NULL, 10) != 0 || ec[12] == 'n') {
                char what[200];
                snprintf(what, sizeof what, "%d %.180s", status, res);
                note_error(what);
            } else if (dur) {
                server[nserver++] = strtod(dur + 14, NULL);
            }
        }
        pthread_mutex_unlock(&lock);
        free(res);
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-th percentile as serve-load.py took it (nearest rank). */
static double pct(double *a, size_t n, double p)
{
    qsort(a, n, sizeof *a, cmp);
    long i = (long)((double)n * p / 100 + 0.5) - 1;
    if (i < 0)
        i = 0;
    if ((size_t)i >= n)
        i = (long)n - 1;
    return a[i];
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: serve-load SOCKET N CONCURRENCY BODY_JSON [GAP_S]\n");
        return 2;
    }
    sock_path = argv[1];
    long n = strtol(argv[2], NULL, 10);
    long conc = strtol(argv[3], NULL, 10);
    body = argv[4];
    body_len = strlen(body);
    gap_s = argc > 5 ? strtod(argv[5], NULL) : 0;
    if (n <= 0 || conc <= 0 || conc > 1024 || gap_s < 0) {
        fprintf(stderr, "serve-load: N and CONCURRENCY must be positive, GAP_S not negative\n");
        return 2;
    }
    left = n;
    lat = calloc((size_t)n, sizeof *lat);
    server = calloc((size_t)n, sizeof *server);
    pthread_t *th = calloc((size_t)conc, sizeof *th);
    if (!lat || !server || !th)
        return 1;
    double t0 = now_ms();
    for (long i = 0; i < conc; i++)
        if (pthread_create(&th[i], NULL, worker, NULL) != 0) {
            fprintf(stderr, "serve-load: cannot start a thread\n");
            return 1;
        }
    for (long i = 0; i < conc; i++)
        pthread_join(th[i], NULL);
    double wall = now_ms() - t0;
    printf("{\"n\": %ld, \"concurrency\": %ld, ", n, conc);
    if (nlat) {
        double mn = pct(lat, nlat, 0);
        printf("\"min\": %.2f, \"p50\": %.2f, \"p99\": %.2f, ", mn, pct(lat, nlat, 50),
               pct(lat, nlat, 99));
    } else {
        printf("\"min\": null, \"p50\": null, \"p99\": null, ");
    }
    if (nserver)
        printf("\"server_p50\": %.2f, ", pct(server, nserver, 50));
    else
        printf("\"server_p50\": null, ");
    printf("\"errors\": %ld, \"first_error\": ", errors);
    if (errors)
        json_str(first_error);
    else
        printf("null");
    printf(", \"wall_ms\": %.1f}\n", wall);
    return 0;
}
