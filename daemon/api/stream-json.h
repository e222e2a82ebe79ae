/* The JSON message streams of pull, push, load and import: one compact object per line, as
 * docker sends them. Every text that comes from outside (layer entry names, tags from a tarball,
 * registry answers) goes through here, so what reaches a client is always valid UTF-8, and an
 * error is never lost because it could not be encoded. */
#pragma once

#include <jansson.h>

/* Write m as one line; steals m. -EINVAL (and nothing written) when m is NULL. */
int stream_json_send(int fd, json_t *m);

/* {key: text}, text made valid UTF-8 (ill-formed bytes as \xNN). */
int stream_json_text(int fd, const char *key, const char *text);

/* {"errorDetail":{"message":msg},"error":msg}, msg made valid UTF-8. Writes a generic error
 * when even that cannot be built, so the client always learns that the operation failed. */
int stream_json_error(int fd, const char *msg);
