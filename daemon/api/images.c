/* Image endpoints: list, inspect, delete, tag, load, save, import. */
#include "api.h"

#include "lib/fsutil.h"

#include "daemon/api/stream-json.h"
#include "daemon/events.h"
#include "daemon/image/image.h"
#include "daemon/image/reference.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "lib/util.h"

#include <ctype.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const list_filters[] = {
        "dangling", "label", "label!", "before", "since", "reference", "until", NULL
};
static const char *const prune_filters[] = { "dangling", "label", "label!", "until", NULL };

/* "busybox" matches any tag of busybox; "busybox:1" exactly */
static bool reference_matches(const char *v, void *ud)
{
        size_t i, vl = strlen(v);
        json_t *tag;
        json_array_foreach((json_t *) ud, i, tag) {
                const char *s = json_string_value(tag);
                if (s && (strcmp(s, v) == 0 || (strncmp(s, v, vl) == 0 && s[vl] == ':' && !strchr(v, ':'))))
                        return true;
        }
        return false;
}

/* The bounds the filters put on Created (seconds): before and since name images, until is a time. */
struct image_window {
        int64_t before, since, until; /* 0 = none */
};

static int created_of(json_t *all, struct http_req *r, const char *ref, int64_t *ret, struct pouch_err *err)
{
        char id[80];
        if (image_resolve(r->d->images, ref, id, err) < 0)
                return err->code;
        size_t i;
        json_t *img;
        json_array_foreach(all, i, img)
                if (strcmp(json_get_str(img, "Id", ""), id) == 0) {
                        *ret = json_get_int(img, "Created", 0);
                        return 0;
                }
        return err_set(err, -ENOENT, "No such image: %s", ref);
}

static int image_window(struct http_req *r, json_t *all, const struct filters *f, struct image_window *w,
                        struct pouch_err *err)
{
        char *const *v;
        for (v = filters_values(f, "before"); v && *v; v++)
                if (created_of(all, r, *v, &w->before, err) < 0)
                        return err->code;
        for (v = filters_values(f, "since"); v && *v; v++)
                if (created_of(all, r, *v, &w->since, err) < 0)
                        return err->code;
        struct timespec now = now_realtime();
        int64_t until_ns;
        int k = filters_get_time(f, "until", timespec_to_ns(&now), &until_ns, err);
        if (k > 0)
                w->until = until_ns / 1000000000LL;
        return k < 0 ? k : 0;
}

static bool image_matches(json_t *img, const struct filters *f, const struct image_window *w)
{
        json_t *tags = json_object_get(img, "RepoTags");
        bool dangling;
        if (filters_get_bool(f, "dangling", &dangling, NULL) > 0 && dangling != (json_array_size(tags) == 0))
                return false;
        int64_t created = json_get_int(img, "Created", 0);
        if ((w->before && created >= w->before) || (w->since && created <= w->since) ||
            (w->until && created > w->until))
                return false;
        return filters_each_value(f, "reference", reference_matches, tags) &&
               filters_match_label(f, json_object_get(img, "Labels"));
}

enum MHD_Result api_image_list(struct http_req *r)
{
        struct pouch_err err = { 0 };
        _cleanup_filters_ struct filters *f = NULL;
        bool dangling;
        if (http_filters(r, list_filters, &f, &err) < 0 || filters_get_bool(f, "dangling", &dangling, &err) < 0)
                return http_error(r, &err);
        _cleanup_json_ json_t *all = NULL;
        struct image_window w = { 0 };
        if (image_list(r->d->images, &all, &err) < 0 || image_window(r, all, f, &w, &err) < 0)
                return http_error(r, &err);
        json_t *out = json_array();
        size_t i;
        json_t *img;
        json_array_foreach(all, i, img)
                if (image_matches(img, f, &w))
                        json_array_append(out, img);
        return http_json(r, 200, out);
}

enum MHD_Result api_image_inspect(struct http_req *r)
{
        struct pouch_err err = { 0 };
        json_t *j = NULL;
        if (image_inspect(r->d->images, r->params[0], &j, &err) < 0)
                return http_error(r, &err);
        return http_json(r, 200, j);
}

