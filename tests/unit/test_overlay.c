/*
 * tests/unit/test_overlay.c — the overlay's symlink-target arithmetic:
 * which link texts stay inside the app folder (pnpm's and workspace links)
 * and which climb out (refused before the kernel is even asked).
 */
#include <check.h>
#include <string.h>

#include "../../fuse-overlay/internal.h"
#include "unit.h"

static void inside(const char *dir, const char *target, const char *want)
{
    char out[256];
    ck_assert_msg(ovl__join_inside(dir, target, out, sizeof out), "%s + %s refused", dir, target);
    ck_assert_msg(!strcmp(out, want), "%s + %s -> %s, want %s", dir, target, out, want);
}

static void outside(const char *dir, const char *target)
{
    char out[256];
    ck_assert_msg(!ovl__join_inside(dir, target, out, sizeof out), "%s + %s allowed as %s", dir,
                  target, out);
}

START_TEST(link_targets)
{
    inside("node_modules", ".pnpm/dep@1/node_modules/dep",
           "node_modules/.pnpm/dep@1/node_modules/dep");
    inside("node_modules", "../packages/ws", "packages/ws");
    inside("node_modules/.pnpm/a@1/node_modules", "../../b@2/node_modules/b",
           "node_modules/.pnpm/b@2/node_modules/b");
    inside("node_modules/x", "./y//z/.", "node_modules/x/y/z");
    inside("node_modules", "..", "");
    outside("node_modules", "../..");
    outside("node_modules", "../../outside");
    outside("node_modules/a", "../../../etc");
    outside("", "../x");
    char tiny[8];
    ck_assert(!ovl__join_inside("node_modules", "abcdefgh", tiny, sizeof tiny));
}
END_TEST

Suite *overlay_suite(void)
{
    Suite *s = suite_create("overlay");
    TCase *tc = tcase_create("links");
    tcase_add_test(tc, link_targets);
    suite_add_tcase(s, tc);
    return s;
}
