#include "daemon/network/cni-conf.h"

#include "daemon/network/ipnet.h"
#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

json_t *cni_conflist_build(const struct cni_net_params *p)
{
        struct ipnet4 sub;
        if (!p->name || !p->bridge || !p->data_dir || ipnet_parse(p->subnet, &sub) < 0)
                return NULL;
        char subnet[IPNET4_STRLEN];
        ipnet_format(&sub, subnet);

        json_t *range = json_pack("{s:s}", "subnet", subnet);
        if (p->gateway && *p->gateway)
                json_object_set_new(range, "gateway", json_string(p->gateway));
        if (p->ip_range && *p->ip_range) {
                struct ipnet4 r;
                if (ipnet_parse(p->ip_range, &r) < 0 || r.prefix < sub.prefix || !ipnet_contains(&sub, r.addr)) {
                        json_decref(range);
                        return NULL;
                }
                /* host-local takes an inclusive start/end; keep clear of the subnet's own network
                 * and broadcast addresses */
                uint32_t start = ipnet_network(&r), end = ipnet_last(&r);
                if (start == ipnet_network(&sub))
                        start++;
                if (end == ipnet_last(&sub))
                        end--;
                char a[IPV4_STRLEN], b[IPV4_STRLEN];
                ipv4_format(start, a);
                ipv4_format(end, b);
                json_object_set_new(range, "rangeStart", json_string(a));
                json_object_set_new(range, "rangeEnd", json_string(b));
        }
        json_t *ipam = json_pack("{s:s,s:[[o]],s:s}", "type", "host-local", "ranges", range, "dataDir", p->data_dir);
        json_object_set_new(ipam, "routes", p->internal ? json_array() : json_pack("[{s:s}]", "dst", "0.0.0.0/0"));

        /* masquerading and forwarding are one set of host rules per network (hostrules.c), not
         * chains the bridge and firewall plugins make and remove for every container */
        json_t *bridge = json_pack("{s:s,s:s,s:b,s:b,s:b,s:o}", "type", "bridge", "bridge", p->bridge, "isGateway", 1,
                                   "ipMasq", 0, "hairpinMode", 1, "ipam", ipam);
        if (p->mtu > 0)
                json_object_set_new(bridge, "mtu", json_integer(p->mtu));
        json_t *portmap = json_pack("{s:s,s:{s:b},s:b}", "type", "portmap", "capabilities", "portMappings", 1, "snat",
                                    1);
        return json_pack("{s:s,s:s,s:[oo]}", "cniVersion", CNI_VERSION, "name", p->name, "plugins", bridge, portmap);
}

json_t *cni_plugin_conf(json_t *conflist, size_t idx, json_t *prev_result, json_t *runtime_config)
{
        json_t *plugin = json_array_get(json_object_get(conflist, "plugins"), idx);
        if (!json_is_object(plugin))
                return NULL;
        json_t *conf = json_deep_copy(plugin);
        if (!conf)
                return NULL;
        json_object_set_new(conf, "cniVersion", json_string(json_get_str(conflist, "cniVersion", CNI_VERSION)));
        json_object_set_new(conf, "name", json_string(json_get_str(conflist, "name", "")));
        if (prev_result)
                json_object_set(conf, "prevResult", prev_result);
        json_t *caps = json_object_get(plugin, "capabilities");
        if (json_is_object(caps) && json_is_object(runtime_config)) {
                json_t *rc = json_object();
                const char *key;
                json_t *v;
                json_object_foreach(caps, key, v) {
                        json_t *val = json_object_get(runtime_config, key);
                        if (json_is_true(v) && val)
                                json_object_set(rc, key, val);
                }
                if (json_object_size(rc) > 0)
                        json_object_set_new(conf, "runtimeConfig", rc);
                else
                        json_decref(rc);
        }
        return conf;
}

static int split_cidr(const char *addr, struct cni_ip_result *ret)
{
        struct ipnet4 n;
        if (ipnet_parse(addr, &n) < 0)
                return -EINVAL;
        ipv4_format(n.addr, ret->ip);
        ret->prefix = n.prefix;
        return 0;
}

int cni_result_parse(json_t *result, const char *ifname, struct cni_ip_result *ret, struct pouch_err *err)
{
        memset(ret, 0, sizeof(*ret));
        json_t *ifaces = json_object_get(result, "interfaces");
        json_t *ips = json_object_get(result, "ips");
        size_t i;
        json_t *ip;
        json_t *best = NULL;
        json_t *best_iface = NULL;
        json_array_foreach(ips, i, ip) {
                struct cni_ip_result probe;
                if (split_cidr(json_get_str(ip, "address", ""), &probe) < 0)
                        continue; /* IPv6 or junk */
                json_t *idx = json_object_get(ip, "interface");
                json_t *iface = json_is_integer(idx) ? json_array_get(ifaces, (size_t) json_integer_value(idx)) : NULL;
                if (iface && ifname && strcmp(json_get_str(iface, "name", ""), ifname) == 0 &&
                    *json_get_str(iface, "sandbox", "")) {
                        best = ip;
                        best_iface = iface;
                        break;
                }
                if (!best && !iface) {
                        best = ip;
                }
        }
        if (!best)
                return err_set(err, -EINVAL, "the CNI result has no IPv4 address for %s",
                               ifname ? ifname : "the container");
        split_cidr(json_get_str(best, "address", ""), ret);
        uint32_t gw;
        const char *g = json_get_str(best, "gateway", "");
        if (ipv4_parse(g, &gw) == 0)
                snprintf(ret->gateway, sizeof(ret->gateway), "%s", g);
        if (!best_iface && ifname) {
                /* no interface index: look the container interface up by name */
                json_t *iface;
                json_array_foreach(ifaces, i, iface)
                        if (strcmp(json_get_str(iface, "name", ""), ifname) == 0 && *json_get_str(iface, "sandbox", ""))
                                best_iface = iface;
        }
        if (best_iface)
                snprintf(ret->mac, sizeof(ret->mac), "%s", json_get_str(best_iface, "mac", ""));
        return 0;
}
