/* Container filters (GET /containers/json, POST /containers/prune) with dockerd's meaning of each key. */
#include "container-filter.h"

#include "daemon/image/image.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const container_list_filter_keys[] = { "id",     "name",    "label",  "status",  "ancestor",
                                                   "before", "since",   "volume", "network", "exited",
                                                   "health", "is-task", "isolation", "publish", "expose",
                                                   NULL };

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

/* "80", "80/udp", "8000-8010/tcp" -> "80/tcp" ... */
static int add_ports(const char *key, const char *spec, char ***ports, struct pouch_err *err)
{
        unsigned lo, hi;
        char proto[8] = "tcp";
        int n = 0;
        if (!strchr(spec, ':') && (sscanf(spec, "%u-%u%n", &lo, &hi, &n) == 2 || (n = 0, sscanf(spec, "%u%n", &lo, &n) == 1))) {
                if (!strchr(spec, '-'))
                        hi = lo;
                if (spec[n] == '/' && strlen(spec + n + 1) < sizeof(proto) && spec[n + 1])
                        snprintf(proto, sizeof(proto), "%s", spec + n + 1);
                else if (spec[n])
                        n = -1;
        } else {
                n = -1;
        }
        if (n < 0 || lo == 0 || hi < lo || hi > 65535 || hi - lo > 65535)
                return err_set(err, -EINVAL, "invalid filter '%s=%s'", key, spec);
        for (unsigned p = lo; p <= hi; p++) {
                char k[32];
                snprintf(k, sizeof(k), "%u/%s", p, proto);
                if (strv_push(ports, k) < 0)
                        return -ENOMEM;
        }
        return 0;
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
        for (v = filters_values(f, "publish"); v && *v; v++)
                if (add_ports("publish", *v, &cf->publish, err) < 0)
                        return err->code ? err->code : -ENOMEM;
        for (v = filters_values(f, "expose"); v && *v; v++)
                if (add_ports("expose", *v, &cf->expose, err) < 0)
                        return err->code ? err->code : -ENOMEM;
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
        cf->publish = strv_free(cf->publish);
        cf->expose = strv_free(cf->expose);
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
                if (strcmp(json_get_str(m, "Name", ""), value) == 0 || strcmp(json_get_str(m, "Source", ""), value) == 0 ||
                    strcmp(json_get_str(m, "Destination", ""), value) == 0)
                        return true;
        return false;
}

/* a network's name, or a prefix of its id */
static bool network_is(const char *value, void *ud)
{
        const char *name;
        json_t *nw;
        json_object_foreach(json_object_get(json_object_get(((struct container *) ud)->doc, "NetworkSettings"), "Networks"),
                            name, nw)
                if (strcmp(name, value) == 0 || (*value && prefix_of(value, (void *) json_get_str(nw, "NetworkID", ""))))
                        return true;
        return false;
}

static bool any_port(char **ports, const json_t *obj)
{
        if (!ports)
                return true;
        for (char **p = ports; *p; p++)
                if (json_object_get(obj, *p))
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
               any_port(cf->publish, json_object_get(hc, "PortBindings")) &&
               any_port(cf->expose, json_object_get(config, "ExposedPorts"));
}
