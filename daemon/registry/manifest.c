#include "manifest.h"

#include "daemon/image/image.h"

#include "lib/jsonutil.h"

#include <string.h>

enum manifest_kind manifest_kind_of(const char *content_type, const json_t *doc)
{
        const char *mt = json_get_str(doc, "mediaType", NULL);
        const char *candidates[2] = { content_type, mt };
        for (int i = 0; i < 2; i++) {
                const char *t = candidates[i];
                if (!t)
                        continue;
                if (strncmp(t, MT_DOCKER_LIST, strlen(MT_DOCKER_LIST)) == 0 ||
                    strncmp(t, MT_OCI_INDEX, strlen(MT_OCI_INDEX)) == 0)
                        return MANIFEST_INDEX;
                if (strncmp(t, MT_DOCKER_MANIFEST, strlen(MT_DOCKER_MANIFEST)) == 0 ||
                    strncmp(t, MT_OCI_MANIFEST, strlen(MT_OCI_MANIFEST)) == 0)
                        return MANIFEST_IMAGE;
        }
        /* untyped OCI documents: decide by shape */
        if (json_is_array(json_object_get(doc, "manifests")))
                return MANIFEST_INDEX;
        if (json_is_object(json_object_get(doc, "config")) && json_is_array(json_object_get(doc, "layers")))
                return MANIFEST_IMAGE;
        return _MANIFEST_KIND_INVALID;
}

int platform_parse(const char *s, char ret_os[32], char ret_arch[32], char ret_variant[32])
{
        strcpy(ret_os, "linux");
        strcpy(ret_arch, "amd64");
        ret_variant[0] = '\0';
        if (!s || !*s)
                return 0;
        char buf[96];
        if (strlen(s) >= sizeof(buf))
                return -EINVAL;
        strcpy(buf, s);
        char *save = NULL;
        char *os = strtok_r(buf, "/", &save), *arch = strtok_r(NULL, "/", &save), *variant = strtok_r(NULL, "/", &save);
        if (!os || !arch || strtok_r(NULL, "/", &save) || strlen(os) >= 32 || strlen(arch) >= 32 ||
            (variant && strlen(variant) >= 32))
                return -EINVAL;
        strcpy(ret_os, os);
        strcpy(ret_arch, arch);
        if (variant)
                strcpy(ret_variant, variant);
        return 0;
}

int manifest_select(const json_t *index, const char *platform, const char **ret_digest, const char **ret_media_type,
                    struct pouch_err *err)
{
        char os[32], arch[32], variant[32];
        if (platform_parse(platform, os, arch, variant) < 0)
                return err_set(err, -EINVAL, "invalid platform \"%s\": expected os/arch[/variant]", platform);
        json_t *list = json_object_get(index, "manifests");
        if (!json_is_array(list))
                return err_set(err, -EINVAL, "malformed manifest list: no manifests array");
        const json_t *best = NULL;
        size_t i;
        json_t *m;
        json_array_foreach(list, i, m) {
                json_t *p = json_object_get(m, "platform");
                if (strcmp(json_get_str(p, "os", ""), os) != 0 ||
                    strcmp(json_get_str(p, "architecture", ""), arch) != 0)
                        continue;
                const char *v = json_get_str(p, "variant", "");
                if (*variant && strcmp(v, variant) != 0)
                        continue;
                /* the digest names the next request and is what that manifest is checked against */
                if (!digest_valid(json_get_str(m, "digest", NULL)))
                        continue;
                /* without a requested variant prefer an entry without one (or the first) */
                if (!best || (!*variant && !*v))
                        best = m;
        }
        if (!best)
                return err_set(err, -ENOENT, "no matching manifest for %s/%s%s%s in the manifest list entries", os,
                               arch, *variant ? "/" : "", variant);
        *ret_digest = json_get_str(best, "digest", NULL);
        *ret_media_type = json_get_str(best, "mediaType", MT_OCI_MANIFEST);
        return 0;
}

static bool known_layer_type(const char *t)
{
        static const char *const types[] = {
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                "application/vnd.oci.image.layer.v1.tar",
                "application/vnd.oci.image.layer.v1.tar+gzip",
                "application/vnd.oci.image.layer.v1.tar+zstd",
                "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        };
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
                if (strcmp(t, types[i]) == 0)
                        return true;
        return false;
}

int manifest_validate(const json_t *m, struct pouch_err *err)
{
        json_t *cfg = json_object_get(m, "config");
        if (!json_is_object(cfg) || !digest_valid(json_get_str(cfg, "digest", NULL)))
                return err_set(err, -EINVAL, "malformed manifest: missing or invalid config digest");
        json_t *layers = json_object_get(m, "layers");
        if (!json_is_array(layers))
                return err_set(err, -EINVAL, "malformed manifest: no layers array");
        size_t i;
        json_t *l;
        json_array_foreach(layers, i, l) {
                if (!digest_valid(json_get_str(l, "digest", NULL)))
                        return err_set(err, -EINVAL, "malformed manifest: layer %zu has an invalid digest", i);
                if (json_get_int(l, "size", -1) < 0)
                        return err_set(err, -EINVAL, "malformed manifest: layer %zu has no size", i);
                const char *t = json_get_str(l, "mediaType", "");
                if (!known_layer_type(t))
                        return err_set(err, -EINVAL, "unsupported layer media type \"%s\"", t);
        }
        return 0;
}
