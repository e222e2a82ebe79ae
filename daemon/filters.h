/* The "filters" query parameter of the Docker API, parsed once into a typed record.
 *
 * Clients send one of two JSON forms, and dockerd takes both:
 *   {"label":{"app=web":true}}    the map form (docker CLI; the booleans carry no meaning)
 *   {"label":["app=web"]}         the list form (docker-py, docker-compose, Ansible, testcontainers)
 * Either becomes key -> list of strings. Each endpoint passes the keys dockerd accepts for it: an
 * unknown key is -EINVAL "invalid filter 'foo'" (HTTP 400), as is bad JSON or a value of another
 * type. Matching follows dockerd: values of one key are ORed, keys are ANDed, except "label"
 * whose values must all match (and "label!", which excludes what matches all its values). */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct filters;

/* Parse text (NULL or "" = no filters). allowed: NULL-terminated accepted keys, NULL = any key.
 * *ret is set (possibly empty) on success. */
int filters_parse(const char *text, const char *const *allowed, struct filters **ret, struct pouch_err *err);
/* The same from a parsed JSON value (an object). */
int filters_from_json(const json_t *j, const char *const *allowed, struct filters **ret, struct pouch_err *err);
struct filters *filters_free(struct filters *f);
static inline void filters_freep(struct filters **f)
{
        filters_free(*f);
}
#define _cleanup_filters_ __attribute__((cleanup(filters_freep)))

/* No key at all (f may be NULL). */
bool filters_empty(const struct filters *f);
/* The key was given (even with no values). */
bool filters_has(const struct filters *f, const char *key);
/* The values of key, NULL-terminated; NULL when the key is absent. */
char *const *filters_values(const struct filters *f, const char *key);
/* Keys in the order given, NULL-terminated (freed with f). */
char *const *filters_keys(const struct filters *f);

/* True when key is absent or has no values, or when match(value, ud) holds for one of its values. */
bool filters_each_value(const struct filters *f, const char *key, bool (*match)(const char *value, void *ud), void *ud);
/* filters_each_value with exact string equality. */
bool filters_match_exact(const struct filters *f, const char *key, const char *s);
/* dockerd's label rule on a Labels object (may be NULL): every "label" value ("key" or
 * "key=value") matches, and unless "label!" is absent, not every "label!" value matches. */
bool filters_match_label(const struct filters *f, const json_t *labels);
/* One "key" or "key=value" against a Labels object. */
bool filters_label_matches(const char *spec, const json_t *labels);

/* A boolean key (dangling, all): exactly one value of true/1/false/0. 0 when absent (*ret untouched),
 * 1 when set, -EINVAL "invalid filter 'dangling=x'". */
int filters_get_bool(const struct filters *f, const char *key, bool *ret, struct pouch_err *err);
/* A time key ("until" of the prune endpoints): one value, a Go duration before now ("24h", "1h30m",
 * "90s"), unix seconds[.fraction] or RFC 3339. 0 when absent, 1 when set (*ret_ns since the epoch),
 * -EINVAL otherwise. */
int filters_get_time(const struct filters *f, const char *key, int64_t now_ns, int64_t *ret_ns, struct pouch_err *err);
