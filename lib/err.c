#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct pouch_err *err, int code, const char *fmt, ...)
{
        if (code > 0)
                code = -code;
        if (code == 0)
                code = -EIO;
        if (!err)
                return code;
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        return code;
}

int err_wrap(struct pouch_err *err, const char *fmt, ...)
{
        if (!err)
                return -EIO;
        char prefix[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        char old[sizeof(err->msg)];
        memcpy(old, err->msg, sizeof(old));
        size_t n = strlen(prefix);
        if (n + 2 >= sizeof(err->msg))
                n = sizeof(err->msg) - 3;
        memcpy(err->msg, prefix, n);
        memcpy(err->msg + n, ": ", 2);
        size_t rest = sizeof(err->msg) - n - 3;
        strncpy(err->msg + n + 2, old, rest);
        err->msg[sizeof(err->msg) - 1] = '\0';
        return err->code ? err->code : -EIO;
}

void err_clear(struct pouch_err *err)
{
        if (!err)
                return;
        err->code = 0;
        err->msg[0] = '\0';
}

int err_http_status(int code)
{
        switch (code < 0 ? -code : code) {
        case EINVAL:
        case E2BIG:
        case ENAMETOOLONG:
        case ENOTDIR:
                return 400;
        case ENOENT:
        case ESRCH:
                return 404;
        case EEXIST:
        case EBUSY:
        case EALREADY:
        case ENOTTY: /* a terminal operation on a process without one */
                return 409;
        case EMSGSIZE:
                return 413;
        case ENOTSUP:
                return 501;
        default:
                return 500;
        }
}
