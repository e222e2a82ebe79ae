/* Endpoints: attaching a container's namespace to a network through the CNI chain, detaching it
 * (also after a restart, from the record alone), and what the rest of the daemon asks about them
 * (peers for /etc/hosts, published ports). CNI plugins run without the store lock held; the
 * endpoint's "State" keeps others off it meanwhile. */
#include "daemon/network/network-internal.h"

#include "daemon/network/cni-conf.h"
#include "daemon/network/cni-exec.h"
#include "daemon/network/ipnet.h"
#include "daemon/network/netns.h"
#include "daemon/network/portmap.h"
#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

json_t *endpoint_doc(json_t *net, json_t *ep)
{
        const char *req = json_get_str(ep, "RequestedIP", "");
        json_t *aliases = json_object_get(ep, "Aliases");
        bool predefined = json_get_bool(net_pouch(net), "Predefined", false);
        json_t *dns = NULL;
        if (!predefined) {
                /* docker 25+: the names the container answers to on this network */
                dns = json_array();
                const char *name = json_get_str(ep, "ContainerName", "");
                if (*name)
                        json_array_append_new(dns, json_string(name));
                char shortid[13];
                snprintf(shortid, sizeof(shortid), "%.12s", json_get_str(ep, "ContainerID", ""));
                if (strcmp(shortid, name) != 0)
                        json_array_append_new(dns, json_string(shortid));
                size_t i;
                json_t *a;
                json_array_foreach(aliases, i, a)
                        json_array_append(dns, a);
        }
        return json_pack("{s:o,s:n,s:o,s:s,s:n,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:i,s:o}", "IPAMConfig",
                         *req ? json_pack("{s:s}", "IPv4Address", req) : json_null(), "Links", "Aliases",
                         json_is_array(aliases) ? json_deep_copy(aliases) : json_null(), "MacAddress",
                         json_get_str(ep, "MacAddress", ""), "DriverOpts", "NetworkID", json_get_str(net, "Id", ""),
                         "EndpointID", json_get_str(ep, "EndpointID", ""), "Gateway", json_get_str(ep, "Gateway", ""),
                         "IPAddress", json_get_str(ep, "IPAddress", ""), "IPPrefixLen",
                         (json_int_t) json_get_int(ep, "IPPrefixLen", 0), "IPv6Gateway", "", "GlobalIPv6Address", "",
                         "GlobalIPv6PrefixLen", 0, "DNSNames", dns ? dns : json_null());
}

/* Mappings of every endpoint of every network except container `except`. */
static json_t *taken_ports_locked(struct network_store *s, const char *except)
{
        json_t *out = json_array();
        size_t i;
        json_t *net;
        json_array_foreach(s->nets, i, net) {
                const char *cid;
                json_t *ep;
                json_object_foreach(net_endpoints(net), cid, ep) {
                        if (except && strcmp(cid, except) == 0)
                                continue;
                        json_array_extend(out, json_object_get(ep, "Ports"));
                }
        }
        return out;
}

/* net/ipv4/ip_forward = 1 (a bridge network routes its containers' traffic). */
static void enable_forwarding(struct network_store *s)
{
        pthread_mutex_lock(&s->lock);
        _cleanup_free_ char *p = NULL;
        int r = asprintf(&p, "%s/net/ipv4/ip_forward", s->sysctl_dir);
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return;
        _cleanup_free_ char *cur = NULL;
        if (read_file(p, 64, &cur, NULL) == 0 && cur[0] == '1')
                return;
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write_all(fd, "1\n", 2) < 0)
                log_warn("cannot enable IPv4 forwarding (%s): %m", p);
}

static bool conflist_has(json_t *conflist, const char *type)
{
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(conflist, "plugins"), i, p)
                if (strcmp(json_get_str(p, "type", ""), type) == 0)
                        return true;
        return false;
}

static bool valid_ifname(const char *n)
{
        size_t l = n ? strlen(n) : 0;
        if (l == 0 || l > 15)
                return false;
        for (const char *c = n; *c; c++)
                if (*c == '/' || *c == ':' || *c == ' ' || *c == '\t' || *c == '\n')
                        return false;
        return true;
}

