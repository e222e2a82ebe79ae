/* jansson helpers: load/save JSON files atomically, typed getters with defaults. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* jansson provides json_decrefp() (NULL-safe) for its own json_auto_t. */
#define _cleanup_json_ __attribute__((cleanup(json_decrefp)))

/* Write JSON (compact) with write_file_atomic. */
int json_write_file_atomic(const char *path, const json_t *j);
/* Load JSON; returns -ENOENT, -EINVAL (malformed; detail in ret_error when non-NULL). */
int json_read_file(const char *path, json_t **ret, char *ret_error, size_t error_len);

const char *json_get_str(const json_t *obj, const char *key, const char *def);
int64_t json_get_int(const json_t *obj, const char *key, int64_t def);
bool json_get_bool(const json_t *obj, const char *key, bool def);
/* Follow a dotted path ("HostConfig.RestartPolicy.Name"); NULL when absent. */
json_t *json_get_path(const json_t *obj, const char *path);
