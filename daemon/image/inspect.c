/* Docker API shapes for GET /images/{name}/json and GET /images/json. */
#include "daemon/image/store-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* container.Config as docker marshals it: every field present, zero values included. */
static json_t *full_config(const json_t *c)
{
        json_t *out = json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:n,s:n,s:s,s:n,s:s,s:n,s:n,s:n}", "Hostname", "",
                                "Domainname", "", "User", "", "AttachStdin", 0, "AttachStdout", 0, "AttachStderr", 0,
                                "Tty", 0, "OpenStdin", 0, "StdinOnce", 0, "Env", "Cmd", "Image", "", "Volumes",
                                "WorkingDir", "", "Entrypoint", "OnBuild", "Labels");
        if (out && json_is_object(c))
                json_object_update(out, (json_t *) c);
        return out;
}

static json_t *graph_driver(struct image_store *s, const json_t *doc)
{
        json_t *chains = json_object_get(doc, "ChainIds");
        size_t n = json_array_size(chains);
        json_t *data = json_object();
        if (n == 0)
                return json_pack("{s:o,s:s}", "Data", data, "Name", "overlay2");
        const char *top = id_hex(json_string_value(json_array_get(chains, n - 1)));
        char *lower = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&lower, &len);
        for (size_t i = n - 1; f && i > 0; i--)
                fprintf(f, "%s%s/layers/%s/diff", i == n - 1 ? "" : ":", s->root,
                        id_hex(json_string_value(json_array_get(chains, i - 1))));
        if (f)
                fclose(f);
        if (lower && *lower)
                json_object_set_new(data, "LowerDir", json_string(lower));
        free(lower);
        _cleanup_free_ char *merged = store_path(s, "layers/%s/merged", top);
        _cleanup_free_ char *upper = store_path(s, "layers/%s/diff", top);
        _cleanup_free_ char *work = store_path(s, "layers/%s/work", top);
        json_object_set_new(data, "MergedDir", json_string(merged ? merged : ""));
        json_object_set_new(data, "UpperDir", json_string(upper ? upper : ""));
        json_object_set_new(data, "WorkDir", json_string(work ? work : ""));
        return json_pack("{s:o,s:s}", "Data", data, "Name", "overlay2");
}

static json_t *inspect_one(struct image_store *s, const char *hex, const json_t *doc, const json_t *cfg)
{
        const char *last_tag = json_get_str(doc, "LastTagTime", "");
        json_t *cc = json_object_get(cfg, "container_config");
        json_int_t size = json_get_int(doc, "Size", 0);
        json_t *layers = json_object_get(doc, "Layers");
        char id[80];
        snprintf(id, sizeof(id), "sha256:%s", hex);
        json_t *j = json_pack("{s:s,s:O,s:O,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:s,s:s,s:I,s:I,s:o,s:{s:s,s:o},s:{s:s}}",
                              "Id", id, "RepoTags", json_object_get(doc, "RepoTags"), "RepoDigests",
                              json_object_get(doc, "RepoDigests"), "Parent", "", "Comment",
                              json_get_str(cfg, "comment", ""), "Created", json_get_str(cfg, "created", ""),
                              "Container", json_get_str(cfg, "container", ""), "ContainerConfig", full_config(cc),
                              "DockerVersion", json_get_str(cfg, "docker_version", ""), "Author",
                              json_get_str(cfg, "author", ""), "Config", full_config(json_object_get(cfg, "config")),
                              "Architecture", json_get_str(cfg, "architecture", ""), "Os", json_get_str(cfg, "os", ""),
                              "Size", size, "VirtualSize", size, "GraphDriver", graph_driver(s, doc), "RootFS", "Type",
                              "layers", "Layers", layers ? json_incref(layers) : json_array(), "Metadata",
                              "LastTagTime", *last_tag ? last_tag : "0001-01-01T00:00:00Z");
        const char *variant = json_get_str(cfg, "variant", NULL);
        if (j && variant)
                json_object_set_new(j, "Variant", json_string(variant));
        return j;
}

int image_inspect(struct image_store *s, const char *name, json_t **ret, struct pouch_err *err)
{
        char hex[65];
        _cleanup_json_ json_t *cfg = NULL;
        json_t *out = NULL;
        pthread_mutex_lock(&s->lock);
        int r = store_resolve_locked(s, name, hex, NULL, err);
        if (r == 0)
                r = store_read_config(s, hex, &cfg, err);
        if (r == 0) {
                out = inspect_one(s, hex, json_object_get(s->images, hex), cfg);
                if (!out)
                        r = err_set(err, -ENOMEM, "out of memory");
        }
        pthread_mutex_unlock(&s->lock);
        if (r == 0)
                *ret = out;
        return r;
}

static int64_t created_unix(const char *created)
{
        struct timespec ts;
        return created && parse_timestamp(created, &ts) == 0 ? (int64_t) ts.tv_sec : 0;
}

static int cmp_created_desc(const void *a, const void *b)
{
        json_int_t x = json_integer_value(json_object_get(*(json_t *const *) a, "Created"));
        json_int_t y = json_integer_value(json_object_get(*(json_t *const *) b, "Created"));
        if (x != y)
                return x < y ? 1 : -1;
        return strcmp(json_get_str(*(json_t *const *) a, "Id", ""), json_get_str(*(json_t *const *) b, "Id", ""));
}

int image_list(struct image_store *s, json_t **ret_array, struct pouch_err *err)
{
        pthread_mutex_lock(&s->lock);
        size_t n = json_object_size(s->images), k = 0;
        json_t **items = calloc(n ? n : 1, sizeof(json_t *));
        const char *hex;
        json_t *doc;
        int r = items ? 0 : -ENOMEM;
        json_object_foreach(s->images, hex, doc) {
                if (r < 0)
                        break;
                _cleanup_json_ json_t *cfg = NULL;
                if (store_read_config(s, hex, &cfg, NULL) < 0)
                        cfg = json_object();
                json_t *labels = json_get_path(cfg, "config.Labels");
                char id[80];
                snprintf(id, sizeof(id), "sha256:%s", hex);
                json_int_t size = json_get_int(doc, "Size", 0);
                items[k] = json_pack("{s:i,s:I,s:s,s:O,s:s,s:O,s:O,s:i,s:I,s:I}", "Containers", -1, "Created",
                                     (json_int_t) created_unix(json_get_str(cfg, "created", NULL)), "Id", id, "Labels",
                                     json_is_object(labels) ? labels : json_null(), "ParentId", "", "RepoDigests",
                                     json_object_get(doc, "RepoDigests"), "RepoTags", json_object_get(doc, "RepoTags"),
                                     "SharedSize", -1, "Size", size, "VirtualSize", size);
                if (!items[k])
                        r = -ENOMEM;
                else
                        k++;
        }
        pthread_mutex_unlock(&s->lock);
        json_t *arr = json_array();
        if (r == 0 && k)
                qsort(items, k, sizeof(json_t *), cmp_created_desc);
        for (size_t i = 0; i < k; i++)
                json_array_append_new(arr, items[i]);
        free(items);
        if (r < 0) {
                json_decref(arr);
                return err_set(err, r, "out of memory listing images");
        }
        *ret_array = arr;
        return 0;
}
