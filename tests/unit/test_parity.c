/* tests/unit/test_parity.c — the launcher's side of Node parity: Node's
 * colour depth rules over a host environment (launcher/relay.c), the
 * hoisted node_modules hint (launcher/hint.c: package names, the nearest
 * folder above the app) and the record of a signal passed on to the guest
 * (launcher/report.c). */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../launcher/hint.h"
#include "../../launcher/relay.h"
#include "../../launcher/report.h"
#include "unit.h"

static int depth(const char *a, const char *b, const char *c)
{
    char *env[] = {(char *)a, (char *)b, (char *)c, NULL};
    return lch_tty_color_depth(env);
}

START_TEST(color_depth)
{
    ck_assert_int_eq(depth(NULL, NULL, NULL), 1);
    ck_assert_int_eq(depth("TERM=xterm-256color", NULL, NULL), 8);
    ck_assert_int_eq(depth("TERM=xterm", NULL, NULL), 4);
    ck_assert_int_eq(depth("TERM=XTERM", NULL, NULL), 4); /* lower-cased */
    ck_assert_int_eq(depth("TERM=linux", NULL, NULL), 4);
    ck_assert_int_eq(depth("TERM=con132x25", NULL, NULL), 4);
    ck_assert_int_eq(depth("TERM=conx", NULL, NULL), 1);
    ck_assert_int_eq(depth("TERM=mosh", NULL, NULL), 24);
    ck_assert_int_eq(depth("TERM=dumb", "COLORTERM=truecolor", NULL), 1);
    ck_assert_int_eq(depth("TERM=vt52", NULL, NULL), 1);
    ck_assert_int_eq(depth("TERM=vt52", "COLORTERM=yes", NULL), 4);
    ck_assert_int_eq(depth("TERM=xterm", "COLORTERM=24bit", NULL), 24);
    ck_assert_int_eq(depth("TERM=xterm-256color", "NO_COLOR=", NULL), 1);
    ck_assert_int_eq(depth("NODE_DISABLE_COLORS=1", "TERM=xterm", NULL), 1);
    ck_assert_int_eq(depth("FORCE_COLOR=", "NO_COLOR=1", NULL), 4);
    ck_assert_int_eq(depth("FORCE_COLOR=2", NULL, NULL), 8);
    ck_assert_int_eq(depth("FORCE_COLOR=3", NULL, NULL), 24);
    ck_assert_int_eq(depth("FORCE_COLOR=0", "TERM=xterm", NULL), 1);
    ck_assert_int_eq(depth("TMUX=/tmp/x", NULL, NULL), 8);
    ck_assert_int_eq(depth("CI=1", "TERM=xterm-256color", NULL), 1);
    ck_assert_int_eq(depth("CI=1", "GITHUB_ACTIONS=true", NULL), 8);
    ck_assert_int_eq(depth("CI=1", "CI_NAME=codeship", NULL), 8);
    ck_assert_int_eq(depth("TEAMCITY_VERSION=9.1.0", NULL, NULL), 4);
    ck_assert_int_eq(depth("TEAMCITY_VERSION=9.0.1", NULL, NULL), 1);
    ck_assert_int_eq(depth("TEAMCITY_VERSION=2023.1", NULL, NULL), 4);
    ck_assert_int_eq(depth("TERM_PROGRAM=iTerm.app", "TERM_PROGRAM_VERSION=3.4", NULL), 24);
    ck_assert_int_eq(depth("TERM_PROGRAM=iTerm.app", "TERM_PROGRAM_VERSION=2.9", NULL), 8);
    ck_assert_int_eq(depth("TERM_PROGRAM=Apple_Terminal", NULL, NULL), 8);
    /* a name that only starts like a variable is another variable */
    ck_assert_int_eq(depth("TERMX=xterm", "NO_COLORS=1", NULL), 1);
}
END_TEST

