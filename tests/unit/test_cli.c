/* tests/unit/test_cli.c — the command-line grammar: what is an option, what
 * belongs to the guest, and every refusal (they become exit 125). */
#include <stdlib.h>
#include <string.h>

#include "../../launcher/cli.h"
#include "unit.h"

static int parse(lch_opts_t *o, char **err, int argc, const char **argv)
{
    return lch_cli_parse(argc, (char *const *)argv, o, err);
}

START_TEST(script_and_guest_args)
{
    const char *argv[] = {"sel", "--memory-limit", "64", "app.js", "--timeout", "x", "y"};
    lch_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(parse(&o, &err, 7, argv), 0);
    ck_assert_str_eq(o.script, "app.js");
    ck_assert_uint_eq(o.memory_limit_mb, 64);
    ck_assert_uint_eq(o.nargs, 3);
    ck_assert_str_eq(o.args[0], "--timeout"); /* after the script: the guest's */
    ck_assert_ptr_null(err);
}
END_TEST

START_TEST(eval_with_dashdash)
{
    const char *argv[] = {"sel", "-e", "1+1", "--", "a", "b"};
    lch_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(parse(&o, &err, 6, argv), 0);
    ck_assert_str_eq(o.eval, "1+1");
    ck_assert_ptr_null(o.script);
    ck_assert_uint_eq(o.nargs, 2);
    ck_assert_str_eq(o.args[1], "b");
}
END_TEST

START_TEST(equals_forms)
{
    const char *argv[] = {"sel", "--timeout=250", "--eval=2", "z"};
    lch_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(parse(&o, &err, 4, argv), 0);
    ck_assert_uint_eq(o.timeout_ms, 250);
    ck_assert_str_eq(o.eval, "2");
    ck_assert_uint_eq(o.nargs, 1);
}
END_TEST

START_TEST(write_quota_flags)
{
    const char *argv[] = {"sel", "--write-limit", "4096", "--write-files-limit=3", "a.js"};
    lch_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(parse(&o, &err, 5, argv), 0);
    ck_assert_uint_eq(o.write_bytes, 4096);
    ck_assert_uint_eq(o.write_files, 3);
    const char *none[] = {"sel", "a.js"};
    ck_assert_int_eq(parse(&o, &err, 2, none), 0);
    ck_assert_uint_eq(o.write_bytes, 0); /* the profile's */
    ck_assert_uint_eq(o.write_files, 0);
}
END_TEST

START_TEST(dashdash_then_script)
{
    const char *argv[] = {"sel", "--", "-weird-name.js", "1"};
    lch_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(parse(&o, &err, 4, argv), 0);
    ck_assert_str_eq(o.script, "-weird-name.js");
    ck_assert_uint_eq(o.nargs, 1);
}
END_TEST

START_TEST(help_and_version)
{
    const char *a1[] = {"sel", "--help"};
    const char *a2[] = {"sel", "-v"};
    lch_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(parse(&o, &err, 2, a1), 0);
    ck_assert(o.help);
    ck_assert_int_eq(parse(&o, &err, 2, a2), 0);
    ck_assert(o.version);
}
END_TEST

/* Each refusal names what is wrong. */
static void refused(int argc, const char **argv, const char *needle)
{
    lch_opts_t o;
    char *err = NULL;
    ck_assert_int_lt(parse(&o, &err, argc, argv), 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, needle) != NULL, "'%s' lacks '%s'", err, needle);
    free(err);
}

START_TEST(refusals)
{
    const char *unknown[] = {"sel", "--frobnicate", "a.js"};
    refused(3, unknown, "unknown option '--frobnicate'");
    const char *noval[] = {"sel", "--timeout"};
    refused(2, noval, "needs a value");
    const char *badnum[] = {"sel", "--memory-limit", "12abc", "a.js"};
    refused(4, badnum, "--memory-limit");
    const char *zero[] = {"sel", "--timeout=0", "a.js"};
    refused(3, zero, "--timeout");
    const char *neg[] = {"sel", "--memory-limit=-5", "a.js"};
    refused(3, neg, "--memory-limit");
    const char *huge[] = {"sel", "--memory-limit=99999999999999999999", "a.js"};
    refused(3, huge, "--memory-limit");
    const char *noscript[] = {"sel"};
    refused(1, noscript, "no script");
    const char *flagval[] = {"sel", "--help=yes"};
    refused(2, flagval, "takes no value");
    const char *twice[] = {"sel", "-e", "1", "-e", "2"};
    refused(5, twice, "twice");
    const char *wneg[] = {"sel", "--write-limit=-1", "a.js"};
    refused(3, wneg, "--write-limit: '-1' is not a byte count");
    const char *small[] = {"sel", "--memory-limit", "4", "a.js"};
    refused(4, small, "--memory-limit: '4' is not a size in MB (24 to 1048576)");
    const char *blank[] = {"sel", "--memory-limit", " 64", "a.js"};
    refused(4, blank, "--memory-limit: ' 64'");
    const char *wunit[] = {"sel", "--write-files-limit", "10k", "a.js"};
    refused(4, wunit, "--write-files-limit: '10k' is not a count");
    const char *empty[] = {"sel", ""};
    refused(2, empty, "empty");
}
END_TEST

/* A mistyped option is unknown (not "takes no value") and names the near
 * one; an option whose value is left out says so (issue 15, item 7). */
START_TEST(unknown_and_missing_values)
{
    const char *reads[] = {"sel", "--allow-reads=/tmp", "a.js"};
    refused(3, reads, "unknown option '--allow-reads' (did you mean --allow-read?");
    const char *printp[] = {"sel", "--print-profil"};
    refused(2, printp, "did you mean --print-profile?");
    const char *far[] = {"sel", "--frobnicate=1", "a.js"};
    refused(3, far, "unknown option '--frobnicate' (see --help)");
    const char *profile[] = {"sel", "--profile", "-e", "1"};
    refused(4, profile, "option '--profile' needs a value, not the option '-e'");
    const char *app[] = {"sel", "--app", "--allow-all", "a.js"};
    refused(4, app, "option '--app' needs a value, not the option '--allow-all'");
    /* the value written attached is taken as it is; -e takes any code */
    const char *attached[] = {"sel", "--profile=-e", "--eval", "--help"};
    lch_opts_t o;
    char *err = NULL;
    ck_assert_int_eq(parse(&o, &err, 4, attached), 0);
    ck_assert_str_eq(o.profile, "-e");
    ck_assert_str_eq(o.eval, "--help");
    ck_assert(!o.help);
    const char *weird[] = {"sel", "--profile", "-my.profile", "a.js"};
    ck_assert_int_eq(parse(&o, &err, 4, weird), 0);
    ck_assert_str_eq(o.profile, "-my.profile");
}
END_TEST

START_TEST(usage_names_check)
{
    ck_assert_ptr_nonnull(strstr(lch_cli_usage(), "secure-exec-launch check [--json]"));
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, script_and_guest_args);
    tcase_add_test(tc, eval_with_dashdash);
    tcase_add_test(tc, equals_forms);
    tcase_add_test(tc, write_quota_flags);
    tcase_add_test(tc, dashdash_then_script);
    tcase_add_test(tc, help_and_version);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, unknown_and_missing_values);
    tcase_add_test(tc, usage_names_check);
    suite_add_tcase(s, tc);
    return s;
}
