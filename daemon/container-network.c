/* Containers on networks: the glue between the container lifecycle and daemon/network.
 *
 * NetworkSettings.Networks of the container record lists the networks it belongs to (the key is
 * the network's name; the value Docker's endpoint object, with the user's IPAMConfig and Aliases).
 * At start a bridge-mode container gets a network namespace kept at <home>/netns/<id>, an endpoint
 * on each of its networks (eth0, eth1, ... in record order) and /etc/hosts, resolv.conf and
 * hostname that name it and its peers. Every exit, failed start and removal tears this down; a
 * daemon restart detaches what belongs to containers that are gone or no longer run. */
#include "events.h"
#include "lifecycle.h"
#include "network/network.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool mode_has_endpoints(const char *mode)
{
        return strcmp(mode, "host") != 0 && strcmp(mode, "none") != 0 && strncmp(mode, "container:", 10) != 0;
}

static const char *primary_network(const json_t *hc)
{
        const char *m = json_get_str(hc, "NetworkMode", "default");
        return !*m || strcmp(m, "default") == 0 ? "bridge" : m;
}

static char *netns_path(struct pouchd *d, const char *id)
{
        char *p = NULL;
        if (asprintf(&p, "%s/netns/%s", d->home, id) < 0)
                return NULL;
        return p;
}

/* Copy of the parts of an EndpointSettings the user may set (create, connect). */
static json_t *endpoint_request(const json_t *cfg)
{
        json_t *ipam = json_object_get(cfg, "IPAMConfig");
        json_t *aliases = json_object_get(cfg, "Aliases");
        return json_pack("{s:o,s:o,s:s,s:s,s:s,s:i,s:s,s:s}", "IPAMConfig",
                         json_is_object(ipam) ? json_deep_copy(ipam) : json_null(), "Aliases",
                         json_is_array(aliases) ? json_deep_copy(aliases) : json_null(), "NetworkID", "", "EndpointID",
                         "", "IPAddress", "", "IPPrefixLen", 0, "Gateway", "", "MacAddress", "");
}

static const char *requested_ip(const json_t *ep)
{
        const char *ip = json_get_str(json_object_get(ep, "IPAMConfig"), "IPv4Address", "");
        return *ip ? ip : NULL;
}

int container_network_prepare(struct pouchd *d, json_t *hc, const json_t *networking_config, json_t **ret_networks,
                              struct pouch_err *err)
{
        const char *mode = primary_network(hc);
        json_t *eps = json_object_get(networking_config, "EndpointsConfig");
        if (strncmp(mode, "container:", 10) == 0) {
                struct container *other = NULL;
                int r = container_get(d, mode + 10, &other, err);
                if (r < 0)
                        return r;
                container_put(d, other);
        }
        if (!mode_has_endpoints(mode)) {
                *ret_networks = json_pack("{s:o}", strncmp(mode, "container:", 10) ? mode : "container",
                                          endpoint_request(NULL));
                return *ret_networks ? 0 : -ENOMEM;
        }
        _cleanup_json_ json_t *net = NULL;
        int r = network_inspect(d->networks, mode, &net, err);
        if (r == -ENOENT) /* a 404 would make docker's CLI look for the image instead */
                return err_set(err, -EINVAL, "network %s not found", mode);
        if (r < 0)
                return r;
        const char *name = json_get_str(net, "Name", mode);
        json_t *req = json_object_get(eps, mode);
        if (!req)
                req = json_object_get(eps, name);
        json_t *ep = endpoint_request(req);
        if (requested_ip(ep) && strcmp(name, "bridge") == 0) {
                json_decref(ep);
                return err_set(err, -EINVAL, "user specified IP address is supported on user defined networks only");
        }
        if (json_array_size(json_object_get(ep, "Aliases")) && strcmp(name, "bridge") == 0) {
                json_decref(ep);
                return err_set(err, -EINVAL,
                               "network-scoped alias is supported only for containers in user defined networks");
        }
        *ret_networks = json_pack("{s:o}", name, ep);
        return *ret_networks ? 0 : -ENOMEM;
}

/* The etc-file options of a container from its record. Caller holds d->lock; strings point into
 * the record (copy what must outlive the lock). */
struct etc_inputs {
        char *hostname, *domainname, *name, *ip, *gateway;
        char **extra_hosts, **dns, **dns_search, **dns_options;
        char **user_networks;
};