enum MHD_Result api_image_delete(struct http_req *r)
{
        struct pouch_err err = { 0 };
        json_t *report = NULL;
        if (image_remove(r->d->images, r->params[0], http_query_bool(r, "force", false), containers_image_in_use, r->d,
                         &report, &err) < 0)
                return http_error(r, &err);
        size_t i;
        json_t *v;
        json_array_foreach(report, i, v) {
                if (json_object_get(v, "Untagged"))
                        event_publish(r->d->events, "image", "untag", json_get_str(v, "Untagged", ""), NULL);
                if (json_object_get(v, "Deleted"))
                        event_publish(r->d->events, "image", "delete", json_get_str(v, "Deleted", ""), NULL);
        }
        return http_json(r, 200, report);
}

enum MHD_Result api_image_tag(struct http_req *r)
{
        const char *repo = http_query(r, "repo");
        if (!repo || !*repo)
                return http_errorf(r, 400, "repository name is required");
        struct pouch_err err = { 0 };
        if (image_tag(r->d->images, r->params[0], repo, http_query(r, "tag"), &err) < 0)
                return http_error(r, &err);
        char id[80];
        if (image_resolve(r->d->images, r->params[0], id, NULL) == 0)
                event_publish(r->d->events, "image", "tag", id, json_pack("{s:s}", "name", repo));
        return http_empty(r, 201);
}

struct load_job {
        struct pouchd *d;
        int fd;
        bool import;
        char *ref;
        json_t *changes;
};

static void load_free(void *p)
{
        struct load_job *j = p;
        close(j->fd);
        free(j->ref);
        json_decref(j->changes);
        free(j);
}

static void load_message(void *ud, const char *line)
{
        int fd = *(int *) ud;
        _cleanup_free_ char *l = NULL;
        if (asprintf(&l, "%s\n", line) < 0)
                return;
        stream_json_text(fd, "stream", l);
}

static void load_worker(void *p, int fd)
{
        struct load_job *j = p;
        struct pouch_err err = { 0 };
        int r;
        if (j->import) {
                char id[80];
                r = image_import(j->d->images, j->fd, j->ref, j->changes, id, &err);
                if (r == 0) {
                        _cleanup_free_ char *line = NULL;
                        if (asprintf(&line, "%s\n", id) >= 0)
                                stream_json_text(fd, "status", line);
                        event_publish(j->d->events, "image", "import", id, NULL);
                }
        } else {
                r = image_load(j->d->images, j->fd, load_message, &fd, &err);
                if (r == 0)
                        event_publish(j->d->events, "image", "load", "", NULL);
        }
        /* the status line is already sent: report like docker, in the JSON stream */
        if (r < 0)
                stream_json_error(fd, err.msg[0] ? err.msg : strerror(-r));
}

enum MHD_Result api_image_load(struct http_req *r)
{
        struct load_job *j = calloc(1, sizeof(*j));
        j->d = r->d;
        j->fd = TAKE_FD(r->body_fd);
        return http_stream(r, 200, "application/json", load_worker, j, load_free);
}

/* Dockerfile-ish changes for import: "CMD [..]" / "CMD x y", "ENV k=v", "WORKDIR /x",
 * "ENTRYPOINT ...", "USER u", "LABEL k=v", "EXPOSE 80", "VOLUME /data" or "VOLUME ["/a","/b"]",
 * "STOPSIGNAL SIGINT". */
