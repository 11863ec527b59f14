/*
 * launcher/relay.h — the guest's output, relayed by the supervisor.
 *
 * The guest gets the write ends of pipes as its descriptors 1 and 2, never
 * the host's own open files (a guest could otherwise change their flags,
 * seek them or keep them). A thread of the supervisor moves what arrives
 * to the host's 1 and 2 (splice where the kernel can, read/write where it
 * cannot) and counts it: past the cap on both together it stops, kills the
 * guest and says so. When the host's 1 and 2 are one open file (2>&1), the
 * guest gets one pipe for both, so their order is kept.
 *
 * Its standard input is a pipe a pump thread fills from the host's 0 (or
 * /dev/null when the host has none): no description of a host file — a
 * folder, a file of the invoker's, a terminal — reaches the guest. The
 * relay's threads never stop on the terminal's job control (SIGTTIN,
 * SIGTTOU): the guest cannot freeze the supervisor by reading or writing.
 */
#ifndef LCH_RELAY_H
#define LCH_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct lch_relay lch_relay_t;

/* Makes the pipes and the guest's input (/dev/null with null_stdin). cap is the output limit in
 * bytes (0 none). guest[0], guest[1] and guest[2] are the guest's descriptors 0, 1 and 2 (1 and 2
 * maybe the same). With framed >= 0 (serve's sandboxes) the output goes there instead of to the
 * host's 1 and 2, in frames that keep which stream and the order: LCH_FRAME_STDOUT or
 * LCH_FRAME_STDERR, the length (4 bytes, little-endian), the bytes. */
lch_relay_t *lch_relay_open(uint64_t cap, int framed, bool null_stdin, int guest[3], char *err,
                            size_t errlen);

/* Frame types on serve's control socket (launcher/serve.h). */
enum {
    LCH_FRAME_STDOUT = 'o',
    LCH_FRAME_STDERR = 'e',
    LCH_FRAME_EOF = 'z',    /* the guest closed its 1 and 2: every byte is relayed */
    LCH_FRAME_REPORT = 'r', /* the supervisor's record (report.h), as JSON, last */
};
#define LCH_FRAME_HEAD 5
/* Writes one frame on fd (blocking): 0, or -errno. */
int lch_frame_write(int fd, char type, const void *data, size_t len);

/* In a child: closes the supervisor's ends (the read ends). */
void lch_relay_child(lch_relay_t *r);

/* In the supervisor after the fork: closes the guest's ends and starts the
 * thread; past the cap it sends SIGKILL to victim. -1 with err on failure. */
int lch_relay_start(lch_relay_t *r, pid_t victim, char *err, size_t errlen);

/* Waits until the guest's ends are all closed and everything before is
 * relayed; frees r. Returns true when the cap stopped the output. */
bool lch_relay_finish(lch_relay_t *r, uint64_t *relayed);

/* The host's terminal as facts the guest is told (it never holds the
 * terminal: its 1 and 2 stay the relay's pipes). */
typedef struct {
    bool out[2];               /* the host's 1 and 2 are terminals */
    int fd;                    /* the first of them that is, -1 none */
    unsigned short cols, rows; /* its window; 0 unknown */
    int color_depth;           /* Node's getColorDepth() of env: 1, 4, 8 or 24 */
} lch_tty_t;

/* Fills t from the host's 1 and 2 and the environment env (borrowed). */
void lch_tty_probe(lch_tty_t *t, char *const *env);
/* The window size of the terminal on fd: 0, or -errno (-EINVAL: none). */
int lch_tty_size(int fd, unsigned short *cols, unsigned short *rows);
/* Node's colour depth rules (tty.WriteStream.getColorDepth) over env, a
 * NULL-terminated "NAME=value" array: 1, 4, 8 or 24 bits. Pure. */
int lch_tty_color_depth(char *const *env);

#endif
