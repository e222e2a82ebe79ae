/* The project-id table: see idtable.h. */
#include "quota/idtable.h"
#include "quota/quota.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct idtable {
        char *path;
        json_t *doc; /* {"version":1,"next":N,"projects":{...}} */
};

static json_t *projects(const struct idtable *t)
{
        return json_object_get(t->doc, "projects");
}

int idtable_load(const char *path, struct idtable **ret)
{
        _cleanup_json_ json_t *doc = NULL;
        int r = json_read_file(path, &doc, NULL, 0);
        if (r == -ENOENT)
                doc = json_pack("{s:i,s:I,s:{}}", "version", 1, "next", (json_int_t) QUOTA_PROJECT_ID_AUTO_MIN,
                                "projects");
        else if (r < 0)
                return r;
        if (!doc)
                return -ENOMEM;
        if (!json_is_object(doc) || !json_is_object(json_object_get(doc, "projects")))
                return -EINVAL;
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(doc, "projects"), k, v) {
                json_int_t id = json_integer_value(json_object_get(v, "id"));
                if (id < 1 || id > QUOTA_PROJECT_ID_MAX)
                        return -EINVAL;
        }
        struct idtable *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->path = strdup(path);
        if (!t->path) {
                free(t);
                return -ENOMEM;
        }
        t->doc = TAKE_PTR(doc);
        *ret = t;
        return 0;
}

struct idtable *idtable_free(struct idtable *t)
{
        if (t) {
                json_decref(t->doc);
                free(t->path);
                free(t);
        }
        return NULL;
}

int idtable_save(const struct idtable *t)
{
        return json_write_file_atomic(t->path, t->doc);
}

int idtable_lookup(const struct idtable *t, const char *key, uint32_t *ret_id, bool *ret_auto)
{
        json_t *e = json_object_get(projects(t), key);
        if (!e)
                return -ENOENT;
        *ret_id = (uint32_t) json_integer_value(json_object_get(e, "id"));
        if (ret_auto)
                *ret_auto = json_is_true(json_object_get(e, "auto"));
        return 0;
}

unsigned idtable_users(const struct idtable *t, uint32_t id)
{
        unsigned n = 0;
        const char *k;
        json_t *v;
        json_object_foreach(projects(t), k, v)
                if (json_integer_value(json_object_get(v, "id")) == (json_int_t) id)
                        n++;
        return n;
}

int idtable_pick(const struct idtable *t, const char *key, int64_t want, idtable_in_use_fn in_use, void *userdata,
                 uint32_t *ret_id, bool *ret_auto)
{
        if (want > QUOTA_PROJECT_ID_MAX)
                return -EINVAL;
        if (want > 0) {
                *ret_id = (uint32_t) want;
                *ret_auto = false;
                return 0;
        }
        uint32_t id;
        bool is_auto;
        if (idtable_lookup(t, key, &id, &is_auto) == 0) {
                *ret_id = id;
                *ret_auto = is_auto;
                return 0;
        }
        const int64_t lo = QUOTA_PROJECT_ID_AUTO_MIN, span = QUOTA_PROJECT_ID_MAX - lo + 1;
        int64_t next = json_integer_value(json_object_get(t->doc, "next"));
        if (next < lo || next > QUOTA_PROJECT_ID_MAX)
                next = lo;
        /* Bounded: the table holds far fewer entries than this, and the filesystem check is
         * one quotactl per candidate. */
        for (int64_t tries = 0; tries < span && tries < 1000000; tries++) {
                id = (uint32_t) (lo + (next - lo + tries) % span);
                if (idtable_users(t, id) > 0)
                        continue;
                if (in_use && in_use(id, userdata))
                        continue;
                *ret_id = id;
                *ret_auto = true;
                return 0;
        }
        return -ENOSPC;
}

int idtable_put(struct idtable *t, const char *key, uint32_t id, bool is_auto, const char *dir)
{
        json_t *e = json_pack("{s:I,s:b,s:s}", "id", (json_int_t) id, "auto", is_auto, "dir", dir ? dir : "");
        if (!e || json_object_set_new(projects(t), key, e) < 0)
                return -ENOMEM;
        if (is_auto) {
                json_int_t next = (json_int_t) id + 1;
                if (next > QUOTA_PROJECT_ID_MAX)
                        next = QUOTA_PROJECT_ID_AUTO_MIN;
                if (json_object_set_new(t->doc, "next", json_integer(next)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int idtable_remove(struct idtable *t, const char *key, uint32_t *ret_id, bool *ret_still_used)
{
        uint32_t id;
        int r = idtable_lookup(t, key, &id, NULL);
        if (r < 0)
                return r;
        json_object_del(projects(t), key);
        *ret_id = id;
        *ret_still_used = idtable_users(t, id) > 0;
        return 0;
}
