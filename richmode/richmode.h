/* Rich containers: the spec changes that make a container behave like the VM it replaces.
 *
 * Modes:
 *   pouch-init  pouch-init is PID 1: initscript, sshd, cron, services.d, then the command.
 *   dumb-init   the image's dumb-init (or the host's, bind-mounted) runs the command.
 *   sbin-init   the image's /sbin/init; the command, if any, runs as a service of that init.
 *   systemd     the image's systemd; the command, if any, runs as a generated unit.
 * In every mode pouch-init's binary and a per-container state directory (its status.json) are
 * bind-mounted at /run/pouch-init; in the three other modes pouch-init only runs the initscript
 * (when one is given) and then execs the real init (`--exec`). */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#define RICH_INIT_DIR "/run/pouch-init"
#define RICH_INIT_BIN RICH_INIT_DIR "/pouch-init"

enum rich_mode {
        RICH_MODE_POUCH_INIT,
        RICH_MODE_DUMB_INIT,
        RICH_MODE_SBIN_INIT,
        RICH_MODE_SYSTEMD,
        _RICH_MODE_MAX,
        _RICH_MODE_INVALID = -EINVAL,
};

/* "" and NULL mean pouch-init. */
enum rich_mode rich_mode_from_string(const char *s);
const char *rich_mode_to_string(enum rich_mode m);

/* Check the rich fields of a Docker HostConfig (Rich, RichMode, InitScript, RichServices):
 * -EINVAL with a message for an unknown mode, an initscript without --rich or whose command is not
 * an absolute path (InitScript is a path or a command line; pouch-init splits it), a RichServices
 * list pouch-init does not know or outside the pouch-init mode. */
int rich_validate(const json_t *host_config, struct pouch_err *err);
/* Whether HostConfig asks for a rich container. */
bool rich_enabled(const json_t *host_config);
/* The stop signal a mode needs when the user set none (systemd: SIGRTMIN+3), or NULL. */
const char *rich_default_stop_signal(const json_t *host_config);
/* Whether the mode runs with a terminal whatever the user asked (Config.Tty set at create): systemd
 * writes its boot status and log only to /dev/console, which runc makes only for a terminal. sbin-init
 * gets one too when its /sbin/init is systemd, from rich_apply (spec process.terminal). */
bool rich_wants_console(const json_t *host_config);

struct rich_opts {
        enum rich_mode mode;
        const char *init_path; /* host path of the pouch-init binary */
        const char *state_dir; /* host directory bound at /run/pouch-init */
        const char *rootfs;    /* the container's mounted rootfs (binaries looked up, units written) */
        const char *container_id;
        const char *initscript;      /* path or command line inside the container (pouch-init splits it), or NULL */
        const char *services;        /* pouch-init's --rich-services (which of the image's services run), or NULL */
        const char *dumb_init_host;  /* host dumb-init, NULL = /usr/bin/dumb-init */
        int stop_timeout;            /* seconds */
        bool command_given;          /* the user named a command (sbin-init/systemd run it as a service) */
        const char *identity_marker; /* host file: the container's identity was made (identity.h); NULL: none made */
        const char *hostname;        /* written to the rootfs's /etc/hostname */
};

/* Rewrite a built OCI spec for the mode: process.args, env, mounts, and for systemd/sbin-init the
 * files the init needs in the rootfs (machine-id, the command's unit or inittab line). With
 * identity_marker, the container's own machine-id and SSH host keys on its first start, and its
 * hostname in /etc/hostname (identity.h). Prepares
 * state_dir (emptied, holds the mount point for the binary). -EINVAL/-ENOENT with a message the
 * user can act on (no init in the image, no dumb-init anywhere, ...). *ret_stop_signal (may be
 * NULL) names the signal the chosen init stops on when it is not SIGTERM (systemd: SIGRTMIN+3).
 * For systemd (also through sbin-init) it sets process.terminal, TERM and SYSTEMD_COLORS=0 (unless
 * set) and binds a journald drop-in forwarding the journal to the console: the caller must then run
 * the container with a terminal (Config.Tty). */
int rich_apply(json_t *spec, const struct rich_opts *o, const char **ret_stop_signal, struct pouch_err *err);

/* pouch-init's status document (state_dir/status.json) or NULL. */
json_t *rich_status_read(const char *state_dir);
/* Wait until pouch-init has finished the initscript: 0 when it went on, -ECANCELED with the
 * script's exit code and output in err when it failed, -ESRCH when the container exited first
 * (alive() returned false), -ETIMEDOUT after timeout_ms. */
int rich_wait_initscript(const char *state_dir, bool (*alive)(void *ud), void *ud, int timeout_ms,
                         struct pouch_err *err);