static int parse_change(json_t *cfg, const char *change, struct pouch_err *err)
{
        char verb[32];
        /* the image config is JSON: bytes jansson refuses would silently drop the change */
        if (!utf8_is_valid(change))
                return err_set(err, -EINVAL, "invalid change: %s: not valid UTF-8", change);
        const char *sp = strchr(change, ' ');
        if (!sp || (size_t) (sp - change) >= sizeof(verb))
                return err_set(err, -EINVAL, "invalid change: %s", change);
        snprintf(verb, sizeof(verb), "%.*s", (int) (sp - change), change);
        const char *arg = sp + 1;
        for (char *v = verb; *v; v++)
                *v = (char) toupper((unsigned char) *v);
        if (strcmp(verb, "CMD") == 0 || strcmp(verb, "ENTRYPOINT") == 0) {
                json_t *a = json_loads(arg, 0, NULL);
                if (!json_is_array(a)) {
                        json_decref(a);
                        a = json_pack("[s,s,s]", "/bin/sh", "-c", arg);
                }
                json_object_set_new(cfg, strcmp(verb, "CMD") == 0 ? "Cmd" : "Entrypoint", a);
        } else if (strcmp(verb, "ENV") == 0) {
                json_t *env = json_object_get(cfg, "Env");
                if (!env) {
                        env = json_array();
                        json_object_set_new(cfg, "Env", env);
                }
                json_array_append_new(env, json_string(arg));
        } else if (strcmp(verb, "WORKDIR") == 0) {
                json_object_set_new(cfg, "WorkingDir", json_string(arg));
        } else if (strcmp(verb, "USER") == 0) {
                json_object_set_new(cfg, "User", json_string(arg));
        } else if (strcmp(verb, "LABEL") == 0) {
                const char *eq = strchr(arg, '=');
                if (!eq)
                        return err_set(err, -EINVAL, "invalid LABEL change: %s", change);
                json_t *l = json_object_get(cfg, "Labels");
                if (!l) {
                        l = json_object();
                        json_object_set_new(cfg, "Labels", l);
                }
                char key[256];
                snprintf(key, sizeof(key), "%.*s", (int) (eq - arg), arg);
                json_object_set_new(l, key, json_string(eq + 1));
        } else if (strcmp(verb, "EXPOSE") == 0) {
                json_t *p = json_object_get(cfg, "ExposedPorts");
                if (!p) {
                        p = json_object();
                        json_object_set_new(cfg, "ExposedPorts", p);
                }
                char port[64];
                snprintf(port, sizeof(port), strchr(arg, '/') ? "%s" : "%s/tcp", arg);
                json_object_set_new(p, port, json_object());
        } else if (strcmp(verb, "VOLUME") == 0 || strcmp(verb, "STOPSIGNAL") == 0) {
                if (strcmp(verb, "STOPSIGNAL") == 0) {
                        json_object_set_new(cfg, "StopSignal", json_string(arg));
                        return 0;
                }
                json_t *vols = json_object_get(cfg, "Volumes");
                if (!vols) {
                        vols = json_object();
                        json_object_set_new(cfg, "Volumes", vols);
                }
                json_t *list = json_loads(arg, 0, NULL);
                if (!json_is_array(list)) {
                        json_decref(list);
                        list = json_pack("[s]", arg);
                }
                size_t i;
                json_t *v;
                json_array_foreach(list, i, v) {
                        if (!json_is_string(v) || json_string_value(v)[0] != '/') {
                                json_decref(list);
                                return err_set(err, -EINVAL, "invalid VOLUME change: %s (absolute paths only)", change);
                        }
                        json_object_set_new(vols, json_string_value(v), json_object());
                }
                json_decref(list);
        } else {
                return err_set(err, -EINVAL, "%s is not a valid change command", verb);
        }
        return 0;
}

struct change_collect {
        json_t *cfg;
        struct pouch_err *err;
        int r;
};

/* "changes" may be repeated in the query. */
static enum MHD_Result collect_change(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
        (void) kind;
        struct change_collect *c = cls;
        if (key && strcmp(key, "changes") == 0 && value && *value && c->r == 0)
                c->r = parse_change(c->cfg, value, c->err);
        return MHD_YES;
}

enum MHD_Result api_image_create(struct http_req *r)
{
        const char *src = http_query(r, "fromSrc");
        if (!src || !*src)
                return api_image_pull(r);
        if (strcmp(src, "-") != 0)
                return http_errorf(r, 400,
                                   "importing from a URL is not supported: use fromSrc=- with the tarball as body");
        struct load_job *j = calloc(1, sizeof(*j));
        j->d = r->d;
        j->import = true;
        j->fd = TAKE_FD(r->body_fd);
        const char *repo = http_query(r, "repo"), *tag = http_query(r, "tag");
        if (repo && *repo) {
                if (tag && *tag) {
                        if (asprintf(&j->ref, "%s:%s", repo, tag) < 0)
                                j->ref = NULL;
                } else {
                        j->ref = strdup(repo);
                }
                /* a bad name gets a 400 now, before the stream's 200 is sent */
                if (!j->ref) {
                        load_free(j);
                        return http_errorf(r, 500, "out of memory");
                }
                struct image_ref ref;
                bool ok = reference_parse(j->ref, &ref) == 0 && !ref.digest;
                if (ok)
                        reference_done(&ref);
                if (!ok) {
                        load_free(j);
                        return http_errorf(r, 400, "invalid reference format: %s%s%s", repo, tag && *tag ? ":" : "",
                                           tag && *tag ? tag : "");
                }
        }
        j->changes = json_object();
        struct pouch_err err = { 0 };
        struct change_collect col = { j->changes, &err, 0 };
        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_change, &col);
        if (col.r < 0) {
                load_free(j);
                return http_error(r, &err);
        }
        return http_stream(r, 200, "application/json", load_worker, j, load_free);
}