static void etc_inputs_done(struct etc_inputs *e)
{
        free(e->hostname);
        free(e->domainname);
        free(e->name);
        free(e->ip);
        free(e->gateway);
        strv_free(e->extra_hosts);
        strv_free(e->dns);
        strv_free(e->dns_search);
        strv_free(e->dns_options);
        strv_free(e->user_networks);
}

static char **strv_from_json(const json_t *a)
{
        char **v = strv_new();
        size_t i;
        json_t *s;
        json_array_foreach(a, i, s)
                if (json_is_string(s))
                        strv_push(&v, json_string_value(s));
        return v;
}

static void etc_inputs_from_doc_locked(struct container *c, struct etc_inputs *e)
{
        const json_t *config = json_object_get(c->doc, "Config");
        const json_t *hc = json_object_get(c->doc, "HostConfig");
        e->hostname = strdup(json_get_str(config, "Hostname", ""));
        e->domainname = strdup(json_get_str(config, "Domainname", ""));
        e->name = strdup(container_name(c) + 1);
        e->extra_hosts = strv_from_json(json_object_get(hc, "ExtraHosts"));
        e->dns = strv_from_json(json_object_get(hc, "Dns"));
        e->dns_search = strv_from_json(json_object_get(hc, "DnsSearch"));
        e->dns_options = strv_from_json(json_object_get(hc, "DnsOptions"));
        e->user_networks = strv_new();
        const char *key;
        json_t *ep;
        json_object_foreach(json_object_get(json_object_get(c->doc, "NetworkSettings"), "Networks"), key, ep) {
                if (!e->ip && *json_get_str(ep, "IPAddress", "")) {
                        e->ip = strdup(json_get_str(ep, "IPAddress", ""));
                        e->gateway = strdup(json_get_str(ep, "Gateway", ""));
                }
                /* Docker's default bridge has no name resolution between containers */
                if (strcmp(key, "bridge") != 0)
                        strv_push(&e->user_networks, key);
        }
}

/* Rewrite a file in place: it is bind-mounted into the running container (a rename would leave
 * the container on the old inode). */
static int rewrite_in_place(const char *path, const char *content)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        return write_all(fd, content, strlen(content));
}

/* /etc/hosts (and at start resolv.conf and hostname) of c from its record and its peers. */
static int write_etc_files(struct pouchd *d, struct container *c, bool hosts_only, struct pouch_err *err)
{
        struct etc_inputs e = { 0 };
        pthread_mutex_lock(&d->lock);
        etc_inputs_from_doc_locked(c, &e);
        pthread_mutex_unlock(&d->lock);
        json_t *peers = json_object();
        for (char **n = e.user_networks; n && *n; n++) {
                json_t *p = network_peers(d->networks, *n, c->id);
                json_object_update_missing(peers, p);
                json_decref(p);
        }
        struct etc_files_opts o = {
                .hostname = e.hostname,
                .domainname = e.domainname,
                .ip = e.ip,
                .gateway = e.gateway,
                .container_name = e.name,
                .extra_hosts = e.extra_hosts,
                .dns = e.dns,
                .dns_search = e.dns_search,
                .dns_options = e.dns_options,
                .peers = peers,
        };
        _cleanup_free_ char *hosts = NULL, *resolv = NULL, *host_resolv = NULL;
        int r = network_hosts_content(&o, &hosts, err);
        if (r >= 0 && !hosts_only) {
                if (read_file("/etc/resolv.conf", 1 << 16, &host_resolv, NULL) < 0)
                        host_resolv = NULL;
                r = network_resolv_conf_content(host_resolv, &o, &resolv, err);
        }
        json_decref(peers);
        if (r >= 0) {
                _cleanup_free_ char *hp = container_dir(d, c->id, "hosts");
                _cleanup_free_ char *rp = container_dir(d, c->id, "resolv.conf");
                _cleanup_free_ char *np = container_dir(d, c->id, "hostname");
                _cleanup_free_ char *hn = NULL;
                if (!hp || !rp || !np || asprintf(&hn, "%s\n", e.hostname) < 0)
                        r = -ENOMEM;
                else if ((r = rewrite_in_place(hp, hosts)) < 0 ||
                         (!hosts_only &&
                          ((r = rewrite_in_place(rp, resolv)) < 0 || (r = rewrite_in_place(np, hn)) < 0)))
                        err_set(err, r, "cannot write the container's /etc files: %s", strerror(-r));
        }
        etc_inputs_done(&e);
        return r;
}

