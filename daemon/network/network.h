/* Container networking: bridge networks driven through CNI plugins (bridge + host-local, portmap,
 * firewall), network namespaces, published ports and the /etc files of containers.
 *
 * Everything hangs off struct network_store, which is thread-safe (one mutex; CNI plugins run
 * without it held). State lives in state_dir and is written atomically, so it survives a pouchd
 * restart: networks/<id>.json (the network and its endpoints, with all a CNI DEL needs),
 * ipam/ (host-local leases), tmp/ (short-lived namespaces). See docs/networking.md.
 *
 * Errors are -errno with a message for API users in err. Besides the usual mapping (EINVAL 400,
 * ENOENT 404, EEXIST/EBUSY 409, other 500), -EPERM means Docker's 403 Forbidden (predefined
 * networks, overlapping address pools): the API handler maps it. */
#pragma once

#include "daemon/filters.h"
#include "lib/err.h"

#include <jansson.h>

struct network_store;
struct network_store_opts {
        const char *state_dir;      /* <home>/network: networks/<id>.json, ipam data, cni cache */
        const char *plugin_dir;     /* NULL = /usr/lib/cni */
        const char *default_bridge; /* NULL = "pouch0" (tests pass their own) */
        const char *default_cidr;   /* NULL = "172.29.0.1/16" — the --bip form: gateway/prefix */
        const char *iptables;       /* NULL = "iptables" from PATH; "" = leave the host's firewall alone */
};
/* Load the networks kept in state_dir; create the predefined ones if missing: "bridge" (driver bridge,
 * the default network, bridge default_bridge, subnet from default_cidr), "host" and "none" (drivers
 * host/null, no CNI). Docker-style 64-hex IDs. */
int network_store_open(const struct network_store_opts *o, struct network_store **ret, struct pouch_err *err);
struct network_store *network_store_free(struct network_store *s);
/* Where sysctls are written (net/ipv4/ip_forward is set to 1 before a bridge network's first
 * attach). Default "/proc/sys"; tests point it at a scratch directory. */
int network_store_set_sysctl_dir(struct network_store *s, const char *dir);

/* Docker's POST /networks/create body ({"Name","Driver","IPAM":{"Config":[{"Subnet","Gateway","IPRange"}]},
 * "Internal","Labels","Options","CheckDuplicate","EnableIPv6"...}). Driver "bridge" only (default);
 * the bridge is pouch-<first 8 of id> unless Options["com.docker.network.bridge.name"]; with no
 * subnet, the first free one of docker's pools (172.17-31.0.0/16, then 192.168.x.0/20) that
 * overlaps no network and no host route or address. Errors: name exists -EEXIST (409); a
 * predefined name or an overlapping subnet -EPERM (403, "invalid pool request: Pool overlaps with
 * other one on this address space"); gateway outside subnet, bad subnet, unknown driver, IPv6
 * -EINVAL (400). *ret_doc: {"Id","Warning":""} as Docker answers. */
int network_create(struct network_store *s, json_t *body, json_t **ret_doc, struct pouch_err *err);
/* Docker's network inspect document (Name, Id, Created, Scope "local", Driver, EnableIPv6, IPAM
 * {Driver "default", Options, Config [{Subnet, Gateway}]}, Internal, Attachable, Ingress, ConfigFrom,
 * ConfigOnly, Containers {ctrid: {Name, EndpointID, MacAddress, IPv4Address "10.x.y.z/16", IPv6Address}},
 * Options, Labels). Lookup by full id, name, or unique id prefix; -ENOENT "network X not found". */
int network_inspect(struct network_store *s, const char *name_or_id, json_t **ret_doc, struct pouch_err *err);
/* GET /networks: array of inspect docs matching f (NULL for all): name (substring), id (prefix),
 * driver, label (key or key=value, all must match), type custom|builtin, dangling true|false, scope
 * local. A bad type or dangling value: -EINVAL. network_list_filter_keys: the keys dockerd accepts. */
extern const char *const network_list_filter_keys[];
int network_list(struct network_store *s, const struct filters *f, json_t **ret_array, struct pouch_err *err);
/* Refuse predefined networks (-EPERM: docker's 403) and networks with endpoints (-EBUSY "error
 * while removing network: network X id Y has active endpoints"). Deletes the bridge link (only if
 * pouch created it) and the ipam data. */
int network_remove(struct network_store *s, const char *name_or_id, struct pouch_err *err);
/* Remove every custom network without endpoints that f allows (label, label!, until; NULL = all);
 * *ret_removed = array of names. A bad until: -EINVAL, nothing removed. */
extern const char *const network_prune_filter_keys[];
int network_prune(struct network_store *s, const struct filters *f, json_t **ret_removed, struct pouch_err *err);

/* A network namespace kept as a bind-mounted nsfs file (like `ip netns add`: the directory is made
 * a shared mount first), made in a forked child (never unshare in the daemon's own threads). The
 * runtime spec then points linux.namespaces[network].path at it. -EEXIST if path exists. */
int netns_create(const char *path, struct pouch_err *err);
int netns_remove(const char *path); /* umount + unlink; missing is fine */

