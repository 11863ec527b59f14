/* tests/unit/test_path.c — path logic with real files: canonical paths for
 * existing and not-yet-existing targets, symlinks resolved in every
 * component, ".." lexical, relative to a cwd; the open that refuses any
 * symlink on the way (the check cannot be raced by swapping a component). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../bridge/internal.h"
#include "unit.h"

static char root[PATH_MAX];

static void mk_tree(void)
{
    char tmpl[] = "/tmp/se-path-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    ck_assert_ptr_nonnull(realpath(tmpl, root));
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/real", root);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/real/file", root);
    FILE *f = fopen(p, "we");
    ck_assert_ptr_nonnull(f);
    fputs("x", f);
    fclose(f);
    char target[PATH_MAX * 2];
    snprintf(target, sizeof target, "%s/real", root);
    snprintf(p, sizeof p, "%s/link", root);
    ck_assert_int_eq(symlink(target, p), 0);
    snprintf(p, sizeof p, "%s/rel", root);
    ck_assert_int_eq(symlink("real/file", p), 0);
    snprintf(p, sizeof p, "%s/dangling", root);
    ck_assert_int_eq(symlink("real/planted", p), 0);
    snprintf(p, sizeof p, "%s/loop", root);
    ck_assert_int_eq(symlink("loop", p), 0);
}

static void rm_tree(void)
{
    char cmd[PATH_MAX * 2];
    const char *names[] = {"real/file", "link", "rel", "dangling", "loop", "real"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(cmd, sizeof cmd, "%s/%s", root, names[i]);
        if (unlink(cmd) < 0)
            rmdir(cmd);
    }
    rmdir(root);
}

static void canon_is(const char *path, const char *cwd, const char *want_rel)
{
    char out[PATH_MAX], want[PATH_MAX * 2];
    ck_assert_int_eq(br__path_canon(path, cwd, out, sizeof out), 0);
    snprintf(want, sizeof want, "%s%s", root, want_rel);
    ck_assert_msg(!strcmp(out, want), "%s -> %s, want %s", path, out, want);
}

START_TEST(canonical_paths)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/real/file", root);
    canon_is(p, "/", "/real/file");
    snprintf(p, sizeof p, "%s/link/file", root);
    canon_is(p, "/", "/real/file"); /* a symlinked folder */
    snprintf(p, sizeof p, "%s/rel", root);
    canon_is(p, "/", "/real/file"); /* a relative symlink */
    snprintf(p, sizeof p, "%s/link/new/deeper.txt", root);
    canon_is(p, "/", "/real/new/deeper.txt"); /* does not exist yet */
    snprintf(p, sizeof p, "%s//real/./x/../file", root);
    canon_is(p, "/", "/real/file");
    canon_is("link/file", root, "/real/file"); /* relative to cwd */
    canon_is("../real", p, "/real/real");      /* ".." against the cwd is lexical */
    snprintf(p, sizeof p, "%s/real/missing.txt", root);
    canon_is(p, "/", "/real/missing.txt"); /* the fast path: a missing last component */
    snprintf(p, sizeof p, "%s/real/no/such/deep", root);
    canon_is(p, "/", "/real/no/such/deep"); /* missing deeper: the slow path */
    /* a dangling symlink stands for where a write through it would land */
    snprintf(p, sizeof p, "%s/dangling", root);
    canon_is(p, "/", "/real/planted");
    char out[PATH_MAX];
    snprintf(p, sizeof p, "%s/loop/x", root);
    ck_assert_int_eq(br__path_canon(p, "/", out, sizeof out), -ELOOP);
    ck_assert_int_eq(br__path_canon("", "/", out, sizeof out), -ENOENT);
    char tiny[8];
    ck_assert_int_eq(br__path_canon("/usr/lib/x", "/", tiny, sizeof tiny), -ENAMETOOLONG);
}
END_TEST

START_TEST(open_refuses_symlinks)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s/real/file", root);
    int fd = br__open_canonical(p, O_RDONLY, 0);
    ck_assert_int_ge(fd, 0);
    close(fd);
    snprintf(p, sizeof p, "%s/link/file", root); /* symlink in the middle */
    ck_assert_int_lt(br__open_canonical(p, O_RDONLY, 0), 0);
    snprintf(p, sizeof p, "%s/rel", root); /* symlink at the end */
    ck_assert_int_lt(br__open_canonical(p, O_RDONLY, 0), 0);
    snprintf(p, sizeof p, "%s/real/missing", root);
    ck_assert_int_eq(br__open_canonical(p, O_RDONLY, 0), -ENOENT);
}
END_TEST

Suite *path_suite(void)
{
    Suite *s = suite_create("path");
    TCase *tc = tcase_create("canonical");
    tcase_add_checked_fixture(tc, mk_tree, rm_tree);
    tcase_add_test(tc, canonical_paths);
    tcase_add_test(tc, open_refuses_symlinks);
    suite_add_tcase(s, tc);
    return s;
}
