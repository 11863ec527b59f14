/*
 * fuse-overlay/internal.h — the overlay's helpers, exposed for the unit
 * tests (prefix ovl__).
 */
#ifndef OVL_INTERNAL_H
#define OVL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* Resolves target (a symlink's text) lexically against dir, both relative
 * to the app folder, into out; false when the result climbs out of the app
 * (or does not fit). "." and empty components are dropped. */
bool ovl__join_inside(const char *dir, const char *target, char *out, size_t cap);

#endif