/* Containers (other than except) that run and belong to network: refresh their /etc/hosts. */
static void refresh_peers(struct pouchd *d, char *const *networks, const struct container *except)
{
        if (!networks || !*networks)
                return;
        struct container **list = NULL;
        size_t n = 0;
        pthread_mutex_lock(&d->lock);
        for (struct container *c = d->containers; c; c = c->next) {
                if (c == except || (c->status != CONTAINER_RUNNING && c->status != CONTAINER_PAUSED))
                        continue;
                json_t *nets = json_object_get(json_object_get(c->doc, "NetworkSettings"), "Networks");
                bool member = false;
                for (char *const *k = networks; *k && !member; k++)
                        member = json_object_get(nets, *k) != NULL;
                if (!member)
                        continue;
                struct container **nl = realloc(list, (n + 1) * sizeof(*list));
                if (!nl)
                        break;
                list = nl;
                c->refs++;
                list[n++] = c;
        }
        pthread_mutex_unlock(&d->lock);
        for (size_t i = 0; i < n; i++) {
                struct pouch_err err = { 0 };
                if (write_etc_files(d, list[i], true, &err) < 0)
                        log_warn("Cannot refresh /etc/hosts of container %.12s: %s", list[i]->id, err.msg);
                container_put(d, list[i]);
        }
        free(list);
}

static char **user_network_names(const json_t *networks)
{
        char **v = strv_new();
        const char *key;
        json_t *ep;
        json_object_foreach((json_t *) networks, key, ep)
                if (strcmp(key, "bridge") != 0)
                        strv_push(&v, key);
        return v;
}

/* Record the attach results: endpoints, ports, sandbox; Docker's top-level fields follow the
 * default bridge's endpoint. Caller holds d->lock. */
static void record_endpoints_locked(struct container *c, const char *sandbox)
{
        json_t *ns = json_object_get(c->doc, "NetworkSettings");
        json_t *nets = json_object_get(ns, "Networks");
        json_t *bridge = json_object_get(nets, "bridge");
        json_object_set_new(ns, "SandboxKey", json_string(sandbox ? sandbox : ""));
        json_object_set_new(ns, "SandboxID", json_string(sandbox ? c->id : ""));
        const char *keys[] = { "IPAddress", "Gateway", "MacAddress" };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                json_object_set_new(ns, keys[i], json_string(json_get_str(bridge, keys[i], "")));
        json_object_set_new(ns, "IPPrefixLen", json_integer(json_get_int(bridge, "IPPrefixLen", 0)));
}

static void clear_endpoints_locked(struct container *c)
{
        json_t *ns = json_object_get(c->doc, "NetworkSettings");
        const char *key;
        json_t *ep;
        json_object_foreach(json_object_get(ns, "Networks"), key, ep) {
                json_t *clean = endpoint_request(ep);
                json_object_set_new(clean, "NetworkID", json_string(json_get_str(ep, "NetworkID", "")));
                json_object_set_new(json_object_get(ns, "Networks"), key, clean);
        }
        json_object_set_new(ns, "Ports", json_object());
        record_endpoints_locked(c, NULL);
}

static json_t *attach_bindings(struct pouchd *d, struct container *c)
{
        pthread_mutex_lock(&d->lock);
        const json_t *hc = json_object_get(c->doc, "HostConfig");
        json_t *bindings = json_deep_copy(json_object_get(hc, "PortBindings"));
        if (!json_is_object(bindings)) {
                json_decref(bindings);
                bindings = json_object();
        }
        if (json_get_bool(hc, "PublishAllPorts", false)) {
                json_t *exposed = json_deep_copy(json_object_get(json_object_get(c->doc, "Config"), "ExposedPorts"));
                if (json_is_object(exposed))
                        ports_publish_all(exposed, bindings);
                json_decref(exposed);
        }
        pthread_mutex_unlock(&d->lock);
        return bindings;
}

