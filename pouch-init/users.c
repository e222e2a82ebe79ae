/* Users and groups from /etc/passwd and /etc/group, parsed by hand (no NSS in a static binary). */
#include "users.h"

#include "lib/cleanup.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FIELDS 7

/* Split one line (not NUL-terminated: [line, end)) at ':' into at most MAX_FIELDS fields; returns
 * the number of fields. */
static size_t split_fields(const char *line, const char *end, const char *f[MAX_FIELDS], size_t len[MAX_FIELDS])
{
        size_t n = 0;
        const char *p = line;
        while (n < MAX_FIELDS) {
                const char *c = memchr(p, ':', (size_t) (end - p));
                f[n] = p;
                len[n] = (size_t) ((c ? c : end) - p);
                n++;
                if (!c)
                        break;
                p = c + 1;
        }
        return n;
}

static bool field_is(const char *f, size_t len, const char *s)
{
        return strlen(s) == len && memcmp(f, s, len) == 0;
}

static bool field_uint(const char *f, size_t len, unsigned long long *ret)
{
        char tmp[24];
        if (len == 0 || len >= sizeof(tmp))
                return false;
        memcpy(tmp, f, len);
        tmp[len] = '\0';
        return parse_uint(tmp, 0xFFFFFFFEu, ret);
}

/* Call fn for each line of text; stop when it returns non-zero and return that. */
static int for_each_line(const char *text, int (*fn)(const char *line, const char *end, void *ud), void *ud)
{
        for (const char *p = text; p && *p;) {
                const char *nl = strchr(p, '\n');
                const char *end = nl ? nl : p + strlen(p);
                if (end > p && end[-1] == '\r')
                        end--;
                if (end > p && *p != '#') {
                        int r = fn(p, end, ud);
                        if (r)
                                return r;
                }
                p = nl ? nl + 1 : NULL;
        }
        return 0;
}

struct passwd_query {
        const char *user;
        bool numeric;
        unsigned long long id;
        struct passwd_entry *ret;
};

static int passwd_line(const char *line, const char *end, void *ud)
{
        struct passwd_query *q = ud;
        const char *f[MAX_FIELDS];
        size_t len[MAX_FIELDS];
        unsigned long long uid, gid;
        if (split_fields(line, end, f, len) < 7 || !field_uint(f[2], len[2], &uid) || !field_uint(f[3], len[3], &gid))
                return 0;
        if (q->numeric ? uid != q->id : !field_is(f[0], len[0], q->user))
                return 0;
        q->ret->uid = (uid_t) uid;
        q->ret->gid = (gid_t) gid;
        q->ret->name = strndup(f[0], len[0]);
        q->ret->home = strndup(f[5], len[5]);
        /* the shell is the rest of the line */
        q->ret->shell = strndup(f[6], (size_t) (end - f[6]));
        if (!q->ret->name || !q->ret->home || !q->ret->shell) {
                passwd_entry_free(q->ret);
                return -ENOMEM;
        }
        return 1;
}

int passwd_find(const char *passwd_text, const char *user, struct passwd_entry *ret)
{
        memset(ret, 0, sizeof(*ret));
        struct passwd_query q = { .user = user, .ret = ret };
        q.numeric = parse_uint(user, 0xFFFFFFFEu, &q.id);
        /* a user literally named like a number is matched by name first */
        if (q.numeric) {
                struct passwd_query byname = { .user = user, .ret = ret };
                int r = for_each_line(passwd_text, passwd_line, &byname);
                if (r)
                        return r < 0 ? r : 0;
        }
        int r = for_each_line(passwd_text, passwd_line, &q);
        return r < 0 ? r : r ? 0 : -ENOENT;
}

void passwd_entry_free(struct passwd_entry *e)
{
        free(e->name);
        free(e->home);
        free(e->shell);
        e->name = e->home = e->shell = NULL;
}

struct group_query {
        const char *group;
        bool numeric;
        unsigned long long id;
        gid_t ret;
};

static int group_line(const char *line, const char *end, void *ud)
{
        struct group_query *q = ud;
        const char *f[MAX_FIELDS];
        size_t len[MAX_FIELDS];
        unsigned long long gid;
        if (split_fields(line, end, f, len) < 3 || !field_uint(f[2], len[2], &gid))
                return 0;
        if (q->numeric ? gid != q->id : !field_is(f[0], len[0], q->group))
                return 0;
        q->ret = (gid_t) gid;
        return 1;
}

