/* Container filters (GET /containers/json, POST /containers/prune) with dockerd's meaning of each key. */
#include "container-filter.h"

#include "daemon/image/image.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const container_list_filter_keys[] = { "id",        "name",    "label",   "status", "ancestor", "before",
                                                   "since",     "volume",  "network", "exited", "health",   "is-task",
                                                   "isolation", "publish", "expose",  NULL };

static int64_t created_ns_locked(struct container *c)
{
        struct timespec ts;
        return parse_timestamp(json_get_str(c->doc, "Created", ""), &ts) < 0 ? 0 : timespec_to_ns(&ts);
}

/* before/since NAME: the Created time of that container */
static int created_of(struct pouchd *d, const struct filters *f, const char *key, int64_t *ret, struct pouch_err *err)
{
        for (char *const *v = filters_values(f, key); v && *v; v++) {
                struct container *c = NULL;
                if (container_get(d, *v, &c, err) < 0)
                        return err->code;
                pthread_mutex_lock(&d->lock);
                *ret = created_ns_locked(c);
                pthread_mutex_unlock(&d->lock);
                container_put(d, c);
        }
        return 0;
}

static bool valid_int(const char *s)
{
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        return *s && !*end && errno == 0 && v >= -2147483648L && v <= 2147483647L;
}

/* "80", "80/udp", "8000-8010/tcp": a port range and a protocol (tcp when not given) */
static bool parse_ports(const char *spec, unsigned *ret_lo, unsigned *ret_hi, const char **ret_proto)
{
        const char *slash = strchr(spec, '/'), *proto = slash ? slash + 1 : "tcp";
        size_t len = slash ? (size_t) (slash - spec) : strlen(spec);
        char range[16];
        if (len == 0 || len >= sizeof(range) || strspn(spec, "0123456789-") != len)
                return false;
        memcpy(range, spec, len);
        range[len] = '\0';
        unsigned lo = 0, hi = 0;
        int n = 0;
        bool ok;
        if (strchr(range, '-')) {
                ok = sscanf(range, "%u-%u%n", &lo, &hi, &n) == 2 && !range[n];
        } else {
                ok = sscanf(range, "%u%n", &lo, &n) == 1 && !range[n];
                hi = lo;
        }
        if (!ok || lo == 0 || lo > hi || hi > 65535 ||
            (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 && strcmp(proto, "sctp") != 0))
                return false;
        *ret_lo = lo;
        *ret_hi = hi;
        *ret_proto = proto;
        return true;
}

/* Does the spec cover one of the "80/tcp" keys of obj (PortBindings, ExposedPorts)? */
static bool ports_match(const char *spec, void *obj)
{
        unsigned lo, hi, port;
        const char *proto, *key;
        json_t *v;
        if (!parse_ports(spec, &lo, &hi, &proto))
                return false;
        json_object_foreach((json_t *) obj, key, v) {
                const char *slash = strchr(key, '/');
                if (sscanf(key, "%u", &port) == 1 && port >= lo && port <= hi &&
                    strcmp(slash ? slash + 1 : "tcp", proto) == 0)
                        return true;
        }
        return false;
}

static int check_values(const struct filters *f, struct container_filter *cf, struct pouch_err *err)
{
        static const char *const health[] = { "starting", "healthy", "unhealthy", "none" };
        char *const *v;
        for (v = filters_values(f, "status"); v && *v; v++)
                if (container_status_from_string(*v) < 0)
                        return err_set(err, -EINVAL, "invalid filter 'status=%s'", *v);
        for (v = filters_values(f, "exited"); v && *v; v++)
                if (!valid_int(*v))
                        return err_set(err, -EINVAL, "invalid filter 'exited=%s'", *v);
        for (v = filters_values(f, "health"); v && *v; v++) {
                bool ok = false;
                for (size_t i = 0; i < ARRAY_SIZE(health); i++)
                        ok |= strcmp(*v, health[i]) == 0;
                if (!ok)
                        return err_set(err, -EINVAL, "invalid filter 'health=%s'", *v);
        }
        static const char *const port_keys[] = { "publish", "expose" };
        for (size_t i = 0; i < ARRAY_SIZE(port_keys); i++)
                for (v = filters_values(f, port_keys[i]); v && *v; v++) {
                        unsigned lo, hi;
                        const char *proto;
                        if (!parse_ports(*v, &lo, &hi, &proto))
                                return err_set(err, -EINVAL, "invalid filter '%s=%s'", port_keys[i], *v);
                }
        bool task;
        int r = filters_get_bool(f, "is-task", &task, err);
        if (r < 0)
                return r;
        cf->is_task = r > 0 ? task : -1;
        return 0;
}

