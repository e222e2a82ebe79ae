/* Environment variables in command lines. */
#include "exec-expand.h"

#include "buf.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int split_value(const char *v, struct strv *out)
{
        while (v && *v) {
                v += strspn(v, " \t\n");
                size_t len = strcspn(v, " \t\n");
                if (!len)
                        break;
                int r = strv_push_ndup(out, v, len);
                if (r < 0)
                        return r;
                v += len;
        }
        return 0;
}

static int expand_word(const char *w, const struct strv *env, struct strv *out)
{
        struct buf b = { 0 };
        int r = 0;
        for (const char *p = w; r >= 0 && *p;) {
                if (p[0] == '$' && p[1] == '$') {
                        r = buf_putc(&b, '$');
                        p += 2;
                        continue;
                }
                if (p[0] == '$' && p[1] == '{') {
                        const char *end = strchr(p + 2, '}');
                        if (end && env_name_valid(p + 2, (size_t) (end - p - 2))) {
                                char *name = strndup(p + 2, (size_t) (end - p - 2));
                                if (!name) {
                                        r = -ENOMEM;
                                        break;
                                }
                                const char *v = strv_env_get(env, name);
                                free(name);
                                r = buf_puts(&b, v ? v : "");
                                p = end + 1;
                                continue;
                        }
                }
                r = buf_putc(&b, *p++);
        }
        if (r >= 0)
                r = b.data ? strv_push(out, buf_steal(&b)) : strv_push_dup(out, "");
        buf_free(&b);
        return r;
}

int exec_expand_argv(char *const *argv, const struct strv *env, struct strv *out)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && argv && argv[i]; i++) {
                const char *w = argv[i];
                if (i > 0 && w[0] == '$' && w[1] != '{' && w[1] != '$' && env_name_valid(w + 1, strlen(w + 1)))
                        r = split_value(strv_env_get(env, w + 1), out);
                else
                        r = i == 0 ? strv_push_dup(out, w) : expand_word(w, env, out);
        }
        return r < 0 ? r : strv_terminate(out);
}