static int attach_one(struct pouchd *d, struct container *c, const char *network, const json_t *req, unsigned index,
                      const char *ns, json_t *bindings, struct pouch_err *err)
{
        char ifname[16], short_id[13];
        snprintf(ifname, sizeof(ifname), "eth%u", index);
        snprintf(short_id, sizeof(short_id), "%.12s", c->id);
        pthread_mutex_lock(&d->lock);
        _cleanup_free_ char *name = strdup(container_name(c) + 1);
        pthread_mutex_unlock(&d->lock);
        _cleanup_json_ json_t *aliases = json_is_array(json_object_get(req, "Aliases"))
                                                 ? json_deep_copy(json_object_get(req, "Aliases"))
                                                 : json_array();
        /* on user networks Docker answers to the short id too */
        if (strcmp(network, "bridge") != 0)
                json_array_append_new(aliases, json_string(short_id));
        struct net_attach_opts o = {
                .container_id = c->id,
                .container_name = name,
                .netns_path = ns,
                .ifname = ifname,
                .ip = requested_ip(req),
                .port_bindings = index == 0 ? bindings : NULL,
                .aliases = aliases,
        };
        json_t *ep = NULL;
        int r = network_attach(d->networks, network, &o, &ep, err);
        if (r < 0)
                return r;
        event_publish(d->events, "network", "connect", json_get_str(ep, "NetworkID", ""),
                      json_pack("{s:s,s:s,s:s}", "container", c->id, "name", network, "type", "bridge"));
        json_object_set(ep, "IPAMConfig",
                        json_object_get(req, "IPAMConfig") ? json_object_get(req, "IPAMConfig") : json_null());
        pthread_mutex_lock(&d->lock);
        json_t *nets = json_object_get(json_object_get(c->doc, "NetworkSettings"), "Networks");
        json_object_set_new(nets, network, ep);
        pthread_mutex_unlock(&d->lock);
        return 0;
}

int container_network_setup(struct pouchd *d, struct container *c, char **ret_netns, struct pouch_err *err)
{
        *ret_netns = NULL;
        pthread_mutex_lock(&d->lock);
        const json_t *hc = json_object_get(c->doc, "HostConfig");
        _cleanup_free_ char *mode = strdup(primary_network(hc));
        _cleanup_json_ json_t *nets = json_deep_copy(
                json_object_get(json_object_get(c->doc, "NetworkSettings"), "Networks"));
        pthread_mutex_unlock(&d->lock);
        if (!mode || !nets)
                return -ENOMEM;
        if (strncmp(mode, "container:", 10) == 0) {
                struct container *other = NULL;
                int r = container_get(d, mode + 10, &other, err);
                if (r < 0)
                        return r;
                pthread_mutex_lock(&d->lock);
                bool running = other->status == CONTAINER_RUNNING || other->status == CONTAINER_PAUSED;
                pid_t pid = (pid_t) json_get_int(json_object_get(other->doc, "State"), "Pid", 0);
                const char *key = json_get_str(json_object_get(other->doc, "NetworkSettings"), "SandboxKey", "");
                char *path = NULL;
                if (*key)
                        path = strdup(key);
                else if (asprintf(&path, "/proc/%d/ns/net", pid) < 0)
                        path = NULL;
                pthread_mutex_unlock(&d->lock);
                /* the joined container's /etc/hosts and resolv.conf are ours too */
                _cleanup_free_ char *hosts = NULL, *resolv = NULL;
                _cleanup_free_ char *oh = container_dir(d, other->id, "hosts");
                _cleanup_free_ char * or = container_dir(d, other->id, "resolv.conf");
                _cleanup_free_ char *mh = container_dir(d, c->id, "hosts");
                _cleanup_free_ char *mr = container_dir(d, c->id, "resolv.conf");
                container_put(d, other);
                if (!running) {
                        free(path);
                        return err_set(err, -EBUSY, "cannot join network of a non running container: %s", mode + 10);
                }
                if (read_file(oh, 1 << 20, &hosts, NULL) >= 0 && read_file(or, 1 << 20, &resolv, NULL) >= 0) {
                        rewrite_in_place(mh, hosts);
                        rewrite_in_place(mr, resolv);
                }
                *ret_netns = path;
                return path ? 0 : -ENOMEM;
        }
        if (!mode_has_endpoints(mode))
                return 0;

        _cleanup_free_ char *ns = netns_path(d, c->id);
        _cleanup_free_ char *ns_dir = NULL;
        if (!ns || asprintf(&ns_dir, "%s/netns", d->home) < 0)
                return -ENOMEM;
        int r = mkdir_p(ns_dir, 0755);
        if (r < 0)
                return err_set(err, r, "cannot create %s: %s", ns_dir, strerror(-r));
        netns_remove(ns); /* a stale one after a reboot */
        r = netns_create(ns, err);
        if (r < 0)
                return r;
        r = netns_setup_loopback(d->networks, ns, err);
        json_t *bindings = attach_bindings(d, c);
        unsigned index = 0;
        const char *key;
        json_t *req;
        json_object_foreach(nets, key, req) {
                if (r < 0)
                        break;
                r = attach_one(d, c, key, req, index++, ns, bindings, err);
        }
        json_decref(bindings);
        if (r < 0) {
                network_detach_all(d->networks, c->id);
                netns_remove(ns);
                pthread_mutex_lock(&d->lock);
                clear_endpoints_locked(c);
                pthread_mutex_unlock(&d->lock);
                return r;
        }
        pthread_mutex_lock(&d->lock);
        record_endpoints_locked(c, ns);
        json_object_set_new(json_object_get(c->doc, "NetworkSettings"), "Ports",
                            network_container_ports(d->networks, c->id));
        container_save_locked(d, c);
        pthread_mutex_unlock(&d->lock);
        r = write_etc_files(d, c, false, err);
        if (r < 0) {
                container_network_teardown(d, c);
                return r;
        }
        _cleanup_strv_free_ char **user_nets = user_network_names(nets);
        refresh_peers(d, user_nets, c);
        *ret_netns = TAKE_PTR(ns);
        return 0;
}

