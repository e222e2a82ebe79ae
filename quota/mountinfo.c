/* /proc/self/mountinfo lookups: see mountinfo.h. */
#include "quota/mountinfo.h"

#include "lib/cleanup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo. In place. */
static void unescape(char *s)
{
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = '\0';
}

static bool is_prefix_dir(const char *mp, const char *path)
{
        size_t n = strlen(mp);
        if (STREQ(mp, "/"))
                return true;
        return strncmp(mp, path, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Fields: id parent maj:min root mount_point options [optional...] - fstype source super_options */
static int parse_line(char *line, unsigned *maj, unsigned *min, char **mp, char **opts, char **fstype, char **src,
                      char **sopts)
{
        char *save = NULL, *f[6];
        for (int i = 0; i < 6; i++) {
                f[i] = strtok_r(i ? NULL : line, " \n", &save);
                if (!f[i])
                        return -EINVAL;
        }
        if (sscanf(f[2], "%u:%u", maj, min) != 2)
                return -EINVAL;
        *mp = f[4];
        *opts = f[5];
        char *t;
        while ((t = strtok_r(NULL, " \n", &save)) && !STREQ(t, "-"))
                ;
        if (!t)
                return -EINVAL;
        *fstype = strtok_r(NULL, " \n", &save);
        *src = strtok_r(NULL, " \n", &save);
        *sopts = strtok_r(NULL, " \n", &save);
        if (!*fstype || !*src || !*sopts)
                return -EINVAL;
        unescape(*mp);
        unescape(*src);
        return 0;
}

int mountinfo_find(const char *path, struct mountinfo_entry *ret)
{
        struct stat st;
        char real[PATH_MAX];
        if (stat(path, &st) < 0 || !realpath(path, real))
                return -errno;
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        struct mountinfo_entry best = { 0 };
        size_t best_len = 0;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        int r = 0;
        while (getline(&line, &cap, f) > 0) {
                unsigned maj, min;
                char *mp, *opts, *fstype, *src, *sopts;
                if (parse_line(line, &maj, &min, &mp, &opts, &fstype, &src, &sopts) < 0)
                        continue;
                if (makedev(maj, min) != st.st_dev || !is_prefix_dir(mp, real) || strlen(mp) < best_len)
                        continue;
                mountinfo_entry_done(&best);
                best.mount_point = strdup(mp);
                best.fstype = strdup(fstype);
                best.source = strdup(src);
                if (asprintf(&best.options, "%s,%s", opts, sopts) < 0)
                        best.options = NULL;
                if (!best.mount_point || !best.fstype || !best.source || !best.options) {
                        r = -ENOMEM;
                        break;
                }
                best_len = strlen(mp);
        }
        if (r == 0 && !best.mount_point)
                r = -ENOENT;
        if (r < 0) {
                mountinfo_entry_done(&best);
                return r;
        }
        *ret = best;
        return 0;
}

void mountinfo_entry_done(struct mountinfo_entry *e)
{
        free(e->mount_point);
        free(e->fstype);
        free(e->source);
        free(e->options);
        *e = (struct mountinfo_entry){ 0 };
}

bool mountinfo_has_option(const char *options, const char *option)
{
        size_t n = strlen(option);
        for (const char *p = options; p && *p;) {
                size_t len = strcspn(p, ",");
                if ((len == n || (len > n && p[n] == '=')) && strncmp(p, option, n) == 0)
                        return true;
                p += len;
                if (*p == ',')
                        p++;
        }
        return false;
}
