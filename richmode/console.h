/* A console for an init that writes to one: systemd as PID 1 in a container writes its boot status
 * and its early log to /dev/console only (never to the stdout it started with: it points its stdio at
 * /dev/null), and runc makes /dev/console only for a terminal. */
#pragma once

#include "lib/err.h"

#include <jansson.h>

/* Give the container a terminal (process.terminal: runc binds its pty at /dev/console, the shim logs
 * what is written to it and holds the pty's slave open itself while the container runs, so that
 * systemd closing its own stdio does not end the output), and make journald forward the journal to it: a journald.conf
 * drop-in written to state_dir (bound at RICH_INIT_DIR) and bound read-only at /run/systemd/journald.conf.d/. Call
 * after the /run tmpfs is in the spec's mounts. The caller sets the environment (TERM, SYSTEMD_COLORS) and runs the
 * shim with a terminal. */
int rich_console_apply(json_t *spec, const char *state_dir, struct pouch_err *err);
