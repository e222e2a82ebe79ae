/* Which rich containers get a virtual sysinfo(2), and the seccomp rule that gives it. */
#include "sysinfo.h"
#include "richmode.h"

#include "runtime-wrap/seccomp-notify.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <errno.h>
#include <string.h>
#include <sys/un.h>

/* A seccomp= security option (a custom profile, or unconfined) is the user's policy: left alone. */
static bool custom_seccomp(const json_t *hc)
{
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(hc, "SecurityOpt"), i, v) {
                const char *s = json_string_value(v);
                if (s && strncmp(s, "seccomp", 7) == 0 && (s[7] == '=' || s[7] == ':'))
                        return true;
        }
        return false;
}

/* free(1) takes the page cache from /proc/meminfo and the rest from sysinfo(2): the two must
 * describe the same machine, else "used" comes out as the container's total minus the host's cache. */
static bool binds_lxcfs_meminfo(const json_t *spec)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m) {
                if (STREQ(json_get_str(m, "destination", ""), "/proc/meminfo"))
                        return true;
        }
        return false;
}

int rich_sysinfo_apply(json_t *spec, const json_t *hc, const char *listener_path)
{
        json_t *seccomp = json_object_get(json_object_get(spec, "linux"), "seccomp");
        if (!rich_enabled(hc) || custom_seccomp(hc) || !json_is_object(seccomp) || !listener_path ||
            !binds_lxcfs_meminfo(spec))
                return 0;
        /* a socket path the shim could not bind would fail the start: go without */
        if (strlen(listener_path) >= sizeof(((struct sockaddr_un *) NULL)->sun_path))
                return 0;
        if (!seccomp_notify_supported())
                return 0;
        int r = seccomp_notify_syscall(seccomp, "sysinfo", listener_path);
        return r == -EINVAL ? 0 : r < 0 ? r : 1;
}
