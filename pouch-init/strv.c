/* NULL-terminated, growable vectors of malloc'ed strings. */
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static int strv_grow(struct strv *s)
{
        if (s->n + 1 < s->cap)
                return 0;
        size_t cap = s->cap ? s->cap * 2 : 8;
        char **v = realloc(s->v, cap * sizeof(*v));
        if (!v)
                return -ENOMEM;
        s->v = v;
        s->cap = cap;
        return 0;
}

int strv_push(struct strv *s, char *owned)
{
        if (!owned)
                return -ENOMEM;
        if (strv_grow(s) < 0) {
                free(owned);
                return -ENOMEM;
        }
        s->v[s->n++] = owned;
        s->v[s->n] = NULL;
        return 0;
}

int strv_push_dup(struct strv *s, const char *str)
{
        return strv_push(s, strdup(str));
}

int strv_push_ndup(struct strv *s, const char *str, size_t len)
{
        return strv_push(s, strndup(str, len));
}

int strv_extend(struct strv *s, char *const *src)
{
        for (; src && *src; src++) {
                int r = strv_push_dup(s, *src);
                if (r < 0)
                        return r;
        }
        return 0;
}

int strv_terminate(struct strv *s)
{
        if (s->v)
                return 0;
        return strv_grow(s) < 0 ? -ENOMEM : (s->v[0] = NULL, 0);
}

void strv_free(struct strv *s)
{
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        s->v = NULL;
        s->n = s->cap = 0;
}

bool strv_contains(const struct strv *s, const char *str)
{
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], str) == 0)
                        return true;
        return false;
}

static ssize_t env_find(const struct strv *s, const char *name, size_t len)
{
        for (size_t i = 0; i < s->n; i++)
                if (strncmp(s->v[i], name, len) == 0 && s->v[i][len] == '=')
                        return (ssize_t) i;
        return -1;
}

int strv_env_put(struct strv *s, const char *kv)
{
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv)
                return -EINVAL;
        char *copy = strdup(kv);
        if (!copy)
                return -ENOMEM;
        ssize_t i = env_find(s, kv, (size_t) (eq - kv));
        if (i >= 0) {
                free(s->v[i]);
                s->v[i] = copy;
                return 0;
        }
        return strv_push(s, copy);
}

int strv_env_set(struct strv *s, const char *name, const char *value)
{
        char *kv = NULL;
        if (asprintf(&kv, "%s=%s", name, value) < 0)
                return -ENOMEM;
        int r = strv_env_put(s, kv);
        free(kv);
        return r;
}

const char *strv_env_get(const struct strv *s, const char *name)
{
        ssize_t i = env_find(s, name, strlen(name));
        return i >= 0 ? s->v[i] + strlen(name) + 1 : NULL;
}