int container_filter_prepare(struct pouchd *d, const struct filters *f, struct container_filter *ret,
                             struct pouch_err *err)
{
        struct container_filter cf = { .f = f, .is_task = -1 };
        int r = check_values(f, &cf, err);
        if (r >= 0)
                r = created_of(d, f, "before", &cf.before_ns, err);
        if (r >= 0)
                r = created_of(d, f, "since", &cf.since_ns, err);
        for (char *const *v = filters_values(f, "ancestor"); r >= 0 && v && *v; v++) {
                char id[80];
                if (image_resolve(d->images, *v, id, NULL) == 0 && strv_push(&cf.ancestor_ids, id) < 0)
                        r = -ENOMEM;
        }
        if (r < 0) {
                container_filter_done(&cf);
                return r;
        }
        *ret = cf;
        return 0;
}

void container_filter_done(struct container_filter *cf)
{
        cf->ancestor_ids = strv_free(cf->ancestor_ids);
}

static bool prefix_of(const char *value, void *ud)
{
        return strncmp(ud, value, strlen(value)) == 0;
}

static bool contains(const char *value, void *ud)
{
        return strstr(ud, value) != NULL;
}

static bool exit_code_is(const char *value, void *ud)
{
        return strtol(value, NULL, 10) == *(int *) ud;
}

static bool ancestor_is(const char *value, void *ud)
{
        struct container *c = ud;
        return strcmp(json_get_str(json_object_get(c->doc, "Config"), "Image", ""), value) == 0;
}

/* a mount's volume name, source or destination */
static bool mount_is(const char *value, void *ud)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(((struct container *) ud)->doc, "Mounts"), i, m)
                if (strcmp(json_get_str(m, "Name", ""), value) == 0 ||
                    strcmp(json_get_str(m, "Source", ""), value) == 0 ||
                    strcmp(json_get_str(m, "Destination", ""), value) == 0)
                        return true;
        return false;
}

/* a network's name, or a prefix of its id */
static bool network_is(const char *value, void *ud)
{
        const char *name;
        json_t *nw;
        json_object_foreach(json_object_get(json_object_get(((struct container *) ud)->doc, "NetworkSettings"),
                                            "Networks"),
                            name, nw)
                if (strcmp(name, value) == 0 ||
                    (*value && prefix_of(value, (void *) json_get_str(nw, "NetworkID", ""))))
                        return true;
        return false;
}

static bool ancestor_matches(const struct container_filter *cf, struct container *c)
{
        char *const *v = filters_values(cf->f, "ancestor");
        if (!v || !*v)
                return true;
        return strv_contains(cf->ancestor_ids, json_get_str(c->doc, "Image", "")) ||
               filters_each_value(cf->f, "ancestor", ancestor_is, c);
}

static bool state_matches(const struct container_filter *cf, struct container *c)
{
        const json_t *state = json_object_get(c->doc, "State");
        if (!filters_match_exact(cf->f, "status", container_status_to_string(c->status)))
                return false;
        if (filters_has(cf->f, "exited")) {
                int code = (int) json_get_int(state, "ExitCode", 0);
                if (c->status != CONTAINER_EXITED || !filters_each_value(cf->f, "exited", exit_code_is, &code))
                        return false;
        }
        const char *health = json_get_str(json_object_get(state, "Health"), "Status", "");
        return filters_match_exact(cf->f, "health", *health ? health : "none");
}

bool container_filter_match_locked(const struct container_filter *cf, struct container *c)
{
        const struct filters *f = cf->f;
        const json_t *config = json_object_get(c->doc, "Config"), *hc = json_object_get(c->doc, "HostConfig");
        int64_t created = created_ns_locked(c);
        const char *isolation = json_get_str(hc, "Isolation", "");
        if (cf->is_task == 1 || (cf->before_ns && created >= cf->before_ns) ||
            (cf->since_ns && created <= cf->since_ns) || (cf->until_ns && created > cf->until_ns))
                return false;
        return filters_each_value(f, "id", prefix_of, c->id) &&
               filters_each_value(f, "name", contains, (void *) (container_name(c) + 1)) &&
               filters_match_label(f, json_object_get(config, "Labels")) && state_matches(cf, c) &&
               ancestor_matches(cf, c) && filters_each_value(f, "volume", mount_is, c) &&
               filters_each_value(f, "network", network_is, c) &&
               filters_match_exact(f, "isolation", *isolation ? isolation : "default") &&
               filters_each_value(f, "publish", ports_match, json_object_get(hc, "PortBindings")) &&
               filters_each_value(f, "expose", ports_match, json_object_get(config, "ExposedPorts"));
}
