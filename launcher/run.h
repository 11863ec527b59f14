/*
 * launcher/run.h — the programs a run may start (run.allow, --allow-run),
 * made exact before the guest starts.
 *
 * A bare name is looked up on the guest's PATH (the value its environment
 * will hold, else /bin:/usr/bin, as the child_process bridge looks it up)
 * in the folders the sandbox shows; `node` is the nested guest (the
 * launcher at process.execPath); a path names that file. Each rule
 * becomes the canonical guest path of one program, which is what the
 * broker then matches (bridge/broker.h, "programs"). A program the
 * sandbox does not show, or that is no executable file, is an error
 * before anything runs.
 *
 * The files Landlock lets the guest execute are those programs and what
 * the kernel opens to run them: the ELF interpreter (the dynamic loader)
 * and a script's #! interpreter (with its own loader).
 */
#ifndef LCH_RUN_H
#define LCH_RUN_H

#include <stddef.h>

#include "../bridge/broker.h"

/* Resolves p's run rules in place. app: the host folder shown at /app;
 * path_env: the guest's PATH (NULL: not set). 0, or -errno with *err
 * (malloc'd, "run.allow: ..."). */
int lch_run_resolve(brk_policy_t *p, const char *app, const char *path_env, char **err);

/* The guest paths Landlock grants the execute right to (malloc'd array of
 * malloc'd strings, *n of them; lch_run_files_free). 0 or -ENOMEM. */
int lch_run_exec_files(const brk_policy_t *p, const char *app, char ***files, size_t *n);
void lch_run_files_free(char **files, size_t n);

#endif
