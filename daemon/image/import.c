/* `docker import`: one rootfs tarball becomes a single-layer image with a generated config. */
#include "daemon/image/reference.h"
#include "daemon/image/store-internal.h"

#include "lib/cleanup.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define HOST_ARCH "amd64"
#elif defined(__aarch64__)
#define HOST_ARCH "arm64"
#elif defined(__i386__)
#define HOST_ARCH "386"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_ARCH "ppc64le"
#elif defined(__s390x__)
#define HOST_ARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_ARCH "riscv64"
#else
#define HOST_ARCH "amd64"
#endif

const char *host_arch(void)
{
        return HOST_ARCH;
}

static char *make_config(const char *diff_id, const json_t *changes, size_t *ret_len)
{
        struct timespec now = now_realtime();
        char created[48];
        format_rfc3339nano(&now, created, sizeof(created));
        json_t *cfg = json_is_object(changes) ? json_deep_copy(changes) : json_object();
        json_t *j = json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:[s]},s:[{s:s,s:s}]}", "architecture", HOST_ARCH, "os", "linux",
                              "created", created, "config", cfg, "rootfs", "type", "layers", "diff_ids", diff_id,
                              "history", "created", created, "comment", "Imported from -");
        if (!j)
                return NULL;
        char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(j);
        if (s)
                *ret_len = strlen(s);
        return s;
}

int image_import(struct image_store *s, int fd, const char *ref, const json_t *changes, char ret_id[80],
                 struct pouch_err *err)
{
        struct pending_image p = { 0 };
        int r;
        if (ref && *ref) {
                struct image_ref parsed = { 0 };
                if (reference_parse(ref, &parsed) < 0 || parsed.digest) {
                        reference_done(&parsed);
                        return err_set(err, -EINVAL, "invalid reference format: %s", ref);
                }
                p.tags = strv_new();
                char *full = reference_full(&parsed);
                reference_done(&parsed);
                if (!full || strv_consume(&p.tags, full) < 0) {
                        strv_free(p.tags);
                        return err_set(err, -ENOMEM, "out of memory");
                }
        }
        p.layers = calloc(1, sizeof(*p.layers));
        if (!p.layers) {
                r = err_set(err, -ENOMEM, "out of memory");
                goto out;
        }
        r = ingest_layer(s, fd, NULL, NULL, &p.layers[0], err);
        if (r < 0)
                goto out;
        p.n_layers = 1;
        size_t len = 0;
        char *cfg = make_config(p.layers[0].diff_id, changes, &len);
        if (!cfg) {
                r = err_set(err, -ENOMEM, "out of memory");
                goto out;
        }
        r = pending_image_set_config(&p, cfg, len, err);
        if (r < 0)
                goto out;
        r = store_commit(s, &p, NULL, err);
        if (r == 0)
                snprintf(ret_id, 80, "%s", p.id);
out:
        pending_image_done(&p);
        return r;
}
