/* Environment variables in command lines, as systemd expands them when it starts a command:
 * a word that is exactly $NAME becomes the variable's value split at blanks (zero or more words);
 * ${NAME} anywhere in a word is replaced by the value as it is (one word); $$ is a '$'. Unset
 * variables are empty. The first word (the program) is not expanded. */
#pragma once

#include "strv.h"

/* Expand argv (NULL-terminated) against env into *out. 0 or -ENOMEM. */
int exec_expand_argv(char *const *argv, const struct strv *env, struct strv *out);
