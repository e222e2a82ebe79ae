/* What a service's start attempt needs before its commands run, and starting one command:
 * the environment (Environment=, EnvironmentFile=, User= variables), the credentials (User=,
 * Group=, SupplementaryGroups=), RuntimeDirectory=, the working directory, the conditions; the
 * command line with $VAR expanded, UMask=, StandardOutput=/StandardError=null. */
#pragma once

#include "service.h"

void service_set_error(struct service *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forget the previous attempt's environment, credentials and working directory. */
void service_attempt_reset(struct service *s);
/* Resolve them for a new attempt. 0, or -errno with s->error set. */
int service_attempt_prepare(struct service *s, const struct child_ctx *ctx);
/* The first unmet ConditionPathExists=/ConditionFileNotEmpty= as a malloc'ed reason in
 * *ret_reason (1), or 0 when all are met; -ENOMEM. */
int service_conditions_check(const struct service *s, char **ret_reason);
/* Start command c of the service (key names it in errors); extra is one more NAME=value for its
 * environment, or NULL. 0 with the pid in *ret, or -errno with s->error set. */
int service_spawn(struct service *s, const struct child_ctx *ctx, const char *key, const struct exec_cmd *c,
                  const char *extra, pid_t *ret);
