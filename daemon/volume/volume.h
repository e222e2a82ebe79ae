/* Named volumes of the `local` driver: a directory per volume under <home>/volumes/NAME/_data,
 * its record in <home>/volumes/NAME/volume.json (written atomically). Thread-safe. */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>

struct volume_store;

int volume_store_open(const char *root, struct volume_store **ret, struct pouch_err *err);
struct volume_store *volume_store_free(struct volume_store *s);

/* Docker's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool volume_name_valid(const char *name);
/* Create NAME (NULL or "" = anonymous: a random 64-hex name). An existing volume of that name is
 * returned as is, as docker does. driver NULL/"" = "local"; any other is -EINVAL. labels and
 * options: NULL or objects of strings, kept in the record (Options for the local driver: type,
 * device, o; also kept for disk quotas). *ret_doc (may be NULL): Docker's volume document. */
int volume_create(struct volume_store *s, const char *name, const char *driver, json_t *labels, json_t *options,
                  json_t **ret_doc, struct pouch_err *err);
/* Docker's volume document; -ENOENT "get NAME: no such volume". */
int volume_inspect(struct volume_store *s, const char *name, json_t **ret_doc, struct pouch_err *err);
/* Every volume's document. */
json_t *volume_list(struct volume_store *s);
/* Delete the volume and its data; the caller checks it is unused. -ENOENT when unknown. */
int volume_remove(struct volume_store *s, const char *name, struct pouch_err *err);
/* The host directory holding NAME's data (malloc'd); NULL if unknown. */
char *volume_mountpoint(struct volume_store *s, const char *name);
/* Whether NAME was created anonymously (for `rm -v` and prune). */
bool volume_is_anonymous(struct volume_store *s, const char *name);
