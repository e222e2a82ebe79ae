/* registry_push: the image's uncompressed layer blobs and config, then an OCI manifest. */
#include "pull.h"

#include "client.h"
#include "manifest.h"

#include "daemon/image/reference.h"
#include "daemon/image/store-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MT_OCI_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"

static void push_msg(pull_message_fn cb, void *ud, const char *id, const char *status)
{
        if (!cb)
                return;
        json_t *m = id ? json_pack("{s:s,s:s}", "status", status, "id", id) : json_pack("{s:s}", "status", status);
        cb(ud, m);
        json_decref(m);
}

static int descriptor(struct image_store *s, const char *digest, const char *media_type, json_t **ret, char **ret_path,
                      struct pouch_err *err)
{
        char *path = store_path(s, "blobs/sha256/%s", id_hex(digest));
        struct stat st;
        if (!path || stat(path, &st) < 0) {
                free(path);
                return err_set(err, -ENOENT, "blob %s of the image is missing from the store", digest);
        }
        *ret = json_pack("{s:s,s:s,s:I}", "mediaType", media_type, "digest", digest, "size", (json_int_t) st.st_size);
        *ret_path = path;
        return 0;
}

int registry_push(struct image_store *s, const char *name, const struct registry_options *o, pull_message_fn cb,
                  void *ud, struct pouch_err *err)
{
        struct image_ref ref = { 0 };
        if (reference_parse(name, &ref) < 0)
                return err_set(err, -EINVAL, "invalid reference format: %s", name);
        char hex[65];
        pthread_mutex_lock(&s->lock);
        int r = store_resolve_locked(s, name, hex, NULL, err);
        pthread_mutex_unlock(&s->lock);
        _cleanup_json_ json_t *cfg = NULL;
        if (r == 0)
                r = store_read_config(s, hex, &cfg, err);
        if (r < 0) {
                reference_done(&ref);
                return r;
        }
        struct registry_client *rc = NULL;
        r = registry_client_new(ref.domain, NULL, registry_plain_http_allowed(ref.domain, o->insecure), o->user,
                                o->password, &rc, err);
        if (r < 0) {
                reference_done(&ref);
                return r;
        }
        /* another repository of the same registry that holds this image: its blobs can be mounted */
        char from_repo[512] = "";
        pthread_mutex_lock(&s->lock);
        json_t *doc = json_object_get(s->images, hex);
        const char *keys[] = { "RepoDigests", "RepoTags" };
        for (size_t k = 0; k < 2 && !*from_repo; k++) {
                size_t i;
                json_t *v;
                json_array_foreach(json_object_get(doc, keys[k]), i, v) {
                        struct image_ref other = { 0 };
                        if (!json_string_value(v) || reference_parse(json_string_value(v), &other) < 0)
                                continue;
                        if (!strcmp(other.domain, ref.domain) && strcmp(other.path, ref.path) != 0)
                                snprintf(from_repo, sizeof(from_repo), "%s", other.path);
                        reference_done(&other);
                        if (*from_repo)
                                break;
                }
        }
        pthread_mutex_unlock(&s->lock);
        char refmsg[512];
        snprintf(refmsg, sizeof(refmsg), "The push refers to repository [%s/%s]", ref.domain, ref.path);
        push_msg(cb, ud, NULL, refmsg);
        json_t *layers = json_array();
        json_t *diff_ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
        size_t i;
        json_t *d;
        json_array_foreach(diff_ids, i, d) {
                const char *digest = json_string_value(d);
                char short_id[16];
                snprintf(short_id, sizeof(short_id), "%.12s", digest ? digest + 7 : "");
                json_t *desc = NULL;
                _cleanup_free_ char *path = NULL;
                r = descriptor(s, digest, MT_OCI_LAYER_TAR, &desc, &path, err);
                if (r < 0)
                        break;
                json_array_append_new(layers, desc);
                r = registry_blob_exists(rc, ref.path, digest, err);
                if (r < 0)
                        break;
                if (r == 1) {
                        push_msg(cb, ud, short_id, "Layer already exists");
                        r = 0;
                        continue;
                }
                push_msg(cb, ud, short_id, "Pushing");
                r = registry_upload_blob(rc, ref.path, digest, path, *from_repo ? from_repo : NULL, err);
                if (r < 0)
                        break;
                if (r == 1) {
                        char m[600];
                        snprintf(m, sizeof(m), "Mounted from %s", from_repo);
                        push_msg(cb, ud, short_id, m);
                        r = 0;
                } else
                        push_msg(cb, ud, short_id, "Pushed");
        }
        json_t *cdesc = NULL;
        _cleanup_free_ char *cpath = NULL;
        char config_digest[80];
        snprintf(config_digest, sizeof(config_digest), "sha256:%s", hex);
        if (r == 0)
                r = descriptor(s, config_digest, MT_OCI_CONFIG, &cdesc, &cpath, err);
        if (r == 0 && (r = registry_blob_exists(rc, ref.path, config_digest, err)) == 0)
                r = registry_upload_blob(rc, ref.path, config_digest, cpath, NULL, err);
        if (r == 1)
                r = 0;
        if (r == 0) {
                json_t *m = json_pack("{s:i,s:s,s:o,s:O}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST, "config",
                                      cdesc, "layers", layers);
                cdesc = NULL;
                _cleanup_free_ char *body = json_dumps(m, JSON_COMPACT);
                json_decref(m);
                const char *tag = ref.tag ? ref.tag : "latest";
                r = registry_put_manifest(rc, ref.path, tag, MT_OCI_MANIFEST, body, strlen(body), err);
                if (r == 0) {
                        char done[256], md[72] = "";
                        sha256_buffer(body, strlen(body), md);
                        snprintf(done, sizeof(done), "%s: digest: %s size: %zu", tag, md, strlen(body));
                        push_msg(cb, ud, NULL, done);
                }
        }
        json_decref(cdesc);
        json_decref(layers);
        registry_client_free(rc);
        reference_done(&ref);
        return r;
}

int registry_login(const char *server, const struct registry_options *o, struct pouch_err *err)
{
        const char *domain = server && *server ? server : "docker.io";
        if (strncmp(domain, "https://", 8) == 0)
                domain += 8;
        else if (strncmp(domain, "http://", 7) == 0)
                domain += 7;
        char host[256];
        snprintf(host, sizeof(host), "%s", domain);
        host[strcspn(host, "/")] = '\0';
        if (strcmp(host, "index.docker.io") == 0 || strcmp(host, "registry-1.docker.io") == 0)
                snprintf(host, sizeof(host), "docker.io");
        struct registry_client *rc = NULL;
        int r = registry_client_new(host, NULL, registry_plain_http_allowed(host, o->insecure), o->user, o->password,
                                    &rc, err);
        if (r == 0)
                r = registry_check_auth(rc, err);
        registry_client_free(rc);
        return r;
}