/* Locked part before ADD: validate, resolve ports, record the endpoint as "adding". Returns the
 * network record (a new reference) and a copy of the endpoint. */
static int attach_prepare(struct network_store *s, const char *network, const struct net_attach_opts *o,
                          json_t **ret_net, json_t **ret_ep, struct pouch_err *err)
{
        json_t *net = store_find_locked(s, network, err);
        if (!net)
                return err->code ? err->code : -ENOENT;
        const char *driver = json_get_str(net, "Driver", "");
        if (strcmp(driver, "bridge") != 0)
                return err_set(err, -EINVAL, "network %s (driver %s) has no endpoints to attach to",
                               json_get_str(net, "Name", ""), driver);
        json_t *eps = net_endpoints(net);
        if (json_object_get(eps, o->container_id))
                return err_set(err, -EPERM, "endpoint with name %s already exists in network %s",
                               o->container_name && *o->container_name ? o->container_name : o->container_id,
                               json_get_str(net, "Name", ""));
        json_t *pouch = net_pouch(net);
        char args[128] = "";
        if (o->ip && *o->ip) {
                if (!json_get_bool(pouch, "UserSubnet", false))
                        return err_set(
                                err, -EINVAL,
                                "user specified IP address is supported only when connecting to networks with user configured subnets");
                uint32_t a;
                struct ipnet4 sub;
                if (ipv4_parse(o->ip, &a) < 0)
                        return err_set(err, -EINVAL, "invalid IPv4 address: %s", o->ip);
                if (ipnet_parse(json_get_str(pouch, "Subnet", ""), &sub) < 0 || !ipnet_contains(&sub, a))
                        return err_set(err, -EINVAL, "no configured subnet or ip-range contain the IP address %s",
                                       o->ip);
                if (strcmp(o->ip, json_get_str(pouch, "Gateway", "")) == 0)
                        return err_set(err, -EBUSY, "Address already in use");
                const char *cid;
                json_t *ep;
                json_object_foreach(eps, cid, ep)
                        if (strcmp(json_get_str(ep, "IPAddress", ""), o->ip) == 0 ||
                            strcmp(json_get_str(ep, "RequestedIP", ""), o->ip) == 0)
                                return err_set(err, -EBUSY, "Address already in use");
                snprintf(args, sizeof(args), "IgnoreUnknown=1;IP=%s", o->ip);
        }

        _cleanup_json_ json_t *taken = taken_ports_locked(s, o->container_id);
        _cleanup_json_ json_t *mappings = NULL;
        if (o->port_bindings && json_is_object(o->port_bindings)) {
                int r = ports_resolve(o->port_bindings, taken, &mappings, err);
                if (r < 0) {
                        if (r == -EBUSY)
                                err_wrap(err, "driver failed programming external connectivity on endpoint %s",
                                         o->container_name && *o->container_name ? o->container_name : o->container_id);
                        return r;
                }
        } else {
                mappings = json_array();
        }

        char epid[65];
        int r = random_hex_id(epid);
        if (r < 0)
                return err_set(err, r, "cannot generate an endpoint id");
        json_t *rc = json_pack("{s:o}", "portMappings", ports_to_cni(mappings));
        json_t *cni = json_pack("{s:s,s:s,s:s,s:O,s:o}", "ContainerID", o->container_id, "IfName", o->ifname, "Args",
                                args, "Conflist", json_object_get(pouch, "Conflist"), "RuntimeConfig", rc);
        json_t *ep = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:O,s:s,s:O,s:s,s:o}", "ContainerID",
                               o->container_id, "ContainerName", o->container_name ? o->container_name : "",
                               "EndpointID", epid, "IfName", o->ifname, "NetNS", o->netns_path, "IPAddress", "",
                               "IPPrefixLen", 0, "Gateway", "", "MacAddress", "", "Aliases",
                               json_is_array(o->aliases) ? o->aliases : json_null(), "RequestedIP", o->ip ? o->ip : "",
                               "Ports", mappings, "State", "adding", "CNI", cni);
        if (!ep)
                return -ENOMEM;
        json_object_set_new(eps, o->container_id, ep);
        r = store_save_locked(s, net, err);
        if (r < 0) {
                json_object_del(eps, o->container_id);
                return r;
        }
        *ret_net = json_incref(net);
        *ret_ep = json_deep_copy(ep);
        return 0;
}

