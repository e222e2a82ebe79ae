#include "stream-json.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int stream_json_send(int fd, json_t *m)
{
        if (!m)
                return -EINVAL;
        _cleanup_free_ char *s = json_dumps(m, JSON_COMPACT);
        json_decref(m);
        if (!s)
                return -ENOMEM;
        size_t n = strlen(s);
        char *t = realloc(s, n + 2);
        if (!t)
                return -ENOMEM;
        s = t;
        s[n] = '\n';
        return write_all(fd, s, n + 1);
}

int stream_json_text(int fd, const char *key, const char *text)
{
        json_t *v = json_string_utf8(text);
        return stream_json_send(fd, v ? json_pack("{s:o}", key, v) : NULL);
}

int stream_json_error(int fd, const char *msg)
{
        static const char fallback[] =
                "{\"errorDetail\":{\"message\":\"internal error\"},\"error\":\"internal error\"}\n";
        json_t *v = json_string_utf8(msg && *msg ? msg : "unknown error");
        json_t *m = v ? json_pack("{s:{s:O},s:o}", "errorDetail", "message", v, "error", v) : NULL;
        int r = stream_json_send(fd, m);
        if (r == -EINVAL || r == -ENOMEM)
                r = write_all(fd, fallback, sizeof(fallback) - 1);
        return r;
}