void container_network_teardown(struct pouchd *d, struct container *c)
{
        _cleanup_free_ char *ns = netns_path(d, c->id);
        _cleanup_json_ json_t *had = network_container_endpoints(d->networks, c->id);
        int r = network_detach_all(d->networks, c->id);
        const char *key;
        json_t *ep;
        json_object_foreach(had, key, ep)
                event_publish(d->events, "network", "disconnect", json_get_str(ep, "NetworkID", ""),
                              json_pack("{s:s,s:s,s:s}", "container", c->id, "name", key, "type", "bridge"));
        if (r < 0)
                log_warn_errno(r, "Cannot detach container %.12s from its networks", c->id);
        if (ns)
                netns_remove(ns);
        pthread_mutex_lock(&d->lock);
        _cleanup_json_ json_t *nets = json_incref(
                json_object_get(json_object_get(c->doc, "NetworkSettings"), "Networks"));
        bool removed = c->removed;
        if (!removed) {
                clear_endpoints_locked(c);
                container_save_locked(d, c);
        }
        pthread_mutex_unlock(&d->lock);
        _cleanup_strv_free_ char **user_nets = user_network_names(nets);
        refresh_peers(d, user_nets, c);
}

static bool is_running_locked(struct container *c)
{
        return c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED;
}

int container_network_connect(struct pouchd *d, struct container *c, const char *network, const json_t *endpoint_config,
                              struct pouch_err *err)
{
        _cleanup_json_ json_t *net = NULL;
        int r = network_inspect(d->networks, network, &net, err);
        if (r < 0)
                return r;
        const char *name = json_get_str(net, "Name", network);
        if (!mode_has_endpoints(name))
                return err_set(err, -EINVAL,
                               "container cannot be disconnected from host network or connected to host network");
        _cleanup_json_ json_t *req = endpoint_request(endpoint_config);
        if (requested_ip(req) && strcmp(name, "bridge") == 0)
                return err_set(err, -EINVAL, "user specified IP address is supported on user defined networks only");
        pthread_mutex_lock(&c->op_lock);
        pthread_mutex_lock(&d->lock);
        const char *mode = primary_network(json_object_get(c->doc, "HostConfig"));
        json_t *nets = json_object_get(json_object_get(c->doc, "NetworkSettings"), "Networks");
        bool shared = !mode_has_endpoints(mode);
        bool member = json_object_get(nets, name) != NULL;
        bool running = is_running_locked(c);
        unsigned index = (unsigned) json_object_size(nets);
        const char *sandbox = json_get_str(json_object_get(c->doc, "NetworkSettings"), "SandboxKey", "");
        _cleanup_free_ char *ns = strdup(sandbox);
        if (!shared && !member && !running) {
                json_object_set(nets, name, req);
                container_save_locked(d, c);
        }
        pthread_mutex_unlock(&d->lock);
        if (shared)
                r = err_set(
                        err, -EINVAL,
                        "container sharing network namespace with another container or host cannot be connected to any other network");
        else if (member)
                r = err_set(err, -EPERM, "endpoint with name %s already exists in network %s", container_name(c) + 1,
                            name);
        else if (running && (!ns || !*ns))
                r = err_set(err, -EINVAL, "container %.12s has no network namespace to connect", c->id);
        else if (running && (r = attach_one(d, c, name, req, index, ns, NULL, err)) >= 0) {
                pthread_mutex_lock(&d->lock);
                record_endpoints_locked(c, ns);
                container_save_locked(d, c);
                pthread_mutex_unlock(&d->lock);
                write_etc_files(d, c, true, err);
                char *const list[] = { (char *) name, NULL };
                refresh_peers(d, list, c);
        }
        pthread_mutex_unlock(&c->op_lock);
        return r < 0 ? r : 0;
}

