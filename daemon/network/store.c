/* The network store: predefined and custom networks, their records on disk, create / inspect /
 * list / remove / prune. Endpoints (attach/detach) are in attach.c. */
#include "daemon/network/network-internal.h"

#include "daemon/network/cni-conf.h"
#include "daemon/network/hostrules.h"
#include "daemon/network/ipnet.h"
#include "daemon/network/netlink.h"
#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PLUGIN_DIR "/usr/lib/cni"
#define DEFAULT_BRIDGE "pouch0"
#define DEFAULT_CIDR "172.29.0.1/16"
#define OPT_BRIDGE_NAME "com.docker.network.bridge.name"
#define OPT_MASQ "com.docker.network.bridge.enable_ip_masquerade"
#define OPT_MTU "com.docker.network.driver.mtu"

json_t *net_endpoints(json_t *net)
{
        json_t *eps = json_object_get(net, "Endpoints");
        if (!json_is_object(eps)) {
                eps = json_object();
                json_object_set_new(net, "Endpoints", eps);
        }
        return eps;
}

static bool is_predefined(json_t *net)
{
        return json_get_bool(net_pouch(net), "Predefined", false);
}

static const char *net_name(json_t *net)
{
        return json_get_str(net, "Name", "");
}

static const char *net_id(json_t *net)
{
        return json_get_str(net, "Id", "");
}

json_t *store_find_locked(struct network_store *s, const char *name_or_id, struct pouch_err *err)
{
        if (!name_or_id || !*name_or_id) {
                err_set(err, -ENOENT, "network  not found");
                return NULL;
        }
        size_t i;
        json_t *net;
        json_array_foreach(s->nets, i, net)
                if (strcmp(net_id(net), name_or_id) == 0)
                        return net;
        json_array_foreach(s->nets, i, net)
                if (strcmp(net_name(net), name_or_id) == 0)
                        return net;
        json_t *found = NULL;
        size_t matches = 0, len = strlen(name_or_id);
        json_array_foreach(s->nets, i, net) {
                if (strncmp(net_id(net), name_or_id, len) == 0) {
                        found = net;
                        matches++;
                }
        }
        if (matches == 1)
                return found;
        if (matches > 1)
                err_set(err, -EINVAL, "network %s is ambiguous (%zu matches found based on ID prefix)", name_or_id,
                        matches);
        else
                err_set(err, -ENOENT, "network %s not found", name_or_id);
        return NULL;
}

static char *net_path(struct network_store *s, const char *id)
{
        char *p = NULL;
        if (asprintf(&p, "%s/%s.json", s->nets_dir, id) < 0)
                return NULL;
        return p;
}

int store_save_locked(struct network_store *s, json_t *net, struct pouch_err *err)
{
        _cleanup_free_ char *p = net_path(s, net_id(net));
        if (!p)
                return -ENOMEM;
        int r = json_write_file_atomic(p, net);
        if (r < 0)
                return err_set(err, r, "cannot write %s: %s", p, strerror(-r));
        return 0;
}

static json_t *conflist_for(struct network_store *s, json_t *pouch, bool internal, json_t *options)
{
        const char *mtu = json_get_str(options, OPT_MTU, "0");
        struct cni_net_params p = {
                .name = json_get_str(pouch, "CNIName", ""),
                .bridge = json_get_str(pouch, "Bridge", ""),
                .subnet = json_get_str(pouch, "Subnet", ""),
                .gateway = json_get_str(pouch, "Gateway", ""),
                .ip_range = json_get_str(pouch, "IPRange", NULL),
                .data_dir = s->ipam_dir,
                .internal = internal,
                .mtu = atoi(mtu),
        };
        return cni_conflist_build(&p);
}