/* Drop the endpoint record of container_id (locked). */
static void forget_endpoint_locked(struct network_store *s, json_t *net, const char *container_id)
{
        json_object_del(net_endpoints(net), container_id);
        struct pouch_err e = { 0 };
        if (store_save_locked(s, net, &e) < 0)
                log_warn("%s", e.msg);
}

static void fill_rt(struct network_store *s, json_t *ep, const char *netns, struct cni_rt *rt)
{
        json_t *cni = json_object_get(ep, "CNI");
        rt->plugin_dir = s->plugin_dir;
        rt->container_id = json_get_str(cni, "ContainerID", json_get_str(ep, "ContainerID", ""));
        rt->ifname = json_get_str(cni, "IfName", json_get_str(ep, "IfName", "eth0"));
        rt->netns = netns;
        const char *args = json_get_str(cni, "Args", "");
        rt->args = *args ? args : NULL;
}

int network_attach(struct network_store *s, const char *network, const struct net_attach_opts *o, json_t **ret_endpoint,
                   struct pouch_err *err)
{
        struct pouch_err local = { 0 };
        if (!err)
                err = &local;
        if (!o || !o->container_id || !*o->container_id || strchr(o->container_id, '/') || !o->netns_path ||
            !*o->netns_path)
                return err_set(err, -EINVAL, "network attach: container id and netns path are required");
        if (!valid_ifname(o->ifname))
                return err_set(err, -EINVAL, "invalid interface name %s", o->ifname ? o->ifname : "(null)");

        pthread_mutex_lock(&s->lock);
        _cleanup_json_ json_t *net = NULL, *ep = NULL;
        char name[256] = "";
        int r = attach_prepare(s, network, o, &net, &ep, err);
        if (r >= 0)
                snprintf(name, sizeof(name), "%s", json_get_str(net, "Name", ""));
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return r;

        enable_forwarding(s);
        json_t *cni = json_object_get(ep, "CNI");
        /* networks whose conflist still has the firewall plugin do their own forwarding rules */
        if (!conflist_has(json_object_get(cni, "Conflist"), "firewall"))
                r = net_rules_ensure(s, net, err);
        if (r < 0) {
                pthread_mutex_lock(&s->lock);
                forget_endpoint_locked(s, net, o->container_id);
                pthread_mutex_unlock(&s->lock);
                return r;
        }
        json_t *conflist = json_object_get(cni, "Conflist");
        json_t *rc = json_object_get(cni, "RuntimeConfig");
        struct cni_rt rt;
        fill_rt(s, ep, o->netns_path, &rt);

        _cleanup_json_ json_t *result = NULL;
        r = cni_list_add(&rt, conflist, rc, &result, err);
        struct cni_ip_result ipr;
        if (r >= 0)
                r = cni_result_parse(result, o->ifname, &ipr, err);

        pthread_mutex_lock(&s->lock);
        json_t *cur = r >= 0 ? json_object_get(net_endpoints(net), o->container_id) : NULL;
        if (r >= 0 && cur) {
                json_object_set_new(cur, "IPAddress", json_string(ipr.ip));
                json_object_set_new(cur, "IPPrefixLen", json_integer(ipr.prefix));
                json_object_set_new(cur, "Gateway", json_string(ipr.gateway));
                json_object_set_new(cur, "MacAddress", json_string(ipr.mac));
                json_object_set_new(cur, "State", json_string("ready"));
                json_object_set(json_object_get(cur, "CNI"), "Result", result);
                r = store_save_locked(s, net, err);
                if (r >= 0 && ret_endpoint)
                        *ret_endpoint = endpoint_doc(net, cur);
                if (r < 0)
                        json_object_set_new(cur, "State", json_string("adding"));
        } else if (r >= 0) {
                r = err_set(err, -EIO, "endpoint record of container %.12s vanished during attach", o->container_id);
        }
        pthread_mutex_unlock(&s->lock);
        if (r >= 0) {
                log_info("container %.12s attached to network %s: %s/%u", o->container_id, name, ipr.ip, ipr.prefix);
                return 0;
        }

