/* The argv of the initscript from --initscript's value:
 *   - a value that names an existing file is that file, as before: run directly when it is
 *     executable, else as `/bin/sh PATH` (a path with blanks or quotes keeps working);
 *   - anything else is a command line, split like ExecStart= (cmdline-split.h): `/etc/init.d/app
 *     start`, `/bin/sh -c "echo hi > /tmp/x"`. A first word that is a file without the execute
 *     bit runs with /bin/sh, as a plain path does; a bare name is searched on PATH. */
#pragma once

#include "strv.h"

/* root: prefix of the container's files ("" for the running system). 0 with the words appended to
 * *ret, -ENOMEM, or -EINVAL with a static message in *err (a quoting error, no words). */
int initscript_argv(const char *root, const char *value, struct strv *ret, const char **err);
