/* Watching the health of running rich containers (pouch-init and systemd modes) and keeping their
 * State.Health record (health.h) current, with a `health_status: STATUS` event at every change.
 *
 * One thread for the whole daemon: an inotify watch on each pouch-init container's state directory
 * notices every rewrite of status.json at once, and a tick every HEALTH_TICK_MS looks at every
 * watched container again (FailingStreak counts these looks), picks up containers that started and
 * drops those that stopped. systemd containers are asked with `systemctl is-system-running` and
 * `systemctl --failed` through the runtime's exec every HEALTH_SYSTEMD_TICKS ticks. */
#pragma once

#include "pouchd.h"

#define HEALTH_TICK_MS 2000
#define HEALTH_SYSTEMD_TICKS 3

int health_watch_start(struct pouchd *d);
/* Joins the thread and drops its container references: call before the containers are freed. */
void health_watch_stop(struct pouchd *d);
/* Look at every container now (one started). Safe with or without d->lock. */
void health_watch_kick(struct pouchd *d);
/* At each start of c, d->lock held: a watched kind of rich container gets Status "starting".
 * Whether c is of a kind the watcher looks at (then kick it once c runs). */
bool health_container_started_locked(struct container *c);

/* The doc key (not shown by inspect) holding pouch's detail for ps, "1 failed". */
#define HEALTH_DETAIL_KEY "RichHealthDetail"
