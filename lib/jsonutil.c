#include "jsonutil.h"

#include "cleanup.h"
#include "fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int json_write_file_atomic(const char *path, const json_t *j)
{
        _cleanup_free_ char *s = json_dumps(j, JSON_COMPACT);
        if (!s)
                return -ENOMEM;
        return write_file_atomic(path, s, strlen(s), 0600);
}

int json_read_file(const char *path, json_t **ret, char *ret_error, size_t error_len)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = read_file(path, 64u << 20, &data, &len);
        if (r < 0)
                return r;
        json_error_t jerr;
        json_t *j = json_loadb(data, len, 0, &jerr);
        if (!j) {
                if (ret_error)
                        snprintf(ret_error, error_len, "%s: line %d: %s", path, jerr.line, jerr.text);
                return -EINVAL;
        }
        *ret = j;
        return 0;
}

const char *json_get_str(const json_t *obj, const char *key, const char *def)
{
        json_t *v = json_object_get(obj, key);
        return json_is_string(v) ? json_string_value(v) : def;
}

int64_t json_get_int(const json_t *obj, const char *key, int64_t def)
{
        json_t *v = json_object_get(obj, key);
        if (json_is_integer(v))
                return json_integer_value(v);
        if (json_is_real(v))
                return (int64_t) json_real_value(v);
        return def;
}

bool json_get_bool(const json_t *obj, const char *key, bool def)
{
        json_t *v = json_object_get(obj, key);
        return json_is_boolean(v) ? json_is_true(v) : def;
}

json_t *json_get_path(const json_t *obj, const char *path)
{
        char key[256];
        const json_t *cur = obj;
        while (cur && *path) {
                const char *dot = strchr(path, '.');
                size_t n = dot ? (size_t) (dot - path) : strlen(path);
                if (n >= sizeof(key))
                        return NULL;
                memcpy(key, path, n);
                key[n] = '\0';
                cur = json_object_get(cur, key);
                path += n + (dot ? 1 : 0);
        }
        return (json_t *) cur;
}