START_TEST(package_names)
{
    const char *good[] = {"lodash", "@scope/pkg", "a.b-c_d~e", "Upper", "x"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(lch_package_name_ok(good[i]), "%s", good[i]);
    const char *bad[] = {"",   ".",  "..",  "../x", "a/b",    "@scope", "@/",   "@s/", "@s/../x",
                         "_x", ".x", "a b", "/x",   "@s/p/q", "@.s/p",  "a\\b", "a%2f"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!lch_package_name_ok(bad[i]), "%s", bad[i]);
    char longname[216];
    memset(longname, 'a', 215);
    longname[215] = '\0';
    ck_assert(!lch_package_name_ok(longname));
    longname[214] = '\0';
    ck_assert(lch_package_name_ok(longname));
}
END_TEST

static void mkdirs(const char *base, const char *rel)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", base, rel);
    for (char *s = p + strlen(base) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    mkdir(p, 0755);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

START_TEST(hoist_hint)
{
    char root[] = "/tmp/hint.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(root));
    char real[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(root, real));
    mkdirs(real, "node_modules/@sc/pk");
    mkdirs(real, "packages/node_modules/near");
    mkdirs(real, "packages/node_modules/lodash");
    mkdirs(real, "node_modules/lodash");
    mkdirs(real, "packages/a/node_modules/own");
    mkdirs(real, "node_modules/own");
    char app[PATH_MAX + 16], buf[PATH_MAX * 4], want[PATH_MAX * 4];
    snprintf(app, sizeof app, "%s/packages/a", real);

    ck_assert_int_eq(lch_hoist_hint(app, "@sc/pk", buf, sizeof buf), 1);
    snprintf(want, sizeof want,
             "hint: '@sc/pk' is in %s/node_modules, above the app folder %s, which is all the "
             "guest sees; run with --app %s to show it",
             real, app, real);
    ck_assert_str_eq(buf, want);
    /* the nearest folder above wins */
    ck_assert_int_eq(lch_hoist_hint(app, "lodash", buf, sizeof buf), 1);
    ck_assert_ptr_nonnull(strstr(buf, "run with --app "));
    snprintf(want, sizeof want, "--app %s/packages to show it", real);
    ck_assert_ptr_nonnull(strstr(buf, want));
    /* the app has it itself: the failure was something else */
    ck_assert_int_eq(lch_hoist_hint(app, "own", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
    /* nowhere above; a name that is not a package's is not looked for */
    ck_assert_int_eq(lch_hoist_hint(app, "absent-pkg", buf, sizeof buf), 0);
    ck_assert_int_eq(lch_hoist_hint(app, "../packages/node_modules/near", buf, sizeof buf), 0);
    ck_assert_int_eq(lch_hoist_hint(app, "near/../../a", buf, sizeof buf), 0);
    ck_assert_int_eq(lch_hoist_hint("relative/app", "lodash", buf, sizeof buf), 0);

    ck_assert_int_eq(nftw(real, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

START_TEST(forwarded_signal_record)
{
    /* SIGINT passed on, the guest had no listener: it ended with 130 */
    lch_facts_t f = {.status = 130,
                     .wait_status = 130 << 8,
                     .end = LCH_END_GUEST,
                     .forwarded_signal = 2,
                     .cpu_ms = -1,
                     .peak_bytes = -1};
    lch_report_t r;
    lch_report_decide(&r, &f);
    ck_assert_int_eq(r.exit_code, 130);
    ck_assert_int_eq(r.signal, 2);
    ck_assert_int_eq(r.limit, LCH_LIMIT_NONE);
    /* its listener ran and it left with its own status: no signal */
    f.status = 0;
    f.wait_status = 0;
    lch_report_decide(&r, &f);
    ck_assert_int_eq(r.signal, 0);
    /* SIGQUIT: the supervisor's kill */
    lch_facts_t q = {.status = 131,
                     .wait_status = -1,
                     .end = LCH_END_SIGNAL,
                     .forwarded_signal = 3,
                     .cpu_ms = -1,
                     .peak_bytes = -1};
    lch_report_decide(&r, &q);
    ck_assert_int_eq(r.signal, 3);
}
END_TEST

START_TEST(claim_package)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    lch_claim_init(p[1]);
    lch_claim_package("@scope/pkg");
    lch_claim_send(LCH_LIMIT_NONE, 0);
    lch_claim_t c;
    memset(&c, 'x', sizeof c);
    ck_assert(lch_claim_read(p[0], &c));
    ck_assert_str_eq(c.package, "@scope/pkg");
    lch_claim_package("");
    lch_claim_send(LCH_LIMIT_NONE, 0);
    ck_assert(lch_claim_read(p[0], &c));
    ck_assert_str_eq(c.package, "");
    lch_claim_init(-1);
    close(p[0]);
    close(p[1]);
}
END_TEST

Suite *parity_suite(void)
{
    Suite *s = suite_create("parity");
    TCase *tc = tcase_create("launcher");
    tcase_add_test(tc, color_depth);
    tcase_add_test(tc, package_names);
    tcase_add_test(tc, hoist_hint);
    tcase_add_test(tc, forwarded_signal_record);
    tcase_add_test(tc, claim_package);
    suite_add_tcase(s, tc);
    return s;
}
