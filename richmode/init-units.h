/* Running the container's command under a real init: a systemd unit, or an inittab line. */
#pragma once

#include <jansson.h>

/* "[Unit]...[Service]...[Install]" text of a unit that runs ARGS (absolute args[0]) with ENV
 * (array of "K=V"), CWD, uid/gid; ExecStart and Environment quoted for systemd ($ and % escaped). */
char *systemd_command_unit(const json_t *args, const json_t *env, const char *cwd, unsigned uid, unsigned gid);
/* Shell-quoted command line for an inittab entry ('...' with '\'' for quotes). */
char *inittab_command(const json_t *args);
