/* The container's environment for login sessions: /etc/profile.d/pouchenv.sh (sourced by sh
 * login shells) and /etc/environment (read by pam_env, e.g. for sshd and cron sessions).
 *
 * Every variable pouch-init received is written except POUCH_INIT_* (its own) and names that are
 * not shell identifiers (sh cannot export them). pouchenv.sh has `export NAME='value'` lines that
 * round-trip any value. /etc/environment has NAME="value" lines; pam_env has no escapes, so a
 * value it cannot carry (a newline or a '#', or a line over ENV_PAM_MAX_LINE bytes) is left out
 * of that file only. */
#pragma once

#include "buf.h"

#include <stdbool.h>

#define ENV_PROFILE_PATH "/etc/profile.d/pouchenv.sh"
#define ENV_PAM_PATH "/etc/environment"
#define ENV_PAM_MAX_LINE 8000

/* Append s quoted for sh: 'it'\''s'. 0 or -ENOMEM. */
int shell_quote(struct buf *b, const char *s);
/* Whether "NAME=value" is one of pouch-init's own variables (POUCH_INIT_*). */
bool env_is_internal(const char *kv);
/* Whether pam_env reads back value exactly from NAME="value". */
bool pam_env_representable(const char *name, const char *value);

/* The two files' contents for envp (NULL-terminated NAME=value strings). 0 or -ENOMEM. */
int env_render_profile(char *const *envp, struct buf *out);
int env_render_pam(char *const *envp, struct buf *out);

/* Write both files (atomically) below root ("" for the running system), creating
 * root/etc/profile.d when missing. Each failure is printed as a warning; returns 0, or the
 * -errno of the first failure. */
int env_files_write(char *const *envp, const char *root);
