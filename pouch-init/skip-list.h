/* The services of a VM that make no sense in a container, skipped whichever way they are
 * enabled (systemd unit or SysV script), each with the reason shown in status.json:
 * consoles and gettys, device managers, the network and clock set-up (the engine's job), file
 * system checks and mounts, the systemd internals that need systemd as PID 1, package-manager and
 * maintenance timers, virtualisation agents. docs/pouch-init.md has the table. */
#pragma once

/* The reason name (without ".service"; SysV script names too) is skipped, or NULL. */
const char *skip_reason_for(const char *name);
