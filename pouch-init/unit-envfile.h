/* EnvironmentFile= contents, as systemd reads them.
 *
 * One NAME=VALUE per line; blank lines and lines starting with '#' or ';' are skipped; blanks
 * around NAME and an unquoted VALUE are trimmed; an optional leading "export " is allowed.
 * VALUE may be quoted: '...' is literal, "..." takes the escapes \" \\ \$ \` and a backslash-
 * newline continuation; an unquoted value takes '\' as an escape for the next character and
 * continues on the next line after a trailing backslash. No $VAR expansion. */
#pragma once

#include "strv.h"

/* Parse text and set each variable in env (later ones win). 0, -ENOMEM, or -EINVAL with the
 * 1-based line number of the first bad line in *bad_line (an invalid name, no '=', an
 * unterminated quote). */
int envfile_parse(const char *text, struct strv *env, unsigned *bad_line);