int group_find(const char *group_text, const char *group, gid_t *ret)
{
        struct group_query q = { .group = group };
        bool numeric = parse_uint(group, 0xFFFFFFFEu, &q.id);
        int r = for_each_line(group_text, group_line, &q);
        if (!r && numeric) {
                q.numeric = true;
                r = for_each_line(group_text, group_line, &q);
        }
        if (r > 0) {
                *ret = q.ret;
                return 0;
        }
        return -ENOENT;
}

struct members_query {
        const char *user;
        gid_t *groups;
        size_t n;
        size_t cap;
};

static int add_gid(struct members_query *q, gid_t g)
{
        for (size_t i = 0; i < q->n; i++)
                if (q->groups[i] == g)
                        return 0;
        if (q->n == q->cap) {
                size_t cap = q->cap ? q->cap * 2 : 8;
                gid_t *p = realloc(q->groups, cap * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                q->groups = p;
                q->cap = cap;
        }
        q->groups[q->n++] = g;
        return 0;
}

static int members_line(const char *line, const char *end, void *ud)
{
        struct members_query *q = ud;
        const char *f[MAX_FIELDS];
        size_t len[MAX_FIELDS];
        unsigned long long gid;
        if (split_fields(line, end, f, len) < 4 || !field_uint(f[2], len[2], &gid))
                return 0;
        /* the member list is the rest of the line */
        const char *p = f[3];
        while (p < end) {
                const char *c = memchr(p, ',', (size_t) (end - p));
                const char *e = c ? c : end;
                if (field_is(p, (size_t) (e - p), q->user))
                        return add_gid(q, (gid_t) gid);
                p = e + 1;
        }
        return 0;
}

int group_list_for(const char *group_text, const char *user, gid_t primary, gid_t **ret, size_t *n)
{
        struct members_query q = { .user = user };
        int r = add_gid(&q, primary);
        if (r >= 0 && user)
                r = for_each_line(group_text, members_line, &q);
        if (r < 0) {
                free(q.groups);
                return r;
        }
        *ret = q.groups;
        *n = q.n;
        return 0;
}

int credentials_resolve(const char *passwd_text, const char *group_text, const char *user, const char *group,
                        struct credentials *ret, const char **err)
{
        memset(ret, 0, sizeof(*ret));
        struct passwd_entry pw = { 0 };
        bool have_pw = false;
        unsigned long long num;
        if (user) {
                int r = passwd_find(passwd_text, user, &pw);
                if (r == -ENOMEM)
                        return r;
                if (r == 0) {
                        have_pw = true;
                } else if (parse_uint(user, 0xFFFFFFFEu, &num)) {
                        ret->uid = (uid_t) num;
                        ret->gid = 0;
                } else {
                        *err = "no such user in /etc/passwd";
                        return -ENOENT;
                }
        } else {
                /* Group= alone: keep our own user */
                ret->uid = geteuid();
                ret->gid = getegid();
        }
        if (have_pw) {
                ret->uid = pw.uid;
                ret->gid = pw.gid;
                ret->name = TAKE_PTR(pw.name);
                ret->home = TAKE_PTR(pw.home);
                ret->shell = TAKE_PTR(pw.shell);
                passwd_entry_free(&pw);
        }
        if (group) {
                gid_t g;
                if (group_find(group_text, group, &g) == 0) {
                        ret->gid = g;
                } else if (parse_uint(group, 0xFFFFFFFEu, &num)) {
                        ret->gid = (gid_t) num;
                } else {
                        credentials_free(ret);
                        *err = "no such group in /etc/group";
                        return -ENOENT;
                }
        }
        int r = group_list_for(group_text, ret->name, ret->gid, &ret->groups, &ret->n_groups);
        if (r < 0) {
                credentials_free(ret);
                return r;
        }
        return 0;
}

int credentials_resolve_system(const char *user, const char *group, struct credentials *ret, const char **err)
{
        _cleanup_free_ char *passwd = NULL, *groups = NULL;
        int r = read_file("/etc/passwd", 16 << 20, &passwd, NULL);
        if (r == -ENOMEM)
                return r;
        r = read_file("/etc/group", 16 << 20, &groups, NULL);
        if (r == -ENOMEM)
                return r;
        return credentials_resolve(passwd, groups, user, group, ret, err);
}

void credentials_free(struct credentials *c)
{
        free(c->groups);
        free(c->name);
        free(c->home);
        free(c->shell);
        memset(c, 0, sizeof(*c));
}