struct net_attach_opts {
        const char *container_id, *container_name; /* name without '/' */
        const char *netns_path;
        const char *ifname;    /* "eth0", "eth1"... */
        const char *ip;        /* NULL or requested IPv4 (--ip) */
        json_t *port_bindings; /* NULL or Docker HostConfig.PortBindings {"80/tcp":[{"HostIp":"","HostPort":"8080"}]} */
        json_t *aliases;       /* NULL or array of names */
};
/* CNI ADD of the network's chain (bridge, portmap, firewall; loopback is not part of it: see
 * netns_setup_loopback) and record the endpoint (container id/name, ip, mac, endpoint id, port
 * mappings, and everything DEL needs later) in the network's state file, atomically.
 * *ret_endpoint (may be NULL) = Docker's NetworkSettings.Networks[NAME] object (IPAMConfig, Links,
 * Aliases, NetworkID, EndpointID, Gateway, IPAddress, IPPrefixLen, IPv6Gateway, GlobalIPv6Address,
 * GlobalIPv6PrefixLen, MacAddress, DriverOpts, DNSNames). Host port in use → -EBUSY ("... Bind for
 * 0.0.0.0:8080 failed: port is already allocated"), checked before ADD against the other endpoints'
 * mappings and with bind(). Random host ports ("" / "0") are chosen here (an ephemeral port the
 * kernel hands out for bind(port 0)). On any failure, CNI DEL undoes what was made. Unknown network
 * -ENOENT; host/none: -EINVAL (the caller handles those); already attached: -EEXIST; --ip on a
 * network without a user-configured subnet: -EINVAL. */
int network_attach(struct network_store *s, const char *network, const struct net_attach_opts *o, json_t **ret_endpoint,
                   struct pouch_err *err);
/* CNI DEL with the same config and runtime args as ADD (from the recorded endpoint), tolerant of a
 * netns that is already gone (then a stand-in namespace carrying the old address lets the bridge
 * plugin remove its masquerade rule); frees the IP lease, removes the portmap rules and the
 * endpoint record. Unknown endpoint: 0 (idempotent). A failing DEL keeps the record (retry later). */
int network_detach(struct network_store *s, const char *network, const char *container_id, struct pouch_err *err);
/* Detach the container from every network it has an endpoint on (daemon restart cleanup, rm).
 * Returns the first error. */
int network_detach_all(struct network_store *s, const char *container_id);
/* Bring lo up inside the netns (ioctl in a child that joined it). */
int netns_setup_loopback(struct network_store *s, const char *netns_path, struct pouch_err *err);
/* Names of the endpoints of a network → IPs, for /etc/hosts of containers on user networks:
 * JSON object {"name": "ip", "alias": "ip"} of the other containers on that network (NULL when the
 * network is unknown). */
json_t *network_peers(struct network_store *s, const char *network, const char *except_container_id);
/* Docker's NetworkSettings.Ports for the container, from the mappings recorded at attach time
 * ({"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}); an empty object when none. */
json_t *network_container_ports(struct network_store *s, const char *container_id);
/* NetworkSettings.Networks of the container as recorded: {netname: endpoint object}. */
json_t *network_container_endpoints(struct network_store *s, const char *container_id);

/* /etc/hosts, /etc/resolv.conf, /etc/hostname contents written into dir (hosts, resolv.conf, hostname),
 * atomically, for bind mounts into the container. resolv.conf: the host's /etc/resolv.conf with
 * nameservers on 127.0.0.0/8 (and IPv6 ones: no IPv6 here) removed, falling back to 8.8.8.8/8.8.4.4
 * when none remain; dns/dns_search/dns_options replace the host's nameservers/search/options
 * (dns_search ["."] = no search line). hosts: localhost lines (IPv4 + IPv6 ones as docker writes),
 * the container's ip + hostname (and its name), extra_hosts ("name:ip" or "name=ip", docker's
 * --add-host, also "name:host-gateway" → gateway ip), then peers. */
struct etc_files_opts {
        const char *hostname, *domainname, *ip, *gateway, *container_name;
        char *const *extra_hosts, *const *dns, *const *dns_search, *const *dns_options;
        json_t *peers;
};
int network_write_etc_files(const char *dir, const struct etc_files_opts *o, struct pouch_err *err);
/* The contents network_write_etc_files writes (malloc'd); host_resolv = the host's resolv.conf text
 * (NULL: none). */
int network_hosts_content(const struct etc_files_opts *o, char **ret, struct pouch_err *err);
int network_resolv_conf_content(const char *host_resolv, const struct etc_files_opts *o, char **ret,
                                struct pouch_err *err);

/* Parse docker -p specs ("[ip:][hostPort[-end]:]containerPort[-end][/proto]") into PortBindings and
 * ExposedPorts objects; -EINVAL with docker's message on bad input. */
int ports_parse(char *const *specs, json_t *port_bindings, json_t *exposed_ports, struct pouch_err *err);
/* -P: publish every exposed port without a binding on a random free host port (HostPort "",
 * resolved at attach time). */
int ports_publish_all(json_t *exposed_ports, json_t *port_bindings);