        /* undo: DEL the whole chain (spec: also plugins ADD never reached), then drop the record */
        struct pouch_err derr = { 0 };
        if (cni_list_del(&rt, conflist, rc, result, &derr) < 0)
                log_warn("rollback of the attach of %.12s to %s: %s", o->container_id, name, derr.msg);
        pthread_mutex_lock(&s->lock);
        forget_endpoint_locked(s, net, o->container_id);
        pthread_mutex_unlock(&s->lock);
        return r;
}

/* The namespace DEL is run with. The container's own while it lives; once it is gone, the bridge
 * plugin can only find (and remove) its masquerade rule through the address of CNI_IFNAME inside
 * CNI_NETNS, so a throwaway namespace with a veth of that name and address stands in. Failing
 * that, "" (plugins then skip the in-namespace part, as CNI allows). *ret_tmp: the namespace to
 * remove afterwards. */
static const char *del_netns(struct network_store *s, json_t *ep, char **ret_tmp)
{
        *ret_tmp = NULL;
        const char *ns = json_get_str(ep, "NetNS", "");
        if (netns_is_live(ns))
                return ns;
        json_t *cni = json_object_get(ep, "CNI");
        json_t *bridge = json_array_get(json_object_get(json_object_get(cni, "Conflist"), "plugins"), 0);
        uint32_t addr;
        if (!json_get_bool(bridge, "ipMasq", false) || ipv4_parse(json_get_str(ep, "IPAddress", ""), &addr) < 0 ||
            geteuid() != 0)
                return "";
        char rnd[65];
        if (random_hex_id(rnd) < 0)
                return "";
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/del-%.12s", s->tmp_dir, rnd) < 0)
                return "";
        if (netns_create_opt(path, false, NULL) < 0)
                return "";
        int r = netns_add_stand_in(path, json_get_str(cni, "IfName", "eth0"), "pouch-del0", addr,
                                   (unsigned) json_get_int(ep, "IPPrefixLen", 32));
        if (r < 0) {
                log_debug("stand-in namespace for DEL: %s", strerror(-r));
                netns_remove(path);
                return "";
        }
        *ret_tmp = TAKE_PTR(path);
        return *ret_tmp;
}

int network_detach(struct network_store *s, const char *network, const char *container_id, struct pouch_err *err)
{
        struct pouch_err local = { 0 };
        if (!err)
                err = &local;
        if (!container_id || !*container_id)
                return err_set(err, -EINVAL, "network detach: container id is required");
        pthread_mutex_lock(&s->lock);
        json_t *net = store_find_locked(s, network, err);
        if (!net) {
                pthread_mutex_unlock(&s->lock);
                return err->code ? err->code : -ENOENT;
        }
        json_t *cur = json_object_get(net_endpoints(net), container_id);
        if (!cur) {
                pthread_mutex_unlock(&s->lock);
                return 0;
        }
        const char *state = json_get_str(cur, "State", "ready");
        if (strcmp(state, "adding") == 0 || strcmp(state, "removing") == 0) {
                pthread_mutex_unlock(&s->lock);
                return err_set(err, -EBUSY, "container %.12s is being %s network %s", container_id,
                               state[0] == 'a' ? "attached to" : "detached from", json_get_str(net, "Name", ""));
        }
        _cleanup_json_ json_t *ep = json_deep_copy(cur);
        json_object_set_new(cur, "State", json_string("removing"));
        _cleanup_json_ json_t *netref = json_incref(net);
        char name[256];
        snprintf(name, sizeof(name), "%s", json_get_str(net, "Name", ""));
        pthread_mutex_unlock(&s->lock);

        _cleanup_free_ char *tmp_ns = NULL;
        const char *ns = del_netns(s, ep, &tmp_ns);
        json_t *cni = json_object_get(ep, "CNI");
        struct cni_rt rt;
        fill_rt(s, ep, ns, &rt);
        json_t *result = json_object_get(cni, "Result");
        int r = cni_list_del(&rt, json_object_get(cni, "Conflist"), json_object_get(cni, "RuntimeConfig"),
                             json_is_object(result) ? result : NULL, err);
        if (tmp_ns)
                netns_remove(tmp_ns);

        pthread_mutex_lock(&s->lock);
        cur = json_object_get(net_endpoints(netref), container_id);
        if (r < 0) {
                if (cur)
                        json_object_set_new(cur, "State", json_string("ready"));
                err_wrap(err, "cannot detach container %.12s from network %s", container_id, name);
        } else if (cur) {
                forget_endpoint_locked(s, netref, container_id);
        }
        pthread_mutex_unlock(&s->lock);
        if (r >= 0)
                log_info("container %.12s detached from network %s", container_id, name);
        return r;
}

