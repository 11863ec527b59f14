/* tests/fuzz/fuzz_profile.c — libFuzzer target for the profile parser and
 * the grant syntax: any bytes must give 0 or a clean error with a message,
 * never a crash, leak or out-of-bounds access (built with ASan+UBSan). A
 * parsed policy is then asked a few decisions, which must not crash. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../bridge/broker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    brk_policy_t *p = brk_policy_new();
    if (!p)
        return 0;
    char *err = NULL;
    int r = brk_profile_parse(p, (const char *)data, size, "fuzz.profile", &err);
    if (r < 0 && !err && r != -ENOMEM)
        abort(); /* every refusal must say why */
    free(err);
    if (r == 0) {
        brk_decide(p, BRK_FS_READ, "read", "/app/x", NULL);
        brk_decide(p, BRK_NET, "connect", "localhost:80", NULL);
        brk_decide(p, BRK_ENV, "read", "HOME", NULL);
        brk_decide(p, BRK_RUN, "spawn", "/bin/sh", NULL);
    }
    /* the same bytes as a command-line grant list */
    char *list = malloc(size + 1);
    if (list) {
        memcpy(list, data, size);
        list[size] = '\0';
        for (int d = 0; d < BRK_DOMAINS; d++) {
            err = NULL;
            brk_grant(p, (brk_domain_t)d, list, &err);
            free(err);
        }
        char out[256];
        brk_path_normalize(list, out, sizeof out);
        free(list);
    }
    brk_policy_free(p);
    return 0;
}
