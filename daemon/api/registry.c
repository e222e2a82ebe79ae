/* Registry endpoints: pull (POST /images/create?fromImage=), push, /auth. */
#include "api.h"

#include "lib/fsutil.h"

#include "daemon/api/stream-json.h"
#include "daemon/events.h"
#include "daemon/image/image.h"
#include "daemon/image/reference.h"
#include "daemon/registry/auth.h"
#include "daemon/registry/pull.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct registry_job {
        struct pouchd *d;
        char *name;
        char *user, *password;
        char *platform;
        bool push;
        int fd;
};

static void job_free(void *p)
{
        struct registry_job *j = p;
        free(j->name);
        free(j->user);
        free(j->password);
        free(j->platform);
        free(j);
}

/* Progress from pull/push. They build their messages from names already validated; a message
 * that could not be built (NULL) is left out, as it carries no error. */
static void send_msg(void *ud, const json_t *msg)
{
        struct registry_job *j = ud;
        if (msg)
                stream_json_send(j->fd, json_incref((json_t *) msg));
}

static void registry_worker(void *p, int fd)
{
        struct registry_job *j = p;
        j->fd = fd;
        struct registry_options o = { .mirrors = j->d->cfg.registry_mirrors,
                                      .insecure = j->d->cfg.insecure_registries,
                                      .user = j->user,
                                      .password = j->password,
                                      .platform = j->platform };
        struct pouch_err err = { 0 };
        char id[80];
        int r = j->push ? registry_push(j->d->images, j->name, &o, send_msg, j, &err)
                        : registry_pull(j->d->images, j->name, &o, send_msg, j, id, &err);
        if (r < 0) {
                /* headers are gone already: errors travel in the stream, as docker does; the
                 * message may quote a layer entry or a registry's answer, bytes of any kind */
                stream_json_error(fd, err.msg[0] ? err.msg : strerror(-r));
                log_warn("%s %s failed: %s", j->push ? "push" : "pull", j->name, err.msg);
                return;
        }
        event_publish(j->d->events, "image", j->push ? "push" : "pull", j->name, json_pack("{s:s}", "name", j->name));
}

static struct registry_job *job_new(struct http_req *r, const char *name, struct pouch_err *err)
{
        struct registry_job *j = calloc(1, sizeof(*j));
        j->d = r->d;
        j->name = strdup(name);
        const char *auth = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Registry-Auth");
        if (auth_decode_registry_header(auth, &j->user, &j->password) < 0) {
                job_free(j);
                err_set(err, -EINVAL, "invalid X-Registry-Auth header");
                return NULL;
        }
        const char *platform = http_query(r, "platform");
        j->platform = platform && *platform ? strdup(platform) : NULL;
        return j;
}

enum MHD_Result api_image_pull(struct http_req *r)
{
        const char *from = http_query(r, "fromImage");
        const char *tag = http_query(r, "tag");
        if (!from || !*from)
                return http_errorf(r, 400, "fromImage or fromSrc is required");
        _cleanup_free_ char *name = NULL;
        /* tag may be a tag or a digest; fromImage may already carry one */
        int n = tag && *tag ? asprintf(&name, "%s%s%s", from, strncmp(tag, "sha256:", 7) == 0 ? "@" : ":", tag)
                            : ((name = strdup(from)) ? 0 : -1);
        if (n < 0)
                return http_errorf(r, 500, "out of memory");
        struct image_ref ref;
        if (reference_parse(name, &ref) < 0)
                return http_errorf(r, 400, "invalid reference format: %s", name);
        reference_done(&ref);
        struct pouch_err err = { 0 };
        struct registry_job *j = job_new(r, name, &err);
        if (!j)
                return http_error(r, &err);
        return http_stream(r, 200, "application/json", registry_worker, j, job_free);
}

enum MHD_Result api_image_push(struct http_req *r)
{
        const char *tag = http_query(r, "tag");
        _cleanup_free_ char *name = NULL;
        int n = tag && *tag ? asprintf(&name, "%s:%s", r->params[0], tag) : ((name = strdup(r->params[0])) ? 0 : -1);
        if (n < 0)
                return http_errorf(r, 500, "out of memory");
        char id[80];
        struct pouch_err err = { 0 };
        if (image_resolve(r->d->images, name, id, &err) < 0)
                return http_errorf(r, 404, "An image does not exist locally with the tag: %s", name);
        struct registry_job *j = job_new(r, name, &err);
        if (!j)
                return http_error(r, &err);
        j->push = true;
        return http_stream(r, 200, "application/json", registry_worker, j, job_free);
}

enum MHD_Result api_auth(struct http_req *r)
{
        enum MHD_Result res;
        _cleanup_json_ json_t *body = http_body_json(r, false, &res);
        if (!body)
                return res;
        struct registry_options o = { .insecure = r->d->cfg.insecure_registries,
                                      .user = json_get_str(body, "username", NULL),
                                      .password = json_get_str(body, "password", NULL) };
        struct pouch_err err = { 0 };
        if (registry_login(json_get_str(body, "serveraddress", ""), &o, &err) < 0)
                return http_errorf(r, err.code == -EACCES ? 401 : 500, "login failed: %s", err.msg);
        return http_json(r, 200, json_pack("{s:s,s:s}", "Status", "Login Succeeded", "IdentityToken", ""));
}