static bool bridge_name_valid(const char *b)
{
        size_t n = strlen(b);
        if (n == 0 || n >= IFNAMSIZ || strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
                return false;
        for (const char *c = b; *c; c++)
                if (*c == '/' || *c == ':' || *c == ' ' || *c == '\t' || *c == '\n' || *c == '%')
                        return false;
        return true;
}

static bool name_valid(const char *n)
{
        if (!n || !*n)
                return false;
        for (const char *c = n; *c; c++) {
                bool alnum = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
                if (!alnum && (c == n || (*c != '_' && *c != '.' && *c != '-')))
                        return false;
        }
        return true;
}

static json_t *labels_or_empty(json_t *v)
{
        return json_is_object(v) ? json_deep_copy(v) : json_object();
}

/* A new record (not yet in the store). subnet/gateway already validated, canonical. */
static json_t *record_new(struct network_store *s, const char *name, const char *driver, const char *bridge,
                          const char *subnet, const char *gateway, const char *ip_range, bool user_subnet,
                          bool internal, bool attachable, json_t *options, json_t *labels, bool predefined)
{
        char id[65];
        if (random_hex_id(id) < 0)
                return NULL;
        char created[64];
        struct timespec now = now_realtime();
        format_rfc3339nano(&now, created, sizeof(created));

        json_t *config = json_array();
        if (subnet) {
                json_t *c = json_pack("{s:s,s:s}", "Subnet", subnet, "Gateway", gateway);
                if (ip_range && *ip_range)
                        json_object_set_new(c, "IPRange", json_string(ip_range));
                json_array_append_new(config, c);
        }
        json_t *net = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:{s:s,s:n,s:o},s:b,s:b,s:b,s:{s:s},s:b,s:o,s:o}", "Name",
                                name, "Id", id, "Created", created, "Scope", "local", "Driver", driver, "EnableIPv6", 0,
                                "IPAM", "Driver", "default", "Options", "Config", config, "Internal", internal,
                                "Attachable", attachable, "Ingress", 0, "ConfigFrom", "Network", "", "ConfigOnly", 0,
                                "Options", options ? json_deep_copy(options) : json_object(), "Labels",
                                labels_or_empty(labels));
        if (!net)
                return NULL;
        json_t *pouch = json_pack("{s:b}", "Predefined", predefined);
        json_object_set_new(net, "Pouch", pouch);
        json_object_set_new(net, "Endpoints", json_object());
        if (strcmp(driver, "bridge") == 0) {
                char cni_name[32];
                snprintf(cni_name, sizeof(cni_name), "pouch-%.12s", id);
                char bname[IFNAMSIZ];
                if (!bridge)
                        snprintf(bname, sizeof(bname), "pouch-%.8s", id);
                json_object_set_new(pouch, "Bridge", json_string(bridge ? bridge : bname));
                json_object_set_new(pouch, "BridgeCreated", json_boolean(!nl_link_exists(bridge ? bridge : bname)));
                json_object_set_new(pouch, "CNIName", json_string(cni_name));
                json_object_set_new(pouch, "Subnet", json_string(subnet));
                json_object_set_new(pouch, "Gateway", json_string(gateway));
                if (ip_range && *ip_range)
                        json_object_set_new(pouch, "IPRange", json_string(ip_range));
                json_object_set_new(pouch, "UserSubnet", json_boolean(user_subnet));
                json_t *cl = conflist_for(s, pouch, internal, json_object_get(net, "Options"));
                if (!cl) {
                        json_decref(net);
                        return NULL;
                }
                json_object_set_new(pouch, "Conflist", cl);
        }
        return net;
}

/* "172.29.0.1/16" -> subnet "172.29.0.0/16", gateway "172.29.0.1" (or .1 when the host part is 0) */
static int bip_split(const char *cidr, char subnet[IPNET4_STRLEN], char gateway[IPV4_STRLEN])
{
        struct ipnet4 n;
        if (ipnet_parse(cidr, &n) < 0 || n.prefix > 30)
                return -EINVAL;
        ipnet_format(&n, subnet);
        uint32_t gw = n.addr == ipnet_network(&n) ? n.addr + 1 : n.addr;
        if (gw == ipnet_last(&n))
                return -EINVAL;
        ipv4_format(gw, gateway);
        return 0;
}

static json_t *default_bridge_options(const char *bridge)
{
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "com.docker.network.bridge.default_bridge", "true",
                         "com.docker.network.bridge.enable_icc", "true", OPT_MASQ, "true",
                         "com.docker.network.bridge.host_binding_ipv4", "0.0.0.0", OPT_BRIDGE_NAME, bridge, OPT_MTU,
                         "1500");
}

