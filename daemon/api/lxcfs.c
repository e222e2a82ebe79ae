/* POST /containers/{id}/remount-lxcfs and POST /lxcfs/remount (pouch extensions). */
#include "api.h"

#include "daemon/container-lxcfs.h"

#include "lib/cleanup.h"

/* Re-bind lxcfs's views inside one running container: 204. */
enum MHD_Result api_container_remount_lxcfs(struct http_req *r)
{
        struct container *c = NULL;
        struct pouch_err err = { 0 };
        if (container_get(r->d, r->params[0], &c, &err) < 0)
                return http_error(r, &err);
        int rc = container_lxcfs_remount(r->d, c, &err);
        container_put(r->d, c);
        return rc < 0 ? http_error(r, &err) : http_empty(r, 204);
}

/* Every running container that uses lxcfs: 200 {"Remounted":[ids],"Errors":[{"Id","Error"}]}. */
enum MHD_Result api_lxcfs_remount(struct http_req *r)
{
        json_t *rep = containers_lxcfs_remount_all(r->d);
        if (!rep)
                return http_errorf(r, 500, "out of memory");
        return http_json(r, 200, rep);
}
