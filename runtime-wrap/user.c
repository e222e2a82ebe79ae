/* Resolve Docker's "user[:group]" against the container's /etc/passwd and /etc/group, opening
 * both with openat2(RESOLVE_IN_ROOT) so symlinks inside the image cannot point at host files. */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/log.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_ID 2147483647UL

/* Open path (relative to the rootfs, e.g. "etc/passwd") for reading, resolved as if rootfs
 * were "/". Returns NULL with errno set; ENOENT means the file is absent. */
static FILE *open_in_root(const char *rootfs, const char *path)
{
        _cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return NULL;
        struct open_how how = {
                /* O_NONBLOCK: a FIFO planted at /etc/passwd must not hang the daemon. */
                .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        _cleanup_close_ int fd = (int) syscall(SYS_openat2, root, path, &how, sizeof(how));
        if (fd < 0)
                return NULL;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return NULL;
        if (!S_ISREG(st.st_mode)) {
                errno = EINVAL;
                return NULL;
        }
        FILE *f = fdopen(fd, "re");
        if (f)
                TAKE_FD(fd);
        return f;
}

static bool parse_id(const char *s, unsigned *ret)
{
        if (!s || !*s)
                return false;
        for (const char *p = s; *p; p++)
                if (*p < '0' || *p > '9')
                        return false;
        errno = 0;
        unsigned long v = strtoul(s, NULL, 10);
        if (errno || v > MAX_ID)
                return false;
        *ret = (unsigned) v;
        return true;
}

/* Split a colon-separated line in place into at most n fields; returns the count. */
static size_t split_fields(char *line, char **fields, size_t n)
{
        size_t k = 0;
        line[strcspn(line, "\n")] = '\0';
        while (k < n) {
                fields[k++] = line;
                char *c = strchr(line, ':');
                if (!c)
                        break;
                *c = '\0';
                line = c + 1;
        }
        return k;
}

struct pw_match {
        bool found;
        char *name;
        unsigned uid, gid;
};

/* Look for a passwd entry whose name is `user` or whose uid is `uid_arg` (when numeric). */
static int passwd_lookup(FILE *f, const char *user, bool numeric, unsigned uid_arg, struct pw_match *m)
{
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
                char *fld[7] = { 0 };
                if (line[0] == '#' || split_fields(line, fld, 7) < 4)
                        continue;
                unsigned uid, gid;
                if (!parse_id(fld[2], &uid) || !parse_id(fld[3], &gid))
                        continue;
                if (STREQ(fld[0], user) || (numeric && uid == uid_arg)) {
                        m->name = strdup(fld[0]);
                        if (!m->name)
                                return -ENOMEM;
                        m->found = true;
                        m->uid = uid;
                        m->gid = gid;
                        return 0;
                }
        }
        return 0;
}

/* Either find the group named/numbered group_arg (sets *ret_gid), or, with group_arg NULL,
 * collect the gids of every group listing member_name. */
static int group_scan(FILE *f, const char *group_arg, const char *member_name, bool *ret_found, unsigned *ret_gid,
                      unsigned **gids, size_t *n_gids)
{
        unsigned gid_arg = 0;
        bool numeric = group_arg && parse_id(group_arg, &gid_arg);
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        while (f && getline(&line, &cap, f) > 0) {
                char *fld[4] = { 0 };
                if (line[0] == '#' || split_fields(line, fld, 4) < 3)
                        continue;
                unsigned gid;
                if (!parse_id(fld[2], &gid))
                        continue;
                if (group_arg) {
                        if (STREQ(fld[0], group_arg) || (numeric && gid == gid_arg)) {
                                *ret_found = true;
                                *ret_gid = gid;
                                return 0;
                        }
                        continue;
                }
                if (!member_name || !fld[3])
                        continue;
                char *save = NULL;
                for (char *u = strtok_r(fld[3], ",", &save); u; u = strtok_r(NULL, ",", &save)) {
                        if (!STREQ(u, member_name))
                                continue;
                        unsigned *v = realloc(*gids, (*n_gids + 1) * sizeof(unsigned));
                        if (!v)
                                return -ENOMEM;
                        v[(*n_gids)++] = gid;
                        *gids = v;
                        break;
                }
        }
        return 0;
}

static FILE *open_db(const char *rootfs, const char *path, int *ret_err)
{
        FILE *f = open_in_root(rootfs, path);
        *ret_err = 0;
        if (!f && errno != ENOENT)
                *ret_err = -errno;
        return f;
}

int spec_resolve_user(const char *rootfs, const char *user, unsigned *ret_uid, unsigned *ret_gid,
                      unsigned **ret_additional_gids, size_t *ret_n_additional, struct pouch_err *err)
{
        _cleanup_free_ char *u = strdup(user ? user : "");
        if (!u)
                return -ENOMEM;
        char *g = strchr(u, ':');
        if (g)
                *g++ = '\0';
        if (g && !*g)
                g = NULL;
        unsigned uid_arg = 0;
        bool numeric = !*u || parse_id(u, &uid_arg);
        if (!*u && g)
                return err_set(err, -EINVAL, "invalid user: %s", user);

        int r;
        _cleanup_fclose_ FILE *pw = open_db(rootfs, "etc/passwd", &r);
        if (r < 0)
                return err_set(err, r, "unable to open /etc/passwd in the container: %s", strerror(-r));
        struct pw_match m = { 0 };
        if (pw) {
                r = passwd_lookup(pw, *u ? u : "\n", numeric, uid_arg, &m);
                if (r < 0)
                        return err_set(err, r, "out of memory");
        }
        _cleanup_free_ char *matched = m.name;
        unsigned uid = m.found ? m.uid : uid_arg, gid = m.found ? m.gid : 0;
        if (!m.found && !numeric)
                return err_set(err, -EINVAL, "unable to find user %s: no matching entries in passwd file", u);

        _cleanup_free_ unsigned *gids = NULL;
        size_t n = 0;
        if (g || matched) {
                _cleanup_fclose_ FILE *gr = open_db(rootfs, "etc/group", &r);
                if (r < 0)
                        return err_set(err, r, "unable to open /etc/group in the container: %s", strerror(-r));
                bool found = false;
                unsigned gid_found = 0;
                r = group_scan(gr, g, matched, &found, &gid_found, &gids, &n);
                if (r < 0)
                        return err_set(err, r, "out of memory");
                if (g) {
                        unsigned gid_num;
                        if (found)
                                gid = gid_found;
                        else if (parse_id(g, &gid_num))
                                gid = gid_num;
                        else
                                return err_set(err, -EINVAL,
                                               "unable to find group %s: no matching entries in group file", g);
                }
        }
        *ret_uid = uid;
        *ret_gid = gid;
        if (ret_additional_gids)
                *ret_additional_gids = TAKE_PTR(gids);
        if (ret_n_additional)
                *ret_n_additional = n;
        return 0;
}

int user_object(const char *rootfs, const char *user, json_t **ret, struct pouch_err *err)
{
        unsigned uid, gid;
        _cleanup_free_ unsigned *gids = NULL;
        size_t n = 0;
        int r = spec_resolve_user(rootfs, user, &uid, &gid, &gids, &n, err);
        if (r < 0)
                return r;
        json_t *o = json_pack("{s:I,s:I}", "uid", (json_int_t) uid, "gid", (json_int_t) gid);
        if (!o)
                return -ENOMEM;
        if (n > 0) {
                json_t *a = json_array();
                for (size_t i = 0; i < n; i++)
                        json_array_append_new(a, json_integer(gids[i]));
                json_object_set_new(o, "additionalGids", a);
        }
        *ret = o;
        return 0;
}