int container_network_disconnect(struct pouchd *d, struct container *c, const char *network, struct pouch_err *err)
{
        _cleanup_json_ json_t *net = NULL;
        int r = network_inspect(d->networks, network, &net, err);
        if (r < 0)
                return r;
        const char *name = json_get_str(net, "Name", network);
        pthread_mutex_lock(&c->op_lock);
        pthread_mutex_lock(&d->lock);
        json_t *nets = json_object_get(json_object_get(c->doc, "NetworkSettings"), "Networks");
        bool member = json_object_get(nets, name) != NULL;
        bool running = is_running_locked(c);
        pthread_mutex_unlock(&d->lock);
        if (!member)
                r = err_set(err, -EINVAL, "container %.12s is not connected to network %s", c->id, name);
        else if (!mode_has_endpoints(name))
                r = err_set(err, -EINVAL,
                            "container cannot be disconnected from host network or connected to host network");
        else if (!running || (r = network_detach(d->networks, name, c->id, err)) >= 0) {
                pthread_mutex_lock(&d->lock);
                json_object_del(nets, name);
                json_object_set_new(json_object_get(c->doc, "NetworkSettings"), "Ports",
                                    network_container_ports(d->networks, c->id));
                container_save_locked(d, c);
                pthread_mutex_unlock(&d->lock);
                if (running) {
                        char *const list[] = { (char *) name, NULL };
                        refresh_peers(d, list, c);
                }
                r = 0;
        }
        pthread_mutex_unlock(&c->op_lock);
        if (r >= 0)
                event_publish(d->events, "network", "disconnect", json_get_str(net, "Id", ""),
                              json_pack("{s:s,s:s,s:s}", "container", c->id, "name", name, "type", "bridge"));
        return r;
}

/* After a restart: endpoints (and namespaces) of containers that no longer run are released. */
void container_networks_restore(struct pouchd *d)
{
        _cleanup_json_ json_t *list = NULL;
        if (network_list(d->networks, NULL, &list, NULL) < 0)
                return;
        size_t i;
        json_t *net;
        json_array_foreach(list, i, net) {
                const char *id;
                json_t *ep;
                json_object_foreach(json_object_get(net, "Containers"), id, ep) {
                        struct container *c = NULL;
                        bool running = false;
                        if (container_get(d, id, &c, NULL) == 0) {
                                pthread_mutex_lock(&d->lock);
                                running = is_running_locked(c) && !c->removed && strcmp(c->id, id) == 0;
                                pthread_mutex_unlock(&d->lock);
                                container_put(d, c);
                        }
                        if (running)
                                continue;
                        struct pouch_err err = { 0 };
                        log_info("Releasing the endpoint of stopped container %.12s on network %s", id,
                                 json_get_str(net, "Name", ""));
                        if (network_detach(d->networks, json_get_str(net, "Name", ""), id, &err) < 0)
                                log_warn("Cannot release it: %s", err.msg);
                        _cleanup_free_ char *ns = netns_path(d, id);
                        if (ns)
                                netns_remove(ns);
                }
        }
}
