/* Event bus for /events: a bounded in-memory history plus live subscribers. */
#pragma once

#include "daemon/filters.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct event_bus;

struct event_bus *event_bus_new(void);
struct event_bus *event_bus_free(struct event_bus *b);

/* Publish {Type, Action, Actor{ID, Attributes}, status, id, from, scope, time, timeNano}.
 * attrs is stolen (may be NULL). */
void event_publish(struct event_bus *b, const char *type, const char *action, const char *id, json_t *attrs);

/* Wait for the next event with sequence > *cursor, up to deadline_ns (CLOCK_REALTIME ns,
 * 0 = forever). Returns a new reference, or NULL on timeout / bus shutdown. *cursor advances. */
json_t *event_next(struct event_bus *b, uint64_t *cursor, int64_t deadline_ns);
/* Wake every waiter (shutdown). */
void event_bus_close(struct event_bus *b);
/* Does the event match the filters (type, event, scope, container, image, volume, network, daemon,
 * plugin, node, service, secret, config, label; other keys match every event, as in dockerd)?
 * f may be NULL. */
bool event_matches(const json_t *ev, const struct filters *f);
