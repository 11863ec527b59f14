/*
 * launcher/hint.c — see hint.h. Runs in the supervisor once the guest is
 * gone; only stat(2)s below folders above the app, with a name checked
 * to be a package name first (the guest chose it).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hint.h"

static bool name_part_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[0] == '_')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~'))
            return false;
    }
    return true;
}

bool lch_package_name_ok(const char *name)
{
    size_t n = strnlen(name, 215);
    if (n == 0 || n > 214)
        return false;
    if (name[0] != '@')
        return name_part_ok(name, n);
    const char *slash = strchr(name, '/');
    return slash && name_part_ok(name + 1, (size_t)(slash - name - 1)) &&
           name_part_ok(slash + 1, n - (size_t)(slash - name) - 1);
}

static bool has_package(const char *dir, const char *name)
{
    char p[PATH_MAX];
    struct stat st;
    int n = snprintf(p, sizeof p, "%s%snode_modules/%s", dir, strcmp(dir, "/") ? "/" : "", name);
    return n > 0 && (size_t)n < sizeof p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int lch_hoist_hint(const char *app, const char *name, char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    if (!lch_package_name_ok(name) || app[0] != '/' || has_package(app, name))
        return 0;
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", app) >= (int)sizeof dir)
        return 0;
    while (strcmp(dir, "/")) {
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (has_package(dir, name)) {
            snprintf(buf, cap,
                     "hint: '%s' is in %s%snode_modules, above the app folder %s, which is all "
                     "the guest sees; run with --app %s to show it",
                     name, dir, strcmp(dir, "/") ? "/" : "", app, dir);
            return 1;
        }
    }
    return 0;
}
