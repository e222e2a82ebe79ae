/* Was anything in the container's memory cgroup killed by the OOM killer? Read before the
 * runtime deletes the cgroup: v1 memory.oom_control / v2 memory.events, "oom_kill N". */
#include "shim.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long oom_kills(const char *path)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        if (read_file(path, 1 << 16, &buf, &len) < 0)
                return -1;
        const char *p = strstr(buf, "oom_kill ");
        return p ? strtol(p + 9, NULL, 10) : -1;
}

bool shim_container_oom_killed(const char *bundle)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/config.json", bundle ? bundle : ".");
        json_t *spec = json_load_file(path, 0, NULL);
        const char *cg = json_string_value(json_object_get(json_object_get(spec, "linux"), "cgroupsPath"));
        bool killed = false;
        /* cgroupfs paths only ("/parent/id"); the systemd driver's "slice:prefix:name" is not read */
        if (cg && cg[0] == '/' && !strstr(cg, "..")) {
                snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s/memory.oom_control", cg);
                long n = oom_kills(path);
                if (n < 0) {
                        snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.events", cg);
                        n = oom_kills(path);
                }
                killed = n > 0;
        }
        json_decref(spec);
        return killed;
}
