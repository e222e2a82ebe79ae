/* What the installed lxcfs can do, asked once from its --help. */
#include "lxcfs.h"

#include "lib/spawn.h"

#include <string.h>
#include <unistd.h>

bool lxcfs_help_has_cfs(const char *help)
{
        return help && strstr(help, "--enable-cfs") != NULL;
}

bool lxcfs_supports_cfs(const char *binary)
{
        if (access(binary, X_OK) < 0)
                return false;
        char *argv[] = { (char *) binary, (char *) "--help", NULL };
        struct spawn_result res = { 0 };
        if (spawn_capture(argv, NULL, NULL, 0, &res) < 0)
                return false;
        /* lxcfs 5 prints its usage on stderr */
        bool yes = lxcfs_help_has_cfs(res.out) || lxcfs_help_has_cfs(res.err);
        spawn_result_done(&res);
        return yes;
}
