/* An error that carries both -errno and a message meant for the end user (API client, CLI). */
#pragma once

#include <errno.h>

struct pouch_err {
        int code; /* -errno, 0 when no error */
        char msg[1024];
};

/* Fill err (may be NULL) and return code (a negative errno). */
int err_set(struct pouch_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefix an existing message with more context; returns err->code. */
int err_wrap(struct pouch_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct pouch_err *err);
/* HTTP status for an error code: EINVAL/E2BIG/ENAMETOOLONG/ENOTDIR 400, ENOENT/ESRCH 404,
 * EEXIST/EBUSY/EALREADY/ENOTTY 409, EMSGSIZE 413, ENOTSUP 501, else 500. */
int err_http_status(int code);
