/* GET/HEAD/PUT /containers/{id}/archive for `docker cp`. */
#include "api.h"

#include "daemon/cp/archive.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* The rootfs must be mounted for a stopped container too. */
static int rootfs_for(struct http_req *r, struct container **ret_c, char **ret_rootfs, struct pouch_err *err)
{
        struct container *c = NULL;
        int rc = container_get(r->d, r->params[0], &c, err);
        if (rc < 0)
                return rc;
        rc = container_mount_rootfs(r->d, c, err);
        if (rc < 0) {
                container_put(r->d, c);
                return rc;
        }
        *ret_rootfs = container_dir(r->d, c->id, "rootfs");
        *ret_c = c;
        return 0;
}

static char *stat_header(json_t *st)
{
        _cleanup_free_ char *s = json_dumps(st, JSON_COMPACT);
        if (!s)
                return NULL;
        size_t n = strlen(s);
        char *b64 = malloc(4 * ((n + 2) / 3) + 1);
        if (b64)
                EVP_EncodeBlock((unsigned char *) b64, (const unsigned char *) s, (int) n);
        return b64;
}

static enum MHD_Result archive_stat_response(struct http_req *r, bool with_body);

enum MHD_Result api_container_archive_head(struct http_req *r)
{
        return archive_stat_response(r, false);
}

struct tar_job {
        struct pouchd *d;
        struct container *c;
        char *rootfs, *path;
};

static void tar_worker(void *p, int fd)
{
        struct tar_job *j = p;
        struct pouch_err err = { 0 };
        if (archive_tar_path(j->rootfs, j->path, fd, &err) < 0)
                log_debug("archive of %s failed: %s", j->path, err.msg);
}

static void tar_free(void *p)
{
        struct tar_job *j = p;
        container_put(j->d, j->c);
        free(j->rootfs);
        free(j->path);
        free(j);
}

static enum MHD_Result archive_stat_response(struct http_req *r, bool with_body)
{
        const char *path = http_query(r, "path");
        if (!path || !*path)
                return http_errorf(r, 400, "path is required");
        struct pouch_err err = { 0 };
        struct container *c = NULL;
        _cleanup_free_ char *rootfs = NULL;
        if (rootfs_for(r, &c, &rootfs, &err) < 0)
                return http_error(r, &err);
        _cleanup_json_ json_t *st = NULL;
        if (archive_stat_path(rootfs, path, &st, &err) < 0) {
                container_put(r->d, c);
                return http_error(r, &err);
        }
        _cleanup_free_ char *hdr = stat_header(st);
        if (!with_body) {
                container_put(r->d, c);
                struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
                http_add_std_headers(resp);
                MHD_add_response_header(resp, "X-Docker-Container-Path-Stat", hdr ? hdr : "");
                MHD_add_response_header(resp, "Content-Type", "application/x-tar");
                enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
                MHD_destroy_response(resp);
                return ret;
        }
        struct tar_job *j = calloc(1, sizeof(*j));
        j->d = r->d;
        j->c = c;
        j->rootfs = TAKE_PTR(rootfs);
        j->path = strdup(path);
        /* http_stream adds its own headers; the stat header has to be on the same response */
        return api_stream_with_header(r, 200, "application/x-tar", "X-Docker-Container-Path-Stat", hdr ? hdr : "",
                                      tar_worker, j, tar_free);
}

enum MHD_Result api_container_archive_get(struct http_req *r)
{
        return archive_stat_response(r, true);
}

enum MHD_Result api_container_archive_put(struct http_req *r)
{
        const char *path = http_query(r, "path");
        if (!path || !*path)
                return http_errorf(r, 400, "path is required");
        struct pouch_err err = { 0 };
        struct container *c = NULL;
        _cleanup_free_ char *rootfs = NULL;
        if (rootfs_for(r, &c, &rootfs, &err) < 0)
                return http_error(r, &err);
        if (json_get_bool(json_object_get(c->doc, "HostConfig"), "ReadonlyRootfs", false)) {
                container_put(r->d, c);
                return http_errorf(r, 403, "container rootfs is marked read-only");
        }
        int rc = archive_extract_to(rootfs, path, r->body_fd, http_query_bool(r, "noOverwriteDirNonDir", false), &err);
        container_put(r->d, c);
        if (rc < 0)
                return http_error(r, &err);
        return http_empty(r, 200);
}