static int ensure_predefined(struct network_store *s, struct pouch_err *err)
{
        char subnet[IPNET4_STRLEN], gateway[IPV4_STRLEN];
        if (bip_split(s->default_cidr, subnet, gateway) < 0)
                return err_set(err, -EINVAL, "invalid default bridge address %s: expected gateway/prefix",
                               s->default_cidr);

        json_t *br = NULL;
        size_t i;
        json_t *net;
        json_array_foreach(s->nets, i, net)
                if (is_predefined(net) && strcmp(net_name(net), "bridge") == 0)
                        br = net;
        if (br) {
                /* the daemon's configuration may have changed: follow it while nothing uses the network */
                json_t *pouch = net_pouch(br);
                if ((strcmp(json_get_str(pouch, "Subnet", ""), subnet) ||
                     strcmp(json_get_str(pouch, "Gateway", ""), gateway) ||
                     strcmp(json_get_str(pouch, "Bridge", ""), s->default_bridge))) {
                        if (json_object_size(net_endpoints(br)) > 0) {
                                log_warn(
                                        "default bridge network settings changed but it has endpoints: keeping %s on %s",
                                        json_get_str(pouch, "Subnet", ""), json_get_str(pouch, "Bridge", ""));
                        } else {
                                json_object_set_new(pouch, "Subnet", json_string(subnet));
                                json_object_set_new(pouch, "Gateway", json_string(gateway));
                                if (strcmp(json_get_str(pouch, "Bridge", ""), s->default_bridge)) {
                                        json_object_set_new(pouch, "Bridge", json_string(s->default_bridge));
                                        json_object_set_new(pouch, "BridgeCreated",
                                                            json_boolean(!nl_link_exists(s->default_bridge)));
                                }
                                json_object_set_new(br, "Options", default_bridge_options(s->default_bridge));
                                json_object_set_new(json_object_get(br, "IPAM"), "Config",
                                                    json_pack("[{s:s,s:s}]", "Subnet", subnet, "Gateway", gateway));
                                json_t *cl = conflist_for(s, pouch, false, json_object_get(br, "Options"));
                                if (!cl)
                                        return -ENOMEM;
                                json_object_set_new(pouch, "Conflist", cl);
                                int r = store_save_locked(s, br, err);
                                if (r < 0)
                                        return r;
                        }
                }
        } else {
                _cleanup_json_ json_t *opts = default_bridge_options(s->default_bridge);
                br = record_new(s, "bridge", "bridge", s->default_bridge, subnet, gateway, NULL, false, false, false,
                                opts, NULL, true);
                if (!br)
                        return -ENOMEM;
                json_array_append_new(s->nets, br);
                int r = store_save_locked(s, br, err);
                if (r < 0)
                        return r;
        }
        const char *others[][2] = { { "host", "host" }, { "none", "null" } };
        for (size_t k = 0; k < ARRAY_SIZE(others); k++) {
                bool have = false;
                json_array_foreach(s->nets, i, net)
                        if (is_predefined(net) && strcmp(net_name(net), others[k][0]) == 0)
                                have = true;
                if (have)
                        continue;
                json_t *n = record_new(s, others[k][0], others[k][1], NULL, NULL, NULL, NULL, false, false, false, NULL,
                                       NULL, true);
                if (!n)
                        return -ENOMEM;
                json_array_append_new(s->nets, n);
                int r = store_save_locked(s, n, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_all(struct network_store *s, struct pouch_err *err)
{
        _cleanup_closedir_ DIR *d = opendir(s->nets_dir);
        if (!d)
                return err_set(err, -errno, "cannot open %s: %m", s->nets_dir);
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n != 64 + 5 || strcmp(de->d_name + 64, ".json") != 0)
                        continue; /* also skips write_file_atomic's temporary files */
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", s->nets_dir, de->d_name) < 0)
                        return -ENOMEM;
                json_t *net = NULL;
                char jerr[256] = "";
                int r = json_read_file(p, &net, jerr, sizeof(jerr));
                if (r < 0) {
                        log_warn("skipping network record %s: %s", p, *jerr ? jerr : strerror(-r));
                        continue;
                }
                if (!json_is_object(net) || strncmp(net_id(net), de->d_name, 64) != 0 ||
                    !json_is_object(net_pouch(net))) {
                        log_warn("skipping network record %s: not a network", p);
                        json_decref(net);
                        continue;
                }
                /* an operation cut short by a crash: DEL is idempotent, so let detach finish it */
                const char *cid;
                json_t *ep;
                json_object_foreach(net_endpoints(net), cid, ep) {
                        const char *st = json_get_str(ep, "State", "ready");
                        if (strcmp(st, "ready") != 0)
                                json_object_set_new(ep, "State", json_string("stale"));
                }
                json_array_append_new(s->nets, net);
        }
        return 0;
}

int network_store_open(const struct network_store_opts *o, struct network_store **ret, struct pouch_err *err)
{
        if (!o || !o->state_dir)
                return err_set(err, -EINVAL, "network store: no state directory");
        struct network_store *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        pthread_mutex_init(&s->lock, NULL);
        s->nets = json_array();
        s->state_dir = strdup(o->state_dir);
        s->plugin_dir = strdup(o->plugin_dir ? o->plugin_dir : DEFAULT_PLUGIN_DIR);
        s->default_bridge = strdup(o->default_bridge ? o->default_bridge : DEFAULT_BRIDGE);
        s->default_cidr = strdup(o->default_cidr ? o->default_cidr : DEFAULT_CIDR);
        s->sysctl_dir = strdup("/proc/sys");
        s->iptables = strdup(o->iptables ? o->iptables : "iptables");
        s->rules_ensured = json_object();
        if (!s->iptables || !s->rules_ensured || !s->nets || !s->state_dir || !s->plugin_dir || !s->default_bridge ||
            !s->default_cidr || !s->sysctl_dir || asprintf(&s->nets_dir, "%s/networks", o->state_dir) < 0 ||
            asprintf(&s->ipam_dir, "%s/ipam", o->state_dir) < 0 || asprintf(&s->tmp_dir, "%s/tmp", o->state_dir) < 0) {
                network_store_free(s);
                return -ENOMEM;
        }
        if (!bridge_name_valid(s->default_bridge)) {
                int r = err_set(err, -EINVAL, "invalid bridge name %s", s->default_bridge);
                network_store_free(s);
                return r;
        }
        int r;
        const char *dirs[] = { s->state_dir, s->nets_dir, s->ipam_dir, s->tmp_dir };
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                r = mkdir_p(dirs[i], 0700);
                if (r < 0) {
                        r = err_set(err, r, "cannot create %s: %s", dirs[i], strerror(-r));
                        network_store_free(s);
                        return r;
                }
        }
        r = load_all(s, err);
        if (r >= 0)
                r = ensure_predefined(s, err);
        if (r < 0) {
                network_store_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

struct network_store *network_store_free(struct network_store *s)
{
        if (!s)
                return NULL;
        pthread_mutex_destroy(&s->lock);
        json_decref(s->nets);
        json_decref(s->rules_ensured);
        free(s->iptables);
        free(s->state_dir);
        free(s->plugin_dir);
        free(s->default_bridge);
        free(s->default_cidr);
        free(s->sysctl_dir);
        free(s->nets_dir);
        free(s->ipam_dir);
        free(s->tmp_dir);
        free(s);
        return NULL;
}

int network_store_set_sysctl_dir(struct network_store *s, const char *dir)
{
        char *d = strdup(dir);
        if (!d)
                return -ENOMEM;
        pthread_mutex_lock(&s->lock);
        free(s->sysctl_dir);
        s->sysctl_dir = d;
        pthread_mutex_unlock(&s->lock);
        return 0;
}

/* ---- create ------------------------------------------------------------------------------ */

static bool subnet_in_use(struct network_store *s, const struct ipnet4 *n, const struct ipnet4 *host, size_t nhost,
                          const char **ret_by)
{
        size_t i;
        json_t *net;
        json_array_foreach(s->nets, i, net) {
                struct ipnet4 o;
                if (ipnet_parse(json_get_str(net_pouch(net), "Subnet", ""), &o) == 0 && ipnet_overlaps(n, &o)) {
                        if (ret_by)
                                *ret_by = net_name(net);
                        return true;
                }
        }
        for (size_t k = 0; k < nhost; k++) {
                if (ipnet_overlaps(n, &host[k])) {
                        if (ret_by)
                                *ret_by = NULL;
                        return true;
                }
        }
        return false;
}

/* Docker's default local pools: 172.17-31.0.0/16, then 192.168.0.0/16 in /20 steps. */
static int pick_subnet(struct network_store *s, struct ipnet4 *ret)
{
        _cleanup_free_ struct ipnet4 *host = NULL;
        size_t nhost = 0;
        if (ipnet_host_networks(&host, &nhost) < 0)
                nhost = 0;
        for (unsigned b = 17; b <= 31; b++) {
                struct ipnet4 c = { .addr = (172u << 24) | (b << 16), .prefix = 16 };
                if (!subnet_in_use(s, &c, host, nhost, NULL)) {
                        *ret = c;
                        return 0;
                }
        }
        for (unsigned x = 0; x < 256; x += 16) {
                struct ipnet4 c = { .addr = (192u << 24) | (168u << 16) | (x << 8), .prefix = 20 };
                if (!subnet_in_use(s, &c, host, nhost, NULL)) {
                        *ret = c;
                        return 0;
                }
        }
        return -ENOSPC;
}

static int create_locked(struct network_store *s, json_t *body, json_t **ret_doc, struct pouch_err *err)
{
        const char *name = json_get_str(body, "Name", "");
        if (!*name)
                return err_set(err, -EINVAL, "network name cannot be empty");
        if (!name_valid(name))
                return err_set(err, -EINVAL, "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                               name);
        if (strcmp(name, "bridge") == 0 || strcmp(name, "host") == 0 || strcmp(name, "none") == 0 ||
            strcmp(name, "default") == 0)
                return err_set(err, -EPERM, "operation is not permitted on predefined %s network", name);
        size_t i;
        json_t *net;
        json_array_foreach(s->nets, i, net)
                if (strcmp(net_name(net), name) == 0)
                        return err_set(err, -EEXIST, "network with name %s already exists", name);

        const char *driver = json_get_str(body, "Driver", "");
        if (!*driver)
                driver = "bridge";
        if (strcmp(driver, "host") == 0 || strcmp(driver, "null") == 0)
                return err_set(err, -EPERM, "only one instance of \"%s\" network is allowed", driver);
        if (strcmp(driver, "bridge") != 0)
                return err_set(err, -EINVAL, "network driver \"%s\" is not supported (only \"bridge\")", driver);
        if (json_get_bool(body, "EnableIPv6", false))
                return err_set(err, -EINVAL, "IPv6 networks are not supported");
        json_t *options = json_object_get(body, "Options");
        if (options && !json_is_null(options) && !json_is_object(options))
                return err_set(err, -EINVAL, "invalid Options: an object was expected");
        json_t *labels = json_object_get(body, "Labels");
        if (labels && !json_is_null(labels) && !json_is_object(labels))
                return err_set(err, -EINVAL, "invalid Labels: an object was expected");
        const char *key;
        json_t *v;
        json_object_foreach(json_is_object(options) ? options : NULL, key, v)
                if (!json_is_string(v))
                        return err_set(err, -EINVAL, "invalid option %s: a string was expected", key);

        const char *bridge = json_get_str(options, OPT_BRIDGE_NAME, NULL);
        if (bridge && !bridge_name_valid(bridge))
                return err_set(err, -EINVAL, "invalid bridge name \"%s\" (1 to 15 characters, no '/', ':' or spaces)",
                               bridge);
        if (bridge) {
                json_array_foreach(s->nets, i, net)
                        if (strcmp(json_get_str(net_pouch(net), "Bridge", ""), bridge) == 0)
                                return err_set(err, -EEXIST, "bridge name %s is already used by network %s", bridge,
                                               net_name(net));
        }
        const char *mtu = json_get_str(options, OPT_MTU, NULL);
        if (mtu && (atoi(mtu) < 68 || atoi(mtu) > 65535))
                return err_set(err, -EINVAL, "invalid MTU %s", mtu);

        /* IPAM */
        json_t *ipam = json_object_get(body, "IPAM");
        const char *ipam_driver = json_get_str(ipam, "Driver", "");
        if (*ipam_driver && strcmp(ipam_driver, "default") != 0)
                return err_set(err, -EINVAL, "IPAM driver \"%s\" is not supported", ipam_driver);
        json_t *configs = json_object_get(ipam, "Config");
        if (json_array_size(configs) > 1)
                return err_set(err, -EINVAL, "only one IPAM configuration (one IPv4 subnet) is supported");
        json_t *cfg = json_array_get(configs, 0);
        const char *sub_s = json_get_str(cfg, "Subnet", ""), *gw_s = json_get_str(cfg, "Gateway", "");
        const char *range_s = json_get_str(cfg, "IPRange", "");
        if (json_object_size(json_object_get(cfg, "AuxiliaryAddresses")) > 0)
                return err_set(err, -EINVAL, "IPAM AuxiliaryAddresses are not supported");

        struct ipnet4 sub;
        bool user_subnet = *sub_s != '\0';
        if (user_subnet) {
                if (ipnet_parse(sub_s, &sub) < 0) {
                        if (strchr(sub_s, ':'))
                                return err_set(err, -EINVAL, "IPv6 subnets are not supported: %s", sub_s);
                        return err_set(err, -EINVAL, "invalid CIDR address: %s", sub_s);
                }
                if (sub.prefix > 30)
                        return err_set(err, -EINVAL, "subnet %s is too small", sub_s);
                /* like docker: a user subnet must not overlap other networks; host routes are
                 * only avoided for subnets pouch picks itself */
                if (subnet_in_use(s, &sub, NULL, 0, NULL))
                        return err_set(err, -EPERM,
                                       "invalid pool request: Pool overlaps with other one on this address space");
        } else {
                if (*gw_s || *range_s)
                        return err_set(err, -EINVAL, "a gateway or an IP range needs a subnet");
                if (pick_subnet(s, &sub) < 0)
                        return err_set(
                                err, -ENOSPC,
                                "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
        }
        char subnet[IPNET4_STRLEN], gateway[IPV4_STRLEN];
        ipnet_format(&sub, subnet);
        uint32_t gw;
        if (*gw_s) {
                if (ipv4_parse(gw_s, &gw) < 0)
                        return err_set(err, -EINVAL, "invalid gateway address %s", gw_s);
                if (!ipnet_contains(&sub, gw) || gw == ipnet_network(&sub) || gw == ipnet_last(&sub))
                        return err_set(err, -EINVAL, "no matching subnet for gateway %s", gw_s);
        } else {
                gw = ipnet_network(&sub) + 1;
        }
        ipv4_format(gw, gateway);
        char range[IPNET4_STRLEN] = "";
        if (*range_s) {
                struct ipnet4 r;
                if (ipnet_parse(range_s, &r) < 0)
                        return err_set(err, -EINVAL, "invalid CIDR address: %s", range_s);
                if (r.prefix < sub.prefix || !ipnet_contains(&sub, r.addr))
                        return err_set(err, -EINVAL, "no matching subnet for range %s", range_s);
                ipnet_format(&r, range);
                if (r.prefix >= 31 && ipnet_network(&r) == gw)
                        return err_set(err, -EINVAL, "IP range %s has no address left besides the gateway", range_s);
        }

        _cleanup_json_ json_t *rec = record_new(s, name, "bridge", bridge, subnet, gateway, range, user_subnet,
                                                json_get_bool(body, "Internal", false),
                                                json_get_bool(body, "Attachable", false),
                                                json_is_object(options) ? options : NULL, labels, false);
        if (!rec)
                return err_set(err, -ENOMEM, "cannot build the network record");
        int r = store_save_locked(s, rec, err);
        if (r < 0)
                return r;
        json_array_append(s->nets, rec);
        if (ret_doc)
                *ret_doc = json_pack("{s:s,s:s}", "Id", net_id(rec), "Warning", "");
        log_info("network %s (%.12s) created: %s on %s", name, net_id(rec), subnet,
                 json_get_str(net_pouch(rec), "Bridge", ""));
        return 0;
}

int network_create(struct network_store *s, json_t *body, json_t **ret_doc, struct pouch_err *err)
{
        if (!json_is_object(body))
                return err_set(err, -EINVAL, "invalid network create request: an object was expected");
        pthread_mutex_lock(&s->lock);
        int r = create_locked(s, body, ret_doc, err);
        pthread_mutex_unlock(&s->lock);
        return r;
}

/* ---- inspect / list ---------------------------------------------------------------------- */

static json_t *inspect_doc(json_t *net)
{
        static const char *const keys[] = { "Name",       "Id",         "Created",  "Scope",      "Driver",
                                            "EnableIPv6", "IPAM",       "Internal", "Attachable", "Ingress",
                                            "ConfigFrom", "ConfigOnly", "Options",  "Labels" };
        json_t *doc = json_object();
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
                json_t *v = json_object_get(net, keys[i]);
                json_object_set_new(doc, keys[i], v ? json_deep_copy(v) : json_null());
        }
        json_t *ctrs = json_object();
        const char *cid;
        json_t *ep;
        json_object_foreach(net_endpoints(net), cid, ep) {
                if (strcmp(json_get_str(ep, "State", ""), "adding") == 0)
                        continue;
                char v4[32] = "";
                if (*json_get_str(ep, "IPAddress", ""))
                        snprintf(v4, sizeof(v4), "%s/%d", json_get_str(ep, "IPAddress", ""),
                                 (int) json_get_int(ep, "IPPrefixLen", 0));
                json_object_set_new(ctrs, cid,
                                    json_pack("{s:s,s:s,s:s,s:s,s:s}", "Name", json_get_str(ep, "ContainerName", ""),
                                              "EndpointID", json_get_str(ep, "EndpointID", ""), "MacAddress",
                                              json_get_str(ep, "MacAddress", ""), "IPv4Address", v4, "IPv6Address",
                                              ""));
        }
        json_object_set_new(doc, "Containers", ctrs);
        return doc;
}

int network_inspect(struct network_store *s, const char *name_or_id, json_t **ret_doc, struct pouch_err *err)
{
        struct pouch_err local = { 0 };
        if (!err)
                err = &local;
        pthread_mutex_lock(&s->lock);
        json_t *net = store_find_locked(s, name_or_id, err);
        int r = net ? 0 : err->code ? err->code : -ENOENT;
        if (net)
                *ret_doc = inspect_doc(net);
        pthread_mutex_unlock(&s->lock);
        return r;
}

const char *const network_list_filter_keys[] = { "name", "id", "driver", "label", "type", "dangling", "scope", NULL };
const char *const network_prune_filter_keys[] = { "label", "label!", "until", NULL };

static bool match_name(const char *v, void *net)
{
        return strstr(net_name(net), v) != NULL;
}

static bool match_id(const char *v, void *net)
{
        return strncmp(net_id(net), v, strlen(v)) == 0;
}

static bool match_type(const char *v, void *net)
{
        return strcmp(v, "custom") == 0 ? !is_predefined(net) : is_predefined(net);
}

static bool is_dangling(json_t *net)
{
        return !is_predefined(net) && json_object_size(net_endpoints(net)) == 0;
}

static int check_list_filters(const struct filters *f, bool *ret_dangling, struct pouch_err *err)
{
        for (char *const *v = filters_values(f, "type"); v && *v; v++)
                if (strcmp(*v, "custom") && strcmp(*v, "builtin"))
                        return err_set(err, -EINVAL, "invalid filter: 'type'='%s'", *v);
        return filters_get_bool(f, "dangling", ret_dangling, err);
}

static int list_locked(struct network_store *s, const struct filters *f, json_t **ret_array, struct pouch_err *err)
{
        bool dangling = false;
        int has_dangling = check_list_filters(f, &dangling, err);
        if (has_dangling < 0)
                return has_dangling;
        json_t *out = json_array();
        size_t i;
        json_t *net;
        json_array_foreach(s->nets, i, net) {
                if (!filters_each_value(f, "name", match_name, net) || !filters_each_value(f, "id", match_id, net) ||
                    !filters_match_exact(f, "driver", json_get_str(net, "Driver", "")) ||
                    !filters_each_value(f, "type", match_type, net) || !filters_match_exact(f, "scope", "local") ||
                    (has_dangling && is_dangling(net) != dangling) ||
                    !filters_match_label(f, json_object_get(net, "Labels")))
                        continue;
                json_array_append_new(out, inspect_doc(net));
        }
        *ret_array = out;
        return 0;
}

int network_list(struct network_store *s, const struct filters *f, json_t **ret_array, struct pouch_err *err)
{
        pthread_mutex_lock(&s->lock);
        int r = list_locked(s, f, ret_array, err);
        pthread_mutex_unlock(&s->lock);
        return r;
}

/* ---- remove / prune ---------------------------------------------------------------------- */

static int remove_net_locked(struct network_store *s, json_t *net, struct pouch_err *err)
{
        if (is_predefined(net))
                return err_set(err, -EPERM, "%s is a pre-defined network and cannot be removed", net_name(net));
        if (json_object_size(net_endpoints(net)) > 0)
                return err_set(err, -EBUSY, "error while removing network: network %s id %s has active endpoints",
                               net_name(net), net_id(net));
        _cleanup_free_ char *p = net_path(s, net_id(net));
        if (!p)
                return -ENOMEM;
        if (unlink(p) < 0 && errno != ENOENT)
                return err_set(err, -errno, "cannot remove %s: %m", p);
        (void) fsync_dir_of(p);

        json_t *pouch = net_pouch(net);
        const char *bridge = json_get_str(pouch, "Bridge", "");
        bool shared = false;
        size_t i;
        json_t *o;
        json_array_foreach(s->nets, i, o)
                if (o != net && strcmp(json_get_str(net_pouch(o), "Bridge", ""), bridge) == 0)
                        shared = true;
        /* only a bridge pouch made (it did not exist when the network was created) */
        if (*bridge && !shared && json_get_bool(pouch, "BridgeCreated", false) && nl_link_is_bridge(bridge)) {
                int r = nl_link_del(bridge);
                if (r < 0 && r != -ENODEV)
                        log_warn("cannot delete bridge %s of network %s: %s", bridge, net_name(net), strerror(-r));
        }
        if (!shared)
                net_rules_remove_locked(s, net);
        const char *cni_name = json_get_str(pouch, "CNIName", "");
        if (*cni_name && !strchr(cni_name, '/')) {
                _cleanup_free_ char *ipam = NULL;
                if (asprintf(&ipam, "%s/%s", s->ipam_dir, cni_name) >= 0)
                        (void) rm_rf(ipam);
        }
        log_info("network %s (%.12s) removed", net_name(net), net_id(net));
        json_array_foreach(s->nets, i, o) {
                if (o == net) {
                        json_array_remove(s->nets, i);
                        break;
                }
        }
        return 0;
}

int network_remove(struct network_store *s, const char *name_or_id, struct pouch_err *err)
{
        struct pouch_err local = { 0 };
        if (!err)
                err = &local;
        pthread_mutex_lock(&s->lock);
        json_t *net = store_find_locked(s, name_or_id, err);
        int r = net ? remove_net_locked(s, net, err) : err->code ? err->code : -ENOENT;
        pthread_mutex_unlock(&s->lock);
        return r;
}

/* prune's filters: label, label!, until (created before) */
static bool prune_match(json_t *net, const struct filters *f, int64_t until_ns)
{
        struct timespec created;
        if (until_ns &&
            (parse_timestamp(json_get_str(net, "Created", ""), &created) < 0 || timespec_to_ns(&created) > until_ns))
                return false;
        return filters_match_label(f, json_object_get(net, "Labels"));
}

int network_prune(struct network_store *s, const struct filters *f, json_t **ret_removed, struct pouch_err *err)
{
        struct timespec now = now_realtime();
        int64_t until_ns = 0;
        int first = filters_get_time(f, "until", timespec_to_ns(&now), &until_ns, err);
        if (first < 0)
                return first;
        first = 0;
        json_t *removed = json_array();
        pthread_mutex_lock(&s->lock);
        for (size_t i = json_array_size(s->nets); i-- > 0;) {
                json_t *net = json_array_get(s->nets, i);
                if (!is_dangling(net) || !prune_match(net, f, until_ns))
                        continue;
                _cleanup_free_ char *name = strdup(net_name(net));
                struct pouch_err e = { 0 };
                int r = remove_net_locked(s, net, &e);
                if (r < 0) {
                        if (first == 0) {
                                first = r;
                                err_set(err, r, "%s", e.msg);
                        }
                        continue;
                }
                json_array_insert_new(removed, 0, json_string(name ? name : ""));
        }
        pthread_mutex_unlock(&s->lock);
        if (ret_removed)
                *ret_removed = removed;
        else
                json_decref(removed);
        return first;
}

static void rules_of(struct network_store *s, json_t *net, struct host_rules *ret)
{
        json_t *pouch = net_pouch(net);
        *ret = (struct host_rules){
                .iptables = s->iptables,
                .bridge = json_get_str(pouch, "Bridge", ""),
                .subnet = json_get_str(pouch, "Subnet", ""),
                .internal = json_get_bool(net, "Internal", false),
                .masquerade = strcmp(json_get_str(json_object_get(net, "Options"), OPT_MASQ, "true"), "false") != 0,
        };
}

int net_rules_ensure(struct network_store *s, json_t *net, struct pouch_err *err)
{
        pthread_mutex_lock(&s->lock);
        bool off = !*s->iptables || json_object_get(s->rules_ensured, net_id(net));
        struct host_rules h;
        rules_of(s, net, &h);
        /* the strings stay valid: the record is referenced by the caller and not changed */
        pthread_mutex_unlock(&s->lock);
        if (off)
                return 0;
        int r = host_rules_ensure(&h, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&s->lock);
        json_object_set_new(s->rules_ensured, net_id(net), json_true());
        pthread_mutex_unlock(&s->lock);
        return 0;
}

void net_rules_remove_locked(struct network_store *s, json_t *net)
{
        if (!*s->iptables)
                return;
        struct host_rules h;
        rules_of(s, net, &h);
        struct pouch_err e = { 0 };
        if (*h.bridge && *h.subnet && host_rules_remove(&h, &e) < 0)
                log_warn("network %s: %s", net_name(net), e.msg);
        json_object_del(s->rules_ensured, net_id(net));
}
