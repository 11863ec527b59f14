/* tests/unit/test_quota.c — the write quota of host grants alone: which
 * canonical paths count (write rules but "/" and the private /tmp; a rule
 * below /tmp counts; `*` counts nothing), take and give (both counters or
 * neither, never past the limit, 0 no limit), the EDQUOT name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../bridge/internal.h"
#include "unit.h"

static brk_policy_t *with_writes(const char *list)
{
    brk_policy_t *p = brk_policy_new();
    ck_assert_int_eq(brk_grant(p, BRK_FS_WRITE, list, NULL), 0);
    return p;
}

START_TEST(what_counts)
{
    brk_policy_t *p = with_writes("/, /tmp, /tmp/out, /data");
    br_config_t cfg = {.policy = p, .write_bytes = 10, .private_tmp = "/tmp"};
    br_quota_t *q = calloc(1, sizeof *q);
    ck_assert_ptr_nonnull(q);
    br__quota_init(q, &cfg);
    ck_assert(br__quota_counts(q, "/data"));
    ck_assert(br__quota_counts(q, "/data/x/y"));
    ck_assert(br__quota_counts(q, "/tmp/out/f"));
    ck_assert(!br__quota_counts(q, "/tmp/outside"));
    ck_assert(!br__quota_counts(q, "/tmp/f"));
    ck_assert(!br__quota_counts(q, "/datax"));
    ck_assert(!br__quota_counts(q, "/etc/x")); /* only "/" covers it */
    /* no limit: nothing counts */
    cfg.write_bytes = 0;
    br__quota_init(q, &cfg);
    ck_assert(!br__quota_counts(q, "/data/x"));
    brk_policy_free(p);
    /* `*` shows nothing of the host writable */
    p = with_writes(NULL);
    cfg.policy = p;
    cfg.write_files = 1;
    br__quota_init(q, &cfg);
    ck_assert(!br__quota_counts(q, "/data/x"));
    brk_policy_free(p);
    free(q);
}
END_TEST

START_TEST(take_and_give)
{
    br_config_t cfg = {.write_bytes = 100, .write_files = 2};
    br_quota_t *q = calloc(1, sizeof *q);
    ck_assert_ptr_nonnull(q);
    br__quota_init(q, &cfg);
    ck_assert_int_eq(br__quota_take(q, 60, 1), 0);
    ck_assert_int_eq(br__quota_take(q, 41, 0), -EDQUOT);
    ck_assert_int_eq(br__quota_take(q, 40, 0), 0); /* exactly the limit */
    ck_assert_int_eq(br__quota_take(q, 1, 0), -EDQUOT);
    ck_assert_int_eq(br__quota_take(q, UINT64_MAX, 0), -EDQUOT); /* no wrap */
    br__quota_give(q, 10, 0);
    /* both or neither: the bytes fit, the files do not */
    ck_assert_int_eq(br__quota_take(q, 5, 2), -EDQUOT);
    ck_assert_uint_eq(atomic_load(q->bytes), 90);
    ck_assert_int_eq(br__quota_take(q, 0, 1), 0);
    ck_assert_int_eq(br__quota_take(q, 0, 1), -EDQUOT);
    /* 0: no limit on that counter */
    cfg.write_bytes = 0;
    br__quota_init(q, &cfg);
    ck_assert_int_eq(br__quota_take(q, UINT64_C(1) << 50, 0), 0);
    ck_assert_str_eq(br__errno_name(-EDQUOT), "EDQUOT");
    ck_assert_str_eq(br__errno_message(-EDQUOT), "disk quota exceeded");
    ck_assert_str_eq(br__errno_name(-ENOENT), "ENOENT");
    free(q);
}
END_TEST

Suite *quota_suite(void)
{
    Suite *s = suite_create("quota");
    TCase *tc = tcase_create("quota");
    tcase_add_test(tc, what_counts);
    tcase_add_test(tc, take_and_give);
    suite_add_tcase(s, tc);
    return s;
}
