/* `systemctl enable|disable|is-enabled` for the image's systemd units: the multi-user.target.wants
 * links of ROOT/etc/systemd/system, made and removed as systemctl does, so that the next start of
 * the container (the discovery, unit-discover.h) runs what is enabled. */
#pragma once

#include "buf.h"

#include <stdbool.h>

#define UNIT_WANTS_DIR "/etc/systemd/system/multi-user.target.wants"

/* The unit file of name in ROOT (/etc/systemd/system, /lib/systemd/system, /usr/lib/systemd/system),
 * as a path inside ROOT, malloc'ed; NULL when there is none. */
char *unit_file_find(const char *root, const char *name);
/* Whether a ROOT/etc/systemd/system/ *.wants/NAME.service link exists. */
bool unit_is_enabled(const char *root, const char *name);
/* Link NAME.service into multi-user.target.wants (unit_path: the file inside ROOT); what was done
 * ("Created symlink ...") is appended to msg. 0, or -errno with the reason in msg. */
int unit_enable(const char *root, const char *name, const char *unit_path, struct buf *msg);
/* Remove every .wants link of NAME.service in ROOT/etc/systemd/system: 0 (each removal in msg) or
 * -errno. */
int unit_disable(const char *root, const char *name, struct buf *msg);