int network_detach_all(struct network_store *s, const char *container_id)
{
        _cleanup_json_ json_t *ids = json_array();
        pthread_mutex_lock(&s->lock);
        size_t i;
        json_t *net;
        json_array_foreach(s->nets, i, net)
                if (json_object_get(net_endpoints(net), container_id))
                        json_array_append_new(ids, json_string(json_get_str(net, "Id", "")));
        pthread_mutex_unlock(&s->lock);
        int first = 0;
        json_t *id;
        json_array_foreach(ids, i, id) {
                struct pouch_err e = { 0 };
                int r = network_detach(s, json_string_value(id), container_id, &e);
                if (r < 0) {
                        log_warn("%s", e.msg);
                        if (first == 0)
                                first = r;
                }
        }
        return first;
}

json_t *network_peers(struct network_store *s, const char *network, const char *except_container_id)
{
        pthread_mutex_lock(&s->lock);
        json_t *net = store_find_locked(s, network, NULL);
        json_t *out = net ? json_object() : NULL;
        const char *cid;
        json_t *ep;
        json_object_foreach(net ? net_endpoints(net) : NULL, cid, ep) {
                if (except_container_id && strcmp(cid, except_container_id) == 0)
                        continue;
                const char *ip = json_get_str(ep, "IPAddress", "");
                if (!*ip || strcmp(json_get_str(ep, "State", ""), "ready") != 0)
                        continue;
                const char *name = json_get_str(ep, "ContainerName", "");
                if (*name)
                        json_object_set_new(out, name, json_string(ip));
                size_t i;
                json_t *a;
                json_array_foreach(json_object_get(ep, "Aliases"), i, a)
                        if (json_is_string(a) && *json_string_value(a))
                                json_object_set_new(out, json_string_value(a), json_string(ip));
        }
        pthread_mutex_unlock(&s->lock);
        return out;
}

json_t *network_container_ports(struct network_store *s, const char *container_id)
{
        json_t *out = json_object();
        pthread_mutex_lock(&s->lock);
        size_t i;
        json_t *net;
        json_array_foreach(s->nets, i, net) {
                json_t *ep = json_object_get(net_endpoints(net), container_id);
                if (ep)
                        ports_to_docker(json_object_get(ep, "Ports"), out);
        }
        pthread_mutex_unlock(&s->lock);
        return out;
}

json_t *network_container_endpoints(struct network_store *s, const char *container_id)
{
        json_t *out = json_object();
        pthread_mutex_lock(&s->lock);
        size_t i;
        json_t *net;
        json_array_foreach(s->nets, i, net) {
                json_t *ep = json_object_get(net_endpoints(net), container_id);
                if (ep && strcmp(json_get_str(ep, "State", ""), "adding") != 0)
                        json_object_set_new(out, json_get_str(net, "Name", ""), endpoint_doc(net, ep));
        }
        pthread_mutex_unlock(&s->lock);
        return out;
}