struct save_job {
        struct pouchd *d;
        char **names;
};

static void save_worker(void *p, int fd)
{
        struct save_job *j = p;
        struct pouch_err err = { 0 };
        if (image_save(j->d->images, j->names, fd, &err) < 0)
                log_warn("image save failed: %s", err.msg);
}

static void save_free(void *p)
{
        struct save_job *j = p;
        strv_free(j->names);
        free(j);
}

static enum MHD_Result iter_names(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
        (void) kind;
        if (key && strcmp(key, "names") == 0 && value)
                strv_push((char ***) cls, value);
        return MHD_YES;
}

enum MHD_Result api_image_get(struct http_req *r)
{
        char **names = strv_new();
        if (r->params[0])
                strv_push(&names, r->params[0]);
        else
                MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, iter_names, &names);
        if (strv_length(names) == 0) {
                strv_free(names);
                return http_errorf(r, 400, "no image names given");
        }
        /* fail early with a proper status for unknown names */
        for (char **n = names; *n; n++) {
                char id[80];
                struct pouch_err err = { 0 };
                if (image_resolve(r->d->images, *n, id, &err) < 0) {
                        strv_free(names);
                        return http_error(r, &err);
                }
        }
        struct save_job *j = calloc(1, sizeof(*j));
        j->d = r->d;
        j->names = names;
        return http_stream(r, 200, "application/x-tar", save_worker, j, save_free);
}

enum MHD_Result api_image_history(struct http_req *r)
{
        struct pouch_err err = { 0 };
        json_t *h = NULL;
        if (image_history(r->d->images, r->params[0], &h, &err) < 0)
                return http_error(r, &err);
        return http_json(r, 200, h);
}

/* POST /images/prune: dangling (untagged) images nobody uses; with filters dangling=false every
 * unused image. Each removal goes through image_remove, which refuses images containers use. */
enum MHD_Result api_image_prune(struct http_req *r)
{
        struct pouch_err err = { 0 };
        _cleanup_filters_ struct filters *f = NULL;
        bool dangling = true;
        if (http_filters(r, prune_filters, &f, &err) < 0 || filters_get_bool(f, "dangling", &dangling, &err) < 0)
                return http_error(r, &err);
        _cleanup_json_ json_t *imgs = NULL;
        struct image_window w = { 0 };
        if (image_list(r->d->images, &imgs, &err) < 0 || image_window(r, imgs, f, &w, &err) < 0)
                return http_error(r, &err);
        json_t *deleted = json_array();
        json_int_t reclaimed = 0;
        size_t i;
        json_t *img;
        json_array_foreach(imgs, i, img) {
                const char *id = json_get_str(img, "Id", "");
                /* dangling=true (the default) keeps tagged images; "dangling" itself is not matched again */
                if ((dangling && json_array_size(json_object_get(img, "RepoTags")) > 0) ||
                    (w.until && json_get_int(img, "Created", 0) > w.until) ||
                    !filters_match_label(f, json_object_get(img, "Labels")))
                        continue;
                if (containers_image_in_use(r->d, id))
                        continue;
                json_t *report = NULL;
                if (image_remove(r->d->images, id, true, containers_image_in_use, r->d, &report, NULL) < 0)
                        continue;
                reclaimed += json_get_int(img, "Size", 0);
                json_array_extend(deleted, report);
                event_publish(r->d->events, "image", "delete", id, NULL);
                json_decref(report);
        }
        return http_json(r, 200, json_pack("{s:o,s:I}", "ImagesDeleted", deleted, "SpaceReclaimed", reclaimed));
}
