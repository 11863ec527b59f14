/*
 * launcher/hint.h — the launcher's advice after a run, from facts only the
 * host has (the guest sees /app and nothing above it).
 *
 * A monorepo package run from its own folder loses the node_modules its
 * package manager hoisted to the workspace root: the guest can only say
 * that a package was not found (the runtime's claim, report.h); the
 * supervisor looks above the app folder and names the --app that would
 * show it. Nothing goes back to the guest.
 */
#ifndef LCH_HINT_H
#define LCH_HINT_H

#include <stdbool.h>
#include <stddef.h>

/* Whether name is an npm package name the hint may look for: "name" or
 * "@scope/name", 1 to 214 bytes of letters, digits, - . _ ~, not starting
 * with . or _ (so no "..", no other /). */
bool lch_package_name_ok(const char *name);

/* When package `name` (lch_package_name_ok) is not in <app>/node_modules
 * but is in <parent>/node_modules of a folder above app (the nearest one
 * wins), writes the one-line hint (no newline) into buf and returns 1;
 * else 0 and buf is "". app is canonical (borrowed). */
int lch_hoist_hint(const char *app, const char *name, char *buf, size_t cap);

#endif
