/*
 * launcher/seccomp.h — the guest's seccomp allowlist. One reviewed text
 * file per policy name (launcher/seccomp/<name>.policy, embedded by
 * seccomp_policies.S), compiled with libseccomp at install time.
 */
#ifndef LCH_SECCOMP_H
#define LCH_SECCOMP_H

#include <stddef.h>

/* Loads the named policy's filter, compiled to BPF at build time
 * (se-mkseccomp), for this process and all its threads (TSYNC), or, for
 * "overlay", for the calling thread and the threads it creates. 0, or
 * -errno with one line in err. */
int lch_seccomp_install(const char *policy_name, char *err, size_t errlen);

/* Compiles the named policy and writes its BPF program to fd (the build). */
int lch_seccomp_export(const char *policy_name, int fd, char *err, size_t errlen);

/* The embedded text of a policy, or NULL for an unknown name. */
const char *lch_seccomp_policy_text(const char *policy_name);

/* Parses text into a filter without loading it: for tests (and the
 * install path). Returns 0 or -errno with "LINE: what" in err. */
int lch_seccomp_check(const char *text, char *err, size_t errlen);

#endif
