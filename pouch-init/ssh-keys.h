/* SSH host keys of a rich container, made on its first start so that sshd answers fast:
 *   - the ed25519 key, when missing, is made by an ExecStartPre= of the built-in sshd
 *     (`ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key`, a few ms);
 *   - the other default types (RSA, ECDSA), when one is missing, by the built-in service
 *     ssh-host-keys (Restart=no, After= the unit that runs sshd: the built-in or the image's ssh): `pouch-init
 * --ssh-host-keys` runs `ssh-keygen -A` (which only makes missing keys), waits until sshd wrote its pid file
 * (/run/sshd.pid, written once it listens and handles SIGHUP) and sends SIGHUP to the sshd that pouch-init started,
 *     which re-executes itself and loads every key.
 * Keys that exist (the container's own from an earlier start, or bind-mounted by the user) are
 * never replaced: ssh-keygen -A skips them. The daemon removes the image's keys on the first start
 * of each container (richmode/identity.c), so two containers of one image do not share them. */
#pragma once

#include "unit-parse.h"

#include <stdbool.h>

#define SSH_HOST_KEYS_UNIT "ssh-host-keys"
#define SSH_HOST_KEYS_OPTION "--ssh-host-keys"

/* Which default host keys exist below root ("" for the running system). */
struct ssh_key_state {
        bool ed25519;
        bool others; /* RSA and ECDSA both present */
};
void ssh_keys_state(const char *root, struct ssh_key_state *ret);

/* Put the ed25519 ExecStartPre= first in the sshd unit u (keygen: ssh-keygen's path in the container)
 * when that key is missing. 0 or -ENOMEM. */
int ssh_keys_add_pre(struct unit *u, const char *keygen, const struct ssh_key_state *st);

/* Fill *u with the ssh-host-keys service that makes the other keys (self: pouch-init's path in
 * the container), ordered after the unit named sshd_unit, and set *ret_needed; nothing to do
 * (the keys exist) leaves *ret_needed false and *u untouched. 0 or -ENOMEM (*ret_needed true:
 * the caller frees *u). */
int ssh_keys_unit(const char *keygen, const char *self, const char *sshd_unit, const struct ssh_key_state *st,
                  struct unit *u, bool *ret_needed);

/* `pouch-init --ssh-host-keys KEYGEN`: run KEYGEN -A, then SIGHUP the sshd processes that are
 * children of our parent (pouch-init, PID 1). The exit code of ssh-keygen (or 1). */
int ssh_keys_generate_main(const char *keygen);

/* The pid in an sshd pid file's text, 0 when there is none. */
int ssh_keys_parse_pid(const char *text);
