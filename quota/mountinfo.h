/* Which mount holds a path, from /proc/self/mountinfo: used to explain why project quotas are
 * not available (fs type, mount options) and to find the block device for quotactl(2) on
 * kernels without quotactl_fd(2). */
#pragma once

#include <stdbool.h>

struct mountinfo_entry {
        char *mount_point;
        char *fstype;
        char *source;  /* e.g. /dev/vda1 */
        char *options; /* per-mount options, a comma, then the superblock options */
};

/* The innermost mount holding path (same device, longest mount-point prefix of its real path). */
int mountinfo_find(const char *path, struct mountinfo_entry *ret);
void mountinfo_entry_done(struct mountinfo_entry *e);
/* Whether the comma-separated option list holds option (exactly, or as "option=..."). */
bool mountinfo_has_option(const char *options, const char *option);
