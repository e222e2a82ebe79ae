#include "events.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/utf8.h"
#include "lib/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_HISTORY 1024

struct event_bus {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        json_t *ring[EVENT_HISTORY];
        uint64_t next_seq; /* sequence number of the next event; event k lives in ring[k % N] */
        bool closed;
};

struct event_bus *event_bus_new(void)
{
        struct event_bus *b = calloc(1, sizeof(*b));
        if (!b)
                return NULL;
        pthread_mutex_init(&b->lock, NULL);
        pthread_cond_init(&b->cond, NULL);
        return b;
}

struct event_bus *event_bus_free(struct event_bus *b)
{
        if (!b)
                return NULL;
        for (size_t i = 0; i < EVENT_HISTORY; i++)
                json_decref(b->ring[i]);
        pthread_mutex_destroy(&b->lock);
        pthread_cond_destroy(&b->cond);
        free(b);
        return NULL;
}

void event_publish(struct event_bus *b, const char *type, const char *action, const char *id, json_t *attrs)
{
        struct timespec now = now_realtime();
        if (!attrs)
                attrs = json_object();
        /* the id may be a name a client or an image chose: the event must still be published */
        json_t *ev = json_pack("{s:s,s:s,s:{s:o,s:o},s:s,s:I,s:I}", "Type", type, "Action", action, "Actor", "ID",
                               json_string_utf8(id), "Attributes", attrs, "scope", "local", "time",
                               (json_int_t) now.tv_sec, "timeNano", (json_int_t) timespec_to_ns(&now));
        if (!ev)
                return;
        if (strcmp(type, "container") == 0 || strcmp(type, "image") == 0) {
                /* the pre-1.22 fields the docker CLI still prints */
                json_object_set_new(ev, "status", json_string(action));
                json_object_set_new(ev, "id", json_string_utf8(id));
                const char *image = json_get_str(attrs, "image", NULL);
                if (image)
                        json_object_set_new(ev, "from", json_string(image));
        }
        pthread_mutex_lock(&b->lock);
        size_t slot = b->next_seq % EVENT_HISTORY;
        json_decref(b->ring[slot]);
        b->ring[slot] = ev;
        b->next_seq++;
        pthread_cond_broadcast(&b->cond);
        pthread_mutex_unlock(&b->lock);
}

json_t *event_next(struct event_bus *b, uint64_t *cursor, int64_t deadline_ns)
{
        json_t *ev = NULL;
        pthread_mutex_lock(&b->lock);
        for (;;) {
                if (b->next_seq > EVENT_HISTORY && *cursor < b->next_seq - EVENT_HISTORY)
                        *cursor = b->next_seq - EVENT_HISTORY; /* fell behind: skip lost events */
                if (*cursor < b->next_seq) {
                        ev = json_incref(b->ring[*cursor % EVENT_HISTORY]);
                        (*cursor)++;
                        break;
                }
                if (b->closed)
                        break;
                if (deadline_ns > 0) {
                        struct timespec ts = { .tv_sec = deadline_ns / 1000000000LL,
                                               .tv_nsec = deadline_ns % 1000000000LL };
                        if (pthread_cond_timedwait(&b->cond, &b->lock, &ts) != 0)
                                break;
                } else {
                        pthread_cond_wait(&b->cond, &b->lock);
                }
        }
        pthread_mutex_unlock(&b->lock);
        return ev;
}

void event_bus_close(struct event_bus *b)
{
        pthread_mutex_lock(&b->lock);
        b->closed = true;
        pthread_cond_broadcast(&b->cond);
        pthread_mutex_unlock(&b->lock);
}

/* dockerd's FuzzyMatch: a value equal to or a prefix of s */
static bool prefix_of(const char *value, void *ud)
{
        return strncmp(ud, value, strlen(value)) == 0;
}

/* key's values match the actor's ID or its name (container, volume, network, daemon) */
static bool match_actor(const struct filters *f, const char *key, const json_t *actor, const json_t *attrs)
{
        return filters_each_value(f, key, prefix_of, (void *) json_get_str(actor, "ID", "")) ||
               filters_each_value(f, key, prefix_of, (void *) json_get_str(attrs, "name", ""));
}

/* dockerd's event=health_status (also exec_create, exec_start) matches "health_status: healthy" too */
static bool action_is(const char *value, void *ud)
{
        const char *action = ud;
        size_t n = strlen(value);
        if (strcmp(value, action) == 0)
                return true;
        return (strcmp(value, "health_status") == 0 || strcmp(value, "exec_create") == 0 ||
                strcmp(value, "exec_start") == 0) &&
               strncmp(action, value, n) == 0 && action[n] == ':';
}

bool event_matches(const json_t *ev, const struct filters *f)
{
        if (filters_empty(f))
                return true;
        const json_t *actor = json_object_get(ev, "Actor");
        const json_t *attrs = json_object_get(actor, "Attributes");
        const char *type = json_get_str(ev, "Type", "");
        if (!filters_match_exact(f, "type", type) ||
            !filters_each_value(f, "event", action_is, (void *) json_get_str(ev, "Action", "")) ||
            !filters_match_exact(f, "scope", json_get_str(ev, "scope", "local")))
                return false;
        /* an object filter (container=x) keeps only events of that kind of object (pouch makes no
         * plugin, node, service, secret or config events: such a filter keeps nothing, as in dockerd) */
        static const char *const objects[] = { "container", "volume",  "network", "daemon", "plugin",
                                               "node",      "service", "secret",  "config" };
        for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
                if (filters_has(f, objects[i]) &&
                    (strcmp(type, objects[i]) != 0 || !match_actor(f, objects[i], actor, attrs)))
                        return false;
        if (filters_has(f, "image") && !filters_match_exact(f, "image", json_get_str(attrs, "image", "")) &&
            !(strcmp(type, "image") == 0 &&
              filters_each_value(f, "image", prefix_of, (void *) json_get_str(actor, "ID", ""))))
                return false;
        return filters_match_label(f, attrs);
}
