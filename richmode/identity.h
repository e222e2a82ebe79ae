/* The identity of a rich container, as a VM has its own: made on its first start, kept after.
 *   - /etc/machine-id: a random 32-hex id;
 *   - SSH host keys: the image's /etc/ssh/ssh_host_* are removed, so that the container makes
 *     its own (pouch-init: ed25519 before sshd, the rest after it; systemd: ssh-keygen -A in
 *     ssh.service's drop-in), and two containers of one image never share keys; in the other
 *     modes (sbin-init, dumb-init, an image without ssh-keygen) the daemon makes them with the
 *     host's ssh-keygen and copies them in;
 *   - /etc/hostname in the rootfs holds the container's hostname (rewritten at every start), so
 *     that what reads the rootfs rather than the mounts (`pouch cp`, a commit) sees it too.
 * A file or directory that one of the spec's mounts covers (a user's bind mount over
 * /etc/ssh/ssh_host_ed25519_key, /etc/ssh or /etc/machine-id) is never touched. A host-side
 * marker file (not in the rootfs, so a committed image does not carry it) records that the
 * identity was made; a rootfs that is read-only for the container keeps the image's keys (nothing
 * inside could make new ones). */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>

struct rich_identity_opts {
        const char *rootfs;   /* the container's mounted rootfs (host path) */
        const char *marker;   /* host file written once the identity was made */
        const char *hostname; /* NULL or "": /etc/hostname left alone */
        /* the container's init makes missing SSH host keys (pouch-init with the image's ssh-keygen,
         * systemd's ssh.service drop-in); otherwise the daemon makes them with the host's
         * ssh-keygen (the image's are kept when it cannot) */
        bool image_makes_keys;
};

/* Whether one of spec.mounts is at path or at a directory above it. */
bool rich_mounts_cover(const json_t *mounts, const char *path);

/* Make the identity on the first start (no marker yet) and write /etc/hostname. 0 or -errno
 * with a message. */
int rich_identity_apply(const struct rich_identity_opts *o, const json_t *spec, struct pouch_err *err);
