/*
 * launcher/check.h — `secure-exec-launch check`: what this host supports.
 */
#ifndef LCH_CHECK_H
#define LCH_CHECK_H

#include <stdbool.h>

/* Prints the report (a table, or one JSON object); returns 0 when the
 * sandbox can run here, 1 when a required wall is missing. */
int lch_check(bool json);

#endif
