/* --initscript: a path or a command line. */
#include "initscript-argv.h"

#include "cmdline-split.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1: an executable regular file, 0: a regular file without the execute bit, -1: not a file. */
static int file_kind(const char *root, const char *path)
{
        char full[4096];
        if ((size_t) snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full))
                return -1;
        struct stat st;
        if (stat(full, &st) < 0 || !S_ISREG(st.st_mode))
                return -1;
        return access(full, X_OK) == 0 ? 1 : 0;
}

int initscript_argv(const char *root, const char *value, struct strv *ret, const char **err)
{
        int kind = value[0] == '/' ? file_kind(root, value) : -1;
        if (kind >= 0) {
                int r = kind ? 0 : strv_push_dup(ret, "/bin/sh");
                return r < 0 ? r : strv_push_dup(ret, value);
        }
        struct strv words = { 0 };
        int r = cmdline_split(value, &words, err);
        if (r >= 0 && words.n == 0) {
                *err = "empty command line";
                r = -EINVAL;
        }
        if (r >= 0 && strchr(words.v[0], '/') && file_kind(root, words.v[0]) == 0)
                r = strv_push_dup(ret, "/bin/sh");
        if (r >= 0)
                r = strv_extend(ret, words.v);
        strv_free(&words);
        return r;
}
