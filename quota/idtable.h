/* The project-id table of the prjquota backend: which key (a container's rootfs, a volume) uses
 * which project id, kept in <state_dir>/project-ids.json so ids stay stable across restarts:
 *   {"version":1,"next":N,"projects":{"KEY":{"id":N,"auto":true,"dir":"/path"}, ...}}
 * "auto" ids were allocated here (from QUOTA_PROJECT_ID_AUTO_MIN up, never one that another key
 * holds or the filesystem still accounts for); fixed ids were given by the caller and may be
 * shared by several keys. Not thread-safe: the quota manager holds its lock around every call. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct idtable;

/* Whether project id `id` is in use on the filesystem (usage or limits recorded). */
typedef bool (*idtable_in_use_fn)(uint32_t id, void *userdata);

/* Load the table from path; a missing file gives an empty table. -EINVAL for a corrupt file. */
int idtable_load(const char *path, struct idtable **ret);
struct idtable *idtable_free(struct idtable *t);
/* Write the table (atomically, fsync'ed). */
int idtable_save(const struct idtable *t);

/* -ENOENT when key has no entry. ret_auto may be NULL. */
int idtable_lookup(const struct idtable *t, const char *key, uint32_t *ret_id, bool *ret_auto);
/* How many keys use id. */
unsigned idtable_users(const struct idtable *t, uint32_t id);
/* Choose the id for key without changing the table: want in 1..QUOTA_PROJECT_ID_MAX is used
 * as is (fixed); want <= 0 reuses the id recorded for key or allocates a free one (in_use may be NULL).
 * -EINVAL for want out of range, -ENOSPC when no id is free. */
int idtable_pick(const struct idtable *t, const char *key, int64_t want, idtable_in_use_fn in_use, void *userdata,
                 uint32_t *ret_id, bool *ret_auto);
/* Record key -> id (replacing key's entry). */
int idtable_put(struct idtable *t, const char *key, uint32_t id, bool is_auto, const char *dir);
/* Forget key: *ret_id its id, *ret_still_used whether another key keeps using it.
 * -ENOENT when key has no entry. */
int idtable_remove(struct idtable *t, const char *key, uint32_t *ret_id, bool *ret_still_used);
