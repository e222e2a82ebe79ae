/* The local volume store. */
#include "volume.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct volume_store {
        char *root;
        pthread_mutex_t lock;
};

int volume_store_open(const char *root, struct volume_store **ret, struct pouch_err *err)
{
        int r = mkdir_p(root, 0700);
        if (r < 0)
                return err_set(err, r, "cannot create %s: %s", root, strerror(-r));
        struct volume_store *s = calloc(1, sizeof(*s));
        if (!s || !(s->root = strdup(root))) {
                free(s);
                return -ENOMEM;
        }
        pthread_mutex_init(&s->lock, NULL);
        *ret = s;
        return 0;
}

struct volume_store *volume_store_free(struct volume_store *s)
{
        if (s) {
                pthread_mutex_destroy(&s->lock);
                free(s->root);
                free(s);
        }
        return NULL;
}

bool volume_name_valid(const char *name)
{
        if (!name || strlen(name) < 2 || strlen(name) > 255 || !isalnum((unsigned char) name[0]))
                return false;
        for (const char *p = name + 1; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
                        return false;
        return true;
}

static char *path_of(struct volume_store *s, const char *name, const char *sub)
{
        char *p = NULL;
        if (asprintf(&p, "%s/%s%s%s", s->root, name, sub ? "/" : "", sub ? sub : "") < 0)
                return NULL;
        return p;
}

/* The stored record plus Mountpoint and Scope: Docker's document. */
static int load_doc(struct volume_store *s, const char *name, json_t **ret)
{
        if (!volume_name_valid(name))
                return -ENOENT;
        _cleanup_free_ char *rec = path_of(s, name, "volume.json");
        _cleanup_free_ char *data = path_of(s, name, "_data");
        if (!rec || !data)
                return -ENOMEM;
        json_t *doc = NULL;
        char e[256];
        int r = json_read_file(rec, &doc, e, sizeof(e));
        if (r < 0)
                return r;
        json_object_set_new(doc, "Mountpoint", json_string(data));
        json_object_set_new(doc, "Scope", json_string("local"));
        *ret = doc;
        return 0;
}

int volume_create(struct volume_store *s, const char *name, const char *driver, json_t *labels, json_t *options,
                  json_t **ret_doc, struct pouch_err *err)
{
        char generated[65];
        bool anonymous = !name || !*name;
        if (anonymous) {
                int r = random_hex_id(generated);
                if (r < 0)
                        return err_set(err, r, "cannot generate a volume name");
                name = generated;
        }
        if (!volume_name_valid(name))
                return err_set(err, -EINVAL,
                               "create %s: \"%s\" includes invalid characters for a local volume name, only "
                               "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
                               "use absolute path",
                               name, name);
        if (driver && *driver && strcmp(driver, "local") != 0)
                return err_set(err, -EINVAL, "create %s: volume driver \"%s\" is not supported (only \"local\")", name,
                               driver);
        const char *k;
        json_t *v;
        json_object_foreach(options, k, v)
                if (!json_is_string(v))
                        return err_set(err, -EINVAL, "create %s: option %s must be a string", name, k);
        json_object_foreach(labels, k, v)
                if (!json_is_string(v))
                        return err_set(err, -EINVAL, "create %s: label %s must be a string", name, k);
        pthread_mutex_lock(&s->lock);
        json_t *doc = NULL;
        int r = load_doc(s, name, &doc);
        if (r == 0) {
                pthread_mutex_unlock(&s->lock);
                if (ret_doc)
                        *ret_doc = doc;
                else
                        json_decref(doc);
                return 0;
        }
        _cleanup_free_ char *data = path_of(s, name, "_data");
        _cleanup_free_ char *rec = path_of(s, name, "volume.json");
        _cleanup_free_ char *dir = path_of(s, name, NULL);
        struct timespec now = now_realtime();
        char created[48];
        format_rfc3339nano(&now, created, sizeof(created));
        _cleanup_json_ json_t *record = json_pack("{s:s,s:s,s:s,s:o,s:o,s:b}", "CreatedAt", created, "Driver", "local",
                                                  "Name", name, "Labels", labels ? json_incref(labels) : json_object(),
                                                  "Options", options ? json_incref(options) : json_object(),
                                                  "Anonymous", anonymous);
        if (!data || !rec || !dir || !record) {
                pthread_mutex_unlock(&s->lock);
                return -ENOMEM;
        }
        r = mkdir_p(data, 0755);
        if (r >= 0)
                r = json_write_file_atomic(rec, record);
        if (r < 0) {
                rm_rf(dir);
                pthread_mutex_unlock(&s->lock);
                return err_set(err, r, "create %s: %s", name, strerror(-r));
        }
        r = load_doc(s, name, &doc);
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return err_set(err, r, "create %s: %s", name, strerror(-r));
        if (ret_doc)
                *ret_doc = doc;
        else
                json_decref(doc);
        return 0;
}

int volume_inspect(struct volume_store *s, const char *name, json_t **ret_doc, struct pouch_err *err)
{
        pthread_mutex_lock(&s->lock);
        int r = load_doc(s, name, ret_doc);
        pthread_mutex_unlock(&s->lock);
        if (r == -ENOENT)
                return err_set(err, -ENOENT, "get %s: no such volume", name);
        if (r < 0)
                return err_set(err, r, "get %s: %s", name, strerror(-r));
        /* the record's internal flag is not Docker's */
        json_object_del(*ret_doc, "Anonymous");
        return 0;
}

json_t *volume_list(struct volume_store *s)
{
        json_t *all = json_array();
        pthread_mutex_lock(&s->lock);
        _cleanup_closedir_ DIR *d = opendir(s->root);
        struct dirent *de;
        while (d && (de = readdir(d))) {
                json_t *doc = NULL;
                if (de->d_name[0] != '.' && load_doc(s, de->d_name, &doc) == 0) {
                        json_object_del(doc, "Anonymous");
                        json_array_append_new(all, doc);
                }
        }
        pthread_mutex_unlock(&s->lock);
        return all;
}

bool volume_is_anonymous(struct volume_store *s, const char *name)
{
        pthread_mutex_lock(&s->lock);
        json_t *doc = NULL;
        bool anon = load_doc(s, name, &doc) == 0 && json_get_bool(doc, "Anonymous", false);
        json_decref(doc);
        pthread_mutex_unlock(&s->lock);
        return anon;
}

int volume_remove(struct volume_store *s, const char *name, struct pouch_err *err)
{
        pthread_mutex_lock(&s->lock);
        json_t *doc = NULL;
        int r = load_doc(s, name, &doc);
        json_decref(doc);
        if (r < 0) {
                pthread_mutex_unlock(&s->lock);
                return r == -ENOENT ? err_set(err, -ENOENT, "get %s: no such volume", name)
                                    : err_set(err, r, "remove %s: %s", name, strerror(-r));
        }
        _cleanup_free_ char *dir = path_of(s, name, NULL);
        _cleanup_free_ char *rec = path_of(s, name, "volume.json");
        /* the record goes first: a crash mid-delete leaves no half volume that looks whole */
        r = !dir || !rec ? -ENOMEM : unlink(rec) < 0 ? -errno : 0;
        if (r == 0)
                r = rm_rf(dir);
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return err_set(err, r, "remove %s: %s", name, strerror(-r));
        return 0;
}

char *volume_mountpoint(struct volume_store *s, const char *name)
{
        json_t *doc = NULL;
        pthread_mutex_lock(&s->lock);
        int r = load_doc(s, name, &doc);
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return NULL;
        char *mp = strdup(json_get_str(doc, "Mountpoint", ""));
        json_decref(doc);
        return mp;
}
